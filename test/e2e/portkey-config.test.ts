/**
 * The Portkey Config resource through the real engine against the emulator.
 * Dynamic form: create, clean preview, name and config updated in place,
 * drift repaired, out-of-band delete, bad input at preview, destroy. Native
 * form (the provider plugin on PATH): create, update, clean preview, destroy,
 * and `pulumi import` of a config made by hand, then a clean preview.
 */
import * as path from "node:path";
import { portkey } from "../../sdk";
import type { ConfigArgs } from "../../sdk/portkey";
import { portkey as nativePortkey } from "../../sdk/native";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";
import type { ConfigRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const CONFIG = "pulumi-nodejs:dynamic/portkey:Config";
const NATIVE_CONFIG = "portkey:index:Config";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");

let emulator: RunningEmulator;
let ws: { id: string; slug: string };
let desired: ConfigArgs | undefined;
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
  ws = (await call(emulator, "POST", "/admin/workspaces", { name: "Configs" })).body;
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "portkey-config",
  program: async () => {
    if (!desired) return {};
    const cfg = new portkey.Config("cfg", desired);
    return { slug: cfg.slug, versionId: cfg.versionId };
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "portkey-config-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

/** Steps of resources the program declares (not the providers or the stack). */
function resourceSteps(steps: Parameters<typeof changedSteps>[0]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

function remote(): ConfigRecord[] {
  return Object.values(emulator.state().configs ?? {});
}

function parsed(record: ConfigRecord): unknown {
  return JSON.parse(record.config);
}

describe("dynamic", () => {
  test("up creates the config in the workspace; a second preview is clean", async () => {
    // The workspace by slug: the API answers with the UUID, which is no change.
    desired = { workspaceId: ws.slug, name: "Fallback", config: { strategy: { mode: "fallback" }, targets: [{ provider: "@openai" }, { provider: "@anthropic" }], retry: { attempts: 3 } } };
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${CONFIG}`]);
    const [made] = remote();
    expect(made).toMatchObject({ name: "Fallback", workspace_id: ws.id, is_default: 0 });
    expect(parsed(made)).toEqual(desired.config);
    expect(result.outputs.slug.value).toBe(made.slug);
    // The create sent what was declared, the config as an object and the workspace as its UUID.
    const [post] = emulator.requestLog().filter((r) => r.route === "POST /configs");
    expect(post.body).toEqual({ name: "Fallback", config: desired.config, workspace_id: ws.id });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("name and config change in place: same slug, a new version", async () => {
    const before = remote()[0];
    desired = { ...desired!, name: "Fallback v2" };
    let preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    expect(preview.diffText).toContain("name");
    await engine().up();
    desired = { ...desired!, config: { retry: { attempts: 5, on_status_codes: [429, 503] }, cache: { mode: "simple", max_age: 60 } } };
    preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    const result = await engine().up();
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    const [after] = remote();
    expect(after.slug).toBe(before.slug);
    expect(after.name).toBe("Fallback v2");
    expect(parsed(after)).toEqual(desired.config);
    expect(after.versions).toHaveLength(3);
    expect(result.outputs.versionId.value).toBe(after.version_id);
    // Each update sent only what changed.
    const puts = emulator.requestLog().filter((r) => r.route === "PUT /configs/{slug}");
    expect(puts.map((r) => Object.keys(r.body as object))).toEqual([["name"], ["config"]]);
  });

  test("an out-of-band edit shows after refresh and up repairs it", async () => {
    const slug = remote()[0].slug;
    await call(emulator, "PUT", `/configs/${slug}`, { config: { retry: { attempts: 1 } } });
    await engine().refresh();
    const stored = (await engine().exportState()).resource(CONFIG, "cfg")!;
    expect(stored.outputs).toMatchObject({ config: { retry: { attempts: 1 } } });
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    expect(preview.diffText).toMatch(/config/);
    await engine().up();
    expect(parsed(remote()[0])).toEqual(desired!.config);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("an out-of-band delete drops it from state on refresh and up recreates it", async () => {
    const old = remote()[0];
    await call(emulator, "DELETE", `/configs/${old.slug}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    expect((await engine().exportState()).resources(CONFIG)).toEqual([]);
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["create"]);
    expect(remote()).toHaveLength(1);
    expect(remote()[0].slug).not.toBe(old.slug);
  });

  test("invalid input fails at preview with a message naming the property", async () => {
    const valid = desired;
    const cases: [ConfigArgs, RegExp][] = [
      [{ ...valid!, name: "" }, /name.*must not be empty/],
      [{ ...valid!, workspaceId: "" }, /workspaceId.*must not be empty/],
      [{ ...valid!, config: "retry" as unknown as ConfigArgs["config"] }, /config/],
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

  test("destroy deletes the config", async () => {
    const destroyed = await engine().destroy();
    expect(resourceSteps(destroyed.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`delete ${CONFIG}`]);
    expect(remote()).toEqual([]);
  });
});

describe("native", () => {
  test("create, clean preview, update in place, clean preview, destroy", async () => {
    let name = "native-cfg";
    nativeProgram = async () => {
      const cfg = new nativePortkey.Config("cfg", { workspaceId: ws.id, name, config: { retry: { attempts: 2 } } });
      return { slug: cfg.slug };
    };
    const created = await nativeEngine().up();
    expect(resourceSteps(created.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${NATIVE_CONFIG}`]);
    expect(remote().map((c) => c.name)).toEqual(["native-cfg"]);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);

    name = "native-cfg-2";
    const preview = await nativeEngine().preview();
    expect(resourceSteps(preview.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`update ${NATIVE_CONFIG}`]);
    expect(preview.diffText).toMatch(/~ name\s*:\s*"native-cfg" => "native-cfg-2"/);
    await nativeEngine().up();
    expect(remote().map((c) => c.name)).toEqual(["native-cfg-2"]);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);

    await nativeEngine().destroy();
    expect(remote()).toEqual([]);
  });

  test("pulumi import takes a config made by hand under management; the program declaring it previews clean", async () => {
    const made = (await call(emulator, "POST", "/configs", { name: "by-hand", config: { cache: { mode: "simple" }, retry: { attempts: 4 } }, workspace_id: ws.id })).body as { slug: string };
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({
      resources: [{ type: NATIVE_CONFIG, name: "byHand", id: made.slug }],
      // Code generation needs the Go language host, which is not served here.
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    expect((await nativeEngine().exportState()).resource(NATIVE_CONFIG, "byHand")?.id).toBe(made.slug);

    const declared = (protect: boolean) => async () => {
      // Keys in another order than Portkey stores them: no change.
      new nativePortkey.Config("byHand", { workspaceId: ws.id, name: "by-hand", config: { retry: { attempts: 4 }, cache: { mode: "simple" } } }, { protect });
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
