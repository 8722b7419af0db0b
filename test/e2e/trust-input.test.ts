/**
 * Issue 11, case 8: an unknown top-level input (e.g. `usage_limits` typed in
 * a JavaScript program) is rejected at preview with the key itself as the
 * property, so the engine shows "property usage_limits ...".
 * (The fuzz of `check` is test/unit/provider/trust-check.test.ts.)
 */
import { openrouter, portkey } from "../../sdk";
import type { WorkspaceArgs } from "../../sdk/portkey";
import type { ApiKeyArgs } from "../../sdk/openrouter";
import { errorLines, openrouterConfig, portkeyConfig, useTrustEmulator, withStack } from "./trust-support";

jest.setTimeout(10 * 60_000);

const emulator = useTrustEmulator();

async function previewErrors(preview: () => Promise<unknown>): Promise<string[]> {
  try {
    await preview();
    return ["(preview succeeded)"];
  } catch (error) {
    return errorLines(error instanceof Error ? error.message : String(error));
  }
}

test("8: an unknown top-level input key is rejected at preview naming the key as the property", async () => {
  let which: "portkey" | "openrouter" = "portkey";
  const program = async () => {
    if (which === "portkey") {
      // As a JavaScript program would pass it: snake_case, no type checking.
      new portkey.Workspace("team", { name: "Unknown 8", usage_limits: [{ credit_limit: 10 }] } as unknown as WorkspaceArgs);
    } else {
      new openrouter.ApiKey("key", { name: "unknown-8", limit_reset: "monthly" } as unknown as ApiKeyArgs);
    }
  };
  const config = { ...portkeyConfig(emulator()), ...openrouterConfig(emulator()) };
  await withStack(emulator(), { projectName: "trust-8", program, config }, async (stack) => {
    const portkeyErrors = await previewErrors(() => stack.preview());
    expect(portkeyErrors).toEqual([expect.stringMatching(/property usage_limits\b/)]);
    which = "openrouter";
    const openrouterErrors = await previewErrors(() => stack.preview());
    expect(openrouterErrors).toEqual([expect.stringMatching(/property limit_reset\b/)]);
  });
});
