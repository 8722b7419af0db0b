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
}

/** A provider (virtual key) in a workspace; only the default ones access grants create. */
export interface ProviderRecord {
  id: string;
  slug: string;
  workspace_id: string;
  integration_slug: string;
  created_at: string;
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
  /** By user id; absent in state files of older emulators. */
  users?: Record<string, UserRecord>;
  /** By workspace UUID, then user id; absent in state files of older emulators. */
  workspace_members?: Record<string, Record<string, WorkspaceMemberRecord>>;
  /** By invite id; absent in state files of older emulators. */
  invites?: Record<string, InviteRecord>;
}

export function emptyPortkeyState(organisationId: string): PortkeyState {
  return { organisation_id: organisationId, workspaces: {}, api_keys: {}, integrations: {}, providers: {}, configs: {} };
}
