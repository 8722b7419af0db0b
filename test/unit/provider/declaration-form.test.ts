/**
 * The declaration form (provider/resource.ts), pinned field flag by field flag.
 *
 * Every request body, diff and stored output of every resource derives from
 * these few functions, so each flag, and each pair of flags that interact, is
 * one row: a field declared with it, the old state and the new inputs, and
 * what must follow — the create body, the update body, whether diff sees a
 * change, and the outputs read from an answer.
 */
import { z } from "zod";
import {
  adoptionBodyOf,
  comparableOf,
  createBodyOf,
  declareResource,
  Endpoints,
  fieldChanged,
  input,
  InputField,
  InputFields,
  inputsFromOutputs,
  keptByUpdateOf,
  output,
  OutputFields,
  outputsFromAnswer,
  readBackAfterWrite,
  updateBodyOf,
} from "../../../provider/resource";
import { LifecycleContext, UNKNOWN } from "../../../provider/framework";
import { arg, declareLookup } from "../../../provider/lookup";
import { ApiError } from "../../../provider/errors";

type Json = Record<string, unknown>;

interface Row {
  /** The flag, or the pair of flags, under test. */
  flags: string;
  /** The field `f` (and, where a row needs it, its siblings). */
  fields: InputFields;
  sentWhole?: string[];
  /** State stored by the last `up` (inputs and outputs). */
  olds: Json;
  /** The program's inputs now. */
  news: Json;
  /** The body an ordinary create sends for `news`. */
  createBody: Json;
  /** The body an ordinary update sends from `olds` to `news`. */
  updateBody: Json;
  /** Whether diff sees a change in `f`. */
  changed: boolean;
  /** An API answer, and the outputs read from it with `olds` carried (only `f` is checked). */
  answer?: Json;
  output?: unknown;
}

const optionalString = z.string().optional();
const field = (options: Omit<InputField, "role" | "schema">, schema: z.ZodType = optionalString): InputFields => ({
  f: input(schema, options),
});

