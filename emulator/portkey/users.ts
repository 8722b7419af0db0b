/**
 * Portkey's people: organisation users (/admin/users) and invitations
 * (/admin/users/invites). The API cannot create a user: people join by
 * accepting an invite (or through SCIM/SSO), so the emulator offers tests
 * control endpoints (see server.ts) that seed a user, accept an invite or
 * let it expire.
 *
 * Sources: the official document for paths, bodies and answers; the
 * Terraform provider's findings for the rest (reference §7, §8): users page
 * with camelCase `pageSize`/`currentPage`; a PUT with the unchanged role fails
 * AB01; an invite has no update (a PUT there matches `/admin/users/{userId}`
 * and finds no user, the live 404); GET shows an invite without its
 * workspaces or scopes (the document's schema has neither, although one of
 * its examples shows `workspaces` with empty strings: the schema and the live
 * finding are followed); the link is shown by create and resend only.
 *
 * Not established by any source, and chosen strictly here: invites expire 7
 * days after they are sent (or resent); a deleted invite is gone (404); an
 * invite to an address that already belongs to a user is refused (AB01); the
 * owner cannot be removed or change role.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { authorize, isObject, JsonObject, PortkeyPrincipal, PortkeyRequest, PortkeyShared } from "./common";
import { InviteRecord, PortkeyState, UserRecord, WorkspaceMemberRecord } from "./state";

/** How long an invite stays acceptable after it is sent or resent (not documented; 7 days assumed). */
export const INVITE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/** What the control endpoint that seeds a user accepts. */
export interface SeedUser {
  email: string;
  first_name?: string;
  last_name?: string;
  role?: UserRecord["role"];
  /** The organisation; the first one when absent. */
  organisation_id?: string;
}

