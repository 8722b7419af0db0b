/**
 * `recover`: after an interrupted `pulumi up`, decides for each pending create
 * of the stack's state what the interrupted run made, by the identity its
 * declaration gives the kind (listed through `listKind`, each candidate read
 * through its provider's own `read`, as import-org does):
 *
 * - exactly one unmanaged look-alike created after the interrupted run began
 *   → adopted (`pulumi import` under the pending create's URN), except
 *   kinds with a secret output that only the lost create answer held (API
 *   keys): deleted, so the next `up` makes them again with a secret;
 * - none → the pending create is cleared (`--clear-pending-creates`);
 * - several, or one whose creation time cannot be proven to fall in the run →
 *   nothing is touched; the candidates and the clean-up are printed.
 *
 * A kind whose objects carry no creation time (a grant row) is proven the
 * run's through the object its identity names: when that object (the grant's
 * workspace) was itself recorded by the interrupted run, nothing older can
 * hold the look-alike. A kind addressed by its identity (a grant row's id is
 * its integration and workspace) can hold only one object per identity: when
 * that one is not proven the run's, or the resource is dynamic, the pending
 * create is cleared and the next `up` writes that same object.
 *
 * A kind that records at create what it made beside the object (a grant's
 * default provider: `recordedAtCreate`) lost that record with the answer. An
 * object proven the run's through the run's own object (the grant's
 * workspace) that its declaration can find the record of again under that
 * proof is deleted with the record, so its delete removes what it made too,
 * and the next `up` makes and records both again; without a record found, as above.
 *
 * Dynamic resources (`pulumi-nodejs:dynamic/<vendor>:<Class>`, the kind read
 * from the type our classes register) cannot be imported: the one object the
 * run provably made is deleted instead, and the next `up` makes it again.
 *
 * It never adopts or deletes what it cannot prove the interrupted run made.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ConfiguredValues } from "../config";
import { listKind } from "../enumeration";
import { messageOf } from "../errors";
import type { LifecycleContext } from "../framework";
import type { InterruptedRun, OutputFields } from "../resource";
import { RegisteredResource, vendors } from "../resources";
import { Reader } from "./import-org";

type Json = Record<string, unknown>;

/** One resource of a `pulumi stack export`, as far as recovery reads it. */
interface StateResource {
  urn: string;
  parent?: string;
  type: string;
  id?: string;
  custom?: boolean;
  inputs?: Json;
  created?: string;
  outputs?: Json;
}

/** What the interrupted run left: its pending creates, and the earliest moment it can have begun. */
export interface Interrupted {
  pending: StateResource[];
  managed: Set<string>;
  /** The resources the state records (a grant's workspace, say), to prove an object's age through what it names. */
  resources: StateResource[];
  /** Objects created before this cannot be the interrupted run's (undefined: nothing is provable). */
  notBefore?: number;
}

/** The decision for one pending create. */
export type Outcome =
  | { urn: string; action: "adopt"; id: string }
  | {
      urn: string;
      action: "delete";
      id: string;
      /**
       * Why it is deleted rather than adopted: its secret was only in the lost answer, a dynamic resource cannot be imported,
       * or what it made beside it was recorded only in the lost answer (deleted with it).
       */
      why?: "secret" | "dynamic" | "record";
      done: boolean;
      error?: string;
      remove?: () => Promise<void>;
    }
  | { urn: string; action: "clear"; /** Set when an object exists: why clearing is still safe. */ note?: string }
  | { urn: string; action: "ambiguous"; candidates: { id: string; createdAt?: string }[]; why: string; cleanup: string };

/**
 * The pending creates of a state and the lower bound of the interrupted run's
 * start: the end of the last completed update (`lastUpdateEnd`, from
 * `pulumi stack history`), else, for a stack whose first `up` was
 * interrupted, the creation of its stack resource (registered before any
 * child create begins).
 */
