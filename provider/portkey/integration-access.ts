/**
 * Portkey integration workspace access: one resource per (integration,
 * workspace) pair. The API has no per-pair URL and no DELETE: access is a row
 * of `GET/PUT /integrations/{slug}/workspaces`, and the PUT is a bulk update.
 *
 * Writes never use `override_existing_workspace_access`, so rows of other
 * workspaces (managed elsewhere or by hand) are never touched. Writes for the
 * same integration in one provider process go out by group commit: one PUT in
 * flight, the next carrying every pair queued meanwhile. If the API rejects a
 * batch, its pairs are written one at a time, in order, so every pair gets its
 * own result and error; a 404 means "gone" only once the integration itself
 * is confirmed gone. Concurrent reads of a list are shared.
 */
import { z } from "zod";
import { ApiError, isGone, isRefused, messageOf } from "../errors";
import { defineResource, deepEqual, LifecycleContext, normalize } from "../framework";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { GroupCommit, processSingleton, sharedInFlight } from "../coalesce";
import { portkeyClient, PORTKEY_SETTINGS, readBackAfterWrite, workspaceIdComparable } from "./common";
import { ApiRateLimit, ApiUsageLimit, listOrNull, RateLimit, rateLimitSchema, rateLimitsFromApi, rateLimitToApi, UsageLimit, usageLimitSchema, usageLimitsComparable, usageLimitsFromApi, usageLimitToApi } from "./limits";
import { getWorkspace, requireWorkspace } from "./api/workspaces";

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
  usage_limits?: ApiUsageLimit[] | null;
  rate_limits?: ApiRateLimit[] | null;
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
 * Most pairs one PUT carries. PULUMI_AI_GATEWAY_ACCESS_BATCH_MS=0 (kept from
 * the timer this replaced) writes every pair on its own, for comparisons.
 */
function maxBatch(): number {
  return process.env.PULUMI_AI_GATEWAY_ACCESS_BATCH_MS === "0" ? 1 : 100;
}

export const integrationAccessProvider = defineResource<IntegrationAccessInputs, IntegrationAccessOutputs>({
  kind: "portkey:IntegrationWorkspaceAccess",
  label: (values) => (values.integrationSlug && values.workspaceId ? `${values.integrationSlug} → ${values.workspaceId}` : undefined),
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputSchema: integrationAccessInputSchema,
  replaceOnChange: ["integrationSlug", "workspaceId"],

  comparable: (name, value, _side, olds) => integrationAccessComparable(name, value, olds),

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = await requireWorkspace(client, ctx, inputs.workspaceId);
    await writeAccess(client, ctx, inputs.integrationSlug, {
      id: inputs.workspaceId,
      enabled: inputs.enabled ?? true,
      // Only what is declared: the grant may upsert a row someone made by hand.
      usage_limits: inputs.usageLimits?.map(usageLimitToApi),
      rate_limits: inputs.rateLimits?.map(rateLimitToApi),
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
    const changed = (field: keyof IntegrationAccessInputs & string) =>
      !deepEqual(integrationAccessComparable(field, olds[field], olds), integrationAccessComparable(field, news[field], olds));
    await writeAccess(client, ctx, news.integrationSlug, {
      id: news.workspaceId,
      enabled: news.enabled ?? true,
      ...(changed("usageLimits") ? { usage_limits: listOrNull(news.usageLimits, usageLimitToApi) } : {}),
      ...(changed("rateLimits") ? { rate_limits: listOrNull(news.rateLimits, rateLimitToApi) } : {}),
      ...(changed("resetUsage") && news.resetUsage !== undefined ? { reset_usage: true } : {}),
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
    // The stored UUID is enough to revoke: no read first, so no 403 can be mistaken for "gone".
    const workspaceId = outputs.resolvedWorkspaceId ?? outputs.workspaceId;
    try {
      await writeAccess(client, ctx, outputs.integrationSlug, { id: workspaceId, enabled: false });
    } catch (error) {
      if (error instanceof IntegrationGone) return; // a deleted integration grants nothing
      // A deleted workspace holds no access; anything else (a 403 included) fails loudly.
      if (isGone(error) && !(await getWorkspace(client, workspaceId))) return;
      throw error;
    }
  },
});

/** The integration itself is confirmed gone (not just a 404 on a write). */
class IntegrationGone extends Error {
  override readonly name = "IntegrationGone";
}

/** Diff form of one input; the same on both sides. */
function integrationAccessComparable(name: string, value: unknown, olds: Record<string, unknown>): unknown {
  if (name === "workspaceId") return workspaceIdComparable(value, olds);
  // Only meaningful when access is first granted: a later change has nothing to do remotely.
  if (name === "createDefaultProvider" || name === "defaultProviderSlug") return undefined;
  if (name === "usageLimits") return usageLimitsComparable(value);
  return normalize(value);
}

/** Queues one pair's write on the integration's group commit. */
function writeAccess(client: ApiClient, ctx: LifecycleContext, integrationSlug: string, item: AccessItem): Promise<void> {
  const writer = processSingleton(ctx.processState, `access-writer:${integrationSlug}`, () =>
    new GroupCommit<AccessItem>((items) => putBatch(client, integrationSlug, items), maxBatch(), (i) => i.id),
  );
  return writer.submit(item);
}

async function putBatch(client: ApiClient, integrationSlug: string, items: AccessItem[]): Promise<(Error | undefined)[]> {
  const path = `/integrations/${encodeURIComponent(integrationSlug)}/workspaces`;
  const put = (workspaces: AccessItem[]) => client.request({ method: "PUT", path, body: { workspaces } });
  try {
    await put(items);
    return items.map(() => undefined);
  } catch (error) {
    if (isGone(error) && !(await client.requestOrGone({ method: "GET", path: `/integrations/${encodeURIComponent(integrationSlug)}` }))) {
      const gone = new IntegrationGone(`integration '${integrationSlug}' does not exist (or was deleted): ${(error as Error).message}`);
      return items.map(() => gone);
    }
    if (!isRefused(error) || items.length === 1) return items.map((item) => attributed(error, item));
    // The API rejects a whole batch for one bad entry (or answers 404 for one
    // unknown workspace): write each pair alone, in order, so each gets its own answer.
    const results: (Error | undefined)[] = [];
    for (const item of items) {
      results.push(await put([item]).then(() => undefined, (e: unknown) => attributed(e, item)));
    }
    return results;
  }
}

/** The pair's own error; a 404 stays recognisable as one (the caller confirms what is gone). */
function attributed(error: unknown, item: AccessItem): Error {
  if (error instanceof ApiError) {
    const message = `access for workspace '${item.id}': ${error.apiMessage}`;
    return new ApiError(error.service, error.method, error.path, error.status, error.code, message, error.requestId, error.notFound);
  }
  return new Error(`access for workspace '${item.id}': ${messageOf(error)}`);
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
  const usage = usageLimitsFromApi(row.usage_limits);
  const rate = rateLimitsFromApi(row.rate_limits);
  return {
    integrationSlug: carried.integrationSlug,
    workspaceId: carried.workspaceId,
    enabled: row.enabled,
    usageLimits: usage,
    rateLimits: rate,
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
