/**
 * Creates whose response may be lost, for every resource: the POST is sent
 * once; after an unclear failure (no response, or a server error) the object
 * is looked up by its natural key, and the create recovers only when it can
 * prove which object, if any, it made:
 *
 * - an object counts only if the server created it after this create's first
 *   attempt began (on the server's clock), so nothing that existed before is
 *   ever taken or deleted;
 * - objects that other creates of this process made (same natural key, in the
 *   same `pulumi up`) are excluded: their creates are waited for, and what they
 *   received is theirs;
 * - exactly one remaining object, with no other look-alike create of this
 *   process also unsure of its result, is this create's; it is adopted, or
 *   discarded (deleted, loudly) when it is unusable (an API key whose secret
 *   was in the lost response), and the create goes on;
 * - anything else is ambiguous: the create fails with the candidates' ids and
 *   how to clean up, rather than guess.
 *
 * A 429 never reaches this code as a failure to recover from: the HTTP layer
 * retries it for every method, and nothing is created on a 429.
 */
import { isApiFailure, isUnclear, messageOf, ProviderError } from "./errors";
import { LifecycleContext, sleep } from "./framework";
import { processSingleton } from "./coalesce";
import { TIMING } from "./timing";

/** An object found under the natural key after an unclear failure. */
export interface CreateCandidate {
  id: string;
  /** When the server created it (any Date-parsable text); unknown means it cannot be proven new. */
  createdAt?: string | null;
}

export interface RecoverableCreate<Created> {
  /** For messages, e.g. "Portkey workspace 'dev'". */
  what: string;
  /** Creates with the same natural key can make look-alike objects, e.g. "portkey:Workspace:dev". */
  naturalKey: string;
  /** The one POST (the HTTP layer has already retried a 429). */
  post(): Promise<Created>;
  idOf(created: Created): string;
  /** Every object carrying the natural key now, and the server's clock when it answered. */
  findCandidates(): Promise<{ candidates: CreateCandidate[]; serverTime?: number }>;
  /** What to do with the one object proven to be this create's. */
  recover: { adopt(candidate: CreateCandidate): Promise<Created> } | { discard(candidate: CreateCandidate): Promise<void>; why: string };
  /** How a person removes a stray object, e.g. "delete it in the Portkey UI (API keys) or with DELETE /api-keys/{id}". */
  cleanup: string;
}

const CREATE_RECOVERY_TIMING = TIMING.createRecovery;

/** Where an interrupted run's leftovers are settled (docs/troubleshooting.md names the same command). */
export const RECOVER_POINTER =
  "if an earlier `pulumi up` was interrupted (pending operations from previous deployment), `pulumi-ai-gateway recover` settles what it left; otherwise they are not this stack's.";

/** One create in flight in this process, as its look-alikes see it. */
interface InFlightCreate {
  /** Settles when the POST now in flight has answered (or failed). */
  posting: Promise<void> | undefined;
  /** True while this create does not know whether its POST made an object. */
  unsure: boolean;
}

interface LookAlikes {
  creates: Set<InFlightCreate>;
  /** Ids that creates of this process received or proved as theirs. */
  claimed: Set<string>;
}

/** A create whose result could not be proven: the message lists the candidates and the clean-up. */
export class AmbiguousCreateError extends ProviderError {
  override readonly name = "AmbiguousCreateError";
}

export async function createWithRecovery<Created>(ctx: LifecycleContext, spec: RecoverableCreate<Created>): Promise<Created> {
  const lookAlikes = processSingleton<LookAlikes>(ctx.processState, `creates:${spec.naturalKey}`, () => ({ creates: new Set(), claimed: new Set() }));
  const self: InFlightCreate = { posting: undefined, unsure: false };
  lookAlikes.creates.add(self);
  const firstAttemptAt = Date.now();
  try {
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      let done!: () => void;
      self.posting = new Promise<void>((resolve) => (done = resolve));
      try {
        const created = await spec.post();
        lookAlikes.claimed.add(spec.idOf(created));
        return created;
      } catch (error) {
        failure = error;
      } finally {
        done();
        self.posting = undefined;
      }
      if (!isUnclear(failure)) throw failure;
      self.unsure = true;
      await sleep(CREATE_RECOVERY_TIMING.lookupDelayMs * attempt);
      const candidates = await provenCandidates(ctx, spec, lookAlikes, self, firstAttemptAt);
      const othersUnsure = [...lookAlikes.creates].some((other) => other !== self && other.unsure);
      if (candidates.length === 0) {
        // Nothing was made: the failure happened before the server acted.
        self.unsure = false;
        if (attempt >= CREATE_RECOVERY_TIMING.maxAttempts) throw failure;
        continue;
      }
      if (candidates.length > 1 || othersUnsure) throw ambiguous(spec, candidates, failure, othersUnsure);
      const [mine] = candidates;
      lookAlikes.claimed.add(mine.id);
      self.unsure = false;
      if ("adopt" in spec.recover) {
        ctx.warn(`the create call for ${spec.what} lost its response, but it had been created (${mine.id}); using it.`);
        return await spec.recover.adopt(mine);
      }
      try {
        await discardProven(spec.recover.discard, mine);
      } catch (error) {
        throw new Error(
          `The create call for ${spec.what} lost its response after creating ${mine.id}, ${spec.recover.why}, ` +
            `and deleting it failed: ${messageOf(error)}. Delete ${mine.id} by hand (${spec.cleanup}), then run \`pulumi up\` again.`,
        );
      }
      ctx.warn(`the create call for ${spec.what} lost its response after creating ${mine.id}; ${spec.recover.why}, so it was deleted and is created again.`);
      if (attempt >= CREATE_RECOVERY_TIMING.maxAttempts) throw failure;
    }
  } finally {
    lookAlikes.creates.delete(self);
  }
}

