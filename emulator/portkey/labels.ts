/**
 * Portkey prompt labels, /labels: names a prompt version is tagged with, so
 * callers can ask for `prompt@staging`. Three built-in labels (production,
 * staging, development) belong to the organisation and cannot be removed;
 * custom labels belong to a workspace or the organisation. Addressed by
 * UUID only (reference prompts-mcp-scim §5).
 */
import { randomUUID } from "node:crypto";
import { portkeyError } from "../errors";
import { HandlerResult, Router } from "../router";
import { allowed, authorize, JsonObject, optionalString, page, PortkeyPrincipal, PortkeyRequest, PortkeyShared, requireString } from "./common";
import { stableUuid, workspaceLive } from "./collections";
import { PortkeyState, PromptLabelRecord } from "./state";

/** The labels every organisation has (DOCS prompt-versioning). */
export const BUILT_IN_LABELS = ["production", "staging", "development"];

/**
 * The document's name pattern: not `latest`, `default` or all digits (which
 * `@latest` and `@N` already mean), no `@` or blanks.
 */
function validLabelName(name: string): boolean {
  if (name === "latest" || name === "default" || /^\d+$/.test(name)) return false;
  const others = name.replace(/[A-Za-z0-9_-]/g, "");
  return others.length <= 1 && !/[@\s]/.test(others);
}

/** The label routes and their rules. */
export class PortkeyLabelRoutes {
  constructor(private readonly shared: PortkeyShared) {}

  /** Puts these routes on `router`. */
  register(router: Router<PortkeyPrincipal>): void {
    router
      .add("POST", "/labels", (ctx) => this.createLabel(ctx))
      .add("GET", "/labels", (ctx) => this.listLabels(ctx))
      .add("GET", "/labels/{labelId}", (ctx) => this.getLabel(ctx))
      .add("PUT", "/labels/{labelId}", (ctx) => this.updateLabel(ctx))
      .add("DELETE", "/labels/{labelId}", (ctx) => this.deleteLabel(ctx));
  }

  private createLabel(ctx: PortkeyRequest): HandlerResult {
    const body = this.shared.checkedBody(ctx);
    const state = this.shared.state(ctx);
    const name = this.name(body);
    const organisationId = optionalString(body, "organisation_id");
    if (organisationId && organisationId !== state.organisation_id) throw portkeyError("AB03", "You do not have access to this organisation");
    const workspaceGiven = optionalString(body, "workspace_id");
    const workspaceId = workspaceGiven ? this.shared.findWorkspace(ctx, workspaceGiven).id : keyWorkspace(ctx);
    if (workspaceId) authorize(ctx, "prompts.create", { workspaceId });
    else authorize(ctx, "prompts.create", { organisationOnly: true });
    const clash = Object.values(labelsOf(state)).find((l) => l.name === name && (l.workspace_id === null || l.workspace_id === workspaceId));
    if (clash) throw portkeyError("AB07", `A label named ${name} already exists`);
    const now = ctx.now.toISOString();
    const record: PromptLabelRecord = {
      id: randomUUID(),
      name,
      description: optionalString(body, "description") ?? null,
      color_code: optionalString(body, "color_code") ?? null,
      workspace_id: workspaceId,
      is_universal: false,
      status: "active",
      created_at: now,
      last_updated_at: now,
    };
    labelsOf(state)[record.id] = record;
    return { body: { id: record.id } };
  }

