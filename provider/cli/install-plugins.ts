/**
 * `install-plugins`: puts the provider plugins where the Pulumi engine looks
 * for them, `$PULUMI_HOME/plugins/resource-<name>-v<version>/pulumi-resource-<name>`,
 * so programs find them without this package's `bin` on PATH.
 *
 * Each plugin is a small Node launcher (plus a `.cmd` on Windows). It is not
 * tied to one node_modules: it runs the pulumi-ai-gateway of its version that
 * the program's project has (the engine starts plugins in the program's
 * directory), else the one that installed it. Users without Node install the
 * release archives instead (single executables).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { vendors } from "../resources";
import { packageRoot, packageVersion } from "../package-info";

export interface InstalledPlugin {
  name: string;
  version: string;
  /** The launcher the engine runs. */
  executable: string;
}

/** Where the engine keeps plugins: the flag, else PULUMI_HOME (as the engine reads it), else ~/.pulumi. */
export function pulumiHome(flag: string | undefined): string {
  return path.resolve(flag ?? (process.env.PULUMI_HOME || path.join(os.homedir(), ".pulumi")));
}

export function installPlugins(home: string): InstalledPlugin[] {
  // The real path: the fallback must keep working when this package was reached through a symlink (npm link).
  const installedFrom = fs.realpathSync(packageRoot());
  const version = packageVersion();
  return vendors().map((vendor) => {
    const name = vendor.name;
    const directory = path.join(home, "plugins", `resource-${name}-v${version}`);
    const executable = path.join(directory, `pulumi-resource-${name}`);
    fs.mkdirSync(directory, { recursive: true });
    writeAtomic(executable, launcher(name, version, installedFrom), 0o755);
    if (process.platform === "win32") writeAtomic(`${executable}.cmd`, `@node "%~dp0pulumi-resource-${name}" %*\r\n`, 0o755);
    return { name, version, executable };
  });
}

/** Written beside and renamed: an engine starting the plugin meanwhile sees the old launcher or the new, never half of one. */
function writeAtomic(file: string, text: string, mode: number): void {
  const staging = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(staging, text, { mode });
  fs.renameSync(staging, file);
}

function launcher(name: string, version: string, installedFrom: string): string {
  return `#!/usr/bin/env node
// pulumi-resource-${name} v${version}, installed by \`pulumi-ai-gateway install-plugins\`. It runs the provider of
// pulumi-ai-gateway ${version}: the program's own when its project has that version (the engine starts plugins in
// the program's directory), else the package that installed it, at ${installedFrom}.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const VERSION = ${JSON.stringify(version)};
const INSTALLED_FROM = ${JSON.stringify(installedFrom)};
function packageOfThisVersion(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version === VERSION ? root : undefined;
  } catch {
    return undefined;
  }
}
function projectPackage() {
  try {
    return packageOfThisVersion(path.dirname(require.resolve("pulumi-ai-gateway/package.json", { paths: [process.cwd()] })));
  } catch {
    return undefined;
  }
}
const root = projectPackage() ?? packageOfThisVersion(INSTALLED_FROM);
if (root === undefined) {
  process.stderr.write(
    "pulumi-resource-${name} v" + VERSION + " finds no pulumi-ai-gateway " + VERSION + " (not in the program's project, not at " + INSTALLED_FROM + "): " +
      "run \`npx pulumi-ai-gateway install-plugins\` with the version you use, or install the plugin's release archive.\\n",
  );
  process.exit(1);
}
require(path.join(root, "dist", "provider", "native", "launch.js")).launch(${JSON.stringify(name)}, __filename);
`;
}
