/**
 * The Portkey Guardrail resource through the real engine against the
 * emulator. Dynamic form: create, clean preview, name/checks/actions updated
 * in place (each PUT carrying only what changed), compared by meaning, drift
 * repaired, out-of-band delete (Portkey answers 403 for it: the list proves
 * it gone), a scope change replacing it, a Workspace naming it as a default
 * input guardrail, bad input at preview, the checks (webhook credentials) a
 * secret, destroy. Native form: create, clean preview, `pulumi import`.
 */
import * as path from "node:path";
import { portkey } from "../../sdk";
import type { GuardrailArgs } from "../../sdk/portkey";
import { portkey as nativePortkey } from "../../sdk/native";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";
import type { GuardrailRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const GUARDRAIL = "pulumi-nodejs:dynamic/portkey:Guardrail";
const WORKSPACE = "pulumi-nodejs:dynamic/portkey:Workspace";
const NATIVE_GUARDRAIL = "portkey:index:Guardrail";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");
const WEBHOOK_TOKEN = "Bearer whk-e2e-7a1c9d3f0b";

let emulator: RunningEmulator;
let ws: { id: string; slug: string };
let desired: GuardrailArgs | undefined;
/** Whether the program also declares a workspace whose default input guardrail is this one. */
let withWorkspace = false;
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
  ws = (await call(emulator, "POST", "/admin/workspaces", { name: "Guardrails" })).body;
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "portkey-guardrail",
  program: async () => {
    if (!desired) return {};
    const guard = new portkey.Guardrail("guard", desired);
    if (withWorkspace) new portkey.Workspace("guarded", { name: "Guarded", inputGuardrails: [guard.slug], forceDelete: true });
    return { slug: guard.slug, versionId: guard.versionId };
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "portkey-guardrail-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

function resourceSteps(steps: Parameters<typeof changedSteps>[0]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

function remote(): GuardrailRecord[] {
  return Object.values(emulator.state().guardrails ?? {});
}

function bodies(route: string): unknown[] {
  return emulator.requestLog().filter((r) => r.route === route).map((r) => r.body);
}

const REGEX = { id: "default.regexMatch", parameters: { rule: "\\b\\d{3}-\\d{2}-\\d{4}\\b", not: false } };
const WEBHOOK = { id: "default.webhook", parameters: { webhookURL: "https://hooks.example/check", headers: { Authorization: WEBHOOK_TOKEN } } };

describe("dynamic", () => {
  test("up creates the guardrail in the workspace; the webhook credential is not in plaintext; a second preview is clean", async () => {
    // The workspace by slug: the body carries its UUID (the document types it so), and the answer's UUID is no change.
    desired = { workspaceId: ws.slug, name: "No SSNs", checks: [REGEX, WEBHOOK], actions: { deny: true, on_fail: { feedback: { value: -10, weight: 1, metadata: "ssn" } } } };
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${GUARDRAIL}`]);
    const [made] = remote();
    expect(made).toMatchObject({ name: "No SSNs", workspace_id: ws.id, checks: [REGEX, WEBHOOK], actions: desired.actions });
    expect(result.outputs.slug.value).toBe(made.slug);
    expect(bodies("POST /guardrails")).toEqual([{ name: "No SSNs", workspace_id: ws.id, checks: [REGEX, WEBHOOK], actions: desired.actions }]);
    const state = await engine().exportState();
    expect(state.resource(GUARDRAIL, "guard")!.id).toBe(made.slug);
    expect(state.resource(GUARDRAIL, "guard")!.outputs?.checks).toMatchObject({ ciphertext: expect.any(String) });
    expect(state.text).not.toContain(WEBHOOK_TOKEN);
    expect(engine().backendFilesText()).not.toContain(WEBHOOK_TOKEN);
    expect(engine().log.join("\n")).not.toContain(WEBHOOK_TOKEN);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("key order and is_enabled: true are no change", async () => {
    desired = {
      ...desired!,
      checks: [{ parameters: { not: false, rule: REGEX.parameters.rule }, id: REGEX.id, is_enabled: true }, WEBHOOK],
      actions: { on_fail: { feedback: { metadata: "ssn", weight: 1, value: -10 } }, deny: true },
    };
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("name, checks and actions change in place: same slug, a new version, each PUT carrying only what changed", async () => {
    const before = { ...remote()[0] };
    desired = { ...desired!, name: "No SSNs v2" };
    let preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    desired = { ...desired!, checks: [REGEX, { id: "default.wordCount", parameters: { minWords: 1, maxWords: 500 }, is_enabled: false }] };
    preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    desired = { ...desired!, actions: { deny: false, async: true } };
    await engine().up();
    const result = await engine().up();
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    const [after] = remote();
    expect(after.slug).toBe(before.slug);
    expect(after).toMatchObject({ name: "No SSNs v2", checks: desired.checks, actions: { deny: false, async: true } });
    expect(after.version_id).not.toBe(before.version_id);
    expect(result.outputs.versionId.value).toBe(after.version_id);
    expect(bodies("PUT /guardrails/{guardrailId}").map((b) => Object.keys(b as object))).toEqual([["name"], ["checks"], ["actions"]]);
  });

  test("an out-of-band edit shows after refresh and up repairs it", async () => {
    const slug = remote()[0].slug;
    await call(emulator, "PUT", `/guardrails/${slug}`, { checks: [{ id: "portkey.pii" }], actions: { deny: true } });
    await engine().refresh();
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    expect(preview.diffText).toMatch(/actions/);
    expect(preview.diffText).toMatch(/checks/);
    await engine().up();
    expect(remote()[0]).toMatchObject({ checks: desired!.checks, actions: desired!.actions });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("an out-of-band delete (Portkey answers 403) drops it from state on refresh, proven by the list, and up recreates it", async () => {
    const old = remote()[0];
    await call(emulator, "DELETE", `/guardrails/${old.id}`);
    emulator.clearRequestLog();
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    expect(emulator.requestLog().map((r) => `${r.route} ${r.status}`)).toEqual(["GET /guardrails/{guardrailId} 403", "GET /guardrails 200"]);
    expect((await engine().exportState()).resources(GUARDRAIL)).toEqual([]);
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["create"]);
    expect(remote()).toHaveLength(1);
    expect(remote()[0].slug).not.toBe(old.slug);
  });

  test("a workspace names the guardrail as its default input guardrail", async () => {
    withWorkspace = true;
    await engine().up();
    const guarded = Object.values(emulator.state().workspaces).find((w) => w.name === "Guarded" && !w.deleted_at)!;
    expect(guarded.input_guardrails).toEqual([remote()[0].slug]);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    withWorkspace = false;
    const removed = await engine().up();
    expect(resourceSteps(removed.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`delete ${WORKSPACE}`]);
  });

  test("moving it to the organisation replaces it", async () => {
    const old = remote()[0];
    const organisationId = emulator.state().organisation_id;
    desired = { name: desired!.name, organisationId, checks: desired!.checks, actions: desired!.actions };
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toContain("replace");
    await engine().up();
    expect(remote()).toHaveLength(1);
    expect(remote()[0]).toMatchObject({ workspace_id: null, name: old.name });
    expect(remote()[0].id).not.toBe(old.id);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("invalid input fails at preview with a message naming the property", async () => {
    const valid = desired;
    const cases: [GuardrailArgs, RegExp][] = [
      [{ ...valid!, name: "" }, /name.*must not be empty/],
      [{ ...valid!, checks: [] }, /checks.*at least one check/],
      [{ ...valid!, checks: [{ id: "regexMatch" }] }, /checks\[0\]\.id.*check id/],
      [{ ...valid!, checks: [REGEX, { id: "default.wordCount", parameters: "many" }] }, /checks\[1\]\.parameters.*object/],
      [{ ...valid!, checks: [{ ...REGEX, is_enabled: "yes" }] }, /checks\[0\]\.is_enabled.*boolean/],
      [{ ...valid!, actions: { deny: "yes" } }, /actions\.deny.*boolean/],
      [{ ...valid!, actions: { on_fail: { feedback: { value: "-5" } } } }, /actions\.on_fail\.feedback\.value.*number/],
      [{ ...valid!, workspaceId: ws.id }, /exactly one of `workspaceId`/],
      [{ ...valid!, organisationId: undefined }, /workspaceId.*exactly one of/],
      [{ ...valid!, organisationId: "org-1" }, /organisationId.*UUID/],
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

  test("destroy deletes the guardrail", async () => {
    const destroyed = await engine().destroy();
    expect(resourceSteps(destroyed.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`delete ${GUARDRAIL}`]);
    expect(remote()).toEqual([]);
  });
});

describe("native", () => {
  test("create, clean preview, update in place, clean preview, destroy", async () => {
    let name = "native-guard";
    nativeProgram = async () => {
      const guard = new nativePortkey.Guardrail("guard", { workspaceId: ws.id, name, checks: [REGEX], actions: { deny: true } });
      return { slug: guard.slug };
    };
    const created = await nativeEngine().up();
    expect(resourceSteps(created.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${NATIVE_GUARDRAIL}`]);
    expect(remote().map((g) => g.name)).toEqual(["native-guard"]);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);

    name = "native-guard-2";
    const preview = await nativeEngine().preview();
    expect(resourceSteps(preview.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`update ${NATIVE_GUARDRAIL}`]);
    await nativeEngine().up();
    expect(remote().map((g) => g.name)).toEqual(["native-guard-2"]);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);

    await nativeEngine().destroy();
    expect(remote()).toEqual([]);
  });

  test("pulumi import takes a guardrail made by hand under management; the program declaring it previews clean", async () => {
    const made = (await call(emulator, "POST", "/guardrails", { name: "by-hand", workspace_id: ws.id, checks: [{ id: "portkey.pii", parameters: { redact: true } }], actions: { deny: true } })).body as { slug: string };
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({
      resources: [{ type: NATIVE_GUARDRAIL, name: "byHand", id: made.slug }],
      // Code generation needs the Go language host, which is not served here.
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    expect((await nativeEngine().exportState()).resource(NATIVE_GUARDRAIL, "byHand")?.id).toBe(made.slug);

    const declared = (protect: boolean) => async () => {
      new nativePortkey.Guardrail("byHand", { workspaceId: ws.id, name: "by-hand", checks: [{ id: "portkey.pii", parameters: { redact: true } }], actions: { deny: true } }, { protect });
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
