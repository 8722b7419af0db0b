/**
 * Portkey prompt collection: `/collections`, a folder of prompts in one
 * workspace, optionally inside another collection. The resource id is the
 * collection's UUID (the API echoes it whatever spelling a path used). Only
 * `name` can be updated; the workspace and the parent replace it.
 *
 * Every workspace also has a default collection that Portkey makes and never
 * deletes: it is not imported (nothing to manage), and partials live in it.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { isApiFailure, isGone } from "../errors";
import { listPerParent } from "../enumeration";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { inUseError, portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { requireWorkspace } from "./api/workspaces";
import { createCollection, deleteCollection, getCollection, isDefaultCollection, listCollections, updateCollection } from "./api/prompts";

/** A UUID: what the API answers for every collection id, whatever the path used. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function collectionInputs() {
  return {
    workspaceId: workspaceIdInput({
      doc:
        "The workspace the collection belongs to, by UUID or slug. Changing it replaces the collection; switching between the slug and " +
        "the UUID of the same workspace is not a change. Pass a Workspace's `id`.",
    }),
    name: input(z.string().trim().min(1, "must not be empty").max(255, "must be at most 255 characters"), {
      doc: "The collection's display name (the only field Portkey updates in place).",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    parentCollectionId: input(z.string().regex(UUID, "must be the parent collection's UUID (a PromptCollection's `id`)").optional(), {
      doc: "The collection this one is nested in, by UUID (pass a PromptCollection's `id`); unset: at the workspace's top level. Changing it replaces the collection.",
      outputDoc: "The parent collection's UUID, when nested.",
      api: "parent_collection_id",
      replaces: true,
    }),
  };
}

function collectionOutputs() {
  return {
    slug: output(z.string(), { stable: true, doc: "Portkey's slug for the collection; API paths take it as well as the UUID.", api: "slug" }),
    isDefault: output(z.boolean().optional(), {
      stable: true,
      doc: "Whether it is the workspace's default collection (only ever true for one Portkey made, read by `get`).",
      api: "is_default",
      fromApi: (value) => value === 1 || value === true,
    }),
    status: output(z.string().optional(), { doc: "`active` or `archived`.", api: "status" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID, whatever spelling `workspaceId` used.", api: "workspace_id" }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug." }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When Portkey created the collection (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string().optional(), { doc: "When Portkey last changed the collection (RFC 3339).", api: "last_updated_at" }),
  };
}

type Shape = ShapeOf<typeof collectionInputs, typeof collectionOutputs>;

export const promptCollection = declareResource({
  kind: "portkey:PromptCollection",
  enumerate: {
    prefix: "collection",
    identity: ["workspaceId", "name"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx, listed) {
      const client = portkeyClient(ctx);
      return listPerParent(listed("portkey:Workspace"), async (w) =>
        (await listCollections(client, w.id)).collections.map((c) => ({
          id: c.id,
          name: c.name,
          ...(isDefaultCollection(c) ? { skip: "it is the workspace's default collection, which Portkey makes and never deletes" } : {}),
        })),
      );
    },
  },
  doc:
    "A Portkey prompt collection (`/collections`): a folder of prompts in a workspace, optionally nested in another collection. " +
    "The resource id is the collection's UUID. Only `name` changes in place; Portkey refuses to delete a collection that still " +
    "holds prompts or collections, and the error names them.\n\n" +
    "```ts\n" +
    'const support = new portkey.PromptCollection("support", { workspaceId: dev.id, name: "Support" });\n' +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: collectionInputs,
  outputs: collectionOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = await requireWorkspace(client, ctx, inputs.workspaceId);
    const body = { ...ctx.createBody(inputs), workspace_id: workspace.id };
    const created = await createWithRecovery(ctx, {
      what: `Portkey prompt collection '${inputs.name}'`,
      naturalKey: `portkey:PromptCollection:${workspace.id}:${inputs.name}`,
      post: () => createCollection(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { collections, serverTime } = await listCollections(client, workspace.id);
        const named = collections.filter((c) => c.name === inputs.name && !isDefaultCollection(c) && (c.parent_collection_id ?? undefined) === inputs.parentCollectionId);
        return { candidates: named.map((c) => ({ id: c.id, createdAt: c.created_at })), serverTime };
      },
      recover: { adopt: async (candidate) => ({ id: candidate.id }) },
      cleanup: "delete it in the Portkey UI under Prompts, or with DELETE /collections/{id}",
    });
    const known = { ...inputs, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    ctx.created(created.id, known);
    return { id: created.id, outputs: await readBack(client, ctx, created.id, known) };
  },

  // The default read and update.
  endpoints: {
    get: (ctx, id) => getCollection(portkeyClient(ctx), id),
    update: (ctx, id, body) => updateCollection(portkeyClient(ctx), id, body),
  },

  async delete(id, outputs, ctx) {
    try {
      await deleteCollection(portkeyClient(ctx), id);
    } catch (error) {
      if (isGone(error)) return;
      if (isApiFailure(error, "conflict")) {
        throw inUseError(error, `prompt collection '${outputs.name}' (${id})`, "Delete or move the prompts and collections in it first (or remove them from the program in the same run).");
      }
      throw error;
    }
  },
});

/** The collection as read back after a write; `carried` holds the inputs written. */
async function readBack(client: ApiClient, ctx: Shape["context"], id: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const json = await getCollection(client, id);
  if (!json) throw new Error(`prompt collection ${id} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}
