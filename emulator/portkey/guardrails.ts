/**
 * Portkey guardrails, /guardrails: checks and actions for one workspace or
 * for the organisation, addressed by UUID or server-set slug, versioned
 * (every PUT makes a new `version_id`); the scope is fixed at creation.
 *
 * As the official document describes this route group (reference more §5),
 * errors come in `{"error": {message, type, param, code}}` and a guardrail
 * that does not exist answers 403, not 404. The API leaves `is_enabled` out
 * of a check when it is true. The document's `actions` schema requires four
 * fields its own examples (and the Terraform provider's tests) do without, so
 * `actions` is checked only for the types of the fields it names (see
 * SCHEMA_DEVIATIONS in ../spec.ts).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { EmulatedApiError, portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { allowed, authorize, isObject, JsonObject, page, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString, slugPart } from "./common";
import { inOrganisationDefaults } from "./organisation-defaults";
import { GuardrailRecord, PortkeyState } from "./state";

/** A check id: `<vendor>.<check>`, as every id the document lists (the backend changelog keeps adding ids). */
export const GUARDRAIL_CHECK_ID = /^[a-z0-9-]+\.[A-Za-z0-9_-]+$/;

/** The guardrail routes and their rules. */
export class PortkeyGuardrailRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/guardrails", (ctx) => inErrorEnvelope(() => this.createGuardrail(ctx)))
      .add("GET", "/guardrails", (ctx) => inErrorEnvelope(() => this.listGuardrails(ctx)))
      .add("GET", "/guardrails/{guardrailId}", (ctx) => inErrorEnvelope(() => this.getGuardrail(ctx)))
      .add("PUT", "/guardrails/{guardrailId}", (ctx) => inErrorEnvelope(() => this.updateGuardrail(ctx)))
      .add("DELETE", "/guardrails/{guardrailId}", (ctx) => inErrorEnvelope(() => this.deleteGuardrail(ctx)));
  }

  private createGuardrail(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const name = requireString(body, "name", 1, 255);
    const checks = checksOf(body.checks, true)!;
    const actions = actionsOf(body.actions, true)!;
    const state = this.shared.state(ctx);
    const workspaceId = this.scopeOf(ctx, body);
    if (workspaceId) authorize(ctx, "guardrails.create", { workspaceId });
    else authorize(ctx, "organisation_guardrails.create", { organisationOnly: true });
    const now = ctx.now.toISOString();
    const record: GuardrailRecord = {
      id: randomUUID(),
      slug: newSlug(name),
      name,
      workspace_id: workspaceId,
      checks,
      actions,
      status: "active",
      version_id: randomUUID(),
      owner_id: ownerOf(ctx),
      updated_by: null,
      created_at: now,
      last_updated_at: now,
    };
    guardrailsOf(state)[record.id] = record;
    return { body: { id: record.id, slug: record.slug, version_id: record.version_id } };
  }

  private listGuardrails(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const workspaceFilter = ctx.query.get("workspace_id");
    const workspaceId = workspaceFilter ? this.shared.findWorkspace(ctx, workspaceFilter).id : undefined;
    // A caller without a list scope is refused, not shown an empty list; a workspace key only lists its own workspace.
    const principal = ctx.principal;
    if (principal.kind === "key" && !principal.key.scopes.includes("guardrails.list") && !principal.key.scopes.includes("organisation_guardrails.list")) {
      throw portkeyError("AB03", "You do not have the permission to perform this action (needs guardrails.list)");
    }
    if (workspaceId && principal.kind === "key" && principal.key.type === "workspace" && principal.key.workspace_id !== workspaceId) {
      throw portkeyError("AB03", "You do not have access to this workspace");
    }
    const organisationFilter = ctx.query.get("organisation_id");
    if (organisationFilter && organisationFilter !== state.organisation_id) throw portkeyError("AB03", "You do not have access to this organisation");
    // `ids` (backend 1.15.0): a comma-separated list of UUIDs or slugs.
    const ids = ctx.query.get("ids")?.split(",").filter((id) => id.length > 0);
    const all = Object.values(guardrailsOf(state))
      .filter((g) => live(state, g))
      .filter((g) => workspaceId === undefined || g.workspace_id === workspaceId)
      // With organisation_id alone: the organisation's own guardrails.
      .filter((g) => !organisationFilter || workspaceId !== undefined || g.workspace_id === null)
      .filter((g) => !ids || ids.includes(g.id) || ids.includes(g.slug))
      .filter((g) => (g.workspace_id ? allowed(ctx, "guardrails.list", g.workspace_id) : allowed(ctx, "organisation_guardrails.list", undefined)))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    const { total, data } = page(all, ctx.query, (g) => summaryJson(g, state));
    return { body: { data, total } };
  }

  private getGuardrail(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.find(ctx, "read");
    return { body: { ...summaryJson(record, state), checks: structuredClone(record.checks), actions: structuredClone(record.actions) } };
  }

  private updateGuardrail(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "update");
    const body = this.shared.checkedBody(ctx);
    // The scope is fixed at creation: workspace_id and organisation_id are not update fields, and are ignored.
    const name = body.name === undefined ? undefined : requireString(body, "name", 1, 255);
    const checks = checksOf(body.checks, false);
    const actions = actionsOf(body.actions, false);
    if (name !== undefined) record.name = name;
    if (checks !== undefined) record.checks = checks;
    if (actions !== undefined) record.actions = actions;
    record.version_id = randomUUID();
    record.updated_by = ownerOf(ctx);
    record.last_updated_at = ctx.now.toISOString();
    return { body: { id: record.id, slug: record.slug, version_id: record.version_id } };
  }

  private deleteGuardrail(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "delete");
    // TF-NEXT's tests: a guardrail the organisation's defaults hold cannot be deleted.
    if (inOrganisationDefaults(this.shared.state(ctx), record.id)) throw portkeyError("AB01", "Guardrail is being used in organisation defaults");
    delete guardrailsOf(this.shared.state(ctx))[record.id];
    return { body: {} };
  }

  /**
   * The workspace (UUID) of a new guardrail, or null for the organisation's:
   * `workspace_id` if given, else `organisation_id` (the caller's own), else a
   * workspace key's own workspace. An organisation key must name one.
   */
  private scopeOf(ctx: PortkeyRequest, body: JsonObject): string | null {
    if (typeof body.workspace_id === "string") return this.shared.findWorkspace(ctx, body.workspace_id).id;
    const organisationId = this.shared.state(ctx).organisation_id;
    if (typeof body.organisation_id === "string") {
      if (body.organisation_id !== organisationId) throw portkeyError("AB03", "You do not have access to this organisation");
      return null;
    }
    const principal = ctx.principal;
    if (principal.kind === "key" && principal.key.type === "workspace" && principal.key.workspace_id) return principal.key.workspace_id;
    throw portkeyError("AB01", "Invalid request. workspace_id or organisation_id is required");
  }

  /**
   * By UUID or slug. A guardrail that does not exist (or whose workspace was
   * deleted) answers 403, as the document says, and so does one the caller
   * may not use.
   */
  private find(ctx: PortkeyRequest, action: "read" | "update" | "delete"): GuardrailRecord {
    const state = this.shared.state(ctx);
    const given = ctx.params.guardrailId;
    const all = guardrailsOf(state);
    const record = all[given] ?? Object.values(all).find((g) => g.slug === given);
    if (!record || !live(state, record)) throw portkeyError("AB03", `You do not have access to guardrail ${given}, or it does not exist`);
    if (record.workspace_id) authorize(ctx, `guardrails.${action}`, { workspaceId: record.workspace_id });
    else authorize(ctx, `organisation_guardrails.${action}`, { organisationOnly: true });
    return record;
  }
}

