/**
 * The emulator's prompt family (/collections, /labels, /prompts,
 * /prompts/partials), driven mostly through Portkey's official Node SDK:
 * versions (an update makes one, unpublished), publishing with makeDefault,
 * the default collection, labels on versions, and the refusals that keep
 * references whole.
 */
import { Portkey } from "portkey-ai";
import { call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

/* eslint-disable @typescript-eslint/no-explicit-any */
type Loose = any;

function sdk(): Portkey {
  return new Portkey({ apiKey: "test-admin-key-0123456789", baseURL: emulator().portkeyBaseUrl });
}

/** A workspace with a provider (virtual key) in it, made the way the API makes one: a workspace integration. */
async function workspaceWithProvider(name: string) {
  const ws = (await call(emulator(), "POST", "/admin/workspaces", { name })).body as { id: string; slug: string };
  const integration = await call(emulator(), "POST", "/integrations", { name: `${name} OpenAI`, ai_provider_id: "openai", key: "sk-test-1234567890", workspace_id: ws.id });
  expect(integration.status).toBe(200);
  return { ws, provider: integration.body.slug as string };
}

test("collections: every workspace has an undeletable default one; create by workspace slug answers the UUID; only name changes", async () => {
  const portkey = sdk();
  const { ws } = await workspaceWithProvider("Prompts Collections");
  const listed: Loose = await portkey.collections.list({ workspace_id: ws.slug });
  expect(listed.total).toBe(1);
  const fallback = listed.data[0];
  expect(fallback).toMatchObject({ workspace_id: ws.id, is_default: 1, status: "active", collection_details: { prompts_count: 0 } });

  const created: Loose = await portkey.collections.create({ name: "Support", workspace_id: ws.slug });
  expect(created).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), slug: expect.any(String) });
  const child: Loose = await portkey.collections.create({ name: "Billing", parent_collection_id: created.slug });
  const bySlug: Loose = await portkey.collections.retrieve(created.slug);
  expect(bySlug).toMatchObject({ id: created.id, name: "Support", workspace_id: ws.id, is_default: 0, parent_collection_id: null });
  expect(bySlug.child_collections).toEqual([expect.objectContaining({ id: child.id, name: "Billing" })]);

  await portkey.collections.update(created.id, { name: "Customer Support" });
  expect(((await portkey.collections.retrieve(created.id)) as Loose).name).toBe("Customer Support");

  // A collection with children is not deleted (a choice); the default one never is (the document: 404).
  expect(errorCode(await call(emulator(), "DELETE", `/collections/${created.id}`))).toBe("AB07");
  await portkey.collections.delete(child.id);
  await portkey.collections.delete(created.id);
  expect((await call(emulator(), "GET", `/collections/${created.id}`)).status).toBe(404);
  expect((await call(emulator(), "DELETE", `/collections/${fallback.id}`)).status).toBe(404);
  expect(errorCode(await call(emulator(), "GET", "/collections"))).toBe("AB01");
});

