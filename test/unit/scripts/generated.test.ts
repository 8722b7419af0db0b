/**
 * The SDK classes (dynamic and native), their shared types and the reference
 * pages of docs/ are generated from the resource declarations: a declaration
 * changed without `npm run generate` fails here, naming the stale files (so
 * does a version bump, which the native classes carry).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { renderGenerated, renderNativeClass } from "../../../scripts/generate";
import { renderDocs } from "../../../scripts/docs";
import { vendors } from "../../../provider/resources";

const root = path.resolve(__dirname, "..", "..", "..");
let rendered: Map<string, string> | undefined;
/** Every generated file, rendered once for the tests that need it (each test can still run alone). */
const generatedFiles = () => (rendered ??= renderGenerated(root));

test("the committed SDK classes and docs/ reference pages are what the declarations generate", () => {
  const stale = [...generatedFiles()]
    .filter(([file, content]) => !fs.existsSync(path.join(root, file)) || fs.readFileSync(path.join(root, file), "utf8") !== content)
    .map(([file]) => file);
  expect(stale).toEqual([]);
});

test("every SDK class file in sdk/<vendor>/ and sdk/native/<vendor>/ is generated (no hand-written class is left behind)", () => {
  const generated = new Set(generatedFiles().keys());
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

test("every reference page in docs/resources/ and docs/lookups/ is generated (a removed resource or look-up leaves no page behind)", () => {
  const generated = new Set(generatedFiles().keys());
  const pages = ["resources", "lookups"].flatMap((part) =>
    fs.readdirSync(path.join(root, "docs", part)).flatMap((vendor) => fs.readdirSync(path.join(root, "docs", part, vendor)).map((file) => `docs/${part}/${vendor}/${file}`)),
  );
  expect(pages.length).toBeGreaterThan(0);
  expect(pages.filter((page) => !generated.has(page))).toEqual([]);
});

test("a reference page keeps what is written by hand below its generated block, and its examples are programs of the resource", () => {
  const all = vendors();
  const portkey = all.find((vendor) => vendor.name === "portkey")!;
  const notes = "\n## Notes\n\nWritten by hand.\n";
  const existing = (file: string) =>
    file === "index.md" ? "<!-- generated: reference -->\n<!-- /generated -->\n" : file === "resources/portkey/ApiKey.md" ? `<!-- generated: portkey:ApiKey -->\nold\n<!-- /generated -->\n${notes}` : undefined;
  const page = renderDocs(all, existing).get("resources/portkey/ApiKey.md")!;
  expect(page.endsWith(`<!-- /generated -->\n${notes}`)).toBe(true);
  expect(page).not.toContain("\nold\n");

  // The YAML example declares the key and the workspace it references, as import-org's programs do.
  const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(page)![1];
  const program = yaml.load(yamlBlock) as { resources: Record<string, { type: string; properties: Record<string, unknown> }> };
  expect(Object.values(program.resources).map((r) => r.type)).toEqual(["portkey:index:Workspace", "portkey:index:ApiKey"]);
  expect(program.resources["api-key"].properties).toMatchObject({ type: "workspace", workspaceId: "${workspace.id}", scopes: ["completions.write"] });
  // The Python example is the same program on the generated SDK, arguments in its snake_case names
  // (python-program.test.ts runs every page's under Pulumi's mocks).
  const pythonBlock = /```python\n([\s\S]*?)```/.exec(page)![1];
  expect(pythonBlock).toContain("import pulumi_ai_gateway_portkey as portkey\n");
  expect(pythonBlock).toMatch(/workspace = portkey\.Workspace\(\n {4}"workspace",/);
  expect(pythonBlock).toMatch(/portkey\.ApiKey\(\n {4}"api-key",\n {4}type="workspace",\n {4}sub_type="service",\n {4}workspace_id=workspace\.id,/);
  // Every example passes the resource's own check (the generator refuses one that does not).
  const apiKey = portkey.resources.find((r) => r.declared.declaration.kind === "portkey:ApiKey")!;
  expect(apiKey.declared.inputSchema().safeParse({ ...program.resources["api-key"].properties, workspaceId: "ws-dev" }).success).toBe(true);
});

test("every relative link in README.md and docs/ names a file that exists, and a heading on it when it names one", () => {
  const pages = (directory: string): string[] =>
    fs.readdirSync(path.join(root, directory), { withFileTypes: true }).flatMap((entry) => {
      const relative = `${directory}/${entry.name}`;
      return entry.isDirectory() ? pages(relative) : entry.name.endsWith(".md") ? [relative] : [];
    });
  // GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens (outside code blocks).
  const anchorsOf = (file: string) =>
    new Set(
      fs
        .readFileSync(path.join(root, file), "utf8")
        .replace(/```[\s\S]*?```/g, "")
        .split("\n")
        .filter((line) => /^#+ /.test(line))
        .map((line) => line.replace(/^#+ /, "").trim().toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-")),
    );
  const broken: string[] = [];
  for (const page of ["README.md", ...pages("docs")]) {
    const text = fs.readFileSync(path.join(root, page), "utf8");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split("#");
      const resolved = file ? path.posix.normalize(path.posix.join(path.posix.dirname(page), file)) : page;
      if (!fs.existsSync(path.join(root, resolved))) broken.push(`${page}: ${target}`);
      else if (anchor && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor)) broken.push(`${page}: ${target} (no such heading)`);
    }
  }
  expect(broken).toEqual([]);
});
