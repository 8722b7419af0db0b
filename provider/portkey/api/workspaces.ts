/**
 * Portkey's workspace endpoints (`/admin/workspaces`), each written once, and
 * the id ↔ slug resolution every resource uses, cached per provider process.
 *
 * Portkey answers 403 AB03 both for a deleted workspace and for a key that
 * lacks `workspaces.read`, so a 403 is never taken as "gone" here: absence is
 * confirmed with the list, and a workspace that is still listed turns the 403
 * into an error naming the missing scope.
 */
import { ApiError, isForbidden, isGone } from "../../errors";
import { LifecycleContext } from "../../framework";
import { ApiClient, apiPath } from "../../http";
import { sharedInFlight } from "../../coalesce";
import type { ApiRateLimit, ApiUsageLimit } from "../limits";

/** A workspace as GET /admin/workspaces/{id}?name_format=plain returns it. */
export interface ApiWorkspace {
  id: string;
  slug: string;
  /** Without the icon (read with name_format=plain). */
  name: string;
  icon?: string | null;
  description?: string | null;
  created_at: string;
  last_updated_at: string;
  defaults?: ApiWorkspaceDefaults | null;
  usage_limits?: ApiUsageLimit[] | null;
  rate_limits?: ApiRateLimit[] | null;
}

export interface ApiWorkspaceDefaults {
  metadata?: Record<string, string> | null;
  input_guardrails?: string[] | null;
  output_guardrails?: string[] | null;
  user_api_key_config?: string | null;
  is_default?: number | boolean | null;
}

export interface WorkspaceRef {
  id: string;
  slug: string;
}

const PAGE_SIZE = 100;

function workspacePath(idOrSlug: string): string {
  return apiPath`/admin/workspaces/${idOrSlug}`;
}

/** The new workspace as the create answers it (the name without its icon). */
export async function createWorkspace(client: ApiClient, body: object): Promise<ApiWorkspace> {
  return withPlainName(await client.request<ApiWorkspace>({ method: "POST", path: "/admin/workspaces", body }));
}

export async function updateWorkspace(client: ApiClient, id: string, body: object): Promise<void> {
  await client.request({ method: "PUT", path: workspacePath(id), body });
}

/** The API wants the workspace's exact current name with the delete. */
export async function deleteWorkspace(client: ApiClient, id: string, name: string, forceDelete: boolean): Promise<void> {
  await client.request({ method: "DELETE", path: workspacePath(id), body: { name, force_delete: forceDelete } });
}

/** The workspace, or undefined when it is confirmed gone. */
export async function getWorkspace(client: ApiClient, idOrSlug: string): Promise<ApiWorkspace | undefined> {
  try {
    return await client.request<ApiWorkspace>({ method: "GET", path: workspacePath(idOrSlug), query: { name_format: "plain" } });
  } catch (error) {
    if (isGone(error)) return undefined;
    if (!isForbidden(error)) throw error;
    let listed: ApiWorkspace | undefined;
    try {
      listed = await findInList(client, idOrSlug);
    } catch (listError) {
      if (isForbidden(listError)) throw missingScope(error, `The workspace '${idOrSlug}'`, ["workspaces.read", "workspaces.list"]);
      throw listError;
    }
    if (!listed) return undefined;
    throw missingScope(error, `The workspace '${idOrSlug}'`, ["workspaces.read"]);
  }
}

/** Every workspace named exactly `name`, with the server's clock when it answered. */
export async function listWorkspacesByName(client: ApiClient, name: string): Promise<{ workspaces: ApiWorkspace[]; serverTime?: number }> {
  const workspaces: ApiWorkspace[] = [];
  let serverTime: number | undefined;
  for (let page = 0; ; page++) {
    const answer = await client.requestWithServerTime<{ total?: number; data?: ApiWorkspace[] }>({
      method: "GET",
      path: "/admin/workspaces",
      query: { exact_name: name, page_size: PAGE_SIZE, current_page: page },
    });
    serverTime ??= answer.serverTime;
    const data = (answer.body.data ?? []).map(withPlainName);
    workspaces.push(...data.filter((w) => w.name === name));
    if (data.length < PAGE_SIZE) return { workspaces, serverTime };
  }
}

/**
 * The list answers names as the UI shows them, "<icon> <name>" (name_format=plain
 * is only documented for the single GET), so the icon is taken off here.
 */
function withPlainName(workspace: ApiWorkspace): ApiWorkspace {
  const prefix = workspace.icon ? `${workspace.icon} ` : undefined;
  return prefix && workspace.name.startsWith(prefix) ? { ...workspace, name: workspace.name.slice(prefix.length) } : workspace;
}

