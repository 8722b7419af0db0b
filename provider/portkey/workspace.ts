/**
 * Portkey Workspace: `/admin/workspaces`. Every field is updatable in place;
 * nothing replaces. The resource id is the workspace UUID.
 */
import { z } from "zod";
import { ApiError, isGone } from "../errors";
import { defineResource, deepEqual, LifecycleContext, normalize, sleep } from "../framework";
import { ApiClient } from "../http";
import {
  listOrNull,
  portkeyClient,
  RateLimit,
  rateLimitFromApi,
  rateLimitSchema,
  rateLimitToApi,
  readBackAfterWrite,
  UsageLimit,
  usageLimitFromApi,
  usageLimitSchema,
  usageLimitToApi,
} from "./common";

export interface WorkspaceInputs {
  [key: string]: unknown;
  name: string;
  description?: string;
  metadata?: Record<string, string>;
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

/** The workspace as the API returns it (GET /admin/workspaces/{id}). */
interface ApiWorkspace {
  id: string;
  slug: string;
  name: string;
  description?: string | null;
  created_at: string;
  last_updated_at: string;
  defaults?: { metadata?: Record<string, string> | null } | null;
  usage_limits?: Parameters<typeof usageLimitFromApi>[0][] | null;
  rate_limits?: Parameters<typeof rateLimitFromApi>[0][] | null;
}

export function workspaceInputSchema() {
  return z
    .object({
      name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
      description: z.string().max(500, "must be at most 500 characters").optional(),
      metadata: z.record(z.string(), z.string()).optional(),
      usageLimits: z.array(usageLimitSchema()).optional(),
      rateLimits: z.array(rateLimitSchema()).optional(),
      forceDelete: z.boolean().default(false),
      adoptExisting: z.boolean().optional(),
    })
    .strict();
}

export const workspaceProvider = defineResource<WorkspaceInputs, WorkspaceOutputs>({
  kind: "portkey:Workspace",
  inputSchema: workspaceInputSchema,
  replaceOnChange: [],

  comparable(name, value) {
    // Only consulted when the resource is created.
    return name === "adoptExisting" ? undefined : normalize(value);
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    if (inputs.adoptExisting) {
      const adopted = await adopt(client, inputs, ctx);
      if (adopted) return adopted;
    }
    const body = {
      name: inputs.name,
      description: inputs.description,
      defaults: inputs.metadata ? { metadata: inputs.metadata } : undefined,
      usage_limits: inputs.usageLimits?.map(usageLimitToApi),
      rate_limits: inputs.rateLimits?.map(rateLimitToApi),
    };
    const created = await createOnce(client, inputs.name, body, ctx);
    ctx.created(created.id, { workspaceId: created.id, slug: created.slug, name: inputs.name, forceDelete: inputs.forceDelete ?? false });
    return { id: created.id, outputs: await readConsistent(client, created.id, inputs) };
  },

  async read(id, outputs, ctx) {
    const workspace = await getWorkspace(portkeyClient(ctx), id);
    if (!workspace) return undefined;
    const refreshed = { ...toOutputs(workspace, outputs.forceDelete ?? false), adoptExisting: outputs.adoptExisting };
    return { outputs: refreshed, inputs: inputsOf(refreshed) };
  },

  async update(id, olds, news, ctx) {
    const client = portkeyClient(ctx);
    const remoteFields: (keyof WorkspaceInputs)[] = ["name", "description", "metadata", "usageLimits", "rateLimits"];
    const remoteChanged = remoteFields.some((field) => !deepEqual(normalize(olds[field]), normalize(news[field])));
    if (remoteChanged) {
      await client.request({ method: "PUT", path: `/admin/workspaces/${encodeURIComponent(id)}`, body: putBody(news) });
    }
    return { ...(await readConsistent(client, id, news)), adoptExisting: news.adoptExisting };
  },

  async delete(id, outputs, ctx) {
    const client = portkeyClient(ctx);
    // The API wants the exact current name, which may have changed outside Pulumi.
    const current = await getWorkspace(client, id, { plainName: true });
    if (!current) return;
    try {
      await client.request({
        method: "DELETE",
        path: `/admin/workspaces/${encodeURIComponent(id)}`,
        body: { name: current.name, force_delete: outputs.forceDelete === true },
      });
    } catch (error) {
      if (isGone(error, { forbiddenMeansGone: true })) return;
      if (error instanceof ApiError && error.status === 409 && error.code === "AB07") {
        throw new Error(await stillInUseMessage(client, id, current.name));
      }
      throw error;
    }
  },
});

/**
 * Takes over the one existing workspace with exactly this name, bringing it
 * to the declared state, instead of creating a second one. (Dynamic providers
 * cannot `pulumi import`; this is the alternative.)
 */
async function adopt(client: ApiClient, inputs: WorkspaceInputs, ctx: LifecycleContext): Promise<{ id: string; outputs: WorkspaceOutputs } | undefined> {
  const existing = await listByName(client, inputs.name);
  if (existing.length === 0) return undefined;
  if (existing.length > 1) {
    throw new Error(`adoptExisting: ${existing.length} workspaces are named '${inputs.name}' (${existing.map((w) => w.id).join(", ")}); rename all but one first.`);
  }
  const id = existing[0].id;
  ctx.warn(`adopting existing workspace '${inputs.name}' (${id}) and bringing it to the declared state.`);
  ctx.created(id, { workspaceId: id, slug: existing[0].slug, name: inputs.name, forceDelete: inputs.forceDelete ?? false });
  await client.request({ method: "PUT", path: `/admin/workspaces/${encodeURIComponent(id)}`, body: putBody(inputs) });
  return { id, outputs: { ...(await readConsistent(client, id, inputs)), adoptExisting: true } };
}

function putBody(inputs: WorkspaceInputs) {
  return {
    name: inputs.name,
    description: inputs.description ?? "",
    defaults: { metadata: inputs.metadata ?? {} },
    usage_limits: listOrNull(inputs.usageLimits, usageLimitToApi),
    rate_limits: listOrNull(inputs.rateLimits, rateLimitToApi),
  };
}

/**
 * POST is not retried blindly: a lost response may hide a workspace that was
 * created. After an unclear failure, a workspace with this exact name that did
 * not exist before the first attempt is ours.
 */
async function createOnce(client: ApiClient, name: string, body: object, ctx: LifecycleContext): Promise<ApiWorkspace> {
  const before = new Set((await listByName(client, name)).map((w) => w.id));
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.request<ApiWorkspace>({ method: "POST", path: "/admin/workspaces", body });
    } catch (error) {
      const unclear = error instanceof ApiError && (error.status === 0 || error.status >= 500 || error.status === 429);
      if (!unclear || attempt >= 3) throw error;
      const appeared = (await listByName(client, name)).filter((w) => !before.has(w.id));
      if (appeared.length === 1) {
        ctx.warn(`the create call for workspace '${name}' lost its response, but the workspace was created (${appeared[0].id}); using it.`);
        return appeared[0];
      }
      if (appeared.length > 1) throw error;
      await sleep(error.status === 429 ? 1000 * attempt : 250 * attempt);
    }
  }
}

