/**
 * A small command-line parser: `--flag value`, `--flag=value`, boolean
 * switches and repeatable flags. Anything it does not know is an error
 * naming the flag, so a typo never silently does something else.
 */

export type FlagKind = "string" | "boolean" | "list";

export interface ParsedArgs {
  strings: Map<string, string>;
  booleans: Set<string>;
  /** Repeatable flags; a value may also list several, comma-separated. */
  lists: Map<string, string[]>;
  /** Arguments that are not flags. */
  positional: string[];
}

/** A usage problem: main prints it with a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parseArgs(argv: readonly string[], flags: Record<string, FlagKind>): ParsedArgs {
  const parsed: ParsedArgs = { strings: new Map(), booleans: new Set(), lists: new Map(), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      parsed.positional.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = arg.slice(2, equals < 0 ? undefined : equals);
    const kind = flags[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === "boolean") {
      if (equals >= 0) throw new UsageError(`--${name} takes no value`);
      parsed.booleans.add(name);
      continue;
    }
    let value: string | undefined;
    if (equals >= 0) value = arg.slice(equals + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) value = argv[++i];
    if (value === undefined || value === "") throw new UsageError(`--${name} needs a value`);
    if (kind === "string") parsed.strings.set(name, value);
    else {
      const items = value.split(",").map((item) => item.trim()).filter(Boolean);
      parsed.lists.set(name, [...(parsed.lists.get(name) ?? []), ...items]);
    }
  }
  return parsed;
}
