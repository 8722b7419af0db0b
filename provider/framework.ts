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
import { messageOf } from "./errors";

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
   * State shared by all calls in this provider process (batchers, read
   * caches). It lives on the running provider object, so it is never
   * serialized into the stack and never outlives the process.
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
  /** Built on every call: a zod schema must not sit at module scope (it cannot be serialized). */
  inputSchema(): z.ZodObject<z.ZodRawShape>;
  /**
   * Checks that need the previous inputs too (e.g. "in the future" only for a
   * changed date). Runs after the schema passed and only when nothing is unknown.
   */
  validate?(inputs: Inputs, olds: Partial<Inputs>): { property: string; reason: string }[];
  /** Inputs whose change replaces the remote object. */
  replaceOnChange: readonly (keyof Inputs & string)[];
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
export class PartialCreateError extends Error {
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
}

export function defineResource<Inputs extends Json, Outputs extends Json>(
  definition: ResourceDefinition<Inputs, Outputs>,
): ConfigurableProvider {
  const context = (provider: ConfigurableProvider, onCreated?: (id: string, outputs: Json) => void): LifecycleContext => ({
    configured: provider.configuredValues ?? {},
    processState: (provider.processState ??= new Map()),
    warn: (message) => console.warn(`warning: ${definition.kind}: ${message}`),
    created: (id, outputs) => onCreated?.(id, outputs),
  });

  const provider: ConfigurableProvider = {
    async configure(request: pulumi.dynamic.ConfigureRequest) {
      const values: ConfiguredValues = {};
      for (const key of ["portkey:apiKey", "portkey:baseUrl", "openrouter:managementKey", "openrouter:baseUrl"]) {
        values[key] = request.config.get(key);
      }
      this.configuredValues = values;
    },

    async check(olds: Json, news: Json) {
      const { __provider: _ignored, ...raw } = news;
      const unknownPaths = pathsOfUnknowns(raw);
      const parsed = definition.inputSchema().safeParse(raw);
      if (parsed.success) {
        if (unknownPaths.length > 0) return { inputs: plainJson(raw) };
        const failures = definition.validate?.(parsed.data as Inputs, (olds ?? {}) as Partial<Inputs>) ?? [];
        return failures.length > 0 ? { inputs: raw, failures } : { inputs: plainJson(parsed.data) };
      }
      const failures = parsed.error.issues
        .filter((issue) => !unknownPaths.some((unknown) => startsWith(issue.path, unknown)))
        .map((issue) => ({ property: String(issue.path[0] ?? ""), reason: describeIssue(issue) }));
      return failures.length > 0 ? { inputs: raw, failures } : { inputs: plainJson(raw) };
    },

    async diff(_id: string, olds: Json, news: Json) {
      const names = Object.keys(definition.inputSchema().shape) as (keyof Inputs & string)[];
      const changed = names.filter((name) => {
        if (containsUnknown(news[name])) return true;
        const before = definition.comparable ? definition.comparable(name, olds[name], "old", olds) : normalize(olds[name]);
        const after = definition.comparable ? definition.comparable(name, news[name], "new", olds) : normalize(news[name]);
        return !deepEqual(before, after);
      });
      const replaces = changed.filter((name) => definition.replaceOnChange.includes(name));
      return { changes: changed.length > 0, replaces };
    },

    async create(inputs: Json) {
      let createdId: string | undefined;
      let createdOutputs: Json = {};
      try {
        const { __provider: _ignored, ...clean } = inputs;
        const result = await definition.create(
          clean as Inputs,
          context(this, (id, outputs) => {
            createdId = id;
            createdOutputs = outputs;
          }),
        );
        return { id: result.id, outs: plainJson(result.outputs) };
      } catch (error) {
        if (createdId === undefined) throw asPlainError(error);
        throw new PartialCreateError(createdId, plainJson(createdOutputs), [
          `${definition.kind} ${createdId} was created, but a later step failed: ${messageOf(error)}. ` +
            "It is recorded in the stack; run `pulumi up` again to finish.",
        ]);
      }
    },

    async read(id: string, props?: Json) {
      const { __provider: _ignored, ...outputs } = props ?? {};
      const result = await definition.read(id, outputs as Outputs, context(this)).catch((error: unknown) => {
        throw asPlainError(error);
      });
      if (!result) return {};
      return { id, props: plainJson(result.outputs), inputs: plainJson(result.inputs) };
    },

    async update(id: string, olds: Json, news: Json) {
      const { __provider: _a, ...oldOutputs } = olds;
      const { __provider: _b, ...newInputs } = news;
      const outputs = await definition.update(id, oldOutputs as Outputs, newInputs as Inputs, context(this)).catch((error: unknown) => {
        throw asPlainError(error);
      });
      return { outs: plainJson(outputs) };
    },

    async delete(id: string, props: Json) {
      const { __provider: _ignored, ...outputs } = props;
      await definition.delete(id, outputs as Outputs, context(this)).catch((error: unknown) => {
        throw asPlainError(error);
      });
    },
  };
  return provider;
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

/** "usageLimits[0].alertThreshold: must not exceed creditLimit" */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.reduce<string>(
    (text, segment) => (typeof segment === "number" ? `${text}[${segment}]` : text ? `${text}.${String(segment)}` : String(segment)),
    "",
  );
  return where ? `${where}: ${issue.message}` : issue.message;
}

/**
 * A plain Error with the same message: the host would read an `id` field on
 * any other thrown object as "created", and class instances from dependencies
 * can carry one.
 */
function asPlainError(error: unknown): Error {
  return new Error(messageOf(error));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
