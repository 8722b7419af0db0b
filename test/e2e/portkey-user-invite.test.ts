/**
 * The Portkey UserInvite resource through the real engine against the
 * emulator (its test controls accept or expire invites and add users, as
 * people, time and SSO would), in both forms (see resourceSuite in
 * ./harness.ts). Both: create, the link a secret (never in plaintext in
 * state, backend files or the engine's output), clean preview, destroy
 * withdrawing a pending invite. Dynamic: resend in place, every other change
 * replaces (clearing optional fields too), expiry and out-of-band deletion
 * re-invite, acceptance never re-invites (even when the accepted invite is
 * gone) and destroying it leaves the user, an existing user refused, bad
 * input at preview. Native: `pulumi import` by id.
 */
import type { UserInviteArgs } from "../../sdk/portkey";
import { call } from "../support/emulator";
import { resourceSuite, SuiteContext } from "./harness";
import type { InviteRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const NAME = "invite";

interface Fixtures {
  ws: { id: string; slug: string };
}
type Ctx = SuiteContext<UserInviteArgs, Fixtures>;

/** A test control of the emulator (accept, expire, seed a user). */
async function control(ctx: Ctx, route: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${ctx.emulator.url}/_emulator/portkey${route}`, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

function remote({ emulator }: Ctx): InviteRecord[] {
  return Object.values(emulator.state().invites ?? {});
}

function posts(ctx: Ctx): unknown[] {
  return ctx.requests("POST /admin/users/invites").map((r) => r.body);
}

async function storedId(ctx: Ctx): Promise<string> {
  return (await ctx.engine.exportState()).resource(ctx.type, NAME)!.id!;
}

/** What the resend test leaves declared. */
const resent = (ctx: Ctx): UserInviteArgs => ({ ...ctx.base(), resendTrigger: 1 });

/** What the replacement test leaves declared: the email lower-cased, the role changed, scopes and workspaces cleared. */
const settled = (): UserInviteArgs => ({ email: "ann@example.com", role: "admin", resendTrigger: 1 });

resourceSuite<UserInviteArgs, Fixtures>({
  vendor: "portkey",
  resource: "UserInvite",
  name: NAME,
  setup: async (emulator) => ({ ws: (await call(emulator, "POST", "/admin/workspaces", { name: "Invites" })).body }),
  base: ({ ws }) => ({ email: "Ann@Example.com", role: "member", workspaces: [{ id: ws.slug, role: "manager" }], scopes: ["logs.view", "logs.list"] }),
  declare: (sdk, name, args) => {
    const invite = new sdk.portkey.UserInvite(name, args);
    return { id: invite.id, status: invite.status, userId: invite.userId };
  },
  steps: { native: ["create", "secrets", "destroy"] },

  // The link is a secret: its signature is in the state only encrypted.
  created: async (ctx, result) => {
    const { ws } = ctx.fixtures;
    const stored = (await ctx.engine.exportState()).resource(ctx.type, NAME)!;
    const made = remote(ctx).find((i) => i.id === stored.id)!;
    expect(made).toMatchObject({ email: "Ann@Example.com", role: "member", workspaces: [{ workspace_id: ws.id, role: "manager" }], scopes: ["logs.view", "logs.list"], status: "pending" });
    expect(posts(ctx)).toEqual([{ email: "Ann@Example.com", role: "member", workspaces: [{ id: ws.slug, role: "manager" }], workspace_api_key_details: { scopes: ["logs.view", "logs.list"] } }]);
    expect(result.outputs.status.value).toBe("pending");
    expect(stored.outputs).toMatchObject({ workspaces: [{ id: ws.slug, role: "manager" }], scopes: ["logs.view", "logs.list"], status: "pending" });
    expect(JSON.stringify(stored.outputs!.inviteLink)).toContain("4dabf18193072939515e22adb298388d");
  },
  // No invite link (its token) is in plaintext in the state, its backend files or anything the engine printed.
  secrets: (ctx) => remote(ctx).map((i) => i.link_token).filter((token) => typeof token === "string" && token.length > 0),

  // An out-of-band delete drops it from state on refresh and up invites again.
  deleted: {
    delete: async (ctx) => {
      const old = await storedId(ctx);
      await call(ctx.emulator, "DELETE", `/admin/users/invites/${old}`);
      return old;
    },
    recreated: async (ctx, old) => {
      expect(await storedId(ctx)).not.toBe(old);
    },
  },

  badInput: (_valid, { fixtures: { ws } }) => [
    [{ email: "not-an-email", role: "member" }, /email.*must be an email address/],
    [{ email: "b@example.com", role: "owner" as UserInviteArgs["role"] }, /role/],
    [{ email: "b@example.com", role: "member", workspaces: [{ id: "", role: "member" }] }, /workspaces.*id.*must not be empty/],
    [{ email: "b@example.com", role: "member", workspaces: [{ id: ws.id, role: "owner" as "admin" }] }, /workspaces.*role/],
    [{ email: "b@example.com", role: "member", scopes: [""] }, /scopes.*must not be empty/],
  ],

  // Destroy withdraws a pending invite.
  destroyed: (ctx) => {
    const withdrawn = ctx.requests("DELETE /admin/users/invites/{inviteId}").map((r) => r.path.split("/").at(-1));
    expect(withdrawn).toHaveLength(1);
    expect(remote(ctx).find((i) => i.id === withdrawn[0])).toBeUndefined();
  },

  tests: [
    {
      title: "a new resendTrigger resends in place: a new link, still secret",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const id = await storedId(ctx);
        // A copy: the emulator changes its record in place.
        const before = { ...remote(ctx).find((i) => i.id === id)! };
        ctx.declare(resent(ctx));
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["update"]);
        await ctx.up();
        const after = remote(ctx).find((i) => i.id === id)!;
        expect(after.link_token).not.toBe(before.link_token);
        expect(ctx.requests("POST /admin/users/invites/{inviteId}/resend")).toHaveLength(1);
        expect((await ctx.engine.exportState()).text).not.toContain(after.link_token);
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "any other change replaces the invite (Portkey has no update), clearing optional fields too; the email's case is no change",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(resent(ctx));
        const lower = { ...ctx.desired!, email: "ann@example.com" };
        ctx.declare(lower);
        await ctx.expectCleanPreview();
        const { scopes: _scopes, ...noScopes } = { ...lower, role: "admin" as const };
        const { workspaces: _workspaces, ...neither } = noScopes;
        const changes: UserInviteArgs[] = [{ ...lower, role: "admin" }, noScopes, neither];
        for (const change of changes) {
          const old = remote(ctx)[0];
          ctx.declare(change);
          const preview = await ctx.preview();
          expect(ctx.ops(preview)).toEqual(["create-replacement", "replace", "delete-replaced"]);
          await ctx.up();
          expect(remote(ctx)).toHaveLength(1);
          expect(remote(ctx)[0].id).not.toBe(old.id);
          await ctx.expectCleanPreview();
        }
        // What the tests after this one start from (they reach it without an up when the whole file runs).
        expect(ctx.desired).toEqual(settled());
        expect(remote(ctx)[0]).toMatchObject({ role: "admin", workspaces: [], scopes: null });
        // Cleared fields are not sent (the document's required `workspaces` goes as an empty list).
        expect(posts(ctx).slice(-1)).toEqual([{ email: "ann@example.com", role: "admin", workspaces: [] }]);
      },
    },
    {
      title: "an expired invite is dropped by refresh, with a warning, and up sends a new one",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given("any");
        const old = await storedId(ctx);
        await control(ctx, `/invites/${old}/expire`);
        const refreshed = await ctx.refresh();
        expect(refreshed.changeSummary.delete).toBe(1);
        expect(refreshed.stdout).toMatch(/is expired: it is dropped from the stack's state/);
        const result = await ctx.up();
        expect(ctx.ops(result)).toEqual(["create"]);
        expect(await storedId(ctx)).not.toBe(old);
        expect(remote(ctx).find((i) => i.id === old)?.status).toBe("expired");
      },
    },
    {
      title: "once accepted, refresh keeps it as accepted with the user's id and warns; nothing is sent again, even when the invite is gone; destroying it leaves the user in the organisation",
      forms: ["dynamic"],
      after: "deleted",
      body: async (ctx: Ctx) => {
        await ctx.given(settled());
        const id = await storedId(ctx);
        const user = await control(ctx, `/invites/${id}/accept`);
        const sent = posts(ctx).length;
        try {
          let refreshed = await ctx.refresh();
          expect(refreshed.changeSummary.delete ?? 0).toBe(0);
          expect(refreshed.stdout).toMatch(new RegExp(`was accepted: ann@example.com is user ${user.id}`));
          expect((await ctx.engine.exportState()).resource(ctx.type, NAME)!.outputs).toMatchObject({ status: "accepted", userId: user.id });
          await ctx.expectCleanPreview();
          // Portkey may drop an accepted invite: the user with its address says the person joined.
          await call(ctx.emulator, "DELETE", `/admin/users/invites/${id}`);
          refreshed = await ctx.refresh();
          expect(refreshed.changeSummary.delete ?? 0).toBe(0);
          expect(refreshed.stdout).toMatch(/was accepted/);
          const up = await ctx.up();
          expect(ctx.ops(up)).toEqual([]);
          expect(posts(ctx)).toHaveLength(sent);
          expect((await ctx.engine.exportState()).resource(ctx.type, NAME)!.outputs).toMatchObject({ status: "accepted", userId: user.id });
          // Resending an accepted invite is refused in words.
          ctx.declare({ ...ctx.desired!, resendTrigger: 2 });
          await expect(ctx.up()).rejects.toThrow(/resendTrigger: the invite .* was accepted; there is nothing to resend/);
          ctx.declare({ ...ctx.desired!, resendTrigger: 1 });

          // Destroying the accepted invite leaves the user in the organisation.
          const userId = (await ctx.engine.exportState()).resource(ctx.type, NAME)!.outputs!.userId as string;
          const destroyed = await ctx.destroy();
          expect(ctx.ops(destroyed)).toEqual(["delete"]);
          expect((await call(ctx.emulator, "GET", `/admin/users/${userId}`)).body.email).toBe("ann@example.com");
        } finally {
          // The address is free again for the tests after this one.
          await call(ctx.emulator, "DELETE", `/admin/users/${user.id}`);
        }
      },
    },
    {
      title: "inviting an address that already belongs to a user fails, naming the user; nothing is sent",
      forms: ["dynamic"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        await ctx.given("nothing");
        // Ann joined (the acceptance test removes her again, so each test starts from the same organisation).
        const user = await control(ctx, "/users", { email: "ann@example.com" });
        try {
          const sent = posts(ctx).length;
          ctx.declare({ email: "ANN@example.com", role: "member" });
          await expect(ctx.up()).rejects.toThrow(/email: ANN@example.com is already a user of the organisation \(user [0-9a-f-]{36}\)/);
          expect(posts(ctx)).toHaveLength(sent);
        } finally {
          ctx.declare(undefined);
          await call(ctx.emulator, "DELETE", `/admin/users/${user.id}`);
        }
      },
    },
    {
      title: "pulumi import takes an invite sent by hand, by its id; the program declaring it previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        await ctx.given("nothing");
        const made = (await call(ctx.emulator, "POST", "/admin/users/invites", { email: "eve@example.com", role: "member", workspaces: [] })).body as { id: string };
        ctx.declare(undefined);
        await ctx.up();
        await ctx.importAndRelease(
          [{ name: "byHand", id: made.id }],
          (protect) => new ctx.sdk.portkey.UserInvite("byHand", { email: "eve@example.com", role: "member" }, { protect }),
          (state) => expect(state.resource(ctx.type, "byHand")?.outputs).toMatchObject({ email: "eve@example.com", role: "member", status: "pending" }),
        );
        expect(remote(ctx).find((i) => i.id === made.id)).toBeUndefined();
      },
    },
  ],
});
