/**
 * Portkey workspaces, /admin/workspaces: a leading emoji in a name becomes
 * the icon, `defaults` are replaced or merged by PUT, limits read back stale
 * for a while, and a delete names the workspace and must force its way past
 * providers and keys still in it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { authorize, isObject, JsonObject, optionalString, page, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString, slugPart } from "./common";
import { rateLimitList, usageLimitJson, usageLimitList, visibleLimits } from "./limits";
import { WorkspaceRecord } from "./state";

/** The workspace routes and their rules. */
export class PortkeyWorkspaceRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/admin/workspaces", (ctx) => this.createWorkspace(ctx))
      .add("GET", "/admin/workspaces", (ctx) => this.listWorkspaces(ctx))
      .add("GET", "/admin/workspaces/{workspaceId}", (ctx) => this.getWorkspace(ctx))
      .add("PUT", "/admin/workspaces/{workspaceId}", (ctx) => this.updateWorkspace(ctx))
      .add("DELETE", "/admin/workspaces/{workspaceId}", (ctx) => this.deleteWorkspace(ctx));
  }

  private createWorkspace(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "workspaces.create", { organisationOnly: true });
    const body = this.shared.checkedBody(ctx);
    const rawName = requireString(body, "name", 1, 100);
    const { icon, name } = splitIcon(rawName, optionalString(body, "icon"));
    const now = ctx.now.toISOString();
    const defaults = workspaceDefaults(body.defaults);
    const workspace: WorkspaceRecord = {
      id: randomUUID(),
      slug: `ws-${slugPart(name)}-${randomBytes(3).toString("hex")}`,
      name,
      icon,
      description: optionalString(body, "description", 0, 500) ?? null,
      metadata: defaults.metadata ?? {},
      input_guardrails: defaults.input_guardrails ?? [],
      output_guardrails: defaults.output_guardrails ?? [],
      user_api_key_config: defaults.user_api_key_config ?? null,
      usage_limits: usageLimitList(body.usage_limits, ctx.now) ?? [],
      rate_limits: rateLimitList(body.rate_limits) ?? [],
      created_at: now,
      last_updated_at: now,
      last_reset_at: null,
      deleted_at: null,
      // Live, limits set at create can be missing from the answer and from reads for a while.
      stale: this.shared.staleFrom({ usage_limits: [], rate_limits: [] }, ctx.now),
    };
    this.shared.state(ctx).workspaces[workspace.id] = workspace;
    return { body: this.workspaceJson(workspace, ctx, false) };
  }

  private listWorkspaces(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "workspaces.list");
    const nameFilter = ctx.query.get("name");
    const exact = ctx.query.get("exact_name");
    let all = Object.values(this.shared.state(ctx).workspaces).filter((w) => !w.deleted_at);
    if (ctx.principal.kind === "key" && ctx.principal.key.type === "workspace") {
      const own = ctx.principal.key.workspace_id;
      all = all.filter((w) => w.id === own);
    }
    if (nameFilter) all = all.filter((w) => w.name.includes(nameFilter));
    if (exact) all = all.filter((w) => w.name === exact);
    all.sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { body: page(all, ctx.query, (w) => this.workspaceJson(w, ctx, false)) };
  }

  private getWorkspace(ctx: PortkeyRequest): HandlerResult {
    const workspace = this.shared.findWorkspace(ctx, ctx.params.workspaceId);
    authorize(ctx, "workspaces.read", { workspaceId: workspace.id });
    return { body: this.workspaceJson(workspace, ctx, true) };
  }

  private updateWorkspace(ctx: PortkeyRequest): HandlerResult {
    const workspace = this.shared.findWorkspace(ctx, ctx.params.workspaceId);
    authorize(ctx, "workspaces.update", { workspaceId: workspace.id });
    const body = this.shared.checkedBody(ctx);
    const before = { usage_limits: workspace.usage_limits, rate_limits: workspace.rate_limits };
    const icon = optionalString(body, "icon");
    if (icon !== undefined) workspace.icon = icon === "" ? null : icon;
    if (body.name !== undefined) {
      const split = splitIcon(requireString(body, "name", 1, 100), icon ?? workspace.icon ?? undefined);
      workspace.name = split.name;
      if (icon === undefined && split.icon !== workspace.icon && split.icon) workspace.icon = split.icon;
    }
    if (body.description !== undefined) workspace.description = optionalString(body, "description", 0, 500) ?? null;
    if (body.defaults !== undefined) {
      const given = workspaceDefaults(body.defaults);
      if (this.shared.behaviour.workspaceDefaultsOnPut === "replace") {
        workspace.metadata = given.metadata ?? {};
        workspace.input_guardrails = given.input_guardrails ?? [];
        workspace.output_guardrails = given.output_guardrails ?? [];
        workspace.user_api_key_config = given.user_api_key_config ?? null;
      } else {
        if (given.metadata !== undefined) workspace.metadata = given.metadata;
        if (given.input_guardrails !== undefined) workspace.input_guardrails = given.input_guardrails;
        if (given.output_guardrails !== undefined) workspace.output_guardrails = given.output_guardrails;
        if (given.user_api_key_config !== undefined) workspace.user_api_key_config = given.user_api_key_config;
      }
    }
    const usage = this.shared.limitsUpdate(body, "usage_limits", (v) => usageLimitList(v, ctx.now));
    if (usage !== undefined) workspace.usage_limits = usage;
    const rate = this.shared.limitsUpdate(body, "rate_limits", rateLimitList);
    if (rate !== undefined) workspace.rate_limits = rate;
    if (usage !== undefined || rate !== undefined) workspace.stale = this.shared.staleFrom(before, ctx.now);
    workspace.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteWorkspace(ctx: PortkeyRequest): HandlerResult {
    const workspace = this.shared.findWorkspace(ctx, ctx.params.workspaceId);
    authorize(ctx, "workspaces.delete", { organisationOnly: true });
    // Choice: the status of this refusal is not documented; the default workspace is never deleted.
    if (workspace.is_default) throw portkeyError("AB01", "Invalid request. The organisation's default workspace cannot be deleted");
    const body = isObject(ctx.body) ? ctx.body : {};
    if (body.name !== workspace.name && body.name !== displayName(workspace)) {
      throw portkeyError("AB01", "Invalid value for name: it must match the workspace's current name");
    }
    const state = this.shared.state(ctx);
    const providers = Object.values(state.providers).filter((p) => p.workspace_id === workspace.id);
    const keys = Object.values(state.api_keys).filter((k) => k.workspace_id === workspace.id && !k.deleted_at);
    if ((providers.length > 0 || keys.length > 0) && body.force_delete !== true) {
      throw portkeyError("AB07", "Unable to delete. Please ensure that all Virtual Keys are deleted");
    }
    for (const provider of providers) delete state.providers[provider.id];
    for (const key of keys) key.deleted_at = ctx.now.toISOString();
    workspace.deleted_at = ctx.now.toISOString();
    return { body: {} };
  }

  /** `detailed`: the single-workspace GET, the only place documented to take `name_format`. */
  private workspaceJson(w: WorkspaceRecord, ctx: PortkeyRequest, detailed: boolean): JsonObject {
    const limits = visibleLimits(w, ctx.now);
    const plain = detailed && ctx.query.get("name_format") === "plain";
    const json: JsonObject = {
      id: w.id,
      slug: w.slug,
      name: plain ? w.name : displayName(w),
      icon: w.icon,
      description: w.description,
      created_at: w.created_at,
      last_updated_at: w.last_updated_at,
      defaults: { metadata: { ...w.metadata }, is_default: w.is_default ? 1 : 0, object: "workspace" },
      usage_limits: limits.usage_limits.map(usageLimitJson),
      rate_limits: limits.rate_limits.map((r) => ({ ...r })),
      last_reset_at: w.last_reset_at,
      object: "workspace",
    };
    if (detailed) {
      Object.assign(json.defaults as JsonObject, {
        input_guardrails: [...(w.input_guardrails ?? [])],
        output_guardrails: [...(w.output_guardrails ?? [])],
        user_api_key_config: w.user_api_key_config ?? null,
      });
      json.users = [];
    }
    return json;
  }
}

