/**
 * OpenRouter's bring-your-own-key endpoints (`/byok`, keys named by their
 * UUID), each written once with its JSON. Answers are wrapped in `{ data }`;
 * the provider secret itself is never in an answer (only `label`, masked).
 */
import { ApiClient, apiPath } from "../../http";

/** A BYOK key as OpenRouter answers it. */
export interface ByokKeyJson {
  id: string;
  provider: string;
  /** null: a legacy/global key usable by every workspace. */
  workspace_id?: string | null;
  name?: string | null;
  label?: string | null;
  disabled?: boolean;
  is_fallback?: boolean;
  sort_order?: number;
  allowed_api_key_hashes?: string[] | null;
  allowed_models?: string[] | null;
  allowed_user_ids?: string[] | null;
  created_at?: string;
}

const PAGE_SIZE = 100;

function byokPath(id: string): string {
  return apiPath`/byok/${id}`;
}

/** POST /byok (201). */
export async function createByokKey(client: ApiClient, body: object): Promise<ByokKeyJson> {
  return (await client.request<{ data: ByokKeyJson }>({ method: "POST", path: "/byok", body })).data;
}

/** The key, or undefined when it is gone. */
export async function getByokKey(client: ApiClient, id: string): Promise<ByokKeyJson | undefined> {
  return (await client.requestOrGone<{ data: ByokKeyJson }>({ method: "GET", path: byokPath(id) }))?.data;
}

/** PATCH /byok/{id}: applies the fields in `body`, answers the key as it is now. */
export async function updateByokKey(client: ApiClient, id: string, body: object): Promise<ByokKeyJson> {
  return (await client.request<{ data: ByokKeyJson }>({ method: "PATCH", path: byokPath(id), body })).data;
}

/** Deletes the key; one already gone is not an error. */
export async function deleteByokKey(client: ApiClient, id: string): Promise<void> {
  await client.requestOrGone({ method: "DELETE", path: byokPath(id) });
}

/**
 * The BYOK keys of a workspace (without one, of the account's default
 * workspace) for one provider (every provider when unset), every page, with
 * the server's clock at the first answer.
 */
export async function listByokKeysWithServerTime(
  client: ApiClient,
  workspaceId: string | undefined,
  provider?: string,
): Promise<{ keys: ByokKeyJson[]; serverTime?: number }> {
  const keys: ByokKeyJson[] = [];
  let serverTime: number | undefined;
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const answer = await client.requestWithServerTime<{ data?: ByokKeyJson[] }>({
      method: "GET",
      path: "/byok",
      query: { offset, limit: PAGE_SIZE, workspace_id: workspaceId, provider },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body.data ?? [];
    keys.push(...data);
    if (data.length < PAGE_SIZE) return { keys, serverTime };
  }
}
