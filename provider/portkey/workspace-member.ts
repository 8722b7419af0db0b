/**
 * Portkey workspace member: `/admin/workspaces/{workspaceId}/users`. An
 * organisation user given a role in one workspace. The role changes in place
 * (PUT); the workspace and the user identify the membership and replace it
 * when they change. The id is `<workspace UUID>/<user id>`; an import takes
 * the workspace's UUID or slug before the slash.
 */
import { z } from "zod";
import { isGone } from "../errors";
import { LifecycleContext } from "../framework";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { goneWithItsWorkspace, requireWorkspace, resolveWorkspace } from "./api/workspaces";
import { getUser } from "./api/users";
import {
  addWorkspaceMember,
  ApiWorkspaceMember,
  findWorkspaceMember,
  getWorkspaceMember,
  removeWorkspaceMember,
  updateWorkspaceMember,
} from "./api/workspace-members";
import { listWorkspaceMembers } from "./api/workspace-members";
import { listPerParent } from "../enumeration";

const MEMBER_ROLES = ["admin", "member", "manager"] as const;

function memberInputs() {
  return {
    workspaceId: workspaceIdInput({
      doc:
        "The workspace, by UUID or slug. Changing it replaces the membership; switching between the slug and the UUID of the same " +
        "workspace is not a change. Pass a Workspace's `id`.",
    }),
    userId: input(z.string().min(1, "must not be empty"), {
      doc:
        "The organisation user's id (a UUID, see `/admin/users`). Only people already in the organisation can be added: invite new " +
        "ones with a UserInvite. Changing it replaces the membership.",
      api: "id",
      replaces: true,
    }),
    role: input(z.enum(MEMBER_ROLES), {
      doc:
        "The user's role in the workspace: `admin`, `manager` or `member`. Changed in place. The organisation's owner is always an " +
        "`admin` of its workspaces, whatever is set.",
      outputDoc: "The role as read back.",
      api: "role",
    }),
  };
}

function memberOutputs() {
  return {
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID, whatever spelling `workspaceId` used." }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug." }),
    email: output(z.string().optional(), { doc: "The user's email address.", api: "email" }),
    firstName: output(z.string().optional(), { doc: "The user's first name.", api: "first_name" }),
    lastName: output(z.string().optional(), { doc: "The user's last name.", api: "last_name" }),
    organisationRole: output(z.string().optional(), { doc: "The user's role in the organisation: `owner`, `admin` or `member`.", api: "org_role" }),
    status: output(z.string().optional(), { doc: "The membership's status, e.g. `active`.", api: "status" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When the user joined the workspace (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string().optional(), { doc: "When the membership last changed (RFC 3339).", api: "last_updated_at" }),
  };
}

type Shape = ShapeOf<typeof memberInputs, typeof memberOutputs>;

