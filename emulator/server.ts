/**
 * The emulator's HTTP server: Portkey's admin API under /v1, OpenRouter's
 * management API under /api/v1, control endpoints under /_emulator, bound to
 * loopback only. Usable in-process (tests start it
 * on port 0) or from the command line (./cli.ts).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { EmulatedApiError, portkeyError } from "./errors";
import { OpenRouterApi } from "./openrouter/api";
import { OpenRouterPrincipal } from "./openrouter/common";
import { emptyOpenRouterState, OpenRouterState } from "./openrouter/state";
import { removeOrganizationMember, seedOrganizationMembers } from "./openrouter/members";
import { removeScimGroup, seedScimGroups } from "./openrouter/scim";
import { PortkeyApi } from "./portkey/api";
import { PortkeyPrincipal } from "./portkey/common";
import type { SeedUser } from "./portkey/users";
import { emptyPortkeyState, PortkeyState } from "./portkey/state";
import { SeededRandom } from "./random";
import { HandlerResult, Router } from "./router";
import { isKnownResponseDeviation, PortkeySpec } from "./spec";

/**
 * What a deterministic fault does to one request. The first three answer
 * before anything is executed; the last two execute the request (a write is
 * committed) and then spoil the response, whatever its outcome was.
 *
 * - `"unavailable"`: 503 (Portkey AB04; OpenRouter `{"error": {"code": 503}}`).
 * - `"rate-limited"`: 429 with `Retry-After: 1` (Portkey AB06; OpenRouter code 429).
 * - `"not-found"`: 404 (Portkey AB08; OpenRouter code 404).
 * - `"lost-response"`: the connection is destroyed without any response.
 * - `"committed-unavailable"`: answered 503 although the request was executed.
 */
export type FaultKind = "unavailable" | "rate-limited" | "not-found" | "lost-response" | "committed-unavailable";

/** The next `times` requests of a route suffer `fault`. */
export interface FaultPlan {
  times: number;
  fault: FaultKind;
}

/** Every fault kind, for validating control input. */
export const FAULT_KINDS: readonly FaultKind[] = ["unavailable", "rate-limited", "not-found", "lost-response", "committed-unavailable"];

export interface FaultSettings {
  /** Probability that an API request fails on purpose (0 to 1). */
  faultRate: number;
  /**
   * Deterministic failures, by route name. A route name is the method, a
   * space, then the route's template as the router registers it; OpenRouter
   * routes carry `openrouter ` before the template:
   * `"GET /api-keys/{id}"`, `"POST /api-keys/{type}/{sub-type}"`,
   * `"PUT /integrations/{slug}/workspaces"`, `"PATCH openrouter /keys/{hash}"`,
   * `"DELETE openrouter /workspaces/{id}"`. These are the names of
   * {@link RunningEmulator.requestCounts} and {@link LoggedRequest.route}.
   *
   * A number N means the next N requests answer `"unavailable"` (503 before
   * doing anything); `{ times, fault }` picks the fault. Setting a route merges
   * with the other routes; 0 (or `times: 0`) removes it. Unknown route names
   * are refused, so a typo cannot silently disable a test's fault.
   */
  failNext: Record<string, number | FaultPlan>;
  /** Delay added to every API request. */
  latencyMs: number;
  /** Extra delay for one route (same names as `failNext`), added to `latencyMs`. 0 removes it. */
  routeLatencyMs: Record<string, number>;
  /** Seed of the fault sequence, so a run can be repeated. */
  seed: number;
}

/**
 * One API request as the emulator saw it. The log keeps request bodies as
 * they came, secrets included: the emulator is a loopback-only test tool.
 */
export interface LoggedRequest {
  service: "portkey" | "openrouter";
  method: string;
  /**
   * The route name, as in {@link FaultSettings.failNext} (e.g.
   * `"PUT /admin/workspaces/{workspaceId}"`, `"PATCH openrouter /keys/{hash}"`);
   * `"<METHOD> <path>"` for a path no route matches.
   */
  route: string;
  /** The path below the service prefix, e.g. `/admin/workspaces/ws-a-123456`. */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body; undefined when there was none, it was not JSON, or it was too large. */
  body: unknown;
  /** The status sent; 0 when the connection was dropped without a response. */
  status: number;
  /** When the request arrived, ms since the epoch. */
  startedAt: number;
  /** When the response was sent (or the connection dropped), ms since the epoch. */
  finishedAt: number;
}

