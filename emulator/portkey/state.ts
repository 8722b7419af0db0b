/**
 * One Portkey organisation the emulator holds (it holds one per configured
 * organisation): plain JSON, so it can be dumped through the control endpoint
 * and persisted to a state file as it is.
 */

export interface UsageLimitRecord {
  credit_limit: number | null;
  type: string | null;
  alert_threshold: number | null;
  periodic_reset: string | null;
  periodic_reset_days: number | null;
  next_usage_reset_at: string | null;
}

export interface RateLimitRecord {
  type: string | null;
  unit: string | null;
  value: number | null;
}

/** Limits a GET keeps answering with for a while after a write (the API's stale reads). */
export interface StaleLimits {
  usage_limits: UsageLimitRecord[];
  rate_limits: RateLimitRecord[];
  until: number;
}

export interface WorkspaceRecord {
  id: string;
  slug: string;
  name: string;
  icon: string | null;
  description: string | null;
  metadata: Record<string, string>;
  /** Guardrail slugs applied to requests in the workspace (absent in state files of older emulators). */
  input_guardrails?: string[];
  output_guardrails?: string[];
  /** The config (slug) user API keys of the workspace get by default. */
  user_api_key_config?: string | null;
  usage_limits: UsageLimitRecord[];
  rate_limits: RateLimitRecord[];
  created_at: string;
  last_updated_at: string;
  last_reset_at: string | null;
  deleted_at: string | null;
  stale: StaleLimits | null;
}

export interface ApiKeySecret {
  value: string;
  /** When this secret stops working; null while it is the current one. */
  expires_at: string | null;
}

export interface RotationPolicyRecord {
  rotation_period: string | null;
  /** A period in days (backend 1.16.0+, not in the document); absent in state files of older emulators. */
  rotation_period_days?: number | null;
  /** null once a one-shot policy has rotated, or when nothing is scheduled. */
  next_rotation_at: string | null;
  key_transition_period_ms: number | null;
}

export interface ApiKeyRecord {
  id: string;
  type: "organisation" | "workspace";
  sub_type: "service" | "user";
  name: string;
  description: string | null;
  workspace_id: string | null;
  user_id: string | null;
  scopes: string[];
  rate_limits: RateLimitRecord[];
  usage_limits: UsageLimitRecord | null;
  metadata: Record<string, unknown>;
  config_id: string | null;
  allow_config_override: boolean | null;
  alert_emails: string[];
  expires_at: string | null;
  rotation_policy: RotationPolicyRecord | null;
  secrets: ApiKeySecret[];
  /** Set by manual and scheduled rotations; absent in state files of older emulators. */
  last_rotated_at?: string | null;
  status: "active" | "exhausted";
  created_at: string;
  last_updated_at: string;
  last_reset_at: string | null;
  deleted_at: string | null;
  stale: { usage_limits: UsageLimitRecord | null; rate_limits: RateLimitRecord[]; until: number } | null;
}

export interface AccessRow {
  /** Workspace UUID; the API reports rows by slug, resolved at read time. */
  workspace_id: string;
  enabled: boolean;
  usage_limits: UsageLimitRecord[];
  rate_limits: RateLimitRecord[];
  last_reset_at: string | null;
  stale: StaleLimits | null;
}

export interface GlobalAccessRecord {
  enabled: boolean;
  usage_limits: UsageLimitRecord[] | null;
  rate_limits: RateLimitRecord[] | null;
}

export interface IntegrationRecord {
  id: string;
  slug: string;
  name: string;
  ai_provider_id: string;
  key: string | null;
  description: string | null;
  workspace_id: string | null;
  configurations: Record<string, unknown> | null;
  global_workspace_access_settings: GlobalAccessRecord | null;
  created_at: string;
  last_updated_at: string;
  access: Record<string, AccessRow>;
  /** Model access (/integrations/{slug}/models); absent in state files of older emulators: all models allowed, none listed. */
  models?: IntegrationModelsRecord;
  /** Fields filled from secret references (absent in state files of older emulators). */
  secret_mappings?: SecretMappingRecord[];
  /** Cost multipliers, as sent (absent in state files of older emulators: none). */
  pricing_adjustments?: Record<string, unknown> | null;
}

/** One `secret_mappings` entry of an integration, as sent. */
export interface SecretMappingRecord {
  target_field: string;
  secret_reference_id: string;
  secret_key: string | null;
  value_format?: string | null;
}

/** Which models an integration exposes: all, or only the enabled ones; plus the custom models added to it. */
export interface IntegrationModelsRecord {
  allow_all_models: boolean;
  /** By model slug: built-in models with a stored setting, and custom models. */
  entries: Record<string, IntegrationModelRecord>;
}

