/**
 * The emulator's /integrations/{slug}/models routes: all models allowed by
 * default, a PUT that changes only the models it lists, custom models added
 * by slug and deleted by the query's slugs, and what is refused.
 */
import { call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

async function integration(slug: string, aiProviderId = "openai") {
  const created = await call(emulator(), "POST", "/integrations", { name: `Models ${slug}`, slug, ai_provider_id: aiProviderId, key: "sk-test-0000" });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string };
}

async function models(slug: string) {
  const got = await call(emulator(), "GET", `/integrations/${slug}/models`);
  expect(got.status).toBe(200);
  return got.body as { total: number; allow_all_models: boolean; models: { slug: string; enabled: boolean; is_custom: boolean; [field: string]: unknown }[] };
}

const pricing = { type: "static", pay_as_you_go: { request_token: { price: 0.01 }, response_token: { price: 0.03 } } };

test("a new integration allows all models and lists its provider's models, none enabled", async () => {
  const intg = await integration("models-a");
  const list = await models(intg.slug);
  expect(list.allow_all_models).toBe(true);
  expect(list.total).toBe(list.models.length);
  expect(list.models.map((m) => m.slug)).toContain("gpt-4o");
  expect(list.models.every((m) => m.enabled === false && m.is_custom === false)).toBe(true);
  expect((await call(emulator(), "GET", `/integrations/${intg.slug}`)).body.allow_all_models).toBe(true);
});

test("PUT changes only the listed models and allow_all_models; custom models are added and read back", async () => {
  const intg = await integration("models-b");
  const put = await call(emulator(), "PUT", `/integrations/${intg.slug}/models`, {
    allow_all_models: false,
    models: [
      { slug: "gpt-4o", enabled: true, pricing_config: pricing },
      { slug: "ft:gpt-4o-mini:acme:x1", enabled: true, is_custom: true, is_finetune: true, base_model_slug: "gpt-4o-mini", configurations: { custom_host: "https://ft.example.com/v1" } },
    ],
  });
  expect(put.status).toBe(200);
  expect(put.body).toEqual({});
  let list = await models(intg.slug);
  expect(list.allow_all_models).toBe(false);
  const bySlug = Object.fromEntries(list.models.map((m) => [m.slug, m]));
  expect(bySlug["gpt-4o"]).toMatchObject({ enabled: true, is_custom: false, pricing_config: pricing });
  expect(bySlug["gpt-4o-mini"]).toMatchObject({ enabled: false });
  expect(bySlug["ft:gpt-4o-mini:acme:x1"]).toMatchObject({ enabled: true, is_custom: true, is_finetune: true, base_model_slug: "gpt-4o-mini" });
  // The model's custom_host is not among the fields the list answers.
  expect(bySlug["ft:gpt-4o-mini:acme:x1"]).not.toHaveProperty("configurations");
  expect((await call(emulator(), "GET", `/integrations/${intg.slug}`)).body.allow_all_models).toBe(false);

  // A later PUT naming one model leaves the others and allow_all_models alone.
  await call(emulator(), "PUT", `/integrations/${intg.slug}/models`, { models: [{ slug: "gpt-4o", enabled: false }] });
  list = await models(intg.slug);
  expect(list.allow_all_models).toBe(false);
  expect(list.models.find((m) => m.slug === "gpt-4o")).toMatchObject({ enabled: false, pricing_config: pricing });
  expect(list.models.find((m) => m.slug === "ft:gpt-4o-mini:acme:x1")).toMatchObject({ enabled: true });
});

test("refused: models missing, an unknown built-in slug, a built-in as custom, a bad custom_host, a model listed twice; nothing changes", async () => {
  const intg = await integration("models-c");
  const put = (body: unknown) => call(emulator(), "PUT", `/integrations/${intg.slug}/models`, body);
  expect(errorCode(await put({ allow_all_models: false }))).toBe("AB01");
  expect(errorCode(await put({ models: [{ slug: "no-such-model", enabled: true }] }))).toBe("AB01");
  expect(errorCode(await put({ models: [{ slug: "gpt-4o", enabled: true, is_custom: true }] }))).toBe("AB01");
  expect(errorCode(await put({ models: [{ slug: "mine", enabled: true, is_custom: true, configurations: { custom_host: "" } }] }))).toBe("AB01");
  expect(errorCode(await put({ models: [{ slug: "mine", enabled: true, is_custom: true, configurations: { custom_host: "not a url" } }] }))).toBe("AB01");
  expect(errorCode(await put({ models: [{ slug: "gpt-4o", enabled: true }, { slug: "gpt-4o", enabled: false }] }))).toBe("AB01");
  expect(errorCode(await put({ models: [{ slug: "gpt-4o" }] }))).toBe("AB01");
  expect(errorCode(await put({ allow_all_models: false, models: [{ slug: "gpt-4o", enabled: true }, { slug: "no-such-model", enabled: true }] }))).toBe("AB01");
  const list = await models(intg.slug);
  expect(list.allow_all_models).toBe(true);
  expect(list.models.every((m) => !m.enabled)).toBe(true);
  expect(errorCode(await call(emulator(), "GET", "/integrations/missing-intg/models"))).toBe("AB08");
});

test("DELETE ?slugs= removes custom models only", async () => {
  const intg = await integration("models-d", "anthropic");
  await call(emulator(), "PUT", `/integrations/${intg.slug}/models`, {
    models: [
      { slug: "custom-1", enabled: true, is_custom: true },
      { slug: "custom-2", enabled: false, is_custom: true },
    ],
  });
  expect(errorCode(await call(emulator(), "DELETE", `/integrations/${intg.slug}/models?slugs=claude-sonnet-4-0`))).toBe("AB01");
  expect(errorCode(await call(emulator(), "DELETE", `/integrations/${intg.slug}/models`))).toBe("AB01");
  const deleted = await call(emulator(), "DELETE", `/integrations/${intg.slug}/models?slugs=custom-1,custom-2`);
  expect(deleted.status).toBe(200);
  expect((await models(intg.slug)).models.map((m) => m.slug)).toEqual(["claude-3-5-haiku-latest", "claude-sonnet-4-0"]);
  // A provider without built-in models here lists only its custom ones.
  const other = await integration("models-e", "groq");
  expect((await models(other.slug)).models).toEqual([]);
});

test("every response conformed to the official document", () => {
  expect(emulator().specViolations()).toEqual([]);
});
