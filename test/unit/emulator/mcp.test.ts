/**
 * The emulator's MCP family (/mcp-integrations, their workspace access and
 * capabilities; /mcp-servers, their capabilities and user access), driven
 * mostly through Portkey's official Node SDK.
 */
import { Portkey } from "portkey-ai";
import { ADMIN_KEY, call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

/* eslint-disable @typescript-eslint/no-explicit-any */
type Loose = any;

function sdk(apiKey = ADMIN_KEY): Portkey {
  return new Portkey({ apiKey, baseURL: emulator().portkeyBaseUrl });
}

async function workspace(name: string) {
  return (await call(emulator(), "POST", "/admin/workspaces", { name })).body as { id: string; slug: string };
}

const LINEAR = { name: "Linear", url: "https://mcp.linear.app/mcp", auth_type: "headers", transport: "http" } as const;

test("integrations: create, read by id or slug without configurations, update in place, list with paging", async () => {
  const portkey = sdk();
  const created: Loose = await portkey.mcpIntegrations.create({ ...LINEAR, slug: "linear-mcp", configurations: { custom_headers: { Authorization: "Bearer secret-token" } } });
  expect(created).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), slug: "linear-mcp" });
  const bySlug: Loose = await portkey.mcpIntegrations.retrieve({ id: "linear-mcp" });
  expect(bySlug).toMatchObject({ id: created.id, slug: "linear-mcp", name: "Linear", url: LINEAR.url, auth_type: "headers", transport: "http", workspace_id: null, type: "organisation", status: "active", global_workspace_access: null });
  // Secrets never come back.
  expect(bySlug.configurations).toBeUndefined();
  expect(JSON.stringify(bySlug)).not.toContain("secret-token");

  await portkey.mcpIntegrations.update({ id: created.id, auth_type: "none", description: "issues" });
  expect(await portkey.mcpIntegrations.retrieve({ id: created.id })).toMatchObject({ auth_type: "none", description: "issues", name: "Linear" });
  expect(errorCode(await call(emulator(), "PUT", `/mcp-integrations/${created.id}`, {}))).toBe("AB01");
  expect(errorCode(await call(emulator(), "PUT", `/mcp-integrations/${created.id}`, { slug: "other" }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "PUT", `/mcp-integrations/${created.id}`, { transport: "stdio" }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "POST", "/mcp-integrations", { ...LINEAR, slug: "linear-mcp" }))).toBe("AB07");
  expect(errorCode(await call(emulator(), "POST", "/mcp-integrations", { ...LINEAR, slug: "bad slug" }))).toBe("AB01");

  await portkey.mcpIntegrations.create({ ...LINEAR, name: "Second" });
  const page0 = await call(emulator(), "GET", "/mcp-integrations?page_size=1&current_page=0&type=organisation");
  expect(page0.body).toMatchObject({ total: expect.any(Number), has_more: true, data: [expect.objectContaining({ workspaces_count: 0 })] });
  const ws = await workspace("MCP Scoped");
  // The document types this workspace_id as a UUID (not "ID or slug"), and the emulator checks it.
  expect(errorCode(await call(emulator(), "POST", "/mcp-integrations", { ...LINEAR, name: "Scoped", workspace_id: ws.slug }))).toBe("AB01");
  const scoped: Loose = await portkey.mcpIntegrations.create({ ...LINEAR, name: "Scoped", workspace_id: ws.id });
  expect(await portkey.mcpIntegrations.retrieve({ id: scoped.id })).toMatchObject({ workspace_id: ws.id, type: "workspace" });
  const onlyWorkspace = await call(emulator(), "GET", "/mcp-integrations?type=workspace");
  expect(onlyWorkspace.body.data.map((i: Loose) => i.id)).toEqual([scoped.id]);
});

test("workspace access: merged one workspace at a time, listed in the legacy and versioned shapes, revoked with enabled false", async () => {
  const portkey = sdk();
  const a = await workspace("MCP Access A");
  const b = await workspace("MCP Access B");
  const created: Loose = await portkey.mcpIntegrations.create({ ...LINEAR, name: "Access" });
  await portkey.mcpIntegrations.workspaces.update({ id: created.id, workspaces: [{ id: a.id, enabled: true }] });
  await portkey.mcpIntegrations.workspaces.update({ id: created.slug, workspaces: [{ id: b.slug, enabled: true }] });
  const legacy: Loose = await portkey.mcpIntegrations.workspaces.list({ id: created.id });
  expect(legacy.workspaces.map((w: Loose) => [w.id, w.enabled])).toEqual([
    [a.id, true],
    [b.id, true],
  ]);
  expect(legacy.global_workspace_access).toBeNull();
  await portkey.mcpIntegrations.workspaces.update({ id: created.id, workspaces: [{ id: a.id, enabled: false }], global_workspace_access: { enabled: true } });
  const versioned = await call(emulator(), "GET", `/mcp-integrations/${created.id}/workspaces?version=2`);
  expect(versioned.body).toEqual({
    data: [expect.objectContaining({ id: a.id, enabled: false, status: "active" }), expect.objectContaining({ id: b.id, enabled: true })],
    global_workspace_access: { enabled: true },
    total: 2,
  });
  // With the override flag, workspaces not named lose access; an empty list is accepted.
  await call(emulator(), "PUT", `/mcp-integrations/${created.id}/workspaces`, { workspaces: [], override_existing_workspace_access: true });
  const after = await call(emulator(), "GET", `/mcp-integrations/${created.id}/workspaces`);
  expect(after.body.workspaces.every((w: Loose) => w.enabled === false)).toBe(true);
  expect((await call(emulator(), "GET", `/mcp-integrations/${created.id}`)).body.workspaces_count).toBeUndefined();
  expect(errorCode(await call(emulator(), "PUT", `/mcp-integrations/${created.id}/workspaces`, { workspaces: [{ id: "ws-none-000000", enabled: true }] }))).toBe("AB08");
});