/** How many requests the log keeps by default (the most recent ones). */
export const REQUEST_LOG_LIMIT = 10_000;

export interface EmulatorOptions extends Partial<FaultSettings> {
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * Portkey admin keys, each the owner's key of an organisation of its own:
   * what one creates, another cannot see (404 AB08, as an unknown id) and
   * does not list. One key gives one organisation, as before several
   * organisations existed.
   */
  adminKeys?: string[];
  /**
   * More organisations, each with all the admin keys it lists (several keys
   * of one organisation see the same objects). They come after the
   * organisations of `adminKeys`, in this order. A key may be given once only.
   */
  organisations?: { adminKeys: string[] }[];
  /** OpenRouter management keys (bearer), all of one account; every Portkey admin key when not given. */
  managementKeys?: string[];
  /** Where to persist state (atomically, after every write); in memory when absent. */
  stateFile?: string;
  /** How long limits read back stale after a create or update (default 0). */
  staleReadMs?: number;
  /** Whether `[]` clears limits like `null` (default true). */
  emptyArrayClearsLimits?: boolean;
  /**
   * What a Portkey workspace PUT carrying `defaults` does to the defaults it
   * does not name: `"replace"` (default) clears them, `"merge"` keeps them.
   * The live behaviour is not established; "replace" is the strict choice.
   */
  workspaceDefaultsOnPut?: "replace" | "merge";
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
  /** How many requests {@link RunningEmulator.requestLog} keeps, the most recent ones (default {@link REQUEST_LOG_LIMIT}). */
  requestLogLimit?: number;
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
  /** Every route served, by route name ("GET /admin/workspaces/{workspaceId}", "PATCH openrouter /keys/{hash}"). */
  routes(): string[];
  /** Requests served per route name ("GET /admin/workspaces/{workspaceId}", "PATCH openrouter /keys/{hash}"). */
  requestCounts(): Record<string, number>;
  resetRequestCounts(): void;
  /**
   * The most recent API requests (up to `requestLogLimit`, default 10,000), in
   * the order they finished; control endpoints are not logged. Copies: changing
   * them changes nothing.
   */
  requestLog(): LoggedRequest[];
  clearRequestLog(): void;
  specViolations(): SpecViolation[];
  /** Changes fault settings; `failNext` and `routeLatencyMs` merge per route. Throws on an invalid setting. */
  setFaults(settings: Partial<FaultSettings>): void;
  /**
   * The live state of the organisation `adminKey` belongs to; the first
   * organisation (that of the first admin key) when not given. Throws for a
   * key that is not a configured admin key.
   */
  state(adminKey?: string): PortkeyState;
  openrouterState(): OpenRouterState;
  stop(): Promise<void>;
}

interface PersistedState {
  version: 1;
  /** The first organisation. */
  portkey: PortkeyState;
  /** The second and later organisations, in the order they are configured; absent while there is one. */
  extraPortkeyOrganisations?: PortkeyState[];
  openrouter: OpenRouterState;
}

/** Every Portkey organisation of a state, the first one first. */
function organisationsOf(state: PersistedState): PortkeyState[] {
  return [state.portkey, ...(state.extraPortkeyOrganisations ?? [])];
}

/**
 * Which organisation (by position) each admin key belongs to: one each for
 * `adminKeys`, then one per `organisations` entry. Throws on a key given twice.
 */
function adminKeyOrganisations(options: EmulatorOptions): { byKey: Map<string, number>; count: number } {
  const groups = [...(options.adminKeys ?? []).map((key) => [key]), ...(options.organisations ?? []).map((o, i) => {
    if (!o || !Array.isArray(o.adminKeys) || o.adminKeys.length === 0) throw new Error(`organisations[${i}].adminKeys must list at least one key`);
    return o.adminKeys;
  })];
  const byKey = new Map<string, number>();
  groups.forEach((keys, index) => {
    for (const key of keys) {
      if (typeof key !== "string" || key === "") throw new Error("admin keys must be non-empty strings");
      if (byKey.has(key)) throw new Error(`admin key given twice: ${key.slice(0, 4)}…`);
      byKey.set(key, index);
    }
  });
  return { byKey, count: groups.length };
}

