/**
 * The one place that calls undici. Every call of a vendor API goes through
 * `ApiClient.request`: per-attempt and overall timeouts, retries with jittered
 * backoff (undici's RetryAgent, with our own retry decision), typed errors and
 * redaction of secrets from every message.
 *
 * Clients are built per provider call from the connection resolved at call
 * time; nothing here lives at module scope except pure functions.
 */
import * as undici from "undici";
import type { Dispatcher, RetryHandler } from "undici";
import { Connection } from "./config";
import { ApiError, isGone, redact } from "./errors";
import { TIMING } from "./timing";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** How one API spells authentication and errors. */
export interface ApiDialect {
  authHeaders(apiKey: string): Record<string, string>;
  /** The API's error code and message from an error body, when it has them. */
  parseError(body: unknown): { code?: string; message?: string };
  /** Response headers that carry a request id, most specific first. */
  requestIdHeaders: readonly string[];
  /** Whether an error answer is the API's own "no such object" (status and code, never message text). */
  notFound(status: number, code: string | undefined): boolean;
}

export interface RetryPolicy {
  maxRetries: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Per attempt: waiting for headers, and between body chunks. */
  attemptTimeoutMs: number;
  /** For the whole call, retries included. */
  overallTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = TIMING.transport;

/**
 * A request path with its variable segments encoded, the one place that does
 * it: apiPath`/admin/workspaces/${id}`.
 */
export function apiPath(literals: TemplateStringsArray, ...segments: (string | number)[]): string {
  return literals.reduce((path, literal, i) => path + literal + (i < segments.length ? encodeURIComponent(String(segments[i])) : ""), "");
}

export interface ApiRequest {
  method: HttpMethod;
  /** Below the base URL, e.g. "/admin/workspaces/ws-1". */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Further request headers (e.g. an `Idempotency-Key`). */
  headers?: Record<string, string>;
}

/**
 * Methods whose server errors and lost connections are retried: they are
 * idempotent, so repeating one cannot create a second object. POST and PATCH
 * are retried only on 429, after which nothing was done; their unclear
 * failures go to the caller (creates recover by looking the object up).
 */
const IDEMPOTENT_METHODS: Dispatcher.HttpMethod[] = ["GET", "PUT", "DELETE", "HEAD"];
const ALL_METHODS: Dispatcher.HttpMethod[] = [...IDEMPOTENT_METHODS, "POST", "PATCH"];
const RETRIED_STATUSES = [429, 500, 502, 503, 504];

export class ApiClient {
  // Built per provider call; the policy is passed in, never defaulted from module scope.
  constructor(
    private readonly connection: Connection,
    private readonly dialect: ApiDialect,
    private readonly policy: RetryPolicy,
    /** Further values to keep out of messages (e.g. secrets of keys being managed). */
    private readonly extraSecrets: readonly string[],
  ) {}

  async request<T>(call: ApiRequest): Promise<T> {
    return (await this.send<T>(call)).body;
  }

  /**
   * The call with the server's clock at the time it answered (its Date
   * header), so "created after X" can be judged on the server's clock.
   */
  async requestWithServerTime<T>(call: ApiRequest): Promise<{ body: T; serverTime: number | undefined }> {
    const { body, headers } = await this.send<T>(call);
    const date = Date.parse(headerValue(headers.date) ?? "");
    return { body, serverTime: Number.isNaN(date) ? undefined : date };
  }

