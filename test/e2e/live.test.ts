/**
 * The live tier: lifecycle scenarios through the real engine against the REAL
 * Portkey and OpenRouter APIs, when their keys are in the environment (see
 * test/support/live.ts for the variables). Everything created is named
 * `pulumi-ai-gateway-e2e-<run id>-...` (and carries metadata `{ e2e: <run id> }`
 * where the API has metadata); afterAll destroys the stacks and then sweeps the
 * services for anything still tagged with this run, whatever the tests did, and
 * fails the suite if something is left. Before the tests, leftovers of earlier
 * runs older than a day are swept.
 *
 * Out-of-band changes and checks go through the public API with the live key
 * (plain fetch), never through emulator internals, so the same code runs when
 * the base URLs point at an emulator standing in for the service.
 *
 * Not configured: the file registers one skipped test and prints one line
 * naming the variables. A skipped tier is reported as skipped ("1 skipped"),
 * never as a pass. The line is written with process.stdout.write, not
 * console.log: Jest drops the console output of a file whose tests are all
 * skipped, so a console.log would not reach the CI log.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConfigMap, PulumiFn } from "@pulumi/pulumi/automation";
import { openrouter, portkey } from "../../sdk";
import type { ApiKeyArgs as OpenRouterKeyArgs, WorkspaceArgs as OpenRouterWorkspaceArgs } from "../../sdk/openrouter";
import type { ApiKeyArgs, IntegrationWorkspaceAccessArgs, WorkspaceArgs } from "../../sdk/portkey";
import { LiveApi, LiveRun, liveSettings, NOT_RUN_LIVE_LINE, SKIP_LINE } from "../support/live";
import { changedSteps, engineErrorLines, EngineStack } from "./harness";

jest.setTimeout(15 * 60_000);

const settings = liveSettings();
const configured = settings.portkey !== undefined || settings.openrouter !== undefined;

/** Live APIs may answer a read with the previous value for a moment after a write. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => void, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    try {
      check(value);
      return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function expectNoChanges(stack: EngineStack): Promise<void> {
  const preview = await stack.preview();
  expect(changedSteps(preview.steps)).toEqual([]);
}

/** Secrets the stacks produced, to check they never reach the state, backend files or logs. */
function expectSecretKeptOut(stack: EngineStack, stateText: string, secret: string): void {
  expect(secret.length).toBeGreaterThan(8);
  expect(stateText).not.toContain(secret);
  expect(stack.backendFilesText()).not.toContain(secret);
  expect(stack.log.join("\n")).not.toContain(secret);
}

process.stdout.write(`${NOT_RUN_LIVE_LINE}\n`);

