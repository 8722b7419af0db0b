/**
 * A Portkey environment bootstrapped from zero by one program:
 *
 * - the shared OpenAI integration (its credential from secret config) and the
 *   models it exposes;
 * - per environment (stack config `environments`): a workspace with a budget
 *   and a rate limit, its access to the integration with its own limits, its
 *   provider on the integration, a gateway config that retries and falls back
 *   to a smaller model, and a least-privilege service key per application,
 *   bound to that config;
 * - a prompt library: a collection with a triage prompt that includes a
 *   shared partial, running on the workspace's provider;
 * - people: members of workspaces (existing users, by email) and invitations;
 * - an organisation guardrail against leaking secrets, and a usage-limit
 *   policy capping each key's monthly spend in production;
 * - an MCP server from the organisation's registry granted to every
 *   environment's workspace, whose engineers join it from the identity
 *   provider's group (a SCIM mapping).
 *
 * API keys are exported as one secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { portkey } from "pulumi-ai-gateway";

/** One environment, from the `environments` config list. */
interface EnvironmentConfig {
  name: string;
  /** Monthly budget of the whole workspace, in dollars. */
  monthlyBudgetUsd: number;
  /** Dollars spent at which alert emails go out; defaults to 80% of the budget. */
  alertAtUsd?: number;
  requestsPerMinute: number;
  /** Budget and rate limit of this environment's use of the shared integration. */
  integrationBudgetUsd: number;
  integrationRequestsPerMinute: number;
  /** Monthly spend allowed per service key (a usage-limit policy); none when left out. */
  perKeyMonthlyUsd?: number;
  /** Let `pulumi destroy` delete the workspace with what it holds. */
  forceDelete?: boolean;
}

/** Someone who already is a user of the organisation, and their role in some environments' workspaces. */
interface MemberConfig {
  email: string;
  role: "admin" | "member" | "manager";
  /** Environments whose workspaces they join; all when left out. */
  environments?: string[];
}

/** Someone to invite, with an organisation role and a role in some environments' workspaces. */
interface InviteConfig {
  email: string;
  role: "admin" | "member";
  workspaceRole: "admin" | "member" | "manager";
  environments?: string[];
}

/** One application that gets a service key in each of its environments. */
interface AppConfig {
  name: string;
  scopes: string[];
  /** Environments the app runs in; all when left out. */
  environments?: string[];
}

const config = new pulumi.Config();
const environments = config.requireObject<EnvironmentConfig[]>("environments");
const apps = config.requireObject<AppConfig[]>("apps");
const integrationSlug = config.require("integrationSlug");
const team = config.get("team") ?? "platform";
/** Models the integration exposes; the first is each config's primary, the last its fallback. */
const models = config.getObject<string[]>("models") ?? ["gpt-4o", "gpt-4o-mini"];
const retryAttempts = config.getNumber("retryAttempts") ?? 3;
const members = config.getObject<MemberConfig[]>("members") ?? [];
const invites = config.getObject<InviteConfig[]>("invites") ?? [];
const inEnvironment = (env: string, list?: string[]) => !list || list.includes(env);

// The provider credential: a secret in stack config (`pulumi config set --secret openaiApiKey ...`).
const integration = new portkey.Integration("openai", {
  name: "Shared OpenAI",
  slug: integrationSlug,
  aiProviderId: "openai",
  key: config.requireSecret("openaiApiKey"),
  description: `OpenAI for the ${team} team, managed by Pulumi`,
});

// The integration's id is its slug.
new portkey.IntegrationModelAccess("openai-models", {
  integrationSlug: integration.id,
  allowAllModels: false,
  models: models.map((slug) => ({ slug, enabled: true })),
});

// An MCP server in the organisation's registry, granted to each environment's workspace below.
const docsMcp = new portkey.McpIntegration("docs-mcp", {
  name: "Docs search",
  slug: `${team}-docs-mcp`,
  url: "https://mcp.example.com/docs/mcp",
  authType: "none",
  transport: "http",
});

/** Workspace slug, gateway config slug and provider slug per environment. */
export const workspaces: Record<string, pulumi.Output<string>> = {};
const workspaceIds: Record<string, pulumi.Output<string>> = {};
export const gatewayConfigs: Record<string, pulumi.Output<string>> = {};
const keysByEnvironmentAndApp: Record<string, pulumi.Output<string>> = {};

