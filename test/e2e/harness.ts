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
import { isDeepStrictEqual } from "node:util";
import {
  ConfigMap,
  EngineEvent,
  LocalWorkspace,
  OpType,
  PulumiFn,
  Stack,
} from "@pulumi/pulumi/automation";
import * as dynamicSdk from "../../sdk";
import * as nativeSdk from "../../sdk/native";
import { EmulatorOptions, LoggedRequest, RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_KEY } from "../support/emulator";

/*
 * Every inline run in this process opens its own clients to that run's engine, but grpc-js shares
 * connections per address process-wide. After hundreds of runs an engine can listen on a port an
 * earlier, exited engine used; the shared connection to that address may still be backing off from
 * its last refused attempt, and the new run's first call then fails at once with "14 UNAVAILABLE:
 * No connection established. Last error: null". The Automation API treats a gRPC error as the
 * engine going away, so the up "succeeded" having declared nothing (seen in CI). A pool per client
 * removes the sharing; a CLI-run program is a fresh process and never meets it.
 */
const runtimeSettings: { grpcClientOptions?: Record<string, unknown> } = require("@pulumi/pulumi/runtime/settings");
if (!runtimeSettings.grpcClientOptions) {
  // Internal to @pulumi/pulumi: an upgrade that moves it must be noticed, not silently bring the flake back.
  throw new Error("@pulumi/pulumi/runtime/settings no longer exports grpcClientOptions; see the comment above");
}
runtimeSettings.grpcClientOptions["grpc.use_local_subchannel_pool"] = 1;

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
  /** How many times the inline program ran to its end (see {@link expectProgramRan}). */
  private programEnds = 0;
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
    const engineStack = new EngineStack(stack, dir, envVars);
    if (!options.workDir) engineStack.setProgram(options.program ?? (async () => ({})));
    return engineStack;
  }

  /** Replaces the program for the next operations, as editing index.ts would. */
  setProgram(program: PulumiFn): void {
    this.stack.workspace.program = async () => {
      const outputs = await program();
      this.programEnds += 1;
      return outputs;
    };
  }

  /**
   * The Automation API answers success when an inline program fails with a gRPC error (it takes
   * one for the engine going away), so an up could "succeed" having declared nothing.
   */
  private async expectProgramRan<T>(operation: () => Promise<T>): Promise<T> {
    const before = this.programEnds;
    const result = await operation();
    if (this.stack.workspace.program && this.programEnds === before) {
      throw new Error("The inline program did not run to its end, yet the engine reported success (a gRPC error in the program is taken for the engine's exit).");
    }
    return result;
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
    const result = await this.expectProgramRan(() =>
      this.stack.preview({
        diff: true,
        signal: this.abort.signal,
        onEvent: (event) => events.push(event),
        onOutput: (text) => out.push(text),
      }),
    );
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
    const result = await this.expectProgramRan(() =>
      this.stack.up({
        parallel: options.parallel,
        signal: this.abort.signal,
        onEvent: (event) => events.push(event),
      }),
    );
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

  /** `pulumi state delete <urn>`: stops managing a resource without deleting it, as a user does by hand. */
  async stateDelete(urn: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      execFile(
        "pulumi",
        ["state", "delete", urn, "--stack", this.stack.name, "--yes", "--non-interactive"],
        { cwd: this.stack.workspace.workDir, env: { ...process.env, ...this.envVars }, signal: this.abort.signal },
        (error, _out, err) => (error ? reject(new Error(`pulumi state delete failed: ${err || error.message}`)) : resolve()),
      );
    });
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

/**
 * Creates a stack for the duration of a test suite and disposes it afterwards, destroying what it
 * holds first unless `isEmpty` says it holds nothing (a destroy of an empty stack still runs the engine).
 */
