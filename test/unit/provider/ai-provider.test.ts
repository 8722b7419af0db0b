/**
 * The rule that decides whether an existing provider holding a declared slug
 * is a grant's default provider (adopted) or someone else's (refused), and
 * the model-access input rules checked at preview.
 */
import { isGrantsDefault } from "../../../provider/portkey/ai-provider";
import { integrationModelAccess } from "../../../provider/portkey/integration-model-access";
import type { ApiProvider } from "../../../provider/portkey/api/providers";

const WORKSPACE = "0b7f5a3e-0000-4000-8000-000000000001";
const bare: ApiProvider = {
  id: "p-1",
  slug: "shared-openai",
  name: "OpenAI",
  integration_id: "openai-team",
  workspace_id: WORKSPACE,
  note: null,
  usage_limits: null,
  rate_limits: [],
  expires_at: null,
};
const declared = { integrationSlug: "openai-team", slug: "shared-openai" };

test("a bare provider of the same integration, workspace and slug is the grant's default", () => {
  expect(isGrantsDefault(bare, declared, WORKSPACE)).toBe(true);
  // Fields the API may leave out count as unset; an unset periodic reset reads "".
  expect(isGrantsDefault({ id: "p-1", slug: "shared-openai", integration_id: "openai-team" }, declared, WORKSPACE)).toBe(true);
  expect(isGrantsDefault({ ...bare, note: "", usage_limits: { credit_limit: null, periodic_reset: "" } }, declared, WORKSPACE)).toBe(true);
});

test("anything the grant does not fix, or a mismatch, refuses adoption", () => {
  expect(isGrantsDefault({ ...bare, integration_id: "anthropic-team" }, declared, WORKSPACE)).toBe(false);
  expect(isGrantsDefault({ ...bare, workspace_id: "0b7f5a3e-0000-4000-8000-000000000002" }, declared, WORKSPACE)).toBe(false);
  expect(isGrantsDefault({ ...bare, slug: "other" }, declared, WORKSPACE)).toBe(false);
  expect(isGrantsDefault({ ...bare, note: "mine" }, declared, WORKSPACE)).toBe(false);
  expect(isGrantsDefault({ ...bare, usage_limits: { credit_limit: 10 } }, declared, WORKSPACE)).toBe(false);
  expect(isGrantsDefault({ ...bare, rate_limits: [{ type: "requests", unit: "rpm", value: 5 }] }, declared, WORKSPACE)).toBe(false);
  expect(isGrantsDefault({ ...bare, rate_limits: { type: "requests", unit: "rpm", value: 5 } }, declared, WORKSPACE)).toBe(false);
  expect(isGrantsDefault({ ...bare, expires_at: "2099-01-01T00:00:00Z" }, declared, WORKSPACE)).toBe(false);
  // Without a declared slug nothing can be proven.
  expect(isGrantsDefault(bare, { integrationSlug: "openai-team", slug: undefined }, WORKSPACE)).toBe(false);
});

test("model access: duplicate slugs and custom-only fields on a built-in model are refused, naming the property", () => {
  const schema = integrationModelAccess.inputSchema();
  const problems = (value: unknown) => {
    const result = schema.safeParse(value);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  expect(problems({ integrationSlug: "openai", models: [{ slug: "gpt-4o" }, { slug: "ft:x", isCustom: true, isFinetune: true, customHost: "https://h.example.com" }] })).toEqual([]);
  expect(problems({ integrationSlug: "openai", models: [{ slug: "gpt-4o" }, { slug: "gpt-4o" }] })).toEqual(["models.1.slug: model 'gpt-4o' is listed twice"]);
  expect(problems({ integrationSlug: "openai", models: [{ slug: "gpt-4o", baseModelSlug: "gpt-4" }] })).toEqual(["models.0.baseModelSlug: only applies to a custom model (set `isCustom: true`)"]);
  expect(problems({ integrationSlug: "openai", models: [{ slug: "gpt-4o", requestTokenPrice: -1 }] })).toEqual(["models.0.requestTokenPrice: must be >= 0"]);
  // allowAllModels defaults to true (Portkey's default), enabled to true.
  expect(schema.parse({ integrationSlug: "openai", models: [{ slug: "gpt-4o" }] })).toEqual({ integrationSlug: "openai", allowAllModels: true, models: [{ slug: "gpt-4o", enabled: true }] });
});
