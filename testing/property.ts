/**
 * Property tests with a seed that is printed on failure, so any failure can be replayed:
 * `LUA_FC_SEED=<seed> deno task test`.
 *
 * @module
 */

import fc from "fast-check";

function chooseSeed(): number {
  const given = Deno.env.get("LUA_FC_SEED");
  if (given !== undefined && given.trim() !== "" && Number.isSafeInteger(Number(given))) {
    return Number(given);
  }
  return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
}

/** The seed every property of this test process runs with. */
export const PROPERTY_SEED: number = chooseSeed();

function withSeed(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`Property failed; replay with LUA_FC_SEED=${PROPERTY_SEED}\n${message}`, {
    cause: error,
  });
}

/**
 * `fc.assert` with this process's seed; a failure's message starts with the seed to replay.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { assertProperty } from "./property.ts";
 * assertProperty(fc.property(fc.integer(), (n) => n + 0 === n));
 * ```
 */
export function assertProperty<Ts>(
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  params: fc.Parameters<Ts> = {},
): void | Promise<void> {
  const options = { ...params, seed: PROPERTY_SEED };
  if (property.isAsync()) {
    return fc.assert(property as fc.IAsyncProperty<Ts>, options).catch((error) => {
      throw withSeed(error);
    });
  }
  try {
    fc.assert(property as fc.IProperty<Ts>, options);
  } catch (error) {
    throw withSeed(error);
  }
}