export function interrupted(stackExport: unknown, lastUpdateEnd: number | undefined): Interrupted {
  const deployment = (stackExport as { deployment?: { resources?: StateResource[]; pending_operations?: { type: string; resource: StateResource }[] } })?.deployment;
  if (!deployment || !Array.isArray(deployment.resources)) throw new Error("the stack export has no `deployment.resources` (is it `pulumi stack export` output?)");
  const pending = (deployment.pending_operations ?? []).filter((op) => op.type === "creating").map((op) => op.resource);
  const managed = new Set(deployment.resources.filter((r) => r.id).map((r) => `${r.type} ${r.id}`));
  const stackResource = deployment.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const stackCreated = stackResource?.created ? Date.parse(stackResource.created) : NaN;
  const notBefore = lastUpdateEnd ?? (Number.isNaN(stackCreated) ? undefined : stackCreated);
  return { pending, managed, resources: deployment.resources, notBefore };
}

/**
 * The kind a state type names: `portkey:index:ApiKey` (native plugin) or
 * `pulumi-nodejs:dynamic/portkey:ApiKey` (our dynamic classes register their
 * vendor as the module and their class as the type) → `portkey:ApiKey`.
 */
export function kindOf(type: string): { kind: string; vendor: string; dynamic: boolean } | undefined {
  const dynamic = /^pulumi-nodejs:dynamic\/([a-z]+):([A-Za-z]+)$/.exec(type);
  if (dynamic) return { kind: `${dynamic[1]}:${dynamic[2]}`, vendor: dynamic[1], dynamic: true };
  const native = /^([a-z]+):index:([A-Za-z]+)$/.exec(type);
  return native ? { kind: `${native[1]}:${native[2]}`, vendor: native[1], dynamic: false } : undefined;
}

/** The registered resource of a state type (undefined: not one of this package's kinds). */
function resourceOf(type: string): RegisteredResource | undefined {
  const parsed = kindOf(type);
  if (!parsed) return undefined;
  return vendors()
    .find((v) => v.name === parsed.vendor)
    ?.resources.find((r) => r.declared.declaration.kind === parsed.kind);
}

/**
 * Whether an identity input of the pending create names an object the
 * interrupted run itself recorded (created at or after `notBefore`): then any
 * look-alike under it is younger than the run, though it carries no time.
 */
function namesObjectOfTheRun(state: Interrupted, references: Record<string, { kind: string; output: string }> | undefined, inputs: Json): boolean {
  if (state.notBefore === undefined || !references) return false;
  return Object.entries(references).some(([field, reference]) => {
    const value = inputs[field];
    if (typeof value !== "string") return false;
    return state.resources.some((r) => {
      if (kindOf(r.type)?.kind !== reference.kind || !r.created || Date.parse(r.created) < state.notBefore!) return false;
      return reference.output === "id" ? r.id === value : r.outputs?.[reference.output] === value;
    });
  });
}

/** Whether the kind's secret output exists only in the create answer (an API key): such an object is useless without it. */
function secretOnlyAtCreate(resource: RegisteredResource): boolean {
  return Object.values(resource.declared.declaration.outputs() as OutputFields).some((field) => (field as { secret?: boolean }).secret === true);
}

