/**
 * Issue 27, the crash test. A stack of about 90 resources (Portkey: an
 * integration, workspaces each with a service key and a grant of the
 * integration; OpenRouter: workspaces each with a key) is brought up by the
 * CLI with emulator latency, and each `up` is killed with SIGKILL at a seeded
 * point, bounded by the create requests the server has seen in that `up`.
 * After each kill: every process the run started exits; `pulumi-ai-gateway
 * recover` (with `pulumi cancel` when it says the killed run still holds the
 * lock) settles every pending create, and the state then names exactly the
 * server's objects: no pending operation, no duplicate, no orphan. The next
 * `up` is the next kill point's; the last one runs to the end: one object per
 * declaration, `refresh` then `preview` show no change, `destroy` leaves
 * nothing, and no process of the run is left.
 *
 * Both forms, which recover differently, on one emulator: the native plugins
 * (objects the run made are adopted, keys deleted) and the dynamic resources,
 * run by Node's dynamic-provider host in another process (nothing can be
 * imported: objects the run made are deleted, and made again by the next
 * `up`); the dynamic stack is half the size (the rules differ, not the scale).
 *
 * Grants are declared with Portkey's default: each makes Portkey add a
 * default provider to its workspace, which only the grant's create answer
 * records. A grant whose answer the kill lost, in a workspace the killed run
 * made, is deleted by `recover` with that provider (the next `up` makes and
 * records both again); one kill per form lands inside such grants' writes.
 * In a workspace an earlier run made, nothing proves the provider the
 * grant's: `recover` names it, and the test deletes it by hand as the
 * troubleshooting page says (counted). After the last `up`, every provider
 * of the round is recorded by exactly one grant, and `destroy` removes them
 * with the workspaces. The figures per kill point and the seconds are
 * printed, not asserted.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { SeededRandom } from "../../emulator/random";
import { ADMIN_KEY, call } from "../support/emulator";
import { Exported, killMarked, mustRun, noneLeft, recoverAfterKill, recoverFigures, ROOT, shellEnv, upKilledWhen, writeProgram } from "../support/killed-run";

jest.setTimeout(12 * 60_000);

const MANAGEMENT_KEY = "sk-or-mgmt-crash-0123456789abcdef";
/**
 * A kill as soon as the server holds a grant row of a workspace made in that `up`: the grants of that write are then pending,
 * their rows and default providers made, and `recover` can prove the ones in workspaces of the killed run its own.
 */
const FIRST_GRANT_WRITE = "first grant write in a workspace of the run";
/** Per form: workspace pairs per vendor (1 + 3 × pairs Portkey and 2 × pairs OpenRouter resources) and the kill windows. */
const FORMS: Record<Form, { pairs: number; windows: ([number, number] | typeof FIRST_GRANT_WRITE)[] }> = {
  // One window per killed `up`, in create requests (POST, and the grants' PUT) the server has seen in that `up`, or a kill
  // inside grants' creates, in workspaces that `up` made.
  // The grant-write kill comes first in both forms: only the first `up` is sure to make workspaces (every independent create
  // is sent at once, so a kill after N creates can still let all the workspaces land, leaving a later `up` none to grant).
  native: {
    pairs: 18,
    windows: [
      FIRST_GRANT_WRITE,
      [6, 18],
    ],
  },
  dynamic: {
    pairs: 9,
    windows: [
      FIRST_GRANT_WRITE,
      [5, 12],
    ],
  },
};
const declared = (form: Form) => 1 + 5 * FORMS[form].pairs;
/** Latency of every API request during the killed `up`s (the commands after a kill run without it). */
const LATENCY_MS = 150;
/** The seed of the kill points (set CRASH_TEST_SEED to try others; the printed figures name it). */
const SEED = Number(process.env.CRASH_TEST_SEED ?? 2027);
/** How long the run's processes may take to notice that the engine is gone. */
const EXIT_BOUND_MS = 15_000;

