/**
 * Portkey's secret reference endpoints (`/secret-references`, enterprise),
 * each written once with its JSON. A path takes the reference's UUID or slug.
 */
import { ApiClient, apiPath } from "../../http";

/**
 * A secret reference as GET answers it. Secret `auth_config` fields come
 * back masked and renamed `masked_<field>`; `allowed_workspaces` is never
 * returned.
 */
export interface ApiSecretReference {
  id: string;
  slug: string;
  name: string;
  organisation_id?: string | null;
  description?: string | null;
  manager_type: string;
  secret_path?: string;
  secret_key?: string | null;
  allow_all_workspaces?: boolean;
  tags?: Record<string, string> | null;
  status?: string | null;
  created_by?: string | null;
  auth_config?: Record<string, unknown> | null;
  created_at?: string;
  last_updated_at?: string;
}

/** What POST answers. */
export interface CreatedSecretReference {
  id: string;
  slug: string;
}

function referencePath(idOrSlug: string): string {
  return apiPath`/secret-references/${idOrSlug}`;
}

export async function createSecretReference(client: ApiClient, body: object): Promise<CreatedSecretReference> {
  return client.request<CreatedSecretReference>({ method: "POST", path: "/secret-references", body });
}

/** PUT answers `{}`. */
export async function updateSecretReference(client: ApiClient, idOrSlug: string, body: object): Promise<void> {
  await client.request({ method: "PUT", path: referencePath(idOrSlug), body });
}

export async function deleteSecretReference(client: ApiClient, idOrSlug: string): Promise<void> {
  await client.request({ method: "DELETE", path: referencePath(idOrSlug) });
}

/** The reference, or undefined when it is gone (404 AB08). */
export async function getSecretReference(client: ApiClient, idOrSlug: string): Promise<ApiSecretReference | undefined> {
  return client.requestOrGone<ApiSecretReference>({ method: "GET", path: referencePath(idOrSlug) });
}

/** Every reference whose name or slug contains `search`, every page, and the server's clock. */
export async function listSecretReferences(client: ApiClient, search?: string): Promise<{ references: ApiSecretReference[]; serverTime?: number }> {
  const references: ApiSecretReference[] = [];
  let serverTime: number | undefined;
  for (let page = 0; ; page++) {
    const answer = await client.requestWithServerTime<{ data?: ApiSecretReference[]; total?: number }>({
      method: "GET",
      path: "/secret-references",
      query: { search: search ? search.slice(0, 255) : undefined, page_size: 100, current_page: page },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body?.data ?? [];
    references.push(...data);
    if (data.length < 100 || (answer.body?.total !== undefined && references.length >= answer.body.total)) return { references, serverTime };
  }
}
