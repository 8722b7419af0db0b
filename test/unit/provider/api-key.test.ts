/**
 * ApiKey provider paths that need injected faults: the secret is never lost
 * (partial create, rotation whose read-back fails), read carries it forward,
 * and a 403 from rotate explains the scopes. undici MockAgent, no network.
 */
import { Dispatcher, getGlobalDispatcher, MockAgent, setGlobalDispatcher } from "undici";
import { PartialCreateError } from "../../../provider/framework";
import { apiKeyProvider } from "../../../provider/portkey/api-key";

const BASE = "https://portkey.test";
const SECRET = "Xk-full-secret-value-S4";
const configured = { "portkey:apiKey": "admin-key-123", "portkey:baseUrl": `${BASE}/v1` };

let agent: MockAgent;
let original: Dispatcher;

beforeEach(async () => {
  original = getGlobalDispatcher();
  agent = new MockAgent();
  agent.disableNetConnect();
  setGlobalDispatcher(agent);
  await apiKeyProvider.configure!({ config: { get: (key: string) => (configured as Record<string, string>)[key], require: (key: string) => (configured as Record<string, string>)[key] } } as never);
});
afterEach(async () => {
  setGlobalDispatcher(original);
  await agent.close();
});

const keyJson = (overrides: Record<string, unknown> = {}) => ({
  id: "k1",
  key: "Xk*******S4",
  name: "svc",
  description: null,
  type: "organisation-service",
  organisation_id: "org",
  workspace_id: null,
  user_id: null,
  status: "active",
  created_at: "2026-11-23T00:00:00Z",
  last_updated_at: "2026-11-23T00:00:00Z",
  rate_limits: [],
  usage_limits: null,
  scopes: ["workspaces.list"],
  defaults: { metadata: {}, config_id: null },
  allow_config_override: null,
  alert_emails: [],
  expires_at: null,
  rotation_policy: null,
  ...overrides,
});

const inputs = { type: "organisation", subType: "service", name: "svc", scopes: ["workspaces.list"] };

test("a create whose read-back fails is a partial failure that keeps the id and the secret", async () => {
  const pool = agent.get(BASE);
  pool.intercept({ path: /\/v1\/api-keys\?/, method: "GET" }).reply(200, { total: 0, data: [] });
  pool.intercept({ path: "/v1/api-keys/organisation/service", method: "POST" }).reply(200, { id: "k1", key: SECRET, object: "api-key" });
  pool.intercept({ path: "/v1/api-keys/k1", method: "GET" }).reply(500, { success: false, data: { errorCode: "AB04", message: "boom" } }).times(10);
  const error = (await apiKeyProvider.create(inputs).catch((e: unknown) => e)) as PartialCreateError;
  expect(error).toBeInstanceOf(PartialCreateError);
  expect(error.id).toBe("k1");
  expect(error.properties).toMatchObject({ key: SECRET, apiKeyId: "k1", name: "svc", keyIsCurrent: true });
  expect(error.message).not.toContain(SECRET);
}, 60_000);

test("read carries the stored secret forward and exposes the masked form separately", async () => {
  agent.get(BASE).intercept({ path: "/v1/api-keys/k1", method: "GET" }).reply(200, keyJson({ name: "renamed elsewhere" }));
  const stored = { ...inputs, apiKeyId: "k1", key: SECRET, maskedKey: "Xk*******S4", keyIsCurrent: true };
  const result = await apiKeyProvider.read!("k1", stored);
  expect(result.props).toMatchObject({ key: SECRET, maskedKey: "Xk*******S4", keyIsCurrent: true, name: "renamed elsewhere" });
  expect(result.inputs).toMatchObject({ name: "renamed elsewhere" });
  expect(result.inputs).not.toHaveProperty("key");
});

test("read marks the secret stale when the masked key no longer matches it", async () => {
  agent.get(BASE).intercept({ path: "/v1/api-keys/k1", method: "GET" }).reply(200, keyJson({ key: "Qq*******Zz" }));
  const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
  const stored = { ...inputs, apiKeyId: "k1", key: SECRET, keyIsCurrent: true };
  const result = await apiKeyProvider.read!("k1", stored);
  expect(result.props).toMatchObject({ key: SECRET, keyIsCurrent: false });
  expect(warn.mock.calls.join(" ")).toMatch(/stale/);
  expect(warn.mock.calls.join(" ")).not.toContain(SECRET);
  warn.mockRestore();
});

test("a rotation whose read-back fails still returns the new secret", async () => {
  const pool = agent.get(BASE);
  pool.intercept({ path: "/v1/api-keys/k1/rotate", method: "POST" }).reply(200, { id: "k1", key: "Nw-new-secret-value-Q9", key_transition_expires_at: "2026-11-23T01:00:00Z" });
  pool.intercept({ path: "/v1/api-keys/k1", method: "GET" }).reply(503, {}).times(10);
  const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
  const olds = { ...inputs, apiKeyId: "k1", key: SECRET, keyIsCurrent: true, scopes: ["workspaces.list"] };
  const result = await apiKeyProvider.update!("k1", olds, { ...inputs, rotateWhen: "now" });
  expect(result.outs).toMatchObject({ key: "Nw-new-secret-value-Q9", keyTransitionExpiresAt: "2026-11-23T01:00:00Z", keyIsCurrent: true });
  warn.mockRestore();
}, 60_000);

test("a 403 from rotate explains which scopes the admin key needs", async () => {
  agent
    .get(BASE)
    .intercept({ path: "/v1/api-keys/k1/rotate", method: "POST" })
    .reply(403, { success: false, data: { errorCode: "AB03", message: "not allowed" } });
  const olds = { ...inputs, apiKeyId: "k1", key: SECRET, keyIsCurrent: true };
  await expect(apiKeyProvider.update!("k1", olds, { ...inputs, rotateWhen: "now" })).rejects.toThrow(
    /organisation_service_api_keys\.rotate.*organisation_service_api_keys\.update/,
  );
});

test("deleting an already-deleted key succeeds", async () => {
  agent.get(BASE).intercept({ path: "/v1/api-keys/k1", method: "DELETE" }).reply(404, { success: false, data: { errorCode: "AB08", message: "gone" } });
  await expect(apiKeyProvider.delete!("k1", { key: SECRET })).resolves.toBeUndefined();
});
