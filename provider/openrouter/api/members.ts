/**
 * OpenRouter's people endpoints, each written once with its JSON: the
 * organisation's members (`/organization/members`, read-only) and workspace
 * memberships (`/workspaces/{id}/members`, added and removed by user id).
 */
import { ApiClient, apiPath } from "../../http";

/** A person of the organisation as OpenRouter answers them. */
export interface OrganizationMemberJson {
  /** The user id (a Clerk id, `user_…`): what workspace memberships, keys and guardrails name. */
  id: string;
  /** As the person signed up; OpenRouter says nothing about case, so compare it as you need. */
  email: string;
  first_name?: string | null;
  last_name?: string | null;
  /** `org:admin` or `org:member` (an open set: other values may come). */
  role: string;
}

/** A workspace membership as OpenRouter answers it. */
export interface WorkspaceMemberJson {
  /** The membership's own UUID (not the user's id). */
  id: string;
  user_id: string;
  /** Always the workspace's UUID, even when the request named it by slug. */
  workspace_id: string;
  /** `admin` or `member`: copied from the organisation role, not settable per workspace. */
  role: string;
  created_at?: string;
}

const PAGE_SIZE = 100;

/**
 * Every member of the organisation the management key belongs to
 * (`GET /organization/members`), all pages, in the order OpenRouter lists them.
 *
 * - One call per page of 100 (`offset`/`limit`), stopping at the first short
 *   page; nothing is cached, so each call sees people invited since.
 * - Only people who accepted their invitation are members: there is no API to
 *   invite or create one, and only members can be added to workspaces.
 * - Throws the shared `ApiError` on any failure (a 401/403 means the key is
 *   not a management key of an organisation).
 *
 * A look-up by email belongs on top of this (filter the result); keep it free
 * of assumptions about case or uniqueness beyond what OpenRouter states.
 */
export async function listOrganizationMembers(client: ApiClient): Promise<OrganizationMemberJson[]> {
  const members: OrganizationMemberJson[] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = await client.request<{ data?: OrganizationMemberJson[] }>({ method: "GET", path: "/organization/members", query: { offset, limit: PAGE_SIZE } });
    const data = page.data ?? [];
    members.push(...data);
    if (data.length < PAGE_SIZE) return members;
  }
}

function membersPath(workspace: string, action = ""): string {
  return apiPath`/workspaces/${workspace}/members` + action;
}

/** Every membership of the workspace (by UUID or slug), all pages; undefined when the workspace is gone. */
export async function listWorkspaceMembers(client: ApiClient, workspace: string): Promise<WorkspaceMemberJson[] | undefined> {
  const members: WorkspaceMemberJson[] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = await client.requestOrGone<{ data?: WorkspaceMemberJson[] }>({ method: "GET", path: membersPath(workspace), query: { offset, limit: PAGE_SIZE } });
    if (!page) return undefined;
    const data = page.data ?? [];
    members.push(...data);
    if (data.length < PAGE_SIZE) return members;
  }
}

/** Adds organisation members to the workspace; the answer lists the memberships (also those that existed). */
export async function addWorkspaceMembers(client: ApiClient, workspace: string, userIds: string[]): Promise<WorkspaceMemberJson[]> {
  const answer = await client.request<{ added_count?: number; data?: WorkspaceMemberJson[] }>({ method: "POST", path: membersPath(workspace, "/add"), body: { user_ids: userIds } });
  return answer.data ?? [];
}

/** Removes people from the workspace; answers how many memberships were removed. */
export async function removeWorkspaceMembers(client: ApiClient, workspace: string, userIds: string[]): Promise<number> {
  const answer = await client.request<{ removed_count?: number }>({ method: "POST", path: membersPath(workspace, "/remove"), body: { user_ids: userIds } });
  return answer.removed_count ?? 0;
}
