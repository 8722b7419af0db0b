/**
 * Helpers of the "trust" end-to-end suites (issue 11): one emulator per file
 * with both APIs, small stacks that are always destroyed and disposed, the
 * emulator's request log and planned faults, and reading an engine failure.
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { startEmulator } from "../../emulator";
import type { EmulatorOptions, FaultSettings, LoggedRequest, RunningEmulator } from "../../emulator";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, EngineStack, EngineStackOptions, OperationReport, StepReport } from "./harness";

export { ADMIN_KEY, call };
export type { LoggedRequest, RunningEmulator };

export const MANAGEMENT_KEY = "sk-or-mgmt-trust-0123456789abcdef";

export const TYPES = {
  workspace: "pulumi-nodejs:dynamic/portkey:Workspace",
  apiKey: "pulumi-nodejs:dynamic/portkey:ApiKey",
  access: "pulumi-nodejs:dynamic/portkey:IntegrationWorkspaceAccess",
  orWorkspace: "pulumi-nodejs:dynamic/openrouter:Workspace",
  orApiKey: "pulumi-nodejs:dynamic/openrouter:ApiKey",
} as const;

/** Route names, as the emulator's request log and `failNext` spell them. */
export const ROUTES = {
  createWorkspace: "POST /admin/workspaces",
  listWorkspaces: "GET /admin/workspaces",
  getWorkspace: "GET /admin/workspaces/{workspaceId}",
  updateWorkspace: "PUT /admin/workspaces/{workspaceId}",
  createKey: "POST /api-keys/{type}/{sub-type}",
  listKeys: "GET /api-keys",
  updateKey: "PUT /api-keys/{id}",
  deleteKey: "DELETE /api-keys/{id}",
  putAccess: "PUT /integrations/{slug}/workspaces",
  orCreateWorkspace: "POST openrouter /workspaces",
  orUpdateWorkspace: "PATCH openrouter /workspaces/{id}",
  orUpdateKey: "PATCH openrouter /keys/{hash}",
} as const;

/** Starts one emulator (both APIs, response checks on) for the suite. */
export function useTrustEmulator(options: EmulatorOptions = {}): () => RunningEmulator {
  let emulator: RunningEmulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ adminKeys: [ADMIN_KEY], managementKeys: [MANAGEMENT_KEY], checkResponses: true, ...options });
  });
  afterEach(() => {
    if (emulator) clearFaults(emulator);
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  return () => {
    if (!emulator) throw new Error("emulator not started");
    return emulator;
  };
}

const touchedFailRoutes = new Set<string>();
const touchedLatencyRoutes = new Set<string>();

/** Plans faults and per-route latency (remembered, so {@link clearFaults} can undo them). */
export function setFaults(emulator: RunningEmulator, settings: Pick<Partial<FaultSettings>, "failNext" | "routeLatencyMs">): void {
  for (const route of Object.keys(settings.failNext ?? {})) touchedFailRoutes.add(route);
  for (const route of Object.keys(settings.routeLatencyMs ?? {})) touchedLatencyRoutes.add(route);
  emulator.setFaults(settings);
}

/** Removes every fault and latency planned through {@link setFaults}. */
export function clearFaults(emulator: RunningEmulator): void {
  emulator.setFaults({
    failNext: Object.fromEntries([...touchedFailRoutes].map((r) => [r, 0])),
    routeLatencyMs: Object.fromEntries([...touchedLatencyRoutes].map((r) => [r, 0])),
  });
  touchedFailRoutes.clear();
  touchedLatencyRoutes.clear();
}

export function portkeyConfig(emulator: RunningEmulator, apiKey: string = ADMIN_KEY): ConfigMap {
  return {
    "portkey:apiKey": { value: apiKey, secret: true },
    "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
  };
}

export function openrouterConfig(emulator: RunningEmulator): ConfigMap {
  return {
    "openrouter:managementKey": { value: MANAGEMENT_KEY, secret: true },
    "openrouter:baseUrl": { value: emulator.openrouterBaseUrl },
  };
}

/**
 * Runs `body` with a fresh stack, then destroys it (best effort, faults
 * cleared first) and disposes it, whatever happened.
 */
export async function withStack<T>(emulator: RunningEmulator, options: EngineStackOptions, body: (stack: EngineStack) => Promise<T>): Promise<T> {
  const stack = await EngineStack.create(options);
  try {
    return await body(stack);
  } finally {
    clearFaults(emulator);
    try {
      await stack.destroy();
    } catch {
      // Best effort: the test already reported what matters.
    }
    await stack.dispose();
  }
}

/** An engine operation's result, without throwing. `text` is everything the engine printed. */
export type Outcome = { ok: true; report: OperationReport; text: string } | { ok: false; text: string; errors: string[] };

export async function outcome(operation: Promise<OperationReport>): Promise<Outcome> {
  try {
    const report = await operation;
    return { ok: true, report, text: report.stdout };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return { ok: false, text, errors: errorLines(text) };
  }
}

/** Asserts success, showing the engine's error lines when it failed. */
export function expectSucceeded(result: Outcome): asserts result is Extract<Outcome, { ok: true }> {
  expect(result.ok ? "succeeded" : result.errors).toBe("succeeded");
}

/** Asserts failure, showing the output when it succeeded. */
export function expectFailed(result: Outcome): asserts result is Extract<Outcome, { ok: false }> {
  expect(result.ok ? `succeeded:\n${result.text}` : "failed").toBe("failed");
}

/** "resource: error: ..." lines of the Diagnostics section (the generic "update failed" lines left out). */
export function errorLines(text: string): string[] {
  const found: string[] = [];
  let resource = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const header = /^(\S+:\S+) \(([^)]+)\):$/.exec(line);
    if (header) {
      resource = `${header[1]} (${header[2]})`;
      continue;
    }
    if (!/^error:/i.test(line) || /^error: (update|preview|refresh|destroy) failed$/i.test(line)) continue;
    found.push(resource ? `${resource}: ${line}` : line);
  }
  return [...new Set(found)];
}

