/**
 * Facts about this installed package that the plugins and the CLI need: where
 * it is, its version (which is the plugins' and the schemas' version), and
 * where the engine downloads the plugin archives of a release from.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The version, set by the single-executable build (scripts/release.ts), where
 * no package.json travels with the code. Undeclared (so `undefined`) elsewhere.
 */
declare const PULUMI_AI_GATEWAY_VERSION: string | undefined;

/**
 * Where the project is published. Every name a registry or a package manager
 * sees derives from it: the Go SDK's module path, the Java package, the
 * repository a registry page links to, and where release archives are served.
 */
export const REPOSITORY = "github.com/pulumi-ai-gateway/pulumi-ai-gateway";

/**
 * Where the engine fetches `pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz`
 * when a program needs a plugin it does not have (the schema's `pluginDownloadURL`;
 * the engine fills in `${VERSION}`). The release folder that `npm run release`
 * writes is what is uploaded there.
 */
export const PLUGIN_DOWNLOAD_URL = `https://${REPOSITORY}/releases/download/v\${VERSION}/`;

/** The package root: this file is `<root>/dist/provider/package-info.js`. */
export function packageRoot(): string {
  return path.resolve(__dirname, "..", "..");
}

export function packageVersion(): string {
  if (typeof PULUMI_AI_GATEWAY_VERSION === "string") return PULUMI_AI_GATEWAY_VERSION;
  const file = path.join(packageRoot(), "package.json");
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { version?: unknown };
  if (typeof manifest.version !== "string") throw new Error(`${file} has no version`);
  return manifest.version;
}
