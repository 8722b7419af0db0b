/**
 * Every declared resource, by vendor: what the generators read (SDK classes,
 * README tables) and what a provider serving several resources looks up.
 * Provider processes never load this module: each SDK class reaches its own
 * resource module only.
 */
import type { z } from "zod";
import type { DeclaredResource, InputFields, OutputFields } from "./resource";
import type { ServiceSettings } from "./config";
import { PORTKEY_SETTINGS } from "./portkey/common";
import { OPENROUTER_SETTINGS } from "./openrouter/common";
import { workspace } from "./portkey/workspace";
import { apiKey, apiKeySdkTypes } from "./portkey/api-key";
import { integrationAccess } from "./portkey/integration-access";
import { config } from "./portkey/config";
import { integration } from "./portkey/integration";
import { limitSdkTypes } from "./portkey/limits";
import { openrouterWorkspace } from "./openrouter/workspace";
import { openrouterApiKey } from "./openrouter/api-key";
import { openrouterGuardrail } from "./openrouter/guardrail";
import { openrouterWorkspaceDefaultGuardrail } from "./openrouter/workspace-default-guardrail";
import { openrouterGuardrailKeyAssignment, openrouterGuardrailMemberAssignment } from "./openrouter/guardrail-assignment";
import { guardrailSdkTypes } from "./openrouter/guardrail-policy";

export interface RegisteredResource {
  declared: DeclaredResource<InputFields, OutputFields>;
  /** The module that declares it, below the package root, without extension (e.g. `provider/portkey/workspace`). */
  module: string;
  /** The name it is exported under there. */
  exportName: string;
}

export interface Vendor {
  /** The SDK namespace and the first part of every kind, e.g. `portkey`. */
  name: string;
  /** The SDK's doc line for the namespace. */
  doc: string;
  /** Where the credential and base URL come from (config keys, environment, default): the native provider's config. */
  settings: ServiceSettings;
  resources: RegisteredResource[];
  /** Named object types the SDK shares between resources (`sdkType` refers to them). */
  sdkTypes(): Record<string, z.ZodObject>;
}

/** Built on call: the declarations' field tables are functions, and so is this. */
export function vendors(): Vendor[] {
  const entry = (declared: unknown, module: string, exportName: string): RegisteredResource => ({
    declared: declared as DeclaredResource<InputFields, OutputFields>,
    module,
    exportName,
  });
  return [
    {
      name: "portkey",
      doc: "Resources of the Portkey Admin API.",
      settings: PORTKEY_SETTINGS,
      resources: [
        entry(workspace, "provider/portkey/workspace", "workspace"),
        entry(apiKey, "provider/portkey/api-key", "apiKey"),
        entry(integrationAccess, "provider/portkey/integration-access", "integrationAccess"),
        entry(config, "provider/portkey/config", "config"),
        entry(integration, "provider/portkey/integration", "integration"),
      ],
      sdkTypes: () => ({ ...limitSdkTypes(), ...apiKeySdkTypes() }),
    },
    {
      name: "openrouter",
      doc: "Resources of OpenRouter's management API.",
      settings: OPENROUTER_SETTINGS,
      resources: [entry(openrouterWorkspace, "provider/openrouter/workspace", "openrouterWorkspace"), entry(openrouterApiKey, "provider/openrouter/api-key", "openrouterApiKey"),
        entry(openrouterGuardrail, "provider/openrouter/guardrail", "openrouterGuardrail"),
        entry(openrouterWorkspaceDefaultGuardrail, "provider/openrouter/workspace-default-guardrail", "openrouterWorkspaceDefaultGuardrail"),
        entry(openrouterGuardrailKeyAssignment, "provider/openrouter/guardrail-assignment", "openrouterGuardrailKeyAssignment"),
        entry(openrouterGuardrailMemberAssignment, "provider/openrouter/guardrail-assignment", "openrouterGuardrailMemberAssignment")],
      sdkTypes: () => ({ ...guardrailSdkTypes() }),
    },
  ];
}
