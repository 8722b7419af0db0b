/**
 * Portkey integrations, /integrations: a provider's credentials held for the
 * organisation or one workspace, configurations checked against the
 * document's schema for the provider, and secrets only ever shown masked.
 * A workspace's integration gets a default provider in that workspace unless
 * `create_default_provider` is false (reference §5.1, more §1).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { authorize, JsonObject, optionalString, page, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString, slugPart } from "./common";
import { IntegrationRecord, SecretMappingRecord } from "./state";
import { findSecretReference } from "./secret-references";
import { accessRows, globalAccess } from "./workspace-access";
import { addDefaultProvider } from "./providers";

/** The integration routes and their rules. */
export class PortkeyIntegrationRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/integrations", (ctx) => this.createIntegration(ctx))
      .add("GET", "/integrations", (ctx) => this.listIntegrations(ctx))
      .add("GET", "/integrations/{slug}", (ctx) => this.getIntegration(ctx))
      .add("PUT", "/integrations/{slug}", (ctx) => this.updateIntegration(ctx))
      .add("DELETE", "/integrations/{slug}", (ctx) => this.deleteIntegration(ctx));
  }

  private createIntegration(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const workspaceGiven = optionalString(body, "workspace_id");
    const workspaceId = workspaceGiven ? this.shared.findWorkspace(ctx, workspaceGiven).id : null;
    authorize(ctx, workspaceId ? "workspace_integrations.create" : "organisation_integrations.create", {
      workspaceId: workspaceId ?? undefined,
    });
    const name = requireString(body, "name", 1, 100);
    const slug = optionalString(body, "slug") ?? `${slugPart(name)}-${randomBytes(3).toString("hex")}`;
    if (this.shared.state(ctx).integrations[slug]) throw portkeyError("AB07", `An integration with slug ${slug} already exists`);
    const now = ctx.now.toISOString();
    const aiProviderId = requireString(body, "ai_provider_id", 1, 100);
    // Only a workspace's integration makes a default provider (the document: "workspace-scoped only").
    const providerSlug = workspaceId && body.create_default_provider !== false ? (optionalString(body, "default_provider_slug") ?? slug) : undefined;
    const providers = this.shared.state(ctx).providers;
    if (providerSlug && Object.values(providers).some((p) => p.workspace_id === workspaceId && p.slug === providerSlug)) {
      throw portkeyError("AB01", `Invalid request. default_provider_slug: a provider with slug ${providerSlug} already exists in the workspace`);
    }
    const integration: IntegrationRecord = {
      id: randomUUID(),
      slug,
      name,
      ai_provider_id: aiProviderId,
      key: optionalString(body, "key") ?? null,
      description: optionalString(body, "description") ?? null,
      workspace_id: workspaceId,
      configurations: this.configurations(aiProviderId, body.configurations),
      global_workspace_access_settings: globalAccess(body.global_workspace_access_settings, "global_workspace_access_settings", ctx.now) ?? null,
      created_at: now,
      last_updated_at: now,
      access: {},
      secret_mappings: this.secretMappings(ctx, body.secret_mappings, workspaceId) ?? [],
      pricing_adjustments: pricingAdjustments(body.pricing_adjustments) ?? null,
    };
    this.shared.state(ctx).integrations[slug] = integration;
    if (providerSlug && workspaceId) addDefaultProvider(this.shared.state(ctx), integration, workspaceId, providerSlug, ctx.now);
    return { body: { id: integration.id, slug } };
  }

  private listIntegrations(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_integrations.list");
    // `type` (default all) and `workspace_id` (integrations that workspace can use: its own and those shared with it).
    const type = ctx.query.get("type") ?? "all";
    if (!["all", "organisation", "workspace"].includes(type)) throw portkeyError("AB01", `Invalid request. type: must be one of workspace, organisation, all`);
    const workspaceGiven = ctx.query.get("workspace_id");
    const workspace = workspaceGiven ? this.shared.findWorkspace(ctx, workspaceGiven) : undefined;
    const state = this.shared.state(ctx);
    const all = Object.values(state.integrations)
      .filter((i) => type === "all" || (type === "workspace") === (i.workspace_id !== null))
      .filter((i) => !workspace || (i.workspace_id ? i.workspace_id === workspace.id : accessRows(state, i).some((r) => r.enabled && r.workspace_id === workspace.id)))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    const json = page(all, ctx.query, (i) => this.integrationJson(ctx, i, false));
    return { body: json };
  }

  private getIntegration(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_integrations.read");
    return { body: this.integrationJson(ctx, this.shared.findIntegration(ctx, ctx.params.slug), true) };
  }

  private updateIntegration(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_integrations.update");
    const integration = this.shared.findIntegration(ctx, ctx.params.slug);
    const body = this.shared.checkedBody(ctx);
    if (body.name !== undefined) integration.name = requireString(body, "name", 1, 100);
    if (body.key !== undefined) integration.key = optionalString(body, "key") ?? null;
    if (body.description !== undefined) integration.description = optionalString(body, "description") ?? null;
    if (body.configurations !== undefined) integration.configurations = this.configurations(integration.ai_provider_id, body.configurations);
    const global = globalAccess(body.global_workspace_access_settings, "global_workspace_access_settings", ctx.now);
    if (global !== undefined) integration.global_workspace_access_settings = global;
    const mappings = this.secretMappings(ctx, body.secret_mappings, integration.workspace_id);
    if (mappings !== undefined) integration.secret_mappings = mappings;
    const pricing = pricingAdjustments(body.pricing_adjustments);
    if (pricing !== undefined) integration.pricing_adjustments = pricing;
    integration.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteIntegration(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_integrations.delete");
    const integration = this.shared.findIntegration(ctx, ctx.params.slug);
    delete this.shared.state(ctx).integrations[integration.slug];
    return { body: {} };
  }

  private integrationJson(ctx: PortkeyRequest, i: IntegrationRecord, detailed: boolean): JsonObject {
    const state = this.shared.state(ctx);
    const json: JsonObject = {
      id: i.id,
      organisation_id: state.organisation_id,
      ai_provider_id: i.ai_provider_id,
      name: i.name,
      status: "active",
      created_at: i.created_at,
      last_updated_at: i.last_updated_at,
      slug: i.slug,
      description: i.description,
      type: i.workspace_id ? "workspace" : "organisation",
      workspace_id: i.workspace_id ? state.workspaces[i.workspace_id]?.slug ?? i.workspace_id : null,
      object: "integration",
    };
    if (detailed) {
      Object.assign(json, {
        masked_key: i.key ? `${i.key.slice(0, 2)}*******${i.key.slice(-2)}` : null,
        global_workspace_access_settings: i.global_workspace_access_settings,
        allow_all_models: i.models?.allow_all_models ?? true,
        workspace_count: accessRows(state, i).filter((r) => r.enabled).length,
        secret_mappings: structuredClone(i.secret_mappings ?? []),
        pricing_adjustments: structuredClone(i.pricing_adjustments ?? null),
      });
      // An integration created without configurations has none to show.
      if (i.configurations) json.configurations = maskedConfigurations(i.configurations);
    }
    return json;
  }

  /**
   * `secret_mappings` as stored (undefined: not in the body): each target
   * (`key` or `configurations.<field>`) once, each reference existing in the
   * organisation and, for a workspace's integration, open to that workspace
   * (reference more §1). `[]` clears them.
   */
  private secretMappings(ctx: PortkeyRequest, value: unknown, workspaceId: string | null): SecretMappingRecord[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw portkeyError("AB01", "Invalid request. secret_mappings: must be an array");
    const targets = new Set<string>();
    return value.map((item: JsonObject, i) => {
      const target = String(item.target_field);
      if (!/^(key|configurations\.[A-Za-z0-9_]+)$/.test(target)) {
        throw portkeyError("AB01", `Invalid request. secret_mappings.${i}.target_field: must be key or configurations.<field>`);
      }
      if (targets.has(target)) throw portkeyError("AB01", `Invalid request. secret_mappings.${i}.target_field: ${target} is mapped twice`);
      targets.add(target);
      const referenceId = String(item.secret_reference_id);
      const reference = findSecretReference(this.shared.state(ctx), referenceId);
      if (!reference) throw portkeyError("AB01", `Invalid request. secret_mappings.${i}.secret_reference_id: secret reference ${referenceId} does not exist`);
      if (workspaceId && !reference.allow_all_workspaces && !reference.allowed_workspaces.includes(workspaceId)) {
        throw portkeyError("AB01", `Invalid request. secret_mappings.${i}.secret_reference_id: secret reference ${referenceId} is not available to the workspace`);
      }
      const mapping: SecretMappingRecord = { target_field: target, secret_reference_id: referenceId, secret_key: typeof item.secret_key === "string" ? item.secret_key : null };
      if (item.value_format !== undefined) mapping.value_format = (item.value_format as string | null) ?? null;
      return mapping;
    });
  }

  /**
   * Checks `configurations` against the document's schema for the provider
   * (the document's own oneOf refuses every object; see spec.ts).
   */
  private configurations(aiProviderId: string, value: unknown): Record<string, unknown> | null {
    if (value === undefined || value === null) return null;
    const problems = this.shared.spec.checkConfigurations(aiProviderId, value);
    if (problems.length > 0) throw portkeyError("AB01", `Invalid request. ${problems.join("; ")}`);
    return structuredClone(value as Record<string, unknown>);
  }
}

/**
 * `pricing_adjustments` as stored (undefined: not in the body; null clears
 * them). The document's schema (checked before the handler) already refuses
 * unknown keys and negative multipliers (reference prompts-mcp-scim §11).
 */
function pricingAdjustments(value: unknown): Record<string, unknown> | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  return structuredClone(value as Record<string, unknown>);
}

/** Secret-bearing configuration fields; the API returns them only masked, renamed `masked_<field>`. */
const SECRET_CONFIGURATION_FIELD = /(secret|service_account_json|access_key_id|token|password)/;

function maskedConfigurations(configurations: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(configurations)) {
    if (!SECRET_CONFIGURATION_FIELD.test(field)) result[field] = structuredClone(value);
    else result[`masked_${field}`] = typeof value === "string" && value.length > 4 ? `${value.slice(0, 2)}*******${value.slice(-2)}` : "*******";
  }
  return result;
}
