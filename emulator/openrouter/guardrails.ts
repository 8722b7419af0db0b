/**
 * OpenRouter guardrails, /guardrails: spending, model, provider, data-retention
 * and content rules, each guardrail in a workspace (or legacy/global with a
 * null workspace); every workspace's default guardrail, materialised by its
 * first PATCH; and the assignments of guardrails to API keys (by hash) and
 * organisation members (by user id), which only bulk endpoints change.
 *
 * Sources: the OpenAPI document (S1) and what the official Terraform provider
 * learned (TFOR), as summarised in openrouter-api-more.md §1–3. Where they
 * disagree, or nothing is documented, the choice is named in a comment and in
 * docs/emulator.md's OpenRouter fidelity table.
 */
import { randomUUID } from "node:crypto";
import { HandlerResult, Router } from "../router";
import { findWorkspace, JsonObject, nullableString, ORGANIZATION_ID, objectBody, OpenRouterPrincipal, OpenRouterRequest, openrouterError, paging, requiredString } from "./common";
import { DATA_REGIONS } from "./scope";
import {
  OpenRouterBuiltinFilter,
  OpenRouterContentFilter,
  OpenRouterGuardrailKeyAssignmentRecord,
  OpenRouterGuardrailMemberAssignmentRecord,
  OpenRouterGuardrailRecord,
  OpenRouterState,
  OpenRouterWorkspaceRecord,
} from "./state";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESET_INTERVALS = ["daily", "weekly", "monthly"];
const FILTER_ACTIONS = ["redact", "block", "flag"];
const SCAN_SCOPES = ["user_only", "all_messages"];
const ZDR_GROUPS = ["enforce_zdr_anthropic", "enforce_zdr_openai", "enforce_zdr_google", "enforce_zdr_xai", "enforce_zdr_other"] as const;
const POLICY_FLAGS = [
  "enable_free_model_publication",
  "enable_free_model_training",
  "enable_paid_model_training",
  // S3 (`openrouter` 1.3.84): nullable; null inherits the account setting.
  "allow_safety_retention_google",
  "allow_safety_retention_other",
] as const;
const ID_LISTS = ["allowed_providers", "ignored_providers"] as const;
const MODEL_LISTS = ["allowed_models", "ignored_models"] as const;

/** Built-in detectors and the label the server gives each (`secrets` is TFOR only). */
const BUILTIN_LABELS: Record<string, string> = {
  email: "[EMAIL]",
  phone: "[PHONE]",
  ssn: "[SSN]",
  "credit-card": "[CREDIT_CARD]",
  "ip-address": "[IP_ADDRESS]",
  "person-name": "[PERSON_NAME]",
  address: "[ADDRESS]",
  "regex-prompt-injection": "[PROMPT_INJECTION]",
  secrets: "[SECRET]",
};

/**
 * A few model slugs and their canonical slugs. Guardrails take either and
 * answer with the canonical one (S1); this small, illustrative catalogue
 * stands for OpenRouter's: slugs not in it are kept as given.
 */
export const CANONICAL_MODEL_SLUGS: Record<string, string> = {
  "openai/gpt-4o": "openai/gpt-4o-2024-05-13",
  "openai/gpt-4o-mini": "openai/gpt-4o-mini-2024-07-18",
  "anthropic/claude-3.5-sonnet": "anthropic/claude-3.5-sonnet-20240620",
  "google/gemini-2.0-flash-001": "google/gemini-2.0-flash-001",
};

