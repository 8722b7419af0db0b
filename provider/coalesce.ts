import { messageOf } from "./errors";

/**
 * Sharing work within one provider process: writes to the same bulk endpoint
 * go out by group commit, and concurrent identical reads share one request.
 * State lives in the LifecycleContext's processState, never at module scope.
 */

/** Writes one batch; returns, per item, undefined for success or the item's own error. Never throws. */
export type BatchWrite<Item> = (items: Item[]) => Promise<(Error | undefined)[]>;

interface Pending<Item> {
  item: Item;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Group commit: one write in flight at a time; every item submitted while it
 * runs goes into the next write. No timer to tune: a lone item is written at
 * once, and batches grow exactly as fast as items arrive during a write.
 */
export class GroupCommit<Item> {
  private queue: Pending<Item>[] = [];
  private writing = false;

  constructor(
    private readonly write: BatchWrite<Item>,
    /** Largest batch. */
    private readonly maxItems: number,
    /** Items with the same key never share a batch, so the later one is applied after the earlier. */
    private readonly keyOf: (item: Item) => string,
  ) {}

  /** Resolves when this item's write succeeded; rejects with its own error. */
  submit(item: Item): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        let results: (Error | undefined)[];
        try {
          results = await this.write(batch.map((p) => p.item));
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(messageOf(error));
          results = batch.map(() => failure);
        }
        batch.forEach((p, i) => (results[i] ? p.reject(results[i]!) : p.resolve()));
      }
    } finally {
      this.writing = false;
    }
  }

  private takeBatch(): Pending<Item>[] {
    const batch: Pending<Item>[] = [];
    const keys = new Set<string>();
    const rest: Pending<Item>[] = [];
    for (const pending of this.queue) {
      const key = this.keyOf(pending.item);
      if (batch.length < this.maxItems && !keys.has(key)) {
        batch.push(pending);
        keys.add(key);
      } else {
        rest.push(pending);
      }
    }
    this.queue = rest;
    return batch;
  }
}

/** The object stored under `key`, created on first use. */
export function processSingleton<T>(state: Map<string, unknown>, key: string, create: () => T): T {
  if (!state.has(key)) state.set(key, create());
  return state.get(key) as T;
}

/** Concurrent calls with the same key share one in-flight promise. */
export function sharedInFlight<T>(state: Map<string, unknown>, key: string, load: () => Promise<T>): Promise<T> {
  const slot = `in-flight:${key}`;
  const existing = state.get(slot) as Promise<T> | undefined;
  if (existing) return existing;
  const promise = load().finally(() => state.delete(slot));
  state.set(slot, promise);
  return promise;
}
