/**
 * Adopting a live organisation whole, as a team would: an organisation built
 * by hand through the plain HTTP APIs (every kind of both vendors, several
 * workspaces, a pending invite, a budget, a guardrail assigned to keys and
 * members, secrets inside settings), then `pulumi-ai-gateway import-org`, the
 * real `pulumi import --file`, and the generated program (TypeScript, YAML,
 * then Python) previewing clean, its secret inputs read from secret stack
 * config and never written into it; a small edit of the program updating just that object; and
 * `--unmanaged-only` listing exactly what was made by hand since. Also
 * `install-plugins`: the engine lists and runs the plugins it put in PULUMI_HOME.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { vendors } from "../../provider/resources";
import { knownPortkeyScopes } from "../../provider/portkey/scopes";
import { isEnumerable } from "../../provider/enumeration";
import { ADMIN_KEY, call, callOpenRouter } from "../support/emulator";
import { seedOrganizationMembers } from "../support/openrouter-members";
import { seedScimGroups } from "../support/openrouter-scim";
import { pythonEnv } from "../support/python";

jest.setTimeout(20 * 60_000);

const ROOT = path.resolve(__dirname, "..", "..");
const CLI = path.join(ROOT, "bin", "pulumi-ai-gateway");
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const MANAGEMENT_KEY = "sk-or-mgmt-import-org-0123456789abcdef";
const STACK = "adopted";
/** Credentials the organisation holds: none may appear in anything the importer writes or prints. */
const CREDENTIALS = [ADMIN_KEY, MANAGEMENT_KEY, "sk-test-fake-key-12345", "wJalrSECRETvalue99", "sk-byok-openai-0123456789", "mcp-bearer-0123456789", "AKIAEXAMPLE1234"];
/** Secrets the APIs do return, inside a secret input's value: never in the program, only in the secret config files. */
const READABLE_SECRETS = ["whk-token-0123456789", "org-acme-secret-team", "hook-header-secret-42"];

const work = fs.mkdtempSync(path.join(os.tmpdir(), "import-org-"));
const project = path.join(work, "project");
const yamlProject = path.join(work, "yaml-project");
const pythonProject = path.join(work, "python-project");
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

/** Step 1 of the program's header: each secret the program reads, set as secret stack config from import-org's files. */
function setSecretConfig(out: string, stack: string, cwd: string): Promise<Ran> {
  const dir = path.join(out, "secret-config");
  return shell(`for key in $(ls "${dir}"); do pulumi config set --secret --stack ${stack} "$key" < "${dir}/$key"; done`, cwd);
}

interface ImportFile {
  resources: { type: string; name: string; id: string; version?: string }[];
}

function countByType(types: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of types) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Fails the test setup with the API's answer when a request by hand is refused. */
function ok<T extends { status: number; text: string }>(what: string, response: T): T {
  if (response.status >= 300) throw new Error(`${what}: ${response.status} ${response.text}`);
  return response;
}

