/**
 * OpenRouter's people: the organisation's members (`GET /organization/members`,
 * read-only: people are invited in the dashboard, so tests seed them through a
 * control endpoint) and workspace memberships (`/workspaces/{id}/members`,
 * added and removed in bulk by user id).
 *
 * Rules (openrouter-api-more.md §0, §4): only organisation members can be
 * added; the workspace role is the organisation role (`org:admin` → `admin`);
 * the default workspace lists every organisation member; removal is refused
 * for SCIM-managed people and for people who own keys in the workspace.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { HandlerResult, Router } from "../router";
import { findWorkspace, JsonObject, objectBody, OpenRouterPrincipal, OpenRouterRequest, openrouterError, paging, sha256 } from "./common";
import { OpenRouterOrganizationMemberRecord, OpenRouterState, OpenRouterWorkspaceMemberRecord, OpenRouterWorkspaceRecord } from "./state";

/** The most user ids one add or remove takes (S1: 1–100). */
const MAX_USER_IDS = 100;

/** The member routes and their rules. */
export class OpenRouterMemberRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/organization/members", (ctx) => this.listOrganizationMembers(ctx))
      .add("GET", "/workspaces/{id}/members", (ctx) => this.listWorkspaceMembers(ctx))
      .add("POST", "/workspaces/{id}/members/add", (ctx) => this.addMembers(ctx))
      .add("POST", "/workspaces/{id}/members/remove", (ctx) => this.removeMembers(ctx));
  }

  private listOrganizationMembers(ctx: OpenRouterRequest): HandlerResult {
    const { offset, limit } = paging(ctx.query, 50, 100);
    const all = organizationMembers(this.state());
    return { body: { data: all.slice(offset, offset + limit).map(organizationMemberJson), total_count: all.length } };
  }

  private listWorkspaceMembers(ctx: OpenRouterRequest): HandlerResult {
    const workspace = findWorkspace(this.state(), ctx.params.id);
    const { offset, limit } = paging(ctx.query, 50, 100);
    const all = this.membersOf(workspace);
    return { body: { data: all.slice(offset, offset + limit).map((m) => this.memberJson(m)), total_count: all.length } };
  }

  private addMembers(ctx: OpenRouterRequest): HandlerResult {
    const workspace = findWorkspace(this.state(), ctx.params.id);
    const userIds = userIdsOf(objectBody(ctx));
    const people = this.state().organization_members ?? {};
    // No source says how the API answers a user outside the organisation; a 400 naming them is the choice.
    const outsiders = userIds.filter((id) => !people[id]);
    if (outsiders.length > 0) {
      throw openrouterError(400, `Not members of the organization: ${outsiders.join(", ")}. Only existing organization members can be added to a workspace`);
    }
    const memberships = (this.state().workspace_members ??= {});
    const added = userIds.map((userId) => {
      const existing = this.membersOf(workspace).find((m) => m.user_id === userId);
      if (existing) return existing;
      const record: OpenRouterWorkspaceMemberRecord = { id: randomUUID(), workspace_id: workspace.id, user_id: userId, created_at: ctx.now.toISOString() };
      memberships[record.id] = record;
      return record;
    });
    // `added_count` counts memberships "created or updated", so one already there counts too.
    return { body: { added_count: added.length, data: added.map((m) => this.memberJson(m)) } };
  }

  private removeMembers(ctx: OpenRouterRequest): HandlerResult {
    const workspace = findWorkspace(this.state(), ctx.params.id);
    const userIds = userIdsOf(objectBody(ctx));
    const people = this.state().organization_members ?? {};
    const scim = userIds.filter((id) => people[id]?.scim_managed);
    if (scim.length > 0) throw openrouterError(400, `Cannot remove SCIM-managed members: ${scim.join(", ")}`);
    // "Active API keys": whether a disabled key counts is not stated; counting it is the strict
    // reading, the same one the workspace delete makes.
    const keyOwners = userIds.filter((id) =>
      Object.values(this.state().keys).some((k) => !k.deleted_at && k.workspace_id === workspace.id && k.creator_user_id === id),
    );
    if (keyOwners.length > 0) {
      throw openrouterError(400, `Cannot remove members who own API keys in this workspace: ${keyOwners.join(", ")}. Delete their keys first`);
    }
    const memberships = this.state().workspace_members ?? {};
    let removed = 0;
    for (const record of Object.values(memberships)) {
      if (record.workspace_id === workspace.id && userIds.includes(record.user_id)) {
        delete memberships[record.id];
        removed++;
      }
    }
    // The default workspace's membership is implicit (every organisation member): nothing to remove there.
    return { body: { removed_count: removed } };
  }

  /** Who is in the workspace: everyone for the default one, else its explicit memberships of current organisation members. */
  private membersOf(workspace: OpenRouterWorkspaceRecord): OpenRouterWorkspaceMemberRecord[] {
    const people = this.state().organization_members ?? {};
    if (workspace.is_default) {
      return organizationMembers(this.state()).map((p) => ({ id: derivedUuid(`${workspace.id}:${p.id}`), workspace_id: workspace.id, user_id: p.id, created_at: p.created_at }));
    }
    return Object.values(this.state().workspace_members ?? {})
      .filter((m) => m.workspace_id === workspace.id && people[m.user_id])
      .sort((a, b) => a.created_at.localeCompare(b.created_at)); // stable: same-instant ones stay in the order added
  }

  /** A membership as the API answers it: the role follows the organisation role at every read. */
  private memberJson(m: OpenRouterWorkspaceMemberRecord): JsonObject {
    const person = this.state().organization_members?.[m.user_id];
    return { id: m.id, user_id: m.user_id, workspace_id: m.workspace_id, role: person?.role === "org:admin" ? "admin" : "member", created_at: m.created_at };
  }
}