const rows: Row[] = [
  {
    flags: "none: sent under its API name, a change is sent, removal sends null",
    fields: field({ doc: "", api: "f_api" }),
    olds: { f: "a" },
    news: { f: "b" },
    createBody: { f_api: "b" },
    updateBody: { f_api: "b" },
    changed: true,
    answer: { f_api: "server" },
    output: "server",
  },
  {
    flags: "none: removing the field sends null",
    fields: field({ doc: "", api: "f_api" }),
    olds: { f: "a" },
    news: {},
    createBody: {},
    updateBody: { f_api: null },
    changed: true,
    answer: { f_api: "" },
    output: undefined,
  },
  {
    flags: "none: a dotted API name nests in bodies and answers",
    fields: field({ doc: "", api: "outer.inner" }),
    olds: {},
    news: { f: "x" },
    createBody: { outer: { inner: "x" } },
    updateBody: { outer: { inner: "x" } },
    changed: true,
    answer: { outer: { inner: "read" } },
    output: "read",
  },
  {
    flags: "none: empty values are unset (not sent at create, equal to unset)",
    fields: field({ doc: "", api: "f_api" }),
    olds: {},
    news: { f: "" },
    createBody: {},
    updateBody: {},
    changed: false,
  },
  {
    flags: "no api: never sent, outputs only what is carried",
    fields: field({ doc: "" }),
    olds: { f: "kept" },
    news: { f: "new" },
    createBody: {},
    updateBody: {},
    changed: true,
    answer: { f: "ignored" },
    output: "kept",
  },
  {
    flags: "replaces: sent at create, never in an update body",
    fields: field({ doc: "", api: "f_api", replaces: true }),
    olds: { f: "a" },
    news: { f: "b" },
    createBody: { f_api: "b" },
    updateBody: {},
    changed: true,
  },
  {
    flags: "replaces when removed: a new value is an ordinary update",
    fields: field({ doc: "", api: "f_api", replaces: "whenRemoved" }),
    olds: { f: "a" },
    news: { f: "b" },
    createBody: { f_api: "b" },
    updateBody: { f_api: "b" },
    changed: true,
  },
  {
    flags: "trigger with api: never sent at create; a new value sends true once",
    fields: field({ doc: "", api: "reset", trigger: true }),
    olds: { f: "1" },
    news: { f: "2" },
    createBody: {},
    updateBody: { reset: true },
    changed: true,
    answer: { reset: "server" },
    output: "1",
  },
  {
    flags: "trigger with api: removing it sends nothing",
    fields: field({ doc: "", api: "reset", trigger: true }),
    olds: { f: "1" },
    news: {},
    createBody: {},
    updateBody: {},
    changed: true,
  },
  {
    flags: "trigger without api: left to a hook",
    fields: field({ doc: "", trigger: true }),
    olds: { f: "1" },
    news: { f: "2" },
    createBody: {},
    updateBody: {},
    changed: true,
  },
  {
    flags: "notCompared: sent at create, never diffed or updated, never read back",
    fields: field({ doc: "", api: "f_api", notCompared: true }),
    olds: { f: "a" },
    news: { f: "b" },
    createBody: { f_api: "b" },
    updateBody: {},
    changed: false,
    answer: { f_api: "server" },
    output: "a",
  },
  {
    flags: "serverOwnedUnlessDeclared: undeclared is no change and sends nothing",
    fields: field({ doc: "", api: "f_api", serverOwnedUnlessDeclared: true }),
    olds: { f: "set in the UI" },
    news: {},
    createBody: {},
    updateBody: {},
    changed: false,
    answer: { f_api: "set in the UI" },
    output: "set in the UI",
  },
  {
    flags: "serverOwnedUnlessDeclared: declared is managed",
    fields: field({ doc: "", api: "f_api", serverOwnedUnlessDeclared: true }),
    olds: { f: "set in the UI" },
    news: { f: "declared" },
    createBody: { f_api: "declared" },
    updateBody: { f_api: "declared" },
    changed: true,
  },
  {
    flags: "serverOwnedUnlessDeclared + clearAs: declared empty clears with the API's value",
    fields: field({ doc: "", api: "f_api", serverOwnedUnlessDeclared: true, clearAs: "" }),
    olds: { f: "x" },
    news: { f: "" },
    createBody: {},
    updateBody: { f_api: "" },
    changed: true,
  },
  {
    flags: "carried: sent, but outputs keep the declared value over the answer",
    fields: field({ doc: "", api: "f_api", carried: true }),
    olds: { f: "as spelled" },
    news: { f: "as spelled" },
    createBody: { f_api: "as spelled" },
    updateBody: {},
    changed: false,
    answer: { f_api: "AS STORED" },
    output: "as spelled",
  },
  {
    flags: "serverDefault: unset equals the server's default",
    fields: field({ doc: "", api: "f_api", serverDefault: "dflt" }),
    olds: { f: "dflt" },
    news: {},
    createBody: {},
    updateBody: {},
    changed: false,
  },
  {
    flags: "serverDefault: removing a value sends the default",
    fields: field({ doc: "", api: "f_api", serverDefault: "dflt" }),
    olds: { f: "custom" },
    news: {},
    createBody: {},
    updateBody: { f_api: "dflt" },
    changed: true,
  },
  {
    flags: "serverDefault + clearAs: removal sends clearAs, comparison still uses the default",
    fields: field({ doc: "", api: "f_api", serverDefault: "dflt", clearAs: "CLEAR" }),
    olds: { f: "custom" },
    news: {},
    createBody: {},
    updateBody: { f_api: "CLEAR" },
    changed: true,
  },
  {
    flags: "clearAs: removal sends the clearing value",
    fields: field({ doc: "", api: "meta", clearAs: {} }, z.record(z.string(), z.string()).optional()),
    olds: { f: { a: "1" } },
    news: {},
    createBody: {},
    updateBody: { meta: {} },
    changed: true,
  },
  {
    flags: "keepEmpty: an empty list is a value, not unset",
    fields: field({ doc: "", api: "ids", keepEmpty: true }, z.array(z.string()).optional()),
    olds: {},
    news: { f: [] },
    createBody: { ids: [] },
    updateBody: { ids: [] },
    changed: true,
    answer: { ids: [] },
    output: [],
  },
  {
    flags: "keepEmpty: unset and [] differ both ways",
    fields: field({ doc: "", api: "ids", keepEmpty: true }, z.array(z.string()).optional()),
    olds: { f: [] },
    news: {},
    createBody: {},
    updateBody: { ids: null },
    changed: true,
  },
  {
    flags: "keepEmpty + clearAs: removal sends clearAs",
    fields: field({ doc: "", api: "ids", keepEmpty: true, clearAs: [] }, z.array(z.string()).optional()),
    olds: { f: ["a"] },
    news: {},
    createBody: {},
    updateBody: { ids: [] },
    changed: true,
  },
  {
    flags: "toApi: bodies carry the API's form",
    fields: field({ doc: "", api: "f_api", toApi: (value) => String(value).toUpperCase() }),
    olds: { f: "a" },
    news: { f: "b" },
    createBody: { f_api: "B" },
    updateBody: { f_api: "B" },
    changed: true,
  },
  {
    flags: "toApi answering empty: nothing to set at create",
    fields: field({ doc: "", api: "f_api", toApi: () => "" }),
    olds: {},
    news: { f: "b" },
    createBody: {},
    updateBody: { f_api: "" },
    changed: true,
  },
  {
    flags: "fromApi: outputs carry the program's form",
    fields: field({ doc: "", api: "f_api", fromApi: (value) => (typeof value === "string" ? value.toLowerCase() : undefined) }),
    olds: { f: "b" },
    news: { f: "b" },
    createBody: { f_api: "b" },
    updateBody: {},
    changed: false,
    answer: { f_api: "B" },
    output: "b",
  },
  {
    flags: "comparable: diff compares the declared form, not the raw values",
    fields: field({ doc: "", api: "f_api", comparable: (value) => (typeof value === "string" ? value.toLowerCase() : value) }),
    olds: { f: "Same" },
    news: { f: "SAME" },
    createBody: { f_api: "SAME" },
    updateBody: {},
    changed: false,
  },
  {
    flags: "a value the engine does not know yet: always a change",
    fields: field({ doc: "", api: "f_api" }),
    olds: { f: "a" },
    news: { f: UNKNOWN },
    createBody: { f_api: UNKNOWN },
    updateBody: { f_api: UNKNOWN },
    changed: true,
  },
  {
    flags: "sentWhole: one changed field sends the whole object, declared and held fields",
    fields: {
      f: input(optionalString, { doc: "", api: "defaults.a" }),
      g: input(optionalString, { doc: "", api: "defaults.b" }),
      h: input(optionalString, { doc: "", api: "defaults.c" }),
    },
    sentWhole: ["defaults"],
    olds: { f: "1", g: "kept" },
    news: { f: "2", g: "kept" },
    createBody: { defaults: { a: "2", b: "kept" } },
    updateBody: { defaults: { a: "2", b: "kept" } },
    changed: true,
  },
  {
    flags: "sentWhole + removal: a removed field of the object is sent cleared",
    fields: {
      f: input(optionalString, { doc: "", api: "defaults.a" }),
      g: input(optionalString, { doc: "", api: "defaults.b", clearAs: "" }),
    },
    sentWhole: ["defaults"],
    olds: { f: "1", g: "was" },
    news: { f: "2" },
    createBody: { defaults: { a: "2" } },
    updateBody: { defaults: { a: "2", b: "" } },
    changed: true,
  },
  {
    flags: "sentWhole + serverOwnedUnlessDeclared: an undeclared server-owned field is left out",
    fields: {
      f: input(optionalString, { doc: "", api: "defaults.a" }),
      g: input(optionalString, { doc: "", api: "defaults.b", serverOwnedUnlessDeclared: true }),
    },
    sentWhole: ["defaults"],
    olds: { f: "1", g: "from the UI" },
    news: { f: "2" },
    createBody: { defaults: { a: "2" } },
    updateBody: { defaults: { a: "2" } },
    changed: true,
  },
  {
    flags: "sentWhole + serverOwnedUnlessDeclared: a change of one declared field sends every declared one, unchanged ones too",
    fields: {
      f: input(optionalString, { doc: "", api: "pricing.a", serverOwnedUnlessDeclared: true }),
      g: input(optionalString, { doc: "", api: "pricing.b", serverOwnedUnlessDeclared: true }),
      h: input(optionalString, { doc: "", api: "pricing.c", serverOwnedUnlessDeclared: true }),
    },
    sentWhole: ["pricing"],
    olds: { f: "1", g: "2", h: "inherited" },
    news: { f: "1", g: "3" },
    createBody: { pricing: { a: "1", b: "3" } },
    updateBody: { pricing: { a: "1", b: "3" } },
    changed: false,
  },
  {
    flags: "sentWhole + trigger: a trigger inside the object is never sent with it",
    fields: {
      f: input(optionalString, { doc: "", api: "defaults.a" }),
      g: input(optionalString, { doc: "", api: "defaults.reset", trigger: true }),
    },
    sentWhole: ["defaults"],
    olds: { f: "1", g: "t" },
    news: { f: "2", g: "t" },
    createBody: { defaults: { a: "2" } },
    updateBody: { defaults: { a: "2" } },
    changed: true,
  },
  {
    flags: "sentWhole: no field of the object changed, nothing is sent",
    fields: {
      f: input(optionalString, { doc: "", api: "defaults.a" }),
      g: input(optionalString, { doc: "", api: "defaults.b" }),
    },
    sentWhole: ["defaults"],
    olds: { f: "1", g: "2" },
    news: { f: "1", g: "2" },
    createBody: { defaults: { a: "1", b: "2" } },
    updateBody: {},
    changed: false,
  },
  {
    flags: "lagsAfterWrite: bodies, diff and outputs as without it (it only shapes read-backs)",
    fields: field({ doc: "", api: "f_api", lagsAfterWrite: true }),
    olds: { f: "a" },
    news: { f: "b" },
    createBody: { f_api: "b" },
    updateBody: { f_api: "b" },
    changed: true,
    answer: { f_api: "a" },
    output: "a",
  },
  {
    flags: "absentFromCreateAnswer: bodies, diff and outputs as without it (it only shapes a create's outputs)",
    fields: field({ doc: "", api: "f_api", absentFromCreateAnswer: true, serverOwnedUnlessDeclared: true }),
    olds: { f: "from the UI" },
    news: {},
    createBody: {},
    updateBody: {},
    changed: false,
    answer: { f_api: "from the UI" },
    output: "from the UI",
  },
  {
    flags: "updateApi: an update sends the field under its own name; the create and answers use api",
    fields: field({ doc: "", api: "f_api", updateApi: "f_update", clearAs: {} }, z.record(z.string(), z.string()).optional()),
    olds: { f: { a: "1" } },
    news: {},
    createBody: {},
    updateBody: { f_update: {} },
    changed: true,
    answer: { f_api: { a: "server" } },
    output: { a: "server" },
  },
  {
    flags: "versioned: bodies, diff and outputs as without it (the hooks of a versioned kind read it)",
    fields: field({ doc: "", api: "f_api", versioned: true }),
    olds: { f: "a" },
    news: { f: "b" },
    createBody: { f_api: "b" },
    updateBody: { f_api: "b" },
    changed: true,
    answer: { f_api: "a" },
    output: "a",
  },
  {
    flags: "lagsAfterWrite + comparable: a change is judged in the declared form",
    fields: field({ doc: "", api: "f_api", lagsAfterWrite: true, comparable: (value) => (typeof value === "string" ? value.toLowerCase() : value) }),
    olds: { f: "Same" },
    news: { f: "SAME" },
    createBody: { f_api: "SAME" },
    updateBody: {},
    changed: false,
  },
];

