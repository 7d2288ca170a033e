/**
 * The terminal, as the commands see it: stdout for data, stderr for messages and prompts,
 * whether prompting is possible, colour, and the prompts themselves.
 *
 * @module
 */

import { InterruptedError } from "../errors.ts";
import type { CliContext } from "./cli_context.ts";
import { createOutputGuard, styleMark } from "./output_guard.ts";
import { createProgress, holdingPrompts, type ProgressTerminal } from "./progress.ts";

/** A choice offered by {@linkcode Prompter.select}. */
export interface Choice<T extends string> {
  /** What the user sees. */
  name: string;
  /** What the program gets. */
  value: T;
}

/** Questions asked on the terminal. Each throws {@linkcode InterruptedError} on Ctrl-C. */
export interface Prompter {
  /** Asks a yes/no question. */
  confirm(message: string): Promise<boolean>;
  /** Asks to pick one choice. */
  select<T extends string>(message: string, choices: readonly Choice<T>[]): Promise<T>;
  /** Asks for text; `validate` returns an error message or `true`. */
  input(message: string, validate?: (value: string) => string | true): Promise<string>;
  /** Asks for a secret, masked as it is typed. */
  password(message: string, validate?: (value: string) => string | true): Promise<string>;
}

/** The terminal side of a command run. */
export interface Io {
  /** Writes text data to stdout, filtered (see {@linkcode createOutputGuard}). */
  out(text: string): void;
  /** Writes JSON data to stdout, every string in it filtered. */
  json(value: unknown): void;
  /** Writes the API key itself to stdout: the one unfiltered output, for `lua auth key` only. */
  outKey(key: string): void;
  /**
   * Writes JSON data to stdout as {@linkcode Io.json} does, with the API key itself in its `key`
   * field: `lua auth key --force --json` only.
   */
  jsonWithKey(value: Record<string, unknown>, key: string): void;
  /** Writes messages to stderr, filtered. */
  err(text: string): void;
  /** Learns a secret of this run (a key, a code, a token): no output holds 8 characters of it. */
  addSecret(secret: string): void;
  /**
   * Shows a spinner with `label` on stderr while `work` runs, when stderr is a terminal; cleared
   * before it returns. Nothing is shown otherwise.
   *
   * @throws {InterruptedError} On Ctrl-C while the spinner is shown.
   */
  progress<T>(label: string, work: () => Promise<T>): Promise<T>;
  /** True when stdin and stderr are terminals, so a question can be asked and answered. */
  canPrompt(): boolean;
  /** True when stdin is a terminal (typing there would echo a key). */
  readonly stdinTerminal: boolean;
  /**
   * Reads stdin up to its first newline (or its end), at most 64 KiB, for a key piped in.
   *
   * @throws {UsageError} When more than 64 KiB come before a newline.
   */
  readStdinLine(): Promise<string>;
  /** True when escape codes may be written to stderr. */
  readonly color: boolean;
  /** True when escape codes may be written to stdout. */
  readonly colorOut: boolean;
  /** The prompts. */
  readonly prompt: Prompter;
}

/** Where filtered output goes, and whether each stream takes colour. */
export interface OutputSink {
  /** Writes to stdout. */
  stdout(text: string): void;
  /** Writes to stderr. */
  stderr(text: string): void;
  /** Colour on stdout. */
  colorOut: boolean;
  /** Colour on stderr. */
  color: boolean;
  /** The terminal stderr is, for the spinner; absent when it is not one (no spinner then). */
  progress?: ProgressTerminal;
}

/** What {@linkcode guardedOutput} gives an {@linkcode Io}. */
export type GuardedOutput =
  & Pick<Io, "out" | "json" | "jsonWithKey" | "outKey" | "err" | "addSecret" | "progress">
  & {
    /** Makes prompts hold the spinner off while they are open. */
    holding(prompter: Prompter): Prompter;
  };

