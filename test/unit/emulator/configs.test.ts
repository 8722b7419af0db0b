/**
 * The emulator's /configs routes: live's bare answers (the list keeps the document's envelope), workspace scoping,
 * slugs, re-serialisation, versions, and the documented refusals.
 */
import { startEmulator } from "../../../emulator";
import { ADMIN_KEY, call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

async function workspace(name: string) {
  const created = await call(emulator(), "POST", "/admin/workspaces", { name });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string };
}

async function config(workspaceId: string, name = "Retry", extra: Record<string, unknown> = {}) {
  const created = await call(emulator(), "POST", "/configs", { name, config: { retry: { attempts: 3 } }, workspace_id: workspaceId, ...extra });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string; version_id: string };
}

test("create answers {id, slug, version_id} at the top level, as live; GET by slug gives the whole object at the top level with config re-serialised", async () => {
  const ws = await workspace("Configs A");
  const created = await call(emulator(), "POST", "/configs", { name: "Pplx Cache Test", config: { retry: { attempts: 3 }, cache: { mode: "simple" } }, workspace_id: ws.slug });
  expect(created.body).toEqual({ id: expect.any(String), slug: expect.stringMatching(/^pc-pplx-c-[0-9a-f]{6}$/), version_id: expect.any(String) });
  const got = await call(emulator(), "GET", `/configs/${created.body.slug}`);
  expect(got.status).toBe(200);
  expect(got.body).toMatchObject({ id: created.body.id, name: "Pplx Cache Test", workspace_id: ws.id, is_default: 0, status: "active", version_id: created.body.version_id });
  // Stored as text, keys re-ordered: clients must compare by meaning.
  expect(got.body.config).toBe('{"cache":{"mode":"simple"},"retry":{"attempts":3}}');
});

test("workspace_id is required with an admin key; config must be an object; isDefault is 0 or 1", async () => {
  const ws = await workspace("Configs B");
  expect(errorCode(await call(emulator(), "POST", "/configs", { name: "x", config: {} }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "POST", "/configs", { name: "x", config: "{}", workspace_id: ws.id }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "POST", "/configs", { config: {}, workspace_id: ws.id }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "POST", "/configs", { name: "x", config: {}, workspace_id: ws.id, isDefault: true }))).toBe("AB01");
  const missing = await call(emulator(), "POST", "/configs", { name: "x", config: {}, workspace_id: "ws-nope-000000" });
  expect(missing.status).toBe(404);
  expect(errorCode(missing)).toBe("AB08");
  const flagged = await config(ws.id, "Default one", { isDefault: 1 });
  expect((await call(emulator(), "GET", `/configs/${flagged.slug}`)).body.is_default).toBe(1);
});

test("list filters by workspace_id; a workspace key sees only its own workspace's configs", async () => {
  const a = await workspace("Configs C");
  const b = await workspace("Configs D");
  const inA = await config(a.id, "in-a");
  const inB = await config(b.id, "in-b");
  const listed = await call(emulator(), "GET", `/configs?workspace_id=${a.slug}`);
  expect(listed.body.success).toBe(true);
  expect(listed.body.data.map((c: { slug: string }) => c.slug)).toEqual([inA.slug]);
  const all = (await call(emulator(), "GET", "/configs")).body.data.map((c: { slug: string }) => c.slug);
  expect(all).toEqual(expect.arrayContaining([inA.slug, inB.slug]));

  const key = await call(emulator(), "POST", "/api-keys/workspace/service", { name: "cfg", workspace_id: a.id, scopes: ["configs.list", "configs.read", "configs.create"] });
  const own = await call(emulator(), "GET", "/configs", undefined, key.body.key);
  expect(own.body.data.map((c: { slug: string }) => c.slug)).toEqual([inA.slug]);
  expect(errorCode(await call(emulator(), "GET", `/configs/${inB.slug}`, undefined, key.body.key))).toBe("AB03");
  // A workspace key's create goes to its own workspace without naming it.
  const made = await call(emulator(), "POST", "/configs", { name: "by key", config: {} }, key.body.key);
  expect((await call(emulator(), "GET", `/configs/${made.body.slug}`)).body.workspace_id).toBe(a.id);
  expect(errorCode(await call(emulator(), "POST", "/configs", { name: "elsewhere", config: {}, workspace_id: b.id }, key.body.key))).toBe("AB03");
});

