/** The examples: the GitOps workflow is valid and does what its guide says; the programs type-check in the build. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "..", "..");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: { pull_request?: unknown; push?: { branches?: string[] } };
  env?: Record<string, string>;
  jobs: Record<string, { if?: string; "runs-on": string; steps: Step[] }>;
}

test("the GitOps workflow parses and previews on pull requests, applies on main, with the admin key from secrets", () => {
  const text = fs.readFileSync(path.join(ROOT, "examples/gitops/workflows/portkey-environments.yml"), "utf8");
  const workflow = yaml.load(text) as Workflow;
  expect(workflow.on.pull_request).toBeDefined();
  expect(workflow.on.push?.branches).toEqual(["main"]);
  expect(workflow.env?.PORTKEY_API_KEY).toBe("${{ secrets.PORTKEY_ADMIN_API_KEY }}");
  for (const job of Object.values(workflow.jobs)) {
    expect(job["runs-on"]).toBeTruthy();
    for (const step of job.steps) expect(Boolean(step.uses) !== Boolean(step.run)).toBe(true);
  }
  const pulumiStep = (job: string) => workflow.jobs[job].steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
  expect(workflow.jobs.preview.if).toContain("pull_request");
  expect(pulumiStep("preview")?.with).toMatchObject({ command: "preview", "comment-on-pr": true, diff: true });
  expect(workflow.jobs.up.if).toContain("refs/heads/main");
  expect(pulumiStep("up")?.with).toMatchObject({ command: "up" });
});

test("the bootstrap stack configs parse and name every environment setting the program requires", () => {
  for (const file of ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]) {
    const config = (yaml.load(fs.readFileSync(path.join(ROOT, "examples/bootstrap", file), "utf8")) as { config: Record<string, unknown> }).config;
    const environments = config["ai-gateway-bootstrap:environments"] as Record<string, unknown>[];
    expect(environments.length).toBeGreaterThan(0);
    for (const env of environments) {
      expect(env).toEqual(expect.objectContaining({ name: expect.any(String), monthlyBudgetUsd: expect.any(Number), requestsPerMinute: expect.any(Number) }));
    }
    expect(config["ai-gateway-bootstrap:apps"]).toBeDefined();
    expect(config["ai-gateway-bootstrap:integrationSlug"]).toBe("openai-shared");
  }
});

test("every example program was compiled by the build (so it type-checks)", () => {
  for (const example of ["bootstrap", "openrouter", "rotation"]) {
    expect(fs.existsSync(path.join(ROOT, "dist/examples", example, "index.js"))).toBe(true);
  }
});
