/**
 * Turns a resource definition into a Pulumi dynamic ResourceProvider. This is
 * where the rules every resource shares live, once:
 *
 * - check: zod validation, failures naming the property; preview unknowns tolerated.
 * - diff: user-owned inputs only, the same normalisation on both sides, `replaces`.
 * - create: a remote object created before a later step failed is reported as
 *   a partial failure carrying its id, so the engine records it (nothing orphaned).
 * - read: `{}` when gone; refreshed `inputs` returned, so refresh leaves no phantom diff.
 * - update: always returns every output.
 * - results are plain JSON (no undefined, no Date).
 *
 * The returned object is what the engine serializes into state: it holds the
 * definition's functions and nothing stateful. Credentials arrive through
 * `configure()` at run time and live only on the running provider object.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfiguredValues } from "./config";
import { messageOf, ProviderError } from "./errors";
import { isDynamicProviderHost, watchEngine } from "./lifeline";

/** The engine's placeholder for a value not known until apply (preview only). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

type Json = Record<string, unknown>;

/** What a lifecycle handler gets besides its arguments. */
export interface LifecycleContext {
  /** Stack config handed to `configure()` (empty when the engine sent none). */
  configured: ConfiguredValues;
  /** A warning shown in the engine's output for this operation. */
  warn(message: string): void;
  /**
   * State shared by all calls of one vendor's resources in this provider
   * process (batchers, read caches): a workspace one resource created resolves
   * for the keys and grants in it without a GET. It is never serialized into
   * the stack and never outlives the process.
   */
  processState: Map<string, unknown>;
  /**
   * Call right after the remote object exists. If anything later in the same
   * create fails, the engine records the resource with this id and these
   * outputs instead of losing it.
   */
  created(id: string, outputs: Json): void;
}

export interface ResourceDefinition<Inputs extends Json, Outputs extends Json> {
  /** Token shown in messages, e.g. "portkey:Workspace". */
  kind: string;
  /** How messages name one resource, when its inputs have no `name` (e.g. "openai → ws-dev"). */
  label?(values: Partial<Inputs>): string | undefined;
  /** The stack config keys `configure()` keeps (the vendor's credential and base URL). */
  configKeys?: readonly string[];
  /** Built on every call: a zod schema must not sit at module scope (it cannot be serialized). */
  inputSchema(): z.ZodObject<z.ZodRawShape>;
  /**
   * Checks that need the previous inputs too (e.g. "in the future" only for a
   * changed date). Runs after the schema passed and only when nothing is unknown.
   */
  validate?(inputs: Inputs, olds: Partial<Inputs>): { property: string; reason: string }[];
  /** Inputs whose change replaces the remote object. */
  replaceOnChange: readonly (keyof Inputs & string)[];
  /** Inputs whose removal replaces the remote object (a new value updates it in place). */
  replaceOnRemoval?: readonly (keyof Inputs & string)[];
  /**
   * Sets of inputs whose values the API keeps unique together (one input
   * alone, or a pair such as group and workspace): a replacement after which
   * the new object would hold every value of a set as the old one did deletes
   * the old object first.
   */
  uniqueInputs?: readonly (readonly (keyof Inputs & string)[])[];
  /**
   * Inputs the server owns unless the program declares them (e.g. a workspace
   * icon set in the UI): not declaring one leaves the server's value alone
   * (never compared, never sent; shown as an output), declaring one manages it.
   */
  serverOwnedUnlessDeclared?: readonly (keyof Inputs & string)[];
  /**
   * Server-set outputs an in-place update never changes (ids, slugs, creation
   * time): a preview keeps them known, so what references them shows no change.
   */
  stableOutputs?: readonly string[];
  /** Rewrites valid inputs into their canonical form (runs in check, after validation). */
  canonicalInputs?(inputs: Inputs): Inputs;
  /**
   * The comparable form of one input for diff, applied alike to the old
   * (stored output) and new (program) value. Defaults to `normalize`.
   */
  comparable?(name: keyof Inputs & string, value: unknown, side: "old" | "new", olds: Json): unknown;
  create(inputs: Inputs, ctx: LifecycleContext): Promise<{ id: string; outputs: Outputs }>;
  /** Undefined when the remote object is gone. */
  read(id: string, outputs: Outputs, ctx: LifecycleContext): Promise<{ outputs: Outputs; inputs: Inputs } | undefined>;
  update(id: string, olds: Outputs, news: Inputs, ctx: LifecycleContext): Promise<Outputs>;
  delete(id: string, outputs: Outputs, ctx: LifecycleContext): Promise<void>;
}

