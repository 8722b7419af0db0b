/**
 * The Portkey Workspace resource through the real engine against the emulator:
 * create, no-op preview, every field changed and cleared in place, drift
 * repaired, out-of-band delete, destroy with and without forceDelete, invalid
 * input at preview, and no admin key in the state.
 */
import * as pulumi from "@pulumi/pulumi";
import { FLAVOUR, portkey, resourceType, stackEnv } from "./flavour";
import type { WorkspaceArgs } from "../../sdk/portkey";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, EngineStack, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";

jest.setTimeout(10 * 60_000);

const WORKSPACE = resourceType("portkey", "Workspace");
let emulator: RunningEmulator;
let desired: WorkspaceArgs | undefined;

beforeAll(async () => {
  // A stale-read window like the live API's: limits read back old for a moment after a write.
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], staleReadMs: 1500, checkResponses: true });
});
afterAll(async () => emulator?.stop());

const engine = useEngineStack(() => ({
  projectName: "portkey-workspace",
  env: stackEnv,
  program: async () => {
    if (!desired) return {};
    const ws = new portkey.Workspace("team", desired);
    return { workspaceId: ws.workspaceId, slug: ws.slug, name: ws.name };
  },
  config: {
    "portkey:apiKey": { value: ADMIN_KEY, secret: true },
    "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
  },
}));

/** The workspaces the tests made (the organisation's default one is not among them). */
function remote() {
  return Object.values(emulator.state().workspaces).filter((w) => !w.deleted_at && !w.is_default);
}

async function upAndExpectNoDiff(stack: EngineStack) {
  await stack.up();
  const preview = await stack.preview();
  expect(changedSteps(preview.steps)).toEqual([]);
}

test("up creates the workspace and a second preview shows no changes", async () => {
  desired = {
    name: "Platform Team",
    description: "Owned by platform",
    metadata: { team: "platform", costCenter: "42" },
    usageLimits: [{ creditLimit: 100, alertThreshold: 80, periodicReset: "monthly" }],
    rateLimits: [{ type: "requests", unit: "rpm", value: 600 }],
  };
  const result = await engine().up();
  expect(changedSteps(result.steps, WORKSPACE).map((s) => s.op)).toEqual(["create"]);
  const [ws] = remote();
  expect(ws).toMatchObject({
    name: "Platform Team",
    description: "Owned by platform",
    metadata: { team: "platform", costCenter: "42" },
    // No type was declared, so none is sent (Portkey's default applies): nothing the user did not ask for is written.
    usage_limits: [expect.objectContaining({ credit_limit: 100, alert_threshold: 80, periodic_reset: "monthly", type: null })],
    rate_limits: [{ type: "requests", unit: "rpm", value: 600 }],
  });
  expect(result.outputs.workspaceId.value).toBe(ws.id);
  expect(result.outputs.slug.value).toBe(ws.slug);
  const preview = await engine().preview();
  expect(changedSteps(preview.steps)).toEqual([]);
});

test("each field changes in place, never by replacement", async () => {
  const id = remote()[0].id;
  const changes: Partial<WorkspaceArgs>[] = [
    { name: "Platform Team EU" },
    { description: "Owned by platform (EU)" },
    { metadata: { team: "platform-eu" } },
    { usageLimits: [{ creditLimit: 250, alertThreshold: 200, periodicResetDays: 14, type: "cost" }] },
    { rateLimits: [{ type: "tokens", unit: "rph", value: 100000 }] },
  ];
  for (const change of changes) {
    desired = { ...desired!, ...change };
    const preview = await engine().preview();
    const field = Object.keys(change)[0];
    expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    expect(preview.diffText).toContain(field);
    await upAndExpectNoDiff(engine());
  }
  const [ws] = remote();
  expect(ws.id).toBe(id);
  expect(ws).toMatchObject({
    name: "Platform Team EU",
    description: "Owned by platform (EU)",
    metadata: { team: "platform-eu" },
    usage_limits: [expect.objectContaining({ credit_limit: 250, periodic_reset_days: 14, periodic_reset: null })],
    rate_limits: [{ type: "tokens", unit: "rph", value: 100000 }],
  });
});

