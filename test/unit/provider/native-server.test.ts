/**
 * The native plugin's ResourceProvider service, called as the engine calls it
 * (protobuf requests, callbacks): property-level check failures, the
 * per-property diff with replace kinds, and cancellation.
 */
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { nativeService } from "../../../provider/native/server";
import { vendors } from "../../../provider/resources";

const URN = (type: string) => `urn:pulumi:test::project::${type}::one`;

function portkeyService() {
  const vendor = vendors().find((v) => v.name === "portkey")!;
  return nativeService(vendor, "0.0.0-test", () => undefined);
}

/** Calls one unary method and resolves with its response or rejects with its error. */
function call<Response>(method: (call: never, callback: (error: Error | null, response?: unknown) => void) => void, request: unknown): Promise<Response> {
  return new Promise((resolve, reject) => method({ request } as never, (error, response) => (error ? reject(error) : resolve(response as Response))));
}

test("check answers a failure naming the property", async () => {
  const service = portkeyService();
  const request = new proto.CheckRequest();
  request.setUrn(URN("portkey:index:Workspace"));
  request.setNews(Struct.fromJavaScript({ name: "x".repeat(101) }));
  const response = await call<proto.CheckResponse>(service.check, request);
  expect(response.getFailuresList().map((f) => [f.getProperty(), f.getReason()])).toEqual([["name", "name: must be at most 100 characters"]]);
});

test("diff answers a detailed diff: an update in place, and a replacement with its reason", async () => {
  const service = portkeyService();
  const request = new proto.DiffRequest();
  request.setUrn(URN("portkey:index:ApiKey"));
  request.setId("key-1");
  const olds = { type: "workspace", subType: "service", workspaceId: "ws-a", name: "svc", scopes: ["completions.write"], description: "old" };
  request.setOlds(Struct.fromJavaScript(olds));
  request.setNews(Struct.fromJavaScript({ ...olds, workspaceId: "ws-b", description: "new" }));
  const response = await call<proto.DiffResponse>(service.diff, request);
  expect(response.getChanges()).toBe(proto.DiffResponse.DiffChanges.DIFF_SOME);
  expect(response.getReplacesList()).toEqual(["workspaceId"]);
  expect(response.getHasdetaileddiff()).toBe(true);
  const detailed: Record<string, proto.PropertyDiff.Kind> = {};
  response.getDetaileddiffMap().forEach((diff, name) => (detailed[name] = diff.getKind()));
  expect(detailed).toEqual({ workspaceId: proto.PropertyDiff.Kind.UPDATE_REPLACE, description: proto.PropertyDiff.Kind.UPDATE });
});

test("after the engine's Cancel, no new operation starts", async () => {
  const service = portkeyService();
  await call(service.cancel, {});
  const request = new proto.CheckRequest();
  request.setUrn(URN("portkey:index:Workspace"));
  request.setNews(Struct.fromJavaScript({ name: "ok" }));
  await expect(call(service.check, request)).rejects.toThrow(/cancelled/);
});

test("a call is answered only after the engine has taken its warnings", async () => {
  const vendor = vendors().find((v) => v.name === "openrouter")!;
  const events: string[] = [];
  let deliver = () => {};
  const warnFor = Object.assign((_urn: string, message: string) => events.push(/cannot delete a workspace's default guardrail/.test(message) ? "warned" : message), {
    settled: () => new Promise<void>((resolve) => (deliver = () => (events.push("delivered"), resolve()))),
  });
  const service = nativeService(vendor, "0.0.0-test", warnFor);
  const request = new proto.DeleteRequest();
  request.setUrn(URN("openrouter:index:WorkspaceDefaultGuardrail"));
  request.setId("ws-1");
  request.setProperties(Struct.fromJavaScript({ workspaceId: "ws-1" }));
  const answered = call(service.delete, request).then(() => events.push("answered"));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(events).toEqual(["warned"]);
  deliver();
  await answered;
  expect(events).toEqual(["warned", "delivered", "answered"]);
});
