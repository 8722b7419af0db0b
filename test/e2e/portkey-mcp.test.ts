/**
 * Portkey MCP through the real engine against the emulator (issue 24):
 * McpIntegration, McpIntegrationWorkspaceAccess and McpIntegrationCapabilities
 * created together, a clean second preview, every updatable field changed in
 * place (each write carrying only what changed), optional fields cleared,
 * drift made through the plain API shown by refresh and repaired by up, an
 * integration deleted out of band, bad input refused at preview, the secret
 * configuration absent from the exported state, destroy touching only its own
 * access row; then `pulumi import` of all three by id with the native plugin.
 */
import { RunningEmulator, startEmulator } from "../../emulator";
import * as dynamicSdk from "../../sdk";
import * as nativeSdk from "../../sdk/native";
import type { McpIntegrationArgs, McpCapabilityArgs } from "../../sdk/portkey";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, EngineStack, useEngineStack } from "./harness";

jest.setTimeout(10 * 60_000);

const portkey = dynamicSdk.portkey;
const INTEGRATION = "pulumi-nodejs:dynamic/portkey:McpIntegration";
const ACCESS = "pulumi-nodejs:dynamic/portkey:McpIntegrationWorkspaceAccess";
const CAPABILITIES = "pulumi-nodejs:dynamic/portkey:McpIntegrationCapabilities";
const TOKEN = "Bearer linear-secret-token-0123456789";
const NEW_TOKEN = "Bearer linear-secret-token-rotated-987";
const ROUTES = {
  updateIntegration: "PUT /mcp-integrations/{mcpIntegrationId}",
  putAccess: "PUT /mcp-integrations/{mcpIntegrationId}/workspaces",
  putCapabilities: "PUT /mcp-integrations/{mcpIntegrationId}/capabilities",
};

let emulator: RunningEmulator;
let handMade: { id: string; slug: string };
let integrationArgs: Partial<McpIntegrationArgs>;
let accessEnabled: boolean | undefined;
let capabilities: McpCapabilityArgs[];

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
});

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
  handMade = (await call(emulator, "POST", "/admin/workspaces", { name: "Hand made" })).body;
});
afterAll(async () => emulator?.stop());

const engine = useEngineStack(() => ({
  projectName: "portkey-mcp",
  program: async () => {
    const ws = new portkey.Workspace("tools", { name: "Tools team", forceDelete: true });
    const linear = new portkey.McpIntegration("linear", {
      name: "Linear",
      slug: "linear",
      url: "https://mcp.linear.app/mcp",
      authType: "headers",
      transport: "http",
      ...integrationArgs,
    });
    new portkey.McpIntegrationWorkspaceAccess("tools", { mcpIntegrationId: linear.id, workspaceId: ws.id, enabled: accessEnabled });
    new portkey.McpIntegrationCapabilities("linear", { mcpIntegrationId: linear.id, capabilities });
    // Exports nothing: outputs registered after a preview refused at check are rejected by the terminating
    // engine as an unhandled rejection, which Jest counts as a failed suite (see convergence.test.ts).
  },
  config: config(),
}));

/** The operations of this package's resources (not the stack's own). */
function ops(steps: Parameters<typeof changedSteps>[0]): string[] {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:")).map((s) => s.op);
}

function bodies(route: string): unknown[] {
  return emulator.requestLog().filter((r) => r.route === route).map((r) => r.body);
}

async function integrationId(): Promise<string> {
  return (await engine().exportState()).resources(INTEGRATION)[0].id!;
}

async function held(): Promise<Record<string, unknown>> {
  return (await call(emulator, "GET", `/mcp-integrations/${await integrationId()}`)).body;
}

async function rows(): Promise<Record<string, boolean>> {
  const list = (await call(emulator, "GET", `/mcp-integrations/${await integrationId()}/workspaces`)).body as { workspaces: { id: string; enabled: boolean }[] };
  return Object.fromEntries(list.workspaces.map((r) => [r.id, r.enabled]));
}

