/**
 * End-to-end harness: drives the real Pulumi engine through the Automation API.
 *
 * Every stack gets its own temporary directory holding a file backend and an
 * isolated PULUMI_HOME, uses passphrase secrets, and runs an inline program
 * from the package root (so the dynamic-provider plugin resolves our
 * node_modules). Operations are aborted when the stack is disposed, so a
 * failed or timed-out test leaves no CLI or plugin processes behind.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  ConfigMap,
  EngineEvent,
  LocalWorkspace,
  OpType,
  PulumiFn,
  Stack,
} from "@pulumi/pulumi/automation";

/** The passphrase of every test stack; non-empty so secrets really are encrypted. */
export const TEST_PASSPHRASE = "e2e-passphrase-not-a-secret";

/** One resource step the engine reported, with the properties it says differ. */
export interface StepReport {
  urn: string;
  type: string;
  op: OpType;
  /** Top-level property names the engine reported as changed. */
  diffs: string[];
  /** Property paths with their kind of change, as the CLI's detailed diff shows them. */
  detailedDiff: Record<string, string>;
}

/** What a preview reports: counts per operation, the steps, and the CLI's rendered diff. */
export interface PreviewReport {
  changeSummary: Record<string, number>;
  steps: StepReport[];
  /** The CLI's text output with `--diff`, as a user sees it in a pull request. */
  diffText: string;
}

export interface OperationReport {
  changeSummary: Record<string, number>;
  steps: StepReport[];
  stdout: string;
  outputs: Record<string, { value: unknown; secret: boolean }>;
}

export interface EngineStackOptions {
  projectName?: string;
  stackName?: string;
  /** The inline program (a TypeScript closure run from the package root)... */
  program?: PulumiFn;
  /** ...or a program directory with its own Pulumi.yaml (any runtime), run by its language host. */
  workDir?: string;
  /** Stack configuration; values marked secret are encrypted with the passphrase. */
  config?: ConfigMap;
  /** Extra environment for the CLI and, through it, the provider processes. */
  env?: Record<string, string>;
}

export class EngineStack {
  private readonly abort = new AbortController();
  /** Everything the engine printed across all operations (for log assertions). */
  readonly log: string[] = [];

  private constructor(
    readonly stack: Stack,
    readonly dir: string,
    private readonly envVars: Record<string, string>,
  ) {}

  static async create(options: EngineStackOptions): Promise<EngineStack> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-e2e-"));
    fs.mkdirSync(path.join(dir, "state"));
    fs.mkdirSync(path.join(dir, "home"));
    const envVars: Record<string, string> = {
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
      PULUMI_HOME: path.join(dir, "home"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
      ...options.env,
    };
    assertPulumiOnPath();
    const workspaceOptions = { envVars, pulumiHome: envVars.PULUMI_HOME, secretsProvider: "passphrase" };
    const stack = options.workDir
      ? await LocalWorkspace.createOrSelectStack({ stackName: options.stackName ?? "test", workDir: options.workDir }, workspaceOptions)
      : await LocalWorkspace.createOrSelectStack(
          {
            projectName: options.projectName ?? "e2e",
            stackName: options.stackName ?? "test",
            program: options.program ?? (async () => ({})),
          },
          {
            ...workspaceOptions,
            projectSettings: {
              name: options.projectName ?? "e2e",
              runtime: "nodejs",
              main: process.cwd(),
            },
          },
        );
    if (options.config) await stack.setAllConfig(options.config);
    return new EngineStack(stack, dir, envVars);
  }

  /** Replaces the program for the next operations, as editing index.ts would. */
  setProgram(program: PulumiFn): void {
    this.stack.workspace.program = program;
  }

  async setConfig(config: ConfigMap): Promise<void> {
    await this.stack.setAllConfig(config);
  }

  async removeConfig(keys: string[]): Promise<void> {
    await this.stack.removeAllConfig(keys);
  }

