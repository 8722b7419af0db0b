/**
 * The package as users install it: `npm pack` of the package root, installed
 * with npm into a fresh project in a temporary directory (its own
 * node_modules, outside the repository), holding a plain JavaScript Pulumi
 * program run by the Pulumi CLI from PATH with a file backend in that
 * directory, its own PULUMI_HOME and passphrase secrets.
 *
 * One program, three modes chosen by stack config:
 * - `package`: W × (portkey.Workspace, a workspace service portkey.ApiKey,
 *   portkey.IntegrationWorkspaceAccess to one integration), from the package.
 * - `native`: the same with the native resources (`pulumi-ai-gateway/native`),
 *   served by the plugins the package installs in node_modules/.bin (on PATH).
 * - `floor`: the same shape (same names, inputs and dependencies) with a
 *   trivial dynamic provider defined in the program that makes no calls.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliRun, runPulumi } from "./pulumi-cli";

export const PROJECT = "bench-scale";
const PASSPHRASE = "bench-passphrase-not-a-secret";

const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");

const config = new pulumi.Config();
const workspaces = config.requireNumber("workspaces");
const integrationSlug = config.require("integration");

const mode = config.require("mode");
if (mode === "package" || mode === "native") {
  // The same program with the dynamic resources or the native ones (served by the package's provider plugins).
  const { portkey } = require(mode === "native" ? "pulumi-ai-gateway/native" : "pulumi-ai-gateway");
  for (let i = 0; i < workspaces; i++) {
    const ws = new portkey.Workspace("ws" + i, { name: "Bench " + i });
    new portkey.ApiKey("key" + i, { type: "workspace", subType: "service", workspaceId: ws.id, name: "bench-" + i, scopes: ["completions.write"] });
    new portkey.IntegrationWorkspaceAccess("access" + i, { integrationSlug, workspaceId: ws.id, createDefaultProvider: false });
  }
} else {
  // The engine floor: a dynamic provider that makes no calls.
  const trivial = {
    async create(inputs) {
      return { id: Date.now().toString(36) + Math.random().toString(36).slice(2), outs: inputs };
    },
    async delete() {},
  };
  class Trivial extends pulumi.dynamic.Resource {
    constructor(type, name, args) {
      super(trivial, name, args, undefined, "bench", type);
    }
  }
  for (let i = 0; i < workspaces; i++) {
    const ws = new Trivial("Workspace", "ws" + i, { name: "Bench " + i });
    new Trivial("ApiKey", "key" + i, { type: "workspace", subType: "service", workspaceId: ws.id, name: "bench-" + i, scopes: ["completions.write"] });
    new Trivial("IntegrationWorkspaceAccess", "access" + i, { integrationSlug, workspaceId: ws.id, createDefaultProvider: false });
  }
}
`;

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 512 * 1024 * 1024, timeout: 15 * 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    );
  });
}

export interface StackSettings {
  mode: "package" | "native" | "floor";
  workspaces: number;
  integrationSlug: string;
  /** Portkey admin key and base URL (package mode). */
  adminKey?: string;
  baseUrl?: string;
}

/** Size of a stack's state, from `pulumi stack export`. */
export interface StateSize {
  /** The whole export (`deployment` included), bytes of its JSON text. */
  exportBytes: number;
  /** Resources of type pulumi-nodejs:dynamic/* or <vendor>:index:* (native). */
  resources: number;
  /** Their JSON (urn, inputs, outputs, dependencies...), bytes summed. */
  resourceBytes: number;
  /** The same without `__provider` in inputs and outputs. */
  resourceBytesWithoutProvider: number;
  /** Only the inputs and outputs, without `__provider`: the provider's own data (the rest is the engine's: URN, type, parent, dependencies...). */
  ownDataBytes: number;
  /** The file backend's checkpoint file for the stack, bytes on disk. */
  checkpointFileBytes: number;
}

export class ConsumerProject {
  /** A directory of plugin executables put before node_modules/.bin on PATH (the release's single executables). */
  pluginDir: string | undefined;

