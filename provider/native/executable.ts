/**
 * Entry point of the provider plugins as single executables (a Node
 * single-executable application, built by scripts/release.ts): the release
 * archives carry this program, so Python, Go, .NET and YAML users need neither
 * Node nor npm. One program serves both vendors: the executable's file name,
 * `pulumi-resource-<vendor>[.exe]`, says which.
 *
 * There is no node_modules beside an executable, so the modules the plugin
 * otherwise loads through `@pulumi/pulumi`'s own resolution are bundled here
 * and handed over by id before the plugin's code runs.
 */
import * as path from "node:path";

/** The symbol provider/native/server.ts reads (not imported from it: the server must load after this is set). */
const BUNDLED_MODULES = Symbol.for("pulumi-ai-gateway.bundled-modules");

(globalThis as { [BUNDLED_MODULES]?: Record<string, unknown> })[BUNDLED_MODULES] = {
  "@grpc/grpc-js": require("@grpc/grpc-js"),
  "@pulumi/pulumi/proto/provider_grpc_pb": require("@pulumi/pulumi/proto/provider_grpc_pb"),
  "@pulumi/pulumi/proto/provider_pb": require("@pulumi/pulumi/proto/provider_pb"),
  "@pulumi/pulumi/proto/plugin_pb": require("@pulumi/pulumi/proto/plugin_pb"),
  "@pulumi/pulumi/proto/status_pb": require("@pulumi/pulumi/proto/status_pb"),
  "@pulumi/pulumi/proto/engine_grpc_pb": require("@pulumi/pulumi/proto/engine_grpc_pb"),
  "@pulumi/pulumi/proto/engine_pb": require("@pulumi/pulumi/proto/engine_pb"),
  "google-protobuf/google/protobuf/empty_pb": require("google-protobuf/google/protobuf/empty_pb"),
  "google-protobuf/google/protobuf/struct_pb": require("google-protobuf/google/protobuf/struct_pb"),
  "google-protobuf/google/protobuf/any_pb": require("google-protobuf/google/protobuf/any_pb"),
};

const executable = path.basename(process.execPath).replace(/\.exe$/i, "");
const vendor = /^pulumi-resource-(.+)$/.exec(executable)?.[1];
if (vendor === undefined) {
  process.stderr.write(`${executable}: this executable serves a provider plugin and must be named pulumi-resource-<vendor>.\n`);
  process.exit(1);
}
// Loaded only now: the server takes the bundled modules above when its own module is evaluated.
(require("./plugin") as typeof import("./plugin")).run(vendor);
