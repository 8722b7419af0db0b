/**
 * The Portkey Admin API as the emulator serves it, rough edges included (see
 * the behaviour table in docs/emulator.md). Bodies are first checked against the
 * official OpenAPI document (../spec.ts), then against the rules the live API
 * is known to enforce beyond it. Each noun's routes and rules are in their own
 * file; this one puts them on one router over the organisations' states: a
 * request sees only its caller's organisation.
 */
import { Router } from "../router";
import { PortkeySpec } from "../spec";
import { PortkeyApiKeyRoutes } from "./api-keys";
import { PortkeyBehaviour, PortkeyPrincipal, PortkeyShared } from "./common";
import { PortkeyCollectionRoutes } from "./collections";
import { PortkeyConfigRoutes } from "./configs";
import { PortkeyLabelRoutes } from "./labels";
import { PortkeyMcpIntegrationRoutes } from "./mcp-integrations";
import { PortkeyMcpServerRoutes } from "./mcp-servers";
import { PortkeyPromptPartialRoutes } from "./prompt-partials";
import { PortkeyPromptRoutes } from "./prompts";
import { PortkeyGuardrailRoutes } from "./guardrails";
import { PortkeySecretReferenceRoutes } from "./secret-references";
import { PortkeyIntegrationRoutes } from "./integrations";
import { PortkeyPolicyRoutes } from "./policies";
import { PortkeyIntegrationModelRoutes } from "./integration-models";
import { PortkeyProviderRoutes } from "./providers";
import { PortkeyOrganisationDefaultsRoutes } from "./organisation-defaults";
import { PortkeyScimRoutes } from "./scim";
import { PortkeyState } from "./state";
import { PortkeyWorkspaceAccessRoutes } from "./workspace-access";
import { PortkeyWorkspaceRoutes } from "./workspaces";
import { PortkeyUserRoutes, SeedUser } from "./users";
import { PortkeyWorkspaceMemberRoutes } from "./workspace-members";
import { UserRecord } from "./state";

/** Every Portkey noun, and who is calling. */
export class PortkeyApi {
  private readonly apiKeys: PortkeyApiKeyRoutes;
  private readonly users: PortkeyUserRoutes;
  private readonly organisations: () => readonly PortkeyState[];
  private readonly organisationDefaults: PortkeyOrganisationDefaultsRoutes;
  /** In the order their routes are registered, which is the order routes are listed in. */
  private readonly nouns: readonly { register(router: Router<PortkeyPrincipal>): void }[];

  /** `organisations`: every organisation, read on every call (a reset or a rollback replaces them). */
  constructor(organisations: () => readonly PortkeyState[], spec: PortkeySpec, behaviour: PortkeyBehaviour) {
    const shared = new PortkeyShared(organisations, spec, behaviour);
    this.apiKeys = new PortkeyApiKeyRoutes(shared);
    this.organisations = organisations;
    this.users = new PortkeyUserRoutes(shared);
    this.organisationDefaults = new PortkeyOrganisationDefaultsRoutes(shared);
    this.nouns = [
      new PortkeyWorkspaceRoutes(shared),
      this.apiKeys,
      new PortkeyIntegrationRoutes(shared),
      new PortkeyWorkspaceAccessRoutes(shared),
      new PortkeyConfigRoutes(shared),
      new PortkeyGuardrailRoutes(shared),
      new PortkeySecretReferenceRoutes(shared),
      new PortkeyPolicyRoutes(shared),
      new PortkeyIntegrationModelRoutes(shared),
      new PortkeyProviderRoutes(shared),
      this.users,
      new PortkeyWorkspaceMemberRoutes(shared),
      new PortkeyCollectionRoutes(shared),
      new PortkeyLabelRoutes(shared),
      new PortkeyPromptPartialRoutes(shared),
      new PortkeyPromptRoutes(shared),
      new PortkeyMcpIntegrationRoutes(shared),
      new PortkeyMcpServerRoutes(shared),
      new PortkeyScimRoutes(shared),
      this.organisationDefaults,
    ];
  }

  /**
   * Resolves the x-portkey-api-key header to a principal in its organisation,
   * or throws 401 AB05. `adminOrganisation` names the organisation id of a
   * configured admin key, undefined for any other string.
   */
  authenticate(header: string | undefined, adminOrganisation: (key: string) => string | undefined, now: Date): PortkeyPrincipal {
    return this.apiKeys.authenticate(header, adminOrganisation, now);
  }

  /** Puts every noun's routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    for (const noun of this.nouns) noun.register(router);
  }

  /** Puts the routes Portkey serves under /v2 on `router`: the organisation's defaults (also served under /v1). */
  registerV2(router: Router<PortkeyPrincipal>): void {
    this.organisationDefaults.registerDefaults(router);
  }

  /** Makes a key's scheduled rotation due now, whatever its organisation (control endpoint for tests). */
  forceScheduledRotation(id: string, now: Date): void {
    this.apiKeys.forceScheduledRotation(id, now);
  }

  /** Adds a user to an organisation, as SSO or SCIM would (control endpoint for tests). */
  seedUser(seed: SeedUser, now: Date): UserRecord {
    return this.users.seedUser(this.organisations(), seed, now);
  }

  /** Accepts an invite as the invited person would, whatever its organisation (control endpoint for tests). */
  acceptInvite(id: string, now: Date): UserRecord {
    return this.users.acceptInvite(this.organisations(), id, now);
  }

  /** Lets an invite expire now, whatever its organisation (control endpoint for tests). */
  expireInvite(id: string, now: Date): void {
    this.users.expireInvite(this.organisations(), id, now);
  }
}
