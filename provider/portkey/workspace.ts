/**
 * Portkey Workspace: `/admin/workspaces`. Every field is updatable in place;
 * nothing replaces. The resource id is the workspace UUID.
 *
 * Updates send only the fields that changed. The icon and the guardrail and
 * config defaults are the server's unless declared (they are often set in the
 * UI), and `defaults` is written back whole, read just before, so keys the
 * program does not manage survive whether the API merges or replaces it.
 */
import { z } from "zod";
import { isApiFailure, isForbidden, isGone } from "../errors";
import { defineResource, deepEqual, LifecycleContext, normalize } from "../framework";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import {
  listOrNull,
  portkeyClient,
  PORTKEY_SETTINGS,
  RateLimit,
  rateLimitSchema,
  rateLimitsFromApi,
  rateLimitToApi,
  readBackAfterWrite,
  UsageLimit,
  usageLimitSchema,
  usageLimitsComparable,
  usageLimitsFromApi,
  usageLimitToApi,
} from "./common";
import { ApiWorkspace, ApiWorkspaceDefaults, getWorkspace, listWorkspacesByName, workspacePath } from "./workspaces-api";

export interface WorkspaceInputs {
  [key: string]: unknown;
  name: string;
  icon?: string;
  description?: string;
  metadata?: Record<string, string>;
  inputGuardrails?: string[];
  outputGuardrails?: string[];
  userApiKeyConfig?: string;
  usageLimits?: UsageLimit[];
  rateLimits?: RateLimit[];
  forceDelete?: boolean;
  adoptExisting?: boolean;
}

export interface WorkspaceOutputs extends WorkspaceInputs {
  workspaceId: string;
  slug: string;
  createdAt: string;
  lastUpdatedAt: string;
}

/** A leading emoji (with its modifiers and joins) and the rest of the name. */
const LEADING_EMOJI = /^(\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic}|\p{Emoji_Modifier})*)\s+(\S.*)$/u;

export function workspaceInputSchema() {
  return z
    .object({
      name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
      icon: z.string().max(32, "must be one emoji").optional(),
      description: z.string().max(500, "must be at most 500 characters").optional(),
      metadata: z.record(z.string(), z.string()).optional(),
      inputGuardrails: z.array(z.string().min(1)).optional(),
      outputGuardrails: z.array(z.string().min(1)).optional(),
      userApiKeyConfig: z.string().optional(),
      usageLimits: z.array(usageLimitSchema()).optional(),
      rateLimits: z.array(rateLimitSchema()).optional(),
      forceDelete: z.boolean().default(false),
      adoptExisting: z.boolean().optional(),
    })
    .strict()
    .superRefine((workspace, issues) => {
      if (workspace.icon && LEADING_EMOJI.test(workspace.name)) {
        issues.addIssue({ code: "custom", path: ["name"], message: "starts with an emoji while icon is set: put the emoji in icon only" });
      }
    });
}

/** Inputs written through the workspace's `defaults` object. */
const DEFAULTS_FIELDS = ["metadata", "inputGuardrails", "outputGuardrails", "userApiKeyConfig"] as const;
/** Set in the UI as often as in code: the server's unless declared. */
const SERVER_OWNED = ["icon", "inputGuardrails", "outputGuardrails", "userApiKeyConfig"] as const;

function comparable(name: string, value: unknown): unknown {
  if (name === "adoptExisting") return undefined; // only consulted when the resource is created
  if (name === "usageLimits") return usageLimitsComparable(value);
  return normalize(value);
}

