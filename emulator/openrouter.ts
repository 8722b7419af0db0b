/**
 * OpenRouter's workspaces and API-key management endpoints as the emulator
 * serves them under /api/v1: bearer auth with management keys, errors as
 * {"error": {"code", "message"}}, offset/limit paging, 201 on create,
 * {"deleted": true} on delete. Bounds are the documented ones only (the
 * OpenAPI document, the @openrouter/sdk types and the docs pages); every
 * choice beyond them is listed in the README's OpenRouter fidelity table.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { EmulatedApiError } from "./errors";
import { HandlerResult, RequestContext, Router } from "./router";

export interface OpenRouterWorkspaceRecord {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  default_text_model: string | null;
  default_image_model: string | null;
  default_provider_sort: string | null;
  io_logging_api_key_ids: number[] | null;
  io_logging_sampling_rate: number;
  is_data_discount_logging_enabled: boolean;
  is_observability_broadcast_enabled: boolean;
  is_observability_io_logging_enabled: boolean;
  default_guardrail_id: string;
  /** Read-only here (set through the budgets endpoint, not emulated); absent in older state files. */
  include_byok_in_budgets?: boolean;
  /** Server tools requests in the workspace may not call; null: none. Absent in older state files. */
  disabled_server_tools?: string[] | null;
  created_at: string;
  updated_at: string | null;
  created_by: string | null;
  is_default: boolean;
  deleted_at: string | null;
}

export interface OpenRouterKeyRecord {
  hash: string;
  secret: string;
  name: string;
  disabled: boolean;
  limit: number | null;
  limit_reset: string | null;
  include_byok_in_limit: boolean;
  expires_at: string | null;
  workspace_id: string;
  creator_user_id: string | null;
  /** `external.user` of the create request; absent in older state files. */
  external_user?: string | null;
  /** SHA-256 of `external.api_key`; stored, never returned, used for nothing else. */
  external_api_key_hash?: string | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
}

export interface OpenRouterState {
  workspaces: Record<string, OpenRouterWorkspaceRecord>;
  keys: Record<string, OpenRouterKeyRecord>;
}

export type OpenRouterPrincipal = { kind: "management" };
type Ctx = RequestContext<OpenRouterPrincipal>;
type Body = Record<string, unknown>;

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const UTC_WITH_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function emptyOpenRouterState(): OpenRouterState {
  const workspace = newWorkspace("Default", "default", true, new Date().toISOString());
  return { workspaces: { [workspace.id]: workspace }, keys: {} };
}

/** A workspace with OpenRouter's defaults for every setting. */
function newWorkspace(name: string, slug: string, isDefault: boolean, now: string): OpenRouterWorkspaceRecord {
  const id = randomUUID();
  return {
    id,
    name,
    slug,
    description: null,
    default_text_model: null,
    default_image_model: null,
    default_provider_sort: null,
    io_logging_api_key_ids: null,
    io_logging_sampling_rate: 1,
    is_data_discount_logging_enabled: false,
    is_observability_broadcast_enabled: false,
    is_observability_io_logging_enabled: false,
    default_guardrail_id: guardrailIdFor(id),
    include_byok_in_budgets: false,
    disabled_server_tools: null,
    created_at: now,
    updated_at: null,
    created_by: null,
    is_default: isDefault,
    deleted_at: null,
  };
}

function error(status: number, message: string): EmulatedApiError {
  return new EmulatedApiError(status, String(status), message);
}

