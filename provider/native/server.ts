/**
 * A native Pulumi provider plugin for one vendor: the engine's
 * ResourceProvider gRPC service, serving the same declared resources as the
 * dynamic provider (the same check, diff, create, read, update and delete),
 * so there is one implementation of each lifecycle and two ways to reach it.
 *
 * What the native form adds: the engine hands it the provider's own
 * configuration (explicit provider instances, several organisations in one
 * program), a per-property diff with replace reasons, read by id for
 * `pulumi import`, a schema for other languages, and no code in state.
 *
 * `@pulumi/pulumi`'s `provider.main` drops provider configuration and
 * detailed diffs, so the service is served here with the gRPC stubs that ship
 * in `@pulumi/pulumi/proto`.
 */
import type * as grpc from "@grpc/grpc-js";
import * as path from "node:path";
import type { ConfigurableProvider } from "../framework";
import { PartialCreateError } from "../framework";
import type { ConfiguredValues } from "../config";
import { messageOf } from "../errors";
import { vendors, Vendor } from "../resources";
import { functionToken, packageSchema } from "./schema";
import { LookupArgumentsError } from "../lookup";
import { packageVersion } from "../package-info";
import { watchEngine } from "../lifeline";

/** Where the single executable (./executable.ts) puts the modules it bundles, by the ids `fromPulumi` is given. */
export const BUNDLED_MODULES = Symbol.for("pulumi-ai-gateway.bundled-modules");

/**
 * A module as `@pulumi/pulumi` itself loads it: its protobuf stubs build
 * messages with its own copy of google-protobuf, so ours must be the same copy.
 * In the single executable there is no node_modules: the bundle hands them over.
 */
function fromPulumi<T>(id: string): T {
  const bundled = (globalThis as { [BUNDLED_MODULES]?: Record<string, unknown> })[BUNDLED_MODULES];
  if (bundled) {
    if (!(id in bundled)) throw new Error(`${id} is not bundled into this executable (provider/native/executable.ts)`);
    return bundled[id] as T;
  }
  const pulumiRoot = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  return require(require.resolve(id, { paths: [pulumiRoot] })) as T;
}

const grpcRuntime = fromPulumi<typeof grpc>("@grpc/grpc-js");
const providerRpc = fromPulumi<{ ResourceProviderService: grpc.ServiceDefinition }>("@pulumi/pulumi/proto/provider_grpc_pb");
const proto = fromPulumi<typeof import("@pulumi/pulumi/proto/provider_pb")>("@pulumi/pulumi/proto/provider_pb");
const pluginProto = fromPulumi<typeof import("@pulumi/pulumi/proto/plugin_pb")>("@pulumi/pulumi/proto/plugin_pb");
const emptyProto = fromPulumi<typeof import("google-protobuf/google/protobuf/empty_pb")>("google-protobuf/google/protobuf/empty_pb");
const structProto = fromPulumi<typeof import("google-protobuf/google/protobuf/struct_pb")>("google-protobuf/google/protobuf/struct_pb");
const anyProto = fromPulumi<typeof import("google-protobuf/google/protobuf/any_pb")>("google-protobuf/google/protobuf/any_pb");
const statusProto = fromPulumi<{ Status: new () => StatusMessage }>("@pulumi/pulumi/proto/status_pb");
const engineRpc = fromPulumi<{ EngineClient: new (address: string, credentials: grpc.ChannelCredentials) => EngineLog }>("@pulumi/pulumi/proto/engine_grpc_pb");
const engineProto = fromPulumi<typeof import("@pulumi/pulumi/proto/engine_pb")>("@pulumi/pulumi/proto/engine_pb");

/** The engine's Log service, as far as the plugin uses it. */
interface EngineLog {
  log(request: InstanceType<typeof engineProto.LogRequest>, callback: (error: grpc.ServiceError | null) => void): void;
}

/**
 * Sends a warning to the engine against one resource; without an engine connection it goes to stderr.
 * `settled` resolves once the engine has taken every warning sent so far.
 */
export interface WarnFor {
  (urn: string, message: string): void;
  settled?: () => Promise<void>;
}

