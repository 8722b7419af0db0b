import * as pulumi from "@pulumi/pulumi";

/**
 * A budget. `alertThreshold` is an absolute amount (dollars for `cost`, tokens
 * for `tokens`), not a percentage; on API keys it must not exceed `creditLimit`.
 */
export interface UsageLimitArgs {
  /** What is counted: `cost` (dollars; Portkey's default when unset, and then not sent) or `tokens`. */
  type?: pulumi.Input<"cost" | "tokens">;
  /** The limit: a whole number >= 1 on workspaces and access grants; any amount >= 1 (e.g. 2.5) on API keys. */
  creditLimit: pulumi.Input<number>;
  /** Amount at which alert emails go out (same number rules as creditLimit). */
  alertThreshold?: pulumi.Input<number>;
  /** Reset usage every month (1st, 00:00 UTC) or week (Sunday, 00:00 UTC). Exclusive with periodicResetDays. */
  periodicReset?: pulumi.Input<"monthly" | "weekly">;
  /** Reset usage every N days (1–365). Exclusive with periodicReset. */
  periodicResetDays?: pulumi.Input<number>;
}

/** A rate limit: at most `value` requests or tokens per `unit`. */
export interface RateLimitArgs {
  /** `requests` or `tokens`. */
  type: pulumi.Input<"requests" | "tokens">;
  /** Per day (`rpd`), hour (`rph`) or minute (`rpm`); API keys also take `rps` and `rpw`. */
  unit: pulumi.Input<string>;
  /** A whole number >= 1. */
  value: pulumi.Input<number>;
}
