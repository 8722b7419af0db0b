/**
 * Workspace members, /admin/workspaces/{workspaceId}/users: organisation
 * users given a role (admin, member, manager) in one workspace.
 *
 * Sources: the official document for paths, bodies and the WorkspaceMember
 * answer; the Terraform provider's findings (reference §6): only users of the
 * organisation can be added; the organisation's owner reads as `admin` in
 * every workspace. The document's list defaults are swapped (`current_page`
 * 50, `page_size` 0); the emulator pages like the other admin lists (page 0,
 * 100 a page), and clients send both anyway. The live quirks a client must
 * tolerate (GET without `id`, `ws-` before the role) are not reproduced: they
 * would break the document's schema that responses are checked against.
 *
 * Not established, chosen strictly: adding a user who is already a member is
 * refused (AB01) rather than taken as a role change; `role` is required.
 */
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { authorize, JsonObject, page, PortkeyPrincipal, PortkeyRequest, PortkeyShared } from "./common";
import { PortkeyState, UserRecord, WorkspaceMemberRecord, WorkspaceRecord } from "./state";
import { findUser, membersOf, usersOf } from "./users";

type MemberRole = WorkspaceMemberRecord["role"];

/** The workspace member routes and their rules. */
export class PortkeyWorkspaceMemberRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/admin/workspaces/{workspaceId}/users", (ctx) => this.addMembers(ctx))
      .add("GET", "/admin/workspaces/{workspaceId}/users", (ctx) => this.listMembers(ctx))
      .add("GET", "/admin/workspaces/{workspaceId}/users/{userId}", (ctx) => this.getMember(ctx))
      .add("PUT", "/admin/workspaces/{workspaceId}/users/{userId}", (ctx) => this.updateMember(ctx))
      .add("DELETE", "/admin/workspaces/{workspaceId}/users/{userId}", (ctx) => this.removeMember(ctx));
  }

  private addMembers(ctx: PortkeyRequest): HandlerResult {
    const workspace = this.shared.findWorkspace(ctx, ctx.params.workspaceId);
    authorize(ctx, "workspace_users.create", { workspaceId: workspace.id });
    const state = this.shared.state(ctx);
    const body = this.shared.checkedBody(ctx);
    const users = body.users as { id?: string; role?: MemberRole }[] | undefined;
    if (!Array.isArray(users) || users.length === 0) throw portkeyError("AB01", "Invalid request. users: is required and must list at least one user");
    const members = (membersOf(state)[workspace.id] ??= {});
    // All or nothing: every entry is checked before any is added.
    const additions = users.map((entry, i) => {
      if (typeof entry.id !== "string") throw portkeyError("AB01", `Invalid request. users[${i}].id: is required`);
      if (entry.role === undefined) throw portkeyError("AB01", `Invalid request. users[${i}].role: is required`);
      const user = usersOf(state)[entry.id];
      // Only people already in the organisation: new ones are invited (/admin/users/invites).
      if (!user) throw portkeyError("AB08", `User not found in the organisation: ${entry.id}`);
      if (members[user.id]) throw portkeyError("AB01", `Invalid request. User ${user.id} is already a member of the workspace`);
      return { user, role: entry.role };
    });
    if (new Set(additions.map((a) => a.user.id)).size !== additions.length) throw portkeyError("AB01", "Invalid request. users: a user is listed twice");
    const now = ctx.now.toISOString();
    for (const { user, role } of additions) members[user.id] = { role, created_at: now, last_updated_at: now };
    return { body: {} };
  }

  private listMembers(ctx: PortkeyRequest): HandlerResult {
    const workspace = this.shared.findWorkspace(ctx, ctx.params.workspaceId);
    authorize(ctx, "workspace_users.list", { workspaceId: workspace.id });
    const state = this.shared.state(ctx);
    const role = ctx.query.get("role");
    const email = ctx.query.get("email");
    const rows = Object.entries(membersOf(state)[workspace.id] ?? {})
      .map(([userId, member]) => ({ user: usersOf(state)[userId], member }))
      .filter((row): row is { user: UserRecord; member: WorkspaceMemberRecord } => row.user !== undefined)
      .filter((row) => !role || shownRole(row.user, row.member) === role)
      .filter((row) => !email || row.user.email.toLowerCase() === email.toLowerCase())
      .sort((a, b) => a.member.created_at.localeCompare(b.member.created_at) || a.user.id.localeCompare(b.user.id));
    return { body: page(rows, ctx.query, (row) => memberJson(workspace, row.user, row.member)) };
  }

  private getMember(ctx: PortkeyRequest): HandlerResult {
    const { workspace, user, member } = this.find(ctx, "workspace_users.read");
    return { body: memberJson(workspace, user, member) };
  }

  private updateMember(ctx: PortkeyRequest): HandlerResult {
    const { member } = this.find(ctx, "workspace_users.update");
    const body = this.shared.checkedBody(ctx);
    if (body.role === undefined) throw portkeyError("AB01", "Invalid request. role: is required");
    member.role = body.role as MemberRole;
    member.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private removeMember(ctx: PortkeyRequest): HandlerResult {
    const { workspace, user } = this.find(ctx, "workspace_users.delete");
    delete membersOf(this.shared.state(ctx))[workspace.id][user.id];
    return { body: {} };
  }

  /** The membership named by the path, or 404 AB08 (a deleted workspace: 403 AB03, as for the workspace itself). */
  private find(ctx: PortkeyRequest, scope: string): { workspace: WorkspaceRecord; user: UserRecord; member: WorkspaceMemberRecord } {
    const workspace = this.shared.findWorkspace(ctx, ctx.params.workspaceId);
    authorize(ctx, scope, { workspaceId: workspace.id });
    const state: PortkeyState = this.shared.state(ctx);
    const member = membersOf(state)[workspace.id]?.[ctx.params.userId];
    if (!member) throw portkeyError("AB08", `User ${ctx.params.userId} is not a member of workspace ${workspace.slug}`);
    return { workspace, user: findUser(state, ctx.params.userId), member };
  }
}

/** The organisation's owner is an admin of every workspace it is in, whatever was set. */
function shownRole(user: UserRecord, member: WorkspaceMemberRecord): MemberRole {
  return user.role === "owner" ? "admin" : member.role;
}

/** The document's WorkspaceMember. */
function memberJson(workspace: WorkspaceRecord, user: UserRecord, member: WorkspaceMemberRecord): JsonObject {
  return {
    object: "workspace-user",
    id: user.id,
    first_name: user.first_name,
    last_name: user.last_name,
    org_role: user.role,
    role: shownRole(user, member),
    created_at: member.created_at,
    last_updated_at: member.last_updated_at,
    status: "active",
    workspace_id: workspace.id,
    email: user.email,
    scopes: [],
    settings: null,
  };
}
