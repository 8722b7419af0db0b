/**
 * Writes the trimmed copy of Portkey's official OpenAPI document that the
 * emulator and its fidelity tests validate against: only the paths the
 * emulator serves, the components they reference, and no descriptions,
 * examples or code samples.
 *
 *   node dist/scripts/vendor-portkey-spec.js [path/to/portkey-openapi.yaml]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/** The paths the emulator serves, exactly as the official document spells them. */
export const SERVED_PATHS = [
  "/admin/workspaces",
  "/admin/workspaces/{workspaceId}",
  "/api-keys/{type}/{sub-type}",
  "/api-keys",
  "/api-keys/{id}",
  "/api-keys/{id}/rotate",
  "/integrations",
  "/integrations/{slug}",
  "/integrations/{slug}/workspaces",
  "/guardrails",
  "/guardrails/{guardrailId}",
  "/secret-references",
  "/secret-references/{secretReferenceId}",
  "/policies/usage-limits",
  "/policies/usage-limits/{policyUsageLimitsId}",
  "/policies/usage-limits/{policyUsageLimitsId}/entities",
  "/policies/usage-limits/{policyUsageLimitsId}/entities/{entityId}/reset",
  "/policies/rate-limits",
  "/policies/rate-limits/{rateLimitsPolicyId}",
  "/integrations/{slug}/models",
  "/providers",
  "/providers/{slug}",
  "/admin/users",
  "/admin/users/{userId}",
  "/admin/users/invites",
  "/admin/users/invites/{inviteId}",
  "/admin/users/invites/{inviteId}/resend",
  "/admin/workspaces/{workspaceId}/users",
  "/admin/workspaces/{workspaceId}/users/{userId}",
  "/collections",
  "/collections/{collectionId}",
  "/labels",
  "/labels/{labelId}",
  "/prompts",
  "/prompts/{promptId}",
  "/prompts/{promptId}/versions",
  "/prompts/{promptId}/versions/{versionId}",
  "/prompts/{promptId}/makeDefault",
  "/prompts/partials",
  "/prompts/partials/{promptPartialId}",
  "/prompts/partials/{promptPartialId}/versions",
  "/prompts/partials/{promptPartialId}/makeDefault",
  "/mcp-integrations",
  "/mcp-integrations/{mcpIntegrationId}",
  "/mcp-integrations/{mcpIntegrationId}/workspaces",
  "/mcp-integrations/{mcpIntegrationId}/capabilities",
  "/mcp-integrations/{mcpIntegrationId}/metadata",
  "/mcp-servers",
  "/mcp-servers/{mcpServerId}",
  "/mcp-servers/{mcpServerId}/capabilities",
  "/mcp-servers/{mcpServerId}/user-access",
  "/mcp-servers/{mcpServerId}/connections",
  "/scim/workspaces",
  "/scim/workspaces/{scimWorkspaceGroupId}",
];

const DROPPED_ANNOTATIONS = new Set(["description", "example", "examples", "x-code-samples", "summary", "externalDocs"]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Removes prose and samples, but never a property that merely has such a name. */
function strip(node: Json, parentKey?: string): Json {
  if (Array.isArray(node)) return node.map((item) => strip(item));
  if (node === null || typeof node !== "object") return node;
  const result: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    const isPropertyName = parentKey === "properties";
    if (!isPropertyName && DROPPED_ANNOTATIONS.has(key)) continue;
    if (!isPropertyName && key === "servers") continue;
    result[key] = strip(value, key);
  }
  return result;
}

function collectRefs(node: Json, into: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((item) => collectRefs(item, into));
  if (node === null || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string") into.add(value);
    else collectRefs(value, into);
  }
}

function resolvePointer(document: Json, pointer: string): Json {
  let node: Json = document;
  for (const segment of pointer.replace(/^#\//, "").split("/")) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) throw new Error(`bad $ref ${pointer}`);
    node = node[segment.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

export function trimSpec(full: { [key: string]: Json }): { [key: string]: Json } {
  const allPaths = full.paths as { [key: string]: Json };
  const paths: { [key: string]: Json } = {};
  for (const served of SERVED_PATHS) {
    if (!(served in allPaths)) throw new Error(`the official document has no path ${served}`);
    paths[served] = strip(allPaths[served]);
  }
  // Pull in every component the served paths reach, transitively.
  const components: { [section: string]: { [name: string]: Json } } = {};
  const pending = new Set<string>();
  collectRefs(paths, pending);
  const done = new Set<string>();
  while (pending.size > 0) {
    const ref = pending.values().next().value as string;
    pending.delete(ref);
    if (done.has(ref)) continue;
    done.add(ref);
    const [, section, name] = ref.replace(/^#\//, "").split("/").slice(0, 3).length === 3
      ? ref.replace(/^#\//, "").split("/")
      : ["", "", ""];
    const target = strip(resolvePointer(full, ref));
    (components[section] ??= {})[name] = target;
    collectRefs(target, pending);
  }
  const info = full.info as { [key: string]: Json };
  return {
    openapi: full.openapi,
    info: { title: info.title, version: info.version, license: info.license },
    "x-trimmed": "Generated by scripts/vendor-portkey-spec.ts from Portkey's official OpenAPI document (MIT, see LICENSE.md beside this file): served paths only, prose and samples removed.",
    paths,
    components,
  };
}

function main(): void {
  const root = path.resolve(__dirname, "..", "..");
  const source = process.argv[2] ?? path.join(root, "..", "shared", "reference", "portkey-openapi.yaml");
  const full = yaml.load(fs.readFileSync(source, "utf8")) as { [key: string]: Json };
  const trimmed = trimSpec(full);
  const outDir = path.join(root, "emulator", "spec");
  fs.writeFileSync(path.join(outDir, "portkey-openapi.json"), JSON.stringify(trimmed, null, 1) + "\n");
  const license = path.join(path.dirname(source), "portkey-openapi.LICENSE.md");
  if (fs.existsSync(license)) fs.writeFileSync(path.join(outDir, "LICENSE.md"), fs.readFileSync(license));
  process.stdout.write(`wrote ${Object.keys(trimmed.paths as object).length} paths to ${outDir}\n`);
}

if (require.main === module) main();
