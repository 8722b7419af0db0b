/**
 * Issue 11, case 2: a 403 is never "gone". With an admin key that lacks
 * `workspaces.read` (an organisation service key made with other scopes),
 * refresh must not drop a live workspace, and revoking integration access
 * must really revoke it or fail loudly.
 */
import { portkey } from "../../sdk";
import { changedSteps, EngineStack } from "./harness";
import {
  accessRows,
  ADMIN_KEY,
  changedOps,
  expectFailed,
  fixtureIntegration,
  fixtureWorkspace,
  limitedAdminKey,
  liveWorkspaces,
  outcome,
  portkeyConfig,
  stateIds,
  TYPES,
  useTrustEmulator,
  withStack,
} from "./trust-support";

jest.setTimeout(10 * 60_000);

const emulator = useTrustEmulator();

/**
 * Switches the stack to another admin key. A refresh (or a delete of a
 * resource the program no longer has) uses the provider configuration stored
 * by the last `up`, so an `up` (which changes nothing here) stores it first.
 */
async function useKey(stack: EngineStack, apiKey: string): Promise<void> {
  await stack.setConfig(portkeyConfig(emulator(), apiKey));
  const result = await stack.up();
  expect(changedSteps(result.steps).filter((s) => s.type.startsWith("pulumi-nodejs:dynamic/")).map((s) => `${s.op} ${s.urn}`)).toEqual([]);
}

test("2a: refresh with a key lacking workspaces.read fails naming the scope and keeps the workspace in the state", async () => {
  const name = "Scoped 2a";
  const program = async () => {
    new portkey.Workspace("team", { name, forceDelete: true });
  };
  await withStack(emulator(), { projectName: "trust-2a", program, config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    const before = await stateIds(stack, TYPES.workspace);
    expect(Object.keys(before)).toEqual(["team"]);
    const noRead = await limitedAdminKey(emulator(), "no-read-2a", ["workspaces.list", "workspaces.create", "workspaces.update", "workspaces.delete"]);
    await useKey(stack, noRead);
    const refreshed = await outcome(stack.refresh());
    // The state must still hold the live workspace, whatever refresh did.
    expect(await stateIds(stack, TYPES.workspace)).toEqual(before);
    expectFailed(refreshed);
    expect(refreshed.errors.join("\n")).toMatch(/workspaces\.read/);
    // With the full key again, nothing is created twice.
    await stack.setConfig(portkeyConfig(emulator(), ADMIN_KEY));
    const result = await stack.up();
    expect(changedOps(result.steps, TYPES.workspace)).toEqual([]);
    expect(liveWorkspaces(emulator(), name).map((w) => w.id)).toEqual([before.team]);
  });
});

test("2b: removing an access grant with a key lacking workspaces.read revokes it, or fails loudly", async () => {
  const integration = "scoped-2b";
  await fixtureIntegration(emulator(), integration);
  const ws = await fixtureWorkspace(emulator(), "Scoped 2b");
  let granted = true;
  const program = async () => {
    if (granted) new portkey.IntegrationWorkspaceAccess("grant", { integrationSlug: integration, workspaceId: ws.id });
  };
  await withStack(emulator(), { projectName: "trust-2b", program, config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    expect(accessRows(emulator(), integration)[ws.id]).toEqual({ enabled: true });
    const noRead = await limitedAdminKey(emulator(), "no-read-2b", [
      "workspaces.list",
      "organisation_integrations.list",
      "organisation_integrations.read",
      "organisation_integrations.update",
    ]);
    await useKey(stack, noRead);
    granted = false;
    const result = await outcome(stack.up());
    const stillRecorded = Object.keys(await stateIds(stack, TYPES.access)).includes("grant");
    // Reported as deleted (gone from the state) means revoked on the server.
    const row = accessRows(emulator(), integration)[ws.id];
    expect({ reportedDeleted: !stillRecorded, enabled: row.enabled }).not.toEqual({ reportedDeleted: true, enabled: true });
    if (result.ok) expect(row.enabled).toBe(false);
    else expect(stillRecorded).toBe(true);
    await stack.setConfig(portkeyConfig(emulator(), ADMIN_KEY));
  });
});
