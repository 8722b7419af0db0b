/**
 * `import-org`: reads a live Portkey organisation and OpenRouter account
 * through the admin APIs and describes every object as `pulumi import` and a
 * program need it: its type token, a logical name and id, and the inputs that
 * make `pulumi preview` clean once it is imported.
 *
 * The inputs come from each resource's own provider `read(id, {})`, the call
 * the native plugin answers when the engine imports by id, so they are exactly
 * what the engine records: no field mapping is restated here.
 */
import type { ConfiguredValues } from "../config";
import { ConfigurableProvider, deepEqual, LifecycleContext } from "../framework";
import { messageOf } from "../errors";
import { comparableOf, InputFields } from "../resource";
import { RegisteredResource, Vendor, vendors } from "../resources";
import { portkeyClient } from "../portkey/common";
import { openrouterClient } from "../openrouter/common";
import { ApiWorkspace, listWorkspaces as listPortkeyWorkspaces } from "../portkey/api/workspaces";
import { listApiKeys } from "../portkey/api/api-keys";
import { listIntegrations, listWorkspaceAccess } from "../portkey/api/integrations";
import { listWorkspaces as listOpenRouterWorkspaces } from "../openrouter/api/workspaces";
import { KeyJson, listKeys } from "../openrouter/api/keys";

type Json = Record<string, unknown>;

export interface ImportOptions {
  /** Config values for Portkey (the environment fills what is unset); undefined: Portkey is not read. */
  portkey?: ConfiguredValues;
  openrouter?: ConfiguredValues;
  /** Integrations whose access rows are imported; undefined: every organisation integration. */
  integrations?: readonly string[];
  warn(message: string): void;
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
  /** Comment lines for the program (what to know before `pulumi up`). */
  notes: string[];
}

/** What one provider read answers (the framework's read returns the inputs too). */
interface ReadAnswer {
  id?: string;
  props?: Json;
  inputs?: Json;
}

/** Reads run a few at a time: fast enough for large organisations, gentle on the API's rate limits. */
const READ_CONCURRENCY = 4;

/** Portkey marks the organisation's default workspace; Pulumi cannot delete it, so it is not imported. */
function isDefaultWorkspace(workspace: ApiWorkspace): boolean {
  const flag = workspace.defaults?.is_default;
  return flag === true || flag === 1;
}

export async function readOrganisation(options: ImportOptions): Promise<ImportedObject[]> {
  const all = vendors();
  const names = new Names();
  const objects: ImportedObject[] = [];
  if (options.portkey) objects.push(...(await readPortkey(vendorNamed(all, "portkey"), options.portkey, options, names)));
  if (options.openrouter) objects.push(...(await readOpenRouter(vendorNamed(all, "openrouter"), options.openrouter, options, names)));
  return objects;
}

