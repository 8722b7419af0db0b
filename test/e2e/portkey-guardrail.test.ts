/**
 * The Portkey Guardrail resource through the real engine against the
 * emulator, in both forms (see resourceSuite in ./harness.ts). Both: create,
 * the checks (webhook credentials) a secret, clean preview, name changed in
 * place, destroy. Dynamic: name/checks/actions updated in place (each PUT
 * carrying only what changed), compared by meaning, drift repaired,
 * out-of-band delete (Portkey answers 403 for it: the list proves it gone), a
 * Workspace naming it as a default input guardrail, a scope change replacing
 * it, bad input at preview. Native: `pulumi import`.
 */
import type { GuardrailArgs } from "../../sdk/portkey";
import { call } from "../support/emulator";
import { resourceSuite, SuiteContext, typeToken } from "./harness";
import type { GuardrailRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const WEBHOOK_TOKEN = "Bearer whk-e2e-7a1c9d3f0b";
const REGEX = { id: "default.regexMatch", parameters: { rule: "\\b\\d{3}-\\d{2}-\\d{4}\\b", not: false } };
const WEBHOOK = { id: "default.webhook", parameters: { webhookURL: "https://hooks.example/check", headers: { Authorization: WEBHOOK_TOKEN } } };

interface Fixtures {
  ws: { id: string; slug: string };
}
type Ctx = SuiteContext<GuardrailArgs, Fixtures>;

function remote({ emulator }: Ctx): GuardrailRecord[] {
  return Object.values(emulator.state().guardrails ?? {});
}

/** The declared arguments moved to the organisation (no workspace). */
function inOrganisation(ctx: Ctx, args: GuardrailArgs): GuardrailArgs {
  return { name: args.name, organisationId: ctx.emulator.state().organisation_id, checks: args.checks, actions: args.actions };
}

resourceSuite<GuardrailArgs, Fixtures>({
  vendor: "portkey",
  resource: "Guardrail",
  name: "guard",
  setup: async (emulator) => ({ ws: (await call(emulator, "POST", "/admin/workspaces", { name: "Guardrails" })).body }),
  // The workspace by slug: the body carries its UUID (the document types it so), and the answer's UUID is no change.
  base: ({ ws }) => ({ workspaceId: ws.slug, name: "No SSNs", checks: [REGEX, WEBHOOK], actions: { deny: true, on_fail: { feedback: { value: -10, weight: 1, metadata: "ssn" } } } }),
  declare: (sdk, name, args) => {
    const guard = new sdk.portkey.Guardrail(name, args);
    return { slug: guard.slug, versionId: guard.versionId };
  },
  steps: { native: ["create", "secrets", "destroy"] },

  // The webhook credential is not in plaintext: the checks are a secret.
  created: async (ctx, result) => {
    const { ws } = ctx.fixtures;
    const [made] = remote(ctx);
    const actions = ctx.desired!.actions;
    expect(made).toMatchObject({ name: "No SSNs", workspace_id: ws.id, checks: [REGEX, WEBHOOK], actions });
    expect(result.outputs.slug.value).toBe(made.slug);
    expect(ctx.requests("POST /guardrails").map((r) => r.body)).toEqual([{ name: "No SSNs", workspace_id: ws.id, checks: [REGEX, WEBHOOK], actions }]);
    const state = await ctx.engine.exportState();
    expect(state.resource(ctx.type, "guard")!.id).toBe(made.slug);
    expect(state.resource(ctx.type, "guard")!.outputs?.checks).toMatchObject({ ciphertext: expect.any(String) });
  },
  secrets: () => [WEBHOOK_TOKEN],

  drift: {
    edit: async (ctx) => {
      await call(ctx.emulator, "PUT", `/guardrails/${remote(ctx)[0].slug}`, { checks: [{ id: "portkey.pii" }], actions: { deny: true } });
    },
    diffText: [/actions/, /checks/],
    repaired: (ctx) => {
      expect(remote(ctx)[0]).toMatchObject({ checks: ctx.desired!.checks, actions: ctx.desired!.actions });
    },
  },

  // Portkey answers 403 for a deleted guardrail: the list proves it gone.
  deleted: {
    delete: async (ctx) => {
      const old = remote(ctx)[0];
      await call(ctx.emulator, "DELETE", `/guardrails/${old.id}`);
      return old;
    },
    refreshed: (ctx) => {
      expect(ctx.requests().map((r) => `${r.route} ${r.status}`)).toEqual(["GET /guardrails/{guardrailId} 403", "GET /guardrails 200"]);
    },
    recreated: (ctx, old) => {
      expect(remote(ctx)).toHaveLength(1);
      expect(remote(ctx)[0].slug).not.toBe((old as GuardrailRecord).slug);
    },
  },

  // From the guardrail in the organisation, so the scope cases have one to break.
  badInput: (valid, ctx) => {
    const scoped = inOrganisation(ctx, valid);
    return [
      [{ ...scoped, name: "" }, /name.*must not be empty/],
      [{ ...scoped, checks: [] }, /checks.*at least one check/],
      [{ ...scoped, checks: [{ id: "regexMatch" }] }, /checks\[0\]\.id.*check id/],
      [{ ...scoped, checks: [REGEX, { id: "default.wordCount", parameters: "many" }] }, /checks\[1\]\.parameters.*object/],
      [{ ...scoped, checks: [{ ...REGEX, is_enabled: "yes" }] }, /checks\[0\]\.is_enabled.*boolean/],
      [{ ...scoped, actions: { deny: "yes" } }, /actions\.deny.*boolean/],
      [{ ...scoped, actions: { on_fail: { feedback: { value: "-5" } } } }, /actions\.on_fail\.feedback\.value.*number/],
      [{ ...scoped, workspaceId: ctx.fixtures.ws.id }, /exactly one of `workspaceId`/],
      [{ ...scoped, organisationId: undefined }, /workspaceId.*exactly one of/],
      [{ ...scoped, organisationId: "org-1" }, /organisationId.*UUID/],
    ];
  },

  destroyed: (ctx) => {
    expect(remote(ctx)).toEqual([]);
  },

  tests: [
    {
      title: "key order and is_enabled: true are no change",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        ctx.declare({
          ...ctx.desired!,
          checks: [{ parameters: { not: false, rule: REGEX.parameters.rule }, id: REGEX.id, is_enabled: true }, WEBHOOK],
          actions: { on_fail: { feedback: { metadata: "ssn", weight: 1, value: -10 } }, deny: true },
        });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "name, checks and actions change in place: same slug, a new version, each PUT carrying only what changed",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const before = { ...remote(ctx)[0] };
        ctx.declare({ ...ctx.desired!, name: "No SSNs v2" });
        let preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        await ctx.up();
        ctx.declare({ ...ctx.desired!, checks: [REGEX, { id: "default.wordCount", parameters: { minWords: 1, maxWords: 500 }, is_enabled: false }] });
        preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        await ctx.up();
        ctx.declare({ ...ctx.desired!, actions: { deny: false, async: true } });
        await ctx.up();
        const result = await ctx.up();
        await ctx.expectCleanPreview();
        const [after] = remote(ctx);
        expect(after.slug).toBe(before.slug);
        expect(after).toMatchObject({ name: "No SSNs v2", checks: ctx.desired!.checks, actions: { deny: false, async: true } });
        expect(after.version_id).not.toBe(before.version_id);
        expect(result.outputs.versionId.value).toBe(after.version_id);
        expect(ctx.requests("PUT /guardrails/{guardrailId}").map((r) => Object.keys(r.body as object))).toEqual([["name"], ["checks"], ["actions"]]);
      },
    },
    {
      title: "the name changes in place",
      forms: ["native"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        ctx.declare({ ...ctx.base(), name: "No SSNs 2" });
        const preview = await ctx.preview();
        expect(ctx.ops(preview, true)).toEqual([`update ${ctx.type}`]);
        await ctx.up();
        expect(remote(ctx).map((g) => g.name)).toEqual(["No SSNs 2"]);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a workspace names the guardrail as its default input guardrail",
      forms: ["dynamic"],
      after: "deleted",
      body: async (ctx: Ctx) => {
        await ctx.given("any");
        const args = ctx.desired!;
        ctx.setProgram(async () => {
          const guard = new ctx.sdk.portkey.Guardrail("guard", args);
          new ctx.sdk.portkey.Workspace("guarded", { name: "Guarded", inputGuardrails: [guard.slug], forceDelete: true });
          return { slug: guard.slug, versionId: guard.versionId };
        });
        await ctx.up();
        const guarded = Object.values(ctx.emulator.state().workspaces).find((w) => w.name === "Guarded" && !w.deleted_at)!;
        expect(guarded.input_guardrails).toEqual([remote(ctx)[0].slug]);
        await ctx.expectCleanPreview();
        ctx.declare(args);
        const removed = await ctx.up();
        expect(ctx.ops(removed, true)).toEqual([`delete ${typeToken(ctx.form, "portkey", "Workspace")}`]);
      },
    },
    {
      title: "moving it to the organisation replaces it",
      forms: ["dynamic"],
      after: "deleted",
      body: async (ctx: Ctx) => {
        await ctx.given("any");
        const old = remote(ctx)[0];
        ctx.declare(inOrganisation(ctx, ctx.desired!));
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toContain("replace");
        await ctx.up();
        expect(remote(ctx)).toHaveLength(1);
        expect(remote(ctx)[0]).toMatchObject({ workspace_id: null, name: old.name });
        expect(remote(ctx)[0].id).not.toBe(old.id);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pulumi import takes a guardrail made by hand under management; the program declaring it previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { ws } = ctx.fixtures;
        await ctx.given("nothing");
        const made = (await call(ctx.emulator, "POST", "/guardrails", { name: "by-hand", workspace_id: ws.id, checks: [{ id: "portkey.pii", parameters: { redact: true } }], actions: { deny: true } })).body as { slug: string };
        ctx.declare(undefined);
        await ctx.up();
        await ctx.importAndRelease(
          [{ name: "byHand", id: made.slug }],
          (protect) => new ctx.sdk.portkey.Guardrail("byHand", { workspaceId: ws.id, name: "by-hand", checks: [{ id: "portkey.pii", parameters: { redact: true } }], actions: { deny: true } }, { protect }),
          (state) => expect(state.resource(ctx.type, "byHand")?.id).toBe(made.slug),
        );
        expect(remote(ctx)).toEqual([]);
      },
    },
  ],
});
