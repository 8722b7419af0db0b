/**
 * OpenRouter ByokKey and ObservabilityDestination through the real engine
 * against the emulator. Dynamic form: create (the bodies are what was
 * declared), clean preview, every updatable field changed in place (each
 * PATCH sending only what changed), the BYOK credential rotated, optional
 * fields cleared, drift repaired, provider/type changes replacing, out-of-band
 * deletes, bad input at preview, destroy; the credentials never in plaintext
 * in state, backend files or the engine's log. Native form: create, clean
 * preview, and `pulumi import` of both (the BYOK key previews clean without
 * its credential, and declaring it sends it once).
 */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { openrouter } from "../../sdk";
import type { ByokKeyArgs, ObservabilityDestinationArgs } from "../../sdk/openrouter";
import { openrouter as nativeOpenrouter } from "../../sdk/native";
import { RunningEmulator, startEmulator } from "../../emulator";
import type { OpenRouterByokKeyRecord, OpenRouterDestinationRecord } from "../../emulator/openrouter/state";
import { changedSteps, EngineStack, StepReport, useEngineStack } from "./harness";

jest.setTimeout(15 * 60_000);

const MANAGEMENT_KEY = "sk-or-mgmt-e2e-byok-0123456789abcdef";
const BYOK = "pulumi-nodejs:dynamic/openrouter:ByokKey";
const DESTINATION = "pulumi-nodejs:dynamic/openrouter:ObservabilityDestination";
const NATIVE_BYOK = "openrouter:index:ByokKey";
const NATIVE_DESTINATION = "openrouter:index:ObservabilityDestination";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");

const FIRST_KEY = "sk-proj-first-credential-0a1b2c3d";
const SECOND_KEY = "sk-proj-rotated-credential-9z8y7x";
const FIRST_S3_SECRET = "wJalrXUtnFEMI-first-s3-secret-KEY1";
const SECOND_S3_SECRET = "wJalrXUtnFEMI-second-s3-secret-KEY2";
const HEADER_TOKEN = "Bearer header-token-5f6e7d8c9b";
const PLAINTEXTS = [FIRST_KEY, SECOND_KEY, FIRST_S3_SECRET, SECOND_S3_SECRET, HEADER_TOKEN];

