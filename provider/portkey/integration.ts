/**
 * Portkey integration: `/integrations`, a provider's credential (and its
 * provider-specific configuration) held for the organisation, or for one
 * workspace. The API addresses an integration by its slug, so the slug is the
 * resource id. `slug`, `ai_provider_id` and `workspace_id` cannot be updated
 * and replace it; the rest is updated in place with PUT.
 *
 * The credential (`key`) is never returned by the API (only `masked_key`), so
 * it is carried from the program: it can be rotated (changing it sends it)
 * but its drift cannot be seen. Secret configuration fields come back renamed
 * `masked_<field>`: they too are carried, the other fields are read back.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { normalize, sortedKeys } from "../framework";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { requireWorkspace, resolveWorkspace } from "./api/workspaces";
import {
  ApiIntegrationDetail,
  createIntegration,
  deleteIntegration,
  getIntegration,
  listIntegrationsWithServerTime,
  updateIntegration,
} from "./api/integrations";
import { listIntegrations } from "./api/integrations";

const SLUG = /^[a-zA-Z0-9_-]+$/;

/** One `secretMappings` entry (the SDK's `SecretMappingArgs`). */
export function secretMappingSchema() {
  return z
    .object({
      targetField: z
        .string()
        .regex(/^(key|configurations\.[A-Za-z0-9_]+)$/, "must be `key` or `configurations.<field>`")
        .describe("The field filled from the secret: `key`, or `configurations.<field>` (e.g. `configurations.aws_secret_access_key`)."),
      secretReferenceId: z.string().min(1, "must not be empty").describe("The SecretReference, by UUID or slug: pass a SecretReference's `id`."),
      secretKey: z.string().min(1, "must not be empty").optional().describe("The key to take from a secret holding several values, instead of the reference's `secretKey`."),
      valueFormat: z.enum(["string", "json"]).optional().describe("`string` (Portkey's default) or `json` (the value is parsed as JSON)."),
    })
    .strict()
    .describe("A field of the integration that Portkey fills from a secret reference.");
}

export type SecretMapping = z.output<ReturnType<typeof secretMappingSchema>>;

/** The `secretMappings` input (integrations and MCP integrations): left alone unless declared, `[]` removes every mapping, order means nothing. */
export function secretMappingsInput(doc: string) {
  return input(
    z
      .array(secretMappingSchema())
      .optional()
      .refine((mappings) => !mappings || new Set(mappings.map((m) => m.targetField)).size === mappings.length, "must map each targetField once"),
    {
      doc,
      outputDoc: "The mappings as read back.",
      api: "secret_mappings",
      sdkType: "SecretMappingArgs[]",
      serverOwnedUnlessDeclared: true,
      keepEmpty: true,
      toApi: (mappings) =>
        mappings?.map((m) => ({
          target_field: m.targetField,
          secret_reference_id: m.secretReferenceId,
          ...(m.secretKey !== undefined ? { secret_key: m.secretKey } : {}),
          ...(m.valueFormat !== undefined ? { value_format: m.valueFormat } : {}),
        })),
      fromApi: (value) => (Array.isArray(value) ? value.map((m) => secretMappingFromApi(m as Record<string, unknown>)) : undefined),
      // Order means nothing: compared sorted by target.
      comparable: (value) => (Array.isArray(value) ? normalize([...(value as SecretMapping[])].sort((a, b) => a.targetField.localeCompare(b.targetField))) ?? [] : undefined),
    },
  );
}

/** Token kinds a pricing multiplier can name (the official document's `multiplier` keys besides `default`, `image`, `additional_units`). */
const PRICED_TOKENS = [
  "request_token",
  "response_token",
  "cache_read_input_token",
  "cache_write_input_token",
  "cache_read_audio_input_token",
  "request_audio_token",
  "response_audio_token",
  "reasoning_token",
  "prediction_accepted_token",
  "prediction_rejected_token",
  "request_image_token",
  "response_image_token",
  "request_text_token",
  "response_text_token",
  "cache_read_image_input_token",
  "cache_read_text_input_token",
  "cache_write_text_input_token",
  "cache_write_image_input_token",
] as const;

/** `pricing_adjustments` in the API's own names, as strict as the document (unknown keys and negative multipliers refused). */
function pricingAdjustmentsSchema() {
  const multiplier = () => z.number().min(0, "must be at least 0");
  return z
    .object({
      multiplier: z
        .object({
          default: multiplier().optional(),
          ...Object.fromEntries(PRICED_TOKENS.map((token) => [token, multiplier().optional()])),
          image: z.object({ default: multiplier().optional() }).strict().optional(),
          additional_units: z.record(z.string().min(1), multiplier()).optional(),
        })
        .strict(),
    })
    .strict();
}

