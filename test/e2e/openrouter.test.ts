/**
 * OpenRouter Workspace and ApiKey through the real engine against the emulator:
 * create, no-op preview, each field changed and cleared, slug renamed in place,
 * drift repaired, out-of-band delete, replacement, a key moved between
 * workspaces, destroy; invalid slug at
 * preview; the plaintext key never in state.
 */
import type * as pulumi from "@pulumi/pulumi";
import { openrouter, resourceType, stackEnv } from "./flavour";
import type { ApiKeyArgs, WorkspaceArgs } from "../../sdk/openrouter";
import { RunningEmulator, startEmulator } from "../../emulator";
import { changedSteps, EngineStack, useEngineStack } from "./harness";

jest.setTimeout(10 * 60_000);

const MANAGEMENT_KEY = "sk-or-mgmt-e2e-0123456789abcdef";
const WORKSPACE = resourceType("openrouter", "Workspace");
const API_KEY = resourceType("openrouter", "ApiKey");
let emulator: RunningEmulator;
let workspaceArgs: WorkspaceArgs;
let keyArgs: ((workspaceId: pulumi.Output<string>) => ApiKeyArgs) | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: ["unused-portkey-key"], managementKeys: [MANAGEMENT_KEY] });
});
afterAll(async () => emulator?.stop());

const engine = useEngineStack(() => ({
  projectName: "openrouter",
  env: stackEnv,
  program: async () => {
    const ws = new openrouter.Workspace("team", workspaceArgs);
    const outputs: Record<string, unknown> = { workspaceId: ws.workspaceId, slug: ws.slug };
    if (keyArgs) {
      const key = new openrouter.ApiKey("ci", keyArgs(ws.id));
      outputs.key = key.key;
      outputs.hash = key.hash;
    }
    return outputs;
  },
  config: {
    "openrouter:managementKey": { value: MANAGEMENT_KEY, secret: true },
    "openrouter:baseUrl": { value: emulator.openrouterBaseUrl },
  },
}));

function remoteWorkspaces() {
  return Object.values(emulator.openrouterState().workspaces).filter((w) => !w.deleted_at && !w.is_default);
}
function remoteKeys() {
  return Object.values(emulator.openrouterState().keys).filter((k) => !k.deleted_at);
}
async function expectNoChanges() {
  const preview = await engine().preview();
  expect(changedSteps(preview.steps)).toEqual([]);
}

test("creates a workspace; a second preview is clean", async () => {
  workspaceArgs = { name: "Research", slug: "research", description: "Model research", defaultProviderSort: "price", ioLoggingSamplingRate: 0.25 };
  const result = await engine().up();
  expect(changedSteps(result.steps, WORKSPACE).map((s) => s.op)).toEqual(["create"]);
  expect(remoteWorkspaces()).toEqual([
    expect.objectContaining({ name: "Research", slug: "research", description: "Model research", default_provider_sort: "price", io_logging_sampling_rate: 0.25 }),
  ]);
  expect(result.outputs.workspaceId.value).toBe(remoteWorkspaces()[0].id);
  await expectNoChanges();
});

test("every field changes in place, the slug included", async () => {
  const id = remoteWorkspaces()[0].id;
  workspaceArgs = {
    name: "Research EU",
    slug: "research-eu",
    description: "Model research (EU)",
    defaultTextModel: "openai/gpt-4o",
    defaultImageModel: "openai/dall-e-3",
    defaultProviderSort: "latency",
    ioLoggingApiKeyIds: [1, 2],
    ioLoggingSamplingRate: 0.5,
    isDataDiscountLoggingEnabled: true,
    isObservabilityBroadcastEnabled: true,
    isObservabilityIoLoggingEnabled: true,
  };
  const preview = await engine().preview();
  expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
  await engine().up();
  await expectNoChanges();
  expect(remoteWorkspaces()).toEqual([
    expect.objectContaining({
      id,
      name: "Research EU",
      slug: "research-eu",
      default_text_model: "openai/gpt-4o",
      default_image_model: "openai/dall-e-3",
      default_provider_sort: "latency",
      io_logging_api_key_ids: [1, 2],
      io_logging_sampling_rate: 0.5,
      is_data_discount_logging_enabled: true,
      is_observability_broadcast_enabled: true,
      is_observability_io_logging_enabled: true,
    }),
  ]);
});

test("removing the optional fields clears them", async () => {
  workspaceArgs = { name: "Research EU", slug: "research-eu" };
  await engine().up();
  await expectNoChanges();
  expect(remoteWorkspaces()[0]).toMatchObject({
    description: null,
    default_text_model: null,
    default_image_model: null,
    default_provider_sort: null,
    io_logging_api_key_ids: null,
    io_logging_sampling_rate: 1,
    is_data_discount_logging_enabled: false,
    is_observability_broadcast_enabled: false,
    is_observability_io_logging_enabled: false,
  });
});

