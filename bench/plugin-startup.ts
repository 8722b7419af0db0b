/**
 * Start-up of a provider plugin as the engine sees it: from spawn until the
 * plugin prints its port, and its resident memory then. Compares the npm
 * package's launcher (bin/pulumi-resource-portkey, run by Node from PATH)
 * with the release's single executable for this machine (built or taken from
 * the cache, scripts/plugin-archives.ts). Prints figures; asserts nothing.
 *
 *   npm run bench -- plugin-startup [--runs 10]
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { hostTarget, pluginArchives } from "../scripts/plugin-archives";
import { table } from "./lib/table";

const ROOT = path.resolve(__dirname, "..", "..");

interface Start {
  ms: number;
  rssMb: number;
}

/** Spawns the plugin, waits for its port on stdout, reads its RSS, and stops it. */
function startOnce(command: string, args: string[]): Promise<Start> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
    child.once("error", reject);
    child.stdout.once("data", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      child.kill();
      child.once("exit", () => resolve({ ms, rssMb: rssKb / 1024 }));
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string" } } });
  const runs = Number(values.runs ?? 10);
  const host = hostTarget();
  if (!host) throw new Error(`no plugin executable is built for ${process.platform}-${process.arch}`);
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  const [archive] = await pluginArchives(["portkey"], version, [host]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plugin-startup-"));
  try {
    execFileSync("tar", ["-xzf", archive.file, "-C", dir]);
    const variants: [string, string, string[]][] = [
      ["npm launcher (node bin/pulumi-resource-portkey)", process.execPath, [path.join(ROOT, "bin", "pulumi-resource-portkey")]],
      ["single executable (release archive)", path.join(dir, "pulumi-resource-portkey"), []],
    ];
    const rows: string[][] = [];
    for (const [label, command, args] of variants) {
      await startOnce(command, args); // warm the file cache
      const samples: Start[] = [];
      for (let i = 0; i < runs; i++) samples.push(await startOnce(command, args));
      rows.push([label, median(samples.map((s) => s.ms)).toFixed(0), Math.min(...samples.map((s) => s.ms)).toFixed(0), median(samples.map((s) => s.rssMb)).toFixed(0)]);
    }
    const size = (file: string) => `${(fs.statSync(file).size / 1e6).toFixed(1)} MB`;
    process.stdout.write(`plugin start-up, ${runs} runs each, node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}\n`);
    process.stdout.write(`archive ${path.basename(archive.file)}: ${size(archive.file)}; executable ${size(path.join(dir, "pulumi-resource-portkey"))}\n\n`);
    process.stdout.write(table(["plugin", "median ms to port", "fastest ms", "RSS at port, MB"], rows) + "\n");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
