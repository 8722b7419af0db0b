/**
 * OpenRouter private endpoints, /private-endpoints: the organisation's own
 * upstream deployment of a public model, routable only for it. Lifecycle:
 * create → draft → validate (passed) → activate → active ⇄ disabled; a draft
 * may be changed (which clears its validation), an activated one only has its
 * pricing replaced; create can validate and activate at once.
 *
 * Sources (openrouter-api-org.md §4): the PyPI `openrouter` SDK
 * (`private_endpoints.py` and its models), and what the official Terraform
 * provider learned live (Idempotency-Key replays, base URL normalisation,
 * drafts kept after a failed one-shot activation). `@openrouter/sdk` 1.3.19
 * has no such calls. The emulator calls no upstream: validation checks what
 * it can see (provider, workspace, a BYOK key for the provider) and passes the
 * upstream call. Every choice is named in a comment and in docs/emulator.md's table.
 */
import { randomUUID } from "node:crypto";
import { HandlerResult, Router } from "../router";
import { findWorkspace, JsonObject, objectBody, OpenRouterPrincipal, OpenRouterRequest, openrouterError, requiredString, sha256 } from "./common";
import { httpsBaseUrl, PUBLIC_PROVIDERS } from "./private-providers";
import { UUID } from "./scope";
import { OpenRouterPrivateEndpointCheck, OpenRouterPrivateEndpointPricing, OpenRouterPrivateEndpointRecord, OpenRouterState } from "./state";

const REGIONS = ["global", "europe", "us"];
/** A USD-per-token rate as a decimal string. */
const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * Models an endpoint may serve, by permanent slug, with their public slug and
 * display name: a small, illustrative stand-in for OpenRouter's catalogue.
 * Other permaslugs are not found (404).
 */
export const PRIVATE_ENDPOINT_MODELS: Record<string, { slug: string; name: string }> = {
  "openai/gpt-4o-2024-05-13": { slug: "openai/gpt-4o", name: "OpenAI: GPT-4o" },
  "openai/gpt-4o-2024-08-06": { slug: "openai/gpt-4o", name: "OpenAI: GPT-4o (2024-08-06)" },
  "openai/gpt-4o-mini-2024-07-18": { slug: "openai/gpt-4o-mini", name: "OpenAI: GPT-4o-mini" },
  "anthropic/claude-3.5-sonnet-20240620": { slug: "anthropic/claude-3.5-sonnet", name: "Anthropic: Claude 3.5 Sonnet" },
  "meta-llama/llama-3.1-70b-instruct": { slug: "meta-llama/llama-3.1-70b-instruct", name: "Meta: Llama 3.1 70B Instruct" },
};

/** What an Idempotency-Key remembers: the endpoint it made and the body it made it from. */
interface Replay {
  endpoint_id: string;
  fingerprint: string;
}

