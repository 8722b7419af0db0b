/**
 * OpenRouter WorkspaceMember and WorkspaceBudget through the real engine
 * against the emulator. Dynamic form: create, clean preview, limits and the
 * BYOK flag updated in place, the flag undeclared (left alone), limits raised,
 * lowered and added in one update in a valid order, a budget set by hand
 * (refused until refreshed, then removed), drift repaired (limit) and seen
 * (role), out-of-band deletes, a person outside the organisation and budgets
 * set elsewhere refused at create, bad input (the ordering rule) at preview,
 * destroy (people added by hand untouched), no
 * credential in state. Native form (the provider plugins on PATH): create,
 * clean preview, and `pulumi import` of a membership and a budget made by
 * hand, then a clean preview.
 */
import * as path from "node:path";
import { openrouter } from "../../sdk";
import type { WorkspaceBudgetArgs, WorkspaceMemberArgs } from "../../sdk/openrouter";
import { openrouter as nativeOpenrouter } from "../../sdk/native";
import { RunningEmulator, startEmulator } from "../../emulator";
import { callOpenRouter } from "../support/emulator";
import { seedOrganizationMembers } from "../support/openrouter-members";
import { changedSteps, StepReport, useEngineStack } from "./harness";

jest.setTimeout(10 * 60_000);

const MANAGEMENT_KEY = "sk-or-mgmt-e2e-members-0123456789";
const MEMBER = "pulumi-nodejs:dynamic/openrouter:WorkspaceMember";
const BUDGET = "pulumi-nodejs:dynamic/openrouter:WorkspaceBudget";
const NATIVE_MEMBER = "openrouter:index:WorkspaceMember";
const NATIVE_BUDGET = "openrouter:index:WorkspaceBudget";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");

let emulator: RunningEmulator;
let ws: { id: string; slug: string };
let other: { id: string; slug: string };
let members: Record<string, WorkspaceMemberArgs> = {};
let budgets: Record<string, WorkspaceBudgetArgs> = {};
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

