import * as pulumi from "@pulumi/pulumi";
import type { ConfiguredValues } from "../provider/config";

/** What the SDK needs of a declared look-up (provider/lookup.ts). */
interface Invokable {
  invoke(args: Record<string, unknown>, configured: ConfiguredValues): Promise<Record<string, unknown>>;
}

/**
 * Runs a look-up of the dynamic SDK in the program's process, with the stack
 * config the dynamic resources' provider gets (`<vendor>:apiKey`,
 * `<vendor>:baseUrl`; else the environment). Read at call time, never kept.
 */
export function runLookup<Result>(lookup: Invokable, configKeys: readonly string[], args: object): Promise<Result> {
  const configured: ConfiguredValues = Object.fromEntries(configKeys.map((key) => [key, pulumi.runtime.getConfig(key)]));
  return lookup.invoke({ ...args }, configured) as Promise<Result>;
}
