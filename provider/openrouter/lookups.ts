/**
 * Look-ups a program uses to reference OpenRouter objects it does not manage:
 * an organisation member by email (people join by invitation in the
 * dashboard; no API creates them), e.g. for a WorkspaceMember's `userId`;
 * and the public catalogue's models and providers, e.g. for a guardrail's
 * allowed models or a private endpoint's permaslug.
 */
import { z } from "zod";
import { declareLookup } from "../lookup";
import { input, output } from "../resource";
import { openrouterClient } from "./common";
import { listOrganizationMembers } from "./api/members";
import { getModel as getModelById, listModels, listProviders, ModelJson } from "./api/catalogue";

export const getOrganizationMember = declareLookup({
  name: "openrouter:getOrganizationMember",
  doc:
    "Looks up a member of the OpenRouter organisation by email (compared without regard to case; fails when nobody or several " +
    "people match). Only people who accepted their invitation are members.\n\n" +
    "```ts\n" +
    'const ada = openrouter.getOrganizationMemberOutput({ email: "ada@example.com" });\n' +
    'new openrouter.WorkspaceMember("ada-research", { workspaceId: research.id, userId: ada.userId });\n' +
    "```",
  args: () => ({
    email: input(z.email("must be an email address"), { doc: "The member's email address." }),
  }),
  results: () => ({
    userId: output(z.string(), { doc: "The member's user id (`user_…`): what WorkspaceMember, guardrail assignments and BYOK allowlists take." }),
    email: output(z.string(), { doc: "The email as OpenRouter holds it." }),
    firstName: output(z.string().optional(), { doc: "The member's first name." }),
    lastName: output(z.string().optional(), { doc: "The member's last name." }),
    role: output(z.string(), { doc: "The organisation role, e.g. `org:admin` or `org:member`." }),
  }),
  async run(args, configured) {
    const wanted = args.email.toLowerCase();
    const matches = (await listOrganizationMembers(openrouterClient({ configured }))).filter((m) => m.email.toLowerCase() === wanted);
    if (matches.length === 0) {
      throw new Error(`openrouter.getOrganizationMember: nobody in the organisation has the email '${args.email}' (invite them in the OpenRouter dashboard first).`);
    }
    if (matches.length > 1) {
      throw new Error(`openrouter.getOrganizationMember: ${matches.length} members have the email '${args.email}' (user ids ${matches.map((m) => m.id).join(", ")}).`);
    }
    const [member] = matches;
    return { userId: member.id, email: member.email, firstName: member.first_name ?? undefined, lastName: member.last_name ?? undefined, role: member.role };
  },
});

/** The use-case categories the catalogue filters by (`@openrouter/sdk` `GetModelsCategory`; the API may add more). */
const MODEL_CATEGORIES = [
  "programming", "roleplay", "marketing", "marketing/seo", "technology", "science", "translation",
  "legal", "finance", "health", "trivia", "academia",
] as const;

/** One model's fields, as `getModel` answers them and `getModels` lists them. */
function modelFields() {
  return {
    id: output(z.string(), { doc: "The model's id (`author/slug`), what requests, presets and guardrails name." }),
    canonicalSlug: output(z.string(), { doc: "Its permanent slug (e.g. `openai/gpt-4o-2024-05-13`): what guardrails store and private endpoints take as `modelPermaslug`." }),
    name: output(z.string(), { doc: "Its display name." }),
    description: output(z.string().optional(), { doc: "Its description." }),
    created: output(z.number(), { doc: "When it was added, in Unix seconds." }),
    contextLength: output(z.number().optional(), { doc: "Its context window in tokens (unset when unknown)." }),
    maxCompletionTokens: output(z.number().optional(), { doc: "The most tokens its top provider completes in one request (unset when unknown)." }),
    isModerated: output(z.boolean(), { doc: "Whether its top provider moderates content." }),
    inputModalities: output(z.array(z.string()), { doc: "What it takes, e.g. `text`, `image`, `file`, `audio`." }),
    outputModalities: output(z.array(z.string()), { doc: "What it makes, e.g. `text`, `image`, `embeddings`." }),
    tokenizer: output(z.string().optional(), { doc: "Its tokenizer family (e.g. `GPT`, `Claude`)." }),
    supportedParameters: output(z.array(z.string()), { doc: "The request parameters it supports (e.g. `tools`, `temperature`, `response_format`)." }),
    pricing: output(z.record(z.string(), z.string()), { doc: "Its rates in USD per unit as decimal strings, by kind: `prompt` and `completion` per token, and e.g. `request`, `image`, `input_cache_read` where it has them." }),
    huggingFaceId: output(z.string().optional(), { doc: "Its Hugging Face id, when it has one." }),
    knowledgeCutoff: output(z.string().optional(), { doc: "The date its training data ends (YYYY-MM-DD), when known." }),
    expirationDate: output(z.string().optional(), { doc: "The date after which it may be removed (YYYY-MM-DD), when set." }),
  };
}

/** A catalogue model in the look-ups' camelCase form; only the string rates of its pricing. */
function modelOf(model: ModelJson) {
  const optional = <T>(value: T | null | undefined) => value ?? undefined;
  return {
    id: model.id,
    canonicalSlug: model.canonical_slug,
    name: model.name,
    description: optional(model.description),
    created: model.created,
    contextLength: optional(model.context_length),
    maxCompletionTokens: optional(model.top_provider?.max_completion_tokens),
    isModerated: model.top_provider?.is_moderated ?? false,
    inputModalities: model.architecture?.input_modalities ?? [],
    outputModalities: model.architecture?.output_modalities ?? [],
    tokenizer: optional(model.architecture?.tokenizer),
    supportedParameters: model.supported_parameters ?? [],
    pricing: Object.fromEntries(Object.entries(model.pricing ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === "string")),
    huggingFaceId: optional(model.hugging_face_id),
    knowledgeCutoff: optional(model.knowledge_cutoff),
    expirationDate: optional(model.expiration_date),
  };
}

