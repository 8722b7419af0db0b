/**
 * The live tier's support: which real services to use (from the environment),
 * a run id, names and metadata that tag everything a run creates, a plain
 * HTTP client for out-of-band changes and checks, and the sweep that deletes
 * tagged objects (this run's after the tests, even failed ones; earlier runs'
 * leftovers older than a day before the tests).
 *
 * Everything here talks to the service's public API with the live key, as a
 * user would. Nothing depends on the emulator, which only stands in for the
 * service when the base URLs point at one.
 *
 * Variables:
 *   PORTKEY_LIVE_API_KEY            Portkey admin API key (organisation service key with workspace,
 *                                   API-key and integration scopes); enables the Portkey scenarios
 *   PORTKEY_LIVE_BASE_URL           default https://api.portkey.ai/v1
 *   PORTKEY_LIVE_INTEGRATION_SLUG   an existing integration to grant workspace access to (optional)
 *   OPENROUTER_LIVE_MANAGEMENT_KEY  OpenRouter management key; enables the OpenRouter scenarios
 *   OPENROUTER_LIVE_BASE_URL        default https://openrouter.ai/api/v1
 *   E2E_LIVE_RUN_ID                 reuse a run id (e.g. to sweep what a killed run left); default: new
 */
import { randomBytes } from "node:crypto";
import type { ConfigMap } from "@pulumi/pulumi/automation";

/** Every name the live tier creates starts with this; the sweep looks for nothing else. */
export const LIVE_TAG_PREFIX = "pulumi-ai-gateway-e2e-";
/** Leftovers of earlier runs are swept once they are older than this. */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

export interface PortkeyLive {
  apiKey: string;
  baseUrl: string;
  integrationSlug?: string;
}

export interface OpenRouterLive {
  managementKey: string;
  baseUrl: string;
}

export interface LiveSettings {
  portkey?: PortkeyLive;
  openrouter?: OpenRouterLive;
}

export function liveSettings(env: NodeJS.ProcessEnv = process.env): LiveSettings {
  const settings: LiveSettings = {};
  if (env.PORTKEY_LIVE_API_KEY) {
    settings.portkey = {
      apiKey: env.PORTKEY_LIVE_API_KEY,
      baseUrl: (env.PORTKEY_LIVE_BASE_URL || "https://api.portkey.ai/v1").replace(/\/+$/, ""),
      integrationSlug: env.PORTKEY_LIVE_INTEGRATION_SLUG || undefined,
    };
  }
  if (env.OPENROUTER_LIVE_MANAGEMENT_KEY) {
    settings.openrouter = {
      managementKey: env.OPENROUTER_LIVE_MANAGEMENT_KEY,
      baseUrl: (env.OPENROUTER_LIVE_BASE_URL || "https://openrouter.ai/api/v1").replace(/\/+$/, ""),
    };
  }
  return settings;
}

/**
 * A run id that dates itself: the creation time in base 36 (8 characters until
 * 2059) and 3 random hex digits, e.g. `mbx1k2p4a3f`. Short, because OpenRouter
 * slugs take at most 50 characters.
 */
export function newRunId(now = Date.now()): string {
  return `${now.toString(36).padStart(8, "0")}${randomBytes(2).toString("hex").slice(0, 3)}`;
}

