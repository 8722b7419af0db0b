/**
 * What Portkey's two kinds of budget policy share (usage limits and rate
 * limits, `/policies/*`): the workspace, name, conditions and group-by inputs,
 * the outputs every policy has, and the create with its recovery. Both
 * declarations build their fields from here, so the shapes exist once.
 */
import { z } from "zod";
import { deepEqual, normalize } from "../framework";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { input, output, ResourceContext } from "../resource";
import { workspaceIdComparable } from "./common";
import { requireWorkspace } from "./api/workspaces";
import { ApiPolicyKey, createPolicy, listPolicies, PolicyKind } from "./api/policies";

/**
 * Keys a condition or group-by may name besides `metadata.<field>`: the
 * official document's (`api_key`, `organisation_id`, `workspace_id`) and the
 * budget-policies page's (slugs of virtual keys, providers, configs and
 * prompts; `model`; `endpoint_type`; `mcp_server`, `mcp_tool`). That page says
 * `workspace_id` belongs in `groupBy` only, but the document's examples and
 * Portkey's Terraform provider (tested live) use it as a condition: accepted.
 */
const POLICY_KEYS = ["api_key", "organisation_id", "workspace_id", "virtual_key", "provider", "config", "prompt", "model", "endpoint_type", "mcp_server", "mcp_tool"];

function policyKey() {
  return z
    .string()
    .refine((key) => POLICY_KEYS.includes(key) || /^metadata\.[^.\s]+/.test(key), {
      message: `must be one of ${POLICY_KEYS.join(", ")} or metadata.<field>`,
    })
    .describe("What is matched or counted: `api_key`, `workspace_id`, `organisation_id`, `provider`, `model`, ... or `metadata.<field>`.");
}

/** One condition: requests whose `key` has `value` (conditions are ANDed). */
function conditionSchema() {
  return z
    .object({
      key: policyKey(),
      value: z.string().min(1, "must not be empty").describe("The value to match, e.g. a workspace's UUID, an API key's UUID or a metadata value; `*` matches any."),
    })
    .strict();
}

export type PolicyCondition = z.output<ReturnType<typeof conditionSchema>>;

/** The SDK's named types declared here (scripts/generate.ts writes them to sdk/portkey/types.ts). */
export function policySdkTypes() {
  return { PolicyConditionArgs: conditionSchema().describe("A policy condition: requests whose `key` has `value`.") };
}

/** The `workspaceId` input: fixed at creation (the API has no way to move a policy), kept as the user spelled it. */
export function policyWorkspaceInput() {
  return input(z.string().min(1, "must not be empty"), {
    doc:
      "The workspace the policy belongs to, by UUID or slug. Changing it replaces the policy; switching between the slug and the UUID " +
      "of the same workspace is not a change. Pass a Workspace's `id`.",
    outputDoc: "The workspace as given.",
    api: "workspace_id",
    replaces: true,
    fromApi: (value, _answer, carried) => carried.workspaceId ?? value ?? undefined,
    comparable: workspaceIdComparable,
  });
}

/** The optional `name` (at most 255 characters); removing it clears it. */
export function policyNameInput() {
  return input(z.string().max(255, "must be at most 255 characters").optional(), {
    doc: "The policy's name, at most 255 characters. Removing it clears it.",
    outputDoc: "The name as read back.",
    api: "name",
    // The document's update takes no null for name: an empty name clears it.
    clearAs: "",
  });
}

/** The `conditions` input: at least one; updated in place (Portkey backend 1.16.0 and later). */
export function policyConditionsInput() {
  return input(z.array(conditionSchema()).min(1, "needs at least one condition"), {
    doc:
      "Which requests the policy applies to: every condition must hold. At least one, e.g. `{ key: \"workspace_id\", value: ws.id }`. " +
      "Updated in place (Portkey backend 1.16.0 and later).",
    outputDoc: "The conditions as read back.",
    api: "conditions",
    sdkType: "PolicyConditionArgs[]",
    example: [{ key: "api_key", value: "*" }],
    toApi: (conditions) => conditions.map((c) => ({ key: c.key, value: c.value })),
    fromApi: (value) => (Array.isArray(value) && value.length > 0 ? (value as ApiPolicyKey[]).map((c) => ({ key: c.key, value: c.value })) : undefined),
  });
}

