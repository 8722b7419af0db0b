/**
 * Issue 11, case 1: a create's recovery never adopts or deletes an object it
 * cannot prove it made. Two same-named resources are created in one `up`
 * while one create fails without a clear answer; a 429 is simply retried; a
 * failed orphan delete is reported, not swallowed.
 *
 * Listing is slowed down (routeLatencyMs) so the sibling's create has always
 * finished when the failed create looks for what it may have made.
 */
import { openrouter, portkey } from "../../sdk";
import {
  errorLines,
  expectFailed,
  expectSucceeded,
  fixtureWorkspace,
  liveKeys,
  liveWorkspaces,
  openrouterConfig,
  outcome,
  portkeyConfig,
  requests,
  ROUTES,
  setFaults,
  stateIds,
  TYPES,
  useTrustEmulator,
  warningLines,
  withStack,
} from "./trust-support";

jest.setTimeout(10 * 60_000);

const emulator = useTrustEmulator();

function twinKeys(workspaceId: string, name: string) {
  return async () => {
    for (const resource of ["first", "second"]) {
      new portkey.ApiKey(resource, { type: "workspace", subType: "service", workspaceId, name, scopes: ["completions.write"] });
    }
  };
}

function twinWorkspaces(name: string) {
  return async () => {
    for (const resource of ["first", "second"]) new portkey.Workspace(resource, { name, forceDelete: true });
  };
}

function deletedKeys(name: string): string[] {
  return Object.values(emulator().state().api_keys).filter((k) => k.name === name && k.deleted_at).map((k) => k.id);
}

test("1a: two same-named keys, one create answered 503: both keys exist, nothing was deleted, no id shared", async () => {
  const ws = await fixtureWorkspace(emulator(), "Recovery 1a");
  const name = "twin-1a";
  await withStack(emulator(), { projectName: "trust-1a", program: twinKeys(ws.id, name), config: portkeyConfig(emulator()) }, async (stack) => {
    setFaults(emulator(), {
      failNext: { [ROUTES.createKey]: { times: 1, fault: "unavailable" } },
      routeLatencyMs: { [ROUTES.listKeys]: 300 },
    });
    const result = await outcome(stack.up());
    expectSucceeded(result);
    // The 503 came before anything was done: no key was made that needed deleting.
    expect(deletedKeys(name)).toEqual([]);
    const ids = Object.values(await stateIds(stack, TYPES.apiKey));
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect(liveKeys(emulator(), name).map((k) => k.id).sort()).toEqual([...ids].sort());
    expect(warningLines(result.text).filter((w) => /delet/i.test(w))).toEqual([]);
  });
});

test("1a (OpenRouter): same-named keys, one declared without a workspace and one naming the default workspace, one create answered 503: both exist, nothing deleted", async () => {
  const name = "twin-1a-or";
  const defaultWorkspace = Object.values(emulator().openrouterState().workspaces).find((w) => w.is_default)!;
  const program = async () => {
    new openrouter.ApiKey("implicit", { name });
    new openrouter.ApiKey("explicit", { name, workspaceId: defaultWorkspace.id });
  };
  await withStack(emulator(), { projectName: "trust-1a-or", program, config: openrouterConfig(emulator()) }, async (stack) => {
    setFaults(emulator(), {
      failNext: { "POST openrouter /keys": { times: 1, fault: "unavailable" } },
      routeLatencyMs: { "GET openrouter /keys": 300 },
    });
    const result = await outcome(stack.up());
    // Both keys land in the same list: the failed create must not take the other's key for its own orphan.
    const keys = Object.values(emulator().openrouterState().keys).filter((k) => k.name === name);
    expect(keys.filter((k) => k.deleted_at)).toEqual([]);
    expect(warningLines(result.text).filter((w) => /delet/i.test(w))).toEqual([]);
    expectSucceeded(result);
    const ids = Object.values(await stateIds(stack, "pulumi-nodejs:dynamic/openrouter:ApiKey"));
    expect(new Set(ids).size).toBe(2);
    expect(keys.map((k) => k.hash).sort()).toEqual([...ids].sort());
  });
});

test("1b: two same-named keys, one create's response lost: every key on the server is accounted for, no id shared", async () => {
  const ws = await fixtureWorkspace(emulator(), "Recovery 1b");
  const name = "twin-1b";
  await withStack(emulator(), { projectName: "trust-1b", program: twinKeys(ws.id, name), config: portkeyConfig(emulator()) }, async (stack) => {
    setFaults(emulator(), {
      failNext: { [ROUTES.createKey]: { times: 1, fault: "lost-response" } },
      routeLatencyMs: { [ROUTES.listKeys]: 300 },
    });
    const result = await outcome(stack.up());
    const ids = Object.values(await stateIds(stack, TYPES.apiKey));
    expect(new Set(ids).size).toBe(ids.length);
    // Whatever the state records exists: no resource was left holding a deleted key.
    const live = liveKeys(emulator(), name).map((k) => k.id);
    expect(ids.filter((id) => !live.includes(id))).toEqual([]);
    // Every key with the name is in the state, or the failed up names it and says how to clean up.
    const unaccounted = live.filter((id) => !ids.includes(id) && !(!result.ok && result.text.includes(id) && /delete|clean/i.test(result.text)));
    expect(unaccounted).toEqual([]);
    if (result.ok) expect(ids).toHaveLength(2);
  });
});

