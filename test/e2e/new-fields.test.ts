/**
 * Issue 11, "Fields still missing": each new field through the real engine
 * against the emulator, set, changed, cleared and drift-detected (changed out
 * of band through the emulator's HTTP API, then refresh, preview shows an
 * update, up repairs it, the next preview is clean). After every up the
 * emulator's stored value is checked and a second preview must be clean.
 *
 * - portkey.ApiKey rotationPolicy.rotationPeriodDays, non-integer usage
 *   limits, outputs nextUsageResetAt and lastRotatedAt.
 * - openrouter.Workspace disabledServerTools, outputs includeByokInBudgets
 *   and createdBy.
 * - openrouter.ApiKey creatorUserId and externalUser (create-only: replace).
 */
import { openrouter, portkey } from "../../sdk";
import type { ApiKeyArgs as PortkeyKeyArgs } from "../../sdk/portkey";
import type { ApiKeyArgs as OpenRouterKeyArgs, WorkspaceArgs as OpenRouterWorkspaceArgs } from "../../sdk/openrouter";
import { callOpenRouter } from "../support/emulator";
import type { EngineStack, OperationReport, PreviewReport } from "./harness";
import {
  call,
  changedOps,
  MANAGEMENT_KEY,
  openrouterConfig,
  portkeyConfig,
  requests,
  ROUTES,
  stateIds,
  TYPES,
  useTrustEmulator,
  withStack,
} from "./trust-support";

jest.setTimeout(10 * 60_000);

const emulator = useTrustEmulator();

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Asserts the next preview changes nothing. */
async function expectCleanPreview(stack: EngineStack): Promise<void> {
  const preview = await stack.preview();
  expect({ ops: changedOps(preview.steps), summary: preview.changeSummary }).toEqual({ ops: [], summary: { same: expect.any(Number) } });
}

/** Asserts the preview updates exactly one resource of `type` in place, showing each of `properties` as changed. */
function expectUpdateOf(preview: PreviewReport, type: string, properties: string[]): void {
  expect(changedOps(preview.steps)).toEqual(["update"]);
  expect(changedOps(preview.steps, type)).toEqual(["update"]);
  for (const property of properties) {
    // The CLI's diff marks changed properties with ~, + or -.
    expect({ property, shown: new RegExp(`^\\s*[-+~] ${property}\\s*:`, "m").test(preview.diffText) }).toEqual({ property, shown: true });
  }
}

/** The stored outputs of the one resource of `type` named `name`. */
async function stateOutputs(stack: EngineStack, type: string, name: string): Promise<Record<string, unknown>> {
  const resource = (await stack.exportState()).resource(type, name);
  expect(resource).toBeDefined();
  return resource!.outputs ?? {};
}

function bodies(route: string): unknown[] {
  return requests(emulator(), route).map((r) => r.body);
}

// ---------------------------------------------------------------------------
// portkey.ApiKey: rotationPolicy.rotationPeriodDays, decimal usage limits,
// nextUsageResetAt, lastRotatedAt
// ---------------------------------------------------------------------------

