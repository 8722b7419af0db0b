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
import { ApiError, isGone, isRefused, messageOf, ProviderError } from "../errors";
import { LifecycleContext } from "../framework";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { GroupCommit, processSingleton, sharedInFlight } from "../coalesce";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { rateLimitsInput, usageLimitsInput } from "./limits";
import { getWorkspace, listWorkspaces, requireWorkspace, resolveWorkspace } from "./api/workspaces";
import { AccessItem, ApiAccessRow, getIntegration, listIntegrations, listWorkspaceAccess, putWorkspaceAccess } from "./api/integrations";
import { listPerParent } from "../enumeration";
import { providerMadeByGrant, providerMadeByLostGrant, providersBefore, removeProviderMadeByGrant } from "./default-provider";
import { aiProvider, heldByAiProvider } from "./ai-provider";

const SLUG = /^[a-zA-Z0-9_-]+$/;

function integrationAccessInputs() {
  return {
    integrationSlug: input(z.string().regex(SLUG, "must be an integration slug (letters, digits, - and _)"), {
      doc: "The integration, by slug. Changing it replaces the grant.",
      outputDoc: "The integration's slug.",
      replaces: true,
    }),
    workspaceId: workspaceIdInput({
      doc:
        "The workspace, by UUID or slug. Changing it replaces the grant; switching between the slug and the UUID of the same workspace is not a change. " +
        "Pass a Workspace's `id` (known during previews of the workspace's own updates).",
      sent: false,
    }),
    enabled: input(z.boolean().default(true), {
      doc: "Whether the workspace may use the integration. Default true; false keeps the grant declared but disabled.",
      outputDoc: "Whether access is enabled, as read back.",
      api: "enabled",
    }),
    usageLimits: {
      ...usageLimitsInput("At most one budget for this workspace's use of the integration. Removing it clears it.", { maxItems: 1 }),
      outputDoc: "The budget as read back.",
    },
    rateLimits: {
      ...rateLimitsInput("At most one rate limit (units rpd, rph, rpm). Removing it clears it.", { maxItems: 1 }),
      outputDoc: "The rate limit as read back.",
    },
    createDefaultProvider: input(z.boolean().optional(), {
      doc:
        "Whether granting access also creates a default provider in the workspace (Portkey's default: true). " +
        "Only used when access is first granted; changing it later does nothing. " +
        "Deleting the grant deletes that provider too, while it is still as Portkey made it and no config uses it (see `createdProviderId`).",
      api: "create_default_provider",
      notCompared: true,
    }),
    defaultProviderSlug: input(z.string().regex(SLUG, "must be a slug (letters, digits, - and _)").max(255).optional(), {
      doc: "Slug of the default provider created on the first grant (must not exist in the workspace). Only used on the first grant.",
      api: "default_provider_slug",
      notCompared: true,
    }),
    resetUsage: input(z.union([z.string(), z.number()]).optional(), {
      doc: "A trigger: changing its value resets this workspace's accumulated usage of the integration once.",
      api: "reset_usage",
      trigger: true,
    }),
  };
}

function integrationAccessOutputs() {
  return {
    resolvedWorkspaceId: output(z.string(), { stable: true, doc: "The workspace's UUID." }),
    workspaceSlug: output(z.string(), { stable: true, doc: "The workspace's slug (how Portkey lists access)." }),
    createdProviderId: output(z.string().optional(), {
      stable: true,
      doc:
        "The UUID of the default provider Portkey created when this grant was made: the one provider of the integration that appeared in the workspace " +
        "during the grant's write. Unset when none appeared, or several. Deleting the grant deletes it while it keeps this UUID, slug and name, " +
        "carries no note, limits or expiry, and no config of the workspace names it; otherwise it is left, with a warning.",
    }),
    createdProviderSlug: output(z.string().optional(), { stable: true, doc: "The slug of that default provider (see `createdProviderId`)." }),
    createdProviderName: output(z.string().optional(), { stable: true, doc: "The name Portkey gave that default provider (see `createdProviderId`)." }),
  };
}

type Shape = ShapeOf<typeof integrationAccessInputs, typeof integrationAccessOutputs>;

/**
 * Most pairs one PUT carries. PULUMI_AI_GATEWAY_ACCESS_BATCH_MS=0 (kept from
 * the timer this replaced) writes every pair on its own, for comparisons.
 */
function maxBatch(): number {
  return process.env.PULUMI_AI_GATEWAY_ACCESS_BATCH_MS === "0" ? 1 : 100;
}

