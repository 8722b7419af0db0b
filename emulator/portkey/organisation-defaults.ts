/**
 * The organisation's default guardrails and the workspaces they skip
 * (reference prompts-mcp-scim §9).
 *
 * `/admin/organisation/defaults` is a singleton with no create or delete:
 * a PUT changes only the lists it carries (`[]` clears one, and reads back
 * as null), takes guardrail ids or slugs of organisation guardrails only,
 * and answers `{}`. The Terraform provider calls it under /v2, another
 * client under /v1: the emulator serves both.
 *
 * `/workspace-exclusions/{input,output}-guardrails` (DOCS, API only) lists
 * and sets the workspaces excluded from one direction's defaults: a PUT
 * merges `{workspace_id, excluded}` rows, or with `override_existing`
 * replaces the list. Its answers are undocumented; the shapes here are a
 * choice (see docs/emulator.md).
 */
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { authorize, isObject, PortkeyPrincipal, PortkeyRequest, PortkeyShared } from "./common";
import { workspaceLive } from "./collections";
import { PortkeyState } from "./state";

type Direction = "input_guardrails" | "output_guardrails";
const DIRECTIONS: Direction[] = ["input_guardrails", "output_guardrails"];

/** The organisation defaults routes (served under /v1 and /v2) and the workspace exclusion routes (/v1). */
export class PortkeyOrganisationDefaultsRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts the defaults routes on `router` (the /v2 mount uses these alone). */
  registerDefaults(router: Router<PortkeyPrincipal>): void {
    router
      .add("GET", "/admin/organisation/defaults", (ctx) => this.getDefaults(ctx))
      .add("PUT", "/admin/organisation/defaults", (ctx) => this.updateDefaults(ctx));
  }

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    this.registerDefaults(router);
    for (const direction of DIRECTIONS) {
      const path = `/workspace-exclusions/${direction.replace("_", "-")}`;
      router.add("GET", path, (ctx) => this.listExclusions(ctx, direction)).add("PUT", path, (ctx) => this.updateExclusions(ctx, direction));
    }
  }

  private getDefaults(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_settings.read", { organisationOnly: true });
    const state = this.shared.state(ctx);
    const defaults = defaultsOf(state);
    const guardrails = state.guardrails ?? {};
    const listed = (ids: string[]) => {
      const items = ids.map((id) => guardrails[id]).filter((g) => g !== undefined).map((g) => ({ id: g.id, slug: g.slug }));
      return items.length === 0 ? null : items;
    };
    return { body: { object: "organisation_defaults", input_guardrails: listed(defaults.input_guardrails), output_guardrails: listed(defaults.output_guardrails) } };
  }

  private updateDefaults(ctx: PortkeyRequest): HandlerResult {
    authorize(ctx, "organisation_settings.update", { organisationOnly: true });
    const body = this.shared.checkedBody(ctx);
    const state = this.shared.state(ctx);
    if (DIRECTIONS.every((d) => body[d] === undefined)) throw portkeyError("AB01", "Invalid request. input_guardrails or output_guardrails is required");
    const changes = DIRECTIONS.filter((d) => body[d] !== undefined).map((d) => ({ direction: d, ids: this.guardrailIds(state, body[d], d) }));
    const defaults = defaultsOf(state);
    // A list the body leaves out is kept (unlike a workspace's defaults, which a PUT replaces whole).
    for (const { direction, ids } of changes) defaults[direction] = ids;
    return { body: {} };
  }

  /** Guardrail ids or slugs, of organisation guardrails only, as ids (repeats dropped). */
  private guardrailIds(state: PortkeyState, value: unknown, field: Direction): string[] {
    if (!Array.isArray(value)) throw portkeyError("AB01", `Invalid request. ${field}: must be an array of guardrail ids or slugs`);
    const all = Object.values(state.guardrails ?? {});
    const ids = value.map((given, i) => {
      if (typeof given !== "string") throw portkeyError("AB01", `Invalid request. ${field}.${i}: must be a guardrail id or slug`);
      const guardrail = all.find((g) => g.id === given || g.slug === given);
      if (!guardrail) throw portkeyError("AB01", `Invalid request. ${field}.${i}: guardrail not found: ${given}`);
      if (guardrail.workspace_id !== null) throw portkeyError("AB01", `Invalid request. ${field}.${i}: Workspace-scoped guardrails cannot be set as organisation defaults (${given})`);
      return guardrail.id;
    });
    return [...new Set(ids)];
  }

  private listExclusions(ctx: PortkeyRequest, direction: Direction): HandlerResult {
    authorize(ctx, "organisation_exclusions.list", { organisationOnly: true });
    const state = this.shared.state(ctx);
    this.checkOrganisation(state, ctx.query.get("organisation_id"));
    const workspaces = exclusionsOf(state)[direction]
      .filter((id) => workspaceLive(state, id))
      .map((id) => ({ workspace_id: id, workspace_slug: state.workspaces[id].slug, excluded: true }));
    return { body: { workspaces, total: workspaces.length } };
  }

  private updateExclusions(ctx: PortkeyRequest, direction: Direction): HandlerResult {
    authorize(ctx, "organisation_exclusions.update", { organisationOnly: true });
    const body = this.shared.checkedBody(ctx);
    const state = this.shared.state(ctx);
    this.checkOrganisation(state, body.organisation_id);
    if (!Array.isArray(body.workspaces)) throw portkeyError("AB01", "Invalid request. workspaces: is required and must be an array");
    const override = body.override_existing;
    if (override !== undefined && typeof override !== "boolean") throw portkeyError("AB01", "Invalid request. override_existing: must be a boolean");
    const rows = body.workspaces.map((row: unknown, i) => {
      if (!isObject(row) || typeof row.workspace_id !== "string" || typeof row.excluded !== "boolean") {
        throw portkeyError("AB01", `Invalid request. workspaces.${i}: must be {workspace_id, excluded}`);
      }
      return { id: this.shared.findWorkspace(ctx, row.workspace_id).id, excluded: row.excluded };
    });
    const exclusions = exclusionsOf(state);
    const excluded = new Set(override === true ? [] : exclusions[direction]);
    for (const { id, excluded: on } of rows) {
      if (on) excluded.add(id);
      else excluded.delete(id);
    }
    exclusions[direction] = [...excluded];
    return { body: {} };
  }

  private checkOrganisation(state: PortkeyState, given: unknown): void {
    if (given !== undefined && given !== null && given !== state.organisation_id) throw portkeyError("AB03", "You do not have access to this organisation");
  }
}

function defaultsOf(state: PortkeyState): NonNullable<PortkeyState["organisation_defaults"]> {
  return (state.organisation_defaults ??= { input_guardrails: [], output_guardrails: [] });
}

function exclusionsOf(state: PortkeyState): NonNullable<PortkeyState["workspace_exclusions"]> {
  return (state.workspace_exclusions ??= { input_guardrails: [], output_guardrails: [] });
}

/** Whether a guardrail is one of the organisation's defaults (which keeps it from being deleted). */
export function inOrganisationDefaults(state: PortkeyState, guardrailId: string): boolean {
  const defaults = state.organisation_defaults;
  return !!defaults && DIRECTIONS.some((d) => defaults[d].includes(guardrailId));
}
