/**
 * What the declarations' `enumerate` hooks share: listing per parent object
 * with bounded concurrency, and the results in a stable order. The endpoints
 * themselves are each vendor's API layer; nothing here knows a kind.
 */
import type { LifecycleContext } from "./framework";
import type { Enumeration, ListedObject, NotEnumerable } from "./resource";

/** Lists run a few at a time: fast enough for large organisations, gentle on the APIs' rate limits (429s are retried by the HTTP layer). */
export const LIST_CONCURRENCY = 4;

/** `work` over every item, at most `limit` at a time, results in the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Objects listed per parent (each workspace, each guardrail, ...), every
 * parent read (skipped parents too: the default workspace holds keys), the
 * first listing of an id kept when two parents list it.
 */
export async function listPerParent(parents: readonly ListedObject[], list: (parent: ListedObject) => Promise<ListedObject[]>): Promise<ListedObject[]> {
  const perParent = await mapLimit(parents, LIST_CONCURRENCY, list);
  const seen = new Set<string>();
  const result: ListedObject[] = [];
  for (const object of perParent.flat()) {
    if (seen.has(object.id)) continue;
    seen.add(object.id);
    result.push(object);
  }
  return result;
}

/** Whether a declaration says how it is enumerated (rather than why it is not). */
export function isEnumerable<I>(enumerate: Enumeration<I> | NotEnumerable | undefined): enumerate is Enumeration<I> {
  return enumerate !== undefined && "list" in enumerate;
}

/** The part of a declaration listing needs: its kind and how it is enumerated. */
export interface EnumerableDeclaration {
  kind: string;
  enumerate?: Enumeration<never> | Enumeration<Record<string, unknown>> | NotEnumerable;
}

/**
 * Every object of one kind, listing first the kinds it is listed through
 * (its references: workspaces for keys, guardrails for assignments), each at
 * most once: what a plural look-up or a recovery after an interrupted `up`
 * needs without the whole importer. Not-importable kinds fail naming why.
 */
export async function listKind(kind: string, declarations: readonly EnumerableDeclaration[], ctx: LifecycleContext): Promise<ListedObject[]> {
  const listed = new Map<string, Promise<ListedObject[]>>();
  const list = (wanted: string): Promise<ListedObject[]> => {
    const known = listed.get(wanted);
    if (known) return known;
    const declaration = declarations.find((d) => d.kind === wanted);
    if (!declaration) throw new Error(`${wanted} is not a declared resource`);
    const enumerate = declaration.enumerate;
    if (!isEnumerable(enumerate)) throw new Error(`${wanted} cannot be listed: ${enumerate?.notImportable ?? "its declaration does not say how"}`);
    const promise = (async () => {
      const references = Object.values((enumerate as Enumeration<Record<string, unknown>>).references ?? {}).map((r) => r!.kind).filter((k) => k !== wanted);
      const parents = new Map<string, ListedObject[]>();
      for (const parent of references) parents.set(parent, await list(parent));
      return (enumerate as Enumeration<Record<string, unknown>>).list(ctx, (k) => parents.get(k) ?? []);
    })();
    listed.set(wanted, promise);
    return promise;
  };
  return list(kind);
}
