/**
 * Portkey MCP servers, /mcp-servers: an MCP integration made available in
 * one workspace, addressed by UUID or slug, with its own capability
 * settings over the integration's and per-user access (reference
 * prompts-mcp-scim §8). The integration must be usable in the workspace
 * (its own, or provisioned to it). Connections are OAuth sessions of users,
 * which the emulator never has: their list is always empty.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { allowed, authorize, isObject, JsonObject, optionalString, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString, slugPart } from "./common";
import { workspaceLive, workspaceOfKey } from "./collections";
import { callerId, capabilityPage, capabilitySwitches, findMcpIntegration, keyOf, pageOf, usableIn } from "./mcp-integrations";
import { McpIntegrationRecord, McpServerRecord, PortkeyState } from "./state";
import { membersOf, usersOf } from "./users";

const SLUG = /^[a-zA-Z0-9_-]{3,50}$/;
/** The public gateway's address of a server (https://portkey.ai/docs/product/mcp-gateway/integrations). */
const GATEWAY = "https://mcp.portkey.ai";

/** The MCP server routes and their rules. */
export class PortkeyMcpServerRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/mcp-servers", (ctx) => this.createServer(ctx))
      .add("GET", "/mcp-servers", (ctx) => this.listServers(ctx))
      .add("GET", "/mcp-servers/{mcpServerId}", (ctx) => this.getServer(ctx))
      .add("PUT", "/mcp-servers/{mcpServerId}", (ctx) => this.updateServer(ctx))
      .add("DELETE", "/mcp-servers/{mcpServerId}", (ctx) => this.deleteServer(ctx))
      .add("GET", "/mcp-servers/{mcpServerId}/capabilities", (ctx) => this.listCapabilities(ctx))
      .add("PUT", "/mcp-servers/{mcpServerId}/capabilities", (ctx) => this.updateCapabilities(ctx))
      .add("GET", "/mcp-servers/{mcpServerId}/user-access", (ctx) => this.listUserAccess(ctx))
      .add("PUT", "/mcp-servers/{mcpServerId}/user-access", (ctx) => this.updateUserAccess(ctx))
      .add("GET", "/mcp-servers/{mcpServerId}/connections", (ctx) => this.listConnections(ctx))
      .add("DELETE", "/mcp-servers/{mcpServerId}/connections", (ctx) => this.deleteConnections(ctx));
  }

  private createServer(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const state = this.shared.state(ctx);
    const name = requireString(body, "name", 1, 255);
    const description = optionalString(body, "description", 0, 500) ?? null;
    const integrationGiven = requireString(body, "mcp_integration_id", 1, 255);
    // Required with an organisation admin key (the document); a workspace key's own workspace otherwise.
    const workspaceGiven = optionalString(body, "workspace_id");
    const workspace = this.shared.findWorkspace(ctx, workspaceGiven ?? workspaceOfKey(ctx));
    authorize(ctx, "mcp_servers.create", { workspaceId: workspace.id });
    const integration = findMcpIntegration(state, integrationGiven);
    if (!integration) throw portkeyError("AB08", `MCP integration not found: ${integrationGiven}`);
    if (!usableIn(integration, workspace.id)) {
      throw portkeyError("AB01", `Invalid request. mcp_integration_id: the MCP integration ${integration.slug} is not provisioned to workspace ${workspace.slug}`);
    }
    const slug = optionalString(body, "slug") ?? `${slugPart(name)}-${randomBytes(3).toString("hex")}`;
    if (!SLUG.test(slug)) throw portkeyError("AB01", "Invalid request. slug: 3-50 letters, digits, _ or -");
    if (Object.values(serversOf(state)).some((s) => s.slug === slug)) throw portkeyError("AB07", `An MCP server with slug ${slug} already exists`);
    const now = ctx.now.toISOString();
    const record: McpServerRecord = {
      id: randomUUID(),
      slug,
      name,
      description,
      mcp_integration_id: integration.id,
      workspace_id: workspace.id,
      owner_id: callerId(ctx),
      created_at: now,
      last_updated_at: now,
      capability_settings: {},
      user_access: {},
      default_user_access: "allow",
    };
    serversOf(state)[record.id] = record;
    return { body: { id: record.id, slug: record.slug } };
  }

  private listServers(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const workspaceGiven = ctx.query.get("workspace_id");
    const workspaceId = workspaceGiven ? this.shared.findWorkspace(ctx, workspaceGiven).id : undefined;
    const ids = ctx.query.get("id")?.split(",").filter((id) => id.length > 0);
    const search = ctx.query.get("search")?.toLowerCase();
    if (search !== undefined && search.length > 255) throw portkeyError("AB01", "Invalid request. search: at most 255 characters");
    const all = liveServers(state)
      .filter((s) => !workspaceId || s.workspace_id === workspaceId)
      .filter((s) => !ids || ids.includes(s.id))
      .filter((s) => !search || s.name.toLowerCase().includes(search) || s.slug.toLowerCase().includes(search))
      .filter((s) => allowed(ctx, "mcp_servers.list", s.workspace_id))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    const { data, total, has_more } = pageOf(all, ctx.query, 100);
    return { body: { data: data.map((s) => listItemJson(s, state)), total, has_more } };
  }

  private getServer(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    return { body: serverJson(this.find(ctx, "read"), state) };
  }

  private updateServer(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "update");
    const body = this.shared.checkedBody(ctx);
    if (body.name === undefined && body.description === undefined) throw portkeyError("AB01", "Invalid request. body: must name name or description");
    if (body.name !== undefined) record.name = requireString(body, "name", 1, 255);
    if (body.description !== undefined) record.description = optionalString(body, "description", 0, 500) ?? null;
    record.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteServer(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "delete");
    delete serversOf(this.shared.state(ctx))[record.id];
    return { body: {} };
  }

  /** The integration's capabilities, each with the integration's setting and this server's. */
  private listCapabilities(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "read");
    const integration = this.integrationOf(ctx, record);
    return {
      body: capabilityPage(ctx, integration.capabilities, (c) => {
        const integrationEnabled = integration.capability_settings[keyOf(c)] ?? true;
        return { enabled: integrationEnabled && (record.capability_settings[keyOf(c)] ?? true), integration_enabled: integrationEnabled };
      }),
    };
  }

  private updateCapabilities(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "update");
    const body = this.shared.checkedBody(ctx);
    for (const { type, name, enabled } of capabilitySwitches(body)) record.capability_settings[`${type}:${name}`] = enabled;
    record.last_updated_at = ctx.now.toISOString();
    return { body: { success: true } };
  }

  /** The workspace's members, each allowed by their override or by `default_user_access`. */
  private listUserAccess(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.find(ctx, "read");
    const users = usersOf(state);
    const search = ctx.query.get("search")?.toLowerCase();
    const rows = Object.keys(membersOf(state)[record.workspace_id] ?? {})
      .map((id) => users[id])
      .filter((u) => u !== undefined)
      .filter((u) => !search || `${u.first_name} ${u.last_name} ${u.email}`.toLowerCase().includes(search))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
      .map((u) => ({
        user_id: u.id,
        first_name: u.first_name,
        last_name: u.last_name,
        enabled: record.user_access[u.id] ?? record.default_user_access === "allow",
        has_override: u.id in record.user_access,
        connection_status: "not_connected",
      }));
    const size = pageParam(ctx.query.get("page_size"), 100, 1, 500);
    const number = pageParam(ctx.query.get("page"), 1, 1, 1_000_000);
    return { body: { data: rows.slice((number - 1) * size, number * size), default_user_access: record.default_user_access, total: rows.length, has_more: number * size < rows.length } };
  }

  private updateUserAccess(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.find(ctx, "update");
    const body = this.shared.checkedBody(ctx);
    const fallback = body.default_user_access;
    if (fallback !== undefined && fallback !== "allow" && fallback !== "deny") throw portkeyError("AB01", "Invalid request. default_user_access: must be allow or deny");
    const list = body.user_access ?? [];
    if (!Array.isArray(list)) throw portkeyError("AB01", "Invalid request. user_access: must be an array");
    if (list.length === 0 && fallback === undefined) throw portkeyError("AB01", "Invalid request. user_access or default_user_access is required");
    const members = membersOf(state)[record.workspace_id] ?? {};
    const changes = list.map((item, i) => {
      if (!isObject(item) || typeof item.user_id !== "string" || typeof item.enabled !== "boolean") throw portkeyError("AB01", `Invalid request. user_access.${i}: must be {user_id, enabled}`);
      if (!(item.user_id in members)) throw portkeyError("AB08", `User not found in the server's workspace: ${item.user_id}`);
      return { userId: item.user_id, enabled: item.enabled };
    });
    for (const { userId, enabled } of changes) record.user_access[userId] = enabled;
    if (fallback !== undefined) record.default_user_access = fallback;
    record.last_updated_at = ctx.now.toISOString();
    return { body: { success: true } };
  }

  private listConnections(ctx: PortkeyRequest): HandlerResult {
    this.find(ctx, "read");
    pageOf([], ctx.query, 500);
    return { body: { data: [], total: 0, has_more: false } };
  }

  private deleteConnections(ctx: PortkeyRequest): HandlerResult {
    this.find(ctx, "update");
    return { body: { success: true } };
  }

  private integrationOf(ctx: PortkeyRequest, record: McpServerRecord): McpIntegrationRecord {
    const integration = findMcpIntegration(this.shared.state(ctx), record.mcp_integration_id);
    if (!integration) throw portkeyError("AB08", `MCP integration not found: ${record.mcp_integration_id}`);
    return integration;
  }

  /** By UUID or slug, in a live workspace the caller may use. */
  private find(ctx: PortkeyRequest, action: "read" | "update" | "delete"): McpServerRecord {
    const state = this.shared.state(ctx);
    const given = ctx.params.mcpServerId;
    const record = liveServers(state).find((s) => s.id === given || s.slug === given);
    if (!record) throw portkeyError("AB08", `MCP server not found: ${given}`);
    authorize(ctx, `mcp_servers.${action}`, { workspaceId: record.workspace_id });
    return record;
  }
}

