/**
 * The Portkey ApiKey resource through the real engine against the emulator,
 * for each kind of key: organisation service, workspace service, workspace user.
 */
import { portkey, resourceType, stackEnv } from "./flavour";
import type { ApiKeyArgs } from "../../sdk/portkey";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";

jest.setTimeout(10 * 60_000);

const API_KEY = resourceType("portkey", "ApiKey");
const USER_ID = "3f2b8e0c-8a57-4d0e-9a0f-5b1f0e2d7c11";
let emulator: RunningEmulator;

type KeyKind = "org" | "wsService" | "wsUser";
interface Desired {
  workspaces: string[];
  keys: Partial<Record<KeyKind, (ws: Record<string, portkey.Workspace>) => ApiKeyArgs>>;
}
let desired: Desired;

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], staleReadMs: 800, checkResponses: true });
});
afterAll(async () => emulator?.stop());

const engine = useEngineStack(() => ({
  projectName: "portkey-api-key",
  env: stackEnv,
  program: async () => {
    const workspaces: Record<string, portkey.Workspace> = {};
    for (const name of desired.workspaces) workspaces[name] = new portkey.Workspace(name, { name, forceDelete: true });
    const outputs: Record<string, unknown> = {};
    for (const [kind, args] of Object.entries(desired.keys)) {
      const key = new portkey.ApiKey(kind, args(workspaces));
      outputs[`${kind}Key`] = key.key;
      outputs[`${kind}Masked`] = key.maskedKey;
      outputs[`${kind}Current`] = key.keyIsCurrent;
      outputs[`${kind}Transition`] = key.keyTransitionExpiresAt;
      outputs[`${kind}CreationMode`] = key.creationMode;
    }
    return outputs;
  },
  config: {
    "portkey:apiKey": { value: ADMIN_KEY, secret: true },
    "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
  },
}));

const baseKeys: Required<Desired["keys"]> = {
  org: () => ({ type: "organisation", subType: "service", name: "platform-admin", scopes: ["workspaces.list", "workspaces.read"] }),
  wsService: (ws) => ({ type: "workspace", subType: "service", workspaceId: ws.alpha.slug, name: "checkout-svc", scopes: ["completions.write"] }),
  wsUser: (ws) => ({ type: "workspace", subType: "user", workspaceId: ws.alpha.id, userId: USER_ID, name: "alice", scopes: ["logs.view"] }),
};

function remoteKeys() {
  return Object.values(emulator.state().api_keys).filter((k) => !k.deleted_at);
}
function remoteKey(name: string) {
  const found = remoteKeys().filter((k) => k.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}
function currentSecret(name: string): string {
  const secrets = remoteKey(name).secrets;
  return secrets[secrets.length - 1].value;
}
async function expectNoChanges() {
  const preview = await engine().preview();
  expect(changedSteps(preview.steps)).toEqual([]);
}

test("up creates each kind of key; the secrets are outputs, encrypted in state and absent from logs", async () => {
  desired = { workspaces: ["alpha"], keys: baseKeys };
  const result = await engine().up();
  expect(changedSteps(result.steps, API_KEY).map((s) => s.op)).toEqual(["create", "create", "create"]);
  expect(remoteKeys().map((k) => `${k.type}-${k.sub_type}`).sort()).toEqual(["organisation-service", "workspace-service", "workspace-user"]);
  const ws = Object.values(emulator.state().workspaces).find((w) => !w.is_default)!;
  expect(remoteKey("checkout-svc").workspace_id).toBe(ws.id);
  expect(remoteKey("alice").user_id).toBe(USER_ID);
  const secrets: string[] = [];
  for (const [kind, name] of [["org", "platform-admin"], ["wsService", "checkout-svc"], ["wsUser", "alice"]] as const) {
    expect(result.outputs[`${kind}Key`]).toEqual({ value: currentSecret(name), secret: true });
    expect(result.outputs[`${kind}Masked`].value).toMatch(/^..\*+..$/);
    expect(result.outputs[`${kind}CreationMode`].value).toBe("api");
    secrets.push(currentSecret(name));
  }
  const state = await engine().exportState();
  const stored = state.resource(API_KEY, "wsService")!;
  expect(stored.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });
  for (const secret of secrets) {
    expect(state.text).not.toContain(secret);
    expect(engine().backendFilesText()).not.toContain(secret);
    expect(engine().log.join("\n")).not.toContain(secret);
  }
  await expectNoChanges();
});

