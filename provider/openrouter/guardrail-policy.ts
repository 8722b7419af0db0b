/**
 * The rules an OpenRouter guardrail holds (budget, models, providers, data
 * retention, content filters, data regions), shared by `openrouter.Guardrail`
 * and `openrouter.WorkspaceDefaultGuardrail`: one field table for both.
 *
 * Every field updates in place; a collection is sent whole (OpenRouter
 * replaces collections on PATCH) and a removed one is cleared with null, since
 * the document gives lists at least one item. The deprecated `enforce_zdr` is
 * left out on purpose: OpenRouter copies it into every per-group field, which
 * would then read back as values nobody declared; the per-group fields say the
 * same thing precisely.
 */
import { z } from "zod";
import { deepEqual, normalize } from "../framework";
import { input, output } from "../resource";
import type { BuiltinFilterJson, ContentFilterJson } from "./api/guardrails";

type Json = Record<string, unknown>;

const BUILTIN_SLUGS = ["email", "phone", "ssn", "credit-card", "ip-address", "person-name", "address", "regex-prompt-injection", "secrets"] as const;
const PROMPT_INJECTION = "regex-prompt-injection";

function idList(what: string) {
  return z.array(z.string().min(1, "must not be empty")).min(1, `must list at least one ${what}; leave it unset for no rule`);
}

/**
 * A model list: OpenRouter answers with canonical slugs (`openai/gpt-4o` may come
 * back as a dated slug). The declared spelling stays as long as the server's list is
 * what it answered to the last write; anything else is drift and shows as such.
 */
function modelList(name: "allowedModels" | "ignoredModels", seenName: "canonicalAllowedModels" | "canonicalIgnoredModels", api: string, doc: string) {
  return input(idList("model").optional(), {
    doc: `${doc} Model slugs or canonical slugs; OpenRouter stores canonical slugs (see \`${seenName}\`), and the declared spelling is kept while they are unchanged.`,
    outputDoc: "The models as declared, or as OpenRouter lists them when they were changed elsewhere.",
    api,
    fromApi(value, _answer, carried) {
      const read = normalize(value) === undefined ? undefined : value;
      const declared = carried[name];
      if (declared === undefined || read === undefined) return read;
      const seen = carried[seenName];
      // Right after a write (no earlier answer carried): the answer is OpenRouter's spelling of what was sent.
      if (seen === undefined) return declared;
      return deepEqual(normalize(seen), normalize(read)) ? declared : read;
    },
  });
}

/** Content filters without the nulls OpenRouter fills in. */
function contentFiltersFromApi(value: unknown): unknown {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return (value as ContentFilterJson[]).map((f) => ({ pattern: f.pattern, action: f.action, ...(f.label ? { label: f.label } : {}) }));
}

/** Built-in filters in the SDK's names, without the label OpenRouter sets. */
function builtinsFromApi(value: unknown): unknown {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return (value as BuiltinFilterJson[]).map((f) => ({ slug: f.slug, action: f.action, ...(f.scan_scope ? { scanScope: f.scan_scope } : {}) }));
}

/** Compared with OpenRouter's default scope filled in, so an unset scope equals `all_messages`. */
function builtinsComparable(value: unknown): unknown {
  if (!Array.isArray(value)) return normalize(value);
  return normalize(
    (value as { slug: string; action: string; scanScope?: string }[]).map((f) => ({
      ...f,
      scanScope: f.scanScope ?? (f.slug === PROMPT_INJECTION ? "all_messages" : undefined),
    })),
  );
}

/** One custom content filter. */
function contentFilterSchema() {
  return z
    .strictObject({
      pattern: z
        .string()
        .min(1, "must not be empty")
        .refine((p) => isRegex(p), "must be a valid regular expression")
        .describe("A regular expression matched against request input."),
      action: z.enum(["redact", "block", "flag"]).describe("`redact`, `block` (the request is refused with 403) or `flag`."),
      label: z.string().max(100, "must be at most 100 characters").optional().describe("A label for matches, at most 100 characters."),
    })
    .describe("A custom content filter: a regular expression and what to do with a match.");
}

/** One built-in detector. */
function builtinFilterSchema() {
  return z
    .strictObject({
      slug: z.enum(BUILTIN_SLUGS).describe("The detector: `email`, `phone`, `ssn`, `credit-card`, `ip-address`, `person-name`, `address`, `regex-prompt-injection` or `secrets`."),
      action: z.enum(["redact", "block", "flag"]).describe("`redact`, `block` or `flag`."),
      scanScope: z
        .enum(["user_only", "all_messages"])
        .optional()
        .describe("Only for `regex-prompt-injection`: scan `user_only` messages or `all_messages` (OpenRouter's default)."),
    })
    .superRefine((f, issues) => {
      if (f.scanScope !== undefined && f.slug !== PROMPT_INJECTION) issues.addIssue({ code: "custom", path: ["scanScope"], message: `applies only to ${PROMPT_INJECTION}` });
    })
    .describe("A built-in detector of sensitive content and what to do with a match.");
}

/** The SDK's named types for guardrail rules (scripts/generate.ts writes them to sdk/openrouter/types.ts). */
export function guardrailSdkTypes() {
  return { ContentFilterArgs: contentFilterSchema(), BuiltinContentFilterArgs: builtinFilterSchema() };
}

