/**
 * Several Portkey organisations in one emulator: each admin key of
 * `adminKeys` owns an organisation of its own, `organisations` groups keys
 * into one. What one organisation holds is invisible to another: lists leave
 * it out, and reads, updates and deletes by id or slug answer 404 AB08 as for
 * an id that does not exist.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunningEmulator, startEmulator } from "../../../emulator";
import { ADMIN_KEY, ApiResponse, call, errorCode, useEmulator } from "../../support/emulator";

const OTHER_KEY = "test-admin-key-other-org-9876543210";
const ROOT = path.resolve(__dirname, "..", "..", "..");

const emulator = useEmulator({ adminKeys: [ADMIN_KEY, OTHER_KEY] });

/** Fails the test with the answer when the status is not 200. */
function ok<T = any>(response: ApiResponse<T>): T {
  expect({ status: response.status, body: response.body }).toMatchObject({ status: 200 });
  return response.body;
}

function notFound(response: ApiResponse): void {
  expect(response.status).toBe(404);
  expect(errorCode(response)).toBe("AB08");
}

/** What organisation A (ADMIN_KEY) holds for the tests to aim at from B (OTHER_KEY). */
async function populate(e: RunningEmulator, prefix: string) {
  const ws = ok(await call(e, "POST", "/admin/workspaces", { name: `${prefix}-team`, description: "a's" }));
  const orgKey = ok(await call(e, "POST", "/api-keys/organisation/service", { name: `${prefix}-admin`, scopes: ["workspaces.list", "workspaces.read"] }));
  const wsKey = ok(await call(e, "POST", "/api-keys/workspace/service", { name: `${prefix}-svc`, workspace_id: ws.id, scopes: ["completions.write", "workspaces.read"] }));
  const slug = `${prefix}-openai`;
  ok(await call(e, "POST", "/integrations", { name: "OpenAI", slug, ai_provider_id: "openai", key: "sk-test-fake-key-12345" }));
  ok(await call(e, "PUT", `/integrations/${slug}/workspaces`, { workspaces: [{ id: ws.id, enabled: true }] }));
  return { ws, orgKey, wsKey, slug };
}

test("lists show only the caller's organisation", async () => {
  const a = await populate(emulator(), "lists");
  const workspaces = ok(await call(emulator(), "GET", "/admin/workspaces", undefined, OTHER_KEY));
  expect(workspaces.data.map((w: { id: string }) => w.id)).not.toContain(a.ws.id);
  const keys = ok(await call(emulator(), "GET", "/api-keys", undefined, OTHER_KEY));
  expect(keys.data.map((k: { id: string }) => k.id)).not.toEqual(expect.arrayContaining([a.orgKey.id]));
  expect(keys.data.map((k: { id: string }) => k.id)).not.toContain(a.wsKey.id);
  const integrations = ok(await call(emulator(), "GET", "/integrations", undefined, OTHER_KEY));
  expect(integrations.data.map((i: { slug: string }) => i.slug)).not.toContain(a.slug);

  // The owner still lists them all.
  expect(ok(await call(emulator(), "GET", "/admin/workspaces")).data.map((w: { id: string }) => w.id)).toContain(a.ws.id);
  expect(ok(await call(emulator(), "GET", "/api-keys")).data.map((k: { id: string }) => k.id)).toEqual(expect.arrayContaining([a.orgKey.id, a.wsKey.id]));
  expect(ok(await call(emulator(), "GET", "/integrations")).data.map((i: { slug: string }) => i.slug)).toContain(a.slug);

  // Filtering by another organisation's workspace finds no such workspace.
  notFound(await call(emulator(), "GET", `/api-keys?workspace_id=${a.ws.id}`, undefined, OTHER_KEY));
});

