/**
 * An in-memory command run wired to an in-process platform emulator: no port, no network.
 * Not published.
 *
 * @module
 */

import { issueKey } from "./issue_key.ts";
import { createEmulator, type Emulator } from "../emulator/handler.ts";
import { createMemoryCli, type MemoryCliContext } from "./memory_io.ts";
import type { MemoryContextOptions } from "./memory_context.ts";
import type { MemoryIoOptions } from "./memory_io.ts";

/** The base URL the in-process emulator answers on. */
export const EMULATOR_URL = "http://emulator.test";

/** A command run and the emulator it talks to. */
export interface EmulatedCli {
  /** The command run. */
  cli: MemoryCliContext;
  /** The emulator. */
  emulator: Emulator;
  /** Every request the emulator saw, as `METHOD path`. */
  requests: string[];
  /** Calls a control or API route directly and returns the parsed JSON (or null). */
  call(method: string, path: string, body?: unknown): Promise<unknown>;
  /** Issues a key as the admin dashboard would (the `/_emulator/api-keys` control route). */
  issueKey(email?: string, kind?: "legacy" | "typed"): Promise<string>;
  /** Moves the clock of both the emulator and the context forward. */
  advance(ms: number): void;
}

/** A small deterministic byte source (xorshift32) for reproducible emulated runs. */
function seededBytes(seed: number): (n: number) => Uint8Array {
  let state = seed >>> 0 || 1;
  return (n) => {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      bytes[i] = state & 0xff;
    }
    return bytes;
  };
}

/**
 * Creates a command run whose `fetch` goes to an in-process emulator.
 *
 * @param options The context's and the terminal's options.
 * @returns The run, the emulator and the requests it saw.
 */
export function createEmulatedCli(
  options: MemoryContextOptions & MemoryIoOptions = {},
): EmulatedCli {
  let clock = Date.UTC(2026, 0, 1);
  // Seeded, so that two emulated runs of the same steps give the same ids and keys.
  const emulator = createEmulator({ now: () => clock, randomBytes: seededBytes(0x5eed) });
  const requests: string[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input, init);
    requests.push(`${request.method} ${new URL(request.url).pathname}`);
    return emulator.handler(request);
  };
  const cli = createMemoryCli({
    ...options,
    env: {
      LUA_AUTH_URL: EMULATOR_URL,
      LUA_API_URL: EMULATOR_URL,
      LUA_TELEMETRY_URL: EMULATOR_URL,
      ...options.env,
    },
    fetch,
  });
  return {
    cli,
    emulator,
    requests,
    async call(method, path, body) {
      const init: RequestInit = { method };
      if (body !== undefined) init.body = JSON.stringify(body);
      const response = await emulator.handler(new Request(`${EMULATOR_URL}${path}`, init));
      const text = await response.text();
      return text ? JSON.parse(text) : null;
    },
    issueKey: (email, kind) => issueKey(emulator, email, kind),
    advance(ms) {
      clock += ms;
      cli.advance(ms);
    },
  };
}
