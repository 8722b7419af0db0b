/**
 * The shell environment for humans: after `eval "$(npm run -s shellenv)"`,
 * the pulumi CLI runs a program directory by hand (here examples/bootstrap,
 * TypeScript through ts-node) with the language host and plugin it needs,
 * offline, against the emulator.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_KEY } from "../support/emulator";

jest.setTimeout(10 * 60_000);

const ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(ROOT, "examples", "bootstrap");
const STACK = "e2e-cli";
const backend = fs.mkdtempSync(path.join(os.tmpdir(), "cli-by-hand-"));
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY] });
  // A stack of its own, with the dev settings, so no tracked file is touched.
  fs.copyFileSync(path.join(PROGRAM, "Pulumi.dev.yaml"), path.join(PROGRAM, `Pulumi.${STACK}.yaml`));
});
afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(path.join(PROGRAM, `Pulumi.${STACK}.yaml`), { force: true });
  fs.rmSync(backend, { recursive: true, force: true });
});

/** Runs a shell line after loading the shell environment, in the program directory. */
function shell(line: string): Promise<string> {
  const script = `set -euo pipefail; cd "${ROOT}"; eval "$(npm run -s shellenv)"; cd "${PROGRAM}"; ${line}`;
  return new Promise((resolve, reject) => {
    execFile("bash", ["-c", script], {
      env: {
        ...process.env,
        PULUMI_BACKEND_URL: `file://${backend}`,
        PULUMI_CONFIG_PASSPHRASE: "cli-by-hand",
        PORTKEY_API_KEY: ADMIN_KEY,
        PORTKEY_BASE_URL: emulator.portkeyBaseUrl,
      },
      maxBuffer: 64 * 1024 * 1024,
    }, (error, stdout, stderr) => (error ? reject(new Error(`${line}\n${stdout}\n${stderr}`)) : resolve(stdout + stderr)));
  });
}

test("preview, up, a clean preview and destroy, by hand", async () => {
  await shell(`pulumi stack init ${STACK} --non-interactive`);
  // The integration's provider credential, a secret as the stack file's comment says.
  await shell(`pulumi config set --secret openaiApiKey sk-test-by-hand-0123456789 --stack ${STACK} --non-interactive`);
  const preview = await shell(`pulumi preview --non-interactive --stack ${STACK}`);
  // Integration, its models, the dev workspace, its access, provider and gateway config, its prompt collection, partial and prompt,
  // one key, the guardrail, the MCP integration with its grant, the SCIM mapping, the stack.
  expect(preview).toContain("+ 15 to create");
  expect(preview).not.toMatch(/warning: using .* from \$PATH/);
  const up = await shell(`pulumi up --yes --non-interactive --stack ${STACK}`);
  expect(up).toContain("+ 15 created");
  expect(up).toMatch(/apiKeys\s*: \[secret\]/);
  await shell(`pulumi preview --expect-no-changes --non-interactive --stack ${STACK}`);
  const declared = () => Object.values(emulator.state().workspaces).filter((w) => !w.is_default);
  expect(declared().map((w) => w.name)).toEqual(["platform-dev"]);
  await shell(`pulumi destroy --yes --non-interactive --stack ${STACK}`);
  expect(declared().every((w) => w.deleted_at)).toBe(true);
  expect(emulator.state().integrations["openai-shared"]).toBeUndefined();
});
