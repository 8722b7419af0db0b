/** Group commit: one write in flight, the items queued meanwhile in the next, same keys never together. */
import { GroupCommit } from "../../../provider/coalesce";

function recorder(fail: (item: string) => boolean = () => false) {
  const batches: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (items: string[]) => {
    batches.push(items);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 20));
    inFlight--;
    return items.map((item) => (fail(item) ? new Error(`bad ${item}`) : undefined));
  };
  return { batches, write, maxInFlight: () => maxInFlight };
}

test("a lone item is written at once; items arriving during a write go together in the next", async () => {
  const r = recorder();
  const writer = new GroupCommit<string>(r.write, 100, (item) => item);
  const first = writer.submit("a");
  await new Promise((resolve) => setTimeout(resolve, 5));
  await Promise.all([first, writer.submit("b"), writer.submit("c"), writer.submit("d")]);
  expect(r.batches).toEqual([["a"], ["b", "c", "d"]]);
  expect(r.maxInFlight()).toBe(1);
});

test("each item gets its own result; a failing item does not fail the others", async () => {
  const r = recorder((item) => item === "bad");
  const writer = new GroupCommit<string>(r.write, 100, (item) => item);
  const results = await Promise.allSettled(["x", "bad", "y"].map((item) => writer.submit(item)));
  expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect((results[1] as PromiseRejectedResult).reason.message).toBe("bad bad");
});

test("two items with the same key never share a write, and keep their order", async () => {
  const r = recorder();
  const writer = new GroupCommit<{ key: string; value: number }>(async (items) => r.write(items.map((i) => `${i.key}=${i.value}`)), 100, (i) => i.key);
  await Promise.all([writer.submit({ key: "w", value: 1 }), writer.submit({ key: "w", value: 2 }), writer.submit({ key: "v", value: 1 })]);
  expect(r.batches).toEqual([["w=1"], ["w=2", "v=1"]]);
});

test("batches are capped at maxItems", async () => {
  const r = recorder();
  const writer = new GroupCommit<string>(r.write, 2, (item) => item);
  await Promise.all(["a", "b", "c", "d", "e"].map((item) => writer.submit(item)));
  expect(r.batches.map((batch) => batch.length)).toEqual([1, 2, 2]);
});

test("a write that throws rejects every item of its batch, and the queue goes on", async () => {
  let calls = 0;
  const writer = new GroupCommit<string>(async (items) => {
    calls++;
    if (calls === 1) throw new Error("down");
    return items.map(() => undefined);
  }, 100, (item) => item);
  const first = writer.submit("a").catch((error: Error) => error.message);
  await expect(first).resolves.toBe("down");
  await expect(writer.submit("b")).resolves.toBeUndefined();
});
