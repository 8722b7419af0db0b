/**
 * The organisation's default guardrails: `GET|PUT /v2/admin/organisation/defaults`,
 * the input and output guardrails every workspace's requests go through
 * (reference prompts-mcp-scim §9.1). One per organisation, with no create or
 * delete: the PUT changes only the lists it carries.
 *
 * So this resource adopts the singleton: creating it writes only the lists
 * the program declares, and a list it does not declare is left as found
 * (never compared, never sent). Deleting the resource writes nothing: the
 * defaults stay as last declared. To lift them, declare `[]` and run
 * `pulumi up` before removing the resource.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { ApiClient } from "../http";
import { declareResource, input, output, ShapeOf } from "../resource";
import { portkeyClient, PORTKEY_SETTINGS } from "./common";
import { ApiDefaultGuardrail, getOrganisationDefaults, putOrganisationDefaults } from "./api/organisation-defaults";

/** The resource id: the organisation has one set of defaults, named after the admin key's organisation. */
const SINGLETON_ID = "organisation-defaults";

function guardrailListInput(direction: "input" | "output") {
  const api = `${direction}_guardrails`;
  const name = `${direction}Guardrails` as const;
  return input(z.array(z.string().min(1, "must not be empty")).refine((list) => new Set(list).size === list.length, "must not name a guardrail twice").optional(), {
    doc:
      `The organisation's guardrails every ${direction === "input" ? "request" : "response"} goes through, by slug or UUID (pass a Guardrail's \`id\`; ` +
      "organisation guardrails only). Not declared: left as it is; `[]` clears it. Order means nothing.",
    outputDoc: `The ${direction} guardrails as read back, spelled as declared (slugs otherwise).`,
    api,
    serverOwnedUnlessDeclared: true,
    keepEmpty: true,
    // Read in the declared spelling (UUID or slug) of each guardrail; null (none) reads as an empty list.
    fromApi: (value, _answer, carried) => {
      const declared = (carried[name] as string[] | undefined) ?? [];
      return (Array.isArray(value) ? (value as ApiDefaultGuardrail[]) : []).map((g) => (declared.includes(g.id) ? g.id : g.slug));
    },
    comparable: (value) => (Array.isArray(value) ? [...(value as string[])].sort() : undefined),
  });
}

function defaultsInputs() {
  return { inputGuardrails: guardrailListInput("input"), outputGuardrails: guardrailListInput("output") };
}

function defaultsOutputs() {
  return {
    organisationDefaultsId: output(z.string(), { stable: true, doc: `Always \`${SINGLETON_ID}\` (the same as \`id\`): the organisation has one set of defaults.` }),
  };
}

type Shape = ShapeOf<typeof defaultsInputs, typeof defaultsOutputs>;

export const organisationDefaultGuardrails = declareResource({
  kind: "portkey:OrganisationDefaultGuardrails",
  enumerate: {
    notImportable:
      "a singleton that always exists and is adopted by declaring it: `import-org` would have to write lists the program never named; " +
      `\`pulumi import\` takes it by the id \`${SINGLETON_ID}\`.`,
  },
  doc:
    "The organisation's default guardrails (`/v2/admin/organisation/defaults`): organisation guardrails every workspace's requests and responses go through " +
    "(workspaces can be excluded with WorkspaceGuardrailExclusion). One per organisation: creating the resource adopts it and writes only the lists " +
    `declared; a list not declared is left as it is. Deleting the resource writes nothing (the defaults stay as last declared). The id is \`${SINGLETON_ID}\`.\n\n` +
    "```ts\n" +
    'new portkey.OrganisationDefaultGuardrails("defaults", { inputGuardrails: [noPii.id] });\n' +
    "```",
  label: () => "organisation defaults",
  configKeys: configKeysOf(PORTKEY_SETTINGS),
  inputs: defaultsInputs,
  outputs: defaultsOutputs,

  async create(inputs, ctx) {
    const client = portkeyClient(ctx);
    const body = ctx.createBody(inputs);
    // createBody leaves empty lists out; a declared [] clears that list.
    if (inputs.inputGuardrails?.length === 0) body.input_guardrails = [];
    if (inputs.outputGuardrails?.length === 0) body.output_guardrails = [];
    if (Object.keys(body).length > 0) await putOrganisationDefaults(client, body);
    return { id: SINGLETON_ID, outputs: await readBack(client, ctx, { ...inputs, organisationDefaultsId: SINGLETON_ID }) };
  },

  async read(_id, outputs, ctx) {
    return readBack(portkeyClient(ctx), ctx, { ...outputs, organisationDefaultsId: SINGLETON_ID });
  },

  async update(_id, olds, news, ctx) {
    const client = portkeyClient(ctx);
    const body = ctx.updateBody(olds, news);
    if (Object.keys(body).length > 0) await putOrganisationDefaults(client, body);
    return readBack(client, ctx, { ...news, organisationDefaultsId: SINGLETON_ID });
  },

  async delete() {
    // Written nothing: see the module comment.
  },
});

async function readBack(client: ApiClient, ctx: Shape["context"], carried: Partial<Shape["outputs"]>): Promise<Shape["outputs"]> {
  return ctx.outputsFrom(await getOrganisationDefaults(client), carried);
}