test("every PUT makes a new version; versions list them newest first", async () => {
  const ws = await workspace("Configs E");
  const made = await config(ws.id);
  const put = await call(emulator(), "PUT", `/configs/${made.slug}`, { name: "Renamed" });
  expect(put.body).toEqual({ version_id: expect.any(String) });
  expect(put.body.version_id).not.toBe(made.version_id);
  const again = await call(emulator(), "PUT", `/configs/${made.slug}`, { config: { cache: { mode: "semantic" } } });
  const got = (await call(emulator(), "GET", `/configs/${made.slug}`)).body;
  expect(got).toMatchObject({ name: "Renamed", config: '{"cache":{"mode":"semantic"}}', version_id: again.body.version_id });
  const versions = await call(emulator(), "GET", `/configs/${made.slug}/versions`);
  expect(versions.body).toMatchObject({ object: "list", total: 3 });
  expect(versions.body.data.map((v: { version_id: string }) => v.version_id)).toEqual([again.body.version_id, put.body.version_id, made.version_id]);
  expect(versions.body.data[2]).toMatchObject({ name: "Retry", config: '{"retry":{"attempts":3}}', format: "json", object: "config" });
  expect(errorCode(await call(emulator(), "PUT", `/configs/${made.slug}`, { config: [1] }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "PUT", `/configs/${made.slug}`, { name: "" }))).toBe("AB01");
});

test("unknown slugs are 404 AB08; delete answers {} and the config is gone", async () => {
  const ws = await workspace("Configs F");
  const made = await config(ws.id);
  for (const [method, path] of [
    ["GET", "/configs/pc-nope-000000"],
    ["PUT", "/configs/pc-nope-000000"],
    ["DELETE", "/configs/pc-nope-000000"],
    ["GET", "/configs/pc-nope-000000/versions"],
  ]) {
    const answer = await call(emulator(), method, path, method === "PUT" ? { name: "x" } : undefined);
    expect(answer.status).toBe(404);
    expect(errorCode(answer)).toBe("AB08");
  }
  // Configs are addressed by slug, not by UUID.
  expect((await call(emulator(), "GET", `/configs/${made.id}`)).status).toBe(404);
  const deleted = await call(emulator(), "DELETE", `/configs/${made.slug}`);
  expect(deleted.status).toBe(200);
  expect(deleted.body).toEqual({});
  expect(errorCode(await call(emulator(), "GET", `/configs/${made.slug}`))).toBe("AB08");
});

test("a config that is a workspace's user_api_key_config cannot be deleted; a deleted workspace takes its configs", async () => {
  const ws = await workspace("Configs G");
  const made = await config(ws.id);
  await call(emulator(), "PUT", `/admin/workspaces/${ws.id}`, { defaults: { user_api_key_config: made.slug } });
  const refused = await call(emulator(), "DELETE", `/configs/${made.slug}`);
  expect(refused.status).toBe(409);
  expect(errorCode(refused)).toBe("AB07");
  await call(emulator(), "PUT", `/admin/workspaces/${ws.id}`, { defaults: { user_api_key_config: null } });
  await call(emulator(), "DELETE", `/admin/workspaces/${ws.id}`, { name: "Configs G", force_delete: true });
  expect(errorCode(await call(emulator(), "GET", `/configs/${made.slug}`))).toBe("AB08");
});

test("configs belong to their organisation", async () => {
  const other = await startEmulator({ adminKeys: [ADMIN_KEY, "second-org-admin-key-000000"] });
  try {
    const ws = await call(other, "POST", "/admin/workspaces", { name: "Org one" });
    const made = await call(other, "POST", "/configs", { name: "mine", config: {}, workspace_id: ws.body.id });
    expect(made.status).toBe(200);
    const fromOther = await call(other, "GET", `/configs/${made.body.slug}`, undefined, "second-org-admin-key-000000");
    expect(fromOther.status).toBe(404);
    expect((await call(other, "GET", "/configs", undefined, "second-org-admin-key-000000")).body.data).toEqual([]);
  } finally {
    await other.stop();
  }
});
