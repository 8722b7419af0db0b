/**
 * `import-org`: reads a live Portkey organisation and OpenRouter account
 * through the admin APIs and describes every object as `pulumi import` and a
 * program need it: its type token, a logical name and id, the inputs that
 * make `pulumi preview` clean once it is imported, and the objects its
 * inputs name (so the program references them instead of pasting ids).
 *
 * Nothing here knows a kind: each declaration's `enumerate` lists its
 * objects (every page, per parent where the API needs it) and says how they
 * are named and what they reference; the inputs come from each resource's own
 * provider `read(id, {})`, the call the native plugin answers when the engine
 * imports by id, so they are exactly what the engine records. It only reads.
 */
import type { ConfiguredValues } from "../config";
import { ConfigurableProvider, deepEqual, LifecycleContext } from "../framework";
import { isForbidden, messageOf } from "../errors";
import { isEnumerable, LIST_CONCURRENCY, mapLimit } from "../enumeration";
import { comparableOf, Enumeration, fieldChanged, InputFields, ListedObject } from "../resource";
import { RegisteredResource, Vendor, vendors } from "../resources";

type Json = Record<string, unknown>;

export interface ImportOptions {
  /** Config values for Portkey (the environment fills what is unset); undefined: Portkey is not read. */
  portkey?: ConfiguredValues;
  openrouter?: ConfiguredValues;
  warn(message: string): void;
}

/** An input that names another imported object: the program references it. */
export interface ImportedReference {
  /** The referenced object's logical name. */
  target: string;
  /** Its output the input holds (`id`, `slug`, ...). */
  output: string;
}

/** A secret input the API never returns: left undeclared, taken over from stack config when the user wants. */
export interface UndeclaredSecret {
  input: string;
  /** The stack config key the generated program reads it from. */
  configKey: string;
}

/**
 * A secret input the API does return but the program may not leave out (it is
 * required, or leaving it out would clear it): the program reads it from secret
 * stack config, and the importer writes the value as read to a file of its
 * own (mode 0600) to be set as that config once, never into the program.
 */
export interface ConfigSecret extends UndeclaredSecret {
  /** The value as read (a string, or JSON-shaped). */
  value: unknown;
}

/** One object to import. */
export interface ImportedObject {
  /** The package and SDK namespace, e.g. `portkey`. */
  vendor: string;
  /** The SDK class, e.g. `Workspace`. */
  className: string;
  /** The engine's type token, e.g. `portkey:index:Workspace`. */
  type: string;
  id: string;
  /** Unique among the objects: the resource name in import.json and the program. */
  logicalName: string;
  /** What a program declares: the read inputs, without unset values and defaults. */
  inputs: Json;
  /** Inputs that name another imported object. */
  references: Record<string, ImportedReference>;
  /** Inputs left as literal ids, and why (what they name is not imported). */
  literals: Record<string, string>;
  /** The logical name of the workspace it belongs to (the program groups by it); undefined: organisation-wide. */
  group?: string;
  /** Secret inputs left undeclared (never returned, or left alone when left out): the secrets block lists them. */
  secrets: UndeclaredSecret[];
  /** Secret inputs the program must declare: read from secret stack config (see ConfigSecret). */
  configSecrets: ConfigSecret[];
  /** Comment lines for the program (what to know before `pulumi up`). */
  notes: string[];
}

/** What one provider read answers (the framework's read returns the inputs too). */
interface ReadAnswer {
  id?: string;
  props?: Json;
  inputs?: Json;
}

/** Reads every vendor asked for; the objects come in the program's order (see `ordered`). */
export async function readOrganisation(options: ImportOptions): Promise<ImportedObject[]> {
  const objects: ImportedObject[] = [];
  for (const vendor of vendors()) {
    const configured = vendor.name === "portkey" ? options.portkey : vendor.name === "openrouter" ? options.openrouter : undefined;
    if (configured) objects.push(...(await readVendor(vendor, configured, options.warn)));
  }
  return objects;
}

/** A 403, as the API layer throws it or wrapped in the error that names the missing scopes. */
function forbidden(error: unknown): boolean {
  return isForbidden(error) || (error instanceof Error && isForbidden(error.cause));
}

/** A kind that can be listed, with its enumeration. */
interface EnumeratedKind {
  resource: RegisteredResource;
  kind: string;
  enumerate: Enumeration<Json>;
}

