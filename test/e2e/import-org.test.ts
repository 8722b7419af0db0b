/**
 * Adopting a live organisation, by hand as a user would: objects made
 * through the APIs, `pulumi-ai-gateway import-org` writing import.json and
 * index.ts, the real `pulumi import --file` taking every object into a stack,
 * and the generated program previewing clean. Also `install-plugins`: the
 * engine lists and runs the plugins it put in PULUMI_HOME.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_KEY, call, callOpenRouter } from "../support/emulator";

jest.setTimeout(15 * 60_000);

const ROOT = path.resolve(__dirname, "..", "..");
const CLI = path.join(ROOT, "bin", "pulumi-ai-gateway");
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const MANAGEMENT_KEY = "sk-or-mgmt-import-org-0123456789abcdef";
const STACK = "adopted";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "import-org-"));
const project = path.join(work, "project");
const state = path.join(work, "state");
const home = path.join(work, "home");
let emulator: RunningEmulator;

interface Ran {
  stdout: string;
  stderr: string;
}

/**
 * Runs a shell line in `cwd` after loading the shell environment (pulumi,
 * node, offline settings), with a file backend and PULUMI_HOME of the test's own.
 */
function shell(line: string, cwd: string, env: Record<string, string> = {}, pathPrefix?: string): Promise<Ran> {
  const script = `set -euo pipefail; cd "${ROOT}"; eval "$(npm run -s shellenv)"; ${pathPrefix ? `export PATH="${pathPrefix}:$PATH"; ` : ""}cd "${cwd}"; ${line}`;
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      ["-c", script],
      {
        env: {
          ...process.env,
          PULUMI_BACKEND_URL: `file://${state}`,
          PULUMI_CONFIG_PASSPHRASE: "import-org",
          PULUMI_HOME: home,
          PULUMI_SKIP_UPDATE_CHECK: "true",
          PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
          PORTKEY_API_KEY: ADMIN_KEY,
          PORTKEY_BASE_URL: emulator.portkeyBaseUrl,
          OPENROUTER_MANAGEMENT_KEY: MANAGEMENT_KEY,
          OPENROUTER_BASE_URL: emulator.openrouterBaseUrl,
          ...env,
        },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 10 * 60_000,
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${line} failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve({ stdout, stderr })),
    );
  });
}

/** The CLI as installed: bin/pulumi-ai-gateway over the compiled package. */
function cli(args: string): Promise<Ran> {
  return shell(`node "${CLI}" ${args}`, work);
}

/** pulumi with this package's bin on PATH, where the engine finds the plugins. */
function pulumi(args: string): Promise<Ran> {
  return shell(`pulumi ${args} --non-interactive`, project, {}, path.join(ROOT, "bin"));
}

interface ImportFile {
  resources: { type: string; name: string; id: string; version?: string }[];
}

