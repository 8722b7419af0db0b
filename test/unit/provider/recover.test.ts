/**
 * `pulumi-ai-gateway recover`: what it reads from a stack export, and how
 * its decisions become one `pulumi refresh` (the engine test shows it end to
 * end against the emulator).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  deleteUnusable,
  describe as describeOutcome,
  emptyStaleSidecars,
  fileBackendDir,
  importDocument,
  interrupted,
  kindOf,
  Outcome,
  refreshArguments,
} from "../../../provider/cli/recover";

const STACK_CREATED = "2026-12-01T10:00:00.000Z";

function exportWith(pending: { type: string; urn: string }[]) {
  return {
    deployment: {
      resources: [
        { urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", type: "pulumi:pulumi:Stack", created: STACK_CREATED },
        { urn: "urn:pulumi:dev::p::portkey:index:Workspace::a", type: "portkey:index:Workspace", id: "ws-a" },
      ],
      pending_operations: pending.map((p) => ({ type: p.type, resource: { urn: p.urn, type: "portkey:index:Workspace", inputs: { name: "b" } } })),
    },
  };
}

test("takes only pending creates; the run began after the last completed update, else after its stack resource was created", () => {
  const state = exportWith([
    { type: "creating", urn: "urn:b" },
    { type: "updating", urn: "urn:a" },
  ]);
  const withHistory = interrupted(state, Date.parse("2026-12-02T00:00:00Z"));
  expect(withHistory.pending.map((p) => p.urn)).toEqual(["urn:b"]);
  expect(withHistory.managed.has("portkey:index:Workspace ws-a")).toBe(true);
  expect(withHistory.notBefore).toBe(Date.parse("2026-12-02T00:00:00Z"));
  expect(interrupted(state, undefined).notBefore).toBe(Date.parse(STACK_CREATED));
});

test("refuses what is not a stack export", () => {
  expect(() => interrupted({}, undefined)).toThrow(/deployment.resources/);
});

test("once every pending create is decided, one refresh clears them all; adoptions come back through an import file under their URNs", () => {
  const outcomes: Outcome[] = [
    { urn: "urn:pulumi:dev::p::portkey:index:Workspace::a", action: "adopt", id: "ws-1" },
    { urn: "urn:pulumi:dev::p::my:Group$portkey:index:Workspace::b", action: "adopt", id: "ws-2" },
    { urn: "urn:k", action: "delete", id: "key-1", done: true },
    { urn: "urn:c", action: "clear" },
  ];
  expect(refreshArguments(outcomes)).toEqual(["refresh", "--yes", "--non-interactive", "--skip-preview", "--clear-pending-creates"]);
  const parents = new Map([
    ["urn:pulumi:dev::p::portkey:index:Workspace::a", "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"],
    ["urn:pulumi:dev::p::my:Group$portkey:index:Workspace::b", "urn:pulumi:dev::p::my:Group::g"],
  ]);
  expect(importDocument(outcomes, parents)).toEqual({
    nameTable: { parent1: "urn:pulumi:dev::p::my:Group::g" },
    resources: [
      { type: "portkey:index:Workspace", name: "a", id: "ws-1" },
      { type: "portkey:index:Workspace", name: "b", id: "ws-2", parent: "parent1" },
    ],
  });
});

test("with one create left unproven, nothing is touched: no refresh, no delete, and the candidates are printed", async () => {
  let deleted = false;
  const outcomes: Outcome[] = [
    { urn: "urn:a", action: "adopt", id: "ws-1" },
    { urn: "urn:k", action: "delete", id: "key-1", done: false, remove: async () => void (deleted = true) },
    { urn: "urn:x", action: "ambiguous", candidates: [{ id: "ws-2" }, { id: "ws-3" }], why: "several", cleanup: "delete them" },
  ];
  await deleteUnusable(outcomes);
  expect(deleted).toBe(false);
  expect(refreshArguments(outcomes)).toBeUndefined();
  expect(describeOutcome(outcomes[0], false)).toMatch(/adopted once the others are settled/);
  expect(describeOutcome(outcomes[2], false)).toMatch(/left pending: several; candidates: ws-2, ws-3\. Nothing was adopted or deleted/);
});

test("a pending create's kind comes from its type: the native plugin's token, or the module and type our dynamic classes register", () => {
  expect(kindOf("portkey:index:ApiKey")).toEqual({ kind: "portkey:ApiKey", vendor: "portkey", dynamic: false });
  expect(kindOf("pulumi-nodejs:dynamic/openrouter:Workspace")).toEqual({ kind: "openrouter:Workspace", vendor: "openrouter", dynamic: true });
  // A dynamic resource of someone else's provider (no module) is not ours.
  expect(kindOf("pulumi-nodejs:dynamic:Resource")).toBeUndefined();
  expect(kindOf("aws:s3/bucket:Bucket")).toBeUndefined();
});

test("a dynamic resource the run made is deleted, not adopted, and says why", () => {
  const outcome: Outcome = { urn: "urn:w", action: "delete", id: "ws-1", why: "dynamic", done: true };
  expect(describeOutcome(outcome)).toBe("urn:w: deleted ws-1 (made by the interrupted run; a dynamic resource cannot be imported), the next `pulumi up` creates it again");
});

test("a grant deleted with the default provider only its lost answer recorded says so", () => {
  const outcome: Outcome = { urn: "urn:g", action: "delete", id: "intg/ws-1", why: "record", done: true };
  expect(describeOutcome(outcome)).toBe(
    "urn:g: deleted intg/ws-1 (made by the interrupted run; what it made beside it was recorded only in the lost answer, and is deleted with it), the next `pulumi up` creates it again",
  );
});

test("only empty sidecars of a file backend, beside their blob and untouched for a while, are taken as left by a killed run", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sidecars-"));
  try {
    const stacks = path.join(dir, ".pulumi", "stacks", "p");
    fs.mkdirSync(stacks, { recursive: true });
    const write = (name: string, text: string) => fs.writeFileSync(path.join(stacks, name), text);
    write("dev.json", "{}");
    write("dev.json.attrs", "");
    write("prod.json", "{}");
    write("prod.json.attrs", '{"user.cache_control":""}');
    write("lonely.json.attrs", "");
    const now = Date.now();
    expect(emptyStaleSidecars(dir, now)).toEqual([]); // just written: may be being written now
    expect(emptyStaleSidecars(dir, now + 10_000)).toEqual([path.join(stacks, "dev.json.attrs")]);
    expect(emptyStaleSidecars(path.join(dir, "none"), now)).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the directory of a file backend URL", () => {
  expect(fileBackendDir("file:///tmp/state")).toBe("/tmp/state");
  expect(fileBackendDir(`file://~/state`)).toBe(path.join(os.homedir(), "state"));
  expect(fileBackendDir("https://api.pulumi.com")).toBeUndefined();
  expect(fileBackendDir(undefined)).toBeUndefined();
});
