/**
 * Portkey MCP through the real engine against the emulator (issue 24), in both
 * forms (see resourceSuite in ./harness.ts), as two units whose kinds are tested
 * together because they cannot exist apart: an McpIntegration with its
 * McpIntegrationWorkspaceAccess and McpIntegrationCapabilities (both live on the
 * integration, take its id, and go when it is deleted), and an McpServer with
 * its McpServerCapabilities and McpServerUserAccess (the same, on the server).
 * What each unit needs beside it (workspaces, a user, the server's integration
 * and grant) is made by hand.
 *
 * Both forms: create (capabilities not synced yet are kept for later, no
 * drift), the secret configuration never in plaintext, a clean second preview,
 * destroy touching only its own access row. Dynamic: every updatable field
 * changed in place (each write carrying only what changed), optional fields
 * cleared, drift made through the plain API shown by refresh and repaired by up,
 * out-of-band deletes, bad input refused at preview. Native: `pulumi import` of
 * each unit by id.
 */
import type { McpCapabilityArgs, McpIntegrationArgs } from "../../sdk/portkey";
import type { RunningEmulator } from "../../emulator";
import { call } from "../support/emulator";
import { Form, resourceSuite, SuiteContext, typeToken } from "./harness";

jest.setTimeout(10 * 60_000);

const TOKEN = "Bearer linear-secret-token-0123456789";
const NEW_TOKEN = "Bearer linear-secret-token-rotated-987";

/** The bodies of the requests to a route since the test's window began. */
function bodies(ctx: { requests: SuiteContext<unknown, unknown>["requests"] }, route: string): unknown[] {
  return ctx.requests(route).map((r) => r.body);
}

const mcpType = (form: Form, resource: string) => typeToken(form, "portkey", resource);

// ---------------------------------------------------------------------------
// An integration with its workspace grant and capabilities.
// ---------------------------------------------------------------------------

interface IntegrationUnit {
  integration: McpIntegrationArgs;
  /** The workspace the grant is for (made by hand). */
  workspaceId: string;
  accessEnabled?: boolean;
  capabilities: McpCapabilityArgs[];
}
interface IntegrationFixtures {
  tools: { id: string; slug: string };
  /** A workspace whose rows Pulumi never manages. */
  handMade: { id: string; slug: string };
}
type IntegrationCtx = SuiteContext<IntegrationUnit, IntegrationFixtures>;

const INTEGRATION_ROUTES = {
  update: "PUT /mcp-integrations/{mcpIntegrationId}",
  putAccess: "PUT /mcp-integrations/{mcpIntegrationId}/workspaces",
  putCapabilities: "PUT /mcp-integrations/{mcpIntegrationId}/capabilities",
};

/** Every updatable field changed from the base. */
const updatedIntegration = (ctx: IntegrationCtx): IntegrationUnit => ({
  ...ctx.base(),
  integration: {
    name: "Linear (prod)",
    slug: "linear",
    url: "https://mcp.linear.app/sse",
    authType: "oauth_auto",
    transport: "sse",
    description: "tickets",
    configurations: { custom_headers: { Authorization: NEW_TOKEN } },
  },
  accessEnabled: false,
  capabilities: [
    { type: "tool", name: "delete_issue", enabled: true },
    { type: "tool", name: "create_issue", enabled: true },
  ],
});

/** The optional fields (description, configurations) cleared from the updated arguments. */
const clearedIntegration = (ctx: IntegrationCtx): IntegrationUnit => {
  const updated = updatedIntegration(ctx);
  const { description: _description, configurations: _configurations, ...kept } = updated.integration;
  return { ...updated, integration: kept };
};

function linearId({ emulator }: IntegrationCtx): string {
  return Object.values(emulator.state().mcp_integrations ?? {}).find((i) => i.slug === "linear")!.id;
}

async function heldIntegration(ctx: IntegrationCtx, id = linearId(ctx)): Promise<Record<string, unknown>> {
  return (await call(ctx.emulator, "GET", `/mcp-integrations/${id}`)).body;
}