async function readPortkey(vendor: Vendor, configured: ConfiguredValues, options: ImportOptions, names: Names): Promise<ImportedObject[]> {
  const reader = new Reader(vendor, configured, options.warn);
  const client = portkeyClient(reader.context);
  const listed = sortBy(await listPortkeyWorkspaces(client), (w) => [w.created_at, w.id]);
  const workspaces = listed.filter((w) => !isDefaultWorkspace(w));
  for (const w of listed.filter(isDefaultWorkspace)) options.warn(`Portkey workspace '${w.name}' (${w.id}) is the organisation's default workspace: not imported.`);

  const workspaceObjects = await reader.readAll("Workspace", workspaces.map((w) => w.id));
  // A workspace's part of other objects' names: its own logical name without the prefix.
  const workspaceLabel = new Map<string, string>();
  const result: ImportedObject[] = [];
  for (const read of workspaceObjects) {
    const logicalName = names.take("ws", [stringOf(read.inputs.name) ?? stringOf(read.props.slug) ?? read.id]);
    workspaceLabel.set(read.id, logicalName.slice("ws-".length));
    result.push(reader.object(read, logicalName, []));
  }
  const labelOf = (workspaceId: string | undefined): string => (workspaceId && workspaceLabel.get(workspaceId)) || listed.find((w) => w.id === workspaceId || w.slug === workspaceId)?.name || "default";

  // Keys: the organisation's list, and each workspace's (an organisation-wide list may leave workspace keys out).
  const keys = new Map<string, { id: string; created: string }>();
  for (const scope of [undefined, ...listed.map((w) => w.id)]) {
    for (const key of await listApiKeys(client, scope)) keys.set(key.id, { id: key.id, created: key.created_at ?? "" });
  }
  const keyIds = sortBy([...keys.values()], (k) => [k.created, k.id]).map((k) => k.id);
  for (const read of await reader.readAll("ApiKey", keyIds)) {
    const organisationKey = read.inputs.type === "organisation";
    const scope = organisationKey ? "org" : labelOf(stringOf(read.inputs.workspaceId));
    const logicalName = names.take("key", [scope, stringOf(read.inputs.name) ?? read.id]);
    const notes = organisationKey ? ["An organisation key (an admin key, maybe the one this import used): removing it from the program deletes it."] : [];
    result.push(reader.object(read, logicalName, notes));
  }

  // Access rows of the integrations named, or of every organisation integration (workspace integrations have none).
  const slugs =
    options.integrations ??
    (await listIntegrations(client))
      .filter((i) => i.type !== "workspace")
      .map((i) => i.slug)
      .sort();
  const uuidOfSlug = new Map(listed.map((w) => [w.slug, w.id]));
  const accessIds: string[] = [];
  for (const slug of slugs) {
    const rows = await listWorkspaceAccess(client, slug);
    if (!rows) {
      if (options.integrations) throw new Error(`Portkey integration '${slug}' does not exist (GET /integrations/${slug}/workspaces answered 404)`);
      continue; // deleted since it was listed
    }
    const enabled = rows.filter((row) => row.enabled);
    // In the order of the workspaces (rows come in the API's order, which may change).
    const ordered = sortBy(enabled, (row) => [String(listed.findIndex((w) => w.slug === row.id || w.id === row.id)).padStart(8, "0"), row.id]);
    accessIds.push(...ordered.map((row) => `${slug}/${uuidOfSlug.get(row.id) ?? row.id}`));
  }
  for (const read of await reader.readAll("IntegrationWorkspaceAccess", accessIds)) {
    const logicalName = names.take("access", [stringOf(read.inputs.integrationSlug) ?? "integration", labelOf(stringOf(read.inputs.workspaceId))]);
    result.push(reader.object(read, logicalName, []));
  }
  return result;
}

async function readOpenRouter(vendor: Vendor, configured: ConfiguredValues, options: ImportOptions, names: Names): Promise<ImportedObject[]> {
  const reader = new Reader(vendor, configured, options.warn);
  const client = openrouterClient(reader.context);
  const workspaces = sortBy(await listOpenRouterWorkspaces(client), (w) => [w.created_at ?? "", w.id]);
  const result: ImportedObject[] = [];
  const workspaceLabel = new Map<string, string>();
  for (const read of await reader.readAll("Workspace", workspaces.map((w) => w.id))) {
    const logicalName = names.take("or-ws", [stringOf(read.inputs.slug) ?? read.id]);
    workspaceLabel.set(read.id, logicalName.slice("or-ws-".length));
    result.push(reader.object(read, logicalName, []));
  }
  // Keys are listed per workspace: without one, OpenRouter lists only the default workspace's.
  const keys = new Map<string, KeyJson>();
  for (const workspace of workspaces) {
    for (const key of await listKeys(client, workspace.id)) keys.set(key.hash, key);
  }
  const hashes = sortBy([...keys.values()], (k) => [k.created_at ?? "", k.hash]).map((k) => k.hash);
  for (const read of await reader.readAll("ApiKey", hashes)) {
    const workspaceId = stringOf(read.inputs.workspaceId) ?? stringOf(read.props.resolvedWorkspaceId);
    const logicalName = names.take("or-key", [(workspaceId && workspaceLabel.get(workspaceId)) || "default", stringOf(read.inputs.name) ?? read.id]);
    result.push(reader.object(read, logicalName, []));
  }
  return result;
}

