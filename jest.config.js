/** Unit tests run in parallel; end-to-end suites drive the real engine and are given long timeouts. */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }];

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  verbose: false,
  reporters: ["default", "<rootDir>/test/support/count-reporter.js"],
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
      // A 2-core CI runner also runs an engine suite meanwhile: 5 s is too tight for tests that start processes.
      testTimeout: 60_000,
      transform: { "^.+\\.ts$": tsJest },
    },
    {
      displayName: "e2e",
      testEnvironment: "node",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      // Suites needing more say so with jest.setTimeout; this covers the ones that start processes without it.
      testTimeout: 5 * 60_000,
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
