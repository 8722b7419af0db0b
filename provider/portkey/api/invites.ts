/**
 * Portkey's user invites (`/admin/users/invites`), each endpoint written once.
 * An invite has no update; its link is shown by create and resend only (a
 * secret: whoever holds it can join), and GET shows neither its workspaces
 * nor its scopes.
 */
import { ApiClient, apiPath } from "../../http";

/** An invite as GET /admin/users/invites/{inviteId} answers. */
export interface ApiInvite {
  id: string;
  email: string;
  role?: "admin" | "member" | null;
  status?: "pending" | "cancelled" | "accepted" | "expired" | null;
  created_at?: string | null;
  expires_at?: string | null;
  accepted_at?: string | null;
  invited_by?: string | null;
}

/** What POST /admin/users/invites answers (the document's SuccessInvite). */
export interface CreatedInvite {
  id: string;
  invite_link?: string;
}

const PAGE_SIZE = 100;

function invitePath(id: string): string {
  return apiPath`/admin/users/invites/${id}`;
}

export function createInvite(client: ApiClient, body: object): Promise<CreatedInvite> {
  return client.request<CreatedInvite>({ method: "POST", path: "/admin/users/invites", body });
}

/** The invite, or undefined when it is gone (404). */
export function getInvite(client: ApiClient, id: string): Promise<ApiInvite | undefined> {
  return client.requestOrGone<ApiInvite>({ method: "GET", path: invitePath(id) });
}

export async function deleteInvite(client: ApiClient, id: string): Promise<void> {
  await client.request({ method: "DELETE", path: invitePath(id) });
}

/** Sends the invite again with a new link; answers the link. */
export async function resendInvite(client: ApiClient, id: string): Promise<string | undefined> {
  const answer = await client.request<{ inviteLink?: string; invite_link?: string }>({ method: "POST", path: apiPath`/admin/users/invites/${id}/resend` });
  return answer.inviteLink ?? answer.invite_link;
}

/** Every invite to `email` (all statuses unless `status`), from every page, and the server's clock at the first answer. */
export async function listInvites(client: ApiClient, filter: { email?: string; status?: ApiInvite["status"] } = {}): Promise<{ invites: ApiInvite[]; serverTime?: number }> {
  const invites: ApiInvite[] = [];
  let serverTime: number | undefined;
  for (let page = 0; ; page++) {
    const answer = await client.requestWithServerTime<{ total?: number; data?: ApiInvite[] }>({
      method: "GET",
      path: "/admin/users/invites",
      query: { pageSize: PAGE_SIZE, currentPage: page, email: filter.email, status: filter.status ?? undefined },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body.data ?? [];
    invites.push(...data);
    if (data.length < PAGE_SIZE) return { invites, serverTime };
  }
}