/** A read object: its id, outputs and the inputs the engine records for it. */
interface ReadObject {
  resource: RegisteredResource;
  id: string;
  props: Json;
  inputs: Json;
}

/** Reads objects by id through the vendor's own providers, as the native plugin does on import. */
class Reader {
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

  /** Reads every id; an object deleted since it was listed is left out with a warning. */
  async readAll(className: string, ids: readonly string[]): Promise<ReadObject[]> {
    const resource = this.resource(className);
    const provider: ConfigurableProvider = resource.declared.provider;
    // The provider object is this process's own: configured as the engine's Configure would.
    provider.configuredValues = this.configured;
    provider.processState = this.context.processState;
    const answers = await withProviderWarnings(this.warn, () =>
      mapLimit(ids, READ_CONCURRENCY, (id) =>
        (provider.read!(id, {}) as Promise<ReadAnswer>).catch((error: unknown) => {
          throw new Error(`reading ${resource.declared.declaration.kind} ${id} failed: ${messageOf(error)}`);
        }),
      ),
    );
    const read: ReadObject[] = [];
    ids.forEach((id, i) => {
      const answer = answers[i];
      if (!answer.id) this.warn(`${resource.declared.declaration.kind} ${id} was deleted while it was being read: not imported.`);
      else read.push({ resource, id: answer.id, props: answer.props ?? {}, inputs: answer.inputs ?? {} });
    });
    return read;
  }

  /** The object to import, with the inputs a program declares and what check would say about them. */
  object(read: ReadObject, logicalName: string, notes: string[]): ImportedObject {
    const declared = read.resource.declared;
    const [vendor, className] = declared.declaration.kind.split(":");
    const inputs = programInputs(declared.declaration.inputs() as InputFields, read.inputs, read.props);
    return { vendor, className, type: `${vendor}:index:${className}`, id: read.id, logicalName, inputs, notes: [...notes, ...secretNotes(read.resource)] };
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
    let result = await provider.check!(inputs, inputs);
    if (result.failures?.some((f) => f.property === "scopes") && fields.allowUnknownScopes) {
      inputs = { ...inputs, allowUnknownScopes: true };
      result = await provider.check!(inputs, inputs);
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

/** Why a key's secret output is empty after an import, and how to get one. */
function secretNotes(resource: RegisteredResource): string[] {
  const declaration = resource.declared.declaration;
  const secretOutput = Object.entries(declaration.outputs()).find(([, field]) => field.secret);
  if (!secretOutput) return [];
  const [output] = secretOutput;
  const fields = declaration.inputs() as InputFields;
  if (fields.rotateWhen) {
    return [`Imported: the secret cannot be read back, so the \`${output}\` output is empty until \`rotateWhen\` is changed (which rotates the secret).`];
  }
  return [`Imported: the secret is shown only when the key is created, so the \`${output}\` output stays empty; the key itself keeps working.`];
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

function vendorNamed(all: Vendor[], name: string): Vendor {
  const vendor = all.find((v) => v.name === name);
  if (!vendor) throw new Error(`no vendor '${name}' is declared`);
  return vendor;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A stable sort by string keys (the API's list order is not promised). */
function sortBy<T>(items: readonly T[], key: (item: T) => string[]): T[] {
  return [...items].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
      const order = (ka[i] ?? "").localeCompare(kb[i] ?? "");
      if (order !== 0) return order;
    }
    return 0;
  });
}

/** `work` over every item, at most `limit` at a time, results in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
