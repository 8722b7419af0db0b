/**
 * OpenRouter SCIM, /scim: the groups an identity provider pushed (read-only;
 * tests seed them through a control endpoint), the mappings of a group to a
 * workspace with a role (create, read, change the role, delete), and
 * directory sync jobs.
 *
 * Sources (openrouter-api-org.md §2): the OpenAPI document (S1), the
 * `@openrouter/sdk` 1.3.19 `scim` calls and models, and the PyPI `openrouter`
 * SDK's docstrings (idempotent create, 409 on another role, `keep_members`
 * required on delete, group filters). A mapping makes the group's members
 * members of the workspace; deleting it with `keep_members=false` removes the
 * memberships it made. Every choice is named in a comment and in docs/emulator.md.
 */
import { randomUUID } from "node:crypto";
import { HandlerResult, Router } from "../router";
import { findWorkspace, JsonObject, objectBody, ORGANIZATION_ID, OpenRouterPrincipal, OpenRouterRequest, openrouterError, paging } from "./common";
import { UUID } from "./scope";
import { OpenRouterScimGroupMappingRecord, OpenRouterScimGroupRecord, OpenRouterScimSyncJobRecord, OpenRouterState } from "./state";

const ROLES = ["admin", "member"];

/** The SCIM routes and their rules. */
export class OpenRouterScimRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/scim/groups", (ctx) => this.listGroups(ctx))
      .add("GET", "/scim/group-mappings", (ctx) => this.listMappings(ctx))
      .add("POST", "/scim/group-mappings", (ctx) => this.createMapping(ctx))
      .add("GET", "/scim/group-mappings/{id}", (ctx) => ({ body: { data: mappingJson(this.findMapping(ctx.params.id)) } }))
      .add("PATCH", "/scim/group-mappings/{id}", (ctx) => this.updateMapping(ctx))
      .add("DELETE", "/scim/group-mappings/{id}", (ctx) => this.deleteMapping(ctx))
      .add("POST", "/scim/sync-jobs", (ctx) => this.startSyncJob(ctx))
      .add("GET", "/scim/sync-jobs/{id}", (ctx) => this.getSyncJob(ctx));
  }

  private mappings(): Record<string, OpenRouterScimGroupMappingRecord> {
    return (this.state().scim_group_mappings ??= {});
  }

  /** Oldest first (a choice); `display_name` and `external_id` are exact filters, both applied when both are given, empty = none (PY). */
  private listGroups(ctx: OpenRouterRequest): HandlerResult {
    const { offset, limit } = paging(ctx.query, 50, 100);
    const displayName = ctx.query.get("display_name") || undefined;
    const externalId = ctx.query.get("external_id") || undefined;
    const all = scimGroups(this.state()).filter((g) => (displayName === undefined || g.display_name === displayName) && (externalId === undefined || g.external_id === externalId));
    return { body: { data: all.slice(offset, offset + limit).map(groupJson), total_count: all.length } };
  }

  /** No filters (S1); oldest first (a choice). */
  private listMappings(ctx: OpenRouterRequest): HandlerResult {
    const { offset, limit } = paging(ctx.query, 50, 100);
    const all = Object.values(this.mappings()).sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { body: { data: all.slice(offset, offset + limit).map(mappingJson), total_count: all.length } };
  }

  /**
   * 201 with the mapping; the same group, workspace and role again succeeds
   * with the same mapping and grants the group's members again; another role
   * for that pair is 409 (PY docstring). Only UUIDs are taken (S1 `format: uuid`).
   */
  private createMapping(ctx: OpenRouterRequest): HandlerResult {
    const body = objectBody(ctx);
    for (const field of ["scim_group_id", "workspace_id"]) {
      if (typeof body[field] !== "string" || !UUID.test(body[field] as string)) throw openrouterError(400, `${field} is required and must be a UUID`);
    }
    const role = roleOf(body);
    const group = this.state().scim_groups?.[body.scim_group_id as string];
    if (!group) throw openrouterError(404, `SCIM group ${body.scim_group_id} not found`);
    const workspace = findWorkspace(this.state(), body.workspace_id as string);
    const now = ctx.now.toISOString();
    let mapping = Object.values(this.mappings()).find((m) => m.scim_group_id === group.id && m.workspace_id === workspace.id);
    if (mapping && mapping.role !== role) {
      throw openrouterError(409, `SCIM group ${group.id} is already mapped to workspace ${workspace.id} with role ${mapping.role}; change its role with PATCH /scim/group-mappings/${mapping.id}`);
    }
    if (!mapping) {
      mapping = { id: randomUUID(), scim_group_id: group.id, workspace_id: workspace.id, role, created_at: now, updated_at: now };
      this.mappings()[mapping.id] = mapping;
    }
    grantMembers(this.state(), mapping, now);
    return { status: 201, body: { data: mappingJson(mapping) } };
  }

  /** Only the role changes (S1 `UpdateScimGroupMappingRequest`); group and workspace are fixed. */
  private updateMapping(ctx: OpenRouterRequest): HandlerResult {
    const mapping = this.findMapping(ctx.params.id);
    const body = objectBody(ctx);
    for (const field of ["scim_group_id", "workspace_id"]) {
      if (body[field] !== undefined && body[field] !== (mapping as unknown as JsonObject)[field]) throw openrouterError(400, `${field} cannot be changed; delete the mapping and create another`);
    }
    const role = roleOf(body);
    if (role !== mapping.role) {
      mapping.role = role;
      mapping.updated_at = ctx.now.toISOString();
    }
    return { body: { data: mappingJson(mapping) } };
  }

  /**
   * `keep_members` is required (400 without it): `false` removes the
   * memberships this mapping made, `true` leaves them as manually managed (S1).
   */
  private deleteMapping(ctx: OpenRouterRequest): HandlerResult {
    const keep = ctx.query.get("keep_members");
    if (keep !== "true" && keep !== "false") throw openrouterError(400, "keep_members is required: true keeps the members this mapping added, false removes them");
    const mapping = this.findMapping(ctx.params.id);
    releaseMembers(this.state(), mapping.id, keep === "true");
    delete this.mappings()[mapping.id];
    return { body: { deleted: true } };
  }

  /**
   * 202 with a queued job. The emulator has no identity provider to pull
   * from: the job is done at once, so any later read answers it succeeded,
   * counting the groups there are (a choice).
   */
  private startSyncJob(ctx: OpenRouterRequest): HandlerResult {
    const job: OpenRouterScimSyncJobRecord = { id: randomUUID(), created_at: ctx.now.toISOString(), finished_at: ctx.now.toISOString(), synced_groups: scimGroups(this.state()).length };
    (this.state().scim_sync_jobs ??= {})[job.id] = job;
    return { status: 202, body: { data: { ...syncJobJson(job), status: "queued", started_at: null, finished_at: null, synced_groups: null, deleted_groups: null } } };
  }

  private getSyncJob(ctx: OpenRouterRequest): HandlerResult {
    const job = this.state().scim_sync_jobs?.[ctx.params.id];
    if (!job) throw openrouterError(404, `SCIM sync job ${ctx.params.id} not found`);
    return { body: { data: syncJobJson(job) } };
  }

  private findMapping(id: string): OpenRouterScimGroupMappingRecord {
    const found = this.mappings()[id];
    if (!found) throw openrouterError(404, `SCIM group mapping ${id} not found`);
    return found;
  }
}

