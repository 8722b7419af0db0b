/**
 * The emulator's /guardrails routes: the document's answers and error
 * envelope, 403 for a guardrail that does not exist, scope fixed at creation,
 * versions, `is_enabled` left out when true, the checks/actions rules, list
 * filters and paging, and workspace keys' reach.
 */
import { call, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

const CHECKS = [{ id: "default.regexMatch", parameters: { rule: "\\d{3}" } }];
const ACTIONS = { deny: true, async: false, on_fail: { feedback: { value: -5, weight: 1, metadata: "" } } };

async function workspace(name: string) {
  const created = await call(emulator(), "POST", "/admin/workspaces", { name });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string };
}

async function guardrail(body: Record<string, unknown>) {
  const created = await call(emulator(), "POST", "/guardrails", { name: "PII", checks: CHECKS, actions: ACTIONS, ...body });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string; version_id: string };
}

/** The code of an error in this route group's `{"error": {...}}` envelope. */
function guardrailErrorCode(response: { body: any }): string {
  expect(response.body).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: null, code: expect.any(String) } });
  return response.body.error.code;
}

test("create answers {id, slug, version_id}; GET by UUID or slug gives the details, is_enabled left out when true", async () => {
  const ws = await workspace("Guard A");
  const checks = [
    { id: "default.regexMatch", parameters: { rule: "x" }, is_enabled: true },
    { id: "default.wordCount", parameters: { minWords: 1, maxWords: 99 }, is_enabled: false, name: "words" },
  ];
  const created = await call(emulator(), "POST", "/guardrails", { name: "Patronus PII", workspace_id: ws.id, checks, actions: ACTIONS });
  expect(created.body).toEqual({ id: expect.any(String), slug: expect.stringMatching(/^pg-patron-[0-9a-f]{6}$/), version_id: expect.any(String) });
  for (const ref of [created.body.id, created.body.slug]) {
    const got = await call(emulator(), "GET", `/guardrails/${ref}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: created.body.id, slug: created.body.slug, name: "Patronus PII", workspace_id: ws.id, status: "active", actions: ACTIONS });
    expect(got.body.checks).toEqual([{ id: "default.regexMatch", parameters: { rule: "x" } }, checks[1]]);
  }
  expect(emulator().specViolations()).toEqual([]);
});

test("a workspace_id or the caller's organisation_id is required; checks need ids of the documented shape; actions keep the document's types", async () => {
  const ws = await workspace("Guard B");
  const organisationId = emulator().state().organisation_id;
  const bad = async (body: Record<string, unknown>) => {
    const answer = await call(emulator(), "POST", "/guardrails", { name: "x", checks: CHECKS, actions: ACTIONS, ...body });
    return { status: answer.status, code: guardrailErrorCode(answer), message: answer.body.error.message as string };
  };
  expect(await bad({})).toMatchObject({ status: 400, code: "AB01", message: expect.stringContaining("workspace_id or organisation_id") });
  expect(await bad({ workspace_id: ws.id, checks: [] })).toMatchObject({ status: 400, code: "AB01" });
  expect(await bad({ workspace_id: ws.id, checks: [{ id: "regexMatch" }] })).toMatchObject({ status: 400, message: expect.stringContaining("checks.0.id") });
  expect(await bad({ workspace_id: ws.id, checks: [{ parameters: {} }] })).toMatchObject({ status: 400 });
  expect(await bad({ workspace_id: ws.id, actions: { deny: "yes" } })).toMatchObject({ status: 400, message: expect.stringContaining("actions.deny") });
  expect(await bad({ workspace_id: ws.id, name: undefined })).toMatchObject({ status: 400 });
  // The document types workspace_id as a UUID; live takes the slug too (portkey-live-clients.test.ts), but not an unknown one.
  expect(await bad({ workspace_id: "ws-missing-000000" })).toMatchObject({ status: 404, code: "AB08" });
  expect(await bad({ organisation_id: "00000000-0000-4000-8000-000000000000" })).toMatchObject({ status: 403, code: "AB03" });

  // A check id newer than the document's enum, and the actions form of the document's own examples, are accepted.
  const newer = await guardrail({ workspace_id: ws.id, checks: [{ id: "panw-prisma-airs.newCheck" }], actions: { onFail: "block", message: "no" } });
  expect((await call(emulator(), "GET", `/guardrails/${newer.id}`)).body.actions).toEqual({ onFail: "block", message: "no" });
  const org = await guardrail({ organisation_id: organisationId });
  expect((await call(emulator(), "GET", `/guardrails/${org.slug}`)).body).toMatchObject({ workspace_id: null, organisation_id: organisationId });
});

test("PUT changes name, checks and actions, makes a new version, and ignores the scope", async () => {
  const a = await workspace("Guard C");
  const b = await workspace("Guard D");
  const made = await guardrail({ workspace_id: a.id });
  const updated = await call(emulator(), "PUT", `/guardrails/${made.slug}`, { name: "Renamed", checks: [{ id: "portkey.pii" }], workspace_id: b.id });
  expect(updated.status).toBe(200);
  expect(updated.body).toEqual({ id: made.id, slug: made.slug, version_id: expect.any(String) });
  expect(updated.body.version_id).not.toBe(made.version_id);
  const got = (await call(emulator(), "GET", `/guardrails/${made.id}`)).body;
  expect(got).toMatchObject({ name: "Renamed", checks: [{ id: "portkey.pii" }], actions: ACTIONS, workspace_id: a.id, version_id: updated.body.version_id });
  const refused = await call(emulator(), "PUT", `/guardrails/${made.id}`, { checks: [{ id: "nope" }] });
  expect(refused.status).toBe(400);
  expect((await call(emulator(), "GET", `/guardrails/${made.id}`)).body.checks).toEqual([{ id: "portkey.pii" }]);
});

test("a guardrail that does not exist, or was deleted, answers 403 in the error envelope; delete answers {}", async () => {
  const ws = await workspace("Guard E");
  const made = await guardrail({ workspace_id: ws.id });
  const deleted = await call(emulator(), "DELETE", `/guardrails/${made.slug}`);
  expect(deleted.status).toBe(200);
  expect(deleted.body).toEqual({});
  for (const [method, path] of [["GET", `/guardrails/${made.id}`], ["PUT", `/guardrails/${made.id}`], ["DELETE", `/guardrails/${made.slug}`], ["GET", "/guardrails/pg-never-000000"]]) {
    const answer = await call(emulator(), method, path, method === "PUT" ? { name: "x" } : undefined);
    expect(answer.status).toBe(403);
    expect(guardrailErrorCode(answer)).toBe("AB03");
  }
});

test("list: {data, total}; filters by workspace_id, organisation_id and ids; pages; a workspace key sees its workspace's only", async () => {
  const a = await workspace("Guard F");
  const b = await workspace("Guard G");
  const organisationId = emulator().state().organisation_id;
  const inA = [await guardrail({ workspace_id: a.id, name: "a1" }), await guardrail({ workspace_id: a.id, name: "a2" })];
  const inB = await guardrail({ workspace_id: b.id, name: "b1" });
  const org = await guardrail({ organisation_id: organisationId, name: "org" });
  const slugs = async (query: string, key?: string) => {
    const answer = await call(emulator(), "GET", `/guardrails${query}`, undefined, key);
    expect(answer.status).toBe(200);
    return { total: answer.body.total as number, slugs: (answer.body.data as { slug: string }[]).map((g) => g.slug) };
  };
  expect(await slugs(`?workspace_id=${a.id}`)).toEqual({ total: 2, slugs: inA.map((g) => g.slug) });
  expect((await slugs(`?organisation_id=${organisationId}`)).slugs).toContain(org.slug);
  expect((await slugs(`?organisation_id=${organisationId}`)).slugs).not.toContain(inB.slug);
  expect(await slugs(`?ids=${inB.id},${org.slug}`)).toEqual({ total: 2, slugs: [inB.slug, org.slug] });
  expect(await slugs(`?workspace_id=${a.id}&page_size=1&current_page=1`)).toEqual({ total: 2, slugs: [inA[1].slug] });
  expect((await call(emulator(), "GET", "/guardrails?page_size=1001")).status).toBe(400);

  const key = await call(emulator(), "POST", "/api-keys/workspace/service", { name: "guards", workspace_id: a.id, scopes: ["guardrails.list", "guardrails.read", "guardrails.create"] });
  expect(key.status).toBe(200);
  expect((await slugs("", key.body.key)).slugs).toEqual(inA.map((g) => g.slug));
  // Another workspace's guardrail, or the organisation's, is out of reach: 403 like a missing one.
  expect((await call(emulator(), "GET", `/guardrails/${inB.id}`, undefined, key.body.key)).status).toBe(403);
  expect((await call(emulator(), "GET", `/guardrails/${org.id}`, undefined, key.body.key)).status).toBe(403);
  // A key without a list scope is refused rather than shown an empty list, and a workspace key lists only its own workspace.
  const blind = await call(emulator(), "POST", "/api-keys/workspace/service", { name: "blind", workspace_id: a.id, scopes: ["guardrails.read"] });
  expect(guardrailErrorCode(await call(emulator(), "GET", "/guardrails", undefined, blind.body.key))).toBe("AB03");
  expect((await call(emulator(), "GET", `/guardrails?workspace_id=${b.id}`, undefined, key.body.key)).status).toBe(403);
  // Without a scope in the body, a workspace key creates in its own workspace.
  const own = await call(emulator(), "POST", "/guardrails", { name: "own", checks: CHECKS, actions: ACTIONS }, key.body.key);
  expect(own.status).toBe(200);
  expect((await call(emulator(), "GET", `/guardrails/${own.body.id}`)).body.workspace_id).toBe(a.id);
  expect(emulator().specViolations()).toEqual([]);
});

test("a force-deleted workspace takes its guardrails with it", async () => {
  const ws = await workspace("Guard H");
  const made = await guardrail({ workspace_id: ws.id });
  expect((await call(emulator(), "DELETE", `/admin/workspaces/${ws.id}`, { name: "Guard H", force_delete: true })).status).toBe(200);
  expect((await call(emulator(), "GET", `/guardrails/${made.id}`)).status).toBe(403);
  expect((await call(emulator(), "GET", "/guardrails")).body.data.map((g: { id: string }) => g.id)).not.toContain(made.id);
});
