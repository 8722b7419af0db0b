/**
 * The suite of ./portkey-readme-destroy.test.ts against the native resources
 * (the provider plugin on PATH and the native SDK): the same programs and
 * assertions. See ./flavour.ts.
 */
process.env.E2E_FLAVOUR = "native"; // before the suite (and so ./flavour) is loaded
require("./portkey-readme-destroy.test");

test("the suite ran against the native resources", () => {
  expect(require("./flavour").FLAVOUR).toBe("native");
});
