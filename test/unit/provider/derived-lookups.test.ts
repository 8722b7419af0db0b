/**
 * Every kind that says how its objects are listed has a single and a plural
 * look-up, derived from its declaration (a hand-written look-up of the same
 * name may stand in for the derived single one): a kind added later gets
 * them by declaring its enumeration.
 */
import { isEnumerable } from "../../../provider/enumeration";
import { derivedNames, pluralOf } from "../../../provider/derived-lookups";
import { lookupNamed, vendors } from "../../../provider/resources";

describe("derived look-ups", () => {
  for (const vendor of vendors()) {
    const names = vendor.lookups.map((lookup) => lookup.declared.declaration.name);
    for (const resource of vendor.resources) {
      const { kind, enumerate } = resource.declared.declaration;
      if (!isEnumerable(enumerate)) continue;
      test(`${kind} has get<Kind> and get<Kind>s`, () => {
        const { single, plural } = derivedNames(kind);
        expect(names).toContain(`${vendor.name}:${single}`);
        expect(names).toContain(`${vendor.name}:${plural}`);
        // The dynamic SDK finds each by name.
        expect(lookupNamed(`${vendor.name}:${plural}`).declaration.name).toBe(`${vendor.name}:${plural}`);
      });
    }
  }

  test("look-up names are unique per vendor, and the hand-written ones keep their contract", () => {
    for (const vendor of vendors()) {
      const names = vendor.lookups.map((lookup) => lookup.declared.declaration.name);
      expect(new Set(names).size).toBe(names.length);
    }
    const portkey = vendors().find((v) => v.name === "portkey")!;
    const getWorkspace = portkey.lookups.find((l) => l.declared.declaration.name === "portkey:getWorkspace")!;
    expect(getWorkspace.derivedFrom).toBeUndefined();
    expect(Object.keys(getWorkspace.declared.declaration.args())).toEqual(["id", "slug", "name"]);
  });

  test("plural names", () => {
    expect(["ApiKey", "UsageLimitsPolicy", "IntegrationWorkspaceAccess", "Workspace", "McpServerCapabilities", "OrganizationSettings"].map(pluralOf)).toEqual([
      "ApiKeys",
      "UsageLimitsPolicies",
      "IntegrationWorkspaceAccesses",
      "Workspaces",
      // Already plural: a list of them, not "Capabilitieses".
      "McpServerCapabilitiesList",
      "OrganizationSettingsList",
    ]);
  });

  test("secrets are never part of a look-up's results", () => {
    for (const vendor of vendors()) {
      for (const lookup of vendor.lookups.filter((l) => l.derivedFrom)) {
        const { declaration } = lookup.declared;
        const fields = [...Object.values(declaration.results()), ...Object.values(declaration.types?.() ?? {}).flatMap((t) => Object.values(t))];
        expect(fields.filter((field) => field.secret)).toEqual([]);
      }
    }
  });

  test("a single look-up takes an id or identity fields, not both, not neither", async () => {
    const getApiKey = lookupNamed("portkey:getApiKey");
    await expect(getApiKey.invoke({}, {})).rejects.toThrow("give id, or one or more of workspaceId, name");
    await expect(getApiKey.invoke({ id: "k", name: "ci" }, {})).rejects.toThrow("give either id or identity fields (workspaceId, name), not both");
  });
});
