/**
 * OpenRouter API key: `/keys`. Identified by its hash. The plaintext key is
 * returned only by the create call: it is recorded at once and carried forward
 * by every read. `expiresAt`, `creatorUserId` and `externalUser` are fixed at
 * creation and replace the key; a new `workspaceId` moves the key (PATCH,
 * documented by the `openrouter` Python SDK 1.3.84), while removing it
 * replaces the key, since no answer names the default workspace to move it
 * back to. `disabled` can only be set by a PATCH, so it is applied right after
 * the create.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { LifecycleContext } from "../framework";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient, workspaceIdInput } from "./common";
import { createKey, deleteKey, getKey, KeyJson, listKeys, listKeysWithServerTime, updateKey } from "./api/keys";
import { listPerParent } from "../enumeration";

const UTC_WITH_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function apiKeyInputs() {
  return {
    name: input(z.string().min(1, "must not be empty"), {
      doc: "Any non-empty name.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    limit: input(z.number().min(0, "must be >= 0 (dollars)").optional(), {
      doc: "Spending limit in dollars (>= 0); unset means no limit.",
      outputDoc: "The limit as read back.",
      api: "limit",
    }),
    limitReset: input(z.enum(["daily", "weekly", "monthly"]).optional(), {
      doc: "When the limit resets (midnight UTC; weeks run Monday to Sunday); unset means never.",
      outputDoc: "The reset interval as read back.",
      api: "limit_reset",
    }),
    includeByokInLimit: input(z.boolean().optional(), {
      doc: "Count bring-your-own-key usage against the limit (default false).",
      outputDoc: "As read back.",
      api: "include_byok_in_limit",
      serverDefault: false,
    }),
    // Has an API name for updates and reads; the create hook leaves it out of the POST.
    disabled: input(z.boolean().optional(), {
      doc: "Disable the key (default false). Applied right after creation, since OpenRouter only takes it on update.",
      outputDoc: "As read back.",
      api: "disabled",
      serverDefault: false,
    }),
    expiresAt: input(z.string().regex(UTC_WITH_SECONDS, "must be UTC with seconds, e.g. 2027-01-31T00:00:00Z").optional(), {
      doc: "When the key expires: UTC with seconds (`2027-01-31T00:00:00Z`), in the future. Changing it replaces the key.",
      outputDoc: "The expiry as read back.",
      api: "expires_at",
      replaces: true,
      // The declared spelling stays when the server reports the same instant otherwise.
      fromApi: (value, _answer, carried) => {
        const declared = carried.expiresAt;
        if (typeof declared === "string" && typeof value === "string" && Date.parse(declared) === Date.parse(value)) return declared;
        return value ?? undefined;
      },
    }),
    workspaceId: workspaceIdInput({
      doc:
        "The workspace's UUID; the account's default workspace when unset. Changing it moves the key (same secret, same hash); " +
        "removing it replaces the key with a new one in the default workspace. " +
        "Pass a Workspace's `id` (known during previews of the workspace's own updates).",
      optional: true,
      sent: true,
      replaces: "whenRemoved",
    }),
    creatorUserId: input(z.string().min(1).optional(), {
      doc: "For keys owned by an organization: the member the key is created for. Fixed at creation: changing it replaces the key.",
      outputDoc: "As declared.",
      api: "creator_user_id",
      replaces: true,
      // The server may fill its own value, which must not read as a change.
      carried: true,
    }),
    externalUser: input(z.string().min(1).optional(), {
      doc: "A partner's end-user id the key is attributed to (sent as `external.user`). Fixed at creation: changing it replaces the key.",
      outputDoc: "As declared.",
      api: "external.user",
      replaces: true,
      carried: true,
    }),
  };
}

function apiKeyOutputs() {
  return {
    // Only the create answer has it (beside `data`): the hooks carry it.
    key: output(z.string(), { doc: "The plaintext key (a Pulumi secret).", secret: true }),
    hash: output(z.string(), { stable: true, doc: "The key's hash (the same as `id`).", api: "hash" }),
    label: output(z.string(), { doc: "The masked key OpenRouter shows, e.g. `sk-or-v1-0e6...1c96`.", api: "label" }),
    limitRemaining: output(z.number().optional(), { doc: "What is left of the limit.", api: "limit_remaining" }),
    // Not stable: a new workspaceId moves the key.
    resolvedWorkspaceId: output(z.string(), {
      doc: "The workspace the key is in (the default one when `workspaceId` was unset).",
      api: "workspace_id",
      // Kept from before when an answer leaves it out.
      fromApi: (value, _answer, carried) => value ?? carried.resolvedWorkspaceId,
    }),
    usage: output(z.number(), { doc: "Total usage in dollars.", api: "usage" }),
    createdAt: output(z.string(), { stable: true, doc: "Creation time.", api: "created_at" }),
    updatedAt: output(z.string().optional(), { doc: "Last change.", api: "updated_at" }),
  };
}

type Shape = ShapeOf<typeof apiKeyInputs, typeof apiKeyOutputs>;

export const openrouterApiKey = declareResource({
  kind: "openrouter:ApiKey",
  enumerate: {
    prefix: "or-key",
    identity: ["workspaceId", "name"],
    shownAs: { workspaceId: "resolvedWorkspaceId" },
    references: { workspaceId: { kind: "openrouter:Workspace", output: "id" } },
    // Per workspace: without one, OpenRouter lists only the default workspace's keys.
    async list(ctx, listed) {
      const client = openrouterClient(ctx);
      return listPerParent(listed("openrouter:Workspace"), async (w) => (await listKeys(client, w.id)).map((k) => ({ id: k.hash, name: k.name })));
    },
  },
  doc:
    "An OpenRouter API key (`/keys`). The resource id is the key's hash; the plaintext key is " +
    "the `key` output, a Pulumi secret, returned by OpenRouter only at creation.\n\n" +
    "```ts\n" +
    'const ci = new openrouter.ApiKey("ci", { name: "ci", limit: 25, limitReset: "monthly", workspaceId: research.id });\n' +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: apiKeyInputs,
  outputs: apiKeyOutputs,

  validate(inputs, olds) {
    if (inputs.expiresAt && inputs.expiresAt !== olds.expiresAt && Date.parse(inputs.expiresAt) <= Date.now()) {
      return [{ property: "expiresAt", reason: "expiresAt: must be in the future" }];
    }
    return [];
  },

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    // OpenRouter refuses `disabled` on create: it is PATCHed right after.
    const { disabled: _patchedAfter, ...body } = ctx.createBody(inputs);
    const created = await createWithRecovery(ctx, {
      what: `OpenRouter key '${inputs.name}'`,
      // By name alone: a key declared without a workspace and one naming the default workspace's UUID land in
      // the same list, so their creates must see each other (creates in other workspaces only wait longer).
      naturalKey: `openrouter:ApiKey:${inputs.name}`,
      post: () => createKey(client, body),
      idOf: (key) => key.data.hash,
      async findCandidates() {
        const { keys, serverTime } = await listKeysWithServerTime(client, inputs.workspaceId);
        return { candidates: keys.filter((k) => k.name === inputs.name).map((k) => ({ id: k.hash, createdAt: k.created_at })), serverTime };
      },
      recover: {
        why: "its secret was only in the lost response, so no one can use it",
        discard: (orphan) => deleteKey(client, orphan.id),
      },
      cleanup: "delete it in the OpenRouter dashboard under API keys, or with DELETE /keys/{hash}",
    });
    const known = { ...inputs, hash: created.data.hash, key: created.key, resolvedWorkspaceId: created.data.workspace_id };
    ctx.created(created.data.hash, known);
    let json = created.data;
    if (inputs.disabled) json = await updateKey(secretSafeClient(ctx, created.key), created.data.hash, { disabled: true });
    return { id: created.data.hash, outputs: toOutputs(ctx, json, known) };
  },

  async read(id, outputs, ctx) {
    const json = await getKey(secretSafeClient(ctx, outputs.key), id);
    if (!json) return undefined;
    // Read by its hash alone (import): the key's workspace is what a program declares for it.
    const imported = outputs.hash === undefined;
    return toOutputs(ctx, json, imported ? { ...outputs, workspaceId: json.workspace_id ?? undefined } : outputs);
  },

  async update(id, olds, news, ctx) {
    // Only what changed; a removed field goes back to OpenRouter's default.
    const body = ctx.updateBody(olds, news);
    const client = secretSafeClient(ctx, olds.key);
    const json = Object.keys(body).length > 0 ? await updateKey(client, id, body) : await getKey(client, id);
    if (!json) throw new Error(`key ${id} does not exist (or was deleted); run \`pulumi refresh\`.`);
    // The workspace is not stable (a new workspaceId moves the key), yet an answer may leave it out: the stored one stands in.
    return toOutputs(ctx, json, { ...news, ...ctx.keptByUpdate(olds), resolvedWorkspaceId: olds.resolvedWorkspaceId });
  },

  async delete(id, outputs, ctx) {
    await deleteKey(secretSafeClient(ctx, outputs.key), id);
  },
});

/** The provider the engine runs and the schema `check` uses (kept under their earlier names). */
export const openrouterApiKeyProvider = openrouterApiKey.provider;
export const openrouterApiKeyInputSchema = openrouterApiKey.inputSchema;

/** A client that also keeps the managed key's own secret out of every message. */
function secretSafeClient(ctx: LifecycleContext, secret: string | undefined): ApiClient {
  return openrouterClient(ctx, secret ? [secret] : []);
}

/** Outputs from the API's answer; the secret (never in an answer's `data`) is carried, "" when none was stored. */
function toOutputs(ctx: Shape["context"], json: KeyJson, carried: Partial<Shape["outputs"]>): Shape["outputs"] {
  return ctx.outputsFrom(json, { ...carried, key: carried.key ?? "" });
}
