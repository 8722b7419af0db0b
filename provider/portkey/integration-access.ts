/**
 * Portkey integration workspace access: one resource per (integration,
 * workspace) pair. The API has no per-pair URL and no DELETE: access is a row
 * of `GET/PUT /integrations/{slug}/workspaces`, and the PUT is a bulk update.
 *
 * Writes never use `override_existing_workspace_access`, so rows of other
 * workspaces (managed elsewhere or by hand) are never touched. Concurrent
 * writes for the same integration in one provider process are coalesced into
 * one PUT; if the API rejects a batch, each pair is written alone so every
 * pair gets its own result and error. Concurrent reads of a list are shared.
 */
import { z } from "zod";
import { ApiError, isGone } from "../errors";
import { defineResource, deepEqual, LifecycleContext, normalize } from "../framework";
import { ApiClient } from "../http";
import { BatchTiming, Coalescer, processSingleton, sharedInFlight } from "../coalesce";
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
  workspaceIdComparable,
} from "./common";

export interface IntegrationAccessInputs {
  [key: string]: unknown;
  integrationSlug: string;
  workspaceId: string;
  enabled?: boolean;
  usageLimits?: UsageLimit[];
  rateLimits?: RateLimit[];
  createDefaultProvider?: boolean;
  defaultProviderSlug?: string;
  resetUsage?: string | number;
}

export interface IntegrationAccessOutputs extends IntegrationAccessInputs {
  resolvedWorkspaceId: string;
  workspaceSlug: string;
}

interface AccessRowJson {
  id: string;
  enabled: boolean;
  usage_limits?: Parameters<typeof usageLimitFromApi>[0][] | null;
  rate_limits?: Parameters<typeof rateLimitFromApi>[0][] | null;
}

/** One workspace's entry in a bulk PUT. */
interface AccessItem {
  id: string;
  enabled: boolean;
  usage_limits?: unknown;
  rate_limits?: unknown;
  reset_usage?: boolean;
  create_default_provider?: boolean;
  default_provider_slug?: string;
}

export function integrationAccessInputSchema() {
  return z
    .object({
      integrationSlug: z.string().regex(/^[a-zA-Z0-9_-]+$/, "must be an integration slug (letters, digits, - and _)"),
      workspaceId: z.string().min(1),
      enabled: z.boolean().default(true),
      usageLimits: z.array(usageLimitSchema()).max(1, "takes at most one usage limit").optional(),
      rateLimits: z.array(rateLimitSchema()).max(1, "takes at most one rate limit").optional(),
      createDefaultProvider: z.boolean().optional(),
      defaultProviderSlug: z.string().regex(/^[a-zA-Z0-9_-]+$/, "must be a slug (letters, digits, - and _)").max(255).optional(),
      resetUsage: z.union([z.string(), z.number()]).optional(),
    })
    .strict();
}

/**
 * Batch timing. The engine starts steps a little apart (it checkpoints state
 * between them), so the window waits for a quiet gap rather than a fixed
 * time. PULUMI_AI_GATEWAY_ACCESS_BATCH_MS sets the gap; 0 writes every pair
 * on its own.
 */
function batchTiming(): BatchTiming {
  const idle = Number(process.env.PULUMI_AI_GATEWAY_ACCESS_BATCH_MS ?? "300");
  return { idleMs: Number.isFinite(idle) ? idle : 300, maxWaitMs: 2000, maxItems: 100 };
}