async function findInList(client: ApiClient, idOrSlug: string): Promise<ApiWorkspace | undefined> {
  for (let page = 0; ; page++) {
    const list = await client.request<{ data?: ApiWorkspace[] }>({
      method: "GET",
      path: "/admin/workspaces",
      query: { page_size: PAGE_SIZE, current_page: page },
    });
    const data = list.data ?? [];
    const found = data.find((w) => w.id === idOrSlug || w.slug === idOrSlug);
    if (found || data.length < PAGE_SIZE) return found;
  }
}

/**
 * The error for a 403 on an object that is not known to be deleted: it stays
 * in the stack, and the admin key most likely lacks a scope.
 */
export function missingScope(forbidden: ApiError, object: string, scopes: readonly string[]): Error {
  return new Error(
    `${forbidden.message}. ${object} is not known to be deleted, so it stays in the stack: ` +
      `the Portkey admin key most likely lacks the ${scopes.map((s) => `'${s}'`).join(" and ")} scope${scopes.length > 1 ? "s" : ""}. ` +
      "Grant them to the key (or configure a key that has them) and run the command again.",
  );
}

/**
 * What a 403 on an object inside a workspace means: Portkey answers it for
 * every object of a deleted workspace, and for an admin key without the
 * scope. Gone (undefined) only when the workspace is confirmed gone; else an
 * error naming the object and the scopes. Any other error is rethrown.
 */
export async function goneWithItsWorkspace(client: ApiClient, error: unknown, workspaceId: string, object: string, scopes: readonly string[]): Promise<undefined> {
  if (!isForbidden(error)) throw error;
  if (await getWorkspace(client, workspaceId)) throw missingScope(error, object, scopes);
  return undefined;
}

/**
 * Remembers a workspace's UUID and slug for this provider process (slugs
 * never change). The native plugin serves every resource from one process and
 * state, so a workspace it just created or read resolves keys' and grants'
 * `workspaceId` without another GET.
 */
export function rememberWorkspace(ctx: LifecycleContext, workspace: WorkspaceRef): void {
  const ref = { id: workspace.id, slug: workspace.slug };
  ctx.processState.set(`workspace:${ref.id}`, ref);
  ctx.processState.set(`workspace:${ref.slug}`, ref);
}

/** Forgets a workspace that is gone, so nothing resolves to it from memory. */
export function forgetWorkspace(ctx: LifecycleContext, idOrSlug: string): void {
  const ref = ctx.processState.get(`workspace:${idOrSlug}`) as WorkspaceRef | undefined;
  for (const key of [idOrSlug, ref?.id, ref?.slug]) if (key) ctx.processState.delete(`workspace:${key}`);
}

/** UUID and slug of a workspace given either, or undefined when it is confirmed gone. */
export async function resolveWorkspace(client: ApiClient, ctx: LifecycleContext, idOrSlug: string): Promise<WorkspaceRef | undefined> {
  const cached = ctx.processState.get(`workspace:${idOrSlug}`) as WorkspaceRef | undefined;
  if (cached) return cached;
  return sharedInFlight(ctx.processState, `workspace:${idOrSlug}`, async () => {
    const workspace = await getWorkspace(client, idOrSlug);
    if (!workspace) return undefined;
    rememberWorkspace(ctx, workspace);
    return { id: workspace.id, slug: workspace.slug };
  });
}

/** Like resolveWorkspace, but a missing workspace is an error naming the input. */
export async function requireWorkspace(client: ApiClient, ctx: LifecycleContext, idOrSlug: string): Promise<WorkspaceRef> {
  const workspace = await resolveWorkspace(client, ctx, idOrSlug);
  if (!workspace) throw new Error(`workspaceId: workspace '${idOrSlug}' does not exist (or was deleted).`);
  return workspace;
}

/** Every workspace of the organisation, every page (names without the icon). */
export async function listWorkspaces(client: ApiClient): Promise<ApiWorkspace[]> {
  const workspaces: ApiWorkspace[] = [];
  for (let page = 0; ; page++) {
    const list = await client.request<{ data?: ApiWorkspace[] }>({
      method: "GET",
      path: "/admin/workspaces",
      query: { page_size: PAGE_SIZE, current_page: page },
    });
    const data = (list.data ?? []).map(withPlainName);
    workspaces.push(...data);
    if (data.length < PAGE_SIZE) return workspaces;
  }
}

/** Portkey marks the organisation's default workspace (`defaults.is_default`, 1 or true). */
export function isDefaultWorkspace(workspace: ApiWorkspace): boolean {
  const flag = workspace.defaults?.is_default;
  return flag === true || flag === 1;
}
