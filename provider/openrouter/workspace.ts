/**
 * OpenRouter workspace: `/workspaces`. Every field, name and slug included,
 * updates in place; the resource id is the UUID (the slug can change).
 */
import { z } from "zod";
import { ApiError, isGone } from "../errors";
import { defineResource, LifecycleContext, normalize } from "../framework";
import { ApiClient } from "../http";
import { openrouterClient } from "./common";

export interface OpenRouterWorkspaceInputs {
  [key: string]: unknown;
  name: string;
  slug: string;
  description?: string;
  defaultTextModel?: string;
  defaultImageModel?: string;
  defaultProviderSort?: "price" | "throughput" | "latency" | "exacto";
  ioLoggingApiKeyIds?: number[];
  ioLoggingSamplingRate?: number;
  isDataDiscountLoggingEnabled?: boolean;
  isObservabilityBroadcastEnabled?: boolean;
  isObservabilityIoLoggingEnabled?: boolean;
  allowDefaultWorkspaceDeletion?: boolean;
}

export interface OpenRouterWorkspaceOutputs extends OpenRouterWorkspaceInputs {
  workspaceId: string;
  defaultGuardrailId?: string;
  createdAt?: string;
  updatedAt?: string;
}

interface WorkspaceJson {
  id: string;
  name: string;
  slug: string;
  description?: string | null;
  default_text_model?: string | null;
  default_image_model?: string | null;
  default_provider_sort?: string | null;
  io_logging_api_key_ids?: number[] | null;
  io_logging_sampling_rate?: number;
  is_data_discount_logging_enabled?: boolean;
  is_observability_broadcast_enabled?: boolean;
  is_observability_io_logging_enabled?: boolean;
  default_guardrail_id?: string;
  created_at?: string;
  updated_at?: string | null;
}

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function openrouterWorkspaceInputSchema() {
  return z
    .object({
      name: z.string().min(1, "must not be empty").max(100, "must be at most 100 characters"),
      slug: z
        .string()
        .min(1, "must not be empty")
        .max(50, "must be at most 50 characters")
        .regex(SLUG_PATTERN, "must be lowercase letters and digits in segments joined by single hyphens (e.g. team-eu-1)"),
      description: z.string().max(500, "must be at most 500 characters").optional(),
      defaultTextModel: z.string().min(1).optional(),
      defaultImageModel: z.string().min(1).optional(),
      defaultProviderSort: z.enum(["price", "throughput", "latency", "exacto"]).optional(),
      ioLoggingApiKeyIds: z.array(z.number().int()).optional(),
      ioLoggingSamplingRate: z.number().min(0.0001, "must be at least 0.0001").max(1, "must be at most 1").optional(),
      isDataDiscountLoggingEnabled: z.boolean().optional(),
      isObservabilityBroadcastEnabled: z.boolean().optional(),
      isObservabilityIoLoggingEnabled: z.boolean().optional(),
      allowDefaultWorkspaceDeletion: z.boolean().optional(),
    })
    .strict();
}

/** What an unset input means on OpenRouter's side, so unset and the server default compare equal. */
const SERVER_DEFAULTS: Record<string, unknown> = {
  ioLoggingSamplingRate: 1,
  isDataDiscountLoggingEnabled: false,
  isObservabilityBroadcastEnabled: false,
  isObservabilityIoLoggingEnabled: false,
  allowDefaultWorkspaceDeletion: false,
};

export const openrouterWorkspaceProvider = defineResource<OpenRouterWorkspaceInputs, OpenRouterWorkspaceOutputs>({
  kind: "openrouter:Workspace",
  inputSchema: openrouterWorkspaceInputSchema,
  replaceOnChange: [],

  comparable(name, value) {
    return normalize(value ?? SERVER_DEFAULTS[name]);
  },

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const taken = await getWorkspace(client, inputs.slug);
    if (taken) throw new Error(`slug: '${inputs.slug}' is already used by workspace ${taken.id} ('${taken.name}').`);
    const created = await createOnce(client, inputs, ctx);
    ctx.created(created.id, { workspaceId: created.id, ...inputs });
    return { id: created.id, outputs: toOutputs(created, inputs) };
  },

  async read(id, outputs, ctx) {
    const workspace = await getWorkspace(openrouterClient(ctx), id);
    if (!workspace) return undefined;
    const refreshed = toOutputs(workspace, outputs);
    return { outputs: refreshed, inputs: inputsOf(refreshed) };
  },

  async update(id, _olds, news, ctx) {
    const response = await openrouterClient(ctx).request<{ data: WorkspaceJson }>({
      method: "PATCH",
      path: `/workspaces/${encodeURIComponent(id)}`,
      body: { name: news.name, slug: news.slug, ...settingsBody(news) },
    });
    return toOutputs(response.data, news);
  },

  async delete(id, outputs, ctx) {
    const client = openrouterClient(ctx);
    try {
      await client.request({
        method: "DELETE",
        path: `/workspaces/${encodeURIComponent(id)}`,
        query: outputs.allowDefaultWorkspaceDeletion ? { confirm_default_workspace_deletion: "true" } : undefined,
      });
    } catch (error) {
      if (isGone(error)) return;
      if (error instanceof ApiError && error.status === 400) throw new Error(await keysRemainMessage(client, id, outputs.slug, error));
      if (error instanceof ApiError && error.status === 403 && !outputs.allowDefaultWorkspaceDeletion) {
        throw new Error(
          `OpenRouter refused to delete workspace '${outputs.slug}' (403: ${error.apiMessage}). If it is the account's default workspace, ` +
            "set `allowDefaultWorkspaceDeletion: true` (and run `pulumi up` so it is stored): deleting it also disables the account's unscoped inference keys.",
        );
      }
      throw error;
    }
  },
});

