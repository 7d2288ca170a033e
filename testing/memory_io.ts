/**
 * An in-memory {@linkcode Io} for unit tests: captured stdout and stderr, a settable stdin,
 * and scripted prompt answers. Not published.
 *
 * @module
 */

import type { CliContext } from "../src/cli/cli_context.ts";
import { type Choice, guardedOutput, type Io, type Prompter } from "../src/cli/io.ts";
import { MAX_KEY_INPUT_BYTES, readFirstLine } from "../src/cli/read_line.ts";
import { InterruptedError } from "../src/errors.ts";
import { createFakeTerminal, type FakeTerminal } from "./fake_terminal.ts";
import {
  createMemoryContext,
  type MemoryContext,
  type MemoryContextOptions,
} from "./memory_context.ts";

/** A scripted answer: a value, a function computing it when asked, or Ctrl-C. */
export type Answer = string | boolean | { ctrlC: true } | (() => string);

/** An {@linkcode Io} whose output tests can read and whose prompts they answer. */
export interface MemoryIo extends Io {
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr. */
  stderr: string;
  /** Every question asked, in order. */
  readonly asked: string[];
  /** The terminal stderr is, when the options asked for one (`progress: true`). */
  readonly terminal?: FakeTerminal;
}

/** Options for {@linkcode createMemoryIo}. */
export interface MemoryIoOptions {
  /** Whether prompting is possible. Default false. */
  terminal?: boolean;
  /** What stdin holds: text, or a stream (e.g. an endless one). */
  stdin?: string | ReadableStream<Uint8Array>;
  /** Whether stdin is a terminal. Default: the value of `terminal`. */
  stdinTerminal?: boolean;
  /** Whether both streams take colour. Default false. */
  color?: boolean;
  /** Answers to the prompts, in order. A prompt with no answer left fails the test. */
  answers?: Answer[];
  /**
   * Whether stderr is a terminal that shows the spinner: a {@linkcode FakeTerminal} that stdout
   * and stderr are both drawn on, as on a real one. Default false.
   */
  progress?: boolean;
}

/**
 * Creates an in-memory terminal.
 *
 * @param options Terminal, stdin and answers.
 * @returns The IO object.
 */
export function createMemoryIo(options: MemoryIoOptions = {}): MemoryIo {
  const answers = [...(options.answers ?? [])];
  const asked: string[] = [];
  const next = (message: string, validate?: (value: string) => string | true): Answer => {
    asked.push(message);
    for (;;) {
      const scripted = answers.shift();
      const answer = typeof scripted === "function" ? scripted() : scripted;
      if (answer === undefined) throw new Error(`Unexpected prompt: ${message}`);
      if (typeof answer === "object") throw new InterruptedError();
      if (typeof answer === "string" && validate) {
        const verdict = validate(answer);
        if (verdict !== true) {
          io.stderr += `> ${verdict}\n`;
          continue;
        }
      }
      return answer;
    }
  };
  const prompt: Prompter = {
    confirm: (message) => Promise.resolve().then(() => next(message) === true),
    select: <T extends string>(message: string, choices: readonly Choice<T>[]) =>
      Promise.resolve().then(() => {
        const answer = next(message);
        const choice = choices.find((c) => c.value === answer);
        if (!choice) throw new Error(`No choice ${String(answer)} for: ${message}`);
        return choice.value;
      }),
    input: (message, validate) => Promise.resolve().then(() => String(next(message, validate))),
    password: (message, validate) => Promise.resolve().then(() => String(next(message, validate))),
  };
  const color = options.color ?? false;
  const stdin = options.stdin ?? "";
  const terminal = options.progress ? createFakeTerminal() : undefined;
  const { holding, ...output } = guardedOutput({
    stdout: (text) => {
      io.stdout += text;
      terminal?.print(text);
    },
    stderr: (text) => {
      io.stderr += text;
      terminal?.print(text);
    },
    color,
    colorOut: color,
    ...(terminal
      ? {
        progress: {
          ...terminal,
          write: (text: string) => {
            io.stderr += text;
            terminal.write(text);
          },
        },
      }
      : {}),
  });
  const io: MemoryIo = {
    stdout: "",
    stderr: "",
    asked,
    ...(terminal ? { terminal } : {}),
    ...output,
    canPrompt: () => options.terminal ?? false,
    stdinTerminal: options.stdinTerminal ?? options.terminal ?? false,
    readStdinLine: () =>
      readFirstLine(
        typeof stdin === "string" ? new Blob([stdin]).stream() : stdin,
        MAX_KEY_INPUT_BYTES,
      ),
    color,
    colorOut: color,
    prompt: holding(prompt),
  };
  return io;
}

/** A {@linkcode CliContext} in memory, with both halves reachable. */
export type MemoryCliContext = MemoryContext & CliContext & { readonly io: MemoryIo };

/**
 * Creates a whole in-memory command run.
 *
 * @param options The context's and the terminal's options.
 * @returns The command run.
 */
export function createMemoryCli(
  options: MemoryContextOptions & MemoryIoOptions & { programName?: string } = {},
): MemoryCliContext {
  return Object.assign(createMemoryContext(options), {
    io: createMemoryIo(options),
    clientOptions: { timeoutMs: 500, deadlineMs: 2_000, backoffMs: 10 },
    programName: options.programName ?? "lua",
  });
}
