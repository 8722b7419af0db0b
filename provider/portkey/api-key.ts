/**
 * Portkey API key: `/api-keys`. The kind of key (type, sub-type), its
 * workspace and its user are fixed at creation and replace the key when they
 * change; everything else updates in place. The full secret exists only in
 * the create and rotate responses, so it is recorded as soon as it arrives
 * and carried forward by every later read.
 */
import { z } from "zod";
import { isForbidden, messageOf } from "../errors";
import { normalize } from "../framework";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { rateLimitsInput, usageLimitInput } from "./limits";
import { requireWorkspace } from "./api/workspaces";
import { ApiKeyJson, createApiKey, deleteApiKey, getApiKey, listApiKeysWithTime, rotateApiKey, updateApiKey } from "./api/api-keys";
import { knownPortkeyScopes } from "./scopes";
import { listPerParent } from "../enumeration";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const MIN_TRANSITION_MS = 1_800_000;

function timestamp() {
  return z.string().regex(RFC3339, "must be an RFC 3339 timestamp such as 2027-01-31T00:00:00Z");
}

function transitionMs() {
  return z.number().int().min(MIN_TRANSITION_MS, `must be at least ${MIN_TRANSITION_MS} (30 minutes)`);
}

/** The `rotationPolicy` input (the SDK's `RotationPolicyArgs`). */
function rotationPolicySchema() {
  return z
    .object({
      rotationPeriod: z.enum(["weekly", "monthly"]).optional().describe("Rotate every week or month; Portkey computes the next rotation time."),
      rotationPeriodDays: z.number().int().min(1).max(365).optional().describe("Rotate every N days (1–365); Portkey computes the next rotation time."),
      nextRotationAt: timestamp()
        .optional()
        .describe(
          "Rotate once at this time (RFC 3339, in the future when declared). Once Portkey has done it, the past date stays valid in the program: it is neither a change nor refused.",
        ),
      keyTransitionPeriodMs: transitionMs()
        .optional()
        .describe("How long the old secret keeps working after a rotation, in ms (>= 1,800,000; shorter than the period)."),
    })
    .strict()
    .describe("When Portkey rotates the key by itself. Set exactly one of `rotationPeriod`, `rotationPeriodDays` and `nextRotationAt`.");
}

export type RotationPolicy = z.output<ReturnType<typeof rotationPolicySchema>>;

/** The SDK's named types declared here (scripts/generate.ts writes them to sdk/portkey/types.ts). */
export function apiKeySdkTypes() {
  return { RotationPolicyArgs: rotationPolicySchema() };
}

