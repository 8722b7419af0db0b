/**
 * The emulator's OpenRouter private providers (/private-providers) and
 * private endpoints (/private-endpoints): slugs derived from names, explicit
 * nulls to clear, the data-policy rule; the draft → validated → active ⇄
 * disabled lifecycle, Idempotency-Key replays, normalised base URLs, pricing
 * kept as written and replaced whole (openrouter-api-org.md §3–4). No
 * `@openrouter/sdk` has these calls; the shapes are the PyPI SDK's.
 */
import { callOpenRouter, useEmulator } from "../../support/emulator";

const MANAGEMENT_KEY = "sk-or-mgmt-unit-private-0123456789";
const emulator = useEmulator({ managementKeys: [MANAGEMENT_KEY] });
const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  Object.keys(headers).length === 0
    ? callOpenRouter(emulator(), method, path, body, MANAGEMENT_KEY)
    : fetch(`${emulator().openrouterBaseUrl}${path}`, {
        method,
        headers: { "content-type": "application/json", authorization: `Bearer ${MANAGEMENT_KEY}`, ...headers },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json(), headers: r.headers }));

const POLICY = { training: false, retains_prompts: false, prompt_retention_days: null };
const provider = (name: string, extra: Record<string, unknown> = {}) =>
  call("POST", "/private-providers", { name, display_name: `${name} Ltd`, base_url: "https://llm.example.com/v1", data_policy: POLICY, ...extra });

let workspaceId: string;
beforeAll(() => {
  workspaceId = Object.values(emulator().openrouterState().workspaces).find((w) => w.is_default)!.id;
});

describe("private providers", () => {
  test("create derives the slug from the name and answers 201 with every field; omitted optionals read empty", async () => {
    const made = await provider("Acme Inference", { headquarters: "DE", datacenters: ["DE", "FR"] });
    expect(made.status).toBe(201);
    expect(made.body.data).toEqual({
      name: "Acme Inference",
      slug: "acme-inference",
      display_name: "Acme Inference Ltd",
      base_url: "https://llm.example.com/v1",
      privacy_policy_url: null,
      headquarters: "DE",
      datacenters: ["DE", "FR"],
      data_policy: POLICY,
      created_at: expect.any(String),
    });
    expect((await call("GET", "/private-providers/acme-inference")).body.data).toEqual(made.body.data);
    expect((await call("GET", "/private-providers")).body).toEqual({ data: [made.body.data] });
    expect((await provider("Bare")).body.data).toMatchObject({ datacenters: [], headquarters: null });
  });

  test("names and slugs are unique, public providers' included, case-insensitively", async () => {
    expect((await provider("ACME inference")).status).toBe(409);
    expect((await provider("acme.inference")).status).toBe(409);
    expect((await provider("OpenAI")).status).toBe(409);
    expect((await provider("x")).status).toBe(400);
    expect((await provider("bad/name")).status).toBe(400);
  });

  test("create checks the data policy (retention days present, null unless prompts are retained) and the base URL", async () => {
    expect((await provider("No Policy", { data_policy: undefined })).status).toBe(400);
    expect((await provider("No Days", { data_policy: { training: false, retains_prompts: false } })).status).toBe(400);
    expect((await provider("Days Without", { data_policy: { training: false, retains_prompts: false, prompt_retention_days: 30 } })).status).toBe(400);
    expect((await provider("Retains", { data_policy: { training: true, retains_prompts: true, prompt_retention_days: 30 } })).status).toBe(201);
    for (const url of ["http://llm.example.com", "https://localhost/v1", "https://10.0.0.8/v1", "https://openrouter.ai/api/v1", "not a url"]) {
      expect((await provider(`Url ${Math.random().toString(36).slice(2, 8)}`, { base_url: url })).status).toBe(400);
    }
    const normalised = await provider("Normal", { base_url: "HTTPS://LLM.Example.COM/v1/chat/completions" });
    expect(normalised.body.data.base_url).toBe("https://llm.example.com/v1");
  });

  test("PATCH keeps what it is not sent, clears with explicit null, merges the data policy, and refuses a new name", async () => {
    await provider("Patchy", { privacy_policy_url: "https://example.com/privacy", headquarters: "US", data_policy: { training: false, retains_prompts: true, prompt_retention_days: 7 } });
    const renamed = await call("PATCH", "/private-providers/patchy", { display_name: "Patchy Two" });
    expect(renamed.body.data).toMatchObject({ display_name: "Patchy Two", privacy_policy_url: "https://example.com/privacy", headquarters: "US", data_policy: { retains_prompts: true, prompt_retention_days: 7 } });
    const cleared = await call("PATCH", "/private-providers/patchy", { privacy_policy_url: null, headquarters: null });
    expect(cleared.body.data).toMatchObject({ privacy_policy_url: null, headquarters: null, display_name: "Patchy Two" });
    // Turning retention off over stored days needs the days nulled in the same call.
    expect((await call("PATCH", "/private-providers/patchy", { data_policy: { retains_prompts: false } })).status).toBe(400);
    const off = await call("PATCH", "/private-providers/patchy", { data_policy: { retains_prompts: false, prompt_retention_days: null } });
    expect(off.body.data.data_policy).toEqual({ training: false, retains_prompts: false, prompt_retention_days: null });
    expect((await call("PATCH", "/private-providers/patchy", { name: "Other" })).status).toBe(400);
    expect((await call("PATCH", "/private-providers/nobody", { display_name: "x" })).status).toBe(404);
  });
});

