/**
 * A look-up is one declaration, like a resource: its arguments and results as
 * fields (zod type, doc) and one `run` hook. From it derive the argument
 * validation (failures name the argument), the SDK functions of both forms
 * (`getX`/`getXOutput`), the native plugin's Invoke and the schema's
 * `functions`. Look-ups read; they never write and hold no state.
 *
 * The dynamic form runs the look-up in the program's process with the stack
 * config (as the dynamic resources' provider gets it); the native form runs
 * it in the plugin with the provider's configuration (default or explicit).
 */
import { z } from "zod";
import { ProviderError } from "./errors";
import type { ConfiguredValues } from "./config";
import { describeIssue, plainJson } from "./framework";
import { input } from "./resource";
import type { InputField, OutputField } from "./resource";

type Json = Record<string, unknown>;

/** A look-up's argument: an input field (only `doc`, the schema and `sdkType` matter), or one way of naming the object. */
export interface LookupArg<S extends z.ZodType = z.ZodType> extends InputField<S> {
  /**
   * One of the ways to name the object (its UUID, slug, name, ...): the call
   * gives exactly one of the look-up's identifying arguments.
   */
  identifies?: boolean;
}

/** Declares a look-up argument (`input` with the look-up's own flags). */
export function arg<S extends z.ZodType>(schema: S, options: Omit<LookupArg<S>, "role" | "schema">): LookupArg<S> {
  const { identifies, ...field } = options;
  return { ...input(schema, field), ...(identifies ? { identifies } : {}) };
}

export type LookupArgs = Record<string, LookupArg>;
export type LookupResults = Record<string, OutputField>;

type SchemaShape<F> = { [K in keyof F]: F[K] extends { schema: infer S extends z.ZodType } ? S : never };
export type ArgsOf<A extends LookupArgs> = z.output<z.ZodObject<SchemaShape<A>, z.core.$strict>>;
export type ResultsOf<R extends LookupResults> = z.output<z.ZodObject<SchemaShape<R>>>;

export interface LookupDeclaration<A extends LookupArgs, R extends LookupResults> {
  /** `<vendor>:<functionName>`, e.g. `portkey:getWorkspace`: the SDK function and the invoke token. */
  name: string;
  /** TSDoc of the SDK functions (and the schema's description), with an example. */
  doc: string;
  /** Arguments (declared with `input(...)`: only `doc` and the schema matter). */
  args(): A;
  /** Results (declared with `output(...)`). */
  results(): R;
  /**
   * Named object types the results use (a plural look-up's item: `sdkType`
   * of a result names one), each a table of fields: the schema's `types` and
   * the SDK's interfaces derive from them.
   */
  types?(): Record<string, Record<string, InputField | OutputField>>;
  /** Rules across arguments, run with the types already valid (after "exactly one of" the identifying arguments). */
  refine?(args: ArgsOf<A>, issue: (path: string, message: string) => void): void;
  /** Reads the vendor's API: the results, or an error saying why none or several matched. */
  run(args: ArgsOf<A>, configured: ConfiguredValues): Promise<ResultsOf<R>>;
}

/** An argument the caller got wrong; `property` names it (an empty string for the whole call). */
export interface LookupFailure {
  property: string;
  reason: string;
}

export class LookupArgumentsError extends ProviderError {
  constructor(
    readonly lookup: string,
    readonly failures: LookupFailure[],
  ) {
    super(`${lookup}: ${failures.map((f) => f.reason).join("; ")}`);
    this.name = "LookupArgumentsError";
  }
}

export interface DeclaredLookup<A extends LookupArgs, R extends LookupResults> {
  declaration: LookupDeclaration<A, R>;
  /** Validates the arguments (throws LookupArgumentsError naming them), then runs the look-up: plain JSON results. */
  invoke(args: Json, configured: ConfiguredValues): Promise<Json>;
}

/** The strict zod object of a look-up's arguments, with its cross-argument rules. */
export function argsSchemaOf(declaration: LookupDeclaration<LookupArgs, LookupResults>): z.ZodType {
  const args = declaration.args();
  const shape = Object.fromEntries(Object.entries(args).map(([name, field]) => [name, field.schema]));
  const object = z.strictObject(shape);
  const identifying = Object.keys(args).filter((name) => args[name].identifies === true);
  const refine = declaration.refine;
  if (!refine && identifying.length === 0) return object;
  return object.superRefine((value, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: path ? [path] : [], message });
    if (identifying.length > 0) exactlyOneOf(identifying, value as Json, issue);
    refine?.(value as never, issue);
  });
}

/** "Exactly one of" the identifying arguments, reported against the whole call. */
function exactlyOneOf(names: string[], args: Json, issue: (path: string, message: string) => void): void {
  const given = names.filter((name) => args[name] !== undefined);
  if (given.length === 1) return;
  issue("", given.length === 0 ? `give one of ${names.join(", ")}` : `give only one of ${names.join(", ")} (got ${given.join(" and ")})`);
}

export function declareLookup<A extends LookupArgs, R extends LookupResults>(declaration: LookupDeclaration<A, R>): DeclaredLookup<A, R> {
  return {
    declaration,
    async invoke(args, configured) {
      // Unset arguments arrive as undefined (dynamic) or absent (native): both mean "not given".
      const given = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined && value !== null));
      const parsed = argsSchemaOf(declaration as unknown as LookupDeclaration<LookupArgs, LookupResults>).safeParse(given);
      if (!parsed.success) {
        const failures = parsed.error.issues.flatMap(failuresOf);
        throw new LookupArgumentsError(declaration.name.replace(":", "."), failures);
      }
      return plainJson(await declaration.run(parsed.data as ArgsOf<A>, configured));
    },
  };
}

function failuresOf(issue: z.core.$ZodIssue): LookupFailure[] {
  if (issue.code === "unrecognized_keys" && issue.path.length === 0) {
    return issue.keys.map((key) => ({ property: key, reason: `${key}: is not an argument of this look-up (arguments are camelCase)` }));
  }
  return [{ property: issue.path.length > 0 ? String(issue.path[0]) : "", reason: describeIssue(issue) }];
}

/** The function's name in the SDK, e.g. `getWorkspace`. */
export function functionNameOf(declaration: { name: string }): string {
  return declaration.name.slice(declaration.name.indexOf(":") + 1);
}