/** The guardrail rules, in the order the SDK lists them. */
export function guardrailPolicyInputs() {
  return {
    description: input(z.string().max(1000, "must be at most 1000 characters").optional(), {
      doc: "At most 1000 characters.",
      outputDoc: "The description as read back.",
      api: "description",
    }),
    limitUsd: input(z.number().min(0, "must be >= 0 (dollars)").optional(), {
      doc:
        "Spending limit in dollars, enforced separately for each key and member the guardrail applies to (not pooled). " +
        "Without `resetInterval` it is a lifetime limit.",
      outputDoc: "The limit as read back.",
      api: "limit_usd",
    }),
    resetInterval: input(z.enum(["daily", "weekly", "monthly"]).optional(), {
      doc: "When `limitUsd` resets: `daily`, `weekly` or `monthly`; unset means never.",
      outputDoc: "The reset interval as read back.",
      api: "reset_interval",
    }),
    includeByokInBudgets: input(z.boolean().optional(), {
      doc: "Count bring-your-own-key spend toward `limitUsd` (OpenRouter's default false).",
      outputDoc: "As read back.",
      api: "include_byok_in_budgets",
      serverDefault: false,
    }),
    allowedModels: modelList("allowedModels", "canonicalAllowedModels", "allowed_models", "Only these models may be used; unset allows all."),
    ignoredModels: modelList("ignoredModels", "canonicalIgnoredModels", "ignored_models", "These models may not be used."),
    allowedProviders: input(idList("provider").optional(), {
      doc: "Only these providers (ids such as `openai`) may serve requests; unset allows all.",
      outputDoc: "As read back.",
      api: "allowed_providers",
    }),
    ignoredProviders: input(idList("provider").optional(), {
      doc: "These providers may not serve requests.",
      outputDoc: "As read back.",
      api: "ignored_providers",
    }),
    enforceZdrAnthropic: input(z.boolean().optional(), { doc: "Require zero data retention for Anthropic models.", outputDoc: "As read back.", api: "enforce_zdr_anthropic" }),
    enforceZdrOpenai: input(z.boolean().optional(), { doc: "Require zero data retention for OpenAI models.", outputDoc: "As read back.", api: "enforce_zdr_openai" }),
    enforceZdrGoogle: input(z.boolean().optional(), { doc: "Require zero data retention for Google models.", outputDoc: "As read back.", api: "enforce_zdr_google" }),
    enforceZdrXai: input(z.boolean().optional(), { doc: "Require zero data retention for xAI models.", outputDoc: "As read back.", api: "enforce_zdr_xai" }),
    enforceZdrOther: input(z.boolean().optional(), { doc: "Require zero data retention for every other model group.", outputDoc: "As read back.", api: "enforce_zdr_other" }),
    enableFreeModelPublication: input(z.boolean().optional(), {
      doc: "Allow free models that may publish prompts.",
      outputDoc: "As read back.",
      api: "enable_free_model_publication",
    }),
    enableFreeModelTraining: input(z.boolean().optional(), {
      doc: "Allow free models that may train on prompts.",
      outputDoc: "As read back.",
      api: "enable_free_model_training",
    }),
    enablePaidModelTraining: input(z.boolean().optional(), {
      doc: "Allow paid models that may train on prompts.",
      outputDoc: "As read back.",
      api: "enable_paid_model_training",
    }),
    contentFilters: input(z.array(contentFilterSchema()).optional(), {
      doc: "Custom content filters (regular expressions over request input); the list is replaced whole.",
      sdkType: "ContentFilterArgs[]",
      outputDoc: "As read back.",
      api: "content_filters",
      fromApi: contentFiltersFromApi,
    }),
    contentFilterBuiltins: input(z.array(builtinFilterSchema()).optional(), {
      doc: "Built-in detectors (OpenRouter labels their matches itself); the list is replaced whole.",
      sdkType: "BuiltinContentFilterArgs[]",
      outputDoc: "As read back.",
      api: "content_filter_builtins",
      toApi: (filters) => (filters ?? []).map((f) => ({ slug: f.slug, action: f.action, ...(f.scanScope ? { scan_scope: f.scanScope } : {}) })),
      fromApi: builtinsFromApi,
      comparable: builtinsComparable,
    }),
    allowedDataRegions: input(z.array(z.enum(["global", "europe", "us"])).min(1, "must list at least one region; leave it unset for no rule").optional(), {
      doc: "Regions requests may be processed in: `global`, `europe`, `us` (where several guardrails apply, their regions intersect).",
      outputDoc: "As read back.",
      api: "allowed_data_regions",
    }),
  };
}

/** What OpenRouter reports about the rules besides the inputs. */
export function guardrailPolicyOutputs() {
  return {
    canonicalAllowedModels: output(z.array(z.string()).optional(), { doc: "`allowedModels` as OpenRouter stores them (canonical slugs).", api: "allowed_models" }),
    canonicalIgnoredModels: output(z.array(z.string()).optional(), { doc: "`ignoredModels` as OpenRouter stores them (canonical slugs).", api: "ignored_models" }),
    createdAt: output(z.string().optional(), { stable: true, doc: "Creation time.", api: "created_at" }),
    updatedAt: output(z.string().optional(), { doc: "Last change.", api: "updated_at" }),
  };
}

/**
 * OpenRouter refuses `limit_usd` without `reset_interval` in the same body (found
 * live by the official Terraform provider), so when either is sent both go, as declared.
 */
export function withBudgetPair(body: Json, declared: { limitUsd?: number; resetInterval?: string }): Json {
  if (!("limit_usd" in body) && !("reset_interval" in body)) return body;
  return { ...body, limit_usd: declared.limitUsd ?? null, reset_interval: declared.resetInterval ?? null };
}

function isRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
