/**
 * Create recovery: after an unclear failure a create adopts or discards only
 * the one object it can prove it made; otherwise it fails listing candidates.
 */
import { ApiError } from "../../../provider/errors";
import { LifecycleContext } from "../../../provider/framework";
import { createWithRecovery, CreateCandidate, RecoverableCreate } from "../../../provider/recovery";

interface Server {
  objects: CreateCandidate[];
  deleted: string[];
}

function context(processState = new Map<string, unknown>()): LifecycleContext & { warnings: string[] } {
  const warnings: string[] = [];
  return { configured: {}, processState, warn: (m) => warnings.push(m), created: () => undefined, warnings };
}

const unavailable = () => new ApiError("Portkey", "POST", "/things", 503, "AB04", "unavailable", "req-1");
const lost = () => new ApiError("Portkey", "POST", "/things", 0, undefined, "no response (ECONNRESET)", undefined);

/** A create whose POST runs `behave` (which may add objects to the server and throw). */
function spec(server: Server, name: string, behave: () => Promise<string>, recover: "adopt" | "discard" = "adopt", discardFails = false): RecoverableCreate<string> {
  return {
    what: `thing '${name}'`,
    naturalKey: `thing:${name}`,
    post: behave,
    idOf: (id) => id,
    findCandidates: async () => ({ candidates: server.objects.filter((o) => o.id.startsWith(name)), serverTime: Date.now() }),
    recover:
      recover === "adopt"
        ? { adopt: async (candidate) => candidate.id }
        : {
            why: "its secret was lost",
            discard: async (candidate) => {
              if (discardFails) throw new Error("delete refused (503)");
              server.deleted.push(candidate.id);
              server.objects = server.objects.filter((o) => o.id !== candidate.id);
            },
          },
    cleanup: "delete it by hand",
  };
}

function make(server: Server, id: string, createdAt = new Date().toISOString()): string {
  server.objects.push({ id, createdAt });
  return id;
}

test("a failure before the server acted is retried, and nothing is looked up as adopted", async () => {
  const server: Server = { objects: [], deleted: [] };
  let calls = 0;
  const ctx = context();
  const id = await createWithRecovery(ctx, spec(server, "a", async () => (++calls === 1 ? Promise.reject(unavailable()) : make(server, "a-1"))));
  expect(id).toBe("a-1");
  expect(calls).toBe(2);
  expect(ctx.warnings).toEqual([]);
});

test("a lost response is recovered by adopting the one new object", async () => {
  const server: Server = { objects: [], deleted: [] };
  const ctx = context();
  const id = await createWithRecovery(ctx, spec(server, "b", async () => {
    make(server, "b-1");
    throw lost();
  }));
  expect(id).toBe("b-1");
  expect(ctx.warnings[0]).toMatch(/lost its response.*b-1/);
});

test("an object that existed before the first attempt is never taken", async () => {
  const server: Server = { objects: [{ id: "c-old", createdAt: new Date(Date.now() - 60_000).toISOString() }], deleted: [] };
  let calls = 0;
  const id = await createWithRecovery(context(), spec(server, "c", async () => (++calls === 1 ? Promise.reject(unavailable()) : make(server, "c-new")), "discard"));
  expect(id).toBe("c-new");
  expect(server.deleted).toEqual([]);
});

test("a look-up that the HTTP layer retried for seconds still finds the object the lost create made", async () => {
  const server: Server = { objects: [], deleted: [] };
  let posts = 0;
  const slowLookUp = spec(server, "s", async () => {
    posts += 1;
    make(server, "s-1");
    throw lost();
  });
  // The list answered only after retries: the server's Date (1 s resolution) is stamped at the answer.
  slowLookUp.findCandidates = async () => {
    await new Promise((resolve) => setTimeout(resolve, 3500));
    return { candidates: [...server.objects], serverTime: Math.floor(Date.now() / 1000) * 1000 };
  };
  const id = await createWithRecovery(context(), slowLookUp);
  expect(id).toBe("s-1");
  expect(posts).toBe(1);
}, 20_000);

test("what a look-alike create of the same process received is never taken or deleted", async () => {
  const server: Server = { objects: [], deleted: [] };
  const ctx = context();
  let failing = 0;
  const sibling = createWithRecovery(ctx, spec(server, "d", async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return make(server, "d-sibling");
  }, "discard"));
  const mine = createWithRecovery(ctx, spec(server, "d", async () => {
    if (++failing === 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw unavailable(); // nothing created
    }
    return make(server, "d-mine");
  }, "discard"));
  expect(await Promise.all([sibling, mine])).toEqual(["d-sibling", "d-mine"]);
  expect(server.deleted).toEqual([]);
});

