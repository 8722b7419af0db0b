/**
 * OpenRouter BYOK key: `/byok`, a provider credential of the user's own (an
 * OpenAI key, say) that OpenRouter uses for that provider's requests. The
 * resource id is the key's UUID. `providerSlug` and `workspaceId` cannot be
 * updated and replace it; everything else, the credential included, is
 * updated in place with PATCH.
 *
 * The credential (`key`) is never returned (only a masked `label`), so it is
 * carried from the program: changing it rotates it in place, a change made
 * outside Pulumi is not seen, and an imported key previews clean without it.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient, workspaceIdInput } from "./common";
import { ByokKeyJson, createByokKey, deleteByokKey, getByokKey, listByokKeysWithServerTime, updateByokKey } from "./api/byok";
import { listPerParent } from "../enumeration";

/** An API key's hash as OpenRouter names keys: 64 lowercase hex digits. */
export const KEY_HASH = /^[a-f0-9]{64}$/;

function byokKeyInputs() {
  return {
    // `provider` is a Pulumi resource option, hence the name (the Terraform provider renamed it alike).
    providerSlug: input(z.string().trim().min(1, "must not be empty"), {
      doc:
        "The provider the credential is for, as OpenRouter spells it: `openai`, `anthropic`, `amazon-bedrock`, `google-vertex`, " +
        "`azure`, ... (sent as `provider`; not checked against a list, which grows). Changing it replaces the key.",
      outputDoc: "The provider as read back.",
      api: "provider",
      replaces: true,
    }),
    key: input(z.string().min(1, "must not be empty").optional(), {
      doc:
        "The provider credential, a secret. OpenRouter stores it encrypted and never returns it, so it is not read back: " +
        "changing it sends the new one (a rotation in place; OpenRouter regenerates `label`), and a change made outside " +
        "Pulumi is not seen. Required to create a key; an imported key previews clean without it, and the first `up` " +
        "that declares it sends it once.",
      outputDoc: "The credential as last sent (a secret).",
      api: "key",
      secret: true,
      carried: true,
      serverOwnedUnlessDeclared: true,
    }),
    workspaceId: workspaceIdInput({
      doc:
        "The workspace's UUID; the account's default workspace when unset. Changing it replaces the key. Pass a Workspace's `id`. After an import it holds the workspace OpenRouter reports, so the program names it too.",
      outputDoc: "The workspace as given (as OpenRouter reports it, after an import).",
      optional: true,
      sent: true,
    }),
    name: input(z.string().min(1, "must not be empty").max(255, "must be at most 255 characters").optional(), {
      doc: "A display name, at most 255 characters.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    disabled: input(z.boolean().optional(), {
      doc: "Keep the key but do not use it (default false).",
      outputDoc: "As read back.",
      api: "disabled",
      serverDefault: false,
    }),
    isFallback: input(z.boolean().optional(), {
      doc: "A fallback key: tried only after the provider's other keys (default false).",
      outputDoc: "As read back.",
      api: "is_fallback",
      serverDefault: false,
    }),
    allowedApiKeyHashes: input(
      z
        .array(z.string().regex(KEY_HASH, "must be an API key's hash (64 lowercase hex digits)"))
        .min(1, "must not be empty: leave it unset to allow every key")
        .max(100, "must hold at most 100 hashes")
        .optional(),
      {
        doc:
          "Only these API keys (by hash, e.g. an ApiKey's `hash`) may use this credential, 1–100 of them; unset allows every key. " +
          "The hashes must be keys of the account.",
        outputDoc: "The allowed key hashes as read back.",
        api: "allowed_api_key_hashes",
      },
    ),
    allowedModels: input(
      z.array(z.string().min(1, "must not be empty")).min(1, "must not be empty: leave it unset to allow every model").max(100, "must hold at most 100 models").optional(),
      {
        doc: "Only these models (e.g. `openai/gpt-4o`) may use this credential, at most 100; unset allows every model.",
        outputDoc: "The allowed models as read back.",
        api: "allowed_models",
      },
    ),
    allowedUserIds: input(
      z.array(z.string().min(1, "must not be empty")).min(1, "must not be empty: leave it unset to allow every user").max(100, "must hold at most 100 users").optional(),
      {
        doc: "Only these organization members (user ids, e.g. `user_2abc...`) may use this credential, at most 100; unset allows everyone.",
        outputDoc: "The allowed user ids as read back.",
        api: "allowed_user_ids",
      },
    ),
  };
}

function byokKeyOutputs() {
  return {
    label: output(z.string().optional(), { doc: "The credential as OpenRouter shows it, masked.", api: "label" }),
    sortOrder: output(z.number().optional(), { doc: "Where the key comes among the provider's keys (tried in ascending order).", api: "sort_order" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true,
      doc: "The workspace the key is in (the default one when `workspaceId` was unset); unset for a legacy key shared by every workspace.",
      api: "workspace_id",
    }),
    createdAt: output(z.string().optional(), { stable: true, doc: "Creation time.", api: "created_at" }),
  };
}

