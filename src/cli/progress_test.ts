import assert from "node:assert/strict";
import { InterruptedError } from "../errors.ts";
import { createMemoryCli } from "../../testing/memory_io.ts";
import { createFakeTerminal } from "../../testing/fake_terminal.ts";
import { createProgress, FRAMES } from "./progress.ts";

const LABEL = "Checking the key with the Lua platform…";

/** A promise the test settles. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

Deno.test("progress: the spinner says what it waits for, turns, and is cleared before the result", async () => {
  const cli = createMemoryCli({ progress: true });
  const terminal = cli.io.terminal!;
  const work = deferred<string>();
  const running = cli.io.progress(LABEL, () => work.promise);
  assert.deepEqual(terminal.screen(), [`${FRAMES[0]} ${LABEL}`]);
  assert.equal(terminal.cursorHidden, true);
  terminal.tick();
  assert.deepEqual(terminal.screen(), [`${FRAMES[1]} ${LABEL}`]);
  work.resolve("answer");
  assert.equal(await running, "answer");
  assert.deepEqual(terminal.screen(), [""], "the line is cleared");
  assert.equal(terminal.cursorHidden, false, "the cursor is shown again");
  assert.deepEqual(terminal.active(), { timers: 0, listeners: 0 });
  cli.io.out("Authenticated.\n");
  assert.deepEqual(terminal.screen(), ["Authenticated.", ""]);
});

Deno.test("progress: stopped on failure, cursor shown, nothing left running", async () => {
  const cli = createMemoryCli({ progress: true });
  const terminal = cli.io.terminal!;
  await assert.rejects(
    cli.io.progress(LABEL, () => Promise.reject(new Error("down"))),
    /down/,
  );
  assert.deepEqual(terminal.screen(), [""]);
  assert.equal(terminal.cursorHidden, false);
  assert.deepEqual(terminal.active(), { timers: 0, listeners: 0 });
});

Deno.test("progress: Ctrl-C while waiting is InterruptedError, the line cleared and the cursor shown", async () => {
  const cli = createMemoryCli({ progress: true });
  const terminal = cli.io.terminal!;
  const work = deferred<void>();
  const running = cli.io.progress(LABEL, () => work.promise);
  assert.equal(terminal.cursorHidden, true);
  terminal.interrupt();
  await assert.rejects(running, InterruptedError);
  assert.deepEqual(terminal.screen(), [""]);
  assert.equal(terminal.cursorHidden, false);
  assert.deepEqual(terminal.active(), { timers: 0, listeners: 0 });
  work.resolve();
});

Deno.test("progress: a message written meanwhile starts on a clean line", async () => {
  const cli = createMemoryCli({ progress: true });
  const terminal = cli.io.terminal!;
  const work = deferred<void>();
  const running = cli.io.progress(LABEL, () => work.promise);
  cli.io.err("Warning: something\n");
  assert.deepEqual(terminal.screen(), ["Warning: something", ""]);
  terminal.tick();
  assert.deepEqual(terminal.screen(), ["Warning: something", `${FRAMES[1]} ${LABEL}`]);
  work.resolve();
  await running;
  assert.deepEqual(terminal.screen(), ["Warning: something", ""]);
});

Deno.test("progress: nothing at all when stderr is not a terminal", async () => {
  const cli = createMemoryCli();
  assert.equal(await cli.io.progress(LABEL, () => Promise.resolve(7)), 7);
  assert.equal(cli.io.stderr, "");
  assert.equal(cli.io.stdout, "");
});

Deno.test("progress: never draws while a prompt is open", async () => {
  const terminal = createFakeTerminal();
  const progress = createProgress(terminal, (text) => text);
  const work = deferred<void>();
  const running = progress.run(LABEL, () => work.promise);
  const question = deferred<boolean>();
  const asking = progress.hold(() => question.promise);
  assert.deepEqual(terminal.screen(), [""], "cleared for the prompt");
  const before = terminal.written.length;
  terminal.tick();
  terminal.tick();
  assert.equal(terminal.written.length, before, "no frame while the prompt is open");
  question.resolve(true);
  assert.equal(await asking, true);
  terminal.tick();
  assert.match(terminal.screen()[0]!, /Checking the key/);
  work.resolve();
  await running;
  assert.equal(terminal.cursorHidden, false);
});

Deno.test("progress: the label passes the output guard and fits the terminal's width", async () => {
  const cli = createMemoryCli({ progress: true });
  const secret = "api_0123456789abcdef0123456789abcdef";
  cli.io.addSecret(secret);
  const work = deferred<void>();
  const running = cli.io.progress(
    `Checking ${secret}\x1b]0;pwned\x07\n${"x".repeat(200)}`,
    () => work.promise,
  );
  const line = cli.io.terminal!.screen()[0]!;
  assert.ok(!line.includes("0123456789"), line);
  assert.match(line, /\[redacted\]/);
  assert.ok(!cli.io.stderr.includes("pwned"), "no escape sequence from the label");
  assert.ok([...line].length < 80, "cut to the width, so that one \\r clears it");
  // The only escape codes written are the spinner's own: cursor and erase line.
  // deno-lint-ignore no-control-regex
  const codes = cli.io.stderr.match(/\x1b\[[?\d;]*[a-zA-Z]/g) ?? [];
  assert.ok(codes.every((c) => ["\x1b[?25l", "\x1b[?25h", "\x1b[2K"].includes(c)), codes.join());
  work.resolve();
  await running;
});

Deno.test("progress: prompts hold the spinner (the Io's prompter is wrapped)", async () => {
  const cli = createMemoryCli({ progress: true, terminal: true, answers: [true] });
  const terminal = cli.io.terminal!;
  const work = deferred<void>();
  const running = cli.io.progress(LABEL, () => work.promise);
  const answer = await cli.io.prompt.confirm("Sure?");
  assert.equal(answer, true);
  work.resolve();
  await running;
  assert.equal(terminal.cursorHidden, false);
});