describe("the declaration form derives bodies, diffs and outputs from field flags", () => {
  describe.each(rows.map((row) => [row.flags, row] as const))("%s", (_flags, row) => {
    test("create body", () => {
      expect(createBodyOf(row.fields, row.news)).toEqual(row.createBody);
    });

    test("update body", () => {
      expect(updateBodyOf(row.fields, row.sentWhole ?? [], row.olds, row.news)).toEqual(row.updateBody);
    });

    test(`diff ${row.changed ? "sees" : "does not see"} a change`, () => {
      expect(fieldChanged(row.fields.f, row.olds.f, row.news.f, row.olds)).toBe(row.changed);
    });

    if (row.answer) {
      test("outputs read from an answer", () => {
        const outputs = outputsFromAnswer(row.fields, {}, row.answer!, row.olds);
        expect(outputs.f).toEqual(row.output);
      });
    }
  });
});

describe("outputs and refreshed inputs", () => {
  const fields: InputFields = {
    name: input(z.string(), { doc: "", api: "name" }),
    force: input(z.boolean().default(false), { doc: "" }),
  };
  const outputFields: OutputFields = {
    slug: output(z.string(), { doc: "", api: "slug", stable: true }),
    note: output(z.string(), { doc: "" }),
  };

  test("server outputs come from the answer; hook-set outputs are carried", () => {
    expect(outputsFromAnswer(fields, outputFields, { name: "n", slug: "s", extra: "dropped" }, { note: "hook" })).toEqual({
      name: "n",
      slug: "s",
      note: "hook",
      force: false,
    });
  });

  test("state of an older version: undeclared properties are dropped", () => {
    expect(outputsFromAnswer(fields, outputFields, { name: "n" }, { retired: "x" })).toEqual({ name: "n", force: false });
  });

  test("an object read by id alone holds its inputs' defaults, as the program's would", () => {
    expect(inputsFromOutputs(fields, { name: "n", slug: "s" })).toEqual({ name: "n", force: false });
  });

  test("comparison of an undeclared field normalizes (empty is unset)", () => {
    expect(comparableOf(undefined, { b: [], a: "x" }, {})).toEqual({ a: "x" });
  });

  test("an update keeps the outputs hooks set and the stable ones; other server outputs are read again", () => {
    const withStatus: OutputFields = { ...outputFields, status: output(z.string(), { doc: "", api: "status" }) };
    expect(keptByUpdateOf(withStatus, { name: "n", slug: "s", note: "hook", status: "active" })).toEqual({ slug: "s", note: "hook" });
    expect(keptByUpdateOf(withStatus, { name: "n", status: "active" })).toEqual({});
  });
});