async function heldCapabilities(): Promise<Record<string, boolean>> {
  const list = (await call(emulator, "GET", `/mcp-integrations/${await integrationId()}/capabilities`)).body as { data: { type: string; name: string; enabled: boolean }[] };
  return Object.fromEntries(list.data.map((c) => [`${c.type}:${c.name}`, c.enabled]));
}

/** The next preview changes none of the program's resources (a provider's name, after an import, is not a change of them). */
async function expectClean(stack: EngineStack = engine()): Promise<void> {
  expect(changedSteps((await stack.preview()).steps).filter((s) => !s.type.startsWith("pulumi:"))).toEqual([]);
}

function toolsWorkspace(): string {
  return Object.values(emulator.state().workspaces).find((w) => w.name === "Tools team")!.id;
}

test("creates the integration, grants a workspace, sets capabilities not synced yet (no drift); the secret stays encrypted", async () => {
  integrationArgs = { description: "issue tracker", configurations: { custom_headers: { Authorization: TOKEN } } };
  capabilities = [
    { type: "tool", name: "delete_issue", enabled: false },
    { type: "tool", name: "create_issue", enabled: true },
  ];
  const result = await engine().up();
  expect(ops(result.steps)).toEqual(["create", "create", "create", "create"]);
  expect(await held()).toMatchObject({ slug: "linear", name: "Linear", description: "issue tracker", auth_type: "headers", type: "organisation" });
  expect(await rows()).toEqual({ [toolsWorkspace()]: true });
  // Nothing synced yet: the switches are kept for later and name what is pending.
  expect(await heldCapabilities()).toEqual({});
  expect((await engine().exportState()).resource(CAPABILITIES, "linear")?.outputs?.notSynced).toEqual(["tool:delete_issue", "tool:create_issue"]);
  await expectClean();
  const state = await engine().exportState();
  expect(state.text).not.toContain("linear-secret-token");
  // Pulumi's mark of a secret value.
  expect(state.resource(INTEGRATION, "linear")?.outputs?.configurations).toHaveProperty(["4dabf18193072939515e22adb298388d"]);
});

test("once synced, capabilities read back as set; every updatable field changes in place, each write carrying only what changed", async () => {
  await call(emulator, "POST", `/mcp-integrations/${await integrationId()}/sync`, {
    capabilities: [
      { name: "create_issue", type: "tool" },
      { name: "delete_issue", type: "tool" },
      { name: "search", type: "tool" },
    ],
  });
  expect(await heldCapabilities()).toEqual({ "tool:create_issue": true, "tool:delete_issue": false, "tool:search": true });
  await engine().refresh();
  await expectClean();

  integrationArgs = {
    name: "Linear (prod)",
    url: "https://mcp.linear.app/sse",
    authType: "oauth_auto",
    transport: "sse",
    description: "tickets",
    configurations: { custom_headers: { Authorization: NEW_TOKEN } },
  };
  accessEnabled = false;
  capabilities = [
    { type: "tool", name: "delete_issue", enabled: true },
    { type: "tool", name: "create_issue", enabled: true },
  ];
  emulator.clearRequestLog();
  const result = await engine().up();
  expect(ops(result.steps)).toEqual(["update", "update", "update"]);
  expect(bodies(ROUTES.updateIntegration)).toEqual([
    { name: "Linear (prod)", url: "https://mcp.linear.app/sse", auth_type: "oauth_auto", transport: "sse", description: "tickets", configurations: { custom_headers: { Authorization: NEW_TOKEN } } },
  ]);
  expect(bodies(ROUTES.putAccess)).toEqual([{ workspaces: [{ id: toolsWorkspace(), enabled: false }] }]);
  expect(bodies(ROUTES.putCapabilities)).toEqual([{ capabilities: [{ name: "delete_issue", type: "tool", enabled: true }] }]);
  expect(await held()).toMatchObject({ name: "Linear (prod)", transport: "sse", auth_type: "oauth_auto" });
  expect(await rows()).toEqual({ [toolsWorkspace()]: false });
  expect(await heldCapabilities()).toMatchObject({ "tool:delete_issue": true });
  await expectClean();
  expect((await engine().exportState()).text).not.toContain("rotated-987");
});