test("prompts: create makes version 1 published; an update makes an unpublished version; makeDefault publishes; name changes make none", async () => {
  const portkey = sdk();
  const { ws, provider } = await workspaceWithProvider("Prompts Versions");
  const collection: Loose = await portkey.collections.create({ name: "Main", workspace_id: ws.id });
  const created: Loose = await portkey.prompts.create({
    name: "Greeter",
    collection_id: collection.slug,
    string: "Hello {{name}}",
    parameters: { temperature: 0.2 },
    virtual_key: provider,
    model: "gpt-4o-mini",
  });
  expect(created).toMatchObject({ id: expect.any(String), slug: expect.stringMatching(/^pp-/), version_id: expect.any(String), object: "prompt" });

  const first: Loose = await portkey.prompts.retrieve(created.slug);
  expect(first).toMatchObject({
    id: created.id,
    collection_id: collection.id,
    string: "Hello {{name}}",
    prompt_version: 1,
    prompt_version_id: created.version_id,
    virtual_key: provider,
    model: "gpt-4o-mini",
    // The live API puts the model into parameters.
    parameters: { temperature: 0.2, model: "gpt-4o-mini" },
    is_raw_template: 0,
  });

  // A name-only update answers {} and makes no version, also with `parameters: null` beside it (the Terraform provider's rename).
  expect(await call(emulator(), "PUT", `/prompts/${created.id}`, { name: "Greeter 2" })).toMatchObject({ status: 200, body: {} });
  expect(await call(emulator(), "PUT", `/prompts/${created.id}`, { name: "Greeter 2", parameters: null })).toMatchObject({ status: 200, body: {} });
  expect(((await portkey.prompts.retrieve(created.id)) as Loose).prompt_version).toBe(1);

  // Without patch a new version needs string and virtual_key; with patch the rest is copied from the latest version.
  expect(errorCode(await call(emulator(), "PUT", `/prompts/${created.id}`, { string: "Hi {{name}}" }))).toBe("AB01");
  const updated = await call(emulator(), "PUT", `/prompts/${created.id}`, { string: "Hi {{name}}", patch: true, version_description: "shorter" });
  expect(updated.body).toEqual({ id: created.id, slug: created.slug, prompt_version_id: expect.any(String) });

  // Not published: the default read still shows version 1; @latest shows 2.
  expect(((await portkey.prompts.retrieve(created.id)) as Loose).prompt_version).toBe(1);
  const latest = await call(emulator(), "GET", `/prompts/${created.id}?version=latest`);
  expect(latest.body).toMatchObject({ prompt_version: 2, prompt_version_id: updated.body.prompt_version_id, string: "Hi {{name}}", model: "gpt-4o-mini", prompt_version_description: "shorter" });

  const versions: Loose = await portkey.prompts.versions.list(created.id);
  expect(versions).toMatchObject({ object: "list", total: 2 });
  expect(versions.data.map((v: Loose) => [v.prompt_version, v.id])).toEqual([
    [2, updated.body.prompt_version_id],
    [1, created.version_id],
  ]);

  await portkey.prompts.publish(created.id, { version: 2 });
  expect(((await portkey.prompts.retrieve(created.id)) as Loose).prompt_version).toBe(2);
  // Publishing makes no version; publishing an unknown one is 404.
  expect(((await portkey.prompts.versions.list(created.id)) as Loose).total).toBe(2);
  expect(errorCode(await call(emulator(), "PUT", `/prompts/${created.id}/makeDefault`, { version: 9 }))).toBe("AB08");
  expect(errorCode(await call(emulator(), "PUT", `/prompts/${created.id}/makeDefault`, { version: "2" }))).toBe("AB01");

  // Rolling back is publishing an older version.
  await portkey.prompts.publish(created.id, { version: 1 });
  const version1: Loose = await portkey.prompts.versions.retrieve(created.id, created.version_id);
  expect(version1).toMatchObject({ prompt_version: 1, string: "Hello {{name}}" });
  expect(((await portkey.prompts.retrieve(created.id)) as Loose).string).toBe("Hello {{name}}");

  const listed: Loose = await portkey.prompts.list({ workspace_id: ws.slug });
  expect(listed.data).toEqual([expect.objectContaining({ id: created.id, name: "Greeter 2", collection_id: collection.id, object: "prompt" })]);
  expect(listed.total).toBe(1);

  await portkey.prompts.delete(created.slug);
  expect((await call(emulator(), "GET", `/prompts/${created.id}`)).status).toBe(404);
});

test("prompts: virtual_key must be a provider of the collection's workspace, and reads back as its slug", async () => {
  const { ws, provider } = await workspaceWithProvider("Prompts Keys");
  const other = await workspaceWithProvider("Prompts Keys Other");
  const collection = (await call(emulator(), "GET", `/collections?workspace_id=${ws.id}`)).body.data[0];
  const base = { name: "K", collection_id: collection.id, string: "x", parameters: {} };
  expect(errorCode(await call(emulator(), "POST", "/prompts", { ...base, virtual_key: other.provider }))).toBe("AB01");
  const providerId = Object.values(emulator().state().providers).find((p) => p.slug === provider && p.workspace_id === ws.id)!.id;
  const created = await call(emulator(), "POST", "/prompts", { ...base, virtual_key: providerId });
  expect(created.status).toBe(200);
  expect((await call(emulator(), "GET", `/prompts/${created.body.id}`)).body.virtual_key).toBe(provider);
  // A key-only update changes the published version in place, without a new version.
  expect((await call(emulator(), "PUT", `/prompts/${created.body.id}`, { virtual_key: provider })).body).toEqual({});
  expect((await call(emulator(), "GET", `/prompts/${created.body.id}/versions`)).body.total).toBe(1);
});

