/**
 * `recover`: after an interrupted `pulumi up`, decides for each pending create
 * of the stack's state what the interrupted run made, by the identity its
 * declaration gives the kind (listed through `listKind`, each candidate read
 * through its provider's own `read`, as import-org does):
 *
 * - exactly one unmanaged look-alike created after the interrupted run began
 *   → adopted (`pulumi refresh --import-pending-creates <urn> <id>`), except
 *   kinds with a secret output that only the lost create answer held (API
 *   keys): deleted, so the next `up` makes them again with a secret;
 * - none → the pending create is cleared (`--clear-pending-creates`);
 * - several, or one whose creation time cannot be proven to fall in the run →
 *   nothing is touched; the candidates and the clean-up are printed.
 *
 * It never adopts or deletes what it cannot prove the interrupted run made.
 */
import type { ConfiguredValues } from "../config";
import { listKind } from "../enumeration";
import { messageOf } from "../errors";
import type { LifecycleContext } from "../framework";
import type { OutputFields } from "../resource";
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
}

/** What the interrupted run left: its pending creates, and the earliest moment it can have begun. */
export interface Interrupted {
  pending: StateResource[];
  managed: Set<string>;
  /** Objects created before this cannot be the interrupted run's (undefined: nothing is provable). */
  notBefore?: number;
}

/** The decision for one pending create. */
export type Outcome =
  | { urn: string; action: "adopt"; id: string }
  | { urn: string; action: "delete"; id: string; done: boolean; error?: string; remove?: () => Promise<void> }
  | { urn: string; action: "clear" }
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
  return { pending, managed, notBefore };
}

/** `portkey:index:ApiKey` → its registered resource (undefined: not one of ours, e.g. a dynamic resource). */
function resourceOf(type: string): RegisteredResource | undefined {
  const [vendor, , className] = type.split(":");
  return vendors()
    .find((v) => v.name === vendor)
    ?.resources.find((r) => r.declared.declaration.kind === `${vendor}:${className}`);
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
    const kind = `${pending.type.split(":")[0]}:${pending.type.split(":")[2]}`;
    if (!resource) {
      outcomes.push({ urn: pending.urn, action: "ambiguous", candidates: [], why: `${pending.type} is not a resource this package's plugins serve (a dynamic-provider resource is not recovered)`, cleanup: "look for it by hand" });
      continue;
    }
    const vendor = kind.split(":")[0];
    const declaration = resource.declared.declaration;
    const enumerate = declaration.enumerate as { identity?: readonly string[] } | undefined;
    const cleanup = `delete the ones no one uses in the ${vendor} console or API, then run \`pulumi refresh --clear-pending-creates --yes\``;
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
    // Older than the run: not its own, never touched and not a reason to doubt.
    const inRun = candidates.filter((c) => {
      const created = c.createdAt ? Date.parse(c.createdAt) : NaN;
      return Number.isNaN(created) || state.notBefore === undefined || created >= state.notBefore;
    });
    if (inRun.length === 0) {
      outcomes.push({ urn: pending.urn, action: "clear" });
      continue;
    }
    const proven = inRun.length === 1 && state.notBefore !== undefined && inRun[0].createdAt !== undefined && !Number.isNaN(Date.parse(inRun[0].createdAt));
    if (!proven) {
      const why =
        inRun.length > 1
          ? "more than one unmanaged look-alike was created since the run began"
          : "its creation time cannot be proven to fall inside the interrupted run";
      outcomes.push({ urn: pending.urn, action: "ambiguous", candidates: inRun.map(({ id, createdAt }) => ({ id, createdAt })), why, cleanup });
      continue;
    }
    const [mine] = inRun;
    if (!secretOnlyAtCreate(resource)) {
      outcomes.push({ urn: pending.urn, action: "adopt", id: mine.id });
      continue;
    }
    outcomes.push({ urn: pending.urn, action: "delete", id: mine.id, done: false, remove: () => resource.declared.provider.delete!(mine.id, mine.props) });
  }
  return outcomes;
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
    case "delete":
      if (!outcome.done && outcome.error === undefined) return `${outcome.urn}: ${outcome.id} is the interrupted run's and unusable (its secret was only in the lost answer); deleted once the others are settled`;
      return outcome.done
        ? `${outcome.urn}: deleted ${outcome.id} (made by the interrupted run; its secret was only in the lost answer), the next \`pulumi up\` creates it again${still}`
        : `${outcome.urn}: deleting ${outcome.id} failed (${outcome.error}); delete it by hand, then run \`pulumi refresh --clear-pending-creates --yes\``;
    case "clear":
      return cleared ? `${outcome.urn}: cleared (the interrupted run made nothing)` : `${outcome.urn}: the interrupted run made nothing${still}`;
    case "ambiguous":
      return (
        `${outcome.urn}: left pending: ${outcome.why}` +
        (outcome.candidates.length > 0 ? `; candidates: ${outcome.candidates.map((c) => `${c.id}${c.createdAt ? ` (created ${c.createdAt})` : ""}`).join(", ")}` : "") +
        `. Nothing was adopted or deleted: ${outcome.cleanup}.`
      );
  }
}
