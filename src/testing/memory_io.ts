/**
 * An in-memory {@linkcode Io} for unit tests: captured stdout and stderr, a settable stdin,
 * and scripted prompt answers. Not published.
 *
 * @module
 */

import type { CliContext } from "../cli/cli_context.ts";
import type { Choice, Io, Prompter } from "../cli/io.ts";
import { InterruptedError } from "../errors.ts";
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
}

/** Options for {@linkcode createMemoryIo}. */
export interface MemoryIoOptions {
  /** Whether prompting is possible. Default false. */
  terminal?: boolean;
  /** What stdin holds. */
  stdin?: string;
  /** Answers to the prompts, in order. A prompt with no answer left fails the test. */
  answers?: Answer[];
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
  const io: MemoryIo = {
    stdout: "",
    stderr: "",
    asked,
    out: (text) => {
      io.stdout += text;
    },
    err: (text) => {
      io.stderr += text;
    },
    canPrompt: () => options.terminal ?? false,
    readStdin: () => Promise.resolve(options.stdin ?? ""),
    color: false,
    colorOut: false,
    prompt,
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