test("removing each optional field clears it remotely", async () => {
  for (const field of ["description", "metadata", "usageLimits", "rateLimits"] as const) {
    const next = { ...desired! };
    delete next[field];
    desired = next;
    const preview = await engine().preview();
    expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await upAndExpectNoDiff(engine());
  }
  const [ws] = remote();
  expect(ws).toMatchObject({ description: "", metadata: {}, usage_limits: [], rate_limits: [] });
});

test("an out-of-band edit shows after refresh and up repairs it", async () => {
  desired = { ...desired!, description: "As declared", rateLimits: [{ type: "requests", unit: "rpm", value: 60 }] };
  await engine().up();
  const id = remote()[0].id;
  await call(emulator, "PUT", `/admin/workspaces/${id}`, {
    description: "Edited in the console",
    rate_limits: [{ type: "requests", unit: "rpm", value: 5 }],
    defaults: { metadata: { added: "by hand" } },
  });
  await new Promise((r) => setTimeout(r, 1600)); // let the stale-read window pass
  await engine().refresh();
  const state = await engine().exportState();
  const stored = state.resource(WORKSPACE, "team")!;
  expect(stored.outputs).toMatchObject({ description: "Edited in the console", metadata: { added: "by hand" }, rateLimits: [{ value: 5 }] });
  const preview = await engine().preview();
  expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
  expect(preview.diffText).toMatch(/description/);
  await upAndExpectNoDiff(engine());
  expect(remote()[0]).toMatchObject({ description: "As declared", metadata: {}, rate_limits: [{ value: 60 }] });
});

test("an out-of-band delete drops it from state on refresh and up recreates it", async () => {
  const old = remote()[0];
  await call(emulator, "DELETE", `/admin/workspaces/${old.id}`, { name: old.name });
  const refreshed = await engine().refresh();
  expect(refreshed.changeSummary.delete).toBe(1);
  expect((await engine().exportState()).resources(WORKSPACE)).toEqual([]);
  const result = await engine().up();
  expect(changedSteps(result.steps, WORKSPACE).map((s) => s.op)).toEqual(["create"]);
  expect(remote()).toHaveLength(1);
  expect(remote()[0].id).not.toBe(old.id);
});

test("the exported state never contains the admin key", async () => {
  const state = await engine().exportState();
  expect(state.text).not.toContain(ADMIN_KEY);
  if (FLAVOUR === "dynamic") {
    // The stack config holds it, encrypted; the provider closure must not capture it.
    expect(state.resource(WORKSPACE, "team")?.inputs?.__provider).not.toContain(ADMIN_KEY);
  } else {
    // Dynamic-only: native resources keep no serialized provider code in their inputs.
    expect(state.resource(WORKSPACE, "team")?.inputs).not.toHaveProperty("__provider");
  }
  expect(engine().backendFilesText()).not.toContain(ADMIN_KEY);
  expect(engine().log.join("\n")).not.toContain(ADMIN_KEY);
});

test("invalid input fails at preview with a message naming the property", async () => {
  const cases: [WorkspaceArgs, RegExp][] = [
    [{ name: "" }, /name.*must not be empty/],
    [{ name: "Bad limit", usageLimits: [{ creditLimit: -5 }] }, /usageLimits\[0\]\.creditLimit/],
    [{ name: "Bad enum", rateLimits: [{ type: "requests", unit: "per-fortnight", value: 1 }] }, /rateLimits\[0\]\.unit/],
    [{ name: "Bad reset", usageLimits: [{ creditLimit: 10, periodicReset: "monthly", periodicResetDays: 7 }] }, /usageLimits\[0\]\.periodicResetDays: set either periodicReset or periodicResetDays/],
    [{ name: "Fractional", usageLimits: [{ creditLimit: 2.5 }] }, /usageLimits\[0\]\.creditLimit/],
  ];
  const valid = desired;
  try {
    for (const [args, message] of cases) {
      desired = args;
      await expect(engine().preview()).rejects.toThrow(message);
    }
  } finally {
    desired = valid;
  }
});

