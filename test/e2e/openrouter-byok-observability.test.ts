/**
 * OpenRouter ByokKey and ObservabilityDestination through the real engine
 * against the emulator, one suite per resource, each in both forms (see
 * resourceSuite in ./harness.ts). The two are independent: the API key they
 * name is made through the API in each suite's setup.
 *
 * Both resources. Both forms: create with exactly what was declared (the
 * credentials secrets in state), clean preview, destroy; the credentials never
 * in plaintext in state, backend files or the engine's log. Dynamic: every
 * updatable field changed in place (each PATCH sending only what changed), the
 * credential rotated, optional fields cleared, drift repaired, a provider/type
 * change replacing, out-of-band delete, bad input at preview. Native:
 * `pulumi import` (the BYOK key previews clean without its credential, and
 * declaring it sends it once).
 */
import type { ByokKeyArgs, ObservabilityDestinationArgs } from "../../sdk/openrouter";
import type { RunningEmulator } from "../../emulator";
import type { OpenRouterByokKeyRecord, OpenRouterDestinationRecord } from "../../emulator/openrouter/state";
import { ADMIN_KEY, callOpenRouter } from "../support/emulator";
import { resourceSuite, SuiteContext } from "./harness";

jest.setTimeout(15 * 60_000);

const FIRST_KEY = "sk-proj-first-credential-0a1b2c3d";
const SECOND_KEY = "sk-proj-rotated-credential-9z8y7x";
const FIRST_S3_SECRET = "wJalrXUtnFEMI-first-s3-secret-KEY1";
const SECOND_S3_SECRET = "wJalrXUtnFEMI-second-s3-secret-KEY2";
const HEADER_TOKEN = "Bearer header-token-5f6e7d8c9b";
/** What must never be in plaintext: the credentials and the management key. */
const PLAINTEXTS = [FIRST_KEY, SECOND_KEY, FIRST_S3_SECRET, SECOND_S3_SECRET, HEADER_TOKEN, ADMIN_KEY];

/** The emulator's OpenRouter API (the admin key is also its management key). */
const api = (emulator: RunningEmulator, method: string, route: string, body?: unknown) => callOpenRouter(emulator, method, route, body);

interface Fixtures {
  /** The hash of an API key made through the API, for the allow-lists. */
  hash: string;
  /** The account's default workspace, where objects without a workspaceId go. */
  defaultWorkspaceId: string;
}

async function setup(emulator: RunningEmulator): Promise<Fixtures> {
  const hash: string = (await api(emulator, "POST", "/keys", { name: "ci" })).body.data.hash;
  const defaultWorkspaceId = Object.values(emulator.openrouterState().workspaces).find((w) => w.is_default)!.id;
  return { hash, defaultWorkspaceId };
}

function byokKeys(emulator: RunningEmulator): OpenRouterByokKeyRecord[] {
  return Object.values(emulator.openrouterState().byokKeys ?? {}).filter((k) => !k.deleted_at);
}
function destinations(emulator: RunningEmulator): OpenRouterDestinationRecord[] {
  return Object.values(emulator.openrouterState().destinations ?? {}).filter((d) => !d.deleted_at);
}
/** The bodies of the requests on a route this test made so far. */
function bodies<A, F>(ctx: SuiteContext<A, F>, route: string): unknown[] {
  return ctx.requests(route).map((r) => r.body);
}
/** The steps of a replacement, as the engine reports them. */
const REPLACED = ["create-replacement", "replace", "delete-replaced"];

// ---------------------------------------------------------------------------
// ByokKey
// ---------------------------------------------------------------------------

type ByokCtx = SuiteContext<ByokKeyArgs, Fixtures>;
const PATCH_BYOK = "PATCH openrouter /byok/{id}";

/** Every updatable field set. */
const BYOK_FIELDS = (hash: string): ByokKeyArgs => ({
  providerSlug: "openai",
  key: FIRST_KEY,
  name: "production",
  disabled: true,
  isFallback: true,
  allowedApiKeyHashes: [hash],
  allowedModels: ["openai/gpt-4o"],
  allowedUserIds: ["user_2abc"],
});
const BYOK_ROTATED = (hash: string): ByokKeyArgs => ({ ...BYOK_FIELDS(hash), key: SECOND_KEY });
const BYOK_EDIT = { name: "by hand", disabled: true };

