/**
 * The Portkey SecretReference resource through the real engine against the
 * emulator. Dynamic form: create (store credentials never in plaintext in
 * state, backend files or the engine's log), clean preview, every updatable
 * field changed in place, a credential rotated (the PUT carries
 * `auth_config`), optional fields cleared (the workspace list by opening the
 * reference to all workspaces), drift repaired, out-of-band delete, a
 * manager type change replacing it, bad input at preview, an Integration
 * taking its key from the reference (`secretMappings`), destroy. Native form:
 * create, clean preview, `pulumi import`.
 */
import * as path from "node:path";
import { portkey } from "../../sdk";
import type { SecretReferenceArgs, IntegrationArgs } from "../../sdk/portkey";
import { portkey as nativePortkey } from "../../sdk/native";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";
import type { SecretReferenceRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const REFERENCE = "pulumi-nodejs:dynamic/portkey:SecretReference";
const INTEGRATION = "pulumi-nodejs:dynamic/portkey:Integration";
const NATIVE_REFERENCE = "portkey:index:SecretReference";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");
const FIRST_SECRET = "aws-secret-e2e-5f0c1a9b7d";
const SECOND_SECRET = "aws-secret-e2e-88d2e4c6aa";
const ACCESS_KEY_ID = "AKIAE2EEXAMPLE4242";

let emulator: RunningEmulator;
let ws: { id: string; slug: string };
let other: { id: string; slug: string };
let desired: SecretReferenceArgs | undefined;
/** An integration taking a field from the reference, when set. */
let mapped: Omit<IntegrationArgs, "secretMappings"> | undefined;
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
  ws = (await call(emulator, "POST", "/admin/workspaces", { name: "Secrets" })).body;
  other = (await call(emulator, "POST", "/admin/workspaces", { name: "Other" })).body;
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "portkey-secret-reference",
  program: async () => {
    if (!desired) return {};
    // No deleteBeforeReplace option: Portkey derives the same slug from the same name, and the slug is declared unique, so a replacement deletes first.
    const ref = new portkey.SecretReference("ref", desired);
    if (mapped) new portkey.Integration("mapped", { ...mapped, secretMappings: [{ targetField: "key", secretReferenceId: ref.id }] });
    return { id: ref.id, slug: ref.slug, allowAllWorkspaces: ref.allowAllWorkspaces };
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "portkey-secret-reference-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

function resourceSteps(steps: Parameters<typeof changedSteps>[0]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

function remote(): SecretReferenceRecord[] {
  return Object.values(emulator.state().secret_references ?? {});
}

function bodies(route: string): unknown[] {
  return emulator.requestLog().filter((r) => r.route === route).map((r) => r.body);
}

/** No store credential is in plaintext in the stack's state, its backend files or anything the engine printed. */
async function expectNoPlaintextSecrets(stack: ReturnType<typeof engine>): Promise<void> {
  const state = await stack.exportState();
  for (const secret of [FIRST_SECRET, SECOND_SECRET, ACCESS_KEY_ID]) {
    expect(state.text).not.toContain(secret);
    expect(stack.backendFilesText()).not.toContain(secret);
    expect(stack.log.join("\n")).not.toContain(secret);
  }
}

const accessKeys = (secret: string) => ({ aws_auth_type: "accessKey", aws_access_key_id: ACCESS_KEY_ID, aws_secret_access_key: secret, aws_region: "us-east-1" });

describe("dynamic", () => {
  test("up creates the reference with what was declared; the credentials are not in plaintext; a second preview is clean", async () => {
    desired = {
      name: "OpenAI key",
      managerType: "aws_sm",
      authConfig: accessKeys(FIRST_SECRET),
      secretPath: "prod/openai",
      secretKey: "api_key",
      description: "the production key",
      tags: { team: "ml" },
      allowedWorkspaces: [ws.slug],
    };
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${REFERENCE}`]);
    const [made] = remote();
    expect(made).toMatchObject({ name: "OpenAI key", slug: "OpenAI-key", manager_type: "aws_sm", auth_config: accessKeys(FIRST_SECRET), secret_path: "prod/openai", secret_key: "api_key", description: "the production key", tags: { team: "ml" }, allow_all_workspaces: false, allowed_workspaces: [ws.id] });
    expect(bodies("POST /secret-references")).toEqual([
      { name: "OpenAI key", manager_type: "aws_sm", auth_config: accessKeys(FIRST_SECRET), secret_path: "prod/openai", secret_key: "api_key", description: "the production key", tags: { team: "ml" }, allowed_workspaces: [ws.slug] },
    ]);
    expect(result.outputs.id.value).toBe(made.id);
    expect(result.outputs.slug.value).toBe("OpenAI-key");
    expect(result.outputs.allowAllWorkspaces.value).toBe(false);
    const stored = (await engine().exportState()).resource(REFERENCE, "ref")!;
    expect(stored.id).toBe(made.id);
    expect(stored.outputs?.authConfig).toMatchObject({ ciphertext: expect.any(String) });
    await expectNoPlaintextSecrets(engine());
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("every other field changes in place, each PUT carrying only what changed; rotating the credential sends auth_config", async () => {
    const before = { ...remote()[0] };
    desired = { ...desired!, name: "OpenAI key v2", description: "rotated yearly", secretPath: "prod/openai-v2", secretKey: "key", tags: { team: "platform" }, allowedWorkspaces: [ws.slug, other.id] };
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    desired = { ...desired!, authConfig: accessKeys(SECOND_SECRET) };
    await engine().up();
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    const [after] = remote();
    expect(after.id).toBe(before.id);
    expect(after).toMatchObject({ name: "OpenAI key v2", description: "rotated yearly", secret_path: "prod/openai-v2", secret_key: "key", tags: { team: "platform" }, allowed_workspaces: [ws.id, other.id], auth_config: accessKeys(SECOND_SECRET) });
    expect(bodies("PUT /secret-references/{secretReferenceId}")).toEqual([
      { name: "OpenAI key v2", description: "rotated yearly", secret_path: "prod/openai-v2", secret_key: "key", tags: { team: "platform" }, allowed_workspaces: [ws.slug, other.id] },
      { auth_config: accessKeys(SECOND_SECRET) },
    ]);
    await expectNoPlaintextSecrets(engine());
  });

  test("removing the optional fields clears them; removing the workspace list opens the reference to every workspace", async () => {
    const putsBefore = bodies("PUT /secret-references/{secretReferenceId}").length;
    const { description: _d, secretKey: _k, tags: _t, allowedWorkspaces: _w, ...rest } = desired!;
    desired = rest;
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["update"]);
    expect(remote()[0]).toMatchObject({ description: null, secret_key: null, tags: null, allow_all_workspaces: true, allowed_workspaces: [] });
    expect(bodies("PUT /secret-references/{secretReferenceId}").slice(putsBefore)).toEqual([{ description: null, secret_key: null, tags: null, allow_all_workspaces: true }]);
    expect(result.outputs.allowAllWorkspaces.value).toBe(true);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("an out-of-band edit shows after refresh and up repairs it; restricting it by hand shows too", async () => {
    const id = remote()[0].id;
    await call(emulator, "PUT", `/secret-references/${id}`, { secret_path: "changed/by-hand", allowed_workspaces: [other.id] });
    await engine().refresh();
    const stored = (await engine().exportState()).resource(REFERENCE, "ref")!;
    expect(stored.outputs).toMatchObject({ secretPath: "changed/by-hand", allowAllWorkspaces: false });
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    expect(preview.diffText).toMatch(/secretPath/);
    expect(preview.diffText).toMatch(/allowedWorkspaces/);
    await engine().up();
    expect(remote()[0]).toMatchObject({ secret_path: desired!.secretPath, allow_all_workspaces: true });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("an integration takes its key from the reference; the reference cannot go while it is mapped", async () => {
    mapped = { name: "OpenAI via store", slug: "openai-store", aiProviderId: "openai" };
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${INTEGRATION}`]);
    const integration = emulator.state().integrations["openai-store"];
    expect(integration).toMatchObject({ key: null, secret_mappings: [{ target_field: "key", secret_reference_id: remote()[0].id, secret_key: null }] });
    expect(bodies("POST /integrations")).toEqual([{ name: "OpenAI via store", slug: "openai-store", ai_provider_id: "openai", secret_mappings: [{ target_field: "key", secret_reference_id: remote()[0].id }] }]);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    const refused = await call(emulator, "DELETE", `/secret-references/${remote()[0].id}`);
    expect(refused.status).toBe(400);
    mapped = undefined;
    const removed = await engine().up();
    expect(resourceSteps(removed.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`delete ${INTEGRATION}`]);
  });

  test("an out-of-band delete drops it from state on refresh and up recreates it", async () => {
    const old = { ...remote()[0] };
    await call(emulator, "DELETE", `/secret-references/${old.id}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    expect((await engine().exportState()).resources(REFERENCE)).toEqual([]);
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["create"]);
    expect(remote()).toHaveLength(1);
    expect(remote()[0].id).not.toBe(old.id);
  });

  test("changing the store replaces the reference, deleting the old one first (its derived slug is taken until then)", async () => {
    const old = { ...remote()[0] };
    desired = { ...desired!, managerType: "hashicorp_vault", authConfig: { vault_auth_type: "token", vault_addr: "https://vault.example", vault_token: FIRST_SECRET } };
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toContain("replace");
    const before = emulator.requestLog().length;
    await engine().up();
    const writes = emulator.requestLog().slice(before).map((r) => r.route).filter((route) => /^(POST|DELETE) \/secret-references/.test(route));
    expect(writes).toEqual(["DELETE /secret-references/{secretReferenceId}", "POST /secret-references"]);
    expect(remote()).toHaveLength(1);
    expect(remote()[0]).toMatchObject({ manager_type: "hashicorp_vault" });
    expect(remote()[0].id).not.toBe(old.id);
    await expectNoPlaintextSecrets(engine());
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("invalid input fails at preview with a message naming the property", async () => {
    const valid = desired;
    const cases: [SecretReferenceArgs, RegExp][] = [
      [{ ...valid!, name: "" }, /name.*must not be empty/],
      [{ ...valid!, slug: "has space" }, /slug.*must be a slug/],
      [{ ...valid!, managerType: "gcp_sm" as SecretReferenceArgs["managerType"] }, /managerType/],
      [{ ...valid!, authConfig: { vault_auth_type: "token", vault_addr: "https://vault.example" } }, /authConfig\.vault_token.*required/],
      [{ ...valid!, authConfig: accessKeys(FIRST_SECRET) }, /authConfig\.vault_auth_type.*must be one of/],
      [{ ...valid!, secretPath: "" }, /secretPath.*must not be empty/],
      [{ ...valid!, allowedWorkspaces: [] }, /allowedWorkspaces.*at least one workspace/],
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

  test("destroy deletes the reference", async () => {
    const destroyed = await engine().destroy();
    expect(resourceSteps(destroyed.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`delete ${REFERENCE}`]);
    expect(remote()).toEqual([]);
  });
});

describe("native", () => {
  test("create, clean preview, update in place, clean preview, a replacement deleting first, destroy", async () => {
    let secretPath = "native/one";
    let managerType: "aws_sm" | "hashicorp_vault" = "aws_sm";
    nativeProgram = async () => {
      const authConfig = managerType === "aws_sm" ? accessKeys(FIRST_SECRET) : { vault_auth_type: "token", vault_addr: "https://vault.example", vault_token: FIRST_SECRET };
      const ref = new nativePortkey.SecretReference("ref", { name: "native-ref", managerType, authConfig, secretPath });
      return { id: ref.id };
    };
    const created = await nativeEngine().up();
    expect(resourceSteps(created.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${NATIVE_REFERENCE}`]);
    expect(remote().map((r) => r.name)).toEqual(["native-ref"]);
    expect((await nativeEngine().exportState()).text).not.toContain(FIRST_SECRET);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);

    secretPath = "native/two";
    const preview = await nativeEngine().preview();
    expect(resourceSteps(preview.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`update ${NATIVE_REFERENCE}`]);
    await nativeEngine().up();
    expect(remote().map((r) => r.secret_path)).toEqual(["native/two"]);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);

    // The derived slug stays the same, and it is unique: the plugin's diff asks the engine to delete first.
    managerType = "hashicorp_vault";
    const before = emulator.requestLog().length;
    await nativeEngine().up();
    const writes = emulator.requestLog().slice(before).map((r) => r.route).filter((route) => /^(POST|DELETE) \/secret-references/.test(route));
    expect(writes).toEqual(["DELETE /secret-references/{secretReferenceId}", "POST /secret-references"]);
    expect(remote().map((r) => [r.name, r.manager_type])).toEqual([["native-ref", "hashicorp_vault"]]);

    await nativeEngine().destroy();
    expect(remote()).toEqual([]);
  });

  test("pulumi import takes a reference made by hand under management; the program declaring it previews clean", async () => {
    // An assumed role holds no credential, so everything the program declares can be read back.
    const authConfig = { aws_auth_type: "assumedRole", aws_role_arn: "arn:aws:iam::123456789012:role/portkey", aws_region: "eu-west-1" };
    const made = (await call(emulator, "POST", "/secret-references", { name: "by-hand", slug: "by-hand", manager_type: "aws_sm", auth_config: authConfig, secret_path: "hand/made" })).body as { id: string };
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({
      resources: [{ type: NATIVE_REFERENCE, name: "byHand", id: made.id }],
      // Code generation needs the Go language host, which is not served here.
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    expect((await nativeEngine().exportState()).resource(NATIVE_REFERENCE, "byHand")?.id).toBe(made.id);

    const declared = (protect: boolean) => async () => {
      new nativePortkey.SecretReference("byHand", { name: "by-hand", slug: "by-hand", managerType: "aws_sm", authConfig, secretPath: "hand/made" }, { protect });
      return {};
    };
    nativeProgram = declared(true);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    nativeProgram = declared(false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(remote()).toEqual([]);
  });
});

test("every response the emulator gave conformed to the official document", () => {
  expect(emulator.specViolations()).toEqual([]);
});