/** Decides, and deletes what must be deleted; the caller applies adoptions and clears to the state. */
export async function decide(
  state: Interrupted,
  configured: (vendor: string) => ConfiguredValues,
  warn: (message: string) => void,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const pending of state.pending) {
    const resource = resourceOf(pending.type);
    const parsed = kindOf(pending.type);
    if (!resource || !parsed) {
      outcomes.push({ urn: pending.urn, action: "ambiguous", candidates: [], why: `${pending.type} is not a resource this package serves`, cleanup: "look for it by hand" });
      continue;
    }
    const { kind, vendor, dynamic } = parsed;
    const declaration = resource.declared.declaration;
    const enumerate = declaration.enumerate as { identity?: readonly string[]; references?: Record<string, { kind: string; output: string }> } | undefined;
    const cleanup = `delete the ones no one uses in the ${vendor} console or API, then run \`pulumi-ai-gateway recover\` again`;
    if (!enumerate?.identity) {
      outcomes.push({ urn: pending.urn, action: "ambiguous", candidates: [], why: `${kind} cannot be listed`, cleanup });
      continue;
    }
    const reader = new Reader(vendors().find((v) => v.name === vendor)!, configured(vendor), warn);
    const ctx: LifecycleContext = reader.context;
    const vendorResources = vendors().find((v) => v.name === vendor)!.resources.map((r) => r.declared.declaration);
    const listed = (await listKind(kind, vendorResources, ctx)).filter((o) => !o.skip && !state.managed.has(`${pending.type} ${o.id}`));
    const read = await reader.readAll(resource, listed.map((o) => o.id));
    const inputs = pending.inputs ?? {};
    const lookAlikes = read.filter((r) => enumerate.identity!.every((field) => JSON.stringify(r.inputs[field] ?? null) === JSON.stringify(inputs[field] ?? null)));
    const candidates = lookAlikes.map((r) => ({ id: r.id, createdAt: typeof r.props.createdAt === "string" ? r.props.createdAt : undefined, props: r.props }));
    const parentOfTheRun = namesObjectOfTheRun(state, enumerate.references, inputs);
    // Older than the run: not its own, never touched and not a reason to doubt.
    const inRun = candidates.filter((c) => {
      const created = c.createdAt ? Date.parse(c.createdAt) : NaN;
      return Number.isNaN(created) || state.notBefore === undefined || created >= state.notBefore;
    });
    if (inRun.length === 0) {
      outcomes.push({ urn: pending.urn, action: "clear" });
      continue;
    }
    const timed = (c: (typeof inRun)[number]) => c.createdAt !== undefined && !Number.isNaN(Date.parse(c.createdAt));
    const proven = inRun.length === 1 && state.notBefore !== undefined && (timed(inRun[0]) || parentOfTheRun);
    // Addressed by its identity (a grant row's id is its integration and workspace): only one such object can exist, so the
    // next `up`'s create writes that same object. Clearing adopts and deletes nothing, and leaves no duplicate possible; when
    // not proven the run's, and for a dynamic resource (which would otherwise be deleted and written again), it is the rule.
    // What it made beside it (a grant's default provider) was recorded only in the lost answer: found again under the
    // run's own parent, the object is deleted with it, and the next `up` makes and records both again.
    // Not proven so: nothing is recorded, and the declaration only says what may be left.
    if (inRun.length === 1 && state.notBefore !== undefined && declaration.recordedAtCreate && resource.declared.provider.delete) {
      const [mine] = inRun;
      const ownParent = proven && parentOfTheRun;
      const run = { since: state.notBefore, parentOfTheRun: ownParent, resources: runResources(state) };
      const record = await declaration.recordedAtCreate(inputs as never, mine.props as never, ctx, run);
      if (record && ownParent) {
        const props = { ...mine.props, ...(record as Json) };
        outcomes.push({ urn: pending.urn, action: "delete", id: mine.id, why: "record", done: false, remove: () => resource.declared.provider.delete!(mine.id, props) });
        continue;
      }
    }
    const addressedByIdentity = inRun.length === 1 && inRun[0].id === enumerate.identity.map((field) => String(inputs[field])).join("/");
    if (addressedByIdentity && (!proven || dynamic)) {
      // Not proven the run's through its parent: what it may have made beside it cannot be proven its either, and stays unrecorded.
      const unrecorded = declaration.recordedAtCreate && !(proven && parentOfTheRun) ? "; what its lost create may have made beside it (a grant's default provider) cannot be proven the run's and is not recorded" : "";
      outcomes.push({ urn: pending.urn, action: "clear", note: `${inRun[0].id} exists, but only one object can have this identity: the next \`pulumi up\` writes that same object${unrecorded}` });
      continue;
    }
    if (!proven) {
      const why =
        inRun.length > 1
          ? "more than one unmanaged look-alike was created since the run began"
          : "its creation time cannot be proven to fall inside the interrupted run";
      outcomes.push({ urn: pending.urn, action: "ambiguous", candidates: inRun.map(({ id, createdAt }) => ({ id, createdAt })), why, cleanup });
      continue;
    }
    const [mine] = inRun;
    if (!dynamic && !secretOnlyAtCreate(resource)) {
      outcomes.push({ urn: pending.urn, action: "adopt", id: mine.id });
      continue;
    }
    if (!resource.declared.provider.delete) {
      outcomes.push({ urn: pending.urn, action: "ambiguous", candidates: [{ id: mine.id, createdAt: mine.createdAt }], why: `${dynamic ? "a dynamic resource cannot be imported" : "its secret was only in the lost answer"}, and ${kind} cannot be deleted`, cleanup });
      continue;
    }
    const why = dynamic && !secretOnlyAtCreate(resource) ? "dynamic" : "secret";
    outcomes.push({ urn: pending.urn, action: "delete", id: mine.id, why, done: false, remove: () => resource.declared.provider.delete!(mine.id, mine.props) });
  }
  return outcomes;
}

