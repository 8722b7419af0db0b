/**
 * What the tests of an interrupted `up` share: a program directory run by the
 * Pulumi CLI as a user runs it (the shell environment of this checkout, a file
 * backend, the emulator's base URLs), the processes that run started (found by
 * a marker in their environment), and `pulumi-ai-gateway recover`'s figures.
 */
import { ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { RunningEmulator } from "../../emulator";
import { ADMIN_KEY } from "./emulator";

export const ROOT = path.resolve(__dirname, "..", "..");
/** The variable whose value marks every process a test's runs start. */
export const MARKER = "PULUMI_AI_GATEWAY_KILLED_RUN";
const execFileAsync = promisify(execFile);

/**
 * The environment of `eval "$(npm run -s shellenv)"`, with state and home in
 * `work`, the plugins of this checkout, and its language host first on PATH
 * (the engine prefers PATH to the copy beside the CLI, which the last
 * checkout to set up the shared toolchain wrote).
 */
export function shellEnv(work: string, emulator: RunningEmulator, managementKey: string, mark: string): NodeJS.ProcessEnv {
  const hostDir = path.join(work, "language-host");
  fs.mkdirSync(hostDir, { recursive: true });
  fs.symlinkSync(path.join(ROOT, "scripts", "pulumi-language-nodejs"), path.join(hostDir, "pulumi-language-nodejs"));
  fs.mkdirSync(path.join(work, "state"), { recursive: true });
  const env = JSON.parse(
    execFileSync("bash", ["-c", 'eval "$(npm run -s shellenv 2>/dev/null)" && node -e "process.stdout.write(JSON.stringify(process.env))"'], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    }),
  ) as NodeJS.ProcessEnv;
  return {
    ...env,
    PATH: [path.join(ROOT, "bin"), hostDir, env.PATH ?? ""].join(path.delimiter),
    PULUMI_HOME: path.join(work, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "killed-run",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PORTKEY_API_KEY: ADMIN_KEY,
    PORTKEY_BASE_URL: emulator.portkeyBaseUrl,
    OPENROUTER_MANAGEMENT_KEY: managementKey,
    OPENROUTER_BASE_URL: emulator.openrouterBaseUrl,
    [MARKER]: mark,
  };
}

/** A program directory (JavaScript, this checkout's node_modules linked in) with `index.js` as given. */
export function writeProgram(dir: string, project: string, source: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${project}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`);
  fs.writeFileSync(path.join(dir, "index.js"), source);
}

/** A command's result; it never throws for a non-zero status. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command asynchronously (the emulator answers from this process's event loop). */
export async function runIn(cwd: string, env: NodeJS.ProcessEnv, command: string, args: string[]): Promise<Ran> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string; message: string };
    return { code: typeof failed.code === "number" ? failed.code : 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? failed.message };
  }
}

/** Runs a command that must succeed; its output on failure says why. */
export async function mustRun(cwd: string, env: NodeJS.ProcessEnv, command: string, args: string[]): Promise<string> {
  const ran = await runIn(cwd, env, command, args);
  if (ran.code !== 0) throw new Error(`${path.basename(command)} ${args.join(" ")} exited ${ran.code}:\n${ran.stdout}\n${ran.stderr}`);
  return ran.stdout;
}

/** What `pulumi stack export` holds, as far as these tests read it. */
export interface Exported {
  deployment: { resources: { urn: string; type: string; id?: string; outputs?: Record<string, unknown> }[]; pending_operations?: { type: string; resource: { urn: string; type: string } }[] };
}

/**
 * Starts `pulumi up` and kills the CLI with SIGKILL once `ready()` holds
 * (polled every 20 ms, at most `boundMs`); resolves when it has exited.
 * Throws when the up ends first.
 */
export async function upKilledWhen(cwd: string, env: NodeJS.ProcessEnv, stack: string, ready: () => boolean, boundMs: number): Promise<void> {
  let output = "";
  const cli: ChildProcess = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  cli.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  cli.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => cli.on("exit", () => resolve()));
  try {
    for (const deadline = Date.now() + boundMs; !ready(); ) {
      if (cli.exitCode !== null) throw new Error(`pulumi up ended (exit ${cli.exitCode}) before it could be killed${errorsFirst(output)}`);
      if (Date.now() > deadline) throw new Error(`the kill point was not reached within ${boundMs} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    if (cli.exitCode === null) process.kill(cli.pid!, "SIGKILL");
    await exited;
  }
}

