/**
 * Portkey prompt: `/prompts`, a template with its model settings, kept by
 * Portkey as immutable numbered versions, one of them published (what
 * callers get without `@N`). The resource id is the prompt's UUID; `slug`
 * (`pp-…`) is what callers name it by.
 *
 * Versions, decided here (reference prompts-mcp-scim §2.3–2.6):
 * - The create makes version 1, published.
 * - A change of a versioned input (`string`, `model`, `parameters`,
 *   `functions`, `tools`, `toolChoice`, `isRawTemplate`, `templateMetadata`)
 *   makes one new version carrying the
 *   changes (`patch: true`; `virtualKey` and `versionDescription` go with it
 *   when declared changes include them), which the provider then publishes
 *   (`makeDefault` by number): what the program declares is what callers get.
 *   Should a draft saved in the UI sit on top of the published version, the
 *   new version carries every declared field, so nothing is copied from it.
 * - `name`, `collectionId` and `virtualKey` alone change in place: no version.
 * - Refresh reads the published version. A version published outside Pulumi
 *   (a UI edit, a rollback) is drift: `up` publishes again the version
 *   Pulumi made when it still holds what is declared, and makes a version
 *   only when it does not. Drafts saved without publishing are not drift.
 * - `versionDescription` is a note sent with each version the provider makes;
 *   changing only the note makes no version.
 * - `labelId`: the label on the version Pulumi manages. Portkey labels
 *   versions, not prompts (`PUT /prompts/{id}/versions/{versionId}`), one
 *   label per version; a program declares one version (the one this resource
 *   publishes), so the label is an input of the prompt, not a resource of its
 *   own: `@staging` then always names what the program declares. It moves to
 *   each new version the provider makes; setting, changing or removing it
 *   alone writes only the label (no version, no publish); a label moved or
 *   removed in the UI is drift, put back by `up`. Pinning labels to older
 *   versions stays a release decision made in the Portkey UI.
 * - `isRawTemplate`: the create takes no such field (the official document's
 *   create body lacks it), so a prompt declared raw is created and then given
 *   a raw version 2, which the provider publishes.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { isApiFailure, isGone } from "../errors";
import { listPerParent } from "../enumeration";
import { normalize, sortedKeys } from "../framework";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { inUseError, portkeyClient, PORTKEY_SETTINGS } from "./common";
import { UUID } from "./prompt-collection";
import { ApiPrompt, createPrompt, deletePrompt, getPrompt, labelPromptVersion, listPrompts, publishPrompt, publishPromptVersion, updatePrompt } from "./api/prompts";

type Json = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Json => value !== null && typeof value === "object" && !Array.isArray(value);

function promptInputs() {
  return {
    collectionId: input(z.string().regex(UUID, "must be the collection's UUID (a PromptCollection's `id`)"), {
      doc:
        "The collection the prompt is in, by UUID (pass a PromptCollection's `id`); the collection's workspace is the prompt's. " +
        "Changing it moves the prompt in place (same slug) within its workspace; Portkey refuses a collection of another workspace.",
      outputDoc: "The collection's UUID.",
      api: "collection_id",
    }),
    name: input(z.string().trim().min(1, "must not be empty").max(255, "must be at most 255 characters"), {
      doc: "The prompt's display name. Changing it makes no new version.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    string: input(z.string().min(1, "must not be empty"), {
      doc:
        "The template (Mustache): `{{variable}}`, and partials by slug, `{{>partial-slug}}` (published version) or `{{>partial-slug@N}}`. " +
        "A change makes a new version, which the provider publishes.",
      outputDoc: "The published version's template.",
      api: "string",
      versioned: true,
    }),
    virtualKey: input(z.string().min(1, "must not be empty"), {
      doc:
        "The provider the prompt runs on, by slug or id (pass an AiProvider's `slug`), in the collection's workspace. Portkey answers " +
        "the slug: the slug and the id of the same provider are no change. Changed alone it changes in place (no version).",
      outputDoc: "The provider as given.",
      api: "virtual_key",
      fromApi: (value, _answer, carried) => (carried.virtualKey !== undefined && value === carried.virtualKeySlug ? carried.virtualKey : (value ?? undefined)),
      comparable: (value, olds) => (value !== undefined && value !== null && (value === olds.virtualKey || value === olds.virtualKeySlug) ? (olds.virtualKeySlug ?? value) : normalize(value)),
    }),
    model: input(z.string().min(1, "must not be empty").optional(), {
      doc: "The model, e.g. `gpt-4o-mini`. A change makes a new version; removing it clears it in the new version.",
      outputDoc: "The published version's model.",
      api: "model",
      versioned: true,
      // The document types the versioned fields as strings, objects and arrays, never null (a null makes no version).
      clearAs: "",
    }),
    parameters: input(z.record(z.string(), z.json()).optional(), {
      doc:
        "Model parameters in the API's form, e.g. `{ temperature: 0.2, max_tokens: 500 }`. Portkey adds `model` into them on read; that " +
        "is no change. A change makes a new version.",
      outputDoc: "The published version's parameters (without the `model` Portkey adds).",
      api: "parameters",
      versioned: true,
      clearAs: {},
      comparable: (value) => sortedKeys(value),
      fromApi: (value, answer, carried) => {
        if (!isPlainObject(value)) return undefined;
        const declared = carried.parameters as Json | undefined;
        const { model, ...rest } = value;
        // Portkey puts the model into the parameters; it is the user's only when they declared it there.
        const kept = declared && "model" in declared ? value : model === answer.model ? rest : value;
        return Object.keys(kept).length === 0 ? undefined : { ...kept };
      },
    }),
    functions: input(z.array(z.record(z.string(), z.json())).optional(), {
      doc: "Function definitions in the API's form (OpenAI's older `functions`). A change makes a new version; removing them clears them in the new version.",
      outputDoc: "The published version's functions.",
      api: "functions",
      versioned: true,
      clearAs: [],
      comparable: (value) => sortedKeys(value),
    }),
    tools: input(z.array(z.record(z.string(), z.json())).optional(), {
      doc: "Tool definitions in the API's (OpenAI) form. A change makes a new version; removing them clears them in the new version.",
      outputDoc: "The published version's tools.",
      api: "tools",
      versioned: true,
      clearAs: [],
      comparable: (value) => sortedKeys(value),
    }),
    toolChoice: input(z.record(z.string(), z.json()).optional(), {
      doc: "The tool choice as an object, e.g. `{ type: \"function\", function: { name: \"tag\" } }` (the document types it as an object). A change makes a new version.",
      outputDoc: "The published version's tool choice.",
      api: "tool_choice",
      versioned: true,
      clearAs: {},
      comparable: (value) => sortedKeys(value),
    }),
    isRawTemplate: input(z.boolean().optional(), {
      doc:
        "Whether `string` goes to the model as written instead of being rendered as a Mustache template (Portkey's `is_raw_template`). " +
        "Unset is `false`, Portkey's default. A change makes a new version. Portkey's create takes no such field: a prompt declared raw is " +
        "created, then given a raw version 2, which the provider publishes.",
      outputDoc: "Whether the published version's template is raw.",
      api: "is_raw_template",
      versioned: true,
      serverDefault: false,
      clearAs: 0,
      // The update takes 0/1; the document's prompt object says boolean, live-tested clients read a number: both are read.
      toApi: (value) => (value ? 1 : 0),
      fromApi: (value) => (value === 1 || value === true ? true : undefined),
    }),
    templateMetadata: input(z.record(z.string(), z.json()).optional(), {
      doc: "Free-form metadata stored with the version (`template_metadata`; the update calls it `prompt_metadata`). A change makes a new version.",
      outputDoc: "The published version's metadata.",
      api: "template_metadata",
      updateApi: "prompt_metadata",
      versioned: true,
      clearAs: {},
      comparable: (value) => sortedKeys(value),
    }),
    versionDescription: input(z.string().max(1000, "must be at most 1000 characters").optional(), {
      doc:
        "A note stored with each version the provider makes (sent with the create and with every change that makes a version). " +
        "Changing only the note makes no version and is not sent.",
      outputDoc: "The note as given.",
      api: "version_description",
      notCompared: true,
    }),
    labelId: input(z.string().regex(UUID, "must be the label's UUID (a PromptLabel's `id`, or a built-in label's)").optional(), {
      doc:
        "The label (by UUID: pass a PromptLabel's `id`) on the version this resource publishes, so that callers' `@label` names what the " +
        "program declares. It moves to each new version the provider makes; set, changed or removed alone it writes only the label (no new " +
        "version). A label moved or removed in the Portkey UI is drift, put back by `up`. Portkey puts one label on a version.",
      outputDoc: "The label on the published version.",
      api: "prompt_version_label_id",
    }),
  };
}

function promptOutputs() {
  return {
    slug: output(z.string(), { stable: true, doc: "Portkey's slug for the prompt, e.g. `pp-support-1a2b3c`: what callers (`/prompts/{slug}/completions`) and policies name it by.", api: "slug" }),
    version: output(z.number().optional(), { doc: "The published version's number (numbers can have gaps).", api: "prompt_version" }),
    versionId: output(z.string().optional(), { doc: "The published version's UUID.", api: "prompt_version_id" }),
    managedVersion: output(z.number().optional(), {
      doc: "The version the provider last published (on import: the one published then). When another is published outside Pulumi, `up` publishes this one again if it still holds what is declared.",
    }),
    virtualKeySlug: output(z.string().optional(), { doc: "The provider's slug, as Portkey answers it.", api: "virtual_key" }),
    status: output(z.string().optional(), { doc: "The prompt's status, e.g. `active`.", api: "status" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When Portkey created the prompt (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string().optional(), { doc: "When Portkey last changed the prompt (RFC 3339).", api: "last_updated_at" }),
  };
}

type Shape = ShapeOf<typeof promptInputs, typeof promptOutputs>;

export const prompt = declareResource({
  kind: "portkey:Prompt",
  enumerate: {
    prefix: "prompt",
    identity: ["collectionId", "name"],
    references: { collectionId: { kind: "portkey:PromptCollection", output: "id" }, labelId: { kind: "portkey:PromptLabel", output: "id" } },
    async list(ctx, listed) {
      const client = portkeyClient(ctx);
      // Through the collections it references (default ones too), so that a look-up's `collectionId` lists that collection's prompts only.
      return listPerParent(listed("portkey:PromptCollection"), async (c) => (await listPrompts(client, { collection_id: c.id })).prompts.map((p) => ({ id: p.id, name: p.name })));
    },
  },
  doc:
    "A Portkey prompt (`/prompts`): a template and its model settings, versioned by Portkey. A change of the template or the model " +
    "settings makes a new version, which the provider publishes; a rename, a move or a new provider alone makes none. A version " +
    "published outside Pulumi is drift, repaired by publishing Pulumi's version again. `labelId` puts a label on the version the prompt " +
    "publishes (callers' `@label`), moving with each new version. The resource id is the prompt's UUID.\n\n" +
    "```ts\n" +
    'const triage = new portkey.Prompt("triage", {\n' +
    "  collectionId: support.id,\n" +
    '  name: "Triage",\n' +
    "  string: `{{>${tone.slug}}}\\nSort this ticket: {{ticket}}`,\n" +
    "  virtualKey: openai.slug,\n" +
    '  model: "gpt-4o-mini",\n' +
    "  parameters: { temperature: 0.2 },\n" +
    "  labelId: canary.id,\n" +
    "});\n" +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: promptInputs,
  outputs: promptOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    // The create requires `parameters`: an empty object when none are declared.
    const body: Json = { parameters: {}, ...ctx.createBody(inputs) };
    // Not fields of the create: the label goes on the version once it exists, and a raw template takes a version of its own.
    delete body.prompt_version_label_id;
    delete body.is_raw_template;
    const created = await createWithRecovery(ctx, {
      what: `Portkey prompt '${inputs.name}'`,
      naturalKey: `portkey:Prompt:${inputs.collectionId}:${inputs.name}`,
      post: () => createPrompt(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { prompts, serverTime } = await listPrompts(client, { collection_id: inputs.collectionId });
        const named = prompts.filter((p) => p.name === inputs.name);
        return { candidates: named.map((p) => ({ id: p.id, createdAt: p.created_at })), serverTime };
      },
      recover: { adopt: async (candidate) => ({ id: candidate.id, slug: "" }) },
      cleanup: "delete it in the Portkey UI under Prompts, or with DELETE /prompts/{id}",
    });
    ctx.created(created.id, { ...inputs });
    let published = await getPrompt(client, created.id);
    if (!published) throw new Error(`prompt ${created.id} disappeared right after it was written`);
    // Checked against what is published, so that a create recovered by adoption repeats nothing.
    if (inputs.isRawTemplate && !isRaw(published)) {
      const note = inputs.versionDescription !== undefined ? ctx.sent("versionDescription", inputs.versionDescription) : {};
      const answer = await updatePrompt(client, created.id, { ...note, ...ctx.sent("isRawTemplate", true), patch: true });
      const versionId = answer.prompt_version_id ?? (await getPrompt(client, created.id, "latest"))?.prompt_version_id;
      if (!versionId) throw new Error(`prompt ${created.id} disappeared right after it was written`);
      await publishPromptVersion(client, created.id, versionId);
      published = undefined;
    }
    if (inputs.labelId !== undefined && published?.prompt_version_label_id !== inputs.labelId) {
      published ??= await getPrompt(client, created.id);
      if (!published) throw new Error(`prompt ${created.id} disappeared right after it was written`);
      await labelPromptVersion(client, created.id, published.prompt_version_id, inputs.labelId);
      published = undefined;
    }
    const outputs = published ? { ...ctx.outputsFrom(published, inputs), virtualKey: inputs.virtualKey } : await readBack(client, ctx, created.id, inputs, inputs);
    return { id: created.id, outputs: { ...outputs, managedVersion: outputs.version } };
  },

  async read(id, outputs, ctx) {
    const json = await getPrompt(portkeyClient(ctx), id);
    if (!json) return undefined;
    // Read by id alone (an import): the published version is taken as the one Pulumi manages.
    return ctx.outputsFrom(json, { ...outputs, managedVersion: outputs.managedVersion ?? json.prompt_version });
  },

  async update(id, olds, news, ctx) {
    const client = portkeyClient(ctx);
    let managed = olds.managedVersion;
    const body: Json = {};
    if (ctx.changed("name", olds, news)) Object.assign(body, ctx.sent("name", news.name));
    if (ctx.changed("collectionId", olds, news)) Object.assign(body, ctx.sent("collectionId", news.collectionId));
    const versioned = ctx.versioned().filter((field) => ctx.changed(field, olds, news));
    let republish: number | undefined;
    let versionMade = false;
    /** The managed version as read now, when it is not the published one. */
    let own: ApiPrompt | undefined;
    if (versioned.length > 0) {
      own = managed !== undefined && olds.version !== managed ? await getPrompt(client, id, managed) : undefined;
      if (own && holdsDeclared(ctx, own, olds, news)) republish = managed;
      else {
        // A draft saved in the UI on top of the published version: `patch` would copy from it, so every declared field is sent.
        const latest = await getPrompt(client, id, "latest");
        const draftOnTop = latest !== undefined && latest.prompt_version_id !== olds.versionId;
        const fields = draftOnTop ? ctx.versioned() : versioned;
        let onlyClearings = true;
        for (const field of fields) {
          const value = news[field];
          if (value === undefined && olds[field] === undefined) continue;
          Object.assign(body, ctx.sent(field, value));
          if (normalize(value) !== undefined) onlyClearings = false;
        }
        // Only clearings: the template goes with them, so that the update surely makes a version.
        if (onlyClearings) Object.assign(body, ctx.sent("string", news.string));
        if (draftOnTop || ctx.changed("virtualKey", olds, news)) Object.assign(body, ctx.sent("virtualKey", news.virtualKey));
        if (news.versionDescription !== undefined) Object.assign(body, ctx.sent("versionDescription", news.versionDescription));
        body.patch = true;
        versionMade = true;
      }
    } else if (ctx.changed("virtualKey", olds, news)) {
      Object.assign(body, ctx.sent("virtualKey", news.virtualKey));
    }
    let newVersionId: string | undefined;
    if (Object.keys(body).length > 0) {
      const answer = await updatePrompt(client, id, body);
      if (versionMade) {
        newVersionId = answer.prompt_version_id ?? (await getPrompt(client, id, "latest"))?.prompt_version_id;
        if (!newVersionId) throw new Error(`prompt ${id} disappeared right after it was written`);
        managed = await publishPromptVersion(client, id, newVersionId);
      }
    }
    if (republish !== undefined) await publishPrompt(client, id, republish);
    await keepLabel(client, ctx, id, olds, news, { newVersionId, own: republish !== undefined ? own : undefined, managed });
    return readBack(client, ctx, id, { ...news, managedVersion: managed }, news);
  },

  async delete(id, outputs, ctx) {
    try {
      await deletePrompt(portkeyClient(ctx), id);
    } catch (error) {
      if (isGone(error)) return;
      if (isApiFailure(error, "conflict")) {
        throw inUseError(error, `prompt '${outputs.name}' (${id})`, `Take \`${outputs.slug ?? id}\` out of those policies' \`prompt\` conditions first (or remove them in the same run).`);
      }
      throw error;
    }
  },
});

