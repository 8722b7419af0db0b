/**
 * Portkey's SCIM group to workspace mappings, `/scim/workspaces` (reference
 * prompts-mcp-scim §6): create, list and delete only. There is no read by
 * id: a mapping is found by walking the list (pages from 0, at most 100
 * long) and matching its id, as the Terraform provider learned live.
 */
import { ApiClient, apiPath } from "../../http";

/** A mapping as create and list answer it (unwrapped); `workspace_id` is the UUID. */
export interface ApiScimMapping {
  id: string;
  workspace_id: string;
  scim_group?: string | null;
  scim_group_id: string;
  role: string;
}

const PAGE_SIZE = 100;

export function createScimMapping(client: ApiClient, body: object): Promise<ApiScimMapping> {
  return client.request<ApiScimMapping>({ method: "POST", path: "/scim/workspaces", body });
}

/** Deleting archives the mapping; the group, the workspace and its members stay. */
export async function deleteScimMapping(client: ApiClient, id: string): Promise<void> {
  await client.request({ method: "DELETE", path: apiPath`/scim/workspaces/${id}` });
}

/** Every mapping, every page (`page` from 0, 100 a page), and the server's clock of the first answer. */
export async function listScimMappings(client: ApiClient): Promise<{ mappings: ApiScimMapping[]; serverTime?: number }> {
  const mappings: ApiScimMapping[] = [];
  let serverTime: number | undefined;
  for (let page = 0; ; page++) {
    const answer = await client.requestWithServerTime<{ mappings?: ApiScimMapping[]; total_count?: number }>({
      method: "GET",
      path: "/scim/workspaces",
      query: { page, page_size: PAGE_SIZE },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body.mappings ?? [];
    mappings.push(...data);
    const total = answer.body.total_count;
    if (data.length < PAGE_SIZE || (total !== undefined && mappings.length >= total)) return { mappings, serverTime };
  }
}

/** The mapping with this id, or undefined when no page lists it (deleted, archived). */
export async function findScimMapping(client: ApiClient, id: string): Promise<ApiScimMapping | undefined> {
  return (await listScimMappings(client)).mappings.find((m) => m.id === id);
}
