/**
 * Look-ups a program uses to reference OpenRouter objects it does not manage:
 * an organisation member by email (people join by invitation in the
 * dashboard; no API creates them), e.g. for a WorkspaceMember's `userId`.
 */
import { z } from "zod";
import { declareLookup } from "../lookup";
import { input, output } from "../resource";
import { openrouterClient } from "./common";
import { listOrganizationMembers } from "./api/members";

export const getOrganizationMember = declareLookup({
  name: "openrouter:getOrganizationMember",
  doc:
    "Looks up a member of the OpenRouter organisation by email (compared without regard to case; fails when nobody or several " +
    "people match). Only people who accepted their invitation are members.\n\n" +
    "```ts\n" +
    'const ada = openrouter.getOrganizationMemberOutput({ email: "ada@example.com" });\n' +
    'new openrouter.WorkspaceMember("ada-research", { workspaceId: research.id, userId: ada.userId });\n' +
    "```",
  args: () => ({
    email: input(z.email("must be an email address"), { doc: "The member's email address." }),
  }),
  results: () => ({
    userId: output(z.string(), { doc: "The member's user id (`user_…`): what WorkspaceMember, guardrail assignments and BYOK allowlists take." }),
    email: output(z.string(), { doc: "The email as OpenRouter holds it." }),
    firstName: output(z.string().optional(), { doc: "The member's first name." }),
    lastName: output(z.string().optional(), { doc: "The member's last name." }),
    role: output(z.string(), { doc: "The organisation role, e.g. `org:admin` or `org:member`." }),
  }),
  async run(args, configured) {
    const wanted = args.email.toLowerCase();
    const matches = (await listOrganizationMembers(openrouterClient({ configured }))).filter((m) => m.email.toLowerCase() === wanted);
    if (matches.length === 0) {
      throw new Error(`openrouter.getOrganizationMember: nobody in the organisation has the email '${args.email}' (invite them in the OpenRouter dashboard first).`);
    }
    if (matches.length > 1) {
      throw new Error(`openrouter.getOrganizationMember: ${matches.length} members have the email '${args.email}' (user ids ${matches.map((m) => m.id).join(", ")}).`);
    }
    const [member] = matches;
    return { userId: member.id, email: member.email, firstName: member.first_name ?? undefined, lastName: member.last_name ?? undefined, role: member.role };
  },
});
