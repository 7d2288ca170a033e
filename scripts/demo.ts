/**
 * The demo: starts the platform emulator on a free loopback port and runs the real CLI
 * through the whole flow with a temporary HOME, printing each command and its output.
 *
 * ```sh
 * npx -y deno@2.9.6 task demo
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../emulator/server.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const EMAIL = "demo@example.com";

interface Step {
  args: string[];
  expect: number;
}

async function runLua(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; output: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--config",
      join(ROOT, "deno.json"),
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-net",
      join(ROOT, "main.ts"),
      ...args,
    ],
    cwd,
    env,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    output: decoder.decode(output.stderr) + decoder.decode(output.stdout),
  };
}

/**
 * Runs the demo.
 *
 * @returns 0 when every step ended as expected.
 */
export async function demo(): Promise<number> {
  const server = await startEmulator();
  const dir = await Deno.makeTempDir({ prefix: "lua-demo-" });
  const home = join(dir, "home");
  const cwd = join(dir, "project");
  await Deno.mkdir(home);
  await Deno.mkdir(cwd);
  const env: Record<string, string> = {
    HOME: home,
    LUA_AUTH_URL: server.url,
    LUA_API_URL: server.url,
    NO_COLOR: "1",
  };
  console.log(`Emulator listening on ${server.url}; HOME=${home}\n`);
  let failures = 0;
  const run = async (step: Step): Promise<void> => {
    console.log(`$ lua ${step.args.join(" ")}`);
    const result = await runLua(step.args, env, cwd);
    const text = result.output.trimEnd();
    if (text) console.log(text.replace(/^/gm, "  "));
    const verdict = result.code === step.expect ? "as expected" : `EXPECTED ${step.expect}`;
    if (result.code !== step.expect) failures++;
    console.log(`  [exit ${result.code}, ${verdict}]\n`);
  };
  try {
    await run({ args: ["auth", "status"], expect: 9 });
    await run({ args: ["auth", "configure", "--email", EMAIL], expect: 0 });
    const outbox = await fetch(`${server.url}/_emulator/outbox?email=${EMAIL}`);
    const mails = await outbox.json() as { code: string }[];
    const code = mails.at(-1)?.code ?? "000000";
    console.log(`(The emulator's outbox holds the code ${code}.)\n`);
    await run({ args: ["auth", "configure", "--email", EMAIL, "--otp", code], expect: 0 });
    await run({ args: ["auth", "status"], expect: 0 });
    await run({ args: ["auth", "key", "--force"], expect: 0 });
    await run({ args: ["auth", "logout", "--force"], expect: 0 });
    await run({ args: ["auth", "status"], expect: 9 });
    const events = await (await fetch(`${server.url}/_emulator/telemetry`)).json() as unknown[];
    console.log(`The emulator recorded ${events.length} telemetry events.`);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
  console.log(
    failures === 0 ? "Demo finished: every step as expected." : `${failures} step(s) failed.`,
  );
  return failures === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await demo());
