/**
 * Portkey API key: `/api-keys`. The kind of key (type, sub-type), its
 * workspace and its user are fixed at creation and replace the key when they
 * change; everything else updates in place. The full secret exists only in
 * the create and rotate responses, so it is recorded as soon as it arrives
 * and carried forward by every later read.
 */
import { z } from "zod";
import { isForbidden, isGone, messageOf } from "../errors";
import { defineResource, deepEqual, normalize } from "../framework";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { portkeyClient, PORTKEY_SETTINGS, readBackAfterWrite, workspaceIdComparable } from "./common";
import { ApiRateLimit, ApiUsageLimit, listOrNull, RateLimit, rateLimitSchema, rateLimitsFromApi, rateLimitToApi, UsageLimit, usageLimitFromApi, usageLimitSchema, usageLimitsComparable, usageLimitToApi } from "./limits";
import { requireWorkspace } from "./api/workspaces";
import { knownPortkeyScopes } from "./scopes";

export interface RotationPolicy {
  rotationPeriod?: "weekly" | "monthly";
  rotationPeriodDays?: number;
  nextRotationAt?: string;
  keyTransitionPeriodMs?: number;
}

export interface ApiKeyInputs {
  [key: string]: unknown;
  type: "organisation" | "workspace";
  subType: "service" | "user";
  workspaceId?: string;
  userId?: string;
  name: string;
  description?: string;
  scopes: string[];
  allowUnknownScopes?: boolean;
  rateLimits?: RateLimit[];
  usageLimits?: UsageLimit;
  metadata?: Record<string, unknown>;
  configId?: string;
  allowConfigOverride?: boolean;
  alertEmails?: string[];
  expiresAt?: string;
  rotationPolicy?: RotationPolicy;
  resetUsage?: string | number;
  rotateWhen?: string | number;
  rotationTransitionPeriodMs?: number;
}

export interface ApiKeyOutputs extends ApiKeyInputs {
  apiKeyId: string;
  /** The full secret: a Pulumi secret (the SDK marks it). */
  key: string;
  maskedKey: string;
  /** False when Portkey rotated the key itself and `key` is no longer the live secret. */
  keyIsCurrent: boolean;
  keyTransitionExpiresAt?: string;
  resolvedWorkspaceId?: string;
  workspaceSlug?: string;
  organisationId?: string;
  status?: string;
  nextRotationAt?: string;
  lastRotatedAt?: string;
  nextUsageResetAt?: string;
  lastResetAt?: string;
  createdAt?: string;
  lastUpdatedAt?: string;
}

