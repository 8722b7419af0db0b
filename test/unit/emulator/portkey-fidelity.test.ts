/**
 * Portkey behaviours where a client written against the live API disagreed
 * with the emulator, one test per fix, plus the choices made where the live
 * behaviour is not established (docs/emulator.md, "How faithful it is").
 */
import { startEmulator } from "../../../emulator";
import { ADMIN_KEY, call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

async function workspace(name: string, extra: Record<string, unknown> = {}) {
  const created = await call(emulator(), "POST", "/admin/workspaces", { name, ...extra });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string; name: string };
}

async function apiKey(body: Record<string, unknown>) {
  const created = await call(emulator(), "POST", "/api-keys/organisation/service", { name: "k", scopes: ["workspaces.list"], ...body });
  return created;
}

async function integration(slug: string, extra: Record<string, unknown> = {}) {
  return call(emulator(), "POST", "/integrations", { name: slug, slug, ai_provider_id: "openai", key: "sk-test-fake-key-12345", ...extra });
}

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

describe("usage limits", () => {
  test("a limit created without a type reads back with type null (workspaces, API keys, integration access)", async () => {
    const ws = await workspace("Typeless", { usage_limits: [{ credit_limit: 5 }] });
    expect((await call(emulator(), "GET", `/admin/workspaces/${ws.id}`)).body.usage_limits[0].type).toBeNull();
    const key = await apiKey({ usage_limits: { credit_limit: 5 } });
    expect((await call(emulator(), "GET", `/api-keys/${key.body.id}`)).body.usage_limits.type).toBeNull();
    await integration("typeless-openai");
    await call(emulator(), "PUT", "/integrations/typeless-openai/workspaces", { workspaces: [{ id: ws.id, enabled: true, usage_limits: [{ credit_limit: 5 }] }] });
    const rows = (await call(emulator(), "GET", "/integrations/typeless-openai/workspaces")).body.workspaces;
    expect(rows[0].usage_limits[0].type).toBeNull();
    // A type that was sent is kept.
    const typed = await workspace("Typed", { usage_limits: [{ credit_limit: 5, type: "tokens" }] });
    expect((await call(emulator(), "GET", `/admin/workspaces/${typed.id}`)).body.usage_limits[0].type).toBe("tokens");
  });

  test("alert_threshold above credit_limit is refused for API keys only", async () => {
    const limits = { credit_limit: 10, alert_threshold: 20, type: "cost" };
    expect((await call(emulator(), "POST", "/admin/workspaces", { name: "Alert high", usage_limits: [limits] })).status).toBe(200);
    const ws = await workspace("Alert access");
    await integration("alert-openai");
    const access = await call(emulator(), "PUT", "/integrations/alert-openai/workspaces", { workspaces: [{ id: ws.id, enabled: true, usage_limits: [limits] }] });
    expect(access.status).toBe(200);
    const key = await apiKey({ usage_limits: limits });
    expect(key.status).toBe(400);
    expect(errorCode(key)).toBe("AB01");
  });

  test("API keys take fractional amounts (read back as given, integers as 10.0); workspaces keep integers", async () => {
    const key = await apiKey({ usage_limits: { credit_limit: 2.5, alert_threshold: 1.25, type: "cost" } });
    expect(key.status).toBe(200);
    const got = await call(emulator(), "GET", `/api-keys/${key.body.id}`);
    expect(got.body.usage_limits).toMatchObject({ credit_limit: 2.5, alert_threshold: 1.25 });
    const put = await call(emulator(), "PUT", `/api-keys/${key.body.id}`, { usage_limits: { credit_limit: 10 } });
    expect(put.status).toBe(200);
    expect((await call(emulator(), "GET", `/api-keys/${key.body.id}`)).text).toContain('"credit_limit":10.0');
    const ws = await call(emulator(), "POST", "/admin/workspaces", { name: "Fractional", usage_limits: [{ credit_limit: 2.5 }] });
    expect(ws.status).toBe(400);
  });

  test("a key with a periodic reset reads back next_usage_reset_at", async () => {
    const key = await apiKey({ usage_limits: { credit_limit: 10, periodic_reset: "monthly" } });
    const got = await call(emulator(), "GET", `/api-keys/${key.body.id}`);
    const next = Date.parse(got.body.usage_limits.next_usage_reset_at);
    expect(next).toBeGreaterThan(Date.now());
    expect(new Date(next).getUTCDate()).toBe(1);
    const days = await apiKey({ usage_limits: { credit_limit: 10, periodic_reset_days: 3 } });
    const byDays = await call(emulator(), "GET", `/api-keys/${days.body.id}`);
    expect(Date.parse(byDays.body.usage_limits.next_usage_reset_at)).toBeGreaterThan(Date.now() + 2.9 * 86_400_000);
  });

  test("nullable enums accept null: periodic_reset, rotation_period", async () => {
    const ws = await call(emulator(), "POST", "/admin/workspaces", { name: "Null reset", usage_limits: [{ credit_limit: 5, periodic_reset: null }] });
    expect(ws.status).toBe(200);
    const key = await apiKey({
      usage_limits: { credit_limit: 5, periodic_reset: null },
      rotation_policy: { rotation_period: null, next_rotation_at: inMinutes(120) },
    });
    expect(key.status).toBe(200);
    const bad = await call(emulator(), "POST", "/admin/workspaces", { name: "Bad reset", usage_limits: [{ credit_limit: 5, periodic_reset: "daily" }] });
    expect(bad.status).toBe(400);
  });
});

