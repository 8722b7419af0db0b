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
  /** Read-only here (set through the budgets endpoint, not emulated); absent in older state files. */
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

export interface OpenRouterState {
  workspaces: Record<string, OpenRouterWorkspaceRecord>;
  keys: Record<string, OpenRouterKeyRecord>;
}

/** A new account: no keys, and the default workspace every account has. */
export function emptyOpenRouterState(): OpenRouterState {
  const workspace = newWorkspace("Default", "default", true, new Date().toISOString());
  return { workspaces: { [workspace.id]: workspace }, keys: {} };
}
