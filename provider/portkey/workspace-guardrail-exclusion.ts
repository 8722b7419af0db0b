/**
 * One workspace excluded from one direction of the organisation's default
 * guardrails: a row of `/workspace-exclusions/{input,output}-guardrails`
 * (reference prompts-mcp-scim §9.2, API only). The PUT merges the rows it
 * names; `override_existing` is never sent, so other workspaces' exclusions
 * are never touched. Deleting the resource includes the workspace again.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { declareResource, input, output } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { getWorkspace, requireWorkspace, resolveWorkspace } from "./api/workspaces";
import { GuardrailDirection, listGuardrailExclusions, putGuardrailExclusion } from "./api/organisation-defaults";

function exclusionInputs() {
  return {
    workspaceId: workspaceIdInput({
      doc:
        "The workspace, by UUID or slug. Changing it replaces the exclusion; switching between the slug and the UUID of the same workspace is not a change. " +
        "Pass a Workspace's `id`.",
      sent: false,
    }),
    direction: input(z.enum(["input", "output"]), {
      doc: "Which defaults the workspace skips: `input` (the organisation's input guardrails) or `output`. Changing it replaces the exclusion.",
      outputDoc: "Which defaults the workspace skips.",
      replaces: true,
    }),
  };
}

function exclusionOutputs() {
  return {
    resolvedWorkspaceId: output(z.string(), { stable: true, doc: "The workspace's UUID." }),
    workspaceSlug: output(z.string(), { stable: true, doc: "The workspace's slug." }),
  };
}

export const workspaceGuardrailExclusion = declareResource({
  kind: "portkey:WorkspaceGuardrailExclusion",
  enumerate: {
    prefix: "guardrail-exclusion",
    identity: ["direction", "workspaceId"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx) {
      const client = portkeyClient(ctx);
      const directions: GuardrailDirection[] = ["input", "output"];
      return (await Promise.all(directions.map(async (d) => (await listGuardrailExclusions(client, d)).map((w) => ({ id: `${d}/${w}` }))))).flat();
    },
  },
  doc:
    "A workspace excluded from the organisation's default input or output guardrails (`/workspace-exclusions/{input,output}-guardrails`). " +
    "The id is `<direction>/<workspace UUID>`. Only this workspace's row is written; deleting the resource includes the workspace again.\n\n" +
    "```ts\n" +
    'new portkey.WorkspaceGuardrailExclusion("sandbox-input", { workspaceId: sandbox.id, direction: "input" });\n' +
    "```",
  label: (values) => (values.workspaceId && values.direction ? `${values.workspaceId} skips ${values.direction} defaults` : undefined),
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: exclusionInputs,
  outputs: exclusionOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = await requireWorkspace(client, ctx, inputs.workspaceId);
    await putGuardrailExclusion(client, inputs.direction, workspace.id, true);
    return { id: `${inputs.direction}/${workspace.id}`, outputs: { ...inputs, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug } };
  },

  async read(id, stored, ctx) {
    const client = portkeyClient(ctx);
    let outputs = stored;
    if (!stored.direction) {
      // Imported by id alone: `<direction>/<workspace UUID or slug>`.
      const [direction, workspaceId] = [id.slice(0, id.indexOf("/")), id.slice(id.indexOf("/") + 1)];
      if (direction !== "input" && direction !== "output") throw new Error(`'${id}' is not an exclusion id: use input/<workspaceId> or output/<workspaceId>.`);
      const workspace = await resolveWorkspace(client, ctx, workspaceId);
      if (!workspace) return undefined;
      outputs = { direction, workspaceId, resolvedWorkspaceId: workspace.id, workspaceSlug: workspace.slug };
    }
    const excluded = await listGuardrailExclusions(client, outputs.direction);
    return excluded.includes(outputs.resolvedWorkspaceId) ? { ...outputs } : undefined;
  },

  async delete(_id, outputs, ctx) {
    const client = portkeyClient(ctx);
    // A deleted workspace is excluded from nothing.
    if (!(await getWorkspace(client, outputs.resolvedWorkspaceId))) return;
    await putGuardrailExclusion(client, outputs.direction, outputs.resolvedWorkspaceId, false);
  },
});