describe("what the hooks of a versioned kind get", () => {
  const declared = declareResource({
    kind: "test:Versioned",
    doc: "",
    configKeys: [],
    inputs: () => ({
      name: input(z.string(), { doc: "", api: "name" }),
      text: input(z.string(), { doc: "", api: "text", versioned: true }),
      raw: input(z.boolean().optional(), { doc: "", api: "is_raw", versioned: true, serverDefault: false, clearAs: 0, toApi: (value) => (value ? 1 : 0) }),
      meta: input(z.record(z.string(), z.string()).optional(), { doc: "", api: "meta", updateApi: "version_meta", versioned: true, clearAs: {} }),
    }),
    outputs: () => ({}),
    async create(inputs, ctx) {
      const seen = { versioned: ctx.versioned(), raw: ctx.sent("raw", true), rawCleared: ctx.sent("raw", undefined), meta: ctx.sent("meta", { a: "1" }), metaCleared: ctx.sent("meta", undefined) };
      return { id: "v1", outputs: { ...inputs, seen } as never };
    },
    read: async () => undefined,
    delete: async () => {},
    update: async (_id, olds) => olds,
  });

  test("ctx.versioned lists the versioned inputs in declaration order; ctx.sent gives one as an update carries it", async () => {
    const { outs } = await declared.provider.create!({ name: "n", text: "t" });
    expect(outs.seen).toEqual({
      versioned: ["text", "raw", "meta"],
      raw: { is_raw: 1 },
      rawCleared: { is_raw: 0 },
      meta: { version_meta: { a: "1" } },
      metaCleared: { version_meta: {} },
    });
  });
});