test("capabilities: come from a sync, are switched by type and name, listed from page 1 with counts", async () => {
  const portkey = sdk();
  const created: Loose = await portkey.mcpIntegrations.create({ ...LINEAR, name: "Caps" });
  expect(await portkey.mcpIntegrations.metadata.get({ id: created.id })).toMatchObject({ sync_status: "pending", last_synced_at: null });
  expect(((await portkey.mcpIntegrations.capabilities.list({ id: created.id })) as Loose).total).toBe(0);
  await portkey.mcpIntegrations.sync({
    id: created.id,
    server_info: { name: "linear", version: "1.2.0", protocol_version: "2025-06-18" },
    capabilities: [
      { name: "create_issue", type: "tool", description: "Make an issue", input_schema: { type: "object" } },
      { name: "list_issues", type: "tool" },
      { name: "issue", type: "resource_template", uri_template: "linear://issue/{id}" },
    ],
  });
  expect(await portkey.mcpIntegrations.metadata.get({ id: created.id })).toMatchObject({ server_name: "linear", server_version: "1.2.0", sync_status: "synced" });
  await portkey.mcpIntegrations.capabilities.update({ id: created.id, capabilities: [{ name: "create_issue", type: "tool", enabled: false }] });
  const listed: Loose = await portkey.mcpIntegrations.capabilities.list({ id: created.id });
  expect(listed.counts).toEqual({ tools: { total: 2, enabled: 1 }, prompts: { total: 0, enabled: 0 }, resources: { total: 0, enabled: 0 }, resource_templates: { total: 1, enabled: 1 } });
  expect(listed.data.find((c: Loose) => c.name === "create_issue")).toMatchObject({ type: "tool", enabled: false, description: "Make an issue", input_schema: { type: "object" } });
  const secondPage = await call(emulator(), "GET", `/mcp-integrations/${created.id}/capabilities?type=tool&page=2&page_size=1`);
  expect(secondPage.body).toMatchObject({ total: 2, has_more: false, data: [expect.objectContaining({ name: "list_issues" })] });
  expect((await call(emulator(), "GET", `/mcp-integrations/${created.id}/capabilities?page=0`)).status).toBe(400);
  // Resource templates are listed but cannot be switched; the list needs at least one entry.
  expect(errorCode(await call(emulator(), "PUT", `/mcp-integrations/${created.id}/capabilities`, { capabilities: [{ name: "issue", type: "resource_template", enabled: false }] }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "PUT", `/mcp-integrations/${created.id}/capabilities`, { capabilities: [] }))).toBe("AB01");
});

