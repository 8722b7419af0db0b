import * as pulumi from "@pulumi/pulumi";
import * as providerModule from "../../provider/openrouter/api-key";
import { delegatingProvider } from "../delegate";

const provider = delegatingProvider(() => providerModule.openrouterApiKeyProvider);

/** Inputs of an OpenRouter {@link ApiKey}. */
export interface ApiKeyArgs {
  /** Any non-empty name. */
  name: pulumi.Input<string>;
  /** Spending limit in dollars (>= 0); unset means no limit. */
  limit?: pulumi.Input<number>;
  /** When the limit resets (midnight UTC; weeks run Monday to Sunday); unset means never. */
  limitReset?: pulumi.Input<"daily" | "weekly" | "monthly">;
  /** Count bring-your-own-key usage against the limit (default false). */
  includeByokInLimit?: pulumi.Input<boolean>;
  /** Disable the key (default false). Applied right after creation, since OpenRouter only takes it on update. */
  disabled?: pulumi.Input<boolean>;
  /** When the key expires: UTC with seconds (`2027-01-31T00:00:00Z`), in the future. Changing it replaces the key. */
  expiresAt?: pulumi.Input<string>;
  /**
   * The workspace's UUID; the account's default workspace when unset. Changing it replaces the key.
   * Pass a Workspace's `id` (known during previews of the workspace's own updates).
   */
  workspaceId?: pulumi.Input<string>;
  /** For keys owned by an organization: the member the key is created for. Fixed at creation: changing it replaces the key. */
  creatorUserId?: pulumi.Input<string>;
  /** A partner's end-user id the key is attributed to (sent as `external.user`). Fixed at creation: changing it replaces the key. */
  externalUser?: pulumi.Input<string>;
}

/**
 * An OpenRouter API key (`/keys`). The resource id is the key's hash; the plaintext key is
 * the `key` output, a Pulumi secret, returned by OpenRouter only at creation.
 */
export class ApiKey extends pulumi.dynamic.Resource {
  /** The plaintext key (a Pulumi secret). */
  declare readonly key: pulumi.Output<string>;
  /** The key's hash (the same as `id`). */
  declare readonly hash: pulumi.Output<string>;
  /** The masked key OpenRouter shows, e.g. `sk-or-v1-0e6...1c96`. */
  declare readonly label: pulumi.Output<string>;
  /** The name as read back. */
  declare readonly name: pulumi.Output<string>;
  /** The limit as read back. */
  declare readonly limit: pulumi.Output<number | undefined>;
  /** What is left of the limit. */
  declare readonly limitRemaining: pulumi.Output<number | undefined>;
  /** The reset interval as read back. */
  declare readonly limitReset: pulumi.Output<string | undefined>;
  /** As read back. */
  declare readonly includeByokInLimit: pulumi.Output<boolean>;
  /** As read back. */
  declare readonly disabled: pulumi.Output<boolean>;
  /** The expiry as read back. */
  declare readonly expiresAt: pulumi.Output<string | undefined>;
  /** The workspace as given. */
  declare readonly workspaceId: pulumi.Output<string | undefined>;
  /** As declared. */
  declare readonly creatorUserId: pulumi.Output<string | undefined>;
  /** As declared. */
  declare readonly externalUser: pulumi.Output<string | undefined>;
  /** The workspace the key is in (the default one when `workspaceId` was unset). */
  declare readonly resolvedWorkspaceId: pulumi.Output<string>;
  /** Total usage in dollars. */
  declare readonly usage: pulumi.Output<number>;
  /** Creation time. */
  declare readonly createdAt: pulumi.Output<string>;
  /** Last change. */
  declare readonly updatedAt: pulumi.Output<string | undefined>;

  constructor(name: string, args: ApiKeyArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = ["key", "hash", "label", "limit", "limitRemaining", "limitReset", "includeByokInLimit", "disabled", "expiresAt", "workspaceId", "creatorUserId", "externalUser", "resolvedWorkspaceId", "usage", "createdAt", "updatedAt"];
    super(
      provider,
      name,
      { ...Object.fromEntries(outputs.map((k) => [k, undefined])), ...args },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "key"] },
      "openrouter",
      "ApiKey",
    );
  }
}