function apiKeyInputs() {
  const trigger = () => z.union([z.string(), z.number()]).optional();
  return {
    type: input(z.enum(["organisation", "workspace"]), {
      doc: "`organisation` (an admin key; service keys only) or `workspace`. Changing it replaces the key.",
      outputDoc: "The kind of key.",
      example: "workspace",
      replaces: true,
    }),
    subType: input(z.enum(["service", "user"]), {
      doc: "`service` (for applications) or `user` (bound to `userId`). Changing it replaces the key.",
      outputDoc: "The sub-kind of key.",
      replaces: true,
    }),
    workspaceId: workspaceIdInput({
      doc:
        "The workspace of a workspace key, by UUID or slug (required for workspace keys, not allowed for organisation keys). " +
        "Changing it replaces the key; switching between the slug and the UUID of the same workspace is not a change. " +
        "Pass a Workspace's `id`: it stays known while the workspace itself is being updated, so previews do not show a replacement.",
      optional: true,
      example: "dev",
    }),
    userId: input(z.string().min(1).optional(), {
      doc: "The user a user key belongs to (required for user keys). Changing it replaces the key.",
      outputDoc: "The user of a user key.",
      api: "user_id",
      replaces: true,
      fromApi: (value, _answer, carried) => carried.userId ?? value ?? undefined,
    }),
    name: input(z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"), {
      doc: "1–100 characters.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    description: input(z.string().max(200, "must be at most 200 characters").optional(), {
      doc: "At most 200 characters.",
      outputDoc: "The description as read back.",
      api: "description",
      clearAs: "",
    }),
    scopes: input(z.array(z.string().min(1)).min(1, "must list at least one scope"), {
      doc: "What the key may do, e.g. `completions.write`; at least one. Unknown names fail at preview unless `allowUnknownScopes`.",
      outputDoc: "The scopes as read back.",
      api: "scopes",
      example: ["completions.write"],
      fromApi: (value) => value ?? [],
      // Order carries no meaning.
      comparable: (value) => (Array.isArray(value) ? [...value].sort() : normalize(value)),
    }),
    allowUnknownScopes: input(z.boolean().optional(), {
      doc: "Accept scope names this package does not know yet (newer Portkey scopes). Default false.",
      notCompared: true,
    }),
    rateLimits: {
      ...rateLimitsInput("Rate limits (units rpd, rph, rpm, rps, rpw). Removing them clears them.", {
        units: ["rpd", "rph", "rpm", "rps", "rpw"],
        minValue: 0,
      }),
      outputDoc: "The rate limits as read back.",
      // Portkey can answer the previous limits for a moment after a write.
      lagsAfterWrite: true,
    },
    usageLimits: {
      ...usageLimitInput("One budget for the key. Removing it clears it.", { wholeAmounts: false, alertNotAboveLimit: true }),
      outputDoc: "The budget as read back.",
      lagsAfterWrite: true,
    },
    metadata: input(z.record(z.string(), z.json()).optional(), {
      doc: "Metadata attached to every request made with the key (sent as `defaults.metadata`); values of any JSON type.",
      outputDoc: "The metadata as read back, values with their JSON types.",
      api: "defaults.metadata",
      clearAs: {},
      // Values keep their JSON types: a number stays a number (and a null stays).
      fromApi: (value) => (value !== null && typeof value === "object" && Object.keys(value).length > 0 ? { ...value } : undefined),
    }),
    configId: input(z.string().min(1).optional(), {
      doc: "A config (id) applied to requests made with the key (sent as `defaults.config_id`).",
      outputDoc: "The config id as read back.",
      api: "defaults.config_id",
      fromApi: (value) => value ?? undefined,
    }),
    allowConfigOverride: input(z.boolean().optional(), {
      doc: "Whether requests may override `configId`; needs `configId`. Portkey's default is true.",
      outputDoc: "The config override flag as read back (only when set).",
      api: "defaults.allow_config_override",
      // Portkey's default is to allow overrides, so unset and true are the same.
      serverDefault: true,
      // Answered at the top level as 0/1/null; it only means something with a config.
      fromApi: (_value, answer) => {
        const { allow_config_override: allow, defaults } = answer as Partial<ApiKeyJson>;
        return !defaults?.config_id || allow === null || allow === undefined ? undefined : allow === 1 || allow === true;
      },
    }),
    alertEmails: input(z.array(z.email("must be an email address")).optional(), {
      doc: "Who is emailed when usage crosses the alert threshold.",
      outputDoc: "The alert emails as read back.",
      api: "alert_emails",
      toApi: (emails) => (emails && emails.length > 0 ? emails : null),
    }),
    expiresAt: input(timestamp().optional(), {
      doc: "When the key stops working (RFC 3339, in the future). Removing it makes the key permanent.",
      outputDoc: "The expiry as read back.",
      api: "expires_at",
      fromApi: (value, _answer, carried) => (typeof value === "string" && value ? sameInstant(value, stringOr(carried.expiresAt)) : undefined),
    }),
    rotationPolicy: input(rotationPolicySchema().optional(), {
      doc: "Scheduled rotation by Portkey. A scheduled rotation makes the stored `key` stale: see `keyIsCurrent`.",
      outputDoc: "The rotation policy as read back.",
      api: "rotation_policy",
      sdkType: "RotationPolicyArgs",
      toApi: rotationPolicyBody,
      fromApi: (value, _answer, carried) => rotationPolicyFromApi(value as ApiKeyJson["rotation_policy"], carried.rotationPolicy as RotationPolicy | undefined),
    }),
    resetUsage: input(trigger(), {
      doc: "A trigger: changing its value (to anything) resets the key's accumulated usage once.",
      api: "reset_usage",
      trigger: true,
    }),
    rotateWhen: input(trigger(), {
      doc: "A trigger: changing its value (to anything, e.g. a date) rotates the secret now; `key` then holds the new one.",
      trigger: true,
    }),
    rotationTransitionPeriodMs: input(transitionMs().optional(), {
      doc: "Transition period for rotations made through `rotateWhen`, in ms (>= 1,800,000). Portkey's default is 30 minutes.",
    }),
  };
}