/** The guardrail and assignment routes and their rules. */
export class OpenRouterGuardrailRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/guardrails", (ctx) => this.listGuardrails(ctx))
      .add("POST", "/guardrails", (ctx) => this.createGuardrail(ctx))
      .add("GET", "/guardrails/assignments/keys", (ctx) => this.listKeyAssignments(ctx, undefined))
      .add("GET", "/guardrails/assignments/members", (ctx) => this.listMemberAssignments(ctx, undefined))
      .add("GET", "/guardrails/{id}", (ctx) => ({ body: { data: guardrailJson(this.findGuardrail(ctx.params.id)) } }))
      .add("PATCH", "/guardrails/{id}", (ctx) => this.updateGuardrail(ctx))
      .add("DELETE", "/guardrails/{id}", (ctx) => this.deleteGuardrail(ctx))
      .add("GET", "/guardrails/{id}/assignments/keys", (ctx) => this.listKeyAssignments(ctx, this.findGuardrail(ctx.params.id)))
      .add("POST", "/guardrails/{id}/assignments/keys", (ctx) => this.assignKeys(ctx))
      .add("POST", "/guardrails/{id}/assignments/keys/remove", (ctx) => this.unassignKeys(ctx))
      .add("GET", "/guardrails/{id}/assignments/members", (ctx) => this.listMemberAssignments(ctx, this.findGuardrail(ctx.params.id)))
      .add("POST", "/guardrails/{id}/assignments/members", (ctx) => this.assignMembers(ctx))
      .add("POST", "/guardrails/{id}/assignments/members/remove", (ctx) => this.unassignMembers(ctx));
  }

  private guardrails(): Record<string, OpenRouterGuardrailRecord> {
    return (this.state().guardrails ??= {});
  }

  private keyAssignments(): Record<string, OpenRouterGuardrailKeyAssignmentRecord> {
    return (this.state().guardrail_key_assignments ??= {});
  }

  private memberAssignments(): Record<string, OpenRouterGuardrailMemberAssignmentRecord> {
    return (this.state().guardrail_member_assignments ??= {});
  }

  private listGuardrails(ctx: OpenRouterRequest): HandlerResult {
    const { offset, limit } = paging(ctx.query, 50, 100);
    const filter = ctx.query.get("workspace_id");
    const workspaceId = filter ? findWorkspace(this.state(), filter).id : this.defaultWorkspace().id;
    const all = Object.values(this.guardrails())
      .filter((g) => this.alive(g) && g.workspace_id === workspaceId)
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { body: { data: all.slice(offset, offset + limit).map(guardrailJson), total_count: all.length } };
  }

  private createGuardrail(ctx: OpenRouterRequest): HandlerResult {
    const body = objectBody(ctx);
    const name = requiredString(body, "name", 1, 200);
    let workspaceId: string;
    if (body.workspace_id === undefined) workspaceId = this.defaultWorkspace().id;
    else {
      if (typeof body.workspace_id !== "string" || !UUID.test(body.workspace_id)) throw openrouterError(400, "workspace_id must be a UUID");
      workspaceId = findWorkspace(this.state(), body.workspace_id).id;
    }
    const guardrail = newGuardrail(randomUUID(), name, workspaceId, false, ctx.now.toISOString());
    applyGuardrailFields(guardrail, body);
    this.guardrails()[guardrail.id] = guardrail;
    return { status: 201, body: { data: guardrailJson(guardrail) } };
  }

  private updateGuardrail(ctx: OpenRouterRequest): HandlerResult {
    const body = objectBody(ctx);
    // PATCH has no workspace_id: a guardrail stays where it was made. Refusing it is a choice.
    if (body.workspace_id !== undefined) throw openrouterError(400, "workspace_id cannot be changed; create a guardrail in the other workspace");
    const guardrail = this.existingOrDefault(ctx.params.id, ctx.now.toISOString());
    if (body.name !== undefined) {
      const name = requiredString(body, "name", 1, 200);
      // S1: a workspace default guardrail cannot be renamed (400).
      if (guardrail.is_workspace_default && name !== guardrail.name) throw openrouterError(400, "A workspace default guardrail cannot be renamed");
      guardrail.name = name;
    }
    applyGuardrailFields(guardrail, body);
    guardrail.updated_at = ctx.now.toISOString();
    // Materialised by this PATCH: only now is it stored (an invalid body stores nothing).
    this.guardrails()[guardrail.id] = guardrail;
    return { body: { data: guardrailJson(guardrail) } };
  }

  private deleteGuardrail(ctx: OpenRouterRequest): HandlerResult {
    const guardrail = this.findGuardrail(ctx.params.id);
    // Undocumented status: S1 and TFOR only say it cannot be deleted (it goes with its workspace).
    if (guardrail.is_workspace_default) throw openrouterError(400, "A workspace default guardrail cannot be deleted");
    guardrail.deleted_at = ctx.now.toISOString();
    // Not established whether a delete is refused while assignments exist; here they go with it.
    for (const [id, a] of Object.entries(this.keyAssignments())) if (a.guardrail_id === guardrail.id) delete this.keyAssignments()[id];
    for (const [id, a] of Object.entries(this.memberAssignments())) if (a.guardrail_id === guardrail.id) delete this.memberAssignments()[id];
    return { body: { deleted: true } };
  }

  private listKeyAssignments(ctx: OpenRouterRequest, guardrail: OpenRouterGuardrailRecord | undefined): HandlerResult {
    const { offset, limit } = paging(ctx.query, 50, 100);
    const all = Object.values(this.keyAssignments())
      .filter((a) => (guardrail ? a.guardrail_id === guardrail.id : this.aliveId(a.guardrail_id)) && this.liveKey(a.key_hash))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { body: { data: all.slice(offset, offset + limit).map((a) => this.keyAssignmentJson(a)), total_count: all.length } };
  }

  private listMemberAssignments(ctx: OpenRouterRequest, guardrail: OpenRouterGuardrailRecord | undefined): HandlerResult {
    const { offset, limit } = paging(ctx.query, 50, 100);
    const all = Object.values(this.memberAssignments())
      .filter((a) => (guardrail ? a.guardrail_id === guardrail.id : this.aliveId(a.guardrail_id)))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { body: { data: all.slice(offset, offset + limit).map(memberAssignmentJson), total_count: all.length } };
  }

  private assignKeys(ctx: OpenRouterRequest): HandlerResult {
    const guardrail = this.assignable(ctx.params.id, "keys");
    const hashes = idList(objectBody(ctx), "key_hashes");
    // Every hash is checked before anything changes.
    for (const hash of hashes) {
      const key = this.liveKey(hash);
      if (!key) throw openrouterError(400, `API key ${hash} not found`);
      if (guardrail.workspace_id !== null && key.workspace_id !== guardrail.workspace_id) {
        throw openrouterError(400, `API key ${hash} is not in the guardrail's workspace`);
      }
    }
    let assigned = 0;
    for (const hash of hashes) {
      const held = Object.values(this.keyAssignments()).find((a) => a.key_hash === hash);
      if (held?.guardrail_id === guardrail.id) continue;
      // A key holds at most one guardrail: assigning it moves it.
      if (held) delete this.keyAssignments()[held.id];
      const assignment = { id: randomUUID(), guardrail_id: guardrail.id, key_hash: hash, assigned_by: null, created_at: ctx.now.toISOString() };
      this.keyAssignments()[assignment.id] = assignment;
      assigned += 1;
    }
    return { body: { assigned_count: assigned } };
  }

  private unassignKeys(ctx: OpenRouterRequest): HandlerResult {
    const guardrail = this.findGuardrail(ctx.params.id);
    const hashes = new Set(idList(objectBody(ctx), "key_hashes"));
    let removed = 0;
    for (const a of Object.values(this.keyAssignments())) {
      if (a.guardrail_id !== guardrail.id || !hashes.has(a.key_hash)) continue;
      delete this.keyAssignments()[a.id];
      removed += 1;
    }
    return { body: { unassigned_count: removed } };
  }

  private assignMembers(ctx: OpenRouterRequest): HandlerResult {
    const guardrail = this.assignable(ctx.params.id, "members");
    // TFOR: legacy (workspace-less) guardrails are refused for members.
    if (guardrail.workspace_id === null) throw openrouterError(400, "A guardrail without a workspace cannot be assigned to members");
    const workspaceId = guardrail.workspace_id;
    const userIds = idList(objectBody(ctx), "member_user_ids");
    const members = this.state().organization_members ?? {};
    const workspace = this.state().workspaces[workspaceId];
    const inWorkspace = new Set(Object.values(this.state().workspace_members ?? {}).filter((m) => m.workspace_id === workspaceId).map((m) => m.user_id));
    for (const userId of userIds) {
      if (!members[userId]) throw openrouterError(400, `User ${userId} is not a member of the organization`);
      // TFOR: outside the default workspace (everyone's) the member must also belong to the workspace.
      if (!workspace?.is_default && !inWorkspace.has(userId)) throw openrouterError(400, `User ${userId} is not a member of workspace ${workspaceId}`);
    }
    let assigned = 0;
    for (const userId of userIds) {
      const held = Object.values(this.memberAssignments()).find((a) => a.user_id === userId && a.workspace_id === workspaceId);
      if (held?.guardrail_id === guardrail.id) continue;
      // One direct guardrail per member and workspace (TFOR): assigning moves it.
      if (held) delete this.memberAssignments()[held.id];
      const assignment = { id: randomUUID(), guardrail_id: guardrail.id, user_id: userId, workspace_id: workspaceId, assigned_by: null, created_at: ctx.now.toISOString() };
      this.memberAssignments()[assignment.id] = assignment;
      assigned += 1;
    }
    return { body: { assigned_count: assigned } };
  }

  private unassignMembers(ctx: OpenRouterRequest): HandlerResult {
    const guardrail = this.findGuardrail(ctx.params.id);
    const userIds = new Set(idList(objectBody(ctx), "member_user_ids"));
    let removed = 0;
    for (const a of Object.values(this.memberAssignments())) {
      if (a.guardrail_id !== guardrail.id || !userIds.has(a.user_id)) continue;
      delete this.memberAssignments()[a.id];
      removed += 1;
    }
    return { body: { unassigned_count: removed } };
  }

  /** A guardrail that can take assignments: not a workspace default one (S1, TFOR). */
  private assignable(id: string, what: "keys" | "members"): OpenRouterGuardrailRecord {
    const guardrail = this.findGuardrail(id);
    if (guardrail.is_workspace_default) throw openrouterError(400, `A workspace default guardrail cannot be assigned to ${what}`);
    return guardrail;
  }

  /** A stored guardrail whose workspace still exists; 404 otherwise (an unconfigured default one too). */
  private findGuardrail(id: string): OpenRouterGuardrailRecord {
    const guardrail = this.guardrails()[id];
    if (!guardrail || !this.alive(guardrail)) throw openrouterError(404, "Guardrail not found");
    return guardrail;
  }

  /** The stored guardrail, or a workspace's default one not yet materialised (a PATCH makes it). */
  private existingOrDefault(id: string, now: string): OpenRouterGuardrailRecord {
    const stored = this.guardrails()[id];
    if (stored && this.alive(stored)) return stored;
    const workspace = Object.values(this.state().workspaces).find((w) => w.default_guardrail_id === id && !w.deleted_at);
    if (!workspace) throw openrouterError(404, "Guardrail not found");
    // TFOR: the platform names it after the workspace.
    return newGuardrail(id, `Workspace ${workspace.id} Default`, workspace.id, true, now);
  }

  /** Not deleted, and (docs) deleting a workspace deletes its guardrails. */
  private alive(guardrail: OpenRouterGuardrailRecord): boolean {
    if (guardrail.deleted_at) return false;
    if (guardrail.workspace_id === null) return true;
    const workspace = this.state().workspaces[guardrail.workspace_id];
    return !!workspace && !workspace.deleted_at;
  }

  private aliveId(id: string): boolean {
    const guardrail = this.guardrails()[id];
    return !!guardrail && this.alive(guardrail);
  }

  private liveKey(hash: string) {
    const key = this.state().keys[hash];
    return key && !key.deleted_at ? key : undefined;
  }

  private keyAssignmentJson(a: OpenRouterGuardrailKeyAssignmentRecord): JsonObject {
    const key = this.state().keys[a.key_hash];
    return {
      id: a.id,
      guardrail_id: a.guardrail_id,
      key_hash: a.key_hash,
      key_name: key?.name ?? "",
      key_label: key ? `${key.secret.slice(0, 12)}...${key.secret.slice(-4)}` : "",
      assigned_by: a.assigned_by,
      created_at: a.created_at,
    };
  }

  private defaultWorkspace(): OpenRouterWorkspaceRecord {
    const found = Object.values(this.state().workspaces).find((w) => w.is_default && !w.deleted_at);
    // Documented: without a default workspace, workspace_id becomes mandatory (400).
    if (!found) throw openrouterError(400, "The account has no default workspace; pass workspace_id");
    return found;
  }
}