/** The integration's workspace rows: workspace id → enabled. */
async function rows(ctx: IntegrationCtx): Promise<Record<string, boolean>> {
  const list = (await call(ctx.emulator, "GET", `/mcp-integrations/${linearId(ctx)}/workspaces`)).body as { workspaces: { id: string; enabled: boolean }[] };
  return Object.fromEntries(list.workspaces.map((r) => [r.id, r.enabled]));
}

/** The integration's capabilities as Portkey lists them: `type:name` → enabled (empty until synced). */
async function heldCapabilities(emulator: RunningEmulator, id: string): Promise<Record<string, boolean>> {
  const list = (await call(emulator, "GET", `/mcp-integrations/${id}/capabilities`)).body as { data: { type: string; name: string; enabled: boolean }[] };
  return Object.fromEntries(list.data.map((c) => [`${c.type}:${c.name}`, c.enabled]));
}

/** Portkey syncing the upstream server's tools (as its UI does), unless it already has. */
async function syncTools(emulator: RunningEmulator, id: string, names: string[]): Promise<void> {
  if (Object.keys(await heldCapabilities(emulator, id)).length > 0) return;
  await call(emulator, "POST", `/mcp-integrations/${id}/sync`, { capabilities: names.map((name) => ({ name, type: "tool" })) });
}

let destroyedIntegration = "";

