/**
 * The package's launchers (bin/) start where users' machines start them:
 * through BusyBox's `env` (Alpine-based CI images), which takes one program
 * name and no `-S`, and through the Windows `.cmd` twins the engine accepts
 * (checked for what they run; there is no Windows here). Skipped, saying
 * why, when BusyBox is not installed.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin");
const PLUGINS = ["pulumi-resource-portkey", "pulumi-resource-openrouter"];
const busybox = ["/bin/busybox", "/usr/bin/busybox"].find((file) => fs.existsSync(file));
const work = fs.mkdtempSync(path.join(os.tmpdir(), "launchers-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

if (!busybox) console.log("BusyBox is not installed: the launchers are not run through its env (apt-get install busybox to run them).");

/** A copy of a launcher whose `#!/usr/bin/env` is BusyBox's env applet, with the package's dist/ beside it as the original has. */
function underBusyBoxEnv(launcher: string): string {
  const env = path.join(work, "env");
  if (!fs.existsSync(env)) fs.symlinkSync(busybox!, env);
  const text = fs.readFileSync(path.join(BIN, launcher), "utf8");
  expect(text.startsWith("#!/usr/bin/env ")).toBe(true);
  // In a bin/ of its own whose ../dist is the package's (a file added to bin/ could be packed by a test running meanwhile).
  const bin = path.join(work, "bin");
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(bin);
    fs.symlinkSync(path.join(ROOT, "dist"), path.join(work, "dist"));
  }
  const copy = path.join(bin, launcher);
  fs.writeFileSync(copy, text.replace("#!/usr/bin/env ", `#!${env} `), { mode: 0o755 });
  return copy;
}

/** Starts a plugin and resolves with the first line it prints (its port) and the Node flags it then runs with, then stops it. */
function firstLine(executable: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, [], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` } });
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.once("data", (chunk: Buffer) => {
      const commandLine = fs.readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0");
      child.kill();
      resolve(`${chunk.toString().split("\n")[0]} ${commandLine.filter((arg) => arg.startsWith("--")).join(" ")}`.trim());
    });
    child.once("exit", (code) => reject(new Error(`${path.basename(executable)} exited with ${code}: ${err}`)));
  });
}

(busybox ? describe : describe.skip)("through BusyBox's env", () => {
  test.each(PLUGINS)("%s starts, with the small young generation it restarts Node with, and prints its port", async (launcher) => {
    const copy = underBusyBoxEnv(launcher);
    try {
      await expect(firstLine(copy)).resolves.toMatch(/^\d+ --max-semi-space-size=1$/);
    } finally {
      fs.rmSync(copy, { force: true });
    }
  });

  test("pulumi-ai-gateway answers --help", () => {
    const copy = underBusyBoxEnv("pulumi-ai-gateway");
    try {
      const result = spawnSync(copy, ["--help"], { encoding: "utf8", env: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` } });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
      expect(result.stdout).toContain("emulator");
    } finally {
      fs.rmSync(copy, { force: true });
    }
  });

  test("a launcher with `env -S` and a Node flag, as before 0.2.0, does not start there", () => {
    const old = path.join(work, "old-launcher");
    fs.writeFileSync(old, `#!${path.join(work, "env")} -S node --max-semi-space-size=1\nconsole.log("started");\n`, { mode: 0o755 });
    const result = spawnSync(old, [], { encoding: "utf8" });
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain("started");
  });
});

test.each(PLUGINS)("%s.cmd (Windows) runs Node on the launcher beside it, with the engine's arguments", (launcher) => {
  const cmd = fs.readFileSync(path.join(BIN, `${launcher}.cmd`), "utf8");
  expect(cmd.split("\r\n").filter((line) => line && !line.startsWith("@rem"))).toEqual([`@node "%~dp0${launcher}" %*`]);
});

describe("the launchers install-plugins writes", () => {
  const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  let launcher: string;
  beforeAll(() => {
    // The compiled CLI, as `npx pulumi-ai-gateway install-plugins` runs it.
    const result = spawnSync(process.execPath, [path.join(ROOT, "bin", "pulumi-ai-gateway"), "install-plugins", "--pulumi-home", path.join(work, "home")], { encoding: "utf8" });
    expect(result.status).toBe(0);
    launcher = path.join(work, "home", "plugins", `resource-portkey-v${VERSION}`, "pulumi-resource-portkey");
  });

  /** A project directory whose node_modules holds a stand-in pulumi-ai-gateway of the given version that says it ran. */
  function projectWith(version: string): string {
    const project = fs.mkdtempSync(path.join(work, "project-"));
    const pkg = path.join(project, "node_modules", "pulumi-ai-gateway");
    fs.mkdirSync(path.join(pkg, "dist", "provider", "native"), { recursive: true });
    fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "pulumi-ai-gateway", version, exports: { "./package.json": "./package.json" } }));
    fs.writeFileSync(path.join(pkg, "dist", "provider", "native", "launch.js"), 'exports.launch = (vendor) => console.log("the project\'s package serves " + vendor);\n');
    return project;
  }

  test("run the program's own package when its project has this version", () => {
    const result = spawnSync(launcher, [], { cwd: projectWith(VERSION), encoding: "utf8", timeout: 30_000 });
    expect(result.stdout).toBe("the project's package serves portkey\n");
  });

  test("run the package that installed them when the project has another version (or none)", async () => {
    const child = spawn(launcher, [], { cwd: projectWith("0.0.1"), stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve) => child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())));
    child.kill();
    expect(line).toMatch(/^\d+$/);
  });
});
