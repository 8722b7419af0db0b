/**
 * Issue 11, cases 3 and 5 (Portkey): values are never rewritten or wiped.
 * A workspace icon set out of band gives no diff and can be managed; API-key
 * metadata keeps its JSON types; workspace defaults set in the UI survive an
 * unrelated update; removing allowConfigOverride puts Portkey's default back;
 * a usage limit without a credit limit equals "no usage limit".
 */
import { portkey } from "../../sdk";
import type { ApiKeyArgs, WorkspaceArgs } from "../../sdk/portkey";
import {
  call,
  changedOps,
  expectSucceeded,
  outcome,
  portkeyConfig,
  requests,
  ROUTES,
  stateIds,
  TYPES,
  useTrustEmulator,
  withStack,
} from "./trust-support";

jest.setTimeout(10 * 60_000);

const emulator = useTrustEmulator();

function workspaceProgram(args: () => WorkspaceArgs) {
  return async () => {
    const ws = new portkey.Workspace("team", args());
    return { name: ws.name };
  };
}

function keyProgram(args: () => Omit<ApiKeyArgs, "type" | "subType" | "scopes">) {
  return async () => {
    new portkey.ApiKey("key", { type: "organisation", subType: "service", scopes: ["workspaces.list"], ...args() });
  };
}

test("3: an icon set out of band on a workspace that declares none: no diff after refresh, no PUT on up", async () => {
  const name = "Icon 3a";
  await withStack(emulator(), { projectName: "trust-3a", program: workspaceProgram(() => ({ name, forceDelete: true })), config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    const id = (await stateIds(stack, TYPES.workspace)).team;
    expect((await call(emulator(), "PUT", `/admin/workspaces/${id}`, { icon: "🚀" })).status).toBe(200);
    await stack.refresh();
    expect(changedOps((await stack.preview()).steps)).toEqual([]);
    emulator().clearRequestLog();
    const result = await stack.up();
    expect(requests(emulator(), ROUTES.updateWorkspace).map((r) => r.body)).toEqual([]);
    expect(result.outputs.name.value).toBe(name);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);
    expect(emulator().state().workspaces[id]).toMatchObject({ name, icon: "🚀" });
  });
});

test("3: a declared icon is set, changed in place and cleared; the name output never carries it", async () => {
  const name = "Icon 3b";
  let icon = "🧪";
  await withStack(emulator(), { projectName: "trust-3b", program: workspaceProgram(() => ({ name, icon, forceDelete: true })), config: portkeyConfig(emulator()) }, async (stack) => {
    const created = await outcome(stack.up());
    expectSucceeded(created);
    const id = (await stateIds(stack, TYPES.workspace)).team;
    expect(emulator().state().workspaces[id]).toMatchObject({ name, icon: "🧪" });
    expect(created.report.outputs.name.value).toBe(name);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);

    icon = "🚀";
    const preview = await stack.preview();
    expect(changedOps(preview.steps)).toEqual(["update"]);
    expect(preview.diffText).toMatch(/^\s*~ icon\s*:/m);
    const changed = await stack.up();
    expect(emulator().state().workspaces[id]).toMatchObject({ name, icon: "🚀" });
    expect(changed.outputs.name.value).toBe(name);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);

    // Changed in the UI: refresh shows it, up puts the declared one back.
    expect((await call(emulator(), "PUT", `/admin/workspaces/${id}`, { icon: "🔥" })).status).toBe(200);
    await stack.refresh();
    const drifted = await stack.preview();
    expect(changedOps(drifted.steps)).toEqual(["update"]);
    expect(drifted.diffText).toMatch(/^\s*~ icon\s*:/m);
    await stack.up();
    expect(emulator().state().workspaces[id]).toMatchObject({ name, icon: "🚀" });
    expect(changedOps((await stack.preview()).steps)).toEqual([]);

    icon = ""; // declared empty: no icon
    const cleared = await stack.up();
    expect(emulator().state().workspaces[id]).toMatchObject({ name, icon: null });
    expect(cleared.outputs.name.value).toBe(name);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);
    expect((await stack.exportState()).resources(TYPES.workspace)[0].id).toBe(id);
  });
});

