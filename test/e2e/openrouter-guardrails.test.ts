/**
 * OpenRouter Guardrail, WorkspaceDefaultGuardrail, GuardrailKeyAssignment and
 * GuardrailMemberAssignment through the real engine against the emulator.
 * Dynamic form: create, clean preview, every rule updated in place and
 * cleared, drift repaired, out-of-band deletes, bad input at preview, two
 * assignments to one guardrail coexisting (and deleting one leaving the
 * other), the default guardrail left in force on destroy, no secret in state.
 * Native form (plugins on PATH): create, clean preview, and `pulumi import` of
 * all four, then a clean preview.
 */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { openrouter } from "../../sdk";
import type { GuardrailArgs, WorkspaceDefaultGuardrailArgs } from "../../sdk/openrouter";
import { openrouter as nativeOpenrouter } from "../../sdk/native";
import { RunningEmulator, startEmulator } from "../../emulator";
import { callOpenRouter } from "../support/emulator";
import { changedSteps, StepReport, useEngineStack } from "./harness";

jest.setTimeout(15 * 60_000);

const MANAGEMENT_KEY = "sk-or-mgmt-guardrails-e2e-0123456789";
const GUARDRAIL = "pulumi-nodejs:dynamic/openrouter:Guardrail";
const DEFAULT_GUARDRAIL = "pulumi-nodejs:dynamic/openrouter:WorkspaceDefaultGuardrail";
const KEY_ASSIGNMENT = "pulumi-nodejs:dynamic/openrouter:GuardrailKeyAssignment";
const MEMBER_ASSIGNMENT = "pulumi-nodejs:dynamic/openrouter:GuardrailMemberAssignment";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");

let emulator: RunningEmulator;
let workspaceId: string;
let keyHashes: string[];

let guardrailArgs: GuardrailArgs | undefined;
let defaultArgs: WorkspaceDefaultGuardrailArgs | undefined;
let assignedKeys: string[] = [];
let assignedMembers: string[] = [];
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

/** The emulator's OpenRouter API with the management key. */
function api(method: string, route: string, body?: unknown) {
  return callOpenRouter(emulator, method, route, body, MANAGEMENT_KEY);
}

