/**
 * The live tier's dry run, part of `npm test`: test/e2e/live.test.ts runs as
 * its own Jest process, exactly as a team with real keys runs it, against an
 * emulator standing in for both services (the variables point at it). It
 * proves the tier itself works: every scenario passes, the sweep leaves
 * nothing tagged behind, leftovers of an "earlier" run older than a day are
 * swept, and objects without the tag are never touched.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { callOpenRouter, call } from "../support/emulator";
import { LIVE_TAG_PREFIX } from "../support/live";

jest.setTimeout(40 * 60_000);

const ADMIN_KEY = "pk-live-dry-run-admin-0123456789";
const MANAGEMENT_KEY = "sk-or-live-dry-run-mgmt-0123456789";
const INTEGRATION = "live-dry-run-openai";
const root = path.resolve(__dirname, "..", "..");
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], managementKeys: [MANAGEMENT_KEY] });
});
afterAll(async () => emulator?.stop());

/** Runs live.test.ts in a Jest of its own with the live tier's variables; resolves with its exit code and output. */
function runLiveTier(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, "node_modules", "jest", "bin", "jest.js"), "--ci", "--runInBand", "test/e2e/live.test.ts"],
      { cwd: root, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

test("the live tier passes against an emulator standing in for both services, sweeps what it tagged and nothing else", async () => {
  // What a real organisation already holds, untagged: the tier must leave it alone.
  const untouchedWorkspace = (await call(emulator, "POST", "/admin/workspaces", { name: "Production" }, ADMIN_KEY)).body;
  const untouchedKey = (await call(emulator, "POST", "/api-keys/workspace/service", { name: "prod-service", workspace_id: untouchedWorkspace.id, scopes: ["completions.write"] }, ADMIN_KEY)).body;
  expect((await call(emulator, "POST", "/integrations", { name: "Live OpenAI", slug: INTEGRATION, ai_provider_id: "openai", key: "sk-fake-dry-run-0000" }, ADMIN_KEY)).status).toBe(200);
  const untouchedOpenRouter = (await callOpenRouter(emulator, "POST", "/workspaces", { name: "Production", slug: "production" }, MANAGEMENT_KEY)).body.data;
  // A killed run's leftover, two days old: the sweep before the tests removes it.
  const oldRunId = `${(Date.now() - 2 * 86_400_000).toString(36).padStart(8, "0")}abc`;
  const leftover = (await call(emulator, "POST", "/admin/workspaces", { name: `${LIVE_TAG_PREFIX}${oldRunId}-ws` }, ADMIN_KEY)).body;
  // Another leftover, in which a person has since put an untagged key: the sweep deletes the tagged guardrail
  // beside it but neither the key nor the workspace, and says so. The same on OpenRouter.
  const occupied = (await call(emulator, "POST", "/admin/workspaces", { name: `${LIVE_TAG_PREFIX}${oldRunId}-occupied` }, ADMIN_KEY)).body;
  const personsKey = (await call(emulator, "POST", "/api-keys/workspace/service", { name: "someone's key", workspace_id: occupied.id, scopes: ["completions.write"] }, ADMIN_KEY)).body;
  const guardrailBody = { workspace_id: occupied.id, checks: [{ id: "default.regexMatch", parameters: { rule: "x" } }], actions: { deny: true } };
  const taggedGuardrail = (await call(emulator, "POST", "/guardrails", { ...guardrailBody, name: `${LIVE_TAG_PREFIX}${oldRunId}-guardrail` }, ADMIN_KEY)).body;
  const personsGuardrail = (await call(emulator, "POST", "/guardrails", { ...guardrailBody, name: "someone's guardrail" }, ADMIN_KEY)).body;
  const occupiedOpenRouter = (await callOpenRouter(emulator, "POST", "/workspaces", { name: `${LIVE_TAG_PREFIX}${oldRunId}-occupied`, slug: `${LIVE_TAG_PREFIX}${oldRunId}-occupied` }, MANAGEMENT_KEY)).body.data;
  const personsOpenRouterKey = (await callOpenRouter(emulator, "POST", "/keys", { name: "someone's key", workspace_id: occupiedOpenRouter.id }, MANAGEMENT_KEY)).body.data;
  const taggedOpenRouterKey = (await callOpenRouter(emulator, "POST", "/keys", { name: `${LIVE_TAG_PREFIX}${oldRunId}-key`, workspace_id: occupiedOpenRouter.id }, MANAGEMENT_KEY)).body.data;
  for (const made of [occupied, personsKey, taggedGuardrail, personsGuardrail, occupiedOpenRouter, personsOpenRouterKey, taggedOpenRouterKey]) expect(made?.id ?? made?.hash).toBeTruthy();

  const { code, output } = await runLiveTier({
    PORTKEY_LIVE_API_KEY: ADMIN_KEY,
    PORTKEY_LIVE_BASE_URL: emulator.portkeyBaseUrl,
    PORTKEY_LIVE_INTEGRATION_SLUG: INTEGRATION,
    OPENROUTER_LIVE_MANAGEMENT_KEY: MANAGEMENT_KEY,
    OPENROUTER_LIVE_BASE_URL: emulator.openrouterBaseUrl,
  });
  if (code !== 0) throw new Error(`the live tier failed against the emulator (exit ${code}):\n${output.slice(-8000)}`);
  // Every test ran and passed: none skipped, none failed.
  expect(output).toMatch(/Tests:\s+(\d+) passed, \1 total/);
  expect(output).toMatch(/cleanup: destroy ok, sweep deleted \d+ tagged object\(s\)[^\n]*, 0 left/);
  expect(output).toMatch(/swept [1-9]\d* leftover object\(s\) of earlier runs/);
  expect(output).toContain(`kept Portkey workspace ${LIVE_TAG_PREFIX}${oldRunId}-occupied (${occupied.id}): it holds 2 object(s) without the tier's tag`);
  expect(output).toContain(`kept OpenRouter workspace ${LIVE_TAG_PREFIX}${oldRunId}-occupied (${occupiedOpenRouter.id}): it holds 1 object(s) without the tier's tag`);
  // The kinds not run live, each with its reason.
  expect(output).toMatch(/live tier: not run live: [^\n]*OrganisationDefaultGuardrails/);

  // Nothing tagged is left; nothing untagged was touched.
  const portkey = emulator.state();
  const liveNames = Object.values(portkey.workspaces).filter((w) => !w.deleted_at).map((w) => w.name);
  expect(liveNames.filter((name) => name.includes(LIVE_TAG_PREFIX))).toEqual([occupied.name]);
  expect(portkey.workspaces[leftover.id].deleted_at).not.toBeNull();
  expect(portkey.workspaces[untouchedWorkspace.id].deleted_at).toBeNull();
  expect(portkey.api_keys[untouchedKey.id].deleted_at).toBeNull();
  expect(Object.keys(portkey.integrations)).toEqual([INTEGRATION]);
  expect(Object.values(portkey.guardrails ?? {}).filter((g) => g.name.includes(LIVE_TAG_PREFIX))).toEqual([]);
  // An untagged object in a tagged workspace: neither it nor its workspace is deleted.
  expect(portkey.workspaces[occupied.id].deleted_at).toBeNull();
  expect(portkey.api_keys[personsKey.id].deleted_at).toBeNull();
  expect(portkey.guardrails?.[personsGuardrail.id]).toBeDefined();
  expect(portkey.guardrails?.[taggedGuardrail.id]).toBeUndefined();
  const openrouter = emulator.openrouterState();
  expect(openrouter.workspaces[untouchedOpenRouter.id].deleted_at).toBeNull();
  expect(Object.values(openrouter.workspaces).filter((w) => !w.deleted_at && w.slug.startsWith(LIVE_TAG_PREFIX)).map((w) => w.id)).toEqual([occupiedOpenRouter.id]);
  expect(Object.values(openrouter.keys).filter((k) => !k.deleted_at && k.name.startsWith(LIVE_TAG_PREFIX))).toEqual([]);
  expect(openrouter.keys[personsOpenRouterKey.hash].deleted_at).toBeFalsy();
});
