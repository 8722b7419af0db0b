/**
 * Assignments of an OpenRouter guardrail to one API key (by hash) or one
 * organisation member (by user id). OpenRouter only has bulk endpoints
 * (`POST /guardrails/{id}/assignments/{keys|members}[/remove]` with lists), so
 * each resource sends only its own item: assigning one never removes
 * another's assignment, and deleting one removes only its own. There is no
 * GET of one assignment: a read pages the guardrail's list and picks its item.
 *
 * Nothing updates in place: a different guardrail, key or member is another
 * assignment (a replacement). Assigning is idempotent (assigning an assigned
 * key changes nothing), so a create whose answer was lost is simply run again.
 * A key holds one guardrail and a member one per workspace: assigning moves
 * them, so two resources giving the same key different guardrails would fight.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { declareResource, input, output } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient } from "./common";
import {
  assignKeys,
  assignMembers,
  KeyAssignmentJson,
  listAllKeyAssignments,
  listAllMemberAssignments,
  listKeyAssignments,
  listMemberAssignments,
  MemberAssignmentJson,
  unassignKeys,
  unassignMembers,
} from "./api/guardrails";
import type { ListedObject } from "../resource";

/**
 * Why an assignment is not imported when its guardrail is not a listed
 * Guardrail: OpenRouter refuses assignments to a workspace's default
 * guardrail through the API (so one made elsewhere could not be re-made), and
 * an assignment to a guardrail the program does not declare would name it by a
 * bare id.
 */
function unlistedGuardrail(guardrailId: string, guardrails: readonly ListedObject[]): string | undefined {
  if (guardrails.some((g) => g.id === guardrailId)) return undefined;
  return (
    `its guardrail ${guardrailId} is not an importable Guardrail (a workspace's default guardrail, whose rules WorkspaceDefaultGuardrail ` +
    "manages and to which OpenRouter refuses assignments through the API, or one this key cannot list)"
  );
}

const KEY_HASH = /^[0-9a-f]{64}$/;

/** `<guardrailId>/<second>`, the id both assignments use (and import by). */
function splitId(id: string, second: string): [string, string] {
  const slash = id.indexOf("/");
  if (slash <= 0 || slash === id.length - 1) throw new Error(`'${id}' is not an assignment id: expected <guardrailId>/<${second}>.`);
  return [id.slice(0, slash), id.slice(slash + 1)];
}

function guardrailIdInput() {
  return input(z.uuid("must be the guardrail's UUID"), {
    doc: "The guardrail's UUID (pass a Guardrail's `id`). Not a workspace default guardrail: OpenRouter refuses to assign those. Changing it replaces the assignment.",
    outputDoc: "The guardrail.",
    replaces: true,
  });
}

function sharedOutputs() {
  return {
    assignmentId: output(z.string(), { doc: "OpenRouter's id of the assignment.", api: "id" }),
    assignedBy: output(z.string().optional(), { doc: "The user who made the assignment, when OpenRouter reports one.", api: "assigned_by" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "When the assignment was made.", api: "created_at" }),
  };
}

function keyAssignmentInputs() {
  return {
    guardrailId: guardrailIdInput(),
    keyHash: input(z.string().regex(KEY_HASH, "must be the key's 64-character hex hash (an ApiKey's `hash`)"), {
      doc: "The API key's hash (pass an ApiKey's `hash`); the key must be in the guardrail's workspace. Changing it replaces the assignment.",
      outputDoc: "The key's hash.",
      replaces: true,
    }),
  };
}

function keyAssignmentOutputs() {
  return {
    ...sharedOutputs(),
    keyName: output(z.string().optional(), { doc: "The key's name.", api: "key_name" }),
    keyLabel: output(z.string().optional(), { doc: "The key's masked label.", api: "key_label" }),
  };
}

export const openrouterGuardrailKeyAssignment = declareResource({
  kind: "openrouter:GuardrailKeyAssignment",
  enumerate: {
    prefix: "key-guardrail",
    identity: ["guardrailId", "keyHash"],
    shownAs: { keyHash: "keyName" },
    references: { guardrailId: { kind: "openrouter:Guardrail", output: "id" }, keyHash: { kind: "openrouter:ApiKey", output: "id" } },
    // The organisation's whole list (one paged call): an assignment to any other guardrail is listed too, and skipped by name.
    async list(ctx, listed) {
      const assignments = await listAllKeyAssignments(openrouterClient(ctx));
      return assignments.map((a) => ({ id: `${a.guardrail_id}/${a.key_hash}`, name: a.key_name, skip: unlistedGuardrail(a.guardrail_id, listed("openrouter:Guardrail")) }));
    },
  },
  doc:
    "Applies an OpenRouter guardrail to one API key. Other keys' assignments to the same guardrail are left alone. " +
    "A key holds one guardrail: assigning it to another guardrail (here or elsewhere) moves it. " +
    "The resource id is `<guardrailId>/<keyHash>` (import by it).\n\n" +
    "```ts\n" +
    'new openrouter.GuardrailKeyAssignment("ci-strict", { guardrailId: strict.id, keyHash: ci.hash });\n' +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: keyAssignmentInputs,
  outputs: keyAssignmentOutputs,
  label: (values) => values.guardrailId && values.keyHash && `key ${values.keyHash.slice(0, 12)}… → guardrail ${values.guardrailId}`,

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    await assignKeys(client, inputs.guardrailId, [inputs.keyHash]);
    const id = `${inputs.guardrailId}/${inputs.keyHash}`;
    ctx.created(id, { ...inputs });
    const found = await findKeyAssignment(client, inputs.guardrailId, inputs.keyHash);
    if (!found) throw new Error(`OpenRouter accepted the assignment of key ${inputs.keyHash} to guardrail ${inputs.guardrailId} but does not list it.`);
    return { id, outputs: ctx.outputsFrom(found, inputs) };
  },

  async read(id, outputs, ctx) {
    const [guardrailId, keyHash] = outputs.guardrailId && outputs.keyHash ? [outputs.guardrailId, outputs.keyHash] : splitId(id, "keyHash");
    const found = await findKeyAssignment(openrouterClient(ctx), guardrailId, keyHash);
    return found && ctx.outputsFrom(found, { ...outputs, guardrailId, keyHash });
  },

  async update(id, olds, news, ctx) {
    // Every input replaces: an update only refreshes the outputs.
    const found = await findKeyAssignment(openrouterClient(ctx), news.guardrailId, news.keyHash);
    if (!found) throw new Error(`the assignment ${id} does not exist (or was removed); run \`pulumi refresh\`.`);
    return ctx.outputsFrom(found, { ...olds, ...news });
  },

  async delete(_id, outputs, ctx) {
    // Only this key: the guardrail's other assignments stay.
    await unassignKeys(openrouterClient(ctx), outputs.guardrailId, [outputs.keyHash]);
  },
});

