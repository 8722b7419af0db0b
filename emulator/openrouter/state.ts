/**
 * The OpenRouter account the emulator holds: plain JSON, so it can be dumped
 * through the control endpoint and persisted to a state file as it is.
 */
import { newWorkspace } from "./workspaces";

export interface OpenRouterWorkspaceRecord {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  default_text_model: string | null;
  default_image_model: string | null;
  default_provider_sort: string | null;
  io_logging_api_key_ids: number[] | null;
  io_logging_sampling_rate: number;
  is_data_discount_logging_enabled: boolean;
  is_observability_broadcast_enabled: boolean;
  is_observability_io_logging_enabled: boolean;
  default_guardrail_id: string;
  /** Read-only here (set through the budgets endpoint, emulator/openrouter/budgets.ts); absent in older state files. */
  include_byok_in_budgets?: boolean;
  /** Server tools requests in the workspace may not call; null: none. Absent in older state files. */
  disabled_server_tools?: string[] | null;
  created_at: string;
  updated_at: string | null;
  created_by: string | null;
  is_default: boolean;
  deleted_at: string | null;
}

export interface OpenRouterKeyRecord {
  hash: string;
  secret: string;
  name: string;
  disabled: boolean;
  limit: number | null;
  limit_reset: string | null;
  include_byok_in_limit: boolean;
  expires_at: string | null;
  workspace_id: string;
  creator_user_id: string | null;
  /** `external.user` of the create request; absent in older state files. */
  external_user?: string | null;
  /** SHA-256 of `external.api_key`; stored, never returned, used for nothing else. */
  external_api_key_hash?: string | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
}

/** A BYOK key (/byok): the provider credential is stored, never answered. */
export interface OpenRouterByokKeyRecord {
  id: string;
  provider: string;
  /** Wiped ("") when the key is deleted. */
  key: string;
  label: string;
  workspace_id: string | null;
  name: string | null;
  disabled: boolean;
  is_fallback: boolean;
  /** Self-declared upstream data region (`global`, `europe`, `us`) or null; absent in older state files. */
  declared_region?: string | null;
  /** Self-declared zero data retention of the upstream account, or null; absent in older state files. */
  declared_zdr?: boolean | null;
  /** Shared endpoints of the provider removed for every model; absent in older state files. */
  is_byok_only?: boolean;
  /** Shared endpoints removed for the models this credential covers; absent in older state files. */
  is_required?: boolean;
  sort_order: number;
  allowed_api_key_hashes: string[] | null;
  allowed_models: string[] | null;
  allowed_user_ids: string[] | null;
  created_at: string;
  deleted_at: string | null;
}

/** An observability destination (/observability/destinations): `config` stored in full, answered masked. */
export interface OpenRouterDestinationRecord {
  id: string;
  workspace_id: string;
  type: string;
  name: string;
  config: Record<string, unknown>;
  enabled: boolean;
  privacy_mode: boolean;
  sampling_rate: number;
  api_key_hashes: string[] | null;
  broadcast_generation_cost: boolean;
  broadcast_generation_identity: boolean;
  broadcast_generation_request_context: boolean;
  /** Absent in older state files (false). */
  broadcast_generation_cost_allocation?: boolean;
  /** Data regions the destination applies to; absent in older state files (`["global"]`). */
  regions?: string[];
  filter_rules: Record<string, unknown> | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
}