export const workspaceProvider = defineResource<WorkspaceInputs, WorkspaceOutputs>({
  kind: "portkey:Workspace",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputSchema: workspaceInputSchema,
  replaceOnChange: [],
  serverOwnedUnlessDeclared: SERVER_OWNED,

  canonicalInputs(inputs) {
    // As in the Portkey UI, a leading emoji in the name is the workspace's icon.
    const match = inputs.icon === undefined ? LEADING_EMOJI.exec(inputs.name) : null;
    return match ? { ...inputs, icon: match[1], name: match[2] } : inputs;
  },

  comparable,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    if (inputs.adoptExisting) {
      const adopted = await adopt(client, inputs, ctx);
      if (adopted) return adopted;
    }
    const defaults = declaredDefaults(inputs);
    const body = {
      name: inputs.name,
      icon: inputs.icon || undefined,
      description: inputs.description,
      defaults: Object.keys(defaults).length > 0 ? defaults : undefined,
      usage_limits: inputs.usageLimits?.map(usageLimitToApi),
      rate_limits: inputs.rateLimits?.map(rateLimitToApi),
    };
    const created = await createWithRecovery(ctx, {
      what: `Portkey workspace '${inputs.name}'`,
      naturalKey: `portkey:Workspace:${inputs.name}`,
      post: () => client.request<ApiWorkspace>({ method: "POST", path: "/admin/workspaces", body }),
      idOf: (workspace) => workspace.id,
      async findCandidates() {
        const { workspaces, serverTime } = await listWorkspacesByName(client, inputs.name);
        return { candidates: workspaces.map((w) => ({ id: w.id, createdAt: w.created_at })), serverTime };
      },
      recover: {
        async adopt(candidate) {
          const workspace = await getWorkspace(client, candidate.id);
          if (!workspace) throw new Error(`workspace ${candidate.id} disappeared while it was being recovered`);
          return workspace;
        },
      },
      cleanup: "delete it in the Portkey UI, or with DELETE /admin/workspaces/{id} and its name",
    });
    ctx.created(created.id, { workspaceId: created.id, slug: created.slug, name: inputs.name, forceDelete: inputs.forceDelete ?? false });
    return { id: created.id, outputs: await readConsistent(client, created.id, inputs) };
  },

  async read(id, outputs, ctx) {
    const workspace = await getWorkspace(portkeyClient(ctx), id);
    if (!workspace) return undefined;
    const refreshed = toOutputs(workspace, outputs);
    return { outputs: refreshed, inputs: inputsOf(refreshed) };
  },

  async update(id, olds, news, ctx) {
    return updateWorkspace(portkeyClient(ctx), id, olds, news);
  },

  async delete(id, outputs, ctx) {
    const client = portkeyClient(ctx);
    // The API wants the exact current name, which may have changed outside Pulumi.
    const current = await getWorkspace(client, id);
    if (!current) return;
    try {
      await client.request({ method: "DELETE", path: workspacePath(id), body: { name: current.name, force_delete: outputs.forceDelete === true } });
    } catch (error) {
      if (isGone(error)) return;
      if (isForbidden(error) && !(await getWorkspace(client, id))) return; // deleted meanwhile
      if (isApiFailure(error, "conflict") && error.code === "AB07") {
        throw new Error(await stillInUseMessage(client, id, current.name));
      }
      throw error;
    }
  },
});

/** Sends only what changed, then reads the workspace back. */
async function updateWorkspace(client: ApiClient, id: string, olds: Partial<WorkspaceOutputs>, news: WorkspaceInputs): Promise<WorkspaceOutputs> {
  const changed = (field: keyof WorkspaceInputs & string) =>
    !(news[field] === undefined && (SERVER_OWNED as readonly string[]).includes(field)) && !deepEqual(comparable(field, olds[field]), comparable(field, news[field]));
  const body: Record<string, unknown> = {};
  if (changed("name")) body.name = news.name;
  if (changed("icon")) body.icon = news.icon ?? ""; // "" clears the icon
  if (changed("description")) body.description = news.description ?? "";
  if (DEFAULTS_FIELDS.some(changed)) body.defaults = await defaultsToWrite(client, id, news);
  if (changed("usageLimits")) body.usage_limits = listOrNull(news.usageLimits, usageLimitToApi);
  if (changed("rateLimits")) body.rate_limits = listOrNull(news.rateLimits, rateLimitToApi);
  if (Object.keys(body).length > 0) await client.request({ method: "PUT", path: workspacePath(id), body });
  return readConsistent(client, id, news);
}

/**
 * Takes over the one existing workspace with exactly this name, bringing it
 * to the declared state, instead of creating a second one. (Dynamic providers
 * cannot `pulumi import`; this is the alternative.)
 */
async function adopt(client: ApiClient, inputs: WorkspaceInputs, ctx: LifecycleContext): Promise<{ id: string; outputs: WorkspaceOutputs } | undefined> {
  const { workspaces: existing } = await listWorkspacesByName(client, inputs.name);
  if (existing.length === 0) return undefined;
  if (existing.length > 1) {
    throw new Error(`adoptExisting: ${existing.length} workspaces are named '${inputs.name}' (${existing.map((w) => w.id).join(", ")}); rename all but one first.`);
  }
  const found = existing[0];
  ctx.warn(`adopting existing workspace '${inputs.name}' (${found.id}) and bringing it to the declared state.`);
  ctx.created(found.id, { workspaceId: found.id, slug: found.slug, name: inputs.name, forceDelete: inputs.forceDelete ?? false });
  return { id: found.id, outputs: { ...(await updateWorkspace(client, found.id, toOutputs(found, {}), inputs)), adoptExisting: true } };
}

