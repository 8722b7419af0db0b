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
import type { OrganizationSettingsArgs, PresetArgs, PrivateEndpointArgs, PrivateProviderArgs, ScimGroupMappingArgs } from "../../sdk/openrouter";
import { openrouter as nativeOpenrouter } from "../../sdk/native";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ORGANIZATION_ID } from "../../emulator/openrouter/common";
import { callOpenRouter } from "../support/emulator";
import { seedOrganizationMembers } from "../support/openrouter-members";
import { seedScimGroups } from "../support/openrouter-scim";
import { changedSteps, StepReport, useEngineStack } from "./harness";

jest.setTimeout(10 * 60_000);

const MANAGEMENT_KEY = "sk-or-mgmt-e2e-org-kinds-0123456789";
const SETTINGS = "pulumi-nodejs:dynamic/openrouter:OrganizationSettings";
const PRESET = "pulumi-nodejs:dynamic/openrouter:Preset";
const PROVIDER = "pulumi-nodejs:dynamic/openrouter:PrivateProvider";
const ENDPOINT = "pulumi-nodejs:dynamic/openrouter:PrivateEndpoint";
const MAPPING = "pulumi-nodejs:dynamic/openrouter:ScimGroupMapping";
const BYOK_SECRET = "sk-byok-acme-0123456789";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");

let emulator: RunningEmulator;
let ws: { id: string; slug: string };
let settings: OrganizationSettingsArgs | undefined;
let presets: Record<string, PresetArgs> = {};
let provider: PrivateProviderArgs | undefined;
/** Endpoints under the provider (its slug filled in by the program). */
let endpoints: Record<string, Omit<PrivateEndpointArgs, "providerSlug"> & { providerSlug?: string }> = {};
let mappings: Record<string, ScimGroupMappingArgs> = {};
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
    const acme = provider && new openrouter.PrivateProvider("acme", provider);
    if (acme) outputs.acmeSlug = acme.slug;
    for (const [name, args] of Object.entries(endpoints)) {
      outputs[`${name}Status`] = new openrouter.PrivateEndpoint(name, { ...args, providerSlug: args.providerSlug ?? acme!.id }).status;
    }
    for (const [name, args] of Object.entries(mappings)) new openrouter.ScimGroupMapping(name, args);
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

    // Found false, declared true: the create writes the declared value once, and the destroy leaves it as declared.
    settings = { isFilteredModelCatalogEnabled: true };
    await engine().up();
    settings = undefined;
    await engine().up();
    expect(bodiesOf(PATCH)).toEqual([{ is_filtered_model_catalog_enabled: true }]);
    expect(flag()).toBe(true);
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

