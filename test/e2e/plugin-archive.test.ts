/**
 * The plugin archives as a user without Node gets them: this machine's
 * `pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz` (a single executable,
 * scripts/plugin-archives.ts; built once per source and cached), installed
 * into a clean PULUMI_HOME and run by the engine with no Node on PATH. The
 * program is YAML (a TypeScript one would need Node): it creates, previews
 * clean, imports and destroys through the archive's plugin. Then the engine
 * itself fetches the archive from a `pluginDownloadURL`.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { PLUGIN_DOWNLOAD_URL } from "../../provider/package-info";
import { hostTarget, PluginArchive, pluginArchives } from "../../scripts/plugin-archives";
import { ADMIN_KEY, call, useEmulator } from "../support/emulator";

jest.setTimeout(15 * 60_000);

const ROOT = path.resolve(__dirname, "..", "..");
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "plugin-archive-"));
const emulator = useEmulator();

/** pulumi and the YAML language host (scripts/lib/toolchain.sh builds one), linked into a PATH of their own. */
function toolsWithoutNode(): { bin?: string; missing?: string } {
  const bin = path.join(work, "bin");
  fs.mkdirSync(bin, { recursive: true });
  const pulumi = process.env.PULUMI_AI_GATEWAY_PULUMI ?? which("pulumi");
  if (!pulumi) return { missing: "pulumi is not on PATH" };
  const pulumiDir = path.dirname(fs.realpathSync(pulumi));
  const yamlHost = [process.env.PULUMI_AI_GATEWAY_YAML_HOST, path.join(pulumiDir, "pulumi-language-yaml"), which("pulumi-language-yaml")].find((file) => file && fs.existsSync(file));
  if (!yamlHost) return { missing: "the YAML language host (pulumi-language-yaml) is not beside pulumi or on PATH" };
  fs.symlinkSync(fs.realpathSync(pulumi), path.join(bin, "pulumi"));
  // The engine finds a host beside its own binary first (and warns about one found on PATH instead).
  if (path.dirname(fs.realpathSync(yamlHost)) !== pulumiDir) fs.symlinkSync(fs.realpathSync(yamlHost), path.join(bin, "pulumi-language-yaml"));
  return { bin };
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && fs.existsSync(file)) return file;
  }
  return undefined;
}

interface Result {
  code: number;
  output: string;
}

