/**
 * OpenRouter API keys, /keys: inference keys made by management keys, each in
 * a workspace, with a spending limit, an optional expiry and an optional
 * external user; only their hash names them after the create answer. Also
 * who a bearer token authenticates: management keys only.
 */
import { randomBytes } from "node:crypto";
import { HandlerResult, Router } from "../router";
import { findWorkspace, JsonObject, nullableString, objectBody, OpenRouterPrincipal, OpenRouterRequest, openrouterError, paging, requiredString, sha256 } from "./common";
import { ORGANIZATION_ID } from "./common";
import { OpenRouterKeyRecord, OpenRouterState, OpenRouterWorkspaceRecord } from "./state";

const UTC_WITH_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The key routes and their rules, and who a bearer token authenticates. */
export class OpenRouterKeyRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Bearer management keys only; keys made through /keys are inference keys and get 403. */
  authenticate(header: string | undefined, managementKeys: readonly string[]): OpenRouterPrincipal {
    const token = header?.startsWith("Bearer ") ? header.slice(7) : undefined;
    if (!token) throw openrouterError(401, "Missing Authentication header");
    if (managementKeys.includes(token)) return { kind: "management" };
    const hash = sha256(token);
    const key = this.state().keys[hash];
    if (key && !key.deleted_at && !key.disabled) throw openrouterError(403, "Only management keys can perform this operation");
    throw openrouterError(401, "User not found.");
  }

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/keys", (ctx) => this.listKeys(ctx))
      .add("POST", "/keys", (ctx) => this.createKey(ctx))
      .add("GET", "/keys/{hash}", (ctx) => ({ body: { data: keyJson(this.findKey(ctx.params.hash)) } }))
      .add("PATCH", "/keys/{hash}", (ctx) => this.updateKey(ctx))
      .add("DELETE", "/keys/{hash}", (ctx) => this.deleteKey(ctx))
      .add("GET", "/key", () => ({ body: { data: currentKeyJson() } }));
  }

  private listKeys(ctx: OpenRouterRequest): HandlerResult {
    const offset = paging(ctx.query, 100, 100).offset;
    const includeDisabled = ctx.query.get("include_disabled") === "true";
    const workspaceFilter = ctx.query.get("workspace_id");
    const workspaceId = workspaceFilter ? findWorkspace(this.state(), workspaceFilter).id : this.defaultWorkspace().id;
    const keys = Object.values(this.state().keys)
      .filter((k) => !k.deleted_at && k.workspace_id === workspaceId && (includeDisabled || !k.disabled))
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
    return { body: { data: keys.slice(offset, offset + 100).map(keyJson) } };
  }

  private createKey(ctx: OpenRouterRequest): HandlerResult {
    const body = objectBody(ctx);
    // The create body has no `disabled` (docs); refusing it, rather than ignoring it, is a choice.
    if ("disabled" in body) throw openrouterError(400, "disabled cannot be set on create");
    const external = externalUser(body.external);
    const workspaceId = body.workspace_id === undefined ? this.defaultWorkspace().id : this.keyWorkspace(body.workspace_id);
    const secret = `sk-or-v1-${randomBytes(32).toString("hex")}`;
    const now = ctx.now.toISOString();
    const key: OpenRouterKeyRecord = {
      hash: sha256(secret),
      secret,
      name: requiredString(body, "name", 1),
      disabled: false,
      limit: null,
      limit_reset: null,
      include_byok_in_limit: false,
      expires_at: expiry(body.expires_at, ctx.now),
      workspace_id: workspaceId,
      creator_user_id: body.creator_user_id === undefined ? null : nullableString(body, "creator_user_id", 1),
      external_user: external?.user ?? null,
      external_api_key_hash: external?.apiKeyHash ?? null,
      created_at: now,
      updated_at: null,
      deleted_at: null,
    };
    applyKeyFields(key, body);
    this.state().keys[key.hash] = key;
    return { status: 201, body: { data: keyJson(key), key: secret } };
  }

  private updateKey(ctx: OpenRouterRequest): HandlerResult {
    const key = this.findKey(ctx.params.hash);
    const body = objectBody(ctx);
    // Create-only fields (docs); refusing them on PATCH, rather than ignoring them, is a choice.
    for (const field of ["expires_at", "creator_user_id", "external"]) {
      if (field in body) throw openrouterError(400, `${field} cannot be changed after creation`);
    }
    // S3 (`openrouter` 1.3.84): workspace_id moves the key, which keeps its value and its guardrail; the current one is a no-op.
    const moveTo = body.workspace_id === undefined ? undefined : this.keyWorkspace(body.workspace_id);
    if (body.name !== undefined) key.name = requiredString(body, "name", 1);
    if (body.disabled !== undefined) {
      if (typeof body.disabled !== "boolean") throw openrouterError(400, "disabled must be a boolean");
      key.disabled = body.disabled;
    }
    applyKeyFields(key, body);
    if (moveTo !== undefined) key.workspace_id = moveTo;
    key.updated_at = ctx.now.toISOString();
    return { body: { data: keyJson(key) } };
  }

  private deleteKey(ctx: OpenRouterRequest): HandlerResult {
    const key = this.findKey(ctx.params.hash);
    key.deleted_at = ctx.now.toISOString();
    return { body: { deleted: true } };
  }

  private findKey(hash: string): OpenRouterKeyRecord {
    const key = this.state().keys[hash];
    if (!key || key.deleted_at) throw openrouterError(404, "API key not found");
    return key;
  }

  private keyWorkspace(value: unknown): string {
    if (typeof value !== "string" || !UUID.test(value)) throw openrouterError(400, "workspace_id must be a UUID");
    return findWorkspace(this.state(), value).id;
  }

  private defaultWorkspace(): OpenRouterWorkspaceRecord {
    const found = Object.values(this.state().workspaces).find((w) => w.is_default && !w.deleted_at);
    if (!found) throw openrouterError(400, "The account has no default workspace");
    return found;
  }
}

