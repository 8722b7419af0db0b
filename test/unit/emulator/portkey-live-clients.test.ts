/**
 * What a client tested against the live Portkey API sends and reads, and the
 * emulator answers alike (issue 26): config answers at the top level,
 * workspaces named by slug where the document says "ID or slug", integrations
 * read by UUID, custom models removed with a body, organisation-level invites,
 * prices compared by value, and the organisation's default workspace.
 */
import { call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

async function workspace(name: string) {
  const created = await call(emulator(), "POST", "/admin/workspaces", { name });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string };
}

async function integration(slug: string) {
  const created = await call(emulator(), "POST", "/integrations", { name: `Live ${slug}`, slug, ai_provider_id: "openai", key: "sk-test-0000" });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string };
}

test("configs: the create's id, slug and version_id and the read's name, workspace_id, status and config are top-level; the list filters by workspace", async () => {
  const one = await workspace("Live configs one");
  const other = await workspace("Live configs other");
  for (let i = 0; i < 3; i++) await call(emulator(), "POST", "/configs", { name: `noise ${i}`, config: {}, workspace_id: other.id });
  const made = await call(emulator(), "POST", "/configs", { name: "Mine", config: { retry: { attempts: 2 } }, workspace_id: one.slug });
  expect(made.body).toEqual({ id: expect.any(String), slug: expect.any(String), version_id: expect.any(String) });
  const read = await call(emulator(), "GET", `/configs/${made.body.slug}`);
  expect(read.body).toMatchObject({ id: made.body.id, slug: made.body.slug, name: "Mine", workspace_id: one.id, status: "active", config: '{"retry":{"attempts":2}}' });
  for (const filter of [one.id, one.slug]) {
    const listed = await call(emulator(), "GET", `/configs?workspace_id=${filter}`);
    expect(listed.body.data.map((c: { slug: string }) => c.slug)).toEqual([made.body.slug]);
  }
});

test("guardrails: workspace_id may be the workspace's slug; answers and reads carry the UUID", async () => {
  const ws = await workspace("Live guardrails");
  const made = await call(emulator(), "POST", "/guardrails", {
    name: "By slug",
    workspace_id: ws.slug,
    checks: [{ id: "default.regexMatch", parameters: { rule: "\\d{3}" } }],
    actions: { deny: true },
  });
  expect(made.status).toBe(200);
  const read = await call(emulator(), "GET", `/guardrails/${made.body.id}`);
  expect(read.body.workspace_id).toBe(ws.id);
  const missing = await call(emulator(), "POST", "/guardrails", { name: "x", workspace_id: "ws-missing-000000", checks: [{ id: "default.regexMatch", parameters: {} }], actions: {} });
  expect(missing.status).toBe(404);
  expect(missing.body.error.code).toBe("AB08");
});

test("integrations: readable by UUID as by slug, their models and access too", async () => {
  const made = await integration("live-by-uuid");
  const bySlug = await call(emulator(), "GET", `/integrations/${made.slug}`);
  const byId = await call(emulator(), "GET", `/integrations/${made.id}`);
  expect(byId.status).toBe(200);
  expect(byId.body).toEqual(bySlug.body);
  expect((await call(emulator(), "GET", `/integrations/${made.id}/models`)).status).toBe(200);
  expect((await call(emulator(), "GET", `/integrations/${made.id}/workspaces`)).status).toBe(200);
  expect(errorCode(await call(emulator(), "GET", "/integrations/00000000-0000-4000-8000-000000000000"))).toBe("AB08");
});

test("custom models: DELETE takes a body {models: [...]} as well as ?slugs=; built-in models are still refused", async () => {
  const made = await integration("live-models");
  const custom = (slug: string) => ({ slug, enabled: true, is_custom: true });
  expect((await call(emulator(), "PUT", `/integrations/${made.slug}/models`, { models: [custom("mine-1"), custom("mine-2"), custom("mine-3")] })).status).toBe(200);
  const deleted = await call(emulator(), "DELETE", `/integrations/${made.slug}/models`, { models: ["mine-1", "mine-2"] });
  expect(deleted.status).toBe(200);
  const left = (await call(emulator(), "GET", `/integrations/${made.slug}/models`)).body.models.filter((m: { is_custom: boolean }) => m.is_custom);
  expect(left.map((m: { slug: string }) => m.slug)).toEqual(["mine-3"]);
  expect(errorCode(await call(emulator(), "DELETE", `/integrations/${made.slug}/models`, { models: ["gpt-4o"] }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "DELETE", `/integrations/${made.slug}/models`, { models: "mine-3" }))).toBe("AB01");
  expect((await call(emulator(), "DELETE", `/integrations/${made.slug}/models?slugs=mine-3`)).status).toBe(200);
});

