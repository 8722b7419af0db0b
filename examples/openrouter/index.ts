/**
 * An OpenRouter workspace bootstrapped from one program: the workspace, its
 * people (organisation members, looked up by email), spend budgets per
 * interval, a default guardrail for everyone in it, a stricter guardrail for
 * the service keys and for named members, a key per application, a BYOK
 * credential only those keys may use, a trace destination, a preset the
 * applications call as `@preset/<slug>-assistant`, and the organisation's
 * model-catalogue setting (adopted, never reset on destroy). The BYOK
 * credential, the destination's secret key and the API keys stay secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import { openrouter } from "pulumi-ai-gateway";

/** The workspace, from the `workspace` config object. */
interface WorkspaceConfig {
  name: string;
  /** URL-safe and unique in the account; changing it replaces the workspace. */
  slug: string;
  description?: string;
}

/** A person of the organisation to add to the workspace. */
interface MemberConfig {
  email: string;
  /** Held to the strict guardrail, like the service keys. */
  strict?: boolean;
}

const config = new pulumi.Config();
const settings = config.requireObject<WorkspaceConfig>("workspace");
const members = config.getObject<MemberConfig[]>("members") ?? [];
/** Dollars per interval; OpenRouter wants them strictly falling from lifetime to daily. */
const budgets = config.getObject<Partial<Record<"daily" | "weekly" | "monthly" | "lifetime", number>>>("budgets") ?? {};
const apps = config.getObject<string[]>("apps") ?? [];

const workspace = new openrouter.Workspace("workspace", {
  name: settings.name,
  slug: settings.slug,
  description: settings.description ?? "Managed by Pulumi",
});

const memberships: Record<string, openrouter.WorkspaceMember> = {};
for (const member of members) {
  // People join the organisation by invitation in the dashboard; the program adds them to the workspace.
  const person = openrouter.getOrganizationMemberOutput({ email: member.email });
  memberships[member.email] = new openrouter.WorkspaceMember(`member-${member.email}`, { workspaceId: workspace.id, userId: person.userId });
}

// All of the workspace's limits in one resource: preview checks that they fall from lifetime to daily.
new openrouter.WorkspaceBudget("budgets", {
  workspaceId: workspace.id,
  lifetimeUsd: budgets.lifetime,
  monthlyUsd: budgets.monthly,
  weeklyUsd: budgets.weekly,
  dailyUsd: budgets.daily,
});

// Everyone in the workspace: known providers only, no training on prompts.
new openrouter.WorkspaceDefaultGuardrail("default-guardrail", {
  workspaceId: workspace.id,
  description: "Workspace-wide rules, managed by Pulumi",
  allowedProviders: ["openai", "anthropic"],
  enableFreeModelTraining: false,
  enablePaidModelTraining: false,
});

const strict = new openrouter.Guardrail("strict", {
  name: "Service keys",
  workspaceId: workspace.id,
  description: "Small models and a daily cap for automated callers",
  allowedModels: ["openai/gpt-4o-mini"],
  limitUsd: 20,
  resetInterval: "daily",
});

const keys = apps.map((app) => new openrouter.ApiKey(`key-${app}`, { name: `${app} (${settings.slug})`, workspaceId: workspace.id, limit: 50, limitReset: "monthly" }));
keys.forEach((key, i) => new openrouter.GuardrailKeyAssignment(`strict-${apps[i]}`, { guardrailId: strict.id, keyHash: key.hash }));
for (const member of members.filter((m) => m.strict)) {
  new openrouter.GuardrailMemberAssignment(
    `strict-${member.email}`,
    { guardrailId: strict.id, userId: memberships[member.email].userId },
    // The member must be in the guardrail's workspace first.
    { dependsOn: [memberships[member.email]] },
  );
}

// The team's own OpenAI credential, usable only by the service keys.
new openrouter.ByokKey("openai", {
  providerSlug: "openai",
  key: config.requireSecret("openaiApiKey"),
  workspaceId: workspace.id,
  name: `OpenAI (${settings.slug})`,
  ...(keys.length > 0 ? { allowedApiKeyHashes: keys.map((key) => key.hash) } : {}),
});

new openrouter.ObservabilityDestination("traces", {
  type: "langfuse",
  name: "Langfuse",
  workspaceId: workspace.id,
  config: { publicKey: config.require("langfusePublicKey"), secretKey: config.requireSecret("langfuseSecretKey") },
  samplingRate: 0.5,
});

// One request configuration the applications share: "model": "@preset/<slug>-assistant". A change is a new version.
const assistant = new openrouter.Preset("assistant", {
  slug: `${settings.slug}-assistant`,
  workspaceId: workspace.id,
  config: { model: "openai/gpt-4o-mini", temperature: 0.2, max_tokens: 800 },
  systemPrompt: "You are a concise assistant. Answer in the user's language.",
});

// Organisation-wide, one per organisation: members and keys see only the models they may use. Destroy leaves it as it is.
new openrouter.OrganizationSettings("organization", { isFilteredModelCatalogEnabled: true });

export const workspaceId = workspace.id;
export const assistantPresetVersion = assistant.version;
export const strictGuardrailId = strict.id;
/** The applications' API keys, one secret. */
export const apiKeys = pulumi.secret(Object.fromEntries(keys.map((key, i) => [apps[i], key.key])));