function newGuardrail(id: string, name: string, workspaceId: string | null, isDefault: boolean, now: string): OpenRouterGuardrailRecord {
  return {
    id,
    name,
    description: null,
    workspace_id: workspaceId,
    is_workspace_default: isDefault,
    limit_usd: null,
    reset_interval: null,
    include_byok_in_budgets: false,
    allowed_models: null,
    ignored_models: null,
    allowed_providers: null,
    ignored_providers: null,
    enforce_zdr: null,
    enforce_zdr_anthropic: null,
    enforce_zdr_openai: null,
    enforce_zdr_google: null,
    enforce_zdr_xai: null,
    enforce_zdr_other: null,
    enable_free_model_publication: null,
    enable_free_model_training: null,
    enable_paid_model_training: null,
    allow_safety_retention_google: null,
    allow_safety_retention_other: null,
    content_filters: null,
    content_filter_builtins: null,
    allowed_data_regions: null,
    created_at: now,
    updated_at: null,
    deleted_at: null,
  };
}

/**
 * Sets what a create or PATCH body names, each checked first; what it does not
 * name stays. Collections are replaced whole; null clears them.
 */
function applyGuardrailFields(g: OpenRouterGuardrailRecord, body: JsonObject): void {
  const next: Partial<OpenRouterGuardrailRecord> = {};
  if (body.description !== undefined) next.description = nullableString(body, "description", 0, 1000);
  // TFOR (learned live): limit_usd must come with reset_interval, else 400. S1 alone would
  // allow either on its own; the stricter live finding is followed. reset_interval: null is a lifetime budget.
  if ((body.limit_usd === undefined) !== (body.reset_interval === undefined)) {
    throw openrouterError(400, "limit_usd and reset_interval must be sent together");
  }
  if (body.limit_usd !== undefined) {
    // The document sets no bound; a negative USD limit is refused as a choice (as for keys).
    if (body.limit_usd !== null && (typeof body.limit_usd !== "number" || !Number.isFinite(body.limit_usd) || body.limit_usd < 0)) {
      throw openrouterError(400, "limit_usd must be a number >= 0 or null");
    }
    next.limit_usd = body.limit_usd as number | null;
  }
  if (body.reset_interval !== undefined) {
    if (body.reset_interval !== null && !RESET_INTERVALS.includes(body.reset_interval as string)) throw openrouterError(400, "reset_interval must be daily, weekly, monthly or null");
    next.reset_interval = body.reset_interval as string | null;
  }
  if (body.include_byok_in_budgets !== undefined) {
    if (typeof body.include_byok_in_budgets !== "boolean") throw openrouterError(400, "include_byok_in_budgets must be a boolean");
    next.include_byok_in_budgets = body.include_byok_in_budgets;
  }
  for (const field of MODEL_LISTS) {
    if (body[field] !== undefined) next[field] = stringList(body, field)?.map((slug) => CANONICAL_MODEL_SLUGS[slug] ?? slug) ?? null;
  }
  for (const field of ID_LISTS) if (body[field] !== undefined) next[field] = stringList(body, field);
  for (const field of [...ZDR_GROUPS, ...POLICY_FLAGS, "enforce_zdr"] as const) {
    if (body[field] === undefined) continue;
    if (body[field] !== null && typeof body[field] !== "boolean") throw openrouterError(400, `${field} must be a boolean or null`);
    next[field] = body[field] as boolean | null;
  }
  // Deprecated enforce_zdr (S1): copied into every per-group field the body does not name.
  if (body.enforce_zdr !== undefined) for (const group of ZDR_GROUPS) if (body[group] === undefined) next[group] = body.enforce_zdr as boolean | null;
  if (body.content_filters !== undefined) next.content_filters = contentFilters(body.content_filters);
  if (body.content_filter_builtins !== undefined) next.content_filter_builtins = builtinFilters(body.content_filter_builtins);
  if (body.allowed_data_regions !== undefined) {
    const regions = body.allowed_data_regions;
    // TFOR: an empty list is rejected; null clears.
    if (regions !== null && (!Array.isArray(regions) || regions.length === 0 || regions.some((r) => !DATA_REGIONS.includes(r as string)))) {
      throw openrouterError(400, "allowed_data_regions must be a non-empty list of global, europe or us, or null");
    }
    next.allowed_data_regions = regions === null ? null : [...new Set(regions as string[])];
  }
  Object.assign(g, next);
}

