/** What the OpenRouter resources share: bearer auth, the error envelope, the client factory. */
import { resolveConnection, ServiceSettings } from "../config";
import { LifecycleContext } from "../framework";
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