test("destroy without forceDelete explains what still lives in the workspace; with it, cascades", async () => {
  const ws = remote()[0];
  const key = await call(emulator, "POST", "/api-keys/workspace/service", { name: "ci-bot", scopes: ["completions.write"], workspace_id: ws.id });
  expect(key.status).toBe(200);
  await expect(engine().destroy()).rejects.toThrow(/forceDelete: true.*|ci-bot/s);
  await expect(engine().destroy()).rejects.toThrow(/ci-bot/);
  expect(remote()).toHaveLength(1);
  desired = { ...desired!, forceDelete: true };
  const preview = await engine().preview();
  expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
  await engine().up();
  // Renamed in the UI since the last refresh: the delete with the stored name is refused, then the current name is read and used.
  expect((await call(emulator, "PUT", `/admin/workspaces/${ws.id}`, { name: "Renamed in the UI" })).status).toBe(200);
  emulator.clearRequestLog();
  const destroyed = await engine().destroy();
  expect(changedSteps(destroyed.steps, WORKSPACE).map((s) => s.op)).toEqual(["delete"]);
  const workspaceCalls = emulator.requestLog().filter((r) => r.route.endsWith("/admin/workspaces/{workspaceId}"));
  expect(workspaceCalls.map((r) => `${r.route.split(" ")[0]} ${r.status}`)).toEqual(["DELETE 400", "GET 200", "DELETE 200"]);
  expect(remote()).toEqual([]);
  expect(emulator.state().api_keys[key.body.id].deleted_at).not.toBeNull();
});

test("Workspace.get reads an existing workspace by id without managing it", async () => {
  const created = await call(emulator, "POST", "/admin/workspaces", { name: "Made elsewhere", description: "not ours" });
  desired = undefined;
  const stack = await EngineStack.create({
    projectName: "portkey-workspace-get",
    env: stackEnv,
    program: async () => {
      const found = portkey.Workspace.get("existing", created.body.id);
      return { name: found.name, slug: found.slug, description: found.description };
    },
    config: {
      "portkey:apiKey": { value: ADMIN_KEY, secret: true },
      "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
    },
  });
  try {
    const result = await stack.up();
    expect(result.outputs.name.value).toBe("Made elsewhere");
    expect(result.outputs.slug.value).toBe(created.body.slug);
    expect(result.outputs.description.value).toBe("not ours");
    await stack.destroy();
    expect(remote().map((w) => w.id)).toContain(created.body.id);
  } finally {
    await stack.dispose();
  }
});

test("every response the emulator gave conformed to the official document", () => {
  expect(emulator.specViolations()).toEqual([]);
  expect(pulumi).toBeDefined();
});

test("adoptExisting takes over a workspace created outside Pulumi instead of duplicating it", async () => {
  const made = await call(emulator, "POST", "/admin/workspaces", { name: "Adopt me", description: "made by hand", rate_limits: [{ type: "requests", unit: "rpm", value: 1 }] });
  const stack = await EngineStack.create({
    projectName: "portkey-workspace-adopt",
    env: stackEnv,
    program: async () => {
      const ws = new portkey.Workspace("adopted", { name: "Adopt me", description: "now managed", adoptExisting: true, forceDelete: true });
      return { id: ws.id };
    },
    config: {
      "portkey:apiKey": { value: ADMIN_KEY, secret: true },
      "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
    },
  });
  try {
    const result = await stack.up();
    expect(result.outputs.id.value).toBe(made.body.id);
    const named = Object.values(emulator.state().workspaces).filter((w) => w.name === "Adopt me" && !w.deleted_at);
    expect(named).toHaveLength(1);
    expect(named[0]).toMatchObject({ description: "now managed", rate_limits: [] });
    const preview = await stack.preview();
    expect(changedSteps(preview.steps)).toEqual([]);
    await stack.destroy();
    expect(emulator.state().workspaces[made.body.id].deleted_at).not.toBeNull();
  } finally {
    await stack.dispose();
  }
});
