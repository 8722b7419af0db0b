/**
 * The Portkey WorkspaceMember resource through the real engine against the
 * emulator (users seeded through its test control, as SSO would add them), in
 * both forms (see resourceSuite in ./harness.ts). Both: create, clean preview,
 * the role changed in place, destroy (the user stays in the organisation).
 * Dynamic: every role, drift repaired, another user replaces, out-of-band
 * delete, an existing membership or an unknown user refused, bad input at
 * preview. Native: `pulumi import` by `<workspace slug>/<user id>`.
 */
import type { WorkspaceMemberArgs } from "../../sdk/portkey";
import { call } from "../support/emulator";
import { resourceSuite, SuiteContext } from "./harness";
import type { RunningEmulator } from "../../emulator";

jest.setTimeout(10 * 60_000);

interface Fixtures {
  ws: { id: string; slug: string };
  ann: { id: string };
  bob: { id: string };
}
type Ctx = SuiteContext<WorkspaceMemberArgs, Fixtures>;
type Role = WorkspaceMemberArgs["role"];

async function seedUser(emulator: RunningEmulator, email: string): Promise<{ id: string }> {
  const response = await fetch(`${emulator.url}/_emulator/portkey/users`, { method: "POST", body: JSON.stringify({ email }) });
  expect(response.status).toBe(200);
  return (await response.json()) as { id: string };
}

/** The workspace's members as the emulator holds them: user id → role. */
function remote({ emulator, fixtures: { ws } }: Ctx): Record<string, string> {
  const members = emulator.state().workspace_members?.[ws.id] ?? {};
  return Object.fromEntries(Object.entries(members).map(([user, m]) => [user, m.role]));
}

/** A role other than the declared one, for an out-of-band change that is a change. */
const otherRole = (role: Role): Role => (role === "member" ? "manager" : "member");

