/**
 * A spinner on stderr while the CLI waits for the platform: a few lines of our own rather than a
 * library, since every spinner library on npm loads `node:` modules, which cost Deno 20 to 45 ms
 * at start-up (see the commit that added this file), against a target within 1.3 times of an
 * empty `deno run`.
 *
 * It is shown only on a terminal that takes cursor codes; it is cleared before anything else is
 * written, held off while a prompt is open, and stopped on every path: the work's end, its
 * failure, and Ctrl-C, which ends the wait with {@linkcode InterruptedError}. The cursor it hides
 * is always shown again.
 *
 * @module
 */

import { InterruptedError } from "../errors.ts";
import type { Prompter } from "./io.ts";

/** What the spinner needs of the terminal stderr is. */
export interface ProgressTerminal {
  /** Writes to stderr as it is: the spinner's own cursor codes, and text already filtered. */
  write(text: string): void;
  /** The terminal's width in columns: the line is cut to fit, so that one `\r` clears it all. */
  columns(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
  /** Calls `listener` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt(listener: () => void): () => void;
}

/** Progress of a run: the spinner, when there is a terminal for it. */
export interface Progress {
  /**
   * Shows `label` with a spinner until `work` settles, then clears it.
   *
   * @param label What is waited for, e.g. `Checking the key with the Lua platform…`.
   * @param work The wait.
   * @returns What `work` gives.
   * @throws {InterruptedError} On Ctrl-C while it waits (the work is abandoned).
   */
  run<T>(label: string, work: () => Promise<T>): Promise<T>;
  /** Clears the spinner's line, if it is shown, so that other output starts at a clean line. */
  clear(): void;
  /** Holds the spinner off while `question` is open (a prompt), then lets it draw again. */
  hold<T>(question: () => Promise<T>): Promise<T>;
}

/** The frames, one each {@linkcode FRAME_MS}. */
export const FRAMES: readonly string[] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** Milliseconds between frames. */
export const FRAME_MS = 80;

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const CLEAR_LINE = "\r\x1b[2K";

/**
 * Creates the progress of a run.
 *
 * @example
 * ```ts
 * import { createProgress } from "./progress.ts";
 * import assert from "node:assert/strict";
 * // No terminal: the work just runs, and nothing is written.
 * const progress = createProgress(undefined, (text) => text);
 * assert.equal(await progress.run("Waiting…", () => Promise.resolve(42)), 42);
 * ```
 *
 * @param terminal The terminal, or `undefined` when stderr is not one (nothing is ever shown).
 * @param filter The output guard for the label: one line, controls removed, secrets redacted.
 * @returns The progress.
 */
export function createProgress(
  terminal: ProgressTerminal | undefined,
  filter: (text: string) => string,
): Progress {
  let label: string | undefined;
  let frame = 0;
  let shown = false;
  let held = 0;
  const draw = (): void => {
    if (!terminal || label === undefined || held > 0) return;
    const width = Math.max(10, terminal.columns() - 1);
    const line = [...`${FRAMES[frame % FRAMES.length]} ${filter(label)}`].slice(0, width).join("");
    frame++;
    terminal.write(`${shown ? CLEAR_LINE : `${HIDE_CURSOR}\r`}${line}`);
    shown = true;
  };
  const clear = (): void => {
    if (!terminal || !shown) return;
    shown = false;
    terminal.write(`${CLEAR_LINE}${SHOW_CURSOR}`);
  };
  return {
    run: async (text, work) => {
      if (!terminal || label !== undefined) return await work();
      label = text;
      frame = 0;
      let interrupted: () => void = () => {};
      const cancel = new Promise<never>((_, reject) => {
        interrupted = () => reject(new InterruptedError());
      });
      const stopTicking = terminal.every(FRAME_MS, draw);
      const stopListening = terminal.onInterrupt(() => {
        clear();
        interrupted();
      });
      try {
        draw();
        return await Promise.race([work(), cancel]);
      } finally {
        stopTicking();
        stopListening();
        clear();
        label = undefined;
      }
    },
    clear,
    hold: async (question) => {
      clear();
      held++;
      try {
        return await question();
      } finally {
        held--;
      }
    },
  };
}

/**
 * Prompts that hold the spinner off while they are open, so that it never draws over a question.
 *
 * @param prompter The prompts.
 * @param progress The spinner.
 * @returns The same prompts.
 */
export function holdingPrompts(prompter: Prompter, progress: Progress): Prompter {
  return {
    confirm: (message) => progress.hold(() => prompter.confirm(message)),
    select: (message, choices) => progress.hold(() => prompter.select(message, choices)),
    input: (message, validate) => progress.hold(() => prompter.input(message, validate)),
    password: (message, validate) => progress.hold(() => prompter.password(message, validate)),
  };
}
