/**
 * OpenRouter's workspace budget endpoints (`/workspaces/{id}/budgets`), each
 * written once with its JSON. One budget per interval, set by an upsert PUT;
 * the BYOK flag beside `data` belongs to the whole workspace.
 */
import { ApiClient, apiPath } from "../../http";

export const BUDGET_INTERVALS = ["daily", "weekly", "monthly", "lifetime"] as const;
export type BudgetInterval = (typeof BUDGET_INTERVALS)[number];

/** A budget as OpenRouter answers it. */
export interface BudgetJson {
  id: string;
  workspace_id: string;
  limit_usd: number;
  /** `daily`, `weekly`, `monthly`, or null for the lifetime budget. */
  reset_interval: string | null;
  created_at?: string;
  updated_at?: string | null;
}

function budgetPath(workspace: string, interval: BudgetInterval): string {
  return apiPath`/workspaces/${workspace}/budgets/${interval}`;
}

/** Every budget of the workspace, with the workspace-wide BYOK flag (the list is not paged); undefined when the workspace is gone. */
export async function listBudgets(client: ApiClient, workspace: string): Promise<{ budgets: BudgetJson[]; includeByokInBudgets?: boolean } | undefined> {
  const answer = await client.requestOrGone<{ data?: BudgetJson[]; include_byok_in_budgets?: boolean }>({ method: "GET", path: apiPath`/workspaces/${workspace}/budgets` });
  return answer && { budgets: answer.data ?? [], includeByokInBudgets: answer.include_byok_in_budgets };
}

/** Creates or replaces the interval's budget: `limit_usd` is required on every call. */
export async function putBudget(client: ApiClient, workspace: string, interval: BudgetInterval, body: { limit_usd: number; include_byok_in_budgets?: boolean }): Promise<void> {
  await client.request({ method: "PUT", path: budgetPath(workspace, interval), body });
}

/** Deletes the interval's budget; OpenRouter answers the same whether there was one or not. */
export async function deleteBudget(client: ApiClient, workspace: string, interval: BudgetInterval): Promise<void> {
  await client.requestOrGone({ method: "DELETE", path: budgetPath(workspace, interval) });
}

/** The interval a budget answer is for (`reset_interval: null` is the lifetime budget). */
export function intervalOfBudget(budget: BudgetJson): BudgetInterval {
  return (budget.reset_interval ?? "lifetime") as BudgetInterval;
}
