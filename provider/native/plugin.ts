/**
 * Entry point of the provider plugin executables (bin/pulumi-resource-<vendor>):
 * checks the Node version this package needs, then serves the engine.
 */
import { main } from "./server";

const MIN_NODE_MAJOR = 22;

export function run(vendor: string): void {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < MIN_NODE_MAJOR) {
    process.stderr.write(`pulumi-resource-${vendor} needs Node ${MIN_NODE_MAJOR} or newer on PATH (found ${process.versions.node}).\n`);
    process.exit(1);
  }
  main(vendor, process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`pulumi-resource-${vendor}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
