/**
 * Portkey guardrail: `/guardrails`, checks run on requests or responses and
 * the actions taken on their outcome, for one workspace or for the whole
 * organisation. The resource id is the guardrail's server-set slug (what
 * configs and workspace defaults name it by). The update takes only `name`,
 * `checks` and `actions`, so the scope (`workspaceId` or `organisationId`)
 * replaces the guardrail when it changes; every update makes a new version.
 *
 * `checks` and `actions` are structured JSON in the API's own field names,
 * compared by meaning: key order means nothing, and a check's
 * `is_enabled: true` is the same as leaving it out (the API omits it then).
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { normalize, sortedKeys } from "../framework";
import { ApiClient } from "../http";
import { createWithRecovery } from "../recovery";
import { AddIssue, declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS, workspaceIdInput } from "./common";
import { requireWorkspace } from "./api/workspaces";
import { ApiGuardrail, createGuardrail, deleteGuardrail, getGuardrail, GuardrailScope, listGuardrails, updateGuardrail } from "./api/guardrails";

/** `<vendor>.<check>`, the shape of every check id the document lists (e.g. `default.regexMatch`, `panw-prisma-airs.intercept`). */
const CHECK_ID = /^[a-z0-9-]+\.[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Json = Record<string, unknown>;

function guardrailInputs() {
  return {
    name: input(z.string().trim().min(1, "must not be empty"), {
      doc: "The guardrail's display name.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    workspaceId: workspaceIdInput({
      doc:
        "The workspace the guardrail belongs to, by UUID or slug; set this or `organisationId`. Changing it replaces the guardrail; " +
        "switching between the slug and the UUID of the same workspace is not a change. Pass a Workspace's `id`.",
      optional: true,
      example: "dev",
    }),
    organisationId: input(z.string().regex(UUID, "must be the organisation's UUID").optional(), {
      doc: "For an organisation's guardrail (not one workspace's): the organisation's UUID; set this or `workspaceId`. Changing it replaces the guardrail.",
      outputDoc: "The organisation, for an organisation's guardrail.",
      api: "organisation_id",
      replaces: true,
      // The API names the organisation of every guardrail; it is this input only for the organisation's own.
      fromApi: (value, answer, carried) => carried.organisationId ?? (answer.workspace_id ? undefined : (value ?? undefined)),
    }),
    checks: input(z.array(z.record(z.string(), z.json())).min(1, "must hold at least one check"), {
      doc:
        "The checks, in the API's form: each `{ id, parameters?, name?, is_enabled? }`, `id` a check id such as `default.regexMatch`, " +
        "`default.wordCount`, `portkey.pii` (`<vendor>.<check>`; Portkey keeps adding them). Compared by meaning: key order and " +
        "`is_enabled: true` (Portkey's default) are no change. Kept as a secret: parameters can hold credentials (e.g. a webhook's headers).",
      outputDoc: "The checks as read back (a secret).",
      api: "checks",
      secret: true,
      example: [{ id: "default.wordCount", parameters: { minWords: 1, maxWords: 500 } }],
      comparable: (value) => checksComparable(value),
      fromApi: (value) => (Array.isArray(value) && value.length > 0 ? value.map((check) => ({ ...(check as Json) })) : undefined),
    }),
    actions: input(z.record(z.string(), z.json()), {
      doc:
        "What happens on the checks' outcome, in the API's form: `deny` (block a failing request), `async` (run after the request), " +
        "`on_success` / `on_fail` (`{ feedback: { value, weight, metadata } }`). Portkey's defaults: not denying, not async, feedback 5 / -5. " +
        "Compared by meaning (key order is no change).",
      outputDoc: "The actions as read back.",
      api: "actions",
      example: { deny: true },
      comparable: (value) => sortedKeys(value),
      fromApi: (value) => (value !== null && typeof value === "object" && !Array.isArray(value) ? { ...value } : undefined),
    }),
  };
}

function guardrailOutputs() {
  return {
    slug: output(z.string(), { stable: true, doc: "Portkey's slug for the guardrail, e.g. `pg-pii-gu-1a2b3c` (the same as `id`): what configs and workspace defaults name it by.", api: "slug" }),
    guardrailId: output(z.string(), { stable: true, doc: "The guardrail's UUID.", api: "id" }),
    versionId: output(z.string().optional(), { doc: "The current version's UUID; every update makes a new version.", api: "version_id" }),
    status: output(z.string().optional(), { doc: "`active` or `archived`.", api: "status" }),
    resolvedWorkspaceId: output(z.string().optional(), { stable: true, doc: "The workspace's UUID, whatever spelling `workspaceId` used (a workspace's guardrail).", api: "workspace_id" }),
    workspaceSlug: output(z.string().optional(), { stable: true, doc: "The workspace's slug (a workspace's guardrail)." }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When Portkey created the guardrail (RFC 3339).", api: "created_at" }),
    lastUpdatedAt: output(z.string().optional(), { doc: "When Portkey last changed the guardrail (RFC 3339).", api: "last_updated_at" }),
  };
}

type Shape = ShapeOf<typeof guardrailInputs, typeof guardrailOutputs>;

export const guardrail = declareResource({
  kind: "portkey:Guardrail",
  enumerate: {
    prefix: "guardrail",
    identity: ["workspaceId", "name"],
    references: { workspaceId: { kind: "portkey:Workspace", output: "id" } },
    async list(ctx) {
      // No scope: the organisation's guardrails and every workspace's.
      return (await listGuardrails(portkeyClient(ctx), {})).guardrails.map((g) => ({ id: g.slug, name: g.name }));
    },
  },
  doc:
    "A Portkey guardrail (`/guardrails`): checks and the actions on their outcome, for one workspace or the organisation. " +
    "The resource id is the guardrail's slug, which configs (`input_guardrails`) and a Workspace's `inputGuardrails` name it by.\n\n" +
    "```ts\n" +
    'const noPii = new portkey.Guardrail("no-pii", {\n' +
    "  workspaceId: dev.id,\n" +
    '  name: "No PII",\n' +
    '  checks: [{ id: "default.regexMatch", parameters: { rule: "\\\\b\\\\d{3}-\\\\d{2}-\\\\d{4}\\\\b" } }],\n' +
    "  actions: { deny: true },\n" +
    "});\n" +
    "```",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: guardrailInputs,
  outputs: guardrailOutputs,

  refine(inputs, issue) {
    if ((inputs.workspaceId === undefined) === (inputs.organisationId === undefined)) {
      issue([inputs.workspaceId === undefined ? "workspaceId" : "organisationId"], "set exactly one of `workspaceId` (a workspace's guardrail) and `organisationId` (the organisation's)");
    }
    inputs.checks.forEach((check, i) => checkIssues(check, ["checks", i], issue));
    actionIssues(inputs.actions, issue);
  },

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const workspace = inputs.workspaceId === undefined ? undefined : await requireWorkspace(client, ctx, inputs.workspaceId);
    // The document types workspace_id as a UUID: the resolved one is sent, whatever the spelling.
    const body = { ...ctx.createBody(inputs), ...(workspace ? { workspace_id: workspace.id } : {}) };
    const scope: GuardrailScope = workspace ? { workspace_id: workspace.id } : { organisation_id: inputs.organisationId! };
    const slugs = new Map<string, string>();
    const created = await createWithRecovery(ctx, {
      what: `Portkey guardrail '${inputs.name}'`,
      naturalKey: `portkey:Guardrail:${workspace?.id ?? inputs.organisationId}:${inputs.name}`,
      post: () => createGuardrail(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { guardrails, serverTime } = await listGuardrails(client, scope);
        const named = guardrails.filter((g) => g.name === inputs.name && (g.workspace_id ?? undefined) === workspace?.id);
        for (const g of named) slugs.set(g.id, g.slug);
        return { candidates: named.map((g) => ({ id: g.id, createdAt: g.created_at })), serverTime };
      },
      recover: { adopt: async (candidate) => ({ id: candidate.id, slug: slugs.get(candidate.id) ?? "" }) },
      cleanup: "delete it in the Portkey UI under Guardrails, or with DELETE /guardrails/{id}",
    });
    const known: Partial<Shape["outputs"]> = { ...inputs, slug: created.slug, guardrailId: created.id, resolvedWorkspaceId: workspace?.id, workspaceSlug: workspace?.slug };
    ctx.created(created.slug, known);
    return { id: created.slug, outputs: await readBack(client, ctx, created.slug, known) };
  },

  // The default read, update and delete, in the guardrail's scope (where a 403 is told apart from "gone").
  endpoints: {
    get: (ctx, slug, [stored]) => getGuardrail(portkeyClient(ctx), slug, scopeOf(stored)),
    update: (ctx, slug, body) => updateGuardrail(portkeyClient(ctx), slug, body),
    delete: (ctx, slug, [stored]) => deleteGuardrail(portkeyClient(ctx), slug, scopeOf(stored)),
  },
});

/** The guardrail as read back after a write; `carried` holds the inputs written. */
async function readBack(client: ApiClient, ctx: Shape["context"], slug: string, carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  const json: ApiGuardrail | undefined = await getGuardrail(client, slug, scopeOf(carried));
  if (!json) throw new Error(`guardrail ${slug} disappeared right after it was written`);
  return ctx.outputsFrom(json, carried);
}

/** Where the list looks when a 403 has to be told apart from "gone". */
function scopeOf(outputs: Partial<Shape["outputs"]>): GuardrailScope {
  if (outputs.resolvedWorkspaceId) return { workspace_id: outputs.resolvedWorkspaceId };
  if (outputs.organisationId) return { organisation_id: outputs.organisationId };
  return {};
}

/** Checks by meaning: keys in order, `is_enabled: true` (the API's default, which it leaves out) dropped. */
function checksComparable(value: unknown): unknown {
  if (!Array.isArray(value)) return normalize(value);
  return sortedKeys(
    value.map((check) => {
      if (check === null || typeof check !== "object" || Array.isArray(check)) return check;
      const { is_enabled: enabled, ...rest } = check as Json;
      return enabled === true ? rest : { ...rest, is_enabled: enabled };
    }),
  );
}

const isPlainObject = (value: unknown): value is Json => value !== null && typeof value === "object" && !Array.isArray(value);

/** The document's rules for one check: an id of the documented shape, and the types of the fields it names. */
function checkIssues(check: Json, path: (string | number)[], issue: AddIssue): void {
  if (typeof check.id !== "string" || !CHECK_ID.test(check.id)) issue([...path, "id"], "must be a check id such as `default.regexMatch` (`<vendor>.<check>`)");
  if (check.parameters !== undefined && !isPlainObject(check.parameters)) issue([...path, "parameters"], "must be an object");
  if (check.name !== undefined && typeof check.name !== "string") issue([...path, "name"], "must be a string");
  if (check.is_enabled !== undefined && typeof check.is_enabled !== "boolean") issue([...path, "is_enabled"], "must be a boolean");
}

/**
 * The document's types for the action fields it names. Other fields pass
 * through as given: the document's own examples use forms it does not name
 * (reference more §5), and Portkey adds options (e.g. `sequential`).
 */
function actionIssues(actions: Json, issue: AddIssue): void {
  for (const flag of ["deny", "async", "sequential"]) {
    if (actions[flag] !== undefined && typeof actions[flag] !== "boolean") issue(["actions", flag], "must be a boolean");
  }
  for (const outcome of ["on_success", "on_fail"]) {
    const value = actions[outcome];
    if (value === undefined) continue;
    if (!isPlainObject(value)) {
      issue(["actions", outcome], "must be an object such as `{ feedback: { value, weight, metadata } }`");
      continue;
    }
    const feedback = value.feedback;
    if (!isPlainObject(feedback)) {
      issue(["actions", outcome, "feedback"], "must be an object `{ value, weight, metadata }`");
      continue;
    }
    for (const number of ["value", "weight"]) {
      if (feedback[number] !== undefined && typeof feedback[number] !== "number") issue(["actions", outcome, "feedback", number], "must be a number");
    }
    if (feedback.metadata !== undefined && typeof feedback.metadata !== "string") issue(["actions", outcome, "feedback", "metadata"], "must be a string");
  }
}