/** The SDK's named types declared here (scripts/generate.ts writes them to sdk/portkey/types.ts). */
export function integrationSdkTypes() {
  return { SecretMappingArgs: secretMappingSchema() };
}

function integrationInputs() {
  return {
    name: input(z.string().trim().min(1, "must not be empty"), {
      example: "Shared OpenAI",
      doc: "The integration's display name.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    slug: input(z.string().regex(SLUG, "must be a slug (letters, digits, - and _)").max(255).optional(), {
      doc:
        "The integration's slug: how providers, access grants and requests name it (`@<slug>/<model>`). " +
        "Portkey generates one from the name when it is not given; changing it replaces the integration. Unique in the organisation: a replacement " +
        "that keeps the slug, or leaves it to Portkey, deletes the old integration first.",
      outputDoc: "The integration's slug (the same as `id`).",
      api: "slug",
      replaces: true,
      unique: true,
      // Unset: the server's generated slug is kept, not compared.
      serverOwnedUnlessDeclared: true,
    }),
    aiProviderId: input(z.string().trim().min(1, "must not be empty"), {
      example: "openai",
      doc: "The AI provider, e.g. `openai`, `anthropic`, `bedrock`, `azure-openai`, `vertex-ai`. Changing it replaces the integration.",
      outputDoc: "The AI provider as given.",
      api: "ai_provider_id",
      replaces: true,
      // Kept as the user spelled it: the API may answer a normalised form (as the Terraform provider found).
      fromApi: (value, _answer, carried) => carried.aiProviderId ?? value ?? undefined,
    }),
    key: input(z.string().min(1, "must not be empty").optional(), {
      doc:
        "The provider credential (e.g. the OpenAI API key), a secret. Portkey never returns it, so it is not read back: " +
        "changing it sends the new one (a rotation), and a change made outside Pulumi is not seen. Not declaring it leaves " +
        "the integration's credential as it is: an imported integration previews clean without it, and the first `up` " +
        "that declares it sends it once. Some providers (e.g. Bedrock with an assumed role) need none.",
      outputDoc: "The credential as last sent (a secret).",
      api: "key",
      secret: true,
      carried: true,
      serverOwnedUnlessDeclared: true,
    }),
    description: input(z.string().optional(), {
      doc: "A description of the integration.",
      outputDoc: "The description as read back.",
      api: "description",
      // The documented update body types it as a string (not nullable): removing it sends "".
      clearAs: "",
    }),
    configurations: input(z.record(z.string(), z.json()).optional(), {
      doc:
        "Provider-specific settings, as structured JSON: e.g. `{ openai_organization }` for OpenAI, " +
        "`{ aws_auth_type, aws_region, aws_role_arn }` for Bedrock, `{ azure_auth_mode, azure_resource_name, azure_deployment_config }` " +
        "for Azure OpenAI; any provider takes `custom_host` and `custom_headers`. Kept as a secret (it can hold credentials). " +
        "Portkey returns secret fields only masked: those are compared with what was last sent, the others with what Portkey holds.",
      outputDoc: "The settings as read back, secret fields as last sent (a secret).",
      api: "configurations",
      secret: true,
      // The document's update body is an object: removing it sends an empty one.
      clearAs: {},
      comparable: (value) => sortedKeys(value),
      fromApi: (value, _answer, carried) => configurationsRead(value, carried.configurations),
    }),
    workspaceId: workspaceIdInput({
      doc:
        "The workspace, by UUID or slug, for an integration that belongs to one workspace; without it the integration is the " +
        "organisation's (shared with workspaces by IntegrationWorkspaceAccess). Changing it replaces the integration; switching " +
        "between the slug and the UUID of the same workspace is not a change. Pass a Workspace's `id`.",
      outputDoc: "The workspace as given (as Portkey names it, after an import).",
      optional: true,
    }),
    secretMappings: secretMappingsInput(
      "Fields Portkey fills from SecretReferences instead of holding them (enterprise): e.g. `[{ targetField: \"key\", secretReferenceId: ref.id }]` " +
        "takes the credential from the store, and `key` is then left out. Not declared: whatever is mapped is left alone; `[]` removes every mapping.",
    ),
    // Typed for the schema as JSON (its nested objects have no named types), checked against the document's strict shape.
    pricingAdjustments: input(
      z
        .record(z.string(), z.json())
        .superRefine((value, ctx) => {
          const checked = pricingAdjustmentsSchema().safeParse(value);
          if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ code: "custom", path: issue.path as (string | number)[], message: issue.message });
        })
        .optional(),
      {
      doc:
        "Multipliers on Portkey's prices for this integration's requests, in the API's own names: " +
        "`{ multiplier: { default, request_token, response_token, cache_read_input_token, …, image: { default }, additional_units: { web_search, … } } }`. " +
        "1 is the listed price, 0.8 a 20% discount; a token kind left out takes `default`. Applies to later requests (logs, analytics, budgets). " +
        "Removing it clears every adjustment.",
      outputDoc: "The adjustments as read back.",
      api: "pricing_adjustments",
    },
    ),
    createDefaultProvider: input(z.boolean().optional(), {
      doc:
        "For a workspace's integration: whether Portkey also creates a default provider for it in the workspace (Portkey's " +
        "default: true). Only used at creation. Such a provider blocks deleting the workspace unless the Workspace sets `forceDelete`.",
      api: "create_default_provider",
      notCompared: true,
    }),
    defaultProviderSlug: input(z.string().regex(SLUG, "must be a slug (letters, digits, - and _)").max(255).optional(), {
      doc: "For a workspace's integration: the slug of the default provider created with it (must not exist in the workspace). Only used at creation.",
      api: "default_provider_slug",
      notCompared: true,
    }),
  };
}