/** Every kind of both vendors, made through the plain HTTP APIs as a team would in the dashboards. */
async function buildOrganisation(): Promise<void> {
  const portkey = async (what: string, method: string, route: string, body?: unknown) => ok(what, await call(emulator, method, route, body)).body;
  const openrouter = async (what: string, method: string, route: string, body?: unknown) => ok(what, await callOpenRouter(emulator, method, route, body, MANAGEMENT_KEY)).body;

  // Portkey: three workspaces, people in them, keys, an integration granted to two of them (a third row disabled).
  const teamA = await portkey("workspace A", "POST", "/admin/workspaces", {
    name: "Team A",
    description: "first team",
    usage_limits: [{ type: "cost", credit_limit: 100, periodic_reset: "monthly", alert_threshold: 80 }],
    rate_limits: [{ type: "requests", unit: "rpm", value: 60 }],
  });
  const teamB = await portkey("workspace B", "POST", "/admin/workspaces", { name: "🚀 Team B", description: "second team", defaults: { metadata: { env: "prod" } } });
  const teamC = await portkey("workspace C", "POST", "/admin/workspaces", { name: "Team C" });
  const ada = (await (await fetch(`${emulator.url}/_emulator/portkey/users`, { method: "POST", body: JSON.stringify({ email: "ada@example.com" }) })).json()) as { id: string };
  await portkey("member", "POST", `/admin/workspaces/${teamA.id}/users`, { users: [{ id: ada.id, role: "manager" }] });
  await portkey("invite", "POST", "/admin/users/invites", { email: "grace@example.com", role: "member", workspaces: [{ id: teamB.slug, role: "member" }] });
  await portkey("workspace key", "POST", "/api-keys/workspace/service", {
    name: "ci",
    workspace_id: teamA.id,
    scopes: ["completions.write"],
    defaults: { metadata: { team: "a", tier: 2 } },
    usage_limits: { credit_limit: 50, periodic_reset: "monthly", alert_threshold: 40 },
    rate_limits: [{ type: "requests", unit: "rpm", value: 10 }],
  });
  await portkey("organisation key", "POST", "/api-keys/organisation/service", { name: "Reporting", scopes: ["workspaces.list"] });
  await portkey("integration", "POST", "/integrations", {
    name: "Shared OpenAI",
    slug: "shared-openai",
    ai_provider_id: "openai",
    key: "sk-test-fake-key-12345",
    configurations: { openai_organization: "org-acme-secret-team" },
  });
  await portkey("access rows", "PUT", "/integrations/shared-openai/workspaces", {
    workspaces: [
      { id: teamA.id, enabled: true, usage_limits: [{ type: "cost", credit_limit: 10, periodic_reset: "monthly" }] },
      { id: teamB.id, enabled: true, rate_limits: [{ type: "requests", unit: "rpm", value: 30 }] },
      { id: teamC.id, enabled: false },
    ],
  });
  await portkey("models", "PUT", "/integrations/shared-openai/models", { models: [{ slug: "gpt-4o", enabled: true }], allow_all_models: false });
  await portkey("provider", "POST", "/providers", { name: "Team B OpenAI", integration_id: "shared-openai", workspace_id: teamB.id, slug: "team-b-openai", note: "by hand" });
  const support = await portkey("collection", "POST", "/collections", { name: "Support", workspace_id: teamB.id });
  await portkey("label", "POST", "/labels", { name: "canary", workspace_id: teamB.id, color_code: "#1f6feb" });
  const tone = await portkey("partial", "POST", "/prompts/partials", { name: "Tone", string: "Answer briefly.", workspace_id: teamB.id });
  await portkey("prompt", "POST", "/prompts", { name: "Triage", collection_id: support.id, string: `{{>${tone.slug}}} Sort: {{ticket}}`, parameters: { temperature: 0 }, virtual_key: "team-b-openai", model: "gpt-4o" });
  await portkey("config", "POST", "/configs", { name: "Retries", config: { retry: { attempts: 3 } }, workspace_id: teamA.id });
  await portkey("guardrail", "POST", "/guardrails", {
    name: "No numbers",
    workspace_id: teamA.id,
    checks: [
      { id: "default.regexMatch", parameters: { rule: "\\d{3}" } },
      { id: "default.webhook", parameters: { webhookURL: "https://checks.example/hook", headers: { Authorization: "hook-header-secret-42" } } },
    ],
    actions: { deny: true, async: false, on_fail: { feedback: { value: -5, weight: 1, metadata: "" } } },
  });
  // The organisation's default guardrails: a singleton import-org says (by name) it does not import.
  const orgGuardrail = await portkey("organisation guardrail", "POST", "/guardrails", {
    organisation_id: emulator.state().organisation_id,
    name: "Org words",
    checks: [{ id: "default.wordCount", parameters: { minWords: 1, maxWords: 500 } }],
    actions: { deny: false },
  });
  await portkey("organisation defaults", "PUT", "/admin/organisation/defaults", { input_guardrails: [orgGuardrail.slug] });
  await portkey("secret reference", "POST", "/secret-references", {
    name: "OpenAI key",
    manager_type: "aws_sm",
    auth_config: { aws_auth_type: "accessKey", aws_access_key_id: "AKIAEXAMPLE1234", aws_secret_access_key: "wJalrSECRETvalue99", aws_region: "us-east-1" },
    secret_path: "prod/openai",
  });
  await portkey("usage policy", "POST", "/policies/usage-limits", {
    name: "Per key",
    conditions: [{ key: "workspace_id", value: teamB.id }],
    group_by: [{ key: "api_key" }],
    type: "cost",
    credit_limit: 100,
    workspace_id: teamB.id,
  });
  await portkey("rate policy", "POST", "/policies/rate-limits", {
    name: "Per user",
    conditions: [{ key: "workspace_id", value: teamB.id }],
    group_by: [{ key: "metadata.user_id" }],
    type: "requests",
    unit: "rpm",
    value: 60,
    workspace_id: teamB.id,
  });

  // MCP: an integration granted to Team A (its capability switched off), a server there; a SCIM mapping; Team C skips the input defaults.
  const mcp = await portkey("MCP integration", "POST", "/mcp-integrations", {
    name: "Linear",
    slug: "linear",
    url: "https://mcp.linear.app/mcp",
    auth_type: "none",
    transport: "http",
    configurations: { custom_headers: { Authorization: "Bearer mcp-bearer-0123456789" } },
  });
  await portkey("MCP access", "PUT", `/mcp-integrations/${mcp.id}/workspaces`, { workspaces: [{ id: teamA.id, enabled: true }] });
  await portkey("MCP sync", "POST", `/mcp-integrations/${mcp.id}/sync`, { capabilities: [{ name: "delete_issue", type: "tool" }, { name: "search", type: "tool" }] });
  await portkey("MCP capabilities", "PUT", `/mcp-integrations/${mcp.id}/capabilities`, { capabilities: [{ name: "delete_issue", type: "tool", enabled: false }] });
  const server = await portkey("MCP server", "POST", "/mcp-servers", { name: "Linear", slug: "linear-team-a", mcp_integration_id: mcp.id, workspace_id: teamA.id });
  await portkey("MCP server capabilities", "PUT", `/mcp-servers/${server.id}/capabilities`, { capabilities: [{ name: "search", type: "tool", enabled: false }] });
  await portkey("MCP user access", "PUT", `/mcp-servers/${server.id}/user-access`, { default_user_access: "deny", user_access: [{ user_id: ada.id, enabled: true }] });
  await portkey("SCIM mapping", "POST", "/scim/workspaces", { workspace_id: teamB.id, scim_group_name: "Team B engineers", role: "member" });
  await portkey("exclusion", "PUT", "/workspace-exclusions/input-guardrails", { workspaces: [{ workspace_id: teamC.id, excluded: true }] });

  // OpenRouter: a workspace with settings, people, keys, a BYOK key, a destination, a budget set by hand, guardrails assigned to a key and a member.
  const research = (await openrouter("workspace", "POST", "/workspaces", { name: "Research", slug: "research", description: "models we try", default_provider_sort: "price" })).data as {
    id: string;
    default_guardrail_id: string;
  };
  const [alan] = await seedOrganizationMembers(emulator, [{ email: "alan@example.com" }]);
  await openrouter("workspace member", "POST", `/workspaces/${research.id}/members/add`, { user_ids: [alan.id] });
  const bot = (await openrouter("key", "POST", "/keys", { name: "bot", limit: 25, limit_reset: "monthly", workspace_id: research.id })).data as { hash: string };
  await openrouter("default workspace key", "POST", "/keys", { name: "legacy", include_byok_in_limit: true });
  await openrouter("byok", "POST", "/byok", { provider: "openai", key: "sk-byok-openai-0123456789", name: "team openai", workspace_id: research.id });
  await openrouter("destination", "POST", "/observability/destinations", { type: "webhook", name: "traces", config: { url: "https://hooks.example/h?token=whk-token-0123456789" }, workspace_id: research.id });
  await openrouter("budget", "PUT", `/workspaces/${research.id}/budgets/monthly`, { limit_usd: 200 });
  const guardrail = (await openrouter("guardrail", "POST", "/guardrails", { name: "Cheap models", workspace_id: research.id, limit_usd: 5, reset_interval: "weekly" })).data as { id: string };
  await openrouter("key assignment", "POST", `/guardrails/${guardrail.id}/assignments/keys`, { key_hashes: [bot.hash] });
  // A key on the workspace's default guardrail, as the dashboard may show it (the API refuses to make one): listed, and skipped by name.
  const ops = (await openrouter("key on the default guardrail", "POST", "/keys", { name: "ops", workspace_id: research.id })).data as { hash: string };
  await openrouter("member assignment", "POST", `/guardrails/${guardrail.id}/assignments/members`, { member_user_ids: [alan.id] });
  await openrouter("default guardrail", "PATCH", `/guardrails/${research.default_guardrail_id}`, { description: "every request", allowed_providers: ["openai"] });
  const assignments = (emulator.openrouterState().guardrail_key_assignments ??= {});
  assignments["hand-made-default-assignment"] = {
    id: "hand-made-default-assignment",
    guardrail_id: research.default_guardrail_id,
    key_hash: ops.hash,
    assigned_by: null,
    created_at: new Date().toISOString(),
  };
  await openrouter("organisation settings", "PATCH", "/organization/settings", { is_filtered_model_catalog_enabled: true });
  await openrouter("preset", "POST", `/presets/support/chat/completions?workspace_id=${research.id}`, { model: "openai/gpt-4o-mini", temperature: 0.2, messages: [{ role: "system", content: "Be brief." }] });
  await openrouter("private provider", "POST", "/private-providers", {
    name: "Acme Inference",
    display_name: "Acme",
    base_url: "https://llm.acme.example/v1",
    data_policy: { training: false, retains_prompts: false, prompt_retention_days: null },
    datacenters: ["DE"],
  });
  await openrouter("private endpoint", "POST", "/private-endpoints", {
    model_permaslug: "openai/gpt-4o-2024-08-06",
    provider_slug: "acme-inference",
    upstream_model_id: "gpt-4o-prod",
    pricing: { prompt: "0.0000025", completion: "0.00001" },
  });
  const [engineers] = await seedScimGroups(emulator, [{ display_name: "Engineers", members: [alan.id] }]);
  await openrouter("SCIM group mapping", "POST", "/scim/group-mappings", { scim_group_id: engineers.id, workspace_id: research.id, role: "member" });
}

