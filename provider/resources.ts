/**
 * Every declared resource, by vendor: what the generators read (SDK classes,
 * reference pages of docs/) and what a provider serving several resources looks up.
 * Provider processes never load this module: each SDK class reaches its own
 * resource module only.
 */
import type { z } from "zod";
import type { DeclaredResource, InputFields, OutputFields } from "./resource";
import type { DeclaredLookup, LookupArgs, LookupResults } from "./lookup";
import type { ServiceSettings } from "./config";
import { PORTKEY_SETTINGS } from "./portkey/common";
import { OPENROUTER_SETTINGS } from "./openrouter/common";
import { workspace } from "./portkey/workspace";
import { apiKey, apiKeySdkTypes } from "./portkey/api-key";
import { integrationAccess } from "./portkey/integration-access";
import { config } from "./portkey/config";
import { integration, integrationSdkTypes } from "./portkey/integration";
import { guardrail } from "./portkey/guardrail";
import { secretReference } from "./portkey/secret-reference";
import { usageLimitsPolicy } from "./portkey/usage-limits-policy";
import { rateLimitsPolicy } from "./portkey/rate-limits-policy";
import { policySdkTypes } from "./portkey/policies";
import { integrationModelAccess, integrationModelSdkTypes } from "./portkey/integration-model-access";
import { aiProvider } from "./portkey/ai-provider";
import { promptCollection } from "./portkey/prompt-collection";
import { promptLabel } from "./portkey/prompt-label";
import { promptPartial } from "./portkey/prompt-partial";
import { prompt } from "./portkey/prompt";
import { limitSdkTypes } from "./portkey/limits";
import { getIntegration, getUser, getWorkspace } from "./portkey/lookups";
import { getModel, getModels, getOrganizationMember, getProviders } from "./openrouter/lookups";
import { workspaceMember } from "./portkey/workspace-member";
import { userInvite, userInviteSdkTypes } from "./portkey/user-invite";
import { openrouterWorkspace } from "./openrouter/workspace";
import { openrouterApiKey } from "./openrouter/api-key";
import { openrouterByokKey } from "./openrouter/byok-key";
import { openrouterObservabilityDestination } from "./openrouter/observability-destination";
import { openrouterWorkspaceMember } from "./openrouter/workspace-member";
import { openrouterWorkspaceBudget } from "./openrouter/workspace-budget";
import { openrouterGuardrail } from "./openrouter/guardrail";
import { openrouterWorkspaceDefaultGuardrail } from "./openrouter/workspace-default-guardrail";
import { openrouterGuardrailKeyAssignment, openrouterGuardrailMemberAssignment } from "./openrouter/guardrail-assignment";
import { guardrailSdkTypes } from "./openrouter/guardrail-policy";
import { deriveLookups } from "./derived-lookups";
import { openrouterOrganizationSettings } from "./openrouter/organization-settings";
import { openrouterPreset } from "./openrouter/preset";
import { openrouterPrivateProvider } from "./openrouter/private-provider";
import { openrouterPrivateEndpoint } from "./openrouter/private-endpoint";
import { openrouterScimGroupMapping } from "./openrouter/scim-group-mapping";
import { mcpIntegration } from "./portkey/mcp-integration";
import { mcpIntegrationAccess } from "./portkey/mcp-integration-access";
import { mcpCapabilitySdkTypes, mcpIntegrationCapabilities, mcpServerCapabilities } from "./portkey/mcp-capabilities";
import { mcpServer } from "./portkey/mcp-server";
import { mcpServerUserAccess, mcpUserAccessSdkTypes } from "./portkey/mcp-server-user-access";
import { scimWorkspaceMapping } from "./portkey/scim-workspace-mapping";
import { organisationDefaultGuardrails } from "./portkey/organisation-default-guardrails";
import { workspaceGuardrailExclusion } from "./portkey/workspace-guardrail-exclusion";

export interface RegisteredResource {
  declared: DeclaredResource<InputFields, OutputFields>;
  /** The module that declares it, below the package root, without extension (e.g. `provider/portkey/workspace`). */
  module: string;
  /** The name it is exported under there. */
  exportName: string;
}

