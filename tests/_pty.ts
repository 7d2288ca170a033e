/**
 * Drives the CLI in a real pseudo-terminal with tmux: start a command, wait for text on the
 * screen, type keys, read the exit code.
 *
 * @module
 */

import { baseEnv, denoRunLua, LUA_PERMISSIONS, type Sandbox } from "./_helpers.ts";

function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

async function tmux(socket: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("tmux", { args: ["-L", socket, ...args] }).output();
  if (!output.success) {
    throw new Error(`tmux ${args[0]} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout);
}

/** A CLI running in a tmux pane. */
export interface PtySession {
  /** Waits until `text` is on the screen; returns the screen. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Sends tmux key names, e.g. `"y"`, `"Enter"`, `"C-c"`. */
  keys(...keys: string[]): Promise<void>;
  /** Types literal text. */
  type(text: string): Promise<void>;
  /** Whether the terminal shows its cursor now (a program may hide it and must show it again). */
  cursorVisible(): Promise<boolean>;
  /** Waits for the command to end; returns its exit code, the final screen and the tty modes. */
  exit(timeoutMs?: number): Promise<{ code: number; screen: string; tty: string[] }>;
  /** Ends the session. */
  close(): Promise<void>;
}

/**
 * Starts `lua <args>` in a pseudo-terminal with the sandbox's HOME and working directory.
 *
 * @param sb The sandbox.
 * @param args The CLI arguments.
 * @param env Extra environment.
 * @param permissions Deno permission flags instead of {@linkcode LUA_PERMISSIONS}.
 * @returns The session.
 */
export function startPty(
  sb: Sandbox,
  args: readonly string[],
  env: Record<string, string> = {},
  permissions: readonly string[] = LUA_PERMISSIONS,
): Promise<PtySession> {
  return startPtyCommand(sb, [Deno.execPath(), ...denoRunLua(permissions), ...args], env);
}

/**
 * Starts any program in a pseudo-terminal with the sandbox's HOME and working directory and an
 * otherwise empty environment (plus `TERM=xterm`).
 *
 * @param sb The sandbox.
 * @param argv The program and its arguments.
 * @param env Extra environment.
 * @returns The session.
 */
export async function startPtyCommand(
  sb: Sandbox,
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<PtySession> {
  const socket = `lua-test-${crypto.randomUUID().slice(0, 8)}`;
  const vars = { ...baseEnv(sb), TERM: "xterm", ...env };
  const command = [
    "cd",
    quote(sb.cwd),
    "&&",
    "env",
    "-i",
    ...Object.entries(vars).map(([k, v]) => quote(`${k}=${v}`)),
    ...argv.map(quote),
    ";",
    "echo",
    "EXIT=$?;",
    // The terminal's modes after the command: a prompt must leave it sane (canonical, echoing).
    "echo",
    "TTY=$(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ,);",
    "sleep",
    "30",
  ].join(" ");
  await tmux(socket, "new-session", "-d", "-x", "160", "-y", "40", command);
  const screen = () => tmux(socket, "capture-pane", "-p", "-J");
  const waitFor = async (text: string | RegExp, timeoutMs = 10_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await screen();
      if (typeof text === "string" ? current.includes(text) : text.test(current)) return current;
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${String(text)}. Screen:\n${current}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return {
    waitFor,
    keys: async (...keys) => {
      await tmux(socket, "send-keys", ...keys);
    },
    type: async (text) => {
      await tmux(socket, "send-keys", "-l", text);
    },
    cursorVisible: async () =>
      (await tmux(socket, "display", "-p", "#{cursor_flag}")).trim() === "1",
    exit: async (timeoutMs) => {
      const final = await waitFor(/TTY=\S*,/, timeoutMs);
      const code = Number(/EXIT=(\d+)/.exec(final)![1]);
      return { code, screen: final, tty: /TTY=(\S*),/.exec(final)![1]!.split(",") };
    },
    close: async () => {
      await tmux(socket, "kill-server").catch(() => {});
    },
  };
}