/** A project directory whose program resolves this package and its @pulumi/pulumi, as an installed project would. */
function makeProject(dir: string, settings: string): void {
  fs.mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, "node_modules", "pulumi-ai-gateway"));
  fs.symlinkSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi"), path.join(dir, "node_modules", "@pulumi", "pulumi"));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: path.basename(dir), private: true }));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), settings);
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, "dist", "provider", "cli", "main.js"))) throw new Error("dist is not built: run `npm run build` first");
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], managementKeys: [MANAGEMENT_KEY], checkResponses: true });
  await buildOrganisation();
  fs.mkdirSync(state);
  fs.mkdirSync(home);
  makeProject(project, "name: adopted\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n");
  makeProject(yamlProject, "name: adopted-yaml\nruntime: yaml\n");
  fs.mkdirSync(pythonProject);
  fs.writeFileSync(path.join(pythonProject, "Pulumi.yaml"), "name: adopted-python\nruntime: python\n");
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** Every kind the package declares that import-org lists (singletons say why not), as the engine's type token. */
const EVERY_KIND = vendors().flatMap((v) =>
  v.resources.filter((r) => isEnumerable(r.declared.declaration.enumerate)).map((r) => r.declared.declaration.kind.replace(":", ":index:")),
);

let importJson: ImportFile;

