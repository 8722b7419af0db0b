/**
 * Sustained requests per second of the emulator under a mixed read/write load.
 * The emulator runs as its own process pinned to one core (when `taskset`
 * exists); this process generates load over keep-alive connections.
 *
 *   npm run bench -- emulator-throughput [--requests 20000] [--connections 32]
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { Pool } from "undici";

const ADMIN_KEY = "bench-admin-key";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: "string" }, connections: { type: "string" } } });
  const total = Number(values.requests ?? 20000);
  const connections = Number(values.connections ?? 32);
  const cli = path.resolve(__dirname, "..", "emulator", "cli.js");
  const pinned = spawnSyncExists("taskset");
  const command = pinned ? "taskset" : process.execPath;
  const args = pinned ? ["-c", "0", process.execPath, cli] : [cli];
  const child = spawn(command, [...args, "--port", "0", "--admin-key", ADMIN_KEY], { stdio: ["ignore", "pipe", "inherit"] });
  const baseUrl = await new Promise<string>((resolve) => {
    child.stdout.once("data", (chunk: Buffer) => resolve(/(http:\S+)/.exec(chunk.toString())![1]));
  });
  const origin = new URL(baseUrl).origin;
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const headers = { "x-portkey-api-key": ADMIN_KEY, "content-type": "application/json" };
  try {
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const response = await pool.request({ method: "POST", path: "/v1/admin/workspaces", headers, body: JSON.stringify({ name: `Bench ${i}` }) });
      ids.push(((await response.body.json()) as { id: string }).id);
    }
    const latencies: number[] = [];
    let next = 0;
    let failures = 0;
    const started = process.hrtime.bigint();
    async function worker(): Promise<void> {
      while (next < total) {
        const n = next++;
        const id = ids[n % ids.length];
        const kind = n % 10;
        const request =
          kind < 7 ? { method: "GET" as const, path: `/v1/admin/workspaces/${id}` }
            : kind === 7 ? { method: "GET" as const, path: "/v1/admin/workspaces?page_size=20" }
              : { method: "PUT" as const, path: `/v1/admin/workspaces/${id}`, body: JSON.stringify({ description: `rev ${n}` }) };
        const t0 = process.hrtime.bigint();
        const response = await pool.request({ ...request, headers });
        await response.body.dump();
        if (response.statusCode !== 200) failures++;
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    await Promise.all(Array.from({ length: connections }, worker));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(2);
    process.stdout.write(
      [
        `emulator throughput (${pinned ? "emulator pinned to one core" : "emulator not pinned: taskset missing"})`,
        `  mix: 70% GET workspace, 10% list workspaces, 20% PUT workspace; ${connections} keep-alive connections`,
        `  requests: ${total}, failures: ${failures}, seconds: ${seconds.toFixed(2)}`,
        `  requests/second: ${(total / seconds).toFixed(0)}`,
        `  latency ms: p50 ${pct(0.5)}, p99 ${pct(0.99)}, max ${latencies[latencies.length - 1].toFixed(2)}`,
      ].join("\n") + "\n",
    );
  } finally {
    await pool.close();
    child.kill("SIGTERM");
  }
}

function spawnSyncExists(command: string): boolean {
  return require("node:child_process").spawnSync("which", [command]).status === 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
