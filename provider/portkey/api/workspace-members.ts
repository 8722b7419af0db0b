/**
 * Portkey's workspace members (`/admin/workspaces/{workspaceId}/users`), each
 * endpoint written once. Live quirks the Terraform provider met are smoothed
 * here, so the declaration sees one shape: GET may leave out `id`, and the
 * role may carry a `ws-` prefix.
 */
import { isGone } from "../../errors";
import { ApiClient, apiPath } from "../../http";

export type MemberRole = "admin" | "member" | "manager";

/** A member as GET …/users/{userId} answers (the document's WorkspaceMember). */
export interface ApiWorkspaceMember {
  id: string;
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  /** The organisation role: `owner`s read as workspace `admin`s. */
  org_role?: "owner" | "admin" | "member" | null;
  role?: string | null;
  status?: string | null;
  workspace_id?: string | null;
  created_at?: string | null;
  last_updated_at?: string | null;
}

function memberPath(workspaceId: string, userId: string): string {
  return apiPath`/admin/workspaces/${workspaceId}/users/${userId}`;
}

/** Adds one organisation user to the workspace (the API takes a list; one is sent, so a failure is about it). */
export async function addWorkspaceMember(client: ApiClient, workspaceId: string, userId: string, role: MemberRole): Promise<void> {
  await client.request({ method: "POST", path: apiPath`/admin/workspaces/${workspaceId}/users`, body: { users: [{ id: userId, role }] } });
}

/** The membership, or undefined when the user is not a member (404). */
export async function getWorkspaceMember(client: ApiClient, workspaceId: string, userId: string): Promise<ApiWorkspaceMember | undefined> {
  const answer = await client.requestOrGone<ApiWorkspaceMember>({ method: "GET", path: memberPath(workspaceId, userId) });
  if (!answer) return undefined;
  return { ...answer, id: answer.id || userId, role: typeof answer.role === "string" ? answer.role.replace(/^ws-/, "") : answer.role };
}

/** PUT: only the role changes (the body holds it). */
export async function updateWorkspaceMember(client: ApiClient, workspaceId: string, userId: string, body: { role?: MemberRole }): Promise<void> {
  await client.request({ method: "PUT", path: memberPath(workspaceId, userId), body });
}

export async function removeWorkspaceMember(client: ApiClient, workspaceId: string, userId: string): Promise<void> {
  await client.request({ method: "DELETE", path: memberPath(workspaceId, userId) });
}

/** The membership (undefined when there is none) and the server's clock when it answered, for create recovery. */
export async function findWorkspaceMember(client: ApiClient, workspaceId: string, userId: string): Promise<{ member?: ApiWorkspaceMember; serverTime?: number }> {
  const answer = await client.requestWithServerTime<ApiWorkspaceMember | undefined>({ method: "GET", path: memberPath(workspaceId, userId) }).catch((error: unknown) => {
    if (isGone(error)) return { body: undefined, serverTime: undefined };
    throw error;
  });
  return { member: answer.body && { ...answer.body, id: answer.body.id || userId }, serverTime: answer.serverTime };
}

/** Every member of the workspace (by UUID or slug), every page, in the API's order. */
export async function listWorkspaceMembers(client: ApiClient, workspaceId: string): Promise<ApiWorkspaceMember[]> {
  const pageSize = 100;
  const members: ApiWorkspaceMember[] = [];
  for (let page = 0; ; page++) {
    const answer = await client.request<{ data?: ApiWorkspaceMember[]; total?: number }>({
      method: "GET",
      path: apiPath`/admin/workspaces/${workspaceId}/users`,
      query: { page_size: pageSize, current_page: page },
    });
    const data = answer.data ?? [];
    members.push(...data);
    if (data.length < pageSize || (answer.total !== undefined && members.length >= answer.total)) return members;
  }
}
