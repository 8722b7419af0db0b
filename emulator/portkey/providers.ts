/**
 * Portkey providers (formerly virtual keys), /providers (reference more §3):
 * a workspace's handle on an integration, with its own budget and rate
 * limit, addressed by slug within its workspace (`?workspace_id=`, required
 * with an organisation admin key). A provider needs the integration to be
 * usable by the workspace (its own integration, or enabled access), else 403.
 *
 * Where sources disagree: the document's create and update take
 * `rate_limits` as one object while answers carry a list; this takes the
 * object and answers the list. The Terraform provider puts `workspace_id` in
 * the update body instead of the query: both are accepted. The document says
 * `integration_id` is the integration's slug; the Terraform provider passes
 * the slug or the UUID: both are accepted, the slug is answered.
 *
 * Default providers: a grant of access (and a workspace's own integration)
 * creates one unless `create_default_provider` is false, named after the
 * integration, with the slug `default_provider_slug` or, when none is given,
 * the integration's slug (the live format is not established, reference more
 * §15). They carry no note, limits or expiry, like any provider just made.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { authorize, allowed, isObject, JsonObject, optionalString, page, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString, slugPart } from "./common";
import { rateLimitList, usageLimit, usageLimitJson } from "./limits";
import { IntegrationRecord, PortkeyState, ProviderRecord } from "./state";
import { accessRows } from "./workspace-access";

const SLUG = /^[a-zA-Z0-9_-]+$/;

/** The provider routes and their rules. */
export class PortkeyProviderRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/providers", (ctx) => this.createProvider(ctx))
      .add("GET", "/providers", (ctx) => this.listProviders(ctx))
      .add("GET", "/providers/{slug}", (ctx) => this.getProvider(ctx))
      .add("PUT", "/providers/{slug}", (ctx) => this.updateProvider(ctx))
      .add("DELETE", "/providers/{slug}", (ctx) => this.deleteProvider(ctx));
  }

  private createProvider(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const workspaceId = this.workspaceOf(ctx, body.workspace_id);
    authorize(ctx, "providers.create", { workspaceId });
    const state = this.shared.state(ctx);
    const name = requireString(body, "name", 1, 255);
    const integration = this.integrationOf(state, requireString(body, "integration_id", 1, 255));
    if (!usableBy(state, integration, workspaceId)) {
      throw portkeyError("AB03", `The integration ${integration.slug} is not enabled for this workspace: grant the workspace access to it first`);
    }
    const given = optionalString(body, "slug", 1, 255);
    if (given !== undefined && !SLUG.test(given)) throw portkeyError("AB01", "Invalid request. slug: must contain only letters, digits, - and _");
    const slug = given ?? `${slugPart(name)}-${randomBytes(3).toString("hex")}`;
    if (findBySlug(state, workspaceId, slug)) throw portkeyError("AB07", `A provider with slug ${slug} already exists in the workspace`);
    const now = ctx.now.toISOString();
    const record: ProviderRecord = {
      id: randomUUID(),
      slug,
      workspace_id: workspaceId,
      integration_slug: integration.slug,
      created_at: now,
      name,
      note: optionalString(body, "note") ?? null,
      usage_limits: body.usage_limits === undefined || body.usage_limits === null ? null : usageLimit(body.usage_limits, "usage_limits", ctx.now),
      rate_limits: rateLimitsOf(body.rate_limits) ?? [],
      expires_at: dateTime(body, "expires_at") ?? null,
      last_reset_at: null,
      last_updated_at: now,
    };
    state.providers[record.id] = record;
    return { body: { id: record.id, slug } };
  }

  private listProviders(ctx: PortkeyRequest): HandlerResult {
    const workspaceId = this.workspaceOf(ctx, ctx.query.get("workspace_id"));
    authorize(ctx, "providers.list", { workspaceId });
    const state = this.shared.state(ctx);
    const providers = Object.values(state.providers)
      .filter((p) => p.workspace_id === workspaceId)
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    // The document's default page size is 50 (other admin lists: 100).
    const query = new URLSearchParams(ctx.query);
    if (!query.get("page_size")) query.set("page_size", "50");
    return { body: page(providers, query, (p) => providerJson(state, p, ctx.now)) };
  }

  private getProvider(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    return { body: providerJson(state, this.find(ctx, "providers.read"), ctx.now) };
  }

  private updateProvider(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const record = this.find(ctx, "providers.update", body.workspace_id);
    if (body.name !== undefined) record.name = requireString(body, "name", 1, 255);
    if (body.note !== undefined) record.note = optionalString(body, "note") ?? null;
    if (body.usage_limits !== undefined) record.usage_limits = body.usage_limits === null ? null : usageLimit(body.usage_limits, "usage_limits", ctx.now);
    if (body.rate_limits !== undefined) record.rate_limits = rateLimitsOf(body.rate_limits) ?? [];
    if (body.expires_at !== undefined) record.expires_at = dateTime(body, "expires_at") ?? null;
    if (body.reset_usage === true) record.last_reset_at = ctx.now.toISOString();
    record.last_updated_at = ctx.now.toISOString();
    return { body: { id: record.id, slug: record.slug } };
  }

  private deleteProvider(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "providers.delete");
    delete this.shared.state(ctx).providers[record.id];
    return { body: {} };
  }

  /** The workspace named (UUID or slug); a workspace key's own when none is; required with an organisation key. */
  private workspaceOf(ctx: PortkeyRequest, given: unknown): string {
    if (given !== undefined && given !== null && given !== "") {
      if (typeof given !== "string") throw portkeyError("AB01", "Invalid request. workspace_id: must be a string");
      return this.shared.findWorkspace(ctx, given).id;
    }
    const principal = ctx.principal;
    if (principal.kind === "key" && principal.key.type === "workspace" && principal.key.workspace_id) return principal.key.workspace_id;
    throw portkeyError("AB01", "Invalid request. workspace_id: is required when using an organisation admin API key");
  }

  /** By slug (or, as the Terraform provider passes it, UUID) in the query's (or body's) workspace. */
  private find(ctx: PortkeyRequest, scope: string, bodyWorkspace?: unknown): ProviderRecord {
    const workspaceId = this.workspaceOf(ctx, ctx.query.get("workspace_id") ?? bodyWorkspace);
    authorize(ctx, scope, { workspaceId });
    const state = this.shared.state(ctx);
    const key = ctx.params.slug;
    const record = findBySlug(state, workspaceId, key) ?? (state.providers[key]?.workspace_id === workspaceId ? state.providers[key] : undefined);
    if (!record || !allowed(ctx, scope, record.workspace_id)) throw portkeyError("AB08", `Provider not found: ${key}`);
    return record;
  }

  /** By slug (the document) or UUID (the Terraform provider). */
  private integrationOf(state: PortkeyState, idOrSlug: string): IntegrationRecord {
    const integration = state.integrations[idOrSlug] ?? Object.values(state.integrations).find((i) => i.id === idOrSlug);
    if (!integration) throw portkeyError("AB08", `Integration not found: ${idOrSlug}`);
    return integration;
  }
}

