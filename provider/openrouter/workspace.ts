/**
 * OpenRouter workspace: `/workspaces`. Every field, name and slug included,
 * updates in place; the resource id is the UUID (the slug can change). A
 * create sends only what is declared and an update only what changed, so
 * OpenRouter's own defaults are never written as if the user had chosen them.
 */
import { z } from "zod";
import { ApiError, isApiFailure, isForbidden, isGone } from "../errors";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient } from "./common";
import { createWorkspace, deleteWorkspace, findWorkspaceBySlug, getWorkspace, listWorkspaces, updateWorkspace } from "./api/workspaces";
import { listKeys } from "./api/keys";

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function workspaceInputs() {
  return {
    name: input(z.string().min(1, "must not be empty").max(100, "must be at most 100 characters"), {
      example: "Platform",
      doc: "1–100 characters.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    slug: input(
      z
        .string()
        .min(1, "must not be empty")
        .max(50, "must be at most 50 characters")
        .regex(SLUG_PATTERN, "must be lowercase letters and digits in segments joined by single hyphens (e.g. team-eu-1)"),
      {
        example: "platform",
        doc: "1–50 characters: lowercase letters and digits in segments joined by single hyphens (`team-eu-1`). Unique in the account: a replacement that keeps it deletes the old workspace first.",
        outputDoc: "The slug as read back.",
        api: "slug",
        unique: true,
      },
    ),
    description: input(z.string().max(500, "must be at most 500 characters").optional(), {
      doc: "At most 500 characters.",
      outputDoc: "The description as read back.",
      api: "description",
    }),
    defaultTextModel: input(z.string().min(1).optional(), {
      doc: "Default text model, e.g. `openai/gpt-4o`.",
      outputDoc: "The default text model as read back.",
      api: "default_text_model",
    }),
    defaultImageModel: input(z.string().min(1).optional(), {
      doc: "Default image model, e.g. `openai/dall-e-3`.",
      outputDoc: "The default image model as read back.",
      api: "default_image_model",
    }),
    defaultProviderSort: input(z.enum(["price", "throughput", "latency", "exacto"]).optional(), {
      doc: "How providers are ranked by default: `price`, `throughput`, `latency` or `exacto`.",
      outputDoc: "The provider sort as read back.",
      api: "default_provider_sort",
    }),
    ioLoggingApiKeyIds: input(z.array(z.number().int()).optional(), {
      doc: "Numeric ids of the API keys whose requests are logged; unset logs every key, `[]` logs none.",
      outputDoc: "The logged key ids as read back.",
      api: "io_logging_api_key_ids",
      // [] logs no key, unset logs every key: not the same.
      keepEmpty: true,
    }),
    ioLoggingSamplingRate: input(z.number().min(0.0001, "must be at least 0.0001").max(1, "must be at most 1").optional(), {
      doc: "Share of requests logged, 0.0001–1 (OpenRouter's default 1: all).",
      outputDoc: "The sampling rate as read back.",
      api: "io_logging_sampling_rate",
      serverDefault: 1,
    }),
    isDataDiscountLoggingEnabled: input(z.boolean().optional(), {
      doc: "Data-discount logging (default false).",
      outputDoc: "As read back.",
      api: "is_data_discount_logging_enabled",
      serverDefault: false,
    }),
    isObservabilityBroadcastEnabled: input(z.boolean().optional(), {
      doc: "Broadcast to observability destinations (default false).",
      outputDoc: "As read back.",
      api: "is_observability_broadcast_enabled",
      serverDefault: false,
    }),
    isObservabilityIoLoggingEnabled: input(z.boolean().optional(), {
      doc: "Private input/output logging (default false).",
      outputDoc: "As read back.",
      api: "is_observability_io_logging_enabled",
      serverDefault: false,
    }),
    disabledServerTools: input(z.array(z.string().min(1)).optional(), {
      doc: "Server tools that requests in the workspace may not call (e.g. `web_search`); unset or `[]` disables none.",
      outputDoc: "As read back.",
      api: "disabled_server_tools",
    }),
    // No API name: only the delete reads it (to confirm deleting the default workspace).
    allowDefaultWorkspaceDeletion: input(z.boolean().optional(), {
      doc:
        "Allow deleting this workspace if it is the account's default one. Deleting the default workspace " +
        "also disables the account's unscoped inference keys. Default false.",
      serverDefault: false,
    }),
  };
}

function workspaceOutputs() {
  return {
    workspaceId: output(z.string(), { stable: true, doc: "The workspace's UUID (the same as `id`).", api: "id" }),
    defaultGuardrailId: output(z.string(), { doc: "The workspace's default guardrail (derived from its id by OpenRouter).", api: "default_guardrail_id" }),
    includeByokInBudgets: output(z.boolean().optional(), {
      doc: "Whether BYOK spend counts toward the workspace budgets (set through the budgets endpoint).",
      api: "include_byok_in_budgets",
    }),
    createdBy: output(z.string().optional(), { doc: "The user who created the workspace, when OpenRouter reports one.", api: "created_by" }),
    createdAt: output(z.string(), { stable: true, doc: "Creation time.", api: "created_at" }),
    updatedAt: output(z.string().optional(), { doc: "Last change, once there was one.", api: "updated_at" }),
  };
}

export const openrouterWorkspace = declareResource({
  kind: "openrouter:Workspace",
  enumerate: {
    prefix: "or-ws",
    identity: ["slug"],
    // The account's default workspace is an ordinary workspace to the API (deleting it needs `allowDefaultWorkspaceDeletion`): imported.
    async list(ctx) {
      return (await listWorkspaces(openrouterClient(ctx))).map((w) => ({ id: w.id, name: w.slug }));
    },
  },
  doc:
    "An OpenRouter workspace (`/workspaces`). The resource id is its UUID, so the slug can be renamed in place. " +
    "Deletion fails while the workspace still holds API keys.\n\n" +
    "```ts\n" +
    'const research = new openrouter.Workspace("research", { name: "Research", slug: "research", defaultProviderSort: "price" });\n' +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: workspaceInputs,
  outputs: workspaceOutputs,

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    const taken = await getWorkspace(client, inputs.slug);
    if (taken) throw new Error(`slug: '${inputs.slug}' is already used by workspace ${taken.id} ('${taken.name}').`);
    // Only what is declared: OpenRouter's defaults stay its own.
    const body = ctx.createBody(inputs);
    const created = await createWithRecovery(ctx, {
      what: `OpenRouter workspace '${inputs.slug}'`,
      naturalKey: `openrouter:Workspace:${inputs.slug}`,
      post: () => createWorkspace(client, body),
      idOf: (workspace) => workspace.id,
      async findCandidates() {
        // The slug is unique: at most one workspace carries it.
        const { workspace, serverTime } = await findWorkspaceBySlug(client, inputs.slug);
        return { candidates: workspace ? [{ id: workspace.id, createdAt: workspace.created_at }] : [], serverTime };
      },
      recover: {
        async adopt(candidate) {
          const workspace = await getWorkspace(client, candidate.id);
          if (!workspace) throw new Error(`workspace ${candidate.id} disappeared while it was being recovered`);
          return workspace;
        },
      },
      cleanup: "delete it in the OpenRouter dashboard, or with DELETE /workspaces/{id}",
    });
    ctx.created(created.id, { workspaceId: created.id, ...inputs });
    return { id: created.id, outputs: ctx.outputsFrom(created, inputs) };
  },

  async read(id, outputs, ctx) {
    const workspace = await getWorkspace(openrouterClient(ctx), id);
    return workspace && ctx.outputsFrom(workspace, outputs);
  },

  async update(id, olds, news, ctx) {
    // Only what changed; a removed field goes back to OpenRouter's default.
    const body = ctx.updateBody(olds, news);
    const client = openrouterClient(ctx);
    const workspace = Object.keys(body).length > 0 ? await updateWorkspace(client, id, body) : await getWorkspace(client, id);
    if (!workspace) throw new Error(`workspace ${id} does not exist (or was deleted); run \`pulumi refresh\`.`);
    return ctx.outputsFrom(workspace, news);
  },

  async delete(id, outputs, ctx) {
    const client = openrouterClient(ctx);
    try {
      await deleteWorkspace(client, id, outputs.allowDefaultWorkspaceDeletion === true);
    } catch (error) {
      if (isGone(error)) return;
      if (isApiFailure(error, "validation")) throw new Error(await keysRemainMessage(client, id, outputs.slug, error));
      if (isForbidden(error) && !outputs.allowDefaultWorkspaceDeletion) {
        throw new Error(
          `OpenRouter refused to delete workspace '${outputs.slug}' (403: ${error.apiMessage}). If it is the account's default workspace, ` +
            "set `allowDefaultWorkspaceDeletion: true` (and run `pulumi up` so it is stored): deleting it also disables the account's unscoped inference keys.",
        );
      }
      throw error;
    }
  },
});

/** The provider the engine runs and the schema `check` uses (kept under their earlier names). */
export const openrouterWorkspaceProvider = openrouterWorkspace.provider;
export const openrouterWorkspaceInputSchema = openrouterWorkspace.inputSchema;

/** Explains a 400 on delete: the keys still in the workspace and what to do. */
async function keysRemainMessage(client: ApiClient, id: string, slug: string, error: ApiError): Promise<string> {
  let keys = "";
  try {
    const names = (await listKeys(client, id)).map((k) => k.name ?? "(unnamed)");
    if (names.length > 0) keys = ` Keys still in it: ${names.slice(0, 10).join(", ")}${names.length > 10 ? ", ..." : ""}.`;
  } catch {
    // Best effort: the advice stands without the list.
  }
  return `OpenRouter refused to delete workspace '${slug}' (400: ${error.apiMessage}).${keys} Delete its API keys first (or remove them from the program in the same update).`;
}
