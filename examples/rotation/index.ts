/**
 * Rotating a service key's secret, on demand and on a schedule.
 *
 * On demand: change the `rotation` config value (any new value) and run
 * `pulumi up`; the key is rotated and `billingKey` holds the new secret. The
 * old one keeps working for `rotationTransitionPeriodMs`.
 *
 * On a schedule, two ways:
 * - from CI (recommended): a scheduled job sets `rotation` to the date and runs
 *   `pulumi up`, so the new secret always lands in the stack (see README.md);
 * - by Portkey (`rotationPolicy`): Portkey rotates by itself; `refresh` then
 *   reports the stored secret as stale (`keyIsCurrent` false).
 */
import * as pulumi from "@pulumi/pulumi";
import { portkey } from "pulumi-ai-gateway";

const config = new pulumi.Config();

const billing = new portkey.ApiKey("billing", {
  type: "workspace",
  subType: "service",
  workspaceId: config.require("workspaceId"),
  name: "billing-service",
  scopes: ["completions.write"],
  rotateWhen: config.get("rotation"),
  rotationTransitionPeriodMs: 60 * 60 * 1000,
});

const reporting = new portkey.ApiKey("reporting", {
  type: "workspace",
  subType: "service",
  workspaceId: config.require("workspaceId"),
  name: "reporting-service",
  scopes: ["analytics.view"],
  // Portkey rotates this one monthly by itself.
  rotationPolicy: { rotationPeriod: "monthly", keyTransitionPeriodMs: 24 * 60 * 60 * 1000 },
});

export const billingKey = billing.key;
export const billingOldSecretValidUntil = billing.keyTransitionExpiresAt;
export const reportingKey = reporting.key;
/** False after Portkey rotated the reporting key: rotate it through `rotateWhen` or fetch the new secret. */
export const reportingKeyIsCurrent = reporting.keyIsCurrent;
export const reportingNextRotation = reporting.nextRotationAt;
