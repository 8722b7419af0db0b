/** Running the emulator: command line, persistence, faults and control endpoints. */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../../../emulator";
import { ADMIN_KEY, call } from "../../support/emulator";

const ROOT = path.resolve(__dirname, "..", "..", "..");

test("the command line binds loopback, prints one line with the base URL, and stops on SIGTERM", async () => {
  const cli = path.join(ROOT, "dist", "emulator", "cli.js");
  expect(fs.existsSync(cli)).toBe(true); // npm test builds dist before running jest
  const child = spawn(process.execPath, [cli, "--port", "0", "--admin-key", ADMIN_KEY], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString()));
      child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
    });
    const match = /^Portkey emulator listening on (http:\/\/127\.0\.0\.1:\d+\/v1) \(OpenRouter: http:\/\/127\.0\.0\.1:\d+\/api\/v1\)\n$/.exec(line);
    expect(match).not.toBeNull();
    const response = await fetch(`${match![1]}/admin/workspaces`, { headers: { "x-portkey-api-key": ADMIN_KEY } });
    expect(response.status).toBe(200);
  } finally {
    child.kill("SIGTERM");
  }
  const code = await new Promise((resolve) => child.once("exit", resolve));
  expect(code).toBe(0);
});

test("the command line refuses bad options with one line", async () => {
  const cli = path.join(ROOT, "dist", "emulator", "cli.js");
  const child = spawn(process.execPath, [cli, "--fault-rate", "2", "--admin-key", "k"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise((resolve) => child.once("exit", resolve));
  expect(code).toBe(2);
  expect(stderr).toBe("error: --fault-rate must be a number from 0 to 1, got '2'\n");
});

test("the command line checks --workspace-defaults-on-put", async () => {
  const cli = path.join(ROOT, "dist", "emulator", "cli.js");
  const child = spawn(process.execPath, [cli, "--workspace-defaults-on-put", "patch", "--admin-key", "k"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise((resolve) => child.once("exit", resolve));
  expect(code).toBe(2);
  expect(stderr).toBe("error: --workspace-defaults-on-put must be replace or merge, got 'patch'\n");
});

test("a state file written before the newer fields existed still loads and reads back with their defaults", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-state-"));
  const stateFile = path.join(dir, "org.json");
  try {
    const first = await startEmulator({ adminKeys: [ADMIN_KEY], stateFile });
    const ws = await call(first, "POST", "/admin/workspaces", { name: "Old" });
    const key = await call(first, "POST", "/api-keys/organisation/service", { name: "old", scopes: ["workspaces.list"], rotation_policy: { rotation_period: "weekly" } });
    await fetch(`${first.openrouterBaseUrl}/workspaces`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Old", slug: "old" }),
    });
    await first.stop();
    const saved = JSON.parse(fs.readFileSync(stateFile, "utf8"));
    for (const field of ["input_guardrails", "output_guardrails", "user_api_key_config"]) delete saved.portkey.workspaces[ws.body.id][field];
    delete saved.portkey.api_keys[key.body.id].last_rotated_at;
    delete saved.portkey.api_keys[key.body.id].rotation_policy.rotation_period_days;
    for (const w of Object.values(saved.openrouter.workspaces) as Record<string, unknown>[]) {
      delete w.include_byok_in_budgets;
      delete w.disabled_server_tools;
    }
    fs.writeFileSync(stateFile, JSON.stringify(saved));
    const second = await startEmulator({ adminKeys: [ADMIN_KEY], stateFile, checkResponses: true });
    try {
      const got = await call(second, "GET", `/admin/workspaces/${ws.body.id}`);
      expect(got.body.defaults).toMatchObject({ input_guardrails: [], output_guardrails: [], user_api_key_config: null });
      const gotKey = await call(second, "GET", `/api-keys/${key.body.id}`);
      expect(gotKey.body).toMatchObject({ last_rotated_at: null, rotation_policy: { rotation_period: "weekly", rotation_period_days: null } });
      const orWorkspace = await fetch(`${second.openrouterBaseUrl}/workspaces/old`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(((await orWorkspace.json()) as { data: unknown }).data).toMatchObject({ include_byok_in_budgets: false, disabled_server_tools: null });
      expect(second.specViolations()).toEqual([]);
    } finally {
      await second.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a state file keeps the organisation across restarts", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-state-"));
  const stateFile = path.join(dir, "org.json");
  try {
    const first = await startEmulator({ adminKeys: [ADMIN_KEY], stateFile });
    const created = await call(first, "POST", "/admin/workspaces", { name: "Survivor" });
    await first.stop();
    expect(JSON.parse(fs.readFileSync(stateFile, "utf8")).portkey.workspaces[created.body.id].name).toBe("Survivor");
    const second = await startEmulator({ adminKeys: [ADMIN_KEY], stateFile });
    const got = await call(second, "GET", `/admin/workspaces/${created.body.id}`);
    expect(got.body.name).toBe("Survivor");
    await second.stop();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("faults follow the seed, 429s carry Retry-After, and commit-then-drop commits", async () => {
  async function statuses(seed: number): Promise<number[]> {
    const emulator = await startEmulator({ adminKeys: [ADMIN_KEY], faultRate: 0.5, seed });
    const seen: number[] = [];
    try {
      for (let i = 0; i < 24; i++) {
        try {
          const response = await call(emulator, "GET", "/admin/workspaces");
          if (response.status === 429) expect(response.headers.get("retry-after")).toBe("1");
          seen.push(response.status);
        } catch {
          seen.push(0);
        }
      }
    } finally {
      await emulator.stop();
    }
    return seen;
  }
  const first = await statuses(7);
  expect(await statuses(7)).toEqual(first);
  expect(new Set(first)).toEqual(new Set([200, 429, 500, 502, 503]));

  const emulator = await startEmulator({ adminKeys: [ADMIN_KEY] });
  try {
    let dropped = 0;
    for (let seed = 1; dropped === 0 && seed < 50; seed++) {
      emulator.setFaults({ faultRate: 1, seed });
      await call(emulator, "POST", "/admin/workspaces", { name: `Dropped ${seed}` }).catch(() => (dropped = seed));
    }
    expect(dropped).toBeGreaterThan(0);
    emulator.setFaults({ faultRate: 0 });
    const listed = await call(emulator, "GET", `/admin/workspaces?exact_name=Dropped%20${dropped}`);
    expect(listed.body.total).toBe(1);
  } finally {
    await emulator.stop();
  }
});

test("control endpoints count requests per route, dump state and reset", async () => {
  const emulator = await startEmulator({ adminKeys: [ADMIN_KEY] });
  try {
    await call(emulator, "POST", "/admin/workspaces", { name: "Counted" });
    await call(emulator, "GET", "/admin/workspaces");
    await call(emulator, "GET", "/admin/workspaces");
    const counts = await (await fetch(`${emulator.url}/_emulator/requests`)).json();
    expect(counts).toEqual({ counts: { "POST /admin/workspaces": 1, "GET /admin/workspaces": 2 }, total: 3 });
    const dump = (await (await fetch(`${emulator.url}/_emulator/state`)).json()) as { portkey: { workspaces: Record<string, { name: string }> } };
    // The organisation's default workspace and the one made here.
    expect(Object.values(dump.portkey.workspaces).map((w) => w.name)).toEqual(["Default Workspace", "Counted"]);
    await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" });
    // A reset starts the organisation over: only a (new) default workspace.
    const after = (await call(emulator, "GET", "/admin/workspaces")).body;
    expect(after.total).toBe(1);
    expect(after.data[0].defaults.is_default).toBe(1);
  } finally {
    await emulator.stop();
  }
});

test("oversized bodies are refused with 413 and the envelope", async () => {
  const emulator = await startEmulator({ adminKeys: [ADMIN_KEY], maxBodyBytes: 1024 });
  try {
    const response = await call(emulator, "POST", "/admin/workspaces", { name: "x".repeat(4096) });
    expect(response.status).toBe(413);
    expect(response.body.success).toBe(false);
  } finally {
    await emulator.stop();
  }
});
