/**
 * Serves the emulator on a real loopback port, for tests that need one.
 *
 * ```ts
 * import { startEmulator } from "./server.ts";
 *
 * const server = await startEmulator();
 * try {
 *   const response = await fetch(`${server.url}/admin/me/authorization`);
 *   console.log(response.status); // 401: no key
 *   await response.body?.cancel();
 * } finally {
 *   await server.close();
 * }
 * ```
 *
 * @module
 */

import { createEmulator, type Emulator, type EmulatorOptions } from "./handler.ts";
import { errorResponse } from "./http.ts";

/** The only interface the emulator listens on. */
export const HOSTNAME = "127.0.0.1";

/** Options of {@linkcode startEmulator}. */
export interface StartEmulatorOptions extends EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Called once the server is listening; if it throws, the server is closed again. */
  onListen?: (address: { hostname: string; port: number }) => void;
}

/** A listening emulator. */
export interface RunningEmulator {
  /** Origin serving every route, `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** The port actually bound. */
  port: number;
  /** The emulator behind the server, for its test accessors. */
  emulator: Emulator;
  /**
   * Releases held requests, stops accepting requests and waits until the
   * server is fully shut down. Safe to call more than once.
   */
  close(): Promise<void>;
}

/**
 * Starts an emulator listening on 127.0.0.1 only. Prints nothing unless
 * `log` or `onListen` print.
 *
 * @param options Port, listen callback and emulator options.
 * @returns The running server.
 * @throws {Deno.errors.AddrInUse} If the port is taken.
 */
export async function startEmulator(
  options: StartEmulatorOptions = {},
): Promise<RunningEmulator> {
  const { port = 0, onListen, ...emulatorOptions } = options;
  const emulator = createEmulator(emulatorOptions);
  const listening = Promise.withResolvers<{ hostname: string; port: number }>();
  let closing: Promise<void> | undefined;
  const server = Deno.serve({
    hostname: HOSTNAME,
    port,
    onListen: ({ hostname, port }) => listening.resolve({ hostname, port }),
  }, (request) => {
    // Once closing, answer at once instead of holding anything new.
    if (closing !== undefined) {
      return errorResponse(503, "emulator_closed", "The emulator is shutting down.");
    }
    return emulator.handler(request);
  });
  const address = await listening.promise;
  const running: RunningEmulator = {
    url: `http://${HOSTNAME}:${address.port}`,
    port: address.port,
    emulator,
    close(): Promise<void> {
      closing ??= (async () => {
        emulator.releasePending();
        await server.shutdown();
        await server.finished;
      })();
      return closing;
    },
  };
  try {
    onListen?.(address);
  } catch (error) {
    await running.close();
    throw error;
  }
  return running;
}
