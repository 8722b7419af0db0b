/**
 * The least work the API allows for the benchmark's program, with no engine:
 * one POST per workspace, one POST per workspace service key and one PUT per
 * access grant, at most `parallel` requests in flight. A key and a grant start
 * once their workspace exists; requests start in the order they become ready
 * (so workspaces first), as an engine walking the dependency graph would.
 */
export interface RawMinimalOptions {
  /** The Portkey base URL, e.g. http://127.0.0.1:4010/v1. */
  baseUrl: string;
  adminKey: string;
  integrationSlug: string;
  workspaces: number;
  parallel: number;
}

export interface RawMinimalResult {
  seconds: number;
  requests: number;
}

type Task = () => Promise<void>;

export async function rawMinimal(options: RawMinimalOptions): Promise<RawMinimalResult> {
  const headers = { "x-portkey-api-key": options.adminKey, "content-type": "application/json" };
  let requests = 0;
  const call = async (method: string, path: string, body: unknown): Promise<Record<string, unknown>> => {
    requests++;
    const response = await fetch(`${options.baseUrl}${path}`, { method, headers, body: JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  const ready: Task[] = [];
  for (let i = 0; i < options.workspaces; i++) {
    ready.push(async () => {
      const workspace = await call("POST", "/admin/workspaces", { name: `Raw ${i}` });
      const id = String(workspace.id);
      ready.push(() => call("POST", "/api-keys/workspace/service", { workspace_id: id, name: `raw-${i}`, scopes: ["completions.write"] }).then(() => undefined));
      ready.push(() =>
        call("PUT", `/integrations/${options.integrationSlug}/workspaces`, {
          workspaces: [{ id, enabled: true, create_default_provider: false }],
        }).then(() => undefined),
      );
    });
  }

  const started = process.hrtime.bigint();
  let inFlight = 0;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const pump = () => {
      if (failed) return;
      if (ready.length === 0 && inFlight === 0) {
        resolve();
        return;
      }
      while (inFlight < options.parallel && ready.length > 0) {
        const task = ready.shift()!;
        inFlight++;
        task().then(
          () => {
            inFlight--;
            pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
    };
    pump();
  });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, requests };
}
