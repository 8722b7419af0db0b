/**
 * Usage and rate limits as workspaces, API keys and workspace access share
 * them: how a body's limits are read and checked, when a periodic limit next
 * resets, and how limits read back, stale reads included.
 */
import { portkeyError } from "../errors";
import { isObject, JsonObject, LimitLists } from "./common";
import { RateLimitRecord, StaleLimits, UsageLimitRecord } from "./state";

/** A list of usage limits; undefined when absent or null. */
export function usageLimitList(value: unknown, now: Date, maxItems = 10, where = "usage_limits"): UsageLimitRecord[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw portkeyError("AB01", `${where} must be an array`);
  if (value.length > maxItems) throw portkeyError("AB01", `${where} allows at most ${maxItems} item(s)`);
  return value.map((item, i) => usageLimit(item, `${where}[${i}]`, now));
}

/** `apiKey`: the alert-below-credit rule is only known to be enforced for API keys. */
export function usageLimit(value: unknown, where: string, now: Date, apiKey = false): UsageLimitRecord {
  if (!isObject(value)) throw portkeyError("AB01", `${where} must be an object`);
  const periodic = typeof value.periodic_reset === "string" && value.periodic_reset !== "" ? value.periodic_reset : null;
  const days = typeof value.periodic_reset_days === "number" ? value.periodic_reset_days : null;
  if (periodic && days !== null) throw portkeyError("AB01", `${where}: periodic_reset and periodic_reset_days are mutually exclusive`);
  const credit = typeof value.credit_limit === "number" ? value.credit_limit : null;
  const alert = typeof value.alert_threshold === "number" ? value.alert_threshold : null;
  if (apiKey && credit !== null && alert !== null && alert > credit) {
    throw portkeyError("AB01", `${where}: alert_threshold must not exceed credit_limit`);
  }
  return {
    credit_limit: credit,
    // Live fills in no default: a limit created without a type reads back with type null.
    type: typeof value.type === "string" ? value.type : null,
    alert_threshold: alert,
    periodic_reset: periodic,
    periodic_reset_days: days,
    next_usage_reset_at: typeof value.next_usage_reset_at === "string" ? value.next_usage_reset_at : nextReset(periodic, days, now),
  };
}

/**
 * A rewritten limit keeps the pending reset time while its period is the same
 * (periodic_reset and periodic_reset_days unchanged, no next_usage_reset_at
 * sent): changing the amount does not restart the period. A new period
 * computes a new reset time. Choice: live behaviour is not documented; a
 * client tested live expects the reset to be kept.
 */
export function keptReset(next: UsageLimitRecord, before: UsageLimitRecord | null, sent: unknown): UsageLimitRecord {
  const explicit = isObject(sent) && typeof sent.next_usage_reset_at === "string";
  const samePeriod = before !== null && before.periodic_reset === next.periodic_reset && before.periodic_reset_days === next.periodic_reset_days;
  return !explicit && samePeriod && before.next_usage_reset_at ? { ...next, next_usage_reset_at: before.next_usage_reset_at } : next;
}

/** A list of rate limits; undefined when absent or null. */
export function rateLimitList(value: unknown, maxItems = 10, where = "rate_limits"): RateLimitRecord[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw portkeyError("AB01", `${where} must be an array`);
  if (value.length > maxItems) throw portkeyError("AB01", `${where} allows at most ${maxItems} item(s)`);
  return value.map((item, i) => {
    if (!isObject(item)) throw portkeyError("AB01", `${where}[${i}] must be an object`);
    // The document's minimum for API keys is 0; negatives are refused everywhere (a choice).
    if (typeof item.value !== "number" || item.value < 0) throw portkeyError("AB01", `${where}[${i}].value must be a number >= 0`);
    // No invented defaults: what was not sent reads back null, as live does for usage-limit types.
    return {
      type: typeof item.type === "string" ? item.type : null,
      unit: typeof item.unit === "string" ? item.unit : null,
      value: item.value,
    };
  });
}

/** The limits a read shows now: the stale ones while they last, else the current ones. */
export function visibleLimits(record: LimitLists & { stale: StaleLimits | null }, now: Date): LimitLists {
  return record.stale && record.stale.until > now.getTime() ? record.stale : record;
}

/** Unset periodic_reset reads back as "" (a quirk seen live). */
export function usageLimitJson(u: UsageLimitRecord): JsonObject {
  return { ...u, periodic_reset: u.periodic_reset ?? "" };
}

function nextReset(periodic: string | null, days: number | null, now: Date): string | null {
  if (periodic === "monthly") return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
  if (periodic === "weekly") {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    d.setUTCDate(d.getUTCDate() + (7 - d.getUTCDay()));
    return d.toISOString();
  }
  if (days !== null) return new Date(now.getTime() + days * 86_400_000).toISOString();
  return null;
}
