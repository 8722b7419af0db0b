/**
 * `install-plugins`: puts the provider plugins where the Pulumi engine looks
 * for them, `$PULUMI_HOME/plugins/resource-<name>-v<version>/pulumi-resource-<name>`,
 * so programs find them without this package's `bin` on PATH.
 *
 * Each plugin is a small launcher that requires this installed package's
 * compiled plugin by absolute path: a copy of `bin/pulumi-resource-*` would
 * look for `../dist` next to the copy and find nothing.
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
  // The real path: the launcher must keep working when this package was reached through a symlink (npm link).
  const plugin = fs.realpathSync(path.join(__dirname, "..", "native", "plugin.js"));
  const version = packageVersion();
  return vendors().map((vendor) => {
    const name = vendor.name;
    const directory = path.join(home, "plugins", `resource-${name}-v${version}`);
    const executable = path.join(directory, `pulumi-resource-${name}`);
    const launcher = [
      "#!/usr/bin/env node",
      `// pulumi-resource-${name} v${version}, installed by \`pulumi-ai-gateway install-plugins\`. It runs the`,
      `// provider of the pulumi-ai-gateway package at ${packageRoot()}: install again after moving or upgrading it.`,
      `require(${JSON.stringify(plugin)}).run(${JSON.stringify(name)});`,
      "",
    ].join("\n");
    fs.mkdirSync(directory, { recursive: true });
    // Written beside and renamed: an engine starting the plugin meanwhile sees the old launcher or the new, never half of one.
    const staging = `${executable}.tmp-${process.pid}`;
    fs.writeFileSync(staging, launcher, { mode: 0o755 });
    fs.renameSync(staging, executable);
    return { name, version, executable };
  });
}
