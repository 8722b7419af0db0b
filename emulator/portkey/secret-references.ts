/**
 * Portkey secret references, /secret-references (enterprise, backend 1.12.0):
 * where the gateway fetches a secret (AWS Secrets Manager, Azure Key Vault,
 * HashiCorp Vault) and the credentials to reach that store. Addressed by
 * UUID or slug (settable, default from the name). Reference more §11:
 *
 * - `auth_config` must be a mode of the `manager_type`'s family; reads show
 *   its secret fields only masked and renamed `masked_<field>`;
 * - an update merges `auth_config` per field (a secret left out is kept),
 *   ignores `manager_type`, clears `secret_key` with null; `allowed_workspaces`
 *   replaces the list and turns `allow_all_workspaces` off, and
 *   `allow_all_workspaces: true` empties the list; the list is never returned;
 * - deleting a reference an integration's `secret_mappings` uses is refused (400).
 */
import { randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { authorize, isObject, JsonObject, optionalString, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString } from "./common";
import { PortkeyState, SecretReferenceRecord } from "./state";

type ManagerType = SecretReferenceRecord["manager_type"];

/** Per manager type: the field naming the auth mode, and each mode's required fields (the document's auth schemas). */
const AUTH_MODES: Record<ManagerType, { field: string; modes: Record<string, string[]> }> = {
  aws_sm: {
    field: "aws_auth_type",
    modes: { accessKey: ["aws_access_key_id", "aws_secret_access_key", "aws_region"], assumedRole: ["aws_role_arn", "aws_region"], serviceRole: [] },
  },
  azure_kv: {
    field: "azure_auth_mode",
    modes: { entra: ["azure_entra_tenant_id", "azure_entra_client_id", "azure_entra_client_secret", "azure_vault_url"], managed: ["azure_vault_url"], default: ["azure_vault_url"] },
  },
  hashicorp_vault: {
    field: "vault_auth_type",
    modes: { token: ["vault_addr", "vault_token"], approle: ["vault_addr", "vault_role_id", "vault_secret_id"], kubernetes: ["vault_addr", "vault_role"] },
  },
};

/** `auth_config` fields that are credentials: shown only masked, as `masked_<field>`. */
export const SECRET_AUTH_FIELDS = new Set(["aws_access_key_id", "aws_secret_access_key", "azure_entra_client_secret", "vault_token", "vault_secret_id"]);

/** The secret reference routes and their rules. */
export class PortkeySecretReferenceRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/secret-references", (ctx) => this.createReference(ctx))
      .add("GET", "/secret-references", (ctx) => this.listReferences(ctx))
      .add("GET", "/secret-references/{secretReferenceId}", (ctx) => this.getReference(ctx))
      .add("PUT", "/secret-references/{secretReferenceId}", (ctx) => this.updateReference(ctx))
      .add("DELETE", "/secret-references/{secretReferenceId}", (ctx) => this.deleteReference(ctx));
  }

  private createReference(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "secret_references.create", { organisationOnly: true });
    const body = this.shared.checkedBody(ctx);
    const state = this.shared.state(ctx);
    if (body.organisation_id !== undefined && body.organisation_id !== state.organisation_id) throw portkeyError("AB03", "You do not have access to this organisation");
    const name = requireString(body, "name", 1, 255);
    const managerType = body.manager_type as ManagerType;
    const slug = optionalString(body, "slug") ?? slugFromName(name);
    if (Object.values(referencesOf(state)).some((r) => r.slug === slug)) throw portkeyError("AB01", `Invalid request. slug: a secret reference with slug ${slug} already exists`);
    const authConfig = checkedAuthConfig(managerType, body.auth_config);
    const listed = body.allowed_workspaces === undefined ? undefined : this.workspaceIds(ctx, body.allowed_workspaces);
    if (body.allow_all_workspaces === true && listed) {
      throw portkeyError("AB01", "Invalid request. allowed_workspaces: cannot be given with allow_all_workspaces true");
    }
    const now = ctx.now.toISOString();
    const record: SecretReferenceRecord = {
      id: randomUUID(),
      slug,
      name,
      description: optionalString(body, "description", 0, 1024) ?? null,
      manager_type: managerType,
      auth_config: authConfig,
      secret_path: requireString(body, "secret_path", 1, 1024),
      secret_key: optionalString(body, "secret_key", 0, 255) ?? null,
      // A list given alone means only those workspaces.
      allow_all_workspaces: listed ? false : body.allow_all_workspaces !== false,
      allowed_workspaces: listed ?? [],
      tags: isObject(body.tags) ? (structuredClone(body.tags) as Record<string, string>) : null,
      created_by: ctx.principal.kind === "key" ? ctx.principal.key.id : state.organisation_id,
      created_at: now,
      last_updated_at: now,
    };
    if (!record.allow_all_workspaces && record.allowed_workspaces.length === 0) {
      throw portkeyError("AB01", "Invalid request. allowed_workspaces: is required when allow_all_workspaces is false");
    }
    referencesOf(state)[record.id] = record;
    return { body: { id: record.id, slug: record.slug, object: "secret-reference" } };
  }

  private listReferences(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "secret_references.list", { organisationOnly: true });
    const managerType = ctx.query.get("manager_type");
    const search = ctx.query.get("search")?.toLowerCase();
    const size = boundedInt(ctx.query.get("page_size"), 20, 1, 100);
    const current = boundedInt(ctx.query.get("current_page"), 0, 0, 1_000_000);
    const all = Object.values(referencesOf(this.shared.state(ctx)))
      .filter((r) => !managerType || r.manager_type === managerType)
      .filter((r) => !search || r.name.toLowerCase().includes(search) || r.slug.toLowerCase().includes(search))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    const data = all.slice(current * size, current * size + size).map((r) => ({
      id: r.id,
      name: r.name,
      slug: r.slug,
      manager_type: r.manager_type,
      status: "ACTIVE",
      created_at: r.created_at,
      last_updated_at: r.last_updated_at,
      object: "secret-reference",
    }));
    return { body: { object: "list", total: all.length, data } };
  }

  private getReference(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "secret_references.read", { organisationOnly: true });
    const r = this.find(ctx);
    const state = this.shared.state(ctx);
    return {
      body: {
        id: r.id,
        organisation_id: state.organisation_id,
        name: r.name,
        slug: r.slug,
        description: r.description,
        manager_type: r.manager_type,
        secret_path: r.secret_path,
        secret_key: r.secret_key,
        allow_all_workspaces: r.allow_all_workspaces,
        tags: r.tags,
        status: "ACTIVE",
        created_by: r.created_by,
        created_at: r.created_at,
        last_updated_at: r.last_updated_at,
        auth_config: maskedAuthConfig(r.auth_config),
        object: "secret-reference",
      },
    };
  }

  private updateReference(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "secret_references.update", { organisationOnly: true });
    const record = this.find(ctx);
    const body = this.shared.checkedBody(ctx);
    const known = ["name", "description", "auth_config", "secret_path", "secret_key", "allow_all_workspaces", "allowed_workspaces", "tags"];
    if (!known.some((field) => field in body)) throw portkeyError("AB01", "Invalid request. Nothing to update");
    if (body.allow_all_workspaces === true && body.allowed_workspaces !== undefined) {
      throw portkeyError("AB01", "Invalid request. allowed_workspaces: cannot be given with allow_all_workspaces true");
    }
    if (body.allow_all_workspaces === false && body.allowed_workspaces === undefined && record.allowed_workspaces.length === 0) {
      throw portkeyError("AB01", "Invalid request. allowed_workspaces: is required when allow_all_workspaces is false");
    }
    // Everything is checked before anything changes.
    const listed = body.allowed_workspaces === undefined ? undefined : this.workspaceIds(ctx, body.allowed_workspaces);
    const merged = body.auth_config === undefined ? undefined : checkedAuthConfig(record.manager_type, mergedAuthConfig(record.auth_config, body.auth_config));
    if (body.name !== undefined) record.name = requireString(body, "name", 1, 255);
    if ("description" in body) record.description = optionalString(body, "description", 0, 1024) ?? null;
    if (merged) record.auth_config = merged;
    if (body.secret_path !== undefined) record.secret_path = requireString(body, "secret_path", 1, 1024);
    if ("secret_key" in body) record.secret_key = optionalString(body, "secret_key", 0, 255) ?? null;
    if ("tags" in body) record.tags = isObject(body.tags) ? (structuredClone(body.tags) as Record<string, string>) : null;
    if (listed) {
      record.allowed_workspaces = listed;
      record.allow_all_workspaces = false;
    } else if (body.allow_all_workspaces === true) {
      record.allow_all_workspaces = true;
      record.allowed_workspaces = [];
    } else if (body.allow_all_workspaces === false) {
      record.allow_all_workspaces = false;
    }
    record.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteReference(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "secret_references.delete", { organisationOnly: true });
    const record = this.find(ctx);
    const state = this.shared.state(ctx);
    const users = Object.values(state.integrations).filter((i) => (i.secret_mappings ?? []).some((m) => m.secret_reference_id === record.id || m.secret_reference_id === record.slug));
    if (users.length > 0) {
      throw portkeyError("AB01", `Invalid request. The secret reference is in use by integrations: ${users.map((i) => i.slug).join(", ")}`);
    }
    delete referencesOf(state)[record.id];
    return { body: {} };
  }

  /** By UUID or slug; 404 AB08 when there is none. */
  private find(ctx: PortkeyRequest): SecretReferenceRecord {
    const given = ctx.params.secretReferenceId;
    const record = findSecretReference(this.shared.state(ctx), given);
    if (!record) throw portkeyError("AB08", `Secret reference not found: ${given}`);
    return record;
  }

  /** `allowed_workspaces` (UUIDs or slugs) as workspace UUIDs; an unknown one is a bad request. */
  private workspaceIds(ctx: PortkeyRequest, value: unknown): string[] {
    const given = value as string[];
    return [
      ...new Set(
        given.map((idOrSlug) => {
          try {
            return this.shared.findWorkspace(ctx, idOrSlug).id;
          } catch {
            throw portkeyError("AB01", `Invalid request. allowed_workspaces: workspace ${idOrSlug} does not exist`);
          }
        }),
      ),
    ];
  }
}