describe("McpIntegration with its workspace grant and capabilities", () => {
  resourceSuite<IntegrationUnit, IntegrationFixtures>({
    vendor: "portkey",
    resource: "McpIntegration",
    together: ["McpIntegrationWorkspaceAccess", "McpIntegrationCapabilities"],
    name: "linear",
    setup: async (emulator) => ({
      tools: (await call(emulator, "POST", "/admin/workspaces", { name: "Tools team" })).body,
      handMade: (await call(emulator, "POST", "/admin/workspaces", { name: "Hand made" })).body,
    }),
    base: ({ tools }) => ({
      integration: {
        name: "Linear",
        slug: "linear",
        url: "https://mcp.linear.app/mcp",
        authType: "headers",
        transport: "http",
        description: "issue tracker",
        configurations: { custom_headers: { Authorization: TOKEN } },
      },
      workspaceId: tools.id,
      capabilities: [
        { type: "tool", name: "delete_issue", enabled: false },
        { type: "tool", name: "create_issue", enabled: true },
      ],
    }),
    declare: (sdk, name, args) => {
      const linear = new sdk.portkey.McpIntegration(name, args.integration);
      new sdk.portkey.McpIntegrationWorkspaceAccess("tools", { mcpIntegrationId: linear.id, workspaceId: args.workspaceId, enabled: args.accessEnabled });
      new sdk.portkey.McpIntegrationCapabilities(name, { mcpIntegrationId: linear.id, capabilities: args.capabilities });
      // Exports nothing: outputs registered after a preview refused at check are rejected by the terminating
      // engine as an unhandled rejection, which Jest counts as a failed suite (see convergence.test.ts).
      return {};
    },
    steps: { native: ["create", "secrets", "destroy"] },

    // The grant is made, and capabilities not synced yet are kept for later and named as pending (no drift).
    created: async (ctx) => {
      expect(await heldIntegration(ctx)).toMatchObject({ slug: "linear", name: "Linear", description: "issue tracker", auth_type: "headers", type: "organisation" });
      expect(await rows(ctx)).toEqual({ [ctx.fixtures.tools.id]: true });
      expect(await heldCapabilities(ctx.emulator, linearId(ctx))).toEqual({});
      const state = await ctx.engine.exportState();
      expect(state.resource(mcpType(ctx.form, "McpIntegrationCapabilities"), "linear")?.outputs?.notSynced).toEqual(["tool:delete_issue", "tool:create_issue"]);
      // Pulumi's mark of a secret value.
      expect(state.resource(ctx.type, "linear")?.outputs?.configurations).toHaveProperty(["4dabf18193072939515e22adb298388d"]);
    },
    // Neither token (both contain this) is in the state, its backend files or anything the engine printed.
    secrets: () => ["linear-secret-token"],

    // Renamed, the grant flipped and another workspace's row added, a capability switched: all three show, and up
    // writes back only its own row.
    drift: {
      edit: async (ctx) => {
        const id = linearId(ctx);
        // Capabilities read back only once Portkey has synced them.
        await syncTools(ctx.emulator, id, ["create_issue", "delete_issue", "search"]);
        const declared = ctx.desired!.accessEnabled ?? true;
        await call(ctx.emulator, "PUT", `/mcp-integrations/${id}`, { name: "Renamed in the UI" });
        await call(ctx.emulator, "PUT", `/mcp-integrations/${id}/workspaces`, {
          workspaces: [
            { id: ctx.fixtures.tools.id, enabled: !declared },
            { id: ctx.fixtures.handMade.id, enabled: true },
          ],
        });
        await call(ctx.emulator, "PUT", `/mcp-integrations/${id}/capabilities`, { capabilities: [{ name: "create_issue", type: "tool", enabled: false }] });
      },
      inState: { name: "Renamed in the UI" },
      updated: ["McpIntegration", "McpIntegrationWorkspaceAccess", "McpIntegrationCapabilities"],
      repaired: async (ctx) => {
        const { tools, handMade } = ctx.fixtures;
        const declared = ctx.desired!.accessEnabled ?? true;
        expect(bodies(ctx, INTEGRATION_ROUTES.putAccess)).toEqual([{ workspaces: [{ id: tools.id, enabled: declared }] }]);
        expect((await heldIntegration(ctx)).name).toBe(ctx.desired!.integration.name);
        expect(await rows(ctx)).toEqual({ [tools.id]: declared, [handMade.id]: true });
        expect(await heldCapabilities(ctx.emulator, linearId(ctx))).toMatchObject({ "tool:create_issue": true });
      },
    },

    // The integration deleted out of band: its grant and capabilities go with it.
    deleted: {
      delete: (ctx) => call(ctx.emulator, "DELETE", `/mcp-integrations/${linearId(ctx)}`),
      recreated: async (ctx) => {
        expect(await rows(ctx)).toEqual({ [ctx.fixtures.tools.id]: ctx.desired!.accessEnabled ?? true });
        await ctx.expectCleanPreview();
      },
    },

    badInput: (valid) => [
      [{ ...valid, integration: { ...valid.integration, url: "ftp://mcp.example.com" } }, /url: must be an http\(s\) URL/],
      [{ ...valid, integration: { ...valid.integration, secretMappings: [{ targetField: "key", secretReferenceId: "ref" }] } }, /secretMappings\[0\]\.targetField: must be `configurations.<field>`/],
      [{ ...valid, capabilities: [{ type: "resource_template" as "tool", name: "x", enabled: false }] }, /capabilities\[0\]\.type/],
      [{ ...valid, capabilities: [valid.capabilities[0], valid.capabilities[0]] }, /capabilities: must list each type and name once/],
    ],

    // Another workspace's row, enabled by hand, is left alone: destroy switches off only its own.
    destroying: async (ctx) => {
      destroyedIntegration = linearId(ctx);
      await call(ctx.emulator, "PUT", `/mcp-integrations/${destroyedIntegration}/workspaces`, { workspaces: [{ id: ctx.fixtures.handMade.id, enabled: true }] });
    },
    destroyed: async (ctx) => {
      const writes = bodies(ctx, INTEGRATION_ROUTES.putAccess);
      expect(writes).not.toEqual([]);
      for (const body of writes) expect(body).toEqual({ workspaces: [{ id: ctx.fixtures.tools.id, enabled: false }] });
      expect((await call(ctx.emulator, "GET", `/mcp-integrations/${destroyedIntegration}`)).status).toBe(404);
    },

    tests: [
      {
        title: "once synced, capabilities read back as set; every updatable field changes in place, each write carrying only what changed",
        forms: ["dynamic"],
        body: async (ctx: IntegrationCtx) => {
          await ctx.given(ctx.base());
          const id = linearId(ctx);
          await syncTools(ctx.emulator, id, ["create_issue", "delete_issue", "search"]);
          expect(await heldCapabilities(ctx.emulator, id)).toEqual({ "tool:create_issue": true, "tool:delete_issue": false, "tool:search": true });
          // No drift: the switches kept for later are the ones Portkey now holds.
          await ctx.engine.refresh();
          await ctx.expectCleanPreview();

          ctx.declare(updatedIntegration(ctx));
          ctx.markRequests();
          const result = await ctx.up();
          expect(ctx.ops(result)).toEqual(["update", "update", "update"]);
          expect(bodies(ctx, INTEGRATION_ROUTES.update)).toEqual([
            { name: "Linear (prod)", url: "https://mcp.linear.app/sse", auth_type: "oauth_auto", transport: "sse", description: "tickets", configurations: { custom_headers: { Authorization: NEW_TOKEN } } },
          ]);
          expect(bodies(ctx, INTEGRATION_ROUTES.putAccess)).toEqual([{ workspaces: [{ id: ctx.fixtures.tools.id, enabled: false }] }]);
          expect(bodies(ctx, INTEGRATION_ROUTES.putCapabilities)).toEqual([{ capabilities: [{ name: "delete_issue", type: "tool", enabled: true }] }]);
          expect(await heldIntegration(ctx)).toMatchObject({ name: "Linear (prod)", transport: "sse", auth_type: "oauth_auto" });
          expect(await rows(ctx)).toEqual({ [ctx.fixtures.tools.id]: false });
          expect(await heldCapabilities(ctx.emulator, id)).toMatchObject({ "tool:delete_issue": true });
          await ctx.expectCleanPreview();
          expect((await ctx.engine.exportState()).text).not.toContain("rotated-987");
        },
      },
      {
        title: "optional fields are cleared: description with null, configurations with an empty object",
        forms: ["dynamic"],
        body: async (ctx: IntegrationCtx) => {
          await ctx.given(updatedIntegration(ctx));
          ctx.declare(clearedIntegration(ctx));
          await ctx.up();
          expect(bodies(ctx, INTEGRATION_ROUTES.update)).toEqual([{ description: null, configurations: {} }]);
          expect((await heldIntegration(ctx)).description).toBeNull();
          await ctx.expectCleanPreview();
        },
      },
      {
        title: "pulumi import takes an integration, its grant and its capabilities made by hand, and the program previews clean",
        forms: ["native"],
        after: "destroy",
        body: async (ctx: IntegrationCtx) => {
          await ctx.given("nothing");
          const { handMade } = ctx.fixtures;
          const made = (await call(ctx.emulator, "POST", "/mcp-integrations", { name: "GitHub", slug: "github", url: "https://api.githubcopilot.com/mcp/", auth_type: "none", transport: "http" })).body as { id: string };
          await call(ctx.emulator, "PUT", `/mcp-integrations/${made.id}/workspaces`, { workspaces: [{ id: handMade.id, enabled: true }] });
          await call(ctx.emulator, "POST", `/mcp-integrations/${made.id}/sync`, { capabilities: [{ name: "merge_pr", type: "tool" }, { name: "list_prs", type: "tool" }] });
          await call(ctx.emulator, "PUT", `/mcp-integrations/${made.id}/capabilities`, { capabilities: [{ name: "merge_pr", type: "tool", enabled: false }] });
          ctx.declare(undefined);
          await ctx.up();
          const imports = [
            { name: "github", id: made.id },
            { type: mcpType(ctx.form, "McpIntegrationWorkspaceAccess"), name: "github-hand-made", id: `${made.id}/${handMade.id}` },
            { type: mcpType(ctx.form, "McpIntegrationCapabilities"), name: "github", id: made.id },
          ];
          const declared = (protect: boolean) => {
            const github = new ctx.sdk.portkey.McpIntegration("github", { name: "GitHub", slug: "github", url: "https://api.githubcopilot.com/mcp/", authType: "none", transport: "http" }, { protect });
            new ctx.sdk.portkey.McpIntegrationWorkspaceAccess("github-hand-made", { mcpIntegrationId: github.id, workspaceId: handMade.id }, { protect });
            new ctx.sdk.portkey.McpIntegrationCapabilities("github", { mcpIntegrationId: github.id, capabilities: [{ type: "tool", name: "merge_pr", enabled: false }] }, { protect });
          };
          await ctx.importAndRelease(imports, declared);
          expect((await call(ctx.emulator, "GET", `/mcp-integrations/${made.id}`)).status).toBe(404);
        },
      },
    ],
  });
});