export interface OpenRouterState {
  workspaces: Record<string, OpenRouterWorkspaceRecord>;
  keys: Record<string, OpenRouterKeyRecord>;
  /** BYOK keys by id; absent in older state files. */
  byokKeys?: Record<string, OpenRouterByokKeyRecord>;
  /** Observability destinations by id; absent in older state files. */
  destinations?: Record<string, OpenRouterDestinationRecord>;
  /** The organisation's people, by user id (seeded through the control endpoint); absent in older state files. */
  organization_members?: Record<string, OpenRouterOrganizationMemberRecord>;
  /** Explicit workspace memberships, by membership id; absent in older state files. */
  workspace_members?: Record<string, OpenRouterWorkspaceMemberRecord>;
  /** Workspace budgets, by `<workspace id>/<interval>`; absent in older state files. */
  workspace_budgets?: Record<string, OpenRouterBudgetRecord>;
  /** Guardrails by id, workspace default guardrails once materialised; absent in older state files. */
  guardrails?: Record<string, OpenRouterGuardrailRecord>;
  /** Key assignments by assignment id; absent in older state files. */
  guardrail_key_assignments?: Record<string, OpenRouterGuardrailKeyAssignmentRecord>;
  /** Member assignments by assignment id; absent in older state files. */
  guardrail_member_assignments?: Record<string, OpenRouterGuardrailMemberAssignmentRecord>;
  /** The organisation's settings, made on first use; absent in older state files. */
  organization_settings?: OpenRouterOrganizationSettingsRecord;
  /** Presets by id, archived ones too; absent in older state files. */
  presets?: Record<string, OpenRouterPresetRecord>;
  /** Preset versions by id; absent in older state files. */
  preset_versions?: Record<string, OpenRouterPresetVersionRecord>;
  /** Private providers by slug; absent in older state files. */
  private_providers?: Record<string, OpenRouterPrivateProviderRecord>;
  /** Private endpoints by id, drafts included; absent in older state files. */
  private_endpoints?: Record<string, OpenRouterPrivateEndpointRecord>;
  /** Every Idempotency-Key a private endpoint create was sent with, kept after the endpoint is deleted. */
  private_endpoint_idempotency_keys?: Record<string, { endpoint_id: string; fingerprint: string }>;
  /** SCIM groups by id (pushed by an identity provider; seeded through the control endpoint); absent in older state files. */
  scim_groups?: Record<string, OpenRouterScimGroupRecord>;
  /** SCIM group → workspace mappings by id; absent in older state files. */
  scim_group_mappings?: Record<string, OpenRouterScimGroupMappingRecord>;
  /** Directory sync jobs by id; absent in older state files. */
  scim_sync_jobs?: Record<string, OpenRouterScimSyncJobRecord>;
  /** Registered external user ids, by the id; absent in older state files. */
  external_users?: Record<string, OpenRouterExternalUserRecord>;
}

