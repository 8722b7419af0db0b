/** The emulator's OpenRouter endpoints: behaviours, and conformance with the official @openrouter/sdk. */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { useEmulator } from "../../support/emulator";

const MANAGEMENT_KEY = "sk-or-mgmt-test-0123456789";
const emulator = useEmulator({ managementKeys: [MANAGEMENT_KEY] });

async function call(method: string, route: string, body?: unknown, key: string | null = MANAGEMENT_KEY) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${emulator().openrouterBaseUrl}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

test("the official SDK's workspace and key calls work against the emulator", async () => {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [path.resolve(__dirname, "../../support/openrouter-conformance.mjs")],
      { env: { ...process.env, OPENROUTER_KEY_UNDER_TEST: MANAGEMENT_KEY, OPENROUTER_URL_UNDER_TEST: emulator().openrouterBaseUrl }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  expect(JSON.parse(output)).toEqual({
    created: { slug: "sdk-team", rate: 0.5, sort: "price", updatedAt: null },
    getBySlug: true,
    updated: { slug: "sdk-team-renamed", description: null, broadcast: true },
    pages: [["default"], ["sdk-team-renamed"], []], // the SDK stops after a short page
    key: { secretPrefix: "sk-or-v1-", hashLength: 64, limit: 10, reset: "monthly" },
    patched: { disabled: true, limit: null },
    listed: ["sdk-key"],
    deleteWithKeys: "BadRequestResponseError",
    keyDeleted: true,
    workspaceDeleted: true,
    afterDelete: "NotFoundResponseError",
  });
});

test("errors use OpenRouter's envelope with the status as code", async () => {
  expect(await call("GET", "/workspaces/nope")).toEqual({ status: 404, body: { error: { code: 404, message: "Workspace not found" } } });
  expect((await call("GET", "/workspaces", undefined, null)).status).toBe(401);
  expect((await call("POST", "/workspaces", { name: "Bad", slug: "Bad Slug" })).body.error.code).toBe(400);
});

test("inference keys cannot use management endpoints (403)", async () => {
  const created = await call("POST", "/keys", { name: "inference" });
  expect(created.status).toBe(201);
  const denied = await call("GET", "/workspaces", undefined, created.body.key);
  expect(denied).toEqual({ status: 403, body: { error: { code: 403, message: "Only management keys can perform this operation" } } });
});

test("keys: create-only fields are refused on PATCH; expires_at must be UTC with seconds", async () => {
  const created = await call("POST", "/keys", { name: "fixed" });
  expect((await call("PATCH", `/keys/${created.body.data.hash}`, { expires_at: "2099-01-01T00:00:00Z" })).status).toBe(400);
  expect((await call("POST", "/keys", { name: "x", expires_at: "2099-01-01T00:00Z" })).status).toBe(400);
  expect((await call("POST", "/keys", { name: "x", expires_at: "2099-01-01T00:00:00+02:00" })).status).toBe(400);
  expect((await call("POST", "/keys", { name: "x", expires_at: "2099-01-01T00:00:00Z" })).status).toBe(201);
});

test("the default workspace needs the explicit confirmation to be deleted", async () => {
  const list = await call("GET", "/workspaces");
  const defaultWorkspace = list.body.data.find((w: { slug: string }) => w.slug === "default");
  for (const key of (await call("GET", "/keys?include_disabled=true")).body.data) await call("DELETE", `/keys/${key.hash}`);
  expect((await call("DELETE", `/workspaces/${defaultWorkspace.id}`)).status).toBe(403);
  expect(await call("DELETE", `/workspaces/${defaultWorkspace.id}?confirm_default_workspace_deletion=true`)).toEqual({ status: 200, body: { deleted: true } });
});

describe("fidelity to the documents (openrouter-api.md)", () => {
  // The default workspace is gone (deleted above), so keys name their workspace.
  let home = "";
  beforeAll(async () => {
    home = (await call("POST", "/workspaces", { name: "Home", slug: "home" })).body.data.id;
  });
  test("workspace responses carry include_byok_in_budgets, created_by and disabled_server_tools", async () => {
    const created = await call("POST", "/workspaces", { name: "Fields", slug: "fields" });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ include_byok_in_budgets: false, created_by: null, disabled_server_tools: null });
    const got = await call("GET", "/workspaces/fields");
    expect(got.body.data).toMatchObject({ include_byok_in_budgets: false, created_by: null, disabled_server_tools: null });
    const listed = await call("GET", "/workspaces");
    for (const w of listed.body.data) expect(w).toHaveProperty("disabled_server_tools");
  });

  test("disabled_server_tools: a list (open enum) or null, on create and PATCH", async () => {
    const created = await call("POST", "/workspaces", { name: "Tools", slug: "tools", disabled_server_tools: ["openrouter:web_search", "openrouter:some_future_tool"] });
    expect(created.body.data.disabled_server_tools).toEqual(["openrouter:web_search", "openrouter:some_future_tool"]);
    const patched = await call("PATCH", "/workspaces/tools", { disabled_server_tools: ["openrouter:bash"] });
    expect(patched.body.data.disabled_server_tools).toEqual(["openrouter:bash"]);
    const cleared = await call("PATCH", "/workspaces/tools", { disabled_server_tools: null });
    expect(cleared.body.data.disabled_server_tools).toBeNull();
    expect((await call("PATCH", "/workspaces/tools", { disabled_server_tools: "openrouter:bash" })).status).toBe(400);
    expect((await call("PATCH", "/workspaces/tools", { disabled_server_tools: [1] })).status).toBe(400);
  });

  test("only documented bounds are enforced", async () => {
    const long = "x".repeat(300);
    const created = await call("POST", "/workspaces", {
      name: "Bounds",
      slug: "bounds",
      default_text_model: long,
      default_image_model: long,
      default_provider_sort: "some-future-sort",
    });
    expect(created.status).toBe(201);
    expect((await call("POST", "/keys", { name: "k".repeat(2000), workspace_id: home })).status).toBe(201);
    // Documented: name 1-100, slug 1-50 and its pattern, description <= 500, sampling rate 0.0001-1.
    for (const body of [
      { name: "n".repeat(101), slug: "b1" },
      { name: "B", slug: "s".repeat(51) },
      { name: "B", slug: "b2", description: "d".repeat(501) },
      { name: "B", slug: "b3", io_logging_sampling_rate: 0 },
      { name: "", slug: "b4" },
    ]) {
      expect((await call("POST", "/workspaces", body)).status).toBe(400);
    }
    expect((await call("POST", "/keys", { name: "", workspace_id: home })).status).toBe(400);
  });

  test("key create takes creator_user_id and external { user, api_key }; api_key is never returned; both are create-only", async () => {
    const apiKey = "partner-key-with-enough-characters-0123456789";
    const created = await call("POST", "/keys", { name: "attributed", workspace_id: home, creator_user_id: "user_2abc", external: { user: "end-user-42", api_key: apiKey } });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ creator_user_id: "user_2abc", external_user: "end-user-42" });
    const hash = created.body.data.hash;
    const got = await call("GET", `/keys/${hash}`);
    expect(got.body.data).toMatchObject({ creator_user_id: "user_2abc", external_user: "end-user-42" });
    expect(JSON.stringify([created.body, got.body])).not.toContain(apiKey);
    const plain = await call("POST", "/keys", { name: "plain", workspace_id: home });
    expect(plain.body.data).toMatchObject({ creator_user_id: null, external_user: null });
    expect((await call("POST", "/keys", { name: "x", workspace_id: home, creator_user_id: null })).status).toBe(201);

    for (const body of [
      { name: "x", creator_user_id: "" },
      { name: "x", external: { api_key: apiKey } },
      { name: "x", external: { user: "u", api_key: "too-short" } },
      { name: "x", external: "u" },
    ]) {
      expect((await call("POST", "/keys", { ...body, workspace_id: home })).status).toBe(400);
    }
    expect((await call("PATCH", `/keys/${hash}`, { creator_user_id: "user_other" })).status).toBe(400);
    expect((await call("PATCH", `/keys/${hash}`, { external: { user: "other" } })).status).toBe(400);
  });

  test("choice: a workspace holding only disabled keys cannot be deleted either", async () => {
    const ws = await call("POST", "/workspaces", { name: "Disabled only", slug: "disabled-only" });
    const key = await call("POST", "/keys", { name: "off", workspace_id: ws.body.data.id });
    await call("PATCH", `/keys/${key.body.data.hash}`, { disabled: true });
    const refused = await call("DELETE", "/workspaces/disabled-only");
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain("disabled");
    await call("DELETE", `/keys/${key.body.data.hash}`);
    expect(await call("DELETE", "/workspaces/disabled-only")).toEqual({ status: 200, body: { deleted: true } });
  });
});