/**
 * The writing half of an {@linkcode Io}, shared by the real terminal and the in-memory one, so
 * that tests see exactly what users see: everything but the key of {@linkcode Io.outKey} and
 * {@linkcode Io.jsonWithKey} is filtered, the spinner's label included, and the spinner is
 * cleared before anything else is written.
 *
 * @example
 * ```ts
 * import { guardedOutput } from "./io.ts";
 * import assert from "node:assert/strict";
 * let err = "";
 * const io = guardedOutput({ stdout: () => {}, stderr: (t) => err += t, color: false, colorOut: false });
 * io.addSecret("123456");
 * io.err("The code 123456 was wrong.\x1b[2J\n");
 * assert.equal(err, "The code [redacted] was wrong.\n");
 * ```
 *
 * @param sink The streams.
 * @returns The writing methods.
 */
export function guardedOutput(sink: OutputSink): GuardedOutput {
  const guard = createOutputGuard();
  const spinner = createProgress(
    sink.progress,
    (text) => guard.text(text.replace(/\s+/g, " "), false),
  );
  // Whatever is written first clears the spinner's line; the next frame draws it again.
  const stdout = (text: string): void => {
    spinner.clear();
    sink.stdout(text);
  };
  return {
    out: (text) => stdout(guard.text(text, sink.colorOut)),
    json: (value) => stdout(guard.json(value)),
    jsonWithKey: (value, key) => stdout(guard.json(value, { key })),
    outKey: (key) => stdout(`${key}\n`),
    err: (text) => {
      spinner.clear();
      sink.stderr(guard.text(text, sink.color));
    },
    addSecret: (secret) => guard.addSecret(secret),
    progress: (label, work) => spinner.run(label, work),
    holding: (prompter) => holdingPrompts(prompter, spinner),
  };
}

/** Escape-code helpers that do nothing when colour is off. */
export interface Styles {
  /** Red, for errors. */
  red(text: string): string;
  /** Yellow, for warnings. */
  yellow(text: string): string;
  /** Green, for success. */
  green(text: string): string;
  /** Dim, for hints. */
  dim(text: string): string;
  /** Bold, for commands to run. */
  bold(text: string): string;
}

/**
 * Style helpers for a stream. The codes are markers that only an {@linkcode Io} turns into
 * escape codes, so that escape sequences in text from outside can all be removed.
 *
 * @example
 * ```ts
 * import { guardedOutput, styles } from "./io.ts";
 * import assert from "node:assert/strict";
 * assert.equal(styles(false).red("x"), "x");
 * let err = "";
 * const io = guardedOutput({ stdout: () => {}, stderr: (t) => err += t, color: true, colorOut: false });
 * io.err(styles(true).red("x"));
 * assert.equal(err, "\x1b[31mx\x1b[39m");
 * ```
 *
 * @param enabled Whether to write escape codes.
 * @returns The helpers.
 */
