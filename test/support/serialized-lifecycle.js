// Runs in a plain `node` process (never under jest): serializes each compiled
// provider the way the engine does, loads the text back as the dynamic-provider
// plugin does, and drives the loaded handler through its lifecycle against the
// emulator whose base URL and admin key come in the environment.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");

const root = path.resolve(__dirname, "..", "..");
const { workspaceProvider } = require(path.join(root, "dist/provider/portkey/workspace.js"));
const { apiKeyProvider } = require(path.join(root, "dist/provider/portkey/api-key.js"));
const { integrationAccessProvider } = require(path.join(root, "dist/provider/portkey/integration-access.js"));

async function load(name, provider) {
  const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  if (serialized.text.includes(process.env.PORTKEY_ADMIN_KEY_UNDER_TEST)) throw new Error(`${name}: the admin key was captured`);
  const dir = path.join(root, ".tooling");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `serialized-${name}.js`);
  fs.writeFileSync(file, serialized.text);
  const handler = require(file).handler();
  const config = { "portkey:apiKey": process.env.PORTKEY_ADMIN_KEY_UNDER_TEST, "portkey:baseUrl": process.env.PORTKEY_BASE_URL_UNDER_TEST };
  await handler.configure({ config: { get: (k) => config[k], require: (k) => config[k] } });
  return handler;
}

async function main() {
  const results = {};
  const workspace = await load("workspace", workspaceProvider);
  const checked = await workspace.check({}, { name: "Serialized", usageLimits: [{ creditLimit: 5 }] });
  if (checked.failures) throw new Error(JSON.stringify(checked.failures));
  const ws = await workspace.create(checked.inputs);
  const updated = await workspace.update(ws.id, ws.outs, { ...checked.inputs, description: "updated" });
  results.workspace = { id: ws.id, description: updated.outs.description, read: (await workspace.read(ws.id, updated.outs)).props.name };

  const apiKey = await load("apikey", apiKeyProvider);
  const keyInputs = (await apiKey.check({}, { type: "workspace", subType: "service", workspaceId: ws.outs.slug, name: "svc", scopes: ["completions.write"] })).inputs;
  const key = await apiKey.create(keyInputs);
  const rotated = await apiKey.update(key.id, key.outs, { ...keyInputs, rotateWhen: "now" });
  results.apiKey = { created: key.outs.key.length > 0, rotated: rotated.outs.key !== key.outs.key, current: (await apiKey.read(key.id, rotated.outs)).props.keyIsCurrent };
  await apiKey.delete(key.id, rotated.outs);

  const access = await load("access", integrationAccessProvider);
  const accessInputs = (await access.check({}, { integrationSlug: process.env.INTEGRATION_UNDER_TEST, workspaceId: ws.id })).inputs;
  const grant = await access.create(accessInputs);
  results.access = { id: grant.id, enabled: (await access.read(grant.id, grant.outs)).props.enabled };
  await access.delete(grant.id, grant.outs);

  await workspace.update(ws.id, updated.outs, { ...checked.inputs, forceDelete: true });
  await workspace.delete(ws.id, { ...updated.outs, forceDelete: true });
  results.deleted = Object.keys(await workspace.read(ws.id, updated.outs)).length === 0;
  // A failing hook of the loaded copy is named in the stack the host logs (names given at load do not survive serialization).
  const failure = await workspace.update(ws.id, updated.outs, { ...checked.inputs, description: "gone" }).then(() => undefined, (error) => error);
  results.failedUpdateStack = /portkey:Workspace\.update/.test(String(failure && failure.stack));
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
