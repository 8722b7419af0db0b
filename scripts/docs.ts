/**
 * The reference pages of docs/, rendered from the declarations (run by
 * scripts/generate.ts): one page per resource and per look-up, a page of
 * each vendor's shared types, and the index. A page is the generated block
 * between `<!-- generated: <key> -->` and `<!-- /generated -->`, then
 * whatever is written below it by hand (notes the declaration does not
 * hold); a page that does not exist yet is the block alone.
 *
 * The examples are programs rendered by the same code `import-org` writes
 * programs with (provider/cli/program.ts): the inputs a resource requires,
 * or that its declaration gives an `example` for, with the objects they name
 * declared before it and referenced.
 */
import type { z } from "zod";
import { RegisteredLookup, RegisteredResource, Vendor } from "../provider/resources";
import { functionNameOf } from "../provider/lookup";
import type { Enumeration, InputField, OutputField } from "../provider/resource";
import { classNameOf, functionToken, isOptional, type JsonSchema, jsonSchema, packageSchema, resourceToken } from "../provider/native/schema";
import type { ImportedObject } from "../provider/cli/import-org";
import { exampleProgram, type PackageSchema, type PackageSchemas, pythonName, valueText } from "../provider/cli/program";

type Json = Record<string, unknown>;

export const BLOCK_START = (key: string) => `<!-- generated: ${key} -->`;
export const BLOCK_END = "<!-- /generated -->";

export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/** A look-up's names: `getWorkspace`, `GetWorkspace` (for its Args/Result types), its file. */
export function lookupNames(lookup: RegisteredLookup): { fn: string; type: string; file: string } {
  const fn = functionNameOf(lookup.declared.declaration);
  return { fn, type: fn[0].toUpperCase() + fn.slice(1), file: kebab(fn) };
}

/** Where each reference page lives, relative to docs/. */
export const pagePath = {
  resource: (vendor: Vendor, resource: RegisteredResource) => `resources/${vendor.name}/${classNameOf(resource)}.md`,
  lookup: (vendor: Vendor, lookup: RegisteredLookup) => `lookups/${vendor.name}/${lookupNames(lookup).fn}.md`,
  types: (vendor: Vendor) => `resources/${vendor.name}/types.md`,
};

/** A link from one page of docs/ to another (both relative to docs/). */
function link(from: string, to: string): string {
  const up = from.split("/").length - 1;
  return `${"../".repeat(up)}${to}`;
}

// ------------------------------------------------------------------ tables

/** Table cell text for a type: plain words and the limits zod knows. */
export function typeWords(node: JsonSchema, sdkType: string | undefined): string {
  if (sdkType) return sdkType.endsWith("[]") ? `list of \`${sdkType.slice(0, -2)}\`` : `\`${sdkType}\``;
  if (node.anyOf) return node.anyOf.map((member) => typeWords(member, undefined)).join(" \\| ");
  if (node.enum) return node.enum.map((value) => `\`${String(value)}\``).join(" \\| ");
  if (Array.isArray(node.type)) return node.type.map((type) => typeWords({ type }, undefined)).join(" \\| ");
  const range = (min: number | undefined, max: number | undefined, unit = "") =>
    min !== undefined && max !== undefined && max < Number.MAX_SAFE_INTEGER ? `, ${min}–${max}${unit}` : min !== undefined && min > 0 ? `, ≥ ${min}${unit}` : max !== undefined && max < Number.MAX_SAFE_INTEGER ? `, ≤ ${max}${unit}` : "";
  switch (node.type) {
    case "string":
      if (node.minLength === 1 && node.maxLength === undefined) return `non-empty string${node.format === "email" ? " (email)" : ""}`;
      return `string${node.format === "email" ? " (email)" : ""}${range(node.minLength, node.maxLength, " chars")}`;
    case "integer":
      return `whole number${range(node.minimum, node.maximum)}`;
    case "number":
      return `number${range(node.minimum, node.maximum)}`;
    case "boolean":
      return "boolean";
    case "array":
      return `list of ${node.items ? typeWords(node.items, undefined) : "values"}${node.minItems ? `, at least ${node.minItems}` : ""}${node.maxItems ? `, at most ${node.maxItems}` : ""}`;
    case "object":
      if (node.properties) return "object";
      return `map of ${typeof node.additionalProperties === "object" && node.additionalProperties.type ? typeWords(node.additionalProperties, undefined) : "JSON values"}`;
    default:
      return "any JSON value";
  }
}