type Form = "native" | "dynamic";
const work = fs.mkdtempSync(path.join(os.tmpdir(), "crash-"));
const mark = randomUUID();
let emulator: RunningEmulator;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], managementKeys: [MANAGEMENT_KEY] });
  env = shellEnv(work, emulator, MANAGEMENT_KEY, mark);
});
afterAll(async () => {
  killMarked(mark);
  await emulator?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

function program(form: Form, prefix: string, pairs: number): string {
  const sdk = form === "native" ? path.join(ROOT, "dist", "sdk", "native") : path.join(ROOT, "dist", "sdk");
  return (
    `const { portkey, openrouter } = require(${JSON.stringify(sdk)});\n` +
    `const p = ${JSON.stringify(prefix)};\n` +
    'const integration = new portkey.Integration(`${p}-intg`, { name: `${p} intg`, slug: `${p}-intg`, aiProviderId: "openai", key: "sk-crash-test-0000000000000000" });\n' +
    `for (let i = 0; i < ${pairs}; i++) {\n` +
    "  const ws = new portkey.Workspace(`${p}-w${i}`, { name: `${p} ws ${i}` });\n" +
    '  new portkey.ApiKey(`${p}-k${i}`, { type: "workspace", subType: "service", workspaceId: ws.id, name: `${p} key ${i}`, scopes: ["completions.write"] });\n' +
    "  new portkey.IntegrationWorkspaceAccess(`${p}-g${i}`, { integrationSlug: integration.slug, workspaceId: ws.id });\n" +
    "  const ow = new openrouter.Workspace(`${p}-ow${i}`, { name: `${p} ws ${i}`, slug: `${p}-ws-${i}` });\n" +
    "  new openrouter.ApiKey(`${p}-ok${i}`, { name: `${p} key ${i}`, workspaceId: ow.id });\n" +
    "}\n"
  );
}

/** The server's live objects of one round, as `<kind> <id>` (the ids the resources take). */
function serverObjects(prefix: string): string[] {
  const portkey = emulator.state();
  const openrouter = emulator.openrouterState();
  const mine = (name: string) => name.startsWith(`${prefix} `);
  const integration = portkey.integrations[`${prefix}-intg`];
  return [
    ...(integration ? [`portkey:Integration ${integration.slug}`] : []),
    ...Object.values(integration?.access ?? {})
      .filter((row) => row.enabled && !portkey.workspaces[row.workspace_id]?.deleted_at)
      .map((row) => `portkey:IntegrationWorkspaceAccess ${integration!.slug}/${row.workspace_id}`),
    ...Object.values(portkey.workspaces).filter((w) => !w.deleted_at && mine(w.name)).map((w) => `portkey:Workspace ${w.id}`),
    ...Object.values(portkey.api_keys).filter((k) => !k.deleted_at && mine(k.name)).map((k) => `portkey:ApiKey ${k.id}`),
    ...Object.values(openrouter.workspaces).filter((w) => !w.deleted_at && mine(w.name)).map((w) => `openrouter:Workspace ${w.id}`),
    ...Object.values(openrouter.keys).filter((k) => !k.deleted_at && mine(k.name)).map((k) => `openrouter:ApiKey ${k.hash}`),
  ].sort();
}

/** The providers in the round's live workspaces, by id. */
function serverProviders(prefix: string): string[] {
  const portkey = emulator.state();
  const ours = (workspaceId: string) => portkey.workspaces[workspaceId]?.name.startsWith(`${prefix} `) && !portkey.workspaces[workspaceId]?.deleted_at;
  return Object.values(portkey.providers)
    .filter((p) => ours(p.workspace_id))
    .map((p) => p.id)
    .sort();
}

/** The default providers the state's grants record. */
function recordedProviders(state: Exported): string[] {
  return state.deployment.resources
    .filter((r) => kindOfType(r.type) === "portkey:IntegrationWorkspaceAccess" && typeof r.outputs?.createdProviderId === "string")
    .map((r) => r.outputs!.createdProviderId as string)
    .sort();
}

/** `portkey:index:Workspace` or `pulumi-nodejs:dynamic/portkey:Workspace` → `portkey:Workspace`. */
function kindOfType(type: string): string {
  const m = /^(?:pulumi-nodejs:dynamic\/)?([a-z]+)(?::index)?:([A-Za-z]+)$/.exec(type);
  return m ? `${m[1]}:${m[2]}` : type;
}

/** The state's managed objects as `<kind> <id>`, for either form's type tokens. */
function managedObjects(state: Exported): string[] {
  return state.deployment.resources
    .filter((r) => r.id && !r.type.startsWith("pulumi:"))
    .map((r) => `${kindOfType(r.type)} ${r.id}`)
    .sort();
}

/** Whether the round's integration grants a workspace that is not among `existing`. */
function grantsNewWorkspace(prefix: string, existing: ReadonlySet<string>): boolean {
  const rows = Object.values(emulator.state().integrations[`${prefix}-intg`]?.access ?? {});
  return rows.some((row) => row.enabled && !existing.has(row.workspace_id));
}

/** The create requests the server has seen since the counts were reset. */
function creates(): number {
  const counts = emulator.requestCounts();
  return Object.entries(counts)
    .filter(([route]) => route.startsWith("POST ") || route === "PUT /integrations/{slug}/workspaces")
    .reduce((sum, [, n]) => sum + n, 0);
}

interface Figures {
  killPoint: string;
  /** Create requests the server had seen when the CLI was killed. */
  seen: number;
  pendingFound: number;
  adopted: number;
  deleted: number;
  cleared: number;
  /** Of the cleared: objects that exist but are addressed by their identity (grant rows), written again by the next `up`. */
  clearedExisting: number;
  /** Of the deleted: grants deleted with the default provider only their lost create answer recorded. */
  withProvider: number;
  /** Default providers left unrecorded (a grant cleared unproven), deleted by hand as the troubleshooting page says. */
  byHand: number;
  several: number;
  sidecarsRemoved: number;
  locked: boolean;
  exitMs: number;
  seconds: number;
}

describe.each<Form>(["native", "dynamic"])("%s resources", (form) => {
  test(`an up killed at seeded points: after each, recover leaves the state equal to the server; then up, refresh, preview and destroy leave nothing`, async () => {
    const began = Date.now();
    const { pairs, windows } = FORMS[form];
    const random = new SeededRandom(SEED + (form === "native" ? 0 : 1));
    const prefix = `${form}-${SEED}`;
    const dir = path.join(work, prefix);
    writeProgram(dir, "crash", program(form, prefix, pairs));
    const pulumi = (...args: string[]) => mustRun(dir, env, "pulumi", [...args, "--stack", prefix, "--non-interactive"]);
    const exported = async () => JSON.parse(await pulumi("stack", "export")) as Exported;
    await pulumi("stack", "init");

    const figures: Figures[] = [];
    /** Grant rows cleared by a recover while they existed, until the state manages them again. */
    const toRewrite = new Set<string>();
    for (const window of windows) {
      const started = Date.now();
      const killAt = window === FIRST_GRANT_WRITE ? undefined : window[0] + random.below(window[1] - window[0] + 1);
      const killPoint = killAt === undefined ? `at the ${FIRST_GRANT_WRITE}` : `after ${killAt} create requests`;
      emulator.setFaults({ latencyMs: LATENCY_MS });
      emulator.resetRequestCounts();
      const existing = new Set(Object.keys(emulator.state().workspaces));
      await upKilledWhen(dir, env, prefix, () => (killAt === undefined ? grantsNewWorkspace(prefix, existing) : creates() >= killAt), 180_000);
      const seen = creates();
      const exitMs = await noneLeft(mark, EXIT_BOUND_MS);
      emulator.setFaults({ latencyMs: 0 });
      // Requests already sent are still answered by the server (into a closed connection): let them land.
      await new Promise((resolve) => setTimeout(resolve, LATENCY_MS + 1_000));

      const recovered = await recoverAfterKill(dir, env, prefix);
      const found = recoverFigures(recovered.stdout);
      if (recovered.code !== 0 || !found) throw new Error(`recover ${killPoint} (${form}) exited ${recovered.code}:\n${recovered.stdout}\n${recovered.stderr}`);
      expect(found.left).toBe(0);
      const state = await exported();
      expect(state.deployment.pending_operations ?? []).toEqual([]);
      // No duplicate, no orphan: everything of the program on the server is in the state, and the state names nothing else;
      // except objects only one of which can exist with their identity (grant rows), cleared for a later `up` to write (this
      // recover's, and earlier ones' that the killed `up` since did not reach).
      const rewritten = [...recovered.stdout.matchAll(/^(urn:\S+): cleared \((\S+) exists, but only one object can have this identity/gm)].map(
        ([, urn, id]) => `${kindOfType(urn.split("::")[2].split("$").pop()!)} ${id}`,
      );
      rewritten.forEach((id) => toRewrite.add(id));
      const managed = managedObjects(state);
      expect(serverObjects(prefix)).toEqual([...managed, ...[...toRewrite].filter((id) => !managed.includes(id))].sort());
      // Every default provider is recorded by its grant, except (the documented limit) one a grant row cleared unproven may hold:
      // its workspace predates the killed run, so nothing proves the grant made it. Removed as the troubleshooting page says.
      const unrecorded = serverProviders(prefix)
        .filter((id) => !recordedProviders(state).includes(id))
        .map((id) => emulator.state().providers[id]);
      const unprovenWorkspaces = [...recovered.stdout.matchAll(/: cleared \(\S+\/(\S+) exists, .*cannot be proven the run's and is not recorded/gm)].map(([, workspaceId]) => workspaceId);
      expect(unrecorded.map((p) => p.workspace_id).filter((id) => !unprovenWorkspaces.includes(id))).toEqual([]);
      // `recover` named each of them, with how to delete it.
      for (const provider of unrecorded) expect(recovered.stderr).toContain(`DELETE /providers/${provider.slug}?workspace_id=${provider.workspace_id})`);
      for (const provider of unrecorded) await call(emulator, "DELETE", `/providers/${provider.slug}?workspace_id=${provider.workspace_id}`);
      figures.push({
        killPoint,
        seen,
        pendingFound: found.pending,
        adopted: found.adopted,
        deleted: found.deleted,
        cleared: found.cleared,
        clearedExisting: rewritten.length,
        byHand: unrecorded.length,
        withProvider: (recovered.stdout.match(/recorded only in the lost answer, and is deleted with it/g) ?? []).length,
        several: found.left,
        sidecarsRemoved: recovered.sidecarsRemoved,
        locked: recovered.wasLocked,
        exitMs,
        seconds: Math.round((Date.now() - started) / 1000),
      });
    }

    const finishing = Date.now();
    await pulumi("up", "--yes", "--skip-preview");
    const state = await exported();
    expect(state.deployment.pending_operations ?? []).toEqual([]);
    expect(managedObjects(state)).toHaveLength(declared(form));
    expect(serverObjects(prefix)).toEqual(managedObjects(state));
    // One default provider per grant, each recorded by its grant: nothing left behind for the workspaces' deletes to trip on.
    expect(serverProviders(prefix)).toHaveLength(FORMS[form].pairs);
    expect(recordedProviders(state)).toEqual(serverProviders(prefix));
    await pulumi("refresh", "--yes", "--skip-preview");
    await pulumi("preview", "--expect-no-changes");
    await pulumi("destroy", "--yes", "--skip-preview");
    expect(serverObjects(prefix)).toEqual([]);
    expect(Object.values(emulator.state().providers).filter((p) => p.integration_slug === `${prefix}-intg`)).toEqual([]);
    await noneLeft(mark, EXIT_BOUND_MS);
    console.log(
      `crash (${form}, seed ${SEED}, ${declared(form)} resources, latency ${LATENCY_MS} ms while killed):\n` +
        figures
          .map(
            (f, i) =>
              `  kill ${i + 1}, ${f.killPoint} (${f.seen} create requests seen): pending creates ${f.pendingFound}; adopted ${f.adopted}, deleted ${f.deleted} (${f.withProvider} of them grants with their default provider), cleared ${f.cleared} (${f.clearedExisting} of them existing grant rows), several ${f.several}; default providers deleted by hand ${f.byHand}; ` +
              `empty sidecars removed ${f.sidecarsRemoved}; lock left ${f.locked ? "yes" : "no"}; processes gone ${f.exitMs} ms after SIGKILL; ${f.seconds} s`,
          )
          .join("\n") +
        `\n  final up, refresh, preview, destroy: ${Math.round((Date.now() - finishing) / 1000)} s; whole test ${Math.round((Date.now() - began) / 1000)} s`,
    );
  });
});
