/**
 * Sends seeded random bodies (and malformed, oversized and misrouted
 * requests) to every Portkey route the emulator serves, then checks that the emulator still answers and
 * that its state still holds together.
 */
import { SeededRandom } from "../../../emulator/random";
import { call, useEmulator } from "../../support/emulator";

const emulator = useEmulator({ maxBodyBytes: 64 * 1024 });

const FIELDS = [
  "name", "description", "defaults", "metadata", "usage_limits", "rate_limits", "scopes", "workspace_id", "user_id",
  "workspaces", "id", "enabled", "credit_limit", "alert_threshold", "periodic_reset", "type", "unit", "value",
  "force_delete", "reset_usage", "key_transition_period_ms", "rotation_policy", "expires_at", "alert_emails",
  "slug", "ai_provider_id", "key", "create_default_provider", "default_provider_slug", "override_existing_workspace_access",
  "configurations", "icon", "input_guardrails", "user_api_key_config", "global_workspace_access", "global_workspace_access_settings",
  "rotation_period_days", "next_rotation_at", "aws_auth_type", "aws_region",
  "users", "role", "email", "workspace_role", "config", "checks", "actions", "manager_type", "auth_config", "secret_path",
  "conditions", "group_by", "value_type", "models", "allow_all_models", "integration_id", "note", "organisation_id",
  "string", "parameters", "virtual_key", "collection_id", "parent_collection_id", "version", "label_id", "patch",
  "url", "auth_type", "transport", "capabilities", "mcp_integration_id", "user_access", "default_user_access",
  "scim_group_id", "scim_group_name", "output_guardrails", "excluded", "override_existing", "target", "pricing_adjustments",
];

function randomValue(random: SeededRandom, depth: number, knownIds: string[]): unknown {
  switch (random.below(depth > 2 ? 6 : 9)) {
    case 0: return null;
    case 1: return random.next() < 0.5;
    case 2: return Math.floor((random.next() - 0.3) * 10 ** random.below(8));
    case 3: return ["", "x", "monthly", "weekly", "cost", "requests", "rpm", "🚀 Rocket", "a".repeat(150)][random.below(9)];
    case 4: return knownIds.length > 0 ? knownIds[random.below(knownIds.length)] : "unknown";
    case 5: return new Date(Date.now() + (random.next() - 0.5) * 1e10).toISOString();
    case 6: return Array.from({ length: random.below(4) }, () => randomValue(random, depth + 1, knownIds));
    default: return randomObject(random, depth + 1, knownIds);
  }
}

function randomObject(random: SeededRandom, depth: number, knownIds: string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (let i = random.below(6); i > 0; i--) result[FIELDS[random.below(FIELDS.length)]] = randomValue(random, depth, knownIds);
  return result;
}

/** Every Portkey route the emulator serves (the OpenRouter ones have their own suites), so new routes are fuzzed too. */
function portkeyRoutes(): [string, string][] {
  return emulator()
    .routes()
    .filter((name) => !name.includes(" openrouter "))
    .map((name) => name.split(" ") as [string, string]);
}

/** A value for a path parameter: a known id or slug mostly, else junk; path enums from their lists. */
function pathValue(random: SeededRandom, parameter: string, pick: () => string): string {
  if (parameter === "type") return ["organisation", "workspace", "bogus"][random.below(3)];
  if (parameter === "sub-type") return ["service", "user", "bogus"][random.below(3)];
  return pick();
}

