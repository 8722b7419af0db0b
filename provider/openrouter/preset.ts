/**
 * OpenRouter preset (`/presets/{slug}`): a named request configuration that
 * inference uses as `"model": "@preset/<slug>"`. The 2026 API writes a preset
 * only from an inference body (`POST /presets/{slug}/chat/completions`): the
 * first creates it, each later one adds a version that becomes the designated
 * one. So a write happens only when the version's content (`config`,
 * `systemPrompt`) changed; `name`, `description` and which version is
 * designated have no write endpoint and are outputs. Delete archives (the
 * slug stays taken); creating the slug again restores the archived preset
 * and writes a version only when its content differs from what is declared.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { isApiFailure } from "../errors";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient, workspaceIdInput } from "./common";
import { archivePreset, getPreset, listPresets, PresetJson, restorePreset, writePresetVersion } from "./api/presets";

/** Request fields of an inference body that a preset does not keep, or that have their own input. */
const NOT_CONFIG = ["messages", "stream", "prompt", "input", "instructions", "system", "user", "workspace_id"];

function presetInputs() {
  return {
    slug: input(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be 1–64 lowercase letters, digits, '-' or '_', starting with a letter or digit"), {
      doc: "The preset's slug, unique in its workspace: inference names it as `@preset/<slug>`. Changing it replaces the preset.",
      outputDoc: "The slug.",
      api: "slug",
      replaces: true,
    }),
    workspaceId: workspaceIdInput({
      doc: "The workspace's UUID; the account's default workspace when unset. Changing it replaces the preset.",
      optional: true,
    }),
    config: input(z.record(z.string(), z.json()), {
      doc:
        "The request settings the preset applies, as in a chat-completions body: e.g. `{ model: \"openai/gpt-4o\", temperature: 0.2, " +
        "max_tokens: 800, provider: { sort: \"price\" } }`. Request-only fields (`messages`, `stream`, …) are refused; the system " +
        "text is `systemPrompt`. A change writes a new version.",
      outputDoc: "The designated version's settings as read back.",
      api: "designated_version.config",
    }),
    systemPrompt: input(z.string().min(1, "must not be empty (leave it unset for none)").optional(), {
      doc: "The system prompt the preset adds. A change (or removing it) writes a new version.",
      outputDoc: "The designated version's system prompt as read back.",
      api: "designated_version.system_prompt",
    }),
  };
}