async function findKeyAssignment(client: ApiClient, guardrailId: string, keyHash: string): Promise<KeyAssignmentJson | undefined> {
  return (await listKeyAssignments(client, guardrailId))?.find((a) => a.key_hash === keyHash);
}

function memberAssignmentInputs() {
  return {
    guardrailId: guardrailIdInput(),
    userId: input(z.string().min(1, "must not be empty"), {
      doc:
        "The organisation member's user id (e.g. `user_2abc…`). Outside the default workspace the member must belong to the guardrail's workspace. " +
        "Changing it replaces the assignment.",
      outputDoc: "The member's user id.",
      replaces: true,
    }),
  };
}

function memberAssignmentOutputs() {
  return {
    ...sharedOutputs(),
    organizationId: output(z.string().optional(), { doc: "The organisation the member belongs to.", api: "organization_id" }),
  };
}

export const openrouterGuardrailMemberAssignment = declareResource({
  kind: "openrouter:GuardrailMemberAssignment",
  enumerate: {
    prefix: "member-guardrail",
    identity: ["guardrailId", "userId"],
    references: { guardrailId: { kind: "openrouter:Guardrail", output: "id" } },
    // As for keys: the organisation's whole list, assignments to a guardrail that is not imported skipped by name.
    async list(ctx, listed) {
      const assignments = await listAllMemberAssignments(openrouterClient(ctx));
      return assignments.map((a) => ({ id: `${a.guardrail_id}/${a.user_id}`, skip: unlistedGuardrail(a.guardrail_id, listed("openrouter:Guardrail")) }));
    },
  },
  doc:
    "Applies an OpenRouter guardrail to one organisation member (their requests and keys in the guardrail's workspace). " +
    "Other members' assignments to the same guardrail are left alone. A member holds one direct guardrail per workspace: " +
    "assigning another moves it. The resource id is `<guardrailId>/<userId>` (import by it).\n\n" +
    "```ts\n" +
    'new openrouter.GuardrailMemberAssignment("alice-strict", { guardrailId: strict.id, userId: "user_2abc" });\n' +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: memberAssignmentInputs,
  outputs: memberAssignmentOutputs,
  label: (values) => values.guardrailId && values.userId && `member ${values.userId} → guardrail ${values.guardrailId}`,

  async create(inputs, ctx) {
    const client = openrouterClient(ctx);
    await assignMembers(client, inputs.guardrailId, [inputs.userId]);
    const id = `${inputs.guardrailId}/${inputs.userId}`;
    ctx.created(id, { ...inputs });
    const found = await findMemberAssignment(client, inputs.guardrailId, inputs.userId);
    if (!found) throw new Error(`OpenRouter accepted the assignment of member ${inputs.userId} to guardrail ${inputs.guardrailId} but does not list it.`);
    return { id, outputs: ctx.outputsFrom(found, inputs) };
  },

  async read(id, outputs, ctx) {
    const [guardrailId, userId] = outputs.guardrailId && outputs.userId ? [outputs.guardrailId, outputs.userId] : splitId(id, "userId");
    const found = await findMemberAssignment(openrouterClient(ctx), guardrailId, userId);
    return found && ctx.outputsFrom(found, { ...outputs, guardrailId, userId });
  },

  async update(id, olds, news, ctx) {
    const found = await findMemberAssignment(openrouterClient(ctx), news.guardrailId, news.userId);
    if (!found) throw new Error(`the assignment ${id} does not exist (or was removed); run \`pulumi refresh\`.`);
    return ctx.outputsFrom(found, { ...olds, ...news });
  },

  async delete(_id, outputs, ctx) {
    await unassignMembers(openrouterClient(ctx), outputs.guardrailId, [outputs.userId]);
  },
});

async function findMemberAssignment(client: ApiClient, guardrailId: string, userId: string): Promise<MemberAssignmentJson | undefined> {
  return (await listMemberAssignments(client, guardrailId))?.find((a) => a.user_id === userId);
}
