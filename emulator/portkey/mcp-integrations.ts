/**
 * Portkey MCP integrations, /mcp-integrations: upstream MCP servers in the
 * organisation's registry (or one workspace's), addressed by UUID or slug,
 * with the workspaces they are provisioned to and the capabilities (tools,
 * prompts, resources) each may use (reference prompts-mcp-scim §7).
 *
 * The emulator never calls the upstream server: capabilities and server
 * information appear when a client posts them to
 * `POST /mcp-integrations/{id}/sync` (the official SDK's call), and until
 * then the capability list is empty and `sync_status` is `pending`.
 * `configurations` holds secrets (headers, tokens) and is never returned.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { allowed, authorize, isObject, JsonObject, optionalString, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString, slugPart } from "./common";
import { workspaceLive } from "./collections";
import { McpCapabilityRecord, McpIntegrationRecord, PortkeyState } from "./state";

const AUTH_TYPES = ["oauth_auto", "oauth_client_credentials", "headers", "none"];
const TRANSPORTS = ["http", "sse"];
const CAPABILITY_TYPES = ["tool", "prompt", "resource", "resource_template"];
/** Capabilities the PUT can switch: resource templates are listed but not toggled (the document's enum). */
const SWITCHABLE_TYPES = ["tool", "prompt", "resource"];
const SLUG = /^[a-zA-Z0-9_-]+$/;

