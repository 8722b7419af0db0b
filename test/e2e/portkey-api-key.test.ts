/**
 * The Portkey ApiKey resource through the real engine against the emulator, in
 * both forms (see resourceSuite in ./harness.ts), for each kind of key:
 * organisation service, workspace service, workspace user (in workspaces made
 * once per emulator). Both: create with the secrets as encrypted outputs,
 * no secret in plaintext anywhere, clean preview, rotateWhen, a create that
 * succeeds remotely but fails afterwards, destroy. Dynamic: every field changed
 * and cleared in place, rotationPeriodDays and decimal usage limits (with the
 * nextUsageResetAt and lastRotatedAt outputs), resetUsage as a trigger, the
 * workspace spelled by UUID or slug, a scheduled rotation seen on refresh,
 * replacement on a new workspace or type, drift repaired, out-of-band delete,
 * bad input at preview.
 */
import type { ApiKeyArgs } from "../../sdk/portkey";
import type { RunningEmulator } from "../../emulator";
import { ADMIN_KEY, call } from "../support/emulator";
import { resourceSuite, SuiteContext } from "./harness";

jest.setTimeout(10 * 60_000);

const USER_ID = "3f2b8e0c-8a57-4d0e-9a0f-5b1f0e2d7c11";
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** The stale-read window of this suite's emulator (limits read back old for a moment after a write), and a wait past it. */
const STALE_READ_MS = 800;
const pastStaleReads = () => new Promise((r) => setTimeout(r, STALE_READ_MS + 100));

type KeyKind = "org" | "wsService" | "wsUser";
/** The keys a program declares, by logical name. */
type Keys = Partial<Record<KeyKind, ApiKeyArgs>>;
interface Fixtures {
  alpha: { id: string; slug: string };
  beta: { id: string; slug: string };
}
type Ctx = SuiteContext<Keys, Fixtures>;

/** The three kinds of key as most tests declare them. */
function baseKeys({ alpha }: Fixtures): Required<Keys> {
  return {
    org: { type: "organisation", subType: "service", name: "platform-admin", scopes: ["workspaces.list", "workspaces.read"] },
    wsService: { type: "workspace", subType: "service", workspaceId: alpha.slug, name: "checkout-svc", scopes: ["completions.write"] },
    wsUser: { type: "workspace", subType: "user", workspaceId: alpha.id, userId: USER_ID, name: "alice", scopes: ["logs.view"] },
  };
}

/** Every updatable field set to new values, for any kind of key. */
const FUTURE = new Date(Date.now() + 90 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
function everyField(base: ApiKeyArgs): ApiKeyArgs {
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
    expiresAt: FUTURE,
    rotationPolicy: { rotationPeriod: "monthly", keyTransitionPeriodMs: 3_600_000 },
  };
}

function mapKeys(keys: Keys, f: (args: ApiKeyArgs, kind: KeyKind) => ApiKeyArgs): Keys {
  return Object.fromEntries(Object.entries(keys).map(([kind, args]) => [kind, f(args!, kind as KeyKind)]));
}

