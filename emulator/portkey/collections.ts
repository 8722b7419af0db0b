/**
 * Portkey prompt collections, /collections: folders of prompts in one
 * workspace, addressed by UUID or slug, nested by `parent_collection_id`.
 * Every workspace has a default collection, which cannot be deleted (the
 * document's delete answers 404 for it); only `name` can be changed
 * (reference prompts-mcp-scim §1).
 *
 * The default collection is made the first time a workspace's collections
 * are looked at, with an id derived from the workspace's, so a read that
 * makes it (and is not persisted) makes the same one next time.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { authorize, JsonObject, optionalString, page, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString, slugPart } from "./common";
import { PortkeyState, PromptCollectionRecord } from "./state";

/** The collection routes and their rules. */
export class PortkeyCollectionRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/collections", (ctx) => this.createCollection(ctx))
      .add("GET", "/collections", (ctx) => this.listCollections(ctx))
      .add("GET", "/collections/{collectionId}", (ctx) => this.getCollection(ctx))
      .add("PUT", "/collections/{collectionId}", (ctx) => this.updateCollection(ctx))
      .add("DELETE", "/collections/{collectionId}", (ctx) => this.deleteCollection(ctx));
  }

  private createCollection(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const name = requireString(body, "name", 1, 255);
    const state = this.shared.state(ctx);
    const parentGiven = optionalString(body, "parent_collection_id");
    const parent = parentGiven ? findCollection(state, parentGiven) : undefined;
    if (parentGiven && !parent) throw portkeyError("AB08", `Collection not found: ${parentGiven}`);
    const workspaceGiven = optionalString(body, "workspace_id");
    const workspaceId = workspaceGiven ? this.shared.findWorkspace(ctx, workspaceGiven).id : (parent?.workspace_id ?? workspaceOfKey(ctx));
    if (parent && parent.workspace_id !== workspaceId) {
      throw portkeyError("AB01", "Invalid request. parent_collection_id: the parent collection is in another workspace");
    }
    authorize(ctx, "collections.create", { workspaceId });
    const now = ctx.now.toISOString();
    const record: PromptCollectionRecord = {
      id: randomUUID(),
      slug: `${slugPart(name)}-${randomBytes(3).toString("hex")}`,
      name,
      workspace_id: workspaceId,
      parent_collection_id: parent?.id ?? null,
      is_default: false,
      status: "active",
      created_at: now,
      last_updated_at: now,
    };
    collectionsOf(state)[record.id] = record;
    return { body: { id: record.id, slug: record.slug } };
  }

  private listCollections(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const given = ctx.query.get("workspace_id");
    // The document requires workspace_id; a workspace key's own workspace stands in for it.
    const workspaceId = given ? this.shared.findWorkspace(ctx, given).id : workspaceOfKey(ctx);
    authorize(ctx, "collections.list", { workspaceId });
    ensureDefaultCollection(state, workspaceId, this.shared.findWorkspace(ctx, workspaceId).created_at);
    const search = ctx.query.get("search")?.toLowerCase();
    const all = liveCollections(state)
      .filter((c) => c.workspace_id === workspaceId)
      .filter((c) => !search || c.name.toLowerCase().includes(search))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    const { total, data } = page(all, ctx.query, (c) => ({ ...collectionJson(c), collection_details: this.details(state, c) }));
    return { body: { total, data } };
  }

  private getCollection(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.find(ctx, "collections.read");
    const children = liveCollections(state).filter((c) => c.parent_collection_id === record.id);
    return {
      body: {
        ...collectionJson(record),
        child_collections: children.map((c) => ({ id: c.id, name: c.name, last_updated_at: c.last_updated_at, collection_details: this.details(state, c) })),
      },
    };
  }

  private updateCollection(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "collections.update");
    const body = this.shared.checkedBody(ctx);
    record.name = requireString(body, "name", 1, 255);
    record.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteCollection(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.find(ctx, "collections.delete");
    if (record.is_default) throw portkeyError("AB08", `Collection not found or it is the workspace's default collection: ${ctx.params.collectionId}`);
    // Not established live; refusing keeps prompts from losing their folder (a choice, see docs/emulator.md).
    const children = liveCollections(state).filter((c) => c.parent_collection_id === record.id);
    const prompts = Object.values(state.prompts ?? {}).filter((p) => p.collection_id === record.id);
    if (children.length > 0 || prompts.length > 0) {
      const names = [...children.map((c) => `collection ${c.slug}`), ...prompts.map((p) => `prompt ${p.slug}`)];
      throw portkeyError("AB07", `Unable to delete. The collection is not empty: ${names.join(", ")}`);
    }
    delete collectionsOf(state)[record.id];
    return { body: {} };
  }

  /** By UUID or slug, in a live workspace the caller may use with `scope`. */
  private find(ctx: PortkeyRequest, scope: string): PromptCollectionRecord {
    const state = this.shared.state(ctx);
    const given = ctx.params.collectionId;
    const record = findCollection(state, given);
    if (!record) throw portkeyError("AB08", `Collection not found: ${given}`);
    authorize(ctx, scope, { workspaceId: record.workspace_id });
    return record;
  }

  private details(state: PortkeyState, c: PromptCollectionRecord): JsonObject {
    const children = liveCollections(state).filter((child) => child.parent_collection_id === c.id);
    const prompts = Object.values(state.prompts ?? {}).filter((p) => p.collection_id === c.id);
    const latest = (dates: string[]) => (dates.length === 0 ? null : dates.sort().at(-1));
    return {
      child_collections_count: children.length,
      prompts_count: prompts.length,
      child_collections_last_updated_at: latest(children.map((x) => x.last_updated_at)),
      prompts_last_updated_at: latest(prompts.map((x) => x.last_updated_at)),
    };
  }
}

