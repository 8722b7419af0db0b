/**
 * Portkey Workspace: `/admin/workspaces`. Every field is updatable in place;
 * nothing replaces. The resource id is the workspace UUID.
 *
 * The icon and the guardrail and config defaults are the server's unless
 * declared (they are often set in the UI), and `defaults` is written back
 * whole, read just before, so keys the program does not manage survive
 * whether the API merges or replaces it.
 */
import { z } from "zod";
import { isApiFailure, isForbidden, isGone } from "../errors";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS } from "./common";
import { rateLimitsInput, usageLimitsInput } from "./limits";
import {
  ApiWorkspace,
  createWorkspace,
  deleteWorkspace,
  forgetWorkspace,
  getWorkspace,
  goneWithItsWorkspace,
  listWorkspacesByName,
  rememberWorkspace,
  updateWorkspace,
} from "./api/workspaces";
import { listApiKeys } from "./api/api-keys";
import { isDefaultWorkspace, listWorkspaces } from "./api/workspaces";
import { listProvidersWithServerTime } from "./api/providers";

/** A leading emoji (with its modifiers and joins) and the rest of the name. */
const LEADING_EMOJI = /^(\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic}|\p{Emoji_Modifier})*)\s+(\S.*)$/u;

function workspaceInputs() {
  return {
    name: input(z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"), {
      example: "platform-dev",
      doc: "Display name, 1–100 characters. A leading emoji (then a space) becomes the workspace's `icon`, as in the Portkey UI.",
      outputDoc: "The name, without the icon.",
      api: "name",
    }),
    icon: input(z.string().max(32, "must be one emoji").optional(), {
      doc: "The workspace's icon, an emoji. Not declared: whatever is set (e.g. in the UI) is left alone. Declared: managed; `\"\"` removes the icon.",
      outputDoc: "The icon, when one is set (declared or not).",
      api: "icon",
      serverOwnedUnlessDeclared: true,
      clearAs: "",
    }),
    description: input(z.string().max(500, "must be at most 500 characters").optional(), {
      doc: "Free text, at most 500 characters. Removing it clears the description.",
      outputDoc: "The description, when one is set.",
      api: "description",
      clearAs: "",
    }),
    metadata: input(z.record(z.string(), z.string()).optional(), {
      doc: "String metadata that API keys created in the workspace inherit (sent as `defaults.metadata`). Removing it clears it.",
      outputDoc: "The metadata as read back.",
      api: "defaults.metadata",
      clearAs: {},
    }),
    inputGuardrails: input(z.array(z.string().min(1)).optional(), {
      doc: "Guardrails (ids or slugs) applied by default to requests' input (`defaults.input_guardrails`). Not declared: whatever is set is left alone. Declared: managed; `[]` removes them.",
      outputDoc: "The default input guardrails, when set (declared or not).",
      api: "defaults.input_guardrails",
      serverOwnedUnlessDeclared: true,
      absentFromCreateAnswer: true,
    }),
    outputGuardrails: input(z.array(z.string().min(1)).optional(), {
      doc: "Guardrails applied by default to responses (`defaults.output_guardrails`); same rules as `inputGuardrails`.",
      outputDoc: "The default output guardrails, when set (declared or not).",
      api: "defaults.output_guardrails",
      serverOwnedUnlessDeclared: true,
      absentFromCreateAnswer: true,
    }),
    userApiKeyConfig: input(z.string().optional(), {
      doc: "The config (slug) that user API keys of the workspace use by default (`defaults.user_api_key_config`). Not declared: whatever is set is left alone. Declared: managed; `\"\"` removes it.",
      outputDoc: "The default config of user API keys, when set (declared or not).",
      api: "defaults.user_api_key_config",
      serverOwnedUnlessDeclared: true,
      absentFromCreateAnswer: true,
      toApi: (slug) => slug || null,
    }),
    // Portkey can answer the previous limits for a moment after a write.
    usageLimits: { ...usageLimitsInput("Budgets for the whole workspace. Removing them clears them."), lagsAfterWrite: true },
    rateLimits: { ...rateLimitsInput("Request or token rate limits for the whole workspace (units rpd, rph, rpm). Removing them clears them."), lagsAfterWrite: true },
    forceDelete: input(z.boolean().default(false), {
      doc: "Delete the workspace even when it still holds providers or API keys, deleting them with it. Default false: deletion then fails with a message listing what is left. Takes effect once stored by `pulumi up`.",
      outputDoc: "Whether deletion cascades to what the workspace holds.",
    }),
    adoptExisting: input(z.boolean().optional(), {
      doc: "When creating, take over the one existing workspace with exactly this `name` (bringing it to the declared state) instead of creating another. The alternative to `pulumi import`, which dynamic providers cannot do. Fails if several workspaces have the name. Default false.",
      notCompared: true,
    }),
  };
}

