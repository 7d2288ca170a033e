/**
 * A fake terminal for the spinner's tests: it records what is written, draws it on a small
 * screen model (`\r`, erase line, newlines, cursor show and hide), and lets a test move the
 * spinner's clock and press Ctrl-C. Not published.
 *
 * @module
 */

import type { ProgressTerminal } from "../src/cli/progress.ts";

/** A {@linkcode ProgressTerminal} a test drives. */
export interface FakeTerminal extends ProgressTerminal {
  /** Everything written, escape codes included. */
  readonly written: string[];
  /** The screen's lines, as a terminal would show them now. */
  screen(): string[];
  /** Whether the cursor is hidden now. */
  readonly cursorHidden: boolean;
  /** Runs the timers once: one frame of the spinner. */
  tick(): void;
  /** Presses Ctrl-C. */
  interrupt(): void;
  /** Timers and Ctrl-C listeners not yet removed. */
  active(): { timers: number; listeners: number };
  /** Adds text written by another writer to the same screen (stdout, or filtered stderr). */
  print(text: string): void;
}

/**
 * Creates a fake terminal.
 *
 * @param columns Its width.
 * @returns The terminal.
 */
export function createFakeTerminal(columns = 80): FakeTerminal {
  const written: string[] = [];
  const lines: string[] = [""];
  let column = 0;
  let hidden = false;
  const timers = new Set<() => void>();
  const listeners = new Set<() => void>();
  const put = (text: string): void => {
    // deno-lint-ignore no-control-regex
    for (const token of text.match(/\x1b\[\??[\d;]*[a-zA-Z]|[\s\S]/gu) ?? []) {
      const row = lines.length - 1;
      if (token === "\x1b[?25l") hidden = true;
      else if (token === "\x1b[?25h") hidden = false;
      else if (token === "\x1b[2K") lines[row] = "";
      else if (token.startsWith("\x1b[")) continue;
      else if (token === "\r") column = 0;
      else if (token === "\n") {
        lines.push("");
        column = 0;
      } else {
        const chars = [...lines[row]!];
        while (chars.length < column) chars.push(" ");
        chars[column] = token;
        lines[row] = chars.join("");
        column++;
      }
    }
  };
  return {
    written,
    screen: () => lines.map((line) => line.trimEnd()),
    get cursorHidden() {
      return hidden;
    },
    write: (text) => {
      written.push(text);
      put(text);
    },
    print: put,
    columns: () => columns,
    every: (_ms, tick) => {
      timers.add(tick);
      return () => timers.delete(tick);
    },
    onInterrupt: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    tick: () => {
      for (const tick of [...timers]) tick();
    },
    interrupt: () => {
      for (const listener of [...listeners]) listener();
    },
    active: () => ({ timers: timers.size, listeners: listeners.size }),
  };
}