/** Every updatable field set to new values, for any kind of key. */
function everyField(base: ApiKeyArgs, future: string): ApiKeyArgs {
  return {
    ...base,
    name: `${base.name}-v2`,
    description: `${base.name} calls the gateway`,
    scopes: [...(base.scopes as string[]), "logs.view"],
    rateLimits: [{ type: "requests", unit: "rps", value: 20 }, { type: "tokens", unit: "rpw", value: 500000 }],
    usageLimits: { creditLimit: 50, alertThreshold: 40, periodicReset: "monthly" },
    metadata: { app: String(base.name) },
    configId: "pc-checkout",
    allowConfigOverride: false,
    alertEmails: ["oncall@example.com"],
    expiresAt: future,
    rotationPolicy: { rotationPeriod: "monthly", keyTransitionPeriodMs: 3_600_000 },
  };
}

test("every updatable field changes in place for each kind of key, and a second preview is clean", async () => {
  const ids = remoteKeys().map((k) => k.id).sort();
  const future = new Date(Date.now() + 90 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
  desired.keys = {
    org: (ws) => everyField(baseKeys.org(ws), future),
    wsService: (ws) => everyField(baseKeys.wsService(ws), future),
    wsUser: (ws) => everyField(baseKeys.wsUser(ws), future),
  };
  const preview = await engine().preview();
  expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update", "update", "update"]);
  await engine().up();
  await expectNoChanges();
  expect(remoteKeys().map((k) => k.id).sort()).toEqual(ids);
  for (const name of ["platform-admin-v2", "checkout-svc-v2", "alice-v2"]) {
    expect(remoteKey(name)).toMatchObject({
      description: expect.stringContaining("calls the gateway"),
      scopes: expect.arrayContaining(["logs.view"]),
      rate_limits: [{ type: "requests", unit: "rps", value: 20 }, { type: "tokens", unit: "rpw", value: 500000 }],
      usage_limits: expect.objectContaining({ credit_limit: 50, alert_threshold: 40, periodic_reset: "monthly" }),
      metadata: { app: name.replace(/-v2$/, "") },
      config_id: "pc-checkout",
      allow_config_override: false,
      alert_emails: ["oncall@example.com"],
      expires_at: new Date(future).toISOString(),
      rotation_policy: expect.objectContaining({ rotation_period: "monthly", key_transition_period_ms: 3_600_000 }),
    });
  }
});

test("removing the optional fields clears them remotely, for each kind of key", async () => {
  desired.keys = {
    org: (ws) => ({ ...baseKeys.org(ws), name: "platform-admin-v2" }),
    wsService: (ws) => ({ ...baseKeys.wsService(ws), name: "checkout-service" }),
    wsUser: (ws) => ({ ...baseKeys.wsUser(ws), name: "alice-v2" }),
  };
  await engine().up();
  await expectNoChanges();
  for (const name of ["platform-admin-v2", "checkout-service", "alice-v2"]) {
    expect(remoteKey(name)).toMatchObject({
      description: "",
      rate_limits: [],
      usage_limits: null,
      metadata: {},
      config_id: null,
      allow_config_override: null,
      alert_emails: [],
      expires_at: null,
      rotation_policy: null,
    });
  }
  // Back to the original names for the tests below.
  desired.keys = { ...baseKeys, wsService: (ws) => ({ ...baseKeys.wsService(ws), name: "checkout-service" }) };
  await engine().up();
});

test("resetUsage is a trigger: sent once when its value changes, not on every update", async () => {
  const withReset = (value: string) => ({ ...baseKeys, wsService: (ws: Record<string, portkey.Workspace>) => ({ ...baseKeys.wsService(ws), name: "checkout-service", resetUsage: value }) });
  desired.keys = withReset("2026-11");
  await engine().up();
  const firstReset = remoteKey("checkout-service").last_reset_at;
  expect(firstReset).not.toBeNull();
  await expectNoChanges();
  desired.keys = { ...withReset("2026-11"), org: () => ({ ...baseKeys.org({}), description: "unrelated change" }) };
  await engine().up();
  expect(remoteKey("checkout-service").last_reset_at).toBe(firstReset);
});

test("spelling the workspace by UUID instead of slug is not a change", async () => {
  desired.keys = { ...desired.keys, wsService: (ws) => ({ ...baseKeys.wsService(ws), workspaceId: ws.alpha.id, name: "checkout-service", resetUsage: "2026-11" }) };
  await expectNoChanges();
});

test("rotateWhen rotates each kind of key; the new secret is the output and the old one works during the transition", async () => {
  const names = [["org", "platform-admin"], ["wsService", "checkout-service"], ["wsUser", "alice"]] as const;
  const before = Object.fromEntries(names.map(([, name]) => [name, currentSecret(name)]));
  const current = { ...desired.keys };
  desired.keys = Object.fromEntries(
    Object.entries(current).map(([kind, args]) => [kind, (ws: Record<string, portkey.Workspace>) => ({ ...args!(ws), rotateWhen: "2026-11-23", rotationTransitionPeriodMs: 1_800_000 })]),
  ) as Desired["keys"];
  const preview = await engine().preview();
  expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update", "update", "update"]);
  const result = await engine().up();
  for (const [kind, name] of names) {
    const after = currentSecret(name);
    expect(after).not.toBe(before[name]);
    expect(result.outputs[`${kind}Key`]).toEqual({ value: after, secret: true });
    expect(Date.parse(result.outputs[`${kind}Transition`].value as string)).toBeGreaterThan(Date.now());
    expect((await engine().exportState()).text).not.toContain(after);
  }
  // The old admin secret still authenticates during its transition.
  expect((await call(emulator, "GET", "/admin/workspaces", undefined, before["platform-admin"])).status).toBe(200);
  await expectNoChanges();
});

test("a scheduled rotation by Portkey is detected on refresh and reported", async () => {
  const id = remoteKey("alice").id;
  await fetch(`${emulator.url}/_emulator/portkey/api-keys/${id}/scheduled-rotation`, { method: "POST" });
  const refreshed = await engine().refresh();
  expect(refreshed.stdout).toMatch(/rotated API key 'alice'.*stale/s);
  const state = await engine().exportState();
  expect(state.resource(API_KEY, "wsUser")?.outputs?.keyIsCurrent).toBe(false);
});

test("changing the workspace replaces the key: old one deleted, new secret exported", async () => {
  const old = remoteKey("checkout-service");
  desired.workspaces = ["alpha", "beta"];
  desired.keys = { ...desired.keys, wsService: (ws) => ({ ...baseKeys.wsService(ws), workspaceId: ws.beta.id, name: "checkout-service" }) };
  const preview = await engine().preview();
  const ops = changedSteps(preview.steps, API_KEY).map((s) => s.op);
  expect(ops).toContain("replace");
  const result = await engine().up();
  const fresh = remoteKey("checkout-service");
  expect(fresh.id).not.toBe(old.id);
  expect(emulator.state().api_keys[old.id].deleted_at).not.toBeNull();
  const betaId = Object.values(emulator.state().workspaces).find((w) => w.name === "beta")!.id;
  expect(fresh.workspace_id).toBe(betaId);
  expect(result.outputs.wsServiceKey.value).toBe(currentSecret("checkout-service"));
});

test("changing the type replaces the key", async () => {
  const old = remoteKey("alice");
  desired.keys = { ...desired.keys, wsUser: (ws) => ({ type: "workspace", subType: "service", workspaceId: ws.alpha.id, name: "alice", scopes: ["logs.view"] }) };
  await engine().up();
  expect(remoteKey("alice").id).not.toBe(old.id);
  expect(remoteKey("alice").sub_type).toBe("service");
});

test("out-of-band edits, limits included, show after refresh and up repairs them", async () => {
  const key = remoteKey("platform-admin");
  await call(emulator, "PUT", `/api-keys/${key.id}`, {
    name: "platform-admin",
    scopes: ["workspaces.list"],
    usage_limits: { credit_limit: 7, type: "cost" },
    rate_limits: [{ type: "requests", unit: "rpm", value: 3 }],
  });
  await new Promise((r) => setTimeout(r, 900));
  await engine().refresh();
  const stored = (await engine().exportState()).resource(API_KEY, "org")!;
  expect(stored.outputs).toMatchObject({ scopes: ["workspaces.list"], usageLimits: { creditLimit: 7 }, rateLimits: [{ value: 3 }] });
  const preview = await engine().preview();
  expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
  await engine().up();
  await expectNoChanges();
  expect(remoteKey("platform-admin")).toMatchObject({ scopes: ["workspaces.list", "workspaces.read"], usage_limits: null, rate_limits: [] });
});

test("an out-of-band delete drops the key on refresh and up creates a new one with a new secret", async () => {
  const old = remoteKey("platform-admin");
  const oldSecret = currentSecret("platform-admin");
  await call(emulator, "DELETE", `/api-keys/${old.id}`);
  const refreshed = await engine().refresh();
  expect(refreshed.changeSummary.delete).toBe(1);
  const result = await engine().up();
  expect(remoteKey("platform-admin").id).not.toBe(old.id);
  expect(result.outputs.orgKey.value).not.toBe(oldSecret);
  expect(result.outputs.orgKey.value).toBe(currentSecret("platform-admin"));
});

test("invalid combinations fail at preview naming the property", async () => {
  const valid = desired.keys;
  const cases: [ApiKeyArgs, RegExp][] = [
    [{ type: "workspace", subType: "service", name: "x", scopes: ["completions.write"] }, /workspaceId: is required for workspace keys/],
    [{ type: "workspace", subType: "user", workspaceId: "ws-x", name: "x", scopes: ["logs.view"] }, /userId: is required for user keys/],
    [{ type: "organisation", subType: "service", workspaceId: "ws-x", name: "x", scopes: ["workspaces.list"] }, /workspaceId: must not be set for organisation keys/],
    [{ type: "organisation", subType: "service", name: "x", scopes: ["workspaces.list"], allowConfigOverride: true }, /allowConfigOverride: needs configId/],
    [
      { type: "organisation", subType: "service", name: "x", scopes: ["workspaces.list"], rotationPolicy: { rotationPeriod: "weekly", nextRotationAt: "2099-01-01T00:00:00Z" } },
      /rotationPolicy\.nextRotationAt: set either/,
    ],
    [{ type: "organisation", subType: "service", name: "x", scopes: ["workspaces.fly"] }, /scopes\[0\]: 'workspaces.fly' is not a known Portkey scope/],
    [{ type: "organisation", subType: "service", name: "x", scopes: ["workspaces.list"], alertEmails: ["not-an-email"] }, /alertEmails\[0\]/],
    [{ type: "organisation", subType: "service", name: "x", scopes: ["workspaces.list"], expiresAt: "2001-01-01T00:00:00Z" }, /expiresAt: must be in the future/],
  ];
  try {
    for (const [args, message] of cases) {
      desired.keys = { ...valid, org: () => args };
      await expect(engine().preview()).rejects.toThrow(message);
    }
    desired.keys = { ...valid, org: () => ({ ...baseKeys.org({}), scopes: ["workspaces.fly"], allowUnknownScopes: true }) };
    await expect(engine().preview()).resolves.toBeDefined();
  } finally {
    desired.keys = valid;
  }
});

test("destroy deletes every key", async () => {
  await engine().destroy();
  expect(remoteKeys()).toEqual([]);
  expect(emulator.specViolations()).toEqual([]);
});

describe("a create that succeeds remotely but fails afterwards", () => {
  test("is recorded with its id and encrypted secret, and the next up finishes it", async () => {
    desired = { workspaces: [], keys: { org: () => ({ type: "organisation", subType: "service", name: "partial", scopes: ["workspaces.list"] }) } };
    // Every read-back attempt (one call plus its retries) fails after the POST succeeded.
    emulator.setFaults({ failNext: { "GET /api-keys/{id}": 5 } });
    await expect(engine().up()).rejects.toThrow(/was created, but a later step failed/);
    const created = remoteKey("partial");
    const state = await engine().exportState();
    const stored = state.resource(API_KEY, "org")!;
    expect(stored.id).toBe(created.id);
    expect(stored.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });
    expect(state.text).not.toContain(currentSecret("partial"));
    const result = await engine().up();
    expect(result.outputs.orgKey.value).toBe(currentSecret("partial"));
    expect(remoteKeys().filter((k) => k.name === "partial")).toHaveLength(1);
    await engine().destroy();
  });
});
