/**
 * Portkey's prompt library endpoints, each written once with its JSON:
 * collections (`/collections`), labels (`/labels`), partials
 * (`/prompts/partials`) and prompts (`/prompts`). Reference:
 * portkey-admin-api-prompts-mcp-scim.md §1–§5.
 *
 * Where the official document and live-tested clients disagree on a shape
 * (version lists and the partial list as objects with `data`, not bare
 * arrays; `is_default` as a number), both forms are read here, so the
 * declarations see one.
 */
import { ApiClient, apiPath } from "../../http";

const PAGE_SIZE = 100;

/** Items of a list answer: a bare array (the document's) or `{data: [...]}` (live). */
function itemsOf<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  const data = body !== null && typeof body === "object" ? (body as { data?: unknown }).data : undefined;
  return Array.isArray(data) ? (data as T[]) : [];
}

/** Every page of a `current_page`/`page_size` list, and the server's clock at the first page (for create recovery). */
async function everyPage<T>(client: ApiClient, path: string, query: Record<string, string | undefined>): Promise<{ items: T[]; serverTime?: number }> {
  const items: T[] = [];
  let serverTime: number | undefined;
  for (let page = 0; ; page++) {
    const answer = await client.requestWithServerTime<unknown>({ method: "GET", path, query: { ...query, page_size: PAGE_SIZE, current_page: page } });
    serverTime ??= answer.serverTime;
    const data = itemsOf<T>(answer.body);
    items.push(...data);
    const total = (answer.body as { total?: unknown } | undefined)?.total;
    if (data.length < PAGE_SIZE || (typeof total === "number" && items.length >= total)) return { items, serverTime };
  }
}

// ---- collections ----

/** A collection as GET /collections/{id} answers it (`workspace_id` always the UUID). */
export interface ApiCollection {
  id: string;
  slug: string;
  name: string;
  workspace_id: string;
  parent_collection_id?: string | null;
  /** 1/0 live (the document says boolean). */
  is_default?: number | boolean | null;
  status?: string | null;
  created_at?: string;
  last_updated_at?: string;
}

export function isDefaultCollection(collection: ApiCollection): boolean {
  return collection.is_default === 1 || collection.is_default === true;
}

export async function createCollection(client: ApiClient, body: object): Promise<{ id: string; slug?: string }> {
  return client.request({ method: "POST", path: "/collections", body });
}

/** By UUID or slug; undefined when gone. */
export async function getCollection(client: ApiClient, idOrSlug: string): Promise<ApiCollection | undefined> {
  return client.requestOrGone<ApiCollection>({ method: "GET", path: apiPath`/collections/${idOrSlug}` });
}

/** PUT: only `name` can change (the body holds it). */
export async function updateCollection(client: ApiClient, id: string, body: object): Promise<void> {
  await client.request({ method: "PUT", path: apiPath`/collections/${id}`, body });
}

export async function deleteCollection(client: ApiClient, id: string): Promise<void> {
  await client.request({ method: "DELETE", path: apiPath`/collections/${id}` });
}

/** Every collection of a workspace (the document requires `workspace_id`), the default one included. */
export async function listCollections(client: ApiClient, workspaceId: string): Promise<{ collections: ApiCollection[]; serverTime?: number }> {
  const { items, serverTime } = await everyPage<ApiCollection>(client, "/collections", { workspace_id: workspaceId });
  return { collections: items, serverTime };
}

// ---- labels ----

/** A label as GET /labels/{id} answers it (`workspace_id` null: the organisation's). */
export interface ApiLabel {
  id: string;
  name: string;
  description?: string | null;
  color_code?: string | null;
  organisation_id?: string | null;
  workspace_id?: string | null;
  /** The built-in production, staging and development labels. */
  is_universal?: boolean | number | null;
  status?: string | null;
  created_at?: string;
  last_updated_at?: string;
}

export function isBuiltInLabel(label: ApiLabel): boolean {
  return label.is_universal === true || label.is_universal === 1;
}

export async function createLabel(client: ApiClient, body: object): Promise<{ id: string }> {
  return client.request({ method: "POST", path: "/labels", body });
}