for (const env of environments) {
  const workspace = new portkey.Workspace(env.name, {
    name: `${team}-${env.name}`,
    description: `${env.name} environment of the ${team} team, managed by Pulumi`,
    metadata: { environment: env.name, team, managedBy: "pulumi" },
    usageLimits: [
      {
        type: "cost",
        creditLimit: env.monthlyBudgetUsd,
        alertThreshold: env.alertAtUsd ?? Math.floor(env.monthlyBudgetUsd * 0.8),
        periodicReset: "monthly",
      },
    ],
    rateLimits: [{ type: "requests", unit: "rpm", value: env.requestsPerMinute }],
    forceDelete: env.forceDelete ?? false,
  });
  workspaces[env.name] = workspace.slug;
  workspaceIds[env.name] = workspace.id;

  // People who already are users of the organisation join the workspace, looked up by email.
  for (const member of members.filter((m) => inEnvironment(env.name, m.environments))) {
    const user = portkey.getUserOutput({ email: member.email });
    new portkey.WorkspaceMember(`${env.name}-${member.email}`, { workspaceId: workspace.id, userId: user.id, role: member.role });
  }

  // The workspace's provider is declared below, so the grant creates no default one.
  const access = new portkey.IntegrationWorkspaceAccess(`${env.name}-${integrationSlug}`, {
    integrationSlug: integration.id,
    workspaceId: workspace.id,
    usageLimits: [{ type: "cost", creditLimit: env.integrationBudgetUsd, periodicReset: "monthly" }],
    rateLimits: [{ type: "requests", unit: "rpm", value: env.integrationRequestsPerMinute }],
    createDefaultProvider: false,
  });

  new portkey.McpIntegrationWorkspaceAccess(`${env.name}-docs-mcp`, { mcpIntegrationId: docsMcp.id, workspaceId: workspace.id });
  // The identity provider's group of this environment's engineers (pre-created by name until the IdP pushes it).
  new portkey.ScimWorkspaceMapping(`${env.name}-engineers`, { workspaceId: workspace.id, scimGroupName: `${team}-${env.name}-engineers`, role: "member" });

  const provider = new portkey.AiProvider(
    `${env.name}-openai`,
    { workspaceId: workspace.id, integrationSlug: integration.id, name: "OpenAI", slug: "openai", note: `${env.name} traffic to OpenAI` },
    { dependsOn: [access] },
  );

  const gatewayConfig = new portkey.Config(`${env.name}-default`, {
    workspaceId: workspace.id,
    name: `${env.name} default`,
    config: {
      retry: { attempts: retryAttempts, on_status_codes: [429, 500, 502, 503] },
      strategy: { mode: "fallback" },
      targets: models.length > 1 ? [models[0], models[models.length - 1]].map((model) => ({ provider: "@openai", override_params: { model } })) : [{ provider: "@openai" }],
    },
  }, { dependsOn: [provider] });
  gatewayConfigs[env.name] = gatewayConfig.slug;

  // A prompt library: a collection, a partial every prompt can include, and a prompt that runs on the workspace's provider.
  const library = new portkey.PromptCollection(`${env.name}-support-prompts`, { workspaceId: workspace.id, name: "Support" });
  const tone = new portkey.PromptPartial(`${env.name}-tone`, { workspaceId: workspace.id, name: "Tone", string: `Answer as the ${team} team: briefly and politely.` });
  new portkey.Prompt(`${env.name}-triage`, {
    collectionId: library.id,
    name: "Ticket triage",
    string: pulumi.interpolate`{{>${tone.slug}}}\nSort this ticket into billing, bug or question: {{ticket}}`,
    virtualKey: pulumi.interpolate`${provider.slug}`,
    model: models[models.length - 1],
    parameters: { temperature: 0 },
  });

  for (const app of apps.filter((a) => !a.environments || a.environments.includes(env.name))) {
    const key = new portkey.ApiKey(`${env.name}-${app.name}`, {
      type: "workspace",
      subType: "service",
      workspaceId: workspace.id,
      name: `${app.name}-${env.name}`,
      description: `Service key of ${app.name} in ${env.name}`,
      scopes: app.scopes,
      metadata: { app: app.name, environment: env.name },
      configId: gatewayConfig.configId,
    });
    keysByEnvironmentAndApp[`${env.name}/${app.name}`] = key.key;
  }

  if (env.perKeyMonthlyUsd !== undefined) {
    new portkey.UsageLimitsPolicy(`${env.name}-per-key-budget`, {
      workspaceId: workspace.id,
      name: `${env.name}: monthly spend per service key`,
      conditions: [{ key: "workspace_id", value: workspace.id }],
      groupBy: ["api_key"],
      type: "cost",
      creditLimit: env.perKeyMonthlyUsd,
      alertThreshold: Math.floor(env.perKeyMonthlyUsd * 0.8),
      periodicReset: "monthly",
    });
  }
}

// Invitations: a pending invite is not a user; once accepted, a refresh keeps it (it never invites again).
for (const invite of invites) {
  new portkey.UserInvite(`invite-${invite.email}`, {
    email: invite.email,
    role: invite.role,
    workspaces: environments.filter((env) => inEnvironment(env.name, invite.environments)).map((env) => ({ id: workspaceIds[env.name], role: invite.workspaceRole })),
  });
}

// Refuses requests that carry something shaped like an API key, across the organisation.
export const guardrail = new portkey.Guardrail("no-leaked-keys", {
  name: "No leaked API keys",
  organisationId: integration.organisationId.apply((id) => id ?? ""),
  checks: [{ id: "default.regexMatch", parameters: { rule: "sk-[A-Za-z0-9]{20,}", not: true } }],
  actions: { deny: true, on_fail: { feedback: { value: -10, weight: 1, metadata: "leaked-key" } } },
}).slug;

/**
 * Service API key per environment and app ("dev/checkout"). Wrapped as one
 * secret: each key is secret already, and this keeps the whole map masked in
 * every view of the stack outputs, not just the values inside it.
 */
export const apiKeys = pulumi.secret(keysByEnvironmentAndApp);
