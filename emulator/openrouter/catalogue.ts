/**
 * OpenRouter's public catalogue as the emulator serves it: `GET /models`
 * (query filters, optional offset/limit paging), `GET /model/{author}/{slug}`
 * and `GET /providers`. Shapes from `@openrouter/sdk` 1.3.19 (`Model`,
 * `ModelsListResponse`, `ModelResponse`, `ListProvidersResponse`) and the API
 * reference pages; the rows are a small illustrative set standing for the
 * real catalogue, consistent with the models guardrails canonicalise and the
 * public providers private endpoints run under. How the filters combine is a
 * choice where the sources only name them (README fidelity table).
 */
import { HandlerResult, Router } from "../router";
import { JsonObject, OpenRouterPrincipal, OpenRouterRequest, openrouterError, paging } from "./common";
import { PUBLIC_PROVIDERS } from "./private-providers";

/** The catalogue's answer for one model, plus the categories it ranks in (not part of the answer). */
interface CatalogueModel {
  answer: JsonObject;
  categories: string[];
}

const COMMON_PARAMETERS = ["max_tokens", "temperature", "top_p", "stop", "seed"];

function model(
  id: string,
  canonical: string,
  name: string,
  created: number,
  shape: { input: string[]; output: string[]; tokenizer: string; context: number | null; maxCompletion: number | null; moderated: boolean; parameters: string[]; pricing: Record<string, string>; categories: string[]; knowledgeCutoff?: string },
): CatalogueModel {
  return {
    categories: shape.categories,
    answer: {
      id,
      canonical_slug: canonical,
      hugging_face_id: null,
      name,
      created,
      description: `${name}, as the emulator's catalogue describes it.`,
      context_length: shape.context,
      architecture: { modality: `${shape.input.join("+")}->${shape.output.join("+")}`, input_modalities: shape.input, output_modalities: shape.output, tokenizer: shape.tokenizer, instruct_type: null },
      pricing: shape.pricing,
      top_provider: { context_length: shape.context, max_completion_tokens: shape.maxCompletion, is_moderated: shape.moderated },
      per_request_limits: null,
      supported_parameters: shape.parameters,
      default_parameters: null,
      supported_voices: null,
      knowledge_cutoff: shape.knowledgeCutoff ?? null,
      expiration_date: null,
      links: { details: `/api/v1/models/${id}/endpoints` },
    },
  };
}

/** The catalogue's models, in its default order; rebuilt per request so no caller can change another's rows. */
function catalogueModels(): CatalogueModel[] {
  const tools = [...COMMON_PARAMETERS, "tools", "tool_choice"];
  return [
    model("openai/gpt-4o", "openai/gpt-4o-2024-05-13", "OpenAI: GPT-4o", 1715558400, {
      input: ["text", "image", "file"], output: ["text"], tokenizer: "GPT", context: 128000, maxCompletion: 16384, moderated: true,
      parameters: [...tools, "response_format", "structured_outputs"], pricing: { prompt: "0.0000025", completion: "0.00001", input_cache_read: "0.00000125" },
      categories: ["programming", "technology", "translation"], knowledgeCutoff: "2023-10-01",
    }),
    model("openai/gpt-4o-mini", "openai/gpt-4o-mini-2024-07-18", "OpenAI: GPT-4o-mini", 1721260800, {
      input: ["text", "image", "file"], output: ["text"], tokenizer: "GPT", context: 128000, maxCompletion: 16384, moderated: true,
      parameters: [...tools, "response_format", "structured_outputs"], pricing: { prompt: "0.00000015", completion: "0.0000006" },
      categories: ["marketing", "trivia"],
    }),
    model("anthropic/claude-3.5-sonnet", "anthropic/claude-3.5-sonnet-20240620", "Anthropic: Claude 3.5 Sonnet", 1718841600, {
      input: ["text", "image"], output: ["text"], tokenizer: "Claude", context: 200000, maxCompletion: 8192, moderated: true,
      parameters: [...tools], pricing: { prompt: "0.000003", completion: "0.000015", input_cache_read: "0.0000003", input_cache_write: "0.00000375" },
      categories: ["programming", "legal", "academia"],
    }),
    model("google/gemini-2.0-flash-001", "google/gemini-2.0-flash-001", "Google: Gemini 2.0 Flash", 1738713600, {
      input: ["text", "image", "file", "audio"], output: ["text"], tokenizer: "Gemini", context: 1048576, maxCompletion: 8192, moderated: false,
      parameters: [...tools, "response_format", "structured_outputs"], pricing: { prompt: "0.0000001", completion: "0.0000004" },
      categories: ["science", "health", "finance"],
    }),
    model("meta-llama/llama-3.1-70b-instruct", "meta-llama/llama-3.1-70b-instruct", "Meta: Llama 3.1 70B Instruct", 1721692800, {
      input: ["text"], output: ["text"], tokenizer: "Llama3", context: 131072, maxCompletion: null, moderated: false,
      parameters: [...COMMON_PARAMETERS], pricing: { prompt: "0.0000004", completion: "0.0000004" },
      categories: ["roleplay"],
    }),
    model("openai/text-embedding-3-small", "openai/text-embedding-3-small", "OpenAI: Text Embedding 3 Small", 1706140800, {
      input: ["text"], output: ["embeddings"], tokenizer: "GPT", context: 8192, maxCompletion: null, moderated: false,
      parameters: [], pricing: { prompt: "0.00000002", completion: "0" },
      categories: [],
    }),
  ];
}

