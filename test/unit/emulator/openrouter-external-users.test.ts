/**
 * The emulator's OpenRouter external users (/external-users): a registry of
 * the caller's end-user tracking ids; 201 on register, 409 when registered,
 * soft deactivation by DELETE (204, repeatable), reactivation by PATCH, the
 * id's rules, and the list's filters (openrouter-api-org.md §6; PyPI SDK).
 */
import { callOpenRouter, useEmulator } from "../../support/emulator";

const MANAGEMENT_KEY = "sk-or-mgmt-unit-external-0123456789";
const emulator = useEmulator({ managementKeys: [MANAGEMENT_KEY] });
const call = (method: string, path: string, body?: unknown) => callOpenRouter(emulator(), method, path, body, MANAGEMENT_KEY);

test("register answers 201 with the registration; the same id again is 409; ids are case-sensitive", async () => {
  const made = await call("POST", "/external-users", { user: "alice@example.com" });
  expect(made.status).toBe(201);
  expect(made.body.data).toEqual({ user: "alice@example.com", is_active: true, created_at: expect.any(String), updated_at: expect.any(String) });
  expect((await call("POST", "/external-users", { user: "alice@example.com" })).status).toBe(409);
  expect((await call("POST", "/external-users", { user: "Alice@example.com" })).status).toBe(201);
  expect((await call("GET", `/external-users/${encodeURIComponent("alice@example.com")}`)).body.data).toEqual(made.body.data);
});

test("the id: 1-512 characters, no surrounding whitespace, no NUL, well-formed", async () => {
  for (const user of ["", " padded", "tab\t", "nul\u0000x", "x".repeat(513), "\uD800lone", 42]) {
    expect((await call("POST", "/external-users", { user })).status).toBe(400);
  }
  expect((await call("POST", "/external-users", { user: "é".repeat(512) })).status).toBe(201);
});

test("DELETE deactivates (204, no body, repeatable); the registration stays readable and PATCH reactivates it", async () => {
  await call("POST", "/external-users", { user: "bob" });
  const gone = await call("DELETE", "/external-users/bob");
  expect(gone.status).toBe(204);
  expect(gone.text).toBe("");
  expect((await call("DELETE", "/external-users/bob")).status).toBe(204);
  expect((await call("GET", "/external-users/bob")).body.data.is_active).toBe(false);
  expect((await call("POST", "/external-users", { user: "bob" })).status).toBe(409);
  const back = await call("PATCH", "/external-users/bob", { is_active: true });
  expect(back.body.data).toMatchObject({ user: "bob", is_active: true });
  expect((await call("PATCH", "/external-users/bob", {})).status).toBe(400);
  expect((await call("PATCH", "/external-users/bob", { is_active: true, user: "robert" })).status).toBe(400);
  expect((await call("DELETE", "/external-users/nobody")).status).toBe(404);
  expect((await call("PATCH", "/external-users/nobody", { is_active: true })).status).toBe(404);
});

test("list: inactive ones left out unless asked for, exact user filter, paged", async () => {
  await call("POST", "/external-users", { user: "carol" });
  await call("DELETE", "/external-users/carol");
  const active = await call("GET", "/external-users?limit=100");
  expect(active.body.data.map((u: { user: string }) => u.user)).not.toContain("carol");
  const all = await call("GET", "/external-users?include_inactive=true&limit=100");
  expect(all.body.data.map((u: { user: string }) => u.user)).toContain("carol");
  expect(all.body.total_count).toBe(active.body.total_count + 1);
  expect((await call("GET", "/external-users?user=carol&include_inactive=true")).body).toEqual({ data: [expect.objectContaining({ user: "carol", is_active: false })], total_count: 1 });
  expect((await call("GET", "/external-users?user=CAROL&include_inactive=true")).body.total_count).toBe(0);
  expect((await call("GET", "/external-users?limit=1")).body.data).toHaveLength(1);
  expect((await call("GET", "/external-users?include_inactive=maybe")).status).toBe(400);
});
