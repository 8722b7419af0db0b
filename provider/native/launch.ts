/**
 * What the plugins' Node launchers run (bin/pulumi-resource-<vendor> and the
 * ones `install-plugins` writes). They start with a plain `#!/usr/bin/env
 * node`, since BusyBox's `env` takes no `-S` and so no Node flags; the flag
 * the plugin wants, a small V8 young generation, can only be given when Node
 * starts (setting it later changes nothing). So the launcher replaces its
 * own process with Node started with the flag (`process.execve`, POSIX, Node
 * ≥ 22.15) before loading anything else; elsewhere it runs as it is.
 */
import type * as PluginModule from "./plugin";

/** Keeps a plugin's memory near what it holds: about 140 instead of 190 MB at 1,000 resources. */
const SMALL_YOUNG_GENERATION = "--max-semi-space-size=1";

export function launch(vendor: string, launcher: string): void {
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (!process.execArgv.includes(SMALL_YOUNG_GENERATION) && typeof execve === "function" && process.platform !== "win32") {
    execve(process.execPath, [process.execPath, SMALL_YOUNG_GENERATION, ...process.execArgv, launcher, ...process.argv.slice(2)], process.env);
  }
  (require("./plugin") as typeof PluginModule).run(vendor);
}
