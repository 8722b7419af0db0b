/**
 * Portkey's prompt library through the real engine against the emulator:
 * collections, labels, partials and prompts in one dynamic stack, each step
 * exercising every kind at once (create and a clean preview; every updatable
 * field in place, each write carrying only what changed; clearing; edits made
 * in the "UI" shown by refresh and repaired by up; out-of-band deletes; bad
 * input refused at preview; destroy). The native form only where it differs:
 * `pulumi import` by id, then a clean preview.
 */
import * as path from "node:path";
import { portkey } from "../../sdk";
import type { PromptArgs, PromptCollectionArgs, PromptLabelArgs, PromptPartialArgs } from "../../sdk/portkey";
import { portkey as nativePortkey } from "../../sdk/native";
import { ADMIN_KEY, call } from "../support/emulator";
import { changedSteps, useEngineStack } from "./harness";
import { RunningEmulator, startEmulator } from "../../emulator";

jest.setTimeout(10 * 60_000);

const PLUGINS = path.resolve(__dirname, "..", "..", "bin");

let emulator: RunningEmulator;
let ws: { id: string; slug: string };

/** What the program declares (a kind left undefined is not declared). */
interface Desired {
  collection?: PromptCollectionArgs;
  child?: Omit<PromptCollectionArgs, "parentCollectionId">;
  label?: PromptLabelArgs;
  orgLabel?: PromptLabelArgs;
  partial?: PromptPartialArgs;
  /**
   * In the parent collection (the child with `inChild`); `{{>PARTIAL}}` in `string` stands for the partial's slug;
   * `withLabel` puts that label (by its `id`) on the version the prompt manages.
   */
  prompt?: Omit<PromptArgs, "collectionId" | "string"> & { string: string; inChild?: boolean; withLabel?: "label" | "orgLabel" };
}
let desired: Desired = {};
let nativeProgram: () => Promise<Record<string, unknown>> = async () => ({});

beforeAll(async () => {
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
  ws = (await call(emulator, "POST", "/admin/workspaces", { name: "Prompts" })).body;
  // Two providers in the workspace for prompts to run on.
  await call(emulator, "POST", "/integrations", { name: "OpenAI", slug: "prompts-openai", ai_provider_id: "openai", key: "sk-test-prompts-0123456789" });
  await call(emulator, "PUT", "/integrations/prompts-openai/workspaces", { workspaces: [{ id: ws.id, enabled: true }] });
  for (const slug of ["openai-a", "openai-b"]) {
    const made = await call(emulator, "POST", "/providers", { name: slug, integration_id: "prompts-openai", workspace_id: ws.id, slug });
    if (made.status >= 300) throw new Error(`provider ${slug}: ${made.text}`);
  }
});
afterAll(async () => emulator?.stop());

const config = () => ({
  "portkey:apiKey": { value: ADMIN_KEY, secret: true },
  "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
});

const engine = useEngineStack(() => ({
  projectName: "portkey-prompts",
  program: async () => {
    const outputs: Record<string, unknown> = {};
    let collection: portkey.PromptCollection | undefined;
    let child: portkey.PromptCollection | undefined;
    let partial: portkey.PromptPartial | undefined;
    if (desired.collection) {
      collection = new portkey.PromptCollection("collection", desired.collection);
      outputs.collectionSlug = collection.slug;
      if (desired.child) child = new portkey.PromptCollection("child", { ...desired.child, parentCollectionId: collection.id });
    }
    const labels: Partial<Record<"label" | "orgLabel", portkey.PromptLabel>> = {};
    if (desired.label) labels.label = new portkey.PromptLabel("label", desired.label);
    if (desired.orgLabel) labels.orgLabel = new portkey.PromptLabel("org-label", desired.orgLabel);
    if (desired.partial) {
      partial = new portkey.PromptPartial("partial", desired.partial);
      outputs.partialSlug = partial.slug;
    }
    if (desired.prompt && collection && partial) {
      const { inChild, string, withLabel, ...rest } = desired.prompt;
      const made = new portkey.Prompt("prompt", {
        ...rest,
        labelId: withLabel ? labels[withLabel]?.id : rest.labelId,
        collectionId: inChild && child ? child.id : collection.id,
        string: partial.slug.apply((slug) => string.replace("PARTIAL", slug)),
      });
      outputs.promptSlug = made.slug;
    }
    return outputs;
  },
  config: config(),
}));

