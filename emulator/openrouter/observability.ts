/**
 * OpenRouter observability destinations, /observability/destinations: one of
 * 17 types, each with its own `config` (camelCase keys, required ones
 * checked, documented defaults filled in, credentials answered masked), at
 * most 5 per type in a workspace (409), a PATCH merging `config` (keys left
 * out are kept, masked echoes ignored), soft deletes. `type` and
 * `workspace_id` are fixed at creation.
 */
import { randomUUID } from "node:crypto";
import { HandlerResult, Router } from "../router";
import { JsonObject, objectBody, OpenRouterPrincipal, OpenRouterRequest, openrouterError, paging, requiredString } from "./common";
import { OpenRouterDestinationRecord, OpenRouterState } from "./state";
import { DATA_REGIONS, KEY_HASH, knownKeyHashes, masked, optionalBoolean, scopedWorkspaceId, stringList } from "./scope";

interface TypeConfig {
  required: string[];
  /** Optional keys, with the documented default filled in when there is one. */
  optional: Record<string, string | null>;
}

/** openrouter-api-more.md §7: each type's config keys (S1's request schemas, defaults from its response schemas). */
const TYPES: Record<string, TypeConfig> = {
  arize: { required: ["apiKey", "spaceKey", "modelId"], optional: { baseUrl: "https://otlp.arize.com" } },
  braintrust: { required: ["apiKey", "projectId"], optional: { baseUrl: null } },
  clickhouse: { required: ["host", "database", "username", "password"], optional: { table: "OPENROUTER_TRACES" } },
  datadog: { required: ["apiKey", "mlApp"], optional: { url: "https://api.us5.datadoghq.com" } },
  grafana: { required: ["apiKey", "instanceId"], optional: { baseUrl: null } },
  langfuse: { required: ["publicKey", "secretKey"], optional: { baseUrl: "https://us.cloud.langfuse.com" } },
  langsmith: { required: ["apiKey"], optional: { endpoint: null, project: "main", workspaceId: null } },
  newrelic: { required: ["licenseKey"], optional: { region: "us" } },
  opik: { required: ["apiKey", "workspace", "projectName"], optional: {} },
  "otel-collector": { required: ["endpoint"], optional: {} },
  posthog: { required: ["apiKey"], optional: { endpoint: null } },
  ramp: { required: ["apiKey"], optional: { baseUrl: null } },
  s3: {
    required: ["bucketName", "accessKeyId", "secretAccessKey"],
    optional: { region: null, endpoint: null, sessionToken: null, prefix: "openrouter-traces", pathTemplate: "{prefix}/{date}" },
  },
  sentry: { required: ["otlpEndpoint", "dsn"], optional: {} },
  snowflake: { required: ["account", "token"], optional: { database: null, schema: "PUBLIC", table: null, warehouse: null } },
  weave: { required: ["apiKey", "entity", "project"], optional: { baseUrl: null } },
  webhook: { required: ["url"], optional: { method: "POST" } },
};

/**
 * Config keys answered masked. The reference says secrets are masked
 * (`sk-l...AbCd`) without listing them: the credential-named keys are the
 * emulator's choice.
 */
const MASKED_KEYS = new Set(["apiKey", "spaceKey", "password", "secretKey", "licenseKey", "secretAccessKey", "sessionToken", "token", "dsn"]);

const FILTER_FIELDS = ["model", "provider", "session_id", "user_id", "api_key_name", "finish_reason", "input", "output", "total_cost", "total_tokens", "prompt_tokens", "completion_tokens"];
const FILTER_OPERATORS = ["equals", "not_equals", "contains", "not_contains", "regex", "starts_with", "ends_with", "gt", "lt", "gte", "lte", "exists", "not_exists"];
const PER_TYPE_LIMIT = 5;

