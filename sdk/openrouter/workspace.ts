import * as pulumi from "@pulumi/pulumi";
import * as providerModule from "../../provider/openrouter/workspace";
import { delegatingProvider } from "../delegate";

const provider = delegatingProvider(() => providerModule.openrouterWorkspaceProvider);

/** Inputs of an OpenRouter {@link Workspace}. Every one, name and slug included, changes in place. */
export interface WorkspaceArgs {
  /** 1–100 characters. */
  name: pulumi.Input<string>;
  /** 1–50 characters: lowercase letters and digits in segments joined by single hyphens (`team-eu-1`). Unique in the account. */
  slug: pulumi.Input<string>;
  /** At most 500 characters. */
  description?: pulumi.Input<string>;
  /** Default text model, e.g. `openai/gpt-4o`. */
  defaultTextModel?: pulumi.Input<string>;
  /** Default image model, e.g. `openai/dall-e-3`. */
  defaultImageModel?: pulumi.Input<string>;
  /** How providers are ranked by default: `price`, `throughput`, `latency` or `exacto`. */
  defaultProviderSort?: pulumi.Input<"price" | "throughput" | "latency" | "exacto">;
  /** Numeric ids of the API keys whose requests are logged; unset logs every key, `[]` logs none. */
  ioLoggingApiKeyIds?: pulumi.Input<pulumi.Input<number>[]>;
  /** Share of requests logged, 0.0001–1 (OpenRouter's default 1: all). */
  ioLoggingSamplingRate?: pulumi.Input<number>;
  /** Data-discount logging (default false). */
  isDataDiscountLoggingEnabled?: pulumi.Input<boolean>;
  /** Broadcast to observability destinations (default false). */
  isObservabilityBroadcastEnabled?: pulumi.Input<boolean>;
  /** Private input/output logging (default false). */
  isObservabilityIoLoggingEnabled?: pulumi.Input<boolean>;
  /** Server tools that requests in the workspace may not call (e.g. `web_search`); unset or `[]` disables none. */
  disabledServerTools?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Allow deleting this workspace if it is the account's default one. Deleting the default workspace
   * also disables the account's unscoped inference keys. Default false.
   */
  allowDefaultWorkspaceDeletion?: pulumi.Input<boolean>;
}

/**
 * An OpenRouter workspace (`/workspaces`). The resource id is its UUID, so the slug can be renamed in place.
 * Deletion fails while the workspace still holds API keys.
 */
export class Workspace extends pulumi.dynamic.Resource {
  /** The workspace's UUID (the same as `id`). */
  declare readonly workspaceId: pulumi.Output<string>;
  /** The name as read back. */
  declare readonly name: pulumi.Output<string>;
  /** The slug as read back. */
  declare readonly slug: pulumi.Output<string>;
  /** The description as read back. */
  declare readonly description: pulumi.Output<string | undefined>;
  /** The default text model as read back. */
  declare readonly defaultTextModel: pulumi.Output<string | undefined>;
  /** The default image model as read back. */
  declare readonly defaultImageModel: pulumi.Output<string | undefined>;
  /** The provider sort as read back. */
  declare readonly defaultProviderSort: pulumi.Output<string | undefined>;
  /** The logged key ids as read back. */
  declare readonly ioLoggingApiKeyIds: pulumi.Output<number[] | undefined>;
  /** The sampling rate as read back. */
  declare readonly ioLoggingSamplingRate: pulumi.Output<number>;
  /** As read back. */
  declare readonly isDataDiscountLoggingEnabled: pulumi.Output<boolean>;
  /** As read back. */
  declare readonly isObservabilityBroadcastEnabled: pulumi.Output<boolean>;
  /** As read back. */
  declare readonly isObservabilityIoLoggingEnabled: pulumi.Output<boolean>;
  /** The workspace's default guardrail (derived from its id by OpenRouter). */
  declare readonly defaultGuardrailId: pulumi.Output<string>;
  /** As read back. */
  declare readonly disabledServerTools: pulumi.Output<string[] | undefined>;
  /** Whether BYOK spend counts toward the workspace budgets (set through the budgets endpoint). */
  declare readonly includeByokInBudgets: pulumi.Output<boolean | undefined>;
  /** The user who created the workspace, when OpenRouter reports one. */
  declare readonly createdBy: pulumi.Output<string | undefined>;
  /** Creation time. */
  declare readonly createdAt: pulumi.Output<string>;
  /** Last change, once there was one. */
  declare readonly updatedAt: pulumi.Output<string | undefined>;

  constructor(name: string, args: WorkspaceArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = [
      "workspaceId", "description", "defaultTextModel", "defaultImageModel", "defaultProviderSort", "ioLoggingApiKeyIds",
      "ioLoggingSamplingRate", "isDataDiscountLoggingEnabled", "isObservabilityBroadcastEnabled", "isObservabilityIoLoggingEnabled",
      "defaultGuardrailId", "disabledServerTools", "includeByokInBudgets", "createdBy", "createdAt", "updatedAt",
    ];
    super(provider, name, { ...Object.fromEntries(outputs.map((k) => [k, undefined])), ...args }, opts, "openrouter", "Workspace");
  }
}