test("portkey.ApiKey rotationPeriodDays and decimal usage limits: set, changed, drift repaired, cleared; nextUsageResetAt and lastRotatedAt outputs", async () => {
  let extra: Pick<PortkeyKeyArgs, "rotationPolicy" | "usageLimits" | "rotateWhen"> = {
    rotationPolicy: { rotationPeriodDays: 10 },
    usageLimits: { creditLimit: 2.5, alertThreshold: 1.5 },
    rotateWhen: "1",
  };
  const program = async () => {
    const ws = new portkey.Workspace("ws", { name: "Key Fields NF", forceDelete: true });
    const key = new portkey.ApiKey("key", {
      type: "workspace",
      subType: "service",
      workspaceId: ws.id,
      name: "nf-key",
      scopes: ["completions.write"],
      ...extra,
    });
    return { lastRotatedAt: key.lastRotatedAt, nextUsageResetAt: key.nextUsageResetAt, nextRotationAt: key.nextRotationAt };
  };
  await withStack(emulator(), { projectName: "nf-pk-key", program, config: portkeyConfig(emulator()) }, async (stack) => {
    const record = (id: string) => emulator().state().api_keys[id];
    const read = async (id: string) => {
      const answer = await call(emulator(), "GET", `/api-keys/${id}`);
      expect(answer.status).toBe(200);
      return answer.body;
    };
    const output = (result: OperationReport, name: string) => result.outputs[name]?.value;

    // Set at create.
    emulator().clearRequestLog();
    const created = await stack.up();
    expect(changedOps(created.steps, TYPES.apiKey)).toEqual(["create"]);
    const id = (await stateIds(stack, TYPES.apiKey)).key;
    const wsId = (await stateIds(stack, TYPES.workspace)).ws;
    expect(record(id).workspace_id).toBe(wsId);
    expect(bodies(ROUTES.createKey)).toEqual([
      expect.objectContaining({
        rotation_policy: { rotation_period_days: 10 },
        usage_limits: { credit_limit: 2.5, alert_threshold: 1.5 },
      }),
    ]);
    expect(record(id).rotation_policy).toMatchObject({ rotation_period_days: 10, rotation_period: null });
    expect(record(id).usage_limits).toMatchObject({ credit_limit: 2.5, alert_threshold: 1.5 });
    expect((await read(id)).usage_limits).toMatchObject({ credit_limit: 2.5, alert_threshold: 1.5 });
    expect(output(created, "nextRotationAt")).toMatch(TIMESTAMP);
    expect(output(created, "lastRotatedAt")).toBeUndefined();
    expect(output(created, "nextUsageResetAt")).toBeUndefined();
    expect(await stateOutputs(stack, TYPES.apiKey, "key")).toMatchObject({
      rotationPolicy: { rotationPeriodDays: 10 },
      usageLimits: { creditLimit: 2.5, alertThreshold: 1.5 },
    });
    await expectCleanPreview(stack);

    // Changed: 10 → 20 days, credit limit 2.5 → 7.25.
    extra = { ...extra, rotationPolicy: { rotationPeriodDays: 20 }, usageLimits: { creditLimit: 7.25, alertThreshold: 1.5 } };
    expectUpdateOf(await stack.preview(), TYPES.apiKey, ["rotationPolicy", "usageLimits"]);
    emulator().clearRequestLog();
    const changed = await stack.up();
    expect(changedOps(changed.steps, TYPES.apiKey)).toEqual(["update"]);
    expect(bodies(ROUTES.updateKey)).toEqual([
      expect.objectContaining({ rotation_policy: { rotation_period_days: 20 }, usage_limits: { credit_limit: 7.25, alert_threshold: 1.5 } }),
    ]);
    expect(record(id).rotation_policy).toMatchObject({ rotation_period_days: 20, rotation_period: null });
    expect(record(id).usage_limits).toMatchObject({ credit_limit: 7.25, alert_threshold: 1.5 });
    expect((await stateIds(stack, TYPES.apiKey)).key).toBe(id);
    await expectCleanPreview(stack);

    // Drift: both changed out of band; refresh shows it, preview updates, up repairs.
    const drift = await call(emulator(), "PUT", `/api-keys/${id}`, {
      rotation_policy: { rotation_period_days: 30 },
      usage_limits: { credit_limit: 3.5, alert_threshold: 1.25 },
    });
    expect(drift.status).toBe(200);
    await stack.refresh();
    expect(await stateOutputs(stack, TYPES.apiKey, "key")).toMatchObject({
      rotationPolicy: { rotationPeriodDays: 30 },
      usageLimits: { creditLimit: 3.5, alertThreshold: 1.25 },
    });
    expectUpdateOf(await stack.preview(), TYPES.apiKey, ["rotationPolicy", "usageLimits"]);
    await stack.up();
    expect(record(id).rotation_policy).toMatchObject({ rotation_period_days: 20 });
    expect(record(id).usage_limits).toMatchObject({ credit_limit: 7.25, alert_threshold: 1.5 });
    await expectCleanPreview(stack);

    // A monthly reset: nextUsageResetAt is an output.
    extra = { ...extra, usageLimits: { creditLimit: 7.25, alertThreshold: 1.5, periodicReset: "monthly" } };
    expectUpdateOf(await stack.preview(), TYPES.apiKey, ["usageLimits"]);
    const monthly = await stack.up();
    expect(record(id).usage_limits).toMatchObject({ credit_limit: 7.25, periodic_reset: "monthly" });
    const nextReset = output(monthly, "nextUsageResetAt");
    expect(nextReset).toMatch(TIMESTAMP);
    expect(Date.parse(nextReset as string)).toBe(Date.parse(record(id).usage_limits!.next_usage_reset_at!));
    expect(Date.parse(nextReset as string)).toBeGreaterThan(Date.now());
    await expectCleanPreview(stack);

    // Cleared: both removed from the program.
    extra = { rotateWhen: "1" };
    expectUpdateOf(await stack.preview(), TYPES.apiKey, ["rotationPolicy", "usageLimits"]);
    emulator().clearRequestLog();
    const cleared = await stack.up();
    expect(bodies(ROUTES.updateKey)).toEqual([expect.objectContaining({ rotation_policy: null, usage_limits: null })]);
    expect(record(id).rotation_policy).toBeNull();
    expect(record(id).usage_limits).toBeNull();
    const after = await read(id);
    expect(after.rotation_policy).toBeNull();
    expect(after.usage_limits).toBeNull();
    expect(output(cleared, "nextUsageResetAt")).toBeUndefined();
    expect(output(cleared, "nextRotationAt")).toBeUndefined();
    const clearedState = await stateOutputs(stack, TYPES.apiKey, "key");
    expect(clearedState.rotationPolicy).toBeUndefined();
    expect(clearedState.usageLimits).toBeUndefined();
    await expectCleanPreview(stack);

    // Rotation through rotateWhen: lastRotatedAt becomes a timestamp.
    const secretBefore = record(id).secrets[record(id).secrets.length - 1].value;
    extra = { rotateWhen: "2" };
    expectUpdateOf(await stack.preview(), TYPES.apiKey, ["rotateWhen"]);
    const rotated = await stack.up();
    expect(record(id).secrets[record(id).secrets.length - 1].value).not.toBe(secretBefore);
    expect(record(id).last_rotated_at).toMatch(TIMESTAMP);
    const lastRotatedAt = output(rotated, "lastRotatedAt");
    expect(lastRotatedAt).toMatch(TIMESTAMP);
    expect(Date.parse(lastRotatedAt as string)).toBe(Date.parse(record(id).last_rotated_at!));
    expect((await stateOutputs(stack, TYPES.apiKey, "key")).lastRotatedAt).toBe(lastRotatedAt);
    await expectCleanPreview(stack);
  });
});