test("servers: need an integration provisioned to their workspace; capabilities layer over the integration's; user access has a default and overrides", async () => {
  const portkey = sdk();
  const ws = await workspace("MCP Servers");
  const integration: Loose = await portkey.mcpIntegrations.create({ ...LINEAR, name: "Served" });
  await portkey.mcpIntegrations.sync({ id: integration.id, capabilities: [{ name: "create_issue", type: "tool" }, { name: "list_issues", type: "tool" }] });
  const body = { name: "Linear in Servers", mcp_integration_id: integration.slug, workspace_id: ws.id, slug: "linear-servers" };
  expect(errorCode(await call(emulator(), "POST", "/mcp-servers", body))).toBe("AB01");
  await portkey.mcpIntegrations.workspaces.update({ id: integration.id, workspaces: [{ id: ws.id, enabled: true }] });
  expect(errorCode(await call(emulator(), "POST", "/mcp-servers", { ...body, workspace_id: undefined }))).toBe("AB01");
  const created: Loose = await portkey.mcpServers.create(body as Loose);
  expect(created).toMatchObject({ id: expect.any(String), slug: "linear-servers" });
  expect(await portkey.mcpServers.retrieve({ id: "linear-servers" } as Loose)).toMatchObject({
    id: created.id,
    name: "Linear in Servers",
    workspace_id: ws.id,
    mcp_integration_id: integration.id,
    mcp_integration_details: { slug: integration.slug, url: LINEAR.url },
  });
  const listed: Loose = await portkey.mcpServers.list({ workspace_id: ws.id } as Loose);
  expect(listed.data).toEqual([expect.objectContaining({ id: created.id, workspace_slug: ws.slug, url: "https://mcp.portkey.ai/linear-servers/mcp", mcp_integration_slug: integration.slug })]);
  await portkey.mcpServers.update({ id: created.id, description: "for triage" } as Loose);
  expect(((await portkey.mcpServers.retrieve({ id: created.id } as Loose)) as Loose).description).toBe("for triage");

  await portkey.mcpIntegrations.capabilities.update({ id: integration.id, capabilities: [{ name: "list_issues", type: "tool", enabled: false }] });
  await call(emulator(), "PUT", `/mcp-servers/${created.id}/capabilities`, { capabilities: [{ name: "create_issue", type: "tool", enabled: false }] });
  const caps = await call(emulator(), "GET", `/mcp-servers/${created.id}/capabilities`);
  expect(caps.body.data.map((c: Loose) => [c.name, c.enabled, c.integration_enabled])).toEqual([
    ["create_issue", false, true],
    ["list_issues", false, false],
  ]);

  const seeded = await fetch(`${emulator().url}/_emulator/portkey/users`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "mcp@example.com", role: "member" }) });
  const user = (await seeded.json()) as { id: string };
  await call(emulator(), "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: user.id, role: "member" }] });
  const access0 = await call(emulator(), "GET", `/mcp-servers/${created.id}/user-access`);
  expect(access0.body).toEqual({ data: [expect.objectContaining({ user_id: user.id, enabled: true, has_override: false, connection_status: "not_connected" })], default_user_access: "allow", total: 1, has_more: false });
  await call(emulator(), "PUT", `/mcp-servers/${created.id}/user-access`, { default_user_access: "deny" });
  expect((await call(emulator(), "GET", `/mcp-servers/${created.id}/user-access`)).body.data[0]).toMatchObject({ enabled: false, has_override: false });
  await call(emulator(), "PUT", `/mcp-servers/${created.id}/user-access`, { user_access: [{ user_id: user.id, enabled: true }] });
  expect((await call(emulator(), "GET", `/mcp-servers/${created.id}/user-access`)).body).toMatchObject({ default_user_access: "deny", data: [{ enabled: true, has_override: true }] });
  expect(errorCode(await call(emulator(), "PUT", `/mcp-servers/${created.id}/user-access`, { user_access: [{ user_id: "nobody", enabled: true }] }))).toBe("AB08");
  expect((await call(emulator(), "GET", `/mcp-servers/${created.id}/connections`)).body).toEqual({ data: [], total: 0, has_more: false });

  // An integration a server uses is not deleted (a choice); the server goes first.
  expect(errorCode(await call(emulator(), "DELETE", `/mcp-integrations/${integration.id}`))).toBe("AB07");
  await portkey.mcpServers.delete({ id: created.slug } as Loose);
  expect((await call(emulator(), "GET", `/mcp-servers/${created.id}`)).status).toBe(404);
  await portkey.mcpIntegrations.delete({ id: integration.id });
  expect((await call(emulator(), "GET", `/mcp-integrations/${integration.slug}`)).status).toBe(404);
});

test("a workspace key reads an organisation integration only once it is provisioned to its workspace, and sees slugs in its access list", async () => {
  const ws = await workspace("MCP Key");
  const created = (await call(emulator(), "POST", "/mcp-integrations", { ...LINEAR, name: "Keyed" })).body;
  const key = (await call(emulator(), "POST", "/api-keys/workspace/service", { name: "mcp", workspace_id: ws.id, scopes: ["mcp_integrations.read", "mcp_integrations.update"] })).body.key;
  expect((await call(emulator(), "GET", `/mcp-integrations/${created.id}`, undefined, key)).status).toBe(403);
  await call(emulator(), "PUT", `/mcp-integrations/${created.id}/workspaces`, { workspaces: [{ id: ws.id, enabled: true }] });
  expect((await call(emulator(), "GET", `/mcp-integrations/${created.id}`, undefined, key)).status).toBe(200);
  expect((await call(emulator(), "GET", `/mcp-integrations/${created.id}/workspaces`, undefined, key)).body.workspaces).toEqual([expect.objectContaining({ id: ws.slug, enabled: true })]);
  // Provisioning is the organisation's to change.
  expect((await call(emulator(), "PUT", `/mcp-integrations/${created.id}`, { name: "x" }, key)).status).toBe(403);
});

test("every answer above conforms to the official document, apart from the listed deviations", () => {
  expect(emulator().specViolations()).toEqual([]);
});
