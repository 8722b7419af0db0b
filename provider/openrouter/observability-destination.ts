/**
 * OpenRouter observability destination: `/observability/destinations`, where
 * OpenRouter broadcasts request traces (Langfuse, Datadog, S3, a webhook, ...).
 * The resource id is the destination's UUID. `type` and `workspaceId` cannot
 * be updated and replace it; everything else is updated in place with PATCH.
 *
 * `config` is the type's settings. OpenRouter answers it with its secrets
 * masked and its defaults filled in, and merges a PATCH's `config` into what
 * it holds (keys left out are kept). So `config` is compared with what was
 * last sent for its credentials (and headers), with what OpenRouter holds for
 * the rest; an update sends only the keys that changed; a removed key is sent
 * as its documented default, and one without a default cannot be removed in
 * place (validation says so). The whole `config` is a Pulumi secret: which
 * keys hold credentials differs per type and is not limited to credential
 * names (a webhook `url` or an OTLP `endpoint` can carry a token, a Sentry
 * `dsn` is one, `headers` usually carry authorization), and secrecy is decided
 * per input, so splitting the object would leave some of them in plaintext.
 */
import { z } from "zod";
import { configKeysOf } from "../config";
import { deepEqual, normalize } from "../framework";
import { createWithRecovery } from "../recovery";
import { declareResource, input, output, ShapeOf } from "../resource";
import { OPENROUTER_SETTINGS, openrouterClient, workspaceIdInput } from "./common";
import { KEY_HASH } from "./byok-key";
import {
  createDestination,
  deleteDestination,
  DestinationJson,
  getDestination,
  listDestinationsWithServerTime,
  updateDestination,
} from "./api/observability";
import { listPerParent } from "../enumeration";

export const DESTINATION_TYPES = [
  "arize",
  "braintrust",
  "clickhouse",
  "datadog",
  "grafana",
  "langfuse",
  "langsmith",
  "newrelic",
  "opik",
  "otel-collector",
  "posthog",
  "ramp",
  "s3",
  "sentry",
  "snowflake",
  "weave",
  "webhook",
] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

interface ConfigShape {
  required: readonly string[];
  /** Optional keys, with OpenRouter's documented default where there is one. */
  optional: Readonly<Record<string, string | undefined>>;
  /** Keys holding credentials: OpenRouter answers them masked, so they are compared with what was last sent. */
  secret: readonly string[];
}

/** Every type's `config` keys, as the API reference documents them (openrouter-api-more.md §7). Each also takes `headers`. */
const CONFIG_SHAPES: Readonly<Record<DestinationType, ConfigShape>> = {
  arize: { required: ["apiKey", "spaceKey", "modelId"], optional: { baseUrl: "https://otlp.arize.com" }, secret: ["apiKey", "spaceKey"] },
  braintrust: { required: ["apiKey", "projectId"], optional: { baseUrl: undefined }, secret: ["apiKey"] },
  clickhouse: { required: ["host", "database", "username", "password"], optional: { table: "OPENROUTER_TRACES" }, secret: ["password"] },
  datadog: { required: ["apiKey", "mlApp"], optional: { url: "https://api.us5.datadoghq.com" }, secret: ["apiKey"] },
  grafana: { required: ["apiKey", "instanceId"], optional: { baseUrl: undefined }, secret: ["apiKey"] },
  langfuse: { required: ["publicKey", "secretKey"], optional: { baseUrl: "https://us.cloud.langfuse.com" }, secret: ["secretKey"] },
  langsmith: { required: ["apiKey"], optional: { endpoint: undefined, project: "main", workspaceId: undefined }, secret: ["apiKey"] },
  newrelic: { required: ["licenseKey"], optional: { region: "us" }, secret: ["licenseKey"] },
  opik: { required: ["apiKey", "workspace", "projectName"], optional: {}, secret: ["apiKey"] },
  "otel-collector": { required: ["endpoint"], optional: {}, secret: [] },
  posthog: { required: ["apiKey"], optional: { endpoint: undefined }, secret: ["apiKey"] },
  ramp: { required: ["apiKey"], optional: { baseUrl: undefined }, secret: ["apiKey"] },
  s3: {
    required: ["bucketName", "accessKeyId", "secretAccessKey"],
    optional: { region: undefined, endpoint: undefined, sessionToken: undefined, prefix: "openrouter-traces", pathTemplate: "{prefix}/{date}" },
    secret: ["secretAccessKey", "sessionToken"],
  },
  sentry: { required: ["otlpEndpoint", "dsn"], optional: {}, secret: ["dsn"] },
  snowflake: {
    required: ["account", "token"],
    optional: { database: undefined, schema: "PUBLIC", table: undefined, warehouse: undefined },
    secret: ["token"],
  },
  weave: { required: ["apiKey", "entity", "project"], optional: { baseUrl: undefined }, secret: ["apiKey"] },
  webhook: { required: ["url"], optional: { method: "POST" }, secret: [] },
};