export class OpenRouterApi {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Bearer management keys only; keys made through /keys are inference keys and get 403. */
  authenticate(header: string | undefined, managementKeys: readonly string[]): OpenRouterPrincipal {
    const token = header?.startsWith("Bearer ") ? header.slice(7) : undefined;
    if (!token) throw error(401, "Missing Authentication header");
    if (managementKeys.includes(token)) return { kind: "management" };
    const hash = sha256(token);
    const key = this.state().keys[hash];
    if (key && !key.deleted_at && !key.disabled) throw error(403, "Only management keys can perform this operation");
    throw error(401, "User not found.");
  }

  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/workspaces", (ctx) => this.listWorkspaces(ctx))
      .add("POST", "/workspaces", (ctx) => this.createWorkspace(ctx))
      .add("GET", "/workspaces/{id}", (ctx) => ({ body: { data: workspaceJson(this.findWorkspace(ctx.params.id)) } }))
      .add("PATCH", "/workspaces/{id}", (ctx) => this.updateWorkspace(ctx))
      .add("DELETE", "/workspaces/{id}", (ctx) => this.deleteWorkspace(ctx))
      .add("GET", "/keys", (ctx) => this.listKeys(ctx))
      .add("POST", "/keys", (ctx) => this.createKey(ctx))
      .add("GET", "/keys/{hash}", (ctx) => ({ body: { data: keyJson(this.findKey(ctx.params.hash)) } }))
      .add("PATCH", "/keys/{hash}", (ctx) => this.updateKey(ctx))
      .add("DELETE", "/keys/{hash}", (ctx) => this.deleteKey(ctx))
      .add("GET", "/key", () => ({ body: { data: { label: "management", is_management_key: true, is_provisioning_key: true } } }));
  }

  // ------------------------------------------------------------- workspaces

  private listWorkspaces(ctx: Ctx): HandlerResult {
    const { offset, limit } = paging(ctx.query, 50, 100);
    const all = Object.values(this.state().workspaces)
      .filter((w) => !w.deleted_at)
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    return { body: { data: all.slice(offset, offset + limit).map(workspaceJson), total_count: all.length } };
  }

  private createWorkspace(ctx: Ctx): HandlerResult {
    const body = objectBody(ctx);
    const workspace = newWorkspace(requiredString(body, "name", 1, 100), this.freeSlug(requiredString(body, "slug", 1, 50)), false, ctx.now.toISOString());
    applyWorkspaceFields(workspace, body);
    this.state().workspaces[workspace.id] = workspace;
    return { status: 201, body: { data: workspaceJson(workspace) } };
  }

  private updateWorkspace(ctx: Ctx): HandlerResult {
    const workspace = this.findWorkspace(ctx.params.id);
    const body = objectBody(ctx);
    if (body.name !== undefined) workspace.name = requiredString(body, "name", 1, 100);
    if (body.slug !== undefined) {
      const slug = requiredString(body, "slug", 1, 50);
      if (slug !== workspace.slug) workspace.slug = this.freeSlug(slug);
    }
    applyWorkspaceFields(workspace, body);
    workspace.updated_at = ctx.now.toISOString();
    return { body: { data: workspaceJson(workspace) } };
  }

  private deleteWorkspace(ctx: Ctx): HandlerResult {
    const workspace = this.findWorkspace(ctx.params.id);
    if (workspace.is_default && ctx.query.get("confirm_default_workspace_deletion") !== "true") {
      throw error(403, "The default workspace can only be deleted with confirm_default_workspace_deletion=true");
    }
    // Docs: "workspaces with active API keys cannot be deleted; remove the keys first". Whether a
    // disabled key is "active" is not stated; counting it (strict: delete every key first) is a choice.
    const remaining = Object.values(this.state().keys).filter((k) => k.workspace_id === workspace.id && !k.deleted_at);
    if (remaining.length > 0) {
      throw error(400, `Workspace has ${remaining.length} API key(s), disabled ones included; delete them before deleting the workspace`);
    }
    workspace.deleted_at = ctx.now.toISOString();
    return { body: { deleted: true } };
  }

  private findWorkspace(idOrSlug: string): OpenRouterWorkspaceRecord {
    const all = this.state().workspaces;
    const found = all[idOrSlug] ?? Object.values(all).find((w) => w.slug === idOrSlug && !w.deleted_at);
    if (!found || found.deleted_at) throw error(404, "Workspace not found");
    return found;
  }

  private freeSlug(slug: string): string {
    if (!SLUG.test(slug)) throw error(400, "slug must match ^[a-z0-9]+(?:-[a-z0-9]+)*$");
    if (Object.values(this.state().workspaces).some((w) => w.slug === slug && !w.deleted_at)) {
      throw error(400, `A workspace with slug '${slug}' already exists`);
    }
    return slug;
  }

  // ------------------------------------------------------------------- keys

  private listKeys(ctx: Ctx): HandlerResult {
    const offset = paging(ctx.query, 100, 100).offset;
    const includeDisabled = ctx.query.get("include_disabled") === "true";
    const workspaceFilter = ctx.query.get("workspace_id");
    const workspaceId = workspaceFilter ? this.findWorkspace(workspaceFilter).id : this.defaultWorkspace().id;
    const keys = Object.values(this.state().keys)
      .filter((k) => !k.deleted_at && k.workspace_id === workspaceId && (includeDisabled || !k.disabled))
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
    return { body: { data: keys.slice(offset, offset + 100).map(keyJson) } };
  }

  private createKey(ctx: Ctx): HandlerResult {
    const body = objectBody(ctx);
    // The create body has no `disabled` (docs); refusing it, rather than ignoring it, is a choice.
    if ("disabled" in body) throw error(400, "disabled cannot be set on create");
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

  private updateKey(ctx: Ctx): HandlerResult {
    const key = this.findKey(ctx.params.hash);
    const body = objectBody(ctx);
    // Create-only fields (docs); refusing them on PATCH, rather than ignoring them, is a choice.
    for (const field of ["workspace_id", "expires_at", "creator_user_id", "external"]) {
      if (field in body) throw error(400, `${field} cannot be changed after creation`);
    }
    if (body.name !== undefined) key.name = requiredString(body, "name", 1);
    if (body.disabled !== undefined) {
      if (typeof body.disabled !== "boolean") throw error(400, "disabled must be a boolean");
      key.disabled = body.disabled;
    }
    applyKeyFields(key, body);
    key.updated_at = ctx.now.toISOString();
    return { body: { data: keyJson(key) } };
  }

  private deleteKey(ctx: Ctx): HandlerResult {
    const key = this.findKey(ctx.params.hash);
    key.deleted_at = ctx.now.toISOString();
    return { body: { deleted: true } };
  }

  private findKey(hash: string): OpenRouterKeyRecord {
    const key = this.state().keys[hash];
    if (!key || key.deleted_at) throw error(404, "API key not found");
    return key;
  }

  private keyWorkspace(value: unknown): string {
    if (typeof value !== "string" || !UUID.test(value)) throw error(400, "workspace_id must be a UUID");
    return this.findWorkspace(value).id;
  }

  private defaultWorkspace(): OpenRouterWorkspaceRecord {
    const found = Object.values(this.state().workspaces).find((w) => w.is_default && !w.deleted_at);
    if (!found) throw error(400, "The account has no default workspace");
    return found;
  }
}

