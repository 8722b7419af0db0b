/**
 * The Portkey IntegrationModelAccess resource through the real engine against
 * the emulator, in both forms (see resourceSuite in ./harness.ts). Both:
 * create (an allow-list with built-in, priced and custom models, sending only
 * what was declared), clean preview, a model disabled in place, destroy
 * restoring the neutral state without touching undeclared models. Dynamic:
 * updates in place sending only what changed, clearing (nullable fields, a
 * model removed: a built-in disabled, a custom one deleted), drift repaired,
 * the integration deleted out of band, bad input at preview. Native:
 * `pulumi import` by integration slug.
 */
import type { IntegrationModelAccessArgs } from "../../sdk/portkey";
import { call } from "../support/emulator";
import { resourceSuite, SuiteContext } from "./harness";
import type { RunningEmulator } from "../../emulator";
import type { IntegrationModelsRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const INTEGRATION = "openai-models";
const FINETUNE = "ft:gpt-4o-mini:acme:support";
const PRICING = { type: "static", pay_as_you_go: { request_token: { price: 0.01 }, response_token: { price: 0.03 } } };
type Ctx = SuiteContext<IntegrationModelAccessArgs, Record<string, never>>;
/** A declared model with plain values (the tests never declare outputs). */
interface Model {
  slug: string;
  enabled?: boolean;
  isCustom?: boolean;
}

/** After the in-place changes: gpt-4o disabled, a new price, the custom model on another base and host. */
const CHANGED: IntegrationModelAccessArgs = {
  integrationSlug: INTEGRATION,
  allowAllModels: false,
  models: [
    { slug: "gpt-4o", enabled: false },
    { slug: "gpt-4o-mini", requestTokenPrice: 0.02, responseTokenPrice: 0.03 },
    { slug: FINETUNE, isCustom: true, isFinetune: true, baseModelSlug: "gpt-4o", customHost: "https://ft2.example.com/v1" },
  ],
};
/** What the drift step starts from: a built-in disabled and a custom model, both for an out-of-band edit to undo. */
const BEFORE_DRIFT: IntegrationModelAccessArgs = { integrationSlug: INTEGRATION, allowAllModels: false, models: [{ slug: "gpt-4o", enabled: false }, { slug: "custom-x", isCustom: true }] };

async function makeIntegration(emulator: RunningEmulator, slug: string): Promise<void> {
  const made = await call(emulator, "POST", "/integrations", { name: `Models ${slug}`, slug, ai_provider_id: "openai", key: "sk-test-models-0000" });
  expect(made.status).toBe(200);
}

/** The integration with a model enabled by hand: never declared, so never touched. */
async function makeIntegrationWithHandEnabledModel(emulator: RunningEmulator): Promise<void> {
  await makeIntegration(emulator, INTEGRATION);
  await call(emulator, "PUT", `/integrations/${INTEGRATION}/models`, { models: [{ slug: "o3-mini", enabled: true }] });
}

function remote({ emulator }: Ctx, slug = INTEGRATION): IntegrationModelsRecord | undefined {
  return emulator.state().integrations[slug]?.models;
}

type ModelsBody = { models: Record<string, unknown>[]; allow_all_models?: boolean };
function putBodies(ctx: Ctx): ModelsBody[] {
  return ctx.requests("PUT /integrations/{slug}/models").map((r) => r.body as ModelsBody);
}

function declaredModels(ctx: Ctx): Model[] {
  return (ctx.desired!.models ?? []) as Model[];
}

resourceSuite<IntegrationModelAccessArgs>({
  vendor: "portkey",
  resource: "IntegrationModelAccess",
  name: "models",
  setup: async (emulator) => {
    await makeIntegrationWithHandEnabledModel(emulator);
    return {};
  },
  base: () => ({
    integrationSlug: INTEGRATION,
    allowAllModels: false,
    models: [
      { slug: "gpt-4o" },
      { slug: "gpt-4o-mini", requestTokenPrice: 0.01, responseTokenPrice: 0.03 },
      { slug: FINETUNE, isCustom: true, isFinetune: true, baseModelSlug: "gpt-4o-mini", customHost: "https://ft.example.com/v1" },
    ],
  }),
  declare: (sdk, name, args) => {
    const access = new sdk.portkey.IntegrationModelAccess(name, args);
    return { id: access.id, total: access.totalModels };
  },
  steps: { native: ["create", "destroy"] },

  // The allow-list with built-in, priced and custom models; the create sent only what was declared.
  created: (ctx, result) => {
    const models = remote(ctx)!;
    expect(models.allow_all_models).toBe(false);
    expect(models.entries["gpt-4o"]).toMatchObject({ enabled: true, is_custom: false });
    expect(models.entries["gpt-4o-mini"].pricing_config).toEqual(PRICING);
    expect(models.entries[FINETUNE]).toMatchObject({ enabled: true, is_custom: true, is_finetune: true, base_model_slug: "gpt-4o-mini", configurations: { custom_host: "https://ft.example.com/v1" } });
    expect(models.entries["o3-mini"]).toMatchObject({ enabled: true });
    expect(result.outputs.id.value).toBe(INTEGRATION);
    expect(putBodies(ctx).at(-1)).toEqual({
      allow_all_models: false,
      models: [
        { slug: "gpt-4o", enabled: true },
        { slug: "gpt-4o-mini", enabled: true, pricing_config: PRICING },
        { slug: FINETUNE, enabled: true, is_custom: true, is_finetune: true, base_model_slug: "gpt-4o-mini", configurations: { custom_host: "https://ft.example.com/v1" } },
      ],
    });
  },

  // Allow-all switched on and a built-in enabled by hand, the custom model deleted: a deleted custom model is added again.
  drift: {
    given: () => BEFORE_DRIFT,
    edit: async (ctx) => {
      await call(ctx.emulator, "PUT", `/integrations/${INTEGRATION}/models`, { allow_all_models: true, models: [{ slug: "gpt-4o", enabled: true }] });
      await call(ctx.emulator, "DELETE", `/integrations/${INTEGRATION}/models?slugs=custom-x`);
    },
    inState: { allowAllModels: true, models: [{ slug: "gpt-4o", enabled: true }] },
    repaired: (ctx) => {
      const models = remote(ctx)!;
      expect(models.allow_all_models).toBe(false);
      expect(models.entries["gpt-4o"].enabled).toBe(false);
      expect(models.entries["custom-x"]).toMatchObject({ enabled: true, is_custom: true });
    },
  },

  // The integration itself deleted: refresh drops the resource, and up recreates it on a new integration of the same slug.
  deleted: {
    delete: (ctx) => call(ctx.emulator, "DELETE", `/integrations/${INTEGRATION}`),
    // Made again after the refresh, before the up: the access needs an integration to exist.
    refreshed: (ctx) => makeIntegrationWithHandEnabledModel(ctx.emulator),
    recreated: (ctx) => {
      const models = remote(ctx)!;
      for (const model of declaredModels(ctx)) {
        expect(models.entries[model.slug]).toMatchObject(model.isCustom ? { enabled: true, is_custom: true } : { enabled: model.enabled ?? true });
      }
      expect(declaredModels(ctx).some((m) => m.isCustom)).toBe(true);
    },
  },

  badInput: (valid) => [
    [{ ...valid, integrationSlug: "not a slug" }, /integrationSlug.*integration slug/],
    [{ ...valid, models: [{ slug: "gpt-4o" }, { slug: "gpt-4o", enabled: false }] }, /models\[1\]\.slug.*listed twice/],
    [{ ...valid, models: [{ slug: "gpt-4o", customHost: "https://x.example.com" }] }, /models\[0\]\.customHost.*custom model/],
    [{ ...valid, models: [{ slug: "custom-y", isCustom: true, customHost: "not a url" }] }, /models\[0\]\.customHost/],
    [{ ...valid, models: [{ slug: "gpt-4o", requestTokenPrice: -1 }] }, /models\[0\]\.requestTokenPrice.*>= 0/],
    [{ ...valid, models: [{ slug: "" }] }, /models\[0\]\.slug.*must not be empty/],
  ],

  // The neutral state for what was declared: all models allowed, declared built-ins disabled, declared custom models deleted.
  destroyed: (ctx) => {
    const models = remote(ctx)!;
    expect(models.allow_all_models).toBe(true);
    for (const model of declaredModels(ctx)) {
      if (model.isCustom) expect(models.entries[model.slug]).toBeUndefined();
      else expect(models.entries[model.slug].enabled).toBe(false);
    }
    // Enabled by hand, never declared: untouched.
    expect(models.entries["o3-mini"]).toMatchObject({ enabled: true });
  },

  tests: [
    {
      title: "enabled, pricing, the custom model's fields and allowAllModels change in place, sending only the models that changed",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        ctx.declare({ ...CHANGED, allowAllModels: true });
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        await ctx.up();
        const models = remote(ctx)!;
        expect(models.allow_all_models).toBe(true);
        expect(models.entries["gpt-4o"].enabled).toBe(false);
        expect(models.entries["gpt-4o-mini"].pricing_config).toMatchObject({ pay_as_you_go: { request_token: { price: 0.02 } } });
        expect(models.entries[FINETUNE]).toMatchObject({ base_model_slug: "gpt-4o", configurations: { custom_host: "https://ft2.example.com/v1" } });
        const bodies = putBodies(ctx);
        expect(bodies).toHaveLength(1);
        expect(bodies[0].allow_all_models).toBe(true);
        expect(bodies[0].models.map((m) => m.slug)).toEqual(["gpt-4o", "gpt-4o-mini", FINETUNE]);
        await ctx.expectCleanPreview();

        // Only the allow-all switch back: no model is re-sent.
        ctx.declare(CHANGED);
        await ctx.up();
        expect(putBodies(ctx).at(-1)).toEqual({ models: [], allow_all_models: false });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "clearing: the custom model's nullable fields are cleared; a removed built-in is disabled and a removed custom model deleted",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(CHANGED);
        const [disabled, priced] = CHANGED.models as Model[];
        ctx.declare({ ...CHANGED, models: [disabled, priced, { slug: FINETUNE, isCustom: true, customHost: "https://ft2.example.com/v1" }] });
        await ctx.up();
        expect(putBodies(ctx).at(-1)!.models).toEqual([{ slug: FINETUNE, enabled: true, is_custom: true, is_finetune: null, base_model_slug: null, configurations: { custom_host: "https://ft2.example.com/v1" } }]);
        expect(remote(ctx)!.entries[FINETUNE]).toMatchObject({ is_finetune: null, base_model_slug: null });
        await ctx.expectCleanPreview();

        ctx.declare({ ...CHANGED, models: [disabled] });
        await ctx.up();
        const models = remote(ctx)!;
        expect(models.entries["gpt-4o-mini"].enabled).toBe(false);
        expect(models.entries[FINETUNE]).toBeUndefined();
        expect(ctx.requests("DELETE /integrations/{slug}/models").at(-1)!.query).toEqual({ slugs: FINETUNE });
        expect(models.entries["o3-mini"]).toMatchObject({ enabled: true });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a model disabled changes in place",
      forms: ["native"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const [first, ...rest] = ctx.base().models as Model[];
        ctx.declare({ ...ctx.base(), models: [{ ...first, enabled: false }, ...rest] });
        expect(ctx.ops(await ctx.preview(), true)).toEqual([`update ${ctx.type}`]);
        await ctx.up();
        expect(remote(ctx)!.entries[first.slug].enabled).toBe(false);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pulumi import by integration slug reads the enabled and custom models; the program declaring them previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        await ctx.given("nothing");
        await makeIntegration(ctx.emulator, "imported-models");
        await call(ctx.emulator, "PUT", `/integrations/imported-models/models`, {
          allow_all_models: false,
          models: [
            { slug: "gpt-4o", enabled: true },
            { slug: "mine", enabled: true, is_custom: true },
          ],
        });
        ctx.declare(undefined);
        await ctx.up();
        await ctx.importAndRelease([{ name: "byHand", id: "imported-models" }], (protect) =>
          new ctx.sdk.portkey.IntegrationModelAccess(
            "byHand",
            { integrationSlug: "imported-models", allowAllModels: false, models: [{ slug: "gpt-4o" }, { slug: "mine", isCustom: true }] },
            { protect },
          ),
        );
        expect(remote(ctx, "imported-models")).toMatchObject({ allow_all_models: true, entries: { "gpt-4o": { enabled: false } } });
        expect(remote(ctx, "imported-models")!.entries.mine).toBeUndefined();
      },
    },
  ],
});