/** A list of ids with at least one item (the schema's minItems: 1), or null. */
function stringList(body: JsonObject, field: string): string[] | null {
  const value = body[field];
  if (value === null) return null;
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== "string" || v === "")) {
    throw openrouterError(400, `${field} must be a non-empty list of non-empty strings, or null`);
  }
  return [...(value as string[])];
}

/** The required id list of an assignment body (minItems: 1). */
function idList(body: JsonObject, field: string): string[] {
  const value = body[field];
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== "string" || v === "")) {
    throw openrouterError(400, `${field} must be a non-empty list of strings`);
  }
  return [...new Set(value as string[])];
}

function contentFilters(value: unknown): OpenRouterContentFilter[] | null {
  if (value === null) return null;
  if (!Array.isArray(value)) throw openrouterError(400, "content_filters must be a list or null");
  return value.map((item, i) => {
    const filter = filterObject(item, `content_filters[${i}]`);
    if (typeof filter.pattern !== "string" || filter.pattern === "") throw openrouterError(400, `content_filters[${i}].pattern must be a non-empty regular expression`);
    try {
      new RegExp(filter.pattern);
    } catch {
      throw openrouterError(400, `content_filters[${i}].pattern is not a valid regular expression`);
    }
    const label = filter.label === undefined ? null : filter.label;
    if (label !== null && (typeof label !== "string" || label.length > 100)) throw openrouterError(400, `content_filters[${i}].label must be at most 100 characters, or null`);
    return { pattern: filter.pattern, action: filterAction(filter.action, `content_filters[${i}]`), label };
  });
}

