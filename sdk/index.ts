/**
 * Pulumi resources for AI-gateway administration.
 *
 * ```ts
 * import { portkey, openrouter } from "pulumi-ai-gateway";
 * new portkey.Workspace("dev", { name: "Dev" });
 * new openrouter.Workspace("dev", { name: "Dev", slug: "dev" });
 * ```
 */
export * as portkey from "./portkey";
export * as openrouter from "./openrouter";
