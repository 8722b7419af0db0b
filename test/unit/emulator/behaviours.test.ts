/**
 * The Portkey behaviours the emulator must reproduce, one test each, plus the
 * check that every response it gave conforms to the official OpenAPI document
 * apart from the listed, known deviations.
 */
import { ADMIN_KEY, call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function workspace(name: string, extra: Record<string, unknown> = {}) {
  const created = await call(emulator(), "POST", "/admin/workspaces", { name, ...extra });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string; name: string };
}

async function integration(slug: string) {
  const created = await call(emulator(), "POST", "/integrations", { name: slug, slug, ai_provider_id: "openai", key: "sk-test-fake-key-12345" });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string };
}

describe("workspaces", () => {
  test("id is a UUID and slug is separate", async () => {
    const ws = await workspace("Research");
    expect(ws.id).toMatch(UUID);
    expect(ws.slug).toMatch(/^ws-research-[0-9a-f]{6}$/);
    const bySlug = await call(emulator(), "GET", `/admin/workspaces/${ws.slug}`);
    expect(bySlug.body.id).toBe(ws.id);
  });

  test("PUT returns {} and the change is visible on GET", async () => {
    const ws = await workspace("Put target");
    const put = await call(emulator(), "PUT", `/admin/workspaces/${ws.id}`, { description: "new", defaults: { metadata: { team: "a" } } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({});
    const got = await call(emulator(), "GET", `/admin/workspaces/${ws.id}`);
    expect(got.body.description).toBe("new");
    expect(got.body.defaults.metadata).toEqual({ team: "a" });
  });

  test("null clears limits; omitted fields stay", async () => {
    const ws = await workspace("Limits", {
      usage_limits: [{ credit_limit: 100, type: "cost", alert_threshold: 80, periodic_reset: "monthly" }],
      rate_limits: [{ type: "requests", unit: "rpm", value: 60 }],
    });
    await call(emulator(), "PUT", `/admin/workspaces/${ws.id}`, { usage_limits: null });
    const got = await call(emulator(), "GET", `/admin/workspaces/${ws.id}`);
    expect(got.body.usage_limits).toEqual([]);
    expect(got.body.rate_limits).toEqual([{ type: "requests", unit: "rpm", value: 60 }]);
  });

  test("unset periodic_reset reads back as an empty string", async () => {
    const ws = await workspace("Reset quirk", { usage_limits: [{ credit_limit: 5, type: "cost" }] });
    const got = await call(emulator(), "GET", `/admin/workspaces/${ws.id}`);
    expect(got.body.usage_limits[0].periodic_reset).toBe("");
  });

  test("a name reads back as '<icon> <name>' when an icon is set, and plain on request", async () => {
    const ws = await workspace("Rocket", { icon: "🚀" });
    expect(ws.name).toBe("🚀 Rocket");
    const plain = await call(emulator(), "GET", `/admin/workspaces/${ws.id}?name_format=plain`);
    expect(plain.body.name).toBe("Rocket");
    const extracted = await workspace("🔥 Hot");
    const got = await call(emulator(), "GET", `/admin/workspaces/${extracted.id}`);
    expect(got.body.icon).toBe("🔥");
    expect(got.body.name).toBe("🔥 Hot");
  });

  test("DELETE needs the exact current name", async () => {
    const ws = await workspace("Named");
    const wrong = await call(emulator(), "DELETE", `/admin/workspaces/${ws.id}`, { name: "Other" });
    expect(wrong.status).toBe(400);
    expect(errorCode(wrong)).toBe("AB01");
    const none = await call(emulator(), "DELETE", `/admin/workspaces/${ws.id}`);
    expect(none.status).toBe(400);
    const right = await call(emulator(), "DELETE", `/admin/workspaces/${ws.id}`, { name: "Named" });
    expect(right.status).toBe(200);
  });

  test("a deleted workspace answers GET with 403 AB03; an unknown one with 404", async () => {
    const ws = await workspace("Doomed");
    await call(emulator(), "DELETE", `/admin/workspaces/${ws.id}`, { name: "Doomed" });
    const gone = await call(emulator(), "GET", `/admin/workspaces/${ws.id}`);
    expect(gone.status).toBe(403);
    expect(errorCode(gone)).toBe("AB03");
    const unknown = await call(emulator(), "GET", "/admin/workspaces/00000000-0000-4000-8000-000000000000");
    expect(unknown.status).toBe(404);
  });

  test("DELETE refuses with 409 AB07 while a default provider exists; force_delete cascades", async () => {
    const ws = await workspace("Has provider");
    const intg = await integration("openai-delete-test");
    await call(emulator(), "PUT", `/integrations/${intg.slug}/workspaces`, { workspaces: [{ id: ws.id, enabled: true }] });
    const refused = await call(emulator(), "DELETE", `/admin/workspaces/${ws.id}`, { name: "Has provider" });
    expect(refused.status).toBe(409);
    expect(errorCode(refused)).toBe("AB07");
    const forced = await call(emulator(), "DELETE", `/admin/workspaces/${ws.id}`, { name: "Has provider", force_delete: true });
    expect(forced.status).toBe(200);
    expect(Object.values(emulator().state().providers).filter((p) => p.workspace_id === ws.id)).toEqual([]);
  });

  test("list pages with 0-based current_page and filters by name", async () => {
    for (const n of ["Page A", "Page B", "Page C"]) await workspace(n);
    const first = await call(emulator(), "GET", "/admin/workspaces?name=Page&page_size=2&current_page=0");
    const second = await call(emulator(), "GET", "/admin/workspaces?name=Page&page_size=2&current_page=1");
    expect(first.body.total).toBe(3);
    expect(first.body.data.map((w: { name: string }) => w.name)).toEqual(["Page A", "Page B"]);
    expect(second.body.data.map((w: { name: string }) => w.name)).toEqual(["Page C"]);
    const exact = await call(emulator(), "GET", "/admin/workspaces?exact_name=Page%20B");
    expect(exact.body.data).toHaveLength(1);
  });
});

describe("API keys", () => {
  test("GET returns a masked key, workspace_id as UUID, top-level allow_config_override and empty containers", async () => {
    const ws = await workspace("Key home");
    const created = await call(emulator(), "POST", "/api-keys/workspace/service", {
      name: "svc",
      scopes: ["completions.write"],
      workspace_id: ws.slug,
      usage_limits: { credit_limit: 10, type: "cost" },
      defaults: { config_id: "pc-abc", allow_config_override: false },
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.stringMatching(UUID), key: expect.any(String), object: "api-key" });
    const secret: string = created.body.key;
    const got = await call(emulator(), "GET", `/api-keys/${created.body.id}`);
    expect(got.body.key).not.toBe(secret);
    expect(got.body.key).toMatch(/^..\*+..$/);
    expect(got.body.workspace_id).toBe(ws.id);
    expect(got.body.allow_config_override).toBe(0);
    expect(got.body.rate_limits).toEqual([]);
    expect(got.body.alert_emails).toEqual([]);
    expect(got.body.defaults.metadata).toEqual({});
    expect(got.text).toContain('"credit_limit":10.0');
    expect(got.text).not.toContain(secret);
  });

  test("the full secret appears only in create and rotate responses; at most two live secrets", async () => {
    const created = await call(emulator(), "POST", "/api-keys/organisation/service", { name: "admin-ish", scopes: ["workspaces.list"] });
    const id = created.body.id;
    const first: string = created.body.key;
    expect((await call(emulator(), "GET", "/admin/workspaces", undefined, first)).status).toBe(200);
    const rotated = await call(emulator(), "POST", `/api-keys/${id}/rotate`, { key_transition_period_ms: 1_800_000 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.key).not.toBe(first);
    expect(Date.parse(rotated.body.key_transition_expires_at)).toBeGreaterThan(Date.now());
    // Both secrets work during the transition; a second rotation is refused until it ends.
    expect((await call(emulator(), "GET", "/admin/workspaces", undefined, first)).status).toBe(200);
    expect((await call(emulator(), "GET", "/admin/workspaces", undefined, rotated.body.key)).status).toBe(200);
    const again = await call(emulator(), "POST", `/api-keys/${id}/rotate`);
    expect(again.status).toBe(409);
    const tooShort = await call(emulator(), "POST", `/api-keys/${id}/rotate`, { key_transition_period_ms: 1000 });
    expect(tooShort.status).toBe(400);
  });

  test("a workspace key cannot create workspaces (403 AB03); scopes are enforced", async () => {
    const ws = await workspace("Scoped");
    const created = await call(emulator(), "POST", "/api-keys/workspace/service", {
      name: "limited",
      scopes: ["workspaces.read"],
      workspace_id: ws.id,
    });
    const key: string = created.body.key;
    const denied = await call(emulator(), "POST", "/admin/workspaces", { name: "Nope" }, key);
    expect(denied.status).toBe(403);
    expect(errorCode(denied)).toBe("AB03");
    expect((await call(emulator(), "GET", `/admin/workspaces/${ws.id}`, undefined, key)).status).toBe(200);
    expect((await call(emulator(), "PUT", `/admin/workspaces/${ws.id}`, { description: "x" }, key)).status).toBe(403);
  });

  test("unauthenticated and unknown keys get 401 AB05", async () => {
    const none = await call(emulator(), "GET", "/admin/workspaces", undefined, null);
    expect(none.status).toBe(401);
    expect(errorCode(none)).toBe("AB05");
    expect((await call(emulator(), "GET", "/admin/workspaces", undefined, "wrong")).status).toBe(401);
  });

  test("PUT null clears usage limits, rate limits, alert emails and config", async () => {
    const created = await call(emulator(), "POST", "/api-keys/organisation/service", {
      name: "clearable",
      scopes: ["workspaces.list"],
      usage_limits: { credit_limit: 5 },
      rate_limits: [{ type: "requests", unit: "rps", value: 3 }],
      alert_emails: ["ops@example.com"],
      defaults: { config_id: "pc-x", allow_config_override: true },
    });
    const id = created.body.id;
    const put = await call(emulator(), "PUT", `/api-keys/${id}`, {
      usage_limits: null,
      rate_limits: null,
      alert_emails: null,
      defaults: { config_id: null },
    });
    expect(put.body).toEqual({});
    const got = await call(emulator(), "GET", `/api-keys/${id}`);
    expect(got.body).toMatchObject({ usage_limits: null, rate_limits: [], alert_emails: [], allow_config_override: null });
    expect(got.body.defaults.config_id).toBeNull();
  });

  test("combinations the API rejects: workspace key without workspace, user key without user", async () => {
    expect((await call(emulator(), "POST", "/api-keys/workspace/service", { name: "x", scopes: ["a.b"] })).status).toBe(400);
    const ws = await workspace("Users");
    expect((await call(emulator(), "POST", "/api-keys/workspace/user", { name: "x", scopes: ["a.b"], workspace_id: ws.id })).status).toBe(400);
    expect((await call(emulator(), "POST", "/api-keys/organisation/user", { name: "x", scopes: ["a.b"] })).status).toBe(400);
    expect((await call(emulator(), "POST", "/api-keys/organisation/service", { name: "x", scopes: [] })).status).toBe(400);
  });

  test("a deleted key answers 404 AB08 and its secret stops working", async () => {
    const created = await call(emulator(), "POST", "/api-keys/organisation/service", { name: "gone", scopes: ["workspaces.list"] });
    await call(emulator(), "DELETE", `/api-keys/${created.body.id}`);
    const got = await call(emulator(), "GET", `/api-keys/${created.body.id}`);
    expect(got.status).toBe(404);
    expect(errorCode(got)).toBe("AB08");
    expect((await call(emulator(), "GET", "/admin/workspaces", undefined, created.body.key)).status).toBe(401);
  });
});

describe("integration workspace access", () => {
  test("rows are reported by slug even when granted by UUID; disabling keeps the row", async () => {
    const ws = await workspace("Access A");
    const intg = await integration("openai-access");
    const put = await call(emulator(), "PUT", `/integrations/${intg.slug}/workspaces`, {
      workspaces: [{ id: ws.id, enabled: true, usage_limits: [{ credit_limit: 50, type: "cost" }], rate_limits: [{ type: "requests", unit: "rpm", value: 10 }] }],
    });
    expect(put.body).toEqual({});
    let list = await call(emulator(), "GET", `/integrations/${intg.slug}/workspaces`);
    expect(list.body.workspaces).toEqual([
      {
        id: ws.slug,
        enabled: true,
        usage_limits: [expect.objectContaining({ credit_limit: 50, periodic_reset: "" })],
        rate_limits: [{ type: "requests", unit: "rpm", value: 10 }],
      },
    ]);
    await call(emulator(), "PUT", `/integrations/${intg.slug}/workspaces`, { workspaces: [{ id: ws.slug, enabled: false }] });
    list = await call(emulator(), "GET", `/integrations/${intg.slug}/workspaces`);
    expect(list.body.workspaces[0]).toMatchObject({ id: ws.slug, enabled: false });
  });

  test("a bulk PUT touches only the listed workspaces unless override is set", async () => {
    const a = await workspace("Bulk A");
    const b = await workspace("Bulk B");
    const intg = await integration("openai-bulk");
    await call(emulator(), "PUT", `/integrations/${intg.slug}/workspaces`, { workspaces: [{ id: a.id, enabled: true }, { id: b.id, enabled: true }] });
    await call(emulator(), "PUT", `/integrations/${intg.slug}/workspaces`, { workspaces: [{ id: a.id, enabled: true, rate_limits: [{ type: "requests", unit: "rpm", value: 5 }] }] });
    let rows = (await call(emulator(), "GET", `/integrations/${intg.slug}/workspaces`)).body.workspaces;
    expect(rows.find((r: { id: string }) => r.id === b.slug).enabled).toBe(true);
    await call(emulator(), "PUT", `/integrations/${intg.slug}/workspaces`, { workspaces: [{ id: a.id, enabled: true }], override_existing_workspace_access: true });
    rows = (await call(emulator(), "GET", `/integrations/${intg.slug}/workspaces`)).body.workspaces;
    expect(rows.find((r: { id: string }) => r.id === b.slug).enabled).toBe(false);
  });

  test("granting creates a default provider unless create_default_provider is false; slug clashes are rejected", async () => {
    const a = await workspace("Provider A");
    const b = await workspace("Provider B");
    const intg = await integration("openai-providers");
    await call(emulator(), "PUT", `/integrations/${intg.slug}/workspaces`, { workspaces: [{ id: a.id, enabled: true, default_provider_slug: "main" }] });
    await call(emulator(), "PUT", `/integrations/${intg.slug}/workspaces`, { workspaces: [{ id: b.id, enabled: true }], create_default_provider: false });
    const providers = Object.values(emulator().state().providers);
    expect(providers.filter((p) => p.workspace_id === a.id).map((p) => p.slug)).toEqual(["main"]);
    expect(providers.filter((p) => p.workspace_id === b.id)).toEqual([]);
    const other = await integration("anthropic-clash");
    const clash = await call(emulator(), "PUT", `/integrations/${other.slug}/workspaces`, { workspaces: [{ id: a.id, enabled: true, default_provider_slug: "main" }] });
    expect(clash.status).toBe(400);
  });

  test("an invalid workspace rejects the whole batch and changes nothing", async () => {
    const a = await workspace("Batch A");
    const intg = await integration("openai-batch");
    const bad = await call(emulator(), "PUT", `/integrations/${intg.slug}/workspaces`, {
      workspaces: [{ id: a.id, enabled: true }, { id: "ws-does-not-exist", enabled: true }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.data.message).toContain("workspaces[1]");
    expect((await call(emulator(), "GET", `/integrations/${intg.slug}/workspaces`)).body.workspaces).toEqual([]);
  });

  test("at most one usage and one rate limit per workspace", async () => {
    const a = await workspace("Max one");
    const intg = await integration("openai-maxone");
    const two = [{ type: "requests", unit: "rpm", value: 1 }, { type: "tokens", unit: "rpm", value: 2 }];
    const response = await call(emulator(), "PUT", `/integrations/${intg.slug}/workspaces`, { workspaces: [{ id: a.id, enabled: true, rate_limits: two }] });
    expect(response.status).toBe(400);
    expect(errorCode(response)).toBe("AB01");
  });

  test("a deleted integration answers 404", async () => {
    const intg = await integration("openai-deleted");
    await call(emulator(), "DELETE", `/integrations/${intg.slug}`);
    expect((await call(emulator(), "GET", `/integrations/${intg.slug}/workspaces`)).status).toBe(404);
  });
});

describe("stale reads", () => {
  const stale = useEmulator({ staleReadMs: 400 });

  test("limits read back as before for the configured window after a write", async () => {
    const created = await call(stale(), "POST", "/admin/workspaces", { name: "Stale", rate_limits: [{ type: "requests", unit: "rpm", value: 1 }] });
    await call(stale(), "PUT", `/admin/workspaces/${created.body.id}`, { rate_limits: [{ type: "requests", unit: "rpm", value: 2 }] });
    expect((await call(stale(), "GET", `/admin/workspaces/${created.body.id}`)).body.rate_limits[0].value).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect((await call(stale(), "GET", `/admin/workspaces/${created.body.id}`)).body.rate_limits[0].value).toBe(2);
  });
});

test("every 200 response conformed to the official OpenAPI document, apart from listed deviations", () => {
  expect(emulator().specViolations()).toEqual([]);
  expect(ADMIN_KEY).toBeTruthy();
});