/** One model's setting on an integration. */
export interface IntegrationModelRecord {
  slug: string;
  enabled: boolean;
  is_custom: boolean;
  is_finetune: boolean | null;
  base_model_slug: string | null;
  configurations: { custom_host?: string } | null;
  pricing_config: Record<string, unknown> | null;
}

/** A provider (virtual key) in a workspace: made by POST /providers, or the default one a grant or a workspace integration creates. */
export interface ProviderRecord {
  id: string;
  slug: string;
  workspace_id: string;
  integration_slug: string;
  created_at: string;
  /** The fields below are absent in state files of older emulators (which held default providers only). */
  name?: string;
  note?: string | null;
  usage_limits?: UsageLimitRecord | null;
  rate_limits?: RateLimitRecord[];
  expires_at?: string | null;
  last_reset_at?: string | null;
  last_updated_at?: string;
}

/** One saved version of a config: every PUT makes one. */
export interface ConfigVersionRecord {
  version_id: string;
  name: string;
  /** The config as the server re-serialised it (JSON text, keys sorted). */
  config: string;
  status: string;
  created_at: string;
}

/** A gateway config (/configs), addressed by its server-set slug. */
export interface ConfigRecord {
  id: string;
  slug: string;
  name: string;
  workspace_id: string;
  /** The current version's config, as JSON text (the API re-serialises what it is sent). */
  config: string;
  /** 0 or 1, as the API answers it. */
  is_default: number;
  status: string;
  version_id: string;
  versions: ConfigVersionRecord[];
  created_at: string;
  last_updated_at: string;
}

/** A guardrail (/guardrails): checks and actions, for one workspace or (workspace_id null) the organisation. */
export interface GuardrailRecord {
  id: string;
  slug: string;
  name: string;
  /** null: the organisation's guardrail. */
  workspace_id: string | null;
  /** Each check as stored; `is_enabled` is left out when true (the API omits it then). */
  checks: Record<string, unknown>[];
  actions: Record<string, unknown>;
  status: "active" | "archived";
  version_id: string;
  owner_id: string;
  updated_by: string | null;
  created_at: string;
  last_updated_at: string;
}

/** A secret reference (/secret-references): where the gateway fetches a secret, and the credentials to reach that store. */
export interface SecretReferenceRecord {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  manager_type: "aws_sm" | "azure_kv" | "hashicorp_vault";
  /** As sent, secrets included (the API only ever shows them masked). */
  auth_config: Record<string, unknown>;
  secret_path: string;
  secret_key: string | null;
  allow_all_workspaces: boolean;
  /** Workspace UUIDs; never returned by the API. */
  allowed_workspaces: string[];
  tags: Record<string, string> | null;
  created_by: string;
  created_at: string;
  last_updated_at: string;
}

/** A person in the organisation (/admin/users); the API has no create: invites, SCIM or SSO make them. */
export interface UserRecord {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  role: "owner" | "admin" | "member";
  created_at: string;
  last_updated_at: string;
}

/** A user's membership of one workspace (/admin/workspaces/{workspaceId}/users). */
export interface WorkspaceMemberRecord {
  role: "admin" | "member" | "manager";
  created_at: string;
  last_updated_at: string;
}

/** An invitation to join the organisation (/admin/users/invites). */
export interface InviteRecord {
  id: string;
  email: string;
  role: "admin" | "member";
  /** Workspace UUIDs and roles the user gets on accepting (never shown by GET). */
  workspaces: { workspace_id: string; role: "admin" | "member" | "manager" }[];
  /** `workspace_api_key_details.scopes`, when sent (never shown by GET). */
  scopes: string[] | null;
  /** The current link's token: create and resend show the link, nothing else does. */
  link_token: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  status: "pending" | "cancelled" | "accepted" | "expired";
  /** The user who invited, when the caller was one (an admin key is nobody). */
  invited_by: string | null;
}