/** List results: their rows are typed by the named item type (`types`), which the zod schema only sees as objects. */
const rowsOf = <T extends object>(rows: T[]) => rows as unknown as Record<string, never>[];

/** A comma-separated list as the catalogue's query takes it. */
const commaList = (values: string[] | undefined) => (values && values.length > 0 ? values.join(",") : undefined);

export const getModels = declareLookup({
  name: "openrouter:getModels",
  doc:
    "Lists the models of OpenRouter's public catalogue (every page read), filtered as the API filters them: by use-case " +
    "`category`, by the request parameters they all support, and by output modality (only text models unless " +
    "`outputModalities` says otherwise, as the API does). The catalogue is the same for every account.\n\n" +
    "```ts\n" +
    'const toolModels = openrouter.getModelsOutput({ category: "programming", supportedParameters: ["tools"] });\n' +
    "new openrouter.Guardrail(\"coding\", { allowedModels: toolModels.ids });\n" +
    "```",
  args: () => ({
    category: input(z.enum(MODEL_CATEGORIES).optional(), { doc: `Only models ranked in this use-case category: ${MODEL_CATEGORIES.map((c) => `\`${c}\``).join(", ")}.` }),
    supportedParameters: input(z.array(z.string().min(1, "must not be empty")).optional(), {
      doc: "Only models supporting every one of these request parameters (e.g. `tools`, `response_format`, `reasoning`).",
    }),
    outputModalities: input(z.array(z.string().min(1, "must not be empty")).optional(), {
      doc: "Only models making one of these (`text`, `image`, `embeddings`, `audio`, …), or `[\"all\"]` for every model; unset: text models, the API's default.",
    }),
  }),
  results: () => ({
    ids: output(z.array(z.string()), { doc: "The ids of the models found, in the catalogue's order." }),
    models: output(z.array(z.object({})), { doc: "The models found.", sdkType: "GetModelsModel[]" }),
  }),
  types: () => ({ GetModelsModel: modelFields() }),
  async run(args, configured) {
    const models = await listModels(openrouterClient({ configured }), {
      category: args.category,
      supported_parameters: commaList(args.supportedParameters),
      output_modalities: commaList(args.outputModalities),
    });
    return { ids: models.map((m) => m.id), models: rowsOf(models.map(modelOf)) };
  },
});

export const getModel = declareLookup({
  name: "openrouter:getModel",
  doc:
    "Looks up one model of OpenRouter's public catalogue by its id (`author/slug`, a variant such as `:free` allowed); fails " +
    "when the catalogue has no such model.\n\n" +
    "```ts\n" +
    'const gpt4o = openrouter.getModelOutput({ id: "openai/gpt-4o" });\n' +
    "export const permaslug = gpt4o.canonicalSlug;\n" +
    "```",
  args: () => ({
    id: input(z.string().regex(/^[^/\s]+\/[^/\s]+$/, "must be a model id, author/slug (e.g. openai/gpt-4o)"), { doc: "The model's id, `author/slug`.", example: "openai/gpt-4o" }),
  }),
  results: modelFields,
  async run(args, configured) {
    const model = await getModelById(openrouterClient({ configured }), args.id);
    if (!model) throw new Error(`openrouter.getModel: the catalogue has no model '${args.id}'.`);
    return modelOf(model);
  },
});

function providerFields() {
  return {
    slug: output(z.string(), { doc: "The provider's slug: what routing preferences, BYOK keys and private endpoints name." }),
    name: output(z.string(), { doc: "Its display name." }),
    headquarters: output(z.string().optional(), { doc: "Where it is headquartered (ISO 3166-1 alpha-2), when known." }),
    datacenters: output(z.array(z.string()).optional(), { doc: "Where its datacenters are (ISO 3166-1 alpha-2 codes), when known." }),
    privacyPolicyUrl: output(z.string().optional(), { doc: "Its privacy policy." }),
    termsOfServiceUrl: output(z.string().optional(), { doc: "Its terms of service." }),
    statusPageUrl: output(z.string().optional(), { doc: "Its status page." }),
  };
}

export const getProviders = declareLookup({
  name: "openrouter:getProviders",
  doc:
    "Lists the providers that serve OpenRouter's public catalogue, with where they are and their policies. The list is the " +
    "same for every account.\n\n" +
    "```ts\n" +
    "const providers = openrouter.getProvidersOutput({});\n" +
    'export const euHosted = providers.providers.apply((all) => all.filter((p) => p.datacenters?.includes("DE")).map((p) => p.slug));\n' +
    "```",
  args: () => ({}),
  results: () => ({
    slugs: output(z.array(z.string()), { doc: "The providers' slugs, in the catalogue's order." }),
    providers: output(z.array(z.object({})), { doc: "The providers.", sdkType: "GetProvidersProvider[]" }),
  }),
  types: () => ({ GetProvidersProvider: providerFields() }),
  async run(_args, configured) {
    const providers = await listProviders(openrouterClient({ configured }));
    return {
      slugs: providers.map((p) => p.slug),
      providers: rowsOf(providers.map((p) => ({
        slug: p.slug,
        name: p.name,
        headquarters: p.headquarters ?? undefined,
        datacenters: p.datacenters ?? undefined,
        privacyPolicyUrl: p.privacy_policy_url ?? undefined,
        termsOfServiceUrl: p.terms_of_service_url ?? undefined,
        statusPageUrl: p.status_page_url ?? undefined,
      }))),
    };
  },
});
