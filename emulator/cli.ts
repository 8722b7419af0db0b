/**
 * npm run emulator -- --port <p> --admin-key <k> [--state-file <f>]
 *   [--management-key <k>] [--latency-ms <n>] [--fault-rate <r>] [--seed <s>] [--stale-read-ms <n>]
 *   [--workspace-defaults-on-put replace|merge]
 *
 * Binds 127.0.0.1 only and prints one line with the base URL.
 */
import { parseArgs } from "node:util";
import { startEmulator } from "./server";

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function numberOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) fail(`--${name} must be a number from ${min} to ${max}, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        "admin-key": { type: "string", multiple: true },
        "management-key": { type: "string", multiple: true },
        "state-file": { type: "string" },
        "latency-ms": { type: "string" },
        "fault-rate": { type: "string" },
        seed: { type: "string" },
        "stale-read-ms": { type: "string" },
        "workspace-defaults-on-put": { type: "string" },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  const adminKeys = values["admin-key"] ?? (process.env.PORTKEY_API_KEY ? [process.env.PORTKEY_API_KEY] : []);
  if (adminKeys.length === 0) fail("give at least one --admin-key (or set PORTKEY_API_KEY)");
  const defaultsOnPut = values["workspace-defaults-on-put"];
  if (defaultsOnPut !== undefined && defaultsOnPut !== "replace" && defaultsOnPut !== "merge") {
    fail(`--workspace-defaults-on-put must be replace or merge, got '${defaultsOnPut}'`);
  }
  const emulator = await startEmulator({
    port: numberOption(values.port, "port", 0, 65535) ?? 0,
    adminKeys,
    managementKeys: values["management-key"],
    stateFile: values["state-file"],
    latencyMs: numberOption(values["latency-ms"], "latency-ms", 0, 60_000),
    faultRate: numberOption(values["fault-rate"], "fault-rate", 0, 1),
    seed: numberOption(values.seed, "seed", 0, 2 ** 32 - 1),
    staleReadMs: numberOption(values["stale-read-ms"], "stale-read-ms", 0, 3_600_000),
    workspaceDefaultsOnPut: defaultsOnPut,
  });
  process.stdout.write(`Portkey emulator listening on ${emulator.portkeyBaseUrl} (OpenRouter: ${emulator.openrouterBaseUrl})\n`);
  const stop = () => void emulator.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
