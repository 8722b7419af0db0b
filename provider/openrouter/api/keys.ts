/**
 * OpenRouter's API key endpoints (`/keys`, keys named by their hash), each
 * written once with its JSON. OpenRouter wraps every answer in `{ data }`.
 */
import { ApiClient, apiPath } from "../../http";

/** A key as OpenRouter answers it (never with the plaintext key, except at create). */
export interface KeyJson {
  hash: string;
  name: string;
  label?: string;
  disabled?: boolean;
  limit?: number | null;
  limit_remaining?: number | null;
  limit_reset?: string | null;
  include_byok_in_limit?: boolean;
  usage?: number;
  expires_at?: string | null;
  workspace_id?: string;
  creator_user_id?: string | null;
  external_user?: string | null;
  created_at?: string;
  updated_at?: string | null;
}

const PAGE_SIZE = 100;

function keyPath(hash: string): string {
  return apiPath`/keys/${hash}`;
}

/** POST /keys: the answer carries the only copy of the plaintext key. */
export function createKey(client: ApiClient, body: object): Promise<{ data: KeyJson; key: string }> {
  return client.request<{ data: KeyJson; key: string }>({ method: "POST", path: "/keys", body });
}

/** The key, or undefined when it is gone. */
export async function getKey(client: ApiClient, hash: string): Promise<KeyJson | undefined> {
  return (await client.requestOrGone<{ data: KeyJson }>({ method: "GET", path: keyPath(hash) }))?.data;
}

/** Applies the fields in `body` and answers the key as it is now. */
export async function updateKey(client: ApiClient, hash: string, body: object): Promise<KeyJson> {
  return (await client.request<{ data: KeyJson }>({ method: "PATCH", path: keyPath(hash), body })).data;
}

/** Deletes the key; a key that is already gone is not an error. */
export async function deleteKey(client: ApiClient, hash: string): Promise<void> {
  await client.requestOrGone({ method: "DELETE", path: keyPath(hash) });
}

/**
 * The keys of a workspace (or, without one, of the account's default
 * workspace), disabled ones included, every page, with the server's clock at
 * the first answer.
 */
export async function listKeysWithServerTime(client: ApiClient, workspaceId: string | undefined): Promise<{ keys: KeyJson[]; serverTime?: number }> {
  const keys: KeyJson[] = [];
  let serverTime: number | undefined;
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const answer = await client.requestWithServerTime<{ data?: KeyJson[] }>({
      method: "GET",
      path: "/keys",
      query: { include_disabled: "true", offset, workspace_id: workspaceId },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body.data ?? [];
    keys.push(...data);
    if (data.length < PAGE_SIZE) return { keys, serverTime };
  }
}

export async function listKeys(client: ApiClient, workspaceId: string | undefined): Promise<KeyJson[]> {
  return (await listKeysWithServerTime(client, workspaceId)).keys;
}