/** A caller-supplied end-user tracking id, registered; DELETE only deactivates it. */
export interface OpenRouterExternalUserRecord {
  user: string;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

/** A group an identity provider pushed, with the organisation members in it. */
export interface OpenRouterScimGroupRecord {
  id: string;
  display_name: string;
  external_id: string | null;
  /** Not answered by the API; what a mapping grants. */
  member_user_ids: string[];
  created_at: string;
  updated_at: string;
}

/** A group mapped to a workspace with a role. */
export interface OpenRouterScimGroupMappingRecord {
  id: string;
  scim_group_id: string;
  workspace_id: string;
  role: "admin" | "member";
  created_at: string;
  updated_at: string;
}

/** A directory sync job: done at once in the emulator. */
export interface OpenRouterScimSyncJobRecord {
  id: string;
  created_at: string;
  finished_at: string;
  synced_groups: number;
}

/** What a private provider declares about its handling of data (not verified by OpenRouter). */
export interface OpenRouterPrivateProviderDataPolicy {
  training: boolean;
  retains_prompts: boolean;
  /** Null unless `retains_prompts`. */
  prompt_retention_days: number | null;
}

/** A private provider: named by the slug derived from its name. */
export interface OpenRouterPrivateProviderRecord {
  slug: string;
  name: string;
  display_name: string;
  /** Normalised https URL. */
  base_url: string;
  data_policy: OpenRouterPrivateProviderDataPolicy | null;
  datacenters: string[];
  headquarters: string | null;
  privacy_policy_url: string | null;
  created_at: string;
}

/** Per-token USD rates as decimal strings, kept as written. */
export interface OpenRouterPrivateEndpointPricing {
  prompt: string;
  completion: string;
  cache_read?: string;
  cache_write?: string;
}

/** One check of a validation; `reason` only when it failed. */
export interface OpenRouterPrivateEndpointCheck {
  name: string;
  passed: boolean;
  reason?: string;
  upstream_message?: string | null;
}

/** A private endpoint: a draft until validated and activated. */
export interface OpenRouterPrivateEndpointRecord {
  id: string;
  status: "draft" | "active" | "disabled";
  model_permaslug: string;
  provider_slug: string;
  upstream_model_id: string;
  /** Normalised https URL; null for credential-derived providers, or a private provider's endpoint that inherits its URL. */
  base_url: string | null;
  declared_region: string | null;
  declared_zdr: boolean | null;
  pricing: OpenRouterPrivateEndpointPricing;
  /** The last validation of the draft as it is now; cleared by every change. */
  validation: { passed: boolean; checks: OpenRouterPrivateEndpointCheck[]; workspace_id: string } | null;
  created_at: string;
}

/** A preset: a slug in a workspace, its status, and which version requests resolve to. */
export interface OpenRouterPresetRecord {
  id: string;
  workspace_id: string;
  slug: string;
  name: string;
  description: string | null;
  creator_user_id: string | null;
  /** `disabled` is set by no API route (moderation); tests set it in the state. */
  status: "active" | "disabled" | "archived";
  designated_version_id: string | null;
  created_at: string;
  updated_at: string;
  status_updated_at: string | null;
}

/** One version of a preset: what an inference body kept. */
export interface OpenRouterPresetVersionRecord {
  id: string;
  preset_id: string;
  creator_id: string;
  /** From 1, one more for each new version of the preset. */
  version: number;
  system_prompt: string | null;
  config: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** The organisation-wide settings (/organization/settings): one per organisation. */
export interface OpenRouterOrganizationSettingsRecord {
  is_filtered_model_catalog_enabled: boolean;
}

/** A content filter as stored: the answer's shape. */
export interface OpenRouterContentFilter {
  pattern: string;
  action: string;
  label: string | null;
}

/** A built-in content filter as stored: `label` is set by the server. */
export interface OpenRouterBuiltinFilter {
  slug: string;
  action: string;
  label: string;
  /** Only for `regex-prompt-injection`. */
  scan_scope?: string;
}

export interface OpenRouterGuardrailRecord {
  id: string;
  name: string;
  description: string | null;
  /** null: a legacy (global) guardrail. */
  workspace_id: string | null;
  /** True for a workspace's default guardrail (materialised by its first PATCH). */
  is_workspace_default: boolean;
  limit_usd: number | null;
  reset_interval: string | null;
  include_byok_in_budgets: boolean;
  allowed_models: string[] | null;
  ignored_models: string[] | null;
  allowed_providers: string[] | null;
  ignored_providers: string[] | null;
  enforce_zdr: boolean | null;
  enforce_zdr_anthropic: boolean | null;
  enforce_zdr_openai: boolean | null;
  enforce_zdr_google: boolean | null;
  enforce_zdr_xai: boolean | null;
  enforce_zdr_other: boolean | null;
  enable_free_model_publication: boolean | null;
  enable_free_model_training: boolean | null;
  enable_paid_model_training: boolean | null;
  /** Absent in older state files (null: the account setting). */
  allow_safety_retention_google?: boolean | null;
  /** Absent in older state files (null: the account setting). */
  allow_safety_retention_other?: boolean | null;
  content_filters: OpenRouterContentFilter[] | null;
  content_filter_builtins: OpenRouterBuiltinFilter[] | null;
  allowed_data_regions: string[] | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
}

export interface OpenRouterGuardrailKeyAssignmentRecord {
  id: string;
  guardrail_id: string;
  key_hash: string;
  assigned_by: string | null;
  created_at: string;
}

export interface OpenRouterGuardrailMemberAssignmentRecord {
  id: string;
  guardrail_id: string;
  user_id: string;
  /** The guardrail's workspace: a member holds one direct guardrail per workspace. */
  workspace_id: string;
  assigned_by: string | null;
  created_at: string;
}

/** A person of the organisation: no API creates one (they are invited in the dashboard). */
export interface OpenRouterOrganizationMemberRecord {
  /** The user id (a Clerk id, `user_…`). */
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  role: "org:admin" | "org:member";
  /** Provisioned by SCIM: cannot be removed from workspaces through the API. */
  scim_managed: boolean;
  created_at: string;
}

/** A person added to a workspace; the role is not stored: it is the organisation role. */
export interface OpenRouterWorkspaceMemberRecord {
  id: string;
  workspace_id: string;
  user_id: string;
  created_at: string;
  /** The SCIM group mapping that made this membership; absent for memberships added by hand. */
  scim_mapping_id?: string;
}

export interface OpenRouterBudgetRecord {
  id: string;
  workspace_id: string;
  interval: "daily" | "weekly" | "monthly" | "lifetime";
  limit_usd: number;
  created_at: string;
  updated_at: string;
}

/** A new account: no keys, and the default workspace every account has. */
export function emptyOpenRouterState(): OpenRouterState {
  const workspace = newWorkspace("Default", "default", true, new Date().toISOString());
  return { workspaces: { [workspace.id]: workspace }, keys: {} };
}
