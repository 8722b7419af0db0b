/**
 * The emulator's SCIM group to workspace mappings (/scim/workspaces): create
 * by group id or by a name that pre-creates the group, the UUID in every
 * answer, 0-based pages of at most 100, and delete without update.
 */
import { call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

async function workspace(name: string) {
  return (await call(emulator(), "POST", "/admin/workspaces", { name })).body as { id: string; slug: string };
}

test("a mapping by group name pre-creates the group; the answer carries the workspace UUID and the group's display name", async () => {
  const ws = await workspace("SCIM A");
  const created = await call(emulator(), "POST", "/scim/workspaces", { workspace_id: ws.slug, role: "member", scim_group_name: "Engineering" });
  expect(created.status).toBe(200);
  expect(created.body).toEqual({ id: expect.any(String), workspace_id: ws.id, scim_group: "Engineering", scim_group_id: expect.any(String), role: "member" });
  // The same group by id, in another workspace, as manager.
  const other = await workspace("SCIM B");
  const byId = await call(emulator(), "POST", "/scim/workspaces", { workspace_id: other.id, role: "manager", scim_group_id: created.body.scim_group_id });
  expect(byId.body).toMatchObject({ workspace_id: other.id, scim_group: "Engineering", role: "manager" });
  // One group is mapped to a workspace once.
  expect(errorCode(await call(emulator(), "POST", "/scim/workspaces", { workspace_id: ws.id, role: "admin", scim_group_name: "Engineering" }))).toBe("AB07");

  const byWorkspace = await call(emulator(), "GET", `/scim/workspaces?workspace_id=${ws.id}`);
  expect(byWorkspace.body).toEqual({ mappings: [created.body], total_count: 1 });
  // Live, the filter matches the UUID form only.
  expect((await call(emulator(), "GET", `/scim/workspaces?workspace_id=${ws.slug}`)).body).toEqual({ mappings: [], total_count: 0 });
  expect((await call(emulator(), "GET", `/scim/workspaces?scim_group_id=${created.body.scim_group_id}&role=manager`)).body.mappings).toEqual([byId.body]);
});

test("refusals: role, exactly one of group id and name, the old auto-provisioning names, unknown groups and workspaces", async () => {
  const ws = await workspace("SCIM C");
  expect(errorCode(await call(emulator(), "POST", "/scim/workspaces", { workspace_id: ws.id, role: "owner", scim_group_name: "G" }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "POST", "/scim/workspaces", { workspace_id: ws.id, role: "admin" }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "POST", "/scim/workspaces", { workspace_id: ws.id, role: "admin", scim_group_name: "G", scim_group_id: "x" }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "POST", "/scim/workspaces", { workspace_id: ws.id, role: "admin", scim_group_name: "ws-eng-role-admin" }))).toBe("AB01");
  expect(errorCode(await call(emulator(), "POST", "/scim/workspaces", { workspace_id: ws.id, role: "admin", scim_group_id: "no-such-group" }))).toBe("AB08");
  expect(errorCode(await call(emulator(), "POST", "/scim/workspaces", { workspace_id: "ws-none-000000", role: "admin", scim_group_name: "G" }))).toBe("AB08");
  // Workspace keys cannot manage the organisation's SCIM mappings.
  const key = (await call(emulator(), "POST", "/api-keys/workspace/service", { name: "scim", workspace_id: ws.id, scopes: ["scim.read", "scim.update"] })).body.key;
  expect((await call(emulator(), "GET", "/scim/workspaces", undefined, key)).status).toBe(403);
});

test("pages are 0-based and capped at 100; delete archives the mapping and a second delete is 404; there is no update", async () => {
  const ws = await workspace("SCIM D");
  const ids: string[] = [];
  for (let i = 0; i < 103; i++) {
    ids.push((await call(emulator(), "POST", "/scim/workspaces", { workspace_id: ws.id, role: "member", scim_group_name: `Group ${i}` })).body.id);
  }
  const first = await call(emulator(), "GET", `/scim/workspaces?workspace_id=${ws.id}&page_size=500`);
  expect(first.body.total_count).toBe(103);
  expect(first.body.mappings).toHaveLength(100);
  const second = await call(emulator(), "GET", `/scim/workspaces?workspace_id=${ws.id}&page=1&page_size=100`);
  expect(second.body.mappings.map((m: { id: string }) => m.id)).toEqual(ids.slice(100));

  expect((await call(emulator(), "DELETE", `/scim/workspaces/${ids[0]}`)).body).toEqual({ success: true });
  expect(errorCode(await call(emulator(), "DELETE", `/scim/workspaces/${ids[0]}`))).toBe("AB08");
  expect((await call(emulator(), "GET", `/scim/workspaces?workspace_id=${ws.id}`)).body.total_count).toBe(102);
  expect((await call(emulator(), "PUT", `/scim/workspaces/${ids[1]}`, { role: "admin" })).status).toBe(405);
  expect((await call(emulator(), "GET", `/scim/workspaces/${ids[1]}`)).status).toBe(405);
});

test("every answer above conforms to the official document, apart from the listed deviations", () => {
  expect(emulator().specViolations()).toEqual([]);
});
