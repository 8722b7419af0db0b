/**
 * The program `import-org` writes, from objects as the importer describes
 * them: references where the referenced object is imported too, a literal id
 * with the reason where it is not (the default workspace), the same text in
 * TypeScript, YAML and Python, and `--unmanaged-only` turning references to
 * objects the stack already manages into literals.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ImportedObject, ReadObject } from "../../../provider/cli/import-org";
import { secretInputs, unmanagedOnly } from "../../../provider/cli/import-org";
import type { InputFields } from "../../../provider/resource";
import { PackageSchema, programFile, pythonName } from "../../../provider/cli/program";
import { packageSchema } from "../../../provider/native/schema";
import { vendors } from "../../../provider/resources";

function object(partial: Partial<ImportedObject> & Pick<ImportedObject, "className" | "id" | "logicalName">): ImportedObject {
  return { vendor: "portkey", type: `portkey:index:${partial.className}`, inputs: {}, references: {}, literals: {}, secrets: [], configSecrets: [], notes: [], ...partial };
}

const workspace = object({ className: "Workspace", id: "ws-uuid-a", logicalName: "ws-team-a", group: "ws-team-a", inputs: { name: "Team A" } });
const key = object({
  className: "ApiKey",
  id: "key-1",
  logicalName: "key-team-a-ci",
  group: "ws-team-a",
  inputs: { name: "ci", workspaceId: "ws-uuid-a" },
  references: { workspaceId: { target: "ws-team-a", output: "id" } },
});
const defaultKey = object({
  className: "ApiKey",
  id: "key-2",
  logicalName: "key-default-bot",
  inputs: { name: "bot", workspaceId: "ws-uuid-default", description: "costs ${5}" },
  literals: { workspaceId: "portkey:Workspace 'Default' is not imported: it is the organisation's default workspace." },
});
const integration = object({
  className: "Integration",
  id: "shared-openai",
  logicalName: "integration-shared-openai",
  inputs: { name: "Shared OpenAI", slug: "shared-openai" },
  secrets: [{ input: "key", configKey: "integration-shared-openai-key" }],
});
const objects = [integration, defaultKey, workspace, key];

/** Comment lines wrapped at ~110 characters, joined back. */
function unwrapped(program: string, marker: string): string {
  return program.split(`\n${marker} `).join(" ");
}

test("TypeScript: references by variable, a literal id only with its reason, secrets listed once with their config keys", () => {
  const program = programFile(objects, "typescript");
  expect(program).toContain('const ws_team_a = new portkey.Workspace("ws-team-a", {');
  expect(program).toContain("workspaceId: ws_team_a.id,");
  expect(unwrapped(program, "//")).toContain("`workspaceId` stays a literal id: portkey:Workspace 'Default' is not imported: it is the organisation's default workspace.");
  expect(program).toContain('workspaceId: "ws-uuid-default",');
  expect(program).toContain("// ---- Portkey: organisation-wide ----");
  expect(program).toContain('// ---- Portkey workspace "Team A" ----');
  expect(program).toContain("//   pulumi config set --secret integration-shared-openai-key <value>");
  expect(program).toContain('//   integration-shared-openai: key: config.requireSecret("integration-shared-openai-key"),');
  expect(programFile(objects, "typescript")).toBe(program);
});

test("YAML: the same declarations, references as ${name.output}, interpolation escaped in literal strings", () => {
  const program = programFile(objects, "yaml");
  expect(program).toContain("resources:\n");
  expect(program).toContain("  ws-team-a:\n    type: portkey:index:Workspace\n    properties:\n      name: \"Team A\"\n");
  expect(program).toContain("      workspaceId: ${ws-team-a.id}\n");
  expect(program).toContain('      description: "costs $${5}"\n');
  expect(program).toContain("  # `workspaceId` stays a literal id: portkey:Workspace 'Default' is not imported");
  expect(program).toContain("#   pulumi config set --secret integration-shared-openai-key <value>");
});

test("--unmanaged-only keeps what the stack does not manage; a reference to a managed object becomes a literal with its reason", () => {
  const kept = unmanagedOnly(objects, new Set(["portkey:index:Workspace ws-uuid-a", "portkey:index:Integration shared-openai"]));
  expect(kept.map((o) => o.logicalName)).toEqual(["key-default-bot", "key-team-a-ci"]);
  const program = programFile(kept, "typescript");
  expect(program).toContain('workspaceId: "ws-uuid-a",');
  expect(unwrapped(program, "//")).toContain("`workspaceId` stays a literal id: it names portkey:index:Workspace 'ws-team-a', which the stack already manages.");
  expect(program).not.toContain("ws_team_a");
});