test("an invalid slug fails at preview naming the property", async () => {
  const valid = workspaceArgs;
  try {
    workspaceArgs = { name: "Bad", slug: "Bad_Slug" };
    await expect(engine().preview()).rejects.toThrow(/slug: must be lowercase letters and digits/);
    workspaceArgs = { name: "Bad", slug: "ok", ioLoggingSamplingRate: 2 };
    await expect(engine().preview()).rejects.toThrow(/ioLoggingSamplingRate: must be at most 1/);
  } finally {
    workspaceArgs = valid;
  }
});

test("a key is created in the workspace, disabled right after creation, its secret encrypted in state", async () => {
  keyArgs = (workspaceId) => ({ name: "ci", limit: 25, limitReset: "monthly", disabled: true, workspaceId });
  const result = await engine().up();
  expect(changedSteps(result.steps, API_KEY).map((s) => s.op)).toEqual(["create"]);
  const [key] = remoteKeys();
  expect(key).toMatchObject({ name: "ci", limit: 25, limit_reset: "monthly", disabled: true, workspace_id: remoteWorkspaces()[0].id });
  expect(result.outputs.key).toEqual({ value: key.secret, secret: true });
  expect(result.outputs.hash.value).toBe(key.hash);
  const state = await engine().exportState();
  expect(state.resource(API_KEY, "ci")?.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });
  expect(state.text).not.toContain(key.secret);
  expect(engine().backendFilesText()).not.toContain(key.secret);
  expect(engine().log.join("\n")).not.toContain(key.secret);
  await expectNoChanges();
});

test("key fields update in place and clear", async () => {
  const hash = remoteKeys()[0].hash;
  keyArgs = (workspaceId) => ({ name: "ci-bot", limit: 40, limitReset: "weekly", includeByokInLimit: true, workspaceId });
  await engine().up();
  await expectNoChanges();
  expect(remoteKeys()).toEqual([expect.objectContaining({ hash, name: "ci-bot", limit: 40, limit_reset: "weekly", include_byok_in_limit: true, disabled: false })]);
  keyArgs = (workspaceId) => ({ name: "ci-bot", workspaceId });
  await engine().up();
  await expectNoChanges();
  expect(remoteKeys()[0]).toMatchObject({ hash, limit: null, limit_reset: null, include_byok_in_limit: false });
});

test("out-of-band edits show after refresh and up repairs them", async () => {
  const hash = remoteKeys()[0].hash;
  const workspaceId = remoteWorkspaces()[0].id;
  const headers = { authorization: `Bearer ${MANAGEMENT_KEY}`, "content-type": "application/json" };
  await fetch(`${emulator.openrouterBaseUrl}/keys/${hash}`, { method: "PATCH", headers, body: JSON.stringify({ limit: 1, disabled: true }) });
  await fetch(`${emulator.openrouterBaseUrl}/workspaces/${workspaceId}`, { method: "PATCH", headers, body: JSON.stringify({ description: "edited" }) });
  await engine().refresh();
  const preview = await engine().preview();
  expect(changedSteps(preview.steps).map((s) => s.op).sort()).toEqual(["update", "update"]);
  await engine().up();
  await expectNoChanges();
  expect(remoteKeys()[0]).toMatchObject({ limit: null, disabled: false });
  expect(remoteWorkspaces()[0].description).toBeNull();
});

test("expiresAt replaces the key: the old one is deleted, a new secret exported", async () => {
  const old = remoteKeys()[0];
  const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
  keyArgs = (workspaceId) => ({ name: "ci-bot", expiresAt: expires, workspaceId });
  const preview = await engine().preview();
  expect(changedSteps(preview.steps, API_KEY).map((s) => s.op)).toContain("replace");
  const result = await engine().up();
  const [fresh] = remoteKeys();
  expect(fresh.hash).not.toBe(old.hash);
  expect(fresh.expires_at).toBe(expires);
  expect(emulator.openrouterState().keys[old.hash].deleted_at).not.toBeNull();
  expect(result.outputs.key.value).toBe(fresh.secret);
  await expectNoChanges();
});

