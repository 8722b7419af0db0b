/**
 * Portkey API key: `/api-keys`. The kind of key (type, sub-type), its
 * workspace and its user are fixed at creation and replace the key when they
 * change; everything else updates in place. The full secret exists only in
 * the create and rotate responses, so it is recorded as soon as it arrives
 * and carried forward by every later read.
 */
import { z } from "zod";
import { ApiError, isGone } from "../errors";
import { defineResource, deepEqual, LifecycleContext, normalize, sleep } from "../framework";
import { ApiClient } from "../http";
import {
  listOrNull,
  portkeyClient,
  RateLimit,
  rateLimitFromApi,
  rateLimitSchema,
  rateLimitToApi,
  readBackAfterWrite,
  UsageLimit,
  usageLimitFromApi,
  usageLimitSchema,
  usageLimitToApi,
  workspaceIdComparable,
} from "./common";
import { knownPortkeyScopes } from "./scopes";

export interface RotationPolicy {
  rotationPeriod?: "weekly" | "monthly";
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
  metadata?: Record<string, string>;
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
  rate_limits?: Parameters<typeof rateLimitFromApi>[0][] | null;
  usage_limits?: Parameters<typeof usageLimitFromApi>[0] | null;
  scopes?: string[];
  defaults?: { metadata?: Record<string, unknown> | null; config_id?: string | null } | null;
  allow_config_override?: number | boolean | null;
  alert_emails?: string[] | null;
  expires_at?: string | null;
  rotation_policy?: { rotation_period?: string | null; next_rotation_at?: string | null; key_transition_period_ms?: number | null } | null;
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
      rateLimits: z.array(rateLimitSchema(["rpd", "rph", "rpm", "rps", "rpw"])).optional(),
      usageLimits: usageLimitSchema().optional(),
      metadata: z.record(z.string(), z.string()).optional(),
      configId: z.string().min(1).optional(),
      allowConfigOverride: z.boolean().optional(),
      alertEmails: z.array(z.email("must be an email address")).optional(),
      expiresAt: timestamp().optional(),
      rotationPolicy: z
        .object({
          rotationPeriod: z.enum(["weekly", "monthly"]).optional(),
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
      if (policy && policy.rotationPeriod && policy.nextRotationAt) {
        issue(["rotationPolicy", "nextRotationAt"], "set either rotationPeriod or nextRotationAt, not both");
      }
      if (policy && !policy.rotationPeriod && !policy.nextRotationAt) issue(["rotationPolicy"], "needs rotationPeriod or nextRotationAt");
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

  comparable(name, value, _side, olds) {
    if (name === "workspaceId") return workspaceIdComparable(value, olds);
    if (name === "scopes" && Array.isArray(value)) return [...value].sort();
    if (name === "allowUnknownScopes") return undefined;
    return normalize(value);
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = inputs.workspaceId ? await resolveWorkspace(client, inputs.workspaceId) : undefined;
    const body = {
      name: inputs.name,
      description: inputs.description,
      workspace_id: inputs.workspaceId,
      user_id: inputs.userId,
      scopes: inputs.scopes,
      rate_limits: inputs.rateLimits?.map(rateLimitToApi),
      usage_limits: inputs.usageLimits ? usageLimitToApi(inputs.usageLimits) : undefined,
      defaults: defaultsBody(inputs, false),
      alert_emails: inputs.alertEmails,
      expires_at: inputs.expiresAt,
      rotation_policy: rotationPolicyBody(inputs.rotationPolicy),
    };
    const created = await createOnce(client, inputs, workspace?.id, body, ctx);
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
    const changed = (field: keyof ApiKeyInputs) => !deepEqual(normalize(olds[field]), normalize(news[field]));
    const remoteFields: (keyof ApiKeyInputs)[] = [
      "name", "description", "scopes", "rateLimits", "usageLimits", "metadata", "configId", "allowConfigOverride", "alertEmails", "expiresAt", "rotationPolicy",
    ];
    const resetUsage = changed("resetUsage") && news.resetUsage !== undefined;
    if (remoteFields.some(changed) || resetUsage) {
      await client.request({
        method: "PUT",
        path: `/api-keys/${encodeURIComponent(id)}`,
        body: {
          name: news.name,
          description: news.description ?? "",
          scopes: news.scopes,
          rate_limits: listOrNull(news.rateLimits, rateLimitToApi),
          usage_limits: news.usageLimits ? usageLimitToApi(news.usageLimits) : null,
          defaults: defaultsBody(news, true),
          alert_emails: news.alertEmails && news.alertEmails.length > 0 ? news.alertEmails : null,
          expires_at: news.expiresAt ?? null,
          rotation_policy: rotationPolicyBody(news.rotationPolicy) ?? null,
          ...(resetUsage ? { reset_usage: true } : {}),
        },
      });
    }
    let secret = { key: olds.key, keyTransitionExpiresAt: olds.keyTransitionExpiresAt, keyIsCurrent: olds.keyIsCurrent };
    if (changed("rotateWhen") && news.rotateWhen !== undefined) {
      const rotated = await rotate(client, id, news, olds);
      secret = { key: rotated.key, keyTransitionExpiresAt: rotated.key_transition_expires_at, keyIsCurrent: true };
      // The new secret exists only in memory now: never fail after this point.
      try {
        return await readConsistent(portkeyClient(ctx, [rotated.key]), id, news, { ...olds, ...news, ...secret });
      } catch (error) {
        ctx.warn(`the key was rotated but could not be read back (${error instanceof Error ? error.message : String(error)}); run \`pulumi refresh\`.`);
        const { apiKeyId, resolvedWorkspaceId, workspaceSlug, organisationId, createdAt } = olds;
        return { ...news, apiKeyId, resolvedWorkspaceId, workspaceSlug, organisationId, createdAt, ...secret, maskedKey: mask(rotated.key) };
      }
    }
    return readConsistent(client, id, news, { ...olds, ...news, ...secret });
  },

  async delete(id, outputs, ctx) {
    try {
      await portkeyClient(ctx, [outputs.key]).request({ method: "DELETE", path: `/api-keys/${encodeURIComponent(id)}` });
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  },
});

async function resolveWorkspace(client: ApiClient, idOrSlug: string): Promise<{ id: string; slug: string }> {
  const workspace = await client.requestOrGone<{ id: string; slug: string }>(
    { method: "GET", path: `/admin/workspaces/${encodeURIComponent(idOrSlug)}` },
    { forbiddenMeansGone: true },
  );
  if (!workspace) throw new Error(`workspaceId: workspace '${idOrSlug}' does not exist (or was deleted).`);
  return workspace;
}

/**
 * POST is not retried blindly: after an unclear failure, a key with this name
 * in the same workspace that did not exist before the first attempt is ours.
 * (The list never shows the secret, so an adopted key's secret is lost: the
 * error then says so rather than hiding a key nobody can use.)
 */
async function createOnce(client: ApiClient, inputs: ApiKeyInputs, workspaceUuid: string | undefined, body: object, ctx: LifecycleContext): Promise<{ id: string; key: string }> {
  const path = `/api-keys/${inputs.type}/${inputs.subType}`;
  const before = new Set((await listByName(client, inputs.name, workspaceUuid)).map((k) => k.id));
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.request<{ id: string; key: string }>({ method: "POST", path, body });
    } catch (error) {
      const unclear = error instanceof ApiError && (error.status === 0 || error.status >= 500 || error.status === 429);
      if (!unclear || attempt >= 3) throw error;
      const appeared = (await listByName(client, inputs.name, workspaceUuid)).filter((k) => !before.has(k.id));
      if (appeared.length > 0) {
        // Its secret was in the lost response; delete it so nothing is left that nobody can use, then try again.
        for (const orphan of appeared) {
          await client.request({ method: "DELETE", path: `/api-keys/${encodeURIComponent(orphan.id)}` }).catch(() => undefined);
          ctx.warn(`the create call for API key '${inputs.name}' lost its response after creating ${orphan.id}; that key's secret was unrecoverable, so it was deleted and the key is created again.`);
        }
      }
      await sleep(error.status === 429 ? 1000 * attempt : 250 * attempt);
    }
  }
}

