/**
 * The look-ups every enumerable resource gets from its declaration, written
 * by no one per kind: `get<Kind>s` lists every object (every page, through
 * the declaration's `enumerate`), reads each through the resource's own
 * `read` (so an item is what the resource would hold after `pulumi import`),
 * and filters by the identity fields; `get<Kind>` reads one by id, or finds
 * exactly one by its identity fields and fails with a sentence when none or
 * several match. A filter on an input that references the kind it is listed
 * through (a key's `workspaceId`) lists only that parent's objects.
 *
 * Secrets are never in the results: a look-up's result is plain program data
 * (an Output the SDK does not mark secret), and nothing secret can be read
 * back anyway (key secrets, credentials).
 */
import { z } from "zod";
import { ProviderError } from "./errors";
import type { ConfiguredValues } from "./config";
import { ConfigurableProvider, LifecycleContext } from "./framework";
import { EnumerableDeclaration, isEnumerable, LIST_CONCURRENCY, listKind, mapLimit } from "./enumeration";
import { declareLookup, DeclaredLookup, LookupArgs, LookupResults } from "./lookup";
import { comparableOf, DeclaredResource, Enumeration, InputField, InputFields, input, output, OutputField, OutputFields } from "./resource";

type Json = Record<string, unknown>;
type Field = InputField | OutputField;

/**
 * `ApiKey` → `ApiKeys`, `UsageLimitsPolicy` → `UsageLimitsPolicies`, `IntegrationWorkspaceAccess` → `...Accesses`;
 * a name that is already plural (`McpServerCapabilities`, `OrganizationSettings`) takes `List`.
 */
export function pluralOf(name: string): string {
  if (/(ies|ings|[^s]s)$/.test(name)) return `${name}List`;
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(name)) return `${name}es`;
  return `${name}s`;
}

const lowerFirst = (name: string) => name[0].toLowerCase() + name.slice(1);

/** The names of one kind's derived look-ups and their item type. */
export function derivedNames(kind: string): { vendor: string; className: string; single: string; plural: string; listField: string; itemType: string } {
  const [vendor, className] = kind.split(":");
  const plural = pluralOf(className);
  return { vendor, className, single: `get${className}`, plural: `get${plural}`, listField: lowerFirst(plural), itemType: `Get${plural}${className}` };
}

/** The fields of an item: the resource id, then every output and input as read back, secrets left out. */
function itemFields(resource: DeclaredResource<InputFields, OutputFields>): Record<string, Field> {
  const { declaration } = resource;
  const className = declaration.kind.split(":")[1];
  const fields: Record<string, Field> = {
    id: output(z.string(), { doc: `The ${className}'s resource id: what \`pulumi import\` and \`get${className}({ id })\` take.` }),
  };
  const outputs = Object.entries(declaration.outputs() as OutputFields);
  const inputs = Object.entries(declaration.inputs() as InputFields);
  for (const [name, field] of [...outputs, ...inputs] as [string, Field][]) {
    if (field.secret || name === "id" || fields[name]) continue;
    fields[name] = field.role === "input" ? { ...field, doc: field.outputDoc ?? field.doc } : field;
  }
  return fields;
}

/** A filter argument of an identity input: its type, optional and without a default (unset filters nothing). */
function filterField(field: InputField, doc: string): InputField {
  let schema: z.ZodType = field.schema;
  while (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodNullable) schema = schema.unwrap() as z.ZodType;
  return input(schema.optional(), { doc, sdkType: field.sdkType });
}

/** An error a derived look-up fails with: one sentence, prefixed like the engine shows functions (`portkey.getApiKey: ...`). */
class LookupError extends ProviderError {
  override readonly name = "LookupError";
}

interface Derivation {
  resource: DeclaredResource<InputFields, OutputFields>;
  enumerate: Enumeration<Json>;
  /** Every declaration of the vendor: the kinds this one is listed through. */
  declarations: readonly EnumerableDeclaration[];
}

function contextOf(configured: ConfiguredValues): LifecycleContext {
  return { configured, processState: new Map(), warn: (message) => console.warn(`warning: ${message}`), created: () => undefined };
}