const api = (method: string, route: string, body?: unknown) => callOpenRouter(emulator, method, route, body, MANAGEMENT_KEY);

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: ["unused-portkey-key"], managementKeys: [MANAGEMENT_KEY] });
  ws = (await api("POST", "/workspaces", { name: "Team", slug: "team" })).body.data;
  other = (await api("POST", "/workspaces", { name: "Other", slug: "other" })).body.data;
  await seedOrganizationMembers(emulator, [
    { id: "user_ada", email: "ada@example.com", role: "org:admin" },
    { id: "user_bob", email: "bob@example.com" },
    { id: "user_cy", email: "cy@example.com" },
  ]);
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "openrouter:managementKey": { value: MANAGEMENT_KEY, secret: true },
  "openrouter:baseUrl": { value: emulator.openrouterBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "openrouter-members-budgets",
  program: async () => {
    const outputs: Record<string, unknown> = {};
    for (const [name, args] of Object.entries(members)) outputs[`${name}Role`] = new openrouter.WorkspaceMember(name, args).role;
    for (const [name, args] of Object.entries(budgets)) outputs[`${name}Ids`] = new openrouter.WorkspaceBudget(name, args).budgetIds;
    return outputs;
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "openrouter-members-budgets-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

/** Steps of resources the program declares (not the providers or the stack). */
function resourceSteps(steps: StepReport[]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}
function opsByName(steps: StepReport[]): Record<string, string> {
  return Object.fromEntries(resourceSteps(steps).map((s) => [s.urn.split("::").pop()!, s.op]));
}

async function remoteMembers(workspace = ws.id): Promise<{ user_id: string; role: string }[]> {
  return (await api("GET", `/workspaces/${workspace}/members`)).body.data;
}
function remoteBudgets(workspace = ws.id) {
  const all = emulator.openrouterState().workspace_budgets ?? {};
  return Object.fromEntries(Object.values(all).filter((b) => b.workspace_id === workspace).map((b) => [b.interval, b.limit_usd]));
}
function byokFlag(workspace = ws.id): boolean | undefined {
  return emulator.openrouterState().workspaces[workspace].include_byok_in_budgets;
}
async function expectClean(): Promise<void> {
  expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
}

describe("dynamic", () => {
  const putRoute = "PUT openrouter /workspaces/{id}/budgets/{interval}";
  const deleteRoute = "DELETE openrouter /workspaces/{id}/budgets/{interval}";
  /** The budget writes since the log was cleared, in the order sent. */
  function budgetWrites(): string[] {
    return emulator
      .requestLog()
      .filter((r) => r.route === putRoute || r.route === deleteRoute)
      .map((r) => `${r.method} ${r.path.split("/").pop()}${r.body ? ` ${JSON.stringify(r.body)}` : ""}`);
  }

  test("up adds each person and sets each budget; a second preview is clean", async () => {
    emulator.clearRequestLog();
    members = { ada: { workspaceId: ws.id, userId: "user_ada" }, bob: { workspaceId: ws.id, userId: "user_bob" } };
    budgets = { team: { workspaceId: ws.id, monthlyUsd: 100, dailyUsd: 10, includeByokInBudgets: true } };
    const result = await engine().up();
    expect(opsByName(result.steps)).toEqual({ ada: "create", bob: "create", team: "create" });
    expect((await remoteMembers()).map((m) => [m.user_id, m.role]).sort()).toEqual([["user_ada", "admin"], ["user_bob", "member"]]);
    expect(remoteBudgets()).toEqual({ monthly: 100, daily: 10 });
    expect(byokFlag()).toBe(true);
    expect(result.outputs.adaRole.value).toBe("admin");
    // One person per request: never a list that could replace others.
    const adds = emulator.requestLog().filter((r) => r.route === "POST openrouter /workspaces/{id}/members/add");
    expect(adds.map((r) => r.body).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([{ user_ids: ["user_ada"] }, { user_ids: ["user_bob"] }]);
    // Widest first, the flag with the first.
    expect(budgetWrites()).toEqual(['PUT monthly {"limit_usd":100,"include_byok_in_budgets":true}', 'PUT daily {"limit_usd":10}']);
    const state = await engine().exportState();
    expect(state.resource(MEMBER, "ada")!.id).toBe(`${ws.id}/user_ada`);
    expect(state.resource(BUDGET, "team")!.id).toBe(ws.id);
    expect(Object.keys(result.outputs.teamIds.value as object).sort()).toEqual(["daily", "monthly"]);
    await expectClean();
  });

  test("limits and the BYOK flag change in place; undeclaring the flag leaves it alone", async () => {
    emulator.clearRequestLog();
    budgets = { team: { ...budgets.team, monthlyUsd: 200, dailyUsd: 20, includeByokInBudgets: false } };
    const preview = await engine().preview();
    expect(opsByName(preview.steps)).toEqual({ team: "update" });
    await engine().up();
    expect(remoteBudgets()).toEqual({ monthly: 200, daily: 20 });
    expect(byokFlag()).toBe(false);
    expect(budgetWrites()).toEqual(['PUT monthly {"limit_usd":200,"include_byok_in_budgets":false}', 'PUT daily {"limit_usd":20}']);
    await expectClean();

    // The flag is one setting of the whole workspace: undeclared, it is no longer managed, and not reset.
    await api("PUT", `/workspaces/${ws.id}/budgets/monthly`, { limit_usd: 200, include_byok_in_budgets: true });
    budgets = { team: { workspaceId: ws.id, monthlyUsd: 200, dailyUsd: 20 } };
    await expectClean();
    await engine().up();
    expect(byokFlag()).toBe(true);
    // A refresh reads the server's value as an output; undeclared, it is still no change.
    await engine().refresh();
    expect((await engine().exportState()).resource(BUDGET, "team")!.outputs!.includeByokInBudgets).toBe(true);
    await expectClean();

    // Declared again with only the flag changing: one PUT of an unchanged limit carries it.
    emulator.clearRequestLog();
    budgets = { team: { ...budgets.team, includeByokInBudgets: false } };
    await engine().up();
    expect(budgetWrites()).toEqual(['PUT monthly {"limit_usd":200,"include_byok_in_budgets":false}']);
    expect(byokFlag()).toBe(false);
    await expectClean();
  });

  test("limits raised, lowered and added in one update go out in an order where every step is valid", async () => {
    // Raised: widest first (daily 150 is only valid once monthly is 400).
    emulator.clearRequestLog();
    budgets = { team: { ...budgets.team, monthlyUsd: 400, dailyUsd: 150 } };
    await engine().up();
    expect(budgetWrites()).toEqual(['PUT monthly {"limit_usd":400}', 'PUT daily {"limit_usd":150}']);
    expect(remoteBudgets()).toEqual({ monthly: 400, daily: 150 });
    // Lowered: narrowest first (monthly 120 is only valid once daily is 60); a new budget last.
    emulator.clearRequestLog();
    budgets = { team: { ...budgets.team, monthlyUsd: 120, weeklyUsd: 90, dailyUsd: 60 } };
    await engine().up();
    expect(budgetWrites()).toEqual(['PUT daily {"limit_usd":60}', 'PUT monthly {"limit_usd":120}', 'PUT weekly {"limit_usd":90}']);
    expect(remoteBudgets()).toEqual({ monthly: 120, weekly: 90, daily: 60 });
    await expectClean();
  });

  test("a budget set by hand shows on refresh and the next update removes it; a refusal without refresh names the property", async () => {
    await api("PUT", `/workspaces/${ws.id}/budgets/lifetime`, { limit_usd: 300 });
    const valid = budgets;
    budgets = { team: { ...valid.team, monthlyUsd: 500 } };
    try {
      // The stack does not know the lifetime budget yet: OpenRouter refuses, and the message says what to do.
      await expect(engine().up()).rejects.toThrow(/monthlyUsd: OpenRouter refused a monthly limit of \$500 .*strictly decrease.*pulumi refresh/s);
      expect(remoteBudgets()).toEqual({ lifetime: 300, monthly: 120, weekly: 90, daily: 60 });
      await engine().refresh();
      expect((await engine().exportState()).resource(BUDGET, "team")!.outputs!.lifetimeUsd).toBe(300);
      const preview = await engine().preview();
      expect(opsByName(preview.steps)).toEqual({ team: "update" });
      expect(preview.diffText).toMatch(/lifetimeUsd/);
      emulator.clearRequestLog();
      await engine().up();
      expect(budgetWrites()).toEqual(["DELETE lifetime", 'PUT monthly {"limit_usd":500}']);
    } finally {
      budgets = valid;
    }
    await engine().up();
    expect(remoteBudgets()).toEqual({ monthly: 120, weekly: 90, daily: 60 });
    await expectClean();
  });

  test("an out-of-band limit shows after refresh and up repairs it; a changed organisation role shows after refresh", async () => {
    await api("PUT", `/workspaces/${ws.id}/budgets/monthly`, { limit_usd: 999 });
    await seedOrganizationMembers(emulator, [{ id: "user_bob", email: "bob@example.com", role: "org:admin" }]);
    await engine().refresh();
    const state = await engine().exportState();
    expect(state.resource(BUDGET, "team")!.outputs!.monthlyUsd).toBe(999);
    expect(state.resource(MEMBER, "bob")!.outputs!.role).toBe("admin");
    const preview = await engine().preview();
    expect(opsByName(preview.steps)).toEqual({ team: "update" });
    expect(preview.diffText).toMatch(/monthlyUsd/);
    await engine().up();
    expect(remoteBudgets().monthly).toBe(120);
    await expectClean();
    await seedOrganizationMembers(emulator, [{ id: "user_bob", email: "bob@example.com", role: "org:member" }]);
  });

  test("out-of-band removals: one budget is put back; all budgets and a person gone drop from state on refresh and up recreates them", async () => {
    await api("DELETE", `/workspaces/${ws.id}/budgets/daily`);
    await engine().refresh();
    expect(opsByName((await engine().preview()).steps)).toEqual({ team: "update" });
    await engine().up();
    expect(remoteBudgets()).toEqual({ monthly: 120, weekly: 90, daily: 60 });

    await api("POST", `/workspaces/${ws.id}/members/remove`, { user_ids: ["user_ada"] });
    for (const interval of ["monthly", "weekly", "daily"]) await api("DELETE", `/workspaces/${ws.id}/budgets/${interval}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(2);
    const state = await engine().exportState();
    expect(state.resource(MEMBER, "ada")).toBeUndefined();
    expect(state.resource(BUDGET, "team")).toBeUndefined();
    const result = await engine().up();
    expect(opsByName(result.steps)).toEqual({ ada: "create", team: "create" });
    expect((await remoteMembers()).map((m) => m.user_id).sort()).toEqual(["user_ada", "user_bob"]);
    expect(remoteBudgets()).toEqual({ monthly: 120, weekly: 90, daily: 60 });
    await expectClean();
  });

  test("a person outside the organisation, or already in the workspace, and budgets set elsewhere are refused at create, saying what to do", async () => {
    const [validMembers, validBudgets] = [members, budgets];
    await api("POST", `/workspaces/${ws.id}/members/add`, { user_ids: ["user_cy"] });
    expect((await api("PUT", `/workspaces/${other.id}/budgets/lifetime`, { limit_usd: 5000 })).status).toBe(200);
    try {
      members = { ...validMembers, nobody: { workspaceId: ws.id, userId: "user_nobody" } };
      await expect(engine().up()).rejects.toThrow(/userId: 'user_nobody' is not a member of the OpenRouter organisation.*Invite/s);
      members = { ...validMembers, cy: { workspaceId: ws.id, userId: "user_cy" } };
      await expect(engine().up()).rejects.toThrow(new RegExp(`already a member of workspace .*import it with the id '${ws.id}/user_cy'`, "s"));
      members = validMembers;
      budgets = { ...validBudgets, other: { workspaceId: other.id, monthlyUsd: 100 } };
      await expect(engine().up()).rejects.toThrow(new RegExp(`already has budgets set outside this stack \\(lifetime \\$5000\\).*'${other.id}'`, "s"));
    } finally {
      [members, budgets] = [validMembers, validBudgets];
    }
    expect(remoteBudgets(other.id)).toEqual({ lifetime: 5000 });
    expect(emulator.requestLog().filter((r) => r.route === "POST openrouter /workspaces/{id}/members/add" && JSON.stringify(r.body).includes("user_nobody"))).toEqual([]);
    await expectClean();
  });

  test("invalid input fails at preview with a message naming the property, the ordering rule included", async () => {
    const [validMembers, validBudgets] = [members, budgets];
    const memberCases: [WorkspaceMemberArgs, RegExp][] = [
      [{ workspaceId: ws.id, userId: "" }, /userId.*must not be empty/],
      [{ workspaceId: ws.id, userId: "ada@example.com" }, /userId.*not an email address/],
      [{ workspaceId: "team", userId: "user_ada" }, /workspaceId.*UUID/],
    ];
    const budgetCases: [WorkspaceBudgetArgs, RegExp][] = [
      [{ workspaceId: ws.id, monthlyUsd: 0 }, /monthlyUsd.*greater than 0/],
      [{ workspaceId: ws.id, monthlyUsd: 100, dailyUsd: 100 }, /dailyUsd.*must be less than monthlyUsd \(\$100\).*strictly decrease/],
      [{ workspaceId: ws.id, lifetimeUsd: 50, weeklyUsd: 80 }, /weeklyUsd.*must be less than lifetimeUsd \(\$50\)/],
      [{ workspaceId: ws.id }, /declare at least one of lifetimeUsd, monthlyUsd, weeklyUsd and dailyUsd/],
      [{ workspaceId: ws.id, monthlyUsd: 10, hourlyUsd: 1 } as WorkspaceBudgetArgs, /hourlyUsd/],
    ];
    try {
      for (const [args, message] of memberCases) {
        members = { ...validMembers, ada: args };
        await expect(engine().preview()).rejects.toThrow(message);
      }
      members = validMembers;
      for (const [args, message] of budgetCases) {
        budgets = { team: args };
        await expect(engine().preview()).rejects.toThrow(message);
      }
    } finally {
      [members, budgets] = [validMembers, validBudgets];
    }
  });

  test("the management key never reaches the state", async () => {
    expect((await engine().exportState()).text).not.toContain(MANAGEMENT_KEY);
  });

  test("destroy removes its people and budgets only", async () => {
    const destroyed = await engine().destroy();
    expect(opsByName(destroyed.steps)).toEqual({ ada: "delete", bob: "delete", team: "delete" });
    expect((await remoteMembers()).map((m) => m.user_id)).toEqual(["user_cy"]);
    expect(remoteBudgets()).toEqual({});
    expect(remoteBudgets(other.id)).toEqual({ lifetime: 5000 });
    members = {};
    budgets = {};
  });
});

describe("native", () => {
  let nativeWs: { id: string; slug: string };
  beforeAll(async () => {
    nativeWs = (await api("POST", "/workspaces", { name: "Native", slug: "native-team" })).body.data;
  });

  test("create, clean preview, update in place, destroy", async () => {
    let limitUsd = 30;
    nativeProgram = async () => {
      const member = new nativeOpenrouter.WorkspaceMember("bob", { workspaceId: nativeWs.id, userId: "user_bob" });
      const budget = new nativeOpenrouter.WorkspaceBudget("budgets", { workspaceId: nativeWs.id, weeklyUsd: limitUsd });
      return { role: member.role, budgetIds: budget.budgetIds };
    };
    const created = await nativeEngine().up();
    expect(resourceSteps(created.steps).map((s) => `${s.op} ${s.type}`).sort()).toEqual([`create ${NATIVE_BUDGET}`, `create ${NATIVE_MEMBER}`]);
    expect(created.outputs.role.value).toBe("member");
    expect((await remoteMembers(nativeWs.id)).map((m) => m.user_id)).toEqual(["user_bob"]);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);

    limitUsd = 35;
    const preview = await nativeEngine().preview();
    expect(resourceSteps(preview.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`update ${NATIVE_BUDGET}`]);
    await nativeEngine().up();
    expect(remoteBudgets(nativeWs.id)).toEqual({ weekly: 35 });
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);

    await nativeEngine().destroy();
    expect(await remoteMembers(nativeWs.id)).toEqual([]);
    expect(remoteBudgets(nativeWs.id)).toEqual({});
  });

  test("pulumi import takes a membership and a budget made by hand (workspace by slug); the program declaring them previews clean", async () => {
    await api("POST", `/workspaces/${nativeWs.id}/members/add`, { user_ids: ["user_ada"] });
    await api("PUT", `/workspaces/${nativeWs.id}/budgets/lifetime`, { limit_usd: 1000, include_byok_in_budgets: true });
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({
      resources: [
        { type: NATIVE_MEMBER, name: "ada", id: `${nativeWs.slug}/user_ada` },
        { type: NATIVE_BUDGET, name: "budgets", id: nativeWs.slug },
      ],
      // Code generation needs the Go language host, which is not served here.
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 2 });
    const state = await nativeEngine().exportState();
    expect(state.resource(NATIVE_MEMBER, "ada")?.outputs).toMatchObject({ workspaceId: nativeWs.id, userId: "user_ada", role: "admin" });
    expect(state.resource(NATIVE_BUDGET, "budgets")?.outputs).toMatchObject({ workspaceId: nativeWs.id, lifetimeUsd: 1000, includeByokInBudgets: true });

    const declared = (protect: boolean) => async () => {
      new nativeOpenrouter.WorkspaceMember("ada", { workspaceId: nativeWs.id, userId: "user_ada" }, { protect });
      new nativeOpenrouter.WorkspaceBudget("budgets", { workspaceId: nativeWs.id, lifetimeUsd: 1000 }, { protect });
      return {};
    };
    nativeProgram = declared(true);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    nativeProgram = declared(false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(await remoteMembers(nativeWs.id)).toEqual([]);
    expect(remoteBudgets(nativeWs.id)).toEqual({});
    // Undeclared, the workspace-wide flag was left as it was.
    expect(byokFlag(nativeWs.id)).toBe(true);
  });
});
