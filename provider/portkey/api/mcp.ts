/**
 * Portkey's MCP endpoints (`/mcp-integrations`, `/mcp-servers`), each written
 * once with its JSON (reference prompts-mcp-scim §7–8). Lists of integrations
 * and servers page by `current_page` from 0; capability and user-access lists
 * page by `page` from 1.
 */
import { ApiClient, apiPath } from "../../http";

/** An MCP integration as `GET /mcp-integrations/{id}` answers it (`configurations` is never returned). */
export interface ApiMcpIntegration {
  id: string;
  slug: string;
  name: string;
  description?: string | null;
  url: string;
  auth_type: string;
  transport: string;
  organisation_id?: string | null;
  workspace_id?: string | null;
  owner_id?: string | null;
  status?: string | null;
  type?: string | null;
  secret_mappings?: Record<string, unknown>[] | null;
  created_at?: string;
  last_updated_at?: string | null;
}

/** One row of the legacy `GET /mcp-integrations/{id}/workspaces` list: `id` is the workspace's UUID with an admin key. */
export interface ApiMcpAccessRow {
  id: string;
  enabled: boolean;
}

/** One capability (tool, prompt, resource or resource template) as the capability lists give it. */
export interface ApiMcpCapability {
  name: string;
  type: string;
  enabled: boolean;
  /** Server lists only: whether the integration allows it. */
  integration_enabled?: boolean;
}

/** One switch of `PUT …/capabilities`. */
export interface McpCapabilitySwitch {
  name: string;
  type: string;
  enabled: boolean;
}

/** An MCP server as `GET /mcp-servers/{id}` answers it. */
export interface ApiMcpServer {
  id: string;
  slug: string;
  name: string;
  description?: string | null;
  status?: string | null;
  mcp_integration_id: string;
  workspace_id?: string | null;
  created_at?: string;
  last_updated_at?: string | null;
}

/** One user's row of `GET /mcp-servers/{id}/user-access`. */
export interface ApiMcpUserAccessRow {
  user_id: string;
  enabled: boolean;
  has_override?: boolean;
}

export interface ApiMcpUserAccess {
  data: ApiMcpUserAccessRow[];
  default_user_access: "allow" | "deny";
}

const PAGE_SIZE = 100;

const integrationPath = (id: string) => apiPath`/mcp-integrations/${id}`;
const serverPath = (id: string) => apiPath`/mcp-servers/${id}`;

export function createMcpIntegration(client: ApiClient, body: object): Promise<{ id: string; slug: string }> {
  return client.request({ method: "POST", path: "/mcp-integrations", body });
}

/** The integration (by UUID or slug), or undefined when it is gone. */
export function getMcpIntegration(client: ApiClient, id: string): Promise<ApiMcpIntegration | undefined> {
  return client.requestOrGone<ApiMcpIntegration>({ method: "GET", path: integrationPath(id) });
}

export async function updateMcpIntegration(client: ApiClient, id: string, body: object): Promise<void> {
  await client.request({ method: "PUT", path: integrationPath(id), body });
}

export async function deleteMcpIntegration(client: ApiClient, id: string): Promise<void> {
  await client.request({ method: "DELETE", path: integrationPath(id) });
}

