/**
 * A helper for `e2e_files_test.ts`: stores the given keys with `writeCredentials`, in turn, as
 * fast as it can (four loops at once), forever, until it is killed. Prints `ready` once the first write is done.
 *
 * ```sh
 * deno run --allow-env --allow-read --allow-write tests/_crash_writer.ts <key> <key>…
 * ```
 *
 * @module
 */

import { denoContext } from "../src/context.ts";
import { writeCredentials } from "../src/credentials.ts";

if (import.meta.main) {
  const keys = Deno.args;
  if (keys.length === 0) throw new Error("usage: _crash_writer.ts <key>…");
  const ctx = denoContext();
  await writeCredentials(ctx, keys[0]!);
  Deno.stdout.writeSync(new TextEncoder().encode("ready\n"));
  // Four loops at once, so that at any instant some write is likely to be in flight.
  const loop = async (offset: number): Promise<never> => {
    for (let n = offset;; n++) await writeCredentials(ctx, keys[n % keys.length]!);
  };
  await Promise.all([1, 2, 3, 4].map(loop));
}
