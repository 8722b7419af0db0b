/**
 * OpenRouter's guardrail endpoints (`/guardrails`, and the bulk assignment
 * endpoints under `/guardrails/{id}/assignments`), each written once with its
 * JSON. Guardrails come wrapped in `{ data }`; lists page with offset/limit.
 */
import { ApiClient, apiPath } from "../../http";

/** A content filter as OpenRouter answers it. */
export interface ContentFilterJson {
  pattern: string;
  action: string;
  label?: string | null;
}

/** A built-in content filter as OpenRouter answers it (`label` is the server's). */
export interface BuiltinFilterJson {
  slug: string;
  action: string;
  label?: string | null;
  scan_scope?: string | null;
}

/** A guardrail as OpenRouter answers it. */
export interface GuardrailJson {
  id: string;
  name: string;
  description?: string | null;
  workspace_id?: string | null;
  limit_usd?: number | null;
  reset_interval?: string | null;
  include_byok_in_budgets?: boolean;
  allowed_models?: string[] | null;
  ignored_models?: string[] | null;
  allowed_providers?: string[] | null;
  ignored_providers?: string[] | null;
  enforce_zdr_anthropic?: boolean | null;
  enforce_zdr_openai?: boolean | null;
  enforce_zdr_google?: boolean | null;
  enforce_zdr_xai?: boolean | null;
  enforce_zdr_other?: boolean | null;
  enable_free_model_publication?: boolean | null;
  enable_free_model_training?: boolean | null;
  enable_paid_model_training?: boolean | null;
  content_filters?: ContentFilterJson[] | null;
  content_filter_builtins?: BuiltinFilterJson[] | null;
  allowed_data_regions?: string[] | null;
  created_at?: string;
  updated_at?: string | null;
}

/** One key's assignment to a guardrail. */
export interface KeyAssignmentJson {
  id: string;
  guardrail_id: string;
  key_hash: string;
  key_name?: string;
  key_label?: string;
  assigned_by?: string | null;
  created_at?: string;
}

/** One member's assignment to a guardrail. */
export interface MemberAssignmentJson {
  id: string;
  guardrail_id: string;
  user_id: string;
  organization_id?: string;
  assigned_by?: string | null;
  created_at?: string;
}

const PAGE_SIZE = 100;

function guardrailPath(id: string): string {
  return apiPath`/guardrails/${id}`;
}

export async function createGuardrail(client: ApiClient, body: object): Promise<GuardrailJson> {
  return (await client.request<{ data: GuardrailJson }>({ method: "POST", path: "/guardrails", body })).data;
}

/** The guardrail, or undefined when there is none (also: a workspace default guardrail never written). */
export async function getGuardrail(client: ApiClient, id: string): Promise<GuardrailJson | undefined> {
  return (await client.requestOrGone<{ data: GuardrailJson }>({ method: "GET", path: guardrailPath(id) }))?.data;
}

/** Applies the fields in `body` (collections replaced whole) and answers the guardrail as it is now. */
export async function updateGuardrail(client: ApiClient, id: string, body: object): Promise<GuardrailJson> {
  return (await client.request<{ data: GuardrailJson }>({ method: "PATCH", path: guardrailPath(id), body })).data;
}

/** Deletes the guardrail; one that is already gone is not an error. */
export async function deleteGuardrail(client: ApiClient, id: string): Promise<void> {
  await client.requestOrGone({ method: "DELETE", path: guardrailPath(id) });
}

/** The guardrails of a workspace (without one, of the account's default workspace), every page, with the server's clock. */
export async function listGuardrailsWithServerTime(client: ApiClient, workspaceId: string | undefined): Promise<{ guardrails: GuardrailJson[]; serverTime?: number }> {
  const guardrails: GuardrailJson[] = [];
  let serverTime: number | undefined;
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const answer = await client.requestWithServerTime<{ data?: GuardrailJson[] }>({
      method: "GET",
      path: "/guardrails",
      query: { offset, limit: PAGE_SIZE, workspace_id: workspaceId },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body.data ?? [];
    guardrails.push(...data);
    if (data.length < PAGE_SIZE) return { guardrails, serverTime };
  }
}

/** Every page of a guardrail's assignments list; undefined when the guardrail is gone. */
async function listAll<T>(client: ApiClient, path: string): Promise<T[] | undefined> {
  const items: T[] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = await client.requestOrGone<{ data?: T[] }>({ method: "GET", path, query: { offset, limit: PAGE_SIZE } });
    if (!page) return undefined;
    const data = page.data ?? [];
    items.push(...data);
    if (data.length < PAGE_SIZE) return items;
  }
}

/** The keys assigned to a guardrail; undefined when the guardrail is gone. */
export function listKeyAssignments(client: ApiClient, guardrailId: string): Promise<KeyAssignmentJson[] | undefined> {
  return listAll<KeyAssignmentJson>(client, apiPath`/guardrails/${guardrailId}/assignments/keys`);
}

/** Every key assignment of the organisation, to any guardrail (a workspace's default one too). */
export async function listAllKeyAssignments(client: ApiClient): Promise<KeyAssignmentJson[]> {
  return (await listAll<KeyAssignmentJson>(client, "/guardrails/assignments/keys")) ?? [];
}

/** Assigns the keys (a key holds one guardrail: this moves it here). */
export async function assignKeys(client: ApiClient, guardrailId: string, keyHashes: string[]): Promise<void> {
  await client.request({ method: "POST", path: apiPath`/guardrails/${guardrailId}/assignments/keys`, body: { key_hashes: keyHashes } });
}

/** Removes only these keys' assignments; a guardrail already gone is not an error. */
export async function unassignKeys(client: ApiClient, guardrailId: string, keyHashes: string[]): Promise<void> {
  await client.requestOrGone({ method: "POST", path: apiPath`/guardrails/${guardrailId}/assignments/keys/remove`, body: { key_hashes: keyHashes } });
}

/** The members assigned to a guardrail; undefined when the guardrail is gone. */
export function listMemberAssignments(client: ApiClient, guardrailId: string): Promise<MemberAssignmentJson[] | undefined> {
  return listAll<MemberAssignmentJson>(client, apiPath`/guardrails/${guardrailId}/assignments/members`);
}

/** Every member assignment of the organisation, to any guardrail. */
export async function listAllMemberAssignments(client: ApiClient): Promise<MemberAssignmentJson[]> {
  return (await listAll<MemberAssignmentJson>(client, "/guardrails/assignments/members")) ?? [];
}

/** Assigns the members (one direct guardrail per member and workspace: this moves it here). */
export async function assignMembers(client: ApiClient, guardrailId: string, userIds: string[]): Promise<void> {
  await client.request({ method: "POST", path: apiPath`/guardrails/${guardrailId}/assignments/members`, body: { member_user_ids: userIds } });
}

/** Removes only these members' assignments; a guardrail already gone is not an error. */
export async function unassignMembers(client: ApiClient, guardrailId: string, userIds: string[]): Promise<void> {
  await client.requestOrGone({ method: "POST", path: apiPath`/guardrails/${guardrailId}/assignments/members/remove`, body: { member_user_ids: userIds } });
}
