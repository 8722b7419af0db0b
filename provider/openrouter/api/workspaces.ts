/**
 * OpenRouter's workspace endpoints (`/workspaces`), each written once with its
 * JSON. OpenRouter wraps every answer in `{ data }`; these return what is inside.
 */
import { isGone } from "../../errors";
import { ApiClient, apiPath } from "../../http";

/** A workspace as OpenRouter answers it. */
export interface WorkspaceJson {
  id: string;
  name: string;
  slug: string;
  description?: string | null;
  default_text_model?: string | null;
  default_image_model?: string | null;
  default_provider_sort?: string | null;
  io_logging_api_key_ids?: number[] | null;
  io_logging_sampling_rate?: number;
  is_data_discount_logging_enabled?: boolean;
  is_observability_broadcast_enabled?: boolean;
  is_observability_io_logging_enabled?: boolean;
  disabled_server_tools?: string[] | null;
  include_byok_in_budgets?: boolean;
  created_by?: string | null;
  default_guardrail_id?: string;
  created_at?: string;
  updated_at?: string | null;
}

function workspacePath(idOrSlug: string): string {
  return apiPath`/workspaces/${idOrSlug}`;
}

export async function createWorkspace(client: ApiClient, body: object): Promise<WorkspaceJson> {
  return (await client.request<{ data: WorkspaceJson }>({ method: "POST", path: "/workspaces", body })).data;
}

/** The workspace (by UUID or slug), or undefined when there is none. */
export async function getWorkspace(client: ApiClient, idOrSlug: string): Promise<WorkspaceJson | undefined> {
  return (await client.requestOrGone<{ data: WorkspaceJson }>({ method: "GET", path: workspacePath(idOrSlug) }))?.data;
}

/** The workspace with this slug (if any), with the server's clock at the answer (create recovery judges by it). */
export async function findWorkspaceBySlug(client: ApiClient, slug: string): Promise<{ workspace?: WorkspaceJson; serverTime?: number }> {
  try {
    const { body, serverTime } = await client.requestWithServerTime<{ data: WorkspaceJson }>({ method: "GET", path: workspacePath(slug) });
    return { workspace: body.data, serverTime };
  } catch (error) {
    if (isGone(error)) return {};
    throw error;
  }
}

/** Applies the fields in `body` and answers the workspace as it is now. */
export async function updateWorkspace(client: ApiClient, id: string, body: object): Promise<WorkspaceJson> {
  return (await client.request<{ data: WorkspaceJson }>({ method: "PATCH", path: workspacePath(id), body })).data;
}

/** Deleting the account's default workspace needs an explicit confirmation. */
export async function deleteWorkspace(client: ApiClient, id: string, confirmDefaultWorkspaceDeletion: boolean): Promise<void> {
  await client.request({
    method: "DELETE",
    path: workspacePath(id),
    query: confirmDefaultWorkspaceDeletion ? { confirm_default_workspace_deletion: "true" } : undefined,
  });
}

const PAGE_SIZE = 100;

/** Every workspace of the account, every page. */
export async function listWorkspaces(client: ApiClient): Promise<WorkspaceJson[]> {
  const workspaces: WorkspaceJson[] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const list = await client.request<{ data?: WorkspaceJson[] }>({ method: "GET", path: "/workspaces", query: { offset, limit: PAGE_SIZE } });
    const data = list.data ?? [];
    workspaces.push(...data);
    if (data.length < PAGE_SIZE) return workspaces;
  }
}
