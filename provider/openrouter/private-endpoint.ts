/**
 * OpenRouter private endpoint (`/private-endpoints/{id}`): your own upstream
 * deployment of a public model, routable only for the organisation. Its
 * lifecycle is draft → validated → active (⇄ disabled); a create either
 * leaves a draft or, with `activateInWorkspaceId`, validates and activates it
 * in the same call. Only its pricing changes in place (PUT, whole, and each
 * PUT is a new pricing version, so it is sent only when a rate changed), and
 * an activated one's routing is switched off and on (`enabled`: the disable
 * and enable calls);
 * everything else replaces it, as the Terraform provider does (a PATCH exists
 * for drafts only, and an endpoint this resource manages is usually active).
 *
 * Every create carries a fresh Idempotency-Key: a create whose answer was
 * lost is sent again with the same key, and OpenRouter answers the endpoint
 * the first call made, so nothing is ever created twice. A failed one-shot
 * activation keeps a draft: its id comes back from a replay of the same key,
 * and it is deleted (drafts only) before the failure is reported.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { configKeysOf } from "../config";
import { isApiFailure, isUnclear, messageOf } from "../errors";
import { sleep } from "../framework";
import { ApiClient } from "../http";
import { declareResource, input, output } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient } from "./common";
import {
  activatePrivateEndpoint,
  createPrivateEndpoint,
  deletePrivateEndpoint,
  getPrivateEndpoint,
  listPrivateEndpoints,
  PricingJson,
  PrivateEndpointJson,
  putPrivateEndpointPricing,
  setPrivateEndpointRouting,
  validatePrivateEndpoint,
} from "./api/private-endpoints";
import { httpsUrl, normalizedBaseUrl } from "./private-provider";

/** Built on call: a zod schema at module scope cannot be serialized with the provider. */
function rate() {
  return z.string().regex(/^\d+(\.\d+)?$/, "must be a decimal string of USD per token, e.g. \"0.0000025\"");
}
/** Rates compare as numbers: "0.00000250" and "0.0000025" are one price. */
const rateComparable = (value: unknown) => (typeof value === "string" ? Number(value) : undefined);
/** Tries of a create whose answer was lost (same Idempotency-Key each time). */
const CREATE_TRIES = 4;

function privateEndpointInputs() {
  return {
    modelPermaslug: input(z.string().min(1, "must not be empty"), {
      doc: "The public model it serves, by permaslug (e.g. `openai/gpt-4o-2024-08-06`). Changing it replaces the endpoint.",
      outputDoc: "As read back.",
      api: "model_permaslug",
      replaces: true,
    }),
    providerSlug: input(z.string().min(1, "must not be empty"), {
      doc: "The provider it runs under: a public provider's slug (`openai`, `azure`, …) or a PrivateProvider's slug (pass its `id`, " +
        "which is known during previews of its updates). Changing it replaces the endpoint.",
      outputDoc: "As read back (unset once the provider is no longer listed).",
      api: "provider_slug",
      replaces: true,
    }),
    upstreamModelId: input(z.string().min(1, "must not be empty"), {
      doc: "The model or deployment id sent upstream. Changing it replaces the endpoint.",
      outputDoc: "As read back.",
      api: "upstream_model_id",
      replaces: true,
    }),
    baseUrl: input(httpsUrl().optional(), {
      doc:
        "The upstream's https base URL: required for URL-served public providers, refused for Azure, Amazon Bedrock and Google " +
        "Vertex (their URL comes from the BYOK key), inherited from a private provider when unset. Compared as OpenRouter " +
        "stores it. Changing it replaces the endpoint.",
      outputDoc: "The base URL in use, as OpenRouter stores it.",
      api: "base_url",
      replaces: true,
      comparable: normalizedBaseUrl,
      // Unset under a private provider: the provider's URL is read back, and that is no change.
      serverOwnedUnlessDeclared: true,
    }),
    declaredRegion: input(z.enum(["global", "europe", "us"]).optional(), {
      doc: "Where it runs, as you attest it: `global` (not regional), `europe` or `us`; unset: undeclared. Changing it replaces the endpoint.",
      outputDoc: "As read back.",
      api: "declared_region",
      replaces: true,
    }),
    declaredZdr: input(z.boolean().optional(), {
      doc: "You attest that the upstream retains no data; unset: undeclared. Changing it replaces the endpoint.",
      outputDoc: "As read back.",
      api: "declared_zdr",
      replaces: true,
    }),
    promptPrice: input(rate().optional(), {
      doc: "USD per prompt token, as a decimal string. With `completionPrice`; unset: OpenRouter's pricing is left alone.",
      outputDoc: "As read back.",
      api: "pricing.prompt",
      comparable: rateComparable,
      serverOwnedUnlessDeclared: true,
    }),
    completionPrice: input(rate().optional(), {
      doc: "USD per completion token, as a decimal string. With `promptPrice`.",
      outputDoc: "As read back.",
      api: "pricing.completion",
      comparable: rateComparable,
      serverOwnedUnlessDeclared: true,
    }),
    cacheReadPrice: input(rate().optional(), {
      doc: "USD per cached prompt token read. Unset: inherited from the public endpoint of the same model and provider (OpenRouter's choice, left alone).",
      outputDoc: "As read back.",
      api: "pricing.cache_read",
      comparable: rateComparable,
      serverOwnedUnlessDeclared: true,
    }),
    cacheWritePrice: input(rate().optional(), {
      doc: "USD per prompt token written to the cache. Unset: inherited, as `cacheReadPrice`.",
      outputDoc: "As read back.",
      api: "pricing.cache_write",
      comparable: rateComparable,
      serverOwnedUnlessDeclared: true,
    }),
    enabled: input(z.boolean().optional(), {
      doc:
        "Whether the activated endpoint routes: `false` disables it, `true` enables it again (OpenRouter's `disable` and " +
        "`enable` calls, never a body field). Unset: left as found. A draft has no routing to switch: the value applies once " +
        "it is activated.",
      outputDoc: "Whether it routes (`status` is `active`); unset while a draft.",
      api: "status",
      fromApi: (status) => (status === "active" ? true : status === "disabled" ? false : undefined),
      // Switched by its own calls: nothing goes into a create body.
      toApi: () => undefined,
      // A draft's routing is not a state to compare: declared, it applies at activation.
      comparable: (value, olds) => (olds.status === "draft" ? undefined : (value ?? undefined)),
      serverOwnedUnlessDeclared: true,
    }),
    activateInWorkspaceId: input(z.uuid("must be the workspace's UUID").optional(), {
      doc:
        "Validate and activate the endpoint with this workspace's BYOK key for its provider: at create in the same call (a " +
        "failed activation deletes the draft it left), or, set later on a draft, by validating and activating the draft. " +
        "Unset: the endpoint stays a draft. Never read back; once the endpoint is activated, a change does nothing. A failed " +
        "validation's error names the failed checks.",
      outputDoc: "As declared.",
      api: "activate.workspace_id",
      carried: true,
      // Only a draft can still be activated: on anything else the value no longer matters.
      comparable: (value, olds) => (olds.status === "draft" ? (value ?? undefined) : undefined),
    }),
  };
}

