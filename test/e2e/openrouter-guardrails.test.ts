/**
 * OpenRouter Guardrail, WorkspaceDefaultGuardrail, GuardrailKeyAssignment and
 * GuardrailMemberAssignment through the real engine against the emulator, one
 * suite per resource, each in both forms (see resourceSuite in ./harness.ts).
 * The four are independent: an assignment's guardrail is made through the API
 * in the suite's setup, not declared beside it.
 *
 * Guardrail. Both: create with every rule, clean preview, destroy. Dynamic:
 * every rule updated in place and cleared, a lifetime limit, drift repaired,
 * out-of-band delete, bad input at preview. Native: `pulumi import`.
 * WorkspaceDefaultGuardrail. Both: create (by PATCH, never POST), clean
 * preview, destroy (only leaves the stack: its rules stay in force). Dynamic:
 * updated in place, drift repaired, bad input, rules already in force kept with
 * a warning, its workspace deleted. Native: `pulumi import`.
 * Key and member assignments. Both: create (one item per request), destroy.
 * Dynamic: two to one guardrail coexist and removing one leaves the other,
 * removed (key) or moved (member) out of band, bad input. Native: `pulumi import`.
 * No secret (the management key, the keys' secrets) is in plaintext anywhere.
 */
import type {
  GuardrailArgs,
  GuardrailKeyAssignmentArgs,
  GuardrailMemberAssignmentArgs,
  WorkspaceDefaultGuardrailArgs,
} from "../../sdk/openrouter";
import type { RunningEmulator } from "../../emulator";
import type { OpenRouterGuardrailRecord } from "../../emulator/openrouter/state";
import { ADMIN_KEY, callOpenRouter } from "../support/emulator";
import { seedOrganizationMembers } from "../support/openrouter-members";
import type { CustomResourceOptions } from "@pulumi/pulumi";
import { resourceSuite, Sdk, SuiteContext } from "./harness";

jest.setTimeout(15 * 60_000);

const USERS = ["user_alice", "user_bob", "user_carol"];

/** The emulator's OpenRouter API (the admin key is also its management key). */
const api = (emulator: RunningEmulator, method: string, route: string, body?: unknown) => callOpenRouter(emulator, method, route, body);

interface Workspace {
  workspaceId: string;
}
interface Assignable extends Workspace {
  /** A guardrail made through the API, the one the assignments name. */
  guardrailId: string;
  keyHashes: string[];
  keySecrets: string[];
}

/** A workspace for the guardrails. */
async function guardedWorkspace(emulator: RunningEmulator): Promise<Workspace> {
  return { workspaceId: (await api(emulator, "POST", "/workspaces", { name: "Guarded", slug: "guarded" })).body.data.id };
}

/** The workspace with three keys, three members of it and a guardrail to assign. */
async function assignable(emulator: RunningEmulator): Promise<Assignable> {
  const { workspaceId } = await guardedWorkspace(emulator);
  const keys = [];
  for (const name of ["alpha", "beta", "gamma"]) keys.push((await api(emulator, "POST", "/keys", { name, workspace_id: workspaceId })).body.data);
  await seedOrganizationMembers(emulator, USERS.map((id) => ({ id, email: `${id}@example.com` })));
  // Members can hold the workspace's guardrails only once they belong to it.
  await api(emulator, "POST", `/workspaces/${workspaceId}/members/add`, { user_ids: USERS });
  const guardrailId = (await api(emulator, "POST", "/guardrails", { name: "strict", workspace_id: workspaceId })).body.data.id;
  return {
    workspaceId,
    guardrailId,
    keyHashes: keys.map((k: { hash: string }) => k.hash),
    keySecrets: keys.map((k: { hash: string }) => emulator.openrouterState().keys[k.hash].secret),
  };
}