function cell(text: string): string {
  return text.replace(/(?<!\\)\|/g, "\\|").replace(/\n+/g, " ");
}

/** A named type in a cell, linked to the vendor's types page. */
function typeCell(node: JsonSchema, sdkType: string | undefined, typesLink: string | undefined): string {
  const words = cell(typeWords(node, sdkType));
  if (!sdkType || typesLink === undefined) return words;
  const name = sdkType.replace(/\[\]$/, "");
  return words.replace(`\`${name}\``, `[\`${name}\`](${typesLink}#${name.toLowerCase()})`);
}

function inputFlags(field: InputField): string[] {
  const node = jsonSchema(field.schema, "input");
  return [
    !isOptional(field.schema, "input") && "required",
    field.replaces === true && "replaces",
    field.replaces === "whenRemoved" && "replaces when removed",
    field.unique && "unique",
    field.secret && "secret",
    field.trigger && "trigger",
    field.notCompared && "used at create only",
    field.serverOwnedUnlessDeclared && "left alone unless declared",
    node.default !== undefined && `default ${JSON.stringify(node.default)}`,
    field.api && `API: \`${field.api}\``,
  ].filter((flag): flag is string => typeof flag === "string");
}

function inputsTable(inputs: [string, InputField][], typesLink: string): string {
  let text = "| input | type | | description |\n|---|---|---|---|\n";
  for (const [name, field] of inputs) {
    text += `| \`${name}\` | ${typeCell(jsonSchema(field.schema, "input"), field.sdkType, typesLink)} | ${inputFlags(field).join(", ")} | ${cell(field.doc)} |\n`;
  }
  return text;
}

function outputsTable(outputs: [string, OutputField][], typesLink: string): string {
  let text = "| output | type | | description |\n|---|---|---|---|\n";
  for (const [name, field] of outputs) {
    text += `| \`${name}\` | ${typeCell(jsonSchema(field.schema, "output"), field.sdkType, typesLink)} | ${field.secret ? "**secret**" : ""} | ${cell(field.doc)} |\n`;
  }
  return text;
}

// ------------------------------------------------------------------ examples

const UUID_EXAMPLE = "00000000-0000-4000-8000-000000000000";
const STRING_EXAMPLES = ["example", UUID_EXAMPLE, "ann@example.com", "https://example.com", "0123456789abcdef".repeat(4)];

/** A value the schema accepts, for an input without a declared `example`. */
function derivedValue(node: JsonSchema): unknown {
  if (node.default !== undefined) return node.default;
  if (node.enum) return node.enum[0];
  if (node.anyOf) return derivedValue(node.anyOf[0]);
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  switch (type) {
    case "string": {
      if (node.format === "email") return "ann@example.com";
      if (node.format === "uri" || node.format === "url") return "https://example.com";
      if (node.format === "uuid") return UUID_EXAMPLE;
      // A pattern: the first plain value it takes (the field's schema has the last word).
      const pattern = node.pattern === undefined ? undefined : new RegExp(node.pattern);
      return STRING_EXAMPLES.find((value) => !pattern || pattern.test(value)) ?? "example";
    }
    case "integer":
    case "number":
      return node.minimum !== undefined && node.minimum > 0 ? node.minimum : 1;
    case "boolean":
      return false;
    case "array":
      return node.items ? [derivedValue(node.items)] : [];
    case "object": {
      const required = new Set(node.required ?? []);
      return Object.fromEntries(Object.entries(node.properties ?? {}).filter(([name]) => required.has(name)).map(([name, member]) => [name, derivedValue(member)]));
    }
    default:
      return "example";
  }
}

/** The example value of one input: its declared `example`, else one derived from the schema (which must pass it). */
function exampleValue(kind: string, name: string, field: InputField): unknown {
  const value = field.example ?? derivedValue(jsonSchema(field.schema, "input"));
  if (!field.schema.safeParse(value).success) {
    throw new Error(`${kind}: the example value derived for \`${name}\` fails its schema; give the field an \`example\` in its declaration.`);
  }
  return value;
}

type Kinds = Map<string, { vendor: Vendor; resource: RegisteredResource }>;

/**
 * The objects of a resource's example, in declaration order: the objects its
 * required references name (each once), then the resource itself.
 */
