/**
 * Newer fields the emulator serves on existing nouns: a rate-limits policy's
 * `target` (`llm` or `mcp_tools`) and unit `rpw`, and an integration's
 * `pricing_adjustments`.
 */
import { call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

test("rate-limits policies: target mcp_tools with MCP keys and unit rpw; target is fixed; the list filters by it", async () => {
  const ws = (await call(emulator(), "POST", "/admin/workspaces", { name: "MCP Limits" })).body;
  const mcp = await call(emulator(), "POST", "/policies/rate-limits", {
    name: "tool calls",
    workspace_id: ws.slug,
    target: "mcp_tools",
    conditions: [{ key: "mcp_server", value: "linear" }],
    group_by: [{ key: "mcp_tool" }],
    type: "requests",
    unit: "rpw",
    value: 500,
  });
  expect(mcp.status).toBe(200);
  const llm = await call(emulator(), "POST", "/policies/rate-limits", { workspace_id: ws.id, conditions: [{ key: "workspace_id", value: ws.id }], group_by: [{ key: "api_key" }], type: "requests", unit: "rpm", value: 10 });
  expect((await call(emulator(), "GET", `/policies/rate-limits/${mcp.body.id}`)).body).toMatchObject({ target: "mcp_tools", unit: "rpw", value: 500 });
  expect((await call(emulator(), "GET", `/policies/rate-limits/${llm.body.id}`)).body.target).toBe("llm");

  const onlyMcp = await call(emulator(), "GET", `/policies/rate-limits?workspace_id=${ws.id}&target=mcp_tools`);
  expect(onlyMcp.body.data.map((p: { id: string }) => p.id)).toEqual([mcp.body.id]);
  expect((await call(emulator(), "GET", `/policies/rate-limits?workspace_id=${ws.id}`)).body.total).toBe(2);
  expect(errorCode(await call(emulator(), "GET", "/policies/rate-limits?target=agents"))).toBe("AB01");

  // Fixed at creation; model keys do not apply to MCP tool calls.
  expect(errorCode(await call(emulator(), "PUT", `/policies/rate-limits/${mcp.body.id}`, { target: "llm" }))).toBe("AB01");
  expect((await call(emulator(), "PUT", `/policies/rate-limits/${llm.body.id}`, { unit: "rpw" })).status).toBe(200);
  const modelKey = { workspace_id: ws.id, target: "mcp_tools", conditions: [{ key: "model", value: "gpt-4o" }], group_by: [{ key: "mcp_tool" }], type: "requests", unit: "rpm", value: 1 };
  expect(errorCode(await call(emulator(), "POST", "/policies/rate-limits", modelKey))).toBe("AB01");
  expect(errorCode(await call(emulator(), "POST", "/policies/rate-limits", { ...modelKey, conditions: [{ key: "mcp_tool", value: "x" }], target: "tools" }))).toBe("AB01");
});

test("integrations: pricing_adjustments are kept as sent, refused with unknown keys or negative multipliers, cleared with null", async () => {
  const pricing = { multiplier: { default: 0.8, reasoning_token: 1.2, image: { default: 1 }, additional_units: { web_search: 0.5 } } };
  const created = await call(emulator(), "POST", "/integrations", { name: "Priced", slug: "priced-openai", ai_provider_id: "openai", key: "sk-test-1234567890", pricing_adjustments: pricing });
  expect(created.status).toBe(200);
  expect((await call(emulator(), "GET", "/integrations/priced-openai")).body.pricing_adjustments).toEqual(pricing);
  expect(errorCode(await call(emulator(), "PUT", "/integrations/priced-openai", { pricing_adjustments: { multiplier: { discount: 0.5 } } }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "PUT", "/integrations/priced-openai", { pricing_adjustments: { multiplier: { default: -1 } } }))).toBe("AB01");
  // An update that leaves them out keeps them.
  await call(emulator(), "PUT", "/integrations/priced-openai", { name: "Priced 2" });
  expect((await call(emulator(), "GET", "/integrations/priced-openai")).body.pricing_adjustments).toEqual(pricing);
  expect((await call(emulator(), "PUT", "/integrations/priced-openai", { pricing_adjustments: null })).status).toBe(200);
  expect((await call(emulator(), "GET", "/integrations/priced-openai")).body.pricing_adjustments).toBeNull();
  const plain = await call(emulator(), "POST", "/integrations", { name: "Plain", slug: "plain-openai", ai_provider_id: "openai", key: "sk-test-1234567890" });
  expect(plain.status).toBe(200);
  expect((await call(emulator(), "GET", "/integrations/plain-openai")).body.pricing_adjustments).toBeNull();
});
