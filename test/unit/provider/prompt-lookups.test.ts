/**
 * The look-ups derived from the Prompt declaration, invoked directly (no
 * engine) against an in-process emulator: prompts are listed through the
 * collections they reference, so a plural look-up finds them, `collectionId`
 * narrows it to one collection, and `labelId` finds the prompt whose
 * published version carries that label.
 */
import { RunningEmulator, startEmulator } from "../../../emulator";
import { lookupNamed } from "../../../provider/resources";
import { ADMIN_KEY, call } from "../../support/emulator";

let emulator: RunningEmulator;
let config: Record<string, string>;
const made: { support: string; billing: string; triage: string; refunds: string; canary: string } = { support: "", billing: "", triage: "", refunds: "", canary: "" };

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY] });
  config = { "portkey:apiKey": ADMIN_KEY, "portkey:baseUrl": emulator.portkeyBaseUrl };
  const ws = (await call(emulator, "POST", "/admin/workspaces", { name: "Prompt look-ups" })).body as { id: string };
  await call(emulator, "POST", "/integrations", { name: "OpenAI", slug: "lookups-openai", ai_provider_id: "openai", key: "sk-test-lookups-0123456789" });
  await call(emulator, "PUT", "/integrations/lookups-openai/workspaces", { workspaces: [{ id: ws.id, enabled: true }] });
  await call(emulator, "POST", "/providers", { name: "OpenAI", integration_id: "lookups-openai", workspace_id: ws.id, slug: "lookups-a" });
  made.support = (await call(emulator, "POST", "/collections", { name: "Support", workspace_id: ws.id })).body.id;
  made.billing = (await call(emulator, "POST", "/collections", { name: "Billing", workspace_id: ws.id })).body.id;
  made.canary = (await call(emulator, "POST", "/labels", { name: "canary", workspace_id: ws.id })).body.id;
  const prompt = (collection: string, name: string) => call(emulator, "POST", "/prompts", { name, collection_id: collection, string: "Hi {{name}}", parameters: {}, virtual_key: "lookups-a" });
  made.triage = (await prompt(made.support, "Triage")).body.id;
  made.refunds = (await prompt(made.billing, "Refunds")).body.id;
  const published = (await call(emulator, "GET", `/prompts/${made.triage}`)).body as { prompt_version_id: string };
  await call(emulator, "PUT", `/prompts/${made.triage}/versions/${published.prompt_version_id}`, { label_id: made.canary });
});
afterAll(async () => emulator?.stop());

test("getPrompts lists every prompt; collectionId narrows it to one collection's", async () => {
  const all = (await lookupNamed("portkey:getPrompts").invoke({}, config)) as { ids: string[] };
  expect([...all.ids].sort()).toEqual([made.triage, made.refunds].sort());
  const billing = (await lookupNamed("portkey:getPrompts").invoke({ collectionId: made.billing }, config)) as { ids: string[] };
  expect(billing.ids).toEqual([made.refunds]);
});

test("getPrompt finds the prompt whose published version carries a label", async () => {
  const found = (await lookupNamed("portkey:getPrompt").invoke({ labelId: made.canary }, config)) as { id: string; name: string; labelId: string };
  expect(found).toMatchObject({ id: made.triage, name: "Triage", labelId: made.canary });
});