/** One organisation: everything in it is invisible to the others. */
export interface PortkeyState {
  organisation_id: string;
  workspaces: Record<string, WorkspaceRecord>;
  api_keys: Record<string, ApiKeyRecord>;
  integrations: Record<string, IntegrationRecord>;
  providers: Record<string, ProviderRecord>;
  /** By slug; absent in state files of older emulators. */
  configs?: Record<string, ConfigRecord>;
  /** By UUID; absent in state files of older emulators. */
  guardrails?: Record<string, GuardrailRecord>;
  /** By UUID; absent in state files of older emulators. */
  secret_references?: Record<string, SecretReferenceRecord>;
  /** By user id; absent in state files of older emulators. */
  users?: Record<string, UserRecord>;
  /** By workspace UUID, then user id; absent in state files of older emulators. */
  workspace_members?: Record<string, Record<string, WorkspaceMemberRecord>>;
  /** By invite id; absent in state files of older emulators. */
  invites?: Record<string, InviteRecord>;
  /** Policies by id; absent in state files of older emulators. */
  usage_limits_policies?: Record<string, UsageLimitsPolicyRecord>;
  rate_limits_policies?: Record<string, RateLimitsPolicyRecord>;
  /** Prompt collections by UUID; absent in state files of older emulators. */
  prompt_collections?: Record<string, PromptCollectionRecord>;
  /** Prompts by UUID; absent in state files of older emulators. */
  prompts?: Record<string, PromptRecord>;
  /** Prompt partials by UUID; absent in state files of older emulators. */
  prompt_partials?: Record<string, PromptPartialRecord>;
  /** Prompt labels by UUID (the built-in ones are added on first use); absent in state files of older emulators. */
  prompt_labels?: Record<string, PromptLabelRecord>;
  /** MCP integrations by UUID; absent in state files of older emulators. */
  mcp_integrations?: Record<string, McpIntegrationRecord>;
  /** MCP servers by UUID; absent in state files of older emulators. */
  mcp_servers?: Record<string, McpServerRecord>;
  /** SCIM groups by id (an identity provider pushes them; a mapping by name makes one first); absent in state files of older emulators. */
  scim_groups?: Record<string, ScimGroupRecord>;
  /** SCIM group to workspace mappings by id; absent in state files of older emulators. */
  scim_workspace_mappings?: Record<string, ScimWorkspaceMappingRecord>;
  /** The organisation's default guardrails (ids); absent in state files of older emulators and until first set. */
  organisation_defaults?: { input_guardrails: string[]; output_guardrails: string[] };
  /** Workspaces (UUIDs) the organisation's default guardrails skip, per direction; absent until first set. */
  workspace_exclusions?: { input_guardrails: string[]; output_guardrails: string[] };
}

export function emptyPortkeyState(organisationId: string): PortkeyState {
  return { organisation_id: organisationId, workspaces: {}, api_keys: {}, integrations: {}, providers: {}, configs: {}, guardrails: {}, secret_references: {} };
}

/** A condition of a policy (`{key, value}`), or a group-by entry (`{key}`), as it was sent. */
export interface PolicyKeyRecord {
  key: string;
  value?: string;
}

/** One entity a usage-limits policy counts for: a distinct combination of its group-by values. */
export interface PolicyEntityRecord {
  id: string;
  value_key: string;
  current_usage: number;
  status: "active" | "exhausted";
  is_threshold_alerts_sent: boolean;
  is_exhausted_alerts_sent: boolean;
}

/** A usage-limits policy (/policies/usage-limits); deleting archives it. */
export interface UsageLimitsPolicyRecord {
  id: string;
  name: string | null;
  conditions: PolicyKeyRecord[];
  group_by: PolicyKeyRecord[];
  type: string;
  credit_limit: number;
  alert_threshold: number | null;
  periodic_reset: string | null;
  periodic_reset_days: number | null;
  next_usage_reset_at: string | null;
  last_reset_at: string | null;
  status: "active" | "archived";
  workspace_id: string;
  created_at: string;
  last_updated_at: string;
  /** By entity id: the gateway's traffic makes them (tests record usage with `recordPolicyUsage`). */
  entities: Record<string, PolicyEntityRecord>;
}

/** A rate-limits policy (/policies/rate-limits); deleting archives it (a choice, see emulator/portkey/policies.ts). */
export interface RateLimitsPolicyRecord {
  id: string;
  name: string | null;
  /** What the policy limits: model requests (`llm`) or MCP tool calls; absent in state files of older emulators (`llm`). */
  target?: "llm" | "mcp_tools";
  conditions: PolicyKeyRecord[];
  group_by: PolicyKeyRecord[];
  type: string;
  unit: string;
  value: number;
  status: "active" | "archived";
  workspace_id: string;
  created_at: string;
  last_updated_at: string;
}

/** A prompt collection (/collections): a folder of prompts in one workspace; each workspace has a default one. */
export interface PromptCollectionRecord {
  id: string;
  slug: string;
  name: string;
  workspace_id: string;
  parent_collection_id: string | null;
  /** The workspace's default collection: made with the workspace, never deleted. */
  is_default: boolean;
  status: "active" | "archived";
  created_at: string;
  last_updated_at: string;
}

