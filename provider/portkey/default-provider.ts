/**
 * The default provider an access grant makes Portkey create in the
 * workspace (unless `create_default_provider` is false). Revoking the grant
 * leaves it there, and a workspace holding a provider cannot be deleted
 * (409 AB07), so a stack that granted access could not be destroyed.
 *
 * The rule: a grant removes, when it is deleted, the one provider it can
 * prove Portkey made for it, and only while nothing says anyone else has it.
 *
 * - Proof of making: Portkey marks default providers with no field of their
 *   own, so the grant's create lists the workspace's providers before and
 *   after its write; the provider of this integration that appeared in
 *   between (exactly one, and with the declared `defaultProviderSlug` when one
 *   is declared) is recorded in the grant's outputs, by UUID, slug and name.
 *   Nothing else is ever a candidate: not a provider that existed before,
 *   not one of several that appeared, not one a grant of an earlier version
 *   made (no record). (Creation times cannot stand in for the first list: a
 *   provider made by hand moments before the grant, where access was already
 *   on, would fall inside any clock tolerance.) What a list cannot tell
 *   apart is a bare provider of the integration made by someone else during
 *   the write, when Portkey made none (access already on).
 * - Still the grant's at delete: the same UUID under the recorded slug, the
 *   same integration and name, and still bare (no note, budget, rate limit or
 *   expiry: a grant creates it bare, and anything set since says someone made
 *   it theirs, the same test as `AiProvider` adoption).
 * - Unused: no config of the workspace names it (as `@<slug>`, `@<slug>/…` or
 *   a `virtual_key`). When that cannot be checked (e.g. the admin key may not
 *   read configs), it is not deleted.
 *
 * Whatever is left is said in a warning naming the provider, why it stays,
 * and how to remove it; the workspace's delete then fails naming it too.
 *
 * After an interrupted run (`recover`), the grant's create answer, and so its
 * record, is lost. A second proof of making stands in for the two lists only
 * where nothing older can be: the workspace the grant names was itself
 * created by the interrupted run (recover proves that from the state). Then
 * the one default-provider look-alike of the integration in it (bare, with
 * the declared slug if any, created since the run began), that no config
 * names and no resource of the stack records or may have made (an
 * `AiProvider` of that workspace, pending or not), can only be the grant's.
 * None, several, or any doubt: nothing is recorded (and several are warned).
 */
import { LifecycleContext, normalize } from "../framework";
import { isGone, messageOf } from "../errors";
import { ApiClient } from "../http";
import { rateLimitsFromApi, usageLimitFromApi } from "./limits";
import { ApiProvider, deleteProvider, getProvider, listProvidersWithServerTime } from "./api/providers";
import { getConfig, listConfigs } from "./api/configs";
import type { InterruptedRun } from "../resource";

/** What a grant records of the default provider Portkey made for it. */
export interface MadeProvider {
  id: string;
  slug: string;
  name?: string;
}

/**
 * True when the provider carries nothing a provider can be given (no note,
 * budget, rate limit or expiry), as Portkey creates a default provider.
 */
export function isBare(provider: ApiProvider): boolean {
  const limits = Array.isArray(provider.rate_limits) ? provider.rate_limits : provider.rate_limits ? [provider.rate_limits] : [];
  return (
    normalize(provider.note) === undefined &&
    usageLimitFromApi(provider.usage_limits) === undefined &&
    rateLimitsFromApi(limits) === undefined &&
    normalize(provider.expires_at) === undefined
  );
}

/**
 * The ids of the workspace's providers before a grant's write, or undefined
 * when they cannot be listed (then nothing the grant makes is recorded).
 */
export async function providersBefore(client: ApiClient, ctx: LifecycleContext, workspaceId: string): Promise<Set<string> | undefined> {
  try {
    return new Set((await listProvidersWithServerTime(client, workspaceId)).providers.map((p) => p.id));
  } catch (error) {
    ctx.warn(
      `could not list the providers of workspace ${workspaceId} (${messageOf(error)}), so the default provider this grant may make is not ` +
        "recorded and is not deleted with the grant (the admin key needs 'providers.list' for that).",
    );
    return undefined;
  }
}

