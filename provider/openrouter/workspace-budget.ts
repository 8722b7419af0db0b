/**
 * OpenRouter workspace budget: the spending limit of one workspace for one
 * interval (`/workspaces/{id}/budgets/{interval}`). PUT is an upsert, so
 * create and update are the same call; `limit_usd` goes out every time.
 *
 * OpenRouter requires a workspace's limits to strictly decrease as the interval
 * narrows (lifetime > monthly > weekly > daily). One resource holds one
 * interval, so the rule involves other resources and only OpenRouter can check
 * it. When it refuses a limit because another budget is in the way, the PUT is
 * tried again for a short while (that budget may be changing in the same
 * update, in the order the engine happens to run them), then the error names
 * the budget in the way and what to do.
 *
 * `includeByokInBudgets` is one flag of the whole workspace: declared, it is
 * managed (and read back); not declared, it is left alone.
 */
import { z } from "zod";
import { ApiError, isApiFailure } from "../errors";
import { configKeysOf } from "../config";
import { sleep } from "../framework";
import { ApiClient } from "../http";
import { declareResource, input, InputsOf, output, OutputsOf } from "../resource";
import { TIMING } from "../timing";
import { OPENROUTER_SETTINGS, openrouterClient } from "./common";
import { BUDGET_INTERVALS, BudgetAnswer, BudgetInterval, BudgetJson, deleteBudget, getBudget, intervalOfBudget, listBudgets, putBudget } from "./api/budgets";

function workspaceBudgetInputs() {
  return {
    workspaceId: input(z.uuid("must be the workspace's UUID"), {
      doc: "The workspace's UUID (pass a Workspace's `id`). Changing it replaces the budget.",
      outputDoc: "The workspace as given.",
      replaces: true,
    }),
    interval: input(z.enum(BUDGET_INTERVALS), {
      doc:
        "`daily`, `weekly`, `monthly` or `lifetime` (never resets). A workspace has at most one budget per interval. " +
        "Changing it replaces the budget.",
      outputDoc: "The interval as given.",
      replaces: true,
    }),
    limitUsd: input(z.number().positive("must be greater than 0 (dollars)"), {
      doc:
        "The limit in dollars, greater than 0, pooled across the workspace's members and keys. OpenRouter requires the limits " +
        "of one workspace to strictly decrease as the interval narrows: lifetime > monthly > weekly > daily.",
      outputDoc: "The limit as read back.",
      api: "limit_usd",
    }),
    includeByokInBudgets: input(z.boolean().optional(), {
      doc:
        "Count bring-your-own-key spend toward the workspace's budgets. One setting of the whole workspace (every interval): " +
        "declare it on one budget only. Unset leaves OpenRouter's value alone.",
      outputDoc: "The workspace's setting as read back.",
      api: "include_byok_in_budgets",
      serverOwnedUnlessDeclared: true,
    }),
  };
}

function workspaceBudgetOutputs() {
  return {
    budgetId: output(z.string(), { doc: "The budget's own UUID (OpenRouter's `id`; not the resource id).", api: "id" }),
    resetInterval: output(z.string().optional(), { doc: "`daily`, `weekly` or `monthly` as OpenRouter reports it; unset for the lifetime budget.", api: "reset_interval" }),
    resolvedWorkspaceId: output(z.string(), { stable: true, doc: "The workspace's UUID as OpenRouter reports it.", api: "workspace_id" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "Creation time.", api: "created_at" }),
    updatedAt: output(z.string().optional(), { doc: "Last change.", api: "updated_at" }),
  };
}

type Fields = ReturnType<typeof workspaceBudgetInputs>;
export type OpenRouterWorkspaceBudgetInputs = InputsOf<Fields>;
export type OpenRouterWorkspaceBudgetOutputs = OutputsOf<Fields, ReturnType<typeof workspaceBudgetOutputs>>;

