/**
 * A resource is one declaration: a table of its fields (zod type, the API's
 * name for each, its documentation and flags) plus lifecycle hooks. Everything
 * that only restates the fields is derived here, once, for every resource:
 *
 * - the input schema `check` validates (and the input/output types, by `z.infer`);
 * - what `diff` compares and which changes replace;
 * - the outputs read from an API answer, and the inputs `read` hands back;
 * - the body of an ordinary create (what was declared) and update (what changed);
 * - the SDK classes and the reference pages of docs/ (scripts/generate.ts and scripts/docs.ts).
 *
 * Field tables are built by functions, never at module scope: the engine
 * serializes the provider's closure, and a zod schema cannot be serialized.
 */
import { z } from "zod";
import { containsUnknown, deepEqual, defineResource, LifecycleContext, normalize, plainJson, processMemo, ResourceDefinition } from "./framework";
import { isGone } from "./errors";
import { readUntilConsistent } from "./recovery";

type Json = Record<string, unknown>;

/** What every field, input or output, can say about itself. */
interface FieldCommon {
  /** TSDoc: shown in the SDK class, its IDE hover, the schema and the reference page (docs/). */
  doc: string;
  /** The API's name for the field: a dotted path into bodies and answers (e.g. `defaults.metadata`). */
  api?: string;
  /** Kept as a Pulumi secret (marked secret by the SDK class). */
  secret?: boolean;
  /** The SDK's type text when it is a named type (e.g. `UsageLimitArgs[]`); otherwise derived from the schema. */
  sdkType?: string;
  /**
   * The value the generated reference example shows (docs/), when the one
   * derived from the schema would not read well or not pass `check`; an
   * optional input with one is shown too.
   */
  example?: unknown;
}

export interface InputField<S extends z.ZodType = z.ZodType> extends FieldCommon {
  readonly role: "input";
  schema: S;
  /** Doc of the output of the same name, when it says something else than `doc`. */
  outputDoc?: string;
  /**
   * A change replaces the remote object; `"whenRemoved"`: only removing the
   * value does (a new value is an ordinary update).
   */
  replaces?: boolean | "whenRemoved";
  /**
   * The API keeps the value unique (say where in `doc`): a replacement after
   * which the new object would hold the old one's value (kept, or left to the
   * server to derive again) deletes the old object first. Values unique only
   * together: the declaration's `uniqueTogether`.
   */
  unique?: boolean;
  /**
   * The server's answers can lag behind a write for a moment (Portkey's
   * limits): a read-back (`ctx.readBack`) repeats until it shows the written
   * value, then trusts the written value; a create's outputs
   * (`ctx.outputsFromCreate`) hold the written value, not the answer's.
   */
  lagsAfterWrite?: boolean;
  /** Left out of the create's answer: a create's outputs (`ctx.outputsFromCreate`) hold the written value (unset when not declared). */
  absentFromCreateAnswer?: boolean;
  /**
   * A trigger: its value is never sent; a new value asks for an action once.
   * With `api`, an update sends `true` under that name (e.g. `reset_usage`); without, a hook acts on it.
   */
  trigger?: boolean;
  /** Consulted only at create (sent then, when it has `api`) or by hooks: never a diff, never updated. */
  notCompared?: boolean;
  /**
   * The server's unless declared: not declaring it leaves the server's value
   * alone (never compared, never sent; still an output); declaring it manages it.
   */
  serverOwnedUnlessDeclared?: boolean;
  /** Not read back from the API (write-only, or kept as the user spelled it): outputs carry the declared value. */
  carried?: boolean;
  /** What the server holds when the field is unset: unset compares equal to it, and removing the field sends it. */
  serverDefault?: unknown;
  /** What an update sends when the field is removed, when that is not `serverDefault` or `null`. */
  clearAs?: unknown;
  /** The name an update sends the field under, when it is not `api` (the create's and the answers' name). */
  updateApi?: string;
  /**
   * A change makes a new version of the object (versions being immutable): the
   * hooks of a versioned kind send it with each new version (`ctx.versioned`).
   */
  versioned?: boolean;
  /** An empty list or object is a value of its own (not "unset"): compared, sent and read back as is. */
  keepEmpty?: boolean;
  /** The declared value in the API's form (default: as is). */
  toApi?(value: z.output<S>): unknown;
  /** The API's value as an output (default: as is, with null, "", [] and {} read as unset). */
  fromApi?(value: unknown, answer: Json, carried: Json): unknown;
  /** The form diff compares, applied alike to the stored and the new value (default: normalized). */
  comparable?(value: unknown, olds: Json): unknown;
}