/** What one provider read answers (the framework's read returns the inputs too). */
interface ReadAnswer {
  id?: string;
  props?: Json;
  inputs?: Json;
}

/** Reads objects by id through the resource's own provider, configured for this call only (the shared provider object is left as it is). */
function readerOf(resource: DeclaredResource<InputFields, OutputFields>, ctx: LifecycleContext): (id: string) => Promise<ReadAnswer> {
  const view = Object.create(resource.provider) as ConfigurableProvider;
  view.configuredValues = ctx.configured;
  view.processState = ctx.processState;
  view.warnSink = ctx.warn;
  return (id) => view.read!(id, {}) as Promise<ReadAnswer>;
}

/** The item of a read object: its id and the non-secret outputs. */
function itemOf(fields: Record<string, Field>, answer: ReadAnswer): Json {
  const props = answer.props ?? {};
  const item: Json = { id: answer.id };
  for (const name of Object.keys(fields)) if (name !== "id" && props[name] !== undefined) item[name] = props[name];
  return item;
}

/** The objects of the kind that match the given filters (identity inputs), each read. */
async function listMatching(derivation: Derivation, filters: Json, ctx: LifecycleContext): Promise<ReadAnswer[]> {
  const { resource, enumerate, declarations } = derivation;
  const kind = resource.declaration.kind;
  const inputs = resource.declaration.inputs() as InputFields;
  const given = Object.entries(filters).filter(([, value]) => value !== undefined);
  // A filter on an input naming the kind the objects are listed through lists that parent's objects only.
  const narrow = (parentKind: string, parents: { id: string }[]) => {
    let kept = parents;
    for (const [name, value] of given) {
      const reference = enumerate.references?.[name];
      if (reference?.kind !== parentKind || reference.output !== "id") continue;
      // Another spelling of the parent (a workspace's slug) narrows nothing: the filter after the reads decides.
      const matching = kept.filter((parent) => parent.id === value);
      if (matching.length > 0) kept = matching;
    }
    return kept;
  };
  const listed = await listKind(kind, declarations, ctx, narrow);
  const read = readerOf(resource, ctx);
  // Skipped objects are still objects (the default workspace): a look-up lists them; a row the read finds gone is left out.
  const answers = await mapLimit(listed, LIST_CONCURRENCY, (object) => read(object.id));
  return answers.filter((answer) => {
    if (!answer.id) return false;
    const values = answer.inputs ?? {};
    return given.every(([name, value]) => {
      const field = inputs[name];
      const props = answer.props ?? {};
      return JSON.stringify(comparableOf(field, values[name], props)) === JSON.stringify(comparableOf(field, value, props));
    });
  });
}

