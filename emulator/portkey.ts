/**
 * The Portkey Admin API as the emulator serves it, rough edges included (see
 * the behaviour table in the README). Bodies are first checked against the
 * official OpenAPI document (./spec.ts), then against the rules the live API
 * is known to enforce beyond it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { portkeyError } from "./errors";
import {
  AccessRow,
  ApiKeyRecord,
  GlobalAccessRecord,
  IntegrationRecord,
  PortkeyState,
  RateLimitRecord,
  RotationPolicyRecord,
  UsageLimitRecord,
  WorkspaceRecord,
} from "./portkey-state";
import { HandlerResult, RequestContext, Router } from "./router";
import { PortkeySpec } from "./spec";

/** Who is calling: a configured admin key, or a key created through the emulator. */
export type PortkeyPrincipal = { kind: "admin" } | { kind: "key"; key: ApiKeyRecord };

/** Behaviour switches where the sources disagree or are silent. */
export interface PortkeyBehaviour {
  /** How long GETs keep returning the previous limits after a write (0: never stale). */
  staleReadMs: number;
  /** Whether `[]` clears limits like `null` does (the live behaviour is unverified). */
  emptyArrayClearsLimits: boolean;
  /**
   * What a workspace PUT carrying `defaults` does to defaults it does not
   * name: "replace" clears them, "merge" keeps them (live: not established).
   */
  workspaceDefaultsOnPut: "replace" | "merge";
}

type Ctx = RequestContext<PortkeyPrincipal>;
type Body = Record<string, unknown>;

const MIN_TRANSITION_MS = 1_800_000;
const DAY_MS = 86_400_000;
const ROTATION_PERIOD_MS: Record<string, number> = { weekly: 7 * DAY_MS, monthly: 30 * DAY_MS };

export class PortkeyApi {
  constructor(
    private readonly state: () => PortkeyState,
    private readonly spec: PortkeySpec,
    private readonly behaviour: PortkeyBehaviour,
  ) {}

