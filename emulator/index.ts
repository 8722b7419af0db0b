/** The emulator as a library: start it in-process for your own program's tests. */
export { startEmulator } from "./server";
export { FAULT_KINDS, REQUEST_LOG_LIMIT } from "./server";
export { CONFIGURATION_SCHEMA_BY_PROVIDER, KNOWN_RESPONSE_DEVIATIONS, NULL_ACCEPTED_IN_REQUESTS, SCHEMA_DEVIATIONS } from "./spec";
export type { EmulatorOptions, FaultKind, FaultPlan, FaultSettings, LoggedRequest, RunningEmulator, SpecViolation } from "./server";
export type { PortkeyState } from "./portkey/state";
export type { OpenRouterState } from "./openrouter/state";
