/**
 * Portkey's policy endpoints (`/policies/usage-limits`, `/policies/rate-limits`),
 * each written once with its JSON. Answers are bare objects (no `{success,
 * data}` envelope), as the official document gives them.
 */
import { ApiClient, apiPath } from "../../http";

/** A condition (`{key, value}`) or a group-by entry (`{key}`) as the API spells it. */
export interface ApiPolicyKey {
  key: string;
  value?: string;
}

/** What both kinds of policy answer. */
interface ApiPolicyCommon {
  id: string;
  name?: string | null;
  conditions?: ApiPolicyKey[] | null;
  group_by?: ApiPolicyKey[] | null;
  type: string;
  status: string;
  workspace_id: string;
  organisation_id?: string | null;
  created_at?: string;
  last_updated_at?: string;
}

export interface ApiUsageLimitsPolicy extends ApiPolicyCommon {
  credit_limit: number;
  alert_threshold?: number | null;
  periodic_reset?: string | null;
  periodic_reset_days?: number | null;
  next_usage_reset_at?: string | null;
  last_reset_at?: string | null;
}

export interface ApiRateLimitsPolicy extends ApiPolicyCommon {
  unit: string;
  value: number;
}

/** One entity a usage-limits policy counts for: a distinct combination of its group-by values. */
export interface ApiPolicyEntity {
  id: string;
  value_key: string;
  current_usage?: number;
}

/** The two policy kinds, by the path segment the API files them under. */
export type PolicyKind = "usage-limits" | "rate-limits";

function policyPath(kind: PolicyKind, id: string): string {
  return apiPath`/policies/${kind}/${id}`;
}

/** POST: the new policy's UUID. */
export async function createPolicy(client: ApiClient, kind: PolicyKind, body: object): Promise<{ id: string }> {
  return client.request<{ id: string }>({ method: "POST", path: `/policies/${kind}`, body });
}

/** GET one active policy, or undefined when it is gone (deleting archives it: it is then not found). */
export function getUsageLimitsPolicy(client: ApiClient, id: string): Promise<ApiUsageLimitsPolicy | undefined> {
  return client.requestOrGone<ApiUsageLimitsPolicy>({ method: "GET", path: policyPath("usage-limits", id) });
}

export function getRateLimitsPolicy(client: ApiClient, id: string): Promise<ApiRateLimitsPolicy | undefined> {
  return client.requestOrGone<ApiRateLimitsPolicy>({ method: "GET", path: policyPath("rate-limits", id) });
}

/** PUT: answers `{}`; read back to see the result. */
export async function updatePolicy(client: ApiClient, kind: PolicyKind, id: string, body: object): Promise<void> {
  await client.request({ method: "PUT", path: policyPath(kind, id), body });
}

/** DELETE (usage-limits policies are archived). */
export async function deletePolicy(client: ApiClient, kind: PolicyKind, id: string): Promise<void> {
  await client.request({ method: "DELETE", path: policyPath(kind, id) });
}

/** Every active policy of a kind in a workspace, every page, and the server's clock. */
export async function listPolicies<T extends ApiPolicyCommon>(client: ApiClient, kind: PolicyKind, workspaceId: string): Promise<{ policies: T[]; serverTime?: number }> {
  const pageSize = 100;
  const policies: T[] = [];
  for (let page = 0; ; page++) {
    const answer = await client.requestWithServerTime<{ data?: T[] }>({
      method: "GET",
      path: `/policies/${kind}`,
      query: { workspace_id: workspaceId, page_size: pageSize, current_page: page },
    });
    const data = answer.body.data ?? [];
    policies.push(...data);
    if (data.length < pageSize) return { policies, serverTime: answer.serverTime };
  }
}

/** The entities a usage-limits policy counts for whose value key contains `search`, every page. */
export async function listPolicyEntities(client: ApiClient, policyId: string, search: string): Promise<ApiPolicyEntity[]> {
  const pageSize = 100;
  const entities: ApiPolicyEntity[] = [];
  for (let page = 0; ; page++) {
    const answer = await client.request<{ data?: ApiPolicyEntity[] }>({
      method: "GET",
      path: apiPath`/policies/usage-limits/${policyId}/entities`,
      query: { search, page_size: pageSize, current_page: page },
    });
    const data = answer.data ?? [];
    entities.push(...data);
    if (data.length < pageSize) return entities;
  }
}

/** PUT …/entities/{entityId}/reset: the entity's usage back to 0. */
export async function resetPolicyEntity(client: ApiClient, policyId: string, entityId: string): Promise<void> {
  await client.request({ method: "PUT", path: apiPath`/policies/usage-limits/${policyId}/entities/${entityId}/reset` });
}
