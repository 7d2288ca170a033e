/**
 * docs/style.md's first rule, held over the source: no message the CLI or its library writes
 * (an error's text, a hint, a line said or warned) ends with a period or holds two sentences.
 * The seed's frozen texts (`src/seed_text.ts`) are the exception the rule names.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

/** A message's first argument: an error constructed, or a line said, warned or written. */
const CALL =
  /(?:new \w*Error|\bsay|\bwarn|\bcelebrate|\bfail|onWarning|\.err)\(\s*(?:cli,\s*)?(["`])((?:\\.|(?!\1)[^\\])*)\1/gs;
const HINTS = /hints:\s*\[([^\]]*)\]/gs;
const LITERAL = /(["`])((?:\\.|(?!\1)[^\\])*)\1/gs;

/** Every non-test source file under `src/` but the seed's texts. */
async function sources(dir = SRC): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await sources(path));
    else if (/\.ts$/.test(entry.name) && !/_test\.ts$|^seed_text\.ts$/.test(entry.name)) {
      files.push(path);
    }
  }
  return files;
}

/** The messages of a source text, with their lines. */
export function messagesOf(text: string): { message: string; line: number }[] {
  const line = (at: number) => text.slice(0, at).split("\n").length;
  const found = [...text.matchAll(CALL)].map((m) => ({ message: m[2]!, line: line(m.index) }));
  for (const hints of text.matchAll(HINTS)) {
    for (const m of hints[1]!.matchAll(LITERAL)) {
      found.push({ message: m[2]!, line: line(hints.index) });
    }
  }
  return found;
}

/** Why a message breaks the rule, or `undefined`. */
export function breaksRule(message: string): string | undefined {
  const text = message.trimEnd();
  if (text.endsWith(".") && !text.endsWith("...")) return "a final period";
  if (/[a-z)]\.\s+[A-Z]/.test(text)) return "two sentences";
  return undefined;
}

Deno.test("message style: the checker finds what it looks for", () => {
  const sample = 'throw new UsageError("Bad thing.");\nsay(cli, `Done. Next`);\n' +
    'x({ hints: ["Run: lua auth configure", "Try again."] });\nwarn(cli, "ok: fine");';
  assert.deepEqual(
    messagesOf(sample).map(({ message, line }) => [line, breaksRule(message) ?? "ok"]),
    [[1, "a final period"], [2, "two sentences"], [4, "ok"], [3, "ok"], [3, "a final period"]],
  );
  assert.equal(breaksRule("Verifying OTP..."), undefined);
});

Deno.test("message style: no message in src/ ends with a period or holds two sentences", async () => {
  const broken: string[] = [];
  for (const file of await sources()) {
    for (const { message, line } of messagesOf(await Deno.readTextFile(file))) {
      const why = breaksRule(message);
      if (why) broken.push(`${relative(SRC, file)}:${line}: ${why}: ${message}`);
    }
  }
  assert.deepEqual(broken, []);
});