describe("private endpoints", () => {
  const endpoint = (extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    call("POST", "/private-endpoints", { model_permaslug: "openai/gpt-4o-2024-08-06", provider_slug: "openai", upstream_model_id: "gpt-4o-prod", base_url: "https://llm.example.com/v1/", ...extra }, headers);

  test("create makes a draft and answers the managed shape (no upstream, no pricing); GET answers the full shape", async () => {
    const made = await endpoint({ declared_region: "europe", declared_zdr: true, pricing: { prompt: "0.0000025", completion: "0.000010" } });
    expect(made.status).toBe(201);
    expect(made.body.data).toEqual({
      id: expect.any(String),
      status: "draft",
      model_permaslug: "openai/gpt-4o-2024-08-06",
      model_slug: "openai/gpt-4o",
      model_name: expect.any(String),
      provider_name: "OpenAI",
      created_at: expect.any(String),
      declared_region: "europe",
      declared_zdr: true,
    });
    const read = await call("GET", `/private-endpoints/${made.body.data.id}`);
    expect(read.body.data).toEqual({
      id: made.body.data.id,
      status: "draft",
      model_permaslug: "openai/gpt-4o-2024-08-06",
      model_slug: "openai/gpt-4o",
      model_name: made.body.data.model_name,
      provider_slug: "openai",
      provider_name: "OpenAI",
      upstream_model_id: "gpt-4o-prod",
      base_url: "https://llm.example.com/v1",
      declared_region: "europe",
      declared_zdr: true,
      // Kept exactly as written.
      pricing: { prompt: "0.0000025", completion: "0.000010" },
    });
    const listed = await call("GET", "/private-endpoints");
    expect(listed.body.data).toContainEqual({ id: made.body.data.id, status: "draft", model_permaslug: "openai/gpt-4o-2024-08-06", model_slug: "openai/gpt-4o", model_name: made.body.data.model_name, provider_name: "OpenAI", created_at: made.body.data.created_at });
    expect(listed.body.total_count).toBeUndefined();
  });

  test("create checks its fields: known model and provider, base URL required or refused by provider, enums, decimal rates", async () => {
    expect((await endpoint({ model_permaslug: "nobody/nothing" })).status).toBe(404);
    expect((await endpoint({ provider_slug: "no-such-provider" })).status).toBe(404);
    expect((await endpoint({ base_url: undefined })).status).toBe(400);
    expect((await endpoint({ provider_slug: "azure" })).status).toBe(400);
    const azure = await endpoint({ provider_slug: "azure", base_url: undefined });
    expect((await call("GET", `/private-endpoints/${azure.body.data.id}`)).body.data.base_url).toBeNull();
    expect((await endpoint({ declared_region: "asia" })).status).toBe(400);
    expect((await endpoint({ declared_zdr: "yes" })).status).toBe(400);
    expect((await endpoint({ pricing: { prompt: 0.1, completion: "0.2" } })).status).toBe(400);
    expect((await endpoint({ pricing: { prompt: "0.1" } })).status).toBe(400);
    expect((await endpoint({ upstream_model_id: "" })).status).toBe(400);
  });

  test("lifecycle: activate needs a passed validation; validation needs a BYOK key for the provider in the workspace", async () => {
    const made = (await endpoint()).body.data;
    expect((await call("POST", `/private-endpoints/${made.id}/activate`)).status).toBe(409);
    const failed = await call("POST", `/private-endpoints/${made.id}/validate`, { workspace_id: workspaceId });
    expect(failed.status).toBe(200);
    expect(failed.body.data.passed).toBe(false);
    expect(failed.body.data.checks).toContainEqual({ name: "byok_key", passed: false, reason: "no_byok_key" });
    expect((await call("POST", `/private-endpoints/${made.id}/activate`)).status).toBe(409);

    await call("POST", "/byok", { provider: "openai", key: "sk-openai-test-0123456789" });
    const passed = await call("POST", `/private-endpoints/${made.id}/validate`, { workspace_id: workspaceId });
    expect(passed.body.data).toEqual({ passed: true, checks: expect.arrayContaining([{ name: "byok_key", passed: true }]) });
    expect((await call("POST", `/private-endpoints/${made.id}/validate`, {})).status).toBe(400);

    const active = await call("POST", `/private-endpoints/${made.id}/activate`);
    expect(active).toMatchObject({ status: 200, body: { data: { id: made.id, status: "active" } } });
    expect(active.body.data.pricing).toBeUndefined();
    expect((await call("POST", `/private-endpoints/${made.id}/activate`)).status).toBe(409);
    expect((await call("PATCH", `/private-endpoints/${made.id}`, { upstream_model_id: "other" })).status).toBe(409);

    expect((await call("POST", `/private-endpoints/${made.id}/disable`)).body.data.status).toBe("disabled");
    expect((await call("POST", `/private-endpoints/${made.id}/enable`)).body.data.status).toBe("active");
    expect((await call("DELETE", `/private-endpoints/${made.id}?draft_only=true`)).status).toBe(409);
    expect((await call("DELETE", `/private-endpoints/${made.id}`)).body).toEqual({ data: { id: made.id } });
    expect((await call("GET", `/private-endpoints/${made.id}`)).status).toBe(404);
  });

  test("a draft's change clears its validation; omitted declarations are kept unless the upstream changes; enable and disable refuse drafts", async () => {
    const made = (await endpoint({ declared_region: "us", declared_zdr: false })).body.data;
    await call("POST", `/private-endpoints/${made.id}/validate`, { workspace_id: workspaceId });
    const same = await call("PATCH", `/private-endpoints/${made.id}`, { upstream_model_id: "gpt-4o-prod" });
    expect(same.body.data).toMatchObject({ declared_region: "us", declared_zdr: false, base_url: "https://llm.example.com/v1" });
    expect((await call("POST", `/private-endpoints/${made.id}/activate`)).status).toBe(409);
    const moved = await call("PATCH", `/private-endpoints/${made.id}`, { upstream_model_id: "gpt-4o-canary" });
    expect(moved.body.data).toMatchObject({ upstream_model_id: "gpt-4o-canary", declared_region: null, declared_zdr: null });
    expect((await call("PATCH", `/private-endpoints/${made.id}`, { base_url: "https://x.example.com" })).status).toBe(400);
    expect((await call("POST", `/private-endpoints/${made.id}/disable`)).status).toBe(409);
    expect((await call("POST", `/private-endpoints/${made.id}/enable`)).status).toBe(409);
    expect((await call("DELETE", `/private-endpoints/${made.id}?draft_only=true`)).status).toBe(200);
  });

  test("PUT pricing replaces the whole object, on drafts and active endpoints alike", async () => {
    const made = (await endpoint({ pricing: { prompt: "1", completion: "2", cache_read: "0.5" } })).body.data;
    const put = await call("PUT", `/private-endpoints/${made.id}/pricing`, { pricing: { prompt: "0.10", completion: "0.20" } });
    expect(put.body.data.pricing).toEqual({ prompt: "0.10", completion: "0.20" });
    expect((await call("PUT", `/private-endpoints/${made.id}/pricing`, {})).status).toBe(400);
  });

  test("create with activate: validated and active at once, or 422 with the kept draft and the checks", async () => {
    await call("POST", "/byok", { provider: "together", key: "tg-test-0123456789abc", workspace_id: workspaceId });
    const ok = await endpoint({ provider_slug: "together", activate: { workspace_id: workspaceId } });
    expect(ok).toMatchObject({ status: 201, body: { data: { status: "active" } } });
    const refused = await endpoint({ provider_slug: "fireworks", activate: { workspace_id: workspaceId } });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      error: { code: 422, message: expect.any(String) },
      data: { endpoint: { status: "draft", id: expect.any(String) }, validation: { passed: false, checks: expect.arrayContaining([expect.objectContaining({ reason: "no_byok_key" })]) } },
    });
    expect((await call("GET", `/private-endpoints/${refused.body.data.endpoint.id}`)).body.data.status).toBe("draft");
  });

  test("Idempotency-Key: a repeat answers the first endpoint as it is now; another body is 422; keys outlive their endpoints", async () => {
    const first = await endpoint({}, { "Idempotency-Key": "k-1" });
    const again = await endpoint({}, { "Idempotency-Key": "k-1" });
    expect(again).toMatchObject({ status: 201, body: { data: { id: first.body.data.id } } });
    expect((await endpoint({ upstream_model_id: "other" }, { "Idempotency-Key": "k-1" })).status).toBe(422);
    // Only `activate` is not compared.
    expect((await endpoint({ activate: { workspace_id: workspaceId } }, { "Idempotency-Key": "k-1" })).body.data.id).toBe(first.body.data.id);
    await call("DELETE", `/private-endpoints/${first.body.data.id}`);
    expect((await endpoint({}, { "Idempotency-Key": "k-1" })).status).toBe(422);
    const count = Object.keys(emulator().openrouterState().private_endpoints!).length;
    await endpoint({}, { "Idempotency-Key": "k-2" });
    expect(Object.keys(emulator().openrouterState().private_endpoints!).length).toBe(count + 1);
  });

  test("under a private provider: the endpoint inherits its base URL, and the provider cannot be deleted while endpoints name it", async () => {
    await provider("House Models", { base_url: "https://house.example.com/v1" });
    const made = await endpoint({ provider_slug: "house-models", base_url: undefined, model_permaslug: "meta-llama/llama-3.1-70b-instruct" });
    expect(made.body.data.provider_name).toBe("House Models Ltd");
    expect((await call("GET", `/private-endpoints/${made.body.data.id}`)).body.data).toMatchObject({ provider_slug: "house-models", base_url: "https://house.example.com/v1" });
    const refused = await call("DELETE", "/private-providers/house-models");
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(made.body.data.id);
    await call("DELETE", `/private-endpoints/${made.body.data.id}`);
    expect((await call("DELETE", "/private-providers/house-models")).body).toEqual({ data: { slug: "house-models" } });
    expect((await call("GET", "/private-providers/house-models")).status).toBe(404);
  });
});
