/**
 * Portkey API keys, /api-keys: organisation and workspace keys, service and
 * user ones, their scopes and limits, secrets shown once, manual and
 * scheduled rotation with a transition period, and the keys as callers of
 * the API themselves.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { allowed, authorize, isObject, JsonObject, optionalString, page, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString } from "./common";
import { keptReset, rateLimitList, usageLimit, usageLimitJson } from "./limits";
import { ApiKeyRecord, RotationPolicyRecord } from "./state";

const MIN_TRANSITION_MS = 1_800_000;
const DAY_MS = 86_400_000;
const ROTATION_PERIOD_MS: Record<string, number> = { weekly: 7 * DAY_MS, monthly: 30 * DAY_MS };

/** The API key routes and their rules, and who a key's secret authenticates. */
export class PortkeyApiKeyRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /**
   * Resolves the x-portkey-api-key header to a principal, or throws 401 AB05.
   * `adminOrganisation` names the organisation of a configured admin key
   * (undefined: not one); a key created through the API acts in the
   * organisation it was created in.
   */
  authenticate(header: string | undefined, adminOrganisation: (key: string) => string | undefined, now: Date): PortkeyPrincipal {
    if (!header) throw portkeyError("AB05", "Unauthorised Request: missing x-portkey-api-key header");
    const admin = adminOrganisation(header);
    if (admin !== undefined) return { kind: "admin", organisation_id: admin };
    for (const organisation of this.shared.organisations()) {
      for (const key of Object.values(organisation.api_keys)) {
        if (key.deleted_at) continue;
        applyScheduledRotation(key, now);
        const live = key.secrets.some((s) => s.value === header && (!s.expires_at || Date.parse(s.expires_at) > now.getTime()));
        if (!live) continue;
        if (key.expires_at && Date.parse(key.expires_at) <= now.getTime()) break;
        return { kind: "key", key, organisation_id: organisation.organisation_id };
      }
    }
    throw portkeyError("AB05", "Unauthorised Request: invalid api key");
  }

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/api-keys/{type}/{sub-type}", (ctx) => this.createApiKey(ctx))
      .add("GET", "/api-keys", (ctx) => this.listApiKeys(ctx))
      .add("GET", "/api-keys/{id}", (ctx) => this.getApiKey(ctx))
      .add("PUT", "/api-keys/{id}", (ctx) => this.updateApiKey(ctx))
      .add("DELETE", "/api-keys/{id}", (ctx) => this.deleteApiKey(ctx))
      .add("POST", "/api-keys/{id}/rotate", (ctx) => this.rotateApiKey(ctx));
  }

  /** Makes a key's scheduled rotation due now (control endpoint for tests). */
  forceScheduledRotation(id: string, now: Date): void {
    const key = this.shared.organisations().map((o) => o.api_keys[id]).find((k) => k && !k.deleted_at);
    if (!key) throw portkeyError("AB08", `API key not found: ${id}`);
    key.rotation_policy ??= { rotation_period: "monthly", rotation_period_days: null, next_rotation_at: null, key_transition_period_ms: MIN_TRANSITION_MS };
    key.rotation_policy.next_rotation_at = now.toISOString();
    applyScheduledRotation(key, now);
  }

  private createApiKey(ctx: PortkeyRequest): HandlerResult {
    const type = ctx.params.type;
    const subType = ctx.params["sub-type"];
    if (type !== "organisation" && type !== "workspace") throw portkeyError("AB01", `Invalid api key type: ${type}`);
    if (subType !== "service" && subType !== "user") throw portkeyError("AB01", `Invalid api key sub-type: ${subType}`);
    if (type === "organisation" && subType === "user") {
      throw portkeyError("AB01", "Invalid api key type: organisation keys can only be service keys");
    }
    const body = this.shared.checkedBody(ctx);
    // "Taken from auth" (the document): naming another organisation finds nothing, as an unknown id does.
    const organisationId = optionalString(body, "organisation_id");
    if (organisationId !== undefined && organisationId !== this.shared.state(ctx).organisation_id) {
      throw portkeyError("AB08", `Organisation not found: ${organisationId}`);
    }
    let workspaceId: string | null = null;
    if (type === "workspace") {
      const given = optionalString(body, "workspace_id");
      if (!given) throw portkeyError("AB01", "workspace_id is required for workspace api keys");
      workspaceId = this.shared.findWorkspace(ctx, given).id;
    } else if (body.workspace_id !== undefined) {
      throw portkeyError("AB01", "workspace_id is not allowed for organisation api keys");
    }
    const userId = optionalString(body, "user_id") ?? null;
    if (subType === "user" && !userId) throw portkeyError("AB01", "user_id is required for user api keys");
    authorize(ctx, `${type}_${subType}_api_keys.create`, { workspaceId: workspaceId ?? undefined });
    const now = ctx.now.toISOString();
    const defaults = isObject(body.defaults) ? body.defaults : {};
    const staleReadMs = this.shared.behaviour.staleReadMs;
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
      usage_limits: body.usage_limits ? usageLimit(body.usage_limits, "usage_limits", ctx.now, true) : null,
      // Any JSON values, stored as given (the API does not stringify them).
      metadata: isObject(defaults.metadata) ? structuredClone(defaults.metadata) : {},
      config_id: typeof defaults.config_id === "string" ? defaults.config_id : null,
      allow_config_override: typeof defaults.allow_config_override === "boolean" ? defaults.allow_config_override : null,
      alert_emails: Array.isArray(body.alert_emails) ? (body.alert_emails as string[]) : [],
      expires_at: expiry(body.expires_at, ctx.now),
      rotation_policy: rotationPolicy(body.rotation_policy, ctx.now),
      secrets: [{ value: newSecret(), expires_at: null }],
      last_rotated_at: null,
      status: "active",
      created_at: now,
      last_updated_at: now,
      last_reset_at: null,
      deleted_at: null,
      // Live, limits set at create can be missing from reads for a while.
      stale: staleReadMs > 0 ? { usage_limits: null, rate_limits: [], until: ctx.now.getTime() + staleReadMs } : null,
    };
    this.shared.state(ctx).api_keys[key.id] = key;
    return { body: { id: key.id, key: key.secrets[0].value, object: "api-key" } };
  }

  private listApiKeys(ctx: PortkeyRequest): HandlerResult {
    const filter = ctx.query.get("workspace_id");
    const workspaceId = filter ? this.shared.findWorkspace(ctx, filter).id : undefined;
    let keys = Object.values(this.shared.state(ctx).api_keys).filter((k) => !k.deleted_at);
    if (workspaceId) keys = keys.filter((k) => k.workspace_id === workspaceId);
    keys = keys.filter((k) => allowed(ctx, `${k.type}_${k.sub_type}_api_keys.list`, k.workspace_id));
    keys.sort((a, b) => a.created_at.localeCompare(b.created_at));
    for (const key of keys) applyScheduledRotation(key, ctx.now);
    return { body: page(keys, ctx.query, (k) => this.apiKeyJson(k, ctx)), rawJson: undefined };
  }

  private getApiKey(ctx: PortkeyRequest): HandlerResult {
    const key = this.findApiKey(ctx, ctx.params.id);
    authorize(ctx, `${key.type}_${key.sub_type}_api_keys.read`, { workspaceId: key.workspace_id ?? undefined });
    applyScheduledRotation(key, ctx.now);
    const body = this.apiKeyJson(key, ctx);
    return { body, rawJson: withDecimalLimits(body) };
  }

  private updateApiKey(ctx: PortkeyRequest): HandlerResult {
    const key = this.findApiKey(ctx, ctx.params.id);
    authorize(ctx, `${key.type}_${key.sub_type}_api_keys.update`, { workspaceId: key.workspace_id ?? undefined });
    const body = this.shared.checkedBody(ctx);
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
      key.usage_limits = body.usage_limits === null ? null : keptReset(usageLimit(body.usage_limits, "usage_limits", ctx.now, true), key.usage_limits, body.usage_limits);
      limitsChanged = true;
    }
    const staleReadMs = this.shared.behaviour.staleReadMs;
    if (limitsChanged && staleReadMs > 0) {
      key.stale = { ...before, until: ctx.now.getTime() + staleReadMs };
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
    if (body.expires_at !== undefined) key.expires_at = expiry(body.expires_at, ctx.now);
    if (body.rotation_policy !== undefined) key.rotation_policy = rotationPolicy(body.rotation_policy, ctx.now);
    key.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteApiKey(ctx: PortkeyRequest): HandlerResult {
    const key = this.findApiKey(ctx, ctx.params.id);
    authorize(ctx, `${key.type}_${key.sub_type}_api_keys.delete`, { workspaceId: key.workspace_id ?? undefined });
    key.deleted_at = ctx.now.toISOString();
    return { body: {} };
  }

  private rotateApiKey(ctx: PortkeyRequest): HandlerResult {
    const key = this.findApiKey(ctx, ctx.params.id);
    const scope = `${key.type}_${key.sub_type}_api_keys`;
    // Sources disagree on the scope rotation needs; either is accepted.
    if (!allowed(ctx, `${scope}.rotate`, key.workspace_id) && !allowed(ctx, `${scope}.update`, key.workspace_id)) {
      throw portkeyError("AB03", `You do not have the permission to rotate this api key (needs ${scope}.rotate)`);
    }
    const body = isObject(ctx.body) ? this.shared.checkedBody(ctx) : {};
    const transition = body.key_transition_period_ms ?? key.rotation_policy?.key_transition_period_ms ?? MIN_TRANSITION_MS;
    if (typeof transition !== "number" || !Number.isInteger(transition) || transition < MIN_TRANSITION_MS) {
      throw portkeyError("AB01", `key_transition_period_ms must be an integer >= ${MIN_TRANSITION_MS}`);
    }
    const period = policyPeriodMs(key.rotation_policy);
    if (period !== undefined && transition >= period) {
      throw portkeyError("AB01", "key_transition_period_ms must be shorter than the rotation period");
    }
    applyScheduledRotation(key, ctx.now);
    if (key.secrets.some((s) => s.expires_at && Date.parse(s.expires_at) > ctx.now.getTime())) {
      throw portkeyError("AB07", "A previous key version is still in its transition period; try again after it expires");
    }
    const expiresAt = rotate(key, transition, ctx.now);
    return { body: { id: key.id, key: key.secrets[key.secrets.length - 1].value, key_transition_expires_at: expiresAt } };
  }

  private apiKeyJson(k: ApiKeyRecord, ctx: PortkeyRequest): JsonObject {
    const now = ctx.now;
    const stale = k.stale && k.stale.until > now.getTime() ? k.stale : undefined;
    const usage = stale ? stale.usage_limits : k.usage_limits;
    const current = k.secrets[k.secrets.length - 1].value;
    return {
      id: k.id,
      key: `${current.slice(0, 2)}*******${current.slice(-2)}`,
      name: k.name,
      description: k.description,
      type: `${k.type}-${k.sub_type}`,
      organisation_id: this.shared.state(ctx).organisation_id,
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

  /** In the caller's organisation only: another organisation's key is as unknown as a made-up id. */
  private findApiKey(ctx: PortkeyRequest, id: string): ApiKeyRecord {
    const key = this.shared.state(ctx).api_keys[id];
    if (!key || key.deleted_at) throw portkeyError("AB08", `API key not found: ${id}`);
    return key;
  }
}

/**
 * Server-side scheduled rotation: due when next_rotation_at has passed. A
 * periodic policy schedules the next one; a one-shot policy (only
 * next_rotation_at) keeps its other fields and reads next_rotation_at null.
 */
function applyScheduledRotation(key: ApiKeyRecord, now: Date): void {
  const policy = key.rotation_policy;
  if (!policy?.next_rotation_at || Date.parse(policy.next_rotation_at) > now.getTime()) return;
  rotate(key, policy.key_transition_period_ms ?? MIN_TRANSITION_MS, now);
  const period = policyPeriodMs(policy);
  policy.next_rotation_at = period ? new Date(now.getTime() + period).toISOString() : null;
}

/** Issues a new secret; the old one lives on for the transition. At most two live secrets. */
function rotate(key: ApiKeyRecord, transitionMs: number, now: Date): string {
  const expiresAt = new Date(now.getTime() + transitionMs).toISOString();
  const current = key.secrets[key.secrets.length - 1];
  key.secrets = [{ value: current.value, expires_at: expiresAt }, { value: newSecret(), expires_at: null }];
  key.last_updated_at = now.toISOString();
  key.last_rotated_at = now.toISOString();
  return expiresAt;
}

function expiry(value: unknown, now: Date): string | null {
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
function rotationPolicy(value: unknown, now: Date): ApiKeyRecord["rotation_policy"] {
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

function newSecret(): string {
  return randomBytes(24).toString("base64url");
}

/** API key responses print limit amounts as decimals (`10.0`), as the live API does. */
function withDecimalLimits(body: JsonObject): string {
  return JSON.stringify(body).replace(/"(credit_limit|alert_threshold)":(-?\d+)(?=[,}])/g, '"$1":$2.0');
}