describe("PrivateProvider and PrivateEndpoint", () => {
  const PROVIDER_POST = "POST openrouter /private-providers";
  const PROVIDER_PATCH = "PATCH openrouter /private-providers/{slug}";
  const PRICING_PUT = "PUT openrouter /private-endpoints/{id}/pricing";
  const stored = () => emulator.openrouterState().private_providers?.["acme-inference"];
  const storedEndpoints = () => Object.values(emulator.openrouterState().private_endpoints ?? {});
  const endpointOf = async (name: string) => (await engine().exportState()).resource(ENDPOINT, name)!;
  const base: PrivateProviderArgs = {
    name: "Acme Inference",
    displayName: "Acme",
    baseUrl: "https://LLM.acme.example/v1/",
    trainsOnData: false,
    retainsPrompts: true,
    promptRetentionDays: 30,
    datacenters: ["DE"],
    headquarters: "DE",
    privacyPolicyUrl: "https://acme.example/privacy",
  };

  beforeAll(async () => {
    await api("POST", "/byok", { provider: "acme-inference", key: BYOK_SECRET, workspace_id: ws.id });
    await api("POST", "/byok", { provider: "openai", key: BYOK_SECRET, workspace_id: ws.id });
  });

  test("create: the provider (data policy whole, base URL compared as stored), a draft endpoint and one activated at once; a second preview is clean", async () => {
    emulator.clearRequestLog();
    provider = base;
    endpoints = {
      draft: { modelPermaslug: "openai/gpt-4o-2024-08-06", upstreamModelId: "gpt-4o-prod", declaredRegion: "europe", promptPrice: "0.0000025", completionPrice: "0.00001" },
      live: { modelPermaslug: "openai/gpt-4o-mini-2024-07-18", providerSlug: "openai", upstreamModelId: "mini", baseUrl: "https://GW.example.com/v1/chat/completions", activateInWorkspaceId: ws.id },
    };
    const created = await engine().up();
    expect(opsByName(created.steps)).toEqual({ acme: "create", draft: "create", live: "create" });
    expect(bodiesOf(PROVIDER_POST)).toEqual([
      {
        name: "Acme Inference",
        display_name: "Acme",
        base_url: "https://LLM.acme.example/v1/",
        data_policy: { training: false, retains_prompts: true, prompt_retention_days: 30 },
        datacenters: ["DE"],
        headquarters: "DE",
        privacy_policy_url: "https://acme.example/privacy",
      },
    ]);
    expect(stored()!.base_url).toBe("https://llm.acme.example/v1");
    expect(created.outputs.acmeSlug.value).toBe("acme-inference");
    expect(created.outputs.draftStatus.value).toBe("draft");
    expect(created.outputs.liveStatus.value).toBe("active");
    // Every create carries its own Idempotency-Key.
    const keys = Object.keys(emulator.openrouterState().private_endpoint_idempotency_keys ?? {});
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key).toMatch(/^pulumi-[0-9a-f-]{36}$/);
    expect((await endpointOf("draft")).outputs).toMatchObject({ promptPrice: "0.0000025", completionPrice: "0.00001", providerSlug: "acme-inference", status: "draft" });
    await expectClean();
  });

  test("every provider field updates in place with only what changed; removed optional fields are cleared", async () => {
    emulator.clearRequestLog();
    provider = { ...base, displayName: "Acme AI", baseUrl: "https://llm2.acme.example/v1", retainsPrompts: false, promptRetentionDays: undefined, datacenters: ["DE", "FR"] };
    expect(opsByName((await engine().preview()).steps)).toEqual({ acme: "update" });
    await engine().up();
    provider = { ...provider!, trainsOnData: true, headquarters: "FR", privacyPolicyUrl: "https://acme.example/privacy-v2" };
    await engine().up();
    provider = { name: "Acme Inference", displayName: "Acme AI", baseUrl: "https://llm2.acme.example/v1", trainsOnData: true, retainsPrompts: false };
    await engine().up();
    expect(bodiesOf(PROVIDER_PATCH)).toEqual([
      { display_name: "Acme AI", base_url: "https://llm2.acme.example/v1", data_policy: { training: false, retains_prompts: false, prompt_retention_days: null }, datacenters: ["DE", "FR"] },
      { data_policy: { training: true, retains_prompts: false }, headquarters: "FR", privacy_policy_url: "https://acme.example/privacy-v2" },
      { datacenters: [], headquarters: null, privacy_policy_url: null },
    ]);
    expect(stored()).toMatchObject({ datacenters: [], headquarters: null, privacy_policy_url: null, data_policy: { training: true, retains_prompts: false, prompt_retention_days: null } });
    await expectClean();
  });

  test("a draft declared for activation later is validated and activated in place", async () => {
    emulator.clearRequestLog();
    endpoints = { ...endpoints, draft: { ...endpoints.draft, activateInWorkspaceId: ws.id } };
    expect(opsByName((await engine().preview()).steps)).toEqual({ draft: "update" });
    const activated = await engine().up();
    expect(activated.outputs.draftStatus.value).toBe("active");
    expect(bodiesOf("POST openrouter /private-endpoints/{id}/validate")).toEqual([{ workspace_id: ws.id }]);
    expect(bodiesOf("POST openrouter /private-endpoints/{id}/activate")).toHaveLength(1);
    await expectClean();
  });

  test("pricing updates in place with one whole PUT; other fields replace the endpoint", async () => {
    emulator.clearRequestLog();
    endpoints = { ...endpoints, draft: { ...endpoints.draft, promptPrice: "0.000003", cacheReadPrice: "0.000001" } };
    expect(opsByName((await engine().preview()).steps)).toEqual({ draft: "update" });
    expect(opsByName((await engine().up()).steps)).toEqual({ draft: "update" });
    expect(bodiesOf(PRICING_PUT)).toEqual([{ pricing: { prompt: "0.000003", completion: "0.00001", cache_read: "0.000001" } }]);
    await expectClean();

    const before = (await endpointOf("draft")).id;
    endpoints = { ...endpoints, draft: { ...endpoints.draft, upstreamModelId: "gpt-4o-prod-2" } };
    const replaced = await engine().up();
    expect(resourceSteps(replaced.steps).map((s) => s.op)).toContain("replace");
    const after = await endpointOf("draft");
    expect(after.id).not.toBe(before);
    expect(storedEndpoints().map((e) => e.id)).not.toContain(before);
    expect(after.outputs).toMatchObject({ upstreamModelId: "gpt-4o-prod-2", promptPrice: "0.000003", cacheReadPrice: "0.000001" });
    await expectClean();
  });

  test("changes made by hand show on refresh and up repairs them; an endpoint deleted by hand is created again", async () => {
    await api("PATCH", "/private-providers/acme-inference", { display_name: "Hand made", headquarters: "US" });
    const draft = await endpointOf("draft");
    await api("PUT", `/private-endpoints/${draft.id}/pricing`, { pricing: { prompt: "1", completion: "1" } });
    await engine().refresh();
    expect((await engine().exportState()).resource(PROVIDER, "acme")!.outputs).toMatchObject({ displayName: "Hand made", headquarters: "US" });
    expect((await endpointOf("draft")).outputs).toMatchObject({ promptPrice: "1", completionPrice: "1" });
    expect(opsByName((await engine().preview()).steps)).toEqual({ acme: "update", draft: "update" });
    emulator.clearRequestLog();
    await engine().up();
    expect(bodiesOf(PROVIDER_PATCH)).toEqual([{ display_name: "Acme AI", headquarters: null }]);
    expect(bodiesOf(PRICING_PUT)).toEqual([{ pricing: { prompt: "0.000003", completion: "0.00001", cache_read: "0.000001" } }]);
    await expectClean();

    const live = await endpointOf("live");
    await api("DELETE", `/private-endpoints/${live.id}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    const recreated = await engine().up();
    expect(opsByName(recreated.steps)).toEqual({ live: "create" });
    expect(recreated.outputs.liveStatus.value).toBe("active");
    await expectClean();
  });

  test("enabled switches the routing with one call each way; disabled by hand shows on refresh and up enables it again; unset leaves it as found", async () => {
    const DISABLE = "POST openrouter /private-endpoints/{id}/disable";
    const ENABLE = "POST openrouter /private-endpoints/{id}/enable";
    const live = endpoints.live;
    emulator.clearRequestLog();
    endpoints = { ...endpoints, live: { ...live, enabled: false } };
    const disabled = await engine().up();
    expect(opsByName(disabled.steps)).toEqual({ live: "update" });
    expect(disabled.outputs.liveStatus.value).toBe("disabled");
    expect(bodiesOf(DISABLE)).toHaveLength(1);
    await expectClean();

    endpoints = { ...endpoints, live: { ...live, enabled: true } };
    expect((await engine().up()).outputs.liveStatus.value).toBe("active");
    expect(bodiesOf(ENABLE)).toHaveLength(1);

    const id = (await endpointOf("live")).id!;
    await api("POST", `/private-endpoints/${id}/disable`);
    await engine().refresh();
    expect((await endpointOf("live")).outputs).toMatchObject({ enabled: false, status: "disabled" });
    expect(opsByName((await engine().preview()).steps)).toEqual({ live: "update" });
    await engine().up();
    expect(bodiesOf(ENABLE)).toHaveLength(2);
    expect(emulator.openrouterState().private_endpoints?.[id]?.status).toBe("active");
    // Only the switch was sent: no pricing, no other write to the endpoint.
    expect(emulator.requestLog().filter((r) => r.method !== "GET" && r.route.includes("/private-endpoints/{id}") && ![DISABLE, ENABLE].includes(r.route))).toEqual([]);
    await expectClean();

    // Undeclared, the routing is the dashboard's: disabled by hand, nothing to change.
    endpoints = { ...endpoints, live };
    await api("POST", `/private-endpoints/${id}/disable`);
    await engine().refresh();
    await expectClean();
    await api("POST", `/private-endpoints/${id}/enable`);

    // Nothing secret in the state: not the management key, not the BYOK key the endpoints were validated with.
    const text = (await engine().exportState()).text;
    expect(text).not.toContain(MANAGEMENT_KEY);
    expect(text).not.toContain(BYOK_SECRET);
  });

  test("a failed one-shot activation leaves no draft and names the failed checks", async () => {
    const other = (await api("POST", "/workspaces", { name: "No keys", slug: "no-keys" })).body.data as { id: string };
    const valid = endpoints;
    try {
      endpoints = { ...valid, failing: { modelPermaslug: "openai/gpt-4o-2024-05-13", upstreamModelId: "failing", activateInWorkspaceId: other.id } };
      await expect(engine().up()).rejects.toThrow(/failed checks: byok_key \(no_byok_key\)/);
    } finally {
      endpoints = valid;
    }
    expect(storedEndpoints().filter((e) => e.upstream_model_id === "failing")).toEqual([]);
    await expectClean();
  });

  test("bad input is refused at preview, naming the property", async () => {
    const [validProvider, validEndpoints] = [provider, endpoints];
    const providerCases: [PrivateProviderArgs, RegExp][] = [
      [{ ...base, name: "A" }, /name: must be 2–64/],
      [{ ...base, baseUrl: "http://llm.acme.example" }, /baseUrl: must be an https URL/],
      [{ ...base, retainsPrompts: false, promptRetentionDays: 3 }, /promptRetentionDays: may only be set with retainsPrompts: true/],
      [{ ...base, datacenters: ["Germany"] }, /datacenters.*ISO 3166-1/],
    ];
    try {
      for (const [args, message] of providerCases) {
        provider = args;
        await expect(engine().preview()).rejects.toThrow(message);
      }
      provider = validProvider;
      endpoints = { ...validEndpoints, draft: { ...validEndpoints.draft, completionPrice: undefined } };
      await expect(engine().preview()).rejects.toThrow(/completionPrice: promptPrice and completionPrice are set together/);
      endpoints = { ...validEndpoints, draft: { ...validEndpoints.draft, promptPrice: "cheap" } };
      await expect(engine().preview()).rejects.toThrow(/promptPrice: must be a decimal string/);
      endpoints = { ...validEndpoints, draft: { ...validEndpoints.draft, declaredRegion: "asia" as "us" } };
      await expect(engine().preview()).rejects.toThrow(/declaredRegion/);
    } finally {
      [provider, endpoints] = [validProvider, validEndpoints];
    }
  });

  test("the provider is not deleted while an endpoint made by hand names it; destroy removes endpoints before their provider", async () => {
    const byHand = (await api("POST", "/private-endpoints", { model_permaslug: "openai/gpt-4o-2024-08-06", provider_slug: "acme-inference", upstream_model_id: "by-hand" })).body.data as { id: string };
    const [validProvider, validEndpoints] = [provider, endpoints];
    provider = undefined;
    endpoints = {};
    try {
      await expect(engine().up()).rejects.toThrow(/private provider acme-inference still has private endpoints; delete them first/);
      expect(stored()).toBeDefined();
      expect(storedEndpoints().map((e) => e.id)).toEqual([byHand.id]);
      await api("DELETE", `/private-endpoints/${byHand.id}`);
      await engine().up();
      expect(stored()).toBeUndefined();
    } finally {
      [provider, endpoints] = [validProvider, validEndpoints];
    }
    expect(storedEndpoints()).toEqual([]);
    provider = undefined;
    endpoints = {};
  });

  test("a provider deleted by hand leaves the stack on refresh and up creates it again", async () => {
    provider = base;
    await engine().up();
    await api("DELETE", "/private-providers/acme-inference");
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    expect(opsByName((await engine().up()).steps)).toEqual({ acme: "create" });
    expect(stored()).toMatchObject({ display_name: "Acme", base_url: "https://llm.acme.example/v1" });
    provider = undefined;
    await engine().up();
    expect(stored()).toBeUndefined();
  });
});

describe("ScimGroupMapping", () => {
  const POST = "POST openrouter /scim/group-mappings";
  const PATCH = "PATCH openrouter /scim/group-mappings/{id}";
  let engineering: { id: string };
  let finance: { id: string };
  const members = async () => ((await api("GET", `/workspaces/${ws.id}/members`)).body.data as { user_id: string; role: string }[]).map((m) => [m.user_id, m.role]);

  beforeAll(async () => {
    await seedOrganizationMembers(emulator, [{ id: "user_ada", email: "ada@example.com" }, { id: "user_bob", email: "bob@example.com" }]);
    [engineering, finance] = await seedScimGroups(emulator, [
      { display_name: "Engineering", members: ["user_ada"] },
      { display_name: "Finance", members: ["user_bob"] },
    ]);
  });

  test("create maps the group; role updates in place; keepMembersOnDelete changes nothing remote; a second preview is clean", async () => {
    emulator.clearRequestLog();
    mappings = { eng: { scimGroupId: engineering.id, workspaceId: ws.id, role: "member", keepMembersOnDelete: true } };
    await engine().up();
    expect(bodiesOf(POST)).toEqual([{ scim_group_id: engineering.id, workspace_id: ws.id, role: "member" }]);
    expect(await members()).toContainEqual(["user_ada", "member"]);
    await expectClean();

    mappings = { eng: { ...mappings.eng, role: "admin" } };
    await engine().up();
    mappings = { eng: { ...mappings.eng, keepMembersOnDelete: false } };
    expect(opsByName((await engine().preview()).steps)).toEqual({ eng: "update" });
    await engine().up();
    expect(bodiesOf(PATCH)).toEqual([{ role: "admin" }]);
    await expectClean();
  });

  test("a role changed by hand shows on refresh and up repairs it; a mapping deleted by hand is created again", async () => {
    const id = (await engine().exportState()).resource(MAPPING, "eng")!.id;
    await api("PATCH", `/scim/group-mappings/${id}`, { role: "member" });
    await engine().refresh();
    expect((await engine().exportState()).resource(MAPPING, "eng")!.outputs!.role).toBe("member");
    emulator.clearRequestLog();
    await engine().up();
    expect(bodiesOf(PATCH)).toEqual([{ role: "admin" }]);
    await expectClean();

    await api("DELETE", `/scim/group-mappings/${id}?keep_members=false`);
    expect((await members()).map(([user]) => user)).not.toContain("user_ada");
    expect((await engine().refresh()).changeSummary.delete).toBe(1);
    expect(opsByName((await engine().up()).steps)).toEqual({ eng: "create" });
    expect((await members()).map(([user]) => user)).toContain("user_ada");
    await expectClean();
  });

  test("a mapping made by hand is not taken over; bad input is refused at preview, naming the property", async () => {
    const byHand = (await api("POST", "/scim/group-mappings", { scim_group_id: finance.id, workspace_id: ws.id, role: "member" })).body.data as { id: string };
    const valid = mappings;
    try {
      mappings = { ...valid, fin: { scimGroupId: finance.id, workspaceId: ws.id, role: "member", keepMembersOnDelete: true } };
      await expect(engine().up()).rejects.toThrow(new RegExp(`already mapped to workspace .*import it with the id '${byHand.id}'`, "s"));
      mappings = { eng: { ...valid.eng, workspaceId: "org-kinds" } };
      await expect(engine().preview()).rejects.toThrow(/workspaceId: must be the workspace's UUID/);
      mappings = { eng: { ...valid.eng, role: "owner" as "admin" } };
      await expect(engine().preview()).rejects.toThrow(/role/);
      mappings = { eng: { scimGroupId: engineering.id, workspaceId: ws.id, role: "member" } as ScimGroupMappingArgs };
      await expect(engine().preview()).rejects.toThrow(/keepMembersOnDelete/);
    } finally {
      mappings = valid;
    }
  });

  test("the management key and the BYOK secret never reach the state; destroy removes the members as keepMembersOnDelete says", async () => {
    const text = (await engine().exportState()).text;
    expect(text).not.toContain(MANAGEMENT_KEY);
    expect(text).not.toContain(BYOK_SECRET);
    emulator.clearRequestLog();
    mappings = {};
    await engine().up();
    expect(emulator.requestLog().filter((r) => r.route === "DELETE openrouter /scim/group-mappings/{id}").map((r) => r.query)).toEqual([{ keep_members: "false" }]);
    expect((await members()).map(([user]) => user)).not.toContain("user_ada");
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

  test("pulumi import takes a private provider (by slug), a private endpoint and a SCIM group mapping (by UUID) made by hand; the program declaring them previews clean", async () => {
    await api("POST", "/private-providers", {
      name: "Native Co",
      display_name: "Native",
      base_url: "https://llm.native.example/v1",
      data_policy: { training: false, retains_prompts: true, prompt_retention_days: 7 },
    });
    const endpoint = (await api("POST", "/private-endpoints", { model_permaslug: "openai/gpt-4o-2024-08-06", provider_slug: "native-co", upstream_model_id: "n1", declared_zdr: true, pricing: { prompt: "0.000001", completion: "0.000002" } })).body.data as { id: string };
    const [group] = await seedScimGroups(emulator, [{ display_name: "Native group" }]);
    const mapping = (await api("POST", "/scim/group-mappings", { scim_group_id: group.id, workspace_id: ws.id, role: "admin" })).body.data as { id: string };
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({
      resources: [
        { type: "openrouter:index:PrivateProvider", name: "native-co", id: "native-co" },
        { type: "openrouter:index:PrivateEndpoint", name: "native-endpoint", id: endpoint.id },
        { type: "openrouter:index:ScimGroupMapping", name: "native-mapping", id: mapping.id },
      ],
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 3 });
    const declared = (protect: boolean) => async () => {
      const co = new nativeOpenrouter.PrivateProvider(
        "native-co",
        { name: "Native Co", displayName: "Native", baseUrl: "https://llm.native.example/v1/", trainsOnData: false, retainsPrompts: true, promptRetentionDays: 7 },
        { protect },
      );
      new nativeOpenrouter.PrivateEndpoint(
        "native-endpoint",
        { modelPermaslug: "openai/gpt-4o-2024-08-06", providerSlug: co.id, upstreamModelId: "n1", declaredZdr: true, promptPrice: "0.000001", completionPrice: "0.000002" },
        { protect, dependsOn: [co] },
      );
      new nativeOpenrouter.ScimGroupMapping("native-mapping", { scimGroupId: group.id, workspaceId: ws.id, role: "admin", keepMembersOnDelete: true }, { protect });
      return {};
    };
    nativeProgram = declared(true);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    nativeProgram = declared(false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(emulator.openrouterState().private_providers?.["native-co"]).toBeUndefined();
    expect(emulator.openrouterState().private_endpoints?.[endpoint.id]).toBeUndefined();
    expect(emulator.openrouterState().scim_group_mappings?.[mapping.id]).toBeUndefined();
  });
});

