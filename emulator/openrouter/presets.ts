/**
 * OpenRouter presets, /presets: named, versioned request configurations
 * (`"model": "@preset/<slug>"`). The 2026 API writes them only from an
 * inference body (`POST /presets/{slug}/chat/completions`, `/messages`,
 * `/responses`: create the preset, or add a version that becomes the
 * designated one), archives them with DELETE and re-activates them with
 * `POST /presets/{slug}/restore`. No JSON create or update exists in any
 * source, so name, description and the designated version cannot be written.
 *
 * Sources (openrouter-api-org.md §5): the OpenAPI document (S1) and
 * `@openrouter/sdk` 1.3.19 for every read and the from-inference writes, the
 * PyPI `openrouter` SDK for the same, the docs' restore and delete pages for
 * archive and restore. Every choice beyond them is named in a comment and in
 * docs/emulator.md's fidelity table.
 */
import { randomUUID } from "node:crypto";
import { HandlerResult, Router } from "../router";
import { JsonObject, objectBody, OpenRouterPrincipal, OpenRouterRequest, openrouterError, paging } from "./common";
import { scopedWorkspaceId } from "./scope";
import { OpenRouterPresetRecord, OpenRouterPresetVersionRecord, OpenRouterState } from "./state";

/**
 * The user a management key acts for, as preset creator (versions require a
 * `creator_id`; the emulator's management keys belong to no seeded person).
 */
export const MANAGEMENT_KEY_USER = "user_emulated_admin";

/** A URL-safe slug: the sources say only "URL-safe"; lowercase letters, digits, `-` and `_`, 1–64, is the choice. */
const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * The request fields a preset keeps from an inference body; everything else
 * (messages, input, stream, prompt, user, metadata …) is dropped. The sources
 * name the dropped ones only by example ("messages, stream, prompt"), so this
 * list of routing and sampling fields is the choice.
 */
const CONFIG_FIELDS = [
  "model",
  "models",
  "provider",
  "plugins",
  "route",
  "transforms",
  "temperature",
  "top_p",
  "top_k",
  "min_p",
  "top_a",
  "frequency_penalty",
  "presence_penalty",
  "repetition_penalty",
  "seed",
  "stop",
  "max_tokens",
  "max_completion_tokens",
  "max_output_tokens",
  "logit_bias",
  "logprobs",
  "top_logprobs",
  "reasoning",
  "response_format",
  "text",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "verbosity",
];

/** The three inference APIs a preset can be written from, and where each keeps its system text. */
type InferenceApi = "chat/completions" | "messages" | "responses";

