/**
 * Pulumi resources for AI-gateway administration.
 *
 * ```ts
 * import { portkey } from "pulumi-ai-gateway";
 * new portkey.Workspace("dev", { name: "Dev" });
 * ```
 */
export * as portkey from "./portkey";
