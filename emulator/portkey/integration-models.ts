/**
 * Which models an integration exposes, /integrations/{slug}/models (reference
 * more §2): `allow_all_models` (default true) lets every model of the
 * provider through; false only the enabled ones. A PUT changes only the
 * models it lists, and adds a custom (or fine-tuned) model when it names a
 * new slug with `is_custom: true`; built-in models can only be disabled,
 * custom ones deleted with DELETE ?slugs=a,b or a body {models: [...]}.
 *
 * Sources disagree on the delete: the document takes the slugs in the query,
 * the Terraform provider and another live-tested client send a body
 * `{models: [...]}`. Both are taken. The live GET also answers `allow_all_models` (the Terraform
 * provider reads it; the document's schema lacks it): it is answered.
 */
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { authorize, isObject, JsonObject, PortkeyPrincipal, PortkeyRequest, PortkeyShared } from "./common";
import { IntegrationModelRecord, IntegrationModelsRecord, IntegrationRecord } from "./state";

/**
 * A small sample of each provider's built-in catalogue (the live catalogue is
 * Portkey's and much larger). Providers not listed have no built-in models
 * here: only custom models can be added to them.
 */
const BUILT_IN_MODELS: Record<string, readonly { slug: string; name: string }[]> = {
  openai: [
    { slug: "gpt-4o", name: "GPT-4o" },
    { slug: "gpt-4o-mini", name: "GPT-4o mini" },
    { slug: "gpt-4.1", name: "GPT-4.1" },
    { slug: "o3-mini", name: "o3-mini" },
    { slug: "text-embedding-3-small", name: "Text Embedding 3 Small" },
  ],
  anthropic: [
    { slug: "claude-3-5-haiku-latest", name: "Claude 3.5 Haiku" },
    { slug: "claude-sonnet-4-0", name: "Claude Sonnet 4" },
  ],
};

/** The built-in models of an integration's provider. */
export function builtInModels(aiProviderId: string): readonly { slug: string; name: string }[] {
  return BUILT_IN_MODELS[aiProviderId] ?? [];
}

/** The model routes and their rules. */
export class PortkeyIntegrationModelRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("GET", "/integrations/{slug}/models", (ctx) => this.listModels(ctx))
      .add("PUT", "/integrations/{slug}/models", (ctx) => this.updateModels(ctx))
      .add("DELETE", "/integrations/{slug}/models", (ctx) => this.deleteModels(ctx));
  }

  private listModels(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_integrations.read");
    const integration = this.shared.findIntegration(ctx, ctx.params.slug);
    const models = modelsOf(integration);
    const builtIn = builtInModels(integration.ai_provider_id);
    const listed: JsonObject[] = builtIn.map((m) => modelJson(models.entries[m.slug] ?? builtInEntry(m.slug), m.name));
    for (const entry of Object.values(models.entries)) {
      if (entry.is_custom) listed.push(modelJson(entry, entry.slug));
    }
    return { body: { total: listed.length, models: listed, allow_all_models: models.allow_all_models } };
  }

  private updateModels(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_integrations.update");
    const integration = this.shared.findIntegration(ctx, ctx.params.slug);
    const body = this.shared.checkedBody(ctx);
    const models = modelsOf(integration);
    const builtIn = new Set(builtInModels(integration.ai_provider_id).map((m) => m.slug));
    const items = Array.isArray(body.models) ? (body.models as JsonObject[]) : [];

    // The whole batch is checked before anything changes.
    const seen = new Set<string>();
    const plan = items.map((item, index) => {
      const where = `models[${index}]`;
      const slug = typeof item.slug === "string" ? item.slug.trim() : "";
      if (slug === "") throw portkeyError("AB01", `Invalid request. ${where}.slug: must not be empty`);
      if (seen.has(slug)) throw portkeyError("AB01", `Invalid request. ${where}.slug: model ${slug} is listed twice`);
      seen.add(slug);
      const existing = models.entries[slug];
      const custom = item.is_custom === true;
      if (builtIn.has(slug) && custom) throw portkeyError("AB01", `Invalid request. ${where}: ${slug} is a built-in model and cannot be added as a custom model`);
      if (!builtIn.has(slug) && !existing && !custom) {
        throw portkeyError("AB01", `Invalid request. ${where}.slug: ${slug} is not a model of ${integration.ai_provider_id}; set is_custom to add a custom model`);
      }
      const host = customHost(item.configurations, `${where}.configurations`);
      if (host !== undefined && builtIn.has(slug)) throw portkeyError("AB01", `Invalid request. ${where}.configurations: only custom models take a custom_host`);
      return { item, slug, existing, host };
    });

    if (typeof body.allow_all_models === "boolean") models.allow_all_models = body.allow_all_models;
    for (const { item, slug, existing, host } of plan) {
      const entry: IntegrationModelRecord = existing ?? (builtIn.has(slug) ? builtInEntry(slug) : { ...builtInEntry(slug), is_custom: true });
      entry.enabled = item.enabled === true;
      if (item.is_finetune !== undefined) entry.is_finetune = typeof item.is_finetune === "boolean" ? item.is_finetune : null;
      if (item.base_model_slug !== undefined) entry.base_model_slug = typeof item.base_model_slug === "string" ? item.base_model_slug : null;
      if (host !== undefined) entry.configurations = { custom_host: host };
      if (isObject(item.pricing_config)) entry.pricing_config = structuredClone(item.pricing_config);
      models.entries[slug] = entry;
    }
    integration.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteModels(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_integrations.update");
    const integration = this.shared.findIntegration(ctx, ctx.params.slug);
    const models = modelsOf(integration);
    const slugs = modelsToDelete(ctx);
    if (slugs.length === 0) throw portkeyError("AB01", "Invalid request. slugs: is required (comma-separated model slugs in the query, or a body {models: [...]})");
    for (const slug of slugs) {
      const entry = models.entries[slug];
      if (!entry || !entry.is_custom) throw portkeyError("AB01", `Invalid request. slugs: ${slug} is not a custom model of this integration (built-in models can only be disabled)`);
    }
    for (const slug of slugs) delete models.entries[slug];
    integration.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }
}