function applyWorkspaceFields(workspace: OpenRouterWorkspaceRecord, body: Body): void {
  if (body.description !== undefined) workspace.description = nullableString(body, "description", 0, 500);
  if (body.default_text_model !== undefined) workspace.default_text_model = nullableString(body, "default_text_model");
  if (body.default_image_model !== undefined) workspace.default_image_model = nullableString(body, "default_image_model");
  // A free string: the docs list price, throughput, latency and exacto, the document has no enum.
  if (body.default_provider_sort !== undefined) workspace.default_provider_sort = nullableString(body, "default_provider_sort");
  if (body.disabled_server_tools !== undefined) {
    const tools = body.disabled_server_tools;
    // An open enum (the SDK passes unknown values through), so any tool name is kept.
    if (tools !== null && (!Array.isArray(tools) || tools.some((t) => typeof t !== "string" || t === ""))) {
      throw error(400, "disabled_server_tools must be a list of server tool names, or null");
    }
    workspace.disabled_server_tools = tools === null ? null : [...(tools as string[])];
  }
  if (body.io_logging_api_key_ids !== undefined) {
    const ids = body.io_logging_api_key_ids;
    if (ids !== null && (!Array.isArray(ids) || ids.some((n) => !Number.isInteger(n)))) throw error(400, "io_logging_api_key_ids must be a list of integers or null");
    workspace.io_logging_api_key_ids = ids as number[] | null;
  }
  if (body.io_logging_sampling_rate !== undefined) {
    const rate = body.io_logging_sampling_rate;
    // The range is stated in the field's description (the schema has no bounds).
    if (typeof rate !== "number" || rate < 0.0001 || rate > 1) throw error(400, "io_logging_sampling_rate must be between 0.0001 and 1");
    workspace.io_logging_sampling_rate = rate;
  }
  for (const flag of ["is_data_discount_logging_enabled", "is_observability_broadcast_enabled", "is_observability_io_logging_enabled"] as const) {
    if (body[flag] === undefined) continue;
    if (typeof body[flag] !== "boolean") throw error(400, `${flag} must be a boolean`);
    workspace[flag] = body[flag] as boolean;
  }
}

