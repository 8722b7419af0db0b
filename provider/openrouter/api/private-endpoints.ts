/**
 * OpenRouter's private endpoints (`/private-endpoints`, named by UUID):
 * created as a draft (or validated and activated in the same call), then
 * validated, activated, disabled and enabled; only the pricing of an
 * activated one changes (PUT replaces it whole). Create, activate, enable
 * and disable answer a summary without pricing or upstream fields.
 */
import { ApiClient, apiPath } from "../../http";

/** Rates in USD per token, as decimal strings. */
export interface PricingJson {
  prompt: string;
  completion: string;
  cache_read?: string | null;
  cache_write?: string | null;
}

/** A private endpoint as GET answers it. */
export interface PrivateEndpointJson {
  id: string;
  status: string;
  model_permaslug: string;
  model_slug?: string | null;
  model_name?: string | null;
  provider_slug?: string | null;
  provider_name?: string | null;
  upstream_model_id?: string;
  base_url?: string | null;
  declared_region?: string | null;
  declared_zdr?: boolean | null;
  pricing?: PricingJson;
  created_at?: string;
}

function endpointPath(id: string): string {
  return apiPath`/private-endpoints/${id}`;
}

/** Every private endpoint, drafts included (summaries; the list is not paged). */
export async function listPrivateEndpoints(client: ApiClient): Promise<PrivateEndpointJson[]> {
  return (await client.request<{ data?: PrivateEndpointJson[] }>({ method: "GET", path: "/private-endpoints" })).data ?? [];
}

/** POST /private-endpoints with an Idempotency-Key: a repeat with the same key and body answers the endpoint the first call made. */
export async function createPrivateEndpoint(client: ApiClient, body: object, idempotencyKey: string): Promise<PrivateEndpointJson> {
  return (await client.request<{ data: PrivateEndpointJson }>({ method: "POST", path: "/private-endpoints", body, headers: { "idempotency-key": idempotencyKey } })).data;
}

/** The endpoint in full (upstream and pricing), or undefined when it is gone. */
export async function getPrivateEndpoint(client: ApiClient, id: string): Promise<PrivateEndpointJson | undefined> {
  return (await client.requestOrGone<{ data: PrivateEndpointJson }>({ method: "GET", path: endpointPath(id) }))?.data;
}

/** Replaces the whole pricing object (each call makes a new pricing version). */
export async function putPrivateEndpointPricing(client: ApiClient, id: string, pricing: PricingJson): Promise<PrivateEndpointJson> {
  return (await client.request<{ data: PrivateEndpointJson }>({ method: "PUT", path: apiPath`/private-endpoints/${id}/pricing`, body: { pricing } })).data;
}

/** Deletes the endpoint (with `draftOnly`, only while it is a draft); one already gone is not an error. */
export async function deletePrivateEndpoint(client: ApiClient, id: string, draftOnly = false): Promise<void> {
  await client.requestOrGone({ method: "DELETE", path: endpointPath(id), query: { draft_only: String(draftOnly) } });
}

/** A validation's outcome: failed checks still answer 200 with `passed: false`. */
export interface ValidationJson {
  passed: boolean;
  checks: { name: string; passed: boolean; reason?: string | null }[];
}

/** Validates a draft with the workspace's BYOK key for its provider. */
export async function validatePrivateEndpoint(client: ApiClient, id: string, workspaceId: string): Promise<ValidationJson> {
  return (await client.request<{ data: ValidationJson }>({ method: "POST", path: apiPath`/private-endpoints/${id}/validate`, body: { workspace_id: workspaceId } })).data;
}

/** Activates a validated draft (409 when never validated, the validation is stale, or it is not a draft). */
export async function activatePrivateEndpoint(client: ApiClient, id: string): Promise<void> {
  await client.request({ method: "POST", path: apiPath`/private-endpoints/${id}/activate` });
}

/** Stops (`disabled`) or resumes (`active`) an activated endpoint's routing: POST …/disable or …/enable (409 on a draft). */
export async function setPrivateEndpointRouting(client: ApiClient, id: string, status: "active" | "disabled"): Promise<void> {
  const path = status === "active" ? apiPath`/private-endpoints/${id}/enable` : apiPath`/private-endpoints/${id}/disable`;
  await client.request({ method: "POST", path });
}