  private listLabels(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const organisationId = ctx.query.get("organisation_id");
    if (organisationId && organisationId !== state.organisation_id) throw portkeyError("AB03", "You do not have access to this organisation");
    const given = ctx.query.get("workspace_id");
    const workspaceId = given ? this.shared.findWorkspace(ctx, given).id : undefined;
    if (workspaceId) authorize(ctx, "prompts.list", { workspaceId });
    const search = ctx.query.get("search")?.toLowerCase();
    // A workspace's labels are its own and the organisation's (the built-in ones included).
    const all = liveLabels(state)
      .filter((l) => l.workspace_id === null || !workspaceId || l.workspace_id === workspaceId)
      .filter((l) => l.workspace_id === null || allowed(ctx, "prompts.list", l.workspace_id))
      .filter((l) => !search || l.name.toLowerCase().includes(search))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.name.localeCompare(b.name));
    const { total, data } = page(all, ctx.query, (l) => labelJson(l, state));
    return { body: { total, data } };
  }

  private getLabel(ctx: PortkeyRequest): HandlerResult {
    return { body: labelJson(this.find(ctx, "prompts.read"), this.shared.state(ctx)) };
  }

  private updateLabel(ctx: PortkeyRequest): HandlerResult {
    const record = this.find(ctx, "prompts.update");
    const body = this.shared.checkedBody(ctx);
    if (record.is_universal) throw portkeyError("AB01", `Invalid request. The built-in label ${record.name} cannot be changed`);
    if (body.name !== undefined) {
      const name = this.name(body);
      const state = this.shared.state(ctx);
      const clash = Object.values(labelsOf(state)).find((l) => l.id !== record.id && l.name === name && (l.workspace_id === null || l.workspace_id === record.workspace_id));
      if (clash) throw portkeyError("AB07", `A label named ${name} already exists`);
      record.name = name;
    }
    if (body.description !== undefined) record.description = optionalString(body, "description") ?? null;
    if (body.color_code !== undefined) record.color_code = optionalString(body, "color_code") ?? null;
    record.last_updated_at = ctx.now.toISOString();
    return { body: {} };
  }

  private deleteLabel(ctx: PortkeyRequest): HandlerResult {
    const state = this.shared.state(ctx);
    const record = this.find(ctx, "prompts.delete");
    if (record.is_universal) throw portkeyError("AB01", `Invalid request. The built-in label ${record.name} cannot be deleted`);
    // Versions lose the label; completions asking for @label then fail (DOCS prompt-versioning).
    for (const prompt of Object.values(state.prompts ?? {})) {
      for (const version of prompt.versions) if (version.label_id === record.id) version.label_id = null;
    }
    delete labelsOf(state)[record.id];
    return { body: {} };
  }

  private name(body: JsonObject): string {
    const name = requireString(body, "name", 1, 100);
    if (!validLabelName(name)) {
      throw portkeyError("AB01", "Invalid request. name: must not be latest, default or a number, and may hold letters, digits, _ and - and at most one other character (not @ or a blank)");
    }
    return name;
  }

  /** By UUID (the only way the API names a label). */
  private find(ctx: PortkeyRequest, scope: string): PromptLabelRecord {
    const state = this.shared.state(ctx);
    const given = ctx.params.labelId;
    const record = liveLabels(state).find((l) => l.id === given);
    if (!record) throw portkeyError("AB08", `Label not found: ${given}`);
    if (record.workspace_id) authorize(ctx, scope, { workspaceId: record.workspace_id });
    else authorize(ctx, scope);
    return record;
  }
}

/** The organisation's labels, the built-in ones made on first use with ids derived from the organisation's. */
export function labelsOf(state: PortkeyState): Record<string, PromptLabelRecord> {
  const all = (state.prompt_labels ??= {});
  for (const name of BUILT_IN_LABELS) {
    const id = stableUuid(`label:${state.organisation_id}:${name}`);
    all[id] ??= {
      id,
      name,
      description: null,
      color_code: null,
      workspace_id: null,
      is_universal: true,
      status: "active",
      created_at: "2024-01-01T00:00:00.000Z",
      last_updated_at: "2024-01-01T00:00:00.000Z",
    };
  }
  return all;
}

function liveLabels(state: PortkeyState): PromptLabelRecord[] {
  return Object.values(labelsOf(state)).filter((l) => l.workspace_id === null || workspaceLive(state, l.workspace_id));
}

/** A workspace key's own workspace; null for an organisation key (the label is the organisation's). */
function keyWorkspace(ctx: PortkeyRequest): string | null {
  const principal = ctx.principal;
  return principal.kind === "key" && principal.key.type === "workspace" ? principal.key.workspace_id : null;
}

function labelJson(l: PromptLabelRecord, state: PortkeyState): JsonObject {
  return {
    id: l.id,
    name: l.name,
    description: l.description,
    color_code: l.color_code,
    organisation_id: state.organisation_id,
    workspace_id: l.workspace_id,
    is_universal: l.is_universal,
    status: l.status,
    created_at: l.created_at,
    last_updated_at: l.last_updated_at,
  };
}
