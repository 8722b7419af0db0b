/**
 * Issue 27, recovery through the engine, one path at a time (./crash.test.ts
 * kills a larger run at seeded points):
 *
 * - an `up` through the CLI (native plugins of both vendors, Portkey
 *   workspaces with a key each, OpenRouter workspaces with a key each,
 *   emulator latency) is killed with SIGKILL while creates are in flight;
 *   `pulumi-ai-gateway recover` settles every pending create and the next
 *   `up` completes: no duplicate, no orphan, no pending operation, `refresh`
 *   then `preview` show no change, and `destroy` leaves nothing;
 * - the paths a kill rarely lands on, made on purpose: a create whose object
 *   is gone is cleared; a create with two look-alikes made during the run
 *   (someone made the same workspace meanwhile) leaves everything as it was
 *   and names the candidates, and once one is deleted as printed, `recover`
 *   adopts the other; an empty metadata sidecar the kill left beside the
 *   file backend's checkpoint is removed by `recover`.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_KEY, call } from "../support/emulator";
import { Exported, killMarked, mustRun, recoverAfterKill, recoverFigures, ROOT, runIn, shellEnv, upKilledWhen, writeProgram } from "../support/killed-run";

jest.setTimeout(8 * 60_000);

const MANAGEMENT_KEY = "sk-or-mgmt-recover-0123456789abcdef";
const PORTKEY_PAIRS = 6;
const OPENROUTER_PAIRS = 3;
/** Creates that must have reached the server before the kill (the rest are in flight or not sent). */
const KILL_AFTER_CREATES = 10;
const NATIVE_SDK = path.join(ROOT, "dist", "sdk", "native");

const work = fs.mkdtempSync(path.join(os.tmpdir(), "recover-"));
const mark = randomUUID();
let emulator: RunningEmulator;
let env: NodeJS.ProcessEnv;

/** What the server holds with names starting `<prefix> `: live objects by type token and id. */
function serverObjects(prefix: string): string[] {
  const portkeyState = emulator.state();
  const openrouterState = emulator.openrouterState();
  const mine = (name: string) => name.startsWith(`${prefix} `);
  return [
    ...Object.values(portkeyState.workspaces).filter((w) => !w.deleted_at && mine(w.name)).map((w) => `portkey:index:Workspace ${w.id}`),
    ...Object.values(portkeyState.api_keys).filter((k) => !k.deleted_at && mine(k.name)).map((k) => `portkey:index:ApiKey ${k.id}`),
    ...Object.values(openrouterState.workspaces).filter((w) => !w.deleted_at && mine(w.name)).map((w) => `openrouter:index:Workspace ${w.id}`),
    ...Object.values(openrouterState.keys).filter((k) => !k.deleted_at && mine(k.name)).map((k) => `openrouter:index:ApiKey ${k.hash}`),
  ].sort();
}

function managed(state: Exported): string[] {
  return state.deployment.resources.filter((r) => r.id && !r.type.startsWith("pulumi:")).map((r) => `${r.type} ${r.id}`).sort();
}

/** A program directory and its stack's commands. */
async function project(name: string, source: string) {
  const dir = path.join(work, name);
  writeProgram(dir, name, source);
  const pulumi = (...args: string[]) => mustRun(dir, env, "pulumi", [...args, "--stack", "dev", "--non-interactive"]);
  const exported = async () => JSON.parse(await pulumi("stack", "export")) as Exported;
  const recover = () => runIn(dir, env, path.join(ROOT, "bin", "pulumi-ai-gateway"), ["recover", "--stack", "dev"]);
  await pulumi("stack", "init");
  return { dir, pulumi, exported, recover, recoverAfterKill: () => recoverAfterKill(dir, env, "dev") };
}