/** When a run id was made, or undefined when it is not one of ours. */
export function runIdTime(runId: string): number | undefined {
  if (!/^[0-9a-z]{8}[0-9a-f]{3}$/.test(runId)) return undefined;
  const ms = parseInt(runId.slice(0, 8), 36);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The run id a tagged name carries (after an optional icon), or undefined. */
export function runIdOf(name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  const at = name.indexOf(LIVE_TAG_PREFIX);
  if (at < 0 || at > 16) return undefined; // the tag starts the name (a Portkey icon may precede it)
  const rest = name.slice(at + LIVE_TAG_PREFIX.length);
  const id = rest.split(/[-\s]/)[0];
  return runIdTime(id) === undefined ? undefined : id;
}

/** One answer of a live API, never thrown on for an HTTP status. */
export interface LiveResponse<T = any> {
  status: number;
  body: T;
  requestId?: string;
}

/**
 * A small client for one live API. Retries 429 (honouring Retry-After), 5xx and
 * network errors a few times for every method: the sweep only deletes and
 * lists, and tests use it for single out-of-band writes they then check.
 */
export class LiveApi {
  constructor(
    readonly service: "Portkey" | "OpenRouter",
    readonly baseUrl: string,
    private readonly headers: Record<string, string>,
  ) {}

  static portkey(settings: PortkeyLive): LiveApi {
    return new LiveApi("Portkey", settings.baseUrl, { "x-portkey-api-key": settings.apiKey });
  }

  static openrouter(settings: OpenRouterLive): LiveApi {
    return new LiveApi("OpenRouter", settings.baseUrl, { authorization: `Bearer ${settings.managementKey}` });
  }

  async request<T = any>(method: string, path: string, options: { query?: Record<string, string | number>; body?: unknown } = {}): Promise<LiveResponse<T>> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, String(v));
    let lastError = "";
    let waitMs = 0;
    for (let attempt = 0; attempt < 6; attempt++) {
      if (waitMs > 0) await sleep(waitMs);
      waitMs = Math.min(8000, 500 * 2 ** attempt);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: { ...this.headers, "content-type": "application/json", accept: "application/json" },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(60_000),
        });
      } catch (error) {
        lastError = `network error: ${(error as Error).message}`;
        continue;
      }
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON: keep the text.
      }
      const requestId = response.headers.get("x-portkey-request-id") ?? response.headers.get("x-request-id") ?? undefined;
      const answer = { status: response.status, body: body as T, requestId };
      if ((response.status === 429 || response.status >= 500) && attempt < 5) {
        lastError = describeFailure(this.service, method, url.pathname, answer);
        const retryAfter = Number(response.headers.get("retry-after"));
        if (response.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0) waitMs = Math.min(retryAfter, 60) * 1000;
        continue;
      }
      return answer;
    }
    throw new Error(`${this.service} ${method} ${url.pathname}: no answer after 6 attempts (${lastError})`);
  }

  /** The body of a 2xx answer; otherwise an error naming the call, status, message and request id. */
  async ok<T = any>(method: string, path: string, options: { query?: Record<string, string | number>; body?: unknown } = {}): Promise<T> {
    const response = await this.request<T>(method, path, options);
    if (response.status < 200 || response.status >= 300) throw new Error(describeFailure(this.service, method, path, response));
    return response.body;
  }
}