export const workspaceMember = declareResource({
  kind: "portkey:WorkspaceMember",
  enumerate: {
    prefix: "member",
    identity: ["workspaceId", "userId"],
    shownAs: { userId: "email" },
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx, listed) {
      const client = portkeyClient(ctx);
      return listPerParent(listed("portkey:Workspace"), async (w) => (await listWorkspaceMembers(client, w.id)).map((m) => ({ id: `${w.id}/${m.id}`, name: m.email ?? undefined })));
    },
  },
  doc:
    "A user's membership of a Portkey workspace, with a role (`/admin/workspaces/{workspaceId}/users`). The user must already be " +
    "in the organisation (people join by accepting a UserInvite). The id is `<workspace UUID>/<user id>`; `pulumi import` takes " +
    "`<workspace UUID or slug>/<user id>`. Deleting the resource removes the user from the workspace, not from the organisation.\n\n" +
    "```ts\n" +
    'const ann = new portkey.WorkspaceMember("ann", { workspaceId: dev.id, userId: "61e08f60-4822-465e-ba23-39f85cd741cb", role: "manager" });\n' +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: memberInputs,
  outputs: memberOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = await requireWorkspace(client, ctx, inputs.workspaceId);
    const id = `${workspace.id}/${inputs.userId}`;
    const what = `Portkey workspace member '${inputs.userId}' of workspace '${workspace.slug}'`;
    // Adding someone who is a member already would take over a membership this stack did not make.
    const { member: existing } = await findWorkspaceMember(client, workspace.id, inputs.userId);
    if (existing) {
      throw new Error(
        `${what}: the user is already a member (role ${existing.role ?? "unknown"}). To manage that membership, import it ` +
          `with the id '${id}' instead of creating it.`,
      );
    }
    if (!(await getUser(client, inputs.userId))) {
      throw new Error(`userId: '${inputs.userId}' is not a user of the organisation; new people join by accepting a UserInvite.`);
    }
    await createWithRecovery(ctx, {
      what,
      naturalKey: `portkey:WorkspaceMember:${id}`,
      post: () => addWorkspaceMember(client, workspace.id, inputs.userId, inputs.role),
      idOf: () => id,
      async findCandidates() {
        const { member, serverTime } = await findWorkspaceMember(client, workspace.id, inputs.userId);
        return { candidates: member ? [{ id, createdAt: member.created_at }] : [], serverTime };
      },
      recover: { adopt: async () => undefined },
      cleanup: `remove the user from the workspace in the Portkey UI, or with DELETE /admin/workspaces/${workspace.id}/users/${inputs.userId}`,
    });
    const carried = { ...inputs, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    ctx.created(id, carried);
    const member = await readWritten(client, ctx, carried, carried);
    if (!member) throw new Error(`workspace member ${id} disappeared right after it was written`);
    return { id, outputs: ctx.outputsFrom(member, carried) };
  },

  async read(id, stored, ctx) {
    const client = portkeyClient(ctx);
    const carried = stored.resolvedWorkspaceId ? stored : await identityFromId(client, ctx, id);
    if (!carried) return undefined;
    const member = await readMember(client, carried.resolvedWorkspaceId!, carried.userId);
    return member && ctx.outputsFrom(member, carried);
  },

  // The default update: the role (the workspace and the user replace), in the stored workspace.
  endpoints: {
    get: (ctx, _id, values) => readWritten(portkeyClient(ctx), ctx, values[0], values[values.length - 1]),
    update: (ctx, _id, body, [stored]) => updateWorkspaceMember(portkeyClient(ctx), stored.resolvedWorkspaceId!, stored.userId!, body),
  },

  async delete(_id, outputs, ctx) {
    const client = portkeyClient(ctx);
    try {
      await removeWorkspaceMember(client, outputs.resolvedWorkspaceId!, outputs.userId);
    } catch (error) {
      if (isGone(error)) return;
      const workspaceId = outputs.resolvedWorkspaceId!;
      await goneWithItsWorkspace(client, error, workspaceId, `The membership of ${outputs.userId} in workspace ${workspaceId}`, ["workspace_users.delete"]);
    }
  },
});

/**
 * The membership, or undefined when it is gone: not a member (404), or the
 * workspace is gone (a 403 the workspace look-up confirms; while the workspace
 * exists, a 403 fails naming the missing scope).
 */
async function readMember(client: ApiClient, workspaceId: string, userId: string): Promise<ApiWorkspaceMember | undefined> {
  try {
    return await getWorkspaceMember(client, workspaceId, userId);
  } catch (error) {
    return goneWithItsWorkspace(client, error, workspaceId, `The membership of ${userId} in workspace ${workspaceId}`, ["workspace_users.read"]);
  }
}

/**
 * The membership as read back after a write, in the workspace `stored`
 * names; warns when the organisation's owner was `declared` another role than
 * the admin it always is.
 */
async function readWritten(client: ApiClient, ctx: Pick<LifecycleContext, "warn">, stored: Partial<Shape["outputs"]>, declared: Partial<Shape["outputs"]>): Promise<ApiWorkspaceMember | undefined> {
  const member = await readMember(client, stored.resolvedWorkspaceId!, stored.userId!);
  if (member?.org_role === "owner" && member.role !== declared.role) {
    ctx.warn(`user ${stored.userId} is the organisation's owner, who is always an admin of its workspaces: declare role 'admin' to stop this difference.`);
  }
  return member;
}

/** What a membership read by its id alone (`pulumi import`) is: `<workspace UUID or slug>/<user id>`. */
async function identityFromId(client: ApiClient, ctx: Shape["context"], id: string): Promise<Partial<Shape["outputs"]> & { userId: string } | undefined> {
  const separator = id.indexOf("/");
  if (separator <= 0 || separator === id.length - 1) throw new Error(`'${id}' is not a workspace member id: use <workspaceId>/<userId>.`);
  const [workspaceId, userId] = [id.slice(0, separator), id.slice(separator + 1)];
  const workspace = await resolveWorkspace(client, ctx, workspaceId);
  if (!workspace) return undefined;
  return { workspaceId, userId, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
}
