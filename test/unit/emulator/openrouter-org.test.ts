/**
 * The emulator's OpenRouter organisation settings (/organization/settings):
 * one settings object per organisation, read and written, never created or
 * deleted; the answer shape is the PyPI `openrouter` SDK's
 * `OrganizationSettings` (openrouter-api-org.md §1).
 */
import { callOpenRouter, useEmulator } from "../../support/emulator";

const MANAGEMENT_KEY = "sk-or-mgmt-unit-org-0123456789";
const emulator = useEmulator({ managementKeys: [MANAGEMENT_KEY] });
const call = (method: string, path: string, body?: unknown) => callOpenRouter(emulator(), method, path, body, MANAGEMENT_KEY);

describe("organisation settings", () => {
  test("exist from the start: the organisation id and the filtered catalogue off", async () => {
    const read = await call("GET", "/organization/settings");
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ data: { id: "org_emulated", is_filtered_model_catalog_enabled: false } });
    expect(read.headers.get("x-request-id")).toBeTruthy();
  });

  test("PATCH writes the flag, answers the settings, and the next read shows it", async () => {
    const written = await call("PATCH", "/organization/settings", { is_filtered_model_catalog_enabled: true });
    expect(written).toMatchObject({ status: 200, body: { data: { id: "org_emulated", is_filtered_model_catalog_enabled: true } } });
    expect((await call("GET", "/organization/settings")).body.data.is_filtered_model_catalog_enabled).toBe(true);
    await call("PATCH", "/organization/settings", { is_filtered_model_catalog_enabled: false });
    expect((await call("GET", "/organization/settings")).body.data.is_filtered_model_catalog_enabled).toBe(false);
  });

  test("the flag is required and boolean; unknown settings are refused; nothing changes on a refusal", async () => {
    await call("PATCH", "/organization/settings", { is_filtered_model_catalog_enabled: true });
    for (const body of [{}, { is_filtered_model_catalog_enabled: "yes" }, { is_filtered_model_catalog_enabled: null }, { is_filtered_model_catalog_enabled: false, theme: "dark" }]) {
      const refused = await call("PATCH", "/organization/settings", body);
      expect(refused).toMatchObject({ status: 400, body: { error: { code: 400, message: expect.any(String) } } });
    }
    expect((await call("GET", "/organization/settings")).body.data.is_filtered_model_catalog_enabled).toBe(true);
  });

  test("a singleton: no route creates, replaces or deletes it, and only management keys reach it", async () => {
    for (const method of ["POST", "PUT", "DELETE"]) expect((await call(method, "/organization/settings", {})).status).toBe(405);
    expect((await callOpenRouter(emulator(), "GET", "/organization/settings", undefined, null)).status).toBe(401);
  });

  test("kept in the emulator's state, so a persisted account keeps its settings", async () => {
    await call("PATCH", "/organization/settings", { is_filtered_model_catalog_enabled: true });
    expect(emulator().openrouterState().organization_settings).toEqual({ is_filtered_model_catalog_enabled: true });
  });
});