function describeFailure(service: string, method: string, path: string, response: LiveResponse): string {
  const body = response.body as any;
  const message = body?.data?.message ?? body?.error?.message ?? body?.message ?? (typeof body === "string" ? body.slice(0, 200) : JSON.stringify(body)?.slice(0, 200));
  const code = body?.data?.errorCode ?? body?.error?.code;
  return `${service} ${method} ${path} answered ${response.status}${code ? ` ${code}` : ""}: ${message}${response.requestId ? ` (request id ${response.requestId})` : ""}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a sweep did. */
export interface SweepReport {
  deleted: string[];
  failed: string[];
}

/** Which tagged objects a sweep takes: this run's, or earlier runs' older than a day. */
type Selector = (runId: string | undefined, createdAt: string | undefined) => boolean;

/**
 * One run of the live tier: its id, the names and metadata that tag what it
 * creates, stack configuration for the engine, and the sweeps.
 */
export class LiveRun {
  readonly runId: string;
  readonly portkeyApi?: LiveApi;
  readonly openrouterApi?: LiveApi;

  constructor(
    readonly settings: LiveSettings,
    runId = process.env.E2E_LIVE_RUN_ID || newRunId(),
  ) {
    if (runIdTime(runId) === undefined) throw new Error(`E2E_LIVE_RUN_ID '${runId}' is not a run id of the live tier (8 base-36 + 3 hex characters)`);
    this.runId = runId;
    if (settings.portkey) this.portkeyApi = LiveApi.portkey(settings.portkey);
    if (settings.openrouter) this.openrouterApi = LiveApi.openrouter(settings.openrouter);
  }

  /** The tag every name of this run starts with. */
  get tag(): string {
    return `${LIVE_TAG_PREFIX}${this.runId}-`;
  }

  /** A tagged name, e.g. `pulumi-ai-gateway-e2e-mbx1k2p4a3f-ws`. */
  name(suffix: string): string {
    return `${this.tag}${suffix}`;
  }

  /** A tagged OpenRouter slug (lowercase letters, digits, single hyphens; at most 50 characters). */
  slug(suffix: string): string {
    const slug = this.name(suffix).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
    if (slug.length > 50) throw new Error(`slug '${slug}' is longer than 50 characters`);
    return slug;
  }

  /** Metadata tagging an object where the API has metadata. */
  get metadata(): Record<string, string> {
    return { e2e: this.runId };
  }

  portkeyConfig(): ConfigMap {
    const p = this.settings.portkey;
    if (!p) throw new Error("the Portkey live tier is not configured");
    return { "portkey:apiKey": { value: p.apiKey, secret: true }, "portkey:baseUrl": { value: p.baseUrl } };
  }

  openrouterConfig(): ConfigMap {
    const o = this.settings.openrouter;
    if (!o) throw new Error("the OpenRouter live tier is not configured");
    return { "openrouter:managementKey": { value: o.managementKey, secret: true }, "openrouter:baseUrl": { value: o.baseUrl } };
  }

  /** Deletes everything tagged with this run's id. Run it after the tests, whatever their outcome. */
  sweepThisRun(): Promise<SweepReport> {
    return this.sweep((runId) => runId === this.runId);
  }

  /** Deletes what earlier runs of the tier left behind, once older than a day. */
  sweepStale(now = Date.now()): Promise<SweepReport> {
    return this.sweep((runId, createdAt) => {
      if (!runId || runId === this.runId) return false;
      const made = runIdTime(runId) ?? (createdAt ? Date.parse(createdAt) : NaN);
      return Number.isFinite(made) && now - made > STALE_AFTER_MS;
    });
  }

  /** Tagged objects of this run still on the services (after a sweep: what it could not delete). */
  async remaining(): Promise<string[]> {
    const mine: Selector = (runId) => runId === this.runId;
    const left: string[] = [];
    if (this.portkeyApi) {
      const workspaces = await portkeyWorkspaces(this.portkeyApi);
      left.push(...workspaces.filter((w) => mine(tagOf(w.name, w.defaults?.metadata), w.created_at)).map((w) => `Portkey workspace ${w.name} (${w.id})`));
      const keys = await portkeyKeys(this.portkeyApi);
      left.push(...keys.filter((k) => mine(tagOf(k.name, k.defaults?.metadata), k.created_at)).map((k) => `Portkey API key ${k.name} (${k.id})`));
      const integrations = await portkeyIntegrations(this.portkeyApi);
      left.push(...integrations.filter((i) => mine(runIdOf(i.slug) ?? runIdOf(i.name), i.created_at)).map((i) => `Portkey integration ${i.slug}`));
      const mcpIntegrations = await portkeyMcpIntegrations(this.portkeyApi);
      left.push(...mcpIntegrations.filter((i) => mine(tagOfItem(i), i.created_at)).map((i) => `Portkey MCP integration ${i.slug} (${i.id})`));
    }
    if (this.openrouterApi) {
      const workspaces = await openrouterWorkspaces(this.openrouterApi);
      left.push(...workspaces.filter((w) => mine(runIdOf(w.slug) ?? runIdOf(w.name), w.created_at)).map((w) => `OpenRouter workspace ${w.slug} (${w.id})`));
      const keys = await openrouterKeys(this.openrouterApi, undefined);
      left.push(...keys.filter((k) => mine(runIdOf(k.name), k.created_at)).map((k) => `OpenRouter key ${k.name} (${k.hash})`));
      const privateProviders = await openrouterPrivateProviders(this.openrouterApi);
      left.push(...privateProviders.filter((p) => mine(runIdOf(p.slug) ?? runIdOf(p.name), p.created_at)).map((p) => `OpenRouter private provider ${p.slug}`));
    }
    return left;
  }

  private async sweep(select: Selector): Promise<SweepReport> {
    const report: SweepReport = { deleted: [], failed: [] };
    const attempt = async (what: string, action: () => Promise<void>) => {
      try {
        await action();
        report.deleted.push(what);
      } catch (error) {
        report.failed.push(`${what}: ${(error as Error).message}`);
      }
    };
    if (this.portkeyApi) await this.sweepPortkey(this.portkeyApi, select, attempt, report);
    if (this.openrouterApi) await this.sweepOpenRouter(this.openrouterApi, select, attempt, report);
    return report;
  }

  /**
   * Portkey. Only tagged objects are ever deleted: tagged API keys wherever they are; in each tagged
   * workspace its tagged MCP servers, workspace MCP integrations, prompts, partials, collections, labels, guardrails and policies;
   * then the workspace itself with `force_delete` (which takes its providers, configs and keys along),
   * but only when the lists show nothing in it without the tag; then tagged organisation integrations
   * and MCP integrations. A tagged workspace holding an untagged object (a person's) is kept, with the
   * object, and reported as a failure naming both.
   */
  private async sweepPortkey(api: LiveApi, select: Selector, attempt: (what: string, action: () => Promise<void>) => Promise<void>, report: SweepReport): Promise<void> {
    let workspaces: PortkeyWorkspace[] = [];
    try {
      workspaces = (await portkeyWorkspaces(api)).filter((w) => select(tagOf(w.name, w.defaults?.metadata), w.created_at));
    } catch (error) {
      await attempt("listing Portkey workspaces", () => Promise.reject(error));
    }
    const slug = this.settings.portkey?.integrationSlug;
    if (slug && workspaces.length > 0) {
      // Access rows of tagged workspaces: rows about the tier's own workspaces, whoever granted them.
      const ours = new Set(workspaces.flatMap((w) => [w.slug, w.id]));
      const path = `/integrations/${encodeURIComponent(slug)}/workspaces`;
      let enabled: { id: string }[] = [];
      try {
        const rows = await api.ok<{ workspaces?: { id: string; enabled: boolean }[] }>("GET", path);
        enabled = (rows?.workspaces ?? []).filter((r) => r.enabled && ours.has(r.id));
      } catch (error) {
        await attempt(`listing Portkey access to ${slug}`, () => Promise.reject(error));
      }
      if (enabled.length > 0) {
        await attempt(`Portkey access of ${enabled.length} workspace(s) to ${slug} disabled`, async () => {
          await api.ok("PUT", path, { body: { workspaces: enabled.map((r) => ({ id: r.id, enabled: false })) } });
        });
      }
    }
    const keys = await portkeyKeys(api).catch(() => [] as PortkeyKey[]);
    for (const key of keys.filter((k) => select(tagOf(k.name, k.defaults?.metadata), k.created_at))) {
      await attempt(`Portkey API key ${key.name} (${key.id})`, () => deleteGone(api, "DELETE", `/api-keys/${key.id}`));
    }
    for (const workspace of workspaces) {
      const untagged: string[] = [];
      for (const kind of PORTKEY_WORKSPACE_CONTENTS) {
        let items: PortkeyItem[];
        try {
          items = (await kind.list(api, workspace.id)).filter((item) => !kind.serviceMade?.(item, workspace.id));
        } catch (error) {
          // Not listed, not known to be empty: keep the workspace.
          untagged.push(`${kind.what}s (not listed: ${(error as Error).message})`);
          continue;
        }
        for (const item of items) {
          const label = `${kind.what} ${item.name ?? item.slug ?? ""} (${item.id})`;
          if (!select(tagOfItem(item), item.created_at)) untagged.push(label);
          else if (kind.delete) await attempt(`Portkey ${label}`, () => deleteGone(api, "DELETE", kind.delete!(item)));
        }
      }
      const untaggedKeys = keys
        .filter((k) => k.workspace_id === workspace.id || k.workspace_id === workspace.slug)
        .filter((k) => !select(tagOf(k.name, k.defaults?.metadata), k.created_at));
      untagged.push(...untaggedKeys.map((k) => `API key ${k.name} (${k.id})`));
      if (untagged.length > 0) {
        report.failed.push(
          `kept Portkey workspace ${workspace.name} (${workspace.id}): it holds ${untagged.length} object(s) without the tier's tag (${untagged.join(", ")}); ` +
            "the sweep deletes nothing it did not tag: move or delete them by hand, then sweep again",
        );
        continue;
      }
      for (const direction of ["input", "output"]) {
        // The workspace's own exclusion row, written for this workspace only.
        const path = `/workspace-exclusions/${direction}-guardrails`;
        const rows = await api.ok<{ workspaces?: { workspace_id: string; excluded?: boolean }[] }>("GET", path).catch(() => ({ workspaces: [] }));
        if ((rows.workspaces ?? []).some((r) => r.workspace_id === workspace.id && r.excluded !== false)) {
          await attempt(`Portkey ${direction} guardrail exclusion of ${workspace.name}`, async () => {
            await api.ok("PUT", path, { body: { workspaces: [{ workspace_id: workspace.id, excluded: false }] } });
          });
        }
      }
      await attempt(`Portkey workspace ${workspace.name} (${workspace.id})`, async () => {
        // The confirmation name is the plain one; an icon shown in front of it is not part of it.
        const plain = workspace.name.slice(Math.max(0, workspace.name.indexOf(LIVE_TAG_PREFIX)));
        const names = [...new Set([plain, workspace.name])];
        let last: unknown;
        for (const name of names) {
          try {
            return await deleteGone(api, "DELETE", `/admin/workspaces/${workspace.id}`, undefined, { name, force_delete: true });
          } catch (error) {
            last = error;
          }
        }
        throw last;
      });
    }
    // Organisation-level objects the run made (tagged by slug or name), after the workspaces using them.
    const integrations = await portkeyIntegrations(api).catch(() => [] as PortkeyIntegration[]);
    for (const integration of integrations.filter((i) => select(runIdOf(i.slug) ?? runIdOf(i.name), i.created_at))) {
      await attempt(`Portkey integration ${integration.slug}`, () => deleteGone(api, "DELETE", `/integrations/${encodeURIComponent(integration.slug)}`));
    }
    const mcpIntegrations = await portkeyMcpIntegrations(api).catch(() => [] as PortkeyItem[]);
    for (const integration of mcpIntegrations.filter((i) => select(tagOfItem(i), i.created_at))) {
      await attempt(`Portkey MCP integration ${integration.slug} (${integration.id})`, () => deleteGone(api, "DELETE", `/mcp-integrations/${integration.id}`));
    }
  }

  /**
   * OpenRouter. Only tagged objects are ever deleted: in each tagged workspace its tagged guardrails (not
   * the workspace's default one, which goes with it), BYOK keys, destinations, presets (archived) and keys;
   * then the workspace, when nothing untagged is left in it (else it is kept and reported, like Portkey's);
   * tagged keys of the default workspace; tagged private providers last.
   */
  private async sweepOpenRouter(api: LiveApi, select: Selector, attempt: (what: string, action: () => Promise<void>) => Promise<void>, report: SweepReport): Promise<void> {
    let workspaces: OpenRouterWorkspace[] = [];
    try {
      workspaces = (await openrouterWorkspaces(api)).filter((w) => select(runIdOf(w.slug) ?? runIdOf(w.name), w.created_at));
    } catch (error) {
      await attempt("listing OpenRouter workspaces", () => Promise.reject(error));
    }
    for (const workspace of workspaces) {
      const untagged: string[] = [];
      const kinds = [
        { what: "guardrail", path: "/guardrails", at: (i: OpenRouterItem) => `/guardrails/${i.id}` },
        { what: "BYOK key", path: "/byok", at: (i: OpenRouterItem) => `/byok/${i.id}` },
        { what: "destination", path: "/observability/destinations", at: (i: OpenRouterItem) => `/observability/destinations/${i.id}` },
        { what: "preset", path: "/presets", at: (i: OpenRouterItem) => `/presets/${encodeURIComponent(i.slug ?? "")}`, inWorkspace: true },
        { what: "key", path: "/keys", at: (i: OpenRouterItem) => `/keys/${i.hash}` },
      ];
      for (const kind of kinds) {
        let items: OpenRouterItem[];
        try {
          items = kind.what === "key" ? await openrouterKeys(api, workspace.id) : await openrouterPages<OpenRouterItem>(api, kind.path, workspace.id);
        } catch (error) {
          untagged.push(`${kind.what}s (not listed: ${(error as Error).message})`);
          continue;
        }
        // The workspace's default guardrail is the service's; it goes with its workspace.
        for (const item of items.filter((i) => i.id === undefined || i.id !== workspace.default_guardrail_id)) {
          const label = `${kind.what} ${item.name ?? item.slug ?? ""} (${item.id ?? item.hash})`;
          if (!select(runIdOf(item.name) ?? runIdOf(item.slug), item.created_at)) untagged.push(label);
          else await attempt(`OpenRouter ${label}`, () => deleteGone(api, "DELETE", kind.at(item), "inWorkspace" in kind ? { workspace_id: workspace.id } : undefined));
        }
      }
      if (untagged.length > 0) {
        report.failed.push(
          `kept OpenRouter workspace ${workspace.slug} (${workspace.id}): it holds ${untagged.length} object(s) without the tier's tag (${untagged.join(", ")}); ` +
            "the sweep deletes nothing it did not tag: move or delete them by hand, then sweep again",
        );
        continue;
      }
      await attempt(`OpenRouter workspace ${workspace.slug} (${workspace.id})`, () => deleteGone(api, "DELETE", `/workspaces/${workspace.id}`));
    }
    const defaultKeys = await openrouterKeys(api, undefined).catch(() => [] as OpenRouterKey[]);
    for (const key of defaultKeys.filter((k) => select(runIdOf(k.name), k.created_at))) {
      await attempt(`OpenRouter key ${key.name} (${key.hash})`, () => deleteGone(api, "DELETE", `/keys/${key.hash}`));
    }
    const privateProviders = await openrouterPrivateProviders(api).catch(() => [] as OpenRouterItem[]);
    for (const provider of privateProviders.filter((p) => select(runIdOf(p.slug) ?? runIdOf(p.name), p.created_at))) {
      await attempt(`OpenRouter private provider ${provider.slug}`, () => deleteGone(api, "DELETE", `/private-providers/${encodeURIComponent(provider.slug ?? "")}`));
    }
  }
}

