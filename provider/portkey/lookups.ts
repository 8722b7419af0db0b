/**
 * Look-ups a program uses to reference Portkey objects it does not manage:
 * a workspace by UUID, slug or name, an integration by slug or name. Each
 * fails with a sentence when nothing or more than one object matches, so a
 * typo never resolves to the wrong object.
 */
import { z } from "zod";
import { arg, declareLookup } from "../lookup";
import { input, output } from "../resource";
import { portkeyClient } from "./common";
import { ApiWorkspace, getWorkspace as fetchWorkspace, listWorkspacesByName } from "./api/workspaces";
import { getIntegration as fetchIntegration, listIntegrations } from "./api/integrations";
import { listUsers } from "./api/users";

const nonEmpty = () => z.string().min(1, "must not be empty");

function workspaceResults(workspace: ApiWorkspace) {
  return {
    id: workspace.id,
    slug: workspace.slug,
    name: workspace.name,
    description: workspace.description ?? undefined,
    metadata: workspace.defaults?.metadata ?? undefined,
    createdAt: workspace.created_at,
    lastUpdatedAt: workspace.last_updated_at,
  };
}

export const getWorkspace = declareLookup({
  name: "portkey:getWorkspace",
  doc:
    "Looks up a Portkey workspace the program does not manage, by exactly one of its UUID, slug or name " +
    "(fails when none or several match).\n\n" +
    "```ts\n" +
    'const shared = portkey.getWorkspaceOutput({ name: "Shared" });\n' +
    'new portkey.ApiKey("ci", { workspaceId: shared.id, name: "ci", type: "workspace", subType: "service", scopes: ["completions.write"] });\n' +
    "```",
  args: () => ({
    id: arg(nonEmpty().optional(), { doc: "The workspace's UUID.", identifies: true }),
    slug: arg(nonEmpty().optional(), { doc: "The workspace's slug, e.g. `ws-shared-1a2b3c`.", identifies: true }),
    name: arg(nonEmpty().optional(), { doc: "The workspace's exact name (without its icon).", identifies: true }),
  }),
  results: () => ({
    id: output(z.string(), { doc: "The workspace's UUID (what `workspaceId` inputs take)." }),
    slug: output(z.string(), { doc: "The workspace's slug." }),
    name: output(z.string(), { doc: "The workspace's name, without its icon." }),
    description: output(z.string().optional(), { doc: "The workspace's description." }),
    metadata: output(z.record(z.string(), z.string()).optional(), { doc: "The workspace's default metadata." }),
    createdAt: output(z.string(), { doc: "When Portkey created the workspace (RFC 3339)." }),
    lastUpdatedAt: output(z.string(), { doc: "When Portkey last changed the workspace (RFC 3339)." }),
  }),
  async run(args, configured) {
    const client = portkeyClient({ configured });
    if (args.name !== undefined) {
      const { workspaces } = await listWorkspacesByName(client, args.name);
      if (workspaces.length === 0) throw new Error(`portkey.getWorkspace: no workspace is named '${args.name}'.`);
      if (workspaces.length > 1) {
        throw new Error(`portkey.getWorkspace: ${workspaces.length} workspaces are named '${args.name}' (slugs ${workspaces.map((w) => w.slug).join(", ")}): look it up by slug instead.`);
      }
      // The list leaves fields out; the single GET has them all.
      const workspace = await fetchWorkspace(client, workspaces[0].id);
      if (!workspace) throw new Error(`portkey.getWorkspace: the workspace named '${args.name}' was deleted while it was looked up.`);
      return workspaceResults(workspace);
    }
    const idOrSlug = (args.id ?? args.slug) as string;
    const workspace = await fetchWorkspace(client, idOrSlug);
    if (!workspace || (args.id !== undefined && workspace.id !== args.id) || (args.slug !== undefined && workspace.slug !== args.slug)) {
      throw new Error(`portkey.getWorkspace: no workspace has the ${args.id !== undefined ? "UUID" : "slug"} '${idOrSlug}'.`);
    }
    return workspaceResults(workspace);
  },
});

