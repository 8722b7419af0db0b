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
import type { InputField, OutputField } from "./resource";

type Json = Record<string, unknown>;

export type LookupArgs = Record<string, InputField>;
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
  /** Rules across arguments (e.g. "exactly one of"), run with the types already valid. */
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
  const shape = Object.fromEntries(Object.entries(declaration.args()).map(([name, field]) => [name, field.schema]));
  const object = z.strictObject(shape);
  const refine = declaration.refine;
  if (!refine) return object;
  return object.superRefine((value, ctx) => refine(value as never, (path, message) => ctx.addIssue({ code: "custom", path: path ? [path] : [], message })));
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
