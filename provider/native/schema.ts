/**
 * The Pulumi package schema of one vendor's native provider plugin
 * (`pulumi-resource-portkey`, `pulumi-resource-openrouter`), derived from the
 * same resource declarations as the dynamic SDK: resources, their inputs and
 * outputs with types, docs and secrets, the shared object types, and the
 * provider's configuration. scripts/generate.ts reads the helpers here too, so
 * the schema and the generated SDK classes agree on optionality and types.
 *
 * Zod schemas are only built inside functions (the declarations' tables are
 * functions), never at module scope.
 */
import { z } from "zod";
import type { InputField, OutputField } from "../resource";
import type { RegisteredLookup, RegisteredResource, Vendor } from "../resources";
import { functionNameOf } from "../lookup";
import { PLUGIN_DOWNLOAD_URL, REPOSITORY } from "../package-info";

/** The part of JSON Schema that zod emits for our field types. */
export interface JsonSchema {
  /** One type, or several (zod writes a union of primitives so). */
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  $ref?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
  default?: unknown;
  description?: string;
}

/** A Pulumi schema type: a primitive, a list, a map or a reference. */
interface TypeSpec {
  type?: "string" | "number" | "integer" | "boolean" | "array" | "object";
  items?: TypeSpec;
  additionalProperties?: TypeSpec;
  $ref?: string;
}

interface PropertySpec extends TypeSpec {
  description?: string;
  secret?: boolean;
  default?: string;
  defaultInfo?: { environment: string[] };
}

interface ObjectTypeSpec {
  type: "object";
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

interface ResourceSpec {
  description: string;
  inputProperties: Record<string, PropertySpec>;
  requiredInputs: string[];
  properties: Record<string, PropertySpec>;
  required: string[];
}

/** Pulumi's "any value" type: unions and arbitrary JSON. */
const ANY = "pulumi.json#/Any";

export function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
}

/** Whether the field may be left out of the Args (input) or be undefined (output). */
export function isOptional(schema: z.ZodType, io: "input" | "output"): boolean {
  const parsed = schema.safeParse(undefined);
  return parsed.success && (io === "input" || parsed.data === undefined);
}

/** Whether the output of this name (an output, or an input read back) may be undefined. */
export function outputIsOptional(field: InputField | OutputField): boolean {
  // An input the server always answers (its default when unset), read as is, is never undefined as an output.
  const alwaysSet = field.role === "input" && field.serverDefault !== undefined && field.api !== undefined && !field.fromApi;
  return !alwaysSet && isOptional(field.schema, "output");
}

/** The SDK class name: the part of the kind after `:` (e.g. `Workspace`). */
export function classNameOf(resource: RegisteredResource): string {
  return resource.declared.declaration.kind.split(":")[1];
}

/** `portkey:index:Workspace`: what the engine, the plugin and the SDK call the resource. */
export function resourceToken(vendor: Vendor, resource: RegisteredResource): string {
  return `${vendor.name}:index:${classNameOf(resource)}`;
}

/** `portkey:index:getWorkspace`: what the engine, the plugin and the SDK call a look-up. */
export function functionToken(vendor: Vendor, lookup: RegisteredLookup): string {
  return `${vendor.name}:index:${functionNameOf(lookup.declared.declaration)}`;
}

/** `UsageLimitArgs` → `portkey:index:UsageLimit` (the SDK's `Args` suffix is not part of the type's name). */
export function typeToken(vendor: Vendor, sdkTypeName: string): string {
  return `${vendor.name}:index:${sdkTypeName.replace(/Args$/, "")}`;
}

/** One provider setting: its property (and config) name, doc, environment variable and default. */
export interface ProviderSetting {
  name: string;
  doc: string;
  env: string;
  secret: boolean;
  default?: string;
}

/** The provider's settings, named after the vendor's config keys (`portkey:apiKey` → `apiKey`). */
export function providerSettings(vendor: Vendor): { credential: ProviderSetting; baseUrl: ProviderSetting } {
  const { settings } = vendor;
  const nameOf = (key: string) => key.slice(key.indexOf(":") + 1);
  return {
    credential: {
      name: nameOf(settings.keyConfig),
      doc: `The ${settings.service} ${settings.credential}, kept as a secret. When not set, the environment variable \`${settings.keyEnv}\` is read.`,
      env: settings.keyEnv,
      secret: true,
    },
    baseUrl: {
      name: nameOf(settings.baseUrlConfig),
      doc:
        `The ${settings.service} API's base URL. When not set, the environment variable \`${settings.baseUrlEnv}\`, ` +
        `else \`${settings.defaultBaseUrl}\`. Plain http only to a loopback address (e.g. the local emulator).`,
      env: settings.baseUrlEnv,
      secret: false,
      default: settings.defaultBaseUrl,
    },
  };
}

