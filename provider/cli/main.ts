/**
 * `pulumi-ai-gateway`, the package's command line (bin/pulumi-ai-gateway):
 * installs the provider plugins where the engine finds them, and writes what
 * adopting a live organisation with `pulumi import` needs. Errors end the
 * process with status 1 and one line naming what failed; no credential or
 * key secret is ever printed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfiguredValues } from "../config";
import { messageOf } from "../errors";
import { OPENROUTER_SETTINGS } from "../openrouter/common";
import { PORTKEY_SETTINGS } from "../portkey/common";
import { FlagKind, ParsedArgs, parseArgs, UsageError } from "./args";
import { execFileSync } from "node:child_process";
import { checkObjects, ImportedObject, managedObjects, readOrganisation, unmanagedOnly } from "./import-org";
import { installPlugins, pulumiHome } from "./install-plugins";
import { packageVersion } from "../package-info";
import { decide, deleteUnusable, describe, importDocument, interrupted, refreshArguments } from "./recover";
import * as os from "node:os";
import { importFile, PackageSchema, PROGRAM_FILE, programFile, ProgramLanguage, SECRET_CONFIG_DIR, secretConfigFiles } from "./program";
import { packageSchema } from "../native/schema";
import { vendors } from "../resources";
import { runEmulator } from "../../emulator/cli";

export const USAGE = `Usage: pulumi-ai-gateway <command> [options]

Commands:
  install-plugins   Install the provider plugins pulumi-resource-portkey and
                    pulumi-resource-openrouter into $PULUMI_HOME/plugins, where the
                    Pulumi engine finds them.
      --pulumi-home <dir>   Pulumi's home directory (default: $PULUMI_HOME, else ~/.pulumi)

  import-org        Read a live Portkey organisation and/or OpenRouter account and write
                    <out>/import.json (for \`pulumi import --file\`) and a program that declares
                    every imported object (<out>/index.ts, <out>/Main.yaml for YAML, <out>/__main__.py
                    for Python), and <out>/secret-config/ when the program reads secrets from
                    stack config.
      --out <dir>                         Where to write the files (default: ./ai-gateway-import)
      --language typescript|yaml|python   The program's language (default: typescript)
      --unmanaged-only <file|stack>       Only objects no resource of that stack manages: a
                                          \`pulumi stack export\` file, or a stack name (exported
                                          with the pulumi CLI from the current directory)
      --portkey                           Read Portkey (default: each service with a credential)
      --openrouter                        Read OpenRouter
      --portkey-api-key <key>             Portkey admin key (default: $PORTKEY_API_KEY)
      --portkey-base-url <url>            (default: $PORTKEY_BASE_URL, else https://api.portkey.ai/v1)
      --openrouter-management-key <key>   OpenRouter management key (default: $OPENROUTER_MANAGEMENT_KEY)
      --openrouter-base-url <url>         (default: $OPENROUTER_BASE_URL, else https://openrouter.ai/api/v1)
    Prefer the environment variables for keys: options show in the process list.

  emulator          Start the local emulator of the Portkey and OpenRouter admin APIs (for
                    programs' tests and CI); prints its base URLs and serves until stopped.
      --admin-key <key>            A Portkey organisation with this admin key (repeatable;
                                   default: $PORTKEY_API_KEY)
      --organisation <k1>,<k2>     One more organisation with all these admin keys (repeatable)
      --management-key <key>       An OpenRouter management key it accepts (repeatable)
      --port <n>                   (default: a free port) Binds 127.0.0.1 only.
      --state-file <file>          Keep the state in this file across restarts
      --latency-ms <n>, --fault-rate <0..1>, --seed <n>, --stale-read-ms <n>,
      --workspace-defaults-on-put replace|merge   Deliberate faults and fidelity choices (see docs/emulator.md)
  recover           After an interrupted \`pulumi up\` ("pending operations from previous deployment"):
                    for each pending create, adopts the one object the interrupted run made
                    (API keys, whose secret only the lost answer held, are deleted instead and
                    made again by the next \`pulumi up\`), clears it when nothing was made, and
                    touches nothing when it cannot prove which object is the run's. Run it in the
                    project's directory, then \`pulumi up\`.
      --stack <name>                      The stack (default: the current stack)
      --portkey-api-key, --portkey-base-url, --openrouter-management-key, --openrouter-base-url
                                          As for import-org

  --help            Show this text.
`;

const COMMON_FLAGS: Record<string, FlagKind> = { help: "boolean" };

const COMMANDS: Record<string, { flags: Record<string, FlagKind>; run(args: ParsedArgs): Promise<void> }> = {
  "install-plugins": { flags: { "pulumi-home": "string" }, run: installCommand },
  "import-org": {
    flags: {
      out: "string",
      language: "string",
      "unmanaged-only": "string",
      portkey: "boolean",
      openrouter: "boolean",
      "portkey-api-key": "string",
      "portkey-base-url": "string",
      "openrouter-management-key": "string",
      "openrouter-base-url": "string",
    },
    run: importCommand,
  },
  recover: {
    flags: {
      stack: "string",
      "portkey-api-key": "string",
      "portkey-base-url": "string",
      "openrouter-management-key": "string",
      "openrouter-base-url": "string",
    },
    run: recoverCommand,
  },
};

/** Runs one command line; the process ends with status 1 and a one-line message on failure. */
export function run(argv: string[]): void {
  main(argv).catch((error: unknown) => {
    const hint = error instanceof UsageError ? " (see pulumi-ai-gateway --help)" : "";
    process.stderr.write(`pulumi-ai-gateway: ${messageOf(error).replace(/\s*\n\s*/g, " ")}${hint}\n`);
    process.exitCode = 1;
  });
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE);
    return;
  }
  // The emulator reads its own flags (the same as `npm run emulator`).
  if (name === "emulator") {
    if (rest.includes("--help") || rest.includes("-h")) return void process.stdout.write(USAGE);
    return runEmulator(rest);
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command '${name}'`);
  const args = parseArgs(rest, { ...COMMON_FLAGS, ...command.flags });
  if (args.booleans.has("help") || rest.includes("-h")) {
    process.stdout.write(USAGE);
    return;
  }
  if (args.positional.length > 0) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
  await command.run(args);
}

async function installCommand(args: ParsedArgs): Promise<void> {
  const home = pulumiHome(args.strings.get("pulumi-home"));
  const installed = installPlugins(home);
  for (const plugin of installed) process.stdout.write(`Installed pulumi-resource-${plugin.name} v${plugin.version}: ${plugin.executable}\n`);
  const custom = args.strings.has("pulumi-home") && home !== pulumiHome(undefined);
  process.stdout.write(`Check with: ${custom ? `PULUMI_HOME=${home} ` : ""}pulumi plugin ls\n`);
}

async function importCommand(args: ParsedArgs): Promise<void> {
  const out = path.resolve(args.strings.get("out") ?? "ai-gateway-import");
  const portkey = connection(args, "portkey", PORTKEY_SETTINGS.keyConfig, PORTKEY_SETTINGS.baseUrlConfig, PORTKEY_SETTINGS.keyEnv);
  const openrouter = connection(args, "openrouter", OPENROUTER_SETTINGS.keyConfig, OPENROUTER_SETTINGS.baseUrlConfig, OPENROUTER_SETTINGS.keyEnv);
  const explicit = args.booleans.has("portkey") || args.booleans.has("openrouter");
  const wantPortkey = explicit ? args.booleans.has("portkey") : portkey.hasKey;
  const wantOpenRouter = explicit ? args.booleans.has("openrouter") : openrouter.hasKey;
  if (!wantPortkey && !wantOpenRouter) {
    throw new UsageError("no credentials: set PORTKEY_API_KEY and/or OPENROUTER_MANAGEMENT_KEY (or pass --portkey-api-key / --openrouter-management-key)");
  }
  if (wantPortkey && !portkey.hasKey) throw new UsageError("--portkey needs a Portkey admin key: set PORTKEY_API_KEY or pass --portkey-api-key");
  if (wantOpenRouter && !openrouter.hasKey) {
    throw new UsageError("--openrouter needs an OpenRouter management key: set OPENROUTER_MANAGEMENT_KEY or pass --openrouter-management-key");
  }

  const language = (args.strings.get("language") ?? "typescript") as ProgramLanguage;
  if (!(language in PROGRAM_FILE)) throw new UsageError(`--language must be one of ${Object.keys(PROGRAM_FILE).join(", ")}, not '${language}'`);
  const stack = args.strings.get("unmanaged-only");
  // Read first: a stack that cannot be exported fails before the APIs are read.
  const managed = stack === undefined ? undefined : managedObjects(stackExport(stack));

  const warn = (message: string) => process.stderr.write(`warning: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  const read = await readOrganisation({
    portkey: wantPortkey ? portkey.configured : undefined,
    openrouter: wantOpenRouter ? openrouter.configured : undefined,
    warn,
  });
  const objects = await checkObjects(managed ? unmanagedOnly(read, managed) : read, warn);

  const programPath = path.join(out, PROGRAM_FILE[language]);
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomic(path.join(out, "import.json"), importFile(objects, packageVersion()));
  const schemas = language === "python" ? Object.fromEntries(vendors().map((v) => [v.name, packageSchema(v, packageVersion()) as PackageSchema])) : undefined;
  writeFileAtomic(programPath, programFile(objects, language, schemas));
  // Secret values the program reads from stack config: readable by the user alone, never printed.
  const secretDir = path.join(out, SECRET_CONFIG_DIR);
  fs.rmSync(secretDir, { recursive: true, force: true });
  const secretFiles = secretConfigFiles(objects);
  if (secretFiles.size > 0) {
    fs.mkdirSync(secretDir, { mode: 0o700 });
    for (const [key, value] of secretFiles) fs.writeFileSync(path.join(secretDir, key), value, { mode: 0o600 });
  }
  process.stdout.write(`Read ${summary(objects)}${managed ? ` that stack '${stack}' does not manage` : ""}.\n`);
  process.stdout.write(`Wrote ${path.join(out, "import.json")} and ${programPath}.\n`);
  process.stdout.write(
    "Next, in your Pulumi project (with the plugins installed: pulumi-ai-gateway install-plugins):\n" +
      `  pulumi import --file ${path.join(out, "import.json")} --yes --generate-code=false\n` +
      (secretFiles.size > 0 ? `  set the ${secretFiles.size} secret config value(s) in ${secretDir} (see the program's first comment), then delete that directory\n` : "") +
      `  then make ${programPath} (reviewed) the program, and check that \`pulumi preview\` shows no changes.\n`,
  );
}