test("1c: two same-named workspaces, one create answered 503: they do not record the same id", async () => {
  const name = "Twin 1c";
  await withStack(emulator(), { projectName: "trust-1c", program: twinWorkspaces(name), config: portkeyConfig(emulator()) }, async (stack) => {
    setFaults(emulator(), {
      failNext: { [ROUTES.createWorkspace]: { times: 1, fault: "unavailable" } },
      routeLatencyMs: { [ROUTES.listWorkspaces]: 300 },
    });
    const result = await outcome(stack.up());
    const ids = Object.values(await stateIds(stack, TYPES.workspace));
    expect(ids).toEqual([...new Set(ids)]);
    const live = liveWorkspaces(emulator(), name).map((w) => w.id);
    expect(ids.filter((id) => !live.includes(id))).toEqual([]);
    const unaccounted = live.filter((id) => !ids.includes(id) && !(!result.ok && result.text.includes(id)));
    expect(unaccounted).toEqual([]);
    expectSucceeded(result); // nothing was created by the 503: the create is simply retried
    expect(ids).toHaveLength(2);
  });
});

test("1c: two same-named workspaces, one create's response lost: no shared id, every same-named workspace in state or listed in the error", async () => {
  const name = "Twin 1c lost";
  await withStack(emulator(), { projectName: "trust-1c-lost", program: twinWorkspaces(name), config: portkeyConfig(emulator()) }, async (stack) => {
    setFaults(emulator(), {
      failNext: { [ROUTES.createWorkspace]: { times: 1, fault: "lost-response" } },
      routeLatencyMs: { [ROUTES.listWorkspaces]: 300 },
    });
    const result = await outcome(stack.up());
    const ids = Object.values(await stateIds(stack, TYPES.workspace));
    expect(ids).toEqual([...new Set(ids)]);
    const live = liveWorkspaces(emulator(), name).map((w) => w.id);
    expect(ids.filter((id) => !live.includes(id))).toEqual([]);
    // A workspace nobody records is either impossible, or the failure lists it as a candidate to clean up.
    const unaccounted = live.filter((id) => !ids.includes(id) && !(!result.ok && result.text.includes(id) && /delete|clean/i.test(result.text)));
    expect({ unaccounted, errors: result.ok ? [] : result.errors }).toEqual({ unaccounted: [], errors: expect.anything() });
    if (result.ok) expect(ids).toHaveLength(2);
  });
});

test("1d: a 429 on a create is retried as is: no look-ups because of it, exactly one object made", async () => {
  const program = async () => {
    new portkey.Workspace("ws", { name: "Rate 1d", forceDelete: true });
    new portkey.ApiKey("key", { type: "organisation", subType: "service", name: "rate-1d", scopes: ["workspaces.list"] });
  };
  await withStack(emulator(), { projectName: "trust-1d", program, config: portkeyConfig(emulator()) }, async (stack) => {
    setFaults(emulator(), {
      failNext: {
        [ROUTES.createWorkspace]: { times: 1, fault: "rate-limited" },
        [ROUTES.createKey]: { times: 1, fault: "rate-limited" },
      },
    });
    emulator().clearRequestLog();
    const result = await outcome(stack.up());
    expectSucceeded(result);
    for (const [create, list] of [[ROUTES.createWorkspace, ROUTES.listWorkspaces], [ROUTES.createKey, ROUTES.listKeys]] as const) {
      const posts = requests(emulator(), create);
      expect(posts.map((p) => p.status)).toEqual([429, 200]);
      const between = requests(emulator(), list).filter((r) => r.startedAt >= posts[0].finishedAt && r.startedAt <= posts[1].startedAt);
      expect(between.map((r) => `${r.route}?${new URLSearchParams(r.query)}`)).toEqual([]);
    }
    expect(liveWorkspaces(emulator(), "Rate 1d").map((w) => w.id)).toEqual(Object.values(await stateIds(stack, TYPES.workspace)));
    expect(liveKeys(emulator(), "rate-1d").map((k) => k.id)).toEqual(Object.values(await stateIds(stack, TYPES.apiKey)));
  });
});

test("1e: an orphan that cannot be deleted fails the up, naming the key and the clean-up; no warning says it was deleted", async () => {
  const name = "orphan-1e";
  const program = async () => {
    new portkey.ApiKey("key", { type: "organisation", subType: "service", name, scopes: ["workspaces.list"] });
  };
  await withStack(emulator(), { projectName: "trust-1e", program, config: portkeyConfig(emulator()) }, async (stack) => {
    setFaults(emulator(), {
      failNext: {
        [ROUTES.createKey]: { times: 1, fault: "lost-response" },
        [ROUTES.deleteKey]: { times: 1000, fault: "unavailable" }, // down for longer than every retry round of the discard
      },
    });
    const result = await outcome(stack.up());
    const inState = Object.values(await stateIds(stack, TYPES.apiKey));
    const orphans = liveKeys(emulator(), name).map((k) => k.id).filter((id) => !inState.includes(id));
    expect(orphans).toHaveLength(1); // the delete really failed: the orphan is still there
    expect(warningLines(result.text).filter((w) => /deleted/i.test(w))).toEqual([]);
    expectFailed(result);
    const errors = errorLines(result.text).join("\n");
    expect(errors).toContain(orphans[0]);
    expect(errors).toMatch(/delete/i);
  });
});