if (!configured) {
  process.stdout.write(`${SKIP_LINE}\n`);
  test.skip("live tier: skipped (no PORTKEY_LIVE_API_KEY or OPENROUTER_LIVE_MANAGEMENT_KEY in the environment)", () => undefined);
} else {
  const run = new LiveRun(settings);
  const stacks: EngineStack[] = [];
  const createStack = async (projectName: string, program: PulumiFn, config: ConfigMap) => {
    const stack = await EngineStack.create({ projectName, stackName: `live-${run.runId}`, program, config });
    stacks.push(stack);
    return stack;
  };

  beforeAll(async () => {
    const stale = await run.sweepStale();
    const services = [settings.portkey && `Portkey ${settings.portkey.baseUrl}`, settings.openrouter && `OpenRouter ${settings.openrouter.baseUrl}`].filter(Boolean).join(", ");
    console.log(
      `live tier: run ${run.runId} against ${services}; swept ${stale.deleted.length} leftover object(s) of earlier runs older than a day` +
        (stale.failed.length > 0 ? `; could not sweep: ${stale.failed.join("; ")}` : ""),
    );
  });

  afterAll(async () => {
    const destroyFailures: string[] = [];
    for (const stack of stacks) {
      try {
        await stack.destroy();
      } catch (error) {
        destroyFailures.push(engineErrorLines(error, 3).join(" | "));
      }
      await stack.dispose();
    }
    // Whatever the tests and destroy did, delete everything tagged with this run.
    const swept = await run.sweepThisRun();
    const left = await run.remaining();
    console.log(
      `live tier: run ${run.runId} cleanup: destroy ${destroyFailures.length === 0 ? "ok" : `failed (${destroyFailures.join("; ")})`}, ` +
        `sweep deleted ${swept.deleted.length} tagged object(s)${swept.deleted.length > 0 ? ` (${swept.deleted.join(", ")})` : ""}, ` +
        `${left.length} left${left.length > 0 ? `: ${left.join(", ")}` : ""}`,
    );
    if (swept.failed.length > 0 || left.length > 0) {
      throw new Error(`live tier cleanup incomplete for run ${run.runId}: ${[...swept.failed, ...left].join("; ")}. Rerun with E2E_LIVE_RUN_ID=${run.runId} to sweep again.`);
    }
  });

  if (!settings.portkey) {
    process.stdout.write("live tier (Portkey): skipped: set PORTKEY_LIVE_API_KEY (and PORTKEY_LIVE_BASE_URL) to run the Portkey scenarios.\n");
    test.skip("live tier (Portkey): skipped (no PORTKEY_LIVE_API_KEY)", () => undefined);
  } else {
    describe("live Portkey", () => {
      const api = run.portkeyApi as LiveApi;
      const slug = settings.portkey?.integrationSlug;
      const WORKSPACE = "pulumi-nodejs:dynamic/portkey:Workspace";
      let workspace: WorkspaceArgs;
      let key: Omit<ApiKeyArgs, "type" | "subType" | "workspaceId"> | undefined;
      let access: Omit<IntegrationWorkspaceAccessArgs, "integrationSlug" | "workspaceId"> | undefined;
      let stack: EngineStack;
      let workspaceId: string;

      beforeAll(async () => {
        stack = await createStack(
          "live-portkey",
          async () => {
            const ws = new portkey.Workspace("ws", workspace);
            const outputs: Record<string, unknown> = { workspaceId: ws.id, slug: ws.slug };
            if (key) {
              const k = new portkey.ApiKey("key", { ...key, type: "workspace", subType: "service", workspaceId: ws.id });
              outputs.keyId = k.id;
              outputs.key = k.key;
            }
            if (access && slug) {
              const a = new portkey.IntegrationWorkspaceAccess("access", { ...access, integrationSlug: slug, workspaceId: ws.id });
              outputs.accessId = a.id;
            }
            return outputs;
          },
          run.portkeyConfig(),
        );
      });

      const getWorkspace = () => api.ok(`GET`, `/admin/workspaces/${workspaceId}`);

      test("workspace: up creates it tagged, a second preview is clean", async () => {
        workspace = {
          name: run.name("ws"),
          description: "Created by the live tier of pulumi-ai-gateway",
          metadata: run.metadata,
          rateLimits: [{ type: "requests", unit: "rpm", value: 100 }],
          forceDelete: true,
        };
        const result = await stack.up();
        expect(changedSteps(result.steps, WORKSPACE).map((s) => s.op)).toEqual(["create"]);
        workspaceId = String(result.outputs.workspaceId.value);
        await eventually(getWorkspace, (ws) => {
          expect(ws).toMatchObject({ id: workspaceId, description: "Created by the live tier of pulumi-ai-gateway", rate_limits: [expect.objectContaining({ type: "requests", unit: "rpm", value: 100 })] });
          expect(String(ws.name)).toContain(run.name("ws"));
          expect(ws.defaults?.metadata).toMatchObject(run.metadata);
        });
        await expectNoChanges(stack);
      });

      test("workspace: every field updates in place", async () => {
        workspace = {
          ...workspace,
          name: run.name("ws-renamed"),
          description: "Updated by the live tier",
          metadata: { ...run.metadata, stage: "updated" },
          usageLimits: [{ creditLimit: 10, alertThreshold: 5, periodicReset: "monthly" }],
          rateLimits: [{ type: "requests", unit: "rpm", value: 120 }],
        };
        const preview = await stack.preview();
        expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
        const result = await stack.up();
        expect(result.outputs.workspaceId.value).toBe(workspaceId);
        await eventually(getWorkspace, (ws) => {
          expect(String(ws.name)).toContain(run.name("ws-renamed"));
          expect(ws).toMatchObject({ description: "Updated by the live tier", rate_limits: [expect.objectContaining({ value: 120 })] });
          expect(ws.usage_limits).toEqual([expect.objectContaining({ credit_limit: 10, alert_threshold: 5, periodic_reset: "monthly" })]);
          expect(ws.defaults?.metadata).toMatchObject({ ...run.metadata, stage: "updated" });
        });
        await expectNoChanges(stack);
      });

      test("workspace: removing optional fields clears them", async () => {
        workspace = { name: workspace.name, metadata: run.metadata, forceDelete: true };
        await stack.up();
        await eventually(getWorkspace, (ws) => {
          expect(ws.description || null).toBeNull();
          expect(ws.usage_limits ?? []).toEqual([]);
          expect(ws.rate_limits ?? []).toEqual([]);
          expect(ws.defaults?.metadata).toEqual(run.metadata);
        });
        await expectNoChanges(stack);
      });

      test("workspace: an out-of-band edit through the API shows after refresh and up repairs it", async () => {
        workspace = { ...workspace, description: "As declared" };
        await stack.up();
        await api.ok("PUT", `/admin/workspaces/${workspaceId}`, { body: { description: "Edited out of band" } });
        await eventually(getWorkspace, (ws) => expect(ws.description).toBe("Edited out of band"));
        await stack.refresh();
        const stored = (await stack.exportState()).resource(WORKSPACE, "ws");
        expect(stored?.outputs?.description).toBe("Edited out of band");
        const preview = await stack.preview();
        expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
        await stack.up();
        await eventually(getWorkspace, (ws) => expect(ws.description).toBe("As declared"));
        await expectNoChanges(stack);
      });

      test("workspace API key: created in the workspace, its secret only an encrypted output", async () => {
        key = { name: run.name("key"), scopes: ["completions.write"], metadata: run.metadata };
        const result = await stack.up();
        const id = String(result.outputs.keyId.value);
        expect(result.outputs.key.secret).toBe(true);
        const secret = String(result.outputs.key.value);
        const remote = await eventually(() => api.ok("GET", `/api-keys/${id}`), (k) => expect(k).toMatchObject({ id, name: run.name("key"), workspace_id: workspaceId }));
        expect(remote.defaults?.metadata).toMatchObject(run.metadata);
        const state = await stack.exportState();
        expect(state.resource("pulumi-nodejs:dynamic/portkey:ApiKey", "key")?.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });
        expectSecretKeptOut(stack, state.text, secret);
        expect(state.text).not.toContain(settings.portkey!.apiKey);
        await expectNoChanges(stack);
      });

      test("workspace API key: fields update in place; removed from the program, it is deleted", async () => {
        const before = await stack.stack.outputs();
        const id = String(before.keyId.value);
        key = { ...key!, name: run.name("key-renamed"), scopes: ["completions.write", "logs.view"], rateLimits: [{ type: "requests", unit: "rpm", value: 60 }] };
        const result = await stack.up();
        expect(result.outputs.keyId.value).toBe(id);
        await eventually(() => api.ok("GET", `/api-keys/${id}`), (k) => {
          expect(k.name).toBe(run.name("key-renamed"));
          expect([...k.scopes].sort()).toEqual(["completions.write", "logs.view"]);
          expect(k.rate_limits).toEqual([expect.objectContaining({ type: "requests", unit: "rpm", value: 60 })]);
        });
        await expectNoChanges(stack);
        key = undefined;
        const removed = await stack.up();
        expect(removed.changeSummary.delete).toBe(1);
        await eventually(() => api.request("GET", `/api-keys/${id}`), (r) => expect([403, 404]).toContain(r.status));
      });

      // Issue 11's cases whose truth is the live service's own behaviour.
      test("trust: a declared workspace icon is set, changed and cleared; the name stays plain", async () => {
        for (const icon of ["🧪", "🚀"]) {
          workspace = { ...workspace, icon };
          await stack.up();
          await eventually(getWorkspace, (ws) => expect(ws.icon).toBe(icon));
          expect((await stack.exportState()).resource(WORKSPACE, "ws")?.outputs?.name).toBe(workspace.name);
          await expectNoChanges(stack);
        }
        workspace = { ...workspace, icon: "" };
        await stack.up();
        await eventually(getWorkspace, (ws) => expect(ws.icon || null).toBeNull());
        await expectNoChanges(stack);
      });

      test("trust: a key with a one-shot rotation and metadata of every JSON type reads back as declared; a description change leaves the rotation time alone", async () => {
        const nextRotationAt = new Date(Date.now() + 30 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
        const metadata = { ...run.metadata, count: 5, nested: { list: [1, 2] }, flag: true };
        key = { name: run.name("key-trust"), description: "one", scopes: ["completions.write"], metadata, rotationPolicy: { nextRotationAt, keyTransitionPeriodMs: 1_800_000 } };
        const result = await stack.up();
        const id = String(result.outputs.keyId.value);
        const read = () => api.ok("GET", `/api-keys/${id}`);
        const before = await eventually(read, (k) => {
          expect(k.defaults?.metadata).toEqual(metadata);
          expect(k.rotation_policy?.next_rotation_at).toBeTruthy();
        });
        await expectNoChanges(stack);
        key = { ...key, description: "two" };
        await stack.up();
        await eventually(read, (k) => {
          expect(k.description).toBe("two");
          expect(k.rotation_policy?.next_rotation_at).toBe(before.rotation_policy.next_rotation_at);
          expect(k.defaults?.metadata).toEqual(metadata);
        });
        await expectNoChanges(stack);
        key = undefined;
        await stack.up();
      });

      if (!slug) {
        process.stdout.write("live tier (Portkey integration access): skipped: set PORTKEY_LIVE_INTEGRATION_SLUG to an existing integration to run it.\n");
        test.skip("integration access: skipped (no PORTKEY_LIVE_INTEGRATION_SLUG)", () => undefined);
      } else {
        const row = async () => {
          const list = await api.ok<{ workspaces?: { id: string; enabled: boolean; rate_limits?: { value: number }[] }[] }>("GET", `/integrations/${encodeURIComponent(slug)}/workspaces`);
          const ws = await getWorkspace();
          return (list.workspaces ?? []).find((r) => r.id === ws.slug || r.id === workspaceId);
        };

        test("integration access: granted, limit changed, revoked when removed", async () => {
          access = { createDefaultProvider: false, rateLimits: [{ type: "requests", unit: "rpm", value: 30 }] };
          const result = await stack.up();
          expect(String(result.outputs.accessId.value)).toBe(`${slug}/${workspaceId}`);
          await eventually(row, (r) => expect(r).toMatchObject({ enabled: true, rate_limits: [expect.objectContaining({ value: 30 })] }));
          await expectNoChanges(stack);
          access = { ...access, rateLimits: [{ type: "requests", unit: "rpm", value: 40 }] };
          await stack.up();
          await eventually(row, (r) => expect(r).toMatchObject({ enabled: true, rate_limits: [expect.objectContaining({ value: 40 })] }));
          await expectNoChanges(stack);
          access = undefined;
          const removed = await stack.up();
          expect(removed.changeSummary.delete).toBe(1);
          await eventually(row, (r) => expect(r?.enabled ?? false).toBe(false));
        });
      }

      test("destroy deletes the workspace", async () => {
        const destroyed = await stack.destroy();
        expect(destroyed.changeSummary.delete).toBeGreaterThanOrEqual(1);
        await eventually(() => api.request("GET", `/admin/workspaces/${workspaceId}`), (r) => expect([403, 404]).toContain(r.status));
      });
    });

    // Every other Portkey resource an admin key can make and remove without touching anything untagged:
    // an organisation integration with a fake provider key (never called), its models and access to a tagged
    // workspace, and in that workspace a provider, a config, a guardrail and both kinds of policy; the prompt
    // kinds; an MCP integration (never connected) with its access, a server and their switches; the workspace's
    // guardrail exclusion; plus look-ups. Kinds not run live: NOT_RUN_LIVE in test/support/live.ts.
    describe("live Portkey: an integration and what a workspace holds", () => {
      const api = run.portkeyApi as LiveApi;
      let round: "created" | "updated" | "removed" = "created";
      let stack: EngineStack;
      const integrationSlug = run.slug("intg");
      const customModel = run.slug("model");

      beforeAll(async () => {
        stack = await createStack(
          "live-portkey-contents",
          async () => {
            const ws = new portkey.Workspace("ws", { name: run.name("contents"), metadata: run.metadata, forceDelete: true });
            const outputs: Record<string, unknown> = { workspaceId: ws.id };
            if (round === "removed") return outputs;
            const updated = round === "updated";
            const intg = new portkey.Integration("intg", { name: run.name("intg"), slug: integrationSlug, aiProviderId: "openai", key: "sk-live-tier-fake-0000000000", description: updated ? "updated" : "created" });
            new portkey.IntegrationModelAccess("models", {
              integrationSlug: intg.id,
              allowAllModels: false,
              models: [{ slug: "gpt-4o", enabled: true }, { slug: customModel, isCustom: true, enabled: !updated }],
            });
            const access = new portkey.IntegrationWorkspaceAccess("access", { integrationSlug: intg.id, workspaceId: ws.id, createDefaultProvider: false });
            const provider = new portkey.AiProvider("provider", { workspaceId: ws.id, integrationSlug: intg.id, name: run.name("provider"), note: updated ? "updated" : "created" }, { dependsOn: [access] });
            const config = new portkey.Config("config", { workspaceId: ws.id, name: run.name("config"), config: { retry: { attempts: updated ? 3 : 2 } } });
            const guardrail = new portkey.Guardrail("guardrail", {
              name: run.name(updated ? "guardrail-renamed" : "guardrail"),
              workspaceId: ws.id,
              checks: [{ id: "default.regexMatch", parameters: { rule: "\\d{3}" } }],
              actions: { deny: true },
            });
            const conditions = [{ key: "workspace_id", value: ws.id }];
            const usage = new portkey.UsageLimitsPolicy("usage", { workspaceId: ws.id, name: run.name("usage"), conditions, groupBy: ["api_key"], type: "cost", creditLimit: updated ? 6 : 5 });
            const rate = new portkey.RateLimitsPolicy("rate", { workspaceId: ws.id, name: run.name("rate"), conditions, groupBy: ["api_key"], type: "requests", unit: "rpm", value: updated ? 120 : 100 });
            // Prompts: a collection, a partial, a label of the workspace, and a prompt running on the provider.
            const collection = new portkey.PromptCollection("collection", { workspaceId: ws.id, name: run.name(updated ? "prompts-renamed" : "prompts") });
            const partial = new portkey.PromptPartial("partial", { workspaceId: ws.id, name: run.name("partial"), string: updated ? "Answer in one line." : "Answer briefly." });
            new portkey.PromptLabel("label", { workspaceId: ws.id, name: run.name("label"), description: updated ? "updated" : "created" });
            const prompt = new portkey.Prompt("prompt", {
              collectionId: collection.id,
              name: run.name("prompt"),
              string: pulumi.interpolate`{{>${partial.slug}}} Sort this ticket: {{ticket}}`,
              virtualKey: pulumi.interpolate`${provider.slug}`,
              model: "gpt-4o",
              parameters: { temperature: updated ? 0.5 : 0 },
            });
            // MCP: an organisation MCP integration for a server that does not exist (never connected), its access to
            // the workspace, a capability no sync has found, and a server in the workspace with its own switches.
            const mcp = new portkey.McpIntegration("mcp", {
              name: run.name("mcp"),
              slug: run.slug("mcp"),
              url: "https://example.com/pulumi-ai-gateway-live-tier/mcp",
              authType: "none",
              transport: "http",
              description: updated ? "updated" : "created",
            });
            const mcpAccess = new portkey.McpIntegrationWorkspaceAccess("mcp-access", { mcpIntegrationId: mcp.id, workspaceId: ws.id });
            const capability = { type: "tool" as const, name: "pulumi_ai_gateway_live_tier_tool" };
            new portkey.McpIntegrationCapabilities("mcp-capabilities", { mcpIntegrationId: mcp.id, capabilities: [{ ...capability, enabled: updated }] });
            const server = new portkey.McpServer("mcp-server", { name: run.name("mcp-server"), mcpIntegrationId: mcp.id, workspaceId: ws.id, description: updated ? "updated" : "created" }, { dependsOn: [mcpAccess] });
            new portkey.McpServerCapabilities("mcp-server-capabilities", { mcpServerId: server.id, capabilities: [{ ...capability, enabled: !updated }] });
            new portkey.McpServerUserAccess("mcp-server-users", { mcpServerId: server.id, defaultUserAccess: updated ? "allow" : "deny" });
            // The tagged workspace skips the organisation's default input guardrails (only its own row is written).
            new portkey.WorkspaceGuardrailExclusion("exclusion", { workspaceId: ws.id, direction: "input" });
            const foundWorkspace = portkey.getWorkspaceOutput({ slug: ws.slug });
            const foundIntegration = portkey.getIntegrationOutput({ slug: intg.id });
            const foundPrompt = portkey.getPromptOutput({ id: prompt.id });
            // Looked up once the server exists (a look-up waits only for its own inputs).
            const foundServers = portkey.getMcpServersOutput({ workspaceId: pulumi.all([ws.id, server.id]).apply(([id]) => id) });
            Object.assign(outputs, {
              providerId: provider.id, configSlug: config.id, guardrailId: guardrail.id, usageId: usage.id, rateId: rate.id,
              collectionId: collection.id, partialId: partial.id, promptId: prompt.id, mcpId: mcp.id, serverId: server.id,
              foundWorkspaceId: foundWorkspace.id, foundIntegrationName: foundIntegration.name,
              foundPromptName: foundPrompt.name, foundServerNames: foundServers.mcpServers.apply((list) => list.map((s) => s.name)),
            });
            return outputs;
          },
          run.portkeyConfig(),
        );
      });

      test("up creates them all, the look-ups find them, a second preview is clean", async () => {
        round = "created";
        const result = await stack.up();
        expect(result.changeSummary.create).toBe(21);
        const workspaceId = String(result.outputs.workspaceId.value);
        expect(result.outputs.foundWorkspaceId.value).toBe(workspaceId);
        expect(result.outputs.foundIntegrationName.value).toBe(run.name("intg"));
        expect(result.outputs.foundPromptName.value).toBe(run.name("prompt"));
        expect(result.outputs.foundServerNames.value).toEqual([run.name("mcp-server")]);
        const prompt = await eventually(() => api.ok("GET", `/prompts/${result.outputs.promptId.value}`), (p) => expect(p.name).toBe(run.name("prompt")));
        expect(JSON.stringify(prompt)).toContain("Sort this ticket");
        await eventually(() => api.ok("GET", `/mcp-servers/${result.outputs.serverId.value}/user-access`), (a) => expect(a.default_user_access).toBe("deny"));
        await eventually(() => api.ok("GET", "/workspace-exclusions/input-guardrails"), (e) =>
          expect(e.workspaces).toEqual(expect.arrayContaining([expect.objectContaining({ workspace_id: workspaceId, excluded: true })])),
        );
        const models = await eventually(() => api.ok("GET", `/integrations/${integrationSlug}/models`), (m) => expect(m.allow_all_models).toBe(false));
        expect(models.models).toEqual(expect.arrayContaining([expect.objectContaining({ slug: customModel, enabled: true })]));
        const config = await api.ok("GET", `/configs/${result.outputs.configSlug.value}`);
        expect(JSON.parse(typeof (config.data ?? config).config === "string" ? (config.data ?? config).config : JSON.stringify((config.data ?? config).config))).toEqual({ retry: { attempts: 2 } });
        await expectNoChanges(stack);
      });

      test("each changes in place", async () => {
        round = "updated";
        // The up's own steps, not a preview first: every program run serialises each kind's provider once.
        const result = await stack.up();
        expect(changedSteps(result.steps).map((s) => s.op).every((op) => op === "update")).toBe(true);
        expect(result.changeSummary.update).toBe(16);
        await eventually(() => api.ok("GET", `/policies/rate-limits/${result.outputs.rateId.value}`), (p) => expect(p.value).toBe(120));
        await eventually(() => api.ok("GET", `/collections/${result.outputs.collectionId.value}`), (c) => expect(c.name).toBe(run.name("prompts-renamed")));
        await eventually(() => api.ok("GET", `/mcp-servers/${result.outputs.serverId.value}/user-access`), (a) => expect(a.default_user_access).toBe("allow"));
        await eventually(() => api.ok("GET", `/guardrails/${result.outputs.guardrailId.value}`), (g) => expect(g.name).toBe(run.name("guardrail-renamed")));
        await expectNoChanges(stack);
      });

      test("removed from the program, they are deleted", async () => {
        const before = await stack.stack.outputs();
        round = "removed";
        const result = await stack.up();
        expect(result.changeSummary.delete).toBe(19);
        await eventually(() => api.request("GET", `/integrations/${integrationSlug}`), (r) => expect(r.status).toBe(404));
        await eventually(() => api.request("GET", `/mcp-integrations/${before.mcpId.value}`), (r) => expect(r.status).toBe(404));
        await eventually(() => api.request("GET", `/prompts/${before.promptId.value}`), (r) => expect(r.status).toBe(404));
        await eventually(() => api.ok("GET", "/workspace-exclusions/input-guardrails"), (e) =>
          expect((e.workspaces ?? []).filter((w: { workspace_id: string; excluded?: boolean }) => w.workspace_id === before.workspaceId.value && w.excluded !== false)).toEqual([]),
        );
        await eventually(() => api.request("GET", `/configs/${before.configSlug.value}`), (r) => expect(r.status).toBe(404));
        await eventually(() => api.request("GET", `/policies/usage-limits/${before.usageId.value}`), (r) => expect(r.status).toBe(404));
        await stack.destroy();
      });
    });
  }

  if (!settings.openrouter) {
    process.stdout.write("live tier (OpenRouter): skipped: set OPENROUTER_LIVE_MANAGEMENT_KEY (and OPENROUTER_LIVE_BASE_URL) to run the OpenRouter scenarios.\n");
    test.skip("live tier (OpenRouter): skipped (no OPENROUTER_LIVE_MANAGEMENT_KEY)", () => undefined);
  } else {
    describe("live OpenRouter", () => {
      const api = run.openrouterApi as LiveApi;
      const WORKSPACE = "pulumi-nodejs:dynamic/openrouter:Workspace";
      let workspace: OpenRouterWorkspaceArgs;
      let key: Omit<OpenRouterKeyArgs, "workspaceId"> | undefined;
      let stack: EngineStack;
      let workspaceId: string;

      beforeAll(async () => {
        stack = await createStack(
          "live-openrouter",
          async () => {
            const ws = new openrouter.Workspace("ws", workspace);
            const outputs: Record<string, unknown> = { workspaceId: ws.id };
            if (key) {
              const k = new openrouter.ApiKey("key", { ...key, workspaceId: ws.id });
              outputs.hash = k.hash;
              outputs.key = k.key;
            }
            return outputs;
          },
          run.openrouterConfig(),
        );
      });

      const getWorkspace = async () => (await api.ok("GET", `/workspaces/${workspaceId}`)).data;

      test("workspace: up creates it tagged, a second preview is clean", async () => {
        workspace = { name: run.name("ws"), slug: run.slug("ws"), description: "Created by the live tier of pulumi-ai-gateway" };
        const result = await stack.up();
        expect(changedSteps(result.steps, WORKSPACE).map((s) => s.op)).toEqual(["create"]);
        workspaceId = String(result.outputs.workspaceId.value);
        await eventually(getWorkspace, (ws) => expect(ws).toMatchObject({ id: workspaceId, name: run.name("ws"), slug: run.slug("ws"), description: "Created by the live tier of pulumi-ai-gateway" }));
        await expectNoChanges(stack);
      });

      test("workspace: fields update in place, the slug included", async () => {
        workspace = { name: run.name("ws-renamed"), slug: run.slug("ws2"), description: "Updated by the live tier", defaultProviderSort: "price" };
        const preview = await stack.preview();
        expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
        const result = await stack.up();
        expect(result.outputs.workspaceId.value).toBe(workspaceId);
        await eventually(getWorkspace, (ws) => expect(ws).toMatchObject({ name: run.name("ws-renamed"), slug: run.slug("ws2"), description: "Updated by the live tier", default_provider_sort: "price" }));
        await expectNoChanges(stack);
      });

      test("workspace: removing optional fields clears them", async () => {
        workspace = { name: workspace.name, slug: workspace.slug };
        await stack.up();
        await eventually(getWorkspace, (ws) => expect(ws).toMatchObject({ description: null, default_provider_sort: null }));
        await expectNoChanges(stack);
      });

      test("workspace: an out-of-band edit through the API shows after refresh and up repairs it", async () => {
        await api.ok("PATCH", `/workspaces/${workspaceId}`, { body: { description: "Edited out of band" } });
        await stack.refresh();
        expect((await stack.exportState()).resource(WORKSPACE, "ws")?.outputs?.description).toBe("Edited out of band");
        const preview = await stack.preview();
        expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
        await stack.up();
        await eventually(getWorkspace, (ws) => expect(ws.description).toBeNull());
        await expectNoChanges(stack);
      });

      test("API key: created in the workspace, its secret only an encrypted output", async () => {
        key = { name: run.name("key"), limit: 1 };
        const result = await stack.up();
        const hash = String(result.outputs.hash.value);
        expect(result.outputs.key.secret).toBe(true);
        await eventually(async () => (await api.ok("GET", `/keys/${hash}`)).data, (k) => expect(k).toMatchObject({ hash, name: run.name("key"), limit: 1, workspace_id: workspaceId }));
        const state = await stack.exportState();
        expectSecretKeptOut(stack, state.text, String(result.outputs.key.value));
        expect(state.text).not.toContain(settings.openrouter!.managementKey);
        await expectNoChanges(stack);
      });

      test("API key: fields update in place; removed from the program, it is deleted", async () => {
        const hash = String((await stack.stack.outputs()).hash.value);
        key = { name: run.name("key-renamed"), limit: 2, limitReset: "monthly" };
        const result = await stack.up();
        expect(result.outputs.hash.value).toBe(hash);
        await eventually(async () => (await api.ok("GET", `/keys/${hash}`)).data, (k) => expect(k).toMatchObject({ name: run.name("key-renamed"), limit: 2, limit_reset: "monthly" }));
        await expectNoChanges(stack);
        key = undefined;
        const removed = await stack.up();
        expect(removed.changeSummary.delete).toBe(1);
        await eventually(() => api.request("GET", `/keys/${hash}`), (r) => expect(r.status).toBe(404));
      });

      test("destroy deletes the workspace", async () => {
        await stack.destroy();
        await eventually(() => api.request("GET", `/workspaces/${workspaceId}`), (r) => expect(r.status).toBe(404));
      });
    });

    // Every other OpenRouter resource a management key can make and remove without touching anything
    // untagged, all inside a tagged workspace: a guardrail assigned to a tagged key, the workspace's
    // default guardrail, budgets, a BYOK key with a fake credential (disabled, never used) and a disabled
    // webhook destination, a preset; and an organisation private provider without endpoints.
    describe("live OpenRouter: guardrails, budgets, BYOK keys and destinations", () => {
      const api = run.openrouterApi as LiveApi;
      let round: "created" | "updated" | "removed" = "created";
      let stack: EngineStack;

      beforeAll(async () => {
        stack = await createStack(
          "live-openrouter-contents",
          async () => {
            const ws = new openrouter.Workspace("ws", { name: run.name("contents"), slug: run.slug("contents") });
            const outputs: Record<string, unknown> = { workspaceId: ws.id };
            if (round === "removed") return outputs;
            const updated = round === "updated";
            const key = new openrouter.ApiKey("key", { name: run.name("key"), limit: 1, workspaceId: ws.id });
            const guardrail = new openrouter.Guardrail("guardrail", { name: run.name("guardrail"), workspaceId: ws.id, limitUsd: updated ? 2 : 1, resetInterval: "monthly" });
            const assignment = new openrouter.GuardrailKeyAssignment("assignment", { guardrailId: guardrail.id, keyHash: key.hash });
            new openrouter.WorkspaceDefaultGuardrail("default-guardrail", { workspaceId: ws.id, enforceZdrOther: !updated });
            const budget = new openrouter.WorkspaceBudget("budget", { workspaceId: ws.id, monthlyUsd: updated ? 4 : 3, dailyUsd: 1 });
            const byok = new openrouter.ByokKey("byok", { providerSlug: "openai", key: "sk-live-tier-fake-0000000000", workspaceId: ws.id, name: run.name(updated ? "byok-renamed" : "byok"), disabled: true });
            const destination = new openrouter.ObservabilityDestination("destination", {
              type: "webhook",
              name: run.name("destination"),
              config: { url: "https://example.com/pulumi-ai-gateway-live-tier" },
              workspaceId: ws.id,
              enabled: false,
              samplingRate: updated ? 0.5 : 0.25,
            });
            // A preset of the workspace (written from an inference body, which runs no inference) and an organisation
            // private provider with no endpoint, so nothing is ever routed to its made-up URL.
            const preset = new openrouter.Preset("preset", {
              slug: run.slug("preset"),
              workspaceId: ws.id,
              config: { model: "openai/gpt-4o-mini", temperature: updated ? 0.5 : 0.2 },
              systemPrompt: "Answer briefly.",
            });
            const privateProvider = new openrouter.PrivateProvider("private-provider", {
              name: run.slug("pp"),
              displayName: updated ? "Live tier (updated)" : "Live tier",
              baseUrl: "https://example.com/pulumi-ai-gateway-live-tier/v1",
              trainsOnData: false,
              retainsPrompts: false,
            });
            const foundPreset = openrouter.getPresetOutput({ id: preset.id });
            const foundProvider = openrouter.getPrivateProviderOutput({ id: privateProvider.id });
            Object.assign(outputs, {
              guardrailId: guardrail.id, assignmentId: assignment.id, budgetId: budget.id, byokId: byok.id, destinationId: destination.id,
              presetSlug: preset.slug, presetVersion: preset.version, privateProviderId: privateProvider.id,
              foundPresetSlug: foundPreset.slug, foundProviderName: foundProvider.displayName,
            });
            return outputs;
          },
          run.openrouterConfig(),
        );
      });

      test("up creates them all; a second preview is clean", async () => {
        round = "created";
        const result = await stack.up();
        expect(result.changeSummary.create).toBe(11);
        const workspaceId = String(result.outputs.workspaceId.value);
        expect(result.outputs.foundPresetSlug.value).toBe(run.slug("preset"));
        expect(result.outputs.foundProviderName.value).toBe("Live tier");
        await eventually(async () => (await api.ok("GET", `/guardrails/${result.outputs.guardrailId.value}`)).data, (g) => expect(g).toMatchObject({ limit_usd: 1, workspace_id: workspaceId }));
        await eventually(async () => (await api.ok("GET", `/workspaces/${workspaceId}/budgets`)).data, (b) => expect(b).toHaveLength(2));
        await eventually(async () => (await api.ok("GET", `/byok/${result.outputs.byokId.value}`)).data, (k) => expect(k).toMatchObject({ disabled: true, workspace_id: workspaceId }));
        await expectNoChanges(stack);
      });

      test("each changes in place", async () => {
        round = "updated";
        const result = await stack.up();
        expect(result.changeSummary.update).toBe(7);
        await eventually(async () => (await api.ok("GET", `/presets/${result.outputs.presetSlug.value}`, { query: { workspace_id: String(result.outputs.workspaceId.value) } })).data, (p) =>
          expect(JSON.stringify(p)).toContain("0.5"),
        );
        await eventually(async () => (await api.ok("GET", `/private-providers/${result.outputs.privateProviderId.value}`)).data, (p) => expect(p.display_name).toBe("Live tier (updated)"));
        await eventually(async () => (await api.ok("GET", `/observability/destinations/${result.outputs.destinationId.value}`)).data, (d) => expect(d.sampling_rate).toBe(0.5));
        await expectNoChanges(stack);
      });

      test("removed from the program, they are deleted", async () => {
        const before = await stack.stack.outputs();
        round = "removed";
        const result = await stack.up();
        expect(result.changeSummary.delete).toBe(9);
        await eventually(() => api.request("GET", `/private-providers/${before.privateProviderId.value}`), (r) => expect(r.status).toBe(404));
        await eventually(() => api.request("GET", `/presets/${before.presetSlug.value}`, { query: { workspace_id: String(before.workspaceId.value) } }), (r) => expect(r.status).toBe(404));
        await eventually(() => api.request("GET", `/guardrails/${before.guardrailId.value}`), (r) => expect(r.status).toBe(404));
        await eventually(() => api.request("GET", `/byok/${before.byokId.value}`), (r) => expect(r.status).toBe(404));
        await eventually(() => api.request("GET", `/observability/destinations/${before.destinationId.value}`), (r) => expect(r.status).toBe(404));
        await stack.destroy();
      });
    });
  }
}
