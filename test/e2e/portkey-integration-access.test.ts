/**
 * The Portkey IntegrationWorkspaceAccess resource through the real engine
 * against the emulator, in both forms (see resourceSuite in ./harness.ts).
 * Both: grants to workspaces created in the same program (coalesced into bulk
 * PUTs), a clean preview, destroy with the default providers the grants
 * created. Dynamic: limits set/changed/cleared, disable, removal touching only
 * its own row, out-of-band revoke, bad input at preview, out-of-band
 * integration deletion. Access granted by hand outside Pulumi survives all of it.
 */
import type { IntegrationWorkspaceAccessArgs } from "../../sdk/portkey";
import type { RunningEmulator } from "../../emulator";
import { call } from "../support/emulator";
import { resourceSuite, SuiteContext } from "./harness";

jest.setTimeout(10 * 60_000);

const INTEGRATION = "openai-shared";

/** A grant to a workspace the program makes with it, named after it; `by` spells the workspace by id (default) or slug. */
type Grant = Omit<IntegrationWorkspaceAccessArgs, "integrationSlug" | "workspaceId"> & { by?: "id" | "slug" };
type Grants = Record<string, Grant>;
type Ctx = SuiteContext<Grants, Record<string, never>>;

type Row = { enabled: boolean; usage_limits: unknown[]; rate_limits: unknown[] };
/** The integration's workspace rows, by workspace name. */
async function rows(emulator: RunningEmulator): Promise<Record<string, Row>> {
  const list = await call(emulator, "GET", `/integrations/${INTEGRATION}/workspaces`);
  const bySlug = Object.fromEntries(Object.values(emulator.state().workspaces).map((w) => [w.slug, w.name]));
  return Object.fromEntries(list.body.workspaces.map((r: { id: string }) => [bySlug[r.id], r]));
}