/** The preset routes and their rules. */
export class OpenRouterPresetRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/presets", (ctx) => this.listPresets(ctx))
      .add("GET", "/presets/{slug}", (ctx) => ({ body: { data: this.withVersion(this.findVisible(ctx)) } }))
      .add("DELETE", "/presets/{slug}", (ctx) => this.archivePreset(ctx))
      .add("POST", "/presets/{slug}/restore", (ctx) => this.restorePreset(ctx))
      .add("GET", "/presets/{slug}/versions", (ctx) => this.listVersions(ctx))
      .add("GET", "/presets/{slug}/versions/{version}", (ctx) => this.getVersion(ctx))
      .add("POST", "/presets/{slug}/chat/completions", (ctx) => this.writeFromInference(ctx, "chat/completions"))
      .add("POST", "/presets/{slug}/messages", (ctx) => this.writeFromInference(ctx, "messages"))
      .add("POST", "/presets/{slug}/responses", (ctx) => this.writeFromInference(ctx, "responses"));
  }

  private presets(): Record<string, OpenRouterPresetRecord> {
    return (this.state().presets ??= {});
  }

  private versions(): Record<string, OpenRouterPresetVersionRecord> {
    return (this.state().preset_versions ??= {});
  }

  /**
   * Most recently updated first (PY `list` docstring). Without `workspace_id`
   * every workspace's presets are listed ("all presets for the authenticated
   * user"); with it, that workspace's (a choice: no source shows the filter on
   * the list). Archived presets are not listed (docs' delete page).
   */
  private listPresets(ctx: OpenRouterRequest): HandlerResult {
    const { offset, limit } = paging(ctx.query, 50, 100);
    const filter = ctx.query.get("workspace_id");
    const workspaceId = filter ? scopedWorkspaceId(this.state(), filter) : undefined;
    const all = Object.values(this.presets())
      .filter((p) => p.status !== "archived" && (workspaceId === undefined || p.workspace_id === workspaceId))
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at) || b.created_at.localeCompare(a.created_at));
    return { body: { data: all.slice(offset, offset + limit).map(presetJson), total_count: all.length } };
  }

  /** Versions ascending by number (S1), archived presets' too being hidden with them. */
  private listVersions(ctx: OpenRouterRequest): HandlerResult {
    const preset = this.findVisible(ctx);
    const { offset, limit } = paging(ctx.query, 50, 100);
    const all = this.versionsOf(preset);
    return { body: { data: all.slice(offset, offset + limit).map(versionJson), total_count: all.length } };
  }

  private getVersion(ctx: OpenRouterRequest): HandlerResult {
    const preset = this.findVisible(ctx);
    const number = Number(ctx.params.version);
    if (!Number.isInteger(number) || number < 1) throw openrouterError(400, "version must be a positive integer");
    const version = this.versionsOf(preset).find((v) => v.version === number);
    if (!version) throw openrouterError(404, `Preset ${preset.slug} has no version ${number}`);
    return { body: { data: versionJson(version) } };
  }

  /**
   * Creates the preset when the slug is new, else adds a version that becomes
   * the designated one; always 200 (S1, SDKs). Every call adds a version, even
   * one equal to the last (the docs say "a new version of an existing one";
   * nothing says equal bodies are folded).
   */
  private writeFromInference(ctx: OpenRouterRequest, api: InferenceApi): HandlerResult {
    const body = objectBody(ctx);
    const slug = ctx.params.slug;
    if (!SLUG.test(slug)) throw openrouterError(400, "slug must be 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit");
    if ((api === "chat/completions" || api === "messages") && !Array.isArray(body.messages)) throw openrouterError(400, "messages is required and must be a list");
    const workspaceId = this.workspaceOf(ctx, body);
    const now = ctx.now.toISOString();
    let preset = this.inWorkspace(workspaceId, slug);
    // 409 is documented for these writes without saying when; a disabled or archived preset
    // (its slug stays taken, docs' delete page) is the choice: restore it first.
    if (preset && preset.status !== "active") throw openrouterError(409, `Preset ${slug} is ${preset.status}; ${preset.status === "archived" ? "restore it before adding a version" : "a disabled preset cannot be changed"}`);
    if (!preset) {
      preset = {
        id: randomUUID(),
        workspace_id: workspaceId,
        slug,
        // Every example has name = slug; the API has no way to set another.
        name: slug,
        description: null,
        creator_user_id: MANAGEMENT_KEY_USER,
        status: "active",
        designated_version_id: null,
        created_at: now,
        updated_at: now,
        status_updated_at: null,
      };
      this.presets()[preset.id] = preset;
    }
    const version: OpenRouterPresetVersionRecord = {
      id: randomUUID(),
      preset_id: preset.id,
      creator_id: MANAGEMENT_KEY_USER,
      version: this.versionsOf(preset).length + 1,
      system_prompt: systemPromptOf(api, body),
      config: configOf(body),
      created_at: now,
      updated_at: now,
    };
    this.versions()[version.id] = version;
    preset.designated_version_id = version.id;
    preset.updated_at = now;
    return { body: { data: this.withVersion(preset) } };
  }

  /**
   * Archive: hidden from reads and inference, kept with its versions, slug
   * still taken; archiving again succeeds (docs' delete page). The answer is
   * not in any stored source: `{deleted: true}`, the management API's usual
   * delete answer, is the choice.
   */
  private archivePreset(ctx: OpenRouterRequest): HandlerResult {
    const preset = this.findAny(ctx);
    if (preset.status === "disabled") throw openrouterError(409, `Preset ${preset.slug} is disabled and cannot be archived`);
    if (preset.status !== "archived") {
      preset.status = "archived";
      preset.status_updated_at = ctx.now.toISOString();
      preset.updated_at = preset.status_updated_at;
    }
    return { body: { deleted: true } };
  }

  /**
   * Re-activates an archived preset: no new version, designated version kept;
   * an active one is answered unchanged; disabled → 409 (docs' restore page).
   * The answer's shape is not in any stored source: the preset with its
   * designated version, as a GET answers, is the choice.
   */
  private restorePreset(ctx: OpenRouterRequest): HandlerResult {
    const preset = this.findAny(ctx);
    if (preset.status === "disabled") throw openrouterError(409, `Preset ${preset.slug} is disabled and cannot be restored`);
    if (preset.status === "archived") {
      preset.status = "active";
      preset.status_updated_at = ctx.now.toISOString();
      preset.updated_at = preset.status_updated_at;
    }
    return { body: { data: this.withVersion(preset) } };
  }

  /**
   * The workspace a call acts in: `workspace_id` from the query or the JSON
   * body, else the account's default workspace (docs' restore page; the
   * emulator's management keys are not limited to one workspace).
   */
  private workspaceOf(ctx: OpenRouterRequest, body?: JsonObject): string {
    const fromQuery = ctx.query.get("workspace_id");
    return scopedWorkspaceId(this.state(), fromQuery ?? body?.workspace_id);
  }

  private inWorkspace(workspaceId: string, slug: string): OpenRouterPresetRecord | undefined {
    return Object.values(this.presets()).find((p) => p.workspace_id === workspaceId && p.slug === slug);
  }

  /** The preset of the slug in the call's workspace, archived or not. */
  private findAny(ctx: OpenRouterRequest): OpenRouterPresetRecord {
    const body = ctx.body && typeof ctx.body === "object" && !Array.isArray(ctx.body) ? (ctx.body as JsonObject) : undefined;
    const preset = this.inWorkspace(this.workspaceOf(ctx, body), ctx.params.slug);
    if (!preset) throw openrouterError(404, `Preset ${ctx.params.slug} not found`);
    return preset;
  }

  /** As findAny, but an archived preset is not found (docs' delete page: it disappears from get and list). */
  private findVisible(ctx: OpenRouterRequest): OpenRouterPresetRecord {
    const preset = this.findAny(ctx);
    if (preset.status === "archived") throw openrouterError(404, `Preset ${ctx.params.slug} not found`);
    return preset;
  }

  private versionsOf(preset: OpenRouterPresetRecord): OpenRouterPresetVersionRecord[] {
    return Object.values(this.versions())
      .filter((v) => v.preset_id === preset.id)
      .sort((a, b) => a.version - b.version);
  }

  private withVersion(preset: OpenRouterPresetRecord): JsonObject {
    const designated = preset.designated_version_id ? this.versions()[preset.designated_version_id] : undefined;
    return { ...presetJson(preset), designated_version: designated ? versionJson(designated) : null };
  }
}