/** The create requests the server has seen since the counts were reset. */
function creates(route?: string): number {
  return Object.entries(emulator.requestCounts())
    .filter(([name]) => (route ? name === route : name.startsWith("POST ")))
    .reduce((sum, [, n]) => sum + n, 0);
}

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], managementKeys: [MANAGEMENT_KEY] });
  env = shellEnv(work, emulator, MANAGEMENT_KEY, mark);
});
afterAll(async () => {
  killMarked(mark);
  await emulator?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

test("an up killed mid-run: recover, then up, leaves no duplicate, orphan or pending operation, and destroy leaves nothing", async () => {
  const { pulumi, exported, recoverAfterKill } = await project(
    "recover",
    `const { portkey, openrouter } = require(${JSON.stringify(NATIVE_SDK)});\n` +
      `for (let i = 0; i < ${PORTKEY_PAIRS}; i++) {\n` +
      "  const ws = new portkey.Workspace(`p${i}`, { name: `recover ${i}` });\n" +
      '  new portkey.ApiKey(`k${i}`, { type: "workspace", subType: "service", workspaceId: ws.id, name: `recover key ${i}`, scopes: ["completions.write"] });\n' +
      "}\n" +
      `for (let i = 0; i < ${OPENROUTER_PAIRS}; i++) {\n` +
      "  const ws = new openrouter.Workspace(`o${i}`, { name: `recover ${i}`, slug: `recover-${i}` });\n" +
      "  new openrouter.ApiKey(`ok${i}`, { name: `recover or key ${i}`, workspaceId: ws.id });\n" +
      "}\n",
  );
  emulator.setFaults({ latencyMs: 300 });
  emulator.resetRequestCounts();
  await upKilledWhen(path.join(work, "recover"), env, "dev", () => creates() >= KILL_AFTER_CREATES, 180_000);
  emulator.setFaults({ latencyMs: 0 });
  // Requests already sent are still answered by the server (into a closed connection): let them land.
  await new Promise((resolve) => setTimeout(resolve, 1_500));

  // The killed run still holds the stack's lock: recover says so, and ending it is the user's call (`pulumi cancel`; nothing else runs here).
  const recovered = await recoverAfterKill();
  expect(recovered.wasLocked).toBe(true);
  console.log(recovered.stdout);
  const figures = recoverFigures(recovered.stdout);
  expect(recovered.code).toBe(0);
  expect(figures?.pending).toBeGreaterThan(0);
  expect(figures?.left).toBe(0);
  expect((await exported()).deployment.pending_operations ?? []).toEqual([]);

  await pulumi("up", "--yes", "--skip-preview");
  const state = await exported();
  expect(state.deployment.pending_operations ?? []).toEqual([]);
  // No duplicate, no orphan: the server holds exactly what the stack manages, one per declaration.
  expect(managed(state)).toHaveLength(2 * (PORTKEY_PAIRS + OPENROUTER_PAIRS));
  expect(serverObjects("recover")).toEqual(managed(state));

  await pulumi("refresh", "--yes", "--skip-preview");
  await pulumi("preview", "--expect-no-changes");
  await pulumi("destroy", "--yes", "--skip-preview");
  expect(serverObjects("recover")).toEqual([]);
});

test("a create whose object is gone is cleared; two look-alikes touch nothing and are named until one is deleted as printed; an empty checkpoint sidecar is removed", async () => {
  const dir = path.join(work, "paths");
  const { pulumi, exported, recover, recoverAfterKill } = await project(
    "paths",
    `const { portkey } = require(${JSON.stringify(NATIVE_SDK)});\n` + 'for (let i = 0; i < 3; i++) new portkey.Workspace(`w${i}`, { name: `paths ${i}` });\n',
  );
  // Each workspace create waits 2 s on the server: killed once all three have been sent, all three are pending.
  const route = "POST /admin/workspaces";
  emulator.setFaults({ routeLatencyMs: { [route]: 2_000 } });
  emulator.resetRequestCounts();
  await upKilledWhen(dir, env, "dev", () => creates(route) >= 3, 120_000);
  emulator.setFaults({ routeLatencyMs: { [route]: 0 } });
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const made = () => Object.values(emulator.state().workspaces).filter((w) => !w.deleted_at && w.name.startsWith("paths "));
  expect(made().map((w) => w.name).sort()).toEqual(["paths 0", "paths 1", "paths 2"]);

  // Someone deletes the first meanwhile (as if its create never landed), and makes a second "paths 1".
  const first = made().find((w) => w.name === "paths 0")!;
  expect((await call(emulator, "DELETE", `/admin/workspaces/${first.id}`, { name: "paths 0" })).status).toBe(200);
  const extra = await call<{ id: string }>(emulator, "POST", "/admin/workspaces", { name: "paths 1" });
  expect(extra.status).toBe(200);
  // A kill while the backend writes the checkpoint's metadata sidecar leaves it empty (made here on purpose, and old enough to be stale).
  const stateDir = path.join(work, "state", ".pulumi", "stacks", "paths");
  const sidecar = path.join(stateDir, fs.readdirSync(stateDir).find((f) => /^dev\.json(\.gz)?$/.test(f))! + ".attrs");
  fs.writeFileSync(sidecar, "");
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(sidecar, past, past);

  const before = serverObjects("paths");
  // recover removes the sidecar, says the killed run's lock is left (then `pulumi cancel`), and runs again.
  const refused = await recoverAfterKill();
  console.log(refused.stdout);
  expect(refused.sidecarsRemoved).toBeGreaterThanOrEqual(1);
  expect(refused.wasLocked).toBe(true);
  expect(refused.code).toBe(1);
  expect(fs.existsSync(sidecar)).toBe(false);
  expect(recoverFigures(refused.stdout)).toEqual({ pending: 3, adopted: 0, deleted: 0, cleared: 0, left: 1 });
  const several = refused.stdout.split("\n").find((l) => l.includes("::w1: left pending"));
  expect(several).toMatch(/more than one unmanaged look-alike/);
  expect(several).toContain(extra.body.id);
  expect(several).toContain(made().find((w) => w.name === "paths 1" && w.id !== extra.body.id)!.id);
  expect(several).toMatch(/delete the ones no one uses in the portkey console or API, then run `pulumi-ai-gateway recover` again/);
  // Nothing was touched: the same objects, and every create still pending.
  expect(serverObjects("paths")).toEqual(before);
  expect((await exported()).deployment.pending_operations).toHaveLength(3);

  // The clean-up as printed: the one no one uses (the extra) is deleted; then recover settles everything.
  expect((await call(emulator, "DELETE", `/admin/workspaces/${extra.body.id}`, { name: "paths 1" })).status).toBe(200);
  const settled = await recover();
  console.log(settled.stdout);
  expect(settled.code).toBe(0);
  expect(recoverFigures(settled.stdout)).toEqual({ pending: 3, adopted: 2, deleted: 0, cleared: 1, left: 0 });
  expect(settled.stdout).toMatch(/::w0: cleared/);

  await pulumi("up", "--yes", "--skip-preview");
  const state = await exported();
  expect(state.deployment.pending_operations ?? []).toEqual([]);
  expect(managed(state)).toHaveLength(3);
  expect(serverObjects("paths")).toEqual(managed(state));
  await pulumi("preview", "--expect-no-changes");
  await pulumi("destroy", "--yes", "--skip-preview");
  expect(serverObjects("paths")).toEqual([]);
});