// A generous timeout: 3,000 sequential requests, on machines shared with other suites.
test("random requests never crash the emulator or corrupt its state", async () => {
  const random = new SeededRandom(20261123);
  const statuses = new Map<number, number>();
  const routes = portkeyRoutes();
  expect(routes.length).toBeGreaterThan(40);
  for (let i = 0; i < 3000; i++) {
    const state = emulator().state();
    const ids = [
      ...Object.keys(state.workspaces),
      ...Object.values(state.workspaces).map((w) => w.slug),
      ...Object.keys(state.api_keys),
      ...Object.keys(state.integrations),
      ...Object.values(state.providers).map((p) => p.slug),
      ...Object.keys(state.configs ?? {}),
      ...Object.values(state.guardrails ?? {}).map((g) => g.slug),
      ...Object.keys(state.users ?? {}),
      ...Object.values(state.prompt_collections ?? {}).map((c) => c.slug),
      ...Object.values(state.prompts ?? {}).flatMap((p) => [p.slug, ...p.versions.map((v) => v.id)]),
      ...Object.keys(state.prompt_partials ?? {}),
      ...Object.keys(state.prompt_labels ?? {}),
      ...Object.values(state.mcp_integrations ?? {}).map((i) => i.slug),
      ...Object.keys(state.mcp_servers ?? {}),
      ...Object.keys(state.scim_workspace_mappings ?? {}),
    ];
    const [method, template] = routes[random.below(routes.length)];
    const pick = () => (ids.length > 0 && random.next() < 0.8 ? ids[random.below(ids.length)] : `junk-${random.below(100)}`);
    const path = template.replace(/\{([^}]+)\}/g, (_match, parameter: string) => encodeURIComponent(pathValue(random, parameter, pick)));
    const roll = random.next();
    const body =
      method === "GET" ? undefined
        : roll < 0.05 ? "{not json"
          : roll < 0.08 ? JSON.stringify({ name: "x".repeat(70 * 1024) })
            : roll < 0.1 ? JSON.stringify([1, 2, 3])
              : JSON.stringify(randomObject(random, 0, ids));
    const response = await call(emulator(), method, path, body);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    expect(response.status).not.toBe(500);
    if (response.status >= 400) {
      // The admin envelope; guardrail handlers answer in the shape the document gives them (a body that
      // is not JSON is refused before any handler, in the admin envelope).
      const admin = { success: false, data: { message: expect.any(String), errorCode: expect.stringMatching(/^AB0\d$/) } };
      const guardrail = { error: { message: expect.any(String), type: expect.any(String), param: null, code: expect.stringMatching(/^AB0\d$/) } };
      expect(response.body).toEqual(template.startsWith("/guardrails") && "error" in (response.body as object) ? guardrail : admin);
    }
  }
  // Successes and each kind of refusal all occurred, so the run exercised the handlers.
  expect(statuses.get(200)).toBeGreaterThan(50);
  expect(statuses.get(400)).toBeGreaterThan(50);
  expect(statuses.get(413)).toBeGreaterThan(0);

  const state = emulator().state();
  const workspaces = Object.values(state.workspaces);
  expect(new Set(workspaces.map((w) => w.slug)).size).toBe(workspaces.length);
  for (const w of workspaces) {
    expect(typeof w.name).toBe("string");
    expect(Array.isArray(w.usage_limits) && Array.isArray(w.rate_limits)).toBe(true);
  }
  for (const key of Object.values(state.api_keys)) {
    if (key.workspace_id !== null) expect(state.workspaces[key.workspace_id]).toBeDefined();
    expect(key.scopes.length).toBeGreaterThan(0);
    expect(key.secrets.filter((s) => s.expires_at === null)).toHaveLength(1);
    expect(key.secrets.length).toBeLessThanOrEqual(2);
  }
  for (const provider of Object.values(state.providers)) {
    expect(state.workspaces[provider.workspace_id]?.deleted_at ?? null).toBeNull();
  }
  for (const integration of Object.values(state.integrations)) {
    for (const row of Object.values(integration.access)) {
      expect(state.workspaces[row.workspace_id]).toBeDefined();
      expect(row.usage_limits.length).toBeLessThanOrEqual(1);
      expect(row.rate_limits.length).toBeLessThanOrEqual(1);
    }
  }
  // Still serving, and still conforming to the official document.
  expect((await call(emulator(), "GET", "/admin/workspaces")).status).toBe(200);
  expect(emulator().specViolations()).toEqual([]);
}, 120_000);

test("unknown routes and wrong methods get the error envelope", async () => {
  const unknown = await call(emulator(), "GET", "/no/such/route");
  expect(unknown.status).toBe(404);
  expect(unknown.body.data.errorCode).toBe("AB08");
  const wrongMethod = await call(emulator(), "PATCH", "/admin/workspaces");
  expect(wrongMethod.status).toBe(405);
  expect(wrongMethod.body.success).toBe(false);
});