function exampleObjects(kinds: Kinds, kind: string, objects: ImportedObject[] = []): ImportedObject[] {
  if (objects.some((o) => o.type === tokenOfKind(kinds, kind))) return objects;
  const { vendor, resource } = kinds.get(kind)!;
  const declaration = resource.declared.declaration;
  const references = (declaration.enumerate as Enumeration<Json> | undefined)?.references ?? {};
  const checked: Json = {};
  const referenced: ImportedObject["references"] = {};
  for (const [name, field] of Object.entries(declaration.inputs()) as [string, InputField][]) {
    const reference = references[name];
    const required = !isOptional(field.schema, "input");
    if (!required && field.example === undefined) continue;
    const value = exampleValue(declaration.kind, name, field);
    checked[name] = value;
    if (reference && kinds.has(reference.kind) && reference.kind !== kind) {
      exampleObjects(kinds, reference.kind, objects);
      referenced[name] = { target: kebab(reference.kind.split(":")[1]), output: reference.output };
    }
  }
  const parsed = (resource.declared.inputSchema() as z.ZodType).safeParse(checked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${declaration.kind}: the generated example fails check at \`${issue.path.join(".")}\` (${issue.message}); give the inputs it needs an \`example\` in the declaration.`);
  }
  objects.push({
    vendor: vendor.name,
    className: classNameOf(resource),
    type: resourceToken(vendor, resource),
    id: "",
    logicalName: kebab(classNameOf(resource)),
    // Referenced inputs keep their place: the program writes the reference where the value was.
    inputs: checked,
    references: referenced,
    literals: {},
    secrets: [],
    configSecrets: [],
    notes: [],
  });
  return objects;
}

function tokenOfKind(kinds: Kinds, kind: string): string {
  const { vendor, resource } = kinds.get(kind)!;
  return resourceToken(vendor, resource);
}

/** The schemas the Python examples take their nested types' property names from. */
function schemasOf(kinds: Kinds): PackageSchemas {
  const vendors = new Set([...kinds.values()].map(({ vendor }) => vendor));
  // Only the property names are read: the schema's version does not reach the examples.
  return Object.fromEntries([...vendors].map((vendor) => [vendor.name, packageSchema(vendor, "0.0.0") as PackageSchema]));
}

function examples(kinds: Kinds, kind: string, schemas: PackageSchemas): string {
  const objects = exampleObjects(kinds, kind);
  return (
    "```ts\n" +
    exampleProgram(objects, "typescript").trimEnd() +
    "\n```\n\n" +
    "```yaml\n" +
    exampleProgram(objects, "yaml").trimEnd() +
    "\n```\n\n" +
    "```python\n" +
    exampleProgram(objects, "python", schemas).trimEnd() +
    "\n```\n"
  );
}

/** The arguments of a look-up's example: the one argument, tried from the last, that passes its rules. */
function lookupExampleArgs(lookup: RegisteredLookup): Json {
  const { declaration } = lookup.declared;
  const args = Object.entries(declaration.args()) as [string, InputField][];
  const withExamples = args.filter(([, field]) => field.example !== undefined);
  const candidates: Json[] =
    withExamples.length > 0
      ? [Object.fromEntries(withExamples.map(([name, field]) => [name, field.example]))]
      : [...args].reverse().map(([name, field]) => ({ [name]: exampleValue(declaration.name, name, field) }));
  if (args.length === 0) return {};
  for (const candidate of candidates) {
    const problems: string[] = [];
    declaration.refine?.(candidate as never, (path, message) => problems.push(`${path}: ${message}`));
    if (problems.length === 0) return candidate;
  }
  throw new Error(`${declaration.name}: no argument alone makes a valid example; give its arguments an \`example\`.`);
}

