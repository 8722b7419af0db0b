/**
 * Deterministic faults (failNext, each kind, for both services), per-route
 * latency, and the request log that other suites use to check what a client
 * sent and when.
 */
import { RunningEmulator, startEmulator } from "../../../emulator";
import { ADMIN_KEY, call, callOpenRouter, errorCode } from "../../support/emulator";

let emulator: RunningEmulator;

beforeEach(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY] });
});

afterEach(async () => {
  await emulator.stop();
});

const workspacesNamed = (name: string) => Object.values(emulator.state().workspaces).filter((w) => w.name === name);

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${emulator.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

describe("failNext", () => {
  test("a number keeps its meaning: the next N requests of the route answer 503 before doing anything", async () => {
    emulator.setFaults({ failNext: { "POST /admin/workspaces": 2 } });
    for (let i = 0; i < 2; i++) {
      const failed = await call(emulator, "POST", "/admin/workspaces", { name: "Numbered" });
      expect(failed.status).toBe(503);
      expect(errorCode(failed)).toBe("AB04");
    }
    expect(workspacesNamed("Numbered")).toHaveLength(0);
    expect((await call(emulator, "POST", "/admin/workspaces", { name: "Numbered" })).status).toBe(200);
    expect(workspacesNamed("Numbered")).toHaveLength(1);
  });

  test("only the named route is hit; other routes answer normally", async () => {
    emulator.setFaults({ failNext: { "GET /admin/workspaces/{workspaceId}": 1 } });
    const created = await call(emulator, "POST", "/admin/workspaces", { name: "Other route" });
    expect(created.status).toBe(200);
    expect((await call(emulator, "GET", "/admin/workspaces")).status).toBe(200);
    expect((await call(emulator, "GET", `/admin/workspaces/${created.body.id}`)).status).toBe(503);
    expect((await call(emulator, "GET", `/admin/workspaces/${created.body.id}`)).status).toBe(200);
  });

  test('"unavailable": 503 before doing anything', async () => {
    emulator.setFaults({ failNext: { "POST /admin/workspaces": { times: 1, fault: "unavailable" } } });
    const failed = await call(emulator, "POST", "/admin/workspaces", { name: "Unavailable" });
    expect(failed.status).toBe(503);
    expect(errorCode(failed)).toBe("AB04");
    expect(workspacesNamed("Unavailable")).toHaveLength(0);
  });

  test('"rate-limited": 429 AB06 with Retry-After: 1, before doing anything', async () => {
    emulator.setFaults({ failNext: { "POST /admin/workspaces": { times: 1, fault: "rate-limited" } } });
    const limited = await call(emulator, "POST", "/admin/workspaces", { name: "Limited" });
    expect(limited.status).toBe(429);
    expect(errorCode(limited)).toBe("AB06");
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(workspacesNamed("Limited")).toHaveLength(0);
  });

  test('"not-found": 404 AB08 before doing anything', async () => {
    const created = await call(emulator, "POST", "/admin/workspaces", { name: "Findable" });
    emulator.setFaults({ failNext: { "PUT /admin/workspaces/{workspaceId}": { times: 1, fault: "not-found" } } });
    const missing = await call(emulator, "PUT", `/admin/workspaces/${created.body.id}`, { description: "changed" });
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe("AB08");
    expect(emulator.state().workspaces[created.body.id].description).toBeNull();
  });

  test('"lost-response": the write is committed, then the connection is destroyed without an answer', async () => {
    emulator.setFaults({ failNext: { "POST /admin/workspaces": { times: 1, fault: "lost-response" } } });
    await expect(call(emulator, "POST", "/admin/workspaces", { name: "Lost" })).rejects.toThrow();
    expect(workspacesNamed("Lost")).toHaveLength(1);
    expect(emulator.requestLog().at(-1)).toMatchObject({ route: "POST /admin/workspaces", status: 0 });
  });

  test('"committed-unavailable": the write is committed, then answered 503', async () => {
    emulator.setFaults({ failNext: { "PUT /integrations/{slug}/workspaces": { times: 1, fault: "committed-unavailable" } } });
    const ws = await call(emulator, "POST", "/admin/workspaces", { name: "Granted" });
    await call(emulator, "POST", "/integrations", { name: "i", slug: "fault-openai", ai_provider_id: "openai", key: "sk-test-fake-key-12345" });
    const put = await call(emulator, "PUT", "/integrations/fault-openai/workspaces", { workspaces: [{ id: ws.body.id, enabled: true }] });
    expect(put.status).toBe(503);
    expect(errorCode(put)).toBe("AB04");
    expect(emulator.state().integrations["fault-openai"].access[ws.body.id]?.enabled).toBe(true);
  });

  test("an after-execution fault spoils the answer even when the request itself failed (nothing is committed then)", async () => {
    emulator.setFaults({ failNext: { "POST /admin/workspaces": { times: 2, fault: "committed-unavailable" } } });
    expect((await call(emulator, "POST", "/admin/workspaces", { name: 42 })).status).toBe(503);
    expect((await call(emulator, "POST", "/admin/workspaces", { name: "Second" })).status).toBe(503);
    expect(workspacesNamed("Second")).toHaveLength(1);
    expect(Object.values(emulator.state().workspaces).filter((w) => !w.is_default)).toHaveLength(1);
    expect((await call(emulator, "POST", "/admin/workspaces", { name: "Third" })).status).toBe(200);
  });

  test("OpenRouter routes are named with 'openrouter' before the template and answer in OpenRouter's envelope", async () => {
    emulator.setFaults({
      failNext: {
        "POST openrouter /workspaces": { times: 1, fault: "rate-limited" },
        "GET openrouter /workspaces/{id}": { times: 1, fault: "not-found" },
        "PATCH openrouter /workspaces/{id}": 1,
        "POST openrouter /keys": { times: 1, fault: "committed-unavailable" },
        "DELETE openrouter /keys/{hash}": { times: 1, fault: "lost-response" },
      },
    });
    const limited = await callOpenRouter(emulator, "POST", "/workspaces", { name: "Team", slug: "team" });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: { code: 429, message: expect.any(String) } });
    expect(limited.headers.get("retry-after")).toBe("1");
    const created = await callOpenRouter(emulator, "POST", "/workspaces", { name: "Team", slug: "team" });
    expect(created.status).toBe(201);
    const missing = await callOpenRouter(emulator, "GET", "/workspaces/team");
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 404 } } });
    const unavailable = await callOpenRouter(emulator, "PATCH", "/workspaces/team", { description: "x" });
    expect(unavailable).toMatchObject({ status: 503, body: { error: { code: 503 } } });
    const key = await callOpenRouter(emulator, "POST", "/keys", { name: "committed" });
    expect(key.status).toBe(503);
    const [stored] = Object.values(emulator.openrouterState().keys);
    expect(stored.name).toBe("committed");
    await expect(callOpenRouter(emulator, "DELETE", `/keys/${stored.hash}`)).rejects.toThrow();
    expect(emulator.openrouterState().keys[stored.hash].deleted_at).not.toBeNull();
  });

  test("a planned fault takes its request's random draw, so the seeded sequence of the other requests is unchanged", async () => {
    async function statuses(planned: boolean): Promise<number[]> {
      const e = await startEmulator({ adminKeys: [ADMIN_KEY], faultRate: 0.5, seed: 11 });
      if (planned) e.setFaults({ failNext: { "GET /admin/workspaces": { times: 1, fault: "not-found" } } });
      const seen: number[] = [];
      try {
        for (let i = 0; i < 12; i++) seen.push((await call(e, "GET", "/admin/workspaces")).status);
      } finally {
        await e.stop();
      }
      return seen;
    }
    const plain = await statuses(false);
    const withPlan = await statuses(true);
    expect(withPlan[0]).toBe(404);
    expect(withPlan.slice(1)).toEqual(plain.slice(1));
    expect(new Set(plain).size).toBeGreaterThan(1);
  });

  test("the control endpoint accepts both shapes and refuses invalid ones and unknown routes", async () => {
    const set = await control("PUT", "/_emulator/faults", {
      failNext: { "GET /api-keys/{id}": 2, "POST /api-keys/{type}/{sub-type}": { times: 1, fault: "lost-response" } },
      routeLatencyMs: { "GET /admin/workspaces": 5 },
    });
    expect(set.status).toBe(200);
    expect(set.body.failNext).toEqual({ "GET /api-keys/{id}": 2, "POST /api-keys/{type}/{sub-type}": { times: 1, fault: "lost-response" } });
    expect(set.body.routeLatencyMs).toEqual({ "GET /admin/workspaces": 5 });
    // Merging per route; 0 removes a route.
    const merged = await control("PUT", "/_emulator/faults", { failNext: { "GET /api-keys/{id}": 0 }, routeLatencyMs: { "GET /admin/workspaces": 0 } });
    expect(merged.body.failNext).toEqual({ "POST /api-keys/{type}/{sub-type}": { times: 1, fault: "lost-response" } });
    expect(merged.body.routeLatencyMs).toEqual({});

    for (const bad of [
      { failNext: { "GET /api-keys/{key}": 1 } },
      { failNext: { "GET /api-keys/{id}": { times: 1, fault: "exploded" } } },
      { failNext: { "GET /api-keys/{id}": -1 } },
      { routeLatencyMs: { "GET /admin/workspaces": "slow" } },
      { faultRate: 2 },
    ]) {
      const refused = await control("PUT", "/_emulator/faults", bad);
      expect(refused.status).toBe(400);
    }
    expect(() => emulator.setFaults({ failNext: { "GET /nope": 1 } })).toThrow(/unknown route/);
    // A refused setting changes nothing.
    expect((await control("PUT", "/_emulator/faults", {})).body.failNext).toEqual({ "POST /api-keys/{type}/{sub-type}": { times: 1, fault: "lost-response" } });
  });

  test("faults given at start work like set ones", async () => {
    const e = await startEmulator({ adminKeys: [ADMIN_KEY], failNext: { "GET /admin/workspaces": { times: 1, fault: "not-found" } } });
    try {
      expect((await call(e, "GET", "/admin/workspaces")).status).toBe(404);
      expect((await call(e, "GET", "/admin/workspaces")).status).toBe(200);
    } finally {
      await e.stop();
    }
  });
});

