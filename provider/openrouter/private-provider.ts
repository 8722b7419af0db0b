/**
 * OpenRouter private provider (`/private-providers/{slug}`): an
 * organisation's own OpenAI-compatible upstream, which private endpoints and
 * BYOK keys then name by its slug (OpenRouter derives the slug from `name`,
 * which therefore replaces it). A PATCH keeps every field it does not
 * receive, so a removed optional field is sent as `null` (or `[]` for the
 * datacenter list), and the data policy goes out whole, with
 * `prompt_retention_days` always present: the API wants it so (the
 * Terraform provider's hooks learned this against the live API).
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { isApiFailure } from "../errors";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient } from "./common";
import { createPrivateProvider, deletePrivateProvider, getPrivateProvider, listPrivateProviders, updatePrivateProvider } from "./api/private-providers";

/**
 * A base URL as OpenRouter stores it: scheme and host lower-cased, a trailing
 * `/` or `/chat/completions` removed (the Terraform provider compares so).
 */
export function normalizedBaseUrl(value: unknown): unknown {
  if (typeof value !== "string" || value === "") return value === "" ? undefined : (value ?? undefined);
  try {
    const url = new URL(value);
    const path = url.pathname.replace(/\/chat\/completions\/?$/, "").replace(/\/+$/, "");
    return `${url.protocol.toLowerCase()}//${url.host.toLowerCase()}${path}${url.search}`;
  } catch {
    return value;
  }
}

/** An https URL (OpenRouter refuses any other scheme). */
export function httpsUrl() {
  return z.url({ protocol: /^https$/i, error: "must be an https URL" });
}

/** Built on call: a zod schema at module scope cannot be serialized with the provider. */
function country() {
  return z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 country code, e.g. DE");
}

function privateProviderInputs() {
  return {
    name: input(z.string().regex(/^[A-Za-z0-9 ._-]{2,64}$/, "must be 2–64 letters, digits, spaces, '.', '_' or '-'"), {
      doc:
        "The provider's name, unique among providers (public ones too, case-insensitively); OpenRouter derives the slug " +
        "from it (`Acme Inference` → `acme-inference`). Changing it replaces the provider.",
      outputDoc: "The name as read back.",
      api: "name",
      replaces: true,
    }),
    displayName: input(z.string().min(1, "must not be empty"), { doc: "The name shown for it in OpenRouter.", outputDoc: "As read back.", api: "display_name" }),
    baseUrl: input(httpsUrl(), {
      doc:
        "The https base URL of its OpenAI-compatible API (public hosts only). Compared as OpenRouter stores it (scheme and " +
        "host lower-cased, a trailing `/` or `/chat/completions` dropped). Private endpoints under it inherit it.",
      outputDoc: "The base URL as OpenRouter stores it.",
      api: "base_url",
      comparable: normalizedBaseUrl,
    }),
    trainsOnData: input(z.boolean(), {
      doc: "Data policy (your own declaration, not verified by OpenRouter): the upstream trains on prompts or completions.",
      outputDoc: "As read back.",
      api: "data_policy.training",
    }),
    retainsPrompts: input(z.boolean(), {
      doc: "Data policy: the upstream retains prompts.",
      outputDoc: "As read back.",
      api: "data_policy.retains_prompts",
    }),
    promptRetentionDays: input(z.number().int("must be a whole number of days").positive("must be at least 1").optional(), {
      doc: "Data policy: how many days prompts are retained; only with `retainsPrompts: true`. Unset: undeclared (sent as null).",
      outputDoc: "As read back.",
      api: "data_policy.prompt_retention_days",
    }),
    datacenters: input(z.array(country()).optional(), {
      doc: "Countries it runs in, as ISO 3166-1 alpha-2 codes (e.g. `[\"DE\", \"FR\"]`). Unset clears the list.",
      outputDoc: "As read back.",
      api: "datacenters",
      clearAs: [],
    }),
    headquarters: input(country().optional(), { doc: "The country of its headquarters (ISO 3166-1 alpha-2). Unset clears it.", outputDoc: "As read back.", api: "headquarters" }),
    privacyPolicyUrl: input(z.url({ error: "must be a URL" }).optional(), { doc: "Its privacy policy. Unset clears it.", outputDoc: "As read back.", api: "privacy_policy_url" }),
  };
}

