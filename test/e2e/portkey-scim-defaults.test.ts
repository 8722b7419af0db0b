/**
 * Issue 24 through the real engine against the emulator:
 *
 * - ScimWorkspaceMapping, OrganisationDefaultGuardrails and
 *   WorkspaceGuardrailExclusion in one program: create, clean preview,
 *   changes (a mapping's role, or naming its group by id instead of by name,
 *   replaces it, deleting the old mapping first since Portkey maps a group to
 *   a workspace once; the defaults write only the list that changed), drift made through the plain API repaired, out-of-band
 *   deletes, bad input refused at preview, no credential in the state,
 *   destroy leaving the defaults as declared and other workspaces'
 *   exclusions alone; `pulumi import` of all
 *   three with the native plugin;
 * (Portkey's newer fields on existing kinds: ./portkey-new-fields-24.test.ts.)
 *
 * Every write is checked to carry only what changed.
 */
import * as path from "node:path";
import { portkey } from "../../sdk";
import * as nativeSdk from "../../sdk/native";
import type { OrganisationDefaultGuardrailsArgs, ScimWorkspaceMappingArgs } from "../../sdk/portkey";
import type { EngineStack } from "./harness";
import { ADMIN_KEY, call, changedOps, portkeyConfig, requests, useTrustEmulator } from "./trust-support";
import { EngineStack as Stack } from "./harness";

jest.setTimeout(10 * 60_000);

const emulator = useTrustEmulator();

async function expectCleanPreview(stack: EngineStack): Promise<void> {
  const preview = await stack.preview();
  expect(changedOps(preview.steps)).toEqual([]);
}

/** The types of a preview's changed steps, in the order of changedOps. */
function changedStepsOf(preview: { steps: Parameters<typeof changedOps>[0] }): string[] {
  return preview.steps.filter((s) => s.op !== "same").map((s) => s.type);
}

function bodies(route: string): unknown[] {
  return requests(emulator(), route).map((r) => r.body);
}

