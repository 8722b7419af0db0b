/** The resource framework's shared rules, on a small definition. No engine, no network. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { resolveConnection } from "../../../provider/config";
import { PORTKEY_SETTINGS } from "../../../provider/portkey/common";
import { ApiError } from "../../../provider/errors";
import { defineResource, normalize, PartialCreateError, UNKNOWN } from "../../../provider/framework";
import { workspaceProvider } from "../../../provider/portkey/workspace";

interface ThingInputs {
  [key: string]: unknown;
  name: string;
  size?: number;
  tags?: string[];
  region?: string;
}

function thingProvider(overrides: Partial<Parameters<typeof defineResource<ThingInputs, ThingInputs>>[0]> = {}) {
  return defineResource<ThingInputs, ThingInputs>({
    kind: "test:Thing",
    inputSchema: () => z.object({ name: z.string().min(1), size: z.number().int().min(1).optional(), tags: z.array(z.string()).optional(), region: z.string().default("eu") }).strict(),
    replaceOnChange: ["region"],
    async create(inputs) {
      return { id: "t1", outputs: { ...inputs, size: inputs.size, extra: undefined } };
    },
    async read() {
      return undefined;
    },
    async update(_id, _olds, news) {
      return { ...news };
    },
    async delete() {},
    ...overrides,
  });
}

const roundTrips = (value: unknown) => expect(JSON.parse(JSON.stringify(value))).toEqual(value);

describe("check", () => {
  test("failures name the property and the path", async () => {
    const result = await thingProvider().check!({}, { name: "", size: 0, __provider: "code" });
    expect(result.failures).toEqual([
      { property: "name", reason: expect.stringMatching(/^name: /) },
      { property: "size", reason: expect.stringMatching(/^size: /) },
    ]);
  });

  test("applies defaults and drops the provider text", async () => {
    const result = await thingProvider().check!({}, { name: "a", __provider: "code" });
    expect(result).toEqual({ inputs: { name: "a", region: "eu" } });
  });

  test("tolerates preview unknowns where a number or list is expected", async () => {
    const result = await thingProvider().check!({}, { name: "a", size: UNKNOWN, tags: UNKNOWN });
    expect(result.failures).toBeUndefined();
    expect(result.inputs).toMatchObject({ size: UNKNOWN, tags: UNKNOWN });
  });

  test("still reports real problems next to unknowns", async () => {
    const result = await thingProvider().check!({}, { name: "", size: UNKNOWN });
    expect(result.failures?.map((f) => f.property)).toEqual(["name"]);
  });
});

describe("diff", () => {
  test("[] and {} and null in the old outputs equal an absent input", async () => {
    const result = await thingProvider().diff!("t1", { name: "a", tags: [], region: "eu", size: null }, { name: "a", region: "eu" });
    expect(result).toEqual({ changes: false, replaces: [] });
  });

  test("compares only user-owned inputs, ignoring outputs such as timestamps", async () => {
    const result = await thingProvider().diff!("t1", { name: "a", region: "eu", createdAt: "x" }, { name: "a", region: "eu" });
    expect(result.changes).toBe(false);
  });

  test("reports replacement for replace-on-change inputs", async () => {
    const result = await thingProvider().diff!("t1", { name: "a", region: "eu" }, { name: "b", region: "us" });
    expect(result).toEqual({ changes: true, replaces: ["region"] });
  });

  describe("a replacement deletes first exactly when the new object would take a unique value of the old one", () => {
    const unique = () => thingProvider({ uniqueInputs: [["name"]] });
    test.each([
      ["the unique value kept", { name: "a", region: "eu" }, { name: "a", region: "us" }, true],
      ["the unique value left to the server (it may derive the same)", { name: "a", region: "eu" }, { region: "us" }, true],
      ["the unique value changed", { name: "a", region: "eu" }, { name: "b", region: "us" }, false],
      ["the unique value not known yet", { name: "a", region: "eu" }, { name: UNKNOWN, region: "us" }, false],
      ["no replacement", { name: "a", region: "eu" }, { name: "a", region: "eu", size: 2 }, false],
    ])("%s", async (_case, olds, news, deleteFirst) => {
      const result = await unique().diff!("t1", olds, news);
      expect(result.deleteBeforeReplace ?? false).toBe(deleteFirst);
    });

    test("without unique inputs, never", async () => {
      const result = await thingProvider().diff!("t1", { name: "a", region: "eu" }, { name: "a", region: "us" });
      expect(result.deleteBeforeReplace).toBeUndefined();
    });
  });

  test("an unknown new value is a change", async () => {
    const result = await thingProvider().diff!("t1", { name: "a", region: "eu" }, { name: UNKNOWN, region: "eu" });
    expect(result.changes).toBe(true);
  });
});

describe("create, read, update", () => {
  test("results are plain JSON", async () => {
    const created = await thingProvider().create({ name: "a", region: "eu" });
    roundTrips(created);
    expect(Object.values(created.outs ?? {})).not.toContain(undefined);
  });

  test("a failure after the remote create is a partial failure carrying the id", async () => {
    const provider = thingProvider({
      async create(_inputs, ctx) {
        ctx.created("remote-1", { name: "a", secretish: "kept" });
        throw new Error("read-back failed");
      },
    });
    const error = await provider.create({ name: "a" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialCreateError);
    expect(error).toMatchObject({ id: "remote-1", properties: { name: "a", secretish: "kept" } });
    expect((error as Error).message).toContain("read-back failed");
  });

  test("other errors never carry an id", async () => {
    const provider = thingProvider({
      async create() {
        throw Object.assign(new ApiError("Portkey", "POST", "/x", 400, "AB01", "bad", undefined), { id: "stray" });
      },
    });
    const error = await provider.create({ name: "a" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect("id" in (error as object)).toBe(false);
  });

  test("read returns {} when the object is gone", async () => {
    await expect(thingProvider().read!("t1", { name: "a" })).resolves.toEqual({});
  });

  test("read returns refreshed inputs alongside the outputs", async () => {
    const provider = thingProvider({
      async read() {
        return { outputs: { name: "remote", size: 3 }, inputs: { name: "remote", size: 3 } };
      },
    });
    await expect(provider.read!("t1", { name: "a", __provider: "x" })).resolves.toEqual({ id: "t1", props: { name: "remote", size: 3 }, inputs: { name: "remote", size: 3 } });
  });

  test("update returns every output", async () => {
    const result = await thingProvider().update!("t1", { name: "a" }, { name: "b", size: 2, region: "eu" });
    expect(result).toEqual({ outs: { name: "b", size: 2, region: "eu" } });
  });
});

describe("configuration", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test("a missing key names both ways to set it", () => {
    delete process.env.PORTKEY_API_KEY;
    expect(() => resolveConnection(PORTKEY_SETTINGS, {})).toThrow(
      "No Portkey admin key: set it with `pulumi config set --secret portkey:apiKey <key>` or the environment variable PORTKEY_API_KEY.",
    );
  });

  test("config wins over the environment; the default base URL is Portkey's", () => {
    process.env.PORTKEY_API_KEY = "from-env";
    expect(resolveConnection(PORTKEY_SETTINGS, {})).toEqual({ service: "Portkey", apiKey: "from-env", baseUrl: "https://api.portkey.ai/v1" });
    expect(resolveConnection(PORTKEY_SETTINGS, { "portkey:apiKey": "from-config" }).apiKey).toBe("from-config");
  });

  test("plain http is refused unless the host is loopback", () => {
    const configured = { "portkey:apiKey": "k" };
    expect(() => resolveConnection(PORTKEY_SETTINGS, { ...configured, "portkey:baseUrl": "http://portkey.internal/v1" })).toThrow(/plain http/);
    expect(resolveConnection(PORTKEY_SETTINGS, { ...configured, "portkey:baseUrl": "http://127.0.0.1:4010/v1/" }).baseUrl).toBe("http://127.0.0.1:4010/v1");
    expect(resolveConnection(PORTKEY_SETTINGS, { ...configured, "portkey:baseUrl": "http://localhost:4010/v1" }).baseUrl).toBe("http://localhost:4010/v1");
  });
});

test("normalize treats empty values as absent and sorts keys", () => {
  expect(normalize({ b: [], a: { z: null, y: 1 }, c: "" })).toEqual({ a: { y: 1 } });
  expect(normalize([])).toBeUndefined();
});

test("the Workspace provider serializes without capturing credentials", async () => {
  process.env.PORTKEY_API_KEY = "env-secret-that-must-not-be-captured";
  try {
    const text = await pulumi.runtime.serializeFunction(() => workspaceProvider, { allowSecrets: true });
    expect(text.text).toContain("exports.handler");
    expect(text.text).not.toContain("env-secret-that-must-not-be-captured");
    expect(text.text).toContain('require("zod")');
  } finally {
    delete process.env.PORTKEY_API_KEY;
  }
});
