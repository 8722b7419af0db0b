/**
 * The native provider plugins (bin/pulumi-resource-portkey and
 * -openrouter) through the real engine against the emulator: the lifecycle
 * with a per-property diff, explicit providers for two organisations (two
 * admin keys of one emulator) in one program, `pulumi import` of objects made
 * outside Pulumi, and switching a program from the dynamic resources to the
 * native ones with aliases and no replacement. The plugins are found on PATH, as a user's shell finds them.
 */
import * as path from "node:path";
import { portkey as dynamicPortkey } from "../../sdk";
import { portkey, openrouter } from "../../sdk/native";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";

jest.setTimeout(10 * 60_000);

const MANAGEMENT_KEY = "sk-or-mgmt-native-0123456789abcdef";
/** The admin key of a second organisation in the same emulator. */
const US_ADMIN_KEY = "test-admin-key-us-org-0123456789";
const INTEGRATION = "shared-openai";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");
const env = { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` };

/** One emulator, two organisations: ADMIN_KEY's (`eu.state()`) and US_ADMIN_KEY's (`eu.state(US_ADMIN_KEY)`). */
let eu: RunningEmulator;
let program: () => Promise<Record<string, unknown>>;

beforeAll(async () => {
  eu = await startEmulator({ adminKeys: [ADMIN_KEY, US_ADMIN_KEY], managementKeys: [MANAGEMENT_KEY], checkResponses: true });
  await call(eu, "POST", "/integrations", { name: "Shared OpenAI", slug: INTEGRATION, ai_provider_id: "openai", key: "sk-test-fake-key-12345" });
});

const engine = useEngineStack(() => ({
  projectName: "native",
  program: () => program(),
  env,
  config: {
    "portkey:apiKey": { value: ADMIN_KEY, secret: true },
    "portkey:baseUrl": { value: eu.portkeyBaseUrl },
    "openrouter:managementKey": { value: MANAGEMENT_KEY, secret: true },
    "openrouter:baseUrl": { value: eu.openrouterBaseUrl },
  },
}));

/** A stack of its own for the migration (the first one holds protected imports). */
const migrationEngine = useEngineStack(() => ({
  projectName: "native-migration",
  program: () => program(),
  env,
  config: {
    "portkey:apiKey": { value: ADMIN_KEY, secret: true },
    "portkey:baseUrl": { value: eu.portkeyBaseUrl },
  },
}));
// After the stacks' own afterAll (jest runs them in the order declared): their last destroy needs the emulator.
afterAll(async () => eu?.stop());

/** Steps of resources the program declares (not the providers or the stack). */
function resourceSteps(steps: Parameters<typeof changedSteps>[0]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

function live<T extends { deleted_at?: string | null }>(items: Record<string, T>): T[] {
  return Object.values(items).filter((item) => !item.deleted_at);
}

test("native resources: create, clean preview, per-property diff, update in place, refresh, destroy; no provider code in state", async () => {
  let description = "first";
  program = async () => {
    const ws = new portkey.Workspace("team", { name: "native-team", description, forceDelete: true });
    const key = new portkey.ApiKey("svc", { type: "workspace", subType: "service", workspaceId: ws.id, name: "native-svc", scopes: ["completions.write"] });
    new portkey.IntegrationWorkspaceAccess("access", { integrationSlug: INTEGRATION, workspaceId: ws.id });
    const orWs = new openrouter.Workspace("or", { name: "Native", slug: "native-ws" });
    const orKey = new openrouter.ApiKey("or-key", { name: "native-or", workspaceId: orWs.id });
    return { key: key.key, orKey: orKey.key, slug: ws.slug };
  };
  const created = await engine().up();
  expect(resourceSteps(created.steps).map((s) => `${s.op} ${s.type}`).sort()).toEqual([
    "create openrouter:index:ApiKey",
    "create openrouter:index:Workspace",
    "create portkey:index:ApiKey",
    "create portkey:index:IntegrationWorkspaceAccess",
    "create portkey:index:Workspace",
  ]);
  expect(created.outputs.key.secret).toBe(true);
  expect(created.outputs.orKey.secret).toBe(true);
  expect(live(eu.state().workspaces).map((w) => w.name)).toContain("native-team");

  const state = await engine().exportState();
  expect(state.text).not.toContain("__provider");
  expect(state.resource("portkey:index:ApiKey", "svc")?.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });

  expect(resourceSteps((await engine().preview()).steps)).toEqual([]);

  description = "second";
  const preview = await engine().preview();
  expect(resourceSteps(preview.steps).map((s) => `${s.op} ${s.type}`)).toEqual(["update portkey:index:Workspace"]);
  // The engine shows the provider's per-property diff: only the description.
  expect(preview.diffText).toMatch(/~ description\s*:\s*"first" => "second"/);
  await engine().up();
  expect(live(eu.state().workspaces).find((w) => w.name === "native-team")?.description).toBe("second");

  const refreshed = await engine().refresh();
  expect(refreshed.changeSummary).not.toHaveProperty("update");
  expect(refreshed.changeSummary).not.toHaveProperty("delete");
  expect(resourceSteps((await engine().preview()).steps)).toEqual([]);

  await engine().destroy();
  expect(live(eu.state().workspaces).filter((w) => w.name === "native-team")).toEqual([]);
  expect(live(eu.state().api_keys).filter((k) => k.name === "native-svc")).toEqual([]);
});

test("bad input is refused at preview, naming the property", async () => {
  program = async () => {
    new portkey.Workspace("bad", { name: "x".repeat(101) });
    return {};
  };
  await expect(engine().preview()).rejects.toThrow(/name: must be at most 100 characters/);
});

test("explicit providers: one program manages two Portkey organisations", async () => {
  const us = () => eu.state(US_ADMIN_KEY);
  program = async () => {
    // Same endpoint, two admin keys: each provider sees only its own organisation.
    const euOrg = new portkey.Provider("eu", { apiKey: ADMIN_KEY, baseUrl: eu.portkeyBaseUrl });
    const usOrg = new portkey.Provider("us", { apiKey: US_ADMIN_KEY, baseUrl: eu.portkeyBaseUrl });
    new portkey.Workspace("eu-team", { name: "team-eu", forceDelete: true }, { provider: euOrg });
    new portkey.Workspace("us-team", { name: "team-us", forceDelete: true }, { provider: usOrg });
    return {};
  };
  await engine().up();
  expect(us().organisation_id).not.toBe(eu.state().organisation_id);
  expect(live(eu.state().workspaces).map((w) => w.name)).toContain("team-eu");
  expect(live(eu.state().workspaces).map((w) => w.name)).not.toContain("team-us");
  // The US organisation holds its default workspace (every organisation has one) and the team the program made.
  expect(live(us().workspaces).filter((w) => !w.is_default).map((w) => w.name)).toEqual(["team-us"]);
  const state = await engine().exportState();
  // The providers' credentials are stored as secrets.
  expect(state.text).not.toContain(ADMIN_KEY);
  expect(state.text).not.toContain(US_ADMIN_KEY);
  expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  // A refresh reads each workspace through its own organisation's provider: nothing is gone.
  const refreshed = await engine().refresh();
  expect(refreshed.changeSummary).not.toHaveProperty("delete");
  await engine().destroy();
  expect(live(us().workspaces).map((w) => w.name)).not.toContain("team-us");
  expect(live(eu.state().workspaces).map((w) => w.name)).not.toContain("team-eu");
});

test("pulumi import takes existing objects under management: the generated code previews clean", async () => {
  const made = (await call(eu, "POST", "/admin/workspaces", { name: "made-by-hand", description: "by hand" })).body as { id: string };
  await call(eu, "PUT", `/integrations/${INTEGRATION}/workspaces`, { workspaces: [{ id: made.id, enabled: true }] });
  program = async () => ({});
  await engine().up();
  const imported = await engine().stack.import({
    resources: [
      { type: "portkey:index:Workspace", name: "byHand", id: made.id },
      { type: "portkey:index:IntegrationWorkspaceAccess", name: "byHandAccess", id: `${INTEGRATION}/${made.id}` },
    ],
    // Code generation needs the Go language host, which is not served here; users' `pulumi import` prints the code.
    generateCode: false,
  });
  expect(imported.summary.resourceChanges).toMatchObject({ import: 2 });
  const state = await engine().exportState();
  expect(state.resource("portkey:index:Workspace", "byHand")?.id).toBe(made.id);
  expect(state.resource("portkey:index:IntegrationWorkspaceAccess", "byHandAccess")?.id).toBe(`${INTEGRATION}/${made.id}`);

  // The program that declares what was imported has nothing to change.
  program = async () => {
    const ws = new portkey.Workspace("byHand", { name: "made-by-hand", description: "by hand" }, { protect: true });
    new portkey.IntegrationWorkspaceAccess("byHandAccess", { integrationSlug: INTEGRATION, workspaceId: made.id }, { protect: true });
    return { id: ws.id };
  };
  expect(resourceSteps((await engine().preview()).steps)).toEqual([]);

  // The `import` resource option reads by id too, and adopts without a create.
  const posts = () => eu.requestLog().filter((r) => r.method === "POST" && r.route.startsWith("POST /admin/workspaces")).length;
  const before = posts();
  program = async () => {
    new portkey.Workspace("byHand", { name: "made-by-hand", description: "by hand" }, { protect: true });
    new portkey.IntegrationWorkspaceAccess("byHandAccess", { integrationSlug: INTEGRATION, workspaceId: made.id }, { protect: true });
    return {};
  };
  await engine().up();
  expect(posts()).toBe(before);
});

test("switching from the dynamic resources to the native ones: aliases, and nothing remote is replaced", async () => {
  const fresh = migrationEngine;
  program = async () => {
    const ws = new dynamicPortkey.Workspace("team", { name: "migrating", forceDelete: true });
    new dynamicPortkey.ApiKey("svc", { type: "workspace", subType: "service", workspaceId: ws.id, name: "migrating-svc", scopes: ["completions.write"] });
    return {};
  };
  await fresh().up();
  const idsBefore = {
    workspace: live(eu.state().workspaces).find((w) => w.name === "migrating")!.id,
    key: live(eu.state().api_keys).find((k) => k.name === "migrating-svc")!.id,
  };

  program = async () => {
    const ws = new portkey.Workspace("team", { name: "migrating", forceDelete: true }, { aliases: [{ type: "pulumi-nodejs:dynamic/portkey:Workspace" }] });
    new portkey.ApiKey(
      "svc",
      { type: "workspace", subType: "service", workspaceId: ws.id, name: "migrating-svc", scopes: ["completions.write"] },
      { aliases: [{ type: "pulumi-nodejs:dynamic/portkey:ApiKey" }] },
    );
    return {};
  };
  const preview = await fresh().preview();
  const ops = resourceSteps(preview.steps).map((s) => s.op);
  expect(ops.filter((op) => ["create", "delete", "replace", "create-replacement", "delete-replaced"].includes(op))).toEqual([]);
  await fresh().up();
  expect(live(eu.state().workspaces).find((w) => w.name === "migrating")?.id).toBe(idsBefore.workspace);
  expect(live(eu.state().api_keys).find((k) => k.name === "migrating-svc")?.id).toBe(idsBefore.key);
  const state = await fresh().exportState();
  expect(state.resources("portkey:index:Workspace")).toHaveLength(1);
  expect(state.text).not.toContain("__provider");
  expect(resourceSteps((await fresh().preview()).steps)).toEqual([]);
  await fresh().destroy();
});

