/**
 * The Portkey SecretReference resource through the real engine against the
 * emulator, in both forms (see resourceSuite in ./harness.ts). Both: create
 * (the store credentials never in plaintext in state, backend files or the
 * engine's output), clean preview, a manager type change replacing it (the
 * old reference deleted first: its derived slug is taken until then),
 * destroy. Dynamic: every updatable field changed in place, a credential
 * rotated (the PUT carries `auth_config`), optional fields cleared (the
 * workspace list by opening the reference to all workspaces), an Integration
 * taking its key from the reference (`secretMappings`), drift repaired,
 * out-of-band delete, bad input at preview. Native: a change in place as the
 * engine reports it, and `pulumi import`.
 */
import type { SecretReferenceArgs } from "../../sdk/portkey";
import { call } from "../support/emulator";
import { resourceSuite, Sdk, SuiteContext, typeToken } from "./harness";
import type { SecretReferenceRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const FIRST_SECRET = "aws-secret-e2e-5f0c1a9b7d";
const SECOND_SECRET = "aws-secret-e2e-88d2e4c6aa";
const ACCESS_KEY_ID = "AKIAE2EEXAMPLE4242";
const NAME = "ref";

interface Fixtures {
  ws: { id: string; slug: string };
  other: { id: string; slug: string };
}
type Ctx = SuiteContext<SecretReferenceArgs, Fixtures>;

function remote({ emulator }: Ctx): SecretReferenceRecord[] {
  return Object.values(emulator.state().secret_references ?? {});
}

const accessKeys = (secret: string) => ({ aws_auth_type: "accessKey", aws_access_key_id: ACCESS_KEY_ID, aws_secret_access_key: secret, aws_region: "us-east-1" });
const vaultToken = (secret: string) => ({ vault_auth_type: "token", vault_addr: "https://vault.example", vault_token: secret });

/** What the in-place update test leaves declared: every updatable field changed, the credential rotated. */
function updated(ctx: Ctx): SecretReferenceArgs {
  const { ws, other } = ctx.fixtures;
  return { ...ctx.base(), name: "OpenAI key v2", description: "rotated yearly", secretPath: "prod/openai-v2", secretKey: "key", tags: { team: "platform" }, allowedWorkspaces: [ws.slug, other.id], authConfig: accessKeys(SECOND_SECRET) };
}

/** The creates and deletes of references the emulator saw since the test's window began, in order. */
function writes(ctx: Ctx): string[] {
  return ctx.requests().map((r) => r.route).filter((route) => /^(POST|DELETE) \/secret-references/.test(route));
}

function declareReference(sdk: Sdk, name: string, args: SecretReferenceArgs) {
  // No deleteBeforeReplace option: Portkey derives the same slug from the same name, and the slug is declared unique, so a replacement deletes first.
  return new sdk.portkey.SecretReference(name, args);
}

resourceSuite<SecretReferenceArgs, Fixtures>({
  vendor: "portkey",
  resource: "SecretReference",
  name: NAME,
  setup: async (emulator) => ({
    ws: (await call(emulator, "POST", "/admin/workspaces", { name: "Secrets" })).body,
    other: (await call(emulator, "POST", "/admin/workspaces", { name: "Other" })).body,
  }),
  base: ({ ws }) => ({
    name: "OpenAI key",
    managerType: "aws_sm",
    authConfig: accessKeys(FIRST_SECRET),
    secretPath: "prod/openai",
    secretKey: "api_key",
    description: "the production key",
    tags: { team: "ml" },
    allowedWorkspaces: [ws.slug],
  }),
  declare: (sdk, name, args) => {
    const ref = declareReference(sdk, name, args);
    return { id: ref.id, slug: ref.slug, allowAllWorkspaces: ref.allowAllWorkspaces };
  },
  steps: { native: ["create", "secrets", "destroy"] },

  created: async (ctx, result) => {
    const { ws } = ctx.fixtures;
    const [made] = remote(ctx);
    expect(made).toMatchObject({ name: "OpenAI key", slug: "OpenAI-key", manager_type: "aws_sm", auth_config: accessKeys(FIRST_SECRET), secret_path: "prod/openai", secret_key: "api_key", description: "the production key", tags: { team: "ml" }, allow_all_workspaces: false, allowed_workspaces: [ws.id] });
    expect(ctx.requests("POST /secret-references").map((r) => r.body)).toEqual([
      { name: "OpenAI key", manager_type: "aws_sm", auth_config: accessKeys(FIRST_SECRET), secret_path: "prod/openai", secret_key: "api_key", description: "the production key", tags: { team: "ml" }, allowed_workspaces: [ws.slug] },
    ]);
    expect(result.outputs.id.value).toBe(made.id);
    expect(result.outputs.slug.value).toBe("OpenAI-key");
    expect(result.outputs.allowAllWorkspaces.value).toBe(false);
    const stored = (await ctx.engine.exportState()).resource(ctx.type, NAME)!;
    expect(stored.id).toBe(made.id);
    expect(stored.outputs?.authConfig).toMatchObject({ ciphertext: expect.any(String) });
  },
  // No store credential is in plaintext in the state, its backend files or anything the engine printed.
  secrets: () => [FIRST_SECRET, SECOND_SECRET, ACCESS_KEY_ID],

  // Restricting an open reference by hand shows too (when the whole file runs, the clearing test left it open).
  drift: {
    edit: async (ctx) => {
      await call(ctx.emulator, "PUT", `/secret-references/${remote(ctx)[0].id}`, { secret_path: "changed/by-hand", allowed_workspaces: [ctx.fixtures.other.id] });
    },
    inState: { secretPath: "changed/by-hand", allowAllWorkspaces: false },
    diffText: [/secretPath/, /allowedWorkspaces/],
    repaired: (ctx) => {
      expect(remote(ctx)[0]).toMatchObject({ secret_path: ctx.desired!.secretPath, allow_all_workspaces: ctx.desired!.allowedWorkspaces === undefined });
    },
  },

  deleted: {
    delete: async (ctx) => {
      const old = { ...remote(ctx)[0] };
      await call(ctx.emulator, "DELETE", `/secret-references/${old.id}`);
      return old;
    },
    recreated: (ctx, old) => {
      expect(remote(ctx)).toHaveLength(1);
      expect(remote(ctx)[0].id).not.toBe((old as SecretReferenceRecord).id);
    },
  },

  // The store cases name their manager type: what is declared before may be either store.
  badInput: (valid) => [
    [{ ...valid, name: "" }, /name.*must not be empty/],
    [{ ...valid, slug: "has space" }, /slug.*must be a slug/],
    [{ ...valid, managerType: "gcp_sm" as SecretReferenceArgs["managerType"] }, /managerType/],
    [{ ...valid, managerType: "hashicorp_vault", authConfig: { vault_auth_type: "token", vault_addr: "https://vault.example" } }, /authConfig\.vault_token.*required/],
    [{ ...valid, managerType: "hashicorp_vault", authConfig: accessKeys(FIRST_SECRET) }, /authConfig\.vault_auth_type.*must be one of/],
    [{ ...valid, secretPath: "" }, /secretPath.*must not be empty/],
    [{ ...valid, allowedWorkspaces: [] }, /allowedWorkspaces.*at least one workspace/],
  ],

  destroyed: (ctx) => {
    expect(remote(ctx)).toEqual([]);
  },

  tests: [
    {
      title: "every other field changes in place, each PUT carrying only what changed; rotating the credential sends auth_config",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { ws, other } = ctx.fixtures;
        await ctx.given(ctx.base());
        const before = { ...remote(ctx)[0] };
        const target = updated(ctx);
        ctx.declare({ ...target, authConfig: ctx.base().authConfig });
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        await ctx.up();
        ctx.declare(target);
        await ctx.up();
        await ctx.expectCleanPreview();
        const [after] = remote(ctx);
        expect(after.id).toBe(before.id);
        expect(after).toMatchObject({ name: "OpenAI key v2", description: "rotated yearly", secret_path: "prod/openai-v2", secret_key: "key", tags: { team: "platform" }, allowed_workspaces: [ws.id, other.id], auth_config: accessKeys(SECOND_SECRET) });
        expect(ctx.requests("PUT /secret-references/{secretReferenceId}").map((r) => r.body)).toEqual([
          { name: "OpenAI key v2", description: "rotated yearly", secret_path: "prod/openai-v2", secret_key: "key", tags: { team: "platform" }, allowed_workspaces: [ws.slug, other.id] },
          { auth_config: accessKeys(SECOND_SECRET) },
        ]);
        await ctx.expectNoPlaintext([FIRST_SECRET, SECOND_SECRET, ACCESS_KEY_ID]);
      },
    },
    {
      title: "removing the optional fields clears them; removing the workspace list opens the reference to every workspace",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(updated(ctx));
        const { description: _d, secretKey: _k, tags: _t, allowedWorkspaces: _w, ...rest } = ctx.desired!;
        ctx.declare(rest);
        const result = await ctx.up();
        expect(ctx.ops(result)).toEqual(["update"]);
        expect(remote(ctx)[0]).toMatchObject({ description: null, secret_key: null, tags: null, allow_all_workspaces: true, allowed_workspaces: [] });
        expect(ctx.requests("PUT /secret-references/{secretReferenceId}").map((r) => r.body)).toEqual([{ description: null, secret_key: null, tags: null, allow_all_workspaces: true }]);
        expect(result.outputs.allowAllWorkspaces.value).toBe(true);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "an integration takes its key from the reference; the reference cannot go while it is mapped",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given("any");
        const args = ctx.desired!;
        const integration = typeToken(ctx.form, "portkey", "Integration");
        ctx.setProgram(async () => {
          const ref = declareReference(ctx.sdk, NAME, args);
          new ctx.sdk.portkey.Integration("mapped", { name: "OpenAI via store", slug: "openai-store", aiProviderId: "openai", secretMappings: [{ targetField: "key", secretReferenceId: ref.id }] });
          return {};
        });
        const result = await ctx.up();
        expect(ctx.ops(result, true)).toEqual([`create ${integration}`]);
        const id = remote(ctx)[0].id;
        expect(ctx.emulator.state().integrations["openai-store"]).toMatchObject({ key: null, secret_mappings: [{ target_field: "key", secret_reference_id: id, secret_key: null }] });
        expect(ctx.requests("POST /integrations").map((r) => r.body)).toEqual([{ name: "OpenAI via store", slug: "openai-store", ai_provider_id: "openai", secret_mappings: [{ target_field: "key", secret_reference_id: id }] }]);
        await ctx.expectCleanPreview();
        const refused = await call(ctx.emulator, "DELETE", `/secret-references/${id}`);
        expect(refused.status).toBe(400);
        // Back to the reference alone: the integration goes.
        ctx.declare(args);
        const removed = await ctx.up();
        expect(ctx.ops(removed, true)).toEqual([`delete ${integration}`]);
      },
    },
    {
      title: "secretPath changes in place, as the engine reports it",
      forms: ["native"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        ctx.declare({ ...ctx.base(), secretPath: "native/two" });
        const preview = await ctx.preview();
        expect(ctx.ops(preview, true)).toEqual([`update ${ctx.type}`]);
        await ctx.up();
        expect(remote(ctx).map((r) => r.secret_path)).toEqual(["native/two"]);
        await ctx.expectCleanPreview();
      },
    },
    {
      // The dynamic form has no deleteBeforeReplace option set; the native plugin's diff asks the engine to delete first.
      title: "changing the store replaces the reference, deleting the old one first (its derived slug is taken until then)",
      after: "deleted",
      body: async (ctx: Ctx) => {
        await ctx.given("any");
        const old = { ...remote(ctx)[0] };
        ctx.declare({ ...ctx.desired!, managerType: "hashicorp_vault", authConfig: vaultToken(FIRST_SECRET) });
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toContain("replace");
        ctx.markRequests();
        await ctx.up();
        expect(writes(ctx)).toEqual(["DELETE /secret-references/{secretReferenceId}", "POST /secret-references"]);
        expect(remote(ctx)).toHaveLength(1);
        expect(remote(ctx)[0]).toMatchObject({ name: ctx.desired!.name, manager_type: "hashicorp_vault" });
        expect(remote(ctx)[0].id).not.toBe(old.id);
        await ctx.expectNoPlaintext([FIRST_SECRET, SECOND_SECRET, ACCESS_KEY_ID]);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "pulumi import takes a reference made by hand under management; the program declaring it previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        await ctx.given("nothing");
        // An assumed role holds no credential, so everything the program declares can be read back.
        const authConfig = { aws_auth_type: "assumedRole", aws_role_arn: "arn:aws:iam::123456789012:role/portkey", aws_region: "eu-west-1" };
        const made = (await call(ctx.emulator, "POST", "/secret-references", { name: "by-hand", slug: "by-hand", manager_type: "aws_sm", auth_config: authConfig, secret_path: "hand/made" })).body as { id: string };
        ctx.declare(undefined);
        await ctx.up();
        await ctx.importAndRelease(
          [{ name: "byHand", id: made.id }],
          (protect) => new ctx.sdk.portkey.SecretReference("byHand", { name: "by-hand", slug: "by-hand", managerType: "aws_sm", authConfig, secretPath: "hand/made" }, { protect }),
          (state) => expect(state.resource(ctx.type, "byHand")?.id).toBe(made.id),
        );
        expect(remote(ctx)).toEqual([]);
      },
    },
  ],
});