async function listByName(client: ApiClient, name: string, workspaceUuid: string | undefined): Promise<ApiKeyJson[]> {
  const found: ApiKeyJson[] = [];
  for (let page = 0; ; page++) {
    const list = await client.request<{ total?: number; data?: ApiKeyJson[] }>({
      method: "GET",
      path: "/api-keys",
      query: { workspace_id: workspaceUuid, page_size: 100, current_page: page },
    });
    const data = list.data ?? [];
    found.push(...data.filter((k) => k.name === name));
    if (data.length < 100) return found;
  }
}

function getKey(client: ApiClient, id: string): Promise<ApiKeyJson | undefined> {
  return client.requestOrGone<ApiKeyJson>({ method: "GET", path: `/api-keys/${encodeURIComponent(id)}` });
}

async function rotate(client: ApiClient, id: string, news: ApiKeyInputs, olds: ApiKeyOutputs) {
  try {
    return await client.request<{ id: string; key: string; key_transition_expires_at?: string }>({
      method: "POST",
      path: `/api-keys/${encodeURIComponent(id)}/rotate`,
      body: news.rotationTransitionPeriodMs ? { key_transition_period_ms: news.rotationTransitionPeriodMs } : {},
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
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
    rateLimits: nonEmpty((json.rate_limits ?? []).map(rateLimitFromApi)),
    usageLimits: json.usage_limits ? usageLimitFromApi(json.usage_limits) : undefined,
    metadata: Object.keys(metadata).length > 0 ? (Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, String(v)])) as Record<string, string>) : undefined,
    configId: json.defaults?.config_id ?? undefined,
    // The API answers 0/1/null and may fill a default the user never set: track it only when set.
    allowConfigOverride: intent.allowConfigOverride === undefined || allow === null || allow === undefined ? undefined : allow === 1 || allow === true,
    alertEmails: nonEmpty(json.alert_emails ?? []),
    expiresAt: json.expires_at ? sameInstant(json.expires_at, intent.expiresAt) : undefined,
    rotationPolicy: policy && (policy.rotation_period || policy.next_rotation_at)
      ? (normalize({
          rotationPeriod: policy.rotation_period ?? undefined,
          // With a period the server computes the next rotation; it is an output then, not an input.
          nextRotationAt: policy.rotation_period ? undefined : sameInstant(policy.next_rotation_at ?? undefined, intent.rotationPolicy?.nextRotationAt),
          keyTransitionPeriodMs: policy.key_transition_period_ms ?? undefined,
        }) as RotationPolicy)
      : undefined,
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
    lastResetAt: json.last_reset_at ?? undefined,
    createdAt: json.created_at,
    lastUpdatedAt: json.last_updated_at,
  };
}

function inputsOf(outputs: ApiKeyOutputs): ApiKeyInputs {
  const names = Object.keys(apiKeyInputSchema().shape) as (keyof ApiKeyInputs)[];
  return Object.fromEntries(names.map((name) => [name, outputs[name]])) as ApiKeyInputs;
}

function defaultsBody(inputs: ApiKeyInputs, clearing: boolean) {
  const defaults: Record<string, unknown> = {};
  if (inputs.metadata || clearing) defaults.metadata = inputs.metadata ?? {};
  if (inputs.configId || clearing) defaults.config_id = inputs.configId ?? null;
  if (inputs.allowConfigOverride !== undefined && inputs.configId) defaults.allow_config_override = inputs.allowConfigOverride;
  return Object.keys(defaults).length > 0 ? defaults : undefined;
}

function rotationPolicyBody(policy: RotationPolicy | undefined) {
  if (!policy) return undefined;
  return {
    rotation_period: policy.rotationPeriod ?? null,
    next_rotation_at: policy.nextRotationAt ?? null,
    ...(policy.keyTransitionPeriodMs ? { key_transition_period_ms: policy.keyTransitionPeriodMs } : {}),
  };
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
