/**
 * The OpenRouter Workspace resource through the real engine against the
 * emulator, in both forms (see resourceSuite in ./harness.ts). Both: create,
 * clean preview, destroy. Dynamic: every field changed in place (the slug
 * included) and cleared, disabledServerTools (set, changed, drift repaired,
 * cleared) with the read-only includeByokInBudgets and createdBy, drift
 * repaired, out-of-band delete, bad input at preview, a delete refused while
 * keys remain, and the default workspace deleted only with the opt-in.
 */
import type { WorkspaceArgs } from "../../sdk/openrouter";
import type { RunningEmulator } from "../../emulator";
import { callOpenRouter } from "../support/emulator";
import { resourceSuite, SuiteContext } from "./harness";

jest.setTimeout(10 * 60_000);

type Ctx = SuiteContext<WorkspaceArgs, Record<string, never>>;

/** Every field set, the slug renamed. */
const EVERY_FIELD: WorkspaceArgs = {
  name: "Research EU",
  slug: "research-eu",
  description: "Model research (EU)",
  defaultTextModel: "openai/gpt-4o",
  defaultImageModel: "openai/dall-e-3",
  defaultProviderSort: "latency",
  ioLoggingApiKeyIds: [1, 2],
  ioLoggingSamplingRate: 0.5,
  isDataDiscountLoggingEnabled: true,
  isObservabilityBroadcastEnabled: true,
  isObservabilityIoLoggingEnabled: true,
};
/** Only what is required. */
const REQUIRED_ONLY: WorkspaceArgs = { name: "Research EU", slug: "research-eu" };

/** The workspaces the tests made (the organisation's default one is not among them). */
function remoteWorkspaces(emulator: RunningEmulator) {
  return Object.values(emulator.openrouterState().workspaces).filter((w) => !w.deleted_at && !w.is_default);
}
function remoteKeys(emulator: RunningEmulator) {
  return Object.values(emulator.openrouterState().keys).filter((k) => !k.deleted_at);
}

/** Asserts the next preview changes nothing at all: every step, the providers' included, is "same". */
async function expectAllSame(ctx: Ctx): Promise<void> {
  const preview = await ctx.preview();
  expect({ ops: ctx.ops(preview), summary: preview.changeSummary }).toEqual({ ops: [], summary: { same: expect.any(Number) } });
}

/** Asserts the preview updates exactly the workspace in place, showing each of `properties` as changed in the CLI's diff. */
async function expectUpdateOf(ctx: Ctx, properties: string[]): Promise<void> {
  const preview = await ctx.preview();
  expect(ctx.ops(preview, true)).toEqual([`update ${ctx.type}`]);
  for (const property of properties) {
    expect({ property, shown: new RegExp(`^\\s*[-+~] ${property}\\s*:`, "m").test(preview.diffText) }).toEqual({ property, shown: true });
  }
}