/** The user and invite routes and their rules, plus the test controls that stand in for people. */
export class PortkeyUserRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("GET", "/admin/users", (ctx) => this.listUsers(ctx))
      .add("GET", "/admin/users/{userId}", (ctx) => this.getUser(ctx))
      .add("PUT", "/admin/users/{userId}", (ctx) => this.updateUser(ctx))
      .add("DELETE", "/admin/users/{userId}", (ctx) => this.deleteUser(ctx))
      .add("POST", "/admin/users/invites", (ctx) => this.createInvite(ctx))
      .add("GET", "/admin/users/invites", (ctx) => this.listInvites(ctx))
      .add("GET", "/admin/users/invites/{inviteId}", (ctx) => this.getInvite(ctx))
      .add("DELETE", "/admin/users/invites/{inviteId}", (ctx) => this.deleteInvite(ctx))
      .add("POST", "/admin/users/invites/{inviteId}/resend", (ctx) => this.resendInvite(ctx));
  }

  // ------------------------------------------------------------------ users

  private listUsers(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_users.list", { organisationOnly: true });
    const role = ctx.query.get("role");
    const email = ctx.query.get("email");
    const users = Object.values(usersOf(this.shared.state(ctx)))
      .filter((u) => !role || u.role === role)
      .filter((u) => !email || u.email.toLowerCase() === email.toLowerCase())
      // Stable: people added in the same millisecond stay in the order they were added (their ids are random).
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { body: camelPage(users, ctx.query, (u) => userJson(u)) };
  }

  private getUser(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_users.read", { organisationOnly: true });
    const state = this.shared.state(ctx);
    const user = findUser(state, ctx.params.userId);
    return { body: { ...userJson(user), workspace_ids: workspaceIdsOf(state, user.id) } };
  }

  private updateUser(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_users.update", { organisationOnly: true });
    const user = findUser(this.shared.state(ctx), ctx.params.userId);
    const body = this.shared.checkedBody(ctx);
    const role = body.role as "admin" | "member" | undefined;
    if (role === undefined) throw portkeyError("AB01", "Invalid request. role: is required");
    if (user.role === "owner") throw portkeyError("AB01", "Invalid request. The owner's role cannot be changed");
    // The Terraform provider's RESOURCE_MATRIX: an update to the role the user already has fails.
    if (user.role === role) throw portkeyError("AB01", `Invalid request. The user already has the role ${role}`);
    user.role = role;
    user.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteUser(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_users.delete", { organisationOnly: true });
    const state = this.shared.state(ctx);
    const user = findUser(state, ctx.params.userId);
    if (user.role === "owner") throw portkeyError("AB01", "Invalid request. The owner cannot be removed from the organisation");
    // Leaving the organisation ends every workspace membership.
    for (const members of Object.values(membersOf(state))) delete members[user.id];
    delete usersOf(state)[user.id];
    return { body: {} };
  }

  // ---------------------------------------------------------------- invites

  private createInvite(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_users.create", { organisationOnly: true });
    const state = this.shared.state(ctx);
    const body = this.shared.checkedBody(ctx);
    const email = typeof body.email === "string" ? body.email.trim() : "";
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw portkeyError("AB01", "Invalid request. email: must be an email address");
    if (userByEmail(state, email)) throw portkeyError("AB01", `Invalid request. ${email} is already a user of the organisation`);
    const workspaces = ((body.workspaces ?? []) as { id: string; role: InviteRecord["workspaces"][number]["role"] }[]).map((w, i) => {
      if (typeof w.id !== "string" || w.id === "") throw portkeyError("AB01", `Invalid request. workspaces[${i}].id: is required`);
      // The document says slug; the Terraform provider sends the UUID successfully: both are taken.
      return { workspace_id: this.shared.findWorkspace(ctx, w.id).id, role: w.role };
    });
    const details = body.workspace_api_key_details;
    const now = ctx.now;
    const record: InviteRecord = {
      id: randomUUID(),
      email,
      role: body.role as InviteRecord["role"],
      workspaces,
      scopes: isObject(details) && Array.isArray(details.scopes) ? [...(details.scopes as string[])] : null,
      link_token: newToken(),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + INVITE_LIFETIME_MS).toISOString(),
      accepted_at: null,
      status: "pending",
      invited_by: ctx.principal.kind === "key" ? ctx.principal.key.user_id : null,
    };
    invitesOf(state)[record.id] = record;
    return { body: { id: record.id, invite_link: inviteLink(record) } };
  }

  private listInvites(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_users.list", { organisationOnly: true });
    const { role, email, status } = { role: ctx.query.get("role"), email: ctx.query.get("email"), status: ctx.query.get("status") };
    const invites = Object.values(invitesOf(this.shared.state(ctx)))
      .map((i) => expireIfDue(i, ctx.now))
      .filter((i) => !role || i.role === role)
      .filter((i) => !email || i.email.toLowerCase() === email.toLowerCase())
      .filter((i) => !status || i.status === status)
      .sort((a, b) => a.created_at.localeCompare(b.created_at)); // stable, as for users
    return { body: camelPage(invites, ctx.query, inviteJson) };
  }

  private getInvite(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_users.read", { organisationOnly: true });
    return { body: inviteJson(expireIfDue(findInvite(this.shared.state(ctx), ctx.params.inviteId), ctx.now)) };
  }

  private deleteInvite(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_users.delete", { organisationOnly: true });
    const state = this.shared.state(ctx);
    const invite = findInvite(state, ctx.params.inviteId);
    delete invitesOf(state)[invite.id];
    return { body: {} };
  }

  private resendInvite(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_users.create", { organisationOnly: true });
    const invite = expireIfDue(findInvite(this.shared.state(ctx), ctx.params.inviteId), ctx.now);
    if (invite.status === "accepted" || invite.status === "cancelled") {
      throw portkeyError("AB01", `Invalid request. The invite is ${invite.status} and cannot be resent`);
    }
    // A resend sends a fresh link and restarts the clock (an expired invite is pending again).
    invite.link_token = newToken();
    invite.status = "pending";
    invite.expires_at = new Date(ctx.now.getTime() + INVITE_LIFETIME_MS).toISOString();
    return { body: { inviteLink: inviteLink(invite) } };
  }

  // ------------------------------------------------ test controls (no vendor API)

  /** Adds a user to an organisation as SSO or SCIM would (control endpoint for tests). */
  seedUser(organisations: readonly PortkeyState[], seed: SeedUser, now: Date): UserRecord {
    if (!isObject(seed) || typeof seed.email !== "string" || !seed.email.includes("@")) throw portkeyError("AB01", "email: an email address is required");
    const state = seed.organisation_id === undefined ? organisations[0] : organisations.find((o) => o.organisation_id === seed.organisation_id);
    if (!state) throw portkeyError("AB08", `Unknown organisation: ${String(seed.organisation_id)}`);
    const role = seed.role ?? "member";
    if (!["owner", "admin", "member"].includes(role)) throw portkeyError("AB01", "role: must be owner, admin or member");
    if (userByEmail(state, seed.email)) throw portkeyError("AB01", `${seed.email} is already a user of the organisation`);
    return addUser(state, { email: seed.email, first_name: seed.first_name, last_name: seed.last_name, role }, now);
  }

  /**
   * What the invited person's click does (control endpoint for tests): the
   * invite becomes `accepted`, a user with its role joins the organisation
   * and the workspaces it names (those still there), with their roles.
   */
  acceptInvite(organisations: readonly PortkeyState[], inviteId: string, now: Date): UserRecord {
    const { state, invite } = inviteAnywhere(organisations, inviteId);
    expireIfDue(invite, now);
    if (invite.status !== "pending") throw portkeyError("AB01", `The invite is ${invite.status}, not pending`);
    if (userByEmail(state, invite.email)) throw portkeyError("AB01", `${invite.email} is already a user of the organisation`);
    const user = addUser(state, { email: invite.email, role: invite.role }, now);
    for (const { workspace_id, role } of invite.workspaces) {
      const workspace = state.workspaces[workspace_id];
      if (!workspace || workspace.deleted_at) continue;
      (membersOf(state)[workspace_id] ??= {})[user.id] = { role, created_at: now.toISOString(), last_updated_at: now.toISOString() };
    }
    invite.status = "accepted";
    invite.accepted_at = now.toISOString();
    return user;
  }

  /** Makes an invite's expiry now (control endpoint for tests), instead of waiting a week. */
  expireInvite(organisations: readonly PortkeyState[], inviteId: string, now: Date): void {
    const { invite } = inviteAnywhere(organisations, inviteId);
    if (invite.status !== "pending") throw portkeyError("AB01", `The invite is ${invite.status}, not pending`);
    invite.expires_at = now.toISOString();
    invite.status = "expired";
  }
}

