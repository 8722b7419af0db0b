/**
 * OpenRouter's private providers (`/private-providers`, named by the slug
 * OpenRouter derives from `name`). PATCH keeps every field it does not
 * receive; `null` clears the nullable ones.
 */
import { ApiClient, apiPath } from "../../http";

/** A private provider's declared data policy. */
export interface DataPolicyJson {
  training: boolean;
  retains_prompts: boolean;
  prompt_retention_days: number | null;
}

/** A private provider as OpenRouter answers it. */
export interface PrivateProviderJson {
  slug: string;
  name: string;
  display_name: string;
  base_url: string;
  data_policy: DataPolicyJson | null;
  datacenters?: string[] | null;
  headquarters?: string | null;
  privacy_policy_url?: string | null;
  created_at?: string;
}

function providerPath(slug: string): string {
  return apiPath`/private-providers/${slug}`;
}

/** Every private provider (the list is not paged). */
export async function listPrivateProviders(client: ApiClient): Promise<PrivateProviderJson[]> {
  return (await client.request<{ data?: PrivateProviderJson[] }>({ method: "GET", path: "/private-providers" })).data ?? [];
}

/** POST /private-providers (201). */
export async function createPrivateProvider(client: ApiClient, body: object): Promise<PrivateProviderJson> {
  return (await client.request<{ data: PrivateProviderJson }>({ method: "POST", path: "/private-providers", body })).data;
}

/** The provider, or undefined when it is gone. */
export async function getPrivateProvider(client: ApiClient, slug: string): Promise<PrivateProviderJson | undefined> {
  return (await client.requestOrGone<{ data: PrivateProviderJson }>({ method: "GET", path: providerPath(slug) }))?.data;
}

export async function updatePrivateProvider(client: ApiClient, slug: string, body: object): Promise<PrivateProviderJson> {
  return (await client.request<{ data: PrivateProviderJson }>({ method: "PATCH", path: providerPath(slug), body })).data;
}

/** Deletes the provider (409 while private endpoints name it); one already gone is not an error. */
export async function deletePrivateProvider(client: ApiClient, slug: string): Promise<void> {
  await client.requestOrGone({ method: "DELETE", path: providerPath(slug) });
}