// ---------------------------------------------------------------------------
// openrouter.Workspace: disabledServerTools; includeByokInBudgets, createdBy
// ---------------------------------------------------------------------------

test("openrouter.Workspace disabledServerTools: set, changed, drift repaired, cleared; includeByokInBudgets and createdBy are outputs", async () => {
  let declared: Pick<OpenRouterWorkspaceArgs, "disabledServerTools"> = { disabledServerTools: ["web_search"] };
  const program = async () => {
    const ws = new openrouter.Workspace("team", { name: "Tools NF", slug: "tools-nf", ...declared });
    return { disabledServerTools: ws.disabledServerTools, includeByokInBudgets: ws.includeByokInBudgets, createdBy: ws.createdBy };
  };
  await withStack(emulator(), { projectName: "nf-or-ws", program, config: openrouterConfig(emulator()) }, async (stack) => {
    const record = (id: string) => emulator().openrouterState().workspaces[id];
    const read = async (id: string) => {
      const answer = await callOpenRouter(emulator(), "GET", `/workspaces/${id}`, undefined, MANAGEMENT_KEY);
      expect(answer.status).toBe(200);
      return answer.body.data;
    };

    // Set at create; the two read-only outputs exist.
    const created = await stack.up();
    expect(changedOps(created.steps, TYPES.orWorkspace)).toEqual(["create"]);
    const id = (await stateIds(stack, TYPES.orWorkspace)).team;
    expect(record(id).disabled_server_tools).toEqual(["web_search"]);
    expect((await read(id)).disabled_server_tools).toEqual(["web_search"]);
    expect(created.outputs.disabledServerTools.value).toEqual(["web_search"]);
    expect(created.outputs).toHaveProperty("includeByokInBudgets");
    expect([false, true, undefined]).toContainEqual(created.outputs.includeByokInBudgets.value);
    // The emulator's created_by is null at first: an unset output, which the engine leaves out of the stack outputs.
    expect(created.outputs.createdBy?.value).toBeUndefined();
    const createdState = await stateOutputs(stack, TYPES.orWorkspace, "team");
    expect(createdState.includeByokInBudgets).toBe(false);
    await expectCleanPreview(stack);

    // Read-only fields set on the server show after refresh and are never a change.
    record(id).include_byok_in_budgets = true;
    record(id).created_by = "user_nf_creator";
    await stack.refresh();
    expect(await stateOutputs(stack, TYPES.orWorkspace, "team")).toMatchObject({ includeByokInBudgets: true, createdBy: "user_nf_creator" });
    await expectCleanPreview(stack);

    // Changed.
    declared = { disabledServerTools: ["web_search", "web_fetch"] };
    expectUpdateOf(await stack.preview(), TYPES.orWorkspace, ["disabledServerTools"]);
    emulator().clearRequestLog();
    const changed = await stack.up();
    expect(changedOps(changed.steps, TYPES.orWorkspace)).toEqual(["update"]);
    expect(bodies(ROUTES.orUpdateWorkspace)).toEqual([{ disabled_server_tools: ["web_search", "web_fetch"] }]);
    expect(record(id).disabled_server_tools).toEqual(["web_search", "web_fetch"]);
    expect(changed.outputs.disabledServerTools.value).toEqual(["web_search", "web_fetch"]);
    expect(changed.outputs.createdBy.value).toBe("user_nf_creator");
    await expectCleanPreview(stack);

    // Drift: changed out of band; refresh shows it, preview updates, up repairs.
    const drift = await callOpenRouter(emulator(), "PATCH", `/workspaces/${id}`, { disabled_server_tools: ["code_interpreter"] }, MANAGEMENT_KEY);
    expect(drift.status).toBe(200);
    await stack.refresh();
    expect((await stateOutputs(stack, TYPES.orWorkspace, "team")).disabledServerTools).toEqual(["code_interpreter"]);
    expectUpdateOf(await stack.preview(), TYPES.orWorkspace, ["disabledServerTools"]);
    await stack.up();
    expect(record(id).disabled_server_tools).toEqual(["web_search", "web_fetch"]);
    await expectCleanPreview(stack);

    // Cleared: removed from the program.
    declared = {};
    expectUpdateOf(await stack.preview(), TYPES.orWorkspace, ["disabledServerTools"]);
    emulator().clearRequestLog();
    const cleared = await stack.up();
    expect(bodies(ROUTES.orUpdateWorkspace)).toEqual([{ disabled_server_tools: null }]);
    expect([null, []]).toContainEqual(record(id).disabled_server_tools);
    expect([null, []]).toContainEqual((await read(id)).disabled_server_tools);
    expect(cleared.outputs.disabledServerTools?.value).toBeUndefined();
    expect((await stateIds(stack, TYPES.orWorkspace)).team).toBe(id);
    await expectCleanPreview(stack);
  });
});

