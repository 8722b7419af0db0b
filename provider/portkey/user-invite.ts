/**
 * Portkey user invite: `/admin/users/invites`. An invitation by email to join
 * the organisation with a role, and on joining the workspaces it names. The
 * API cannot update an invite, so every declared field replaces it; the
 * resend trigger is the one in-place action (a new link and email).
 *
 * A pending invite is not a user. What a refresh does as the invite lives on:
 * - pending: read back as is;
 * - accepted (or gone while a user with its email exists: the person joined):
 *   kept in state with status `accepted` and the user's id, with a warning.
 *   Nothing is ever sent again for it: the invite did its job, and the user
 *   is managed from then on (WorkspaceMember, the Portkey UI);
 * - expired or cancelled: dropped from state with a warning, so the next
 *   `pulumi up` sends a new invite, as the program still asks for one;
 * - gone, and nobody with its email in the organisation: dropped, like any
 *   object deleted out of band.
 */
import { z } from "zod";
import { isGone } from "../errors";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS } from "./common";
import { ApiUser, listUsers } from "./api/users";
import { ApiInvite, createInvite, deleteInvite, getInvite, listInvites, resendInvite } from "./api/invites";

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** A workspace the invited person joins, and their role there. */
function inviteWorkspaceSchema() {
  return z.strictObject({
    id: z.string().min(1, "must not be empty").describe("The workspace, by UUID or slug (a Workspace's `id`)."),
    role: z.enum(["admin", "member", "manager"]).describe("The person's role in the workspace: `admin`, `manager` or `member`."),
  }).describe("A workspace the invited person joins, and their role there.");
}

/** The named object types the SDK gives the invite's fields. */
export function userInviteSdkTypes() {
  return { InviteWorkspaceArgs: inviteWorkspaceSchema() };
}

function inviteInputs() {
  return {
    email: input(z.string().trim().regex(EMAIL, "must be an email address"), {
      doc: "The address the invite is sent to. Changing it replaces the invite (a new one is sent). Compared without regard to case.",
      outputDoc: "The address as declared.",
      api: "email",
      replaces: true,
      // Kept as the user spelled it when the API's differs only in case.
      fromApi: (value, _answer, carried) =>
        typeof value === "string" && typeof carried.email === "string" && value.toLowerCase() === carried.email.toLowerCase() ? carried.email : (value ?? undefined),
      comparable: (value) => (typeof value === "string" ? value.trim().toLowerCase() : undefined),
    }),
    role: input(z.enum(["admin", "member"]), {
      doc: "The organisation role the person gets on joining: `admin` or `member`. Portkey cannot change an invite: changing it replaces the invite.",
      outputDoc: "The role as read back.",
      api: "role",
      replaces: true,
    }),
    workspaces: input(
      z.array(inviteWorkspaceSchema()).optional(),
      {
        doc:
          "The workspaces the person joins on accepting, each by `id` (a Workspace's `id` or slug) with a `role` (`admin`, `manager`, " +
          "`member`). Portkey never shows them back, so they are kept as declared; changing them replaces the invite.",
        api: "workspaces",
        sdkType: "InviteWorkspaceArgs[]",
        replaces: true,
        carried: true,
        keepEmpty: true,
      },
    ),
    scopes: input(z.array(z.string().min(1, "must not be empty")).optional(), {
      doc:
        "Scopes of the workspace API key the person gets (`workspace_api_key_details.scopes`), e.g. `logs.view`. Not shown back " +
        "(kept as declared); changing them replaces the invite.",
      api: "workspace_api_key_details.scopes",
      replaces: true,
      carried: true,
    }),
    resendTrigger: input(z.union([z.string(), z.number()]).optional(), {
      doc:
        "Any value; a new value resends a pending or expired invite (`/resend`): a new email, a new `inviteLink` and a new expiry. " +
        "Refused once the invite was accepted. Setting it at creation sends nothing extra.",
      trigger: true,
    }),
  };
}

function inviteOutputs() {
  return {
    status: output(z.string().optional(), { doc: "`pending`, `accepted`, `expired` or `cancelled` (see the class doc for what a refresh does with each).", api: "status" }),
    inviteLink: output(z.string().optional(), {
      doc: "The link that lets the person join. Shown only by the create and a resend (kept from then on); a secret: whoever holds it can join.",
      secret: true,
    }),
    userId: output(z.string().optional(), { doc: "The user's id once the invite was accepted: what a WorkspaceMember's `userId` takes." }),
    createdAt: output(z.string().optional(), { doc: "When the invite was sent (RFC 3339).", api: "created_at" }),
    expiresAt: output(z.string().optional(), { doc: "When the invite stops working unless resent (RFC 3339).", api: "expires_at" }),
    acceptedAt: output(z.string().optional(), { doc: "When the person accepted (RFC 3339).", api: "accepted_at" }),
    invitedBy: output(z.string().optional(), { doc: "The id of the user who sent the invite, when a user did.", api: "invited_by" }),
  };
}

type Shape = ShapeOf<typeof inviteInputs, typeof inviteOutputs>;