describe("routeLatencyMs", () => {
  test("delays only the named route, on top of latencyMs", async () => {
    emulator.setFaults({ latencyMs: 20, routeLatencyMs: { "GET /admin/workspaces": 150 } });
    await call(emulator, "GET", "/admin/workspaces");
    await call(emulator, "GET", "/api-keys");
    const [slow, plain] = emulator.requestLog();
    expect(slow.finishedAt - slow.startedAt).toBeGreaterThanOrEqual(165);
    expect(plain.finishedAt - plain.startedAt).toBeGreaterThanOrEqual(15);
  });
});

describe("request log", () => {
  test("records service, route name, path, query, parsed body, status and times", async () => {
    const created = await call(emulator, "POST", "/admin/workspaces", { name: "Logged", defaults: { metadata: { a: "b" } } });
    await call(emulator, "GET", `/admin/workspaces/${created.body.slug}?name_format=plain`);
    await call(emulator, "POST", "/admin/workspaces", "{not json");
    await call(emulator, "GET", "/no/such/route");
    const key = await callOpenRouter(emulator, "POST", "/keys", { name: "or-key", limit: 5 });
    await callOpenRouter(emulator, "PATCH", `/keys/${key.body.data.hash}`, { disabled: true });
    await callOpenRouter(emulator, "GET", "/keys?include_disabled=true");

    const log = emulator.requestLog();
    expect(log.map((e) => [e.service, e.route, e.status])).toEqual([
      ["portkey", "POST /admin/workspaces", 200],
      ["portkey", "GET /admin/workspaces/{workspaceId}", 200],
      ["portkey", "POST /admin/workspaces", 400],
      ["portkey", "GET /no/such/route", 404],
      ["openrouter", "POST openrouter /keys", 201],
      ["openrouter", "PATCH openrouter /keys/{hash}", 200],
      ["openrouter", "GET openrouter /keys", 200],
    ]);
    expect(log[0]).toEqual({
      service: "portkey",
      method: "POST",
      route: "POST /admin/workspaces",
      path: "/admin/workspaces",
      query: {},
      body: { name: "Logged", defaults: { metadata: { a: "b" } } },
      status: 200,
      startedAt: expect.any(Number),
      finishedAt: expect.any(Number),
    });
    expect(log[1]).toMatchObject({ path: `/admin/workspaces/${created.body.slug}`, query: { name_format: "plain" }, body: undefined });
    expect(log[2].body).toBeUndefined(); // not JSON
    expect(log[5]).toMatchObject({ method: "PATCH", path: `/keys/${key.body.data.hash}`, body: { disabled: true } });
    expect(log[6].query).toEqual({ include_disabled: "true" });
    for (const entry of log) expect(entry.finishedAt).toBeGreaterThanOrEqual(entry.startedAt);
    // Control endpoints are not logged.
    await fetch(`${emulator.url}/_emulator/state`);
    expect(emulator.requestLog()).toHaveLength(log.length);
  });

  test("times allow overlap checks: concurrent requests overlap, sequential ones do not", async () => {
    emulator.setFaults({ routeLatencyMs: { "GET /admin/workspaces": 100 } });
    await Promise.all([call(emulator, "GET", "/admin/workspaces"), call(emulator, "GET", "/admin/workspaces")]);
    await call(emulator, "GET", "/api-keys");
    const [a, b, c] = emulator.requestLog();
    expect(a.startedAt < b.finishedAt && b.startedAt < a.finishedAt).toBe(true);
    expect(c.startedAt).toBeGreaterThanOrEqual(Math.max(a.finishedAt, b.finishedAt));
  });

  test("status 0 marks dropped connections, injected faults show their status", async () => {
    emulator.setFaults({
      failNext: {
        "GET /admin/workspaces": { times: 1, fault: "rate-limited" },
        "POST /admin/workspaces": { times: 1, fault: "lost-response" },
      },
    });
    await call(emulator, "GET", "/admin/workspaces");
    await call(emulator, "POST", "/admin/workspaces", { name: "Dropped" }).catch(() => undefined);
    expect(emulator.requestLog().map((e) => e.status)).toEqual([429, 0]);
  });

  test("GET and DELETE /_emulator/requests/log; clearRequestLog; reset clears it too", async () => {
    await call(emulator, "GET", "/admin/workspaces");
    const listed = await control("GET", "/_emulator/requests/log");
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([expect.objectContaining({ route: "GET /admin/workspaces", status: 200 })]);
    expect(await control("DELETE", "/_emulator/requests/log")).toEqual({ status: 200, body: { cleared: true } });
    expect(emulator.requestLog()).toEqual([]);
    await call(emulator, "GET", "/admin/workspaces");
    emulator.clearRequestLog();
    expect(emulator.requestLog()).toEqual([]);
    await call(emulator, "GET", "/admin/workspaces");
    await control("POST", "/_emulator/reset");
    expect(emulator.requestLog()).toEqual([]);
  });

  test("is bounded: only the most recent entries are kept", async () => {
    const small = await startEmulator({ adminKeys: [ADMIN_KEY], requestLogLimit: 3 });
    try {
      for (let i = 0; i < 5; i++) await call(small, "GET", `/admin/workspaces?current_page=${i}`);
      expect(small.requestLog().map((e) => e.query.current_page)).toEqual(["2", "3", "4"]);
    } finally {
      await small.stop();
    }
  });

  test("returns copies", async () => {
    await call(emulator, "POST", "/admin/workspaces", { name: "Copied" });
    const [entry] = emulator.requestLog();
    (entry.body as { name: string }).name = "changed";
    entry.status = 999;
    expect(emulator.requestLog()[0]).toMatchObject({ status: 200, body: { name: "Copied" } });
  });
});