/** Runs a handler, answering its errors in this route group's `{"error": {...}}` shape. */
function inErrorEnvelope(handler: () => HandlerResult): HandlerResult {
  try {
    return handler();
  } catch (error) {
    if (!(error instanceof EmulatedApiError)) throw error;
    const type = error.status === 403 ? "forbidden" : error.status === 400 ? "invalid_request_error" : "api_error";
    return { status: error.status, body: { error: { message: error.message, type, param: null, code: error.code } } };
  }
}

/** The organisation's guardrails (older state files have none yet). */
function guardrailsOf(state: PortkeyState): Record<string, GuardrailRecord> {
  return (state.guardrails ??= {});
}

/** A workspace's guardrail lives while its workspace does. */
function live(state: PortkeyState, record: GuardrailRecord): boolean {
  if (record.workspace_id === null) return true;
  const workspace = state.workspaces[record.workspace_id];
  return !!workspace && !workspace.deleted_at;
}

function ownerOf(ctx: PortkeyRequest): string {
  const principal = ctx.principal;
  return principal.kind === "key" ? (principal.key.user_id ?? principal.key.id) : principal.organisation_id;
}

/** Slugs like the document's example `pg-patron-1d0224`: a prefix, six characters of the name, six hex digits. */
function newSlug(name: string): string {
  const part = slugPart(name).slice(0, 6).replace(/-+$/, "") || "guard";
  return `pg-${part}-${randomBytes(3).toString("hex")}`;
}

/** The body's `checks` as stored: ids of the documented shape, `is_enabled` left out when true. */
function checksOf(value: unknown, required: boolean): Record<string, unknown>[] | undefined {
  if (value === undefined && !required) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw portkeyError("AB01", "Invalid request. checks: must be a non-empty array");
  return value.map((check, i) => {
    if (!isObject(check)) throw portkeyError("AB01", `Invalid request. checks.${i}: must be an object`);
    if (typeof check.id !== "string" || !GUARDRAIL_CHECK_ID.test(check.id)) {
      throw portkeyError("AB01", `Invalid request. checks.${i}.id: must be a check id such as default.regexMatch`);
    }
    const { is_enabled: enabled, ...rest } = structuredClone(check);
    return enabled === false ? { ...rest, is_enabled: false } : rest;
  });
}

function actionsOf(value: unknown, required: boolean): Record<string, unknown> | undefined {
  if (value === undefined && !required) return undefined;
  if (!isObject(value)) throw portkeyError("AB01", "Invalid request. actions: must be an object");
  return structuredClone(value);
}

/** The fields the document lists for list items (GuardrailSummary). */
function summaryJson(g: GuardrailRecord, state: PortkeyState): JsonObject {
  return {
    id: g.id,
    name: g.name,
    slug: g.slug,
    organisation_id: state.organisation_id,
    workspace_id: g.workspace_id,
    status: g.status,
    version_id: g.version_id,
    owner_id: g.owner_id,
    updated_by: g.updated_by,
    created_at: g.created_at,
    last_updated_at: g.last_updated_at,
  };
}
