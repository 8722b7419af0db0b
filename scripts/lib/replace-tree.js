#!/usr/bin/env node
// replace-tree.js <fresh> <live>: makes directory <live> hold exactly what <fresh> holds, then removes <fresh>.
// Processes may be running code from <live> (an emulator, a demo, tests): nothing is removed before its
// replacement is in place, and each file is replaced by a rename, so a reader sees the old file or the
// new one, never none or half of one. Files whose source is gone are removed last. Unchanged files are
// left as they are.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [fresh, live] = process.argv.slice(2).map((dir) => path.resolve(dir));
if (!fresh || !live) {
  process.stderr.write("usage: replace-tree.js <fresh> <live>\n");
  process.exit(2);
}

function files(root) {
  return fs.existsSync(root) ? fs.readdirSync(root, { recursive: true }).filter((file) => fs.lstatSync(path.join(root, file)).isFile()) : [];
}

const wanted = new Set(files(fresh));
for (const file of wanted) {
  const source = path.join(fresh, file);
  const target = path.join(live, file);
  const content = fs.readFileSync(source);
  if (fs.existsSync(target) && content.equals(fs.readFileSync(target))) continue;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.renameSync(source, target);
}
for (const file of files(live)) if (!wanted.has(file)) fs.rmSync(path.join(live, file), { force: true });
// Directories left empty by removed files go too, deepest first.
const dirs = fs.readdirSync(live, { recursive: true }).map((d) => path.join(live, d)).filter((d) => fs.lstatSync(d).isDirectory());
for (const dir of dirs.sort((a, b) => b.length - a.length)) if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
fs.rmSync(fresh, { recursive: true, force: true });
