/**
 * The Portkey Workspace resource through the real engine against the emulator,
 * in both forms (see resourceSuite in ./harness.ts). Both: create, the admin
 * key never in plaintext, clean preview, destroy, `Workspace.get`. Dynamic:
 * every field changed and cleared in place, the guardrails and user-key config
 * (set, changed, drift repaired, cleared, left alone once undeclared), drift
 * repaired, out-of-band delete, bad input at preview, destroy with and without
 * forceDelete, adoptExisting, and the organisation's default workspace (adopted
 * like any other, never deleted).
 */
import type { WorkspaceArgs } from "../../sdk/portkey";
import { ADMIN_KEY, call } from "../support/emulator";
import { resourceSuite, SuiteContext } from "./harness";
import type { RunningEmulator } from "../../emulator";

jest.setTimeout(10 * 60_000);

type Ctx = SuiteContext<WorkspaceArgs, Record<string, never>>;

/** The workspaces the tests made (the organisation's default one is not among them). */
function remote(emulator: RunningEmulator) {
  return Object.values(emulator.state().workspaces).filter((w) => !w.deleted_at && !w.is_default);
}

/** The organisation's default workspace. */
function home(emulator: RunningEmulator) {
  return Object.values(emulator.state().workspaces).find((w) => w.is_default)!;
}

/** Stored outputs of the workspace "team". */
async function stored(ctx: Ctx): Promise<Record<string, unknown>> {
  const resource = (await ctx.engine.exportState()).resource(ctx.type, "team");
  expect(resource).toBeDefined();
  return resource!.outputs ?? {};
}

/** Asserts the preview updates the workspace in place, showing each of `properties` as changed in the CLI's diff. */
async function expectUpdateOf(ctx: Ctx, properties: string[]): Promise<void> {
  const preview = await ctx.preview();
  expect(ctx.ops(preview)).toEqual(["update"]);
  for (const property of properties) {
    // The CLI's diff marks changed properties with ~, + or -.
    expect({ property, shown: new RegExp(`^\\s*[-+~] ${property}\\s*:`, "m").test(preview.diffText) }).toEqual({ property, shown: true });
  }
}

/** Asserts the next preview changes nothing at all: every step, the providers' included, is "same". */
async function expectAllSame(ctx: Ctx): Promise<void> {
  const preview = await ctx.preview();
  expect({ ops: ctx.ops(preview), summary: preview.changeSummary }).toEqual({ ops: [], summary: { same: expect.any(Number) } });
}

async function upAndExpectNoDiff(ctx: Ctx): Promise<void> {
  await ctx.up();
  await ctx.expectCleanPreview();
}

