/**
 * OpenRouter workspaces, /workspaces: unique slugs, OpenRouter's defaults for
 * every setting, a default workspace deleted only on confirmation, and no
 * delete while keys remain in the workspace.
 */
import { randomUUID } from "node:crypto";
import { HandlerResult, Router } from "../router";
import { findWorkspace, JsonObject, nullableString, objectBody, OpenRouterPrincipal, OpenRouterRequest, openrouterError, paging, requiredString, sha256 } from "./common";
import { OpenRouterState, OpenRouterWorkspaceRecord } from "./state";

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The workspace routes and their rules. */
export class OpenRouterWorkspaceRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/workspaces", (ctx) => this.listWorkspaces(ctx))
      .add("POST", "/workspaces", (ctx) => this.createWorkspace(ctx))
      .add("GET", "/workspaces/{id}", (ctx) => ({ body: { data: workspaceJson(findWorkspace(this.state(), ctx.params.id)) } }))
      .add("PATCH", "/workspaces/{id}", (ctx) => this.updateWorkspace(ctx))
      .add("DELETE", "/workspaces/{id}", (ctx) => this.deleteWorkspace(ctx));
  }

  private listWorkspaces(ctx: OpenRouterRequest): HandlerResult {
    const { offset, limit } = paging(ctx.query, 50, 100);
    const all = Object.values(this.state().workspaces)
      .filter((w) => !w.deleted_at)
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { body: { data: all.slice(offset, offset + limit).map(workspaceJson), total_count: all.length } };
  }

  private createWorkspace(ctx: OpenRouterRequest): HandlerResult {
    const body = objectBody(ctx);
    const workspace = newWorkspace(requiredString(body, "name", 1, 100), this.freeSlug(requiredString(body, "slug", 1, 50)), false, ctx.now.toISOString());
    applyWorkspaceFields(workspace, body);
    this.state().workspaces[workspace.id] = workspace;
    return { status: 201, body: { data: workspaceJson(workspace) } };
  }

  private updateWorkspace(ctx: OpenRouterRequest): HandlerResult {
    const workspace = findWorkspace(this.state(), ctx.params.id);
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

  private deleteWorkspace(ctx: OpenRouterRequest): HandlerResult {
    const workspace = findWorkspace(this.state(), ctx.params.id);
    if (workspace.is_default && ctx.query.get("confirm_default_workspace_deletion") !== "true") {
      throw openrouterError(403, "The default workspace can only be deleted with confirm_default_workspace_deletion=true");
    }
    // Docs: "workspaces with active API keys cannot be deleted; remove the keys first". Whether a
    // disabled key is "active" is not stated; counting it (strict: delete every key first) is a choice.
    const remaining = Object.values(this.state().keys).filter((k) => k.workspace_id === workspace.id && !k.deleted_at);
    if (remaining.length > 0) {
      throw openrouterError(400, `Workspace has ${remaining.length} API key(s), disabled ones included; delete them before deleting the workspace`);
    }
    workspace.deleted_at = ctx.now.toISOString();
    return { body: { deleted: true } };
  }

  private freeSlug(slug: string): string {
    if (!SLUG.test(slug)) throw openrouterError(400, "slug must match ^[a-z0-9]+(?:-[a-z0-9]+)*$");
    if (Object.values(this.state().workspaces).some((w) => w.slug === slug && !w.deleted_at)) {
      throw openrouterError(400, `A workspace with slug '${slug}' already exists`);
    }
    return slug;
  }
}

/** A workspace with OpenRouter's defaults for every setting. */
export function newWorkspace(name: string, slug: string, isDefault: boolean, now: string): OpenRouterWorkspaceRecord {
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

/** Derived from the workspace id, as OpenRouter derives it. */
function guardrailIdFor(workspaceId: string): string {
  const hex = sha256(`guardrail:${workspaceId}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Sets the settings a create or PATCH body names, each checked; what it does not name stays. */
function applyWorkspaceFields(workspace: OpenRouterWorkspaceRecord, body: JsonObject): void {
  if (body.description !== undefined) workspace.description = nullableString(body, "description", 0, 500);
  if (body.default_text_model !== undefined) workspace.default_text_model = nullableString(body, "default_text_model");
  if (body.default_image_model !== undefined) workspace.default_image_model = nullableString(body, "default_image_model");
  // A free string: the docs list price, throughput, latency and exacto, the document has no enum.
  if (body.default_provider_sort !== undefined) workspace.default_provider_sort = nullableString(body, "default_provider_sort");
  if (body.disabled_server_tools !== undefined) {
    const tools = body.disabled_server_tools;
    // An open enum (the SDK passes unknown values through), so any tool name is kept.
    if (tools !== null && (!Array.isArray(tools) || tools.some((t) => typeof t !== "string" || t === ""))) {
      throw openrouterError(400, "disabled_server_tools must be a list of server tool names, or null");
    }
    workspace.disabled_server_tools = tools === null ? null : [...(tools as string[])];
  }
  if (body.io_logging_api_key_ids !== undefined) {
    const ids = body.io_logging_api_key_ids;
    if (ids !== null && (!Array.isArray(ids) || ids.some((n) => !Number.isInteger(n)))) throw openrouterError(400, "io_logging_api_key_ids must be a list of integers or null");
    workspace.io_logging_api_key_ids = ids as number[] | null;
  }
  if (body.io_logging_sampling_rate !== undefined) {
    const rate = body.io_logging_sampling_rate;
    // The range is stated in the field's description (the schema has no bounds).
    if (typeof rate !== "number" || rate < 0.0001 || rate > 1) throw openrouterError(400, "io_logging_sampling_rate must be between 0.0001 and 1");
    workspace.io_logging_sampling_rate = rate;
  }
  for (const flag of ["is_data_discount_logging_enabled", "is_observability_broadcast_enabled", "is_observability_io_logging_enabled"] as const) {
    if (body[flag] === undefined) continue;
    if (typeof body[flag] !== "boolean") throw openrouterError(400, `${flag} must be a boolean`);
    workspace[flag] = body[flag] as boolean;
  }
}

/** A workspace as the API answers it. */
function workspaceJson(w: OpenRouterWorkspaceRecord): JsonObject {
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
