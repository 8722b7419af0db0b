/**
 * The emulator's OpenRouter organisation members, workspace members and
 * workspace budgets: envelopes, paging, the documented rules (only
 * organisation members can be added, role copied from the organisation role,
 * removal refused for key owners and SCIM-managed people, budget limits
 * strictly decreasing as the interval narrows) and the seeding control hook.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { callOpenRouter, useEmulator } from "../../support/emulator";
import { removeOrganizationMember, seedOrganizationMembers } from "../../support/openrouter-members";

const MANAGEMENT_KEY = "sk-or-mgmt-unit-0123456789";
const emulator = useEmulator({ managementKeys: [MANAGEMENT_KEY] });
const call = (method: string, path: string, body?: unknown) => callOpenRouter(emulator(), method, path, body, MANAGEMENT_KEY);

let workspace: { id: string; slug: string };
let defaultWorkspaceId: string;

beforeAll(async () => {
  workspace = (await call("POST", "/workspaces", { name: "People", slug: "people" })).body.data;
  defaultWorkspaceId = Object.values(emulator().openrouterState().workspaces).find((w) => w.is_default)!.id;
  await seedOrganizationMembers(emulator(), [
    { id: "user_admin", email: "ada@example.com", first_name: "Ada", last_name: "Admin", role: "org:admin" },
    { id: "user_member", email: "bob@example.com" },
    { id: "user_scim", email: "sam@example.com", scim_managed: true },
  ]);
});

describe("organisation members", () => {
  test("listed with OpenRouter's envelope and paging; no vendor route makes them", async () => {
    const all = await call("GET", "/organization/members");
    expect(all.status).toBe(200);
    expect(all.body.total_count).toBe(3);
    expect(all.body.data[0]).toEqual({ id: "user_admin", email: "ada@example.com", first_name: "Ada", last_name: "Admin", role: "org:admin" });
    expect(all.body.data[1]).toEqual({ id: "user_member", email: "bob@example.com", first_name: null, last_name: null, role: "org:member" });
    const page = await call("GET", "/organization/members?offset=1&limit=1");
    expect(page.body).toEqual({ data: [expect.objectContaining({ id: "user_member" })], total_count: 3 });
    expect((await call("GET", "/organization/members?limit=101")).status).toBe(400);
    expect((await call("POST", "/organization/members", { email: "x@example.com" })).status).toBe(405);
    expect((await callOpenRouter(emulator(), "GET", "/organization/members", undefined, null)).status).toBe(401);
  });

  test("the control hook checks its input, updates by id, generates ids, and is not under the vendor prefix", async () => {
    const bad = await fetch(`${emulator().url}/_emulator/openrouter/organization-members`, { method: "POST", body: JSON.stringify({ members: [{ email: "no-at-sign" }] }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/members\[0\]\.email/);
    const [generated] = await seedOrganizationMembers(emulator(), [{ email: "new@example.com" }]);
    expect(generated.id).toMatch(/^user_[0-9a-f]+$/);
    await removeOrganizationMember(emulator(), generated.id);
    expect((await call("GET", "/organization/members")).body.total_count).toBe(3);
  });
});

describe("workspace members", () => {
  test("add takes organisation members only, answers the memberships with the organisation role; re-adding is harmless", async () => {
    const refused = await call("POST", `/workspaces/${workspace.id}/members/add`, { user_ids: ["user_admin", "user_nobody"] });
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 400, message: expect.stringContaining("user_nobody") } } });
    expect((await call("GET", `/workspaces/${workspace.id}/members`)).body).toEqual({ data: [], total_count: 0 });

    const added = await call("POST", `/workspaces/${workspace.slug}/members/add`, { user_ids: ["user_admin", "user_member"] });
    expect(added.status).toBe(200);
    expect(added.body.added_count).toBe(2);
    expect(added.body.data).toEqual([
      { id: expect.any(String), user_id: "user_admin", workspace_id: workspace.id, role: "admin", created_at: expect.any(String) },
      { id: expect.any(String), user_id: "user_member", workspace_id: workspace.id, role: "member", created_at: expect.any(String) },
    ]);
    const again = await call("POST", `/workspaces/${workspace.id}/members/add`, { user_ids: ["user_member"] });
    expect(again.body).toEqual({ added_count: 1, data: [added.body.data[1]] });
    const listed = await call("GET", `/workspaces/${workspace.id}/members?limit=1&offset=1`);
    expect(listed.body).toEqual({ data: [added.body.data[1]], total_count: 2 });
  });

  test("the role follows the organisation role; leaving the organisation leaves the workspace", async () => {
    await seedOrganizationMembers(emulator(), [{ id: "user_member", email: "bob@example.com", role: "org:admin" }]);
    const listed = await call("GET", `/workspaces/${workspace.id}/members`);
    expect(listed.body.data.map((m: { role: string }) => m.role)).toEqual(["admin", "admin"]);
    await seedOrganizationMembers(emulator(), [{ id: "user_member", email: "bob@example.com", role: "org:member" }]);

    await seedOrganizationMembers(emulator(), [{ id: "user_leaving", email: "lee@example.com" }]);
    await call("POST", `/workspaces/${workspace.id}/members/add`, { user_ids: ["user_leaving"] });
    expect((await call("GET", `/workspaces/${workspace.id}/members`)).body.total_count).toBe(3);
    await removeOrganizationMember(emulator(), "user_leaving");
    expect((await call("GET", `/workspaces/${workspace.id}/members`)).body.total_count).toBe(2);
    expect(Object.values(emulator().openrouterState().workspace_members!).map((m) => m.user_id)).not.toContain("user_leaving");
  });

  test("bodies are checked: user_ids is a list of 1-100 ids", async () => {
    for (const body of [{}, { user_ids: [] }, { user_ids: [""] }, { user_ids: Array.from({ length: 101 }, (_, i) => `user_${i}`) }]) {
      expect((await call("POST", `/workspaces/${workspace.id}/members/add`, body)).status).toBe(400);
    }
    expect((await call("POST", "/workspaces/nope/members/add", { user_ids: ["user_admin"] })).status).toBe(404);
    expect((await call("GET", "/workspaces/nope/members")).status).toBe(404);
  });

  test("remove refuses key owners and SCIM-managed people, and removes only the ids named", async () => {
    await call("POST", `/workspaces/${workspace.id}/members/add`, { user_ids: ["user_scim"] });
    const scim = await call("POST", `/workspaces/${workspace.id}/members/remove`, { user_ids: ["user_scim"] });
    expect(scim).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining("SCIM") } } });

    const key = await call("POST", "/keys", { name: "owned", workspace_id: workspace.id, creator_user_id: "user_member" });
    const owner = await call("POST", `/workspaces/${workspace.id}/members/remove`, { user_ids: ["user_member"] });
    expect(owner).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining("user_member") } } });
    await call("DELETE", `/keys/${key.body.data.hash}`);

    expect((await call("POST", `/workspaces/${workspace.id}/members/remove`, { user_ids: ["user_member", "user_nobody"] })).body).toEqual({ removed_count: 1 });
    const left = await call("GET", `/workspaces/${workspace.id}/members`);
    expect(left.body.data.map((m: { user_id: string }) => m.user_id)).toEqual(["user_admin", "user_scim"]);
  });

  test("the default workspace lists every organisation member; removing there removes nothing", async () => {
    const listed = await call("GET", `/workspaces/${defaultWorkspaceId}/members`);
    expect(listed.body.total_count).toBe(3);
    expect(listed.body.data.map((m: { user_id: string }) => m.user_id).sort()).toEqual(["user_admin", "user_member", "user_scim"]);
    expect((await call("POST", `/workspaces/default/members/remove`, { user_ids: ["user_admin"] })).body).toEqual({ removed_count: 0 });
  });
});

describe("workspace budgets", () => {
  let budgetWorkspace: { id: string; slug: string };
  beforeAll(async () => {
    budgetWorkspace = (await call("POST", "/workspaces", { name: "Budgets", slug: "budgets" })).body.data;
  });
  const budgetPath = (interval: string) => `/workspaces/${budgetWorkspace.id}/budgets/${interval}`;

  test("PUT upserts a budget per interval; GET answers it; the list is unpaged with the workspace's BYOK flag", async () => {
    expect((await call("GET", budgetPath("monthly"))).status).toBe(404);
    const created = await call("PUT", budgetPath("monthly"), { limit_usd: 100 });
    expect(created).toMatchObject({ status: 200 });
    expect(created.body).toEqual({
      data: { id: expect.any(String), workspace_id: budgetWorkspace.id, limit_usd: 100, reset_interval: "monthly", created_at: expect.any(String), updated_at: expect.any(String) },
      include_byok_in_budgets: false,
    });
    const changed = await call("PUT", `/workspaces/budgets/budgets/monthly`, { limit_usd: 120, include_byok_in_budgets: true });
    expect(changed.body.data).toMatchObject({ id: created.body.data.id, limit_usd: 120 });
    expect(changed.body.include_byok_in_budgets).toBe(true);
    const lifetime = await call("PUT", budgetPath("lifetime"), { limit_usd: 1000 });
    expect(lifetime.body.data.reset_interval).toBeNull();
    // Omitted: the workspace-wide flag stays as it was.
    expect(lifetime.body.include_byok_in_budgets).toBe(true);
    expect((await call("GET", budgetPath("monthly"))).body.data.limit_usd).toBe(120);
    const listed = await call("GET", `/workspaces/${budgetWorkspace.id}/budgets`);
    expect(listed.body).toEqual({ data: [lifetime.body.data, changed.body.data], include_byok_in_budgets: true });
    expect((await call("GET", `/workspaces/${budgetWorkspace.id}`)).body.data.include_byok_in_budgets).toBe(true);
  });

  test("limits must strictly decrease as the interval narrows, checked against the other budgets", async () => {
    // lifetime 1000 > monthly 120 are set; a weekly of 120 is not below monthly.
    const equal = await call("PUT", budgetPath("weekly"), { limit_usd: 120 });
    expect(equal).toMatchObject({ status: 400, body: { error: { code: 400, message: expect.stringMatching(/weekly.*lower than the monthly/) } } });
    expect((await call("PUT", budgetPath("weekly"), { limit_usd: 50 })).status).toBe(200);
    expect((await call("PUT", budgetPath("daily"), { limit_usd: 60 })).status).toBe(400);
    expect((await call("PUT", budgetPath("daily"), { limit_usd: 10 })).status).toBe(200);
    // Raising monthly above lifetime, or lowering lifetime below weekly, is refused too.
    expect((await call("PUT", budgetPath("monthly"), { limit_usd: 1000 })).status).toBe(400);
    expect((await call("PUT", budgetPath("lifetime"), { limit_usd: 40 })).body.error.message).toMatch(/lifetime.*higher than the monthly/);
  });

  test("bodies and intervals are checked; DELETE answers deleted even when there was no budget", async () => {
    for (const body of [{}, { limit_usd: 0 }, { limit_usd: -1 }, { limit_usd: "5" }, { limit_usd: 5, include_byok_in_budgets: "yes" }]) {
      expect((await call("PUT", budgetPath("daily"), body)).status).toBe(400);
    }
    expect((await call("PUT", budgetPath("hourly"), { limit_usd: 1 })).status).toBe(400);
    expect((await call("DELETE", budgetPath("daily"))).body).toEqual({ deleted: true });
    expect((await call("DELETE", budgetPath("daily"))).body).toEqual({ deleted: true });
    expect((await call("GET", budgetPath("daily"))).status).toBe(404);
    expect((await call("PUT", "/workspaces/nope/budgets/daily", { limit_usd: 1 })).status).toBe(404);
  });
});

test("the official SDK's member and budget calls parse the emulator's answers", async () => {
  await seedOrganizationMembers(emulator(), [
    { id: "user_sdk_a", email: "sdk-a@example.com", role: "org:admin" },
    { id: "user_sdk_b", email: "sdk-b@example.com" },
  ]);
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [path.resolve(__dirname, "../../support/openrouter-members-conformance.mjs")],
      { env: { ...process.env, OPENROUTER_KEY_UNDER_TEST: MANAGEMENT_KEY, OPENROUTER_URL_UNDER_TEST: emulator().openrouterBaseUrl }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const seen = JSON.parse(output);
  // Five people by now (three from the start, two for the SDK), one per page; the SDK stops after a short page.
  expect(seen.orgPages).toHaveLength(6);
  expect(seen.orgPages.slice(3, 5)).toEqual([["user_sdk_a org:admin"], ["user_sdk_b org:member"]]);
  expect(seen).toMatchObject({
    added: { count: 2, members: ["user_sdk_a admin true", "user_sdk_b member true"] },
    listed: [2],
    removed: 1,
    outsider: "BadRequestResponseError",
    monthly: { limit: 100, reset: "monthly", byok: true },
    lifetimeReset: null,
    dailyNotBelowMonthly: "BadRequestResponseError",
    got: { limit: 100, byok: true },
    budgets: ["lifetime", "monthly"],
    deleted: true,
  });
}, 60_000);