// ------------------------------------------------------------------ helpers

/** The organisation's users (older state files have none yet). */
export function usersOf(state: PortkeyState): Record<string, UserRecord> {
  return (state.users ??= {});
}

/** The organisation's workspace memberships, by workspace UUID then user id. */
export function membersOf(state: PortkeyState): Record<string, Record<string, WorkspaceMemberRecord>> {
  return (state.workspace_members ??= {});
}

function invitesOf(state: PortkeyState): Record<string, InviteRecord> {
  return (state.invites ??= {});
}

/** A user by id, or 404 AB08. */
export function findUser(state: PortkeyState, id: string): UserRecord {
  const user = usersOf(state)[id];
  if (!user) throw portkeyError("AB08", `User not found: ${id}`);
  return user;
}

function userByEmail(state: PortkeyState, email: string): UserRecord | undefined {
  return Object.values(usersOf(state)).find((u) => u.email.toLowerCase() === email.toLowerCase());
}

function addUser(state: PortkeyState, given: { email: string; first_name?: string; last_name?: string; role: UserRecord["role"] }, now: Date): UserRecord {
  const local = given.email.split("@")[0];
  const user: UserRecord = {
    id: randomUUID(),
    first_name: given.first_name ?? local,
    last_name: given.last_name ?? "",
    email: given.email,
    role: given.role,
    created_at: now.toISOString(),
    last_updated_at: now.toISOString(),
  };
  usersOf(state)[user.id] = user;
  return user;
}

function findInvite(state: PortkeyState, id: string): InviteRecord {
  const invite = invitesOf(state)[id];
  if (!invite) throw portkeyError("AB08", `Invite not found: ${id}`);
  return invite;
}

function inviteAnywhere(organisations: readonly PortkeyState[], id: string): { state: PortkeyState; invite: InviteRecord } {
  for (const state of organisations) {
    const invite = invitesOf(state)[id];
    if (invite) return { state, invite };
  }
  throw portkeyError("AB08", `Invite not found: ${id}`);
}

/** A pending invite past its expiry reads as expired from then on. */
function expireIfDue(invite: InviteRecord, now: Date): InviteRecord {
  if (invite.status === "pending" && Date.parse(invite.expires_at) <= now.getTime()) invite.status = "expired";
  return invite;
}

function workspaceIdsOf(state: PortkeyState, userId: string): string[] {
  return Object.entries(membersOf(state))
    .filter(([workspaceId, members]) => members[userId] && !state.workspaces[workspaceId]?.deleted_at)
    .map(([workspaceId]) => workspaceId);
}

function newToken(): string {
  return randomBytes(16).toString("hex");
}

function inviteLink(invite: InviteRecord): string {
  return `https://app.portkey.ai/invite/${invite.link_token}`;
}

/** A user as the list and GET show one (GET adds `workspace_ids`). */
function userJson(u: UserRecord): JsonObject {
  return { object: "user", id: u.id, first_name: u.first_name, last_name: u.last_name, role: u.role, email: u.email, created_at: u.created_at, last_updated_at: u.last_updated_at };
}

/** The document's Invite: no workspaces, scopes or link; absent values are left out (the schema types them non-null). */
function inviteJson(i: InviteRecord): JsonObject {
  return {
    object: "invite",
    id: i.id,
    email: i.email,
    role: i.role,
    created_at: i.created_at,
    expires_at: i.expires_at,
    ...(i.accepted_at ? { accepted_at: i.accepted_at } : {}),
    status: i.status,
    ...(i.invited_by ? { invited_by: i.invited_by } : {}),
  };
}

/** One page by the camelCase `pageSize` and `currentPage` (from 0) the user and invite lists take. */
function camelPage<T>(items: T[], query: URLSearchParams, toJson: (item: T) => unknown): { total: number; object: "list"; data: unknown[] } {
  const size = pagingValue(query.get("pageSize"), 100, 1, 1000);
  const current = pagingValue(query.get("currentPage"), 0, 0, 1_000_000);
  return { total: items.length, object: "list", data: items.slice(current * size, current * size + size).map(toJson) };
}

function pagingValue(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw portkeyError("AB01", `Invalid pagination value: ${raw}`);
  return n;
}
