/**
 * OpenRouter's SCIM group mappings (`/scim/group-mappings`, named by UUID):
 * a SCIM group's members granted a role in a workspace. Groups come from the
 * identity provider; no API creates them.
 */
import { ApiClient, apiPath } from "../../http";

/** A group mapping as OpenRouter answers it. */
export interface ScimGroupMappingJson {
  id: string;
  organization_id?: string;
  scim_group_id: string;
  workspace_id: string;
  role: string;
  created_at?: string;
  updated_at?: string;
}

const PAGE_SIZE = 100;

function mappingPath(id: string): string {
  return apiPath`/scim/group-mappings/${id}`;
}

/** Every mapping (every page). */
export async function listScimGroupMappings(client: ApiClient): Promise<ScimGroupMappingJson[]> {
  const mappings: ScimGroupMappingJson[] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = await client.request<{ data?: ScimGroupMappingJson[] }>({ method: "GET", path: "/scim/group-mappings", query: { offset, limit: PAGE_SIZE } });
    const data = page.data ?? [];
    mappings.push(...data);
    if (data.length < PAGE_SIZE) return mappings;
  }
}

/** POST /scim/group-mappings (201; the same group, workspace and role again answers the existing mapping). */
export async function createScimGroupMapping(client: ApiClient, body: object): Promise<ScimGroupMappingJson> {
  return (await client.request<{ data: ScimGroupMappingJson }>({ method: "POST", path: "/scim/group-mappings", body })).data;
}

/** The mapping, or undefined when it is gone. */
export async function getScimGroupMapping(client: ApiClient, id: string): Promise<ScimGroupMappingJson | undefined> {
  return (await client.requestOrGone<{ data: ScimGroupMappingJson }>({ method: "GET", path: mappingPath(id) }))?.data;
}

/** PATCH: `role` is the only field. */
export async function updateScimGroupMapping(client: ApiClient, id: string, body: object): Promise<ScimGroupMappingJson> {
  return (await client.request<{ data: ScimGroupMappingJson }>({ method: "PATCH", path: mappingPath(id), body })).data;
}

/** Deletes the mapping; `keepMembers` (required by the API) keeps the memberships it granted. One already gone is not an error. */
export async function deleteScimGroupMapping(client: ApiClient, id: string, keepMembers: boolean): Promise<void> {
  await client.requestOrGone({ method: "DELETE", path: mappingPath(id), query: { keep_members: String(keepMembers) } });
}
