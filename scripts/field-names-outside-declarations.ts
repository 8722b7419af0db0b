/**
 * Counts the places in provider/<vendor>/ that name a declared field by hand
 * outside its declaration's field table: the figure issue 25 tracks ("a
 * field's name appears nowhere outside its declaration"). Prints each place
 * and the totals.
 *
 * What counts, in the vendor's sources (its `api/` layer excluded), a "field
 * name" being an input or output name of a declaration (resource or look-up)
 * the file makes, or of one made in a file that imports it, directly or
 * through other files (a file no declaration reaches is read against every
 * name of the vendor). A name of another declaration is a value there that
 * happens to be spelled alike (a status `disabled`, a format `string`):
 *
 * - a test of a name: a string literal that is a field name compared with
 *   `===`/`!==`, or passed to `.includes(...)`;
 * - a list of names: an array literal holding two or more field-name string
 *   literals (an enumeration's `identity` and `uniqueTogether` sets excepted:
 *   those are declared; so is the path a `refine` reports a problem at, the
 *   first argument of its `issue`, which names one field and a place in it);
 * - a table keyed by names: an object literal with two or more field-name
 *   keys, declared as a `Record` keyed by `keyof` a declaration's types
 *   (e.g. each field's update name, each field's clearing value);
 * - a hand-written field map: an object literal with two or more members
 *   `name: <state>.name` (field names; `<state>` one of the names hooks give
 *   inputs and outputs: olds, news, outputs, ...) and nothing else but spreads;
 * - a repeated shared input: every `workspaceId: input(...)` written out in a
 *   declaration beyond the first per vendor (one shared definition is the aim).
 *
 * Run: npm run build, then `node dist/scripts/field-names-outside-declarations.js`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { vendors } from "../provider/resources";
import type { InputField, OutputField } from "../provider/resource";

/** What hooks call a resource's inputs and outputs: a map copies fields from one of these. */
const STATE = new Set(["olds", "news", "inputs", "outputs", "stored", "written", "carried", "expected", "known"]);

interface Place {
  file: string;
  line: number;
  what: string;
}

function sourcesOf(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "api" ? [] : sourcesOf(full);
      return entry.name.endsWith(".ts") ? [full] : [];
    })
    .sort();
}

/** Whether `call` reports a problem through a refine's `issue` (its second parameter, or a parameter typed `AddIssue`). */
function isIssueCall(call: ts.CallExpression): boolean {
  if (!ts.isIdentifier(call.expression)) return false;
  const name = call.expression.text;
  for (let node: ts.Node | undefined = call.parent; node; node = node.parent) {
    if (!ts.isFunctionLike(node)) continue;
    const index = node.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === name);
    if (index < 0) continue;
    const parameter = node.parameters[index];
    if (parameter.type && parameter.type.getText() === "AddIssue") return true;
    const owner = ts.isMethodDeclaration(node) ? node : ts.isPropertyAssignment(node.parent) ? node.parent : undefined;
    return index === 1 && owner !== undefined && !!owner.name && ts.isIdentifier(owner.name) && owner.name.text === "refine";
  }
  return false;
}

/** The files of `dir` each relative import names (`./x` → `dir/x.ts`). */
function importsOf(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    const imported: string[] = [];
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const target = path.join(path.dirname(file), `${statement.moduleSpecifier.text}.ts`);
      if (statement.moduleSpecifier.text.startsWith(".") && files.includes(target)) imported.push(target);
    }
    graph.set(file, imported);
  }
  return graph;
}

/** Each file's field names: those of the declarations made in it or in any file that imports it (see the header). */
function namesPerFile(files: string[], declared: Map<string, Set<string>>, all: Set<string>): Map<string, Set<string>> {
  const graph = importsOf(files);
  const result = new Map<string, Set<string>>();
  for (const file of files) {
    const names = new Set<string>();
    const reached = new Set<string>([file]);
    const queue = [file];
    while (queue.length > 0) {
      const current = queue.pop()!;
      for (const name of declared.get(current) ?? []) names.add(name);
      for (const [importer, imported] of graph) {
        if (imported.includes(current) && !reached.has(importer)) {
          reached.add(importer);
          queue.push(importer);
        }
      }
    }
    result.set(file, names.size > 0 ? names : all);
  }
  return result;
}