/** Whether the prompt as read holds a raw template (0/1 or a boolean). */
function isRaw(json: ApiPrompt): boolean {
  return json.is_raw_template === 1 || json.is_raw_template === true;
}

/**
 * Puts the declared label on the managed version, writing only when it is not
 * there: on a version just made (which has none), or when the label changed or
 * was moved in the UI. A label the program stops declaring comes off the
 * version Pulumi managed before (only when that was the published one, so that
 * a label someone put on a version published in the UI is left alone).
 */
async function keepLabel(
  client: ApiClient,
  ctx: Shape["context"],
  id: string,
  olds: Shape["outputs"],
  news: Shape["inputs"],
  now: { newVersionId?: string; own?: ApiPrompt; managed?: number },
): Promise<void> {
  const wanted = news.labelId ?? null;
  const oldsWereManaged = olds.managedVersion === undefined || olds.version === olds.managedVersion;
  if (now.newVersionId) {
    if (wanted) await labelPromptVersion(client, id, now.newVersionId, wanted);
    // A label still declared moved with the new version (Portkey puts a label on one version of a prompt).
    if (olds.labelId && olds.labelId !== wanted && oldsWereManaged && olds.versionId) await labelPromptVersion(client, id, olds.versionId, null);
    return;
  }
  if (!now.own && !ctx.changed("labelId", olds, news)) return;
  const managed = now.own ?? (oldsWereManaged ? undefined : await getPrompt(client, id, now.managed!));
  const versionId = managed?.prompt_version_id ?? olds.versionId;
  const current = managed ? (managed.prompt_version_label_id ?? null) : (olds.labelId ?? null);
  if (versionId && current !== wanted) await labelPromptVersion(client, id, versionId, wanted);
}

/** Whether a version (read by number) holds every versioned input and the provider as declared. */
function holdsDeclared(ctx: Shape["context"], version: ApiPrompt, olds: Shape["outputs"], news: Shape["inputs"]): boolean {
  const asOutputs = ctx.outputsFrom(version, olds);
  return [...ctx.versioned(), "virtualKey" as const].every((field) => !ctx.changed(field, asOutputs, news));
}

/**
 * The prompt as read back after a write; `carried` holds the inputs written.
 * The provider is kept as declared: Portkey just accepted it (it answers the slug).
 */
async function readBack(client: ApiClient, ctx: Shape["context"], id: string, carried: Partial<Shape["outputs"]>, news: Shape["inputs"]): Promise<Shape["outputs"]> {
  const json = await getPrompt(client, id);
  if (!json) throw new Error(`prompt ${id} disappeared right after it was written`);
  return { ...ctx.outputsFrom(json, carried), virtualKey: news.virtualKey };
}
