/**
 * What the declarations' `enumerate` hooks share: listing per parent object
 * with bounded concurrency, and the results in a stable order. The endpoints
 * themselves are each vendor's API layer; nothing here knows a kind.
 */
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
