/**
 * `npm run release`: every artifact of the version in one folder, and the
 * check that they all agree on it. Built for this machine's platform only
 * (the plugin executables are cached by content, so this reuses what the
 * plugin-archive test built); the other platforms are built by the release
 * itself.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hostTarget } from "../../scripts/plugin-archives";

jest.setTimeout(15 * 60_000);

const ROOT = path.resolve(__dirname, "..", "..");
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "release-"));
const out = path.join(work, `v${VERSION}`);
const host = hostTarget();
const platform = host ? `${host.os}-${host.arch}` : undefined;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function release(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, "dist", "scripts", "release.js"), ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

if (!platform) console.log(`No plugin executable is built for ${process.platform}-${process.arch}: the release test is skipped.`);

(platform ? describe : describe.skip)("npm run release", () => {
  beforeAll(async () => {
    const written = await release(["--out", out, "--targets", platform!]);
    if (written.code !== 0) throw new Error(`release failed:\n${written.stdout}\n${written.stderr}`);
  });

  test("writes the npm tarball, both plugin archives and the Python and Go SDK packages of the version into one folder, with their checksums, and checks them", async () => {
    expect(fs.readdirSync(out).sort()).toEqual(
      [
        `pulumi-ai-gateway-${VERSION}.tgz`,
        `pulumi-resource-openrouter-v${VERSION}-${platform}.tar.gz`,
        `pulumi-resource-portkey-v${VERSION}-${platform}.tar.gz`,
        `pulumi_ai_gateway_openrouter-${VERSION}-py3-none-any.whl`,
        `pulumi_ai_gateway_portkey-${VERSION}-py3-none-any.whl`,
        `pulumi-ai-gateway-sdk-go-v${VERSION}.tar.gz`,
        "SHA256SUMS",
      ].sort(),
    );
    const sums = fs.readFileSync(path.join(out, "SHA256SUMS"), "utf8").trim().split("\n");
    expect(sums).toHaveLength(6);
    for (const line of sums) expect(line).toMatch(/^[0-9a-f]{64} {2}pulumi/);
    const checked = await release(["--check", out, "--targets", platform!]);
    expect(checked).toMatchObject({ code: 0, stdout: `Checked: every artifact in ${out} is version ${VERSION}.\n` });
  });

  test("the check refuses a folder where an artifact is of another version, or one is missing", async () => {
    const mixed = path.join(work, "mixed");
    fs.cpSync(out, mixed, { recursive: true });
    const archive = `pulumi-resource-portkey-v${VERSION}-${platform}.tar.gz`;
    fs.renameSync(path.join(mixed, archive), path.join(mixed, archive.replace(VERSION, "9.9.9")));
    const checked = await release(["--check", mixed, "--targets", platform!]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(`- ${archive} is missing`);
    expect(checked.stderr).toContain(`- ${archive.replace(VERSION, "9.9.9")} does not belong to version ${VERSION}`);
    const wheel = `pulumi_ai_gateway_portkey-${VERSION}-py3-none-any.whl`;
    fs.renameSync(path.join(mixed, wheel), path.join(mixed, wheel.replace(VERSION, "9.9.9")));
    const again = await release(["--check", mixed, "--targets", platform!]);
    expect(again.stderr).toContain(`- ${wheel} is missing`);
    expect(again.stderr).toContain(`- ${wheel.replace(VERSION, "9.9.9")} does not belong to version ${VERSION}`);
  });
});
