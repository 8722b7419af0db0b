/**
 * Which capabilities (tools, prompts, resources) of an MCP integration, or of
 * one MCP server, are switched on: `GET|PUT /mcp-integrations/{id}/capabilities`
 * and `/mcp-servers/{id}/capabilities` (reference prompts-mcp-scim §7.3, §8).
 * One resource per integration or server, managing only the capabilities it
 * lists; the others are left as they are.
 *
 * Capabilities are known only once Portkey has synced the upstream server: a
 * listed capability that no sync has found yet keeps its declared setting
 * (Portkey accepts it and applies it once found) and is not drift. A server's
 * capability is on only when both the server and its integration allow it; a
 * capability the integration switches off reads as declared on the server.
 *
 * Removing a capability from the list, or deleting the resource, leaves its
 * setting as found: switching it back on is a write nobody declared (set
 * `enabled: true` and run `pulumi up` first to restore it).
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { deepEqual } from "../framework";
import { ApiClient } from "../http";
import { declareResource, input, output } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS } from "./common";
import {
  ApiMcpCapability,
  listMcpIntegrationCapabilities,
  listMcpIntegrations,
  listMcpServerCapabilities,
  listMcpServers,
  McpCapabilitySwitch,
  putMcpIntegrationCapabilities,
  putMcpServerCapabilities,
} from "./api/mcp";

function capabilitySchema() {
  return z
    .object({
      name: z.string().min(1, "must not be empty").describe("The capability's name, as the upstream server names it (a tool's name, a prompt's name, a resource's URI name)."),
      type: z.enum(["tool", "prompt", "resource"]).describe("`tool`, `prompt` or `resource` (resource templates cannot be switched)."),
      enabled: z.boolean().describe("Whether it may be used."),
    })
    .strict()
    .describe("One MCP capability and whether it is switched on.");
}

export type McpCapability = z.output<ReturnType<typeof capabilitySchema>>;

/** The SDK's named types declared here. */
export function mcpCapabilitySdkTypes() {
  return { McpCapabilityArgs: capabilitySchema() };
}

const keyOf = (c: { type: string; name: string }) => `${c.type}:${c.name}`;

function capabilitiesInput(owner: string) {
  return input(
    z
      .array(capabilitySchema())
      .min(1, "needs at least one capability")
      .refine((list) => new Set(list.map(keyOf)).size === list.length, "must list each type and name once"),
    {
      doc:
        `The capabilities of the ${owner} this resource switches on or off, each \`{ name, type, enabled }\`. Capabilities not listed are left as they are; ` +
        "one removed from the list keeps its setting. A capability Portkey has not synced yet keeps its declared setting until it appears.",
      outputDoc: "The capabilities as read back (declared settings for those not synced yet).",
      sdkType: "McpCapabilityArgs[]",
      // Order means nothing.
      comparable: (value) => (Array.isArray(value) ? [...(value as McpCapability[])].sort((a, b) => keyOf(a).localeCompare(keyOf(b))).map((c) => ({ ...c })) : undefined),
    },
  );
}

/** What differs between an integration's capabilities and a server's: the endpoints and the words. */
interface Owner {
  kind: string;
  what: string;
  prefix: string;
  reference: string;
  list(client: ApiClient, id: string): Promise<ApiMcpCapability[] | undefined>;
  put(client: ApiClient, id: string, switches: McpCapabilitySwitch[]): Promise<void>;
  owners(client: ApiClient): Promise<string[]>;
}

function ownerInput(what: string) {
  return input(z.string().min(1, "must not be empty"), {
    doc: `The ${what}, by UUID or slug: pass its \`id\`. Changing it replaces the resource.`,
    outputDoc: `The ${what} as given.`,
    replaces: true,
  });
}

/** The declared capabilities as read: the listed setting where Portkey lists one (and can tell it), the declared one otherwise. */
function capabilitiesRead(declared: McpCapability[], listed: ApiMcpCapability[]): McpCapability[] {
  const byKey = new Map(listed.map((c) => [keyOf(c), c]));
  return declared.map((c) => {
    const found = byKey.get(keyOf(c));
    // Not synced yet, or off at the integration (the server's own setting cannot be read then).
    if (!found || found.integration_enabled === false) return { ...c };
    return { name: c.name, type: c.type, enabled: found.enabled };
  });
}

/** Switches that differ from what was held before (a new entry is always sent). */
function changedSwitches(olds: McpCapability[] | undefined, news: McpCapability[]): McpCapabilitySwitch[] {
  const before = new Map((olds ?? []).map((c) => [keyOf(c), c]));
  return news.filter((c) => !deepEqual(before.get(keyOf(c)), c)).map((c) => ({ name: c.name, type: c.type, enabled: c.enabled }));
}

/** What both declarations say alike. */
function capabilityDeclaration(owner: Owner) {
  return {
    doc:
      `Which capabilities (tools, prompts, resources) of one ${owner.what} are switched on. The resource id is the ${owner.what}'s id (import by it: ` +
      "an import manages the capabilities found switched off). Only the listed capabilities are managed; removing one from the list, or deleting the " +
      "resource, leaves its setting as found. A capability Portkey has not synced from the upstream server yet keeps its declared setting and is not drift.",
    configKeys: configKeysOf(PORTKEY_SETTINGS),
    outputs: () => ({
      notSynced: output(z.array(z.string()).optional(), {
        doc: "Declared capabilities (`type:name`) Portkey has not found on the upstream server yet: their settings apply once a sync finds them.",
      }),
    }),
  };
}

