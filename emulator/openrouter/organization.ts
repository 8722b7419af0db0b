/**
 * OpenRouter organisation settings, /organization/settings: one settings
 * object per organisation (the one that owns the management key), read by GET
 * and written by PATCH; nothing creates or deletes it.
 *
 * Sources (openrouter-api-org.md §1): the PyPI `openrouter` SDK's
 * `organization.py` and its `OrganizationSettings` /
 * `UpdateOrganizationSettingsRequest` models, the docs' update page, and the
 * official Terraform provider's singleton resource (PATCH on create and
 * update, nothing on delete). `@openrouter/sdk` 1.3.19 has no settings call.
 */
import { HandlerResult, Router } from "../router";
import { JsonObject, objectBody, ORGANIZATION_ID, OpenRouterPrincipal, OpenRouterRequest, openrouterError } from "./common";
import { OpenRouterOrganizationSettingsRecord, OpenRouterState } from "./state";

/** The settings the API knows: today one flag (PY `UpdateOrganizationSettingsRequest`). */
const SETTING_FIELDS = ["is_filtered_model_catalog_enabled"] as const;

/** The organisation settings routes and their rules. */
export class OpenRouterOrganizationSettingsRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/organization/settings", () => ({ body: { data: settingsJson(this.settings()) } }))
      .add("PATCH", "/organization/settings", (ctx) => this.updateSettings(ctx));
  }

  /**
   * The stored settings; a new organisation has the filtered catalogue off
   * (a choice: no source states the default, and off is the public
   * catalogue every account had before the flag existed).
   */
  private settings(): OpenRouterOrganizationSettingsRecord {
    return (this.state().organization_settings ??= { is_filtered_model_catalog_enabled: false });
  }

  private updateSettings(ctx: OpenRouterRequest): HandlerResult {
    const body = objectBody(ctx);
    // PY marks the one field required, so a PATCH without it is a 400 (no partial no-op).
    const flag = body.is_filtered_model_catalog_enabled;
    if (typeof flag !== "boolean") throw openrouterError(400, "is_filtered_model_catalog_enabled is required and must be a boolean");
    // Unknown fields are refused rather than dropped, so a client that sends a setting this
    // emulator does not know learns it at once (a choice; the live API's answer is not documented).
    const unknown = Object.keys(body).filter((field) => !(SETTING_FIELDS as readonly string[]).includes(field));
    if (unknown.length > 0) throw openrouterError(400, `Unknown organization settings: ${unknown.join(", ")}`);
    const settings = this.settings();
    settings.is_filtered_model_catalog_enabled = flag;
    return { body: { data: settingsJson(settings) } };
  }
}

/** The settings as the API answers them: the organisation id and every setting. */
function settingsJson(s: OpenRouterOrganizationSettingsRecord): JsonObject {
  return { id: ORGANIZATION_ID, is_filtered_model_catalog_enabled: s.is_filtered_model_catalog_enabled };
}