function describeFilters(filters: Json): string {
  return Object.entries(filters)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name} ${JSON.stringify(value)}`)
    .join(" and ");
}

/** The single and plural look-ups of one enumerable resource. */
export function deriveLookups(
  resource: DeclaredResource<InputFields, OutputFields>,
  declarations: readonly EnumerableDeclaration[],
): { single: DeclaredLookup<LookupArgs, LookupResults>; plural: DeclaredLookup<LookupArgs, LookupResults> } | undefined {
  const { declaration } = resource;
  const enumerate = declaration.enumerate as Enumeration<Json> | { notImportable: string } | undefined;
  if (!isEnumerable(enumerate)) return undefined;
  const derivation: Derivation = { resource, enumerate, declarations };
  const names = derivedNames(declaration.kind);
  const { vendor, className } = names;
  const identity = [...new Set([...enumerate.identity, ...Object.keys(enumerate.references ?? {})])];
  const filterArgs = (verb: string): LookupArgs => {
    const inputs = declaration.inputs() as InputFields;
    return Object.fromEntries(
      identity.map((name) => {
        const reference = enumerate.references?.[name];
        const narrows = reference && reference.output === "id" ? ` (lists only that ${reference.kind.split(":")[1]}'s objects)` : "";
        return [name, filterField(inputs[name], `${verb} whose \`${name}\` is this${narrows}. ${inputs[name].doc}`)];
      }),
    );
  };
  const exampleFilter = identity[0];

  const plural = declareLookup({
    name: `${vendor}:${names.plural}`,
    doc:
      `Lists every ${className} (every page read), or those matching the given filters, each as the resource reads it ` +
      `(secrets left out). Derived from the ${className} declaration.\n\n` +
      "```ts\n" +
      `const all = ${vendor}.${names.plural}Output({${exampleFilter ? ` ${exampleFilter}: "…" ` : ""}});\n` +
      `export const ids = all.ids;\n` +
      "```",
    args: () => filterArgs(`Only the ${pluralOf(className)}`),
    results: () => ({
      ids: output(z.array(z.string()), { doc: `The resource ids of the ${pluralOf(className)} found, in the order listed.` }),
      [names.listField]: output(z.array(z.object({})), { doc: `The ${pluralOf(className)} found, as the resource reads them (secrets left out).`, sdkType: `${names.itemType}[]` }),
    }),
    types: () => ({ [names.itemType]: itemFields(resource) }),
    async run(args, configured) {
      const fields = itemFields(resource);
      const found = await listMatching(derivation, args as Json, contextOf(configured)).catch((error: unknown) => {
        throw new LookupError(`${vendor}.${names.plural}: ${error instanceof Error ? error.message : String(error)}`);
      });
      return { ids: found.map((answer) => answer.id!), [names.listField]: found.map((answer) => itemOf(fields, answer)) } as never;
    },
  });

  const single = declareLookup({
    name: `${vendor}:${names.single}`,
    doc:
      `Looks up one ${className} the program does not manage, by its id or by its identity (${identity.map((n) => `\`${n}\``).join(", ")}); ` +
      `fails when none or several match. Secrets are left out. Derived from the ${className} declaration.\n\n` +
      "```ts\n" +
      `const found = ${vendor}.${names.single}Output({${exampleFilter ? ` ${exampleFilter}: "…" ` : ' id: "…" '}});\n` +
      "```",
    args: () => ({
      id: input(z.string().min(1, "must not be empty").optional(), { doc: `The ${className}'s resource id (what \`pulumi import\` takes).` }),
      ...filterArgs(`The ${className}`),
    }),
    results: () => itemFields(resource) as LookupResults,
    refine(args, issue) {
      const given = identity.filter((name) => (args as Json)[name] !== undefined);
      if ((args as Json).id !== undefined && given.length > 0) issue("", `give either id or identity fields (${identity.join(", ")}), not both (got id and ${given.join(", ")})`);
      if ((args as Json).id === undefined && given.length === 0) issue("", `give id, or one or more of ${identity.join(", ")}`);
    },
    async run(args, configured) {
      const fields = itemFields(resource);
      const ctx = contextOf(configured);
      const prefix = `${vendor}.${names.single}`;
      const id = (args as Json).id as string | undefined;
      if (id !== undefined) {
        const answer = await readerOf(resource, ctx)(id).catch((error: unknown) => {
          throw new LookupError(`${prefix}: ${error instanceof Error ? error.message : String(error)}`);
        });
        if (!answer.id) throw new LookupError(`${prefix}: no ${className} has the id '${id}'.`);
        return itemOf(fields, answer) as never;
      }
      const found = await listMatching(derivation, args as Json, ctx).catch((error: unknown) => {
        throw new LookupError(`${prefix}: ${error instanceof Error ? error.message : String(error)}`);
      });
      const filters = describeFilters(args as Json);
      if (found.length === 0) throw new LookupError(`${prefix}: no ${className} has ${filters}.`);
      if (found.length > 1) {
        const unused = identity.filter((name) => (args as Json)[name] === undefined);
        throw new LookupError(
          `${prefix}: ${found.length} ${pluralOf(className)} have ${filters} (ids ${found.map((a) => a.id).join(", ")}): ` +
            `look it up by id${unused.length > 0 ? `, or give ${unused.join(", ")} too` : ""}.`,
        );
      }
      return itemOf(fields, found[0]) as never;
    },
  });
  return {
    single: single as unknown as DeclaredLookup<LookupArgs, LookupResults>,
    plural: plural as unknown as DeclaredLookup<LookupArgs, LookupResults>,
  };
}
