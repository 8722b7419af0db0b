import * as pulumi from "@pulumi/pulumi";
import * as providerModule from "../../provider/portkey/api-key";
import { delegatingProvider } from "../delegate";

const provider = delegatingProvider(() => providerModule.apiKeyProvider);
import type { RateLimitArgs, UsageLimitArgs } from "./types";

/** When Portkey rotates the key by itself. Set exactly one of `rotationPeriod`, `rotationPeriodDays` and `nextRotationAt`. */
export interface RotationPolicyArgs {
  /** Rotate every week or month; Portkey computes the next rotation time. */
  rotationPeriod?: pulumi.Input<"weekly" | "monthly">;
  /** Rotate every N days (1–365); Portkey computes the next rotation time. */
  rotationPeriodDays?: pulumi.Input<number>;
  /**
   * Rotate once at this time (RFC 3339, in the future when declared). Once Portkey has done it, the
   * past date stays valid in the program: it is neither a change nor refused.
   */
  nextRotationAt?: pulumi.Input<string>;
  /** How long the old secret keeps working after a rotation, in ms (>= 1,800,000; shorter than the period). */
  keyTransitionPeriodMs?: pulumi.Input<number>;
}

/** Inputs of a Portkey {@link ApiKey}. */
export interface ApiKeyArgs {
  /** `organisation` (an admin key; service keys only) or `workspace`. Changing it replaces the key. */
  type: pulumi.Input<"organisation" | "workspace">;
  /** `service` (for applications) or `user` (bound to `userId`). Changing it replaces the key. */
  subType: pulumi.Input<"service" | "user">;
  /**
   * The workspace of a workspace key, by UUID or slug (required for workspace keys, not allowed for
   * organisation keys). Changing it replaces the key; switching between the slug and the UUID of the
   * same workspace is not a change. Pass a Workspace's `id`: it stays known while the workspace
   * itself is being updated, so previews do not show a replacement.
   */
  workspaceId?: pulumi.Input<string>;
  /** The user a user key belongs to (required for user keys). Changing it replaces the key. */
  userId?: pulumi.Input<string>;
  /** 1–100 characters. */
  name: pulumi.Input<string>;
  /** At most 200 characters. */
  description?: pulumi.Input<string>;
  /** What the key may do, e.g. `completions.write`; at least one. Unknown names fail at preview unless `allowUnknownScopes`. */
  scopes: pulumi.Input<pulumi.Input<string>[]>;
  /** Accept scope names this package does not know yet (newer Portkey scopes). Default false. */
  allowUnknownScopes?: pulumi.Input<boolean>;
  /** Rate limits (units rpd, rph, rpm, rps, rpw). Removing them clears them. */
  rateLimits?: pulumi.Input<pulumi.Input<RateLimitArgs>[]>;
  /** One budget for the key. Removing it clears it. */
  usageLimits?: pulumi.Input<UsageLimitArgs>;
  /** Metadata attached to every request made with the key (sent as `defaults.metadata`); values of any JSON type. */
  metadata?: pulumi.Input<Record<string, pulumi.Input<unknown>>>;
  /** A config (id) applied to requests made with the key (sent as `defaults.config_id`). */
  configId?: pulumi.Input<string>;
  /** Whether requests may override `configId`; needs `configId`. Portkey's default is true. */
  allowConfigOverride?: pulumi.Input<boolean>;
  /** Who is emailed when usage crosses the alert threshold. */
  alertEmails?: pulumi.Input<pulumi.Input<string>[]>;
  /** When the key stops working (RFC 3339, in the future). Removing it makes the key permanent. */
  expiresAt?: pulumi.Input<string>;
  /** Scheduled rotation by Portkey. A scheduled rotation makes the stored `key` stale: see `keyIsCurrent`. */
  rotationPolicy?: pulumi.Input<RotationPolicyArgs>;
  /** A trigger: changing its value (to anything) resets the key's accumulated usage once. */
  resetUsage?: pulumi.Input<string | number>;
  /** A trigger: changing its value (to anything, e.g. a date) rotates the secret now; `key` then holds the new one. */
  rotateWhen?: pulumi.Input<string | number>;
  /** Transition period for rotations made through `rotateWhen`, in ms (>= 1,800,000). Portkey's default is 30 minutes. */
  rotationTransitionPeriodMs?: pulumi.Input<number>;
}

/**
 * A Portkey API key (`/api-keys`). The resource id is the key's UUID; the secret is the
 * `key` output, stored as a Pulumi secret.
 *
 * ```ts
 * const ci = new portkey.ApiKey("ci", {
 *   type: "workspace", subType: "service", workspaceId: dev.id,
 *   name: "ci", scopes: ["completions.write"],
 * });
 * export const ciKey = ci.key; // secret
 * ```
 */
