/**
 * The terminal, as the commands see it: stdout for data, stderr for messages and prompts,
 * whether prompting is possible, colour, and the prompts themselves.
 *
 * @module
 */

import { InterruptedError } from "../errors.ts";

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
  /** Writes data (the key, JSON) to stdout. */
  out(text: string): void;
  /** Writes messages to stderr. */
  err(text: string): void;
  /** True when stdin and stderr are terminals, so a question can be asked and answered. */
  canPrompt(): boolean;
  /** Reads all of stdin as text. */
  readStdin(): Promise<string>;
  /** True when escape codes may be written to stderr. */
  readonly color: boolean;
  /** True when escape codes may be written to stdout. */
  readonly colorOut: boolean;
  /** The prompts. */
  readonly prompt: Prompter;
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
 * Style helpers for a stream.
 *
 * @example
 * ```ts
 * import { styles } from "./io.ts";
 * import assert from "node:assert/strict";
 * assert.equal(styles(false).red("x"), "x");
 * assert.equal(styles(true).red("x"), "\x1b[31mx\x1b[39m");
 * ```
 *
 * @param enabled Whether to write escape codes.
 * @returns The helpers.
 */
export function styles(enabled: boolean): Styles {
  const wrap = (open: number, close: number) => (text: string): string =>
    enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;
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

function writeAll(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
}

function isExitPrompt(error: unknown): boolean {
  return error instanceof Error &&
    (error.name === "ExitPromptError" || error.name === "AbortPromptError");
}

/**
 * Prompts from `@inquirer/prompts`, loaded only when the first question is asked, drawn on
 * stderr so that stdout stays data.
 *
 * @returns The prompter.
 */
export function inquirerPrompter(): Prompter {
  async function ask<T>(
    run: (
      prompts: typeof import("@inquirer/prompts"),
      context: { output: NodeJS.WritableStream },
    ) => Promise<T>,
  ): Promise<T> {
    const [prompts, process] = await Promise.all([
      import("@inquirer/prompts"),
      import("node:process"),
    ]);
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
  return {
    out: (text) => writeAll(Deno.stdout, text),
    err: (text) => writeAll(Deno.stderr, text),
    canPrompt: () => stdinTerminal && stderrTerminal,
    readStdin: () => new Response(Deno.stdin.readable).text(),
    color: colorWanted(stderrTerminal, env),
    colorOut: colorWanted(Deno.stdout.isTerminal(), env),
    prompt: inquirerPrompter(),
  };
}
