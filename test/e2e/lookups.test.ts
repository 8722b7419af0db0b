/**
 * Look-ups through the real engine against the emulator, in both forms:
 * `portkey.getWorkspace` / `getIntegration` (and their Output variants) find
 * objects made outside the program, their results feed resources, a second
 * preview is clean, and bad or ambiguous arguments fail at preview with a
 * sentence naming the argument or listing the candidates. Native: the plugin
 * serves them as invokes, and an explicit provider looks up its own
 * organisation. People: a Portkey user and an OpenRouter organisation
 * member by email. And the native previews keep unchanged ids known.
 *
 * Derived look-ups (every enumerable kind's `get<Kind>s` / `get<Kind>`), in
 * both forms: a Portkey plural filtered by workspace past one page (the API
 * lists 100 keys a page), secrets left out; a single found by identity, and
 * refused when several or none match; OpenRouter workspaces, plural and single.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { openrouter, portkey } from "../../sdk";
import { openrouter as nativeOpenrouter, portkey as nativePortkey } from "../../sdk/native";
import { seedOrganizationMembers } from "../support/openrouter-members";
import { ADMIN_KEY, call, callOpenRouter } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";

jest.setTimeout(10 * 60_000);

const OTHER_ADMIN_KEY = "test-admin-key-other-org-0123456789";
const MANAGEMENT_KEY = "sk-or-mgmt-lookups-0123456789abcdef";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");
const INTEGRATION = "lookup-openai";

let emulator: RunningEmulator;
let shared: { id: string; slug: string };
let portkeyUserId: string;
let openrouterUserId: string;
let program: () => Promise<Record<string, unknown>> = async () => ({});

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY, OTHER_ADMIN_KEY], managementKeys: [MANAGEMENT_KEY], checkResponses: true });
  shared = (await call(emulator, "POST", "/admin/workspaces", { name: "Shared", description: "made by hand" })).body;
  await call(emulator, "POST", "/integrations", { name: "Lookup OpenAI", slug: INTEGRATION, ai_provider_id: "openai", key: "sk-test-fake-lookup-key" });
  // Two workspaces with one name: a look-up by that name must refuse to pick one.
  await call(emulator, "POST", "/admin/workspaces", { name: "Twin" });
  await call(emulator, "POST", "/admin/workspaces", { name: "Twin" });
  // The other organisation has its own "Shared".
  await call(emulator, "POST", "/admin/workspaces", { name: "Shared", description: "other organisation" }, OTHER_ADMIN_KEY);
  // People are not made by either API: the emulator's control endpoints add them.
  const seeded = await fetch(`${emulator.url}/_emulator/portkey/users`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "Ada.Lovelace@example.com", first_name: "Ada", last_name: "Lovelace", role: "admin" }),
  });
  portkeyUserId = ((await seeded.json()) as { id: string }).id;
  [{ id: openrouterUserId }] = await seedOrganizationMembers(emulator, [{ email: "grace@example.com", first_name: "Grace", role: "org:member" }]);
});

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
  "openrouter:managementKey": { value: MANAGEMENT_KEY, secret: true },
  "openrouter:baseUrl": { value: emulator.openrouterBaseUrl },
});

const engine = useEngineStack(() => ({ projectName: "lookups", program: () => program(), config: config() }));
const nativeEngine = useEngineStack(() => ({
  projectName: "lookups-native",
  program: () => program(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));
// After the stacks' own afterAll (jest runs them in the order declared): their last destroy needs the emulator.
afterAll(async () => emulator?.stop());

function resourceSteps(steps: Parameters<typeof changedSteps>[0]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

describe("dynamic", () => {
  test("look-ups find what the program does not manage, and their results feed resources", async () => {
    program = async () => {
      const byName = portkey.getWorkspaceOutput({ name: "Shared" });
      const bySlug = await portkey.getWorkspace({ slug: shared.slug });
      const integration = portkey.getIntegrationOutput({ name: "Lookup OpenAI" });
      const access = new portkey.IntegrationWorkspaceAccess("shared-openai", { integrationSlug: integration.slug, workspaceId: byName.id });
      return { byName, bySlugId: bySlug.id, integration, accessId: access.id };
    };
    const result = await engine().up();
    expect(result.outputs.byName.value).toMatchObject({ id: shared.id, slug: shared.slug, name: "Shared", description: "made by hand" });
    expect(result.outputs.bySlugId.value).toBe(shared.id);
    expect(result.outputs.integration.value).toMatchObject({ slug: INTEGRATION, name: "Lookup OpenAI", aiProviderId: "openai" });
    expect(JSON.stringify(result.outputs.integration.value)).not.toContain("sk-test-fake-lookup-key");
    expect(result.outputs.accessId.value).toBe(`${INTEGRATION}/${shared.id}`);
    // Look-ups read: the second preview finds nothing to change.
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    await engine().destroy();
    // The looked-up workspace is untouched by the destroy.
    expect((await call(emulator, "GET", `/admin/workspaces/${shared.id}`)).status).toBe(200);
  });

  test("people: a Portkey user and an OpenRouter organisation member by email, whatever its case", async () => {
    const failureOf = (lookup: Promise<unknown>) => lookup.then(() => "found", (error: Error) => error.message);
    program = async () => ({
      user: await portkey.getUser({ email: "ada.lovelace@example.com" }),
      member: openrouter.getOrganizationMemberOutput({ email: "GRACE@example.com" }),
      noUser: await failureOf(portkey.getUser({ email: "nobody@example.com" })),
      notEmail: await failureOf(openrouter.getOrganizationMember({ email: "grace" })),
    });
    const { outputs } = await engine().up();
    expect(outputs.user.value).toEqual({ id: portkeyUserId, email: "Ada.Lovelace@example.com", firstName: "Ada", lastName: "Lovelace", role: "admin" });
    expect(outputs.member.value).toMatchObject({ userId: openrouterUserId, email: "grace@example.com", role: "org:member" });
    expect(outputs.noUser.value).toMatch(/^portkey\.getUser: no user has the email 'nobody@example\.com' \(invite them with a UserInvite/);
    expect(outputs.notEmail.value).toBe("openrouter.getOrganizationMember: email: must be an email address");
  });

  test("bad or ambiguous arguments fail with a sentence naming the argument or the candidates", async () => {
    // The program catches each failure and exports its message. (Uncaught, it fails the program, at preview too;
    // in an inline program under jest the runtime's copy of the rejection would also fail the test file.)
    const failureOf = (lookup: Promise<unknown>) => lookup.then(() => "found", (error: Error) => error.message);
    program = async () => ({
      none: await failureOf(portkey.getWorkspace({})),
      two: await failureOf(portkey.getWorkspace({ name: "Shared", slug: shared.slug })),
      twins: await failureOf(portkey.getWorkspace({ name: "Twin" })),
      missing: await failureOf(portkey.getWorkspace({ name: "Nope" })),
      noIntegration: await failureOf(portkey.getIntegration({ slug: "no-such-integration" })),
      unknown: await failureOf(portkey.getWorkspace({ name: "Shared", colour: "blue" } as never)),
      empty: await failureOf(portkey.getWorkspace({ slug: "" })),
    });
    const { outputs } = await engine().up();
    expect(outputs.none.value).toBe("portkey.getWorkspace: give one of id, slug, name");
    expect(outputs.two.value).toBe("portkey.getWorkspace: give only one of id, slug, name (got slug and name)");
    expect(outputs.twins.value).toMatch(/^portkey\.getWorkspace: 2 workspaces are named 'Twin' \(slugs ws-twin-\w+, ws-twin-\w+\): look it up by slug instead\.$/);
    expect(outputs.missing.value).toBe("portkey.getWorkspace: no workspace is named 'Nope'.");
    expect(outputs.noIntegration.value).toBe("portkey.getIntegration: no integration has the slug 'no-such-integration'.");
    expect(outputs.unknown.value).toBe("portkey.getWorkspace: colour: is not an argument of this look-up (arguments are camelCase)");
    expect(outputs.empty.value).toBe("portkey.getWorkspace: slug: must not be empty");

  });
});

describe("native", () => {
  test("the plugin serves the look-ups; an explicit provider looks up its own organisation", async () => {
    program = async () => {
      const ws = nativePortkey.getWorkspaceOutput({ name: "Shared" });
      const integration = await nativePortkey.getIntegration({ slug: INTEGRATION });
      const other = new nativePortkey.Provider("other", { apiKey: OTHER_ADMIN_KEY, baseUrl: emulator.portkeyBaseUrl });
      const otherWs = nativePortkey.getWorkspaceOutput({ name: "Shared" }, { provider: other });
      const access = new nativePortkey.IntegrationWorkspaceAccess("shared-openai", { integrationSlug: integration.slug, workspaceId: ws.id });
      return { ws, otherDescription: otherWs.description, integrationId: integration.id, accessId: access.id, secretFree: pulumi.output(integration).apply((i) => JSON.stringify(i)) };
    };
    const result = await nativeEngine().up();
    expect(result.outputs.ws.value).toMatchObject({ id: shared.id, slug: shared.slug, name: "Shared" });
    expect(result.outputs.otherDescription.value).toBe("other organisation");
    expect(result.outputs.accessId.value).toBe(`${INTEGRATION}/${shared.id}`);
    expect(result.outputs.secretFree.value).not.toContain("sk-test-fake-lookup-key");
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    await nativeEngine().destroy();
  });

  test("people through the plugins: a user to a workspace member, an organisation member by email", async () => {
    program = async () => {
      const user = nativePortkey.getUserOutput({ email: "ada.lovelace@example.com" });
      const member = new nativePortkey.WorkspaceMember("ada-shared", { workspaceId: shared.id, userId: user.id, role: "member" });
      const grace = await nativeOpenrouter.getOrganizationMember({ email: "grace@example.com" });
      return { memberId: member.id, grace: grace.userId };
    };
    const { outputs } = await nativeEngine().up();
    expect(outputs.memberId.value).toBe(`${shared.id}/${portkeyUserId}`);
    expect(outputs.grace.value).toBe(openrouterUserId);
    await nativeEngine().destroy();
  });

  test("a preview of an update keeps the ids it does not change known: what references them previews no change", async () => {
    let attempts = 3;
    program = async () => {
      const gateway = new nativePortkey.Config("gateway", { workspaceId: shared.id, name: "gateway", config: { retry: { attempts } } });
      new nativePortkey.ApiKey("bound", { type: "workspace", subType: "service", workspaceId: shared.id, name: "bound", scopes: ["completions.write"], configId: gateway.configId });
      return {};
    };
    await nativeEngine().up();
    attempts = 5;
    const preview = await nativeEngine().preview();
    expect(resourceSteps(preview.steps).map((s) => `${s.op} ${s.type}`)).toEqual(["update portkey:index:Config"]);
    await nativeEngine().destroy();
  });

  test("bad arguments are the engine's invoke failures, naming the argument", async () => {
    // The program catches each failure and exports its message: how the engine words it for users.
    const failureOf = (args: object) => nativePortkey.getWorkspace(args as never).then(() => "found", (error: Error) => error.message);
    program = async () => ({
      both: await failureOf({ name: "Shared", id: shared.id }),
      unknown: await failureOf({ name: "Shared", colour: "blue" }),
      twins: await failureOf({ name: "Twin" }),
    });
    const { outputs } = await nativeEngine().up();
    expect(outputs.both.value).toMatch(/getWorkspace' failed: give only one of id, slug, name \(got id and name\) \(arguments\)/);
    expect(outputs.unknown.value).toMatch(/is not an argument of this look-up \(arguments are camelCase\) \(colour\)/);
    expect(outputs.twins.value).toMatch(/2 workspaces are named 'Twin' \(slugs .+\): look it up by slug instead/);
  });
});

describe("derived look-ups", () => {
  const BULK_KEYS = 101; // past the 100 keys of one page
  let bulk: { id: string };
  let dupInBulk: string;
  let orResearch: { id: string; slug: string };

  beforeAll(async () => {
    bulk = (await call(emulator, "POST", "/admin/workspaces", { name: "Bulk" })).body;
    const key = (workspaceId: string, name: string) =>
      call(emulator, "POST", "/api-keys/workspace/service", { name, workspace_id: workspaceId, scopes: ["completions.write"] }).then((r) => r.body.id as string);
    for (let i = 0; i < BULK_KEYS; i++) await key(bulk.id, `bulk-${String(i).padStart(3, "0")}`);
    // One name in two workspaces: by name alone a single look-up must refuse to pick.
    dupInBulk = await key(bulk.id, "dup");
    await key(shared.id, "dup");
    orResearch = (await callOpenRouter(emulator, "POST", "/workspaces", { name: "Lookup research", slug: "lookup-research" }, MANAGEMENT_KEY)).body.data;
  });

  const failureOf = (lookup: Promise<unknown>) => lookup.then(() => "found", (error: Error) => error.message);

  test("dynamic: a filtered plural reads every page, a single finds one by identity or says why not", async () => {
    program = async () => {
      const keys = await portkey.getApiKeys({ workspaceId: bulk.id });
      return {
        count: keys.ids.length,
        names: keys.apiKeys.map((k) => k.name).sort(),
        leaked: JSON.stringify(keys).includes('"key"'),
        dup: portkey.getApiKeyOutput({ workspaceId: bulk.id, name: "dup" }).apply((k) => ({ id: k.id, workspaceId: k.workspaceId, scopes: k.scopes })),
        several: await failureOf(portkey.getApiKey({ name: "dup" })),
        none: await failureOf(openrouter.getWorkspace({ slug: "no-such-workspace" })),
        orWorkspace: openrouter.getWorkspaceOutput({ slug: "lookup-research" }).apply((w) => ({ id: w.id, name: w.name })),
        orSlugs: openrouter.getWorkspacesOutput({}).apply((all) => all.workspaces.map((w) => w.slug)),
      };
    };
    const { outputs } = await engine().up();
    expect(outputs.count.value).toBe(BULK_KEYS + 1);
    expect(outputs.names.value).toContain("bulk-100");
    expect(outputs.names.value).not.toContain("ci");
    expect(outputs.leaked.value).toBe(false);
    expect(outputs.dup.value).toEqual({ id: dupInBulk, workspaceId: bulk.id, scopes: ["completions.write"] });
    expect(outputs.several.value).toMatch(/^portkey\.getApiKey: 2 ApiKeys have name "dup" \(ids [\w-]+, [\w-]+\): look it up by id, or give workspaceId too\.$/);
    expect(outputs.none.value).toBe('openrouter.getWorkspace: no Workspace has slug "no-such-workspace".');
    expect(outputs.orWorkspace.value).toEqual({ id: orResearch.id, name: "Lookup research" });
    expect(outputs.orSlugs.value).toContain("lookup-research");
  });

  test("native: the plugin serves the derived look-ups", async () => {
    program = async () => {
      const keys = nativePortkey.getApiKeysOutput({ workspaceId: bulk.id });
      const byId = await nativeOpenrouter.getWorkspace({ id: orResearch.id });
      return {
        count: keys.ids.apply((ids) => ids.length),
        orSlug: byId.slug,
        several: await nativePortkey.getApiKey({ name: "dup" }).then(() => "found", (error: Error) => error.message),
        none: await nativePortkey.getApiKey({ id: "00000000-0000-4000-8000-000000000000" }).then(() => "found", (error: Error) => error.message),
      };
    };
    const { outputs } = await nativeEngine().up();
    expect(outputs.count.value).toBe(BULK_KEYS + 1);
    expect(outputs.orSlug.value).toBe("lookup-research");
    expect(outputs.several.value).toMatch(/2 ApiKeys have name "dup" \(ids .+\): look it up by id, or give workspaceId too/);
    expect(outputs.none.value).toMatch(/no ApiKey has the id '00000000-0000-4000-8000-000000000000'/);
  });
});

describe("catalogue look-ups", () => {
  const failureOf = (lookup: Promise<unknown>) => lookup.then(() => "found", (error: Error) => error.message);
  const TEXT_MODELS = ["openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-3.5-sonnet", "google/gemini-2.0-flash-001", "meta-llama/llama-3.1-70b-instruct"];

  test("dynamic: models filtered as the API filters them, one model by id, the providers; a model's permaslug feeds a resource", async () => {
    emulator.clearRequestLog();
    program = async () => {
      const gpt4o = openrouter.getModelOutput({ id: "openai/gpt-4o" });
      // What a program does with it: guard a workspace's keys to the models that take tools.
      const toolModels = openrouter.getModelsOutput({ supportedParameters: ["tools", "response_format"] });
      const guard = new openrouter.Guardrail("tool-models", { name: "Tool models", allowedModels: toolModels.ids });
      return {
        tools: toolModels.ids,
        guardModels: guard.allowedModels,
        programming: (await openrouter.getModels({ category: "programming" })).ids,
        text: openrouter.getModelsOutput({}).ids,
        every: openrouter.getModelsOutput({ outputModalities: ["all"] }).ids.apply((ids) => ids.length),
        embeddings: openrouter.getModelsOutput({ outputModalities: ["embeddings"] }).models,
        gpt4o,
        providers: openrouter.getProvidersOutput({}).slugs,
        azure: openrouter.getProvidersOutput({}).providers.apply((all) => all.find((p) => p.slug === "azure")),
        missing: await failureOf(openrouter.getModel({ id: "openai/no-such-model" })),
        notAnId: await failureOf(openrouter.getModel({ id: "gpt-4o" })),
        badCategory: await failureOf(openrouter.getModels({ category: "cooking" as never })),
      };
    };
    const { outputs } = await engine().up();
    expect(outputs.tools.value).toEqual(["openai/gpt-4o", "openai/gpt-4o-mini", "google/gemini-2.0-flash-001"]);
    expect(outputs.guardModels.value).toEqual(outputs.tools.value);
    expect(outputs.programming.value).toEqual(["openai/gpt-4o", "anthropic/claude-3.5-sonnet"]);
    expect(outputs.text.value).toEqual(TEXT_MODELS);
    expect(outputs.every.value).toBe(TEXT_MODELS.length + 1);
    expect(outputs.embeddings.value).toEqual([
      expect.objectContaining({ id: "openai/text-embedding-3-small", inputModalities: ["text"], outputModalities: ["embeddings"], supportedParameters: [] }),
    ]);
    expect(outputs.gpt4o.value).toMatchObject({
      id: "openai/gpt-4o",
      canonicalSlug: "openai/gpt-4o-2024-05-13",
      name: "OpenAI: GPT-4o",
      contextLength: 128000,
      maxCompletionTokens: 16384,
      isModerated: true,
      inputModalities: ["text", "image", "file"],
      pricing: { prompt: "0.0000025", completion: "0.00001", input_cache_read: "0.00000125" },
    });
    expect(outputs.providers.value).toEqual(expect.arrayContaining(["openai", "anthropic", "azure"]));
    expect(outputs.azure.value).toMatchObject({ slug: "azure", name: "Azure", headquarters: "US", datacenters: ["US", "SE", "DE"] });
    expect(outputs.missing.value).toBe("openrouter.getModel: the catalogue has no model 'openai/no-such-model'.");
    expect(outputs.notAnId.value).toBe("openrouter.getModel: id: must be a model id, author/slug (e.g. openai/gpt-4o)");
    expect(outputs.badCategory.value).toMatch(/^openrouter\.getModels: category: /);
    // The filters went to the API as its query says them (comma-separated), not applied after a full read.
    const queries = emulator.requestLog().filter((r) => r.route === "GET openrouter /models").map((r) => r.query);
    expect(queries).toContainEqual({ supported_parameters: "tools,response_format" });
    expect(queries).toContainEqual({ category: "programming" });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    await engine().destroy();
  });

  test("native: the plugin serves the catalogue look-ups", async () => {
    program = async () => {
      const mini = await nativeOpenrouter.getModel({ id: "openai/gpt-4o-mini" });
      return {
        permaslug: mini.canonicalSlug,
        pricing: mini.pricing,
        tools: nativeOpenrouter.getModelsOutput({ supportedParameters: ["tools"], category: "programming" }).models.apply((all) => all.map((m) => m.id)),
        providers: nativeOpenrouter.getProvidersOutput({}).providers.apply((all) => all.map((p) => `${p.slug}:${p.headquarters}`)),
        missing: await nativeOpenrouter.getModel({ id: "openai/no-such-model" }).then(() => "found", (error: Error) => error.message),
      };
    };
    const { outputs } = await nativeEngine().up();
    expect(outputs.permaslug.value).toBe("openai/gpt-4o-mini-2024-07-18");
    expect(outputs.pricing.value).toEqual({ prompt: "0.00000015", completion: "0.0000006" });
    expect(outputs.tools.value).toEqual(["openai/gpt-4o", "anthropic/claude-3.5-sonnet"]);
    expect(outputs.providers.value).toContain("azure:US");
    expect(outputs.missing.value).toMatch(/the catalogue has no model 'openai\/no-such-model'/);
  });
});
