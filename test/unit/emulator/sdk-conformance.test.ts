/**
 * Drives the emulator with Portkey's official Node SDK (the `portkey-ai`
 * package): admin workspaces, API keys and integration workspace access.
 * The SDK is the vendor's own client, so it checks the emulator's routes and
 * shapes independently of our provider.
 */
import { Portkey } from "portkey-ai";
import { ADMIN_KEY, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

function client(apiKey = ADMIN_KEY): Portkey {
  return new Portkey({ apiKey, baseURL: emulator().portkeyBaseUrl });
}

// The SDK's request types are looser than its runtime use; these calls pass the documented bodies.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Loose = any;

test("workspaces: create, retrieve, list, update, delete", async () => {
  const portkey = client();
  const created: Loose = await portkey.admin.workspaces.create({
    name: "SDK Workspace",
    description: "made by the official SDK",
    defaults: { metadata: { team: "sdk" } },
    usage_limits: [{ credit_limit: 20, type: "cost", alert_threshold: 10, periodic_reset: "monthly" }],
  } as Loose);
  expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
  const retrieved: Loose = await portkey.admin.workspaces.retrieve({ workspaceId: created.slug } as Loose);
  expect(retrieved).toMatchObject({ id: created.id, name: "SDK Workspace", defaults: { metadata: { team: "sdk" } } });
  const listed: Loose = await portkey.admin.workspaces.list({ page_size: 10, current_page: 0 } as Loose);
  expect(listed.data.map((w: Loose) => w.id)).toContain(created.id);
  await portkey.admin.workspaces.update({ workspaceId: created.id, description: "changed" } as Loose);
  const updated: Loose = await portkey.admin.workspaces.retrieve({ workspaceId: created.id } as Loose);
  expect(updated.description).toBe("changed");
  await portkey.admin.workspaces.delete({ workspaceId: created.id, name: "SDK Workspace" } as Loose);
  await expect(portkey.admin.workspaces.retrieve({ workspaceId: created.id } as Loose)).rejects.toMatchObject({ status: 403 });
});

test("API keys: create, retrieve, list, update, delete", async () => {
  const portkey = client();
  const ws: Loose = await portkey.admin.workspaces.create({ name: "SDK Keys" } as Loose);
  const created: Loose = await portkey.apiKeys.create({
    type: "workspace",
    "sub-type": "service",
    name: "sdk-key",
    workspace_id: ws.slug,
    scopes: ["completions.write", "logs.view"],
  } as Loose);
  expect(created).toMatchObject({ id: expect.any(String), key: expect.any(String), object: "api-key" });
  const retrieved: Loose = await portkey.apiKeys.retrieve({ id: created.id } as Loose);
  expect(retrieved).toMatchObject({ name: "sdk-key", workspace_id: ws.id, type: "workspace-service" });
  expect(retrieved.key).not.toBe(created.key);
  const listed: Loose = await portkey.apiKeys.list({ workspace_id: ws.id } as Loose);
  expect(listed.data.map((k: Loose) => k.id)).toEqual([created.id]);
  await portkey.apiKeys.update({ id: created.id, name: "renamed", scopes: ["logs.view"] } as Loose);
  const updated: Loose = await portkey.apiKeys.retrieve({ id: created.id } as Loose);
  expect(updated).toMatchObject({ name: "renamed", scopes: ["logs.view"] });
  await portkey.apiKeys.delete({ id: created.id } as Loose);
  await expect(portkey.apiKeys.retrieve({ id: created.id } as Loose)).rejects.toMatchObject({ status: 404 });
});

test("integrations and their workspace access: create, grant, list, update, revoke", async () => {
  const portkey = client();
  const ws: Loose = await portkey.admin.workspaces.create({ name: "SDK Access" } as Loose);
  const integration: Loose = await portkey.integrations.create({
    name: "SDK OpenAI",
    slug: "sdk-openai",
    ai_provider_id: "openai",
    key: "sk-test-fake-key-12345",
  } as Loose);
  expect(integration.slug).toBe("sdk-openai");
  const detail: Loose = await portkey.integrations.retrieve({ slug: "sdk-openai" } as Loose);
  expect(detail).toMatchObject({ slug: "sdk-openai", ai_provider_id: "openai", masked_key: expect.stringContaining("*") });
  await portkey.integrations.workspaces.update({
    slug: "sdk-openai",
    workspaces: [{ id: ws.id, enabled: true, rate_limits: [{ type: "requests", unit: "rpm", value: 30 }] }],
  } as Loose);
  const access: Loose = await portkey.integrations.workspaces.list({ slug: "sdk-openai" } as Loose);
  expect(access.workspaces).toEqual([
    expect.objectContaining({ id: ws.slug, enabled: true, rate_limits: [{ type: "requests", unit: "rpm", value: 30 }] }),
  ]);
  await portkey.integrations.workspaces.update({ slug: "sdk-openai", workspaces: [{ id: ws.id, enabled: false }] } as Loose);
  const revoked: Loose = await portkey.integrations.workspaces.list({ slug: "sdk-openai" } as Loose);
  expect(revoked.workspaces[0].enabled).toBe(false);
  const all: Loose = await portkey.integrations.list({} as Loose);
  expect(all.data.map((i: Loose) => i.slug)).toContain("sdk-openai");
  await portkey.integrations.delete({ slug: "sdk-openai" } as Loose);
});

test("the SDK sees the API's error statuses", async () => {
  await expect(client("not-a-key").admin.workspaces.list({} as Loose)).rejects.toMatchObject({ status: 401 });
  await expect(client().apiKeys.create({ type: "workspace", "sub-type": "service", name: "x", scopes: ["a"] } as Loose)).rejects.toMatchObject({
    status: 400,
  });
});

test("every response the SDK received conformed to the official document", () => {
  expect(emulator().specViolations()).toEqual([]);
});