function remoteGuardrails(emulator: RunningEmulator): OpenRouterGuardrailRecord[] {
  return Object.values(emulator.openrouterState().guardrails ?? {}).filter((g) => !g.deleted_at && !g.is_workspace_default);
}
function defaultGuardrailOf(emulator: RunningEmulator, workspaceId: string): OpenRouterGuardrailRecord | undefined {
  const guardrailId = emulator.openrouterState().workspaces[workspaceId].default_guardrail_id;
  return emulator.openrouterState().guardrails?.[guardrailId];
}
async function assignedKeyHashes(emulator: RunningEmulator, guardrailId: string): Promise<string[]> {
  return (await api(emulator, "GET", `/guardrails/${guardrailId}/assignments/keys`)).body.data.map((a: { key_hash: string }) => a.key_hash).sort();
}
async function assignedUserIds(emulator: RunningEmulator, guardrailId: string): Promise<string[]> {
  return (await api(emulator, "GET", `/guardrails/${guardrailId}/assignments/members`)).body.data.map((a: { user_id: string }) => a.user_id).sort();
}

// ---------------------------------------------------------------------------
// Guardrail
// ---------------------------------------------------------------------------

type GuardrailCtx = SuiteContext<GuardrailArgs, Workspace>;
const PATCH_GUARDRAIL = "PATCH openrouter /guardrails/{id}";

const FULL = (workspaceId: string): GuardrailArgs => ({
  name: "strict",
  workspaceId,
  description: "Research spending and data rules",
  limitUsd: 50,
  resetInterval: "monthly",
  includeByokInBudgets: true,
  allowedModels: ["openai/gpt-4o", "anthropic/claude-3.5-sonnet"],
  ignoredModels: ["openai/gpt-4o-mini"],
  allowedProviders: ["openai", "anthropic"],
  ignoredProviders: ["deepinfra"],
  enforceZdrAnthropic: true,
  enforceZdrOpenai: true,
  enforceZdrGoogle: false,
  enforceZdrXai: true,
  enforceZdrOther: false,
  enableFreeModelPublication: false,
  enableFreeModelTraining: false,
  enablePaidModelTraining: true,
  contentFilters: [{ pattern: "ACME-\\d{6}", action: "block", label: "project code" }],
  contentFilterBuiltins: [{ slug: "email", action: "redact" }, { slug: "regex-prompt-injection", action: "flag" }],
  allowedDataRegions: ["europe"],
});

/** Every rule changed. */
const CHANGED = (workspaceId: string): GuardrailArgs => ({
  name: "strict-v2",
  workspaceId,
  description: "Changed",
  limitUsd: 75,
  resetInterval: "weekly",
  includeByokInBudgets: false,
  allowedModels: ["google/gemini-2.0-flash-001"],
  ignoredModels: ["anthropic/claude-3.5-sonnet"],
  allowedProviders: ["google"],
  ignoredProviders: ["openai"],
  enforceZdrAnthropic: false,
  enforceZdrOpenai: false,
  enforceZdrGoogle: true,
  enforceZdrXai: false,
  enforceZdrOther: true,
  enableFreeModelPublication: true,
  enableFreeModelTraining: true,
  enablePaidModelTraining: false,
  contentFilters: [{ pattern: "secret-[a-z]+", action: "redact" }],
  contentFilterBuiltins: [{ slug: "regex-prompt-injection", action: "block", scanScope: "user_only" }, { slug: "ssn", action: "block" }],
  allowedDataRegions: ["us", "global"],
});

/** Every optional rule removed. */
const BARE = (workspaceId: string): GuardrailArgs => ({ name: "strict-v2", workspaceId });

/** The rules an out-of-band edit changes, as they were before it (what `up` puts back). */
let beforeEdit: Partial<OpenRouterGuardrailRecord> = {};

