/**
 * CPU time and peak memory of a process and all its descendants, by role,
 * sampled from /proc (Linux) while they run.
 *
 * Every `intervalMs` the sampler lists /proc, adds every new process whose
 * parent is the root or an already known descendant (so a process re-parented
 * after its parent died stays counted once found), and reads, for each known
 * descendant still alive: utime + stime from /proc/<pid>/stat, VmHWM (peak
 * resident set) from /proc/<pid>/status and the command line. The last sample
 * of a process is what counts, so CPU used within the last interval before a
 * process exits is not seen (the engine's plugins are idle by then); a process
 * that lives less than one interval may be missed entirely.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

/** What the processes of one role used. */
export interface RoleUsage {
  processes: number;
  /** utime + stime summed over the role's processes, seconds. */
  cpuSeconds: number;
  /** Largest VmHWM of one process of the role, bytes. */
  peakRssBytes: number;
}

export type Role = "engine" | "language host" | "program" | "provider" | "other";
export type TreeUsage = Record<Role, RoleUsage> & {
  /** Every process seen, as last sampled. */
  list: { pid: number; ppid: number; role: Role; cpuSeconds: number; peakRssBytes: number; cmdline: string }[];
};

interface Tracked {
  ppid: number;
  /** Start time (ticks since boot): tells a reused pid from the process first seen under it. */
  start: string;
  cmdline: string;
  cpuTicks: number;
  hwmKb: number;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** ppid and utime + stime (ticks) from /proc/<pid>/stat; the command name may hold spaces and parentheses. */
function readStat(pid: number): { ppid: number; ticks: number; start: string } | undefined {
  const text = readText(`/proc/${pid}/stat`);
  if (!text) return undefined;
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, starttime 22.
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), start: fields[19] };
}

export function roleOf(cmdline: string, isRoot: boolean): Role {
  if (isRoot) return "engine";
  // The plugin's shell wrapper first runs `node -e "...require.resolve('@pulumi/pulumi/cmd/dynamic-provider')"`: that is "other".
  if (cmdline.includes("cmd/dynamic-provider/index.js")) return "provider";
  // The native plugins: `node .../bin/pulumi-resource-portkey <engine address>`.
  if (/pulumi-resource-(portkey|openrouter)/.test(cmdline)) return "provider";
  if (cmdline.includes("cmd/run/index.js")) return "program";
  if (cmdline.includes("language-host") || cmdline.includes("pulumi-language-nodejs")) return "language host";
  return "other";
}

export class ProcessTreeSampler {
  private readonly tracked = new Map<number, Tracked>();
  /** Processes seen and found not to descend from the root: pid to start time. */
  private readonly unrelated = new Map<number, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: number,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  /** Stops sampling and sums the last sample of every process by role. */
  stop(): TreeUsage {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const usage: TreeUsage = {
      engine: empty(),
      "language host": empty(),
      program: empty(),
      provider: empty(),
      other: empty(),
      list: [],
    };
    const hz = ticksPerSecond();
    for (const [pid, t] of this.tracked) {
      const name = roleOf(t.cmdline, pid === this.root);
      const role = usage[name];
      role.processes++;
      role.cpuSeconds += t.cpuTicks / hz;
      role.peakRssBytes = Math.max(role.peakRssBytes, t.hwmKb * 1024);
      usage.list.push({ pid, ppid: t.ppid, role: name, cpuSeconds: t.cpuTicks / hz, peakRssBytes: t.hwmKb * 1024, cmdline: t.cmdline });
    }
    return usage;
  }

  private sample(): void {
    let entries: string[];
    try {
      entries = fs.readdirSync("/proc");
    } catch {
      return;
    }
    const pending = new Map<number, { ppid: number; start: string }>();
    for (const entry of entries) {
      const pid = Number(entry);
      // Pids grow until they wrap (pid_max), so one seen unrelated is not looked at again.
      if (!Number.isInteger(pid) || this.tracked.has(pid) || this.unrelated.has(pid)) continue;
      const stat = readStat(pid);
      if (stat) pending.set(pid, stat);
    }
    // New processes whose parent is new too: repeat until nothing more is adopted.
    let adopted = true;
    while (adopted) {
      adopted = false;
      for (const [pid, { ppid, start }] of pending) {
        if (pid === this.root || this.tracked.has(ppid)) {
          this.tracked.set(pid, { ppid, start, cmdline: "", cpuTicks: 0, hwmKb: 0 });
          pending.delete(pid);
          adopted = true;
        }
      }
    }
    for (const [pid, { start }] of pending) this.unrelated.set(pid, start);
    for (const [pid, t] of this.tracked) {
      const stat = readStat(pid);
      if (!stat || stat.start !== t.start) continue;
      t.cpuTicks = Math.max(t.cpuTicks, stat.ticks);
      const status = readText(`/proc/${pid}/status`);
      const hwm = status && /VmHWM:\s+(\d+)\s+kB/.exec(status);
      if (hwm) t.hwmKb = Math.max(t.hwmKb, Number(hwm[1]));
      // Read every time: a freshly forked process shows its parent's command line until it execs.
      const cmdline = readText(`/proc/${pid}/cmdline`);
      if (cmdline) t.cmdline = cmdline.replace(/\0/g, " ").trim();
    }
  }
}

function empty(): RoleUsage {
  return { processes: 0, cpuSeconds: 0, peakRssBytes: 0 };
}
