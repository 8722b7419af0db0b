/**
 * OpenRouter workspace budgets, /workspaces/{id}/budgets: one per interval
 * (daily, weekly, monthly, lifetime), set by PUT (an upsert), unpaged list.
 *
 * Rules (openrouter-api.md §1, openrouter-api-more.md §5): `limit_usd` > 0;
 * limits strictly decrease as the interval narrows (lifetime > monthly >
 * weekly > daily), checked against the budgets the workspace already has;
 * `include_byok_in_budgets` is one flag of the whole workspace; DELETE answers
 * `{deleted: true}` even when there was no budget.
 */
import { randomUUID } from "node:crypto";
import { HandlerResult, Router } from "../router";
import { findWorkspace, JsonObject, objectBody, OpenRouterPrincipal, OpenRouterRequest, openrouterError } from "./common";
import { OpenRouterBudgetRecord, OpenRouterState, OpenRouterWorkspaceRecord } from "./state";

/** Widest first: each limit must be above every narrower one. */
const INTERVALS = ["lifetime", "monthly", "weekly", "daily"] as const;
type Interval = (typeof INTERVALS)[number];

/** The budget routes and their rules. */
export class OpenRouterBudgetRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/workspaces/{id}/budgets", (ctx) => this.listBudgets(ctx))
      .add("GET", "/workspaces/{id}/budgets/{interval}", (ctx) => this.getBudget(ctx))
      .add("PUT", "/workspaces/{id}/budgets/{interval}", (ctx) => this.putBudget(ctx))
      .add("DELETE", "/workspaces/{id}/budgets/{interval}", (ctx) => this.deleteBudget(ctx));
  }

  private listBudgets(ctx: OpenRouterRequest): HandlerResult {
    const workspace = findWorkspace(this.state(), ctx.params.id);
    return { body: { data: this.budgetsOf(workspace).map(budgetJson), include_byok_in_budgets: workspace.include_byok_in_budgets ?? false } };
  }

  private getBudget(ctx: OpenRouterRequest): HandlerResult {
    const workspace = findWorkspace(this.state(), ctx.params.id);
    const budget = this.budgets()[keyOf(workspace, intervalOf(ctx))];
    if (!budget) throw openrouterError(404, "Budget not found");
    // The same envelope as the PUT (S2's GetWorkspaceBudgetResponse); a 404 for no budget is a choice (not documented).
    return { body: { data: budgetJson(budget), include_byok_in_budgets: workspace.include_byok_in_budgets ?? false } };
  }

  private putBudget(ctx: OpenRouterRequest): HandlerResult {
    const workspace = findWorkspace(this.state(), ctx.params.id);
    const interval = intervalOf(ctx);
    const body = objectBody(ctx);
    const limit = body.limit_usd;
    if (typeof limit !== "number" || !Number.isFinite(limit) || limit <= 0) throw openrouterError(400, "limit_usd must be a number greater than 0");
    const byok = body.include_byok_in_budgets;
    if (byok !== undefined && typeof byok !== "boolean") throw openrouterError(400, "include_byok_in_budgets must be a boolean");
    this.checkOrder(workspace, interval, limit);

    const now = ctx.now.toISOString();
    const key = keyOf(workspace, interval);
    const budget: OpenRouterBudgetRecord = this.budgets()[key] ?? { id: randomUUID(), workspace_id: workspace.id, interval, limit_usd: limit, created_at: now, updated_at: now };
    budget.limit_usd = limit;
    budget.updated_at = now;
    this.budgets()[key] = budget;
    // Workspace-wide: one flag for every interval; omitted leaves it as it was.
    if (byok !== undefined) workspace.include_byok_in_budgets = byok;
    return { body: { data: budgetJson(budget), include_byok_in_budgets: workspace.include_byok_in_budgets ?? false } };
  }

  private deleteBudget(ctx: OpenRouterRequest): HandlerResult {
    const workspace = findWorkspace(this.state(), ctx.params.id);
    delete this.budgets()[keyOf(workspace, intervalOf(ctx))];
    return { body: { deleted: true } };
  }

  /** Every wider budget must stay above `limit`, every narrower one below it. */
  private checkOrder(workspace: OpenRouterWorkspaceRecord, interval: Interval, limit: number): void {
    const rank = INTERVALS.indexOf(interval);
    for (const other of this.budgetsOf(workspace)) {
      const otherRank = INTERVALS.indexOf(other.interval);
      if (otherRank === rank) continue;
      const wider = otherRank < rank;
      if (wider ? other.limit_usd <= limit : other.limit_usd >= limit) {
        throw openrouterError(
          400,
          `The ${interval} budget limit (${limit}) must be ${wider ? "lower" : "higher"} than the ${other.interval} budget limit (${other.limit_usd}): ` +
            "limits must strictly decrease from lifetime to monthly to weekly to daily",
        );
      }
    }
  }

  private budgets(): Record<string, OpenRouterBudgetRecord> {
    return (this.state().workspace_budgets ??= {});
  }

  /** The workspace's budgets, widest interval first. */
  private budgetsOf(workspace: OpenRouterWorkspaceRecord): OpenRouterBudgetRecord[] {
    return INTERVALS.map((interval) => this.budgets()[keyOf(workspace, interval)]).filter((b): b is OpenRouterBudgetRecord => b !== undefined);
  }
}

function intervalOf(ctx: OpenRouterRequest): Interval {
  const interval = ctx.params.interval as Interval;
  if (!INTERVALS.includes(interval)) throw openrouterError(400, "interval must be one of daily, weekly, monthly, lifetime");
  return interval;
}

function keyOf(workspace: OpenRouterWorkspaceRecord, interval: Interval): string {
  return `${workspace.id}/${interval}`;
}

/** A budget as the API answers it: the lifetime budget has no reset interval. */
function budgetJson(b: OpenRouterBudgetRecord): JsonObject {
  return {
    id: b.id,
    workspace_id: b.workspace_id,
    limit_usd: b.limit_usd,
    reset_interval: b.interval === "lifetime" ? null : b.interval,
    created_at: b.created_at,
    updated_at: b.updated_at,
  };
}
