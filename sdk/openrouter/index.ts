/** Resources of OpenRouter's management API. */
export { Workspace } from "./workspace";
export type { WorkspaceArgs } from "./workspace";
export { ApiKey } from "./api-key";
export type { ApiKeyArgs } from "./api-key";
