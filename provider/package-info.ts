/**
 * Facts about this installed package that the plugins and the CLI need: where
 * it is and its version (which is the plugins' version).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The package root: this file is `<root>/dist/provider/package-info.js`. */
export function packageRoot(): string {
  return path.resolve(__dirname, "..", "..");
}

export function packageVersion(): string {
  const file = path.join(packageRoot(), "package.json");
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { version?: unknown };
  if (typeof manifest.version !== "string") throw new Error(`${file} has no version`);
  return manifest.version;
}
