/**
 * Portkey's config endpoints (`/configs`), each written once with its JSON.
 *
 * The official document wraps answers in `{success, data}`; the live API (as
 * the Terraform provider reads it) answers some of them bare, and sends
 * `config` as JSON text or as an object. Both forms are read here, so the
 * declaration only ever sees one shape.
 */
import { ApiClient, apiPath } from "../../http";

/** A config as GET /configs/{slug} answers it, `config` already parsed. */
export interface ApiConfig {
  id: string;
  slug: string;
  name: string;
  workspace_id?: string | null;
  organisation_id?: string | null;
  config?: Record<string, unknown> | null;
  is_default?: number | boolean | null;
  status?: string | null;
  version_id?: string | null;
  owner_id?: string | null;
  updated_by?: string | null;
  created_at?: string;
  last_updated_at?: string;
}

/** What POST /configs answers: `slug` only live, not in the document. */
export interface CreatedConfig {
  id: string;
  slug?: string;
  version_id?: string;
}

function configPath(slug: string): string {
  return apiPath`/configs/${slug}`;
}

/** The payload of an answer, with or without the document's `{success, data}` envelope. */
function payload<T>(answer: unknown): T {
  if (answer !== null && typeof answer === "object" && "success" in answer && "data" in answer) return (answer as { data: T }).data;
  return answer as T;
}

/** `config` as an object whether the API sent JSON text or an object. */
function withParsedConfig(json: ApiConfig): ApiConfig {
  const raw: unknown = json.config;
  if (typeof raw !== "string") return json;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`Portkey answered config ${json.slug ?? json.id} with a config that is not JSON: ${raw.slice(0, 200)}`);
  }
  return { ...json, config: parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null };
}

export async function createConfig(client: ApiClient, body: object): Promise<CreatedConfig> {
  return payload<CreatedConfig>(await client.request<unknown>({ method: "POST", path: "/configs", body }));
}

/** PUT /configs/{slug}: every PUT makes a new version; its id when the API says. */
export async function updateConfig(client: ApiClient, slug: string, body: object): Promise<{ version_id?: string }> {
  return payload<{ version_id?: string } | undefined>(await client.request<unknown>({ method: "PUT", path: configPath(slug), body })) ?? {};
}

export async function deleteConfig(client: ApiClient, slug: string): Promise<void> {
  await client.request({ method: "DELETE", path: configPath(slug) });
}

/**
 * The config, or undefined when it is gone. When the answer has only the
 * document's `{config}` (no id), the rest comes from the workspace's list.
 */
export async function getConfig(client: ApiClient, slug: string, workspaceId?: string): Promise<ApiConfig | undefined> {
  const answer = await client.requestOrGone<unknown>({ method: "GET", path: configPath(slug) });
  if (answer === undefined) return undefined;
  const json = withParsedConfig(payload<ApiConfig>(answer));
  if (json.id) return json;
  const listed = (await listConfigs(client, workspaceId)).configs.find((c) => c.slug === slug);
  return listed && { ...listed, config: json.config };
}

/** GET /configs (with `workspace_id`, as the live API wants for admin keys), and the server's clock. */
export async function listConfigs(client: ApiClient, workspaceId?: string): Promise<{ configs: ApiConfig[]; serverTime?: number }> {
  const answer = await client.requestWithServerTime<unknown>({ method: "GET", path: "/configs", query: { workspace_id: workspaceId } });
  // The document's `{success, data: [...]}`, or the admin lists' `{total, object, data: [...]}`.
  const body = answer.body;
  const data = Array.isArray(body) ? body : body !== null && typeof body === "object" ? (body as { data?: unknown }).data : undefined;
  return { configs: Array.isArray(data) ? data.map(withParsedConfig) : [], serverTime: answer.serverTime };
}