function lookupExamples(vendor: Vendor, lookup: RegisteredLookup): string {
  const { fn } = lookupNames(lookup);
  const args = lookupExampleArgs(lookup);
  const entries = Object.entries(args);
  const tsArgs = entries.length === 0 ? "{}" : `{ ${entries.map(([key, value]) => valueText(key, value, "typescript")).join(", ")} }`;
  const yamlArgs = entries.map(([key, value]) => valueText(key, value, "yaml", "      ")).join("\n");
  const pythonArgs = entries.map(([key, value]) => valueText(key, value, "python")).join(", ");
  return (
    "```ts\n" +
    `import { ${vendor.name} } from "pulumi-ai-gateway/native";\n\n` +
    `const found = ${vendor.name}.${fn}Output(${tsArgs});\n` +
    "```\n\n" +
    "```yaml\n" +
    "variables:\n" +
    "  found:\n" +
    "    fn::invoke:\n" +
    `      function: ${functionToken(vendor, lookup)}\n` +
    (entries.length > 0 ? `      arguments:\n${yamlArgs.replace(/^ {6}/gm, "        ")}\n` : "") +
    "```\n\n" +
    "```python\n" +
    `import pulumi_ai_gateway_${vendor.name} as ${vendor.name}\n\n` +
    `found = ${vendor.name}.${pythonName(fn)}_output(${pythonArgs})\n` +
    "```\n"
  );
}

// ------------------------------------------------------------------ pages

function kindsOf(vendors: Vendor[]): Kinds {
  return new Map(vendors.flatMap((vendor) => vendor.resources.map((resource) => [resource.declared.declaration.kind, { vendor, resource }] as const)));
}

/** The look-ups of a kind (derived from its declaration, or hand-written for it). */
function lookupsOf(vendor: Vendor, kind: string): RegisteredLookup[] {
  return vendor.lookups.filter((lookup) => lookup.derivedFrom === kind);
}

function resourcePage(kinds: Kinds, schemas: PackageSchemas, vendor: Vendor, resource: RegisteredResource): string {
  const { declaration } = resource.declared;
  const className = classNameOf(resource);
  const here = pagePath.resource(vendor, resource);
  const typesLink = link(here, pagePath.types(vendor));
  const inputs = Object.entries(declaration.inputs()) as [string, InputField][];
  const outputs = Object.entries(declaration.outputs()) as [string, OutputField][];
  const names = (list: [string, InputField][]) => list.map(([name]) => `\`${name}\``).join(", ");

  let text = `# \`${vendor.name}.${className}\`\n\n${declaration.doc}\n\n`;
  text += `Type token: \`${resourceToken(vendor, resource)}\` (native plugin \`pulumi-resource-${vendor.name}\`); dynamic: \`pulumi-nodejs:dynamic/${declaration.kind}\`.\n\n`;

  text += "## Example\n\n";
  text +=
    `The native SDK (\`pulumi-ai-gateway/native\`) and the dynamic one (\`import { ${vendor.name} } from "pulumi-ai-gateway"\`) take the same arguments; ` +
    `Pulumi YAML uses the plugin; Python uses the generated SDK \`pulumi_ai_gateway_${vendor.name}\` (see [Other languages](${link(here, "languages.md")})).\n\n`;
  text += examples(kinds, declaration.kind, schemas);

  text += `\n## Inputs\n\n${inputsTable(inputs, typesLink)}\n## Outputs\n\n${outputsTable(outputs, typesLink)}\nEvery input is also an output (as read back).\n\n`;

  text += "## What replaces\n\n";
  const replacing = inputs.filter(([, field]) => field.replaces === true);
  const replacingWhenRemoved = inputs.filter(([, field]) => field.replaces === "whenRemoved");
  const unique = inputs.filter(([, field]) => field.unique);
  if (replacing.length === 0 && replacingWhenRemoved.length === 0) text += "Nothing: every input changes in place.\n";
  else {
    if (replacing.length > 0) text += `Changing ${names(replacing)} replaces the ${className}; every other input changes in place.\n`;
    if (replacingWhenRemoved.length > 0) text += `Removing ${names(replacingWhenRemoved)} replaces it (a new value is an ordinary update).\n`;
  }
  if (unique.length > 0) {
    text += `\nThe API keeps ${names(unique)} unique: a replacement that keeps the value (or leaves it to the API to derive again) deletes the old object first.\n`;
  }
  for (const set of declaration.uniqueTogether ?? []) {
    text += `\nThe API keeps ${set.map((name) => `\`${name}\``).join(" and ")} unique together: a replacement that keeps all of them deletes the old object first.\n`;
  }

  text += "\n## Left alone unless declared\n\n";
  const serverOwned = inputs.filter(([, field]) => field.serverOwnedUnlessDeclared);
  text +=
    serverOwned.length > 0
      ? `${names(serverOwned)}: not declared, whatever the object holds (set in the UI, say) is never compared or sent; declared, it is managed.\n`
      : "No input: every input is managed, and removing one clears it (or restores the API's default).\n";
  const atCreate = inputs.filter(([, field]) => field.notCompared);
  if (atCreate.length > 0) text += `\nUsed at create only (never compared or updated): ${names(atCreate)}.\n`;
  const secrets = [...inputs, ...outputs].filter(([, field]) => field.secret).map(([name]) => `\`${name}\``);
  if (secrets.length > 0) text += `\nSecrets (Pulumi secrets in state and outputs): ${secrets.join(", ")}.\n`;

  text += "\n## Import\n\n";
  const enumerate = declaration.enumerate as Enumeration<Json> | { notImportable: string } | undefined;
  if (enumerate && "notImportable" in enumerate) {
    text += `Not listed by \`import-org\`: ${enumerate.notImportable}\n\n`;
  } else {
    text += `\`pulumi-ai-gateway import-org\` lists and imports every ${className} of the organisation (see [adoption](${link(here, "adoption.md")})).\n\n`;
  }
  text += "```sh\n" + `pulumi import ${resourceToken(vendor, resource)} <name> <id>\n` + "```\n\n";
  const lookups = lookupsOf(vendor, declaration.kind);
  const lookupLinks = lookups.map((lookup) => `[\`${lookupNames(lookup).fn}\`](${link(here, pagePath.lookup(vendor, lookup))})`);
  text += `The id is the resource's \`id\` output${lookups.length > 0 ? `, what ${lookupLinks.join(" and ")} return as \`id\`` : ""}. Dynamic resources cannot be imported: import with the native SDK, Pulumi YAML or another language's SDK.\n`;
  return text;
}

