/**
 * The order of an OpenRouter workspace's budget writes: for every pair of
 * valid limit sets (each interval absent or one of a few amounts), applying
 * the planned writes one by one keeps the workspace valid after every write
 * and ends at the new limits. And `check` rejects an invalid set at preview,
 * naming the property.
 */
import { budgetWrites, openrouterWorkspaceBudget } from "../../../provider/openrouter/workspace-budget";

type Interval = "lifetime" | "monthly" | "weekly" | "daily";
type Limits = Partial<Record<Interval, number>>;
const WIDEST_FIRST: Interval[] = ["lifetime", "monthly", "weekly", "daily"];

function valid(limits: Limits): boolean {
  const set = WIDEST_FIRST.filter((i) => limits[i] !== undefined).map((i) => limits[i]!);
  return set.every((limit, index) => index === 0 || limit < set[index - 1]);
}

/** Every valid limit set with amounts from `amounts` (or absent). */
function validSets(amounts: number[]): Limits[] {
  let sets: Limits[] = [{}];
  for (const interval of WIDEST_FIRST) {
    sets = sets.flatMap((set) => [set, ...amounts.map((amount) => ({ ...set, [interval]: amount }))]);
  }
  return sets.filter(valid);
}

test("every planned sequence of writes between two valid sets is valid at each step and ends at the new set", () => {
  const sets = validSets([10, 20, 30, 40, 50]);
  let pairs = 0;
  for (const olds of sets) {
    for (const news of sets) {
      const state: Limits = { ...olds };
      for (const write of budgetWrites(olds, news)) {
        if (write.limit === undefined) delete state[write.interval];
        else state[write.interval] = write.limit;
        if (!valid(state)) throw new Error(`invalid step from ${JSON.stringify(olds)} to ${JSON.stringify(news)}: ${JSON.stringify(state)}`);
      }
      expect(state).toEqual(news);
      pairs++;
    }
  }
  expect(pairs).toBeGreaterThan(10_000);
});

test("unchanged limits are not written", () => {
  expect(budgetWrites({ monthly: 100, daily: 10 }, { monthly: 100, daily: 10 })).toEqual([]);
  expect(budgetWrites({ monthly: 100, daily: 10 }, { monthly: 100, daily: 20 })).toEqual([{ interval: "daily", limit: 20 }]);
});

test("check names the property that breaks the ordering, and asks for at least one limit", async () => {
  const provider = openrouterWorkspaceBudget.provider;
  const workspaceId = "0b6d3b1e-8d7a-4c55-9f5e-2f3c1a7b9e10";
  const failures = async (inputs: Record<string, unknown>) => (await provider.check!({}, { workspaceId, ...inputs })).failures ?? [];
  expect(await failures({ monthlyUsd: 100, weeklyUsd: 50, dailyUsd: 10 })).toEqual([]);
  expect(await failures({ monthlyUsd: 100, dailyUsd: 100 })).toEqual([
    { property: "dailyUsd", reason: expect.stringMatching(/must be less than monthlyUsd \(\$100\).*strictly decrease/) },
  ]);
  expect((await failures({ lifetimeUsd: 10, monthlyUsd: 20, dailyUsd: 30 })).map((f) => f.property)).toEqual(["monthlyUsd", "dailyUsd", "dailyUsd"]);
  expect(await failures({})).toEqual([{ property: "monthlyUsd", reason: expect.stringMatching(/at least one/) }]);
});