export interface OutputField<S extends z.ZodType = z.ZodType> extends FieldCommon {
  readonly role: "output";
  schema: S;
  /** Never changed by an in-place update (an id, a slug, the creation time): previews of updates keep it known. */
  stable?: boolean;
  /** The API's value as an output (default: as is, with null read as unset). */
  fromApi?(value: unknown, answer: Json, carried: Json): unknown;
}

/** Declares an input: its zod type, then its doc, API name and flags. */
export function input<S extends z.ZodType>(schema: S, options: Omit<InputField<S>, "role" | "schema">): InputField<S> {
  return { role: "input", schema, ...options };
}

/** Declares an output only the server sets. Outputs without `api` are set by hooks. */
export function output<S extends z.ZodType>(schema: S, options: Omit<OutputField<S>, "role" | "schema">): OutputField<S> {
  return { role: "output", schema, ...options };
}

export type InputFields = Record<string, InputField>;
export type OutputFields = Record<string, OutputField>;

type SchemaShape<F> = { [K in keyof F]: F[K] extends { schema: infer S extends z.ZodType } ? S : never };
/** The inputs a declaration accepts, after `check` (defaults applied). */
export type InputsOf<F extends InputFields> = z.output<z.ZodObject<SchemaShape<F>, z.core.$strict>>;
/** Inputs and outputs together: what is stored in state. */
export type OutputsOf<F extends InputFields, O extends OutputFields> = InputsOf<F> & z.output<z.ZodObject<SchemaShape<O>>>;

/**
 * The types one declaration's hooks and helpers deal in, from its two field
 * tables: `type Shape = ShapeOf<typeof thingInputs, typeof thingOutputs>`,
 * then `Shape["inputs"]` (after `check`), `Shape["outputs"]` (what state
 * holds) and `Shape["context"]` (what a hook gets). The SDK's types are
 * generated from the declaration itself (scripts/generate.ts), not from these.
 */
export interface ShapeOf<Inputs extends () => InputFields, Outputs extends () => OutputFields> {
  inputs: InputsOf<ReturnType<Inputs>>;
  outputs: OutputsOf<ReturnType<Inputs>, ReturnType<Outputs>>;
  context: ResourceContext<InputsOf<ReturnType<Inputs>>, OutputsOf<ReturnType<Inputs>, ReturnType<Outputs>>>;
}

/** A problem that `check` reports against one property (a path below it is allowed). */
export type AddIssue = (path: (string | number)[], message: string) => void;

/** What a lifecycle hook gets: the engine's context and the mechanics derived from the fields. */
export interface ResourceContext<I, O> extends LifecycleContext {
  /** The body of an ordinary create: every declared field (not triggers), in the API's names. */
  createBody(inputs: I): Json;
  /** The body of an ordinary update: the fields that changed, removed ones cleared. Empty: nothing to send. */
  updateBody(olds: Partial<O>, news: I): Json;
  /**
   * The body that brings an existing object, just found and read, to the
   * declared state (an adoption): `updateBody(found, news)`, plus every field
   * that lags after a write (`lagsAfterWrite`) as declared, its clearing value
   * when undeclared, whatever the read showed: a read soon after someone's
   * write may still show the value from before it.
   */
  adoptionBody(found: Partial<O>, news: I): Json;
  /** Whether diff sees a change in one input. */
  changed(name: keyof I & string, olds: Partial<O>, news: I): boolean;
  /** Outputs from an API answer: API fields read from it, carried ones (and hook-set outputs) from `carried`. */
  outputsFrom(answer: object, carried: Partial<O>): O;
  /**
   * Outputs of a create from its answer, without reading back: as
   * `outputsFrom(answer, written)`, except that fields the answer may not
   * show yet (`lagsAfterWrite`, `absentFromCreateAnswer`) hold what was written.
   */
  outputsFromCreate(answer: object, written: Partial<O>): O;
  /**
   * Reads an object back after a write: `read` repeats until the fields that
   * lag after a write (`lagsAfterWrite`) show what `written` holds; after the
   * wait the written values are trusted (the next refresh reconciles).
   * `missing`: the error when the object is gone.
   */
  readBack(read: () => Promise<O | undefined>, written: Partial<O>, missing: () => Error): Promise<O>;
  /** The inputs a refreshed resource has. */
  inputsOf(outputs: O): I;
  /**
   * What an update's outputs keep from the stored ones: the outputs a hook
   * sets (no `api`: nothing else sets them again) and the `stable` ones (no
   * in-place update changes them). Carried into `outputsFrom`, an answer's
   * values still win; a hook that changes one (a rotated secret) sets it after.
   */
  keptByUpdate(stored: Partial<O>): Partial<O>;
  /** The inputs declared `versioned`, in declaration order. */
  versioned(): (keyof I & string)[];
  /** One input as an update body carries it: under its update name, in the API's form, its clearing value when unset. */
  sent(name: keyof I & string, value: unknown): Json;
}