/** Every MCP integration (the organisation's and every workspace's), every page, and the server's clock of the first answer. */
export async function listMcpIntegrations(client: ApiClient): Promise<{ integrations: ApiMcpIntegration[]; serverTime?: number }> {
  const integrations: ApiMcpIntegration[] = [];
  let serverTime: number | undefined;
  for (let page = 0; ; page++) {
    const answer = await client.requestWithServerTime<{ data?: ApiMcpIntegration[]; has_more?: boolean }>({
      method: "GET",
      path: "/mcp-integrations",
      query: { type: "all", page_size: PAGE_SIZE, current_page: page },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body.data ?? [];
    integrations.push(...data);
    if (data.length < PAGE_SIZE || answer.body.has_more === false) return { integrations, serverTime };
  }
}

/** The integration's workspace rows (the legacy list, UUIDs with an admin key), or undefined when the integration is gone. */
export async function listMcpIntegrationWorkspaces(client: ApiClient, id: string): Promise<ApiMcpAccessRow[] | undefined> {
  const answer = await client.requestOrGone<{ workspaces?: ApiMcpAccessRow[] }>({ method: "GET", path: apiPath`/mcp-integrations/${id}/workspaces` });
  return answer && (answer.workspaces ?? []);
}

/**
 * Merges the listed rows. `override_existing_workspace_access` is never sent:
 * it would switch off every workspace not named.
 */
export async function putMcpIntegrationWorkspaces(client: ApiClient, id: string, workspaces: { id: string; enabled: boolean }[]): Promise<void> {
  await client.request({ method: "PUT", path: apiPath`/mcp-integrations/${id}/workspaces`, body: { workspaces } });
}

/** Every capability of an integration's or a server's list (`page` from 1), or undefined when the owner is gone. */
async function listCapabilities(client: ApiClient, path: string): Promise<ApiMcpCapability[] | undefined> {
  const all: ApiMcpCapability[] = [];
  for (let page = 1; ; page++) {
    const answer = await client.requestOrGone<{ data?: ApiMcpCapability[]; has_more?: boolean }>({ method: "GET", path, query: { page, page_size: PAGE_SIZE } });
    if (!answer) return undefined;
    const data = answer.data ?? [];
    all.push(...data);
    if (!answer.has_more || data.length === 0) return all;
  }
}

export function listMcpIntegrationCapabilities(client: ApiClient, id: string): Promise<ApiMcpCapability[] | undefined> {
  return listCapabilities(client, apiPath`/mcp-integrations/${id}/capabilities`);
}

export async function putMcpIntegrationCapabilities(client: ApiClient, id: string, capabilities: McpCapabilitySwitch[]): Promise<void> {
  await client.request({ method: "PUT", path: apiPath`/mcp-integrations/${id}/capabilities`, body: { capabilities } });
}

export function createMcpServer(client: ApiClient, body: object): Promise<{ id: string; slug: string }> {
  return client.request({ method: "POST", path: "/mcp-servers", body });
}

/** The server (by UUID or slug), or undefined when it is gone. */
export function getMcpServer(client: ApiClient, id: string): Promise<ApiMcpServer | undefined> {
  return client.requestOrGone<ApiMcpServer>({ method: "GET", path: serverPath(id) });
}

export async function updateMcpServer(client: ApiClient, id: string, body: object): Promise<void> {
  await client.request({ method: "PUT", path: serverPath(id), body });
}

export async function deleteMcpServer(client: ApiClient, id: string): Promise<void> {
  await client.request({ method: "DELETE", path: serverPath(id) });
}

/** A workspace's MCP servers (or every one), every page, and the server's clock of the first answer. */
export async function listMcpServers(client: ApiClient, workspaceId?: string): Promise<{ servers: ApiMcpServer[]; serverTime?: number }> {
  const servers: ApiMcpServer[] = [];
  let serverTime: number | undefined;
  for (let page = 0; ; page++) {
    const answer = await client.requestWithServerTime<{ data?: ApiMcpServer[] }>({
      method: "GET",
      path: "/mcp-servers",
      query: { ...(workspaceId ? { workspace_id: workspaceId } : {}), page_size: PAGE_SIZE, current_page: page },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body.data ?? [];
    servers.push(...data);
    if (data.length < PAGE_SIZE) return { servers, serverTime };
  }
}

export function listMcpServerCapabilities(client: ApiClient, id: string): Promise<ApiMcpCapability[] | undefined> {
  return listCapabilities(client, apiPath`/mcp-servers/${id}/capabilities`);
}

export async function putMcpServerCapabilities(client: ApiClient, id: string, capabilities: McpCapabilitySwitch[]): Promise<void> {
  await client.request({ method: "PUT", path: apiPath`/mcp-servers/${id}/capabilities`, body: { capabilities } });
}

/** Every user row (`page` from 1) and the default, or undefined when the server is gone. */
export async function getMcpServerUserAccess(client: ApiClient, id: string): Promise<ApiMcpUserAccess | undefined> {
  const data: ApiMcpUserAccessRow[] = [];
  for (let page = 1; ; page++) {
    const answer = await client.requestOrGone<{ data?: ApiMcpUserAccessRow[]; default_user_access: "allow" | "deny"; has_more?: boolean }>({
      method: "GET",
      path: apiPath`/mcp-servers/${id}/user-access`,
      query: { page, page_size: PAGE_SIZE },
    });
    if (!answer) return undefined;
    data.push(...(answer.data ?? []));
    if (!answer.has_more || (answer.data ?? []).length === 0) return { data, default_user_access: answer.default_user_access };
  }
}

export async function putMcpServerUserAccess(client: ApiClient, id: string, body: { user_access?: { user_id: string; enabled: boolean }[]; default_user_access?: "allow" | "deny" }): Promise<void> {
  await client.request({ method: "PUT", path: apiPath`/mcp-servers/${id}/user-access`, body });
}