/** After an unclear failure the slug (unique) tells whether the workspace was created. */
async function createOnce(client: ApiClient, inputs: OpenRouterWorkspaceInputs, ctx: LifecycleContext): Promise<WorkspaceJson> {
  try {
    const response = await client.request<{ data: WorkspaceJson }>({ method: "POST", path: "/workspaces", body: { name: inputs.name, slug: inputs.slug, ...settingsBody(inputs) } });
    return response.data;
  } catch (error) {
    const unclear = error instanceof ApiError && (error.status === 0 || error.status >= 500);
    if (!unclear) throw error;
    const appeared = await getWorkspace(client, inputs.slug);
    if (!appeared) throw error;
    ctx.warn(`the create call for workspace '${inputs.slug}' lost its response, but the workspace was created (${appeared.id}); using it.`);
    return appeared;
  }
}

/** Every setting, with the value that clears it when unset. */
function settingsBody(inputs: OpenRouterWorkspaceInputs) {
  return {
    description: inputs.description ?? null,
    default_text_model: inputs.defaultTextModel ?? null,
    default_image_model: inputs.defaultImageModel ?? null,
    default_provider_sort: inputs.defaultProviderSort ?? null,
    io_logging_api_key_ids: inputs.ioLoggingApiKeyIds ?? null,
    io_logging_sampling_rate: inputs.ioLoggingSamplingRate ?? 1,
    is_data_discount_logging_enabled: inputs.isDataDiscountLoggingEnabled ?? false,
    is_observability_broadcast_enabled: inputs.isObservabilityBroadcastEnabled ?? false,
    is_observability_io_logging_enabled: inputs.isObservabilityIoLoggingEnabled ?? false,
  };
}

async function getWorkspace(client: ApiClient, idOrSlug: string): Promise<WorkspaceJson | undefined> {
  return (await client.requestOrGone<{ data: WorkspaceJson }>({ method: "GET", path: `/workspaces/${encodeURIComponent(idOrSlug)}` }))?.data;
}

/** Outputs from the API's answer; fields the API adds later are ignored. */
function toOutputs(json: WorkspaceJson, carried: Partial<OpenRouterWorkspaceInputs>): OpenRouterWorkspaceOutputs {
  return {
    workspaceId: json.id,
    name: json.name,
    slug: json.slug,
    description: json.description ?? undefined,
    defaultTextModel: json.default_text_model ?? undefined,
    defaultImageModel: json.default_image_model ?? undefined,
    defaultProviderSort: (json.default_provider_sort ?? undefined) as OpenRouterWorkspaceInputs["defaultProviderSort"],
    ioLoggingApiKeyIds: json.io_logging_api_key_ids ?? undefined,
    ioLoggingSamplingRate: json.io_logging_sampling_rate,
    isDataDiscountLoggingEnabled: json.is_data_discount_logging_enabled,
    isObservabilityBroadcastEnabled: json.is_observability_broadcast_enabled,
    isObservabilityIoLoggingEnabled: json.is_observability_io_logging_enabled,
    allowDefaultWorkspaceDeletion: carried.allowDefaultWorkspaceDeletion,
    defaultGuardrailId: json.default_guardrail_id,
    createdAt: json.created_at,
    updatedAt: json.updated_at ?? undefined,
  };
}

function inputsOf(outputs: OpenRouterWorkspaceOutputs): OpenRouterWorkspaceInputs {
  const names = Object.keys(openrouterWorkspaceInputSchema().shape) as (keyof OpenRouterWorkspaceInputs)[];
  return Object.fromEntries(names.map((name) => [name, outputs[name]])) as OpenRouterWorkspaceInputs;
}

async function keysRemainMessage(client: ApiClient, id: string, slug: string, error: ApiError): Promise<string> {
  let keys = "";
  try {
    const list = await client.request<{ data?: { name?: string }[] }>({ method: "GET", path: "/keys", query: { workspace_id: id, include_disabled: "true" } });
    const names = (list.data ?? []).map((k) => k.name ?? "(unnamed)");
    if (names.length > 0) keys = ` Keys still in it: ${names.slice(0, 10).join(", ")}${names.length > 10 ? ", ..." : ""}.`;
  } catch {
    // Best effort: the advice stands without the list.
  }
  return `OpenRouter refused to delete workspace '${slug}' (400: ${error.apiMessage}).${keys} Delete its API keys first (or remove them from the program in the same update).`;
}