function builtinFilters(value: unknown): OpenRouterBuiltinFilter[] | null {
  if (value === null) return null;
  if (!Array.isArray(value)) throw openrouterError(400, "content_filter_builtins must be a list or null");
  return value.map((item, i) => {
    const filter = filterObject(item, `content_filter_builtins[${i}]`);
    const slug = filter.slug;
    if (typeof slug !== "string" || !(slug in BUILTIN_LABELS)) {
      throw openrouterError(400, `content_filter_builtins[${i}].slug must be one of ${Object.keys(BUILTIN_LABELS).join(", ")}`);
    }
    // The deprecated `label` is ignored: the server sets it.
    const builtin: OpenRouterBuiltinFilter = { slug, action: filterAction(filter.action, `content_filter_builtins[${i}]`), label: BUILTIN_LABELS[slug] };
    if (slug === "regex-prompt-injection") {
      const scope = filter.scan_scope ?? "all_messages";
      if (!SCAN_SCOPES.includes(scope as string)) throw openrouterError(400, `content_filter_builtins[${i}].scan_scope must be user_only or all_messages`);
      builtin.scan_scope = scope as string;
    } else if (filter.scan_scope !== undefined && filter.scan_scope !== null) {
      // "Only for regex-prompt-injection": refusing it elsewhere (rather than ignoring it) is a choice.
      throw openrouterError(400, `content_filter_builtins[${i}].scan_scope applies only to regex-prompt-injection`);
    }
    return builtin;
  });
}