/** The error shape the dynamic-provider host turns into a partial failure. */
export class PartialCreateError extends ProviderError {
  override readonly name = "PartialCreateError";
  constructor(
    readonly id: string,
    readonly properties: Json,
    readonly reasons: string[],
  ) {
    super(reasons.join("; "));
  }
}

/** A dynamic provider whose `configure()` keeps the stack config for later calls. */
export interface ConfigurableProvider extends pulumi.dynamic.ResourceProvider {
  configuredValues?: ConfiguredValues;
  processState?: Map<string, unknown>;
  /**
   * Where warnings go instead of stderr: the native plugins send them to the
   * engine against the resource (the engine does not show a plugin's stderr).
   */
  warnSink?(message: string): void;
  /** The inputs `diff` sees as changed and those that replace, for hosts that show a per-property diff (the native plugins). */
  inputDiff?(olds: Json, news: Json): InputDiff;
}

/** What diff decides about one resource's inputs. */
export interface InputDiff {
  /** Inputs whose comparable forms differ. */
  changed: string[];
  /** Those of them whose change replaces. */
  replaces: string[];
  /** Outputs an in-place update keeps (none when replacing). */
  stables: string[];
  /** The replacement must delete the old object first: it would take a value the API keeps unique. */
  deleteBeforeReplace: boolean;
}

/**
 * The process state of a vendor's resources (`<vendor>:<Name>` kinds). The
 * native plugins hand each provider theirs; under Node's dynamic-provider host
 * every resource kind is its own provider object, so they meet here. Kept on
 * `globalThis`, not in a module variable, so that a provider serialized by
 * value into the stack (the SDK used from outside node_modules) carries none.
 */
function vendorProcessState(kind: string): Map<string, unknown> {
  const registry = globalRegistry<Map<string, Map<string, unknown>>>("process-state", () => new Map());
  const vendor = kind.slice(0, kind.indexOf(":"));
  let state = registry.get(vendor);
  if (!state) registry.set(vendor, (state = new Map()));
  return state;
}

/**
 * A value built once per owner object and process (e.g. a declaration's zod
 * schemas, which are costly to build on every check and diff). Kept on
 * `globalThis` like vendorProcessState, so nothing built is serialized.
 */
export function processMemo<T>(owner: object, name: string, build: () => T): T {
  const memos = globalRegistry<WeakMap<object, Map<string, unknown>>>("memo", () => new WeakMap());
  let entry = memos.get(owner);
  if (!entry) memos.set(owner, (entry = new Map()));
  if (!entry.has(name)) entry.set(name, build());
  return entry.get(name) as T;
}

function globalRegistry<T>(name: string, create: () => T): T {
  const key = Symbol.for(`pulumi-ai-gateway.${name}`);
  const global = globalThis as unknown as Record<symbol, T | undefined>;
  return (global[key] ??= create());
}