function privateEndpointOutputs() {
  return {
    endpointId: output(z.string(), { stable: true, doc: "The endpoint's UUID (the same as `id`).", api: "id" }),
    status: output(z.string().optional(), { doc: "`draft`, `active` or `disabled`.", api: "status" }),
    modelSlug: output(z.string().optional(), { stable: true, doc: "The model's slug (unset once delisted).", api: "model_slug" }),
    providerName: output(z.string().optional(), { doc: "The provider's display name.", api: "provider_name" }),
  };
}

export const openrouterPrivateEndpoint = declareResource({
  kind: "openrouter:PrivateEndpoint",
  enumerate: {
    prefix: "private-endpoint",
    identity: ["providerSlug", "modelPermaslug"],
    references: { providerSlug: { kind: "openrouter:PrivateProvider", output: "id" } },
    async list(ctx) {
      return (await listPrivateEndpoints(openrouterClient(ctx))).map((e) => ({ id: e.id, name: e.model_permaslug }));
    },
  },
  doc:
    "An OpenRouter private endpoint (`/private-endpoints`): your own upstream deployment of a public model, routable only for " +
    "the organisation. Created as a draft, or validated and activated at once with `activateInWorkspaceId` (the workspace " +
    "whose BYOK key for the provider is used). Only the pricing updates in place (sent whole, and only when a rate changed), " +
    "and `enabled` disables or enables an activated endpoint's routing; " +
    "every other input replaces the endpoint, which stops routing until the new one is active. The resource id is its UUID " +
    "(import by it).\n\n" +
    "```ts\n" +
    'new openrouter.PrivateEndpoint("gpt4o-acme", {\n' +
    '  modelPermaslug: "openai/gpt-4o-2024-08-06", providerSlug: acme.id, upstreamModelId: "gpt-4o-prod",\n' +
    '  declaredRegion: "europe", promptPrice: "0.0000025", completionPrice: "0.00001", activateInWorkspaceId: research.id,\n' +
    "});\n" +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: privateEndpointInputs,
  outputs: privateEndpointOutputs,
  // A pricing PUT replaces the pricing whole (and makes a new pricing version): every declared rate goes, when any changed.
  sentWhole: ["pricing"],
  label: (values) => values.modelPermaslug && values.providerSlug && `${values.modelPermaslug} on ${values.providerSlug}`,

  refine(inputs, issue) {
    if ((inputs.promptPrice === undefined) !== (inputs.completionPrice === undefined)) {
      issue([inputs.promptPrice === undefined ? "promptPrice" : "completionPrice"], "promptPrice and completionPrice are set together");
    }
    if (inputs.promptPrice === undefined && (inputs.cacheReadPrice !== undefined || inputs.cacheWritePrice !== undefined)) {
      issue([inputs.cacheReadPrice !== undefined ? "cacheReadPrice" : "cacheWritePrice"], "needs promptPrice and completionPrice");
    }
  },

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const body = ctx.createBody(inputs);
    const key = `pulumi-${randomUUID()}`;
    let made: PrivateEndpointJson;
    try {
      made = await createOnce(client, body, key);
    } catch (error) {
      if (inputs.activateInWorkspaceId !== undefined && !isUnclear(error)) await deleteKeptDraft(client, body, key, ctx.warn);
      throw error;
    }
    ctx.created(made.id, { ...inputs, endpointId: made.id, status: made.status });
    if (inputs.enabled === false && made.status === "active") await setPrivateEndpointRouting(client, made.id, "disabled");
    // The create answer has no pricing or upstream fields.
    const endpoint = (await getPrivateEndpoint(client, made.id)) ?? made;
    return { id: made.id, outputs: ctx.outputsFrom(endpoint, inputs) };
  },

  async read(id, outputs, ctx) {
    const endpoint = await getPrivateEndpoint(openrouterClient(ctx), id);
    return endpoint && ctx.outputsFrom(endpoint, outputs);
  },

  async update(id, olds, news, ctx) {
    const client = openrouterClient(ctx);
    const activating = news.activateInWorkspaceId !== undefined && ctx.changed("activateInWorkspaceId", olds, news);
    if (activating) await activateDraft(client, id, news.activateInWorkspaceId!);
    // A just-activated endpoint routes; otherwise the switch is sent only when `enabled` differs from what was read.
    if (activating ? news.enabled === false : news.enabled !== undefined && ctx.changed("enabled", olds, news)) {
      await setPrivateEndpointRouting(client, id, news.enabled ? "active" : "disabled");
    }
    // The pricing object, whole, when a declared rate changed (rates left undeclared are OpenRouter's: never a change).
    const pricing = ctx.updateBody(olds, news).pricing as PricingJson | undefined;
    const endpoint = pricing ? await putPrivateEndpointPricing(client, id, pricing) : await getPrivateEndpoint(client, id);
    if (!endpoint) throw new Error(`private endpoint ${id} does not exist (or was deleted); run \`pulumi refresh\`.`);
    return ctx.outputsFrom(endpoint, news);
  },

  async delete(id, _outputs, ctx) {
    await deletePrivateEndpoint(openrouterClient(ctx), id);
  },
});

