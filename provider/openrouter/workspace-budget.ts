/**
 * OpenRouter workspace budgets: every spending limit of one workspace, one per
 * interval (`/workspaces/{id}/budgets/{interval}`), held by one resource.
 *
 * One resource per workspace, not per interval (the Terraform provider's
 * shape), because two rules span the intervals: OpenRouter requires the limits
 * to strictly decrease as the interval narrows (lifetime > monthly > weekly >
 * daily), which `check` can only see when it sees them all, and
 * `include_byok_in_budgets` is one flag of the whole workspace. Holding them
 * together also lets an update order its PUTs so that every step is valid.
 */
import { z } from "zod";
import { isApiFailure } from "../errors";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { AddIssue, declareResource, input, output, ShapeOf } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient, workspaceIdInput } from "./common";
import { BudgetInterval, BudgetJson, deleteBudget, intervalOfBudget, listBudgets, putBudget } from "./api/budgets";
import { listPerParent } from "../enumeration";

/** Widest first: the order in which limits must strictly decrease. */
const WIDEST_FIRST: readonly BudgetInterval[] = ["lifetime", "monthly", "weekly", "daily"];

/** The input holding each interval's limit. */
const LIMIT_INPUT = { lifetime: "lifetimeUsd", monthly: "monthlyUsd", weekly: "weeklyUsd", daily: "dailyUsd" } as const satisfies Record<BudgetInterval, string>;

/** `example`: the reference docs' example shows this limit. */
function limitInput(interval: BudgetInterval, resets: string, example?: number) {
  return input(z.number().positive("must be greater than 0 (dollars)").optional(), {
    doc:
      `The ${interval} limit in dollars (${resets}), greater than 0, pooled across the workspace's members and keys. ` +
      "Unset: no such budget (one set outside the stack is removed by the next update after a refresh).",
    outputDoc: `The ${interval} limit as read back.`,
    // The interval's budget in the map the hooks build from OpenRouter's list.
    api: `${interval}.limit_usd`,
    example,
  });
}

function workspaceBudgetInputs() {
  return {
    workspaceId: workspaceIdInput({
      doc: "The workspace's UUID (pass a Workspace's `id`). Changing it replaces the budgets.",
    }),
    lifetimeUsd: limitInput("lifetime", "never resets"),
    monthlyUsd: limitInput("monthly", "resets each month", 100),
    weeklyUsd: limitInput("weekly", "resets each week"),
    dailyUsd: limitInput("daily", "resets each day"),
    includeByokInBudgets: input(z.boolean().optional(), {
      doc: "Count bring-your-own-key spend toward the workspace's budgets (every interval). Unset leaves OpenRouter's value alone.",
      outputDoc: "The workspace's setting as read back.",
      api: "include_byok_in_budgets",
      serverOwnedUnlessDeclared: true,
    }),
  };
}

function workspaceBudgetOutputs() {
  return {
    budgetIds: output(z.record(z.string(), z.string()), {
      doc: "Each budget's own UUID (OpenRouter's `id`) by interval (`lifetime`, `monthly`, `weekly`, `daily`).",
      api: "budget_ids",
    }),
  };
}

type Shape = ShapeOf<typeof workspaceBudgetInputs, typeof workspaceBudgetOutputs>;

/** Limits by interval, as declared or as stored. */
type Limits = Partial<Record<BudgetInterval, number>>;

