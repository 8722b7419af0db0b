/**
 * Issue 11, case 4: API-key rotation policies and what a write sends.
 * A one-shot rotation can be declared and, once Portkey has done it, does not
 * block `up --refresh`; an API rejection reads as a sentence, never
 * `[object Object]`; a PUT carries only what changed, so it never restarts
 * Portkey's rotation clock.
 */
import { portkey } from "../../sdk";
import type { ApiKeyArgs } from "../../sdk/portkey";
import type { PreviewReport } from "./harness";
import {
  call,
  changedOps,
  errorLines,
  expectFailed,
  expectSucceeded,
  outcome,
  portkeyConfig,
  requests,
  ROUTES,
  setFaults,
  sleep,
  stateIds,
  TYPES,
  useTrustEmulator,
  withStack,
} from "./trust-support";

jest.setTimeout(10 * 60_000);

const emulator = useTrustEmulator();

type KeyArgs = Omit<ApiKeyArgs, "type" | "subType" | "scopes">;

function keysProgram(keys: () => Record<string, KeyArgs>) {
  return async () => {
    for (const [resource, args] of Object.entries(keys())) {
      new portkey.ApiKey(resource, { type: "organisation", subType: "service", scopes: ["workspaces.list"], ...args });
    }
  };
}

const TRANSITION_MS = 1_800_000;

test("4a: a one-shot rotation policy can be declared: sent without rotation_period: null, up succeeds, second preview clean", async () => {
  const nextRotationAt = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
  const program = keysProgram(() => ({ key: { name: "oneshot-4a", rotationPolicy: { nextRotationAt, keyTransitionPeriodMs: TRANSITION_MS } } }));
  await withStack(emulator(), { projectName: "trust-4a", program, config: portkeyConfig(emulator()) }, async (stack) => {
    emulator().clearRequestLog();
    const result = await outcome(stack.up());
    const sent = requests(emulator(), ROUTES.createKey).map((r) => (r.body as { rotation_policy?: unknown }).rotation_policy);
    expect(sent.length).toBeGreaterThan(0);
    for (const policy of sent) expect(policy).not.toHaveProperty("rotation_period", null);
    expectSucceeded(result);
    const id = (await stateIds(stack, TYPES.apiKey)).key;
    expect(emulator().state().api_keys[id].rotation_policy).toMatchObject({
      next_rotation_at: new Date(nextRotationAt).toISOString(),
      key_transition_period_ms: TRANSITION_MS,
    });
    expect(changedOps((await stack.preview()).steps)).toEqual([]);
  });
});

test("4b: once Portkey has done a one-shot rotation, refresh then preview and up succeed with no change to rotationPolicy", async () => {
  let rotationPolicy: KeyArgs["rotationPolicy"];
  const program = keysProgram(() => ({ key: { name: "oneshot-4b", ...(rotationPolicy ? { rotationPolicy } : {}) } }));
  await withStack(emulator(), { projectName: "trust-4b", program, config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    const id = (await stateIds(stack, TYPES.apiKey)).key;
    // The one-shot rotation is set on the key out of band, so this test depends only on what happens after it elapsed.
    const at = new Date(Date.now() + 30_000).toISOString();
    const put = await call(emulator(), "PUT", `/api-keys/${id}`, { rotation_policy: { next_rotation_at: at, key_transition_period_ms: TRANSITION_MS } });
    expect(put.status).toBe(200);
    rotationPolicy = { nextRotationAt: at, keyTransitionPeriodMs: TRANSITION_MS };
    await stack.refresh();
    expect(changedOps((await stack.preview()).steps)).toEqual([]);

    await sleep(Date.parse(at) - Date.now() + 2000);
    const refreshed = await outcome(stack.refresh());
    expectSucceeded(refreshed);
    expect(emulator().state().api_keys[id].last_rotated_at).not.toBeNull(); // Portkey did rotate it

    let preview: PreviewReport | undefined;
    let previewErrors: string[] = [];
    try {
      preview = await stack.preview();
    } catch (error) {
      previewErrors = errorLines(error instanceof Error ? error.message : String(error));
    }
    expect(previewErrors).toEqual([]);
    expect(preview!.diffText).not.toMatch(/^\s*[-+~]\s*rotationPolicy/m); // the CLI marks changed properties
    emulator().clearRequestLog();
    expectSucceeded(await outcome(stack.up()));
    expect(requests(emulator(), ROUTES.updateKey).filter((r) => "rotation_policy" in (r.body as object))).toEqual([]);
  });
});