resourceSuite<WorkspaceArgs>({
  vendor: "openrouter",
  resource: "Workspace",
  name: "team",
  base: () => ({ name: "Research", slug: "research", description: "Model research", defaultProviderSort: "price", ioLoggingSamplingRate: 0.25 }),
  declare: (sdk, name, args) => {
    const ws = new sdk.openrouter.Workspace(name, args);
    return {
      workspaceId: ws.workspaceId,
      slug: ws.slug,
      disabledServerTools: ws.disabledServerTools,
      includeByokInBudgets: ws.includeByokInBudgets,
      createdBy: ws.createdBy,
    };
  },
  steps: { native: ["create", "destroy"] },

  created: ({ emulator }, result) => {
    expect(remoteWorkspaces(emulator)).toEqual([
      expect.objectContaining({ name: "Research", slug: "research", description: "Model research", default_provider_sort: "price", io_logging_sampling_rate: 0.25 }),
    ]);
    expect(result.outputs.workspaceId.value).toBe(remoteWorkspaces(emulator)[0].id);
  },

  drift: {
    given: () => REQUIRED_ONLY,
    edit: async ({ emulator }) => {
      expect((await callOpenRouter(emulator, "PATCH", `/workspaces/${remoteWorkspaces(emulator)[0].id}`, { description: "edited" })).status).toBe(200);
    },
    inState: { description: "edited" },
    repaired: ({ emulator }) => {
      expect(remoteWorkspaces(emulator)[0].description).toBeNull();
    },
  },

  deleted: {
    delete: async ({ emulator }) => {
      const [old] = remoteWorkspaces(emulator);
      expect((await callOpenRouter(emulator, "DELETE", `/workspaces/${old.id}`)).status).toBe(200);
      return old.id;
    },
    recreated: ({ emulator }, oldId) => {
      expect(remoteWorkspaces(emulator)).toHaveLength(1);
      expect(remoteWorkspaces(emulator)[0].id).not.toBe(oldId);
    },
  },

  badInput: () => [
    [{ name: "Bad", slug: "Bad_Slug" }, /slug: must be lowercase letters and digits/],
    [{ name: "Bad", slug: "ok", ioLoggingSamplingRate: 2 }, /ioLoggingSamplingRate: must be at most 1/],
  ],

  destroyed: ({ emulator }) => {
    expect(remoteWorkspaces(emulator)).toEqual([]);
  },

  tests: [
    {
      title: "every field changes in place, the slug included",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const id = remoteWorkspaces(ctx.emulator)[0].id;
        ctx.declare(EVERY_FIELD);
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        await ctx.up();
        await ctx.expectCleanPreview();
        expect(remoteWorkspaces(ctx.emulator)).toEqual([
          expect.objectContaining({
            id,
            name: "Research EU",
            slug: "research-eu",
            default_text_model: "openai/gpt-4o",
            default_image_model: "openai/dall-e-3",
            default_provider_sort: "latency",
            io_logging_api_key_ids: [1, 2],
            io_logging_sampling_rate: 0.5,
            is_data_discount_logging_enabled: true,
            is_observability_broadcast_enabled: true,
            is_observability_io_logging_enabled: true,
          }),
        ]);
      },
    },
    {
      title: "removing the optional fields clears them",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(EVERY_FIELD);
        ctx.declare(REQUIRED_ONLY);
        await ctx.up();
        await ctx.expectCleanPreview();
        expect(remoteWorkspaces(ctx.emulator)[0]).toMatchObject({
          description: null,
          default_text_model: null,
          default_image_model: null,
          default_provider_sort: null,
          io_logging_api_key_ids: null,
          io_logging_sampling_rate: 1,
          is_data_discount_logging_enabled: false,
          is_observability_broadcast_enabled: false,
          is_observability_io_logging_enabled: false,
        });
      },
    },
    {
      title: "disabledServerTools: set, changed, drift repaired, cleared; includeByokInBudgets and createdBy are outputs",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        const declared = (tools: Pick<WorkspaceArgs, "disabledServerTools">): WorkspaceArgs => ({ name: "Tools", slug: "tools", ...tools });
        const record = (id: string) => emulator.openrouterState().workspaces[id];
        const read = async (id: string) => {
          const answer = await callOpenRouter(emulator, "GET", `/workspaces/${id}`);
          expect(answer.status).toBe(200);
          return answer.body.data;
        };
        const stored = async () => (await ctx.engine.exportState()).resource(ctx.type, "team")!.outputs ?? {};
        const bodies = () => ctx.requests("PATCH openrouter /workspaces/{id}").map((r) => r.body);

        // Set at create; the two read-only outputs exist.
        await ctx.given("nothing");
        ctx.declare(declared({ disabledServerTools: ["web_search"] }));
        const created = await ctx.up();
        expect(ctx.ops(created)).toEqual(["create"]);
        const id = remoteWorkspaces(emulator)[0].id;
        expect(record(id).disabled_server_tools).toEqual(["web_search"]);
        expect((await read(id)).disabled_server_tools).toEqual(["web_search"]);
        expect(created.outputs.disabledServerTools.value).toEqual(["web_search"]);
        expect(created.outputs).toHaveProperty("includeByokInBudgets");
        expect([false, true, undefined]).toContainEqual(created.outputs.includeByokInBudgets.value);
        // The emulator's created_by is null at first: an unset output, which the engine leaves out of the stack outputs.
        expect(created.outputs.createdBy?.value).toBeUndefined();
        expect((await stored()).includeByokInBudgets).toBe(false);
        await expectAllSame(ctx);

        // Read-only fields set on the server show after refresh and are never a change.
        record(id).include_byok_in_budgets = true;
        record(id).created_by = "user_nf_creator";
        await ctx.refresh();
        expect(await stored()).toMatchObject({ includeByokInBudgets: true, createdBy: "user_nf_creator" });
        await expectAllSame(ctx);

        // Changed.
        ctx.declare(declared({ disabledServerTools: ["web_search", "web_fetch"] }));
        await expectUpdateOf(ctx, ["disabledServerTools"]);
        ctx.markRequests();
        const changed = await ctx.up();
        expect(ctx.ops(changed)).toEqual(["update"]);
        expect(bodies()).toEqual([{ disabled_server_tools: ["web_search", "web_fetch"] }]);
        expect(record(id).disabled_server_tools).toEqual(["web_search", "web_fetch"]);
        expect(changed.outputs.disabledServerTools.value).toEqual(["web_search", "web_fetch"]);
        expect(changed.outputs.createdBy.value).toBe("user_nf_creator");
        await expectAllSame(ctx);

        // Drift: changed out of band; refresh shows it, preview updates, up repairs.
        expect((await callOpenRouter(emulator, "PATCH", `/workspaces/${id}`, { disabled_server_tools: ["code_interpreter"] })).status).toBe(200);
        await ctx.refresh();
        expect((await stored()).disabledServerTools).toEqual(["code_interpreter"]);
        await expectUpdateOf(ctx, ["disabledServerTools"]);
        await ctx.up();
        expect(record(id).disabled_server_tools).toEqual(["web_search", "web_fetch"]);
        await expectAllSame(ctx);

        // Cleared: removed from the program.
        ctx.declare(declared({}));
        await expectUpdateOf(ctx, ["disabledServerTools"]);
        ctx.markRequests();
        const cleared = await ctx.up();
        expect(bodies()).toEqual([{ disabled_server_tools: null }]);
        expect([null, []]).toContainEqual(record(id).disabled_server_tools);
        expect([null, []]).toContainEqual((await read(id)).disabled_server_tools);
        expect(cleared.outputs.disabledServerTools?.value).toBeUndefined();
        expect(remoteWorkspaces(emulator).map((w) => w.id)).toEqual([id]);
        await expectAllSame(ctx);
      },
    },
    {
      title: "deleting a workspace that still holds keys is refused with a clear message; the key the refused destroy deleted comes back on up",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given("nothing");
        ctx.setProgram(async () => {
          const ws = new ctx.sdk.openrouter.Workspace("team", ctx.base());
          new ctx.sdk.openrouter.ApiKey("ci", { name: "ci", workspaceId: ws.id });
          return {};
        });
        await ctx.up();
        const workspaceId = remoteWorkspaces(emulator)[0].id;
        const manual = await callOpenRouter(emulator, "POST", "/keys", { name: "made-by-hand", workspace_id: workspaceId });
        await expect(ctx.destroy()).rejects.toThrow(/made-by-hand.*Delete its API keys first/s);
        expect((await callOpenRouter(emulator, "DELETE", `/keys/${manual.body.data.hash}`)).status).toBe(200);
        // The refused destroy had already deleted the managed key; up brings it back.
        const back = await ctx.up();
        expect(ctx.ops(back, true)).toEqual([`create ${ctx.type.replace(/Workspace$/, "ApiKey")}`]);
        expect(remoteKeys(emulator).map((k) => k.name)).toEqual(["ci"]);
        await ctx.destroy();
        expect(remoteWorkspaces(emulator)).toEqual([]);
      },
    },
    {
      title: "the default workspace is only deleted with the explicit opt-in",
      forms: ["dynamic"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given("nothing");
        const defaultWorkspace = Object.values(emulator.openrouterState().workspaces).find((w) => w.is_default)!;
        let optIn = false;
        ctx.setProgram(async () => {
          new ctx.sdk.openrouter.Workspace("default", { name: "Default", slug: "default-renamed", allowDefaultWorkspaceDeletion: optIn });
          return {};
        });
        await ctx.up();
        // Manage a fresh workspace as if it were the default: flip the emulator's flag on it after creation.
        const managed = remoteWorkspaces(emulator).find((w) => w.slug === "default-renamed")!;
        defaultWorkspace.is_default = false;
        managed.is_default = true;
        try {
          await expect(ctx.destroy()).rejects.toThrow(/allowDefaultWorkspaceDeletion: true/);
          optIn = true;
          await ctx.up();
          await ctx.destroy();
          expect(emulator.openrouterState().workspaces[managed.id].deleted_at).not.toBeNull();
        } finally {
          defaultWorkspace.is_default = true;
        }
      },
    },
  ],
});
