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
