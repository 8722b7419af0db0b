/**
 * The emulator's people: /admin/users (list with camelCase paging, get, role
 * change, removal), /admin/users/invites (create, list, get, delete, resend)
 * and /admin/workspaces/{workspaceId}/users, plus the test controls that seed
 * users and accept or expire invites (under /_emulator, never the vendor API).
 */
import { ADMIN_KEY, call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

async function control(path: string, body?: unknown) {
  const response = await fetch(`${emulator().url}/_emulator/portkey${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function seedUser(email: string, role = "member") {
  const seeded = await control("/users", { email, role });
  expect(seeded.status).toBe(200);
  return seeded.body as { id: string; email: string };
}

async function workspace(name: string) {
  return (await call(emulator(), "POST", "/admin/workspaces", { name })).body as { id: string; slug: string };
}

describe("users", () => {
  test("seeded users list with camelCase paging and filters; GET adds workspace_ids", async () => {
    const ann = await seedUser("ann@example.com");
    const bob = await seedUser("bob@example.com", "admin");
    await seedUser("cy@example.com");
    const all = await call(emulator(), "GET", "/admin/users");
    expect(all.body).toMatchObject({ object: "list", total: 3 });
    expect(all.body.data[0]).toEqual({
      object: "user", id: ann.id, first_name: "ann", last_name: "", role: "member", email: "ann@example.com",
      created_at: expect.any(String), last_updated_at: expect.any(String),
    });
    const second = await call(emulator(), "GET", "/admin/users?pageSize=2&currentPage=1");
    expect(second.body.total).toBe(3);
    expect(second.body.data.map((u: { email: string }) => u.email)).toEqual(["cy@example.com"]);
    expect((await call(emulator(), "GET", "/admin/users?role=admin")).body.data.map((u: { id: string }) => u.id)).toEqual([bob.id]);
    expect((await call(emulator(), "GET", "/admin/users?email=BOB@example.com")).body.data.map((u: { id: string }) => u.id)).toEqual([bob.id]);
    expect(errorCode(await call(emulator(), "GET", "/admin/users?pageSize=0"))).toBe("AB01");

    const ws = await workspace("People A");
    await call(emulator(), "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: ann.id, role: "manager" }] });
    expect((await call(emulator(), "GET", `/admin/users/${ann.id}`)).body).toMatchObject({ id: ann.id, workspace_ids: [ws.id] });
    expect(errorCode(await call(emulator(), "GET", "/admin/users/00000000-0000-4000-8000-000000000000"))).toBe("AB08");
  });

  test("PUT changes the role, but not to the same one; DELETE removes the user and their memberships", async () => {
    const dee = await seedUser("dee@example.com");
    expect(errorCode(await call(emulator(), "PUT", `/admin/users/${dee.id}`, { role: "member" }))).toBe("AB01");
    expect(errorCode(await call(emulator(), "PUT", `/admin/users/${dee.id}`, { role: "owner" }))).toBe("AB01");
    expect((await call(emulator(), "PUT", `/admin/users/${dee.id}`, { role: "admin" })).body).toEqual({});
    expect((await call(emulator(), "GET", `/admin/users/${dee.id}`)).body.role).toBe("admin");
    const ws = await workspace("People B");
    await call(emulator(), "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: dee.id, role: "member" }] });
    expect((await call(emulator(), "DELETE", `/admin/users/${dee.id}`)).status).toBe(200);
    expect(errorCode(await call(emulator(), "GET", `/admin/users/${dee.id}`))).toBe("AB08");
    expect(errorCode(await call(emulator(), "GET", `/admin/workspaces/${ws.id}/users/${dee.id}`))).toBe("AB08");
  });

  test("the controls refuse a bad seed and live outside the vendor API", async () => {
    expect((await control("/users", { email: "nope" })).status).toBe(400);
    expect((await control("/users", { email: "ann@example.com" })).status).toBe(400);
    expect((await control("/invites/unknown/accept")).status).toBe(404);
    // The vendor API has no way to create a user.
    expect((await call(emulator(), "POST", "/admin/users", { email: "x@example.com" })).status).toBe(405);
  });
});

describe("invites", () => {
  test("create answers {id, invite_link}; GET shows neither workspaces, scopes nor the link; accept makes the user and memberships", async () => {
    const ws = await workspace("Invites A");
    const made = await call(emulator(), "POST", "/admin/users/invites", {
      email: "eve@example.com", role: "member", workspaces: [{ id: ws.slug, role: "manager" }], workspace_api_key_details: { scopes: ["logs.view"] },
    });
    expect(made.status).toBe(200);
    expect(made.body).toEqual({ id: expect.any(String), invite_link: expect.stringMatching(/^https:\/\/app\.portkey\.ai\/invite\/[0-9a-f]{32}$/) });
    const got = await call(emulator(), "GET", `/admin/users/invites/${made.body.id}`);
    expect(got.body).toEqual({ object: "invite", id: made.body.id, email: "eve@example.com", role: "member", created_at: expect.any(String), expires_at: expect.any(String), status: "pending" });
    expect(Date.parse(got.body.expires_at) - Date.parse(got.body.created_at)).toBe(7 * 24 * 3600 * 1000);
    // Not a user until accepted.
    expect((await call(emulator(), "GET", "/admin/users?email=eve@example.com")).body.total).toBe(0);

    const accepted = await control(`/invites/${made.body.id}/accept`);
    expect(accepted.status).toBe(200);
    const user = (await call(emulator(), "GET", `/admin/users/${accepted.body.id}`)).body;
    expect(user).toMatchObject({ email: "eve@example.com", role: "member", workspace_ids: [ws.id] });
    expect((await call(emulator(), "GET", `/admin/workspaces/${ws.id}/users/${user.id}`)).body).toMatchObject({ role: "manager", org_role: "member" });
    expect((await call(emulator(), "GET", `/admin/users/invites/${made.body.id}`)).body).toMatchObject({ status: "accepted", accepted_at: expect.any(String) });
    // Accepted: no second acceptance, no resend, no new invite for a user.
    expect((await control(`/invites/${made.body.id}/accept`)).status).toBe(400);
    expect(errorCode(await call(emulator(), "POST", `/admin/users/invites/${made.body.id}/resend`))).toBe("AB01");
    expect(errorCode(await call(emulator(), "POST", "/admin/users/invites", { email: "eve@example.com", role: "admin", workspaces: [] }))).toBe("AB01");
  });

  test("the document's required fields and enums are enforced (workspaces excepted: see portkey-live-clients.test.ts); a workspace must exist", async () => {
    const bad = [
      { role: "member", workspaces: [] },
      { email: "f@example.com", workspaces: [] },
      { email: "f@example.com", role: "owner", workspaces: [] },
      { email: "f@example.com", role: "member", workspaces: [{ id: "x", role: "boss" }] },
      { email: "not-an-email", role: "member", workspaces: [] },
    ];
    for (const body of bad) expect(errorCode(await call(emulator(), "POST", "/admin/users/invites", body))).toBe("AB01");
    expect(errorCode(await call(emulator(), "POST", "/admin/users/invites", { email: "f@example.com", role: "member", workspaces: [{ id: "ws-none-000000", role: "member" }] }))).toBe("AB08");
  });

  test("list filters by status and email with camelCase paging; expire, resend and delete", async () => {
    const made = (await call(emulator(), "POST", "/admin/users/invites", { email: "gus@example.com", role: "admin", workspaces: [] })).body;
    expect((await control(`/invites/${made.id}/expire`)).status).toBe(200);
    expect((await call(emulator(), "GET", `/admin/users/invites/${made.id}`)).body.status).toBe("expired");
    const expired = await call(emulator(), "GET", "/admin/users/invites?status=expired&email=gus@example.com&pageSize=10&currentPage=0");
    expect(expired.body).toMatchObject({ object: "list", total: 1, data: [{ id: made.id, status: "expired" }] });
    // A resend sends a new link and makes it pending again.
    const resent = await call(emulator(), "POST", `/admin/users/invites/${made.id}/resend`);
    expect(resent.body.inviteLink).toMatch(/^https:\/\/app\.portkey\.ai\/invite\//);
    expect(resent.body.inviteLink).not.toBe(made.invite_link);
    expect((await call(emulator(), "GET", `/admin/users/invites/${made.id}`)).body.status).toBe("pending");
    // No update: a PUT finds no user of that id.
    expect((await call(emulator(), "PUT", "/admin/users/invites", { role: "member" })).status).toBe(404);
    expect((await call(emulator(), "DELETE", `/admin/users/invites/${made.id}`)).body).toEqual({});
    expect(errorCode(await call(emulator(), "GET", `/admin/users/invites/${made.id}`))).toBe("AB08");
    expect(errorCode(await call(emulator(), "DELETE", `/admin/users/invites/${made.id}`))).toBe("AB08");
  });
});

describe("workspace members", () => {
  test("add, list with paging and filters, get, update the role, remove", async () => {
    const ws = await workspace("Members A");
    const hal = await seedUser("hal@example.com");
    const ida = await seedUser("ida@example.com");
    const added = await call(emulator(), "POST", `/admin/workspaces/${ws.slug}/users`, { users: [{ id: hal.id, role: "member" }, { id: ida.id, role: "admin" }] });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({});
    const listed = await call(emulator(), "GET", `/admin/workspaces/${ws.id}/users?current_page=0&page_size=1`);
    expect(listed.body).toMatchObject({ object: "list", total: 2 });
    expect(listed.body.data).toHaveLength(1);
    expect((await call(emulator(), "GET", `/admin/workspaces/${ws.id}/users?role=admin`)).body.data.map((m: { id: string }) => m.id)).toEqual([ida.id]);
    expect((await call(emulator(), "GET", `/admin/workspaces/${ws.id}/users?email=hal@example.com`)).body.data.map((m: { id: string }) => m.id)).toEqual([hal.id]);
    const got = await call(emulator(), "GET", `/admin/workspaces/${ws.id}/users/${hal.id}`);
    expect(got.body).toEqual({
      object: "workspace-user", id: hal.id, first_name: "hal", last_name: "", org_role: "member", role: "member",
      created_at: expect.any(String), last_updated_at: expect.any(String), status: "active", workspace_id: ws.id, email: "hal@example.com", scopes: [], settings: null,
    });
    expect((await call(emulator(), "PUT", `/admin/workspaces/${ws.id}/users/${hal.id}`, { role: "manager" })).body).toEqual({});
    expect((await call(emulator(), "GET", `/admin/workspaces/${ws.id}/users/${hal.id}`)).body.role).toBe("manager");
    expect((await call(emulator(), "DELETE", `/admin/workspaces/${ws.id}/users/${hal.id}`)).body).toEqual({});
    expect(errorCode(await call(emulator(), "GET", `/admin/workspaces/${ws.id}/users/${hal.id}`))).toBe("AB08");
    expect(errorCode(await call(emulator(), "PUT", `/admin/workspaces/${ws.id}/users/${hal.id}`, { role: "admin" }))).toBe("AB08");
  });

  test("only organisation users, once each, with a documented role; the owner reads as admin", async () => {
    const ws = await workspace("Members B");
    const jo = await seedUser("jo@example.com");
    const owner = await seedUser("own@example.com", "owner");
    expect(errorCode(await call(emulator(), "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: "00000000-0000-4000-8000-000000000000", role: "member" }] }))).toBe("AB08");
    expect(errorCode(await call(emulator(), "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: jo.id, role: "owner" }] }))).toBe("AB01");
    expect(errorCode(await call(emulator(), "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: jo.id }] }))).toBe("AB01");
    expect(errorCode(await call(emulator(), "POST", `/admin/workspaces/${ws.id}/users`, { users: [] }))).toBe("AB01");
    await call(emulator(), "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: jo.id, role: "member" }, { id: owner.id, role: "member" }] });
    expect(errorCode(await call(emulator(), "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: jo.id, role: "admin" }] }))).toBe("AB01");
    expect((await call(emulator(), "GET", `/admin/workspaces/${ws.id}/users/${owner.id}`)).body).toMatchObject({ role: "admin", org_role: "owner" });
    expect(errorCode(await call(emulator(), "PUT", `/admin/workspaces/${ws.id}/users/${jo.id}`, { role: "boss" }))).toBe("AB01");
    // A deleted workspace answers 403 AB03, as the workspace itself does.
    await call(emulator(), "DELETE", `/admin/workspaces/${ws.id}`, { name: "Members B", force_delete: true });
    expect(errorCode(await call(emulator(), "GET", `/admin/workspaces/${ws.id}/users/${jo.id}`))).toBe("AB03");
  });

  test("organisation keys need the scopes; a workspace key is kept to its workspace", async () => {
    const ws = await workspace("Members C");
    const other = await workspace("Members D");
    const kim = await seedUser("kim@example.com");
    const key = await call(emulator(), "POST", "/api-keys/workspace/service", { name: "members", workspace_id: ws.id, scopes: ["workspace_users.create", "workspace_users.read"] });
    expect(key.status).toBe(200);
    const secret = key.body.key as string;
    expect((await call(emulator(), "POST", `/admin/workspaces/${ws.id}/users`, { users: [{ id: kim.id, role: "member" }] }, secret)).status).toBe(200);
    expect(errorCode(await call(emulator(), "POST", `/admin/workspaces/${other.id}/users`, { users: [{ id: kim.id, role: "member" }] }, secret))).toBe("AB03");
    expect(errorCode(await call(emulator(), "DELETE", `/admin/workspaces/${ws.id}/users/${kim.id}`, undefined, secret))).toBe("AB03");
    // Users and invites are organisation business.
    expect(errorCode(await call(emulator(), "GET", "/admin/users", undefined, secret))).toBe("AB03");
    expect((await call(emulator(), "GET", "/admin/users", undefined, ADMIN_KEY)).status).toBe(200);
  });
});

test("every response conformed to the official document", () => {
  expect(emulator().specViolations()).toEqual([]);
});