export const userInvite = declareResource({
  kind: "portkey:UserInvite",
  enumerate: {
    prefix: "invite",
    identity: ["email"],
    // Accepted invites are users now (WorkspaceMember), expired and cancelled ones nothing to manage.
    async list(ctx) {
      return (await listInvites(portkeyClient(ctx), { status: "pending" })).invites.map((i) => ({ id: i.id, name: i.email }));
    },
  },
  doc:
    "An invitation to join the Portkey organisation (`/admin/users/invites`), by email, with an organisation role and the " +
    "workspaces (and roles) the person gets on joining. The id is the invite's id (also what `pulumi import` takes). Portkey " +
    "cannot change an invite: every field but `resendTrigger` replaces it.\n\n" +
    "A pending invite is not a user. Once it is accepted, a refresh keeps it with status `accepted` and the new `userId`, with a " +
    "warning, and never invites the person again; deleting the resource then leaves the user in the organisation. An expired or " +
    "cancelled invite is dropped by a refresh (with a warning), so the next `pulumi up` sends a new one. Inviting an address " +
    "that already belongs to a user fails.\n\n" +
    "```ts\n" +
    'const ann = new portkey.UserInvite("ann", { email: "ann@example.com", role: "member", workspaces: [{ id: dev.id, role: "manager" }] });\n' +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: inviteInputs,
  outputs: inviteOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const joined = await userWithEmail(client, inputs.email);
    if (joined) {
      throw new Error(
        `email: ${inputs.email} is already a user of the organisation (user ${joined.id}), so there is nobody to invite; ` +
          "give them workspaces with WorkspaceMember.",
      );
    }
    // The document requires `workspaces`: an empty list adds the person to none.
    const body = { ...ctx.createBody(inputs), workspaces: inputs.workspaces ?? [] };
    const created = await createWithRecovery(ctx, {
      what: `Portkey invite for '${inputs.email}'`,
      naturalKey: `portkey:UserInvite:${inputs.email.toLowerCase()}`,
      post: () => createInvite(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { invites, serverTime } = await listInvites(client, { email: inputs.email, status: "pending" });
        const mine = invites.filter((i) => i.email.toLowerCase() === inputs.email.toLowerCase());
        return { candidates: mine.map((i) => ({ id: i.id, createdAt: i.created_at })), serverTime };
      },
      // Its link was in the lost answer: a resend gives a new one (and the person a second email).
      recover: { adopt: async (candidate) => ({ id: candidate.id, invite_link: await resendInvite(client, candidate.id) }) },
      cleanup: "delete it in the Portkey UI (Members, pending invites) or with DELETE /admin/users/invites/{id}",
    });
    const carried = { ...inputs, inviteLink: created.invite_link };
    ctx.created(created.id, carried);
    return { id: created.id, outputs: await readBack(client, ctx, created.id, carried) };
  },

  async read(id, stored, ctx) {
    const client = portkeyClient(ctx);
    const invite = await getInvite(client, id);
    const email = invite?.email ?? stored.email;
    if (!invite || invite.status === "accepted") {
      // Gone or accepted: if the person is in the organisation, they joined; never invite them again.
      const user = email ? await userWithEmail(client, email) : undefined;
      if (!invite && !user) return undefined;
      if (!user && invite?.status === "accepted") {
        ctx.warn(`the invite ${id} for ${email} was accepted, but no user with that address is in the organisation any more (removed since). It is kept as accepted; replace the resource to invite them again.`);
      } else {
        ctx.warn(
          `the invite ${id} for ${email} was accepted: ${email} is user ${user!.id} of the organisation. The invite is kept in state as ` +
            "accepted and is never sent again; manage the user's workspaces with WorkspaceMember. Deleting this resource does not remove the user.",
        );
      }
      // Gone: what was last read stands, now as accepted.
      const answer: Partial<ApiInvite> = invite ?? {
        email,
        role: stored.role,
        status: "accepted",
        created_at: stored.createdAt,
        expires_at: stored.expiresAt,
        accepted_at: stored.acceptedAt,
        invited_by: stored.invitedBy,
      };
      return ctx.outputsFrom(answer, { ...stored, userId: user?.id ?? stored.userId });
    }
    if (invite.status === "expired" || invite.status === "cancelled") {
      ctx.warn(`the invite ${id} for ${invite.email} is ${invite.status}: it is dropped from the stack's state, and the next \`pulumi up\` sends a new invite.`);
      return undefined;
    }
    return ctx.outputsFrom(invite, stored);
  },

  async update(id, olds, news, ctx) {
    const client = portkeyClient(ctx);
    // Every other field replaces: the only in-place change is a new resend trigger.
    let inviteLink = olds.inviteLink;
    if (news.resendTrigger !== undefined && ctx.changed("resendTrigger", olds, news)) {
      if (olds.status === "accepted") throw new Error(`resendTrigger: the invite ${id} for ${olds.email} was accepted; there is nothing to resend.`);
      inviteLink = (await resendInvite(client, id)) ?? inviteLink;
    }
    return readBack(client, ctx, id, { ...news, inviteLink, userId: olds.userId });
  },

  async delete(id, outputs, ctx) {
    const client = portkeyClient(ctx);
    const invite = await getInvite(client, id);
    if (!invite) return;
    if (invite.status === "accepted") {
      ctx.warn(`the invite ${id} for ${outputs.email} was accepted: the user stays in the organisation (remove them in Portkey if that is meant).`);
      return;
    }
    try {
      await deleteInvite(client, id);
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  },
});

/** The organisation's user with this address (compared without regard to case), if any. */
async function userWithEmail(client: ApiClient, email: string): Promise<ApiUser | undefined> {
  const users = await listUsers(client, { email });
  return users.find((u) => u.email.toLowerCase() === email.toLowerCase());
}

/** The invite as read back after a write; `carried` holds the inputs written and the link. */
async function readBack(client: ApiClient, ctx: Shape["context"], id: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const invite = await getInvite(client, id);
  if (!invite) throw new Error(`invite ${id} disappeared right after it was written`);
  return ctx.outputsFrom(invite, carried);
}
