/**
 * Issue 11, case 6: access writes per integration. One bulk PUT in flight at
 * a time per integration; after a rejected batch the pairs are retried one at
 * a time and each gets its own result; a 404 on a batch during deletes never
 * reports a grant as revoked while it is still granted.
 *
 * The bulk PUT is slowed down (routeLatencyMs) so that writes issued while
 * one is in flight would overlap in the emulator's request log.
 */
import { portkey } from "../../sdk";
import {
  accessRows,
  call,
  expectFailed,
  expectSucceeded,
  failedResources,
  fixtureIntegration,
  fixtureWorkspace,
  outcome,
  overlaps,
  portkeyConfig,
  requests,
  ROUTES,
  setFaults,
  stateIds,
  TYPES,
  useTrustEmulator,
  withStack,
} from "./trust-support";

jest.setTimeout(10 * 60_000);

const emulator = useTrustEmulator();

function accessPuts(integrationSlug: string) {
  return requests(emulator(), ROUTES.putAccess).filter((r) => r.path === `/integrations/${integrationSlug}/workspaces`);
}

test("6a: grants to one integration, some arriving while a PUT is in flight: no two PUTs overlap, every grant applied", async () => {
  const integration = "trust-6a";
  await fixtureIntegration(emulator(), integration);
  const fixtures: { id: string; slug: string }[] = [];
  for (const n of [1, 2, 3]) fixtures.push(await fixtureWorkspace(emulator(), `Access 6a A${n}`));
  const program = async () => {
    fixtures.forEach((ws, i) => new portkey.IntegrationWorkspaceAccess(`a${i + 1}`, { integrationSlug: integration, workspaceId: ws.id }));
    for (const n of [1, 2, 3]) {
      // Created in the same up, and slowly: their grants arrive while the first PUT is in flight.
      const ws = new portkey.Workspace(`b${n}`, { name: `Access 6a B${n}`, forceDelete: true });
      new portkey.IntegrationWorkspaceAccess(`b${n}`, { integrationSlug: integration, workspaceId: ws.id });
    }
  };
  await withStack(emulator(), { projectName: "trust-6a", program, config: portkeyConfig(emulator()) }, async (stack) => {
    setFaults(emulator(), { routeLatencyMs: { [ROUTES.putAccess]: 1000, [ROUTES.createWorkspace]: 400 } });
    emulator().clearRequestLog();
    const result = await outcome(stack.up());
    expectSucceeded(result);
    expect(overlaps(accessPuts(integration))).toEqual([]);
    const rows = accessRows(emulator(), integration);
    const granted = Object.values(await stateIds(stack, TYPES.workspace)).concat(fixtures.map((w) => w.id));
    expect(granted.map((id) => rows[id]?.enabled)).toEqual([true, true, true, true, true, true]);
  });
});

test("6b: after a rejected batch the pairs are retried one at a time; the others succeed and the bad pair fails with its own error", async () => {
  const integration = "trust-6b";
  await fixtureIntegration(emulator(), integration);
  await fixtureIntegration(emulator(), "trust-6b-other");
  const good: { id: string; slug: string }[] = [];
  for (const n of [1, 2, 3]) good.push(await fixtureWorkspace(emulator(), `Access 6b G${n}`));
  const bad = await fixtureWorkspace(emulator(), "Access 6b Bad");
  // Another integration already made a provider with slug "taken" in the bad workspace.
  const other = await call(emulator(), "PUT", "/integrations/trust-6b-other/workspaces", { workspaces: [{ id: bad.id, enabled: true, default_provider_slug: "taken" }] });
  expect(other.status).toBe(200);
  const program = async () => {
    good.forEach((ws, i) => new portkey.IntegrationWorkspaceAccess(`g${i + 1}`, { integrationSlug: integration, workspaceId: ws.id }));
    new portkey.IntegrationWorkspaceAccess("bad", { integrationSlug: integration, workspaceId: bad.id, defaultProviderSlug: "taken" });
  };
  await withStack(emulator(), { projectName: "trust-6b", program, config: portkeyConfig(emulator()) }, async (stack) => {
    setFaults(emulator(), { routeLatencyMs: { [ROUTES.putAccess]: 500 } });
    emulator().clearRequestLog();
    const result = await outcome(stack.up());
    expectFailed(result);
    expect(overlaps(accessPuts(integration))).toEqual([]);
    const rows = accessRows(emulator(), integration);
    expect(good.map((ws) => rows[ws.id]?.enabled)).toEqual([true, true, true]);
    expect(rows[bad.id]?.enabled ?? false).toBe(false);
    expect(Object.keys(await stateIds(stack, TYPES.access)).sort()).toEqual(["g1", "g2", "g3"]);
    expect(failedResources(result.text, TYPES.access)).toEqual(["bad"]);
    const badErrors = result.errors.filter((l) => l.startsWith(`${TYPES.access} (bad):`)).join("\n");
    expect(badErrors).toMatch(/default_provider_slug/);
  });
});

test("6c: a 404 on a batch during deletes never reports a grant revoked while it is still granted", async () => {
  const integration = "trust-6c";
  await fixtureIntegration(emulator(), integration);
  const workspaces: Record<string, { id: string }> = {};
  for (const n of [1, 2, 3]) workspaces[`r${n}`] = await fixtureWorkspace(emulator(), `Access 6c R${n}`);
  const program = async () => {
    for (const [name, ws] of Object.entries(workspaces)) new portkey.IntegrationWorkspaceAccess(name, { integrationSlug: integration, workspaceId: ws.id });
  };
  await withStack(emulator(), { projectName: "trust-6c", program, config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    expect(Object.values(workspaces).map((ws) => accessRows(emulator(), integration)[ws.id]?.enabled)).toEqual([true, true, true]);
    setFaults(emulator(), { failNext: { [ROUTES.putAccess]: { times: 1, fault: "not-found" } } });
    const result = await outcome(stack.destroy());
    const remaining = Object.keys(await stateIds(stack, TYPES.access));
    const rows = accessRows(emulator(), integration);
    const reportedRevokedButGranted = Object.entries(workspaces)
      .filter(([name, ws]) => !remaining.includes(name) && rows[ws.id]?.enabled)
      .map(([name]) => name);
    expect(reportedRevokedButGranted).toEqual([]);
    if (result.ok) expect(Object.values(workspaces).map((ws) => rows[ws.id]?.enabled)).toEqual([false, false, false]);
  });
});

test("a grant to an integration that does not exist fails with a sentence naming the integration and the API's answer", async () => {
  const ws = await fixtureWorkspace(emulator(), "Access missing integration");
  const program = async () => {
    new portkey.IntegrationWorkspaceAccess("access", { integrationSlug: "no-such-integration", workspaceId: ws.id, createDefaultProvider: false });
  };
  await withStack(emulator(), { projectName: "trust-access-missing", program, config: portkeyConfig(emulator()) }, async (stack) => {
    const result = await outcome(stack.up());
    expectFailed(result);
    const text = result.errors.join("\n");
    expect(text).toMatch(/portkey:IntegrationWorkspaceAccess .*integration 'no-such-integration' does not exist \(or was deleted\): Portkey API PUT .* 404/);
    expect(text).not.toMatch(/\{"name"/);
  });
});
