/**
 * Portkey MCP integration workspace access: one resource per (MCP
 * integration, workspace) pair, a row of `/mcp-integrations/{id}/workspaces`
 * (reference prompts-mcp-scim §7.2). There is no per-row URL and no DELETE:
 * the PUT merges the rows it names, and revoking is `enabled: false`.
 * `override_existing_workspace_access` is never sent (it would switch off
 * every workspace not named), so other workspaces' rows are never touched.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { isGone } from "../errors";
import { ApiClient } from "../http";
import { declareResource, input, output, ShapeOf } from "../resource";
import { listPerParent } from "../enumeration";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { getWorkspace, requireWorkspace, resolveWorkspace } from "./api/workspaces";
import { getMcpIntegration, listMcpIntegrations, listMcpIntegrationWorkspaces, putMcpIntegrationWorkspaces } from "./api/mcp";

function mcpAccessInputs() {
  return {
    mcpIntegrationId: input(z.string().min(1, "must not be empty"), {
      doc: "The organisation's MCP integration, by UUID or slug: pass an McpIntegration's `id`. Changing it replaces the grant.",
      outputDoc: "The MCP integration as given.",
      replaces: true,
    }),
    workspaceId: workspaceIdInput({
      doc:
        "The workspace, by UUID or slug. Changing it replaces the grant; switching between the slug and the UUID of the same workspace is not a change. " +
        "Pass a Workspace's `id`.",
      sent: false,
    }),
    enabled: input(z.boolean().default(true), {
      doc: "Whether the workspace may use the MCP integration. Default true; false keeps the grant declared but switched off.",
      outputDoc: "Whether access is enabled, as read back.",
      api: "enabled",
    }),
  };
}

function mcpAccessOutputs() {
  return {
    resolvedWorkspaceId: output(z.string(), { stable: true, doc: "The workspace's UUID (how Portkey lists the row)." }),
    workspaceSlug: output(z.string(), { stable: true, doc: "The workspace's slug." }),
  };
}

type Shape = ShapeOf<typeof mcpAccessInputs, typeof mcpAccessOutputs>;

export const mcpIntegrationAccess = declareResource({
  kind: "portkey:McpIntegrationWorkspaceAccess",
  enumerate: {
    prefix: "mcp-access",
    identity: ["mcpIntegrationId", "workspaceId"],
    references: { mcpIntegrationId: { kind: "portkey:McpIntegration", output: "id" }, workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx) {
      const client = portkeyClient(ctx);
      // A workspace's own integration has no rows.
      const organisations = (await listMcpIntegrations(client)).integrations.filter((i) => !i.workspace_id).map((i) => ({ id: i.id }));
      return listPerParent(organisations, async (integration) =>
        ((await listMcpIntegrationWorkspaces(client, integration.id)) ?? []).map((row) => ({
          id: `${integration.id}/${row.id}`,
          skip: row.enabled ? undefined : "the row is disabled: the MCP integration is not granted to that workspace",
        })),
      );
    },
  },
  doc:
    "Access of one workspace to one of the organisation's MCP integrations (a row of `/mcp-integrations/{id}/workspaces`). " +
    "The id is `<mcpIntegrationId>/<workspace UUID>`. Deleting the resource switches access off for this workspace only " +
    "(Portkey has no DELETE for a row); other workspaces' rows are never touched. An MCP server in the workspace needs this grant first.",
  label: (values) => (values.mcpIntegrationId && values.workspaceId ? `${values.mcpIntegrationId} → ${values.workspaceId}` : undefined),
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: mcpAccessInputs,
  outputs: mcpAccessOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = await requireWorkspace(client, ctx, inputs.workspaceId);
    await putMcpIntegrationWorkspaces(client, inputs.mcpIntegrationId, [{ id: workspace.id, enabled: inputs.enabled ?? true }]);
    const id = `${inputs.mcpIntegrationId}/${workspace.id}`;
    const outputs = { ...inputs, enabled: inputs.enabled ?? true, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    return { id, outputs };
  },

  async read(id, stored, ctx) {
    const client = portkeyClient(ctx);
    const outputs = stored.mcpIntegrationId ? stored : await identityFromId(client, ctx, id);
    if (!outputs) return undefined;
    const rows = await listMcpIntegrationWorkspaces(client, outputs.mcpIntegrationId);
    if (!rows) return undefined;
    const row = rows.find((r) => r.id === outputs.resolvedWorkspaceId || r.id === outputs.workspaceSlug);
    // A switched-off row is "gone" unless switched-off access is what the program declared.
    if (!row || (!row.enabled && outputs.enabled !== false)) return undefined;
    return ctx.outputsFrom(row, outputs);
  },

  async update(_id, olds, news, ctx) {
    const client = portkeyClient(ctx);
    await putMcpIntegrationWorkspaces(client, news.mcpIntegrationId, [{ id: olds.resolvedWorkspaceId, enabled: news.enabled ?? true }]);
    return { ...news, enabled: news.enabled ?? true, resolvedWorkspaceId: olds.resolvedWorkspaceId, workspaceSlug: olds.workspaceSlug };
  },

  async delete(_id, outputs, ctx) {
    const client = portkeyClient(ctx);
    try {
      await putMcpIntegrationWorkspaces(client, outputs.mcpIntegrationId, [{ id: outputs.resolvedWorkspaceId, enabled: false }]);
    } catch (error) {
      // A deleted integration or workspace grants nothing; anything else (a 403 included) fails loudly.
      if (isGone(error) && (!(await getMcpIntegration(client, outputs.mcpIntegrationId)) || !(await getWorkspace(client, outputs.resolvedWorkspaceId)))) return;
      throw error;
    }
  },
});

/** A grant read by its id alone (`pulumi import`): `<mcpIntegrationId>/<workspace UUID or slug>`. Undefined when the workspace is gone. */
async function identityFromId(client: ApiClient, ctx: Shape["context"], id: string): Promise<Shape["outputs"] | undefined> {
  const separator = id.indexOf("/");
  if (separator <= 0) throw new Error(`'${id}' is not an MCP access id: use <mcpIntegrationId>/<workspaceId>.`);
  const [mcpIntegrationId, workspaceId] = [id.slice(0, separator), id.slice(separator + 1)];
  const workspace = await resolveWorkspace(client, ctx, workspaceId);
  if (!workspace) return undefined;
  return { mcpIntegrationId, workspaceId, enabled: true, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
}
