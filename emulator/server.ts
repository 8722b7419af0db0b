/**
 * The emulator's HTTP server: Portkey's admin API under /v1, control endpoints
 * under /_emulator, bound to loopback only. Usable in-process (tests start it
 * on port 0) or from the command line (./cli.ts).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { EmulatedApiError, portkeyError } from "./errors";
import { emptyOpenRouterState, OpenRouterApi, OpenRouterPrincipal, OpenRouterState } from "./openrouter";
import { PortkeyApi, PortkeyPrincipal } from "./portkey";
import { emptyPortkeyState, PortkeyState } from "./portkey-state";
import { SeededRandom } from "./random";
import { Router } from "./router";
import { isKnownResponseDeviation, PortkeySpec } from "./spec";

export interface FaultSettings {
  /** Probability that a /v1 request fails on purpose (0 to 1). */
  faultRate: number;
  /**
   * Deterministic failures: the next N requests of a route ("GET /api-keys/{id}")
   * answer 503 before doing anything.
   */
  failNext: Record<string, number>;
  /** Delay added to every /v1 request. */
  latencyMs: number;
  /** Seed of the fault sequence, so a run can be repeated. */
  seed: number;
}

export interface EmulatorOptions extends Partial<FaultSettings> {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Portkey admin keys that authenticate as the organisation owner. */
  adminKeys?: string[];
  /** OpenRouter management keys (bearer); the admin keys when not given. */
  managementKeys?: string[];
  /** Where to persist state (atomically, after every write); in memory when absent. */
  stateFile?: string;
  /** How long limits read back stale after a write (default 0). */
  staleReadMs?: number;
  /** Whether `[]` clears limits like `null` (default true). */
  emptyArrayClearsLimits?: boolean;
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
  /** Check every 200 response against the official document and record violations. */
  checkResponses?: boolean;
}

/** One response that did not conform to the official document. */
export interface SpecViolation {
  route: string;
  problems: string[];
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:4010 */
  url: string;
  /** The Portkey base URL to configure: `${url}/v1`. */
  portkeyBaseUrl: string;
  /** The OpenRouter base URL to configure: `${url}/api/v1`. */
  openrouterBaseUrl: string;
  port: number;
  /** Requests served per route ("GET /admin/workspaces/{workspaceId}"). */
  requestCounts(): Record<string, number>;
  resetRequestCounts(): void;
  specViolations(): SpecViolation[];
  setFaults(settings: Partial<FaultSettings>): void;
  state(): PortkeyState;
  openrouterState(): OpenRouterState;
  stop(): Promise<void>;
}

interface PersistedState {
  version: 1;
  portkey: PortkeyState;
  openrouter: OpenRouterState;
}

/** One vendor API served under a path prefix, with its own auth and error envelope. */
interface ApiMount {
  prefix: string;
  /** Put in front of route names in request counts ("" for Portkey). */
  countLabel: string;
  match(method: string, path: string): ReturnType<Router<unknown>["match"]>;
  authenticate(req: http.IncomingMessage, now: Date): unknown;
  envelope(error: EmulatedApiError): string;
  checkResponses: boolean;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const adminKeys = options.adminKeys ?? [];
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const faults: FaultSettings = {
    faultRate: options.faultRate ?? 0,
    latencyMs: options.latencyMs ?? 0,
    seed: options.seed ?? 1,
    failNext: { ...options.failNext },
  };
  let random = new SeededRandom(faults.seed);
  const spec = new PortkeySpec();
  const counts = new Map<string, number>();
  const violations: SpecViolation[] = [];