async function recoverCommand(args: ParsedArgs): Promise<void> {
  const stack = args.strings.get("stack");
  const stackArgs = stack === undefined ? [] : ["--stack", stack];
  const pulumi = (more: string[]) => execFileSync("pulumi", [...more, ...stackArgs, "--non-interactive"], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  const state = interrupted(JSON.parse(pulumi(["stack", "export"])), lastUpdateEnd(pulumi(["stack", "history", "--json"])));
  if (state.pending.length === 0) {
    process.stdout.write("No pending create in the stack's state: nothing to recover.\n");
    return;
  }
  const settings = { portkey: PORTKEY_SETTINGS, openrouter: OPENROUTER_SETTINGS } as const;
  const configured = (vendor: string) => {
    const s = settings[vendor as keyof typeof settings];
    return s ? connection(args, vendor, s.keyConfig, s.baseUrlConfig, s.keyEnv).configured : {};
  };
  const warn = (message: string) => process.stderr.write(`warning: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  const outcomes = await decide(state, configured, warn);
  await deleteUnusable(outcomes);
  const refresh = refreshArguments(outcomes);
  const adoptions = importDocument(outcomes, new Map(state.pending.map((p) => [p.urn, p.parent])));
  if (refresh) {
    // Every pending create is decided: drop them all, then import the proven objects under their URNs (the engine
    // reads each through its provider and records it, secrets encrypted as usual). \`refresh --import-pending-creates\`
    // would do both at once, but this CLI's refresh dropped the imported operations instead of recording them.
    pulumi(refresh);
    if (adoptions) {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-gateway-recover-")), "import.json");
      fs.writeFileSync(file, JSON.stringify(adoptions, null, 2));
      const importArgs = ["import", "--file", file, "--yes", "--skip-preview", "--protect=false", "--generate-code=false"];
      try {
        pulumi(importArgs);
      } catch (error) {
        throw new Error(
          `the pending creates were cleared, but importing the objects the interrupted run made failed (${messageOf(error)}); ` +
            `they are not managed yet: run \`pulumi ${importArgs.join(" ")}${stack ? ` --stack ${stack}` : ""}\` before \`pulumi up\``,
        );
      }
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  }
  const cleared = refresh?.includes("--clear-pending-creates") ?? false;
  for (const outcome of outcomes) process.stdout.write(`${describe(outcome, cleared)}\n`);
  const counts = (action: string) => outcomes.filter((o) => o.action === action).length;
  process.stdout.write(
    `Pending creates: ${outcomes.length}; adopted ${counts("adopt")}, deleted ${counts("delete")}, cleared ${counts("clear")}, left ${counts("ambiguous")}.\n` +
      (counts("ambiguous") > 0 ? "Some were left pending: resolve them as printed, then run this again.\n" : "Next: pulumi up\n"),
  );
  if (counts("ambiguous") > 0 || outcomes.some((o) => o.action === "delete" && !o.done)) process.exitCode = 1;
}

