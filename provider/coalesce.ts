/**
 * Coalescing within one provider process: concurrent writes to the same bulk
 * endpoint go out as one request, and concurrent identical reads share one
 * request. State lives in the LifecycleContext's processState, never at
 * module scope.
 */

export interface BatchTiming {
  /** Flush when no new item arrived for this long. 0 disables coalescing. */
  idleMs: number;
  /** Flush at the latest this long after the first item. */
  maxWaitMs: number;
  /** Flush as soon as a batch holds this many items. */
  maxItems: number;
}

/** Writes one batch; returns, per item, undefined for success or the item's own error. */
export type BatchWrite<Item> = (items: Item[]) => Promise<(Error | undefined)[]>;

interface Pending<Item> {
  item: Item;
  resolve(): void;
  reject(error: Error): void;
}

/** Collects items submitted close together and writes them with one call. */
export class Coalescer<Item> {
  private pending: Pending<Item>[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: BatchWrite<Item>,
    private readonly timing: BatchTiming,
  ) {}

  /** Resolves when this item's write succeeded; rejects with its own error. */
  submit(item: Item): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.timing.idleMs <= 0 || this.pending.length >= this.timing.maxItems) {
        this.flush();
        return;
      }
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => this.flush(), this.timing.idleMs);
      this.maxTimer ??= setTimeout(() => this.flush(), this.timing.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.maxTimer);
    this.idleTimer = this.maxTimer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.write(batch.map((p) => p.item)).then(
      (results) => batch.forEach((p, i) => (results[i] ? p.reject(results[i]!) : p.resolve())),
      (error: unknown) => batch.forEach((p) => p.reject(error instanceof Error ? error : new Error(String(error)))),
    );
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