function placesIn(file: string, names: Set<string>): { places: Place[]; sharedInputs: number } {
  const text = fs.readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const places: Place[] = [];
  let sharedInputs = 0;
  const at = (node: ts.Node, what: string) =>
    places.push({ file: path.relative(process.cwd(), file), line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, what });
  const isName = (node: ts.Node): node is ts.StringLiteral => ts.isStringLiteral(node) && names.has(node.text);

  const visit = (node: ts.Node) => {
    if (ts.isBinaryExpression(node) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(node.operatorToken.kind)) {
      // `typeof x === "string"` names a type, not a field.
      const typeTest = [node.left, node.right].some((side) => ts.isTypeOfExpression(side));
      for (const side of [node.left, node.right]) if (isName(side) && !typeTest) at(side, `tests the name "${side.text}"`);
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "includes") {
      for (const arg of node.arguments) if (isName(arg)) at(arg, `tests the name "${arg.text}"`);
    }
    if (ts.isArrayLiteralExpression(node)) {
      const listed = node.elements.filter(isName);
      // An enumeration's identity and the sets of values unique together are declarations themselves.
      const property = ts.isArrayLiteralExpression(node.parent) ? node.parent.parent : node.parent;
      const declared = ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && ["identity", "uniqueTogether"].includes(property.name.text);
      const issuePath = ts.isCallExpression(node.parent) && node.parent.arguments[0] === node && isIssueCall(node.parent);
      if (listed.length >= 2 && !declared && !issuePath) at(node, `lists the names ${listed.map((l) => l.text).join(", ")}`);
    }
    if (ts.isObjectLiteralExpression(node) && ts.isVariableDeclaration(node.parent) && node.parent.type && /Record<\s*keyof\b/.test(node.parent.type.getText())) {
      const keys = node.properties.filter((p) => p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && names.has(p.name.text));
      if (keys.length >= 2) at(node, `keys a table by the names ${keys.map((p) => (p.name as ts.Identifier).text).join(", ")}`);
    }
    if (ts.isObjectLiteralExpression(node)) {
      const mapped = node.properties.filter(
        (p) =>
          ts.isPropertyAssignment(p) &&
          ts.isIdentifier(p.name) &&
          names.has(p.name.text) &&
          ts.isPropertyAccessExpression(p.initializer) &&
          ts.isIdentifier(p.initializer.expression) &&
          STATE.has(p.initializer.expression.text) &&
          p.initializer.name.text === p.name.text,
      );
      const others = node.properties.filter((p) => !mapped.includes(p) && !ts.isSpreadAssignment(p));
      if (mapped.length >= 2 && others.length === 0) at(node, `maps the fields ${mapped.map((p) => (p.name as ts.Identifier).text).join(", ")} by hand`);
    }
    if (
      ts.isPropertyAssignment(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === "workspaceId" &&
      ts.isCallExpression(node.initializer) &&
      ts.isIdentifier(node.initializer.expression) &&
      node.initializer.expression.text === "input"
    ) {
      sharedInputs++;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { places, sharedInputs };
}

function main(): void {
  let total = 0;
  for (const vendor of vendors()) {
    const all = new Set<string>();
    const declared = new Map<string, Set<string>>();
    const note = (module: string, fields: Record<string, InputField | OutputField>[]) => {
      const file = `${module}.ts`;
      const names = declared.get(file) ?? new Set<string>();
      for (const name of fields.flatMap((table) => Object.keys(table))) {
        names.add(name);
        all.add(name);
      }
      declared.set(file, names);
    };
    for (const resource of vendor.resources) note(resource.module, [resource.declared.declaration.inputs(), resource.declared.declaration.outputs()]);
    // Derived look-ups restate their kind's fields; only hand-written ones declare names of their own.
    for (const lookup of vendor.lookups.filter((l) => !l.derivedFrom)) note(lookup.module, [lookup.declared.declaration.args(), lookup.declared.declaration.results()]);
    const files = sourcesOf(path.join("provider", vendor.name));
    const names = namesPerFile(files, declared, all);
    let places = 0;
    let written = 0;
    for (const file of files) {
      const found = placesIn(file, names.get(file)!);
      for (const place of found.places) console.log(`${place.file}:${place.line}: ${place.what}`);
      places += found.places.length;
      written += found.sharedInputs;
    }
    const repeated = Math.max(0, written - 1);
    console.log(`${vendor.name}: ${places} place(s) naming fields by hand; workspaceId input written out ${written} time(s) (${repeated} repeat(s))`);
    total += places + repeated;
  }
  console.log(`total: ${total}`);
}

main();