function lookupPage(kinds: Kinds, vendor: Vendor, lookup: RegisteredLookup): string {
  const { declaration } = lookup.declared;
  const { fn } = lookupNames(lookup);
  const here = pagePath.lookup(vendor, lookup);
  const itemTypes = Object.entries(declaration.types?.() ?? {});
  // A result naming one of the look-up's own item types links to its table on this page, others to the types page.
  const typesLink = (sdkType: string | undefined) => (itemTypes.some(([name]) => sdkType?.replace(/\[\]$/, "") === name) ? "" : link(here, pagePath.types(vendor)));
  let text = `# \`${vendor.name}.${fn}\`\n\n${declaration.doc}\n\n`;
  if (lookup.derivedFrom) {
    const derived = kinds.get(lookup.derivedFrom);
    if (derived) text += `The resource: [\`${vendor.name}.${classNameOf(derived.resource)}\`](${link(here, pagePath.resource(vendor, derived.resource))}).\n\n`;
  }
  text +=
    `\`${fn}(args)\` returns a Promise, \`${fn}Output(args)\` takes Inputs and returns an Output. The dynamic SDK (\`pulumi-ai-gateway\`) runs it in the program with the stack config (at preview too); ` +
    `the native SDK (\`pulumi-ai-gateway/native\`), Pulumi YAML and Python (\`${pythonName(fn)}\`, \`${pythonName(fn)}_output\`) invoke \`${functionToken(vendor, lookup)}\` in the plugin, so an explicit \`provider\` picks the organisation.\n\n`;
  text += `## Example\n\n${lookupExamples(vendor, lookup)}\n`;
  text += "## Arguments\n\n| argument | type | description |\n|---|---|---|\n";
  for (const [name, field] of Object.entries(declaration.args()) as [string, InputField][]) {
    text += `| \`${name}\` | ${cell(typeWords(jsonSchema(field.schema, "input"), undefined))} | ${cell(field.doc)} |\n`;
  }
  text += "\n## Results\n\n| result | type | description |\n|---|---|---|\n";
  for (const [name, field] of Object.entries(declaration.results()) as [string, OutputField][]) {
    text += `| \`${name}\` | ${typeCell(jsonSchema(field.schema, "output"), field.sdkType, typesLink(field.sdkType))} | ${cell(field.doc)} |\n`;
  }
  for (const [itemName, fields] of itemTypes) {
    text += `\n### \`${itemName}\`\n\n| field | type | description |\n|---|---|---|\n`;
    for (const [name, field] of Object.entries(fields)) {
      text += `| \`${name}\` | ${typeCell(jsonSchema(field.schema, "output"), field.sdkType, typesLink(field.sdkType))} | ${cell(field.doc)} |\n`;
    }
  }
  return text;
}