describe("SCIM mappings, the organisation's default guardrails and workspace exclusions", () => {
  const MAPPING = "pulumi-nodejs:dynamic/portkey:ScimWorkspaceMapping";
  const DEFAULTS = "pulumi-nodejs:dynamic/portkey:OrganisationDefaultGuardrails";
  let stack: EngineStack;
  let mapping: ScimWorkspaceMappingArgs | undefined;
  let defaults: Partial<OrganisationDefaultGuardrailsArgs>;
  let exclusionDirection: "input" | "output" = "input";
  let handMade: { guardrail: { id: string; slug: string }; workspace: { id: string; slug: string } };
  let organisationId: string;
  const guardrail = (name: string) => ({ organisationId, name, checks: [{ id: "default.regexMatch", parameters: { rule: "\\d{3}" } }], actions: { deny: true } });

  const program = async () => {
    const ws = new portkey.Workspace("eng", { name: "Engineering", forceDelete: true });
    const pii = new portkey.Guardrail("org-pii", guardrail("Org PII"));
    const secrets = new portkey.Guardrail("org-secrets", guardrail("Org secrets"));
    if (mapping) new portkey.ScimWorkspaceMapping("eng-members", { ...mapping, workspaceId: ws.id });
    const chosen = (names: string[] | undefined) => names?.map((n) => (n === "pii" ? pii.id : secrets.id));
    new portkey.OrganisationDefaultGuardrails("defaults", {
      inputGuardrails: chosen(defaults.inputGuardrails as string[] | undefined),
      outputGuardrails: chosen(defaults.outputGuardrails as string[] | undefined),
    });
    new portkey.WorkspaceGuardrailExclusion("eng-input", { workspaceId: ws.id, direction: exclusionDirection });
    // Exports nothing: outputs registered after a preview refused at check are rejected by the terminating
    // engine as an unhandled rejection, which Jest counts as a failed suite (see convergence.test.ts).
  };

  /** The mapping's replacement deleted the old one before making the new one (one of each). */
  const expectDeletedBeforeCreated = () => {
    const writes = requests(emulator()).filter((r) => r.route === "DELETE /scim/workspaces/{scimWorkspaceGroupId}" || r.route === "POST /scim/workspaces");
    expect(writes.map((r) => r.route.split(" ")[0])).toEqual(["DELETE", "POST"]);
  };
  const held = async () => (await call(emulator(), "GET", "/admin/organisation/defaults")).body as { input_guardrails: { slug: string }[] | null; output_guardrails: { slug: string }[] | null };
  const slugs = (list: { slug: string }[] | null) => (list ?? []).map((g) => g.slug).sort();
  const mappings = async () => (await call(emulator(), "GET", "/scim/workspaces")).body.mappings as { id: string; workspace_id: string; scim_group: string; scim_group_id: string; role: string }[];
  const excluded = async () => ((await call(emulator(), "GET", "/workspace-exclusions/input-guardrails")).body.workspaces as { workspace_id: string }[]).map((w) => w.workspace_id).sort();
  /** The ids of the program's workspace and guardrails, from the state. */
  const outputs = async () => {
    const state = await stack.exportState();
    const idOf = (type: string, name: string) => state.resource(`pulumi-nodejs:dynamic/portkey:${type}`, name)!.id!;
    return { workspace: idOf("Workspace", "eng"), pii: idOf("Guardrail", "org-pii"), secrets: idOf("Guardrail", "org-secrets") };
  };

  beforeAll(async () => {
    organisationId = emulator().state().organisation_id;
    const workspace = (await call(emulator(), "POST", "/admin/workspaces", { name: "Hand made sandbox" })).body;
    const made = (await call(emulator(), "POST", "/guardrails", { organisation_id: organisationId, name: "Hand made out", checks: [{ id: "default.regexMatch", parameters: { rule: "x" } }], actions: { deny: false } })).body;
    handMade = { guardrail: made, workspace };
    // Set by hand before the program: an output list the program never declares, and another workspace's exclusion.
    await call(emulator(), "PUT", "/admin/organisation/defaults", { output_guardrails: [made.slug] });
    await call(emulator(), "PUT", "/workspace-exclusions/input-guardrails", { workspaces: [{ workspace_id: workspace.id, excluded: true }] });
    mapping = { workspaceId: "", scimGroupName: "Engineering", role: "member" };
    defaults = { inputGuardrails: ["pii"] };
    stack = await Stack.create({ projectName: "portkey-scim-defaults", program, config: portkeyConfig(emulator()) });
  });
  afterAll(async () => {
    await stack.destroy().catch(() => undefined);
    await stack.dispose();
  });

  test("created: the mapping pre-creates its group, the defaults write only the declared list, the exclusion only its row; a second preview is clean", async () => {
    emulator().clearRequestLog();
    await stack.up();
    const out = await outputs();
    expect(await mappings()).toEqual([expect.objectContaining({ workspace_id: out.workspace, scim_group: "Engineering", role: "member" })]);
    expect(bodies("PUT /admin/organisation/defaults")).toEqual([{ input_guardrails: [out.pii] }]);
    expect(requests(emulator(), "PUT /admin/organisation/defaults")[0].path).not.toContain("/v1/");
    expect(slugs((await held()).input_guardrails)).toEqual([out.pii]);
    expect(slugs((await held()).output_guardrails)).toEqual([handMade.guardrail.slug]);
    expect(await excluded()).toEqual([out.workspace, handMade.workspace.id].sort());
    expect(bodies("PUT /workspace-exclusions/input-guardrails")).toEqual([{ workspaces: [{ workspace_id: out.workspace, excluded: true }] }]);
    expect((await stack.exportState()).text).not.toContain(ADMIN_KEY);
    await expectCleanPreview(stack);
  });

  test("a role change replaces the mapping; declaring the output list writes only it", async () => {
    const before = (await mappings())[0].id;
    mapping = { workspaceId: "", scimGroupName: "Engineering", role: "manager" };
    defaults = { inputGuardrails: ["pii"], outputGuardrails: ["secrets"] };
    emulator().clearRequestLog();
    const result = await stack.up();
    expect(changedOps(result.steps, MAPPING)).toContain("replace");
    expect(changedOps(result.steps, DEFAULTS)).toEqual(["update"]);
    const out = await outputs();
    expect(bodies("PUT /admin/organisation/defaults")).toEqual([{ output_guardrails: [out.secrets] }]);
    expect((await mappings()).map((m) => [m.id === before, m.role])).toEqual([[false, "manager"]]);
    expect(slugs((await held()).output_guardrails)).toEqual([out.secrets]);
    // Portkey maps a group to a workspace once: the old mapping went first, then the new one was made.
    expectDeletedBeforeCreated();
    await expectCleanPreview(stack);
  });

  test("naming the same group by id instead of by name replaces the mapping too, deleting first; the group and workspace stay mapped once", async () => {
    const [old] = await mappings();
    const groupId = old.scim_group_id;
    mapping = { workspaceId: "", scimGroupId: groupId, role: "manager" };
    emulator().clearRequestLog();
    const result = await stack.up();
    expect(changedOps(result.steps, MAPPING)).toContain("replace");
    expectDeletedBeforeCreated();
    expect(bodies("POST /scim/workspaces")).toEqual([{ workspace_id: old.workspace_id, scim_group_id: groupId, role: "manager" }]);
    const now = await mappings();
    expect(now.map((m) => [m.id === old.id, m.workspace_id, m.scim_group, m.role])).toEqual([[false, old.workspace_id, "Engineering", "manager"]]);
    await expectCleanPreview(stack);
  });

  test("[] clears a list (read back as null); a list no longer declared is left as it is", async () => {
    defaults = { outputGuardrails: [] };
    emulator().clearRequestLog();
    await stack.up();
    expect(bodies("PUT /admin/organisation/defaults")).toEqual([{ output_guardrails: [] }]);
    const now = await held();
    expect(now.output_guardrails).toBeNull();
    expect(slugs(now.input_guardrails)).toEqual([(await outputs()).pii]);
    await expectCleanPreview(stack);
  });

  test("drift made through the plain API shows on refresh and up repairs it: defaults changed, mapping and exclusion deleted", async () => {
    const out = await outputs();
    await call(emulator(), "PUT", "/admin/organisation/defaults", { output_guardrails: [out.pii] });
    await call(emulator(), "DELETE", `/scim/workspaces/${(await mappings())[0].id}`);
    await call(emulator(), "PUT", "/workspace-exclusions/input-guardrails", { workspaces: [{ workspace_id: out.workspace, excluded: false }] });
    const refreshed = await stack.refresh();
    expect(refreshed.changeSummary.delete).toBe(2);
    const preview = await stack.preview();
    expect(changedOps(preview.steps).sort()).toEqual(["create", "create", "update"]);
    await stack.up();
    expect((await held()).output_guardrails).toBeNull();
    expect(await mappings()).toHaveLength(1);
    expect(await excluded()).toEqual([out.workspace, handMade.workspace.id].sort());
    await expectCleanPreview(stack);
  });

  test("bad input is refused at preview, naming the property", async () => {
    const valid = mapping;
    const validDefaults = defaults;
    try {
      defaults = { inputGuardrails: ["pii", "pii"] };
      await expect(stack.preview()).rejects.toThrow(/inputGuardrails: must not name a guardrail twice/);
      defaults = validDefaults;
      exclusionDirection = "sideways" as "input";
      await expect(stack.preview()).rejects.toThrow(/direction/);
      exclusionDirection = "input";
      mapping = { workspaceId: "", scimGroupName: "Engineering", scimGroupId: "g-1", role: "member" };
      await expect(stack.preview()).rejects.toThrow(/scimGroupName: set exactly one of `scimGroupId` and `scimGroupName`/);
      mapping = { workspaceId: "", scimGroupName: "ws-eng-role-member", role: "member" };
      await expect(stack.preview()).rejects.toThrow(/scimGroupName: must not use the old/);
      mapping = { workspaceId: "", scimGroupName: "Engineering", role: "owner" as "member" };
      await expect(stack.preview()).rejects.toThrow(/role/);
    } finally {
      mapping = valid;
      defaults = validDefaults;
      exclusionDirection = "input";
    }
  });

  test("destroy writes nothing to the defaults, archives the mapping and lifts only its own exclusion", async () => {
    // A guardrail in the defaults cannot be deleted: the program lifts its own first, as the resource's doc says.
    defaults = { inputGuardrails: [], outputGuardrails: [] };
    await stack.up();
    await call(emulator(), "PUT", "/admin/organisation/defaults", { output_guardrails: [handMade.guardrail.slug] });
    emulator().clearRequestLog();
    await stack.destroy();
    expect(bodies("PUT /admin/organisation/defaults")).toEqual([]);
    const now = await held();
    expect([now.input_guardrails, slugs(now.output_guardrails)]).toEqual([null, [handMade.guardrail.slug]]);
    expect(await mappings()).toEqual([]);
    expect(await excluded()).toEqual([handMade.workspace.id]);
  });

  test("native: pulumi import takes a mapping, the defaults and an exclusion made by hand, and the program previews clean", async () => {
    const made = (await call(emulator(), "POST", "/scim/workspaces", { workspace_id: handMade.workspace.slug, scim_group_name: "Sandbox users", role: "member" })).body as { id: string; scim_group_id: string };
    let program = async () => ({});
    const imported = await Stack.create({
      projectName: "portkey-scim-import",
      program: () => program(),
      config: portkeyConfig(emulator()),
      env: { PATH: `${path.resolve(__dirname, "..", "..", "bin")}${path.delimiter}${process.env.PATH}` },
    });
    try {
      await imported.up();
      const result = await imported.stack.import({
        resources: [
          { type: "portkey:index:ScimWorkspaceMapping", name: "sandbox-users", id: made.id },
          { type: "portkey:index:OrganisationDefaultGuardrails", name: "defaults", id: "organisation-defaults" },
          { type: "portkey:index:WorkspaceGuardrailExclusion", name: "sandbox-input", id: `input/${handMade.workspace.id}` },
        ],
        generateCode: false,
      });
      expect(result.summary.resourceChanges).toMatchObject({ import: 3 });
      const native = nativeSdk.portkey;
      // pulumi import protects what it adopts; the program keeps that until it lets go at the end.
      const declared = (protect: boolean) => async () => {
        new native.ScimWorkspaceMapping("sandbox-users", { workspaceId: handMade.workspace.id, scimGroupId: made.scim_group_id, role: "member" }, { protect });
        new native.OrganisationDefaultGuardrails("defaults", { outputGuardrails: [handMade.guardrail.slug] }, { protect });
        new native.WorkspaceGuardrailExclusion("sandbox-input", { workspaceId: handMade.workspace.id, direction: "input" }, { protect });
        return {};
      };
      program = declared(true);
      const preview = await imported.preview();
      // The provider the import named is the only other step (its name differs from the program's default provider).
      expect(changedStepsOf(preview).filter((type) => !type.startsWith("pulumi:"))).toEqual([]);
      expect((await imported.exportState()).resources("portkey:index:WorkspaceGuardrailExclusion").map((r) => r.id)).toEqual([`input/${handMade.workspace.id}`]);
      program = declared(false);
      await imported.up();
      await imported.destroy();
      expect(await mappings()).toEqual([]);
      expect(await excluded()).toEqual([]);
      expect(slugs((await held()).output_guardrails)).toEqual([handMade.guardrail.slug]);
    } finally {
      await imported.dispose();
    }
  });
});