resourceSuite<Grants>({
  vendor: "portkey",
  resource: "IntegrationWorkspaceAccess",
  name: "a",
  emulator: { staleReadMs: 500 },
  setup: async (emulator) => {
    await call(emulator, "POST", "/integrations", { name: "Shared OpenAI", slug: INTEGRATION, ai_provider_id: "openai", key: "sk-test-fake-key-12345" });
    // Access granted outside Pulumi must survive everything the program does.
    const handMade = (await call(emulator, "POST", "/admin/workspaces", { name: "Hand made" })).body;
    await call(emulator, "PUT", `/integrations/${INTEGRATION}/workspaces`, {
      workspaces: [{ id: handMade.id, enabled: true, rate_limits: [{ type: "requests", unit: "rpm", value: 7 }] }],
    });
    return {};
  },
  base: () => ({
    a: {},
    b: { by: "slug" },
    c: { usageLimits: [{ creditLimit: 500, alertThreshold: 400, periodicReset: "monthly" }], rateLimits: [{ type: "requests", unit: "rpm", value: 120 }] },
  }),
  declare: (sdk, _name, grants) => {
    const outputs: Record<string, unknown> = {};
    for (const [name, grant] of Object.entries(grants)) {
      const ws = new sdk.portkey.Workspace(name, { name: `Team ${name}`, forceDelete: true });
      const { by, ...args } = grant;
      const access = new sdk.portkey.IntegrationWorkspaceAccess(name, { integrationSlug: INTEGRATION, workspaceId: by === "slug" ? ws.slug : ws.id, ...args });
      outputs[name] = access.id;
    }
    return outputs;
  },
  // Each grant's workspace is made in the same program.
  declares: { IntegrationWorkspaceAccess: 3, Workspace: 3 },
  steps: { native: ["create", "destroy"] },

  created: async ({ emulator, requests }, result) => {
    // Group commit: never two PUTs for the integration at once; grants queued while one runs share the next.
    const puts = requests("PUT /integrations/{slug}/workspaces");
    expect(puts.length).toBeLessThanOrEqual(3);
    puts.slice(1).forEach((put, i) => expect(put.startedAt).toBeGreaterThanOrEqual(puts[i].finishedAt));
    const now = await rows(emulator);
    expect(now["Team a"]).toMatchObject({ enabled: true, usage_limits: [], rate_limits: [] });
    expect(now["Team b"]).toMatchObject({ enabled: true });
    expect(now["Team c"]).toMatchObject({ enabled: true, usage_limits: [expect.objectContaining({ credit_limit: 500 })], rate_limits: [{ value: 120 }] });
    expect(now["Hand made"]).toMatchObject({ enabled: true, rate_limits: [{ type: "requests", unit: "rpm", value: 7 }] });
    // Granting created a default provider in each new workspace (three here plus the hand-made one's).
    expect(Object.values(emulator.state().providers).filter((p) => p.integration_slug === INTEGRATION)).toHaveLength(4);
    expect(result.outputs.b.value).toMatch(new RegExp(`^${INTEGRATION}/ws-team-b-`));
  },

  deleted: {
    given: (ctx) => ctx.base(),
    // An out-of-band revoke.
    delete: async ({ emulator }) => {
      const a = Object.values(emulator.state().workspaces).find((w) => w.name === "Team a" && !w.deleted_at)!;
      await call(emulator, "PUT", `/integrations/${INTEGRATION}/workspaces`, { workspaces: [{ id: a.slug, enabled: false }] });
    },
    // Granted again.
    recreated: async (ctx) => {
      expect((await rows(ctx.emulator))["Team a"].enabled).toBe(true);
      await ctx.expectCleanPreview();
    },
  },

  badInput: (valid) => [
    [{ ...valid, a: { rateLimits: [{ type: "requests", unit: "rpm", value: 1 }, { type: "tokens", unit: "rpm", value: 2 }] } }, /rateLimits: takes at most one rate limit/],
    [{ ...valid, a: { usageLimits: [{ creditLimit: 0 }] } }, /usageLimits\[0\]\.creditLimit/],
  ],

  // The grants are disabled first, so the workspaces with default providers are deleted with forceDelete.
  destroyed: async ({ emulator }) => {
    const remaining = Object.values(emulator.state().workspaces).filter((w) => !w.deleted_at && !w.is_default).map((w) => w.name);
    expect(remaining).toEqual(["Hand made"]);
    expect((await rows(emulator))["Hand made"]).toMatchObject({ enabled: true, rate_limits: [{ value: 7 }] });
  },

  tests: [
    {
      title: "limits are set, changed and cleared in place",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        ctx.declare({ ...ctx.base(), a: { rateLimits: [{ type: "tokens", unit: "rph", value: 10000 }] }, c: { usageLimits: [{ creditLimit: 900, periodicResetDays: 30 }] } });
        let preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update", "update"]);
        await ctx.up();
        await ctx.expectCleanPreview();
        let now = await rows(ctx.emulator);
        expect(now["Team a"].rate_limits).toEqual([{ type: "tokens", unit: "rph", value: 10000 }]);
        expect(now["Team c"]).toMatchObject({ usage_limits: [expect.objectContaining({ credit_limit: 900, periodic_reset_days: 30 })], rate_limits: [] });
        ctx.declare({ ...ctx.base(), a: {}, c: {} });
        preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update", "update"]);
        await ctx.up();
        await ctx.expectCleanPreview();
        now = await rows(ctx.emulator);
        expect(now["Team a"]).toMatchObject({ rate_limits: [], usage_limits: [] });
        expect(now["Team c"]).toMatchObject({ rate_limits: [], usage_limits: [] });
        expect(now["Hand made"].rate_limits).toEqual([{ type: "requests", unit: "rpm", value: 7 }]);
      },
    },
    {
      title: "enabled: false disables access and stays the declared state across refresh",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        ctx.declare({ ...ctx.base(), c: { enabled: false } });
        await ctx.up();
        expect((await rows(ctx.emulator))["Team c"].enabled).toBe(false);
        const refreshed = await ctx.refresh();
        expect(refreshed.changeSummary.delete ?? 0).toBe(0);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "removing a grant from the program disables only that workspace",
      forms: ["dynamic"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const { b: _removed, ...rest } = ctx.base();
        ctx.declare(rest);
        const before = await rows(ctx.emulator);
        const result = await ctx.up();
        expect(ctx.ops(result, true).filter((op) => op.endsWith(ctx.type))).toEqual([`delete ${ctx.type}`]);
        const after = await rows(ctx.emulator);
        expect(after["Hand made"]).toEqual(before["Hand made"]);
        expect(after["Team a"]).toEqual(before["Team a"]);
        expect(after["Team c"]).toEqual(before["Team c"]);
        expect(after["Team b"]).toBeUndefined(); // its workspace was deleted along with it
      },
    },
    {
      title: "an integration deleted out of band drops its grants on refresh",
      forms: ["dynamic"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given("nothing");
        await call(emulator, "POST", "/integrations", { name: "Short lived", slug: "short-lived", ai_provider_id: "openai", key: "sk-x" });
        ctx.setProgram(async () => {
          const ws = new ctx.sdk.portkey.Workspace("w", { name: "Short lived home", forceDelete: true });
          new ctx.sdk.portkey.IntegrationWorkspaceAccess("w", { integrationSlug: "short-lived", workspaceId: ws.id });
          return {};
        });
        await ctx.up();
        await call(emulator, "DELETE", "/integrations/short-lived");
        const refreshed = await ctx.refresh();
        expect(refreshed.changeSummary.delete).toBe(1);
        expect((await ctx.engine.exportState()).resources(ctx.type)).toEqual([]);
        await ctx.destroy();
      },
    },
  ],
});