resourceSuite<GuardrailArgs, Workspace>({
  group: "Guardrail",
  vendor: "openrouter",
  resource: "Guardrail",
  name: "strict",
  setup: guardedWorkspace,
  base: ({ workspaceId }) => FULL(workspaceId),
  // Exports nothing: stack outputs registered after a preview refused at check are rejected by the
  // terminating engine as an unhandled rejection, which Jest counts as a failed suite (see convergence.test.ts).
  declare: (sdk, name, args) => {
    new sdk.openrouter.Guardrail(name, args);
    return {};
  },
  steps: { native: ["create", "destroy"] },

  created: async (ctx) => {
    const [made] = remoteGuardrails(ctx.emulator);
    expect(made).toMatchObject({
      name: "strict",
      workspace_id: ctx.fixtures.workspaceId,
      description: "Research spending and data rules",
      limit_usd: 50,
      reset_interval: "monthly",
      include_byok_in_budgets: true,
      // OpenRouter stores canonical slugs; the program's spelling previews clean (the create step's second preview).
      allowed_models: ["openai/gpt-4o-2024-05-13", "anthropic/claude-3.5-sonnet-20240620"],
      ignored_models: ["openai/gpt-4o-mini-2024-07-18"],
      allowed_providers: ["openai", "anthropic"],
      ignored_providers: ["deepinfra"],
      enforce_zdr_anthropic: true,
      enforce_zdr_openai: true,
      enforce_zdr_google: false,
      enforce_zdr_xai: true,
      enforce_zdr_other: false,
      enable_free_model_publication: false,
      enable_free_model_training: false,
      enable_paid_model_training: true,
      content_filters: [{ pattern: "ACME-\\d{6}", action: "block", label: "project code" }],
      content_filter_builtins: [
        { slug: "email", action: "redact", label: "[EMAIL]" },
        { slug: "regex-prompt-injection", action: "flag", label: "[PROMPT_INJECTION]", scan_scope: "all_messages" },
      ],
      allowed_data_regions: ["europe"],
    });
    expect((await ctx.engine.exportState()).resource(ctx.type, "strict")?.id).toBe(made.id);
    // The create sent what was declared, in OpenRouter's names.
    const [post] = ctx.requests("POST openrouter /guardrails");
    expect(Object.keys(post.body as object).sort()).toEqual(
      [
        "name", "workspace_id", "description", "limit_usd", "reset_interval", "include_byok_in_budgets", "allowed_models", "ignored_models",
        "allowed_providers", "ignored_providers", "enforce_zdr_anthropic", "enforce_zdr_openai", "enforce_zdr_google", "enforce_zdr_xai",
        "enforce_zdr_other", "enable_free_model_publication", "enable_free_model_training", "enable_paid_model_training", "content_filters",
        "content_filter_builtins", "allowed_data_regions",
      ].sort(),
    );
  },
  secrets: () => [ADMIN_KEY],

  drift: {
    edit: async ({ emulator }) => {
      const [guardrail] = remoteGuardrails(emulator);
      beforeEdit = { description: guardrail.description, allowed_models: guardrail.allowed_models, enforce_zdr_xai: guardrail.enforce_zdr_xai };
      await api(emulator, "PATCH", `/guardrails/${guardrail.id}`, { description: "edited", allowed_models: ["openai/gpt-4o-mini"], enforce_zdr_xai: true });
    },
    diffText: [/allowedModels/, /description/],
    repaired: ({ emulator }) => {
      expect(remoteGuardrails(emulator)[0]).toMatchObject(beforeEdit);
    },
  },

  deleted: {
    delete: async ({ emulator }) => {
      const old = remoteGuardrails(emulator)[0];
      await api(emulator, "DELETE", `/guardrails/${old.id}`);
      return old;
    },
    recreated: async (ctx, old) => {
      expect(remoteGuardrails(ctx.emulator)).toHaveLength(1);
      expect(remoteGuardrails(ctx.emulator)[0].id).not.toBe((old as OpenRouterGuardrailRecord).id);
      await ctx.expectCleanPreview();
    },
  },

  badInput: () => [
    [{ name: "" }, /name: must not be empty/],
    [{ name: "g", workspaceId: "guarded" }, /workspaceId: must be the workspace's UUID/],
    [{ name: "g", limitUsd: -1 }, /limitUsd: must be >= 0/],
    [{ name: "g", allowedModels: [] }, /allowedModels: must list at least one model/],
    [{ name: "g", allowedDataRegions: [] }, /allowedDataRegions: must list at least one region/],
    [{ name: "g", contentFilters: [{ pattern: "(", action: "block" }] }, /contentFilters\.0\.pattern.*valid regular expression|contentFilters.*pattern.*valid regular expression/],
    [{ name: "g", contentFilterBuiltins: [{ slug: "email", action: "redact", scanScope: "user_only" }] }, /contentFilterBuiltins.*scanScope.*applies only to regex-prompt-injection/],
  ],

  destroyed: ({ emulator }) => {
    expect(remoteGuardrails(emulator)).toEqual([]);
  },

  tests: [
    {
      title: "every rule changes in place (one PATCH, same id)",
      forms: ["dynamic"],
      body: async (ctx: GuardrailCtx) => {
        await ctx.given(FULL(ctx.fixtures.workspaceId));
        const id = remoteGuardrails(ctx.emulator)[0].id;
        ctx.declare(CHANGED(ctx.fixtures.workspaceId));
        expect(ctx.ops(await ctx.preview())).toEqual(["update"]);
        await ctx.up();
        await ctx.expectCleanPreview();
        expect(remoteGuardrails(ctx.emulator)).toEqual([
          expect.objectContaining({
            id,
            name: "strict-v2",
            description: "Changed",
            limit_usd: 75,
            reset_interval: "weekly",
            include_byok_in_budgets: false,
            allowed_models: ["google/gemini-2.0-flash-001"],
            ignored_models: ["anthropic/claude-3.5-sonnet-20240620"],
            allowed_providers: ["google"],
            ignored_providers: ["openai"],
            enforce_zdr_anthropic: false,
            enforce_zdr_google: true,
            enforce_zdr_other: true,
            enable_free_model_publication: true,
            enable_paid_model_training: false,
            content_filters: [{ pattern: "secret-[a-z]+", action: "redact", label: null }],
            content_filter_builtins: [
              { slug: "regex-prompt-injection", action: "block", label: "[PROMPT_INJECTION]", scan_scope: "user_only" },
              { slug: "ssn", action: "block", label: "[SSN]" },
            ],
            allowed_data_regions: ["us", "global"],
          }),
        ]);
        const patches = ctx.requests(PATCH_GUARDRAIL);
        expect(patches).toHaveLength(1);
        expect(patches[0].body).not.toHaveProperty("workspace_id");
      },
    },
    {
      title: "removing the optional rules clears them",
      forms: ["dynamic"],
      body: async (ctx: GuardrailCtx) => {
        await ctx.given(CHANGED(ctx.fixtures.workspaceId));
        ctx.declare(BARE(ctx.fixtures.workspaceId));
        await ctx.up();
        await ctx.expectCleanPreview();
        expect(remoteGuardrails(ctx.emulator)[0]).toMatchObject({
          description: null,
          limit_usd: null,
          reset_interval: null,
          include_byok_in_budgets: false,
          allowed_models: null,
          ignored_models: null,
          allowed_providers: null,
          ignored_providers: null,
          enforce_zdr_anthropic: null,
          enforce_zdr_openai: null,
          enforce_zdr_google: null,
          enforce_zdr_xai: null,
          enforce_zdr_other: null,
          enable_free_model_publication: null,
          enable_free_model_training: null,
          enable_paid_model_training: null,
          content_filters: null,
          content_filter_builtins: null,
          allowed_data_regions: null,
        });
        // The budget pair went together (OpenRouter refuses one without the other).
        const [patch] = ctx.requests(PATCH_GUARDRAIL);
        expect(patch.body).toMatchObject({ limit_usd: null, reset_interval: null });
      },
    },
    {
      title: "a lifetime limit (no resetInterval) sends the pair with reset_interval null",
      forms: ["dynamic"],
      body: async (ctx: GuardrailCtx) => {
        await ctx.given(BARE(ctx.fixtures.workspaceId));
        ctx.declare({ ...BARE(ctx.fixtures.workspaceId), limitUsd: 20, allowedModels: ["openai/gpt-4o"] });
        await ctx.up();
        await ctx.expectCleanPreview();
        const [patch] = ctx.requests(PATCH_GUARDRAIL);
        expect(patch.body).toEqual({ limit_usd: 20, reset_interval: null, allowed_models: ["openai/gpt-4o"] });
      },
    },
    {
      title: "pulumi import takes a guardrail made by hand; the program declaring it previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: GuardrailCtx) => {
        const { workspaceId } = ctx.fixtures;
        await ctx.given("nothing");
        const byHand = { name: "by-hand", workspace_id: workspaceId, allowed_providers: ["openai"], limit_usd: 5, reset_interval: "weekly" };
        const guardrailId = (await api(ctx.emulator, "POST", "/guardrails", byHand)).body.data.id;
        await ctx.importAndRelease([{ name: "byHand", id: guardrailId }], (protect) =>
          new ctx.sdk.openrouter.Guardrail("byHand", { name: "by-hand", workspaceId, allowedProviders: ["openai"], limitUsd: 5, resetInterval: "weekly" }, { protect }),
        );
        expect(remoteGuardrails(ctx.emulator)).toEqual([]);
      },
    },
  ],
});

