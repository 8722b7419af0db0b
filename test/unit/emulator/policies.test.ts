/**
 * The emulator's /policies routes: usage-limits and rate-limits policies with
 * the document's bare answers, workspace scoping, the refusals the document
 * and the policy page name, archive on delete, and the entities a usage
 * policy counts for with their reset.
 */
import { recordPolicyUsage } from "../../../emulator/portkey/policies";
import { call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

async function workspace(name: string) {
  const created = await call(emulator(), "POST", "/admin/workspaces", { name });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string };
}

function usageBody(workspaceId: string, extra: Record<string, unknown> = {}) {
  return { name: "Per key", conditions: [{ key: "workspace_id", value: workspaceId }], group_by: [{ key: "api_key" }], type: "cost", credit_limit: 100, workspace_id: workspaceId, ...extra };
}

function rateBody(workspaceId: string, extra: Record<string, unknown> = {}) {
  return { conditions: [{ key: "workspace_id", value: workspaceId }], group_by: [{ key: "metadata.user_id" }], type: "requests", unit: "rpm", value: 60, workspace_id: workspaceId, ...extra };
}

describe("usage-limits policies", () => {
  test("create answers {id, object}; GET gives the policy with the workspace as UUID", async () => {
    const ws = await workspace("Policies A");
    const created = await call(emulator(), "POST", "/policies/usage-limits", usageBody(ws.slug, { alert_threshold: 80, periodic_reset: "monthly" }));
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.any(String), object: "policy_usage_limits" });
    const got = await call(emulator(), "GET", `/policies/usage-limits/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id: created.body.id,
      object: "policy_usage_limits",
      name: "Per key",
      conditions: [{ key: "workspace_id", value: ws.slug }],
      group_by: [{ key: "api_key" }],
      type: "cost",
      credit_limit: 100,
      alert_threshold: 80,
      periodic_reset: "monthly",
      status: "active",
      workspace_id: ws.id,
      last_reset_at: null,
    });
    expect(Date.parse(got.body.next_usage_reset_at)).toBeGreaterThan(Date.now());
    expect(got.body.value_key_usage_map).toBeUndefined();
  });

  test("refuses what the document and the policy page refuse", async () => {
    const ws = await workspace("Policies B");
    const refused = async (body: Record<string, unknown>) => {
      const answer = await call(emulator(), "POST", "/policies/usage-limits", body);
      expect(answer.status).toBe(400);
      return errorCode(answer);
    };
    expect(await refused(usageBody(ws.id, { conditions: [] }))).toBe("AB01");
    expect(await refused(usageBody(ws.id, { group_by: [] }))).toBe("AB01");
    expect(await refused(usageBody(ws.id, { type: "requests" }))).toBe("AB01");
    expect(await refused(usageBody(ws.id, { credit_limit: -1 }))).toBe("AB01");
    expect(await refused(usageBody(ws.id, { alert_threshold: 100 }))).toBe("AB01");
    expect(await refused(usageBody(ws.id, { periodic_reset: "daily" }))).toBe("AB01");
    expect(await refused(usageBody(ws.id, { periodic_reset: "weekly", periodic_reset_days: 3 }))).toBe("AB01");
    expect(await refused(usageBody(ws.id, { conditions: [{ key: "colour", value: "red" }] }))).toBe("AB01");
    expect(await refused(usageBody(ws.id, { group_by: [{ key: "api_key" }, { key: "api_key" }] }))).toBe("AB01");
    const { workspace_id: _omitted, ...noWorkspace } = usageBody(ws.id);
    expect(await refused(noWorkspace)).toBe("AB01");
    const missing = await call(emulator(), "POST", "/policies/usage-limits", usageBody("ws-nope-000000"));
    expect([missing.status, errorCode(missing)]).toEqual([404, "AB08"]);
    // metadata keys and the policy page's keys are accepted.
    const made = await call(emulator(), "POST", "/policies/usage-limits", usageBody(ws.id, { conditions: [{ key: "metadata.team", value: "ml" }, { key: "model", value: "@openai/*" }] }));
    expect(made.status).toBe(200);
  });

  test("PUT changes name, limits, reset and conditions in place, clears with null, and refuses fixed fields", async () => {
    const ws = await workspace("Policies C");
    const { id } = (await call(emulator(), "POST", "/policies/usage-limits", usageBody(ws.id, { alert_threshold: 50, periodic_reset: "weekly" }))).body;
    const put = await call(emulator(), "PUT", `/policies/usage-limits/${id}`, { name: "Renamed", credit_limit: 200, conditions: [{ key: "metadata.team", value: "ml" }] });
    expect([put.status, put.body]).toEqual([200, {}]);
    let got = (await call(emulator(), "GET", `/policies/usage-limits/${id}`)).body;
    expect(got).toMatchObject({ name: "Renamed", credit_limit: 200, alert_threshold: 50, periodic_reset: "weekly", conditions: [{ key: "metadata.team", value: "ml" }] });
    await call(emulator(), "PUT", `/policies/usage-limits/${id}`, { alert_threshold: null, periodic_reset: null });
    got = (await call(emulator(), "GET", `/policies/usage-limits/${id}`)).body;
    expect(got).toMatchObject({ alert_threshold: null, periodic_reset: null, next_usage_reset_at: null });
    expect(errorCode(await call(emulator(), "PUT", `/policies/usage-limits/${id}`, { alert_threshold: 200 }))).toBe("AB01");
    expect(errorCode(await call(emulator(), "PUT", `/policies/usage-limits/${id}`, { type: "tokens" }))).toBe("AB01");
    expect(errorCode(await call(emulator(), "PUT", `/policies/usage-limits/${id}`, { group_by: [{ key: "workspace_id" }] }))).toBe("AB01");
    expect((await call(emulator(), "GET", `/policies/usage-limits/${id}`)).body).toMatchObject({ type: "cost", group_by: [{ key: "api_key" }] });
  });

  test("entities: listed with their usage, filtered, reset one by one or by value key; raising the limit reactivates", async () => {
    const ws = await workspace("Policies D");
    const { id } = (await call(emulator(), "POST", "/policies/usage-limits", usageBody(ws.id, { alert_threshold: 50 }))).body;
    const state = emulator().state();
    const alice = recordPolicyUsage(state, id, "api_key:alice", 120);
    recordPolicyUsage(state, id, "api_key:bob", 30);
    let listed = await call(emulator(), "GET", `/policies/usage-limits/${id}/entities`);
    expect(listed.body).toEqual({
      object: "list",
      total: 2,
      data: [
        { id: alice.id, value_key: "api_key:alice", current_usage: 120 },
        { id: expect.any(String), value_key: "api_key:bob", current_usage: 30 },
      ],
    });
    expect((await call(emulator(), "GET", `/policies/usage-limits/${id}/entities?status=exhausted`)).body.data.map((e: { value_key: string }) => e.value_key)).toEqual(["api_key:alice"]);
    expect((await call(emulator(), "GET", `/policies/usage-limits/${id}/entities?search=bob`)).body.total).toBe(1);
    expect(errorCode(await call(emulator(), "GET", `/policies/usage-limits/${id}/entities?page_size=101`))).toBe("AB01");
    const usage = (await call(emulator(), "GET", `/policies/usage-limits/${id}?include_usage=true`)).body.value_key_usage_map;
    expect(usage["api_key:alice"]).toEqual({ current_usage: 120, status: "exhausted", is_threshold_alerts_sent: true, is_exhausted_alerts_sent: false });

    const reset = await call(emulator(), "PUT", `/policies/usage-limits/${id}/entities/${alice.id}/reset`);
    expect([reset.status, reset.body]).toEqual([200, {}]);
    listed = await call(emulator(), "GET", `/policies/usage-limits/${id}/entities?search=alice`);
    expect(listed.body.data[0].current_usage).toBe(0);
    expect((await call(emulator(), "GET", `/policies/usage-limits/${id}`)).body.last_reset_at).toEqual(expect.any(String));
    const unknown = await call(emulator(), "PUT", `/policies/usage-limits/${id}/entities/nobody/reset`);
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "AB08"]);

    await call(emulator(), "PUT", `/policies/usage-limits/${id}`, { reset_usage_for_value: "api_key:bob" });
    expect((await call(emulator(), "GET", `/policies/usage-limits/${id}/entities?search=bob`)).body.data[0].current_usage).toBe(0);

    recordPolicyUsage(emulator().state(), id, "api_key:alice", 100);
    expect((await call(emulator(), "GET", `/policies/usage-limits/${id}/entities?status=exhausted`)).body.total).toBe(1);
    await call(emulator(), "PUT", `/policies/usage-limits/${id}`, { credit_limit: 500 });
    expect((await call(emulator(), "GET", `/policies/usage-limits/${id}/entities?status=exhausted`)).body.total).toBe(0);
  });

  test("DELETE archives: the default GET and list no longer find it, status=archived does", async () => {
    const ws = await workspace("Policies E");
    const { id } = (await call(emulator(), "POST", "/policies/usage-limits", usageBody(ws.id))).body;
    expect((await call(emulator(), "GET", `/policies/usage-limits?workspace_id=${ws.slug}`)).body.total).toBe(1);
    const deleted = await call(emulator(), "DELETE", `/policies/usage-limits/${id}`);
    expect([deleted.status, deleted.body]).toEqual([200, {}]);
    const gone = await call(emulator(), "GET", `/policies/usage-limits/${id}`);
    expect([gone.status, errorCode(gone)]).toEqual([404, "AB08"]);
    expect((await call(emulator(), "GET", `/policies/usage-limits/${id}?status=archived`)).body.status).toBe("archived");
    expect((await call(emulator(), "GET", `/policies/usage-limits?workspace_id=${ws.id}`)).body).toEqual({ object: "list", total: 0, data: [] });
    expect((await call(emulator(), "GET", `/policies/usage-limits?workspace_id=${ws.id}&status=archived`)).body.total).toBe(1);
    expect(errorCode(await call(emulator(), "DELETE", `/policies/usage-limits/${id}`))).toBe("AB08");
  });

  test("a workspace key sees and makes policies only in its own workspace, with the policies scopes", async () => {
    const a = await workspace("Policies F");
    const b = await workspace("Policies G");
    const inB = (await call(emulator(), "POST", "/policies/usage-limits", usageBody(b.id))).body.id;
    const key = await call(emulator(), "POST", "/api-keys/workspace/service", { name: "pol", workspace_id: a.id, scopes: ["policies.create", "policies.read", "policies.list"] });
    const made = await call(emulator(), "POST", "/policies/usage-limits", { ...usageBody(a.id), workspace_id: undefined }, key.body.key);
    expect(made.status).toBe(200);
    expect((await call(emulator(), "GET", `/policies/usage-limits/${made.body.id}`)).body.workspace_id).toBe(a.id);
    expect(errorCode(await call(emulator(), "GET", `/policies/usage-limits/${inB}`, undefined, key.body.key))).toBe("AB03");
    expect((await call(emulator(), "GET", "/policies/usage-limits", undefined, key.body.key)).body.data.map((p: { id: string }) => p.id)).toEqual([made.body.id]);
    expect(errorCode(await call(emulator(), "PUT", `/policies/usage-limits/${made.body.id}`, { name: "x" }, key.body.key))).toBe("AB03");
  });
});

describe("rate-limits policies", () => {
  test("create, GET, PUT of name/unit/value/conditions, refusals, archive on delete", async () => {
    const ws = await workspace("Policies H");
    const created = await call(emulator(), "POST", "/policies/rate-limits", rateBody(ws.slug, { name: "60 rpm" }));
    expect(created.body).toEqual({ id: expect.any(String), object: "policy_rate_limits" });
    const id = created.body.id;
    expect((await call(emulator(), "GET", `/policies/rate-limits/${id}`)).body).toMatchObject({
      object: "policy_rate_limits",
      name: "60 rpm",
      group_by: [{ key: "metadata.user_id" }],
      type: "requests",
      unit: "rpm",
      value: 60,
      status: "active",
      workspace_id: ws.id,
    });
    await call(emulator(), "PUT", `/policies/rate-limits/${id}`, { name: "", unit: "rph", value: 1000, conditions: [{ key: "api_key", value: "k-1" }] });
    expect((await call(emulator(), "GET", `/policies/rate-limits/${id}`)).body).toMatchObject({ name: "", unit: "rph", value: 1000, conditions: [{ key: "api_key", value: "k-1" }] });

    for (const bad of [{ unit: "rps" }, { value: 0 }, { type: "cost" }, { conditions: [] }]) {
      expect(errorCode(await call(emulator(), "POST", "/policies/rate-limits", rateBody(ws.id, bad)))).toBe("AB01");
    }
    expect(errorCode(await call(emulator(), "PUT", `/policies/rate-limits/${id}`, { type: "tokens" }))).toBe("AB01");
    // rpw is a unit since backend 1.13.0 (policy-target-pricing.test.ts); rps is not a policy unit.
    expect(errorCode(await call(emulator(), "PUT", `/policies/rate-limits/${id}`, { unit: "rps" }))).toBe("AB01");
    expect((await call(emulator(), "GET", `/policies/rate-limits?workspace_id=${ws.id}&unit=rph`)).body.total).toBe(1);
    expect((await call(emulator(), "GET", `/policies/rate-limits?workspace_id=${ws.id}&unit=rpm`)).body.total).toBe(0);

    expect((await call(emulator(), "DELETE", `/policies/rate-limits/${id}`)).body).toEqual({});
    expect(errorCode(await call(emulator(), "GET", `/policies/rate-limits/${id}`))).toBe("AB08");
    expect((await call(emulator(), "GET", `/policies/rate-limits/${id}?status=archived`)).body.status).toBe("archived");
  });

  test("policies of a deleted workspace are gone", async () => {
    const ws = await workspace("Policies I");
    const { id } = (await call(emulator(), "POST", "/policies/rate-limits", rateBody(ws.id))).body;
    await call(emulator(), "DELETE", `/admin/workspaces/${ws.id}`, { name: "Policies I", force_delete: true });
    expect(errorCode(await call(emulator(), "GET", `/policies/rate-limits/${id}`))).toBe("AB08");
  });
});

test("every response the emulator gave conformed to the official document", () => {
  expect(emulator().specViolations()).toEqual([]);
});