/**
 * How the objects of one kind are found in a live organisation: what
 * `import-org` adopts, what plural look-ups list, and where a create's
 * look-alike is searched after an interrupted run. Stated once per
 * declaration; nothing else knows a kind's list endpoint.
 */
export interface Enumeration<I> {
  /** The first part of an imported object's logical name (e.g. `key` gives `key-team-a-ci`). */
  prefix: string;
  /**
   * Lists every object (every page read) by the id `read` and `pulumi import`
   * take. `listed(kind)` holds what was listed of a kind named in `references`
   * (skipped objects too: keys live in the default workspace), for APIs that
   * list per workspace or per parent.
   */
  list(ctx: LifecycleContext, listed: ListedOf): Promise<ListedObject[]>;
  /**
   * The inputs that identify an object as a person names it (its workspace
   * and name, say): logical names are built from them (a reference by the
   * referenced object's name), and a recovery matches a pending create on them.
   */
  identity: readonly (keyof I & string)[];
  /** Outputs that name an identity input better in a logical name (a member's `email` for its `userId`). */
  shownAs?: Partial<Record<keyof I & string, string>>;
  /** Inputs that name another declared kind's object: a generated program references that object instead of a literal. */
  references?: Partial<Record<keyof I & string, Reference>>;
}

/** What `recover` knows of the interrupted run, for `recordedAtCreate`. */
export interface InterruptedRun {
  /** Objects created before this (ms since the epoch) are not the run's. */
  since: number;
  /**
   * Whether the object the found one names (a grant's workspace) was created by the interrupted run: without it nothing is
   * provable, and the hook only says what may be left (recovery ignores any record it returns).
   */
  parentOfTheRun: boolean;
  /** Every resource the state records and every pending create (`pending`), by kind (`portkey:AiProvider`). */
  resources: readonly { kind: string; id?: string; inputs: Record<string, unknown>; outputs: Record<string, unknown>; pending: boolean }[];
}

/** An input naming another kind's object by one of its outputs. */
export interface Reference {
  /** The referenced declaration's kind, e.g. `portkey:Workspace`. */
  kind: string;
  /** The output the input holds: `id`, or another output such as `slug`. */
  output: string;
}

/** One listed object: its id, and why it is skipped when it is not to be imported (warned by name). */
export interface ListedObject {
  id: string;
  /** What a person calls it (for warnings and the names of objects in it). */
  name?: string;
  /** Why it is not imported (the default workspace, a disabled row, ...): warned, never read. */
  skip?: string;
}

/** What was listed of another kind (ids, the skipped ones too). */
export type ListedOf = (kind: string) => readonly ListedObject[];

/** A declaration that cannot be enumerated says why (the API lists nothing, the object is a singleton managed elsewhere). */
export interface NotEnumerable {
  notImportable: string;
}

