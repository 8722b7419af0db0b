/**
 * Portkey's prompt library through the real engine against the emulator, in
 * both forms (see resourceSuite in ./harness.ts). Prompts, collections (a
 * parent and a child), labels (a workspace's and the organisation's) and
 * partials are tested as one unit: a prompt lives in a collection, includes a
 * partial by slug in its template and carries a label on the version it
 * manages, and Portkey refuses to delete a collection or partial a prompt still
 * uses; each step exercises every kind at once, which keeps the engine runs of
 * four kinds to those of one.
 *
 * Dynamic: create (every kind, the workspace as its UUID), a clean second
 * preview, no credential in plaintext, destroy; every updatable field
 * in place, each write carrying only what changed, new versions published by
 * number, clearing; edits made in the "UI" shown by refresh and repaired by up
 * (labels on versions, unpublished drafts); deletes Portkey refuses;
 * out-of-band deletes; bad input refused at preview. Native (only where it
 * differs, to keep CI time flat): `pulumi import` by id, a clean preview, then
 * up and destroy of what was imported.
 */
import type { PromptArgs, PromptCollectionArgs, PromptLabelArgs, PromptPartialArgs } from "../../sdk/portkey";
import type { RunningEmulator } from "../../emulator";
import { ADMIN_KEY, call } from "../support/emulator";
import { resourceSteps, resourceSuite, StepReport, SuiteContext, typeToken } from "./harness";

jest.setTimeout(10 * 60_000);

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
interface Fixtures {
  ws: { id: string; slug: string };
}
type Ctx = SuiteContext<Desired, Fixtures>;

/** `op kind` of each changed step, sorted (the engine runs independent steps in any order). */
function kinds(report: { steps: StepReport[] }): string[] {
  return resourceSteps(report.steps)
    .map((s) => `${s.op} ${s.type.slice(s.type.lastIndexOf(":") + 1)}`)
    .sort();
}

/** The collections Pulumi may have made (not the workspaces' default ones). */
function collections(emulator: RunningEmulator) {
  return Object.values(emulator.state().prompt_collections ?? {}).filter((c) => !c.is_default);
}

function labels(emulator: RunningEmulator) {
  return Object.values(emulator.state().prompt_labels ?? {}).filter((l) => !l.is_universal);
}

function prompts(emulator: RunningEmulator) {
  return Object.values(emulator.state().prompts ?? {});
}

function partials(emulator: RunningEmulator) {
  return Object.values(emulator.state().prompt_partials ?? {});
}

/** The label on each version of the (one) prompt, oldest first. */
function labelsOnVersions(emulator: RunningEmulator) {
  return prompts(emulator)[0].versions.map((v) => v.label_id);
}