test("invites: an organisation-level invite needs no workspaces", async () => {
  const made = await call(emulator(), "POST", "/admin/users/invites", { email: "org-only@example.com", role: "member" });
  expect(made.status).toBe(200);
  expect(made.body).toEqual({ id: expect.any(String), invite_link: expect.any(String) });
  expect((await call(emulator(), "GET", `/admin/users/invites/${made.body.id}`)).body).toMatchObject({ email: "org-only@example.com", status: "pending" });
});

test("prices are JSON numbers: 0.10 written reads back as the same number (0.1), not as the text sent", async () => {
  const made = await integration("live-prices");
  const raw = '{"models":[{"slug":"gpt-4o","enabled":true,"pricing_config":{"type":"static","pay_as_you_go":{"request_token":{"price":0.10}}}}]}';
  expect((await call(emulator(), "PUT", `/integrations/${made.slug}/models`, raw)).status).toBe(200);
  const model = (await call(emulator(), "GET", `/integrations/${made.slug}/models`)).body.models.find((m: { slug: string }) => m.slug === "gpt-4o");
  expect(model.pricing_config.pay_as_you_go.request_token.price).toBe(0.1);
  expect(errorCode(await call(emulator(), "PUT", `/integrations/${made.slug}/models`, { models: [{ slug: "gpt-4o", enabled: true, pricing_config: { pay_as_you_go: { request_token: { price: "0.10" } } } }] }))).toBe("AB01");
});

test("a new organisation has one workspace marked default, listed first; it cannot be deleted, even with force_delete", async () => {
  const listed = (await call(emulator(), "GET", "/admin/workspaces")).body.data as { id: string; name: string; defaults: { is_default: number } }[];
  const defaults = listed.filter((w) => w.defaults.is_default === 1);
  expect(defaults).toHaveLength(1);
  expect(listed[0]).toBe(defaults[0]);
  const [home] = defaults;
  expect((await call(emulator(), "GET", `/admin/workspaces/${home.id}`)).body.defaults).toMatchObject({ is_default: 1 });
  // Its own keys and providers work as in any workspace.
  const key = await call(emulator(), "POST", "/api-keys/workspace/service", { name: "home key", workspace_id: home.id, scopes: ["completions.write"] });
  expect(key.status).toBe(200);
  const refused = await call(emulator(), "DELETE", `/admin/workspaces/${home.id}`, { name: home.name, force_delete: true });
  expect(refused.status).toBe(400);
  expect(errorCode(refused)).toBe("AB01");
  expect((await call(emulator(), "GET", `/admin/workspaces/${home.id}`)).status).toBe(200);
  expect((await call(emulator(), "GET", `/api-keys/${key.body.id}`)).status).toBe(200);
  const made = await workspace("Not default");
  expect((await call(emulator(), "GET", `/admin/workspaces/${made.id}`)).body.defaults.is_default).toBe(0);
});

test("an API key's usage limit changed within the same period keeps its next_usage_reset_at; a new period computes a new one; one sent is taken", async () => {
  const made = await call(emulator(), "POST", "/api-keys/organisation/service", { name: "budgeted", scopes: ["completions.write"], usage_limits: { credit_limit: 10, periodic_reset: "monthly" } });
  const read = async () => (await call(emulator(), "GET", `/api-keys/${made.body.id}`)).body.usage_limits;
  const first = (await read()).next_usage_reset_at;
  expect(first).toEqual(expect.any(String));
  // Shift the stored reset so that keeping it is distinguishable from computing it again.
  const state = emulator().state();
  state.api_keys[made.body.id].usage_limits!.next_usage_reset_at = "2030-01-01T00:00:00.000Z";
  await call(emulator(), "PUT", `/api-keys/${made.body.id}`, { usage_limits: { credit_limit: 20, periodic_reset: "monthly" } });
  expect(await read()).toMatchObject({ credit_limit: 20, next_usage_reset_at: "2030-01-01T00:00:00.000Z" });
  await call(emulator(), "PUT", `/api-keys/${made.body.id}`, { usage_limits: { credit_limit: 20, periodic_reset: "weekly" } });
  const weekly = (await read()).next_usage_reset_at;
  expect(new Date(weekly).getUTCDay()).toBe(0);
  expect(Date.parse(weekly) - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
  await call(emulator(), "PUT", `/api-keys/${made.body.id}`, { usage_limits: { credit_limit: 20, periodic_reset: "weekly", next_usage_reset_at: "2031-02-02T00:00:00.000Z" } });
  expect((await read()).next_usage_reset_at).toBe("2031-02-02T00:00:00.000Z");
});

test("every response conformed to the official document (its config answer schemas require neither `success` nor `data`)", () => {
  expect(emulator().specViolations()).toEqual([]);
});