/** The name as the API shows it by default: the icon in front. */
function displayName(w: WorkspaceRecord): string {
  return w.icon ? `${w.icon} ${w.name}` : w.name;
}

const LEADING_EMOJI = /^(\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic})*)\s+(.*)$/u;

/** A leading emoji in a name becomes the icon when no icon is given (a quirk seen live). */
function splitIcon(name: string, icon: string | undefined | null): { name: string; icon: string | null } {
  if (icon) return { name: name.startsWith(`${icon} `) ? name.slice(icon.length + 1) : name, icon };
  const match = LEADING_EMOJI.exec(name);
  return match ? { icon: match[1], name: match[2] } : { name, icon: null };
}

/** The workspace `defaults` a body names (undefined: not named). */
interface WorkspaceDefaults {
  metadata?: Record<string, string>;
  input_guardrails?: string[];
  output_guardrails?: string[];
  user_api_key_config?: string | null;
}

/** Reads workspace `defaults`; the document types only metadata on create, so the rest is checked here. */
function workspaceDefaults(value: unknown): WorkspaceDefaults {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw portkeyError("AB01", "Invalid request. defaults: must be an object");
  const result: WorkspaceDefaults = {};
  if (value.metadata !== undefined && value.metadata !== null) {
    if (!isObject(value.metadata)) throw portkeyError("AB01", "Invalid request. defaults.metadata: must be an object");
    result.metadata = {};
    for (const [k, v] of Object.entries(value.metadata)) {
      if (typeof v !== "string") throw portkeyError("AB01", `Invalid request. defaults.metadata.${k}: must be a string`);
      result.metadata[k] = v;
    }
  }
  for (const field of ["input_guardrails", "output_guardrails"] as const) {
    const list = value[field];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
      throw portkeyError("AB01", `Invalid request. defaults.${field}: must be an array of strings`);
    }
    result[field] = [...(list as string[])];
  }
  if (value.user_api_key_config !== undefined) {
    const config = value.user_api_key_config;
    if (config !== null && typeof config !== "string") throw portkeyError("AB01", "Invalid request. defaults.user_api_key_config: must be a string or null");
    result.user_api_key_config = config;
  }
  return result;
}