  let state: PersistedState = loadState(options.stateFile);
  const portkey = new PortkeyApi(() => state.portkey, spec, {
    staleReadMs: options.staleReadMs ?? 0,
    emptyArrayClearsLimits: options.emptyArrayClearsLimits ?? true,
  });
  const router = new Router<PortkeyPrincipal>();
  portkey.register(router);
  const openrouter = new OpenRouterApi(() => state.openrouter);
  const openrouterRouter = new Router<OpenRouterPrincipal>();
  openrouter.register(openrouterRouter);
  const managementKeys = options.managementKeys ?? adminKeys;
  const mounts: ApiMount[] = [
    {
      prefix: "/v1",
      countLabel: "",
      match: (method, path) => router.match(method, path) as ReturnType<Router<unknown>["match"]>,
      authenticate: (req, now) => portkey.authenticate(header(req, "x-portkey-api-key"), adminKeys, now),
      envelope: portkeyEnvelope,
      checkResponses: options.checkResponses === true,
    },
    {
      prefix: "/api/v1",
      countLabel: "openrouter ",
      match: (method, path) => openrouterRouter.match(method, path) as ReturnType<Router<unknown>["match"]>,
      authenticate: (req) => openrouter.authenticate(header(req, "authorization"), managementKeys),
      envelope: openrouterEnvelope,
      checkResponses: false,
    },
  ];
  const mountOf = (pathname: string) => mounts.find((m) => pathname.startsWith(`${m.prefix}/`));

