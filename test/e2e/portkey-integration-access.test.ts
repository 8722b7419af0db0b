/**
 * IntegrationWorkspaceAccess through the real engine against the emulator:
 * grants to workspaces created in the same program (coalesced into one PUT),
 * limits set/changed/cleared, disable, removal touching only its own row,
 * out-of-band revoke and integration deletion, and destroy with the default
 * providers the grants created.
 */
import { portkey, resourceType, stackEnv } from "./flavour";
import type { IntegrationWorkspaceAccessArgs } from "../../sdk/portkey";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, EngineStack, useEngineStack } from "./harness";

jest.setTimeout(10 * 60_000);

const ACCESS = resourceType("portkey", "IntegrationWorkspaceAccess");
const INTEGRATION = "openai-shared";
const PUT_ACCESS = "PUT /integrations/{slug}/workspaces";
let emulator: RunningEmulator;
let handMade: { id: string; slug: string };

type Grant = Omit<IntegrationWorkspaceAccessArgs, "integrationSlug" | "workspaceId"> & { by?: "id" | "slug" };
let grants: Record<string, Grant>;

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
});

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], staleReadMs: 500, checkResponses: true });
  await call(emulator, "POST", "/integrations", { name: "Shared OpenAI", slug: INTEGRATION, ai_provider_id: "openai", key: "sk-test-fake-key-12345" });
  // Access granted outside Pulumi must survive everything the program does.
  handMade = (await call(emulator, "POST", "/admin/workspaces", { name: "Hand made" })).body;
  await call(emulator, "PUT", `/integrations/${INTEGRATION}/workspaces`, {
    workspaces: [{ id: handMade.id, enabled: true, rate_limits: [{ type: "requests", unit: "rpm", value: 7 }] }],
  });
});
afterAll(async () => emulator?.stop());

const engine = useEngineStack(() => ({
  projectName: "portkey-access",
  env: stackEnv,
  program: async () => {
    const outputs: Record<string, unknown> = {};
    for (const [name, grant] of Object.entries(grants)) {
      const ws = new portkey.Workspace(name, { name: `Team ${name}`, forceDelete: true });
      const { by, ...args } = grant;
      const access = new portkey.IntegrationWorkspaceAccess(name, { integrationSlug: INTEGRATION, workspaceId: by === "slug" ? ws.slug : ws.id, ...args });
      outputs[name] = access.id;
    }
    return outputs;
  },
  config: config(),
}));

async function rows(): Promise<Record<string, { enabled: boolean; usage_limits: unknown[]; rate_limits: unknown[] }>> {
  const list = await call(emulator, "GET", `/integrations/${INTEGRATION}/workspaces`);
  const bySlug = Object.fromEntries(Object.values(emulator.state().workspaces).map((w) => [w.slug, w.name]));
  return Object.fromEntries(list.body.workspaces.map((r: { id: string }) => [bySlug[r.id], r]));
}

async function expectNoChanges(stack: EngineStack = engine()) {
  const preview = await stack.preview();
  expect(changedSteps(preview.steps)).toEqual([]);
}

test("grants access to workspaces created in the same program, group-committed into bulk PUTs", async () => {
  grants = {
    a: {},
    b: { by: "slug" },
    c: { usageLimits: [{ creditLimit: 500, alertThreshold: 400, periodicReset: "monthly" }], rateLimits: [{ type: "requests", unit: "rpm", value: 120 }] },
  };
  emulator.resetRequestCounts();
  emulator.clearRequestLog();
  const result = await engine().up();
  expect(changedSteps(result.steps, ACCESS).map((s) => s.op)).toEqual(["create", "create", "create"]);
  // Group commit: never two PUTs for the integration at once; grants queued while one runs share the next.
  const puts = emulator.requestLog().filter((r) => r.route === PUT_ACCESS);
  expect(puts.length).toBeLessThanOrEqual(3);
  puts.slice(1).forEach((put, i) => expect(put.startedAt).toBeGreaterThanOrEqual(puts[i].finishedAt));
  const now = await rows();
  expect(now["Team a"]).toMatchObject({ enabled: true, usage_limits: [], rate_limits: [] });
  expect(now["Team b"]).toMatchObject({ enabled: true });
  expect(now["Team c"]).toMatchObject({ enabled: true, usage_limits: [expect.objectContaining({ credit_limit: 500 })], rate_limits: [{ value: 120 }] });
  expect(now["Hand made"]).toMatchObject({ enabled: true, rate_limits: [{ type: "requests", unit: "rpm", value: 7 }] });
  // Granting created a default provider in each new workspace.
  expect(Object.values(emulator.state().providers).filter((p) => p.integration_slug === INTEGRATION)).toHaveLength(4); // three grants here plus the hand-made one
  expect(result.outputs.b.value).toMatch(new RegExp(`^${INTEGRATION}/ws-team-b-`));
  await expectNoChanges();
});

