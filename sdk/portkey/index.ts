/** Resources of the Portkey Admin API. */
export { Workspace } from "./workspace";
export type { WorkspaceArgs } from "./workspace";
export { ApiKey } from "./api-key";
export type { ApiKeyArgs, RotationPolicyArgs } from "./api-key";
export type { RateLimitArgs, UsageLimitArgs } from "./types";