/** An object of a Portkey or OpenRouter list, as far as the sweep reads it. */
interface PortkeyItem {
  id: string;
  name?: string | null;
  slug?: string | null;
  created_at?: string;
  workspace_id?: string | null;
  is_default?: number | boolean;
  is_universal?: boolean;
  metadata?: Record<string, unknown> | null;
  defaults?: { metadata?: Record<string, unknown> | null } | null;
}

interface OpenRouterItem {
  id?: string;
  hash?: string;
  name?: string | null;
  slug?: string;
  created_at?: string;
}

/** The run id of a listed object: from its name, slug or `e2e` metadata. */
function tagOfItem(item: PortkeyItem): string | undefined {
  return tagOf(item.name ?? "", item.defaults?.metadata ?? item.metadata) ?? runIdOf(item.slug);
}

/**
 * What a Portkey workspace can hold besides keys, in deletion order (servers and prompts before what they
 * use). `delete` absent: the workspace's `force_delete` takes it. `serviceMade`: objects Portkey makes
 * itself (a workspace's default collection, the organisation's universal labels), never a person's.
 */
const PORTKEY_WORKSPACE_CONTENTS: {
  what: string;
  list: (api: LiveApi, workspaceId: string) => Promise<PortkeyItem[]>;
  delete?: (item: PortkeyItem) => string;
  serviceMade?: (item: PortkeyItem, workspaceId: string) => boolean;
}[] = [
  { what: "MCP server", list: (api, ws) => portkeyPages(api, "/mcp-servers", { workspace_id: ws }), delete: (i) => `/mcp-servers/${i.id}` },
  {
    what: "workspace MCP integration",
    list: (api, ws) => portkeyPages(api, "/mcp-integrations", { workspace_id: ws, type: "workspace" }),
    delete: (i) => `/mcp-integrations/${i.id}`,
    // Organisation integrations usable in the workspace are listed too; they are not its contents.
    serviceMade: (i, ws) => i.workspace_id !== ws,
  },
  { what: "prompt", list: (api, ws) => portkeyPages(api, "/prompts", { workspace_id: ws }), delete: (i) => `/prompts/${i.id}` },
  { what: "prompt partial", list: (api, ws) => portkeyPages(api, "/prompts/partials", { workspace_id: ws }), delete: (i) => `/prompts/partials/${i.id}` },
  { what: "prompt collection", list: (api, ws) => portkeyPages(api, "/collections", { workspace_id: ws }), delete: (i) => `/collections/${i.id}`, serviceMade: (i) => Boolean(i.is_default) },
  {
    what: "prompt label",
    list: (api, ws) => portkeyPages(api, "/labels", { workspace_id: ws }),
    delete: (i) => `/labels/${i.id}`,
    // Organisation labels are listed with every workspace's; only the workspace's own are its contents.
    serviceMade: (i, ws) => Boolean(i.is_universal) || !i.workspace_id || i.workspace_id !== ws,
  },
  { what: "guardrail", list: (api, ws) => portkeyPages(api, "/guardrails", { workspace_id: ws }), delete: (i) => `/guardrails/${i.id}` },
  { what: "usage-limits policy", list: (api, ws) => portkeyPolicies(api, "usage-limits", ws), delete: (i) => `/policies/usage-limits/${i.id}` },
  { what: "rate-limits policy", list: (api, ws) => portkeyPolicies(api, "rate-limits", ws), delete: (i) => `/policies/rate-limits/${i.id}` },
  { what: "config", list: async (api, ws) => (await api.ok<{ data?: PortkeyItem[] }>("GET", "/configs", { query: { workspace_id: ws } }))?.data ?? [] },
  { what: "provider", list: (api, ws) => portkeyPages(api, "/providers", { workspace_id: ws }) },
];