function workspaceOutputs() {
  return {
    workspaceId: output(z.string(), { stable: true, doc: "The workspace's UUID (the same as `id`).", api: "id" }),
    slug: output(z.string(), { stable: true, doc: "Portkey's slug for the workspace, e.g. `ws-dev-1a2b3c`; accepted wherever a workspace id is.", api: "slug" }),
    createdAt: output(z.string(), { stable: true, doc: "When Portkey created the workspace (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string(), { doc: "When Portkey last changed the workspace (RFC 3339).", api: "last_updated_at" }),
    isDefault: output(z.boolean().optional(), {
      doc: "True for the organisation's default workspace (only an imported or adopted one can be), which Pulumi never deletes.",
      api: "defaults.is_default",
      // Portkey answers 0/1.
      fromApi: (value) => (value === undefined || value === null ? undefined : value === true || value === 1),
    }),
  };
}

type Shape = ShapeOf<typeof workspaceInputs, typeof workspaceOutputs>;

export const workspace = declareResource({
  kind: "portkey:Workspace",
  enumerate: {
    prefix: "ws",
    identity: ["name"],
    async list(ctx) {
      return (await listWorkspaces(portkeyClient(ctx))).map((w) => ({
        id: w.id,
        name: w.name,
        skip: isDefaultWorkspace(w) ? "it is the organisation's default workspace, which Portkey keeps (it cannot be deleted, so a program cannot own it)" : undefined,
      }));
    },
  },
  doc:
    "A Portkey workspace (`/admin/workspaces`). The resource id is the workspace's UUID.\n\n" +
    "```ts\n" +
    'const dev = new portkey.Workspace("dev", { name: "Dev", usageLimits: [{ creditLimit: 100, periodicReset: "monthly" }] });\n' +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: workspaceInputs,
  outputs: workspaceOutputs,
  sentWhole: ["defaults"],
  sdkExtra: `
  /**
   * Looks up an existing workspace by UUID and reads its state; the program does
   * not manage it. (Adopting an existing workspace into management is not possible
   * with dynamic providers: see docs/usage.md, "Limits of dynamic providers".)
   */
  static get(name: string, id: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions): Workspace {
    return new Workspace(name, { name: "" }, { ...opts, id });
  }`,

  refine(workspace, issue) {
    if (workspace.icon && LEADING_EMOJI.test(workspace.name)) issue(["name"], "starts with an emoji while icon is set: put the emoji in icon only");
  },

  canonicalInputs(inputs) {
    // As in the Portkey UI, a leading emoji in the name is the workspace's icon.
    const match = inputs.icon === undefined ? LEADING_EMOJI.exec(inputs.name) : null;
    return match ? { ...inputs, icon: match[1], name: match[2] } : inputs;
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    if (inputs.adoptExisting) {
      const adopted = await adopt(client, inputs, ctx);
      if (adopted) return adopted;
    }
    const body = ctx.createBody(inputs);
    const created = await createWithRecovery(ctx, {
      what: `Portkey workspace '${inputs.name}'`,
      naturalKey: `portkey:Workspace:${inputs.name}`,
      post: () => createWorkspace(client, body),
      idOf: (workspace) => workspace.id,
      async findCandidates() {
        const { workspaces, serverTime } = await listWorkspacesByName(client, inputs.name);
        return { candidates: workspaces.map((w) => ({ id: w.id, createdAt: w.created_at })), serverTime };
      },
      recover: {
        async adopt(candidate) {
          const workspace = await getWorkspace(client, candidate.id);
          if (!workspace) throw new Error(`workspace ${candidate.id} disappeared while it was being recovered`);
          return workspace;
        },
      },
      cleanup: "delete it in the Portkey UI, or with DELETE /admin/workspaces/{id} and its name",
    });
    ctx.created(created.id, { workspaceId: created.id, slug: created.slug, name: inputs.name, forceDelete: inputs.forceDelete ?? false });
    rememberWorkspace(ctx, created);
    return { id: created.id, outputs: ctx.outputsFromCreate(created, inputs) };
  },

  async read(id, outputs, ctx) {
    const workspace = await getWorkspace(portkeyClient(ctx), id);
    if (!workspace) {
      forgetWorkspace(ctx, id);
      return undefined;
    }
    rememberWorkspace(ctx, workspace);
    return ctx.outputsFrom(workspace, outputs);
  },

  async update(id, olds, news, ctx) {
    return writeChanges(portkeyClient(ctx), ctx, id, ctx.updateBody(olds, news), news);
  },

  async delete(id, outputs, ctx) {
    if (outputs.isDefault) {
      throw new Error(
        `'${outputs.name}' (${id}) is the organisation's default workspace, which Pulumi never deletes. ` +
          "To stop managing it, remove it from the stack's state with `pulumi state delete` instead.",
      );
    }
    const client = portkeyClient(ctx);
    forgetWorkspace(ctx, id);
    // The API wants the exact current name: the stored one first (no read), the current one if it was renamed outside Pulumi.
    let name = outputs.name;
    for (let attempt = 1; ; attempt++) {
      try {
        await deleteWorkspace(client, id, name, outputs.forceDelete === true);
        return;
      } catch (error) {
        if (isGone(error)) return;
        // Deleted meanwhile, or a key without the scope.
        if (isForbidden(error)) return goneWithItsWorkspace(client, error, id, `The workspace '${name}' (${id})`, ["workspaces.delete"]);
        if (isApiFailure(error, "conflict") && error.code === "AB07") throw new Error(await stillInUseMessage(client, id, name));
        if (attempt > 1 || !isApiFailure(error, "validation")) throw error;
        const current = await getWorkspace(client, id);
        if (!current) return;
        if (current.name === name) throw error;
        name = current.name;
      }
    }
  },
});

/** The provider the engine runs (kept under its earlier name). */
export const workspaceProvider = workspace.provider;
export const workspaceInputSchema = workspace.inputSchema;

/**
 * Sends what changed, then reads the workspace back. `defaults` goes out
 * whole: the server's current one (read now, so a change made in the UI since
 * the last refresh is not lost) with the declared fields over it.
 */
async function writeChanges(client: ApiClient, ctx: Shape["context"], id: string, body: Record<string, unknown>, news: Shape["inputs"]): Promise<Shape["outputs"]> {
  if (body.defaults) {
    const { is_default: _readOnly, ...kept } = (await getWorkspace(client, id))?.defaults ?? {};
    body.defaults = { ...kept, ...(body.defaults as object) };
  }
  if (Object.keys(body).length > 0) await updateWorkspace(client, id, body);
  return readConsistent(client, ctx, id, news);
}

/**
 * Takes over the one existing workspace with exactly this name, bringing it
 * to the declared state, instead of creating a second one. (Dynamic providers
 * cannot `pulumi import`; this is the alternative.)
 */
async function adopt(client: ApiClient, inputs: Shape["inputs"], ctx: Shape["context"]): Promise<{ id: string; outputs: Shape["outputs"] } | undefined> {
  const { workspaces: existing } = await listWorkspacesByName(client, inputs.name);
  if (existing.length === 0) return undefined;
  if (existing.length > 1) {
    throw new Error(`adoptExisting: ${existing.length} workspaces are named '${inputs.name}' (${existing.map((w) => w.id).join(", ")}); rename all but one first.`);
  }
  const found = existing[0];
  ctx.warn(`adopting existing workspace '${inputs.name}' (${found.id}) and bringing it to the declared state.`);
  ctx.created(found.id, { workspaceId: found.id, slug: found.slug, name: inputs.name, forceDelete: inputs.forceDelete ?? false });
  // The limits as listed may be from before someone's last write (they lag): the body sends the declared ones regardless.
  const body = ctx.adoptionBody(ctx.outputsFrom(found, {}), inputs);
  return { id: found.id, outputs: { ...(await writeChanges(client, ctx, found.id, body, inputs)), adoptExisting: true } };
}

/** The workspace as read back after a write (see ctx.readBack: limits can lag). */
function readConsistent(client: ApiClient, ctx: Shape["context"], id: string, written: Shape["inputs"]): Promise<Shape["outputs"]> {
  return ctx.readBack(
    async () => {
      const workspace: ApiWorkspace | undefined = await getWorkspace(client, id);
      if (workspace) rememberWorkspace(ctx, workspace);
      return workspace && ctx.outputsFrom(workspace, written);
    },
    written,
    () => new Error(`workspace ${id} disappeared right after it was written`),
  );
}

/** Explains a 409 on delete: what still lives in the workspace, and how to remove it or delete the workspace anyway. */
async function stillInUseMessage(client: ApiClient, id: string, name: string): Promise<string> {
  const listed = (items: string[]) => `${items.slice(0, 10).join(", ")}${items.length > 10 ? ", ..." : ""}`;
  let held = "";
  try {
    const providers = (await listProvidersWithServerTime(client, id)).providers.map((p) => `${p.slug} (integration ${p.integration_id ?? "?"})`);
    if (providers.length > 0) held += ` It still holds ${providers.length} provider(s): ${listed(providers)}.`;
  } catch {
    // The explanation is best effort; the advice below stands without it.
  }
  try {
    const keys = (await listApiKeys(client, id)).map((k) => k.name ?? "(unnamed)");
    if (keys.length > 0) held += ` It still holds ${keys.length} API key(s): ${listed(keys)}.`;
  } catch {
    // As above.
  }
  return (
    `Portkey refused to delete workspace '${name}' (${id}) because it still contains resources (409 AB07): ` +
    `providers/virtual keys or API keys that this stack does not manage, or that an access grant left because it could not prove them unused.${held} ` +
    "Delete them first (in the Portkey UI, or DELETE /providers/{slug}?workspace_id= and DELETE /api-keys/{id}), or import them into the stack; " +
    "or set `forceDelete: true` on this Workspace (and run `pulumi up` so the setting is stored) to delete them together with it."
  );
}
