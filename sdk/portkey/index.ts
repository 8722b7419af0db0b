/** Resources of the Portkey Admin API. */
export { Workspace } from "./workspace";
export type { WorkspaceArgs } from "./workspace";
export { ApiKey } from "./api-key";
export type { ApiKeyArgs, RotationPolicyArgs } from "./api-key";
export { IntegrationWorkspaceAccess } from "./integration-workspace-access";
export type { IntegrationWorkspaceAccessArgs } from "./integration-workspace-access";
export type { RateLimitArgs, UsageLimitArgs } from "./types";
