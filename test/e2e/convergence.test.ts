/**
 * Fault-injection convergence through the real engine against the emulator.
 *
 * One program of 30 Portkey workspaces, 30 workspace service keys (one per
 * workspace), 30 integration access grants (one per workspace, to one
 * integration made as a fixture through the API) and 3 OpenRouter workspaces
 * with a key each: 96 resources. For 10% and 30% injected faults (429 with
 * Retry-After, 500/503, and for writes a committed change whose response is
 * lost), `up` runs and is rerun at most 3 times while it fails, faults on.
 * Then, faults off:
 *   - nothing is duplicated (no two live server objects with one program name),
 *   - nothing is orphaned (every live server object of these kinds is in state, by id),
 *   - nothing in state is missing on the server,
 *   - the state equals the server for the managed fields (secrets included),
 *   - `refresh` then `preview` shows no changes,
 *   - `destroy` leaves nothing of ours on the server.
 * Every finding is collected and the figures are printed in one block before
 * the assertion, so a failure reads as a report.
 *
 * The seed is fixed and printed: the emulator draws the same fault sequence on
 * every run. Which request gets which fault still depends on the order in which
 * the engine's parallel operations reach the emulator, so two runs are alike,
 * not identical.
 */
import { openrouter, portkey } from "../../sdk";
import { RunningEmulator, startEmulator } from "../../emulator";
import { SeededRandom } from "../../emulator/random";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, engineErrorLines, EngineStack, StateExport, upUntilSuccess } from "./harness";

jest.setTimeout(20 * 60_000);

const SEED = 20_251_101;
const WORKSPACES = 30;
const OPENROUTER_WORKSPACES = 3;
const MAX_RERUNS = 3;
const PARALLEL = 8;
const MANAGEMENT_KEY = "sk-or-mgmt-convergence-0123456789";
const INTEGRATION = "convergence-openai";

const T = {
  workspace: "pulumi-nodejs:dynamic/portkey:Workspace",
  apiKey: "pulumi-nodejs:dynamic/portkey:ApiKey",
  access: "pulumi-nodejs:dynamic/portkey:IntegrationWorkspaceAccess",
  orWorkspace: "pulumi-nodejs:dynamic/openrouter:Workspace",
  orKey: "pulumi-nodejs:dynamic/openrouter:ApiKey",
} as const;

const pad = (i: number) => String(i).padStart(2, "0");

/**
 * The program: every name starts with `tag` so the server's objects of this run can be told apart.
 * It exports nothing: stack outputs that wait for 96 resources are registered after the program
 * body, and when an `up` fails first that registration is rejected by the terminating engine as an
 * unhandled rejection (in @pulumi/pulumi's runtime), which Jest reports as a failed suite. The
 * secrets are read from the state instead (see `secretsInState`).
 */
function program(tag: string) {
  return async () => {
    for (let i = 0; i < WORKSPACES; i++) {
      const n = pad(i);
      const ws = new portkey.Workspace(`ws-${n}`, {
        name: `${tag}-ws-${n}`,
        description: `Convergence workspace ${n}`,
        metadata: { index: n },
        rateLimits: [{ type: "requests", unit: "rpm", value: 1000 + i }],
        forceDelete: true, // the grants create a default provider in each workspace
      });
      new portkey.ApiKey(`key-${n}`, {
        type: "workspace",
        subType: "service",
        workspaceId: ws.id,
        name: `${tag}-key-${n}`,
        scopes: ["completions.write"],
        metadata: { index: n },
        rateLimits: [{ type: "requests", unit: "rpm", value: 100 + i }],
      });
      new portkey.IntegrationWorkspaceAccess(`access-${n}`, {
        integrationSlug: INTEGRATION,
        workspaceId: ws.id,
        rateLimits: [{ type: "requests", unit: "rpm", value: 500 + i }],
      });
    }
    for (let i = 0; i < OPENROUTER_WORKSPACES; i++) {
      const n = pad(i);
      const ws = new openrouter.Workspace(`or-ws-${n}`, { name: `${tag} OpenRouter ${n}`, slug: `${tag}-or-${n}`, description: `Convergence ${n}` });
      new openrouter.ApiKey(`or-key-${n}`, { name: `${tag}-or-key-${n}`, limit: 10 + i, workspaceId: ws.id });
    }
  };
}

const EXPECTED_IN_STATE: Record<string, number> = {
  [T.workspace]: WORKSPACES,
  [T.apiKey]: WORKSPACES,
  [T.access]: WORKSPACES,
  [T.orWorkspace]: OPENROUTER_WORKSPACES,
  [T.orKey]: OPENROUTER_WORKSPACES,
};

