/**
 * `npm run demo`: runs the root Pulumi.yaml program (the environment
 * bootstrap) through the real engine against the embedded Portkey emulator,
 * with local file state under .demo/. Reruns see the same organisation.
 *
 *   npm run demo                 preview (with diff), up, a second preview, outputs
 *   npm run demo -- --destroy    tear everything down
 *   --state-dir <dir> --stack <name>   run elsewhere (the tests do)
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as yaml from "js-yaml";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { RunningEmulator, startEmulator } from "../emulator";

const ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(ROOT, "dist", "examples", "bootstrap", "index.js");
const DEMO_ADMIN_KEY = "demo-admin-key-local-emulator-only";
/** The provider credential the demo's integration holds: the emulator calls no provider. */
const DEMO_PROVIDER_KEY = "sk-demo-not-a-real-key-0123456789";

function banner(text: string): void {
  process.stdout.write(`\n=== ${text}\n\n`);
}

/** The demo program's existing user: people are not made by the API (they join by invitation or SSO). */
const DEMO_USER = { email: "lead@example.com", first_name: "Lee", last_name: "Lead", role: "admin" };

async function seedUser(emulator: RunningEmulator): Promise<void> {
  const listed = await fetch(`${emulator.portkeyBaseUrl}/admin/users?email=${encodeURIComponent(DEMO_USER.email)}`, { headers: { "x-portkey-api-key": DEMO_ADMIN_KEY } });
  const users = ((await listed.json()) as { data?: { email: string }[] }).data ?? [];
  if (users.some((u) => u.email === DEMO_USER.email)) return;
  const seeded = await fetch(`${emulator.url}/_emulator/portkey/users`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(DEMO_USER) });
  if (seeded.status !== 200) throw new Error(`could not add the demo's user: ${await seeded.text()}`);
}

/** The project's environments (Pulumi.yaml) with prod's monthly budget $1,000 higher. */
function withProdBudgetRaised(): unknown[] {
  const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { config: { environments: { value: { name: string; monthlyBudgetUsd: number }[] } } };
  return project.config.environments.value.map((env) => (env.name === "prod" ? { ...env, monthlyBudgetUsd: env.monthlyBudgetUsd + 1000 } : env));
}

function demoEnvironment(demoDir: string, emulator: RunningEmulator): Record<string, string> {
  return {
    PULUMI_BACKEND_URL: `file://${path.join(demoDir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "demo-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
    // Credentials of the embedded emulator; a real org's key goes in stack config as a secret.
    PORTKEY_API_KEY: DEMO_ADMIN_KEY,
    PORTKEY_BASE_URL: emulator.portkeyBaseUrl,
  };
}

async function openStack(demoDir: string, emulator: RunningEmulator, stackName: string): Promise<Stack> {
  fs.mkdirSync(path.join(demoDir, "state"), { recursive: true });
  return LocalWorkspace.createOrSelectStack(
    {
      stackName,
      projectName: "ai-gateway-bootstrap",
      // The program module registers resources when loaded: load it afresh for every operation.
      program: async () => {
        delete require.cache[require.resolve(PROGRAM)];
        return { ...(require(PROGRAM) as Record<string, unknown>) };
      },
    },
    {
      // Pulumi.yaml here supplies the project and its config (the environments).
      workDir: ROOT,
      envVars: demoEnvironment(demoDir, emulator),
    },
  );
}

/** Pulumi's own masked view of the outputs: secrets, nested ones included, never printed. */
function maskedOutputs(stack: Stack, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "pulumi",
      ["stack", "output", "--json", "--stack", stack.name, "--non-interactive"],
      { cwd: ROOT, env: { ...process.env, ...env } },
      (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout)),
    );
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { destroy: { type: "boolean" }, "state-dir": { type: "string" }, stack: { type: "string" } } });
  const demoDir = path.resolve(values["state-dir"] ?? path.join(ROOT, ".demo"));
  fs.mkdirSync(demoDir, { recursive: true });
  const emulator = await startEmulator({ adminKeys: [DEMO_ADMIN_KEY], stateFile: path.join(demoDir, "emulator-state.json") });
  const print = (text: string) => process.stdout.write(text);
  try {
    process.stdout.write(`Portkey emulator: ${emulator.portkeyBaseUrl} (state in ${path.relative(process.cwd(), demoDir) || "."}/emulator-state.json)\n`);
    process.stdout.write(`Pulumi state:     file://${path.join(demoDir, "state")}\n`);
    await seedUser(emulator);
    // The program runs inline, in this process: its look-ups read the credentials from this environment.
    Object.assign(process.env, { PORTKEY_API_KEY: DEMO_ADMIN_KEY, PORTKEY_BASE_URL: emulator.portkeyBaseUrl });
    const stack = await openStack(demoDir, emulator, values.stack ?? "demo");
    // Stored encrypted in the stack's config, as a real organisation's credential would be.
    await stack.setConfig("openaiApiKey", { value: DEMO_PROVIDER_KEY, secret: true });

    if (values.destroy) {
      banner("pulumi destroy");
      await stack.destroy({ onOutput: print });
      process.stdout.write("\nEverything the demo created is gone. `npm run demo` builds it again.\n");
      return;
    }

    banner("1/5  pulumi preview --diff: what the bootstrap program will change");
    await stack.preview({ diff: true, onOutput: print });
    banner("2/5  pulumi up");
    await stack.up({ onOutput: print });
    banner("3/5  pulumi preview again: nothing left to change");
    const again = await stack.preview({ onOutput: print });
    const pending = Object.entries(again.changeSummary).filter(([op, n]) => op !== "same" && n);
    process.stdout.write(pending.length === 0 ? "\nNo changes: the program and the organisation agree.\n" : `\nUnexpected changes: ${JSON.stringify(pending)}\n`);
    banner("4/5  a small change: prod's monthly budget raised by $1,000 (pulumi preview --diff, not applied)");
    // A stack setting shadows the project's list for this one preview, then goes again.
    await stack.setConfig("environments", { value: JSON.stringify(withProdBudgetRaised()) });
    try {
      await stack.preview({ diff: true, onOutput: print });
    } finally {
      await stack.removeConfig("environments");
    }
    banner("5/5  stack outputs (secrets stay masked)");
    const masked = JSON.parse(await maskedOutputs(stack, demoEnvironment(demoDir, emulator))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(masked)) {
      process.stdout.write(`  ${name}: ${JSON.stringify(value, null, 2).replace(/\n/g, "\n  ")}\n`);
    }
    process.stdout.write("  (reveal secrets with `pulumi stack output --show-secrets`)\n");
    process.stdout.write(
      [
        "",
        "Run it against a real Portkey org instead of the emulator (same program, your own stack):",
        "  cd examples/bootstrap && pulumi stack init dev",
        "  pulumi config set --secret portkey:apiKey <your Portkey admin API key>",
        "  pulumi preview && pulumi up",
        "Tear the demo down with: npm run demo -- --destroy",
        "",
      ].join("\n"),
    );
    if (pending.length > 0) process.exitCode = 1;
  } finally {
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`\ndemo failed: ${message}\n`);
  process.exit(1);
});