resourceSuite<ByokKeyArgs, Fixtures>({
  group: "ByokKey",
  vendor: "openrouter",
  resource: "ByokKey",
  name: "openai",
  setup,
  // The native form also declares allowed models, to show the plugin sends them.
  base: ({ hash }, form) => ({ providerSlug: "openai", key: FIRST_KEY, name: "prod", allowedApiKeyHashes: [hash], ...(form === "native" ? { allowedModels: ["openai/gpt-4o"] } : {}) }),
  declare: (sdk, name, args) => ({ label: new sdk.openrouter.ByokKey(name, args).label }),
  steps: { native: ["create", "secrets", "destroy"] },

  // Exactly what was declared, in OpenRouter's names; the credential a secret in state.
  created: async (ctx, result) => {
    const { hash } = ctx.fixtures;
    const models = ctx.form === "native" ? { allowed_models: ["openai/gpt-4o"] } : {};
    expect(bodies(ctx, "POST openrouter /byok")).toEqual([{ provider: "openai", key: FIRST_KEY, name: "prod", allowed_api_key_hashes: [hash], ...models }]);
    const [byok] = byokKeys(ctx.emulator);
    expect(byok).toMatchObject({ provider: "openai", key: FIRST_KEY, name: "prod", allowed_api_key_hashes: [hash], ...models });
    expect(result.outputs.label.value).toBe(byok.label);
    const stored = (await ctx.engine.exportState()).resource(ctx.type, "openai");
    expect(stored?.id).toBe(byok.id);
    expect(stored?.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });
  },
  secrets: () => PLAINTEXTS,

  drift: {
    edit: async ({ emulator }) => {
      expect((await api(emulator, "PATCH", `/byok/${byokKeys(emulator)[0].id}`, BYOK_EDIT)).status).toBe(200);
    },
    inState: BYOK_EDIT,
    // Only what the edit changed is sent back.
    repaired: (ctx) => {
      const desired = ctx.desired!;
      const repair = { name: desired.name ?? null, ...(desired.disabled ? {} : { disabled: false }) };
      // The window is the repairing up's (the edit by hand is checked in `edit`): one PATCH back to what is declared.
      expect(bodies(ctx, PATCH_BYOK)).toEqual([repair]);
      expect(byokKeys(ctx.emulator)[0]).toMatchObject({ ...repair, key: desired.key });
    },
  },

  deleted: {
    delete: async ({ emulator }) => {
      const old = byokKeys(emulator)[0].id;
      expect((await api(emulator, "DELETE", `/byok/${old}`)).status).toBe(200);
      return old;
    },
    recreated: async (ctx, old) => {
      expect(byokKeys(ctx.emulator)).toHaveLength(1);
      expect(byokKeys(ctx.emulator)[0].id).not.toBe(old);
      await ctx.expectCleanPreview();
    },
  },

  badInput: () => [
    [{ providerSlug: "", key: SECOND_KEY }, /providerSlug.*must not be empty/],
    [{ providerSlug: "openai", key: SECOND_KEY, allowedApiKeyHashes: ["not-a-hash"] }, /allowedApiKeyHashes.*64 lowercase hex/],
    [{ providerSlug: "openai", key: SECOND_KEY, allowedModels: [] }, /allowedModels.*must not be empty/],
    [{ providerSlug: "openai", key: SECOND_KEY, workspaceId: "research" }, /workspaceId.*UUID/],
  ],

  destroyed: ({ emulator }) => {
    expect(byokKeys(emulator)).toEqual([]);
  },

  tests: [
    {
      title: "every updatable field changes in place, the PATCH sending only what changed",
      forms: ["dynamic"],
      body: async (ctx: ByokCtx) => {
        const { hash } = ctx.fixtures;
        await ctx.given(ctx.base());
        const id = byokKeys(ctx.emulator)[0].id;
        ctx.declare(BYOK_FIELDS(hash));
        expect(ctx.ops(await ctx.preview())).toEqual(["update"]);
        await ctx.up();
        expect(bodies(ctx, PATCH_BYOK)).toEqual([{ name: "production", disabled: true, is_fallback: true, allowed_models: ["openai/gpt-4o"], allowed_user_ids: ["user_2abc"] }]);
        expect(byokKeys(ctx.emulator)[0].id).toBe(id);
        expect(byokKeys(ctx.emulator)[0]).toMatchObject({ name: "production", disabled: true, is_fallback: true, allowed_models: ["openai/gpt-4o"], allowed_user_ids: ["user_2abc"] });
        await ctx.expectCleanPreview();
        await ctx.expectNoPlaintext(PLAINTEXTS);
      },
    },
    {
      title: "changing the credential rotates it in place: only the new secret is sent, state and log hold none",
      forms: ["dynamic"],
      body: async (ctx: ByokCtx) => {
        const { hash } = ctx.fixtures;
        await ctx.given(BYOK_FIELDS(hash));
        const oldLabel = byokKeys(ctx.emulator)[0].label;
        ctx.declare(BYOK_ROTATED(hash));
        expect(ctx.ops(await ctx.preview())).toEqual(["update"]);
        await ctx.up();
        expect(bodies(ctx, PATCH_BYOK)).toEqual([{ key: SECOND_KEY }]);
        expect(byokKeys(ctx.emulator)[0].key).toBe(SECOND_KEY);
        expect(byokKeys(ctx.emulator)[0].label).not.toBe(oldLabel);
        await ctx.expectCleanPreview();
        await ctx.expectNoPlaintext(PLAINTEXTS);
      },
    },
    {
      title: "removing optional fields clears them",
      forms: ["dynamic"],
      body: async (ctx: ByokCtx) => {
        await ctx.given(BYOK_ROTATED(ctx.fixtures.hash));
        ctx.declare({ providerSlug: "openai", key: SECOND_KEY });
        await ctx.up();
        const cleared = { name: null, disabled: false, is_fallback: false, allowed_api_key_hashes: null, allowed_models: null, allowed_user_ids: null };
        expect(bodies(ctx, PATCH_BYOK)).toEqual([cleared]);
        expect(byokKeys(ctx.emulator)[0]).toMatchObject(cleared);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a new provider replaces the key; the unchanged credential is sent again only to the new one",
      forms: ["dynamic"],
      after: "badInput",
      body: async (ctx: ByokCtx) => {
        await ctx.given("any");
        const old = byokKeys(ctx.emulator)[0].id;
        const key = ctx.desired!.key as string;
        ctx.declare({ providerSlug: "anthropic", key });
        expect(ctx.ops(await ctx.preview())).toEqual(REPLACED);
        await ctx.up();
        expect(byokKeys(ctx.emulator).map((k) => [k.provider, k.key])).toEqual([["anthropic", key]]);
        expect(byokKeys(ctx.emulator)[0].id).not.toBe(old);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a BYOK key without its credential is refused at preview, naming `key`",
      forms: ["dynamic"],
      after: "destroy",
      body: async (ctx: ByokCtx) => {
        await ctx.given("nothing");
        ctx.declare({ providerSlug: "openai" });
        try {
          await expect(ctx.preview()).rejects.toThrow(/key: required to create a BYOK key/);
        } finally {
          ctx.declare(undefined);
        }
      },
    },
    {
      title: "pulumi import takes a BYOK key made by hand; it previews clean without `key`, and declaring `key` sends it once",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: ByokCtx) => {
        // An import reads the workspace the key is in (here the default one): the program names it.
        const workspaceId = ctx.fixtures.defaultWorkspaceId;
        await ctx.given("nothing");
        const byokId = (await api(ctx.emulator, "POST", "/byok", { provider: "openai", key: FIRST_KEY, name: "by-hand", is_fallback: true })).body.data.id;
        const imported = await ctx.engine.stack.import({
          resources: [{ type: ctx.type, name: "byHand", id: byokId }],
          // Code generation needs the Go language host, which is not served here.
          generateCode: false,
        });
        expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
        expect((await ctx.engine.exportState()).resource(ctx.type, "byHand")?.id).toBe(byokId);

        const declared = (key: string | undefined, protect: boolean) => async () => {
          new ctx.sdk.openrouter.ByokKey("byHand", { providerSlug: "openai", name: "by-hand", isFallback: true, workspaceId, ...(key ? { key } : {}) }, { protect });
          return {};
        };
        // The credential cannot be read back: without `key` the program leaves it alone.
        ctx.setProgram(declared(undefined, true));
        await ctx.expectCleanPreview();
        ctx.setProgram(declared(SECOND_KEY, true));
        expect(ctx.ops(await ctx.preview())).toEqual(["update"]);
        ctx.markRequests();
        await ctx.up();
        expect(bodies(ctx, PATCH_BYOK)).toEqual([{ key: SECOND_KEY }]);
        expect(byokKeys(ctx.emulator)[0].key).toBe(SECOND_KEY);
        await ctx.expectCleanPreview();
        await ctx.expectNoPlaintext(PLAINTEXTS);

        ctx.setProgram(declared(SECOND_KEY, false));
        await ctx.up();
        await ctx.destroy();
        expect(byokKeys(ctx.emulator)).toEqual([]);
      },
    },
  ],
});

