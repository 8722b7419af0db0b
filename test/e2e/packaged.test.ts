/**
 * The package as users get it: `npm pack`, installed into a fresh project
 * that has no TypeScript of its own beside the newest `@pulumi/pulumi` on the
 * npm registry, driving the real engine from that project. Catches what only
 * shows when installed: a second copy of `@pulumi/pulumi` (an inline
 * Automation API program then fails to register resources), files missing
 * from the package, deep paths the exports map refuses, entry points whose
 * types a module resolution cannot find, syntax the closure serializer's
 * fallback parser cannot read, and the size of the provider code stored in
 * state.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_KEY } from "../support/emulator";

jest.setTimeout(10 * 60_000);

const ROOT = path.resolve(__dirname, "..", "..");
const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "consumer-"));
let emulator: RunningEmulator;

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 5 * 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    );
  });
}

const PROGRAM = `
const { LocalWorkspace } = require("@pulumi/pulumi/automation");
const { portkey } = require("pulumi-ai-gateway");
(async () => {
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "consumer", projectName: "consumer", program: async () => {
        const ws = new portkey.Workspace("w", { name: "Installed from npm" });
        return { slug: ws.slug };
    } },
    { envVars: {
        PULUMI_BACKEND_URL: "file://" + __dirname + "/state",
        PULUMI_CONFIG_PASSPHRASE: "consumer",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      },
      projectSettings: { name: "consumer", runtime: "nodejs", main: __dirname } },
  );
  const up = await stack.up();
  const state = (await stack.exportStack()).deployment;
  const resource = state.resources.find((r) => r.type === "pulumi-nodejs:dynamic/portkey:Workspace");
  const providerChars = resource.inputs.__provider.length;
  await stack.destroy();
  process.stdout.write(JSON.stringify({ slug: up.outputs.slug.value, providerChars, provider: resource.inputs.__provider.slice(0, 2000) }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** The same with the native resources: the plugins come from the installed package's node_modules/.bin. */
