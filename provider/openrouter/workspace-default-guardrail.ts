/**
 * A workspace's default guardrail: the rules over all traffic of a workspace.
 * OpenRouter gives every workspace one (its id is the workspace's
 * `default_guardrail_id`) and materialises it on the first PATCH; it cannot be
 * created, renamed or deleted otherwise. So create and update both PATCH it, a
 * read finds it through its workspace (a 404 on the guardrail while the
 * workspace lists it means "not configured yet", not gone), and delete only
 * stops managing it: no API unsets it (the references document none), and
 * clearing its rules on destroy would be a write nobody declared.
 *
 * Its `name` is not an input: the OpenAPI document says renaming it is a 400
 * (the Terraform provider exposes `name` anyway; the document is followed).
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { declareResource, ListedObject, output, ShapeOf } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient, workspaceIdInput } from "./common";
import { getGuardrail, GuardrailJson, updateGuardrail } from "./api/guardrails";
import { getWorkspace, listWorkspaces } from "./api/workspaces";
import { guardrailPolicyInputs, guardrailPolicyOutputs, withBudgetPair } from "./guardrail-policy";

function defaultGuardrailInputs() {
  return {
    // No API name: it is the path (through the workspace), never a body field.
    workspaceId: workspaceIdInput({
      doc: "The workspace's UUID (pass a Workspace's `id`). Changing it manages another workspace's default guardrail. The import id.",
      outputDoc: "The workspace.",
    }),
    ...guardrailPolicyInputs(),
  };
}

function defaultGuardrailOutputs() {
  return {
    guardrailId: output(z.string(), { stable: true, doc: "The default guardrail's id (the workspace's `defaultGuardrailId`)." }),
    name: output(z.string().optional(), { doc: "The name OpenRouter gives it (it cannot be renamed).", api: "name" }),
    ...guardrailPolicyOutputs(),
  };
}

type Shape = ShapeOf<typeof defaultGuardrailInputs, typeof defaultGuardrailOutputs>;

export const openrouterWorkspaceDefaultGuardrail = declareResource({
  kind: "openrouter:WorkspaceDefaultGuardrail",
  enumerate: {
    prefix: "default-guardrail",
    identity: ["workspaceId"],
    references: { workspaceId: { kind: "openrouter:Workspace", output: "id" } },
    // Every workspace has one; only those someone configured (readable by id) are listed: an unconfigured one holds nothing to adopt.
    async list(ctx) {
      const client = openrouterClient(ctx);
      const configured: ListedObject[] = [];
      for (const w of await listWorkspaces(client)) {
        if (w.default_guardrail_id && (await getGuardrail(client, w.default_guardrail_id))) configured.push({ id: w.id, name: w.slug });
      }
      return configured;
    },
  },
  doc:
    "The default guardrail of an OpenRouter workspace: rules over all of the workspace's traffic, checked after the workspace " +
    "budgets and before any key or member guardrail. Every workspace has exactly one; creating this resource and updating it " +
    "both write it (`PATCH /guardrails/{defaultGuardrailId}`). **Deleting this resource only stops managing it**: OpenRouter " +
    "offers no way to delete or reset a default guardrail, so its rules stay in force until changed (or until the workspace " +
    "is deleted). To lift them, remove the fields from the program and run `pulumi up` before deleting the resource. " +
    "The resource id is the workspace's UUID (import by it).\n\n" +
    "```ts\n" +
    'new openrouter.WorkspaceDefaultGuardrail("research-rules", { workspaceId: research.id, allowedDataRegions: ["europe"], enforceZdrOther: true });\n' +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: defaultGuardrailInputs,
  outputs: defaultGuardrailOutputs,
  label: (values) => values.workspaceId && `default guardrail of workspace ${values.workspaceId}`,

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const guardrailId = await requireDefaultGuardrailId(client, inputs.workspaceId);
    // The first PATCH materialises it; only what is declared is written.
    const json = await updateGuardrail(client, guardrailId, withBudgetPair(ctx.createBody(inputs), inputs));
    const outputs = toOutputs(ctx, json, { ...inputs, guardrailId });
    // Rules set before (in the dashboard, or by another stack) are kept, not reset unasked: the next
    // preview shows them as changes to clear, unless the program declares them.
    const undeclared = Object.keys(guardrailPolicyInputs()).filter((name) => ctx.changed(name as keyof typeof inputs & string, outputs, inputs));
    if (undeclared.length > 0) {
      ctx.warn(
        `workspace ${inputs.workspaceId}'s default guardrail already had rules this program does not declare (${undeclared.join(", ")}); ` +
          "they were kept. The next update clears them unless you declare them.",
      );
    }
    return { id: inputs.workspaceId, outputs };
  },

  async read(id, outputs, ctx) {
    const client = openrouterClient(ctx);
    const workspace = await getWorkspace(client, id);
    // Gone with its workspace.
    if (!workspace?.default_guardrail_id) return undefined;
    const guardrailId = workspace.default_guardrail_id;
    // A 404 here while the workspace names it: in force but never configured (every rule unset).
    const json = (await getGuardrail(client, guardrailId)) ?? unconfigured(guardrailId);
    return toOutputs(ctx, json, { ...outputs, workspaceId: workspace.id, guardrailId });
  },

  async update(id, olds, news, ctx) {
    const client = openrouterClient(ctx);
    const body = withBudgetPair(ctx.updateBody(olds, news), news);
    const guardrailId = olds.guardrailId ?? (await requireDefaultGuardrailId(client, id));
    // An empty PATCH would also materialise it; nothing changed is only read.
    const json = Object.keys(body).length > 0 ? await updateGuardrail(client, guardrailId, body) : ((await getGuardrail(client, guardrailId)) ?? unconfigured(guardrailId));
    return toOutputs(ctx, json, { ...news, guardrailId });
  },

  async delete(_id, outputs, ctx) {
    ctx.warn(
      `OpenRouter cannot delete a workspace's default guardrail: the rules of workspace ${outputs.workspaceId}'s default guardrail stay in force; ` +
        "it is no longer managed by this stack.",
    );
  },
});

/** The workspace's default guardrail id; a clear error when the workspace does not exist. */
async function requireDefaultGuardrailId(client: ApiClient, workspaceId: string): Promise<string> {
  const workspace = await getWorkspace(client, workspaceId);
  if (!workspace) throw new Error(`workspaceId: workspace ${workspaceId} does not exist.`);
  if (!workspace.default_guardrail_id) throw new Error(`OpenRouter did not report a default guardrail for workspace ${workspaceId}.`);
  return workspace.default_guardrail_id;
}

/** A default guardrail never written: no rule set, nothing else known. */
function unconfigured(guardrailId: string): GuardrailJson {
  return { id: guardrailId } as GuardrailJson;
}

function toOutputs(ctx: Shape["context"], json: GuardrailJson, carried: Partial<Shape["outputs"]>): Shape["outputs"] {
  return ctx.outputsFrom(json, carried);
}