/**
 * The default provider the grant's write made: the one provider of the
 * integration (with the declared slug, when one is declared) that was not
 * there before. Undefined when none or several appeared, or the list fails.
 */
export async function providerMadeByGrant(
  client: ApiClient,
  ctx: LifecycleContext,
  workspaceId: string,
  grant: { integrationSlug: string; defaultProviderSlug?: string },
  before: Set<string>,
): Promise<MadeProvider | undefined> {
  let providers: ApiProvider[];
  try {
    providers = (await listProvidersWithServerTime(client, workspaceId)).providers;
  } catch (error) {
    ctx.warn(`could not list the providers of workspace ${workspaceId} after granting access (${messageOf(error)}); the default provider, if one was made, is not deleted with the grant.`);
    return undefined;
  }
  const appeared = providers.filter((p) => !before.has(p.id) && looksLikeDefaultOf(p, grant));
  if (appeared.length !== 1) return undefined;
  return recordOf(appeared[0]);
}

/** What a grant's default provider looks like as Portkey makes it: of the integration, under the declared slug (when declared), bare. */
function looksLikeDefaultOf(provider: ApiProvider, grant: { integrationSlug: string; defaultProviderSlug?: string }): boolean {
  return provider.integration_id === grant.integrationSlug && (grant.defaultProviderSlug === undefined || provider.slug === grant.defaultProviderSlug) && isBare(provider);
}

function recordOf(provider: ApiProvider): MadeProvider {
  return { id: provider.id, slug: provider.slug, ...(provider.name !== undefined ? { name: provider.name } : {}) };
}

/** A provider the stack holds (an `AiProvider` in the state) or may be making (one pending). */
export interface StackProvider {
  pending: boolean;
  /** Its workspace, by UUID or slug. */
  workspaces: readonly unknown[];
  providerId?: unknown;
  slugs: readonly unknown[];
}

/**
 * For a grant whose create the interrupted run lost, in a workspace that run
 * created (`run.parentOfTheRun`): the default provider only the grant can
 * have made (see the module comment), or undefined. In an older workspace it
 * records nothing and only warns, naming what may be left. `stacks` rules out
 * what the stack holds or may be making.
 */
export async function providerMadeByLostGrant(
  client: ApiClient,
  ctx: LifecycleContext,
  workspace: { id: string; slug?: string },
  grant: { integrationSlug: string; defaultProviderSlug?: string; createDefaultProvider?: boolean; enabled?: boolean },
  run: Omit<InterruptedRun, "resources">,
  stacks: readonly StackProvider[],
): Promise<MadeProvider | undefined> {
  if (grant.createDefaultProvider === false || grant.enabled === false) return undefined;
  const inWorkspace = (value: unknown) => value === workspace.id || (workspace.slug !== undefined && value === workspace.slug);
  const stacksProviders = stacks.filter((r) => r.workspaces.some(inWorkspace));
  const what = `the default provider of integration '${grant.integrationSlug}' in workspace ${workspace.id}, which the interrupted grant may have made`;
  const cleanup = `delete it by hand once nothing uses it (DELETE /providers/<slug>?workspace_id=${workspace.id}), or the workspace cannot be deleted`;
  if (stacksProviders.some((r) => r.pending)) {
    ctx.warn(`${what} is not recorded: an AiProvider of that workspace was also being created, so a provider there may be the stack's own; ${cleanup}.`);
    return undefined;
  }
  let providers: ApiProvider[];
  try {
    providers = (await listProvidersWithServerTime(client, workspace.id)).providers;
  } catch (error) {
    ctx.warn(`${what} is not recorded: the workspace's providers could not be listed (${messageOf(error)}); ${cleanup}.`);
    return undefined;
  }
  const recorded = (p: ApiProvider) => stacksProviders.some((r) => r.providerId === p.id || r.slugs.includes(p.slug));
  const candidates = providers.filter((p) => {
    const created = p.created_at ? Date.parse(p.created_at) : NaN;
    return looksLikeDefaultOf(p, grant) && !recorded(p) && (Number.isNaN(created) || created >= run.since);
  });
  if (candidates.length === 0) return undefined;
  if (candidates.length > 1 && run.parentOfTheRun) {
    ctx.warn(`${what} is not recorded: ${candidates.length} look alike (${candidates.map((p) => p.slug).join(", ")}); ${cleanup}.`);
    return undefined;
  }
  if (!run.parentOfTheRun) {
    const slugs = candidates.map((p) => `'${p.slug}'`).join(", ");
    ctx.warn(`${what} is not recorded: the workspace predates the interrupted run, so nothing proves who made ${slugs}; ${cleanup.replace("<slug>", candidates.length === 1 ? candidates[0].slug : "<slug>")}.`);
    return undefined;
  }
  const [made] = candidates;
  let users: string | undefined;
  try {
    users = await usedBy(client, workspace.id, made.slug);
  } catch (error) {
    users = messageOf(error);
  }
  if (users !== undefined) {
    ctx.warn(`${what} ('${made.slug}') is not recorded: ${users}; ${cleanup.replace("<slug>", made.slug)}.`);
    return undefined;
  }
  return recordOf(made);
}

