/** The vendored, trimmed OpenAPI document is exactly what the vendoring script makes of the official one. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { SERVED_PATHS, trimSpec } from "../../../scripts/vendor-portkey-spec";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const OFFICIAL = path.join(ROOT, "..", "shared", "reference", "portkey-openapi.yaml");
const VENDORED = path.join(ROOT, "emulator", "spec", "portkey-openapi.json");

// The official document lives beside the repository (../shared) in this project's CI and workspaces;
// a clone without it reports this test as skipped, never as passed.
const withOfficialDocument = fs.existsSync(OFFICIAL) ? test : test.skip;

withOfficialDocument("regenerating from ../shared/reference/portkey-openapi.yaml gives the committed file", () => {
  const official = yaml.load(fs.readFileSync(OFFICIAL, "utf8")) as Record<string, never>;
  const regenerated = JSON.parse(JSON.stringify(trimSpec(official)));
  expect(regenerated).toEqual(JSON.parse(fs.readFileSync(VENDORED, "utf8")));
});

test("the vendored document covers exactly the served paths, without prose, and carries its licence", () => {
  const vendored = JSON.parse(fs.readFileSync(VENDORED, "utf8"));
  expect(Object.keys(vendored.paths).sort()).toEqual([...SERVED_PATHS].sort());
  expect(JSON.stringify(vendored)).not.toMatch(/"(description|example|examples|x-code-samples)":\s*"/);
  expect(fs.readFileSync(path.join(ROOT, "emulator", "spec", "LICENSE.md"), "utf8")).toMatch(/MIT/);
});