async function seedMember(userId: string): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/openrouter/organization-members`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ members: [{ id: userId, email: `${userId}@example.com` }] }),
  });
  if (response.status !== 200) throw new Error(`seeding ${userId}: ${response.status}`);
}

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: ["unused-portkey-key"], managementKeys: [MANAGEMENT_KEY] });
  workspaceId = (await api("POST", "/workspaces", { name: "Guarded", slug: "guarded" })).body.data.id;
  keyHashes = [];
  for (const name of ["alpha", "beta", "gamma"]) keyHashes.push((await api("POST", "/keys", { name, workspace_id: workspaceId })).body.data.hash);
  for (const user of ["user_alice", "user_bob", "user_carol"]) await seedMember(user);
  // Members can hold the workspace's guardrails only once they belong to it.
  await api("POST", `/workspaces/${workspaceId}/members/add`, { user_ids: ["user_alice", "user_bob", "user_carol"] });
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "openrouter:managementKey": { value: MANAGEMENT_KEY, secret: true },
  "openrouter:baseUrl": { value: emulator.openrouterBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "openrouter-guardrails",
  // Exports nothing: stack outputs registered after a preview refused at check are rejected by the
  // terminating engine as an unhandled rejection, which Jest counts as a failed suite (see convergence.test.ts).
  program: async () => {
    if (defaultArgs) new openrouter.WorkspaceDefaultGuardrail("ws-default", defaultArgs);
    if (!guardrailArgs) return;
    const guardrail = new openrouter.Guardrail("strict", guardrailArgs);
    const guardrailId: pulumi.Input<string> = guardrail.id;
    for (const hash of assignedKeys) new openrouter.GuardrailKeyAssignment(`key-${hash.slice(0, 8)}`, { guardrailId, keyHash: hash });
    for (const user of assignedMembers) new openrouter.GuardrailMemberAssignment(`member-${user}`, { guardrailId, userId: user });
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "openrouter-guardrails-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

/** Steps of resources the program declares (not the providers or the stack). */
function resourceSteps(steps: StepReport[]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}
async function expectNoChanges(stack = engine()) {
  expect(resourceSteps((await stack.preview()).steps)).toEqual([]);
}
function remoteGuardrails() {
  return Object.values(emulator.openrouterState().guardrails ?? {}).filter((g) => !g.deleted_at && !g.is_workspace_default);
}
function defaultGuardrailOf(id: string) {
  const guardrailId = emulator.openrouterState().workspaces[id].default_guardrail_id;
  return emulator.openrouterState().guardrails?.[guardrailId];
}
async function assignedKeyHashes(guardrailId: string): Promise<string[]> {
  return (await api("GET", `/guardrails/${guardrailId}/assignments/keys`)).body.data.map((a: { key_hash: string }) => a.key_hash).sort();
}
async function assignedUserIds(guardrailId: string): Promise<string[]> {
  return (await api("GET", `/guardrails/${guardrailId}/assignments/members`)).body.data.map((a: { user_id: string }) => a.user_id).sort();
}

const FULL: () => GuardrailArgs = () => ({
  name: "strict",
  workspaceId,
  description: "Research spending and data rules",
  limitUsd: 50,
  resetInterval: "monthly",
  includeByokInBudgets: true,
  allowedModels: ["openai/gpt-4o", "anthropic/claude-3.5-sonnet"],
  ignoredModels: ["openai/gpt-4o-mini"],
  allowedProviders: ["openai", "anthropic"],
  ignoredProviders: ["deepinfra"],
  enforceZdrAnthropic: true,
  enforceZdrOpenai: true,
  enforceZdrGoogle: false,
  enforceZdrXai: true,
  enforceZdrOther: false,
  enableFreeModelPublication: false,
  enableFreeModelTraining: false,
  enablePaidModelTraining: true,
  contentFilters: [{ pattern: "ACME-\\d{6}", action: "block", label: "project code" }],
  contentFilterBuiltins: [{ slug: "email", action: "redact" }, { slug: "regex-prompt-injection", action: "flag" }],
  allowedDataRegions: ["europe"],
});

describe("dynamic", () => {
  test("a guardrail is created with every rule; a second preview is clean", async () => {
    guardrailArgs = FULL();
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${GUARDRAIL}`]);
    const [made] = remoteGuardrails();
    expect(made).toMatchObject({
      name: "strict",
      workspace_id: workspaceId,
      description: "Research spending and data rules",
      limit_usd: 50,
      reset_interval: "monthly",
      include_byok_in_budgets: true,
      // OpenRouter stores canonical slugs; the program's spelling previews clean (below).
      allowed_models: ["openai/gpt-4o-2024-05-13", "anthropic/claude-3.5-sonnet-20240620"],
      ignored_models: ["openai/gpt-4o-mini-2024-07-18"],
      allowed_providers: ["openai", "anthropic"],
      ignored_providers: ["deepinfra"],
      enforce_zdr_anthropic: true,
      enforce_zdr_openai: true,
      enforce_zdr_google: false,
      enforce_zdr_xai: true,
      enforce_zdr_other: false,
      enable_free_model_publication: false,
      enable_free_model_training: false,
      enable_paid_model_training: true,
      content_filters: [{ pattern: "ACME-\\d{6}", action: "block", label: "project code" }],
      content_filter_builtins: [
        { slug: "email", action: "redact", label: "[EMAIL]" },
        { slug: "regex-prompt-injection", action: "flag", label: "[PROMPT_INJECTION]", scan_scope: "all_messages" },
      ],
      allowed_data_regions: ["europe"],
    });
    expect((await engine().exportState()).resource(GUARDRAIL, "strict")?.id).toBe(made.id);
    // The create sent what was declared, in OpenRouter's names.
    const [post] = emulator.requestLog().filter((r) => r.route === "POST openrouter /guardrails");
    expect(Object.keys(post.body as object).sort()).toEqual(
      [
        "name", "workspace_id", "description", "limit_usd", "reset_interval", "include_byok_in_budgets", "allowed_models", "ignored_models",
        "allowed_providers", "ignored_providers", "enforce_zdr_anthropic", "enforce_zdr_openai", "enforce_zdr_google", "enforce_zdr_xai",
        "enforce_zdr_other", "enable_free_model_publication", "enable_free_model_training", "enable_paid_model_training", "content_filters",
        "content_filter_builtins", "allowed_data_regions",
      ].sort(),
    );
    await expectNoChanges();
  });

  test("every rule changes in place (one PATCH, same id)", async () => {
    const id = remoteGuardrails()[0].id;
    emulator.clearRequestLog();
    guardrailArgs = {
      name: "strict-v2",
      workspaceId,
      description: "Changed",
      limitUsd: 75,
      resetInterval: "weekly",
      includeByokInBudgets: false,
      allowedModels: ["google/gemini-2.0-flash-001"],
      ignoredModels: ["anthropic/claude-3.5-sonnet"],
      allowedProviders: ["google"],
      ignoredProviders: ["openai"],
      enforceZdrAnthropic: false,
      enforceZdrOpenai: false,
      enforceZdrGoogle: true,
      enforceZdrXai: false,
      enforceZdrOther: true,
      enableFreeModelPublication: true,
      enableFreeModelTraining: true,
      enablePaidModelTraining: false,
      contentFilters: [{ pattern: "secret-[a-z]+", action: "redact" }],
      contentFilterBuiltins: [{ slug: "regex-prompt-injection", action: "block", scanScope: "user_only" }, { slug: "ssn", action: "block" }],
      allowedDataRegions: ["us", "global"],
    };
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    await expectNoChanges();
    expect(remoteGuardrails()).toEqual([
      expect.objectContaining({
        id,
        name: "strict-v2",
        description: "Changed",
        limit_usd: 75,
        reset_interval: "weekly",
        include_byok_in_budgets: false,
        allowed_models: ["google/gemini-2.0-flash-001"],
        ignored_models: ["anthropic/claude-3.5-sonnet-20240620"],
        allowed_providers: ["google"],
        ignored_providers: ["openai"],
        enforce_zdr_anthropic: false,
        enforce_zdr_google: true,
        enforce_zdr_other: true,
        enable_free_model_publication: true,
        enable_paid_model_training: false,
        content_filters: [{ pattern: "secret-[a-z]+", action: "redact", label: null }],
        content_filter_builtins: [
          { slug: "regex-prompt-injection", action: "block", label: "[PROMPT_INJECTION]", scan_scope: "user_only" },
          { slug: "ssn", action: "block", label: "[SSN]" },
        ],
        allowed_data_regions: ["us", "global"],
      }),
    ]);
    const patches = emulator.requestLog().filter((r) => r.route === "PATCH openrouter /guardrails/{id}");
    expect(patches).toHaveLength(1);
    expect(patches[0].body).not.toHaveProperty("workspace_id");
  });

  test("removing the optional rules clears them", async () => {
    emulator.clearRequestLog();
    guardrailArgs = { name: "strict-v2", workspaceId };
    await engine().up();
    await expectNoChanges();
    expect(remoteGuardrails()[0]).toMatchObject({
      description: null,
      limit_usd: null,
      reset_interval: null,
      include_byok_in_budgets: false,
      allowed_models: null,
      ignored_models: null,
      allowed_providers: null,
      ignored_providers: null,
      enforce_zdr_anthropic: null,
      enforce_zdr_openai: null,
      enforce_zdr_google: null,
      enforce_zdr_xai: null,
      enforce_zdr_other: null,
      enable_free_model_publication: null,
      enable_free_model_training: null,
      enable_paid_model_training: null,
      content_filters: null,
      content_filter_builtins: null,
      allowed_data_regions: null,
    });
    // The budget pair went together (OpenRouter refuses one without the other).
    const [patch] = emulator.requestLog().filter((r) => r.route === "PATCH openrouter /guardrails/{id}");
    expect(patch.body).toMatchObject({ limit_usd: null, reset_interval: null });
  });

  test("a lifetime limit (no resetInterval) sends the pair with reset_interval null", async () => {
    emulator.clearRequestLog();
    guardrailArgs = { name: "strict-v2", workspaceId, limitUsd: 20, allowedModels: ["openai/gpt-4o"] };
    await engine().up();
    await expectNoChanges();
    const [patch] = emulator.requestLog().filter((r) => r.route === "PATCH openrouter /guardrails/{id}");
    expect(patch.body).toEqual({ limit_usd: 20, reset_interval: null, allowed_models: ["openai/gpt-4o"] });
  });

  test("out-of-band edits show after refresh and up repairs them", async () => {
    const id = remoteGuardrails()[0].id;
    await api("PATCH", `/guardrails/${id}`, { description: "edited", allowed_models: ["openai/gpt-4o-mini"], enforce_zdr_xai: true });
    await engine().refresh();
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    expect(preview.diffText).toMatch(/allowedModels/);
    expect(preview.diffText).toMatch(/description/);
    await engine().up();
    await expectNoChanges();
    expect(remoteGuardrails()[0]).toMatchObject({ description: null, allowed_models: ["openai/gpt-4o-2024-05-13"], enforce_zdr_xai: null });
  });

  test("bad input fails at preview naming the property", async () => {
    const valid = guardrailArgs;
    const cases: [GuardrailArgs, RegExp][] = [
      [{ name: "" }, /name: must not be empty/],
      [{ name: "g", workspaceId: "guarded" }, /workspaceId: must be the workspace's UUID/],
      [{ name: "g", limitUsd: -1 }, /limitUsd: must be >= 0/],
      [{ name: "g", allowedModels: [] }, /allowedModels: must list at least one model/],
      [{ name: "g", allowedDataRegions: [] }, /allowedDataRegions: must list at least one region/],
      [{ name: "g", contentFilters: [{ pattern: "(", action: "block" }] }, /contentFilters\.0\.pattern.*valid regular expression|contentFilters.*pattern.*valid regular expression/],
      [{ name: "g", contentFilterBuiltins: [{ slug: "email", action: "redact", scanScope: "user_only" }] }, /contentFilterBuiltins.*scanScope.*applies only to regex-prompt-injection/],
    ];
    try {
      for (const [args, message] of cases) {
        guardrailArgs = args;
        await expect(engine().preview()).rejects.toThrow(message);
      }
    } finally {
      guardrailArgs = valid;
    }
  });

  test("an out-of-band delete drops the guardrail on refresh and up recreates it", async () => {
    const old = remoteGuardrails()[0];
    await api("DELETE", `/guardrails/${old.id}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["create"]);
    expect(remoteGuardrails()).toHaveLength(1);
    expect(remoteGuardrails()[0].id).not.toBe(old.id);
    await expectNoChanges();
  });

  test("two key and two member assignments to one guardrail coexist", async () => {
    assignedKeys = [keyHashes[0], keyHashes[1]];
    assignedMembers = ["user_alice", "user_bob"];
    emulator.clearRequestLog();
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`).sort()).toEqual(
      [`create ${KEY_ASSIGNMENT}`, `create ${KEY_ASSIGNMENT}`, `create ${MEMBER_ASSIGNMENT}`, `create ${MEMBER_ASSIGNMENT}`].sort(),
    );
    const guardrailId = remoteGuardrails()[0].id;
    expect(await assignedKeyHashes(guardrailId)).toEqual([keyHashes[0], keyHashes[1]].sort());
    expect(await assignedUserIds(guardrailId)).toEqual(["user_alice", "user_bob"]);
    // Each resource sent only its own item.
    const posts = emulator.requestLog().filter((r) => r.route.startsWith("POST openrouter /guardrails/{id}/assignments"));
    expect(posts.map((r) => r.body).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      [{ key_hashes: [keyHashes[0]] }, { key_hashes: [keyHashes[1]] }, { member_user_ids: ["user_alice"] }, { member_user_ids: ["user_bob"] }].sort((a, b) =>
        JSON.stringify(a).localeCompare(JSON.stringify(b)),
      ),
    );
    const state = await engine().exportState();
    expect(state.resource(KEY_ASSIGNMENT, `key-${keyHashes[0].slice(0, 8)}`)?.id).toBe(`${guardrailId}/${keyHashes[0]}`);
    await expectNoChanges();
  });

  test("deleting one assignment leaves the other", async () => {
    const guardrailId = remoteGuardrails()[0].id;
    assignedKeys = [keyHashes[1]];
    assignedMembers = ["user_bob"];
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`).sort()).toEqual([`delete ${KEY_ASSIGNMENT}`, `delete ${MEMBER_ASSIGNMENT}`].sort());
    expect(await assignedKeyHashes(guardrailId)).toEqual([keyHashes[1]]);
    expect(await assignedUserIds(guardrailId)).toEqual(["user_bob"]);
    await expectNoChanges();
  });

  test("an assignment removed or moved out of band is dropped on refresh and re-made by up", async () => {
    const guardrailId = remoteGuardrails()[0].id;
    await api("POST", `/guardrails/${guardrailId}/assignments/keys/remove`, { key_hashes: [keyHashes[1]] });
    // Moved: assigned to another guardrail by hand.
    const other = (await api("POST", "/guardrails", { name: "other", workspace_id: workspaceId })).body.data.id;
    await api("POST", `/guardrails/${other}/assignments/members`, { member_user_ids: ["user_bob"] });
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(2);
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["create", "create"]);
    expect(await assignedKeyHashes(guardrailId)).toEqual([keyHashes[1]]);
    expect(await assignedUserIds(guardrailId)).toEqual(["user_bob"]);
    await api("DELETE", `/guardrails/${other}`);
    await expectNoChanges();
  });

  test("bad assignment input fails at preview naming the property", async () => {
    const keys = assignedKeys;
    try {
      assignedKeys = ["not-a-hash"];
      await expect(engine().preview()).rejects.toThrow(/keyHash: must be the key's 64-character hex hash/);
    } finally {
      assignedKeys = keys;
    }
  });

  test("the workspace default guardrail: created by PATCH, clean preview, updated, cleared, drift repaired", async () => {
    const guardrailId = emulator.openrouterState().workspaces[workspaceId].default_guardrail_id;
    expect((await api("GET", `/guardrails/${guardrailId}`)).status).toBe(404);
    emulator.clearRequestLog();
    defaultArgs = { workspaceId, allowedDataRegions: ["europe"], enforceZdrOther: true, allowedProviders: ["anthropic"], limitUsd: 100, resetInterval: "daily" };
    let result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${DEFAULT_GUARDRAIL}`]);
    expect(emulator.requestLog().filter((r) => r.route === "POST openrouter /guardrails")).toEqual([]);
    expect(defaultGuardrailOf(workspaceId)).toMatchObject({ allowed_data_regions: ["europe"], enforce_zdr_other: true, allowed_providers: ["anthropic"], limit_usd: 100, reset_interval: "daily" });
    expect((await engine().exportState()).resource(DEFAULT_GUARDRAIL, "ws-default")?.id).toBe(workspaceId);
    await expectNoChanges();

    defaultArgs = { workspaceId, allowedDataRegions: ["europe", "us"], enforceZdrOther: false, contentFilterBuiltins: [{ slug: "phone", action: "flag" }] };
    result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["update"]);
    await expectNoChanges();
    expect(defaultGuardrailOf(workspaceId)).toMatchObject({
      allowed_data_regions: ["europe", "us"],
      enforce_zdr_other: false,
      allowed_providers: null,
      limit_usd: null,
      reset_interval: null,
      content_filter_builtins: [{ slug: "phone", action: "flag", label: "[PHONE]" }],
    });

    await api("PATCH", `/guardrails/${guardrailId}`, { allowed_data_regions: ["global"], ignored_providers: ["openai"] });
    await engine().refresh();
    expect(resourceSteps((await engine().preview()).steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    await expectNoChanges();
    expect(defaultGuardrailOf(workspaceId)).toMatchObject({ allowed_data_regions: ["europe", "us"], ignored_providers: null });
  });

  test("bad default-guardrail input fails at preview naming the property", async () => {
    const valid = defaultArgs;
    try {
      defaultArgs = { workspaceId: "guarded" };
      await expect(engine().preview()).rejects.toThrow(/workspaceId: must be the workspace's UUID/);
      defaultArgs = { workspaceId, name: "renamed" } as WorkspaceDefaultGuardrailArgs;
      await expect(engine().preview()).rejects.toThrow(/name/);
    } finally {
      defaultArgs = valid;
    }
  });

  test("no secret reaches the state", async () => {
    const state = await engine().exportState();
    expect(state.text).not.toContain(MANAGEMENT_KEY);
    expect(engine().backendFilesText()).not.toContain(MANAGEMENT_KEY);
    for (const hash of keyHashes) expect(state.text).not.toContain(emulator.openrouterState().keys[hash].secret);
  });

  test("destroy deletes guardrail and assignments; the default guardrail only leaves the stack (its rules stay)", async () => {
    const destroyed = await engine().destroy();
    expect(resourceSteps(destroyed.steps).filter((s) => s.op === "delete")).toHaveLength(4);
    expect(destroyed.stdout).toMatch(/cannot delete a workspace's default guardrail/);
    expect(remoteGuardrails()).toEqual([]);
    expect((await api("GET", "/guardrails/assignments/keys")).body.data).toEqual([]);
    expect(defaultGuardrailOf(workspaceId)).toMatchObject({ allowed_data_regions: ["europe", "us"], deleted_at: null });
  });

  test("managing it again keeps the rules already in force, with a warning; the preview then shows them", async () => {
    guardrailArgs = undefined;
    assignedKeys = [];
    assignedMembers = [];
    defaultArgs = { workspaceId, allowedDataRegions: ["europe", "us"] };
    const result = await engine().up();
    expect(result.stdout).toMatch(/already had rules this program does not declare \(enforceZdrOther, contentFilterBuiltins\)/);
    expect(defaultGuardrailOf(workspaceId)).toMatchObject({ enforce_zdr_other: false, content_filter_builtins: [expect.objectContaining({ slug: "phone" })] });
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    defaultArgs = { workspaceId, allowedDataRegions: ["europe", "us"], enforceZdrOther: false, contentFilterBuiltins: [{ slug: "phone", action: "flag" }] };
    await expectNoChanges();
    await engine().destroy();
  });

  test("a default guardrail whose workspace was deleted leaves the stack on refresh", async () => {
    const other = (await api("POST", "/workspaces", { name: "Temp", slug: "temp-guarded" })).body.data.id;
    defaultArgs = { workspaceId: other, enforceZdrOther: true };
    await engine().up();
    expect(defaultGuardrailOf(other)).toMatchObject({ enforce_zdr_other: true });
    await api("DELETE", `/workspaces/${other}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    expect((await engine().exportState()).resources(DEFAULT_GUARDRAIL)).toEqual([]);
    defaultArgs = undefined;
    await engine().up();
  });
});

describe("native", () => {
  const NATIVE = {
    guardrail: "openrouter:index:Guardrail",
    defaultGuardrail: "openrouter:index:WorkspaceDefaultGuardrail",
    key: "openrouter:index:GuardrailKeyAssignment",
    member: "openrouter:index:GuardrailMemberAssignment",
  };

  test("create all four, clean preview, destroy", async () => {
    nativeProgram = async () => {
      const g = new nativeOpenrouter.Guardrail("native", { name: "native", workspaceId, allowedModels: ["openai/gpt-4o"], contentFilterBuiltins: [{ slug: "email", action: "redact" }] });
      new nativeOpenrouter.GuardrailKeyAssignment("native-key", { guardrailId: g.id, keyHash: keyHashes[2] });
      new nativeOpenrouter.GuardrailMemberAssignment("native-member", { guardrailId: g.id, userId: "user_carol" });
      // The rules the dynamic section left in force, plus one: kept at create, so the program declares them.
      new nativeOpenrouter.WorkspaceDefaultGuardrail("native-default", {
        workspaceId,
        enforceZdrGoogle: true,
        enforceZdrOther: false,
        allowedDataRegions: ["europe", "us"],
        contentFilterBuiltins: [{ slug: "phone", action: "flag" }],
      });
      return {};
    };
    const created = await nativeEngine().up();
    expect(resourceSteps(created.steps).map((s) => `${s.op} ${s.type}`).sort()).toEqual(Object.values(NATIVE).map((t) => `create ${t}`).sort());
    const guardrailId = remoteGuardrails()[0].id;
    expect(await assignedKeyHashes(guardrailId)).toEqual([keyHashes[2]]);
    expect(await assignedUserIds(guardrailId)).toEqual(["user_carol"]);
    expect(defaultGuardrailOf(workspaceId)).toMatchObject({ enforce_zdr_google: true });
    await expectNoChanges(nativeEngine());
    await nativeEngine().destroy();
    expect(remoteGuardrails()).toEqual([]);
  });

  test("pulumi import takes all four under management; the program declaring them previews clean", async () => {
    const guardrailId = (await api("POST", "/guardrails", { name: "by-hand", workspace_id: workspaceId, allowed_providers: ["openai"], limit_usd: 5, reset_interval: "weekly" })).body.data.id;
    await api("POST", `/guardrails/${guardrailId}/assignments/keys`, { key_hashes: [keyHashes[0]] });
    await api("POST", `/guardrails/${guardrailId}/assignments/members`, { member_user_ids: ["user_alice"] });
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({
      resources: [
        { type: NATIVE.guardrail, name: "byHand", id: guardrailId },
        { type: NATIVE.key, name: "byHandKey", id: `${guardrailId}/${keyHashes[0]}` },
        { type: NATIVE.member, name: "byHandMember", id: `${guardrailId}/user_alice` },
        { type: NATIVE.defaultGuardrail, name: "byHandDefault", id: workspaceId },
      ],
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 4 });

    const declared = (protect: boolean) => async () => {
      new nativeOpenrouter.Guardrail("byHand", { name: "by-hand", workspaceId, allowedProviders: ["openai"], limitUsd: 5, resetInterval: "weekly" }, { protect });
      new nativeOpenrouter.GuardrailKeyAssignment("byHandKey", { guardrailId, keyHash: keyHashes[0] }, { protect });
      new nativeOpenrouter.GuardrailMemberAssignment("byHandMember", { guardrailId, userId: "user_alice" }, { protect });
      // The default guardrail as it was left by the destroy above.
      new nativeOpenrouter.WorkspaceDefaultGuardrail("byHandDefault", { workspaceId, enforceZdrGoogle: true, enforceZdrOther: false, allowedDataRegions: ["europe", "us"], contentFilterBuiltins: [{ slug: "phone", action: "flag" }] }, { protect });
      return {};
    };
    nativeProgram = declared(true);
    await expectNoChanges(nativeEngine());
    nativeProgram = declared(false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(remoteGuardrails()).toEqual([]);
    expect(await api("GET", "/guardrails/assignments/members").then((r) => r.body.data)).toEqual([]);
  });
});
