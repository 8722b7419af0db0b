/**
 * What the Portkey resources share: the API's dialect (auth header, error
 * envelope), the client factory, and the comparison of workspace ids.
 */
import { resolveConnection, ServiceSettings } from "../config";
import { LifecycleContext, normalize } from "../framework";
import { ApiClient, ApiDialect, DEFAULT_RETRY_POLICY } from "../http";
import type { ApiError } from "../errors";

/** Where Portkey's credentials come from: stack config, else the environment. */
export const PORTKEY_SETTINGS: ServiceSettings = {
  service: "Portkey",
  credential: "admin key",
  keyConfig: "portkey:apiKey",
  keyEnv: "PORTKEY_API_KEY",
  baseUrlConfig: "portkey:baseUrl",
  baseUrlEnv: "PORTKEY_BASE_URL",
  defaultBaseUrl: "https://api.portkey.ai/v1",
};

export const PORTKEY_DIALECT: ApiDialect = {
  authHeaders: (apiKey) => ({ "x-portkey-api-key": apiKey }),
  parseError(body) {
    // Admin routes: {"success": false, "data": {"message", "errorCode"}} (some fixtures are flat);
    // other route groups (guardrails, configs): {"error": {"message", "code"}}.
    type Source = { errorCode?: unknown; code?: unknown; message?: unknown };
    const envelope = (body ?? {}) as Source & { data?: Source; error?: Source };
    const source = [envelope.data, envelope.error].find((part): part is Source => !!part && typeof part === "object") ?? envelope;
    const code = source.errorCode ?? source.code;
    return {
      code: typeof code === "string" || typeof code === "number" ? String(code) : undefined,
      message: typeof source.message === "string" ? source.message : undefined,
    };
  },
  requestIdHeaders: ["x-portkey-request-id", "x-request-id"],
  // AB08 "not found"; AB02 is the other code Portkey documents with 404.
  notFound: (status, code) => status === 404 && (code === "AB08" || code === "AB02"),
};

export function portkeyClient(ctx: Pick<LifecycleContext, "configured">, extraSecrets: readonly string[] = []): ApiClient {
  return new ApiClient(resolveConnection(PORTKEY_SETTINGS, ctx.configured), PORTKEY_DIALECT, DEFAULT_RETRY_POLICY, extraSecrets);
}

/**
 * Diff form of a `workspaceId` input: the slug and the UUID of the same
 * workspace compare equal (the stored outputs know both spellings).
 */
export function workspaceIdComparable(value: unknown, olds: Record<string, unknown>): unknown {
  if (typeof value === "string" && (value === olds.resolvedWorkspaceId || value === olds.workspaceSlug)) {
    return olds.resolvedWorkspaceId ?? value;
  }
  return normalize(value);
}

/**
 * A delete Portkey refused because other objects still use the object (409):
 * the API's own message names them; the error keeps its status, code and
 * request id and says what to do.
 */
export function inUseError(error: ApiError, what: string, remedy: string): Error {
  return new Error(`Portkey refused to delete ${what}: other objects use it. ${error.message}. ${remedy}`);
}