/** One vendor API served under a path prefix, with its own auth and error envelope. */
interface ApiMount {
  service: LoggedRequest["service"];
  prefix: string;
  /** Put in front of route templates in route names ("" for Portkey). */
  routeLabel: string;
  routes: readonly { method: string; template: string }[];
  match(method: string, path: string): ReturnType<Router<unknown>["match"]>;
  authenticate(req: http.IncomingMessage, now: Date): unknown;
  envelope(error: EmulatedApiError): string;
  /** The response header carrying a request id, on every answer (errors included, as the live APIs do). */
  requestIdHeader: string;
  checkResponses: boolean;
}

/** One request in flight: its log entry (API requests only) and whether it was answered. */
interface Exchange {
  res: http.ServerResponse;
  entry: LoggedRequest | undefined;
  finished: boolean;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const admins = adminKeyOrganisations(options);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const faults: FaultSettings = { faultRate: 0, latencyMs: 0, seed: 1, failNext: {}, routeLatencyMs: {} };
  let random = new SeededRandom(faults.seed);
  const spec = new PortkeySpec();
  const counts = new Map<string, number>();
  const violations: SpecViolation[] = [];
  const log: LoggedRequest[] = [];
  const logLimit = Math.max(0, Math.floor(options.requestLogLimit ?? REQUEST_LOG_LIMIT));

  let state: PersistedState = loadState(options.stateFile, admins.count);
  const portkey = new PortkeyApi(() => organisationsOf(state), spec, {
    staleReadMs: options.staleReadMs ?? 0,
    emptyArrayClearsLimits: options.emptyArrayClearsLimits ?? true,
    workspaceDefaultsOnPut: options.workspaceDefaultsOnPut ?? "replace",
  });
  const router = new Router<PortkeyPrincipal>();
  portkey.register(router);
  // The few Portkey routes clients call under /v2 (organisation defaults); their names are the /v1 routes' names.
  const routerV2 = new Router<PortkeyPrincipal>();
  portkey.registerV2(routerV2);
  const openrouter = new OpenRouterApi(() => state.openrouter);
  const openrouterRouter = new Router<OpenRouterPrincipal>();
  openrouter.register(openrouterRouter);
  const managementKeys = options.managementKeys ?? [...admins.byKey.keys()];
  const adminOrganisation = (key: string): string | undefined => {
    const index = admins.byKey.get(key);
    return index === undefined ? undefined : organisationsOf(state)[index].organisation_id;
  };
  const mounts: ApiMount[] = [
    {
      service: "portkey",
      prefix: "/v1",
      routeLabel: "",
      routes: router.routes,
      match: (method, path) => router.match(method, path) as ReturnType<Router<unknown>["match"]>,
      authenticate: (req, now) => portkey.authenticate(header(req, "x-portkey-api-key"), adminOrganisation, now),
      envelope: portkeyEnvelope,
      requestIdHeader: "x-portkey-request-id",
      checkResponses: options.checkResponses === true,
    },
    {
      service: "portkey",
      prefix: "/v2",
      routeLabel: "",
      routes: routerV2.routes,
      match: (method, path) => routerV2.match(method, path) as ReturnType<Router<unknown>["match"]>,
      authenticate: (req, now) => portkey.authenticate(header(req, "x-portkey-api-key"), adminOrganisation, now),
      envelope: portkeyEnvelope,
      requestIdHeader: "x-portkey-request-id",
      checkResponses: options.checkResponses === true,
    },
    {
      service: "openrouter",
      prefix: "/api/v1",
      routeLabel: "openrouter ",
      routes: openrouterRouter.routes,
      match: (method, path) => openrouterRouter.match(method, path) as ReturnType<Router<unknown>["match"]>,
      authenticate: (req) => openrouter.authenticate(header(req, "authorization"), managementKeys),
      envelope: openrouterEnvelope,
      requestIdHeader: "x-request-id",
      checkResponses: false,
    },
  ];
  const mountOf = (pathname: string) => mounts.find((m) => pathname.startsWith(`${m.prefix}/`));
  const routeNames = new Set(mounts.flatMap((m) => m.routes.map((r) => `${r.method} ${m.routeLabel}${r.template}`)));
  setFaults({
    faultRate: options.faultRate,
    latencyMs: options.latencyMs,
    seed: options.seed,
    failNext: options.failNext,
    routeLatencyMs: options.routeLatencyMs,
  });

