/**
 * `pulumi destroy` of the README's first program (a Workspace, a service
 * ApiKey, an IntegrationWorkspaceAccess with Portkey's defaults), as written,
 * through the real engine against the emulator. The grant makes Portkey add a
 * default provider to the workspace; the grant's delete removes it, so the
 * workspace can be deleted and nothing is left. A default provider someone
 * made theirs since (a note), or that a config uses, is never deleted: the
 * grant warns, and the workspace's delete fails saying what is left and how
 * to clean up.
 *
 * An example program, not one resource's lifecycle, so not a resourceSuite: the
 * same tests run in both forms (dynamic resources, native plugins) from this file.
 */
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_KEY, call } from "../support/emulator";
import { emulatorConfig, EngineStack, Form, formEnv, formSdk, FORMS, typeToken } from "./harness";

jest.setTimeout(10 * 60_000);

const INTEGRATION = "openai-shared";

describe.each(FORMS)("%s", (form: Form) => {
  const ACCESS = typeToken(form, "portkey", "IntegrationWorkspaceAccess");
  const { portkey } = formSdk(form);
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
    await call(emulator, "POST", "/integrations", { name: "Shared OpenAI", slug: INTEGRATION, ai_provider_id: "openai", key: "sk-test-fake-key-12345" });
  });
  afterAll(async () => emulator?.stop());

  /** The README's "A first program", word for word (the import aside). */
  function readmeProgram() {
    const dev = new portkey.Workspace("dev", {
      name: "platform-dev",
      metadata: { team: "platform" },
      usageLimits: [{ creditLimit: 100, alertThreshold: 80, periodicReset: "monthly" }],
      rateLimits: [{ type: "requests", unit: "rpm", value: 600 }],
    });

    const checkout = new portkey.ApiKey("checkout", {
      type: "workspace",
      subType: "service",
      workspaceId: dev.id,
      name: "checkout",
      scopes: ["completions.write"],
    });

    new portkey.IntegrationWorkspaceAccess("dev-openai", { integrationSlug: INTEGRATION, workspaceId: dev.id });

    return { checkoutKey: checkout.key };
  }

  async function readmeStack(projectName: string): Promise<EngineStack> {
    return EngineStack.create({
      projectName,
      env: formEnv(form),
      program: async () => readmeProgram(),
      config: emulatorConfig(emulator),
    });
  }

  /** The workspaces the program made: the organisation's default workspace is always there and never the program's. */
  const liveWorkspaces = () => Object.values(emulator.state().workspaces).filter((w) => !w.deleted_at && !w.is_default);
  const providersOf = (workspaceId: string) => Object.values(emulator.state().providers).filter((p) => p.workspace_id === workspaceId);
  const liveKeysOf = (workspaceId: string) => Object.values(emulator.state().api_keys).filter((k) => k.workspace_id === workspaceId && !k.deleted_at);

  /** Up, then the one workspace and the default provider the grant made in it. */
  async function upWithDefaultProvider(stack: EngineStack): Promise<{ workspaceId: string; slug: string }> {
    await stack.up();
    const [workspace] = liveWorkspaces();
    const [made] = providersOf(workspace.id);
    expect(providersOf(workspace.id)).toHaveLength(1);
    expect(made.integration_slug).toBe(INTEGRATION);
    const [grant] = (await stack.exportState()).resources(ACCESS);
    expect(grant.outputs).toMatchObject({ createdProviderId: made.id, createdProviderSlug: made.slug });
    return { workspaceId: workspace.id, slug: made.slug };
  }

  test("destroy of the README's first program removes the default provider the grant made, and leaves nothing", async () => {
    const stack = await readmeStack("readme-destroy");
    try {
      const { workspaceId } = await upWithDefaultProvider(stack);
      await stack.destroy();
      expect(liveWorkspaces()).toEqual([]);
      expect(providersOf(workspaceId)).toEqual([]);
      expect(liveKeysOf(workspaceId)).toEqual([]);
      expect(emulator.specViolations()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });

  test("a default provider someone made theirs since is left: destroy fails naming it and how to clean up", async () => {
    const stack = await readmeStack("readme-destroy-noted");
    try {
      const { workspaceId, slug } = await upWithDefaultProvider(stack);
      await call(emulator, "PUT", `/providers/${slug}?workspace_id=${workspaceId}`, { note: "ours now" });
      const error = await stack.destroy().then(() => undefined, (e: Error) => e);
      expect(error?.message).toMatch(new RegExp(`left the default provider '${slug}'.*given a note, limits or an expiry`));
      expect(error?.message).toMatch(new RegExp(`refused to delete workspace 'platform-dev'.*1 provider\\(s\\): ${slug} \\(integration ${INTEGRATION}\\).*Delete them first.*forceDelete: true`, "s"));
      expect(providersOf(workspaceId).map((p) => p.note)).toEqual(["ours now"]);
      // The clean-up the message gives, then destroy finishes.
      await call(emulator, "DELETE", `/providers/${slug}?workspace_id=${workspaceId}`);
      await stack.destroy();
      expect(liveWorkspaces()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });

  test("a default provider a config uses is left: destroy fails naming it", async () => {
    const stack = await readmeStack("readme-destroy-used");
    try {
      const { workspaceId, slug } = await upWithDefaultProvider(stack);
      const config = await call(emulator, "POST", "/configs", { name: "uses it", workspace_id: workspaceId, config: { targets: [{ provider: `@${slug}` }] } });
      expect(config.status).toBe(200);
      const error = await stack.destroy().then(() => undefined, (e: Error) => e);
      expect(error?.message).toMatch(new RegExp(`left the default provider '${slug}'.*config\\(s\\) \\S+ use it`));
      expect(error?.message).toMatch(new RegExp(`refused to delete workspace 'platform-dev'.*${slug} \\(integration ${INTEGRATION}\\)`, "s"));
      expect(providersOf(workspaceId)).toHaveLength(1);
      await call(emulator, "DELETE", `/providers/${slug}?workspace_id=${workspaceId}`);
      await stack.destroy();
      expect(liveWorkspaces()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });
});
