/**
 * Portkey SCIM group to workspace mappings, /scim/workspaces: members of an
 * identity provider's group join a workspace with a role. There is no read
 * by id and no update: a role change is a delete and a create, with a new
 * id. Deleting archives the mapping; the group, the workspace and the
 * members it added stay (reference prompts-mcp-scim §6).
 *
 * As the Terraform provider found live: answers carry the workspace UUID
 * even when a slug was sent, the list's `workspace_id` filter matches the
 * UUID only (the document says "ID or slug"), pages are 0-based and at most
 * 100 long, and `scim_group_name` is not echoed (only `scim_group`).
 */
import { randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { authorize, JsonObject, optionalString, PortkeyPrincipal, PortkeyRequest, PortkeyShared } from "./common";
import { workspaceLive } from "./collections";
import { PortkeyState, ScimGroupRecord, ScimWorkspaceMappingRecord } from "./state";

const ROLES = ["admin", "member", "manager"];
/** The old auto-provisioning group names, which a pre-created group must not look like (the document). */
const LEGACY_GROUP_NAME = /^ws-.+-role-.+$/;

/** The SCIM mapping routes and their rules. */
export class PortkeyScimRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("GET", "/scim/workspaces", (ctx) => this.listMappings(ctx))
      .add("POST", "/scim/workspaces", (ctx) => this.createMapping(ctx))
      .add("DELETE", "/scim/workspaces/{scimWorkspaceGroupId}", (ctx) => this.deleteMapping(ctx));
  }

  private createMapping(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "scim.update", { organisationOnly: true });
    const body = this.shared.checkedBody(ctx);
    const state = this.shared.state(ctx);
    const workspaceGiven = optionalString(body, "workspace_id");
    if (!workspaceGiven) throw portkeyError("AB01", "Invalid request. workspace_id: is required");
    const workspace = this.shared.findWorkspace(ctx, workspaceGiven);
    const role = body.role;
    if (typeof role !== "string" || !ROLES.includes(role)) throw portkeyError("AB01", `Invalid request. role: must be one of ${ROLES.join(", ")}`);
    const groupId = optionalString(body, "scim_group_id");
    const groupName = optionalString(body, "scim_group_name");
    if ((groupId === undefined) === (groupName === undefined)) throw portkeyError("AB01", "Invalid request. Exactly one of scim_group_id and scim_group_name is required");
    const groups = groupsOf(state);
    let group: ScimGroupRecord | undefined;
    if (groupId !== undefined) {
      group = groups[groupId];
      if (!group) throw portkeyError("AB08", `SCIM group not found: ${groupId}`);
    } else {
      if (LEGACY_GROUP_NAME.test(groupName!)) throw portkeyError("AB01", "Invalid request. scim_group_name: must not use the ws-{group}-role-{role} format");
      // A name the identity provider has not pushed yet makes the group now; a known name maps that group.
      group = Object.values(groups).find((g) => g.display_name === groupName);
      if (!group) {
        group = { id: randomUUID(), display_name: groupName!, created_at: ctx.now.toISOString() };
        groups[group.id] = group;
      }
    }
    const existing = liveMappings(state).find((m) => m.scim_group_id === group!.id && m.workspace_id === workspace.id);
    if (existing) throw portkeyError("AB07", `SCIM group ${group.display_name} is already mapped to workspace ${workspace.slug} (mapping ${existing.id})`);
    const record: ScimWorkspaceMappingRecord = {
      id: randomUUID(),
      workspace_id: workspace.id,
      scim_group_id: group.id,
      role: role as ScimWorkspaceMappingRecord["role"],
      status: "active",
      created_at: ctx.now.toISOString(),
    };
    mappingsOf(state)[record.id] = record;
    return { body: mappingJson(record, state) };
  }

  private listMappings(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "scim.read", { organisationOnly: true });
    const state = this.shared.state(ctx);
    const workspaceId = ctx.query.get("workspace_id");
    const groupId = ctx.query.get("scim_group_id");
    const role = ctx.query.get("role");
    if (role !== null && !ROLES.includes(role)) throw portkeyError("AB01", `Invalid request. role: must be one of ${ROLES.join(", ")}`);
    const size = Math.min(intParam(ctx.query.get("page_size"), 100, 1), 100);
    const number = intParam(ctx.query.get("page"), 0, 0);
    const all = liveMappings(state)
      .filter((m) => workspaceId === null || m.workspace_id === workspaceId)
      .filter((m) => groupId === null || m.scim_group_id === groupId)
      .filter((m) => role === null || m.role === role)
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    return { body: { mappings: all.slice(number * size, (number + 1) * size).map((m) => mappingJson(m, state)), total_count: all.length } };
  }

  private deleteMapping(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "scim.update", { organisationOnly: true });
    const state = this.shared.state(ctx);
    const given = ctx.params.scimWorkspaceGroupId;
    const record = liveMappings(state).find((m) => m.id === given);
    if (!record) throw portkeyError("AB08", `SCIM workspace mapping not found: ${given}`);
    record.status = "archived";
    return { body: { success: true } };
  }
}

function groupsOf(state: PortkeyState): Record<string, ScimGroupRecord> {
  return (state.scim_groups ??= {});
}

function mappingsOf(state: PortkeyState): Record<string, ScimWorkspaceMappingRecord> {
  return (state.scim_workspace_mappings ??= {});
}

/** Active mappings of live workspaces. */
function liveMappings(state: PortkeyState): ScimWorkspaceMappingRecord[] {
  return Object.values(mappingsOf(state)).filter((m) => m.status === "active" && workspaceLive(state, m.workspace_id));
}

function intParam(raw: string | null, fallback: number, min: number): number {
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw portkeyError("AB01", `Invalid request. Paging value out of range: ${raw}`);
  return n;
}

function mappingJson(m: ScimWorkspaceMappingRecord, state: PortkeyState): JsonObject {
  return { id: m.id, workspace_id: m.workspace_id, scim_group: groupsOf(state)[m.scim_group_id]?.display_name ?? null, scim_group_id: m.scim_group_id, role: m.role };
}
