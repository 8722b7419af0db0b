/**
 * Performance at scale (issue 16), on the package as users install it: packed,
 * installed into a fresh project outside the repository, its program run by
 * the Pulumi CLI from PATH (file backend, passphrase secrets) against the
 * in-process emulator with a fixed latency per request. The program has W
 * workspaces, each with one workspace service key and one access grant to one
 * integration (N = 3W resources).
 *
 * Prints, in one run:
 * 1. raw minimal: a plain script, one POST per workspace, one POST per key,
 *    one PUT per grant, `--parallel` in flight;
 * 2. engine floor: the same program shape with a trivial dynamic provider that
 *    makes no calls, `up` and `destroy`;
 * 3. this package: `up`, a no-op `preview`, `refresh`, `destroy`, each with
 *    wall time, API calls by route, CPU of the engine, program and provider
 *    processes, the provider's peak RSS, and state bytes per resource;
 * 4. the same with the native resources (provider plugins, no code in state);
 * 5. the ratios of the goals.
 * Benchmarks print figures; nothing here asserts.
 *
 *   npm run bench -- scale [--resources 300] [--latency-ms 50] [--parallel 8]
 *                          [--checkpoints on|off] [--skip raw,floor,package,native,preview,refresh,destroy]
 *                          [--processes]   (lists every sampled process on stderr)
 *                          [--plugins npm|executable]   (the native phase's plugins: the package's
 *                          Node launchers, default, or the release's single executables)
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { RunningEmulator, startEmulator } from "../emulator";
import { ConsumerProject, StateSize } from "./lib/consumer";
import { TreeUsage } from "./lib/process-tree";
import { assertPulumiOnPath, CliRun, runPulumi } from "./lib/pulumi-cli";
import { rawMinimal, RawMinimalResult } from "./lib/raw-minimal";
import { table } from "./lib/table";
import { hostTarget, pluginArchives } from "../scripts/plugin-archives";

const ADMIN_KEY = "bench-admin-key";
const INTEGRATION = "bench-openai";
const PHASES = ["raw", "floor", "package", "native", "preview", "refresh", "destroy"] as const;
type Phase = (typeof PHASES)[number];
type Op = "up" | "preview" | "refresh" | "destroy";

interface Settings {
  workspaces: number;
  resources: number;
  latencyMs: number;
  parallel: number;
  skipCheckpoints: boolean;
  skip: Set<Phase>;
  /** Print every sampled process of each engine operation to stderr. */
  showProcesses: boolean;
  /** The native phase runs the release's single-executable plugins instead of the package's Node launchers. */
  executablePlugins: boolean;
}

function pluginsOption(value: string | undefined): boolean {
  if (value !== undefined && value !== "npm" && value !== "executable") throw new Error(`--plugins must be npm or executable (got ${value})`);
  return value === "executable";
}

/** This machine's plugin executables (built or taken from the cache), unpacked into `dir`. */
async function unpackExecutablePlugins(root: string, dir: string): Promise<string> {
  const host = hostTarget();
  if (!host) throw new Error(`no plugin executable is built for ${process.platform}-${process.arch}`);
  const version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
  const target = path.join(dir, "plugins");
  fs.mkdirSync(target, { recursive: true });
  for (const archive of await pluginArchives(["portkey", "openrouter"], version, [host])) execFileSync("tar", ["-xzf", archive.file, "-C", target]);
  return target;
}

interface OpResult {
  run: CliRun;
  counts: Record<string, number>;
  /** Time with at least one API request in flight, seconds. */
  apiBusySeconds: number;
  /** Access PUTs: grants carried per PUT (mean, max) and most PUTs in flight at once. */
  accessPuts?: { count: number; meanItems: number; maxItems: number; maxInFlight: number };
}

const ACCESS_PUT = "PUT /integrations/{slug}/workspaces";

