/**
 * Portkey's budget policies: /policies/usage-limits (with the entities each
 * one counts for, and their reset) and /policies/rate-limits. Both are scoped
 * to a workspace, match requests by `conditions` and count per distinct
 * `group_by` combination.
 *
 * Sources (portkey-admin-api-more.md §9, §10, §12): the official document
 * (SPEC) first, since the emulator validates bodies against it; where it is
 * silent, Portkey's budget-policies page (POLICY-DOC), the backend changelog
 * and the Terraform provider (TF, tested live). Each choice is named where it
 * is made.
 */
import { randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { allowed, authorize, isObject, JsonObject, page, PortkeyPrincipal, PortkeyRequest, PortkeyShared } from "./common";
import { PolicyEntityRecord, PolicyKeyRecord, PortkeyState, RateLimitsPolicyRecord, UsageLimitsPolicyRecord } from "./state";

/**
 * Keys a condition or a group-by may name: SPEC's (`api_key`,
 * `organisation_id`, `workspace_id`, `metadata.*`) and POLICY-DOC's (slugs of
 * virtual keys, providers, configs and prompts, models, the endpoint type and
 * MCP servers and tools). POLICY-DOC says `workspace_id` is valid only in
 * `group_by`; TF's live-tested policy uses it as a condition and SPEC's own
 * examples do too, so it is accepted in both.
 */
const POLICY_KEYS = new Set(["api_key", "organisation_id", "workspace_id", "virtual_key", "provider", "config", "prompt", "model", "endpoint_type", "mcp_server", "mcp_tool"]);

/** The policy routes and their rules. */
export class PortkeyPolicyRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/policies/usage-limits", (ctx) => this.createUsagePolicy(ctx))
      .add("GET", "/policies/usage-limits", (ctx) => this.listUsagePolicies(ctx))
      .add("GET", "/policies/usage-limits/{policyUsageLimitsId}", (ctx) => this.getUsagePolicy(ctx))
      .add("PUT", "/policies/usage-limits/{policyUsageLimitsId}", (ctx) => this.updateUsagePolicy(ctx))
      .add("DELETE", "/policies/usage-limits/{policyUsageLimitsId}", (ctx) => this.deleteUsagePolicy(ctx))
      .add("GET", "/policies/usage-limits/{policyUsageLimitsId}/entities", (ctx) => this.listEntities(ctx))
      .add("PUT", "/policies/usage-limits/{policyUsageLimitsId}/entities/{entityId}/reset", (ctx) => this.resetEntity(ctx))
      .add("POST", "/policies/rate-limits", (ctx) => this.createRatePolicy(ctx))
      .add("GET", "/policies/rate-limits", (ctx) => this.listRatePolicies(ctx))
      .add("GET", "/policies/rate-limits/{rateLimitsPolicyId}", (ctx) => this.getRatePolicy(ctx))
      .add("PUT", "/policies/rate-limits/{rateLimitsPolicyId}", (ctx) => this.updateRatePolicy(ctx))
      .add("DELETE", "/policies/rate-limits/{rateLimitsPolicyId}", (ctx) => this.deleteRatePolicy(ctx));
  }

  // ------------------------------------------------------------ usage limits

  private createUsagePolicy(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const workspaceId = this.workspaceOf(ctx, body);
    authorize(ctx, "policies.create", { workspaceId });
    const creditLimit = body.credit_limit as number;
    const alertThreshold = typeof body.alert_threshold === "number" ? body.alert_threshold : null;
    checkAlertBelowCredit(alertThreshold, creditLimit);
    const periodicReset = typeof body.periodic_reset === "string" ? body.periodic_reset : null;
    const periodicResetDays = resetDays(body.periodic_reset_days);
    if (periodicReset && periodicResetDays !== null) throw invalid("periodic_reset and periodic_reset_days are mutually exclusive");
    const now = ctx.now.toISOString();
    const record: UsageLimitsPolicyRecord = {
      id: randomUUID(),
      name: typeof body.name === "string" ? body.name : null,
      conditions: keyList(body.conditions, "conditions", true),
      group_by: keyList(body.group_by, "group_by", false),
      type: body.type as string,
      credit_limit: creditLimit,
      alert_threshold: alertThreshold,
      periodic_reset: periodicReset,
      periodic_reset_days: periodicResetDays,
      next_usage_reset_at: nextReset(periodicReset, periodicResetDays, ctx.now),
      last_reset_at: null,
      status: "active",
      workspace_id: workspaceId,
      created_at: now,
      last_updated_at: now,
      entities: {},
    };
    usagePoliciesOf(this.shared.state(ctx))[record.id] = record;
    return { body: { id: record.id, object: "policy_usage_limits" } };
  }

  private listUsagePolicies(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const matches = this.listFilter(ctx, state, "type");
    const items = Object.values(usagePoliciesOf(state)).filter(matches).sort(byCreation);
    return { body: page(items, ctx.query, (p) => usagePolicyJson(p, state, false)) };
  }

  private getUsagePolicy(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.findUsagePolicy(ctx, "policies.read", statusQuery(ctx));
    const includeUsage = ctx.query.get("include_usage") === "true";
    return { body: { ...usagePolicyJson(record, state, includeUsage), object: "policy_usage_limits" } };
  }

  private updateUsagePolicy(ctx: PortkeyRequest): HandlerResult {
    const record = this.findUsagePolicy(ctx, "policies.update");
    const body = this.shared.checkedBody(ctx);
    // SPEC's update takes none of these; what live does with them is not established: refused, so a client that sends them learns it.
    refuseFixed(body, ["type", "group_by", "workspace_id", "organisation_id"]);
    const creditLimit = typeof body.credit_limit === "number" ? body.credit_limit : record.credit_limit;
    const alertThreshold = "alert_threshold" in body ? (typeof body.alert_threshold === "number" ? body.alert_threshold : null) : record.alert_threshold;
    checkAlertBelowCredit(alertThreshold, creditLimit);
    let periodicReset = record.periodic_reset;
    let periodicResetDays = record.periodic_reset_days;
    if ("periodic_reset" in body) periodicReset = typeof body.periodic_reset === "string" ? body.periodic_reset : null;
    if ("periodic_reset_days" in body) periodicResetDays = resetDays(body.periodic_reset_days);
    if (periodicReset && periodicResetDays !== null) throw invalid("periodic_reset and periodic_reset_days are mutually exclusive");
    const resetValue = body.reset_usage_for_value;
    const resetEntity = resetValue === undefined ? undefined : findEntityByValue(record, resetValue);
    if (typeof body.name === "string") record.name = body.name;
    // Conditions change in place since backend 1.16.0 (changelog; not in SPEC's update schema).
    if (body.conditions !== undefined) record.conditions = keyList(body.conditions, "conditions", true);
    const raised = creditLimit > record.credit_limit;
    record.credit_limit = creditLimit;
    record.alert_threshold = alertThreshold;
    if (periodicReset !== record.periodic_reset || periodicResetDays !== record.periodic_reset_days) {
      record.periodic_reset = periodicReset;
      record.periodic_reset_days = periodicResetDays;
      record.next_usage_reset_at = nextReset(periodicReset, periodicResetDays, ctx.now);
    }
    // Backend 1.20.0: raising the credit limit reactivates exhausted entities that are now below it.
    if (raised) for (const entity of Object.values(record.entities)) if (entity.current_usage < creditLimit) entity.status = "active";
    if (resetEntity) resetUsage(record, resetEntity, ctx.now);
    record.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteUsagePolicy(ctx: PortkeyRequest): HandlerResult {
    const record = this.findUsagePolicy(ctx, "policies.delete");
    // SPEC: "Archive (soft delete)"; an archived policy is found only with ?status=archived.
    record.status = "archived";
    record.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private listEntities(ctx: PortkeyRequest): HandlerResult {
    const record = this.findUsagePolicy(ctx, "policies.read");
    const status = ctx.query.get("status");
    if (status !== null && status !== "active" && status !== "exhausted") throw invalid("status must be one of active, exhausted");
    const size = ctx.query.get("page_size");
    if (size !== null && !(Number.isInteger(Number(size)) && Number(size) >= 1 && Number(size) <= 100)) throw invalid("page_size must be an integer from 1 to 100");
    const search = ctx.query.get("search") ?? "";
    const entities = Object.values(record.entities)
      .filter((e) => status === null || e.status === status)
      .filter((e) => e.value_key.includes(search))
      .sort((a, b) => a.value_key.localeCompare(b.value_key));
    return { body: page(entities, ctx.query, (e) => ({ id: e.id, value_key: e.value_key, current_usage: e.current_usage })) };
  }

  private resetEntity(ctx: PortkeyRequest): HandlerResult {
    const record = this.findUsagePolicy(ctx, "policies.update");
    const entity = record.entities[ctx.params.entityId];
    if (!entity) throw portkeyError("AB08", `Entity not found: ${ctx.params.entityId}`);
    resetUsage(record, entity, ctx.now);
    return { body: {} };
  }

  // ------------------------------------------------------------- rate limits

  private createRatePolicy(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const workspaceId = this.workspaceOf(ctx, body);
    authorize(ctx, "policies.create", { workspaceId });
    const now = ctx.now.toISOString();
    const target = rateTarget(body.target);
    const conditions = keyList(body.conditions, "conditions", true);
    const groupBy = keyList(body.group_by, "group_by", false);
    if (target === "mcp_tools") mcpToolKeys([...conditions, ...groupBy]);
    const record: RateLimitsPolicyRecord = {
      id: randomUUID(),
      name: typeof body.name === "string" ? body.name : null,
      target,
      conditions,
      group_by: groupBy,
      type: body.type as string,
      unit: body.unit as string,
      value: rateValue(body.value),
      status: "active",
      workspace_id: workspaceId,
      created_at: now,
      last_updated_at: now,
    };
    ratePoliciesOf(this.shared.state(ctx))[record.id] = record;
    return { body: { id: record.id, object: "policy_rate_limits" } };
  }

  private listRatePolicies(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const matches = this.listFilter(ctx, state, "type", "unit");
    // `target` (backend 1.24.0): absent lists every policy.
    const target = ctx.query.get("target");
    if (target !== null) rateTarget(target);
    const items = Object.values(ratePoliciesOf(state))
      .filter(matches)
      .filter((p) => target === null || (p.target ?? "llm") === target)
      .sort(byCreation);
    return { body: page(items, ctx.query, (p) => ratePolicyJson(p, state)) };
  }

  private getRatePolicy(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.findRatePolicy(ctx, "policies.read", statusQuery(ctx));
    return { body: { ...ratePolicyJson(record, state), object: "policy_rate_limits" } };
  }

  private updateRatePolicy(ctx: PortkeyRequest): HandlerResult {
    const record = this.findRatePolicy(ctx, "policies.update");
    const body = this.shared.checkedBody(ctx);
    refuseFixed(body, ["type", "group_by", "workspace_id", "organisation_id", "target"]);
    const value = body.value === undefined ? record.value : rateValue(body.value);
    const conditions = body.conditions === undefined ? record.conditions : keyList(body.conditions, "conditions", true);
    if (record.target === "mcp_tools") mcpToolKeys(conditions);
    if (typeof body.name === "string") record.name = body.name;
    if (typeof body.unit === "string") record.unit = body.unit;
    record.value = value;
    record.conditions = conditions;
    record.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteRatePolicy(ctx: PortkeyRequest): HandlerResult {
    const record = this.findRatePolicy(ctx, "policies.delete");
    // Choice: archived like usage-limits policies (SPEC says only "Delete", but rate policies carry the same active|archived status).
    record.status = "archived";
    record.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  // ------------------------------------------------------------------ shared

  /**
   * The workspace a new policy goes to: the body's (UUID or slug); a
   * workspace key's own when the body names none; required with an
   * organisation admin key (SPEC: "Required if not using API key
   * authentication"). A body's `organisation_id` must be the caller's.
   */
  private workspaceOf(ctx: PortkeyRequest, body: JsonObject): string {
    const organisation = body.organisation_id;
    if (typeof organisation === "string" && organisation !== this.shared.state(ctx).organisation_id) {
      throw portkeyError("AB08", `Organisation not found: ${organisation}`);
    }
    const given = body.workspace_id;
    if (typeof given === "string" && given !== "") return this.shared.findWorkspace(ctx, given).id;
    const principal = ctx.principal;
    if (principal.kind === "key" && principal.key.type === "workspace" && principal.key.workspace_id) return principal.key.workspace_id;
    throw invalid("workspace_id: is required when using an organisation admin API key");
  }

  /** The list filters SPEC names: workspace (UUID or slug), status (default active) and the given enum fields. */
  private listFilter(ctx: PortkeyRequest, state: PortkeyState, ...fields: ("type" | "unit")[]) {
    const given = ctx.query.get("workspace_id");
    const workspaceId = given ? this.shared.findWorkspace(ctx, given).id : undefined;
    const status = statusQuery(ctx);
    const wanted = fields.map((field) => [field, ctx.query.get(field)] as const);
    return (p: UsageLimitsPolicyRecord | RateLimitsPolicyRecord) =>
      workspaceLive(state, p.workspace_id) &&
      (!workspaceId || p.workspace_id === workspaceId) &&
      p.status === status &&
      wanted.every(([field, value]) => value === null || (p as unknown as Record<string, unknown>)[field] === value) &&
      allowed(ctx, "policies.list", p.workspace_id);
  }

  /** By id, in the status asked for (active unless `status` says archived), in a live workspace the caller may use with `scope`. */
  private findUsagePolicy(ctx: PortkeyRequest, scope: string, status = "active"): UsageLimitsPolicyRecord {
    const state = this.shared.state(ctx);
    const id = ctx.params.policyUsageLimitsId;
    const record = usagePoliciesOf(state)[id];
    if (!record || record.status !== status || !workspaceLive(state, record.workspace_id)) throw portkeyError("AB08", `Usage limits policy not found: ${id}`);
    authorize(ctx, scope, { workspaceId: record.workspace_id });
    return record;
  }

  private findRatePolicy(ctx: PortkeyRequest, scope: string, status = "active"): RateLimitsPolicyRecord {
    const state = this.shared.state(ctx);
    const id = ctx.params.rateLimitsPolicyId;
    const record = ratePoliciesOf(state)[id];
    if (!record || record.status !== status || !workspaceLive(state, record.workspace_id)) throw portkeyError("AB08", `Rate limits policy not found: ${id}`);
    authorize(ctx, scope, { workspaceId: record.workspace_id });
    return record;
  }
}

/**
 * Records usage against a usage-limits policy for one entity (what the
 * gateway does as requests pass; the emulator serves no gateway, so tests
 * call this): makes the entity on first use, and marks it exhausted at the
 * credit limit. Returns the entity.
 */
export function recordPolicyUsage(state: PortkeyState, policyId: string, valueKey: string, amount: number): PolicyEntityRecord {
  const policy = usagePoliciesOf(state)[policyId];
  if (!policy) throw new Error(`no usage limits policy ${policyId}`);
  const entity = Object.values(policy.entities).find((e) => e.value_key === valueKey) ?? {
    id: randomUUID(),
    value_key: valueKey,
    current_usage: 0,
    status: "active" as const,
    is_threshold_alerts_sent: false,
    is_exhausted_alerts_sent: false,
  };
  policy.entities[entity.id] = entity;
  entity.current_usage += amount;
  if (policy.alert_threshold !== null && entity.current_usage >= policy.alert_threshold) entity.is_threshold_alerts_sent = true;
  if (entity.current_usage >= policy.credit_limit) entity.status = "exhausted";
  return entity;
}

function usagePoliciesOf(state: PortkeyState): Record<string, UsageLimitsPolicyRecord> {
  return (state.usage_limits_policies ??= {});
}

function ratePoliciesOf(state: PortkeyState): Record<string, RateLimitsPolicyRecord> {
  return (state.rate_limits_policies ??= {});
}

function invalid(problem: string) {
  return portkeyError("AB01", `Invalid request. ${problem}`);
}

function statusQuery(ctx: PortkeyRequest): string {
  const status = ctx.query.get("status") ?? "active";
  if (status !== "active" && status !== "archived") throw invalid("status must be one of active, archived");
  return status;
}

function workspaceLive(state: PortkeyState, id: string): boolean {
  const workspace = state.workspaces[id];
  return !!workspace && !workspace.deleted_at;
}

function byCreation(a: { created_at: string }, b: { created_at: string }): number {
  return a.created_at.localeCompare(b.created_at);
}

/** Fields an update cannot change (§12: they replace the policy). */
function refuseFixed(body: JsonObject, fields: string[]): void {
  const sent = fields.filter((field) => body[field] !== undefined);
  if (sent.length > 0) throw invalid(`${sent.join(", ")}: cannot be changed; create a new policy`);
}

/**
 * `conditions` (`{key, value}`) or `group_by` (`{key}`): at least one (SPEC
 * checks that), keys from POLICY_KEYS or `metadata.<field>`, and no key
 * grouped twice.
 */
function keyList(value: unknown, field: string, withValue: boolean): PolicyKeyRecord[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid(`${field}: must be a non-empty array`);
  const seen = new Set<string>();
  return value.map((item, i) => {
    if (!isObject(item) || typeof item.key !== "string") throw invalid(`${field}[${i}].key: is required`);
    const key = item.key;
    if (!POLICY_KEYS.has(key) && !/^metadata\.[^.\s]+/.test(key)) throw invalid(`${field}[${i}].key: '${key}' is not a policy key`);
    if (!withValue) {
      if (seen.has(key)) throw invalid(`${field}[${i}].key: '${key}' is listed twice`);
      seen.add(key);
      return { key };
    }
    if (typeof item.value !== "string" || item.value === "") throw invalid(`${field}[${i}].value: must be a non-empty string`);
    return { key, value: item.value };
  });
}

/**
 * A rate policy's `target` (DOCS mcp-gateway rate-limits, backend 1.24.0):
 * `llm`, the default and what every older policy is, or `mcp_tools`. Fixed
 * at creation.
 */
function rateTarget(value: unknown): "llm" | "mcp_tools" {
  if (value === undefined || value === null) return "llm";
  if (value !== "llm" && value !== "mcp_tools") throw invalid("target: must be one of llm, mcp_tools");
  return value;
}

/** The keys an `mcp_tools` policy may match and group by (DOCS mcp-gateway rate-limits). */
function mcpToolKeys(keys: PolicyKeyRecord[]): void {
  for (const { key } of keys) {
    if (!["api_key", "workspace_id", "mcp_server", "mcp_tool"].includes(key) && !key.startsWith("metadata.")) {
      throw invalid(`'${key}' is not a key of an mcp_tools policy (api_key, workspace_id, mcp_server, mcp_tool, metadata.*)`);
    }
  }
}

/** SPEC: "Must be less than credit_limit". */
function checkAlertBelowCredit(alert: number | null, credit: number): void {
  if (alert !== null && alert >= credit) throw invalid("alert_threshold: must be less than credit_limit");
}

/** `periodic_reset_days` (backend 1.15.0; a response field only in SPEC): an integer 1–365, or null. */
function resetDays(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 365) throw invalid("periodic_reset_days: must be an integer from 1 to 365");
  return value;
}

/** SPEC types `value` as any number; POLICY-DOC says an integer >= 1. Choice: at least 1 enforced, fractions accepted (TF reads it as a float). */
function rateValue(value: unknown): number {
  if (typeof value !== "number" || value < 1) throw invalid("value: must be a number >= 1");
  return value;
}

/** An entity by its value key (what `reset_usage_for_value` names). */
function findEntityByValue(record: UsageLimitsPolicyRecord, value: unknown): PolicyEntityRecord {
  const entity = typeof value === "string" ? Object.values(record.entities).find((e) => e.value_key === value) : undefined;
  if (!entity) throw portkeyError("AB08", `No usage is tracked for value key: ${String(value)}`);
  return entity;
}

function resetUsage(policy: UsageLimitsPolicyRecord, entity: PolicyEntityRecord, now: Date): void {
  entity.current_usage = 0;
  entity.status = "active";
  entity.is_threshold_alerts_sent = false;
  entity.is_exhausted_alerts_sent = false;
  // Choice: the policy's last_reset_at records any reset, an entity's included (SPEC: "the last usage reset").
  policy.last_reset_at = now.toISOString();
}

/** POLICY-DOC: monthly the 1st, weekly Monday, every N days from now; all at 00:00 UTC. */
function nextReset(periodic: string | null, days: number | null, now: Date): string | null {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (periodic === "monthly") return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
  if (periodic === "weekly") {
    const day = new Date(midnight).getUTCDay();
    return new Date(midnight + (((8 - day) % 7) || 7) * 86_400_000).toISOString();
  }
  if (days !== null) return new Date(midnight + days * 86_400_000).toISOString();
  return null;
}

function usagePolicyJson(p: UsageLimitsPolicyRecord, state: PortkeyState, includeUsage: boolean): JsonObject {
  const json: JsonObject = {
    id: p.id,
    name: p.name,
    conditions: p.conditions,
    group_by: p.group_by,
    type: p.type,
    credit_limit: p.credit_limit,
    alert_threshold: p.alert_threshold,
    periodic_reset: p.periodic_reset,
    periodic_reset_days: p.periodic_reset_days,
    next_usage_reset_at: p.next_usage_reset_at,
    last_reset_at: p.last_reset_at,
    status: p.status,
    workspace_id: p.workspace_id,
    organisation_id: state.organisation_id,
    created_at: p.created_at,
    last_updated_at: p.last_updated_at,
  };
  if (includeUsage) {
    json.value_key_usage_map = Object.fromEntries(
      Object.values(p.entities).map((e) => [
        e.value_key,
        { current_usage: e.current_usage, status: e.status, is_threshold_alerts_sent: e.is_threshold_alerts_sent, is_exhausted_alerts_sent: e.is_exhausted_alerts_sent },
      ]),
    );
  }
  return json;
}

function ratePolicyJson(p: RateLimitsPolicyRecord, state: PortkeyState): JsonObject {
  return {
    id: p.id,
    name: p.name,
    conditions: p.conditions,
    group_by: p.group_by,
    target: p.target ?? "llm",
    type: p.type,
    unit: p.unit,
    value: p.value,
    status: p.status,
    workspace_id: p.workspace_id,
    organisation_id: state.organisation_id,
    created_at: p.created_at,
    last_updated_at: p.last_updated_at,
  };
}