test("GET by id or slug from another organisation is 404 AB08, as for an unknown id", async () => {
  const a = await populate(emulator(), "reads");
  notFound(await call(emulator(), "GET", `/admin/workspaces/${a.ws.id}`, undefined, OTHER_KEY));
  notFound(await call(emulator(), "GET", `/admin/workspaces/${a.ws.slug}`, undefined, OTHER_KEY));
  notFound(await call(emulator(), "GET", `/api-keys/${a.orgKey.id}`, undefined, OTHER_KEY));
  notFound(await call(emulator(), "GET", `/api-keys/${a.wsKey.id}`, undefined, OTHER_KEY));
  notFound(await call(emulator(), "GET", `/integrations/${a.slug}`, undefined, OTHER_KEY));
  notFound(await call(emulator(), "GET", `/integrations/${a.slug}/workspaces`, undefined, OTHER_KEY));
  // The same answer as for ids nobody has.
  notFound(await call(emulator(), "GET", "/admin/workspaces/00000000-0000-4000-8000-000000000000", undefined, OTHER_KEY));
  notFound(await call(emulator(), "GET", "/api-keys/00000000-0000-4000-8000-000000000000", undefined, OTHER_KEY));
});

test("updates and deletes from another organisation are 404 AB08 and change nothing", async () => {
  const a = await populate(emulator(), "writes");
  notFound(await call(emulator(), "PUT", `/admin/workspaces/${a.ws.id}`, { description: "b's" }, OTHER_KEY));
  notFound(await call(emulator(), "PUT", `/api-keys/${a.wsKey.id}`, { name: "renamed" }, OTHER_KEY));
  notFound(await call(emulator(), "POST", `/api-keys/${a.wsKey.id}/rotate`, {}, OTHER_KEY));
  notFound(await call(emulator(), "PUT", `/integrations/${a.slug}`, { name: "renamed" }, OTHER_KEY));
  notFound(await call(emulator(), "PUT", `/integrations/${a.slug}/workspaces`, { workspaces: [{ id: a.ws.id, enabled: false }] }, OTHER_KEY));
  notFound(await call(emulator(), "DELETE", `/admin/workspaces/${a.ws.id}`, { name: "writes-team", force_delete: true }, OTHER_KEY));
  notFound(await call(emulator(), "DELETE", `/api-keys/${a.orgKey.id}`, undefined, OTHER_KEY));
  notFound(await call(emulator(), "DELETE", `/integrations/${a.slug}`, undefined, OTHER_KEY));

  expect(ok(await call(emulator(), "GET", `/admin/workspaces/${a.ws.id}`)).description).toBe("a's");
  expect(ok(await call(emulator(), "GET", `/api-keys/${a.wsKey.id}`)).name).toBe("writes-svc");
  expect(ok(await call(emulator(), "GET", `/api-keys/${a.orgKey.id}`)).status).toBe("active");
  expect(ok(await call(emulator(), "GET", `/integrations/${a.slug}`)).name).toBe("OpenAI");
  const rows = ok(await call(emulator(), "GET", `/integrations/${a.slug}/workspaces`)).workspaces;
  expect(rows).toEqual([expect.objectContaining({ id: a.ws.slug, enabled: true })]);
  // The old secret of the key still works: the rotation did not happen.
  expect((await call(emulator(), "GET", `/admin/workspaces/${a.ws.id}`, undefined, a.wsKey.key)).status).toBe(200);
});

test("another organisation's workspace cannot be named in a body either", async () => {
  const a = await populate(emulator(), "refs");
  notFound(await call(emulator(), "POST", "/api-keys/workspace/service", { name: "x", workspace_id: a.ws.id, scopes: ["completions.write"] }, OTHER_KEY));
  notFound(await call(emulator(), "POST", "/integrations", { name: "x", ai_provider_id: "openai", workspace_id: a.ws.id }, OTHER_KEY));
  ok(await call(emulator(), "POST", "/integrations", { name: "B's", slug: "refs-b-openai", ai_provider_id: "openai", key: "sk-test-fake-key-12345" }, OTHER_KEY));
  const access = await call(emulator(), "PUT", "/integrations/refs-b-openai/workspaces", { workspaces: [{ id: a.ws.id, enabled: true }] }, OTHER_KEY);
  expect(access.status).toBe(400);
  expect(errorCode(access)).toBe("AB01");
});