test("limits are set, changed and cleared in place", async () => {
  grants.a = { rateLimits: [{ type: "tokens", unit: "rph", value: 10000 }] };
  grants.c = { usageLimits: [{ creditLimit: 900, periodicResetDays: 30 }] };
  let preview = await engine().preview();
  expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update", "update"]);
  await engine().up();
  await expectNoChanges();
  let now = await rows();
  expect(now["Team a"].rate_limits).toEqual([{ type: "tokens", unit: "rph", value: 10000 }]);
  expect(now["Team c"]).toMatchObject({ usage_limits: [expect.objectContaining({ credit_limit: 900, periodic_reset_days: 30 })], rate_limits: [] });
  grants.a = {};
  grants.c = {};
  preview = await engine().preview();
  expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update", "update"]);
  await engine().up();
  await expectNoChanges();
  now = await rows();
  expect(now["Team a"]).toMatchObject({ rate_limits: [], usage_limits: [] });
  expect(now["Team c"]).toMatchObject({ rate_limits: [], usage_limits: [] });
  expect(now["Hand made"].rate_limits).toEqual([{ type: "requests", unit: "rpm", value: 7 }]);
});

test("enabled: false disables access and stays the declared state across refresh", async () => {
  grants.c = { enabled: false };
  await engine().up();
  expect((await rows())["Team c"].enabled).toBe(false);
  const refreshed = await engine().refresh();
  expect(refreshed.changeSummary.delete ?? 0).toBe(0);
  await expectNoChanges();
});

test("removing a grant from the program disables only that workspace", async () => {
  delete grants.b;
  const before = await rows();
  const result = await engine().up();
  expect(changedSteps(result.steps, ACCESS).map((s) => s.op)).toEqual(["delete"]);
  const after = await rows();
  expect(after["Hand made"]).toEqual(before["Hand made"]);
  expect(after["Team a"]).toEqual(before["Team a"]);
  expect(after["Team c"]).toEqual(before["Team c"]);
  expect(after["Team b"]).toBeUndefined(); // its workspace was deleted along with it
});

test("an out-of-band revoke shows on refresh and up grants access again", async () => {
  const a = Object.values(emulator.state().workspaces).find((w) => w.name === "Team a")!;
  await call(emulator, "PUT", `/integrations/${INTEGRATION}/workspaces`, { workspaces: [{ id: a.slug, enabled: false }] });
  const refreshed = await engine().refresh();
  expect(refreshed.changeSummary.delete).toBe(1);
  const result = await engine().up();
  expect(changedSteps(result.steps, ACCESS).map((s) => s.op)).toEqual(["create"]);
  expect((await rows())["Team a"].enabled).toBe(true);
  await expectNoChanges();
});

test("invalid grants fail at preview naming the property", async () => {
  const valid = grants;
  try {
    grants = { ...valid, a: { rateLimits: [{ type: "requests", unit: "rpm", value: 1 }, { type: "tokens", unit: "rpm", value: 2 }] } };
    await expect(engine().preview()).rejects.toThrow(/rateLimits: takes at most one rate limit/);
    grants = { ...valid, a: { usageLimits: [{ creditLimit: 0 }] } };
    await expect(engine().preview()).rejects.toThrow(/usageLimits\[0\]\.creditLimit/);
  } finally {
    grants = valid;
  }
});

test("destroy disables the grants first, so workspaces with default providers are deleted with forceDelete", async () => {
  const result = await engine().destroy();
  expect(changedSteps(result.steps, ACCESS).every((s) => s.op === "delete")).toBe(true);
  const remaining = Object.values(emulator.state().workspaces).filter((w) => !w.deleted_at && !w.is_default).map((w) => w.name);
  expect(remaining).toEqual(["Hand made"]);
  expect((await rows())["Hand made"]).toMatchObject({ enabled: true, rate_limits: [{ value: 7 }] });
});

test("an integration deleted out of band drops its grants on refresh", async () => {
  await call(emulator, "POST", "/integrations", { name: "Short lived", slug: "short-lived", ai_provider_id: "openai", key: "sk-x" });
  const stack = await EngineStack.create({
    projectName: "portkey-access-gone",
    env: stackEnv,
    program: async () => {
      const ws = new portkey.Workspace("w", { name: "Short lived home", forceDelete: true });
      new portkey.IntegrationWorkspaceAccess("w", { integrationSlug: "short-lived", workspaceId: ws.id });
    },
    config: config(),
  });
  try {
    await stack.up();
    await call(emulator, "DELETE", "/integrations/short-lived");
    const refreshed = await stack.refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    expect((await stack.exportState()).resources(ACCESS)).toEqual([]);
    await stack.destroy();
  } finally {
    await stack.dispose();
  }
  expect(emulator.specViolations()).toEqual([]);
});
