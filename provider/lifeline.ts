/**
 * Ends a plugin when the engine that started it is gone: the native plugins,
 * and Node's dynamic-provider host that runs the dynamic resources (it is
 * `@pulumi/pulumi`'s, and would stay too; the resources' `configure` starts
 * the watch there). The engine starts
 * every plugin in a process group of its own, so when the engine is killed
 * (SIGKILL, a CI runner's timeout, an out-of-memory kill) nothing signals the
 * plugin: it would live on, reparented, holding its memory. Two signs of the
 * engine's death are watched:
 *
 * - end of file on stdin, when stdin is a pipe: the engine holds the writing
 *   end of every plugin's stdin and never writes to it, so end of file means
 *   the engine process closed it, which on Linux, macOS and Windows happens
 *   at the latest when it dies, however it dies;
 * - a change of parent (POSIX: an orphan is reparented to init or a
 *   subreaper), checked once a second, for plugins started with another stdin
 *   (by hand, or attached for debugging from a terminal).
 *
 * scripts/language-host.js carries the same few lines: it is copied beside the
 * Pulumi CLI and must not depend on this package's build.
 */
import * as fs from "node:fs";

const PARENT_CHECK_MS = 1000;

/**
 * Calls `onGone` once, when the process that started this one is gone. Only
 * the first call in a process watches (the mark is on `globalThis`, so a
 * provider serialized into the stack carries none).
 */
export function watchEngine(onGone: () => void): void {
  const mark = Symbol.for("pulumi-ai-gateway.engine-watch");
  const global = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (global[mark]) return;
  global[mark] = true;
  let called = false;
  const gone = () => {
    if (called) return;
    called = true;
    onGone();
  };
  if (stdinIsPipe()) {
    process.stdin.on("end", gone);
    process.stdin.on("close", gone);
    process.stdin.on("error", gone);
    // Read (and drop) whatever arrives, so end of file is seen; unreferenced, the pipe never keeps the process alive by itself.
    process.stdin.on("data", () => undefined);
    process.stdin.resume();
    (process.stdin as { unref?: () => void }).unref?.();
  }
  const parent = process.ppid;
  // Unreferenced: the check never keeps a plugin alive by itself.
  setInterval(() => {
    if (process.ppid !== parent) gone();
  }, PARENT_CHECK_MS).unref();
}

function stdinIsPipe(): boolean {
  try {
    return fs.fstatSync(0).isFIFO();
  } catch {
    return false;
  }
}

/**
 * Whether this process is Node's dynamic-provider host (`@pulumi/pulumi`'s
 * `cmd/dynamic-provider`, which the engine starts to run dynamic resources).
 * Anywhere else (a test, a script calling a provider object) the process's
 * life is not the engine's to decide.
 */
export function isDynamicProviderHost(): boolean {
  return /[\\/]cmd[\\/]dynamic-provider(?:[\\/]index(?:\.js)?)?$/.test(process.argv[1] ?? "");
}