export const openrouterWorkspaceBudget = declareResource({
  kind: "openrouter:WorkspaceBudget",
  enumerate: {
    prefix: "budget",
    identity: ["workspaceId"],
    references: { workspaceId: { kind: "openrouter:Workspace", output: "id" } },
    // One per workspace that has a budget (its id is the workspace's).
    async list(ctx, listed) {
      const client = openrouterClient(ctx);
      return listPerParent(listed("openrouter:Workspace"), async (w) => ((await listBudgets(client, w.id))?.budgets.length ? [{ id: w.id, name: w.name }] : []));
    },
  },
  doc:
    "The spending limits of an OpenRouter workspace, one per interval (`/workspaces/{id}/budgets/{interval}`), in one " +
    "resource per workspace: OpenRouter requires them to strictly decrease as the interval narrows (lifetime > monthly > " +
    "weekly > daily), and `preview` checks that. An update sends its changes in an order where every step is valid. The " +
    "resource holds all of the workspace's budgets: one set outside the stack shows on refresh and the next update removes " +
    "it. The id is the workspace's UUID; `pulumi import` also takes its slug.\n\n" +
    "```ts\n" +
    'new openrouter.WorkspaceBudget("research", { workspaceId: research.id, monthlyUsd: 500, dailyUsd: 40 });\n' +
    "```",
  label: (values) => (values.workspaceId ? `budgets of ${values.workspaceId}` : undefined),
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: workspaceBudgetInputs,
  outputs: workspaceBudgetOutputs,

  refine(inputs, issue) {
    checkOrder(limitsOf(inputs), issue);
  },

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const { workspaceId } = inputs;
    const existing = await listBudgets(client, workspaceId);
    if (!existing) throw new Error(`workspaceId: OpenRouter has no workspace ${workspaceId}.`);
    // A PUT would silently overwrite budgets set elsewhere: they are not adopted.
    if (existing.budgets.length > 0) {
      const found = existing.budgets.map((b) => `${intervalOfBudget(b)} $${b.limit_usd}`).join(", ");
      throw new Error(
        `workspace ${workspaceId} already has budgets set outside this stack (${found}). To manage them, import them with the ` +
          `id '${workspaceId}' (native provider: \`pulumi import openrouter:index:WorkspaceBudget <name> ${workspaceId}\`), or ` +
          "delete them by hand (DELETE /workspaces/{id}/budgets/{interval}) and run `pulumi up` again.",
      );
    }
    const byok = ctx.createBody(inputs).include_byok_in_budgets as boolean | undefined;
    const written = await writeInOrder(client, workspaceId, {}, limitsOf(inputs), byok);
    return { id: workspaceId, outputs: ctx.outputsFrom(answerJson(written.budgets, written.includeByokInBudgets), inputs) };
  },

  async read(id, stored, ctx) {
    const answer = await listBudgets(openrouterClient(ctx), stored.workspaceId ?? id);
    // No budget left is the same as the resource gone: the next up sets them again.
    if (!answer || answer.budgets.length === 0) return undefined;
    // Imported by slug: the program declares the UUID, which is what the inputs hold.
    const workspaceId = stored.workspaceId ?? answer.budgets[0].workspace_id;
    return ctx.outputsFrom(answerJson(answer.budgets, answer.includeByokInBudgets), { ...stored, workspaceId });
  },

  async update(_id, olds, news, ctx) {
    const byok = ctx.updateBody(olds, news).include_byok_in_budgets as boolean | undefined;
    const written = await writeInOrder(openrouterClient(ctx), news.workspaceId, limitsOf(olds), limitsOf(news), byok);
    return ctx.outputsFrom(answerJson(written.budgets, written.includeByokInBudgets ?? olds.includeByokInBudgets), news);
  },

  async delete(_id, outputs, ctx) {
    const client = openrouterClient(ctx);
    // Answered alike whether a budget existed or not; a workspace that is gone has none.
    for (const interval of Object.keys(limitsOf(outputs)) as BudgetInterval[]) await deleteBudget(client, outputs.workspaceId, interval);
  },
});

/** The provider the engine runs. */
export const openrouterWorkspaceBudgetProvider = openrouterWorkspaceBudget.provider;

function limitsOf(values: Partial<Shape["inputs"]>): Limits {
  const limits: Limits = {};
  for (const interval of WIDEST_FIRST) {
    const limit = values[LIMIT_INPUT[interval]];
    if (typeof limit === "number") limits[interval] = limit;
  }
  return limits;
}