  async preview(): Promise<PreviewReport> {
    const events: EngineEvent[] = [];
    const out: string[] = [];
    const result = await this.stack.preview({
      diff: true,
      signal: this.abort.signal,
      onEvent: (event) => events.push(event),
      onOutput: (text) => out.push(text),
    });
    this.log.push(result.stdout, result.stderr);
    return {
      changeSummary: compact(result.changeSummary),
      steps: stepsOf(events),
      diffText: out.join(""),
    };
  }

  /** `parallel`: the engine's limit on concurrent resource operations (CLI default 8). */
  async up(options: { parallel?: number } = {}): Promise<OperationReport> {
    const events: EngineEvent[] = [];
    const result = await this.stack.up({
      parallel: options.parallel,
      signal: this.abort.signal,
      onEvent: (event) => events.push(event),
    });
    this.log.push(result.stdout, result.stderr);
    return {
      changeSummary: compact(result.summary.resourceChanges ?? {}),
      steps: stepsOf(events),
      stdout: result.stdout,
      outputs: result.outputs,
    };
  }

  async refresh(): Promise<OperationReport> {
    const events: EngineEvent[] = [];
    const result = await this.stack.refresh({
      signal: this.abort.signal,
      onEvent: (event) => events.push(event),
    });
    this.log.push(result.stdout, result.stderr);
    return {
      changeSummary: compact(result.summary.resourceChanges ?? {}),
      steps: stepsOf(events),
      stdout: result.stdout,
      outputs: {},
    };
  }

  async destroy(): Promise<OperationReport> {
    const events: EngineEvent[] = [];
    const result = await this.stack.destroy({
      signal: this.abort.signal,
      onEvent: (event) => events.push(event),
    });
    this.log.push(result.stdout, result.stderr);
    return {
      changeSummary: compact(result.summary.resourceChanges ?? {}),
      steps: stepsOf(events),
      stdout: result.stdout,
      outputs: {},
    };
  }

  /**
   * The stack's state as `pulumi stack export` writes it, secrets encrypted.
   * (The Automation API's exportStack passes --show-secrets, so it is not used here.)
   */
  async exportState(): Promise<StateExport> {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        "pulumi",
        ["stack", "export", "--stack", this.stack.name, "--non-interactive"],
        { cwd: this.stack.workspace.workDir, env: { ...process.env, ...this.envVars }, maxBuffer: 256 * 1024 * 1024, signal: this.abort.signal },
        (error, out, err) => (error ? reject(new Error(`pulumi stack export failed: ${err || error.message}`)) : resolve(out)),
      );
    });
    return new StateExport((JSON.parse(stdout) as { deployment: DeploymentJson }).deployment);
  }

  /** Every file the file backend wrote (checkpoints, history, backups), concatenated. */
  backendFilesText(): string {
    const texts: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else texts.push(fs.readFileSync(full, "utf8"));
      }
    };
    walk(path.join(this.dir, "state"));
    return texts.join("\n");
  }

  /** Aborts running operations and deletes the backend and PULUMI_HOME. */
  async dispose(): Promise<void> {
    this.abort.abort();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

interface ResourceJson {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

interface DeploymentJson {
  resources?: ResourceJson[];
}

/** A stack export with helpers for the questions tests ask of it. */
export class StateExport {
  constructor(readonly deployment: DeploymentJson) {}

  /** The whole export as text, for "this string must not appear" assertions. */
  get text(): string {
    return JSON.stringify(this.deployment);
  }

  resources(type?: string): ResourceJson[] {
    return (this.deployment.resources ?? []).filter((r) => type === undefined || r.type === type);
  }

  resource(type: string, name: string): ResourceJson | undefined {
    return this.resources(type).find((r) => r.urn.endsWith(`::${name}`));
  }
}

function assertPulumiOnPath(): void {
  const found = (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, "pulumi")));
  if (!found) {
    throw new Error("The Pulumi CLI is not on PATH. Run the tests with `npm test` (it sets the CLI up), or run `eval \"$(npm run -s shellenv)\"` first.");
  }
}

