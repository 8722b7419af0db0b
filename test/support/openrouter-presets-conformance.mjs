// Runs in a plain `node` process: @openrouter/sdk is ESM-only. Drives the emulator's
// OpenRouter preset endpoints with the vendor's own SDK (strict response schemas) and
// prints what it saw. The SDK has no archive or restore call; those are tested raw.
import { OpenRouter } from "@openrouter/sdk";

const sdk = new OpenRouter({ apiKey: process.env.OPENROUTER_KEY_UNDER_TEST, serverURL: process.env.OPENROUTER_URL_UNDER_TEST, retryConfig: { strategy: "none" } });
const seen = {};

const made = await sdk.presets.createPresetsChatCompletions({
  slug: "sdk-preset",
  chatRequest: { model: "openai/gpt-4o", temperature: 0.2, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello" }] },
});
seen.made = { slug: made.data.slug, version: made.data.designatedVersion?.version, system: made.data.designatedVersion?.systemPrompt, config: made.data.designatedVersion?.config };
const fromMessages = await sdk.presets.createPresetsMessages({
  slug: "sdk-preset",
  messagesRequest: { model: "anthropic/claude-3.5-sonnet", maxTokens: 100, system: "Be kind.", messages: [{ role: "user", content: "Hi" }] },
});
seen.fromMessages = { version: fromMessages.data.designatedVersion?.version, system: fromMessages.data.designatedVersion?.systemPrompt, config: fromMessages.data.designatedVersion?.config };
const fromResponses = await sdk.presets.createPresetsResponses({ slug: "sdk-preset", responsesRequest: { model: "openai/gpt-4o-mini", instructions: "Be exact.", input: "Hi" } });
seen.fromResponses = { version: fromResponses.data.designatedVersion?.version, system: fromResponses.data.designatedVersion?.systemPrompt };

const got = await sdk.presets.get({ slug: "sdk-preset" });
seen.got = { status: got.data.status, designated: got.data.designatedVersionId === fromResponses.data.designatedVersionId, name: got.data.name };
seen.versions = [];
for await (const page of await sdk.presets.listVersions({ slug: "sdk-preset", limit: 2 })) seen.versions.push(page.result.data.map((v) => v.version));
const first = await sdk.presets.getVersion({ slug: "sdk-preset", version: "1" });
seen.first = first.data.config;
seen.listed = [];
for await (const page of await sdk.presets.list({ limit: 100 })) seen.listed.push(...page.result.data.map((p) => p.slug));
try {
  await sdk.presets.get({ slug: "sdk-missing" });
  seen.missing = "found";
} catch (error) {
  seen.missing = error.constructor.name;
}

process.stdout.write(JSON.stringify(seen));