describe("API keys", () => {
  test("a rate limit of 0 is accepted (the document's minimum is 0)", async () => {
    const key = await apiKey({ rate_limits: [{ type: "requests", unit: "rpm", value: 0 }] });
    expect(key.status).toBe(200);
    expect((await call(emulator(), "GET", `/api-keys/${key.body.id}`)).body.rate_limits).toEqual([{ type: "requests", unit: "rpm", value: 0 }]);
    expect((await apiKey({ rate_limits: [{ type: "requests", unit: "rpm", value: -1 }] })).status).toBe(400);
  });

  test("defaults.metadata keeps values of any JSON type as given", async () => {
    const metadata = { team: "a", count: 3, enabled: true, nested: { list: [1, "two", null] }, nothing: null };
    const key = await apiKey({ defaults: { metadata } });
    expect(key.status).toBe(200);
    expect((await call(emulator(), "GET", `/api-keys/${key.body.id}`)).body.defaults.metadata).toEqual(metadata);
    await call(emulator(), "PUT", `/api-keys/${key.body.id}`, { defaults: { metadata: { n: 1.5 } } });
    expect((await call(emulator(), "GET", `/api-keys/${key.body.id}`)).body.defaults.metadata).toEqual({ n: 1.5 });
  });

  test("rotation_period_days: accepted, returned, scheduling every N days; exclusive with the other two", async () => {
    const key = await apiKey({ rotation_policy: { rotation_period_days: 10, key_transition_period_ms: 3_600_000 } });
    expect(key.status).toBe(200);
    const got = await call(emulator(), "GET", `/api-keys/${key.body.id}`);
    expect(got.body.rotation_policy).toMatchObject({ rotation_period: null, rotation_period_days: 10, key_transition_period_ms: 3_600_000 });
    const next = Date.parse(got.body.rotation_policy.next_rotation_at);
    expect(Math.abs(next - (Date.now() + 10 * 86_400_000))).toBeLessThan(60_000);

    await fetch(`${emulator().url}/_emulator/portkey/api-keys/${key.body.id}/scheduled-rotation`, { method: "POST" });
    const rotated = await call(emulator(), "GET", `/api-keys/${key.body.id}`);
    expect(Math.abs(Date.parse(rotated.body.rotation_policy.next_rotation_at) - (Date.now() + 10 * 86_400_000))).toBeLessThan(60_000);
    expect(rotated.body.last_rotated_at).not.toBeNull();

    for (const policy of [
      { rotation_period_days: 10, rotation_period: "weekly" },
      { rotation_period_days: 10, next_rotation_at: inMinutes(60) },
      { rotation_period_days: 0 },
      { rotation_period_days: 366 },
      { rotation_period_days: 1.5 },
      { rotation_period_days: 1, key_transition_period_ms: 86_400_000 },
    ]) {
      expect((await apiKey({ rotation_policy: policy })).status).toBe(400);
    }
    const put = await call(emulator(), "PUT", `/api-keys/${key.body.id}`, { rotation_policy: { rotation_period_days: 3 } });
    expect(put.status).toBe(200);
    expect((await call(emulator(), "GET", `/api-keys/${key.body.id}`)).body.rotation_policy.rotation_period_days).toBe(3);
  });

  test("a one-shot policy rotates once when its time passes, then reads next_rotation_at null and keeps the rest", async () => {
    const when = new Date(Date.now() + 300).toISOString();
    const key = await apiKey({ rotation_policy: { next_rotation_at: when, key_transition_period_ms: 1_800_000 } });
    expect(key.status).toBe(200);
    const before = await call(emulator(), "GET", `/api-keys/${key.body.id}`);
    expect(before.body.rotation_policy).toMatchObject({ rotation_period: null, rotation_period_days: null, next_rotation_at: when });
    expect(before.body.last_rotated_at).toBeNull();
    await new Promise((r) => setTimeout(r, 400));
    const after = await call(emulator(), "GET", `/api-keys/${key.body.id}`);
    expect(after.body.rotation_policy).toMatchObject({ rotation_period: null, next_rotation_at: null, key_transition_period_ms: 1_800_000 });
    expect(Date.parse(after.body.last_rotated_at)).toBeGreaterThanOrEqual(Date.parse(when));
    expect(after.body.key).not.toBe(before.body.key);
    // The old secret lives on for the transition period; nothing further is scheduled.
    expect((await call(emulator(), "GET", "/admin/workspaces", undefined, key.body.key)).status).toBe(200);
  });

  test("last_rotated_at: null for a new key, set by a manual rotation", async () => {
    const key = await apiKey({});
    expect((await call(emulator(), "GET", `/api-keys/${key.body.id}`)).body.last_rotated_at).toBeNull();
    await call(emulator(), "POST", `/api-keys/${key.body.id}/rotate`);
    const got = await call(emulator(), "GET", `/api-keys/${key.body.id}`);
    expect(Math.abs(Date.parse(got.body.last_rotated_at) - Date.now())).toBeLessThan(60_000);
  });

  test("allow_config_override: null when never set, settable to false and back to true, with or without a config", async () => {
    const plain = await apiKey({});
    expect((await call(emulator(), "GET", `/api-keys/${plain.body.id}`)).body.allow_config_override).toBeNull();
    const pinned = await apiKey({ defaults: { config_id: "pc-abc", allow_config_override: false } });
    const id = pinned.body.id;
    expect((await call(emulator(), "GET", `/api-keys/${id}`)).body.allow_config_override).toBe(0);
    expect((await call(emulator(), "PUT", `/api-keys/${id}`, { defaults: { allow_config_override: true } })).status).toBe(200);
    const back = await call(emulator(), "GET", `/api-keys/${id}`);
    expect(back.body.allow_config_override).toBe(1);
    expect(back.body.defaults.config_id).toBe("pc-abc");
    // Without a config (only the Terraform provider refuses this, at plan time).
    expect((await call(emulator(), "PUT", `/api-keys/${plain.body.id}`, { defaults: { allow_config_override: true } })).status).toBe(200);
    expect((await call(emulator(), "GET", `/api-keys/${plain.body.id}`)).body.allow_config_override).toBe(1);
    // Clearing the config unsets the override unless the same PUT sets it.
    await call(emulator(), "PUT", `/api-keys/${id}`, { defaults: { config_id: null } });
    expect((await call(emulator(), "GET", `/api-keys/${id}`)).body.allow_config_override).toBeNull();
    await call(emulator(), "PUT", `/api-keys/${id}`, { defaults: { config_id: null, allow_config_override: false } });
    expect((await call(emulator(), "GET", `/api-keys/${id}`)).body.allow_config_override).toBe(0);
  });
});

