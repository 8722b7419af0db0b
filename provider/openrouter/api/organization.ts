/**
 * OpenRouter's organisation settings (`/organization/settings`): one object
 * per organisation (the management key's), read by GET and written by PATCH.
 */
import { ApiClient } from "../../http";

/** The settings as OpenRouter answers them. */
export interface OrganizationSettingsJson {
  /** The organisation's id (e.g. `org_2dHF…`). */
  id: string;
  is_filtered_model_catalog_enabled: boolean;
}

const SETTINGS_PATH = "/organization/settings";

/** The settings; undefined when the key has no organisation (a personal account answers 404). */
export async function getOrganizationSettings(client: ApiClient): Promise<OrganizationSettingsJson | undefined> {
  return (await client.requestOrGone<{ data: OrganizationSettingsJson }>({ method: "GET", path: SETTINGS_PATH }))?.data;
}

/** Writes the settings in `body` (the API requires `is_filtered_model_catalog_enabled`). */
export async function updateOrganizationSettings(client: ApiClient, body: object): Promise<OrganizationSettingsJson> {
  return (await client.request<{ data: OrganizationSettingsJson }>({ method: "PATCH", path: SETTINGS_PATH, body })).data;
}