test("labels: three built-in ones that cannot be removed; custom ones move between versions of a prompt", async () => {
  const portkey = sdk();
  const { ws, provider } = await workspaceWithProvider("Prompts Labels");
  const builtIn: Loose = await portkey.labels.list({ workspace_id: ws.id });
  expect(builtIn.data.filter((l: Loose) => l.is_universal).map((l: Loose) => l.name).sort()).toEqual(["development", "production", "staging"]);
  const production = builtIn.data.find((l: Loose) => l.name === "production");
  expect(errorCode(await call(emulator(), "DELETE", `/labels/${production.id}`))).toBe("AB01");

  for (const name of ["latest", "default", "42", "a@b", "two words"]) {
    expect(errorCode(await call(emulator(), "POST", "/labels", { name, workspace_id: ws.id }))).toBe("AB01");
  }
  const canary: Loose = await portkey.labels.create({ name: "canary", workspace_id: ws.slug, color_code: "#ff0000" });
  expect(canary.id).toEqual(expect.any(String));
  expect(errorCode(await call(emulator(), "POST", "/labels", { name: "canary", workspace_id: ws.id }))).toBe("AB07");
  await portkey.labels.update(canary.id, { description: "one in ten" });
  expect(await portkey.labels.retrieve(canary.id)).toMatchObject({ name: "canary", description: "one in ten", color_code: "#ff0000", workspace_id: ws.id, is_universal: false });

  const collection = (await call(emulator(), "GET", `/collections?workspace_id=${ws.id}`)).body.data[0];
  const prompt = (await call(emulator(), "POST", "/prompts", { name: "L", collection_id: collection.id, string: "a", parameters: {}, virtual_key: provider })).body;
  const second = (await call(emulator(), "PUT", `/prompts/${prompt.id}`, { string: "b", virtual_key: provider })).body;
  await portkey.prompts.versions.update(prompt.id, prompt.version_id, { label_id: canary.id });
  await portkey.prompts.versions.update(prompt.id, second.prompt_version_id, { label_id: canary.id });
  const versions = (await call(emulator(), "GET", `/prompts/${prompt.id}/versions`)).body.data;
  expect(versions.map((v: Loose) => [v.prompt_version, v.label_id])).toEqual([
    [2, canary.id],
    [1, null],
  ]);
  // Deleting a label takes it off its versions.
  await portkey.labels.delete(canary.id);
  expect((await call(emulator(), "GET", `/prompts/${prompt.id}?version=2`)).body.prompt_version_label_id).toBeNull();
  expect((await call(emulator(), "GET", `/labels/${canary.id}`)).status).toBe(404);
});