describe("look-up arguments that identify the object", () => {
  const lookup = declareLookup({
    name: "test:getThing",
    doc: "",
    args: () => ({
      id: arg(z.string().optional(), { doc: "", identifies: true }),
      name: arg(z.string().optional(), { doc: "", identifies: true }),
      scope: arg(z.string().optional(), { doc: "" }),
    }),
    results: () => ({ id: output(z.string(), { doc: "" }) }),
    run: async (args) => ({ id: args.id ?? "by-name" }),
  });

  test("exactly one is given, in any company of the other arguments", async () => {
    await expect(lookup.invoke({ name: "n", scope: "s" }, {})).resolves.toEqual({ id: "by-name" });
    await expect(lookup.invoke({ scope: "s" }, {})).rejects.toThrow("test.getThing: give one of id, name");
    await expect(lookup.invoke({ id: "i", name: "n" }, {})).rejects.toThrow("test.getThing: give only one of id, name (got id and name)");
  });
});

describe("fields that lag after a write", () => {
  const fields: InputFields = {
    limits: input(z.array(z.number()).optional(), { doc: "", api: "limits", lagsAfterWrite: true, comparable: (value) => (Array.isArray(value) ? [...value].sort() : value) }),
    name: input(z.string(), { doc: "", api: "name" }),
  };
  const answers = (...outputs: Json[]) => {
    const reads: Json[] = [];
    return { reads, read: async () => (reads.push(outputs[Math.min(reads.length, outputs.length - 1)]), outputs[Math.min(reads.length - 1, outputs.length - 1)]) };
  };
  const missing = () => new Error("gone");

  test("a read-back repeats until the lagging fields show what was written (compared in their declared form); other fields are not waited for", async () => {
    const { reads, read } = answers({ name: "old", limits: [1] }, { name: "old", limits: [3, 2] });
    await expect(readBackAfterWrite(fields, read, { name: "new", limits: [2, 3] }, missing)).resolves.toEqual({ name: "old", limits: [3, 2] });
    expect(reads).toHaveLength(2);
  });

  test("adopting an object sends its lagging fields as declared, or cleared when undeclared, even when the read shows them so already (it may be stale)", () => {
    const cleared: InputFields = { ...fields, limits: { ...fields.limits, clearAs: [] } };
    expect(adoptionBodyOf(cleared, [], { name: "n", limits: [] }, { name: "n" })).toEqual({ limits: [] });
    expect(adoptionBodyOf(cleared, [], { name: "n", limits: [2] }, { name: "n", limits: [2] })).toEqual({ limits: [2] });
    // Other fields as an update sends them: only what changed.
    expect(adoptionBodyOf(cleared, [], { name: "old", limits: [2] }, { name: "new", limits: [2] })).toEqual({ name: "new", limits: [2] });
    // An update trusts the stored state instead: nothing changed, nothing sent.
    expect(updateBodyOf(cleared, [], { name: "n", limits: [2] }, { name: "n", limits: [2] })).toEqual({});
  });

  test("after the wait, the written values of the lagging fields are trusted", async () => {
    const start = Date.now();
    let calls = 0;
    const clock = jest.spyOn(Date, "now").mockImplementation(() => start + 60_000 * calls++);
    try {
      const { read } = answers({ name: "n", limits: [1] });
      await expect(readBackAfterWrite(fields, read, { name: "n", limits: [5] }, missing)).resolves.toEqual({ name: "n", limits: [5] });
    } finally {
      clock.mockRestore();
    }
  });

  test("an object gone right after the write is the declared error", async () => {
    await expect(readBackAfterWrite<Json>(fields, async () => undefined, { name: "n" }, missing)).rejects.toThrow("gone");
  });
});

