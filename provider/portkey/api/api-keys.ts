/**
 * Portkey's API key endpoints (`/api-keys`), each written once with its JSON.
 */
import { ApiClient, apiPath } from "../../http";
import type { ApiRateLimit, ApiUsageLimit } from "../limits";

/** An API key as GET /api-keys/{id} answers (`key` is masked there; full only from create and rotate). */
export interface ApiKeyJson {
  id: string;
  key: string;
  name: string;
  description?: string | null;
  type: string;
  organisation_id?: string;
  workspace_id?: string | null;
  user_id?: string | null;
  status?: string;
  created_at?: string;
  last_updated_at?: string;
  last_reset_at?: string | null;
  rate_limits?: ApiRateLimit[] | null;
  usage_limits?: ApiUsageLimit | null;
  scopes?: string[];
  defaults?: { metadata?: Record<string, unknown> | null; config_id?: string | null; allow_config_override?: number | boolean | null } | null;
  allow_config_override?: number | boolean | null;
  alert_emails?: string[] | null;
  expires_at?: string | null;
  rotation_policy?: {
    rotation_period?: string | null;
    rotation_period_days?: number | null;
    next_rotation_at?: string | null;
    key_transition_period_ms?: number | null;
  } | null;
  /** Named by a live client; not in the spec. */
  last_rotated_at?: string | null;
}

const PAGE_SIZE = 100;

function keyPath(id: string): string {
  return apiPath`/api-keys/${id}`;
}

/** POST /api-keys/{type}/{sub-type}: the answer carries the only full copy of the secret. */
export function createApiKey(client: ApiClient, type: string, subType: string, body: object): Promise<{ id: string; key: string }> {
  return client.request<{ id: string; key: string }>({ method: "POST", path: apiPath`/api-keys/${type}/${subType}`, body });
}

/** The key, or undefined when it is gone. */
export function getApiKey(client: ApiClient, id: string): Promise<ApiKeyJson | undefined> {
  return client.requestOrGone<ApiKeyJson>({ method: "GET", path: keyPath(id) });
}

export async function updateApiKey(client: ApiClient, id: string, body: object): Promise<void> {
  await client.request({ method: "PUT", path: keyPath(id), body });
}

/** A new secret now; the old one works for `transitionMs` more when given. */
export function rotateApiKey(client: ApiClient, id: string, transitionMs: number | undefined): Promise<{ id: string; key: string; key_transition_expires_at?: string }> {
  return client.request({ method: "POST", path: apiPath`/api-keys/${id}/rotate`, body: transitionMs ? { key_transition_period_ms: transitionMs } : {} });
}

/** Deletes the key; a key that is already gone is not an error. */
export async function deleteApiKey(client: ApiClient, id: string): Promise<void> {
  await client.requestOrGone({ method: "DELETE", path: keyPath(id) });
}

/** The keys of a workspace (or, without one, of the organisation), every page, with the server's clock at the first answer. */
export async function listApiKeysWithTime(client: ApiClient, workspaceId: string | undefined): Promise<{ keys: ApiKeyJson[]; serverTime?: number }> {
  const keys: ApiKeyJson[] = [];
  let serverTime: number | undefined;
  for (let page = 0; ; page++) {
    const answer = await client.requestWithServerTime<{ data?: ApiKeyJson[] }>({
      method: "GET",
      path: "/api-keys",
      query: { workspace_id: workspaceId, page_size: PAGE_SIZE, current_page: page },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body.data ?? [];
    keys.push(...data);
    if (data.length < PAGE_SIZE) return { keys, serverTime };
  }
}

export async function listApiKeys(client: ApiClient, workspaceId: string | undefined): Promise<ApiKeyJson[]> {
  return (await listApiKeysWithTime(client, workspaceId)).keys;
}
