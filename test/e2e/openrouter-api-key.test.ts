/**
 * The OpenRouter ApiKey resource through the real engine against the emulator,
 * in both forms (see resourceSuite in ./harness.ts), in a workspace made once
 * per emulator. Both: create (disabled right after creation), the secret an
 * encrypted output and never in plaintext, clean preview, destroy. Dynamic:
 * fields updated in place and cleared, drift repaired, out-of-band delete,
 * expiresAt replacing the key, a key moved between workspaces in place (and
 * replaced into the default workspace), creatorUserId and externalUser
 * (create-only: each change replaces the key).
 */
import type { ApiKeyArgs } from "../../sdk/openrouter";
import type { RunningEmulator } from "../../emulator";
import { callOpenRouter } from "../support/emulator";
import { resourceSuite, SuiteContext } from "./harness";

jest.setTimeout(10 * 60_000);

interface Fixtures {
  home: { id: string };
}
type Ctx = SuiteContext<ApiKeyArgs, Fixtures>;

const EXPIRES = new Date(Date.now() + 30 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");

function remoteKeys(emulator: RunningEmulator) {
  return Object.values(emulator.openrouterState().keys).filter((k) => !k.deleted_at);
}

/** Asserts the next preview changes nothing at all: every step, the providers' included, is "same". */
async function expectAllSame(ctx: Ctx): Promise<void> {
  const preview = await ctx.preview();
  expect({ ops: ctx.ops(preview), summary: preview.changeSummary }).toEqual({ ops: [], summary: { same: expect.any(Number) } });
}

resourceSuite<ApiKeyArgs, Fixtures>({
  vendor: "openrouter",
  resource: "ApiKey",
  name: "ci",
  setup: async (emulator) => ({ home: (await callOpenRouter(emulator, "POST", "/workspaces", { name: "Research", slug: "research" })).body.data }),
  base: ({ home }) => ({ name: "ci", limit: 25, limitReset: "monthly", disabled: true, workspaceId: home.id }),
  declare: (sdk, name, args) => {
    const key = new sdk.openrouter.ApiKey(name, args);
    return { key: key.key, hash: key.hash, creatorUserId: key.creatorUserId, externalUser: key.externalUser };
  },
  steps: { native: ["create", "secrets", "destroy"] },

  created: async (ctx, result) => {
    const [key] = remoteKeys(ctx.emulator);
    expect(key).toMatchObject({ name: "ci", limit: 25, limit_reset: "monthly", disabled: true, workspace_id: ctx.fixtures.home.id });
    expect(result.outputs.key).toEqual({ value: key.secret, secret: true });
    expect(result.outputs.hash.value).toBe(key.hash);
    expect((await ctx.engine.exportState()).resource(ctx.type, "ci")?.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });
  },
  // Every key secret the emulator ever issued.
  secrets: ({ emulator }) => Object.values(emulator.openrouterState().keys).map((k) => k.secret),

  drift: {
    given: ({ fixtures }) => ({ name: "ci-bot", workspaceId: fixtures.home.id }),
    edit: async ({ emulator }) => {
      expect((await callOpenRouter(emulator, "PATCH", `/keys/${remoteKeys(emulator)[0].hash}`, { limit: 1, disabled: true })).status).toBe(200);
    },
    inState: { limit: 1, disabled: true },
    repaired: ({ emulator }) => {
      expect(remoteKeys(emulator)[0]).toMatchObject({ limit: null, disabled: false });
    },
  },

  deleted: {
    delete: async ({ emulator }) => {
      const [key] = remoteKeys(emulator);
      expect((await callOpenRouter(emulator, "DELETE", `/keys/${key.hash}`)).status).toBe(200);
      return key.hash;
    },
    recreated: ({ emulator }, hash) => {
      expect(remoteKeys(emulator)).toHaveLength(1);
      expect(remoteKeys(emulator)[0].hash).not.toBe(hash);
    },
  },

  destroyed: ({ emulator }) => {
    expect(remoteKeys(emulator)).toEqual([]);
  },

  tests: [
    {
      title: "key fields update in place and clear",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { emulator, fixtures } = ctx;
        await ctx.given(ctx.base());
        const hash = remoteKeys(emulator)[0].hash;
        ctx.declare({ name: "ci-bot", limit: 40, limitReset: "weekly", includeByokInLimit: true, workspaceId: fixtures.home.id });
        await ctx.up();
        await ctx.expectCleanPreview();
        expect(remoteKeys(emulator)).toEqual([expect.objectContaining({ hash, name: "ci-bot", limit: 40, limit_reset: "weekly", include_byok_in_limit: true, disabled: false })]);
        ctx.declare({ name: "ci-bot", workspaceId: fixtures.home.id });
        await ctx.up();
        await ctx.expectCleanPreview();
        expect(remoteKeys(emulator)[0]).toMatchObject({ hash, limit: null, limit_reset: null, include_byok_in_limit: false });
      },
    },
    {
      title: "expiresAt replaces the key: the old one is deleted, a new secret exported",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { emulator, fixtures } = ctx;
        await ctx.given({ name: "ci-bot", workspaceId: fixtures.home.id });
        const old = remoteKeys(emulator)[0];
        ctx.declare({ name: "ci-bot", expiresAt: EXPIRES, workspaceId: fixtures.home.id });
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toContain("replace");
        const result = await ctx.up();
        const [fresh] = remoteKeys(emulator);
        expect(fresh.hash).not.toBe(old.hash);
        expect(fresh.expires_at).toBe(EXPIRES);
        expect(emulator.openrouterState().keys[old.hash].deleted_at).not.toBeNull();
        expect(result.outputs.key.value).toBe(fresh.secret);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a new workspaceId moves the key in place (same hash and secret); removing it replaces the key in the default workspace",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { emulator, fixtures } = ctx;
        const home = fixtures.home.id;
        await ctx.given({ name: "ci-bot", expiresAt: EXPIRES, workspaceId: home });
        const elsewhere = (await callOpenRouter(emulator, "POST", "/workspaces", { name: "Elsewhere", slug: "elsewhere" })).body.data.id as string;
        const before = remoteKeys(emulator)[0];
        ctx.declare({ name: "ci-bot", expiresAt: EXPIRES, workspaceId: elsewhere });
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        const moved = await ctx.up();
        expect(remoteKeys(emulator)).toEqual([expect.objectContaining({ hash: before.hash, secret: before.secret, workspace_id: elsewhere })]);
        expect(moved.outputs.key.value).toBe(before.secret);
        const moves = ctx.requests("PATCH openrouter /keys/{hash}").filter((r) => (r.body as { workspace_id?: string })?.workspace_id === elsewhere);
        expect(moves).toHaveLength(1);
        await ctx.expectCleanPreview();

        ctx.declare({ name: "ci-bot", expiresAt: EXPIRES });
        const removal = await ctx.preview();
        expect(ctx.ops(removal)).toContain("replace");
        await ctx.up();
        const defaultWorkspace = Object.values(emulator.openrouterState().workspaces).find((w) => w.is_default)!;
        const [fresh] = remoteKeys(emulator);
        expect(fresh.hash).not.toBe(before.hash);
        expect(fresh.workspace_id).toBe(defaultWorkspace.id);

        ctx.declare({ name: "ci-bot", expiresAt: EXPIRES, workspaceId: home });
        await ctx.up();
        expect(remoteKeys(emulator)).toEqual([expect.objectContaining({ hash: fresh.hash, workspace_id: home })]);
        await ctx.expectCleanPreview();
        expect((await callOpenRouter(emulator, "DELETE", `/workspaces/${elsewhere}`)).status).toBe(200);
      },
    },
    {
      title: "creatorUserId and externalUser: stored at create, clean preview, each change replaces the key",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        const record = (hash: string) => emulator.openrouterState().keys[hash];
        const read = async (hash: string) => {
          const answer = await callOpenRouter(emulator, "GET", `/keys/${hash}`);
          expect(answer.status).toBe(200);
          return answer.body.data;
        };
        const stateHash = async () => (await ctx.engine.exportState()).resource(ctx.type, "ci")!.id!;

        // Set at create: sent, stored, read back.
        await ctx.given("nothing");
        ctx.declare({ name: "nf-key", creatorUserId: "user_nf_alice", externalUser: "end-user-1" });
        const created = await ctx.up();
        expect(ctx.ops(created)).toEqual(["create"]);
        const first = await stateHash();
        expect(ctx.requests("POST openrouter /keys").map((r) => r.body)).toEqual([expect.objectContaining({ creator_user_id: "user_nf_alice", external: { user: "end-user-1" } })]);
        expect(record(first)).toMatchObject({ creator_user_id: "user_nf_alice", external_user: "end-user-1", deleted_at: null });
        expect(await read(first)).toMatchObject({ creator_user_id: "user_nf_alice", external_user: "end-user-1" });
        expect(created.outputs.creatorUserId.value).toBe("user_nf_alice");
        expect(created.outputs.externalUser.value).toBe("end-user-1");
        await expectAllSame(ctx);

        const expectReplaced = async (previous: string, expected: { creator_user_id: string; external_user: string }, property: string) => {
          const preview = await ctx.preview();
          const ops = ctx.ops(preview);
          expect(ops.some((op) => op === "replace" || op === "create-replacement")).toBe(true);
          expect(ops).not.toContain("update");
          expect(preview.diffText).toMatch(new RegExp(`^\\s*[-+~] ${property}\\s*:`, "m"));
          const result = await ctx.up();
          expect(ctx.ops(result).some((op) => op === "replace" || op === "create-replacement")).toBe(true);
          const next = await stateHash();
          expect(next).not.toBe(previous);
          expect(result.outputs.hash.value).toBe(next);
          expect(record(previous).deleted_at).not.toBeNull();
          expect((await callOpenRouter(emulator, "GET", `/keys/${previous}`)).status).toBe(404);
          expect(record(next)).toMatchObject({ ...expected, deleted_at: null });
          expect(await read(next)).toMatchObject(expected);
          expect(remoteKeys(emulator).filter((k) => k.name === "nf-key").map((k) => k.hash)).toEqual([next]);
          await expectAllSame(ctx);
          return next;
        };

        // Changing the creator replaces the key.
        ctx.declare({ name: "nf-key", creatorUserId: "user_nf_bob", externalUser: "end-user-1" });
        const second = await expectReplaced(first, { creator_user_id: "user_nf_bob", external_user: "end-user-1" }, "creatorUserId");

        // Changing the external user replaces the key.
        ctx.declare({ name: "nf-key", creatorUserId: "user_nf_bob", externalUser: "end-user-2" });
        await expectReplaced(second, { creator_user_id: "user_nf_bob", external_user: "end-user-2" }, "externalUser");
      },
    },
  ],
});
