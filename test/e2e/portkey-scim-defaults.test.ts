/**
 * The Portkey ScimWorkspaceMapping, OrganisationDefaultGuardrails and
 * WorkspaceGuardrailExclusion resources, tested together in one program (with
 * the workspace and the two organisation guardrails they name), through the
 * real engine against the emulator in both forms (see resourceSuite in
 * ./harness.ts). Dynamic: create (the mapping pre-creates its group, the
 * defaults write only the declared list, the exclusion only its row), clean
 * preview, the admin key never in plaintext, changes (a mapping's role, or
 * naming its group by id instead of by name, replaces it, deleting the old
 * mapping first since Portkey maps a group to a workspace once; the defaults
 * write only the list that changed), the defaults' drift repaired, the mapping
 * and exclusion deleted out of band, bad input at preview, destroy leaving the
 * defaults as declared and other workspaces' exclusions alone. Native:
 * `pulumi import` of all three made by hand.
 *
 * Every write is checked to carry only what changed.
 */
import type { ScimWorkspaceMappingArgs } from "../../sdk/portkey";
import type { RunningEmulator } from "../../emulator";
import { ADMIN_KEY, call } from "../support/emulator";
import { OperationReport, PreviewReport, resourceSuite, SuiteContext, typeToken } from "./harness";

jest.setTimeout(10 * 60_000);

/** A guardrail of the program, by its name there. */
type Named = "pii" | "secrets";
/** What the program declares beside its workspace and two organisation guardrails. */
interface Program {
  organisationId: string;
  /** The mapping of the program's workspace (its `workspaceId` is that workspace). */
  mapping: Omit<ScimWorkspaceMappingArgs, "workspaceId">;
  /** The organisation's default guardrails, naming the program's guardrails. */
  defaults: { inputGuardrails?: Named[]; outputGuardrails?: Named[] };
  /** The direction of the program's workspace's exclusion. */
  direction: "input" | "output";
}
interface Fixtures {
  organisationId: string;
  /** Made by hand before the program: a guardrail in the defaults' output list, and a workspace excluded from input guardrails. */
  handMade: { guardrail: { id: string; slug: string }; workspace: { id: string; slug: string } };
}
type Ctx = SuiteContext<Program, Fixtures>;

const MAPPING = "ScimWorkspaceMapping";
const DEFAULTS = "OrganisationDefaultGuardrails";
const EXCLUSION = "WorkspaceGuardrailExclusion";
const PUT_DEFAULTS = "PUT /admin/organisation/defaults";

function guardrail(organisationId: string, name: string) {
  return { organisationId, name, checks: [{ id: "default.regexMatch", parameters: { rule: "\\d{3}" } }], actions: { deny: true } };
}

function bodies(ctx: Ctx, route: string): unknown[] {
  return ctx.requests(route).map((r) => r.body);
}

/** The operations on one kind's steps that are not "same". */
function opsOf(ctx: Ctx, report: PreviewReport | OperationReport, resource: string): string[] {
  const type = typeToken(ctx.form, "portkey", resource);
  return ctx
    .ops(report, true)
    .filter((op) => op.endsWith(` ${type}`))
    .map((op) => op.split(" ")[0]);
}

/** The mapping's replacement deleted the old one before making the new one (one of each). */
function expectDeletedBeforeCreated(ctx: Ctx): void {
  const writes = ctx.requests().filter((r) => r.route === "DELETE /scim/workspaces/{scimWorkspaceGroupId}" || r.route === "POST /scim/workspaces");
  expect(writes.map((r) => r.route.split(" ")[0])).toEqual(["DELETE", "POST"]);
}

async function held(emulator: RunningEmulator) {
  return (await call(emulator, "GET", "/admin/organisation/defaults")).body as { input_guardrails: { slug: string }[] | null; output_guardrails: { slug: string }[] | null };
}
const slugs = (list: { slug: string }[] | null) => (list ?? []).map((g) => g.slug).sort();
async function mappings(emulator: RunningEmulator) {
  return (await call(emulator, "GET", "/scim/workspaces")).body.mappings as { id: string; workspace_id: string; scim_group: string; scim_group_id: string; role: string }[];
}
async function excluded(emulator: RunningEmulator): Promise<string[]> {
  return ((await call(emulator, "GET", "/workspace-exclusions/input-guardrails")).body.workspaces as { workspace_id: string }[]).map((w) => w.workspace_id).sort();
}
/** The ids of the program's workspace and guardrails, from the state. */
async function outputs(ctx: Ctx) {
  const state = await ctx.engine.exportState();
  const idOf = (resource: string, name: string) => state.resource(typeToken(ctx.form, "portkey", resource), name)!.id!;
  return { workspace: idOf("Workspace", "eng"), pii: idOf("Guardrail", "org-pii"), secrets: idOf("Guardrail", "org-secrets") };
}

