/**
 * npm run release [-- --out <dir>] [--targets linux-amd64,windows-amd64,...]
 * npm run release -- --check <dir> [--targets ...]
 *
 * Writes every artifact of this version into one folder (default
 * `release/v<version>/`): the npm tarball, the plugin archives of every
 * vendor and platform (scripts/plugin-archives.ts) and the other languages'
 * SDK packages (a Python wheel per vendor, the Go module's source), with
 * SHA256SUMS, then checks that they all agree on the version. `--check`
 * checks a folder written before (e.g. after uploading or copying it). The
 * .NET SDK (sdk/dotnet) is packed by `dotnet pack` where a .NET SDK is
 * installed; this command does not need one.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { vendors } from "../provider/resources";
import { PLUGIN_DOWNLOAD_URL } from "../provider/package-info";
import { archiveName, executableName, hostTarget, pluginArchives, Target, TARGETS } from "./plugin-archives";
import { pythonEnv } from "./python-env";

const ROOT = path.resolve(__dirname, "..", fs.existsSync(path.join(__dirname, "..", "package.json")) ? "" : "..");

function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
}

function targetsNamed(list: string | undefined): Target[] {
  if (list === undefined) return [...TARGETS];
  return list.split(",").map((name) => {
    const target = TARGETS.find((t) => `${t.os}-${t.arch}` === name.trim());
    if (!target) throw new Error(`unknown target '${name}'; known: ${TARGETS.map((t) => `${t.os}-${t.arch}`).join(", ")}`);
    return target;
  });
}

/** The wheel of a vendor's Python SDK (sdk/python/<vendor>), as setuptools names it. */
export function wheelName(vendor: string, version: string): string {
  return `pulumi_ai_gateway_${vendor}-${version}-py3-none-any.whl`;
}

/** The Go SDK's module (sdk/go) as released: what the module's version tag holds. */
export function goSdkArchive(version: string): string {
  return `pulumi-ai-gateway-sdk-go-v${version}.tar.gz`;
}