function filterObject(item: unknown, where: string): JsonObject {
  if (typeof item !== "object" || item === null || Array.isArray(item)) throw openrouterError(400, `${where} must be an object`);
  return item as JsonObject;
}

function filterAction(value: unknown, where: string): string {
  if (!FILTER_ACTIONS.includes(value as string)) throw openrouterError(400, `${where}.action must be redact, block or flag`);
  return value as string;
}

/** A guardrail as the API answers it. */
function guardrailJson(g: OpenRouterGuardrailRecord): JsonObject {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    workspace_id: g.workspace_id,
    limit_usd: g.limit_usd,
    reset_interval: g.reset_interval,
    include_byok_in_budgets: g.include_byok_in_budgets,
    allowed_models: g.allowed_models && [...g.allowed_models],
    ignored_models: g.ignored_models && [...g.ignored_models],
    allowed_providers: g.allowed_providers && [...g.allowed_providers],
    ignored_providers: g.ignored_providers && [...g.ignored_providers],
    enforce_zdr: g.enforce_zdr,
    enforce_zdr_anthropic: g.enforce_zdr_anthropic,
    enforce_zdr_openai: g.enforce_zdr_openai,
    enforce_zdr_google: g.enforce_zdr_google,
    enforce_zdr_xai: g.enforce_zdr_xai,
    enforce_zdr_other: g.enforce_zdr_other,
    enable_free_model_publication: g.enable_free_model_publication,
    enable_free_model_training: g.enable_free_model_training,
    enable_paid_model_training: g.enable_paid_model_training,
    allow_safety_retention_google: g.allow_safety_retention_google ?? null,
    allow_safety_retention_other: g.allow_safety_retention_other ?? null,
    content_filters: g.content_filters && g.content_filters.map((f) => ({ ...f })),
    content_filter_builtins: g.content_filter_builtins && g.content_filter_builtins.map((f) => ({ ...f })),
    allowed_data_regions: g.allowed_data_regions && [...g.allowed_data_regions],
    created_at: g.created_at,
    updated_at: g.updated_at,
  };
}

function memberAssignmentJson(a: OpenRouterGuardrailMemberAssignmentRecord): JsonObject {
  return { id: a.id, guardrail_id: a.guardrail_id, user_id: a.user_id, organization_id: ORGANIZATION_ID, assigned_by: a.assigned_by, created_at: a.created_at };
}
