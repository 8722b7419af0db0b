/**
 * API calls for granting N workspaces access to one integration in one
 * `pulumi up`, through the real engine against the emulator: with coalescing
 * (the default) and with one PUT per pair (the Terraform provider's approach,
 * PULUMI_AI_GATEWAY_ACCESS_BATCH_MS=0). Prints the emulator's request counts.
 * The engine runs at most `--parallel` operations at once (8 by default), which
 * bounds how many grants can share one PUT; a row with higher parallelism shows that.
 *
 *   npm run bench -- access-coalescing [--workspaces 50]
 */
import { parseArgs } from "node:util";
import { startEmulator } from "../emulator";
import { portkey } from "../sdk";
import { EngineStack } from "./lib/engine-stack";

const ADMIN_KEY = "bench-admin-key";

async function run(workspaces: number, batchMs: string | undefined, parallel?: number): Promise<{ counts: Record<string, number>; seconds: number }> {
  const emulator = await startEmulator({ adminKeys: [ADMIN_KEY] });
  await fetch(`${emulator.portkeyBaseUrl}/integrations`, {
    method: "POST",
    headers: { "x-portkey-api-key": ADMIN_KEY, "content-type": "application/json" },
    body: JSON.stringify({ name: "Bench", slug: "bench", ai_provider_id: "openai", key: "sk-bench" }),
  });
  const stack = await EngineStack.create({
    projectName: "bench-access",
    program: async () => {
      for (let i = 0; i < workspaces; i++) {
        const ws = new portkey.Workspace(`ws${i}`, { name: `Bench ${i}`, forceDelete: true });
        new portkey.IntegrationWorkspaceAccess(`access${i}`, { integrationSlug: "bench", workspaceId: ws.id, createDefaultProvider: false });
      }
    },
    config: { "portkey:apiKey": { value: ADMIN_KEY, secret: true }, "portkey:baseUrl": { value: emulator.portkeyBaseUrl } },
    env: batchMs === undefined ? {} : { PULUMI_AI_GATEWAY_ACCESS_BATCH_MS: batchMs },
  });
  try {
    const started = Date.now();
    await stack.up({ parallel });
    const seconds = (Date.now() - started) / 1000;
    const counts = emulator.requestCounts();
    await stack.destroy();
    return { counts, seconds };
  } finally {
    await stack.dispose();
    await emulator.stop();
  }
}

function accessCalls(counts: Record<string, number>): string {
  const put = counts["PUT /integrations/{slug}/workspaces"] ?? 0;
  const get = counts["GET /integrations/{slug}/workspaces"] ?? 0;
  const resolve = counts["GET /admin/workspaces/{workspaceId}"] ?? 0;
  return `${put} PUT access, ${get} GET access list, ${resolve} GET workspace (both resources), total ${Object.values(counts).reduce((a, b) => a + b, 0)} calls`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { workspaces: { type: "string" } } });
  const workspaces = Number(values.workspaces ?? 50);
  const coalesced = await run(workspaces, undefined);
  const wide = await run(workspaces, undefined, workspaces);
  const perPair = await run(workspaces, "0");
  process.stdout.write(
    [
      `granting ${workspaces} new workspaces access to one integration in one pulumi up (real engine, emulator counts):`,
      `  coalesced (default):   ${accessCalls(coalesced.counts)}; up took ${coalesced.seconds.toFixed(1)}s`,
      `  coalesced, --parallel ${workspaces}: ${accessCalls(wide.counts)}; up took ${wide.seconds.toFixed(1)}s`,
      `  one PUT per pair (TF): ${accessCalls(perPair.counts)}; up took ${perPair.seconds.toFixed(1)}s`,
    ].join("\n") + "\n",
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
