/**
 * Portkey SCIM workspace mapping: `/scim/workspaces`, members of an identity
 * provider's group join a workspace with a role (reference prompts-mcp-scim
 * §6). The API has no update and no read by id: every field replaces the
 * mapping, and a read walks the list for its id. Deleting archives it: the
 * group, the workspace and the members it added stay.
 *
 * `scimGroupName` pre-creates the group before the identity provider pushes
 * it; Portkey never echoes it (only the group's display name), so it is
 * carried from the program.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { isGone } from "../errors";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { requireWorkspace, resolveWorkspace } from "./api/workspaces";
import { createScimMapping, deleteScimMapping, findScimMapping, listScimMappings } from "./api/scim";

/** The old auto-provisioning group names, which a pre-created group must not look like (the official document). */
const LEGACY_GROUP_NAME = /^ws-.+-role-.+$/;

function scimMappingInputs() {
  return {
    workspaceId: workspaceIdInput({
      doc:
        "The workspace the group's members join, by UUID or slug. Changing it replaces the mapping; switching between the slug and the UUID " +
        "of the same workspace is not a change. Pass a Workspace's `id`. Portkey maps a group to a workspace once, so a replacement that keeps " +
        "the group and the workspace (a role change) deletes the old mapping first.",
    }),
    role: input(z.enum(["admin", "manager", "member"]), {
      doc: "The role the group's members get in the workspace: `admin`, `manager` or `member`. Changing it replaces the mapping (Portkey has no update).",
      outputDoc: "The role as read back.",
      api: "role",
      replaces: true,
    }),
    scimGroupId: input(z.string().min(1, "must not be empty").optional(), {
      doc: "The SCIM group, by the id the identity provider pushed it with; set this or `scimGroupName`. Changing it replaces the mapping.",
      outputDoc: "The SCIM group's id (also when the mapping named it by `scimGroupName`).",
      api: "scim_group_id",
      replaces: true,
      // Named by `scimGroupName`: the group's id is Portkey's to give.
      serverOwnedUnlessDeclared: true,
    }),
    scimGroupName: input(z.string().min(1, "must not be empty").optional(), {
      doc:
        "The SCIM group by display name, pre-created now when the identity provider has not pushed it yet; set this or `scimGroupId`. " +
        "Must not look like the old `ws-<group>-role-<role>` names. Not read back (Portkey answers the group's display name as `scimGroup`). Changing it replaces the mapping.",
      outputDoc: "The group name as given.",
      api: "scim_group_name",
      replaces: true,
      example: "engineering",
      carried: true,
    }),
  };
}

function scimMappingOutputs() {
  return {
    mappingId: output(z.string(), { stable: true, doc: "The mapping's id (the same as `id`).", api: "id" }),
    scimGroup: output(z.string().optional(), { stable: true, doc: "The SCIM group's display name.", api: "scim_group" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID, whatever spelling `workspaceId` used.", api: "workspace_id" }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug." }),
  };
}

export const scimWorkspaceMapping = declareResource({
  kind: "portkey:ScimWorkspaceMapping",
  enumerate: {
    prefix: "scim",
    identity: ["workspaceId", "scimGroupId"],
    shownAs: { scimGroupId: "scimGroup" },
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx) {
      return (await listScimMappings(portkeyClient(ctx))).mappings.map((m) => ({ id: m.id, name: m.scim_group ?? m.scim_group_id }));
    },
  },
  doc:
    "A Portkey SCIM workspace mapping (`/scim/workspaces`): the members of an identity provider's group join a workspace with a role. " +
    "The resource id is the mapping's id (import by it; a program then names the group by `scimGroupId`). Every field replaces the mapping; " +
    "deleting it archives the mapping, and the members it added stay in the workspace.\n\n" +
    "```ts\n" +
    'new portkey.ScimWorkspaceMapping("eng-members", { workspaceId: eng.id, scimGroupName: "Engineering", role: "member" });\n' +
    "```",
  label: (values) => (values.workspaceId ? `${values.scimGroupName ?? values.scimGroupId} → ${values.workspaceId}` : undefined),
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: scimMappingInputs,
  outputs: scimMappingOutputs,
  // A group maps to a workspace once (a group named by `scimGroupName` keeps the id Portkey gave it).
  uniqueTogether: [["workspaceId", "scimGroupId"]],

  refine(inputs, issue) {
    if ((inputs.scimGroupId === undefined) === (inputs.scimGroupName === undefined)) {
      issue([inputs.scimGroupId === undefined ? "scimGroupId" : "scimGroupName"], "set exactly one of `scimGroupId` and `scimGroupName`");
    }
    if (inputs.scimGroupName !== undefined && LEGACY_GROUP_NAME.test(inputs.scimGroupName)) {
      issue(["scimGroupName"], "must not use the old `ws-<group>-role-<role>` form");
    }
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = await requireWorkspace(client, ctx, inputs.workspaceId);
    const body = { ...ctx.createBody(inputs), workspace_id: workspace.id };
    const created = await createWithRecovery(ctx, {
      what: `Portkey SCIM mapping of '${inputs.scimGroupName ?? inputs.scimGroupId}' to workspace '${workspace.slug}'`,
      naturalKey: `portkey:ScimWorkspaceMapping:${workspace.id}:${inputs.scimGroupId ?? `name:${inputs.scimGroupName}`}`,
      post: () => createScimMapping(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        // The answers carry no creation time: a look-alike can never be proven this create's, so recovery lists it and stops.
        const { mappings, serverTime } = await listScimMappings(client);
        const same = mappings.filter((m) => m.workspace_id === workspace.id && (inputs.scimGroupId !== undefined ? m.scim_group_id === inputs.scimGroupId : m.scim_group === inputs.scimGroupName));
        return { candidates: same.map((m) => ({ id: m.id })), serverTime };
      },
      recover: {
        async adopt(candidate) {
          const found = await findScimMapping(client, candidate.id);
          if (!found) throw new Error(`SCIM mapping ${candidate.id} disappeared while it was being recovered`);
          return found;
        },
      },
      cleanup: "delete it in the Portkey admin settings under SCIM, or with DELETE /scim/workspaces/{id}",
    });
    const outputs = ctx.outputsFrom(created, { ...inputs, workspaceSlug: workspace.slug });
    return { id: created.id, outputs };
  },

  async read(id, outputs, ctx) {
    const client = portkeyClient(ctx);
    const json = await findScimMapping(client, id);
    if (!json) return undefined;
    const workspace = outputs.workspaceSlug ? undefined : await resolveWorkspace(client, ctx, json.workspace_id);
    return ctx.outputsFrom(json, { ...outputs, ...(workspace ? { workspaceSlug: workspace.slug } : {}) });
  },

  async delete(id, _outputs, ctx) {
    try {
      await deleteScimMapping(portkeyClient(ctx), id);
    } catch (error) {
      if (isGone(error)) return;
      throw error;
    }
  },
});
