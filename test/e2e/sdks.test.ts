/**
 * The Python, Go and .NET SDKs kept in sdk/ are what Pulumi's own code
 * generators make of the plugins' schemas today (scripts/gen-sdks.sh; run
 * `npm run generate-sdks` after changing a declaration or the version), and
 * they build: each Python SDK into a wheel, the Go module through `go vet`,
 * and examples/go, a program on it, compiles. The .NET SDK is generated and
 * compared, but this machine has no .NET SDK to build it: the test says so and
 * skips. Java has no generator here (pulumi-java's is not served by the Go
 * module proxy).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pythonEnv } from "../support/python";
import { vendors } from "../../provider/resources";

jest.setTimeout(20 * 60_000);

const ROOT = path.resolve(__dirname, "..", "..");
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), "sdks-"));
const LANGUAGES = ["python", "go", "dotnet"];
/** The flags the toolchain builds the Pulumi CLI with: the Pulumi Go SDK's compiled packages are then shared. */
const GO_FLAGS = ["-trimpath", "-tags", "osusergo,grpcnotrace"];

afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 });
  return { status: result.error ? null : result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}` };
}

/** Every file under `dir`, relative, with its content. */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!fs.existsSync(dir)) return files;
  for (const name of fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isFile()) files.set(name, fs.readFileSync(full).toString("base64"));
  }
  return files;
}

const hasGo = run("go", ["version"], ROOT).status === 0;
if (!hasGo) console.log("go is not on PATH: the SDKs cannot be regenerated (Pulumi's generators are Go programs) nor the Go SDK built; those tests are skipped.");

(hasGo ? test : test.skip)("the committed SDKs are what the generators make of today's schemas", () => {
  const generated = run("bash", [path.join(ROOT, "scripts", "gen-sdks.sh"), WORK], ROOT);
  expect({ status: generated.status, output: generated.status === 0 ? "" : generated.output }).toEqual({ status: 0, output: "" });
  for (const language of LANGUAGES) {
    const committed = tree(path.join(ROOT, "sdk", language));
    const fresh = tree(path.join(WORK, language));
    const stale = [...new Set([...committed.keys(), ...fresh.keys()])].filter((file) => committed.get(file) !== fresh.get(file));
    // A stale file fails here: run `npm run generate-sdks` and commit sdk/.
    expect({ language, stale }).toEqual({ language, stale: [] });
    expect(committed.size).toBeGreaterThan(0);
  }
});

const python = pythonEnv();
if ("missing" in python) console.log(`The Python SDK's wheels are not built: ${python.missing}.`);

describe.each(vendors().map((vendor) => [vendor.name] as const))("the %s Python SDK", (vendor) => {
  ("python" in python ? test : test.skip)("builds a wheel that installs and imports", () => {
    if (!("python" in python)) return;
    const source = path.join(WORK, `python-${vendor}`);
    fs.cpSync(path.join(ROOT, "sdk", "python", vendor), source, { recursive: true });
    const wheels = path.join(WORK, "wheels");
    const built = run(python.python, ["-m", "build", "--wheel", "--no-isolation", "--outdir", wheels, source], source);
    expect({ status: built.status, output: built.status === 0 ? "" : built.output }).toEqual({ status: 0, output: "" });
    const wheel = fs.readdirSync(wheels).find((name) => name.startsWith(`pulumi_ai_gateway_${vendor}-`) && name.endsWith(".whl"));
    expect(wheel).toBeDefined();
    // Installed into a directory of its own (the shared environment stays as it is), then imported.
    const target = path.join(WORK, `site-${vendor}`);
    const installed = run(python.python, ["-m", "pip", "install", "--quiet", "--no-deps", "--target", target, path.join(wheels, wheel!)], WORK);
    expect({ status: installed.status, output: installed.output }).toEqual({ status: 0, output: "" });
    const imported = run(
      python.python,
      ["-c", `import pulumi_ai_gateway_${vendor} as sdk; print(sdk.Workspace.__name__, sdk.Provider.__name__)`],
      WORK,
      { ...process.env, PYTHONPATH: target },
    );
    expect({ status: imported.status, output: imported.output.trim() }).toEqual({ status: 0, output: "Workspace Provider" });
  });
});

(hasGo ? test : test.skip)("the Go SDK passes go vet, and examples/go compiles on it", () => {
  const vet = run("go", ["vet", ...GO_FLAGS, "./..."], path.join(ROOT, "sdk", "go"));
  expect({ status: vet.status, output: vet.output }).toEqual({ status: 0, output: "" });
  const build = run("go", ["build", ...GO_FLAGS, "-o", path.join(WORK, "ai-gateway-go"), "."], path.join(ROOT, "examples", "go"));
  expect({ status: build.status, output: build.output }).toEqual({ status: 0, output: "" });
  expect(fs.statSync(path.join(WORK, "ai-gateway-go")).size).toBeGreaterThan(0);
});

const hasDotnet = run("dotnet", ["--version"], ROOT).status === 0;
if (!hasDotnet) console.log("dotnet is not on PATH (and Microsoft's package feeds are not reachable here): the .NET SDK is generated and compared, not built.");
(hasDotnet ? test : test.skip)("the .NET SDKs build", () => {
  for (const vendor of vendors()) {
    const copy = path.join(WORK, `dotnet-${vendor.name}`);
    fs.cpSync(path.join(ROOT, "sdk", "dotnet", vendor.name), copy, { recursive: true });
    const built = run("dotnet", ["build", "--nologo"], copy);
    expect({ status: built.status, output: built.status === 0 ? "" : built.output }).toEqual({ status: 0, output: "" });
  }
});
