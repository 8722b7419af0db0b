/**
 * OpenRouter guardrail: `/guardrails`. A set of rules (budget, models,
 * providers, data retention, content filters) in a workspace; it enforces
 * nothing until assigned to keys or members. The workspace is fixed at
 * creation (it replaces the guardrail); everything else updates in place.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient, workspaceIdInput } from "./common";
import { createGuardrail, deleteGuardrail, getGuardrail, listGuardrailsWithServerTime, updateGuardrail } from "./api/guardrails";
import { guardrailPolicyInputs, guardrailPolicyOutputs, withBudgetPair } from "./guardrail-policy";
import { listWorkspaces } from "./api/workspaces";
import { listPerParent } from "../enumeration";

function guardrailInputs() {
  return {
    name: input(z.string().min(1, "must not be empty").max(200, "must be at most 200 characters"), {
      doc: "1–200 characters.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    workspaceId: workspaceIdInput({
      doc:
        "The workspace's UUID; the account's default workspace when unset. Changing it replaces the guardrail. " +
        "Placing a guardrail in a workspace does not enforce it there: assign it to keys or members.",
      optional: true,
      sent: true,
    }),
    ...guardrailPolicyInputs(),
  };
}

function guardrailOutputs() {
  return {
    guardrailId: output(z.string(), { stable: true, doc: "The guardrail's UUID (the same as `id`).", api: "id" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true,
      doc: "The workspace the guardrail is in (the default one when `workspaceId` was unset).",
      api: "workspace_id",
    }),
    ...guardrailPolicyOutputs(),
  };
}

export const openrouterGuardrail = declareResource({
  kind: "openrouter:Guardrail",
  enumerate: {
    prefix: "or-guardrail",
    identity: ["workspaceId", "name"],
    shownAs: { workspaceId: "resolvedWorkspaceId" },
    references: { workspaceId: { kind: "openrouter:Workspace", output: "id" } },
    async list(ctx, listed) {
      const client = openrouterClient(ctx);
      // A workspace's default guardrail is WorkspaceDefaultGuardrail's, not one of these.
      const defaults = new Set((await listWorkspaces(client)).map((w) => w.default_guardrail_id));
      return listPerParent(listed("openrouter:Workspace"), async (w) =>
        (await listGuardrailsWithServerTime(client, w.id)).guardrails.filter((g) => !defaults.has(g.id)).map((g) => ({ id: g.id, name: g.name })),
      );
    },
  },
  doc:
    "An OpenRouter guardrail (`/guardrails`): a budget, model and provider allow/deny lists, zero-data-retention and " +
    "training rules, content filters and data regions. It enforces nothing until it is assigned (`GuardrailKeyAssignment`, " +
    "`GuardrailMemberAssignment`); for rules over a whole workspace use `WorkspaceDefaultGuardrail`. The resource id is its UUID.\n\n" +
    "```ts\n" +
    'const strict = new openrouter.Guardrail("strict", {\n' +
    '  name: "strict", workspaceId: research.id, limitUsd: 50, resetInterval: "monthly",\n' +
    '  allowedProviders: ["anthropic", "openai"], enforceZdrOpenai: true,\n' +
    '  contentFilterBuiltins: [{ slug: "email", action: "redact" }],\n' +
    "});\n" +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: guardrailInputs,
  outputs: guardrailOutputs,

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const body = withBudgetPair(ctx.createBody(inputs), inputs);
    const created = await createWithRecovery(ctx, {
      what: `OpenRouter guardrail '${inputs.name}'`,
      naturalKey: `openrouter:Guardrail:${inputs.workspaceId ?? "default"}:${inputs.name}`,
      post: () => createGuardrail(client, body),
      idOf: (guardrail) => guardrail.id,
      async findCandidates() {
        const { guardrails, serverTime } = await listGuardrailsWithServerTime(client, inputs.workspaceId);
        return { candidates: guardrails.filter((g) => g.name === inputs.name).map((g) => ({ id: g.id, createdAt: g.created_at })), serverTime };
      },
      recover: {
        async adopt(candidate) {
          const guardrail = await getGuardrail(client, candidate.id);
          if (!guardrail) throw new Error(`guardrail ${candidate.id} disappeared while it was being recovered`);
          return guardrail;
        },
      },
      cleanup: "delete it in the OpenRouter dashboard under Guardrails, or with DELETE /guardrails/{id}",
    });
    ctx.created(created.id, { ...inputs, guardrailId: created.id });
    return { id: created.id, outputs: ctx.outputsFrom(created, inputs) };
  },

  async read(id, outputs, ctx) {
    const json = await getGuardrail(openrouterClient(ctx), id);
    if (!json) return undefined;
    // Read by its id alone (import): the workspace is what a program declares for it.
    const imported = outputs.guardrailId === undefined;
    return ctx.outputsFrom(json, imported ? { ...outputs, workspaceId: json.workspace_id ?? undefined } : outputs);
  },

  async update(id, olds, news, ctx) {
    // Only what changed; a removed field is cleared.
    const body = withBudgetPair(ctx.updateBody(olds, news), news);
    const client = openrouterClient(ctx);
    const json = Object.keys(body).length > 0 ? await updateGuardrail(client, id, body) : await getGuardrail(client, id);
    if (!json) throw new Error(`guardrail ${id} does not exist (or was deleted); run \`pulumi refresh\`.`);
    return ctx.outputsFrom(json, news);
  },

  async delete(id, _outputs, ctx) {
    await deleteGuardrail(openrouterClient(ctx), id);
  },
});
