/**
 * OpenRouter workspace member: one person in one workspace
 * (`/workspaces/{id}/members`). The API adds and removes in bulk by user id;
 * this resource sends exactly one id each time, so memberships made elsewhere
 * are never touched. Nothing updates in place: the role is the person's
 * organisation role (read back, not settable), and workspace and user replace.
 *
 * Only organisation members can be added (there is no invite API): the create
 * checks `GET /organization/members` first and says what to do otherwise. A
 * person who is already in the workspace is not adopted (destroying the
 * resource would remove a membership it did not make): the error says how to
 * import it.
 */
import { z } from "zod";
import { isGone, isUnclear } from "../errors";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { declareResource, input, output } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient, workspaceIdInput } from "./common";
import { addWorkspaceMembers, listOrganizationMembers, listWorkspaceMembers, removeWorkspaceMembers, WorkspaceMemberJson } from "./api/members";
import { listPerParent } from "../enumeration";

function workspaceMemberInputs() {
  return {
    workspaceId: workspaceIdInput({
      doc: "The workspace's UUID (pass a Workspace's `id`). Changing it replaces the membership.",
    }),
    userId: input(
      z
        .string()
        .min(1, "must not be empty")
        .refine((id) => !id.includes("@"), "must be the person's OpenRouter user id (e.g. user_2abc...), not an email address")
        .refine((id) => !id.includes("/"), "must not contain '/'"),
      {
        doc:
          "The person's OpenRouter user id (e.g. `user_2abc...`, as `GET /organization/members` lists it). They must already be a member " +
          "of the organisation. Changing it replaces the membership.",
        outputDoc: "The user id as read back.",
        api: "user_id",
        replaces: true,
      },
    ),
  };
}

function workspaceMemberOutputs() {
  return {
    membershipId: output(z.string(), { stable: true, doc: "The membership's own UUID (OpenRouter's `id`; not the resource id).", api: "id" }),
    role: output(z.string(), { doc: "`admin` or `member`: the person's organisation role, which OpenRouter copies to every workspace.", api: "role" }),
    resolvedWorkspaceId: output(z.string(), { stable: true, doc: "The workspace's UUID as OpenRouter reports it.", api: "workspace_id" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When the person was added.", api: "created_at" }),
  };
}

export const openrouterWorkspaceMember = declareResource({
  kind: "openrouter:WorkspaceMember",
  enumerate: {
    prefix: "or-member",
    identity: ["workspaceId", "userId"],
    references: { workspaceId: { kind: "openrouter:Workspace", output: "id" } },
    async list(ctx, listed) {
      const client = openrouterClient(ctx);
      return listPerParent(listed("openrouter:Workspace"), async (w) => ((await listWorkspaceMembers(client, w.id)) ?? []).map((m) => ({ id: `${w.id}/${m.user_id}` })));
    },
  },
  doc:
    "One person's membership of an OpenRouter workspace (`/workspaces/{id}/members`). The id is `<workspaceId>/<userId>`; " +
    "`pulumi import` takes the workspace as UUID or slug (`research/user_2abc...`). The person must already be a member of " +
    "the organisation (invite them in the OpenRouter dashboard first); their role follows their organisation role. " +
    "Deleting the resource removes only this person; OpenRouter refuses while they own API keys in the workspace.\n\n" +
    "```ts\n" +
    'const alice = new openrouter.WorkspaceMember("alice", { workspaceId: research.id, userId: "user_2abc..." });\n' +
    "```",
  label: (values) => (values.userId && values.workspaceId ? `${values.userId} in ${values.workspaceId}` : undefined),
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: workspaceMemberInputs,
  outputs: workspaceMemberOutputs,

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const { workspaceId, userId } = inputs;
    const people = await listOrganizationMembers(client);
    if (!people.some((p) => p.id === userId)) {
      throw new Error(
        `userId: '${userId}' is not a member of the OpenRouter organisation, so it cannot be added to workspace ${workspaceId}. ` +
          "Invite the person in the OpenRouter dashboard (organisation settings, members) and wait until they accept, " +
          "then run `pulumi up` again; `GET /organization/members` lists the user ids of current members.",
      );
    }
    const before = await requireMembers(client, workspaceId);
    if (before.some((m) => m.user_id === userId)) {
      throw new Error(
        `'${userId}' is already a member of workspace ${workspaceId} (added outside this stack, or the account's default workspace, which includes everyone). ` +
          `To manage that membership, import it with the id '${workspaceId}/${userId}' (native provider: ` +
          `\`pulumi import openrouter:index:WorkspaceMember <name> ${workspaceId}/${userId}\`), or remove the person by hand ` +
          "(POST /workspaces/{id}/members/remove) and run `pulumi up` again.",
      );
    }
    let member: WorkspaceMemberJson | undefined;
    try {
      member = (await addWorkspaceMembers(client, workspaceId, [userId])).find((m) => m.user_id === userId);
    } catch (error) {
      // Adding is idempotent and the person was not there before: if they are there now, this call added them.
      if (!isUnclear(error)) throw error;
      member = (await requireMembers(client, workspaceId)).find((m) => m.user_id === userId);
      if (!member) throw error;
    }
    member ??= (await requireMembers(client, workspaceId)).find((m) => m.user_id === userId);
    if (!member) throw new Error(`'${userId}' does not show in workspace ${workspaceId} after it was added.`);
    const id = `${workspaceId}/${userId}`;
    return { id, outputs: ctx.outputsFrom(member, inputs) };
  },

  async read(id, stored, ctx) {
    const identity = stored.userId ? stored : identityFromId(id);
    const members = await listWorkspaceMembers(openrouterClient(ctx), identity.workspaceId);
    const member = members?.find((m) => m.user_id === identity.userId);
    if (!member) return undefined;
    // Imported by slug: the program declares the UUID, which is what the inputs hold.
    const workspaceId = stored.userId ? stored.workspaceId : member.workspace_id;
    return ctx.outputsFrom(member, { ...stored, workspaceId, userId: identity.userId });
  },

  async delete(_id, outputs, ctx) {
    const client = openrouterClient(ctx);
    try {
      await removeWorkspaceMembers(client, outputs.workspaceId, [outputs.userId]);
    } catch (error) {
      // A workspace that is gone holds no one; every other refusal (keys they own, SCIM) is shown as OpenRouter gives it.
      if (isGone(error)) return;
      throw error;
    }
  },
});

/** The provider the engine runs. */
export const openrouterWorkspaceMemberProvider = openrouterWorkspaceMember.provider;

/** The workspace's members; a workspace that is gone is an error here. */
async function requireMembers(client: ApiClient, workspaceId: string): Promise<WorkspaceMemberJson[]> {
  const members = await listWorkspaceMembers(client, workspaceId);
  if (!members) throw new Error(`workspace ${workspaceId} does not exist (or was deleted).`);
  return members;
}

/** `<workspace UUID or slug>/<userId>`: the id, and what `pulumi import` takes. */
function identityFromId(id: string): { workspaceId: string; userId: string } {
  const separator = id.indexOf("/");
  if (separator <= 0 || separator === id.length - 1) throw new Error(`'${id}' is not a workspace member id: use <workspace UUID or slug>/<userId>.`);
  return { workspaceId: id.slice(0, separator), userId: id.slice(separator + 1) };
}