  const persist = () => {
    if (!options.stateFile) return;
    const tmp = `${options.stateFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, options.stateFile);
  };

  /** Records the outcome once: the status sent, or 0 for a dropped connection. */
  const finish = (exchange: Exchange, status: number) => {
    if (exchange.finished) return;
    exchange.finished = true;
    if (!exchange.entry) return;
    exchange.entry.status = status;
    exchange.entry.finishedAt = Date.now();
    log.push(exchange.entry);
    if (log.length > logLimit) log.splice(0, log.length - logLimit);
  };
  const reply = (exchange: Exchange, status: number, body: string, headers: Record<string, string> = {}) => {
    const { res } = exchange;
    if (res.headersSent || res.destroyed) return finish(exchange, 0);
    finish(exchange, status);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  const drop = (exchange: Exchange) => {
    finish(exchange, 0);
    exchange.res.socket?.destroy();
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    const mount = mountOf(url.pathname);
    const path = mount ? url.pathname.slice(mount.prefix.length) : url.pathname;
    const exchange: Exchange = {
      res,
      finished: false,
      entry: mount && {
        service: mount.service,
        method,
        route: `${method} ${mount.routeLabel}${path}`,
        path,
        query: Object.fromEntries(url.searchParams),
        body: undefined,
        status: 0,
        startedAt: Date.now(),
        finishedAt: 0,
      },
    };
    // A client that gives up before the answer leaves a dropped exchange.
    res.once("close", () => finish(exchange, 0));
    readBody(req, maxBodyBytes)
      .then((raw) => handle(exchange, req, url, raw))
      .catch((error: unknown) => {
        const apiError = error instanceof EmulatedApiError ? error : portkeyError("AB04", "Internal server error");
        const answering = mountOf(url.pathname) ?? mounts[0];
        reply(exchange, apiError.status, answering.envelope(apiError), { [answering.requestIdHeader]: randomUUID(), ...apiError.headers });
      });
  });

  async function handle(exchange: Exchange, req: http.IncomingMessage, url: URL, raw: Buffer | "too-large"): Promise<void> {
    const method = req.method ?? "GET";
    if (url.pathname.startsWith("/_emulator/")) return control(exchange, method, url.pathname, raw);
    const mount = mountOf(url.pathname);
    if (!mount) throw portkeyError("AB08", `Route not found: ${method} ${url.pathname}`);
    const parsed = parseJson(raw);
    if (exchange.entry && parsed.ok) exchange.entry.body = parsed.value;
    if (raw === "too-large") throw new EmulatedApiError(413, "AB01", `Request body larger than ${maxBodyBytes} bytes`);
    const path = url.pathname.slice(mount.prefix.length);
    const matched = mount.match(method, path);
    if (matched === undefined) throw portkeyError("AB08", `Route not found: ${method} ${url.pathname}`);
    if (matched === "wrong-method") throw new EmulatedApiError(405, "AB01", `Method ${method} is not allowed on ${url.pathname}`);
    const routeName = `${method} ${mount.routeLabel}${matched.route.template}`;
    if (exchange.entry) exchange.entry.route = routeName;
    counts.set(routeName, (counts.get(routeName) ?? 0) + 1);

    const delay = faults.latencyMs + (faults.routeLatencyMs[routeName] ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    // The random draw is made even when a planned fault wins, so seeded sequences replay by request count.
    const randomFault = faults.faultRate > 0 && random.next() < faults.faultRate ? random.below(4) : undefined;
    const planned = takePlannedFault(routeName);
    if (planned === "unavailable") throw new EmulatedApiError(503, "AB04", "Service temporarily unavailable (injected)");
    if (planned === "rate-limited") throw new EmulatedApiError(429, "AB06", "Rate limit exceeded (injected)", { "retry-after": "1" });
    if (planned === "not-found") throw new EmulatedApiError(404, "AB08", "Not found (injected)");
    let dropAfterCommit = false;
    if (planned === undefined && randomFault !== undefined) {
      if (randomFault === 0) throw new EmulatedApiError(429, "AB06", "Rate limit exceeded", { "retry-after": "1" });
      if (randomFault === 1) throw new EmulatedApiError(503, "AB04", "Service temporarily unavailable");
      if (randomFault === 2) throw portkeyError("AB04", "Internal server error");
      if (matched.route.writes) dropAfterCommit = true;
      else throw new EmulatedApiError(502, "AB04", "Bad gateway");
    }

    let before: PersistedState | undefined;
    let result: HandlerResult;
    try {
      if (!parsed.ok) throw portkeyError("AB01", "Invalid request. The body is not valid JSON.");
      const now = new Date();
      const principal = mount.authenticate(req, now);
      // Work on a copy so a request that fails half-way leaves the state untouched.
      if (matched.route.writes) before = structuredClone(state);
      result = matched.route.handler({ method, template: matched.route.template, params: matched.params, query: url.searchParams, body: parsed.value, principal, now, headers: req.headers });
    } catch (error) {
      if (before) state = before;
      // A planned after-execution fault spoils the answer whatever it was, so tests stay deterministic.
      if (planned === "lost-response") return drop(exchange);
      if (planned === "committed-unavailable") throw new EmulatedApiError(503, "AB04", "Service temporarily unavailable (injected)");
      throw error;
    }
    if (matched.route.writes) persist();
    if (dropAfterCommit || planned === "lost-response") return drop(exchange);
    if (planned === "committed-unavailable") throw new EmulatedApiError(503, "AB04", "Service temporarily unavailable (injected, after commit)");
    const status = result.status ?? 200;
    if (mount.checkResponses && status === 200) {
      const problems = spec.checkResponse(method, matched.route.template, result.body).filter((p) => !isKnownResponseDeviation(routeName, p));
      if (problems.length > 0) violations.push({ route: routeName, problems });
    }
    reply(exchange, status, result.rawJson ?? JSON.stringify(result.body), { [mount.requestIdHeader]: randomUUID() });
  }

  /** Consumes one planned fault of the route, if any. */
  function takePlannedFault(routeName: string): FaultKind | undefined {
    const plan = faults.failNext[routeName];
    if (plan === undefined) return undefined;
    const { times, fault } = typeof plan === "number" ? { times: plan, fault: "unavailable" as const } : plan;
    if (times <= 1) delete faults.failNext[routeName];
    else faults.failNext[routeName] = typeof plan === "number" ? times - 1 : { times: times - 1, fault };
    return times > 0 ? fault : undefined;
  }

  function control(exchange: Exchange, method: string, pathname: string, raw: Buffer | "too-large"): void {
    const route = `${method} ${pathname.replace(/\/+$/, "")}`;
    const json = (value: unknown) => reply(exchange, 200, JSON.stringify(value));
    const input = (): unknown => {
      const parsed = parseJson(raw);
      if (!parsed.ok || raw === "too-large") throw portkeyError("AB01", "The control request body must be JSON");
      return parsed.value ?? {};
    };
    if (route === "POST /_emulator/reset") {
      // Every organisation is emptied and keeps its id.
      const [first, ...extra] = organisationsOf(state).map((o) => emptyPortkeyState(o.organisation_id));
      state = { version: 1, portkey: first, ...(extra.length > 0 ? { extraPortkeyOrganisations: extra } : {}), openrouter: emptyOpenRouterState() };
      counts.clear();
      log.length = 0;
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
    if (route === "GET /_emulator/requests/log") return json(log);
    if (route === "DELETE /_emulator/requests/log") {
      log.length = 0;
      return json({ cleared: true });
    }
    if (route === "GET /_emulator/spec-violations") return json(violations);
    if (route === "PUT /_emulator/faults") {
      try {
        setFaults(input() as Partial<FaultSettings>);
      } catch (error) {
        throw error instanceof EmulatedApiError ? error : portkeyError("AB01", (error as Error).message);
      }
      return json(faults);
    }
    const rotation = /^POST \/_emulator\/portkey\/api-keys\/([^/]+)\/scheduled-rotation$/.exec(route);
    if (rotation) {
      portkey.forceScheduledRotation(rotation[1], new Date());
      persist();
      return json({ rotated: true });
    }
    // OpenRouter has no API that makes organisation members (people are invited in the dashboard): tests seed them.
    if (route === "POST /_emulator/openrouter/organization-members") {
      let members: unknown;
      try {
        members = seedOrganizationMembers(state.openrouter, input(), new Date());
      } catch (error) {
        throw error instanceof EmulatedApiError ? error : portkeyError("AB01", (error as Error).message);
      }
      persist();
      return json({ members });
    }
    const leaving = /^DELETE \/_emulator\/openrouter\/organization-members\/([^/]+)$/.exec(route);
    if (leaving) {
      if (!removeOrganizationMember(state.openrouter, decodeURIComponent(leaving[1]))) throw portkeyError("AB08", `No organisation member ${leaving[1]}`);
      persist();
      return json({ removed: true });
    }
    // SCIM groups are pushed by an identity provider, never made through the API: tests seed them.
    if (route === "POST /_emulator/openrouter/scim-groups") {
      let groups: unknown;
      try {
        groups = seedScimGroups(state.openrouter, input(), new Date());
      } catch (error) {
        throw error instanceof EmulatedApiError ? error : portkeyError("AB01", (error as Error).message);
      }
      persist();
      return json({ groups });
    }
    const deprovisioned = /^DELETE \/_emulator\/openrouter\/scim-groups\/([^/]+)$/.exec(route);
    if (deprovisioned) {
      if (!removeScimGroup(state.openrouter, decodeURIComponent(deprovisioned[1]))) throw portkeyError("AB08", `No SCIM group ${deprovisioned[1]}`);
      persist();
      return json({ removed: true });
    }
    // People: the API cannot create users, so tests seed them or accept invites here.
    if (route === "POST /_emulator/portkey/users") {
      const user = portkey.seedUser(input() as SeedUser, new Date());
      persist();
      return json(user);
    }
    const invite = /^POST \/_emulator\/portkey\/invites\/([^/]+)\/(accept|expire)$/.exec(route);
    if (invite) {
      if (invite[2] === "expire") {
        portkey.expireInvite(invite[1], new Date());
        persist();
        return json({ expired: true });
      }
      const user = portkey.acceptInvite(invite[1], new Date());
      persist();
      return json(user);
    }
    throw portkeyError("AB08", `Unknown control endpoint: ${route}`);
  }

  /** Validates everything first, so an invalid setting changes nothing. */
  function setFaults(settings: Partial<FaultSettings>): void {
    if (typeof settings !== "object" || settings === null) throw new Error("fault settings must be an object");
    const number = (name: string, value: unknown, min: number, max: number): number | undefined => {
      if (value === undefined) return undefined;
      if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) throw new Error(`${name} must be a number from ${min} to ${max}`);
      return value;
    };
    const routes = (name: string, value: unknown): Record<string, unknown> => {
      if (value === undefined) return {};
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${name} must be an object keyed by route name`);
      for (const route of Object.keys(value)) {
        if (!routeNames.has(route)) throw new Error(`${name}: unknown route '${route}' (route names look like "PUT /admin/workspaces/{workspaceId}" or "PATCH openrouter /keys/{hash}")`);
      }
      return value as Record<string, unknown>;
    };
    const faultRate = number("faultRate", settings.faultRate, 0, 1);
    const latencyMs = number("latencyMs", settings.latencyMs, 0, 600_000);
    const seed = number("seed", settings.seed, 0, 2 ** 32 - 1);
    const failNext: Record<string, FaultPlan | number> = {};
    for (const [route, plan] of Object.entries(routes("failNext", settings.failNext))) {
      if (typeof plan === "number") {
        if (!Number.isInteger(plan) || plan < 0) throw new Error(`failNext['${route}'] must be an integer >= 0`);
        failNext[route] = plan;
        continue;
      }
      const candidate = plan as Partial<FaultPlan> | null;
      if (
        typeof candidate !== "object" || candidate === null ||
        typeof candidate.times !== "number" || !Number.isInteger(candidate.times) || candidate.times < 0 ||
        !FAULT_KINDS.includes(candidate.fault as FaultKind)
      ) {
        throw new Error(`failNext['${route}'] must be a count or { times: integer >= 0, fault: ${FAULT_KINDS.join(" | ")} }`);
      }
      failNext[route] = { times: candidate.times, fault: candidate.fault as FaultKind };
    }
    const routeLatencyMs: Record<string, number> = {};
    for (const [route, ms] of Object.entries(routes("routeLatencyMs", settings.routeLatencyMs))) {
      routeLatencyMs[route] = number(`routeLatencyMs['${route}']`, ms, 0, 600_000) ?? 0;
    }

    if (faultRate !== undefined) faults.faultRate = faultRate;
    if (latencyMs !== undefined) faults.latencyMs = latencyMs;
    if (seed !== undefined) {
      faults.seed = seed;
      random = new SeededRandom(seed);
    }
    for (const [route, plan] of Object.entries(failNext)) {
      if ((typeof plan === "number" ? plan : plan.times) === 0) delete faults.failNext[route];
      else faults.failNext[route] = plan;
    }
    for (const [route, ms] of Object.entries(routeLatencyMs)) {
      if (ms === 0) delete faults.routeLatencyMs[route];
      else faults.routeLatencyMs[route] = ms;
    }
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
    routes: () => [...routeNames],
    requestCounts: () => Object.fromEntries(counts),
    resetRequestCounts: () => counts.clear(),
    requestLog: () => log.map((entry) => ({ ...entry, query: { ...entry.query }, body: structuredClone(entry.body) })),
    clearRequestLog: () => {
      log.length = 0;
    },
    specViolations: () => [...violations],
    setFaults,
    state: (adminKey?: string) => {
      if (adminKey === undefined) return state.portkey;
      const index = admins.byKey.get(adminKey);
      if (index === undefined) throw new Error("not an admin key of this emulator");
      return organisationsOf(state)[index];
    },
    openrouterState: () => state.openrouter,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The saved state, or a new one, with at least `organisations` Portkey
 * organisations: the n-th configured organisation is the n-th saved one, and
 * missing ones are added empty. Saved organisations beyond those configured
 * are kept (only their API-made keys reach them).
 */
