/**
 * Portkey provider (formerly virtual key): `/providers`, a workspace's handle
 * on an integration (`@<slug>/<model>` in requests) with its own budget, rate
 * limit and expiry. The API addresses a provider by slug within a workspace,
 * so the resource id is `<workspace UUID>/<slug>`. `slug`, `integrationSlug`
 * and `workspaceId` cannot be updated and replace it (reference more §12);
 * the rest is updated in place. A provider holds no credential of its own
 * (only the deprecated virtual keys did), so it has no secret input.
 *
 * Default providers: granting a workspace access to an integration (and
 * creating a workspace's own integration) makes Portkey create a "default
 * provider" there unless `create_default_provider` is false. A create whose
 * declared `slug` is already taken in the workspace adopts that provider only
 * when it is provably the grant's default (see {@link isGrantsDefault});
 * otherwise it fails and names the provider. Create recovery after a lost
 * response follows the shared rules (never adopts what it cannot prove it made).
 */
import { z } from "zod";
import { isGone } from "../errors";
import { configKeysOf } from "../config";
import { normalize } from "../framework";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { ApiRateLimit, rateLimitSchema, rateLimitsFromApi, rateLimitToApi, usageLimitInput } from "./limits";
import { isBare } from "./default-provider";
import { goneWithItsWorkspace, requireWorkspace, resolveWorkspace } from "./api/workspaces";
import { ApiProvider, createProvider, deleteProvider, getProvider, listProvidersWithServerTime, updateProvider } from "./api/providers";
import { listPerParent } from "../enumeration";

const SLUG = /^[a-zA-Z0-9_-]+$/;

function aiProviderInputs() {
  return {
    workspaceId: workspaceIdInput({
      doc:
        "The workspace the provider belongs to, by UUID or slug (sent as the UUID, which the API requires). Changing it replaces the provider; " +
        "switching between the slug and the UUID of the same workspace is not a change. Pass a Workspace's `id`.",
    }),
    integrationSlug: input(z.string().regex(SLUG, "must be an integration slug (letters, digits, - and _)"), {
      doc:
        "The integration the provider uses, by slug. The workspace must be able to use it (its own integration, or access granted with " +
        "IntegrationWorkspaceAccess), else Portkey refuses with 403. Changing it replaces the provider.",
      outputDoc: "The integration's slug.",
      api: "integration_id",
      replaces: true,
      // Kept as the user spelled it (the Terraform provider found the answer's form may differ).
      fromApi: (value, _answer, carried) => carried.integrationSlug ?? value ?? undefined,
    }),
    name: input(z.string().trim().min(1, "must not be empty"), {
      doc: "The provider's display name.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    slug: input(z.string().regex(SLUG, "must be a slug (letters, digits, - and _)").max(255).optional(), {
      doc:
        "The provider's slug, unique in its workspace: requests name it as `@<slug>/<model>`. Portkey generates one from the name when it is " +
        "not given; changing it replaces the provider. A replacement that keeps the slug (e.g. a new integration), or leaves it to Portkey, deletes the old " +
        "provider first: the slug is taken until then. Declaring the slug of the default provider an access grant created (the grant's " +
        "`defaultProviderSlug`) adopts that provider instead of failing on the taken slug.",
      outputDoc: "The provider's slug.",
      api: "slug",
      replaces: true,
      unique: true,
      serverOwnedUnlessDeclared: true,
    }),
    note: input(z.string().optional(), {
      doc: "A note about the provider.",
      outputDoc: "The note as read back.",
      api: "note",
      // The document's update body types it as a string (not nullable): removing it sends "".
      clearAs: "",
    }),
    usageLimits: {
      ...usageLimitInput("The provider's budget (one). Removing it clears it.", { wholeAmounts: true, alertNotAboveLimit: false }),
      outputDoc: "The budget as read back.",
    },
    rateLimits: input(z.array(rateLimitSchema()).max(1, "takes at most one rate limit").optional(), {
      doc: "At most one rate limit (units rpd, rph, rpm). Removing it clears it.",
      outputDoc: "The rate limit as read back.",
      api: "rate_limits",
      sdkType: "RateLimitArgs[]",
      // Requests take one object (the document); answers carry a list.
      toApi: (limits) => (limits && limits.length > 0 ? rateLimitToApi(limits[0]) : null),
      fromApi: (value) => rateLimitsFromApi(value === null || value === undefined ? undefined : Array.isArray(value) ? (value as ApiRateLimit[]) : [value as ApiRateLimit]),
    }),
    expiresAt: input(z.iso.datetime({ offset: true, message: "must be an RFC 3339 date-time, e.g. 2027-01-01T00:00:00Z" }).optional(), {
      doc: "When the provider stops working (RFC 3339). Removing it clears it.",
      outputDoc: "The expiry as read back (as declared when it is the same instant).",
      api: "expires_at",
      comparable: instant,
      // The API answers its own spelling of the instant: the declared one is kept while it is the same instant.
      fromApi: (value, _answer, carried) => (value === null || value === undefined || value === "" ? undefined : instant(carried.expiresAt) === instant(value) ? carried.expiresAt : value),
    }),
    resetUsage: input(z.union([z.string(), z.number()]).optional(), {
      doc: "A trigger: changing its value resets the provider's accumulated usage once.",
      api: "reset_usage",
      trigger: true,
    }),
  };
}