function privateProviderOutputs() {
  return {
    slug: output(z.string(), { stable: true, doc: "The slug OpenRouter derived from `name` (the same as `id`): what endpoints and BYOK keys name.", api: "slug" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "Creation time.", api: "created_at" }),
  };
}

export const openrouterPrivateProvider = declareResource({
  kind: "openrouter:PrivateProvider",
  enumerate: {
    prefix: "private-provider",
    identity: ["name"],
    async list(ctx) {
      return (await listPrivateProviders(openrouterClient(ctx))).map((p) => ({ id: p.slug, name: p.name }));
    },
  },
  doc:
    "An OpenRouter private provider (`/private-providers`): your own OpenAI-compatible upstream, which `PrivateEndpoint`s " +
    "(and BYOK keys) name by its `slug`. Needs the account's private-endpoints entitlement. `name` replaces it; everything " +
    "else updates in place. Deleting it fails while private endpoints name it. The resource id is its slug (import by it).\n\n" +
    "```ts\n" +
    'const acme = new openrouter.PrivateProvider("acme", {\n' +
    '  name: "Acme Inference", displayName: "Acme", baseUrl: "https://llm.acme.example/v1",\n' +
    '  trainsOnData: false, retainsPrompts: false, datacenters: ["DE"], headquarters: "DE",\n' +
    "});\n" +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: privateProviderInputs,
  outputs: privateProviderOutputs,
  sentWhole: ["data_policy"],

  refine(inputs, issue) {
    if (inputs.promptRetentionDays !== undefined && inputs.retainsPrompts === false) issue(["promptRetentionDays"], "may only be set with retainsPrompts: true");
  },

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const body = ctx.createBody(inputs) as { data_policy: Record<string, unknown> };
    // The API wants the key present (null: undeclared).
    body.data_policy.prompt_retention_days ??= null;
    let created;
    try {
      created = await createWithRecovery(ctx, {
        what: `OpenRouter private provider '${inputs.name}'`,
        naturalKey: `openrouter:PrivateProvider:${inputs.name.toLowerCase()}`,
        post: () => createPrivateProvider(client, body),
        idOf: (p) => p.slug,
        async findCandidates() {
          const found = (await listPrivateProviders(client)).filter((p) => p.name.toLowerCase() === inputs.name.toLowerCase());
          return { candidates: found.map((p) => ({ id: p.slug, createdAt: p.created_at })) };
        },
        recover: {
          async adopt(candidate) {
            const provider = await getPrivateProvider(client, candidate.id);
            if (!provider) throw new Error(`private provider ${candidate.id} disappeared while it was being recovered`);
            return provider;
          },
        },
        cleanup: "delete it with DELETE /private-providers/{slug}",
      });
    } catch (error) {
      if (!isApiFailure(error, "conflict")) throw error;
      throw new Error(`name: a provider named '${inputs.name}' (or with its slug) already exists. To manage a private one, import it by its slug; else choose another name. ${error.message}`);
    }
    return { id: created.slug, outputs: ctx.outputsFrom(created, inputs) };
  },

  async read(id, outputs, ctx) {
    const provider = await getPrivateProvider(openrouterClient(ctx), id);
    return provider && ctx.outputsFrom(provider, outputs);
  },

  async update(id, olds, news, ctx) {
    const client = openrouterClient(ctx);
    const body = ctx.updateBody(olds, news);
    const provider = Object.keys(body).length > 0 ? await updatePrivateProvider(client, id, body) : await getPrivateProvider(client, id);
    if (!provider) throw new Error(`private provider ${id} does not exist (or was deleted); run \`pulumi refresh\`.`);
    return ctx.outputsFrom(provider, news);
  },

  async delete(id, _outputs, ctx) {
    try {
      await deletePrivateProvider(openrouterClient(ctx), id);
    } catch (error) {
      if (!isApiFailure(error, "conflict")) throw error;
      throw new Error(`private provider ${id} still has private endpoints; delete them first (or remove them from the program in the same update). ${error.message}`);
    }
  },
});
