/**
 * The emulator's /providers routes: workspace scoping, the access a provider
 * needs, slugs, limits in the document's request and answer forms, updates,
 * deletes, and the default providers grants create (readable like any other).
 */
import { ADMIN_KEY, call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

async function workspace(name: string) {
  const created = await call(emulator(), "POST", "/admin/workspaces", { name });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string };
}

async function integration(slug: string, extra: Record<string, unknown> = {}) {
  const created = await call(emulator(), "POST", "/integrations", { name: `Integration ${slug}`, slug, ai_provider_id: "openai", key: "sk-test-0000", ...extra });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string };
}

async function grant(integrationSlug: string, workspaceId: string, extra: Record<string, unknown> = {}) {
  const put = await call(emulator(), "PUT", `/integrations/${integrationSlug}/workspaces`, { workspaces: [{ id: workspaceId, enabled: true, ...extra }] });
  expect(put.status).toBe(200);
}

test("create answers {id, slug}; GET by slug in the workspace answers the provider with limits as the document's answer has them", async () => {
  const ws = await workspace("Providers A");
  const intg = await integration("prov-a");
  await grant(intg.slug, ws.id, { create_default_provider: false });
  const created = await call(emulator(), "POST", "/providers", {
    name: "Team A",
    integration_id: intg.slug,
    workspace_id: ws.id,
    slug: "team-a",
    note: "for team A",
    usage_limits: { credit_limit: 50, type: "cost", periodic_reset: "monthly" },
    rate_limits: { type: "requests", unit: "rpm", value: 100 },
    expires_at: "2099-01-01T00:00:00.000Z",
  });
  expect(created.status).toBe(200);
  expect(created.body).toEqual({ id: expect.any(String), slug: "team-a" });
  const got = await call(emulator(), "GET", `/providers/team-a?workspace_id=${ws.id}`);
  expect(got.status).toBe(200);
  expect(got.body).toMatchObject({
    id: created.body.id,
    name: "Team A",
    slug: "team-a",
    integration_id: intg.slug,
    workspace_id: ws.id,
    note: "for team A",
    status: "active",
    usage_limits: { credit_limit: 50, type: "cost", periodic_reset: "monthly" },
    // One object in the request, a list in the answer (the document's own two forms).
    rate_limits: [{ type: "requests", unit: "rpm", value: 100 }],
    expires_at: "2099-01-01T00:00:00.000Z",
    object: "provider",
  });
  // The workspace by slug works too; another workspace does not see it.
  expect((await call(emulator(), "GET", `/providers/team-a?workspace_id=${ws.slug}`)).status).toBe(200);
  const other = await workspace("Providers A2");
  expect(errorCode(await call(emulator(), "GET", `/providers/team-a?workspace_id=${other.id}`))).toBe("AB08");
});

test("workspace_id is required with an admin key; the integration must be usable by the workspace; slugs are unique per workspace", async () => {
  const ws = await workspace("Providers B");
  const intg = await integration("prov-b");
  expect(errorCode(await call(emulator(), "POST", "/providers", { name: "x", integration_id: intg.slug }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "GET", "/providers"))).toBe("AB01");
  // Before access is granted: 403.
  const refused = await call(emulator(), "POST", "/providers", { name: "x", integration_id: intg.slug, workspace_id: ws.id });
  expect(refused.status).toBe(403);
  expect(errorCode(refused)).toBe("AB03");
  await grant(intg.slug, ws.id, { create_default_provider: false });
  // By the integration's UUID, as the Terraform provider does; a generated slug from the name.
  const made = await call(emulator(), "POST", "/providers", { name: "By Id", integration_id: intg.id, workspace_id: ws.id });
  expect(made.status).toBe(200);
  expect(made.body.slug).toMatch(/^by-id-[0-9a-f]{6}$/);
  expect((await call(emulator(), "GET", `/providers/${made.body.slug}?workspace_id=${ws.id}`)).body.integration_id).toBe(intg.slug);
  const dup = await call(emulator(), "POST", "/providers", { name: "Dup", integration_id: intg.slug, workspace_id: ws.id, slug: made.body.slug });
  expect(dup.status).toBe(409);
  expect(errorCode(dup)).toBe("AB07");
  expect(errorCode(await call(emulator(), "POST", "/providers", { name: "Bad", integration_id: intg.slug, workspace_id: ws.id, slug: "no spaces" }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "POST", "/providers", { name: "Nope", integration_id: "missing-intg", workspace_id: ws.id }))).toBe("AB08");
  // The document's request form of rate_limits is one object, not a list.
  expect(errorCode(await call(emulator(), "POST", "/providers", { name: "L", integration_id: intg.slug, workspace_id: ws.id, rate_limits: [{ type: "requests", unit: "rpm", value: 1 }] }))).toBe("AB01");
});