/**
 * Records the default provider a grant or a workspace's integration creates
 * (see the file comment). The caller has checked the slug is free.
 */
export function addDefaultProvider(state: PortkeyState, integration: IntegrationRecord, workspaceId: string, slug: string, now: Date): void {
  const id = randomUUID();
  const at = now.toISOString();
  state.providers[id] = {
    id,
    slug,
    workspace_id: workspaceId,
    integration_slug: integration.slug,
    created_at: at,
    name: integration.name,
    note: null,
    usage_limits: null,
    rate_limits: [],
    expires_at: null,
    last_reset_at: null,
    last_updated_at: at,
  };
}

function findBySlug(state: PortkeyState, workspaceId: string, slug: string): ProviderRecord | undefined {
  return Object.values(state.providers).find((p) => p.workspace_id === workspaceId && p.slug === slug);
}

/** A workspace's own integration, or one it has enabled access to. */
function usableBy(state: PortkeyState, integration: IntegrationRecord, workspaceId: string): boolean {
  if (integration.workspace_id) return integration.workspace_id === workspaceId;
  return accessRows(state, integration).some((row) => row.enabled && row.workspace_id === workspaceId);
}

/** One rate limit object (the document's request form) as the stored list. */
function rateLimitsOf(value: unknown): ReturnType<typeof rateLimitList> {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw portkeyError("AB01", "Invalid request. rate_limits: must be an object");
  return rateLimitList([value], 1, "rate_limits");
}

function dateTime(body: JsonObject, field: string): string | undefined {
  const value = optionalString(body, field);
  if (value === undefined) return undefined;
  if (Number.isNaN(Date.parse(value))) throw portkeyError("AB01", `Invalid request. ${field}: must be a date-time`);
  return new Date(value).toISOString();
}

/** A provider as GET answers it: the document's fields plus `id`, `workspace_id` and `last_reset_at` (live). */
function providerJson(state: PortkeyState, p: ProviderRecord, now: Date): JsonObject {
  const expired = p.expires_at ? Date.parse(p.expires_at) <= now.getTime() : false;
  return {
    id: p.id,
    name: p.name ?? state.integrations[p.integration_slug]?.name ?? p.slug,
    slug: p.slug,
    integration_id: p.integration_slug,
    workspace_id: p.workspace_id,
    note: p.note ?? null,
    status: expired ? "expired" : "active",
    usage_limits: p.usage_limits ? usageLimitJson(p.usage_limits) : null,
    rate_limits: (p.rate_limits ?? []).map((r) => ({ ...r })),
    reset_usage: null,
    expires_at: p.expires_at ?? null,
    last_reset_at: p.last_reset_at ?? null,
    created_at: p.created_at,
    object: "provider",
  };
}