/** A declared kind over an in-memory API: the default hooks' endpoints, with what they were called with. */
function memoryKind(
  options: { update?: boolean; fields?: () => InputFields; uniqueTogether?: string[][]; afterUpdateBody?: (id: string, olds: Json, news: Json) => Promise<void>; ownUpdate?: boolean } = {},
) {
  const store = new Map<string, Json>();
  const calls: string[] = [];
  const notFound = (id: string) => new ApiError("Test", "GET", `/things/${id}`, 404, "NF", "not found", "req-1", true);
  const endpoints: Endpoints<Json> = {
    // Scoped like a workspace's object: the stored outputs (first of `values`) name where it lives.
    get: async (_ctx, id, [stored]) => (calls.push(`get ${id}${stored?.parentSlug ? ` in ${stored.parentSlug}` : ""}`), store.get(id)),
    delete: async (_ctx, id) => {
      calls.push(`delete ${id}`);
      if (id === "locked") throw new ApiError("Test", "DELETE", `/things/${id}`, 403, "NO", "forbidden", "req-2");
      if (!store.delete(id)) throw notFound(id);
    },
    ...(options.update === false
      ? {}
      : {
          update: async (_ctx: LifecycleContext, id: string, body: Json) => {
            calls.push(`update ${id} ${JSON.stringify(body)}`);
            store.set(id, { ...store.get(id), ...body });
          },
        }),
  };
  const declared = declareResource({
    kind: "test:Thing",
    doc: "",
    configKeys: [],
    inputs:
      options.fields ??
      (() => ({
        name: input(z.string(), { doc: "", api: "name" }),
        size: input(z.number().optional(), { doc: "", api: "size" }),
      })),
    outputs: () => ({
      thingId: output(z.string(), { doc: "", api: "id" }),
      parentSlug: output(z.string().optional(), { doc: "set by a hook" }),
    }),
    uniqueTogether: options.uniqueTogether as never,
    ...(options.afterUpdateBody ? { afterUpdateBody: (id: string, olds: Json, news: Json) => options.afterUpdateBody!(id, olds, news) } : {}),
    ...(options.ownUpdate ? { update: async (_id: string, olds: never) => olds } : {}),
    async create(inputs, ctx) {
      store.set("t1", { id: "t1", ...ctx.createBody(inputs) });
      return { id: "t1", outputs: ctx.outputsFrom(store.get("t1")!, { ...inputs, parentSlug: "p" }) };
    },
    endpoints,
  });
  const ctx: LifecycleContext = { configured: {}, processState: new Map(), warn: () => {}, created: () => {} };
  return { provider: declared.provider, store, calls, ctx };
}

