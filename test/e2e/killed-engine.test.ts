/**
 * Plugins die with their engine: a `pulumi up` run by the CLI (a program
 * directory, as a user runs it, with the shell environment's language host,
 * the native plugins of both vendors and dynamic resources, which run in Node's
 * dynamic-provider host) is killed with SIGKILL while its creates are in
 * flight; within a bounded wait no process it started is left running
 * (language host, program, provider plugins, dynamic-provider host). The engine starts its
 * plugins in process groups of their own, so nothing but the plugins' own
 * watch can end them. Every process the run started carries a marker in its
 * environment, which is how they are found. The time they took to exit is
 * printed, not asserted.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_KEY } from "../support/emulator";
import { errorsFirst } from "../support/killed-run";

jest.setTimeout(5 * 60_000);

const ROOT = path.resolve(__dirname, "..", "..");
const MANAGEMENT_KEY = "sk-or-mgmt-killed-engine-0123456789";
/** How long the processes may take to notice that the engine is gone. */
const EXIT_BOUND_MS = 15_000;
const MARKER = "PULUMI_AI_GATEWAY_KILLED_ENGINE_RUN";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "killed-engine-"));
let emulator: RunningEmulator;
let cli: ChildProcess | undefined;
let mark: string;

/**
 * The environment of `eval "$(npm run -s shellenv)"`, with state and home of
 * this run, the plugins of this checkout, and its language host first on PATH
 * (the engine prefers PATH to the copy beside the CLI, which the last
 * checkout to set up the shared toolchain wrote).
 */
function shellEnv(): NodeJS.ProcessEnv {
  const hostDir = path.join(work, "language-host");
  fs.mkdirSync(hostDir);
  fs.symlinkSync(path.join(ROOT, "scripts", "pulumi-language-nodejs"), path.join(hostDir, "pulumi-language-nodejs"));
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
    PULUMI_CONFIG_PASSPHRASE: "killed-engine",
    PORTKEY_API_KEY: ADMIN_KEY,
    PORTKEY_BASE_URL: emulator.portkeyBaseUrl,
    OPENROUTER_MANAGEMENT_KEY: MANAGEMENT_KEY,
    OPENROUTER_BASE_URL: emulator.openrouterBaseUrl,
  };
}

/** A program directory using the native and the dynamic SDK of this checkout (its node_modules linked in). */
function writeProgram(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: killed-engine\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
  fs.writeFileSync(
    path.join(dir, "index.js"),
    `const { portkey, openrouter } = require(${JSON.stringify(path.join(ROOT, "dist", "sdk", "native"))});\n` +
      `const dynamic = require(${JSON.stringify(path.join(ROOT, "dist", "sdk"))});\n` +
      "for (let i = 0; i < 6; i++) {\n" +
      "  const ws = new portkey.Workspace(`p${i}`, { name: `killed ${i}` });\n" +
      '  new portkey.ApiKey(`k${i}`, { type: "workspace", subType: "service", workspaceId: ws.id, name: `key ${i}`, scopes: ["completions.write"] });\n' +
      "}\n" +
      "for (let i = 0; i < 3; i++) new openrouter.Workspace(`o${i}`, { name: `killed ${i}`, slug: `killed-${i}` });\n" +
      "for (let i = 0; i < 3; i++) new dynamic.portkey.Workspace(`d${i}`, { name: `dynamic ${i}` });\n",
  );
}

interface OurProcess {
  pid: number;
  command: string;
}

/** Live processes (not zombies) whose environment carries this run's marker. */
function markedProcesses(): OurProcess[] {
  const found: OurProcess[] = [];
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

async function waitFor<T>(what: string, boundMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${boundMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  // Slow enough that the up is still creating when it is killed.
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], managementKeys: [MANAGEMENT_KEY], latencyMs: 400 });
});
afterAll(async () => {
  // Whatever the outcome, nothing of this run outlives the test.
  for (const p of mark ? markedProcesses() : []) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  if (cli?.exitCode === null) cli.kill("SIGKILL");
  await emulator?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

test("after SIGKILL of the engine during an up, the language host, program and plugins it started exit", async () => {
  const programDir = path.join(work, "program");
  fs.mkdirSync(path.join(work, "state"));
  writeProgram(programDir);
  mark = randomUUID();
  const env = { ...shellEnv(), [MARKER]: mark };
  execFileSync("pulumi", ["stack", "init", "dev", "--non-interactive"], { cwd: programDir, env, stdio: "pipe" });

  let output = "";
  cli = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", "dev"], { cwd: programDir, env, stdio: ["ignore", "pipe", "pipe"] });
  cli.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  cli.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => cli!.on("exit", () => resolve()));

  // Killed while creating: the plugins, the dynamic-provider host and the language host are up, and a dynamic resource's create has reached the emulator.
  const running = await waitFor("the plugins, the language host and a dynamic resource's create", 120_000, () => {
    if (cli!.exitCode !== null) throw new Error(`pulumi up ended (exit ${cli!.exitCode}) before it could be killed${errorsFirst(output)}`);
    const processes = markedProcesses();
    const started = ["pulumi-resource-portkey", "pulumi-resource-openrouter", "dynamic-provider", "language-host.js"].every((name) =>
      processes.some((p) => p.command.includes(name)),
    );
    const creating = emulator.requestLog().some((r) => r.method === "POST" && JSON.stringify(r.body ?? "").includes("dynamic "));
    return started && creating ? processes : undefined;
  });
  expect(running.some((p) => p.pid === cli!.pid)).toBe(true);

  process.kill(cli.pid!, "SIGKILL");
  const killedAt = Date.now();
  await exited;

  let left: OurProcess[] = [];
  try {
    await waitFor("every process the engine started to exit", EXIT_BOUND_MS, () => ((left = markedProcesses()).length === 0 ? true : undefined));
  } catch {
    throw new Error(`still running ${EXIT_BOUND_MS} ms after the engine was killed:\n${left.map((p) => `${p.pid} ${p.command}`).join("\n")}`);
  }
  const names = running.filter((p) => p.pid !== cli!.pid).map((p) => describe(p.command));
  console.log(`killed-engine: ${running.length - 1} processes started by the engine (${names.join(", ")}); all gone ${Date.now() - killedAt} ms after SIGKILL`);
});

/** A short name for one of the processes an up starts. */
function describe(command: string): string {
  if (command.includes("cmd/run")) return "program";
  if (command.includes("cmd/dynamic-provider")) return "dynamic-provider host";
  const part = command.split(" ").find((p) => /pulumi-resource-|language-host/.test(p));
  return part ? path.basename(part) : command;
}