  private constructor(
    readonly dir: string,
    readonly packageName: string,
  ) {}

  /** Packs `packageRoot` and installs the tarball into a new project. */
  static async create(packageRoot: string): Promise<ConsumerProject> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-consumer-"));
    try {
      for (const sub of ["state", "home"]) fs.mkdirSync(path.join(dir, sub));
      await run("npm", ["pack", "--pack-destination", dir, "--loglevel=error"], packageRoot);
      const tarball = fs.readdirSync(dir).find((f) => f.endsWith(".tgz"));
      if (!tarball) throw new Error("npm pack wrote no tarball");
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "bench-consumer", version: "1.0.0", private: true, main: "index.js" }, null, 2));
      await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `./${tarball}`], dir);
      fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: nodejs\nmain: index.js\n`);
      return new ConsumerProject(dir, tarball);
    } catch (error) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Environment of every CLI command; `skipCheckpoints` sets PULUMI_SKIP_CHECKPOINTS=true. */
  env(skipCheckpoints: boolean): Record<string, string> {
    return {
      PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_HOME: path.join(this.dir, "home"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      // The package's provider plugins, as `npm install` links them.
      PATH: [this.pluginDir, path.join(this.dir, "node_modules", ".bin"), process.env.PATH ?? ""].filter((dir) => dir !== undefined).join(path.delimiter),
      ...(skipCheckpoints ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {}),
    };
  }

  async initStack(stack: string, settings: StackSettings): Promise<void> {
    const env = this.env(false);
    await run("pulumi", ["stack", "init", stack, "--secrets-provider", "passphrase", "--non-interactive"], this.dir, env);
    const args = ["config", "set-all", "--stack", stack, "--non-interactive"];
    args.push("--plaintext", `mode=${settings.mode}`, "--plaintext", `workspaces=${settings.workspaces}`, "--plaintext", `integration=${settings.integrationSlug}`);
    if (settings.adminKey) args.push("--secret", `portkey:apiKey=${settings.adminKey}`);
    if (settings.baseUrl) args.push("--plaintext", `portkey:baseUrl=${settings.baseUrl}`);
    await run("pulumi", args, this.dir, env);
  }

  /** One engine operation, timed and sampled. `up`, `refresh` and `destroy` run with --skip-preview, as the Automation API does. */
  operation(op: "up" | "preview" | "refresh" | "destroy", stack: string, options: { parallel: number; skipCheckpoints: boolean }): Promise<CliRun> {
    const args = [op, "--stack", stack, "--non-interactive", "--parallel", String(options.parallel)];
    if (op !== "preview") args.push("--yes", "--skip-preview");
    return runPulumi(args, { cwd: this.dir, env: this.env(options.skipCheckpoints) });
  }

  async stateSize(stack: string): Promise<StateSize> {
    const text = await run("pulumi", ["stack", "export", "--stack", stack, "--non-interactive"], this.dir, this.env(false));
    const exported = JSON.parse(text) as { deployment?: { resources?: { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] } };
    const dynamic = (exported.deployment?.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/") || /^(portkey|openrouter):index:/.test(r.type));
    const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    let resourceBytes = 0;
    let withoutProvider = 0;
    let ownData = 0;
    for (const resource of dynamic) {
      resourceBytes += bytes(resource);
      const { __provider: _inputProvider, ...inputs } = resource.inputs ?? {};
      const { __provider: _outputProvider, ...outputs } = resource.outputs ?? {};
      withoutProvider += bytes({ ...resource, inputs, outputs });
      ownData += bytes({ inputs, outputs });
    }
    const checkpoint = path.join(this.dir, "state", ".pulumi", "stacks", PROJECT, `${stack}.json`);
    return {
      exportBytes: Buffer.byteLength(text.trim()),
      resources: dynamic.length,
      resourceBytes,
      resourceBytesWithoutProvider: withoutProvider,
      ownDataBytes: ownData,
      checkpointFileBytes: fs.existsSync(checkpoint) ? fs.statSync(checkpoint).size : 0,
    };
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