/** The MCP integration routes and their rules. */
export class PortkeyMcpIntegrationRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/mcp-integrations", (ctx) => this.createIntegration(ctx))
      .add("GET", "/mcp-integrations", (ctx) => this.listIntegrations(ctx))
      .add("GET", "/mcp-integrations/{mcpIntegrationId}", (ctx) => this.getIntegration(ctx))
      .add("PUT", "/mcp-integrations/{mcpIntegrationId}", (ctx) => this.updateIntegration(ctx))
      .add("DELETE", "/mcp-integrations/{mcpIntegrationId}", (ctx) => this.deleteIntegration(ctx))
      .add("GET", "/mcp-integrations/{mcpIntegrationId}/metadata", (ctx) => this.getMetadata(ctx))
      .add("POST", "/mcp-integrations/{mcpIntegrationId}/sync", (ctx) => this.sync(ctx))
      .add("GET", "/mcp-integrations/{mcpIntegrationId}/workspaces", (ctx) => this.listWorkspaces(ctx))
      .add("PUT", "/mcp-integrations/{mcpIntegrationId}/workspaces", (ctx) => this.updateWorkspaces(ctx))
      .add("GET", "/mcp-integrations/{mcpIntegrationId}/capabilities", (ctx) => this.listCapabilities(ctx))
      .add("PUT", "/mcp-integrations/{mcpIntegrationId}/capabilities", (ctx) => this.updateCapabilities(ctx));
  }

  private createIntegration(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const state = this.shared.state(ctx);
    const name = requireString(body, "name", 1, 255);
    const url = urlOf(body, true)!;
    const authType = oneOf(body, "auth_type", AUTH_TYPES, true)!;
    const transport = oneOf(body, "transport", TRANSPORTS, true)!;
    const organisationId = optionalString(body, "organisation_id");
    if (organisationId && organisationId !== state.organisation_id) throw portkeyError("AB03", "You do not have access to this organisation");
    const workspaceGiven = optionalString(body, "workspace_id");
    const workspaceId = workspaceGiven ? this.shared.findWorkspace(ctx, workspaceGiven).id : null;
    if (workspaceId) authorize(ctx, "mcp_integrations.create", { workspaceId });
    else authorize(ctx, "mcp_integrations.create", { organisationOnly: true });
    const slug = optionalString(body, "slug") ?? `${slugPart(name)}-${randomBytes(3).toString("hex")}`;
    if (!SLUG.test(slug)) throw portkeyError("AB01", "Invalid request. slug: may hold only letters, digits, _ and -");
    if (Object.values(mcpIntegrationsOf(state)).some((i) => i.slug === slug)) throw portkeyError("AB07", `An MCP integration with slug ${slug} already exists`);
    const now = ctx.now.toISOString();
    const record: McpIntegrationRecord = {
      id: randomUUID(),
      slug,
      name,
      description: optionalString(body, "description") ?? null,
      url,
      auth_type: authType,
      transport,
      configurations: configurationsOf(body) ?? null,
      secret_mappings: secretMappingsOf(body) ?? [],
      workspace_id: workspaceId,
      owner_id: callerId(ctx),
      created_at: now,
      last_updated_at: now,
      access: {},
      global_workspace_access: null,
      capabilities: [],
      capability_settings: {},
      server_info: null,
      last_synced_at: null,
    };
    mcpIntegrationsOf(state)[record.id] = record;
    return { body: { id: record.id, slug: record.slug } };
  }

  private listIntegrations(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const organisationId = ctx.query.get("organisation_id");
    if (organisationId && organisationId !== state.organisation_id) throw portkeyError("AB03", "You do not have access to this organisation");
    const type = ctx.query.get("type") ?? "all";
    if (!["all", "organisation", "workspace"].includes(type)) throw portkeyError("AB01", "Invalid request. type: must be one of workspace, organisation, all");
    const workspaceGiven = ctx.query.get("workspace_id");
    const workspaceId = workspaceGiven ? this.shared.findWorkspace(ctx, workspaceGiven).id : undefined;
    const search = ctx.query.get("search")?.toLowerCase();
    const all = liveIntegrations(state)
      .filter((i) => type === "all" || (type === "workspace") === (i.workspace_id !== null))
      .filter((i) => !workspaceId || i.workspace_id === workspaceId || (i.workspace_id === null && usableIn(i, workspaceId)))
      .filter((i) => !search || i.name.toLowerCase().includes(search) || i.slug.toLowerCase().includes(search))
      .filter((i) => (i.workspace_id ? allowed(ctx, "mcp_integrations.list", i.workspace_id) : allowed(ctx, "mcp_integrations.list", undefined)))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    const { data, total, has_more } = pageOf(all, ctx.query, 1000);
    return { body: { data: data.map((i) => ({ ...integrationJson(i, state), workspaces_count: enabledWorkspaces(state, i).length })), total, has_more } };
  }

  private getIntegration(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    return { body: integrationJson(this.find(ctx, "read"), state) };
  }

  private updateIntegration(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "update");
    const body = this.shared.checkedBody(ctx);
    if (Object.keys(body).length === 0) throw portkeyError("AB01", "Invalid request. body: must name at least one field");
    for (const fixed of ["slug", "workspace_id", "organisation_id"]) {
      if (body[fixed] !== undefined) throw portkeyError("AB01", `Invalid request. ${fixed}: cannot be changed after creation`);
    }
    const name = body.name === undefined ? undefined : requireString(body, "name", 1, 255);
    const url = urlOf(body, false);
    const authType = oneOf(body, "auth_type", AUTH_TYPES, false);
    const transport = oneOf(body, "transport", TRANSPORTS, false);
    const configurations = configurationsOf(body);
    const mappings = secretMappingsOf(body);
    if (name !== undefined) record.name = name;
    if (body.description !== undefined) record.description = optionalString(body, "description") ?? null;
    if (url !== undefined) record.url = url;
    if (authType !== undefined) record.auth_type = authType;
    if (transport !== undefined) record.transport = transport;
    if (configurations !== undefined) record.configurations = configurations;
    if (mappings !== undefined) record.secret_mappings = mappings;
    record.last_updated_at = ctx.now.toISOString();
    return { body: { id: record.id, slug: record.slug } };
  }

  private deleteIntegration(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.find(ctx, "delete");
    // Not documented; refusing keeps workspaces' servers from pointing at nothing (a choice, see docs/emulator.md).
    const servers = Object.values(state.mcp_servers ?? {}).filter((s) => s.mcp_integration_id === record.id && workspaceLive(state, s.workspace_id));
    if (servers.length > 0) throw portkeyError("AB07", `Unable to delete. The MCP integration is used by MCP server(s) ${servers.map((s) => s.slug).join(", ")}`);
    delete mcpIntegrationsOf(state)[record.id];
    return { body: {} };
  }

  private getMetadata(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "read");
    const info = record.server_info ?? {};
    return {
      body: {
        server_name: info.name ?? null,
        server_version: info.version ?? null,
        protocol_version: info.protocol_version ?? null,
        capability_flags: info.capabilities ?? null,
        sync_status: record.last_synced_at ? "synced" : "pending",
        last_synced_at: record.last_synced_at,
        sync_error: null,
      },
    };
  }

  /** What the gateway learns by connecting to the upstream server, posted by a client (the official SDK's `sync`). */
  private sync(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "update");
    const body = this.shared.checkedBody(ctx);
    if (body.server_info !== undefined && !isObject(body.server_info)) throw portkeyError("AB01", "Invalid request. server_info: must be an object");
    const now = ctx.now.toISOString();
    if (body.capabilities !== undefined) {
      if (!Array.isArray(body.capabilities)) throw portkeyError("AB01", "Invalid request. capabilities: must be an array");
      const seen = new Map(record.capabilities.map((c) => [`${c.type}:${c.name}`, c]));
      record.capabilities = body.capabilities.map((item, i) => {
        if (!isObject(item) || typeof item.name !== "string" || item.name.length === 0) throw portkeyError("AB01", `Invalid request. capabilities.${i}.name: is required`);
        const type = typeof item.type === "string" ? item.type : "tool";
        if (!CAPABILITY_TYPES.includes(type)) throw portkeyError("AB01", `Invalid request. capabilities.${i}.type: must be one of ${CAPABILITY_TYPES.join(", ")}`);
        const details = structuredClone(item);
        delete details.name;
        delete details.type;
        const before = seen.get(`${type}:${item.name}`);
        return { name: item.name, type: type as McpCapabilityRecord["type"], details, created_at: before?.created_at ?? now, last_updated_at: now };
      });
    }
    if (isObject(body.server_info)) record.server_info = structuredClone(body.server_info);
    record.last_synced_at = now;
    return { body: { success: true } };
  }

  /**
   * Without `version`: the legacy `{workspaces, global_workspace_access}`;
   * with any `version`: `{data, global_workspace_access, total}`. Rows are
   * the workspaces access was set for, enabled or not; ids are UUIDs for an
   * organisation key and slugs for a workspace key.
   */
  private listWorkspaces(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.find(ctx, "read");
    const bySlug = ctx.principal.kind === "key" && ctx.principal.key.type === "workspace";
    const rows = Object.entries(record.access)
      .filter(([workspaceId]) => workspaceLive(state, workspaceId))
      .sort(([, a], [, b]) => a.created_at.localeCompare(b.created_at))
      .map(([workspaceId, row]) => ({
        id: bySlug ? state.workspaces[workspaceId].slug : workspaceId,
        enabled: row.enabled,
        status: "active",
        created_at: row.created_at,
        last_updated_at: row.last_updated_at,
      }));
    const global = record.global_workspace_access ? { ...record.global_workspace_access } : null;
    if (ctx.query.get("version") !== null) return { body: { data: rows, global_workspace_access: global, total: rows.length } };
    return { body: { workspaces: rows, global_workspace_access: global } };
  }

  /** Merges `workspaces` into the rows; with `override_existing_workspace_access`, rows not named are switched off. */
  private updateWorkspaces(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "update", true);
    const body = this.shared.checkedBody(ctx);
    if (record.workspace_id !== null) throw portkeyError("AB01", "Invalid request. A workspace's MCP integration cannot be provisioned to other workspaces");
    if (!Array.isArray(body.workspaces)) throw portkeyError("AB01", "Invalid request. workspaces: is required and must be an array");
    const override = body.override_existing_workspace_access;
    if (override !== undefined && typeof override !== "boolean") throw portkeyError("AB01", "Invalid request. override_existing_workspace_access: must be a boolean");
    const changes = body.workspaces.map((item, i) => {
      if (!isObject(item) || typeof item.id !== "string" || typeof item.enabled !== "boolean") {
        throw portkeyError("AB01", `Invalid request. workspaces.${i}: must be {id, enabled}`);
      }
      return { workspaceId: this.shared.findWorkspace(ctx, item.id).id, enabled: item.enabled };
    });
    let global: { enabled: boolean } | null | undefined;
    if (body.global_workspace_access === null) global = null;
    else if (body.global_workspace_access !== undefined) {
      const value = body.global_workspace_access;
      if (!isObject(value) || typeof value.enabled !== "boolean") throw portkeyError("AB01", "Invalid request. global_workspace_access: must be {enabled} or null");
      global = { enabled: value.enabled };
    }
    const now = ctx.now.toISOString();
    if (override === true) for (const row of Object.values(record.access)) if (row.enabled) Object.assign(row, { enabled: false, last_updated_at: now });
    for (const { workspaceId, enabled } of changes) {
      const row = record.access[workspaceId];
      if (row) Object.assign(row, { enabled, last_updated_at: now });
      else record.access[workspaceId] = { enabled, created_at: now, last_updated_at: now };
    }
    if (global !== undefined) record.global_workspace_access = global;
    record.last_updated_at = now;
    return { body: {} };
  }

  private listCapabilities(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "read");
    return { body: capabilityPage(ctx, record.capabilities, (c) => ({ enabled: record.capability_settings[keyOf(c)] ?? true })) };
  }

  /** Switches capabilities on or off; a name no sync has found yet is kept and applies once one does (a choice, see docs/emulator.md). */
  private updateCapabilities(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "update");
    const body = this.shared.checkedBody(ctx);
    for (const { type, name, enabled } of capabilitySwitches(body)) record.capability_settings[`${type}:${name}`] = enabled;
    record.last_updated_at = ctx.now.toISOString();
    return { body: { success: true } };
  }

  /**
   * By UUID or slug. An organisation integration is managed with an
   * organisation key (`organisationOnly`); reads are open to a workspace
   * it is provisioned to.
   */
  private find(ctx: PortkeyRequest, action: "read" | "update" | "delete", organisationOnly = false): McpIntegrationRecord {
    const state = this.shared.state(ctx);
    const record = findMcpIntegration(state, ctx.params.mcpIntegrationId);
    if (!record) throw portkeyError("AB08", `MCP integration not found: ${ctx.params.mcpIntegrationId}`);
    const scope = `mcp_integrations.${action}`;
    if (record.workspace_id) authorize(ctx, scope, { workspaceId: record.workspace_id, organisationOnly });
    else if (action === "read" && ctx.principal.kind === "key" && ctx.principal.key.type === "workspace") {
      const own = ctx.principal.key.workspace_id;
      if (!own || !usableIn(record, own)) throw portkeyError("AB03", "You do not have access to this MCP integration");
      authorize(ctx, scope);
    } else authorize(ctx, scope, { organisationOnly: true });
    return record;
  }
}

