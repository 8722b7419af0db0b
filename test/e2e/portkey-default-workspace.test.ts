/**
 * The organisation's default workspace through the real engine: every Portkey
 * organisation has one (`defaults.is_default: 1`). Adopted into a stack it is
 * managed like any workspace, but neither destroy nor removing it from the
 * program ever sends a DELETE for it; the error says how to stop managing it.
 * (That the importer leaves it out is in import-org.test.ts.)
 */
import { portkey, resourceType, stackEnv } from "./flavour";
import type { WorkspaceArgs } from "../../sdk/portkey";
import { ADMIN_KEY } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";

jest.setTimeout(10 * 60_000);

const WORKSPACE = resourceType("portkey", "Workspace");
let emulator: RunningEmulator;
let desired: WorkspaceArgs | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
});
afterAll(async () => emulator?.stop());

const engine = useEngineStack(() => ({
  projectName: "portkey-default-workspace",
  env: stackEnv,
  program: async () => {
    if (!desired) return {};
    const ws = new portkey.Workspace("home", desired);
    return { workspaceId: ws.workspaceId, isDefault: ws.isDefault };
  },
  config: {
    "portkey:apiKey": { value: ADMIN_KEY, secret: true },
    "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
  },
}));

const home = () => Object.values(emulator.state().workspaces).find((w) => w.is_default)!;
const deletes = () => emulator.requestLog().filter((r) => r.route === "DELETE /admin/workspaces/{workspaceId}");

test("the default workspace is adopted and updated like any other, and reads as isDefault", async () => {
  desired = { name: home().name, description: "Managed by Pulumi", adoptExisting: true };
  const result = await engine().up();
  expect(changedSteps(result.steps, WORKSPACE).map((s) => s.op)).toEqual(["create"]);
  expect(result.outputs.workspaceId.value).toBe(home().id);
  expect(result.outputs.isDefault.value).toBe(true);
  expect(home().description).toBe("Managed by Pulumi");
  expect(emulator.requestLog().filter((r) => r.route === "POST /admin/workspaces")).toEqual([]);
});

test("destroy never deletes it: no DELETE is sent and the error says to use `pulumi state delete`", async () => {
  await expect(engine().destroy()).rejects.toThrow(/is the organisation's default workspace, which Pulumi never deletes.*pulumi state delete/s);
  desired = undefined;
  await expect(engine().up()).rejects.toThrow(/default workspace, which Pulumi never deletes/);
  expect(deletes()).toEqual([]);
  expect(home().deleted_at).toBeNull();
});