describe("default hooks over declared endpoints", () => {
  test("read: the outputs of the answer, hook-set outputs carried; gone reads as nothing", async () => {
    const { provider, store } = memoryKind();
    const { outs } = await provider.create!({ name: "a", size: 1 });
    store.set("t1", { id: "t1", name: "renamed", size: 1 });
    await expect(provider.read!("t1", outs)).resolves.toMatchObject({ props: { name: "renamed", size: 1, thingId: "t1", parentSlug: "p" }, inputs: { name: "renamed", size: 1 } });
    store.delete("t1");
    await expect(provider.read!("t1", outs)).resolves.toEqual({});
  });

  test("update: only the changed fields are sent, then the object is read back in the stored scope with hook-set outputs carried", async () => {
    const { provider, calls } = memoryKind();
    const { outs } = await provider.create!({ name: "a", size: 1 });
    const updated = await provider.update!("t1", outs, { name: "a", size: 2 });
    expect(calls).toEqual(['update t1 {"size":2}', "get t1 in p"]);
    expect(updated.outs).toEqual({ name: "a", size: 2, thingId: "t1", parentSlug: "p" });
  });

  test("update: afterUpdateBody acts between the body and the read-back, also when there is no body to send", async () => {
    const acted: string[] = [];
    const { provider, calls } = memoryKind({
      afterUpdateBody: async (id, olds, news) => {
        calls.push(`act on ${id}`);
        acted.push(`${olds.size}->${news.size}`);
      },
    });
    const { outs } = await provider.create!({ name: "a", size: 1 });
    await provider.update!("t1", outs, { name: "a", size: 2 });
    await provider.update!("t1", outs, { name: "a", size: 1 });
    expect(calls).toEqual(['update t1 {"size":2}', "act on t1", "get t1 in p", "act on t1", "get t1 in p"]);
    expect(acted).toEqual(["1->2", "1->1"]);
  });

  test("afterUpdateBody beside an update of the declaration's own is refused when declared (it would never run)", () => {
    expect(() => memoryKind({ ownUpdate: true, afterUpdateBody: async () => {} })).toThrow(/test:Thing: `afterUpdateBody` is part of the default update/);
    expect(() => memoryKind({ update: false, afterUpdateBody: async () => {}, fields: () => ({ name: input(z.string(), { doc: "", api: "name", replaces: true }) }) })).toThrow(
      /afterUpdateBody/,
    );
  });

  test("delete: an object already gone is deleted", async () => {
    const { provider, calls } = memoryKind();
    await provider.delete!("t1", { name: "a" });
    expect(calls).toEqual(["delete t1"]);
  });

  test("delete: any other failure (a 403 never means gone) fails the delete, naming the resource", async () => {
    const { provider } = memoryKind();
    await expect(provider.delete!("locked", { name: "a" })).rejects.toThrow(/test:Thing 'a' \(locked\): .*403 NO: forbidden/);
  });

  test("a kind without update whose inputs all replace refuses an update loudly, naming itself", async () => {
    const { provider } = memoryKind({
      update: false,
      fields: () => ({ name: input(z.string(), { doc: "", api: "name", replaces: true }), note: input(z.string().optional(), { doc: "", notCompared: true }) }),
    });
    await expect(provider.update!("t1", { name: "a" }, { name: "a" })).rejects.toThrow(/test:Thing .*t1.* has no in-place update/);
  });

  test("a kind without update that has an updatable input is refused when declared", () => {
    expect(() => memoryKind({ update: false })).toThrow(/test:Thing: declares no `update`.*name, size can change in place/);
  });
});

