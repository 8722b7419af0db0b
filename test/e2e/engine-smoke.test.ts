/**
 * Proves the engine path with a tiny dynamic resource defined here: a "note"
 * stored as a file. The provider runs in the engine's dynamic-provider plugin
 * process, so it can only share state with the test through the file system.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { changedSteps, useEngineStack } from "./harness";

jest.setTimeout(5 * 60_000);

const notesDir = fs.mkdtempSync(path.join(os.tmpdir(), "smoke-notes-"));
const NOTE_TYPE = "pulumi-nodejs:dynamic/smoke:Note";

interface NoteInputs {
  dir: string;
  text: string;
}

const noteProvider: pulumi.dynamic.ResourceProvider<NoteInputs, NoteInputs> = {
  async create(inputs) {
    const nodeFs: typeof fs = require("node:fs");
    const id = `note-${Date.now()}`;
    nodeFs.writeFileSync(`${inputs.dir}/${id}`, inputs.text);
    return { id, outs: { dir: inputs.dir, text: inputs.text } };
  },
  async diff(_id, olds, news) {
    return { changes: olds.text !== news.text, replaces: olds.dir !== news.dir ? ["dir"] : [] };
  },
  async update(id, _olds, news) {
    const nodeFs: typeof fs = require("node:fs");
    nodeFs.writeFileSync(`${news.dir}/${id}`, news.text);
    return { outs: { dir: news.dir, text: news.text } };
  },
  async read(id, props) {
    const nodeFs: typeof fs = require("node:fs");
    if (!props) return {};
    const file = `${props.dir}/${id}`;
    if (!nodeFs.existsSync(file)) return {};
    const current = { dir: props.dir, text: nodeFs.readFileSync(file, "utf8") };
    return { id, props: current, inputs: current };
  },
  async delete(id, props) {
    const nodeFs: typeof fs = require("node:fs");
    nodeFs.rmSync(`${props.dir}/${id}`, { force: true });
  },
};

class Note extends pulumi.dynamic.Resource {
  declare readonly text: pulumi.Output<string>;
  constructor(name: string, text: string) {
    super(noteProvider, name, { dir: notesDir, text }, undefined, "smoke", "Note");
  }
}

let noteText = "first";
const engine = useEngineStack(() => ({
  projectName: "smoke",
  program: async () => {
    const note = new Note("greeting", noteText);
    return { text: note.text };
  },
}));

function notes(): string[] {
  return fs.readdirSync(notesDir);
}

afterAll(() => fs.rmSync(notesDir, { recursive: true, force: true }));

test("up creates the resource through the dynamic-provider plugin", async () => {
  const result = await engine().up();
  expect(changedSteps(result.steps, NOTE_TYPE).map((s) => s.op)).toEqual(["create"]);
  expect(result.outputs.text.value).toBe("first");
  expect(notes()).toHaveLength(1);
  expect(fs.readFileSync(path.join(notesDir, notes()[0]), "utf8")).toBe("first");
});

test("a second preview reports no changes", async () => {
  const preview = await engine().preview();
  expect(changedSteps(preview.steps)).toEqual([]);
  expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
});

test("an input change previews as an update of that property", async () => {
  noteText = "second";
  const preview = await engine().preview();
  const steps = changedSteps(preview.steps);
  expect(steps.map((s) => [s.type, s.op])).toEqual([[NOTE_TYPE, "update"]]);
  expect(preview.diffText).toMatch(/~ text\s*: "first" => "second"/);
  const applied = await engine().up();
  expect(applied.changeSummary).toMatchObject({ update: 1 });
  expect(fs.readFileSync(path.join(notesDir, notes()[0]), "utf8")).toBe("second");
});

test("refresh keeps the resource and picks up what changed outside", async () => {
  fs.writeFileSync(path.join(notesDir, notes()[0]), "edited by hand");
  const refreshed = await engine().refresh();
  expect(refreshed.changeSummary.delete ?? 0).toBe(0);
  const state = await engine().exportState();
  const note = state.resource(NOTE_TYPE, "greeting");
  expect(note?.outputs?.text).toBe("edited by hand");
  expect(note?.inputs?.text).toBe("edited by hand");
  // The program still says "second", so the next preview plans the repair.
  const preview = await engine().preview();
  expect(changedSteps(preview.steps).map((s) => s.op)).toEqual(["update"]);
  await engine().up();
});

test("the exported state carries the serialized provider closure", async () => {
  const state = await engine().exportState();
  const note = state.resource(NOTE_TYPE, "greeting");
  const closure = note?.inputs?.__provider;
  expect(typeof closure).toBe("string");
  expect(closure).toContain("exports.handler");
  expect(closure).toContain("writeFileSync");
  expect(note?.outputs?.__provider).toBe(closure);
});

test("destroy removes the resource", async () => {
  const result = await engine().destroy();
  expect(changedSteps(result.steps, NOTE_TYPE).map((s) => s.op)).toEqual(["delete"]);
  expect(notes()).toEqual([]);
  const state = await engine().exportState();
  expect(state.resources(NOTE_TYPE)).toEqual([]);
});

test("a run's clients reach its engine on a port an exited engine used, while the connection to that one still backs off", async () => {
  // The harness's setting, exercised on the clients an inline run makes: the first engine exits, a
  // late call to it fails (its connection now backs off), and a second engine takes the same port.
  const grpc: typeof import("@grpc/grpc-js") = require("@grpc/grpc-js");
  const { ResourceMonitorClient, ResourceMonitorService } = require("@pulumi/pulumi/proto/resource_grpc_pb");
  const { SupportsFeatureRequest, SupportsFeatureResponse } = require("@pulumi/pulumi/proto/resource_pb");
  const { grpcClientOptions } = require("@pulumi/pulumi/runtime/settings");
  const serve = (port: number) =>
    new Promise<[InstanceType<typeof grpc.Server>, number]>((resolve, reject) => {
      const server = new grpc.Server();
      server.addService(ResourceMonitorService, {
        supportsFeature: (_call: unknown, reply: (error: null, response: unknown) => void) =>
          reply(null, new SupportsFeatureResponse().setHassupport(true)),
      });
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve([server, bound]),
      );
    });
  const ask = (client: { supportsFeature: Function }) =>
    new Promise<string>((resolve) =>
      client.supportsFeature(new SupportsFeatureRequest().setId("secrets"), (error: { code: number; details: string } | null) =>
        resolve(error ? `${error.code} ${error.details}` : "answered"),
      ),
    );
  const [first, port] = await serve(0);
  const early = new ResourceMonitorClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), grpcClientOptions);
  const late = new ResourceMonitorClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), grpcClientOptions);
  try {
    expect(await ask(early)).toBe("answered");
    first.forceShutdown();
    expect(await ask(early)).toMatch(/^14 .*ECONNREFUSED/);
    const [second] = await serve(port);
    try {
      expect(await ask(late)).toBe("answered");
    } finally {
      second.forceShutdown();
    }
  } finally {
    early.close();
    late.close();
  }
});
