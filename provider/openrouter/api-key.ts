/**
 * OpenRouter API key: `/keys`. Identified by its hash. The plaintext key is
 * returned only by the create call: it is recorded at once and carried forward
 * by every read. `workspaceId` and `expiresAt` are fixed at creation and
 * replace the key; `disabled` can only be set by a PATCH, so it is applied
 * right after the create.
 */
import { z } from "zod";
import { ApiError, isGone } from "../errors";
import { defineResource, LifecycleContext, normalize, sleep } from "../framework";
import { ApiClient } from "../http";
import { openrouterClient } from "./common";

export interface OpenRouterApiKeyInputs {
  [key: string]: unknown;
  name: string;
  limit?: number;
  limitReset?: "daily" | "weekly" | "monthly";
  includeByokInLimit?: boolean;
  disabled?: boolean;
  expiresAt?: string;
  workspaceId?: string;
}

export interface OpenRouterApiKeyOutputs extends OpenRouterApiKeyInputs {
  hash: string;
  /** The plaintext key: a Pulumi secret (the SDK marks it). */
  key: string;
  label?: string;
  limitRemaining?: number;
  usage?: number;
  resolvedWorkspaceId?: string;
  createdAt?: string;
  updatedAt?: string;
}

interface KeyJson {
  hash: string;
  name: string;
  label?: string;
  disabled?: boolean;
  limit?: number | null;
  limit_remaining?: number | null;
  limit_reset?: string | null;
  include_byok_in_limit?: boolean;
  usage?: number;
  expires_at?: string | null;
  workspace_id?: string;
  created_at?: string;
  updated_at?: string | null;
}

const UTC_WITH_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function openrouterApiKeyInputSchema() {
  return z
    .object({
      name: z.string().min(1, "must not be empty"),
      limit: z.number().min(0, "must be >= 0 (dollars)").optional(),
      limitReset: z.enum(["daily", "weekly", "monthly"]).optional(),
      includeByokInLimit: z.boolean().optional(),
      disabled: z.boolean().optional(),
      expiresAt: z.string().regex(UTC_WITH_SECONDS, "must be UTC with seconds, e.g. 2027-01-31T00:00:00Z").optional(),
      workspaceId: z.uuid("must be the workspace's UUID").optional(),
    })
    .strict();
}

const SERVER_DEFAULTS: Record<string, unknown> = { includeByokInLimit: false, disabled: false };

export const openrouterApiKeyProvider = defineResource<OpenRouterApiKeyInputs, OpenRouterApiKeyOutputs>({
  kind: "openrouter:ApiKey",
  inputSchema: openrouterApiKeyInputSchema,
  replaceOnChange: ["workspaceId", "expiresAt"],

  validate(inputs, olds) {
    if (inputs.expiresAt && inputs.expiresAt !== olds.expiresAt && Date.parse(inputs.expiresAt) <= Date.now()) {
      return [{ property: "expiresAt", reason: "expiresAt: must be in the future" }];
    }
    return [];
  },

  comparable(name, value) {
    return normalize(value ?? SERVER_DEFAULTS[name]);
  },

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const created = await createOnce(client, inputs, ctx);
    const known = { ...inputs, hash: created.data.hash, key: created.key, resolvedWorkspaceId: created.data.workspace_id };
    ctx.created(created.data.hash, known);
    let json = created.data;
    if (inputs.disabled) json = await patch(secretSafeClient(ctx, created.key), created.data.hash, { disabled: true });
    return { id: created.data.hash, outputs: toOutputs(json, known) };
  },

  async read(id, outputs, ctx) {
    const json = await getKey(secretSafeClient(ctx, outputs.key), id);
    if (!json) return undefined;
    const refreshed = toOutputs(json, outputs);
    return { outputs: refreshed, inputs: inputsOf(refreshed) };
  },

  async update(id, olds, news, ctx) {
    const json = await patch(secretSafeClient(ctx, olds.key), id, {
      name: news.name,
      disabled: news.disabled ?? false,
      limit: news.limit ?? null,
      limit_reset: news.limitReset ?? null,
      include_byok_in_limit: news.includeByokInLimit ?? false,
    });
    return toOutputs(json, { ...news, key: olds.key, hash: olds.hash, resolvedWorkspaceId: olds.resolvedWorkspaceId });
  },

  async delete(id, outputs, ctx) {
    try {
      await secretSafeClient(ctx, outputs.key).request({ method: "DELETE", path: `/keys/${encodeURIComponent(id)}` });
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  },
});

