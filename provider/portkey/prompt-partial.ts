/**
 * Portkey prompt partial: `/prompts/partials`, template text that prompts
 * include with `{{>slug}}` (the published version) or `{{>slug@N}}`. The
 * resource id is the partial's UUID.
 *
 * Versions, as Portkey keeps them: the create makes version 1, published; a
 * new `string` makes a new version, which Portkey does not publish, so the
 * provider publishes it (`makeDefault`): what the program declares is what
 * prompts include. A rename changes the partial in place and makes no
 * version. Refresh reads the published version; a version published outside
 * Pulumi is drift, and `up` publishes again the version Pulumi made when it
 * still holds what is declared (no new version); drafts saved in the UI
 * without publishing are not drift.
 *
 * `workspaceId` is never read back: it is kept as given, and on import found
 * through the partial's collection (the workspace's default collection).
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { isApiFailure, isForbidden, isGone } from "../errors";
import { listPerParent } from "../enumeration";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { inUseError, portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { getWorkspace, requireWorkspace } from "./api/workspaces";
import { ApiPartial, createPartial, deletePartial, getCollection, getPartial, listPartials, publishPartial, publishPartialVersion, updatePartial } from "./api/prompts";

function partialInputs() {
  return {
    workspaceId: workspaceIdInput({
      doc:
        "The workspace the partial belongs to, by UUID or slug (pass a Workspace's `id`). Portkey never returns it; changing it replaces " +
        "the partial; switching between the slug and the UUID of the same workspace is not a change.",
      answered: false,
    }),
    name: input(z.string().trim().min(1, "must not be empty").max(255, "must be at most 255 characters"), {
      doc: "The partial's display name. Changing it makes no new version.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    string: input(z.string().min(1, "must not be empty"), {
      doc:
        "The partial's text (Mustache, e.g. `You answer for {{company}}.`). A change makes a new version, which the provider publishes; " +
        "a version published outside Pulumi shows as a change and `up` publishes Pulumi's again.",
      outputDoc: "The published version's text.",
      api: "string",
    }),
    versionDescription: input(z.string().max(1000, "must be at most 1000 characters").optional(), {
      doc:
        "A note stored with each version the provider makes (sent with the create and with every change of `string`). Changing only " +
        "the note makes no version and is not sent: a note describes a version, and versions are immutable.",
      outputDoc: "The note as given.",
      api: "version_description",
      notCompared: true,
    }),
  };
}

function partialOutputs() {
  return {
    slug: output(z.string(), { stable: true, doc: "Portkey's slug for the partial: what templates include it by, `{{>slug}}`.", api: "slug" }),
    version: output(z.number().optional(), { doc: "The published version's number (numbers can have gaps).", api: "version" }),
    versionId: output(z.string().optional(), { doc: "The published version's UUID.", api: "prompt_partial_version_id" }),
    managedVersion: output(z.number().optional(), {
      doc: "The version the provider last published (on import: the one published then). When another is published outside Pulumi, `up` publishes this one again if it still holds what is declared.",
    }),
    collectionId: output(z.string().optional(), { stable: true, doc: "The collection Portkey keeps the partial in (its workspace's default collection).", api: "collection_id" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID, whatever spelling `workspaceId` used." }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug." }),
    status: output(z.string().optional(), { doc: "The partial's status, e.g. `active`.", api: "status" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When Portkey created the partial (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string().optional(), { doc: "When Portkey last changed the partial (RFC 3339).", api: "last_updated_at" }),
  };
}

type Shape = ShapeOf<typeof partialInputs, typeof partialOutputs>;

export const promptPartial = declareResource({
  kind: "portkey:PromptPartial",
  enumerate: {
    prefix: "partial",
    identity: ["workspaceId", "name"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx, listed) {
      const client = portkeyClient(ctx);
      return listPerParent(listed("portkey:Workspace"), async (w) => (await listPartials(client, w.id)).partials.map((p) => ({ id: p.id, name: p.name })));
    },
  },
  doc:
    "A Portkey prompt partial (`/prompts/partials`): text prompts include with `{{>slug}}`. A change of `string` makes a new version, " +
    "which the provider publishes; Portkey refuses to delete a partial that prompts include, and the error names them. " +
    "The resource id is the partial's UUID.\n\n" +
    "```ts\n" +
    'const tone = new portkey.PromptPartial("tone", { workspaceId: dev.id, name: "Tone", string: "Answer briefly and politely." });\n' +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: partialInputs,
  outputs: partialOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = await requireWorkspace(client, ctx, inputs.workspaceId);
    const body = { ...ctx.createBody(inputs), workspace_id: workspace.id };
    const created = await createWithRecovery(ctx, {
      what: `Portkey prompt partial '${inputs.name}'`,
      naturalKey: `portkey:PromptPartial:${workspace.id}:${inputs.name}`,
      post: () => createPartial(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { partials, serverTime } = await listPartials(client, workspace.id);
        const named = partials.filter((p) => p.name === inputs.name);
        return { candidates: named.map((p) => ({ id: p.id, createdAt: p.created_at })), serverTime };
      },
      recover: { adopt: async (candidate) => ({ id: candidate.id, slug: "" }) },
      cleanup: "delete it in the Portkey UI under Prompts → Partials, or with DELETE /prompts/partials/{id}",
    });
    const known: Partial<Shape["outputs"]> = { ...inputs, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    ctx.created(created.id, known);
    const outputs = await readBack(client, ctx, created.id, known);
    return { id: created.id, outputs: { ...outputs, managedVersion: outputs.version } };
  },

  async read(id, outputs, ctx) {
    const client = portkeyClient(ctx);
    const json = await getPartial(client, id);
    if (!json) return undefined;
    return ctx.outputsFrom(json, { ...outputs, ...(await adopted(client, json, outputs, ctx.warn)) });
  },

  async update(id, olds, news, ctx) {
    const client = portkeyClient(ctx);
    let managed = olds.managedVersion;
    const body: Record<string, unknown> = {};
    if (ctx.changed("name", olds, news)) Object.assign(body, ctx.sent("name", news.name));
    let republish: number | undefined;
    let versionMade = false;
    if (ctx.changed("string", olds, news)) {
      // Another version was published outside Pulumi: Pulumi's own is published again when it still holds what is declared.
      const own = managed !== undefined && olds.version !== managed ? await getPartial(client, id, managed).catch(() => undefined) : undefined;
      if (own && own.string === news.string) republish = managed;
      else {
        versionMade = true;
        Object.assign(body, ctx.sent("string", news.string));
        if (news.versionDescription !== undefined) Object.assign(body, ctx.sent("versionDescription", news.versionDescription));
      }
    }
    if (Object.keys(body).length > 0) {
      const answer = await updatePartial(client, id, body);
      if (versionMade) {
        // The answer names the new version (live and document); should it not, the newest version is the one just made.
        const versionId = answer.prompt_partial_version_id ?? (await getPartial(client, id, "latest"))?.prompt_partial_version_id;
        if (!versionId) throw new Error(`prompt partial ${id} disappeared right after it was written`);
        managed = await publishPartialVersion(client, id, versionId);
      }
    }
    if (republish !== undefined) await publishPartial(client, id, republish);
    return readBack(client, ctx, id, { ...news, managedVersion: managed, resolvedWorkspaceId: olds.resolvedWorkspaceId, workspaceSlug: olds.workspaceSlug });
  },

  async delete(id, outputs, ctx) {
    try {
      await deletePartial(portkeyClient(ctx), id);
    } catch (error) {
      if (isGone(error)) return;
      if (isApiFailure(error, "conflict")) {
        throw inUseError(error, `prompt partial '${outputs.name}' (${id})`, `Publish versions of those prompts without \`{{>${outputs.slug ?? id}}}\` first (or remove them in the same run).`);
      }
      throw error;
    }
  },
});

/**
 * What a read by id alone (an import) lacks: the workspace, found through
 * the partial's collection, and the managed version (the one published now).
 */
