/**
 * OpenRouter OrganizationSettings, Preset, PrivateProvider with its
 * PrivateEndpoints, and ScimGroupMapping through the real engine against the
 * emulator, one suite per resource in this one file, each in both forms (see
 * resourceSuite in ./harness.ts). Each form of each suite has its own emulator,
 * given by `setup` the workspace, BYOK keys, people and SCIM groups the tests
 * need, and its own stack; every test reaches its starting state itself.
 *
 * Dynamic form: create, a clean second preview, every updatable field changed
 * in place (each write carrying only what changed), optional fields cleared,
 * drift made through the plain API shown by refresh and repaired by `up`, an
 * out-of-band delete, objects made by hand never taken over, bad input refused
 * at preview naming the property, destroy (the organisation settings left as
 * declared, a preset archived, endpoints before their provider, a mapping's
 * members as keepMembersOnDelete says). Native form (the provider plugins on
 * PATH): what differs there, `pulumi import` by id, a clean preview of the
 * program declaring the imported objects, then its up and destroy. Neither the
 * management key nor the BYOK key is ever in plaintext.
 */
import type { OrganizationSettingsArgs, PresetArgs, PrivateEndpointArgs, PrivateProviderArgs, ScimGroupMappingArgs } from "../../sdk/openrouter";
import type { RunningEmulator } from "../../emulator";
import { ORGANIZATION_ID } from "../../emulator/openrouter/common";
import { ADMIN_KEY, callOpenRouter } from "../support/emulator";
import { seedOrganizationMembers } from "../support/openrouter-members";
import { seedScimGroups } from "../support/openrouter-scim";
import { OperationReport, PreviewReport, resourceSteps, resourceSuite, SuiteContext } from "./harness";

jest.setTimeout(10 * 60_000);

const BYOK_SECRET = "sk-byok-acme-0123456789";

/** The emulator's OpenRouter API (the admin key is also its management key). */
const api = (emulator: RunningEmulator, method: string, route: string, body?: unknown) => callOpenRouter(emulator, method, route, body);

interface Fixtures {
  ws: { id: string; slug: string };
  /** SCIM groups: Engineering (Ada), Finance (Bob). */
  engineering: { id: string };
  finance: { id: string };
}

/** A workspace with BYOK keys for the private provider and for OpenAI; Ada and Bob in the organisation and in a SCIM group each. */
async function setup(emulator: RunningEmulator): Promise<Fixtures> {
  const ws = (await api(emulator, "POST", "/workspaces", { name: "Org kinds", slug: "org-kinds" })).body.data;
  await api(emulator, "POST", "/byok", { provider: "acme-inference", key: BYOK_SECRET, workspace_id: ws.id });
  await api(emulator, "POST", "/byok", { provider: "openai", key: BYOK_SECRET, workspace_id: ws.id });
  await seedOrganizationMembers(emulator, [{ id: "user_ada", email: "ada@example.com" }, { id: "user_bob", email: "bob@example.com" }]);
  const [engineering, finance] = await seedScimGroups(emulator, [
    { display_name: "Engineering", members: ["user_ada"] },
    { display_name: "Finance", members: ["user_bob"] },
  ]);
  return { ws, engineering, finance };
}

/** The operation of each changed resource step, by logical name. */
function opsByName(report: { steps: PreviewReport["steps"] }): Record<string, string> {
  return Object.fromEntries(resourceSteps(report.steps).map((s) => [s.urn.split("::").pop()!, s.op]));
}
/** The bodies of one route's requests in this test's window. */
function bodiesOf<A, F>(ctx: SuiteContext<A, F>, route: string): unknown[] {
  return ctx.requests(route).map((r) => r.body);
}

// ---------------------------------------------------------------------------
// OrganizationSettings
// ---------------------------------------------------------------------------

type SettingsCtx = SuiteContext<OrganizationSettingsArgs, Fixtures>;
const SETTINGS_PATCH = "PATCH openrouter /organization/settings";
const catalogFiltered = (emulator: RunningEmulator) => emulator.openrouterState().organization_settings?.is_filtered_model_catalog_enabled ?? false;
const setCatalogFiltered = (emulator: RunningEmulator, value: boolean) => api(emulator, "PATCH", "/organization/settings", { is_filtered_model_catalog_enabled: value });

