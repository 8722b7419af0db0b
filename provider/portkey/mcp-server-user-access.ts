/**
 * Who may use one MCP server: `GET|PUT /mcp-servers/{id}/user-access`
 * (reference prompts-mcp-scim §8), the server's default for its workspace's
 * members (`allow` until set) and per-user overrides. One resource per
 * server, managing the default when declared and the overrides of the users
 * it lists; other users are left as they are.
 *
 * The API offers no way to remove an override, so removing a user from the
 * list, or deleting the resource, leaves the settings as found (a write
 * nobody declared is never sent).
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { declareResource, input, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS } from "./common";
import { ApiMcpUserAccess, getMcpServerUserAccess, listMcpServers, putMcpServerUserAccess } from "./api/mcp";
import { output } from "../resource";

function userSchema() {
  return z
    .object({
      userId: z.string().min(1, "must not be empty").describe("The user's id (a WorkspaceMember's `userId`); they must be a member of the server's workspace."),
      enabled: z.boolean().describe("Whether this user may use the server, whatever the default."),
    })
    .strict()
    .describe("One user's override of an MCP server's default access.");
}

type UserOverride = z.output<ReturnType<typeof userSchema>>;

/** The SDK's named types declared here. */
export function mcpUserAccessSdkTypes() {
  return { McpUserAccessArgs: userSchema() };
}

function userAccessInputs() {
  return {
    mcpServerId: input(z.string().min(1, "must not be empty"), {
      doc: "The MCP server, by UUID or slug: pass an McpServer's `id`. Changing it replaces the resource.",
      outputDoc: "The MCP server as given.",
      replaces: true,
    }),
    defaultUserAccess: input(z.enum(["allow", "deny"]).optional(), {
      doc: "Whether the workspace's members may use the server unless overridden: `allow` (Portkey's default) or `deny`. Not declared: left as it is.",
      outputDoc: "The default as read back.",
      api: "default_user_access",
      serverOwnedUnlessDeclared: true,
    }),
    users: input(
      z
        .array(userSchema())
        .optional()
        .refine((list) => !list || new Set(list.map((u) => u.userId)).size === list.length, "must list each user once"),
      {
        doc: "Per-user overrides, each `{ userId, enabled }`. Users not listed are left as they are; removing one keeps their override (the API cannot remove it).",
        outputDoc: "The listed users' access as read back.",
        sdkType: "McpUserAccessArgs[]",
        comparable: (value) => (Array.isArray(value) && value.length > 0 ? [...(value as UserOverride[])].sort((a, b) => a.userId.localeCompare(b.userId)).map((u) => ({ ...u })) : undefined),
      },
    ),
  };
}

function userAccessOutputs() {
  return {
    otherOverrides: output(z.number().optional(), { doc: "How many users not listed have an override of their own (set elsewhere)." }),
  };
}

type Shape = ShapeOf<typeof userAccessInputs, typeof userAccessOutputs>;

/** The declared users as read (a user gone from the workspace is dropped: a change to send again), and the default. */
function accessRead(held: ApiMcpUserAccess, declared: UserOverride[] | undefined, stored: Partial<Shape["outputs"]>): Partial<Shape["outputs"]> {
  const rows = new Map(held.data.map((r) => [r.user_id, r]));
  const listed = declared ?? held.data.filter((r) => r.has_override).map((r) => ({ userId: r.user_id, enabled: r.enabled }));
  const users = listed.filter((u) => rows.has(u.userId)).map((u) => ({ userId: u.userId, enabled: rows.get(u.userId)!.enabled }));
  const names = new Set(listed.map((u) => u.userId));
  return {
    ...stored,
    defaultUserAccess: held.default_user_access,
    users: declared === undefined && users.length === 0 ? undefined : users,
    otherOverrides: held.data.filter((r) => r.has_override && !names.has(r.user_id)).length,
  };
}

export const mcpServerUserAccess = declareResource({
  kind: "portkey:McpServerUserAccess",
  enumerate: {
    prefix: "mcp-user-access",
    identity: ["mcpServerId"],
    references: { mcpServerId: { kind: "portkey:McpServer", output: "id" } },
    async list(ctx) {
      const client = portkeyClient(ctx);
      const found: { id: string }[] = [];
      // Only servers someone set something on hold a setting to adopt.
      for (const server of (await listMcpServers(client)).servers) {
        const held = await getMcpServerUserAccess(client, server.id);
        if (held && (held.default_user_access === "deny" || held.data.some((r) => r.has_override))) found.push({ id: server.id });
      }
      return found;
    },
  },
  doc:
    "Who may use one Portkey MCP server: the default for its workspace's members and per-user overrides (`/mcp-servers/{id}/user-access`). " +
    "The resource id is the server's id (import by it: an import manages the default and the overrides found). Users not listed are left as they are; " +
    "removing a user, or deleting the resource, leaves the settings as found (the API cannot remove an override).",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: userAccessInputs,
  outputs: userAccessOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const body = {
      ...(inputs.defaultUserAccess ? { default_user_access: inputs.defaultUserAccess } : {}),
      ...(inputs.users?.length ? { user_access: inputs.users.map((u) => ({ user_id: u.userId, enabled: u.enabled })) } : {}),
    };
    if (Object.keys(body).length > 0) await putMcpServerUserAccess(client, inputs.mcpServerId, body);
    return { id: inputs.mcpServerId, outputs: await readBack(ctx, inputs.mcpServerId, inputs) };
  },

  async read(id, stored, ctx) {
    const held = await getMcpServerUserAccess(portkeyClient(ctx), id);
    if (!held) return undefined;
    return { mcpServerId: stored.mcpServerId ?? id, ...accessRead(held, stored.users, stored) } as Shape["outputs"];
  },

  async update(_id, olds, news, ctx) {
    const before = new Map((olds.users ?? []).map((u) => [u.userId, u.enabled]));
    const changedUsers = (news.users ?? []).filter((u) => before.get(u.userId) !== u.enabled);
    const body = {
      ...(ctx.changed("defaultUserAccess", olds, news) && news.defaultUserAccess ? { default_user_access: news.defaultUserAccess } : {}),
      ...(changedUsers.length ? { user_access: changedUsers.map((u) => ({ user_id: u.userId, enabled: u.enabled })) } : {}),
    };
    if (Object.keys(body).length > 0) await putMcpServerUserAccess(portkeyClient(ctx), news.mcpServerId, body);
    return readBack(ctx, news.mcpServerId, news);
  },

  async delete() {
    // Left as found: see the module comment.
  },
});

async function readBack(ctx: Parameters<typeof portkeyClient>[0], id: string, declared: Shape["inputs"]): Promise<Shape["outputs"]> {
  const held = await getMcpServerUserAccess(portkeyClient(ctx), id);
  if (!held) throw new Error(`MCP server ${id} disappeared right after its user access was written`);
  return { ...accessRead(held, declared.users ?? [], declared), mcpServerId: declared.mcpServerId } as Shape["outputs"];
}
