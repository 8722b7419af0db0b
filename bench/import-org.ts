/**
 * Reading an organisation of about 1,000 objects with `import-org`'s reader
 * (the command's own code, in this process): the time, the API calls per
 * route, and peak memory, against the emulator with injected latency and,
 * optionally, injected 429s (which the HTTP layer retries after Retry-After).
 * The organisation is built through the plain HTTP APIs first; only the
 * import's calls are counted.
 *
 *   npm run bench -- import-org [--objects 1000] [--latency-ms 20] [--fault-rate 0]
 */
import { parseArgs } from "node:util";
import { startEmulator } from "../emulator";
import { readOrganisation } from "../provider/cli/import-org";
import { programFile } from "../provider/cli/program";

const ADMIN_KEY = "bench-admin-key-import-org";
const MANAGEMENT_KEY = "sk-or-mgmt-bench-import-org-0123456789";

async function post(url: string, headers: Record<string, string>, body: unknown, method = "POST"): Promise<any> {
  const response = await fetch(url, { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { objects: { type: "string" }, "latency-ms": { type: "string" }, "fault-rate": { type: "string" } } });
  const objects = Number(values.objects ?? 1000);
  const latencyMs = Number(values["latency-ms"] ?? 20);
  const faultRate = Number(values["fault-rate"] ?? 0);
  const emulator = await startEmulator({ adminKeys: [ADMIN_KEY], managementKeys: [MANAGEMENT_KEY] });
  try {
    const portkey = { "x-portkey-api-key": ADMIN_KEY };
    const openrouter = { authorization: `Bearer ${MANAGEMENT_KEY}` };
    // Half Portkey (workspaces of 18 keys and 2 configs), half OpenRouter (workspaces of 22 keys and 2 guardrails, a budget each).
    const perPortkeyWorkspace = 21;
    const perOpenRouterWorkspace = 26;
    let made = 0;
    for (let w = 0; made < objects / 2; w++) {
      const ws = await post(`${emulator.portkeyBaseUrl}/admin/workspaces`, portkey, { name: `Bench ${w}` });
      made++;
      for (let k = 0; k < perPortkeyWorkspace - 3 && made < objects / 2; k++, made++) {
        await post(`${emulator.portkeyBaseUrl}/api-keys/workspace/service`, portkey, { name: `key ${k}`, workspace_id: ws.id, scopes: ["completions.write"] });
      }
      for (let c = 0; c < 2 && made < objects / 2; c++, made++) {
        await post(`${emulator.portkeyBaseUrl}/configs`, portkey, { name: `config ${c}`, config: { retry: { attempts: c + 1 } }, workspace_id: ws.id });
      }
    }
    for (let w = 0; made < objects; w++) {
      const ws = (await post(`${emulator.openrouterBaseUrl}/workspaces`, openrouter, { name: `Bench ${w}`, slug: `bench-${w}` })).data;
      made++;
      await post(`${emulator.openrouterBaseUrl}/workspaces/${ws.id}/budgets/monthly`, openrouter, { limit_usd: 100 + w }, "PUT");
      made++;
      for (let k = 0; k < perOpenRouterWorkspace - 4 && made < objects; k++, made++) {
        await post(`${emulator.openrouterBaseUrl}/keys`, openrouter, { name: `key ${k}`, workspace_id: ws.id });
      }
      for (let g = 0; g < 2 && made < objects; g++, made++) {
        await post(`${emulator.openrouterBaseUrl}/guardrails`, openrouter, { name: `guardrail ${g}`, workspace_id: ws.id, limit_usd: 5 + g, reset_interval: "monthly" });
      }
    }
    await fetch(`${emulator.url}/_emulator/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ latencyMs, faultRate }) });
    const before = emulator.requestCounts();

    const warnings: string[] = [];
    const started = process.hrtime.bigint();
    const read = await readOrganisation({
      portkey: { "portkey:apiKey": ADMIN_KEY, "portkey:baseUrl": emulator.portkeyBaseUrl },
      openrouter: { "openrouter:managementKey": MANAGEMENT_KEY, "openrouter:baseUrl": emulator.openrouterBaseUrl },
      warn: (message) => warnings.push(message),
    });
    const program = programFile(read, "typescript");
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const after = emulator.requestCounts();
    const calls: Record<string, number> = {};
    for (const [route, count] of Object.entries(after)) if (count - (before[route] ?? 0) > 0) calls[route] = count - (before[route] ?? 0);
    process.stdout.write(
      [
        `import-org over ${made} objects made by hand (emulator latency ${latencyMs} ms per request, fault rate ${faultRate}):`,
        `  read ${read.length} objects in ${seconds.toFixed(1)} s; ${sum(calls)} API calls (${(sum(calls) / Math.max(read.length, 1)).toFixed(2)} per object), ${warnings.length} warnings`,
        `  program: ${program.length} characters; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
        "  calls per route:",
        ...Object.entries(calls)
          .sort((a, b) => b[1] - a[1])
          .map(([route, count]) => `    ${String(count).padStart(6)}  ${route}`),
      ].join("\n") + "\n",
    );
  } finally {
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