/** The state's resources and pending creates by kind, for a declaration's `recordedAtCreate`. */
function runResources(state: Interrupted): InterruptedRun["resources"] {
  const entry = (r: StateResource, pending: boolean) => ({ kind: kindOf(r.type)?.kind ?? r.type, id: r.id, inputs: r.inputs ?? {}, outputs: r.outputs ?? {}, pending });
  return [...state.resources.map((r) => entry(r, false)), ...state.pending.map((r) => entry(r, true))];
}

/** Deletes what must be deleted, only when every pending create was decided (an unproven one means nothing is touched). */
export async function deleteUnusable(outcomes: Outcome[]): Promise<void> {
  if (outcomes.some((o) => o.action === "ambiguous")) return;
  for (const outcome of outcomes) {
    if (outcome.action !== "delete" || !outcome.remove) continue;
    try {
      await outcome.remove();
      outcome.done = true;
    } catch (error) {
      outcome.error = messageOf(error);
    }
  }
}

/** The pending create's type and name, from its URN (`urn:pulumi:<stack>::<project>::<type chain>::<name>`). */
function typeAndName(urn: string): { type: string; name: string; parentType?: string } {
  const [, , typeChain, ...nameParts] = urn.split("::");
  const types = typeChain.split("$");
  return { type: types[types.length - 1], name: nameParts.join("::"), parentType: types.length > 1 ? types[types.length - 2] : undefined };
}

/**
 * The \`pulumi import --file\` document adopting the proven objects under the
 * pending creates' own URNs (parent by URN through the name table when it is
 * not the stack), or undefined when nothing is adopted.
 */
export function importDocument(outcomes: readonly Outcome[], parents: ReadonlyMap<string, string | undefined>): object | undefined {
  const adopted = outcomes.filter((o): o is Extract<Outcome, { action: "adopt" }> => o.action === "adopt");
  if (adopted.length === 0) return undefined;
  const nameTable: Record<string, string> = {};
  const resources = adopted.map((o, i) => {
    const { type, name } = typeAndName(o.urn);
    const parent = parents.get(o.urn);
    if (parent && !parent.includes("::pulumi:pulumi:Stack::")) nameTable[`parent${i}`] = parent;
    return { type, name, id: o.id, ...(parent && !parent.includes("::pulumi:pulumi:Stack::") ? { parent: `parent${i}` } : {}) };
  });
  return { nameTable, resources };
}

/**
 * The refresh that drops every pending create, once each is decided (adopted ones come back through the
 * import), or undefined when one is left unproven: then nothing is touched.
 */
export function refreshArguments(outcomes: readonly Outcome[]): string[] | undefined {
  if (outcomes.length === 0 || outcomes.some((o) => o.action === "ambiguous" || (o.action === "delete" && !o.done))) return undefined;
  return ["refresh", "--yes", "--non-interactive", "--skip-preview", "--clear-pending-creates"];
}