  /** Resolves the x-portkey-api-key header to a principal, or throws 401 AB05. */
  authenticate(header: string | undefined, adminKeys: readonly string[], now: Date): PortkeyPrincipal {
    if (!header) throw portkeyError("AB05", "Unauthorised Request: missing x-portkey-api-key header");
    if (adminKeys.includes(header)) return { kind: "admin" };
    for (const key of Object.values(this.state().api_keys)) {
      if (key.deleted_at) continue;
      this.applyScheduledRotation(key, now);
      const live = key.secrets.some((s) => s.value === header && (!s.expires_at || Date.parse(s.expires_at) > now.getTime()));
      if (!live) continue;
      if (key.expires_at && Date.parse(key.expires_at) <= now.getTime()) break;
      return { kind: "key", key };
    }
    throw portkeyError("AB05", "Unauthorised Request: invalid api key");
  }

  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/admin/workspaces", (ctx) => this.createWorkspace(ctx))
      .add("GET", "/admin/workspaces", (ctx) => this.listWorkspaces(ctx))
      .add("GET", "/admin/workspaces/{workspaceId}", (ctx) => this.getWorkspace(ctx))
      .add("PUT", "/admin/workspaces/{workspaceId}", (ctx) => this.updateWorkspace(ctx))
      .add("DELETE", "/admin/workspaces/{workspaceId}", (ctx) => this.deleteWorkspace(ctx))
      .add("POST", "/api-keys/{type}/{sub-type}", (ctx) => this.createApiKey(ctx))
      .add("GET", "/api-keys", (ctx) => this.listApiKeys(ctx))
      .add("GET", "/api-keys/{id}", (ctx) => this.getApiKey(ctx))
      .add("PUT", "/api-keys/{id}", (ctx) => this.updateApiKey(ctx))
      .add("DELETE", "/api-keys/{id}", (ctx) => this.deleteApiKey(ctx))
      .add("POST", "/api-keys/{id}/rotate", (ctx) => this.rotateApiKey(ctx))
      .add("POST", "/integrations", (ctx) => this.createIntegration(ctx))
      .add("GET", "/integrations", (ctx) => this.listIntegrations(ctx))
      .add("GET", "/integrations/{slug}", (ctx) => this.getIntegration(ctx))
      .add("PUT", "/integrations/{slug}", (ctx) => this.updateIntegration(ctx))
      .add("DELETE", "/integrations/{slug}", (ctx) => this.deleteIntegration(ctx))
      .add("GET", "/integrations/{slug}/workspaces", (ctx) => this.getWorkspaceAccess(ctx))
      .add("PUT", "/integrations/{slug}/workspaces", (ctx) => this.updateWorkspaceAccess(ctx));
  }

  // ---------------------------------------------------------------- workspaces

  private createWorkspace(ctx: Ctx): HandlerResult {
    this.authorize(ctx, "workspaces.create", { organisationOnly: true });
    const body = this.checkedBody(ctx);
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
      usage_limits: this.usageLimitList(body.usage_limits, ctx.now) ?? [],
      rate_limits: rateLimitList(body.rate_limits) ?? [],
      created_at: now,
      last_updated_at: now,
      last_reset_at: null,
      deleted_at: null,
      // Live, limits set at create can be missing from the answer and from reads for a while.
      stale: this.staleFrom({ usage_limits: [], rate_limits: [] }, ctx.now),
    };
    this.state().workspaces[workspace.id] = workspace;
    return { body: this.workspaceJson(workspace, ctx, false) };
  }

  private listWorkspaces(ctx: Ctx): HandlerResult {
    this.authorize(ctx, "workspaces.list");
    const nameFilter = ctx.query.get("name");
    const exact = ctx.query.get("exact_name");
    let all = Object.values(this.state().workspaces).filter((w) => !w.deleted_at);
    if (ctx.principal.kind === "key" && ctx.principal.key.type === "workspace") {
      const own = ctx.principal.key.workspace_id;
      all = all.filter((w) => w.id === own);
    }
    if (nameFilter) all = all.filter((w) => w.name.includes(nameFilter));
    if (exact) all = all.filter((w) => w.name === exact);
    all.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    return { body: page(all, ctx.query, (w) => this.workspaceJson(w, ctx, false)) };
  }

  private getWorkspace(ctx: Ctx): HandlerResult {
    const workspace = this.findWorkspace(ctx.params.workspaceId);
    this.authorize(ctx, "workspaces.read", { workspaceId: workspace.id });
    return { body: this.workspaceJson(workspace, ctx, true) };
  }

  private updateWorkspace(ctx: Ctx): HandlerResult {
    const workspace = this.findWorkspace(ctx.params.workspaceId);
    this.authorize(ctx, "workspaces.update", { workspaceId: workspace.id });
    const body = this.checkedBody(ctx);
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
      if (this.behaviour.workspaceDefaultsOnPut === "replace") {
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
    const usage = this.limitsUpdate(body, "usage_limits", (v) => this.usageLimitList(v, ctx.now));
    if (usage !== undefined) workspace.usage_limits = usage;
    const rate = this.limitsUpdate(body, "rate_limits", rateLimitList);
    if (rate !== undefined) workspace.rate_limits = rate;
    if (usage !== undefined || rate !== undefined) workspace.stale = this.staleFrom(before, ctx.now);
    workspace.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteWorkspace(ctx: Ctx): HandlerResult {
    const workspace = this.findWorkspace(ctx.params.workspaceId);
    this.authorize(ctx, "workspaces.delete", { organisationOnly: true });
    const body = isObject(ctx.body) ? ctx.body : {};
    if (body.name !== workspace.name && body.name !== this.displayName(workspace)) {
      throw portkeyError("AB01", "Invalid value for name: it must match the workspace's current name");
    }
    const state = this.state();
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
  private workspaceJson(w: WorkspaceRecord, ctx: Ctx, detailed: boolean): Body {
    const limits = this.visibleLimits(w, ctx.now);
    const plain = detailed && ctx.query.get("name_format") === "plain";
    const json: Body = {
      id: w.id,
      slug: w.slug,
      name: plain ? w.name : this.displayName(w),
      icon: w.icon,
      description: w.description,
      created_at: w.created_at,
      last_updated_at: w.last_updated_at,
      defaults: { metadata: { ...w.metadata }, is_default: 0, object: "workspace" },
      usage_limits: limits.usage_limits.map(usageLimitJson),
      rate_limits: limits.rate_limits.map((r) => ({ ...r })),
      last_reset_at: w.last_reset_at,
      object: "workspace",
    };
    if (detailed) {
      Object.assign(json.defaults as Body, {
        input_guardrails: [...(w.input_guardrails ?? [])],
        output_guardrails: [...(w.output_guardrails ?? [])],
        user_api_key_config: w.user_api_key_config ?? null,
      });
      json.users = [];
    }
    return json;
  }

  private displayName(w: WorkspaceRecord): string {
    return w.icon ? `${w.icon} ${w.name}` : w.name;
  }

  /** By UUID or slug; a deleted workspace answers 403 AB03 as the live API does. */
  private findWorkspace(idOrSlug: string): WorkspaceRecord {
    const all = this.state().workspaces;
    const workspace = all[idOrSlug] ?? Object.values(all).find((w) => w.slug === idOrSlug);
    if (!workspace) throw portkeyError("AB08", `Workspace not found: ${idOrSlug}`);
    if (workspace.deleted_at) throw portkeyError("AB03", "You do not have access to this workspace");
    return workspace;
  }

  // ------------------------------------------------------------------ API keys

  private createApiKey(ctx: Ctx): HandlerResult {
    const type = ctx.params.type;
    const subType = ctx.params["sub-type"];
    if (type !== "organisation" && type !== "workspace") throw portkeyError("AB01", `Invalid api key type: ${type}`);
    if (subType !== "service" && subType !== "user") throw portkeyError("AB01", `Invalid api key sub-type: ${subType}`);
    if (type === "organisation" && subType === "user") {
      throw portkeyError("AB01", "Invalid api key type: organisation keys can only be service keys");
    }
    const body = this.checkedBody(ctx);
    let workspaceId: string | null = null;
    if (type === "workspace") {
      const given = optionalString(body, "workspace_id");
      if (!given) throw portkeyError("AB01", "workspace_id is required for workspace api keys");
      workspaceId = this.findWorkspace(given).id;
    } else if (body.workspace_id !== undefined) {
      throw portkeyError("AB01", "workspace_id is not allowed for organisation api keys");
    }
    const userId = optionalString(body, "user_id") ?? null;
    if (subType === "user" && !userId) throw portkeyError("AB01", "user_id is required for user api keys");
    this.authorize(ctx, `${type}_${subType}_api_keys.create`, { workspaceId: workspaceId ?? undefined });
    const now = ctx.now.toISOString();
    const defaults = isObject(body.defaults) ? body.defaults : {};
    const key: ApiKeyRecord = {
      id: randomUUID(),
      type,
      sub_type: subType,
      name: requireString(body, "name", 1, 100),
      description: optionalString(body, "description", 0, 200) ?? null,
      workspace_id: workspaceId,
      user_id: userId,
      scopes: scopeList(body.scopes),
      rate_limits: rateLimitList(body.rate_limits) ?? [],
      usage_limits: body.usage_limits ? this.usageLimit(body.usage_limits, "usage_limits", ctx.now, true) : null,
      // Any JSON values, stored as given (the API does not stringify them).
      metadata: isObject(defaults.metadata) ? structuredClone(defaults.metadata) : {},
      config_id: typeof defaults.config_id === "string" ? defaults.config_id : null,
      allow_config_override: typeof defaults.allow_config_override === "boolean" ? defaults.allow_config_override : null,
      alert_emails: Array.isArray(body.alert_emails) ? (body.alert_emails as string[]) : [],
      expires_at: this.expiry(body.expires_at, ctx.now),
      rotation_policy: this.rotationPolicy(body.rotation_policy, ctx.now),
      secrets: [{ value: newSecret(), expires_at: null }],
      last_rotated_at: null,
      status: "active",
      created_at: now,
      last_updated_at: now,
      last_reset_at: null,
      deleted_at: null,
      // Live, limits set at create can be missing from reads for a while.
      stale: this.behaviour.staleReadMs > 0 ? { usage_limits: null, rate_limits: [], until: ctx.now.getTime() + this.behaviour.staleReadMs } : null,
    };
    this.state().api_keys[key.id] = key;
    return { body: { id: key.id, key: key.secrets[0].value, object: "api-key" } };
  }

  private listApiKeys(ctx: Ctx): HandlerResult {
    const filter = ctx.query.get("workspace_id");
    const workspaceId = filter ? this.findWorkspace(filter).id : undefined;
    let keys = Object.values(this.state().api_keys).filter((k) => !k.deleted_at);
    if (workspaceId) keys = keys.filter((k) => k.workspace_id === workspaceId);
    keys = keys.filter((k) => this.allowed(ctx, `${k.type}_${k.sub_type}_api_keys.list`, k.workspace_id));
    keys.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    for (const key of keys) this.applyScheduledRotation(key, ctx.now);
    return { body: page(keys, ctx.query, (k) => this.apiKeyJson(k, ctx.now)), rawJson: undefined };
  }

  private getApiKey(ctx: Ctx): HandlerResult {
    const key = this.findApiKey(ctx.params.id);
    this.authorize(ctx, `${key.type}_${key.sub_type}_api_keys.read`, { workspaceId: key.workspace_id ?? undefined });
    this.applyScheduledRotation(key, ctx.now);
    const body = this.apiKeyJson(key, ctx.now);
    return { body, rawJson: withDecimalLimits(body) };
  }

  private updateApiKey(ctx: Ctx): HandlerResult {
    const key = this.findApiKey(ctx.params.id);
    this.authorize(ctx, `${key.type}_${key.sub_type}_api_keys.update`, { workspaceId: key.workspace_id ?? undefined });
    const body = this.checkedBody(ctx);
    const before = { usage_limits: key.usage_limits, rate_limits: key.rate_limits };
    if (body.name !== undefined) key.name = requireString(body, "name", 1, 100);
    if (body.description !== undefined) key.description = optionalString(body, "description", 0, 200) ?? null;
    if (body.scopes !== undefined) key.scopes = scopeList(body.scopes);
    let limitsChanged = false;
    if (body.rate_limits !== undefined) {
      key.rate_limits = rateLimitList(body.rate_limits) ?? [];
      limitsChanged = true;
    }
    if (body.usage_limits !== undefined) {
      key.usage_limits = body.usage_limits === null ? null : this.usageLimit(body.usage_limits, "usage_limits", ctx.now, true);
      limitsChanged = true;
    }
    if (limitsChanged && this.behaviour.staleReadMs > 0) {
      key.stale = { ...before, until: ctx.now.getTime() + this.behaviour.staleReadMs };
    }
    if (body.reset_usage === true) {
      key.last_reset_at = ctx.now.toISOString();
      key.status = "active";
    }
    if (isObject(body.defaults)) {
      const d = body.defaults;
      if (d.metadata !== undefined) key.metadata = isObject(d.metadata) ? structuredClone(d.metadata) : {};
      if (d.config_id !== undefined) {
        key.config_id = typeof d.config_id === "string" ? d.config_id : null;
        // Clearing the config puts the override back to unset (its default, true), as the 2026-04-21 document said.
        if (key.config_id === null) key.allow_config_override = null;
      }
      // Stored whatever config_id is: only the Terraform provider refuses true without one, at plan time.
      if (typeof d.allow_config_override === "boolean") key.allow_config_override = d.allow_config_override;
    }
    if (body.alert_emails !== undefined) key.alert_emails = Array.isArray(body.alert_emails) ? (body.alert_emails as string[]) : [];
    if (body.expires_at !== undefined) key.expires_at = this.expiry(body.expires_at, ctx.now);
    if (body.rotation_policy !== undefined) key.rotation_policy = this.rotationPolicy(body.rotation_policy, ctx.now);
    key.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteApiKey(ctx: Ctx): HandlerResult {
    const key = this.findApiKey(ctx.params.id);
    this.authorize(ctx, `${key.type}_${key.sub_type}_api_keys.delete`, { workspaceId: key.workspace_id ?? undefined });
    key.deleted_at = ctx.now.toISOString();
    return { body: {} };
  }

  private rotateApiKey(ctx: Ctx): HandlerResult {
    const key = this.findApiKey(ctx.params.id);
    const scope = `${key.type}_${key.sub_type}_api_keys`;
    // Sources disagree on the scope rotation needs; either is accepted.
    if (!this.allowed(ctx, `${scope}.rotate`, key.workspace_id) && !this.allowed(ctx, `${scope}.update`, key.workspace_id)) {
      throw portkeyError("AB03", `You do not have the permission to rotate this api key (needs ${scope}.rotate)`);
    }
    const body = isObject(ctx.body) ? this.checkedBody(ctx) : {};
    const transition = body.key_transition_period_ms ?? key.rotation_policy?.key_transition_period_ms ?? MIN_TRANSITION_MS;
    if (typeof transition !== "number" || !Number.isInteger(transition) || transition < MIN_TRANSITION_MS) {
      throw portkeyError("AB01", `key_transition_period_ms must be an integer >= ${MIN_TRANSITION_MS}`);
    }
    const period = policyPeriodMs(key.rotation_policy);
    if (period !== undefined && transition >= period) {
      throw portkeyError("AB01", "key_transition_period_ms must be shorter than the rotation period");
    }
    this.applyScheduledRotation(key, ctx.now);
    if (key.secrets.some((s) => s.expires_at && Date.parse(s.expires_at) > ctx.now.getTime())) {
      throw portkeyError("AB07", "A previous key version is still in its transition period; try again after it expires");
    }
    const expiresAt = this.rotate(key, transition, ctx.now);
    return { body: { id: key.id, key: key.secrets[key.secrets.length - 1].value, key_transition_expires_at: expiresAt } };
  }

  /** Issues a new secret; the old one lives on for the transition. At most two live secrets. */
  private rotate(key: ApiKeyRecord, transitionMs: number, now: Date): string {
    const expiresAt = new Date(now.getTime() + transitionMs).toISOString();
    const current = key.secrets[key.secrets.length - 1];
    key.secrets = [{ value: current.value, expires_at: expiresAt }, { value: newSecret(), expires_at: null }];
    key.last_updated_at = now.toISOString();
    key.last_rotated_at = now.toISOString();
    return expiresAt;
  }

  /**
   * Server-side scheduled rotation: due when next_rotation_at has passed. A
   * periodic policy schedules the next one; a one-shot policy (only
   * next_rotation_at) keeps its other fields and reads next_rotation_at null.
   */
  applyScheduledRotation(key: ApiKeyRecord, now: Date): void {
    const policy = key.rotation_policy;
    if (!policy?.next_rotation_at || Date.parse(policy.next_rotation_at) > now.getTime()) return;
    this.rotate(key, policy.key_transition_period_ms ?? MIN_TRANSITION_MS, now);
    const period = policyPeriodMs(policy);
    policy.next_rotation_at = period ? new Date(now.getTime() + period).toISOString() : null;
  }

  /** Makes a key's scheduled rotation due now (control endpoint for tests). */
  forceScheduledRotation(id: string, now: Date): void {
    const key = this.findApiKey(id);
    key.rotation_policy ??= { rotation_period: "monthly", rotation_period_days: null, next_rotation_at: null, key_transition_period_ms: MIN_TRANSITION_MS };
    key.rotation_policy.next_rotation_at = now.toISOString();
    this.applyScheduledRotation(key, now);
  }

  private apiKeyJson(k: ApiKeyRecord, now: Date): Body {
    const stale = k.stale && k.stale.until > now.getTime() ? k.stale : undefined;
    const usage = stale ? stale.usage_limits : k.usage_limits;
    const current = k.secrets[k.secrets.length - 1].value;
    return {
      id: k.id,
      key: `${current.slice(0, 2)}*******${current.slice(-2)}`,
      name: k.name,
      description: k.description,
      type: `${k.type}-${k.sub_type}`,
      organisation_id: this.state().organisation_id,
      workspace_id: k.workspace_id,
      user_id: k.user_id,
      status: k.status,
      created_at: k.created_at,
      last_updated_at: k.last_updated_at,
      last_reset_at: k.last_reset_at,
      creation_mode: "api",
      rate_limits: (stale ? stale.rate_limits : k.rate_limits).map((r) => ({ ...r })),
      usage_limits: usage ? usageLimitJson(usage) : null,
      scopes: [...k.scopes],
      defaults: { metadata: structuredClone(k.metadata), config_id: k.config_id },
      allow_config_override: k.allow_config_override === null ? null : k.allow_config_override ? 1 : 0,
      alert_emails: [...k.alert_emails],
      expires_at: k.expires_at,
      rotation_policy: k.rotation_policy ? { ...k.rotation_policy, rotation_period_days: k.rotation_policy.rotation_period_days ?? null, status: "ACTIVE" } : null,
      // Named by a live client, not in the document.
      last_rotated_at: k.last_rotated_at ?? null,
      object: "api-key",
    };
  }

  private findApiKey(id: string): ApiKeyRecord {
    const key = this.state().api_keys[id];
    if (!key || key.deleted_at) throw portkeyError("AB08", `API key not found: ${id}`);
    return key;
  }

  private expiry(value: unknown, now: Date): string | null {
    if (value === null || value === undefined) return null;
    if (typeof value !== "string" || Number.isNaN(Date.parse(value))) throw portkeyError("AB01", "expires_at must be a date-time");
    if (Date.parse(value) <= now.getTime()) throw portkeyError("AB01", "expires_at must be in the future");
    return new Date(value).toISOString();
  }

  /**
   * A policy has exactly one of rotation_period, rotation_period_days
   * (backend 1.16.0+, not in the document) and next_rotation_at (a one-shot
   * rotation); the server computes next_rotation_at for the periodic ones.
   */
  private rotationPolicy(value: unknown, now: Date): ApiKeyRecord["rotation_policy"] {
    if (value === null || value === undefined) return null;
    if (!isObject(value)) throw portkeyError("AB01", "rotation_policy must be an object");
    const period = typeof value.rotation_period === "string" ? value.rotation_period : null;
    const next = typeof value.next_rotation_at === "string" ? value.next_rotation_at : null;
    const days = value.rotation_period_days ?? null;
    if (days !== null && (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > 365)) {
      throw portkeyError("AB01", "rotation_policy.rotation_period_days must be an integer from 1 to 365");
    }
    const given = [period && "rotation_period", days !== null && "rotation_period_days", next && "next_rotation_at"].filter(Boolean);
    if (given.length > 1) throw portkeyError("AB01", `rotation_policy: ${given.join(" and ")} are mutually exclusive`);
    if (given.length === 0) throw portkeyError("AB01", "rotation_policy needs rotation_period, rotation_period_days or next_rotation_at");
    if (next && Date.parse(next) <= now.getTime()) throw portkeyError("AB01", "rotation_policy.next_rotation_at must be in the future");
    const transition = typeof value.key_transition_period_ms === "number" ? value.key_transition_period_ms : null;
    const policy = { rotation_period: period, rotation_period_days: days as number | null, next_rotation_at: null, key_transition_period_ms: transition };
    const periodMs = policyPeriodMs(policy);
    if (periodMs !== undefined && transition !== null && transition >= periodMs) {
      throw portkeyError("AB01", "key_transition_period_ms must be shorter than the rotation period");
    }
    return { ...policy, next_rotation_at: next ? new Date(next).toISOString() : new Date(now.getTime() + (periodMs ?? 0)).toISOString() };
  }

  // -------------------------------------------------------------- integrations

  private createIntegration(ctx: Ctx): HandlerResult {
    const body = this.checkedBody(ctx);
    const workspaceGiven = optionalString(body, "workspace_id");
    const workspaceId = workspaceGiven ? this.findWorkspace(workspaceGiven).id : null;
    this.authorize(ctx, workspaceId ? "workspace_integrations.create" : "organisation_integrations.create", {
      workspaceId: workspaceId ?? undefined,
    });
    const name = requireString(body, "name", 1, 100);
    const slug = optionalString(body, "slug") ?? `${slugPart(name)}-${randomBytes(3).toString("hex")}`;
    if (this.state().integrations[slug]) throw portkeyError("AB07", `An integration with slug ${slug} already exists`);
    const now = ctx.now.toISOString();
    const aiProviderId = requireString(body, "ai_provider_id", 1, 100);
    const integration: IntegrationRecord = {
      id: randomUUID(),
      slug,
      name,
      ai_provider_id: aiProviderId,
      key: optionalString(body, "key") ?? null,
      description: optionalString(body, "description") ?? null,
      workspace_id: workspaceId,
      configurations: this.configurations(aiProviderId, body.configurations),
      global_workspace_access_settings: this.globalAccess(body.global_workspace_access_settings, "global_workspace_access_settings", ctx.now) ?? null,
      created_at: now,
      last_updated_at: now,
      access: {},
    };
    this.state().integrations[slug] = integration;
    return { body: { id: integration.id, slug } };
  }

  private listIntegrations(ctx: Ctx): HandlerResult {
    this.authorize(ctx, "organisation_integrations.list");
    const all = Object.values(this.state().integrations).sort((a, b) => a.created_at.localeCompare(b.created_at));
    const json = page(all, ctx.query, (i) => this.integrationJson(i, false));
    return { body: json };
  }

  private getIntegration(ctx: Ctx): HandlerResult {
    this.authorize(ctx, "organisation_integrations.read");
    return { body: this.integrationJson(this.findIntegration(ctx.params.slug), true) };
  }

  private updateIntegration(ctx: Ctx): HandlerResult {
    this.authorize(ctx, "organisation_integrations.update");
    const integration = this.findIntegration(ctx.params.slug);
    const body = this.checkedBody(ctx);
    if (body.name !== undefined) integration.name = requireString(body, "name", 1, 100);
    if (body.key !== undefined) integration.key = optionalString(body, "key") ?? null;
    if (body.description !== undefined) integration.description = optionalString(body, "description") ?? null;
    if (body.configurations !== undefined) integration.configurations = this.configurations(integration.ai_provider_id, body.configurations);
    const global = this.globalAccess(body.global_workspace_access_settings, "global_workspace_access_settings", ctx.now);
    if (global !== undefined) integration.global_workspace_access_settings = global;
    integration.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteIntegration(ctx: Ctx): HandlerResult {
    this.authorize(ctx, "organisation_integrations.delete");
    const integration = this.findIntegration(ctx.params.slug);
    delete this.state().integrations[integration.slug];
    return { body: {} };
  }

  private integrationJson(i: IntegrationRecord, detailed: boolean): Body {
    const json: Body = {
      id: i.id,
      organisation_id: this.state().organisation_id,
      ai_provider_id: i.ai_provider_id,
      name: i.name,
      status: "active",
      created_at: i.created_at,
      last_updated_at: i.last_updated_at,
      slug: i.slug,
      description: i.description,
      type: i.workspace_id ? "workspace" : "organisation",
      workspace_id: i.workspace_id ? this.state().workspaces[i.workspace_id]?.slug ?? i.workspace_id : null,
      object: "integration",
    };
    if (detailed) {
      Object.assign(json, {
        masked_key: i.key ? `${i.key.slice(0, 2)}*******${i.key.slice(-2)}` : null,
        global_workspace_access_settings: i.global_workspace_access_settings,
        allow_all_models: true,
        workspace_count: this.accessRows(i).filter((r) => r.enabled).length,
        secret_mappings: [],
      });
      // An integration created without configurations has none to show.
      if (i.configurations) json.configurations = maskedConfigurations(i.configurations);
    }
    return json;
  }

  private findIntegration(slug: string): IntegrationRecord {
    const integration = this.state().integrations[slug];
    if (!integration) throw portkeyError("AB08", `Integration not found: ${slug}`);
    return integration;
  }

  // ------------------------------------------------------ workspace access

  /**
   * The effective access rows: the stored per-workspace rows of live
   * workspaces, then, while global access is enabled, every other live
   * workspace (created later ones included) as an enabled row carrying the
   * global limits. A stored row, enabled or not, always wins over global access.
   */
  private accessRows(i: IntegrationRecord): AccessRow[] {
    const workspaces = this.state().workspaces;
    const live = (id: string) => workspaces[id] !== undefined && !workspaces[id].deleted_at;
    const rows = Object.values(i.access).filter((row) => live(row.workspace_id));
    const global = i.global_workspace_access_settings;
    if (!global?.enabled) return rows;
    const others = Object.values(workspaces)
      .filter((w) => !w.deleted_at && !i.access[w.id])
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
      .map((w): AccessRow => ({
        workspace_id: w.id,
        enabled: true,
        usage_limits: global.usage_limits ?? [],
        rate_limits: global.rate_limits ?? [],
        last_reset_at: null,
        stale: null,
      }));
    return [...rows, ...others];
  }

  private getWorkspaceAccess(ctx: Ctx): HandlerResult {
    this.authorize(ctx, "organisation_integrations.read");
    const integration = this.findIntegration(ctx.params.slug);
    const rows = this.accessRows(integration).map((row) => {
      const limits = this.visibleLimits(row, ctx.now);
      return {
        id: this.state().workspaces[row.workspace_id].slug,
        enabled: row.enabled,
        usage_limits: limits.usage_limits.map(usageLimitJson),
        rate_limits: limits.rate_limits.map((r) => ({ ...r })),
      };
    });
    return { body: { total: rows.length, workspaces: rows } };
  }

  private updateWorkspaceAccess(ctx: Ctx): HandlerResult {
    this.authorize(ctx, "organisation_integrations.update");
    const integration = this.findIntegration(ctx.params.slug);
    const body = this.checkedBody(ctx);
    const items = Array.isArray(body.workspaces) ? (body.workspaces as Body[]) : [];
    const topCreate = body.create_default_provider !== false;
    const topSlug = optionalString(body, "default_provider_slug");
    const providers = this.state().providers;

    // Validate the whole batch before changing anything: the API rejects it as one.
    const seen = new Set<string>();
    const plan = items.map((item, index) => {
      const where = `workspaces[${index}]`;
      const workspaceId = typeof item.id === "string" ? item.id : "";
      let workspace: WorkspaceRecord;
      try {
        workspace = this.findWorkspace(workspaceId);
      } catch {
        throw portkeyError("AB01", `${where}.id: workspace ${workspaceId} does not exist`);
      }
      if (seen.has(workspace.id)) throw portkeyError("AB01", `${where}.id: workspace ${workspaceId} is listed twice`);
      seen.add(workspace.id);
      const usage = this.limitsUpdate(item, "usage_limits", (v) => this.usageLimitList(v, ctx.now, 1, `${where}.usage_limits`));
      const rate = this.limitsUpdate(item, "rate_limits", (v) => rateLimitList(v, 1, `${where}.rate_limits`));
      const wantsProvider = item.enabled === true && (typeof item.create_default_provider === "boolean" ? item.create_default_provider : topCreate);
      const hasProvider = Object.values(providers).some((p) => p.workspace_id === workspace.id && p.integration_slug === integration.slug);
      const providerSlug = optionalString(item, "default_provider_slug") ?? topSlug ?? integration.slug;
      if (wantsProvider && !hasProvider && Object.values(providers).some((p) => p.workspace_id === workspace.id && p.slug === providerSlug)) {
        throw portkeyError("AB01", `${where}.default_provider_slug: a provider with slug ${providerSlug} already exists in the workspace`);
      }
      return { item, workspace, usage, rate, createProvider: wantsProvider && !hasProvider, providerSlug };
    });

    const global = this.globalAccess(body.global_workspace_access, "global_workspace_access", ctx.now);
    if (global !== undefined) integration.global_workspace_access_settings = global;
    if (body.override_existing_workspace_access === true) {
      for (const row of Object.values(integration.access)) {
        if (!seen.has(row.workspace_id)) row.enabled = false;
      }
    }
    for (const step of plan) {
      const row: AccessRow = (integration.access[step.workspace.id] ??= {
        workspace_id: step.workspace.id,
        enabled: false,
        usage_limits: [],
        rate_limits: [],
        last_reset_at: null,
        stale: null,
      });
      const before = { usage_limits: row.usage_limits, rate_limits: row.rate_limits };
      row.enabled = step.item.enabled === true;
      if (step.usage !== undefined) row.usage_limits = step.usage;
      if (step.rate !== undefined) row.rate_limits = step.rate;
      if (step.usage !== undefined || step.rate !== undefined) row.stale = this.staleFrom(before, ctx.now);
      if (step.item.reset_usage === true) row.last_reset_at = ctx.now.toISOString();
      if (step.createProvider) {
        const id = randomUUID();
        providers[id] = {
          id,
          slug: step.providerSlug,
          workspace_id: step.workspace.id,
          integration_slug: integration.slug,
          created_at: ctx.now.toISOString(),
        };
      }
    }
    integration.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  /**
   * Checks `configurations` against the document's schema for the provider
   * (the document's own oneOf refuses every object; see spec.ts).
   */
  private configurations(aiProviderId: string, value: unknown): Record<string, unknown> | null {
    if (value === undefined || value === null) return null;
    const problems = this.spec.checkConfigurations(aiProviderId, value);
    if (problems.length > 0) throw portkeyError("AB01", `Invalid request. ${problems.join("; ")}`);
    return structuredClone(value as Record<string, unknown>);
  }

  /** `GlobalWorkspaceAccess`; undefined when not in the body, null when sent as null. */
  private globalAccess(value: unknown, where: string, now: Date): GlobalAccessRecord | null | undefined {
    if (value === undefined) return undefined;
    if (value === null) return null;
    if (!isObject(value) || typeof value.enabled !== "boolean") throw portkeyError("AB01", `Invalid request. ${where}.enabled: is required and must be a boolean`);
    return {
      enabled: value.enabled,
      usage_limits: value.usage_limits ? this.usageLimitList(value.usage_limits, now, 1, `${where}.usage_limits`) ?? null : null,
      rate_limits: value.rate_limits ? rateLimitList(value.rate_limits, 1, `${where}.rate_limits`) ?? null : null,
    };
  }

  // ------------------------------------------------------------------- shared

  /** Checks the body against the official document, then returns it as an object. */
  private checkedBody(ctx: Ctx): Body {
    const body = ctx.body === undefined ? {} : ctx.body;
    if (!isObject(body)) throw portkeyError("AB01", "Invalid request. The body must be a JSON object.");
    const problems = this.spec.checkRequest(ctx.method, ctx.template, body);
    if (problems.length > 0) throw portkeyError("AB01", `Invalid request. ${problems.join("; ")}`);
    return body;
  }

  private allowed(ctx: Ctx, scope: string, workspaceId: string | null | undefined): boolean {
    if (ctx.principal.kind === "admin") return true;
    const key = ctx.principal.key;
    if (key.type === "workspace" && workspaceId !== undefined && workspaceId !== key.workspace_id) return false;
    return key.scopes.includes(scope);
  }

  private authorize(ctx: Ctx, scope: string, opts: { workspaceId?: string; organisationOnly?: boolean } = {}): void {
    if (ctx.principal.kind === "admin") return;
    const key = ctx.principal.key;
    if (opts.organisationOnly && key.type !== "organisation") {
      throw portkeyError("AB03", `This api key cannot perform this action: workspace keys cannot use ${scope}`);
    }
    if (!this.allowed(ctx, scope, opts.workspaceId)) {
      throw portkeyError("AB03", `You do not have the permission to perform this action (needs ${scope})`);
    }
  }

  /** `undefined`: not in the body, leave as is; `[]`: cleared. */
  private limitsUpdate<T>(body: Body, field: string, parse: (value: unknown) => T[] | undefined): T[] | undefined {
    if (!(field in body)) return undefined;
    const value = body[field];
    if (value === null) return [];
    if (Array.isArray(value) && value.length === 0 && !this.behaviour.emptyArrayClearsLimits) return undefined;
    return parse(value) ?? [];
  }

  private staleFrom(before: { usage_limits: UsageLimitRecord[]; rate_limits: RateLimitRecord[] }, now: Date) {
    return this.behaviour.staleReadMs > 0 ? { ...before, until: now.getTime() + this.behaviour.staleReadMs } : null;
  }

  private visibleLimits(record: { usage_limits: UsageLimitRecord[]; rate_limits: RateLimitRecord[]; stale: { usage_limits: UsageLimitRecord[]; rate_limits: RateLimitRecord[]; until: number } | null }, now: Date) {
    return record.stale && record.stale.until > now.getTime() ? record.stale : record;
  }

  private usageLimitList(value: unknown, now: Date, maxItems = 10, where = "usage_limits"): UsageLimitRecord[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw portkeyError("AB01", `${where} must be an array`);
    if (value.length > maxItems) throw portkeyError("AB01", `${where} allows at most ${maxItems} item(s)`);
    return value.map((item, i) => this.usageLimit(item, `${where}[${i}]`, now));
  }

  /** `apiKey`: the alert-below-credit rule is only known to be enforced for API keys. */
  private usageLimit(value: unknown, where: string, now: Date, apiKey = false): UsageLimitRecord {
    if (!isObject(value)) throw portkeyError("AB01", `${where} must be an object`);
    const periodic = typeof value.periodic_reset === "string" && value.periodic_reset !== "" ? value.periodic_reset : null;
    const days = typeof value.periodic_reset_days === "number" ? value.periodic_reset_days : null;
    if (periodic && days !== null) throw portkeyError("AB01", `${where}: periodic_reset and periodic_reset_days are mutually exclusive`);
    const credit = typeof value.credit_limit === "number" ? value.credit_limit : null;
    const alert = typeof value.alert_threshold === "number" ? value.alert_threshold : null;
    if (apiKey && credit !== null && alert !== null && alert > credit) {
      throw portkeyError("AB01", `${where}: alert_threshold must not exceed credit_limit`);
    }
    return {
      credit_limit: credit,
      // Live fills in no default: a limit created without a type reads back with type null.
      type: typeof value.type === "string" ? value.type : null,
      alert_threshold: alert,
      periodic_reset: periodic,
      periodic_reset_days: days,
      next_usage_reset_at: typeof value.next_usage_reset_at === "string" ? value.next_usage_reset_at : nextReset(periodic, days, now),
    };
  }
}

// ------------------------------------------------------------------- helpers

function isObject(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireString(body: Body, field: string, min: number, max: number): string {
  const value = body[field];
  if (typeof value !== "string") throw portkeyError("AB01", `Invalid request. ${field}: is required and must be a string`);
  if (value.trim().length < min || value.length > max) {
    throw portkeyError("AB01", `Invalid request. ${field}: must be ${min}-${max} characters`);
  }
  return value;
}

function optionalString(body: Body, field: string, min = 0, max = 10_000): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw portkeyError("AB01", `Invalid request. ${field}: must be a string`);
  if (value.length < min || value.length > max) throw portkeyError("AB01", `Invalid request. ${field}: must be at most ${max} characters`);
  return value;
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

/** The period of a rotation policy in ms; undefined for a one-shot policy. */
function policyPeriodMs(policy: Pick<RotationPolicyRecord, "rotation_period" | "rotation_period_days"> | null | undefined): number | undefined {
  if (!policy) return undefined;
  if (policy.rotation_period) return ROTATION_PERIOD_MS[policy.rotation_period];
  if (typeof policy.rotation_period_days === "number") return policy.rotation_period_days * DAY_MS;
  return undefined;
}

function scopeList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((s) => typeof s !== "string" || s === "")) {
    throw portkeyError("AB01", "Invalid request. scopes: must be a non-empty list of scope names");
  }
  return [...(value as string[])];
}

function rateLimitList(value: unknown, maxItems = 10, where = "rate_limits"): RateLimitRecord[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw portkeyError("AB01", `${where} must be an array`);
  if (value.length > maxItems) throw portkeyError("AB01", `${where} allows at most ${maxItems} item(s)`);
  return value.map((item, i) => {
    if (!isObject(item)) throw portkeyError("AB01", `${where}[${i}] must be an object`);
    // The document's minimum for API keys is 0; negatives are refused everywhere (a choice).
    if (typeof item.value !== "number" || item.value < 0) throw portkeyError("AB01", `${where}[${i}].value must be a number >= 0`);
    // No invented defaults: what was not sent reads back null, as live does for usage-limit types.
    return {
      type: typeof item.type === "string" ? item.type : null,
      unit: typeof item.unit === "string" ? item.unit : null,
      value: item.value,
    };
  });
}

/** Unset periodic_reset reads back as "" (a quirk seen live). */
function usageLimitJson(u: UsageLimitRecord): Body {
  return { ...u, periodic_reset: u.periodic_reset ?? "" };
}

function nextReset(periodic: string | null, days: number | null, now: Date): string | null {
  if (periodic === "monthly") return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
  if (periodic === "weekly") {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    d.setUTCDate(d.getUTCDate() + (7 - d.getUTCDay()));
    return d.toISOString();
  }
  if (days !== null) return new Date(now.getTime() + days * 86_400_000).toISOString();
  return null;
}

function page<T>(items: T[], query: URLSearchParams, toJson: (item: T) => unknown): { total: number; object: "list"; data: unknown[] } {
  const size = clampInt(query.get("page_size"), 100, 1, 1000);
  const current = clampInt(query.get("current_page"), 0, 0, 1_000_000);
  return { total: items.length, object: "list", data: items.slice(current * size, current * size + size).map(toJson) };
}

function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw portkeyError("AB01", `Invalid pagination value: ${raw}`);
  return n;
}

const LEADING_EMOJI = /^(\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic})*)\s+(.*)$/u;

/** A leading emoji in a name becomes the icon when no icon is given (a quirk seen live). */
function splitIcon(name: string, icon: string | undefined | null): { name: string; icon: string | null } {
  if (icon) return { name: name.startsWith(`${icon} `) ? name.slice(icon.length + 1) : name, icon };
  const match = LEADING_EMOJI.exec(name);
  return match ? { icon: match[1], name: match[2] } : { name, icon: null };
}

/** Secret-bearing configuration fields; the API returns them only masked, renamed `masked_<field>`. */
const SECRET_CONFIGURATION_FIELD = /(secret|service_account_json|access_key_id|token|password)/;

function maskedConfigurations(configurations: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(configurations)) {
    if (!SECRET_CONFIGURATION_FIELD.test(field)) result[field] = structuredClone(value);
    else result[`masked_${field}`] = typeof value === "string" && value.length > 4 ? `${value.slice(0, 2)}*******${value.slice(-2)}` : "*******";
  }
  return result;
}

function slugPart(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 24) || "ws";
}

function newSecret(): string {
  return randomBytes(24).toString("base64url");
}

/** API key responses print limit amounts as decimals (`10.0`), as the live API does. */
function withDecimalLimits(body: Body): string {
  return JSON.stringify(body).replace(/"(credit_limit|alert_threshold)":(-?\d+)(?=[,}])/g, '"$1":$2.0');
}