/** The private endpoint routes and their rules. */
export class OpenRouterPrivateEndpointRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/private-endpoints", () => ({ body: { data: this.all().map((e) => summaryJson(e, this.displayName(e.provider_slug))) } }))
      .add("POST", "/private-endpoints", (ctx) => this.createEndpoint(ctx))
      .add("GET", "/private-endpoints/{id}", (ctx) => ({ body: { data: this.fullJson(this.find(ctx.params.id)) } }))
      .add("PATCH", "/private-endpoints/{id}", (ctx) => this.updateDraft(ctx))
      .add("DELETE", "/private-endpoints/{id}", (ctx) => this.deleteEndpoint(ctx))
      .add("POST", "/private-endpoints/{id}/validate", (ctx) => this.validateEndpoint(ctx))
      .add("POST", "/private-endpoints/{id}/activate", (ctx) => this.activateEndpoint(ctx))
      .add("POST", "/private-endpoints/{id}/disable", (ctx) => this.setRouting(ctx, "disabled"))
      .add("POST", "/private-endpoints/{id}/enable", (ctx) => this.setRouting(ctx, "active"))
      .add("PUT", "/private-endpoints/{id}/pricing", (ctx) => this.putPricing(ctx));
  }

  private records(): Record<string, OpenRouterPrivateEndpointRecord> {
    return (this.state().private_endpoints ??= {});
  }

  private replays(): Record<string, Replay> {
    return (this.state().private_endpoint_idempotency_keys ??= {});
  }

  /** Drafts included, unpaged (PY); oldest first (a choice: no order is documented). */
  private all(): OpenRouterPrivateEndpointRecord[] {
    return Object.values(this.records()).sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  private find(id: string): OpenRouterPrivateEndpointRecord {
    const found = this.records()[id];
    if (!found) throw openrouterError(404, `Private endpoint ${id} not found`);
    return found;
  }

  private createEndpoint(ctx: OpenRouterRequest): HandlerResult {
    const body = objectBody(ctx);
    const modelPermaslug = requiredString(body, "model_permaslug", 1);
    const providerSlug = requiredString(body, "provider_slug", 1);
    const upstreamModelId = requiredString(body, "upstream_model_id", 1);
    if (!PRIVATE_ENDPOINT_MODELS[modelPermaslug]) throw openrouterError(404, `Model ${modelPermaslug} not found`);
    this.providerName(providerSlug);
    const baseUrl = this.baseUrlFor(providerSlug, body.base_url, undefined);
    const declaredRegion = region(body.declared_region);
    const declaredZdr = zdr(body.declared_zdr);
    const pricing = body.pricing === undefined ? undefined : pricingOf(body.pricing);
    let activateIn: string | undefined;
    if (body.activate !== undefined) {
      const activate = body.activate as JsonObject | null;
      if (!activate || typeof activate !== "object" || typeof activate.workspace_id !== "string" || !UUID.test(activate.workspace_id)) throw openrouterError(400, "activate.workspace_id must be a UUID");
      activateIn = activate.workspace_id;
    }

    // The fields a replay must repeat (TFOR overlay); `activate` is not compared.
    const fingerprint = sha256(JSON.stringify([modelPermaslug, providerSlug, upstreamModelId, baseUrl, declaredZdr, declaredRegion, pricing ?? null]));
    const key = headerOf(ctx, "idempotency-key");
    if (key !== undefined) {
      const replay = this.replays()[key];
      if (replay) {
        if (replay.fingerprint !== fingerprint) throw openrouterError(422, "idempotency_key_reused: this Idempotency-Key was used with a different request body");
        const made = this.records()[replay.endpoint_id];
        // Keys of deleted endpoints are remembered (TFOR); answering 422 for them is the choice.
        if (!made) throw openrouterError(422, "idempotency_key_reused: the endpoint this Idempotency-Key made has been deleted; use a new key");
        // The first call's endpoint as it is now; a kept draft after a failed activation replays as 201 draft.
        return { status: 201, body: { data: managedJson(made, this.displayName(made.provider_slug)) } };
      }
    }

    const endpoint: OpenRouterPrivateEndpointRecord = {
      id: randomUUID(),
      status: "draft",
      model_permaslug: modelPermaslug,
      provider_slug: providerSlug,
      upstream_model_id: upstreamModelId,
      base_url: baseUrl,
      declared_region: declaredRegion,
      declared_zdr: declaredZdr,
      // No rates declared: zero until a PUT sets them (a choice: the API inherits the public endpoint's rates, which the emulator does not have).
      pricing: pricing ?? { prompt: "0", completion: "0" },
      validation: null,
      created_at: ctx.now.toISOString(),
    };
    this.records()[endpoint.id] = endpoint;
    if (key !== undefined) this.replays()[key] = { endpoint_id: endpoint.id, fingerprint };
    if (activateIn !== undefined) {
      const validation = this.runChecks(endpoint, activateIn);
      if (!validation.passed) {
        // The draft is kept and answered with the checks (PY `CreatePrivateEndpointValidationFailedResponse`).
        return {
          status: 422,
          body: { error: { code: 422, message: "Validation failed: the private endpoint was kept as a draft" }, data: { endpoint: managedJson(endpoint, this.displayName(providerSlug)), validation: validationJson(validation) } },
        };
      }
      endpoint.status = "active";
    }
    return { status: 201, body: { data: managedJson(endpoint, this.displayName(providerSlug)) } };
  }

  /**
   * Drafts only (active or disabled → 409). `upstream_model_id` is required;
   * an omitted `base_url` keeps the stored one; omitted declarations are kept
   * while the upstream (model id and base URL) is unchanged and cleared when
   * it changes; any change clears the validation (PY docstrings).
   */
  private updateDraft(ctx: OpenRouterRequest): HandlerResult {
    const endpoint = this.find(ctx.params.id);
    if (endpoint.status !== "draft") throw openrouterError(409, `Private endpoint ${endpoint.id} is ${endpoint.status}: only drafts can be changed; delete it and create a new one`);
    const body = objectBody(ctx);
    const upstreamModelId = requiredString(body, "upstream_model_id", 1);
    const baseUrl = body.base_url === undefined ? endpoint.base_url : this.baseUrlFor(endpoint.provider_slug, body.base_url, endpoint.base_url);
    const upstreamChanged = upstreamModelId !== endpoint.upstream_model_id || baseUrl !== endpoint.base_url;
    const declaredRegion = body.declared_region !== undefined ? region(body.declared_region) : upstreamChanged ? null : endpoint.declared_region;
    const declaredZdr = body.declared_zdr !== undefined ? zdr(body.declared_zdr) : upstreamChanged ? null : endpoint.declared_zdr;
    Object.assign(endpoint, { upstream_model_id: upstreamModelId, base_url: baseUrl, declared_region: declaredRegion, declared_zdr: declaredZdr, validation: null });
    return { body: { data: this.fullJson(endpoint) } };
  }

  /** `draft_only=true` refuses anything but a draft (409); the answer is `{data: {id}}` (PY). */
  private deleteEndpoint(ctx: OpenRouterRequest): HandlerResult {
    const endpoint = this.find(ctx.params.id);
    const draftOnly = ctx.query.get("draft_only");
    if (draftOnly !== null && draftOnly !== "true" && draftOnly !== "false") throw openrouterError(400, "draft_only must be true or false");
    if (draftOnly === "true" && endpoint.status !== "draft") throw openrouterError(409, `Private endpoint ${endpoint.id} is ${endpoint.status}, not a draft`);
    delete this.records()[endpoint.id];
    return { body: { data: { id: endpoint.id } } };
  }

  /** Failed checks still answer 200 with `passed: false` (PY); the result is what activate looks at. */
  private validateEndpoint(ctx: OpenRouterRequest): HandlerResult {
    const endpoint = this.find(ctx.params.id);
    const body = objectBody(ctx);
    if (typeof body.workspace_id !== "string" || !UUID.test(body.workspace_id)) throw openrouterError(400, "workspace_id is required and must be a UUID");
    // An activated endpoint cannot be changed, so validating it again has no use; 409 is the choice.
    if (endpoint.status !== "draft") throw openrouterError(409, `Private endpoint ${endpoint.id} is ${endpoint.status}; only drafts are validated`);
    const validation = this.runChecks(endpoint, body.workspace_id);
    return { body: { data: validationJson(validation) } };
  }

  /** 409 unless a draft whose last validation passed and is still current (PY). */
  private activateEndpoint(ctx: OpenRouterRequest): HandlerResult {
    const endpoint = this.find(ctx.params.id);
    if (endpoint.status !== "draft") throw openrouterError(409, `Private endpoint ${endpoint.id} is already ${endpoint.status === "active" ? "active" : "activated (disabled); enable it instead"}`);
    if (!endpoint.validation) throw openrouterError(409, "not_validated: validate the private endpoint before activating it");
    if (!endpoint.validation.passed) throw openrouterError(409, "not_validated: the last validation did not pass");
    // Stale: the BYOK key it used is gone since (the only staleness the emulator can see).
    const recheck = this.runChecks(endpoint, endpoint.validation.workspace_id, false);
    if (!recheck.passed) throw openrouterError(409, "validation_stale: validate the private endpoint again");
    endpoint.status = "active";
    return { body: { data: managedJson(endpoint, this.displayName(endpoint.provider_slug)) } };
  }

  /** Disable stops routing, enable resumes it; drafts refuse both (409); repeating one is answered unchanged (a choice). */
  private setRouting(ctx: OpenRouterRequest, status: "active" | "disabled"): HandlerResult {
    const endpoint = this.find(ctx.params.id);
    if (endpoint.status === "draft") throw openrouterError(409, `Private endpoint ${endpoint.id} is a draft: validate and activate it first`);
    endpoint.status = status;
    return { body: { data: managedJson(endpoint, this.displayName(endpoint.provider_slug)) } };
  }

  /** The whole pricing object, replaced: omitted cache rates go back to the default (TFOR). Drafts and activated alike. */
  private putPricing(ctx: OpenRouterRequest): HandlerResult {
    const endpoint = this.find(ctx.params.id);
    const body = objectBody(ctx);
    if (body.pricing === undefined) throw openrouterError(400, "pricing is required");
    endpoint.pricing = pricingOf(body.pricing);
    return { body: { data: this.fullJson(endpoint) } };
  }

  /**
   * The checks the emulator can make: the provider still exists, the
   * workspace exists, and it holds an enabled BYOK key for the provider; the
   * upstream call itself passes. Check names are the choice (the sources list
   * only failure reasons). `store` false: a recheck that changes nothing.
   */
  private runChecks(endpoint: OpenRouterPrivateEndpointRecord, workspaceId: string, store = true): { passed: boolean; checks: OpenRouterPrivateEndpointCheck[]; workspace_id: string } {
    const state = this.state();
    const checks: OpenRouterPrivateEndpointCheck[] = [];
    const providerKnown = Boolean(PUBLIC_PROVIDERS[endpoint.provider_slug] || state.private_providers?.[endpoint.provider_slug]);
    checks.push(providerKnown ? { name: "provider", passed: true } : { name: "provider", passed: false, reason: "provider_not_found" });
    let workspace: string | undefined;
    try {
      workspace = findWorkspace(state, workspaceId).id;
      checks.push({ name: "workspace", passed: true });
    } catch {
      checks.push({ name: "workspace", passed: false, reason: "workspace_not_found" });
    }
    const key = workspace && Object.values(state.byokKeys ?? {}).find((k) => !k.deleted_at && !k.disabled && k.workspace_id === workspace && k.provider === endpoint.provider_slug);
    checks.push(key ? { name: "byok_key", passed: true } : { name: "byok_key", passed: false, reason: "no_byok_key" });
    const ready = checks.every((c) => c.passed);
    checks.push(ready ? { name: "upstream_completion", passed: true } : { name: "upstream_completion", passed: false, reason: "upstream_error", upstream_message: "Not attempted: an earlier check failed" });
    const result = { passed: ready, checks, workspace_id: workspaceId };
    if (store) endpoint.validation = result;
    return result;
  }

  /** The display name of a public or private provider; 404 when the slug names neither. */
  private providerName(slug: string): string {
    const publicOne = PUBLIC_PROVIDERS[slug];
    if (publicOne) return publicOne.name;
    const privateOne = this.state().private_providers?.[slug];
    if (!privateOne) throw openrouterError(404, `Provider ${slug} not found`);
    return privateOne.display_name;
  }

  /** The provider's display name for answers; the slug itself once the provider is gone (a choice). */
  private displayName(slug: string): string {
    return PUBLIC_PROVIDERS[slug]?.name ?? this.state().private_providers?.[slug]?.display_name ?? slug;
  }

  /**
   * The stored base URL: refused for providers whose URL comes from the BYOK
   * credential (Azure, Bedrock, Vertex; TFOR overlay), required for other
   * public providers, optional for a private provider (its own is inherited).
   */
  private baseUrlFor(providerSlug: string, value: unknown, stored: string | null | undefined): string | null {
    const publicOne = PUBLIC_PROVIDERS[providerSlug];
    if (publicOne?.urlFromCredential) {
      if (value !== undefined && value !== null) throw openrouterError(400, `base_url is not accepted for ${providerSlug}: its URL comes from the BYOK credential`);
      return null;
    }
    if (value === undefined || value === null) {
      if (stored !== undefined) return stored;
      if (publicOne) throw openrouterError(400, `base_url is required for ${providerSlug}`);
      return null;
    }
    return httpsBaseUrl(value, "base_url");
  }

  /** The full record (GET, PATCH, PUT pricing): upstream and pricing included, no `created_at` (PY `PrivateEndpoint`). */
  private fullJson(e: OpenRouterPrivateEndpointRecord): JsonObject {
    const model = PRIVATE_ENDPOINT_MODELS[e.model_permaslug];
    const privateOne = this.state().private_providers?.[e.provider_slug];
    return {
      id: e.id,
      status: e.status,
      model_permaslug: e.model_permaslug,
      model_slug: model?.slug ?? null,
      model_name: model?.name ?? null,
      // null once the provider is no longer listed (PY).
      provider_slug: PUBLIC_PROVIDERS[e.provider_slug] || privateOne ? e.provider_slug : null,
      provider_name: this.displayName(e.provider_slug),
      upstream_model_id: e.upstream_model_id,
      // A private provider's endpoint without its own URL answers the provider's (inherited; a choice of how it shows).
      base_url: e.base_url ?? privateOne?.base_url ?? null,
      declared_region: e.declared_region,
      declared_zdr: e.declared_zdr,
      pricing: e.pricing,
    };
  }
}