resourceSuite<WorkspaceArgs>({
  vendor: "portkey",
  resource: "Workspace",
  name: "team",
  // A stale-read window like the live API's: limits read back old for a moment after a write.
  emulator: { staleReadMs: 1500 },
  base: () => ({
    name: "Platform Team",
    description: "Owned by platform",
    metadata: { team: "platform", costCenter: "42" },
    usageLimits: [{ creditLimit: 100, alertThreshold: 80, periodicReset: "monthly" }],
    rateLimits: [{ type: "requests", unit: "rpm", value: 600 }],
  }),
  declare: (sdk, name, args) => {
    const ws = new sdk.portkey.Workspace(name, args);
    return {
      workspaceId: ws.workspaceId,
      slug: ws.slug,
      name: ws.name,
      inputGuardrails: ws.inputGuardrails,
      outputGuardrails: ws.outputGuardrails,
      userApiKeyConfig: ws.userApiKeyConfig,
      isDefault: ws.isDefault,
    };
  },
  steps: { native: ["create", "secrets", "destroy"] },

  created: async (ctx, result) => {
    const [ws] = remote(ctx.emulator);
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
    const inputs = (await ctx.engine.exportState()).resource(ctx.type, "team")?.inputs;
    if (ctx.form === "dynamic") {
      // The stack config holds the admin key, encrypted; the provider closure must not capture it.
      expect(inputs?.__provider).not.toContain(ADMIN_KEY);
    } else {
      // Native resources keep no serialized provider code in their inputs.
      expect(inputs).not.toHaveProperty("__provider");
    }
  },
  // The admin key is in the stack config only, encrypted.
  secrets: () => [ADMIN_KEY],

  drift: {
    given: (ctx) => ({ ...ctx.base(), metadata: undefined, description: "As declared", rateLimits: [{ type: "requests", unit: "rpm", value: 60 }] }),
    edit: async ({ emulator }) => {
      await call(emulator, "PUT", `/admin/workspaces/${remote(emulator)[0].id}`, {
        description: "Edited in the console",
        rate_limits: [{ type: "requests", unit: "rpm", value: 5 }],
        defaults: { metadata: { added: "by hand" } },
      });
      await new Promise((r) => setTimeout(r, 1600)); // let the stale-read window pass
    },
    inState: { description: "Edited in the console", metadata: { added: "by hand" }, rateLimits: [{ value: 5 }] },
    diffText: /description/,
    repaired: ({ emulator }) => {
      expect(remote(emulator)[0]).toMatchObject({ description: "As declared", metadata: {}, rate_limits: [{ value: 60 }] });
    },
  },

  deleted: {
    delete: async ({ emulator }) => {
      const old = remote(emulator)[0];
      await call(emulator, "DELETE", `/admin/workspaces/${old.id}`, { name: old.name });
      return old;
    },
    recreated: ({ emulator }, old) => {
      expect(remote(emulator)).toHaveLength(1);
      expect(remote(emulator)[0].id).not.toBe((old as { id: string }).id);
    },
  },

  badInput: () => [
    [{ name: "" }, /name.*must not be empty/],
    [{ name: "Bad limit", usageLimits: [{ creditLimit: -5 }] }, /usageLimits\[0\]\.creditLimit/],
    [{ name: "Bad enum", rateLimits: [{ type: "requests", unit: "per-fortnight", value: 1 }] }, /rateLimits\[0\]\.unit/],
    [{ name: "Bad reset", usageLimits: [{ creditLimit: 10, periodicReset: "monthly", periodicResetDays: 7 }] }, /usageLimits\[0\]\.periodicResetDays: set either periodicReset or periodicResetDays/],
    [{ name: "Fractional", usageLimits: [{ creditLimit: 2.5 }] }, /usageLimits\[0\]\.creditLimit/],
  ],

  destroyed: ({ emulator }) => {
    expect(remote(emulator)).toEqual([]);
  },

  tests: [
    {
      title: "each field changes in place, never by replacement",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const id = remote(ctx.emulator)[0].id;
        const changes: Partial<WorkspaceArgs>[] = [
          { name: "Platform Team EU" },
          { description: "Owned by platform (EU)" },
          { metadata: { team: "platform-eu" } },
          { usageLimits: [{ creditLimit: 250, alertThreshold: 200, periodicResetDays: 14, type: "cost" }] },
          { rateLimits: [{ type: "tokens", unit: "rph", value: 100000 }] },
        ];
        for (const change of changes) {
          ctx.declare({ ...ctx.desired!, ...change });
          const preview = await ctx.preview();
          expect(ctx.ops(preview)).toEqual(["update"]);
          expect(preview.diffText).toContain(Object.keys(change)[0]);
          await upAndExpectNoDiff(ctx);
        }
        const [ws] = remote(ctx.emulator);
        expect(ws.id).toBe(id);
        expect(ws).toMatchObject({
          name: "Platform Team EU",
          description: "Owned by platform (EU)",
          metadata: { team: "platform-eu" },
          usage_limits: [expect.objectContaining({ credit_limit: 250, periodic_reset_days: 14, periodic_reset: null })],
          rate_limits: [{ type: "tokens", unit: "rph", value: 100000 }],
        });
      },
    },
    {
      title: "removing each optional field clears it remotely",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        for (const field of ["description", "metadata", "usageLimits", "rateLimits"] as const) {
          const next = { ...ctx.desired! };
          delete next[field];
          ctx.declare(next);
          const preview = await ctx.preview();
          expect(ctx.ops(preview)).toEqual(["update"]);
          await upAndExpectNoDiff(ctx);
        }
        expect(remote(ctx.emulator)[0]).toMatchObject({ description: "", metadata: {}, usage_limits: [], rate_limits: [] });
      },
    },
    {
      title: "inputGuardrails, outputGuardrails and userApiKeyConfig: set, changed, drift repaired, cleared, then left alone once undeclared",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        const declared = (fields: Pick<WorkspaceArgs, "inputGuardrails" | "outputGuardrails" | "userApiKeyConfig">): WorkspaceArgs => ({ name: "Guardrails", forceDelete: true, ...fields });
        const held = (id: string) => {
          const w = emulator.state().workspaces[id];
          return { input: w.input_guardrails, output: w.output_guardrails, config: w.user_api_key_config };
        };
        const bodies = (route: string) => ctx.requests(route).map((r) => r.body);

        // Set at create: sent in the POST's defaults, stored, shown as outputs.
        await ctx.given("nothing");
        ctx.declare(declared({ inputGuardrails: ["pii-in"], outputGuardrails: ["pii-out"], userApiKeyConfig: "cfg-users-a" }));
        const created = await ctx.up();
        expect(ctx.ops(created)).toEqual(["create"]);
        const id = remote(emulator)[0].id;
        expect(bodies("POST /admin/workspaces")).toEqual([
          expect.objectContaining({ defaults: { input_guardrails: ["pii-in"], output_guardrails: ["pii-out"], user_api_key_config: "cfg-users-a" } }),
        ]);
        expect(held(id)).toEqual({ input: ["pii-in"], output: ["pii-out"], config: "cfg-users-a" });
        expect(created.outputs.inputGuardrails.value).toEqual(["pii-in"]);
        expect(created.outputs.outputGuardrails.value).toEqual(["pii-out"]);
        expect(created.outputs.userApiKeyConfig.value).toBe("cfg-users-a");
        await expectAllSame(ctx);

        // Changed: an in-place update of the three.
        ctx.declare(declared({ inputGuardrails: ["pii-in", "jailbreak"], outputGuardrails: ["toxicity"], userApiKeyConfig: "cfg-users-b" }));
        await expectUpdateOf(ctx, ["inputGuardrails", "outputGuardrails", "userApiKeyConfig"]);
        const changed = await ctx.up();
        expect(ctx.ops(changed)).toEqual(["update"]);
        expect(held(id)).toEqual({ input: ["pii-in", "jailbreak"], output: ["toxicity"], config: "cfg-users-b" });
        expect(remote(emulator).map((w) => w.id)).toEqual([id]);
        await expectAllSame(ctx);

        // Drift: changed out of band (as in the UI); refresh shows it, preview updates, up repairs.
        const drift = await call(emulator, "PUT", `/admin/workspaces/${id}`, {
          defaults: { input_guardrails: ["ui-in"], output_guardrails: ["ui-out-1", "ui-out-2"], user_api_key_config: "cfg-ui" },
        });
        expect(drift.status).toBe(200);
        await ctx.refresh();
        expect(await stored(ctx)).toMatchObject({ inputGuardrails: ["ui-in"], outputGuardrails: ["ui-out-1", "ui-out-2"], userApiKeyConfig: "cfg-ui" });
        await expectUpdateOf(ctx, ["inputGuardrails", "outputGuardrails", "userApiKeyConfig"]);
        await ctx.up();
        expect(held(id)).toEqual({ input: ["pii-in", "jailbreak"], output: ["toxicity"], config: "cfg-users-b" });
        await expectAllSame(ctx);

        // Cleared: declared empty.
        ctx.declare(declared({ inputGuardrails: [], outputGuardrails: [], userApiKeyConfig: "" }));
        await expectUpdateOf(ctx, ["inputGuardrails", "outputGuardrails", "userApiKeyConfig"]);
        ctx.markRequests();
        await ctx.up();
        const clearing = bodies("PUT /admin/workspaces/{workspaceId}") as { defaults?: Record<string, unknown> }[];
        expect(clearing).toHaveLength(1);
        expect(clearing[0].defaults).toMatchObject({ input_guardrails: [], output_guardrails: [] });
        expect([null, ""]).toContainEqual(clearing[0].defaults?.user_api_key_config);
        expect(held(id)).toEqual({ input: [], output: [], config: null });
        await expectAllSame(ctx);

        // Declaration removed: nothing is sent.
        ctx.declare(declared({}));
        expect(ctx.ops(await ctx.preview())).toEqual([]);
        ctx.markRequests();
        await ctx.up();
        expect(bodies("PUT /admin/workspaces/{workspaceId}")).toEqual([]);
        expect(held(id)).toEqual({ input: [], output: [], config: null });
        await expectAllSame(ctx);

        // Set out of band afterwards: shown as outputs after refresh, never a change, never sent.
        const late = await call(emulator, "PUT", `/admin/workspaces/${id}`, {
          defaults: { input_guardrails: ["late-in"], output_guardrails: ["late-out"], user_api_key_config: "cfg-late" },
        });
        expect(late.status).toBe(200);
        await ctx.refresh();
        expect(await stored(ctx)).toMatchObject({ inputGuardrails: ["late-in"], outputGuardrails: ["late-out"], userApiKeyConfig: "cfg-late" });
        await expectAllSame(ctx);
        ctx.markRequests();
        const leftAlone = await ctx.up();
        expect(ctx.ops(leftAlone)).toEqual([]);
        expect(bodies("PUT /admin/workspaces/{workspaceId}")).toEqual([]);
        expect(leftAlone.outputs.inputGuardrails.value).toEqual(["late-in"]);
        expect(held(id)).toEqual({ input: ["late-in"], output: ["late-out"], config: "cfg-late" });
        await expectAllSame(ctx);
      },
    },
    {
      title: "destroy without forceDelete explains what still lives in the workspace; with it, cascades",
      forms: ["dynamic"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given(ctx.base());
        const ws = remote(emulator)[0];
        const key = await call(emulator, "POST", "/api-keys/workspace/service", { name: "ci-bot", scopes: ["completions.write"], workspace_id: ws.id });
        expect(key.status).toBe(200);
        await expect(ctx.destroy()).rejects.toThrow(/forceDelete: true.*|ci-bot/s);
        await expect(ctx.destroy()).rejects.toThrow(/ci-bot/);
        expect(remote(emulator)).toHaveLength(1);
        ctx.declare({ ...ctx.base(), forceDelete: true });
        expect(ctx.ops(await ctx.preview())).toEqual(["update"]);
        await ctx.up();
        // Renamed in the UI since the last refresh: the delete with the stored name is refused, then the current name is read and used.
        expect((await call(emulator, "PUT", `/admin/workspaces/${ws.id}`, { name: "Renamed in the UI" })).status).toBe(200);
        ctx.markRequests();
        const destroyed = await ctx.destroy();
        expect(ctx.ops(destroyed, true)).toEqual([`delete ${ctx.type}`]);
        const workspaceCalls = ctx.requests().filter((r) => r.route.endsWith("/admin/workspaces/{workspaceId}"));
        expect(workspaceCalls.map((r) => `${r.route.split(" ")[0]} ${r.status}`)).toEqual(["DELETE 400", "GET 200", "DELETE 200"]);
        expect(remote(emulator)).toEqual([]);
        expect(emulator.state().api_keys[key.body.id].deleted_at).not.toBeNull();
      },
    },
    {
      title: "Workspace.get reads an existing workspace by id without managing it",
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given("nothing");
        const created = await call(emulator, "POST", "/admin/workspaces", { name: "Made elsewhere", description: "not ours" });
        ctx.setProgram(async () => {
          const found = ctx.sdk.portkey.Workspace.get("existing", created.body.id);
          return { name: found.name, slug: found.slug, description: found.description };
        });
        const result = await ctx.up();
        expect(result.outputs.name.value).toBe("Made elsewhere");
        expect(result.outputs.slug.value).toBe(created.body.slug);
        expect(result.outputs.description.value).toBe("not ours");
        await ctx.destroy();
        expect(remote(emulator).map((w) => w.id)).toContain(created.body.id);
        await call(emulator, "DELETE", `/admin/workspaces/${created.body.id}`, { name: "Made elsewhere" });
      },
    },
    {
      title: "adoptExisting takes over a workspace created outside Pulumi instead of duplicating it",
      forms: ["dynamic"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given("nothing");
        const made = await call(emulator, "POST", "/admin/workspaces", { name: "Adopt me", description: "made by hand", rate_limits: [{ type: "requests", unit: "rpm", value: 1 }] });
        // Reads still show the limits from before that write (Portkey's stale reads), for the whole adoption: adopting must not trust them.
        emulator.state().workspaces[made.body.id].stale = { usage_limits: [], rate_limits: [], until: Date.now() + 10 * 60_000 };
        ctx.declare({ name: "Adopt me", description: "now managed", adoptExisting: true, forceDelete: true });
        const result = await ctx.up();
        expect(result.outputs.workspaceId.value).toBe(made.body.id);
        const named = Object.values(emulator.state().workspaces).filter((w) => w.name === "Adopt me" && !w.deleted_at);
        expect(named).toHaveLength(1);
        expect(named[0]).toMatchObject({ description: "now managed", rate_limits: [] });
        await ctx.expectCleanPreview();
        await ctx.destroy();
        expect(emulator.state().workspaces[made.body.id].deleted_at).not.toBeNull();
      },
    },
    {
      title: "the organisation's default workspace is adopted and updated like any other, and reads as isDefault; destroy never deletes it and says to use `pulumi state delete`",
      forms: ["dynamic"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given("nothing");
        ctx.declare({ name: home(emulator).name, description: "Managed by Pulumi", adoptExisting: true });
        const result = await ctx.up();
        expect(ctx.ops(result)).toEqual(["create"]);
        expect(result.outputs.workspaceId.value).toBe(home(emulator).id);
        expect(result.outputs.isDefault.value).toBe(true);
        expect(home(emulator).description).toBe("Managed by Pulumi");
        expect(ctx.requests("POST /admin/workspaces")).toEqual([]);

        await expect(ctx.destroy()).rejects.toThrow(/is the organisation's default workspace, which Pulumi never deletes.*pulumi state delete/s);
        ctx.declare(undefined);
        await expect(ctx.up()).rejects.toThrow(/default workspace, which Pulumi never deletes/);
        expect(ctx.requests("DELETE /admin/workspaces/{workspaceId}")).toEqual([]);
        expect(home(emulator).deleted_at).toBeNull();
        // What the error says to do stops managing it; then nothing is left to destroy.
        const urn = (await ctx.engine.exportState()).resources(ctx.type)[0].urn;
        await ctx.engine.stateDelete(urn);
        await ctx.destroy();
        expect(home(emulator).deleted_at).toBeNull();
      },
    },
  ],
});
