/**
 * The Portkey AiProvider resource through the real engine against the
 * emulator. Dynamic form: create (workspace by slug, sent as the UUID; rate
 * limit as one object), clean preview, every updatable field in place, the
 * reset trigger, clearing, replacement on a slug change, drift repaired,
 * out-of-band delete, bad input at preview, destroy; adoption of a grant's
 * default provider, and refusal of a look-alike that is not provably one.
 * Native form: create, clean preview, and `pulumi import`.
 */
import * as path from "node:path";
import { portkey } from "../../sdk";
import type { AiProviderArgs } from "../../sdk/portkey";
import { portkey as nativePortkey } from "../../sdk/native";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";
import type { ProviderRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const PROVIDER = "pulumi-nodejs:dynamic/portkey:AiProvider";
const NATIVE_PROVIDER = "portkey:index:AiProvider";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");

let emulator: RunningEmulator;
let ws: { id: string; slug: string };
let other: { id: string; slug: string };
const INTEGRATION = "openai-team";
let desired: AiProviderArgs[] = [];
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
  ws = (await call(emulator, "POST", "/admin/workspaces", { name: "Providers" })).body;
  other = (await call(emulator, "POST", "/admin/workspaces", { name: "Defaults" })).body;
  await call(emulator, "POST", "/integrations", { name: "OpenAI team", slug: INTEGRATION, ai_provider_id: "openai", key: "sk-test-provider-0000" });
  await call(emulator, "POST", "/integrations", { name: "Anthropic", slug: "anthropic-team", ai_provider_id: "anthropic", key: "sk-ant-test-0000" });
  // Access without a default provider for the lifecycle workspace.
  for (const integration of [INTEGRATION, "anthropic-team"]) {
    await call(emulator, "PUT", `/integrations/${integration}/workspaces`, { workspaces: [{ id: ws.id, enabled: true }], create_default_provider: false });
  }
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "portkey-ai-provider",
  program: async () => {
    // No deleteBeforeReplace option: the slug is declared unique, so a replacement keeping it deletes first by itself.
    const made = desired.map((args, i) => new portkey.AiProvider(`p${i}`, args));
    return Object.fromEntries(made.map((p, i) => [`p${i}`, { id: p.id, slug: p.slug, adopted: p.adoptedDefault, status: p.status }]));
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "portkey-ai-provider-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

function resourceSteps(steps: Parameters<typeof changedSteps>[0]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

function inWorkspace(workspaceId: string): ProviderRecord[] {
  return Object.values(emulator.state().providers).filter((p) => p.workspace_id === workspaceId);
}

function requests(route: string) {
  return emulator.requestLog().filter((r) => r.route === route);
}

const base: AiProviderArgs = {
  workspaceId: "",
  integrationSlug: INTEGRATION,
  name: "Team A",
  slug: "team-a",
  note: "team A's budget",
  usageLimits: { creditLimit: 100, periodicReset: "monthly" },
  rateLimits: [{ type: "requests", unit: "rpm", value: 600 }],
  expiresAt: "2099-01-01T00:00:00Z",
};

describe("dynamic", () => {
  test("up creates the provider with what was declared; the admin key is not in the state; a second preview is clean", async () => {
    // The workspace by slug: sent as the UUID, and the UUID read back is no change.
    desired = [{ ...base, workspaceId: ws.slug }];
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${PROVIDER}`]);
    const [made] = inWorkspace(ws.id);
    expect(made).toMatchObject({ slug: "team-a", name: "Team A", integration_slug: INTEGRATION, note: "team A's budget", expires_at: "2099-01-01T00:00:00.000Z" });
    expect(made.usage_limits).toMatchObject({ credit_limit: 100, periodic_reset: "monthly" });
    expect(made.rate_limits).toEqual([{ type: "requests", unit: "rpm", value: 600 }]);
    const [post] = requests("POST /providers");
    expect(post.body).toEqual({
      name: "Team A",
      integration_id: INTEGRATION,
      workspace_id: ws.id,
      slug: "team-a",
      note: "team A's budget",
      usage_limits: { credit_limit: 100, periodic_reset: "monthly" },
      rate_limits: { type: "requests", unit: "rpm", value: 600 },
      expires_at: "2099-01-01T00:00:00Z",
    });
    expect(result.outputs.p0.value).toMatchObject({ id: `${ws.id}/team-a`, slug: "team-a", adopted: false, status: "active" });
    const state = await engine().exportState();
    expect(state.text).not.toContain(ADMIN_KEY);
    expect(engine().backendFilesText()).not.toContain(ADMIN_KEY);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("name, note, limits and expiry change in place; the reset trigger fires once; then the preview is clean", async () => {
    desired = [
      {
        ...desired[0],
        name: "Team A v2",
        note: "raised",
        usageLimits: { creditLimit: 250, type: "cost", alertThreshold: 200 },
        rateLimits: [{ type: "tokens", unit: "rph", value: 100000 }],
        expiresAt: "2098-06-01T12:00:00+02:00",
      },
    ];
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    const [after] = inWorkspace(ws.id);
    expect(after).toMatchObject({ slug: "team-a", name: "Team A v2", note: "raised", expires_at: "2098-06-01T10:00:00.000Z" });
    expect(after.usage_limits).toMatchObject({ credit_limit: 250, type: "cost", alert_threshold: 200 });
    expect(after.rate_limits).toEqual([{ type: "tokens", unit: "rph", value: 100000 }]);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);

    desired = [{ ...desired[0], resetUsage: 1 }];
    await engine().up();
    expect(inWorkspace(ws.id)[0].last_reset_at).toEqual(expect.any(String));
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    // Each update sent only what changed; the trigger went out as reset_usage: true.
    const puts = requests("PUT /providers/{slug}").map((r) => r.body as Record<string, unknown>);
    expect(puts.map((b) => Object.keys(b).sort())).toEqual([["expires_at", "name", "note", "rate_limits", "usage_limits"], ["reset_usage"]]);
    expect(puts[0].rate_limits).toEqual({ type: "tokens", unit: "rph", value: 100000 });
    expect(puts[1]).toEqual({ reset_usage: true });
  });

  test("removing the note, limits and expiry clears them", async () => {
    const { note: _note, usageLimits: _usage, rateLimits: _rate, expiresAt: _expiry, ...rest } = desired[0];
    desired = [rest];
    await engine().up();
    const [after] = inWorkspace(ws.id);
    expect(after).toMatchObject({ note: "", usage_limits: null, rate_limits: [], expires_at: null });
    const last = requests("PUT /providers/{slug}").at(-1)!.body;
    expect(last).toEqual({ note: "", usage_limits: null, rate_limits: null, expires_at: null });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("a new slug or integration replaces the provider; one keeping the slug deletes the old provider first; a workspace's other spelling does not", async () => {
    desired = [{ ...desired[0], workspaceId: ws.id }];
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    const replaced = async () => resourceSteps((await engine().preview()).steps).map((s) => s.op).sort();
    desired = [{ ...desired[0], slug: "team-a2" }];
    expect(await replaced()).toEqual(["create-replacement", "delete-replaced", "replace"]);
    desired = [{ ...desired[0], slug: "team-a", integrationSlug: "anthropic-team" }];
    expect(await replaced()).toEqual(["create-replacement", "delete-replaced", "replace"]);
    const before = emulator.requestLog().length;
    await engine().up();
    const writes = emulator.requestLog().slice(before).map((r) => r.route).filter((route) => /^(POST|DELETE) \/providers/.test(route));
    expect(writes).toEqual(["DELETE /providers/{slug}", "POST /providers"]);
    const now = inWorkspace(ws.id);
    expect(now.map((p) => [p.slug, p.integration_slug])).toEqual([["team-a", "anthropic-team"]]);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("an out-of-band edit shows after refresh and up repairs it", async () => {
    await call(emulator, "PUT", `/providers/team-a?workspace_id=${ws.id}`, { name: "edited by hand", usage_limits: { credit_limit: 5 } });
    await engine().refresh();
    const stored = (await engine().exportState()).resource(PROVIDER, "p0")!;
    expect(stored.outputs).toMatchObject({ name: "edited by hand", usageLimits: { creditLimit: 5 } });
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    expect(inWorkspace(ws.id)[0]).toMatchObject({ name: "Team A v2", usage_limits: null });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("an out-of-band delete drops it from state on refresh and up recreates it", async () => {
    const old = inWorkspace(ws.id)[0];
    await call(emulator, "DELETE", `/providers/team-a?workspace_id=${ws.id}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    expect((await engine().exportState()).resources(PROVIDER)).toEqual([]);
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["create"]);
    const [made] = inWorkspace(ws.id);
    expect(made.slug).toBe("team-a");
    expect(made.id).not.toBe(old.id);
  });

  test("invalid input fails at preview with a message naming the property", async () => {
    const valid = desired;
    const cases: [AiProviderArgs, RegExp][] = [
      [{ ...valid[0], name: "" }, /name.*must not be empty/],
      [{ ...valid[0], slug: "no spaces" }, /slug.*must be a slug/],
      [{ ...valid[0], integrationSlug: "bad/slug" }, /integrationSlug.*integration slug/],
      [{ ...valid[0], expiresAt: "tomorrow" }, /expiresAt.*RFC 3339/],
      [{ ...valid[0], usageLimits: { creditLimit: 0 } }, /usageLimits.creditLimit/],
      [{ ...valid[0], rateLimits: [{ type: "requests", unit: "rpm", value: 1 }, { type: "tokens", unit: "rpd", value: 2 }] }, /rateLimits.*at most one/],
      [{ ...valid[0], rateLimits: [{ type: "requests", unit: "rps", value: 1 }] }, /rateLimits\[0\]\.unit/],
    ];
    try {
      for (const [args, message] of cases) {
        desired = [args];
        await expect(engine().preview()).rejects.toThrow(message);
      }
    } finally {
      desired = valid;
    }
  });

  test("the default provider a grant created is adopted (no second provider), the declared fields written to it", async () => {
    await call(emulator, "PUT", `/integrations/${INTEGRATION}/workspaces`, { workspaces: [{ id: other.id, enabled: true, default_provider_slug: "shared-openai" }] });
    const made = inWorkspace(other.id);
    expect(made.map((p) => p.slug)).toEqual(["shared-openai"]);
    const posts = requests("POST /providers").length;
    desired = [desired[0], { workspaceId: other.id, integrationSlug: INTEGRATION, name: "Shared OpenAI", slug: "shared-openai", note: "now managed" }];
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["create"]);
    expect(requests("POST /providers")).toHaveLength(posts);
    const adopted = inWorkspace(other.id);
    expect(adopted).toHaveLength(1);
    expect(adopted[0]).toMatchObject({ id: made[0].id, slug: "shared-openai", name: "Shared OpenAI", note: "now managed" });
    expect(result.outputs.p1.value).toMatchObject({ id: `${other.id}/shared-openai`, adopted: true });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    // Destroying it deletes it, like any provider it manages.
    desired = [desired[0]];
    await engine().up();
    expect(inWorkspace(other.id)).toEqual([]);
  });

  test("a provider holding the slug that is not provably the grant's default is never taken over", async () => {
    // Same slug and workspace, but a note was set on it: someone made it theirs.
    await call(emulator, "POST", "/providers", { name: "by hand", integration_id: INTEGRATION, workspace_id: other.id, slug: "hand-made", note: "mine" });
    // Same slug and workspace, bare, but another integration's.
    await call(emulator, "PUT", `/integrations/anthropic-team/workspaces`, { workspaces: [{ id: other.id, enabled: true, default_provider_slug: "claude-default" }] });
    const before = inWorkspace(other.id).map((p) => ({ ...p }));
    for (const slug of ["hand-made", "claude-default"]) {
      desired = [desired[0], { workspaceId: other.id, integrationSlug: INTEGRATION, name: "Look-alike", slug }];
      await expect(engine().up()).rejects.toThrow(/not provably the default provider/);
    }
    expect(inWorkspace(other.id)).toEqual(before);
    desired = [desired[0]];
    await engine().up();
    expect((await engine().exportState()).resources(PROVIDER)).toHaveLength(1);
  });

  test("destroy deletes the provider", async () => {
    const destroyed = await engine().destroy();
    expect(resourceSteps(destroyed.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`delete ${PROVIDER}`]);
    expect(inWorkspace(ws.id)).toEqual([]);
  });
});

describe("native", () => {
  test("create, clean preview, update in place, destroy", async () => {
    let name = "native provider";
    nativeProgram = async () => {
      const p = new nativePortkey.AiProvider("p", { workspaceId: ws.id, integrationSlug: INTEGRATION, name, slug: "native-p", rateLimits: [{ type: "requests", unit: "rpd", value: 10 }] });
      return { slug: p.slug };
    };
    const created = await nativeEngine().up();
    expect(resourceSteps(created.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${NATIVE_PROVIDER}`]);
    expect(inWorkspace(ws.id).map((p) => p.slug)).toEqual(["native-p"]);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    name = "native provider 2";
    const preview = await nativeEngine().preview();
    expect(resourceSteps(preview.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`update ${NATIVE_PROVIDER}`]);
    await nativeEngine().up();
    expect(inWorkspace(ws.id)[0].name).toBe("native provider 2");
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    await nativeEngine().destroy();
    expect(inWorkspace(ws.id)).toEqual([]);
  });

  test("pulumi import takes a provider made by hand under management (id <workspace>/<slug>); the program declaring it previews clean", async () => {
    await call(emulator, "POST", "/providers", {
      name: "by hand",
      integration_id: INTEGRATION,
      workspace_id: ws.id,
      slug: "by-hand",
      usage_limits: { credit_limit: 20, type: "cost" },
    });
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({
      resources: [{ type: NATIVE_PROVIDER, name: "byHand", id: `${ws.slug}/by-hand` }],
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    const declared = (protect: boolean) => async () => {
      new nativePortkey.AiProvider(
        "byHand",
        { workspaceId: ws.slug, integrationSlug: INTEGRATION, name: "by hand", slug: "by-hand", usageLimits: { creditLimit: 20, type: "cost" } },
        { protect },
      );
      return {};
    };
    nativeProgram = declared(true);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    nativeProgram = declared(false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(inWorkspace(ws.id)).toEqual([]);
  });
});

test("every response the emulator gave conformed to the official document", () => {
  expect(emulator.specViolations()).toEqual([]);
});
