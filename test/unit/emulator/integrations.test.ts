/**
 * The emulator's /integrations routes as the Integration resource uses them:
 * create (answer `{id, slug}`), slugs (given or generated, unique, pattern),
 * the key never returned (only masked), PUT changes only what is given,
 * DELETE, list filters, and a workspace's integration with its default provider.
 */
import { call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

test("create answers {id, slug} only; GET shows the key masked, never in plaintext; a generated slug comes from the name", async () => {
  const created = await call(emulator(), "POST", "/integrations", { name: "My OpenAI", ai_provider_id: "openai", key: "sk-test-secret-123456", description: "d" });
  expect(created.status).toBe(200);
  expect(created.body).toEqual({ id: expect.any(String), slug: expect.stringMatching(/^my-openai-[0-9a-f]{6}$/) });
  const got = await call(emulator(), "GET", `/integrations/${created.body.slug}`);
  expect(got.body).toMatchObject({ id: created.body.id, name: "My OpenAI", ai_provider_id: "openai", description: "d", status: "active", type: "organisation", masked_key: "sk*******56" });
  expect(JSON.stringify(got.body)).not.toContain("sk-test-secret-123456");
});

test("a given slug must match the pattern and be unique; name and ai_provider_id are required", async () => {
  expect(errorCode(await call(emulator(), "POST", "/integrations", { name: "x", slug: "not a slug", ai_provider_id: "openai", key: "k" }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "POST", "/integrations", { slug: "no-name", ai_provider_id: "openai", key: "k" }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "POST", "/integrations", { name: "x", slug: "no-provider", key: "k" }))).toBe("AB01");
  expect((await call(emulator(), "POST", "/integrations", { name: "x", slug: "taken", ai_provider_id: "openai", key: "k" })).status).toBe(200);
  expect(errorCode(await call(emulator(), "POST", "/integrations", { name: "y", slug: "taken", ai_provider_id: "openai", key: "k" }))).toBe("AB07");
});

test("PUT changes only the fields given (a new key rotates the credential); DELETE removes it and GET then answers not found", async () => {
  await call(emulator(), "POST", "/integrations", { name: "rot", slug: "rot", ai_provider_id: "openai", key: "sk-first-000001", configurations: { openai_organization: "o1" } });
  expect((await call(emulator(), "PUT", "/integrations/rot", { key: "sk-second-00002" })).status).toBe(200);
  const got = (await call(emulator(), "GET", "/integrations/rot")).body;
  expect(got).toMatchObject({ name: "rot", masked_key: "sk*******02", configurations: { openai_organization: "o1" } });
  expect(emulator().state().integrations.rot.key).toBe("sk-second-00002");
  expect(errorCode(await call(emulator(), "PUT", "/integrations/rot", { configurations: { openai_organization: 5 } }))).toBe("AB01");
  expect((await call(emulator(), "DELETE", "/integrations/rot")).status).toBe(200);
  const gone = await call(emulator(), "GET", "/integrations/rot");
  expect(gone.status).toBe(404);
  expect(errorCode(gone)).toBe("AB08");
});

test("a workspace's integration gets a default provider unless create_default_provider is false; the list filters by type and workspace", async () => {
  const ws = (await call(emulator(), "POST", "/admin/workspaces", { name: "Integrations WS" })).body as { id: string; slug: string };
  await call(emulator(), "POST", "/integrations", { name: "org", slug: "org-one", ai_provider_id: "openai", key: "k1" });
  const own = await call(emulator(), "POST", "/integrations", { name: "own", slug: "ws-own", ai_provider_id: "openai", key: "k2", workspace_id: ws.slug });
  expect(own.status).toBe(200);
  await call(emulator(), "POST", "/integrations", { name: "bare", slug: "ws-bare", ai_provider_id: "openai", key: "k3", workspace_id: ws.id, create_default_provider: false });
  const providers = Object.values(emulator().state().providers).filter((p) => p.workspace_id === ws.id);
  expect(providers.map((p) => [p.slug, p.integration_slug])).toEqual([["ws-own", "ws-own"]]);
  // The default provider's slug is taken in the workspace: refused.
  expect(errorCode(await call(emulator(), "POST", "/integrations", { name: "dup", slug: "ws-dup", ai_provider_id: "openai", key: "k", workspace_id: ws.id, default_provider_slug: "ws-own" }))).toBe("AB01");
  expect((await call(emulator(), "GET", "/integrations/ws-own")).body).toMatchObject({ type: "workspace", workspace_id: ws.slug });

  const slugs = async (query: string) => ((await call(emulator(), "GET", `/integrations${query}`)).body.data as { slug: string }[]).map((i) => i.slug).sort();
  // (The emulator is shared by this file's tests: earlier ones left organisation integrations.)
  expect(await slugs("?type=organisation")).toContain("org-one");
  expect(await slugs("?type=organisation")).not.toContain("ws-own");
  expect(await slugs("?type=workspace")).toEqual(["ws-bare", "ws-own"]);
  expect(await slugs(`?workspace_id=${ws.id}`)).toEqual(["ws-bare", "ws-own"]);
  await call(emulator(), "PUT", "/integrations/org-one/workspaces", { workspaces: [{ id: ws.id, enabled: true }], create_default_provider: false });
  expect(await slugs(`?workspace_id=${ws.slug}`)).toEqual(["org-one", "ws-bare", "ws-own"]);
  expect(errorCode(await call(emulator(), "GET", "/integrations?type=nope"))).toBe("AB01");
});