describe("Python: names as the generated Python SDK spells them", () => {
  test("every input of every resource, and every property of their nested types, has the Python name the SDK uses", () => {
    for (const vendor of vendors()) {
      const dir = path.join(__dirname, "..", "..", "..", "sdk", "python", vendor.name, `pulumi_ai_gateway_${vendor.name}`);
      const sdkNames = new Set<string>();
      for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".py"))) {
        for (const match of fs.readFileSync(path.join(dir, file), "utf8").matchAll(/pulumi\.set\(__self__, "(\w+)"/g)) sdkNames.add(match[1]);
      }
      const schema = packageSchema(vendor, "0.0.0") as PackageSchema;
      const names = [
        ...Object.values(schema.resources).flatMap((r) => Object.keys(r.inputProperties ?? {})),
        ...Object.values(schema.types).flatMap((t) => Object.keys(t.properties ?? {})),
      ];
      expect(names.map(pythonName).filter((name) => !sdkNames.has(name))).toEqual([]);
    }
  });

  test("keyword arguments, typed nested objects with Python keys, free-form maps as read, references and secret config", () => {
    const schema = packageSchema(vendors().find((v) => v.name === "portkey")!, "0.0.0") as PackageSchema;
    const limited = object({
      ...workspace,
      inputs: { name: "Team A", usageLimits: [{ creditLimit: 100, periodicReset: "monthly" }], metadata: { teamName: "a" }, icon: "🚀" },
    });
    const configured = object({
      ...integration,
      configSecrets: [{ input: "configurations", configKey: "integration-shared-openai-configurations", value: { openai_organization: "org-1" } }],
    });
    const program = programFile([configured, limited, key], "python", { portkey: schema });
    expect(program).toContain("import pulumi\nimport pulumi_ai_gateway_portkey as portkey\n\nconfig = pulumi.Config()\n");
    expect(program).toContain('ws_team_a = portkey.Workspace(\n    "ws-team-a",\n    name="Team A",\n');
    expect(program).toContain('    usage_limits=[{"credit_limit": 100, "periodic_reset": "monthly"}],\n');
    expect(program).toContain('    metadata={"teamName": "a"},\n');
    expect(program).toContain("    workspace_id=ws_team_a.id,\n");
    expect(program).toContain('    configurations=config.require_secret_object("integration-shared-openai-configurations"),\n');
    expect(program).not.toContain("org-1");
    expect(program).toContain('#   integration-shared-openai: key=config.require_secret("integration-shared-openai-key"),');
    expect(pythonName("HTTPServer")).toBe("http_server");
    expect(pythonName("from")).toBe("from_");
  });
});

describe("secret inputs, every kind alike: never in the program", () => {
  const secretInputsOfEveryKind = vendors().flatMap((vendor) =>
    vendor.resources.flatMap((resource) =>
      Object.entries(resource.declared.declaration.inputs() as InputFields)
        .filter(([, field]) => field.secret)
        .map(([name]) => [resource.declared.declaration.kind, name, resource] as const),
    ),
  );

  test("the package declares secret inputs (integration credentials and settings, guardrail checks, destination config, ...)", () => {
    expect(secretInputsOfEveryKind.length).toBeGreaterThanOrEqual(6);
  });

  test.each(secretInputsOfEveryKind)("%s %s: a value read back is taken out of the program's inputs, and listed once", (_kind, name, resource) => {
    const fields = resource.declared.declaration.inputs() as InputFields;
    // A value of the input's own type, as the API could answer it.
    const value = ["sk-read-back-0123", { url: "https://hooks.example/h?token=read-back" }, [{ id: "default.webhook" }]].find((candidate) => fields[name].schema.safeParse(candidate).success);
    expect(value).toBeDefined();
    const inputs: Record<string, unknown> = { [name]: value };
    const read: ReadObject = { resource, id: "id-1", props: { [name]: value }, inputs: { [name]: value } };
    const { secrets, configSecrets } = secretInputs(fields, inputs, read, "object-1");
    expect(inputs).toEqual({});
    expect([...secrets, ...configSecrets].filter((s) => s.input === name)).toHaveLength(1);
    // Required inputs are read from config, with the value as read; the others may be left out only when that changes nothing.
    if (!fields[name].schema.safeParse(undefined).success) expect(configSecrets).toEqual([{ input: name, configKey: expect.stringMatching(/^object-1-/), value }]);
  });
});