/**
 * After a grant is revoked: deletes the default provider the grant recorded
 * when it is still the grant's and unused, else warns what is left and why.
 * Never fails the grant's delete: the access is already revoked, and the
 * workspace's delete names whatever is left.
 */
export async function removeProviderMadeByGrant(
  client: ApiClient,
  ctx: LifecycleContext,
  workspaceId: string,
  integrationSlug: string,
  made: MadeProvider,
): Promise<void> {
  const what = `the default provider '${made.slug}' (${made.id}) that access to integration '${integrationSlug}' created in workspace ${workspaceId}`;
  const cleanup = `delete it in the Portkey UI under the workspace's providers, or with DELETE /providers/${made.slug}?workspace_id=${workspaceId}, once nothing uses it`;
  let reason: string | undefined;
  try {
    const current = await getProvider(client, workspaceId, made.slug);
    if (!current) return; // already deleted (an AiProvider that adopted it, or by hand)
    reason = differs(current, made, integrationSlug) ?? (await usedBy(client, workspaceId, made.slug));
    if (reason === undefined) {
      await deleteProvider(client, workspaceId, made.slug);
      return;
    }
  } catch (error) {
    if (isGone(error)) return;
    reason = `checking or deleting it failed: ${messageOf(error)}`;
  }
  ctx.warn(`left ${what}: ${reason}. It keeps the workspace from being deleted; ${cleanup}.`);
}

/** Why the provider under the recorded slug is no longer provably the one the grant made; undefined when it is. */
function differs(current: ApiProvider, made: MadeProvider, integrationSlug: string): string | undefined {
  if (current.id !== made.id) return `the slug now belongs to another provider (${current.id})`;
  if (current.integration_id !== undefined && current.integration_id !== integrationSlug) return `it now uses integration '${current.integration_id}'`;
  if (made.name !== undefined && current.name !== undefined && current.name !== made.name) return `it was renamed to '${current.name}' since the grant made it`;
  if (!isBare(current)) return "it was given a note, limits or an expiry since the grant made it";
  return undefined;
}

/** Which configs of the workspace name the provider; a sentence, or undefined when none does. */
async function usedBy(client: ApiClient, workspaceId: string, slug: string): Promise<string | undefined> {
  let users: string[];
  try {
    const { configs } = await listConfigs(client, workspaceId);
    users = [];
    for (const listed of configs) {
      const config = listed.config ?? (await getConfig(client, listed.slug, workspaceId))?.config;
      if (config && mentions(config, slug)) users.push(listed.slug);
    }
  } catch (error) {
    return `whether a config uses it could not be checked (${messageOf(error)})`;
  }
  return users.length > 0 ? `config(s) ${users.join(", ")} use it` : undefined;
}

/** Whether any string in the config names the provider: `@<slug>`, `@<slug>/<model>`, or the slug itself (a `virtual_key`). */
function mentions(value: unknown, slug: string): boolean {
  if (typeof value === "string") return value === slug || value === `@${slug}` || value.startsWith(`@${slug}/`);
  if (Array.isArray(value)) return value.some((item) => mentions(item, slug));
  if (value !== null && typeof value === "object") return Object.values(value).some((item) => mentions(item, slug));
  return false;
}