export interface ResourceDeclaration<F extends InputFields, O extends OutputFields> {
  /** `<vendor>:<Name>`: the SDK's module and class, and the prefix of every message. */
  kind: string;
  /** The SDK class's TSDoc (and the schema's and the reference page's description), with an example when useful. */
  doc: string;
  /** The stack config keys `configure()` keeps (the vendor's credential and base URL). */
  configKeys: readonly string[];
  /** The inputs, in the order the SDK and the reference page list them. */
  inputs(): F;
  /** Outputs the server sets (inputs are outputs too). */
  outputs(): O;
  /** Rules across fields, run by `check` with the types already valid. */
  refine?(inputs: InputsOf<F>, issue: AddIssue): void;
  /** API objects sent whole when any of their fields changes (e.g. `defaults`), for APIs that replace them. */
  sentWhole?: readonly string[];
  /**
   * Sets of inputs the API keeps unique together (a group mapped to a
   * workspace once): a replacement after which the new object would hold
   * every value of a set as the old one did deletes the old object first.
   * (A field unique on its own says `unique`.)
   */
  uniqueTogether?: readonly (readonly (keyof InputsOf<F> & string)[])[];
  /** The object's endpoints, for the default hooks (see `Endpoints`). */
  endpoints?: Endpoints<OutputsOf<F, O>>;
  /** Extra text for the SDK class (a static method, ...), emitted inside it. */
  sdkExtra?: string;
  /** How its objects are listed and named (import, plural look-ups, recovery), or why they cannot be. A unit test requires one. */
  enumerate?: Enumeration<InputsOf<F>> | NotEnumerable;
  /**
   * Outputs only the create answer records beside the object (the default
   * provider a grant made Portkey add), found again by `recover` for an
   * object it proved the interrupted run's through an object of that run its
   * identity names: undefined when nothing is provable. When found, recovery
   * deletes the object with them (so its delete removes what it made) and the
   * next `up` makes and records both again.
   */
  recordedAtCreate?(declared: Partial<InputsOf<F>>, found: OutputsOf<F, O>, ctx: LifecycleContext, run: InterruptedRun): Promise<Partial<OutputsOf<F, O>> | undefined>;
  label?: ResourceDefinition<InputsOf<F>, OutputsOf<F, O>>["label"];
  validate?: ResourceDefinition<InputsOf<F>, OutputsOf<F, O>>["validate"];
  canonicalInputs?: ResourceDefinition<InputsOf<F>, OutputsOf<F, O>>["canonicalInputs"];
  create(inputs: InputsOf<F>, ctx: ResourceContext<InputsOf<F>, OutputsOf<F, O>>): Promise<{ id: string; outputs: OutputsOf<F, O> }>;
  /**
   * Undefined when the remote object is gone. Returning only `outputs` derives the inputs.
   * Default (with `endpoints`): the outputs of `endpoints.get`'s answer, the stored outputs carried.
   */
  read?(
    id: string,
    outputs: OutputsOf<F, O>,
    ctx: ResourceContext<InputsOf<F>, OutputsOf<F, O>>,
  ): Promise<OutputsOf<F, O> | undefined>;
  /**
   * Default (with `endpoints.update`): the update body sent when not empty,
   * then the object read back, the new inputs and the hook-set outputs carried.
   * Without either, every compared input must replace (`replaces: true`), and
   * an update that reaches the resource anyway fails loudly.
   */
  update?(id: string, olds: OutputsOf<F, O>, news: InputsOf<F>, ctx: ResourceContext<InputsOf<F>, OutputsOf<F, O>>): Promise<OutputsOf<F, O>>;
  /**
   * What the default update does after sending the body and before reading
   * the object back: the actions a trigger without `api` asks for (a usage
   * reset), so the read-back shows them and a failed body asks for nothing.
   */
  afterUpdateBody?(id: string, olds: OutputsOf<F, O>, news: InputsOf<F>, ctx: ResourceContext<InputsOf<F>, OutputsOf<F, O>>): Promise<void>;
  /** Default (with `endpoints.delete`): deletes it; an object already gone is deleted. */
  delete?(id: string, outputs: OutputsOf<F, O>, ctx: ResourceContext<InputsOf<F>, OutputsOf<F, O>>): Promise<void>;
}

/**
 * The endpoints the default hooks call, each written once in the vendor's
 * API layer. `values` are what the call concerns, for a client that keeps
 * their secrets out of messages: the stored outputs first (a read's and a
 * delete's only value; an update's olds, then its new inputs). An endpoint
 * scoped by something the create resolved (the workspace's UUID a path or a
 * query needs) takes it from the stored outputs: `get: (ctx, id, [stored]) => ...`.
 */