const NATIVE_PROGRAM = `
const { LocalWorkspace } = require("@pulumi/pulumi/automation");
const { portkey } = require("pulumi-ai-gateway/native");
(async () => {
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "native", projectName: "consumer-native", program: async () => {
        const ws = new portkey.Workspace("w", { name: "Native from npm" });
        return { slug: ws.slug };
    } },
    { envVars: {
        PULUMI_BACKEND_URL: "file://" + __dirname + "/state",
        PULUMI_CONFIG_PASSPHRASE: "consumer",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PATH: __dirname + "/node_modules/.bin:" + process.env.PATH,
      },
      projectSettings: { name: "consumer-native", runtime: "nodejs", main: __dirname } },
  );
  const up = await stack.up();
  const state = (await stack.exportStack()).deployment;
  const resource = state.resources.find((r) => r.type === "portkey:index:Workspace");
  await stack.destroy();
  process.stdout.write(JSON.stringify({ slug: up.outputs.slug.value, stored: JSON.stringify(resource) }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY] });
  fs.mkdirSync(path.join(consumer, "state"));
  await run("npm", ["pack", "--pack-destination", consumer, "--loglevel=error"], ROOT);
  fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  const tarball = fs.readdirSync(consumer).find((f) => f.endsWith(".tgz"))!;
  // As a user adds it to a project: the newest @pulumi/pulumi 3.x beside it.
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `./${tarball}`, "@pulumi/pulumi@3"], consumer);
  fs.writeFileSync(path.join(consumer, "program.js"), PROGRAM);
  fs.writeFileSync(path.join(consumer, "native.js"), NATIVE_PROGRAM);
});
afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(consumer, { recursive: true, force: true });
});

test("installed beside the newest @pulumi/pulumi 3.x, the project has one copy of it", async () => {
  const newest = (await run("npm", ["view", "@pulumi/pulumi@3", "version", "--json"], consumer)).trim();
  const versions = JSON.parse(newest) as string | string[];
  const latest = Array.isArray(versions) ? versions[versions.length - 1] : versions;
  const tree = JSON.parse(await run("npm", ["ls", "@pulumi/pulumi", "--all", "--json"], consumer)) as NpmTree;
  expect(copiesOf("@pulumi/pulumi", tree)).toEqual([latest]);
  // Still one file on disk: the package's own would be nested under it.
  expect(fs.existsSync(path.join(consumer, "node_modules", "pulumi-ai-gateway", "node_modules", "@pulumi", "pulumi"))).toBe(false);
});

test("the README's links into docs/ resolve inside the installed package", () => {
  const installed = path.join(consumer, "node_modules", "pulumi-ai-gateway");
  const readme = fs.readFileSync(path.join(installed, "README.md"), "utf8");
  const links = [...readme.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThan(5);
  expect(links.filter((link) => !fs.existsSync(path.join(installed, link)))).toEqual([]);
});

test("an installed package runs through the engine as an inline Automation API program, storing its provider by reference", async () => {
  expect(fs.existsSync(path.join(consumer, "node_modules", "typescript"))).toBe(false);
  const output = await run(process.execPath, ["program.js"], consumer, {
    PORTKEY_API_KEY: ADMIN_KEY,
    PORTKEY_BASE_URL: emulator.portkeyBaseUrl,
  });
  const result = JSON.parse(output);
  expect(result.slug).toMatch(/^ws-installed-from-npm-/);
  expect(result.provider).toContain('require("pulumi-ai-gateway/dist/provider/portkey/workspace.js")');
  expect(result.providerChars).toBeLessThan(5000);
  const workspaces = Object.values(emulator.state().workspaces).filter((w) => !w.is_default);
  expect(workspaces.map((w) => [w.name, w.deleted_at !== null])).toEqual([["Installed from npm", true]]);
});

test("the installed package's native plugins serve an inline Automation API program with no further step than PATH, and store no code", async () => {
  expect(fs.existsSync(path.join(consumer, "node_modules", ".bin", "pulumi-resource-portkey"))).toBe(true);
  const output = await run(process.execPath, ["native.js"], consumer, {
    PORTKEY_API_KEY: ADMIN_KEY,
    PORTKEY_BASE_URL: emulator.portkeyBaseUrl,
  });
  const result = JSON.parse(output);
  expect(result.slug).toMatch(/^ws-native-from-npm-/);
  expect(result.stored).not.toContain("__provider");
  const workspaces = Object.values(emulator.state().workspaces).filter((w) => w.name === "Native from npm");
  expect(workspaces.map((w) => w.deleted_at !== null)).toEqual([true]);
});

interface NpmTree {
  version?: string;
  dependencies?: Record<string, NpmTree>;
}

/** The distinct versions of a package anywhere in an `npm ls --json` tree. */
function copiesOf(name: string, tree: NpmTree): string[] {
  const found = new Set<string>();
  const walk = (node: NpmTree) => {
    for (const [dependency, child] of Object.entries(node.dependencies ?? {})) {
      if (dependency === name && child.version) found.add(child.version);
      walk(child);
    }
  };
  walk(tree);
  return [...found];
}

/**
 * A TypeScript program importing every entry point, run as a Pulumi project
 * by the CLI: with no TypeScript in the project, Pulumi type-checks it with
 * the TypeScript it bundles (3.8, `moduleResolution: node`).
 */
const PROJECT_PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { portkey } from "pulumi-ai-gateway";
import * as native from "pulumi-ai-gateway/native";
import type { EmulatorOptions } from "pulumi-ai-gateway/emulator";

const dynamicWorkspace = new portkey.Workspace("dynamic", { name: "Project dynamic" });
const nativeArgs: native.portkey.WorkspaceArgs = { name: "Project native" };
const nativeWorkspace = new native.portkey.Workspace("native", nativeArgs);
const options: EmulatorOptions = { adminKeys: ["typed"] };
export const slugs = pulumi.all([dynamicWorkspace.slug, nativeWorkspace.slug]);
export const emulatorKeys = options.adminKeys;
`;

