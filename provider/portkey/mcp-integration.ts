/**
 * Portkey MCP integration: `/mcp-integrations`, an upstream MCP server in the
 * organisation's registry (or one workspace's), which workspaces are then
 * granted (McpIntegrationWorkspaceAccess) and MCP servers are made from.
 * The resource id is the integration's UUID (the API takes UUID or slug).
 * `slug` and `workspaceId` cannot be updated and replace it; the rest is
 * updated in place (reference prompts-mcp-scim §7, §12).
 *
 * `configurations` (custom headers, tokens) is never returned by the API: it
 * is a secret carried from the program, sent when it changes, and its drift
 * cannot be seen.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { secretMappingsInput } from "./integration";
import { requireWorkspace, resolveWorkspace } from "./api/workspaces";
import { ApiMcpIntegration, createMcpIntegration, deleteMcpIntegration, getMcpIntegration, listMcpIntegrations, updateMcpIntegration } from "./api/mcp";
import { sortedKeys } from "../framework";

const SLUG = /^[a-zA-Z0-9_-]+$/;

function mcpIntegrationInputs() {
  return {
    name: input(z.string().trim().min(1, "must not be empty").max(255, "must be at most 255 characters"), {
      doc: "The integration's display name.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    url: input(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }), {
      doc: "The upstream MCP server's URL, e.g. `https://mcp.example.com/mcp`.",
      outputDoc: "The URL as read back.",
      api: "url",
    }),
    authType: input(z.enum(["oauth_auto", "oauth_client_credentials", "headers", "none"]), {
      doc: "How the gateway authenticates to the upstream server: `none`, `headers` (from `configurations.custom_headers`), `oauth_auto` or `oauth_client_credentials`.",
      outputDoc: "The authentication as read back.",
      api: "auth_type",
    }),
    transport: input(z.enum(["http", "sse"]), {
      doc: "The upstream server's transport: `http` (streamable HTTP) or `sse`.",
      outputDoc: "The transport as read back.",
      api: "transport",
    }),
    slug: input(z.string().regex(SLUG, "must be a slug (letters, digits, - and _)").max(255).optional(), {
      doc:
        "The integration's slug, unique in the organisation; Portkey generates one from the name when it is not given. Changing it replaces the integration; " +
        "a replacement that keeps the slug, or leaves it to Portkey, deletes the old integration first.",
      outputDoc: "The integration's slug.",
      api: "slug",
      replaces: true,
      unique: true,
      serverOwnedUnlessDeclared: true,
    }),
    description: input(z.string().optional(), {
      doc: "A description of the integration. Removing it clears it.",
      outputDoc: "The description as read back.",
      api: "description",
    }),
    configurations: input(z.record(z.string(), z.json()).optional(), {
      doc:
        "Connection settings as structured JSON, e.g. `{ custom_headers: { Authorization: \"Bearer …\" } }` or `{ passthrough_header: … }`. " +
        "A secret, and never returned by Portkey: changing it sends it, a change made outside Pulumi is not seen. Removing it clears it.",
      outputDoc: "The settings as last sent (a secret).",
      api: "configurations",
      secret: true,
      carried: true,
      // The update body types it as an object: removing it sends an empty one.
      clearAs: {},
      comparable: (value) => sortedKeys(value),
    }),
    workspaceId: workspaceIdInput({
      doc:
        "The workspace, by UUID or slug, for an integration that belongs to one workspace; without it the integration is the organisation's " +
        "(granted to workspaces with McpIntegrationWorkspaceAccess). Changing it replaces the integration; switching between the slug and the UUID " +
        "of the same workspace is not a change. Pass a Workspace's `id`.",
      optional: true,
    }),
    secretMappings: secretMappingsInput(
      "Fields of `configurations` Portkey fills from SecretReferences (`targetField: \"configurations.<field>\"`). " +
        "Not declared: whatever is mapped is left alone; `[]` removes every mapping.",
    ),
  };
}

function mcpIntegrationOutputs() {
  return {
    mcpIntegrationId: output(z.string(), { stable: true, doc: "The integration's UUID (the same as `id`).", api: "id" }),
    status: output(z.string().optional(), { doc: "The integration's status.", api: "status" }),
    type: output(z.string().optional(), { stable: true, doc: "`organisation` or `workspace` (whether it belongs to one workspace).", api: "type" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID (a workspace's integration)." }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug (a workspace's integration)." }),
    organisationId: output(z.string().optional(), { stable: true, doc: "The organisation's UUID.", api: "organisation_id" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When Portkey created the integration (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string().optional(), { doc: "When Portkey last changed the integration (RFC 3339).", api: "last_updated_at" }),
  };
}

type Shape = ShapeOf<typeof mcpIntegrationInputs, typeof mcpIntegrationOutputs>;

export const mcpIntegration = declareResource({
  kind: "portkey:McpIntegration",
  enumerate: {
    prefix: "mcp-integration",
    identity: ["workspaceId", "slug"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx) {
      return (await listMcpIntegrations(portkeyClient(ctx))).integrations.map((i) => ({ id: i.id, name: i.slug }));
    },
  },
  doc:
    "A Portkey MCP integration (`/mcp-integrations`): an upstream MCP server in the organisation's registry, or in one workspace's. " +
    "The resource id is its UUID (import by UUID). `configurations` is a secret Portkey never returns.\n\n" +
    "```ts\n" +
    'const linear = new portkey.McpIntegration("linear", {\n' +
    '  name: "Linear", slug: "linear", url: "https://mcp.linear.app/mcp",\n' +
    '  authType: "headers", transport: "http",\n' +
    '  configurations: { custom_headers: { Authorization: config.requireSecret("linearToken").apply((t) => `Bearer ${t}`) } },\n' +
    "});\n" +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: mcpIntegrationInputs,
  outputs: mcpIntegrationOutputs,

  refine(inputs, issue) {
    inputs.secretMappings?.forEach((m, i) => {
      if (!m.targetField.startsWith("configurations.")) issue(["secretMappings", i, "targetField"], "must be `configurations.<field>` for an MCP integration");
    });
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx, secretsOf(inputs));
    // The document types workspace_id as a UUID: the resolved one is sent, whatever the spelling.
    const workspace = inputs.workspaceId === undefined ? undefined : await requireWorkspace(client, ctx, inputs.workspaceId);
    const body = { ...ctx.createBody(inputs), ...(workspace ? { workspace_id: workspace.id } : {}) };
    const slugs = new Map<string, string>();
    const created = await createWithRecovery(ctx, {
      what: `Portkey MCP integration '${inputs.slug ?? inputs.name}'`,
      naturalKey: inputs.slug !== undefined ? `portkey:McpIntegration:slug:${inputs.slug}` : `portkey:McpIntegration:name:${inputs.name}`,
      post: () => createMcpIntegration(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { integrations, serverTime } = await listMcpIntegrations(client);
        const same = integrations.filter((i) => (inputs.slug !== undefined ? i.slug === inputs.slug : i.name === inputs.name && (i.workspace_id ?? undefined) === workspace?.id));
        for (const i of same) slugs.set(i.id, i.slug);
        return { candidates: same.map((i) => ({ id: i.id, createdAt: i.created_at })), serverTime };
      },
      recover: { adopt: async (candidate) => ({ id: candidate.id, slug: slugs.get(candidate.id) ?? "" }) },
      cleanup: "delete it in the Portkey UI under MCP Registry, or with DELETE /mcp-integrations/{id}",
    });
    const known: Partial<Shape["outputs"]> = { ...inputs, slug: created.slug, mcpIntegrationId: created.id, resolvedWorkspaceId: workspace?.id, workspaceSlug: workspace?.slug };
    ctx.created(created.id, known);
    return { id: created.id, outputs: await readBack(client, ctx, created.id, known) };
  },

  async read(id, outputs, ctx) {
    const client = portkeyClient(ctx, secretsOf(outputs));
    const json = await getMcpIntegration(client, id);
    if (!json) return undefined;
    return ctx.outputsFrom(json, { ...outputs, ...(await workspaceOf(client, ctx, json, outputs)) });
  },

  // The default update and delete; the client keeps `configurations` out of messages.
  endpoints: {
    get: (ctx, id, values) => getMcpIntegration(portkeyClient(ctx, values.flatMap(secretsOf)), id),
    update: (ctx, id, body, values) => updateMcpIntegration(portkeyClient(ctx, values.flatMap(secretsOf)), id, body),
    delete: (ctx, id, values) => deleteMcpIntegration(portkeyClient(ctx, values.flatMap(secretsOf)), id),
  },
});

async function readBack(client: ApiClient, ctx: Shape["context"], id: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const json = await getMcpIntegration(client, id);
  if (!json) throw new Error(`MCP integration ${id} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}

/** The workspace's UUID and slug, resolved once (an imported integration knows only Portkey's UUID). */
async function workspaceOf(client: ApiClient, ctx: Shape["context"], json: ApiMcpIntegration, outputs: Partial<Shape["outputs"]>): Promise<Partial<Shape["outputs"]>> {
  if (!json.workspace_id || outputs.resolvedWorkspaceId) return {};
  const workspace = await resolveWorkspace(client, ctx, json.workspace_id);
  return workspace ? { resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug } : {};
}

/** Every string in `configurations` (headers and tokens): kept out of every message. */
function secretsOf(values: Partial<Shape["inputs"]>): string[] {
  const secrets: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === "string" && value.length >= 8) secrets.push(value);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(values.configurations);
  return secrets;
}