export interface Endpoints<O> {
  /** The object as the API answers it; undefined when it is gone. (The default read, and the default update's read-back.) */
  get?(ctx: LifecycleContext, id: string, values: readonly Partial<O>[]): Promise<object | undefined>;
  /** Sends an update body (with `get`: the default update). */
  update?(ctx: LifecycleContext, id: string, body: Json, values: readonly Partial<O>[]): Promise<unknown>;
  /** Deletes the object (a not-found failure is taken as deleted). */
  delete?(ctx: LifecycleContext, id: string, values: readonly Partial<O>[]): Promise<unknown>;
}

/** A declared resource: the provider the engine runs, and the declaration the generators read. */
export interface DeclaredResource<F extends InputFields, O extends OutputFields> {
  provider: ReturnType<typeof defineResource>;
  declaration: ResourceDeclaration<F, O>;
  /** The input schema `check` uses (exported for tests and tools). */
  inputSchema(): z.ZodObject;
}

/**
 * Identity with inference: the declaration's hooks are typed by its fields.
 * Hooks it leaves out are the defaults (see `ResourceDeclaration`); a
 * declaration that can neither update nor do without fails here, at load.
 */
export function declareResource<F extends InputFields, O extends OutputFields>(declaration: ResourceDeclaration<F, O>): DeclaredResource<F, O> {
  type I = InputsOf<F>;
  type Out = OutputsOf<F, O>;
  type Context = ResourceContext<I, Out>;
  const schema = () => processMemo(declaration, "inputSchema", () => inputSchemaOf(declaration));
  const fieldsOf = () => processMemo(declaration, "inputs", () => declaration.inputs() as InputFields);
  const outputFieldsOf = () => processMemo(declaration, "outputs", () => declaration.outputs() as OutputFields);
  checkHooks(declaration.kind, fieldsOf(), declaration);
  const endpoints = declaration.endpoints;
  const withFields = (ctx: LifecycleContext): Context => {
    const outputsFrom = (answer: object, carried: Partial<Out>) => outputsFromAnswer(fieldsOf(), outputFieldsOf(), answer as Json, carried as Json) as Out;
    return {
      ...ctx,
      createBody: (inputs) => createBodyOf(fieldsOf(), inputs as Json),
      updateBody: (olds, news) => updateBodyOf(fieldsOf(), declaration.sentWhole ?? [], olds as Json, news as Json),
      adoptionBody: (found, news) => adoptionBodyOf(fieldsOf(), declaration.sentWhole ?? [], found as Json, news as Json),
      changed: (name, olds, news) => fieldChanged(fieldsOf()[name], olds[name as keyof Out], news[name], olds as Json),
      outputsFrom,
      outputsFromCreate: (answer, written) => writtenOver(fieldsOf(), outputsFrom(answer, written) as Json, written as Json, (f) => !!(f.lagsAfterWrite || f.absentFromCreateAnswer)) as Out,
      readBack: (read, written, missing) => readBackAfterWrite(fieldsOf(), read, written, missing),
      inputsOf: (outputs) => inputsFromOutputs(fieldsOf(), outputs as Json) as I,
      keptByUpdate: (stored) => keptByUpdateOf(outputFieldsOf(), stored as Json) as Partial<Out>,
      versioned: () => namesWhere(fieldsOf(), (f) => f.versioned === true) as (keyof I & string)[],
      sent: (name, value) => sentOf(fieldsOf()[name], value),
    };
  };

  // Named functions, so that stack traces and profiles say which hook ran.
  async function defaultRead(id: string, outputs: Out, ctx: Context): Promise<Out | undefined> {
    const answer = await endpoints!.get!(ctx, id, [outputs]);
    return answer && ctx.outputsFrom(answer, outputs);
  }
  async function defaultUpdate(id: string, olds: Out, news: I, ctx: Context): Promise<Out> {
    const body = ctx.updateBody(olds, news);
    if (Object.keys(body).length > 0) await endpoints!.update!(ctx, id, body, [olds, news as Partial<Out>]);
    await declaration.afterUpdateBody?.(id, olds, news, ctx);
    const answer = await endpoints!.get!(ctx, id, [olds, news as Partial<Out>]);
    if (!answer) throw new Error(`the object ${id} disappeared right after it was written`);
    return ctx.outputsFrom(answer, { ...ctx.keptByUpdate(olds), ...news } as Partial<Out>);
  }
  async function refusedUpdate(id: string): Promise<Out> {
    throw new Error(
      `${declaration.kind} (${id}) has no in-place update: every input replaces it, so the engine should have asked for a replacement. ` +
        "This is a bug in the declaration; nothing was changed.",
    );
  }
  async function defaultDelete(id: string, outputs: Out, ctx: Context): Promise<void> {
    try {
      await endpoints!.delete!(ctx, id, [outputs]);
    } catch (error) {
      if (isGone(error)) return;
      throw error;
    }
  }
  const readHook = declaration.read ?? defaultRead;
  const updateHook = declaration.update ?? (endpoints?.update && endpoints.get ? defaultUpdate : refusedUpdate);
  const deleteHook = declaration.delete ?? defaultDelete;

  const definition: ResourceDefinition<I, Out> = {
    kind: declaration.kind,
    label: declaration.label,
    configKeys: declaration.configKeys,
    inputSchema: schema,
    validate: declaration.validate,
    canonicalInputs: declaration.canonicalInputs,
    replaceOnChange: namesWhere(fieldsOf(), (f) => f.replaces === true) as (keyof I & string)[],
    uniqueInputs: [...namesWhere(fieldsOf(), (f) => f.unique === true).map((name) => [name]), ...(declaration.uniqueTogether ?? [])] as (keyof I & string)[][],
    replaceOnRemoval: namesWhere(fieldsOf(), (f) => f.replaces === "whenRemoved") as (keyof I & string)[],
    serverOwnedUnlessDeclared: namesWhere(fieldsOf(), (f) => f.serverOwnedUnlessDeclared === true) as (keyof I & string)[],
    stableOutputs: Object.entries(declaration.outputs() as OutputFields)
      .filter(([, field]) => field.stable === true)
      .map(([name]) => name),
    comparable: (name, value, _side, olds) => comparableOf(fieldsOf()[name], value, olds),
    create: (inputs, ctx) => declaration.create(inputs, withFields(ctx)),
    async read(id, outputs, ctx) {
      const refreshed = await readHook(id, outputs, withFields(ctx));
      return refreshed && { outputs: refreshed, inputs: inputsFromOutputs(fieldsOf(), refreshed as Json) as I };
    },
    update: (id, olds, news, ctx) => updateHook(id, olds, news, withFields(ctx)),
    delete: (id, outputs, ctx) => deleteHook(id, outputs, withFields(ctx)),
  };
  return { provider: defineResource(definition), declaration, inputSchema: schema };
}