function parseSettings(): Settings {
  const { values } = parseArgs({
    options: {
      resources: { type: "string" },
      "latency-ms": { type: "string" },
      parallel: { type: "string" },
      checkpoints: { type: "string" },
      skip: { type: "string", multiple: true },
      processes: { type: "boolean" },
      plugins: { type: "string" },
    },
  });
  const number = (name: string, raw: string | undefined, fallback: number, min: number) => {
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min} (got ${raw})`);
    return value;
  };
  const resources = number("resources", values.resources, 300, 3);
  const checkpoints = values.checkpoints ?? "on";
  if (checkpoints !== "on" && checkpoints !== "off") throw new Error(`--checkpoints must be on or off (got ${checkpoints})`);
  const skip = new Set<Phase>();
  for (const name of (values.skip ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean)) {
    if (!(PHASES as readonly string[]).includes(name)) throw new Error(`--skip takes ${PHASES.join(", ")} (got ${name})`);
    skip.add(name as Phase);
  }
  const workspaces = Math.max(1, Math.round(resources / 3));
  return {
    workspaces,
    resources: workspaces * 3,
    latencyMs: number("latency-ms", values["latency-ms"], 50, 0),
    parallel: number("parallel", values.parallel, 8, 1),
    skipCheckpoints: checkpoints === "off",
    skip,
    showProcesses: values.processes === true,
    executablePlugins: pluginsOption(values.plugins),
  };
}

async function startBenchEmulator(latencyMs: number): Promise<RunningEmulator> {
  const emulator = await startEmulator({ adminKeys: [ADMIN_KEY], latencyMs, requestLogLimit: 1_000_000 });
  const response = await fetch(`${emulator.portkeyBaseUrl}/integrations`, {
    method: "POST",
    headers: { "x-portkey-api-key": ADMIN_KEY, "content-type": "application/json" },
    body: JSON.stringify({ name: "Bench OpenAI", slug: INTEGRATION, ai_provider_id: "openai", key: "sk-x" }),
  });
  if (!response.ok) throw new Error(`creating the integration failed: ${response.status} ${await response.text()}`);
  emulator.resetRequestCounts();
  emulator.clearRequestLog();
  return emulator;
}

/** Length of the union of the logged requests' [start, finish] intervals, seconds. */
function busySeconds(emulator: RunningEmulator): number {
  const spans = emulator
    .requestLog()
    .map((r) => [r.startedAt, r.finishedAt] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  let start = -Infinity;
  for (const [s, f] of spans) {
    if (s > end) {
      if (end > start) total += end - start;
      start = s;
      end = f;
    } else end = Math.max(end, f);
  }
  if (end > start) total += end - start;
  return total / 1000;
}

let showProcesses = false;

async function measured(emulator: RunningEmulator | undefined, run: () => Promise<CliRun>): Promise<OpResult> {
  emulator?.resetRequestCounts();
  emulator?.clearRequestLog();
  const result = await run();
  if (showProcesses) {
    for (const p of result.usage.list) {
      log(`  pid ${p.pid} (parent ${p.ppid}) ${p.role}: cpu ${p.cpuSeconds.toFixed(2)} s, VmHWM ${mb(p.peakRssBytes)}: ${p.cmdline.slice(0, 160)}`);
    }
  }
  return { run: result, counts: emulator?.requestCounts() ?? {}, apiBusySeconds: emulator ? busySeconds(emulator) : 0, accessPuts: emulator && accessPuts(emulator) };
}

function accessPuts(emulator: RunningEmulator): OpResult["accessPuts"] {
  const puts = emulator.requestLog().filter((r) => r.route === ACCESS_PUT);
  if (puts.length === 0) return undefined;
  const items = puts.map((r) => {
    const list = (r.body as { workspaces?: unknown } | undefined)?.workspaces;
    return Array.isArray(list) ? list.length : 0;
  });
  const edges = puts.flatMap((r) => [[r.startedAt, 1] as const, [r.finishedAt, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let maxInFlight = 0;
  for (const [, delta] of edges) maxInFlight = Math.max(maxInFlight, (now += delta));
  return { count: puts.length, meanItems: items.reduce((a, b) => a + b, 0) / puts.length, maxItems: Math.max(...items), maxInFlight };
}

/** The CLI's "Resources:" summary, e.g. "+ 301 created" or "301 unchanged". */
function engineSummary(stdout: string): string {
  const lines = stdout.split("\n");
  const at = lines.findIndex((l) => l.trim() === "Resources:");
  if (at < 0) return "";
  const items: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (!line.trim()) break;
    items.push(line.trim().replace(/\s+/g, " "));
  }
  return items.join(", ");
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const s = (seconds: number) => `${seconds.toFixed(1)} s`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} KB`;
const ratio = (value: number, limit: number) => (limit > 0 ? `${(value / limit).toFixed(2)}` : "n/a");

function log(line: string): void {
  process.stderr.write(`[scale] ${line}\n`);
}

async function main(): Promise<void> {
  const settings = parseSettings();
  const { workspaces: W, parallel, latencyMs, skipCheckpoints, skip } = settings;
  const engineRuns = !skip.has("floor") || !skip.has("package") || !skip.has("native");
  if (engineRuns) assertPulumiOnPath();
  const opOptions = { parallel, skipCheckpoints };
  showProcesses = settings.showProcesses;

  const root = path.resolve(__dirname, "..", "..");
  let consumer: ConsumerProject | undefined;
  let emulator: RunningEmulator | undefined;
  let pulumiVersion = "";
  let raw: (RawMinimalResult & { counts: Record<string, number> }) | undefined;
  const floor: Partial<Record<"up" | "destroy", OpResult>> & { state?: StateSize } = {};
  const pkg: Partial<Record<Op, OpResult>> & { state?: StateSize } = {};
  const native: Partial<Record<Op, OpResult>> & { state?: StateSize } = {};
  let installSeconds = 0;
  const loadAtStart = os.loadavg()[0];

  try {
    if (engineRuns) {
      pulumiVersion = (await runPulumi(["version"], { cwd: root, env: {} })).stdout.trim();
      log("packing the package and installing it into a fresh project...");
      const started = Date.now();
      consumer = await ConsumerProject.create(root);
      if (settings.executablePlugins) consumer.pluginDir = await unpackExecutablePlugins(root, consumer.dir);
      installSeconds = (Date.now() - started) / 1000;
      log(`installed ${consumer.packageName} into ${consumer.dir} in ${installSeconds.toFixed(0)} s`);
    }

    if (!skip.has("raw")) {
      log("raw minimal...");
      emulator = await startBenchEmulator(latencyMs);
      const result = await rawMinimal({ baseUrl: emulator.portkeyBaseUrl, adminKey: ADMIN_KEY, integrationSlug: INTEGRATION, workspaces: W, parallel });
      raw = { ...result, counts: emulator.requestCounts() };
      await emulator.stop();
      emulator = undefined;
    }

    if (consumer && !skip.has("floor")) {
      log("engine floor: up...");
      await consumer.initStack("floor", { mode: "floor", workspaces: W, integrationSlug: INTEGRATION });
      floor.up = await measured(undefined, () => consumer!.operation("up", "floor", opOptions));
      floor.state = await consumer.stateSize("floor");
      log("engine floor: destroy...");
      floor.destroy = await measured(undefined, () => consumer!.operation("destroy", "floor", opOptions));
    }

    for (const [mode, results] of [["package", pkg], ["native", native]] as const) {
      if (!consumer || skip.has(mode)) continue;
      await emulator?.stop();
      emulator = await startBenchEmulator(latencyMs);
      await consumer.initStack(mode, { mode, workspaces: W, integrationSlug: INTEGRATION, adminKey: ADMIN_KEY, baseUrl: emulator.portkeyBaseUrl });
      for (const op of ["up", "preview", "refresh", "destroy"] as const) {
        if (op !== "up" && skip.has(op)) continue;
        log(`${mode}: ${op}...`);
        results[op] = await measured(emulator, () => consumer!.operation(op, mode, opOptions));
        if (op === "up") results.state = await consumer.stateSize(mode);
      }
    }
  } finally {
    await emulator?.stop();
    consumer?.dispose();
  }

  process.stdout.write(report(settings, { load: [loadAtStart, os.loadavg()[0]], pulumiVersion, installSeconds, raw, floor, pkg, native }) + "\n");
}

interface Results {
  /** 1-minute load average at the start and at the end (the machine may be shared). */
  load: [number, number];
  pulumiVersion: string;
  installSeconds: number;
  raw: (RawMinimalResult & { counts: Record<string, number> }) | undefined;
  floor: Partial<Record<"up" | "destroy", OpResult>> & { state?: StateSize };
  pkg: Partial<Record<Op, OpResult>> & { state?: StateSize };
  native: Partial<Record<Op, OpResult>> & { state?: StateSize };
}

function report(settings: Settings, r: Results): string {
  const { workspaces: W, resources: N, parallel, latencyMs } = settings;
  const out: string[] = [];
  out.push(
    `scale: ${W} workspaces x (workspace, workspace service key, access grant to one integration) = ${N} resources; ` +
      `emulator latency ${latencyMs} ms/request; --parallel ${parallel}; checkpoints ${settings.skipCheckpoints ? "off (PULUMI_SKIP_CHECKPOINTS=true)" : "on"}; file backend`,
  );
  if (r.pulumiVersion) out.push(`pulumi ${r.pulumiVersion}, node ${process.version}; package packed and installed into a fresh project (${r.installSeconds.toFixed(0)} s)`);
  out.push(`native plugins: ${settings.executablePlugins ? "the release's single executables (Node SEA)" : "the package's Node launchers (node_modules/.bin)"}`);
  out.push(`${os.cpus().length} CPUs; 1-minute load average ${r.load[0].toFixed(1)} at the start, ${r.load[1].toFixed(1)} at the end`);
  out.push("");

  const usageCells = (u: TreeUsage) => [
    u.engine.cpuSeconds.toFixed(1),
    u.program.processes ? u.program.cpuSeconds.toFixed(1) : "-",
    u.provider.processes ? u.provider.cpuSeconds.toFixed(1) : "-",
    u.provider.processes ? mb(u.provider.peakRssBytes) : "-",
    u.program.processes ? mb(u.program.peakRssBytes) : "-",
    (u["language host"].cpuSeconds + u.other.cpuSeconds).toFixed(1),
  ];
  const rows: string[][] = [];
  if (r.raw) rows.push([`raw minimal (${parallel} in flight)`, s(r.raw.seconds), String(sum(r.raw.counts)), "", "", "", "", "", "", "", ""]);
  for (const op of ["up", "destroy"] as const) {
    const res = r.floor[op];
    if (res) rows.push([`engine floor: ${op}`, s(res.run.seconds), "0", "", ...usageCells(res.run.usage), engineSummary(res.run.stdout)]);
  }
  const label: Record<Op, string> = { up: "up", preview: "preview (no-op)", refresh: "refresh", destroy: "destroy" };
  for (const [name, results] of [["package", r.pkg], ["native", r.native]] as const) {
    for (const op of ["up", "preview", "refresh", "destroy"] as const) {
      const res = results[op];
      if (res) rows.push([`${name}: ${label[op]}`, s(res.run.seconds), String(sum(res.counts)), s(res.apiBusySeconds), ...usageCells(res.run.usage), engineSummary(res.run.stdout)]);
    }
  }
  out.push("time, calls and processes (CPU = utime+stime in seconds, sampled from /proc every 100 ms; RSS = peak VmHWM of one process):");
  out.push(table(["phase", "wall", "API calls", "API busy", "engine CPU", "program CPU", "provider CPU", "provider RSS", "program RSS", "host+other CPU", "engine summary"], rows, [0, 10]));
  out.push("");

  const columns: [string, Record<string, number>][] = [];
  if (r.raw) columns.push(["raw", r.raw.counts]);
  for (const op of ["up", "preview", "refresh", "destroy"] as const) {
    const res = r.pkg[op];
    if (res) columns.push([op, res.counts]);
  }
  for (const op of ["up", "destroy"] as const) {
    const res = r.native[op];
    if (res) columns.push([`native ${op}`, res.counts]);
  }
  if (columns.length > 0) {
    const routes = [...new Set(columns.flatMap(([, c]) => Object.keys(c)))].sort();
    out.push("API calls by route:");
    out.push(
      table(
        ["route", ...columns.map(([name]) => name)],
        [...routes.map((route) => [route, ...columns.map(([, c]) => String(c[route] ?? 0))]), ["total", ...columns.map(([, c]) => String(sum(c)))]],
      ),
    );
    out.push("");
  }

  const stateRows: string[][] = [];
  const stateRow = (name: string, st: StateSize | undefined) => {
    if (!st || st.resources === 0) return;
    stateRows.push([
      name,
      String(st.resources),
      kb(st.exportBytes / st.resources),
      kb(st.resourceBytes / st.resources),
      kb((st.resourceBytes - st.resourceBytesWithoutProvider) / st.resources),
      kb(st.resourceBytesWithoutProvider / st.resources),
      kb(st.ownDataBytes / st.resources),
      kb(st.checkpointFileBytes),
    ]);
  };
  stateRow("package", r.pkg.state);
  stateRow("native", r.native.state);
  stateRow("engine floor", r.floor.state);
  if (stateRows.length > 0) {
    out.push("state after up (`pulumi stack export`; KB = 1000 bytes; per resource = over the N dynamic resources):");
    out.push(table(["stack", "resources", "export/resource", "resource JSON", "of it __provider", "without __provider", "inputs+outputs", "checkpoint file"], stateRows));
    out.push("");
  }

  out.push("goals (ratio = measured / limit; <= 1.00 meets the goal):");
  const goals: string[][] = [];
  const rawSeconds = r.raw?.seconds;
  for (const op of ["up", "destroy"] as const) {
    const mine = r.pkg[op]?.run.seconds;
    const fl = r.floor[op]?.run.seconds;
    if (mine !== undefined && fl !== undefined && rawSeconds !== undefined) {
      const limit = 1.2 * (fl + rawSeconds);
      goals.push([`${op} time vs 1.2 x (floor ${op} + raw minimal)`, s(mine), `${s(limit)} = 1.2 x (${fl.toFixed(1)} + ${rawSeconds.toFixed(1)})`, ratio(mine, limit)]);
    } else goals.push([`${op} time vs 1.2 x (floor ${op} + raw minimal)`, mine === undefined ? "-" : s(mine), "n/a (phase skipped)", "n/a"]);
  }
  const up = r.pkg.up;
  if (up) {
    const calls = sum(up.counts);
    goals.push(["API calls of up vs 1.1 x minimum (1 per resource)", `${calls} (${(calls / N).toFixed(2)}x min)`, `${(1.1 * N).toFixed(0)} = 1.1 x ${N}`, ratio(calls, 1.1 * N)]);
    const puts = up.counts[ACCESS_PUT] ?? 0;
    const putLimit = W / parallel + 2;
    goals.push(["access PUTs of up vs grants / parallel + 2", String(puts), `${putLimit.toFixed(1)} = ${W} / ${parallel} + 2`, ratio(puts, putLimit)]);
  }
  if (r.pkg.state && r.pkg.state.resources > 0) {
    const st = r.pkg.state;
    goals.push(["state per resource without __provider vs 1 KB", kb(st.resourceBytesWithoutProvider / st.resources), "1.00 KB", ratio(st.resourceBytesWithoutProvider / st.resources, 1000)]);
    goals.push(["state per resource, all of it, vs 1 KB", kb(st.resourceBytes / st.resources), "1.00 KB", ratio(st.resourceBytes / st.resources, 1000)]);
  }
  for (const [label, st] of [["dynamic", r.pkg.state], ["native", r.native.state]] as const) {
    if (!st || st.resources === 0) continue;
    goals.push([`${label}: our own data per resource (inputs + outputs) vs 1 KB`, kb(st.ownDataBytes / st.resources), "1.00 KB", ratio(st.ownDataBytes / st.resources, 1000)]);
  }
  // The official Terraform provider on the same work, emulator, latency and parallelism (issue 16's measurement, Terraform 1.11).
  const terraformApply: Record<number, number> = { 300: 6.7, 999: 34.8 };
  const native = r.native.up?.run.seconds;
  if (native !== undefined) {
    const tf = terraformApply[N];
    goals.push([
      "native up vs Terraform apply (same work)",
      s(native),
      tf === undefined ? `n/a (measured only at 300 and 999 resources)` : s(tf),
      tf === undefined ? "n/a" : ratio(native, tf),
    ]);
    const dyn = r.pkg.up?.run.seconds;
    if (dyn !== undefined) goals.push(["native up vs dynamic up (information)", s(native), s(dyn), ratio(native, dyn)]);
  }
  const peakRss = Math.max(0, ...(["up", "preview", "refresh", "destroy"] as const).map((op) => r.pkg[op]?.run.usage.provider.peakRssBytes ?? 0));
  if (peakRss > 0) goals.push(["provider peak RSS (any phase) vs 150 MB", mb(peakRss), "150 MB", ratio(peakRss, 150e6)]);
  out.push(table(["goal", "measured", "limit", "ratio"], goals));

  if (up) {
    const u = up.run.usage;
    const calls = sum(up.counts);
    const lines = [
      `CPU per resource in the up: provider ${((u.provider.cpuSeconds / N) * 1000).toFixed(1)} ms, program ${((u.program.cpuSeconds / N) * 1000).toFixed(1)} ms, engine ${((u.engine.cpuSeconds / N) * 1000).toFixed(1)} ms`,
      `API latency of the up's calls at full parallelism: ${calls} x ${latencyMs} ms / ${parallel} = ${s((calls * latencyMs) / parallel / 1000)}; API busy (>= 1 request in flight) ${s(up.apiBusySeconds)}`,
    ];
    const fl = r.floor.up?.run.seconds;
    if (fl !== undefined) lines.push(`up beyond the engine floor: ${s(up.run.seconds - fl)}`);
    for (const op of ["up", "destroy"] as const) {
      const a = r.pkg[op]?.accessPuts;
      if (a) lines.push(`access PUTs in the ${op}: ${a.count}, grants per PUT mean ${a.meanItems.toFixed(2)} max ${a.maxItems}, at most ${a.maxInFlight} in flight at once`);
    }
    out.push("");
    out.push(...lines);
  }
  return out.join("\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
