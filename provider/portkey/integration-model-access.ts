/**
 * Portkey integration model access: `/integrations/{slug}/models`, which
 * models one integration exposes. One resource per integration (the id is the
 * integration's slug): `allowAllModels` (every model of the provider, or only
 * the enabled ones) and the models it declares, custom and fine-tuned models
 * included. The API has no per-model URL: reads list every model, writes are
 * a bulk PUT that changes only the models it names, and custom models are
 * deleted with DELETE ?slugs=.
 *
 * Only declared models are managed: others (enabled by hand, or added by
 * another tool) are never written, and reads show only the declared ones.
 *
 * Neutral state, restored on delete (and for a model removed from the list):
 * `allow_all_models: true` (the API's default), each declared built-in model
 * disabled (`enabled: false`, how a built-in stands when nobody has listed it;
 * built-in models cannot be deleted), and each declared custom model deleted.
 * Nothing undeclared is touched.
 */
import { z } from "zod";
import { isGone, ProviderError } from "../errors";
import { configKeysOf } from "../config";
import { deepEqual, normalize, plainJson } from "../framework";
import { ApiClient } from "../http";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS } from "./common";
import {
  ApiIntegrationModel,
  ApiIntegrationModels,
  ApiModelPricing,
  deleteCustomModels,
  flag,
  listIntegrationModels,
  ModelItem,
  putIntegrationModels,
} from "./api/integration-models";
import { getIntegration } from "./api/integrations";

const SLUG = /^[a-zA-Z0-9_-]+$/;

function modelSchema() {
  return z
    .object({
      slug: z.string().trim().min(1, "must not be empty").describe("The model's slug, e.g. `gpt-4o`, or a custom model's own (e.g. `ft:gpt-4o-mini:acme:x1`)."),
      enabled: z.boolean().default(true).describe("Whether the model may be used (default true). Matters when `allowAllModels` is false."),
      isCustom: z.boolean().optional().describe("True for a custom (or fine-tuned) model this resource adds to the integration; removing the model deletes it."),
      isFinetune: z.boolean().optional().describe("For a custom model: whether it is a fine-tune."),
      baseModelSlug: z.string().min(1, "must not be empty").optional().describe("For a custom model: the model it is based on."),
      customHost: z.url("must be a URL").optional().describe("For a custom model: the URL serving it. Portkey does not return it: a change is sent, drift is not seen."),
      requestTokenPrice: z
        .number()
        .min(0, "must be >= 0")
        .optional()
        .describe("Static price per input token, in USD cents, for cost tracking. The declared prices go out together as the model's pricing; removing both leaves Portkey's pricing as it is (no documented way to clear it)."),
      responseTokenPrice: z
        .number()
        .min(0, "must be >= 0")
        .optional()
        .describe("Static price per output token, in USD cents, for cost tracking. The declared prices go out together as the model's pricing; removing both leaves Portkey's pricing as it is (no documented way to clear it)."),
    })
    .strict()
    .describe("One model the integration exposes (a built-in model of its provider, or a custom one).");
}

export type IntegrationModel = z.output<ReturnType<typeof modelSchema>>;

/** The SDK's named type for a model entry (scripts/generate.ts writes it to sdk/portkey/types.ts). */
export function integrationModelSdkTypes() {
  return { IntegrationModelArgs: modelSchema() };
}

function modelAccessInputs() {
  return {
    integrationSlug: input(z.string().regex(SLUG, "must be an integration slug (letters, digits, - and _)"), {
      doc: "The integration, by slug. One IntegrationModelAccess per integration. Changing it replaces the resource.",
      outputDoc: "The integration's slug (the same as `id`).",
      replaces: true,
    }),
    allowAllModels: input(z.boolean().default(true), {
      doc:
        "True (Portkey's default) exposes every model of the integration's provider; false exposes only the enabled models " +
        "(those declared in `models` with `enabled: true`, and any enabled outside Pulumi).",
      outputDoc: "Whether every model is exposed, as read back.",
      api: "allow_all_models",
      fromApi: (value, _answer, carried) => (typeof value === "boolean" ? value : carried.allowAllModels),
    }),
    models: input(z.array(modelSchema()).optional(), {
      doc:
        "The models this resource manages: built-in ones enabled or disabled, custom ones added (with `isCustom: true`). Models not " +
        "listed are left as they are. Removing a model from the list disables a built-in one and deletes a custom one.",
      outputDoc: "The declared models as read back (an imported resource lists the enabled and custom models).",
      api: "models",
      sdkType: "IntegrationModelArgs[]",
      fromApi: (value, _answer, carried) => modelsFromApi(value, carried.models as IntegrationModel[] | undefined),
    }),
  };
}

function modelAccessOutputs() {
  return {
    totalModels: output(z.number().optional(), { doc: "How many models the integration lists (built-in and custom).", api: "total" }),
  };
}