type Shape = ShapeOf<typeof byokKeyInputs, typeof byokKeyOutputs>;

export const openrouterByokKey = declareResource({
  kind: "openrouter:ByokKey",
  enumerate: {
    prefix: "byok",
    identity: ["workspaceId", "providerSlug", "name"],
    shownAs: { workspaceId: "resolvedWorkspaceId" },
    references: { workspaceId: { kind: "openrouter:Workspace", output: "id" } },
    async list(ctx, listed) {
      const client = openrouterClient(ctx);
      return listPerParent(listed("openrouter:Workspace"), async (w) => (await listByokKeysWithServerTime(client, w.id)).keys.map((k) => ({ id: k.id, name: k.name ?? k.provider })));
    },
  },
  doc:
    "An OpenRouter BYOK key (`/byok`): your own provider credential, used for that provider's requests. The resource id is " +
    "its UUID. The credential is a secret and is never read back; rotate it by changing `key`.\n\n" +
    "```ts\n" +
    'const openaiByok = new openrouter.ByokKey("openai", {\n' +
    '  providerSlug: "openai",\n' +
    '  key: config.requireSecret("openaiKey"),\n' +
    "  workspaceId: research.id,\n" +
    "  allowedApiKeyHashes: [ci.hash],\n" +
    "});\n" +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: byokKeyInputs,
  outputs: byokKeyOutputs,

  validate(inputs, olds) {
    // Only a new key needs the credential (olds are empty then); an imported one is managed without it.
    if (inputs.key === undefined && Object.keys(olds).length === 0) {
      return [{ property: "key", reason: "key: required to create a BYOK key (the provider credential)" }];
    }
    return [];
  },

  async create(inputs, ctx) {
    if (inputs.key === undefined) throw new Error("`key` (the provider credential) is required to create a BYOK key");
    const client = openrouterClient(ctx, [inputs.key]);
    const body = ctx.createBody(inputs);
    const created = await createWithRecovery(ctx, {
      what: `OpenRouter BYOK key for '${inputs.providerSlug}'${inputs.name ? ` ('${inputs.name}')` : ""}`,
      naturalKey: `openrouter:ByokKey:${inputs.workspaceId ?? "default"}:${inputs.providerSlug}:${inputs.name ?? ""}`,
      post: () => createByokKey(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { keys, serverTime } = await listByokKeysWithServerTime(client, inputs.workspaceId, inputs.providerSlug);
        const same = keys.filter((k) => (k.name ?? undefined) === inputs.name);
        return { candidates: same.map((k) => ({ id: k.id, createdAt: k.created_at })), serverTime };
      },
      recover: {
        async adopt(candidate) {
          const found = await getByokKey(client, candidate.id);
          if (!found) throw new Error(`BYOK key ${candidate.id} disappeared while it was being recovered`);
          return found;
        },
      },
      cleanup: "delete it in the OpenRouter dashboard under BYOK keys, or with DELETE /byok/{id}",
    });
    ctx.created(created.id, { ...inputs, resolvedWorkspaceId: created.workspace_id ?? undefined });
    return { id: created.id, outputs: toOutputs(ctx, created, inputs) };
  },

  async read(id, outputs, ctx) {
    const json = await getByokKey(openrouterClient(ctx, secretsOf(outputs)), id);
    if (!json) return undefined;
    // Read by its id alone (import): the key's workspace is what a program declares for it.
    const imported = outputs.providerSlug === undefined;
    return toOutputs(ctx, json, imported ? { ...outputs, workspaceId: json.workspace_id ?? undefined } : outputs);
  },

  async update(id, olds, news, ctx) {
    const client = openrouterClient(ctx, [...secretsOf(olds), ...secretsOf(news)]);
    const body = ctx.updateBody(olds, news);
    const json = Object.keys(body).length > 0 ? await updateByokKey(client, id, body) : await getByokKey(client, id);
    if (!json) throw new Error(`BYOK key ${id} does not exist (or was deleted); run \`pulumi refresh\`.`);
    // An undeclared credential stays what was last sent.
    return toOutputs(ctx, json, { ...news, key: news.key ?? olds.key });
  },

  async delete(id, outputs, ctx) {
    await deleteByokKey(openrouterClient(ctx, secretsOf(outputs)), id);
  },
});

function secretsOf(values: Partial<Shape["inputs"]>): string[] {
  return values.key ? [values.key] : [];
}

function toOutputs(ctx: Shape["context"], json: ByokKeyJson, carried: Partial<Shape["outputs"]>): Shape["outputs"] {
  return ctx.outputsFrom(json, carried);
}