/** The destination routes and their rules. */
export class OpenRouterObservabilityRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/observability/destinations", (ctx) => this.listDestinations(ctx))
      .add("POST", "/observability/destinations", (ctx) => this.createDestination(ctx))
      .add("GET", "/observability/destinations/{id}", (ctx) => ({ body: { data: destinationJson(this.findDestination(ctx.params.id)) } }))
      .add("PATCH", "/observability/destinations/{id}", (ctx) => this.updateDestination(ctx))
      .add("DELETE", "/observability/destinations/{id}", (ctx) => this.deleteDestination(ctx));
  }

  private records(): Record<string, OpenRouterDestinationRecord> {
    // Absent in older state files.
    return (this.state().destinations ??= {});
  }

  private listDestinations(ctx: OpenRouterRequest): HandlerResult {
    const { offset, limit } = paging(ctx.query, 50, 100);
    const workspaceId = scopedWorkspaceId(this.state(), ctx.query.get("workspace_id") ?? undefined);
    const all = Object.values(this.records())
      .filter((d) => !d.deleted_at && d.workspace_id === workspaceId)
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { body: { data: all.slice(offset, offset + limit).map(destinationJson), total_count: all.length } };
  }

  private createDestination(ctx: OpenRouterRequest): HandlerResult {
    const body = objectBody(ctx);
    const type = body.type;
    if (typeof type !== "string" || !(type in TYPES)) throw openrouterError(400, `type must be one of ${Object.keys(TYPES).join(", ")}`);
    const name = requiredString(body, "name", 1);
    if (body.config === undefined) throw openrouterError(400, "config: Required");
    const workspaceId = scopedWorkspaceId(this.state(), body.workspace_id);
    const sameType = Object.values(this.records()).filter((d) => !d.deleted_at && d.workspace_id === workspaceId && d.type === type);
    // §10: whether the limit is per workspace or per account is not established; per workspace here.
    if (sameType.length >= PER_TYPE_LIMIT) throw openrouterError(409, `At most ${PER_TYPE_LIMIT} destinations of type ${type} are allowed`);
    const now = ctx.now.toISOString();
    const record: OpenRouterDestinationRecord = {
      id: randomUUID(),
      workspace_id: workspaceId,
      type,
      name,
      config: checkedConfig(type, mergedConfig(type, {}, body.config)),
      enabled: true,
      privacy_mode: false,
      sampling_rate: 1,
      api_key_hashes: null,
      broadcast_generation_cost: false,
      broadcast_generation_identity: false,
      broadcast_generation_request_context: false,
      broadcast_generation_cost_allocation: false,
      regions: ["global"],
      filter_rules: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    this.applyFields(record, body);
    this.records()[record.id] = record;
    return { status: 201, body: { data: destinationJson(record) } };
  }

  private updateDestination(ctx: OpenRouterRequest): HandlerResult {
    const record = this.findDestination(ctx.params.id);
    const body = objectBody(ctx);
    // Fixed at creation (not in the PATCH body); refusing them, rather than ignoring them, is a choice.
    for (const field of ["type", "workspace_id"]) {
      if (field in body) throw openrouterError(400, `${field} cannot be changed after creation`);
    }
    if (body.name !== undefined) record.name = requiredString(body, "name", 1);
    if (body.config !== undefined) record.config = checkedConfig(record.type, mergedConfig(record.type, record.config, body.config));
    this.applyFields(record, body);
    record.updated_at = ctx.now.toISOString();
    return { body: { data: destinationJson(record) } };
  }

  private deleteDestination(ctx: OpenRouterRequest): HandlerResult {
    const record = this.findDestination(ctx.params.id);
    record.deleted_at = ctx.now.toISOString();
    return { body: { deleted: true } };
  }

  private findDestination(id: string): OpenRouterDestinationRecord {
    const record = this.records()[id];
    if (!record || record.deleted_at) throw openrouterError(404, "Observability destination not found");
    return record;
  }

  /** The optional fields a create or PATCH body names, each checked; `null` clears the nullable ones. */
  private applyFields(record: OpenRouterDestinationRecord, body: JsonObject): void {
    record.enabled = optionalBoolean(body, "enabled") ?? record.enabled;
    record.privacy_mode = optionalBoolean(body, "privacy_mode") ?? record.privacy_mode;
    for (const field of ["broadcast_generation_cost", "broadcast_generation_identity", "broadcast_generation_request_context", "broadcast_generation_cost_allocation"] as const) {
      record[field] = optionalBoolean(body, field) ?? record[field] ?? false;
    }
    if (body.regions !== undefined) {
      // S3 (`openrouter` 1.3.84): a non-empty list; `eu` is an alias that reads back as `europe`.
      const regions = body.regions;
      const known = (r: unknown) => typeof r === "string" && (DATA_REGIONS.includes(r) || r === "eu");
      if (!Array.isArray(regions) || regions.length === 0 || !regions.every(known)) throw openrouterError(400, "regions must be a non-empty list of global, europe (or eu) and us");
      record.regions = [...new Set((regions as string[]).map((r) => (r === "eu" ? "europe" : r)))];
    }
    if (body.sampling_rate !== undefined) {
      const rate = body.sampling_rate;
      if (typeof rate !== "number" || rate < 0.0001 || rate > 1) throw openrouterError(400, "sampling_rate must be a number from 0.0001 to 1");
      record.sampling_rate = rate;
    }
    const hashes = stringList(body, "api_key_hashes", { min: 1, max: Infinity, pattern: KEY_HASH });
    // Documented for BYOK allowlists (foreign hashes: 400); the same rule here is a choice.
    knownKeyHashes(this.state(), "api_key_hashes", hashes);
    if (hashes !== undefined) record.api_key_hashes = hashes;
    if (body.filter_rules !== undefined) record.filter_rules = filterRules(body.filter_rules);
  }
}

/**
 * The stored config with a request's `config` merged in: keys it names are
 * set (a value equal to the masked form of the stored secret is an echo and
 * ignored), keys it leaves out are kept; `headers` is replaced whole (how the
 * live API merges nested maps is not documented); unknown keys are dropped.
 */