interface ApiKeyJson {
  id: string;
  key: string;
  name: string;
  description?: string | null;
  type: string;
  organisation_id?: string;
  workspace_id?: string | null;
  user_id?: string | null;
  status?: string;
  created_at?: string;
  last_updated_at?: string;
  last_reset_at?: string | null;
  rate_limits?: ApiRateLimit[] | null;
  usage_limits?: ApiUsageLimit | null;
  scopes?: string[];
  defaults?: { metadata?: Record<string, unknown> | null; config_id?: string | null } | null;
  allow_config_override?: number | boolean | null;
  alert_emails?: string[] | null;
  expires_at?: string | null;
  rotation_policy?: {
    rotation_period?: string | null;
    rotation_period_days?: number | null;
    next_rotation_at?: string | null;
    key_transition_period_ms?: number | null;
  } | null;
  /** Named by a live client; not in the spec. */
  last_rotated_at?: string | null;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const MIN_TRANSITION_MS = 1_800_000;

function timestamp() {
  return z.string().regex(RFC3339, "must be an RFC 3339 timestamp such as 2027-01-31T00:00:00Z");
}

export function apiKeyInputSchema() {
  const trigger = z.union([z.string(), z.number()]).optional();
  return z
    .object({
      type: z.enum(["organisation", "workspace"]),
      subType: z.enum(["service", "user"]),
      workspaceId: z.string().min(1).optional(),
      userId: z.string().min(1).optional(),
      name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
      description: z.string().max(200, "must be at most 200 characters").optional(),
      scopes: z.array(z.string().min(1)).min(1, "must list at least one scope"),
      allowUnknownScopes: z.boolean().optional(),
      rateLimits: z.array(rateLimitSchema(["rpd", "rph", "rpm", "rps", "rpw"], 0)).optional(),
      usageLimits: usageLimitSchema({ wholeAmounts: false, alertNotAboveLimit: true }).optional(),
      metadata: z.record(z.string(), z.json()).optional(),
      configId: z.string().min(1).optional(),
      allowConfigOverride: z.boolean().optional(),
      alertEmails: z.array(z.email("must be an email address")).optional(),
      expiresAt: timestamp().optional(),
      rotationPolicy: z
        .object({
          rotationPeriod: z.enum(["weekly", "monthly"]).optional(),
          rotationPeriodDays: z.number().int().min(1).max(365).optional(),
          nextRotationAt: timestamp().optional(),
          keyTransitionPeriodMs: z.number().int().min(MIN_TRANSITION_MS, `must be at least ${MIN_TRANSITION_MS} (30 minutes)`).optional(),
        })
        .strict()
        .optional(),
      resetUsage: trigger,
      rotateWhen: trigger,
      rotationTransitionPeriodMs: z.number().int().min(MIN_TRANSITION_MS, `must be at least ${MIN_TRANSITION_MS} (30 minutes)`).optional(),
    })
    .strict()
    .superRefine((key, issues) => {
      const issue = (path: (string | number)[], message: string) => issues.addIssue({ code: "custom", path, message });
      if (key.type === "workspace" && !key.workspaceId) issue(["workspaceId"], "is required for workspace keys");
      if (key.type === "organisation" && key.workspaceId) issue(["workspaceId"], "must not be set for organisation keys");
      if (key.type === "organisation" && key.subType === "user") issue(["subType"], "organisation keys can only be service keys");
      if (key.subType === "user" && !key.userId) issue(["userId"], "is required for user keys");
      if (key.subType === "service" && key.userId) issue(["userId"], "is only for user keys");
      if (key.allowConfigOverride !== undefined && !key.configId) issue(["allowConfigOverride"], "needs configId");
      const policy = key.rotationPolicy;
      if (policy) {
        const periodic = policy.rotationPeriod !== undefined || policy.rotationPeriodDays !== undefined;
        if (policy.rotationPeriod !== undefined && policy.rotationPeriodDays !== undefined) {
          issue(["rotationPolicy", "rotationPeriodDays"], "set either rotationPeriod or rotationPeriodDays, not both");
        }
        if (periodic && policy.nextRotationAt !== undefined) {
          issue(["rotationPolicy", "nextRotationAt"], "set either a period (rotationPeriod or rotationPeriodDays) or nextRotationAt, not both");
        }
        if (!periodic && policy.nextRotationAt === undefined) issue(["rotationPolicy"], "needs rotationPeriod, rotationPeriodDays or nextRotationAt");
      }
      if (!key.allowUnknownScopes) {
        const known = knownPortkeyScopes();
        key.scopes.forEach((scope, i) => {
          if (!known.has(scope)) issue(["scopes", i], `'${scope}' is not a known Portkey scope (set allowUnknownScopes: true if it is new)`);
        });
      }
    });
}

export const apiKeyProvider = defineResource<ApiKeyInputs, ApiKeyOutputs>({
  kind: "portkey:ApiKey",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputSchema: apiKeyInputSchema,
  replaceOnChange: ["type", "subType", "workspaceId", "userId"],

  validate(inputs, olds) {
    const failures: { property: string; reason: string }[] = [];
    const future = (value: string | undefined, old: string | undefined, property: string, label: string) => {
      if (value && value !== old && Date.parse(value) <= Date.now()) failures.push({ property, reason: `${label}: must be in the future` });
    };
    future(inputs.expiresAt, olds.expiresAt, "expiresAt", "expiresAt");
    future(inputs.rotationPolicy?.nextRotationAt, olds.rotationPolicy?.nextRotationAt, "rotationPolicy", "rotationPolicy.nextRotationAt");
    return failures;
  },

  comparable: (name, value, _side, olds) => comparable(name, value, olds),

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = inputs.workspaceId ? await requireWorkspace(client, ctx, inputs.workspaceId) : undefined;
    const defaults = defaultsBody(inputs);
    const body = {
      name: inputs.name,
      description: inputs.description,
      workspace_id: inputs.workspaceId,
      user_id: inputs.userId,
      scopes: inputs.scopes,
      rate_limits: inputs.rateLimits?.map(rateLimitToApi),
      usage_limits: inputs.usageLimits ? usageLimitToApi(inputs.usageLimits) : undefined,
      defaults: Object.keys(defaults).length > 0 ? defaults : undefined,
      alert_emails: inputs.alertEmails,
      expires_at: inputs.expiresAt,
      rotation_policy: inputs.rotationPolicy ? rotationPolicyBody(inputs.rotationPolicy) : undefined,
    };
    const created = await createWithRecovery(ctx, {
      what: `Portkey API key '${inputs.name}'`,
      naturalKey: `portkey:ApiKey:${workspace?.id ?? "organisation"}:${inputs.name}`,
      post: () => client.request<{ id: string; key: string }>({ method: "POST", path: `/api-keys/${inputs.type}/${inputs.subType}`, body }),
      idOf: (key) => key.id,
      async findCandidates() {
        const { keys, serverTime } = await listKeysNamed(client, inputs.name, workspace?.id);
        return { candidates: keys.map((k) => ({ id: k.id, createdAt: k.created_at })), serverTime };
      },
      recover: {
        why: "its secret was only in the lost response, so no one can use it",
        discard: async (orphan) => {
          await client.requestOrGone({ method: "DELETE", path: keyPath(orphan.id) });
        },
      },
      cleanup: "delete it in the Portkey UI under API keys, or with DELETE /api-keys/{id}",
    });
    const known = {
      ...inputs,
      apiKeyId: created.id,
      key: created.key,
      maskedKey: mask(created.key),
      keyIsCurrent: true,
      resolvedWorkspaceId: workspace?.id,
      workspaceSlug: workspace?.slug,
    };
    ctx.created(created.id, known);
    const clientWithSecret = portkeyClient(ctx, [created.key]);
    return { id: created.id, outputs: await readConsistent(clientWithSecret, created.id, inputs, known) };
  },

  async read(id, outputs, ctx) {
    const json = await getKey(portkeyClient(ctx, [outputs.key]), id);
    if (!json) return undefined;
    const refreshed = toOutputs(json, outputs, outputs);
    if (outputs.keyIsCurrent !== false && !refreshed.keyIsCurrent) {
      ctx.warn(
        `Portkey rotated API key '${refreshed.name}' (${id}) itself (rotation policy), so the stored \`key\` output is stale. ` +
          "Change `rotateWhen` to rotate it through Pulumi and store the new secret, or fetch the new secret from Portkey.",
      );
    }
    return { outputs: refreshed, inputs: inputsOf(refreshed) };
  },

  async update(id, olds, news, ctx) {
    const client = portkeyClient(ctx, [olds.key]);
    const changed = (field: keyof ApiKeyInputs & string) => !deepEqual(comparable(field, olds[field], olds), comparable(field, news[field], olds));
    // Only what changed: re-sending rotation_policy or expires_at restarts Portkey's clocks and may trip org policies.
    const body: Record<string, unknown> = {};
    if (changed("name")) body.name = news.name;
    if (changed("description")) body.description = news.description ?? "";
    if (changed("scopes")) body.scopes = news.scopes;
    if (changed("rateLimits")) body.rate_limits = listOrNull(news.rateLimits, rateLimitToApi);
    if (changed("usageLimits")) body.usage_limits = news.usageLimits ? usageLimitToApi(news.usageLimits) : null;
    if (changed("metadata") || changed("configId") || changed("allowConfigOverride")) body.defaults = defaultsBody(news, true);
    if (changed("alertEmails")) body.alert_emails = news.alertEmails && news.alertEmails.length > 0 ? news.alertEmails : null;
    if (changed("expiresAt")) body.expires_at = news.expiresAt ?? null;
    if (changed("rotationPolicy")) body.rotation_policy = news.rotationPolicy ? rotationPolicyBody(news.rotationPolicy) : null;
    if (changed("resetUsage") && news.resetUsage !== undefined) body.reset_usage = true;
    if (Object.keys(body).length > 0) await client.request({ method: "PUT", path: keyPath(id), body });
    let secret = { key: olds.key, keyTransitionExpiresAt: olds.keyTransitionExpiresAt, keyIsCurrent: olds.keyIsCurrent };
    if (changed("rotateWhen") && news.rotateWhen !== undefined) {
      const rotated = await rotate(client, id, news, olds);
      secret = { key: rotated.key, keyTransitionExpiresAt: rotated.key_transition_expires_at, keyIsCurrent: true };
      // The new secret exists only in memory now: never fail after this point.
      try {
        return await readConsistent(portkeyClient(ctx, [rotated.key]), id, news, { ...olds, ...news, ...secret });
      } catch (error) {
        ctx.warn(`the key was rotated but could not be read back (${messageOf(error)}); run \`pulumi refresh\`.`);
        const { apiKeyId, resolvedWorkspaceId, workspaceSlug, organisationId, createdAt } = olds;
        return { ...news, apiKeyId, resolvedWorkspaceId, workspaceSlug, organisationId, createdAt, ...secret, maskedKey: mask(rotated.key) };
      }
    }
    return readConsistent(client, id, news, { ...olds, ...news, ...secret });
  },

  async delete(id, outputs, ctx) {
    try {
      await portkeyClient(ctx, [outputs.key]).request({ method: "DELETE", path: keyPath(id) });
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  },
});

/** Diff form of one input; the same on both sides. */
function comparable(name: string, value: unknown, olds: Record<string, unknown>): unknown {
  if (name === "workspaceId") return workspaceIdComparable(value, olds);
  if (name === "scopes" && Array.isArray(value)) return [...value].sort();
  if (name === "allowUnknownScopes") return undefined;
  if (name === "usageLimits") return usageLimitsComparable(value);
  // Portkey's default is to allow overrides, so unset and true are the same.
  if (name === "allowConfigOverride") return value ?? true;
  return normalize(value);
}

function keyPath(id: string): string {
  return `/api-keys/${encodeURIComponent(id)}`;
}

/** Keys named exactly `name` in the workspace (or the organisation), with the server's clock. */
async function listKeysNamed(client: ApiClient, name: string, workspaceUuid: string | undefined): Promise<{ keys: ApiKeyJson[]; serverTime?: number }> {
  const keys: ApiKeyJson[] = [];
  let serverTime: number | undefined;
  for (let page = 0; ; page++) {
    const answer = await client.requestWithServerTime<{ data?: ApiKeyJson[] }>({
      method: "GET",
      path: "/api-keys",
      query: { workspace_id: workspaceUuid, page_size: 100, current_page: page },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body.data ?? [];
    keys.push(...data.filter((k) => k.name === name && (workspaceUuid ? k.workspace_id === workspaceUuid : !k.workspace_id)));
    if (data.length < 100) return { keys, serverTime };
  }
}

function getKey(client: ApiClient, id: string): Promise<ApiKeyJson | undefined> {
  return client.requestOrGone<ApiKeyJson>({ method: "GET", path: keyPath(id) });
}

async function rotate(client: ApiClient, id: string, news: ApiKeyInputs, olds: ApiKeyOutputs) {
  try {
    return await client.request<{ id: string; key: string; key_transition_expires_at?: string }>({
      method: "POST",
      path: `/api-keys/${encodeURIComponent(id)}/rotate`,
      body: news.rotationTransitionPeriodMs ? { key_transition_period_ms: news.rotationTransitionPeriodMs } : {},
    });
  } catch (error) {
    if (isForbidden(error)) {
      const scope = `${olds.type}_${olds.subType}_api_keys`;
      throw new Error(
        `Portkey refused to rotate API key '${olds.name}' (403${error.code ? ` ${error.code}` : ""}): the admin key needs the scope ` +
          `${scope}.rotate (older Portkey versions check ${scope}.update; grant both to be safe). ${error.apiMessage}`,
      );
    }
    throw error;
  }
}

/** The key as read back after a write (see readBackAfterWrite). */
function readConsistent(client: ApiClient, id: string, written: ApiKeyInputs, carried: Partial<ApiKeyOutputs>): Promise<ApiKeyOutputs> {
  return readBackAfterWrite(
    async () => {
      const json = await getKey(client, id);
      return json && toOutputs(json, carried, written);
    },
    { usageLimits: written.usageLimits, rateLimits: written.rateLimits },
    () => new Error(`API key ${id} disappeared right after it was written`),
  );
}

/**
 * Outputs from the API's answer. Create-only inputs keep the user's spelling
 * (the API answers a slug with the UUID); the secret and the triggers are
 * carried from what was stored, since the API never returns them.
 */
function toOutputs(json: ApiKeyJson, carried: Partial<ApiKeyOutputs>, intent: Partial<ApiKeyInputs>): ApiKeyOutputs {
  const key = carried.key ?? "";
  const metadata = json.defaults?.metadata ?? {};
  const allow = json.allow_config_override;
  const policy = json.rotation_policy;
  const configId = json.defaults?.config_id ?? undefined;
  const masked = json.key;
  return {
    type: (carried.type ?? json.type.split("-")[0]) as ApiKeyInputs["type"],
    subType: (carried.subType ?? json.type.split("-")[1]) as ApiKeyInputs["subType"],
    workspaceId: carried.workspaceId ?? json.workspace_id ?? undefined,
    userId: carried.userId ?? json.user_id ?? undefined,
    name: json.name,
    description: json.description || undefined,
    scopes: json.scopes ?? [],
    allowUnknownScopes: intent.allowUnknownScopes,
    rateLimits: rateLimitsFromApi(json.rate_limits),
    usageLimits: usageLimitFromApi(json.usage_limits),
    // Values keep their JSON types: a number stays a number.
    metadata: Object.keys(metadata).length > 0 ? { ...metadata } : undefined,
    configId,
    // The API answers 0/1/null; it only means something with a config.
    allowConfigOverride: !configId || allow === null || allow === undefined ? undefined : allow === 1 || allow === true,
    alertEmails: nonEmpty(json.alert_emails ?? []),
    expiresAt: json.expires_at ? sameInstant(json.expires_at, intent.expiresAt) : undefined,
    rotationPolicy: rotationPolicyFromApi(policy, intent.rotationPolicy),
    resetUsage: intent.resetUsage,
    rotateWhen: intent.rotateWhen,
    rotationTransitionPeriodMs: intent.rotationTransitionPeriodMs,
    apiKeyId: json.id,
    key,
    maskedKey: masked,
    keyIsCurrent: key !== "" && sameMask(masked, key),
    keyTransitionExpiresAt: carried.keyTransitionExpiresAt,
    resolvedWorkspaceId: json.workspace_id ?? undefined,
    workspaceSlug: carried.workspaceSlug,
    organisationId: json.organisation_id,
    status: json.status,
    nextRotationAt: policy?.next_rotation_at ?? undefined,
    lastRotatedAt: json.last_rotated_at ?? undefined,
    nextUsageResetAt: json.usage_limits?.next_usage_reset_at ?? undefined,
    lastResetAt: json.last_reset_at ?? undefined,
    createdAt: json.created_at,
    lastUpdatedAt: json.last_updated_at,
  };
}

function inputsOf(outputs: ApiKeyOutputs): ApiKeyInputs {
  const names = Object.keys(apiKeyInputSchema().shape) as (keyof ApiKeyInputs)[];
  return Object.fromEntries(names.map((name) => [name, outputs[name]])) as ApiKeyInputs;
}

/**
 * The key's `defaults`: on create only what is declared; on update (`whole`)
 * the declared state of all three, since any of them changed and the API's
 * merge rules for `defaults` are not documented. An unset override goes back
 * to Portkey's default, allowed.
 */
function defaultsBody(inputs: ApiKeyInputs, whole = false): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  if (inputs.metadata !== undefined || whole) defaults.metadata = inputs.metadata ?? {};
  if (inputs.configId !== undefined || whole) defaults.config_id = inputs.configId ?? null;
  if (inputs.configId && (inputs.allowConfigOverride !== undefined || whole)) defaults.allow_config_override = inputs.allowConfigOverride ?? true;
  return defaults;
}

/** Only the declared parts: a one-shot policy carries no `rotation_period` at all. */
function rotationPolicyBody(policy: RotationPolicy): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (policy.rotationPeriod !== undefined) body.rotation_period = policy.rotationPeriod;
  if (policy.rotationPeriodDays !== undefined) body.rotation_period_days = policy.rotationPeriodDays;
  if (policy.nextRotationAt !== undefined) body.next_rotation_at = policy.nextRotationAt;
  if (policy.keyTransitionPeriodMs !== undefined) body.key_transition_period_ms = policy.keyTransitionPeriodMs;
  return body;
}

/**
 * The rotation policy as an input. With a period the server computes the next
 * rotation (an output then, not an input). A one-shot rotation the server has
 * already done reads as what was declared, so it is neither a change nor
 * refused as a date in the past.
 */
function rotationPolicyFromApi(policy: ApiKeyJson["rotation_policy"], intended: RotationPolicy | undefined): RotationPolicy | undefined {
  const oneShot = intended?.nextRotationAt && !intended.rotationPeriod && !intended.rotationPeriodDays ? intended : undefined;
  const periodic = policy?.rotation_period || policy?.rotation_period_days;
  if (!periodic && !policy?.next_rotation_at) {
    return oneShot && Date.parse(oneShot.nextRotationAt!) <= Date.now() ? oneShot : undefined;
  }
  return normalize({
    rotationPeriod: policy?.rotation_period ?? undefined,
    rotationPeriodDays: policy?.rotation_period_days ?? undefined,
    nextRotationAt: periodic ? undefined : sameInstant(policy?.next_rotation_at ?? undefined, intended?.nextRotationAt),
    keyTransitionPeriodMs: policy?.key_transition_period_ms ?? undefined,
  }) as RotationPolicy;
}

/** Portkey masks a secret as its first two characters, asterisks and its last two. */
function mask(secret: string): string {
  return `${secret.slice(0, 2)}*******${secret.slice(-2)}`;
}

function sameMask(masked: string | undefined, secret: string): boolean {
  if (!masked) return true;
  const [head, tail] = [masked.replace(/\*.*$/, ""), masked.replace(/^.*\*/, "")];
  return secret.startsWith(head) && secret.endsWith(tail);
}

/** Keeps the user's spelling of a timestamp when the API reports the same instant differently. */
function sameInstant(reported: string | undefined, intended: string | undefined): string | undefined {
  if (!reported) return undefined;
  return intended && Date.parse(intended) === Date.parse(reported) ? intended : reported;
}

function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}