// ---------------------------------------------------------------------------
// A server with its capabilities and user access.
// ---------------------------------------------------------------------------

interface ServerUnit {
  server: { name: string; description?: string; slug?: string };
  /** The server's integration and workspace (made and granted by hand). */
  mcpIntegrationId: string;
  workspaceId: string;
  capabilities: McpCapabilityArgs[];
  users: { userId: string; enabled: boolean }[];
  defaultUserAccess?: "allow" | "deny";
}
interface ServerFixtures {
  workspace: { id: string; slug: string };
  ada: { id: string };
  notion: { id: string };
}
type ServerCtx = SuiteContext<ServerUnit, ServerFixtures>;

const SERVER_ROUTES = {
  update: "PUT /mcp-servers/{mcpServerId}",
  putCapabilities: "PUT /mcp-servers/{mcpServerId}/capabilities",
  putUserAccess: "PUT /mcp-servers/{mcpServerId}/user-access",
};

/** The name and description changed (the description cleared), both capabilities switched, the default and the override flipped. */
const updatedServer = (ctx: ServerCtx): ServerUnit => ({
  ...ctx.base(),
  server: { name: "Notion (team)", slug: "notion-team" },
  capabilities: [
    { type: "tool", name: "delete_page", enabled: true },
    { type: "tool", name: "search", enabled: false },
  ],
  users: [{ userId: ctx.fixtures.ada.id, enabled: true }],
  defaultUserAccess: "allow",
});

