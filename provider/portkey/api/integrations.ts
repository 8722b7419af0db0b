/**
 * Portkey's integration endpoints (`/integrations`, `/integrations/{slug}`)
 * that the Integration and workspace-access resources use, each written once
 * with its JSON.
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
  created_at?: string;
}

/**
 * An integration as GET /integrations/{slug} answers it. The provider
 * credential is never returned (only `masked_key`), and secret configuration
 * fields come back renamed `masked_<field>`.
 */
export interface ApiIntegrationDetail extends ApiIntegration {
  organisation_id?: string | null;
  ai_provider_id?: string;
  description?: string | null;
  status?: string | null;
  last_updated_at?: string | null;
  masked_key?: string | null;
  configurations?: Record<string, unknown> | null;
  workspace_count?: number | null;
}

/** What POST /integrations answers: only the new integration's UUID and slug. */
export interface CreatedIntegration {
  id: string;
  slug: string;
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

function integrationPath(integrationSlug: string): string {
  return apiPath`/integrations/${integrationSlug}`;
}

/** The integration, or undefined when it is gone. */
export function getIntegration(client: ApiClient, integrationSlug: string): Promise<ApiIntegrationDetail | undefined> {
  return client.requestOrGone<ApiIntegrationDetail>({ method: "GET", path: integrationPath(integrationSlug) });
}

export function createIntegration(client: ApiClient, body: object): Promise<CreatedIntegration> {
  return client.request<CreatedIntegration>({ method: "POST", path: "/integrations", body });
}

/** PUT /integrations/{slug}: the fields given change (the answer's body is not documented). */
export async function updateIntegration(client: ApiClient, integrationSlug: string, body: object): Promise<void> {
  await client.request({ method: "PUT", path: integrationPath(integrationSlug), body });
}

export async function deleteIntegration(client: ApiClient, integrationSlug: string): Promise<void> {
  await client.request({ method: "DELETE", path: integrationPath(integrationSlug) });
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
  return (await listIntegrationsWithServerTime(client)).integrations;
}

/** Every integration, and the server's clock when the first page answered (for create recovery). */
export async function listIntegrationsWithServerTime(client: ApiClient): Promise<{ integrations: ApiIntegration[]; serverTime?: number }> {
  const integrations: ApiIntegration[] = [];
  let serverTime: number | undefined;
  for (let page = 0; ; page++) {
    const list = await client.requestWithServerTime<{ data?: ApiIntegration[] }>({
      method: "GET",
      path: "/integrations",
      query: { page_size: PAGE_SIZE, current_page: page },
    });
    serverTime ??= list.serverTime;
    const data = list.body.data ?? [];
    integrations.push(...data);
    if (data.length < PAGE_SIZE) return { integrations, serverTime };
  }
}
