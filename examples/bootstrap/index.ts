/**
 * Environment bootstrap: for every environment in stack config, a Portkey
 * workspace with metadata, a monthly budget and a rate limit; a least-privilege
 * service API key per application; and access to the shared model integration
 * with per-environment limits. API keys are exported as secrets.
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
  /** Let `pulumi destroy` delete the workspace with what it holds. */
  forceDelete?: boolean;
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

/** Workspace slug per environment. */
export const workspaces: Record<string, pulumi.Output<string>> = {};
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

  new portkey.IntegrationWorkspaceAccess(`${env.name}-${integrationSlug}`, {
    integrationSlug,
    workspaceId: workspace.id,
    usageLimits: [{ type: "cost", creditLimit: env.integrationBudgetUsd, periodicReset: "monthly" }],
    rateLimits: [{ type: "requests", unit: "rpm", value: env.integrationRequestsPerMinute }],
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
    });
    keysByEnvironmentAndApp[`${env.name}/${app.name}`] = key.key;
  }
}

/**
 * Service API key per environment and app ("dev/checkout"). Wrapped as one
 * secret: each key is secret already, and this keeps the whole map masked in
 * every view of the stack outputs, not just the values inside it.
 */
export const apiKeys = pulumi.secret(keysByEnvironmentAndApp);
