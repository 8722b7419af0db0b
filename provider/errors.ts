/**
 * Errors the provider raises. None of them carries an `id` property: the
 * engine would read one as "the resource was created" and record it in state.
 */

/** A response from a vendor API that was not a success. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    /** "Portkey" or "OpenRouter". */
    readonly service: string,
    readonly method: string,
    /** Path below the base URL, query string left out. */
    readonly path: string,
    /** HTTP status; 0 when no response arrived. */
    readonly status: number,
    /** The API's own error code (Portkey "AB03", OpenRouter "not_found"), when it sent one. */
    readonly code: string | undefined,
    /** The API's message, already redacted. */
    readonly apiMessage: string,
    readonly requestId: string | undefined,
  ) {
    super(
      `${service} API ${method} ${path} failed: ` +
        (status === 0 ? apiMessage : `${status}${code ? ` ${code}` : ""}: ${apiMessage}`) +
        (requestId ? ` (request id ${requestId})` : ""),
    );
  }
}

/** Bad or missing provider configuration (credentials, base URL). */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

/**
 * The one rule for "the remote object is gone": 404, or 403 with Portkey's
 * AB03 on calls where the API uses it for deleted objects (a deleted
 * workspace answers AB03, not 404).
 */
export function isGone(error: unknown, options: { forbiddenMeansGone?: boolean } = {}): boolean {
  if (!(error instanceof ApiError)) return false;
  if (error.status === 404) return true;
  return options.forbiddenMeansGone === true && error.status === 403 && error.code === "AB03";
}

/** Replaces every occurrence of each secret in `text` with a fixed mask. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join("[redacted]");
  }
  return result;
}

/** A message safe to show for any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
