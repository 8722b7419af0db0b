/**
 * The emulator's OpenRouter guardrail routes: create/get/update/delete with the
 * documented envelopes and checks, the workspace default guardrail materialised
 * by its first PATCH, and the bulk key and member assignment endpoints (moves,
 * removal of one item only), plus the organisation-member seeding hook.
 */
import { useEmulator } from "../../support/emulator";

const MANAGEMENT_KEY = "sk-or-mgmt-guardrails-0123456789";
const emulator = useEmulator({ managementKeys: [MANAGEMENT_KEY] });

async function call(method: string, route: string, body?: unknown) {
  const response = await fetch(`${emulator().openrouterBaseUrl}${route}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${MANAGEMENT_KEY}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

async function seedMember(userId: string) {
  const response = await fetch(`${emulator().url}/_emulator/openrouter/organization-members`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ members: [{ id: userId, email: `${userId}@example.com` }] }),
  });
  expect(response.status).toBe(200);
}

let workspaceId: string;
let defaultGuardrailId: string;

beforeAll(async () => {
  const ws = await call("POST", "/workspaces", { name: "Guarded", slug: "guarded" });
  workspaceId = ws.body.data.id;
  defaultGuardrailId = ws.body.data.default_guardrail_id;
});

describe("guardrails", () => {
  let id: string;

  test("create answers 201 {data} with every field; model slugs come back canonical", async () => {
    const created = await call("POST", "/guardrails", {
      name: "strict",
      workspace_id: workspaceId,
      limit_usd: 10,
      reset_interval: "weekly",
      allowed_models: ["openai/gpt-4o", "meta/llama-x"],
      allowed_providers: ["openai"],
      enforce_zdr_openai: true,
      content_filters: [{ pattern: "secret-\\d+", action: "block" }],
      content_filter_builtins: [{ slug: "email", action: "redact", label: "ignored" }, { slug: "regex-prompt-injection", action: "flag" }],
      allowed_data_regions: ["europe"],
    });
    expect(created.status).toBe(201);
    id = created.body.data.id;
    expect(created.body.data).toMatchObject({
      name: "strict",
      workspace_id: workspaceId,
      limit_usd: 10,
      reset_interval: "weekly",
      include_byok_in_budgets: false,
      allowed_models: ["openai/gpt-4o-2024-05-13", "meta/llama-x"],
      enforce_zdr_openai: true,
      enforce_zdr_google: null,
      content_filters: [{ pattern: "secret-\\d+", action: "block", label: null }],
      content_filter_builtins: [
        { slug: "email", action: "redact", label: "[EMAIL]" },
        { slug: "regex-prompt-injection", action: "flag", label: "[PROMPT_INJECTION]", scan_scope: "all_messages" },
      ],
      allowed_data_regions: ["europe"],
      updated_at: null,
    });
    expect((await call("GET", `/guardrails/${id}`)).body.data.id).toBe(id);
    const listed = await call("GET", `/guardrails?workspace_id=${workspaceId}`);
    expect(listed.body).toMatchObject({ total_count: 1, data: [{ id }] });
  });

  test("without workspace_id a guardrail goes to the default workspace", async () => {
    const made = await call("POST", "/guardrails", { name: "global-ish" });
    const defaultWorkspace = Object.values(emulator().openrouterState().workspaces).find((w) => w.is_default)!;
    expect(made.body.data.workspace_id).toBe(defaultWorkspace.id);
    expect((await call("GET", "/guardrails")).body.data.map((g: { id: string }) => g.id)).toContain(made.body.data.id);
    await call("DELETE", `/guardrails/${made.body.data.id}`);
  });

  test("PATCH replaces collections, clears with null, keeps what it does not name", async () => {
    const patched = await call("PATCH", `/guardrails/${id}`, { allowed_providers: ["anthropic", "google"], content_filters: null, description: "d" });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ allowed_providers: ["anthropic", "google"], content_filters: null, description: "d", limit_usd: 10 });
    expect(patched.body.data.updated_at).not.toBeNull();
  });

  test("deprecated enforce_zdr fans out into the per-group fields not sent", async () => {
    const patched = await call("PATCH", `/guardrails/${id}`, { enforce_zdr: true, enforce_zdr_xai: false });
    expect(patched.body.data).toMatchObject({ enforce_zdr_anthropic: true, enforce_zdr_openai: true, enforce_zdr_google: true, enforce_zdr_other: true, enforce_zdr_xai: false });
  });

  test("invalid bodies are refused with 400 in OpenRouter's envelope", async () => {
    const cases: unknown[] = [
      {},
      { name: "x".repeat(201) },
      { name: "n", workspace_id: "not-a-uuid" },
      { name: "n", limit_usd: 5 }, // without reset_interval (TFOR)
      { name: "n", allowed_models: [] },
      { name: "n", content_filters: [{ pattern: "(", action: "block" }] },
      { name: "n", content_filter_builtins: [{ slug: "email", action: "redact", scan_scope: "user_only" }] },
      { name: "n", content_filter_builtins: [{ slug: "nope", action: "redact" }] },
      { name: "n", allowed_data_regions: [] },
      { name: "n", reset_interval: "hourly", limit_usd: 1 },
    ];
    for (const body of cases) {
      const answer = await call("POST", "/guardrails", body);
      expect({ body, status: answer.status, code: answer.body.error?.code }).toEqual({ body, status: 400, code: 400 });
    }
    expect((await call("PATCH", `/guardrails/${id}`, { workspace_id: workspaceId })).status).toBe(400);
    // A refused PATCH changes nothing.
    expect((await call("PATCH", `/guardrails/${id}`, { description: "changed", limit_usd: 1 })).status).toBe(400);
    expect((await call("GET", `/guardrails/${id}`)).body.data.description).toBe("d");
  });

  test("delete answers {deleted: true}; then 404", async () => {
    const made = await call("POST", "/guardrails", { name: "short-lived", workspace_id: workspaceId });
    expect(await call("DELETE", `/guardrails/${made.body.data.id}`)).toEqual({ status: 200, body: { deleted: true } });
    expect(await call("GET", `/guardrails/${made.body.data.id}`)).toEqual({ status: 404, body: { error: { code: 404, message: "Guardrail not found" } } });
    expect((await call("DELETE", `/guardrails/${made.body.data.id}`)).status).toBe(404);
  });
});

describe("workspace default guardrail", () => {
  test("404 and unlisted until its first PATCH, which materialises it", async () => {
    expect((await call("GET", `/guardrails/${defaultGuardrailId}`)).status).toBe(404);
    const patched = await call("PATCH", `/guardrails/${defaultGuardrailId}`, { allowed_data_regions: ["europe", "us"], enforce_zdr_other: true });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ id: defaultGuardrailId, workspace_id: workspaceId, name: `Workspace ${workspaceId} Default`, allowed_data_regions: ["europe", "us"] });
    expect((await call("GET", `/guardrails/${defaultGuardrailId}`)).body.data.enforce_zdr_other).toBe(true);
  });

  test("cannot be renamed, deleted or assigned", async () => {
    expect((await call("PATCH", `/guardrails/${defaultGuardrailId}`, { name: "renamed" })).status).toBe(400);
    expect((await call("DELETE", `/guardrails/${defaultGuardrailId}`)).status).toBe(400);
    const key = await call("POST", "/keys", { name: "k", workspace_id: workspaceId });
    expect((await call("POST", `/guardrails/${defaultGuardrailId}/assignments/keys`, { key_hashes: [key.body.data.hash] })).status).toBe(400);
    await call("DELETE", `/keys/${key.body.data.hash}`);
  });

  test("an unknown guardrail id is 404 on PATCH too", async () => {
    expect((await call("PATCH", "/guardrails/00000000-0000-4000-8000-000000000000", { description: "x" })).status).toBe(404);
  });
});

describe("assignments", () => {
  let first: string;
  let second: string;
  const hashes: string[] = [];

  beforeAll(async () => {
    first = (await call("POST", "/guardrails", { name: "a", workspace_id: workspaceId })).body.data.id;
    second = (await call("POST", "/guardrails", { name: "b", workspace_id: workspaceId })).body.data.id;
    for (const name of ["k1", "k2"]) hashes.push((await call("POST", "/keys", { name, workspace_id: workspaceId })).body.data.hash);
  });

  test("keys: each assign adds to the list; remove takes only the named key", async () => {
    expect((await call("POST", `/guardrails/${first}/assignments/keys`, { key_hashes: [hashes[0]] })).body).toEqual({ assigned_count: 1 });
    expect((await call("POST", `/guardrails/${first}/assignments/keys`, { key_hashes: [hashes[1]] })).body).toEqual({ assigned_count: 1 });
    let listed = await call("GET", `/guardrails/${first}/assignments/keys`);
    expect(listed.body.total_count).toBe(2);
    expect(listed.body.data[0]).toMatchObject({ guardrail_id: first, key_hash: hashes[0], key_name: "k1", key_label: expect.stringMatching(/^sk-or-v1-/), assigned_by: null });
    expect((await call("POST", `/guardrails/${first}/assignments/keys/remove`, { key_hashes: [hashes[0]] })).body).toEqual({ unassigned_count: 1 });
    listed = await call("GET", `/guardrails/${first}/assignments/keys`);
    expect(listed.body.data.map((a: { key_hash: string }) => a.key_hash)).toEqual([hashes[1]]);
  });

  test("a key holds one guardrail: assigning it elsewhere moves it", async () => {
    await call("POST", `/guardrails/${second}/assignments/keys`, { key_hashes: [hashes[1]] });
    expect((await call("GET", `/guardrails/${first}/assignments/keys`)).body.total_count).toBe(0);
    expect((await call("GET", "/guardrails/assignments/keys")).body.data).toEqual([expect.objectContaining({ guardrail_id: second, key_hash: hashes[1] })]);
  });

  test("keys from another workspace, unknown keys and empty lists are refused", async () => {
    const elsewhere = await call("POST", "/keys", { name: "elsewhere" });
    expect((await call("POST", `/guardrails/${first}/assignments/keys`, { key_hashes: [elsewhere.body.data.hash] })).status).toBe(400);
    expect((await call("POST", `/guardrails/${first}/assignments/keys`, { key_hashes: ["f".repeat(64)] })).status).toBe(400);
    expect((await call("POST", `/guardrails/${first}/assignments/keys`, { key_hashes: [] })).status).toBe(400);
    expect((await call("GET", "/guardrails/00000000-0000-4000-8000-000000000000/assignments/keys")).status).toBe(404);
  });

  test("members: only members of the organisation and of the guardrail's workspace; one guardrail per member and workspace; remove takes one", async () => {
    expect((await call("POST", `/guardrails/${first}/assignments/members`, { member_user_ids: ["user_nobody"] })).status).toBe(400);
    await seedMember("user_alice");
    await seedMember("user_bob");
    const outsider = await call("POST", `/guardrails/${first}/assignments/members`, { member_user_ids: ["user_alice"] });
    expect(outsider.status).toBe(400);
    expect(outsider.body.error.message).toMatch(/not a member of workspace/);
    expect((await call("POST", `/workspaces/${workspaceId}/members/add`, { user_ids: ["user_alice", "user_bob"] })).status).toBe(200);
    await call("POST", `/guardrails/${first}/assignments/members`, { member_user_ids: ["user_alice"] });
    await call("POST", `/guardrails/${first}/assignments/members`, { member_user_ids: ["user_bob"] });
    const listed = await call("GET", `/guardrails/${first}/assignments/members`);
    expect(listed.body.data).toEqual([
      expect.objectContaining({ guardrail_id: first, user_id: "user_alice", organization_id: expect.any(String) }),
      expect.objectContaining({ guardrail_id: first, user_id: "user_bob" }),
    ]);
    await call("POST", `/guardrails/${second}/assignments/members`, { member_user_ids: ["user_alice"] });
    expect((await call("GET", `/guardrails/${first}/assignments/members`)).body.data.map((a: { user_id: string }) => a.user_id)).toEqual(["user_bob"]);
    expect((await call("POST", `/guardrails/${second}/assignments/members/remove`, { member_user_ids: ["user_alice"] })).body).toEqual({ unassigned_count: 1 });
    expect((await call("GET", "/guardrails/assignments/members")).body.data.map((a: { user_id: string }) => a.user_id)).toEqual(["user_bob"]);
  });

  test("deleting a guardrail takes its assignments; deleting its workspace takes the guardrail", async () => {
    await call("DELETE", `/guardrails/${first}`);
    expect((await call("GET", "/guardrails/assignments/members")).body.total_count).toBe(0);
    for (const hash of hashes) await call("DELETE", `/keys/${hash}`);
    expect((await call("DELETE", `/workspaces/${workspaceId}`)).status).toBe(200);
    expect((await call("GET", `/guardrails/${second}`)).status).toBe(404);
    expect((await call("GET", `/guardrails/${defaultGuardrailId}`)).status).toBe(404);
  });
});