/** Validates the draft with the workspace's BYOK key and activates it; a failed validation names its failed checks. */
async function activateDraft(client: ApiClient, id: string, workspaceId: string): Promise<void> {
  const validation = await validatePrivateEndpoint(client, id, workspaceId);
  if (!validation.passed) {
    const failed = validation.checks.filter((c) => !c.passed).map((c) => `${c.name}${c.reason ? ` (${c.reason})` : ""}`);
    throw new Error(`activateInWorkspaceId: the draft did not pass validation with workspace ${workspaceId}'s BYOK key; failed checks: ${failed.join(", ")}. It stays a draft.`);
  }
  await activatePrivateEndpoint(client, id);
}

/** The POST, sent again with the same key while its answer is lost: the key makes a repeat answer the first call's endpoint. */
async function createOnce(client: ApiClient, body: object, key: string): Promise<PrivateEndpointJson> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createPrivateEndpoint(client, body, key);
    } catch (error) {
      if (!isUnclear(error) || attempt >= CREATE_TRIES) throw error;
      await sleep(1000 * attempt);
    }
  }
}

/**
 * After a failed one-shot activation OpenRouter keeps the draft; replaying the
 * same key answers it (proof that it is this create's). It is deleted (drafts
 * only), so a failed create leaves nothing.
 */
async function deleteKeptDraft(client: ApiClient, body: Record<string, unknown>, key: string, warn: (message: string) => void): Promise<void> {
  // Without `activate` (which a replay does not compare): a key that made nothing makes a plain draft, which is then ours to delete too.
  const { activate: _activate, ...draftBody } = body;
  try {
    const draft = await createPrivateEndpoint(client, draftBody, key);
    if (draft.status === "draft") await deletePrivateEndpoint(client, draft.id, true);
  } catch (error) {
    // Nothing was kept (the failure came before the endpoint existed), or the clean-up failed: say so.
    if (isApiFailure(error, "validation", "not-found")) return;
    warn(`the failed activation may have left a draft private endpoint; look for drafts with GET /private-endpoints and delete them (${messageOf(error)}).`);
  }
}
