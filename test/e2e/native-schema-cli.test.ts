/**
 * The package schemas of the native plugins as the real Pulumi CLI reads
 * them, with the PATH and environment of `eval "$(npm run -s shellenv)"`:
 * `pulumi package get-schema bin/pulumi-resource-<vendor>` prints a schema
 * with every resource token. Then whether `pulumi package gen-sdk` can make
 * Python and Go SDKs from the plugins: it needs the language plugin of the
 * language (`pulumi-language-python`, `pulumi-language-go`). Where the CLI
 * cannot, the test prints the CLI's own error and is skipped (not passed);
 * where it can, the SDK is generated and compiled (`python3 -m py_compile`
 * on every file, `go build ./...`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resourceToken } from "../../provider/native/schema";
import { vendors } from "../../provider/resources";

jest.setTimeout(10 * 60_000);

const ROOT = path.resolve(__dirname, "..", "..");
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), "native-schema-cli-"));

/** The environment a user's shell has after `eval "$(npm run -s shellenv)"`, with a Pulumi home of its own. */
const shellEnv: NodeJS.ProcessEnv = {
  ...(JSON.parse(
    execFileSync("bash", ["-c", 'eval "$(npm run -s shellenv 2>/dev/null)" && node -e "process.stdout.write(JSON.stringify(process.env))"'], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    }),
  ) as NodeJS.ProcessEnv),
  PULUMI_HOME: path.join(WORK, "pulumi-home"),
};

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd = WORK, env: NodeJS.ProcessEnv = shellEnv): Run {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 5 * 60_000 });
  if (result.error && (result.error as NodeJS.ErrnoException).code !== "ENOENT") throw result.error;
  return { status: result.error ? null : result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? String(result.error ?? "") };
}

function plugin(vendor: string): string {
  return path.join(ROOT, "bin", `pulumi-resource-${vendor}`);
}

afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));

test("the shell environment's pulumi is the CLI the project pins", () => {
  const version = run("pulumi", ["version"]);
  expect(version.status).toBe(0);
  expect(version.stdout.trim()).toMatch(/^v3\.\d+\.\d+/);
});

describe.each(vendors().map((vendor) => [vendor.name, vendor] as const))("pulumi package get-schema bin/pulumi-resource-%s", (name, vendor) => {
  test("prints the package schema with every resource token, and every type it refers to", () => {
    const result = run("pulumi", ["package", "get-schema", plugin(name)]);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
    const schema = JSON.parse(result.stdout) as { name: string; version: string; resources: Record<string, unknown>; types?: Record<string, unknown>; config: object; provider: object };
    expect(schema.name).toBe(name);
    expect(schema.version).toMatch(/^\d+\.\d+\.\d+/);
    const tokens = vendor.resources.map((resource) => resourceToken(vendor, resource)).sort();
    expect(tokens.length).toBeGreaterThan(0);
    expect(Object.keys(schema.resources).sort()).toEqual(tokens);
    expect(schema.provider).toBeDefined();
    expect(schema.config).toBeDefined();
    const refs = [...result.stdout.matchAll(/"#\/types\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]));
    for (const ref of refs) expect(Object.keys(schema.types ?? {})).toContain(ref);
  });
});

/**
 * One `pulumi package gen-sdk` per vendor and language, run while the tests
 * are collected so that a CLI that cannot generate skips the compile test
 * (rather than passing it) and says why.
 */
const LANGUAGES = ["python", "go"] as const;
const generated = vendors().flatMap((vendor) =>
  LANGUAGES.map((language) => {
    const out = path.join(WORK, `${vendor.name}-${language}`);
    const result = run("pulumi", ["package", "gen-sdk", plugin(vendor.name), "--language", language, "--out", out]);
    if (result.status !== 0) {
      console.log(
        `pulumi package gen-sdk ${path.relative(ROOT, plugin(vendor.name))} --language ${language} cannot generate the SDK ` +
          `(exit ${result.status}); the CLI said:\n${(result.stderr || result.stdout).trim()}`,
      );
    }
    return { vendor: vendor.name, language, out: path.join(out, language), ok: result.status === 0 };
  }),
);

describe.each(generated.map((g) => [`${g.vendor} ${g.language}`, g] as const))("pulumi package gen-sdk: the %s SDK", (_label, g) => {
  (g.ok ? test : test.skip)("is generated and compiles", () => {
    const files = listFiles(g.out);
    if (g.language === "python") {
      const sources = files.filter((file) => file.endsWith(".py"));
      expect(sources.length).toBeGreaterThan(0);
      const compiled = run("python3", ["-m", "py_compile", ...sources], g.out);
      if (compiled.status === null) return void console.log("python3 is not on PATH: the generated Python SDK was not compiled");
      expect({ status: compiled.status, stderr: compiled.stderr }).toEqual({ status: 0, stderr: "" });
    } else {
      expect(files.some((file) => file.endsWith(".go"))).toBe(true);
      if (run("go", ["version"]).status === null) return void console.log("go is not on PATH: the generated Go SDK was not compiled");
      if (!fs.existsSync(path.join(g.out, "go.mod"))) writeGoMod(g.out, files);
      const tidy = run("go", ["mod", "tidy"], g.out);
      expect({ status: tidy.status, stderr: tidy.status === 0 ? "" : tidy.stderr }).toEqual({ status: 0, stderr: "" });
      const build = run("go", ["build", "./..."], g.out);
      expect({ status: build.status, stderr: build.stderr }).toEqual({ status: 0, stderr: "" });
    }
  });
});

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).map((file) => path.join(dir, file)).filter((file) => fs.statSync(file).isFile());
}

/**
 * Without a go.mod of its own, the SDK is a module whose path is what its
 * packages import their `internal` package by (`example.com/pulumi-<name>/sdk/go/<name>/internal`
 * when the schema names no import path), on the Pulumi Go SDK of the CLI's version.
 */
function writeGoMod(dir: string, files: string[]): void {
  const source = files.filter((file) => file.endsWith(".go")).map((file) => fs.readFileSync(file, "utf8")).join("\n");
  const internal = /"([^"\s]+)\/[^/"\s]+\/internal"/.exec(source);
  if (!internal) throw new Error("cannot tell the generated Go SDK's module path");
  const version = /^v(\d+\.\d+\.\d+)/.exec(run("pulumi", ["version"]).stdout.trim())?.[1] ?? "3.0.0";
  fs.writeFileSync(path.join(dir, "go.mod"), `module ${internal[1]}\n\ngo 1.22\n\nrequire github.com/pulumi/pulumi/sdk/v3 v${version}\n`);
}
