/**
 * OpenRouter private providers, /private-providers: an organisation's own
 * OpenAI-compatible upstream, named by a slug derived from its name, that
 * private endpoints and BYOK keys can then name as `provider_slug`.
 *
 * Sources (openrouter-api-org.md §3): the routes are hidden in the public
 * spec; the official Terraform provider pins a copy (its
 * `private-providers-overlay.yaml`) and its hooks record what the live API
 * wants (explicit nulls to clear, `prompt_retention_days` present on create).
 * No SDK has these calls. Every choice beyond them is named in a comment and
 * in docs/emulator.md's fidelity table.
 */
import { HandlerResult, Router } from "../router";
import { JsonObject, objectBody, OpenRouterPrincipal, OpenRouterRequest, openrouterError, requiredString } from "./common";
import { OpenRouterPrivateProviderDataPolicy, OpenRouterPrivateProviderRecord, OpenRouterState } from "./state";

/** Letters, digits, spaces, `.`, `_`, `-`; 2–64 characters (TFOR overlay). */
const PROVIDER_NAME = /^[A-Za-z0-9 ._-]{2,64}$/;
const COUNTRY = /^[A-Z]{2}$/;

/**
 * Public providers a private one may not shadow (by name or slug), and the
 * display names private endpoints answer for them. A small, illustrative
 * stand-in for OpenRouter's catalogue: slugs outside it are "not found".
 */
export const PUBLIC_PROVIDERS: Record<string, { name: string; urlFromCredential: boolean }> = {
  openai: { name: "OpenAI", urlFromCredential: false },
  anthropic: { name: "Anthropic", urlFromCredential: false },
  together: { name: "Together", urlFromCredential: false },
  fireworks: { name: "Fireworks", urlFromCredential: false },
  deepinfra: { name: "DeepInfra", urlFromCredential: false },
  azure: { name: "Azure", urlFromCredential: true },
  "amazon-bedrock": { name: "Amazon Bedrock", urlFromCredential: true },
  "google-vertex": { name: "Google Vertex", urlFromCredential: true },
};

/** The private provider routes and their rules. */
export class OpenRouterPrivateProviderRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/private-providers", () => ({ body: { data: this.all().map(providerJson) } }))
      .add("POST", "/private-providers", (ctx) => this.createProvider(ctx))
      .add("GET", "/private-providers/{slug}", (ctx) => ({ body: { data: providerJson(findPrivateProvider(this.state(), ctx.params.slug)) } }))
      .add("PATCH", "/private-providers/{slug}", (ctx) => this.updateProvider(ctx))
      .add("DELETE", "/private-providers/{slug}", (ctx) => this.deleteProvider(ctx));
  }

  private records(): Record<string, OpenRouterPrivateProviderRecord> {
    return (this.state().private_providers ??= {});
  }

  /** Unpaged (TFOR overlay), oldest first (a choice: no order is documented). */
  private all(): OpenRouterPrivateProviderRecord[] {
    return Object.values(this.records()).sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  private createProvider(ctx: OpenRouterRequest): HandlerResult {
    const body = objectBody(ctx);
    const name = requiredString(body, "name", 2, 64);
    if (!PROVIDER_NAME.test(name)) throw openrouterError(400, "name may hold only letters, digits, spaces, '.', '_' and '-' (2-64 characters)");
    const slug = slugOf(name);
    if (slug === "") throw openrouterError(400, "name must contain a letter or digit");
    // Neither the name nor its slug may equal a provider's (case-insensitive); 409 is the choice of status.
    const taken = [...Object.keys(PUBLIC_PROVIDERS), ...Object.values(PUBLIC_PROVIDERS).map((p) => p.name), ...this.all().flatMap((p) => [p.slug, p.name])].map((n) => n.toLowerCase());
    if (taken.includes(name.toLowerCase()) || taken.includes(slug)) throw openrouterError(409, `A provider named '${name}' (slug '${slug}') already exists`);
    if (!("data_policy" in body)) throw openrouterError(400, "data_policy is required");
    if (body.data_policy === null || typeof body.data_policy !== "object") throw openrouterError(400, "data_policy must be an object");
    const policy = body.data_policy as JsonObject;
    // TFOR hook: the live API wants the key present on create, null when prompts are not retained.
    if (!("prompt_retention_days" in policy)) throw openrouterError(400, "data_policy.prompt_retention_days is required (null when prompts are not retained)");
    const record: OpenRouterPrivateProviderRecord = {
      slug,
      name,
      display_name: requiredString(body, "display_name", 1),
      base_url: providerBaseUrl(body.base_url),
      data_policy: dataPolicy(policy, undefined),
      // Omitted lists answer [] and omitted scalars null (a choice: no answer for an omitted one is shown).
      datacenters: body.datacenters === undefined ? [] : countries(body.datacenters),
      headquarters: body.headquarters === undefined ? null : country(body.headquarters, "headquarters"),
      privacy_policy_url: body.privacy_policy_url === undefined ? null : urlOrNull(body.privacy_policy_url, "privacy_policy_url"),
      created_at: ctx.now.toISOString(),
    };
    this.records()[slug] = record;
    return { status: 201, body: { data: providerJson(record) } };
  }

  /** Every field not sent is kept; `null` clears the nullable ones (TFOR hooks). */
  private updateProvider(ctx: OpenRouterRequest): HandlerResult {
    const record = findPrivateProvider(this.state(), ctx.params.slug);
    const body = objectBody(ctx);
    // TFOR marks name "requires replacement": the slug derives from it. Refusing a change is the choice.
    for (const field of ["name", "slug", "created_at"]) {
      if (body[field] !== undefined && body[field] !== (record as unknown as JsonObject)[field]) throw openrouterError(400, `${field} cannot be changed; create a new private provider`);
    }
    const next: OpenRouterPrivateProviderRecord = { ...record };
    if (body.display_name !== undefined) next.display_name = requiredString(body, "display_name", 1);
    if (body.base_url !== undefined) next.base_url = providerBaseUrl(body.base_url);
    if (body.data_policy !== undefined) {
      if (body.data_policy === null || typeof body.data_policy !== "object") throw openrouterError(400, "data_policy must be an object");
      next.data_policy = dataPolicy(body.data_policy as JsonObject, record.data_policy ?? undefined);
    }
    if (body.datacenters !== undefined) next.datacenters = countries(body.datacenters);
    if (body.headquarters !== undefined) next.headquarters = country(body.headquarters, "headquarters");
    if (body.privacy_policy_url !== undefined) next.privacy_policy_url = urlOrNull(body.privacy_policy_url, "privacy_policy_url");
    this.records()[record.slug] = next;
    return { body: { data: providerJson(next) } };
  }

  /** 409 while endpoints name it (TFOR overlay); a draft counts too (a choice: it still names the slug). */
  private deleteProvider(ctx: OpenRouterRequest): HandlerResult {
    const record = findPrivateProvider(this.state(), ctx.params.slug);
    const users = Object.values(this.state().private_endpoints ?? {}).filter((e) => e.provider_slug === record.slug);
    if (users.length > 0) throw openrouterError(409, `Private provider ${record.slug} still has private endpoints: ${users.map((e) => e.id).join(", ")}. Delete them first`);
    delete this.records()[record.slug];
    return { body: { data: { slug: record.slug } } };
  }
}