export function defineResource<Inputs extends Json, Outputs extends Json>(
  definition: ResourceDefinition<Inputs, Outputs>,
): ConfigurableProvider {
  const context = (provider: ConfigurableProvider, onCreated?: (id: string, outputs: Json) => void): LifecycleContext => ({
    configured: provider.configuredValues ?? {},
    processState: (provider.processState ??= vendorProcessState(definition.kind)),
    warn: (message) => (provider.warnSink ? provider.warnSink(`${definition.kind}: ${message}`) : console.warn(`warning: ${definition.kind}: ${message}`)),
    created: (id, outputs) => onCreated?.(id, outputs),
  });

  const provider: ConfigurableProvider = {
    async configure(request: pulumi.dynamic.ConfigureRequest) {
      // Under Node's dynamic-provider host, nothing else ends the process when the engine dies.
      if (isDynamicProviderHost()) watchEngine(() => process.exit(0));
      const values: ConfiguredValues = {};
      for (const key of definition.configKeys ?? []) {
        values[key] = request.config.get(key);
      }
      this.configuredValues = values;
    },

    async check(olds: Json, news: Json) {
      const { __provider: _ignored, __declaredServerOwned: _declared, ...raw } = news;
      const unknownPaths = pathsOfUnknowns(raw);
      const parsed = definition.inputSchema().safeParse(raw);
      if (parsed.success) {
        if (unknownPaths.length > 0) return { inputs: plainJson(raw) };
        const failures = definition.validate?.(parsed.data as Inputs, (olds ?? {}) as Partial<Inputs>) ?? [];
        if (failures.length > 0) return { inputs: raw, failures };
        const valid = parsed.data as Inputs;
        return { inputs: plainJson(definition.canonicalInputs ? definition.canonicalInputs(valid) : valid) };
      }
      const failures = parsed.error.issues
        .filter((issue) => !unknownPaths.some((unknown) => startsWith(issue.path, unknown)))
        .flatMap(failuresOfIssue);
      return failures.length > 0 ? { inputs: raw, failures } : { inputs: plainJson(raw) };
    },

    async diff(_id: string, olds: Json, news: Json) {
      // Node's dynamic-provider host drops `stables`; the native plugins use them (their update previews).
      const { changed, replaces, deleteBeforeReplace } = inputDiff(definition, olds, news);
      return { changes: changed.length > 0, replaces, ...(deleteBeforeReplace ? { deleteBeforeReplace } : {}) };
    },

    inputDiff: (olds: Json, news: Json) => inputDiff(definition, olds, news),

    async create(inputs: Json) {
      let createdId: string | undefined;
      let createdOutputs: Json = {};
      const { __provider: _ignored, ...clean } = inputs;
      const result = await inHook(
        definition.kind,
        "create",
        () =>
          definition.create(
            clean as Inputs,
            context(this, (id, outputs) => {
              createdId = id;
              createdOutputs = outputs;
            }),
          ),
        (error) => {
          if (createdId === undefined) return named(definition, error, inputs);
          return new PartialCreateError(createdId, plainJson(withDeclared(definition.serverOwnedUnlessDeclared, createdOutputs, inputs)), [
            `${resourceLabel(definition, inputs, createdId)} was created, but a later step failed: ${messageOf(error)}. ` +
              "It is recorded in the stack; run `pulumi up` again to finish.",
          ]);
        },
      );
      return { id: result.id, outs: plainJson(withDeclared(definition.serverOwnedUnlessDeclared, result.outputs, clean)) };
    },

    async read(id: string, props?: Json) {
      const { __provider: _ignored, ...outputs } = props ?? {};
      const result = await inHook(definition.kind, "read", () => definition.read(id, outputs as Outputs, context(this)), (error) => named(definition, error, outputs, id));
      if (!result) return {};
      const declared = declaredOf(outputs);
      const inputs: Json = { ...result.inputs };
      // A server-owned field the program never declared is not an input: refresh must not make it one.
      for (const name of definition.serverOwnedUnlessDeclared ?? []) {
        if (declared && !declared.includes(name)) delete inputs[name];
      }
      return { id, props: plainJson({ ...result.outputs, ...(declared ? { __declaredServerOwned: declared } : {}) }), inputs: plainJson(inputs) };
    },

    async update(id: string, olds: Json, news: Json) {
      const { __provider: _a, ...oldOutputs } = olds;
      const { __provider: _b, ...newInputs } = news;
      const outputs = await inHook(
        definition.kind,
        "update",
        () => definition.update(id, oldOutputs as Outputs, newInputs as Inputs, context(this)),
        (error) => named(definition, error, newInputs, id),
      );
      return { outs: plainJson(withDeclared(definition.serverOwnedUnlessDeclared, outputs, newInputs)) };
    },

    async delete(id: string, props: Json) {
      const { __provider: _ignored, ...outputs } = props;
      await inHook(definition.kind, "delete", () => definition.delete(id, outputs as Outputs, context(this)), (error) => named(definition, error, outputs, id));
    },
  };
  return provider;
}

