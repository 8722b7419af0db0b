/**
 * Which of the two ways of serving the resources an end-to-end suite runs
 * against, chosen by `E2E_FLAVOUR` when the suite is loaded:
 *
 * - `dynamic` (the default): the Pulumi dynamic resources (`sdk`), type tokens
 *   `pulumi-nodejs:dynamic/<vendor>:<Resource>`;
 * - `native`: the provider plugins `bin/pulumi-resource-portkey` and
 *   `-openrouter` (`sdk/native`), type tokens `<vendor>:index:<Resource>`,
 *   found by the engine on PATH as a user's shell finds them.
 *
 * The per-resource suites take their SDK namespaces, type tokens and extra
 * stack options from here, so one body of assertions runs against both; the
 * `native-*.test.ts` twins set `E2E_FLAVOUR=native` and load the suite.
 */
import * as path from "node:path";
import * as dynamicSdk from "../../sdk";
import * as nativeSdk from "../../sdk/native";

export type Flavour = "dynamic" | "native";

function selected(): Flavour {
  const value = process.env.E2E_FLAVOUR ?? "dynamic";
  if (value !== "dynamic" && value !== "native") throw new Error(`E2E_FLAVOUR must be "dynamic" or "native", not ${JSON.stringify(value)}`);
  return value;
}

export const FLAVOUR: Flavour = selected();
const NATIVE = FLAVOUR === "native";

// The native SDK is generated from the same declarations as the dynamic one: the
// same arguments, outputs and `get`. Suites are type-checked against the dynamic
// SDK's types; the assignments below fail to compile if the two stop being compatible.
const nativePortkey: typeof dynamicSdk.portkey = nativeSdk.portkey;
const nativeOpenrouter: typeof dynamicSdk.openrouter = nativeSdk.openrouter;

/** The Portkey resources of the selected flavour. */
export const portkey: typeof dynamicSdk.portkey = NATIVE ? nativePortkey : dynamicSdk.portkey;
/** The OpenRouter resources of the selected flavour. */
export const openrouter: typeof dynamicSdk.openrouter = NATIVE ? nativeOpenrouter : dynamicSdk.openrouter;

// Type positions (`portkey.Workspace` as a type) resolve through these namespaces.
export declare namespace portkey {
  type Workspace = dynamicSdk.portkey.Workspace;
  type ApiKey = dynamicSdk.portkey.ApiKey;
  type IntegrationWorkspaceAccess = dynamicSdk.portkey.IntegrationWorkspaceAccess;
}
export declare namespace openrouter {
  type Workspace = dynamicSdk.openrouter.Workspace;
  type ApiKey = dynamicSdk.openrouter.ApiKey;
}

/** The type token the engine reports (steps, state) for a resource of the selected flavour. */
export function resourceType(vendor: "portkey" | "openrouter", resource: string): string {
  return NATIVE ? `${vendor}:index:${resource}` : `pulumi-nodejs:dynamic/${vendor}:${resource}`;
}

const PLUGINS = path.resolve(__dirname, "..", "..", "bin");

/**
 * Extra environment for the stacks: for the native flavour, the plugins' directory
 * first on PATH (automatic plugin acquisition is off, so this is how the engine finds them).
 */
export const stackEnv: Record<string, string> | undefined = NATIVE
  ? { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` }
  : undefined;
