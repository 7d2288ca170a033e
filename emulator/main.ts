/**
 * Command line entry of the auth API emulator.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 emulator/main.ts [--port N]
 * ```
 *
 * Listens on 127.0.0.1 only (default port 8787; 0 picks a free one), prints
 * `listening on http://127.0.0.1:PORT` once, then one
 * `[outbox] to=<email> code=<code>` line per sent email. Stops on SIGINT or
 * SIGTERM.
 *
 * @module
 */

import { type RunningEmulator, startEmulator } from "./server.ts";

/** Port used when `--port` is not given. */
export const DEFAULT_PORT = 8787;

/** Usage text for `--help` and argument errors. */
export const USAGE = "usage: deno run --allow-net=127.0.0.1 emulator/main.ts [--port N]\n" +
  `  --port N   TCP port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free port)`;

/** Parsed command line. */
export type CliArgs = { help: true } | { help: false; port: number } | { error: string };

/**
 * Parses the command line: `--port N`, `--port=N`, `--help`/`-h`.
 *
 * @param args The arguments after the script name.
 * @returns The options, or an error message.
 */
export function parseArgs(args: readonly string[]): CliArgs {
  let port = DEFAULT_PORT;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--help" || arg === "-h") return { help: true };
    let value: string | undefined;
    if (arg === "--port") {
      value = args[++i];
      if (value === undefined) return { error: "--port needs a value" };
    } else if (arg.startsWith("--port=")) {
      value = arg.slice("--port=".length);
    } else {
      return { error: `unknown argument: ${arg}` };
    }
    if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
      return { error: `invalid port: ${value} (expected 0-65535)` };
    }
    port = Number(value);
  }
  return { help: false, port };
}

interface StopSignal {
  /** Resolves with the first SIGINT or SIGTERM received. */
  received: Promise<Deno.Signal>;
  /** Removes the signal listeners. */
  dispose(): void;
}

/** Installs SIGINT/SIGTERM listeners (SIGINT only on Windows). */
function listenForStop(): StopSignal {
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const { promise, resolve } = Promise.withResolvers<Deno.Signal>();
  const handlers = signals.map((signal) => [signal, () => resolve(signal)] as const);
  for (const [signal, handler] of handlers) Deno.addSignalListener(signal, handler);
  return {
    received: promise,
    dispose(): void {
      for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
    },
  };
}

/**
 * Runs the emulator until SIGINT or SIGTERM.
 *
 * @param args The arguments after the script name.
 * @returns The process exit code: 0 after a clean stop, 1 if listening failed, 2 for bad arguments.
 */
export async function main(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args);
  if ("error" in parsed) {
    console.error(`error: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  // Listen for signals before listening on the port, so a signal sent right
  // after the "listening on" line is seen still stops the server cleanly.
  const stop = listenForStop();
  let server: RunningEmulator;
  try {
    server = await startEmulator({
      port: parsed.port,
      log: (line) => console.log(line),
      onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    console.error(`error: cannot listen on 127.0.0.1:${parsed.port}: ${detail}`);
    stop.dispose();
    return 1;
  }
  await stop.received;
  stop.dispose();
  await server.close();
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
