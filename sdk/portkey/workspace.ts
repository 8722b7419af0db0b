import * as pulumi from "@pulumi/pulumi";
import * as providerModule from "../../provider/portkey/workspace";
import { delegatingProvider } from "../delegate";

const provider = delegatingProvider(() => providerModule.workspaceProvider);
import type { RateLimitArgs, UsageLimitArgs } from "./types";

/** Inputs of a Portkey {@link Workspace}. Every one can be changed in place. */
export interface WorkspaceArgs {
  /** Display name, 1–100 characters. A leading emoji (then a space) becomes the workspace's `icon`, as in the Portkey UI. */
  name: pulumi.Input<string>;
  /**
   * The workspace's icon, an emoji. Not declared: whatever is set (e.g. in the UI) is left alone.
   * Declared: managed; `""` removes the icon.
   */
  icon?: pulumi.Input<string>;
  /** Free text, at most 500 characters. Removing it clears the description. */
  description?: pulumi.Input<string>;
  /** String metadata that API keys created in the workspace inherit (sent as `defaults.metadata`). Removing it clears it. */
  metadata?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Guardrails (ids or slugs) applied by default to requests' input (`defaults.input_guardrails`).
   * Not declared: whatever is set is left alone. Declared: managed; `[]` removes them.
   */
  inputGuardrails?: pulumi.Input<pulumi.Input<string>[]>;
  /** Guardrails applied by default to responses (`defaults.output_guardrails`); same rules as `inputGuardrails`. */
  outputGuardrails?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The config (slug) that user API keys of the workspace use by default (`defaults.user_api_key_config`).
   * Not declared: whatever is set is left alone. Declared: managed; `""` removes it.
   */
  userApiKeyConfig?: pulumi.Input<string>;
  /** Budgets for the whole workspace. Removing them clears them. */
  usageLimits?: pulumi.Input<pulumi.Input<UsageLimitArgs>[]>;
  /** Request or token rate limits for the whole workspace (units rpd, rph, rpm). Removing them clears them. */
  rateLimits?: pulumi.Input<pulumi.Input<RateLimitArgs>[]>;
  /**
   * Delete the workspace even when it still holds providers or API keys, deleting them with it.
   * Default false: deletion then fails with a message listing what is left. Takes effect once stored by `pulumi up`.
   */
  forceDelete?: pulumi.Input<boolean>;
  /**
   * When creating, take over the one existing workspace with exactly this `name` (bringing it to
   * the declared state) instead of creating another. The alternative to `pulumi import`, which
   * dynamic providers cannot do. Fails if several workspaces have the name. Default false.
   */
  adoptExisting?: pulumi.Input<boolean>;
}

/**
 * A Portkey workspace (`/admin/workspaces`). The resource id is the workspace's UUID.
 *
 * ```ts
 * const dev = new portkey.Workspace("dev", { name: "Dev", usageLimits: [{ creditLimit: 100, periodicReset: "monthly" }] });
 * ```
 */
export class Workspace extends pulumi.dynamic.Resource {
  /** The workspace's UUID (the same as `id`). */
  declare readonly workspaceId: pulumi.Output<string>;
  /** Portkey's slug for the workspace, e.g. `ws-dev-1a2b3c`; accepted wherever a workspace id is. */
  declare readonly slug: pulumi.Output<string>;
  /** The name, without the icon. */
  declare readonly name: pulumi.Output<string>;
  /** The icon, when one is set (declared or not). */
  declare readonly icon: pulumi.Output<string | undefined>;
  /** The default input guardrails, when set (declared or not). */
  declare readonly inputGuardrails: pulumi.Output<string[] | undefined>;
  /** The default output guardrails, when set (declared or not). */
  declare readonly outputGuardrails: pulumi.Output<string[] | undefined>;
  /** The default config of user API keys, when set (declared or not). */
  declare readonly userApiKeyConfig: pulumi.Output<string | undefined>;
  /** The description, when one is set. */
  declare readonly description: pulumi.Output<string | undefined>;
  /** The metadata as read back. */
  declare readonly metadata: pulumi.Output<Record<string, string> | undefined>;
  /** The budgets as read back. */
  declare readonly usageLimits: pulumi.Output<UsageLimitArgs[] | undefined>;
  /** The rate limits as read back. */
  declare readonly rateLimits: pulumi.Output<RateLimitArgs[] | undefined>;
  /** Whether deletion cascades to what the workspace holds. */
  declare readonly forceDelete: pulumi.Output<boolean>;
  /** When Portkey created the workspace (RFC 3339). */
  declare readonly createdAt: pulumi.Output<string>;
  /** When Portkey last changed the workspace (RFC 3339). */
  declare readonly lastUpdatedAt: pulumi.Output<string>;

  constructor(name: string, args: WorkspaceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        ...args,
        workspaceId: undefined,
        slug: undefined,
        createdAt: undefined,
        lastUpdatedAt: undefined,
        description: args?.description,
        icon: args?.icon,
        inputGuardrails: args?.inputGuardrails,
        outputGuardrails: args?.outputGuardrails,
        userApiKeyConfig: args?.userApiKeyConfig,
        metadata: args?.metadata,
        usageLimits: args?.usageLimits,
        rateLimits: args?.rateLimits,
        forceDelete: args?.forceDelete,
      },
      opts,
      "portkey",
      "Workspace",
    );
  }

  /**
   * Looks up an existing workspace by UUID and reads its state; the program does
   * not manage it. (Adopting an existing workspace into management is not possible
   * with dynamic providers: see the README, "Existing objects".)
   */
  static get(name: string, id: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions): Workspace {
    return new Workspace(name, { name: "" }, { ...opts, id });
  }
}
