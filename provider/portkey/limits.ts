/**
 * Portkey's limit shapes (budgets and rate limits), shared by workspaces, API
 * keys and access grants: their zod types and the mapping between our
 * camelCase inputs and the API's snake_case fields.
 */
import { z } from "zod";
import { normalize, plainJson } from "../framework";
import { input } from "../resource";

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
      type: z
        .enum(["cost", "tokens"])
        .optional()
        .describe("What is counted: `cost` (dollars; Portkey's default when unset, and then not sent) or `tokens`."),
      creditLimit: amount.describe("The limit: a whole number >= 1 on workspaces and access grants; any amount >= 1 (e.g. 2.5) on API keys."),
      alertThreshold: amount.optional().describe("Amount at which alert emails go out (same number rules as creditLimit)."),
      periodicReset: z
        .enum(["monthly", "weekly"])
        .optional()
        .describe("Reset usage every month (1st, 00:00 UTC) or week (Sunday, 00:00 UTC). Exclusive with periodicResetDays."),
      periodicResetDays: z.number().int().min(1).max(365).optional().describe("Reset usage every N days (1–365). Exclusive with periodicReset."),
    })
    .strict()
    .superRefine((limit, issues) => {
      if (rules.alertNotAboveLimit && limit.alertThreshold !== undefined && limit.alertThreshold > limit.creditLimit) {
        issues.addIssue({ code: "custom", path: ["alertThreshold"], message: `must not exceed creditLimit (${limit.creditLimit})` });
      }
      if (limit.periodicReset !== undefined && limit.periodicResetDays !== undefined) {
        issues.addIssue({ code: "custom", path: ["periodicResetDays"], message: "set either periodicReset or periodicResetDays, not both" });
      }
    })
    .describe(
      "A budget. `alertThreshold` is an absolute amount (dollars for `cost`, tokens for `tokens`), not a percentage; on API keys it must not exceed `creditLimit`.",
    );
}

/** A budget: how much may be spent (cost in dollars or tokens) and when it resets. */
export type UsageLimit = z.output<ReturnType<typeof usageLimitSchema>>;

export function rateLimitSchema(units: readonly [string, ...string[]] = ["rpd", "rph", "rpm"], minValue = 1) {
  return z
    .object({
      type: z.enum(["requests", "tokens"]).describe("`requests` or `tokens`."),
      unit: z.enum(units).describe("Per day (`rpd`), hour (`rph`) or minute (`rpm`); API keys also take `rps` and `rpw`."),
      value: z.number().int().min(minValue).describe("A whole number >= 1 (API keys also take 0)."),
    })
    .strict()
    .describe("A rate limit: at most `value` requests or tokens per `unit`.");
}

export type RateLimit = z.output<ReturnType<typeof rateLimitSchema>>;

/** The SDK's named types for limits (scripts/generate.ts writes them to sdk/portkey/types.ts). */
export function limitSdkTypes() {
  return {
    UsageLimitArgs: usageLimitSchema(),
    // `unit` is a plain string in the SDK: the units allowed differ per resource and are checked at preview.
    RateLimitArgs: rateLimitSchema()
      .extend({ unit: z.string().describe("Per day (`rpd`), hour (`rph`) or minute (`rpm`); API keys also take `rps` and `rpw`.") })
      .describe("A rate limit: at most `value` requests or tokens per `unit`."),
  };
}

/** A `usageLimits` input holding a list of budgets. */
export function usageLimitsInput(doc: string, options: { maxItems?: number } = {}) {
  const list = z.array(usageLimitSchema());
  return input((options.maxItems ? list.max(options.maxItems, `takes at most ${options.maxItems === 1 ? "one" : options.maxItems} usage limit${options.maxItems === 1 ? "" : "s"}`) : list).optional(), {
    doc,
    api: "usage_limits",
    sdkType: "UsageLimitArgs[]",
    toApi: (limits) => listOrNull(limits, usageLimitToApi),
    fromApi: (value) => usageLimitsFromApi(value as ApiUsageLimit[] | null),
    comparable: usageLimitsComparable,
  });
}

/** A `usageLimits` input holding one budget (API keys). */
export function usageLimitInput(doc: string, rules: UsageLimitRules) {
  return input(usageLimitSchema(rules).optional(), {
    doc,
    api: "usage_limits",
    sdkType: "UsageLimitArgs",
    toApi: usageLimitToApi,
    fromApi: (value) => usageLimitFromApi(value as ApiUsageLimit | null),
    comparable: usageLimitsComparable,
  });
}

/** A `rateLimits` input: a list of rate limits in the units the object kind takes. */
export function rateLimitsInput(doc: string, options: { units?: readonly [string, ...string[]]; minValue?: number; maxItems?: number } = {}) {
  const list = z.array(rateLimitSchema(options.units, options.minValue));
  return input((options.maxItems ? list.max(options.maxItems, `takes at most ${options.maxItems === 1 ? "one" : options.maxItems} rate limit${options.maxItems === 1 ? "" : "s"}`) : list).optional(), {
    doc,
    api: "rate_limits",
    sdkType: "RateLimitArgs[]",
    toApi: (limits) => listOrNull(limits, rateLimitToApi),
    fromApi: (value) => rateLimitsFromApi(value as ApiRateLimit[] | null),
  });
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