function remoteKeys(emulator: RunningEmulator) {
  return Object.values(emulator.state().api_keys).filter((k) => !k.deleted_at);
}
function remoteKey(emulator: RunningEmulator, name: string) {
  const found = remoteKeys(emulator).filter((k) => k.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}
function currentSecret(emulator: RunningEmulator, name: string): string {
  const secrets = remoteKey(emulator, name).secrets;
  return secrets[secrets.length - 1].value;
}

/** Asserts the next preview changes nothing at all: every step, the providers' included, is "same". */
async function expectAllSame(ctx: Ctx): Promise<void> {
  const preview = await ctx.preview();
  expect({ ops: ctx.ops(preview), summary: preview.changeSummary }).toEqual({ ops: [], summary: { same: expect.any(Number) } });
}

/** Asserts the preview updates exactly the one key in place, showing each of `properties` as changed in the CLI's diff. */
async function expectUpdateOf(ctx: Ctx, properties: string[]): Promise<void> {
  const preview = await ctx.preview();
  expect(ctx.ops(preview, true)).toEqual([`update ${ctx.type}`]);
  for (const property of properties) {
    // The CLI's diff marks changed properties with ~, + or -.
    expect({ property, shown: new RegExp(`^\\s*[-+~] ${property}\\s*:`, "m").test(preview.diffText) }).toEqual({ property, shown: true });
  }
}

resourceSuite<Keys, Fixtures>({
  vendor: "portkey",
  resource: "ApiKey",
  // The logical name of the organisation key, which the drift step edits.
  name: "org",
  emulator: { staleReadMs: STALE_READ_MS },
  setup: async (emulator) => ({
    alpha: (await call(emulator, "POST", "/admin/workspaces", { name: "alpha" })).body,
    beta: (await call(emulator, "POST", "/admin/workspaces", { name: "beta" })).body,
  }),
  base: (fixtures) => baseKeys(fixtures),
  declare: (sdk, _name, keys) => {
    const outputs: Record<string, unknown> = {};
    for (const [kind, args] of Object.entries(keys)) {
      const key = new sdk.portkey.ApiKey(kind, args!);
      outputs[`${kind}Key`] = key.key;
      outputs[`${kind}Masked`] = key.maskedKey;
      outputs[`${kind}Current`] = key.keyIsCurrent;
      outputs[`${kind}Transition`] = key.keyTransitionExpiresAt;
      outputs[`${kind}CreationMode`] = key.creationMode;
      outputs[`${kind}LastRotatedAt`] = key.lastRotatedAt;
      outputs[`${kind}NextUsageResetAt`] = key.nextUsageResetAt;
      outputs[`${kind}NextRotationAt`] = key.nextRotationAt;
    }
    return outputs;
  },
  declares: { ApiKey: 3 },
  steps: { native: ["create", "secrets", "destroy"] },

  created: async (ctx, result) => {
    const { emulator, fixtures } = ctx;
    expect(remoteKeys(emulator).map((k) => `${k.type}-${k.sub_type}`).sort()).toEqual(["organisation-service", "workspace-service", "workspace-user"]);
    expect(remoteKey(emulator, "checkout-svc").workspace_id).toBe(fixtures.alpha.id);
    expect(remoteKey(emulator, "alice").user_id).toBe(USER_ID);
    for (const [kind, name] of [["org", "platform-admin"], ["wsService", "checkout-svc"], ["wsUser", "alice"]] as const) {
      expect(result.outputs[`${kind}Key`]).toEqual({ value: currentSecret(emulator, name), secret: true });
      expect(result.outputs[`${kind}Masked`].value).toMatch(/^..\*+..$/);
      expect(result.outputs[`${kind}CreationMode`].value).toBe("api");
    }
    const stored = (await ctx.engine.exportState()).resource(ctx.type, "wsService")!;
    expect(stored.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });
  },
  // Every secret of every key the emulator ever issued (rotated and deleted ones too), and the admin key.
  secrets: ({ emulator }) => [ADMIN_KEY, ...Object.values(emulator.state().api_keys).flatMap((k) => k.secrets.map((s) => s.value))],

  drift: {
    given: (ctx) => ctx.base(),
    edit: async ({ emulator }) => {
      await call(emulator, "PUT", `/api-keys/${remoteKey(emulator, "platform-admin").id}`, {
        name: "platform-admin",
        scopes: ["workspaces.list"],
        usage_limits: { credit_limit: 7, type: "cost" },
        rate_limits: [{ type: "requests", unit: "rpm", value: 3 }],
      });
      await pastStaleReads();
    },
    inState: { scopes: ["workspaces.list"], usageLimits: { creditLimit: 7 }, rateLimits: [{ value: 3 }] },
    repaired: ({ emulator }) => {
      expect(remoteKey(emulator, "platform-admin")).toMatchObject({ scopes: ["workspaces.list", "workspaces.read"], usage_limits: null, rate_limits: [] });
    },
  },

  deleted: {
    given: (ctx) => ctx.base(),
    delete: async ({ emulator }) => {
      const old = remoteKey(emulator, "platform-admin");
      const oldSecret = currentSecret(emulator, "platform-admin");
      await call(emulator, "DELETE", `/api-keys/${old.id}`);
      return { id: old.id, oldSecret };
    },
    // A new key with a new secret, which is the output.
    recreated: async (ctx, before) => {
      const { id, oldSecret } = before as { id: string; oldSecret: string };
      expect(remoteKey(ctx.emulator, "platform-admin").id).not.toBe(id);
      const orgKey = (await ctx.engine.stack.outputs()).orgKey.value;
      expect(orgKey).not.toBe(oldSecret);
      expect(orgKey).toBe(currentSecret(ctx.emulator, "platform-admin"));
    },
  },

  badInput: (valid) =>
    (
      [
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
      ] as [ApiKeyArgs, RegExp][]
    ).map(([org, message]): [Keys, RegExp] => [{ ...valid, org }, message]),

  destroyed: ({ emulator }) => {
    expect(remoteKeys(emulator)).toEqual([]);
  },

  tests: [
    {
      title: "every updatable field changes in place for each kind of key, and a second preview is clean",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const ids = remoteKeys(ctx.emulator).map((k) => k.id).sort();
        ctx.declare(mapKeys(ctx.base(), everyField));
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update", "update", "update"]);
        await ctx.up();
        await ctx.expectCleanPreview();
        expect(remoteKeys(ctx.emulator).map((k) => k.id).sort()).toEqual(ids);
        for (const name of ["platform-admin-v2", "checkout-svc-v2", "alice-v2"]) {
          expect(remoteKey(ctx.emulator, name)).toMatchObject({
            description: expect.stringContaining("calls the gateway"),
            scopes: expect.arrayContaining(["logs.view"]),
            rate_limits: [{ type: "requests", unit: "rps", value: 20 }, { type: "tokens", unit: "rpw", value: 500000 }],
            usage_limits: expect.objectContaining({ credit_limit: 50, alert_threshold: 40, periodic_reset: "monthly" }),
            metadata: { app: name.replace(/-v2$/, "") },
            config_id: "pc-checkout",
            allow_config_override: false,
            alert_emails: ["oncall@example.com"],
            expires_at: new Date(FUTURE).toISOString(),
            rotation_policy: expect.objectContaining({ rotation_period: "monthly", key_transition_period_ms: 3_600_000 }),
          });
        }
      },
    },
    {
      title: "removing the optional fields clears them remotely, for each kind of key",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(mapKeys(ctx.base(), everyField));
        const base = baseKeys(ctx.fixtures);
        ctx.declare({ org: { ...base.org, name: "platform-admin-v2" }, wsService: { ...base.wsService, name: "checkout-service" }, wsUser: { ...base.wsUser, name: "alice-v2" } });
        await ctx.up();
        await ctx.expectCleanPreview();
        for (const name of ["platform-admin-v2", "checkout-service", "alice-v2"]) {
          expect(remoteKey(ctx.emulator, name)).toMatchObject({
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
      },
    },
    {
      title: "rotationPeriodDays and decimal usage limits: set, changed, drift repaired, cleared; nextUsageResetAt and lastRotatedAt are outputs",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { emulator, fixtures } = ctx;
        const key = (extra: Pick<ApiKeyArgs, "rotationPolicy" | "usageLimits" | "rotateWhen">): Keys => ({
          wsService: { type: "workspace", subType: "service", workspaceId: fixtures.alpha.id, name: "nf-key", scopes: ["completions.write"], ...extra },
        });
        const record = (id: string) => emulator.state().api_keys[id];
        const read = async (id: string) => {
          const answer = await call(emulator, "GET", `/api-keys/${id}`);
          expect(answer.status).toBe(200);
          return answer.body;
        };
        const bodies = (route: string) => ctx.requests(route).map((r) => r.body);
        const storedOutputs = async () => (await ctx.engine.exportState()).resource(ctx.type, "wsService")!.outputs ?? {};
        const output = (result: { outputs: Record<string, { value: unknown }> }, name: string) => result.outputs[`wsService${name}`]?.value;

        // Set at create.
        await ctx.given("nothing");
        ctx.declare(key({ rotationPolicy: { rotationPeriodDays: 10 }, usageLimits: { creditLimit: 2.5, alertThreshold: 1.5 }, rotateWhen: "1" }));
        const created = await ctx.up();
        expect(ctx.ops(created)).toEqual(["create"]);
        const id = remoteKey(emulator, "nf-key").id;
        expect(record(id).workspace_id).toBe(fixtures.alpha.id);
        expect(bodies("POST /api-keys/{type}/{sub-type}")).toEqual([
          expect.objectContaining({ rotation_policy: { rotation_period_days: 10 }, usage_limits: { credit_limit: 2.5, alert_threshold: 1.5 } }),
        ]);
        expect(record(id).rotation_policy).toMatchObject({ rotation_period_days: 10, rotation_period: null });
        expect(record(id).usage_limits).toMatchObject({ credit_limit: 2.5, alert_threshold: 1.5 });
        await pastStaleReads();
        expect((await read(id)).usage_limits).toMatchObject({ credit_limit: 2.5, alert_threshold: 1.5 });
        expect(output(created, "NextRotationAt")).toMatch(TIMESTAMP);
        expect(output(created, "LastRotatedAt")).toBeUndefined();
        expect(output(created, "NextUsageResetAt")).toBeUndefined();
        expect(await storedOutputs()).toMatchObject({ rotationPolicy: { rotationPeriodDays: 10 }, usageLimits: { creditLimit: 2.5, alertThreshold: 1.5 } });
        await expectAllSame(ctx);

        // Changed: 10 → 20 days, credit limit 2.5 → 7.25.
        ctx.declare(key({ rotationPolicy: { rotationPeriodDays: 20 }, usageLimits: { creditLimit: 7.25, alertThreshold: 1.5 }, rotateWhen: "1" }));
        await expectUpdateOf(ctx, ["rotationPolicy", "usageLimits"]);
        ctx.markRequests();
        const changed = await ctx.up();
        expect(ctx.ops(changed)).toEqual(["update"]);
        expect(bodies("PUT /api-keys/{id}")).toEqual([
          expect.objectContaining({ rotation_policy: { rotation_period_days: 20 }, usage_limits: { credit_limit: 7.25, alert_threshold: 1.5 } }),
        ]);
        expect(record(id).rotation_policy).toMatchObject({ rotation_period_days: 20, rotation_period: null });
        expect(record(id).usage_limits).toMatchObject({ credit_limit: 7.25, alert_threshold: 1.5 });
        expect(remoteKey(emulator, "nf-key").id).toBe(id);
        await expectAllSame(ctx);

        // Drift: both changed out of band; refresh shows it, preview updates, up repairs.
        const drift = await call(emulator, "PUT", `/api-keys/${id}`, {
          rotation_policy: { rotation_period_days: 30 },
          usage_limits: { credit_limit: 3.5, alert_threshold: 1.25 },
        });
        expect(drift.status).toBe(200);
        await pastStaleReads();
        await ctx.refresh();
        expect(await storedOutputs()).toMatchObject({ rotationPolicy: { rotationPeriodDays: 30 }, usageLimits: { creditLimit: 3.5, alertThreshold: 1.25 } });
        await expectUpdateOf(ctx, ["rotationPolicy", "usageLimits"]);
        await ctx.up();
        expect(record(id).rotation_policy).toMatchObject({ rotation_period_days: 20 });
        expect(record(id).usage_limits).toMatchObject({ credit_limit: 7.25, alert_threshold: 1.5 });
        await expectAllSame(ctx);

        // A monthly reset: nextUsageResetAt is an output.
        ctx.declare(key({ rotationPolicy: { rotationPeriodDays: 20 }, usageLimits: { creditLimit: 7.25, alertThreshold: 1.5, periodicReset: "monthly" }, rotateWhen: "1" }));
        await expectUpdateOf(ctx, ["usageLimits"]);
        const monthly = await ctx.up();
        expect(record(id).usage_limits).toMatchObject({ credit_limit: 7.25, periodic_reset: "monthly" });
        const nextReset = output(monthly, "NextUsageResetAt");
        expect(nextReset).toMatch(TIMESTAMP);
        expect(Date.parse(nextReset as string)).toBe(Date.parse(record(id).usage_limits!.next_usage_reset_at!));
        expect(Date.parse(nextReset as string)).toBeGreaterThan(Date.now());
        await expectAllSame(ctx);

        // Cleared: both removed from the program.
        ctx.declare(key({ rotateWhen: "1" }));
        await expectUpdateOf(ctx, ["rotationPolicy", "usageLimits"]);
        ctx.markRequests();
        const cleared = await ctx.up();
        expect(bodies("PUT /api-keys/{id}")).toEqual([expect.objectContaining({ rotation_policy: null, usage_limits: null })]);
        expect(record(id).rotation_policy).toBeNull();
        expect(record(id).usage_limits).toBeNull();
        await pastStaleReads();
        const after = await read(id);
        expect(after.rotation_policy).toBeNull();
        expect(after.usage_limits).toBeNull();
        expect(output(cleared, "NextUsageResetAt")).toBeUndefined();
        expect(output(cleared, "NextRotationAt")).toBeUndefined();
        const clearedState = await storedOutputs();
        expect(clearedState.rotationPolicy).toBeUndefined();
        expect(clearedState.usageLimits).toBeUndefined();
        await expectAllSame(ctx);

        // Rotation through rotateWhen: lastRotatedAt becomes a timestamp.
        const secretBefore = record(id).secrets[record(id).secrets.length - 1].value;
        ctx.declare(key({ rotateWhen: "2" }));
        await expectUpdateOf(ctx, ["rotateWhen"]);
        const rotated = await ctx.up();
        expect(record(id).secrets[record(id).secrets.length - 1].value).not.toBe(secretBefore);
        expect(record(id).last_rotated_at).toMatch(TIMESTAMP);
        const lastRotatedAt = output(rotated, "LastRotatedAt");
        expect(lastRotatedAt).toMatch(TIMESTAMP);
        expect(Date.parse(lastRotatedAt as string)).toBe(Date.parse(record(id).last_rotated_at!));
        expect((await storedOutputs()).lastRotatedAt).toBe(lastRotatedAt);
        await expectAllSame(ctx);
        // Deleted, so the suite's keys start afresh: a key just rotated cannot rotate again during its transition period.
        await ctx.given("nothing");
      },
    },
    {
      title: "resetUsage is a trigger: sent once when its value changes, not on every update",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const base = baseKeys(ctx.fixtures);
        const withReset: Keys = { ...base, wsService: { ...base.wsService, resetUsage: "2026-11" } };
        ctx.declare(withReset);
        await ctx.up();
        const firstReset = remoteKey(ctx.emulator, "checkout-svc").last_reset_at;
        expect(firstReset).not.toBeNull();
        await ctx.expectCleanPreview();
        ctx.declare({ ...withReset, org: { ...base.org, description: "unrelated change" } });
        await ctx.up();
        expect(remoteKey(ctx.emulator, "checkout-svc").last_reset_at).toBe(firstReset);
      },
    },
    {
      title: "spelling the workspace by UUID instead of slug is not a change",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const base = baseKeys(ctx.fixtures);
        ctx.declare({ ...base, wsService: { ...base.wsService, workspaceId: ctx.fixtures.alpha.id } });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "rotateWhen rotates each kind of key; the new secret is the output and the old one works during the transition",
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given(ctx.base());
        const names = [["org", "platform-admin"], ["wsService", "checkout-svc"], ["wsUser", "alice"]] as const;
        const before = Object.fromEntries(names.map(([, name]) => [name, currentSecret(emulator, name)]));
        ctx.declare(mapKeys(ctx.base(), (args) => ({ ...args, rotateWhen: "2026-11-23", rotationTransitionPeriodMs: 1_800_000 })));
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update", "update", "update"]);
        const result = await ctx.up();
        const state = (await ctx.engine.exportState()).text;
        for (const [kind, name] of names) {
          const after = currentSecret(emulator, name);
          expect(after).not.toBe(before[name]);
          expect(result.outputs[`${kind}Key`]).toEqual({ value: after, secret: true });
          expect(Date.parse(result.outputs[`${kind}Transition`].value as string)).toBeGreaterThan(Date.now());
          expect(state).not.toContain(after);
        }
        // The old admin secret still authenticates during its transition.
        expect((await call(emulator, "GET", "/admin/workspaces", undefined, before["platform-admin"])).status).toBe(200);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a scheduled rotation by Portkey is detected on refresh and reported",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const id = remoteKey(ctx.emulator, "alice").id;
        await fetch(`${ctx.emulator.url}/_emulator/portkey/api-keys/${id}/scheduled-rotation`, { method: "POST" });
        const refreshed = await ctx.refresh();
        expect(refreshed.stdout).toMatch(/rotated API key 'alice'.*stale/s);
        const state = await ctx.engine.exportState();
        expect(state.resource(ctx.type, "wsUser")?.outputs?.keyIsCurrent).toBe(false);
      },
    },
    {
      title: "changing the workspace replaces the key: old one deleted, new secret exported",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { emulator, fixtures } = ctx;
        await ctx.given(ctx.base());
        const old = remoteKey(emulator, "checkout-svc");
        const base = baseKeys(ctx.fixtures);
        ctx.declare({ ...base, wsService: { ...base.wsService, workspaceId: fixtures.beta.id } });
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toContain("replace");
        const result = await ctx.up();
        const fresh = remoteKey(emulator, "checkout-svc");
        expect(fresh.id).not.toBe(old.id);
        expect(emulator.state().api_keys[old.id].deleted_at).not.toBeNull();
        expect(fresh.workspace_id).toBe(fixtures.beta.id);
        expect(result.outputs.wsServiceKey.value).toBe(currentSecret(emulator, "checkout-svc"));
      },
    },
    {
      title: "changing the type replaces the key",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const old = remoteKey(ctx.emulator, "alice");
        ctx.declare({ ...ctx.base(), wsUser: { type: "workspace", subType: "service", workspaceId: ctx.fixtures.alpha.id, name: "alice", scopes: ["logs.view"] } });
        await ctx.up();
        expect(remoteKey(ctx.emulator, "alice").id).not.toBe(old.id);
        expect(remoteKey(ctx.emulator, "alice").sub_type).toBe("service");
      },
    },
    {
      title: "an unknown scope passes preview with allowUnknownScopes",
      forms: ["dynamic"],
      after: "badInput",
      body: async (ctx: Ctx) => {
        const valid = ctx.desired ?? ctx.base();
        try {
          ctx.declare({ ...valid, org: { ...baseKeys(ctx.fixtures).org, scopes: ["workspaces.fly"], allowUnknownScopes: true } });
          await expect(ctx.preview()).resolves.toBeDefined();
        } finally {
          ctx.declare(valid);
        }
      },
    },
    {
      title: "a create that succeeds remotely but fails afterwards is recorded with its id and encrypted secret, and the next up finishes it",
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given("nothing");
        ctx.declare({ org: { type: "organisation", subType: "service", name: "partial", scopes: ["workspaces.list"] } });
        // Every read-back attempt (one call plus its retries) fails after the POST succeeded.
        emulator.setFaults({ failNext: { "GET /api-keys/{id}": 5 } });
        await expect(ctx.up()).rejects.toThrow(/was created, but a later step failed/);
        const created = remoteKey(emulator, "partial");
        const state = await ctx.engine.exportState();
        const stored = state.resource(ctx.type, "org")!;
        expect(stored.id).toBe(created.id);
        expect(stored.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });
        expect(state.text).not.toContain(currentSecret(emulator, "partial"));
        const result = await ctx.up();
        expect(result.outputs.orgKey.value).toBe(currentSecret(emulator, "partial"));
        expect(remoteKeys(emulator).filter((k) => k.name === "partial")).toHaveLength(1);
        await ctx.destroy();
      },
    },
  ],
});