function roleOf(body: JsonObject): "admin" | "member" {
  if (typeof body.role !== "string" || !ROLES.includes(body.role)) throw openrouterError(400, "role is required and must be admin or member");
  return body.role as "admin" | "member";
}

function scimGroups(state: OpenRouterState): OpenRouterScimGroupRecord[] {
  return Object.values(state.scim_groups ?? {}).sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/**
 * The group's members become members of the mapping's workspace; those who
 * already were keep their membership as it was (not taken over by the
 * mapping). The default workspace holds every organisation member already.
 */
function grantMembers(state: OpenRouterState, mapping: OpenRouterScimGroupMappingRecord, now: string): void {
  const workspace = state.workspaces[mapping.workspace_id];
  const group = state.scim_groups?.[mapping.scim_group_id];
  if (!workspace || workspace.is_default || !group) return;
  const memberships = (state.workspace_members ??= {});
  for (const userId of group.member_user_ids) {
    if (!state.organization_members?.[userId]) continue;
    const already = Object.values(memberships).some((m) => m.workspace_id === workspace.id && m.user_id === userId);
    if (!already) {
      const id = randomUUID();
      memberships[id] = { id, workspace_id: workspace.id, user_id: userId, created_at: now, scim_mapping_id: mapping.id };
    }
  }
}

/** The memberships a mapping made: removed, or (`keep`) left as manually managed. */
function releaseMembers(state: OpenRouterState, mappingId: string, keep: boolean): void {
  for (const [id, m] of Object.entries(state.workspace_members ?? {})) {
    if (m.scim_mapping_id !== mappingId) continue;
    if (keep) delete m.scim_mapping_id;
    else delete state.workspace_members![id];
  }
}

function groupJson(g: OpenRouterScimGroupRecord): JsonObject {
  return { id: g.id, organization_id: ORGANIZATION_ID, external_id: g.external_id, display_name: g.display_name, created_at: g.created_at, updated_at: g.updated_at };
}

function mappingJson(m: OpenRouterScimGroupMappingRecord): JsonObject {
  return { id: m.id, organization_id: ORGANIZATION_ID, scim_group_id: m.scim_group_id, workspace_id: m.workspace_id, role: m.role, created_at: m.created_at, updated_at: m.updated_at };
}

function syncJobJson(j: OpenRouterScimSyncJobRecord): JsonObject {
  return {
    id: j.id,
    status: "succeeded",
    created_at: j.created_at,
    started_at: j.created_at,
    finished_at: j.finished_at,
    synced_groups: j.synced_groups,
    deleted_groups: 0,
    error_message: null,
  };
}

/** A group as a test seeds it: what an identity provider would push. */
export interface ScimGroupSeed {
  id?: string;
  display_name: string;
  external_id?: string | null;
  /** User ids of organisation members in the group. */
  members?: string[];
}

/**
 * Test control, not vendor API: adds groups, or changes those whose `id`
 * (else `display_name`) is there; a changed member list is applied to the
 * workspaces the group is mapped to (new members granted; members who left
 * lose the memberships the mapping made). Everything is checked first.
 */
export function seedScimGroups(state: OpenRouterState, body: unknown, now: Date): OpenRouterScimGroupRecord[] {
  const seeds = (body as { groups?: unknown } | undefined)?.groups;
  if (!Array.isArray(seeds) || seeds.length === 0) throw new Error("the body must be {groups: [{display_name, id?, external_id?, members?}, ...]}");
  seeds.forEach((seed: Partial<ScimGroupSeed> | null, i) => {
    const where = `groups[${i}]`;
    if (typeof seed !== "object" || seed === null) throw new Error(`${where} must be an object`);
    if (typeof seed.display_name !== "string" || seed.display_name === "") throw new Error(`${where}.display_name must be a non-empty string`);
    if (seed.id !== undefined && (typeof seed.id !== "string" || !UUID.test(seed.id))) throw new Error(`${where}.id must be a UUID`);
    if (seed.external_id !== undefined && seed.external_id !== null && typeof seed.external_id !== "string") throw new Error(`${where}.external_id must be a string or null`);
    if (seed.members !== undefined && (!Array.isArray(seed.members) || seed.members.some((m) => typeof m !== "string" || !state.organization_members?.[m]))) {
      throw new Error(`${where}.members must list user ids of organisation members`);
    }
  });
  const groups = (state.scim_groups ??= {});
  const at = now.toISOString();
  return (seeds as ScimGroupSeed[]).map((seed) => {
    const existing = seed.id !== undefined ? groups[seed.id] : Object.values(groups).find((g) => g.display_name === seed.display_name);
    const record: OpenRouterScimGroupRecord = existing ?? { id: seed.id ?? randomUUID(), display_name: seed.display_name, external_id: null, member_user_ids: [], created_at: at, updated_at: at };
    record.display_name = seed.display_name;
    if (seed.external_id !== undefined) record.external_id = seed.external_id;
    if (seed.members !== undefined) {
      const leaving = record.member_user_ids.filter((id) => !seed.members!.includes(id));
      record.member_user_ids = [...seed.members];
      for (const mapping of Object.values(state.scim_group_mappings ?? {}).filter((m) => m.scim_group_id === record.id)) {
        for (const [id, m] of Object.entries(state.workspace_members ?? {})) if (m.scim_mapping_id === mapping.id && leaving.includes(m.user_id)) delete state.workspace_members![id];
      }
    }
    record.updated_at = at;
    groups[record.id] = record;
    for (const mapping of Object.values(state.scim_group_mappings ?? {}).filter((m) => m.scim_group_id === record.id)) grantMembers(state, mapping, at);
    return { ...record, member_user_ids: [...record.member_user_ids] };
  });
}

/**
 * Test control: the identity provider deletes the group; its mappings go
 * with it, and the memberships they made (a choice: deprovisioning a group
 * takes its access away). False when there was no such group.
 */
export function removeScimGroup(state: OpenRouterState, groupId: string): boolean {
  if (!state.scim_groups?.[groupId]) return false;
  delete state.scim_groups[groupId];
  for (const mapping of Object.values(state.scim_group_mappings ?? {}).filter((m) => m.scim_group_id === groupId)) {
    releaseMembers(state, mapping.id, false);
    delete state.scim_group_mappings![mapping.id];
  }
  return true;
}