async function portkeyPolicies(api: LiveApi, kind: string, workspaceId: string): Promise<PortkeyItem[]> {
  return (await api.ok<{ data?: PortkeyItem[] }>("GET", `/policies/${kind}`, { query: { workspace_id: workspaceId } }))?.data ?? [];
}

function portkeyMcpIntegrations(api: LiveApi): Promise<PortkeyItem[]> {
  return portkeyPages<PortkeyItem>(api, "/mcp-integrations");
}

async function openrouterPrivateProviders(api: LiveApi): Promise<OpenRouterItem[]> {
  return (await api.ok<{ data?: OpenRouterItem[] }>("GET", "/private-providers"))?.data ?? [];
}

/** The run id of a Portkey object: from its name, else from its `e2e` metadata. */
function tagOf(name: string, metadata: Record<string, unknown> | undefined | null): string | undefined {
  const fromName = runIdOf(name);
  if (fromName) return fromName;
  const fromMetadata = metadata?.e2e;
  return typeof fromMetadata === "string" && runIdTime(fromMetadata) !== undefined ? fromMetadata : undefined;
}

/** A delete that counts "already gone" (404, and Portkey's 403 for a deleted workspace) as done. */
async function deleteGone(api: LiveApi, method: string, path: string, query?: Record<string, string>, body?: unknown): Promise<void> {
  const response = await api.request(method, path, { body, query });
  if (response.status >= 200 && response.status < 300) return;
  if (response.status === 404) return;
  if (response.status === 403 && path.startsWith("/admin/workspaces/")) {
    // Deleted workspaces answer 403; confirm it is gone rather than forbidden.
    const check = await api.request("GET", path);
    if (check.status === 403 || check.status === 404) {
      const listed = (await portkeyWorkspaces(api)).some((w) => path.endsWith(`/${w.id}`));
      if (!listed) return;
    }
  }
  throw new Error(describeFailure(api.service, method, path, response));
}