// ---------------------------------------------------------------------------
// WorkspaceDefaultGuardrail
// ---------------------------------------------------------------------------

type DefaultCtx = SuiteContext<WorkspaceDefaultGuardrailArgs, Workspace>;

/** Rules that clear what the base declares and add others. */
const UPDATED = (workspaceId: string): WorkspaceDefaultGuardrailArgs => ({
  workspaceId,
  allowedDataRegions: ["europe", "us"],
  enforceZdrOther: false,
  contentFilterBuiltins: [{ slug: "phone", action: "flag" }],
});

resourceSuite<WorkspaceDefaultGuardrailArgs, Workspace>({
  group: "WorkspaceDefaultGuardrail",
  vendor: "openrouter",
  resource: "WorkspaceDefaultGuardrail",
  name: "ws-default",
  setup: guardedWorkspace,
  base: ({ workspaceId }) => ({ workspaceId, allowedDataRegions: ["europe"], enforceZdrOther: true, allowedProviders: ["anthropic"], limitUsd: 100, resetInterval: "daily" }),
  declare: (sdk, name, args) => {
    new sdk.openrouter.WorkspaceDefaultGuardrail(name, args);
    return {};
  },
  steps: { native: ["create", "destroy"] },

  // Written by PATCH: OpenRouter gives every workspace one, nothing is POSTed.
  created: async (ctx) => {
    const { workspaceId } = ctx.fixtures;
    expect(ctx.requests("POST openrouter /guardrails")).toEqual([]);
    expect(defaultGuardrailOf(ctx.emulator, workspaceId)).toMatchObject({ allowed_data_regions: ["europe"], enforce_zdr_other: true, allowed_providers: ["anthropic"], limit_usd: 100, reset_interval: "daily" });
    expect((await ctx.engine.exportState()).resource(ctx.type, "ws-default")?.id).toBe(workspaceId);
  },
  secrets: () => [ADMIN_KEY],

  drift: {
    edit: async ({ emulator, fixtures }) => {
      const guardrailId = emulator.openrouterState().workspaces[fixtures.workspaceId].default_guardrail_id;
      await api(emulator, "PATCH", `/guardrails/${guardrailId}`, { allowed_data_regions: ["global"], ignored_providers: ["openai"] });
    },
    repaired: ({ emulator, fixtures, desired }) => {
      expect(defaultGuardrailOf(emulator, fixtures.workspaceId)).toMatchObject({ allowed_data_regions: desired!.allowedDataRegions, ignored_providers: null });
    },
  },

  badInput: ({ workspaceId }) => [
    [{ workspaceId: "guarded" }, /workspaceId: must be the workspace's UUID/],
    [{ workspaceId, name: "renamed" } as WorkspaceDefaultGuardrailArgs, /name/],
  ],

  // Only leaves the stack: OpenRouter cannot delete it, so its rules stay in force.
  destroyed: (ctx, result) => {
    expect(result.stdout).toMatch(/cannot delete a workspace's default guardrail/);
    expect(defaultGuardrailOf(ctx.emulator, ctx.fixtures.workspaceId)).toMatchObject({ allowed_data_regions: ctx.desired!.allowedDataRegions, deleted_at: null });
  },

  tests: [
    {
      title: "the rules change in place; rules no longer declared are cleared",
      forms: ["dynamic"],
      body: async (ctx: DefaultCtx) => {
        const { workspaceId } = ctx.fixtures;
        await ctx.given(ctx.base());
        ctx.declare(UPDATED(workspaceId));
        expect(ctx.ops(await ctx.up())).toEqual(["update"]);
        await ctx.expectCleanPreview();
        expect(defaultGuardrailOf(ctx.emulator, workspaceId)).toMatchObject({
          allowed_data_regions: ["europe", "us"],
          enforce_zdr_other: false,
          allowed_providers: null,
          limit_usd: null,
          reset_interval: null,
          content_filter_builtins: [{ slug: "phone", action: "flag", label: "[PHONE]" }],
        });
      },
    },
    {
      title: "managing one again keeps the rules already in force, with a warning; the preview then shows them",
      forms: ["dynamic"],
      after: "destroy",
      body: async (ctx: DefaultCtx) => {
        await ctx.given("nothing");
        // A workspace whose default guardrail someone set by hand (or a destroyed stack left in force).
        const workspaceId = (await api(ctx.emulator, "POST", "/workspaces", { name: "Kept", slug: "kept-rules" })).body.data.id;
        const guardrailId = ctx.emulator.openrouterState().workspaces[workspaceId].default_guardrail_id;
        await api(ctx.emulator, "PATCH", `/guardrails/${guardrailId}`, { allowed_data_regions: ["europe", "us"], enforce_zdr_other: false, content_filter_builtins: [{ slug: "phone", action: "flag" }] });
        ctx.declare({ workspaceId, allowedDataRegions: ["europe", "us"] });
        const result = await ctx.up();
        expect(result.stdout).toMatch(/already had rules this program does not declare \(enforceZdrOther, contentFilterBuiltins\)/);
        expect(defaultGuardrailOf(ctx.emulator, workspaceId)).toMatchObject({ enforce_zdr_other: false, content_filter_builtins: [expect.objectContaining({ slug: "phone" })] });
        expect(ctx.ops(await ctx.preview())).toEqual(["update"]);
        ctx.declare(UPDATED(workspaceId));
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "an unconfigured default guardrail reads 404; once written, deleting its workspace drops it from the stack on refresh",
      forms: ["dynamic"],
      after: "destroy",
      body: async (ctx: DefaultCtx) => {
        const other = (await api(ctx.emulator, "POST", "/workspaces", { name: "Temp", slug: "temp-guarded" })).body.data.id;
        const guardrailId = ctx.emulator.openrouterState().workspaces[other].default_guardrail_id;
        expect((await api(ctx.emulator, "GET", `/guardrails/${guardrailId}`)).status).toBe(404);
        await ctx.given({ workspaceId: other, enforceZdrOther: true });
        expect(defaultGuardrailOf(ctx.emulator, other)).toMatchObject({ enforce_zdr_other: true });
        await api(ctx.emulator, "DELETE", `/workspaces/${other}`);
        const refreshed = await ctx.refresh();
        expect(refreshed.changeSummary.delete).toBe(1);
        expect((await ctx.engine.exportState()).resources(ctx.type)).toEqual([]);
      },
    },
    {
      title: "pulumi import takes a default guardrail by its workspace; the program declaring it previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: DefaultCtx) => {
        const { workspaceId } = ctx.fixtures;
        await ctx.given("nothing");
        const guardrailId = ctx.emulator.openrouterState().workspaces[workspaceId].default_guardrail_id;
        const rules = { enforce_zdr_google: true, enforce_zdr_other: false, allowed_data_regions: ["europe", "us"], content_filter_builtins: [{ slug: "phone", action: "flag" }] };
        // Whatever the stack left in force is replaced by these rules, set by hand.
        await api(ctx.emulator, "PATCH", `/guardrails/${guardrailId}`, { ...rules, allowed_providers: null, limit_usd: null, reset_interval: null });
        await ctx.importAndRelease([{ name: "byHandDefault", id: workspaceId }], (protect) =>
          new ctx.sdk.openrouter.WorkspaceDefaultGuardrail(
            "byHandDefault",
            { workspaceId, enforceZdrGoogle: true, enforceZdrOther: false, allowedDataRegions: ["europe", "us"], contentFilterBuiltins: [{ slug: "phone", action: "flag" }] },
            { protect },
          ),
        );
      },
    },
  ],
});

// ---------------------------------------------------------------------------
// GuardrailKeyAssignment and GuardrailMemberAssignment: the same behaviour, one suite each.
// ---------------------------------------------------------------------------

interface AssignmentKind<A> {
  resource: "GuardrailKeyAssignment" | "GuardrailMemberAssignment";
  /** The path segment of its assignments (`/guardrails/{id}/assignments/<segment>`) and the body field carrying the items. */
  segment: "keys" | "members";
  field: "key_hashes" | "member_user_ids";
  /** The assigned item: a key hash or a user id (index 0 is the base's, 1 the second one's). */
  item: (fixtures: Assignable, index: number) => string;
  args: (guardrailId: string, item: string) => A;
  itemOf: (args: A) => string;
  assigned: (emulator: RunningEmulator, guardrailId: string) => Promise<string[]>;
  /** Undoes the assignment out of band (what it answers is given to `cleanUp`); `up` must make it again. */
  undo: (ctx: SuiteContext<A, Assignable>) => Promise<unknown>;
  cleanUp?: (ctx: SuiteContext<A, Assignable>, undone: unknown) => Promise<void>;
  badInput?: (valid: A) => [A, RegExp][];
  secrets: (fixtures: Assignable) => string[];
}

function assignmentSuite<A>(kind: AssignmentKind<A>): void {
  type Ctx = SuiteContext<A, Assignable>;
  const sorted = (items: string[]) => [...items].sort();
  const route = `POST openrouter /guardrails/{id}/assignments/${kind.segment}`;
  /** Declares one assignment of this kind (the two kinds' classes take their own arguments). */
  const declareOne = (sdk: Sdk, name: string, args: A, opts?: CustomResourceOptions) =>
    new sdk.openrouter[kind.resource](name, args as unknown as GuardrailKeyAssignmentArgs & GuardrailMemberAssignmentArgs, opts);
  resourceSuite<A, Assignable>({
    group: kind.resource,
    vendor: "openrouter",
    resource: kind.resource,
    name: "assigned",
    setup: assignable,
    base: (f) => kind.args(f.guardrailId, kind.item(f, 0)),
    declare: (sdk, name, args) => {
      declareOne(sdk, name, args);
      return {};
    },
    steps: { native: ["create", "destroy"] },

    // The request carries this resource's item only: never a list that could stand for the others.
    created: async (ctx) => {
      const { guardrailId } = ctx.fixtures;
      const item = kind.itemOf(ctx.desired!);
      expect(await kind.assigned(ctx.emulator, guardrailId)).toEqual([item]);
      expect(ctx.requests(route).map((r) => r.body)).toEqual([{ [kind.field]: [item] }]);
      expect((await ctx.engine.exportState()).resource(ctx.type, "assigned")?.id).toBe(`${guardrailId}/${item}`);
    },
    secrets: (ctx) => kind.secrets(ctx.fixtures),

    deleted: {
      delete: (ctx) => kind.undo(ctx),
      recreated: async (ctx, undone) => {
        expect(await kind.assigned(ctx.emulator, ctx.fixtures.guardrailId)).toEqual([kind.itemOf(ctx.desired!)]);
        await kind.cleanUp?.(ctx, undone);
        await ctx.expectCleanPreview();
      },
    },
    badInput: kind.badInput,

    // None is left, on any guardrail.
    destroyed: async ({ emulator, fixtures }) => {
      expect(await kind.assigned(emulator, fixtures.guardrailId)).toEqual([]);
      expect((await api(emulator, "GET", `/guardrails/assignments/${kind.segment}`)).body.data).toEqual([]);
    },

    tests: [
      {
        title: "two assignments to one guardrail coexist, each request carrying its own item; removing one leaves the other",
        forms: ["dynamic"],
        body: async (ctx: Ctx) => {
          const { guardrailId } = ctx.fixtures;
          const [first, second] = [kind.item(ctx.fixtures, 0), kind.item(ctx.fixtures, 1)];
          await ctx.given(kind.args(guardrailId, first));
          const firstArgs = ctx.desired!;
          ctx.setProgram(async () => {
            declareOne(ctx.sdk, "assigned", firstArgs);
            declareOne(ctx.sdk, "second", kind.args(guardrailId, second));
            return {};
          });
          expect(ctx.ops(await ctx.up(), true)).toEqual([`create ${ctx.type}`]);
          expect(await kind.assigned(ctx.emulator, guardrailId)).toEqual(sorted([first, second]));
          expect(ctx.requests(route).map((r) => r.body)).toEqual([{ [kind.field]: [second] }]);
          expect((await ctx.engine.exportState()).resource(ctx.type, "second")?.id).toBe(`${guardrailId}/${second}`);
          await ctx.expectCleanPreview();

          // Back to the first one only.
          ctx.declare(firstArgs);
          expect(ctx.ops(await ctx.up(), true)).toEqual([`delete ${ctx.type}`]);
          expect(await kind.assigned(ctx.emulator, guardrailId)).toEqual([first]);
          await ctx.expectCleanPreview();
        },
      },
      {
        title: "pulumi import takes an assignment made by hand by <guardrailId>/<item>; the program declaring it previews clean",
        forms: ["native"],
        after: "destroy",
        body: async (ctx: Ctx) => {
          const { guardrailId } = ctx.fixtures;
          const item = kind.item(ctx.fixtures, 0);
          await ctx.given("nothing");
          await api(ctx.emulator, "POST", `/guardrails/${guardrailId}/assignments/${kind.segment}`, { [kind.field]: [item] });
          await ctx.importAndRelease([{ name: "byHand", id: `${guardrailId}/${item}` }], (protect) => declareOne(ctx.sdk, "byHand", kind.args(guardrailId, item), { protect }));
          expect(await kind.assigned(ctx.emulator, guardrailId)).toEqual([]);
        },
      },
    ],
  });
}

assignmentSuite<GuardrailKeyAssignmentArgs>({
  resource: "GuardrailKeyAssignment",
  segment: "keys",
  field: "key_hashes",
  item: (f, index) => f.keyHashes[index],
  args: (guardrailId, keyHash) => ({ guardrailId, keyHash }),
  itemOf: (args) => args.keyHash as string,
  assigned: assignedKeyHashes,
  // Removed by hand.
  undo: ({ emulator, fixtures, desired }) => api(emulator, "POST", `/guardrails/${fixtures.guardrailId}/assignments/keys/remove`, { key_hashes: [desired!.keyHash] }),
  badInput: (valid) => [[{ ...valid, keyHash: "not-a-hash" }, /keyHash: must be the key's 64-character hex hash/]],
  // The keys' secrets never reach the stack either.
  secrets: (f) => [ADMIN_KEY, ...f.keySecrets],
});

assignmentSuite<GuardrailMemberAssignmentArgs>({
  resource: "GuardrailMemberAssignment",
  segment: "members",
  field: "member_user_ids",
  item: (_, index) => USERS[index],
  args: (guardrailId, userId) => ({ guardrailId, userId }),
  itemOf: (args) => args.userId as string,
  assigned: assignedUserIds,
  // Moved: assigned to another guardrail by hand (a member holds one guardrail).
  undo: async ({ emulator, fixtures, desired }) => {
    const other: string = (await api(emulator, "POST", "/guardrails", { name: "other", workspace_id: fixtures.workspaceId })).body.data.id;
    await api(emulator, "POST", `/guardrails/${other}/assignments/members`, { member_user_ids: [desired!.userId] });
    return other;
  },
  cleanUp: async ({ emulator }, other) => {
    await api(emulator, "DELETE", `/guardrails/${other as string}`);
  },
  secrets: () => [ADMIN_KEY],
});
