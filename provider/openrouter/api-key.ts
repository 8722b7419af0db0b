/**
 * OpenRouter API key: `/keys`. Identified by its hash. The plaintext key is
 * returned only by the create call: it is recorded at once and carried forward
 * by every read. `workspaceId` and `expiresAt` are fixed at creation and
 * replace the key; `disabled` can only be set by a PATCH, so it is applied
 * right after the create.
 */
import { z } from "zod";
import { isGone } from "../errors";
import { defineResource, deepEqual, LifecycleContext, normalize } from "../framework";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { OPENROUTER_SETTINGS, openrouterClient } from "./common";

export interface OpenRouterApiKeyInputs {
  [key: string]: unknown;
  name: string;
  limit?: number;
  limitReset?: "daily" | "weekly" | "monthly";
  includeByokInLimit?: boolean;
  disabled?: boolean;
  expiresAt?: string;
  workspaceId?: string;
  creatorUserId?: string;
  externalUser?: string;
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
  creator_user_id?: string | null;
  external_user?: string | null;
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
      creatorUserId: z.string().min(1).optional(),
      externalUser: z.string().min(1).optional(),
    })
    .strict();
}

const SERVER_DEFAULTS: Record<string, unknown> = { includeByokInLimit: false, disabled: false };

export const openrouterApiKeyProvider = defineResource<OpenRouterApiKeyInputs, OpenRouterApiKeyOutputs>({
  kind: "openrouter:ApiKey",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputSchema: openrouterApiKeyInputSchema,
  replaceOnChange: ["workspaceId", "expiresAt", "creatorUserId", "externalUser"],

  validate(inputs, olds) {
    if (inputs.expiresAt && inputs.expiresAt !== olds.expiresAt && Date.parse(inputs.expiresAt) <= Date.now()) {
      return [{ property: "expiresAt", reason: "expiresAt: must be in the future" }];
    }
    return [];
  },

  comparable: (name, value) => comparable(name, value),

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const body = {
      name: inputs.name,
      limit: inputs.limit,
      limit_reset: inputs.limitReset,
      include_byok_in_limit: inputs.includeByokInLimit,
      expires_at: inputs.expiresAt,
      workspace_id: inputs.workspaceId,
      creator_user_id: inputs.creatorUserId,
      external: inputs.externalUser ? { user: inputs.externalUser } : undefined,
    };
    const created = await createWithRecovery(ctx, {
      what: `OpenRouter key '${inputs.name}'`,
      naturalKey: `openrouter:ApiKey:${inputs.workspaceId ?? "default"}:${inputs.name}`,
      post: () => client.request<{ data: KeyJson; key: string }>({ method: "POST", path: "/keys", body }),
      idOf: (key) => key.data.hash,
      async findCandidates() {
        const { keys, serverTime } = await listKeysNamed(client, inputs.name, inputs.workspaceId);
        return { candidates: keys.map((k) => ({ id: k.hash, createdAt: k.created_at })), serverTime };
      },
      recover: {
        why: "its secret was only in the lost response, so no one can use it",
        discard: async (orphan) => {
          await client.requestOrGone({ method: "DELETE", path: keyPath(orphan.id) });
        },
      },
      cleanup: "delete it in the OpenRouter dashboard under API keys, or with DELETE /keys/{hash}",
    });
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
    const changed = (field: keyof OpenRouterApiKeyInputs & string) => !deepEqual(comparable(field, olds[field]), comparable(field, news[field]));
    // Only what changed; an unset field goes back to OpenRouter's default.
    const body: Record<string, unknown> = {};
    if (changed("name")) body.name = news.name;
    if (changed("disabled")) body.disabled = news.disabled ?? false;
    if (changed("limit")) body.limit = news.limit ?? null;
    if (changed("limitReset")) body.limit_reset = news.limitReset ?? null;
    if (changed("includeByokInLimit")) body.include_byok_in_limit = news.includeByokInLimit ?? false;
    const client = secretSafeClient(ctx, olds.key);
    const json = Object.keys(body).length > 0 ? await patch(client, id, body) : await getKey(client, id);
    if (!json) throw new Error(`key ${id} does not exist (or was deleted); run \`pulumi refresh\`.`);
    return toOutputs(json, { ...news, key: olds.key, hash: olds.hash, resolvedWorkspaceId: olds.resolvedWorkspaceId });
  },

  async delete(id, outputs, ctx) {
    try {
      await secretSafeClient(ctx, outputs.key).request({ method: "DELETE", path: keyPath(id) });
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  },
});

/** A client that also keeps the managed key's own secret out of every message. */
function secretSafeClient(ctx: LifecycleContext, secret: string | undefined): ApiClient {
  return openrouterClient(ctx, secret ? [secret] : []);
}

/** Diff form of one input: an unset input equals OpenRouter's default for it. */
function comparable(name: string, value: unknown): unknown {
  return normalize(value ?? SERVER_DEFAULTS[name]);
}

function keyPath(hash: string): string {
  return `/keys/${encodeURIComponent(hash)}`;
}

/** Keys named exactly `name` (disabled ones included) in the workspace, with the server's clock. */
async function listKeysNamed(client: ApiClient, name: string, workspaceId: string | undefined): Promise<{ keys: KeyJson[]; serverTime?: number }> {
  const keys: KeyJson[] = [];
  let serverTime: number | undefined;
  for (let offset = 0; ; offset += 100) {
    const answer = await client.requestWithServerTime<{ data?: KeyJson[] }>({
      method: "GET",
      path: "/keys",
      query: { include_disabled: "true", offset, workspace_id: workspaceId },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body.data ?? [];
    keys.push(...data.filter((k) => k.name === name));
    if (data.length < 100) return { keys, serverTime };
  }
}

async function getKey(client: ApiClient, hash: string): Promise<KeyJson | undefined> {
  return (await client.requestOrGone<{ data: KeyJson }>({ method: "GET", path: keyPath(hash) }))?.data;
}

async function patch(client: ApiClient, hash: string, body: object): Promise<KeyJson> {
  return (await client.request<{ data: KeyJson }>({ method: "PATCH", path: keyPath(hash), body })).data;
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
    // Create-only inputs keep what was declared (the server may fill its own value, which must not read as a change).
    creatorUserId: carried.creatorUserId,
    externalUser: carried.externalUser,
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
