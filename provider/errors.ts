/**
 * Errors the provider raises, and the one place that classifies API failures.
 * None of these errors carries an `id` property: the engine would read one as
 * "the resource was created" and record it in state.
 */

/** What kind of failure an API answer was, so no resource compares status numbers. */
export type ApiFailureKind =
  | "no-response" // status 0: the write may or may not have happened
  | "validation" // 400 / 422: the request was refused as invalid
  | "unauthorised" // 401
  | "forbidden" // 403: a missing scope (or, for Portkey workspaces, maybe deleted)
  | "not-found" // 404 with the API's own not-found code
  | "conflict" // 409
  | "rate-limited" // 429: nothing was done
  | "server" // 5xx: the write may or may not have happened
  | "other";

function kindOf(status: number, notFound: boolean): ApiFailureKind {
  if (status === 0) return "no-response";
  if (notFound) return "not-found";
  if (status >= 500) return "server";
  const byStatus: Record<number, ApiFailureKind> = { 400: "validation", 422: "validation", 401: "unauthorised", 403: "forbidden", 409: "conflict", 429: "rate-limited" };
  return byStatus[status] ?? "other";
}

/**
 * Base of the provider's own errors. It sets `message` (and the stack) itself:
 * when the engine serializes a class into a dynamic provider it becomes a
 * plain function, and Error's constructor then leaves `this` alone (the engine
 * would show only the error's name).
 */
export class ProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.message = message;
    // Nor does it capture a stack then: without one, the stack the host logs could not say where the failure was.
    if (typeof this.stack !== "string") Error.captureStackTrace(this);
  }
}

/** A response from a vendor API that was not a success. */
export class ApiError extends ProviderError {
  override readonly name = "ApiError";
  readonly kind: ApiFailureKind;
  constructor(
    /** "Portkey" or "OpenRouter". */
    readonly service: string,
    readonly method: string,
    /** Path below the base URL, query string left out. */
    readonly path: string,
    /** HTTP status; 0 when no response arrived. */
    readonly status: number,
    /** The API's own error code (Portkey "AB03", OpenRouter "404"), when it sent one. */
    readonly code: string | undefined,
    /** The API's message, already redacted. */
    readonly apiMessage: string,
    readonly requestId: string | undefined,
    /**
     * The API itself said the object does not exist: a 404 carrying the API's
     * own not-found code (a 404 from a wrong URL or a proxy does not count).
     */
    readonly notFound = false,
  ) {
    super(describeApiFailure({ service, method, path, status, code, apiMessage, requestId }));
    this.kind = kindOf(status, notFound);
  }
}

type ApiFailure = Pick<ApiError, "service" | "method" | "path" | "status" | "code" | "apiMessage" | "requestId">;

/** "Portkey API PUT /api-keys/k1 failed: 400 AB01: Invalid request (request id r-1)". */
function describeApiFailure(failure: ApiFailure): string {
  const { service, method, path, status, code, apiMessage, requestId } = failure;
  return (
    `${service} API ${method} ${path} failed: ` +
    (status === 0 ? apiMessage : `${status}${code ? ` ${code}` : ""}: ${apiMessage}`) +
    (requestId ? ` (request id ${requestId})` : status === 0 ? "" : " (no request id)")
  );
}

function looksLikeApiFailure(value: object): value is ApiFailure {
  const candidate = value as Partial<ApiFailure>;
  return typeof candidate.service === "string" && typeof candidate.method === "string" && typeof candidate.status === "number";
}

/** Bad or missing provider configuration (credentials, base URL). */
export class ConfigurationError extends ProviderError {
  override readonly name = "ConfigurationError";
}

/**
 * The one rule for "the remote object is gone": the API answered 404 with its
 * own not-found code (see ApiDialect.notFound). A 403 never means gone (it is
 * also what a key without the read scope gets); resources whose API answers
 * 403 for deleted objects confirm absence another way first.
 */
export function isGone(error: unknown): boolean {
  return isApiFailure(error, "not-found");
}

/** The API refused the caller (missing scope, wrong workspace, or a Portkey object that may be deleted). */
export function isForbidden(error: unknown): error is ApiError {
  return isApiFailure(error, "forbidden");
}

/**
 * A failure after which the write may or may not have happened: no response
 * at all, or a server error. (A 429 is not unclear: nothing is done on a 429.)
 */
export function isUnclear(error: unknown): error is ApiError {
  return isApiFailure(error, "no-response", "server");
}

/** An API failure of one of these kinds (optionally with this API code). */
export function isApiFailure(error: unknown, ...kinds: ApiFailureKind[]): error is ApiError {
  return error instanceof ApiError && kinds.includes(error.kind);
}

/** The API refused this particular request (any 4xx but a 429): the same request will not succeed as it is. */
export function isRefused(error: unknown): error is ApiError {
  return isApiFailure(error, "validation", "unauthorised", "forbidden", "not-found", "conflict", "other") && error.status < 500;
}

/** Replaces every occurrence of each secret in `text` with a fixed mask. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join("[redacted]");
  }
  return result;
}

/** A readable message for any thrown value (never "[object Object]"). */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  if (error !== null && typeof error === "object") {
    const message = (error as { message?: unknown }).message;
    if (typeof message === "string" && message) return message;
    if (looksLikeApiFailure(error)) return describeApiFailure(error);
    try {
      return JSON.stringify(error);
    } catch {
      return "an error that cannot be shown";
    }
  }
  return String(error);
}
