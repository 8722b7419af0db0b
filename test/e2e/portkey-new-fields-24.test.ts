/**
 * Issue 24, Portkey's newer fields on existing kinds through the real engine
 * against the emulator: a rate-limits policy's `target` (`mcp_tools`, fixed
 * at creation) and unit `rpw`, and an integration's `pricingAdjustments`
 * (set, changed, drift repaired, cleared). Every write is checked to carry
 * only what changed, and every up is followed by a clean preview.
 */
import { portkey } from "../../sdk";
import type { IntegrationArgs, RateLimitsPolicyArgs } from "../../sdk/portkey";
import type { EngineStack } from "./harness";
import { call, changedOps, portkeyConfig, requests, useTrustEmulator } from "./trust-support";
import { EngineStack as Stack } from "./harness";

jest.setTimeout(10 * 60_000);

const emulator = useTrustEmulator();

const RATE = "pulumi-nodejs:dynamic/portkey:RateLimitsPolicy";
const INTEGRATION = "pulumi-nodejs:dynamic/portkey:Integration";

async function expectCleanPreview(stack: EngineStack): Promise<void> {
  const preview = await stack.preview();
  expect(changedOps(preview.steps)).toEqual([]);
}

function bodies(route: string): unknown[] {
  return requests(emulator(), route).map((r) => r.body);
}

describe("newer fields: rate-limits policy target and rpw, integration pricingAdjustments", () => {
  let stack: EngineStack;
  let policy: Partial<RateLimitsPolicyArgs>;
  let pricing: IntegrationArgs["pricingAdjustments"];
  const program = async () => {
    const ws = new portkey.Workspace("mcp-team", { name: "MCP team", forceDelete: true });
    new portkey.RateLimitsPolicy("tool-calls", {
      workspaceId: ws.id,
      conditions: [{ key: "workspace_id", value: "*" }],
      groupBy: ["mcp_tool"],
      type: "requests",
      unit: "rpw",
      value: 1000,
      ...policy,
    });
    // Exports nothing: outputs registered after a preview refused at check are rejected by the terminating
    // engine as an unhandled rejection, which Jest counts as a failed suite (see convergence.test.ts).
    new portkey.Integration("discounted", { name: "Discounted OpenAI", slug: "discounted-openai", aiProviderId: "openai", key: "sk-pricing-0123456789", pricingAdjustments: pricing });
  };

  beforeAll(async () => {
    policy = { target: "mcp_tools" };
    pricing = { multiplier: { default: 0.8, reasoning_token: 1.5, additional_units: { web_search: 0 } } };
    stack = await Stack.create({ projectName: "portkey-new-fields-24", program, config: portkeyConfig(emulator()) });
  });
  afterAll(async () => {
    await stack.destroy().catch(() => undefined);
    await stack.dispose();
  });

  const policyId = async () => (await stack.exportState()).resources(RATE)[0].id!;
  const heldPolicy = async () => (await call(emulator(), "GET", `/policies/rate-limits/${await policyId()}`)).body;
  const heldPricing = async () => (await call(emulator(), "GET", "/integrations/discounted-openai")).body.pricing_adjustments;

  test("created with target mcp_tools, unit rpw and pricing adjustments; a second preview is clean", async () => {
    await stack.up();
    expect(await heldPolicy()).toMatchObject({ target: "mcp_tools", unit: "rpw", value: 1000 });
    expect(await heldPricing()).toEqual({ multiplier: { default: 0.8, reasoning_token: 1.5, additional_units: { web_search: 0 } } });
    await expectCleanPreview(stack);
  });

  test("unit and pricing update in place, each write carrying only what changed", async () => {
    policy = { ...policy, unit: "rpd" };
    pricing = { multiplier: { default: 0.9 } };
    emulator().clearRequestLog();
    const result = await stack.up();
    expect(changedOps(result.steps).sort()).toEqual(["update", "update"]);
    expect(bodies("PUT /policies/rate-limits/{rateLimitsPolicyId}")).toEqual([{ unit: "rpd" }]);
    expect(bodies("PUT /integrations/{slug}")).toEqual([{ pricing_adjustments: { multiplier: { default: 0.9 } } }]);
    expect((await heldPolicy()).unit).toBe("rpd");
    expect(await heldPricing()).toEqual({ multiplier: { default: 0.9 } });
    await expectCleanPreview(stack);
  });

  test("pricing cleared in the UI shows on refresh and up restores it", async () => {
    await call(emulator(), "PUT", "/integrations/discounted-openai", { pricing_adjustments: null });
    await stack.refresh();
    const preview = await stack.preview();
    expect(changedOps(preview.steps, INTEGRATION)).toEqual(["update"]);
    await stack.up();
    expect(await heldPricing()).toEqual({ multiplier: { default: 0.9 } });
    await expectCleanPreview(stack);
  });

  test("removing pricingAdjustments clears them with null", async () => {
    pricing = undefined;
    emulator().clearRequestLog();
    await stack.up();
    expect(bodies("PUT /integrations/{slug}")).toEqual([{ pricing_adjustments: null }]);
    expect(await heldPricing()).toBeNull();
    await expectCleanPreview(stack);
  });

  test("bad input is refused at preview: LLM keys on an mcp_tools policy, unknown pricing keys, negative multipliers", async () => {
    policy = { target: "mcp_tools", conditions: [{ key: "model", value: "gpt-4o" }] };
    await expect(stack.preview()).rejects.toThrow(/conditions\[0\]\.key: an mcp_tools policy takes only api_key, workspace_id, mcp_server, mcp_tool or metadata/);
    policy = { target: "mcp_tools" };
    pricing = { multiplier: { default: -1 } };
    await expect(stack.preview()).rejects.toThrow(/pricingAdjustments\.multiplier\.default/);
    pricing = { multiplier: { audio_token: 2 } as never };
    await expect(stack.preview()).rejects.toThrow(/pricingAdjustments\.multiplier/);
    pricing = undefined;
  });

  test("changing the target replaces the policy; leaving it unset is llm, Portkey's default", async () => {
    policy = { unit: "rpd", groupBy: ["mcp_tool"], conditions: [{ key: "workspace_id", value: "*" }] };
    const before = await policyId();
    const result = await stack.up();
    expect(changedOps(result.steps, RATE)).toContain("replace");
    expect(await policyId()).not.toBe(before);
    expect(await heldPolicy()).toMatchObject({ target: "llm" });
    await expectCleanPreview(stack);
  });
});
