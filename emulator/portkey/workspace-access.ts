/**
 * Which workspaces may use an integration, /integrations/{slug}/workspaces:
 * per-workspace rows with their own limits, global access for every other
 * workspace, a PUT validated and applied as one batch, and the default
 * provider a grant creates in the workspace.
 */
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { authorize, isObject, JsonObject, optionalString, PortkeyPrincipal, PortkeyRequest, PortkeyShared } from "./common";
import { rateLimitList, usageLimitJson, usageLimitList, visibleLimits } from "./limits";
import { addDefaultProvider } from "./providers";
import { AccessRow, GlobalAccessRecord, IntegrationRecord, PortkeyState, WorkspaceRecord } from "./state";

/** The workspace access routes and their rules. */
export class PortkeyWorkspaceAccessRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("GET", "/integrations/{slug}/workspaces", (ctx) => this.getWorkspaceAccess(ctx))
      .add("PUT", "/integrations/{slug}/workspaces", (ctx) => this.updateWorkspaceAccess(ctx));
  }

  private getWorkspaceAccess(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_integrations.read");
    const integration = this.shared.findIntegration(ctx, ctx.params.slug);
    const state = this.shared.state(ctx);
    const rows = accessRows(state, integration).map((row) => {
      const limits = visibleLimits(row, ctx.now);
      return {
        id: state.workspaces[row.workspace_id].slug,
        enabled: row.enabled,
        usage_limits: limits.usage_limits.map(usageLimitJson),
        rate_limits: limits.rate_limits.map((r) => ({ ...r })),
      };
    });
    return { body: { total: rows.length, workspaces: rows } };
  }

  private updateWorkspaceAccess(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_integrations.update");
    const integration = this.shared.findIntegration(ctx, ctx.params.slug);
    const body = this.shared.checkedBody(ctx);
    const items = Array.isArray(body.workspaces) ? (body.workspaces as JsonObject[]) : [];
    const topCreate = body.create_default_provider !== false;
    const topSlug = optionalString(body, "default_provider_slug");
    const providers = this.shared.state(ctx).providers;

    // Validate the whole batch before changing anything: the API rejects it as one.
    const seen = new Set<string>();
    const plan = items.map((item, index) => {
      const where = `workspaces[${index}]`;
      const workspaceId = typeof item.id === "string" ? item.id : "";
      let workspace: WorkspaceRecord;
      try {
        workspace = this.shared.findWorkspace(ctx, workspaceId);
      } catch {
        throw portkeyError("AB01", `${where}.id: workspace ${workspaceId} does not exist`);
      }
      if (seen.has(workspace.id)) throw portkeyError("AB01", `${where}.id: workspace ${workspaceId} is listed twice`);
      seen.add(workspace.id);
      const usage = this.shared.limitsUpdate(item, "usage_limits", (v) => usageLimitList(v, ctx.now, 1, `${where}.usage_limits`));
      const rate = this.shared.limitsUpdate(item, "rate_limits", (v) => rateLimitList(v, 1, `${where}.rate_limits`));
      const wantsProvider = item.enabled === true && (typeof item.create_default_provider === "boolean" ? item.create_default_provider : topCreate);
      const hasProvider = Object.values(providers).some((p) => p.workspace_id === workspace.id && p.integration_slug === integration.slug);
      const providerSlug = optionalString(item, "default_provider_slug") ?? topSlug ?? integration.slug;
      if (wantsProvider && !hasProvider && Object.values(providers).some((p) => p.workspace_id === workspace.id && p.slug === providerSlug)) {
        throw portkeyError("AB01", `${where}.default_provider_slug: a provider with slug ${providerSlug} already exists in the workspace`);
      }
      return { item, workspace, usage, rate, createProvider: wantsProvider && !hasProvider, providerSlug };
    });

    const global = globalAccess(body.global_workspace_access, "global_workspace_access", ctx.now);
    if (global !== undefined) integration.global_workspace_access_settings = global;
    if (body.override_existing_workspace_access === true) {
      for (const row of Object.values(integration.access)) {
        if (!seen.has(row.workspace_id)) row.enabled = false;
      }
    }
    for (const step of plan) {
      const row: AccessRow = (integration.access[step.workspace.id] ??= {
        workspace_id: step.workspace.id,
        enabled: false,
        usage_limits: [],
        rate_limits: [],
        last_reset_at: null,
        stale: null,
      });
      const before = { usage_limits: row.usage_limits, rate_limits: row.rate_limits };
      row.enabled = step.item.enabled === true;
      if (step.usage !== undefined) row.usage_limits = step.usage;
      if (step.rate !== undefined) row.rate_limits = step.rate;
      if (step.usage !== undefined || step.rate !== undefined) row.stale = this.shared.staleFrom(before, ctx.now);
      if (step.item.reset_usage === true) row.last_reset_at = ctx.now.toISOString();
      if (step.createProvider) addDefaultProvider(this.shared.state(ctx), integration, step.workspace.id, step.providerSlug, ctx.now);
    }
    integration.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }
}

/**
 * The effective access rows: the stored per-workspace rows of live
 * workspaces, then, while global access is enabled, every other live
 * workspace (created later ones included) as an enabled row carrying the
 * global limits. A stored row, enabled or not, always wins over global access.
 */
export function accessRows(state: PortkeyState, i: IntegrationRecord): AccessRow[] {
  const workspaces = state.workspaces;
  const live = (id: string) => workspaces[id] !== undefined && !workspaces[id].deleted_at;
  const rows = Object.values(i.access).filter((row) => live(row.workspace_id));
  const global = i.global_workspace_access_settings;
  if (!global?.enabled) return rows;
  const others = Object.values(workspaces)
    .filter((w) => !w.deleted_at && !i.access[w.id])
    .sort((a, b) => a.created_at.localeCompare(b.created_at))
    .map((w): AccessRow => ({
      workspace_id: w.id,
      enabled: true,
      usage_limits: global.usage_limits ?? [],
      rate_limits: global.rate_limits ?? [],
      last_reset_at: null,
      stale: null,
    }));
  return [...rows, ...others];
}

/**
 * `GlobalWorkspaceAccess`, named `global_workspace_access_settings` on an
 * integration and `global_workspace_access` in an access PUT; undefined when
 * not in the body, null when sent as null.
 */
export function globalAccess(value: unknown, where: string, now: Date): GlobalAccessRecord | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (!isObject(value) || typeof value.enabled !== "boolean") throw portkeyError("AB01", `Invalid request. ${where}.enabled: is required and must be a boolean`);
  return {
    enabled: value.enabled,
    usage_limits: value.usage_limits ? usageLimitList(value.usage_limits, now, 1, `${where}.usage_limits`) ?? null : null,
    rate_limits: value.rate_limits ? rateLimitList(value.rate_limits, 1, `${where}.rate_limits`) ?? null : null,
  };
}