/** One line per resource: what was done. */
export function describe(outcome: Outcome, cleared = true): string {
  const still = cleared ? "" : "; it stays pending until the others are settled";
  switch (outcome.action) {
    case "adopt":
      return cleared ? `${outcome.urn}: adopted ${outcome.id} (made by the interrupted run)` : `${outcome.urn}: ${outcome.id} is the interrupted run's; adopted once the others are settled`;
    case "delete": {
      const because =
        outcome.why === "dynamic"
          ? "a dynamic resource cannot be imported"
          : outcome.why === "record"
            ? "what it made beside it was recorded only in the lost answer, and is deleted with it"
            : "its secret was only in the lost answer";
      if (!outcome.done && outcome.error === undefined) return `${outcome.urn}: ${outcome.id} is the interrupted run's and cannot be adopted (${because}); deleted once the others are settled`;
      return outcome.done
        ? `${outcome.urn}: deleted ${outcome.id} (made by the interrupted run; ${because}), the next \`pulumi up\` creates it again${still}`
        : `${outcome.urn}: deleting ${outcome.id} failed (${outcome.error}); delete it by hand, then run \`pulumi-ai-gateway recover\` again`;
    }
    case "clear":
      if (outcome.note) return cleared ? `${outcome.urn}: cleared (${outcome.note})` : `${outcome.urn}: ${outcome.note}${still}`;
      return cleared ? `${outcome.urn}: cleared (the interrupted run made nothing)` : `${outcome.urn}: the interrupted run made nothing${still}`;
    case "ambiguous":
      return (
        `${outcome.urn}: left pending: ${outcome.why}` +
        (outcome.candidates.length > 0 ? `; candidates: ${outcome.candidates.map((c) => `${c.id}${c.createdAt ? ` (created ${c.createdAt})` : ""}`).join(", ")}` : "") +
        `. Nothing was adopted or deleted: ${outcome.cleanup}.`
      );
  }
}

/** An empty sidecar this old is left by a killed writer, not being written now. */
const SIDECAR_STALE_MS = 5_000;

/**
 * The metadata sidecars (`<file>.attrs`) of a file backend that a killed run
 * left empty: the backend writes one beside each checkpoint and history file,
 * not atomically, and an empty one makes every later command fail with
 * "failed to load checkpoint: EOF". A sidecar only holds the blob's content
 * type and checksum; a valid one is never empty, and one untouched for
 * {@link SIDECAR_STALE_MS} is not being written, so removing it loses nothing
 * (the backend reads a blob without a sidecar as plain bytes).
 */
export function emptyStaleSidecars(backendDir: string, now: number): string[] {
  const root = path.join(backendDir, ".pulumi");
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".attrs"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => {
      const stat = fs.statSync(file);
      return stat.size === 0 && now - stat.mtimeMs >= SIDECAR_STALE_MS && fs.existsSync(file.slice(0, -".attrs".length));
    });
}

/**
 * Removes the empty sidecars a killed run left, calling `removed` for each:
 * one still too young to be provably stale is waited for (a writer finishes a
 * few bytes in far less) and taken only if it is still empty and untouched.
 */
export async function removeStaleSidecars(backendDir: string, removed: (file: string) => void): Promise<void> {
  const young = emptyStaleSidecars(backendDir, Date.now() + SIDECAR_STALE_MS).filter((file) => !emptyStaleSidecars(backendDir, Date.now()).includes(file));
  if (young.length > 0) await new Promise((resolve) => setTimeout(resolve, SIDECAR_STALE_MS));
  for (const file of emptyStaleSidecars(backendDir, Date.now())) {
    fs.rmSync(file);
    removed(file);
  }
}

/** The directory of a `file://` backend URL (undefined: another backend). */
export function fileBackendDir(url: string | undefined): string | undefined {
  if (!url?.startsWith("file://")) return undefined;
  const rest = url.slice("file://".length).replace(/\?.*$/, "");
  if (rest === "~" || rest.startsWith("~/")) return path.join(os.homedir(), rest.slice(1));
  return path.resolve(rest);
}

/**
 * The lock files a file backend holds for a stack (`.pulumi/locks/<org>/<project>/<stack>/*.json`): a
 * killed run leaves its lock, and `recover`'s own refresh would then fail after its deletes.
 */
export function fileBackendLocks(backendDir: string, project: string, stack: string): string[] {
  const locks = path.join(backendDir, ".pulumi", "locks");
  if (!fs.existsSync(locks)) return [];
  return fs
    .readdirSync(locks, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".json"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => {
      const parts = path.relative(locks, file).split(path.sep);
      return parts.length >= 3 && parts[parts.length - 2] === stack && parts[parts.length - 3] === project;
    });
}

/** The project and stack a state's URNs name (`urn:pulumi:<stack>::<project>::…`). */
export function stackOfState(state: Interrupted): { project: string; stack: string } | undefined {
  const urn = state.resources[0]?.urn ?? state.pending[0]?.urn;
  const m = urn ? /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn) : null;
  return m ? { stack: m[1], project: m[2] } : undefined;
}