function headerOf(ctx: OpenRouterRequest, name: string): string | undefined {
  const value = ctx.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

function region(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || !REGIONS.includes(value)) throw openrouterError(400, `declared_region must be one of ${REGIONS.join(", ")}, or null`);
  return value;
}

function zdr(value: unknown): boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "boolean") throw openrouterError(400, "declared_zdr must be a boolean, or null");
  return value;
}

/** Rates as decimal strings, kept exactly as written (`"0.10"` stays `"0.10"`). */
function pricingOf(value: unknown): OpenRouterPrivateEndpointPricing {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw openrouterError(400, "pricing must be an object {prompt, completion, cache_read?, cache_write?}");
  const given = value as JsonObject;
  const pricing: OpenRouterPrivateEndpointPricing = { prompt: "", completion: "" };
  for (const field of ["prompt", "completion", "cache_read", "cache_write"] as const) {
    const rate = given[field];
    const required = field === "prompt" || field === "completion";
    if (rate === undefined && !required) continue;
    if (typeof rate !== "string" || !DECIMAL.test(rate)) throw openrouterError(400, `pricing.${field} must be a decimal string of USD per token${required ? " (required)" : ""}`);
    pricing[field] = rate;
  }
  const unknown = Object.keys(given).filter((field) => !["prompt", "completion", "cache_read", "cache_write"].includes(field));
  if (unknown.length > 0) throw openrouterError(400, `pricing has unknown fields: ${unknown.join(", ")}`);
  return pricing;
}

/** Create, activate, enable and disable answers: no upstream or pricing fields (PY `ManagedPrivateEndpoint`). */
function managedJson(e: OpenRouterPrivateEndpointRecord, providerName: string): JsonObject {
  return { ...summaryJson(e, providerName), declared_region: e.declared_region, declared_zdr: e.declared_zdr };
}

/** The list's entries (PY `PrivateEndpointSummary`). */
function summaryJson(e: OpenRouterPrivateEndpointRecord, providerName: string): JsonObject {
  const model = PRIVATE_ENDPOINT_MODELS[e.model_permaslug];
  return {
    id: e.id,
    status: e.status,
    model_permaslug: e.model_permaslug,
    model_slug: model?.slug ?? null,
    model_name: model?.name ?? null,
    provider_name: providerName,
    created_at: e.created_at,
  };
}

function validationJson(v: { passed: boolean; checks: OpenRouterPrivateEndpointCheck[] }): JsonObject {
  return { passed: v.passed, checks: v.checks };
}
