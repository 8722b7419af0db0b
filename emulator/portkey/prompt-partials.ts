/**
 * Portkey prompt partials, /prompts/partials: template text prompts include
 * with `{{>partial}}` (published version) or `{{>partial@N}}`, versioned as
 * prompts are: the create makes version 1, published; a PUT with `string`
 * makes a new version and does not publish it; `name` changes in place;
 * `makeDefault {version}` publishes (reference prompts-mcp-scim §3).
 *
 * Deleting a partial that a prompt's published or newest version includes is
 * refused, naming the prompts (the API's behaviour is not documented; this
 * is the safe choice, recorded in docs/emulator.md).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { allowed, authorize, JsonObject, optionalString, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString, slugPart } from "./common";
import { ensureDefaultCollection, findCollection, workspaceLive, workspaceOfKey } from "./collections";
import { promptsOf, publishedVersion } from "./prompts";
import { PortkeyState, PromptPartialRecord, PromptPartialVersionRecord } from "./state";

/** `{{>name}}` or `{{>name@N}}` in a template: the partial named, by slug or id. */
const PARTIAL_TAG = /\{\{>\s*([^\s}@]+)(?:@[^\s}]*)?\s*\}\}/g;

/** The partial routes and their rules. */
export class PortkeyPromptPartialRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/prompts/partials", (ctx) => this.createPartial(ctx))
      .add("GET", "/prompts/partials", (ctx) => this.listPartials(ctx))
      .add("GET", "/prompts/partials/{promptPartialId}", (ctx) => this.getPartial(ctx))
      .add("PUT", "/prompts/partials/{promptPartialId}", (ctx) => this.updatePartial(ctx))
      .add("DELETE", "/prompts/partials/{promptPartialId}", (ctx) => this.deletePartial(ctx))
      .add("GET", "/prompts/partials/{promptPartialId}/versions", (ctx) => this.listVersions(ctx))
      .add("PUT", "/prompts/partials/{promptPartialId}/makeDefault", (ctx) => this.makeDefault(ctx));
  }

  private createPartial(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const state = this.shared.state(ctx);
    const name = requireString(body, "name", 1, 255);
    const string = requireString(body, "string", 0, 1_000_000);
    // Required with an organisation admin key (the document); a workspace key's own workspace otherwise.
    const workspaceGiven = optionalString(body, "workspace_id");
    const workspace = this.shared.findWorkspace(ctx, workspaceGiven ?? workspaceOfKey(ctx));
    authorize(ctx, "prompts.create", { workspaceId: workspace.id });
    const now = ctx.now.toISOString();
    const version: PromptPartialVersionRecord = { id: randomUUID(), version: 1, string, version_description: versionDescription(body), created_at: now };
    const record: PromptPartialRecord = {
      id: randomUUID(),
      slug: `${slugPart(name)}-${randomBytes(3).toString("hex")}`,
      name,
      workspace_id: workspace.id,
      collection_id: ensureDefaultCollection(state, workspace.id, workspace.created_at).id,
      default_version: 1,
      versions: [version],
      status: "active",
      created_at: now,
      last_updated_at: now,
    };
    partialsOf(state)[record.id] = record;
    return { body: { id: record.id, slug: record.slug, version_id: version.id } };
  }

  private listPartials(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    // The document filters by collection_id, the Terraform provider by workspace_id: both are served.
    const workspaceGiven = ctx.query.get("workspace_id");
    const workspaceId = workspaceGiven ? this.shared.findWorkspace(ctx, workspaceGiven).id : undefined;
    const collectionGiven = ctx.query.get("collection_id");
    const collection = collectionGiven ? findCollection(state, collectionGiven) : undefined;
    if (collectionGiven && !collection) throw portkeyError("AB08", `Collection not found: ${collectionGiven}`);
    const data = liveParts(state)
      .filter((p) => !workspaceId || p.workspace_id === workspaceId)
      .filter((p) => !collection || p.collection_id === collection.id)
      .filter((p) => allowed(ctx, "prompts.list", p.workspace_id))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
      .map((p) => {
        const v = published(p);
        return { id: p.id, slug: p.slug, name: p.name, collection_id: p.collection_id, version: v.version, status: p.status, created_at: p.created_at, last_updated_at: p.last_updated_at, object: "partial" };
      });
    // The live list is an object (Terraform provider, portkey-admin-mcp), not the document's bare array.
    return { body: { object: "list", total: data.length, data } };
  }

  private getPartial(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "prompts.read");
    const asked = ctx.query.get("version");
    let version = published(record);
    if (asked === "latest") version = record.versions[record.versions.length - 1];
    else if (asked && asked !== "default") {
      const found = /^\d+$/.test(asked) ? record.versions.find((v) => v.version === Number(asked)) : undefined;
      if (!found) throw portkeyError("AB08", `Prompt partial version not found: ${asked}`);
      version = found;
    }
    return { body: partialJson(record, version) };
  }

  private updatePartial(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "prompts.update");
    const body = this.shared.checkedBody(ctx);
    const name = body.name === undefined ? undefined : requireString(body, "name", 1, 255);
    const status = body.status === undefined ? undefined : requireString(body, "status", 1, 50);
    let answer: JsonObject = {};
    if (body.string !== undefined) {
      const string = requireString(body, "string", 0, 1_000_000);
      const version: PromptPartialVersionRecord = {
        id: randomUUID(),
        version: Math.max(...record.versions.map((v) => v.version)) + 1,
        string,
        version_description: versionDescription(body),
        created_at: ctx.now.toISOString(),
      };
      record.versions.push(version);
      answer = { id: record.id, slug: record.slug, prompt_partial_version_id: version.id };
    }
    if (name !== undefined) record.name = name;
    if (status !== undefined) record.status = status;
    record.last_updated_at = ctx.now.toISOString();
    return { body: answer };
  }

  private deletePartial(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.find(ctx, "prompts.delete");
    const referrers = Object.values(promptsOf(state))
      .filter((p) => workspaceLive(state, p.workspace_id))
      .filter((p) => [publishedVersion(p), p.versions[p.versions.length - 1]].some((v) => includes(v.string, record)))
      .map((p) => p.slug);
    if (referrers.length > 0) throw portkeyError("AB07", `Unable to delete. The partial is used by prompt(s) ${referrers.join(", ")}`);
    delete partialsOf(state)[record.id];
    return { body: {} };
  }

  private listVersions(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "prompts.read");
    const data = [...record.versions].reverse().map((v) => ({
      prompt_partial_id: record.id,
      prompt_partial_version_id: v.id,
      version: v.version,
      string: v.string,
      description: v.version_description,
      created_at: v.created_at,
      object: "partial_version",
    }));
    return { body: { object: "list", total: data.length, data } };
  }

  private makeDefault(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "prompts.update");
    const body = this.shared.checkedBody(ctx);
    const number = body.version;
    if (typeof number !== "number" || !Number.isInteger(number)) throw portkeyError("AB01", "Invalid request. version: is required and must be a version number");
    if (!record.versions.some((v) => v.version === number)) throw portkeyError("AB08", `Prompt partial version not found: ${number}`);
    record.default_version = number;
    record.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  /** By UUID or slug, in a live workspace the caller may use with `scope`. */
  private find(ctx: PortkeyRequest, scope: string): PromptPartialRecord {
    const state = this.shared.state(ctx);
    const given = ctx.params.promptPartialId;
    const all = partialsOf(state);
    const record = all[given] ?? Object.values(all).find((p) => p.slug === given);
    if (!record || !workspaceLive(state, record.workspace_id)) throw portkeyError("AB08", `Prompt partial not found: ${given}`);
    authorize(ctx, scope, { workspaceId: record.workspace_id });
    return record;
  }
}

