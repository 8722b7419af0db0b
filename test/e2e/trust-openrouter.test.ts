/**
 * Issue 11, cases 5 and 7 (OpenRouter): writes send what the user declared
 * or changed, nothing else; `ioLoggingApiKeyIds: []` (log no key) differs
 * from unset (log every key); a 429 on POST or PATCH is retried.
 */
import { openrouter } from "../../sdk";
import type { ApiKeyArgs, WorkspaceArgs } from "../../sdk/openrouter";
import {
  changedOps,
  expectSucceeded,
  openrouterConfig,
  outcome,
  requests,
  ROUTES,
  setFaults,
  stateIds,
  TYPES,
  useTrustEmulator,
  withStack,
} from "./trust-support";

jest.setTimeout(10 * 60_000);

const emulator = useTrustEmulator();

function liveWorkspaces(slug: string) {
  return Object.values(emulator().openrouterState().workspaces).filter((w) => w.slug === slug && !w.deleted_at);
}

function program(workspace: () => WorkspaceArgs, key?: () => Omit<ApiKeyArgs, "workspaceId">) {
  return async () => {
    const ws = new openrouter.Workspace("team", workspace());
    if (key) new openrouter.ApiKey("key", { ...key(), workspaceId: ws.id });
  };
}

test("5c: a workspace created with only name and slug is POSTed with only those; a description change PATCHes only it", async () => {
  let args: WorkspaceArgs = { name: "Lean 5c", slug: "lean-5c" };
  await withStack(emulator(), { projectName: "trust-5c", program: program(() => args), config: openrouterConfig(emulator()) }, async (stack) => {
    emulator().clearRequestLog();
    await stack.up();
    expect(requests(emulator(), ROUTES.orCreateWorkspace).map((r) => r.body)).toEqual([{ name: "Lean 5c", slug: "lean-5c" }]);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);

    args = { ...args, description: "About 5c" };
    emulator().clearRequestLog();
    await stack.up();
    expect(requests(emulator(), ROUTES.orUpdateWorkspace).map((r) => r.body)).toEqual([{ description: "About 5c" }]);
    expect(liveWorkspaces("lean-5c")).toEqual([expect.objectContaining({ description: "About 5c", is_data_discount_logging_enabled: false })]);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);
  });
});

test("5e: ioLoggingApiKeyIds [] (log no key) and unset (log every key) differ: the change is previewed and applied", async () => {
  let args: WorkspaceArgs = { name: "Io 5e", slug: "io-5e", ioLoggingApiKeyIds: [] };
  await withStack(emulator(), { projectName: "trust-5e", program: program(() => args), config: openrouterConfig(emulator()) }, async (stack) => {
    await stack.up();
    expect(liveWorkspaces("io-5e")[0].io_logging_api_key_ids).toEqual([]);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);

    args = { name: "Io 5e", slug: "io-5e" };
    const preview = await stack.preview();
    expect(changedOps(preview.steps)).toEqual(["update"]);
    expect(preview.diffText).toMatch(/^\s*[-~]\s*ioLoggingApiKeyIds/m);
    await stack.up();
    expect(liveWorkspaces("io-5e")[0].io_logging_api_key_ids).toBeNull();
    expect(changedOps((await stack.preview()).steps)).toEqual([]);

    args = { ...args, ioLoggingApiKeyIds: [] };
    expect(changedOps((await stack.preview()).steps)).toEqual(["update"]);
    await stack.up();
    expect(liveWorkspaces("io-5e")[0].io_logging_api_key_ids).toEqual([]);
  });
});

test("7: a 429 on a workspace create is retried: the up succeeds with one workspace", async () => {
  await withStack(emulator(), { projectName: "trust-7a", program: program(() => ({ name: "Rate 7a", slug: "rate-7a" })), config: openrouterConfig(emulator()) }, async (stack) => {
    setFaults(emulator(), { failNext: { [ROUTES.orCreateWorkspace]: { times: 1, fault: "rate-limited" } } });
    emulator().clearRequestLog();
    const result = await outcome(stack.up());
    expect(requests(emulator(), ROUTES.orCreateWorkspace).map((r) => r.status)).toEqual([429, 201]);
    expectSucceeded(result);
    expect(liveWorkspaces("rate-7a").map((w) => w.id)).toEqual([(await stateIds(stack, TYPES.orWorkspace)).team]);
  });
});

test("7: a 429 on an API key PATCH is retried: the update succeeds", async () => {
  let limit = 5;
  const keyArgs = () => ({ name: "rate-7b", limit });
  await withStack(emulator(), { projectName: "trust-7b", program: program(() => ({ name: "Rate 7b", slug: "rate-7b" }), keyArgs), config: openrouterConfig(emulator()) }, async (stack) => {
    await stack.up();
    const hash = (await stateIds(stack, TYPES.orApiKey)).key;
    limit = 10;
    setFaults(emulator(), { failNext: { [ROUTES.orUpdateKey]: { times: 1, fault: "rate-limited" } } });
    emulator().clearRequestLog();
    const result = await outcome(stack.up());
    expect(requests(emulator(), ROUTES.orUpdateKey).map((r) => r.status)).toEqual([429, 200]);
    expectSucceeded(result);
    expect(emulator().openrouterState().keys[hash].limit).toBe(10);
    expect(changedOps((await stack.preview()).steps)).toEqual([]);
  });
});