let emulator: RunningEmulator;
let byokArgs: ((hash: pulumi.Output<string>) => ByokKeyArgs) | undefined;
let destinationArgs: ((hash: pulumi.Output<string>) => ObservabilityDestinationArgs) | undefined;
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: ["unused-portkey-key"], managementKeys: [MANAGEMENT_KEY] });
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "openrouter:managementKey": { value: MANAGEMENT_KEY, secret: true },
  "openrouter:baseUrl": { value: emulator.openrouterBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "openrouter-byok-observability",
  program: async () => {
    const key = new openrouter.ApiKey("ci", { name: "ci" });
    const outputs: Record<string, unknown> = { hash: key.hash };
    if (byokArgs) outputs.label = new openrouter.ByokKey("openai", byokArgs(key.hash)).label;
    if (destinationArgs) outputs.destination = new openrouter.ObservabilityDestination("traces", destinationArgs(key.hash)).id;
    return outputs;
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "openrouter-byok-observability-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

async function api(method: string, route: string, body?: unknown) {
  const headers = { authorization: `Bearer ${MANAGEMENT_KEY}`, "content-type": "application/json" };
  const response = await fetch(`${emulator.openrouterBaseUrl}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

function byokKeys(): OpenRouterByokKeyRecord[] {
  return Object.values(emulator.openrouterState().byokKeys ?? {}).filter((k) => !k.deleted_at);
}
function destinations(): OpenRouterDestinationRecord[] {
  return Object.values(emulator.openrouterState().destinations ?? {}).filter((d) => !d.deleted_at);
}
function ourHash(): string {
  return Object.values(emulator.openrouterState().keys).find((k) => !k.deleted_at && k.name === "ci")!.hash;
}
/** Bodies the emulator received on one route since `from` (an index into the request log). */
function bodies(route: string, from = 0): unknown[] {
  return emulator
    .requestLog()
    .slice(from)
    .filter((r) => r.route === route)
    .map((r) => r.body);
}
/** Ops of the resources of one of our types (the ApiKey and stack excluded). */
function ops(steps: StepReport[]): string[] {
  return changedSteps(steps)
    .filter((s) => s.type.includes("ByokKey") || s.type.includes("ObservabilityDestination"))
    // A replacement is reported once, as "replace".
    .filter((s) => s.op !== "create-replacement" && s.op !== "delete-replaced")
    .map((s) => `${s.op} ${s.type.replace(/^.*[:/]/, "")}`)
    .sort();
}
async function expectClean(stack: EngineStack = engine()): Promise<void> {
  expect(ops((await stack.preview()).steps)).toEqual([]);
}
/** None of the credentials is in plaintext in the stack's state, its backend files or anything the engine printed. */
async function expectNoPlaintext(stack: EngineStack = engine()): Promise<void> {
  const state = (await stack.exportState()).text;
  const files = stack.backendFilesText();
  const log = stack.log.join("\n");
  for (const secret of PLAINTEXTS) {
    expect(state).not.toContain(secret);
    expect(files).not.toContain(secret);
    expect(log).not.toContain(secret);
  }
}

const s3 = (secret: string) => ({ bucketName: "traces", accessKeyId: "AKIAEXAMPLE123", secretAccessKey: secret, region: "us-east-1" });

describe("dynamic", () => {
  test("a BYOK key without its credential is refused at preview, naming `key`", async () => {
    byokArgs = () => ({ providerSlug: "openai" });
    await expect(engine().preview()).rejects.toThrow(/key: required to create a BYOK key/);
    byokArgs = undefined;
  });

  test("up creates both with exactly what was declared; credentials are secrets; a second preview is clean", async () => {
    const from = emulator.requestLog().length;
    byokArgs = (hash) => ({ providerSlug: "openai", key: FIRST_KEY, name: "prod", allowedApiKeyHashes: [hash] });
    destinationArgs = () => ({ type: "s3", name: "traces", config: s3(FIRST_S3_SECRET), samplingRate: 0.5 });
    const result = await engine().up();
    expect(ops(result.steps)).toEqual(["create ByokKey", "create ObservabilityDestination"]);
    const hash = ourHash();
    expect(bodies("POST openrouter /byok", from)).toEqual([{ provider: "openai", key: FIRST_KEY, name: "prod", allowed_api_key_hashes: [hash] }]);
    expect(bodies("POST openrouter /observability/destinations", from)).toEqual([{ type: "s3", name: "traces", config: s3(FIRST_S3_SECRET), sampling_rate: 0.5 }]);
    const [byok] = byokKeys();
    expect(byok).toMatchObject({ provider: "openai", key: FIRST_KEY, name: "prod", allowed_api_key_hashes: [hash] });
    expect(result.outputs.label.value).toBe(byok.label);
    const [destination] = destinations();
    expect(destination.config).toMatchObject({ ...s3(FIRST_S3_SECRET), prefix: "openrouter-traces" });
    const state = await engine().exportState();
    expect(state.resource(BYOK, "openai")?.id).toBe(byok.id);
    expect(state.resource(BYOK, "openai")?.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });
    expect(state.resource(DESTINATION, "traces")?.outputs?.config).toMatchObject({ ciphertext: expect.any(String) });
    await expectNoPlaintext();
    await expectClean();
  });

  test("every updatable field changes in place, each PATCH sending only what changed", async () => {
    const from = emulator.requestLog().length;
    const ids = [byokKeys()[0].id, destinations()[0].id];
    const rules = { groups: [{ logic: "or" as const, rules: [{ field: "model" as const, operator: "starts_with" as const, value: "openai/" }] }] };
    byokArgs = (hash) => ({
      providerSlug: "openai",
      key: FIRST_KEY,
      name: "production",
      disabled: true,
      isFallback: true,
      allowedApiKeyHashes: [hash],
      allowedModels: ["openai/gpt-4o"],
      allowedUserIds: ["user_2abc"],
    });
    destinationArgs = (hash) => ({
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
      filterRules: rules,
    });
    expect(ops((await engine().preview()).steps)).toEqual(["update ByokKey", "update ObservabilityDestination"]);
    await engine().up();
    const hash = ourHash();
    expect(bodies("PATCH openrouter /byok/{id}", from)).toEqual([
      { name: "production", disabled: true, is_fallback: true, allowed_models: ["openai/gpt-4o"], allowed_user_ids: ["user_2abc"] },
    ]);
    expect(bodies("PATCH openrouter /observability/destinations/{id}", from)).toEqual([
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
        filter_rules: rules,
      },
    ]);
    expect([byokKeys()[0].id, destinations()[0].id]).toEqual(ids);
    expect(byokKeys()[0]).toMatchObject({ name: "production", disabled: true, is_fallback: true, allowed_models: ["openai/gpt-4o"], allowed_user_ids: ["user_2abc"] });
    expect(destinations()[0]).toMatchObject({ name: "traces-eu", enabled: false, privacy_mode: true, sampling_rate: 0.25, api_key_hashes: [hash] });
    expect(destinations()[0].config).toEqual({ ...s3(FIRST_S3_SECRET), region: "eu-west-1", prefix: "or", pathTemplate: "{prefix}/{date}", headers: { Authorization: HEADER_TOKEN } });
    await expectClean();
    await expectNoPlaintext();
  });

  test("changing the credentials rotates them in place: only the new secret is sent, state and log hold none", async () => {
    const from = emulator.requestLog().length;
    const oldLabel = byokKeys()[0].label;
    const previous = byokArgs!;
    byokArgs = (hash) => ({ ...previous(hash), key: SECOND_KEY });
    const previousDestination = destinationArgs!;
    destinationArgs = (hash) => {
      const args = previousDestination(hash);
      return { ...args, config: { ...(args.config as Record<string, string>), secretAccessKey: SECOND_S3_SECRET } };
    };
    expect(ops((await engine().preview()).steps)).toEqual(["update ByokKey", "update ObservabilityDestination"]);
    await engine().up();
    expect(bodies("PATCH openrouter /byok/{id}", from)).toEqual([{ key: SECOND_KEY }]);
    expect(bodies("PATCH openrouter /observability/destinations/{id}", from)).toEqual([{ config: { secretAccessKey: SECOND_S3_SECRET } }]);
    expect(byokKeys()[0].key).toBe(SECOND_KEY);
    expect(byokKeys()[0].label).not.toBe(oldLabel);
    expect(destinations()[0].config.secretAccessKey).toBe(SECOND_S3_SECRET);
    await expectClean();
    await expectNoPlaintext();
  });

  test("removing optional fields clears them (a config key goes back to its documented default)", async () => {
    const from = emulator.requestLog().length;
    byokArgs = () => ({ providerSlug: "openai", key: SECOND_KEY });
    destinationArgs = () => ({ type: "s3", name: "traces-eu", config: { ...s3(SECOND_S3_SECRET), region: "eu-west-1" } });
    await engine().up();
    expect(bodies("PATCH openrouter /byok/{id}", from)).toEqual([
      { name: null, disabled: false, is_fallback: false, allowed_api_key_hashes: null, allowed_models: null, allowed_user_ids: null },
    ]);
    expect(bodies("PATCH openrouter /observability/destinations/{id}", from)).toEqual([
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
    expect(byokKeys()[0]).toMatchObject({ name: null, disabled: false, is_fallback: false, allowed_api_key_hashes: null, allowed_models: null, allowed_user_ids: null });
    expect(destinations()[0]).toMatchObject({ enabled: true, privacy_mode: false, sampling_rate: 1, api_key_hashes: null, filter_rules: null });
    expect(destinations()[0].config).toEqual({ ...s3(SECOND_S3_SECRET), region: "eu-west-1", prefix: "openrouter-traces", pathTemplate: "{prefix}/{date}" });
    await expectClean();
  });

  test("out-of-band edits show after refresh and up repairs them", async () => {
    const byokId = byokKeys()[0].id;
    const destinationId = destinations()[0].id;
    expect((await api("PATCH", `/byok/${byokId}`, { name: "by hand", disabled: true })).status).toBe(200);
    expect((await api("PATCH", `/observability/destinations/${destinationId}`, { name: "by hand", enabled: false, config: { region: "ap-south-1" } })).status).toBe(200);
    await engine().refresh();
    const state = await engine().exportState();
    expect(state.resource(BYOK, "openai")?.outputs).toMatchObject({ name: "by hand", disabled: true });
    expect(state.resource(DESTINATION, "traces")?.outputs).toMatchObject({ name: "by hand", enabled: false });
    const preview = await engine().preview();
    expect(ops(preview.steps)).toEqual(["update ByokKey", "update ObservabilityDestination"]);
    const from = emulator.requestLog().length;
    await engine().up();
    expect(bodies("PATCH openrouter /byok/{id}", from)).toEqual([{ name: null, disabled: false }]);
    expect(bodies("PATCH openrouter /observability/destinations/{id}", from)).toEqual([{ name: "traces-eu", config: { region: "eu-west-1" }, enabled: true }]);
    expect(byokKeys()[0]).toMatchObject({ name: null, disabled: false, key: SECOND_KEY });
    expect(destinations()[0]).toMatchObject({ name: "traces-eu", enabled: true });
    expect(destinations()[0].config.region).toBe("eu-west-1");
    await expectClean();
    await expectNoPlaintext();
  });

  test("invalid input fails at preview with a message naming the property", async () => {
    const validByok = byokArgs;
    const validDestination = destinationArgs;
    const destination = (config: Record<string, string>, extra: Partial<ObservabilityDestinationArgs> = {}) => () => ({ type: "s3" as const, name: "traces-eu", config, ...extra });
    const cases: [typeof byokArgs, typeof destinationArgs, RegExp][] = [
      [() => ({ providerSlug: "", key: SECOND_KEY }), validDestination, /providerSlug.*must not be empty/],
      [() => ({ providerSlug: "openai", key: SECOND_KEY, allowedApiKeyHashes: ["not-a-hash"] }), validDestination, /allowedApiKeyHashes.*64 lowercase hex/],
      [() => ({ providerSlug: "openai", key: SECOND_KEY, allowedModels: [] }), validDestination, /allowedModels.*must not be empty/],
      [() => ({ providerSlug: "openai", key: SECOND_KEY, workspaceId: "research" }), validDestination, /workspaceId.*UUID/],
      [validByok, destination({ accessKeyId: "a", secretAccessKey: SECOND_S3_SECRET, region: "eu-west-1" }), /config\.bucketName.*required for type s3/],
      [validByok, destination({ ...s3(SECOND_S3_SECRET), region: "eu-west-1", path_template: "x" }), /config\.path_template.*camelCase: use pathTemplate/],
      [validByok, destination({ ...s3(SECOND_S3_SECRET), region: "eu-west-1" }, { samplingRate: 2 }), /samplingRate.*at most 1/],
      [
        validByok,
        destination({ ...s3(SECOND_S3_SECRET), region: "eu-west-1" }, { filterRules: { groups: [{ rules: [{ field: "bogus", operator: "equals", value: "x" }] }] } }),
        /filterRules\.groups\[0\]\.rules\[0\]\.field/,
      ],
      [validByok, destination({ ...s3(SECOND_S3_SECRET), region: "eu-west-1" }, { type: "nope" as "s3" }), /type/],
      // OpenRouter keeps a config key a PATCH leaves out, and `region` has no documented default.
      [validByok, destination({ bucketName: "traces", accessKeyId: "AKIAEXAMPLE123", secretAccessKey: SECOND_S3_SECRET }), /config\.region: cannot be removed in place/],
    ];
    try {
      for (const [nextByok, nextDestination, message] of cases) {
        byokArgs = nextByok;
        destinationArgs = nextDestination;
        await expect(engine().preview()).rejects.toThrow(message);
      }
    } finally {
      byokArgs = validByok;
      destinationArgs = validDestination;
    }
    await expectNoPlaintext();
  });

  test("a new provider or type replaces; an unchanged credential is sent again only to the new object", async () => {
    const oldByok = byokKeys()[0].id;
    const oldDestination = destinations()[0].id;
    byokArgs = () => ({ providerSlug: "anthropic", key: SECOND_KEY });
    destinationArgs = () => ({ type: "webhook", name: "hook", config: { url: "https://hooks.example/traces" } });
    expect(ops((await engine().preview()).steps)).toEqual(["replace ByokKey", "replace ObservabilityDestination"]);
    await engine().up();
    expect(byokKeys().map((k) => [k.provider, k.key])).toEqual([["anthropic", SECOND_KEY]]);
    expect(byokKeys()[0].id).not.toBe(oldByok);
    expect(destinations().map((d) => [d.type, d.config])).toEqual([["webhook", { url: "https://hooks.example/traces", method: "POST" }]]);
    expect(destinations()[0].id).not.toBe(oldDestination);
    await expectClean();
  });

  test("out-of-band deletes drop both on refresh and up recreates them", async () => {
    const oldByok = byokKeys()[0].id;
    const oldDestination = destinations()[0].id;
    expect((await api("DELETE", `/byok/${oldByok}`)).status).toBe(200);
    expect((await api("DELETE", `/observability/destinations/${oldDestination}`)).status).toBe(200);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(2);
    expect((await engine().exportState()).resources(BYOK)).toEqual([]);
    const result = await engine().up();
    expect(ops(result.steps)).toEqual(["create ByokKey", "create ObservabilityDestination"]);
    expect(byokKeys()).toHaveLength(1);
    expect(byokKeys()[0].id).not.toBe(oldByok);
    expect(destinations()).toHaveLength(1);
    await expectClean();
  });

  test("destroy deletes both", async () => {
    const destroyed = await engine().destroy();
    expect(ops(destroyed.steps)).toEqual(["delete ByokKey", "delete ObservabilityDestination"]);
    expect(byokKeys()).toEqual([]);
    expect(destinations()).toEqual([]);
    await expectNoPlaintext();
  });
});

describe("native", () => {
  test("create both, clean preview, destroy", async () => {
    nativeProgram = async () => {
      const byok = new nativeOpenrouter.ByokKey("openai", { providerSlug: "openai", key: FIRST_KEY, allowedModels: ["openai/gpt-4o"] });
      new nativeOpenrouter.ObservabilityDestination("traces", { type: "s3", name: "native-traces", config: s3(FIRST_S3_SECRET) });
      return { label: byok.label };
    };
    const created = await nativeEngine().up();
    expect(ops(created.steps)).toEqual(["create ByokKey", "create ObservabilityDestination"]);
    expect(changedSteps(created.steps).map((s) => s.type)).toEqual(expect.arrayContaining([NATIVE_BYOK, NATIVE_DESTINATION]));
    expect(byokKeys().map((k) => [k.provider, k.key, k.allowed_models])).toEqual([["openai", FIRST_KEY, ["openai/gpt-4o"]]]);
    expect(destinations().map((d) => d.config.secretAccessKey)).toEqual([FIRST_S3_SECRET]);
    await expectClean(nativeEngine());
    await expectNoPlaintext(nativeEngine());
    nativeProgram = async () => ({});
    await nativeEngine().up();
    expect(byokKeys()).toEqual([]);
    expect(destinations()).toEqual([]);
  });

  test("pulumi import takes both made by hand; the BYOK key previews clean without `key`, and declaring it sends it once", async () => {
    const byokId = (await api("POST", "/byok", { provider: "openai", key: FIRST_KEY, name: "by-hand", is_fallback: true })).body.data.id;
    const destinationId = (await api("POST", "/observability/destinations", { type: "webhook", name: "by-hand", config: { url: "https://hooks.example/h" }, sampling_rate: 0.5 })).body.data.id;
    const imported = await nativeEngine().stack.import({
      resources: [
        { type: NATIVE_BYOK, name: "byHand", id: byokId },
        { type: NATIVE_DESTINATION, name: "hook", id: destinationId },
      ],
      // Code generation needs the Go language host, which is not served here.
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 2 });
    const state = await nativeEngine().exportState();
    expect(state.resource(NATIVE_BYOK, "byHand")?.id).toBe(byokId);
    expect(state.resource(NATIVE_DESTINATION, "hook")?.id).toBe(destinationId);

    // An import reads the workspace the objects are in (here the default one): the program names it.
    const workspaceId = Object.values(emulator.openrouterState().workspaces).find((w) => w.is_default)!.id;
    const declared = (key: string | undefined, protect: boolean) => async () => {
      new nativeOpenrouter.ByokKey("byHand", { providerSlug: "openai", name: "by-hand", isFallback: true, workspaceId, ...(key ? { key } : {}) }, { protect });
      new nativeOpenrouter.ObservabilityDestination("hook", { type: "webhook", name: "by-hand", config: { url: "https://hooks.example/h" }, samplingRate: 0.5, workspaceId }, { protect });
      return {};
    };
    // The credential cannot be read back: without `key` the program leaves it alone.
    nativeProgram = declared(undefined, true);
    await expectClean(nativeEngine());
    nativeProgram = declared(SECOND_KEY, true);
    expect(ops((await nativeEngine().preview()).steps)).toEqual(["update ByokKey"]);
    const from = emulator.requestLog().length;
    await nativeEngine().up();
    expect(bodies("PATCH openrouter /byok/{id}", from)).toEqual([{ key: SECOND_KEY }]);
    expect(byokKeys()[0].key).toBe(SECOND_KEY);
    await expectClean(nativeEngine());
    await expectNoPlaintext(nativeEngine());

    nativeProgram = declared(SECOND_KEY, false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(byokKeys()).toEqual([]);
    expect(destinations()).toEqual([]);
  });
});