/** The private provider of the slug; 404 when there is none. */
export function findPrivateProvider(state: OpenRouterState, slug: string): OpenRouterPrivateProviderRecord {
  const found = state.private_providers?.[slug];
  if (!found) throw openrouterError(404, `Private provider ${slug} not found`);
  return found;
}

/** `Acme Inference` → `acme-inference`: lower-cased, each run of other characters one `-`, none at the ends. */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * An HTTPS base URL that OpenRouter may call: not a private, loopback,
 * link-local or metadata address, nor OpenRouter itself (TFOR overlay). Stored
 * normalised: scheme and host lower-cased, a trailing `/` or
 * `/chat/completions` removed (TFOR lifecycle notes).
 */
export function httpsBaseUrl(value: unknown, field: string): string {
  if (typeof value !== "string") throw openrouterError(400, `${field} must be an https URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw openrouterError(400, `${field} must be an https URL`);
  }
  if (url.protocol !== "https:") throw openrouterError(400, `${field} must use https`);
  const host = url.hostname.toLowerCase();
  const internal =
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.endsWith(".internal") ||
    host.endsWith(".local") ||
    host === "openrouter.ai" ||
    host.endsWith(".openrouter.ai") ||
    /^(127\.|10\.|192\.168\.|169\.254\.|0\.)/.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    host.startsWith("[");
  if (internal) throw openrouterError(400, `${field} must be a public host: private, internal, metadata and OpenRouter addresses are refused`);
  let path = url.pathname.replace(/\/chat\/completions\/?$/, "").replace(/\/+$/, "");
  if (path === "/") path = "";
  return `https://${url.host.toLowerCase()}${path}${url.search}`;
}

function providerBaseUrl(value: unknown): string {
  return httpsBaseUrl(value, "base_url");
}

/** The data policy, checked, over `stored` for a PATCH: retention days only while prompts are retained. */
function dataPolicy(policy: JsonObject, stored: OpenRouterPrivateProviderDataPolicy | undefined): OpenRouterPrivateProviderDataPolicy {
  const next: OpenRouterPrivateProviderDataPolicy = stored ? { ...stored } : { training: false, retains_prompts: false, prompt_retention_days: null };
  for (const flag of ["training", "retains_prompts"] as const) {
    if (policy[flag] === undefined) {
      if (!stored) throw openrouterError(400, `data_policy.${flag} is required`);
      continue;
    }
    if (typeof policy[flag] !== "boolean") throw openrouterError(400, `data_policy.${flag} must be a boolean`);
    next[flag] = policy[flag] as boolean;
  }
  if (policy.prompt_retention_days !== undefined) {
    const days = policy.prompt_retention_days;
    if (days !== null && (typeof days !== "number" || !Number.isInteger(days) || days < 1)) throw openrouterError(400, "data_policy.prompt_retention_days must be a whole number of days, or null");
    next.prompt_retention_days = days as number | null;
  }
  if (!next.retains_prompts && next.prompt_retention_days !== null) {
    throw openrouterError(400, "data_policy.prompt_retention_days must be null unless retains_prompts is true (send prompt_retention_days: null with retains_prompts: false)");
  }
  return next;
}

function countries(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((c) => typeof c !== "string" || !COUNTRY.test(c))) throw openrouterError(400, "datacenters must be a list of ISO 3166-1 alpha-2 country codes");
  return value as string[];
}

function country(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== "string" || !COUNTRY.test(value)) throw openrouterError(400, `${field} must be an ISO 3166-1 alpha-2 country code, or null`);
  return value;
}

function urlOrNull(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== "string" || !/^https?:\/\/\S+$/.test(value)) throw openrouterError(400, `${field} must be a URL, or null`);
  return value;
}

/** A private provider as the API answers it (TFOR overlay's schema). */
function providerJson(p: OpenRouterPrivateProviderRecord): JsonObject {
  return {
    name: p.name,
    slug: p.slug,
    display_name: p.display_name,
    base_url: p.base_url,
    privacy_policy_url: p.privacy_policy_url,
    headquarters: p.headquarters,
    datacenters: p.datacenters,
    data_policy: p.data_policy,
    created_at: p.created_at,
  };
}
