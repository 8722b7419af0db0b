/**
 * The native plugins' package schema is derived from the same declarations as
 * the SDK: every resource under its token, every input and output, secrets
 * marked, the provider's credential secret, and no dangling type reference.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { classNameOf, packageSchema, REPOSITORY } from "../../../provider/native/schema";
import { vendors, Vendor } from "../../../provider/resources";
import type { InputField, OutputField } from "../../../provider/resource";

interface Property {
  type?: string;
  $ref?: string;
  items?: Property;
  additionalProperties?: Property;
  secret?: boolean;
  description?: string;
}

interface Schema {
  name: string;
  version: string;
  config: { variables: Record<string, Property> };
  provider: { inputProperties: Record<string, Property> };
  types: Record<string, { type: string; properties: Record<string, Property>; required: string[] }>;
  resources: Record<
    string,
    { description: string; inputProperties: Record<string, Property>; requiredInputs: string[]; properties: Record<string, Property>; required: string[] }
  >;
}

const schemaOf = (vendor: Vendor) => packageSchema(vendor, "1.2.3") as Schema;

/** Every `$ref` anywhere in a JSON value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, member]) => (key === "$ref" && typeof member === "string" ? [member] : refsIn(member)));
}

describe.each(vendors().map((vendor) => [vendor.name, vendor] as const))("the %s package schema", (_name, vendor) => {
  test("names the package and version, and lists every declared resource under its token", () => {
    const schema = schemaOf(vendor);
    expect(schema.name).toBe(vendor.name);
    expect(schema.version).toBe("1.2.3");
    const tokens = vendor.resources.map((resource) => `${vendor.name}:index:${resource.declared.declaration.kind.split(":")[1]}`);
    expect(Object.keys(schema.resources).sort()).toEqual([...tokens].sort());
    for (const resource of vendor.resources) expect(schema.resources[tokens[vendor.resources.indexOf(resource)]].description).toBe(resource.declared.declaration.doc);
  });

  test("every input is an input property, every input and output a property; required ones are listed", () => {
    const schema = schemaOf(vendor);
    for (const resource of vendor.resources) {
      const { declaration } = resource.declared;
      const spec = schema.resources[`${vendor.name}:index:${declaration.kind.split(":")[1]}`];
      const inputs = Object.keys(declaration.inputs());
      expect(Object.keys(spec.inputProperties)).toEqual(inputs);
      expect(Object.keys(spec.properties).sort()).toEqual([...inputs, ...Object.keys(declaration.outputs())].sort());
      for (const name of spec.requiredInputs) expect(inputs).toContain(name);
      for (const name of spec.required) expect(Object.keys(spec.properties)).toContain(name);
      // Each property has a type or a reference, and a description.
      for (const property of [...Object.values(spec.inputProperties), ...Object.values(spec.properties)]) {
        expect(property.type ?? property.$ref).toBeDefined();
        expect(property.description).toBeTruthy();
      }
    }
  });

  test("carries what a registry publishes: display name, publisher, repository, licence, keywords", () => {
    const schema = packageSchema(vendor, "1.2.3") as Record<string, unknown>;
    expect(schema).toMatchObject({
      displayName: vendor.settings.service,
      publisher: expect.any(String),
      license: "Apache-2.0",
      repository: `https://${REPOSITORY}`,
      homepage: expect.stringMatching(/^https:\/\//),
      keywords: expect.arrayContaining([vendor.name, "kind/native"]),
    });
    expect(schema.description).toContain(vendor.doc.replace(/\.$/, ""));
  });

  test("every type, look-up and their properties carry a description", () => {
    const schema = packageSchema(vendor, "1.2.3") as {
      types: Record<string, { description?: string; properties: Record<string, Property> }>;
      functions: Record<string, { description?: string; inputs: { properties: Record<string, Property> }; outputs: { properties: Record<string, Property> } }>;
    };
    const undocumented: string[] = [];
    const check = (where: string, described: { description?: string }) => void (described.description ? undefined : undocumented.push(where));
    for (const [token, type] of Object.entries(schema.types)) {
      check(token, type);
      for (const [name, property] of Object.entries(type.properties)) check(`${token}.${name}`, property);
    }
    for (const [token, fn] of Object.entries(schema.functions)) {
      check(token, fn);
      for (const [name, property] of Object.entries({ ...fn.inputs.properties, ...fn.outputs.properties })) check(`${token}.${name}`, property);
    }
    expect(undocumented).toEqual([]);
  });

  test("each language's package is named: Node.js imports the native classes from its root, Go has a real import path", () => {
    const language = (packageSchema(vendor, "1.2.3") as { language: Record<string, Record<string, unknown>> }).language;
    expect(Object.keys(language).sort()).toEqual(["csharp", "go", "java", "nodejs", "python"]);
    // Code Pulumi generates writes `import * as <vendor> from "<packageName>"; new <vendor>.Workspace(...)`.
    const packageName = language.nodejs.packageName as string;
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { name: string; exports: Record<string, { default: string }> };
    expect(packageName.startsWith(`${manifest.name}/`)).toBe(true);
    const target = manifest.exports[`./${packageName.slice(manifest.name.length + 1)}`]?.default;
    expect(target).toBe(`./dist/sdk/native/${vendor.name}/index.js`);
    const root = require(`../../../sdk/native/${vendor.name}`) as Record<string, unknown>;
    for (const resource of vendor.resources) expect(typeof root[classNameOf(resource)]).toBe("function");
    expect(typeof root.Provider).toBe("function");
    expect(language.go.importBasePath).toBe(`${REPOSITORY}/sdk/go/${vendor.name}`);
    expect(language.python.packageName).toMatch(/^[a-z_]+$/);
    expect(language.csharp.rootNamespace).toMatch(/^[A-Z][A-Za-z]+$/);
  });

  test("the ApiKey's `key` output, and every field declared secret, is secret", () => {
    const schema = schemaOf(vendor);
    expect(schema.resources[`${vendor.name}:index:ApiKey`].properties.key.secret).toBe(true);
    for (const resource of vendor.resources) {
      const { declaration } = resource.declared;
      const spec = schema.resources[`${vendor.name}:index:${declaration.kind.split(":")[1]}`];
      const fields = [...Object.entries(declaration.inputs()), ...Object.entries(declaration.outputs())] as [string, InputField | OutputField][];
      for (const [name, field] of fields) expect([name, spec.properties[name].secret === true]).toEqual([name, field.secret === true]);
    }
  });

  test("the config and the provider take the credential as a secret, and the base URL", () => {
    const schema = schemaOf(vendor);
    const credential = vendor.settings.keyConfig.split(":")[1];
    const baseUrl = vendor.settings.baseUrlConfig.split(":")[1];
    expect(credential).toBe(vendor.name === "portkey" ? "apiKey" : "managementKey");
    for (const properties of [schema.config.variables, schema.provider.inputProperties]) {
      expect(Object.keys(properties).sort()).toEqual([credential, baseUrl].sort());
      expect(properties[credential]).toMatchObject({ type: "string", secret: true });
      expect(properties[credential].description).toContain(vendor.settings.keyEnv);
      expect(properties[baseUrl].secret).toBeUndefined();
      expect(properties[baseUrl].description).toContain(vendor.settings.baseUrlEnv);
    }
  });

  test("every reference resolves: to a type of the schema, or to Any", () => {
    const schema = schemaOf(vendor);
    const refs = refsIn(schema);
    for (const ref of refs) {
      if (ref === "pulumi.json#/Any") continue;
      expect(ref).toMatch(/^#\/types\//);
      expect(Object.keys(schema.types)).toContain(ref.slice("#/types/".length));
    }
    // Each named SDK type is a schema type, named without the `Args` suffix, and so is each look-up's item type.
    const lookupTypes = vendor.lookups.flatMap((lookup) => Object.keys(lookup.declared.declaration.types?.() ?? {}));
    expect(Object.keys(schema.types).sort()).toEqual(
      [...Object.keys(vendor.sdkTypes()), ...lookupTypes].map((name) => `${vendor.name}:index:${name.replace(/Args$/, "")}`).sort(),
    );
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema); // plain JSON, as GetSchema sends it
  });
});

test("list fields of a named type refer to it as array items; JSON values are Any", () => {
  const portkey = schemaOf(vendors().find((vendor) => vendor.name === "portkey")!);
  const workspace = portkey.resources["portkey:index:Workspace"];
  expect(workspace.inputProperties.usageLimits).toMatchObject({ type: "array", items: { $ref: "#/types/portkey:index:UsageLimit" } });
  expect(workspace.inputProperties.metadata).toMatchObject({ type: "object", additionalProperties: { type: "string" } });
  expect(workspace.requiredInputs).toEqual(["name"]);
  const apiKey = portkey.resources["portkey:index:ApiKey"];
  expect(apiKey.inputProperties.usageLimits).toMatchObject({ $ref: "#/types/portkey:index:UsageLimit" });
  expect(apiKey.inputProperties.metadata).toMatchObject({ type: "object", additionalProperties: { $ref: "pulumi.json#/Any" } });
  expect(apiKey.inputProperties.rotateWhen).toMatchObject({ $ref: "pulumi.json#/Any" });
  // API keys take fractional budgets (2.5): the shared type admits any number there.
  expect(portkey.types["portkey:index:UsageLimit"].properties.creditLimit.type).toBe("number");
  expect(portkey.types["portkey:index:RateLimit"].properties.value.type).toBe("integer");
});

test("an input declared secret is a secret input property", () => {
  const vendor = vendors().find((candidate) => candidate.name === "portkey")!;
  const [resource] = vendor.resources;
  const original = resource.declared.declaration;
  const declaration = { ...original, inputs: () => ({ ...original.inputs(), description: { ...original.inputs().description, secret: true } }) };
  const altered: Vendor = { ...vendor, resources: [{ ...resource, declared: { ...resource.declared, declaration } }] };
  const spec = (packageSchema(altered, "1.2.3") as Schema).resources["portkey:index:Workspace"];
  expect(spec.inputProperties.description.secret).toBe(true);
  expect(spec.properties.description.secret).toBe(true);
});