function compact(summary: Partial<Record<string, number>>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [op, count] of Object.entries(summary)) {
    if (count) result[op] = count;
  }
  return result;
}

function stepsOf(events: EngineEvent[]): StepReport[] {
  const steps: StepReport[] = [];
  for (const event of events) {
    const metadata = event.resourcePreEvent?.metadata;
    if (!metadata) continue;
    const detailedDiff: Record<string, string> = {};
    for (const [key, value] of Object.entries(metadata.detailedDiff ?? {})) {
      detailedDiff[key] = value.diffKind;
    }
    steps.push({
      urn: metadata.urn,
      type: metadata.type,
      op: metadata.op,
      diffs: metadata.diffs ?? [],
      detailedDiff,
    });
  }
  return steps;
}

/** Steps of one type whose operation is not "same". */
export function changedSteps(steps: StepReport[], type?: string): StepReport[] {
  return steps.filter((s) => s.op !== "same" && (type === undefined || s.type === type));
}

/** Creates a stack for the duration of a test suite and disposes it afterwards. */
export function useEngineStack(options: () => EngineStackOptions): () => EngineStack {
  let current: EngineStack | undefined;
  beforeAll(async () => {
    current = await EngineStack.create(options());
  });
  afterAll(async () => {
    if (!current) return;
    try {
      await current.destroy();
    } catch {
      // Best effort: the suite already reported its own failure.
    }
    await current.dispose();
  });
  return () => {
    if (!current) throw new Error("the engine stack is not ready (beforeAll failed)");
    return current;
  };
}

/**
 * The engine's error lines ("error: ...") from a failed operation, deduplicated,
 * so a report can show why an `up` failed without the whole CLI transcript.
 */
export function engineErrorLines(error: unknown, max = 10): string[] {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n").map((line) => line.trim());
  const found: string[] = [];
  let resource = "";
  for (const line of lines) {
    // Diagnostics name the resource on the line before its errors: "pulumi-nodejs:dynamic/portkey:ApiKey (key-07):".
    const header = /^\S+:\S+ \(([^)]+)\):$/.exec(line);
    if (header) {
      resource = header[1];
      continue;
    }
    if (!/^error:/i.test(line) || /^error: (update|preview|refresh|destroy) failed$/i.test(line)) continue;
    const entry = resource ? `${resource}: ${line}` : line;
    found.push(entry.length > 400 ? `${entry.slice(0, 400)}...` : entry);
  }
  const unique = [...new Set(found)];
  if (unique.length === 0) return [lines.find((l) => l.length > 0) ?? "(no message)"];
  return unique.length > max ? [...unique.slice(0, max), `... and ${unique.length - max} more`] : unique;
}

/** What {@link upUntilSuccess} did: how many `up`s ran and why each failed one failed. */
export interface UpAttempts {
  /** Number of `up` operations run (1 + reruns). */
  ups: number;
  /** Whether the last `up` succeeded. */
  succeeded: boolean;
  /** The engine's error lines of each failed `up`, in order. */
  failures: string[][];
  /** The report of the successful `up`, when there was one. */
  last?: OperationReport;
}

/**
 * Runs `up`, and reruns it at most `maxReruns` times while it fails, as a user
 * would after a transient error. Never throws for a failed `up`.
 */
export async function upUntilSuccess(stack: EngineStack, options: { parallel?: number; maxReruns: number }): Promise<UpAttempts> {
  const failures: string[][] = [];
  for (let ups = 1; ups <= options.maxReruns + 1; ups++) {
    try {
      const last = await stack.up({ parallel: options.parallel });
      return { ups, succeeded: true, failures, last };
    } catch (error) {
      failures.push(engineErrorLines(error));
    }
  }
  return { ups: options.maxReruns + 1, succeeded: false, failures };
}