type Shape = ShapeOf<typeof modelAccessInputs, typeof modelAccessOutputs>;

export const integrationModelAccess = declareResource({
  kind: "portkey:IntegrationModelAccess",
  enumerate: {
    prefix: "models",
    identity: ["integrationSlug"],
    references: { integrationSlug: { kind: "portkey:Integration", output: "id" } },
    // One per integration: its id is the integration's slug.
    async list(_ctx, listed) {
      return listed("portkey:Integration").map((i) => ({ id: i.id, name: i.name }));
    },
  },
  doc:
    "Which models one Portkey integration exposes (`/integrations/{slug}/models`): all of its provider's models, or only the enabled " +
    "ones, plus custom and fine-tuned models. The resource id is the integration's slug; declare one per integration. Only the models " +
    "listed are managed. Deleting the resource restores Portkey's neutral state for what it declared: all models allowed again, the " +
    "declared built-in models disabled, the declared custom models deleted; other models are not touched.\n\n" +
    "```ts\n" +
    'new portkey.IntegrationModelAccess("openai-models", {\n' +
    "  integrationSlug: openai.slug,\n" +
    "  allowAllModels: false,\n" +
    "  models: [\n" +
    '    { slug: "gpt-4o" },\n' +
    '    { slug: "gpt-4o-mini", requestTokenPrice: 0.000015, responseTokenPrice: 0.00006 },\n' +
    '    { slug: "ft:gpt-4o-mini:acme:support", isCustom: true, isFinetune: true, baseModelSlug: "gpt-4o-mini" },\n' +
    "  ],\n" +
    "});\n" +
    "```",
  label: (values) => values.integrationSlug,
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: modelAccessInputs,
  outputs: modelAccessOutputs,

  refine(inputs, issue) {
    const seen = new Set<string>();
    (inputs.models ?? []).forEach((model, index) => {
      if (seen.has(model.slug)) issue(["models", index, "slug"], `model '${model.slug}' is listed twice`);
      seen.add(model.slug);
      if (model.isCustom !== true) {
        for (const field of ["isFinetune", "baseModelSlug", "customHost"] as const) {
          if (model[field] !== undefined) issue(["models", index, field], "only applies to a custom model (set `isCustom: true`)");
        }
      }
    });
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const items = (inputs.models ?? []).map((model) => modelToApi(model));
    await putIntegrationModels(client, inputs.integrationSlug, items, inputs.allowAllModels);
    const id = inputs.integrationSlug;
    ctx.created(id, inputs);
    return { id, outputs: await readBack(client, ctx, id, inputs) };
  },

  async read(id, stored, ctx) {
    const client = portkeyClient(ctx);
    const carried: Partial<Shape["outputs"]> = stored.integrationSlug ? stored : { integrationSlug: id };
    const answer = await listModels(client, id);
    return answer && ctx.outputsFrom(answer, carried);
  },

  async update(id, olds, news, ctx) {
    const client = portkeyClient(ctx);
    const before = olds.models ?? [];
    const after = news.models ?? [];
    const items: ModelItem[] = [];
    for (const model of after) {
      const old = before.find((m) => m.slug === model.slug);
      if (!old || !deepEqual(normalize(old), normalize(model))) items.push(modelToApi(model, old));
    }
    const removed = before.filter((m) => !after.some((n) => n.slug === m.slug)).map((m) => m.slug);
    const { disable, remove } = removed.length > 0 ? await classify(client, id, removed) : { disable: [], remove: [] };
    items.push(...disable.map((slug) => ({ slug, enabled: false })));
    const allowAll = ctx.changed("allowAllModels", olds, news) ? news.allowAllModels : undefined;
    if (items.length > 0 || allowAll !== undefined) await putIntegrationModels(client, id, items, allowAll);
    if (remove.length > 0) await deleteCustomModels(client, id, remove);
    return readBack(client, ctx, id, news);
  },

  async delete(id, outputs, ctx) {
    const client = portkeyClient(ctx);
    const declared = (outputs.models ?? []).map((m) => m.slug);
    try {
      const { disable, remove } = await classify(client, id, declared);
      await putIntegrationModels(
        client,
        id,
        disable.map((slug) => ({ slug, enabled: false })),
        true,
      );
      if (remove.length > 0) await deleteCustomModels(client, id, remove);
    } catch (error) {
      // A deleted integration exposes nothing.
      if (error instanceof IntegrationGone || isGone(error)) return;
      throw error;
    }
  },
});

class IntegrationGone extends ProviderError {
  override readonly name = "IntegrationGone";
}

/**
 * The list, with `allow_all_models` from the integration itself when the
 * list answer lacks it (the document's schema does not have it there).
 */
