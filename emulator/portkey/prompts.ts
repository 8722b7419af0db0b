/**
 * Portkey prompts, /prompts: a template and its model settings, kept as
 * immutable numbered versions, one of which is published (the default that
 * callers get without `@N`). Addressed by UUID or server-set slug; scoped to
 * the workspace of their collection (reference prompts-mcp-scim §2).
 *
 * - The create makes version 1, published.
 * - A PUT carrying any versioned field (`string`, `parameters`, `model`,
 *   `functions`, `tools`, `tool_choice`, `is_raw_template`,
 *   `prompt_metadata`) other than as null makes a new version and does not
 *   publish it; `name`
 *   and `collection_id` change in place; `virtual_key` or
 *   `version_description` alone change the published version in place.
 * - Without `patch: true` a new version holds only what was sent (`string`
 *   and `virtual_key` are required, as the Terraform provider learned);
 *   with it, omitted fields are copied from the latest version.
 * - `PUT /prompts/{id}/makeDefault {version: N}` publishes version N.
 * - The prompt object carries the version's fields at top level; the API
 *   adds `model` into `parameters` and answers `virtual_key` as a slug.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { allowed, authorize, isObject, JsonObject, optionalString, page, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString, slugPart } from "./common";
import { findCollection, workspaceLive } from "./collections";
import { labelsOf } from "./labels";
import { PortkeyState, PromptRecord, PromptVersionRecord } from "./state";

/** Fields of a PUT that make a new version. */
const VERSIONED_FIELDS = ["string", "parameters", "model", "functions", "tools", "tool_choice", "is_raw_template", "prompt_metadata", "template_metadata"];

