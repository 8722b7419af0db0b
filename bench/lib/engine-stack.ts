/**
 * A small engine driver for benchmarks (bench/ does not import test/): an
 * inline program run through the Automation API against a file backend in a
 * temporary directory, with its own PULUMI_HOME and passphrase secrets. The
 * program runs from the current directory (the package root under
 * `npm run bench`), so the dynamic-provider plugin resolves its node_modules.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigMap, LocalWorkspace, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { assertPulumiOnPath } from "./pulumi-cli";

export const BENCH_PASSPHRASE = "bench-passphrase-not-a-secret";

export interface EngineStackOptions {
  projectName: string;
  stackName?: string;
  program: PulumiFn;
  config?: ConfigMap;
  /** Extra environment for the CLI and, through it, the provider processes. */
  env?: Record<string, string>;
}

export class EngineStack {
  private readonly abort = new AbortController();

  private constructor(
    readonly stack: Stack,
    readonly dir: string,
  ) {}

  static async create(options: EngineStackOptions): Promise<EngineStack> {
    assertPulumiOnPath();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-bench-"));
    fs.mkdirSync(path.join(dir, "state"));
    fs.mkdirSync(path.join(dir, "home"));
    const envVars: Record<string, string> = {
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: BENCH_PASSPHRASE,
      PULUMI_HOME: path.join(dir, "home"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
      ...options.env,
    };
    const stack = await LocalWorkspace.createOrSelectStack(
      { projectName: options.projectName, stackName: options.stackName ?? "bench", program: options.program },
      {
        envVars,
        pulumiHome: envVars.PULUMI_HOME,
        secretsProvider: "passphrase",
        projectSettings: { name: options.projectName, runtime: "nodejs", main: process.cwd() },
      },
    );
    if (options.config) await stack.setAllConfig(options.config);
    return new EngineStack(stack, dir);
  }

  /** `parallel`: the engine's limit on concurrent resource operations (CLI default 8). */
  async up(options: { parallel?: number } = {}): Promise<void> {
    await this.stack.up({ parallel: options.parallel, signal: this.abort.signal });
  }

  async destroy(): Promise<void> {
    await this.stack.destroy({ signal: this.abort.signal });
  }

  /** Aborts running operations and deletes the backend and PULUMI_HOME. */
  async dispose(): Promise<void> {
    this.abort.abort();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
