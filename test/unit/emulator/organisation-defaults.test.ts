/**
 * The emulator's organisation default guardrails (/admin/organisation/defaults,
 * under /v2 as the Terraform provider calls it and under /v1) and the
 * workspaces they skip (/workspace-exclusions/{input,output}-guardrails).
 */
import { ADMIN_KEY, call, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

/** A call under /v2, where the Terraform provider reaches the organisation's defaults. */
async function callV2(method: string, path: string, body?: unknown) {
  const response = await fetch(`${emulator().url}/v2${path}`, {
    method,
    headers: { "x-portkey-api-key": ADMIN_KEY, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const CHECK = { checks: [{ id: "default.regexMatch", parameters: { rule: "x" } }], actions: { deny: true } };

async function organisationGuardrail(name: string) {
  const state = emulator().state();
  const created = await call(emulator(), "POST", "/guardrails", { name, organisation_id: state.organisation_id, ...CHECK });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string };
}

test("a PUT changes only the lists it carries, by id or slug; [] clears one, which reads back as null", async () => {
  expect(await callV2("GET", "/admin/organisation/defaults")).toEqual({ status: 200, body: { object: "organisation_defaults", input_guardrails: null, output_guardrails: null } });
  const pii = await organisationGuardrail("PII");
  const tone = await organisationGuardrail("Tone");
  expect(await callV2("PUT", "/admin/organisation/defaults", { input_guardrails: [pii.slug], output_guardrails: [tone.id] })).toEqual({ status: 200, body: {} });
  expect((await callV2("GET", "/admin/organisation/defaults")).body).toEqual({
    object: "organisation_defaults",
    input_guardrails: [{ id: pii.id, slug: pii.slug }],
    output_guardrails: [{ id: tone.id, slug: tone.slug }],
  });
  await callV2("PUT", "/admin/organisation/defaults", { input_guardrails: [] });
  // The same singleton under /v1.
  expect((await call(emulator(), "GET", "/admin/organisation/defaults")).body).toMatchObject({ input_guardrails: null, output_guardrails: [{ id: tone.id }] });

  // A guardrail in the defaults cannot be deleted.
  const refused = await call(emulator(), "DELETE", `/guardrails/${tone.id}`);
  expect(refused.status).toBe(400);
  expect(JSON.stringify(refused.body)).toContain("Guardrail is being used in organisation defaults");
  await callV2("PUT", "/admin/organisation/defaults", { output_guardrails: [] });
  expect((await call(emulator(), "DELETE", `/guardrails/${tone.id}`)).status).toBe(200);
});

test("refused: an empty body, a workspace's guardrail, an unknown guardrail, a workspace key", async () => {
  const ws = (await call(emulator(), "POST", "/admin/workspaces", { name: "Defaults WS" })).body;
  const scoped = (await call(emulator(), "POST", "/guardrails", { name: "Scoped", workspace_id: ws.id, ...CHECK })).body;
  expect((await callV2("PUT", "/admin/organisation/defaults", {})).status).toBe(400);
  const workspaceScoped = await callV2("PUT", "/admin/organisation/defaults", { input_guardrails: [scoped.id] });
  expect(workspaceScoped.status).toBe(400);
  expect(workspaceScoped.body.data.message).toContain("Workspace-scoped guardrails cannot be set as organisation defaults");
  expect((await callV2("PUT", "/admin/organisation/defaults", { input_guardrails: ["pg-none-000000"] })).status).toBe(400);
  const key = (await call(emulator(), "POST", "/api-keys/workspace/service", { name: "d", workspace_id: ws.id, scopes: ["organisation_settings.read"] })).body.key;
  expect((await call(emulator(), "GET", "/admin/organisation/defaults", undefined, key)).body.data.errorCode).toBe("AB03");
});

test("workspace exclusions: one list per direction, merged unless override_existing, excluded false re-includes", async () => {
  const a = (await call(emulator(), "POST", "/admin/workspaces", { name: "Excluded A" })).body;
  const b = (await call(emulator(), "POST", "/admin/workspaces", { name: "Excluded B" })).body;
  const organisationId = emulator().state().organisation_id;
  await call(emulator(), "PUT", "/workspace-exclusions/input-guardrails", { organisation_id: organisationId, workspaces: [{ workspace_id: a.slug, excluded: true }] });
  await call(emulator(), "PUT", "/workspace-exclusions/input-guardrails", { workspaces: [{ workspace_id: b.id, excluded: true }] });
  const input = await call(emulator(), "GET", `/workspace-exclusions/input-guardrails?organisation_id=${organisationId}`);
  expect(input.body.workspaces.map((w: { workspace_id: string }) => w.workspace_id)).toEqual([a.id, b.id]);
  expect((await call(emulator(), "GET", "/workspace-exclusions/output-guardrails")).body.workspaces).toEqual([]);
  await call(emulator(), "PUT", "/workspace-exclusions/input-guardrails", { workspaces: [{ workspace_id: a.id, excluded: false }] });
  expect((await call(emulator(), "GET", "/workspace-exclusions/input-guardrails")).body.workspaces).toEqual([{ workspace_id: b.id, workspace_slug: b.slug, excluded: true }]);
  await call(emulator(), "PUT", "/workspace-exclusions/input-guardrails", { workspaces: [{ workspace_id: a.id, excluded: true }], override_existing: true });
  expect((await call(emulator(), "GET", "/workspace-exclusions/input-guardrails")).body.total).toBe(1);
  expect((await call(emulator(), "PUT", "/workspace-exclusions/input-guardrails", { organisation_id: "00000000-0000-4000-8000-000000000000", workspaces: [] })).status).toBe(403);
});
