/**
 * Group commit of access writes, driving the provider directly (no engine)
 * against an in-process emulator: one PUT in flight per integration, grants
 * queued meanwhile share the next one, and a batch the API rejects is retried
 * pair by pair so each pair gets its own result.
 */
import { startEmulator, RunningEmulator } from "../../../emulator";
import { integrationAccess, integrationAccessProvider } from "../../../provider/portkey/integration-access";
import type { InterruptedRun } from "../../../provider/resource";
import { ADMIN_KEY, call } from "../../support/emulator";

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY] });
  const values: Record<string, string> = { "portkey:apiKey": ADMIN_KEY, "portkey:baseUrl": emulator.portkeyBaseUrl };
  await integrationAccessProvider.configure!({ config: { get: (k: string) => values[k], require: (k: string) => values[k] } } as never);
  await call(emulator, "POST", "/integrations", { name: "Batch", slug: "batch", ai_provider_id: "openai", key: "sk-x" });
});
afterAll(async () => emulator.stop());

async function workspace(name: string): Promise<string> {
  return (await call(emulator, "POST", "/admin/workspaces", { name })).body.id;
}

test("concurrent grants: the first PUT goes at once, the grants queued while it runs share the next", async () => {
  const ids = await Promise.all(["One", "Two", "Three", "Four"].map(workspace));
  emulator.resetRequestCounts();
  // No default provider: its bookkeeping (a list of the workspace's providers before the write) staggers when grants reach the writer.
  const results = await Promise.all(
    ids.map((id) => integrationAccessProvider.create({ integrationSlug: "batch", workspaceId: id, enabled: true, createDefaultProvider: false })),
  );
  expect(results.map((r) => r.id)).toEqual(ids.map((id) => `batch/${id}`));
  const counts = emulator.requestCounts();
  expect(counts["PUT /integrations/{slug}/workspaces"]).toBe(2);
  // A successful PUT is trusted: nothing is read back.
  expect(counts["GET /integrations/{slug}/workspaces"] ?? 0).toBe(0);
});

test("a batch rejected for one pair is retried pair by pair; only that pair fails", async () => {
  const good = await workspace("Good");
  const clash = await workspace("Clash");
  // A provider slug that already exists in the second workspace makes the API reject any batch containing it.
  await call(emulator, "POST", "/integrations", { name: "Other", slug: "other", ai_provider_id: "openai", key: "sk-y" });
  await call(emulator, "PUT", "/integrations/other/workspaces", { workspaces: [{ id: clash, enabled: true, default_provider_slug: "taken" }] });
  emulator.resetRequestCounts();
  const [ok, failed] = await Promise.allSettled([
    integrationAccessProvider.create({ integrationSlug: "batch", workspaceId: good, enabled: true }),
    integrationAccessProvider.create({ integrationSlug: "batch", workspaceId: clash, enabled: true, defaultProviderSlug: "taken" }),
  ]);
  expect(ok.status).toBe("fulfilled");
  expect(failed.status).toBe("rejected");
  expect((failed as PromiseRejectedResult).reason.message).toMatch(new RegExp(`access for workspace '${clash}'.*default_provider_slug`));
  // Alone or in a batch that is then retried pair by pair: two to four PUTs, depending on arrival order.
  expect(emulator.requestCounts()["PUT /integrations/{slug}/workspaces"]).toBeGreaterThanOrEqual(2);
  const rows = (await call(emulator, "GET", "/integrations/batch/workspaces")).body.workspaces;
  const goodSlug = emulator.state().workspaces[good].slug;
  expect(rows.find((r: { id: string }) => r.id === goodSlug)).toMatchObject({ enabled: true });
  expect(rows.find((r: { id: string }) => r.id === emulator.state().workspaces[clash].slug)).toBeUndefined();
});

test("deleting a grant disables only its own row", async () => {
  const [a, b] = await Promise.all(["Del A", "Del B"].map(workspace));
  const created = await Promise.all([a, b].map((id) => integrationAccessProvider.create({ integrationSlug: "batch", workspaceId: id, enabled: true })));
  await integrationAccessProvider.delete!(created[0].id, created[0].outs);
  const rows = (await call(emulator, "GET", "/integrations/batch/workspaces")).body.workspaces as { id: string; enabled: boolean }[];
  const state = emulator.state().workspaces;
  expect(rows.find((r) => r.id === state[a].slug)?.enabled).toBe(false);
  expect(rows.find((r) => r.id === state[b].slug)?.enabled).toBe(true);
});

const providersIn = (workspaceId: string) => Object.values(emulator.state().providers).filter((p) => p.workspace_id === workspaceId);

test("a grant records the default provider Portkey made for it, and its delete removes exactly that one", async () => {
  const id = await workspace("Default made");
  const grant = await integrationAccessProvider.create({ integrationSlug: "batch", workspaceId: id, enabled: true });
  const [made] = providersIn(id);
  expect(grant.outs).toMatchObject({ createdProviderId: made.id, createdProviderSlug: made.slug, createdProviderName: made.name });
  await integrationAccessProvider.delete!(grant.id, grant.outs);
  expect(providersIn(id)).toEqual([]);
});