/**
 * The inputs whose comparable forms differ (server-owned ones only when
 * declared; unknowns always), those of them whose change replaces, and
 * whether the replacement must delete first.
 */
function inputDiff<Inputs extends Json, Outputs extends Json>(
  definition: ResourceDefinition<Inputs, Outputs>,
  olds: Json,
  news: Json,
): InputDiff {
  const names = Object.keys(definition.inputSchema().shape) as (keyof Inputs & string)[];
  const serverOwned = definition.serverOwnedUnlessDeclared ?? [];
  const changed = names.filter((name) => {
    if (news[name] === undefined && serverOwned.includes(name)) return false;
    if (containsUnknown(news[name])) return true;
    const before = definition.comparable ? definition.comparable(name, olds[name], "old", olds) : normalize(olds[name]);
    const after = definition.comparable ? definition.comparable(name, news[name], "new", olds) : normalize(news[name]);
    return !deepEqual(before, after);
  });
  const replaces = changed.filter(
    (name) => definition.replaceOnChange.includes(name) || (news[name] === undefined && (definition.replaceOnRemoval ?? []).includes(name)),
  );
  // A replacement is a new object: nothing of the old one carries over.
  const stables = replaces.length > 0 ? [] : [...(definition.stableOutputs ?? []), ...names.filter((name) => !changed.includes(name))];
  // The new object takes the old one's unique value when the program keeps it,
  // or leaves it to the server, which derives it again (from the name) — maybe the same.
  const takesOldValue = (name: string) => olds[name] !== undefined && !containsUnknown(news[name]) && (news[name] === undefined || !changed.includes(name));
  const deleteBeforeReplace = replaces.length > 0 && (definition.uniqueInputs ?? []).some((set) => set.length > 0 && set.every(takesOldValue));
  return { changed, replaces, stables, deleteBeforeReplace };
}

/** The parts of a definition that name a resource in messages. */
type Labelled = { kind: string; label?(values: never): string | undefined };

/** "portkey:Workspace 'dev' (3f2a…)": what the engine's error line names. */
function resourceLabel(definition: Labelled, values: Json, id?: string): string {
  const custom = definition.label?.(values as never);
  const label = custom ?? (typeof values.name === "string" && values.name ? values.name : undefined);
  return [definition.kind, label && `'${label}'`, id && `(${id})`].filter(Boolean).join(" ");
}

/**
 * A plain Error naming the resource: the host would read an `id` field on any
 * other thrown object as "created", and class instances from dependencies can
 * carry one.
 */
function named(definition: Labelled, error: unknown, values: Json, id?: string): Error {
  const plain = new Error(`${resourceLabel(definition, values, id)}: ${messageOf(error)}`);
  // Where it failed (code locations only, never the failure's message), then where this error was made (the hook, see inHook).
  // (Duck-typed: a serialized provider's own error classes are not `instanceof Error`.)
  const stack = (error as { stack?: unknown } | undefined)?.stack;
  const framesOf = (text: unknown) => (typeof text === "string" ? text.split("\n").filter((line) => /^\s+at /.test(line)) : []);
  const frames = [...framesOf(stack), ...framesOf(plain.stack).slice(1)];
  plain.stack = [`${plain.name}: ${plain.message}`, ...frames].join("\n");
  return plain;
}