const nativeEngine = useEngineStack(() => ({
  projectName: "portkey-prompts-native",
  program: () => nativeProgram(),
  env: { PATH: `${PLUGINS}${path.delimiter}${process.env.PATH ?? ""}` },
  config: config(),
}));

/** Steps of resources the program declares (not the providers or the stack). */
function resourceSteps(steps: Parameters<typeof changedSteps>[0]) {
  return changedSteps(steps).filter((s) => !s.type.startsWith("pulumi:"));
}

/** `op kind` of each changed step, sorted (the engine runs independent steps in any order). */
function ops(steps: Parameters<typeof changedSteps>[0]): string[] {
  return resourceSteps(steps)
    .map((s) => `${s.op} ${s.type.slice(s.type.lastIndexOf(":") + 1)}`)
    .sort();
}

/** The collections Pulumi may have made (not the workspaces' default ones). */
function collections() {
  return Object.values(emulator.state().prompt_collections ?? {}).filter((c) => !c.is_default);
}

function labels() {
  return Object.values(emulator.state().prompt_labels ?? {}).filter((l) => !l.is_universal);
}

function prompts() {
  return Object.values(emulator.state().prompts ?? {});
}

function partials() {
  return Object.values(emulator.state().prompt_partials ?? {});
}

/** The label on each version of the (one) prompt, oldest first. */
function labelsOnVersions() {
  return prompts()[0].versions.map((v) => v.label_id);
}

/** Bodies of the requests to routes starting with `method path`, since `since` (an index into the log). */
function bodies(route: string, since = 0): unknown[] {
  return emulator
    .requestLog()
    .slice(since)
    .filter((r) => r.route === route)
    .map((r) => r.body);
}

