/**
 * What the Portkey nouns share: who is calling and what a key may do, request
 * bodies checked against the official document, the workspace and integration
 * lookups, the behaviour switches for limits, field checks and paging.
 */
import { portkeyError } from "../errors";
import { RequestContext } from "../router";
import { PortkeySpec } from "../spec";
import { ApiKeyRecord, IntegrationRecord, PortkeyState, StaleLimits, WorkspaceRecord } from "./state";

/**
 * Who is calling, and in which organisation: a configured admin key, or a key
 * created through the emulator (which belongs to the organisation it was
 * created in). Everything a request sees is in that organisation.
 */
export type PortkeyPrincipal = { kind: "admin"; organisation_id: string } | { kind: "key"; key: ApiKeyRecord; organisation_id: string };

/** Behaviour switches where the sources disagree or are silent. */
export interface PortkeyBehaviour {
  /** How long GETs keep returning the previous limits after a write (0: never stale). */
  staleReadMs: number;
  /** Whether `[]` clears limits like `null` does (the live behaviour is unverified). */
  emptyArrayClearsLimits: boolean;
  /**
   * What a workspace PUT carrying `defaults` does to defaults it does not
   * name: "replace" clears them, "merge" keeps them (live: not established).
   */
  workspaceDefaultsOnPut: "replace" | "merge";
}

/** One Portkey request as its handler sees it. */
export type PortkeyRequest = RequestContext<PortkeyPrincipal>;

/** A JSON object: a request body, or a response being built. */
export type JsonObject = Record<string, unknown>;

/** The limit lists of a workspace or an access row, current or as a stale read shows them. */
export type LimitLists = Pick<StaleLimits, "usage_limits" | "rate_limits">;

/**
 * The organisations, the official document and the behaviour switches, one
 * instance for all nouns, with the rules that need them.
 */
export class PortkeyShared {
  constructor(
    /** Every organisation; read on every call: a reset or a rollback replaces the whole state. */
    readonly organisations: () => readonly PortkeyState[],
    readonly spec: PortkeySpec,
    readonly behaviour: PortkeyBehaviour,
  ) {}

  /** The caller's organisation: all a request can see or change. */
  state(ctx: PortkeyRequest): PortkeyState {
    const id = ctx.principal.organisation_id;
    const organisation = this.organisations().find((o) => o.organisation_id === id);
    if (!organisation) throw portkeyError("AB05", "Unauthorised Request: invalid api key");
    return organisation;
  }

  /** Checks the body against the official document, then returns it as an object. */
  checkedBody(ctx: PortkeyRequest): JsonObject {
    const body = ctx.body === undefined ? {} : ctx.body;
    if (!isObject(body)) throw portkeyError("AB01", "Invalid request. The body must be a JSON object.");
    const problems = this.spec.checkRequest(ctx.method, ctx.template, body);
    if (problems.length > 0) throw portkeyError("AB01", `Invalid request. ${problems.join("; ")}`);
    return body;
  }

  /** By UUID or slug, in the caller's organisation; a deleted workspace answers 403 AB03 as the live API does. */
  findWorkspace(ctx: PortkeyRequest, idOrSlug: string): WorkspaceRecord {
    const all = this.state(ctx).workspaces;
    const workspace = all[idOrSlug] ?? Object.values(all).find((w) => w.slug === idOrSlug);
    if (!workspace) throw portkeyError("AB08", `Workspace not found: ${idOrSlug}`);
    if (workspace.deleted_at) throw portkeyError("AB03", "You do not have access to this workspace");
    return workspace;
  }

  /** By slug (unique within an organisation) or UUID, as live paths take either. */
  findIntegration(ctx: PortkeyRequest, slug: string): IntegrationRecord {
    // Paths name an integration by slug or by its UUID (live answers both).
    const integrations = this.state(ctx).integrations;
    const integration = integrations[slug] ?? Object.values(integrations).find((i) => i.id === slug);
    if (!integration) throw portkeyError("AB08", `Integration not found: ${slug}`);
    return integration;
  }

  /** `undefined`: not in the body, leave as is; `[]`: cleared. */
  limitsUpdate<T>(body: JsonObject, field: string, parse: (value: unknown) => T[] | undefined): T[] | undefined {
    if (!(field in body)) return undefined;
    const value = body[field];
    if (value === null) return [];
    if (Array.isArray(value) && value.length === 0 && !this.behaviour.emptyArrayClearsLimits) return undefined;
    return parse(value) ?? [];
  }

  /** What reads show for a while after limits changed: the limits from before, or null when reads are never stale. */
  staleFrom(before: LimitLists, now: Date): StaleLimits | null {
    return this.behaviour.staleReadMs > 0 ? { ...before, until: now.getTime() + this.behaviour.staleReadMs } : null;
  }
}

// ------------------------------------------------------------- authorisation

/** Whether the caller holds `scope` and, for a workspace key, `workspaceId` is its own (or not given). */
export function allowed(ctx: PortkeyRequest, scope: string, workspaceId: string | null | undefined): boolean {
  if (ctx.principal.kind === "admin") return true;
  const key = ctx.principal.key;
  if (key.type === "workspace" && workspaceId !== undefined && workspaceId !== key.workspace_id) return false;
  return key.scopes.includes(scope);
}

/** Throws 403 AB03 unless the caller may use `scope` (on `workspaceId`; organisation keys only when `organisationOnly`). */
export function authorize(ctx: PortkeyRequest, scope: string, opts: { workspaceId?: string; organisationOnly?: boolean } = {}): void {
  if (ctx.principal.kind === "admin") return;
  const key = ctx.principal.key;
  if (opts.organisationOnly && key.type !== "organisation") {
    throw portkeyError("AB03", `This api key cannot perform this action: workspace keys cannot use ${scope}`);
  }
  if (!allowed(ctx, scope, opts.workspaceId)) {
    throw portkeyError("AB03", `You do not have the permission to perform this action (needs ${scope})`);
  }
}

// ------------------------------------------------------------------- fields

/** A JSON object, not an array or null. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A required string field of `min` (ignoring surrounding blanks) to `max` characters. */
export function requireString(body: JsonObject, field: string, min: number, max: number): string {
  const value = body[field];
  if (typeof value !== "string") throw portkeyError("AB01", `Invalid request. ${field}: is required and must be a string`);
  if (value.trim().length < min || value.length > max) {
    throw portkeyError("AB01", `Invalid request. ${field}: must be ${min}-${max} characters`);
  }
  return value;
}

/** An optional string field; undefined when absent or null. */
export function optionalString(body: JsonObject, field: string, min = 0, max = 10_000): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw portkeyError("AB01", `Invalid request. ${field}: must be a string`);
  if (value.length < min || value.length > max) throw portkeyError("AB01", `Invalid request. ${field}: must be at most ${max} characters`);
  return value;
}

/** The part of a generated slug taken from a name. */
export function slugPart(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 24) || "ws";
}

// ------------------------------------------------------------------- paging

/** One page of a list answer, by `page_size` and `current_page` (from 0). */
export function page<T>(items: T[], query: URLSearchParams, toJson: (item: T) => unknown): { total: number; object: "list"; data: unknown[] } {
  const size = clampInt(query.get("page_size"), 100, 1, 1000);
  const current = clampInt(query.get("current_page"), 0, 0, 1_000_000);
  return { total: items.length, object: "list", data: items.slice(current * size, current * size + size).map(toJson) };
}

function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw portkeyError("AB01", `Invalid pagination value: ${raw}`);
  return n;
}