/** A declaration leaves a hook out only where a default stands in (see `ResourceDeclaration`). */
function checkHooks(kind: string, fields: InputFields, declaration: { read?: unknown; update?: unknown; afterUpdateBody?: unknown; delete?: unknown; endpoints?: Endpoints<never> }): void {
  const missing = (hook: string, endpoint: string) => new Error(`${kind}: declares no \`${hook}\` and no \`endpoints.${endpoint}\` for the default one`);
  const endpoints = declaration.endpoints;
  if (!declaration.read && !endpoints?.get) throw missing("read", "get");
  if (!declaration.delete && !endpoints?.delete) throw missing("delete", "delete");
  if (declaration.afterUpdateBody && (declaration.update || !(endpoints?.update && endpoints.get))) {
    throw new Error(`${kind}: \`afterUpdateBody\` is part of the default update, which needs \`endpoints.update\` and \`get\` and no \`update\` of its own`);
  }
  if (!declaration.update && !(endpoints?.update && endpoints.get)) {
    const updatable = namesWhere(fields, (f) => f.replaces !== true && !f.notCompared);
    if (updatable.length > 0) throw new Error(`${kind}: declares no \`update\` (nor \`endpoints.update\` and \`get\`), yet ${updatable.join(", ")} can change in place`);
  }
}

/** See ResourceContext.keptByUpdate. */
export function keptByUpdateOf(outputs: OutputFields, stored: Json): Json {
  return Object.fromEntries(
    Object.entries(outputs)
      .filter(([name, field]) => (!field.api || field.stable === true) && stored[name] !== undefined)
      .map(([name]) => [name, stored[name]]),
  );
}