  const persist = () => {
    if (!options.stateFile) return;
    const tmp = `${options.stateFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, options.stateFile);
  };

  const server = http.createServer((req, res) => {
    readBody(req, maxBodyBytes)
      .then((raw) => handle(req, res, raw))
      .catch((error: unknown) => {
        const apiError = error instanceof EmulatedApiError ? error : portkeyError("AB04", "Internal server error");
        const mount = mountOf(new URL(req.url ?? "/", "http://emulator").pathname) ?? mounts[0];
        send(res, apiError.status, mount.envelope(apiError), apiError.headers);
      });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer | "too-large"): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    if (url.pathname.startsWith("/_emulator/")) return control(method, url.pathname, raw, res);
    const mount = mountOf(url.pathname);
    if (!mount) throw portkeyError("AB08", `Route not found: ${method} ${url.pathname}`);
    if (raw === "too-large") throw new EmulatedApiError(413, "AB01", `Request body larger than ${maxBodyBytes} bytes`);
    const path = url.pathname.slice(mount.prefix.length);
    const matched = mount.match(method, path);
    if (matched === undefined) throw portkeyError("AB08", `Route not found: ${method} ${url.pathname}`);
    if (matched === "wrong-method") throw new EmulatedApiError(405, "AB01", `Method ${method} is not allowed on ${url.pathname}`);
    const routeName = `${method} ${mount.countLabel}${matched.route.template}`;
    counts.set(routeName, (counts.get(routeName) ?? 0) + 1);

    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if ((faults.failNext[routeName] ?? 0) > 0) {
      faults.failNext[routeName] -= 1;
      throw new EmulatedApiError(503, "AB04", "Service temporarily unavailable (injected)");
    }
    let dropAfterCommit = false;
    if (faults.faultRate > 0 && random.next() < faults.faultRate) {
      const kind = random.below(4);
      if (kind === 0) throw new EmulatedApiError(429, "AB06", "Rate limit exceeded", { "retry-after": "1" });
      if (kind === 1) throw new EmulatedApiError(503, "AB04", "Service temporarily unavailable");
      if (kind === 2) throw portkeyError("AB04", "Internal server error");
      if (matched.route.writes) dropAfterCommit = true;
      else throw new EmulatedApiError(502, "AB04", "Bad gateway");
    }

    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        throw portkeyError("AB01", "Invalid request. The body is not valid JSON.");
      }
    }
    const now = new Date();
    const principal = mount.authenticate(req, now);
    // Work on a copy so a handler that throws half-way leaves the state untouched.
    const before = matched.route.writes ? structuredClone(state) : undefined;
    let result;
    try {
      result = matched.route.handler({ method, template: matched.route.template, params: matched.params, query: url.searchParams, body, principal, now });
    } catch (error) {
      if (before) state = before;
      throw error;
    }
    if (matched.route.writes) persist();
    if (dropAfterCommit) {
      res.socket?.destroy();
      return;
    }
    const status = result.status ?? 200;
    if (mount.checkResponses && status === 200) {
      const problems = spec.checkResponse(method, matched.route.template, result.body).filter((p) => !isKnownResponseDeviation(routeName, p));
      if (problems.length > 0) violations.push({ route: routeName, problems });
    }
    send(res, status, result.rawJson ?? JSON.stringify(result.body), { "x-portkey-request-id": randomUUID() });
  }

  function control(method: string, pathname: string, raw: Buffer | "too-large", res: http.ServerResponse): void {
    const route = `${method} ${pathname.replace(/\/+$/, "")}`;
    const json = (value: unknown) => send(res, 200, JSON.stringify(value));
    const input = (): Record<string, unknown> => (raw === "too-large" || raw.length === 0 ? {} : JSON.parse(raw.toString("utf8")));
    if (route === "POST /_emulator/reset") {
      state = { version: 1, portkey: emptyPortkeyState(state.portkey.organisation_id), openrouter: emptyOpenRouterState() };
      counts.clear();
      violations.length = 0;
      persist();
      return json({ reset: true });
    }
    if (route === "GET /_emulator/state") return json(state);
    if (route === "GET /_emulator/requests") return json({ counts: Object.fromEntries(counts), total: sum(counts) });
    if (route === "DELETE /_emulator/requests") {
      counts.clear();
      return json({ reset: true });
    }
    if (route === "GET /_emulator/spec-violations") return json(violations);
    if (route === "PUT /_emulator/faults") {
      setFaults(input() as Partial<FaultSettings>);
      return json(faults);
    }
    const rotation = /^POST \/_emulator\/portkey\/api-keys\/([^/]+)\/scheduled-rotation$/.exec(route);
    if (rotation) {
      portkey.forceScheduledRotation(rotation[1], new Date());
      persist();
      return json({ rotated: true });
    }
    throw portkeyError("AB08", `Unknown control endpoint: ${route}`);
  }

  function setFaults(settings: Partial<FaultSettings>): void {
    Object.assign(faults, { ...settings, failNext: { ...faults.failNext, ...settings.failNext } });
    if (settings.seed !== undefined) random = new SeededRandom(settings.seed);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  server.keepAliveTimeout = 5_000;
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    portkeyBaseUrl: `${url}/v1`,
    openrouterBaseUrl: `${url}/api/v1`,
    port,
    requestCounts: () => Object.fromEntries(counts),
    resetRequestCounts: () => counts.clear(),
    specViolations: () => [...violations],
    setFaults,
    state: () => state.portkey,
    openrouterState: () => state.openrouter,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function loadState(stateFile: string | undefined): PersistedState {
  if (stateFile && fs.existsSync(stateFile)) {
    const loaded = JSON.parse(fs.readFileSync(stateFile, "utf8")) as PersistedState;
    if (loaded.version === 1) return { ...loaded, openrouter: loaded.openrouter ?? emptyOpenRouterState() };
  }
  if (stateFile) fs.mkdirSync(path.dirname(path.resolve(stateFile)), { recursive: true });
  return { version: 1, portkey: emptyPortkeyState(randomUUID()), openrouter: emptyOpenRouterState() };
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function portkeyEnvelope(error: EmulatedApiError): string {
  return JSON.stringify({ success: false, data: { message: error.message, errorCode: error.code } });
}

/** OpenRouter's envelope carries the HTTP status as its code. */
function openrouterEnvelope(error: EmulatedApiError): string {
  return JSON.stringify({ error: { code: error.status, message: error.message } });
}

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sum(counts: Map<string, number>): number {
  let total = 0;
  for (const n of counts.values()) total += n;
  return total;
}