/** Bodies of the requests to a route since the test's window began (see SuiteContext.requests). */
function bodies(ctx: Ctx, route: string): unknown[] {
  return ctx.requests(route).map((r) => r.body);
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** What the drift step's edit found and made: the versions Pulumi manages and the ones published in the "UI". */
let drifted = { collection: "", label: "", partialManaged: 0, partialPublished: 0, promptManaged: 0, promptPublished: 0 };

resourceSuite<Desired, Fixtures>({
  vendor: "portkey",
  resource: "Prompt",
  together: ["PromptCollection", "PromptCollection", "PromptLabel", "PromptLabel", "PromptPartial"],
  name: "prompt",
  setup: async (emulator) => {
    const ws = (await call(emulator, "POST", "/admin/workspaces", { name: "Prompts" })).body;
    // Two providers in the workspace for prompts to run on.
    await call(emulator, "POST", "/integrations", { name: "OpenAI", slug: "prompts-openai", ai_provider_id: "openai", key: "sk-test-prompts-0123456789" });
    await call(emulator, "PUT", "/integrations/prompts-openai/workspaces", { workspaces: [{ id: ws.id, enabled: true }] });
    for (const slug of ["openai-a", "openai-b"]) {
      const made = await call(emulator, "POST", "/providers", { name: slug, integration_id: "prompts-openai", workspace_id: ws.id, slug });
      if (made.status >= 300) throw new Error(`provider ${slug}: ${made.text}`);
    }
    return { ws };
  },
  base: ({ ws }) => ({
    collection: { workspaceId: ws.slug, name: "Support" },
    child: { workspaceId: ws.id, name: "Support / billing" },
    label: { workspaceId: ws.slug, name: "canary", description: "tried first", colorCode: "#112233" },
    orgLabel: { name: "org-wide" },
    partial: { workspaceId: ws.slug, name: "Tone", string: "Answer briefly.", versionDescription: "first words" },
    prompt: { name: "Triage", string: "{{>PARTIAL}} Sort this ticket: {{ticket}}", virtualKey: "openai-a", model: "gpt-4o-mini", parameters: { temperature: 0.2 }, versionDescription: "first" },
  }),
  declare: (sdk, name, desired) => {
    const portkey = sdk.portkey;
    const outputs: Record<string, unknown> = {};
    let collection: InstanceType<typeof portkey.PromptCollection> | undefined;
    let child: InstanceType<typeof portkey.PromptCollection> | undefined;
    let partial: InstanceType<typeof portkey.PromptPartial> | undefined;
    if (desired.collection) {
      collection = new portkey.PromptCollection("collection", desired.collection);
      outputs.collectionSlug = collection.slug;
      if (desired.child) child = new portkey.PromptCollection("child", { ...desired.child, parentCollectionId: collection.id });
    }
    const labelsMade: Partial<Record<"label" | "orgLabel", InstanceType<typeof portkey.PromptLabel>>> = {};
    if (desired.label) labelsMade.label = new portkey.PromptLabel("label", desired.label);
    if (desired.orgLabel) labelsMade.orgLabel = new portkey.PromptLabel("org-label", desired.orgLabel);
    if (desired.partial) {
      partial = new portkey.PromptPartial("partial", desired.partial);
      outputs.partialSlug = partial.slug;
    }
    if (desired.prompt && collection && partial) {
      const { inChild, string, withLabel, ...rest } = desired.prompt;
      const made = new portkey.Prompt(name, {
        ...rest,
        labelId: withLabel ? labelsMade[withLabel]?.id : rest.labelId,
        collectionId: inChild && child ? child.id : collection.id,
        string: partial.slug.apply((slug) => string.replace("PARTIAL", slug)),
      });
      outputs.promptSlug = made.slug;
    }
    return outputs;
  },
  // The dynamic form's destroy is the last test's (a refused delete first): a shared one before it would cost an up.
  // The native form only imports (then updates and destroys what it imported): its create and destroy cost CI time
  // this file, with four kinds, cannot spare (see the header).
  steps: { dynamic: ["create", "secrets", "drift", "deleted", "badInput"], native: [] },

  // Every kind as declared; each create sent what was declared, the workspace as its UUID.
  created: (ctx, result) => {
    const { emulator } = ctx;
    const { ws } = ctx.fixtures;
    expect(labels(emulator).map((l) => [l.name, l.workspace_id, l.description, l.color_code]).sort()).toEqual([
      ["canary", ws.id, "tried first", "#112233"],
      ["org-wide", null, null, null],
    ]);
    const parent = collections(emulator).find((c) => c.name === "Support")!;
    const [partial] = partials(emulator);
    expect(partial).toMatchObject({ name: "Tone", workspace_id: ws.id, default_version: 1 });
    expect(partial.versions.map((v) => [v.version, v.string, v.version_description])).toEqual([[1, "Answer briefly.", "first words"]]);
    expect(result.outputs.partialSlug.value).toBe(partial.slug);
    expect(bodies(ctx, "POST /labels")).toEqual(expect.arrayContaining([{ name: "canary", workspace_id: ws.id, description: "tried first", color_code: "#112233" }, { name: "org-wide" }]));
    expect(bodies(ctx, "POST /prompts/partials")).toEqual([{ name: "Tone", string: "Answer briefly.", version_description: "first words", workspace_id: ws.id }]);
    const [prompt] = prompts(emulator);
    expect(prompt).toMatchObject({ name: "Triage", collection_id: parent.id, default_version: 1 });
    expect(bodies(ctx, "POST /prompts")).toEqual([
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
    expect(collections(emulator).find((c) => c.name === "Support / billing")).toMatchObject({ parent_collection_id: parent.id });
    expect(result.outputs.collectionSlug.value).toBe(parent.slug);
    expect(bodies(ctx, "POST /collections")).toEqual(expect.arrayContaining([{ name: "Support", workspace_id: ws.id }]));
  },
  // No credential (the provider's admin key) is in the state, its backend files or the engine's output.
  secrets: () => [ADMIN_KEY],

  // Edits made in the UI: a collection renamed, a label recoloured, the partial and the prompt edited and published
  // (a version Pulumi did not make). Refresh shows them; up publishes Pulumi's version again (no new version).
  drift: {
    edit: async (ctx) => {
      const { emulator } = ctx;
      const declared = ctx.desired!;
      const parent = collections(emulator).find((c) => c.name === declared.collection!.name)!;
      const label = labels(emulator).find((l) => l.name === declared.label!.name)!;
      const partial = partials(emulator)[0];
      const prompt = prompts(emulator)[0];
      drifted = {
        collection: parent.id,
        label: label.id,
        partialManaged: partial.default_version,
        partialPublished: partial.versions.length + 1,
        promptManaged: prompt.default_version,
        promptPublished: prompt.versions.length + 1,
      };
      await call(emulator, "PUT", `/collections/${parent.id}`, { name: "Renamed in the UI" });
      await call(emulator, "PUT", `/labels/${label.id}`, { color_code: "#ff0000" });
      await call(emulator, "PUT", `/prompts/partials/${partial.id}`, { string: "Edited in the UI." });
      await call(emulator, "PUT", `/prompts/partials/${partial.id}/makeDefault`, { version: drifted.partialPublished });
      await call(emulator, "PUT", `/prompts/${prompt.id}`, { string: "Edited in the UI.", patch: true });
      await call(emulator, "PUT", `/prompts/${prompt.id}/makeDefault`, { version: drifted.promptPublished });
    },
    inState: () => ({ string: "Edited in the UI.", version: drifted.promptPublished, managedVersion: drifted.promptManaged }),
    refreshed: async (ctx) => {
      const stored = (await ctx.engine.exportState()).resource(typeToken(ctx.form, "portkey", "PromptPartial"), "partial")!;
      expect(stored.outputs).toMatchObject({ string: "Edited in the UI.", version: drifted.partialPublished, managedVersion: drifted.partialManaged });
    },
    updated: ["Prompt", "PromptCollection", "PromptLabel", "PromptPartial"],
    repaired: (ctx) => {
      const { emulator } = ctx;
      const declared = ctx.desired!;
      expect(collections(emulator).find((c) => c.id === drifted.collection)?.name).toBe(declared.collection!.name);
      expect(labels(emulator).find((l) => l.id === drifted.label)?.color_code || "").toBe(declared.label!.colorCode ?? "");
      // Pulumi's versions still hold what is declared: published again, no new version.
      expect(bodies(ctx, "PUT /prompts/partials/{promptPartialId}")).toEqual([]);
      expect(bodies(ctx, "PUT /prompts/partials/{promptPartialId}/makeDefault")).toEqual([{ version: drifted.partialManaged }]);
      expect(partials(emulator)[0]).toMatchObject({ default_version: drifted.partialManaged });
      expect(partials(emulator)[0].versions).toHaveLength(drifted.partialPublished);
      expect(bodies(ctx, "PUT /prompts/{promptId}")).toEqual([]);
      expect(bodies(ctx, "PUT /prompts/{promptId}/makeDefault")).toEqual([{ version: drifted.promptManaged }]);
      expect(prompts(emulator)[0]).toMatchObject({ default_version: drifted.promptManaged });
      expect(prompts(emulator)[0].versions).toHaveLength(drifted.promptPublished);
    },
  },

  // The prompt, the partial, the child collection and the organisation's label deleted out of band (the prompt first:
  // Portkey keeps a partial a prompt includes, and a collection that holds a prompt).
  deleted: {
    delete: async (ctx) => {
      const { emulator } = ctx;
      const declared = ctx.desired!;
      const child = collections(emulator).find((c) => c.name === declared.child!.name)!;
      await call(emulator, "DELETE", `/prompts/${prompts(emulator)[0].id}`);
      await call(emulator, "DELETE", `/prompts/partials/${partials(emulator)[0].id}`);
      await call(emulator, "DELETE", `/collections/${child.id}`);
      await call(emulator, "DELETE", `/labels/${labels(emulator).find((l) => l.name === declared.orgLabel!.name)!.id}`);
      // Made again raw and labelled: Portkey's create takes neither, so a raw version 2 follows, published and labelled.
      ctx.declare({ ...declared, prompt: { ...declared.prompt!, isRawTemplate: true, withLabel: "label" } });
    },
    dropped: ["Prompt", "PromptCollection", "PromptLabel", "PromptPartial"],
    recreated: async (ctx) => {
      const { emulator } = ctx;
      const declared = ctx.desired!;
      await ctx.expectCleanPreview();
      expect(prompts(emulator)[0].versions[0].string).toContain(`{{>${partials(emulator)[0].slug}}}`);
      expect(collections(emulator).filter((c) => c.name === declared.child!.name)).toHaveLength(1);
      expect(partials(emulator).map((p) => p.versions.map((v) => v.string))).toEqual([[declared.partial!.string]]);
      const label = labels(emulator).find((l) => l.name === declared.label!.name)!;
      expect(prompts(emulator)[0]).toMatchObject({ default_version: 2 });
      expect(prompts(emulator)[0].versions.map((v) => [v.version, v.is_raw_template, v.label_id])).toEqual([
        [1, 0, null],
        [2, 1, label.id],
      ]);
    },
  },

  badInput: (valid) => [
    [{ collection: { ...valid.collection!, name: "" } }, /name.*must not be empty/],
    [{ collection: { ...valid.collection!, parentCollectionId: "support" } }, /parentCollectionId.*UUID/],
    [{ label: { name: "latest" } }, /name.*must not be `latest`/],
    [{ label: { name: "canary", colorCode: "red" } }, /colorCode.*colour/],
    [{ partial: { ...valid.partial!, string: "" } }, /string.*must not be empty/],
    [{ ...valid, prompt: { ...valid.prompt!, virtualKey: "" } }, /virtualKey.*must not be empty/],
    [{ ...valid, prompt: { ...valid.prompt!, parameters: "hot" as unknown as Record<string, unknown> } }, /parameters/],
    [{ ...valid, prompt: { ...valid.prompt!, withLabel: undefined, labelId: "canary-2" } }, /labelId.*UUID/],
  ],

  destroyed: ({ emulator }) => {
    expect(prompts(emulator)).toEqual([]);
    expect(collections(emulator)).toEqual([]);
    expect(labels(emulator)).toEqual([]);
    expect(partials(emulator)).toEqual([]);
  },

  tests: [
    {
      title: "every updatable field changes in place, each write carrying only what changed",
      forms: ["dynamic"],
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given(ctx.base());
        const base = ctx.desired!;
        ctx.declare({
          ...base,
          collection: { ...base.collection!, name: "Customer support" },
          label: { ...base.label!, name: "canary-2", description: "tried second", colorCode: "#445566" },
          orgLabel: { ...base.orgLabel!, description: "for everyone" },
          partial: { ...base.partial!, name: "Tone of voice" },
          prompt: { ...base.prompt!, name: "Ticket triage", virtualKey: "openai-b", withLabel: "label" },
        });
        const preview = await ctx.preview();
        expect(kinds(preview)).toEqual(["update Prompt", "update PromptCollection", "update PromptLabel", "update PromptLabel", "update PromptPartial"]);
        await ctx.up();
        expect(collections(emulator).map((c) => c.name).sort()).toEqual(["Customer support", "Support / billing"]);
        expect(bodies(ctx, "PUT /collections/{collectionId}")).toEqual([{ name: "Customer support" }]);
        expect(bodies(ctx, "PUT /labels/{labelId}")).toEqual(expect.arrayContaining([{ name: "canary-2", description: "tried second", color_code: "#445566" }, { description: "for everyone" }]));
        // A rename makes no version.
        expect(bodies(ctx, "PUT /prompts/partials/{promptPartialId}")).toEqual([{ name: "Tone of voice" }]);
        expect(partials(emulator)[0].versions).toHaveLength(1);
        // A rename and a new provider change the prompt in place: no version.
        expect(bodies(ctx, "PUT /prompts/{promptId}")).toEqual([{ name: "Ticket triage", virtual_key: "openai-b" }]);
        expect(prompts(emulator)[0].versions).toHaveLength(1);
        expect(prompts(emulator)[0].versions[0].virtual_key).toBe("openai-b");
        // The label goes on the version the prompt manages, written alone.
        const canary = labels(emulator).find((l) => l.name === "canary-2")!;
        expect(bodies(ctx, "PUT /prompts/{promptId}/versions/{versionId}")).toEqual([{ label_id: canary.id }]);
        expect(labelsOnVersions(emulator)).toEqual([canary.id]);

        // Every versioned field at once: one new version carrying just those, published by number; then a move to the child collection (no version).
        ctx.markRequests();
        ctx.declare({
          ...ctx.desired,
          prompt: {
            ...ctx.desired!.prompt!,
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
        });
        await ctx.up();
        const partialSlug = partials(emulator)[0].slug;
        expect(bodies(ctx, "PUT /prompts/{promptId}")).toEqual([
          {
            string: `{{>${partialSlug}}} Sort and tag this ticket: {{ticket}}`,
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
        expect(bodies(ctx, "PUT /prompts/{promptId}/makeDefault")).toEqual([{ version: 2 }]);
        expect(prompts(emulator)[0]).toMatchObject({ default_version: 2 });
        expect(prompts(emulator)[0].versions[1]).toMatchObject({ is_raw_template: 1, functions: [{ name: "lookup", parameters: { type: "object" } }] });
        // The label moved with the new version.
        expect(bodies(ctx, "PUT /prompts/{promptId}/versions/{versionId}")).toEqual([{ label_id: canary.id }]);
        expect(labelsOnVersions(emulator)).toEqual([null, canary.id]);
        await ctx.expectCleanPreview();
        // A move and another label: the prompt changes in place, the label is written alone; no version.
        ctx.markRequests();
        ctx.declare({ ...ctx.desired, prompt: { ...ctx.desired!.prompt!, inChild: true, withLabel: "orgLabel" } });
        await ctx.up();
        const child = collections(emulator).find((c) => c.name === "Support / billing")!;
        const orgLabel = labels(emulator).find((l) => l.name === "org-wide")!;
        expect(bodies(ctx, "PUT /prompts/{promptId}")).toEqual([{ collection_id: child.id }]);
        expect(bodies(ctx, "PUT /prompts/{promptId}/versions/{versionId}")).toEqual([{ label_id: orgLabel.id }]);
        expect(prompts(emulator)[0]).toMatchObject({ collection_id: child.id, default_version: 2 });
        expect(labelsOnVersions(emulator)).toEqual([null, orgLabel.id]);

        // New text: a new version, published by the provider; the note goes with it. A note alone changes nothing.
        ctx.markRequests();
        ctx.declare({ ...ctx.desired, partial: { ...ctx.desired!.partial!, string: "Answer briefly, in plain words.", versionDescription: "plainer" } });
        // (The dynamic-provider host shows the prompt, whose template names the partial's slug, as maybe changing: the slug is unknown until the partial's update ends.)
        expect(kinds(await ctx.preview())).toContain("update PromptPartial");
        await ctx.up();
        expect(bodies(ctx, "PUT /prompts/{promptId}")).toEqual([]);
        expect(bodies(ctx, "PUT /prompts/partials/{promptPartialId}")).toEqual([{ string: "Answer briefly, in plain words.", version_description: "plainer" }]);
        expect(bodies(ctx, "PUT /prompts/partials/{promptPartialId}/makeDefault")).toEqual([{ version: 2 }]);
        expect(partials(emulator)[0]).toMatchObject({ default_version: 2 });
        ctx.declare({ ...ctx.desired, partial: { ...ctx.desired!.partial!, versionDescription: "plainer still" } });
        await ctx.expectCleanPreview();
        await ctx.up();
        expect(partials(emulator)[0].versions).toHaveLength(2);

        // Optional fields cleared.
        ctx.markRequests();
        const { functions: _functions, tools: _tools, toolChoice: _choice, isRawTemplate: _raw, templateMetadata: _metadata, withLabel: _label, ...kept } = ctx.desired!.prompt!;
        ctx.declare({ ...ctx.desired, label: { workspaceId: ctx.fixtures.ws.slug, name: "canary-2" }, prompt: kept });
        await ctx.up();
        // Only clearings, sent as empty values: the template goes with them, so the update surely makes a version.
        expect(bodies(ctx, "PUT /prompts/{promptId}")).toEqual([
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
        expect(prompts(emulator)[0]).toMatchObject({ default_version: 3 });
        expect(prompts(emulator)[0].versions[2]).toMatchObject({ functions: [], tools: [], tool_choice: {}, is_raw_template: 0, template_metadata: {}, model: "gpt-4o" });
        // The label no longer declared comes off the version it was on; the new version gets none.
        expect(bodies(ctx, "PUT /prompts/{promptId}/versions/{versionId}")).toEqual([{ label_id: null }]);
        expect(labelsOnVersions(emulator)).toEqual([null, null, null]);
        expect(bodies(ctx, "PUT /labels/{labelId}")).toEqual([{ description: "", color_code: "" }]);
        expect(labels(emulator).find((l) => l.name === "canary-2")).toMatchObject({ description: "", color_code: "" });
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a label put on the managed version in the UI shows on refresh and up takes it off, writing only the label; an unpublished draft is no drift",
      forms: ["dynamic"],
      after: "drift",
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given("any");
        const label = labels(emulator).find((l) => l.name === ctx.desired!.label!.name)!;
        const prompt = prompts(emulator)[0];
        const managed = prompt.versions.find((v) => v.version === prompt.default_version)!;
        await call(emulator, "PUT", `/prompts/${prompt.id}/versions/${managed.id}`, { label_id: label.id });
        await ctx.refresh();
        expect(kinds(await ctx.preview())).toEqual(["update Prompt"]);
        ctx.markRequests();
        await ctx.up();
        expect(bodies(ctx, "PUT /prompts/{promptId}")).toEqual([]);
        expect(bodies(ctx, "PUT /prompts/{promptId}/versions/{versionId}")).toEqual([{ label_id: null }]);
        expect(labelsOnVersions(emulator)).toEqual(prompt.versions.map(() => null));
        // A draft saved in the UI without publishing is not drift (what is applied is unchanged, so the refresh is untracked).
        await call(emulator, "PUT", `/prompts/${prompt.id}`, { string: "A draft.", patch: true });
        await ctx.engine.refresh();
        await ctx.expectCleanPreview();
      },
    },
    {
      title: "a delete Portkey refuses fails naming what still uses the object, with status, code and request id",
      forms: ["dynamic"],
      after: "drift",
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given("any");
        const declared = ctx.desired!;
        const parent = collections(emulator).find((c) => c.name === declared.collection!.name)!;
        const partial = partials(emulator)[0];
        const stray = (await call(emulator, "POST", "/collections", { name: "Made by hand", workspace_id: ctx.fixtures.ws.id, parent_collection_id: parent.id })).body as { slug: string };
        const strayPrompt = (await call(emulator, "POST", "/prompts", { name: "By hand", collection_id: stray.slug, string: `{{>${partial.slug}}} hi`, parameters: {}, virtual_key: "openai-a" })).body as { slug: string };
        // Only the labels declared: everything else is to be deleted.
        ctx.declare({ label: declared.label, orgLabel: declared.orgLabel });
        let failure = "";
        try {
          await ctx.up();
        } catch (error) {
          failure = String(error);
        } finally {
          ctx.declare(declared);
        }
        expect(failure).toMatch(new RegExp(`portkey:PromptCollection '${escaped(declared.collection!.name as string)}' \\(${parent.id}\\): Portkey refused to delete prompt collection .*409 AB07: .*collection ${stray.slug}.*\\(request id [^)]+\\)`));
        expect(failure).toMatch(new RegExp(`portkey:PromptPartial '${escaped(declared.partial!.name as string)}' \\(${partial.id}\\): Portkey refused to delete prompt partial .*409 AB07: .*${strayPrompt.slug}.*\\(request id [^)]+\\)`));
        await call(emulator, "DELETE", `/prompts/${strayPrompt.slug}`);
        await call(emulator, "DELETE", `/collections/${stray.slug}`);
        // The prompt and the child were deleted before the refusals; the parent and the partial stay managed, and up brings the others back.
        expect(kinds(await ctx.up())).toEqual(["create Prompt", "create PromptCollection"]);
      },
    },
    {
      title: "a prompt a policy counts is not deleted: the error names the policy; once it is gone, destroy deletes everything; no credential is in the state",
      forms: ["dynamic"],
      after: "badInput",
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        await ctx.given("any");
        expect((await ctx.engine.exportState()).text).not.toContain(ADMIN_KEY);
        const [prompt] = prompts(emulator);
        const policy = (
          await call(emulator, "POST", "/policies/usage-limits", { name: "Per prompt", conditions: [{ key: "prompt", value: prompt.slug }], group_by: [{ key: "api_key" }], type: "cost", credit_limit: 10, workspace_id: ctx.fixtures.ws.id })
        ).body as { id: string };
        await expect(ctx.destroy()).rejects.toThrow(
          new RegExp(`portkey:Prompt '${escaped(ctx.desired!.prompt!.name as string)}' \\(${prompt.id}\\): Portkey refused to delete prompt .*409 AB07: .*usage limits policy ${policy.id}.*\\(request id [^)]+\\)`),
        );
        expect(prompts(emulator)).toHaveLength(1);
        await call(emulator, "DELETE", `/policies/usage-limits/${policy.id}`);
        const destroyed = await ctx.destroy();
        expect(kinds(destroyed)).toContain("delete Prompt");
        await ctx.expectNoPlaintext([ADMIN_KEY]);
        expect(prompts(emulator)).toEqual([]);
        expect(collections(emulator)).toEqual([]);
        expect(labels(emulator)).toEqual([]);
        expect(partials(emulator)).toEqual([]);
      },
    },
    {
      title: "pulumi import takes objects made by hand under management; the program declaring them previews clean",
      forms: ["native"],
      after: "destroy",
      body: async (ctx: Ctx) => {
        const { emulator } = ctx;
        const { ws } = ctx.fixtures;
        await ctx.given("nothing");
        const collection = (await call(emulator, "POST", "/collections", { name: "By hand", workspace_id: ws.slug })).body as { id: string };
        const label = (await call(emulator, "POST", "/labels", { name: "by-hand", workspace_id: ws.id, color_code: "#00aa00" })).body as { id: string };
        const partial = (await call(emulator, "POST", "/prompts/partials", { name: "By hand", string: "Hello {{name}}.", workspace_id: ws.slug })).body as { id: string };
        const prompt = (
          await call(emulator, "POST", "/prompts", { name: "By hand", collection_id: collection.id, string: "Hi {{name}}", parameters: {}, virtual_key: "openai-a", model: "gpt-4o", functions: [{ name: "lookup" }] })
        ).body as { id: string };
        // Made raw in the UI (version 2, published), which then carries the label.
        const raw = (await call(emulator, "PUT", `/prompts/${prompt.id}`, { is_raw_template: 1, patch: true })).body as { prompt_version_id: string };
        await call(emulator, "PUT", `/prompts/${prompt.id}/makeDefault`, { version: 2 });
        await call(emulator, "PUT", `/prompts/${prompt.id}/versions/${raw.prompt_version_id}`, { label_id: label.id });
        ctx.declare(undefined);
        await ctx.up();
        const token = (resource: string) => typeToken(ctx.form, "portkey", resource);
        const imports = [
          { type: token("PromptCollection"), name: "byHand", id: collection.id },
          { type: token("PromptLabel"), name: "byHandLabel", id: label.id },
          { type: token("PromptPartial"), name: "byHandPartial", id: partial.id },
          { name: "byHandPrompt", id: prompt.id },
        ];
        const portkey = ctx.sdk.portkey;
        const declared = (protect: boolean) => {
          const byHand = new portkey.PromptCollection("byHand", { workspaceId: ws.id, name: "By hand" }, { protect });
          const byHandLabel = new portkey.PromptLabel("byHandLabel", { workspaceId: ws.id, name: "by-hand", colorCode: "#00aa00" }, { protect });
          new portkey.PromptPartial("byHandPartial", { workspaceId: ws.slug, name: "By hand", string: "Hello {{name}}." }, { protect });
          new portkey.Prompt(
            "byHandPrompt",
            { collectionId: byHand.id, name: "By hand", string: "Hi {{name}}", virtualKey: "openai-a", model: "gpt-4o", functions: [{ name: "lookup" }], isRawTemplate: true, labelId: byHandLabel.id },
            { protect },
          );
        };
        await ctx.importAndRelease(imports, declared);
        expect(collections(emulator)).toEqual([]);
        expect(labels(emulator)).toEqual([]);
        expect(partials(emulator)).toEqual([]);
        expect(prompts(emulator)).toEqual([]);
      },
    },
  ],
});