/** Sets the limit settings a create or PATCH body names, each checked; what it does not name stays. */
function applyKeyFields(key: OpenRouterKeyRecord, body: JsonObject): void {
  if (body.limit !== undefined) {
    // The document sets no minimum; a negative USD limit is refused as a choice.
    if (body.limit !== null && (typeof body.limit !== "number" || body.limit < 0)) throw openrouterError(400, "limit must be a number >= 0 or null");
    key.limit = body.limit as number | null;
  }
  if (body.limit_reset !== undefined) {
    if (body.limit_reset !== null && !["daily", "weekly", "monthly"].includes(body.limit_reset as string)) {
      throw openrouterError(400, "limit_reset must be daily, weekly, monthly or null");
    }
    key.limit_reset = body.limit_reset as string | null;
  }
  if (body.include_byok_in_limit !== undefined) {
    if (typeof body.include_byok_in_limit !== "boolean") throw openrouterError(400, "include_byok_in_limit must be a boolean");
    key.include_byok_in_limit = body.include_byok_in_limit;
  }
}

/** A key as the API answers it: never its secret, only a label made from it. */
function keyJson(k: OpenRouterKeyRecord): JsonObject {
  return {
    hash: k.hash,
    name: k.name,
    label: `${k.secret.slice(0, 12)}...${k.secret.slice(-4)}`,
    disabled: k.disabled,
    limit: k.limit,
    limit_remaining: k.limit,
    limit_reset: k.limit_reset,
    include_byok_in_limit: k.include_byok_in_limit,
    usage: 0,
    usage_daily: 0,
    usage_weekly: 0,
    usage_monthly: 0,
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
    created_at: k.created_at,
    updated_at: k.updated_at,
    expires_at: k.expires_at,
    workspace_id: k.workspace_id,
    creator_user_id: k.creator_user_id,
    external_user: k.external_user ?? null,
    // No traffic reaches the emulator: a key is never used.
    last_used_at: null,
  };
}

/**
 * `GET /key` for the management key making the call (S3's GetCurrentKeyData):
 * no limit, no usage, no budgets, in no workspace.
 */
function currentKeyJson(): JsonObject {
  return {
    label: "management",
    is_management_key: true,
    is_provisioning_key: true,
    is_free_tier: false,
    limit: null,
    limit_remaining: null,
    limit_reset: null,
    include_byok_in_limit: false,
    usage: 0,
    usage_daily: 0,
    usage_weekly: 0,
    usage_monthly: 0,
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
    budgets: [],
    effective_budget: null,
    allowed_data_regions: ["global", "europe", "us"],
    free_model_daily_requests: { limit: 0, remaining: 0, used: 0 },
    rate_limit: { interval: "10s", note: "This field is deprecated and safe to ignore.", requests: -1 },
    creator_user_id: null,
    organization_id: ORGANIZATION_ID,
    workspace_id: null,
    expires_at: null,
  };
}

/** `external: { user, api_key? }` (@openrouter/sdk 1.3.19): the partner's end user and optional own key. */
function externalUser(value: unknown): { user: string; apiKeyHash: string | null } | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw openrouterError(400, "external must be an object with a user");
  const external = value as JsonObject;
  if (typeof external.user !== "string") throw openrouterError(400, "external.user is required and must be a string");
  if (external.api_key === undefined) return { user: external.user, apiKeyHash: null };
  // Documented: at least 32 characters "with enough entropy"; only the length is checked here.
  if (typeof external.api_key !== "string" || external.api_key.length < 32) throw openrouterError(400, "external.api_key must be a string of at least 32 characters");
  return { user: external.user, apiKeyHash: sha256(external.api_key) };
}

/** `expires_at`: a future UTC timestamp with seconds, as the docs require. */
function expiry(value: unknown, now: Date): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || !UTC_WITH_SECONDS.test(value)) throw openrouterError(400, "expires_at must be a UTC timestamp with seconds, e.g. 2027-01-31T00:00:00Z");
  if (Date.parse(value) <= now.getTime()) throw openrouterError(400, "expires_at must be in the future");
  return value;
}