export const integrationAccessProvider = defineResource<IntegrationAccessInputs, IntegrationAccessOutputs>({
  kind: "portkey:IntegrationWorkspaceAccess",
  inputSchema: integrationAccessInputSchema,
  replaceOnChange: ["integrationSlug", "workspaceId"],

  comparable(name, value, _side, olds) {
    if (name === "workspaceId") return workspaceIdComparable(value, olds);
    // Only meaningful when access is first granted: a later change has nothing to do remotely.
    if (name === "createDefaultProvider" || name === "defaultProviderSlug") return undefined;
    return normalize(value);
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = await resolveWorkspace(client, ctx, inputs.workspaceId);
    if (!workspace) throw new Error(`workspaceId: workspace '${inputs.workspaceId}' does not exist (or was deleted).`);
    await writeAccess(client, ctx, inputs.integrationSlug, {
      id: inputs.workspaceId,
      enabled: inputs.enabled ?? true,
      usage_limits: listOrNull(inputs.usageLimits, usageLimitToApi),
      rate_limits: listOrNull(inputs.rateLimits, rateLimitToApi),
      ...(inputs.createDefaultProvider !== undefined ? { create_default_provider: inputs.createDefaultProvider } : {}),
      ...(inputs.defaultProviderSlug ? { default_provider_slug: inputs.defaultProviderSlug } : {}),
    });
    const id = `${inputs.integrationSlug}/${inputs.workspaceId}`;
    const carried = { ...inputs, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    ctx.created(id, carried);
    return { id, outputs: await readConsistent(client, ctx, carried) };
  },

  async read(_id, outputs, ctx) {
    const client = portkeyClient(ctx);
    const rows = await listRows(client, ctx, outputs.integrationSlug);
    if (!rows) return undefined;
    const row = rows.find((r) => r.id === outputs.workspaceSlug || r.id === outputs.resolvedWorkspaceId);
    // A disabled row is "gone" unless disabled access is what the program declared.
    if (!row || (!row.enabled && outputs.enabled !== false)) return undefined;
    const refreshed = toOutputs(row, outputs);
    return { outputs: refreshed, inputs: inputsOf(refreshed) };
  },

  async update(_id, olds, news, ctx) {
    const client = portkeyClient(ctx);
    const resetUsage = news.resetUsage !== undefined && !deepEqual(normalize(olds.resetUsage), normalize(news.resetUsage));
    await writeAccess(client, ctx, news.integrationSlug, {
      id: news.workspaceId,
      enabled: news.enabled ?? true,
      usage_limits: listOrNull(news.usageLimits, usageLimitToApi),
      rate_limits: listOrNull(news.rateLimits, rateLimitToApi),
      ...(resetUsage ? { reset_usage: true } : {}),
    });
    // What was written is the new inputs; only identity and first-grant settings come from before.
    return readConsistent(client, ctx, {
      ...news,
      resolvedWorkspaceId: olds.resolvedWorkspaceId,
      workspaceSlug: olds.workspaceSlug,
      createDefaultProvider: olds.createDefaultProvider,
      defaultProviderSlug: olds.defaultProviderSlug,
    });
  },

  async delete(_id, outputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = await resolveWorkspace(client, ctx, outputs.resolvedWorkspaceId ?? outputs.workspaceId);
    if (!workspace) return; // the workspace is gone, and its access with it
    try {
      await writeAccess(client, ctx, outputs.integrationSlug, { id: workspace.id, enabled: false });
    } catch (error) {
      if (!isGone(error)) throw error; // a deleted integration grants nothing
    }
  },
});

/** Queues one pair's write on the integration's coalescer. */
function writeAccess(client: ApiClient, ctx: LifecycleContext, integrationSlug: string, item: AccessItem): Promise<void> {
  const coalescer = processSingleton(ctx.processState, `access-writer:${integrationSlug}`, () =>
    new Coalescer<AccessItem>((items) => putBatch(client, integrationSlug, items), batchTiming()),
  );
  return coalescer.submit(item);
}

async function putBatch(client: ApiClient, integrationSlug: string, items: AccessItem[]): Promise<(Error | undefined)[]> {
  const put = (workspaces: AccessItem[]) =>
    client.request({ method: "PUT", path: `/integrations/${encodeURIComponent(integrationSlug)}/workspaces`, body: { workspaces } });
  try {
    await put(items);
    return items.map(() => undefined);
  } catch (error) {
    const rejectedAsInvalid = error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 404 && error.status !== 429;
    if (!rejectedAsInvalid || items.length === 1) return items.map(() => attributed(error, items.length === 1 ? items[0] : undefined));
    // The API rejects a whole batch for one bad entry: write each alone so each pair gets its own answer.
    return Promise.all(items.map((item) => put([item]).then(() => undefined, (e: unknown) => attributed(e, item))));
  }
}

function attributed(error: unknown, item: AccessItem | undefined): Error {
  if (isGone(error)) return error as Error;
  const message = error instanceof Error ? error.message : String(error);
  return new Error(item ? `access for workspace '${item.id}': ${message}` : message);
}

/** The integration's rows, or undefined when the integration is gone. Concurrent callers share one GET. */
async function listRows(client: ApiClient, ctx: LifecycleContext, integrationSlug: string): Promise<AccessRowJson[] | undefined> {
  return sharedInFlight(ctx.processState, `access-rows:${integrationSlug}`, async () => {
    const list = await client.requestOrGone<{ workspaces?: AccessRowJson[] }>({
      method: "GET",
      path: `/integrations/${encodeURIComponent(integrationSlug)}/workspaces`,
    });
    return list ? (list.workspaces ?? []) : undefined;
  });
}

/** UUID and slug of a workspace, cached for the process (slugs never change). */
async function resolveWorkspace(client: ApiClient, ctx: LifecycleContext, idOrSlug: string): Promise<{ id: string; slug: string } | undefined> {
  const cacheKey = `workspace:${idOrSlug}`;
  const cached = ctx.processState.get(cacheKey) as { id: string; slug: string } | undefined;
  if (cached) return cached;
  return sharedInFlight(ctx.processState, cacheKey, async () => {
    const workspace = await client.requestOrGone<{ id: string; slug: string }>(
      { method: "GET", path: `/admin/workspaces/${encodeURIComponent(idOrSlug)}` },
      { forbiddenMeansGone: true },
    );
    if (!workspace) return undefined;
    const found = { id: workspace.id, slug: workspace.slug };
    ctx.processState.set(`workspace:${found.id}`, found);
    ctx.processState.set(`workspace:${found.slug}`, found);
    return found;
  });
}

/** The grant as read back after a write (see readBackAfterWrite); a new row may take a moment to show. */
function readConsistent(client: ApiClient, ctx: LifecycleContext, written: IntegrationAccessOutputs): Promise<IntegrationAccessOutputs> {
  return readBackAfterWrite(
    async () => {
      const rows = await listRows(client, ctx, written.integrationSlug);
      if (!rows) throw new Error(`integration '${written.integrationSlug}' does not exist (or was deleted).`);
      const row = rows.find((r) => r.id === written.workspaceSlug || r.id === written.resolvedWorkspaceId);
      return row && toOutputs(row, written);
    },
    { enabled: written.enabled ?? true, usageLimits: written.usageLimits, rateLimits: written.rateLimits },
    () => new Error(`access of workspace '${written.workspaceId}' to integration '${written.integrationSlug}' does not show after the write`),
    true,
  );
}

function toOutputs(row: AccessRowJson, carried: IntegrationAccessOutputs): IntegrationAccessOutputs {
  const usage = (row.usage_limits ?? []).map(usageLimitFromApi);
  const rate = (row.rate_limits ?? []).map(rateLimitFromApi);
  return {
    integrationSlug: carried.integrationSlug,
    workspaceId: carried.workspaceId,
    enabled: row.enabled,
    usageLimits: usage.length > 0 ? usage : undefined,
    rateLimits: rate.length > 0 ? rate : undefined,
    createDefaultProvider: carried.createDefaultProvider,
    defaultProviderSlug: carried.defaultProviderSlug,
    resetUsage: carried.resetUsage,
    resolvedWorkspaceId: carried.resolvedWorkspaceId,
    workspaceSlug: carried.workspaceSlug,
  };
}

function inputsOf(outputs: IntegrationAccessOutputs): IntegrationAccessInputs {
  const { resolvedWorkspaceId: _id, workspaceSlug: _slug, ...inputs } = outputs;
  return inputs;
}
