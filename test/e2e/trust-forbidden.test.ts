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

test("2c: refresh and destroy of a workspace member and a guardrail with a key lacking their read and delete scopes fail naming the scopes; nothing leaves the state or the server", async () => {
  const ws = await fixtureWorkspace(emulator(), "Scoped 2c");
  const user = (await (await fetch(`${emulator().url}/_emulator/portkey/users`, { method: "POST", body: JSON.stringify({ email: "scoped-2c@example.com" }) })).json()) as { id: string };
  const program = async () => {
    new portkey.WorkspaceMember("member", { workspaceId: ws.id, userId: user.id, role: "member" });
    new portkey.Guardrail("guard", { workspaceId: ws.id, name: "Scoped 2c", checks: [{ id: "default.regexMatch", parameters: { rule: "secret", not: false } }], actions: { deny: true } });
  };
  await withStack(emulator(), { projectName: "trust-2c", program, config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    const member = "pulumi-nodejs:dynamic/portkey:WorkspaceMember";
    const guardrail = "pulumi-nodejs:dynamic/portkey:Guardrail";
    const before = { ...(await stateIds(stack, member)), ...(await stateIds(stack, guardrail)) };
    expect(Object.keys(before).sort()).toEqual(["guard", "member"]);
    // Everything but reading and deleting members and guardrails.
    const limited = await limitedAdminKey(emulator(), "no-read-2c", ["workspaces.read", "workspaces.list", "workspace_users.create", "workspace_users.update", "guardrails.create", "guardrails.update"]);
    await useKey(stack, limited);

    const refreshed = await outcome(stack.refresh());
    expectFailed(refreshed);
    expect(refreshed.errors.join("\n")).toMatch(/membership of .* is not known to be deleted.*'workspace_users\.read'/s);
    expect(refreshed.errors.join("\n")).toMatch(/guardrail .* is not known to be deleted.*'guardrails\.read'/s);
    expect({ ...(await stateIds(stack, member)), ...(await stateIds(stack, guardrail)) }).toEqual(before);

    const destroyed = await outcome(stack.destroy());
    expectFailed(destroyed);
    expect(destroyed.errors.join("\n")).toMatch(/'workspace_users\.delete'/);
    expect(destroyed.errors.join("\n")).toMatch(/'guardrails\.delete'/);
    expect({ ...(await stateIds(stack, member)), ...(await stateIds(stack, guardrail)) }).toEqual(before);
    expect(Object.values(emulator().state().guardrails ?? {}).filter((g) => g.name === "Scoped 2c")).toHaveLength(1);
    await stack.setConfig(portkeyConfig(emulator(), ADMIN_KEY));
  });
});
