/**
 * The emulator's OpenRouter presets (/presets): written only from inference
 * bodies (create, then a new designated version per write), read with their
 * versions, archived by DELETE (slug kept) and restored; workspace chosen by
 * `workspace_id` in the query or body, else the default workspace
 * (openrouter-api-org.md §5). `@openrouter/sdk` drives every call it has.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { callOpenRouter, useEmulator } from "../../support/emulator";

const MANAGEMENT_KEY = "sk-or-mgmt-unit-presets-0123456789";
const emulator = useEmulator({ managementKeys: [MANAGEMENT_KEY] });
const call = (method: string, path: string, body?: unknown) => callOpenRouter(emulator(), method, path, body, MANAGEMENT_KEY);
const chat = (slug: string, extra: Record<string, unknown> = {}, query = "") =>
  call("POST", `/presets/${slug}/chat/completions${query}`, { model: "openai/gpt-4o", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }], ...extra });

describe("writing presets from inference bodies", () => {
  test("the first write creates the preset with version 1; the request-only fields are dropped", async () => {
    const made = await chat("writer", { temperature: 0.3, stream: true, user: "u1" });
    expect(made.status).toBe(200);
    const defaultWorkspace = Object.values(emulator().openrouterState().workspaces).find((w) => w.is_default)!;
    expect(made.body.data).toEqual({
      id: expect.any(String),
      creator_user_id: expect.stringMatching(/^user_/),
      workspace_id: defaultWorkspace.id,
      name: "writer",
      slug: "writer",
      description: null,
      status: "active",
      designated_version_id: made.body.data.designated_version.id,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      status_updated_at: null,
      designated_version: {
        id: expect.any(String),
        preset_id: made.body.data.id,
        creator_id: expect.stringMatching(/^user_/),
        version: 1,
        system_prompt: "Be brief.",
        config: { model: "openai/gpt-4o", temperature: 0.3 },
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    });
  });

  test("each later write adds a version that becomes the designated one; earlier versions stay readable", async () => {
    const first = await chat("versioned");
    const second = await chat("versioned", { temperature: 0.9, messages: [{ role: "user", content: "no system" }] });
    expect(second.body.data.id).toBe(first.body.data.id);
    expect(second.body.data.designated_version).toMatchObject({ version: 2, system_prompt: null, config: { model: "openai/gpt-4o", temperature: 0.9 } });
    const versions = await call("GET", "/presets/versioned/versions");
    expect(versions.body.total_count).toBe(2);
    expect(versions.body.data.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect((await call("GET", "/presets/versioned/versions/1")).body.data.config).toEqual({ model: "openai/gpt-4o" });
    expect((await call("GET", "/presets/versioned/versions/3")).status).toBe(404);
    expect((await call("GET", "/presets/versioned/versions/zero")).status).toBe(400);
  });

  test("bad slugs and bodies without messages are refused; nothing is made", async () => {
    expect((await chat("Not_Valid")).status).toBe(400);
    expect((await call("POST", "/presets/nomessages/chat/completions", { model: "openai/gpt-4o" })).status).toBe(400);
    expect((await call("GET", "/presets/nomessages")).status).toBe(404);
  });

  test("a slug is per workspace; workspace_id in the query or the body picks it", async () => {
    const other = (await call("POST", "/workspaces", { name: "Preset Space", slug: "preset-space" })).body.data;
    const there = await chat("shared", {}, `?workspace_id=${other.id}`);
    expect(there.body.data.workspace_id).toBe(other.id);
    const here = await chat("shared");
    expect(here.body.data.id).not.toBe(there.body.data.id);
    const viaBody = await chat("shared", { workspace_id: other.id });
    expect(viaBody.body.data).toMatchObject({ id: there.body.data.id, designated_version: { version: 2 } });
    expect((await call("GET", `/presets/shared?workspace_id=${other.id}`)).body.data.id).toBe(there.body.data.id);
    expect((await call("GET", `/presets?workspace_id=${other.id}`)).body.data.map((p: { slug: string }) => p.slug)).toEqual(["shared"]);
    expect((await chat("shared", {}, "?workspace_id=not-a-uuid")).status).toBe(400);
  });
});

describe("archive and restore", () => {
  test("DELETE archives: gone from get and list, slug still taken, repeatable; restore brings it back unchanged", async () => {
    const made = await chat("archivable");
    await chat("archivable", { temperature: 0.5 });
    const archived = await call("DELETE", "/presets/archivable");
    expect(archived).toMatchObject({ status: 200, body: { deleted: true } });
    expect((await call("GET", "/presets/archivable")).status).toBe(404);
    expect((await call("GET", "/presets/archivable/versions")).status).toBe(404);
    expect((await call("GET", "/presets?limit=100")).body.data.map((p: { slug: string }) => p.slug)).not.toContain("archivable");
    expect((await call("DELETE", "/presets/archivable")).status).toBe(200);
    // The slug stays taken: a write to it is refused until it is restored.
    expect((await chat("archivable")).status).toBe(409);

    const restored = await call("POST", "/presets/archivable/restore");
    expect(restored.status).toBe(200);
    expect(restored.body.data).toMatchObject({ id: made.body.data.id, status: "active", designated_version: { version: 2 }, status_updated_at: expect.any(String) });
    expect((await call("GET", "/presets/archivable/versions")).body.total_count).toBe(2);
    const again = await call("POST", "/presets/archivable/restore");
    expect(again.body.data).toEqual(restored.body.data);
    expect((await call("POST", "/presets/nothing-here/restore")).status).toBe(404);
    expect((await call("DELETE", "/presets/nothing-here")).status).toBe(404);
  });

  test("a disabled preset (set by moderation, not the API) refuses archive, restore and new versions with 409", async () => {
    const made = await chat("moderated");
    emulator().openrouterState().presets![made.body.data.id].status = "disabled";
    expect((await call("DELETE", "/presets/moderated")).status).toBe(409);
    expect((await call("POST", "/presets/moderated/restore")).status).toBe(409);
    expect((await chat("moderated")).status).toBe(409);
    expect((await call("GET", "/presets/moderated")).body.data.status).toBe("disabled");
  });
});

test("listing: most recently updated first, paged, with the total", async () => {
  await chat("list-a");
  await new Promise((resolve) => setTimeout(resolve, 5));
  await chat("list-b");
  await new Promise((resolve) => setTimeout(resolve, 5));
  await chat("list-a", { temperature: 1 });
  const page = await call("GET", "/presets?limit=2");
  expect(page.body.data.map((p: { slug: string }) => p.slug)).toEqual(["list-a", "list-b"]);
  expect(page.body.total_count).toBeGreaterThanOrEqual(2);
  expect((await call("GET", "/presets?limit=101")).status).toBe(400);
});

test("the official @openrouter/sdk writes from all three inference APIs and reads presets and versions", async () => {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [path.resolve(__dirname, "../../support/openrouter-presets-conformance.mjs")],
      { env: { ...process.env, OPENROUTER_KEY_UNDER_TEST: MANAGEMENT_KEY, OPENROUTER_URL_UNDER_TEST: emulator().openrouterBaseUrl }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const seen = JSON.parse(output);
  expect(seen).toMatchObject({
    made: { slug: "sdk-preset", version: 1, system: "Be brief.", config: { model: "openai/gpt-4o", temperature: 0.2 } },
    fromMessages: { version: 2, system: "Be kind.", config: { model: "anthropic/claude-3.5-sonnet", max_tokens: 100 } },
    fromResponses: { version: 3, system: "Be exact." },
    got: { status: "active", designated: true, name: "sdk-preset" },
    versions: [[1, 2], [3]],
    first: { model: "openai/gpt-4o", temperature: 0.2 },
    missing: "NotFoundResponseError",
  });
  expect(seen.listed).toContain("sdk-preset");
}, 60_000);