test("4c: an API rejection names the resource, the HTTP status, the API error code and the request id (never [object Object])", async () => {
  let description = "one";
  let withNewKey = false;
  const program = keysProgram(() => ({
    key: { name: "errors-4c", description },
    ...(withNewKey ? { fresh: { name: "errors-4c-new" } } : {}),
  }));
  await withStack(emulator(), { projectName: "trust-4c", program, config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    description = "two";
    withNewKey = true;
    setFaults(emulator(), {
      failNext: {
        [ROUTES.updateKey]: { times: 20, fault: "unavailable" },
        [ROUTES.createKey]: { times: 20, fault: "unavailable" },
      },
    });
    const result = await outcome(stack.up());
    expectFailed(result);
    expect(result.text).not.toContain("[object Object]");
    for (const resource of ["key", "fresh"]) {
      const lines = result.errors.filter((l) => l.startsWith(`${TYPES.apiKey} (${resource}): error:`)).map((l) => l.replace(/^.*?: error: /, ""));
      const text = lines.join(" | ");
      expect(text).toMatch(/portkey:ApiKey/);
      expect(text).toMatch(/\b503\b/);
      expect(text).toMatch(/\bAB04\b/);
      expect(text).toMatch(/request id/i);
    }
  });
});

test("4c: a create Portkey refuses with 400 names the resource, status, code, request id and Portkey's reason; what preview can tell is refused there, naming the property", async () => {
  const day = 86_400_000;
  let transition = 30.5 * day; // Portkey's month may be 30 days: only the API can refuse this
  const program = keysProgram(() => ({ refused: { name: "errors-4c-400", rotationPolicy: { rotationPeriod: "monthly", keyTransitionPeriodMs: transition } } }));
  await withStack(emulator(), { projectName: "trust-4c-400", program, config: portkeyConfig(emulator()) }, async (stack) => {
    const result = await outcome(stack.up());
    expectFailed(result);
    expect(result.text).not.toContain("[object Object]");
    const text = result.errors.filter((l) => l.startsWith(`${TYPES.apiKey} (refused): error:`)).join(" | ");
    expect(text).toMatch(/portkey:ApiKey 'errors-4c-400'/);
    expect(text).toMatch(/\b400 AB01\b.*key_transition_period_ms must be shorter than the rotation period.*request id [0-9a-f-]{36}/);

    transition = 31 * day;
    await expect(stack.preview()).rejects.toThrow(/rotationPolicy\.keyTransitionPeriodMs.*must be shorter than the rotation period \(31 days/);
  });
});

test("4d: a PUT sends only what changed: no rotation_policy, no expires_at, nothing unchanged; the rotation clock is not restarted", async () => {
  const expiresAt = new Date(Date.now() + 90 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
  let description = "one";
  const program = keysProgram(() => ({
    key: {
      name: "delta-4d",
      description,
      expiresAt,
      rotationPolicy: { rotationPeriod: "monthly" },
      rateLimits: [{ type: "requests", unit: "rpm", value: 60 }],
      usageLimits: { creditLimit: 50, alertThreshold: 40, periodicReset: "monthly" },
      metadata: { team: "a" },
      alertEmails: ["oncall@example.com"],
    },
  }));
  await withStack(emulator(), { projectName: "trust-4d", program, config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    const id = (await stateIds(stack, TYPES.apiKey)).key;
    const before = structuredClone(emulator().state().api_keys[id]);
    await sleep(20); // so a restarted clock would show in the timestamps
    description = "two";
    emulator().clearRequestLog();
    await stack.up();
    const puts = requests(emulator(), ROUTES.updateKey);
    expect(puts.map((p) => Object.keys(p.body as object).sort())).toEqual([["description"]]);
    const after = emulator().state().api_keys[id];
    expect(after.description).toBe("two");
    expect(after.rotation_policy).toEqual(before.rotation_policy);
    expect(after.expires_at).toBe(before.expires_at);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);
  });
});
