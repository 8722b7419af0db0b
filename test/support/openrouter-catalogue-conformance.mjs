// Runs in a plain `node` process: @openrouter/sdk is ESM-only. Reads the emulator's
// public catalogue (models, one model, providers) with the vendor's own SDK, whose
// strict response schemas refuse an answer of the wrong shape, and prints what it saw.
import { OpenRouter } from "@openrouter/sdk";

const sdk = new OpenRouter({ apiKey: process.env.OPENROUTER_KEY_UNDER_TEST, serverURL: process.env.OPENROUTER_URL_UNDER_TEST, retryConfig: { strategy: "none" } });
const seen = {};

seen.all = (await sdk.models.list()).result.data.map((m) => m.id);
seen.pages = [];
for await (const page of await sdk.models.list({ offset: 0, limit: 2, outputModalities: "all" })) seen.pages.push(page.result.data.map((m) => m.id));
seen.tools = (await sdk.models.list({ supportedParameters: "tools,response_format" })).result.data.map((m) => m.id);
seen.programming = (await sdk.models.list({ category: "programming" })).result.data.map((m) => m.id);
const gpt4o = (await sdk.models.get({ author: "openai", slug: "gpt-4o" })).data;
seen.gpt4o = { canonicalSlug: gpt4o.canonicalSlug, input: gpt4o.architecture.inputModalities, prompt: gpt4o.pricing.prompt, top: gpt4o.topProvider };
try {
  await sdk.models.get({ author: "openai", slug: "no-such-model" });
  seen.missing = "found";
} catch (error) {
  seen.missing = error.constructor.name;
}
seen.providers = (await sdk.providers.list()).data.map((p) => p.slug);
seen.azure = (await sdk.providers.list()).data.find((p) => p.slug === "azure");

process.stdout.write(JSON.stringify(seen));