/** The vendor's enumerable kinds, each after the kinds it references (declaration order otherwise). */
export function enumerationOrder(vendor: Vendor): EnumeratedKind[] {
  const kinds: EnumeratedKind[] = [];
  for (const resource of vendor.resources) {
    const enumerate = resource.declared.declaration.enumerate as Enumeration<Json> | { notImportable: string } | undefined;
    if (isEnumerable(enumerate)) kinds.push({ resource, kind: resource.declared.declaration.kind, enumerate });
  }
  const ordered: EnumeratedKind[] = [];
  const visit = (entry: EnumeratedKind) => {
    if (ordered.includes(entry)) return;
    for (const reference of Object.values(entry.enumerate.references ?? {})) {
      const target = kinds.find((k) => k.kind === reference!.kind);
      if (target && target !== entry) visit(target);
    }
    ordered.push(entry);
  };
  kinds.forEach(visit);
  return ordered;
}

async function readVendor(vendor: Vendor, configured: ConfiguredValues, warn: (message: string) => void): Promise<ImportedObject[]> {
  for (const resource of vendor.resources) {
    const { kind, enumerate } = resource.declared.declaration;
    if (isEnumerable(enumerate)) continue;
    warn(`${kind}: not imported: ${enumerate?.notImportable ?? "its declaration does not say how its objects are listed"}`);
  }
  const reader = new Reader(vendor, configured, warn);
  const listed = new Map<string, ListedObject[]>();
  const read = new Map<string, ReadObject[]>();
  for (const entry of enumerationOrder(vendor)) {
    let objects: ListedObject[];
    try {
      objects = await withProviderWarnings(warn, () => entry.enumerate.list(reader.context, (kind) => listed.get(kind) ?? []));
    } catch (error) {
      if (!forbidden(error)) throw new Error(`listing ${entry.kind} failed: ${messageOf(error)}`);
      warn(`${entry.kind}: not imported: the key cannot list them (${messageOf(error)}); give it the list and read scopes of this kind to import them.`);
      objects = [];
    }
    listed.set(entry.kind, objects);
    for (const object of objects.filter((o) => o.skip)) {
      warn(`${entry.kind} ${object.name && object.name !== object.id ? `'${object.name}' (${object.id})` : object.id} is not imported: ${object.skip}.`);
    }
    read.set(entry.kind, await reader.readAll(entry.resource, objects.filter((o) => !o.skip).map((o) => o.id)));
  }
  return new Namer(vendor, listed, read).objects();
}

/** A read object: its id, outputs and the inputs the engine records for it. */
export interface ReadObject {
  resource: RegisteredResource;
  id: string;
  props: Json;
  inputs: Json;
}

/** Reads objects by id through the vendor's own providers, as the native plugin does on import. */
export class Reader {
  readonly context: LifecycleContext;

  constructor(
    private readonly vendor: Vendor,
    private readonly configured: ConfiguredValues,
    private readonly warn: (message: string) => void,
  ) {
    this.context = { configured, processState: new Map(), warn, created: () => undefined };
  }

  private resource(className: string): RegisteredResource {
    const found = this.vendor.resources.find((r) => r.declared.declaration.kind === `${this.vendor.name}:${className}`);
    if (!found) throw new Error(`${this.vendor.name}:${className} is not a declared resource`);
    return found;
  }

  /** Reads every id; an object deleted since it was listed, or that the key may not read, is left out with a warning. */
  async readAll(resource: RegisteredResource, ids: readonly string[]): Promise<ReadObject[]> {
    const kind = resource.declared.declaration.kind;
    const provider: ConfigurableProvider = resource.declared.provider;
    // The provider object is this process's own: configured as the engine's Configure would.
    provider.configuredValues = this.configured;
    provider.processState = this.context.processState;
    const refused = new Set<string>();
    const answers = await withProviderWarnings(this.warn, () =>
      mapLimit(ids, LIST_CONCURRENCY, (id) =>
        (provider.read!(id, {}) as Promise<ReadAnswer>).catch((error: unknown): ReadAnswer => {
          if (forbidden(error)) {
            this.warn(`${kind} ${id} is not imported: the key cannot read it (${messageOf(error)}).`);
            refused.add(id);
            return {};
          }
          throw new Error(`reading ${kind} ${id} failed: ${messageOf(error)}`);
        }),
      ),
    );
    const read: ReadObject[] = [];
    ids.forEach((id, i) => {
      const answer = answers[i];
      if (answer.id) read.push({ resource, id: answer.id, props: answer.props ?? {}, inputs: answer.inputs ?? {} });
      else if (!refused.has(id)) this.warn(`${kind} ${id} was deleted while it was being read: not imported.`);
    });
    return read;
  }