function engineWarnings(engine: EngineLog | undefined): WarnFor {
  const pending = new Set<Promise<void>>();
  const warn: WarnFor = (urn, message) => {
    if (!engine) {
      process.stderr.write(`warning: ${message}\n`);
      return;
    }
    const request = new engineProto.LogRequest();
    request.setSeverity(engineProto.LogSeverity.WARNING);
    request.setMessage(message);
    request.setUrn(urn);
    const sent = new Promise<void>((resolve) =>
      engine.log(request, (error) => {
        if (error) process.stderr.write(`warning: ${message}\n`);
        resolve();
      }),
    );
    pending.add(sent);
    void sent.then(() => pending.delete(sent));
  };
  warn.settled = async () => {
    await Promise.all([...pending]);
  };
  return warn;
}

interface StatusMessage {
  setCode(code: number): void;
  setMessage(message: string): void;
  addDetails(detail: InstanceType<typeof anyProto.Any>): void;
  serializeBinary(): Uint8Array;
}

type Json = Record<string, unknown>;
type Struct = InstanceType<typeof structProto.Struct>;
type Callback<T> = (error: grpc.ServiceError | null, response?: T) => void;
type Call<Request> = grpc.ServerUnaryCall<Request, unknown>;


function toJson(struct: Struct | undefined): Json {
  return (struct?.toJavaScript() ?? {}) as Json;
}

function toStruct(value: Json): Struct {
  return structProto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)) as Record<string, never>);
}