const HEADERS = "headers";
const FILTER_FIELDS = [
  "model",
  "provider",
  "session_id",
  "user_id",
  "api_key_name",
  "finish_reason",
  "input",
  "output",
  "total_cost",
  "total_tokens",
  "prompt_tokens",
  "completion_tokens",
] as const;
const FILTER_OPERATORS = [
  "equals",
  "not_equals",
  "contains",
  "not_contains",
  "regex",
  "starts_with",
  "ends_with",
  "gt",
  "lt",
  "gte",
  "lte",
  "exists",
  "not_exists",
] as const;

type DestinationConfig = Record<string, string | Record<string, string>>;

function filterRulesSchema() {
  return z.strictObject({
    enabled: z.boolean().optional().describe("Whether the rules apply (default true)."),
    groups: z
      .array(
        z.strictObject({
          logic: z.enum(["and", "or"]).optional().describe("How the group's rules combine (default `and`)."),
          rules: z.array(
            z.strictObject({
              field: z.enum(FILTER_FIELDS),
              operator: z.enum(FILTER_OPERATORS),
              value: z.union([z.string(), z.number()]).optional(),
            }),
          ),
        }),
      )
      .describe("Groups of rules."),
  });
}

function destinationInputs() {
  return {
    type: input(z.enum(DESTINATION_TYPES), {
      doc: "What kind of destination it is, e.g. `langfuse`, `datadog`, `s3`, `webhook`. Changing it replaces the destination.",
      outputDoc: "The type as read back.",
      api: "type",
      replaces: true,
      example: "langfuse",
    }),
    name: input(z.string().trim().min(1, "must not be empty"), {
      doc: "The destination's display name.",
      outputDoc: "The name as read back.",
      api: "name",
    }),
    config: input(z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string())])), {
      doc:
        "The type's settings, camelCase as OpenRouter names them, e.g. `{ publicKey, secretKey, baseUrl }` for `langfuse`, " +
        "`{ bucketName, accessKeyId, secretAccessKey, region, prefix }` for `s3`, `{ url, method }` for `webhook`; every type also " +
        "takes `headers` (a map of strings). Checked per type at preview: required keys present, no unknown keys. A secret as a whole. " +
        "Credentials and headers are compared with what was last sent (OpenRouter returns them masked), the other keys with what " +
        "OpenRouter holds. Removing a key sends its documented default (`headers`: none); a key without one cannot be removed in place.",
      outputDoc: "The settings: credentials and headers as last sent, the rest as read back (a secret).",
      api: "config",
      secret: true,
      example: { publicKey: "pk-lf-…", secretKey: "sk-lf-…" },
      comparable: (value, olds) => configComparable(value, olds.type),
      fromApi: (value, answer, carried) => configRead(value, (carried.type ?? answer.type) as string, carried.config),
    }),
    workspaceId: workspaceIdInput({
      doc: "The workspace's UUID; the account's default workspace when unset. Changing it replaces the destination. Pass a Workspace's `id`. After an import it holds the workspace OpenRouter reports, so the program names it too.",
      outputDoc: "The workspace as given (as OpenRouter reports it, after an import).",
      optional: true,
      sent: true,
    }),
    enabled: input(z.boolean().optional(), {
      doc: "Whether traces are sent (default true).",
      outputDoc: "As read back.",
      api: "enabled",
      serverDefault: true,
    }),
    privacyMode: input(z.boolean().optional(), {
      doc: "Forward only metadata, never prompts and completions (default false).",
      outputDoc: "As read back.",
      api: "privacy_mode",
      serverDefault: false,
    }),
    samplingRate: input(z.number().min(0.0001, "must be at least 0.0001").max(1, "must be at most 1").optional(), {
      doc: "Share of requests sent, 0.0001–1 (default 1: all).",
      outputDoc: "As read back.",
      api: "sampling_rate",
      // The reference's examples show 1; removing the rate sends it.
      serverDefault: 1,
    }),
    apiKeyHashes: input(
      z
        .array(z.string().regex(KEY_HASH, "must be an API key's hash (64 lowercase hex digits)"))
        .min(1, "must not be empty: leave it unset to send every key's requests")
        .optional(),
      {
        doc: "Send only the requests of these API keys (by hash, e.g. an ApiKey's `hash`); unset sends every key's.",
        outputDoc: "The key hashes as read back.",
        api: "api_key_hashes",
      },
    ),
    broadcastGenerationCost: input(z.boolean().optional(), {
      doc: "Include each generation's cost (default false).",
      outputDoc: "As read back.",
      api: "broadcast_generation_cost",
      serverDefault: false,
    }),
    broadcastGenerationIdentity: input(z.boolean().optional(), {
      doc: "Include who made each generation (default false).",
      outputDoc: "As read back.",
      api: "broadcast_generation_identity",
      serverDefault: false,
    }),
    broadcastGenerationRequestContext: input(z.boolean().optional(), {
      doc: "Include each generation's request context (default false).",
      outputDoc: "As read back.",
      api: "broadcast_generation_request_context",
      serverDefault: false,
    }),
    // Typed loosely here and checked in `refine`: the native schema has no nested object types (groups of rules of objects).
    filterRules: input(z.record(z.string(), z.json()).optional(), {
      doc:
        "Which requests are sent: `{ enabled?, groups: [{ logic?: and|or, rules: [{ field, operator, value? }] }] }`, fields such as " +
        "`model`, `provider`, `user_id`, `total_cost`, operators such as `equals`, `contains`, `regex`, `gt`, `exists`. Unset sends all.",
      outputDoc: "The rules as read back.",
      api: "filter_rules",
      comparable: (value) => filterRulesComparable(value),
    }),
  };
}