/** The optional request log the emulator may offer (status 0: the response was dropped). */
interface RequestLogEntry {
  service: string;
  method: string;
  route: string;
  status: number;
}
type WithRequestLog = RunningEmulator & { requestLog?: () => RequestLogEntry[]; clearRequestLog?: () => void };

/** The live server objects of this run, read from the emulator's own state (deleted ones excluded). */
function serverObjects(emulator: RunningEmulator, tag: string) {
  const pk = emulator.state();
  const or = emulator.openrouterState();
  const ours = (name: string) => name.startsWith(`${tag}-`) || name.startsWith(`${tag} `);
  // Workspaces of this run, deleted ones included, so keys left in them count as ours.
  const everyOurWorkspace = new Set(Object.values(pk.workspaces).filter((w) => ours(w.name)).map((w) => w.id));
  const workspaces = Object.values(pk.workspaces).filter((w) => !w.deleted_at && ours(w.name));
  const liveWorkspaceIds = new Set(workspaces.map((w) => w.id));
  const apiKeys = Object.values(pk.api_keys).filter((k) => !k.deleted_at && (ours(k.name) || (k.workspace_id !== null && everyOurWorkspace.has(k.workspace_id))));
  const integration = pk.integrations[INTEGRATION];
  const accessRows = Object.values(integration?.access ?? {}).filter((row) => row.enabled && liveWorkspaceIds.has(row.workspace_id));
  const providers = Object.values(pk.providers).filter((p) => everyOurWorkspace.has(p.workspace_id) && liveWorkspaceIds.has(p.workspace_id));
  const everyOurOrWorkspace = new Set(Object.values(or.workspaces).filter((w) => ours(w.slug) || ours(w.name)).map((w) => w.id));
  const orWorkspaces = Object.values(or.workspaces).filter((w) => !w.deleted_at && !w.is_default && (ours(w.slug) || ours(w.name)));
  const orKeys = Object.values(or.keys).filter((k) => !k.deleted_at && (ours(k.name) || everyOurOrWorkspace.has(k.workspace_id)));
  return { workspaces, apiKeys, accessRows, providers, orWorkspaces, orKeys };
}

function duplicatesOf<T>(items: T[], nameOf: (item: T) => string): string[] {
  const byName = new Map<string, number>();
  for (const item of items) byName.set(nameOf(item), (byName.get(nameOf(item)) ?? 0) + 1);
  return [...byName].filter(([, n]) => n > 1).map(([name, n]) => `${name} x${n}`);
}

/** The logical name of a resource from its URN ("...::ws-07" -> "ws-07"). */
const logicalName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

const limits = (list: unknown) =>
  ((list as { type?: unknown; unit?: unknown; value?: unknown }[] | undefined) ?? []).map((r) => ({ type: r.type, unit: r.unit, value: r.value }));
const usage = (list: unknown) =>
  ((list as Record<string, unknown>[] | undefined) ?? []).map((u) => ({ creditLimit: u.creditLimit ?? u.credit_limit ?? null }));