/** One immutable version of a prompt's template and model settings; only its label can change. */
export interface PromptVersionRecord {
  id: string;
  /** 1, 2, …: the number `makeDefault` and `?version=` name. */
  version: number;
  string: string;
  parameters: Record<string, unknown>;
  model: string | null;
  /** The provider (virtual key) slug. */
  virtual_key: string;
  functions: unknown[] | null;
  tools: unknown[] | null;
  tool_choice: unknown;
  template_metadata: Record<string, unknown> | null;
  is_raw_template: number;
  version_description: string | null;
  label_id: string | null;
  status: "active" | "archived";
  created_at: string;
}

/** A prompt (/prompts): a name in a collection, its versions, and which version is published (the default). */
export interface PromptRecord {
  id: string;
  slug: string;
  name: string;
  collection_id: string;
  /** The collection's workspace (UUID). */
  workspace_id: string;
  /** The published version's number. */
  default_version: number;
  versions: PromptVersionRecord[];
  status: "active" | "archived";
  created_at: string;
  last_updated_at: string;
}

/** One immutable version of a partial's text. */
export interface PromptPartialVersionRecord {
  id: string;
  version: number;
  string: string;
  version_description: string | null;
  created_at: string;
}

/** A prompt partial (/prompts/partials): reusable template text, versioned like prompts. */
export interface PromptPartialRecord {
  id: string;
  slug: string;
  name: string;
  workspace_id: string;
  /** The workspace's default collection (the create takes none). */
  collection_id: string;
  default_version: number;
  versions: PromptPartialVersionRecord[];
  status: string;
  created_at: string;
  last_updated_at: string;
}

/** A prompt label (/labels): a name versions are tagged with; the three built-in ones belong to the organisation. */
export interface PromptLabelRecord {
  id: string;
  name: string;
  description: string | null;
  color_code: string | null;
  /** null: an organisation-wide label. */
  workspace_id: string | null;
  is_universal: boolean;
  status: "active" | "archived";
  created_at: string;
  last_updated_at: string;
}

/** One tool, prompt, resource or resource template an MCP server offers, as the last sync found it. */
export interface McpCapabilityRecord {
  name: string;
  type: "tool" | "prompt" | "resource" | "resource_template";
  /** The capability's other fields as the sync reported them (title, description, input_schema, uri, …). */
  details: Record<string, unknown>;
  created_at: string;
  last_updated_at: string;
}

/** A workspace's access to an MCP integration. */
export interface McpAccessRecord {
  enabled: boolean;
  created_at: string;
  last_updated_at: string;
}

/** An MCP integration (/mcp-integrations): an upstream MCP server registered for the organisation or one workspace. */
export interface McpIntegrationRecord {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  url: string;
  auth_type: string;
  transport: string;
  /** As sent, secrets included; never returned by the API. */
  configurations: Record<string, unknown> | null;
  secret_mappings: Record<string, unknown>[];
  /** null: the organisation's. */
  workspace_id: string | null;
  owner_id: string;
  created_at: string;
  last_updated_at: string;
  /** By workspace UUID. */
  access: Record<string, McpAccessRecord>;
  global_workspace_access: { enabled: boolean } | null;
  /** What the last sync found (none until one happens). */
  capabilities: McpCapabilityRecord[];
  /** Whether each capability is enabled, by `type:name`; absent means enabled. Kept for names no sync has found yet. */
  capability_settings: Record<string, boolean>;
  /** The server information of the last sync. */
  server_info: Record<string, unknown> | null;
  last_synced_at: string | null;
}

/** An MCP server (/mcp-servers): an MCP integration made available in one workspace. */
export interface McpServerRecord {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  mcp_integration_id: string;
  workspace_id: string;
  owner_id: string;
  created_at: string;
  last_updated_at: string;
  /** The server's own capability settings, by `type:name`; absent means the integration's. */
  capability_settings: Record<string, boolean>;
  /** Per-user overrides, by user id. */
  user_access: Record<string, boolean>;
  default_user_access: "allow" | "deny";
}

/** A SCIM group of the organisation's identity provider. */
export interface ScimGroupRecord {
  id: string;
  display_name: string;
  created_at: string;
}

/** A SCIM group mapped to a workspace with a role (/scim/workspaces); deleting archives it. */
export interface ScimWorkspaceMappingRecord {
  id: string;
  workspace_id: string;
  scim_group_id: string;
  role: "admin" | "member" | "manager";
  status: "active" | "archived";
  created_at: string;
}
