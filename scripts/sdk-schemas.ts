/**
 * Writes each native provider's package schema, at the package's version, to
 * `<dir>/<vendor>.json` (what the plugins answer to GetSchema), for
 * scripts/gen-sdks.sh to generate the Python, Go and .NET SDKs from. Prints
 * the Go SDK's module path (the Go packages' common parent).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GO_SDK_MODULE, packageSchema } from "../provider/native/schema";
import { packageVersion } from "../provider/package-info";
import { vendors } from "../provider/resources";

const dir = process.argv[2];
if (!dir) throw new Error("usage: node dist/scripts/sdk-schemas.js <dir>");
fs.mkdirSync(dir, { recursive: true });
for (const vendor of vendors()) {
  fs.writeFileSync(path.join(dir, `${vendor.name}.json`), `${JSON.stringify(packageSchema(vendor, packageVersion()), null, 2)}\n`);
}
process.stdout.write(`${GO_SDK_MODULE}\n`);
