/**
 * `pulumi-ai-gateway recover`: what it reads from a stack export, and how
 * its decisions become one `pulumi refresh` (the engine test shows it end to
 * end against the emulator).
 */
import { deleteUnusable, describe as describeOutcome, importDocument, interrupted, Outcome, refreshArguments } from "../../../provider/cli/recover";

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