async function listByName(client: ApiClient, name: string): Promise<ApiWorkspace[]> {
  const found: ApiWorkspace[] = [];
  for (let page = 0; ; page++) {
    const list = await client.request<{ total?: number; data?: ApiWorkspace[] }>({
      method: "GET",
      path: "/admin/workspaces",
      query: { exact_name: name, page_size: 100, current_page: page },
    });
    const data = list.data ?? [];
    found.push(...data);
    if (data.length < 100 || found.length >= (list.total ?? 0)) return found;
  }
}

function getWorkspace(client: ApiClient, id: string, options: { plainName?: boolean } = {}): Promise<ApiWorkspace | undefined> {
  // A deleted workspace answers 403 AB03 rather than 404.
  return client.requestOrGone<ApiWorkspace>(
    { method: "GET", path: `/admin/workspaces/${encodeURIComponent(id)}`, query: options.plainName ? { name_format: "plain" } : undefined },
    { forbiddenMeansGone: true },
  );
}

/** The workspace as read back after a write (see readBackAfterWrite). */
function readConsistent(client: ApiClient, id: string, written: WorkspaceInputs): Promise<WorkspaceOutputs> {
  return readBackAfterWrite(
    async () => {
      const workspace = await getWorkspace(client, id);
      return workspace && toOutputs(workspace, written.forceDelete ?? false);
    },
    { usageLimits: written.usageLimits, rateLimits: written.rateLimits },
    () => new Error(`workspace ${id} disappeared right after it was written`),
  );
}

function toOutputs(workspace: ApiWorkspace, forceDelete: boolean): WorkspaceOutputs {
  const metadata = workspace.defaults?.metadata ?? undefined;
  return {
    workspaceId: workspace.id,
    slug: workspace.slug,
    name: workspace.name,
    description: workspace.description || undefined,
    metadata: metadata && Object.keys(metadata).length > 0 ? { ...metadata } : undefined,
    usageLimits: nonEmpty((workspace.usage_limits ?? []).map(usageLimitFromApi)),
    rateLimits: nonEmpty((workspace.rate_limits ?? []).map(rateLimitFromApi)),
    forceDelete,
    createdAt: workspace.created_at,
    lastUpdatedAt: workspace.last_updated_at,
  };
}

function inputsOf(outputs: WorkspaceOutputs): WorkspaceInputs {
  const { name, description, metadata, usageLimits, rateLimits, forceDelete, adoptExisting } = outputs;
  return { name, description, metadata, usageLimits, rateLimits, forceDelete, adoptExisting };
}

function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
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