function loadState(stateFile: string | undefined, organisations: number): PersistedState {
  let state: PersistedState | undefined;
  if (stateFile && fs.existsSync(stateFile)) {
    const loaded = JSON.parse(fs.readFileSync(stateFile, "utf8")) as PersistedState;
    if (loaded.version === 1) state = { ...loaded, openrouter: loaded.openrouter ?? emptyOpenRouterState() };
  }
  if (stateFile) fs.mkdirSync(path.dirname(path.resolve(stateFile)), { recursive: true });
  state ??= { version: 1, portkey: emptyPortkeyState(randomUUID()), openrouter: emptyOpenRouterState() };
  const extra = [...(state.extraPortkeyOrganisations ?? [])];
  while (extra.length + 1 < organisations) extra.push(emptyPortkeyState(randomUUID()));
  if (extra.length > 0) state.extraPortkeyOrganisations = extra;
  return state;
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

/** An empty body parses to undefined; a too-large one is not parsed. */
function parseJson(raw: Buffer | "too-large"): { ok: true; value: unknown } | { ok: false } {
  if (raw === "too-large" || raw.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw.toString("utf8")) as unknown };
  } catch {
    return { ok: false };
  }
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

function sum(counts: Map<string, number>): number {
  let total = 0;
  for (const n of counts.values()) total += n;
  return total;
}