/** Runs pulumi with only the given environment (plus what the engine needs of a home), never this process's. */
function pulumi(args: string[], cwd: string, env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    execFile(path.join(env.PATH.split(path.delimiter)[0], "pulumi"), args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 5 * 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

function expectOk(result: Result): string {
  if (result.code !== 0) throw new Error(`pulumi failed (exit ${result.code}):\n${result.output}`);
  return result.output;
}

const host = hostTarget();
const tools = host ? toolsWithoutNode() : { missing: `no plugin executable is built for ${process.platform}-${process.arch}` };
if (tools.missing) console.log(`The plugin archive tests are skipped: ${tools.missing}.`);

let archives: PluginArchive[] = [];
beforeAll(async () => {
  if (tools.bin) archives = await pluginArchives(["portkey", "openrouter"], VERSION, [host!]);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function project(name: string, program: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: yaml\n${program}`);
  return dir;
}

/** The environment of a machine with Pulumi and the plugin only: no Node on PATH, a Pulumi home of its own. */
function cleanEnv(home: string): Record<string, string> {
  fs.mkdirSync(home, { recursive: true });
  return {
    PATH: tools.bin!,
    HOME: work,
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "archive",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
    PORTKEY_API_KEY: ADMIN_KEY,
    PORTKEY_BASE_URL: emulator().portkeyBaseUrl,
  };
}

(tools.bin ? describe : describe.skip)("the linux plugin archive, with no Node on PATH", () => {
  test("installs with pulumi plugin install --file, then serves a YAML program: create, clean preview, import, destroy", async () => {
    const env = cleanEnv(path.join(work, "home-file"));
    fs.mkdirSync(path.join(work, "state"), { recursive: true });
    expect(fs.readdirSync(tools.bin!).filter((tool) => !["pulumi", "pulumi-language-yaml"].includes(tool))).toEqual([]);
    const archive = archives.find((a) => a.vendor === "portkey")!;
    expectOk(await pulumi(["plugin", "install", "resource", "portkey", VERSION, "--file", archive.file], work, env));
    expect(expectOk(await pulumi(["plugin", "ls"], work, env))).toMatch(new RegExp(`portkey\\s+resource\\s+${VERSION.replace(/\./g, "\\.")}`));

    const dir = project(
      "archive-yaml",
      `resources:
  team:
    type: portkey:index:Workspace
    properties:
      name: From the archive
outputs:
  slug: \${team.slug}
`,
    );
    expectOk(await pulumi(["stack", "init", "archive", "--non-interactive"], dir, env));
    const up = expectOk(await pulumi(["up", "--yes", "--non-interactive", "--skip-preview"], dir, env));
    expect(up).toContain("+ 2 created");
    expect(up).not.toContain("using pulumi-resource-portkey from $PATH");
    expectOk(await pulumi(["preview", "--expect-no-changes", "--non-interactive"], dir, env));

    // A workspace made outside Pulumi, brought in by id through the plugin's read.
    const made = await call<{ id: string }>(emulator(), "POST", "/admin/workspaces", { name: "Made by hand" });
    expect(made.status).toBeLessThan(300);
    const imported = expectOk(await pulumi(["import", "portkey:index:Workspace", "by-hand", made.body.id, "--yes", "--non-interactive", "--generate-code=false", "--protect=false"], dir, env));
    expect(imported).toContain("1 imported");
    const state = JSON.parse(expectOk(await pulumi(["stack", "export"], dir, env)).trim()) as { deployment: { resources: { type: string; outputs?: { name?: string } }[] } };
    const names = state.deployment.resources.filter((r) => r.type === "portkey:index:Workspace").map((r) => r.outputs?.name);
    expect(names.sort()).toEqual(["From the archive", "Made by hand"]);

    expectOk(await pulumi(["destroy", "--yes", "--non-interactive"], dir, env));
    const live = Object.values(emulator().state().workspaces).filter((w) => ["From the archive", "Made by hand"].includes(w.name) && w.deleted_at === null);
    expect(live).toEqual([]);
  });

  test("the engine downloads and installs it from the schema's pluginDownloadURL when a program needs it", async () => {
    const served: string[] = [];
    const server = http.createServer((request, response) => {
      const name = decodeURIComponent(path.basename(request.url ?? ""));
      served.push(name);
      const archive = archives.find((a) => path.basename(a.file) === name);
      if (!archive) return void response.writeHead(404).end();
      response.writeHead(200, { "content-type": "application/gzip", "content-length": fs.statSync(archive.file).size });
      fs.createReadStream(archive.file).pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const env: Record<string, string> = {
        ...cleanEnv(path.join(work, "home-download")),
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "false",
        // The release's real address, sent to this test's server instead (the engine's own override mechanism).
        PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: `^https://github\\.com/=http://127.0.0.1:${port}/`,
      };
      // The schema's URL, with its ${VERSION} escaped as $${VERSION} (YAML would interpolate it).
      const dir = project(
        "archive-download",
        `resources:
  team:
    type: portkey:index:Workspace
    properties:
      name: Downloaded plugin
    options:
      version: ${VERSION}
      pluginDownloadURL: ${PLUGIN_DOWNLOAD_URL.replace(/\$\{/g, () => "$${")}
`,
      );
      expectOk(await pulumi(["stack", "init", "download", "--non-interactive"], dir, env));
      expectOk(await pulumi(["up", "--yes", "--non-interactive", "--skip-preview"], dir, env));
      expect(served).toContain(path.basename(archives.find((a) => a.vendor === "portkey")!.file));
      expect(fs.existsSync(path.join(env.PULUMI_HOME, "plugins", `resource-portkey-v${VERSION}`, "pulumi-resource-portkey"))).toBe(true);
      expectOk(await pulumi(["destroy", "--yes", "--non-interactive"], dir, env));
    } finally {
      server.close();
    }
  });
});