// ---------------------------------------------------------------------------
// openrouter.ApiKey: creatorUserId, externalUser (create-only)
// ---------------------------------------------------------------------------

test("openrouter.ApiKey creatorUserId and externalUser: stored at create, clean preview, each change replaces the key", async () => {
  let declared: Pick<OpenRouterKeyArgs, "creatorUserId" | "externalUser"> = { creatorUserId: "user_nf_alice", externalUser: "end-user-1" };
  const program = async () => {
    const key = new openrouter.ApiKey("ci", { name: "nf-key", ...declared });
    return { hash: key.hash, creatorUserId: key.creatorUserId, externalUser: key.externalUser };
  };
  await withStack(emulator(), { projectName: "nf-or-key", program, config: openrouterConfig(emulator()) }, async (stack) => {
    const record = (hash: string) => emulator().openrouterState().keys[hash];
    const read = async (hash: string) => {
      const answer = await callOpenRouter(emulator(), "GET", `/keys/${hash}`, undefined, MANAGEMENT_KEY);
      expect(answer.status).toBe(200);
      return answer.body.data;
    };

    // Set at create: sent, stored, read back.
    emulator().clearRequestLog();
    const created = await stack.up();
    expect(changedOps(created.steps, TYPES.orApiKey)).toEqual(["create"]);
    const first = (await stateIds(stack, TYPES.orApiKey)).ci;
    expect(bodies("POST openrouter /keys")).toEqual([expect.objectContaining({ creator_user_id: "user_nf_alice", external: { user: "end-user-1" } })]);
    expect(record(first)).toMatchObject({ creator_user_id: "user_nf_alice", external_user: "end-user-1", deleted_at: null });
    expect(await read(first)).toMatchObject({ creator_user_id: "user_nf_alice", external_user: "end-user-1" });
    expect(created.outputs.creatorUserId.value).toBe("user_nf_alice");
    expect(created.outputs.externalUser.value).toBe("end-user-1");
    await expectCleanPreview(stack);

    const expectReplaced = async (previous: string, expected: { creator_user_id: string; external_user: string }, property: string) => {
      const preview = await stack.preview();
      const ops = changedOps(preview.steps, TYPES.orApiKey);
      expect(ops.some((op) => op === "replace" || op === "create-replacement")).toBe(true);
      expect(ops).not.toContain("update");
      expect(preview.diffText).toMatch(new RegExp(`^\\s*[-+~] ${property}\\s*:`, "m"));
      const result = await stack.up();
      expect(changedOps(result.steps, TYPES.orApiKey).some((op) => op === "replace" || op === "create-replacement")).toBe(true);
      const next = (await stateIds(stack, TYPES.orApiKey)).ci;
      expect(next).not.toBe(previous);
      expect(result.outputs.hash.value).toBe(next);
      expect(record(previous).deleted_at).not.toBeNull();
      expect((await callOpenRouter(emulator(), "GET", `/keys/${previous}`, undefined, MANAGEMENT_KEY)).status).toBe(404);
      expect(record(next)).toMatchObject({ ...expected, deleted_at: null });
      expect(await read(next)).toMatchObject(expected);
      expect(Object.values(emulator().openrouterState().keys).filter((k) => k.name === "nf-key" && !k.deleted_at).map((k) => k.hash)).toEqual([next]);
      await expectCleanPreview(stack);
      return next;
    };

    // Changing the creator replaces the key.
    declared = { creatorUserId: "user_nf_bob", externalUser: "end-user-1" };
    const second = await expectReplaced(first, { creator_user_id: "user_nf_bob", external_user: "end-user-1" }, "creatorUserId");

    // Changing the external user replaces the key.
    declared = { creatorUserId: "user_nf_bob", externalUser: "end-user-2" };
    await expectReplaced(second, { creator_user_id: "user_nf_bob", external_user: "end-user-2" }, "externalUser");
  });
});