function applyKeyFields(key: OpenRouterKeyRecord, body: Body): void {
  if (body.limit !== undefined) {
    // The document sets no minimum; a negative USD limit is refused as a choice.
    if (body.limit !== null && (typeof body.limit !== "number" || body.limit < 0)) throw error(400, "limit must be a number >= 0 or null");
    key.limit = body.limit as number | null;
  }
  if (body.limit_reset !== undefined) {
    if (body.limit_reset !== null && !["daily", "weekly", "monthly"].includes(body.limit_reset as string)) {
      throw error(400, "limit_reset must be daily, weekly, monthly or null");
    }
    key.limit_reset = body.limit_reset as string | null;
  }
  if (body.include_byok_in_limit !== undefined) {
    if (typeof body.include_byok_in_limit !== "boolean") throw error(400, "include_byok_in_limit must be a boolean");
    key.include_byok_in_limit = body.include_byok_in_limit;
  }
}

function workspaceJson(w: OpenRouterWorkspaceRecord): Body {
  return {
    id: w.id,
    name: w.name,
    slug: w.slug,
    description: w.description,
    default_text_model: w.default_text_model,
    default_image_model: w.default_image_model,
    default_provider_sort: w.default_provider_sort,
    is_observability_io_logging_enabled: w.is_observability_io_logging_enabled,
    is_observability_broadcast_enabled: w.is_observability_broadcast_enabled,
    is_data_discount_logging_enabled: w.is_data_discount_logging_enabled,
    io_logging_sampling_rate: w.io_logging_sampling_rate,
    io_logging_api_key_ids: w.io_logging_api_key_ids,
    default_guardrail_id: w.default_guardrail_id,
    include_byok_in_budgets: w.include_byok_in_budgets ?? false,
    disabled_server_tools: w.disabled_server_tools === undefined || w.disabled_server_tools === null ? null : [...w.disabled_server_tools],
    created_at: w.created_at,
    updated_at: w.updated_at,
    created_by: w.created_by,
  };
}

function keyJson(k: OpenRouterKeyRecord): Body {
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
  };
}

function objectBody(ctx: Ctx): Body {
  const body = ctx.body ?? {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw error(400, "The request body must be a JSON object");
  return body as Body;
}

function requiredString(body: Body, field: string, min: number, max = Infinity): string {
  const value = body[field];
  if (typeof value !== "string" || value.length < min || value.length > max) throw error(400, `${field} must be a string of ${lengths(min, max)}`);
  return value;
}

function nullableString(body: Body, field: string, min = 0, max = Infinity): string | null {
  const value = body[field];
  if (value === null) return null;
  if (typeof value !== "string" || value.length < min || value.length > max) throw error(400, `${field} must be a string of ${lengths(min, max)}, or null`);
  return value;
}

function lengths(min: number, max: number): string {
  return max === Infinity ? `at least ${min} character(s)` : `${min}-${max} characters`;
}

/** `external: { user, api_key? }` (@openrouter/sdk 1.3.19): the partner's end user and optional own key. */
function externalUser(value: unknown): { user: string; apiKeyHash: string | null } | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw error(400, "external must be an object with a user");
  const external = value as Body;
  if (typeof external.user !== "string") throw error(400, "external.user is required and must be a string");
  if (external.api_key === undefined) return { user: external.user, apiKeyHash: null };
  // Documented: at least 32 characters "with enough entropy"; only the length is checked here.
  if (typeof external.api_key !== "string" || external.api_key.length < 32) throw error(400, "external.api_key must be a string of at least 32 characters");
  return { user: external.user, apiKeyHash: sha256(external.api_key) };
}

function expiry(value: unknown, now: Date): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || !UTC_WITH_SECONDS.test(value)) throw error(400, "expires_at must be a UTC timestamp with seconds, e.g. 2027-01-31T00:00:00Z");
  if (Date.parse(value) <= now.getTime()) throw error(400, "expires_at must be in the future");
  return value;
}

function paging(query: URLSearchParams, defaultLimit: number, maxLimit: number): { offset: number; limit: number } {
  const offset = query.get("offset") ? Number(query.get("offset")) : 0;
  const limit = query.get("limit") ? Number(query.get("limit")) : defaultLimit;
  if (!Number.isInteger(offset) || offset < 0) throw error(400, "offset must be an integer >= 0");
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw error(400, `limit must be an integer from 1 to ${maxLimit}`);
  return { offset, limit };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Derived from the workspace id, as OpenRouter derives it. */
function guardrailIdFor(workspaceId: string): string {
  const hex = sha256(`guardrail:${workspaceId}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
