/**
 * Portkey usage-limits policy: `/policies/usage-limits`, a budget (cost or
 * tokens) counted per distinct `groupBy` combination of the requests that
 * match its `conditions`. Its workspace, type and group-by are fixed at
 * creation and replace the policy; name, conditions (backend 1.16.0+), credit
 * limit, alert threshold and periodic reset update in place (admin API
 * reference §12). Deleting archives it.
 *
 * Usage resets are a trigger input: `resetUsage` maps an entity (its id or
 * value key) to any value; changing a value (or adding an entry) resets that
 * entity's usage once through PUT …/entities/{entityId}/reset. Never at
 * create: a new policy has counted nothing.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS } from "./common";
import { createPolicyRecovering, policyConditionsInput, policyGroupByInput, policyNameInput, policyOutputs, policyWorkspaceInput } from "./policies";
import { ApiUsageLimitsPolicy, deletePolicy, getUsageLimitsPolicy, listPolicies, listPolicyEntities, resetPolicyEntity, updatePolicy } from "./api/policies";
import { listPerParent } from "../enumeration";

function usageLimitsPolicyInputs() {
  // The official document's minimum is 0; the budget-policies page names higher minimums (1 USD, 100 tokens) that the document does not: not enforced here.
  const amount = () => z.number().min(0, "must be 0 or more");
  return {
    workspaceId: policyWorkspaceInput(),
    name: policyNameInput(),
    conditions: policyConditionsInput(),
    groupBy: policyGroupByInput(),
    type: input(z.enum(["cost", "tokens"]), {
      doc: "What is counted: `cost` (dollars) or `tokens`. Changing it replaces the policy.",
      outputDoc: "What is counted.",
      api: "type",
      replaces: true,
    }),
    creditLimit: input(amount(), {
      doc: "The budget per entity (dollars for `cost`, tokens for `tokens`), 0 or more. Raising it reactivates exhausted entities.",
      outputDoc: "The credit limit as read back.",
      api: "credit_limit",
    }),
    alertThreshold: input(amount().optional(), {
      doc: "Usage at which Portkey alerts, as an amount (not a percentage); 0 or more and less than `creditLimit`. Removing it clears it.",
      outputDoc: "The alert threshold as read back.",
      api: "alert_threshold",
    }),
    periodicReset: input(z.enum(["monthly", "weekly"]).optional(), {
      doc: "Reset every entity's usage every month (the 1st) or week (Monday), 00:00 UTC. Unset: the budget is cumulative. Removing it stops the resets.",
      outputDoc: "The periodic reset as read back.",
      api: "periodic_reset",
    }),
    resetUsage: input(z.record(z.string().min(1, "must name an entity"), z.union([z.string(), z.number()])).optional(), {
      doc:
        "A trigger per entity: maps an entity the policy counts for (its id, or its value key such as the API key's id or `metadata.user_id` value) " +
        "to any value; adding an entry or changing its value resets that entity's usage once (never at creation). Removing an entry does nothing.",
      trigger: true,
    }),
  };
}

function usageLimitsPolicyOutputs() {
  return {
    ...policyOutputs(),
    nextUsageResetAt: output(z.string().optional(), { doc: "When Portkey next resets usage (with a periodic reset).", api: "next_usage_reset_at" }),
    lastResetAt: output(z.string().optional(), { doc: "When usage was last reset.", api: "last_reset_at" }),
  };
}

type Shape = ShapeOf<typeof usageLimitsPolicyInputs, typeof usageLimitsPolicyOutputs>;

export const usageLimitsPolicy = declareResource({
  kind: "portkey:UsageLimitsPolicy",
  enumerate: {
    prefix: "usage-policy",
    identity: ["workspaceId", "name"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx, listed) {
      const client = portkeyClient(ctx);
      // A deleted policy is archived: not an object any more.
      return listPerParent(listed("portkey:Workspace"), async (w) =>
        (await listPolicies<ApiUsageLimitsPolicy>(client, "usage-limits", w.id)).policies.filter((p) => p.status !== "archived").map((p) => ({ id: p.id, name: p.name ?? undefined })),
      );
    },
  },
  doc:
    "A Portkey usage-limits policy (`/policies/usage-limits`): a cost or token budget for the requests matching `conditions`, counted per " +
    "`groupBy` combination. The resource id is the policy's UUID. Change a `resetUsage` entry to reset one entity's usage.\n\n" +
    "```ts\n" +
    'const perKey = new portkey.UsageLimitsPolicy("per-key", {\n' +
    "  workspaceId: dev.id,\n" +
    '  name: "100 dollars a month per key",\n' +
    '  conditions: [{ key: "workspace_id", value: dev.id }],\n' +
    '  groupBy: ["api_key"],\n' +
    '  type: "cost", creditLimit: 100, alertThreshold: 80, periodicReset: "monthly",\n' +
    '  resetUsage: { [ci.id]: "2026-09-01" }, // change the value to reset that key\'s usage again\n' +
    "});\n" +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: usageLimitsPolicyInputs,
  outputs: usageLimitsPolicyOutputs,

  refine(policy, issue) {
    // The document: "Must be less than credit_limit".
    if (policy.alertThreshold !== undefined && policy.alertThreshold >= policy.creditLimit) {
      issue(["alertThreshold"], `must be less than creditLimit (${policy.creditLimit})`);
    }
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const { id, workspace } = await createPolicyRecovering(client, ctx, "usage-limits", inputs, "usage-limits policy");
    const known = { ...inputs, policyId: id, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    ctx.created(id, known);
    return { id, outputs: await readBack(client, ctx, id, known) };
  },

  // The `resetUsage` trigger: each entry that is new or changed resets its entity once.
  async afterUpdateBody(id, olds, news, ctx) {
    const client = portkeyClient(ctx);
    for (const entity of resetsDue(olds.resetUsage, news.resetUsage)) await resetEntity(client, ctx, id, entity);
  },

  // The default read, update and delete.
  endpoints: {
    get: (ctx, id) => getUsageLimitsPolicy(portkeyClient(ctx), id),
    update: (ctx, id, body) => updatePolicy(portkeyClient(ctx), "usage-limits", id, body),
    delete: (ctx, id) => deletePolicy(portkeyClient(ctx), "usage-limits", id),
  },
});

/** The entities whose trigger value is new or changed. */
function resetsDue(olds: Record<string, string | number> | undefined, news: Record<string, string | number> | undefined): string[] {
  return Object.entries(news ?? {})
    .filter(([entity, value]) => olds?.[entity] !== value)
    .map(([entity]) => entity);
}

/**
 * Resets one entity, named by id or value key. An entity Portkey does not
 * list has counted nothing yet: there is nothing to reset, so it is a warning.
 */
async function resetEntity(client: ApiClient, ctx: Shape["context"], policyId: string, named: string): Promise<void> {
  const byValue = (await listPolicyEntities(client, policyId, named)).find((e) => e.value_key === named);
  const entity = byValue ?? (await listPolicyEntities(client, policyId, "")).find((e) => e.id === named);
  if (!entity) {
    ctx.warn(`resetUsage: usage-limits policy ${policyId} has counted nothing for '${named}' (no such entity), so there was nothing to reset.`);
    return;
  }
  await resetPolicyEntity(client, policyId, entity.id);
}

/** The policy as read back after a write; `carried` holds the inputs written. */
async function readBack(client: ApiClient, ctx: Shape["context"], id: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const json = await getUsageLimitsPolicy(client, id);
  if (!json) throw new Error(`usage-limits policy ${id} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}