  /**
   * Runs the provider's own check on the program's inputs, with the imported
   * inputs as the olds (as the engine will after the import). A scope list the
   * package does not know yet is accepted the documented way; anything else
   * check refuses becomes a note and a warning.
   */
  async checked(object: ImportedObject): Promise<ImportedObject> {
    const resource = this.resource(object.className);
    const provider = resource.declared.provider;
    const fields = resource.declared.declaration.inputs() as InputFields;
    let inputs = object.inputs;
    // Checked as the program will run: with the secrets it reads from stack config.
    const withSecrets = (values: Json): Json => ({ ...values, ...Object.fromEntries(object.configSecrets.map((s) => [s.input, s.value])) });
    let result = await provider.check!(withSecrets(inputs), withSecrets(inputs));
    if (result.failures?.some((f) => f.property === "scopes") && fields.allowUnknownScopes) {
      inputs = { ...inputs, allowUnknownScopes: true };
      result = await provider.check!(withSecrets(inputs), withSecrets(inputs));
    }
    const failures = result.failures ?? [];
    for (const failure of failures) this.warn(`${object.type} '${object.logicalName}': the program's inputs fail check: ${failure.reason}`);
    return { ...object, inputs, notes: [...object.notes, ...failures.map((f) => `Check refuses this declaration as read: ${f.reason}. Fix it before \`pulumi up\`.`)] };
  }
}

/** Runs every object through its provider's check (see Reader.checked). */
export async function checkObjects(objects: ImportedObject[], warn: (message: string) => void): Promise<ImportedObject[]> {
  const readers = new Map(vendors().map((v) => [v.name, new Reader(v, {}, warn)]));
  const checked: ImportedObject[] = [];
  for (const object of objects) checked.push(await readers.get(object.vendor)!.checked(object));
  return checked;
}

/**
 * The inputs a program declares: the read inputs without unset values, values
 * equal to the schema's default, and values diff compares equal to leaving the
 * input out (e.g. a server default such as `disabled: false`).
 */
export function programInputs(fields: InputFields, inputs: Json, props: Json): Json {
  const result: Json = {};
  for (const [name, value] of Object.entries(inputs)) {
    const field = fields[name];
    if (value === undefined || value === null || !field) continue;
    const defaulted = field.schema.safeParse(undefined);
    if (defaulted.success && defaulted.data !== undefined && deepEqual(defaulted.data, value)) continue;
    if (deepEqual(comparableOf(field, value, props), comparableOf(field, undefined, props))) continue;
    result[name] = value;
  }
  return result;
}

/**
 * Every input declared secret, whatever the kind: its value is never written
 * into the program (it is taken out of `inputs`). A secret the API never
 * returns (carried), or one whose absence diff reads as no change, is left
 * undeclared, which leaves it alone; the secrets block says how to take it
 * over. One the program must declare (required, or cleared when left out) is
 * read from secret stack config, with the value as read set there once.
 */
export function secretInputs(fields: InputFields, inputs: Json, read: ReadObject, logicalName: string): { secrets: UndeclaredSecret[]; configSecrets: ConfigSecret[] } {
  const secrets: UndeclaredSecret[] = [];
  const configSecrets: ConfigSecret[] = [];
  for (const [name, field] of Object.entries(fields)) {
    if (!field.secret) continue;
    const configKey = `${logicalName}-${kebab(name)}`;
    const value = inputs[name];
    if (value === undefined) {
      // Never read back (a credential): only the program can hold it.
      if (field.carried) secrets.push({ input: name, configKey });
      continue;
    }
    delete inputs[name];
    const optional = field.schema.safeParse(undefined).success;
    if (optional && !fieldChanged(field, read.inputs[name], undefined, read.props)) secrets.push({ input: name, configKey });
    else configSecrets.push({ input: name, configKey, value });
  }
  return { secrets, configSecrets };
}