/** The defaults the program declares, in the API's names. */
function declaredDefaults(inputs: WorkspaceInputs): ApiWorkspaceDefaults {
  const defaults: ApiWorkspaceDefaults = {};
  if (inputs.metadata !== undefined) defaults.metadata = inputs.metadata;
  if (inputs.inputGuardrails !== undefined) defaults.input_guardrails = inputs.inputGuardrails;
  if (inputs.outputGuardrails !== undefined) defaults.output_guardrails = inputs.outputGuardrails;
  if (inputs.userApiKeyConfig !== undefined) defaults.user_api_key_config = inputs.userApiKeyConfig || null;
  return defaults;
}

/**
 * The whole `defaults` object for a PUT: the server's current one (read now,
 * so a change made in the UI since the last refresh is not lost), with the
 * declared fields over it. Metadata the program stopped declaring is cleared.
 */
async function defaultsToWrite(client: ApiClient, id: string, news: WorkspaceInputs): Promise<ApiWorkspaceDefaults> {
  const current = (await getWorkspace(client, id))?.defaults ?? {};
  const { is_default: _readOnly, ...kept } = current;
  return { ...kept, metadata: news.metadata ?? {}, ...declaredDefaults(news) };
}

/** The workspace as read back after a write (see readBackAfterWrite). */
function readConsistent(client: ApiClient, id: string, written: WorkspaceInputs): Promise<WorkspaceOutputs> {
  return readBackAfterWrite(
    async () => {
      const workspace = await getWorkspace(client, id);
      return workspace && toOutputs(workspace, written);
    },
    { usageLimits: written.usageLimits, rateLimits: written.rateLimits },
    () => new Error(`workspace ${id} disappeared right after it was written`),
  );
}

function toOutputs(workspace: ApiWorkspace, carried: Partial<WorkspaceInputs>): WorkspaceOutputs {
  const defaults = workspace.defaults ?? {};
  const metadata = defaults.metadata ?? undefined;
  return {
    workspaceId: workspace.id,
    slug: workspace.slug,
    name: workspace.name,
    icon: workspace.icon || undefined,
    description: workspace.description || undefined,
    metadata: metadata && Object.keys(metadata).length > 0 ? { ...metadata } : undefined,
    inputGuardrails: nonEmpty(defaults.input_guardrails),
    outputGuardrails: nonEmpty(defaults.output_guardrails),
    userApiKeyConfig: defaults.user_api_key_config || undefined,
    usageLimits: usageLimitsFromApi(workspace.usage_limits),
    rateLimits: rateLimitsFromApi(workspace.rate_limits),
    forceDelete: carried.forceDelete ?? false,
    adoptExisting: carried.adoptExisting,
    createdAt: workspace.created_at,
    lastUpdatedAt: workspace.last_updated_at,
  };
}

function inputsOf(outputs: WorkspaceOutputs): WorkspaceInputs {
  const names = Object.keys(workspaceInputSchema().shape) as (keyof WorkspaceInputs)[];
  return Object.fromEntries(names.map((name) => [name, outputs[name]])) as WorkspaceInputs;
}

function nonEmpty<T>(items: T[] | null | undefined): T[] | undefined {
  return items && items.length > 0 ? [...items] : undefined;
}

/** Explains a 409 on delete: what still lives in the workspace and how to delete it anyway. */
async function stillInUseMessage(client: ApiClient, id: string, name: string): Promise<string> {
  let keys = "";
  try {
    const list = await client.request<{ data?: { name?: string }[] }>({ method: "GET", path: "/api-keys", query: { workspace_id: id, page_size: 100 } });
    const names = (list.data ?? []).map((k) => k.name ?? "(unnamed)");
    if (names.length > 0) keys = ` It still holds ${names.length} API key(s): ${names.slice(0, 10).join(", ")}${names.length > 10 ? ", ..." : ""}.`;
  } catch {
    // The explanation is best effort; the advice below stands without it.
  }
  return (
    `Portkey refused to delete workspace '${name}' (${id}) because it still contains resources (409 AB07): ` +
    `providers/virtual keys, such as the default provider an integration access grant creates, or API keys.${keys} ` +
    "Set `forceDelete: true` on this Workspace (and run `pulumi up` so the setting is stored) to delete them together with it, " +
    "or delete them first."
  );
}