/** A client that also keeps the managed key's own secret out of every message. */
function secretSafeClient(ctx: LifecycleContext, secret: string | undefined): ApiClient {
  return openrouterClient(ctx, secret ? [secret] : []);
}

/**
 * POST is not retried blindly. After an unclear failure, a key with this name
 * that did not exist before is ours, but its secret was in the lost response:
 * it is deleted and the key created again, so nothing unusable is left behind.
 */
async function createOnce(client: ApiClient, inputs: OpenRouterApiKeyInputs, ctx: LifecycleContext): Promise<{ data: KeyJson; key: string }> {
  const before = new Set((await listByName(client, inputs.name, inputs.workspaceId)).map((k) => k.hash));
  const body = {
    name: inputs.name,
    limit: inputs.limit,
    limit_reset: inputs.limitReset,
    include_byok_in_limit: inputs.includeByokInLimit,
    expires_at: inputs.expiresAt,
    workspace_id: inputs.workspaceId,
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.request<{ data: KeyJson; key: string }>({ method: "POST", path: "/keys", body });
    } catch (error) {
      const unclear = error instanceof ApiError && (error.status === 0 || error.status >= 500 || error.status === 429);
      if (!unclear || attempt >= 3) throw error;
      for (const orphan of (await listByName(client, inputs.name, inputs.workspaceId)).filter((k) => !before.has(k.hash))) {
        await client.request({ method: "DELETE", path: `/keys/${orphan.hash}` }).catch(() => undefined);
        ctx.warn(`the create call for key '${inputs.name}' lost its response after creating it; its secret was unrecoverable, so it was deleted and the key is created again.`);
      }
      await sleep(error.status === 429 ? 1000 * attempt : 250 * attempt);
    }
  }
}

async function listByName(client: ApiClient, name: string, workspaceId: string | undefined): Promise<KeyJson[]> {
  const found: KeyJson[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await client.request<{ data?: KeyJson[] }>({
      method: "GET",
      path: "/keys",
      query: { include_disabled: "true", offset, workspace_id: workspaceId },
    });
    const data = page.data ?? [];
    found.push(...data.filter((k) => k.name === name));
    if (data.length < 100) return found;
  }
}

async function getKey(client: ApiClient, hash: string): Promise<KeyJson | undefined> {
  return (await client.requestOrGone<{ data: KeyJson }>({ method: "GET", path: `/keys/${encodeURIComponent(hash)}` }))?.data;
}

async function patch(client: ApiClient, hash: string, body: object): Promise<KeyJson> {
  return (await client.request<{ data: KeyJson }>({ method: "PATCH", path: `/keys/${encodeURIComponent(hash)}`, body })).data;
}

/** Outputs from the API's answer; the secret and create-only inputs are carried. */
function toOutputs(json: KeyJson, carried: Partial<OpenRouterApiKeyOutputs>): OpenRouterApiKeyOutputs {
  return {
    name: json.name,
    limit: json.limit ?? undefined,
    limitReset: (json.limit_reset ?? undefined) as OpenRouterApiKeyInputs["limitReset"],
    includeByokInLimit: json.include_byok_in_limit,
    disabled: json.disabled,
    expiresAt: carried.expiresAt && json.expires_at && Date.parse(carried.expiresAt) === Date.parse(json.expires_at) ? carried.expiresAt : (json.expires_at ?? undefined),
    workspaceId: carried.workspaceId,
    hash: json.hash,
    key: carried.key ?? "",
    label: json.label,
    limitRemaining: json.limit_remaining ?? undefined,
    usage: json.usage,
    resolvedWorkspaceId: json.workspace_id ?? carried.resolvedWorkspaceId,
    createdAt: json.created_at,
    updatedAt: json.updated_at ?? undefined,
  };
}

function inputsOf(outputs: OpenRouterApiKeyOutputs): OpenRouterApiKeyInputs {
  const names = Object.keys(openrouterApiKeyInputSchema().shape) as (keyof OpenRouterApiKeyInputs)[];
  return Object.fromEntries(names.map((name) => [name, outputs[name]])) as OpenRouterApiKeyInputs;
}