/** The prompt routes and their rules. */
export class PortkeyPromptRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/prompts", (ctx) => this.createPrompt(ctx))
      .add("GET", "/prompts", (ctx) => this.listPrompts(ctx))
      .add("GET", "/prompts/{promptId}", (ctx) => this.getPrompt(ctx))
      .add("PUT", "/prompts/{promptId}", (ctx) => this.updatePrompt(ctx))
      .add("DELETE", "/prompts/{promptId}", (ctx) => this.deletePrompt(ctx))
      .add("GET", "/prompts/{promptId}/versions", (ctx) => this.listVersions(ctx))
      .add("GET", "/prompts/{promptId}/versions/{versionId}", (ctx) => this.getVersion(ctx))
      .add("PUT", "/prompts/{promptId}/versions/{versionId}", (ctx) => this.labelVersion(ctx))
      .add("PUT", "/prompts/{promptId}/makeDefault", (ctx) => this.makeDefault(ctx));
  }

  private createPrompt(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const state = this.shared.state(ctx);
    const name = requireString(body, "name", 1, 255);
    const collectionGiven = requireString(body, "collection_id", 1, 255);
    const collection = findCollection(state, collectionGiven);
    if (!collection) throw portkeyError("AB08", `Collection not found: ${collectionGiven}`);
    authorize(ctx, "prompts.create", { workspaceId: collection.workspace_id });
    if (!isObject(body.parameters)) throw portkeyError("AB01", "Invalid request. parameters: is required and must be an object");
    const now = ctx.now.toISOString();
    const version = this.newVersion(ctx, state, collection.workspace_id, body, undefined, 1);
    const record: PromptRecord = {
      id: randomUUID(),
      slug: `pp-${slugPart(name).slice(0, 6).replace(/-+$/, "") || "prompt"}-${randomBytes(3).toString("hex")}`,
      name,
      collection_id: collection.id,
      workspace_id: collection.workspace_id,
      default_version: 1,
      versions: [version],
      status: "active",
      created_at: now,
      last_updated_at: now,
    };
    promptsOf(state)[record.id] = record;
    return { body: { id: record.id, slug: record.slug, version_id: version.id, object: "prompt" } };
  }

  private listPrompts(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const workspaceGiven = ctx.query.get("workspace_id");
    const workspaceId = workspaceGiven ? this.shared.findWorkspace(ctx, workspaceGiven).id : undefined;
    const collectionGiven = ctx.query.get("collection_id");
    const collection = collectionGiven ? findCollection(state, collectionGiven) : undefined;
    if (collectionGiven && !collection) throw portkeyError("AB08", `Collection not found: ${collectionGiven}`);
    const search = ctx.query.get("search")?.toLowerCase();
    const all = livePrompts(state)
      .filter((p) => !workspaceId || p.workspace_id === workspaceId)
      .filter((p) => !collection || p.collection_id === collection.id)
      .filter((p) => !search || p.name.toLowerCase().includes(search) || p.slug.includes(search))
      .filter((p) => allowed(ctx, "prompts.list", p.workspace_id))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    const { total, data } = page(all, ctx.query, (p) => ({
      id: p.id,
      slug: p.slug,
      name: p.name,
      collection_id: p.collection_id,
      model: publishedVersion(p).model,
      status: p.status,
      created_at: p.created_at,
      last_updated_at: p.last_updated_at,
      object: "prompt",
    }));
    return { body: { data, total } };
  }

  private getPrompt(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "prompts.read");
    const version = versionAsked(record, ctx.query.get("version"));
    return { body: promptJson(record, version) };
  }

  private updatePrompt(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "prompts.update");
    const body = this.shared.checkedBody(ctx);
    const state = this.shared.state(ctx);
    if (body.patch !== undefined && typeof body.patch !== "boolean") throw portkeyError("AB01", "Invalid request. patch: must be a boolean");
    const name = body.name === undefined ? undefined : requireString(body, "name", 1, 255);
    let collectionId: string | undefined;
    if (body.collection_id !== undefined) {
      const given = requireString(body, "collection_id", 1, 255);
      const collection = findCollection(state, given);
      if (!collection) throw portkeyError("AB08", `Collection not found: ${given}`);
      if (collection.workspace_id !== record.workspace_id) throw portkeyError("AB01", "Invalid request. collection_id: the collection is in another workspace");
      collectionId = collection.id;
    }
    const now = ctx.now.toISOString();
    let answer: JsonObject = {};
    // A field sent as null makes no version: the Terraform provider sends `parameters: null` with every rename, which live keeps version 1.
    if (VERSIONED_FIELDS.some((field) => body[field] !== undefined && body[field] !== null)) {
      const latest = record.versions[record.versions.length - 1];
      const number = Math.max(...record.versions.map((v) => v.version)) + 1;
      const version = this.newVersion(ctx, state, record.workspace_id, body, body.patch === true ? latest : undefined, number);
      record.versions.push(version);
      answer = { id: record.id, slug: record.slug, prompt_version_id: version.id };
    } else {
      // Not a new version: the published version's key and description change in place (the document lists both as updatable alone).
      const published = publishedVersion(record);
      if (body.virtual_key !== undefined) published.virtual_key = this.virtualKey(state, record.workspace_id, body.virtual_key);
      if (body.version_description !== undefined) published.version_description = optionalString(body, "version_description") ?? null;
    }
    if (name !== undefined) record.name = name;
    if (collectionId !== undefined) record.collection_id = collectionId;
    record.last_updated_at = now;
    return { body: answer };
  }

  private deletePrompt(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.find(ctx, "prompts.delete");
    // Policies name prompts by slug in a `prompt` condition; deleting one they count would silently widen them (a choice, see docs/emulator.md).
    const referrers = [
      ...Object.values(state.usage_limits_policies ?? {}).map((p) => ({ kind: "usage limits policy", p })),
      ...Object.values(state.rate_limits_policies ?? {}).map((p) => ({ kind: "rate limits policy", p })),
    ]
      .filter(({ p }) => p.status === "active" && p.conditions.some((c) => c.key === "prompt" && namesPrompt(c.value, record)))
      .map(({ kind, p }) => `${kind} ${p.id}`);
    if (referrers.length > 0) throw portkeyError("AB07", `Unable to delete. The prompt is used by ${referrers.join(", ")}`);
    delete promptsOf(state)[record.id];
    return { body: {} };
  }

  private listVersions(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "prompts.read");
    const data = [...record.versions].reverse().map((v) => ({
      id: v.id,
      prompt_id: record.id,
      prompt_template: v.string,
      prompt_version: v.version,
      prompt_description: v.version_description,
      label_id: v.label_id,
      created_at: v.created_at,
      status: v.status,
      object: "prompt_version",
    }));
    return { body: { object: "list", total: data.length, data } };
  }

  private getVersion(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "prompts.read");
    return { body: promptJson(record, this.findVersion(ctx, record)) };
  }

  /** Versions are immutable but for their label; a label sits on one version of a prompt at a time (a choice). */
  private labelVersion(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "prompts.update");
    const version = this.findVersion(ctx, record);
    const body = this.shared.checkedBody(ctx);
    if (!("label_id" in body)) throw portkeyError("AB01", "Invalid request. label_id: is required");
    if (body.label_id === null) {
      version.label_id = null;
      return { body: {} };
    }
    if (typeof body.label_id !== "string") throw portkeyError("AB01", "Invalid request. label_id: must be a string");
    const label = labelsOf(this.shared.state(ctx))[body.label_id];
    if (!label || (label.workspace_id !== null && label.workspace_id !== record.workspace_id)) throw portkeyError("AB08", `Label not found: ${body.label_id}`);
    for (const other of record.versions) if (other.label_id === label.id) other.label_id = null;
    version.label_id = label.id;
    record.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private makeDefault(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "prompts.update");
    const body = this.shared.checkedBody(ctx);
    const number = body.version;
    if (typeof number !== "number" || !Number.isInteger(number)) throw portkeyError("AB01", "Invalid request. version: is required and must be a version number");
    if (!record.versions.some((v) => v.version === number)) throw portkeyError("AB08", `Prompt version not found: ${number}`);
    record.default_version = number;
    record.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  /** A version from the body: what was sent, over the `base` version's fields when patching. */
  private newVersion(ctx: PortkeyRequest, state: PortkeyState, workspaceId: string, body: JsonObject, base: PromptVersionRecord | undefined, number: number): PromptVersionRecord {
    const take = <T>(field: string, parse: () => T, fallback: T): T => (body[field] !== undefined ? parse() : fallback);
    const string = take("string", () => requireString(body, "string", 0, 1_000_000), base?.string);
    if (string === undefined) throw portkeyError("AB01", "Invalid request. string: is required for a new version (or send patch: true)");
    if (body.virtual_key === undefined && !base) throw portkeyError("AB01", "Invalid request. virtual_key: is required for a new version (or send patch: true)");
    const objectOrNull = (field: string) => {
      const value = body[field];
      if (value !== null && !isObject(value)) throw portkeyError("AB01", `Invalid request. ${field}: must be an object`);
      return value === null ? null : structuredClone(value);
    };
    const arrayOrNull = (field: string) => {
      const value = body[field];
      if (value !== null && !Array.isArray(value)) throw portkeyError("AB01", `Invalid request. ${field}: must be an array`);
      return value === null ? null : structuredClone(value);
    };
    const metadataField = body.prompt_metadata !== undefined ? "prompt_metadata" : "template_metadata";
    const raw = body.is_raw_template;
    if (raw !== undefined && raw !== 0 && raw !== 1 && typeof raw !== "boolean") throw portkeyError("AB01", "Invalid request. is_raw_template: must be 0 or 1");
    return {
      id: randomUUID(),
      version: number,
      string,
      parameters: take("parameters", () => objectOrNull("parameters") ?? {}, base ? structuredClone(base.parameters) : {}),
      model: take("model", () => optionalString(body, "model") ?? null, base?.model ?? null),
      virtual_key: body.virtual_key !== undefined ? this.virtualKey(state, workspaceId, body.virtual_key) : base!.virtual_key,
      functions: take("functions", () => arrayOrNull("functions"), base ? structuredClone(base.functions) : null),
      tools: take("tools", () => arrayOrNull("tools"), base ? structuredClone(base.tools) : null),
      tool_choice: take("tool_choice", () => structuredClone(body.tool_choice), base ? structuredClone(base.tool_choice) : null),
      template_metadata: take(metadataField, () => objectOrNull(metadataField), base ? structuredClone(base.template_metadata) : null),
      is_raw_template: raw === undefined ? (base?.is_raw_template ?? 0) : Number(raw),
      // The description belongs to the version it came with; a patch does not copy the old one.
      version_description: optionalString(body, "version_description") ?? null,
      label_id: null,
      status: "active",
      created_at: ctx.now.toISOString(),
    };
  }

  /** A provider (virtual key) of the workspace, by id or slug; stored and answered as its slug. */
  private virtualKey(state: PortkeyState, workspaceId: string, given: unknown): string {
    if (typeof given !== "string" || given.length === 0) throw portkeyError("AB01", "Invalid request. virtual_key: must be a provider id or slug");
    const provider = Object.values(state.providers).find((p) => p.workspace_id === workspaceId && (p.id === given || p.slug === given));
    if (!provider) throw portkeyError("AB01", `Invalid request. virtual_key: no provider ${given} in the prompt's workspace`);
    return provider.slug;
  }

  private findVersion(ctx: PortkeyRequest, record: PromptRecord): PromptVersionRecord {
    const version = record.versions.find((v) => v.id === ctx.params.versionId);
    if (!version) throw portkeyError("AB08", `Prompt version not found: ${ctx.params.versionId}`);
    return version;
  }

  /** By UUID or slug, in a live workspace the caller may use with `scope`. */
  private find(ctx: PortkeyRequest, scope: string): PromptRecord {
    const state = this.shared.state(ctx);
    const given = ctx.params.promptId;
    const record = findPrompt(state, given);
    if (!record) throw portkeyError("AB08", `Prompt not found: ${given}`);
    authorize(ctx, scope, { workspaceId: record.workspace_id });
    return record;
  }
}

