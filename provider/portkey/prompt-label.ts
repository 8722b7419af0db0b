/**
 * Portkey prompt label: `/labels`, a name such as `canary` that prompt
 * versions are tagged with, so callers can ask for `prompt@canary`. A label
 * belongs to one workspace or, without `workspaceId`, to the organisation.
 * The API addresses labels by UUID only: that is the resource id. `name`,
 * `description` and `colorCode` change in place; the workspace replaces it.
 *
 * The built-in `production`, `staging` and `development` labels exist in every
 * organisation and cannot be changed or deleted: they are not imported.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { requireWorkspace } from "./api/workspaces";
import { createLabel, deleteLabel, getLabel, isBuiltInLabel, listLabels, updateLabel } from "./api/prompts";

/**
 * The document's name pattern: not `latest`, `default` or all digits (which
 * `@latest` and `@N` already mean), letters, digits, `_` and `-` plus at most
 * one other character, never `@` or a blank.
 */
function labelNameProblem(name: string): string | undefined {
  if (name === "latest" || name === "default") return "must not be `latest` or `default` (callers' `@latest` and the published version)";
  if (/^\d+$/.test(name)) return "must not be a number (callers' `@N` names version N)";
  const others = name.replace(/[A-Za-z0-9_-]/g, "");
  if (/[@\s]/.test(others)) return "must not hold `@` or blanks";
  if (others.length > 1) return "may hold letters, digits, `_` and `-` and at most one other character";
  return undefined;
}

function labelInputs() {
  return {
    name: input(
      z
        .string()
        .min(1, "must not be empty")
        .max(100, "must be at most 100 characters")
        .superRefine((name, ctx) => {
          const problem = labelNameProblem(name);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        }),
      {
        doc:
          "The label's name, what callers append to a prompt id (`pp-support@canary`). Not `latest`, `default` or a number; letters, digits, " +
          "`_` and `-` and at most one other character (never `@` or a blank).",
        outputDoc: "The name as read back.",
        api: "name",
      },
    ),
    workspaceId: workspaceIdInput({
      doc:
        "The workspace the label belongs to, by UUID or slug (pass a Workspace's `id`); unset: the organisation's label, usable in every " +
        "workspace. Changing it replaces the label; switching between the slug and the UUID of the same workspace is not a change.",
      optional: true,
    }),
    description: input(z.string().max(1000, "must be at most 1000 characters").optional(), {
      doc: "What the label is for. Removing it clears it.",
      outputDoc: "The description as read back.",
      api: "description",
      // The document types it as a string, never null: an empty one clears it.
      clearAs: "",
    }),
    colorCode: input(z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour such as `#1f6feb`").optional(), {
      doc: "The colour the Portkey UI shows the label in, e.g. `#1f6feb`. Removing it clears it.",
      outputDoc: "The colour as read back.",
      api: "color_code",
      clearAs: "",
    }),
  };
}

function labelOutputs() {
  return {
    organisationId: output(z.string().optional(), { stable: true, doc: "The organisation's UUID.", api: "organisation_id" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID, whatever spelling `workspaceId` used (a workspace's label).", api: "workspace_id" }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug (a workspace's label)." }),
    status: output(z.string().optional(), { doc: "`active` or `archived`.", api: "status" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When Portkey created the label (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string().optional(), { doc: "When Portkey last changed the label (RFC 3339).", api: "last_updated_at" }),
  };
}

type Shape = ShapeOf<typeof labelInputs, typeof labelOutputs>;

export const promptLabel = declareResource({
  kind: "portkey:PromptLabel",
  enumerate: {
    prefix: "label",
    identity: ["workspaceId", "name"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx) {
      // Without a workspace: the organisation's labels and every workspace's.
      return (await listLabels(portkeyClient(ctx))).labels.map((l) => ({
        id: l.id,
        name: l.name,
        ...(isBuiltInLabel(l) ? { skip: "it is one of Portkey's built-in labels, which every organisation has and nobody can change" } : {}),
      }));
    },
  },
  doc:
    "A Portkey prompt label (`/labels`): a name prompt versions are tagged with, so callers can ask for `<prompt>@<label>`. " +
    "A workspace's label, or the organisation's without `workspaceId`. The resource id is the label's UUID.\n\n" +
    "```ts\n" +
    'const canary = new portkey.PromptLabel("canary", { workspaceId: dev.id, name: "canary", colorCode: "#1f6feb" });\n' +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: labelInputs,
  outputs: labelOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = inputs.workspaceId === undefined ? undefined : await requireWorkspace(client, ctx, inputs.workspaceId);
    const body = { ...ctx.createBody(inputs), ...(workspace ? { workspace_id: workspace.id } : {}) };
    const created = await createWithRecovery(ctx, {
      what: `Portkey prompt label '${inputs.name}'`,
      naturalKey: `portkey:PromptLabel:${workspace?.id ?? "organisation"}:${inputs.name}`,
      post: () => createLabel(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { labels, serverTime } = await listLabels(client, workspace?.id);
        const named = labels.filter((l) => l.name === inputs.name && (l.workspace_id ?? undefined) === workspace?.id && !isBuiltInLabel(l));
        return { candidates: named.map((l) => ({ id: l.id, createdAt: l.created_at })), serverTime };
      },
      recover: { adopt: async (candidate) => ({ id: candidate.id }) },
      cleanup: "delete it in the Portkey UI under Prompts → Labels, or with DELETE /labels/{id}",
    });
    const known = { ...inputs, resolvedWorkspaceId: workspace?.id, workspaceSlug: workspace?.slug };
    ctx.created(created.id, known);
    return { id: created.id, outputs: await readBack(client, ctx, created.id, known) };
  },

  // The default read, update and delete.
  endpoints: {
    get: (ctx, id) => getLabel(portkeyClient(ctx), id),
    update: (ctx, id, body) => updateLabel(portkeyClient(ctx), id, body),
    delete: (ctx, id) => deleteLabel(portkeyClient(ctx), id),
  },
});

/** The label as read back after a write; `carried` holds the inputs written. */
async function readBack(client: ApiClient, ctx: Shape["context"], id: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const json = await getLabel(client, id);
  if (!json) throw new Error(`prompt label ${id} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}
