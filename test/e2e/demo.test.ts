/**
 * The README's first command, minus npm: the demo runs the root program (the
 * environment bootstrap) against the embedded emulator, ends with a clean
 * preview, prints no secret, and tears everything down with --destroy.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

jest.setTimeout(10 * 60_000);

const ROOT = path.resolve(__dirname, "..", "..");
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-e2e-"));
const STACK = "demo-e2e";

function demo(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "dist/scripts/demo.js"), "--state-dir", stateDir, "--stack", STACK, ...args],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

interface EmulatorFile {
  portkey: {
    workspaces: Record<string, { name: string; deleted_at: string | null }>;
    api_keys: Record<string, { deleted_at: string | null; secrets: { value: string }[] }>;
    integrations: Record<string, { access: Record<string, { enabled: boolean }> }>;
  };
}

function emulatorState(): EmulatorFile["portkey"] {
  return (JSON.parse(fs.readFileSync(path.join(stateDir, "emulator-state.json"), "utf8")) as EmulatorFile).portkey;
}

afterAll(() => {
  fs.rmSync(stateDir, { recursive: true, force: true });
  fs.rmSync(path.join(ROOT, `Pulumi.${STACK}.yaml`), { force: true });
});

test("the demo bootstraps three environments, ends with no changes and prints no secret", async () => {
  const { code, output } = await demo();
  expect(output).toContain("=== 1/4  pulumi preview --diff");
  expect(output).toContain("+ 13 created");
  expect(output).toContain("No changes: the program and the organisation agree.");
  expect(output).toMatch(/apiKeys: "\[secret\]"/);
  expect(code).toBe(0);
  const org = emulatorState();
  const live = Object.values(org.workspaces).filter((w) => !w.deleted_at).map((w) => w.name).sort();
  expect(live).toEqual(["platform-dev", "platform-prod", "platform-staging"]);
  const keys = Object.values(org.api_keys).filter((k) => !k.deleted_at);
  expect(keys).toHaveLength(6);
  for (const key of keys) for (const secret of key.secrets) expect(output).not.toContain(secret.value);
  expect(Object.values(org.integrations["openai-shared"].access).every((row) => row.enabled)).toBe(true);
});

test("a rerun sees the same organisation and changes nothing", async () => {
  const { code, output } = await demo();
  expect(code).toBe(0);
  expect(output).toContain("13 unchanged");
  expect(output).not.toContain("created");
});

test("--destroy tears it all down", async () => {
  const { code, output } = await demo("--destroy");
  expect(code).toBe(0);
  expect(output).toContain("Everything the demo created is gone.");
  const org = emulatorState();
  expect(Object.values(org.workspaces).filter((w) => !w.deleted_at)).toEqual([]);
  expect(Object.values(org.api_keys).filter((k) => !k.deleted_at)).toEqual([]);
});