/** Why a secret output (a key's secret, an invite link) is empty after an import. */
function secretNotes(resource: RegisteredResource): string[] {
  const declaration = resource.declared.declaration;
  const secretOutput = Object.entries(declaration.outputs()).find(([, field]) => field.secret);
  if (!secretOutput) return [];
  const [output] = secretOutput;
  const fields = declaration.inputs() as InputFields;
  const rotation = fields.rotateWhen ? " until `rotateWhen` is changed (which rotates the secret)" : "";
  return [`Imported: the API answers the \`${output}\` secret only when the object is created, so that output stays empty${rotation}; the object itself is unchanged.`];
}

/**
 * Runs a provider call, showing its warnings through `warn`. The API key
 * read warns that a key "was rotated by Portkey" whenever it holds no secret,
 * which is every key read by id alone: on import that warning is noise.
 */
async function withProviderWarnings<T>(warn: (message: string) => void, work: () => Promise<T>): Promise<T> {
  const original = console.warn;
  console.warn = (...parts: unknown[]) => {
    const message = parts.map(String).join(" ");
    if (/rotated API key .* itself/.test(message)) return;
    warn(message.replace(/^warning: /, ""));
  };
  try {
    return await work();
  } finally {
    console.warn = original;
  }
}

/**
 * Names the read objects of one vendor and resolves what their inputs
 * reference, kind by kind in enumeration order (a referenced kind is named
 * first). Objects of a kind are named in the order of their name parts, so
 * the same organisation always gives the same names.
 */
class Namer {
  private readonly names = new Names();
  private readonly named = new Map<string, { object: ImportedObject; props: Json; prefix: string }[]>();

  constructor(
    private readonly vendor: Vendor,
    private readonly listed: Map<string, ListedObject[]>,
    private readonly read: Map<string, ReadObject[]>,
  ) {}

  objects(): ImportedObject[] {
    const kinds = enumerationOrder(this.vendor);
    for (const entry of kinds) {
      const prepared = (this.read.get(entry.kind) ?? []).map((r) => ({ r, parts: this.nameParts(entry, r) }));
      prepared.sort((a, b) => compareParts([...a.parts, a.r.id], [...b.parts, b.r.id]));
      const named = prepared.map(({ r, parts }) => ({ object: this.object(entry, r, parts), props: r.props, prefix: entry.enumerate.prefix }));
      this.named.set(entry.kind, named);
    }
    return ordered(kinds.flatMap((entry) => (this.named.get(entry.kind) ?? []).map((n) => n.object)));
  }

  private object(entry: EnumeratedKind, read: ReadObject, parts: string[]): ImportedObject {
    const declaration = entry.resource.declared.declaration;
    const [vendor, className] = declaration.kind.split(":");
    const logicalName = this.names.take(entry.enumerate.prefix, parts.length > 0 ? parts : [read.id]);
    const fields = declaration.inputs() as InputFields;
    const inputs = programInputs(fields, read.inputs, read.props);
    const references: Record<string, ImportedReference> = {};
    const literals: Record<string, string> = {};
    let group: string | undefined = className === "Workspace" ? logicalName : undefined;
    for (const [input, reference] of Object.entries(entry.enumerate.references ?? {})) {
      const value = inputs[input];
      if (typeof value !== "string" || !reference) continue;
      const target = this.find(reference.kind, reference.output, value);
      if (target) {
        references[input] = { target: target.object.logicalName, output: reference.output };
        if (target.object.className === "Workspace") group = target.object.logicalName;
        else group ??= target.object.group;
        continue;
      }
      const skipped = this.listed.get(reference.kind)?.find((o) => o.id === value && o.skip);
      literals[input] = skipped
        ? `${reference.kind} '${skipped.name ?? value}' is not imported: ${skipped.skip}.`
        : `${reference.kind} ${value} is not imported (not listed, or not readable with this key).`;
    }
    const { secrets, configSecrets } = secretInputs(fields, inputs, read, logicalName);
    return {
      vendor,
      className,
      type: `${vendor}:index:${className}`,
      id: read.id,
      logicalName,
      inputs,
      references,
      literals,
      group,
      secrets,
      configSecrets,
      notes: secretNotes(entry.resource),
    };
  }