test("import-org reads every kind; pulumi import --file takes them in; the TypeScript program previews clean and is the same on a second run", async () => {
  const first = await cli(`import-org --out "${path.join(work, "out")}"`);
  importJson = JSON.parse(fs.readFileSync(path.join(work, "out", "import.json"), "utf8")) as ImportFile;
  const program = fs.readFileSync(path.join(work, "out", "index.ts"), "utf8");
  const counts = countByType(importJson.resources.map((r) => r.type));
  for (const kind of EVERY_KIND) expect([kind, counts[kind] ?? 0]).toEqual([kind, expect.any(Number)]);
  expect(Object.keys(counts).sort()).toEqual([...EVERY_KIND].sort());
  expect(importJson.resources.every((r) => r.version === VERSION)).toBe(true);
  // Unique names the engine accepts and TypeScript can name variables after.
  const names = importJson.resources.map((r) => r.name);
  expect(new Set(names).size).toBe(names.length);
  for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
  expect(names).toEqual(
    expect.arrayContaining(["ws-team-a", "ws-team-b", "key-team-a-ci", "key-reporting", "access-shared-openai-team-a", "member-team-a-ada-example-com", "invite-grace-example-com", "or-ws-research", "or-key-research-bot", "budget-research"]),
  );
  // The disabled row is not an access to adopt, and the importer says so by name.
  expect(names.filter((n) => n.startsWith("access-")).sort()).toEqual(["access-shared-openai-team-a", "access-shared-openai-team-b"]);
  expect(first.stderr).toMatch(/IntegrationWorkspaceAccess shared-openai\/[0-9a-f-]+ is not imported: the row is disabled/);
  const ids = importJson.resources.map((r) => r.id);
  const live = <T extends { deleted_at?: string | null }>(items: Record<string, T>) => Object.values(items).filter((item) => !item.deleted_at);
  const [home, ...others] = [...live(emulator.state().workspaces)].sort((a, b) => Number(!!b.is_default) - Number(!!a.is_default));
  expect(home.is_default).toBe(true);
  expect(ids).toEqual(expect.arrayContaining(others.map((w) => w.id)));
  // The organisation's default workspace is never imported (Pulumi could only fail to delete it); a warning says so.
  expect(ids).not.toContain(home.id);
  expect(first.stderr).toContain(`(${home.id}) is not imported: it is the organisation's default workspace`);
  // References, not ids: keys and grants name their workspace and integration, assignments their guardrail and key.
  expect(program).toContain("workspaceId: ws_team_a.id");
  expect(program).toContain("integrationSlug: integration_shared_openai.id");
  expect(program).toMatch(/guardrailId: or_guardrail_research_cheap_models\.id/);
  expect(program).toMatch(/keyHash: or_key_research_bot\.id/);
  expect(program).toContain("// ---- Portkey workspace \"Team A\" ----");
  expect(program).toContain('icon: "🚀"');
  // Secrets the APIs never return are left undeclared, with how to take them over from stack config.
  expect(program).toContain("pulumi config set --secret integration-shared-openai-key <value>");
  expect(program).toContain('key: config.requireSecret("integration-shared-openai-key")');
  expect(program).toContain("pulumi config set --secret byok-research-openai-team-openai-key <value>");
  expect(program).toContain("pulumi config set --secret mcp-integration-linear-configurations <value>");
  // Secret inputs the APIs do return (settings, a webhook URL with its token, check parameters) are read from secret
  // stack config, every kind alike: their values are only in the secret config files, mode 0600.
  expect(program).toContain('configurations: config.requireSecretObject<any>("integration-shared-openai-configurations")');
  expect(program).toContain('config: config.requireSecretObject<any>("destination-research-traces-config")');
  expect(program).toMatch(/authConfig: config\.requireSecretObject<any>\("secret-ref-[a-z0-9-]+-auth-config"\)/);
  expect(program).toMatch(/checks: config\.requireSecretObject<any>\("guardrail-team-a-no-numbers-checks"\)/);
  const secretDir = path.join(work, "out", "secret-config");
  const secretFiles = fs.readdirSync(secretDir);
  expect(secretFiles).toEqual(expect.arrayContaining(["integration-shared-openai-configurations", "destination-research-traces-config"]));
  const secretValues = secretFiles.map((file) => fs.readFileSync(path.join(secretDir, file), "utf8")).join("\n");
  for (const secret of READABLE_SECRETS) {
    expect(secretValues).toContain(secret);
    expect(first.stdout + first.stderr + program + JSON.stringify(importJson)).not.toContain(secret);
  }
  for (const file of secretFiles) expect(fs.statSync(path.join(secretDir, file)).mode & 0o077).toBe(0);
  // What is not imported is named: the organisation's default guardrails (a singleton) and a key on a workspace's default guardrail.
  expect(first.stderr).toMatch(/warning: portkey:OrganisationDefaultGuardrails: not imported: a singleton/);
  expect(first.stderr).toMatch(/warning: openrouter:GuardrailKeyAssignment 'ops' \([0-9a-f-]+\/[0-9a-f]{64}\) is not imported: its guardrail [0-9a-f-]+ is not an importable Guardrail \(a workspace's default guardrail/);
  // Comments wrap at ~110 characters.
  expect(program.split("\n// ").join(" ")).toContain("the `key` secret only when the object is created, so that output stays empty until `rotateWhen` is changed");
  for (const secret of CREDENTIALS) expect(first.stdout + first.stderr + program + JSON.stringify(importJson) + secretValues).not.toContain(secret);

  // The generated program is the project's program (pulumi import wants the project's main file to exist).
  fs.copyFileSync(path.join(work, "out", "index.ts"), path.join(project, "index.ts"));
  await pulumi(`stack init ${STACK}`);
  await setSecretConfig(path.join(work, "out"), STACK, project);
  // Code generation needs the Go language host, which is not served here: index.ts is the code.
  const imported = await pulumi(`import --stack ${STACK} --file "${path.join(work, "out", "import.json")}" --yes --skip-preview --generate-code=false`);
  expect(imported.stdout).toContain(`${importJson.resources.length} imported`);
  const exported = JSON.parse((await pulumi(`stack export --stack ${STACK}`)).stdout) as { deployment: { resources: { type: string; id?: string }[] } };
  const adopted = exported.deployment.resources.filter((r) => !r.type.startsWith("pulumi:"));
  expect(adopted.map((r) => r.id).sort()).toEqual(importJson.resources.map((r) => r.id).sort());

  const preview = await pulumi(`preview --stack ${STACK} --expect-no-changes`);
  expect(preview.stdout).toMatch(new RegExp(`${importJson.resources.length + 1} unchanged`));

  // Stable: the same organisation gives the same files, byte for byte.
  await cli(`import-org --out "${path.join(work, "again")}" --portkey --openrouter`);
  expect(fs.readFileSync(path.join(work, "again", "import.json"), "utf8")).toBe(fs.readFileSync(path.join(work, "out", "import.json"), "utf8"));
  expect(fs.readFileSync(path.join(work, "again", "index.ts"), "utf8")).toBe(program);
});

test("a small edit of the generated program updates just that object", async () => {
  const file = path.join(project, "index.ts");
  const program = fs.readFileSync(file, "utf8");
  expect(program).toContain('description: "first team"');
  fs.writeFileSync(file, program.replace('description: "first team"', 'description: "first team, now in code"'));
  const up = await pulumi(`up --stack ${STACK} --yes --skip-preview`);
  expect(up.stdout).toMatch(/~ 1 updated/);
  expect(up.stdout).toContain("ws-team-a");
  expect((Object.values(emulator.state().workspaces) as { name: string; description?: string }[]).find((w) => w.name === "Team A")?.description).toBe("first team, now in code");
});

test("the generated secrets block works: a credential taken over from secret stack config updates just that integration, encrypted in state", async () => {
  const file = path.join(project, "index.ts");
  const program = fs.readFileSync(file, "utf8");
  const declaration = 'new portkey.Integration("integration-shared-openai", {\n';
  expect(program).toContain(declaration);
  // The line the block says to add, as a user would (the program already reads secret config).
  expect(program).toContain("const config = new pulumi.Config();");
  const edited = program.replace(declaration, `${declaration}  key: config.requireSecret("integration-shared-openai-key"),\n`);
  fs.writeFileSync(file, edited);
  await pulumi(`config set --secret integration-shared-openai-key sk-rotated-by-config-0123 --stack ${STACK}`);
  const up = await pulumi(`up --stack ${STACK} --yes --skip-preview`);
  expect(up.stdout).toMatch(/~ 1 updated/);
  expect(up.stdout).toContain("integration-shared-openai");
  expect((await pulumi(`stack export --stack ${STACK}`)).stdout).not.toContain("sk-rotated-by-config-0123");
});

test("the YAML program previews clean after its import", async () => {
  // The engine finds language hosts beside its own binary or on PATH.
  const hasHost = await shell('test -x "$(dirname "$(readlink -f "$(command -v pulumi)")")/pulumi-language-yaml" || command -v pulumi-language-yaml', work).then(
    () => true,
    () => false,
  );
  if (!hasHost) {
    console.warn("skipped: the YAML language host is not on PATH (scripts/lib/toolchain.sh builds it with Go)");
    return;
  }
  const out = path.join(work, "yaml-out");
  await cli(`import-org --language yaml --out "${out}"`);
  const program = fs.readFileSync(path.join(out, "Main.yaml"), "utf8");
  expect(program).toContain("workspaceId: ${ws-team-a.id}");
  expect(program).toContain("pulumi config set --secret integration-shared-openai-key <value>");
  fs.copyFileSync(path.join(out, "Main.yaml"), path.join(yamlProject, "Main.yaml"));
  const yaml = (args: string) => shell(`pulumi ${args} --non-interactive`, yamlProject, {}, path.join(ROOT, "bin"));
  expect(program).toContain("  destination-research-traces-config:\n    type: object\n    secret: true\n");
  expect(program).toContain("      config: ${destination-research-traces-config}\n");
  for (const secret of [...CREDENTIALS, ...READABLE_SECRETS]) expect(program).not.toContain(secret);
  await yaml("stack init adopted-yaml");
  await setSecretConfig(out, "adopted-yaml", yamlProject);
  const imported = await yaml(`import --stack adopted-yaml --file "${path.join(out, "import.json")}" --yes --skip-preview --generate-code=false`);
  expect(imported.stdout).toContain(`${importJson.resources.length} imported`);
  const preview = await yaml("preview --stack adopted-yaml --expect-no-changes");
  expect(preview.stdout).toMatch(new RegExp(`${importJson.resources.length + 1} unchanged`));
});

test("the Python program, on the generated Python SDKs, previews clean after its import", async () => {
  const python = pythonEnv();
  if ("missing" in python) {
    console.warn(`skipped: the Python program needs Python: ${python.missing}`);
    return;
  }
  // Both SDKs installed from copies (setuptools leaves build files beside the sources), into the project's own directory.
  const site = path.join(pythonProject, ".site");
  for (const vendor of ["portkey", "openrouter"]) {
    const source = path.join(work, `sdk-${vendor}`);
    fs.cpSync(path.join(ROOT, "sdk", "python", vendor), source, { recursive: true });
    await shell(`"${python.python}" -m pip install --quiet --no-deps --no-build-isolation --target "${site}" "${source}"`, work);
  }
  const out = path.join(work, "python-out");
  await cli(`import-org --language python --out "${out}"`);
  const program = fs.readFileSync(path.join(out, "__main__.py"), "utf8");
  expect(program).toContain("import pulumi_ai_gateway_portkey as portkey\n");
  expect(program).toContain("workspace_id=ws_team_a.id,");
  expect(program).toContain('usage_limits=[{"alert_threshold": 80, "credit_limit": 100, "periodic_reset": "monthly", "type": "cost"}],');
  expect(program).toContain('config=config.require_secret_object("destination-research-traces-config"),');
  for (const secret of [...CREDENTIALS, ...READABLE_SECRETS]) expect(program).not.toContain(secret);
  fs.copyFileSync(path.join(out, "__main__.py"), path.join(pythonProject, "__main__.py"));
  const env = { PULUMI_PYTHON_CMD: python.python, PYTHONPATH: site };
  const py = (args: string) => shell(`pulumi ${args} --non-interactive`, pythonProject, env, `${path.join(ROOT, "scripts", "python-language-host")}:${path.join(ROOT, "bin")}`);
  await py("stack init adopted-python");
  await setSecretConfig(out, "adopted-python", pythonProject);
  const imported = await py(`import --stack adopted-python --file "${path.join(out, "import.json")}" --yes --skip-preview --generate-code=false`);
  expect(imported.stdout).toContain(`${importJson.resources.length} imported`);
  const preview = await py("preview --stack adopted-python --expect-no-changes");
  expect(preview.stdout).toMatch(new RegExp(`${importJson.resources.length + 1} unchanged`));
});

test("--unmanaged-only lists exactly the objects made by hand since the import", async () => {
  const teamD = ok("workspace D", await call(emulator, "POST", "/admin/workspaces", { name: "Team D" })).body as { id: string };
  const made = ok("OpenRouter key", await callOpenRouter(emulator, "POST", "/keys", { name: "by hand" }, MANAGEMENT_KEY)).body as { data: { hash: string } };
  const exportFile = path.join(work, "stack.json");
  fs.writeFileSync(exportFile, (await pulumi(`stack export --stack ${STACK}`)).stdout);
  const out = path.join(work, "unmanaged");
  const ran = await cli(`import-org --unmanaged-only "${exportFile}" --out "${out}"`);
  const resources = (JSON.parse(fs.readFileSync(path.join(out, "import.json"), "utf8")) as ImportFile).resources;
  expect(resources.map((r) => [r.type, r.id]).sort()).toEqual(
    [
      ["portkey:index:Workspace", teamD.id],
      ["openrouter:index:ApiKey", made.data.hash],
    ].sort(),
  );
  expect(ran.stdout).toContain("that stack");
});

test("a key that cannot list a kind: import-org warns naming the kind and the API's answer, and imports the rest", async () => {
  // Portkey refuses a guardrail list without a list scope (a config list, by contrast, just leaves out what the key may not see).
  const scopes = [...knownPortkeyScopes()].filter((scope) => !/^(organisation_)?guardrails\./.test(scope));
  const limited = ok("limited admin key", await call(emulator, "POST", "/api-keys/organisation/service", { name: "no guardrails", scopes })).body as { key: string };
  const out = path.join(work, "limited");
  const ran = await cli(`import-org --portkey --portkey-api-key "${limited.key}" --out "${out}"`);
  const types = (JSON.parse(fs.readFileSync(path.join(out, "import.json"), "utf8")) as ImportFile).resources.map((r) => r.type);
  expect(types).not.toContain("portkey:index:Guardrail");
  expect(types).toEqual(expect.arrayContaining(["portkey:index:Workspace", "portkey:index:Config"]));
  expect(ran.stderr).toMatch(/warning: portkey:Guardrail: not imported: the key cannot list them \(.*403.*guardrails\.list/);
  expect(ran.stdout + ran.stderr).not.toContain(limited.key);
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