interface PortkeyWorkspace {
  id: string;
  slug: string;
  name: string;
  created_at?: string;
  defaults?: { metadata?: Record<string, unknown> | null } | null;
}

interface PortkeyKey {
  id: string;
  name: string;
  workspace_id?: string | null;
  created_at?: string;
  defaults?: { metadata?: Record<string, unknown> | null } | null;
}

interface PortkeyIntegration {
  slug: string;
  name: string;
  created_at?: string;
}

interface OpenRouterWorkspace {
  id: string;
  slug: string;
  name: string;
  default_guardrail_id?: string;
  created_at?: string;
}

interface OpenRouterKey {
  hash: string;
  name: string;
  created_at?: string;
}

/** Every Portkey page of a list (`current_page` from 0, `page_size` 100). */
async function portkeyPages<T>(api: LiveApi, path: string, query: Record<string, string> = {}): Promise<T[]> {
  const all: T[] = [];
  for (let page = 0; page < 1000; page++) {
    const body = await api.ok<{ data?: T[]; total?: number }>("GET", path, { query: { ...query, page_size: 100, current_page: page } });
    const data = body?.data ?? [];
    all.push(...data);
    if (data.length < 100 || (typeof body.total === "number" && all.length >= body.total)) break;
  }
  return all;
}

