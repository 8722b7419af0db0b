/** Resources of the Portkey Admin API. */
export { Workspace } from "./workspace";
export type { WorkspaceArgs } from "./workspace";
export type { RateLimitArgs, UsageLimitArgs } from "./types";
