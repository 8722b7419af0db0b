/**
 * What the Portkey resources share: the API's dialect (auth header, error
 * envelope), the client factory, and the limit shapes with their mapping
 * between our camelCase inputs and the API's snake_case fields.
 */
import { z } from "zod";
import { resolveConnection, ServiceSettings } from "../config";
import { deepEqual, LifecycleContext, normalize, plainJson } from "../framework";
import { readUntilConsistent } from "../recovery";
import { ApiClient, ApiDialect, DEFAULT_RETRY_POLICY } from "../http";

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

export function portkeyClient(ctx: LifecycleContext, extraSecrets: readonly string[] = []): ApiClient {
  return new ApiClient(resolveConnection(PORTKEY_SETTINGS, ctx.configured), PORTKEY_DIALECT, DEFAULT_RETRY_POLICY, extraSecrets);
}

/** A budget: how much may be spent (cost in dollars or tokens) and when it resets. */
export interface UsageLimit {
  /** Unset reads as Portkey's default, cost. */
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

/** How one object kind's usage limits are validated (the API differs per kind). */
export interface UsageLimitRules {
  /**
   * Workspaces and access take whole numbers (the current spec); API keys take
   * fractions too (e.g. 2.5: the live API answers 10.0, the Terraform provider
   * reads floats). The spec's minimum of 1 holds for both.
   */
  wholeAmounts: boolean;
  /** Only known to be enforced for API keys, so only checked there. */
  alertNotAboveLimit: boolean;
}

/** Zod schema of one usage limit. `type` is never defaulted: what is not declared is not sent. */
export function usageLimitSchema(rules: UsageLimitRules = { wholeAmounts: true, alertNotAboveLimit: false }) {
  const amount = rules.wholeAmounts ? z.number().int().min(1) : z.number().min(1);
  return z
    .object({
      type: z.enum(["cost", "tokens"]).optional(),
      creditLimit: amount,
      alertThreshold: amount.optional(),
      periodicReset: z.enum(["monthly", "weekly"]).optional(),
      periodicResetDays: z.number().int().min(1).max(365).optional(),
    })
    .strict()
    .superRefine((limit, issues) => {
      if (rules.alertNotAboveLimit && limit.alertThreshold !== undefined && limit.alertThreshold > limit.creditLimit) {
        issues.addIssue({ code: "custom", path: ["alertThreshold"], message: `must not exceed creditLimit (${limit.creditLimit})` });
      }
      if (limit.periodicReset !== undefined && limit.periodicResetDays !== undefined) {
        issues.addIssue({ code: "custom", path: ["periodicResetDays"], message: "set either periodicReset or periodicResetDays, not both" });
      }
    });
}

export function rateLimitSchema(units: readonly [string, ...string[]] = ["rpd", "rph", "rpm"], minValue = 1) {
  return z
    .object({
      type: z.enum(["requests", "tokens"]),
      unit: z.enum(units),
      value: z.number().int().min(minValue),
    })
    .strict();
}

export interface ApiUsageLimit {
  credit_limit?: number | null;
  type?: string | null;
  alert_threshold?: number | null;
  periodic_reset?: string | null;
  periodic_reset_days?: number | null;
  next_usage_reset_at?: string | null;
}

export interface ApiRateLimit {
  type?: string | null;
  unit?: string | null;
  value?: number | null;
}

/** Only what was declared: an undeclared `type` is left to the API's default. */
export function usageLimitToApi(limit: UsageLimit): ApiUsageLimit {
  return plainJson({
    type: limit.type,
    credit_limit: limit.creditLimit,
    alert_threshold: limit.alertThreshold,
    periodic_reset: limit.periodicReset,
    periodic_reset_days: limit.periodicResetDays,
  });
}

/**
 * From the API's answer; "" and null mean "not set" (the API sends "" for an
 * unset periodic_reset). A limit without a credit limit is no limit at all.
 */
export function usageLimitFromApi(limit: ApiUsageLimit | null | undefined): UsageLimit | undefined {
  if (!limit || limit.credit_limit === null || limit.credit_limit === undefined) return undefined;
  return normalize({
    type: limit.type || undefined,
    creditLimit: limit.credit_limit,
    alertThreshold: limit.alert_threshold ?? undefined,
    periodicReset: limit.periodic_reset || undefined,
    periodicResetDays: limit.periodic_reset_days ?? undefined,
  }) as UsageLimit;
}

/** The usage limits of a list answer, or undefined when none is set. */
export function usageLimitsFromApi(limits: ApiUsageLimit[] | null | undefined): UsageLimit[] | undefined {
  const read = (limits ?? []).map(usageLimitFromApi).filter((limit): limit is UsageLimit => limit !== undefined);
  return read.length > 0 ? read : undefined;
}

/** Diff form of usage limits (one or a list): an unset `type` is the API's default, cost. */
export function usageLimitsComparable(value: unknown): unknown {
  const withType = (limit: unknown) =>
    limit !== null && typeof limit === "object" && !Array.isArray(limit) ? { ...(limit as object), type: (limit as UsageLimit).type ?? "cost" } : limit;
  return normalize(Array.isArray(value) ? value.map(withType) : withType(value));
}

export function rateLimitToApi(limit: RateLimit): ApiRateLimit {
  return { type: limit.type, unit: limit.unit, value: limit.value };
}

export function rateLimitFromApi(limit: ApiRateLimit): RateLimit {
  return normalize({ type: limit.type ?? undefined, unit: limit.unit ?? undefined, value: limit.value ?? undefined }) as RateLimit;
}

/** The rate limits of an answer, or undefined when none is set. */
export function rateLimitsFromApi(limits: ApiRateLimit[] | null | undefined): RateLimit[] | undefined {
  const read = (limits ?? []).map(rateLimitFromApi).filter((limit) => limit !== undefined);
  return read.length > 0 ? read : undefined;
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
 * for a moment, so reads repeat until the fields in `expected` match; after
 * the wait the written limits are trusted and the next refresh reconciles.
 */
export function readBackAfterWrite<O extends WrittenLimits>(
  read: () => Promise<O | undefined>,
  expected: Partial<O> & WrittenLimits,
  missing: () => Error,
  waitForMissing = false,
): Promise<O> {
  const comparable = (field: keyof O, value: unknown) => (field === "usageLimits" ? usageLimitsComparable(value) : normalize(value));
  return readUntilConsistent({
    read,
    matches: (outputs) => (Object.keys(expected) as (keyof O)[]).every((field) => deepEqual(comparable(field, outputs[field]), comparable(field, expected[field]))),
    onTimeout: (outputs) => ({ ...outputs, usageLimits: expected.usageLimits, rateLimits: expected.rateLimits }),
    missing,
    waitForMissing,
  });
}