/** By UUID only (the API has no label slugs); undefined when gone. */
export async function getLabel(client: ApiClient, id: string): Promise<ApiLabel | undefined> {
  return client.requestOrGone<ApiLabel>({ method: "GET", path: apiPath`/labels/${id}` });
}

export async function updateLabel(client: ApiClient, id: string, body: object): Promise<void> {
  await client.request({ method: "PUT", path: apiPath`/labels/${id}`, body });
}

export async function deleteLabel(client: ApiClient, id: string): Promise<void> {
  await client.request({ method: "DELETE", path: apiPath`/labels/${id}` });
}

/** Labels the key can see: with `workspace_id`, that workspace's and the organisation's; without, all. */
export async function listLabels(client: ApiClient, workspaceId?: string): Promise<{ labels: ApiLabel[]; serverTime?: number }> {
  const { items, serverTime } = await everyPage<ApiLabel>(client, "/labels", { workspace_id: workspaceId });
  return { labels: items, serverTime };
}

// ---- versions (prompts and partials alike) ----

/**
 * One entry of a versions list: prompts name the number `prompt_version`
 * and the id `id`; partials `version` and `prompt_partial_version_id`.
 */
export interface ApiVersionEntry {
  id?: string;
  prompt_version?: number;
  prompt_partial_version_id?: string;
  version?: number | string;
}

/** The number of the version with this id in a versions list (numbers can have gaps: never computed). */
function versionNumber(entries: ApiVersionEntry[], versionId: string): number | undefined {
  const entry = entries.find((e) => e.id === versionId || e.prompt_partial_version_id === versionId);
  const number = entry?.prompt_version ?? entry?.version;
  return number === undefined ? undefined : Number(number);
}

// ---- partials ----

/** A partial as GET /prompts/partials/{id} answers it: the shown version's fields at top level. */
export interface ApiPartial {
  id: string;
  slug: string;
  name: string;
  /** The workspace's default collection (partials are created without one). */
  collection_id?: string | null;
  string: string;
  version: number;
  version_description?: string | null;
  prompt_partial_version_id: string;
  status?: string | null;
  created_at?: string;
  last_updated_at?: string;
}

export async function createPartial(client: ApiClient, body: object): Promise<{ id: string; slug: string; version_id?: string }> {
  return client.request({ method: "POST", path: "/prompts/partials", body });
}

/** The published version (or `version`: a number, `latest`); undefined when gone. */
export async function getPartial(client: ApiClient, idOrSlug: string, version?: string | number): Promise<ApiPartial | undefined> {
  return client.requestOrGone<ApiPartial>({ method: "GET", path: apiPath`/prompts/partials/${idOrSlug}`, query: { version: version === undefined ? undefined : String(version) } });
}

/** PUT: `string` makes a new, unpublished version (its id answered); `name` alone answers `{}`. */
export async function updatePartial(client: ApiClient, id: string, body: object): Promise<{ prompt_partial_version_id?: string }> {
  return (await client.request<{ prompt_partial_version_id?: string } | undefined>({ method: "PUT", path: apiPath`/prompts/partials/${id}`, body })) ?? {};
}

export async function deletePartial(client: ApiClient, id: string): Promise<void> {
  await client.request({ method: "DELETE", path: apiPath`/prompts/partials/${id}` });
}

/** Every partial of a workspace. */
export async function listPartials(client: ApiClient, workspaceId: string): Promise<{ partials: ApiPartial[]; serverTime?: number }> {
  const answer = await client.requestWithServerTime<unknown>({ method: "GET", path: "/prompts/partials", query: { workspace_id: workspaceId } });
  return { partials: itemsOf<ApiPartial>(answer.body), serverTime: answer.serverTime };
}

/** Publishes the partial's version with this id (found by number in its versions list). */
export async function publishPartialVersion(client: ApiClient, id: string, versionId: string): Promise<number> {
  const entries = itemsOf<ApiVersionEntry>(await client.request<unknown>({ method: "GET", path: apiPath`/prompts/partials/${id}/versions` }));
  const number = versionNumber(entries, versionId);
  if (number === undefined) throw new Error(`Portkey made version ${versionId} of prompt partial ${id} but does not list it; publish it in the Portkey UI and run \`pulumi up\` again.`);
  await publishPartial(client, id, number);
  return number;
}

