/**
 * The demo: starts the platform emulator on a free loopback port and runs the real CLI
 * through the whole flow with a temporary HOME, printing each command and its output. The
 * emailed code is read from the emulator's outbox; telemetry goes to the emulator, never
 * anywhere else.
 *
 * ```sh
 * npx -y deno@2.9.6 task demo
 * ```
 *
 * @module
 */

import { startEmulator } from "../emulator/server.ts";
import { lua, platformEnv, sandbox } from "../tests/_helpers.ts";
import { captures, issueKey, outbox } from "../tests/_world.ts";

const EMAIL = "demo@example.com";

interface Step {
  args: string[];
  expect: number;
  /** What to write to stdin. */
  stdin?: string;
  /** Shown instead of the arguments (a key is never printed). */
  shown?: string;
}

/**
 * Runs the demo.
 *
 * @returns 0 when every step ended as expected.
 */
export async function demo(): Promise<number> {
  const server = await startEmulator();
  const sb = await sandbox();
  // The CLI runs as the tests run it: a cleared environment, the documented permissions, and
  // every URL (telemetry's too) on the emulator. Telemetry is on, to show its one-time notice.
  const env = { ...platformEnv(server.url), LUA_TELEMETRY: undefined, NO_COLOR: "1" };
  console.log(`Emulator listening on ${server.url}; HOME=${sb.home}\n`);
  let failures = 0;
  const run = async (step: Step): Promise<void> => {
    console.log(`$ ${step.shown ?? `lua ${step.args.join(" ")}`}`);
    const result = await lua(sb, step.args, {
      env,
      ...(step.stdin === undefined ? {} : { stdin: step.stdin }),
    });
    const text = `${result.stderr}${result.stdout}`.trimEnd();
    if (text) console.log(text.replace(/^/gm, "  "));
    const verdict = result.code === step.expect ? "as expected" : `EXPECTED ${step.expect}`;
    if (result.code !== step.expect) failures++;
    console.log(`  [exit ${result.code}, ${verdict}]\n`);
  };
  try {
    await run({ args: ["auth", "status"], expect: 9 });
    await run({ args: ["auth", "configure", "--email", EMAIL], expect: 0 });
    const code = (await outbox(server, EMAIL)).at(-1)?.code ?? "000000";
    console.log(`(The emulator's outbox holds the code ${code}.)\n`);
    await run({ args: ["auth", "configure", "--email", EMAIL, "--otp", code], expect: 0 });
    await run({ args: ["auth", "status"], expect: 0 });
    await run({ args: ["auth", "key", "--force"], expect: 0 });
    const typed = await issueKey(server, EMAIL, "typed");
    console.log("(A typed key, as the admin dashboard issues it, goes in through stdin.)\n");
    await run({
      args: ["auth", "configure", "--api-key", "-"],
      stdin: `${typed}\n`,
      shown: "lua auth configure --api-key - < key.txt",
      expect: 0,
    });
    await run({ args: ["auth", "status"], expect: 0 });
    await run({ args: ["telemetry", "status"], expect: 0 });
    await run({ args: ["auth", "logout", "--force"], expect: 0 });
    await run({ args: ["auth", "status"], expect: 9 });
    const events = await captures(server);
    console.log(`The emulator recorded ${events.length} telemetry events.`);
  } finally {
    await server.close();
    await sb.cleanup();
  }
  console.log(
    failures === 0 ? "Demo finished: every step as expected." : `${failures} step(s) failed.`,
  );
  return failures === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await demo());
