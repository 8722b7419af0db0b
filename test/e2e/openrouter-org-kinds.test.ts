/**
 * OpenRouter OrganizationSettings, Preset, PrivateProvider, PrivateEndpoint
 * and ScimGroupMapping through the real engine against the emulator. The
 * dynamic form runs each kind's life in one stack: create, a clean second
 * preview, every updatable field changed in place (each write carrying only
 * what changed), optional fields cleared, drift made through the plain API
 * shown by refresh and repaired by `up`, an out-of-band delete, bad input
 * refused at preview naming the property, no credential in state, destroy.
 * The native form (the provider plugins on PATH) shows what differs there:
 * `pulumi import` by id, then a clean preview of the program declaring it.
 */
import * as path from "node:path";
import { openrouter } from "../../sdk";
import type { OrganizationSettingsArgs, PresetArgs } from "../../sdk/openrouter";
import { openrouter as nativeOpenrouter } from "../../sdk/native";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ORGANIZATION_ID } from "../../emulator/openrouter/common";
import { callOpenRouter } from "../support/emulator";
import { changedSteps, StepReport, useEngineStack } from "./harness";

jest.setTimeout(10 * 60_000);

const MANAGEMENT_KEY = "sk-or-mgmt-e2e-org-kinds-0123456789";
const SETTINGS = "pulumi-nodejs:dynamic/openrouter:OrganizationSettings";
const PRESET = "pulumi-nodejs:dynamic/openrouter:Preset";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");

let emulator: RunningEmulator;
let ws: { id: string; slug: string };
let settings: OrganizationSettingsArgs | undefined;
let presets: Record<string, PresetArgs> = {};
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

