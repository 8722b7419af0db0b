/**
 * examples/openrouter through the real engine against the emulator: from an
 * account with only its organisation members, one program bootstraps a
 * workspace with members, budgets, a default guardrail, keys with their
 * guardrail assignments, a BYOK credential and a trace destination; a second
 * preview is clean, no secret is in the stored state, and destroy removes what
 * can be removed (the default guardrail's rules stay, as documented).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { callOpenRouter } from "../support/emulator";
import { seedOrganizationMembers } from "../support/openrouter-members";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";

jest.setTimeout(10 * 60_000);

const ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(ROOT, "dist", "examples", "openrouter", "index.js");
const MANAGEMENT_KEY = "sk-or-mgmt-example-0123456789abcdef";
const BYOK_SECRET = "sk-openai-example-credential-0123456789";
const LANGFUSE_SECRET = "sk-lf-example-secret-0123456789";

let emulator: RunningEmulator;
let leadId: string;
let reviewerId: string;

/** The example's own settings (its Pulumi.yaml), plus a second member held to the strict guardrail. */
function exampleConfig() {
  const project = yaml.load(fs.readFileSync(path.join(ROOT, "examples", "openrouter", "Pulumi.yaml"), "utf8")) as { config: Record<string, { value: unknown }> };
  const own = Object.fromEntries(
    Object.entries(project.config).map(([key, { value }]) => [`ai-gateway-openrouter:${key}`, { value: typeof value === "string" ? value : JSON.stringify(value) }]),
  );
  return {
    ...own,
    "ai-gateway-openrouter:members": { value: JSON.stringify([{ email: "lead@example.com" }, { email: "Reviewer@Example.com", strict: true }]) },
    "ai-gateway-openrouter:openaiApiKey": { value: BYOK_SECRET, secret: true },
    "ai-gateway-openrouter:langfuseSecretKey": { value: LANGFUSE_SECRET, secret: true },
    "openrouter:managementKey": { value: MANAGEMENT_KEY, secret: true },
    "openrouter:baseUrl": { value: emulator.openrouterBaseUrl },
  };
}

/**
 * Runs the compiled example as a program: it registers its resources when its
 * module body runs, so the body runs afresh for every operation (jest's module
 * registry would hand back the first run's exports), with this process's
 * @pulumi/pulumi and the package's compiled SDK (what its import names).
 */
function runExample(): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const load = (id: string) => (id === "pulumi-ai-gateway" ? require(path.join(ROOT, "dist", "sdk", "index.js")) : require(id));
  new Function("exports", "require", "module", "__filename", "__dirname", fs.readFileSync(PROGRAM, "utf8"))(module.exports, load, module, PROGRAM, path.dirname(PROGRAM));
  return { ...module.exports };
}

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: ["unused-portkey-key"], managementKeys: [MANAGEMENT_KEY], checkResponses: true });
  [{ id: leadId }, { id: reviewerId }] = await seedOrganizationMembers(emulator, [
    { email: "lead@example.com", role: "org:admin" },
    { email: "reviewer@example.com", role: "org:member" },
  ]);
});

const engine = useEngineStack(() => ({
  projectName: "ai-gateway-openrouter",
  program: async () => runExample(),
  config: exampleConfig(),
}));
// After the stacks' own afterAll (jest runs them in the order declared): their last destroy needs the emulator.
afterAll(async () => emulator?.stop());

function api<T = any>(route: string) {
  return callOpenRouter<T>(emulator, "GET", route, undefined, MANAGEMENT_KEY);
}

test("the example bootstraps the workspace; a second preview is clean and no secret is stored", async () => {
  const result = await engine().up();
  const created = changedSteps(result.steps).filter((s) => s.op === "create" && !s.type.startsWith("pulumi:"));
  // Workspace, 2 members, its budgets, default and strict guardrail, 2 keys, 2 key and 1 member assignments, BYOK, destination,
  // preset, organisation settings.
  expect(created).toHaveLength(15);
  const workspaceId = result.outputs.workspaceId.value as string;

  const people = (await api(`/workspaces/${workspaceId}/members`)).body.data.map((m: { user_id: string }) => m.user_id).sort();
  expect(people).toEqual([leadId, reviewerId].sort());
  const budgets = (await api(`/workspaces/${workspaceId}/budgets`)).body.data.map((b: { reset_interval: string | null; limit_usd: number }) => [b.reset_interval, b.limit_usd]);
  expect(budgets).toEqual(expect.arrayContaining([["monthly", 500], ["weekly", 150], ["daily", 40]]));
  const strict = result.outputs.strictGuardrailId.value as string;
  expect((await api(`/guardrails/${strict}/assignments/keys`)).body.data).toHaveLength(2);
  expect((await api(`/guardrails/${strict}/assignments/members`)).body.data.map((a: { user_id: string }) => a.user_id)).toEqual([reviewerId]);
  const byok = (await api(`/byok?workspace_id=${workspaceId}`)).body.data;
  expect(byok).toHaveLength(1);
  expect(byok[0].allowed_api_key_hashes).toHaveLength(2);
  expect((await api(`/observability/destinations?workspace_id=${workspaceId}`)).body.data).toHaveLength(1);
  const preset = (await api(`/presets/research-assistant?workspace_id=${workspaceId}`)).body.data;
  expect(preset.designated_version).toMatchObject({ version: 1, config: { model: "openai/gpt-4o-mini", temperature: 0.2, max_tokens: 800 } });
  expect(result.outputs.assistantPresetVersion.value).toBe(1);
  expect((await api("/organization/settings")).body.data.is_filtered_model_catalog_enabled).toBe(true);

  expect(changedSteps((await engine().preview()).steps)).toEqual([]);
  const state = await engine().exportState();
  for (const secret of [BYOK_SECRET, LANGFUSE_SECRET, MANAGEMENT_KEY]) expect(state.text).not.toContain(secret);
});

test("destroy removes what the program made", async () => {
  const workspaceId = (await engine().exportState()).resources("pulumi-nodejs:dynamic/openrouter:Workspace")[0]!.id;
  await engine().destroy();
  expect((await api(`/workspaces/${workspaceId}`)).status).toBe(404);
  // The organisation setting is left as it was (nothing resets it); the preset was archived.
  expect((await api("/organization/settings")).body.data.is_filtered_model_catalog_enabled).toBe(true);
});