/** The base with the mapping's role changed and the output list declared. */
const roleChanged = (ctx: Ctx): Program => ({ ...ctx.base(), mapping: { scimGroupName: "Engineering", role: "manager" }, defaults: { inputGuardrails: ["pii"], outputGuardrails: ["secrets"] } });
/** {@link roleChanged} with the output list cleared and the input list no longer declared. */
const outputCleared = (ctx: Ctx): Program => ({ ...roleChanged(ctx), defaults: { outputGuardrails: [] } });

resourceSuite<Program, Fixtures>({
  vendor: "portkey",
  resource: MAPPING,
  name: "eng-members",
  together: [DEFAULTS, EXCLUSION],
  declares: { [MAPPING]: 1, [DEFAULTS]: 1, [EXCLUSION]: 1, Workspace: 1, Guardrail: 2 },
  setup: async (emulator) => {
    const organisationId = emulator.state().organisation_id;
    const workspace = (await call(emulator, "POST", "/admin/workspaces", { name: "Hand made sandbox" })).body;
    const made = (await call(emulator, "POST", "/guardrails", { organisation_id: organisationId, name: "Hand made out", checks: [{ id: "default.regexMatch", parameters: { rule: "x" } }], actions: { deny: false } })).body;
    // Set by hand before the program: an output list the program does not declare, and another workspace's exclusion.
    await call(emulator, "PUT", "/admin/organisation/defaults", { output_guardrails: [made.slug] });
    await call(emulator, "PUT", "/workspace-exclusions/input-guardrails", { workspaces: [{ workspace_id: workspace.id, excluded: true }] });
    return { organisationId, handMade: { guardrail: made, workspace } };
  },
  base: ({ organisationId }) => ({ organisationId, mapping: { scimGroupName: "Engineering", role: "member" }, defaults: { inputGuardrails: ["pii"] }, direction: "input" }),
  declare: (sdk, name, { organisationId, mapping, defaults, direction }) => {
    const ws = new sdk.portkey.Workspace("eng", { name: "Engineering", forceDelete: true });
    const pii = new sdk.portkey.Guardrail("org-pii", guardrail(organisationId, "Org PII"));
    const secrets = new sdk.portkey.Guardrail("org-secrets", guardrail(organisationId, "Org secrets"));
    new sdk.portkey.ScimWorkspaceMapping(name, { ...mapping, workspaceId: ws.id });
    const chosen = (names: Named[] | undefined) => names?.map((n) => (n === "pii" ? pii.id : secrets.id));
    new sdk.portkey.OrganisationDefaultGuardrails("defaults", { inputGuardrails: chosen(defaults.inputGuardrails), outputGuardrails: chosen(defaults.outputGuardrails) });
    new sdk.portkey.WorkspaceGuardrailExclusion("eng-input", { workspaceId: ws.id, direction });
    // Exports nothing: outputs registered after a preview refused at check are rejected by the terminating
    // engine as an unhandled rejection, which Jest counts as a failed suite (see convergence.test.ts).
    return {};
  },
  // The native form shows `pulumi import` of all three; the dynamic one the rest.
  steps: { native: [] },

  // The mapping pre-creates its group, the defaults write only the declared list, the exclusion only its row.
  created: async (ctx) => {
    const { emulator, fixtures: { handMade } } = ctx;
    const out = await outputs(ctx);
    expect(await mappings(emulator)).toEqual([expect.objectContaining({ workspace_id: out.workspace, scim_group: "Engineering", role: "member" })]);
    expect(bodies(ctx, PUT_DEFAULTS)).toEqual([{ input_guardrails: [out.pii] }]);
    expect(ctx.requests(PUT_DEFAULTS)[0].path).not.toContain("/v1/");
    expect(slugs((await held(emulator)).input_guardrails)).toEqual([out.pii]);
    expect(slugs((await held(emulator)).output_guardrails)).toEqual([handMade.guardrail.slug]);
    expect(await excluded(emulator)).toEqual([out.workspace, handMade.workspace.id].sort());
    expect(bodies(ctx, "PUT /workspace-exclusions/input-guardrails")).toEqual([{ workspaces: [{ workspace_id: out.workspace, excluded: true }] }]);
  },
  // No credential in the state, the backend's files or the engine's output.
  secrets: () => [ADMIN_KEY],

  // The defaults changed through the plain API: from an output list declared empty, so the edit is a change.
  drift: {
    given: (ctx) => {
      const from = ctx.desired ?? ctx.base();
      return { ...from, defaults: { ...from.defaults, outputGuardrails: [] } };
    },
    edit: async (ctx) => {
      await call(ctx.emulator, "PUT", "/admin/organisation/defaults", { output_guardrails: [(await outputs(ctx)).pii] });
    },
    refreshed: async (ctx) => {
      const stored = (await ctx.engine.exportState()).resource(ctx.types[1], "defaults");
      expect(stored?.outputs).toMatchObject({ outputGuardrails: [(await outputs(ctx)).pii] });
    },
    updated: [DEFAULTS],
    diffText: /outputGuardrails/,
    repaired: async (ctx) => {
      expect((await held(ctx.emulator)).output_guardrails).toBeNull();
      expect(bodies(ctx, PUT_DEFAULTS)).toEqual([{ output_guardrails: [] }]);
    },
  },

  // The mapping and the exclusion deleted through the plain API.
  deleted: {
    delete: async (ctx) => {
      const [old] = await mappings(ctx.emulator);
      await call(ctx.emulator, "DELETE", `/scim/workspaces/${old.id}`);
      await call(ctx.emulator, "PUT", "/workspace-exclusions/input-guardrails", { workspaces: [{ workspace_id: (await outputs(ctx)).workspace, excluded: false }] });
      return old.id;
    },
    dropped: [MAPPING, EXCLUSION],
    recreated: async (ctx, oldId) => {
      const now = await mappings(ctx.emulator);
      expect(now.map((m) => m.id === oldId)).toEqual([false]);
      expect(await excluded(ctx.emulator)).toEqual([(await outputs(ctx)).workspace, ctx.fixtures.handMade.workspace.id].sort());
      await ctx.expectCleanPreview();
    },
  },

  badInput: (valid) => [
    [{ ...valid, defaults: { inputGuardrails: ["pii", "pii"] } }, /inputGuardrails: must not name a guardrail twice/],
    [{ ...valid, direction: "sideways" as "input" }, /direction/],
    [{ ...valid, mapping: { scimGroupName: "Engineering", scimGroupId: "g-1", role: "member" } }, /scimGroupName: set exactly one of `scimGroupId` and `scimGroupName`/],
    [{ ...valid, mapping: { scimGroupName: "ws-eng-role-member", role: "member" } }, /scimGroupName: must not use the old/],
    [{ ...valid, mapping: { scimGroupName: "Engineering", role: "owner" as "member" } }, /role/],
  ],

  // A guardrail in the defaults cannot be deleted: the program lifts its own first, as the resource's doc says.
  // Then the output list is set by hand again: destroy must leave it.
  destroying: async (ctx) => {
    ctx.declare({ ...ctx.desired!, defaults: { inputGuardrails: [], outputGuardrails: [] } });
    await ctx.up();
    await call(ctx.emulator, "PUT", "/admin/organisation/defaults", { output_guardrails: [ctx.fixtures.handMade.guardrail.slug] });
  },
  // Destroy writes nothing to the defaults, archives the mapping and lifts only its own exclusion.
  destroyed: async (ctx) => {
    const { emulator, fixtures: { handMade } } = ctx;
    expect(bodies(ctx, PUT_DEFAULTS)).toEqual([]);
    const now = await held(emulator);
    expect([now.input_guardrails, slugs(now.output_guardrails)]).toEqual([null, [handMade.guardrail.slug]]);
    expect(await mappings(emulator)).toEqual([]);
    expect(await excluded(emulator)).toEqual([handMade.workspace.id]);
  },

  tests: [
    {
      title: "a role change replaces the mapping; declaring the output list writes only it",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const before = (await mappings(ctx.emulator))[0].id;
        ctx.declare(roleChanged(ctx));
        const result = await ctx.up();
        expect(opsOf(ctx, result, MAPPING)).toContain("replace");
        expect(opsOf(ctx, result, DEFAULTS)).toEqual(["update"]);
        const out = await outputs(ctx);
        expect(bodies(ctx, PUT_DEFAULTS)).toEqual([{ output_guardrails: [out.secrets] }]);
        expect((await mappings(ctx.emulator)).map((m) => [m.id === before, m.role])).toEqual([[false, "manager"]]);
        expect(slugs((await held(ctx.emulator)).output_guardrails)).toEqual([out.secrets]);
        // Portkey maps a group to a workspace once: the old mapping went first, then the new one was made.
        expectDeletedBeforeCreated(ctx);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "[] clears a list (read back as null); a list no longer declared is left as it is",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(roleChanged(ctx));
        ctx.declare(outputCleared(ctx));
        await ctx.up();
        expect(bodies(ctx, PUT_DEFAULTS)).toEqual([{ output_guardrails: [] }]);
        const now = await held(ctx.emulator);
        expect(now.output_guardrails).toBeNull();
        expect(slugs(now.input_guardrails)).toEqual([(await outputs(ctx)).pii]);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "naming the same group by id instead of by name replaces the mapping too, deleting first; the group and workspace stay mapped once",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(outputCleared(ctx));
        const [old] = await mappings(ctx.emulator);
        const groupId = old.scim_group_id;
        ctx.declare({ ...outputCleared(ctx), mapping: { scimGroupId: groupId, role: "manager" } });
        const result = await ctx.up();
        expect(opsOf(ctx, result, MAPPING)).toContain("replace");
        expectDeletedBeforeCreated(ctx);
        expect(bodies(ctx, "POST /scim/workspaces")).toEqual([{ workspace_id: old.workspace_id, scim_group_id: groupId, role: "manager" }]);
        const now = await mappings(ctx.emulator);
        expect(now.map((m) => [m.id === old.id, m.workspace_id, m.scim_group, m.role])).toEqual([[false, old.workspace_id, "Engineering", "manager"]]);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pulumi import takes a mapping, the defaults and an exclusion made by hand, and the program previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { emulator, fixtures: { handMade } } = ctx;
        await ctx.given("nothing");
        const made = (await call(emulator, "POST", "/scim/workspaces", { workspace_id: handMade.workspace.slug, scim_group_name: "Sandbox users", role: "member" })).body as { id: string; scim_group_id: string };
        ctx.declare(undefined);
        await ctx.up();
        const type = (resource: string) => typeToken(ctx.form, "portkey", resource);
        const result = await ctx.engine.stack.import({
          resources: [
            { type: type(MAPPING), name: "sandbox-users", id: made.id },
            { type: type(DEFAULTS), name: "defaults", id: "organisation-defaults" },
            { type: type(EXCLUSION), name: "sandbox-input", id: `input/${handMade.workspace.id}` },
          ],
          // Code generation needs the Go language host, which is not served here.
          generateCode: false,
        });
        expect(result.summary.resourceChanges).toMatchObject({ import: 3 });
        // pulumi import protects what it adopts; the program keeps that until it lets go at the end.
        const declared = (protect: boolean) => async () => {
          const { portkey } = ctx.sdk;
          new portkey.ScimWorkspaceMapping("sandbox-users", { workspaceId: handMade.workspace.id, scimGroupId: made.scim_group_id, role: "member" }, { protect });
          new portkey.OrganisationDefaultGuardrails("defaults", { outputGuardrails: [handMade.guardrail.slug] }, { protect });
          new portkey.WorkspaceGuardrailExclusion("sandbox-input", { workspaceId: handMade.workspace.id, direction: "input" }, { protect });
          return {};
        };
        ctx.setProgram(declared(true));
        // The provider the import named is the only other step (its name differs from the program's default provider).
        await ctx.expectCleanPreview();
        expect((await ctx.engine.exportState()).resources(type(EXCLUSION)).map((r) => r.id)).toEqual([`input/${handMade.workspace.id}`]);
        ctx.setProgram(declared(false));
        await ctx.up();
        await ctx.destroy();
        expect(await mappings(emulator)).toEqual([]);
        expect(await excluded(emulator)).toEqual([]);
        expect(slugs((await held(emulator)).output_guardrails)).toEqual([handMade.guardrail.slug]);
      },
    },
  ],
});
