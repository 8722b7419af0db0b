/**
 * The emulator's OpenRouter public catalogue (`GET /models`, `/model/{author}/{slug}`,
 * `/providers`), read by the official `@openrouter/sdk`: its strict response schemas
 * accept every answer, its pager walks the offset/limit pages, and the filters narrow
 * the list (text models unless `output_modalities` says otherwise).
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { useEmulator } from "../../support/emulator";

const MANAGEMENT_KEY = "sk-or-mgmt-unit-catalogue-0123456789";
const emulator = useEmulator({ managementKeys: [MANAGEMENT_KEY] });

test("the official @openrouter/sdk lists, pages, filters and gets models, and lists providers", async () => {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [path.resolve(__dirname, "../../support/openrouter-catalogue-conformance.mjs")],
      { env: { ...process.env, OPENROUTER_KEY_UNDER_TEST: MANAGEMENT_KEY, OPENROUTER_URL_UNDER_TEST: emulator().openrouterBaseUrl }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const seen = JSON.parse(output);
  const textModels = ["openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-3.5-sonnet", "google/gemini-2.0-flash-001", "meta-llama/llama-3.1-70b-instruct"];
  expect(seen.all).toEqual(textModels);
  // The SDK asks for another page while the last one was full: the fourth is past the end, empty.
  expect(seen.pages).toEqual([textModels.slice(0, 2), textModels.slice(2, 4), [textModels[4], "openai/text-embedding-3-small"], []]);
  expect(seen.tools).toEqual(["openai/gpt-4o", "openai/gpt-4o-mini", "google/gemini-2.0-flash-001"]);
  expect(seen.programming).toEqual(["openai/gpt-4o", "anthropic/claude-3.5-sonnet"]);
  expect(seen.gpt4o).toEqual({ canonicalSlug: "openai/gpt-4o-2024-05-13", input: ["text", "image", "file"], prompt: "0.0000025", top: { contextLength: 128000, maxCompletionTokens: 16384, isModerated: true } });
  expect(seen.missing).toBe("NotFoundResponseError");
  expect(seen.providers).toEqual(["openai", "anthropic", "together", "fireworks", "deepinfra", "azure", "amazon-bedrock", "google-vertex"]);
  expect(seen.azure).toMatchObject({ name: "Azure", headquarters: "US", datacenters: ["US", "SE", "DE"], privacyPolicyUrl: expect.stringMatching(/^https:/) });
}, 60_000);