function serverId({ emulator }: ServerCtx, slug = "notion-team"): string {
  return Object.values(emulator.state().mcp_servers ?? {}).find((s) => s.slug === slug)!.id;
}
const heldServer = async (ctx: ServerCtx) => (await call(ctx.emulator, "GET", `/mcp-servers/${serverId(ctx)}`)).body;
const heldAccess = async (ctx: ServerCtx) =>
  (await call(ctx.emulator, "GET", `/mcp-servers/${serverId(ctx)}/user-access`)).body as { default_user_access: string; data: { user_id: string; enabled: boolean; has_override: boolean }[] };
const heldServerCapabilities = async (ctx: ServerCtx) =>
  Object.fromEntries(((await call(ctx.emulator, "GET", `/mcp-servers/${serverId(ctx)}/capabilities`)).body.data as { name: string; enabled: boolean }[]).map((c) => [c.name, c.enabled]));
/** Portkey syncing the Notion integration's tools, which the server's capabilities are (once). */
const syncNotion = (ctx: ServerCtx) => syncTools(ctx.emulator, ctx.fixtures.notion.id, ["delete_page", "search"]);

let destroyedServer = "";

describe("McpServer with its capabilities and user access", () => {
  resourceSuite<ServerUnit, ServerFixtures>({
    vendor: "portkey",
    resource: "McpServer",
    together: ["McpServerCapabilities", "McpServerUserAccess"],
    name: "notion-team",
    setup: async (emulator) => {
      const workspace = (await call(emulator, "POST", "/admin/workspaces", { name: "Server home" })).body;
      const ada = (await (await fetch(`${emulator.url}/_emulator/portkey/users`, { method: "POST", body: JSON.stringify({ email: "ada@example.com" }) })).json()) as { id: string };
      await call(emulator, "POST", `/admin/workspaces/${workspace.id}/users`, { users: [{ id: ada.id, role: "member" }] });
      // The server's integration, granted to its workspace first.
      const notion = (await call(emulator, "POST", "/mcp-integrations", { name: "Notion", slug: "notion", url: "https://mcp.notion.com/mcp", auth_type: "oauth_auto", transport: "http" })).body;
      await call(emulator, "PUT", `/mcp-integrations/${notion.id}/workspaces`, { workspaces: [{ id: workspace.id, enabled: true }] });
      return { workspace, ada, notion };
    },
    base: ({ workspace, ada, notion }) => ({
      server: { name: "Notion", description: "team notes", slug: "notion-team" },
      mcpIntegrationId: notion.id,
      workspaceId: workspace.slug,
      capabilities: [{ type: "tool", name: "delete_page", enabled: false }],
      users: [{ userId: ada.id, enabled: false }],
      defaultUserAccess: "deny",
    }),
    declare: (sdk, name, args) => {
      const made = new sdk.portkey.McpServer(name, { ...args.server, mcpIntegrationId: args.mcpIntegrationId, workspaceId: args.workspaceId });
      new sdk.portkey.McpServerCapabilities(name, { mcpServerId: made.id, capabilities: args.capabilities });
      new sdk.portkey.McpServerUserAccess(name, { mcpServerId: made.id, users: args.users, defaultUserAccess: args.defaultUserAccess });
      return {};
    },
    steps: { native: ["create", "destroy"] },

    // The server's capability switch is kept until Portkey syncs the integration; the user's override is set.
    created: async (ctx) => {
      const { workspace, ada } = ctx.fixtures;
      expect(await heldServer(ctx)).toMatchObject({ name: "Notion", slug: "notion-team", description: "team notes", workspace_id: workspace.id });
      await syncNotion(ctx);
      expect(await heldServerCapabilities(ctx)).toEqual({ delete_page: false, search: true });
      expect(await heldAccess(ctx)).toMatchObject({ default_user_access: "deny", data: [{ user_id: ada.id, enabled: false, has_override: true }] });
      // Nothing to refresh: what is applied is unchanged (the step's clean preview follows).
      await ctx.engine.refresh();
    },

    // Renamed, the last declared capability and the user's override switched: all three show.
    drift: {
      edit: async (ctx) => {
        await syncNotion(ctx);
        const id = serverId(ctx);
        const capability = ctx.desired!.capabilities.at(-1)!;
        const user = ctx.desired!.users[0];
        await call(ctx.emulator, "PUT", `/mcp-servers/${id}`, { name: "Renamed" });
        await call(ctx.emulator, "PUT", `/mcp-servers/${id}/capabilities`, { capabilities: [{ name: capability.name, type: capability.type, enabled: !capability.enabled }] });
        await call(ctx.emulator, "PUT", `/mcp-servers/${id}/user-access`, { user_access: [{ user_id: user.userId, enabled: !user.enabled }] });
      },
      inState: { name: "Renamed" },
      updated: ["McpServer", "McpServerCapabilities", "McpServerUserAccess"],
      repaired: async (ctx) => {
        expect((await heldServer(ctx)).name).toBe(ctx.desired!.server.name);
        const declared = Object.fromEntries(ctx.desired!.capabilities.map((c) => [c.name, c.enabled]));
        expect(await heldServerCapabilities(ctx)).toMatchObject(declared);
        expect((await heldAccess(ctx)).data[0]).toMatchObject({ enabled: ctx.desired!.users[0].enabled });
      },
    },

    // The server deleted out of band: its capabilities and user access go with it.
    deleted: {
      delete: (ctx) => call(ctx.emulator, "DELETE", `/mcp-servers/${serverId(ctx)}`),
      recreated: (ctx) => ctx.expectCleanPreview(),
    },

    badInput: (valid) => [[{ ...valid, server: { ...valid.server, slug: "ab" } }, /slug: must be 3-50 letters/]],

    destroying: async (ctx) => {
      destroyedServer = serverId(ctx);
    },
    destroyed: async (ctx) => {
      expect((await call(ctx.emulator, "GET", `/mcp-servers/${destroyedServer}`)).status).toBe(404);
    },

    tests: [
      {
        title: "name and description change in place (only what changed is sent), the description clears with null; the default and an override change",
        forms: ["dynamic"],
        body: async (ctx: ServerCtx) => {
          await ctx.given(ctx.base());
          await syncNotion(ctx);
          ctx.declare(updatedServer(ctx));
          ctx.markRequests();
          const result = await ctx.up();
          expect(ctx.ops(result)).toEqual(["update", "update", "update"]);
          expect(bodies(ctx, SERVER_ROUTES.update)).toEqual([{ name: "Notion (team)", description: null }]);
          expect(bodies(ctx, SERVER_ROUTES.putCapabilities)).toEqual([{ capabilities: [{ name: "delete_page", type: "tool", enabled: true }, { name: "search", type: "tool", enabled: false }] }]);
          expect(bodies(ctx, SERVER_ROUTES.putUserAccess)).toEqual([{ default_user_access: "allow", user_access: [{ user_id: ctx.fixtures.ada.id, enabled: true }] }]);
          expect(await heldServer(ctx)).toMatchObject({ name: "Notion (team)", description: null });
          expect(await heldServerCapabilities(ctx)).toEqual({ delete_page: true, search: false });
          await ctx.expectCleanPreview();
        },
      },
      {
        title: "pulumi import takes a server, its capabilities and its user access made by hand, and the program previews clean",
        forms: ["native"],
        after: "destroy",
        body: async (ctx: ServerCtx) => {
          await ctx.given("nothing");
          const { workspace, ada } = ctx.fixtures;
          const jira = (await call(ctx.emulator, "POST", "/mcp-integrations", { name: "Jira", slug: "jira", url: "https://mcp.atlassian.com/v1/sse", auth_type: "oauth_auto", transport: "sse" })).body as { id: string };
          await call(ctx.emulator, "PUT", `/mcp-integrations/${jira.id}/workspaces`, { workspaces: [{ id: workspace.id, enabled: true }] });
          const made = (await call(ctx.emulator, "POST", "/mcp-servers", { name: "Jira", slug: "jira-home", description: "tickets", mcp_integration_id: jira.id, workspace_id: workspace.id })).body as { id: string };
          await call(ctx.emulator, "POST", `/mcp-integrations/${jira.id}/sync`, { capabilities: [{ name: "create_issue", type: "tool" }, { name: "search", type: "tool" }] });
          await call(ctx.emulator, "PUT", `/mcp-servers/${made.id}/capabilities`, { capabilities: [{ name: "create_issue", type: "tool", enabled: false }] });
          await call(ctx.emulator, "PUT", `/mcp-servers/${made.id}/user-access`, { default_user_access: "deny", user_access: [{ user_id: ada.id, enabled: true }] });
          ctx.declare(undefined);
          await ctx.up();
          const imports = [
            { name: "jira-home", id: made.id },
            { type: mcpType(ctx.form, "McpServerCapabilities"), name: "jira-home", id: made.id },
            { type: mcpType(ctx.form, "McpServerUserAccess"), name: "jira-home", id: made.id },
          ];
          const declared = (protect: boolean) => {
            const server = new ctx.sdk.portkey.McpServer("jira-home", { name: "Jira", slug: "jira-home", description: "tickets", mcpIntegrationId: jira.id, workspaceId: workspace.id }, { protect });
            new ctx.sdk.portkey.McpServerCapabilities("jira-home", { mcpServerId: server.id, capabilities: [{ type: "tool", name: "create_issue", enabled: false }] }, { protect });
            new ctx.sdk.portkey.McpServerUserAccess("jira-home", { mcpServerId: server.id, defaultUserAccess: "deny", users: [{ userId: ada.id, enabled: true }] }, { protect });
          };
          await ctx.importAndRelease(imports, declared);
          expect((await call(ctx.emulator, "GET", `/mcp-servers/${made.id}`)).status).toBe(404);
          await call(ctx.emulator, "DELETE", `/mcp-integrations/${jira.id}`);
        },
      },
    ],
  });
});
