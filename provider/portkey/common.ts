/**
 * What the Portkey resources share: the API's dialect (auth header, error
 * envelope), the client factory, and the `workspaceId` input.
 */
import { z } from "zod";
import { resolveConnection, ServiceSettings } from "../config";
import { LifecycleContext, normalize } from "../framework";
import { input, InputField } from "../resource";
import { ApiClient, ApiDialect, DEFAULT_RETRY_POLICY } from "../http";
import type { ApiError } from "../errors";

/** Where Portkey's credentials come from: stack config, else the environment. */
export const PORTKEY_SETTINGS: ServiceSettings = {
  service: "Portkey",
  credential: "admin key",
  keyConfig: "portkey:apiKey",
  keyEnv: "PORTKEY_API_KEY",
  baseUrlConfig: "portkey:baseUrl",
  baseUrlEnv: "PORTKEY_BASE_URL",
  defaultBaseUrl: "https://api.portkey.ai/v1",
};

export const PORTKEY_DIALECT: ApiDialect = {
  authHeaders: (apiKey) => ({ "x-portkey-api-key": apiKey }),
  parseError(body) {
    // Admin routes: {"success": false, "data": {"message", "errorCode"}} (some fixtures are flat);
    // other route groups (guardrails, configs): {"error": {"message", "code"}}.
    type Source = { errorCode?: unknown; code?: unknown; message?: unknown };
    const envelope = (body ?? {}) as Source & { data?: Source; error?: Source };
    const source = [envelope.data, envelope.error].find((part): part is Source => !!part && typeof part === "object") ?? envelope;
    const code = source.errorCode ?? source.code;
    return {
      code: typeof code === "string" || typeof code === "number" ? String(code) : undefined,
      message: typeof source.message === "string" ? source.message : undefined,
    };
  },
  requestIdHeaders: ["x-portkey-request-id", "x-request-id"],
  // AB08 "not found"; AB02 is the other code Portkey documents with 404.
  notFound: (status, code) => status === 404 && (code === "AB08" || code === "AB02"),
};

export function portkeyClient(ctx: Pick<LifecycleContext, "configured">, extraSecrets: readonly string[] = []): ApiClient {
  return new ApiClient(resolveConnection(PORTKEY_SETTINGS, ctx.configured), PORTKEY_DIALECT, DEFAULT_RETRY_POLICY, extraSecrets);
}

/** How a Portkey object's `workspaceId` input differs from the usual one (see workspaceIdInput). */
export interface WorkspaceIdOptions {
  /** What it is for this kind of object (by UUID or slug, what changing it replaces, ...). */
  doc: string;
  /** Doc of the output; default "The workspace as given." */
  outputDoc?: string;
  /** Not sent as `workspace_id` in bodies (the workspace is in the request's path, or a hook sends it): default sent. */
  sent?: boolean;
  /** Portkey never returns it in an answer: carried from the program alone. Default: read as `workspace_id`, the program's spelling kept. */
  answered?: boolean;
  /** The value the generated reference example shows (docs/), when it cannot name a declared workspace. */
  example?: string;
}

type WorkspaceIdField<Optional extends boolean> = InputField<Optional extends true ? z.ZodOptional<z.ZodString> : z.ZodString>;

/**
 * The `workspaceId` input of a Portkey object that lives in one workspace:
 * by UUID or slug, a change replaces the object, the slug and the UUID of the
 * same workspace compare equal, and it is kept as the program spelled it
 * (Portkey answers one spelling or the other).
 */
export function workspaceIdInput(options: WorkspaceIdOptions & { optional: true }): WorkspaceIdField<true>;
export function workspaceIdInput(options: WorkspaceIdOptions & { optional?: false }): WorkspaceIdField<false>;
export function workspaceIdInput(options: WorkspaceIdOptions & { optional?: boolean }): WorkspaceIdField<boolean> {
  const id = z.string().min(1, "must not be empty");
  const { doc, outputDoc = "The workspace as given.", sent = true, answered = true } = options;
  return input(options.optional ? id.optional() : id, {
    doc,
    outputDoc,
    ...(options.example !== undefined ? { example: options.example } : {}),
    replaces: true,
    comparable: workspaceIdComparable,
    ...(sent
      ? {
          api: "workspace_id",
          fromApi: answered
            ? (value: unknown, _answer: unknown, carried: Record<string, unknown>) => carried.workspaceId ?? value ?? undefined
            : (_value: unknown, _answer: unknown, carried: Record<string, unknown>) => carried.workspaceId ?? undefined,
        }
      : {}),
  });
}

/**
 * Diff form of a `workspaceId` input: the slug and the UUID of the same
 * workspace compare equal (the stored outputs know both spellings).
 */
export function workspaceIdComparable(value: unknown, olds: Record<string, unknown>): unknown {
  if (typeof value === "string" && (value === olds.resolvedWorkspaceId || value === olds.workspaceSlug)) {
    return olds.resolvedWorkspaceId ?? value;
  }
  return normalize(value);
}

/**
 * A delete Portkey refused because other objects still use the object (409):
 * the API's own message names them; the error keeps its status, code and
 * request id and says what to do.
 */
export function inUseError(error: ApiError, what: string, remedy: string): Error {
  return new Error(`Portkey refused to delete ${what}: other objects use it. ${error.message}. ${remedy}`);
}
