import assert from "node:assert/strict";
import { MAX_LINE_LENGTH, MAX_LINES } from "./output_guard.ts";
import * as nodeProcess from "node:process";
import { InterruptedError } from "../errors.ts";
import { colorWanted, guardedOutput, inquirerPrompter, PROMPTS_SPECIFIER, styles } from "./io.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("colorWanted: only on a terminal, and never with NO_COLOR or TERM=dumb", () => {
  assert.equal(colorWanted(true, env({})), true);
  assert.equal(colorWanted(false, env({})), false, "not a terminal");
  assert.equal(colorWanted(true, env({ NO_COLOR: "1" })), false);
  assert.equal(colorWanted(true, env({ NO_COLOR: "" })), true, "an empty NO_COLOR is unset");
  assert.equal(colorWanted(true, env({ TERM: "dumb" })), false);
});

/** An Io's writing half whose stderr (colour on) and stdout (colour off) the test reads. */
function capture(): { io: ReturnType<typeof guardedOutput>; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const io = guardedOutput({
    stdout: (t) => out += t,
    stderr: (t) => err += t,
    color: true,
    colorOut: false,
  });
  return { io, out: () => out, err: () => err };
}

Deno.test("styles: escape codes only when enabled, and only through an Io", () => {
  const off = styles(false);
  for (const f of [off.red, off.yellow, off.green, off.dim, off.bold]) assert.equal(f("x"), "x");
  const on = styles(true);
  const c = capture();
  c.io.err(`${on.green("ok")} ${on.bold("b")}\n`);
  assert.equal(c.err(), "\x1b[32mok\x1b[39m \x1b[1mb\x1b[22m\n");
  c.io.out(`${on.red("x")}\n`);
  assert.equal(c.out(), "x\n", "no colour on a stream without it");
});

Deno.test("guardedOutput: escape sequences from outside never pass, even looking like ours", () => {
  const c = capture();
  const hostile = "\x1b[31mred\x1b]0;title\x07\x1b[2J\x9b2J\u0007\r" + "\u{F8FF}31m";
  c.io.err(`${styles(true).red(hostile)}\n`);
  assert.equal(c.err(), "\x1b[31mred\u{F8FF}31m\x1b[39m\n");
  c.io.out(`${hostile}\n`);
  assert.equal(c.out(), "red\u{F8FF}31m\n");
});

Deno.test("guardedOutput: secrets are redacted on stderr, stdout and in JSON; outKey is exempt", () => {
  const key = "api_0123456789abcdef0123456789abcdef";
  const c = capture();
  c.io.addSecret(key);
  // A run split by our own colour codes, or by an escape sequence, is still one run.
  const on = styles(true);
  c.io.err(`${on.red(key.slice(0, 10))}\x1b[0m${key.slice(10, 35)}\n`);
  assert.equal(c.err(), "\x1b[31m[redacted]\x1b[39m\n");
  c.io.json({ error: `bad key ${key.toUpperCase().slice(1)}`, [key]: 1 });
  assert.equal(c.out(), '{\n  "error": "bad key [redacted]",\n  "[redacted]": 1\n}\n');
  c.io.outKey(key);
  assert.ok(c.out().endsWith(`${key}\n`));
});

Deno.test("guardedOutput: long lines and many lines are capped", () => {
  const c = capture();
  c.io.err(`${"x".repeat(MAX_LINE_LENGTH * 3)}\n`);
  assert.equal(c.err(), `${"x".repeat(MAX_LINE_LENGTH)}…\n`);
  const d = capture();
  d.io.err("y\n".repeat(MAX_LINES * 2));
  assert.equal(d.err(), `${"y\n".repeat(MAX_LINES)}…\n`);
});

Deno.test("guardedOutput: text just within the caps passes whole, just past them is cut", () => {
  const line = "z".repeat(MAX_LINE_LENGTH);
  for (
    const [input, expected] of <[string, string][]> [
      [`${line}\n`, `${line}\n`],
      [`${line}z\n`, `${line}…\n`],
      ["w\n".repeat(MAX_LINES - 1), "w\n".repeat(MAX_LINES - 1)],
      ["w\n".repeat(MAX_LINES), `${"w\n".repeat(MAX_LINES)}…\n`],
      ["😀".repeat(MAX_LINE_LENGTH / 2 + 1), "😀".repeat(MAX_LINE_LENGTH / 2 + 1)],
    ]
  ) {
    const c = capture();
    c.io.err(input);
    assert.equal(c.err(), expected, `${input.length} characters`);
  }
});

Deno.test("PROMPTS_SPECIFIER: deno.json's import map target, and what deno compile embeds", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(PROMPTS_SPECIFIER, config.imports["@inquirer/prompts"]);
  assert.ok(
    config.tasks.compile.includes(`--include ${PROMPTS_SPECIFIER} `),
    "deno compile cannot see the hidden import: the task must include it",
  );
});

Deno.test("inquirerPrompter: loads the prompts at the first question, on stderr; Ctrl-C interrupts", async () => {
  let loads = 0;
  const asked: unknown[][] = [];
  const exit = Object.assign(new Error("User force closed the prompt"), {
    name: "ExitPromptError",
  });
  const prompts = {
    confirm: (config: unknown, context: unknown) => {
      asked.push([config, context]);
      return Promise.resolve(true);
    },
    password: () => Promise.reject(exit),
  };
  const prompter = inquirerPrompter(() => {
    loads++;
    return Promise.resolve(prompts);
  });
  assert.equal(loads, 0, "nothing is loaded before a question");
  assert.equal(await prompter.confirm("Delete it?"), true);
  assert.equal(loads, 1);
  assert.deepEqual(asked[0]?.[0], { message: "Delete it?", default: false });
  assert.equal((asked[0]?.[1] as { output: unknown }).output, nodeProcess.stderr);
  const error = await prompter.password("API key").catch((e: unknown) => e);
  assert.ok(error instanceof InterruptedError, String(error));
  assert.equal(error.cause, exit);
});
