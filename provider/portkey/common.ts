/**
 * What the Portkey resources share: the API's dialect (auth header, error
 * envelope), the client factory, and the limit shapes with their mapping
 * between our camelCase inputs and the API's snake_case fields.
 */
import { z } from "zod";
import { PORTKEY_SETTINGS, resolveConnection } from "../config";
import { deepEqual, LifecycleContext, normalize, sleep } from "../framework";
import { ApiClient, ApiDialect, DEFAULT_RETRY_POLICY } from "../http";

export const PORTKEY_DIALECT: ApiDialect = {
  authHeaders: (apiKey) => ({ "x-portkey-api-key": apiKey }),
  parseError(body) {
    // Observed: {"success": false, "data": {"message", "errorCode"}}; some fixtures are flat.
    const envelope = (body ?? {}) as { data?: { errorCode?: unknown; message?: unknown }; errorCode?: unknown; message?: unknown };
    const source = envelope.data && typeof envelope.data === "object" ? envelope.data : envelope;
    return {
      code: typeof source.errorCode === "string" ? source.errorCode : undefined,
      message: typeof source.message === "string" ? source.message : undefined,
    };
  },
  requestIdHeaders: ["x-portkey-request-id", "x-request-id"],
};

export function portkeyClient(ctx: LifecycleContext, extraSecrets: readonly string[] = []): ApiClient {
  return new ApiClient(resolveConnection(PORTKEY_SETTINGS, ctx.configured), PORTKEY_DIALECT, DEFAULT_RETRY_POLICY, extraSecrets);
}

/** A budget: how much may be spent (cost in dollars or tokens) and when it resets. */
export interface UsageLimit {
  type?: "cost" | "tokens";
  creditLimit: number;
  alertThreshold?: number;
  periodicReset?: "monthly" | "weekly";
  periodicResetDays?: number;
}

export interface RateLimit {
  type: "requests" | "tokens";
  unit: string;
  value: number;
}

/** Zod schema of one usage limit, with the rules the API only enforces at apply time. */
export function usageLimitSchema() {
  return z
    .object({
      type: z.enum(["cost", "tokens"]).default("cost"),
      creditLimit: z.number().int().min(1),
      alertThreshold: z.number().int().min(1).optional(),
      periodicReset: z.enum(["monthly", "weekly"]).optional(),
      periodicResetDays: z.number().int().min(1).max(365).optional(),
    })
    .strict()
    .superRefine((limit, issues) => {
      if (limit.alertThreshold !== undefined && limit.alertThreshold > limit.creditLimit) {
        issues.addIssue({ code: "custom", path: ["alertThreshold"], message: `must not exceed creditLimit (${limit.creditLimit})` });
      }
      if (limit.periodicReset !== undefined && limit.periodicResetDays !== undefined) {
        issues.addIssue({ code: "custom", path: ["periodicResetDays"], message: "set either periodicReset or periodicResetDays, not both" });
      }
    });
}

export function rateLimitSchema(units: readonly [string, ...string[]] = ["rpd", "rph", "rpm"]) {
  return z
    .object({
      type: z.enum(["requests", "tokens"]),
      unit: z.enum(units),
      value: z.number().int().min(1),
    })
    .strict();
}

interface ApiUsageLimit {
  credit_limit?: number | null;
  type?: string | null;
  alert_threshold?: number | null;
  periodic_reset?: string | null;
  periodic_reset_days?: number | null;
}

interface ApiRateLimit {
  type?: string | null;
  unit?: string | null;
  value?: number | null;
}

export function usageLimitToApi(limit: UsageLimit): ApiUsageLimit {
  return {
    type: limit.type ?? "cost",
    credit_limit: limit.creditLimit,
    alert_threshold: limit.alertThreshold,
    periodic_reset: limit.periodicReset,
    periodic_reset_days: limit.periodicResetDays,
  };
}

/** From the API's answer; "" and null mean "not set" (the API sends "" for an unset periodic_reset). */
export function usageLimitFromApi(limit: ApiUsageLimit): UsageLimit {
  return normalize({
    type: limit.type || "cost",
    creditLimit: limit.credit_limit ?? undefined,
    alertThreshold: limit.alert_threshold ?? undefined,
    periodicReset: limit.periodic_reset || undefined,
    periodicResetDays: limit.periodic_reset_days ?? undefined,
  }) as UsageLimit;
}

export function rateLimitToApi(limit: RateLimit): ApiRateLimit {
  return { type: limit.type, unit: limit.unit, value: limit.value };
}

export function rateLimitFromApi(limit: ApiRateLimit): RateLimit {
  return normalize({ type: limit.type ?? undefined, unit: limit.unit ?? undefined, value: limit.value ?? undefined }) as RateLimit;
}

/** A list for a PUT: `null` clears it (the one clearing value known to work live). */
export function listOrNull<T, A>(items: readonly T[] | undefined, toApi: (item: T) => A): A[] | null {
  return items && items.length > 0 ? items.map(toApi) : null;
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

interface WrittenLimits {
  usageLimits?: unknown;
  rateLimits?: unknown;
}

/**
 * Reads an object back after a write. Portkey can echo the previous limits
 * for a moment, so reads repeat (backing off) until the fields in `expected`
 * match; after the wait the written limits are trusted and the next refresh
 * reconciles. `read` answers undefined while the object does not show yet;
 * `missing` says what that means once the wait is over.
 */
export async function readBackAfterWrite<O extends WrittenLimits>(
  read: () => Promise<O | undefined>,
  expected: Partial<O> & WrittenLimits,
  missing: () => Error,
  waitForMissing = false,
): Promise<O> {
  const deadline = Date.now() + 10_000;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    const outputs = await read();
    const timedOut = Date.now() + delay > deadline;
    if (!outputs) {
      if (!waitForMissing || timedOut) throw missing();
    } else {
      const matches = (Object.keys(expected) as (keyof O)[]).every((field) => deepEqual(normalize(outputs[field]), normalize(expected[field])));
      if (matches) return outputs;
      if (timedOut) return { ...outputs, usageLimits: expected.usageLimits, rateLimits: expected.rateLimits };
    }
    await sleep(delay);
  }
}