function presetOutputs() {
  return {
    presetId: output(z.string(), { stable: true, doc: "The preset's UUID.", api: "id" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace the preset is in.", api: "workspace_id" }),
    name: output(z.string().optional(), { doc: "The preset's name (OpenRouter sets it to the slug; no API changes it).", api: "name" }),
    description: output(z.string().optional(), { doc: "The preset's description (set in the dashboard only).", api: "description" }),
    version: output(z.number().optional(), { doc: "The designated version's number (from 1).", api: "designated_version.version" }),
    status: output(z.string().optional(), { doc: "`active` (a read of an archived preset finds nothing).", api: "status" }),
  };
}

type Shape = ShapeOf<typeof presetInputs, typeof presetOutputs>;

/** `<workspaceId>/<slug>`, or a bare slug (the default workspace). */
function parseId(id: string): { workspaceId?: string; slug: string } {
  const at = id.lastIndexOf("/");
  return at < 0 ? { slug: id } : { workspaceId: id.slice(0, at), slug: id.slice(at + 1) };
}

function idOf(preset: PresetJson): string {
  return preset.workspace_id ? `${preset.workspace_id}/${preset.slug}` : preset.slug;
}

/** The chat-completions body whose preset fields are the declared version: the config, and the system prompt as a system message. */
function versionBody(inputs: Shape["inputs"]): object {
  return { ...inputs.config, messages: inputs.systemPrompt ? [{ role: "system", content: inputs.systemPrompt }] : [] };
}

/** Whether the preset's designated version holds what is declared. */
function holdsDeclared(ctx: Shape["context"], preset: PresetJson, inputs: Shape["inputs"]): boolean {
  const read = ctx.outputsFrom(preset, {});
  return !ctx.changed("config", read, inputs) && !ctx.changed("systemPrompt", read, inputs);
}

export const openrouterPreset = declareResource({
  kind: "openrouter:Preset",
  enumerate: {
    prefix: "preset",
    identity: ["workspaceId", "slug"],
    references: { workspaceId: { kind: "openrouter:Workspace", output: "id" } },
    async list(ctx) {
      return (await listPresets(openrouterClient(ctx))).map((p) => ({ id: idOf(p), name: p.slug }));
    },
  },
  doc:
    "An OpenRouter preset (`/presets/{slug}`): request settings and a system prompt that inference applies with " +
    '`"model": "@preset/<slug>"`. OpenRouter writes presets only as versions made from an inference body, so every change of ' +
    "`config` or `systemPrompt` is a new version (designated at once) and nothing else is written; `name`, `description` and " +
    "the designated version are read-only here. Destroy archives the preset (OpenRouter keeps its slug); declaring the slug " +
    "again restores it. The resource id is `<workspaceId>/<slug>` (import by it, or by the slug alone for the default workspace).\n\n" +
    "```ts\n" +
    'new openrouter.Preset("support", { slug: "support", config: { model: "openai/gpt-4o-mini", temperature: 0.2 }, systemPrompt: "Be brief." });\n' +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: presetInputs,
  outputs: presetOutputs,
  label: (values) => values.slug,

  refine(inputs, issue) {
    for (const field of Object.keys(inputs.config ?? {})) {
      if (NOT_CONFIG.includes(field)) issue(["config", field], `is not a preset setting${field === "messages" || field === "system" || field === "instructions" ? " (put the system text in systemPrompt)" : ""}`);
    }
  },

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const { slug, workspaceId } = inputs;
    const existing = await getPreset(client, slug, workspaceId);
    if (existing) {
      throw new Error(
        `slug: a preset '${slug}' already exists in ${workspaceId ? `workspace ${workspaceId}` : "the default workspace"}. To manage it, import it ` +
          `with the id '${idOf(existing)}', or choose another slug.`,
      );
    }
    let preset: PresetJson;
    try {
      preset = await createWithRecovery(ctx, {
        what: `OpenRouter preset '${slug}'`,
        naturalKey: `openrouter:Preset:${workspaceId ?? "default"}:${slug}`,
        post: () => writePresetVersion(client, slug, workspaceId, versionBody(inputs)),
        idOf: (p) => p.id,
        async findCandidates() {
          const found = await getPreset(client, slug, workspaceId);
          return { candidates: found ? [{ id: found.id, createdAt: found.created_at }] : [] };
        },
        recover: {
          async adopt() {
            const found = await getPreset(client, slug, workspaceId);
            if (!found) throw new Error(`preset '${slug}' disappeared while it was being recovered`);
            return found;
          },
        },
        cleanup: "archive it in the OpenRouter dashboard under Presets, or with DELETE /presets/{slug}",
      });
    } catch (error) {
      // An archived preset keeps its slug: restored, it is this resource's again.
      if (!isApiFailure(error, "conflict")) throw error;
      preset = await restoreForCreate(ctx, client, inputs);
    }
    return { id: idOf(preset), outputs: ctx.outputsFrom(preset, inputs) };
  },

  async read(id, outputs, ctx) {
    const { workspaceId, slug } = parseId(id);
    const preset = await getPreset(openrouterClient(ctx), slug, workspaceId);
    if (!preset) return undefined;
    // Read by its id alone (import): the workspace is what a program declares for it.
    const imported = outputs.presetId === undefined;
    return ctx.outputsFrom(preset, imported ? { ...outputs, workspaceId: preset.workspace_id ?? undefined } : outputs);
  },

  async update(id, olds, news, ctx) {
    const client = openrouterClient(ctx);
    const { workspaceId, slug } = parseId(id);
    // A version is whole: any change writes one, and nothing else can be written.
    const changed = ctx.changed("config", olds, news) || ctx.changed("systemPrompt", olds, news);
    const preset = changed ? await writePresetVersion(client, slug, workspaceId, versionBody(news)) : await getPreset(client, slug, workspaceId);
    if (!preset) throw new Error(`preset '${slug}' does not exist (or was archived); run \`pulumi refresh\`.`);
    return ctx.outputsFrom(preset, news);
  },

  async delete(id, _outputs, ctx) {
    const { workspaceId, slug } = parseId(id);
    await archivePreset(openrouterClient(ctx), slug, workspaceId);
  },
});

/** The archived preset of the slug restored, with a new version only when its content is not what is declared. */
async function restoreForCreate(ctx: Shape["context"], client: ApiClient, inputs: Shape["inputs"]): Promise<PresetJson> {
  const { slug, workspaceId } = inputs;
  const restored = await restorePreset(client, slug, workspaceId);
  if (!restored) throw new Error(`slug: OpenRouter refused preset '${slug}' (409) and has no archived preset of that slug to restore.`);
  ctx.warn(`preset '${slug}' was archived (its slug stays taken); it was restored${holdsDeclared(ctx, restored, inputs) ? "" : " and given a new version"}.`);
  ctx.created(idOf(restored), { ...ctx.outputsFrom(restored, inputs) });
  if (holdsDeclared(ctx, restored, inputs)) return restored;
  return writePresetVersion(client, slug, workspaceId, versionBody(inputs));
}
