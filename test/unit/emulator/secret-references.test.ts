/**
 * The emulator's /secret-references routes and integrations' secret_mappings:
 * auth modes per manager type, masked credentials, the merged update, the
 * workspace list that is never returned, in-use deletes refused, paging.
 */
import { call, errorCode, useEmulator } from "../../support/emulator";

const emulator = useEmulator();

const AWS_KEYS = { aws_auth_type: "accessKey", aws_access_key_id: "AKIAEXAMPLE1234", aws_secret_access_key: "wJalrSECRETvalue99", aws_region: "us-east-1" };

async function reference(body: Record<string, unknown> = {}) {
  const created = await call(emulator(), "POST", "/secret-references", { name: "OpenAI key", manager_type: "aws_sm", auth_config: AWS_KEYS, secret_path: "prod/openai", ...body });
  expect(created.status).toBe(200);
  return created.body as { id: string; slug: string; object: string };
}

async function workspace(name: string) {
  return (await call(emulator(), "POST", "/admin/workspaces", { name })).body as { id: string; slug: string };
}

test("create answers {id, slug, object}; GET by UUID or slug masks the credentials and leaves allowed_workspaces out", async () => {
  const created = await reference({ name: "My AWS secret", secret_key: "api_key", tags: { team: "ml" } });
  expect(created).toEqual({ id: expect.any(String), slug: "My-AWS-secret", object: "secret-reference" });
  for (const ref of [created.id, created.slug]) {
    const got = await call(emulator(), "GET", `/secret-references/${ref}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: created.id, name: "My AWS secret", manager_type: "aws_sm", secret_path: "prod/openai", secret_key: "api_key", allow_all_workspaces: true, tags: { team: "ml" }, status: "ACTIVE", object: "secret-reference" });
    expect(got.body.auth_config).toEqual({ aws_auth_type: "accessKey", aws_region: "us-east-1", masked_aws_access_key_id: "AK*******34", masked_aws_secret_access_key: "wJ*******99" });
    expect(got.text).not.toContain(AWS_KEYS.aws_secret_access_key);
    expect(got.body).not.toHaveProperty("allowed_workspaces");
  }
  expect(emulator().specViolations()).toEqual([]);
});

test("auth_config must be a mode of the manager type's family with its fields; slugs are unique; the workspace list needs known workspaces", async () => {
  const ws = await workspace("Refs A");
  const bad = async (body: Record<string, unknown>) => errorCode(await call(emulator(), "POST", "/secret-references", { name: "x", manager_type: "aws_sm", auth_config: AWS_KEYS, secret_path: "p", ...body }));
  expect(await bad({ manager_type: "azure_kv" })).toBe("AB01");
  expect(await bad({ manager_type: "gcp_sm" })).toBe("AB01");
  expect(await bad({ auth_config: { aws_auth_type: "accessKey", aws_region: "us-east-1" } })).toBe("AB01");
  expect(await bad({ auth_config: { vault_auth_type: "token", vault_addr: "https://vault.example", vault_token: "t" } })).toBe("AB01");
  expect(await bad({ secret_path: undefined })).toBe("AB01");
  expect(await bad({ slug: "has space" })).toBe("AB01");
  expect(await bad({ allowed_workspaces: [] })).toBe("AB01");
  expect(await bad({ allowed_workspaces: ["ws-nope-000000"] })).toBe("AB01");
  expect(await bad({ allowed_workspaces: [ws.id], allow_all_workspaces: true })).toBe("AB01");
  await reference({ slug: "taken" });
  expect(await bad({ slug: "taken" })).toBe("AB01");

  const vault = await reference({ name: "vault", manager_type: "hashicorp_vault", auth_config: { vault_auth_type: "approle", vault_addr: "https://vault.example", vault_role_id: "role", vault_secret_id: "s3cretid" } });
  expect((await call(emulator(), "GET", `/secret-references/${vault.id}`)).body.auth_config).toEqual({ vault_auth_type: "approle", vault_addr: "https://vault.example", vault_role_id: "role", masked_vault_secret_id: "s3*******id" });
  // A list given alone restricts the reference.
  const only = await reference({ name: "only", allowed_workspaces: [ws.slug] });
  expect((await call(emulator(), "GET", `/secret-references/${only.id}`)).body.allow_all_workspaces).toBe(false);
});

test("PUT merges auth_config per field, ignores manager_type, clears secret_key with null, and moves between a list and all workspaces", async () => {
  const ws = await workspace("Refs B");
  const made = await reference({ secret_key: "k" });
  const put = (body: Record<string, unknown>) => call(emulator(), "PUT", `/secret-references/${made.slug}`, body);
  expect((await put({ auth_config: { aws_region: "eu-west-1" }, manager_type: "azure_kv", secret_key: null, description: "rotated" })).body).toEqual({});
  const stored = emulator().state().secret_references![made.id];
  expect(stored).toMatchObject({ manager_type: "aws_sm", secret_key: null, description: "rotated", auth_config: { ...AWS_KEYS, aws_region: "eu-west-1" } });
  // A new mode starts over, and must be complete.
  expect(errorCode(await put({ auth_config: { aws_auth_type: "assumedRole" } }))).toBe("AB01");
  expect((await put({ auth_config: { aws_auth_type: "assumedRole", aws_role_arn: "arn:aws:iam::1:role/r", aws_region: "us-east-1" } })).status).toBe(200);
  expect(emulator().state().secret_references![made.id].auth_config).toEqual({ aws_auth_type: "assumedRole", aws_role_arn: "arn:aws:iam::1:role/r", aws_region: "us-east-1" });

  expect((await put({ allowed_workspaces: [ws.id] })).status).toBe(200);
  expect(emulator().state().secret_references![made.id]).toMatchObject({ allow_all_workspaces: false, allowed_workspaces: [ws.id] });
  expect(errorCode(await put({ allowed_workspaces: [] }))).toBe("AB01");
  expect((await put({ allow_all_workspaces: true })).status).toBe(200);
  expect(emulator().state().secret_references![made.id]).toMatchObject({ allow_all_workspaces: true, allowed_workspaces: [] });
  expect(errorCode(await put({ allow_all_workspaces: false }))).toBe("AB01");
  expect(errorCode(await put({ unknown_field: 1 }))).toBe("AB01");
  expect(emulator().specViolations()).toEqual([]);
});

test("integrations map fields to references; a reference in use cannot be deleted; missing ones answer 404 AB08", async () => {
  const ws = await workspace("Refs C");
  const open = await reference({ name: "open" });
  const restricted = await reference({ name: "restricted", allowed_workspaces: [ws.id] });
  const other = await workspace("Refs D");
  const mapping = { target_field: "key", secret_reference_id: open.slug };
  const created = await call(emulator(), "POST", "/integrations", { name: "OpenAI", slug: "openai-mapped", ai_provider_id: "openai", secret_mappings: [mapping] });
  expect(created.status).toBe(200);
  expect((await call(emulator(), "GET", "/integrations/openai-mapped")).body.secret_mappings).toEqual([{ ...mapping, secret_key: null }]);

  const integration = (body: Record<string, unknown>) => call(emulator(), "POST", "/integrations", { name: "x", ai_provider_id: "openai", ...body });
  expect(errorCode(await integration({ secret_mappings: [{ target_field: "nope", secret_reference_id: open.id }] }))).toBe("AB01");
  expect(errorCode(await integration({ secret_mappings: [mapping, mapping] }))).toBe("AB01");
  expect(errorCode(await integration({ secret_mappings: [{ target_field: "key", secret_reference_id: "missing" }] }))).toBe("AB01");
  expect(errorCode(await integration({ workspace_id: other.id, secret_mappings: [{ target_field: "key", secret_reference_id: restricted.id }] }))).toBe("AB01");
  expect((await integration({ slug: "in-ws", workspace_id: ws.id, create_default_provider: false, secret_mappings: [{ target_field: "configurations.openai_organization", secret_reference_id: restricted.id }] })).status).toBe(200);

  const inUse = await call(emulator(), "DELETE", `/secret-references/${open.id}`);
  expect(inUse.status).toBe(400);
  expect(inUse.body.data.message).toContain("openai-mapped");
  expect((await call(emulator(), "PUT", "/integrations/openai-mapped", { secret_mappings: [] })).status).toBe(200);
  expect((await call(emulator(), "GET", "/integrations/openai-mapped")).body.secret_mappings).toEqual([]);
  expect((await call(emulator(), "DELETE", `/secret-references/${open.id}`)).body).toEqual({});
  const gone = await call(emulator(), "GET", `/secret-references/${open.id}`);
  expect(gone.status).toBe(404);
  expect(errorCode(gone)).toBe("AB08");
  expect(emulator().specViolations()).toEqual([]);
});

test("list: pages of 1–100 (default 20), filters by manager_type and search; only organisation keys may use the routes", async () => {
  await reference({ name: "azure one", manager_type: "azure_kv", auth_config: { azure_auth_mode: "default", azure_vault_url: "https://kv.example" } });
  const all = await call(emulator(), "GET", "/secret-references");
  expect(all.body).toMatchObject({ object: "list", total: expect.any(Number) });
  expect(all.body.data.length).toBe(Math.min(all.body.total, 20));
  const azure = await call(emulator(), "GET", "/secret-references?manager_type=azure_kv");
  expect(azure.body.data.map((r: { name: string }) => r.name)).toEqual(["azure one"]);
  expect((await call(emulator(), "GET", "/secret-references?search=AZURE")).body.total).toBe(1);
  expect((await call(emulator(), "GET", "/secret-references?page_size=1&current_page=1")).body.data).toHaveLength(1);
  expect(errorCode(await call(emulator(), "GET", "/secret-references?page_size=101"))).toBe("AB01");

  const ws = await workspace("Refs E");
  const key = await call(emulator(), "POST", "/api-keys/workspace/service", { name: "refs", workspace_id: ws.id, scopes: ["workspaces.read"] });
  expect(errorCode(await call(emulator(), "GET", "/secret-references", undefined, key.body.key))).toBe("AB03");
  expect(emulator().specViolations()).toEqual([]);
});