test("a grant records no provider it did not make: one made just before it (access already on), or none asked for", async () => {
  const id = await workspace("Default before");
  // Access granted by hand without a default provider, then a provider made by hand for the integration.
  await call(emulator, "PUT", "/integrations/batch/workspaces", { workspaces: [{ id, enabled: true, create_default_provider: false }] });
  const handMade = (await call(emulator, "POST", "/providers", { name: "Hand made", integration_id: "batch", workspace_id: id })).body;
  const grant = await integrationAccessProvider.create({ integrationSlug: "batch", workspaceId: id, enabled: true });
  expect(grant.outs.createdProviderId).toBeUndefined();
  await integrationAccessProvider.delete!(grant.id, grant.outs);
  expect(providersIn(id).map((p) => p.id)).toEqual([handMade.id]);

  const bare = await workspace("No default");
  const declined = await integrationAccessProvider.create({ integrationSlug: "batch", workspaceId: bare, enabled: true, createDefaultProvider: false });
  expect(declined.outs.createdProviderId).toBeUndefined();
  expect(providersIn(bare)).toEqual([]);
});

test("a recorded default provider replaced under its slug by another is never deleted", async () => {
  const id = await workspace("Default replaced");
  const grant = await integrationAccessProvider.create({ integrationSlug: "batch", workspaceId: id, enabled: true });
  const slug = grant.outs.createdProviderSlug as string;
  await call(emulator, "DELETE", `/providers/${slug}?workspace_id=${id}`);
  const other = (await call(emulator, "POST", "/providers", { name: "Someone's", slug, integration_id: "batch", workspace_id: id })).body;
  await integrationAccessProvider.delete!(grant.id, grant.outs);
  expect(providersIn(id).map((p) => p.id)).toEqual([other.id]);
});

describe("after an interrupted run lost a grant's create answer, in a workspace that run made (recover's proof)", () => {
  const warnings: string[] = [];
  const ctx = () => ({
    configured: { "portkey:apiKey": ADMIN_KEY, "portkey:baseUrl": emulator.portkeyBaseUrl },
    processState: new Map<string, unknown>(),
    warn: (message: string) => void warnings.push(message),
    created: () => undefined,
  });
  const since = Date.now() - 60_000;
  const noOthers: InterruptedRun = { since, parentOfTheRun: true, resources: [] };
  /** A grant written as the killed create wrote it (Portkey's default provider made), its answer lost; what recover read of it. */
  async function lostGrant(name: string) {
    const id = await workspace(name);
    await call(emulator, "PUT", "/integrations/batch/workspaces", { workspaces: [{ id, enabled: true }] });
    return { id, found: { integrationSlug: "batch", workspaceId: id, enabled: true, resolvedWorkspaceId: id, workspaceSlug: emulator.state().workspaces[id].slug } };
  }
  const recorded = (declared: object, found: object, run = noOthers) => integrationAccess.declaration.recordedAtCreate!(declared, found as never, ctx(), run);

  test("the one bare default provider of the integration, made since the run began and named by no config, is the grant's: recorded, and deleted with it", async () => {
    const { id, found } = await lostGrant("Lost answer");
    const [made] = providersIn(id);
    const record = await recorded({ integrationSlug: "batch", workspaceId: id }, found);
    expect(record).toEqual({ createdProviderId: made.id, createdProviderSlug: made.slug, createdProviderName: made.name });
    await integrationAccessProvider.delete!(`batch/${id}`, { ...found, ...record });
    expect(providersIn(id)).toEqual([]);
  });

  test("nothing is recorded when any doubt remains: none asked for, made before the run, several, named by a config, or possibly the stack's own AiProvider", async () => {
    const declined = await lostGrant("Declined");
    expect(await recorded({ integrationSlug: "batch", createDefaultProvider: false }, declined.found)).toBeUndefined();

    const older = await lostGrant("Older");
    expect(await recorded({ integrationSlug: "batch" }, older.found, { since: Date.now() + 60_000, parentOfTheRun: true, resources: [] })).toBeUndefined();

    const several = await lostGrant("Several");
    await call(emulator, "POST", "/providers", { name: "Hand made", integration_id: "batch", workspace_id: several.id });
    warnings.length = 0;
    expect(await recorded({ integrationSlug: "batch" }, several.found)).toBeUndefined();
    expect(warnings.join("\n")).toMatch(/2 look alike/);

    const used = await lostGrant("Used");
    const [usedSlug] = providersIn(used.id).map((p) => p.slug);
    await call(emulator, "POST", "/configs", { name: "Uses it", config: { virtual_key: usedSlug }, workspace_id: used.id });
    warnings.length = 0;
    expect(await recorded({ integrationSlug: "batch" }, used.found)).toBeUndefined();
    expect(warnings.join("\n")).toMatch(/config\(s\) .* use it/);

    const adopted = await lostGrant("Adopted");
    const [adoptedProvider] = providersIn(adopted.id);
    const adoptedBy = { kind: "portkey:AiProvider", inputs: { workspaceId: adopted.id }, outputs: { providerId: adoptedProvider.id }, pending: false };
    expect(await recorded({ integrationSlug: "batch" }, adopted.found, { since, parentOfTheRun: true, resources: [adoptedBy] })).toBeUndefined();
    const beingMade = { kind: "portkey:AiProvider", inputs: { workspaceId: adopted.id }, outputs: {}, pending: true };
    expect(await recorded({ integrationSlug: "batch" }, adopted.found, { since, parentOfTheRun: true, resources: [beingMade] })).toBeUndefined();
    const olderWorkspace = await lostGrant("Older workspace");
    warnings.length = 0;
    expect(await recorded({ integrationSlug: "batch" }, olderWorkspace.found, { since, parentOfTheRun: false, resources: [] })).toBeUndefined();
    expect(warnings.join("\n")).toMatch(/the workspace predates the interrupted run, so nothing proves who made 'batch'; delete it by hand .*DELETE \/providers\/batch\?workspace_id=/);
    // Every provider is still there.
    for (const w of [declined, older, several, used, adopted, olderWorkspace]) expect(providersIn(w.id).length).toBeGreaterThan(0);
  });
});