resourceSuite<WorkspaceMemberArgs, Fixtures>({
  vendor: "portkey",
  resource: "WorkspaceMember",
  name: "member",
  setup: async (emulator) => ({
    ws: (await call(emulator, "POST", "/admin/workspaces", { name: "Members" })).body,
    ann: await seedUser(emulator, "ann@example.com"),
    bob: await seedUser(emulator, "bob@example.com"),
  }),
  // The workspace by slug: the API answers with the UUID, which is no change.
  base: ({ ws, ann }) => ({ workspaceId: ws.slug, userId: ann.id, role: "member" }),
  declare: (sdk, name, args) => {
    const member = new sdk.portkey.WorkspaceMember(name, args);
    return { id: member.id, email: member.email, role: member.role };
  },
  steps: { native: ["create", "destroy"] },

  // The id is <workspace UUID>/<user id>.
  created: (ctx, result) => {
    const { ws, ann } = ctx.fixtures;
    expect(remote(ctx)).toEqual({ [ann.id]: "member" });
    expect(result.outputs.id.value).toBe(`${ws.id}/${ann.id}`);
    expect(result.outputs.email.value).toBe("ann@example.com");
    expect(ctx.requests("POST /admin/workspaces/{workspaceId}/users").map((r) => r.body)).toEqual([{ users: [{ id: ann.id, role: "member" }] }]);
  },

  drift: {
    edit: async (ctx) => {
      await call(ctx.emulator, "PUT", `/admin/workspaces/${ctx.fixtures.ws.id}/users/${ctx.desired!.userId}`, { role: otherRole(ctx.desired!.role) });
    },
    inState: (ctx) => ({ role: otherRole(ctx.desired!.role) }),
    repaired: (ctx) => {
      expect(remote(ctx)).toEqual({ [ctx.desired!.userId as string]: ctx.desired!.role });
    },
  },

  // An out-of-band removal drops it from state on refresh and up adds the user again.
  deleted: {
    delete: (ctx) => call(ctx.emulator, "DELETE", `/admin/workspaces/${ctx.fixtures.ws.id}/users/${ctx.desired!.userId}`),
    recreated: (ctx) => {
      expect(remote(ctx)).toEqual({ [ctx.desired!.userId as string]: ctx.desired!.role });
    },
  },

  badInput: (valid) => [
    [{ ...valid, role: "owner" as Role }, /role/],
    [{ ...valid, userId: "" }, /userId.*must not be empty/],
    [{ ...valid, workspaceId: "" }, /workspaceId.*must not be empty/],
  ],

  // Removed from the workspace, not from the organisation.
  destroyed: async (ctx) => {
    expect(remote(ctx)).toEqual({});
    const user = ctx.desired!.userId as string;
    expect((await call(ctx.emulator, "GET", `/admin/users/${user}`)).status).toBe(200);
  },

  tests: [
    {
      title: "the role changes in place (PUT {role} only); every role the API has",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        const { ann } = ctx.fixtures;
        for (const role of ["manager", "admin"] as const) {
          ctx.declare({ ...ctx.desired!, role });
          const preview = await ctx.preview();
          expect(ctx.ops(preview)).toEqual(["update"]);
          expect(preview.diffText).toMatch(/role/);
          await ctx.up();
          expect(remote(ctx)).toEqual({ [ann.id]: role });
          await ctx.expectCleanPreview();
        }
        expect(ctx.requests("PUT /admin/workspaces/{workspaceId}/users/{userId}").map((r) => r.body)).toEqual([{ role: "manager" }, { role: "admin" }]);
      },
    },
    {
      title: "the role changes in place",
      forms: ["native"],
      body: async (ctx: Ctx) => {
        await ctx.given(ctx.base());
        ctx.declare({ ...ctx.desired!, role: "manager" });
        const preview = await ctx.preview();
        expect(ctx.ops(preview, true)).toEqual([`update ${ctx.type}`]);
        await ctx.up();
        expect(remote(ctx)).toEqual({ [ctx.fixtures.ann.id]: "manager" });
      },
    },
    {
      title: "another user replaces the membership: the new one is added, the old one removed",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        await ctx.given({ ...ctx.base(), role: "admin" });
        const { bob } = ctx.fixtures;
        ctx.declare({ ...ctx.desired!, userId: bob.id });
        const preview = await ctx.preview();
        expect(ctx.ops(preview)).toEqual(["create-replacement", "replace", "delete-replaced"]);
        await ctx.up();
        expect(remote(ctx)).toEqual({ [bob.id]: "admin" });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "an existing membership or an unknown user fails the create",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { ws, ann, bob } = ctx.fixtures;
        const valid: WorkspaceMemberArgs = { ...ctx.base(), userId: bob.id, role: "admin" };
        await ctx.given(valid);
        try {
          // Ann is added out of band: declaring her membership does not take it over.
          await call(ctx.emulator, "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: ann.id, role: "member" }] });
          ctx.declare({ workspaceId: ws.id, userId: ann.id, role: "member" });
          await expect(ctx.up()).rejects.toThrow(new RegExp(`already a member.*import it with the id '${ws.id}/${ann.id}'`));
          await call(ctx.emulator, "DELETE", `/admin/workspaces/${ws.id}/users/${ann.id}`);
          ctx.declare({ workspaceId: ws.id, userId: "00000000-0000-4000-8000-000000000000", role: "member" });
          await expect(ctx.up()).rejects.toThrow(/userId: '00000000-0000-4000-8000-000000000000' is not a user of the organisation/);
        } finally {
          ctx.declare(valid);
        }
        expect(remote(ctx)).toEqual({ [bob.id]: "admin" });
      },
    },
    {
      title: "pulumi import takes a membership made by hand, by <workspace slug>/<user id>; the program declaring it previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { ws, bob } = ctx.fixtures;
        await ctx.given("nothing");
        await call(ctx.emulator, "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: bob.id, role: "manager" }] });
        ctx.declare(undefined);
        await ctx.up();
        const id = `${ws.slug}/${bob.id}`;
        await ctx.importAndRelease(
          [{ name: "byHand", id }],
          // The workspace by UUID this time: the same workspace, no change.
          (protect) => new ctx.sdk.portkey.WorkspaceMember("byHand", { workspaceId: ws.id, userId: bob.id, role: "manager" }, { protect }),
          (state) => {
            const stored = state.resource(ctx.type, "byHand");
            expect(stored?.id).toBe(id);
            expect(stored?.outputs).toMatchObject({ userId: bob.id, role: "manager", resolvedWorkspaceId: ws.id, email: "bob@example.com" });
          },
        );
        expect(remote(ctx)).toEqual({});
      },
    },
  ],
});
