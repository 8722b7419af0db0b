/**
 * Issue 11, case 8: every rejection by `check` names a property the engine
 * can show: a top-level input name, or, for an unknown key, the key itself.
 * 10,000 seeded random inputs per resource (valid inputs mutated: wrong
 * types, out-of-range values, missing required inputs, unknown keys, nested
 * garbage) go through each provider's `check`.
 */
import { integrationAccessInputSchema, integrationAccessProvider } from "../../../provider/portkey/integration-access";
import { apiKeyInputSchema, apiKeyProvider } from "../../../provider/portkey/api-key";
import { workspaceInputSchema, workspaceProvider } from "../../../provider/portkey/workspace";
import { openrouterApiKeyInputSchema, openrouterApiKeyProvider } from "../../../provider/openrouter/api-key";
import { openrouterWorkspaceInputSchema, openrouterWorkspaceProvider } from "../../../provider/openrouter/workspace";

const INPUTS_PER_RESOURCE = 10_000;

type Json = Record<string, unknown>;

interface Subject {
  kind: string;
  provider: { check?(olds: Json, news: Json): Promise<{ inputs?: Json; failures?: { property: string; reason: string }[] }> };
  names: string[];
  valid: Json;
}

const subjects: Subject[] = [
  { kind: "portkey:Workspace", provider: workspaceProvider, names: Object.keys(workspaceInputSchema().shape), valid: { name: "Team" } },
  {
    kind: "portkey:ApiKey",
    provider: apiKeyProvider,
    names: Object.keys(apiKeyInputSchema().shape),
    valid: { type: "workspace", subType: "service", workspaceId: "ws-team-1a2b3c", name: "ci", scopes: ["completions.write"] },
  },
  {
    kind: "portkey:IntegrationWorkspaceAccess",
    provider: integrationAccessProvider,
    names: Object.keys(integrationAccessInputSchema().shape),
    valid: { integrationSlug: "openai-shared", workspaceId: "ws-team-1a2b3c" },
  },
  { kind: "openrouter:Workspace", provider: openrouterWorkspaceProvider, names: Object.keys(openrouterWorkspaceInputSchema().shape), valid: { name: "Research", slug: "research" } },
  { kind: "openrouter:ApiKey", provider: openrouterApiKeyProvider, names: Object.keys(openrouterApiKeyInputSchema().shape), valid: { name: "ci" } },
];

/** Keys no resource takes: snake_case spellings, typos, other resources' inputs. */
const UNKNOWN_KEYS = [
  "usage_limits", "rate_limits", "workspace_id", "rotation_policy", "limit_reset", "is_data_discount_logging_enabled",
  "Name", "descripton", "foo", "extra", "scope", "credit_limit", "enabled_", "tags", "labels", "icon_url",
];

/** Names that appear inside nested inputs (limits, rotation policies), right and wrong. */
const NESTED_KEYS = [
  "type", "unit", "value", "creditLimit", "alertThreshold", "periodicReset", "periodicResetDays", "rotationPeriod",
  "rotationPeriodDays", "nextRotationAt", "keyTransitionPeriodMs", "credit_limit", "a", "nested",
];

const STRINGS = [
  "", " ", "x", "cost", "tokens", "requests", "rpm", "rpd", "rps", "weekly", "monthly", "daily", "price", "Bad_Slug", "ok-slug",
  "2027-01-31T00:00:00Z", "2020-01-01T00:00:00Z", "2027-01-31", "not-a-date", "oncall@example.com", "not-an-email", "🚀",
  "completions.write", "workspaces.list", "ws-team-1a2b3c", "3f2b8e0c-8a57-4d0e-9a0f-5b1f0e2d7c11", "organisation", "workspace",
  "service", "user", "x".repeat(600),
];

const NUMBERS = [0, -1, 1, 2, 2.5, 0.25, 0.00001, 7, 60, 1_800_000, 1_000_000_000, 366, -0.5];

/** mulberry32: small, seeded, good enough to spread inputs. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(seed: number) {
  const random = seeded(seed);
  const below = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[below(items.length)];
  const value = (depth: number): unknown => {
    switch (below(depth > 2 ? 4 : 7)) {
      case 0: return pick(STRINGS);
      case 1: return pick(NUMBERS);
      case 2: return random() < 0.5;
      case 3: return null;
      case 4: return Array.from({ length: below(4) }, () => value(depth + 1));
      case 5: return Object.fromEntries(Array.from({ length: below(4) }, () => [pick(NESTED_KEYS), value(depth + 1)]));
      default: return [Object.fromEntries(Array.from({ length: 1 + below(3) }, () => [pick(NESTED_KEYS), value(depth + 1)]))];
    }
  };
  return { random, below, pick, value };
}

/** A valid input with 1 to 4 random mutations. */
function randomInput(subject: Subject, gen: ReturnType<typeof generator>): Json {
  const input: Json = gen.random() < 0.1 ? {} : structuredClone(subject.valid);
  const mutations = 1 + gen.below(4);
  for (let i = 0; i < mutations; i++) {
    const roll = gen.random();
    if (roll < 0.5) input[gen.pick(subject.names)] = gen.value(0);
    else if (roll < 0.65) delete input[gen.pick(Object.keys(input).length > 0 ? Object.keys(input) : subject.names)];
    else input[gen.pick(UNKNOWN_KEYS)] = gen.value(0);
  }
  return input;
}

describe.each(subjects)("check of $kind", (subject) => {
  test(`every failure over ${INPUTS_PER_RESOURCE} random inputs names a top-level input or the unknown key itself`, async () => {
    const gen = generator(0x5eed + subject.kind.length * 7919);
    const names = new Set(subject.names);
    const problems: string[] = [];
    let rejected = 0;
    for (let n = 0; n < INPUTS_PER_RESOURCE; n++) {
      const input = randomInput(subject, gen);
      const olds = gen.random() < 0.2 ? structuredClone(subject.valid) : {};
      let failures: { property: string; reason: string }[] | undefined;
      try {
        failures = (await subject.provider.check!(olds, structuredClone(input))).failures;
      } catch (error) {
        problems.push(`threw ${error instanceof Error ? error.message : String(error)} for ${JSON.stringify(input)}`);
        continue;
      }
      if (!failures || failures.length === 0) continue;
      rejected++;
      const unknownKeys = Object.keys(input).filter((key) => !names.has(key));
      for (const failure of failures) {
        const ok = typeof failure.property === "string" && failure.property !== "" && (names.has(failure.property) || unknownKeys.includes(failure.property));
        if (!ok) problems.push(`property ${JSON.stringify(failure.property)} (${failure.reason}) for ${JSON.stringify(input).slice(0, 200)}`);
      }
    }
    expect(rejected).toBeGreaterThan(INPUTS_PER_RESOURCE / 10); // the fuzz does reach the rejections
    expect({ count: problems.length, first: problems.slice(0, 5) }).toEqual({ count: 0, first: [] });
  });
});
