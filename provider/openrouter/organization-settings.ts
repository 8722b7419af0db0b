/**
 * OpenRouter organisation settings (`/organization/settings`): one object per
 * organisation, which exists as long as the organisation does. Nothing
 * creates or deletes it, so this resource adopts it on create (writing only
 * the declared setting, and only when it differs) and on delete leaves it as
 * it is then: restoring the value found at create would be a write nobody
 * declared, and the account may have changed it since. (The Terraform
 * provider does the same on destroy; it cannot import the settings, this
 * resource can, by the organisation id.)
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { declareResource, input, output } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient } from "./common";
import { getOrganizationSettings, updateOrganizationSettings } from "./api/organization";

function organizationSettingsInputs() {
  return {
    isFilteredModelCatalogEnabled: input(z.boolean(), {
      doc:
        "Filter the model catalogue: when true, the organisation's keys (and its members in the dashboard) see only the models " +
        "they may use. The API requires it on every write, so it is required here.",
      outputDoc: "The setting as read back.",
      api: "is_filtered_model_catalog_enabled",
    }),
  };
}

function organizationSettingsOutputs() {
  return {
    organizationId: output(z.string(), { stable: true, doc: "The organisation's id (the same as `id`).", api: "id" }),
  };
}

const NO_ORGANIZATION = "the management key belongs to no organisation (OpenRouter answers 404 for its settings): organisation settings exist only for organisation accounts.";

export const openrouterOrganizationSettings = declareResource({
  kind: "openrouter:OrganizationSettings",
  enumerate: {
    prefix: "org-settings",
    // The one input is a value, not a name: the logical name shows the organisation id.
    identity: ["isFilteredModelCatalogEnabled"],
    shownAs: { isFilteredModelCatalogEnabled: "organizationId" },
    async list(ctx) {
      const settings = await getOrganizationSettings(openrouterClient(ctx));
      return settings ? [{ id: settings.id, name: settings.id }] : [];
    },
  },
  doc:
    "The settings of the OpenRouter organisation that owns the management key (`/organization/settings`). Declare at most one " +
    "per organisation. It is never created or deleted: creating the resource adopts the settings (writing the declared value " +
    "only when it differs), and **deleting it leaves the settings as they are** — neither reset nor restored to what was found. " +
    "The resource id is the organisation's id (import by it).\n\n" +
    "```ts\n" +
    'new openrouter.OrganizationSettings("org", { isFilteredModelCatalogEnabled: true });\n' +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: organizationSettingsInputs,
  outputs: organizationSettingsOutputs,
  label: () => "organisation settings",

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const found = await getOrganizationSettings(client);
    if (!found) throw new Error(NO_ORGANIZATION);
    // Adopted: written only when the declared value differs from the one found.
    const body = ctx.updateBody(ctx.outputsFrom(found, {}), inputs);
    const settings = Object.keys(body).length > 0 ? await updateOrganizationSettings(client, body) : found;
    return { id: settings.id, outputs: ctx.outputsFrom(settings, inputs) };
  },

  async read(id, outputs, ctx) {
    const settings = await getOrganizationSettings(openrouterClient(ctx));
    // The organisation of the key is not the one in state: this key cannot see those settings.
    if (settings && settings.id !== id) {
      throw new Error(`the management key belongs to organisation ${settings.id}, not ${id}: use that organisation's management key.`);
    }
    return settings && ctx.outputsFrom(settings, outputs);
  },

  async update(_id, olds, news, ctx) {
    const client = openrouterClient(ctx);
    const body = ctx.updateBody(olds, news);
    const settings = Object.keys(body).length > 0 ? await updateOrganizationSettings(client, body) : await getOrganizationSettings(client);
    if (!settings) throw new Error(NO_ORGANIZATION);
    return ctx.outputsFrom(settings, news);
  },

  async delete(id, _outputs, ctx) {
    ctx.warn(`the settings of organisation ${id} are left as they are (OpenRouter has no way to delete them); they are no longer managed by this stack.`);
  },
});
