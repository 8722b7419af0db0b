/**
 * The emulator's OpenRouter SCIM (/scim): groups pushed by an identity
 * provider (seeded here through the control endpoint), group → workspace
 * mappings with a role (idempotent create, 409 for another role, only the
 * role changes, `keep_members` required on delete), the memberships a mapping
 * grants, and directory sync jobs (openrouter-api-org.md §2).
 * `@openrouter/sdk` drives every call it has.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { callOpenRouter, useEmulator } from "../../support/emulator";
import { seedOrganizationMembers } from "../../support/openrouter-members";
import { removeScimGroup, seedScimGroups } from "../../support/openrouter-scim";

const MANAGEMENT_KEY = "sk-or-mgmt-unit-scim-0123456789";
const emulator = useEmulator({ managementKeys: [MANAGEMENT_KEY] });
const call = (method: string, path: string, body?: unknown) => callOpenRouter(emulator(), method, path, body, MANAGEMENT_KEY);

let engineering: { id: string };
let sales: { id: string };
let workspace: { id: string; slug: string };

beforeAll(async () => {
  await seedOrganizationMembers(emulator(), [
    { id: "user_eng_a", email: "a@example.com", scim_managed: true },
    { id: "user_eng_b", email: "b@example.com", scim_managed: true },
    { id: "user_manual", email: "m@example.com" },
  ]);
  [engineering, sales] = await seedScimGroups(emulator(), [
    { display_name: "Engineering", external_id: "entra-eng", members: ["user_eng_a", "user_eng_b"] },
    { display_name: "Sales", external_id: null },
  ]);
  workspace = (await call("POST", "/workspaces", { name: "SCIM Space", slug: "scim-space" })).body.data;
});

const membersOf = async (workspaceId: string) => ((await call("GET", `/workspaces/${workspaceId}/members`)).body.data as { user_id: string }[]).map((m) => m.user_id).sort();

describe("groups", () => {
  test("listed with the organisation id, paged, filtered exactly by display name and external id", async () => {
    const all = await call("GET", "/scim/groups");
    expect(all.body.total_count).toBe(2);
    expect(all.body.data[0]).toEqual({ id: engineering.id, organization_id: "org_emulated", external_id: "entra-eng", display_name: "Engineering", created_at: expect.any(String), updated_at: expect.any(String) });
    expect((await call("GET", "/scim/groups?display_name=Sales")).body.data.map((g: { id: string }) => g.id)).toEqual([sales.id]);
    expect((await call("GET", "/scim/groups?display_name=sales")).body.total_count).toBe(0);
    expect((await call("GET", "/scim/groups?display_name=Engineering&external_id=other")).body.total_count).toBe(0);
    expect((await call("GET", "/scim/groups?external_id=")).body.total_count).toBe(2);
    expect((await call("GET", "/scim/groups?offset=1&limit=1")).body.data.map((g: { id: string }) => g.id)).toEqual([sales.id]);
    expect((await call("POST", "/scim/groups", { display_name: "x" })).status).toBe(405);
  });
});

describe("group mappings", () => {
  test("create: 201 with every field; the group's members join the workspace; same again is the same mapping; another role is 409", async () => {
    const made = await call("POST", "/scim/group-mappings", { scim_group_id: engineering.id, workspace_id: workspace.id, role: "member" });
    expect(made.status).toBe(201);
    expect(made.body.data).toEqual({
      id: expect.any(String),
      organization_id: "org_emulated",
      scim_group_id: engineering.id,
      workspace_id: workspace.id,
      role: "member",
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(await membersOf(workspace.id)).toEqual(["user_eng_a", "user_eng_b"]);
    const again = await call("POST", "/scim/group-mappings", { scim_group_id: engineering.id, workspace_id: workspace.id, role: "member" });
    expect(again).toMatchObject({ status: 201, body: { data: { id: made.body.data.id } } });
    expect((await call("POST", "/scim/group-mappings", { scim_group_id: engineering.id, workspace_id: workspace.id, role: "admin" })).status).toBe(409);
    expect((await call("GET", "/scim/group-mappings")).body).toEqual({ data: [made.body.data], total_count: 1 });
    await call("DELETE", `/scim/group-mappings/${made.body.data.id}?keep_members=false`);
  });

  test("create takes UUIDs only, a known group and workspace, and admin or member", async () => {
    expect((await call("POST", "/scim/group-mappings", { scim_group_id: engineering.id, workspace_id: workspace.slug, role: "member" })).status).toBe(400);
    expect((await call("POST", "/scim/group-mappings", { scim_group_id: engineering.id, workspace_id: workspace.id, role: "owner" })).status).toBe(400);
    expect((await call("POST", "/scim/group-mappings", { scim_group_id: "00000000-0000-4000-8000-000000000000", workspace_id: workspace.id, role: "member" })).status).toBe(404);
    expect((await call("POST", "/scim/group-mappings", { scim_group_id: engineering.id, workspace_id: "00000000-0000-4000-8000-000000000000", role: "member" })).status).toBe(404);
  });

  test("PATCH changes only the role; group and workspace are fixed", async () => {
    const made = (await call("POST", "/scim/group-mappings", { scim_group_id: sales.id, workspace_id: workspace.id, role: "member" })).body.data;
    const changed = await call("PATCH", `/scim/group-mappings/${made.id}`, { role: "admin" });
    expect(changed.body.data).toMatchObject({ id: made.id, role: "admin" });
    expect((await call("GET", `/scim/group-mappings/${made.id}`)).body.data.role).toBe("admin");
    expect((await call("PATCH", `/scim/group-mappings/${made.id}`, {})).status).toBe(400);
    expect((await call("PATCH", `/scim/group-mappings/${made.id}`, { role: "member", workspace_id: "00000000-0000-4000-8000-000000000000" })).status).toBe(400);
    expect((await call("PATCH", "/scim/group-mappings/00000000-0000-4000-8000-000000000000", { role: "admin" })).status).toBe(404);
    await call("DELETE", `/scim/group-mappings/${made.id}?keep_members=true`);
  });

  test("delete needs keep_members: false removes the memberships the mapping made, true leaves them; hand-added members stay either way", async () => {
    await call("POST", `/workspaces/${workspace.id}/members/add`, { user_ids: ["user_manual", "user_eng_a"] });
    const made = (await call("POST", "/scim/group-mappings", { scim_group_id: engineering.id, workspace_id: workspace.id, role: "member" })).body.data;
    expect(await membersOf(workspace.id)).toEqual(["user_eng_a", "user_eng_b", "user_manual"]);
    expect((await call("DELETE", `/scim/group-mappings/${made.id}`)).status).toBe(400);
    expect((await call("DELETE", `/scim/group-mappings/${made.id}?keep_members=maybe`)).status).toBe(400);
    expect((await call("DELETE", `/scim/group-mappings/${made.id}?keep_members=false`)).body).toEqual({ deleted: true });
    expect(await membersOf(workspace.id)).toEqual(["user_eng_a", "user_manual"]);
    expect((await call("GET", `/scim/group-mappings/${made.id}`)).status).toBe(404);

    const kept = (await call("POST", "/scim/group-mappings", { scim_group_id: engineering.id, workspace_id: workspace.id, role: "member" })).body.data;
    await call("DELETE", `/scim/group-mappings/${kept.id}?keep_members=true`);
    expect(await membersOf(workspace.id)).toEqual(["user_eng_a", "user_eng_b", "user_manual"]);
    // Kept memberships are manual now: another mapping's delete does not take them.
    const third = (await call("POST", "/scim/group-mappings", { scim_group_id: engineering.id, workspace_id: workspace.id, role: "member" })).body.data;
    await call("DELETE", `/scim/group-mappings/${third.id}?keep_members=false`);
    expect(await membersOf(workspace.id)).toEqual(["user_eng_a", "user_eng_b", "user_manual"]);
  });

  test("the identity provider's changes follow: a new group member joins mapped workspaces; a deleted group takes its mappings", async () => {
    const other = (await call("POST", "/workspaces", { name: "SCIM Two", slug: "scim-two" })).body.data;
    const made = (await call("POST", "/scim/group-mappings", { scim_group_id: sales.id, workspace_id: other.id, role: "member" })).body.data;
    expect(await membersOf(other.id)).toEqual([]);
    await seedScimGroups(emulator(), [{ id: sales.id, display_name: "Sales", members: ["user_manual"] }]);
    expect(await membersOf(other.id)).toEqual(["user_manual"]);
    await removeScimGroup(emulator(), sales.id);
    expect((await call("GET", `/scim/group-mappings/${made.id}`)).status).toBe(404);
    expect(await membersOf(other.id)).toEqual([]);
    [sales] = await seedScimGroups(emulator(), [{ display_name: "Sales" }]);
  });
});

test("sync jobs: 202 queued, then read as succeeded with the groups counted", async () => {
  const started = await call("POST", "/scim/sync-jobs");
  expect(started.status).toBe(202);
  expect(started.body.data).toEqual({ id: expect.any(String), status: "queued", created_at: expect.any(String), started_at: null, finished_at: null, synced_groups: null, deleted_groups: null, error_message: null });
  const later = await call("GET", `/scim/sync-jobs/${started.body.data.id}`);
  expect(later.body.data).toMatchObject({ status: "succeeded", synced_groups: 2, deleted_groups: 0, error_message: null, finished_at: expect.any(String) });
  expect((await call("GET", "/scim/sync-jobs/00000000-0000-4000-8000-000000000000")).status).toBe(404);
});

test("the control hook checks its input and is not under the vendor prefix", async () => {
  const bad = await fetch(`${emulator().url}/_emulator/openrouter/scim-groups`, { method: "POST", body: JSON.stringify({ groups: [{ display_name: "X", members: ["user_nobody"] }] }) });
  expect(bad.status).toBe(400);
  expect(await bad.text()).toMatch(/groups\[0\]\.members/);
});

test("the official @openrouter/sdk lists groups and creates, reads, changes and deletes a mapping, and runs a sync job", async () => {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [path.resolve(__dirname, "../../support/openrouter-scim-conformance.mjs")],
      {
        env: { ...process.env, OPENROUTER_KEY_UNDER_TEST: MANAGEMENT_KEY, OPENROUTER_URL_UNDER_TEST: emulator().openrouterBaseUrl, SCIM_GROUP_ID: engineering.id, SCIM_WORKSPACE_ID: workspace.id },
        timeout: 60_000,
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const seen = JSON.parse(output);
  expect(seen).toMatchObject({
    groups: ["Engineering", "Sales"],
    made: { role: "member", group: true, org: "org_emulated" },
    sameAgain: true,
    otherRole: "ConflictResponseError",
    updated: "admin",
    read: "admin",
    deleted: true,
    afterDelete: "NotFoundResponseError",
    job: "queued",
    jobLater: "succeeded",
  });
  expect(seen.mappings).toEqual([1]);
}, 60_000);
