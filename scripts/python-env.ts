/**
 * A Python environment for building the Python SDK (npm run release) and for
 * the tests of the Python SDK and programs: a venv
 * in the project's cache with the Pulumi Python SDK and the wheel builder from
 * PyPI, made once per set of pinned packages. Made under a temporary name and
 * renamed into place, so two suites starting together never share a half-made
 * one (commands run as `<venv>/bin/python -m ...`, which survives the rename).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** What the environment holds, pinned: the Pulumi SDK of the CLI's generation and what the generated SDKs also require, and `build` with its backend. */
export const PYTHON_PACKAGES = ["pulumi==3.270.0", "parver==1.0.1.post0", "semver==3.2.0", "build==1.6.1", "setuptools==80.9.0"];

const CACHE = process.env.PULUMI_AI_GATEWAY_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "pulumi-ai-gateway");

/** The system's Python 3 (>= 3.9, what the generated SDK needs), or why there is none. */
function systemPython(): { python: string } | { missing: string } {
  for (const candidate of ["python3", "python"]) {
    const probe = spawnSync(candidate, ["-c", "import sys, venv; print(sys.version_info >= (3, 9))"], { encoding: "utf8" });
    if (probe.status === 0 && probe.stdout.trim() === "True") return { python: candidate };
  }
  return { missing: "no Python >= 3.9 with the venv module on PATH" };
}

/**
 * The venv's python, made on first use; or why it cannot be made here (no
 * Python, PyPI unreachable), for the caller to print and skip on.
 */
export function pythonEnv(): { python: string } | { missing: string } {
  const found = systemPython();
  if ("missing" in found) return found;
  const key = createHash("sha256").update(PYTHON_PACKAGES.join("\n")).digest("hex").slice(0, 12);
  const dir = path.join(CACHE, `python-${key}`);
  const python = path.join(dir, "bin", "python");
  if (fs.existsSync(path.join(dir, ".complete"))) return { python };
  const staging = `${dir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(CACHE, { recursive: true });
  const made = spawnSync(found.python, ["-m", "venv", staging], { encoding: "utf8" });
  if (made.status !== 0) return { missing: `python -m venv failed: ${made.stderr.trim()}` };
  const pip = spawnSync(path.join(staging, "bin", "python"), ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...PYTHON_PACKAGES], {
    encoding: "utf8",
    timeout: 10 * 60_000,
  });
  if (pip.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    return { missing: `pip could not install ${PYTHON_PACKAGES.join(" ")} from PyPI: ${(pip.stderr || String(pip.error ?? "")).trim().split("\n").pop()}` };
  }
  fs.writeFileSync(path.join(staging, ".complete"), `${PYTHON_PACKAGES.join("\n")}\n`);
  try {
    fs.renameSync(staging, dir);
  } catch {
    // Another suite made it first: use theirs.
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return { python };
}
