/** Seeding OpenRouter organisation members through the emulator's control endpoint (no vendor API makes them). */
import type { RunningEmulator } from "../../emulator";
import type { OrganizationMemberSeed } from "../../emulator/openrouter/members";
import type { OpenRouterOrganizationMemberRecord } from "../../emulator/openrouter/state";

/** Adds (or changes) people of the organisation; answers them as stored. */
export async function seedOrganizationMembers(emulator: RunningEmulator, members: OrganizationMemberSeed[]): Promise<OpenRouterOrganizationMemberRecord[]> {
  const response = await fetch(`${emulator.url}/_emulator/openrouter/organization-members`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ members }),
  });
  const body = (await response.json()) as { members: OpenRouterOrganizationMemberRecord[] };
  if (response.status !== 200) throw new Error(`seeding organisation members failed: ${response.status} ${JSON.stringify(body)}`);
  return body.members;
}

/** The person leaves the organisation (and every workspace). */
export async function removeOrganizationMember(emulator: RunningEmulator, userId: string): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/openrouter/organization-members/${encodeURIComponent(userId)}`, { method: "DELETE" });
  if (response.status !== 200) throw new Error(`removing organisation member failed: ${response.status} ${await response.text()}`);
}