/** The organisation's MCP integrations (older state files have none yet). */
export function mcpIntegrationsOf(state: PortkeyState): Record<string, McpIntegrationRecord> {
  return (state.mcp_integrations ??= {});
}

function liveIntegrations(state: PortkeyState): McpIntegrationRecord[] {
  return Object.values(mcpIntegrationsOf(state)).filter((i) => i.workspace_id === null || workspaceLive(state, i.workspace_id));
}

/** A live MCP integration by UUID or slug. */
export function findMcpIntegration(state: PortkeyState, idOrSlug: string): McpIntegrationRecord | undefined {
  return liveIntegrations(state).find((i) => i.id === idOrSlug || i.slug === idOrSlug);
}

/** Whether a workspace may use the integration: its own, provisioned to it, or provisioned to every workspace. */
export function usableIn(i: McpIntegrationRecord, workspaceId: string): boolean {
  if (i.workspace_id !== null) return i.workspace_id === workspaceId;
  const row = i.access[workspaceId];
  return row ? row.enabled : (i.global_workspace_access?.enabled ?? false);
}

function enabledWorkspaces(state: PortkeyState, i: McpIntegrationRecord): string[] {
  return Object.entries(i.access).filter(([id, row]) => row.enabled && workspaceLive(state, id)).map(([id]) => id);
}