export function styles(enabled: boolean): Styles {
  const wrap = (open: number, close: number) => (text: string): string =>
    enabled ? `${styleMark()}${open}m${text}${styleMark()}${close}m` : text;
  return {
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

/**
 * Whether colour is wanted on a stream: it is a terminal, `NO_COLOR` is unset or empty, and
 * `TERM` is not `dumb`.
 *
 * @param isTerminal Whether the stream is a terminal.
 * @param env Reads the environment.
 * @returns True when escape codes may be written.
 */
export function colorWanted(
  isTerminal: boolean,
  env: (name: string) => string | undefined,
): boolean {
  return isTerminal && !env("NO_COLOR") && env("TERM") !== "dumb";
}

const encoder = new TextEncoder();

/**
 * Writes all of `text` to a stream. A closed pipe (`lua auth key --force | head -c 0`) ends the
 * writing quietly: the reader has gone, and there is no one to tell.
 */
function writer(stream: { writeSync(p: Uint8Array): number }): (text: string) => void {
  let closed = false;
  return (text) => {
    if (closed) return;
    let bytes = encoder.encode(text);
    try {
      while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
    } catch (error) {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      closed = true;
    }
  };
}

function isExitPrompt(error: unknown): boolean {
  return error instanceof Error &&
    (error.name === "ExitPromptError" || error.name === "AbortPromptError");
}

/** The module `@inquirer/prompts`; not in the signature, so that the library's declarations
 * need neither its types nor Node's. */
type PromptsModule = typeof import("@inquirer/prompts");

/**
 * Where Deno loads `@inquirer/prompts` from: its full `npm:` specifier (the same as deno.json's
 * import map; `io_test.ts` holds them equal), kept in a variable so that Deno cannot read it
 * ahead. Deno prepares every `npm:` package its module graph names before the first line runs,
 * even behind an `import()` that never runs: 9 ms for a one-line script, 3 ms on `lua --version`
 * (docs/benchmarks.md), and only a prompt needs the package.
 * A full specifier, because JSR rewrites only the bare specifiers it can read.
 */
export const PROMPTS_SPECIFIER = "npm:@inquirer/prompts@7";

/**
 * Prompts from `@inquirer/prompts`, loaded only when the first question is asked, drawn on
 * stderr so that stdout stays data.
 *
 * @param load Loads `@inquirer/prompts`, each runtime its own way (see
 * {@linkcode PROMPTS_SPECIFIER}).
 * @returns The prompter.
 */
export function inquirerPrompter(load: () => Promise<unknown>): Prompter {
  async function ask<T>(
    run: (prompts: PromptsModule, context: { output: NodeJS.WritableStream }) => Promise<T>,
  ): Promise<T> {
    const [loaded, process] = await Promise.all([load(), import("node:process")]);
    const prompts = loaded as PromptsModule;
    try {
      return await run(prompts, { output: process.stderr });
    } catch (error) {
      if (isExitPrompt(error)) throw new InterruptedError({ cause: error });
      throw error;
    }
  }
  return {
    confirm: (message) => ask((p, c) => p.confirm({ message, default: false }, c)),
    select: <T extends string>(message: string, choices: readonly Choice<T>[]) =>
      ask((p, c) => p.select<T>({ message, choices: [...choices] }, c)),
    input: (message, validate) =>
      ask((p, c) => p.input(validate ? { message, validate } : { message }, c)),
    password: (message, validate) =>
      ask((p, c) =>
        p.password(validate ? { message, mask: "*", validate } : { message, mask: "*" }, c)
      ),
  };
}

/**
 * The real terminal, through Deno's standard streams.
 *
 * @param env Reads the environment, for `NO_COLOR` and `TERM`.
 * @returns The IO object.
 */
export function denoIo(env: (name: string) => string | undefined): Io {
  const stdinTerminal = Deno.stdin.isTerminal();
  const stderrTerminal = Deno.stderr.isTerminal();
  const color = colorWanted(stderrTerminal, env);
  const colorOut = colorWanted(Deno.stdout.isTerminal(), env);
  const stderr = writer(Deno.stderr);
  const sink: OutputSink = { stdout: writer(Deno.stdout), stderr, color, colorOut };
  if (progressWanted(stderrTerminal, env)) sink.progress = denoProgressTerminal(stderr);
  const { holding, ...output } = guardedOutput(sink);
  return {
    ...output,
    canPrompt: () => stdinTerminal && stderrTerminal,
    stdinTerminal,
    readStdinLine: async () => {
      // Only `configure --api-key -` reads stdin: not loaded at start-up.
      const { MAX_KEY_INPUT_BYTES, readFirstLine } = await import("./read_line.ts");
      return await readFirstLine(Deno.stdin.readable, MAX_KEY_INPUT_BYTES);
    },
    color,
    colorOut,
    prompt: holding(inquirerPrompter(() => import(PROMPTS_SPECIFIER))),
  };
}

/**
 * Whether the spinner may be shown on stderr: it is a terminal, and not a `dumb` one (which
 * takes no cursor codes). `NO_COLOR` does not matter: the spinner has no colour.
 *
 * @param isTerminal Whether stderr is a terminal.
 * @param env Reads the environment.
 * @returns True when the spinner may be shown.
 */
export function progressWanted(
  isTerminal: boolean,
  env: (name: string) => string | undefined,
): boolean {
  return isTerminal && env("TERM") !== "dumb";
}

/** Deno's stderr as the spinner's terminal: its width, timers, and Ctrl-C. */
function denoProgressTerminal(write: (text: string) => void): ProgressTerminal {
  return {
    write,
    columns: () => {
      try {
        return Deno.consoleSize().columns;
      } catch {
        return 80;
      }
    },
    every: (ms, tick) => {
      // Not setInterval: under Deno 2.9 its first call sets up Node's timers, 9 ms before the
      // request the spinner waits for is sent. One timeout signal a frame instead; its timer
      // keeps the process alive only while it has a listener, so stopping removes that.
      let signal: AbortSignal;
      let stopped = false;
      const next = (): void => {
        signal = AbortSignal.timeout(ms);
        signal.addEventListener("abort", frame, { once: true });
      };
      const frame = (): void => {
        tick();
        if (!stopped) next(); // a tick may have stopped it
      };
      next();
      return () => {
        stopped = true;
        signal.removeEventListener("abort", frame);
      };
    },
    onInterrupt: (listener) => {
      Deno.addSignalListener("SIGINT", listener);
      return () => Deno.removeSignalListener("SIGINT", listener);
    },
  };
}

/** What {@linkcode say} and {@linkcode warn} need of a command run. */
export type Speaker = Pick<CliContext, "io" | "json" | "programName">;

/**
 * Says the program's own name in a text: the CLI's texts, and the library's hints, write
 * `lua auth …`; the terminal shows the name it was invoked as. Paths (`/…/lua auth`) and
 * longer words (`.lua-cli`, `lua-ai`) are left alone.
 *
 * @example
 * ```ts
 * import { programText } from "./io.ts";
 * import assert from "node:assert/strict";
 * const cli = { programName: "lua-ai" };
 * assert.equal(programText(cli, "Run: lua auth configure"), "Run: lua-ai auth configure");
 * assert.equal(programText(cli, "KEY=$(lua auth key)"), "KEY=$(lua-ai auth key)");
 * assert.equal(programText(cli, "~/.lua-cli/credentials"), "~/.lua-cli/credentials");
 * ```
 *
 * @param cli Where the name is.
 * @param text A message, hint or help text.
 * @returns The text, naming the program as it was invoked.
 */
export function programText(cli: Pick<CliContext, "programName">, text: string): string {
  if (cli.programName === "lua") return text;
  return text.replace(/(?<![\w./-])lua(?= )/g, () => cli.programName);
}

/**
 * Prints a warning on stderr.
 *
 * @param cli The command run.
 * @param message One sentence.
 */
export function warn(cli: Speaker, message: string): void {
  cli.io.err(`${styles(cli.io.color).yellow("Warning:")} ${programText(cli, message)}\n`);
}

/**
 * Prints a message on stderr; nothing with `--json`, whose object says it all.
 *
 * @param cli The command run.
 * @param message The text; a newline is added.
 */
export function say(cli: Speaker, message: string): void {
  if (cli.json) return;
  cli.io.err(`${programText(cli, message)}\n`);
}

/**
 * Prints a success line on stderr, decorated as the seed's transcripts show it (`✅ …`);
 * nothing with `--json`. Messages themselves carry no decoration.
 *
 * @param cli The command run.
 * @param message The text; a newline is added.
 */
export function success(cli: Speaker, message: string): void {
  say(cli, `${styles(cli.io.color).green("✅")} ${message}`);
}

/**
 * Prints a failure line on stderr that is not the command's end (a wrong code with tries left),
 * decorated as the reporter decorates authentication failures (`❌ …`); nothing with `--json`.
 *
 * @param cli The command run.
 * @param message The text; a newline is added.
 */
export function failure(cli: Speaker, message: string): void {
  say(cli, `${styles(cli.io.color).red("❌")} ${message}`);
}