export interface RegisteredLookup {
  declared: DeclaredLookup<LookupArgs, LookupResults>;
  /** The module that declares it, below the package root, without extension. */
  module: string;
  exportName: string;
  /** The kind it derives from (see provider/derived-lookups.ts): the SDK finds it with `lookupNamed`, not by an export. */
  derivedFrom?: string;
}

export interface Vendor {
  /** The SDK namespace and the first part of every kind, e.g. `portkey`. */
  name: string;
  /** The SDK's doc line for the namespace. */
  doc: string;
  /** Where the credential and base URL come from (config keys, environment, default): the native provider's config. */
  settings: ServiceSettings;
  resources: RegisteredResource[];
  /** Look-ups of objects a program references but does not manage (SDK functions, plugin invokes). */
  lookups: RegisteredLookup[];
  /** Named object types the SDK shares between resources (`sdkType` refers to them). */
  sdkTypes(): Record<string, z.ZodObject>;
}

/**
 * The vendor's look-ups: the hand-written ones, then a single and a plural
 * look-up derived from each enumerable resource (a hand-written look-up of
 * the same name keeps its own contract and wins).
 */
function withDerivedLookups(vendor: Vendor): Vendor {
  const declarations = vendor.resources.map((r) => r.declared.declaration);
  const names = new Set(vendor.lookups.map((l) => l.declared.declaration.name));
  const derived: RegisteredLookup[] = [];
  for (const resource of vendor.resources) {
    const lookups = deriveLookups(resource.declared, declarations);
    if (!lookups) continue;
    for (const declared of [lookups.single, lookups.plural]) {
      if (names.has(declared.declaration.name)) continue;
      derived.push({ declared, module: "provider/resources", exportName: "lookupNamed", derivedFrom: resource.declared.declaration.kind });
    }
  }
  return { ...vendor, lookups: [...vendor.lookups, ...derived] };
}

/** A look-up by its name (`portkey:getApiKeys`): what the dynamic SDK's derived functions run. */
export function lookupNamed(name: string): DeclaredLookup<LookupArgs, LookupResults> {
  for (const vendor of vendors()) {
    const found = vendor.lookups.find((l) => l.declared.declaration.name === name);
    if (found) return found.declared;
  }
  throw new Error(`${name} is not a look-up of this package (the SDK and the package differ in version?)`);
}

/** Built on call: the declarations' field tables are functions, and so is this. */
export function vendors(): Vendor[] {
  return declaredVendors().map(withDerivedLookups);
}