  private async send<T>(call: ApiRequest): Promise<{ body: T; headers: Dispatcher.ResponseData["headers"] }> {
    const url = new URL(this.connection.baseUrl + call.path);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const dispatcher = new undici.RetryAgent(undici.getGlobalDispatcher(), {
      maxRetries: this.policy.maxRetries,
      minTimeout: this.policy.minBackoffMs,
      maxTimeout: this.policy.maxBackoffMs,
      methods: ALL_METHODS,
      statusCodes: RETRIED_STATUSES,
      throwOnError: false,
      retry: retryWithJitter,
    });
    let response: Dispatcher.ResponseData;
    try {
      response = await undici.request(url, {
        method: call.method,
        dispatcher,
        headers: {
          ...this.dialect.authHeaders(this.connection.apiKey),
          accept: "application/json",
          ...(call.body === undefined ? {} : { "content-type": "application/json" }),
          ...call.headers,
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        headersTimeout: this.policy.attemptTimeoutMs,
        bodyTimeout: this.policy.attemptTimeoutMs,
        signal: AbortSignal.timeout(this.policy.overallTimeoutMs),
      });
    } catch (error) {
      throw this.error(call, 0, undefined, connectionFailure(error), undefined);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.error(call, 0, undefined, connectionFailure(error), undefined);
    }
    const parsed = parseJson(text);
    const requestId = this.dialect.requestIdHeaders.map((h) => headerValue(response.headers[h])).find(Boolean);
    if (response.statusCode >= 400) {
      const { code, message } = this.dialect.parseError(parsed);
      throw this.error(call, response.statusCode, code, message ?? (text.slice(0, 300) || "no error message"), requestId);
    }
    return { body: parsed as T, headers: response.headers };
  }

  /** The same call, answering undefined when the object is gone (the one not-found rule, `isGone`). */
  async requestOrGone<T>(call: ApiRequest): Promise<T | undefined> {
    try {
      return await this.request<T>(call);
    } catch (error) {
      if (isGone(error)) return undefined;
      throw error;
    }
  }

  private error(call: ApiRequest, status: number, code: string | undefined, message: string, requestId: string | undefined): ApiError {
    const secrets = [this.connection.apiKey, ...this.extraSecrets];
    return new ApiError(
      this.connection.service,
      call.method,
      redact(call.path, secrets),
      status,
      code,
      redact(message, secrets),
      requestId,
      status !== 0 && this.dialect.notFound(status, code),
    );
  }
}

/**
 * undici's retry decision with "equal jitter": half the exponential backoff
 * plus a random half, so providers retrying together do not stampede. A
 * Retry-After header is honoured as the minimum wait.
 */
export const retryWithJitter: RetryHandler.RetryCallback = (err, { state, opts }, callback) => {
  const options = opts.retryOptions ?? {};
  const failure = err as Error & { statusCode?: number; code?: string; headers?: Record<string, string | string[] | undefined> };
  const retryableCode = !failure.code || failure.code === "UND_ERR_REQ_RETRY" || (options.errorCodes ?? DEFAULT_ERROR_CODES).includes(failure.code);
  const rateLimited = failure.statusCode === 429;
  const idempotent = IDEMPOTENT_METHODS.includes(opts.method as Dispatcher.HttpMethod);
  const retryableMethod = rateLimited || idempotent;
  const retryableStatus = failure.statusCode === undefined || (options.statusCodes ?? RETRIED_STATUSES).includes(failure.statusCode);
  if (!retryableCode || !retryableMethod || !retryableStatus || state.counter > (options.maxRetries ?? TIMING.transport.maxRetries)) {
    callback(err);
    return;
  }
  const backoff = Math.min(
    (options.minTimeout ?? TIMING.transport.minBackoffMs) * 2 ** (state.counter - 1),
    options.maxTimeout ?? TIMING.transport.maxBackoffMs,
  );
  const jittered = backoff / 2 + Math.random() * (backoff / 2);
  const retryAfter = retryAfterMs(headerValue(failure.headers?.["retry-after"]));
  setTimeout(() => callback(null), Math.max(jittered, retryAfter ?? 0));
};

const DEFAULT_ERROR_CODES = [
  "ECONNRESET",
  "ECONNREFUSED",
  "ENOTFOUND",
  "ENETDOWN",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EHOSTUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
];

function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function connectionFailure(error: unknown): string {
  const failure = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  if (failure.name === "TimeoutError" || failure.name === "AbortError") return "no answer within the time limit";
  const code = failure.code ?? failure.cause?.code;
  return `no response (${code ?? failure.message ?? "connection failed"})`;
}
