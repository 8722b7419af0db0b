/**
 * The Portkey WorkspaceMember resource through the real engine against the
 * emulator (users seeded through its test control, as SSO would add them).
 * Dynamic form: create, clean preview, role changed in place, drift repaired,
 * another user replaces, out-of-band delete, an existing membership refused,
 * bad input at preview, destroy (the user stays in the organisation). Native
 * form: create, clean preview, and `pulumi import` by `<workspace slug>/<user id>`.
 */
import * as path from "node:path";
import { portkey } from "../../sdk";
import type { WorkspaceMemberArgs } from "../../sdk/portkey";
import { portkey as nativePortkey } from "../../sdk/native";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";

jest.setTimeout(10 * 60_000);

const MEMBER = "pulumi-nodejs:dynamic/portkey:WorkspaceMember";
const NATIVE_MEMBER = "portkey:index:WorkspaceMember";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");

let emulator: RunningEmulator;
let ws: { id: string; slug: string };
let ann: { id: string };
let bob: { id: string };
let desired: WorkspaceMemberArgs | undefined;
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

async function seedUser(email: string): Promise<{ id: string }> {
  const response = await fetch(`${emulator.url}/_emulator/portkey/users`, { method: "POST", body: JSON.stringify({ email }) });
  expect(response.status).toBe(200);
  return (await response.json()) as { id: string };
}

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
  ws = (await call(emulator, "POST", "/admin/workspaces", { name: "Members" })).body;
  ann = await seedUser("ann@example.com");
  bob = await seedUser("bob@example.com");
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "portkey-member",
  program: async () => {
    if (!desired) return {};
    const member = new portkey.WorkspaceMember("member", desired);
    return { id: member.id, email: member.email, role: member.role };
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "portkey-member-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

function resourceSteps(steps: Parameters<typeof changedSteps>[0]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

/** The workspace's members as the emulator holds them: user id → role. */
function remote(): Record<string, string> {
  const members = emulator.state().workspace_members?.[ws.id] ?? {};
  return Object.fromEntries(Object.entries(members).map(([user, m]) => [user, m.role]));
}

describe("dynamic", () => {
  test("up adds the user to the workspace; the id is <workspace UUID>/<user id>; a second preview is clean", async () => {
    // The workspace by slug: the API answers with the UUID, which is no change.
    desired = { workspaceId: ws.slug, userId: ann.id, role: "member" };
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${MEMBER}`]);
    expect(remote()).toEqual({ [ann.id]: "member" });
    expect(result.outputs.id.value).toBe(`${ws.id}/${ann.id}`);
    expect(result.outputs.email.value).toBe("ann@example.com");
    const posts = emulator.requestLog().filter((r) => r.route === "POST /admin/workspaces/{workspaceId}/users");
    expect(posts.map((r) => r.body)).toEqual([{ users: [{ id: ann.id, role: "member" }] }]);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("the role changes in place (PUT {role} only); every role the API has", async () => {
    for (const role of ["manager", "admin"] as const) {
      desired = { ...desired!, role };
      const preview = await engine().preview();
      expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
      expect(preview.diffText).toMatch(/role/);
      await engine().up();
      expect(remote()).toEqual({ [ann.id]: role });
      expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    }
    const puts = emulator.requestLog().filter((r) => r.route === "PUT /admin/workspaces/{workspaceId}/users/{userId}");
    expect(puts.map((r) => r.body)).toEqual([{ role: "manager" }, { role: "admin" }]);
  });

  test("an out-of-band role change shows after refresh and up repairs it", async () => {
    await call(emulator, "PUT", `/admin/workspaces/${ws.id}/users/${ann.id}`, { role: "member" });
    await engine().refresh();
    expect((await engine().exportState()).resource(MEMBER, "member")!.outputs).toMatchObject({ role: "member" });
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    expect(remote()).toEqual({ [ann.id]: "admin" });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("another user replaces the membership: the new one is added, the old one removed", async () => {
    desired = { ...desired!, userId: bob.id };
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["create-replacement", "replace", "delete-replaced"]);
    await engine().up();
    expect(remote()).toEqual({ [bob.id]: "admin" });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("an out-of-band removal drops it from state on refresh and up adds the user again", async () => {
    await call(emulator, "DELETE", `/admin/workspaces/${ws.id}/users/${bob.id}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    expect((await engine().exportState()).resources(MEMBER)).toEqual([]);
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["create"]);
    expect(remote()).toEqual({ [bob.id]: "admin" });
  });

  test("invalid input fails at preview naming the property; an existing membership or an unknown user fails the create", async () => {
    const valid = desired;
    const cases: [WorkspaceMemberArgs, RegExp][] = [
      [{ ...valid!, role: "owner" as WorkspaceMemberArgs["role"] }, /role/],
      [{ ...valid!, userId: "" }, /userId.*must not be empty/],
      [{ ...valid!, workspaceId: "" }, /workspaceId.*must not be empty/],
    ];
    try {
      for (const [args, message] of cases) {
        desired = args;
        await expect(engine().preview()).rejects.toThrow(message);
      }
      // Ann is added out of band: declaring her membership does not take it over.
      await call(emulator, "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: ann.id, role: "member" }] });
      desired = { workspaceId: ws.id, userId: ann.id, role: "member" };
      await expect(engine().up()).rejects.toThrow(new RegExp(`already a member.*import it with the id '${ws.id}/${ann.id}'`));
      await call(emulator, "DELETE", `/admin/workspaces/${ws.id}/users/${ann.id}`);
      desired = { workspaceId: ws.id, userId: "00000000-0000-4000-8000-000000000000", role: "member" };
      await expect(engine().up()).rejects.toThrow(/userId: '00000000-0000-4000-8000-000000000000' is not a user of the organisation/);
    } finally {
      desired = valid;
    }
    expect(remote()).toEqual({ [bob.id]: "admin" });
  });

  test("destroy removes the user from the workspace, not from the organisation", async () => {
    await engine().up();
    const destroyed = await engine().destroy();
    expect(resourceSteps(destroyed.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`delete ${MEMBER}`]);
    expect(remote()).toEqual({});
    expect((await call(emulator, "GET", `/admin/users/${bob.id}`)).status).toBe(200);
  });
});

describe("native", () => {
  test("create, clean preview, role in place, destroy", async () => {
    let role: "member" | "manager" = "member";
    nativeProgram = async () => {
      new nativePortkey.WorkspaceMember("member", { workspaceId: ws.id, userId: ann.id, role });
      return {};
    };
    const created = await nativeEngine().up();
    expect(resourceSteps(created.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${NATIVE_MEMBER}`]);
    expect(remote()).toEqual({ [ann.id]: "member" });
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    role = "manager";
    const preview = await nativeEngine().preview();
    expect(resourceSteps(preview.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`update ${NATIVE_MEMBER}`]);
    await nativeEngine().up();
    expect(remote()).toEqual({ [ann.id]: "manager" });
    await nativeEngine().destroy();
    expect(remote()).toEqual({});
  });

  test("pulumi import takes a membership made by hand, by <workspace slug>/<user id>; the program declaring it previews clean", async () => {
    await call(emulator, "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: bob.id, role: "manager" }] });
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const id = `${ws.slug}/${bob.id}`;
    const imported = await nativeEngine().stack.import({ resources: [{ type: NATIVE_MEMBER, name: "byHand", id }], generateCode: false });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    const stored = (await nativeEngine().exportState()).resource(NATIVE_MEMBER, "byHand");
    expect(stored?.id).toBe(id);
    expect(stored?.outputs).toMatchObject({ userId: bob.id, role: "manager", resolvedWorkspaceId: ws.id, email: "bob@example.com" });

    const declared = (protect: boolean) => async () => {
      // The workspace by UUID this time: the same workspace, no change.
      new nativePortkey.WorkspaceMember("byHand", { workspaceId: ws.id, userId: bob.id, role: "manager" }, { protect });
      return {};
    };
    nativeProgram = declared(true);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    nativeProgram = declared(false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(remote()).toEqual({});
  });
});

test("every response the emulator gave conformed to the official document", () => {
  expect(emulator.specViolations()).toEqual([]);
});