function destinationOutputs() {
  return {
    resolvedWorkspaceId: output(z.string().optional(), { stable: true,
      doc: "The workspace the destination is in (the default one when `workspaceId` was unset).",
      api: "workspace_id",
    }),
    createdAt: output(z.string().optional(), { stable: true, doc: "Creation time.", api: "created_at" }),
    updatedAt: output(z.string().optional(), { doc: "Last change.", api: "updated_at" }),
  };
}

type Shape = ShapeOf<typeof destinationInputs, typeof destinationOutputs>;

export const openrouterObservabilityDestination = declareResource({
  kind: "openrouter:ObservabilityDestination",
  enumerate: {
    prefix: "destination",
    identity: ["workspaceId", "name"],
    shownAs: { workspaceId: "resolvedWorkspaceId" },
    references: { workspaceId: { kind: "openrouter:Workspace", output: "id" } },
    async list(ctx, listed) {
      const client = openrouterClient(ctx);
      return listPerParent(listed("openrouter:Workspace"), async (w) => (await listDestinationsWithServerTime(client, w.id)).destinations.map((d) => ({ id: d.id, name: d.name ?? d.type })));
    },
  },
  doc:
    "An OpenRouter observability destination (`/observability/destinations`): where request traces are broadcast. The resource " +
    "id is its UUID. `config` (the type's settings) is a secret; credentials in it are never read back.\n\n" +
    "```ts\n" +
    'const traces = new openrouter.ObservabilityDestination("langfuse", {\n' +
    '  type: "langfuse",\n' +
    '  name: "Langfuse",\n' +
    '  config: { publicKey: "pk-lf-123", secretKey: config.requireSecret("langfuseSecret") },\n' +
    "  samplingRate: 0.5,\n" +
    "  apiKeyHashes: [ci.hash],\n" +
    "});\n" +
    "```",
  configKeys: configKeysOf(OPENROUTER_SETTINGS),
  inputs: destinationInputs,
  outputs: destinationOutputs,

  refine(inputs, issue) {
    if (inputs.filterRules !== undefined) {
      const checked = filterRulesSchema().safeParse(inputs.filterRules);
      if (!checked.success) for (const problem of checked.error.issues) issue(["filterRules", ...problem.path.map((part) => (typeof part === "symbol" ? String(part) : part))], problem.message);
    }
    const shape = CONFIG_SHAPES[inputs.type];
    const known = [...shape.required, ...Object.keys(shape.optional), HEADERS];
    for (const key of shape.required) {
      const value = inputs.config[key];
      if (typeof value !== "string" || value.length === 0) issue(["config", key], `required for type ${inputs.type} (a non-empty string)`);
    }
    for (const [key, value] of Object.entries(inputs.config)) {
      if (key === HEADERS) {
        if (typeof value !== "object") issue(["config", key], "must be a map of strings");
      } else if (!known.includes(key)) {
        const camel = key.replace(/_([a-z])/g, (_m, letter: string) => letter.toUpperCase());
        const hint = camel !== key && known.includes(camel) ? `keys are camelCase: use ${camel}` : `type ${inputs.type} takes ${known.join(", ")}`;
        issue(["config", key], `is not a setting of this type (${hint})`);
      } else if (typeof value !== "string") issue(["config", key], "must be a string");
    }
  },

  validate(inputs, olds) {
    // A removed key with no documented default would silently stay on the server (a PATCH keeps the keys it leaves out).
    if (!olds.config || olds.type !== inputs.type || olds.workspaceId !== inputs.workspaceId) return [];
    const shape = CONFIG_SHAPES[inputs.type];
    return Object.keys(olds.config)
      .filter((key) => inputs.config[key] === undefined && key !== HEADERS && shape.optional[key] === undefined)
      .map((key) => ({
        property: "config",
        reason:
          `config.${key}: cannot be removed in place: OpenRouter keeps a setting an update leaves out and documents no way to clear ` +
          `this one; set the value you want, or replace the destination (\`pulumi up --replace <urn>\`)`,
      }));
  },

  async create(inputs, ctx) {
    const client = openrouterClient(ctx, secretsOf(inputs.type, inputs.config));
    const body = ctx.createBody(inputs);
    const created = await createWithRecovery(ctx, {
      what: `OpenRouter observability destination '${inputs.name}'`,
      naturalKey: `openrouter:ObservabilityDestination:${inputs.workspaceId ?? "default"}:${inputs.type}:${inputs.name}`,
      post: () => createDestination(client, body),
      idOf: (made) => made.id,
      async findCandidates() {
        const { destinations, serverTime } = await listDestinationsWithServerTime(client, inputs.workspaceId);
        const same = destinations.filter((d) => d.type === inputs.type && d.name === inputs.name);
        return { candidates: same.map((d) => ({ id: d.id, createdAt: d.created_at })), serverTime };
      },
      recover: {
        async adopt(candidate) {
          const found = await getDestination(client, candidate.id);
          if (!found) throw new Error(`destination ${candidate.id} disappeared while it was being recovered`);
          return found;
        },
      },
      cleanup: "delete it in the OpenRouter dashboard under Observability, or with DELETE /observability/destinations/{id}",
    });
    ctx.created(created.id, { ...inputs, resolvedWorkspaceId: created.workspace_id ?? undefined });
    return { id: created.id, outputs: toOutputs(ctx, created, inputs) };
  },

  async read(id, outputs, ctx) {
    const json = await getDestination(openrouterClient(ctx, secretsOf(outputs.type, outputs.config)), id);
    if (!json) return undefined;
    // Read by its id alone (import): the destination's workspace is what a program declares for it.
    const imported = outputs.type === undefined;
    return toOutputs(ctx, json, imported ? { ...outputs, workspaceId: json.workspace_id ?? undefined } : outputs);
  },

  async update(id, olds, news, ctx) {
    const client = openrouterClient(ctx, [...secretsOf(olds.type, olds.config), ...secretsOf(news.type, news.config)]);
    const body = ctx.updateBody(olds, news);
    if (body.config !== undefined) body.config = configPatch(news.type, olds.config, news.config);
    const json = Object.keys(body).length > 0 ? await updateDestination(client, id, body) : await getDestination(client, id);
    if (!json) throw new Error(`destination ${id} does not exist (or was deleted); run \`pulumi refresh\`.`);
    return toOutputs(ctx, json, news);
  },

  async delete(id, outputs, ctx) {
    await deleteDestination(openrouterClient(ctx, secretsOf(outputs.type, outputs.config)), id);
  },
});