export const openrouterWorkspaceBudget = declareResource({
  kind: "openrouter:WorkspaceBudget",
  doc:
    "A spending limit of an OpenRouter workspace for one interval (`/workspaces/{id}/budgets/{interval}`). The id is " +
    "`<workspaceId>/<interval>`; `pulumi import` takes the workspace as UUID or slug (`research/monthly`). The limits of one " +
    "workspace must strictly decrease as the interval narrows (lifetime > monthly > weekly > daily); OpenRouter checks that " +
    "across budgets, and a refusal names the budget in the way.\n\n" +
    "```ts\n" +
    'const monthly = new openrouter.WorkspaceBudget("monthly", { workspaceId: research.id, interval: "monthly", limitUsd: 500 });\n' +
    'const daily = new openrouter.WorkspaceBudget("daily", { workspaceId: research.id, interval: "daily", limitUsd: 40 });\n' +
    "```",
  label: (values) => (values.interval && values.workspaceId ? `${values.interval} of ${values.workspaceId}` : undefined),
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: workspaceBudgetInputs,
  outputs: workspaceBudgetOutputs,

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const { workspaceId, interval } = inputs;
    // The PUT would silently overwrite a budget set elsewhere: it is not adopted.
    const existing = await getBudget(client, workspaceId, interval);
    if (existing) {
      throw new Error(
        `workspace ${workspaceId} already has a ${interval} budget ($${existing.budget.limit_usd}), set outside this stack. ` +
          `To manage it, import it with the id '${workspaceId}/${interval}' (native provider: ` +
          `\`pulumi import openrouter:index:WorkspaceBudget <name> ${workspaceId}/${interval}\`), or delete it by hand ` +
          "(DELETE /workspaces/{id}/budgets/{interval}) and run `pulumi up` again.",
      );
    }
    const answer = await putInOrder(client, inputs, { limit_usd: inputs.limitUsd, ...ctx.createBody(inputs) });
    return { id: `${workspaceId}/${interval}`, outputs: ctx.outputsFrom(answerJson(answer), inputs) };
  },

  async read(id, stored, ctx) {
    const identity = stored.interval ? { workspaceId: stored.workspaceId, interval: stored.interval } : identityFromId(id);
    const answer = await getBudget(openrouterClient(ctx), identity.workspaceId, identity.interval);
    if (!answer) return undefined;
    // Imported by slug: the program declares the UUID, which is what the inputs hold.
    const workspaceId = stored.interval ? stored.workspaceId : answer.budget.workspace_id;
    return ctx.outputsFrom(answerJson(answer), { ...stored, workspaceId, interval: identity.interval });
  },

  async update(_id, olds, news, ctx) {
    // OpenRouter takes `limit_usd` on every PUT; the BYOK flag only when declared and changed.
    const answer = await putInOrder(openrouterClient(ctx), news, { limit_usd: news.limitUsd, ...ctx.updateBody(olds, news) });
    return ctx.outputsFrom(answerJson(answer), news);
  },

  async delete(_id, outputs, ctx) {
    // Answered alike whether the budget existed or not; a workspace that is gone has none.
    await deleteBudget(openrouterClient(ctx), outputs.workspaceId, outputs.interval);
  },
});

/** The provider the engine runs. */
export const openrouterWorkspaceBudgetProvider = openrouterWorkspaceBudget.provider;

/** The budget and the workspace's BYOK flag as one answer, for `outputsFrom`. */
function answerJson(answer: BudgetAnswer): Record<string, unknown> {
  return { ...answer.budget, include_byok_in_budgets: answer.includeByokInBudgets };
}

/**
 * The PUT, tried again while OpenRouter refuses it and another budget of the
 * workspace breaks the ordering with the new limit (it may be changing in the
 * same update); then an error that names it.
 */
async function putInOrder(client: ApiClient, inputs: OpenRouterWorkspaceBudgetInputs, body: Record<string, unknown>): Promise<BudgetAnswer> {
  const timing = TIMING.budgetOrder;
  const deadline = Date.now() + timing.deadlineMs;
  const sent = body as { limit_usd: number; include_byok_in_budgets?: boolean };
  for (let delay: number = timing.firstDelayMs; ; delay = Math.min(delay * 2, timing.maxDelayMs)) {
    try {
      return await putBudget(client, inputs.workspaceId, inputs.interval, sent);
    } catch (error) {
      if (!isApiFailure(error, "validation")) throw error;
      const others = (await listBudgets(client, inputs.workspaceId)) ?? [];
      const inTheWay = others.filter((b) => breaksOrder(inputs.interval, inputs.limitUsd, b));
      // Refused for another reason: shown as OpenRouter gives it.
      if (inTheWay.length === 0) throw error;
      if (Date.now() + delay > deadline) throw new Error(orderMessage(inputs, inTheWay, error));
      await sleep(delay);
    }
  }
}

/** Widest first. */
const ORDER: readonly BudgetInterval[] = ["lifetime", "monthly", "weekly", "daily"];

/** Whether `other` keeps a limit of `limit` for `interval` from being valid. */
function breaksOrder(interval: BudgetInterval, limit: number, other: BudgetJson): boolean {
  const mine = ORDER.indexOf(interval);
  const theirs = ORDER.indexOf(intervalOfBudget(other));
  if (theirs === mine) return false;
  return theirs < mine ? other.limit_usd <= limit : other.limit_usd >= limit;
}

function orderMessage(inputs: OpenRouterWorkspaceBudgetInputs, inTheWay: BudgetJson[], error: ApiError): string {
  const others = inTheWay.map((b) => `the ${intervalOfBudget(b)} budget is $${b.limit_usd}`).join(", and ");
  return (
    `limitUsd: OpenRouter refused a ${inputs.interval} limit of $${inputs.limitUsd} for workspace ${inputs.workspaceId} because ${others}: ` +
    "a workspace's limits must strictly decrease from lifetime to monthly to weekly to daily. Change the limits so that they do " +
    `(if another budget is changing in the same direction, change that one first, in a separate \`pulumi up\`). ${error.message}`
  );
}

/** `<workspace UUID or slug>/<interval>`: the id, and what `pulumi import` takes. */
function identityFromId(id: string): { workspaceId: string; interval: BudgetInterval } {
  const separator = id.lastIndexOf("/");
  const interval = id.slice(separator + 1) as BudgetInterval;
  if (separator <= 0 || !BUDGET_INTERVALS.includes(interval)) {
    throw new Error(`'${id}' is not a workspace budget id: use <workspace UUID or slug>/<daily|weekly|monthly|lifetime>.`);
  }
  return { workspaceId: id.slice(0, separator), interval };
}