function integrationOutputs() {
  return {
    integrationId: output(z.string(), { stable: true, doc: "The integration's UUID.", api: "id" }),
    status: output(z.string().optional(), { doc: "The integration's status: `active` or `archived`.", api: "status" }),
    type: output(z.string().optional(), { stable: true, doc: "`organisation` or `workspace` (whether it belongs to one workspace).", api: "type" }),
    maskedKey: output(z.string().optional(), { doc: "The credential as Portkey shows it, masked (e.g. `sk*******ab`).", api: "masked_key" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID, whatever spelling `workspaceId` used (a workspace's integration)." }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug (a workspace's integration)." }),
    organisationId: output(z.string().optional(), { stable: true, doc: "The organisation's UUID.", api: "organisation_id" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When Portkey created the integration (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string().optional(), { doc: "When Portkey last changed the integration (RFC 3339).", api: "last_updated_at" }),
  };
}

type Shape = ShapeOf<typeof integrationInputs, typeof integrationOutputs>;

export const integration = declareResource({
  kind: "portkey:Integration",
  enumerate: {
    prefix: "integration",
    identity: ["workspaceId", "slug"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx) {
      return (await listIntegrations(portkeyClient(ctx))).map((i) => ({ id: i.slug, name: i.name }));
    },
  },
  doc:
    "A Portkey integration (`/integrations`): an AI provider's credential and settings, for the organisation or for one workspace. " +
    "The resource id is the integration's slug. The credential is a secret and is never read back.\n\n" +
    "```ts\n" +
    'const openai = new portkey.Integration("openai", {\n' +
    '  name: "OpenAI production",\n' +
    '  slug: "openai-prod",\n' +
    '  aiProviderId: "openai",\n' +
    '  key: config.requireSecret("openaiKey"),\n' +
    '  configurations: { openai_organization: "org-123" },\n' +
    "});\n" +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: integrationInputs,
  outputs: integrationOutputs,

  refine(inputs, issue) {
    if (inputs.workspaceId === undefined) {
      if (inputs.createDefaultProvider !== undefined) issue(["createDefaultProvider"], "only applies to a workspace's integration (set `workspaceId`)");
      if (inputs.defaultProviderSlug !== undefined) issue(["defaultProviderSlug"], "only applies to a workspace's integration (set `workspaceId`)");
    }
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx, secretsOf(inputs));
    const workspace = inputs.workspaceId === undefined ? undefined : await requireWorkspace(client, ctx, inputs.workspaceId);
    const body = { ...ctx.createBody(inputs), ...(workspace ? { workspace_id: workspace.id } : {}) };
    const slugs = new Map<string, string>();
    const created = await createWithRecovery(ctx, {
      what: `Portkey integration '${inputs.slug ?? inputs.name}'`,
      // The slug is unique in the organisation; without one, only the name tells the look-alikes apart.
      naturalKey: inputs.slug !== undefined ? `portkey:Integration:slug:${inputs.slug}` : `portkey:Integration:name:${inputs.name}`,
      post: () => createIntegration(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { integrations, serverTime } = await listIntegrationsWithServerTime(client);
        const same = integrations.filter((i) => (inputs.slug !== undefined ? i.slug === inputs.slug : i.name === inputs.name));
        for (const i of same) slugs.set(i.id, i.slug);
        return { candidates: same.map((i) => ({ id: i.id, createdAt: i.created_at })), serverTime };
      },
      recover: { adopt: async (candidate) => ({ id: candidate.id, slug: slugs.get(candidate.id) ?? "" }) },
      cleanup: "delete it in the Portkey UI under Integrations, or with DELETE /integrations/{slug}",
    });
    const known: Partial<Shape["outputs"]> = {
      ...inputs,
      slug: created.slug,
      integrationId: created.id,
      resolvedWorkspaceId: workspace?.id,
      workspaceSlug: workspace?.slug,
    };
    ctx.created(created.slug, known);
    return { id: created.slug, outputs: await readBack(client, ctx, created.slug, known) };
  },

  async read(id, outputs, ctx) {
    const client = portkeyClient(ctx, secretsOf(outputs));
    const json = await getIntegration(client, id);
    if (!json) return undefined;
    return ctx.outputsFrom(json, { ...outputs, ...(await workspaceOf(client, ctx, json, outputs)) });
  },

  // The default update and delete; the client keeps the credential and secret configuration values out of messages.
  endpoints: {
    get: (ctx, slug, values) => getIntegration(portkeyClient(ctx, values.flatMap(secretsOf)), slug),
    update: (ctx, slug, body, values) => updateIntegration(portkeyClient(ctx, values.flatMap(secretsOf)), slug, body),
    delete: (ctx, slug, values) => deleteIntegration(portkeyClient(ctx, values.flatMap(secretsOf)), slug),
  },
});

/** One mapping as the API answers it, in the SDK's names (unset optional fields left out). */
export function secretMappingFromApi(json: Record<string, unknown>): SecretMapping {
  return {
    targetField: String(json.target_field),
    secretReferenceId: String(json.secret_reference_id),
    ...(typeof json.secret_key === "string" ? { secretKey: json.secret_key } : {}),
    ...(json.value_format === "string" || json.value_format === "json" ? { valueFormat: json.value_format } : {}),
  };
}

/** The integration as read back after a write; `carried` holds the inputs written. */
async function readBack(client: ApiClient, ctx: Shape["context"], slug: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const json = await getIntegration(client, slug);
  if (!json) throw new Error(`integration ${slug} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}

/** The workspace's UUID and slug, resolved once (an imported integration knows only Portkey's spelling). */
async function workspaceOf(
  client: ApiClient,
  ctx: Shape["context"],
  json: ApiIntegrationDetail,
  outputs: Partial<Shape["outputs"]>,
): Promise<Partial<Shape["outputs"]>> {
  if (!json.workspace_id || outputs.resolvedWorkspaceId) return {};
  const workspace = await resolveWorkspace(client, ctx, json.workspace_id);
  return workspace ? { resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug } : {};
}

/** Field names Portkey treats as secret in `configurations` (it answers them as `masked_<field>`). */
const SECRET_FIELD = /(secret|key|token|password|service_account)/i;

/** The values the client keeps out of every message: the credential and secret-looking configuration strings. */
function secretsOf(values: Partial<Shape["inputs"]>): string[] {
  const secrets = values.key ? [values.key] : [];
  for (const [field, value] of Object.entries(values.configurations ?? {})) {
    if (SECRET_FIELD.test(field) && typeof value === "string" && value.length > 0) secrets.push(value);
  }
  return secrets;
}

/**
 * `configurations` as read: plain fields as Portkey holds them; each
 * `masked_<field>` replaced by the value last sent (unreadable, so carried),
 * or left out when none was sent (an import), so the program's value shows
 * as a change that sends it once.
 */
export function configurationsRead(value: unknown, carried: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const sent = carried !== null && typeof carried === "object" && !Array.isArray(carried) ? (carried as Record<string, unknown>) : {};
  const result: Record<string, unknown> = {};
  for (const [field, held] of Object.entries(value as Record<string, unknown>)) {
    const masked = field.startsWith("masked_") ? field.slice("masked_".length) : undefined;
    if (masked === undefined) result[field] = held;
    else if (sent[masked] !== undefined) result[masked] = sent[masked];
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