export class ApiKey extends pulumi.dynamic.Resource {
  /** The key's UUID (the same as `id`). */
  declare readonly apiKeyId: pulumi.Output<string>;
  /** The full secret (a Pulumi secret). Returned by Portkey only at creation and rotation; carried forward by refresh. */
  declare readonly key: pulumi.Output<string>;
  /** The masked secret Portkey shows, e.g. `Xk*******S4`. */
  declare readonly maskedKey: pulumi.Output<string>;
  /** False after Portkey rotated the key by itself (rotation policy): `key` is then stale. */
  declare readonly keyIsCurrent: pulumi.Output<boolean>;
  /** When the previous secret stops working after the last rotation made through Pulumi. */
  declare readonly keyTransitionExpiresAt: pulumi.Output<string | undefined>;
  /** The workspace's UUID, whatever spelling `workspaceId` used. */
  declare readonly resolvedWorkspaceId: pulumi.Output<string | undefined>;
  /** The workspace's slug. */
  declare readonly workspaceSlug: pulumi.Output<string | undefined>;
  /** `active`, `exhausted` (budget used up) or `expired`. */
  declare readonly status: pulumi.Output<string>;
  /** Next scheduled rotation, computed by Portkey from `rotationPolicy`. */
  declare readonly nextRotationAt: pulumi.Output<string | undefined>;
  /** When usage was last reset. */
  declare readonly lastResetAt: pulumi.Output<string | undefined>;
  /** When the secret was last rotated, by Pulumi or by Portkey's schedule (when Portkey reports it). */
  declare readonly lastRotatedAt: pulumi.Output<string | undefined>;
  /** When Portkey next resets the usage counted against `usageLimits` (with a periodic reset). */
  declare readonly nextUsageResetAt: pulumi.Output<string | undefined>;
  /** The organisation's UUID. */
  declare readonly organisationId: pulumi.Output<string>;
  /** Creation time (RFC 3339). */
  declare readonly createdAt: pulumi.Output<string>;
  /** Last change (RFC 3339). */
  declare readonly lastUpdatedAt: pulumi.Output<string>;
  /** The kind of key. */
  declare readonly type: pulumi.Output<"organisation" | "workspace">;
  /** The sub-kind of key. */
  declare readonly subType: pulumi.Output<"service" | "user">;
  /** The workspace as given. */
  declare readonly workspaceId: pulumi.Output<string | undefined>;
  /** The user of a user key. */
  declare readonly userId: pulumi.Output<string | undefined>;
  /** The name as read back. */
  declare readonly name: pulumi.Output<string>;
  /** The description as read back. */
  declare readonly description: pulumi.Output<string | undefined>;
  /** The scopes as read back. */
  declare readonly scopes: pulumi.Output<string[]>;
  /** The rate limits as read back. */
  declare readonly rateLimits: pulumi.Output<RateLimitArgs[] | undefined>;
  /** The budget as read back. */
  declare readonly usageLimits: pulumi.Output<UsageLimitArgs | undefined>;
  /** The metadata as read back, values with their JSON types. */
  declare readonly metadata: pulumi.Output<Record<string, unknown> | undefined>;
  /** The config id as read back. */
  declare readonly configId: pulumi.Output<string | undefined>;
  /** The config override flag as read back (only when set). */
  declare readonly allowConfigOverride: pulumi.Output<boolean | undefined>;
  /** The alert emails as read back. */
  declare readonly alertEmails: pulumi.Output<string[] | undefined>;
  /** The expiry as read back. */
  declare readonly expiresAt: pulumi.Output<string | undefined>;
  /** The rotation policy as read back. */
  declare readonly rotationPolicy: pulumi.Output<RotationPolicyArgs | undefined>;

  constructor(name: string, args: ApiKeyArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = [
      "apiKeyId", "key", "maskedKey", "keyIsCurrent", "keyTransitionExpiresAt", "resolvedWorkspaceId", "workspaceSlug",
      "status", "nextRotationAt", "lastResetAt", "lastRotatedAt", "nextUsageResetAt", "organisationId", "createdAt", "lastUpdatedAt",
      "workspaceId", "userId", "description", "rateLimits", "usageLimits", "metadata", "configId", "allowConfigOverride",
      "alertEmails", "expiresAt", "rotationPolicy",
    ];
    const props: Record<string, unknown> = Object.fromEntries(outputs.map((key) => [key, undefined]));
    super(
      provider,
      name,
      { ...props, ...args },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "key"] },
      "portkey",
      "ApiKey",
    );
  }
}
