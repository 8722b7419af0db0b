/**
 * Portkey rate-limits policy: `/policies/rate-limits`, at most `value`
 * requests or tokens per `unit` for the requests matching `conditions`,
 * counted per distinct `groupBy` combination. Its workspace, type and
 * group-by are fixed at creation and replace the policy; name, unit, value
 * and conditions (backend 1.16.0+) update in place (admin API reference §12).
 * `target` (backend 1.24.0) says whether the policy limits LLM requests or
 * MCP tool calls; it too is fixed at creation, and an `mcp_tools` policy
 * matches and groups by MCP keys only (prompts-mcp-scim §10).
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { declareResource, input, ShapeOf } from "../resource";
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
    // The official document's units and `rpw`, which the budget-policies page adds (backend 1.13.0) and the document does not list yet.
    unit: input(z.enum(["rpm", "rph", "rpd", "rpw"]), {
      doc: "Per minute (`rpm`), hour (`rph`), day (`rpd`) or week (`rpw`, Portkey backend 1.13.0 and later).",
      outputDoc: "The unit as read back.",
      api: "unit",
    }),
    // The document types it as any number; the budget-policies page says a whole number of at least 1.
    value: input(z.number().int("must be a whole number").min(1, "must be at least 1"), {
      doc: "At most this many requests or tokens per `unit` for each entity: a whole number, at least 1.",
      outputDoc: "The limit as read back.",
      api: "value",
    }),
    target: input(z.enum(["llm", "mcp_tools"]).optional(), {
      doc:
        "What the policy limits: `llm` (model requests, Portkey's default) or `mcp_tools` (MCP tool calls, Portkey backend 1.24.0 and later). " +
        "An `mcp_tools` policy matches and groups by `api_key`, `workspace_id`, `mcp_server` (a server's slug), `mcp_tool` (a tool's name) " +
        "and `metadata.<field>` only. Changing it replaces the policy.",
      outputDoc: "What the policy limits, as read back (`llm` for policies made before targets existed).",
      api: "target",
      replaces: true,
      // Unset is Portkey's default, which older policies read back as.
      serverDefault: "llm",
    }),
  };
}

/** Keys an `mcp_tools` policy may match or group by (DOCS mcp-gateway rate-limits). */
const MCP_TOOL_KEYS = ["api_key", "workspace_id", "mcp_server", "mcp_tool"];
const isMcpToolKey = (key: string) => MCP_TOOL_KEYS.includes(key) || key.startsWith("metadata.");

type Shape = ShapeOf<typeof rateLimitsPolicyInputs, typeof policyOutputs>;

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

  refine(inputs, issue) {
    if (inputs.target !== "mcp_tools") return;
    const only = `an mcp_tools policy takes only ${MCP_TOOL_KEYS.join(", ")} or metadata.<field>`;
    inputs.conditions.forEach((c, i) => {
      if (!isMcpToolKey(c.key)) issue(["conditions", i, "key"], only);
    });
    inputs.groupBy.forEach((key, i) => {
      if (!isMcpToolKey(key)) issue(["groupBy", i], only);
    });
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const { id, workspace } = await createPolicyRecovering(client, ctx, "rate-limits", inputs, "rate-limits policy");
    const known = { ...inputs, policyId: id, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    ctx.created(id, known);
    return { id, outputs: await readBack(client, ctx, id, known) };
  },

  // The default read, update and delete.
  endpoints: {
    get: (ctx, id) => getRateLimitsPolicy(portkeyClient(ctx), id),
    update: (ctx, id, body) => updatePolicy(portkeyClient(ctx), "rate-limits", id, body),
    delete: (ctx, id) => deletePolicy(portkeyClient(ctx), "rate-limits", id),
  },
});

/** The policy as read back after a write; `carried` holds the inputs written. */
async function readBack(client: ApiClient, ctx: Shape["context"], id: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const json = await getRateLimitsPolicy(client, id);
  if (!json) throw new Error(`rate-limits policy ${id} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}