function countByType(types: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of types) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, "dist", "provider", "cli", "main.js"))) throw new Error("dist is not built: run `npm run build` first");
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], managementKeys: [MANAGEMENT_KEY], checkResponses: true });
  const ok = <T extends { status: number; text: string }>(what: string, response: T): T => {
    if (response.status >= 300) throw new Error(`${what}: ${response.status} ${response.text}`);
    return response;
  };

  // Portkey: three workspaces (one with an icon and metadata), keys in a workspace and for the organisation,
  // an integration with two enabled access rows and one disabled (not imported).
  const teamA = ok(
    "workspace A",
    await call(emulator, "POST", "/admin/workspaces", {
      name: "Team A",
      description: "first team",
      usage_limits: [{ type: "cost", credit_limit: 100, periodic_reset: "monthly", alert_threshold: 80 }],
      rate_limits: [{ type: "requests", unit: "rpm", value: 60 }],
    }),
  ).body as { id: string };
  const teamB = ok("workspace B", await call(emulator, "POST", "/admin/workspaces", { name: "🚀 Team B", description: "second team", defaults: { metadata: { env: "prod" } } }))
    .body as { id: string };
  const teamC = ok("workspace C", await call(emulator, "POST", "/admin/workspaces", { name: "Team C" })).body as { id: string };
  ok(
    "workspace key",
    await call(emulator, "POST", "/api-keys/workspace/service", {
      name: "ci",
      workspace_id: teamA.id,
      scopes: ["completions.write"],
      defaults: { metadata: { team: "a", tier: 2 } },
      usage_limits: { credit_limit: 50, periodic_reset: "monthly", alert_threshold: 40 },
      rate_limits: [{ type: "requests", unit: "rpm", value: 10 }],
    }),
  );
  ok("organisation key", await call(emulator, "POST", "/api-keys/organisation/service", { name: "Reporting", scopes: ["workspaces.list"] }));
  ok("integration", await call(emulator, "POST", "/integrations", { name: "Shared OpenAI", slug: "shared-openai", ai_provider_id: "openai", key: "sk-test-fake-key-12345" }));
  ok(
    "access rows",
    await call(emulator, "PUT", "/integrations/shared-openai/workspaces", {
      workspaces: [
        { id: teamA.id, enabled: true, usage_limits: [{ type: "cost", credit_limit: 10, periodic_reset: "monthly" }] },
        { id: teamB.id, enabled: true, rate_limits: [{ type: "requests", unit: "rpm", value: 30 }] },
        { id: teamC.id, enabled: false },
      ],
    }),
  );

  // OpenRouter: a workspace with settings and a key in it, and a key in the account's default workspace.
  const research = ok(
    "OpenRouter workspace",
    await callOpenRouter(
      emulator,
      "POST",
      "/workspaces",
      { name: "Research", slug: "research", description: "models we try", default_provider_sort: "price", io_logging_api_key_ids: [], disabled_server_tools: ["web_search"] },
      MANAGEMENT_KEY,
    ),
  ).body as { data: { id: string } };
  ok("OpenRouter key", await callOpenRouter(emulator, "POST", "/keys", { name: "bot", limit: 25, limit_reset: "monthly", workspace_id: research.data.id }, MANAGEMENT_KEY));
  ok("OpenRouter default key", await callOpenRouter(emulator, "POST", "/keys", { name: "legacy", include_byok_in_limit: true }, MANAGEMENT_KEY));

  fs.mkdirSync(path.join(project, "node_modules", "@pulumi"), { recursive: true });
  fs.mkdirSync(state);
  fs.mkdirSync(home);
  // The program resolves this package and the one @pulumi/pulumi it uses, as an installed project would.
  fs.symlinkSync(ROOT, path.join(project, "node_modules", "pulumi-ai-gateway"));
  fs.symlinkSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi"), path.join(project, "node_modules", "@pulumi", "pulumi"));
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "adopted", private: true }));
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: adopted\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n");
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

const EXPECTED = {
  "portkey:index:Workspace": 3,
  "portkey:index:ApiKey": 2,
  "portkey:index:IntegrationWorkspaceAccess": 2,
  // The account's default workspace is an ordinary workspace to OpenRouter's API.
  "openrouter:index:Workspace": 2,
  "openrouter:index:ApiKey": 2,
};

