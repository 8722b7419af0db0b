import * as pulumi from "@pulumi/pulumi";
import * as providerModule from "../../provider/portkey/integration-access";
import { delegatingProvider } from "../delegate";

const provider = delegatingProvider(() => providerModule.integrationAccessProvider);
import type { RateLimitArgs, UsageLimitArgs } from "./types";

/** Inputs of an {@link IntegrationWorkspaceAccess}. */
export interface IntegrationWorkspaceAccessArgs {
  /** The integration, by slug. Changing it replaces the grant. */
  integrationSlug: pulumi.Input<string>;
  /**
   * The workspace, by UUID or slug. Changing it replaces the grant; switching between the slug
   * and the UUID of the same workspace is not a change. Pass a Workspace's `id` (known during
   * previews of the workspace's own updates).
   */
  workspaceId: pulumi.Input<string>;
  /** Whether the workspace may use the integration. Default true; false keeps the grant declared but disabled. */
  enabled?: pulumi.Input<boolean>;
  /** At most one budget for this workspace's use of the integration. Removing it clears it. */
  usageLimits?: pulumi.Input<pulumi.Input<UsageLimitArgs>[]>;
  /** At most one rate limit (units rpd, rph, rpm). Removing it clears it. */
  rateLimits?: pulumi.Input<pulumi.Input<RateLimitArgs>[]>;
  /**
   * Whether granting access also creates a default provider in the workspace (Portkey's default: true).
   * Only used when access is first granted; changing it later does nothing. Such a provider blocks
   * deleting the workspace unless the Workspace sets `forceDelete`.
   */
  createDefaultProvider?: pulumi.Input<boolean>;
  /** Slug of the default provider created on the first grant (must not exist in the workspace). Only used on the first grant. */
  defaultProviderSlug?: pulumi.Input<string>;
  /** A trigger: changing its value resets this workspace's accumulated usage of the integration once. */
  resetUsage?: pulumi.Input<string | number>;
}

/**
 * Access of one workspace to one Portkey integration (a row of `/integrations/{slug}/workspaces`).
 * The id is `<integrationSlug>/<workspaceId>`. Deleting the resource disables access for this
 * workspace only; other workspaces' access is never touched. Grants for the same integration made
 * in one `pulumi up` are written together in one bulk request.
 */
export class IntegrationWorkspaceAccess extends pulumi.dynamic.Resource {
  /** The integration's slug. */
  declare readonly integrationSlug: pulumi.Output<string>;
  /** The workspace as given. */
  declare readonly workspaceId: pulumi.Output<string>;
  /** The workspace's UUID. */
  declare readonly resolvedWorkspaceId: pulumi.Output<string>;
  /** The workspace's slug (how Portkey lists access). */
  declare readonly workspaceSlug: pulumi.Output<string>;
  /** Whether access is enabled, as read back. */
  declare readonly enabled: pulumi.Output<boolean>;
  /** The budget as read back. */
  declare readonly usageLimits: pulumi.Output<UsageLimitArgs[] | undefined>;
  /** The rate limit as read back. */
  declare readonly rateLimits: pulumi.Output<RateLimitArgs[] | undefined>;

  constructor(name: string, args: IntegrationWorkspaceAccessArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { resolvedWorkspaceId: undefined, workspaceSlug: undefined, usageLimits: undefined, rateLimits: undefined, enabled: undefined, ...args },
      opts,
      "portkey",
      "IntegrationWorkspaceAccess",
    );
  }
}