describe("integrations", () => {
  test("configurations are checked against the branch for the provider: realistic ones are accepted", async () => {
    const cases: [string, Record<string, unknown>][] = [
      ["bedrock", { aws_auth_type: "assumedRole", aws_role_arn: "arn:aws:iam::123456789012:role/portkey", aws_region: "us-east-1" }],
      ["bedrock", { aws_auth_type: "apiKey", aws_region: "eu-west-1" }],
      [
        "azure-openai",
        {
          azure_auth_mode: "default",
          azure_resource_name: "my-resource",
          azure_deployment_config: [{ azure_api_version: "2024-10-21", azure_deployment_name: "gpt4o", azure_model_slug: "gpt-4o", is_default: true }],
        },
      ],
      ["azure-openai", { azure_auth_mode: "workload", azure_resource_name: "r", azure_deployment_config: [{ azure_api_version: "v", azure_deployment_name: "d", azure_model_slug: "m" }] }],
      ["azure-ai", { azure_auth_mode: "entra", azure_foundry_url: "https://x.services.ai.azure.com", azure_entra_tenant_id: "t", azure_entra_client_id: "c", azure_entra_client_secret: "s3cr3t-value" }],
      ["openai", { openai_organization: "org-123", openai_project: "proj_456" }],
      ["vertex-ai", { vertex_auth_type: "workload", vertex_region: "us-central1", vertex_project_id: "p" }],
      ["vertex-ai", { vertex_auth_type: "serviceAccount", vertex_region: "us-central1", vertex_service_account_json: { type: "service_account" } }],
      ["anthropic", { anything: "goes", custom_host: "https://proxy.example.com" }],
    ];
    for (const [i, [provider, configurations]] of cases.entries()) {
      const created = await call(emulator(), "POST", "/integrations", { name: `cfg ${i}`, slug: `cfg-${i}`, ai_provider_id: provider, configurations });
      expect([provider, created.status, created.body]).toEqual([provider, 200, expect.objectContaining({ slug: `cfg-${i}` })]);
    }
  });

  test("configurations that do not fit their provider's branch are refused with 400 AB01", async () => {
    const cases: [string, Record<string, unknown>][] = [
      ["bedrock", { aws_auth_type: "password", aws_region: "us-east-1" }],
      ["bedrock", { aws_auth_type: "assumedRole" }],
      ["azure-openai", { azure_auth_mode: "default", azure_resource_name: "r" }],
      ["azure-openai", { azure_auth_mode: "default", azure_resource_name: "r", azure_deployment_config: [{ azure_deployment_name: "d" }] }],
      ["vertex-ai", { vertex_auth_type: "basic" }],
      ["openai", { openai_organization: 42 }],
      ["anthropic", { custom_headers: { "x-a": 1 } }],
    ];
    for (const [i, [provider, configurations]] of cases.entries()) {
      const refused = await call(emulator(), "POST", "/integrations", { name: `bad ${i}`, slug: `bad-${i}`, ai_provider_id: provider, configurations });
      expect([provider, refused.status]).toEqual([provider, 400]);
      expect(refused.body.data.message).toContain("configurations");
    }
  });

  test("PUT checks configurations against the integration's provider, and GET masks secret fields", async () => {
    await call(emulator(), "POST", "/integrations", {
      name: "Bedrock",
      slug: "put-bedrock",
      ai_provider_id: "bedrock",
      configurations: { aws_auth_type: "assumedRole", aws_role_arn: "arn:aws:iam::1:role/r", aws_region: "us-east-1" },
    });
    const wrong = await call(emulator(), "PUT", "/integrations/put-bedrock", { configurations: { openai_organization: "org" } });
    expect(wrong.status).toBe(400);
    const right = await call(emulator(), "PUT", "/integrations/put-bedrock", {
      configurations: { aws_auth_type: "accessKey", aws_region: "us-east-1", aws_access_key_id: "AKIAEXAMPLE", aws_secret_access_key: "secret-value-123" },
    });
    expect(right.status).toBe(200);
    const got = await call(emulator(), "GET", "/integrations/put-bedrock");
    expect(got.body.configurations).toEqual({
      aws_auth_type: "accessKey",
      aws_region: "us-east-1",
      masked_aws_access_key_id: expect.stringContaining("*"),
      masked_aws_secret_access_key: expect.stringContaining("*"),
    });
    expect(got.text).not.toContain("secret-value-123");
  });

  test("global workspace access grants every workspace, later ones included; a stored row wins", async () => {
    const before = await workspace("Global before");
    const blocked = await workspace("Global blocked");
    await integration("global-openai");
    await call(emulator(), "PUT", "/integrations/global-openai/workspaces", {
      workspaces: [{ id: blocked.id, enabled: false }],
      global_workspace_access: { enabled: true, usage_limits: [{ credit_limit: 7, type: "cost" }] },
    });
    const after = await workspace("Global after");
    const rows: { id: string; enabled: boolean; usage_limits: { credit_limit: number }[] }[] = (
      await call(emulator(), "GET", "/integrations/global-openai/workspaces")
    ).body.workspaces;
    const row = (slug: string) => rows.find((r) => r.id === slug);
    expect(row(blocked.slug)).toMatchObject({ enabled: false });
    expect(row(before.slug)).toMatchObject({ enabled: true, usage_limits: [expect.objectContaining({ credit_limit: 7 })] });
    expect(row(after.slug)).toMatchObject({ enabled: true });
    const detail = await call(emulator(), "GET", "/integrations/global-openai");
    expect(detail.body.global_workspace_access_settings).toMatchObject({ enabled: true });
    expect(detail.body.workspace_count).toBe(rows.filter((r) => r.enabled).length);
    // Global access creates no default providers.
    expect(Object.values(emulator().state().providers).filter((p) => p.integration_slug === "global-openai")).toEqual([]);

    await call(emulator(), "PUT", "/integrations/global-openai/workspaces", { workspaces: [], global_workspace_access: { enabled: false } });
    const off = (await call(emulator(), "GET", "/integrations/global-openai/workspaces")).body.workspaces;
    expect(off.map((r: { id: string }) => r.id)).toEqual([blocked.slug]);
  });

  test("global_workspace_access_settings is accepted on integration create and update", async () => {
    await integration("global-create", { global_workspace_access_settings: { enabled: true } });
    const ws = await workspace("Global created");
    const rows = (await call(emulator(), "GET", "/integrations/global-create/workspaces")).body.workspaces;
    expect(rows).toContainEqual(expect.objectContaining({ id: ws.slug, enabled: true }));
    await call(emulator(), "PUT", "/integrations/global-create", { global_workspace_access_settings: { enabled: false } });
    expect((await call(emulator(), "GET", "/integrations/global-create/workspaces")).body.workspaces).toEqual([]);
    expect((await integration("global-bad", { global_workspace_access_settings: { usage_limits: [] } })).status).toBe(400);
  });
});

