/**
 * What the OpenRouter nouns share: errors as {"error": {"code", "message"}}
 * with the HTTP status as code, body and field checks, offset/limit paging,
 * hashing and the workspace lookup.
 */
import { createHash } from "node:crypto";
import { EmulatedApiError } from "../errors";
import { RequestContext } from "../router";
import { OpenRouterState, OpenRouterWorkspaceRecord } from "./state";

/** Every caller is a management key: inference keys are refused at authentication. */
export type OpenRouterPrincipal = { kind: "management" };

/** One OpenRouter request as its handler sees it. */
export type OpenRouterRequest = RequestContext<OpenRouterPrincipal>;

/** A JSON object: a request body, or a response being built. */
export type JsonObject = Record<string, unknown>;

/**
 * The organisation that owns the emulated account, in OpenRouter's Clerk
 * style (`org_…`): the `id` of its settings and the `organization_id` of
 * member assignments and SCIM objects (the emulator serves one organisation).
 */
export const ORGANIZATION_ID = "org_emulated";

/** An error answered with `status`, which OpenRouter also uses as the code. */
export function openrouterError(status: number, message: string): EmulatedApiError {
  return new EmulatedApiError(status, String(status), message);
}

/** By id or by the slug of a workspace not deleted; a deleted one is not found. */
export function findWorkspace(state: OpenRouterState, idOrSlug: string): OpenRouterWorkspaceRecord {
  const all = state.workspaces;
  const found = all[idOrSlug] ?? Object.values(all).find((w) => w.slug === idOrSlug && !w.deleted_at);
  if (!found || found.deleted_at) throw openrouterError(404, "Workspace not found");
  return found;
}

/** The body as an object; none at all reads as `{}`. */
export function objectBody(ctx: OpenRouterRequest): JsonObject {
  const body = ctx.body ?? {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw openrouterError(400, "The request body must be a JSON object");
  return body as JsonObject;
}

/** A required string field of `min` to `max` characters. */
export function requiredString(body: JsonObject, field: string, min: number, max = Infinity): string {
  const value = body[field];
  if (typeof value !== "string" || value.length < min || value.length > max) throw openrouterError(400, `${field} must be a string of ${lengths(min, max)}`);
  return value;
}

/** A string field of `min` to `max` characters that may be null. */
export function nullableString(body: JsonObject, field: string, min = 0, max = Infinity): string | null {
  const value = body[field];
  if (value === null) return null;
  if (typeof value !== "string" || value.length < min || value.length > max) throw openrouterError(400, `${field} must be a string of ${lengths(min, max)}, or null`);
  return value;
}

function lengths(min: number, max: number): string {
  return max === Infinity ? `at least ${min} character(s)` : `${min}-${max} characters`;
}

/** `offset` and `limit` of a list request, checked. */
export function paging(query: URLSearchParams, defaultLimit: number, maxLimit: number): { offset: number; limit: number } {
  const offset = query.get("offset") ? Number(query.get("offset")) : 0;
  const limit = query.get("limit") ? Number(query.get("limit")) : defaultLimit;
  if (!Number.isInteger(offset) || offset < 0) throw openrouterError(400, "offset must be an integer >= 0");
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw openrouterError(400, `limit must be an integer from 1 to ${maxLimit}`);
  return { offset, limit };
}

/** Hex SHA-256: key hashes, and ids derived from other ids. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
