/**
 * Running the Pulumi CLI from PATH as a child process, sampling the process
 * tree it starts (see ./process-tree).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ProcessTreeSampler, TreeUsage } from "./process-tree";

export function assertPulumiOnPath(): void {
  const found = (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, "pulumi")));
  if (!found) {
    throw new Error("The Pulumi CLI is not on PATH. Run `npm run bench -- <name>` (it sets the CLI up), or run `eval \"$(npm run -s shellenv)\"` first.");
  }
}

export interface CliRun {
  /** Wall time from spawning the CLI to its exit, in seconds. */
  seconds: number;
  stdout: string;
  /** What the CLI and its descendants used, by role (sampled from /proc). */
  usage: TreeUsage;
}

export interface CliOptions {
  cwd: string;
  env: Record<string, string>;
  /** Sampling interval of the process tree, ms (default 100). */
  sampleMs?: number;
}

/** Runs `pulumi <args>`, sampling its process tree; rejects with the output's tail when it fails. */
export function runPulumi(args: string[], options: CliOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn("pulumi", args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const sampler = new ProcessTreeSampler(child.pid!, options.sampleMs ?? 100);
    sampler.start();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => {
      sampler.stop();
      reject(error);
    });
    child.on("close", (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const usage = sampler.stop();
      const stdout = Buffer.concat(out).toString();
      if (code !== 0) {
        const tail = (stdout + Buffer.concat(err).toString()).split("\n").slice(-40).join("\n");
        reject(new Error(`pulumi ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${tail}`));
        return;
      }
      resolve({ seconds, stdout, usage });
    });
  });
}
