/**
 * Portkey's provider endpoints (`/providers`, formerly virtual keys), each
 * written once with its JSON. A provider is addressed by its slug within a
 * workspace: every call names the workspace (`workspace_id`, needed with
 * organisation admin keys) by UUID.
 */
import { ApiClient, apiPath } from "../../http";
import type { ApiRateLimit, ApiUsageLimit } from "../limits";

/** A provider as GET /providers/{slug} (and the list) answers it. */
export interface ApiProvider {
  id: string;
  slug: string;
  name?: string;
  /** The integration, by slug (the document; what this package sends). */
  integration_id?: string;
  workspace_id?: string | null;
  note?: string | null;
  status?: string | null;
  /** One budget (not a list). */
  usage_limits?: ApiUsageLimit | null;
  /** A list in answers, although requests take one object. */
  rate_limits?: ApiRateLimit[] | ApiRateLimit | null;
  expires_at?: string | null;
  last_reset_at?: string | null;
  created_at?: string;
}

/** What POST and PUT answer. */
export interface ProviderHandle {
  id: string;
  slug: string;
}

function providerPath(slug: string): string {
  return apiPath`/providers/${slug}`;
}

/** The provider, or undefined when it is gone. */
export function getProvider(client: ApiClient, workspaceId: string, slug: string): Promise<ApiProvider | undefined> {
  return client.requestOrGone<ApiProvider>({ method: "GET", path: providerPath(slug), query: { workspace_id: workspaceId } });
}

export function createProvider(client: ApiClient, body: object): Promise<ProviderHandle> {
  return client.request<ProviderHandle>({ method: "POST", path: "/providers", body });
}

/** PUT /providers/{slug}: the fields given change. */
export async function updateProvider(client: ApiClient, workspaceId: string, slug: string, body: object): Promise<void> {
  await client.request({ method: "PUT", path: providerPath(slug), query: { workspace_id: workspaceId }, body });
}

export async function deleteProvider(client: ApiClient, workspaceId: string, slug: string): Promise<void> {
  await client.request({ method: "DELETE", path: providerPath(slug), query: { workspace_id: workspaceId } });
}

/** The document's default page size for providers. */
const PAGE_SIZE = 50;

/** Every provider of the workspace, every page, and the server's clock when the first page answered (for create recovery). */
export async function listProvidersWithServerTime(client: ApiClient, workspaceId: string): Promise<{ providers: ApiProvider[]; serverTime?: number }> {
  const providers: ApiProvider[] = [];
  let serverTime: number | undefined;
  for (let page = 0; ; page++) {
    const list = await client.requestWithServerTime<{ data?: ApiProvider[] }>({
      method: "GET",
      path: "/providers",
      query: { workspace_id: workspaceId, page_size: PAGE_SIZE, current_page: page },
    });
    serverTime ??= list.serverTime;
    const data = list.body.data ?? [];
    providers.push(...data);
    if (data.length < PAGE_SIZE) return { providers, serverTime };
  }
}