describe("workspaces", () => {
  test("defaults.input_guardrails, output_guardrails and user_api_key_config are stored and returned", async () => {
    const ws = await workspace("Guarded", {
      defaults: { metadata: { team: "a" }, input_guardrails: ["pg-in-1"], output_guardrails: ["pg-out-1", "pg-out-2"], user_api_key_config: "pc-user-1" },
    });
    const got = await call(emulator(), "GET", `/admin/workspaces/${ws.id}`);
    expect(got.body.defaults).toMatchObject({
      metadata: { team: "a" },
      input_guardrails: ["pg-in-1"],
      output_guardrails: ["pg-out-1", "pg-out-2"],
      user_api_key_config: "pc-user-1",
    });
    expect((await call(emulator(), "POST", "/admin/workspaces", { name: "Bad guard", defaults: { input_guardrails: "pg" } })).status).toBe(400);
  });

  test('PUT defaults replaces the whole defaults object by default ("replace")', async () => {
    const ws = await workspace("Replaced", { defaults: { metadata: { team: "a" }, input_guardrails: ["pg-in"], user_api_key_config: "pc-1" } });
    await call(emulator(), "PUT", `/admin/workspaces/${ws.id}`, { defaults: { output_guardrails: ["pg-out"] } });
    const got = await call(emulator(), "GET", `/admin/workspaces/${ws.id}`);
    expect(got.body.defaults).toMatchObject({ metadata: {}, input_guardrails: [], output_guardrails: ["pg-out"], user_api_key_config: null });
    // A PUT without defaults leaves them alone; user_api_key_config: null clears it.
    await call(emulator(), "PUT", `/admin/workspaces/${ws.id}`, { description: "d" });
    expect((await call(emulator(), "GET", `/admin/workspaces/${ws.id}`)).body.defaults.output_guardrails).toEqual(["pg-out"]);
  });

  test('workspaceDefaultsOnPut: "merge" changes only the keys sent', async () => {
    const merging = await startEmulator({ adminKeys: [ADMIN_KEY], workspaceDefaultsOnPut: "merge" });
    try {
      const created = await call(merging, "POST", "/admin/workspaces", { name: "Merged", defaults: { metadata: { team: "a" }, user_api_key_config: "pc-1" } });
      await call(merging, "PUT", `/admin/workspaces/${created.body.id}`, { defaults: { input_guardrails: ["pg-in"] } });
      let got = await call(merging, "GET", `/admin/workspaces/${created.body.id}`);
      expect(got.body.defaults).toMatchObject({ metadata: { team: "a" }, input_guardrails: ["pg-in"], output_guardrails: [], user_api_key_config: "pc-1" });
      await call(merging, "PUT", `/admin/workspaces/${created.body.id}`, { defaults: { user_api_key_config: null } });
      got = await call(merging, "GET", `/admin/workspaces/${created.body.id}`);
      expect(got.body.defaults).toMatchObject({ metadata: { team: "a" }, user_api_key_config: null });
    } finally {
      await merging.stop();
    }
  });

  test("icon: GET returns it (null when none); name is '<icon> <name>', plain only on the single GET with name_format=plain", async () => {
    const ws = await workspace("Iconic", { icon: "🚀" });
    const got = await call(emulator(), "GET", `/admin/workspaces/${ws.id}`);
    expect(got.body).toMatchObject({ icon: "🚀", name: "🚀 Iconic" });
    expect((await call(emulator(), "GET", `/admin/workspaces/${ws.id}?name_format=plain`)).body).toMatchObject({ icon: "🚀", name: "Iconic" });
    // The reference documents name_format for the single GET only.
    const listed = await call(emulator(), "GET", "/admin/workspaces?exact_name=Iconic&name_format=plain");
    expect(listed.body.data[0]).toMatchObject({ icon: "🚀", name: "🚀 Iconic" });
    const plain = await workspace("No icon");
    expect((await call(emulator(), "GET", `/admin/workspaces/${plain.id}`)).body.icon).toBeNull();
    // icon "" clears it and the name prefix.
    await call(emulator(), "PUT", `/admin/workspaces/${ws.id}`, { icon: "" });
    expect((await call(emulator(), "GET", `/admin/workspaces/${ws.id}`)).body).toMatchObject({ icon: null, name: "Iconic" });
  });

  test("rate limits keep only what was sent: no invented type or unit", async () => {
    const ws = await workspace("Value only", { rate_limits: [{ value: 123 }] });
    expect((await call(emulator(), "GET", `/admin/workspaces/${ws.id}`)).body.rate_limits).toEqual([{ type: null, unit: null, value: 123 }]);
  });
});

