/**
 * Portkey's integration endpoints (`/integrations/{slug}`) that workspace
 * access uses, each written once with its JSON.
 */
import { ApiClient, apiPath } from "../../http";
import type { ApiRateLimit, ApiUsageLimit } from "../limits";

/** One row of GET /integrations/{slug}/workspaces; `id` is the workspace's slug. */
export interface ApiAccessRow {
  id: string;
  enabled: boolean;
  usage_limits?: ApiUsageLimit[] | null;
  rate_limits?: ApiRateLimit[] | null;
}

/** An integration as GET /integrations lists it. */
export interface ApiIntegration {
  id: string;
  slug: string;
  name?: string;
  /** `organisation` (shared with workspaces through access rows) or `workspace` (belongs to one). */
  type?: string;
  workspace_id?: string | null;
}

/** One workspace's entry in a bulk PUT: the workspace (UUID or slug), its state, and the fields being set. */
export interface AccessItem {
  id: string;
  enabled: boolean;
  [field: string]: unknown;
}

function accessPath(integrationSlug: string): string {
  return apiPath`/integrations/${integrationSlug}/workspaces`;
}

/** The integration, or undefined when it is gone. */
export function getIntegration(client: ApiClient, integrationSlug: string): Promise<object | undefined> {
  return client.requestOrGone<object>({ method: "GET", path: apiPath`/integrations/${integrationSlug}` });
}

/** The integration's access rows, or undefined when the integration is gone. */
export async function listWorkspaceAccess(client: ApiClient, integrationSlug: string): Promise<ApiAccessRow[] | undefined> {
  const list = await client.requestOrGone<{ workspaces?: ApiAccessRow[] }>({ method: "GET", path: accessPath(integrationSlug) });
  return list ? (list.workspaces ?? []) : undefined;
}

/**
 * A bulk upsert of the listed rows. Without `override_existing_workspace_access`
 * the rows of other workspaces are left as they are.
 */
export async function putWorkspaceAccess(client: ApiClient, integrationSlug: string, workspaces: AccessItem[]): Promise<void> {
  await client.request({ method: "PUT", path: accessPath(integrationSlug), body: { workspaces } });
}

const PAGE_SIZE = 100;

/** Every integration of the organisation, every page. */
export async function listIntegrations(client: ApiClient): Promise<ApiIntegration[]> {
  const integrations: ApiIntegration[] = [];
  for (let page = 0; ; page++) {
    const list = await client.request<{ data?: ApiIntegration[] }>({
      method: "GET",
      path: "/integrations",
      query: { page_size: PAGE_SIZE, current_page: page },
    });
    const data = list.data ?? [];
    integrations.push(...data);
    if (data.length < PAGE_SIZE) return integrations;
  }
}
