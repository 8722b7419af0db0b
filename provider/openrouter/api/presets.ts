/**
 * OpenRouter's preset endpoints (`/presets`). The 2026 API writes a preset
 * only from an inference body (`POST /presets/{slug}/chat/completions`:
 * creates the slug, or adds a version that becomes the designated one),
 * archives it with DELETE and re-activates it with `POST …/restore`. Every
 * call names the workspace by `workspace_id` (query), else the account's
 * default workspace acts.
 */
import { ApiClient, apiPath } from "../../http";

/** A preset version as OpenRouter answers it. */
export interface PresetVersionJson {
  id: string;
  preset_id: string;
  version: number;
  system_prompt: string | null;
  config: Record<string, unknown>;
  created_at?: string;
}

/** A preset with its designated version, as OpenRouter answers it. */
export interface PresetJson {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  status: string;
  workspace_id: string | null;
  designated_version_id: string | null;
  designated_version?: PresetVersionJson | null;
  created_at?: string;
  updated_at?: string;
}

const PAGE_SIZE = 100;

/** The active preset of the slug in the workspace; undefined when there is none (never made, or archived). */
export async function getPreset(client: ApiClient, slug: string, workspaceId: string | undefined): Promise<PresetJson | undefined> {
  return (await client.requestOrGone<{ data: PresetJson }>({ method: "GET", path: apiPath`/presets/${slug}`, query: { workspace_id: workspaceId } }))?.data;
}

/** Every active preset (every page); of one workspace when given. */
export async function listPresets(client: ApiClient, workspaceId?: string): Promise<PresetJson[]> {
  const presets: PresetJson[] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = await client.request<{ data?: PresetJson[]; total_count?: number }>({ method: "GET", path: "/presets", query: { offset, limit: PAGE_SIZE, workspace_id: workspaceId } });
    const data = page.data ?? [];
    presets.push(...data);
    if (data.length < PAGE_SIZE) return presets;
  }
}

/** Creates the preset, or adds a version that becomes the designated one, from a chat-completions body. */
export async function writePresetVersion(client: ApiClient, slug: string, workspaceId: string | undefined, body: object): Promise<PresetJson> {
  return (await client.request<{ data: PresetJson }>({ method: "POST", path: apiPath`/presets/${slug}/chat/completions`, query: { workspace_id: workspaceId }, body })).data;
}

/** Archives the preset (its slug stays taken); one already archived or gone is not an error. */
export async function archivePreset(client: ApiClient, slug: string, workspaceId: string | undefined): Promise<void> {
  await client.requestOrGone({ method: "DELETE", path: apiPath`/presets/${slug}`, query: { workspace_id: workspaceId } });
}

/** Re-activates an archived preset (no new version); undefined when no preset ever had the slug. */
export async function restorePreset(client: ApiClient, slug: string, workspaceId: string | undefined): Promise<PresetJson | undefined> {
  return (await client.requestOrGone<{ data: PresetJson }>({ method: "POST", path: apiPath`/presets/${slug}/restore`, query: { workspace_id: workspaceId } }))?.data;
}