test("optional fields are cleared: description with null, configurations with an empty object", async () => {
  integrationArgs = { name: "Linear (prod)", url: "https://mcp.linear.app/sse", authType: "oauth_auto", transport: "sse" };
  emulator.clearRequestLog();
  await engine().up();
  expect(bodies(ROUTES.updateIntegration)).toEqual([{ description: null, configurations: {} }]);
  expect((await held()).description).toBeNull();
  await expectClean();
});

test("drift made through the plain API shows on refresh and up repairs it; other workspaces' rows are never touched", async () => {
  const id = await integrationId();
  await call(emulator, "PUT", `/mcp-integrations/${id}`, { name: "Renamed in the UI" });
  await call(emulator, "PUT", `/mcp-integrations/${id}/workspaces`, { workspaces: [{ id: toolsWorkspace(), enabled: true }, { id: handMade.id, enabled: true }] });
  await call(emulator, "PUT", `/mcp-integrations/${id}/capabilities`, { capabilities: [{ name: "create_issue", type: "tool", enabled: false }] });
  await engine().refresh();
  const preview = await engine().preview();
  expect(changedSteps(preview.steps).map((s) => s.type).sort()).toEqual([INTEGRATION, CAPABILITIES, ACCESS].sort());
  emulator.clearRequestLog();
  await engine().up();
  expect(bodies(ROUTES.putAccess)).toEqual([{ workspaces: [{ id: toolsWorkspace(), enabled: false }] }]);
  expect((await held()).name).toBe("Linear (prod)");
  expect(await rows()).toEqual({ [toolsWorkspace()]: false, [handMade.id]: true });
  expect(await heldCapabilities()).toMatchObject({ "tool:create_issue": true });
  await expectClean();
});

test("bad input is refused at preview, naming the property", async () => {
  const valid = { integrationArgs, capabilities };
  try {
    integrationArgs = { ...valid.integrationArgs, url: "ftp://mcp.example.com" };
    await expect(engine().preview()).rejects.toThrow(/url: must be an http\(s\) URL/);
    integrationArgs = { ...valid.integrationArgs, secretMappings: [{ targetField: "key", secretReferenceId: "ref" }] };
    await expect(engine().preview()).rejects.toThrow(/secretMappings\[0\]\.targetField: must be `configurations.<field>`/);
    integrationArgs = valid.integrationArgs;
    capabilities = [{ type: "resource_template" as "tool", name: "x", enabled: false }];
    await expect(engine().preview()).rejects.toThrow(/capabilities\[0\]\.type/);
    capabilities = [valid.capabilities[0], valid.capabilities[0]];
    await expect(engine().preview()).rejects.toThrow(/capabilities: must list each type and name once/);
  } finally {
    ({ integrationArgs, capabilities } = valid);
  }
});

test("an integration deleted out of band is gone on refresh with its grant and capabilities, and up makes them again", async () => {
  await call(emulator, "DELETE", `/mcp-integrations/${await integrationId()}`);
  const refreshed = await engine().refresh();
  expect(refreshed.changeSummary.delete).toBe(3);
  const result = await engine().up();
  expect(ops(result.steps)).toEqual(["create", "create", "create"]);
  expect(await rows()).toEqual({ [toolsWorkspace()]: false });
  await expectClean();
});

test("destroy switches off only its own row and deletes the integration", async () => {
  const id = await integrationId();
  await call(emulator, "PUT", `/mcp-integrations/${id}/workspaces`, { workspaces: [{ id: handMade.id, enabled: true }] });
  emulator.clearRequestLog();
  await engine().destroy();
  for (const body of bodies(ROUTES.putAccess)) expect(body).toEqual({ workspaces: [{ id: expect.any(String), enabled: false }] });
  expect((await call(emulator, "GET", `/mcp-integrations/${id}`)).status).toBe(404);
});

