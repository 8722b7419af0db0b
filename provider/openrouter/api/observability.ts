/**
 * OpenRouter's observability destinations (`/observability/destinations`,
 * named by UUID), each endpoint written once with its JSON. Answers are
 * wrapped in `{ data }`; `config` comes back with its secrets masked.
 */
import { ApiClient, apiPath } from "../../http";

/** A destination as OpenRouter answers it. */
export interface DestinationJson {
  id: string;
  workspace_id?: string | null;
  type: string;
  name?: string | null;
  config?: Record<string, unknown> | null;
  enabled?: boolean;
  privacy_mode?: boolean;
  sampling_rate?: number;
  api_key_hashes?: string[] | null;
  broadcast_generation_cost?: boolean;
  broadcast_generation_identity?: boolean;
  broadcast_generation_request_context?: boolean;
  filter_rules?: unknown;
  created_at?: string;
  updated_at?: string | null;
}

const BASE = "/observability/destinations";
const PAGE_SIZE = 100;

function destinationPath(id: string): string {
  return apiPath`/observability/destinations/${id}`;
}

/** POST (201). */
export async function createDestination(client: ApiClient, body: object): Promise<DestinationJson> {
  return (await client.request<{ data: DestinationJson }>({ method: "POST", path: BASE, body })).data;
}

/** The destination, or undefined when it is gone. */
export async function getDestination(client: ApiClient, id: string): Promise<DestinationJson | undefined> {
  return (await client.requestOrGone<{ data: DestinationJson }>({ method: "GET", path: destinationPath(id) }))?.data;
}

/** PATCH: `config` is merged by the server (keys left out are kept). */
export async function updateDestination(client: ApiClient, id: string, body: object): Promise<DestinationJson> {
  return (await client.request<{ data: DestinationJson }>({ method: "PATCH", path: destinationPath(id), body })).data;
}

/** Deletes the destination; one already gone is not an error. */
export async function deleteDestination(client: ApiClient, id: string): Promise<void> {
  await client.requestOrGone({ method: "DELETE", path: destinationPath(id) });
}

/** The destinations of a workspace (without one, of the default workspace), every page, with the server's clock. */
export async function listDestinationsWithServerTime(
  client: ApiClient,
  workspaceId: string | undefined,
): Promise<{ destinations: DestinationJson[]; serverTime?: number }> {
  const destinations: DestinationJson[] = [];
  let serverTime: number | undefined;
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const answer = await client.requestWithServerTime<{ data?: DestinationJson[] }>({
      method: "GET",
      path: BASE,
      query: { offset, limit: PAGE_SIZE, workspace_id: workspaceId },
    });
    serverTime ??= answer.serverTime;
    const data = answer.body.data ?? [];
    destinations.push(...data);
    if (data.length < PAGE_SIZE) return { destinations, serverTime };
  }
}