/** The resource name of a URN (`urn:pulumi:stack::project::type::name`), for messages. */
function nameOf(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** A gRPC error the engine shows as the resource's failure; a half-done create carries its id so nothing is lost. */
function failure(error: unknown): grpc.ServiceError {
  const metadata = new grpcRuntime.Metadata();
  if (error instanceof PartialCreateError) {
    const detail = new proto.ErrorResourceInitFailed();
    detail.setId(error.id);
    detail.setProperties(toStruct(error.properties));
    detail.setReasonsList(error.reasons);
    const packed = new anyProto.Any();
    packed.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusProto.Status();
    status.setCode(grpcRuntime.status.UNKNOWN);
    status.setMessage(error.message);
    status.addDetails(packed);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return Object.assign(new Error(messageOf(error)), { code: grpcRuntime.status.UNKNOWN, details: messageOf(error), metadata });
}

function unimplemented(method: string): grpc.ServiceError {
  return Object.assign(new Error(`${method} is not implemented`), { code: grpcRuntime.status.UNIMPLEMENTED, details: `${method} is not implemented`, metadata: new grpcRuntime.Metadata() });
}

/** Runs a handler and answers the call with its result or its error. */
function answer<T>(callback: Callback<T>, work: () => Promise<T>): void {
  work().then(
    (response) => callback(null, response),
    (error: unknown) => callback(failure(error)),
  );
}

/** The provider's configuration properties (`apiKey`, `baseUrl`) as the stack config keys the resources read. */
function configuredFrom(vendor: Vendor, args: Json, variables: Map<string, string>): ConfiguredValues {
  const values: ConfiguredValues = {};
  for (const key of [vendor.settings.keyConfig, vendor.settings.baseUrlConfig]) {
    const property = key.slice(key.indexOf(":") + 1);
    const fromArgs = args[property];
    // Older engines send `<package>:config:<name>` variables instead of args.
    const fromVariables = variables.get(`${vendor.name}:config:${property}`) ?? variables.get(key);
    const value = typeof fromArgs === "string" ? fromArgs : fromVariables;
    if (value) values[key] = value;
  }
  return values;
}

/** Per-property diff kinds for the engine's detailed diff. */
function detailedDiff(names: string[], replaces: string[], olds: Json, news: Json): Map<string, InstanceType<typeof proto.PropertyDiff>> {
  const Kind = proto.PropertyDiff.Kind;
  const result = new Map<string, InstanceType<typeof proto.PropertyDiff>>();
  for (const name of names) {
    const replace = replaces.includes(name);
    const kind =
      olds[name] === undefined ? (replace ? Kind.ADD_REPLACE : Kind.ADD) : news[name] === undefined ? (replace ? Kind.DELETE_REPLACE : Kind.DELETE) : replace ? Kind.UPDATE_REPLACE : Kind.UPDATE;
    const diff = new proto.PropertyDiff();
    diff.setKind(kind);
    diff.setInputdiff(true);
    result.set(name, diff);
  }
  return result;
}

/** The ResourceProvider service of one vendor. */
export function nativeService(vendor: Vendor, version: string, warnFor: WarnFor) {
  const byToken = new Map<string, ConfigurableProvider>();
  // One process state for every resource of the vendor (batchers, the workspace id ↔ slug cache), shared by
  // every call's view below, so it must exist before the first view reads it.
  const processState = new Map<string, unknown>();
  for (const resource of vendor.resources) {
    const className = resource.declared.declaration.kind.split(":")[1];
    const provider = resource.declared.provider;
    provider.processState = processState;
    byToken.set(`${vendor.name}:index:${className}`, provider);
  }
  const lookupsByToken = new Map(vendor.lookups.map((lookup) => [functionToken(vendor, lookup), lookup]));
  let configured: ConfiguredValues = {};
  // After the engine's Cancel, no new operation starts; those in flight finish within their HTTP deadlines.
  let cancelled = false;
  /** The resource's provider for one call: its warnings name this resource. */
  const providerFor = (urn: string): ConfigurableProvider => {
    if (cancelled) throw new Error(`${nameOf(urn)}: not started: the engine cancelled the operation`);
    const type = urn.split("::")[2] ?? "";
    const provider = byToken.get(type.split("$").pop() ?? type);
    if (!provider) throw new Error(`${nameOf(urn)}: ${type} is not a resource of the ${vendor.name} provider`);
    provider.configuredValues = configured;
    const view = Object.create(provider) as ConfigurableProvider;
    view.warnSink = (message) => warnFor(urn, message);
    return view;
  };
  const empty = () => new emptyProto.Empty();
  // Answered only once the engine has the call's warnings: a step that ends the operation (a last delete)
  // could otherwise let the engine exit before it logs them.
  const reply = <T>(callback: Callback<T>, work: () => Promise<T>): void =>
    answer(callback, async () => {
      try {
        return await work();
      } finally {
        await warnFor.settled?.();
      }
    });

  return {
    handshake: (_call: Call<unknown>, callback: Callback<unknown>) => callback(unimplemented("Handshake")),
    parameterize: (_call: Call<unknown>, callback: Callback<unknown>) => callback(unimplemented("Parameterize")),
    attach: (_call: Call<unknown>, callback: Callback<unknown>) => callback(unimplemented("Attach")),
    call: (_call: Call<unknown>, callback: Callback<unknown>) => callback(unimplemented("Call")),
    construct: (_call: Call<unknown>, callback: Callback<unknown>) => callback(unimplemented("Construct")),
    list: (_call: Call<unknown>, callback: Callback<unknown>) => callback(unimplemented("List")),

    invoke(call: Call<InstanceType<typeof proto.InvokeRequest>>, callback: Callback<unknown>) {
      reply(callback, async () => {
        const token = call.request.getTok();
        const lookup = lookupsByToken.get(token);
        if (!lookup) throw new Error(`${token} is not a function of the ${vendor.name} provider`);
        if (cancelled) throw new Error(`${token}: not started: the engine cancelled the operation`);
        const response = new proto.InvokeResponse();
        try {
          response.setReturn(toStruct(await lookup.declared.invoke(toJson(call.request.getArgs()), configured)));
        } catch (error) {
          // Bad arguments are the engine's check failures (it names the argument); anything else fails the invoke.
          if (!(error instanceof LookupArgumentsError)) throw error;
          response.setFailuresList(
            error.failures.map((f) => {
              const checkFailure = new proto.CheckFailure();
              // The engine appends the property in parentheses: the reason need not start with it.
              checkFailure.setProperty(f.property || "arguments");
              checkFailure.setReason(f.property && f.reason.startsWith(`${f.property}: `) ? f.reason.slice(f.property.length + 2) : f.reason);
              return checkFailure;
            }),
          );
        }
        return response;
      });
    },

    getPluginInfo(_call: Call<unknown>, callback: Callback<unknown>) {
      const info = new pluginProto.PluginInfo();
      info.setVersion(version);
      callback(null, info);
    },

    getSchema(_call: Call<unknown>, callback: Callback<unknown>) {
      reply(callback, async () => {
        const response = new proto.GetSchemaResponse();
        response.setSchema(JSON.stringify(packageSchema(vendor, version)));
        return response;
      });
    },

    getMapping(_call: Call<unknown>, callback: Callback<unknown>) {
      callback(null, new proto.GetMappingResponse());
    },

    getMappings(_call: Call<unknown>, callback: Callback<unknown>) {
      callback(null, new proto.GetMappingsResponse());
    },

    checkConfig(call: Call<InstanceType<typeof proto.CheckRequest>>, callback: Callback<unknown>) {
      reply(callback, async () => {
        const response = new proto.CheckResponse();
        response.setInputs(call.request.getNews() ?? toStruct({}));
        return response;
      });
    },

    diffConfig(call: Call<InstanceType<typeof proto.DiffRequest>>, callback: Callback<unknown>) {
      reply(callback, async () => {
        // Credentials and the base URL reach the API at call time: changing them never replaces a resource.
        const olds = toJson(call.request.getOldInputs() ?? call.request.getOlds());
        const news = toJson(call.request.getNews());
        const keys = [vendor.settings.keyConfig, vendor.settings.baseUrlConfig].map((key) => key.slice(key.indexOf(":") + 1));
        const changed = keys.filter((key) => JSON.stringify(olds[key] ?? null) !== JSON.stringify(news[key] ?? null));
        const response = new proto.DiffResponse();
        response.setChanges(changed.length > 0 ? proto.DiffResponse.DiffChanges.DIFF_SOME : proto.DiffResponse.DiffChanges.DIFF_NONE);
        response.setDiffsList(changed);
        return response;
      });
    },

    configure(call: Call<InstanceType<typeof proto.ConfigureRequest>>, callback: Callback<unknown>) {
      reply(callback, async () => {
        const variables = new Map<string, string>(call.request.getVariablesMap().toArray() as [string, string][]);
        configured = configuredFrom(vendor, toJson(call.request.getArgs()), variables);
        const response = new proto.ConfigureResponse();
        // Secrets arrive as plain values and outputs are marked secret by the schema and SDK.
        response.setAcceptsecrets(false);
        // Previews of creates and updates are answered here without calling the API (see create and update).
        response.setSupportspreview(true);
        return response;
      });
    },

    check(call: Call<InstanceType<typeof proto.CheckRequest>>, callback: Callback<unknown>) {
      reply(callback, async () => {
        const provider = providerFor(call.request.getUrn());
        const result = await provider.check!(toJson(call.request.getOlds()), toJson(call.request.getNews()));
        const response = new proto.CheckResponse();
        response.setInputs(toStruct(result.inputs ?? {}));
        response.setFailuresList(
          (result.failures ?? []).map((f) => {
            const checkFailure = new proto.CheckFailure();
            checkFailure.setProperty(f.property);
            checkFailure.setReason(f.reason);
            return checkFailure;
          }),
        );
        return response;
      });
    },

    diff(call: Call<InstanceType<typeof proto.DiffRequest>>, callback: Callback<unknown>) {
      reply(callback, async () => {
        const provider = providerFor(call.request.getUrn());
        const olds = toJson(call.request.getOlds());
        const news = toJson(call.request.getNews());
        const { changed: names, replaces, stables, deleteBeforeReplace } = provider.inputDiff!(olds, news);
        // State written by the dynamic provider (a program switched to the native resources) carries its code:
        // an update without any API write rewrites the outputs without it.
        const dynamicLeftovers = olds.__provider === undefined ? [] : ["__provider"];
        const response = new proto.DiffResponse();
        response.setChanges(names.length > 0 || dynamicLeftovers.length > 0 ? proto.DiffResponse.DiffChanges.DIFF_SOME : proto.DiffResponse.DiffChanges.DIFF_NONE);
        response.setReplacesList(replaces);
        response.setStablesList(stables);
        response.setDeletebeforereplace(deleteBeforeReplace);
        response.setDiffsList([...names, ...dynamicLeftovers]);
        const detailed = response.getDetaileddiffMap();
        for (const [name, diff] of detailedDiff(names, replaces, olds, news)) detailed.set(name, diff);
        for (const name of dynamicLeftovers) {
          const leftover = new proto.PropertyDiff();
          leftover.setKind(proto.PropertyDiff.Kind.DELETE);
          leftover.setInputdiff(false);
          detailed.set(name, leftover);
        }
        response.setHasdetaileddiff(true);
        return response;
      });
    },

    create(call: Call<InstanceType<typeof proto.CreateRequest>>, callback: Callback<unknown>) {
      reply(callback, async () => {
        const provider = providerFor(call.request.getUrn());
        if (call.request.getPreview()) {
          // What a create will hold is the inputs; every server-set output is unknown until then.
          const response = new proto.CreateResponse();
          response.setProperties(call.request.getProperties() ?? toStruct({}));
          return response;
        }
        const result = await provider.create(toJson(call.request.getProperties()));
        const response = new proto.CreateResponse();
        response.setId(result.id);
        response.setProperties(toStruct(result.outs ?? {}));
        return response;
      });
    },

    read(call: Call<InstanceType<typeof proto.ReadRequest>>, callback: Callback<unknown>) {
      reply(callback, async () => {
        const provider = providerFor(call.request.getUrn());
        // On import the engine knows only the id: the properties are empty.
        const result = await provider.read!(call.request.getId(), toJson(call.request.getProperties()));
        const response = new proto.ReadResponse();
        if (result.id) {
          response.setId(result.id);
          response.setProperties(toStruct((result.props ?? {}) as Json));
          response.setInputs(toStruct(((result as { inputs?: Json }).inputs ?? {}) as Json));
        }
        return response;
      });
    },

    update(call: Call<InstanceType<typeof proto.UpdateRequest>>, callback: Callback<unknown>) {
      reply(callback, async () => {
        const provider = providerFor(call.request.getUrn());
        if (call.request.getPreview()) {
          // The new inputs, and the outputs an update never changes (ids, slugs, creation time) as they are:
          // whatever references those previews no change. Other outputs are left out, so they show as unknown.
          const olds = toJson(call.request.getOlds());
          const news = toJson(call.request.getNews());
          const { stables } = provider.inputDiff!(olds, news);
          const kept = Object.fromEntries(stables.filter((name) => olds[name] !== undefined && news[name] === undefined).map((name) => [name, olds[name]]));
          const response = new proto.UpdateResponse();
          response.setProperties(toStruct({ ...kept, ...news }));
          return response;
        }
        const result = await provider.update!(call.request.getId(), toJson(call.request.getOlds()), toJson(call.request.getNews()));
        const response = new proto.UpdateResponse();
        response.setProperties(toStruct((result.outs ?? {}) as Json));
        return response;
      });
    },

    delete(call: Call<InstanceType<typeof proto.DeleteRequest>>, callback: Callback<unknown>) {
      reply(callback, async () => {
        const provider = providerFor(call.request.getUrn());
        await provider.delete!(call.request.getId(), toJson(call.request.getProperties()));
        return empty();
      });
    },

    cancel(_call: Call<unknown>, callback: Callback<unknown>) {
      // Calls in flight finish or time out on their own (every HTTP call has a deadline), so nothing is left half-written.
      cancelled = true;
      callback(null, empty());
    },
  };
}

/**
 * Starts the plugin for `vendorName` and prints its port, as the engine
 * expects from every plugin. The process lives until the engine stops it, or
 * dies: then nothing the plugin does can be recorded any more, so it exits.
 */
export async function main(vendorName: string, args: readonly string[]): Promise<void> {
  const vendor = vendors().find((v) => v.name === vendorName);
  if (!vendor) throw new Error(`unknown provider '${vendorName}'`);
  // The engine's address is the last argument that is not a flag (the engine may pass -v or --logtostderr first).
  const engineAddress = [...args].reverse().find((arg) => !arg.startsWith("-"));
  const engine = engineAddress ? new engineRpc.EngineClient(engineAddress, grpcRuntime.credentials.createInsecure()) : undefined;
  const server = new grpcRuntime.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(providerRpc.ResourceProviderService, nativeService(vendor, packageVersion(), engineWarnings(engine)) as unknown as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpcRuntime.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  process.stdout.write(`${port}\n`);
  watchEngine(() => process.exit(0));
}