test("each organisation has its own id on its objects, and its own integration slugs", async () => {
  const aOrg = emulator().state(ADMIN_KEY).organisation_id;
  const bOrg = emulator().state(OTHER_KEY).organisation_id;
  expect(aOrg).not.toBe(bOrg);
  expect(emulator().state().organisation_id).toBe(aOrg);

  const aKey = ok(await call(emulator(), "POST", "/api-keys/organisation/service", { name: "ids", scopes: ["workspaces.list"] }));
  const bKey = ok(await call(emulator(), "POST", "/api-keys/organisation/service", { name: "ids", scopes: ["workspaces.list"] }, OTHER_KEY));
  expect(ok(await call(emulator(), "GET", `/api-keys/${aKey.id}`)).organisation_id).toBe(aOrg);
  expect(ok(await call(emulator(), "GET", `/api-keys/${bKey.id}`, undefined, OTHER_KEY)).organisation_id).toBe(bOrg);
  expect(emulator().state(OTHER_KEY).api_keys[bKey.id]).toBeDefined();
  expect(emulator().state(ADMIN_KEY).api_keys[bKey.id]).toBeUndefined();

  // The same slug in both organisations: neither sees the other's, neither conflicts.
  ok(await call(emulator(), "POST", "/integrations", { name: "A", slug: "same-slug", ai_provider_id: "openai", key: "sk-test-fake-key-aaaaa" }));
  ok(await call(emulator(), "POST", "/integrations", { name: "B", slug: "same-slug", ai_provider_id: "anthropic", key: "sk-test-fake-key-bbbbb" }, OTHER_KEY));
  expect(ok(await call(emulator(), "GET", "/integrations/same-slug"))).toMatchObject({ name: "A", organisation_id: aOrg });
  expect(ok(await call(emulator(), "GET", "/integrations/same-slug", undefined, OTHER_KEY))).toMatchObject({ name: "B", organisation_id: bOrg });

  // organisation_id in a create body is taken from auth: another organisation's is not found.
  notFound(await call(emulator(), "POST", "/api-keys/organisation/service", { name: "x", organisation_id: aOrg, scopes: ["workspaces.list"] }, OTHER_KEY));
  ok(await call(emulator(), "POST", "/api-keys/organisation/service", { name: "x", organisation_id: bOrg, scopes: ["workspaces.list"] }, OTHER_KEY));
});

test("keys made through the API act in the organisation they were made in", async () => {
  const a = await populate(emulator(), "made");
  const bWs = ok(await call(emulator(), "POST", "/admin/workspaces", { name: "made-b-team" }, OTHER_KEY));

  const asAdminKey = ok(await call(emulator(), "GET", "/admin/workspaces", undefined, a.orgKey.key)).data.map((w: { id: string }) => w.id);
  expect(asAdminKey).toContain(a.ws.id);
  expect(asAdminKey).not.toContain(bWs.id);
  notFound(await call(emulator(), "GET", `/admin/workspaces/${bWs.id}`, undefined, a.orgKey.key));
  notFound(await call(emulator(), "GET", `/admin/workspaces/${bWs.id}`, undefined, a.wsKey.key));

  // Scheduled rotation through the control endpoint finds a key of any organisation.
  const bKey = ok(await call(emulator(), "POST", "/api-keys/organisation/service", { name: "made-b", scopes: ["workspaces.list"] }, OTHER_KEY));
  const rotated = await fetch(`${emulator().url}/_emulator/portkey/api-keys/${bKey.id}/scheduled-rotation`, { method: "POST" });
  expect(rotated.status).toBe(200);
  expect(ok(await call(emulator(), "GET", `/api-keys/${bKey.id}`, undefined, OTHER_KEY)).last_rotated_at).not.toBeNull();
  const listed = ok(await call(emulator(), "GET", "/admin/workspaces", undefined, bKey.key)).data;
  expect(listed.filter((w: { defaults: { is_default: number } }) => !w.defaults.is_default).map((w: { id: string }) => w.id)).toEqual([bWs.id]);
});

test("every response conformed to the official document", () => {
  expect(emulator().specViolations()).toEqual([]);
});