// ---------------------------------------------------------------------------
// ObservabilityDestination
// ---------------------------------------------------------------------------

type DestinationCtx = SuiteContext<ObservabilityDestinationArgs, Fixtures>;
const PATCH_DESTINATION = "PATCH openrouter /observability/destinations/{id}";

const s3 = (secret: string) => ({ bucketName: "traces", accessKeyId: "AKIAEXAMPLE123", secretAccessKey: secret, region: "us-east-1" });
const FILTER_RULES = { groups: [{ logic: "or" as const, rules: [{ field: "model" as const, operator: "starts_with" as const, value: "openai/" }] }] };

/** Every updatable field set. */
const DESTINATION_FIELDS = (hash: string): ObservabilityDestinationArgs => ({
  type: "s3",
  name: "traces-eu",
  config: { ...s3(FIRST_S3_SECRET), region: "eu-west-1", prefix: "or", headers: { Authorization: HEADER_TOKEN } },
  samplingRate: 0.25,
  enabled: false,
  privacyMode: true,
  apiKeyHashes: [hash],
  broadcastGenerationCost: true,
  broadcastGenerationIdentity: true,
  broadcastGenerationRequestContext: true,
  filterRules: FILTER_RULES,
});
const DESTINATION_ROTATED = (hash: string): ObservabilityDestinationArgs => {
  const args = DESTINATION_FIELDS(hash);
  return { ...args, config: { ...(args.config as Record<string, unknown>), secretAccessKey: SECOND_S3_SECRET } };
};
/** The optional fields removed. */
const DESTINATION_BARE: ObservabilityDestinationArgs = { type: "s3", name: "traces-eu", config: { ...s3(SECOND_S3_SECRET), region: "eu-west-1" } };
const DESTINATION_EDIT = { name: "by hand", enabled: false, config: { region: "ap-south-1" } };

