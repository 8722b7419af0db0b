/**
 * The Portkey IntegrationModelAccess resource through the real engine against
 * the emulator. Dynamic form: create (allow-list with built-in, priced and
 * custom models), clean preview, updates in place sending only what changed,
 * clearing (nullable fields, a model removed: a built-in disabled, a custom
 * one deleted), drift repaired, out-of-band delete, bad input at preview,
 * destroy restoring the neutral state without touching undeclared models.
 * Native form: create, clean preview, and `pulumi import` by integration slug.
 */
import * as path from "node:path";
import { portkey } from "../../sdk";
import type { IntegrationModelAccessArgs } from "../../sdk/portkey";
import { portkey as nativePortkey } from "../../sdk/native";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";
import type { IntegrationModelsRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const ACCESS = "pulumi-nodejs:dynamic/portkey:IntegrationModelAccess";
const NATIVE_ACCESS = "portkey:index:IntegrationModelAccess";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");
const INTEGRATION = "openai-models";
const FINETUNE = "ft:gpt-4o-mini:acme:support";

let emulator: RunningEmulator;
let desired: IntegrationModelAccessArgs | undefined;
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

async function makeIntegration(slug: string): Promise<void> {
  const made = await call(emulator, "POST", "/integrations", { name: `Models ${slug}`, slug, ai_provider_id: "openai", key: "sk-test-models-0000" });
  expect(made.status).toBe(200);
}

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
  await makeIntegration(INTEGRATION);
  // A model enabled by hand: never declared, so never touched.
  await call(emulator, "PUT", `/integrations/${INTEGRATION}/models`, { models: [{ slug: "o3-mini", enabled: true }] });
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "portkey-model-access",
  program: async () => {
    if (!desired) return {};
    const access = new portkey.IntegrationModelAccess("models", desired);
    return { id: access.id, total: access.totalModels };
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "portkey-model-access-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

function resourceSteps(steps: Parameters<typeof changedSteps>[0]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

function remote(slug = INTEGRATION): IntegrationModelsRecord | undefined {
  return emulator.state().integrations[slug]?.models;
}

function putBodies(slug = INTEGRATION) {
  return emulator
    .requestLog()
    .filter((r) => r.route === "PUT /integrations/{slug}/models" && r.path.includes(`/integrations/${encodeURIComponent(slug)}/`))
    .map((r) => r.body as { models: Record<string, unknown>[]; allow_all_models?: boolean });
}

describe("dynamic", () => {
  test("up writes the allow-list with built-in, priced and custom models; a second preview is clean", async () => {
    desired = {
      integrationSlug: INTEGRATION,
      allowAllModels: false,
      models: [
        { slug: "gpt-4o" },
        { slug: "gpt-4o-mini", requestTokenPrice: 0.01, responseTokenPrice: 0.03 },
        { slug: FINETUNE, isCustom: true, isFinetune: true, baseModelSlug: "gpt-4o-mini", customHost: "https://ft.example.com/v1" },
      ],
    };
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${ACCESS}`]);
    const models = remote()!;
    expect(models.allow_all_models).toBe(false);
    expect(models.entries["gpt-4o"]).toMatchObject({ enabled: true, is_custom: false });
    expect(models.entries["gpt-4o-mini"].pricing_config).toEqual({ type: "static", pay_as_you_go: { request_token: { price: 0.01 }, response_token: { price: 0.03 } } });
    expect(models.entries[FINETUNE]).toMatchObject({ enabled: true, is_custom: true, is_finetune: true, base_model_slug: "gpt-4o-mini", configurations: { custom_host: "https://ft.example.com/v1" } });
    expect(models.entries["o3-mini"]).toMatchObject({ enabled: true });
    expect(result.outputs.id.value).toBe(INTEGRATION);
    // The create sent only what was declared.
    expect(putBodies().at(-1)).toEqual({
      allow_all_models: false,
      models: [
        { slug: "gpt-4o", enabled: true },
        { slug: "gpt-4o-mini", enabled: true, pricing_config: { type: "static", pay_as_you_go: { request_token: { price: 0.01 }, response_token: { price: 0.03 } } } },
        { slug: FINETUNE, enabled: true, is_custom: true, is_finetune: true, base_model_slug: "gpt-4o-mini", configurations: { custom_host: "https://ft.example.com/v1" } },
      ],
    });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("enabled, pricing, the custom model's fields and allowAllModels change in place, sending only the models that changed", async () => {
    const sent = putBodies().length;
    desired = {
      ...desired!,
      allowAllModels: true,
      models: [
        { slug: "gpt-4o", enabled: false },
        { slug: "gpt-4o-mini", requestTokenPrice: 0.02, responseTokenPrice: 0.03 },
        { slug: FINETUNE, isCustom: true, isFinetune: true, baseModelSlug: "gpt-4o", customHost: "https://ft2.example.com/v1" },
      ],
    };
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    const models = remote()!;
    expect(models.allow_all_models).toBe(true);
    expect(models.entries["gpt-4o"].enabled).toBe(false);
    expect(models.entries["gpt-4o-mini"].pricing_config).toMatchObject({ pay_as_you_go: { request_token: { price: 0.02 } } });
    expect(models.entries[FINETUNE]).toMatchObject({ base_model_slug: "gpt-4o", configurations: { custom_host: "https://ft2.example.com/v1" } });
    const bodies = putBodies().slice(sent);
    expect(bodies).toHaveLength(1);
    expect(bodies[0].allow_all_models).toBe(true);
    expect(bodies[0].models.map((m) => m.slug)).toEqual(["gpt-4o", "gpt-4o-mini", FINETUNE]);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);

    // Only the allow-all switch back: no model is re-sent.
    desired = { ...desired, allowAllModels: false };
    await engine().up();
    expect(putBodies().at(-1)).toEqual({ models: [], allow_all_models: false });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("clearing: the custom model's nullable fields are cleared; a removed built-in is disabled and a removed custom model deleted", async () => {
    desired = {
      ...desired!,
      models: [
        { slug: "gpt-4o", enabled: false },
        { slug: "gpt-4o-mini", requestTokenPrice: 0.02, responseTokenPrice: 0.03 },
        { slug: FINETUNE, isCustom: true, customHost: "https://ft2.example.com/v1" },
      ],
    };
    await engine().up();
    expect(putBodies().at(-1)!.models).toEqual([{ slug: FINETUNE, enabled: true, is_custom: true, is_finetune: null, base_model_slug: null, configurations: { custom_host: "https://ft2.example.com/v1" } }]);
    expect(remote()!.entries[FINETUNE]).toMatchObject({ is_finetune: null, base_model_slug: null });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);

    desired = { ...desired, models: [{ slug: "gpt-4o", enabled: false }] };
    await engine().up();
    const models = remote()!;
    expect(models.entries["gpt-4o-mini"].enabled).toBe(false);
    expect(models.entries[FINETUNE]).toBeUndefined();
    expect(emulator.requestLog().filter((r) => r.route === "DELETE /integrations/{slug}/models").at(-1)!.query).toEqual({ slugs: FINETUNE });
    expect(models.entries["o3-mini"]).toMatchObject({ enabled: true });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("an out-of-band change shows after refresh and up repairs it; a deleted custom model is added again", async () => {
    desired = { ...desired!, models: [{ slug: "gpt-4o", enabled: false }, { slug: "custom-x", isCustom: true }] };
    await engine().up();
    await call(emulator, "PUT", `/integrations/${INTEGRATION}/models`, { allow_all_models: true, models: [{ slug: "gpt-4o", enabled: true }] });
    await call(emulator, "DELETE", `/integrations/${INTEGRATION}/models?slugs=custom-x`);
    await engine().refresh();
    const stored = (await engine().exportState()).resource(ACCESS, "models")!;
    expect(stored.outputs).toMatchObject({ allowAllModels: true, models: [{ slug: "gpt-4o", enabled: true }] });
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    const models = remote()!;
    expect(models.allow_all_models).toBe(false);
    expect(models.entries["gpt-4o"].enabled).toBe(false);
    expect(models.entries["custom-x"]).toMatchObject({ enabled: true, is_custom: true });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("when the integration is deleted out of band, refresh drops the resource and up recreates it on a new integration", async () => {
    await call(emulator, "DELETE", `/integrations/${INTEGRATION}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    expect((await engine().exportState()).resources(ACCESS)).toEqual([]);
    await makeIntegration(INTEGRATION);
    await call(emulator, "PUT", `/integrations/${INTEGRATION}/models`, { models: [{ slug: "o3-mini", enabled: true }] });
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["create"]);
    expect(remote()!.entries["custom-x"]).toMatchObject({ is_custom: true });
  });

  test("invalid input fails at preview with a message naming the property", async () => {
    const valid = desired;
    const cases: [IntegrationModelAccessArgs, RegExp][] = [
      [{ ...valid!, integrationSlug: "not a slug" }, /integrationSlug.*integration slug/],
      [{ ...valid!, models: [{ slug: "gpt-4o" }, { slug: "gpt-4o", enabled: false }] }, /models\[1\]\.slug.*listed twice/],
      [{ ...valid!, models: [{ slug: "gpt-4o", customHost: "https://x.example.com" }] }, /models\[0\]\.customHost.*custom model/],
      [{ ...valid!, models: [{ slug: "custom-y", isCustom: true, customHost: "not a url" }] }, /models\[0\]\.customHost/],
      [{ ...valid!, models: [{ slug: "gpt-4o", requestTokenPrice: -1 }] }, /models\[0\]\.requestTokenPrice.*>= 0/],
      [{ ...valid!, models: [{ slug: "" }] }, /models\[0\]\.slug.*must not be empty/],
    ];
    try {
      for (const [args, message] of cases) {
        desired = args;
        await expect(engine().preview()).rejects.toThrow(message);
      }
    } finally {
      desired = valid;
    }
  });

  test("destroy restores the neutral state for what was declared and leaves the rest", async () => {
    const destroyed = await engine().destroy();
    expect(resourceSteps(destroyed.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`delete ${ACCESS}`]);
    const models = remote()!;
    expect(models.allow_all_models).toBe(true);
    expect(models.entries["gpt-4o"].enabled).toBe(false);
    expect(models.entries["custom-x"]).toBeUndefined();
    // Enabled by hand, never declared: untouched.
    expect(models.entries["o3-mini"]).toMatchObject({ enabled: true });
  });
});

describe("native", () => {
  test("create, clean preview, update in place, destroy", async () => {
    await makeIntegration("native-models");
    let enabled = true;
    nativeProgram = async () => {
      new nativePortkey.IntegrationModelAccess("m", { integrationSlug: "native-models", allowAllModels: false, models: [{ slug: "gpt-4.1", enabled }] });
      return {};
    };
    const created = await nativeEngine().up();
    expect(resourceSteps(created.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${NATIVE_ACCESS}`]);
    expect(remote("native-models")).toMatchObject({ allow_all_models: false, entries: { "gpt-4.1": { enabled: true } } });
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    enabled = false;
    expect(resourceSteps((await nativeEngine().preview()).steps).map((s) => `${s.op} ${s.type}`)).toEqual([`update ${NATIVE_ACCESS}`]);
    await nativeEngine().up();
    expect(remote("native-models")!.entries["gpt-4.1"].enabled).toBe(false);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    await nativeEngine().destroy();
    expect(remote("native-models")!.allow_all_models).toBe(true);
  });

  test("pulumi import by integration slug reads the enabled and custom models; the program declaring them previews clean", async () => {
    await makeIntegration("imported-models");
    await call(emulator, "PUT", `/integrations/imported-models/models`, {
      allow_all_models: false,
      models: [
        { slug: "gpt-4o", enabled: true },
        { slug: "mine", enabled: true, is_custom: true },
      ],
    });
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({ resources: [{ type: NATIVE_ACCESS, name: "byHand", id: "imported-models" }], generateCode: false });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    const declared = (protect: boolean) => async () => {
      new nativePortkey.IntegrationModelAccess(
        "byHand",
        { integrationSlug: "imported-models", allowAllModels: false, models: [{ slug: "gpt-4o" }, { slug: "mine", isCustom: true }] },
        { protect },
      );
      return {};
    };
    nativeProgram = declared(true);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    nativeProgram = declared(false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(remote("imported-models")).toMatchObject({ allow_all_models: true, entries: { "gpt-4o": { enabled: false } } });
    expect(remote("imported-models")!.entries.mine).toBeUndefined();
  });
});

test("every response the emulator gave conformed to the official document", () => {
  expect(emulator.specViolations()).toEqual([]);
});
