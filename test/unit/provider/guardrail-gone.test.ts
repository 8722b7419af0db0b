/**
 * Portkey answers 403 for a guardrail that does not exist and for one the
 * caller may not use. The guardrail endpoints take a 403 as "gone" only when
 * the list proves the guardrail absent; otherwise the 403 stands.
 */
import { ApiClient, DEFAULT_RETRY_POLICY } from "../../../provider/http";
import { PORTKEY_DIALECT } from "../../../provider/portkey/common";
import { deleteGuardrail, getGuardrail } from "../../../provider/portkey/api/guardrails";
import { ADMIN_KEY, call, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

function client(apiKey: string): ApiClient {
  return new ApiClient({ service: "Portkey", apiKey, baseUrl: emulator().portkeyBaseUrl }, PORTKEY_DIALECT, DEFAULT_RETRY_POLICY, []);
}

async function setUp() {
  const ws = (await call(emulator(), "POST", "/admin/workspaces", { name: `Gone ${Math.random()}` })).body as { id: string };
  const made = (await call(emulator(), "POST", "/guardrails", { name: "g", workspace_id: ws.id, checks: [{ id: "portkey.pii" }], actions: {} })).body as { id: string; slug: string };
  return { ws, made };
}

test("a deleted guardrail reads as gone (403, then a list without it), and deleting it again is no error", async () => {
  const { ws, made } = await setUp();
  const admin = client(ADMIN_KEY);
  expect(await getGuardrail(admin, made.slug, { workspace_id: ws.id })).toMatchObject({ id: made.id });
  expect(await deleteGuardrail(admin, made.slug, { workspace_id: ws.id })).toBe(true);
  expect(await getGuardrail(admin, made.slug, { workspace_id: ws.id })).toBeUndefined();
  expect(await deleteGuardrail(admin, made.slug, { workspace_id: ws.id })).toBe(false);
});

test("a 403 for a guardrail that is still listed is the caller's missing scope, never 'gone'", async () => {
  const { ws, made } = await setUp();
  const listOnly = await call(emulator(), "POST", "/api-keys/workspace/service", { name: "list-only", workspace_id: ws.id, scopes: ["guardrails.list"] });
  const limited = client(listOnly.body.key);
  await expect(getGuardrail(limited, made.slug, { workspace_id: ws.id })).rejects.toThrow(/403 AB03.*stays in the stack.*'guardrails\.read'/s);
  await expect(getGuardrail(limited, made.slug, { workspace_id: ws.id })).rejects.toThrow(/403/);
  await expect(deleteGuardrail(limited, made.slug, { workspace_id: ws.id })).rejects.toThrow(/403/);
  expect(emulator().state().guardrails![made.id]).toBeDefined();
});

test("a 403 whose list the caller may not read either proves nothing: the 403 stands", async () => {
  const { ws, made } = await setUp();
  const noScopes = await call(emulator(), "POST", "/api-keys/workspace/service", { name: "none", workspace_id: ws.id, scopes: ["workspaces.read"] });
  const blind = client(noScopes.body.key);
  await expect(getGuardrail(blind, made.slug, { workspace_id: ws.id })).rejects.toThrow(/403/);
});
