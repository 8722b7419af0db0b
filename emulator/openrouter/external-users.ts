/**
 * OpenRouter external users, /external-users: a registry of the caller's own
 * end-user tracking ids (the `user` of inference requests, `external.user` of
 * API keys). Registering one creates no login, policy or credential, and its
 * state has no effect on inference. DELETE only deactivates.
 *
 * Sources (openrouter-api-org.md §6): the PyPI `openrouter` SDK's
 * `externalusers.py` and its models (statuses, the id's rules, soft delete).
 * `@openrouter/sdk` 1.3.19 has no such calls. Choices are named in comments
 * and in docs/emulator.md's fidelity table.
 */
import { HandlerResult, Router } from "../router";
import { JsonObject, objectBody, OpenRouterPrincipal, OpenRouterRequest, openrouterError, paging } from "./common";
import { OpenRouterExternalUserRecord, OpenRouterState } from "./state";

/** The external user routes and their rules. */
export class OpenRouterExternalUserRoutes {
  constructor(private readonly state: () => OpenRouterState) {}

  /** Puts these routes on `router`. */
  register(router: Router<OpenRouterPrincipal>): void {
    router
      .add("GET", "/external-users", (ctx) => this.listUsers(ctx))
      .add("POST", "/external-users", (ctx) => this.registerUser(ctx))
      .add("GET", "/external-users/{user}", (ctx) => ({ body: { data: userJson(this.find(ctx.params.user)) } }))
      .add("PATCH", "/external-users/{user}", (ctx) => this.updateUser(ctx))
      .add("DELETE", "/external-users/{user}", (ctx) => this.deactivateUser(ctx));
  }

  private records(): Record<string, OpenRouterExternalUserRecord> {
    return (this.state().external_users ??= {});
  }

  /** Inactive ones only with `include_inactive=true`; `user` is an exact filter (PY). Oldest first (a choice). */
  private listUsers(ctx: OpenRouterRequest): HandlerResult {
    const { offset, limit } = paging(ctx.query, 50, 100);
    const includeInactive = ctx.query.get("include_inactive");
    if (includeInactive !== null && includeInactive !== "true" && includeInactive !== "false") throw openrouterError(400, "include_inactive must be true or false");
    const user = ctx.query.get("user");
    const all = Object.values(this.records())
      .filter((u) => (includeInactive === "true" || u.is_active) && (user === null || u.user === user))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { body: { data: all.slice(offset, offset + limit).map(userJson), total_count: all.length } };
  }

  /** 201; an id already registered, active or not, is 409 (the status is documented, its cause is the choice). */
  private registerUser(ctx: OpenRouterRequest): HandlerResult {
    const body = objectBody(ctx);
    const user = checkedUser(body.user);
    if (this.records()[user]) throw openrouterError(409, `External user ${JSON.stringify(user)} is already registered${this.records()[user].is_active ? "" : " (inactive: reactivate it with PATCH)"}`);
    const now = ctx.now.toISOString();
    const record: OpenRouterExternalUserRecord = { user, is_active: true, created_at: now, updated_at: now };
    this.records()[user] = record;
    return { status: 201, body: { data: userJson(record) } };
  }

  /** Only `is_active` (required) changes; the id is immutable. */
  private updateUser(ctx: OpenRouterRequest): HandlerResult {
    const record = this.find(ctx.params.user);
    const body = objectBody(ctx);
    if (typeof body.is_active !== "boolean") throw openrouterError(400, "is_active is required and must be a boolean");
    if (body.user !== undefined && body.user !== record.user) throw openrouterError(400, "user cannot be changed");
    if (record.is_active !== body.is_active) {
      record.is_active = body.is_active;
      record.updated_at = ctx.now.toISOString();
    }
    return { body: { data: userJson(record) } };
  }

  /** A soft deactivation answered 204 without a body; repeating it succeeds (PY). */
  private deactivateUser(ctx: OpenRouterRequest): HandlerResult {
    const record = this.find(ctx.params.user);
    if (record.is_active) {
      record.is_active = false;
      record.updated_at = ctx.now.toISOString();
    }
    return { status: 204, body: undefined, rawJson: "" };
  }

  private find(user: string): OpenRouterExternalUserRecord {
    const found = this.records()[checkedUser(user)];
    if (!found) throw openrouterError(404, `External user ${JSON.stringify(user)} not found`);
    return found;
  }
}

/** A UTF-16 surrogate without its pair: text that is not well-formed Unicode. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** 1–512 characters of well-formed Unicode, no NUL, no surrounding whitespace (PY). */
function checkedUser(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || [...value].length > 512) throw openrouterError(400, "user must be a string of 1-512 characters");
  if (LONE_SURROGATE.test(value)) throw openrouterError(400, "user must be well-formed Unicode");
  if (value.includes("\u0000")) throw openrouterError(400, "user must not contain NUL");
  if (value.trim() !== value) throw openrouterError(400, "user must not begin or end with whitespace");
  return value;
}

function userJson(u: OpenRouterExternalUserRecord): JsonObject {
  return { user: u.user, is_active: u.is_active, created_at: u.created_at, updated_at: u.updated_at };
}