/** Compares the managed fields of every resource in state with the server's object. */
function stateVersusServer(state: StateExport, secrets: Record<string, string>, emulator: RunningEmulator): { mismatches: string[]; missing: string[] } {
  const pk = emulator.state();
  const or = emulator.openrouterState();
  const mismatches: string[] = [];
  const missing: string[] = [];
  const compare = (name: string, field: string, inState: unknown, onServer: unknown) => {
    if (JSON.stringify(inState) !== JSON.stringify(onServer)) {
      mismatches.push(`${name}.${field}: state ${JSON.stringify(inState)}, server ${JSON.stringify(onServer)}`);
    }
  };
  for (const r of state.resources(T.workspace)) {
    const name = logicalName(r.urn);
    const o = r.outputs ?? {};
    const w = r.id ? pk.workspaces[r.id] : undefined;
    if (!w || w.deleted_at) {
      missing.push(`${name} (workspace ${r.id})`);
      continue;
    }
    compare(name, "workspaceId", o.workspaceId, w.id);
    compare(name, "slug", o.slug, w.slug);
    compare(name, "name", o.name, w.icon ? `${w.icon} ${w.name}` : w.name);
    compare(name, "description", o.description ?? null, w.description || null);
    compare(name, "metadata", o.metadata ?? {}, w.metadata);
    compare(name, "rateLimits", limits(o.rateLimits), limits(w.rate_limits));
    compare(name, "usageLimits", usage(o.usageLimits), usage(w.usage_limits));
  }
  for (const r of state.resources(T.apiKey)) {
    const name = logicalName(r.urn);
    const o = r.outputs ?? {};
    const k = r.id ? pk.api_keys[r.id] : undefined;
    if (!k || k.deleted_at) {
      missing.push(`${name} (API key ${r.id})`);
      continue;
    }
    const current = k.secrets[k.secrets.length - 1].value;
    compare(name, "apiKeyId", o.apiKeyId, k.id);
    compare(name, "name", o.name, k.name);
    compare(name, "scopes", [...((o.scopes as string[]) ?? [])].sort(), [...k.scopes].sort());
    compare(name, "resolvedWorkspaceId", o.resolvedWorkspaceId, k.workspace_id);
    compare(name, "metadata", o.metadata ?? {}, k.metadata);
    compare(name, "rateLimits", limits(o.rateLimits), limits(k.rate_limits));
    compare(name, "maskedKey", o.maskedKey, `${current.slice(0, 2)}*******${current.slice(-2)}`);
    // The secret is encrypted in the export; the stack output carries it decrypted.
    if (secrets[name] !== current) mismatches.push(`${name}.key: the secret in state is not the key's current secret`);
  }
  for (const r of state.resources(T.access)) {
    const name = logicalName(r.urn);
    const o = r.outputs ?? {};
    const workspaceId = String(o.resolvedWorkspaceId ?? "");
    const row = pk.integrations[INTEGRATION]?.access[workspaceId];
    const workspace = pk.workspaces[workspaceId];
    if (!row || !workspace || workspace.deleted_at) {
      missing.push(`${name} (access ${r.id})`);
      continue;
    }
    compare(name, "id", r.id, `${INTEGRATION}/${o.workspaceId}`);
    compare(name, "workspaceSlug", o.workspaceSlug, workspace.slug);
    compare(name, "enabled", o.enabled, row.enabled);
    compare(name, "rateLimits", limits(o.rateLimits), limits(row.rate_limits));
    compare(name, "usageLimits", usage(o.usageLimits), usage(row.usage_limits));
  }
  for (const r of state.resources(T.orWorkspace)) {
    const name = logicalName(r.urn);
    const o = r.outputs ?? {};
    const w = r.id ? or.workspaces[r.id] : undefined;
    if (!w || w.deleted_at) {
      missing.push(`${name} (OpenRouter workspace ${r.id})`);
      continue;
    }
    compare(name, "name", o.name, w.name);
    compare(name, "slug", o.slug, w.slug);
    compare(name, "description", o.description ?? null, w.description);
  }
  for (const r of state.resources(T.orKey)) {
    const name = logicalName(r.urn);
    const o = r.outputs ?? {};
    const k = r.id ? or.keys[r.id] : undefined;
    if (!k || k.deleted_at) {
      missing.push(`${name} (OpenRouter key ${r.id})`);
      continue;
    }
    compare(name, "hash", o.hash, k.hash);
    compare(name, "name", o.name, k.name);
    compare(name, "limit", o.limit ?? null, k.limit);
    compare(name, "disabled", o.disabled, k.disabled);
    compare(name, "resolvedWorkspaceId", o.resolvedWorkspaceId, k.workspace_id);
    if (secrets[name] !== k.secret) mismatches.push(`${name}.key: the secret in state is not the key's secret`);
  }
  return { mismatches, missing };
}

/**
 * The `key` output of every API key in state, decrypted: the Automation API's
 * exportStack passes --show-secrets, where a secret is `{ plaintext: "<JSON>" }`.
 */
async function secretsInState(stack: EngineStack): Promise<Record<string, string>> {
  const deployment = (await stack.stack.exportStack()).deployment as { resources?: { urn: string; type: string; outputs?: Record<string, unknown> }[] };
  const secrets: Record<string, string> = {};
  for (const r of deployment.resources ?? []) {
    if (r.type !== T.apiKey && r.type !== T.orKey) continue;
    const value = r.outputs?.key as unknown;
    if (typeof value === "string") secrets[logicalName(r.urn)] = value;
    else if (value && typeof value === "object" && typeof (value as { plaintext?: unknown }).plaintext === "string") {
      secrets[logicalName(r.urn)] = JSON.parse((value as { plaintext: string }).plaintext) as string;
    }
  }
  return secrets;
}

/**
 * Faults injected among `requests` requests, by replaying the emulator's seeded
 * draw (one draw per request, a second for the kind of fault when one is injected).
 * Used only when the emulator offers no request log.
 */
