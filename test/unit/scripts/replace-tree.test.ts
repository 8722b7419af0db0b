/**
 * The build's swap of dist/ (scripts/lib/replace-tree.js): a process reading
 * dist/ while another build replaces it never finds a file missing, and what
 * is left is exactly the new build.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const SCRIPT = path.resolve(__dirname, "..", "..", "..", "scripts", "lib", "replace-tree.js");
let work: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "replace-tree-"));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function write(root: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
}

function replace(fresh: string, live: string): Promise<number | null> {
  return new Promise((resolve) => spawn(process.execPath, [SCRIPT, fresh, live], { stdio: "inherit" }).once("exit", resolve));
}

test("the live tree ends as the fresh one: changed files replaced, unchanged ones untouched, stale files and emptied directories removed", async () => {
  const live = path.join(work, "dist");
  const fresh = path.join(work, "fresh");
  write(live, { "a.js": "old", "same.js": "same", "gone/stale.js": "stale" });
  write(fresh, { "a.js": "new", "same.js": "same", "added/b.js": "b" });
  const sameInode = fs.statSync(path.join(live, "same.js")).ino;
  expect(await replace(fresh, live)).toBe(0);
  const files = fs.readdirSync(live, { recursive: true, encoding: "utf8" }).sort();
  expect(files).toEqual(["a.js", "added", path.join("added", "b.js"), "same.js"]);
  expect(fs.readFileSync(path.join(live, "a.js"), "utf8")).toBe("new");
  expect(fs.statSync(path.join(live, "same.js")).ino).toBe(sameInode);
  expect(fs.existsSync(fresh)).toBe(false);
});

test("a process reading the live tree during the swap always finds every file, old or new", async () => {
  const live = path.join(work, "dist");
  const fresh = path.join(work, "fresh");
  const names = Array.from({ length: 2000 }, (_, i) => `m${i % 20}/f${i}.js`);
  write(live, Object.fromEntries(names.map((name) => [name, `old ${name}`])));
  write(fresh, Object.fromEntries(names.map((name) => [name, `new ${name}`])));
  const swapped = replace(fresh, live);
  let done = false;
  void swapped.then(() => (done = true));
  const seen = { old: 0, new: 0, missing: 0 };
  while (!done) {
    for (const name of names.filter((_, i) => i % 97 === 0)) {
      try {
        seen[fs.readFileSync(path.join(live, name), "utf8").startsWith("new") ? "new" : "old"]++;
      } catch {
        seen.missing++;
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(await swapped).toBe(0);
  expect(seen.missing).toBe(0);
  expect(seen.old + seen.new).toBeGreaterThan(0);
  expect(names.every((name) => fs.readFileSync(path.join(live, name), "utf8") === `new ${name}`)).toBe(true);
});