function toOutputs(ctx: Shape["context"], json: DestinationJson, carried: Partial<Shape["outputs"]>): Shape["outputs"] {
  return ctx.outputsFrom(json, carried);
}

function shapeOf(type: unknown): ConfigShape | undefined {
  return typeof type === "string" && type in CONFIG_SHAPES ? CONFIG_SHAPES[type as DestinationType] : undefined;
}

/** Kept as last sent, never read back: credentials, headers, and anything answered masked. */
function isCarriedKey(type: unknown, key: string): boolean {
  return key === HEADERS || (shapeOf(type)?.secret.includes(key) ?? false);
}

/** How OpenRouter shows a secret: `sk-l...AbCd` (or starred). */
function looksMasked(value: unknown): boolean {
  return typeof value === "string" && /\.\.\.|…|\*{3,}/.test(value);
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * `config` as read: each key last sent, credentials (and headers) as sent,
 * the others as OpenRouter holds them (a key it no longer holds drops out);
 * keys not sent (the server's defaults) are left out. Read by id alone (an
 * import), the non-secret keys OpenRouter holds that differ from their
 * documented defaults, so the program's credentials show as a change that
 * sends them once.
 */
function configRead(value: unknown, type: string, carried: unknown): DestinationConfig | undefined {
  const held = asObject(value) ?? {};
  const sent = asObject(carried);
  const result: Record<string, unknown> = {};
  if (sent) {
    for (const [key, declared] of Object.entries(sent)) {
      const current = held[key];
      if (isCarriedKey(type, key) || (looksMasked(current) && current !== declared)) result[key] = declared;
      else if (current !== undefined && current !== null) result[key] = current;
    }
  } else {
    const defaults = shapeOf(type)?.optional ?? {};
    for (const [key, current] of Object.entries(held)) {
      if (isCarriedKey(type, key) || looksMasked(current) || current === null || current === defaults[key]) continue;
      result[key] = current;
    }
  }
  return Object.keys(result).length > 0 ? (result as DestinationConfig) : undefined;
}

/** What diff compares: keys in order, a key set to its documented default the same as unset. */
function configComparable(value: unknown, type: unknown): unknown {
  const config = asObject(value);
  if (!config) return normalize(value);
  const defaults = shapeOf(type)?.optional ?? {};
  return normalize(Object.fromEntries(Object.entries(config).filter(([key, item]) => defaults[key] === undefined || item !== defaults[key])));
}

/** The `config` of a PATCH: changed and added keys; removed keys as their documented default (`headers`: none). */
function configPatch(type: DestinationType, olds: unknown, news: DestinationConfig): DestinationConfig {
  const before = asObject(olds) ?? {};
  const patch: DestinationConfig = {};
  for (const [key, value] of Object.entries(news)) {
    if (!deepEqual(normalize(before[key]), normalize(value))) patch[key] = value;
  }
  for (const key of Object.keys(before)) {
    if (news[key] !== undefined) continue;
    if (key === HEADERS) patch[key] = {};
    else {
      const fallback = CONFIG_SHAPES[type].optional[key];
      if (fallback !== undefined) patch[key] = fallback;
    }
  }
  return patch;
}

/** Strings the client keeps out of every message: the credentials and header values. */
function secretsOf(type: unknown, config: unknown): string[] {
  const values = asObject(config) ?? {};
  const secrets: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (key === HEADERS) secrets.push(...Object.values(asObject(value) ?? {}).filter((v): v is string => typeof v === "string" && v.length > 0));
    else if (isCarriedKey(type, key) && typeof value === "string" && value.length > 0) secrets.push(value);
  }
  return secrets;
}

/** Filter rules with their documented defaults filled in, so leaving one out is not a change. */
function filterRulesComparable(value: unknown): unknown {
  const rules = asObject(value);
  if (!rules) return normalize(value);
  const groups = Array.isArray(rules.groups) ? rules.groups : [];
  return {
    enabled: rules.enabled ?? true,
    groups: groups.map((group) => {
      const g = asObject(group) ?? {};
      return { logic: g.logic ?? "and", rules: (Array.isArray(g.rules) ? g.rules : []).map((rule) => normalize(rule) ?? {}) };
    }),
  };
}