function mergedConfig(type: string, stored: Record<string, unknown>, sent: unknown): Record<string, unknown> {
  if (sent === null || typeof sent !== "object" || Array.isArray(sent)) throw openrouterError(400, "config must be an object");
  const known = new Set([...TYPES[type].required, ...Object.keys(TYPES[type].optional), "headers"]);
  const merged = { ...stored };
  for (const [key, value] of Object.entries(sent as Record<string, unknown>)) {
    if (!known.has(key)) continue;
    const current = merged[key];
    if (MASKED_KEYS.has(key) && typeof current === "string" && value === masked(current)) continue;
    merged[key] = value;
  }
  return merged;
}

/** A config whose required keys are strings, optional ones strings (defaults filled in), headers a string map. */
function checkedConfig(type: string, config: Record<string, unknown>): Record<string, unknown> {
  const { required, optional } = TYPES[type];
  for (const key of required) {
    const value = config[key];
    // Worded as the live API's validation (TFOR dev-856: "bucketName: ... received undefined").
    if (typeof value !== "string" || value.length === 0) throw openrouterError(400, `config.${key}: Expected a non-empty string, received ${value === undefined ? "undefined" : typeof value}`);
  }
  const result: Record<string, unknown> = {};
  for (const key of required) result[key] = config[key];
  for (const [key, fallback] of Object.entries(optional)) {
    const value = config[key];
    if (value !== undefined && value !== null && typeof value !== "string") throw openrouterError(400, `config.${key}: Expected a string, received ${typeof value}`);
    const chosen = value ?? fallback;
    if (chosen !== null && chosen !== undefined) result[key] = chosen;
  }
  const headers = config.headers;
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== "object" || Array.isArray(headers) || Object.values(headers).some((v) => typeof v !== "string")) {
      throw openrouterError(400, "config.headers: Expected a map of strings");
    }
    // `{}` is no headers (choice: how the live API stores an empty map is not documented).
    if (Object.keys(headers).length > 0) result.headers = headers;
  }
  return result;
}

/** `filter_rules`: null, or `{enabled?, groups: [{logic?, rules: [{field, operator, value?}]}]}` with the documented enums and defaults. */
function filterRules(value: unknown): JsonObject | null {
  if (value === null) return null;
  const bad = (why: string) => openrouterError(400, `filter_rules: ${why}`);
  if (typeof value !== "object" || Array.isArray(value)) throw bad("must be an object or null");
  const rules = value as JsonObject;
  if (rules.enabled !== undefined && typeof rules.enabled !== "boolean") throw bad("enabled must be a boolean");
  if (!Array.isArray(rules.groups)) throw bad("groups is required (a list)");
  const groups = rules.groups.map((group: unknown) => {
    if (group === null || typeof group !== "object" || Array.isArray(group)) throw bad("each group must be an object");
    const g = group as JsonObject;
    if (g.logic !== undefined && g.logic !== "and" && g.logic !== "or") throw bad("logic must be and or or");
    if (!Array.isArray(g.rules)) throw bad("each group needs rules (a list)");
    return {
      logic: g.logic ?? "and",
      rules: g.rules.map((rule: unknown) => {
        const r = (rule ?? {}) as JsonObject;
        if (!FILTER_FIELDS.includes(r.field as string)) throw bad(`field must be one of ${FILTER_FIELDS.join(", ")}`);
        if (!FILTER_OPERATORS.includes(r.operator as string)) throw bad(`operator must be one of ${FILTER_OPERATORS.join(", ")}`);
        if (r.value !== undefined && typeof r.value !== "string" && typeof r.value !== "number") throw bad("value must be a string or a number");
        return { field: r.field, operator: r.operator, ...(r.value !== undefined ? { value: r.value } : {}) };
      }),
    };
  });
  return { enabled: rules.enabled ?? true, groups };
}

/** A destination as the API answers it: credentials masked. */
function destinationJson(d: OpenRouterDestinationRecord): JsonObject {
  const config = Object.fromEntries(
    Object.entries(d.config).map(([key, value]) => [key, MASKED_KEYS.has(key) && typeof value === "string" ? masked(value) : value]),
  );
  return {
    id: d.id,
    workspace_id: d.workspace_id,
    type: d.type,
    name: d.name,
    config,
    enabled: d.enabled,
    privacy_mode: d.privacy_mode,
    sampling_rate: d.sampling_rate,
    api_key_hashes: d.api_key_hashes,
    broadcast_generation_cost: d.broadcast_generation_cost,
    broadcast_generation_identity: d.broadcast_generation_identity,
    broadcast_generation_request_context: d.broadcast_generation_request_context,
    broadcast_generation_cost_allocation: d.broadcast_generation_cost_allocation ?? false,
    regions: [...(d.regions ?? ["global"])],
    filter_rules: d.filter_rules,
    created_at: d.created_at,
    updated_at: d.updated_at,
  };
}
