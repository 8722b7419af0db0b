/**
 * Every declared resource says how its objects are enumerated (what
 * `import-org`, plural look-ups and recovery derive from), or says why it
 * cannot be: a resource added without either fails here.
 */
import { isEnumerable } from "../../../provider/enumeration";
import type { InputFields } from "../../../provider/resource";
import { vendors } from "../../../provider/resources";

const declarations = vendors().flatMap((vendor) => vendor.resources.map((r) => r.declared.declaration));
const kinds = new Set(declarations.map((d) => d.kind));

describe.each(declarations.map((d) => [d.kind, d] as const))("%s", (_kind, declaration) => {
  test("says how its objects are listed and named, or why it is not importable", () => {
    expect(declaration.enumerate).toBeDefined();
    if (declaration.enumerate && !isEnumerable(declaration.enumerate)) expect(declaration.enumerate.notImportable.length).toBeGreaterThan(10);
  });

  const enumerate = declaration.enumerate;
  if (!isEnumerable(enumerate)) return;
  const inputs = declaration.inputs() as InputFields;
  const outputs = declaration.outputs() as Record<string, unknown>;

  test("its identity and references name its own inputs; references name declared kinds", () => {
    expect(enumerate.identity.length).toBeGreaterThan(0);
    for (const name of enumerate.identity) expect(Object.keys(inputs)).toContain(name);
    for (const [name, reference] of Object.entries(enumerate.references ?? {})) {
      expect(Object.keys(inputs)).toContain(name);
      expect(kinds).toContain(reference!.kind);
    }
    for (const [name, output] of Object.entries(enumerate.shownAs ?? {})) {
      expect(enumerate.identity).toContain(name);
      expect(Object.keys(outputs)).toContain(output);
    }
  });
});

test("logical-name prefixes are unique, so names of different kinds never collide", () => {
  const prefixes = declarations.map((d) => d.enumerate).filter(isEnumerable).map((e) => e.prefix);
  expect(new Set(prefixes).size).toBe(prefixes.length);
});

test("references form no cycle, so every kind can be listed after the kinds it names", () => {
  const edges = new Map(declarations.map((d) => [d.kind, isEnumerable(d.enumerate) ? Object.values(d.enumerate.references ?? {}).map((r) => r!.kind) : []]));
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (kind: string): void => {
    if (done.has(kind)) return;
    expect(visiting.has(kind) ? `cycle through ${kind}` : kind).toBe(kind);
    visiting.add(kind);
    for (const next of edges.get(kind) ?? []) if (next !== kind) visit(next);
    visiting.delete(kind);
    done.add(kind);
  };
  for (const kind of edges.keys()) visit(kind);
});