/** The public providers' details (headquarters, datacenters, policy pages), by slug; illustrative. */
const PROVIDER_DETAILS: Record<string, { headquarters: string; datacenters: string[]; site: string }> = {
  openai: { headquarters: "US", datacenters: ["US"], site: "https://openai.com" },
  anthropic: { headquarters: "US", datacenters: ["US"], site: "https://www.anthropic.com" },
  together: { headquarters: "US", datacenters: ["US"], site: "https://www.together.ai" },
  fireworks: { headquarters: "US", datacenters: ["US"], site: "https://fireworks.ai" },
  deepinfra: { headquarters: "US", datacenters: ["US"], site: "https://deepinfra.com" },
  azure: { headquarters: "US", datacenters: ["US", "SE", "DE"], site: "https://azure.microsoft.com" },
  "amazon-bedrock": { headquarters: "US", datacenters: ["US", "DE", "JP"], site: "https://aws.amazon.com/bedrock" },
  "google-vertex": { headquarters: "US", datacenters: ["US", "BE", "NL"], site: "https://cloud.google.com/vertex-ai" },
};

/** Splits a comma-separated query value. */
const listOf = (value: string | null) =>
  (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v.length > 0);

/** The catalogue routes: the same answer for every organisation (state-free). */
export class OpenRouterCatalogueRoutes {
  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/models", (ctx) => this.listModels(ctx))
      .add("GET", "/model/{author}/{slug}", (ctx) => this.getModel(ctx))
      .add("GET", "/providers", () => ({ body: { data: Object.entries(PUBLIC_PROVIDERS).map(([slug, p]) => providerJson(slug, p.name)) } }));
  }

  /**
   * Filters: `category` (ranked in it), `supported_parameters` (supports every
   * one listed), `output_modalities` (makes one of those listed; `all` every
   * model; absent: text). Without `offset` and `limit` the whole list.
   */
  private listModels(ctx: OpenRouterRequest): HandlerResult {
    const { query } = ctx;
    const category = query.get("category");
    const parameters = listOf(query.get("supported_parameters"));
    const modalities = listOf(query.get("output_modalities") ?? "text");
    const matching = catalogueModels().filter((m) => {
      const answer = m.answer as { supported_parameters: string[]; architecture: { output_modalities: string[] } };
      if (category && !m.categories.includes(category)) return false;
      if (!parameters.every((p) => answer.supported_parameters.includes(p))) return false;
      return modalities.includes("all") || answer.architecture.output_modalities.some((o) => modalities.includes(o));
    });
    const paged = query.has("offset") || query.has("limit");
    const { offset, limit } = paged ? paging(query, 1000, 1000) : { offset: 0, limit: matching.length };
    const rows = matching.slice(offset, offset + limit);
    let next: string | null = null;
    if (offset + rows.length < matching.length) {
      const following = new URLSearchParams(query);
      following.set("offset", String(offset + rows.length));
      following.set("limit", String(limit));
      next = `/api/v1/models?${following.toString()}`;
    }
    return { body: { data: rows.map((m) => m.answer), links: { next }, total_count: matching.length } };
  }

  private getModel(ctx: OpenRouterRequest): HandlerResult {
    const id = `${ctx.params.author}/${ctx.params.slug}`;
    const found = catalogueModels().find((m) => m.answer.id === id);
    if (!found) throw openrouterError(404, `Model ${id} not found`);
    return { body: { data: found.answer } };
  }
}

function providerJson(slug: string, name: string): JsonObject {
  const details = PROVIDER_DETAILS[slug];
  return {
    name,
    slug,
    privacy_policy_url: details ? `${details.site}/privacy` : null,
    terms_of_service_url: details ? `${details.site}/terms` : null,
    status_page_url: null,
    headquarters: details?.headquarters ?? null,
    datacenters: details?.datacenters ?? null,
  };
}