describe("configuration", () => {
  test("`organisations` groups keys into one organisation; `adminKeys` each get their own", async () => {
    const e = await startEmulator({ adminKeys: ["solo"], organisations: [{ adminKeys: ["pair-1", "pair-2"] }] });
    try {
      const ws = ok(await call(e, "POST", "/admin/workspaces", { name: "shared" }, "pair-1"));
      expect(ok(await call(e, "GET", `/admin/workspaces/${ws.id}`, undefined, "pair-2")).name).toBe("shared");
      notFound(await call(e, "GET", `/admin/workspaces/${ws.id}`, undefined, "solo"));
      expect(e.state("pair-1")).toBe(e.state("pair-2"));
      expect(e.state("solo")).toBe(e.state());
      expect(() => e.state("nobody")).toThrow(/not an admin key/);
      expect((await call(e, "GET", "/admin/workspaces", undefined, "nobody")).status).toBe(401);
    } finally {
      await e.stop();
    }
  });

  test("a key given twice is refused", async () => {
    await expect(startEmulator({ adminKeys: ["k", "k"] })).rejects.toThrow(/admin key given twice/);
    await expect(startEmulator({ adminKeys: ["k"], organisations: [{ adminKeys: ["k"] }] })).rejects.toThrow(/admin key given twice/);
    await expect(startEmulator({ organisations: [{ adminKeys: [] }] })).rejects.toThrow(/at least one key/);
  });

  test("a state file keeps each organisation with its key; a reset empties them all and keeps their ids", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-orgs-"));
    const stateFile = path.join(dir, "orgs.json");
    try {
      const first = await startEmulator({ adminKeys: ["one"], stateFile });
      const one = ok(await call(first, "POST", "/admin/workspaces", { name: "one's" }, "one"));
      const oneOrg = first.state("one").organisation_id;
      await first.stop();
      // A single-key file has no extra organisations: the format of a one-organisation emulator is unchanged.
      expect(Object.keys(JSON.parse(fs.readFileSync(stateFile, "utf8")))).toEqual(["version", "portkey", "openrouter"]);

      // A second key added later gets a new, empty organisation; the first keeps its own.
      const second = await startEmulator({ adminKeys: ["one", "two"], stateFile });
      expect(second.state("one").organisation_id).toBe(oneOrg);
      const two = ok(await call(second, "POST", "/admin/workspaces", { name: "two's" }, "two"));
      const twoOrg = second.state("two").organisation_id;
      await second.stop();

      const third = await startEmulator({ adminKeys: ["one", "two"], stateFile });
      try {
        // Each organisation lists its default workspace first, then its own.
        const ids = async (key: string) => ok(await call(third, "GET", "/admin/workspaces", undefined, key)).data.map((w: { id: string }) => w.id);
        const defaultOf = (key: string) => Object.values(third.state(key).workspaces).find((w) => w.is_default)!.id;
        expect(await ids("one")).toEqual([defaultOf("one"), one.id]);
        expect(await ids("two")).toEqual([defaultOf("two"), two.id]);
        expect(third.state("two").organisation_id).toBe(twoOrg);
        await fetch(`${third.url}/_emulator/reset`, { method: "POST" });
        expect(await ids("two")).toEqual([defaultOf("two")]);
        expect([third.state("one").organisation_id, third.state("two").organisation_id]).toEqual([oneOrg, twoOrg]);
      } finally {
        await third.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the command line: --admin-key each, --organisation groups comma-separated keys", async () => {
    const cli = path.join(ROOT, "dist", "emulator", "cli.js");
    expect(fs.existsSync(cli)).toBe(true); // npm test builds dist before running jest
    const child = spawn(process.execPath, [cli, "--port", "0", "--admin-key", "cli-a", "--organisation", "cli-b,cli-c"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString()));
        child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
      });
      const base = /listening on (\S+\/v1)/.exec(line)![1];
      const get = (key: string, p: string) => fetch(`${base}${p}`, { headers: { "x-portkey-api-key": key } });
      const created = await fetch(`${base}/admin/workspaces`, {
        method: "POST",
        headers: { "x-portkey-api-key": "cli-b", "content-type": "application/json" },
        body: JSON.stringify({ name: "cli" }),
      });
      const ws = (await created.json()) as { id: string };
      expect((await get("cli-c", `/admin/workspaces/${ws.id}`)).status).toBe(200);
      expect((await get("cli-a", `/admin/workspaces/${ws.id}`)).status).toBe(404);
    } finally {
      child.kill("SIGTERM");
    }
    await new Promise((resolve) => child.once("exit", resolve));
  });
});