async function adopted(client: ApiClient, json: ApiPartial, outputs: Partial<Shape["outputs"]>, warn: (message: string) => void): Promise<Partial<Shape["outputs"]>> {
  const found: Partial<Shape["outputs"]> = {};
  if (outputs.managedVersion === undefined) found.managedVersion = json.version;
  if (outputs.workspaceId === undefined && json.collection_id) {
    let collection: Awaited<ReturnType<typeof getCollection>>;
    try {
      collection = await getCollection(client, json.collection_id);
    } catch (error) {
      // A key without `collections.read`: the partial is still read; its workspace is left for the program to declare.
      if (!isForbidden(error)) throw error;
      warn(`prompt partial '${json.name}' (${json.id}): its workspace is not known (${error.message}); declare \`workspaceId\`.`);
      return found;
    }
    if (collection) {
      found.workspaceId = collection.workspace_id;
      found.resolvedWorkspaceId = collection.workspace_id;
      found.workspaceSlug = (await getWorkspace(client, collection.workspace_id))?.slug;
    }
  }
  return found;
}

/** The partial as read back after a write; `carried` holds the inputs written. */
async function readBack(client: ApiClient, ctx: Shape["context"], id: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const json = await getPartial(client, id);
  if (!json) throw new Error(`prompt partial ${id} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}
