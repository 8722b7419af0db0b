/**
 * OpenRouter's workspaces and API-key management endpoints as the emulator
 * serves them under /api/v1: bearer auth with management keys, errors as
 * {"error": {"code", "message"}}, offset/limit paging, 201 on create,
 * {"deleted": true} on delete. Bounds are the documented ones only (the
 * OpenAPI document, the @openrouter/sdk types and the docs pages); every
 * choice beyond them is listed in docs/emulator.md's OpenRouter fidelity table.
 * Each noun's routes and rules are in their own file; this one puts them on
 * one router over one shared state.
 */
import { Router } from "../router";
import { OpenRouterPrincipal } from "./common";
import { OpenRouterKeyRoutes } from "./keys";
import { OpenRouterState } from "./state";
import { OpenRouterWorkspaceRoutes } from "./workspaces";
import { OpenRouterByokRoutes } from "./byok";
import { OpenRouterObservabilityRoutes } from "./observability";
import { OpenRouterMemberRoutes } from "./members";
import { OpenRouterBudgetRoutes } from "./budgets";
import { OpenRouterGuardrailRoutes } from "./guardrails";
import { OpenRouterOrganizationSettingsRoutes } from "./organization";
import { OpenRouterPresetRoutes } from "./presets";
import { OpenRouterPrivateProviderRoutes } from "./private-providers";
import { OpenRouterPrivateEndpointRoutes } from "./private-endpoints";
import { OpenRouterScimRoutes } from "./scim";
import { OpenRouterExternalUserRoutes } from "./external-users";
import { OpenRouterCatalogueRoutes } from "./catalogue";

/** Every OpenRouter noun, and who is calling. */
export class OpenRouterApi {
  private readonly workspaces: OpenRouterWorkspaceRoutes;
  private readonly keys: OpenRouterKeyRoutes;
  private readonly byok: OpenRouterByokRoutes;
  private readonly observability: OpenRouterObservabilityRoutes;
  private readonly members: OpenRouterMemberRoutes;
  private readonly budgets: OpenRouterBudgetRoutes;
  private readonly guardrails: OpenRouterGuardrailRoutes;
  private readonly organizationSettings: OpenRouterOrganizationSettingsRoutes;
  private readonly presets: OpenRouterPresetRoutes;
  private readonly privateProviders: OpenRouterPrivateProviderRoutes;
  private readonly privateEndpoints: OpenRouterPrivateEndpointRoutes;
  private readonly scim: OpenRouterScimRoutes;
  private readonly externalUsers: OpenRouterExternalUserRoutes;
  private readonly catalogue = new OpenRouterCatalogueRoutes();

  constructor(state: () => OpenRouterState) {
    this.workspaces = new OpenRouterWorkspaceRoutes(state);
    this.keys = new OpenRouterKeyRoutes(state);
    this.byok = new OpenRouterByokRoutes(state);
    this.observability = new OpenRouterObservabilityRoutes(state);
    this.members = new OpenRouterMemberRoutes(state);
    this.budgets = new OpenRouterBudgetRoutes(state);
    this.guardrails = new OpenRouterGuardrailRoutes(state);
    this.organizationSettings = new OpenRouterOrganizationSettingsRoutes(state);
    this.presets = new OpenRouterPresetRoutes(state);
    this.privateProviders = new OpenRouterPrivateProviderRoutes(state);
    this.privateEndpoints = new OpenRouterPrivateEndpointRoutes(state);
    this.scim = new OpenRouterScimRoutes(state);
    this.externalUsers = new OpenRouterExternalUserRoutes(state);
  }

  /** Bearer management keys only; keys made through /keys are inference keys and get 403. */
  authenticate(header: string | undefined, managementKeys: readonly string[]): OpenRouterPrincipal {
    return this.keys.authenticate(header, managementKeys);
  }

  /** Workspaces first, then keys: the order routes are listed in. */
  register(router: Router<OpenRouterPrincipal>): void {
    this.workspaces.register(router);
    this.keys.register(router);
    this.byok.register(router);
    this.observability.register(router);
    this.members.register(router);
    this.budgets.register(router);
    this.guardrails.register(router);
    this.organizationSettings.register(router);
    this.presets.register(router);
    this.privateProviders.register(router);
    this.privateEndpoints.register(router);
    this.scim.register(router);
    this.externalUsers.register(router);
    this.catalogue.register(router);
  }
}