function organizationMembers(state: OpenRouterState): OpenRouterOrganizationMemberRecord[] {
  // Stable: people seeded at the same instant stay in the order given.
  return Object.values(state.organization_members ?? {}).sort((a, b) => a.created_at.localeCompare(b.created_at));
}

function organizationMemberJson(p: OpenRouterOrganizationMemberRecord): JsonObject {
  return { id: p.id, email: p.email, first_name: p.first_name, last_name: p.last_name, role: p.role };
}

/** `user_ids`: 1–100 non-empty strings, duplicates once. */
function userIdsOf(body: JsonObject): string[] {
  const ids = body.user_ids;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_USER_IDS || ids.some((id) => typeof id !== "string" || id === "")) {
    throw openrouterError(400, `user_ids must be a list of 1-${MAX_USER_IDS} user ids`);
  }
  return [...new Set(ids as string[])];
}

/** A stable UUID-shaped id for an implicit membership. */
function derivedUuid(text: string): string {
  const hex = sha256(text);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** One person as the control endpoint takes them; `id` is generated when absent. */
export interface OrganizationMemberSeed {
  id?: string;
  email: string;
  first_name?: string | null;
  last_name?: string | null;
  role?: "org:admin" | "org:member";
  scim_managed?: boolean;
}

/**
 * Test control, not vendor API: adds people to the organisation, or changes
 * those whose `id` (else `email`) is already there. Everything is checked
 * before anything changes. Answers the people as stored.
 */
export function seedOrganizationMembers(state: OpenRouterState, body: unknown, now: Date): OpenRouterOrganizationMemberRecord[] {
  const seeds = (body as { members?: unknown } | undefined)?.members;
  if (!Array.isArray(seeds) || seeds.length === 0) throw new Error("the body must be {members: [{email, id?, first_name?, last_name?, role?, scim_managed?}, ...]}");
  seeds.forEach((seed: Partial<OrganizationMemberSeed> | null, i) => {
    const where = `members[${i}]`;
    if (typeof seed !== "object" || seed === null) throw new Error(`${where} must be an object`);
    if (typeof seed.email !== "string" || !seed.email.includes("@")) throw new Error(`${where}.email must be an email address`);
    if (seed.id !== undefined && (typeof seed.id !== "string" || seed.id === "" || seed.id.includes("/"))) throw new Error(`${where}.id must be a non-empty user id without '/'`);
    if (seed.role !== undefined && seed.role !== "org:admin" && seed.role !== "org:member") throw new Error(`${where}.role must be org:admin or org:member`);
    if (seed.scim_managed !== undefined && typeof seed.scim_managed !== "boolean") throw new Error(`${where}.scim_managed must be a boolean`);
    for (const name of ["first_name", "last_name"] as const) {
      if (seed[name] !== undefined && seed[name] !== null && typeof seed[name] !== "string") throw new Error(`${where}.${name} must be a string or null`);
    }
  });
  const people = (state.organization_members ??= {});
  return (seeds as OrganizationMemberSeed[]).map((seed) => {
    const existing = seed.id !== undefined ? people[seed.id] : Object.values(people).find((p) => p.email === seed.email);
    const record: OpenRouterOrganizationMemberRecord = existing ?? {
      id: seed.id ?? `user_${randomBytes(14).toString("hex")}`,
      email: seed.email,
      first_name: null,
      last_name: null,
      role: "org:member",
      scim_managed: false,
      created_at: now.toISOString(),
    };
    record.email = seed.email;
    if (seed.first_name !== undefined) record.first_name = seed.first_name;
    if (seed.last_name !== undefined) record.last_name = seed.last_name;
    if (seed.role !== undefined) record.role = seed.role;
    if (seed.scim_managed !== undefined) record.scim_managed = seed.scim_managed;
    people[record.id] = record;
    return { ...record };
  });
}

/** Test control: the person leaves the organisation, and with it every workspace. False when there was no such person. */
export function removeOrganizationMember(state: OpenRouterState, userId: string): boolean {
  const people = state.organization_members ?? {};
  if (!people[userId]) return false;
  delete people[userId];
  for (const record of Object.values(state.workspace_members ?? {})) {
    if (record.user_id === userId) delete state.workspace_members![record.id];
  }
  return true;
}
