/**
 * OpenRouter workspace: `/workspaces`. Every field, name and slug included,
 * updates in place; the resource id is the UUID (the slug can change). A
 * create sends only what is declared and an update only what changed, so
 * OpenRouter's own defaults are never written as if the user had chosen them.
 */
import { z } from "zod";
import { ApiError, isApiFailure, isForbidden, isGone } from "../errors";
import { defineResource, deepEqual, normalize } from "../framework";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { OPENROUTER_SETTINGS, openrouterClient } from "./common";

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
  disabledServerTools?: string[];
  allowDefaultWorkspaceDeletion?: boolean;
}

export interface OpenRouterWorkspaceOutputs extends OpenRouterWorkspaceInputs {
  workspaceId: string;
  defaultGuardrailId?: string;
  includeByokInBudgets?: boolean;
  createdBy?: string;
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
  disabled_server_tools?: string[] | null;
  include_byok_in_budgets?: boolean;
  created_by?: string | null;
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
      disabledServerTools: z.array(z.string().min(1)).optional(),
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
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputSchema: openrouterWorkspaceInputSchema,
  replaceOnChange: [],

  comparable,

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const taken = await getWorkspace(client, inputs.slug);
    if (taken) throw new Error(`slug: '${inputs.slug}' is already used by workspace ${taken.id} ('${taken.name}').`);
    const body = { name: inputs.name, slug: inputs.slug, ...settingsBody(inputs, (field) => inputs[field] !== undefined) };
    const created = await createWithRecovery(ctx, {
      what: `OpenRouter workspace '${inputs.slug}'`,
      naturalKey: `openrouter:Workspace:${inputs.slug}`,
      post: async () => (await client.request<{ data: WorkspaceJson }>({ method: "POST", path: "/workspaces", body })).data,
      idOf: (workspace) => workspace.id,
      async findCandidates() {
        // The slug is unique: at most one workspace carries it.
        try {
          const { body: found, serverTime } = await client.requestWithServerTime<{ data: WorkspaceJson }>({ method: "GET", path: workspacePath(inputs.slug) });
          return { candidates: [{ id: found.data.id, createdAt: found.data.created_at }], serverTime };
        } catch (error) {
          if (isGone(error)) return { candidates: [] };
          throw error;
        }
      },
      recover: {
        async adopt(candidate) {
          const workspace = await getWorkspace(client, candidate.id);
          if (!workspace) throw new Error(`workspace ${candidate.id} disappeared while it was being recovered`);
          return workspace;
        },
      },
      cleanup: "delete it in the OpenRouter dashboard, or with DELETE /workspaces/{id}",
    });
    ctx.created(created.id, { workspaceId: created.id, ...inputs });
    return { id: created.id, outputs: toOutputs(created, inputs) };
  },

  async read(id, outputs, ctx) {
    const workspace = await getWorkspace(openrouterClient(ctx), id);
    if (!workspace) return undefined;
    const refreshed = toOutputs(workspace, outputs);
    return { outputs: refreshed, inputs: inputsOf(refreshed) };
  },

  async update(id, olds, news, ctx) {
    const changed = (field: keyof OpenRouterWorkspaceInputs & string) => !deepEqual(comparable(field, olds[field]), comparable(field, news[field]));
    const body = {
      ...(changed("name") ? { name: news.name } : {}),
      ...(changed("slug") ? { slug: news.slug } : {}),
      ...settingsBody(news, changed),
    };
    const client = openrouterClient(ctx);
    const workspace = Object.keys(body).length > 0
      ? (await client.request<{ data: WorkspaceJson }>({ method: "PATCH", path: workspacePath(id), body })).data
      : await getWorkspace(client, id);
    if (!workspace) throw new Error(`workspace ${id} does not exist (or was deleted); run \`pulumi refresh\`.`);
    return toOutputs(workspace, news);
  },

  async delete(id, outputs, ctx) {
    const client = openrouterClient(ctx);
    try {
      await client.request({
        method: "DELETE",
        path: workspacePath(id),
        query: outputs.allowDefaultWorkspaceDeletion ? { confirm_default_workspace_deletion: "true" } : undefined,
      });
    } catch (error) {
      if (isGone(error)) return;
      if (isApiFailure(error, "validation")) throw new Error(await keysRemainMessage(client, id, outputs.slug, error));
      if (isForbidden(error) && !outputs.allowDefaultWorkspaceDeletion) {
        throw new Error(
          `OpenRouter refused to delete workspace '${outputs.slug}' (403: ${error.apiMessage}). If it is the account's default workspace, ` +
            "set `allowDefaultWorkspaceDeletion: true` (and run `pulumi up` so it is stored): deleting it also disables the account's unscoped inference keys.",
        );
      }
      throw error;
    }
  },
});

/**
 * Diff form of one input. An unset input compares equal to OpenRouter's
 * default for it; `ioLoggingApiKeyIds: []` (log no key) stays different from
 * unset (log every key).
 */
function comparable(name: string, value: unknown): unknown {
  if (name === "ioLoggingApiKeyIds") return value === undefined || value === null ? undefined : value;
  return normalize(value ?? SERVER_DEFAULTS[name]);
}

/** The settings among `include`d inputs; an unset one is sent as the value that restores OpenRouter's default. */
function settingsBody(inputs: OpenRouterWorkspaceInputs, include: (field: keyof OpenRouterWorkspaceInputs & string) => boolean) {
  const body: Record<string, unknown> = {};
  const put = (field: keyof OpenRouterWorkspaceInputs & string, apiName: string, unset: unknown) => {
    if (include(field)) body[apiName] = inputs[field] ?? unset;
  };
  put("description", "description", null);
  put("defaultTextModel", "default_text_model", null);
  put("defaultImageModel", "default_image_model", null);
  put("defaultProviderSort", "default_provider_sort", null);
  put("ioLoggingApiKeyIds", "io_logging_api_key_ids", null);
  put("ioLoggingSamplingRate", "io_logging_sampling_rate", SERVER_DEFAULTS.ioLoggingSamplingRate);
  put("isDataDiscountLoggingEnabled", "is_data_discount_logging_enabled", false);
  put("isObservabilityBroadcastEnabled", "is_observability_broadcast_enabled", false);
  put("isObservabilityIoLoggingEnabled", "is_observability_io_logging_enabled", false);
  put("disabledServerTools", "disabled_server_tools", null);
  return body;
}

function workspacePath(idOrSlug: string): string {
  return `/workspaces/${encodeURIComponent(idOrSlug)}`;
}

async function getWorkspace(client: ApiClient, idOrSlug: string): Promise<WorkspaceJson | undefined> {
  return (await client.requestOrGone<{ data: WorkspaceJson }>({ method: "GET", path: workspacePath(idOrSlug) }))?.data;
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
    disabledServerTools: json.disabled_server_tools && json.disabled_server_tools.length > 0 ? [...json.disabled_server_tools] : undefined,
    allowDefaultWorkspaceDeletion: carried.allowDefaultWorkspaceDeletion,
    defaultGuardrailId: json.default_guardrail_id,
    includeByokInBudgets: json.include_byok_in_budgets,
    createdBy: json.created_by ?? undefined,
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