function settingSpec(setting: ProviderSetting): PropertySpec {
  return {
    type: "string",
    description: setting.doc,
    ...(setting.secret ? { secret: true } : {}),
    ...(setting.default !== undefined ? { default: setting.default } : {}),
    defaultInfo: { environment: [setting.env] },
  };
}

/** The Pulumi type of a zod field's JSON Schema. */
function typeSpec(node: JsonSchema, where: string): TypeSpec {
  const types = Array.isArray(node.type) ? node.type.filter((type) => type !== "null") : undefined;
  const members = node.anyOf?.filter((member) => member.type !== "null");
  // A nullable value is its value's type; any other union is Any.
  if (members) return members.length === 1 ? typeSpec(members[0], where) : { $ref: ANY };
  if (types) return types.length === 1 ? typeSpec({ ...node, type: types[0] }, where) : { $ref: ANY };
  if (node.$ref) return { $ref: ANY }; // a recursive JSON value (z.json())
  if (node.enum || node.const !== undefined) {
    const values = node.enum ?? [node.const];
    return values.every((value) => typeof value === "string") ? { type: "string" } : { $ref: ANY };
  }
  switch (node.type) {
    case "string":
    case "number":
    case "integer":
    case "boolean":
      return { type: node.type };
    case "array":
      return { type: "array", items: node.items ? typeSpec(node.items, where) : { $ref: ANY } };
    case "object":
      if (node.properties) {
        // The schema has no inline object types: each needs a name in the vendor's sdkTypes().
        throw new Error(`${where} is an object without a named type: give it an \`sdkType\` listed in the vendor's sdkTypes().`);
      }
      return { type: "object", additionalProperties: typeof node.additionalProperties === "object" ? typeSpec(node.additionalProperties, where) : { $ref: ANY } };
    default:
      return { $ref: ANY };
  }
}

/** `UsageLimitArgs[]` → a list of `#/types/portkey:index:UsageLimit`. */
function namedTypeSpec(vendor: Vendor, sdkType: string): TypeSpec {
  const list = sdkType.endsWith("[]");
  const ref: TypeSpec = { $ref: `#/types/${typeToken(vendor, list ? sdkType.slice(0, -2) : sdkType)}` };
  return list ? { type: "array", items: ref } : ref;
}

/** The doc, with an enum's allowed values appended unless the doc already names each in backticks. */
function describe(doc: string, node: JsonSchema): string {
  const values = node.enum ?? (node.type === "array" ? node.items?.enum : undefined);
  if (!values || values.every((value) => doc.includes(`\`${String(value)}\``))) return doc;
  const list = values.map((value) => `\`${String(value)}\``).join(", ");
  return `${doc}${doc ? " " : ""}${node.type === "array" ? "Each one of" : "One of"}: ${list}.`;
}

function fieldSpec(vendor: Vendor, field: InputField | OutputField, doc: string, io: "input" | "output", where: string): PropertySpec {
  const node = jsonSchema(field.schema, io);
  const type = field.sdkType ? namedTypeSpec(vendor, field.sdkType) : typeSpec(node, where);
  return { ...type, description: field.sdkType ? doc : describe(doc, node), ...(field.secret ? { secret: true } : {}) };
}

function resourceSpec(vendor: Vendor, resource: RegisteredResource): ResourceSpec {
  const { declaration } = resource.declared;
  const inputs = Object.entries(declaration.inputs()) as [string, InputField][];
  const outputs = Object.entries(declaration.outputs()) as [string, OutputField][];
  const where = (name: string) => `${declaration.kind}.${name}`;
  const inputProperties = Object.fromEntries(inputs.map(([name, field]) => [name, fieldSpec(vendor, field, field.doc, "input", where(name))]));
  // Outputs first, then every input as read back: the order of the SDK class.
  const all = [...outputs, ...inputs] as [string, InputField | OutputField][];
  const properties = Object.fromEntries(
    all.map(([name, field]) => [name, fieldSpec(vendor, field, field.role === "input" ? (field.outputDoc ?? field.doc) : field.doc, "output", where(name))]),
  );
  return {
    description: declaration.doc,
    inputProperties,
    requiredInputs: inputs.filter(([, field]) => !isOptional(field.schema, "input")).map(([name]) => name),
    properties,
    required: all.filter(([, field]) => !outputIsOptional(field)).map(([name]) => name),
  };
}