export const getIntegration = declareLookup({
  name: "portkey:getIntegration",
  doc:
    "Looks up a Portkey integration the program does not manage, by exactly one of its slug or name " +
    "(fails when none or several match). Its credential is never returned.\n\n" +
    "```ts\n" +
    'const openai = portkey.getIntegrationOutput({ slug: "openai-prod" });\n' +
    'new portkey.IntegrationWorkspaceAccess("dev-openai", { integrationSlug: openai.slug, workspaceId: dev.id });\n' +
    "```",
  args: () => ({
    slug: arg(nonEmpty().optional(), { doc: "The integration's slug.", identifies: true }),
    name: arg(nonEmpty().optional(), { doc: "The integration's exact name.", identifies: true }),
  }),
  results: () => ({
    id: output(z.string(), { doc: "The integration's UUID." }),
    slug: output(z.string(), { doc: "The integration's slug (what `integrationSlug` inputs take)." }),
    name: output(z.string().optional(), { doc: "The integration's name." }),
    aiProviderId: output(z.string().optional(), { doc: "The AI provider it connects to, e.g. `openai`." }),
    type: output(z.string().optional(), { doc: "`organisation` (shared with workspaces by access grants) or `workspace` (belongs to one)." }),
    workspaceId: output(z.string().optional(), { doc: "The workspace of a workspace integration." }),
    description: output(z.string().optional(), { doc: "The integration's description." }),
    status: output(z.string().optional(), { doc: "The integration's status, e.g. `active`." }),
    createdAt: output(z.string().optional(), { doc: "When Portkey created the integration (RFC 3339)." }),
  }),
  async run(args, configured) {
    const client = portkeyClient({ configured });
    let slug = args.slug;
    if (args.name !== undefined) {
      const named = (await listIntegrations(client)).filter((i) => i.name === args.name);
      if (named.length === 0) throw new Error(`portkey.getIntegration: no integration is named '${args.name}'.`);
      if (named.length > 1) {
        throw new Error(`portkey.getIntegration: ${named.length} integrations are named '${args.name}' (slugs ${named.map((i) => i.slug).join(", ")}): look it up by slug instead.`);
      }
      slug = named[0].slug;
    }
    const integration = await fetchIntegration(client, slug as string);
    if (!integration) throw new Error(`portkey.getIntegration: no integration has the slug '${slug}'.`);
    return {
      id: integration.id,
      slug: integration.slug,
      name: integration.name ?? undefined,
      aiProviderId: integration.ai_provider_id ?? undefined,
      type: integration.type ?? undefined,
      workspaceId: integration.workspace_id ?? undefined,
      description: integration.description ?? undefined,
      status: integration.status ?? undefined,
      createdAt: integration.created_at ?? undefined,
    };
  },
});

export const getUser = declareLookup({
  name: "portkey:getUser",
  doc:
    "Looks up a user of the Portkey organisation by email (compared without regard to case; fails when nobody or several " +
    "users match). A pending invitation is not a user.\n\n" +
    "```ts\n" +
    'const ada = portkey.getUserOutput({ email: "ada@example.com" });\n' +
    'new portkey.WorkspaceMember("ada-dev", { workspaceId: dev.id, userId: ada.id, role: "member" });\n' +
    "```",
  args: () => ({
    email: input(z.email("must be an email address"), { doc: "The user's email address." }),
  }),
  results: () => ({
    id: output(z.string(), { doc: "The user's id (what WorkspaceMember's `userId` takes)." }),
    email: output(z.string(), { doc: "The email as Portkey holds it." }),
    firstName: output(z.string().optional(), { doc: "The user's first name." }),
    lastName: output(z.string().optional(), { doc: "The user's last name." }),
    role: output(z.string().optional(), { doc: "The organisation role: `owner`, `admin` or `member`." }),
  }),
  async run(args, configured) {
    const wanted = args.email.toLowerCase();
    // The filter narrows the list; matching is decided here, as the live API's matching is not documented.
    const users = (await listUsers(portkeyClient({ configured }), { email: args.email })).filter((u) => u.email.toLowerCase() === wanted);
    if (users.length === 0) throw new Error(`portkey.getUser: no user has the email '${args.email}' (invite them with a UserInvite; they become a user when they accept).`);
    if (users.length > 1) throw new Error(`portkey.getUser: ${users.length} users have the email '${args.email}' (ids ${users.map((u) => u.id).join(", ")}).`);
    const [user] = users;
    return { id: user.id, email: user.email, firstName: user.first_name ?? undefined, lastName: user.last_name ?? undefined, role: user.role ?? undefined };
  },
});