/** The end of the last completed update in `pulumi stack history --json` output (undefined: none). */
function lastUpdateEnd(historyJson: string): number | undefined {
  const history = JSON.parse(historyJson || "[]") as { endTime?: string; result?: string }[];
  const ends = (history ?? []).filter((u) => u.result !== "in-progress" && u.endTime).map((u) => Date.parse(u.endTime!)).filter((t) => !Number.isNaN(t));
  return ends.length > 0 ? Math.max(...ends) : undefined;
}

/** A stack's state: a `pulumi stack export` file, or the named stack exported by the pulumi CLI. */
function stackExport(fileOrStack: string): unknown {
  const text = fs.existsSync(fileOrStack)
    ? fs.readFileSync(fileOrStack, "utf8")
    : execFileSync("pulumi", ["stack", "export", "--stack", fileOrStack, "--non-interactive"], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`--unmanaged-only: '${fileOrStack}' is not a \`pulumi stack export\` file (not JSON)`);
  }
}

/** A service's config values from the options (the providers fall back to the environment themselves). */
function connection(args: ParsedArgs, service: string, keyConfig: string, baseUrlConfig: string, keyEnv: string): { configured: ConfiguredValues; hasKey: boolean } {
  const key = args.strings.get(`${service}-${service === "portkey" ? "api-key" : "management-key"}`);
  const baseUrl = args.strings.get(`${service}-base-url`);
  const configured: ConfiguredValues = {};
  if (key) configured[keyConfig] = key;
  if (baseUrl) configured[baseUrlConfig] = baseUrl;
  return { configured, hasKey: Boolean(key || process.env[keyEnv]) };
}

/** "2 portkey:index:Workspace, 1 portkey:index:ApiKey" (or "nothing to import"). */
function summary(objects: readonly ImportedObject[]): string {
  if (objects.length === 0) return "nothing to import";
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.type, (counts.get(o.type) ?? 0) + 1);
  return [...counts].map(([type, count]) => `${count} ${type}`).join(", ");
}

/** Written beside and renamed, so an interrupted run never leaves half a file. */
function writeFileAtomic(file: string, text: string): void {
  const staging = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(staging, text);
  fs.renameSync(staging, file);
}