test("5a: API-key metadata of any JSON type is stored as given and read back unchanged", async () => {
  const declared = { count: 5, nested: { a: 1 }, flag: true, label: "x" };
  const outOfBand = { count: 6, nested: { a: [1, 2] }, flag: false, label: "y" };
  let metadata: Record<string, unknown> | undefined = declared;
  let description = "one";
  await withStack(emulator(), { projectName: "trust-5a", program: keyProgram(() => ({ name: "meta-5a", description, metadata })), config: portkeyConfig(emulator()) }, async (stack) => {
    const created = await outcome(stack.up());
    expectSucceeded(created);
    const id = (await stateIds(stack, TYPES.apiKey)).key;
    expect(emulator().state().api_keys[id].metadata).toEqual(declared);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);

    expect((await call(emulator(), "PUT", `/api-keys/${id}`, { defaults: { metadata: outOfBand } })).status).toBe(200);
    await stack.refresh();
    expect((await stack.exportState()).resource(TYPES.apiKey, "key")?.outputs?.metadata).toEqual(outOfBand);

    metadata = outOfBand;
    description = "two";
    const preview = await stack.preview();
    const step = preview.steps.find((s) => s.type === TYPES.apiKey)!;
    expect(step.op).toBe("update");
    // The CLI's diff marks changed properties with ~, + or -; unchanged ones are listed unmarked.
    expect(preview.diffText).toMatch(/^\s*~ description\s*:/m);
    expect(preview.diffText).not.toMatch(/^\s*[-+~]\s*metadata/m);
    await stack.up();
    expect(emulator().state().api_keys[id]).toMatchObject({ description: "two", metadata: outOfBand });
    expect(changedOps((await stack.preview()).steps)).toEqual([]);

    // Drift: refresh shows it, up puts the declared values back, types intact.
    expect((await call(emulator(), "PUT", `/api-keys/${id}`, { defaults: { metadata: { count: "6" } } })).status).toBe(200);
    await stack.refresh();
    const drifted = await stack.preview();
    expect(drifted.diffText).toMatch(/^\s*~ metadata\s*:/m);
    await stack.up();
    expect(emulator().state().api_keys[id].metadata).toEqual(outOfBand);

    // Removed from the program: cleared on the server.
    metadata = undefined;
    await stack.up();
    expect(emulator().state().api_keys[id].metadata ?? {}).toEqual({});
    expect(changedOps((await stack.preview()).steps)).toEqual([]);
  });
});

test("5b: workspace defaults set out of band survive an update of the description: the PUT carries no defaults", async () => {
  let description = "one";
  const program = workspaceProgram(() => ({ name: "Defaults 5b", description, metadata: { team: "a" }, forceDelete: true }));
  await withStack(emulator(), { projectName: "trust-5b", program, config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    const id = (await stateIds(stack, TYPES.workspace)).team;
    const defaults = { metadata: { team: "a" }, input_guardrails: ["pii-in"], output_guardrails: ["pii-out"], user_api_key_config: "cfg-users" };
    expect((await call(emulator(), "PUT", `/admin/workspaces/${id}`, { defaults })).status).toBe(200);
    await stack.refresh();
    expect(changedOps((await stack.preview()).steps)).toEqual([]);

    description = "two";
    emulator().clearRequestLog();
    await stack.up();
    const puts = requests(emulator(), ROUTES.updateWorkspace);
    expect(puts.length).toBeGreaterThan(0);
    expect(puts.map((p) => p.body).filter((body) => body !== null && typeof body === "object" && "defaults" in body)).toEqual([]);
    expect(emulator().state().workspaces[id]).toMatchObject({
      description: "two",
      metadata: { team: "a" },
      input_guardrails: ["pii-in"],
      output_guardrails: ["pii-out"],
      user_api_key_config: "cfg-users",
    });
    expect(changedOps((await stack.preview()).steps)).toEqual([]);
  });
});