/** Builds a wheel per vendor and archives the Go module into `out`. */
function writeSdkPackages(out: string, version: string): void {
  const python = pythonEnv();
  if ("missing" in python) throw new Error(`the Python SDK's wheels cannot be built: ${python.missing}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "release-sdk-"));
  try {
    for (const vendor of vendors()) {
      // From a copy: setuptools leaves build/ and *.egg-info beside the sources it builds.
      const source = path.join(work, vendor.name);
      fs.cpSync(path.join(ROOT, "sdk", "python", vendor.name), source, { recursive: true });
      execFileSync(python.python, ["-m", "build", "--wheel", "--no-isolation", "--outdir", out, source], { cwd: source, stdio: "pipe" });
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  execFileSync("tar", ["-czf", path.join(out, goSdkArchive(version)), "-C", path.join(ROOT, "sdk"), "go"]);
}

/** Writes the release folder and returns the files in it. */
export async function writeRelease(out: string, targets: readonly Target[]): Promise<string[]> {
  const version = packageVersion();
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  execFileSync("npm", ["pack", "--pack-destination", out, "--loglevel=error"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  const archives = await pluginArchives(vendors().map((vendor) => vendor.name), version, targets);
  for (const archive of archives) fs.copyFileSync(archive.file, path.join(out, path.basename(archive.file)));
  writeSdkPackages(out, version);
  const files = fs.readdirSync(out).sort();
  const sums = files.map((file) => `${createHash("sha256").update(fs.readFileSync(path.join(out, file))).digest("hex")}  ${file}\n`).join("");
  fs.writeFileSync(path.join(out, "SHA256SUMS"), sums);
  return files;
}

/**
 * The problems that make a release folder not one version, or an empty list:
 * the npm tarball's manifest, every archive's name and content, the
 * executables' code (each carries the same bundle, version built in), and
 * the schema the host's executable serves (version and download URL).
 */
export async function checkRelease(dir: string, targets: readonly Target[] = TARGETS): Promise<string[]> {
  const version = packageVersion();
  const problems: string[] = [];
  const files = fs.readdirSync(dir).filter((file) => file !== "SHA256SUMS");
  const tarballs = files.filter((file) => file.endsWith(".tgz"));
  if (tarballs.length !== 1) problems.push(`expected one npm tarball, found ${tarballs.length}`);
  for (const tarball of tarballs) {
    const manifest = JSON.parse(execFileSync("tar", ["-xzOf", path.join(dir, tarball), "package/package.json"], { encoding: "utf8" })) as { name: string; version: string };
    if (manifest.version !== version) problems.push(`${tarball} is version ${manifest.version}, not ${version}`);
    if (tarball !== `${manifest.name}-${manifest.version}.tgz`) problems.push(`${tarball} is not named after its manifest (${manifest.name}@${manifest.version})`);
    // The native SDK's resources ask the engine for the plugins of this version (scripts/generate.ts writes it).
    const nativeSdk = execFileSync("tar", ["-xzOf", path.join(dir, tarball), "--wildcards", "package/dist/sdk/native/*.js"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const pinned = new Set([...nativeSdk.matchAll(/PLUGIN_VERSION = "([^"]+)"/g)].map((match) => match[1]));
    if (pinned.size !== 1 || !pinned.has(version)) problems.push(`${tarball}: the native SDK asks for plugin version ${[...pinned].join(", ") || "(none)"}; run npm run generate`);
  }
  const expected = new Set(files.filter((file) => file.endsWith(".tar.gz")));
  // The other languages' SDK packages: a wheel per vendor (its name carries its version), and the Go module, whose plugin files name the version.
  const wheels = new Set(files.filter((file) => file.endsWith(".whl")));
  for (const vendor of vendors()) {
    if (!wheels.delete(wheelName(vendor.name, version))) problems.push(`${wheelName(vendor.name, version)} is missing`);
  }
  for (const stray of wheels) problems.push(`${stray} does not belong to version ${version}`);
  const goArchive = goSdkArchive(version);
  if (!expected.delete(goArchive)) problems.push(`${goArchive} is missing`);
  else {
    for (const vendor of vendors()) {
      const plugin = JSON.parse(execFileSync("tar", ["-xzOf", path.join(dir, goArchive), `go/${vendor.name}/pulumi-plugin.json`], { encoding: "utf8" })) as { version: string };
      if (plugin.version !== version) problems.push(`${goArchive}: the ${vendor.name} package asks for plugin version ${plugin.version}; run npm run generate-sdks`);
    }
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "release-check-"));
  try {
    for (const target of targets) {
      for (const vendor of vendors()) {
        const name = archiveName(vendor.name, version, target);
        if (!expected.delete(name)) {
          problems.push(`${name} is missing`);
          continue;
        }
        const unpacked = path.join(work, name);
        fs.mkdirSync(unpacked);
        execFileSync("tar", ["-xzf", path.join(dir, name), "-C", unpacked]);
        const executable = path.join(unpacked, executableName(vendor.name, target));
        const listed = fs.readdirSync(unpacked).sort();
        if (listed.join(",") !== ["LICENSE", executableName(vendor.name, target)].sort().join(",")) problems.push(`${name} holds ${listed.join(", ")}`);
        if (!fs.existsSync(executable)) continue;
        if (target === hostTarget()) problems.push(...checkSchema(executable, vendor.name, version, name));
        fs.rmSync(unpacked, { recursive: true, force: true });
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  for (const stray of expected) problems.push(`${stray} does not belong to version ${version}`);
  return problems;
}

/** The schema the executable serves, as the Pulumi CLI reads it. */
function checkSchema(executable: string, vendor: string, version: string, archive: string): string[] {
  const schema = JSON.parse(execFileSync("pulumi", ["package", "get-schema", executable], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })) as {
    name: string;
    version: string;
    pluginDownloadURL?: string;
  };
  const problems: string[] = [];
  if (schema.name !== vendor) problems.push(`${archive}: the schema is of ${schema.name}`);
  if (schema.version !== version) problems.push(`${archive}: the schema says version ${schema.version}`);
  if (schema.pluginDownloadURL !== PLUGIN_DOWNLOAD_URL) problems.push(`${archive}: the schema's pluginDownloadURL is ${schema.pluginDownloadURL}`);
  return problems;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: "string" }, targets: { type: "string" }, check: { type: "string" } } });
  const targets = targetsNamed(values.targets);
  let dir: string;
  if (values.check !== undefined) {
    dir = path.resolve(values.check);
  } else {
    dir = path.resolve(values.out ?? path.join(ROOT, "release", `v${packageVersion()}`));
    const files = await writeRelease(dir, targets);
    for (const file of [...files, "SHA256SUMS"]) process.stdout.write(`${path.join(dir, file)}  ${(fs.statSync(path.join(dir, file)).size / 1e6).toFixed(1)} MB\n`);
  }
  const problems = await checkRelease(dir, targets);
  if (problems.length > 0) {
    process.stderr.write(`The release in ${dir} is not one version:\n${problems.map((p) => `  - ${p}\n`).join("")}`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`Checked: every artifact in ${dir} is version ${packageVersion()}.\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`release: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