/** `outputs` with the written value of each input `which` selects (unset when not written). */
function writtenOver(fields: InputFields, outputs: Json, written: Json, which: (field: InputField) => boolean): Json {
  const result = { ...outputs };
  for (const name of namesWhere(fields, which)) {
    if (written[name] !== undefined) result[name] = written[name];
    else delete result[name];
  }
  return result;
}

/** See ResourceContext.readBack. */
export function readBackAfterWrite<O>(fields: InputFields, read: () => Promise<O | undefined>, written: Partial<O>, missing: () => Error): Promise<O> {
  const lagging = namesWhere(fields, (f) => f.lagsAfterWrite === true);
  const writtenJson = written as Json;
  const comparable = (name: string, value: unknown) => comparableOf(fields[name], value, writtenJson);
  return readUntilConsistent({
    read,
    matches: (outputs) => lagging.every((name) => deepEqual(comparable(name, (outputs as Json)[name]), comparable(name, writtenJson[name]))),
    onTimeout: (outputs) => ({ ...outputs, ...Object.fromEntries(lagging.map((name) => [name, writtenJson[name]])) }),
    missing,
  });
}

/** The strict zod object of the inputs, with the declaration's cross-field rules. */
export function inputSchemaOf<F extends InputFields, O extends OutputFields>(declaration: ResourceDeclaration<F, O>): z.ZodObject {
  const fields = declaration.inputs();
  const shape = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.schema]));
  const object = z.strictObject(shape);
  const refine = declaration.refine;
  if (!refine) return object;
  // A refinement keeps the object's shape reachable for tools (`.shape` lists the inputs).
  return object.superRefine((value, ctx) =>
    refine(value as InputsOf<F>, (path, message) => ctx.addIssue({ code: "custom", path, message })),
  ) as unknown as z.ZodObject;
}

function namesWhere(fields: InputFields, test: (field: InputField) => boolean): string[] {
  return Object.entries(fields)
    .filter(([, field]) => test(field))
    .map(([name]) => name);
}

/** The form diff compares for one input (see InputField). */
export function comparableOf(field: InputField | undefined, value: unknown, olds: Json): unknown {
  if (!field) return normalize(value);
  if (field.notCompared) return undefined;
  if (field.comparable) return field.comparable(value, olds);
  const given = value ?? field.serverDefault;
  if (field.keepEmpty) return given === null || given === undefined ? undefined : given;
  return normalize(given);
}

export function fieldChanged(field: InputField | undefined, old: unknown, value: unknown, olds: Json): boolean {
  if (field?.serverOwnedUnlessDeclared && value === undefined) return false;
  if (containsUnknown(value)) return true;
  return !deepEqual(comparableOf(field, old, olds), comparableOf(field, value, olds));
}

/** Every declared field with an API name, except triggers. */
export function createBodyOf(fields: InputFields, inputs: Json): Json {
  const body: Json = {};
  for (const [name, field] of Object.entries(fields)) {
    const value = inputs[name];
    if (!field.api || field.trigger || value === undefined || value === null) continue;
    const sent = field.toApi ? field.toApi(value) : value;
    // Nothing to set at create: an empty value is the same as not declaring it.
    if (sent === undefined || sent === null || sent === "") continue;
    setPath(body, field.api, sent);
  }
  return plainJson(body);
}

/**
 * The changed, updatable fields in the API's names; a removed field is sent as
 * its clearing value. Objects named in `sentWhole` go out complete (every
 * field under them that is declared now or was held before) when any of
 * their fields changed.
 */
export function updateBodyOf(fields: InputFields, sentWhole: readonly string[], olds: Json, news: Json): Json {
  const body: Json = {};
  const updatable = Object.entries(fields).filter(([, field]) => isUpdatable(field));
  const changedObjects = new Set<string>();
  for (const [name, field] of updatable) {
    if (!fieldChanged(field, olds[name], news[name], olds)) continue;
    const whole = sentWhole.find((prefix) => updateNameOf(field).startsWith(`${prefix}.`));
    if (whole) {
      changedObjects.add(whole);
      continue;
    }
    if (field.trigger) {
      if (news[name] !== undefined) setPath(body, updateNameOf(field), true);
      continue;
    }
    setPath(body, updateNameOf(field), sentValueOf(field, news[name]));
  }
  for (const prefix of changedObjects) {
    for (const [name, field] of updatable) {
      if (!updateNameOf(field).startsWith(`${prefix}.`) || field.trigger) continue;
      if (field.serverOwnedUnlessDeclared && news[name] === undefined) continue; // the server's: left alone
      // Neither declared nor held before: nothing to send, not even a clearing value.
      if (comparableOf(field, olds[name], olds) === undefined && comparableOf(field, news[name], olds) === undefined) continue;
      setPath(body, updateNameOf(field), sentValueOf(field, news[name]));
    }
  }
  return plainJson(body);
}