test("5b: changing one default sends no clearing value for the defaults never declared: a key's config and a workspace's metadata set out of band survive", async () => {
  let team = "a";
  const program = async () => {
    new portkey.ApiKey("key", { type: "organisation", subType: "service", scopes: ["workspaces.list"], name: "defaults-5b", metadata: { team } });
    new portkey.Workspace("team", { name: "Defaults 5b2", inputGuardrails: [`pii-${team}`], forceDelete: true });
  };
  await withStack(emulator(), { projectName: "trust-5b2", program, config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    const keyId = (await stateIds(stack, TYPES.apiKey)).key;
    const workspaceId = (await stateIds(stack, TYPES.workspace)).team;
    // Set in the UI, not yet refreshed.
    expect((await call(emulator(), "PUT", `/api-keys/${keyId}`, { defaults: { metadata: { team: "a" }, config_id: "pc-ui" } })).status).toBe(200);
    expect((await call(emulator(), "PUT", `/admin/workspaces/${workspaceId}`, { defaults: { input_guardrails: ["pii-a"], metadata: { owner: "ui" } } })).status).toBe(200);

    team = "b";
    emulator().clearRequestLog();
    await stack.up();
    const keyDefaults = requests(emulator(), ROUTES.updateKey).map((p) => (p.body as { defaults?: object }).defaults);
    expect(keyDefaults).toEqual([{ metadata: { team: "b" } }]);
    expect(emulator().state().api_keys[keyId].config_id).toBe("pc-ui");
    expect(emulator().state().workspaces[workspaceId]).toMatchObject({ input_guardrails: ["pii-b"], metadata: { owner: "ui" } });
  });
});

test("5d: removing allowConfigOverride puts Portkey's default (allowed) back, and the next preview is clean", async () => {
  let allowConfigOverride: boolean | undefined = false;
  const program = keyProgram(() => ({ name: "override-5d", configId: "pc-5d", ...(allowConfigOverride === undefined ? {} : { allowConfigOverride }) }));
  await withStack(emulator(), { projectName: "trust-5d", program, config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    const id = (await stateIds(stack, TYPES.apiKey)).key;
    expect((await call(emulator(), "GET", `/api-keys/${id}`)).body.allow_config_override).toBe(0);

    allowConfigOverride = undefined;
    await stack.up();
    const read = await call(emulator(), "GET", `/api-keys/${id}`);
    expect(read.body.defaults.config_id).toBe("pc-5d");
    // 1 (true) or null (unset): both mean "overrides allowed", Portkey's default. 0 is the old value left behind.
    expect([1, true, null]).toContainEqual(read.body.allow_config_override);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);
  });
});

test("5f: an API-key usage limit without a credit limit (set out of band) equals no usage limit: preview clean after refresh", async () => {
  await withStack(emulator(), { projectName: "trust-5f-key", program: keyProgram(() => ({ name: "limit-5f" })), config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    const id = (await stateIds(stack, TYPES.apiKey)).key;
    // The API's validation refuses credit_limit: null in a request, so the state is set directly, as the UI can leave it.
    emulator().state().api_keys[id].usage_limits = {
      credit_limit: null, type: "cost", alert_threshold: null, periodic_reset: null, periodic_reset_days: null, next_usage_reset_at: null,
    };
    expect((await call(emulator(), "GET", `/api-keys/${id}`)).body.usage_limits).toMatchObject({ credit_limit: null, type: "cost" });
    const refreshed = await outcome(stack.refresh());
    expectSucceeded(refreshed);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);
  });
});

test("5f: a workspace usage limit without a credit limit (set out of band) equals no usage limit: preview clean after refresh", async () => {
  const program = workspaceProgram(() => ({ name: "Limit 5f", forceDelete: true }));
  await withStack(emulator(), { projectName: "trust-5f-ws", program, config: portkeyConfig(emulator()) }, async (stack) => {
    await stack.up();
    const id = (await stateIds(stack, TYPES.workspace)).team;
    emulator().state().workspaces[id].usage_limits = [
      { credit_limit: null, type: "cost", alert_threshold: null, periodic_reset: null, periodic_reset_days: null, next_usage_reset_at: null },
    ];
    expect((await call(emulator(), "GET", `/admin/workspaces/${id}`)).body.usage_limits).toEqual([expect.objectContaining({ credit_limit: null, type: "cost" })]);
    const refreshed = await outcome(stack.refresh());
    expectSucceeded(refreshed);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);
  });
});
