/**
 * A Python program (examples/python) on the generated Python SDK
 * (sdk/python/portkey) through the real engine, with the project's stand-in
 * Python language host (scripts/python-language-host: the real one is not
 * served here) running the `pulumi` package from PyPI, and the native provider
 * plugin of this checkout, against the emulator: create, a clean second
 * preview, an update in place, bad input refused at preview naming the
 * property, `pulumi import` of a workspace made by hand (declared afterwards,
 * it previews clean), and destroy.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_KEY, call } from "../support/emulator";
import { pythonEnv } from "../support/python";
import { changedSteps, StepReport, useEngineStack } from "./harness";

jest.setTimeout(10 * 60_000);

const ROOT = path.resolve(__dirname, "..", "..");
const EXAMPLE = path.join(ROOT, "examples", "python");
const python = pythonEnv();
if ("missing" in python) console.log(`The Python program tests are skipped: ${python.missing}.`);
const suite = "python" in python ? describe : describe.skip;

/** The example, copied: the stack's settings file and edits to the program stay out of the checkout. */
const PROGRAM = fs.mkdtempSync(path.join(os.tmpdir(), "python-program-"));
fs.cpSync(EXAMPLE, PROGRAM, { recursive: true });
/** Where the SDK is installed for the program (a directory of its own: the shared environment stays as it is). */
const SITE = path.join(PROGRAM, ".site");

let emulator: RunningEmulator;
/** The workspaces the organisation starts with (its default one). */
let seeded: string[];
beforeAll(async () => {
  if ("python" in python) {
    // Installed (not only put on the path): the SDK reads its own version from its installed metadata.
    // From a copy: setuptools leaves build/ and *.egg-info beside the sources, and sdk/ must stay as generated.
    // Both vendors' SDKs: the reference pages' examples use each.
    for (const vendor of ["portkey", "openrouter"]) {
      const source = path.join(PROGRAM, `.sdk-source-${vendor}`);
      fs.cpSync(path.join(ROOT, "sdk", "python", vendor), source, { recursive: true });
      execFileSync(python.python, ["-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", SITE, source], {
        cwd: PROGRAM,
        stdio: ["ignore", "ignore", "inherit"],
      });
    }
  }
  emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true });
  seeded = liveWorkspaces().map((workspace) => workspace.id);
});

const engine = useEngineStack(() => ({
  workDir: PROGRAM,
  env: {
    // The stand-in language host and the plugin, found on PATH.
    PATH: [path.join(ROOT, "scripts", "python-language-host"), path.join(ROOT, "bin"), process.env.PATH ?? ""].join(path.delimiter),
    PULUMI_PYTHON_CMD: "python" in python ? python.python : "python3",
    PYTHONPATH: SITE,
  },
  config: {
    "portkey:apiKey": { value: ADMIN_KEY, secret: true },
    "portkey:baseUrl": { value: emulator.portkeyBaseUrl },
  },
}));
// After the stacks' own afterAll (jest runs them in the order declared): their last destroy needs the emulator.
afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(PROGRAM, { recursive: true, force: true });
});

function programSteps(steps: StepReport[]): string[] {
  return changedSteps(steps)
    .filter((step) => !step.type.startsWith("pulumi:"))
    .map((step) => `${step.op} ${step.type}`)
    .sort();
}

function liveWorkspaces() {
  return Object.values(emulator.state().workspaces).filter((workspace) => !workspace.deleted_at);
}

