/**
 * Portkey secret reference: `/secret-references` (enterprise). Where
 * Portkey's gateway fetches a secret (AWS Secrets Manager, Azure Key Vault,
 * HashiCorp Vault) and the credentials it uses to reach that store, so that
 * integrations can map their key or configuration fields to it instead of
 * holding the raw value. The resource id is the reference's UUID.
 *
 * `manager_type` is ignored by the update, and the slug names the reference
 * elsewhere: both replace it. The store credentials in `authConfig` come back
 * only masked (`masked_<field>`), so they are carried from the program: a
 * change sends `authConfig` again, a change made outside Pulumi to a
 * credential is not seen; the other `authConfig` fields are read back.
 * `allowed_workspaces` is never returned, so it is carried too; whether the
 * reference is open to all workspaces is read back.
 */
import { z } from "zod";
import { isGone } from "../errors";
import { configKeysOf } from "../config";
import { createWithRecovery } from "../recovery";
import { ApiClient } from "../http";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS } from "./common";
import { configurationsRead } from "./integration";
import { sortedKeys } from "../framework";
import {
  createSecretReference,
  deleteSecretReference,
  getSecretReference,
  listSecretReferences,
  updateSecretReference,
} from "./api/secret-references";

const SLUG = /^[a-zA-Z0-9_-]+$/;
const MANAGER_TYPES = ["aws_sm", "azure_kv", "hashicorp_vault"] as const;
type ManagerType = (typeof MANAGER_TYPES)[number];

/** Per manager type: the field naming the auth mode, and each mode's required fields (the document's auth schemas). */
const AUTH_MODES: Record<ManagerType, { field: string; modes: Record<string, string[]> }> = {
  aws_sm: {
    field: "aws_auth_type",
    modes: { accessKey: ["aws_access_key_id", "aws_secret_access_key", "aws_region"], assumedRole: ["aws_role_arn", "aws_region"], serviceRole: [] },
  },
  azure_kv: {
    field: "azure_auth_mode",
    modes: { entra: ["azure_entra_tenant_id", "azure_entra_client_id", "azure_entra_client_secret", "azure_vault_url"], managed: ["azure_vault_url"], default: ["azure_vault_url"] },
  },
  hashicorp_vault: {
    field: "vault_auth_type",
    modes: { token: ["vault_addr", "vault_token"], approle: ["vault_addr", "vault_role_id", "vault_secret_id"], kubernetes: ["vault_addr", "vault_role"] },
  },
};

