/**
 * Issue 11, "Fields still missing": each new field through the real engine
 * against the emulator, set, changed, cleared and drift-detected (changed out
 * of band through the emulator's HTTP API, then refresh, preview shows an
 * update, up repairs it, the next preview is clean). After every up the
 * emulator's stored value is checked and a second preview must be clean.
 *
 * - openrouter.Workspace disabledServerTools, outputs includeByokInBudgets
 *   and createdBy.
 * - openrouter.ApiKey creatorUserId and externalUser (create-only: replace).
 */
import { openrouter } from "../../sdk";
import type { ApiKeyArgs as OpenRouterKeyArgs, WorkspaceArgs as OpenRouterWorkspaceArgs } from "../../sdk/openrouter";
import { callOpenRouter } from "../support/emulator";
import type { EngineStack, PreviewReport } from "./harness";
import {
  changedOps,
  MANAGEMENT_KEY,
  openrouterConfig,
  requests,
  ROUTES,
  stateIds,
  TYPES,
  useTrustEmulator,
  withStack,
} from "./trust-support";

jest.setTimeout(10 * 60_000);

const emulator = useTrustEmulator();

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
