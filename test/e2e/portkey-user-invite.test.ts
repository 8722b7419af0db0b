/**
 * The Portkey UserInvite resource through the real engine against the
 * emulator (its test controls accept or expire invites, as people and time
 * would). Dynamic form: create, clean preview, the link kept secret, resend in
 * place, every other change replaces (clearing optional fields too), expiry
 * and out-of-band deletion re-invite, acceptance never re-invites (even when
 * the accepted invite is gone), an existing user refused, bad input at
 * preview, destroy. Native form: create, clean preview, `pulumi import` by id.
 */
import * as path from "node:path";
import { portkey } from "../../sdk";
import type { UserInviteArgs } from "../../sdk/portkey";
import { portkey as nativePortkey } from "../../sdk/native";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";
import type { InviteRecord } from "../../emulator/portkey/state";

jest.setTimeout(10 * 60_000);

const INVITE = "pulumi-nodejs:dynamic/portkey:UserInvite";
const NATIVE_INVITE = "portkey:index:UserInvite";
const PLUGINS = path.resolve(__dirname, "..", "..", "bin");

let emulator: RunningEmulator;
let ws: { id: string; slug: string };
let desired: UserInviteArgs | undefined;
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

async function control(route: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}/_emulator/portkey${route}`, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
  ws = (await call(emulator, "POST", "/admin/workspaces", { name: "Invites" })).body;
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "portkey-invite",
  program: async () => {
    if (!desired) return {};
    const invite = new portkey.UserInvite("invite", desired);
    return { id: invite.id, status: invite.status, userId: invite.userId };
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "portkey-invite-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

function resourceSteps(steps: Parameters<typeof changedSteps>[0]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

function remote(): InviteRecord[] {
  return Object.values(emulator.state().invites ?? {});
}

function posts(): unknown[] {
  return emulator.requestLog().filter((r) => r.route === "POST /admin/users/invites").map((r) => r.body);
}

async function storedId(): Promise<string> {
  return (await engine().exportState()).resource(INVITE, "invite")!.id!;
}

describe("dynamic", () => {
  test("up sends the invite as declared; the link is a secret, absent from the state in plaintext; a second preview is clean", async () => {
    desired = { email: "Ann@Example.com", role: "member", workspaces: [{ id: ws.slug, role: "manager" }], scopes: ["logs.view", "logs.list"] };
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${INVITE}`]);
    const [made] = remote();
    expect(made).toMatchObject({ email: "Ann@Example.com", role: "member", workspaces: [{ workspace_id: ws.id, role: "manager" }], scopes: ["logs.view", "logs.list"], status: "pending" });
    expect(posts()).toEqual([{ email: "Ann@Example.com", role: "member", workspaces: [{ id: ws.slug, role: "manager" }], workspace_api_key_details: { scopes: ["logs.view", "logs.list"] } }]);
    expect(result.outputs.status.value).toBe("pending");
    const state = await engine().exportState();
    const stored = state.resource(INVITE, "invite")!;
    expect(stored.id).toBe(made.id);
    expect(stored.outputs).toMatchObject({ workspaces: [{ id: ws.slug, role: "manager" }], scopes: ["logs.view", "logs.list"], status: "pending" });
    expect(JSON.stringify(stored.outputs!.inviteLink)).toContain("4dabf18193072939515e22adb298388d");
    expect(state.text).not.toContain(made.link_token);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("a new resendTrigger resends in place: a new link, still secret", async () => {
    // A copy: the emulator changes its record in place.
    const before = { ...remote()[0] };
    desired = { ...desired!, resendTrigger: 1 };
    const preview = await engine().preview();
    expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
    await engine().up();
    const after = remote()[0];
    expect(after.id).toBe(before.id);
    expect(after.link_token).not.toBe(before.link_token);
    expect(emulator.requestLog().filter((r) => r.route === "POST /admin/users/invites/{inviteId}/resend")).toHaveLength(1);
    expect((await engine().exportState()).text).not.toContain(after.link_token);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("any other change replaces the invite (Portkey has no update), clearing optional fields too; the email's case is no change", async () => {
    desired = { ...desired!, email: "ann@example.com" };
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    const changes: UserInviteArgs[] = [
      { ...desired!, role: "admin" },
      { ...desired!, role: "admin", scopes: undefined },
      { ...desired!, role: "admin", scopes: undefined, workspaces: undefined },
    ];
    for (const change of changes) {
      const old = remote()[0];
      desired = change;
      const preview = await engine().preview();
      expect(resourceSteps(preview.steps).map((s) => s.op)).toEqual(["create-replacement", "replace", "delete-replaced"]);
      await engine().up();
      expect(remote()).toHaveLength(1);
      expect(remote()[0].id).not.toBe(old.id);
      expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    }
    expect(remote()[0]).toMatchObject({ role: "admin", workspaces: [], scopes: null });
    // Cleared fields are not sent (the document's required `workspaces` goes as an empty list).
    expect(posts().slice(-1)).toEqual([{ email: "ann@example.com", role: "admin", workspaces: [] }]);
  });

  test("an expired invite is dropped by refresh, with a warning, and up sends a new one", async () => {
    const old = await storedId();
    await control(`/invites/${old}/expire`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    expect(refreshed.stdout).toMatch(/is expired: it is dropped from the stack's state/);
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["create"]);
    expect(await storedId()).not.toBe(old);
    expect(remote().find((i) => i.id === old)?.status).toBe("expired");
  });

  test("an out-of-band delete drops it from state on refresh and up invites again", async () => {
    const old = await storedId();
    await call(emulator, "DELETE", `/admin/users/invites/${old}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(1);
    expect((await engine().exportState()).resources(INVITE)).toEqual([]);
    const result = await engine().up();
    expect(resourceSteps(result.steps).map((s) => s.op)).toEqual(["create"]);
    expect(await storedId()).not.toBe(old);
  });

  test("once accepted, refresh keeps it as accepted with the user's id and warns; nothing is sent again, even when the invite is gone", async () => {
    const id = await storedId();
    const user = await control(`/invites/${id}/accept`);
    const sent = posts().length;
    let refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete ?? 0).toBe(0);
    expect(refreshed.stdout).toMatch(new RegExp(`was accepted: ann@example.com is user ${user.id}`));
    expect((await engine().exportState()).resource(INVITE, "invite")!.outputs).toMatchObject({ status: "accepted", userId: user.id });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    // Portkey may drop an accepted invite: the user with its address says the person joined.
    await call(emulator, "DELETE", `/admin/users/invites/${id}`);
    refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete ?? 0).toBe(0);
    expect(refreshed.stdout).toMatch(/was accepted/);
    const up = await engine().up();
    expect(resourceSteps(up.steps)).toEqual([]);
    expect(posts()).toHaveLength(sent);
    expect((await engine().exportState()).resource(INVITE, "invite")!.outputs).toMatchObject({ status: "accepted", userId: user.id });
    // Resending an accepted invite is refused in words.
    desired = { ...desired!, resendTrigger: 2 };
    await expect(engine().up()).rejects.toThrow(/resendTrigger: the invite .* was accepted; there is nothing to resend/);
    desired = { ...desired!, resendTrigger: 1 };
  });

  test("destroying an accepted invite leaves the user in the organisation", async () => {
    const userId = (await engine().exportState()).resource(INVITE, "invite")!.outputs!.userId as string;
    const destroyed = await engine().destroy();
    expect(resourceSteps(destroyed.steps).map((s) => s.op)).toEqual(["delete"]);
    expect((await call(emulator, "GET", `/admin/users/${userId}`)).body.email).toBe("ann@example.com");
  });

  test("inviting an address that already belongs to a user fails, naming the user; nothing is sent", async () => {
    const sent = posts().length;
    desired = { email: "ANN@example.com", role: "member" };
    await expect(engine().up()).rejects.toThrow(/email: ANN@example.com is already a user of the organisation \(user [0-9a-f-]{36}\)/);
    expect(posts()).toHaveLength(sent);
  });

  test("invalid input fails at preview with a message naming the property", async () => {
    const cases: [UserInviteArgs, RegExp][] = [
      [{ email: "not-an-email", role: "member" }, /email.*must be an email address/],
      [{ email: "b@example.com", role: "owner" as UserInviteArgs["role"] }, /role/],
      [{ email: "b@example.com", role: "member", workspaces: [{ id: "", role: "member" }] }, /workspaces.*id.*must not be empty/],
      [{ email: "b@example.com", role: "member", workspaces: [{ id: ws.id, role: "owner" as "admin" }] }, /workspaces.*role/],
      [{ email: "b@example.com", role: "member", scopes: [""] }, /scopes.*must not be empty/],
    ];
    for (const [args, message] of cases) {
      desired = args;
      await expect(engine().preview()).rejects.toThrow(message);
    }
    desired = undefined;
    await engine().destroy();
  });

  test("destroy withdraws a pending invite", async () => {
    desired = { email: "cy@example.com", role: "member" };
    await engine().up();
    const id = await storedId();
    await engine().destroy();
    expect(remote().find((i) => i.id === id)).toBeUndefined();
  });
});

describe("native", () => {
  test("create, clean preview, destroy; the link is secret in state", async () => {
    nativeProgram = async () => {
      new nativePortkey.UserInvite("invite", { email: "dee@example.com", role: "admin", workspaces: [{ id: ws.id, role: "admin" }] });
      return {};
    };
    const created = await nativeEngine().up();
    expect(resourceSteps(created.steps).map((s) => `${s.op} ${s.type}`)).toEqual([`create ${NATIVE_INVITE}`]);
    const made = remote().find((i) => i.email === "dee@example.com")!;
    expect((await nativeEngine().exportState()).text).not.toContain(made.link_token);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    await nativeEngine().destroy();
    expect(remote().find((i) => i.id === made.id)).toBeUndefined();
  });

  test("pulumi import takes an invite sent by hand, by its id; the program declaring it previews clean", async () => {
    const made = (await call(emulator, "POST", "/admin/users/invites", { email: "eve@example.com", role: "member", workspaces: [] })).body as { id: string };
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({ resources: [{ type: NATIVE_INVITE, name: "byHand", id: made.id }], generateCode: false });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    expect((await nativeEngine().exportState()).resource(NATIVE_INVITE, "byHand")?.outputs).toMatchObject({ email: "eve@example.com", role: "member", status: "pending" });
    const declared = (protect: boolean) => async () => {
      new nativePortkey.UserInvite("byHand", { email: "eve@example.com", role: "member" }, { protect });
      return {};
    };
    nativeProgram = declared(true);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    nativeProgram = declared(false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(remote().find((i) => i.id === made.id)).toBeUndefined();
  });
});

test("every response the emulator gave conformed to the official document", () => {
  expect(emulator.specViolations()).toEqual([]);
});