export function portkeyWorkspaces(api: LiveApi): Promise<PortkeyWorkspace[]> {
  return portkeyPages<PortkeyWorkspace>(api, "/admin/workspaces");
}

export function portkeyKeys(api: LiveApi): Promise<PortkeyKey[]> {
  return portkeyPages<PortkeyKey>(api, "/api-keys");
}

export function portkeyIntegrations(api: LiveApi): Promise<PortkeyIntegration[]> {
  return portkeyPages<PortkeyIntegration>(api, "/integrations");
}

/** Every page of an OpenRouter list that pages by `offset`/`limit` and filters by `workspace_id`. */
async function openrouterPages<T>(api: LiveApi, path: string, workspaceId: string): Promise<T[]> {
  const all: T[] = [];
  for (let offset = 0; offset < 100_000; offset += 100) {
    const body = await api.ok<{ data?: T[]; total_count?: number }>("GET", path, { query: { offset, limit: 100, workspace_id: workspaceId } });
    const data = body?.data ?? [];
    all.push(...data);
    if (data.length < 100 || (typeof body.total_count === "number" && all.length >= body.total_count)) break;
  }
  return all;
}

export async function openrouterWorkspaces(api: LiveApi): Promise<OpenRouterWorkspace[]> {
  const all: OpenRouterWorkspace[] = [];
  for (let offset = 0; offset < 100_000; offset += 100) {
    const body = await api.ok<{ data?: OpenRouterWorkspace[]; total_count?: number }>("GET", "/workspaces", { query: { offset, limit: 100 } });
    const data = body?.data ?? [];
    all.push(...data);
    if (data.length < 100 || (typeof body.total_count === "number" && all.length >= body.total_count)) break;
  }
  return all;
}

