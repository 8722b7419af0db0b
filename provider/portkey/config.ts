/**
 * Portkey gateway config: `/configs`. The API addresses a config by its
 * server-set slug, so the slug is the resource id. Its workspace and its
 * default flag are fixed at creation (the update takes only `name`, `config`
 * and `status`) and replace the config when they change; every update makes a
 * new version.
 */
import { z } from "zod";
import { isApiFailure, isGone } from "../errors";
import { configKeysOf } from "../config";
import { sortedKeys } from "../framework";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { requireWorkspace } from "./api/workspaces";
import { ApiConfig, createConfig, deleteConfig, getConfig, listConfigs, updateConfig } from "./api/configs";
import { listPerParent } from "../enumeration";

function configInputs() {
  return {
    workspaceId: workspaceIdInput({
      doc:
        "The workspace the config belongs to, by UUID or slug. Changing it replaces the config; switching between the slug and the UUID " +
        "of the same workspace is not a change. Pass a Workspace's `id`.",
    }),
    name: input(z.string().trim().min(1, "must not be empty"), {
      doc: "The config's display name.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    config: input(z.record(z.string(), z.json()), {
      example: { retry: { attempts: 3 }, cache: { mode: "simple" } },
      doc:
        "The gateway config, as structured JSON (sent as an object): e.g. `retry`, `cache`, `strategy`, `targets`, " +
        "`input_guardrails`/`output_guardrails` (slugs). Compared by meaning: Portkey's re-serialisation (key order) is not a change.",
      outputDoc: "The gateway config as read back.",
      api: "config",
      // Portkey stores it re-serialised: only the order of keys may differ, and that means nothing.
      comparable: (value) => sortedKeys(value),
      fromApi: (value) => (value !== null && typeof value === "object" && !Array.isArray(value) ? { ...value } : undefined),
    }),
    isDefault: input(z.boolean().optional(), {
      doc:
        "Whether the config is its workspace's default. Portkey takes it only at creation (no update or make-default call exists), " +
        "so changing it replaces the config. Portkey's default: false.",
      outputDoc: "Whether the config is the workspace's default (when declared or true).",
      api: "isDefault",
      replaces: true,
      serverDefault: false,
      // The create body wants camelCase 0/1; the answer has `is_default`, 0/1.
      toApi: (value) => (value ? 1 : 0),
      fromApi: (_value, answer, carried) => {
        const flag = (answer as Partial<ApiConfig>).is_default;
        if (flag === 1 || flag === true) return true;
        return carried.isDefault === undefined ? undefined : false;
      },
    }),
  };
}

function configOutputs() {
  return {
    slug: output(z.string(), { stable: true, doc: "Portkey's slug for the config, e.g. `pc-retry-1a2b3c` (the same as `id`): what API keys, workspaces and requests name it by.", api: "slug" }),
    configId: output(z.string(), { stable: true, doc: "The config's UUID.", api: "id" }),
    versionId: output(z.string().optional(), { doc: "The current version's UUID; every update makes a new version.", api: "version_id" }),
    status: output(z.string().optional(), { doc: "The config's status, e.g. `active`.", api: "status" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID, whatever spelling `workspaceId` used.", api: "workspace_id" }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug." }),
    organisationId: output(z.string().optional(), { stable: true, doc: "The organisation's UUID.", api: "organisation_id" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When Portkey created the config (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string().optional(), { doc: "When Portkey last changed the config (RFC 3339).", api: "last_updated_at" }),
  };
}

type Shape = ShapeOf<typeof configInputs, typeof configOutputs>;

export const config = declareResource({
  kind: "portkey:Config",
  enumerate: {
    prefix: "config",
    identity: ["workspaceId", "name"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx, listed) {
      const client = portkeyClient(ctx);
      return listPerParent(listed("portkey:Workspace"), async (w) => (await listConfigs(client, w.id)).configs.map((c) => ({ id: c.slug, name: c.name })));
    },
  },
  doc:
    "A Portkey gateway config (`/configs`) in a workspace. The resource id is the config's slug.\n\n" +
    "```ts\n" +
    'const fallback = new portkey.Config("fallback", {\n' +
    "  workspaceId: dev.id,\n" +
    '  name: "fallback",\n' +
    '  config: { retry: { attempts: 3 }, strategy: { mode: "fallback" }, targets: [{ provider: "@openai-prod" }, { provider: "@anthropic-prod" }] },\n' +
    "});\n" +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: configInputs,
  outputs: configOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = await requireWorkspace(client, ctx, inputs.workspaceId);
    // The document types workspace_id as a UUID: the resolved one is sent, whatever the spelling.
    const body = { ...ctx.createBody(inputs), workspace_id: workspace.id };
    const slugs = new Map<string, string>();
    const created = await createWithRecovery(ctx, {
      what: `Portkey config '${inputs.name}'`,
      naturalKey: `portkey:Config:${workspace.id}:${inputs.name}`,
      post: () => createConfig(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { configs, serverTime } = await listConfigs(client, workspace.id);
        const named = configs.filter((c) => c.name === inputs.name && (!c.workspace_id || c.workspace_id === workspace.id));
        for (const c of named) slugs.set(c.id, c.slug);
        return { candidates: named.map((c) => ({ id: c.id, createdAt: c.created_at })), serverTime };
      },
      recover: { adopt: async (candidate) => ({ id: candidate.id, slug: slugs.get(candidate.id) }) },
      cleanup: "delete it in the Portkey UI under Configs, or with DELETE /configs/{slug}",
    });
    // The document's create answer has no slug (the live one does): then the list names it.
    const slug = created.slug ?? (await listConfigs(client, workspace.id)).configs.find((c) => c.id === created.id)?.slug;
    if (!slug) throw new Error(`Portkey created config '${inputs.name}' (${created.id}) but does not list it; delete it by hand and run \`pulumi up\` again.`);
    const known = { ...inputs, slug, configId: created.id, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    ctx.created(slug, known);
    return { id: slug, outputs: await readBack(client, ctx, slug, known) };
  },

  // The default read and update; the stored outputs come first in `values` and know the workspace.
  endpoints: {
    get: (ctx, slug, [stored]) => getConfig(portkeyClient(ctx), slug, stored.resolvedWorkspaceId),
    update: (ctx, slug, body) => updateConfig(portkeyClient(ctx), slug, body),
  },

  async delete(id, outputs, ctx) {
    try {
      await deleteConfig(portkeyClient(ctx), id);
    } catch (error) {
      if (isGone(error)) return;
      if (isApiFailure(error, "conflict")) {
        throw new Error(
          `Portkey refused to delete config '${outputs.name}' (${id}): ${error.apiMessage} ` +
            "A config that is a workspace's default for user API keys (the Workspace's `userApiKeyConfig`) cannot be deleted: unset that first.",
        );
      }
      throw error;
    }
  },
});

/** The config as read back after a write; `carried` holds the inputs written. */
async function readBack(client: ApiClient, ctx: Shape["context"], slug: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const json = await getConfig(client, slug, carried.resolvedWorkspaceId);
  if (!json) throw new Error(`config ${slug} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}