suite("a Python program on the generated SDK and the native plugin", () => {
  test("up creates the workspace and its key, the key is a secret output, and a second preview is clean", async () => {
    const created = await engine().up();
    expect(programSteps(created.steps)).toEqual(["create portkey:index:ApiKey", "create portkey:index:Workspace"]);
    expect(created.outputs.serviceKey.secret).toBe(true);
    const workspace = liveWorkspaces().find((candidate) => candidate.name === "Team (Python)");
    expect(workspace?.description).toBe("Managed by Pulumi, in Python");
    expect(created.outputs.workspaceId.value).toBe(workspace?.id);
    const key = Object.values(emulator.state().api_keys).find((candidate) => candidate.name === "team-service" && !candidate.deleted_at);
    expect(key?.workspace_id).toBe(workspace?.id);
    expect((await engine().exportState()).text).not.toContain(String(created.outputs.serviceKey.value));
    expect(programSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("a changed setting updates the workspace in place", async () => {
    await engine().setConfig({ "ai-gateway-python:teamDescription": { value: "Changed in Python" } });
    const preview = await engine().preview();
    expect(programSteps(preview.steps)).toEqual(["update portkey:index:Workspace"]);
    expect(preview.diffText).toMatch(/~ description\s*:\s*"Managed by Pulumi, in Python" => "Changed in Python"/);
    await engine().up();
    expect(liveWorkspaces().find((candidate) => candidate.name === "Team (Python)")?.description).toBe("Changed in Python");
    expect(programSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("bad input is refused at preview, naming the property, and nothing is sent", async () => {
    const before = emulator.requestLog().length;
    await engine().setConfig({ "ai-gateway-python:teamName": { value: "x".repeat(101) } });
    await expect(engine().preview()).rejects.toThrow(/name: must be at most 100 characters/);
    expect(emulator.requestLog().slice(before).filter((request) => request.method !== "GET")).toEqual([]);
    await engine().removeConfig(["ai-gateway-python:teamName"]);
  });

  test("pulumi import adopts a workspace made by hand; declared in the program, it previews clean", async () => {
    const made = (await call(emulator, "POST", "/admin/workspaces", { name: "made-by-hand", description: "by hand" })).body as { id: string };
    const imported = await engine().stack.import({
      resources: [{ type: "portkey:index:Workspace", name: "byHand", id: made.id }],
      protect: false,
      // Code generation is the real host's (GenerateProgram); the stand-in does not do it.
      generateCode: false,
    });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    fs.appendFileSync(path.join(PROGRAM, "__main__.py"), '\nportkey.Workspace("byHand", name="made-by-hand", description="by hand")\n');
    expect(programSteps((await engine().preview()).steps)).toEqual([]);
  });

  test("destroy deletes everything the program manages, the imported workspace with it", async () => {
    await engine().destroy();
    expect(liveWorkspaces().filter((workspace) => !seeded.includes(workspace.id))).toEqual([]);
    expect(Object.values(emulator.state().api_keys).filter((key) => key.name === "team-service" && !key.deleted_at)).toEqual([]);
  });
});

/** The Python examples of the reference pages (docs/resources/ and docs/lookups/), by page. */
function referenceExamples(): { page: string; code: string }[] {
  return ["resources", "lookups"].flatMap((part) => {
    const root = path.join(ROOT, "docs", part);
    return fs.readdirSync(root).flatMap((vendor) =>
      fs
        .readdirSync(path.join(root, vendor))
        .filter((file) => file.endsWith(".md"))
        .flatMap((file) => {
          const page = `${part}/${vendor}/${file}`;
          return [...fs.readFileSync(path.join(root, vendor, file), "utf8").matchAll(/```python\n([\s\S]*?)```/g)].map((m) => ({ page, code: m[1] }));
        }),
    );
  });
}

suite("the reference pages' Python examples", () => {
  test("each runs on the generated SDKs under Pulumi's mocks: every class, function and keyword argument it uses exists", () => {
    const examples = referenceExamples();
    expect(examples.length).toBeGreaterThanOrEqual(100);
    const runner = path.join(PROGRAM, "run_examples.py");
    // Each example in a fresh namespace; a wrong keyword argument raises TypeError as the class is made,
    // and registration problems surface when the mocked deployment settles.
    fs.writeFileSync(
      runner,
      [
        "import json, sys",
        "import pulumi",
        "",
        "class Mocks(pulumi.runtime.Mocks):",
        "    def new_resource(self, args):",
        '        return [args.name + "-id", args.inputs]',
        "    def call(self, args):",
        "        return {}",
        "",
        'pulumi.runtime.set_mocks(Mocks(), project="docs", stack="examples", preview=False)',
        "failures = []",
        "examples = json.load(open(sys.argv[1]))",
        "for example in examples:",
        "    try:",
        '        exec(compile(example["code"], example["page"], "exec"), {})',
        "    except Exception as error:",
        '        failures.append(example["page"] + ": " + repr(error))',
        'print(json.dumps({"ran": len(examples), "failures": failures}))',
      ].join("\n"),
    );
    const input = path.join(PROGRAM, "examples.json");
    fs.writeFileSync(input, JSON.stringify(examples));
    const out = execFileSync("python" in python ? python.python : "python3", [runner, input], { env: { ...process.env, PYTHONPATH: SITE }, encoding: "utf8" });
    const result = JSON.parse(out.trim().split("\n").pop()!) as { ran: number; failures: string[] };
    expect(result.failures).toEqual([]);
    expect(result.ran).toBe(examples.length);
  });
});