/** The organisation's collections (older state files have none yet). */
export function collectionsOf(state: PortkeyState): Record<string, PromptCollectionRecord> {
  return (state.prompt_collections ??= {});
}

/** Collections whose workspace still exists. */
function liveCollections(state: PortkeyState): PromptCollectionRecord[] {
  return Object.values(collectionsOf(state)).filter((c) => workspaceLive(state, c.workspace_id));
}

/** A live collection by UUID or slug (the workspace's default one included), or undefined. */
export function findCollection(state: PortkeyState, idOrSlug: string): PromptCollectionRecord | undefined {
  for (const workspace of Object.values(state.workspaces)) if (!workspace.deleted_at) ensureDefaultCollection(state, workspace.id, workspace.created_at);
  const all = collectionsOf(state);
  const record = all[idOrSlug] ?? Object.values(all).find((c) => c.slug === idOrSlug);
  return record && workspaceLive(state, record.workspace_id) ? record : undefined;
}

/**
 * The workspace's default collection, made on first use with an id derived
 * from the workspace's (so every read makes the same one).
 */
export function ensureDefaultCollection(state: PortkeyState, workspaceId: string, createdAt: string): PromptCollectionRecord {
  const all = collectionsOf(state);
  const existing = Object.values(all).find((c) => c.workspace_id === workspaceId && c.is_default);
  if (existing) return existing;
  const id = stableUuid(`default-collection:${workspaceId}`);
  const workspace = state.workspaces[workspaceId];
  const record: PromptCollectionRecord = {
    id,
    slug: `${workspace ? slugPart(workspace.slug) : "workspace"}-default-${id.slice(0, 6)}`,
    name: "Default",
    workspace_id: workspaceId,
    parent_collection_id: null,
    is_default: true,
    status: "active",
    created_at: createdAt,
    last_updated_at: createdAt,
  };
  all[id] = record;
  return record;
}

/** A UUID-shaped id that is always the same for the same seed. */
export function stableUuid(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The workspace a workspace key works in, or a refusal naming workspace_id for an organisation key. */
export function workspaceOfKey(ctx: PortkeyRequest): string {
  const principal = ctx.principal;
  if (principal.kind === "key" && principal.key.type === "workspace" && principal.key.workspace_id) return principal.key.workspace_id;
  throw portkeyError("AB01", "Invalid request. workspace_id: is required when using an organisation admin API key");
}

export function workspaceLive(state: PortkeyState, id: string): boolean {
  const workspace = state.workspaces[id];
  return !!workspace && !workspace.deleted_at;
}

/**
 * The collection as the API answers it. `is_default` is a number: the live
 * API's (the Terraform provider decodes an integer and tests `== 1`), not
 * the document's boolean.
 */
function collectionJson(c: PromptCollectionRecord): JsonObject {
  return {
    id: c.id,
    name: c.name,
    workspace_id: c.workspace_id,
    slug: c.slug,
    parent_collection_id: c.parent_collection_id,
    is_default: c.is_default ? 1 : 0,
    status: c.status,
    created_at: c.created_at,
    last_updated_at: c.last_updated_at,
  };
}
