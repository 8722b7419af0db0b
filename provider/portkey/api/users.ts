/**
 * Portkey's organisation users (`/admin/users`), each endpoint written once.
 * The API cannot create a user: people join by accepting an invite
 * (./invites.ts), or through SCIM or SSO. Users page with camelCase
 * `pageSize`/`currentPage`, unlike most admin lists.
 */
import { ApiClient, apiPath } from "../../http";

/** A user as GET /admin/users/{userId} answers (the list leaves out `workspace_ids`). */
export interface ApiUser {
  id: string;
  email: string;
  first_name?: string | null;
  last_name?: string | null;
  /** The organisation role. */
  role?: "owner" | "admin" | "member" | null;
  created_at?: string;
  last_updated_at?: string;
  /** The workspaces the user is a member of (GET only). */
  workspace_ids?: string[] | null;
}

/** What GET /admin/users can filter on. */
export interface UserFilter {
  /** Exactly this address (the emulator compares it case-insensitively; the live API's matching is not documented). */
  email?: string;
  /** Only users with this organisation role. */
  role?: "owner" | "admin" | "member";
}

const PAGE_SIZE = 100;

/**
 * Every user of the organisation that matches `filter`, from every page, in
 * the API's order. With no filter: the whole organisation. A look-up by email
 * is `listUsers(client, { email })` and then checking the address of what
 * came back (the filter is the server's).
 */
export async function listUsers(client: ApiClient, filter: UserFilter = {}): Promise<ApiUser[]> {
  const users: ApiUser[] = [];
  for (let page = 0; ; page++) {
    const answer = await client.request<{ total?: number; data?: ApiUser[] }>({
      method: "GET",
      path: "/admin/users",
      query: { pageSize: PAGE_SIZE, currentPage: page, email: filter.email, role: filter.role },
    });
    const data = answer.data ?? [];
    users.push(...data);
    if (data.length < PAGE_SIZE || (answer.total !== undefined && users.length >= answer.total)) return users;
  }
}

/** The user, or undefined when the organisation has no user of that id (404). */
export function getUser(client: ApiClient, userId: string): Promise<ApiUser | undefined> {
  return client.requestOrGone<ApiUser>({ method: "GET", path: apiPath`/admin/users/${userId}` });
}