/**
 * Runs a lifecycle hook inside a function named `<kind>.<hook>` (e.g.
 * `portkey:ApiKey.create`), where its failure becomes the error the engine
 * shows (`fail`): that error's stack names the resource and the hook,
 * whatever the hook's own frames say. Named here, when it runs: the engine's
 * closure serializer rebuilds functions from their text and drops any name
 * given at load.
 */
function inHook<R>(kind: string, hook: string, run: () => Promise<R>, fail: (error: unknown) => Error): Promise<R> {
  const call = async (): Promise<R> => {
    try {
      return await run();
    } catch (error) {
      throw fail(error);
    }
  };
  Object.defineProperty(call, "name", { value: `${kind}.${hook}`, configurable: true });
  return call();
}

/** Records which server-owned fields the program declared, so a later read keeps the others out of the inputs. */
function withDeclared(owned: readonly string[] | undefined, outputs: Json, inputs: Json): Json {
  if (!owned || owned.length === 0) return outputs;
  return { ...outputs, __declaredServerOwned: owned.filter((name) => inputs[name] !== undefined && inputs[name] !== null) };
}

/**
 * `__declaredServerOwned`, an output the SDK classes do not expose, lists the
 * server-owned fields the program declared (see `serverOwnedUnlessDeclared`).
 * (Spelled out, not a constant: the closure serializer misses computed keys.)
 */
function declaredOf(outputs: Json): string[] | undefined {
  const value = outputs.__declaredServerOwned;
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : undefined;
}

/**
 * One failure per problem, always naming a top-level property: an unknown key
 * is named itself (zod reports it at the object's root).
 */
function failuresOfIssue(issue: z.core.$ZodIssue): { property: string; reason: string }[] {
  if (issue.code === "unrecognized_keys" && issue.path.length === 0) {
    return issue.keys.map((key) => ({ property: key, reason: `${key}: is not an input of this resource (check its spelling: inputs are camelCase)` }));
  }
  const property = issue.path.length > 0 ? String(issue.path[0]) : "inputs";
  return [{ property, reason: describeIssue(issue) }];
}

/**
 * The canonical form diff compares: null, "", [] and {} mean "not set", so
 * the API's habit of answering [] or null for unset values never shows as a change.
 */
export function normalize(value: unknown): unknown {
  if (value === null || value === undefined || value === "") return undefined;
  if (Array.isArray(value)) {
    const items = value.map(normalize);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === "object") {
    const result: Json = {};
    for (const key of Object.keys(value as Json).sort()) {
      const item = normalize((value as Json)[key]);
      if (item !== undefined) result[key] = item;
    }
    return Object.keys(result).length === 0 ? undefined : result;
  }
  return value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** JSON round trip: drops undefined, turns Dates into strings, as the engine's Struct needs. */
export function plainJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

function pathsOfUnknowns(value: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  if (value === UNKNOWN) return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => pathsOfUnknowns(item, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => pathsOfUnknowns(item, [...path, key]));
  }
  return [];
}

function startsWith(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.every((segment, i) => path[i] === segment);
}

/**
 * Structured JSON in a comparable form: every object's keys in order (two
 * serialisations of one value compare equal), nulls inside kept, empty as unset.
 */
export function sortedKeys(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((item) => sortedKeys(item) ?? null);
  if (typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  const result = Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, object[key] === null ? null : sortedKeys(object[key])]),
  );
  return normalize(result) === undefined && Object.keys(result).length === 0 ? undefined : result;
}

/** "usageLimits[0].alertThreshold: must not exceed creditLimit" */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.reduce<string>(
    (text, segment) => (typeof segment === "number" ? `${text}[${segment}]` : text ? `${text}.${String(segment)}` : String(segment)),
    "",
  );
  return where ? `${where}: ${issue.message}` : issue.message;
}


export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
