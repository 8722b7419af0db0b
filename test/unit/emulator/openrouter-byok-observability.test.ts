/** The emulator's OpenRouter /byok and /observability/destinations routes, against openrouter-api-more.md §0, §6, §7. */
import { useEmulator } from "../../support/emulator";

const MANAGEMENT_KEY = "sk-or-mgmt-test-byok-0123456789";
const emulator = useEmulator({ managementKeys: [MANAGEMENT_KEY] });

async function call(method: string, route: string, body?: unknown) {
  const headers = { "content-type": "application/json", authorization: `Bearer ${MANAGEMENT_KEY}` };
  const response = await fetch(`${emulator().openrouterBaseUrl}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

const OPENAI_KEY = "sk-proj-abcdefghijklmnop1234";
const S3 = { bucketName: "traces", accessKeyId: "AKIAEXAMPLE123", secretAccessKey: "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY" };

function defaultWorkspaceId(): string {
  return Object.values(emulator().openrouterState().workspaces).find((w) => w.is_default)!.id;
}

describe("/byok", () => {
  let hash = "";
  beforeAll(async () => {
    hash = (await call("POST", "/keys", { name: "inference" })).body.data.hash;
  });

  test("create answers 201 {data} in the default workspace, never the credential; label masks it", async () => {
    const created = await call("POST", "/byok", { provider: "openai", key: OPENAI_KEY, name: "prod", is_fallback: true, allowed_api_key_hashes: [hash], allowed_models: ["openai/gpt-4o"] });
    expect(created.status).toBe(201);
    expect(created.body.data).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      provider: "openai",
      workspace_id: defaultWorkspaceId(),
      name: "prod",
      label: "sk-p...1234",
      disabled: false,
      is_fallback: true,
      is_byok_only: false,
      is_required: false,
      declared_region: null,
      declared_zdr: null,
      sort_order: 0,
      allowed_api_key_hashes: [hash],
      allowed_models: ["openai/gpt-4o"],
      allowed_user_ids: null,
      created_at: expect.any(String),
    });
    expect(JSON.stringify(created.body)).not.toContain(OPENAI_KEY);
    const second = await call("POST", "/byok", { provider: "openai", key: "sk-other-key-000000000" });
    expect(second.body.data.sort_order).toBe(1);
    expect((await call("GET", `/byok/${created.body.data.id}`)).body.data).toEqual(created.body.data);
  });

  test("list pages with {data, total_count}, filtered by provider and workspace", async () => {
    await call("POST", "/byok", { provider: "anthropic", key: "sk-ant-000000000000" });
    const all = await call("GET", "/byok?limit=2");
    expect(all.body.total_count).toBe(3);
    expect(all.body.data).toHaveLength(2);
    expect((await call("GET", "/byok?provider=anthropic")).body.data.map((k: { provider: string }) => k.provider)).toEqual(["anthropic"]);
    const other = (await call("POST", "/workspaces", { name: "Other", slug: "byok-other" })).body.data.id;
    expect((await call("GET", `/byok?workspace_id=${other}`)).body).toEqual({ data: [], total_count: 0 });
    expect((await call("GET", "/byok?limit=101")).status).toBe(400);
  });

  test("PATCH rotates the key (label regenerated), clears lists with null, refuses provider and workspace_id", async () => {
    const id = (await call("POST", "/byok", { provider: "mistral", key: "mistral-first-000000", allowed_user_ids: ["user_2abc"] })).body.data.id;
    const patched = await call("PATCH", `/byok/${id}`, { key: "mistral-second-99999", allowed_user_ids: null, disabled: true, name: null });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ label: "mist...9999", allowed_user_ids: null, disabled: true, name: null });
    expect(emulator().openrouterState().byokKeys![id].key).toBe("mistral-second-99999");
    expect((await call("PATCH", `/byok/${id}`, { provider: "openai" })).status).toBe(400);
    expect((await call("PATCH", `/byok/${id}`, { workspace_id: defaultWorkspaceId() })).status).toBe(400);
  });

  test("validation: required fields, hash pattern and ownership, list bounds, unknown workspace", async () => {
    expect((await call("POST", "/byok", { key: "x" })).status).toBe(400);
    expect((await call("POST", "/byok", { provider: "openai" })).status).toBe(400);
    expect((await call("POST", "/byok", { provider: "openai", key: "" })).status).toBe(400);
    expect((await call("POST", "/byok", { provider: "openai", key: "k", allowed_api_key_hashes: ["ABC"] })).status).toBe(400);
    expect((await call("POST", "/byok", { provider: "openai", key: "k", allowed_api_key_hashes: [] })).status).toBe(400);
    const foreign = await call("POST", "/byok", { provider: "openai", key: "k", allowed_api_key_hashes: ["a".repeat(64)] });
    expect(foreign).toEqual({ status: 400, body: { error: { code: 400, message: expect.stringContaining("not an API key of this account") } } });
    expect((await call("POST", "/byok", { provider: "openai", key: "k", allowed_models: Array(101).fill("m") })).status).toBe(400);
    expect((await call("POST", "/byok", { provider: "openai", key: "k", name: "n".repeat(256) })).status).toBe(400);
    expect((await call("POST", "/byok", { provider: "openai", key: "k", workspace_id: "not-a-uuid" })).status).toBe(400);
    expect((await call("POST", "/byok", { provider: "openai", key: "k", workspace_id: "00000000-0000-4000-8000-000000000000" })).status).toBe(404);
  });

  test("delete is soft: {deleted: true}, the credential wiped, then 404", async () => {
    const id = (await call("POST", "/byok", { provider: "groq", key: "gsk-0000000000000" })).body.data.id;
    expect(await call("DELETE", `/byok/${id}`)).toEqual({ status: 200, body: { deleted: true } });
    expect(emulator().openrouterState().byokKeys![id]).toMatchObject({ key: "", deleted_at: expect.any(String) });
    expect((await call("GET", `/byok/${id}`)).status).toBe(404);
    expect((await call("PATCH", `/byok/${id}`, { name: "x" })).status).toBe(404);
    expect((await call("DELETE", `/byok/${id}`)).status).toBe(404);
  });
});

describe("/observability/destinations", () => {
  const base = "/observability/destinations";

  test("create answers 201 with defaults filled in and credentials masked", async () => {
    const created = await call("POST", base, { type: "s3", name: "traces", config: S3, sampling_rate: 0.5 });
    expect(created.status).toBe(201);
    expect(created.body.data).toEqual({
      id: expect.any(String),
      workspace_id: defaultWorkspaceId(),
      type: "s3",
      name: "traces",
      config: { bucketName: "traces", accessKeyId: "AKIAEXAMPLE123", secretAccessKey: "wJal...EKEY", prefix: "openrouter-traces", pathTemplate: "{prefix}/{date}" },
      enabled: true,
      privacy_mode: false,
      sampling_rate: 0.5,
      api_key_hashes: null,
      broadcast_generation_cost: false,
      broadcast_generation_cost_allocation: false,
      regions: ["global"],
      broadcast_generation_identity: false,
      broadcast_generation_request_context: false,
      filter_rules: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(JSON.stringify(created.body)).not.toContain(S3.secretAccessKey);
  });

  test("per-type config validation: required camelCase keys, string values, headers a string map", async () => {
    const snake = await call("POST", base, { type: "s3", name: "snake", config: { bucket_name: "b", access_key_id: "a", secret_access_key: "s" } });
    expect(snake.status).toBe(400);
    expect(snake.body.error.message).toMatch(/bucketName.*received undefined/);
    expect((await call("POST", base, { type: "langfuse", name: "lf", config: { publicKey: "pk" } })).body.error.message).toMatch(/secretKey/);
    expect((await call("POST", base, { type: "webhook", name: "wh", config: { url: "https://x", headers: { a: 1 } } })).status).toBe(400);
    expect((await call("POST", base, { type: "webhook", name: "wh", config: { url: "https://x", method: 5 } })).status).toBe(400);
    expect((await call("POST", base, { type: "nope", name: "n", config: {} })).status).toBe(400);
    expect((await call("POST", base, { type: "webhook", config: { url: "https://x" } })).status).toBe(400);
    expect((await call("POST", base, { type: "webhook", name: "wh" })).status).toBe(400);
    expect((await call("POST", base, { type: "webhook", name: "wh", config: { url: "https://x" }, sampling_rate: 0 })).status).toBe(400);
    expect((await call("POST", base, { type: "webhook", name: "wh", config: { url: "https://x" }, api_key_hashes: [] })).status).toBe(400);
    const rules = { groups: [{ rules: [{ field: "bogus", operator: "equals", value: "x" }] }] };
    expect((await call("POST", base, { type: "webhook", name: "wh", config: { url: "https://x" }, filter_rules: rules })).status).toBe(400);
  });

  test("filter rules get their defaults; every create field is stored", async () => {
    const created = await call("POST", base, {
      type: "webhook",
      name: "hook",
      config: { url: "https://hooks.example/t", headers: { Authorization: "Bearer abc" } },
      enabled: false,
      privacy_mode: true,
      broadcast_generation_cost: true,
      broadcast_generation_identity: true,
      broadcast_generation_request_context: true,
      filter_rules: { groups: [{ rules: [{ field: "model", operator: "starts_with", value: "openai/" }, { field: "total_cost", operator: "gt", value: 0.5 }] }] },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      config: { url: "https://hooks.example/t", method: "POST", headers: { Authorization: "Bearer abc" } },
      enabled: false,
      privacy_mode: true,
      broadcast_generation_cost: true,
      broadcast_generation_identity: true,
      broadcast_generation_request_context: true,
      filter_rules: { enabled: true, groups: [{ logic: "and", rules: [{ field: "model", operator: "starts_with", value: "openai/" }, { field: "total_cost", operator: "gt", value: 0.5 }] }] },
    });
  });

  test("PATCH merges config: omitted keys kept, masked echoes ignored, new secrets taken; type and workspace_id refused", async () => {
    const created = (await call("POST", base, { type: "langfuse", name: "lf", config: { publicKey: "pk-lf-1", secretKey: "sk-lf-first-000000" } })).body.data;
    const echoed = await call("PATCH", `${base}/${created.id}`, { config: { ...created.config, baseUrl: "https://eu.cloud.langfuse.com" } });
    expect(echoed.status).toBe(200);
    const stored = () => emulator().openrouterState().destinations![created.id];
    expect(stored().config).toEqual({ publicKey: "pk-lf-1", secretKey: "sk-lf-first-000000", baseUrl: "https://eu.cloud.langfuse.com" });
    await call("PATCH", `${base}/${created.id}`, { config: { secretKey: "sk-lf-second-11111" }, name: "renamed", sampling_rate: 0.25 });
    expect(stored()).toMatchObject({ name: "renamed", sampling_rate: 0.25, config: { publicKey: "pk-lf-1", secretKey: "sk-lf-second-11111", baseUrl: "https://eu.cloud.langfuse.com" } });
    expect((await call("PATCH", `${base}/${created.id}`, { type: "datadog" })).status).toBe(400);
    expect((await call("PATCH", `${base}/${created.id}`, { workspace_id: defaultWorkspaceId() })).status).toBe(400);
    expect((await call("PATCH", `${base}/${created.id}`, { config: { secretKey: "" } })).status).toBe(400);
  });

  test("api_key_hashes: own keys only, null clears; filter_rules null clears", async () => {
    const hash = (await call("POST", "/keys", { name: "filtered" })).body.data.hash;
    const id = (await call("POST", base, { type: "otel-collector", name: "otel", config: { endpoint: "https://otel.example" }, api_key_hashes: [hash], filter_rules: { groups: [] } })).body.data.id;
    expect((await call("GET", `${base}/${id}`)).body.data).toMatchObject({ api_key_hashes: [hash], filter_rules: { enabled: true, groups: [] } });
    expect((await call("PATCH", `${base}/${id}`, { api_key_hashes: ["b".repeat(64)] })).status).toBe(400);
    expect((await call("PATCH", `${base}/${id}`, { api_key_hashes: null, filter_rules: null })).body.data).toMatchObject({ api_key_hashes: null, filter_rules: null });
  });

  test("at most 5 destinations per type in a workspace (409); list pages; delete is soft", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await call("POST", base, { type: "datadog", name: `dd-${i}`, config: { apiKey: "dd-api-key-000000", mlApp: "app" } })).body.data.id);
    const sixth = await call("POST", base, { type: "datadog", name: "dd-6", config: { apiKey: "dd-api-key-000000", mlApp: "app" } });
    expect(sixth.status).toBe(409);
    expect(sixth.body.error.code).toBe(409);
    const page = await call("GET", `${base}?offset=1&limit=2`);
    expect(page.body.data).toHaveLength(2);
    expect(page.body.total_count).toBeGreaterThanOrEqual(9);
    expect(await call("DELETE", `${base}/${made[0]}`)).toEqual({ status: 200, body: { deleted: true } });
    expect((await call("GET", `${base}/${made[0]}`)).status).toBe(404);
    expect((await call("POST", base, { type: "datadog", name: "dd-6", config: { apiKey: "dd-api-key-000000", mlApp: "app" } })).status).toBe(201);
  });

  test("without a default workspace, workspace_id becomes mandatory (400)", async () => {
    const workspace = (await call("POST", "/workspaces", { name: "Kept", slug: "kept" })).body.data.id;
    const state = emulator().openrouterState();
    const defaultWorkspace = Object.values(state.workspaces).find((w) => w.is_default)!;
    defaultWorkspace.deleted_at = new Date().toISOString();
    try {
      expect((await call("GET", base)).status).toBe(400);
      expect((await call("POST", "/byok", { provider: "openai", key: "k" })).status).toBe(400);
      expect((await call("POST", base, { type: "webhook", name: "w", config: { url: "https://x" }, workspace_id: workspace })).status).toBe(201);
      expect((await call("GET", `/byok?workspace_id=${workspace}`)).status).toBe(200);
    } finally {
      defaultWorkspace.deleted_at = null;
    }
  });
});