function secretReferenceInputs() {
  return {
    name: input(z.string().trim().min(1, "must not be empty").max(255, "must be at most 255 characters"), {
      doc: "The reference's display name (1–255 characters).",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    slug: input(z.string().regex(SLUG, "must be a slug (letters, digits, - and _)").max(255, "must be at most 255 characters").optional(), {
      doc:
        "The slug integrations' `secretMappings` can name it by, unique in the organisation. Portkey derives one from the name when it is not given; changing it " +
        "replaces the reference. A replacement that keeps the slug, or leaves it to Portkey, deletes the old reference first: the slug is taken until then.",
      outputDoc: "The reference's slug.",
      api: "slug",
      replaces: true,
      unique: true,
      // Unset: the server's derived slug is kept, not compared.
      serverOwnedUnlessDeclared: true,
    }),
    description: input(z.string().max(1024, "must be at most 1024 characters").optional(), {
      doc: "A description, at most 1024 characters. Removing it clears it.",
      outputDoc: "The description as read back.",
      api: "description",
    }),
    managerType: input(z.enum(MANAGER_TYPES), {
      doc:
        "The secret store: `aws_sm` (AWS Secrets Manager), `azure_kv` (Azure Key Vault) or `hashicorp_vault`. Portkey cannot change it, so changing it " +
        "replaces the reference.",
      outputDoc: "The secret store.",
      api: "manager_type",
      replaces: true,
    }),
    authConfig: input(z.record(z.string(), z.string()), {
      doc:
        "How Portkey authenticates to the store, in the API's form, a secret. One mode of the store's family: AWS `aws_auth_type` " +
        "`accessKey` (`aws_access_key_id`, `aws_secret_access_key`, `aws_region`), `assumedRole` (`aws_role_arn`, `aws_region`, `aws_external_id`?) " +
        "or `serviceRole` (`aws_region`?); Azure `azure_auth_mode` `entra` (`azure_entra_tenant_id`, `azure_entra_client_id`, " +
        "`azure_entra_client_secret`, `azure_vault_url`), `managed` (`azure_vault_url`, `azure_managed_client_id`?) or `default` (`azure_vault_url`); " +
        "Vault `vault_auth_type` `token` (`vault_addr`, `vault_token`), `approle` (`vault_addr`, `vault_role_id`, `vault_secret_id`) or " +
        "`kubernetes` (`vault_addr`, `vault_role`), each with `vault_namespace`?. Portkey returns the credentials only masked: they are " +
        "compared with what was last sent (changing one sends `authConfig` again), the other fields with what Portkey holds.",
      example: { aws_auth_type: "serviceRole", aws_region: "eu-west-1" },
      outputDoc: "The store authentication as read back, credentials as last sent (a secret).",
      api: "auth_config",
      secret: true,
      comparable: (value) => sortedKeys(value),
      fromApi: (value, _answer, carried) => configurationsRead(value, carried.authConfig) as Record<string, string> | undefined,
    }),
    secretPath: input(z.string().min(1, "must not be empty").max(1024, "must be at most 1024 characters"), {
      doc: "Where the secret is in the store, e.g. `prod/api-keys/openai` (an AWS secret name, a Key Vault secret name, a Vault path).",
      outputDoc: "The path as read back.",
      api: "secret_path",
    }),
    secretKey: input(z.string().min(1, "must not be empty").max(255, "must be at most 255 characters").optional(), {
      doc: "The key to take from a secret holding several values (JSON). Removing it clears it (the whole secret is used).",
      outputDoc: "The key as read back.",
      api: "secret_key",
    }),
    allowedWorkspaces: input(z.array(z.string().min(1, "must not be empty")).min(1, "must name at least one workspace (leave it out for all workspaces)").optional(), {
      doc:
        "The only workspaces (UUIDs or slugs) that may use the reference. Not set: every workspace may. Portkey never returns the list, " +
        "so it is compared with what was last sent; a reference opened to all workspaces outside Pulumi shows as a change.",
      outputDoc: "The workspaces as last sent, when the reference is restricted.",
      api: "allowed_workspaces",
      // Order means nothing: compared as a set.
      comparable: (value) => (Array.isArray(value) ? [...new Set(value as string[])].sort() : undefined),
      // Never returned: the list last sent while Portkey says the reference is restricted, an empty one when it is restricted to a list not known here.
      fromApi: (_value, answer, carried) => (answer.allow_all_workspaces === false ? (carried.allowedWorkspaces ?? []) : undefined),
      keepEmpty: true,
    }),
    tags: input(z.record(z.string(), z.string()).optional(), {
      doc: "String tags. Removing them clears them.",
      outputDoc: "The tags as read back.",
      api: "tags",
    }),
  };
}

function secretReferenceOutputs() {
  return {
    secretReferenceId: output(z.string(), { stable: true, doc: "The reference's UUID (the same as `id`): what an Integration's `secretMappings` name it by.", api: "id" }),
    allowAllWorkspaces: output(z.boolean().optional(), { doc: "Whether every workspace may use the reference.", api: "allow_all_workspaces" }),
    status: output(z.string().optional(), { doc: "The reference's status, e.g. `ACTIVE`.", api: "status" }),
    organisationId: output(z.string().optional(), { stable: true, doc: "The organisation's UUID.", api: "organisation_id" }),
    createdBy: output(z.string().optional(), { doc: "Who created the reference.", api: "created_by" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When Portkey created the reference (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string().optional(), { doc: "When Portkey last changed the reference (RFC 3339).", api: "last_updated_at" }),
  };
}

type Shape = ShapeOf<typeof secretReferenceInputs, typeof secretReferenceOutputs>;

export const secretReference = declareResource({
  kind: "portkey:SecretReference",
  enumerate: {
    prefix: "secret-ref",
    identity: ["slug"],
    async list(ctx) {
      return (await listSecretReferences(portkeyClient(ctx))).references.map((r) => ({ id: r.id, name: r.name }));
    },
  },
  doc:
    "A Portkey secret reference (`/secret-references`, enterprise): a secret in AWS Secrets Manager, Azure Key Vault or HashiCorp " +
    "Vault, and how Portkey reaches it, so that an Integration's `secretMappings` can take its key from there. The resource id is the " +
    "reference's UUID. The store credentials in `authConfig` are a secret and are never read back.\n\n" +
    "```ts\n" +
    'const openaiKey = new portkey.SecretReference("openai-key", {\n' +
    '  name: "OpenAI key",\n' +
    '  managerType: "aws_sm",\n' +
    '  authConfig: { aws_auth_type: "assumedRole", aws_role_arn: "arn:aws:iam::123456789012:role/portkey", aws_region: "us-east-1" },\n' +
    '  secretPath: "prod/api-keys/openai",\n' +
    "});\n" +
    'new portkey.Integration("openai", { name: "OpenAI", aiProviderId: "openai", secretMappings: [{ targetField: "key", secretReferenceId: openaiKey.id }] });\n' +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: secretReferenceInputs,
  outputs: secretReferenceOutputs,

  refine(inputs, issue) {
    const family = AUTH_MODES[inputs.managerType];
    const mode = inputs.authConfig[family.field];
    const required = mode === undefined ? undefined : family.modes[mode];
    if (!required) {
      issue(["authConfig", family.field], `must be one of ${Object.keys(family.modes).map((m) => `\`${m}\``).join(", ")} for managerType \`${inputs.managerType}\``);
      return;
    }
  },

  validate(inputs, olds) {
    const family = AUTH_MODES[inputs.managerType];
    const mode = inputs.authConfig[family.field];
    const required = mode === undefined ? [] : (family.modes[mode] ?? []);
    // The store credentials are never read back: an imported reference holds none, and is managed without them
    // (as BYOK keys are) while its auth mode stays the same; a new reference, or a new mode, needs them all.
    const heldBefore = olds.authConfig?.[family.field] === mode ? olds.authConfig : undefined;
    return required
      .filter((field) => !inputs.authConfig[field] && (heldBefore === undefined || heldBefore[field] !== undefined))
      .map((field) => ({ property: "authConfig", reason: `authConfig.${field}: is required for ${family.field} \`${mode}\`` }));
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx, secretsOf(inputs));
    const body = ctx.createBody(inputs);
    const created = await createWithRecovery(ctx, {
      what: `Portkey secret reference '${inputs.slug ?? inputs.name}'`,
      // The slug is unique in the organisation; without one, only the name tells the look-alikes apart.
      naturalKey: inputs.slug !== undefined ? `portkey:SecretReference:slug:${inputs.slug}` : `portkey:SecretReference:name:${inputs.name}`,
      post: () => createSecretReference(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { references, serverTime } = await listSecretReferences(client, inputs.slug ?? inputs.name);
        const same = references.filter((r) => (inputs.slug !== undefined ? r.slug === inputs.slug : r.name === inputs.name));
        return { candidates: same.map((r) => ({ id: r.id, createdAt: r.created_at })), serverTime };
      },
      recover: { adopt: async (candidate) => ({ id: candidate.id, slug: "" }) },
      cleanup: "delete it in the Portkey UI under Secret References, or with DELETE /secret-references/{id}",
    });
    const known: Partial<Shape["outputs"]> = { ...inputs, secretReferenceId: created.id };
    ctx.created(created.id, known);
    return { id: created.id, outputs: await readBack(client, ctx, created.id, known) };
  },

  async read(id, outputs, ctx) {
    const json = await getSecretReference(portkeyClient(ctx, secretsOf(outputs)), id);
    return json && ctx.outputsFrom(json, outputs);
  },

  async update(id, olds, news, ctx) {
    const client = portkeyClient(ctx, [...secretsOf(olds), ...secretsOf(news)]);
    const body = ctx.updateBody(olds, news);
    // Removing the list opens the reference to every workspace again (the API's way; `allowed_workspaces: []` is refused).
    if ("allowed_workspaces" in body && body.allowed_workspaces === null) {
      delete body.allowed_workspaces;
      body.allow_all_workspaces = true;
    }
    if (Object.keys(body).length > 0) await updateSecretReference(client, id, body);
    return readBack(client, ctx, id, news);
  },

  async delete(id, outputs, ctx) {
    try {
      await deleteSecretReference(portkeyClient(ctx, secretsOf(outputs)), id);
    } catch (error) {
      if (isGone(error)) return;
      throw error;
    }
  },
});

/** The reference as read back after a write; `carried` holds the inputs written. */
async function readBack(client: ApiClient, ctx: Shape["context"], id: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const json = await getSecretReference(client, id);
  if (!json) throw new Error(`secret reference ${id} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}

/** The store credentials, kept out of every message the client writes. */
function secretsOf(values: Partial<Shape["inputs"]>): string[] {
  const credential = /(secret|token|access_key_id)/;
  return Object.entries(values.authConfig ?? {})
    .filter(([field, value]) => credential.test(field) && value.length > 0)
    .map(([, value]) => value);
}