/** The organisation's partials (older state files have none yet). */
function partialsOf(state: PortkeyState): Record<string, PromptPartialRecord> {
  return (state.prompt_partials ??= {});
}

function liveParts(state: PortkeyState): PromptPartialRecord[] {
  return Object.values(partialsOf(state)).filter((p) => workspaceLive(state, p.workspace_id));
}

function published(p: PromptPartialRecord): PromptPartialVersionRecord {
  return p.versions.find((v) => v.version === p.default_version) ?? p.versions[p.versions.length - 1];
}

/**
 * The description of a new version: `version_description` (what the
 * Terraform provider and portkey-admin-mcp send), or the document's
 * update field `description`.
 */
function versionDescription(body: JsonObject): string | null {
  return optionalString(body, "version_description") ?? optionalString(body, "description") ?? null;
}

/** Whether a template includes the partial (by slug or id, any version). */
function includes(template: string, partial: PromptPartialRecord): boolean {
  for (const match of template.matchAll(PARTIAL_TAG)) if (match[1] === partial.slug || match[1] === partial.id) return true;
  return false;
}

function partialJson(p: PromptPartialRecord, v: PromptPartialVersionRecord): JsonObject {
  return {
    id: p.id,
    slug: p.slug,
    name: p.name,
    collection_id: p.collection_id,
    string: v.string,
    version: v.version,
    version_description: v.version_description,
    prompt_partial_version_id: v.id,
    prompt_partial_version_status: "active",
    status: p.status,
    created_at: p.created_at,
    last_updated_at: p.last_updated_at,
    object: "partial",
  };
}