function replayFaults(seed: number, rate: number, requests: number) {
  const random = new SeededRandom(seed);
  const kinds = { "429": 0, "503": 0, "500": 0, "lost or 502": 0 };
  for (let i = 0; i < requests; i++) {
    if (random.next() >= rate) continue;
    const kind = random.below(4);
    if (kind === 0) kinds["429"] += 1;
    else if (kind === 1) kinds["503"] += 1;
    else if (kind === 2) kinds["500"] += 1;
    else kinds["lost or 502"] += 1;
  }
  return kinds;
}

function faultFigures(emulator: WithRequestLog, logStart: number, rate: number): { requests: number; faults: number; detail: string } {
  if (typeof emulator.requestLog === "function") {
    const entries = emulator.requestLog().slice(logStart);
    const kinds: Record<string, number> = {};
    for (const e of entries) {
      if (e.status === 429 || e.status >= 500 || e.status === 0) {
        const kind = e.status === 0 ? "lost" : String(e.status);
        kinds[kind] = (kinds[kind] ?? 0) + 1;
      }
    }
    const faults = Object.values(kinds).reduce((a, b) => a + b, 0);
    return { requests: entries.length, faults, detail: Object.entries(kinds).map(([k, n]) => `${k}=${n}`).join(", ") };
  }
  const requests = Object.values(emulator.requestCounts()).reduce((a, b) => a + b, 0);
  const kinds = replayFaults(SEED, rate, requests);
  const faults = Object.values(kinds).reduce((a, b) => a + b, 0);
  return { requests, faults, detail: `${Object.entries(kinds).map(([k, n]) => `${k}=${n}`).join(", ")}; replayed from the seed` };
}

