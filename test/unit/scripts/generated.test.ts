/**
 * The SDK classes, their shared types and the README's reference tables are
 * generated from the resource declarations: a declaration changed without
 * `npm run generate` fails here, naming the stale files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderGenerated } from "../../../scripts/generate";

test("the committed SDK classes and README tables are what the declarations generate", () => {
  const root = path.resolve(__dirname, "..", "..", "..");
  const stale = [...renderGenerated(root)]
    .filter(([file, content]) => !fs.existsSync(path.join(root, file)) || fs.readFileSync(path.join(root, file), "utf8") !== content)
    .map(([file]) => file);
  expect(stale).toEqual([]);
});

test("every SDK class file in sdk/<vendor>/ is generated (no hand-written class is left behind)", () => {
  const root = path.resolve(__dirname, "..", "..", "..");
  const generated = new Set(renderGenerated(root).keys());
  const onDisk = ["portkey", "openrouter"].flatMap((vendor) =>
    fs.readdirSync(path.join(root, "sdk", vendor)).map((file) => `sdk/${vendor}/${file}`),
  );
  expect(onDisk.filter((file) => !generated.has(file))).toEqual([]);
});