test("import-org, then pulumi import --file and a clean preview of the generated program; a second run writes the same files", async () => {
  const first = await cli(`import-org --out "${path.join(work, "out")}"`);
  expect(first.stdout).toContain("import.json");
  const importJson = JSON.parse(fs.readFileSync(path.join(work, "out", "import.json"), "utf8")) as ImportFile;
  const program = fs.readFileSync(path.join(work, "out", "index.ts"), "utf8");
  expect(countByType(importJson.resources.map((r) => r.type))).toEqual(EXPECTED);
  expect(importJson.resources.every((r) => r.version === VERSION)).toBe(true);
  // Unique names the engine accepts and TypeScript can name variables after.
  const names = importJson.resources.map((r) => r.name);
  expect(new Set(names).size).toBe(names.length);
  for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
  expect(names).toEqual(expect.arrayContaining(["ws-team-a", "ws-team-b", "ws-team-c", "key-team-a-ci", "access-shared-openai-team-a", "or-ws-research"]));
  // The disabled row is not an access to adopt.
  expect(names.filter((n) => n.startsWith("access-")).sort()).toEqual(["access-shared-openai-team-a", "access-shared-openai-team-b"]);
  const ids = importJson.resources.map((r) => r.id);
  const live = <T extends { deleted_at?: string | null }>(items: Record<string, T>) => Object.values(items).filter((item) => !item.deleted_at);
  const [home, ...others] = [...live(emulator.state().workspaces)].sort((a, b) => Number(!!b.is_default) - Number(!!a.is_default));
  expect(home.is_default).toBe(true);
  expect(ids).toEqual(expect.arrayContaining([...others.map((w) => w.id), ...live(emulator.state().api_keys).map((k) => k.id)]));
  // The organisation's default workspace is never imported (Pulumi could only fail to delete it); a warning says so.
  expect(ids).not.toContain(home.id);
  expect(first.stderr).toContain(`(${home.id}) is the organisation's default workspace: not imported`);
  expect(ids).toEqual(expect.arrayContaining(live(emulator.openrouterState().keys).map((k) => k.hash)));
  // Keys and access name their workspace by reference; keys explain their empty secret.
  expect(program).toContain("workspaceId: ws_team_a.id");
  expect(program).toContain('icon: "🚀"');
  expect(program).toMatch(/`key` output is empty until `rotateWhen` is changed/);
  for (const secret of [ADMIN_KEY, MANAGEMENT_KEY]) {
    expect(first.stdout + first.stderr + program + JSON.stringify(importJson)).not.toContain(secret);
  }

  // The generated program is the project's program (pulumi import wants the project's main file to exist).
  fs.copyFileSync(path.join(work, "out", "index.ts"), path.join(project, "index.ts"));
  await pulumi(`stack init ${STACK}`);
  // Code generation needs the Go language host, which is not served here: index.ts is the code.
  const imported = await pulumi(`import --stack ${STACK} --file "${path.join(work, "out", "import.json")}" --yes --skip-preview --generate-code=false`);
  expect(imported.stdout).toContain(`${importJson.resources.length} imported`);
  const exported = JSON.parse((await pulumi(`stack export --stack ${STACK}`)).stdout) as { deployment: { resources: { type: string; id?: string }[] } };
  const adopted = exported.deployment.resources.filter((r) => !r.type.startsWith("pulumi:"));
  expect(countByType(adopted.map((r) => r.type))).toEqual(EXPECTED);
  expect(adopted.map((r) => r.id).sort()).toEqual([...ids].sort());

  const preview = await pulumi(`preview --stack ${STACK} --expect-no-changes`);
  expect(preview.stdout).toMatch(new RegExp(`${importJson.resources.length + 1} unchanged`));

  // Stable: the same organisation gives the same files, byte for byte.
  await cli(`import-org --out "${path.join(work, "again")}" --portkey --openrouter`);
  expect(fs.readFileSync(path.join(work, "again", "import.json"), "utf8")).toBe(fs.readFileSync(path.join(work, "out", "import.json"), "utf8"));
  expect(fs.readFileSync(path.join(work, "again", "index.ts"), "utf8")).toBe(program);
});

test("import-org --integration limits access rows to that integration; an unknown one fails naming it", async () => {
  await call(emulator, "POST", "/integrations", { name: "Other", slug: "other-anthropic", ai_provider_id: "anthropic", key: "sk-ant-fake-12345" });
  const out = path.join(work, "only");
  await cli(`import-org --portkey --integration other-anthropic --out "${out}"`);
  const types = (JSON.parse(fs.readFileSync(path.join(out, "import.json"), "utf8")) as ImportFile).resources.map((r) => r.type);
  expect(types).not.toContain("portkey:index:IntegrationWorkspaceAccess");
  expect(types.some((t) => t.startsWith("openrouter:"))).toBe(false);
  await expect(cli(`import-org --portkey --integration no-such-integration --out "${out}"`)).rejects.toThrow(/pulumi-ai-gateway: .*no-such-integration/);
});

test("install-plugins puts both plugins in PULUMI_HOME: pulumi plugin ls lists them, and the engine runs them without bin on PATH", async () => {
  const pluginHome = path.join(work, "plugin-home");
  const installed = await cli(`install-plugins --pulumi-home "${pluginHome}"`);
  expect(installed.stdout).toContain("pulumi plugin ls");
  for (const name of ["portkey", "openrouter"]) {
    const executable = path.join(pluginHome, "plugins", `resource-${name}-v${VERSION}`, `pulumi-resource-${name}`);
    expect(fs.statSync(executable).mode & 0o111).not.toBe(0);
  }
  const listed = await shell("pulumi plugin ls", work, { PULUMI_HOME: pluginHome });
  expect(listed.stdout).toMatch(new RegExp(`portkey\\s+resource\\s+${VERSION.replace(/\./g, "\\.")}`));
  expect(listed.stdout).toMatch(new RegExp(`openrouter\\s+resource\\s+${VERSION.replace(/\./g, "\\.")}`));

  // The stack adopted above, previewed with the installed plugins only (bin is not on PATH here).
  const preview = await shell(`pulumi preview --stack ${STACK} --expect-no-changes --non-interactive`, project, { PULUMI_HOME: pluginHome });
  expect(preview.stdout + preview.stderr).not.toContain("from $PATH");
});