async function listModels(client: ApiClient, integrationSlug: string): Promise<ApiIntegrationModels | undefined> {
  const answer = await listIntegrationModels(client, integrationSlug);
  if (!answer || typeof answer.allow_all_models === "boolean") return answer;
  const integration = (await getIntegration(client, integrationSlug)) as { allow_all_models?: unknown } | undefined;
  return typeof integration?.allow_all_models === "boolean" ? { ...answer, allow_all_models: integration.allow_all_models } : answer;
}

/**
 * Of the given slugs still listed: built-in ones (to disable) and custom ones
 * (to delete), by what Portkey says, not by what was declared.
 */
async function classify(client: ApiClient, integrationSlug: string, slugs: string[]): Promise<{ disable: string[]; remove: string[] }> {
  const answer = await listIntegrationModels(client, integrationSlug);
  if (!answer) throw new IntegrationGone(`integration '${integrationSlug}' does not exist`);
  const listed = new Map((answer.models ?? []).map((m) => [m.slug, m]));
  const disable: string[] = [];
  const remove: string[] = [];
  for (const slug of slugs) {
    const model = listed.get(slug);
    if (!model) continue;
    if (flag(model.is_custom)) remove.push(slug);
    else disable.push(slug);
  }
  return { disable, remove };
}

/** The models as read back after a write; `carried` holds the inputs written. */
async function readBack(client: ApiClient, ctx: Shape["context"], integrationSlug: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const answer = await listModels(client, integrationSlug);
  if (!answer) throw new Error(`integration '${integrationSlug}' does not exist (or was deleted).`);
  return ctx.outputsFrom(answer, carried);
}

/**
 * One model's PUT entry: what is declared; against `old`, optional fields the
 * user removed are cleared where the API allows it (nullable fields).
 */
function modelToApi(model: IntegrationModel, old?: IntegrationModel): ModelItem {
  const cleared = (field: keyof IntegrationModel) => (old?.[field] !== undefined && model[field] === undefined ? null : undefined);
  return plainJson({
    slug: model.slug,
    enabled: model.enabled,
    is_custom: model.isCustom,
    is_finetune: model.isFinetune ?? cleared("isFinetune"),
    base_model_slug: model.baseModelSlug ?? cleared("baseModelSlug"),
    configurations: model.customHost === undefined ? undefined : { custom_host: model.customHost },
    pricing_config: pricingToApi(model),
  }) as ModelItem;
}

/** The model's static pricing, when a price is declared. */
function pricingToApi(model: IntegrationModel): ApiModelPricing | undefined {
  if (model.requestTokenPrice === undefined && model.responseTokenPrice === undefined) return undefined;
  return {
    type: "static",
    pay_as_you_go: {
      ...(model.requestTokenPrice === undefined ? {} : { request_token: { price: model.requestTokenPrice } }),
      ...(model.responseTokenPrice === undefined ? {} : { response_token: { price: model.responseTokenPrice } }),
    },
  };
}

/**
 * The declared models as Portkey lists them: each field only when declared
 * (custom hosts are never returned: they stay as declared); a declared model
 * Portkey no longer lists is missing (a change to repair). Without a
 * declaration (an import), the enabled and custom models.
 */
function modelsFromApi(value: unknown, declared: IntegrationModel[] | undefined): IntegrationModel[] | undefined {
  const listed = Array.isArray(value) ? (value as ApiIntegrationModel[]) : [];
  const read = (m: ApiIntegrationModel, d: Partial<IntegrationModel> | undefined): IntegrationModel =>
    normalize({
      slug: m.slug,
      enabled: m.enabled === true,
      isCustom: d === undefined || d.isCustom !== undefined ? flag(m.is_custom) || (d?.isCustom !== undefined ? false : undefined) : undefined,
      isFinetune: d === undefined || d.isFinetune !== undefined ? flag(m.is_finetune) : undefined,
      baseModelSlug: d === undefined || d.baseModelSlug !== undefined ? (m.base_model_slug ?? undefined) : undefined,
      customHost: d?.customHost,
      requestTokenPrice: d === undefined || d.requestTokenPrice !== undefined ? (m.pricing_config?.pay_as_you_go?.request_token?.price ?? undefined) : undefined,
      responseTokenPrice: d === undefined || d.responseTokenPrice !== undefined ? (m.pricing_config?.pay_as_you_go?.response_token?.price ?? undefined) : undefined,
    }) as IntegrationModel;
  // `enabled: false` is a value of its own: normalize keeps booleans.
  if (!declared) {
    const found = listed.filter((m) => m.enabled === true || flag(m.is_custom)).map((m) => read(m, undefined));
    return found.length > 0 ? found : undefined;
  }
  const found = declared.flatMap((d) => {
    const m = listed.find((l) => l.slug === d.slug);
    return m ? [read(m, d)] : [];
  });
  return found.length > 0 ? found : undefined;
}
