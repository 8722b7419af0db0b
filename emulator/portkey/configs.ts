/**
 * Portkey gateway configs, /configs: addressed by a server-set slug, scoped to
 * a workspace (required with an organisation admin key), re-serialised by the
 * server, and versioned (every PUT makes a new `version_id`).
 *
 * Where the official document and the live API differ, this answers as the
 * live API does (the Terraform provider and another client tested live read
 * these answers at the top level): the create `{id, slug, version_id}`, the
 * GET the whole object with `config` as JSON text (the document's example
 * shows an object), the PUT `{version_id}`. The list keeps the document's
 * `{success, data}` envelope, which no live-tested source contradicts.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { allowed, authorize, isObject, JsonObject, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString, slugPart } from "./common";
import { ConfigRecord, ConfigVersionRecord, PortkeyState } from "./state";

/** The config routes and their rules. */
export class PortkeyConfigRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/configs", (ctx) => this.createConfig(ctx))
      .add("GET", "/configs", (ctx) => this.listConfigs(ctx))
      .add("GET", "/configs/{slug}", (ctx) => this.getConfig(ctx))
      .add("PUT", "/configs/{slug}", (ctx) => this.updateConfig(ctx))
      .add("DELETE", "/configs/{slug}", (ctx) => this.deleteConfig(ctx))
      .add("GET", "/configs/{slug}/versions", (ctx) => this.listVersions(ctx));
  }

  private createConfig(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const name = requireString(body, "name", 1, 255);
    const config = configText(body.config, true)!;
    const isDefault = body.isDefault;
    if (isDefault !== undefined && isDefault !== 0 && isDefault !== 1) throw portkeyError("AB01", "Invalid request. isDefault: must be 0 or 1");
    const workspaceId = this.workspaceOf(ctx, body.workspace_id);
    authorize(ctx, "configs.create", { workspaceId });
    const now = ctx.now.toISOString();
    const version: ConfigVersionRecord = { version_id: randomUUID(), name, config, status: "active", created_at: now };
    const record: ConfigRecord = {
      id: randomUUID(),
      slug: newSlug(name),
      name,
      workspace_id: workspaceId,
      config,
      is_default: isDefault ?? 0,
      status: "active",
      version_id: version.version_id,
      versions: [version],
      created_at: now,
      last_updated_at: now,
    };
    configsOf(this.shared.state(ctx))[record.slug] = record;
    return { body: { id: record.id, slug: record.slug, version_id: record.version_id } };
  }

  private listConfigs(ctx: PortkeyRequest): HandlerResult {
    const filter = ctx.query.get("workspace_id");
    const workspaceId = filter ? this.shared.findWorkspace(ctx, filter).id : undefined;
    const state = this.shared.state(ctx);
    const configs = Object.values(configsOf(state))
      .filter((c) => workspaceLive(state, c.workspace_id))
      .filter((c) => !workspaceId || c.workspace_id === workspaceId)
      .filter((c) => allowed(ctx, "configs.list", c.workspace_id))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { body: { success: true, data: configs.map((c) => this.summaryJson(c, state)) } };
  }

  private getConfig(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.find(ctx, "configs.read");
    return { body: { ...this.summaryJson(record, state), config: record.config, version_id: record.version_id, format: "json", type: "ORG_CONFIG", object: "config" } };
  }

  private updateConfig(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "configs.update");
    const body = this.shared.checkedBody(ctx);
    if (body.name !== undefined) record.name = requireString(body, "name", 1, 255);
    const config = configText(body.config, false);
    if (config !== undefined) record.config = config;
    if (body.status !== undefined) record.status = requireString(body, "status", 1, 50);
    // Every PUT saves a new version, whatever it changed.
    const now = ctx.now.toISOString();
    const version: ConfigVersionRecord = { version_id: randomUUID(), name: record.name, config: record.config, status: record.status, created_at: now };
    record.versions.push(version);
    record.version_id = version.version_id;
    record.last_updated_at = now;
    return { body: { version_id: version.version_id } };
  }

  private deleteConfig(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "configs.delete");
    const state = this.shared.state(ctx);
    // Backend 1.16.2: a config that is a workspace's default for user API keys cannot be deleted.
    const user = Object.values(state.workspaces).find(
      (w) => !w.deleted_at && (w.user_api_key_config === record.slug || w.user_api_key_config === record.id),
    );
    if (user) throw portkeyError("AB07", `Unable to delete. The config is the default config of user API keys in workspace ${user.slug}`);
    delete configsOf(state)[record.slug];
    return { body: {} };
  }

  private listVersions(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.find(ctx, "configs.read");
    const summary = this.summaryJson(record, state);
    const data = [...record.versions].reverse().map((v) => ({
      ...summary,
      name: v.name,
      status: v.status,
      last_updated_at: v.created_at,
      config: v.config,
      format: "json",
      type: "ORG_CONFIG",
      version_id: v.version_id,
      object: "config",
    }));
    return { body: { object: "list", total: data.length, data } };
  }

  /**
   * The workspace a new config goes to: the body's (UUID or slug); a
   * workspace key's own when the body names none; required with an
   * organisation key ("needed with Admin keys").
   */
  private workspaceOf(ctx: PortkeyRequest, given: unknown): string {
    if (given !== undefined && given !== null && given !== "") {
      if (typeof given !== "string") throw portkeyError("AB01", "Invalid request. workspace_id: must be a string");
      return this.shared.findWorkspace(ctx, given).id;
    }
    const principal = ctx.principal;
    if (principal.kind === "key" && principal.key.type === "workspace" && principal.key.workspace_id) return principal.key.workspace_id;
    throw portkeyError("AB01", "Invalid request. workspace_id: is required when using an organisation admin API key");
  }

  /** By slug (the only way the API names a config in a path), in a live workspace the caller may use with `scope`. */
  private find(ctx: PortkeyRequest, scope: string): ConfigRecord {
    const state = this.shared.state(ctx);
    const slug = ctx.params.slug;
    const record = configsOf(state)[slug];
    // Deleting a workspace (force_delete) takes its configs with it.
    if (!record || !workspaceLive(state, record.workspace_id)) throw portkeyError("AB08", `Config not found: ${slug}`);
    authorize(ctx, scope, { workspaceId: record.workspace_id });
    return record;
  }

  /** The fields the document lists for list items. */
  private summaryJson(c: ConfigRecord, state: PortkeyState): JsonObject {
    return {
      id: c.id,
      name: c.name,
      slug: c.slug,
      organisation_id: state.organisation_id,
      workspace_id: c.workspace_id,
      is_default: c.is_default,
      status: c.status,
      owner_id: null,
      updated_by: null,
      created_at: c.created_at,
      last_updated_at: c.last_updated_at,
    };
  }
}

/** The organisation's configs (older state files have none yet). */
function configsOf(state: PortkeyState): Record<string, ConfigRecord> {
  return (state.configs ??= {});
}

function workspaceLive(state: PortkeyState, id: string): boolean {
  const workspace = state.workspaces[id];
  return !!workspace && !workspace.deleted_at;
}

/** Slugs like the document's `pc-pplx-c-ca7a87` (name "Pplx Cache Test"): a prefix, six characters of the name, six hex digits. */
function newSlug(name: string): string {
  const part = slugPart(name).slice(0, 6).replace(/-+$/, "") || "config";
  return `pc-${part}-${randomBytes(3).toString("hex")}`;
}

/** The body's `config` (an object, per the document) as the server stores it: JSON text with keys sorted. */
function configText(value: unknown, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (!isObject(value)) throw portkeyError("AB01", `Invalid request. config: ${required ? "is required and " : ""}must be an object`);
  return JSON.stringify(sortedKeys(value));
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys(value[key])]),
  );
}