/** The hooks both declarations share, over the owner's id and the declared capabilities. */
function capabilityHooks(owner: Owner) {
  const hooks = {
    /** Owners with a capability switched off: only they hold a setting to adopt (every capability is on until switched). */
    async listOwners(client: ApiClient): Promise<{ id: string }[]> {
      const found: { id: string }[] = [];
      for (const id of await owner.owners(client)) if ((await owner.list(client, id))?.some((c) => !c.enabled && c.integration_enabled !== false)) found.push({ id });
      return found;
    },
    /** The capabilities as read, or undefined when the owner is gone; imported by id alone, what is switched off is what was set. */
    async read(client: ApiClient, id: string, declared: McpCapability[] | undefined): Promise<{ capabilities: McpCapability[]; notSynced?: string[] } | undefined> {
      const listed = await owner.list(client, id);
      if (!listed) return undefined;
      const managed =
        declared ??
        listed.filter((c) => !c.enabled && c.integration_enabled !== false && c.type !== "resource_template").map((c) => ({ name: c.name, type: c.type as McpCapability["type"], enabled: false }));
      const known = new Set(listed.map(keyOf));
      const notSynced = managed.map(keyOf).filter((key) => !known.has(key));
      return { capabilities: capabilitiesRead(managed, listed), notSynced: notSynced.length > 0 ? notSynced : undefined };
    },
    /** Sends the switches that changed (all of them at create), then reads back. */
    async write(client: ApiClient, id: string, olds: McpCapability[] | undefined, news: McpCapability[]): Promise<{ capabilities: McpCapability[]; notSynced?: string[] }> {
      const switches = changedSwitches(olds, news);
      if (switches.length > 0) await owner.put(client, id, switches);
      const read = await hooks.read(client, id, news);
      if (!read) throw new Error(`${owner.what} ${id} disappeared right after its capabilities were written`);
      return read;
    },
  };
  return hooks;
}

const INTEGRATION_OWNER: Owner = {
  kind: "portkey:McpIntegrationCapabilities",
  what: "MCP integration",
  prefix: "mcp-capabilities",
  reference: "portkey:McpIntegration",
  list: listMcpIntegrationCapabilities,
  put: putMcpIntegrationCapabilities,
  owners: async (client) => (await listMcpIntegrations(client)).integrations.map((i) => i.id),
};

const SERVER_OWNER: Owner = {
  kind: "portkey:McpServerCapabilities",
  what: "MCP server",
  prefix: "mcp-server-capabilities",
  reference: "portkey:McpServer",
  list: listMcpServerCapabilities,
  put: putMcpServerCapabilities,
  owners: async (client) => (await listMcpServers(client)).servers.map((s) => s.id),
};

function integrationCapabilityInputs() {
  return { mcpIntegrationId: ownerInput("MCP integration"), capabilities: capabilitiesInput("MCP integration") };
}

function serverCapabilityInputs() {
  return { mcpServerId: ownerInput("MCP server"), capabilities: capabilitiesInput("MCP server") };
}

export const mcpIntegrationCapabilities = declareResource({
  kind: INTEGRATION_OWNER.kind,
  ...capabilityDeclaration(INTEGRATION_OWNER),
  enumerate: {
    prefix: INTEGRATION_OWNER.prefix,
    identity: ["mcpIntegrationId"],
    references: { mcpIntegrationId: { kind: INTEGRATION_OWNER.reference, output: "id" } },
    list: (ctx) => capabilityHooks(INTEGRATION_OWNER).listOwners(portkeyClient(ctx)),
  },
  inputs: integrationCapabilityInputs,
  async create(values, ctx) {
    const read = await capabilityHooks(INTEGRATION_OWNER).write(portkeyClient(ctx), values.mcpIntegrationId, undefined, values.capabilities);
    return { id: values.mcpIntegrationId, outputs: { ...values, ...read } };
  },
  async read(id, stored, ctx) {
    const read = await capabilityHooks(INTEGRATION_OWNER).read(portkeyClient(ctx), id, stored.capabilities);
    return read && { mcpIntegrationId: stored.mcpIntegrationId ?? id, ...read };
  },
  async update(_id, olds, news, ctx) {
    return { ...news, ...(await capabilityHooks(INTEGRATION_OWNER).write(portkeyClient(ctx), news.mcpIntegrationId, olds.capabilities, news.capabilities)) };
  },
  async delete() {
    // Left as found: see the module comment.
  },
});

export const mcpServerCapabilities = declareResource({
  kind: SERVER_OWNER.kind,
  ...capabilityDeclaration(SERVER_OWNER),
  enumerate: {
    prefix: SERVER_OWNER.prefix,
    identity: ["mcpServerId"],
    references: { mcpServerId: { kind: SERVER_OWNER.reference, output: "id" } },
    list: (ctx) => capabilityHooks(SERVER_OWNER).listOwners(portkeyClient(ctx)),
  },
  inputs: serverCapabilityInputs,
  async create(values, ctx) {
    const read = await capabilityHooks(SERVER_OWNER).write(portkeyClient(ctx), values.mcpServerId, undefined, values.capabilities);
    return { id: values.mcpServerId, outputs: { ...values, ...read } };
  },
  async read(id, stored, ctx) {
    const read = await capabilityHooks(SERVER_OWNER).read(portkeyClient(ctx), id, stored.capabilities);
    return read && { mcpServerId: stored.mcpServerId ?? id, ...read };
  },
  async update(_id, olds, news, ctx) {
    return { ...news, ...(await capabilityHooks(SERVER_OWNER).write(portkeyClient(ctx), news.mcpServerId, olds.capabilities, news.capabilities)) };
  },
  async delete() {
    // Left as found: see the module comment.
  },
});