resourceSuite<ObservabilityDestinationArgs, Fixtures>({
  group: "ObservabilityDestination",
  vendor: "openrouter",
  resource: "ObservabilityDestination",
  name: "traces",
  setup,
  base: () => ({ type: "s3", name: "traces", config: s3(FIRST_S3_SECRET), samplingRate: 0.5 }),
  declare: (sdk, name, args) => ({ destination: new sdk.openrouter.ObservabilityDestination(name, args).id }),
  steps: { native: ["create", "secrets", "destroy"] },

  // Exactly what was declared; the config (it holds the secret key) a secret in state.
  created: async (ctx) => {
    expect(bodies(ctx, "POST openrouter /observability/destinations")).toEqual([{ type: "s3", name: "traces", config: s3(FIRST_S3_SECRET), sampling_rate: 0.5 }]);
    const [destination] = destinations(ctx.emulator);
    expect(destination.config).toMatchObject({ ...s3(FIRST_S3_SECRET), prefix: "openrouter-traces" });
    const stored = (await ctx.engine.exportState()).resource(ctx.type, "traces");
    expect(stored?.id).toBe(destination.id);
    expect(stored?.outputs?.config).toMatchObject({ ciphertext: expect.any(String) });
  },
  secrets: () => PLAINTEXTS,

  drift: {
    edit: async ({ emulator }) => {
      expect((await api(emulator, "PATCH", `/observability/destinations/${destinations(emulator)[0].id}`, DESTINATION_EDIT)).status).toBe(200);
    },
    inState: { name: "by hand", enabled: false },
    // Only what the edit changed is sent back.
    repaired: (ctx) => {
      const desired = ctx.desired!;
      const region = (desired.config as Record<string, string>).region;
      const repair = { name: desired.name, config: { region }, ...(desired.enabled === false ? {} : { enabled: true }) };
      expect(bodies(ctx, PATCH_DESTINATION)).toEqual([repair]);
      expect(destinations(ctx.emulator)[0]).toMatchObject({ name: desired.name, enabled: desired.enabled ?? true });
      expect(destinations(ctx.emulator)[0].config.region).toBe(region);
    },
  },

  deleted: {
    delete: async ({ emulator }) => {
      const old = destinations(emulator)[0].id;
      expect((await api(emulator, "DELETE", `/observability/destinations/${old}`)).status).toBe(200);
      return old;
    },
    recreated: async (ctx, old) => {
      expect(destinations(ctx.emulator)).toHaveLength(1);
      expect(destinations(ctx.emulator)[0].id).not.toBe(old);
      await ctx.expectCleanPreview();
    },
  },

  badInput: () => {
    const destination = (config: Record<string, string>, extra: Partial<ObservabilityDestinationArgs> = {}): ObservabilityDestinationArgs => ({ type: "s3", name: "traces-eu", config, ...extra });
    const valid = { ...s3(SECOND_S3_SECRET), region: "eu-west-1" };
    return [
      [destination({ accessKeyId: "a", secretAccessKey: SECOND_S3_SECRET, region: "eu-west-1" }), /config\.bucketName.*required for type s3/],
      [destination({ ...valid, path_template: "x" }), /config\.path_template.*camelCase: use pathTemplate/],
      [destination(valid, { samplingRate: 2 }), /samplingRate.*at most 1/],
      [destination(valid, { filterRules: { groups: [{ rules: [{ field: "bogus", operator: "equals", value: "x" }] }] } }), /filterRules\.groups\[0\]\.rules\[0\]\.field/],
      [destination(valid, { type: "nope" as "s3" }), /type/],
    ];
  },

  destroyed: ({ emulator }) => {
    expect(destinations(emulator)).toEqual([]);
  },

  tests: [
    {
      title: "every updatable field changes in place, the PATCH sending only what changed",
      forms: ["dynamic"],
      body: async (ctx: DestinationCtx) => {
        const { hash } = ctx.fixtures;
        await ctx.given(ctx.base());
        const id = destinations(ctx.emulator)[0].id;
        ctx.declare(DESTINATION_FIELDS(hash));
        expect(ctx.ops(await ctx.preview())).toEqual(["update"]);
        await ctx.up();
        expect(bodies(ctx, PATCH_DESTINATION)).toEqual([
          {
            name: "traces-eu",
            config: { region: "eu-west-1", prefix: "or", headers: { Authorization: HEADER_TOKEN } },
            enabled: false,
            privacy_mode: true,
            sampling_rate: 0.25,
            api_key_hashes: [hash],
            broadcast_generation_cost: true,
            broadcast_generation_identity: true,
            broadcast_generation_request_context: true,
            filter_rules: FILTER_RULES,
          },
        ]);
        expect(destinations(ctx.emulator)[0].id).toBe(id);
        expect(destinations(ctx.emulator)[0]).toMatchObject({ name: "traces-eu", enabled: false, privacy_mode: true, sampling_rate: 0.25, api_key_hashes: [hash] });
        expect(destinations(ctx.emulator)[0].config).toEqual({ ...s3(FIRST_S3_SECRET), region: "eu-west-1", prefix: "or", pathTemplate: "{prefix}/{date}", headers: { Authorization: HEADER_TOKEN } });
        await ctx.expectCleanPreview();
        await ctx.expectNoPlaintext(PLAINTEXTS);
      },
    },
    {
      title: "changing the secret key rotates it in place: only the new secret is sent, state and log hold none",
      forms: ["dynamic"],
      body: async (ctx: DestinationCtx) => {
        const { hash } = ctx.fixtures;
        await ctx.given(DESTINATION_FIELDS(hash));
        ctx.declare(DESTINATION_ROTATED(hash));
        expect(ctx.ops(await ctx.preview())).toEqual(["update"]);
        await ctx.up();
        expect(bodies(ctx, PATCH_DESTINATION)).toEqual([{ config: { secretAccessKey: SECOND_S3_SECRET } }]);
        expect(destinations(ctx.emulator)[0].config.secretAccessKey).toBe(SECOND_S3_SECRET);
        await ctx.expectCleanPreview();
        await ctx.expectNoPlaintext(PLAINTEXTS);
      },
    },
    {
      title: "removing optional fields clears them (a config key goes back to its documented default)",
      forms: ["dynamic"],
      body: async (ctx: DestinationCtx) => {
        await ctx.given(DESTINATION_ROTATED(ctx.fixtures.hash));
        ctx.declare(DESTINATION_BARE);
        await ctx.up();
        expect(bodies(ctx, PATCH_DESTINATION)).toEqual([
          {
            config: { prefix: "openrouter-traces", headers: {} },
            enabled: true,
            privacy_mode: false,
            sampling_rate: 1,
            api_key_hashes: null,
            broadcast_generation_cost: false,
            broadcast_generation_identity: false,
            broadcast_generation_request_context: false,
            filter_rules: null,
          },
        ]);
        expect(destinations(ctx.emulator)[0]).toMatchObject({ enabled: true, privacy_mode: false, sampling_rate: 1, api_key_hashes: null, filter_rules: null });
        expect(destinations(ctx.emulator)[0].config).toEqual({ ...s3(SECOND_S3_SECRET), region: "eu-west-1", prefix: "openrouter-traces", pathTemplate: "{prefix}/{date}" });
        await ctx.expectCleanPreview();
      },
    },
    {
      // OpenRouter keeps a config key a PATCH leaves out, and `region` has no documented default.
      title: "removing a config key without a documented default is refused at preview (config.region)",
      forms: ["dynamic"],
      after: "badInput",
      body: async (ctx: DestinationCtx) => {
        await ctx.given("any");
        const valid = ctx.desired!;
        try {
          ctx.declare({ type: "s3", name: "traces-eu", config: { bucketName: "traces", accessKeyId: "AKIAEXAMPLE123", secretAccessKey: SECOND_S3_SECRET } });
          await expect(ctx.preview()).rejects.toThrow(/config\.region: cannot be removed in place/);
        } finally {
          ctx.declare(valid);
        }
        await ctx.expectNoPlaintext(PLAINTEXTS);
      },
    },
    {
      title: "a new type replaces the destination",
      forms: ["dynamic"],
      after: "badInput",
      body: async (ctx: DestinationCtx) => {
        await ctx.given("any");
        const old = destinations(ctx.emulator)[0].id;
        ctx.declare({ type: "webhook", name: "hook", config: { url: "https://hooks.example/traces" } });
        expect(ctx.ops(await ctx.preview())).toEqual(REPLACED);
        await ctx.up();
        expect(destinations(ctx.emulator).map((d) => [d.type, d.config])).toEqual([["webhook", { url: "https://hooks.example/traces", method: "POST" }]]);
        expect(destinations(ctx.emulator)[0].id).not.toBe(old);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pulumi import takes a destination made by hand; the program declaring it previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: DestinationCtx) => {
        const workspaceId = ctx.fixtures.defaultWorkspaceId;
        await ctx.given("nothing");
        const byHand = { type: "webhook", name: "by-hand", config: { url: "https://hooks.example/h" }, sampling_rate: 0.5 };
        const destinationId = (await api(ctx.emulator, "POST", "/observability/destinations", byHand)).body.data.id;
        await ctx.importAndRelease(
          [{ name: "hook", id: destinationId }],
          (protect) =>
            new ctx.sdk.openrouter.ObservabilityDestination("hook", { type: "webhook", name: "by-hand", config: { url: "https://hooks.example/h" }, samplingRate: 0.5, workspaceId }, { protect }),
          (state) => expect(state.resource(ctx.type, "hook")?.id).toBe(destinationId),
        );
        expect(destinations(ctx.emulator)).toEqual([]);
      },
    },
  ],
});