describe("dynamic", () => {
  test("up creates every kind; a second preview is clean", async () => {
    desired = {
      collection: { workspaceId: ws.slug, name: "Support" },
      child: { workspaceId: ws.id, name: "Support / billing" },
      label: { workspaceId: ws.slug, name: "canary", description: "tried first", colorCode: "#112233" },
      orgLabel: { name: "org-wide" },
      partial: { workspaceId: ws.slug, name: "Tone", string: "Answer briefly.", versionDescription: "first words" },
      prompt: { name: "Triage", string: "{{>PARTIAL}} Sort this ticket: {{ticket}}", virtualKey: "openai-a", model: "gpt-4o-mini", parameters: { temperature: 0.2 }, versionDescription: "first" },
    };
    const result = await engine().up();
    expect(ops(result.steps)).toEqual(["create Prompt", "create PromptCollection", "create PromptCollection", "create PromptLabel", "create PromptLabel", "create PromptPartial"]);
    expect(labels().map((l) => [l.name, l.workspace_id, l.description, l.color_code]).sort()).toEqual([
      ["canary", ws.id, "tried first", "#112233"],
      ["org-wide", null, null, null],
    ]);
    const parent = collections().find((c) => c.name === "Support")!;
    const [partial] = partials();
    expect(partial).toMatchObject({ name: "Tone", workspace_id: ws.id, default_version: 1 });
    expect(partial.versions.map((v) => [v.version, v.string, v.version_description])).toEqual([[1, "Answer briefly.", "first words"]]);
    expect(result.outputs.partialSlug.value).toBe(partial.slug);
    expect(bodies("POST /labels")).toEqual(expect.arrayContaining([{ name: "canary", workspace_id: ws.id, description: "tried first", color_code: "#112233" }, { name: "org-wide" }]));
    expect(bodies("POST /prompts/partials")).toEqual([{ name: "Tone", string: "Answer briefly.", version_description: "first words", workspace_id: ws.id }]);
    const [prompt] = prompts();
    expect(prompt).toMatchObject({ name: "Triage", collection_id: parent.id, default_version: 1 });
    expect(bodies("POST /prompts")).toEqual([
      {
        name: "Triage",
        collection_id: parent.id,
        string: `{{>${partial.slug}}} Sort this ticket: {{ticket}}`,
        virtual_key: "openai-a",
        model: "gpt-4o-mini",
        parameters: { temperature: 0.2 },
        version_description: "first",
      },
    ]);
    expect(result.outputs.promptSlug.value).toBe(prompt.slug);
    expect(parent).toMatchObject({ workspace_id: ws.id, parent_collection_id: null });
    expect(collections().find((c) => c.name === "Support / billing")).toMatchObject({ parent_collection_id: parent.id });
    expect(result.outputs.collectionSlug.value).toBe(parent.slug);
    // The create sent what was declared, the workspace as its UUID.
    expect(bodies("POST /collections")).toEqual(expect.arrayContaining([{ name: "Support", workspace_id: ws.id }]));
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("every updatable field changes in place, each write carrying only what changed", async () => {
    const since = emulator.requestLog().length;
    desired = {
      ...desired,
      collection: { ...desired.collection!, name: "Customer support" },
      label: { ...desired.label!, name: "canary-2", description: "tried second", colorCode: "#445566" },
      orgLabel: { ...desired.orgLabel!, description: "for everyone" },
      partial: { ...desired.partial!, name: "Tone of voice" },
      prompt: { ...desired.prompt!, name: "Ticket triage", virtualKey: "openai-b", withLabel: "label" },
    };
    const preview = await engine().preview();
    expect(ops(preview.steps)).toEqual(["update Prompt", "update PromptCollection", "update PromptLabel", "update PromptLabel", "update PromptPartial"]);
    await engine().up();
    expect(collections().map((c) => c.name).sort()).toEqual(["Customer support", "Support / billing"]);
    expect(bodies("PUT /collections/{collectionId}", since)).toEqual([{ name: "Customer support" }]);
    expect(bodies("PUT /labels/{labelId}", since)).toEqual(
      expect.arrayContaining([{ name: "canary-2", description: "tried second", color_code: "#445566" }, { description: "for everyone" }]),
    );
    // A rename makes no version.
    expect(bodies("PUT /prompts/partials/{promptPartialId}", since)).toEqual([{ name: "Tone of voice" }]);
    expect(partials()[0].versions).toHaveLength(1);
    // A rename and a new provider change the prompt in place: no version.
    expect(bodies("PUT /prompts/{promptId}", since)).toEqual([{ name: "Ticket triage", virtual_key: "openai-b" }]);
    expect(prompts()[0].versions).toHaveLength(1);
    expect(prompts()[0].versions[0].virtual_key).toBe("openai-b");
    // The label goes on the version the prompt manages, written alone.
    const canary = labels().find((l) => l.name === "canary-2")!;
    expect(bodies("PUT /prompts/{promptId}/versions/{versionId}", since)).toEqual([{ label_id: canary.id }]);
    expect(labelsOnVersions()).toEqual([canary.id]);

    // Every versioned field at once: one new version carrying just those, published by number; then a move to the child collection (no version).
    const versionSince = emulator.requestLog().length;
    desired = {
      ...desired,
      prompt: {
        ...desired.prompt!,
        string: "{{>PARTIAL}} Sort and tag this ticket: {{ticket}}",
        model: "gpt-4o",
        parameters: { temperature: 0, max_tokens: 300 },
        functions: [{ name: "lookup", parameters: { type: "object" } }],
        tools: [{ type: "function", function: { name: "tag", parameters: { type: "object" } } }],
        toolChoice: { type: "function", function: { name: "tag" } },
        isRawTemplate: true,
        templateMetadata: { owner: "support" },
        versionDescription: "tags",
      },
    };
    await engine().up();
    const promptSlug = (bodies("POST /prompts")[0] as { string: string }).string.match(/\{\{>([^}]+)\}\}/)![1];
    expect(bodies("PUT /prompts/{promptId}", versionSince)).toEqual([
      {
        string: `{{>${promptSlug}}} Sort and tag this ticket: {{ticket}}`,
        model: "gpt-4o",
        parameters: { temperature: 0, max_tokens: 300 },
        functions: [{ name: "lookup", parameters: { type: "object" } }],
        tools: [{ type: "function", function: { name: "tag", parameters: { type: "object" } } }],
        tool_choice: { type: "function", function: { name: "tag" } },
        is_raw_template: 1,
        prompt_metadata: { owner: "support" },
        version_description: "tags",
        patch: true,
      },
    ]);
    expect(bodies("PUT /prompts/{promptId}/makeDefault", versionSince)).toEqual([{ version: 2 }]);
    expect(prompts()[0]).toMatchObject({ default_version: 2 });
    expect(prompts()[0].versions[1]).toMatchObject({ is_raw_template: 1, functions: [{ name: "lookup", parameters: { type: "object" } }] });
    // The label moved with the new version.
    expect(bodies("PUT /prompts/{promptId}/versions/{versionId}", versionSince)).toEqual([{ label_id: canary.id }]);
    expect(labelsOnVersions()).toEqual([null, canary.id]);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    // A move and another label: the prompt changes in place, the label is written alone; no version.
    const moveSince = emulator.requestLog().length;
    desired = { ...desired, prompt: { ...desired.prompt!, inChild: true, withLabel: "orgLabel" } };
    await engine().up();
    const child = collections().find((c) => c.name === "Support / billing")!;
    const orgLabel = labels().find((l) => l.name === "org-wide")!;
    expect(bodies("PUT /prompts/{promptId}", moveSince)).toEqual([{ collection_id: child.id }]);
    expect(bodies("PUT /prompts/{promptId}/versions/{versionId}", moveSince)).toEqual([{ label_id: orgLabel.id }]);
    expect(prompts()[0]).toMatchObject({ collection_id: child.id, default_version: 2 });
    expect(labelsOnVersions()).toEqual([null, orgLabel.id]);

    // New text: a new version, published by the provider; the note goes with it. A note alone changes nothing.
    const textSince = emulator.requestLog().length;
    desired = { ...desired, partial: { ...desired.partial!, string: "Answer briefly, in plain words.", versionDescription: "plainer" } };
    // (The dynamic-provider host shows the prompt, whose template names the partial's slug, as maybe changing: the slug is unknown until the partial's update ends.)
    expect(ops((await engine().preview()).steps)).toContain("update PromptPartial");
    await engine().up();
    expect(bodies("PUT /prompts/{promptId}", textSince)).toEqual([]);
    expect(bodies("PUT /prompts/partials/{promptPartialId}", textSince)).toEqual([{ string: "Answer briefly, in plain words.", version_description: "plainer" }]);
    expect(bodies("PUT /prompts/partials/{promptPartialId}/makeDefault", textSince)).toEqual([{ version: 2 }]);
    expect(partials()[0]).toMatchObject({ default_version: 2 });
    desired = { ...desired, partial: { ...desired.partial!, versionDescription: "plainer still" } };
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    await engine().up();
    expect(partials()[0].versions).toHaveLength(2);

    // Optional fields cleared.
    const clearSince = emulator.requestLog().length;
    const { functions: _functions, tools: _tools, toolChoice: _choice, isRawTemplate: _raw, templateMetadata: _metadata, withLabel: _label, ...kept } = desired.prompt!;
    desired = { ...desired, label: { workspaceId: ws.slug, name: "canary-2" }, prompt: kept };
    await engine().up();
    // Only clearings, sent as empty values: the template goes with them, so the update surely makes a version.
    expect(bodies("PUT /prompts/{promptId}", clearSince)).toEqual([
      {
        string: expect.stringContaining("Sort and tag"),
        functions: [],
        tools: [],
        tool_choice: {},
        is_raw_template: 0,
        prompt_metadata: {},
        version_description: "tags",
        patch: true,
      },
    ]);
    expect(prompts()[0]).toMatchObject({ default_version: 3 });
    expect(prompts()[0].versions[2]).toMatchObject({ functions: [], tools: [], tool_choice: {}, is_raw_template: 0, template_metadata: {}, model: "gpt-4o" });
    // The label no longer declared comes off the version it was on; the new version gets none.
    expect(bodies("PUT /prompts/{promptId}/versions/{versionId}", clearSince)).toEqual([{ label_id: null }]);
    expect(labelsOnVersions()).toEqual([null, null, null]);
    expect(bodies("PUT /labels/{labelId}", clearSince)).toEqual([{ description: "", color_code: "" }]);
    expect(labels().find((l) => l.name === "canary-2")).toMatchObject({ description: "", color_code: "" });
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("edits made in the UI show on refresh and up repairs them", async () => {
    const parent = collections().find((c) => c.name === "Customer support")!;
    const label = labels().find((l) => l.name === "canary-2")!;
    const partial = partials()[0];
    await call(emulator, "PUT", `/collections/${parent.id}`, { name: "Renamed in the UI" });
    await call(emulator, "PUT", `/labels/${label.id}`, { color_code: "#ff0000" });
    // The partial edited and published in the UI: a version 3 that Pulumi did not make.
    await call(emulator, "PUT", `/prompts/partials/${partial.id}`, { string: "Edited in the UI." });
    await call(emulator, "PUT", `/prompts/partials/${partial.id}/makeDefault`, { version: 3 });
    // The prompt too: edited and published (version 4).
    const prompt = prompts()[0];
    await call(emulator, "PUT", `/prompts/${prompt.id}`, { string: "Edited in the UI.", patch: true });
    await call(emulator, "PUT", `/prompts/${prompt.id}/makeDefault`, { version: 4 });
    await engine().refresh();
    expect((await engine().exportState()).resource("pulumi-nodejs:dynamic/portkey:Prompt", "prompt")!.outputs).toMatchObject({ string: "Edited in the UI.", version: 4, managedVersion: 3 });
    const stored = (await engine().exportState()).resource("pulumi-nodejs:dynamic/portkey:PromptPartial", "partial")!;
    expect(stored.outputs).toMatchObject({ string: "Edited in the UI.", version: 3, managedVersion: 2 });
    const preview = await engine().preview();
    expect(ops(preview.steps)).toEqual(["update Prompt", "update PromptCollection", "update PromptLabel", "update PromptPartial"]);
    const since = emulator.requestLog().length;
    await engine().up();
    expect(collections().find((c) => c.id === parent.id)?.name).toBe("Customer support");
    expect(labels().find((l) => l.id === label.id)?.color_code).toBeFalsy();
    // Pulumi's version 2 still holds what is declared: published again, no new version.
    expect(bodies("PUT /prompts/partials/{promptPartialId}", since)).toEqual([]);
    expect(bodies("PUT /prompts/partials/{promptPartialId}/makeDefault", since)).toEqual([{ version: 2 }]);
    expect(partials()[0]).toMatchObject({ default_version: 2 });
    expect(partials()[0].versions).toHaveLength(3);
    expect(bodies("PUT /prompts/{promptId}", since)).toEqual([]);
    expect(bodies("PUT /prompts/{promptId}/makeDefault", since)).toEqual([{ version: 3 }]);
    expect(prompts()[0]).toMatchObject({ default_version: 3 });
    expect(prompts()[0].versions).toHaveLength(4);
    // A label put on the managed version in the UI shows on refresh; up takes it off, writing only the label.
    await call(emulator, "PUT", `/prompts/${prompt.id}/versions/${prompts()[0].versions[2].id}`, { label_id: label.id });
    await engine().refresh();
    expect(ops((await engine().preview()).steps)).toEqual(["update Prompt"]);
    const labelSince = emulator.requestLog().length;
    await engine().up();
    expect(bodies("PUT /prompts/{promptId}", labelSince)).toEqual([]);
    expect(bodies("PUT /prompts/{promptId}/versions/{versionId}", labelSince)).toEqual([{ label_id: null }]);
    expect(labelsOnVersions()).toEqual([null, null, null, null]);
    // A draft saved in the UI without publishing is not drift.
    await call(emulator, "PUT", `/prompts/${prompt.id}`, { string: "A draft.", patch: true });
    await engine().refresh();
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("a delete Portkey refuses fails naming what still uses the object, with status, code and request id", async () => {
    const parent = collections().find((c) => c.name === "Customer support")!;
    const partial = partials()[0];
    const stray = (await call(emulator, "POST", "/collections", { name: "Made by hand", workspace_id: ws.id, parent_collection_id: parent.id })).body as { slug: string };
    const strayPrompt = (
      await call(emulator, "POST", "/prompts", { name: "By hand", collection_id: stray.slug, string: `{{>${partial.slug}}} hi`, parameters: {}, virtual_key: "openai-a" })
    ).body as { slug: string };
    const kept = desired;
    desired = { label: kept.label, orgLabel: kept.orgLabel };
    let failure = "";
    try {
      await engine().up();
    } catch (error) {
      failure = String(error);
    } finally {
      desired = kept;
    }
    expect(failure).toMatch(new RegExp(`portkey:PromptCollection 'Customer support' \\(${parent.id}\\): Portkey refused to delete prompt collection .*409 AB07: .*collection ${stray.slug}.*\\(request id [^)]+\\)`));
    expect(failure).toMatch(new RegExp(`portkey:PromptPartial 'Tone of voice' \\(${partial.id}\\): Portkey refused to delete prompt partial .*409 AB07: .*${strayPrompt.slug}.*\\(request id [^)]+\\)`));
    await call(emulator, "DELETE", `/prompts/${strayPrompt.slug}`);
    await call(emulator, "DELETE", `/collections/${stray.slug}`);
    // The prompt and the child were deleted before the refusals; the parent and the partial stay managed, and up brings the others back.
    expect(ops((await engine().up()).steps)).toEqual(["create Prompt", "create PromptCollection"]);
  });

  test("an out-of-band delete drops it from state on refresh and up recreates it", async () => {
    const child = collections().find((c) => c.name === "Support / billing")!;
    // The prompt first: Portkey keeps a partial a prompt includes, and a collection that holds a prompt.
    await call(emulator, "DELETE", `/prompts/${prompts()[0].id}`);
    await call(emulator, "DELETE", `/prompts/partials/${partials()[0].id}`);
    await call(emulator, "DELETE", `/collections/${child.id}`);
    await call(emulator, "DELETE", `/labels/${labels().find((l) => l.name === "org-wide")!.id}`);
    const refreshed = await engine().refresh();
    expect(refreshed.changeSummary.delete).toBe(4);
    // Made again raw and labelled: Portkey's create takes neither, so a raw version 2 follows, published and labelled.
    desired = { ...desired, prompt: { ...desired.prompt!, isRawTemplate: true, withLabel: "label" } };
    const result = await engine().up();
    expect(ops(result.steps)).toEqual(["create Prompt", "create PromptCollection", "create PromptLabel", "create PromptPartial"]);
    expect(resourceSteps((await engine().preview()).steps)).toEqual([]);
    expect(prompts()[0].versions[0].string).toContain(`{{>${partials()[0].slug}}}`);
    expect(collections().filter((c) => c.name === "Support / billing")).toHaveLength(1);
    expect(partials().map((p) => p.versions.map((v) => v.string))).toEqual([["Answer briefly, in plain words."]]);
    const canary = labels().find((l) => l.name === "canary-2")!;
    expect(prompts()[0]).toMatchObject({ default_version: 2 });
    expect(prompts()[0].versions.map((v) => [v.version, v.is_raw_template, v.label_id])).toEqual([
      [1, 0, null],
      [2, 1, canary.id],
    ]);
  });

  test("bad input fails at preview with a message naming the property", async () => {
    const valid = desired;
    const cases: [Desired, RegExp][] = [
      [{ collection: { ...valid.collection!, name: "" } }, /name.*must not be empty/],
      [{ collection: { ...valid.collection!, parentCollectionId: "support" } }, /parentCollectionId.*UUID/],
      [{ label: { name: "latest" } }, /name.*must not be `latest`/],
      [{ label: { name: "canary", colorCode: "red" } }, /colorCode.*colour/],
      [{ partial: { ...valid.partial!, string: "" } }, /string.*must not be empty/],
      [{ ...valid, prompt: { ...valid.prompt!, virtualKey: "" } }, /virtualKey.*must not be empty/],
      [{ ...valid, prompt: { ...valid.prompt!, parameters: "hot" as unknown as Record<string, unknown> } }, /parameters/],
      [{ ...valid, prompt: { ...valid.prompt!, withLabel: undefined, labelId: "canary-2" } }, /labelId.*UUID/],
    ];
    try {
      for (const [bad, message] of cases) {
        desired = bad;
        await expect(engine().preview()).rejects.toThrow(message);
      }
    } finally {
      desired = valid;
    }
  });

  test("a prompt a policy counts is not deleted: the error names the policy; once it is gone, destroy deletes everything; no credential is in the state", async () => {
    const state = await engine().exportState();
    expect(state.text).not.toContain(ADMIN_KEY);
    const [prompt] = prompts();
    const policy = (
      await call(emulator, "POST", "/policies/usage-limits", { name: "Per prompt", conditions: [{ key: "prompt", value: prompt.slug }], group_by: [{ key: "api_key" }], type: "cost", credit_limit: 10, workspace_id: ws.id })
    ).body as { id: string };
    await expect(engine().destroy()).rejects.toThrow(
      new RegExp(`portkey:Prompt 'Ticket triage' \\(${prompt.id}\\): Portkey refused to delete prompt .*409 AB07: .*usage limits policy ${policy.id}.*\\(request id [^)]+\\)`),
    );
    expect(prompts()).toHaveLength(1);
    await call(emulator, "DELETE", `/policies/usage-limits/${policy.id}`);
    const destroyed = await engine().destroy();
    expect(ops(destroyed.steps)).toContain("delete Prompt");
    expect(prompts()).toEqual([]);
    expect(collections()).toEqual([]);
    expect(labels()).toEqual([]);
    expect(partials()).toEqual([]);
    expect(prompts()).toEqual([]);
  });
});

describe("native", () => {
  test("pulumi import takes objects made by hand under management; the program declaring them previews clean", async () => {
    const collection = (await call(emulator, "POST", "/collections", { name: "By hand", workspace_id: ws.slug })).body as { id: string };
    const label = (await call(emulator, "POST", "/labels", { name: "by-hand", workspace_id: ws.id, color_code: "#00aa00" })).body as { id: string };
    const partial = (await call(emulator, "POST", "/prompts/partials", { name: "By hand", string: "Hello {{name}}.", workspace_id: ws.slug })).body as { id: string };
    const prompt = (
      await call(emulator, "POST", "/prompts", {
        name: "By hand",
        collection_id: collection.id,
        string: "Hi {{name}}",
        parameters: {},
        virtual_key: "openai-a",
        model: "gpt-4o",
        functions: [{ name: "lookup" }],
      })
    ).body as { id: string };
    // Made raw in the UI (version 2, published), which then carries the label.
    const raw = (await call(emulator, "PUT", `/prompts/${prompt.id}`, { is_raw_template: 1, patch: true })).body as { prompt_version_id: string };
    await call(emulator, "PUT", `/prompts/${prompt.id}/makeDefault`, { version: 2 });
    await call(emulator, "PUT", `/prompts/${prompt.id}/versions/${raw.prompt_version_id}`, { label_id: label.id });
    nativeProgram = async () => ({});
    await nativeEngine().up();
    const imported = await nativeEngine().stack.import({
      resources: [
        { type: "portkey:index:PromptCollection", name: "byHand", id: collection.id },
        { type: "portkey:index:PromptLabel", name: "byHandLabel", id: label.id },
        { type: "portkey:index:PromptPartial", name: "byHandPartial", id: partial.id },
        { type: "portkey:index:Prompt", name: "byHandPrompt", id: prompt.id },
      ],
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 4 });
    const declared = (protect: boolean) => async () => {
      const byHand = new nativePortkey.PromptCollection("byHand", { workspaceId: ws.id, name: "By hand" }, { protect });
      const byHandLabel = new nativePortkey.PromptLabel("byHandLabel", { workspaceId: ws.id, name: "by-hand", colorCode: "#00aa00" }, { protect });
      new nativePortkey.PromptPartial("byHandPartial", { workspaceId: ws.slug, name: "By hand", string: "Hello {{name}}." }, { protect });
      new nativePortkey.Prompt(
        "byHandPrompt",
        { collectionId: byHand.id, name: "By hand", string: "Hi {{name}}", virtualKey: "openai-a", model: "gpt-4o", functions: [{ name: "lookup" }], isRawTemplate: true, labelId: byHandLabel.id },
        { protect },
      );
      return {};
    };
    nativeProgram = declared(true);
    expect(resourceSteps((await nativeEngine().preview()).steps)).toEqual([]);
    nativeProgram = declared(false);
    await nativeEngine().up();
    await nativeEngine().destroy();
    expect(collections()).toEqual([]);
    expect(labels()).toEqual([]);
    expect(partials()).toEqual([]);
    expect(prompts()).toEqual([]);
  });
});

test("every response the emulator gave conformed to the official document", () => {
  expect(emulator.specViolations()).toEqual([]);
});