  /** The parts of a logical name: the identity inputs, a referenced object by its own name. */
  private nameParts(entry: EnumeratedKind, read: ReadObject): string[] {
    const parts: string[] = [];
    for (const field of entry.enumerate.identity) {
      const shown = entry.enumerate.shownAs?.[field];
      const value = (shown !== undefined ? read.props[shown] : undefined) ?? read.inputs[field];
      if (value === undefined || value === null || value === "") continue;
      const reference = entry.enumerate.references?.[field];
      if (reference && typeof value === "string") {
        const target = this.find(reference.kind, reference.output, value);
        if (target) {
          parts.push(target.object.logicalName.slice(target.prefix.length + 1));
          continue;
        }
        const skipped = this.listed.get(reference.kind)?.find((o) => o.id === value);
        if (skipped?.name) {
          parts.push(slugPart(skipped.name));
          continue;
        }
      }
      parts.push(slugPart(typeof value === "string" ? value : JSON.stringify(value)));
    }
    return parts;
  }

  /** The imported object of a kind whose `output` (or slug, an alias some APIs accept) is the value. */
  private find(kind: string, output: string, value: string): { object: ImportedObject; props: Json; prefix: string } | undefined {
    return this.named.get(kind)?.find(({ object, props }) => (output === "id" ? object.id === value : props[output] === value) || props.slug === value);
  }
}

/**
 * The program's order: per vendor, the organisation-wide objects, then each
 * workspace with what belongs to it; within a group in enumeration order.
 * Then every object after the objects it references (a reference across
 * groups moves only what needs moving).
 */
function ordered(objects: ImportedObject[]): ImportedObject[] {
  const groups: (string | undefined)[] = [undefined, ...objects.filter((o) => o.className === "Workspace").map((o) => o.logicalName).sort()];
  const grouped = groups.flatMap((group) => objects.filter((o) => o.group === group));
  const byName = new Map(objects.map((o) => [o.logicalName, o]));
  const result: ImportedObject[] = [];
  const placed = new Set<string>();
  const place = (object: ImportedObject) => {
    if (placed.has(object.logicalName)) return;
    placed.add(object.logicalName);
    for (const reference of Object.values(object.references)) {
      const target = byName.get(reference.target);
      if (target) place(target);
    }
    result.push(object);
  };
  grouped.forEach(place);
  return result;
}

function compareParts(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const order = (a[i] ?? "").localeCompare(b[i] ?? "");
    if (order !== 0) return order;
  }
  return 0;
}

/** `authConfig` → `auth-config`. */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Unique, stable logical names: `<prefix>-<parts>`, lower case, a counter on repeats. */
class Names {
  private readonly used = new Set<string>();

  take(prefix: string, parts: string[]): string {
    const base = [prefix, ...parts.map(slugPart)].join("-");
    let name = base;
    for (let n = 2; this.used.has(name); n++) name = `${base}-${n}`;
    this.used.add(name);
    return name;
  }
}

/** "Team Dev (EU)" → "team-dev-eu": letters and digits joined by single hyphens. */
export function slugPart(text: string): string {
  const slug = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return slug || "unnamed";
}

/** What a stack manages: `type id` pairs from `pulumi stack export` output. */
export function managedObjects(stackExport: unknown): Set<string> {
  const deployment = (stackExport as { deployment?: { resources?: { type?: string; id?: string; custom?: boolean }[] } })?.deployment;
  if (!deployment || !Array.isArray(deployment.resources)) throw new Error("the stack export has no `deployment.resources` (is it `pulumi stack export` output?)");
  return new Set(deployment.resources.filter((r) => r.type && r.id && !r.type.startsWith("pulumi:")).map((r) => `${r.type} ${r.id}`));
}

/**
 * Only the objects no resource of the stack manages. A reference to a
 * managed object becomes a literal id (the stack's program declares it,
 * this one does not), with a note saying so.
 */
export function unmanagedOnly(objects: readonly ImportedObject[], managed: ReadonlySet<string>): ImportedObject[] {
  const kept = objects.filter((o) => !managed.has(`${o.type} ${o.id}`));
  const keptNames = new Set(kept.map((o) => o.logicalName));
  const byName = new Map(objects.map((o) => [o.logicalName, o]));
  return kept.map((object) => {
    const references: Record<string, ImportedReference> = {};
    const literals = { ...object.literals };
    for (const [input, reference] of Object.entries(object.references)) {
      if (keptNames.has(reference.target)) references[input] = reference;
      else literals[input] = `it names ${byName.get(reference.target)?.type ?? "an object"} '${reference.target}', which the stack already manages.`;
    }
    return { ...object, references, literals };
  });
}