function declaredVendors(): Vendor[] {
  const entry = (declared: unknown, module: string, exportName: string): RegisteredResource => ({
    declared: declared as DeclaredResource<InputFields, OutputFields>,
    module,
    exportName,
  });
  const lookup = (declared: unknown, module: string, exportName: string): RegisteredLookup => ({
    declared: declared as DeclaredLookup<LookupArgs, LookupResults>,
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
        entry(guardrail, "provider/portkey/guardrail", "guardrail"),
        entry(secretReference, "provider/portkey/secret-reference", "secretReference"),
        entry(usageLimitsPolicy, "provider/portkey/usage-limits-policy", "usageLimitsPolicy"),
        entry(rateLimitsPolicy, "provider/portkey/rate-limits-policy", "rateLimitsPolicy"),
        entry(integrationModelAccess, "provider/portkey/integration-model-access", "integrationModelAccess"),
        entry(aiProvider, "provider/portkey/ai-provider", "aiProvider"),
        entry(workspaceMember, "provider/portkey/workspace-member", "workspaceMember"),
        entry(userInvite, "provider/portkey/user-invite", "userInvite"),
        entry(promptCollection, "provider/portkey/prompt-collection", "promptCollection"),
        entry(promptLabel, "provider/portkey/prompt-label", "promptLabel"),
        entry(promptPartial, "provider/portkey/prompt-partial", "promptPartial"),
        entry(prompt, "provider/portkey/prompt", "prompt"),
        entry(mcpIntegration, "provider/portkey/mcp-integration", "mcpIntegration"),
        entry(mcpIntegrationAccess, "provider/portkey/mcp-integration-access", "mcpIntegrationAccess"),
        entry(mcpIntegrationCapabilities, "provider/portkey/mcp-capabilities", "mcpIntegrationCapabilities"),
        entry(mcpServer, "provider/portkey/mcp-server", "mcpServer"),
        entry(mcpServerCapabilities, "provider/portkey/mcp-capabilities", "mcpServerCapabilities"),
        entry(mcpServerUserAccess, "provider/portkey/mcp-server-user-access", "mcpServerUserAccess"),
        entry(scimWorkspaceMapping, "provider/portkey/scim-workspace-mapping", "scimWorkspaceMapping"),
        entry(organisationDefaultGuardrails, "provider/portkey/organisation-default-guardrails", "organisationDefaultGuardrails"),
        entry(workspaceGuardrailExclusion, "provider/portkey/workspace-guardrail-exclusion", "workspaceGuardrailExclusion"),
      ],
      lookups: [
        lookup(getWorkspace, "provider/portkey/lookups", "getWorkspace"),
        lookup(getIntegration, "provider/portkey/lookups", "getIntegration"),
        lookup(getUser, "provider/portkey/lookups", "getUser"),
      ],
      sdkTypes: () => ({ ...limitSdkTypes(), ...apiKeySdkTypes(), ...integrationSdkTypes(), ...policySdkTypes(), ...integrationModelSdkTypes(), ...userInviteSdkTypes(), ...mcpCapabilitySdkTypes(), ...mcpUserAccessSdkTypes() }),
    },
    {
      name: "openrouter",
      doc: "Resources of OpenRouter's management API.",
      settings: OPENROUTER_SETTINGS,
      resources: [
        entry(openrouterWorkspace, "provider/openrouter/workspace", "openrouterWorkspace"),
        entry(openrouterApiKey, "provider/openrouter/api-key", "openrouterApiKey"),
        entry(openrouterByokKey, "provider/openrouter/byok-key", "openrouterByokKey"),
        entry(openrouterObservabilityDestination, "provider/openrouter/observability-destination", "openrouterObservabilityDestination"),
        entry(openrouterWorkspaceMember, "provider/openrouter/workspace-member", "openrouterWorkspaceMember"),
        entry(openrouterWorkspaceBudget, "provider/openrouter/workspace-budget", "openrouterWorkspaceBudget"),
        entry(openrouterGuardrail, "provider/openrouter/guardrail", "openrouterGuardrail"),
        entry(openrouterWorkspaceDefaultGuardrail, "provider/openrouter/workspace-default-guardrail", "openrouterWorkspaceDefaultGuardrail"),
        entry(openrouterGuardrailKeyAssignment, "provider/openrouter/guardrail-assignment", "openrouterGuardrailKeyAssignment"),
        entry(openrouterGuardrailMemberAssignment, "provider/openrouter/guardrail-assignment", "openrouterGuardrailMemberAssignment"),
        entry(openrouterOrganizationSettings, "provider/openrouter/organization-settings", "openrouterOrganizationSettings"),
        entry(openrouterPreset, "provider/openrouter/preset", "openrouterPreset"),
        entry(openrouterPrivateProvider, "provider/openrouter/private-provider", "openrouterPrivateProvider"),
        entry(openrouterPrivateEndpoint, "provider/openrouter/private-endpoint", "openrouterPrivateEndpoint"),
        entry(openrouterScimGroupMapping, "provider/openrouter/scim-group-mapping", "openrouterScimGroupMapping"),
      ],
      lookups: [
        lookup(getOrganizationMember, "provider/openrouter/lookups", "getOrganizationMember"),
        lookup(getModels, "provider/openrouter/lookups", "getModels"),
        lookup(getModel, "provider/openrouter/lookups", "getModel"),
        lookup(getProviders, "provider/openrouter/lookups", "getProviders"),
      ],
      sdkTypes: () => ({ ...guardrailSdkTypes() }),
    },
  ];
}
