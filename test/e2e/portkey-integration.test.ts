/**
 * The Portkey Integration resource through the real engine against the
 * emulator, in both forms (see resourceSuite in ./harness.ts). Both: create
 * (the body is what was declared, pricing adjustments included; the native
 * form declares a slug), the key never in plaintext in state or the engine's
 * log, clean preview, an update in place, destroy. Dynamic:
 * name/description/configurations updated in place, the credential rotated,
 * drift repaired (pricing cleared in the UI too), pricing adjustments changed
 * and removed (cleared with null), out-of-band delete, bad input at preview. Native: `pulumi import` by slug: the credential cannot be read
 * back, so the program previews clean without `key`, and the first `up`
 * declaring it sends it once.
 */
import type { IntegrationArgs } from "../../sdk/portkey";
import { call } from "../support/emulator";
import { resourceSuite, SuiteContext } from "./harness";
import type { IntegrationRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const FIRST_KEY = "sk-first-credential-0a1b2c3d4e5f";
const SECOND_KEY = "sk-rotated-credential-9z8y7x6w5v";
const KEYS = [FIRST_KEY, SECOND_KEY];
/** The base's pricing adjustments: a discount, a surcharge on reasoning tokens, web search free. */
const PRICING = { multiplier: { default: 0.8, reasoning_token: 1.5, additional_units: { web_search: 0 } } };
type Ctx = SuiteContext<IntegrationArgs, Record<string, never>>;

function remote({ emulator }: Ctx): IntegrationRecord[] {
  return Object.values(emulator.state().integrations ?? {});
}

/** The integration's pricing adjustments as the API reads them back. */
async function heldPricing(ctx: Ctx): Promise<unknown> {
  return (await call(ctx.emulator, "GET", `/integrations/${remote(ctx)[0].slug}`)).body.pricing_adjustments;
}

/** What is declared now (or the base), with pricing adjustments declared. */
function priced(ctx: Ctx): IntegrationArgs {
  const from = ctx.desired ?? ctx.base();
  return { ...from, pricingAdjustments: from.pricingAdjustments ?? PRICING };
}

resourceSuite<IntegrationArgs>({
  vendor: "portkey",
  resource: "Integration",
  name: "openai",
  base: (_, form) => ({
    name: "OpenAI prod",
    aiProviderId: "openai",
    key: FIRST_KEY,
    description: "customer-facing",
    configurations: { openai_organization: "org-1" },
    pricingAdjustments: PRICING,
    // The native form declares the slug; the dynamic one leaves it to the server.
    ...(form === "native" ? { slug: "openai-prod" } : {}),
  }),
  declare: (sdk, name, args) => {
    const integration = new sdk.portkey.Integration(name, args);
    return { slug: integration.slug, maskedKey: integration.maskedKey };
  },
  steps: { native: ["create", "secrets", "destroy"] },

  created: async (ctx, result) => {
    const declaredSlug = ctx.desired!.slug;
    const [made] = remote(ctx);
    expect(made).toMatchObject({ name: "OpenAI prod", ai_provider_id: "openai", key: FIRST_KEY, description: "customer-facing", workspace_id: null });
    expect(made.configurations).toEqual({ openai_organization: "org-1" });
    expect(await heldPricing(ctx)).toEqual(PRICING);
    // No slug declared: the server's is the id. Declared: it is the slug.
    expect(result.outputs.slug.value).toBe(declaredSlug ?? made.slug);
    expect(made.slug).toBe(result.outputs.slug.value);
    expect(result.outputs.maskedKey.value).toMatch(/^sk\*+5f$/);
    const [post] = ctx.requests("POST /integrations");
    expect(post.body).toEqual({ name: "OpenAI prod", ai_provider_id: "openai", key: FIRST_KEY, description: "customer-facing", configurations: { openai_organization: "org-1" }, pricing_adjustments: PRICING, ...(declaredSlug ? { slug: declaredSlug } : {}) });
    const stored = (await ctx.engine.exportState()).resource(ctx.type, "openai")!;
    expect(stored.id).toBe(made.slug);
    expect(stored.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });
  },
  // Neither key is in plaintext in the state, its backend files or anything the engine printed.
  secrets: () => KEYS,

  // Renamed, reconfigured and its pricing cleared in the UI.
  drift: {
    given: priced,
    edit: async (ctx) => {
      await call(ctx.emulator, "PUT", `/integrations/${remote(ctx)[0].slug}`, { name: "renamed by hand", configurations: { openai_organization: "org-x" }, pricing_adjustments: null });
    },
    inState: { name: "renamed by hand" },
    repaired: async (ctx) => {
      expect(remote(ctx)[0]).toMatchObject({ name: ctx.desired!.name, key: ctx.desired!.key });
      expect(remote(ctx)[0].configurations).toEqual(ctx.desired!.configurations);
      expect(await heldPricing(ctx)).toEqual(ctx.desired!.pricingAdjustments);
    },
  },

  deleted: {
    delete: async (ctx) => {
      const old = remote(ctx)[0];
      await call(ctx.emulator, "DELETE", `/integrations/${old.slug}`);
      return old;
    },
    recreated: (ctx, old) => {
      expect(remote(ctx)).toHaveLength(1);
      expect(remote(ctx)[0]).toMatchObject({ name: ctx.desired!.name, key: ctx.desired!.key });
      expect(remote(ctx)[0].slug).not.toBe((old as IntegrationRecord).slug);
    },
  },

  badInput: (valid) => [
    [{ ...valid, name: "" }, /name.*must not be empty/],
    [{ ...valid, aiProviderId: "" }, /aiProviderId.*must not be empty/],
    [{ ...valid, slug: "not a slug" }, /slug.*must be a slug/],
    [{ ...valid, key: "" }, /key.*must not be empty/],
    [{ ...valid, configurations: "org" as unknown as IntegrationArgs["configurations"] }, /configurations/],
    [{ ...valid, createDefaultProvider: false }, /createDefaultProvider.*workspaceId/],
    [{ ...valid, pricingAdjustments: { multiplier: { default: -1 } } }, /pricingAdjustments\.multiplier\.default/],
    [{ ...valid, pricingAdjustments: { multiplier: { audio_token: 2 } } }, /pricingAdjustments\.multiplier/],
  ],

  destroyed: (ctx) => {
    expect(remote(ctx)).toEqual([]);
  },

  tests: [
    {
      title: "name, description and configurations change in place, each update sending only what changed",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const before = remote(ctx)[0].slug;
        ctx.declare({ ...ctx.desired!, name: "OpenAI production" });
        let preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        expect(preview.diffText).toContain("name");
        await ctx.up();
        ctx.declare({ ...ctx.desired!, description: undefined, configurations: { openai_organization: "org-2", openai_project: "proj-1" } });
        preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        await ctx.up();
        await ctx.expectCleanPreview();
        const [after] = remote(ctx);
        expect(after.slug).toBe(before);
        expect(after).toMatchObject({ name: "OpenAI production", key: FIRST_KEY });
        // Cleared: the update sent "" (the document's body types it as a string).
        expect(after.description ?? "").toBe("");
        expect(after.configurations).toEqual({ openai_organization: "org-2", openai_project: "proj-1" });
        expect(ctx.requests("PUT /integrations/{slug}").map((r) => r.body)).toEqual([{ name: "OpenAI production" }, { description: "", configurations: { openai_organization: "org-2", openai_project: "proj-1" } }]);
      },
    },
    {
      title: "changing the key rotates the credential: the PUT carries the new key, state and log hold neither",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given("any");
        await ctx.expectNoPlaintext(KEYS);
        ctx.declare({ ...ctx.desired!, key: SECOND_KEY });
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        await ctx.up();
        expect(remote(ctx)[0].key).toBe(SECOND_KEY);
        expect(ctx.requests("PUT /integrations/{slug}").map((r) => r.body)).toEqual([{ key: SECOND_KEY }]);
        await ctx.expectNoPlaintext(KEYS);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pricingAdjustments change in place, the update carrying only them",
      forms: ["dynamic"],
      after: "drift",
      body: async (ctx: Ctx) => {
        await ctx.given(priced(ctx));
        ctx.declare({ ...ctx.desired!, pricingAdjustments: { multiplier: { default: 0.9 } } });
        const result = await ctx.up();
        expect(ctx.ops(result)).toEqual(["update"]);
        expect(ctx.requests("PUT /integrations/{slug}").map((r) => r.body)).toEqual([{ pricing_adjustments: { multiplier: { default: 0.9 } } }]);
        expect(await heldPricing(ctx)).toEqual({ multiplier: { default: 0.9 } });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "removing pricingAdjustments clears them with null",
      forms: ["dynamic"],
      after: "drift",
      body: async (ctx: Ctx) => {
        await ctx.given(priced(ctx));
        const { pricingAdjustments: _pricing, ...unpriced } = ctx.desired!;
        ctx.declare(unpriced);
        await ctx.up();
        expect(ctx.requests("PUT /integrations/{slug}").map((r) => r.body)).toEqual([{ pricing_adjustments: null }]);
        expect(await heldPricing(ctx)).toBeNull();
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "the name changes in place, as the CLI's diff shows it",
      forms: ["native"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        ctx.declare({ ...ctx.base(), name: "OpenAI prod 2" });
        const preview = await ctx.preview();
        expect(ctx.ops(preview, true)).toEqual([`update ${ctx.type}`]);
        expect(preview.diffText).toMatch(/~ name\s*:\s*"OpenAI prod" => "OpenAI prod 2"/);
        await ctx.up();
        expect(remote(ctx).map((i) => i.name)).toEqual(["OpenAI prod 2"]);
        await ctx.expectCleanPreview();
        await ctx.expectNoPlaintext(KEYS);
      },
    },
    {
      title: "pulumi import takes an integration made by hand; it previews clean without `key`, and declaring `key` sends it once",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        await ctx.given("nothing");
        await call(ctx.emulator, "POST", "/integrations", { name: "by-hand", slug: "by-hand", ai_provider_id: "openai", key: FIRST_KEY, configurations: { openai_project: "p1" } });
        ctx.declare(undefined);
        await ctx.up();
        const imported = await ctx.engine.stack.import({
          resources: [{ type: ctx.type, name: "byHand", id: "by-hand" }],
          // Code generation needs the Go language host, which is not served here.
          generateCode: false,
        });
        expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
        expect((await ctx.engine.exportState()).resource(ctx.type, "byHand")?.id).toBe("by-hand");

        const declared = (key: string | undefined, protect: boolean) => async () => {
          new ctx.sdk.portkey.Integration("byHand", { name: "by-hand", aiProviderId: "openai", configurations: { openai_project: "p1" }, ...(key ? { key } : {}) }, { protect });
          return {};
        };
        // The credential cannot be read back: without `key` the program leaves it alone.
        ctx.setProgram(declared(undefined, true));
        await ctx.expectCleanPreview();
        // Declaring it is one update that sends it; then the program is clean.
        ctx.setProgram(declared(SECOND_KEY, true));
        ctx.markRequests();
        expect(ctx.ops(await ctx.preview())).toEqual(["update"]);
        await ctx.up();
        expect(ctx.requests("PUT /integrations/{slug}").map((r) => r.body)).toEqual([{ key: SECOND_KEY }]);
        expect(remote(ctx)[0].key).toBe(SECOND_KEY);
        await ctx.expectCleanPreview();
        await ctx.expectNoPlaintext(KEYS);

        ctx.setProgram(declared(SECOND_KEY, false));
        await ctx.up();
        await ctx.destroy();
        expect(remote(ctx)).toEqual([]);
      },
    },
  ],
});