function serversOf(state: PortkeyState): Record<string, McpServerRecord> {
  return (state.mcp_servers ??= {});
}

/** Servers whose workspace still exists (deleting a workspace takes its servers). */
function liveServers(state: PortkeyState): McpServerRecord[] {
  return Object.values(serversOf(state)).filter((s) => workspaceLive(state, s.workspace_id));
}

function pageParam(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw portkeyError("AB01", `Invalid request. Paging value out of range: ${raw}`);
  return n;
}

/** The document's `McpServer`; the integration's details leave out its configurations (secrets). */
function serverJson(s: McpServerRecord, state: PortkeyState): JsonObject {
  const integration = findMcpIntegration(state, s.mcp_integration_id);
  return {
    id: s.id,
    slug: s.slug,
    name: s.name,
    status: "active",
    description: s.description,
    created_at: s.created_at,
    last_updated_at: s.last_updated_at,
    mcp_integration_id: s.mcp_integration_id,
    mcp_integration_details: integration
      ? { id: integration.id, slug: integration.slug, status: "active", url: integration.url, transport: integration.transport, auth_type: integration.auth_type }
      : null,
    workspace_id: s.workspace_id,
    object: "mcp-server",
  };
}

function listItemJson(s: McpServerRecord, state: PortkeyState): JsonObject {
  const integration = findMcpIntegration(state, s.mcp_integration_id);
  const workspace = state.workspaces[s.workspace_id];
  return {
    ...serverJson(s, state),
    organisation_id: state.organisation_id,
    owner_id: s.owner_id,
    mcp_integration_slug: integration?.slug ?? null,
    mcp_integration_url: integration?.url ?? null,
    auth_type: integration?.auth_type ?? null,
    workspace_name: workspace.name,
    workspace_slug: workspace.slug,
    url: `${GATEWAY}/${s.slug}/mcp`,
  };
}