/** At least one limit, each below every wider one. (Unknown values at preview are skipped.) */
function checkOrder(limits: Limits, issue: AddIssue): void {
  const declared = WIDEST_FIRST.filter((interval) => limits[interval] !== undefined);
  if (declared.length === 0) issue(["monthlyUsd"], "declare at least one of lifetimeUsd, monthlyUsd, weeklyUsd and dailyUsd");
  for (const [index, narrower] of declared.entries()) {
    for (const wider of declared.slice(0, index)) {
      if (limits[narrower]! < limits[wider]!) continue;
      issue(
        [LIMIT_INPUT[narrower]],
        `must be less than ${LIMIT_INPUT[wider]} ($${limits[wider]}): OpenRouter requires a workspace's limits to strictly decrease ` +
          "from lifetime to monthly to weekly to daily",
      );
    }
  }
}

/** One write: a limit to set, or (undefined) a budget to remove. */
interface BudgetWrite {
  interval: BudgetInterval;
  limit?: number;
}

/**
 * The writes that take the workspace from `olds` to `news` with every
 * intermediate state valid: removals first (they never break the order), then
 * lowered limits narrowest first (each stays below the wider ones, old or
 * new), then raised limits widest first, then new budgets (by then everything
 * else holds its new value, which the new budget fits).
 */
export function budgetWrites(olds: Limits, news: Limits): BudgetWrite[] {
  const narrowestFirst = [...WIDEST_FIRST].reverse();
  const has = (limits: Limits, interval: BudgetInterval) => limits[interval] !== undefined;
  return [
    ...WIDEST_FIRST.filter((i) => has(olds, i) && !has(news, i)).map((interval) => ({ interval })),
    ...narrowestFirst.filter((i) => has(olds, i) && has(news, i) && news[i]! < olds[i]!).map((interval) => ({ interval, limit: news[interval] })),
    ...WIDEST_FIRST.filter((i) => has(olds, i) && has(news, i) && news[i]! > olds[i]!).map((interval) => ({ interval, limit: news[interval] })),
    ...WIDEST_FIRST.filter((i) => !has(olds, i) && has(news, i)).map((interval) => ({ interval, limit: news[interval] })),
  ];
}

/**
 * Sends the writes in that order, the BYOK flag (when declared and changed)
 * with the first PUT, or alone with an unchanged limit; answers every budget
 * the workspace has afterwards.
 */
async function writeInOrder(client: ApiClient, workspaceId: string, olds: Limits, news: Limits, byok: boolean | undefined): Promise<{ budgets: BudgetJson[]; includeByokInBudgets?: boolean }> {
  const writes = budgetWrites(olds, news);
  if (byok !== undefined && !writes.some((w) => w.limit !== undefined)) {
    const widest = WIDEST_FIRST.find((interval) => news[interval] !== undefined)!;
    writes.push({ interval: widest, limit: news[widest] });
  }
  let flagToSend = byok;
  for (const { interval, limit } of writes) {
    if (limit === undefined) {
      await deleteBudget(client, workspaceId, interval);
      continue;
    }
    try {
      await putBudget(client, workspaceId, interval, { limit_usd: limit, ...(flagToSend === undefined ? {} : { include_byok_in_budgets: flagToSend }) });
    } catch (error) {
      if (!isApiFailure(error, "validation")) throw error;
      // Budgets changed outside the stack since the last refresh can stand in the way.
      throw new Error(
        `${LIMIT_INPUT[interval]}: OpenRouter refused a ${interval} limit of $${limit} for workspace ${workspaceId} ` +
          "(a workspace's limits must strictly decrease from lifetime to monthly to weekly to daily; if budgets were changed " +
          `outside the stack, run \`pulumi refresh\` first). ${error.message}`,
      );
    }
    flagToSend = undefined;
  }
  const after = await listBudgets(client, workspaceId);
  if (!after) throw new Error(`workspaceId: OpenRouter has no workspace ${workspaceId}.`);
  return after;
}

/** The budgets as one answer for `outputsFrom`: each by its interval, their ids, and the workspace's BYOK flag. */
function answerJson(budgets: BudgetJson[], includeByokInBudgets: boolean | undefined): Record<string, unknown> {
  const byInterval = Object.fromEntries(budgets.map((b) => [intervalOfBudget(b), b]));
  const budgetIds = Object.fromEntries(budgets.map((b) => [intervalOfBudget(b), b.id]));
  return { ...byInterval, budget_ids: budgetIds, include_byok_in_budgets: includeByokInBudgets };
}