test("two new objects: the create fails listing both, and deletes nothing", async () => {
  const server: Server = { objects: [], deleted: [] };
  make(server, "e-1");
  const error = await createWithRecovery(context(), spec(server, "e", async () => {
    make(server, "e-2");
    throw lost();
  }, "discard")).catch((e: Error) => e);
  expect((error as Error).message).toMatch(/Candidates: e-1 .*e-2 .*Nothing was adopted or deleted/);
  expect(server.deleted).toEqual([]);
});

test("two look-alike creates both unsure: neither guesses", async () => {
  const server: Server = { objects: [], deleted: [] };
  const ctx = context();
  const failLost = (id: string) => async () => {
    make(server, id);
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw lost();
  };
  const results = await Promise.allSettled([
    createWithRecovery(ctx, spec(server, "f", failLost("f-1"), "discard")),
    createWithRecovery(ctx, spec(server, "f", failLost("f-2"), "discard")),
  ]);
  expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  expect(server.deleted).toEqual([]);
  expect(server.objects.map((o) => o.id)).toEqual(["f-1", "f-2"]);
});

test("a discarded orphan whose delete fails stops the create with its id and how to clean up", async () => {
  const server: Server = { objects: [], deleted: [] };
  const ctx = context();
  const error = await createWithRecovery(ctx, spec(server, "g", async () => {
    make(server, "g-1");
    throw lost();
  }, "discard", true)).catch((e: Error) => e);
  expect((error as Error).message).toMatch(/after creating g-1.*deleting it failed: delete refused \(503\)\. Delete g-1 by hand \(delete it by hand\)/);
  expect(ctx.warnings).toEqual([]); // nothing claims it was deleted
});

test("a discarded orphan's delete is retried while the API's failures are transient (a 503)", async () => {
  const server: Server = { objects: [], deleted: [] };
  const ctx = context();
  let posts = 0;
  let deletes = 0;
  const created = spec(server, "k", async () => {
    if (++posts === 1) {
      make(server, "k-1");
      throw lost();
    }
    make(server, "k-2");
    return "k-2";
  }, "discard");
  const discard = (created.recover as { discard: (c: CreateCandidate) => Promise<void> }).discard;
  created.recover = {
    why: "its secret was lost",
    discard: async (candidate) => {
      if (++deletes === 1) throw unavailable();
      await discard(candidate);
    },
  };
  expect(await createWithRecovery(ctx, created)).toBe("k-2");
  expect({ deletes, deleted: server.deleted, left: server.objects.map((o) => o.id) }).toEqual({ deletes: 2, deleted: ["k-1"], left: ["k-2"] });
});

test("a discarded orphan is deleted, said so, and the create goes on", async () => {
  const server: Server = { objects: [], deleted: [] };
  const ctx = context();
  let calls = 0;
  const id = await createWithRecovery(ctx, spec(server, "h", async () => {
    if (++calls === 1) {
      make(server, "h-1");
      throw lost();
    }
    return make(server, "h-2");
  }, "discard"));
  expect(id).toBe("h-2");
  expect(server.deleted).toEqual(["h-1"]);
  expect(ctx.warnings[0]).toMatch(/h-1.*deleted/);
});

test("a clear failure (4xx, or a 429 the HTTP layer gave up on) is not recovered", async () => {
  const server: Server = { objects: [], deleted: [] };
  const rejected = new ApiError("Portkey", "POST", "/things", 429, "AB06", "slow down", "req-9");
  await expect(createWithRecovery(context(), spec(server, "i", async () => Promise.reject(rejected)))).rejects.toBe(rejected);
});

test("a look-up that fails transiently is retried; one that keeps failing says what to check before running again", async () => {
  const server: Server = { objects: [], deleted: [] };
  let lookups = 0;
  const flaky = spec(server, "j", async () => {
    make(server, "j-1");
    throw lost();
  });
  const find = flaky.findCandidates;
  flaky.findCandidates = async () => (++lookups < 3 ? Promise.reject(unavailable()) : find());
  await expect(createWithRecovery(context(), flaky)).resolves.toBe("j-1");

  const refused = spec(server, "k", async () => {
    make(server, "k-1");
    throw lost();
  });
  refused.findCandidates = async () => Promise.reject(new ApiError("Portkey", "GET", "/things", 401, "AB05", "bad key", "req-2"));
  const error = (await createWithRecovery(context(), refused).catch((e: Error) => e)) as Error;
  expect(error.message).toMatch(/looking it up afterwards failed too .*401 AB05.* It may exist: before running `pulumi up` again, look for it \(created at or after .*\) and delete it if it is there \(delete it by hand\)/);
}, 30_000);
