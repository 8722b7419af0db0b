/** The HTTP client against undici's MockAgent: retries, typed errors, redaction. No network. */
import { getGlobalDispatcher, MockAgent, setGlobalDispatcher, Dispatcher } from "undici";
import { ApiError } from "../../../provider/errors";
import { ApiClient, retryWithJitter } from "../../../provider/http";
import { PORTKEY_DIALECT } from "../../../provider/portkey/common";

const BASE = "https://api.portkey.test";
const KEY = "pk-admin-secret-123456";
const FAST = { maxRetries: 3, minBackoffMs: 1, maxBackoffMs: 5, attemptTimeoutMs: 2_000, overallTimeoutMs: 10_000 };

let agent: MockAgent;
let original: Dispatcher;

beforeEach(() => {
  original = getGlobalDispatcher();
  agent = new MockAgent();
  agent.disableNetConnect();
  setGlobalDispatcher(agent);
});
afterEach(async () => {
  setGlobalDispatcher(original);
  await agent.close();
});

function client(extraSecrets: string[] = []): ApiClient {
  return new ApiClient({ service: "Portkey", apiKey: KEY, baseUrl: `${BASE}/v1` }, PORTKEY_DIALECT, FAST, extraSecrets);
}

const envelope = (code: string, message: string) => ({ success: false, data: { errorCode: code, message } });

test("sends the admin key header and JSON, and parses the answer", async () => {
  agent
    .get(BASE)
    .intercept({ path: "/v1/admin/workspaces?exact_name=Dev", method: "GET", headers: { "x-portkey-api-key": KEY } })
    .reply(200, { total: 0, data: [] });
  await expect(client().request({ method: "GET", path: "/admin/workspaces", query: { exact_name: "Dev" } })).resolves.toEqual({ total: 0, data: [] });
});

test("retries a GET on 503 and 429, then succeeds", async () => {
  const pool = agent.get(BASE);
  pool.intercept({ path: "/v1/admin/workspaces/w1", method: "GET" }).reply(503, envelope("AB04", "down"));
  pool.intercept({ path: "/v1/admin/workspaces/w1", method: "GET" }).reply(429, envelope("AB06", "slow down"), { headers: { "retry-after": "0" } });
  pool.intercept({ path: "/v1/admin/workspaces/w1", method: "GET" }).reply(200, { id: "w1" });
  await expect(client().request({ method: "GET", path: "/admin/workspaces/w1" })).resolves.toEqual({ id: "w1" });
});

test("retries a PUT on a dropped connection (idempotent)", async () => {
  const pool = agent.get(BASE);
  pool.intercept({ path: "/v1/admin/workspaces/w1", method: "PUT" }).replyWithError(Object.assign(new Error("socket hang up"), { code: "UND_ERR_SOCKET" }));
  pool.intercept({ path: "/v1/admin/workspaces/w1", method: "PUT" }).reply(200, {});
  await expect(client().request({ method: "PUT", path: "/admin/workspaces/w1", body: { name: "x" } })).resolves.toEqual({});
});

test("never retries a POST: one failure is reported as it is", async () => {
  const pool = agent.get(BASE);
  pool.intercept({ path: "/v1/admin/workspaces", method: "POST" }).reply(503, envelope("AB04", "down"));
  pool.intercept({ path: "/v1/admin/workspaces", method: "POST" }).reply(200, { id: "second" });
  const error = await client().request({ method: "POST", path: "/admin/workspaces", body: {} }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect(error).toMatchObject({ status: 503, code: "AB04" });
  expect(agent.pendingInterceptors()).toHaveLength(1); // the second reply was never asked for
});

test("gives up after the retry budget and reports the last answer with status, code and request id", async () => {
  const pool = agent.get(BASE);
  for (let i = 0; i < 4; i++) {
    pool.intercept({ path: "/v1/api-keys/k1", method: "GET" }).reply(500, envelope("AB04", "boom"), { headers: { "x-portkey-request-id": `req-${i}` } });
  }
  const error = (await client().request({ method: "GET", path: "/api-keys/k1" }).catch((e: unknown) => e)) as ApiError;
  expect(error).toMatchObject({ status: 500, code: "AB04", requestId: "req-3", method: "GET", path: "/api-keys/k1" });
  expect(error.message).toBe("Portkey API GET /api-keys/k1 failed: 500 AB04: boom (request id req-3)");
  expect("id" in error).toBe(false);
});

test("client errors are not retried and keep the API's code", async () => {
  agent.get(BASE).intercept({ path: "/v1/admin/workspaces/gone", method: "GET" }).reply(403, envelope("AB03", "no access"));
  await expect(client().request({ method: "GET", path: "/admin/workspaces/gone" })).rejects.toMatchObject({ status: 403, code: "AB03" });
});

test("secrets are redacted from every message, even when the API echoes them", async () => {
  agent
    .get(BASE)
    .intercept({ path: "/v1/api-keys/k2", method: "PUT" })
    .reply(400, envelope("AB01", `bad key ${KEY} and ${"managed-secret-abcdef"}`));
  const error = (await client(["managed-secret-abcdef"]).request({ method: "PUT", path: "/api-keys/k2", body: {} }).catch((e: unknown) => e)) as Error;
  expect(error.message).not.toContain(KEY);
  expect(error.message).not.toContain("managed-secret-abcdef");
  expect(error.message).toContain("[redacted]");
});

test("a connection failure is an ApiError with status 0", async () => {
  agent.get(BASE).intercept({ path: "/v1/admin/workspaces", method: "POST" }).replyWithError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }));
  await expect(client().request({ method: "POST", path: "/admin/workspaces", body: {} })).rejects.toMatchObject({ status: 0 });
});