export function useEngineStack(options: () => EngineStackOptions, isEmpty?: () => boolean): () => EngineStack {
  let current: EngineStack | undefined;
  beforeAll(async () => {
    current = await EngineStack.create(options());
  });
  afterAll(async () => {
    if (!current) return;
    try {
      if (!isEmpty?.()) await current.destroy();
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

// ---------------------------------------------------------------------------
// The per-resource lifecycle scaffold: one file, both forms, tests that run alone.
// ---------------------------------------------------------------------------

/** The two ways the resources are served: Pulumi dynamic resources, or the native provider plugins. */
export type Form = "dynamic" | "native";
/** Both forms, in the order a suite runs them. */
export const FORMS: readonly Form[] = ["dynamic", "native"];

/** The SDK namespaces a program uses; the native SDK is generated from the same declarations, to the same types. */
export type Sdk = Pick<typeof dynamicSdk, "portkey" | "openrouter">;

const SDKS: Record<Form, Sdk> = { dynamic: dynamicSdk, native: { portkey: nativeSdk.portkey, openrouter: nativeSdk.openrouter } };
const PLUGIN_DIR = path.resolve(__dirname, "..", "..", "bin");

/** The SDK namespaces of a form, for a test that writes its own programs (the native SDK is type-compatible). */
export function formSdk(form: Form): Sdk {
  return SDKS[form];
}

/** The type token the engine reports (steps, state) for a resource in a form. */
export function typeToken(form: Form, vendor: "portkey" | "openrouter", resource: string): string {
  return form === "native" ? `${vendor}:index:${resource}` : `pulumi-nodejs:dynamic/${vendor}:${resource}`;
}

/** Extra environment for a stack of a form: the native plugins first on PATH, as a user's shell finds them. */
export function formEnv(form: Form): Record<string, string> {
  return form === "native" ? { PATH: `${PLUGIN_DIR}${path.delimiter}${process.env.PATH ?? ""}` } : {};
}

/** The provider configuration of a stack talking to an emulator, the admin key as a secret. */
export function emulatorConfig(emulator: RunningEmulator, vendors: ("portkey" | "openrouter")[] = ["portkey"]): ConfigMap {
  const config: ConfigMap = {};
  if (vendors.includes("portkey")) {
    config["portkey:apiKey"] = { value: ADMIN_KEY, secret: true };
    config["portkey:baseUrl"] = { value: emulator.portkeyBaseUrl };
  }
  if (vendors.includes("openrouter")) {
    // The emulator takes its admin keys as OpenRouter management keys unless told otherwise.
    config["openrouter:managementKey"] = { value: ADMIN_KEY, secret: true };
    config["openrouter:baseUrl"] = { value: emulator.openrouterBaseUrl };
  }
  return config;
}

/** Changed steps of the resources a program declares (not the providers or the stack). */
export function resourceSteps(steps: StepReport[]): StepReport[] {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

/** The names of the shared lifecycle steps {@link resourceSuite} writes once. */
export type SharedStep = "create" | "secrets" | "drift" | "deleted" | "badInput" | "destroy";
/** The order the shared steps run in; a suite's own tests run after the step they name (default "create", after "secrets"). */
const STEP_ORDER: readonly SharedStep[] = ["create", "secrets", "drift", "deleted", "badInput", "destroy"];

/** The shared step a suite's test runs after: a test "after create" runs after the secrets check of what was created. */
function placeOf(t: { after?: SharedStep }): SharedStep {
  return t.after === undefined || t.after === "create" ? "secrets" : t.after;
}

/** What a test of a {@link resourceSuite} works with: one form's emulator, stack and declared arguments. */
export interface SuiteContext<A, F> {
  readonly form: Form;
  readonly sdk: Sdk;
  /** The type token of the resource under test in this form. */
  readonly type: string;
  /** The type tokens of the unit under test: {@link type}, then those of the suite's `together` resources. */
  readonly types: readonly string[];
  readonly emulator: RunningEmulator;
  /** What the suite's `setup` made once for this form's emulator. */
  readonly fixtures: F;
  /** The stack (for what the wrappers below do not cover, like `stack.import`). */
  readonly engine: EngineStack;
  /** The arguments the default program declares the resource with; undefined declares nothing. */
  desired: A | undefined;
  /** The suite's base arguments for this form. */
  base(): A;
  /** Replaces the program until the next {@link given} or {@link declare} (e.g. to declare an imported object). */
  setProgram(program: PulumiFn): void;
  /** Declares the resource with these arguments (or nothing) through the default program. */
  declare(args: A | undefined): void;
  /**
   * Brings the stack to a known state, running `up` only when it is not there already:
   * `args` declared and applied; "any" (what is applied now, or the base); or nothing (destroyed).
   * This is what lets each test run alone: it never relies on an earlier test having run.
   */
  given(args?: A | "any" | "nothing"): Promise<void>;
  up(): Promise<OperationReport>;
  preview(): Promise<PreviewReport>;
  refresh(): Promise<OperationReport>;
  destroy(): Promise<OperationReport>;
  /** `op` of each changed resource step; `op type` with `withType`. */
  ops(report: { steps: StepReport[] }, withType?: boolean): string[];
  /** Asserts that a preview reports no change to the declared resources. */
  expectCleanPreview(): Promise<void>;
  /**
   * `pulumi import` of objects made by hand (`type` the suite's own unless given), then the program `declare`
   * writes: protected, as the import left them, it previews clean; unprotected, `up` and `destroy` delete them.
   * `imported` sees the state right after the import.
   */
  importAndRelease(
    imports: { name: string; id: string; type?: string }[],
    declare: (protect: boolean) => void,
    imported?: (state: StateExport) => void,
  ): Promise<void>;
  /** The requests (of a route, or all) the emulator saw since this test began (after its `given`). */
  requests(route?: string): LoggedRequest[];
  /** Asserts that none of these values is in the exported state, the backend's files or the engine's output. */
  expectNoPlaintext(secrets: string[]): Promise<void>;
  /** Starts the window of {@link requests} now. */
  markRequests(): void;
}

/** A test of what only this resource does, beside the shared steps. */
export interface SuiteTest<A, F> {
  title: string;
  /** The forms it runs in (default both). */
  forms?: readonly Form[];
  /**
   * Where it runs in the file's order: after the shared step it names, "create" by default (a test
   * of an existing object), "destroy" for one that starts from nothing (e.g. an import). Either way it
   * must reach its own starting state through {@link SuiteContext.given}; the order only saves
   * engine runs when the whole file runs.
   */
  after?: SharedStep;
  body: (ctx: SuiteContext<A, F>) => Promise<void>;
}

export interface ResourceSuiteOptions<A, F> {
  vendor: "portkey" | "openrouter";
  /** The resource's name in its vendor's namespace, e.g. "Config". */
  resource: string;
  /** The resource's logical name in the default program. */
  name?: string;
  /** Objects the tests need, made once per form's emulator (beforeAll), so any test can run alone. */
  setup?: (emulator: RunningEmulator) => Promise<F>;
  /** The arguments of the resource as most tests declare it. */
  base: (fixtures: F, form: Form) => A;
  /** Declares the resource in a program; returns the stack outputs. */
  declare: (sdk: Sdk, name: string, args: A) => Record<string, unknown>;
  /**
   * How many resources of each type of the vendor the base program declares, when it is more than
   * the one resource under test (e.g. `{ ApiKey: 3 }`, or `{ IntegrationWorkspaceAccess: 2, Workspace: 2 }`
   * for a program that also declares what it depends on): the create and destroy steps expect
   * exactly these, and the deleted step expects the others of the type to stay in state.
   */
  declares?: Record<string, number>;
  /** Which shared steps run in which form (default: every step given below, in both forms). */
  steps?: Partial<Record<Form, readonly SharedStep[]>>;
  /**
   * Other resources of the vendor (names, repeated when declared more than once) that the default program
   * declares with this one, for resources that cannot be tested apart: e.g. an MCP integration's workspace
   * grant and capabilities, which live on the integration. The shared steps count their steps with the
   * resource's: create creates each, destroy deletes each, an out-of-band delete drops each (unless
   * `deleted.dropped` says otherwise). Default: none.
   */
  together?: readonly string[];
  /** Step "create": `up` creates exactly the resource (and `together`) and a second preview is clean; then these checks. */
  created?: (ctx: SuiteContext<A, F>, result: OperationReport) => Promise<void> | void;
  /** Step "drift": an out-of-band edit shows after refresh (`inState` in the stored outputs) and `up` repairs it. */
  drift?: {
    /** The arguments the step starts from (default: what is applied now, or the base), when the edit needs a particular shape. */
    given?: (ctx: SuiteContext<A, F>) => A;
    edit: (ctx: SuiteContext<A, F>) => Promise<void>;
    /** What the stored outputs hold after the refresh (a function when it depends on the declared arguments). */
    inState?: Record<string, unknown> | ((ctx: SuiteContext<A, F>) => Record<string, unknown>);
    /** What the preview's diff shows. */
    diffText?: RegExp | RegExp[];
    /** Checks of the preview's report, beyond the types it updates (e.g. which of several resources of a type). */
    previewed?: (ctx: SuiteContext<A, F>, preview: PreviewReport) => Promise<void> | void;
    /** Checks right after the refresh, beyond `inState` (e.g. the stored outputs of the resources `together`). */
    refreshed?: (ctx: SuiteContext<A, F>) => Promise<void> | void;
    /** The resources (names) the preview updates (default: the resource alone). */
    updated?: readonly string[];
    /** Checks after the repairing `up`; {@link SuiteContext.requests} are that `up`'s. */
    repaired: (ctx: SuiteContext<A, F>) => Promise<void> | void;
  };
  /** Step "deleted": an out-of-band delete drops it from state on refresh and `up` recreates it. */
  deleted?: {
    /** The arguments the step starts from (default: what is applied now, or the base). */
    given?: (ctx: SuiteContext<A, F>) => A;
    delete: (ctx: SuiteContext<A, F>) => Promise<unknown>;
    /** The resources (names) the refresh drops and `up` makes again (default: the resource and `together`). */
    dropped?: readonly string[];
    /** Checks right after the refresh (its requests are {@link SuiteContext.requests}). */
    refreshed?: (ctx: SuiteContext<A, F>) => Promise<void> | void;
    /** Checks after the `up` that made it again (`result` is that `up`'s report). */
    recreated: (ctx: SuiteContext<A, F>, before: unknown, result: OperationReport) => Promise<void> | void;
  };
  /** Step "badInput": each case fails at preview with a message naming the property. */
  badInput?: (valid: A, ctx: SuiteContext<A, F>) => [A, RegExp][];
  /**
   * Step "secrets": none of these values appears in the exported state, the backend's files or the
   * engine's output, right after the create and again at the end of every other shared step.
   */
  secrets?: (ctx: SuiteContext<A, F>) => string[];
  /**
   * Step "destroy": runs first (e.g. to make an object by hand beside the resource that destroy must
   * leave alone); {@link SuiteContext.requests} start after it.
   */
  destroying?: (ctx: SuiteContext<A, F>) => Promise<void>;
  /** Step "destroy": `destroy` deletes exactly the resource (and `together`); then these checks (`result` is the destroy's report). */
  destroyed?: (ctx: SuiteContext<A, F>, result: OperationReport) => Promise<void> | void;
  /** Tests of what only this resource does, in each form they name. */
  tests?: SuiteTest<A, F>[];
  /** Emulator options beyond the admin key and response checks. */
  emulator?: EmulatorOptions;
  /**
   * A describe block around this suite's forms, e.g. the resource's name. Needed when one file holds
   * several suites (one per resource it covers), so that test names stay unique and `-t` finds one.
   */
  group?: string;
}

/**
 * One per-resource suite run against both forms from one file. The shared lifecycle
 * steps are written here once; a suite gives the resource's declaration, base
 * arguments and the checks that are its own, and lists which steps each form runs
 * (a form can run only the steps where the forms differ, to keep CI time flat).
 * Each form gets its own emulator and stack; each test reaches the state it needs
 * through {@link SuiteContext.given}, so `jest -t` can run any one test alone.
 */
export function resourceSuite<A, F = Record<string, never>>(options: ResourceSuiteOptions<A, F>): void {
  const name = options.name ?? "it";
  if (options.group !== undefined) {
    const { group, ...rest } = options;
    describe(group, () => resourceSuite(rest));
    return;
  }
  const given: SharedStep[] = STEP_ORDER.filter((step) => step === "create" || step === "destroy" || options[step] !== undefined);
  for (const form of FORMS) {
    const steps = options.steps?.[form] ?? given;
    const tests = (options.tests ?? []).filter((t) => !t.forms || t.forms.includes(form));
    if (steps.length === 0 && tests.length === 0) continue;
    describe(form, () => {
      let emulator: RunningEmulator | undefined;
      let fixtures: F | undefined;
      let program: PulumiFn | undefined;
      // What the last successful operation left applied: arguments, null for nothing, undefined when unknown.
      let applied: A | null | undefined = null;
      let since = 0;
      const type = typeToken(form, options.vendor, options.resource);
      // `op type` of each step a shared step expects, sorted (the engine runs independent steps in any order).
      const expected = (op: string, resources: readonly string[]) => resources.map((r) => `${op} ${typeToken(form, options.vendor, r)}`).sort();
      const unit = [options.resource, ...(options.together ?? [])];
      const types = unit.map((r) => typeToken(form, options.vendor, r));
      // What the base program's create (and destroy) touch: the unit under test, or what `declares` says.
      const declared = options.declares ? Object.entries(options.declares).flatMap(([resource, count]) => Array<string>(count).fill(resource)) : unit;
      const sortedOps = (report: { steps: StepReport[] }) => ctx.ops(report, true).sort();
      // Registered before the stack's hooks: its configuration names the emulator.
      beforeAll(async () => {
        emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true, ...options.emulator });
        fixtures = options.setup ? await options.setup(emulator) : ({} as F);
      });
      const engine = useEngineStack(() => ({
        projectName: `${options.vendor}-${options.resource.toLowerCase()}-${form}`,
        program: () => (program ?? defaultProgram)(),
        config: emulatorConfig(emulator!, [options.vendor]),
        env: formEnv(form),
      }), () => applied === null);
      // After the stack's own afterAll (jest runs them in the order declared): its last destroy needs the emulator.
      afterAll(async () => {
        await emulator?.stop();
      });
      const defaultProgram: PulumiFn = async () => (ctx.desired === undefined ? {} : options.declare(SDKS[form], name, ctx.desired));
      const tracked = async <R>(operation: () => Promise<R>, after: A | null | undefined): Promise<R> => {
        applied = undefined;
        const result = await operation();
        applied = after;
        return result;
      };
      const ctx: SuiteContext<A, F> = {
        form,
        sdk: SDKS[form],
        type,
        types,
        get emulator() {
          if (!emulator) throw new Error("the emulator is not running (beforeAll failed)");
          return emulator;
        },
        get fixtures() {
          return fixtures as F;
        },
        get engine() {
          return engine();
        },
        desired: undefined,
        base: () => options.base(fixtures as F, form),
        setProgram(next) {
          program = next;
          applied = undefined;
        },
        declare(args) {
          program = undefined;
          ctx.desired = args;
        },
        async given(args = "any") {
          if (args === "nothing") {
            if (applied !== null) await ctx.destroy();
          } else {
            const wanted = args === "any" ? (applied ?? ctx.desired ?? ctx.base()) : args;
            const needsUp = program !== undefined || applied === undefined || applied === null || !isDeepStrictEqual(applied, wanted);
            ctx.declare(wanted);
            if (needsUp) await ctx.up();
          }
          ctx.markRequests();
        },
        up: () => tracked(() => engine().up(), program === undefined ? (ctx.desired ?? null) : undefined),
        preview: () => engine().preview(),
        refresh: () => tracked(() => engine().refresh(), undefined),
        destroy: () => tracked(() => engine().destroy(), null),
        ops: (report, withType = false) => resourceSteps(report.steps).map((s) => (withType ? `${s.op} ${s.type}` : s.op)),
        async expectCleanPreview() {
          expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
          // A clean preview of the default program shows its arguments applied: a later `given` of them needs no `up`.
          if (program === undefined && ctx.desired !== undefined) applied = ctx.desired;
        },
        async importAndRelease(imports, declare, imported) {
          // Code generation needs the Go language host, which is not served here.
          const resources = imports.map(({ name, id, type }) => ({ type: type ?? ctx.type, name, id }));
          const result = await engine().stack.import({ resources, generateCode: false });
          expect(result.summary.resourceChanges).toMatchObject({ import: imports.length });
          // Only when asked: an export is one more CLI process.
          if (imported) imported(await engine().exportState());
          const declared = (protect: boolean) => async () => (declare(protect), {});
          ctx.setProgram(declared(true));
          await ctx.expectCleanPreview();
          ctx.setProgram(declared(false));
          await ctx.up();
          await ctx.destroy();
        },
        requests: (route) => ctx.emulator.requestLog().filter((r) => (route === undefined || r.route === route) && r.startedAt >= since),
        async expectNoPlaintext(secrets) {
          const state = (await engine().exportState()).text;
          const files = engine().backendFilesText();
          const output = engine().log.join("\n");
          for (const secret of secrets) {
            expect(state).not.toContain(secret);
            expect(files).not.toContain(secret);
            expect(output).not.toContain(secret);
          }
        },
        markRequests() {
          since = Date.now();
        },
      };
      beforeEach(() => ctx.markRequests());

      // After every shared step that ran the engine: the suite's secrets are nowhere in plaintext.
      const noPlaintext = async () => {
        if (options.secrets) await ctx.expectNoPlaintext(options.secrets(ctx));
      };
      const stepTests: Record<SharedStep, (() => void) | undefined> = {
        create: () =>
          test(`up creates the ${options.resource}; a second preview is clean`, async () => {
            await ctx.given("nothing");
            ctx.declare(ctx.base());
            const result = await ctx.up();
            expect(sortedOps(result)).toEqual(expected("create", declared));
            await options.created?.(ctx, result);
            await ctx.expectCleanPreview();
          }),
        secrets: options.secrets && ((secrets) => () =>
          test("no secret appears in plaintext in the exported state, the backend's files or the engine's output", async () => {
            await ctx.given("any");
            await ctx.expectNoPlaintext(secrets(ctx));
          }))(options.secrets),
        drift: options.drift && ((drift) => () =>
          test("an out-of-band edit shows after refresh and up repairs it", async () => {
            await ctx.given(drift.given?.(ctx) ?? "any");
            await drift.edit(ctx);
            await ctx.refresh();
            const inState = typeof drift.inState === "function" ? drift.inState(ctx) : drift.inState;
            if (inState) expect((await engine().exportState()).resource(type, name)?.outputs).toMatchObject(inState);
            await drift.refreshed?.(ctx);
            const preview = await ctx.preview();
            expect(sortedOps(preview)).toEqual(expected("update", drift.updated ?? [options.resource]));
            for (const shown of [drift.diffText ?? []].flat()) expect(preview.diffText).toMatch(shown);
            await drift.previewed?.(ctx, preview);
            ctx.markRequests();
            await ctx.up();
            await drift.repaired(ctx);
            await ctx.expectCleanPreview();
            await noPlaintext();
          }))(options.drift),
        deleted: options.deleted && ((deleted) => () =>
          test("an out-of-band delete drops it from state on refresh and up recreates it", async () => {
            await ctx.given(deleted.given?.(ctx) ?? "any");
            const before = await deleted.delete(ctx);
            ctx.markRequests();
            const dropped = deleted.dropped ?? unit;
            const refreshed = await ctx.refresh();
            expect(refreshed.changeSummary.delete).toBe(dropped.length);
            await deleted.refreshed?.(ctx);
            // What the refresh dropped is gone from the state; others of those types the base program declares stay.
            const state = await engine().exportState();
            for (const resource of new Set(dropped)) {
              const count = (names: readonly string[]) => names.filter((r) => r === resource).length;
              expect(state.resources(typeToken(form, options.vendor, resource))).toHaveLength(count(declared) - count(dropped));
            }
            const result = await ctx.up();
            expect(sortedOps(result)).toEqual(expected("create", dropped));
            await deleted.recreated(ctx, before, result);
            await noPlaintext();
          }))(options.deleted),
        badInput: options.badInput && ((badInput) => () =>
          test("invalid input fails at preview with a message naming the property", async () => {
            const valid = ctx.desired ?? ctx.base();
            try {
              for (const [args, message] of badInput(valid, ctx)) {
                ctx.declare(args);
                await expect(ctx.preview()).rejects.toThrow(message);
              }
            } finally {
              ctx.declare(valid);
            }
            // The errors never show a secret.
            await noPlaintext();
          }))(options.badInput),
        destroy: () =>
          test(`destroy deletes the ${options.resource}`, async () => {
            await ctx.given("any");
            if (options.destroying) {
              await options.destroying(ctx);
              ctx.markRequests();
            }
            const destroyed = await ctx.destroy();
            expect(sortedOps(destroyed)).toEqual(expected("delete", declared));
            await options.destroyed?.(ctx, destroyed);
            await noPlaintext();
          }),
      };
      // The file's order: each shared step this form runs, then the suite's tests placed after it.
      for (const step of STEP_ORDER) {
        if (steps.includes(step)) stepTests[step]?.();
        for (const t of tests.filter((t) => placeOf(t) === step)) test(t.title, () => t.body(ctx));
      }
      test("every response the emulator gave conformed to the official document", () => {
        expect(ctx.emulator.specViolations()).toEqual([]);
      });
    });
  }
}