test("native: pulumi import takes an integration, its grant and its capabilities made by hand, and the program previews clean", async () => {
  const made = (await call(emulator, "POST", "/mcp-integrations", { name: "GitHub", slug: "github", url: "https://api.githubcopilot.com/mcp/", auth_type: "none", transport: "http" })).body as { id: string };
  await call(emulator, "PUT", `/mcp-integrations/${made.id}/workspaces`, { workspaces: [{ id: handMade.id, enabled: true }] });
  await call(emulator, "POST", `/mcp-integrations/${made.id}/sync`, { capabilities: [{ name: "merge_pr", type: "tool" }, { name: "list_prs", type: "tool" }] });
  await call(emulator, "PUT", `/mcp-integrations/${made.id}/capabilities`, { capabilities: [{ name: "merge_pr", type: "tool", enabled: false }] });
  const native = nativeSdk.portkey;
  let program = async () => ({});
  const stack = await EngineStack.create({
    projectName: "portkey-mcp-import",
    program: () => program(),
    config: config(),
    env: { PATH: `${require("node:path").resolve(__dirname, "..", "..", "bin")}:${process.env.PATH}` },
  });
  try {
    await stack.up();
    const imported = await stack.stack.import({
      resources: [
        { type: "portkey:index:McpIntegration", name: "github", id: made.id },
        { type: "portkey:index:McpIntegrationWorkspaceAccess", name: "github-hand-made", id: `${made.id}/${handMade.id}` },
        { type: "portkey:index:McpIntegrationCapabilities", name: "github", id: made.id },
      ],
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 3 });
    // pulumi import protects what it adopts; the program keeps that until it lets go at the end.
    const declared = (protect: boolean) => async () => {
      const github = new native.McpIntegration("github", { name: "GitHub", slug: "github", url: "https://api.githubcopilot.com/mcp/", authType: "none", transport: "http" }, { protect });
      new native.McpIntegrationWorkspaceAccess("github-hand-made", { mcpIntegrationId: github.id, workspaceId: handMade.id }, { protect });
      new native.McpIntegrationCapabilities("github", { mcpIntegrationId: github.id, capabilities: [{ type: "tool", name: "merge_pr", enabled: false }] }, { protect });
      return {};
    };
    program = declared(true);
    await expectClean(stack);
    program = declared(false);
    await stack.up();
    await stack.destroy();
    expect((await call(emulator, "GET", `/mcp-integrations/${made.id}`)).status).toBe(404);
  } finally {
    await stack.dispose();
  }
});

