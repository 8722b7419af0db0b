/**
 * Every wait and retry budget of the provider, in one place: transport
 * retries (429, 5xx, lost connections), the recovery of creates that lost
 * their response, and reading back after a write while the API is stale.
 */
export const TIMING = {
  /** One HTTP call (provider/http.ts). */
  transport: {
    maxRetries: 4,
    minBackoffMs: 500,
    maxBackoffMs: 10_000,
    /** Per attempt: waiting for headers, and between body chunks. */
    attemptTimeoutMs: 30_000,
    /** For the whole call, retries included. */
    overallTimeoutMs: 120_000,
  },
  /** A create whose response was lost (provider/recovery.ts). */
  createRecovery: {
    /** POST attempts in all, counting those after a discarded orphan or an unclear failure that created nothing. */
    maxAttempts: 5,
    /** Wait before looking up, growing per attempt: lists may lag a write a little. */
    lookupDelayMs: 250,
    /** Clock tolerance when judging "created after the first attempt began" (Date headers have 1 s resolution). */
    clockToleranceMs: 2000,
    /**
     * Rounds of the look-up itself (each one a transport call with its own retries):
     * giving up here would leave an object the next run duplicates.
     */
    lookupRounds: 6,
    lookupRoundDelayMs: 2000,
  },
  /** Reading an object back until it shows what was written (provider/recovery.ts, readUntilConsistent). */
  readAfterWrite: {
    firstDelayMs: 100,
    maxDelayMs: 1000,
    /** After this, what was written is trusted and the next refresh reconciles. */
    deadlineMs: 10_000,
  },
} as const;
