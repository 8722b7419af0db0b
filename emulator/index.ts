/** The emulator as a library: start it in-process for your own program's tests. */
export { startEmulator } from "./server";
export { KNOWN_RESPONSE_DEVIATIONS, NULL_ACCEPTED_IN_REQUESTS } from "./spec";
export type { EmulatorOptions, FaultSettings, RunningEmulator, SpecViolation } from "./server";
export type { PortkeyState } from "./portkey-state";
export type { OpenRouterState } from "./openrouter";
