// A Node.js language host for the Pulumi engine, for machines where the Go
// host (pulumi-language-nodejs) cannot be built: its Go module is not served
// by the module proxy here. It speaks the LanguageRuntime gRPC protocol with
// the stubs shipped in @pulumi/pulumi and runs programs exactly as the Go host
// does, through @pulumi/pulumi's own `cmd/run` entry point resolved from the
// program directory. Dependency installation is left to npm.
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

// The program's own @pulumi/pulumi (the engine starts hosts in the program directory).
const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd(), __dirname] }));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
const languageGrpc = require(path.join(sdkDir, "proto/language_grpc_pb.js"));
const language = require(path.join(sdkDir, "proto/language_pb.js"));
const plugin = require(path.join(sdkDir, "proto/plugin_pb.js"));
const sdkVersion = require(path.join(sdkDir, "package.json")).version;

const engineAddress = process.argv.slice(2).filter((arg) => !arg.startsWith("-")).pop() ?? "";
// Exit code of cmd/run when the program already reported its error to the user.
const ALREADY_REPORTED = 32;
// Programs running now, ended with the host when the engine is gone.
const programs = new Set();

function runProgram(call, callback) {
  const request = call.request;
  const info = request.getInfo();
  const programDirectory = info?.getProgramDirectory() || request.getPwd() || process.cwd();
  const rootDirectory = info?.getRootDirectory() || programDirectory;
  const entryPoint = info?.getEntryPoint() || request.getProgram() || ".";
  const options = info?.getOptions()?.toJavaScript() ?? {};
  let runScript;
  try {
    runScript = require.resolve("@pulumi/pulumi/cmd/run", { paths: [programDirectory] });
  } catch {
    const response = new language.RunResponse();
    response.setError(`@pulumi/pulumi is not installed in ${programDirectory}: run npm install there.`);
    callback(null, response);
    return;
  }
  const config = {};
  for (const [key, value] of request.getConfigMap().entries()) config[key] = value;
  const nodeArgs = typeof options.nodeargs === "string" ? options.nodeargs.split(/\s+/).filter(Boolean) : [];
  const args = [
    ...nodeArgs,
    runScript,
    `--monitor=${request.getMonitorAddress()}`,
    `--engine=${engineAddress}`,
    `--project=${request.getProject()}`,
    `--stack=${request.getStack()}`,
    `--organization=${request.getOrganization()}`,
    `--pwd=${programDirectory}`,
    `--root-directory=${rootDirectory}`,
    `--parallel=${request.getParallel()}`,
    ...(request.getDryrun() ? ["--dry-run"] : []),
    entryPoint,
    ...request.getArgsList(),
  ];
  const child = spawn(process.execPath, args, {
    cwd: programDirectory,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      PULUMI_CONFIG: JSON.stringify(config),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(request.getConfigsecretkeysList()),
      PULUMI_NODEJS_TYPESCRIPT: options.typescript === false ? "false" : "true",
      ...(typeof options.tsconfig === "string" ? { PULUMI_NODEJS_TSCONFIG_PATH: options.tsconfig } : {}),
    },
  });
  programs.add(child);
  child.on("exit", (code, signal) => {
    programs.delete(child);
    const response = new language.RunResponse();
    if (code === ALREADY_REPORTED) response.setBail(true);
    else if (code !== 0) response.setError(`Program exited with ${signal ? `signal ${signal}` : `code ${code}`}`);
    callback(null, response);
  });
}

const server = new grpc.Server();
server.addService(languageGrpc.LanguageRuntimeService, {
  handshake: (_call, callback) => callback(null, new language.LanguageHandshakeResponse()),
  getPluginInfo: (_call, callback) => {
    const info = new plugin.PluginInfo();
    info.setVersion(sdkVersion);
    callback(null, info);
  },
  getRequiredPlugins: (_call, callback) => callback(null, new language.GetRequiredPluginsResponse()),
  getRequiredPackages: (_call, callback) => callback(null, new language.GetRequiredPackagesResponse()),
  getProgramDependencies: (_call, callback) => callback(null, new language.GetProgramDependenciesResponse()),
  about: (_call, callback) => {
    const about = new language.AboutResponse();
    about.setExecutable(process.execPath);
    about.setVersion(process.version);
    callback(null, about);
  },
  installDependencies: (call) => call.end(),
  run: runProgram,
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`language host: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${port}\n`);
  watchEngine(() => {
    // Nothing a program does can be recorded once the engine is gone.
    for (const child of programs) child.kill("SIGKILL");
    process.exit(0);
  });
});

// Calls onGone once the engine that started this host is gone. The engine
// starts hosts in a process group of their own, so its death signals nothing:
// it shows as end of file on stdin (a pipe whose writing end only the engine
// holds, closed when it dies however it dies), or, when stdin is something
// else, as a new parent (an orphan is reparented). The same rule as the
// provider plugins' (provider/native/lifeline.ts); written out here because
// this file is copied beside the CLI and depends on nothing of the package.
function watchEngine(onGone) {
  let called = false;
  const gone = () => {
    if (called) return;
    called = true;
    onGone();
  };
  let stdinIsPipe = false;
  try {
    stdinIsPipe = fs.fstatSync(0).isFIFO();
  } catch {
    // No stdin: the parent check below still applies.
  }
  if (stdinIsPipe) {
    for (const event of ["end", "close", "error"]) process.stdin.on(event, gone);
    process.stdin.on("data", () => undefined);
    process.stdin.resume();
    if (typeof process.stdin.unref === "function") process.stdin.unref();
  }
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) gone();
  }, 1000).unref();
}