/**
 * Objects under the natural key that appeared since the first attempt and
 * that no other create of this process has received. Look-alike POSTs still
 * in flight are waited for after the look-up, so an object one of them made
 * is never mistaken for this create's.
 */
async function provenCandidates<Created>(
  ctx: LifecycleContext,
  spec: RecoverableCreate<Created>,
  lookAlikes: LookAlikes,
  self: InFlightCreate,
  firstAttemptAt: number,
): Promise<CreateCandidate[]> {
  const { candidates, serverTime, answeredAt } = await lookUp(spec, firstAttemptAt);
  // The server stamped its clock somewhere between sending and answering (the HTTP layer may have retried in
  // between, for seconds): taking the local time of the answer gives the smallest offset, so nothing new is
  // ever judged old.
  const clockOffset = serverTime === undefined ? 0 : serverTime - answeredAt;
  const notBefore = firstAttemptAt + clockOffset - CREATE_RECOVERY_TIMING.clockToleranceMs;
  await Promise.all([...lookAlikes.creates].filter((other) => other !== self && other.posting).map((other) => other.posting));
  const older: string[] = [];
  const proven = candidates.filter((candidate) => {
    if (lookAlikes.claimed.has(candidate.id)) return false;
    const created = candidate.createdAt ? Date.parse(candidate.createdAt) : NaN;
    // Unknown creation time: it cannot be shown to be older, so it stays a candidate (and makes the case ambiguous).
    const isNew = Number.isNaN(created) || created >= notBefore;
    if (!isNew) older.push(candidate.id);
    return isNew;
  });
  // Never this create's; but a look-alike left by an interrupted `up` is one the stack should settle.
  if (older.length > 0) ctx.warn(`${spec.what} has look-alikes made before this create (${older.join(", ")}): ${RECOVER_POINTER}`);
  return proven;
}

/**
 * The look-up, retried for as long as its own failures are transient: if it
 * cannot be done, nobody knows whether the object exists, and the message says
 * exactly what to check before running again.
 */
async function lookUp<Created>(
  spec: RecoverableCreate<Created>,
  firstAttemptAt: number,
): Promise<{ candidates: CreateCandidate[]; serverTime?: number; answeredAt: number }> {
  for (let round = 1; ; round++) {
    try {
      const found = await spec.findCandidates();
      return { ...found, answeredAt: Date.now() };
    } catch (error) {
      const transient = isUnclear(error) || isApiFailure(error, "rate-limited");
      if (!transient || round >= CREATE_RECOVERY_TIMING.lookupRounds) {
        throw new Error(
          `The create call for ${spec.what} failed without a clear answer, and looking it up afterwards failed too (${messageOf(error)}). ` +
            `It may exist: before running \`pulumi up\` again, look for it (created at or after ${new Date(firstAttemptAt).toISOString()}) ` +
            `and delete it if it is there (${spec.cleanup}), or the next run creates a second one.`,
        );
      }
      await sleep(CREATE_RECOVERY_TIMING.lookupRoundDelayMs * round);
    }
  }
}

/**
 * Deletes the object this create proved its own, retried for as long as the
 * API's failures are transient: giving up leaves a live object no one can use,
 * which the next run cannot see and duplicates.
 */
async function discardProven(discard: (candidate: CreateCandidate) => Promise<void>, mine: CreateCandidate): Promise<void> {
  for (let round = 1; ; round++) {
    try {
      return await discard(mine);
    } catch (error) {
      const transient = isUnclear(error) || isApiFailure(error, "rate-limited");
      if (!transient || round >= CREATE_RECOVERY_TIMING.lookupRounds) throw error;
      await sleep(CREATE_RECOVERY_TIMING.lookupRoundDelayMs * round);
    }
  }
}

function ambiguous<Created>(spec: RecoverableCreate<Created>, candidates: CreateCandidate[], failure: unknown, othersUnsure: boolean): AmbiguousCreateError {
  const listed = candidates.map((c) => `${c.id}${c.createdAt ? ` (created ${c.createdAt})` : ""}`).join(", ");
  const why = othersUnsure
    ? "another create with the same name in this run also lost its response, so which object belongs to which cannot be told"
    : "more than one new object carries its name";
  return new AmbiguousCreateError(
    `The create call for ${spec.what} failed without a clear answer (${messageOf(failure)}), and ${why}. ` +
      `Candidates: ${listed}. Nothing was adopted or deleted. Check them, delete the ones no one uses (${spec.cleanup}), ` +
      "then run `pulumi up` again; a name that is unique in its scope avoids this. " + RECOVER_POINTER.replace(/^if/, "If"),
  );
}

/**
 * Reads an object back after a write until `matches` holds (backing off), for
 * APIs that can echo the previous state for a moment. `read` answers
 * undefined while the object does not show yet: with `waitForMissing` that is
 * waited out too, else it fails at once with `missing()`. When the deadline
 * passes, `onTimeout` decides (typically: trust what was written).
 */
export async function readUntilConsistent<T>(options: {
  read: () => Promise<T | undefined>;
  matches: (value: T) => boolean;
  onTimeout: (value: T) => T;
  missing: () => Error;
  waitForMissing?: boolean;
}): Promise<T> {
  const timing = TIMING.readAfterWrite;
  const deadline = Date.now() + timing.deadlineMs;
  for (let delay: number = timing.firstDelayMs; ; delay = Math.min(delay * 2, timing.maxDelayMs)) {
    const value = await options.read();
    const timedOut = Date.now() + delay > deadline;
    if (value === undefined) {
      if (!options.waitForMissing || timedOut) throw options.missing();
    } else {
      if (options.matches(value)) return value;
      if (timedOut) return options.onTimeout(value);
    }
    await sleep(delay);
  }
}