/** The fields of the body a preset keeps, in the order the body gave them. */
function configOf(body: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(body).filter(([field]) => CONFIG_FIELDS.includes(field)));
}

/**
 * The system text of the body: the chat API's system (or developer) messages,
 * the messages API's `system`, the responses API's `instructions`; null when
 * there is none. Text parts are joined with blank lines (a choice).
 */
function systemPromptOf(api: InferenceApi, body: JsonObject): string | null {
  const texts: string[] = [];
  if (api === "chat/completions") {
    for (const message of body.messages as unknown[]) {
      const m = message as { role?: unknown; content?: unknown } | null;
      if (m && (m.role === "system" || m.role === "developer")) texts.push(...textOf(m.content));
    }
  } else if (api === "messages") {
    texts.push(...textOf(body.system));
  } else {
    texts.push(...textOf(body.instructions));
  }
  return texts.length > 0 ? texts.join("\n\n") : null;
}

/** A string, or the `text` of each text part of a content list. */
function textOf(content: unknown): string[] {
  if (typeof content === "string") return content === "" ? [] : [content];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part) => (part && typeof part === "object" && typeof (part as { text?: unknown }).text === "string" ? [(part as { text: string }).text] : []));
}

/** A preset as the API answers it, every key present (S1 `Preset`). */
function presetJson(p: OpenRouterPresetRecord): JsonObject {
  return {
    id: p.id,
    creator_user_id: p.creator_user_id,
    workspace_id: p.workspace_id,
    name: p.name,
    slug: p.slug,
    description: p.description,
    status: p.status,
    designated_version_id: p.designated_version_id,
    created_at: p.created_at,
    updated_at: p.updated_at,
    status_updated_at: p.status_updated_at,
  };
}

/** A version as the API answers it (S1 `PresetDesignatedVersion`). */
function versionJson(v: OpenRouterPresetVersionRecord): JsonObject {
  return {
    id: v.id,
    preset_id: v.preset_id,
    creator_id: v.creator_id,
    version: v.version,
    system_prompt: v.system_prompt,
    config: v.config,
    created_at: v.created_at,
    updated_at: v.updated_at,
  };
}