/** `type:name`, the key capability settings are kept under. */
export function keyOf(c: { type: string; name: string }): string {
  return `${c.type}:${c.name}`;
}

/** The PUT body's `capabilities`: at least one `{name, type, enabled}`, type tool, prompt or resource. */
export function capabilitySwitches(body: JsonObject): { name: string; type: string; enabled: boolean }[] {
  const list = body.capabilities;
  if (!Array.isArray(list) || list.length === 0) throw portkeyError("AB01", "Invalid request. capabilities: must be a non-empty array");
  return list.map((item, i) => {
    if (!isObject(item) || typeof item.name !== "string" || item.name.length === 0 || typeof item.enabled !== "boolean") {
      throw portkeyError("AB01", `Invalid request. capabilities.${i}: must be {name, type, enabled}`);
    }
    if (typeof item.type !== "string" || !SWITCHABLE_TYPES.includes(item.type)) {
      throw portkeyError("AB01", `Invalid request. capabilities.${i}.type: must be one of ${SWITCHABLE_TYPES.join(", ")}`);
    }
    return { name: item.name, type: item.type, enabled: item.enabled };
  });
}

/**
 * A page of capabilities, `page` from 1 (unlike the other MCP lists), with
 * per-type counts of the whole list, filtered by `type`.
 */