/** A secret reference by UUID or slug (integrations' `secret_mappings` name them either way). */
export function findSecretReference(state: PortkeyState, idOrSlug: string): SecretReferenceRecord | undefined {
  const all = referencesOf(state);
  return all[idOrSlug] ?? Object.values(all).find((r) => r.slug === idOrSlug);
}

function referencesOf(state: PortkeyState): Record<string, SecretReferenceRecord> {
  return (state.secret_references ??= {});
}

/** The document's default slug: from the name, within the slug pattern. */
function slugFromName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 255) || "secret-reference";
}

/** `auth_config` must name a mode of the manager type's family and carry that mode's required fields. */
function checkedAuthConfig(managerType: ManagerType, value: unknown): Record<string, unknown> {
  if (!isObject(value)) throw portkeyError("AB01", "Invalid request. auth_config: must be an object");
  const family = AUTH_MODES[managerType];
  const mode = value[family.field];
  const required = typeof mode === "string" ? family.modes[mode] : undefined;
  if (!required) {
    throw portkeyError("AB01", `Invalid request. auth_config.${family.field}: must be one of ${Object.keys(family.modes).join(", ")} for manager_type ${managerType}`);
  }
  const missing = required.filter((field) => typeof value[field] !== "string" || value[field] === "");
  if (missing.length > 0) throw portkeyError("AB01", `Invalid request. auth_config: ${mode} needs ${missing.join(", ")}`);
  return structuredClone(value);
}

/** An update's `auth_config` over the stored one, field by field; a new mode starts over. */
function mergedAuthConfig(stored: JsonObject, update: unknown): unknown {
  if (!isObject(update)) return update;
  const modeField = Object.values(AUTH_MODES).find((f) => f.field in stored)?.field;
  if (modeField && update[modeField] !== undefined && update[modeField] !== stored[modeField]) return update;
  return { ...stored, ...update };
}

function maskedAuthConfig(auth: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const [field, value] of Object.entries(auth)) {
    if (!SECRET_AUTH_FIELDS.has(field)) result[field] = value;
    else result[`masked_${field}`] = typeof value === "string" && value.length > 4 ? `${value.slice(0, 2)}*******${value.slice(-2)}` : "*******";
  }
  return result;
}

function boundedInt(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw portkeyError("AB01", `Invalid pagination value: ${raw}`);
  return n;
}
