/**
 * The compiled providers, serialized as the engine serializes them and loaded
 * back in a plain `node` process as the dynamic-provider plugin loads them,
 * work through a whole lifecycle. (Under jest's module system the serializer
 * sees scopes differently, so only a plain process shows what users get.)
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { RunningEmulator, startEmulator } from "../../../emulator";
import { ADMIN_KEY, call } from "../../support/emulator";

const ROOT = path.resolve(__dirname, "..", "..", "..");
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY] });
  await call(emulator, "POST", "/integrations", { name: "Serialized", slug: "serialized", ai_provider_id: "openai", key: "sk-x" });
});
afterAll(async () => emulator.stop());

test("each provider works after serialization, from the compiled package, in a plain node process", async () => {
  expect(fs.existsSync(path.join(ROOT, "dist/provider/portkey/workspace.js"))).toBe(true); // npm test builds first
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "test/support/serialized-lifecycle.js")],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PORTKEY_ADMIN_KEY_UNDER_TEST: ADMIN_KEY,
          PORTKEY_BASE_URL_UNDER_TEST: emulator.portkeyBaseUrl,
          INTEGRATION_UNDER_TEST: "serialized",
          NODE_OPTIONS: "",
        },
        timeout: 120_000,
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const results = JSON.parse(output);
  expect(results).toEqual({
    workspace: { id: expect.any(String), description: "updated", read: "Serialized" },
    apiKey: { created: true, rotated: true, current: true },
    access: { id: expect.stringMatching(/^serialized\//), enabled: true },
    deleted: true,
    failedUpdateStack: true,
  });
}, 180_000);
