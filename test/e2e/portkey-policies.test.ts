/**
 * The Portkey UsageLimitsPolicy and RateLimitsPolicy resources, tested together
 * in one program (they share their shape: conditions, groupBy, a workspace),
 * through the real engine against the emulator in both forms (see
 * resourceSuite in ./harness.ts). Both: create (a declared usage reset does
 * nothing then), clean preview, the admin key never in plaintext, destroy
 * archiving both. Dynamic: every updatable field in place, clearing, the
 * per-entity usage reset trigger (shown by preview, acted on once),
 * replacement of what the API cannot update, a rate limit on MCP tools
 * (`target`, fixed at creation; unit `rpw`), drift repaired, out-of-band
 * delete, bad input at preview. Native: a change as the CLI's diff shows it,
 * and `pulumi import` of policies made by hand, then a clean preview.
 */
import type { RateLimitsPolicyArgs, UsageLimitsPolicyArgs } from "../../sdk/portkey";
import { ADMIN_KEY, call } from "../support/emulator";
import { OperationReport, PreviewReport, resourceSuite, SuiteContext } from "./harness";
import { recordPolicyUsage } from "../../emulator/portkey/policies";
import type { RateLimitsPolicyRecord, UsageLimitsPolicyRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const USAGE_ROUTE = "/policies/usage-limits/{policyUsageLimitsId}";
const RATE_ROUTE = "/policies/rate-limits/{rateLimitsPolicyId}";
const RESET_ROUTE = "PUT /policies/usage-limits/{policyUsageLimitsId}/entities/{entityId}/reset";

/** What the program declares: one policy of each kind. */
interface Policies {
  usage: UsageLimitsPolicyArgs;
  rate: RateLimitsPolicyArgs;
}
interface Fixtures {
  ws: { id: string; slug: string };
}
type Ctx = SuiteContext<Policies, Fixtures>;

function activeUsage({ emulator }: Ctx): UsageLimitsPolicyRecord[] {
  return Object.values(emulator.state().usage_limits_policies ?? {}).filter((p) => p.status === "active");
}

function activeRate({ emulator }: Ctx): RateLimitsPolicyRecord[] {
  return Object.values(emulator.state().rate_limits_policies ?? {}).filter((p) => p.status === "active");
}

/** Bodies of the requests to `route` since the test's window began. */
function bodies(ctx: Ctx, route: string): unknown[] {
  return ctx.requests(route).map((r) => r.body);
}

/** The type token of the rate limits policy in the context's form. */
const rateType = (ctx: Ctx) => ctx.types[1];

/** The operations on declared resources, one per resource (a replacement's create and delete steps left out), sorted. */
function ops(ctx: Ctx, report: PreviewReport | OperationReport): string[] {
  return ctx
    .ops(report, true)
    .filter((op) => !op.startsWith("create-replacement ") && !op.startsWith("delete-replaced "))
    .sort();
}

/** `op` of each policy, sorted as {@link ops} sorts them. */
const eachPolicy = (ctx: Ctx, op: string) => ctx.types.map((t) => `${op} ${t}`).sort();

/** The base with every updatable field changed. */
function changed(ctx: Ctx): Policies {
  const { usage, rate } = ctx.base();
  return {
    usage: { ...usage, name: "Per key v2", creditLimit: 250, alertThreshold: 200, periodicReset: "weekly", conditions: [{ key: "metadata.team", value: "ml" }] },
    rate: { ...rate, name: "per hour", unit: "rph", value: 3600, conditions: [{ key: "api_key", value: "key-1" }] },
  };
}

/** What is declared now (or the base), with a rate limit on MCP tools per week: `target` and unit `rpw`. */
function onMcpTools(ctx: Ctx, unit: RateLimitsPolicyArgs["unit"] = "rpw"): Policies {
  const { usage } = ctx.desired ?? ctx.base();
  const { rate } = ctx.base();
  return { usage, rate: { ...rate, conditions: [{ key: "workspace_id", value: "*" }], groupBy: ["mcp_tool"], target: "mcp_tools", unit, value: 1000 } };
}

/** The rate limits policy as the API reads it back, by the id in the state. */
async function heldRate(ctx: Ctx): Promise<{ id: string; target: string; unit: string; value: number }> {
  const id = (await ctx.engine.exportState()).resource(rateType(ctx), "rpm")!.id!;
  return (await call(ctx.emulator, "GET", `/policies/rate-limits/${id}`)).body;
}

/** {@link changed} with the optional fields removed. */
function cleared(ctx: Ctx): Policies {
  const { usage, rate } = changed(ctx);
  const { name: _usageName, alertThreshold: _alert, periodicReset: _reset, ...usageLeft } = usage;
  const { name: _rateName, ...rateLeft } = rate;
  return { usage: usageLeft, rate: rateLeft };
}

resourceSuite<Policies, Fixtures>({
  vendor: "portkey",
  resource: "UsageLimitsPolicy",
  together: ["RateLimitsPolicy"],
  name: "budget",
  setup: async (emulator) => ({ ws: (await call(emulator, "POST", "/admin/workspaces", { name: "Policies" })).body }),
  // The usage policy's workspace by slug, the rate one's by UUID. Each form creates a usage policy of another type.
  base: ({ ws }, form) => ({
    usage: {
      workspaceId: ws.slug,
      name: "Per key",
      conditions: [{ key: "workspace_id", value: ws.id }],
      groupBy: ["api_key"],
      type: form === "native" ? "tokens" : "cost",
      creditLimit: 100,
      alertThreshold: 80,
      periodicReset: "monthly",
      resetUsage: { "api_key:alice": "first" },
    },
    rate: { workspaceId: ws.id, name: "60 rpm", conditions: [{ key: "workspace_id", value: ws.id }], groupBy: ["metadata.user_id"], type: "requests", unit: "rpm", value: 60 },
  }),
  declare: (sdk, name, { usage, rate }) => ({
    usageId: new sdk.portkey.UsageLimitsPolicy(name, usage).policyId,
    rateId: new sdk.portkey.RateLimitsPolicy("rpm", rate).policyId,
  }),
  steps: { native: ["create", "destroy"] },

  // A declared reset does nothing at create.
  created: async (ctx, result) => {
    const { ws } = ctx.fixtures;
    const type = ctx.desired!.usage.type;
    expect(activeUsage(ctx).map((p) => p.type)).toEqual([type]);
    const [budget] = activeUsage(ctx);
    expect(budget).toMatchObject({ name: "Per key", workspace_id: ws.id, type, credit_limit: 100, alert_threshold: 80, periodic_reset: "monthly", group_by: [{ key: "api_key" }] });
    expect(result.outputs.usageId.value).toBe(budget.id);
    expect(activeRate(ctx)[0]).toMatchObject({ name: "60 rpm", unit: "rpm", value: 60, type: "requests", group_by: [{ key: "metadata.user_id" }] });
    // Only what was declared, the workspace as its UUID; the trigger is never sent and no reset is asked for.
    expect(bodies(ctx, "POST /policies/usage-limits")).toEqual([
      { workspace_id: ws.id, name: "Per key", conditions: [{ key: "workspace_id", value: ws.id }], group_by: [{ key: "api_key" }], type, credit_limit: 100, alert_threshold: 80, periodic_reset: "monthly" },
    ]);
    expect(bodies(ctx, RESET_ROUTE)).toEqual([]);
    const stored = (await ctx.engine.exportState()).resource(ctx.type, "budget")!;
    expect(stored.outputs).toMatchObject({ workspaceId: ws.slug, resolvedWorkspaceId: ws.id, workspaceSlug: ws.slug, status: "active", nextUsageResetAt: expect.any(String) });
  },
  // The admin key is nowhere in the stored state, the backend's files or the engine's output.
  secrets: () => [ADMIN_KEY],

  // From a usage policy without periodicReset, so the repair clears what the edit set.
  drift: {
    updated: ["UsageLimitsPolicy", "RateLimitsPolicy"],
    given: (ctx) => {
      const declared = ctx.desired ?? ctx.base();
      const { periodicReset: _reset, ...usage } = declared.usage;
      return { ...declared, usage };
    },
    edit: async (ctx) => {
      await call(ctx.emulator, "PUT", `/policies/usage-limits/${activeUsage(ctx)[0].id}`, { credit_limit: 999, periodic_reset: "monthly" });
      await call(ctx.emulator, "PUT", `/policies/rate-limits/${activeRate(ctx)[0].id}`, { value: 7 });
    },
    inState: { creditLimit: 999, periodicReset: "monthly" },
    refreshed: async (ctx) => {
      expect((await ctx.engine.exportState()).resource(rateType(ctx), "rpm")!.outputs).toMatchObject({ value: 7 });
    },
    repaired: (ctx) => {
      expect(activeUsage(ctx)[0]).toMatchObject({ credit_limit: ctx.desired!.usage.creditLimit, periodic_reset: null });
      expect(activeRate(ctx)[0].value).toBe(ctx.desired!.rate.value);
    },
  },

  deleted: {
    delete: async (ctx) => {
      const old = [activeUsage(ctx)[0].id, activeRate(ctx)[0].id];
      await call(ctx.emulator, "DELETE", `/policies/usage-limits/${old[0]}`);
      await call(ctx.emulator, "DELETE", `/policies/rate-limits/${old[1]}`);
      return old;
    },
    recreated: (ctx, old) => {
      expect(activeUsage(ctx)).toHaveLength(1);
      expect(activeRate(ctx)).toHaveLength(1);
      expect([activeUsage(ctx)[0].id, activeRate(ctx)[0].id]).not.toContain((old as string[])[0]);
    },
  },

  badInput: ({ usage, rate }) => {
    const usageCases: [UsageLimitsPolicyArgs, RegExp][] = [
      [{ ...usage, conditions: [] }, /conditions.*at least one condition/],
      [{ ...usage, groupBy: [] }, /groupBy.*at least one key/],
      [{ ...usage, groupBy: ["api_key", "api_key"] }, /groupBy.*twice/],
      [{ ...usage, conditions: [{ key: "colour", value: "red" }] }, /conditions.*key.*must be one of/],
      [{ ...usage, conditions: [{ key: "api_key", value: "" }] }, /conditions.*value.*must not be empty/],
      [{ ...usage, type: "requests" as UsageLimitsPolicyArgs["type"] }, /type/],
      [{ ...usage, creditLimit: -5 }, /creditLimit.*0 or more/],
      [{ ...usage, alertThreshold: -1 }, /alertThreshold.*0 or more/],
      [{ ...usage, alertThreshold: 250 }, /alertThreshold.*less than creditLimit/],
      [{ ...usage, periodicReset: "daily" as UsageLimitsPolicyArgs["periodicReset"] }, /periodicReset/],
      [{ ...usage, workspaceId: "" }, /workspaceId.*must not be empty/],
      [{ ...usage, name: "n".repeat(256) }, /name.*at most 255/],
    ];
    const rateCases: [RateLimitsPolicyArgs, RegExp][] = [
      [{ ...rate, unit: "rps" as RateLimitsPolicyArgs["unit"] }, /unit/],
      [{ ...rate, value: 0 }, /value.*at least 1/],
      [{ ...rate, value: 1.5 }, /value.*whole number/],
      [{ ...rate, type: "cost" as RateLimitsPolicyArgs["type"] }, /type/],
      [
        { ...rate, target: "mcp_tools", conditions: [{ key: "model", value: "gpt-4o" }] },
        /conditions\[0\]\.key: an mcp_tools policy takes only api_key, workspace_id, mcp_server, mcp_tool or metadata/,
      ],
    ];
    return [...usageCases.map(([bad, message]): [Policies, RegExp] => [{ usage: bad, rate }, message]), ...rateCases.map(([bad, message]): [Policies, RegExp] => [{ usage, rate: bad }, message])];
  },

  // Destroy archives both policies.
  destroyed: (ctx) => {
    expect(activeUsage(ctx)).toEqual([]);
    expect(activeRate(ctx)).toEqual([]);
  },

  tests: [
    {
      title: "every updatable field changes in place, sending only what changed",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const ids = [activeUsage(ctx)[0].id, activeRate(ctx)[0].id];
        ctx.declare(changed(ctx));
        const preview = await ctx.preview();
        expect(ops(ctx, preview)).toEqual(eachPolicy(ctx, "update"));
        await ctx.up();
        expect(bodies(ctx, `PUT ${USAGE_ROUTE}`)).toEqual([
          { name: "Per key v2", conditions: [{ key: "metadata.team", value: "ml" }], credit_limit: 250, alert_threshold: 200, periodic_reset: "weekly" },
        ]);
        expect(bodies(ctx, `PUT ${RATE_ROUTE}`)).toEqual([{ name: "per hour", conditions: [{ key: "api_key", value: "key-1" }], unit: "rph", value: 3600 }]);
        expect([activeUsage(ctx)[0].id, activeRate(ctx)[0].id]).toEqual(ids);
        expect(activeUsage(ctx)[0]).toMatchObject({ name: "Per key v2", credit_limit: 250, alert_threshold: 200, periodic_reset: "weekly" });
        expect(activeRate(ctx)[0]).toMatchObject({ name: "per hour", unit: "rph", value: 3600 });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "removing the optional fields clears them",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(changed(ctx));
        ctx.declare(cleared(ctx));
        await ctx.up();
        expect(bodies(ctx, `PUT ${USAGE_ROUTE}`)).toEqual([{ name: "", alert_threshold: null, periodic_reset: null }]);
        expect(bodies(ctx, `PUT ${RATE_ROUTE}`)).toEqual([{ name: "" }]);
        expect(activeUsage(ctx)[0]).toMatchObject({ name: "", alert_threshold: null, periodic_reset: null, next_usage_reset_at: null });
        const stored = (await ctx.engine.exportState()).resource(ctx.type, "budget")!;
        expect(stored.outputs?.name).toBeUndefined();
        expect(stored.outputs?.alertThreshold).toBeUndefined();
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "changing a resetUsage entry shows in preview and resets that entity's usage once, by value key or entity id",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(cleared(ctx));
        const { emulator } = ctx;
        const policyId = activeUsage(ctx)[0].id;
        const alice = recordPolicyUsage(emulator.state(), policyId, "api_key:alice", 300);
        const bob = recordPolicyUsage(emulator.state(), policyId, "api_key:bob", 40);
        expect(alice.status).toBe("exhausted");
        const withReset = (resetUsage: Record<string, string | number>): Policies => ({ ...ctx.desired!, usage: { ...ctx.desired!.usage, resetUsage } });
        ctx.declare(withReset({ "api_key:alice": "second", [bob.id]: 1 }));
        const preview = await ctx.preview();
        expect(ops(ctx, preview)).toEqual([`update ${ctx.type}`]);
        // The diff names the trigger entries that changed, and nothing else.
        expect(preview.diffText).toMatch(/~ resetUsage/);
        expect(preview.diffText).toMatch(/~ api_key:alice\s*: "first" => "second"/);
        expect(preview.diffText).toContain(`+ ${bob.id}: 1`);
        expect(preview.diffText).not.toMatch(/[~+-] (creditLimit|conditions|name|type|groupBy)/);
        // A preview acts on nothing.
        expect(emulator.state().usage_limits_policies![policyId].entities[alice.id].current_usage).toBe(300);
        ctx.markRequests();
        await ctx.up();
        const entities = emulator.state().usage_limits_policies![policyId].entities;
        expect([entities[alice.id].current_usage, entities[alice.id].status, entities[bob.id].current_usage]).toEqual([0, "active", 0]);
        expect(ctx.requests(RESET_ROUTE).map((r) => r.path.split("/")[5]).sort()).toEqual([alice.id, bob.id].sort());
        // Nothing else was written: the policy itself did not change.
        expect(bodies(ctx, `PUT ${USAGE_ROUTE}`)).toEqual([]);
        await ctx.expectCleanPreview();

        // Only the entry whose value changed is reset again.
        recordPolicyUsage(emulator.state(), policyId, "api_key:alice", 10);
        recordPolicyUsage(emulator.state(), policyId, "api_key:bob", 10);
        ctx.declare(withReset({ "api_key:alice": "second", [bob.id]: 2 }));
        await ctx.up();
        const after = emulator.state().usage_limits_policies![policyId].entities;
        expect([after[alice.id].current_usage, after[bob.id].current_usage]).toEqual([10, 0]);

        // An entity with no usage counted: nothing to reset, a warning says so.
        ctx.declare(withReset({ "api_key:alice": "second", [bob.id]: 2, "api_key:nobody": "x" }));
        const warned = await ctx.up();
        expect(warned.stdout).toMatch(/resetUsage: .*counted nothing for 'api_key:nobody'/);
      },
    },
    {
      title: "what the API cannot update replaces the policy",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given("any");
        const oldUsage = activeUsage(ctx)[0].id;
        const oldRate = activeRate(ctx)[0].id;
        const { usage, rate } = ctx.desired!;
        ctx.declare({ usage: { ...usage, groupBy: ["api_key", "metadata.user_id"] }, rate: { ...rate, type: "tokens" } });
        const preview = await ctx.preview();
        expect(ops(ctx, preview)).toEqual(eachPolicy(ctx, "replace"));
        const result = await ctx.up();
        expect(result.changeSummary.replace).toBe(2);
        expect(activeUsage(ctx).map((p) => p.id)).not.toContain(oldUsage);
        expect(activeUsage(ctx)).toHaveLength(1);
        expect(activeUsage(ctx)[0].group_by).toEqual([{ key: "api_key" }, { key: "metadata.user_id" }]);
        expect(activeRate(ctx).map((p) => [p.id === oldRate, p.type])).toEqual([[false, "tokens"]]);
        // The new policy's create reset nothing, although resetUsage is declared.
        expect(ctx.requests(RESET_ROUTE)).toEqual([]);
        expect(ctx.emulator.state().usage_limits_policies![oldUsage].status).toBe("archived");
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a rate limit on MCP tools is made with target mcp_tools and unit rpw; the unit then changes in place, sending only it",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(onMcpTools(ctx));
        expect(await heldRate(ctx)).toMatchObject({ target: "mcp_tools", unit: "rpw", value: 1000 });
        await ctx.expectCleanPreview();
        ctx.markRequests();
        ctx.declare(onMcpTools(ctx, "rpd"));
        const result = await ctx.up();
        expect(ops(ctx, result)).toEqual([`update ${rateType(ctx)}`]);
        expect(bodies(ctx, `PUT ${RATE_ROUTE}`)).toEqual([{ unit: "rpd" }]);
        expect((await heldRate(ctx)).unit).toBe("rpd");
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "changing the target replaces the rate limit; leaving it unset is llm, Portkey's default",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(onMcpTools(ctx, "rpd"));
        const before = (await heldRate(ctx)).id;
        const { usage, rate } = onMcpTools(ctx, "rpd");
        const { target: _target, ...llm } = rate;
        ctx.declare({ usage, rate: llm });
        const result = await ctx.up();
        expect(ops(ctx, result)).toEqual([`replace ${rateType(ctx)}`]);
        const after = await heldRate(ctx);
        expect(after.id).not.toBe(before);
        expect(after).toMatchObject({ target: "llm" });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "the rate limit changes in place, as the CLI's diff shows it",
      forms: ["native"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const { usage, rate } = ctx.base();
        ctx.declare({ usage, rate: { ...rate, value: 120 } });
        const preview = await ctx.preview();
        expect(ops(ctx, preview)).toEqual([`update ${rateType(ctx)}`]);
        expect(preview.diffText).toMatch(/~ value\s*:\s*60 => 120/);
        await ctx.up();
        expect(activeRate(ctx)[0].value).toBe(120);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pulumi import takes policies made by hand under management; the program declaring them previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { emulator, fixtures: { ws } } = ctx;
        await ctx.given("nothing");
        const budget = (
          await call(emulator, "POST", "/policies/usage-limits", {
            name: "by hand",
            conditions: [{ key: "workspace_id", value: ws.id }],
            group_by: [{ key: "metadata.user_id" }],
            type: "cost",
            credit_limit: 50,
            alert_threshold: 40,
            periodic_reset: "weekly",
            workspace_id: ws.id,
          })
        ).body as { id: string };
        const limit = (
          await call(emulator, "POST", "/policies/rate-limits", { conditions: [{ key: "api_key", value: "k" }], group_by: [{ key: "api_key" }], type: "tokens", unit: "rpd", value: 5000, workspace_id: ws.id })
        ).body as { id: string };
        ctx.declare(undefined);
        await ctx.up();
        const imports = [
          { name: "byHand", id: budget.id },
          { type: rateType(ctx), name: "byHandRate", id: limit.id },
        ];
        const declared = (protect: boolean) => {
          new ctx.sdk.portkey.UsageLimitsPolicy(
            "byHand",
            { workspaceId: ws.id, name: "by hand", conditions: [{ key: "workspace_id", value: ws.id }], groupBy: ["metadata.user_id"], type: "cost", creditLimit: 50, alertThreshold: 40, periodicReset: "weekly" },
            { protect },
          );
          new ctx.sdk.portkey.RateLimitsPolicy(
            "byHandRate",
            { workspaceId: ws.id, conditions: [{ key: "api_key", value: "k" }], groupBy: ["api_key"], type: "tokens", unit: "rpd", value: 5000 },
            { protect },
          );
        };
        await ctx.importAndRelease(imports, declared, (state) => expect(state.resource(ctx.type, "byHand")?.id).toBe(budget.id));
        expect([...activeUsage(ctx), ...activeRate(ctx)]).toEqual([]);
      },
    },
  ],
});
