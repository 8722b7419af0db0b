/**
 * Portkey rate-limits policy: `/policies/rate-limits`, at most `value`
 * requests or tokens per `unit` for the requests matching `conditions`,
 * counted per distinct `groupBy` combination. Its workspace, type and
 * group-by are fixed at creation and replace the policy; name, unit, value
 * and conditions (backend 1.16.0+) update in place (admin API reference §12).
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { isGone } from "../errors";
import { ApiClient } from "../http";
import { declareResource, input, InputsOf, OutputsOf, ResourceContext } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS } from "./common";
import { createPolicyRecovering, policyConditionsInput, policyGroupByInput, policyNameInput, policyOutputs, policyWorkspaceInput } from "./policies";
import { ApiRateLimitsPolicy, deletePolicy, getRateLimitsPolicy, listPolicies, updatePolicy } from "./api/policies";
import { listPerParent } from "../enumeration";

function rateLimitsPolicyInputs() {
  return {
    workspaceId: policyWorkspaceInput(),
    name: policyNameInput(),
    conditions: policyConditionsInput(),
    groupBy: policyGroupByInput(),
    type: input(z.enum(["requests", "tokens"]), {
      doc: "What is counted: `requests` or `tokens`. Changing it replaces the policy.",
      outputDoc: "What is counted.",
      api: "type",
      replaces: true,
    }),
    // The official document's units; the budget-policies page adds `rpw` (backend 1.13.0), which the document does not list.
    unit: input(z.enum(["rpm", "rph", "rpd"]), {
      doc: "Per minute (`rpm`), hour (`rph`) or day (`rpd`).",
      outputDoc: "The unit as read back.",
      api: "unit",
    }),
    // The document types it as any number; the budget-policies page says a whole number of at least 1.
    value: input(z.number().int("must be a whole number").min(1, "must be at least 1"), {
      doc: "At most this many requests or tokens per `unit` for each entity: a whole number, at least 1.",
      outputDoc: "The limit as read back.",
      api: "value",
    }),
  };
}

type RateLimitsPolicyFields = ReturnType<typeof rateLimitsPolicyInputs>;
export type RateLimitsPolicyInputs = InputsOf<RateLimitsPolicyFields>;
export type RateLimitsPolicyOutputs = OutputsOf<RateLimitsPolicyFields, ReturnType<typeof policyOutputs>>;
type Context = ResourceContext<RateLimitsPolicyInputs, RateLimitsPolicyOutputs>;

export const rateLimitsPolicy = declareResource({
  kind: "portkey:RateLimitsPolicy",
  enumerate: {
    prefix: "rate-policy",
    identity: ["workspaceId", "name"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx, listed) {
      const client = portkeyClient(ctx);
      // A deleted policy is archived: not an object any more.
      return listPerParent(listed("portkey:Workspace"), async (w) =>
        (await listPolicies<ApiRateLimitsPolicy>(client, "rate-limits", w.id)).policies.filter((p) => p.status !== "archived").map((p) => ({ id: p.id, name: p.name ?? undefined })),
      );
    },
  },
  doc:
    "A Portkey rate-limits policy (`/policies/rate-limits`): at most `value` requests or tokens per minute, hour or day for the requests " +
    "matching `conditions`, counted per `groupBy` combination. The resource id is the policy's UUID.\n\n" +
    "```ts\n" +
    'const perUser = new portkey.RateLimitsPolicy("per-user", {\n' +
    "  workspaceId: dev.id,\n" +
    '  conditions: [{ key: "workspace_id", value: dev.id }],\n' +
    '  groupBy: ["metadata.user_id"],\n' +
    '  type: "requests", unit: "rpm", value: 60,\n' +
    "});\n" +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: rateLimitsPolicyInputs,
  outputs: policyOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const { id, workspace } = await createPolicyRecovering(client, ctx, "rate-limits", inputs, "rate-limits policy");
    const known = { ...inputs, policyId: id, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    ctx.created(id, known);
    return { id, outputs: await readBack(client, ctx, id, known) };
  },

  async read(id, outputs, ctx) {
    const json = await getRateLimitsPolicy(portkeyClient(ctx), id);
    return json && ctx.outputsFrom(json, outputs);
  },

  async update(id, olds, news, ctx) {
    const client = portkeyClient(ctx);
    const body = ctx.updateBody(olds, news);
    if (Object.keys(body).length > 0) await updatePolicy(client, "rate-limits", id, body);
    return readBack(client, ctx, id, { ...news, resolvedWorkspaceId: olds.resolvedWorkspaceId, workspaceSlug: olds.workspaceSlug });
  },

  async delete(id, _outputs, ctx) {
    try {
      await deletePolicy(portkeyClient(ctx), "rate-limits", id);
    } catch (error) {
      if (isGone(error)) return;
      throw error;
    }
  },
});

/** The policy as read back after a write; `carried` holds the inputs written. */
async function readBack(client: ApiClient, ctx: Context, id: string, carried: Partial<RateLimitsPolicyOutputs>): Promise<RateLimitsPolicyOutputs> {
  const json = await getRateLimitsPolicy(client, id);
  if (!json) throw new Error(`rate-limits policy ${id} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}