/**
 * Properties of a named type that some resource's field of that type takes as
 * any number though the shared schema says whole (e.g. `creditLimit`: whole on
 * workspaces, 2.5 allowed on API keys): the type must admit every use.
 */
function fractionalProperties(vendor: Vendor, sdkTypeName: string): Set<string> {
  const found = new Set<string>();
  for (const resource of vendor.resources) {
    const { declaration } = resource.declared;
    for (const field of [...Object.values(declaration.inputs()), ...Object.values(declaration.outputs())] as (InputField | OutputField)[]) {
      if (field.sdkType?.replace(/\[\]$/, "") !== sdkTypeName) continue;
      const node = jsonSchema(field.schema, "input");
      const object = node.type === "array" ? node.items : node;
      for (const [property, member] of Object.entries(object?.properties ?? {})) if (member.type === "number") found.add(property);
    }
  }
  return found;
}

function objectTypeSpec(vendor: Vendor, name: string, schema: z.ZodObject): ObjectTypeSpec {
  const node = jsonSchema(schema, "input");
  const fractional = fractionalProperties(vendor, name);
  const properties = Object.fromEntries(
    Object.entries(node.properties ?? {}).map(([property, member]) => {
      const type = typeSpec(member, `${vendor.name} type ${name}.${property}`);
      if (type.type === "integer" && fractional.has(property)) type.type = "number";
      return [property, { ...type, description: describe(member.description ?? "", member) }];
    }),
  );
  return {
    type: "object",
    ...(node.description ? { description: node.description } : {}),
    properties,
    required: node.required ?? [],
  };
}

/** A named object type given as a table of fields (a plural look-up's item): each field typed as the resource's output of that name. */
function fieldsTypeSpec(vendor: Vendor, name: string, fields: Record<string, InputField | OutputField>, description: string): ObjectTypeSpec {
  const entries = Object.entries(fields);
  return {
    type: "object",
    description,
    properties: Object.fromEntries(entries.map(([property, field]) => [property, fieldSpec(vendor, field, field.doc, "output", `${vendor.name} type ${name}.${property}`)])),
    required: entries.filter(([, field]) => !outputIsOptional(field)).map(([property]) => property),
  };
}

function functionSpec(vendor: Vendor, lookup: RegisteredLookup): object {
  const { declaration } = lookup.declared;
  const args = Object.entries(declaration.args()) as [string, InputField][];
  const results = Object.entries(declaration.results()) as [string, OutputField][];
  const where = (name: string) => `${declaration.name}.${name}`;
  return {
    description: declaration.doc,
    inputs: {
      properties: Object.fromEntries(args.map(([name, field]) => [name, fieldSpec(vendor, field, field.doc, "input", where(name))])),
      required: args.filter(([, field]) => !isOptional(field.schema, "input")).map(([name]) => name),
    },
    outputs: {
      properties: Object.fromEntries(results.map(([name, field]) => [name, fieldSpec(vendor, field, field.doc, "output", where(name))])),
      required: results.filter(([, field]) => !outputIsOptional(field)).map(([name]) => name),
    },
  };
}

export { REPOSITORY };

/** The project's logo (sdk/assets/logo.png) as the repository serves it: registries and NuGet show it. */
export const LOGO_URL = `https://raw.githubusercontent.com/${REPOSITORY.slice("github.com/".length)}/main/sdk/assets/logo.png`;

/** The Go module of the generated Go SDK (sdk/go): one package per vendor. */
export const GO_SDK_MODULE = `${REPOSITORY}/sdk/go`;

/** The names a generated SDK of one vendor goes by in each language's package manager. */
export function languagePackages(vendor: Vendor) {
  const pascal = vendor.settings.service.replace(/[^A-Za-z0-9]/g, "");
  return {
    /** The npm module whose root exports the vendor's native classes (a subpath of this package). */
    nodejs: `pulumi-ai-gateway/native/${vendor.name}`,
    /** The PyPI distribution and the Python module it installs. */
    python: { distribution: `pulumi-ai-gateway-${vendor.name}`, module: `pulumi_ai_gateway_${vendor.name}` },
    /** The Go package, in the module {@link GO_SDK_MODULE}. */
    go: `${GO_SDK_MODULE}/${vendor.name}`,
    /** The NuGet package, which is also its root namespace. */
    csharp: `PulumiAiGateway.${pascal}`,
    /** The Java package (Maven group `io.github.pulumi-ai-gateway`). */
    java: `io.github.pulumiaigateway.${vendor.name}`,
  };
}