describe("values unique together", () => {
  const fields = () => ({
    group: input(z.string(), { doc: "", api: "group", replaces: true }),
    workspace: input(z.string(), { doc: "", api: "workspace", replaces: true }),
    role: input(z.string(), { doc: "", api: "role", replaces: true }),
  });
  const diff = (olds: Json, news: Json) => memoryKind({ update: false, fields, uniqueTogether: [["group", "workspace"]] }).provider.diff!("t1", olds, news);
  const olds = { group: "g", workspace: "w", role: "member" };

  test("a replacement keeping every value of the set deletes first", async () => {
    await expect(diff(olds, { ...olds, role: "admin" })).resolves.toEqual({ changes: true, replaces: ["role"], deleteBeforeReplace: true });
  });

  test("a replacement changing one value of the set creates first", async () => {
    await expect(diff(olds, { ...olds, group: "h" })).resolves.toEqual({ changes: true, replaces: ["group"] });
  });
});

describe("a create's outputs without a read-back", () => {
  const kind = declareResource({
    kind: "test:Made",
    doc: "",
    configKeys: [],
    inputs: () => ({
      name: input(z.string(), { doc: "", api: "name" }),
      limits: input(z.array(z.number()).optional(), { doc: "", api: "limits", lagsAfterWrite: true }),
      guard: input(z.string().optional(), { doc: "", api: "defaults.guard", absentFromCreateAnswer: true, serverOwnedUnlessDeclared: true }),
    }),
    outputs: () => ({ madeId: output(z.string().optional(), { doc: "", api: "id" }) }),
    async create(inputs, ctx) {
      // The answer lags (no limits yet), leaves the defaults out, or holds a value the program did not declare.
      return { id: "m1", outputs: ctx.outputsFromCreate({ name: inputs.name, limits: [], defaults: { guard: "server's" } }, inputs) };
    },
    endpoints: { get: async () => undefined, update: async () => undefined, delete: async () => undefined },
  });

  test("lagging and left-out fields hold what was written; undeclared ones are unset", async () => {
    await expect(kind.provider.create!({ name: "n", limits: [5], guard: "g" })).resolves.toEqual({ id: "m1", outs: { name: "n", limits: [5], guard: "g", __declaredServerOwned: ["guard"] } });
    await expect(kind.provider.create!({ name: "n" })).resolves.toEqual({ id: "m1", outs: { name: "n", __declaredServerOwned: [] } });
  });
});

describe("hooks are named in stack traces", () => {
  // Each fails after an await, as a hook does when the API answers with an error.
  const failing = async (): Promise<never> => {
    await Promise.resolve();
    throw new Error("the API failed");
  };
  const kind = declareResource({
    kind: "test:Named",
    doc: "",
    configKeys: [],
    inputs: () => ({ name: input(z.string(), { doc: "", api: "name" }) }),
    outputs: () => ({}),
    create: failing,
    endpoints: { get: failing, update: failing, delete: failing },
  });

  test.each([
    ["create", () => kind.provider.create!({ name: "a" })],
    ["read", () => kind.provider.read!("t1", { name: "a" })],
    ["update", () => kind.provider.update!("t1", { name: "a" }, { name: "b" })],
    ["delete", () => kind.provider.delete!("t1", { name: "a" })],
  ])("a failed %s: the error names the resource, its stack the kind and the hook", async (hook, run) => {
    const error = await run().then(
      () => undefined,
      (failure: unknown) => failure as Error,
    );
    expect(error?.message).toMatch(/^test:Named '(a|b)'.*: the API failed$/);
    expect(error?.stack).toContain(`test:Named.${hook}`);
  });
});
