/**
 * OpenRouter SCIM group mapping (`/scim/group-mappings/{id}`): the members of
 * a group your identity provider pushes are granted a role in a workspace.
 * `role` updates in place; the group and the workspace replace the mapping.
 *
 * The API's create answers an existing mapping of the same group, workspace
 * and role as if it were new: so a create first looks for one and refuses to
 * take it over (import it instead). Delete needs `keep_members`, which has no
 * default on purpose; it is an input here, read at delete time.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { isApiFailure } from "../errors";
import { declareResource, input, output } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient, workspaceIdInput } from "./common";
import { createScimGroupMapping, deleteScimGroupMapping, getScimGroupMapping, listScimGroupMappings, updateScimGroupMapping } from "./api/scim";

function scimGroupMappingInputs() {
  return {
    scimGroupId: input(z.uuid("must be the SCIM group's UUID"), {
      doc: "The SCIM group's UUID (groups come from your identity provider; list them with GET /scim/groups). Changing it replaces the mapping.",
      outputDoc: "As read back.",
      api: "scim_group_id",
      replaces: true,
    }),
    workspaceId: workspaceIdInput({
      doc: "The workspace's UUID (pass a Workspace's `id`; the API takes no slug). Changing it replaces the mapping.",
      outputDoc: "As read back.",
      sent: true,
      notUuid: "must be the workspace's UUID (slugs are not accepted here)",
    }),
    role: input(z.enum(["admin", "member"]), {
      doc: "The role the group's members get in the workspace: `admin` or `member`. Updates in place.",
      outputDoc: "As read back.",
      api: "role",
    }),
    keepMembersOnDelete: input(z.boolean(), {
      doc:
        "What deleting the mapping does to the memberships it granted: `true` keeps them (as manually managed members), " +
        "`false` removes them. Required: the API has no default. Changing it only changes what a later delete does. " +
        "An imported mapping holds `true` (nothing removed) until the program says otherwise.",
      outputDoc: "As declared.",
      carried: true,
    }),
  };
}

function scimGroupMappingOutputs() {
  return {
    mappingId: output(z.string(), { stable: true, doc: "The mapping's UUID (the same as `id`).", api: "id" }),
    organizationId: output(z.string().optional(), { stable: true, doc: "The organisation's id.", api: "organization_id" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "Creation time.", api: "created_at" }),
    updatedAt: output(z.string().optional(), { doc: "Last change.", api: "updated_at" }),
  };
}

export const openrouterScimGroupMapping = declareResource({
  kind: "openrouter:ScimGroupMapping",
  enumerate: {
    prefix: "scim-mapping",
    identity: ["workspaceId", "scimGroupId"],
    references: { workspaceId: { kind: "openrouter:Workspace", output: "id" } },
    async list(ctx) {
      return (await listScimGroupMappings(openrouterClient(ctx))).map((m) => ({ id: m.id, name: `${m.scim_group_id} → ${m.workspace_id}` }));
    },
  },
  doc:
    "An OpenRouter SCIM group mapping (`/scim/group-mappings`): the members of a group pushed by your identity provider get " +
    "a role in a workspace. `role` updates in place; the group and the workspace replace the mapping. `keepMembersOnDelete` " +
    "says whether deleting the mapping keeps the memberships it granted. The resource id is the mapping's UUID (import by it).\n\n" +
    "```ts\n" +
    'new openrouter.ScimGroupMapping("engineering", { scimGroupId: "…", workspaceId: research.id, role: "member", keepMembersOnDelete: false });\n' +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: scimGroupMappingInputs,
  outputs: scimGroupMappingOutputs,
  label: (values) => values.scimGroupId && values.workspaceId && `group ${values.scimGroupId} → workspace ${values.workspaceId}`,

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    // The API would answer an existing mapping of this group, workspace and role as made now: never taken over.
    const existing = (await listScimGroupMappings(client)).find((m) => m.scim_group_id === inputs.scimGroupId && m.workspace_id === inputs.workspaceId);
    if (existing) {
      throw new Error(
        `SCIM group ${inputs.scimGroupId} is already mapped to workspace ${inputs.workspaceId} (role ${existing.role}, mapping ${existing.id}). ` +
          `To manage it, import it with the id '${existing.id}'.`,
      );
    }
    let mapping;
    try {
      // Repeating it is harmless (the same triple answers the same mapping), so a lost answer needs no recovery beyond the look-up above on the next run.
      mapping = await createScimGroupMapping(client, ctx.createBody(inputs));
    } catch (error) {
      if (isApiFailure(error, "not-found")) throw new Error(`scimGroupId: OpenRouter has no SCIM group ${inputs.scimGroupId} (or no workspace ${inputs.workspaceId}). ${error.message}`);
      throw error;
    }
    return { id: mapping.id, outputs: ctx.outputsFrom(mapping, inputs) };
  },

  async read(id, outputs, ctx) {
    const mapping = await getScimGroupMapping(openrouterClient(ctx), id);
    // Imported: nothing removed on delete until the program says otherwise.
    return mapping && ctx.outputsFrom(mapping, { ...outputs, keepMembersOnDelete: outputs.keepMembersOnDelete ?? true });
  },

  async update(id, olds, news, ctx) {
    const client = openrouterClient(ctx);
    const body = ctx.updateBody(olds, news);
    const mapping = Object.keys(body).length > 0 ? await updateScimGroupMapping(client, id, body) : await getScimGroupMapping(client, id);
    if (!mapping) throw new Error(`SCIM group mapping ${id} does not exist (or was deleted); run \`pulumi refresh\`.`);
    return ctx.outputsFrom(mapping, news);
  },

  async delete(id, outputs, ctx) {
    await deleteScimGroupMapping(openrouterClient(ctx), id, outputs.keepMembersOnDelete ?? true);
  },
});
