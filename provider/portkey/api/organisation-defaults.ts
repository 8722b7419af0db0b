/**
 * The organisation's default guardrails and the workspaces excluded from
 * them (reference prompts-mcp-scim §9). The defaults live under /v2, as
 * Portkey's Terraform provider calls them (a third-party client uses /v1;
 * the /v2 reading is followed, being the vendor's own client): the path
 * climbs from the configured `/v1` base to its `/v2` sibling.
 */
import { ApiClient, apiPath } from "../../http";

/** One guardrail of the defaults, as the GET lists it. */
export interface ApiDefaultGuardrail {
  id: string;
  slug: string;
}

export interface ApiOrganisationDefaults {
  input_guardrails?: ApiDefaultGuardrail[] | null;
  output_guardrails?: ApiDefaultGuardrail[] | null;
}

export type GuardrailDirection = "input" | "output";

const DEFAULTS_PATH = "/../v2/admin/organisation/defaults";

export function getOrganisationDefaults(client: ApiClient): Promise<ApiOrganisationDefaults> {
  return client.request<ApiOrganisationDefaults>({ method: "GET", path: DEFAULTS_PATH });
}

/** Changes only the lists the body carries (`[]` clears one). */
export async function putOrganisationDefaults(client: ApiClient, body: { input_guardrails?: string[]; output_guardrails?: string[] }): Promise<void> {
  await client.request({ method: "PUT", path: DEFAULTS_PATH, body });
}

const exclusionsPath = (direction: GuardrailDirection) => apiPath`/workspace-exclusions/${`${direction}-guardrails`}`;

/** The workspaces (UUIDs) excluded from one direction's defaults. */
export async function listGuardrailExclusions(client: ApiClient, direction: GuardrailDirection): Promise<string[]> {
  const answer = await client.request<{ workspaces?: { workspace_id: string; excluded?: boolean }[] }>({ method: "GET", path: exclusionsPath(direction) });
  return (answer.workspaces ?? []).filter((w) => w.excluded !== false).map((w) => w.workspace_id);
}

/** Merges one workspace's exclusion; `override_existing` is never sent (it would re-include every workspace not named). */
export async function putGuardrailExclusion(client: ApiClient, direction: GuardrailDirection, workspaceId: string, excluded: boolean): Promise<void> {
  await client.request({ method: "PUT", path: exclusionsPath(direction), body: { workspaces: [{ workspace_id: workspaceId, excluded }] } });
}