/** Names of the resources of `type` that the Diagnostics section reports an error for. */
export function failedResources(text: string, type: string): string[] {
  const names = new Set<string>();
  for (const line of errorLines(text)) {
    const match = /^(\S+:\S+) \(([^)]+)\): error:/.exec(line);
    if (match && match[1] === type) names.add(match[2]);
  }
  return [...names].sort();
}

/** Warning lines the engine printed. */
export function warningLines(text: string): string[] {
  return text.split("\n").map((l) => l.trim()).filter((l) => /warning:/i.test(l));
}

/** The request log, optionally only one route's entries, in the order they started. */
export function requests(emulator: RunningEmulator, route?: string): LoggedRequest[] {
  return emulator
    .requestLog()
    .filter((r) => route === undefined || r.route === route)
    .sort((a, b) => a.startedAt - b.startedAt);
}

/** Pairs of requests that were in flight at the same time. */
export function overlaps(entries: LoggedRequest[]): string[] {
  const found: string[] = [];
  const sorted = [...entries].sort((a, b) => a.startedAt - b.startedAt);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const [a, b] = [sorted[i], sorted[j]];
      if (b.startedAt < a.finishedAt && a.startedAt < b.finishedAt) {
        found.push(`${a.method} ${a.path} [${a.startedAt}-${a.finishedAt}] overlaps [${b.startedAt}-${b.finishedAt}]`);
      }
    }
  }
  return found;
}

/** The operations of the steps of one type that are not "same". */
export function changedOps(steps: StepReport[], type?: string): string[] {
  return changedSteps(steps, type).map((s) => s.op);
}

/** Resource name (last URN segment) to id, for one type. */
export async function stateIds(stack: EngineStack, type: string): Promise<Record<string, string>> {
  const state = await stack.exportState();
  return Object.fromEntries(state.resources(type).map((r) => [r.urn.split("::").pop()!, r.id ?? ""]));
}

/** A Portkey workspace made outside Pulumi (a fixture). */
export async function fixtureWorkspace(emulator: RunningEmulator, name: string): Promise<{ id: string; slug: string }> {
  const made = await call(emulator, "POST", "/admin/workspaces", { name });
  expect(made.status).toBe(200);
  return { id: made.body.id, slug: made.body.slug };
}

/** A Portkey integration made outside Pulumi (a fixture). */
export async function fixtureIntegration(emulator: RunningEmulator, slug: string): Promise<void> {
  const made = await call(emulator, "POST", "/integrations", { name: slug, slug, ai_provider_id: "openai", key: "sk-test-fake-key-12345" });
  expect(made.status).toBe(200);
}

/** An organisation service key with only these scopes; its secret can be the provider's admin key. */
export async function limitedAdminKey(emulator: RunningEmulator, name: string, scopes: string[]): Promise<string> {
  const made = await call(emulator, "POST", "/api-keys/organisation/service", { name, scopes });
  expect(made.status).toBe(200);
  return made.body.key as string;
}

/** Live (not deleted) Portkey API keys with this name. */
export function liveKeys(emulator: RunningEmulator, name: string) {
  return Object.values(emulator.state().api_keys).filter((k) => k.name === name && !k.deleted_at);
}

/** Live Portkey workspaces with this (plain) name. */
export function liveWorkspaces(emulator: RunningEmulator, name: string) {
  return Object.values(emulator.state().workspaces).filter((w) => w.name === name && !w.deleted_at);
}

/** Access rows of an integration, keyed by workspace UUID. */
export function accessRows(emulator: RunningEmulator, integrationSlug: string): Record<string, { enabled: boolean }> {
  const integration = emulator.state().integrations[integrationSlug];
  return Object.fromEntries(Object.values(integration?.access ?? {}).map((row) => [row.workspace_id, { enabled: row.enabled }]));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
