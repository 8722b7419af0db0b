/**
 * What the newer official OpenRouter client (the generated Python SDK
 * `openrouter` 1.3.84, whose typed models refuse answers missing a required
 * field) reads, and the emulator answers alike (issue 26): `last_used_at` on
 * keys, the calling key's whole record at `GET /key`, BYOK region and routing
 * flags, destination regions and cost allocation, guardrail safety-retention
 * flags, and keys moved between workspaces.
 */
import { callOpenRouter, useEmulator } from "../../support/emulator";

const MANAGEMENT_KEY = "sk-or-mgmt-test-live-clients-0123";
const emulator = useEmulator({ managementKeys: [MANAGEMENT_KEY] });
const call = (method: string, path: string, body?: unknown) => callOpenRouter(emulator(), method, path, body, MANAGEMENT_KEY);

async function workspace(slug: string): Promise<string> {
  const made = await call("POST", "/workspaces", { name: slug, slug });
  expect(made.status).toBe(201);
  return made.body.data.id;
}

test("every API key answer has last_used_at (null: no traffic reaches the emulator)", async () => {
  const created = await call("POST", "/keys", { name: "used-never" });
  expect(created.body.data.last_used_at).toBeNull();
  const hash = created.body.data.hash;
  expect((await call("GET", `/keys/${hash}`)).body.data).toHaveProperty("last_used_at", null);
  expect((await call("PATCH", `/keys/${hash}`, { name: "renamed" })).body.data).toHaveProperty("last_used_at", null);
  const listed = (await call("GET", "/keys")).body.data.find((k: { hash: string }) => k.hash === hash);
  expect(listed).toHaveProperty("last_used_at", null);
});

test("GET /key answers the calling key's usage, limits, budgets, rate limit, workspace and organisation", async () => {
  const current = await call("GET", "/key");
  expect(current.status).toBe(200);
  expect(current.body.data).toEqual({
    label: expect.any(String),
    is_management_key: true,
    is_provisioning_key: true,
    is_free_tier: false,
    limit: null,
    limit_remaining: null,
    limit_reset: null,
    include_byok_in_limit: false,
    usage: 0,
    usage_daily: 0,
    usage_weekly: 0,
    usage_monthly: 0,
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
    budgets: [],
    effective_budget: null,
    allowed_data_regions: expect.any(Array),
    free_model_daily_requests: { limit: expect.any(Number), remaining: expect.any(Number), used: expect.any(Number) },
    rate_limit: { interval: expect.any(String), note: expect.any(String), requests: expect.any(Number) },
    creator_user_id: null,
    organization_id: expect.any(String),
    workspace_id: null,
    expires_at: null,
  });
});

test("BYOK keys answer declared_region, declared_zdr, is_byok_only and is_required, and take them on create and PATCH", async () => {
  const created = await call("POST", "/byok", { provider: "openai", key: "sk-proj-live-clients-0000" });
  expect(created.body.data).toMatchObject({ declared_region: null, declared_zdr: null, is_byok_only: false, is_required: false });
  const id = created.body.data.id;
  const patched = await call("PATCH", `/byok/${id}`, { declared_region: "europe", declared_zdr: true, is_byok_only: true, is_required: true });
  expect(patched.body.data).toMatchObject({ declared_region: "europe", declared_zdr: true, is_byok_only: true, is_required: true });
  expect((await call("GET", `/byok/${id}`)).body.data).toMatchObject({ declared_region: "europe", declared_zdr: true });
  // A fallback credential cannot also be BYOK-only; a refused PATCH changes nothing.
  expect((await call("PATCH", `/byok/${id}`, { is_fallback: true, name: "refused" })).status).toBe(400);
  expect((await call("GET", `/byok/${id}`)).body.data).toMatchObject({ is_fallback: false, is_byok_only: true, name: null });
  expect((await call("PATCH", `/byok/${id}`, { declared_region: "mars" })).status).toBe(400);
  expect((await call("PATCH", `/byok/${id}`, { declared_region: null, declared_zdr: null })).body.data).toMatchObject({ declared_region: null, declared_zdr: null });
});

test("observability destinations answer broadcast_generation_cost_allocation and regions (default global; eu reads europe)", async () => {
  const config = { url: "https://hooks.example.com/or" };
  const created = await call("POST", "/observability/destinations", { type: "webhook", name: "hook", config });
  expect(created.status).toBe(201);
  expect(created.body.data).toMatchObject({ broadcast_generation_cost_allocation: false, regions: ["global"] });
  const id = created.body.data.id;
  const patched = await call("PATCH", `/observability/destinations/${id}`, { broadcast_generation_cost_allocation: true, regions: ["eu", "us"] });
  expect(patched.body.data).toMatchObject({ broadcast_generation_cost_allocation: true, regions: ["europe", "us"] });
  expect((await call("PATCH", `/observability/destinations/${id}`, { regions: [] })).status).toBe(400);
  expect((await call("GET", `/observability/destinations/${id}`)).body.data.regions).toEqual(["europe", "us"]);
});

test("a guardrail keeps allow_safety_retention_google and allow_safety_retention_other (null: the account setting)", async () => {
  const created = await call("POST", "/guardrails", { name: "retention" });
  expect(created.body.data).toMatchObject({ allow_safety_retention_google: null, allow_safety_retention_other: null });
  const id = created.body.data.id;
  const patched = await call("PATCH", `/guardrails/${id}`, { allow_safety_retention_google: false, allow_safety_retention_other: true });
  expect(patched.body.data).toMatchObject({ allow_safety_retention_google: false, allow_safety_retention_other: true });
  expect((await call("GET", `/guardrails/${id}`)).body.data).toMatchObject({ allow_safety_retention_google: false, allow_safety_retention_other: true });
  expect((await call("PATCH", `/guardrails/${id}`, { allow_safety_retention_google: "no" })).status).toBe(400);
});

test("PATCH /keys/{hash} with workspace_id moves the key; it keeps its hash and secret; the current workspace is a no-op", async () => {
  const from = await workspace("move-from");
  const to = await workspace("move-to");
  const created = await call("POST", "/keys", { name: "mover", workspace_id: from });
  const hash = created.body.data.hash;
  const moved = await call("PATCH", `/keys/${hash}`, { workspace_id: to });
  expect(moved.status).toBe(200);
  expect(moved.body.data).toMatchObject({ hash, workspace_id: to });
  expect((await call("GET", `/keys?workspace_id=${to}`)).body.data.map((k: { hash: string }) => k.hash)).toEqual([hash]);
  expect((await call("GET", `/keys?workspace_id=${from}`)).body.data).toEqual([]);
  expect(emulator().openrouterState().keys[hash].secret).toBe(created.body.key);
  expect((await call("PATCH", `/keys/${hash}`, { workspace_id: to })).body.data.workspace_id).toBe(to);
  expect((await call("PATCH", `/keys/${hash}`, { workspace_id: "not-a-uuid" })).status).toBe(400);
  expect((await call("PATCH", `/keys/${hash}`, { workspace_id: "00000000-0000-4000-8000-000000000000" })).status).toBe(404);
  // The other create-only fields are still refused.
  expect((await call("PATCH", `/keys/${hash}`, { expires_at: null })).status).toBe(400);
});