async function converge(rate: number): Promise<void> {
  const percent = Math.round(rate * 100);
  const tag = `conv${percent}`;
  const problems: string[] = [];
  const figures: string[] = [];
  const upFailures: string[] = [];
  const emulator: WithRequestLog = await startEmulator({ adminKeys: [ADMIN_KEY], managementKeys: [MANAGEMENT_KEY] });
  let stack: EngineStack | undefined;
  let destroyed = false;
  try {
    // The fixture, made through the API with faults off.
    const made = await call(emulator, "POST", "/integrations", { name: "Convergence OpenAI", slug: INTEGRATION, ai_provider_id: "openai", key: "sk-test-fake-convergence" });
    expect(made.status).toBe(200);
    stack = await EngineStack.create({
      projectName: `convergence-${percent}`,
      program: program(tag),
      config: {
        "portkey:apiKey": { value: ADMIN_KEY, secret: true },
        "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
        "openrouter:managementKey": { value: MANAGEMENT_KEY, secret: true },
        "openrouter:baseUrl": { value: emulator.openrouterBaseUrl },
      },
    });

    // ups with faults on. Counts and seed are reset together, so the replay matches the draws.
    emulator.clearRequestLog?.();
    const logStart = emulator.requestLog?.().length ?? 0;
    emulator.resetRequestCounts();
    emulator.setFaults({ faultRate: rate, seed: SEED });
    const attempts = await upUntilSuccess(stack, { parallel: PARALLEL, maxReruns: MAX_RERUNS });
    emulator.setFaults({ faultRate: 0 });
    const traffic = faultFigures(emulator, logStart, rate);
    attempts.failures.forEach((lines, i) => upFailures.push(`  up ${i + 1} failed: ${lines.join("\n    ")}`));
    if (!attempts.succeeded) problems.push(`up did not succeed within ${MAX_RERUNS + 1} runs`);
    figures.push(`ups=${attempts.ups}${attempts.succeeded ? "" : " (none succeeded)"}`, `requests=${traffic.requests}`, `faults injected=${traffic.faults} (${traffic.detail})`);

    // Faults off from here on.
    const state = await stack.exportState();
    const secrets = await secretsInState(stack);
    const counts = Object.entries(EXPECTED_IN_STATE).map(([type, n]) => ({ type, n, got: state.resources(type).length }));
    const inState = counts.reduce((a, c) => a + c.got, 0);
    for (const c of counts) if (c.got !== c.n) problems.push(`state holds ${c.got} of ${c.n} ${c.type.split("/")[1]}`);
    figures.push(`in state=${inState}/${counts.reduce((a, c) => a + c.n, 0)}`);

    const server = serverObjects(emulator, tag);
    const duplicates = [
      ...duplicatesOf(server.workspaces, (w) => w.name),
      ...duplicatesOf(server.apiKeys, (k) => k.name),
      ...duplicatesOf(server.orWorkspaces, (w) => w.name),
      ...duplicatesOf(server.orKeys, (k) => k.name),
    ];
    const ids = (type: string) => new Set(state.resources(type).map((r) => r.id));
    const accessWorkspaces = new Set(state.resources(T.access).map((r) => String(r.outputs?.resolvedWorkspaceId)));
    const orphans = [
      ...server.workspaces.filter((w) => !ids(T.workspace).has(w.id)).map((w) => `workspace ${w.name} (${w.id})`),
      ...server.apiKeys.filter((k) => !ids(T.apiKey).has(k.id)).map((k) => `API key ${k.name} (${k.id})`),
      ...server.accessRows.filter((row) => !accessWorkspaces.has(row.workspace_id)).map((row) => `access of workspace ${row.workspace_id}`),
      ...server.orWorkspaces.filter((w) => !ids(T.orWorkspace).has(w.id)).map((w) => `OpenRouter workspace ${w.slug} (${w.id})`),
      ...server.orKeys.filter((k) => !ids(T.orKey).has(k.hash)).map((k) => `OpenRouter key ${k.name} (${k.hash})`),
    ];
    const { mismatches, missing } = stateVersusServer(state, secrets, emulator);
    if (duplicates.length > 0) problems.push(`duplicates: ${duplicates.join(", ")}`);
    if (orphans.length > 0) problems.push(`orphans (on the server, not in state): ${orphans.join(", ")}`);
    if (missing.length > 0) problems.push(`in state but gone from the server: ${missing.join(", ")}`);
    if (mismatches.length > 0) problems.push(`state differs from the server: ${mismatches.slice(0, 15).join("; ")}${mismatches.length > 15 ? `; ... ${mismatches.length - 15} more` : ""}`);
    const onServer = server.workspaces.length + server.apiKeys.length + server.accessRows.length + server.orWorkspaces.length + server.orKeys.length;
    figures.push(`on server=${onServer}`, `duplicates=${duplicates.length}`, `orphans=${orphans.length}`, `missing=${missing.length}`, `state≠server=${mismatches.length}`);

    try {
      const refreshed = await stack.refresh();
      const preview = await stack.preview();
      const changes = changedSteps(preview.steps);
      const refreshChanges = Object.entries(refreshed.changeSummary).filter(([op]) => op !== "same");
      if (changes.length > 0) problems.push(`preview after refresh shows changes: ${changes.map((s) => `${s.op} ${logicalName(s.urn)} [${s.diffs.join(",")}]`).join(", ")}`);
      figures.push(
        changes.length === 0 ? "refresh+preview clean" : `preview after refresh: ${changes.length} change(s)`,
        ...(refreshChanges.length > 0 ? [`refresh changed ${refreshChanges.map(([op, n]) => `${op}=${n}`).join(",")}`] : []),
      );
    } catch (error) {
      problems.push(`refresh/preview failed: ${engineErrorLines(error).join(" | ")}`);
      figures.push("refresh+preview failed");
    }

    try {
      await stack.destroy();
      destroyed = true;
    } catch (error) {
      problems.push(`destroy failed: ${engineErrorLines(error).join(" | ")}`);
    }
    const left = serverObjects(emulator, tag);
    const leftCount = left.workspaces.length + left.apiKeys.length + left.accessRows.length + left.providers.length + left.orWorkspaces.length + left.orKeys.length;
    if (leftCount > 0) {
      problems.push(
        `destroy left ${leftCount} object(s): ${left.workspaces.length} workspaces, ${left.apiKeys.length} API keys, ${left.accessRows.length} enabled access rows, ` +
          `${left.providers.length} providers, ${left.orWorkspaces.length} OpenRouter workspaces, ${left.orKeys.length} OpenRouter keys`,
      );
    }
    figures.push(`destroy left ${leftCount}`);
  } finally {
    console.log(
      [`convergence ${percent}% (seed ${SEED}, parallel ${PARALLEL}): ${figures.join(", ")}`, ...upFailures, ...problems.map((p) => `  problem: ${p}`)].join("\n"),
    );
    if (stack) {
      try {
        if (!destroyed) await stack.destroy();
      } catch {
        // Best effort; the emulator is in memory and stops below.
      }
      await stack.dispose();
    }
    await emulator.stop();
  }
  expect(problems).toEqual([]);
}

test("converges under 10% injected faults: no duplicate, no orphan, state equals the server, destroy leaves nothing", () => converge(0.1));

test("converges under 30% injected faults: no duplicate, no orphan, state equals the server, destroy leaves nothing", () => converge(0.3));