export const integrationAccess = declareResource({
  kind: "portkey:IntegrationWorkspaceAccess",
  enumerate: {
    prefix: "access",
    identity: ["integrationSlug", "workspaceId"],
    references: { integrationSlug: { kind: "portkey:Integration", output: "id" }, workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx) {
      const client = portkeyClient(ctx);
      // Rows name a workspace by slug or UUID; the resource id takes the UUID.
      const workspaces = await listWorkspaces(client);
      const uuidOf = (idOrSlug: string) => workspaces.find((w) => w.id === idOrSlug || w.slug === idOrSlug)?.id ?? idOrSlug;
      // Workspace integrations have no access rows.
      const integrations = (await listIntegrations(client)).filter((i) => i.type !== "workspace").map((i) => ({ id: i.slug }));
      return listPerParent(integrations, async (integration) =>
        ((await listWorkspaceAccess(client, integration.id)) ?? []).map((row) => ({
          id: `${integration.id}/${uuidOf(row.id)}`,
          skip: row.enabled ? undefined : "the row is disabled: the integration is not granted to that workspace",
        })),
      );
    },
  },
  doc:
    "Access of one workspace to one Portkey integration (a row of `/integrations/{slug}/workspaces`). " +
    "The id is `<integrationSlug>/<workspaceId>`. Deleting the resource disables access for this workspace only; " +
    "other workspaces' access is never touched. Grants for the same integration made in one `pulumi up` are written together in one bulk request. " +
    "The default provider Portkey creates with a grant is deleted with the grant when provably unused (see `createdProviderId`), so destroying a stack " +
    "that granted access leaves its workspace deletable.",
  label: (values) => (values.integrationSlug && values.workspaceId ? `${values.integrationSlug} → ${values.workspaceId}` : undefined),
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: integrationAccessInputs,
  outputs: integrationAccessOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = await requireWorkspace(client, ctx, inputs.workspaceId);
    // The grant may upsert a row made by hand: a declared empty list clears its limits (createBody leaves empty values out).
    const emptied = {
      ...(inputs.usageLimits?.length === 0 ? { usage_limits: [] } : {}),
      ...(inputs.rateLimits?.length === 0 ? { rate_limits: [] } : {}),
    };
    // Portkey makes a default provider on an enabled grant unless told not to: what is there before tells it apart afterwards.
    const mayMakeProvider = (inputs.enabled ?? true) && inputs.createDefaultProvider !== false;
    const before = mayMakeProvider ? await providersBefore(client, ctx, workspace.id) : undefined;
    // Every entry of the bulk PUT names its workspace and its state.
    await writeAccess(client, ctx, inputs.integrationSlug, { ...ctx.createBody(inputs), ...emptied, id: inputs.workspaceId, enabled: inputs.enabled ?? true });
    const id = `${inputs.integrationSlug}/${inputs.workspaceId}`;
    const made = before && (await providerMadeByGrant(client, ctx, workspace.id, inputs, before));
    const carried: Shape["outputs"] = {
      ...inputs,
      resolvedWorkspaceId: workspace.id,
      workspaceSlug: workspace.slug,
      ...(made ? { createdProviderId: made.id, createdProviderSlug: made.slug, createdProviderName: made.name } : {}),
    };
    ctx.created(id, carried);
    return { id, outputs: writtenOutputs(ctx, inputs, carried) };
  },

  // The record of the default provider was only in the lost create answer: found again only under the lost-grant proof.
  async recordedAtCreate(declared, found, ctx, run) {
    const workspaceId = found.resolvedWorkspaceId ?? found.workspaceId;
    const grant = { integrationSlug: found.integrationSlug, defaultProviderSlug: declared.defaultProviderSlug, createDefaultProvider: declared.createDefaultProvider, enabled: declared.enabled };
    const stacks = run.resources.filter((r) => r.kind === aiProvider.declaration.kind).map((r) => ({ pending: r.pending, ...heldByAiProvider(r) }));
    const made = await providerMadeByLostGrant(portkeyClient(ctx), ctx, { id: workspaceId, slug: found.workspaceSlug }, grant, run, stacks);
    return made && { createdProviderId: made.id, createdProviderSlug: made.slug, createdProviderName: made.name };
  },

  async read(id, stored, ctx) {
    const client = portkeyClient(ctx);
    const outputs = stored.integrationSlug ? stored : await identityFromId(client, ctx, id);
    if (!outputs) return undefined;
    const rows = await listRows(client, ctx, outputs.integrationSlug);
    if (!rows) return undefined;
    const row = rows.find((r) => r.id === outputs.workspaceSlug || r.id === outputs.resolvedWorkspaceId);
    // A disabled row is "gone" unless disabled access is what the program declared.
    if (!row || (!row.enabled && outputs.enabled !== false)) return undefined;
    return ctx.outputsFrom(row, outputs);
  },

  async update(_id, olds, news, ctx) {
    const client = portkeyClient(ctx);
    // Every entry of the bulk PUT names its workspace and its state.
    await writeAccess(client, ctx, news.integrationSlug, { ...ctx.updateBody(olds, news), id: news.workspaceId, enabled: news.enabled ?? true });
    // What was written is the new inputs; identity comes from before, and so do the first-grant settings, which record
    // what the grant was made with (a value declared later does nothing, so it is not what state holds).
    return writtenOutputs(ctx, news, {
      ...news,
      ...ctx.keptByUpdate(olds),
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
    if (outputs.createdProviderId && outputs.createdProviderSlug) {
      const made = { id: outputs.createdProviderId, slug: outputs.createdProviderSlug, name: outputs.createdProviderName };
      await removeProviderMadeByGrant(client, ctx, workspaceId, outputs.integrationSlug, made);
    }
  },
});

/** The provider the engine runs (kept under its earlier name). */
export const integrationAccessProvider = integrationAccess.provider;
export const integrationAccessInputSchema = integrationAccess.inputSchema;

/**
 * What a grant read by its id alone (`pulumi import`) is: the id is
 * `<integrationSlug>/<workspace UUID or slug>`. Undefined when the workspace is gone.
 */
async function identityFromId(client: ApiClient, ctx: Shape["context"], id: string): Promise<Shape["outputs"] | undefined> {
  const separator = id.indexOf("/");
  if (separator <= 0) throw new Error(`'${id}' is not an access id: use <integrationSlug>/<workspaceId>.`);
  const [integrationSlug, workspaceId] = [id.slice(0, separator), id.slice(separator + 1)];
  const workspace = await resolveWorkspace(client, ctx, workspaceId);
  if (!workspace) return undefined;
  return { integrationSlug, workspaceId, enabled: true, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
}

/** The integration itself is confirmed gone (not just a 404 on a write). */
class IntegrationGone extends ProviderError {
  override readonly name = "IntegrationGone";
}

/** Queues one pair's write on the integration's group commit. */
function writeAccess(client: ApiClient, ctx: LifecycleContext, integrationSlug: string, item: AccessItem): Promise<void> {
  const writer = processSingleton(ctx.processState, `access-writer:${integrationSlug}`, () =>
    new GroupCommit<AccessItem>((items) => putBatch(client, integrationSlug, items), maxBatch(), (i) => i.id),
  );
  return writer.submit(item);
}

async function putBatch(client: ApiClient, integrationSlug: string, items: AccessItem[]): Promise<(Error | undefined)[]> {
  try {
    await putWorkspaceAccess(client, integrationSlug, items);
    return items.map(() => undefined);
  } catch (error) {
    if (isGone(error) && !(await getIntegration(client, integrationSlug))) {
      const gone = new IntegrationGone(`integration '${integrationSlug}' does not exist (or was deleted): ${(error as Error).message}`);
      return items.map(() => gone);
    }
    if (!isRefused(error) || items.length === 1) return items.map((item) => attributed(error, item));
    // The API rejects a whole batch for one bad entry (or answers 404 for one
    // unknown workspace): write each pair alone, in order, so each gets its own answer.
    const results: (Error | undefined)[] = [];
    for (const item of items) {
      results.push(await putWorkspaceAccess(client, integrationSlug, [item]).then(() => undefined, (e: unknown) => attributed(e, item)));
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
function listRows(client: ApiClient, ctx: LifecycleContext, integrationSlug: string): Promise<ApiAccessRow[] | undefined> {
  return sharedInFlight(ctx.processState, `access-rows:${integrationSlug}`, () => listWorkspaceAccess(client, integrationSlug));
}

/**
 * Outputs after a successful PUT, without reading the list back: the row is
 * what was declared (a row made by hand was upserted to it, removed fields
 * cleared), read through the same field mapping as a refresh. A read-back
 * would only wait out Portkey's lag in showing new rows and limits; the next
 * refresh reads the server's values.
 */
function writtenOutputs(ctx: Shape["context"], declared: Shape["inputs"], carried: Partial<Shape["outputs"]>): Shape["outputs"] {
  return ctx.outputsFrom({ ...ctx.createBody(declared), enabled: declared.enabled ?? true }, carried);
}
