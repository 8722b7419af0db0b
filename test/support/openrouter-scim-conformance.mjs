// Runs in a plain `node` process: @openrouter/sdk is ESM-only. Drives the emulator's
// OpenRouter SCIM endpoints with the vendor's own SDK (strict response schemas) and
// prints what it saw. Expects SCIM_GROUP_ID (a seeded group) and SCIM_WORKSPACE_ID.
import { OpenRouter } from "@openrouter/sdk";

const sdk = new OpenRouter({ apiKey: process.env.OPENROUTER_KEY_UNDER_TEST, serverURL: process.env.OPENROUTER_URL_UNDER_TEST, retryConfig: { strategy: "none" } });
const groupId = process.env.SCIM_GROUP_ID;
const workspaceId = process.env.SCIM_WORKSPACE_ID;
const seen = {};

seen.groups = [];
for await (const page of await sdk.scim.listGroups({ limit: 1 })) seen.groups.push(...page.result.data.map((g) => g.displayName));
const made = await sdk.scim.create({ createScimGroupMappingRequest: { scimGroupId: groupId, workspaceId, role: "member" } });
seen.made = { role: made.data.role, group: made.data.scimGroupId === groupId, org: made.data.organizationId };
const again = await sdk.scim.create({ createScimGroupMappingRequest: { scimGroupId: groupId, workspaceId, role: "member" } });
seen.sameAgain = again.data.id === made.data.id;
try {
  await sdk.scim.create({ createScimGroupMappingRequest: { scimGroupId: groupId, workspaceId, role: "admin" } });
  seen.otherRole = "allowed";
} catch (error) {
  seen.otherRole = error.constructor.name;
}
seen.updated = (await sdk.scim.update({ id: made.data.id, updateScimGroupMappingRequest: { role: "admin" } })).data.role;
seen.read = (await sdk.scim.read({ id: made.data.id })).data.role;
seen.mappings = [];
for await (const page of await sdk.scim.listMappings()) seen.mappings.push(page.result.totalCount);
seen.deleted = (await sdk.scim.delete({ id: made.data.id, keepMembers: true })).deleted;
try {
  await sdk.scim.read({ id: made.data.id });
  seen.afterDelete = "found";
} catch (error) {
  seen.afterDelete = error.constructor.name;
}
const job = await sdk.scim.createSyncJob();
seen.job = job.result.data.status;
seen.jobLater = (await sdk.scim.getSyncJob({ id: job.result.data.id })).data.status;

process.stdout.write(JSON.stringify(seen));