test("a TypeScript project using the dynamic and the native resources runs through the CLI: up, a clean preview, destroy", async () => {
  const project = path.join(consumer, "project");
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: consumer-project\nruntime: nodejs\n");
  fs.writeFileSync(path.join(project, "index.ts"), PROJECT_PROGRAM);
  // The program directory's node_modules is the consumer's (Node resolves upwards).
  const env = {
    PULUMI_BACKEND_URL: `file://${path.join(consumer, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "consumer",
    PORTKEY_API_KEY: ADMIN_KEY,
    PORTKEY_BASE_URL: emulator.portkeyBaseUrl,
    PATH: `${path.join(consumer, "node_modules", ".bin")}${path.delimiter}${process.env.PATH}`,
  };
  await run("pulumi", ["stack", "init", "project", "--non-interactive"], project, env);
  const up = await run("pulumi", ["up", "--yes", "--non-interactive", "--skip-preview"], project, env);
  expect(up).toContain("3 created");
  await run("pulumi", ["preview", "--expect-no-changes", "--non-interactive"], project, env);
  const names = Object.values(emulator.state().workspaces).filter((w) => w.name.startsWith("Project ") && w.deleted_at === null).map((w) => w.name);
  expect(names.sort()).toEqual(["Project dynamic", "Project native"]);
  await run("pulumi", ["destroy", "--yes", "--non-interactive"], project, env);
  expect(Object.values(emulator.state().workspaces).filter((w) => w.name.startsWith("Project ") && w.deleted_at === null)).toEqual([]);
});

/** What a program importing every entry point sees, compiled by TypeScript with one module resolution. */
const ENTRY_POINTS_PROGRAM = `
import { portkey, openrouter } from "pulumi-ai-gateway";
import * as native from "pulumi-ai-gateway/native";
import { startEmulator } from "pulumi-ai-gateway/emulator";
export const dynamicArgs: portkey.WorkspaceArgs = { name: "typed" };
export const nativeArgs: native.portkey.WorkspaceArgs = { name: "typed" };
export const nativeKey: typeof native.openrouter.ApiKey = native.openrouter.ApiKey;
export const key: typeof openrouter.ApiKey = openrouter.ApiKey;
export const start: typeof startEmulator = startEmulator;
`;

describe.each([
  ["node10", "commonjs"],
  ["node16", "node16"],
  ["nodenext", "nodenext"],
  ["bundler", "esnext"],
])("every entry point's types resolve under moduleResolution %s", (resolution, module) => {
  test("a program importing each one compiles", async () => {
    const dir = path.join(consumer, `compile-${resolution}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "index.ts"), ENTRY_POINTS_PROGRAM);
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const args = ["--noEmit", "--strict", "--skipLibCheck", "--target", "es2022", "--module", module, "--moduleResolution", resolution, "index.ts"];
    await expect(run(process.execPath, [tsc, ...args], dir)).resolves.toBe("");
  });
});

test("every entry point's types resolve with the TypeScript Pulumi bundles (3.8, moduleResolution node), as Pulumi checks a program", async () => {
  const vendored = fs.readdirSync(path.join(consumer, "node_modules", "@pulumi", "pulumi", "vendor")).find((dir) => dir.startsWith("typescript@"));
  expect(vendored).toBeDefined();
  const compiler = path.join(consumer, "node_modules", "@pulumi", "pulumi", "vendor", vendored!, "typescript.js");
  fs.writeFileSync(path.join(consumer, "entry-points.ts"), ENTRY_POINTS_PROGRAM);
  // Diagnostics of the program's own file, as ts-node reports them (the bundled 3.8 cannot parse today's @types/node).
  const check = `
    const ts = require(${JSON.stringify(compiler)});
    const file = ${JSON.stringify(path.join(consumer, "entry-points.ts"))};
    const program = ts.createProgram([file], { strict: true, skipLibCheck: true, noEmit: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.NodeJs });
    const source = program.getSourceFile(file);
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    process.stdout.write(JSON.stringify({ version: ts.version, errors: diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, " ")) }));
  `;
  const result = JSON.parse(await run(process.execPath, ["-e", check], consumer)) as { version: string; errors: string[] };
  expect(result.version).toMatch(/^3\./);
  expect(result.errors).toEqual([]);
});

test("npx pulumi-ai-gateway emulator serves the admin APIs from the installed package, with the flags of npm run emulator", async () => {
  const server = spawn("npx", ["--no-install", "pulumi-ai-gateway", "emulator", "--admin-key", "installed-key", "--management-key", "installed-mgmt", "--latency-ms", "0"], {
    cwd: consumer,
    stdio: ["ignore", "pipe", "pipe"],
    // A process group of its own: npx runs the emulator as its child, which a signal to npx alone leaves running.
    detached: true,
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      server.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("\n")) resolve(out.split("\n")[0]);
      });
      server.once("exit", (code) => reject(new Error(`the emulator exited (${code}) before listening`)));
    });
    const urls = /listening on (\S+) \(OpenRouter: (\S+)\)/.exec(line);
    expect(urls).not.toBeNull();
    const portkeyList = await fetch(`${urls![1]}/admin/workspaces`, { headers: { "x-portkey-api-key": "installed-key" } });
    expect(portkeyList.status).toBe(200);
    const refused = await fetch(`${urls![1]}/admin/workspaces`, { headers: { "x-portkey-api-key": "another-key" } });
    expect(refused.status).toBe(401);
    const openrouterKeys = await fetch(`${urls![2]}/keys`, { headers: { authorization: "Bearer installed-mgmt" } });
    expect(openrouterKeys.status).toBe(200);
  } finally {
    process.kill(-server.pid!, "SIGTERM");
  }
  const bad = await run("npx", ["--no-install", "pulumi-ai-gateway", "emulator", "--fault-rate", "2", "--admin-key", "k"], consumer).catch((error: Error) => error.message);
  expect(bad).toContain("--fault-rate must be a number from 0 to 1");
});
