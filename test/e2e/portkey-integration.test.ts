/**
 * The Portkey Integration resource through the real engine against the
 * emulator. Dynamic form: create (the body is what was declared), clean
 * preview, name/description/configurations updated in place, the credential
 * rotated (never in plaintext in state or the engine's log), drift repaired,
 * out-of-band delete, bad input at preview, destroy. Native form: create,
 * clean preview, update, destroy, and `pulumi import` by slug: the credential
 * cannot be read back, so the program previews clean without `key`, and the
 * first `up` declaring it sends it once.
 */
import * as path from "node:path";
import { portkey } from "../../sdk";
import type { IntegrationArgs } from "../../sdk/portkey";
import { portkey as nativePortkey } from "../../sdk/native";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";
import type { IntegrationRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const INTEGRATION = "pulumi-nodejs:dynamic/portkey:Integration";
const NATIVE_INTEGRATION = "portkey:index:Integration";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");
const FIRST_KEY = "sk-first-credential-0a1b2c3d4e5f";
const SECOND_KEY = "sk-rotated-credential-9z8y7x6w5v";

let emulator: RunningEmulator;
let desired: IntegrationArgs | undefined;
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "portkey-integration",
  program: async () => {
    if (!desired) return {};
    const integration = new portkey.Integration("openai", desired);
    return { slug: integration.slug, maskedKey: integration.maskedKey };
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "portkey-integration-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

/** Steps of resources the program declares (not the providers or the stack). */
function resourceSteps(steps: Parameters<typeof changedSteps>[0]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

function remote(): IntegrationRecord[] {
  return Object.values(emulator.state().integrations ?? {});
}

/** Neither key is in plaintext in the stack's state, its backend files or anything the engine printed. */
async function expectNoPlaintextKeys(stack: ReturnType<typeof engine>): Promise<void> {
  const state = await stack.exportState();
  for (const key of [FIRST_KEY, SECOND_KEY]) {
    expect(state.text).not.toContain(key);
    expect(stack.backendFilesText()).not.toContain(key);
    expect(stack.log.join("\n")).not.toContain(key);
  }
}

describe("dynamic", () => {
  test("up creates the integration with what was declared; the key is not in plaintext; a second preview is clean", async () => {
    desired = { name: "OpenAI prod", aiProviderId: "openai", key: FIRST_KEY, description: "customer-facing", configurations: { openai_organization: "org-1" } };
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${INTEGRATION}`]);
    const [made] = remote();
    expect(made).toMatchObject({ name: "OpenAI prod", ai_provider_id: "openai", key: FIRST_KEY, description: "customer-facing", workspace_id: null });
    expect(made.configurations).toEqual({ openai_organization: "org-1" });
    // No slug declared: the server's is the id.
    expect(result.outputs.slug.value).toBe(made.slug);
    expect(result.outputs.maskedKey.value).toMatch(/^sk\*+5f$/);
    const [post] = emulator.requestLog().filter((r) => r.route === "POST /integrations");
    expect(post.body).toEqual({ name: "OpenAI prod", ai_provider_id: "openai", key: FIRST_KEY, description: "customer-facing", configurations: { openai_organization: "org-1" } });
    const stored = (await engine().exportState()).resource(INTEGRATION, "openai")!;
    expect(stored.id).toBe(made.slug);
    expect(stored.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });
    await expectNoPlaintextKeys(engine());
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("name, description and configurations change in place, each update sending only what changed", async () => {
    const before = remote()[0];
    desired = { ...desired!, name: "OpenAI production" };
    let preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    expect(preview.diffText).toContain("name");
    await engine().up();
    desired = { ...desired!, description: undefined, configurations: { openai_organization: "org-2", openai_project: "proj-1" } };
    preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    const [after] = remote();
    expect(after.slug).toBe(before.slug);
    expect(after).toMatchObject({ name: "OpenAI production", key: FIRST_KEY });
    // Cleared: the update sent "" (the document's body types it as a string).
    expect(after.description ?? "").toBe("");
    expect(after.configurations).toEqual({ openai_organization: "org-2", openai_project: "proj-1" });
    const puts = emulator.requestLog().filter((r) => r.route === "PUT /integrations/{slug}");
    expect(puts.map((r) => r.body)).toEqual([{ name: "OpenAI production" }, { description: "", configurations: { openai_organization: "org-2", openai_project: "proj-1" } }]);
  });

  test("changing the key rotates the credential: the PUT carries the new key, state and log hold neither", async () => {
    const putsBefore = emulator.requestLog().filter((r) => r.route === "PUT /integrations/{slug}").length;
    await expectNoPlaintextKeys(engine());
    desired = { ...desired!, key: SECOND_KEY };
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    expect(remote()[0].key).toBe(SECOND_KEY);
    const puts = emulator.requestLog().filter((r) => r.route === "PUT /integrations/{slug}").slice(putsBefore);
    expect(puts.map((r) => r.body)).toEqual([{ key: SECOND_KEY }]);
    await expectNoPlaintextKeys(engine());
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("an out-of-band edit shows after refresh and up repairs it", async () => {
    const slug = remote()[0].slug;
    await call(emulator, "PUT", `/integrations/${slug}`, { name: "renamed by hand", configurations: { openai_organization: "org-x" } });
    await engine().refresh();
    const stored = (await engine().exportState()).resource(INTEGRATION, "openai")!;
    expect(stored.outputs).toMatchObject({ name: "renamed by hand" });
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    expect(remote()[0]).toMatchObject({ name: "OpenAI production", key: SECOND_KEY });
    expect(remote()[0].configurations).toEqual(desired!.configurations);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    await expectNoPlaintextKeys(engine());
  });

  test("an out-of-band delete drops it from state on refresh and up recreates it", async () => {
    const old = remote()[0];
    await call(emulator, "DELETE", `/integrations/${old.slug}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    expect((await engine().exportState()).resources(INTEGRATION)).toEqual([]);
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["create"]);
    expect(remote()).toHaveLength(1);
    expect(remote()[0]).toMatchObject({ name: "OpenAI production", key: SECOND_KEY });
    expect(remote()[0].slug).not.toBe(old.slug);
  });

  test("invalid input fails at preview with a message naming the property, and never shows the key", async () => {
    const valid = desired;
    const cases: [IntegrationArgs, RegExp][] = [
      [{ ...valid!, name: "" }, /name.*must not be empty/],
      [{ ...valid!, aiProviderId: "" }, /aiProviderId.*must not be empty/],
      [{ ...valid!, slug: "not a slug" }, /slug.*must be a slug/],
      [{ ...valid!, key: "" }, /key.*must not be empty/],
      [{ ...valid!, configurations: "org" as unknown as IntegrationArgs["configurations"] }, /configurations/],
      [{ ...valid!, createDefaultProvider: false }, /createDefaultProvider.*workspaceId/],
    ];
    try {
      for (const [args, message] of cases) {
        desired = args;
        await expect(engine().preview()).rejects.toThrow(message);
      }
    } finally {
      desired = valid;
    }
    await expectNoPlaintextKeys(engine());
  });

  test("destroy deletes the integration", async () => {
    const destroyed = await engine().destroy();
    expect(resourceSteps(destroyed.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`delete ${INTEGRATION}`]);
    expect(remote()).toEqual([]);
    await expectNoPlaintextKeys(engine());
  });
});

describe("native", () => {
  test("create with a slug, clean preview, update in place, clean preview, destroy", async () => {
    let name = "native-openai";
    nativeProgram = async () => {
      const integration = new nativePortkey.Integration("openai", { name, slug: "native-openai", aiProviderId: "openai", key: FIRST_KEY });
      return { slug: integration.slug };
    };
    const created = await nativeEngine().up();
    expect(resourceSteps(created.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${NATIVE_INTEGRATION}`]);
    expect(remote().map((i) => [i.slug, i.name, i.key])).toEqual([["native-openai", "native-openai", FIRST_KEY]]);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);

    name = "native-openai-2";
    const preview = await nativeEngine().preview();
    expect(resourceSteps(preview.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`update ${NATIVE_INTEGRATION}`]);
    expect(preview.diffText).toMatch(/~ name\s*:\s*"native-openai" => "native-openai-2"/);
    await nativeEngine().up();
    expect(remote().map((i) => i.name)).toEqual(["native-openai-2"]);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    await expectNoPlaintextKeys(nativeEngine());

    await nativeEngine().destroy();
    expect(remote()).toEqual([]);
  });

  test("pulumi import takes an integration made by hand; it previews clean without `key`, and declaring `key` sends it once", async () => {
    await call(emulator, "POST", "/integrations", { name: "by-hand", slug: "by-hand", ai_provider_id: "openai", key: FIRST_KEY, configurations: { openai_project: "p1" } });
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({
      resources: [{ type: NATIVE_INTEGRATION, name: "byHand", id: "by-hand" }],
      // Code generation needs the Go language host, which is not served here.
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    expect((await nativeEngine().exportState()).resource(NATIVE_INTEGRATION, "byHand")?.id).toBe("by-hand");

    const declared = (key: string | undefined, protect: boolean) => async () => {
      new nativePortkey.Integration("byHand", { name: "by-hand", aiProviderId: "openai", configurations: { openai_project: "p1" }, ...(key ? { key } : {}) }, { protect });
      return {};
    };
    // The credential cannot be read back: without `key` the program leaves it alone.
    nativeProgram = declared(undefined, true);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    // Declaring it is one update that sends it; then the program is clean.
    nativeProgram = declared(SECOND_KEY, true);
    const putsBefore = emulator.requestLog().filter((r) => r.route === "PUT /integrations/{slug}").length;
    expect(resourceSteps((await nativeEngine().preview()).steps).map((s) => s.op)).toEqual(["update"]);
    await nativeEngine().up();
    const puts = emulator.requestLog().filter((r) => r.route === "PUT /integrations/{slug}").slice(putsBefore);
    expect(puts.map((r) => r.body)).toEqual([{ key: SECOND_KEY }]);
    expect(remote()[0].key).toBe(SECOND_KEY);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    await expectNoPlaintextKeys(nativeEngine());

    nativeProgram = declared(SECOND_KEY, false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(remote()).toEqual([]);
  });
});

test("every response the emulator gave conformed to the official document", () => {
  expect(emulator.specViolations()).toEqual([]);
});
