/**
 * Routing for the emulator: routes are declared with the path templates of the
 * vendor's documentation ("/api-keys/{id}"), which also name them in request
 * counts and spec checks.
 */

export interface RequestContext<Principal> {
  method: string;
  /** The route's template, e.g. "/admin/workspaces/{workspaceId}". */
  template: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body; undefined when the request had none. */
  body: unknown;
  principal: Principal;
  now: Date;
  /** The request's headers, lower-cased (Node's); absent where a context is made without a request. */
  headers?: Record<string, string | string[] | undefined>;
}

export interface HandlerResult {
  status?: number;
  body: unknown;
  /** The serialized body when the handler needs exact JSON text (e.g. `10.0`). */
  rawJson?: string;
}

export type Handler<Principal> = (ctx: RequestContext<Principal>) => HandlerResult;

export interface Route<Principal> {
  method: string;
  template: string;
  pattern: RegExp;
  paramNames: string[];
  /** Writes change state: they are persisted and may be hit by commit-then-drop faults. */
  writes: boolean;
  handler: Handler<Principal>;
}

export class Router<Principal> {
  readonly routes: Route<Principal>[] = [];

  add(method: string, template: string, handler: Handler<Principal>): this {
    const paramNames: string[] = [];
    const source = template
      .split("/")
      .map((segment) => {
        const param = /^\{(.+)\}$/.exec(segment);
        if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        paramNames.push(param[1]);
        return "([^/]+)";
      })
      .join("/");
    this.routes.push({
      method,
      template,
      pattern: new RegExp(`^${source}/?$`),
      paramNames,
      writes: method !== "GET",
      handler,
    });
    return this;
  }

  /** The matching route, or whether the path exists under another method. */
  match(method: string, path: string): { route: Route<Principal>; params: Record<string, string> } | "wrong-method" | undefined {
    let pathMatched = false;
    let best: { route: Route<Principal>; found: RegExpExecArray } | undefined;
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      // A literal segment beats a parameter: /api-keys/{id}/rotate over /api-keys/{type}/{sub-type}.
      if (!best || route.paramNames.length < best.route.paramNames.length) best = { route, found };
    }
    if (!best) return pathMatched ? "wrong-method" : undefined;
    const { route, found } = best;
    const params: Record<string, string> = {};
    route.paramNames.forEach((name, i) => (params[name] = decodeURIComponent(found[i + 1])));
    return { route, params };
  }
}
