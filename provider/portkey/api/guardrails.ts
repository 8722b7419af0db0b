/**
 * Portkey's guardrail endpoints (`/guardrails`), each written once with its
 * JSON. A path takes the guardrail's UUID or slug.
 *
 * The document says a guardrail that does not exist answers 403, which is
 * also what a caller without the scope gets. A 403 is never taken as "gone"
 * on its own: the guardrail is gone only when the list (which the same caller
 * may read) proves it absent.
 */
import { isForbidden } from "../../errors";
import { ApiClient, apiPath } from "../../http";
import { missingScope } from "./workspaces";

/** A guardrail as GET /guardrails/{guardrailId} answers it (`workspace_id` null: the organisation's). */
export interface ApiGuardrail {
  id: string;
  slug: string;
  name: string;
  organisation_id?: string | null;
  workspace_id?: string | null;
  status?: string | null;
  version_id?: string | null;
  owner_id?: string | null;
  updated_by?: string | null;
  checks?: Record<string, unknown>[] | null;
  actions?: Record<string, unknown> | null;
  created_at?: string;
  last_updated_at?: string;
}

/** What POST and PUT answer. */
export interface WrittenGuardrail {
  id: string;
  slug: string;
  version_id?: string;
}

/** Where a guardrail lives: its workspace's UUID, or the organisation's UUID for an organisation's guardrail. */
export type GuardrailScope = { workspace_id: string } | { organisation_id: string } | Record<string, never>;

function guardrailPath(idOrSlug: string): string {
  return apiPath`/guardrails/${idOrSlug}`;
}

export async function createGuardrail(client: ApiClient, body: object): Promise<WrittenGuardrail> {
  return client.request<WrittenGuardrail>({ method: "POST", path: "/guardrails", body });
}

/** PUT /guardrails/{id}: every update makes a new version. */
export async function updateGuardrail(client: ApiClient, idOrSlug: string, body: object): Promise<WrittenGuardrail> {
  return client.request<WrittenGuardrail>({ method: "PUT", path: guardrailPath(idOrSlug), body });
}

/** DELETE; false when the guardrail was already gone (a 403 the list confirms). */
export async function deleteGuardrail(client: ApiClient, idOrSlug: string, scope: GuardrailScope): Promise<boolean> {
  try {
    await client.request({ method: "DELETE", path: guardrailPath(idOrSlug) });
    return true;
  } catch (error) {
    if (isForbidden(error) && (await provenAbsent(client, idOrSlug, scope))) return false;
    throw isForbidden(error) ? missingScope(error, `The guardrail '${idOrSlug}'`, guardrailScopes(scope, "delete")) : error;
  }
}

/** The guardrail, or undefined when it is gone (a 404, or a 403 the list confirms). */
export async function getGuardrail(client: ApiClient, idOrSlug: string, scope: GuardrailScope): Promise<ApiGuardrail | undefined> {
  try {
    return await client.requestOrGone<ApiGuardrail>({ method: "GET", path: guardrailPath(idOrSlug) });
  } catch (error) {
    if (isForbidden(error) && (await provenAbsent(client, idOrSlug, scope))) return undefined;
    throw isForbidden(error) ? missingScope(error, `The guardrail '${idOrSlug}'`, guardrailScopes(scope, "read")) : error;
  }
}

/** Every guardrail of the scope, every page, and the server's clock (for create recovery). */
export async function listGuardrails(client: ApiClient, scope: GuardrailScope): Promise<{ guardrails: ApiGuardrail[]; serverTime?: number }> {
  const guardrails: ApiGuardrail[] = [];
  let serverTime: number | undefined;
  for (let page = 0; ; page++) {
    const answer = await client.requestWithServerTime<{ data?: ApiGuardrail[]; total?: number }>({
      method: "GET",
      path: "/guardrails",
      query: { ...scope, page_size: 1000, current_page: page },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body?.data ?? [];
    guardrails.push(...data);
    if (data.length < 1000 || (answer.body?.total !== undefined && guardrails.length >= answer.body.total)) return { guardrails, serverTime };
  }
}

/**
 * Whether the list proves the guardrail absent. A list the caller may not
 * read proves nothing: then the 403 fails naming the scopes.
 */
async function provenAbsent(client: ApiClient, idOrSlug: string, scope: GuardrailScope): Promise<boolean> {
  try {
    const { guardrails } = await listGuardrails(client, scope);
    return !guardrails.some((g) => g.id === idOrSlug || g.slug === idOrSlug);
  } catch (error) {
    if (isForbidden(error)) return false;
    throw error;
  }
}

/** The scopes a guardrail call of this scope needs (organisation guardrails have their own). */
function guardrailScopes(scope: GuardrailScope, action: "read" | "delete"): string[] {
  const noun = "workspace_id" in scope ? "guardrails" : "organisation_guardrails";
  return [`${noun}.${action}`, `${noun}.list`];
}