function apiKeyOutputs() {
  return {
    apiKeyId: output(z.string(), { stable: true, doc: "The key's UUID (the same as `id`).", api: "id" }),
    key: output(z.string(), {
      doc: "The full secret (a Pulumi secret). Returned by Portkey only at creation and rotation; carried forward by refresh.",
      secret: true,
    }),
    maskedKey: output(z.string(), { doc: "The masked secret Portkey shows, e.g. `Xk*******S4`.", api: "key" }),
    keyIsCurrent: output(z.boolean(), {
      doc: "False after Portkey rotated the key by itself (rotation policy): `key` is then stale.",
      api: "key",
      fromApi: (masked, _answer, carried) => {
        const key = stringOr(carried.key) ?? "";
        return key !== "" && sameMask(stringOr(masked), key);
      },
    }),
    keyTransitionExpiresAt: output(z.string().optional(), { doc: "When the previous secret stops working after the last rotation made through Pulumi." }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID, whatever spelling `workspaceId` used.", api: "workspace_id" }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug." }),
    status: output(z.string(), { doc: "`active`, `exhausted` (budget used up) or `expired`.", api: "status" }),
    creationMode: output(z.string().optional(), { doc: "How the key was made: `api`, `ui` or `auto` (by Portkey, e.g. for a user).", api: "creation_mode" }),
    nextRotationAt: output(z.string().optional(), { doc: "Next scheduled rotation, computed by Portkey from `rotationPolicy`.", api: "rotation_policy.next_rotation_at" }),
    lastResetAt: output(z.string().optional(), { doc: "When usage was last reset.", api: "last_reset_at" }),
    lastRotatedAt: output(z.string().optional(), {
      doc: "When the secret was last rotated, by Pulumi or by Portkey's schedule (when Portkey reports it).",
      api: "last_rotated_at",
    }),
    nextUsageResetAt: output(z.string().optional(), {
      doc: "When Portkey next resets the usage counted against `usageLimits` (with a periodic reset).",
      api: "usage_limits.next_usage_reset_at",
    }),
    organisationId: output(z.string(), { stable: true, doc: "The organisation's UUID.", api: "organisation_id" }),
    createdAt: output(z.string(), { stable: true, doc: "Creation time (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string(), { doc: "Last change (RFC 3339).", api: "last_updated_at" }),
  };
}

type Shape = ShapeOf<typeof apiKeyInputs, typeof apiKeyOutputs>;

export const apiKey = declareResource({
  kind: "portkey:ApiKey",
  enumerate: {
    prefix: "key",
    identity: ["workspaceId", "name"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx, listed) {
      const client = portkeyClient(ctx);
      // The organisation's keys, and each workspace's (an organisation-wide list may leave workspace keys out).
      const scopes = [{ id: "" }, ...listed("portkey:Workspace")];
      return listPerParent(scopes, async (scope) => (await listApiKeysWithTime(client, scope.id || undefined)).keys.map((k) => ({ id: k.id, name: k.name })));
    },
  },
  doc:
    "A Portkey API key (`/api-keys`). The resource id is the key's UUID; the secret is the `key` output, stored as a Pulumi secret.\n\n" +
    "```ts\n" +
    'const ci = new portkey.ApiKey("ci", {\n' +
    '  type: "workspace", subType: "service", workspaceId: dev.id,\n' +
    '  name: "ci", scopes: ["completions.write"],\n' +
    "});\n" +
    "export const ciKey = ci.key; // secret\n" +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: apiKeyInputs,
  outputs: apiKeyOutputs,
  // The API's merge rules for `defaults` are not documented: it goes out whole when any part changed.
  sentWhole: ["defaults"],

  refine(key, issue) {
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
      // Portkey refuses a transition as long as the period; a month counts at its longest, so nothing it takes is refused here.
      const periodDays = policy.rotationPeriodDays ?? (policy.rotationPeriod === "weekly" ? 7 : policy.rotationPeriod === "monthly" ? 31 : undefined);
      if (periodDays !== undefined && policy.keyTransitionPeriodMs !== undefined && policy.keyTransitionPeriodMs >= periodDays * 86_400_000) {
        issue(["rotationPolicy", "keyTransitionPeriodMs"], `must be shorter than the rotation period (${periodDays} days = ${periodDays * 86_400_000} ms)`);
      }
    }
    if (!key.allowUnknownScopes) {
      const known = knownPortkeyScopes();
      key.scopes.forEach((scope, i) => {
        if (!known.has(scope)) issue(["scopes", i], `'${scope}' is not a known Portkey scope (set allowUnknownScopes: true if it is new)`);
      });
    }
  },

  validate(inputs, olds) {
    const failures: { property: string; reason: string }[] = [];
    const future = (value: string | undefined, old: string | undefined, property: string, label: string) => {
      if (value && value !== old && Date.parse(value) <= Date.now()) failures.push({ property, reason: `${label}: must be in the future` });
    };
    future(inputs.expiresAt, olds.expiresAt, "expiresAt", "expiresAt");
    future(inputs.rotationPolicy?.nextRotationAt, olds.rotationPolicy?.nextRotationAt, "rotationPolicy", "rotationPolicy.nextRotationAt");
    return failures;
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = inputs.workspaceId ? await requireWorkspace(client, ctx, inputs.workspaceId) : undefined;
    const body = ctx.createBody(inputs);
    const created = await createWithRecovery(ctx, {
      what: `Portkey API key '${inputs.name}'`,
      naturalKey: `portkey:ApiKey:${workspace?.id ?? "organisation"}:${inputs.name}`,
      post: () => createApiKey(client, inputs.type, inputs.subType, body),
      idOf: (key) => key.id,
      async findCandidates() {
        const { keys, serverTime } = await listApiKeysWithTime(client, workspace?.id);
        const named = keys.filter((k) => k.name === inputs.name && (workspace ? k.workspace_id === workspace.id : !k.workspace_id));
        return { candidates: named.map((k) => ({ id: k.id, createdAt: k.created_at })), serverTime };
      },
      recover: {
        why: "its secret was only in the lost response, so no one can use it",
        discard: (orphan) => deleteApiKey(client, orphan.id),
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
    return { id: created.id, outputs: await readConsistent(clientWithSecret, ctx, created.id, known) };
  },

  async read(id, outputs, ctx) {
    const json = await getApiKey(portkeyClient(ctx, [outputs.key]), id);
    if (!json) return undefined;
    const refreshed = outputsOf(ctx, json, outputs);
    // Only a stored secret can go stale (a key read by id alone, on import, has none).
    if (outputs.key && outputs.keyIsCurrent !== false && !refreshed.keyIsCurrent) {
      ctx.warn(
        `Portkey rotated API key '${refreshed.name}' (${id}) itself (rotation policy), so the stored \`key\` output is stale. ` +
          "Change `rotateWhen` to rotate it through Pulumi and store the new secret, or fetch the new secret from Portkey.",
      );
    }
    return refreshed;
  },

  async update(id, olds, news, ctx) {
    const client = portkeyClient(ctx, [olds.key]);
    // Only what changed: re-sending rotation_policy or expires_at restarts Portkey's clocks and may trip org policies.
    const body = ctx.updateBody(olds, news);
    // The override flag means nothing without a config, so `defaults` carries it only with one.
    const defaults = body.defaults as Record<string, unknown> | undefined;
    if (defaults && !news.configId) delete defaults.allow_config_override;
    if (Object.keys(body).length > 0) await updateApiKey(client, id, body);
    // The stored secret (and the identity no update changes) stays unless the secret is rotated now.
    const kept = ctx.keptByUpdate(olds);
    if (ctx.changed("rotateWhen", olds, news) && news.rotateWhen !== undefined) {
      const rotated = await rotate(client, id, news, olds);
      // Only the rotate answer holds the new secret: set by hand from it.
      const secret = { key: rotated.key, keyTransitionExpiresAt: rotated.key_transition_expires_at, keyIsCurrent: true };
      // The new secret exists only in memory now: never fail after this point.
      try {
        return await readConsistent(portkeyClient(ctx, [rotated.key]), ctx, id, { ...news, ...kept, ...secret });
      } catch (error) {
        ctx.warn(`the key was rotated but could not be read back (${messageOf(error)}); run \`pulumi refresh\`.`);
        // What is known without a read; the rest (status, ...) comes with the next refresh.
        const known: Partial<Shape["outputs"]> = { ...news, ...kept, ...secret, maskedKey: mask(rotated.key) };
        return known as Shape["outputs"];
      }
    }
    return readConsistent(client, ctx, id, { ...news, ...kept });
  },

  async delete(id, outputs, ctx) {
    await deleteApiKey(portkeyClient(ctx, [outputs.key]), id);
  },
});

/** The provider the engine runs (kept under its earlier name). */
export const apiKeyProvider = apiKey.provider;
export const apiKeyInputSchema = apiKey.inputSchema;

async function rotate(client: ApiClient, id: string, news: Shape["inputs"], olds: Shape["outputs"]) {
  try {
    return await rotateApiKey(client, id, news.rotationTransitionPeriodMs);
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

/**
 * Outputs from the API's answer. The secret (never in an answer, only masked)
 * and the inputs the API does not echo come from `carried`: the declared
 * inputs and what was stored.
 */
function outputsOf(ctx: Shape["context"], json: ApiKeyJson, carried: Partial<Shape["outputs"]>): Shape["outputs"] {
  // The kind of key is in the create URL, not the body; a key read by id alone (import) takes it from the answer's `type`.
  const [type, subType] = json.type.split("-") as [Shape["inputs"]["type"], Shape["inputs"]["subType"]];
  return ctx.outputsFrom(json, { ...carried, type: carried.type ?? type, subType: carried.subType ?? subType, key: carried.key ?? "" });
}

/** The key as read back after a write (see ctx.readBack: limits can lag); `carried` holds the inputs written. */
function readConsistent(client: ApiClient, ctx: Shape["context"], id: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  return ctx.readBack(
    async () => {
      const json = await getApiKey(client, id);
      return json && outputsOf(ctx, json, carried);
    },
    carried,
    () => new Error(`API key ${id} disappeared right after it was written`),
  );
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

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
