/**
 * The Portkey UsageLimitsPolicy and RateLimitsPolicy resources through the
 * real engine against the emulator. Dynamic form: create (a declared usage
 * reset does nothing then), clean preview, every updatable field in place,
 * clearing, the per-entity usage reset trigger (shown by preview, acted on
 * once), replacement of what the API cannot update, drift repaired,
 * out-of-band delete, bad input at preview, no secret in state, destroy.
 * Native form (the provider plugin on PATH): create, clean preview, destroy,
 * and `pulumi import` of policies made by hand, then a clean preview.
 */
import * as path from "node:path";
import { portkey } from "../../sdk";
import type { RateLimitsPolicyArgs, UsageLimitsPolicyArgs } from "../../sdk/portkey";
import { portkey as nativePortkey } from "../../sdk/native";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";
import { recordPolicyUsage } from "../../emulator/portkey/policies";
import type { RateLimitsPolicyRecord, UsageLimitsPolicyRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const USAGE = "pulumi-nodejs:dynamic/portkey:UsageLimitsPolicy";
const RATE = "pulumi-nodejs:dynamic/portkey:RateLimitsPolicy";
const NATIVE_USAGE = "portkey:index:UsageLimitsPolicy";
const NATIVE_RATE = "portkey:index:RateLimitsPolicy";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");
const USAGE_ROUTE = "/policies/usage-limits/{policyUsageLimitsId}";
const RATE_ROUTE = "/policies/rate-limits/{rateLimitsPolicyId}";
const RESET_ROUTE = "PUT /policies/usage-limits/{policyUsageLimitsId}/entities/{entityId}/reset";

let emulator: RunningEmulator;
let ws: { id: string; slug: string };
let usage: UsageLimitsPolicyArgs | undefined;
let rate: RateLimitsPolicyArgs | undefined;
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
  ws = (await call(emulator, "POST", "/admin/workspaces", { name: "Policies" })).body;
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "portkey-policies",
  program: async () => {
    const outputs: Record<string, unknown> = {};
    if (usage) outputs.usageId = new portkey.UsageLimitsPolicy("budget", usage).policyId;
    if (rate) outputs.rateId = new portkey.RateLimitsPolicy("rpm", rate).policyId;
    return outputs;
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "portkey-policies-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

/** Steps of resources the program declares (not the providers or the stack). */
function resourceSteps(steps: Parameters<typeof changedSteps>[0]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

/** The operations on declared resources, one per resource (a replacement's create and delete steps left out). */
function ops(steps: Parameters<typeof changedSteps>[0]): string[] {
  return resourceSteps(steps)
    .filter((s) => s.op !== "create-replacement" && s.op !== "delete-replaced")
    .map((s) => `${s.op} ${s.type}`)
    .sort();
}

function activeUsage(): UsageLimitsPolicyRecord[] {
  return Object.values(emulator.state().usage_limits_policies ?? {}).filter((p) => p.status === "active");
}

function activeRate(): RateLimitsPolicyRecord[] {
  return Object.values(emulator.state().rate_limits_policies ?? {}).filter((p) => p.status === "active");
}

/** Bodies of the requests to `route` since `from` (an index into the request log). */
function bodiesSince(from: number, route: string): unknown[] {
  return emulator
    .requestLog()
    .slice(from)
    .filter((r) => r.route === route)
    .map((r) => r.body);
}

describe("dynamic", () => {
  test("up creates both policies (a declared reset does nothing at create); a second preview is clean", async () => {
    usage = {
      workspaceId: ws.slug,
      name: "Per key",
      conditions: [{ key: "workspace_id", value: ws.id }],
      groupBy: ["api_key"],
      type: "cost",
      creditLimit: 100,
      alertThreshold: 80,
      periodicReset: "monthly",
      resetUsage: { "api_key:alice": "first" },
    };
    rate = { workspaceId: ws.id, name: "60 rpm", conditions: [{ key: "workspace_id", value: ws.id }], groupBy: ["metadata.user_id"], type: "requests", unit: "rpm", value: 60 };
    const from = emulator.requestLog().length;
    const result = await engine().up();
    expect(ops(result.steps)).toEqual([`create ${RATE}`, `create ${USAGE}`]);
    const [budget] = activeUsage();
    expect(budget).toMatchObject({ name: "Per key", workspace_id: ws.id, type: "cost", credit_limit: 100, alert_threshold: 80, periodic_reset: "monthly", group_by: [{ key: "api_key" }] });
    expect(result.outputs.usageId.value).toBe(budget.id);
    expect(activeRate()[0]).toMatchObject({ name: "60 rpm", unit: "rpm", value: 60, type: "requests", group_by: [{ key: "metadata.user_id" }] });
    // Only what was declared, the workspace as its UUID; the trigger is never sent and no reset is asked for.
    expect(bodiesSince(from, "POST /policies/usage-limits")).toEqual([
      {
        workspace_id: ws.id,
        name: "Per key",
        conditions: [{ key: "workspace_id", value: ws.id }],
        group_by: [{ key: "api_key" }],
        type: "cost",
        credit_limit: 100,
        alert_threshold: 80,
        periodic_reset: "monthly",
      },
    ]);
    expect(bodiesSince(from, RESET_ROUTE)).toEqual([]);
    const stored = (await engine().exportState()).resource(USAGE, "budget")!;
    expect(stored.outputs).toMatchObject({ workspaceId: ws.slug, resolvedWorkspaceId: ws.id, workspaceSlug: ws.slug, status: "active", nextUsageResetAt: expect.any(String) });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("every updatable field changes in place, sending only what changed", async () => {
    const ids = [activeUsage()[0].id, activeRate()[0].id];
    usage = { ...usage!, name: "Per key v2", creditLimit: 250, alertThreshold: 200, periodicReset: "weekly", conditions: [{ key: "metadata.team", value: "ml" }] };
    rate = { ...rate!, name: "per hour", unit: "rph", value: 3600, conditions: [{ key: "api_key", value: "key-1" }] };
    const preview = await engine().preview();
    expect(ops(preview.steps)).toEqual([`update ${RATE}`, `update ${USAGE}`]);
    const from = emulator.requestLog().length;
    await engine().up();
    expect(bodiesSince(from, `PUT ${USAGE_ROUTE}`)).toEqual([
      { name: "Per key v2", conditions: [{ key: "metadata.team", value: "ml" }], credit_limit: 250, alert_threshold: 200, periodic_reset: "weekly" },
    ]);
    expect(bodiesSince(from, `PUT ${RATE_ROUTE}`)).toEqual([{ name: "per hour", conditions: [{ key: "api_key", value: "key-1" }], unit: "rph", value: 3600 }]);
    expect([activeUsage()[0].id, activeRate()[0].id]).toEqual(ids);
    expect(activeUsage()[0]).toMatchObject({ name: "Per key v2", credit_limit: 250, alert_threshold: 200, periodic_reset: "weekly" });
    expect(activeRate()[0]).toMatchObject({ name: "per hour", unit: "rph", value: 3600 });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("removing the optional fields clears them", async () => {
    const { name: _usageName, alertThreshold: _alert, periodicReset: _reset, ...usageLeft } = usage!;
    const { name: _rateName, ...rateLeft } = rate!;
    usage = usageLeft;
    rate = rateLeft;
    const from = emulator.requestLog().length;
    await engine().up();
    expect(bodiesSince(from, `PUT ${USAGE_ROUTE}`)).toEqual([{ name: "", alert_threshold: null, periodic_reset: null }]);
    expect(bodiesSince(from, `PUT ${RATE_ROUTE}`)).toEqual([{ name: "" }]);
    expect(activeUsage()[0]).toMatchObject({ name: "", alert_threshold: null, periodic_reset: null, next_usage_reset_at: null });
    const stored = (await engine().exportState()).resource(USAGE, "budget")!;
    expect(stored.outputs?.name).toBeUndefined();
    expect(stored.outputs?.alertThreshold).toBeUndefined();
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("changing a resetUsage entry shows in preview and resets that entity's usage once, by value key or entity id", async () => {
    const policyId = activeUsage()[0].id;
    const alice = recordPolicyUsage(emulator.state(), policyId, "api_key:alice", 300);
    const bob = recordPolicyUsage(emulator.state(), policyId, "api_key:bob", 40);
    expect(alice.status).toBe("exhausted");
    usage = { ...usage!, resetUsage: { "api_key:alice": "second", [bob.id]: 1 } };
    const preview = await engine().preview();
    expect(ops(preview.steps)).toEqual([`update ${USAGE}`]);
    // The diff names the trigger entries that changed, and nothing else.
    expect(preview.diffText).toMatch(/~ resetUsage/);
    expect(preview.diffText).toMatch(/~ api_key:alice\s*: "first" => "second"/);
    expect(preview.diffText).toContain(`+ ${bob.id}: 1`);
    expect(preview.diffText).not.toMatch(/[~+-] (creditLimit|conditions|name|type|groupBy)/);
    // A preview acts on nothing.
    expect(emulator.state().usage_limits_policies![policyId].entities[alice.id].current_usage).toBe(300);
    const from = emulator.requestLog().length;
    await engine().up();
    const entities = emulator.state().usage_limits_policies![policyId].entities;
    expect([entities[alice.id].current_usage, entities[alice.id].status, entities[bob.id].current_usage]).toEqual([0, "active", 0]);
    expect(emulator.requestLog().slice(from).filter((r) => r.route === RESET_ROUTE).map((r) => r.path.split("/")[5]).sort()).toEqual([alice.id, bob.id].sort());
    // Nothing else was written: the policy itself did not change.
    expect(bodiesSince(from, `PUT ${USAGE_ROUTE}`)).toEqual([]);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);

    // Only the entry whose value changed is reset again.
    recordPolicyUsage(emulator.state(), policyId, "api_key:alice", 10);
    recordPolicyUsage(emulator.state(), policyId, "api_key:bob", 10);
    usage = { ...usage!, resetUsage: { "api_key:alice": "second", [bob.id]: 2 } };
    await engine().up();
    const after = emulator.state().usage_limits_policies![policyId].entities;
    expect([after[alice.id].current_usage, after[bob.id].current_usage]).toEqual([10, 0]);

    // An entity with no usage counted: nothing to reset, a warning says so.
    usage = { ...usage!, resetUsage: { ...usage!.resetUsage, "api_key:nobody": "x" } };
    const warned = await engine().up();
    expect(warned.stdout).toMatch(/resetUsage: .*counted nothing for 'api_key:nobody'/);
  });

  test("what the API cannot update replaces the policy", async () => {
    const oldUsage = activeUsage()[0].id;
    const oldRate = activeRate()[0].id;
    usage = { ...usage!, groupBy: ["api_key", "metadata.user_id"] };
    rate = { ...rate!, type: "tokens" };
    const preview = await engine().preview();
    expect(ops(preview.steps)).toEqual([`replace ${RATE}`, `replace ${USAGE}`]);
    const result = await engine().up();
    expect(result.changeSummary.replace).toBe(2);
    expect(activeUsage().map((p) => p.id)).not.toContain(oldUsage);
    expect(activeUsage()).toHaveLength(1);
    expect(activeUsage()[0].group_by).toEqual([{ key: "api_key" }, { key: "metadata.user_id" }]);
    expect(activeRate().map((p) => [p.id === oldRate, p.type])).toEqual([[false, "tokens"]]);
    // The new policy's create reset nothing, although resetUsage is declared.
    expect(emulator.state().usage_limits_policies![oldUsage].status).toBe("archived");
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("an out-of-band edit shows after refresh and up repairs it", async () => {
    const [budget] = activeUsage();
    const [limit] = activeRate();
    await call(emulator, "PUT", `/policies/usage-limits/${budget.id}`, { credit_limit: 999, periodic_reset: "monthly" });
    await call(emulator, "PUT", `/policies/rate-limits/${limit.id}`, { value: 7 });
    await engine().refresh();
    const state = await engine().exportState();
    expect(state.resource(USAGE, "budget")!.outputs).toMatchObject({ creditLimit: 999, periodicReset: "monthly" });
    expect(state.resource(RATE, "rpm")!.outputs).toMatchObject({ value: 7 });
    const preview = await engine().preview();
    expect(ops(preview.steps)).toEqual([`update ${RATE}`, `update ${USAGE}`]);
    await engine().up();
    expect(activeUsage()[0]).toMatchObject({ credit_limit: 250, periodic_reset: null });
    expect(activeRate()[0].value).toBe(3600);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("an out-of-band delete drops them from state on refresh and up recreates them", async () => {
    const old = [activeUsage()[0].id, activeRate()[0].id];
    await call(emulator, "DELETE", `/policies/usage-limits/${old[0]}`);
    await call(emulator, "DELETE", `/policies/rate-limits/${old[1]}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(2);
    const state = await engine().exportState();
    expect([...state.resources(USAGE), ...state.resources(RATE)]).toEqual([]);
    const result = await engine().up();
    expect(ops(result.steps)).toEqual([`create ${RATE}`, `create ${USAGE}`]);
    expect(activeUsage()).toHaveLength(1);
    expect(activeRate()).toHaveLength(1);
    expect([activeUsage()[0].id, activeRate()[0].id]).not.toContain(old[0]);
  });

  test("invalid input fails at preview with a message naming the property", async () => {
    const [validUsage, validRate] = [usage!, rate!];
    const usageCases: [UsageLimitsPolicyArgs, RegExp][] = [
      [{ ...validUsage, conditions: [] }, /conditions.*at least one condition/],
      [{ ...validUsage, groupBy: [] }, /groupBy.*at least one key/],
      [{ ...validUsage, groupBy: ["api_key", "api_key"] }, /groupBy.*twice/],
      [{ ...validUsage, conditions: [{ key: "colour", value: "red" }] }, /conditions.*key.*must be one of/],
      [{ ...validUsage, conditions: [{ key: "api_key", value: "" }] }, /conditions.*value.*must not be empty/],
      [{ ...validUsage, type: "requests" as UsageLimitsPolicyArgs["type"] }, /type/],
      [{ ...validUsage, creditLimit: -5 }, /creditLimit.*0 or more/],
      [{ ...validUsage, alertThreshold: -1 }, /alertThreshold.*0 or more/],
      [{ ...validUsage, alertThreshold: 250 }, /alertThreshold.*less than creditLimit/],
      [{ ...validUsage, periodicReset: "daily" as UsageLimitsPolicyArgs["periodicReset"] }, /periodicReset/],
      [{ ...validUsage, workspaceId: "" }, /workspaceId.*must not be empty/],
      [{ ...validUsage, name: "n".repeat(256) }, /name.*at most 255/],
    ];
    const rateCases: [RateLimitsPolicyArgs, RegExp][] = [
      [{ ...validRate, unit: "rps" as RateLimitsPolicyArgs["unit"] }, /unit/],
      [{ ...validRate, value: 0 }, /value.*at least 1/],
      [{ ...validRate, value: 1.5 }, /value.*whole number/],
      [{ ...validRate, type: "cost" as RateLimitsPolicyArgs["type"] }, /type/],
    ];
    try {
      for (const [args, message] of usageCases) {
        usage = args;
        await expect(engine().preview()).rejects.toThrow(message);
      }
      usage = validUsage;
      for (const [args, message] of rateCases) {
        rate = args;
        await expect(engine().preview()).rejects.toThrow(message);
      }
    } finally {
      [usage, rate] = [validUsage, validRate];
    }
  });

  test("the admin key is nowhere in the stored state; destroy archives both policies", async () => {
    const state = await engine().exportState();
    expect(state.resources(USAGE)).toHaveLength(1);
    expect(state.text).not.toContain(ADMIN_KEY);
    usage = undefined;
    rate = undefined;
    const destroyed = await engine().destroy();
    expect(ops(destroyed.steps)).toEqual([`delete ${RATE}`, `delete ${USAGE}`]);
    expect(activeUsage()).toEqual([]);
    expect(activeRate()).toEqual([]);
  });
});

describe("native", () => {
  test("create, clean preview, update in place, destroy", async () => {
    let value = 10;
    nativeProgram = async () => {
      new nativePortkey.UsageLimitsPolicy("budget", { workspaceId: ws.id, conditions: [{ key: "workspace_id", value: ws.id }], groupBy: ["api_key"], type: "tokens", creditLimit: 1_000_000 });
      new nativePortkey.RateLimitsPolicy("rpm", { workspaceId: ws.id, conditions: [{ key: "workspace_id", value: ws.id }], groupBy: ["api_key"], type: "requests", unit: "rpm", value });
      return {};
    };
    const created = await nativeEngine().up();
    expect(ops(created.steps)).toEqual([`create ${NATIVE_RATE}`, `create ${NATIVE_USAGE}`]);
    expect(activeUsage().map((p) => p.type)).toEqual(["tokens"]);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    value = 20;
    const preview = await nativeEngine().preview();
    expect(ops(preview.steps)).toEqual([`update ${NATIVE_RATE}`]);
    expect(preview.diffText).toMatch(/~ value\s*:\s*10 => 20/);
    await nativeEngine().up();
    expect(activeRate()[0].value).toBe(20);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    await nativeEngine().destroy();
    expect([...activeUsage(), ...activeRate()]).toEqual([]);
  });

  test("pulumi import takes policies made by hand under management; the program declaring them previews clean", async () => {
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
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({
      resources: [
        { type: NATIVE_USAGE, name: "byHand", id: budget.id },
        { type: NATIVE_RATE, name: "byHandRate", id: limit.id },
      ],
      // Code generation needs the Go language host, which is not served here.
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 2 });
    expect((await nativeEngine().exportState()).resource(NATIVE_USAGE, "byHand")?.id).toBe(budget.id);

    const declared = (protect: boolean) => async () => {
      new nativePortkey.UsageLimitsPolicy(
        "byHand",
        {
          workspaceId: ws.id,
          name: "by hand",
          conditions: [{ key: "workspace_id", value: ws.id }],
          groupBy: ["metadata.user_id"],
          type: "cost",
          creditLimit: 50,
          alertThreshold: 40,
          periodicReset: "weekly",
        },
        { protect },
      );
      new nativePortkey.RateLimitsPolicy(
        "byHandRate",
        { workspaceId: ws.id, conditions: [{ key: "api_key", value: "k" }], groupBy: ["api_key"], type: "tokens", unit: "rpd", value: 5000 },
        { protect },
      );
      return {};
    };
    nativeProgram = declared(true);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    nativeProgram = declared(false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect([...activeUsage(), ...activeRate()]).toEqual([]);
  });
});

test("every response the emulator gave conformed to the official document", () => {
  expect(emulator.specViolations()).toEqual([]);
});