/** The `groupBy` input: keys as strings (the API's `[{key}]`); the API cannot change it, so a change replaces the policy. */
export function policyGroupByInput() {
  return input(
    z
      .array(policyKey())
      .min(1, "needs at least one key")
      .refine((keys) => new Set(keys).size === keys.length, { message: "must not list a key twice" }),
    {
      doc:
        "What the policy counts separately: one counter per distinct combination of these keys, e.g. `[\"api_key\"]` or `[\"metadata.user_id\"]`. " +
        "At least one. Changing it replaces the policy.",
      outputDoc: "The group-by keys as read back.",
      api: "group_by",
      replaces: true,
      example: ["api_key"],
      toApi: (keys) => keys.map((key) => ({ key })),
      fromApi: (value) => (Array.isArray(value) && value.length > 0 ? (value as ApiPolicyKey[]).map((g) => g.key) : undefined),
    },
  );
}

/** Outputs every policy has. */
export function policyOutputs() {
  return {
    policyId: output(z.string(), { stable: true, doc: "The policy's UUID (the same as `id`).", api: "id" }),
    status: output(z.string(), { doc: "`active` (a deleted policy is archived and no longer found).", api: "status" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID, whatever spelling `workspaceId` used.", api: "workspace_id" }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug." }),
    organisationId: output(z.string().optional(), { stable: true, doc: "The organisation's UUID.", api: "organisation_id" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When Portkey created the policy (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string().optional(), { doc: "When Portkey last changed the policy (RFC 3339).", api: "last_updated_at" }),
  };
}

/** The inputs every policy has, as `createPolicyRecovering` needs them. */
interface PolicyBasics {
  workspaceId: string;
  name?: string;
  type: string;
}

/**
 * POST a policy into its workspace (sent as UUID, whatever the spelling).
 * Policies have no unique name, so a create whose answer was lost adopts
 * only a policy with the same name, type, conditions and group-by, made
 * while it was in flight (see createWithRecovery).
 */
export async function createPolicyRecovering<I extends PolicyBasics>(
  client: ApiClient,
  ctx: ResourceContext<I, object>,
  kind: PolicyKind,
  inputs: I,
  label: string,
): Promise<{ id: string; workspace: { id: string; slug: string } }> {
  const workspace = await requireWorkspace(client, ctx, inputs.workspaceId);
  const body: Record<string, unknown> = { ...ctx.createBody(inputs), workspace_id: workspace.id };
  const same = (candidate: Record<string, unknown>) =>
    (candidate.name || undefined) === (inputs.name || undefined) &&
    candidate.type === inputs.type &&
    deepEqual(normalize(candidate.conditions), normalize(body.conditions)) &&
    deepEqual(normalize(candidate.group_by), normalize(body.group_by));
  const created = await createWithRecovery(ctx, {
    what: `Portkey ${label} '${inputs.name ?? "(unnamed)"}'`,
    naturalKey: `portkey:${kind}:${workspace.id}:${inputs.name ?? ""}:${JSON.stringify(body.conditions)}:${JSON.stringify(body.group_by)}`,
    post: () => createPolicy(client, kind, body),
    idOf: (made) => made.id,
    async findCandidates() {
      const { policies, serverTime } = await listPolicies(client, kind, workspace.id);
      const matching = policies.filter((p) => same(p as unknown as Record<string, unknown>));
      return { candidates: matching.map((p) => ({ id: p.id, createdAt: p.created_at })), serverTime };
    },
    recover: { adopt: async (candidate) => ({ id: candidate.id }) },
    cleanup: `delete it in the Portkey UI under Policies, or with DELETE /policies/${kind}/{id}`,
  });
  return { id: created.id, workspace };
}