describe("MCP servers with their capabilities and user access", () => {
  const SERVER = "pulumi-nodejs:dynamic/portkey:McpServer";
  const SERVER_CAPABILITIES = "pulumi-nodejs:dynamic/portkey:McpServerCapabilities";
  const USER_ACCESS = "pulumi-nodejs:dynamic/portkey:McpServerUserAccess";
  let server: { name: string; description?: string; slug?: string };
  let serverCapabilities: McpCapabilityArgs[];
  let users: { userId: string; enabled: boolean }[];
  let defaultUserAccess: "allow" | "deny" | undefined;
  let ada: { id: string };
  let workspace: { id: string; slug: string };
  let stack: EngineStack;

  const serverId = async () => (await stack.exportState()).resources(SERVER)[0].id!;
  const heldServer = async () => (await call(emulator, "GET", `/mcp-servers/${await serverId()}`)).body;
  const heldAccess = async () => (await call(emulator, "GET", `/mcp-servers/${await serverId()}/user-access`)).body as { default_user_access: string; data: { user_id: string; enabled: boolean; has_override: boolean }[] };
  const heldServerCapabilities = async () =>
    Object.fromEntries(((await call(emulator, "GET", `/mcp-servers/${await serverId()}/capabilities`)).body.data as { name: string; enabled: boolean }[]).map((c) => [c.name, c.enabled]));

  beforeAll(async () => {
    workspace = (await call(emulator, "POST", "/admin/workspaces", { name: "Server home" })).body;
    ada = (await (await fetch(`${emulator.url}/_emulator/portkey/users`, { method: "POST", body: JSON.stringify({ email: "ada@example.com" }) })).json()) as { id: string };
    await call(emulator, "POST", `/admin/workspaces/${workspace.id}/users`, { users: [{ id: ada.id, role: "member" }] });
    server = { name: "Notion", description: "team notes", slug: "notion-team" };
    serverCapabilities = [{ type: "tool", name: "delete_page", enabled: false }];
    users = [{ userId: ada.id, enabled: false }];
    defaultUserAccess = "deny";
    stack = await EngineStack.create({
      projectName: "portkey-mcp-servers",
      config: config(),
      program: async () => {
        const notion = new portkey.McpIntegration("notion", { name: "Notion", slug: "notion", url: "https://mcp.notion.com/mcp", authType: "oauth_auto", transport: "http" });
        const grant = new portkey.McpIntegrationWorkspaceAccess("notion-home", { mcpIntegrationId: notion.id, workspaceId: workspace.id });
        const made = new portkey.McpServer("notion-team", { ...server, mcpIntegrationId: notion.id, workspaceId: workspace.slug }, { dependsOn: [grant] });
        new portkey.McpServerCapabilities("notion-team", { mcpServerId: made.id, capabilities: serverCapabilities });
        new portkey.McpServerUserAccess("notion-team", { mcpServerId: made.id, users, defaultUserAccess });
        return { integration: notion.id };
      },
    });
  });
  afterAll(async () => {
    await stack.destroy().catch(() => undefined);
    await stack.dispose();
  });

  test("a server made after its grant, with capabilities and user access; a second preview is clean", async () => {
    await stack.up();
    expect(await heldServer()).toMatchObject({ name: "Notion", slug: "notion-team", description: "team notes", workspace_id: workspace.id });
    const { integration } = Object.fromEntries(Object.entries(await stack.stack.outputs()).map(([k, v]) => [k, v.value as string]));
    await call(emulator, "POST", `/mcp-integrations/${integration}/sync`, { capabilities: [{ name: "delete_page", type: "tool" }, { name: "search", type: "tool" }] });
    expect(await heldServerCapabilities()).toEqual({ delete_page: false, search: true });
    expect(await heldAccess()).toMatchObject({ default_user_access: "deny", data: [{ user_id: ada.id, enabled: false, has_override: true }] });
    await stack.refresh();
    await expectClean(stack);
  });

  test("name and description change in place (only what changed is sent), the description clears with null; the default and an override change", async () => {
    server = { name: "Notion (team)", slug: "notion-team" };
    serverCapabilities = [{ type: "tool", name: "delete_page", enabled: true }, { type: "tool", name: "search", enabled: false }];
    users = [{ userId: ada.id, enabled: true }];
    defaultUserAccess = "allow";
    emulator.clearRequestLog();
    const result = await stack.up();
    expect(ops(result.steps)).toEqual(["update", "update", "update"]);
    expect(bodies("PUT /mcp-servers/{mcpServerId}")).toEqual([{ name: "Notion (team)", description: null }]);
    expect(bodies("PUT /mcp-servers/{mcpServerId}/capabilities")).toEqual([{ capabilities: [{ name: "delete_page", type: "tool", enabled: true }, { name: "search", type: "tool", enabled: false }] }]);
    expect(bodies("PUT /mcp-servers/{mcpServerId}/user-access")).toEqual([{ default_user_access: "allow", user_access: [{ user_id: ada.id, enabled: true }] }]);
    expect(await heldServer()).toMatchObject({ name: "Notion (team)", description: null });
    expect(await heldServerCapabilities()).toEqual({ delete_page: true, search: false });
    await expectClean(stack);
  });

  test("drift through the plain API is shown by refresh and repaired by up; bad input is refused at preview", async () => {
    const id = await serverId();
    await call(emulator, "PUT", `/mcp-servers/${id}`, { name: "Renamed" });
    await call(emulator, "PUT", `/mcp-servers/${id}/capabilities`, { capabilities: [{ name: "search", type: "tool", enabled: true }] });
    await call(emulator, "PUT", `/mcp-servers/${id}/user-access`, { user_access: [{ user_id: ada.id, enabled: false }] });
    await stack.refresh();
    expect(changedSteps((await stack.preview()).steps).map((s) => s.type).sort()).toEqual([SERVER, SERVER_CAPABILITIES, USER_ACCESS].sort());
    await stack.up();
    expect((await heldServer()).name).toBe("Notion (team)");
    expect(await heldServerCapabilities()).toEqual({ delete_page: true, search: false });
    expect((await heldAccess()).data[0]).toMatchObject({ enabled: true });
    await expectClean(stack);

    const valid = server;
    server = { ...valid, slug: "ab" };
    await expect(stack.preview()).rejects.toThrow(/slug: must be 3-50 letters/);
    server = valid;
  });

  test("a server deleted out of band is made again by up; destroy deletes it", async () => {
    await call(emulator, "DELETE", `/mcp-servers/${await serverId()}`);
    const refreshed = await stack.refresh();
    expect(refreshed.changeSummary.delete).toBe(3);
    const result = await stack.up();
    expect(ops(result.steps)).toEqual(["create", "create", "create"]);
    await expectClean(stack);
    const id = await serverId();
    await stack.destroy();
    expect((await call(emulator, "GET", `/mcp-servers/${id}`)).status).toBe(404);
  });

  test("native: pulumi import takes a server, its capabilities and its user access made by hand, and the program previews clean", async () => {
    const jira = (await call(emulator, "POST", "/mcp-integrations", { name: "Jira", slug: "jira", url: "https://mcp.atlassian.com/v1/sse", auth_type: "oauth_auto", transport: "sse" })).body as { id: string };
    await call(emulator, "PUT", `/mcp-integrations/${jira.id}/workspaces`, { workspaces: [{ id: workspace.id, enabled: true }] });
    const made = (await call(emulator, "POST", "/mcp-servers", { name: "Jira", slug: "jira-home", description: "tickets", mcp_integration_id: jira.id, workspace_id: workspace.id })).body as { id: string };
    await call(emulator, "POST", `/mcp-integrations/${jira.id}/sync`, { capabilities: [{ name: "create_issue", type: "tool" }, { name: "search", type: "tool" }] });
    await call(emulator, "PUT", `/mcp-servers/${made.id}/capabilities`, { capabilities: [{ name: "create_issue", type: "tool", enabled: false }] });
    await call(emulator, "PUT", `/mcp-servers/${made.id}/user-access`, { default_user_access: "deny", user_access: [{ user_id: ada.id, enabled: true }] });
    const native = nativeSdk.portkey;
    let program = async () => ({});
    const imported = await EngineStack.create({
      projectName: "portkey-mcp-server-import",
      program: () => program(),
      config: config(),
      env: { PATH: `${require("node:path").resolve(__dirname, "..", "..", "bin")}:${process.env.PATH}` },
    });
    try {
      await imported.up();
      const result = await imported.stack.import({
        resources: [
          { type: "portkey:index:McpServer", name: "jira-home", id: made.id },
          { type: "portkey:index:McpServerCapabilities", name: "jira-home", id: made.id },
          { type: "portkey:index:McpServerUserAccess", name: "jira-home", id: made.id },
        ],
        generateCode: false,
      });
      expect(result.summary.resourceChanges).toMatchObject({ import: 3 });
      // pulumi import protects what it adopts; the program keeps that until it lets go at the end.
      const declared = (protect: boolean) => async () => {
        const server = new native.McpServer("jira-home", { name: "Jira", slug: "jira-home", description: "tickets", mcpIntegrationId: jira.id, workspaceId: workspace.id }, { protect });
        new native.McpServerCapabilities("jira-home", { mcpServerId: server.id, capabilities: [{ type: "tool", name: "create_issue", enabled: false }] }, { protect });
        new native.McpServerUserAccess("jira-home", { mcpServerId: server.id, defaultUserAccess: "deny", users: [{ userId: ada.id, enabled: true }] }, { protect });
        return {};
      };
      program = declared(true);
      await expectClean(imported);
      program = declared(false);
      await imported.up();
      await imported.destroy();
      expect((await call(emulator, "GET", `/mcp-servers/${made.id}`)).status).toBe(404);
    } finally {
      await imported.dispose();
      await call(emulator, "DELETE", `/mcp-integrations/${jira.id}`);
    }
  });
});

test("every response the emulator gave conformed to the official document", () => {
  expect(emulator.specViolations()).toEqual([]);
});