/**
 * The slugs a DELETE names: the document's `?slugs=a,b`, or the body
 * `{models: ["a", ...]}` (slugs, or objects with a `slug`) that live-tested
 * clients send.
 */
function modelsToDelete(ctx: PortkeyRequest): string[] {
  const fromQuery = (ctx.query.get("slugs") ?? "").split(",");
  const body = ctx.body;
  if (body !== undefined && (!isObject(body) || (body.models !== undefined && !Array.isArray(body.models)))) {
    throw portkeyError("AB01", "Invalid request. models: must be a list of model slugs");
  }
  const fromBody = (isObject(body) && Array.isArray(body.models) ? body.models : []).map((item, index) => {
    const slug = typeof item === "string" ? item : isObject(item) && typeof item.slug === "string" ? item.slug : undefined;
    if (slug === undefined) throw portkeyError("AB01", `Invalid request. models[${index}]: must be a model slug`);
    return slug;
  });
  return [...new Set([...fromQuery, ...fromBody].map((s) => s.trim()).filter((s) => s !== ""))];
}

/** The integration's model settings; an integration never written to allows all models. */
export function modelsOf(integration: IntegrationRecord): IntegrationModelsRecord {
  return (integration.models ??= { allow_all_models: true, entries: {} });
}

/** A built-in model nobody has set: not enabled (it is usable only while all models are allowed). */
function builtInEntry(slug: string): IntegrationModelRecord {
  return { slug, enabled: false, is_custom: false, is_finetune: null, base_model_slug: null, configurations: null, pricing_config: null };
}

/** A non-empty, valid URL since backend 1.15.0; undefined when not given. */
function customHost(value: unknown, where: string): string | undefined {
  if (!isObject(value) || value.custom_host === undefined || value.custom_host === null) return undefined;
  const host = value.custom_host;
  if (typeof host !== "string" || host.trim() === "" || !URL.canParse(host)) throw portkeyError("AB01", `Invalid request. ${where}.custom_host: must be a valid URL`);
  return host;
}

/** A model as the list answers it; `configurations` is not among the document's fields, and an unset pricing is left out. */
function modelJson(entry: IntegrationModelRecord, name: string): JsonObject {
  const json: JsonObject = {
    slug: entry.slug,
    name,
    enabled: entry.enabled,
    is_custom: entry.is_custom,
    is_finetune: entry.is_finetune,
    base_model_slug: entry.base_model_slug,
  };
  if (entry.pricing_config) json.pricing_config = structuredClone(entry.pricing_config);
  return json;
}