/** PUT makeDefault: the version number, never its UUID. */
export async function publishPartial(client: ApiClient, id: string, version: number): Promise<void> {
  await client.request({ method: "PUT", path: apiPath`/prompts/partials/${id}/makeDefault`, body: { version } });
}

// ---- prompts ----

/** A prompt as GET /prompts/{id} answers it: the shown version's fields at top level. */
export interface ApiPrompt {
  id: string;
  slug: string;
  name: string;
  collection_id: string;
  string: string;
  /** The API adds `model` into it. */
  parameters?: Record<string, unknown> | null;
  prompt_version: number;
  prompt_version_id: string;
  prompt_version_description?: string | null;
  /** The label on the shown version (a version carries at most one). */
  prompt_version_label_id?: string | null;
  /** The provider's slug, even when its id was sent. */
  virtual_key?: string | null;
  model?: string | null;
  functions?: unknown[] | null;
  tools?: unknown[] | null;
  tool_choice?: unknown;
  template_metadata?: Record<string, unknown> | null;
  /** 0/1 as the update takes it (the document's prompt object says boolean): both are read. */
  is_raw_template?: number | boolean | null;
  status?: string | null;
  created_at?: string;
  last_updated_at?: string;
}

export async function createPrompt(client: ApiClient, body: object): Promise<{ id: string; slug: string; version_id?: string }> {
  return client.request({ method: "POST", path: "/prompts", body });
}

/** The published version (or `version`: a number, `latest`); undefined when gone. */
export async function getPrompt(client: ApiClient, idOrSlug: string, version?: string | number): Promise<ApiPrompt | undefined> {
  return client.requestOrGone<ApiPrompt>({ method: "GET", path: apiPath`/prompts/${idOrSlug}`, query: { version: version === undefined ? undefined : String(version) } });
}

/** PUT: a versioned field makes a new, unpublished version (its id answered); a rename or move answers `{}`. */
export async function updatePrompt(client: ApiClient, id: string, body: object): Promise<{ prompt_version_id?: string }> {
  return (await client.request<{ prompt_version_id?: string } | undefined>({ method: "PUT", path: apiPath`/prompts/${id}`, body })) ?? {};
}

export async function deletePrompt(client: ApiClient, id: string): Promise<void> {
  await client.request({ method: "DELETE", path: apiPath`/prompts/${id}` });
}

/** Every prompt of a workspace (or, without one, every prompt the key can see). */
export async function listPrompts(client: ApiClient, query: { workspace_id?: string; collection_id?: string }): Promise<{ prompts: ApiPrompt[]; serverTime?: number }> {
  const { items, serverTime } = await everyPage<ApiPrompt>(client, "/prompts", query);
  return { prompts: items, serverTime };
}

/** Publishes the prompt's version with this id (found by number in its versions list). */
export async function publishPromptVersion(client: ApiClient, id: string, versionId: string): Promise<number> {
  const entries = itemsOf<ApiVersionEntry>(await client.request<unknown>({ method: "GET", path: apiPath`/prompts/${id}/versions` }));
  const number = versionNumber(entries, versionId);
  if (number === undefined) throw new Error(`Portkey made version ${versionId} of prompt ${id} but does not list it; publish it in the Portkey UI and run \`pulumi up\` again.`);
  await publishPrompt(client, id, number);
  return number;
}

/**
 * PUT /prompts/{id}/versions/{versionId}: the only change a version takes, its
 * label. `null` takes the label off (the document types `label_id` as a UUID
 * only; clearing with null is what a live-used client sends).
 */
export async function labelPromptVersion(client: ApiClient, id: string, versionId: string, labelId: string | null): Promise<void> {
  await client.request({ method: "PUT", path: apiPath`/prompts/${id}/versions/${versionId}`, body: { label_id: labelId } });
}

/** PUT makeDefault: the version number, never its UUID. */
export async function publishPrompt(client: ApiClient, id: string, version: number): Promise<void> {
  await client.request({ method: "PUT", path: apiPath`/prompts/${id}/makeDefault`, body: { version } });
}
