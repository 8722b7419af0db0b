/** Portkey's admin error codes and the HTTP status each one travels with. */
export const PORTKEY_ERROR_STATUS = {
  AB01: 400,
  AB02: 404,
  AB03: 403,
  AB04: 500,
  AB05: 401,
  AB06: 429,
  AB07: 409,
  AB08: 404,
  AB09: 402,
} as const;

export type PortkeyErrorCode = keyof typeof PORTKEY_ERROR_STATUS;

/** Thrown by handlers; the server turns it into the API's error envelope. */
export class EmulatedApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function portkeyError(code: PortkeyErrorCode, message: string): EmulatedApiError {
  return new EmulatedApiError(PORTKEY_ERROR_STATUS[code], code, message);
}
