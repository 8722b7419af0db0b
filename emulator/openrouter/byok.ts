/**
 * OpenRouter BYOK keys, /byok: a provider credential of the account's own,
 * in a workspace (the default one unless named), stored and never returned
 * (only a masked `label`, regenerated when the credential is rotated),
 * restricted optionally to API keys, models and users; soft-deleted with the
 * credential wiped. `provider` and `workspace_id` are fixed at creation.
 */
import { randomUUID } from "node:crypto";
import { HandlerResult, Router } from "../router";
import { JsonObject, nullableString, objectBody, OpenRouterPrincipal, OpenRouterRequest, openrouterError, paging, requiredString } from "./common";
import { OpenRouterByokKeyRecord, OpenRouterState } from "./state";
import { DATA_REGIONS, KEY_HASH, knownKeyHashes, masked, optionalBoolean, scopedWorkspaceId, stringList } from "./scope";

/** The BYOK routes and their rules. */
export class OpenRouterByokRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/byok", (ctx) => this.listByok(ctx))
      .add("POST", "/byok", (ctx) => this.createByok(ctx))
      .add("GET", "/byok/{id}", (ctx) => ({ body: { data: byokJson(this.findByok(ctx.params.id)) } }))
      .add("PATCH", "/byok/{id}", (ctx) => this.updateByok(ctx))
      .add("DELETE", "/byok/{id}", (ctx) => this.deleteByok(ctx));
  }

  private records(): Record<string, OpenRouterByokKeyRecord> {
    // Absent in older state files.
    return (this.state().byokKeys ??= {});
  }

  private listByok(ctx: OpenRouterRequest): HandlerResult {
    const { offset, limit } = paging(ctx.query, 50, 100);
    const workspaceId = scopedWorkspaceId(this.state(), ctx.query.get("workspace_id") ?? undefined);
    const provider = ctx.query.get("provider");
    const all = Object.values(this.records())
      .filter((k) => !k.deleted_at && k.workspace_id === workspaceId && (!provider || k.provider === provider))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { body: { data: all.slice(offset, offset + limit).map(byokJson), total_count: all.length } };
  }

  private createByok(ctx: OpenRouterRequest): HandlerResult {
    const body = objectBody(ctx);
    // The provider enum grows faster than any copy of it (the Terraform provider's already has slugs S1 lacks): any non-empty slug.
    const provider = requiredString(body, "provider", 1);
    const secret = requiredString(body, "key", 1);
    const workspaceId = scopedWorkspaceId(this.state(), body.workspace_id);
    const siblings = Object.values(this.records()).filter((k) => !k.deleted_at && k.workspace_id === workspaceId && k.provider === provider);
    const record: OpenRouterByokKeyRecord = {
      id: randomUUID(),
      provider,
      key: secret,
      label: masked(secret),
      workspace_id: workspaceId,
      name: null,
      disabled: false,
      is_fallback: false,
      declared_region: null,
      declared_zdr: null,
      is_byok_only: false,
      is_required: false,
      // A provider's keys are tried in ascending order: a new key goes last.
      sort_order: siblings.length === 0 ? 0 : Math.max(...siblings.map((k) => k.sort_order)) + 1,
      allowed_api_key_hashes: null,
      allowed_models: null,
      allowed_user_ids: null,
      created_at: ctx.now.toISOString(),
      deleted_at: null,
    };
    this.applyFields(record, body);
    this.records()[record.id] = record;
    return { status: 201, body: { data: byokJson(record) } };
  }

  private updateByok(ctx: OpenRouterRequest): HandlerResult {
    const record = this.findByok(ctx.params.id);
    const body = objectBody(ctx);
    // Fixed at creation (not in the PATCH body); refusing them, rather than ignoring them, is a choice.
    for (const field of ["provider", "workspace_id"]) {
      if (field in body) throw openrouterError(400, `${field} cannot be changed after creation`);
    }
    if (body.key !== undefined) {
      record.key = requiredString(body, "key", 1);
      record.label = masked(record.key);
    }
    this.applyFields(record, body);
    return { body: { data: byokJson(record) } };
  }

  private deleteByok(ctx: OpenRouterRequest): HandlerResult {
    const record = this.findByok(ctx.params.id);
    // A soft delete: the credential is wiped, the record kept as deleted.
    record.key = "";
    record.deleted_at = ctx.now.toISOString();
    return { body: { deleted: true } };
  }

  private findByok(id: string): OpenRouterByokKeyRecord {
    const record = this.records()[id];
    if (!record || record.deleted_at) throw openrouterError(404, "BYOK key not found");
    return record;
  }

  /** The settable fields a create or PATCH body names, each checked; `null` clears a list. */
  private applyFields(record: OpenRouterByokKeyRecord, body: JsonObject): void {
    // Checked before anything changes. S3: is_byok_only is "only valid on non-fallback credentials".
    const fallback = optionalBoolean(body, "is_fallback") ?? record.is_fallback;
    const byokOnly = optionalBoolean(body, "is_byok_only") ?? record.is_byok_only ?? false;
    if (byokOnly && fallback) throw openrouterError(400, "is_byok_only cannot be combined with is_fallback");
    if (body.name !== undefined) record.name = nullableString(body, "name", 0, 255);
    record.disabled = optionalBoolean(body, "disabled") ?? record.disabled;
    record.is_fallback = fallback;
    record.is_byok_only = byokOnly;
    record.is_required = optionalBoolean(body, "is_required") ?? record.is_required ?? false;
    if (body.declared_region !== undefined) {
      if (body.declared_region !== null && !DATA_REGIONS.includes(body.declared_region as string)) throw openrouterError(400, "declared_region must be global, europe, us or null");
      record.declared_region = body.declared_region as string | null;
    }
    if (body.declared_zdr !== undefined) {
      if (body.declared_zdr !== null && typeof body.declared_zdr !== "boolean") throw openrouterError(400, "declared_zdr must be a boolean or null");
      record.declared_zdr = body.declared_zdr as boolean | null;
    }
    const hashes = stringList(body, "allowed_api_key_hashes", { min: 1, max: 100, pattern: KEY_HASH });
    knownKeyHashes(this.state(), "allowed_api_key_hashes", hashes);
    if (hashes !== undefined) record.allowed_api_key_hashes = hashes;
    const models = stringList(body, "allowed_models", { min: 0, max: 100 });
    if (models !== undefined) record.allowed_models = models;
    const users = stringList(body, "allowed_user_ids", { min: 0, max: 100 });
    if (users !== undefined) record.allowed_user_ids = users;
  }
}

/** A BYOK key as the API answers it: never the credential. */
function byokJson(k: OpenRouterByokKeyRecord): JsonObject {
  return {
    id: k.id,
    provider: k.provider,
    workspace_id: k.workspace_id,
    name: k.name,
    label: k.label,
    disabled: k.disabled,
    is_fallback: k.is_fallback,
    is_byok_only: k.is_byok_only ?? false,
    is_required: k.is_required ?? false,
    declared_region: k.declared_region ?? null,
    declared_zdr: k.declared_zdr ?? null,
    sort_order: k.sort_order,
    allowed_api_key_hashes: k.allowed_api_key_hashes,
    allowed_models: k.allowed_models,
    allowed_user_ids: k.allowed_user_ids,
    created_at: k.created_at,
  };
}
