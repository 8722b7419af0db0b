/**
 * The Portkey Config resource through the real engine against the emulator, in
 * both forms (see resourceSuite in ./harness.ts). Both: create, clean preview,
 * destroy. Dynamic: name and config updated in place, drift repaired,
 * out-of-band delete, bad input at preview. Native: an update as the CLI
 * shows it, and `pulumi import` of a config made by hand, then a clean preview.
 */
import type { ConfigArgs } from "../../sdk/portkey";
import { call } from "../support/emulator";
import { resourceSuite, SuiteContext } from "./harness";
import type { RunningEmulator } from "../../emulator";
import type { ConfigRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

interface Fixtures {
  ws: { id: string; slug: string };
}
type Ctx = SuiteContext<ConfigArgs, Fixtures>;

function remote(emulator: RunningEmulator): ConfigRecord[] {
  return Object.values(emulator.state().configs ?? {});
}

function parsed(record: ConfigRecord): unknown {
  return JSON.parse(record.config);
}

resourceSuite<ConfigArgs, Fixtures>({
  vendor: "portkey",
  resource: "Config",
  name: "cfg",
  setup: async (emulator) => ({ ws: (await call(emulator, "POST", "/admin/workspaces", { name: "Configs" })).body }),
  // The workspace by slug: the API answers with the UUID, which is no change.
  base: ({ ws }) => ({ workspaceId: ws.slug, name: "Fallback", config: { strategy: { mode: "fallback" }, targets: [{ provider: "@openai" }, { provider: "@anthropic" }], retry: { attempts: 3 } } }),
  declare: (sdk, name, args) => {
    const cfg = new sdk.portkey.Config(name, args);
    return { slug: cfg.slug, versionId: cfg.versionId };
  },
  steps: { native: ["create", "destroy"] },

  created: ({ emulator, fixtures: { ws }, desired, requests }, result) => {
    const [made] = remote(emulator);
    expect(made).toMatchObject({ name: "Fallback", workspace_id: ws.id, is_default: 0 });
    expect(parsed(made)).toEqual(desired!.config);
    expect(result.outputs.slug.value).toBe(made.slug);
    // The create sent what was declared, the config as an object and the workspace as its UUID.
    const [post] = requests("POST /configs");
    expect(post.body).toEqual({ name: "Fallback", config: desired!.config, workspace_id: ws.id });
  },

  drift: {
    edit: async ({ emulator }) => {
      await call(emulator, "PUT", `/configs/${remote(emulator)[0].slug}`, { config: { retry: { attempts: 1 } } });
    },
    inState: { config: { retry: { attempts: 1 } } },
    diffText: /config/,
    repaired: ({ emulator, desired }) => {
      expect(parsed(remote(emulator)[0])).toEqual(desired!.config);
    },
  },

  deleted: {
    delete: async ({ emulator }) => {
      const old = remote(emulator)[0];
      await call(emulator, "DELETE", `/configs/${old.slug}`);
      return old;
    },
    recreated: ({ emulator }, old) => {
      expect(remote(emulator)).toHaveLength(1);
      expect(remote(emulator)[0].slug).not.toBe((old as ConfigRecord).slug);
    },
  },

  badInput: (valid) => [
    [{ ...valid, name: "" }, /name.*must not be empty/],
    [{ ...valid, workspaceId: "" }, /workspaceId.*must not be empty/],
    [{ ...valid, config: "retry" as unknown as ConfigArgs["config"] }, /config/],
  ],

  destroyed: ({ emulator }) => {
    expect(remote(emulator)).toEqual([]);
  },

  tests: [
    {
      title: "name and config change in place: same slug, a new version",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        // A copy: the emulator's record changes in place.
        const before = structuredClone(remote(ctx.emulator)[0]);
        ctx.declare({ ...ctx.desired!, name: "Fallback v2" });
        let preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        expect(preview.diffText).toContain("name");
        await ctx.up();
        ctx.declare({ ...ctx.desired!, config: { retry: { attempts: 5, on_status_codes: [429, 503] }, cache: { mode: "simple", max_age: 60 } } });
        preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        const result = await ctx.up();
        await ctx.expectCleanPreview();
        const [after] = remote(ctx.emulator);
        expect(after.slug).toBe(before.slug);
        expect(after.name).toBe("Fallback v2");
        expect(parsed(after)).toEqual(ctx.desired!.config);
        // Two updates, two new versions.
        expect(after.versions).toHaveLength(before.versions.length + 2);
        expect(result.outputs.versionId.value).toBe(after.version_id);
        // Each update sent only what changed.
        const puts = ctx.requests("PUT /configs/{slug}");
        expect(puts.map((r) => Object.keys(r.body as object))).toEqual([["name"], ["config"]]);
      },
    },
    {
      title: "a name change shows in the CLI's diff and is made in place",
      forms: ["native"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        ctx.declare({ ...ctx.base(), name: "Fallback-2" });
        const preview = await ctx.preview();
        expect(ctx.ops(preview, true)).toEqual([`update ${ctx.type}`]);
        expect(preview.diffText).toMatch(/~ name\s*:\s*"Fallback" => "Fallback-2"/);
        await ctx.up();
        expect(remote(ctx.emulator).map((c) => c.name)).toEqual(["Fallback-2"]);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pulumi import takes a config made by hand under management; the program declaring it previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { emulator, fixtures: { ws } } = ctx;
        await ctx.given("nothing");
        const made = (await call(emulator, "POST", "/configs", { name: "by-hand", config: { cache: { mode: "simple" }, retry: { attempts: 4 } }, workspace_id: ws.id })).body as { slug: string };
        ctx.declare(undefined);
        await ctx.up();
        await ctx.importAndRelease(
          [{ name: "byHand", id: made.slug }],
          // Keys in another order than Portkey stores them: no change.
          (protect) => new ctx.sdk.portkey.Config("byHand", { workspaceId: ws.id, name: "by-hand", config: { retry: { attempts: 4 }, cache: { mode: "simple" } } }, { protect }),
          (state) => expect(state.resource(ctx.type, "byHand")?.id).toBe(made.slug),
        );
        expect(remote(emulator)).toEqual([]);
      },
    },
  ],
});
