/**
 * The Portkey AiProvider resource through the real engine against the
 * emulator, in both forms (see resourceSuite in ./harness.ts). Both: create
 * (workspace by slug, sent as the UUID; rate limit as one object; the admin
 * key not in the state), clean preview, destroy. Dynamic: every updatable
 * field in place, the reset trigger, clearing, replacement on a slug or
 * integration change, drift repaired, out-of-band delete, bad input at
 * preview; adoption of a grant's default provider, and refusal of a
 * look-alike that is not provably one. Native: a name change in place as the
 * engine reports it, and `pulumi import`.
 */
import type { AiProviderArgs } from "../../sdk/portkey";
import { ADMIN_KEY, call } from "../support/emulator";
import { resourceSuite, Sdk, SuiteContext } from "./harness";
import type { ProviderRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const INTEGRATION = "openai-team";
const NAME = "p0";

interface Fixtures {
  ws: { id: string; slug: string };
  other: { id: string; slug: string };
}
type Ctx = SuiteContext<AiProviderArgs, Fixtures>;

function inWorkspace({ emulator }: Ctx, workspaceId: string): ProviderRecord[] {
  return Object.values(emulator.state().providers).filter((p) => p.workspace_id === workspaceId);
}

function declareProvider(sdk: Sdk, name: string, args: AiProviderArgs): Record<string, unknown> {
  // No deleteBeforeReplace option: the slug is declared unique, so a replacement keeping it deletes first by itself.
  const p = new sdk.portkey.AiProvider(name, args);
  return { id: p.id, slug: p.slug, adopted: p.adoptedDefault, status: p.status };
}

/** What the in-place update test declares first: every updatable field changed. */
function changed(ctx: Ctx): AiProviderArgs {
  return {
    ...ctx.base(),
    name: "Team A v2",
    note: "raised",
    usageLimits: { creditLimit: 250, type: "cost", alertThreshold: 200 },
    rateLimits: [{ type: "tokens", unit: "rph", value: 100000 }],
    expiresAt: "2098-06-01T12:00:00+02:00",
  };
}

/** What the in-place update test leaves declared: the changes, then the reset trigger. */
const reset = (ctx: Ctx): AiProviderArgs => ({ ...changed(ctx), resetUsage: 1 });

/** What the clearing test leaves declared: the note, limits and expiry removed. */
function cleared(ctx: Ctx): AiProviderArgs {
  const { note: _note, usageLimits: _usage, rateLimits: _rate, expiresAt: _expiry, ...rest } = reset(ctx);
  return rest;
}

resourceSuite<AiProviderArgs, Fixtures>({
  vendor: "portkey",
  resource: "AiProvider",
  name: NAME,
  setup: async (emulator) => {
    const ws = (await call(emulator, "POST", "/admin/workspaces", { name: "Providers" })).body;
    const other = (await call(emulator, "POST", "/admin/workspaces", { name: "Defaults" })).body;
    await call(emulator, "POST", "/integrations", { name: "OpenAI team", slug: INTEGRATION, ai_provider_id: "openai", key: "sk-test-provider-0000" });
    await call(emulator, "POST", "/integrations", { name: "Anthropic", slug: "anthropic-team", ai_provider_id: "anthropic", key: "sk-ant-test-0000" });
    // Access without a default provider for the lifecycle workspace.
    for (const integration of [INTEGRATION, "anthropic-team"]) {
      await call(emulator, "PUT", `/integrations/${integration}/workspaces`, { workspaces: [{ id: ws.id, enabled: true }], create_default_provider: false });
    }
    return { ws, other };
  },
  // The workspace by slug: sent as the UUID, and the UUID read back is no change.
  base: ({ ws }) => ({
    workspaceId: ws.slug,
    integrationSlug: INTEGRATION,
    name: "Team A",
    slug: "team-a",
    note: "team A's budget",
    usageLimits: { creditLimit: 100, periodicReset: "monthly" },
    rateLimits: [{ type: "requests", unit: "rpm", value: 600 }],
    expiresAt: "2099-01-01T00:00:00Z",
  }),
  declare: (sdk, name, args) => ({ provider: declareProvider(sdk, name, args) }),
  steps: { native: ["create", "destroy"] },

  // The admin key is not in the state.
  created: async (ctx, result) => {
    const { ws } = ctx.fixtures;
    const [made] = inWorkspace(ctx, ws.id);
    expect(made).toMatchObject({ slug: "team-a", name: "Team A", integration_slug: INTEGRATION, note: "team A's budget", expires_at: "2099-01-01T00:00:00.000Z" });
    expect(made.usage_limits).toMatchObject({ credit_limit: 100, periodic_reset: "monthly" });
    expect(made.rate_limits).toEqual([{ type: "requests", unit: "rpm", value: 600 }]);
    const [post] = ctx.requests("POST /providers");
    expect(post.body).toEqual({
      name: "Team A",
      integration_id: INTEGRATION,
      workspace_id: ws.id,
      slug: "team-a",
      note: "team A's budget",
      usage_limits: { credit_limit: 100, periodic_reset: "monthly" },
      rate_limits: { type: "requests", unit: "rpm", value: 600 },
      expires_at: "2099-01-01T00:00:00Z",
    });
    expect(result.outputs.provider.value).toMatchObject({ id: `${ws.id}/team-a`, slug: "team-a", adopted: false, status: "active" });
    expect((await ctx.engine.exportState()).text).not.toContain(ADMIN_KEY);
    expect(ctx.engine.backendFilesText()).not.toContain(ADMIN_KEY);
  },

  drift: {
    edit: async (ctx) => {
      await call(ctx.emulator, "PUT", `/providers/${ctx.desired!.slug}?workspace_id=${ctx.fixtures.ws.id}`, { name: "edited by hand", usage_limits: { credit_limit: 5 } });
    },
    inState: { name: "edited by hand", usageLimits: { creditLimit: 5 } },
    repaired: (ctx) => {
      const [repaired] = inWorkspace(ctx, ctx.fixtures.ws.id);
      const declared = ctx.desired!.usageLimits as { creditLimit: number } | undefined;
      expect(repaired.name).toBe(ctx.desired!.name);
      // Declared without limits (as the clearing test leaves it), the limit set by hand is removed.
      if (declared === undefined) expect(repaired.usage_limits).toBeNull();
      else expect(repaired.usage_limits).toMatchObject({ credit_limit: declared.creditLimit });
    },
  },

  deleted: {
    delete: async (ctx) => {
      const old = inWorkspace(ctx, ctx.fixtures.ws.id)[0];
      await call(ctx.emulator, "DELETE", `/providers/${old.slug}?workspace_id=${ctx.fixtures.ws.id}`);
      return old;
    },
    recreated: (ctx, old) => {
      const [made] = inWorkspace(ctx, ctx.fixtures.ws.id);
      expect(made.slug).toBe("team-a");
      expect(made.id).not.toBe((old as ProviderRecord).id);
    },
  },

  badInput: (valid) => [
    [{ ...valid, name: "" }, /name.*must not be empty/],
    [{ ...valid, slug: "no spaces" }, /slug.*must be a slug/],
    [{ ...valid, integrationSlug: "bad/slug" }, /integrationSlug.*integration slug/],
    [{ ...valid, expiresAt: "tomorrow" }, /expiresAt.*RFC 3339/],
    [{ ...valid, usageLimits: { creditLimit: 0 } }, /usageLimits.creditLimit/],
    [{ ...valid, rateLimits: [{ type: "requests", unit: "rpm", value: 1 }, { type: "tokens", unit: "rpd", value: 2 }] }, /rateLimits.*at most one/],
    [{ ...valid, rateLimits: [{ type: "requests", unit: "rps", value: 1 }] }, /rateLimits\[0\]\.unit/],
  ],

  destroyed: (ctx) => {
    expect(inWorkspace(ctx, ctx.fixtures.ws.id)).toEqual([]);
  },

  tests: [
    {
      title: "name, note, limits and expiry change in place; the reset trigger fires once; then the preview is clean",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { ws } = ctx.fixtures;
        await ctx.given(ctx.base());
        ctx.declare(changed(ctx));
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        await ctx.up();
        const [after] = inWorkspace(ctx, ws.id);
        expect(after).toMatchObject({ slug: "team-a", name: "Team A v2", note: "raised", expires_at: "2098-06-01T10:00:00.000Z" });
        expect(after.usage_limits).toMatchObject({ credit_limit: 250, type: "cost", alert_threshold: 200 });
        expect(after.rate_limits).toEqual([{ type: "tokens", unit: "rph", value: 100000 }]);
        await ctx.expectCleanPreview();

        ctx.declare(reset(ctx));
        await ctx.up();
        expect(inWorkspace(ctx, ws.id)[0].last_reset_at).toEqual(expect.any(String));
        await ctx.expectCleanPreview();
        // Each update sent only what changed; the trigger went out as reset_usage: true.
        const puts = ctx.requests("PUT /providers/{slug}").map((r) => r.body as Record<string, unknown>);
        expect(puts.map((b) => Object.keys(b).sort())).toEqual([["expires_at", "name", "note", "rate_limits", "usage_limits"], ["reset_usage"]]);
        expect(puts[0].rate_limits).toEqual({ type: "tokens", unit: "rph", value: 100000 });
        expect(puts[1]).toEqual({ reset_usage: true });
      },
    },
    {
      title: "removing the note, limits and expiry clears them",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(reset(ctx));
        ctx.declare(cleared(ctx));
        await ctx.up();
        const [after] = inWorkspace(ctx, ctx.fixtures.ws.id);
        expect(after).toMatchObject({ note: "", usage_limits: null, rate_limits: [], expires_at: null });
        expect(ctx.requests("PUT /providers/{slug}").at(-1)!.body).toEqual({ note: "", usage_limits: null, rate_limits: null, expires_at: null });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a new slug or integration replaces the provider; one keeping the slug deletes the old provider first; a workspace's other spelling does not",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { ws } = ctx.fixtures;
        await ctx.given(cleared(ctx));
        ctx.declare({ ...ctx.desired!, workspaceId: ws.id });
        await ctx.expectCleanPreview();
        const replaced = async () => ctx.ops(await ctx.preview()).sort();
        ctx.declare({ ...ctx.desired!, slug: "team-a2" });
        expect(await replaced()).toEqual(["create-replacement", "delete-replaced", "replace"]);
        ctx.declare({ ...ctx.desired!, slug: "team-a", integrationSlug: "anthropic-team" });
        expect(await replaced()).toEqual(["create-replacement", "delete-replaced", "replace"]);
        ctx.markRequests();
        await ctx.up();
        const writes = ctx.requests().map((r) => r.route).filter((route) => /^(POST|DELETE) \/providers/.test(route));
        expect(writes).toEqual(["DELETE /providers/{slug}", "POST /providers"]);
        expect(inWorkspace(ctx, ws.id).map((p) => [p.slug, p.integration_slug])).toEqual([["team-a", "anthropic-team"]]);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "the name changes in place, as the engine reports it",
      forms: ["native"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        ctx.declare({ ...ctx.base(), name: "Team A 2" });
        const preview = await ctx.preview();
        expect(ctx.ops(preview, true)).toEqual([`update ${ctx.type}`]);
        await ctx.up();
        expect(inWorkspace(ctx, ctx.fixtures.ws.id)[0].name).toBe("Team A 2");
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "the default provider a grant created is adopted (no second provider), the declared fields written to it",
      forms: ["dynamic"],
      after: "badInput",
      body: async (ctx: Ctx) => {
        const { other } = ctx.fixtures;
        await ctx.given("any");
        const args = ctx.desired!;
        await call(ctx.emulator, "PUT", `/integrations/${INTEGRATION}/workspaces`, { workspaces: [{ id: other.id, enabled: true, default_provider_slug: "shared-openai" }] });
        const made = inWorkspace(ctx, other.id);
        expect(made.map((p) => p.slug)).toEqual(["shared-openai"]);
        const posts = ctx.requests("POST /providers").length;
        ctx.setProgram(async () => ({
          provider: declareProvider(ctx.sdk, NAME, args),
          adopted: declareProvider(ctx.sdk, "p1", { workspaceId: other.id, integrationSlug: INTEGRATION, name: "Shared OpenAI", slug: "shared-openai", note: "now managed" }),
        }));
        const result = await ctx.up();
        expect(ctx.ops(result)).toEqual(["create"]);
        expect(ctx.requests("POST /providers")).toHaveLength(posts);
        const adopted = inWorkspace(ctx, other.id);
        expect(adopted).toHaveLength(1);
        expect(adopted[0]).toMatchObject({ id: made[0].id, slug: "shared-openai", name: "Shared OpenAI", note: "now managed" });
        expect(result.outputs.adopted.value).toMatchObject({ id: `${other.id}/shared-openai`, adopted: true });
        await ctx.expectCleanPreview();
        // Destroying it deletes it, like any provider it manages.
        ctx.declare(args);
        await ctx.up();
        expect(inWorkspace(ctx, other.id)).toEqual([]);
      },
    },
    {
      title: "a provider holding the slug that is not provably the grant's default is never taken over",
      forms: ["dynamic"],
      after: "badInput",
      body: async (ctx: Ctx) => {
        const { other } = ctx.fixtures;
        await ctx.given("any");
        const args = ctx.desired!;
        // The workspace may use the integration (as the adoption test left it), without a default provider.
        await call(ctx.emulator, "PUT", `/integrations/${INTEGRATION}/workspaces`, { workspaces: [{ id: other.id, enabled: true }], create_default_provider: false });
        // Same slug and workspace, but a note was set on it: someone made it theirs.
        await call(ctx.emulator, "POST", "/providers", { name: "by hand", integration_id: INTEGRATION, workspace_id: other.id, slug: "hand-made", note: "mine" });
        // Same slug and workspace, bare, but another integration's.
        await call(ctx.emulator, "PUT", `/integrations/anthropic-team/workspaces`, { workspaces: [{ id: other.id, enabled: true, default_provider_slug: "claude-default" }] });
        const before = inWorkspace(ctx, other.id).map((p) => ({ ...p }));
        expect(before.map((p) => p.slug).sort()).toEqual(["claude-default", "hand-made"]);
        for (const slug of ["hand-made", "claude-default"]) {
          ctx.setProgram(async () => ({
            provider: declareProvider(ctx.sdk, NAME, args),
            lookAlike: declareProvider(ctx.sdk, "p1", { workspaceId: other.id, integrationSlug: INTEGRATION, name: "Look-alike", slug }),
          }));
          await expect(ctx.up()).rejects.toThrow(/not provably the default provider/);
        }
        expect(inWorkspace(ctx, other.id)).toEqual(before);
        ctx.declare(args);
        await ctx.up();
        expect((await ctx.engine.exportState()).resources(ctx.type)).toHaveLength(1);
      },
    },
    {
      title: "pulumi import takes a provider made by hand under management (id <workspace>/<slug>); the program declaring it previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { ws } = ctx.fixtures;
        await ctx.given("nothing");
        await call(ctx.emulator, "POST", "/providers", {
          name: "by hand",
          integration_id: INTEGRATION,
          workspace_id: ws.id,
          slug: "by-hand",
          usage_limits: { credit_limit: 20, type: "cost" },
        });
        ctx.declare(undefined);
        await ctx.up();
        await ctx.importAndRelease([{ name: "byHand", id: `${ws.slug}/by-hand` }], (protect) =>
          new ctx.sdk.portkey.AiProvider(
            "byHand",
            { workspaceId: ws.slug, integrationSlug: INTEGRATION, name: "by hand", slug: "by-hand", usageLimits: { creditLimit: 20, type: "cost" } },
            { protect },
          ),
        );
        expect(inWorkspace(ctx, ws.id)).toEqual([]);
      },
    },
  ],
});