test("PUT changes only what it names; null clears limits and expiry; reset_usage stamps last_reset_at; DELETE removes it", async () => {
  const ws = await workspace("Providers C");
  const intg = await integration("prov-c");
  await grant(intg.slug, ws.id, { create_default_provider: false });
  await call(emulator(), "POST", "/providers", {
    name: "C",
    integration_id: intg.slug,
    workspace_id: ws.id,
    slug: "c",
    note: "n",
    usage_limits: { credit_limit: 10 },
    rate_limits: { type: "tokens", unit: "rph", value: 5 },
    expires_at: "2099-01-01T00:00:00Z",
  });
  const put = await call(emulator(), "PUT", `/providers/c?workspace_id=${ws.id}`, { name: "C2" });
  expect(put.body).toEqual({ id: expect.any(String), slug: "c" });
  let got = (await call(emulator(), "GET", `/providers/c?workspace_id=${ws.id}`)).body;
  expect(got).toMatchObject({ name: "C2", note: "n", usage_limits: { credit_limit: 10 }, rate_limits: [{ value: 5 }], last_reset_at: null });
  await call(emulator(), "PUT", `/providers/c?workspace_id=${ws.id}`, { usage_limits: null, rate_limits: null, expires_at: null, note: "", reset_usage: true });
  got = (await call(emulator(), "GET", `/providers/c?workspace_id=${ws.id}`)).body;
  expect(got).toMatchObject({ name: "C2", note: "", usage_limits: null, rate_limits: [], expires_at: null, last_reset_at: expect.any(String) });
  // The Terraform provider names the workspace in the body instead of the query.
  expect((await call(emulator(), "PUT", "/providers/c", { workspace_id: ws.id, note: "via body" })).status).toBe(200);
  expect(errorCode(await call(emulator(), "PUT", `/providers/c?workspace_id=${ws.id}`, { name: 5 }))).toBe("AB01");
  // A past expiry reads as expired.
  await call(emulator(), "PUT", `/providers/c?workspace_id=${ws.id}`, { expires_at: "2000-01-01T00:00:00Z" });
  expect((await call(emulator(), "GET", `/providers/c?workspace_id=${ws.id}`)).body.status).toBe("expired");
  expect((await call(emulator(), "DELETE", `/providers/c?workspace_id=${ws.id}`)).body).toEqual({});
  expect(errorCode(await call(emulator(), "GET", `/providers/c?workspace_id=${ws.id}`))).toBe("AB08");
  expect(errorCode(await call(emulator(), "DELETE", `/providers/c?workspace_id=${ws.id}`))).toBe("AB08");
});

test("a grant's default provider is a provider like any other: listed, named after the integration, no note or limits", async () => {
  const ws = await workspace("Providers D");
  const intg = await integration("prov-d");
  await grant(intg.slug, ws.id, { default_provider_slug: "prov-d-default" });
  const own = await integration("prov-d-own", { workspace_id: ws.id });
  const listed = await call(emulator(), "GET", `/providers?workspace_id=${ws.id}`);
  expect(listed.body).toMatchObject({ object: "list", total: 2 });
  const bySlug = Object.fromEntries(listed.body.data.map((p: { slug: string }) => [p.slug, p]));
  expect(bySlug["prov-d-default"]).toMatchObject({ name: "Integration prov-d", integration_id: intg.slug, note: null, usage_limits: null, rate_limits: [], expires_at: null });
  // A workspace's own integration's default provider takes the integration's slug when none is given.
  expect(bySlug[own.slug]).toMatchObject({ integration_id: own.slug });
  // Paging: page_size and current_page.
  const first = await call(emulator(), "GET", `/providers?workspace_id=${ws.id}&page_size=1&current_page=1`);
  expect(first.body.data).toHaveLength(1);
});

test("a workspace key sees and makes providers of its own workspace only", async () => {
  const a = await workspace("Providers E");
  const b = await workspace("Providers F");
  const intg = await integration("prov-e");
  await grant(intg.slug, a.id, { create_default_provider: false });
  await grant(intg.slug, b.id, { create_default_provider: false });
  const key = await call(emulator(), "POST", "/api-keys/workspace/service", { name: "prov", workspace_id: a.id, scopes: ["providers.create", "providers.read", "providers.list"] });
  const made = await call(emulator(), "POST", "/providers", { name: "Mine", integration_id: intg.slug, slug: "mine" }, key.body.key);
  expect(made.status).toBe(200);
  expect((await call(emulator(), "GET", "/providers/mine", undefined, key.body.key)).body.workspace_id).toBe(a.id);
  expect(errorCode(await call(emulator(), "POST", "/providers", { name: "Theirs", integration_id: intg.slug, workspace_id: b.id }, key.body.key))).toBe("AB03");
  expect(errorCode(await call(emulator(), "DELETE", "/providers/mine", undefined, key.body.key))).toBe("AB03");
  expect((await call(emulator(), "GET", `/providers?workspace_id=${a.id}`, undefined, ADMIN_KEY)).body.total).toBe(1);
});

test("every response conformed to the official document", () => {
  expect(emulator().specViolations()).toEqual([]);
});