/** Keys of one workspace (the default one when undefined), disabled ones included; 100 a page. */
export async function openrouterKeys(api: LiveApi, workspaceId: string | undefined): Promise<OpenRouterKey[]> {
  const all: OpenRouterKey[] = [];
  for (let offset = 0; offset < 100_000; offset += 100) {
    const query: Record<string, string | number> = { include_disabled: "true", offset };
    if (workspaceId) query.workspace_id = workspaceId;
    const body = await api.ok<{ data?: OpenRouterKey[] }>("GET", "/keys", { query });
    const data = body?.data ?? [];
    all.push(...data);
    if (data.length < 100) break;
  }
  return all;
}

/**
 * The kinds the tier does not run against a real organisation, and why (docs/development.md, "Live tier"). Printed by
 * every run, configured or not, so a reader of the log sees what the tier did not verify.
 */
export const NOT_RUN_LIVE: Record<string, string> = {
  "Portkey UserInvite": "every invite e-mails a real person",
  "Portkey WorkspaceMember, McpServerUserAccess users, getUser; OpenRouter WorkspaceMember, GuardrailMemberAssignment, getOrganizationMember":
    "they need a second person already in the organisation, whom the tier cannot make",
  "Portkey SecretReference": "an enterprise-plan feature pointing at a real secret manager",
  "Portkey OrganisationDefaultGuardrails":
    "organisation-wide: while set, every request of every workspace goes through the listed guardrails, and putting back what was found could undo a person's change made meanwhile",
  "OpenRouter OrganizationSettings": "organisation-wide: a change affects every member and key of the organisation until put back",
  "Portkey ScimWorkspaceMapping; OpenRouter ScimGroupMapping": "SCIM needs the organisation's identity provider pushing groups (an enterprise SSO set-up)",
  "OpenRouter PrivateEndpoint": "an endpoint makes a model routable for the organisation's members and needs a real model server behind it, which the tier does not have",
};

/** One line naming each kind not run live with its reason. */
export const NOT_RUN_LIVE_LINE = `live tier: not run live: ${Object.entries(NOT_RUN_LIVE).map(([kinds, why]) => `${kinds} (${why})`).join("; ")}.`;

/** The line printed when the tier is not configured (one line, naming the variables). */
export const SKIP_LINE =
  "live tier: skipped: set PORTKEY_LIVE_API_KEY (and PORTKEY_LIVE_BASE_URL, PORTKEY_LIVE_INTEGRATION_SLUG) and/or " +
  "OPENROUTER_LIVE_MANAGEMENT_KEY to run test/e2e/live.test.ts against the real services (see docs/development.md, \"Live tier\").";
