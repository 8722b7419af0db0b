// Runs in a plain `node` process: @openrouter/sdk is ESM-only. Drives the
// emulator's OpenRouter endpoints with the vendor's own SDK and prints what it saw.
import { OpenRouter } from "@openrouter/sdk";

const sdk = new OpenRouter({ apiKey: process.env.OPENROUTER_KEY_UNDER_TEST, serverURL: process.env.OPENROUTER_URL_UNDER_TEST, retryConfig: { strategy: "none" } });
const seen = {};

const created = await sdk.workspaces.create({ createWorkspaceRequest: { name: "SDK Team", slug: "sdk-team", description: "made by the SDK", ioLoggingSamplingRate: 0.5, defaultProviderSort: "price" } });
seen.created = { slug: created.data.slug, rate: created.data.ioLoggingSamplingRate, sort: created.data.defaultProviderSort, updatedAt: created.data.updatedAt };
const got = await sdk.workspaces.get({ id: "sdk-team" });
seen.getBySlug = got.data.id === created.data.id;
const updated = await sdk.workspaces.update({ id: created.data.id, updateWorkspaceRequest: { slug: "sdk-team-renamed", description: null, isObservabilityBroadcastEnabled: true } });
seen.updated = { slug: updated.data.slug, description: updated.data.description, broadcast: updated.data.isObservabilityBroadcastEnabled };
const pages = [];
for await (const page of await sdk.workspaces.list({ limit: 1 })) pages.push(page.result.data.map((w) => w.slug));
seen.pages = pages;

const key = await sdk.apiKeys.create({ requestBody: { name: "sdk-key", limit: 10, limitReset: "monthly", workspaceId: created.data.id } });
seen.key = { secretPrefix: key.key.slice(0, 9), hashLength: key.data.hash.length, limit: key.data.limit, reset: key.data.limitReset };
const patched = await sdk.apiKeys.update({ hash: key.data.hash, requestBody: { disabled: true, limit: null } });
seen.patched = { disabled: patched.data.disabled, limit: patched.data.limit };
const listed = await sdk.apiKeys.list({ workspaceId: created.data.id, includeDisabled: true });
seen.listed = listed.data.map((k) => k.name);
try {
  await sdk.workspaces.delete({ id: created.data.id });
  seen.deleteWithKeys = "allowed";
} catch (error) {
  seen.deleteWithKeys = error.constructor.name;
}
seen.keyDeleted = (await sdk.apiKeys.delete({ hash: key.data.hash })).deleted;
seen.workspaceDeleted = (await sdk.workspaces.delete({ id: created.data.id })).deleted;
try {
  await sdk.workspaces.get({ id: created.data.id });
} catch (error) {
  seen.afterDelete = error.constructor.name;
}
process.stdout.write(JSON.stringify(seen));
