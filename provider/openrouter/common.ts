/** What the OpenRouter resources share: bearer auth, the error envelope, the client factory, the `workspaceId` input. */
import { z } from "zod";
import { resolveConnection, ServiceSettings } from "../config";
import { LifecycleContext } from "../framework";
import { input, InputField } from "../resource";
import { ApiClient, ApiDialect, DEFAULT_RETRY_POLICY } from "../http";

/** Where OpenRouter's credentials come from: stack config, else the environment. */
export const OPENROUTER_SETTINGS: ServiceSettings = {
  service: "OpenRouter",
  credential: "management key",
  keyConfig: "openrouter:managementKey",
  keyEnv: "OPENROUTER_MANAGEMENT_KEY",
  baseUrlConfig: "openrouter:baseUrl",
  baseUrlEnv: "OPENROUTER_BASE_URL",
  defaultBaseUrl: "https://openrouter.ai/api/v1",
};

export const OPENROUTER_DIALECT: ApiDialect = {
  authHeaders: (key) => ({ authorization: `Bearer ${key}` }),
  parseError(body) {
    // {"error": {"code": <http status>, "message": "..."}}
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const message = typeof error?.message === "string" ? error.message : undefined;
    return {
      code: error?.code === undefined ? undefined : String(error.code),
      message: message && `${message}${failedChecksOf(body)}`,
    };
  },
  requestIdHeaders: ["x-request-id", "cf-ray"],
  // OpenRouter's envelope repeats the status as its code.
  notFound: (status, code) => status === 404 && code === "404",
};

/** The failed checks a validation answer carries (private endpoints: `data.validation.checks`), as text. */
function failedChecksOf(body: unknown): string {
  const checks = (body as { data?: { validation?: { checks?: unknown } } } | undefined)?.data?.validation?.checks;
  if (!Array.isArray(checks)) return "";
  const failed = checks
    .filter((c): c is { name?: unknown; reason?: unknown } => typeof c === "object" && c !== null && (c as { passed?: unknown }).passed === false)
    .map((c) => `${String(c.name)}${c.reason ? ` (${String(c.reason)})` : ""}`);
  return failed.length > 0 ? `; failed checks: ${failed.join(", ")}` : "";
}

export function openrouterClient(ctx: Pick<LifecycleContext, "configured">, extraSecrets: readonly string[] = []): ApiClient {
  return new ApiClient(resolveConnection(OPENROUTER_SETTINGS, ctx.configured), OPENROUTER_DIALECT, DEFAULT_RETRY_POLICY, extraSecrets);
}

/** How an OpenRouter object's `workspaceId` input differs from the usual one (see workspaceIdInput). */
export interface WorkspaceIdOptions {
  /** What it is for this kind of object (what changing it does, ...). */
  doc: string;
  /** Doc of the output; default "The workspace as given." */
  outputDoc?: string;
  /** Sent as `workspace_id` in bodies (and read back unless carried); default not sent (the workspace is in the request's path). */
  sent?: boolean;
  /** `"whenRemoved"`: only removing it replaces the object (a new value moves it); default: any change replaces. */
  replaces?: true | "whenRemoved";
  /** The failure of a value that is not a UUID; default "must be the workspace's UUID". */
  notUuid?: string;
}

type WorkspaceIdField<Optional extends boolean> = InputField<Optional extends true ? z.ZodOptional<z.ZodUUID> : z.ZodUUID>;

/**
 * The `workspaceId` input of an OpenRouter object that lives in one
 * workspace: the workspace's UUID. Optional ones (the account's default
 * workspace when unset) are carried as given, so unset stays unset (the
 * actual workspace is an output).
 */
export function workspaceIdInput(options: WorkspaceIdOptions & { optional: true }): WorkspaceIdField<true>;
export function workspaceIdInput(options: WorkspaceIdOptions & { optional?: false }): WorkspaceIdField<false>;
export function workspaceIdInput(options: WorkspaceIdOptions & { optional?: boolean }): WorkspaceIdField<boolean> {
  const uuid = z.uuid(options.notUuid ?? "must be the workspace's UUID");
  const { doc, outputDoc = "The workspace as given.", sent = false, replaces = true, optional = false } = options;
  return input(optional ? uuid.optional() : uuid, {
    doc,
    outputDoc,
    replaces,
    ...(sent ? { api: "workspace_id" } : {}),
    ...(optional ? { carried: true } : {}),
  });
}