/** See ResourceContext.adoptionBody. */
export function adoptionBodyOf(fields: InputFields, sentWhole: readonly string[], found: Json, news: Json): Json {
  const body = updateBodyOf(fields, sentWhole, found, news);
  for (const [name, field] of Object.entries(fields)) {
    if (!field.lagsAfterWrite || !isUpdatable(field) || field.trigger) continue;
    if (field.serverOwnedUnlessDeclared && news[name] === undefined) continue; // the server's: left alone
    setPath(body, updateNameOf(field), sentValueOf(field, news[name]));
  }
  return plainJson(body);
}

/** Whether an update can send the field: it has an API name, does not replace the object and is compared. */
function isUpdatable(field: InputField): boolean {
  return !!field.api && field.replaces !== true && !field.notCompared;
}

/** The name an update sends a field under. */
function updateNameOf(field: InputField): string {
  return field.updateApi ?? field.api!;
}

/** A field's value as an update sends it: in the API's form, or its clearing value when unset. */
function sentValueOf(field: InputField, value: unknown): unknown {
  if (value === undefined || value === null) return field.clearAs !== undefined ? field.clearAs : (field.serverDefault ?? null);
  return field.toApi ? field.toApi(value) : value;
}

/** See ResourceContext.sent. */
export function sentOf(field: InputField, value: unknown): Json {
  const body: Json = {};
  setPath(body, updateNameOf(field), sentValueOf(field, value));
  return plainJson(body);
}

/** Outputs from an API answer (see ResourceContext.outputsFrom). */
export function outputsFromAnswer(inputs: InputFields, outputs: OutputFields, answer: Json, carried: Json): Json {
  // Only declared fields are carried: anything else in stored state (from an older version) is dropped.
  const result: Json = {};
  for (const name of [...Object.keys(inputs), ...Object.keys(outputs)]) {
    if (carried[name] !== undefined) result[name] = carried[name];
  }
  for (const [name, field] of [...Object.entries(inputs), ...Object.entries(outputs)] as [string, InputField | OutputField][]) {
    const isInput = field.role === "input";
    if (!field.api || (isInput && (field.carried || field.trigger || field.notCompared))) continue;
    const raw = getPath(answer, field.api);
    if (field.fromApi) result[name] = field.fromApi(raw, answer, carried);
    else if (isInput && field.keepEmpty) result[name] = raw ?? undefined;
    else if (isInput) result[name] = normalize(raw) === undefined ? undefined : raw;
    else result[name] = raw ?? undefined;
  }
  // An input neither read nor carried (an object read by id alone, on import) holds its default, as the program's would.
  for (const [name, field] of Object.entries(inputs)) {
    if (result[name] !== undefined) continue;
    const defaulted = field.schema.safeParse(undefined);
    if (defaulted.success && defaulted.data !== undefined) result[name] = defaulted.data;
  }
  return plainJson(result);
}

/**
 * The input fields of stored outputs: what a refresh declares. A field with a
 * default that the outputs lack (an object read by id alone, on import) reads
 * as its default, as the program's value would.
 */
export function inputsFromOutputs(fields: InputFields, outputs: Json): Json {
  return Object.fromEntries(
    Object.entries(fields).map(([name, field]) => {
      if (outputs[name] !== undefined) return [name, outputs[name]];
      const defaulted = field.schema.safeParse(undefined);
      return [name, defaulted.success ? defaulted.data : undefined];
    }),
  );
}

export function getPath(object: Json | undefined, path: string): unknown {
  let value: unknown = object;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Json)[part];
  }
  return value;
}

function setPath(object: Json, path: string, value: unknown): void {
  const parts = path.split(".");
  let target = object;
  for (const part of parts.slice(0, -1)) {
    const next = target[part];
    target = (target[part] = next !== null && typeof next === "object" ? next : {}) as Json;
  }
  target[parts[parts.length - 1]] = value;
}
