/**
 * OpenRouter's public catalogue: the models (`GET /models`, filtered by the
 * query; `GET /model/{author}/{slug}` for one) and the providers that serve
 * them (`GET /providers`). Shapes from `@openrouter/sdk` 1.3.19 (`Model`,
 * `ModelsListResponse`, `ModelResponse`, `ListProvidersResponse`) and the API
 * reference pages. The catalogue is read-only and the same for every caller.
 */
import { ApiClient, apiPath } from "../../http";

/** A model as the catalogue answers it (the fields the look-ups read). */
export interface ModelJson {
  id: string;
  canonical_slug: string;
  name: string;
  description?: string;
  created: number;
  context_length: number | null;
  hugging_face_id?: string | null;
  knowledge_cutoff?: string | null;
  expiration_date?: string | null;
  architecture: { input_modalities: string[]; output_modalities: string[]; modality: string | null; tokenizer?: string; instruct_type?: string | null };
  pricing: Record<string, unknown>;
  top_provider: { context_length?: number | null; max_completion_tokens?: number | null; is_moderated: boolean };
  supported_parameters: string[];
}

/** The list's query filters, in the API's names (comma-separated lists as the API takes them). */
export interface ModelFilters {
  category?: string;
  supported_parameters?: string;
  output_modalities?: string;
}

interface ModelsPage {
  data: ModelJson[];
  links?: { next: string | null };
  total_count?: number;
}

/** Rows asked for per page when the first answer says more follow (the API's maximum). */
const PAGE_SIZE = 1000;

/**
 * Every model matching the filters. Without `offset` and `limit` the API
 * answers the whole list; should it still point to a next page, the rest is
 * read page by page.
 */
export async function listModels(client: ApiClient, filters: ModelFilters): Promise<ModelJson[]> {
  const models: ModelJson[] = [];
  let page = await client.request<ModelsPage>({ method: "GET", path: "/models", query: { ...filters } });
  models.push(...page.data);
  while (page.links?.next && page.data.length > 0) {
    page = await client.request<ModelsPage>({ method: "GET", path: "/models", query: { ...filters, offset: models.length, limit: PAGE_SIZE } });
    models.push(...page.data);
  }
  return models;
}

/** One model by its id (`author/slug`, a variant suffix allowed); undefined when the catalogue has none. */
export async function getModel(client: ApiClient, id: string): Promise<ModelJson | undefined> {
  const slash = id.indexOf("/");
  const [author, slug] = [id.slice(0, slash), id.slice(slash + 1)];
  return (await client.requestOrGone<{ data: ModelJson }>({ method: "GET", path: apiPath`/model/${author}/${slug}` }))?.data;
}

/** A provider as the catalogue answers it. */
export interface ProviderJson {
  slug: string;
  name: string;
  privacy_policy_url: string | null;
  terms_of_service_url?: string | null;
  status_page_url?: string | null;
  headquarters?: string | null;
  datacenters?: string[] | null;
}

/** Every provider (the list is not paged). */
export async function listProviders(client: ApiClient): Promise<ProviderJson[]> {
  return (await client.request<{ data: ProviderJson[] }>({ method: "GET", path: "/providers" })).data;
}