function aiProviderOutputs() {
  return {
    providerId: output(z.string(), { stable: true, doc: "The provider's UUID.", api: "id" }),
    status: output(z.string().optional(), { doc: "`active`, `exhausted` (budget spent) or `expired`.", api: "status" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID, whatever spelling `workspaceId` used." }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug." }),
    adoptedDefault: output(z.boolean().optional(), { doc: "True when the create adopted the default provider an access grant had made, instead of creating one." }),
    lastResetAt: output(z.string().optional(), { doc: "When usage was last reset (RFC 3339).", api: "last_reset_at" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When Portkey created the provider (RFC 3339).", api: "created_at" }),
  };
}

type Shape = ShapeOf<typeof aiProviderInputs, typeof aiProviderOutputs>;

/**
 * What a stack's record of an AiProvider (a state resource, or a pending
 * create) says of the provider it holds or is making: its workspace (UUID or
 * slug, as given or resolved), and its UUID and slug where known.
 */
export function heldByAiProvider(record: { id?: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }): {
  workspaces: unknown[];
  providerId?: unknown;
  slugs: unknown[];
} {
  const slugFromId = record.id?.includes("/") ? record.id.slice(record.id.indexOf("/") + 1) : undefined;
  return {
    workspaces: [record.inputs.workspaceId, record.outputs.workspaceId, record.outputs.resolvedWorkspaceId].filter((v) => v !== undefined),
    providerId: record.outputs.providerId,
    slugs: [record.inputs.slug, record.outputs.slug, slugFromId].filter((v) => v !== undefined),
  };
}

export const aiProvider = declareResource({
  kind: "portkey:AiProvider",
  enumerate: {
    prefix: "provider",
    identity: ["workspaceId", "slug"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" }, integrationSlug: { kind: "portkey:Integration", output: "id" } },
    async list(ctx, listed) {
      const client = portkeyClient(ctx);
      return listPerParent(listed("portkey:Workspace"), async (w) => (await listProvidersWithServerTime(client, w.id)).providers.map((p) => ({ id: `${w.id}/${p.slug}`, name: p.name ?? p.slug })));
    },
  },
  doc:
    "A Portkey provider (`/providers`, formerly virtual keys): a workspace's handle on an integration, with its own budget, rate limit " +
    "and expiry. The resource id is `<workspace UUID>/<slug>` (import takes the workspace's UUID or slug). The workspace needs access " +
    "to the integration first.\n\n" +
    "Access grants create a default provider in the workspace unless `createDefaultProvider` is false. Declaring a provider with the " +
    "same `slug` as that default (the grant's `defaultProviderSlug`) adopts it: the create takes it over when it belongs to the same " +
    "integration and workspace and still carries nothing a provider can be given (no note, budget, rate limit or expiry), as Portkey " +
    "creates it; then the declared fields are written to it. Any other provider holding the slug is never taken over: the create fails " +
    "and names it (import it, or choose another slug). Destroying an adopted provider deletes it.\n\n" +
    "```ts\n" +
    'const teamA = new portkey.AiProvider("team-a", {\n' +
    "  workspaceId: dev.id,\n" +
    "  integrationSlug: openai.slug,\n" +
    '  name: "Team A OpenAI",\n' +
    '  slug: "team-a-openai",\n' +
    '  usageLimits: { creditLimit: 100, periodicReset: "monthly" },\n' +
    '  rateLimits: [{ type: "requests", unit: "rpm", value: 600 }],\n' +
    "}, { dependsOn: [access] });\n" +
    "```",
  label: (values) => values.slug ?? values.name,
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: aiProviderInputs,
  outputs: aiProviderOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = await requireWorkspace(client, ctx, inputs.workspaceId);
    const identity = { resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    if (inputs.slug !== undefined) {
      const existing = await getProvider(client, workspace.id, inputs.slug);
      if (existing) return adoptDefault(client, ctx, inputs, existing, identity);
    }
    // The API wants the workspace's UUID, whatever the spelling.
    const body = { ...ctx.createBody(inputs), workspace_id: workspace.id };
    const slugs = new Map<string, string>();
    const created = await createWithRecovery(ctx, {
      what: `Portkey provider '${inputs.slug ?? inputs.name}'`,
      // A slug is unique in its workspace; without one only the name (and integration) tells look-alikes apart.
      naturalKey: `portkey:AiProvider:${workspace.id}:${inputs.slug !== undefined ? `slug:${inputs.slug}` : `name:${inputs.name}`}`,
      post: () => createProvider(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { providers, serverTime } = await listProvidersWithServerTime(client, workspace.id);
        const same = providers.filter((p) =>
          inputs.slug !== undefined ? p.slug === inputs.slug : p.name === inputs.name && p.integration_id === inputs.integrationSlug,
        );
        for (const p of same) slugs.set(p.id, p.slug);
        return { candidates: same.map((p) => ({ id: p.id, createdAt: p.created_at })), serverTime };
      },
      recover: { adopt: async (candidate) => ({ id: candidate.id, slug: slugs.get(candidate.id) ?? "" }) },
      cleanup: "delete it in the Portkey UI under the workspace's providers, or with DELETE /providers/{slug}?workspace_id=",
    });
    const id = `${workspace.id}/${created.slug}`;
    const known: Partial<Shape["outputs"]> = { ...inputs, ...identity, providerId: created.id, adoptedDefault: false };
    ctx.created(id, known);
    return { id, outputs: await readBack(client, ctx, workspace.id, created.slug, known) };
  },

  async read(id, stored, ctx) {
    const client = portkeyClient(ctx);
    const carried = stored.resolvedWorkspaceId ? stored : await identityFromId(client, ctx, id);
    if (!carried) return undefined;
    const slug = slugOf(id, carried);
    const json = await getOrGone(client, carried.resolvedWorkspaceId!, slug);
    return json && ctx.outputsFrom(json, carried);
  },

  async update(id, olds, news, ctx) {
    const client = portkeyClient(ctx);
    const slug = slugOf(id, olds);
    const body = ctx.updateBody(olds, news);
    if (Object.keys(body).length > 0) await updateProvider(client, olds.resolvedWorkspaceId!, slug, body);
    return readBack(client, ctx, olds.resolvedWorkspaceId!, slug, { ...news, ...ctx.keptByUpdate(olds) });
  },

  async delete(id, outputs, ctx) {
    const client = portkeyClient(ctx);
    const workspaceId = outputs.resolvedWorkspaceId!;
    try {
      await deleteProvider(client, workspaceId, slugOf(id, outputs));
    } catch (error) {
      if (isGone(error)) return;
      await goneWithItsWorkspace(client, error, workspaceId, `The provider '${slugOf(id, outputs)}' of workspace ${workspaceId}`, ["providers.delete"]);
    }
  },
});

/**
 * Whether an existing provider is provably the default one a grant of
 * `integrationSlug` made in the workspace. Portkey marks default providers
 * with no field of their own, so the proof is everything the grant fixes:
 * the same workspace, the same integration, the slug the grant was given
 * (declared here as `slug`), and nothing a provider can carry beyond that
 * (no note, budget, rate limit or expiry): a grant creates it bare, and
 * anything set on it since says someone made it theirs.
 */
export function isGrantsDefault(existing: ApiProvider, inputs: Pick<Shape["inputs"], "integrationSlug" | "slug">, workspaceUuid: string): boolean {
  return (
    existing.slug === inputs.slug &&
    existing.integration_id === inputs.integrationSlug &&
    (existing.workspace_id === undefined || existing.workspace_id === null || existing.workspace_id === workspaceUuid) &&
    isBare(existing)
  );
}

/** Takes over a grant's default provider holding the declared slug, then writes what was declared to it; anything else fails. */
async function adoptDefault(
  client: ApiClient,
  ctx: Shape["context"],
  inputs: Shape["inputs"],
  existing: ApiProvider,
  identity: Pick<Shape["outputs"], "resolvedWorkspaceId" | "workspaceSlug">,
): Promise<{ id: string; outputs: Shape["outputs"] }> {
  const workspaceId = identity.resolvedWorkspaceId!;
  if (!isGrantsDefault(existing, inputs, workspaceId)) {
    throw new Error(
      `Portkey provider '${inputs.slug}': workspace '${inputs.workspaceId}' already has a provider with this slug (${existing.id}, integration ` +
        `'${existing.integration_id ?? "?"}'), and it is not provably the default provider of a grant of integration '${inputs.integrationSlug}' ` +
        "(another integration, or it carries a note, limits or an expiry), so it is not taken over. Import it " +
        `(pulumi import portkey:index:AiProvider <name> ${workspaceId}/${inputs.slug}), delete it, or choose another slug.`,
    );
  }
  const id = `${workspaceId}/${existing.slug}`;
  // What it holds now, as outputs (the declared values standing in for what the answer does not show, so a trigger is not
  // fired by adopting): the update sends only the declared fields that differ.
  const current = ctx.outputsFrom(existing, { ...inputs, ...identity });
  const body = ctx.updateBody(current, inputs);
  const known: Partial<Shape["outputs"]> = { ...inputs, ...identity, providerId: existing.id, adoptedDefault: true };
  ctx.created(id, known);
  if (Object.keys(body).length > 0) await updateProvider(client, workspaceId, existing.slug, body);
  ctx.warn(`adopted the default provider '${existing.slug}' that access to integration '${inputs.integrationSlug}' created in workspace '${inputs.workspaceId}'.`);
  return { id, outputs: await readBack(client, ctx, workspaceId, existing.slug, known) };
}

/** The provider as read back after a write; `carried` holds the inputs written. */
async function readBack(client: ApiClient, ctx: Shape["context"], workspaceId: string, slug: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const json = await getProvider(client, workspaceId, slug);
  if (!json) throw new Error(`provider ${slug} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}

/** The provider, or undefined when it or its workspace is gone (a deleted workspace answers 403). */
async function getOrGone(client: ApiClient, workspaceId: string, slug: string): Promise<ApiProvider | undefined> {
  try {
    return await getProvider(client, workspaceId, slug);
  } catch (error) {
    return goneWithItsWorkspace(client, error, workspaceId, `The provider '${slug}' of workspace ${workspaceId}`, ["providers.read"]);
  }
}

/** The slug: stored, else the id's part after the workspace. */
function slugOf(id: string, outputs: Partial<Shape["outputs"]>): string {
  return outputs.slug ?? id.slice(id.indexOf("/") + 1);
}

/** What a provider read by its id alone (`pulumi import`) is: `<workspace UUID or slug>/<slug>`. Undefined when the workspace is gone. */
async function identityFromId(client: ApiClient, ctx: Shape["context"], id: string): Promise<Partial<Shape["outputs"]> | undefined> {
  const separator = id.indexOf("/");
  if (separator <= 0 || separator === id.length - 1) throw new Error(`'${id}' is not a provider id: use <workspaceId>/<providerSlug>.`);
  const workspaceId = id.slice(0, separator);
  const workspace = await resolveWorkspace(client, ctx, workspaceId);
  if (!workspace) return undefined;
  return { workspaceId, slug: id.slice(separator + 1), resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
}

/** An RFC 3339 instant in one spelling, so two spellings of the same instant compare equal. */
function instant(value: unknown): unknown {
  if (typeof value !== "string" || value === "") return normalize(value);
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}
