/**
 * The SDK classes (dynamic and native), their shared types and the README's
 * reference tables are generated from the resource declarations: a
 * declaration changed without `npm run generate` fails here, naming the stale
 * files (so does a version bump, which the native classes carry).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderGenerated, renderNativeClass } from "../../../scripts/generate";
import { vendors } from "../../../provider/resources";

test("the committed SDK classes and README tables are what the declarations generate", () => {
  const root = path.resolve(__dirname, "..", "..", "..");
  const stale = [...renderGenerated(root)]
    .filter(([file, content]) => !fs.existsSync(path.join(root, file)) || fs.readFileSync(path.join(root, file), "utf8") !== content)
    .map(([file]) => file);
  expect(stale).toEqual([]);
});

test("every SDK class file in sdk/<vendor>/ and sdk/native/<vendor>/ is generated (no hand-written class is left behind)", () => {
  const root = path.resolve(__dirname, "..", "..", "..");
  const generated = new Set(renderGenerated(root).keys());
  const directories = ["portkey", "openrouter"].flatMap((vendor) => [`sdk/${vendor}`, `sdk/native/${vendor}`]);
  const onDisk = [
    ...directories.flatMap((directory) => fs.readdirSync(path.join(root, directory)).map((file) => `${directory}/${file}`)),
    ...fs.readdirSync(path.join(root, "sdk", "native")).filter((file) => file.endsWith(".ts")).map((file) => `sdk/native/${file}`),
  ];
  expect(onDisk.filter((file) => !generated.has(file))).toEqual([]);
  // The native SDK has a Provider class per vendor.
  for (const vendor of ["portkey", "openrouter"]) expect(generated.has(`sdk/native/${vendor}/provider.ts`)).toBe(true);
});

test("a native class carries the package version and wraps secret inputs in pulumi.secret", () => {
  const vendor = vendors().find((candidate) => candidate.name === "portkey")!;
  const [resource] = vendor.resources;
  const original = resource.declared.declaration;
  const declaration = { ...original, inputs: () => ({ ...original.inputs(), description: { ...original.inputs().description, secret: true } }) };
  const text = renderNativeClass(vendor, { ...resource, declared: { ...resource.declared, declaration } }, "9.9.9");
  expect(text).toContain('const PLUGIN_VERSION = "9.9.9";');
  expect(text).toContain("if (!reading && args.description !== undefined) props.description = pulumi.secret(args.description);");
  expect(text).toContain('additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "description"]');
});