/** The organisation's prompts (older state files have none yet). */
export function promptsOf(state: PortkeyState): Record<string, PromptRecord> {
  return (state.prompts ??= {});
}

function livePrompts(state: PortkeyState): PromptRecord[] {
  return Object.values(promptsOf(state)).filter((p) => workspaceLive(state, p.workspace_id));
}

/** A live prompt by UUID or slug. */
export function findPrompt(state: PortkeyState, idOrSlug: string): PromptRecord | undefined {
  const all = promptsOf(state);
  const record = all[idOrSlug] ?? Object.values(all).find((p) => p.slug === idOrSlug);
  return record && workspaceLive(state, record.workspace_id) ? record : undefined;
}

export function publishedVersion(p: PromptRecord): PromptVersionRecord {
  return p.versions.find((v) => v.version === p.default_version) ?? p.versions[p.versions.length - 1];
}

/** `?version=`: `latest` (newest, published or not), `default` or absent (published), or a number. */
function versionAsked(p: PromptRecord, asked: string | null): PromptVersionRecord {
  if (asked === null || asked === "" || asked === "default") return publishedVersion(p);
  if (asked === "latest") return p.versions[p.versions.length - 1];
  const version = /^\d+$/.test(asked) ? p.versions.find((v) => v.version === Number(asked)) : undefined;
  if (!version) throw portkeyError("AB08", `Prompt version not found: ${asked}`);
  return version;
}

