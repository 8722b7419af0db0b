/**
 * The README's first command, minus npm: the demo runs the root program (the
 * bootstrap of an organisation from zero) against the embedded emulator, ends
 * with a clean preview, shows a small change's diff without applying it,
 * prints no secret, and tears everything down with --destroy.
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
    workspaces: Record<string, { name: string; deleted_at: string | null; is_default?: boolean }>;
    api_keys: Record<string, { deleted_at: string | null; secrets: { value: string }[]; config_id: string | null }>;
    integrations: Record<string, { access: Record<string, { enabled: boolean }>; models?: { allow_all_models: boolean } }>;
    configs?: Record<string, { id: string; name: string; deleted_at?: string | null }>;
    guardrails?: Record<string, { workspace_id: string | null; status: string }>;
    invites?: Record<string, { email: string; status: string }>;
    workspace_members?: Record<string, Record<string, { role: string }>>;
    usage_limits_policies?: Record<string, { status: string }>;
  };
}

function emulatorState(): EmulatorFile["portkey"] {
  return (JSON.parse(fs.readFileSync(path.join(stateDir, "emulator-state.json"), "utf8")) as EmulatorFile).portkey;
}

afterAll(() => {
  fs.rmSync(stateDir, { recursive: true, force: true });
  fs.rmSync(path.join(ROOT, `Pulumi.${STACK}.yaml`), { force: true });
});

test("the demo bootstraps an organisation from zero, ends with no changes and prints no secret", async () => {
  const { code, output } = await demo();
  expect(output).toContain("=== 1/5  pulumi preview --diff");
  expect(output).toContain("+ 43 created");
  expect(output).toContain("No changes: the program and the organisation agree.");
  // The small change is previewed, not applied: one workspace's budget.
  expect(output).toMatch(/=== 4\/5[\s\S]*creditLimit\s*: 5000 => 6000[\s\S]*~ 1 to update/);
  expect(output).toMatch(/apiKeys: "\[secret\]"/);
  expect(output).not.toContain("sk-demo-not-a-real-key");
  expect(code).toBe(0);
  const org = emulatorState();
  const live = Object.values(org.workspaces).filter((w) => !w.deleted_at && !w.is_default).map((w) => w.name).sort();
  expect(live).toEqual(["platform-dev", "platform-prod", "platform-staging"]);
  const keys = Object.values(org.api_keys).filter((k) => !k.deleted_at);
  expect(keys).toHaveLength(6);
  for (const key of keys) for (const secret of key.secrets) expect(output).not.toContain(secret.value);
  // The integration is declared by the program now, with its models and every workspace's access.
  expect(org.integrations["openai-shared"].models?.allow_all_models).toBe(false);
  expect(Object.values(org.integrations["openai-shared"].access).every((row) => row.enabled)).toBe(true);
  // Every service key is bound to its environment's gateway config.
  const configIds = new Set(Object.values(org.configs ?? {}).map((c) => c.id));
  expect(configIds.size).toBe(3);
  for (const key of keys) expect(configIds.has(key.config_id ?? "")).toBe(true);
  expect(Object.values(org.guardrails ?? {}).filter((g) => g.status === "active" && g.workspace_id === null)).toHaveLength(1);
  expect(Object.values(org.invites ?? {}).map((i) => [i.email, i.status])).toEqual([["new.engineer@example.com", "pending"]]);
  expect(Object.values(org.workspace_members ?? {}).filter((members) => Object.keys(members).length > 0)).toHaveLength(3);
  expect(Object.values(org.usage_limits_policies ?? {}).filter((p) => p.status === "active")).toHaveLength(1);
});

test("a rerun sees the same organisation and changes nothing", async () => {
  const { code, output } = await demo();
  expect(code).toBe(0);
  expect(output).toContain("43 unchanged");
  expect(output).not.toContain("created");
});

test("--destroy tears it all down", async () => {
  const { code, output } = await demo("--destroy");
  expect(code).toBe(0);
  expect(output).toContain("Everything the demo created is gone.");
  const org = emulatorState();
  // The organisation keeps only its default workspace.
  expect(Object.values(org.workspaces).filter((w) => !w.deleted_at).map((w) => w.is_default)).toEqual([true]);
  expect(Object.values(org.api_keys).filter((k) => !k.deleted_at)).toEqual([]);
  expect(org.integrations["openai-shared"]).toBeUndefined();
  expect(Object.values(org.invites ?? {}).filter((i) => i.status === "pending")).toEqual([]);
});
