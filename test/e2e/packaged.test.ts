/**
 * The package as users get it: `npm pack`, installed into a fresh project
 * that has no TypeScript of its own, driving the real engine from that
 * project. Catches what only shows when installed: files missing from the
 * package, deep paths the exports map refuses, syntax the closure
 * serializer's fallback parser cannot read, and the size of the provider
 * code stored in state.
 */
import { execFile } from "node:child_process";
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
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `./${tarball}`], consumer);
  fs.writeFileSync(path.join(consumer, "program.js"), PROGRAM);
  fs.writeFileSync(path.join(consumer, "native.js"), NATIVE_PROGRAM);
});
afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(consumer, { recursive: true, force: true });
});

test("an installed package runs through the engine, storing its provider by reference", async () => {
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

test("the installed package's native plugins serve a program with no further step than PATH, and store no code", async () => {
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