/**
 * A CLI transcript with its error lines first: CI keeps only part of a long
 * failure message, and the cause is near the end of the transcript.
 */
export function errorsFirst(output: string): string {
  const errors = [...new Set(output.split("\n").map((line) => line.trim()).filter((line) => /\berror\b/i.test(line)))];
  return `; its errors:\n${errors.join("\n") || "(none printed)"}\nthe whole output:\n${output}`;
}

/** A live process (not a zombie) carrying the marker. */
export interface MarkedProcess {
  pid: number;
  command: string;
}

/** Live processes whose environment carries `MARKER=mark`. */
export function markedProcesses(mark: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, "latin1");
      if (!environ.split("\0").includes(`${MARKER}=${mark}`)) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "latin1");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      found.push({ pid: Number(entry), command: fs.readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").join(" ").trim() });
    } catch {
      // Gone while being read, or not ours to read.
    }
  }
  return found;
}

/** Waits (at most `boundMs`) until no marked process is left; returns the milliseconds it took, or throws naming those left. */
export async function noneLeft(mark: string, boundMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const left = markedProcesses(mark);
    if (left.length === 0) return Date.now() - started;
    if (Date.now() - started > boundMs) throw new Error(`still running ${boundMs} ms after the engine was killed:\n${left.map((p) => `${p.pid} ${p.command}`).join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Ends whatever marked process is left (a failed test's clean-up). */
export function killMarked(mark: string): void {
  for (const p of markedProcesses(mark)) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** `recover`'s summary line: "Pending creates: N; adopted a, deleted d, cleared c, left l." */
export interface RecoverFigures {
  pending: number;
  adopted: number;
  deleted: number;
  cleared: number;
  left: number;
}

export function recoverFigures(stdout: string): RecoverFigures | undefined {
  const m = /Pending creates: (\d+); adopted (\d+), deleted (\d+), cleared (\d+), left (\d+)\./.exec(stdout);
  return m ? { pending: +m[1], adopted: +m[2], deleted: +m[3], cleared: +m[4], left: +m[5] } : undefined;
}

/** What settling a killed run took: `recover`'s last result, and the sidecars its first run removed. */
export interface Recovered extends Ran {
  sidecarsRemoved: number;
  /** Whether the first `recover` found the stack still locked by the killed run (then `pulumi cancel`, and again). */
  wasLocked: boolean;
}

/**
 * The user's path after a killed `up`, as the README gives it: `pulumi-ai-gateway
 * recover`; when it says the killed run still holds the stack's lock (nothing
 * else runs on it here), `pulumi cancel --yes`, then `recover` again.
 */
export async function recoverAfterKill(cwd: string, env: NodeJS.ProcessEnv, stack: string): Promise<Recovered> {
  const recover = () => runIn(cwd, env, path.join(ROOT, "bin", "pulumi-ai-gateway"), ["recover", "--stack", stack]);
  const first = await recover();
  const sidecarsRemoved = (first.stdout.match(/^Removed .*\.attrs:/gm) ?? []).length;
  if (first.code === 0 || !/is still locked/.test(first.stderr)) return { ...first, sidecarsRemoved, wasLocked: false };
  await mustRun(cwd, env, "pulumi", ["cancel", "--yes", "--stack", stack, "--non-interactive"]);
  return { ...(await recover()), sidecarsRemoved, wasLocked: true };
}
