/**
 * npm run emulator -- --port <p> --admin-key <k> [--admin-key <k2> ...] [--organisation <k3>,<k4> ...]
 *   [--state-file <f>] [--management-key <k>] [--latency-ms <n>] [--fault-rate <r>] [--seed <s>]
 *   [--stale-read-ms <n>] [--workspace-defaults-on-put replace|merge]
 *
 * Each --admin-key is the admin key of a Portkey organisation of its own; each
 * --organisation is one more organisation with all the comma-separated admin
 * keys it names. Binds 127.0.0.1 only and prints one line with the base URL.
 * The installed package runs the same as `npx pulumi-ai-gateway emulator ...`.
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

/** Starts the emulator from command-line arguments (without the command's own name) and serves until SIGINT or SIGTERM. */
export async function runEmulator(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: "string" },
        "admin-key": { type: "string", multiple: true },
        organisation: { type: "string", multiple: true },
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
  const organisations = (values.organisation ?? []).map((list) => {
    const keys = list.split(",").map((key) => key.trim());
    if (keys.some((key) => key === "")) fail(`--organisation takes comma-separated admin keys, got '${list}'`);
    return { adminKeys: keys };
  });
  const adminKeys = values["admin-key"] ?? (organisations.length === 0 && process.env.PORTKEY_API_KEY ? [process.env.PORTKEY_API_KEY] : []);
  if (adminKeys.length === 0 && organisations.length === 0) fail("give at least one --admin-key (or set PORTKEY_API_KEY)");
  const defaultsOnPut = values["workspace-defaults-on-put"];
  if (defaultsOnPut !== undefined && defaultsOnPut !== "replace" && defaultsOnPut !== "merge") {
    fail(`--workspace-defaults-on-put must be replace or merge, got '${defaultsOnPut}'`);
  }
  const emulator = await startEmulator({
    port: numberOption(values.port, "port", 0, 65535) ?? 0,
    adminKeys,
    organisations,
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

if (require.main === module) {
  runEmulator(process.argv.slice(2)).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
}