describe("stale reads after create", () => {
  const stale = useEmulator({ staleReadMs: 400 });

  test("limits set at create can read back empty for the window, then appear (workspaces and API keys)", async () => {
    const ws = await call(stale(), "POST", "/admin/workspaces", { name: "Fresh", rate_limits: [{ type: "requests", unit: "rpm", value: 5 }] });
    expect(ws.body.rate_limits).toEqual([]);
    expect((await call(stale(), "GET", `/admin/workspaces/${ws.body.id}`)).body.rate_limits).toEqual([]);
    const key = await call(stale(), "POST", "/api-keys/organisation/service", { name: "fresh", scopes: ["workspaces.list"], usage_limits: { credit_limit: 5 } });
    expect((await call(stale(), "GET", `/api-keys/${key.body.id}`)).body.usage_limits).toBeNull();
    await new Promise((r) => setTimeout(r, 500));
    expect((await call(stale(), "GET", `/admin/workspaces/${ws.body.id}`)).body.rate_limits).toEqual([{ type: "requests", unit: "rpm", value: 5 }]);
    expect((await call(stale(), "GET", `/api-keys/${key.body.id}`)).body.usage_limits).toMatchObject({ credit_limit: 5 });
  });

  test("staleReadMs defaults to 0: limits read back at once", async () => {
    const ws = await workspace("Immediate", { rate_limits: [{ type: "requests", unit: "rpm", value: 5 }] });
    expect((await call(emulator(), "GET", `/admin/workspaces/${ws.id}`)).body.rate_limits).toHaveLength(1);
  });
});

test("every 200 response conformed to the official OpenAPI document, apart from listed deviations", () => {
  expect(emulator().specViolations()).toEqual([]);
});