resourceSuite<OrganizationSettingsArgs, Fixtures>({
  group: "OrganizationSettings",
  vendor: "openrouter",
  resource: "OrganizationSettings",
  name: "org",
  // The organisation's catalogue is found filtered, as the base declares: the create adopts it.
  setup: async (emulator) => {
    const fixtures = await setup(emulator);
    await setCatalogFiltered(emulator, true);
    return fixtures;
  },
  base: () => ({ isFilteredModelCatalogEnabled: true }),
  declare: (sdk, name, args) => ({ organizationId: new sdk.openrouter.OrganizationSettings(name, args).organizationId }),
  steps: { native: [] },

  // Already as declared: adopted without a write, under the organisation's id.
  created: async (ctx, result) => {
    expect(bodiesOf(ctx, SETTINGS_PATCH)).toEqual([]);
    expect((await ctx.engine.exportState()).resource(ctx.type, "org")!.id).toBe(ORGANIZATION_ID);
    expect(result.outputs.organizationId.value).toBe(ORGANIZATION_ID);
  },
  secrets: () => [ADMIN_KEY],

  // A change made in the dashboard.
  drift: {
    given: () => ({ isFilteredModelCatalogEnabled: false }),
    edit: async ({ emulator }) => {
      await setCatalogFiltered(emulator, true);
    },
    inState: { isFilteredModelCatalogEnabled: true },
    repaired: ({ emulator }) => {
      expect(catalogFiltered(emulator)).toBe(false);
    },
  },

  badInput: () => [
    [{ isFilteredModelCatalogEnabled: "yes" as unknown as boolean }, /isFilteredModelCatalogEnabled/],
    [{} as OrganizationSettingsArgs, /isFilteredModelCatalogEnabled/],
  ],

  // Neither reset nor restored to what the create found: left as declared, without a write.
  destroyed: (ctx, result: OperationReport) => {
    expect(opsByName(result)).toEqual({ org: "delete" });
    expect(bodiesOf(ctx, SETTINGS_PATCH)).toEqual([]);
    expect(catalogFiltered(ctx.emulator)).toBe(ctx.desired!.isFilteredModelCatalogEnabled);
  },

  tests: [
    {
      title: "update writes only the change; a second preview is clean",
      forms: ["dynamic"],
      body: async (ctx: SettingsCtx) => {
        await ctx.given(ctx.base());
        ctx.declare({ isFilteredModelCatalogEnabled: false });
        expect(opsByName(await ctx.preview())).toEqual({ org: "update" });
        await ctx.up();
        expect(bodiesOf(ctx, SETTINGS_PATCH)).toEqual([{ is_filtered_model_catalog_enabled: false }]);
        expect(catalogFiltered(ctx.emulator)).toBe(false);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "found off, declared on: the create writes the declared value once, and destroy leaves it as declared",
      forms: ["dynamic"],
      after: "destroy",
      body: async (ctx: SettingsCtx) => {
        await ctx.given("nothing");
        await setCatalogFiltered(ctx.emulator, false);
        ctx.markRequests();
        ctx.declare({ isFilteredModelCatalogEnabled: true });
        await ctx.up();
        await ctx.destroy();
        expect(bodiesOf(ctx, SETTINGS_PATCH)).toEqual([{ is_filtered_model_catalog_enabled: true }]);
        expect(catalogFiltered(ctx.emulator)).toBe(true);
      },
    },
    {
      title: "pulumi import takes the organisation settings by the organisation id; the program declaring them previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: SettingsCtx) => {
        await ctx.given("nothing");
        await setCatalogFiltered(ctx.emulator, true);
        await ctx.importAndRelease([{ name: "org", id: ORGANIZATION_ID }], (protect) => {
          new ctx.sdk.openrouter.OrganizationSettings("org", { isFilteredModelCatalogEnabled: true }, { protect });
        });
        expect(catalogFiltered(ctx.emulator)).toBe(true);
      },
    },
  ],
});

// ---------------------------------------------------------------------------
// Preset
// ---------------------------------------------------------------------------

type PresetCtx = SuiteContext<PresetArgs, Fixtures>;
const PRESET_WRITE = "POST openrouter /presets/{slug}/chat/completions";
const storedPreset = (ctx: PresetCtx, slug: string) =>
  Object.values(ctx.emulator.openrouterState().presets ?? {}).find((p) => p.slug === slug && p.workspace_id === ctx.fixtures.ws.id);
const presetVersions = (ctx: PresetCtx, slug = "support") =>
  Object.values(ctx.emulator.openrouterState().preset_versions ?? {})
    .filter((v) => v.preset_id === storedPreset(ctx, slug)?.id)
    .sort((a, b) => a.version - b.version)
    .map((v) => ({ version: v.version, config: v.config, system_prompt: v.system_prompt }));
/** Where the update test leaves the preset: a new temperature, the system prompt removed. */
const PRESET_CLEARED = (workspaceId: string): PresetArgs => ({ slug: "support", workspaceId, config: { model: "openai/gpt-4o-mini", temperature: 0.5 } });
/** The version the dashboard published in the drift step. */
let versionPublishedByHand = 0;