const api = (method: string, route: string, body?: unknown) => callOpenRouter(emulator, method, route, body, MANAGEMENT_KEY);

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: ["unused-portkey-key"], managementKeys: [MANAGEMENT_KEY], checkResponses: true });
  ws = (await api("POST", "/workspaces", { name: "Org kinds", slug: "org-kinds" })).body.data;
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "openrouter:managementKey": { value: MANAGEMENT_KEY, secret: true },
  "openrouter:baseUrl": { value: emulator.openrouterBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "openrouter-org-kinds",
  program: async () => {
    const outputs: Record<string, unknown> = {};
    if (settings) outputs.organizationId = new openrouter.OrganizationSettings("org", settings).organizationId;
    for (const [name, args] of Object.entries(presets)) outputs[`${name}Version`] = new openrouter.Preset(name, args).version;
    return outputs;
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "openrouter-org-kinds-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

/** Steps of resources the program declares (not the providers or the stack). */
function resourceSteps(steps: StepReport[]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}
function opsByName(steps: StepReport[]): Record<string, string> {
  return Object.fromEntries(resourceSteps(steps).map((s) => [s.urn.split("::").pop()!, s.op]));
}
async function expectClean(): Promise<void> {
  expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
}
/** The bodies of the requests to one route since the log was cleared. */
function bodiesOf(route: string): unknown[] {
  return emulator
    .requestLog()
    .filter((r) => r.route === route)
    .map((r) => r.body);
}

describe("OrganizationSettings", () => {
  const PATCH = "PATCH openrouter /organization/settings";
  const flag = () => emulator.openrouterState().organization_settings?.is_filtered_model_catalog_enabled ?? false;

  test("create adopts the settings, writing only a declared value that differs; update writes the change; a second preview is clean", async () => {
    // Already as declared: adopted without a write.
    await api("PATCH", "/organization/settings", { is_filtered_model_catalog_enabled: true });
    emulator.clearRequestLog();
    settings = { isFilteredModelCatalogEnabled: true };
    const created = await engine().up();
    expect(opsByName(created.steps)).toEqual({ org: "create" });
    expect(bodiesOf(PATCH)).toEqual([]);
    expect((await engine().exportState()).resource(SETTINGS, "org")!.id).toBe(ORGANIZATION_ID);
    expect(created.outputs.organizationId.value).toBe(ORGANIZATION_ID);
    await expectClean();

    settings = { isFilteredModelCatalogEnabled: false };
    expect(opsByName((await engine().preview()).steps)).toEqual({ org: "update" });
    await engine().up();
    expect(bodiesOf(PATCH)).toEqual([{ is_filtered_model_catalog_enabled: false }]);
    expect(flag()).toBe(false);
    await expectClean();
  });

  test("a change made in the dashboard shows on refresh and up repairs it", async () => {
    await api("PATCH", "/organization/settings", { is_filtered_model_catalog_enabled: true });
    await engine().refresh();
    expect((await engine().exportState()).resource(SETTINGS, "org")!.outputs!.isFilteredModelCatalogEnabled).toBe(true);
    expect(opsByName((await engine().preview()).steps)).toEqual({ org: "update" });
    await engine().up();
    expect(flag()).toBe(false);
    await expectClean();
  });

  test("bad input is refused at preview, naming the property", async () => {
    const valid = settings;
    try {
      settings = { isFilteredModelCatalogEnabled: "yes" as unknown as boolean };
      await expect(engine().preview()).rejects.toThrow(/isFilteredModelCatalogEnabled/);
      settings = {} as OrganizationSettingsArgs;
      await expect(engine().preview()).rejects.toThrow(/isFilteredModelCatalogEnabled/);
    } finally {
      settings = valid;
    }
  });

  test("the management key never reaches the state", async () => {
    expect((await engine().exportState()).text).not.toContain(MANAGEMENT_KEY);
  });

  test("destroy leaves the settings as they are, neither reset nor restored", async () => {
    emulator.clearRequestLog();
    settings = undefined;
    const destroyed = await engine().up();
    expect(opsByName(destroyed.steps)).toEqual({ org: "delete" });
    expect(bodiesOf(PATCH)).toEqual([]);
    // Found true at create, declared false: it stays false.
    expect(flag()).toBe(false);
  });
});

describe("Preset", () => {
  const WRITE = "POST openrouter /presets/{slug}/chat/completions";
  const stored = (slug: string) => Object.values(emulator.openrouterState().presets ?? {}).find((p) => p.slug === slug && p.workspace_id === ws.id);
  const versions = (slug: string) =>
    Object.values(emulator.openrouterState().preset_versions ?? {})
      .filter((v) => v.preset_id === stored(slug)?.id)
      .sort((a, b) => a.version - b.version)
      .map((v) => ({ version: v.version, config: v.config, system_prompt: v.system_prompt }));

  test("create writes the first version from a chat body; a second preview is clean", async () => {
    emulator.clearRequestLog();
    presets = { support: { slug: "support", workspaceId: ws.id, config: { model: "openai/gpt-4o-mini", temperature: 0.2 }, systemPrompt: "Be brief." } };
    const created = await engine().up();
    expect(opsByName(created.steps)).toEqual({ support: "create" });
    expect(bodiesOf(WRITE)).toEqual([{ model: "openai/gpt-4o-mini", temperature: 0.2, messages: [{ role: "system", content: "Be brief." }] }]);
    expect(versions("support")).toEqual([{ version: 1, config: { model: "openai/gpt-4o-mini", temperature: 0.2 }, system_prompt: "Be brief." }]);
    expect(created.outputs.supportVersion.value).toBe(1);
    expect((await engine().exportState()).resource(PRESET, "support")!.id).toBe(`${ws.id}/support`);
    await expectClean();
  });

  test("config and system prompt change in place, one version per change; removing the system prompt clears it", async () => {
    emulator.clearRequestLog();
    presets = { support: { ...presets.support, config: { model: "openai/gpt-4o-mini", temperature: 0.5 } } };
    expect(opsByName((await engine().preview()).steps)).toEqual({ support: "update" });
    await engine().up();
    presets = { support: { ...presets.support, systemPrompt: "Be kind." } };
    await engine().up();
    presets = { support: { slug: "support", workspaceId: ws.id, config: { model: "openai/gpt-4o-mini", temperature: 0.5 } } };
    const cleared = await engine().up();
    expect(bodiesOf(WRITE)).toEqual([
      { model: "openai/gpt-4o-mini", temperature: 0.5, messages: [{ role: "system", content: "Be brief." }] },
      { model: "openai/gpt-4o-mini", temperature: 0.5, messages: [{ role: "system", content: "Be kind." }] },
      { model: "openai/gpt-4o-mini", temperature: 0.5, messages: [] },
    ]);
    expect(cleared.outputs.supportVersion.value).toBe(4);
    expect(versions("support").at(-1)).toEqual({ version: 4, config: { model: "openai/gpt-4o-mini", temperature: 0.5 }, system_prompt: null });
    emulator.clearRequestLog();
    await expectClean();
    await engine().up();
    expect(bodiesOf(WRITE)).toEqual([]);
  });

  test("a version published in the dashboard is drift: refresh shows it and up writes one version back", async () => {
    await api("POST", `/presets/support/chat/completions?workspace_id=${ws.id}`, { model: "openai/gpt-4o", messages: [{ role: "system", content: "Be loud." }] });
    await engine().refresh();
    const outputs = (await engine().exportState()).resource(PRESET, "support")!.outputs!;
    expect(outputs).toMatchObject({ config: { model: "openai/gpt-4o" }, systemPrompt: "Be loud.", version: 5 });
    expect(opsByName((await engine().preview()).steps)).toEqual({ support: "update" });
    emulator.clearRequestLog();
    await engine().up();
    expect(bodiesOf(WRITE)).toEqual([{ model: "openai/gpt-4o-mini", temperature: 0.5, messages: [] }]);
    expect(versions("support").length).toBe(6);
    await expectClean();
  });

  test("archived out of band: refresh drops it and up restores it without a new version", async () => {
    await api("DELETE", `/presets/support?workspace_id=${ws.id}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    emulator.clearRequestLog();
    const recreated = await engine().up();
    expect(opsByName(recreated.steps)).toEqual({ support: "create" });
    expect(stored("support")!.status).toBe("active");
    expect(bodiesOf(WRITE).length).toBe(1); // the refused write (409: archived); the restored version already holds the declared one
    expect(versions("support").length).toBe(6);
    await expectClean();
  });

  test("a preset of the same slug made by hand is not adopted; bad input is refused at preview, naming the property", async () => {
    await api("POST", `/presets/by-hand/chat/completions?workspace_id=${ws.id}`, { model: "openai/gpt-4o", messages: [] });
    const valid = presets;
    try {
      presets = { ...valid, hand: { slug: "by-hand", workspaceId: ws.id, config: { model: "openai/gpt-4o" } } };
      await expect(engine().up()).rejects.toThrow(new RegExp(`slug: a preset 'by-hand' already exists .*'${ws.id}/by-hand'`, "s"));
      presets = { support: { ...valid.support, config: { model: "x", messages: [] } } };
      await expect(engine().preview()).rejects.toThrow(/config\.messages: is not a preset setting/);
      presets = { support: { ...valid.support, slug: "Bad Slug" } };
      await expect(engine().preview()).rejects.toThrow(/slug: must be 1–64 lowercase/);
      presets = { support: { ...valid.support, workspaceId: "org-kinds" } };
      await expect(engine().preview()).rejects.toThrow(/workspaceId: must be the workspace's UUID/);
    } finally {
      presets = valid;
    }
    expect(versions("by-hand").length).toBe(1);
  });

  test("destroy archives it (the slug stays taken)", async () => {
    presets = {};
    const destroyed = await engine().up();
    expect(opsByName(destroyed.steps)).toEqual({ support: "delete" });
    expect(stored("support")!.status).toBe("archived");
  });
});

describe("native", () => {
  test("pulumi import takes the organisation settings by the organisation id; the program declaring them previews clean", async () => {
    await api("PATCH", "/organization/settings", { is_filtered_model_catalog_enabled: true });
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({
      resources: [{ type: "openrouter:index:OrganizationSettings", name: "org", id: ORGANIZATION_ID }],
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    const declared = (protect: boolean) => async () => {
      new nativeOpenrouter.OrganizationSettings("org", { isFilteredModelCatalogEnabled: true }, { protect });
      return {};
    };
    nativeProgram = declared(true);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    nativeProgram = declared(false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(emulator.openrouterState().organization_settings?.is_filtered_model_catalog_enabled).toBe(true);
  });

  test("pulumi import takes a preset made by hand by <workspaceId>/<slug>; the program declaring it previews clean", async () => {
    await api("POST", `/presets/native/chat/completions?workspace_id=${ws.id}`, { model: "openai/gpt-4o", temperature: 1, messages: [{ role: "system", content: "Hi." }] });
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({
      resources: [{ type: "openrouter:index:Preset", name: "native", id: `${ws.id}/native` }],
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    const declared = (protect: boolean) => async () => {
      new nativeOpenrouter.Preset("native", { slug: "native", workspaceId: ws.id, config: { model: "openai/gpt-4o", temperature: 1 }, systemPrompt: "Hi." }, { protect });
      return {};
    };
    nativeProgram = declared(true);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    nativeProgram = declared(false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(Object.values(emulator.openrouterState().presets ?? {}).find((p) => p.slug === "native")!.status).toBe("archived");
  });
});

