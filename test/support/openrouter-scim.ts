/** Seeding OpenRouter SCIM groups through the emulator's control endpoint (an identity provider pushes them; no vendor API makes them). */
import type { RunningEmulator } from "../../emulator";
import type { ScimGroupSeed } from "../../emulator/openrouter/scim";
import type { OpenRouterScimGroupRecord } from "../../emulator/openrouter/state";

/** Adds (or changes) groups and their members; answers them as stored. */
export async function seedScimGroups(emulator: RunningEmulator, groups: ScimGroupSeed[]): Promise<OpenRouterScimGroupRecord[]> {
  const response = await fetch(`${emulator.url}/_emulator/openrouter/scim-groups`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ groups }),
  });
  const body = (await response.json()) as { groups: OpenRouterScimGroupRecord[] };
  if (response.status !== 200) throw new Error(`seeding SCIM groups failed: ${response.status} ${JSON.stringify(body)}`);
  return body.groups;
}

/** The identity provider deletes the group. */
export async function removeScimGroup(emulator: RunningEmulator, groupId: string): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/openrouter/scim-groups/${encodeURIComponent(groupId)}`, { method: "DELETE" });
  if (response.status !== 200) throw new Error(`removing SCIM group failed: ${response.status} ${await response.text()}`);
}
