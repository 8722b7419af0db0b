/**
 * OpenRouter WorkspaceMember and WorkspaceBudget through the real engine
 * against the emulator, one suite per resource, each in both forms (see
 * resourceSuite in ./harness.ts). The two are independent: each suite's setup
 * makes the workspace and the people it needs.
 *
 * WorkspaceMember. Both: create (one person per request, the role read from
 * the organisation), clean preview, destroy (people added by hand untouched).
 * Dynamic: a second person added by a request of their own, a changed
 * organisation role seen after refresh, out-of-band removal, a person outside
 * the organisation or already in the workspace refused at create, bad input.
 * Native: `pulumi import` by `<workspace slug>/<user id>`.
 * WorkspaceBudget. Both: create (widest first, the BYOK flag with the first),
 * clean preview, destroy (budgets set elsewhere untouched). Dynamic: limits and
 * the flag updated in place, the flag undeclared (left alone), limits raised,
 * lowered and added in one update in a valid order, a budget set by hand
 * (refused until refreshed, then removed), drift repaired, one budget or all
 * removed out of band, budgets set elsewhere refused at create, bad input (the
 * ordering rule). Native: an update in place, `pulumi import` by workspace slug.
 * The management key is never in plaintext anywhere.
 */
import type { WorkspaceBudgetArgs, WorkspaceMemberArgs } from "../../sdk/openrouter";
import type { RunningEmulator } from "../../emulator";
import { ADMIN_KEY, callOpenRouter } from "../support/emulator";
import { seedOrganizationMembers } from "../support/openrouter-members";
import { resourceSuite, SuiteContext } from "./harness";

jest.setTimeout(10 * 60_000);

/** The emulator's OpenRouter API (the admin key is also its management key). */
const api = (emulator: RunningEmulator, method: string, route: string, body?: unknown) => callOpenRouter(emulator, method, route, body);

interface Fixtures {
  ws: { id: string; slug: string };
  /** Another workspace, with a lifetime budget of $5000 set by hand. */
  other: { id: string; slug: string };
}

/** Two workspaces and three people of the organisation (Ada an admin); Cy added to the first by hand. */
async function setup(emulator: RunningEmulator): Promise<Fixtures> {
  const ws = (await api(emulator, "POST", "/workspaces", { name: "Team", slug: "team" })).body.data;
  const other = (await api(emulator, "POST", "/workspaces", { name: "Other", slug: "other" })).body.data;
  await seedOrganizationMembers(emulator, [
    { id: "user_ada", email: "ada@example.com", role: "org:admin" },
    { id: "user_bob", email: "bob@example.com" },
    { id: "user_cy", email: "cy@example.com" },
  ]);
  await api(emulator, "POST", `/workspaces/${ws.id}/members/add`, { user_ids: ["user_cy"] });
  expect((await api(emulator, "PUT", `/workspaces/${other.id}/budgets/lifetime`, { limit_usd: 5000 })).status).toBe(200);
  return { ws, other };
}

async function remoteMembers(emulator: RunningEmulator, workspace: string): Promise<[string, string][]> {
  const members: { user_id: string; role: string }[] = (await api(emulator, "GET", `/workspaces/${workspace}/members`)).body.data;
  return members.map((m): [string, string] => [m.user_id, m.role]).sort();
}
function remoteBudgets(emulator: RunningEmulator, workspace: string): Record<string, number> {
  const all = emulator.openrouterState().workspace_budgets ?? {};
  return Object.fromEntries(Object.values(all).filter((b) => b.workspace_id === workspace).map((b) => [b.interval, b.limit_usd]));
}
function byokFlag(emulator: RunningEmulator, workspace: string): boolean | undefined {
  return emulator.openrouterState().workspaces[workspace].include_byok_in_budgets;
}

// ---------------------------------------------------------------------------
// WorkspaceMember
// ---------------------------------------------------------------------------

type MemberCtx = SuiteContext<WorkspaceMemberArgs, Fixtures>;
const ADD_ROUTE = "POST openrouter /workspaces/{id}/members/add";

