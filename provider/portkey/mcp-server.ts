/**
 * Portkey MCP server: `/mcp-servers`, an MCP integration made available in
 * one workspace (reference prompts-mcp-scim §8). The integration must be the
 * workspace's own or granted to it first (McpIntegrationWorkspaceAccess).
 * The resource id is the server's UUID. `mcpIntegrationId`, `workspaceId`
 * and `slug` cannot be updated and replace it; `name` and `description`
 * update in place.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { requireWorkspace, resolveWorkspace } from "./api/workspaces";
import { createMcpServer, deleteMcpServer, getMcpServer, listMcpServers, updateMcpServer } from "./api/mcp";

function mcpServerInputs() {
  return {
    name: input(z.string().trim().min(1, "must not be empty").max(255, "must be at most 255 characters"), {
      doc: "The server's display name in the workspace.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    mcpIntegrationId: input(z.string().min(1, "must not be empty"), {
      doc: "The MCP integration it serves, by UUID or slug: pass an McpIntegration's `id`. Changing it replaces the server.",
      outputDoc: "The MCP integration as given.",
      api: "mcp_integration_id",
      replaces: true,
      // Kept as the user spelled it (the API answers the UUID).
      fromApi: (value, _answer, carried) => carried.mcpIntegrationId ?? value ?? undefined,
    }),
    workspaceId: workspaceIdInput({
      doc:
        "The workspace, by UUID or slug. Changing it replaces the server; switching between the slug and the UUID of the same workspace is not a change. " +
        "Pass a Workspace's `id`.",
    }),
    description: input(z.string().max(500, "must be at most 500 characters").optional(), {
      doc: "A description, at most 500 characters. Removing it clears it.",
      outputDoc: "The description as read back.",
      api: "description",
    }),
    slug: input(z.string().regex(/^[a-zA-Z0-9_-]{3,50}$/, "must be 3-50 letters, digits, - or _").optional(), {
      doc:
        "The server's slug, unique in the organisation: how the gateway names it (`https://mcp.portkey.ai/<slug>/mcp`) and what `mcp_server` " +
        "rate-limit conditions match. Portkey generates one from the name when it is not given; changing it replaces the server.",
      outputDoc: "The server's slug.",
      api: "slug",
      replaces: true,
      unique: true,
      serverOwnedUnlessDeclared: true,
    }),
  };
}

function mcpServerOutputs() {
  return {
    mcpServerId: output(z.string(), { stable: true, doc: "The server's UUID (the same as `id`).", api: "id" }),
    status: output(z.string().optional(), { doc: "The server's status.", api: "status" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID, whatever spelling `workspaceId` used." }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug." }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When Portkey created the server (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string().optional(), { doc: "When Portkey last changed the server (RFC 3339).", api: "last_updated_at" }),
  };
}

type Shape = ShapeOf<typeof mcpServerInputs, typeof mcpServerOutputs>;

export const mcpServer = declareResource({
  kind: "portkey:McpServer",
  enumerate: {
    prefix: "mcp-server",
    identity: ["workspaceId", "slug"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" }, mcpIntegrationId: { kind: "portkey:McpIntegration", output: "id" } },
    async list(ctx) {
      return (await listMcpServers(portkeyClient(ctx))).servers.map((s) => ({ id: s.id, name: s.slug }));
    },
  },
  doc:
    "A Portkey MCP server (`/mcp-servers`): an MCP integration made available in one workspace, served by the gateway at " +
    "`https://mcp.portkey.ai/<slug>/mcp`. The integration must be the workspace's own or granted to it (McpIntegrationWorkspaceAccess) first. " +
    "The resource id is the server's UUID.\n\n" +
    "```ts\n" +
    'const grant = new portkey.McpIntegrationWorkspaceAccess("linear-eng", { mcpIntegrationId: linear.id, workspaceId: eng.id });\n' +
    'new portkey.McpServer("linear-eng", { name: "Linear", slug: "linear-eng", mcpIntegrationId: linear.id, workspaceId: eng.id }, { dependsOn: [grant] });\n' +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: mcpServerInputs,
  outputs: mcpServerOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    // The document types workspace_id as a UUID: the resolved one is sent, whatever the spelling.
    const workspace = await requireWorkspace(client, ctx, inputs.workspaceId);
    const body = { ...ctx.createBody(inputs), workspace_id: workspace.id };
    const created = await createWithRecovery(ctx, {
      what: `Portkey MCP server '${inputs.slug ?? inputs.name}'`,
      naturalKey: inputs.slug !== undefined ? `portkey:McpServer:slug:${inputs.slug}` : `portkey:McpServer:${workspace.id}:name:${inputs.name}`,
      post: () => createMcpServer(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { servers, serverTime } = await listMcpServers(client, workspace.id);
        const same = servers.filter((s) => (inputs.slug !== undefined ? s.slug === inputs.slug : s.name === inputs.name));
        return { candidates: same.map((s) => ({ id: s.id, createdAt: s.created_at })), serverTime };
      },
      recover: { adopt: async (candidate) => ({ id: candidate.id, slug: "" }) },
      cleanup: "delete it in the Portkey UI under the workspace's MCP servers, or with DELETE /mcp-servers/{id}",
    });
    const known: Partial<Shape["outputs"]> = { ...inputs, mcpServerId: created.id, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    ctx.created(created.id, known);
    return { id: created.id, outputs: await readBack(client, ctx, created.id, known) };
  },

  async read(id, outputs, ctx) {
    const client = portkeyClient(ctx);
    const json = await getMcpServer(client, id);
    if (!json) return undefined;
    let known: Partial<Shape["outputs"]> = outputs;
    if (!outputs.resolvedWorkspaceId && json.workspace_id) {
      const workspace = await resolveWorkspace(client, ctx, json.workspace_id);
      if (workspace) known = { ...outputs, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    }
    return ctx.outputsFrom(json, known);
  },

  // The default update and delete.
  endpoints: {
    get: (ctx, id) => getMcpServer(portkeyClient(ctx), id),
    update: (ctx, id, body) => updateMcpServer(portkeyClient(ctx), id, body),
    delete: (ctx, id) => deleteMcpServer(portkeyClient(ctx), id),
  },
});

async function readBack(client: ApiClient, ctx: Shape["context"], id: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const json = await getMcpServer(client, id);
  if (!json) throw new Error(`MCP server ${id} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}