function typesPage(vendor: Vendor): string {
  const title = vendor.name === "portkey" ? "Portkey" : "OpenRouter";
  let text = `# ${title}'s shared types\n\nThe object types several ${title} resources take (the SDKs name them \`<Name>Args\`).\n`;
  for (const [name, schema] of Object.entries(vendor.sdkTypes())) {
    const node = jsonSchema(schema, "input");
    const required = new Set(node.required ?? []);
    text += `\n## ${name}\n\n${node.description ? `${node.description}\n\n` : ""}| field | type | | description |\n|---|---|---|---|\n`;
    for (const [property, member] of Object.entries(node.properties ?? {})) {
      text += `| \`${property}\` | ${cell(typeWords(member, undefined))} | ${required.has(property) ? "required" : ""} | ${cell(member.description ?? "")} |\n`;
    }
  }
  return text;
}

/** The reference part of docs/index.md: every resource and look-up, by vendor. */
function referenceIndex(vendors: Vendor[]): string {
  let text = "";
  for (const vendor of vendors) {
    const title = vendor.name === "portkey" ? "Portkey" : "OpenRouter";
    text += `### ${title} resources\n\n| resource | what it is |\n|---|---|\n`;
    for (const resource of vendor.resources) {
      const first = resource.declared.declaration.doc.split(/(?<=\.)\s|\n/)[0];
      text += `| [\`${vendor.name}.${classNameOf(resource)}\`](${pagePath.resource(vendor, resource)}) | ${cell(first)} |\n`;
    }
    if (Object.keys(vendor.sdkTypes()).length > 0) text += `\nShared types: [${title}'s shared types](${pagePath.types(vendor)}).\n`;
    text += `\n### ${title} look-ups\n\n`;
    text += vendor.lookups.map((lookup) => `[\`${lookupNames(lookup).fn}\`](${pagePath.lookup(vendor, lookup)})`).join(" · ");
    text += "\n\n";
  }
  return text;
}

/** Replaces the block between `<!-- generated: key -->` and `<!-- /generated -->`; a missing page is the block alone. */
export function replaceBlock(page: string | undefined, key: string, content: string, where: string): string {
  if (page === undefined) return `${BLOCK_START(key)}\n${content}${BLOCK_END}\n`;
  const start = page.indexOf(BLOCK_START(key));
  const end = start < 0 ? -1 : page.indexOf(BLOCK_END, start);
  if (start < 0 || end < 0) throw new Error(`${where} has no "${BLOCK_START(key)}" … "${BLOCK_END}" block for ${key}.`);
  return page.slice(0, start) + `${BLOCK_START(key)}\n${content}` + page.slice(end);
}

/**
 * Every generated page of docs/: path below docs/ → content. `existing`
 * reads a page as committed (undefined when there is none), so the
 * hand-written part below its block is kept.
 */
export function renderDocs(vendors: Vendor[], existing: (file: string) => string | undefined): Map<string, string> {
  const pages = new Map<string, string>();
  const kinds = kindsOf(vendors);
  const schemas = schemasOf(kinds);
  // Every page is tried, so one run names every declaration whose example needs an `example` value.
  const problems: string[] = [];
  const page = (file: string, key: string, content: () => string) => {
    try {
      pages.set(file, replaceBlock(existing(file), key, content(), `docs/${file}`));
    } catch (error) {
      problems.push((error as Error).message);
    }
  };
  for (const vendor of vendors) {
    for (const resource of vendor.resources) page(pagePath.resource(vendor, resource), resource.declared.declaration.kind, () => resourcePage(kinds, schemas, vendor, resource));
    for (const lookup of vendor.lookups) page(pagePath.lookup(vendor, lookup), lookup.declared.declaration.name, () => lookupPage(kinds, vendor, lookup));
    if (Object.keys(vendor.sdkTypes()).length > 0) page(pagePath.types(vendor), `${vendor.name}:types`, () => typesPage(vendor));
  }
  if (problems.length > 0) throw new Error(`The reference pages cannot be generated:\n${problems.join("\n")}`);
  const index = existing("index.md");
  if (index === undefined) throw new Error("docs/index.md is missing: it holds the hand-written part of the index.");
  pages.set("index.md", replaceBlock(index, "reference", referenceIndex(vendors), "docs/index.md"));
  return pages;
}
