/** Unit tests run in parallel; end-to-end suites drive the real engine and are given long timeouts. */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }];

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  // Global only (jest ignores it per project). A 2-core CI runner runs an engine suite beside every
  // other test, so jest's 5 s is too tight for tests that start processes; suites needing more say so.
  testTimeout: 5 * 60_000,
  verbose: false,
  reporters: ["default", "<rootDir>/test/support/count-reporter.js"],
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
    },
    {
      displayName: "e2e",
      testEnvironment: "node",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      // Programs use the compiled package, exactly what users run: the engine serializes
      // the provider from this code, and TypeScript-only differences must not hide here.
      moduleNameMapper: {
        "^(?:\\.\\./)+sdk$": "<rootDir>/dist/sdk/index.js",
        "^(?:\\.\\./)+sdk/native$": "<rootDir>/dist/sdk/native/index.js",
      },
      slowTestThreshold: 600,
    },
  ],
};
