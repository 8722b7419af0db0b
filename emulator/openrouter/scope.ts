/**
 * What the BYOK and observability nouns share: the workspace a create or a
 * list is about (the account's default one unless `workspace_id` is given;
 * 400 once the default workspace is gone), and the checks of their fields.
 */
import { findWorkspace, JsonObject, openrouterError } from "./common";
import { OpenRouterState } from "./state";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const KEY_HASH = /^[a-f0-9]{64}$/;

/** The workspace named by `workspace_id` (a UUID), else the default one. */
export function scopedWorkspaceId(state: OpenRouterState, workspaceId: unknown): string {
  if (workspaceId === undefined || workspaceId === null || workspaceId === "") {
    const found = Object.values(state.workspaces).find((w) => w.is_default && !w.deleted_at);
    // Documented: once the default workspace is deleted, workspace_id becomes mandatory (400).
    if (!found) throw openrouterError(400, "workspace_id is required: the account has no default workspace");
    return found.id;
  }
  if (typeof workspaceId !== "string" || !UUID.test(workspaceId)) throw openrouterError(400, "workspace_id must be a UUID");
  return findWorkspace(state, workspaceId).id;
}

/** A boolean field, when the body names it. */
export function optionalBoolean(body: JsonObject, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw openrouterError(400, `${field} must be a boolean`);
  return value;
}

/** A list of strings or null, when the body names it, with its documented bounds. */
export function stringList(body: JsonObject, field: string, bounds: { min: number; max: number; pattern?: RegExp }): string[] | null | undefined {
  const value = body[field];
  if (value === undefined || value === null) return value as null | undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) throw openrouterError(400, `${field} must be a list of strings, or null`);
  if (value.length < bounds.min || value.length > bounds.max) throw openrouterError(400, `${field} must hold ${bounds.min} to ${bounds.max} items, or be null`);
  if (bounds.pattern && value.some((item) => !bounds.pattern!.test(item as string))) throw openrouterError(400, `${field}: every item must match ${bounds.pattern.source}`);
  return value as string[];
}

/** Key hashes must name API keys of the account (not deleted). */
export function knownKeyHashes(state: OpenRouterState, field: string, hashes: string[] | null | undefined): void {
  for (const hash of hashes ?? []) {
    const key = state.keys[hash];
    if (!key || key.deleted_at) throw openrouterError(400, `${field}: ${hash} is not an API key of this account`);
  }
}

/** How OpenRouter shows a secret: its first and last four characters (`sk-l...AbCd`); short ones as `...`. */
export function masked(secret: string): string {
  return secret.length >= 12 ? `${secret.slice(0, 4)}...${secret.slice(-4)}` : "...";
}

/** OpenRouter's data regions (guardrail ingress, BYOK declarations, destination fan-out). */
export const DATA_REGIONS = ["global", "europe", "us"];