test("partials: versions and publishing as for prompts; deleting one a prompt includes is refused, naming the prompt", async () => {
  const portkey = sdk();
  const { ws, provider } = await workspaceWithProvider("Prompts Partials");
  expect(errorCode(await call(emulator(), "POST", "/prompts/partials", { name: "P", string: "x" }))).toBe("AB01");
  const created: Loose = await portkey.prompts.partials.create({ name: "Signature", string: "Regards, {{team}}", workspace_id: ws.slug });
  expect(created).toMatchObject({ id: expect.any(String), slug: expect.any(String), version_id: expect.any(String) });
  const got: Loose = await portkey.prompts.partials.retrieve(created.slug);
  const fallback = (await call(emulator(), "GET", `/collections?workspace_id=${ws.id}`)).body.data[0];
  expect(got).toMatchObject({ id: created.id, name: "Signature", string: "Regards, {{team}}", version: 1, prompt_partial_version_id: created.version_id, collection_id: fallback.id, status: "active" });

  expect(await call(emulator(), "PUT", `/prompts/partials/${created.id}`, { name: "Sign-off" })).toMatchObject({ body: {} });
  expect(((await portkey.prompts.partials.retrieve(created.id)) as Loose).version).toBe(1);
  const updated = await call(emulator(), "PUT", `/prompts/partials/${created.id}`, { string: "Best, {{team}}", version_description: "friendlier" });
  expect(updated.body).toEqual({ id: created.id, slug: created.slug, prompt_partial_version_id: expect.any(String) });
  expect(((await portkey.prompts.partials.retrieve(created.id)) as Loose).string).toBe("Regards, {{team}}");
  const versions: Loose = await portkey.prompts.partials.versions.list(created.id);
  expect(versions.data.map((v: Loose) => [v.version, v.prompt_partial_version_id])).toEqual([
    [2, updated.body.prompt_partial_version_id],
    [1, created.version_id],
  ]);
  await portkey.prompts.partials.publish(created.id, { version: 2 });
  expect(await portkey.prompts.partials.retrieve(created.id)).toMatchObject({ version: 2, string: "Best, {{team}}", version_description: "friendlier" });
  const listed: Loose = await portkey.prompts.partials.list({ collection_id: fallback.id });
  expect(listed).toMatchObject({ object: "list", total: 1, data: [expect.objectContaining({ id: created.id, name: "Sign-off" })] });

  const prompt = (await call(emulator(), "POST", "/prompts", { name: "Mail", collection_id: fallback.id, string: `Hi.\n{{>${created.slug}@1}}`, parameters: {}, virtual_key: provider })).body;
  const refused = await call(emulator(), "DELETE", `/prompts/partials/${created.id}`);
  expect(refused.status).toBe(409);
  expect(refused.body.data).toEqual({ errorCode: "AB07", message: expect.stringContaining(prompt.slug) });
  // Once neither the published nor the newest version includes it, it can go.
  const plain = (await call(emulator(), "PUT", `/prompts/${prompt.id}`, { string: "Hi.", patch: true })).body;
  expect(plain.prompt_version_id).toEqual(expect.any(String));
  expect((await call(emulator(), "DELETE", `/prompts/partials/${created.id}`)).status).toBe(409);
  await call(emulator(), "PUT", `/prompts/${prompt.id}/makeDefault`, { version: 2 });
  await portkey.prompts.partials.delete(created.id);
  expect((await call(emulator(), "GET", `/prompts/partials/${created.id}`)).status).toBe(404);
});

test("a workspace key sees only its own workspace's prompts", async () => {
  const a = await workspaceWithProvider("Prompts Scope A");
  const b = await workspaceWithProvider("Prompts Scope B");
  const collectionA = (await call(emulator(), "GET", `/collections?workspace_id=${a.ws.id}`)).body.data[0];
  const collectionB = (await call(emulator(), "GET", `/collections?workspace_id=${b.ws.id}`)).body.data[0];
  const inA = (await call(emulator(), "POST", "/prompts", { name: "A", collection_id: collectionA.id, string: "a", parameters: {}, virtual_key: a.provider })).body;
  const inB = (await call(emulator(), "POST", "/prompts", { name: "B", collection_id: collectionB.id, string: "b", parameters: {}, virtual_key: b.provider })).body;
  const key = await call(emulator(), "POST", "/api-keys/workspace/service", { name: "prompts", workspace_id: a.ws.id, scopes: ["prompts.list", "prompts.read"] });
  const listed = await call(emulator(), "GET", "/prompts", undefined, key.body.key);
  expect(listed.body.data.map((p: Loose) => p.id)).toEqual([inA.id]);
  expect((await call(emulator(), "GET", `/prompts/${inB.id}`, undefined, key.body.key)).status).toBe(403);
  expect((await call(emulator(), "DELETE", `/prompts/${inA.id}`, undefined, key.body.key)).status).toBe(403);
});

test("every answer above conforms to the official document, apart from the listed deviations", () => {
  expect(emulator().specViolations()).toEqual([]);
});