describe("the retry decision", () => {
  function decide(err: object, counter: number, method = "GET"): { retried: boolean; delay: number } {
    const spy = jest.spyOn(global, "setTimeout").mockImplementation(((fn: () => void) => {
      fn();
      return 0 as unknown as NodeJS.Timeout;
    }) as typeof setTimeout);
    let retried = false;
    try {
      retryWithJitter(
        Object.assign(new Error("x"), err),
        { state: { counter }, opts: { method, path: "/", origin: BASE, retryOptions: { maxRetries: 4, minTimeout: 1000, maxTimeout: 8000 } } as never },
        (result) => (retried = result === null),
      );
      const delay = spy.mock.calls.length > 0 ? (spy.mock.calls[0][1] as number) : -1;
      return { retried, delay };
    } finally {
      spy.mockRestore();
    }
  }

  test("honours Retry-After as the minimum wait", () => {
    expect(decide({ statusCode: 429, headers: { "retry-after": "3" } }, 1).delay).toBeGreaterThanOrEqual(3000);
  });

  test("backs off exponentially with jitter within [half, full] of the step", () => {
    for (const counter of [1, 2, 3]) {
      const { delay } = decide({ statusCode: 503 }, counter);
      const step = Math.min(1000 * 2 ** (counter - 1), 8000);
      expect(delay).toBeGreaterThanOrEqual(step / 2);
      expect(delay).toBeLessThanOrEqual(step);
    }
  });

  test("stops after maxRetries and never retries POST or a 400", () => {
    expect(decide({ statusCode: 503 }, 5).retried).toBe(false);
    expect(decide({ statusCode: 503 }, 1, "POST").retried).toBe(false);
    expect(decide({ statusCode: 400 }, 1).retried).toBe(false);
  });

  test("a 429 is retried for every method, POST and PATCH included (nothing was done); their 5xx and lost connections are not", () => {
    expect(decide({ statusCode: 429, headers: { "retry-after": "1" } }, 1, "POST").retried).toBe(true);
    expect(decide({ statusCode: 429 }, 1, "PATCH").retried).toBe(true);
    expect(decide({ statusCode: 502 }, 1, "PATCH").retried).toBe(false);
    expect(decide({ code: "ECONNRESET" }, 1, "POST").retried).toBe(false);
  });
});

describe("the one not-found rule: status and the API's own code", () => {
  test("a 404 carrying Portkey's AB08 means gone", async () => {
    agent.get(BASE).intercept({ path: "/v1/api-keys/k9", method: "GET" }).reply(404, envelope("AB08", "API key not found"));
    await expect(client().requestOrGone({ method: "GET", path: "/api-keys/k9" })).resolves.toBeUndefined();
  });

  test("a bare 404 (a wrong base URL, a proxy) is an error, never 'gone'", async () => {
    agent.get(BASE).intercept({ path: "/v1/api-keys/k8", method: "GET" }).reply(404, "<html>Not Found</html>");
    await expect(client().requestOrGone({ method: "GET", path: "/api-keys/k8" })).rejects.toMatchObject({ status: 404, notFound: false });
  });

  test("a 403 is never 'gone'", async () => {
    agent.get(BASE).intercept({ path: "/v1/admin/workspaces/w1", method: "GET" }).reply(403, envelope("AB03", "forbidden"));
    await expect(client().requestOrGone({ method: "GET", path: "/admin/workspaces/w1" })).rejects.toMatchObject({ status: 403 });
  });
});