export function capabilityPage(ctx: PortkeyRequest, capabilities: McpCapabilityRecord[], extra: (c: McpCapabilityRecord) => { enabled: boolean } & JsonObject): JsonObject {
  const type = ctx.query.get("type");
  if (type !== null && !CAPABILITY_TYPES.includes(type)) throw portkeyError("AB01", `Invalid request. type: must be one of ${CAPABILITY_TYPES.join(", ")}`);
  const size = intParam(ctx.query.get("page_size"), 100, 1, 500);
  const number = intParam(ctx.query.get("page"), 1, 1, 1_000_000);
  const rows = capabilities.map((c) => ({ c, extra: extra(c) }));
  const counts: JsonObject = {};
  for (const [plural, singular] of [["tools", "tool"], ["prompts", "prompt"], ["resources", "resource"], ["resource_templates", "resource_template"]]) {
    const ofType = rows.filter((r) => r.c.type === singular);
    counts[plural] = { total: ofType.length, enabled: ofType.filter((r) => r.extra.enabled).length };
  }
  const filtered = rows.filter((r) => type === null || r.c.type === type);
  const slice = filtered.slice((number - 1) * size, number * size);
  return {
    data: slice.map(({ c, extra: more }) => ({ ...structuredClone(c.details), name: c.name, type: c.type, ...more, created_at: c.created_at, last_updated_at: c.last_updated_at })),
    counts,
    total: filtered.length,
    has_more: number * size < filtered.length,
  };
}

/** A page by `current_page` (from 0) and `page_size` (1 to `max`, default 100), with `has_more`. */
export function pageOf<T>(items: T[], query: URLSearchParams, max: number): { data: T[]; total: number; has_more: boolean } {
  const size = intParam(query.get("page_size"), 100, 1, max);
  const current = intParam(query.get("current_page"), 0, 0, 1_000_000);
  return { data: items.slice(current * size, (current + 1) * size), total: items.length, has_more: (current + 1) * size < items.length };
}

function intParam(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw portkeyError("AB01", `Invalid request. Paging value out of range: ${raw}`);
  return n;
}

/** Who made an object: the key's user (or the key), or the organisation for an admin key. */
export function callerId(ctx: PortkeyRequest): string {
  const principal = ctx.principal;
  return principal.kind === "key" ? (principal.key.user_id ?? principal.key.id) : principal.organisation_id;
}

function urlOf(body: JsonObject, required: boolean): string | undefined {
  if (body.url === undefined && !required) return undefined;
  const url = requireString(body, "url", 1, 2048);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw portkeyError("AB01", "Invalid request. url: must be an http(s) URL");
  return url;
}

function oneOf(body: JsonObject, field: string, values: string[], required: boolean): string | undefined {
  if (body[field] === undefined && !required) return undefined;
  const value = body[field];
  if (typeof value !== "string" || !values.includes(value)) throw portkeyError("AB01", `Invalid request. ${field}: must be one of ${values.join(", ")}`);
  return value;
}

function configurationsOf(body: JsonObject): Record<string, unknown> | null | undefined {
  if (body.configurations === undefined) return undefined;
  if (body.configurations === null) return null;
  if (!isObject(body.configurations)) throw portkeyError("AB01", "Invalid request. configurations: must be an object");
  return structuredClone(body.configurations);
}

function secretMappingsOf(body: JsonObject): Record<string, unknown>[] | undefined {
  if (body.secret_mappings === undefined) return undefined;
  if (body.secret_mappings === null) return [];
  if (!Array.isArray(body.secret_mappings)) throw portkeyError("AB01", "Invalid request. secret_mappings: must be an array");
  return body.secret_mappings.map((m, i) => {
    if (!isObject(m) || typeof m.target_field !== "string" || !m.target_field.startsWith("configurations.") || typeof m.secret_reference_id !== "string") {
      throw portkeyError("AB01", `Invalid request. secret_mappings.${i}: must be {target_field: "configurations.<field>", secret_reference_id}`);
    }
    return structuredClone(m);
  });
}

/** The integration as the API answers it: everything but `configurations`, which holds secrets. */
function integrationJson(i: McpIntegrationRecord, state: PortkeyState): JsonObject {
  return {
    id: i.id,
    slug: i.slug,
    name: i.name,
    description: i.description,
    url: i.url,
    auth_type: i.auth_type,
    transport: i.transport,
    organisation_id: state.organisation_id,
    workspace_id: i.workspace_id,
    owner_id: i.owner_id,
    status: "active",
    type: i.workspace_id ? "workspace" : "organisation",
    global_workspace_access: i.global_workspace_access ? { ...i.global_workspace_access } : null,
    secret_mappings: structuredClone(i.secret_mappings),
    created_at: i.created_at,
    last_updated_at: i.last_updated_at,
  };
}
