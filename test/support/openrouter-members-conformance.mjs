// Runs in a plain `node` process: @openrouter/sdk is ESM-only. Drives the emulator's
// OpenRouter member and budget endpoints with the vendor's own SDK (whose response
// schemas are strict) and prints what it saw. Expects organisation members
// user_sdk_a (org:admin) and user_sdk_b (org:member) to be seeded.
import { OpenRouter } from "@openrouter/sdk";

const sdk = new OpenRouter({ apiKey: process.env.OPENROUTER_KEY_UNDER_TEST, serverURL: process.env.OPENROUTER_URL_UNDER_TEST, retryConfig: { strategy: "none" } });
const seen = {};

const orgPages = [];
for await (const page of await sdk.organization.listMembers({ limit: 1 })) orgPages.push(page.result.data.map((m) => `${m.id} ${m.role}`));
seen.orgPages = orgPages;

const ws = await sdk.workspaces.create({ createWorkspaceRequest: { name: "SDK People", slug: "sdk-people" } });
const added = await sdk.workspaces.bulkAddMembers({ id: "sdk-people", bulkAddWorkspaceMembersRequest: { userIds: ["user_sdk_a", "user_sdk_b"] } });
seen.added = { count: added.addedCount, members: added.data.map((m) => `${m.userId} ${m.role} ${m.workspaceId === ws.data.id}`) };
const listed = await sdk.workspaces.listMembers({ id: ws.data.id });
seen.listed = [];
for await (const page of listed) seen.listed.push(page.result.totalCount);
const removed = await sdk.workspaces.bulkRemoveMembers({ id: ws.data.id, bulkRemoveWorkspaceMembersRequest: { userIds: ["user_sdk_b"] } });
seen.removed = removed.removedCount;
try {
  await sdk.workspaces.bulkAddMembers({ id: ws.data.id, bulkAddWorkspaceMembersRequest: { userIds: ["user_outsider"] } });
  seen.outsider = "allowed";
} catch (error) {
  seen.outsider = error.constructor.name;
}

const monthly = await sdk.workspaces.setBudget({ workspaceRef: ws.data.id, interval: "monthly", upsertWorkspaceBudgetRequest: { limitUsd: 100, includeByokInBudgets: true } });
seen.monthly = { limit: monthly.data.limitUsd, reset: monthly.data.resetInterval, byok: monthly.includeByokInBudgets };
const lifetime = await sdk.workspaces.setBudget({ workspaceRef: "sdk-people", interval: "lifetime", upsertWorkspaceBudgetRequest: { limitUsd: 1000 } });
seen.lifetimeReset = lifetime.data.resetInterval;
try {
  await sdk.workspaces.setBudget({ workspaceRef: ws.data.id, interval: "daily", upsertWorkspaceBudgetRequest: { limitUsd: 100 } });
  seen.dailyNotBelowMonthly = "allowed";
} catch (error) {
  seen.dailyNotBelowMonthly = error.constructor.name;
}
const got = await sdk.workspaces.getBudget({ workspaceRef: ws.data.id, interval: "monthly" });
seen.got = { limit: got.data.limitUsd, byok: got.includeByokInBudgets };
const budgets = await sdk.workspaces.listBudgets({ workspaceRef: ws.data.id });
seen.budgets = budgets.data.map((b) => b.resetInterval ?? "lifetime");
seen.deleted = (await sdk.workspaces.deleteBudget({ workspaceRef: ws.data.id, interval: "daily" })).deleted;

process.stdout.write(JSON.stringify(seen));