resourceSuite<PresetArgs, Fixtures>({
  group: "Preset",
  vendor: "openrouter",
  resource: "Preset",
  name: "support",
  setup,
  base: ({ ws }) => ({ slug: "support", workspaceId: ws.id, config: { model: "openai/gpt-4o-mini", temperature: 0.2 }, systemPrompt: "Be brief." }),
  declare: (sdk, name, args) => ({ version: new sdk.openrouter.Preset(name, args).version }),
  steps: { native: [] },

  // The first version is written from a chat body.
  created: async (ctx, result) => {
    expect(bodiesOf(ctx, PRESET_WRITE)).toEqual([{ model: "openai/gpt-4o-mini", temperature: 0.2, messages: [{ role: "system", content: "Be brief." }] }]);
    expect(presetVersions(ctx)).toEqual([{ version: 1, config: { model: "openai/gpt-4o-mini", temperature: 0.2 }, system_prompt: "Be brief." }]);
    expect(result.outputs.version.value).toBe(1);
    expect((await ctx.engine.exportState()).resource(ctx.type, "support")!.id).toBe(`${ctx.fixtures.ws.id}/support`);
  },
  secrets: () => [ADMIN_KEY, BYOK_SECRET],

  // A version published in the dashboard is drift: refresh shows it and up writes one version back.
  drift: {
    given: ({ fixtures }) => PRESET_CLEARED(fixtures.ws.id),
    edit: async (ctx) => {
      versionPublishedByHand = presetVersions(ctx).length + 1;
      await api(ctx.emulator, "POST", `/presets/support/chat/completions?workspace_id=${ctx.fixtures.ws.id}`, { model: "openai/gpt-4o", messages: [{ role: "system", content: "Be loud." }] });
    },
    inState: () => ({ config: { model: "openai/gpt-4o" }, systemPrompt: "Be loud.", version: versionPublishedByHand }),
    repaired: (ctx) => {
      expect(bodiesOf(ctx, PRESET_WRITE)).toEqual([{ model: "openai/gpt-4o-mini", temperature: 0.5, messages: [] }]);
      expect(presetVersions(ctx).length).toBe(versionPublishedByHand + 1);
    },
  },

  // Archived out of band: refresh drops it and up restores it without a new version.
  deleted: {
    delete: async (ctx) => {
      const versions = presetVersions(ctx).length;
      await api(ctx.emulator, "DELETE", `/presets/support?workspace_id=${ctx.fixtures.ws.id}`);
      return versions;
    },
    recreated: async (ctx, versionsBefore) => {
      expect(storedPreset(ctx, "support")!.status).toBe("active");
      expect(bodiesOf(ctx, PRESET_WRITE).length).toBe(1); // the refused write (409: archived); the restored version already holds the declared one
      expect(presetVersions(ctx).length).toBe(versionsBefore);
      await ctx.expectCleanPreview();
    },
  },

  badInput: (valid) => [
    [{ ...valid, config: { model: "x", messages: [] } }, /config\.messages: is not a preset setting/],
    [{ ...valid, slug: "Bad Slug" }, /slug: must be 1–64 lowercase/],
    [{ ...valid, workspaceId: "org-kinds" }, /workspaceId: must be the workspace's UUID/],
  ],

  // Archived, not deleted: the slug stays taken.
  destroyed: (ctx, result) => {
    expect(opsByName(result)).toEqual({ support: "delete" });
    expect(storedPreset(ctx, "support")!.status).toBe("archived");
  },

  tests: [
    {
      title: "config and system prompt change in place, one version per change; removing the system prompt clears it",
      forms: ["dynamic"],
      body: async (ctx: PresetCtx) => {
        await ctx.given(ctx.base());
        const { ws } = ctx.fixtures;
        const newTemperature = { ...ctx.base(), config: { model: "openai/gpt-4o-mini", temperature: 0.5 } };
        ctx.declare(newTemperature);
        expect(opsByName(await ctx.preview())).toEqual({ support: "update" });
        await ctx.up();
        ctx.declare({ ...newTemperature, systemPrompt: "Be kind." });
        await ctx.up();
        ctx.declare(PRESET_CLEARED(ws.id));
        const cleared = await ctx.up();
        expect(bodiesOf(ctx, PRESET_WRITE)).toEqual([
          { model: "openai/gpt-4o-mini", temperature: 0.5, messages: [{ role: "system", content: "Be brief." }] },
          { model: "openai/gpt-4o-mini", temperature: 0.5, messages: [{ role: "system", content: "Be kind." }] },
          { model: "openai/gpt-4o-mini", temperature: 0.5, messages: [] },
        ]);
        expect(cleared.outputs.version.value).toBe(4);
        expect(presetVersions(ctx).at(-1)).toEqual({ version: 4, config: { model: "openai/gpt-4o-mini", temperature: 0.5 }, system_prompt: null });
        ctx.markRequests();
        await ctx.expectCleanPreview();
        await ctx.up();
        expect(bodiesOf(ctx, PRESET_WRITE)).toEqual([]);
      },
    },
    {
      title: "a preset of the same slug made by hand is not adopted",
      forms: ["dynamic"],
      after: "badInput",
      body: async (ctx: PresetCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given("any");
        const valid = ctx.desired!;
        await api(ctx.emulator, "POST", `/presets/by-hand/chat/completions?workspace_id=${ws.id}`, { model: "openai/gpt-4o", messages: [] });
        ctx.setProgram(async () => {
          new ctx.sdk.openrouter.Preset("support", valid);
          new ctx.sdk.openrouter.Preset("hand", { slug: "by-hand", workspaceId: ws.id, config: { model: "openai/gpt-4o" } });
          return {};
        });
        await expect(ctx.up()).rejects.toThrow(new RegExp(`slug: a preset 'by-hand' already exists .*'${ws.id}/by-hand'`, "s"));
        ctx.declare(valid);
        expect(presetVersions(ctx, "by-hand").length).toBe(1);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pulumi import takes a preset made by hand by <workspaceId>/<slug>; the program declaring it previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: PresetCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given("nothing");
        await api(ctx.emulator, "POST", `/presets/native/chat/completions?workspace_id=${ws.id}`, { model: "openai/gpt-4o", temperature: 1, messages: [{ role: "system", content: "Hi." }] });
        await ctx.importAndRelease([{ name: "native", id: `${ws.id}/native` }], (protect) => {
          new ctx.sdk.openrouter.Preset("native", { slug: "native", workspaceId: ws.id, config: { model: "openai/gpt-4o", temperature: 1 }, systemPrompt: "Hi." }, { protect });
        });
        expect(storedPreset(ctx, "native")!.status).toBe("archived");
      },
    },
  ],
});

// ---------------------------------------------------------------------------
// PrivateProvider with its PrivateEndpoints
// ---------------------------------------------------------------------------

/** An endpoint under the provider (its slug filled in by the program unless given). */
type Endpoint = Omit<PrivateEndpointArgs, "providerSlug"> & { providerSlug?: string };
/** A private provider and the endpoints declared under it, by logical name. */
interface ProviderArgs {
  provider: PrivateProviderArgs;
  endpoints: Record<string, Endpoint>;
}
type ProviderCtx = SuiteContext<ProviderArgs, Fixtures>;

const PROVIDER_POST = "POST openrouter /private-providers";
const PROVIDER_PATCH = "PATCH openrouter /private-providers/{slug}";
const PRICING_PUT = "PUT openrouter /private-endpoints/{id}/pricing";
const ENDPOINT_DISABLE = "POST openrouter /private-endpoints/{id}/disable";
const ENDPOINT_ENABLE = "POST openrouter /private-endpoints/{id}/enable";
const storedProvider = (ctx: ProviderCtx) => ctx.emulator.openrouterState().private_providers?.["acme-inference"];
const storedEndpoints = (ctx: ProviderCtx) => Object.values(ctx.emulator.openrouterState().private_endpoints ?? {});
const endpointOf = async (ctx: ProviderCtx, name: string) => (await ctx.engine.exportState()).resource(ctx.types[1], name)!;

const ACME: PrivateProviderArgs = {
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
/** Where the provider update test leaves the provider: optional fields removed. */
const ACME_UPDATED: PrivateProviderArgs = { name: "Acme Inference", displayName: "Acme AI", baseUrl: "https://llm2.acme.example/v1", trainsOnData: true, retainsPrompts: false };
/** A draft endpoint under Acme, and one of OpenAI's activated at once. */
const BASE_ENDPOINTS = (workspaceId: string): Record<string, Endpoint> => ({
  draft: { modelPermaslug: "openai/gpt-4o-2024-08-06", upstreamModelId: "gpt-4o-prod", declaredRegion: "europe", promptPrice: "0.0000025", completionPrice: "0.00001" },
  live: { modelPermaslug: "openai/gpt-4o-mini-2024-07-18", providerSlug: "openai", upstreamModelId: "mini", baseUrl: "https://GW.example.com/v1/chat/completions", activateInWorkspaceId: workspaceId },
});
/** The draft endpoint changed: the steps the tests go through, in the file's order. */
const withDraft = (workspaceId: string, draft: Partial<Endpoint>): ProviderArgs => {
  const endpoints = BASE_ENDPOINTS(workspaceId);
  return { provider: ACME_UPDATED, endpoints: { ...endpoints, draft: { ...endpoints.draft, ...draft } } };
};
const PROVIDER_UPDATED = (ws: string) => withDraft(ws, {});
const DRAFT_ACTIVATED = (ws: string) => withDraft(ws, { activateInWorkspaceId: ws });
const DRAFT_REPRICED = (ws: string) => withDraft(ws, { activateInWorkspaceId: ws, promptPrice: "0.000003", cacheReadPrice: "0.000001" });
const DRAFT_REPLACED = (ws: string) => withDraft(ws, { activateInWorkspaceId: ws, promptPrice: "0.000003", cacheReadPrice: "0.000001", upstreamModelId: "gpt-4o-prod-2" });

resourceSuite<ProviderArgs, Fixtures>({
  group: "PrivateProvider and PrivateEndpoint",
  vendor: "openrouter",
  resource: "PrivateProvider",
  name: "acme",
  together: ["PrivateEndpoint", "PrivateEndpoint"],
  setup,
  base: ({ ws }) => ({ provider: ACME, endpoints: BASE_ENDPOINTS(ws.id) }),
  declare: (sdk, name, { provider, endpoints }) => {
    const acme = new sdk.openrouter.PrivateProvider(name, provider);
    const outputs: Record<string, unknown> = { acmeSlug: acme.slug };
    for (const [endpoint, args] of Object.entries(endpoints)) {
      outputs[`${endpoint}Status`] = new sdk.openrouter.PrivateEndpoint(endpoint, { ...args, providerSlug: args.providerSlug ?? acme.id }).status;
    }
    return outputs;
  },
  // Destroy is shown by the test of a provider an endpoint made by hand still names (it ends with the
  // whole unit destroyed), so the shared destroy step, which would first make the unit again, is not run.
  steps: { dynamic: ["create", "secrets", "drift", "deleted", "badInput"], native: [] },

  // The provider with its data policy whole (the base URL compared as stored), a draft endpoint and one activated at once.
  created: async (ctx, result) => {
    expect(opsByName(result)).toEqual({ acme: "create", draft: "create", live: "create" });
    expect(bodiesOf(ctx, PROVIDER_POST)).toEqual([
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
    expect(storedProvider(ctx)!.base_url).toBe("https://llm.acme.example/v1");
    expect(result.outputs.acmeSlug.value).toBe("acme-inference");
    expect(result.outputs.draftStatus.value).toBe("draft");
    expect(result.outputs.liveStatus.value).toBe("active");
    // Every create carries its own Idempotency-Key.
    const keys = Object.keys(ctx.emulator.openrouterState().private_endpoint_idempotency_keys ?? {});
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key).toMatch(/^pulumi-[0-9a-f-]{36}$/);
    expect((await endpointOf(ctx, "draft")).outputs).toMatchObject({ promptPrice: "0.0000025", completionPrice: "0.00001", providerSlug: "acme-inference", status: "draft" });
  },
  // Not the management key, nor the BYOK key the endpoints were validated with.
  secrets: () => [ADMIN_KEY, BYOK_SECRET],

  // Changes made by hand to the provider and to an endpoint's pricing.
  drift: {
    given: ({ fixtures }) => DRAFT_REPLACED(fixtures.ws.id),
    edit: async (ctx) => {
      await api(ctx.emulator, "PATCH", "/private-providers/acme-inference", { display_name: "Hand made", headquarters: "US" });
      const draft = await endpointOf(ctx, "draft");
      await api(ctx.emulator, "PUT", `/private-endpoints/${draft.id}/pricing`, { pricing: { prompt: "1", completion: "1" } });
    },
    inState: { displayName: "Hand made", headquarters: "US" },
    refreshed: async (ctx) => {
      expect((await endpointOf(ctx, "draft")).outputs).toMatchObject({ promptPrice: "1", completionPrice: "1" });
    },
    updated: ["PrivateProvider", "PrivateEndpoint"],
    previewed: (_ctx, preview) => {
      expect(opsByName(preview)).toEqual({ acme: "update", draft: "update" });
    },
    repaired: (ctx) => {
      expect(bodiesOf(ctx, PROVIDER_PATCH)).toEqual([{ display_name: "Acme AI", headquarters: null }]);
      expect(bodiesOf(ctx, PRICING_PUT)).toEqual([{ pricing: { prompt: "0.000003", completion: "0.00001", cache_read: "0.000001" } }]);
    },
  },

  // An endpoint deleted by hand is created again.
  deleted: {
    delete: async (ctx) => {
      const live = await endpointOf(ctx, "live");
      await api(ctx.emulator, "DELETE", `/private-endpoints/${live.id}`);
    },
    dropped: ["PrivateEndpoint"],
    refreshed: async (ctx) => {
      expect((await ctx.engine.exportState()).resources(ctx.types[1]).map((r) => r.urn.split("::").pop())).toEqual(["draft"]);
    },
    recreated: async (ctx, _before, result) => {
      expect(opsByName(result)).toEqual({ live: "create" });
      expect(result.outputs.liveStatus.value).toBe("active");
      await ctx.expectCleanPreview();
    },
  },

  badInput: (valid) => [
    [{ ...valid, provider: { ...ACME, name: "A" } }, /name: must be 2–64/],
    [{ ...valid, provider: { ...ACME, baseUrl: "http://llm.acme.example" } }, /baseUrl: must be an https URL/],
    [{ ...valid, provider: { ...ACME, retainsPrompts: false, promptRetentionDays: 3 } }, /promptRetentionDays: may only be set with retainsPrompts: true/],
    [{ ...valid, provider: { ...ACME, datacenters: ["Germany"] } }, /datacenters.*ISO 3166-1/],
    [{ ...valid, endpoints: { ...valid.endpoints, draft: { ...valid.endpoints.draft, completionPrice: undefined } } }, /completionPrice: promptPrice and completionPrice are set together/],
    [{ ...valid, endpoints: { ...valid.endpoints, draft: { ...valid.endpoints.draft, promptPrice: "cheap" } } }, /promptPrice: must be a decimal string/],
    [{ ...valid, endpoints: { ...valid.endpoints, draft: { ...valid.endpoints.draft, declaredRegion: "asia" as "us" } } }, /declaredRegion/],
  ],

  tests: [
    {
      title: "every provider field updates in place with only what changed; removed optional fields are cleared",
      forms: ["dynamic"],
      body: async (ctx: ProviderCtx) => {
        await ctx.given(ctx.base());
        const { endpoints } = ctx.base();
        const renamed: PrivateProviderArgs = { ...ACME, displayName: "Acme AI", baseUrl: "https://llm2.acme.example/v1", retainsPrompts: false, promptRetentionDays: undefined, datacenters: ["DE", "FR"] };
        ctx.declare({ provider: renamed, endpoints });
        expect(opsByName(await ctx.preview())).toEqual({ acme: "update" });
        await ctx.up();
        ctx.declare({ provider: { ...renamed, trainsOnData: true, headquarters: "FR", privacyPolicyUrl: "https://acme.example/privacy-v2" }, endpoints });
        await ctx.up();
        ctx.declare(PROVIDER_UPDATED(ctx.fixtures.ws.id));
        await ctx.up();
        expect(bodiesOf(ctx, PROVIDER_PATCH)).toEqual([
          { display_name: "Acme AI", base_url: "https://llm2.acme.example/v1", data_policy: { training: false, retains_prompts: false, prompt_retention_days: null }, datacenters: ["DE", "FR"] },
          { data_policy: { training: true, retains_prompts: false }, headquarters: "FR", privacy_policy_url: "https://acme.example/privacy-v2" },
          { datacenters: [], headquarters: null, privacy_policy_url: null },
        ]);
        expect(storedProvider(ctx)).toMatchObject({ datacenters: [], headquarters: null, privacy_policy_url: null, data_policy: { training: true, retains_prompts: false, prompt_retention_days: null } });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a draft declared for activation later is validated and activated in place",
      forms: ["dynamic"],
      body: async (ctx: ProviderCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given(PROVIDER_UPDATED(ws.id));
        ctx.declare(DRAFT_ACTIVATED(ws.id));
        expect(opsByName(await ctx.preview())).toEqual({ draft: "update" });
        const activated = await ctx.up();
        expect(activated.outputs.draftStatus.value).toBe("active");
        expect(bodiesOf(ctx, "POST openrouter /private-endpoints/{id}/validate")).toEqual([{ workspace_id: ws.id }]);
        expect(bodiesOf(ctx, "POST openrouter /private-endpoints/{id}/activate")).toHaveLength(1);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pricing updates in place with one whole PUT; other fields replace the endpoint",
      forms: ["dynamic"],
      body: async (ctx: ProviderCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given(DRAFT_ACTIVATED(ws.id));
        ctx.declare(DRAFT_REPRICED(ws.id));
        expect(opsByName(await ctx.preview())).toEqual({ draft: "update" });
        expect(opsByName(await ctx.up())).toEqual({ draft: "update" });
        expect(bodiesOf(ctx, PRICING_PUT)).toEqual([{ pricing: { prompt: "0.000003", completion: "0.00001", cache_read: "0.000001" } }]);
        await ctx.expectCleanPreview();

        const before = (await endpointOf(ctx, "draft")).id;
        ctx.declare(DRAFT_REPLACED(ws.id));
        const replaced = await ctx.up();
        expect(ctx.ops(replaced)).toContain("replace");
        const after = await endpointOf(ctx, "draft");
        expect(after.id).not.toBe(before);
        expect(storedEndpoints(ctx).map((e) => e.id)).not.toContain(before);
        expect(after.outputs).toMatchObject({ upstreamModelId: "gpt-4o-prod-2", promptPrice: "0.000003", cacheReadPrice: "0.000001" });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "enabled switches the routing with one call each way; disabled by hand shows on refresh and up enables it again; unset leaves it as found",
      forms: ["dynamic"],
      after: "deleted",
      body: async (ctx: ProviderCtx) => {
        await ctx.given(DRAFT_REPLACED(ctx.fixtures.ws.id));
        const declared = ctx.desired!;
        const withLive = (live: Endpoint): ProviderArgs => ({ ...declared, endpoints: { ...declared.endpoints, live } });
        const live = declared.endpoints.live;
        ctx.declare(withLive({ ...live, enabled: false }));
        const disabled = await ctx.up();
        expect(opsByName(disabled)).toEqual({ live: "update" });
        expect(disabled.outputs.liveStatus.value).toBe("disabled");
        expect(bodiesOf(ctx, ENDPOINT_DISABLE)).toHaveLength(1);
        await ctx.expectCleanPreview();

        ctx.declare(withLive({ ...live, enabled: true }));
        expect((await ctx.up()).outputs.liveStatus.value).toBe("active");
        expect(bodiesOf(ctx, ENDPOINT_ENABLE)).toHaveLength(1);

        const id = (await endpointOf(ctx, "live")).id!;
        await api(ctx.emulator, "POST", `/private-endpoints/${id}/disable`);
        await ctx.refresh();
        expect((await endpointOf(ctx, "live")).outputs).toMatchObject({ enabled: false, status: "disabled" });
        expect(opsByName(await ctx.preview())).toEqual({ live: "update" });
        await ctx.up();
        expect(bodiesOf(ctx, ENDPOINT_ENABLE)).toHaveLength(2);
        expect(ctx.emulator.openrouterState().private_endpoints?.[id]?.status).toBe("active");
        // Only the switch was sent: no pricing, no other write to the endpoint.
        expect(ctx.requests().filter((r) => r.method !== "GET" && r.route.includes("/private-endpoints/{id}") && ![ENDPOINT_DISABLE, ENDPOINT_ENABLE].includes(r.route))).toEqual([]);
        await ctx.expectCleanPreview();

        // Undeclared, the routing is the dashboard's: disabled by hand, nothing to change.
        ctx.declare(declared);
        await api(ctx.emulator, "POST", `/private-endpoints/${id}/disable`);
        await ctx.refresh();
        await ctx.expectCleanPreview();
        await api(ctx.emulator, "POST", `/private-endpoints/${id}/enable`);

        // Nothing secret in plaintext: not the management key, not the BYOK key the endpoints were validated with.
        await ctx.expectNoPlaintext([ADMIN_KEY, BYOK_SECRET]);
      },
    },
    {
      title: "a failed one-shot activation leaves no draft and names the failed checks",
      forms: ["dynamic"],
      after: "deleted",
      body: async (ctx: ProviderCtx) => {
        await ctx.given("any");
        const valid = ctx.desired!;
        const other = (await api(ctx.emulator, "POST", "/workspaces", { name: "No keys", slug: "no-keys" })).body.data as { id: string };
        ctx.declare({ ...valid, endpoints: { ...valid.endpoints, failing: { modelPermaslug: "openai/gpt-4o-2024-05-13", upstreamModelId: "failing", activateInWorkspaceId: other.id } } });
        await expect(ctx.up()).rejects.toThrow(/failed checks: byok_key \(no_byok_key\)/);
        ctx.declare(valid);
        expect(storedEndpoints(ctx).filter((e) => e.upstream_model_id === "failing")).toEqual([]);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "the provider is not deleted while an endpoint made by hand names it; destroy removes endpoints before their provider",
      forms: ["dynamic"],
      after: "badInput",
      body: async (ctx: ProviderCtx) => {
        await ctx.given("any");
        const byHand = (await api(ctx.emulator, "POST", "/private-endpoints", { model_permaslug: "openai/gpt-4o-2024-08-06", provider_slug: "acme-inference", upstream_model_id: "by-hand" })).body.data as { id: string };
        await expect(ctx.destroy()).rejects.toThrow(/private provider acme-inference still has private endpoints; delete them first/);
        expect(storedProvider(ctx)).toBeDefined();
        expect(storedEndpoints(ctx).map((e) => e.id)).toEqual([byHand.id]);
        await api(ctx.emulator, "DELETE", `/private-endpoints/${byHand.id}`);
        expect(opsByName(await ctx.destroy())).toEqual({ acme: "delete" });
        expect(storedProvider(ctx)).toBeUndefined();
        expect(storedEndpoints(ctx)).toEqual([]);
        await ctx.expectNoPlaintext([ADMIN_KEY, BYOK_SECRET]);
      },
    },
    {
      title: "a provider deleted by hand leaves the stack on refresh and up creates it again",
      forms: ["dynamic"],
      after: "destroy",
      body: async (ctx: ProviderCtx) => {
        await ctx.given({ provider: ACME, endpoints: {} });
        await api(ctx.emulator, "DELETE", "/private-providers/acme-inference");
        const refreshed = await ctx.refresh();
        expect(refreshed.changeSummary.delete).toBe(1);
        expect(opsByName(await ctx.up())).toEqual({ acme: "create" });
        expect(storedProvider(ctx)).toMatchObject({ display_name: "Acme", base_url: "https://llm.acme.example/v1" });
        await ctx.destroy();
        expect(storedProvider(ctx)).toBeUndefined();
      },
    },
    {
      title: "pulumi import takes a private provider (by slug) and a private endpoint (by UUID) made by hand; the program declaring them previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: ProviderCtx) => {
        await ctx.given("nothing");
        await api(ctx.emulator, "POST", "/private-providers", {
          name: "Native Co",
          display_name: "Native",
          base_url: "https://llm.native.example/v1",
          data_policy: { training: false, retains_prompts: true, prompt_retention_days: 7 },
        });
        const endpoint = (await api(ctx.emulator, "POST", "/private-endpoints", { model_permaslug: "openai/gpt-4o-2024-08-06", provider_slug: "native-co", upstream_model_id: "n1", declared_zdr: true, pricing: { prompt: "0.000001", completion: "0.000002" } })).body.data as { id: string };
        const imports = [
          { name: "native-co", id: "native-co", type: ctx.types[0] },
          { name: "native-endpoint", id: endpoint.id, type: ctx.types[1] },
        ];
        await ctx.importAndRelease(imports, (protect) => {
          const co = new ctx.sdk.openrouter.PrivateProvider(
            "native-co",
            { name: "Native Co", displayName: "Native", baseUrl: "https://llm.native.example/v1/", trainsOnData: false, retainsPrompts: true, promptRetentionDays: 7 },
            { protect },
          );
          new ctx.sdk.openrouter.PrivateEndpoint(
            "native-endpoint",
            { modelPermaslug: "openai/gpt-4o-2024-08-06", providerSlug: co.id, upstreamModelId: "n1", declaredZdr: true, promptPrice: "0.000001", completionPrice: "0.000002" },
            { protect, dependsOn: [co] },
          );
        });
        expect(ctx.emulator.openrouterState().private_providers?.["native-co"]).toBeUndefined();
        expect(ctx.emulator.openrouterState().private_endpoints?.[endpoint.id]).toBeUndefined();
      },
    },
  ],
});

// ---------------------------------------------------------------------------
// ScimGroupMapping
// ---------------------------------------------------------------------------

type MappingCtx = SuiteContext<ScimGroupMappingArgs, Fixtures>;
const MAPPING_POST = "POST openrouter /scim/group-mappings";
const MAPPING_PATCH = "PATCH openrouter /scim/group-mappings/{id}";
const MAPPING_DELETE = "DELETE openrouter /scim/group-mappings/{id}";
const workspaceMembers = async (ctx: MappingCtx) =>
  ((await api(ctx.emulator, "GET", `/workspaces/${ctx.fixtures.ws.id}/members`)).body.data as { user_id: string; role: string }[]).map((m) => [m.user_id, m.role]);
const memberIds = async (ctx: MappingCtx) => (await workspaceMembers(ctx)).map(([user]) => user);
const mappingId = async (ctx: MappingCtx) => (await ctx.engine.exportState()).resource(ctx.type, "eng")!.id!;
/** Where the update test leaves the mapping: admins, the members removed with the mapping. */
const ADMINS_DROPPED = ({ engineering, ws }: Fixtures): ScimGroupMappingArgs => ({ scimGroupId: engineering.id, workspaceId: ws.id, role: "admin", keepMembersOnDelete: false });

resourceSuite<ScimGroupMappingArgs, Fixtures>({
  group: "ScimGroupMapping",
  vendor: "openrouter",
  resource: "ScimGroupMapping",
  name: "eng",
  setup,
  base: ({ engineering, ws }) => ({ scimGroupId: engineering.id, workspaceId: ws.id, role: "member", keepMembersOnDelete: true }),
  declare: (sdk, name, args) => ({ id: new sdk.openrouter.ScimGroupMapping(name, args).id }),
  steps: { native: [] },

  // The group's people join the workspace in the mapping's role.
  created: async (ctx) => {
    const { engineering, ws } = ctx.fixtures;
    expect(bodiesOf(ctx, MAPPING_POST)).toEqual([{ scim_group_id: engineering.id, workspace_id: ws.id, role: "member" }]);
    expect(await workspaceMembers(ctx)).toContainEqual(["user_ada", "member"]);
  },
  secrets: () => [ADMIN_KEY, BYOK_SECRET],

  // A role changed by hand.
  drift: {
    given: ({ fixtures }) => ADMINS_DROPPED(fixtures),
    edit: async (ctx) => {
      await api(ctx.emulator, "PATCH", `/scim/group-mappings/${await mappingId(ctx)}`, { role: "member" });
    },
    inState: { role: "member" },
    repaired: (ctx) => {
      expect(bodiesOf(ctx, MAPPING_PATCH)).toEqual([{ role: "admin" }]);
    },
  },

  // A mapping deleted by hand (its members removed with it) is created again, and its people with it.
  deleted: {
    delete: async (ctx) => {
      await api(ctx.emulator, "DELETE", `/scim/group-mappings/${await mappingId(ctx)}?keep_members=false`);
      expect(await memberIds(ctx)).not.toContain("user_ada");
    },
    recreated: async (ctx, _before, result) => {
      expect(opsByName(result)).toEqual({ eng: "create" });
      expect(await memberIds(ctx)).toContain("user_ada");
      await ctx.expectCleanPreview();
    },
  },

  badInput: (valid, { fixtures }) => [
    [{ ...valid, workspaceId: "org-kinds" }, /workspaceId: must be the workspace's UUID/],
    [{ ...valid, role: "owner" as "admin" }, /role/],
    [{ scimGroupId: fixtures.engineering.id, workspaceId: fixtures.ws.id, role: "member" } as ScimGroupMappingArgs, /keepMembersOnDelete/],
  ],

  // The members go or stay as keepMembersOnDelete says.
  destroyed: async (ctx) => {
    const keep = ctx.desired!.keepMembersOnDelete;
    expect(ctx.requests(MAPPING_DELETE).map((r) => r.query)).toEqual([{ keep_members: String(keep) }]);
    if (keep) expect(await memberIds(ctx)).toContain("user_ada");
    else expect(await memberIds(ctx)).not.toContain("user_ada");
  },

  tests: [
    {
      title: "the role updates in place; keepMembersOnDelete changes nothing remote",
      forms: ["dynamic"],
      body: async (ctx: MappingCtx) => {
        await ctx.given(ctx.base());
        ctx.declare({ ...ctx.base(), role: "admin" });
        await ctx.up();
        ctx.declare(ADMINS_DROPPED(ctx.fixtures));
        expect(opsByName(await ctx.preview())).toEqual({ eng: "update" });
        await ctx.up();
        expect(bodiesOf(ctx, MAPPING_PATCH)).toEqual([{ role: "admin" }]);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a mapping made by hand is not taken over",
      forms: ["dynamic"],
      after: "badInput",
      body: async (ctx: MappingCtx) => {
        const { finance, ws } = ctx.fixtures;
        await ctx.given("any");
        const valid = ctx.desired!;
        const byHand = (await api(ctx.emulator, "POST", "/scim/group-mappings", { scim_group_id: finance.id, workspace_id: ws.id, role: "member" })).body.data as { id: string };
        ctx.setProgram(async () => {
          new ctx.sdk.openrouter.ScimGroupMapping("eng", valid);
          new ctx.sdk.openrouter.ScimGroupMapping("fin", { scimGroupId: finance.id, workspaceId: ws.id, role: "member", keepMembersOnDelete: true });
          return {};
        });
        await expect(ctx.up()).rejects.toThrow(new RegExp(`already mapped to workspace .*import it with the id '${byHand.id}'`, "s"));
        ctx.declare(valid);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pulumi import takes a SCIM group mapping made by hand by its UUID; the program declaring it previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: MappingCtx) => {
        const { ws } = ctx.fixtures;
        await ctx.given("nothing");
        const [group] = await seedScimGroups(ctx.emulator, [{ display_name: "Native group" }]);
        const mapping = (await api(ctx.emulator, "POST", "/scim/group-mappings", { scim_group_id: group.id, workspace_id: ws.id, role: "admin" })).body.data as { id: string };
        await ctx.importAndRelease([{ name: "native-mapping", id: mapping.id }], (protect) => {
          new ctx.sdk.openrouter.ScimGroupMapping("native-mapping", { scimGroupId: group.id, workspaceId: ws.id, role: "admin", keepMembersOnDelete: true }, { protect });
        });
        expect(ctx.emulator.openrouterState().scim_group_mappings?.[mapping.id]).toBeUndefined();
      },
    },
  ],
});