/**
 * Each language's code generator's settings. `nodejs.packageName` is what code
 * Pulumi writes from the schema imports (`pulumi import`, `pulumi convert`,
 * registry examples: `import * as portkey from "<packageName>"` and then
 * `new portkey.Workspace(...)`), so it names a module whose root exports the
 * native classes: `pulumi-ai-gateway/native/portkey`. The package's own root
 * exports the dynamic classes, and `pulumi-ai-gateway/native` exports one
 * namespace per vendor; neither compiles as such an import. The TypeScript SDK
 * itself is written by scripts/generate.ts, not by Pulumi's Node.js generator.
 */
function languageSpecs(vendor: Vendor): object {
  const names = languagePackages(vendor);
  return {
    nodejs: { packageName: names.nodejs, respectSchemaVersion: true },
    python: {
      packageName: names.python.module,
      readme:
        `# ${names.python.distribution}\n\n${vendor.doc.replace(/\.$/, "")}, as Pulumi resources: the Python SDK of the native provider ` +
        `plugin \`pulumi-resource-${vendor.name}\` of [pulumi-ai-gateway](https://${REPOSITORY}).\n\n` +
        "Install the plugin with `npx pulumi-ai-gateway install-plugins` (Node 22 or newer). Every class and argument here carries its reference text; " +
        "the same pages, with TypeScript and YAML examples, are in the `docs/` folder of the pulumi-ai-gateway npm package.\n",
      pyproject: { enabled: true },
      respectSchemaVersion: true,
      requires: { pulumi: ">=3.0.0,<4.0.0" },
    },
    go: { importBasePath: names.go, respectSchemaVersion: true },
    csharp: {
      rootNamespace: names.csharp.split(".")[0],
      // The vendor's own spelling (`OpenRouter`), not the package name title-cased (`Openrouter`).
      namespaces: { [vendor.name]: names.csharp.split(".")[1] },
      respectSchemaVersion: true,
      packageReferences: { Pulumi: "3.*" },
    },
    java: { basePackage: names.java.slice(0, names.java.lastIndexOf(".")) },
  };
}

/** The Pulumi package schema of one vendor's native provider, at the given (package) version. */
export function packageSchema(vendor: Vendor, version: string): object {
  const settings = providerSettings(vendor);
  const config = Object.fromEntries([settings.credential, settings.baseUrl].map((setting) => [setting.name, settingSpec(setting)]));
  const service = vendor.settings.service;
  return {
    name: vendor.name,
    displayName: service,
    version,
    description: `${vendor.doc.replace(/\.$/, "")}, served by a native Pulumi provider (pulumi-ai-gateway).`,
    keywords: ["pulumi", vendor.name, "ai-gateway", "llm", "category/utility", "kind/native"],
    homepage: `https://${REPOSITORY}`,
    repository: `https://${REPOSITORY}`,
    license: "Apache-2.0",
    logoUrl: LOGO_URL,
    publisher: "pulumi-ai-gateway",
    pluginDownloadURL: PLUGIN_DOWNLOAD_URL,
    config: { variables: config },
    provider: {
      description: `The provider of ${vendor.name} resources: where the API is and the credential to call it with.`,
      inputProperties: config,
      properties: config,
    },
    types: {
      ...Object.fromEntries(Object.entries(vendor.sdkTypes()).map(([name, schema]) => [typeToken(vendor, name), objectTypeSpec(vendor, name, schema)])),
      ...Object.fromEntries(vendor.lookups.flatMap((lookup) => Object.entries(lookup.declared.declaration.types?.() ?? {}).map(([name, fields]) => [typeToken(vendor, name), fieldsTypeSpec(vendor, name, fields, `One object \`${functionNameOf(lookup.declared.declaration)}\` finds.`)]))),
    },
    resources: Object.fromEntries(vendor.resources.map((resource) => [resourceToken(vendor, resource), resourceSpec(vendor, resource)])),
    functions: Object.fromEntries(vendor.lookups.map((lookup) => [functionToken(vendor, lookup), functionSpec(vendor, lookup)])),
    language: languageSpecs(vendor),
  };
}