test("a new workspaceId moves the key in place (same hash and secret); removing it replaces the key in the default workspace", async () => {
  const headers = { authorization: `Bearer ${MANAGEMENT_KEY}`, "content-type": "application/json" };
  const made = await fetch(`${emulator.openrouterBaseUrl}/workspaces`, { method: "POST", headers, body: JSON.stringify({ name: "Elsewhere", slug: "elsewhere" }) });
  const elsewhere = ((await made.json()) as { data: { id: string } }).data.id;
  const before = remoteKeys()[0];
  const home = before.workspace_id;
  // As the previous test left it, but for the workspace.
  const expiresAt = before.expires_at!;
  keyArgs = () => ({ name: "ci-bot", expiresAt, workspaceId: elsewhere });
  const preview = await engine().preview();
  expect(changedSteps(preview.steps, API_KEY).map((s) => s.op)).toEqual(["update"]);
  const moved = await engine().up();
  expect(remoteKeys()).toEqual([expect.objectContaining({ hash: before.hash, secret: before.secret, workspace_id: elsewhere })]);
  expect(moved.outputs.key.value).toBe(before.secret);
  const moves = emulator.requestLog().filter((r) => r.route === "PATCH openrouter /keys/{hash}" && (r.body as { workspace_id?: string })?.workspace_id === elsewhere);
  expect(moves).toHaveLength(1);
  await expectNoChanges();

  keyArgs = () => ({ name: "ci-bot", expiresAt });
  const removal = await engine().preview();
  expect(changedSteps(removal.steps, API_KEY).map((s) => s.op)).toContain("replace");
  await engine().up();
  const defaultWorkspace = Object.values(emulator.openrouterState().workspaces).find((w) => w.is_default)!;
  const [fresh] = remoteKeys();
  expect(fresh.hash).not.toBe(before.hash);
  expect(fresh.workspace_id).toBe(defaultWorkspace.id);

  keyArgs = (workspaceId) => ({ name: "ci-bot", expiresAt, workspaceId });
  await engine().up();
  expect(remoteKeys()).toEqual([expect.objectContaining({ hash: fresh.hash, workspace_id: home })]);
  await expectNoChanges();
  expect((await fetch(`${emulator.openrouterBaseUrl}/workspaces/${elsewhere}`, { method: "DELETE", headers })).status).toBe(200);
});

test("deleting a workspace that still holds keys is refused with a clear message", async () => {
  const workspaceId = remoteWorkspaces()[0].id;
  const headers = { authorization: `Bearer ${MANAGEMENT_KEY}`, "content-type": "application/json" };
  const manual = await fetch(`${emulator.openrouterBaseUrl}/keys`, { method: "POST", headers, body: JSON.stringify({ name: "made-by-hand", workspace_id: workspaceId }) });
  const hash = ((await manual.json()) as { data: { hash: string } }).data.hash;
  await expect(engine().destroy()).rejects.toThrow(/made-by-hand.*Delete its API keys first/s);
  await fetch(`${emulator.openrouterBaseUrl}/keys/${hash}`, { method: "DELETE", headers });
});

test("an out-of-band delete drops the key on refresh and up recreates it", async () => {
  // The refused destroy above had already deleted the managed key; up brings it back.
  const back = await engine().up();
  expect(changedSteps(back.steps, API_KEY).map((s) => s.op)).toEqual(["create"]);
  const [key] = remoteKeys();
  await fetch(`${emulator.openrouterBaseUrl}/keys/${key.hash}`, { method: "DELETE", headers: { authorization: `Bearer ${MANAGEMENT_KEY}` } });
  const again = await engine().refresh();
  expect(again.changeSummary.delete).toBe(1);
  await engine().up();
  expect(remoteKeys()).toHaveLength(1);
  expect(remoteKeys()[0].hash).not.toBe(key.hash);
});

test("destroy removes key and workspace", async () => {
  await engine().destroy();
  expect(remoteKeys()).toEqual([]);
  expect(remoteWorkspaces()).toEqual([]);
});

test("an out-of-band workspace delete drops it on refresh and up recreates it", async () => {
  keyArgs = undefined;
  await engine().up();
  const [old] = remoteWorkspaces();
  await fetch(`${emulator.openrouterBaseUrl}/workspaces/${old.id}`, { method: "DELETE", headers: { authorization: `Bearer ${MANAGEMENT_KEY}` } });
  const refreshed = await engine().refresh();
  expect(refreshed.changeSummary.delete).toBe(1);
  const result = await engine().up();
  expect(changedSteps(result.steps, WORKSPACE).map((s) => s.op)).toEqual(["create"]);
  expect(remoteWorkspaces()).toHaveLength(1);
  expect(remoteWorkspaces()[0].id).not.toBe(old.id);
  await engine().destroy();
  expect(remoteWorkspaces()).toEqual([]);
});

test("the default workspace is only deleted with the explicit opt-in", async () => {
  const defaultWorkspace = Object.values(emulator.openrouterState().workspaces).find((w) => w.is_default)!;
  const stack = await EngineStack.create({
    projectName: "openrouter-default",
    env: stackEnv,
    program: async () => {
      new openrouter.Workspace("default", { name: "Default", slug: "default-renamed", allowDefaultWorkspaceDeletion: optIn });
    },
    config: {
      "openrouter:managementKey": { value: MANAGEMENT_KEY, secret: true },
      "openrouter:baseUrl": { value: emulator.openrouterBaseUrl },
    },
  });
  // Manage a fresh workspace as if it were the default: flip the emulator's flag on it after creation.
  let optIn = false;
  try {
    await stack.up();
    const managed = remoteWorkspaces().find((w) => w.slug === "default-renamed")!;
    defaultWorkspace.is_default = false;
    managed.is_default = true;
    await expect(stack.destroy()).rejects.toThrow(/allowDefaultWorkspaceDeletion: true/);
    optIn = true;
    await stack.up();
    await stack.destroy();
    expect(emulator.openrouterState().workspaces[managed.id].deleted_at).not.toBeNull();
  } finally {
    await stack.dispose();
  }
});
