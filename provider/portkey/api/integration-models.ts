/**
 * Portkey's integration model endpoints (`/integrations/{slug}/models`), each
 * written once with its JSON.
 */
import { ApiClient, apiPath } from "../../http";

/** One model of GET /integrations/{slug}/models. */
export interface ApiIntegrationModel {
  slug: string;
  name?: string;
  enabled?: boolean;
  /** Live answers carry these as booleans, 1/0 or "false" (reference more §2): read with `flag`. */
  is_custom?: boolean | number | string | null;
  is_finetune?: boolean | number | string | null;
  base_model_slug?: string | null;
  pricing_config?: ApiModelPricing | null;
}

/** A model's static pricing (prices per token). */
export interface ApiModelPricing {
  type?: string;
  pay_as_you_go?: { request_token?: { price?: number | null } | null; response_token?: { price?: number | null } | null } | null;
}

/** The models list; `allow_all_models` is answered live (not in the document's schema). */
export interface ApiIntegrationModels {
  total?: number;
  models?: ApiIntegrationModel[];
  allow_all_models?: boolean;
}

/** One model's entry in a bulk PUT. */
export interface ModelItem {
  slug: string;
  enabled: boolean;
  [field: string]: unknown;
}

function modelsPath(integrationSlug: string): string {
  return apiPath`/integrations/${integrationSlug}/models`;
}

/** The integration's models, or undefined when the integration is gone. */
export function listIntegrationModels(client: ApiClient, integrationSlug: string): Promise<ApiIntegrationModels | undefined> {
  return client.requestOrGone<ApiIntegrationModels>({ method: "GET", path: modelsPath(integrationSlug) });
}

/** A bulk update: only the listed models change; `allow_all_models` only when given. */
export async function putIntegrationModels(client: ApiClient, integrationSlug: string, models: ModelItem[], allowAllModels?: boolean): Promise<void> {
  await client.request({ method: "PUT", path: modelsPath(integrationSlug), body: { models, ...(allowAllModels === undefined ? {} : { allow_all_models: allowAllModels }) } });
}

/**
 * Deletes custom models. The document takes the slugs in the query; the
 * Terraform provider sends them in a body. The document is followed.
 */
export async function deleteCustomModels(client: ApiClient, integrationSlug: string, slugs: string[]): Promise<void> {
  await client.request({ method: "DELETE", path: modelsPath(integrationSlug), query: { slugs: slugs.join(",") } });
}

/** A flag the API may send as a boolean, 1/0 or a string. */
export function flag(value: unknown): boolean | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value === "true" || value === "1";
  return undefined;
}