resourceSuite<WorkspaceMemberArgs, Fixtures>({
  group: "WorkspaceMember",
  vendor: "openrouter",
  resource: "WorkspaceMember",
  name: "ada",
  setup,
  base: ({ ws }) => ({ workspaceId: ws.id, userId: "user_ada" }),
  declare: (sdk, name, args) => ({ role: new sdk.openrouter.WorkspaceMember(name, args).role }),
  steps: { native: ["create", "destroy"] },

  // The role is read from the organisation (Ada is an admin); one person per request: never a list that could replace others.
  created: async (ctx, result) => {
    const { ws } = ctx.fixtures;
    expect(await remoteMembers(ctx.emulator, ws.id)).toEqual([["user_ada", "admin"], ["user_cy", "member"]]);
    expect(result.outputs.role.value).toBe("admin");
    expect(ctx.requests(ADD_ROUTE).map((r) => r.body)).toEqual([{ user_ids: ["user_ada"] }]);
    expect((await ctx.engine.exportState()).resource(ctx.type, "ada")!.id).toBe(`${ws.id}/user_ada`);
  },
  secrets: () => [ADMIN_KEY],

  // Removed by hand: dropped from state on refresh, and up adds the person again.
  deleted: {
    delete: ({ emulator, fixtures, desired }) => api(emulator, "POST", `/workspaces/${fixtures.ws.id}/members/remove`, { user_ids: [desired!.userId] }),
    recreated: async ({ emulator, fixtures, desired }) => {
      expect((await remoteMembers(emulator, fixtures.ws.id)).map(([user]) => user)).toContain(desired!.userId);
    },
  },

  badInput: (valid) => [
    [{ ...valid, userId: "" }, /userId.*must not be empty/],
    [{ ...valid, userId: "ada@example.com" }, /userId.*not an email address/],
    [{ ...valid, workspaceId: "team" }, /workspaceId.*UUID/],
  ],

  // Only its own people: Cy, added by hand, stays.
  destroyed: async ({ emulator, fixtures }) => {
    expect((await remoteMembers(emulator, fixtures.ws.id)).map(([user]) => user)).toEqual(["user_cy"]);
  },

  tests: [
    {
      title: "a second person is added by a request of their own, with the organisation's role",
      forms: ["dynamic"],
      body: async (ctx: MemberCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given(ctx.base());
        const ada = ctx.desired!;
        ctx.setProgram(async () => {
          new ctx.sdk.openrouter.WorkspaceMember("ada", ada);
          return { bobRole: new ctx.sdk.openrouter.WorkspaceMember("bob", { workspaceId: ws.id, userId: "user_bob" }).role };
        });
        const result = await ctx.up();
        expect(ctx.ops(result)).toEqual(["create"]);
        expect(result.outputs.bobRole.value).toBe("member");
        expect(await remoteMembers(ctx.emulator, ws.id)).toEqual([["user_ada", "admin"], ["user_bob", "member"], ["user_cy", "member"]]);
        expect(ctx.requests(ADD_ROUTE).map((r) => r.body)).toEqual([{ user_ids: ["user_bob"] }]);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a changed organisation role shows after refresh, as an output: no change to make",
      forms: ["dynamic"],
      body: async (ctx: MemberCtx) => {
        await ctx.given(ctx.base());
        await seedOrganizationMembers(ctx.emulator, [{ id: "user_ada", email: "ada@example.com", role: "org:member" }]);
        try {
          await ctx.refresh();
          expect((await ctx.engine.exportState()).resource(ctx.type, "ada")!.outputs!.role).toBe("member");
          await ctx.expectCleanPreview();
        } finally {
          await seedOrganizationMembers(ctx.emulator, [{ id: "user_ada", email: "ada@example.com", role: "org:admin" }]);
        }
      },
    },
    {
      title: "a person outside the organisation, or already in the workspace, is refused at create, saying what to do",
      forms: ["dynamic"],
      body: async (ctx: MemberCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given("any");
        const valid = ctx.desired!;
        const withAlso = (userId: string) => async () => {
          new ctx.sdk.openrouter.WorkspaceMember("ada", valid);
          new ctx.sdk.openrouter.WorkspaceMember("also", { workspaceId: ws.id, userId });
          return {};
        };
        ctx.setProgram(withAlso("user_nobody"));
        await expect(ctx.up()).rejects.toThrow(/userId: 'user_nobody' is not a member of the OpenRouter organisation.*Invite/s);
        // Cy was added by hand: declaring her does not take her over.
        ctx.setProgram(withAlso("user_cy"));
        await expect(ctx.up()).rejects.toThrow(new RegExp(`already a member of workspace .*import it with the id '${ws.id}/user_cy'`, "s"));
        ctx.declare(valid);
        expect(ctx.requests(ADD_ROUTE).filter((r) => JSON.stringify(r.body).includes("user_nobody"))).toEqual([]);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pulumi import takes a membership made by hand by <workspace slug>/<user id>; the program declaring it previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: MemberCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given("nothing");
        await api(ctx.emulator, "POST", `/workspaces/${ws.id}/members/add`, { user_ids: ["user_ada"] });
        await ctx.importAndRelease(
          [{ name: "ada", id: `${ws.slug}/user_ada` }],
          (protect) => new ctx.sdk.openrouter.WorkspaceMember("ada", { workspaceId: ws.id, userId: "user_ada" }, { protect }),
          (state) => expect(state.resource(ctx.type, "ada")?.outputs).toMatchObject({ workspaceId: ws.id, userId: "user_ada", role: "admin" }),
        );
        expect((await remoteMembers(ctx.emulator, ws.id)).map(([user]) => user)).toEqual(["user_cy"]);
      },
    },
  ],
});

// ---------------------------------------------------------------------------
// WorkspaceBudget
// ---------------------------------------------------------------------------

type BudgetCtx = SuiteContext<WorkspaceBudgetArgs, Fixtures>;
const PUT_ROUTE = "PUT openrouter /workspaces/{id}/budgets/{interval}";
const DELETE_ROUTE = "DELETE openrouter /workspaces/{id}/budgets/{interval}";

/** The budget writes of this test so far, in the order sent. */
function budgetWrites(ctx: BudgetCtx): string[] {
  return ctx
    .requests()
    .filter((r) => r.route === PUT_ROUTE || r.route === DELETE_ROUTE)
    .map((r) => `${r.method} ${r.path.split("/").pop()}${r.body ? ` ${JSON.stringify(r.body)}` : ""}`);
}
/** The limits declared, by interval, as the emulator holds them. */
function declaredBudgets(args: WorkspaceBudgetArgs): Record<string, number> {
  const limits: Record<string, unknown> = { lifetime: args.lifetimeUsd, monthly: args.monthlyUsd, weekly: args.weeklyUsd, daily: args.dailyUsd };
  return Object.fromEntries(Object.entries(limits).filter(([, limit]) => limit !== undefined)) as Record<string, number>;
}

/** Where the flag test leaves the budgets: raised, the flag declared off. */
const FLAG_OFF = (workspaceId: string): WorkspaceBudgetArgs => ({ workspaceId, monthlyUsd: 200, dailyUsd: 20, includeByokInBudgets: false });
/** Where the ordering test leaves them: lowered, and a weekly one added. */
const LOWERED = (workspaceId: string): WorkspaceBudgetArgs => ({ workspaceId, monthlyUsd: 120, weeklyUsd: 90, dailyUsd: 60, includeByokInBudgets: false });

resourceSuite<WorkspaceBudgetArgs, Fixtures>({
  group: "WorkspaceBudget",
  vendor: "openrouter",
  resource: "WorkspaceBudget",
  name: "team",
  setup,
  base: ({ ws }) => ({ workspaceId: ws.id, monthlyUsd: 100, dailyUsd: 10, includeByokInBudgets: true }),
  declare: (sdk, name, args) => ({ budgetIds: new sdk.openrouter.WorkspaceBudget(name, args).budgetIds }),
  steps: { native: ["create", "destroy"] },

  // Widest first, the flag with the first.
  created: async (ctx, result) => {
    const { ws } = ctx.fixtures;
    expect(remoteBudgets(ctx.emulator, ws.id)).toEqual({ monthly: 100, daily: 10 });
    expect(byokFlag(ctx.emulator, ws.id)).toBe(true);
    expect(budgetWrites(ctx)).toEqual(['PUT monthly {"limit_usd":100,"include_byok_in_budgets":true}', 'PUT daily {"limit_usd":10}']);
    expect((await ctx.engine.exportState()).resource(ctx.type, "team")!.id).toBe(ws.id);
    expect(Object.keys(result.outputs.budgetIds.value as object).sort()).toEqual(["daily", "monthly"]);
  },
  secrets: () => [ADMIN_KEY],

  drift: {
    edit: async ({ emulator, fixtures }) => {
      await api(emulator, "PUT", `/workspaces/${fixtures.ws.id}/budgets/monthly`, { limit_usd: 999 });
    },
    inState: { monthlyUsd: 999 },
    diffText: /monthlyUsd/,
    repaired: ({ emulator, fixtures, desired }) => {
      expect(remoteBudgets(emulator, fixtures.ws.id).monthly).toBe(desired!.monthlyUsd);
    },
  },

  // All of them removed by hand: dropped from state on refresh, and up sets them again.
  deleted: {
    delete: async ({ emulator, fixtures }) => {
      for (const interval of Object.keys(remoteBudgets(emulator, fixtures.ws.id))) await api(emulator, "DELETE", `/workspaces/${fixtures.ws.id}/budgets/${interval}`);
    },
    recreated: async (ctx) => {
      expect(remoteBudgets(ctx.emulator, ctx.fixtures.ws.id)).toEqual(declaredBudgets(ctx.desired!));
      await ctx.expectCleanPreview();
    },
  },

  badInput: ({ workspaceId }) => [
    [{ workspaceId, monthlyUsd: 0 }, /monthlyUsd.*greater than 0/],
    [{ workspaceId, monthlyUsd: 100, dailyUsd: 100 }, /dailyUsd.*must be less than monthlyUsd \(\$100\).*strictly decrease/],
    [{ workspaceId, lifetimeUsd: 50, weeklyUsd: 80 }, /weeklyUsd.*must be less than lifetimeUsd \(\$50\)/],
    [{ workspaceId }, /declare at least one of lifetimeUsd, monthlyUsd, weeklyUsd and dailyUsd/],
    [{ workspaceId, monthlyUsd: 10, hourlyUsd: 1 } as WorkspaceBudgetArgs, /hourlyUsd/],
  ],

  // Only its own budgets: the other workspace's, set by hand, stay.
  destroyed: ({ emulator, fixtures }) => {
    expect(remoteBudgets(emulator, fixtures.ws.id)).toEqual({});
    expect(remoteBudgets(emulator, fixtures.other.id)).toEqual({ lifetime: 5000 });
  },

  tests: [
    {
      title: "limits and the BYOK flag change in place; undeclaring the flag leaves it alone",
      forms: ["dynamic"],
      body: async (ctx: BudgetCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given(ctx.base());
        ctx.declare(FLAG_OFF(ws.id));
        expect(ctx.ops(await ctx.preview())).toEqual(["update"]);
        await ctx.up();
        expect(remoteBudgets(ctx.emulator, ws.id)).toEqual({ monthly: 200, daily: 20 });
        expect(byokFlag(ctx.emulator, ws.id)).toBe(false);
        expect(budgetWrites(ctx)).toEqual(['PUT monthly {"limit_usd":200,"include_byok_in_budgets":false}', 'PUT daily {"limit_usd":20}']);
        await ctx.expectCleanPreview();

        // The flag is one setting of the whole workspace: undeclared, it is no longer managed, and not reset.
        await api(ctx.emulator, "PUT", `/workspaces/${ws.id}/budgets/monthly`, { limit_usd: 200, include_byok_in_budgets: true });
        ctx.declare({ workspaceId: ws.id, monthlyUsd: 200, dailyUsd: 20 });
        await ctx.expectCleanPreview();
        await ctx.up();
        expect(byokFlag(ctx.emulator, ws.id)).toBe(true);
        // A refresh reads the server's value as an output; undeclared, it is still no change.
        await ctx.refresh();
        expect((await ctx.engine.exportState()).resource(ctx.type, "team")!.outputs!.includeByokInBudgets).toBe(true);
        await ctx.expectCleanPreview();

        // Declared again with only the flag changing: one PUT of an unchanged limit carries it.
        ctx.markRequests();
        ctx.declare(FLAG_OFF(ws.id));
        await ctx.up();
        expect(budgetWrites(ctx)).toEqual(['PUT monthly {"limit_usd":200,"include_byok_in_budgets":false}']);
        expect(byokFlag(ctx.emulator, ws.id)).toBe(false);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "limits raised, lowered and added in one update go out in an order where every step is valid",
      forms: ["dynamic"],
      body: async (ctx: BudgetCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given(FLAG_OFF(ws.id));
        // Raised: widest first (daily 150 is only valid once monthly is 400).
        ctx.declare({ ...FLAG_OFF(ws.id), monthlyUsd: 400, dailyUsd: 150 });
        await ctx.up();
        expect(budgetWrites(ctx)).toEqual(['PUT monthly {"limit_usd":400}', 'PUT daily {"limit_usd":150}']);
        expect(remoteBudgets(ctx.emulator, ws.id)).toEqual({ monthly: 400, daily: 150 });
        // Lowered: narrowest first (monthly 120 is only valid once daily is 60); a new budget last.
        ctx.markRequests();
        ctx.declare(LOWERED(ws.id));
        await ctx.up();
        expect(budgetWrites(ctx)).toEqual(['PUT daily {"limit_usd":60}', 'PUT monthly {"limit_usd":120}', 'PUT weekly {"limit_usd":90}']);
        expect(remoteBudgets(ctx.emulator, ws.id)).toEqual({ monthly: 120, weekly: 90, daily: 60 });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a budget set by hand shows on refresh and the next update removes it; a refusal without refresh names the property",
      forms: ["dynamic"],
      body: async (ctx: BudgetCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given(LOWERED(ws.id));
        await api(ctx.emulator, "PUT", `/workspaces/${ws.id}/budgets/lifetime`, { limit_usd: 300 });
        ctx.declare({ ...LOWERED(ws.id), monthlyUsd: 500 });
        // The stack does not know the lifetime budget yet: OpenRouter refuses, and the message says what to do.
        await expect(ctx.up()).rejects.toThrow(/monthlyUsd: OpenRouter refused a monthly limit of \$500 .*strictly decrease.*pulumi refresh/s);
        expect(remoteBudgets(ctx.emulator, ws.id)).toEqual({ lifetime: 300, monthly: 120, weekly: 90, daily: 60 });
        await ctx.refresh();
        expect((await ctx.engine.exportState()).resource(ctx.type, "team")!.outputs!.lifetimeUsd).toBe(300);
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        expect(preview.diffText).toMatch(/lifetimeUsd/);
        ctx.markRequests();
        await ctx.up();
        expect(budgetWrites(ctx)).toEqual(["DELETE lifetime", 'PUT monthly {"limit_usd":500}']);
        ctx.declare(LOWERED(ws.id));
        await ctx.up();
        expect(remoteBudgets(ctx.emulator, ws.id)).toEqual({ monthly: 120, weekly: 90, daily: 60 });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "budgets set elsewhere are refused at create, saying what to do",
      forms: ["dynamic"],
      body: async (ctx: BudgetCtx) => {
        const { other } = ctx.fixtures;
        await ctx.given("any");
        const valid = ctx.desired!;
        ctx.setProgram(async () => {
          new ctx.sdk.openrouter.WorkspaceBudget("team", valid);
          new ctx.sdk.openrouter.WorkspaceBudget("other", { workspaceId: other.id, monthlyUsd: 100 });
          return {};
        });
        await expect(ctx.up()).rejects.toThrow(new RegExp(`already has budgets set outside this stack \\(lifetime \\$5000\\).*'${other.id}'`, "s"));
        expect(remoteBudgets(ctx.emulator, other.id)).toEqual({ lifetime: 5000 });
        ctx.declare(valid);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "one budget removed out of band is put back by the next up",
      forms: ["dynamic"],
      after: "drift",
      body: async (ctx: BudgetCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given("any");
        const intervals = Object.keys(declaredBudgets(ctx.desired!));
        expect(intervals.length).toBeGreaterThan(1);
        await api(ctx.emulator, "DELETE", `/workspaces/${ws.id}/budgets/${intervals[intervals.length - 1]}`);
        await ctx.refresh();
        expect(ctx.ops(await ctx.preview())).toEqual(["update"]);
        await ctx.up();
        expect(remoteBudgets(ctx.emulator, ws.id)).toEqual(declaredBudgets(ctx.desired!));
      },
    },
    {
      title: "a limit changes in place",
      forms: ["native"],
      body: async (ctx: BudgetCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given(ctx.base());
        ctx.declare({ ...ctx.base(), dailyUsd: 15 });
        expect(ctx.ops(await ctx.preview(), true)).toEqual([`update ${ctx.type}`]);
        await ctx.up();
        expect(remoteBudgets(ctx.emulator, ws.id)).toEqual({ monthly: 100, daily: 15 });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pulumi import takes budgets set by hand by the workspace's slug; the program declaring them previews clean, the flag left alone",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: BudgetCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given("nothing");
        await api(ctx.emulator, "PUT", `/workspaces/${ws.id}/budgets/lifetime`, { limit_usd: 1000, include_byok_in_budgets: true });
        await ctx.importAndRelease(
          [{ name: "budgets", id: ws.slug }],
          (protect) => new ctx.sdk.openrouter.WorkspaceBudget("budgets", { workspaceId: ws.id, lifetimeUsd: 1000 }, { protect }),
          (state) => expect(state.resource(ctx.type, "budgets")?.outputs).toMatchObject({ workspaceId: ws.id, lifetimeUsd: 1000, includeByokInBudgets: true }),
        );
        expect(remoteBudgets(ctx.emulator, ws.id)).toEqual({});
        // Undeclared, the workspace-wide flag was left as it was.
        expect(byokFlag(ctx.emulator, ws.id)).toBe(true);
      },
    },
  ],
});