/** Whether a policy condition value (a slug, or several comma-separated) names the prompt. */
function namesPrompt(value: string | undefined, p: PromptRecord): boolean {
  return (value ?? "").split(",").map((s) => s.trim()).some((s) => s === p.slug || s === p.id);
}

/** The prompt with one version's fields at top level (the document's `Prompt`). */
function promptJson(p: PromptRecord, v: PromptVersionRecord): JsonObject {
  return {
    id: p.id,
    slug: p.slug,
    name: p.name,
    collection_id: p.collection_id,
    string: v.string,
    // The live API puts the model into parameters (Terraform provider's import tests).
    parameters: v.model === null ? structuredClone(v.parameters) : { ...structuredClone(v.parameters), model: v.model },
    prompt_version: v.version,
    prompt_version_id: v.id,
    prompt_version_status: v.status,
    prompt_version_description: v.version_description,
    prompt_version_label_id: v.label_id,
    virtual_key: v.virtual_key,
    model: v.model,
    functions: structuredClone(v.functions),
    tools: structuredClone(v.tools),
    tool_choice: structuredClone(v.tool_choice),
    template_metadata: structuredClone(v.template_metadata),
    is_raw_template: v.is_raw_template,
    status: p.status,
    created_at: p.created_at,
    last_updated_at: p.last_updated_at,
    object: "prompt",
  };
}
