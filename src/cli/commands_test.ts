import assert from "node:assert/strict";
import { type Command, type GroupSpec, isGroup, longFlag } from "./command.ts";
import { AUTH, PROGRAM } from "./commands.ts";

function commands(group: GroupSpec): Command[] {
  return group.commands.flatMap((e) => isGroup(e) ? commands(e) : [e]);
}

Deno.test("the table: every word of a group names one entry; help is reserved", () => {
  for (const group of [PROGRAM, AUTH]) {
    const words = group.commands.flatMap((e) => [e.name, ...(isGroup(e) ? [] : e.aliases ?? [])]);
    assert.equal(new Set(words).size, words.length, group.name);
    assert.ok(!words.includes("help"), group.name);
    for (const word of words) assert.match(word, /^[a-z][a-z-]*$/);
  }
});

Deno.test("the table: flags are unique in each command and leave -h and --help alone", () => {
  for (const command of commands(PROGRAM)) {
    const shorts = Object.values(command.flags).flatMap((f) => f.short ? [f.short] : []);
    assert.equal(new Set(shorts).size, shorts.length, command.name);
    assert.ok(!shorts.includes("h"), command.name);
    assert.ok(!Object.keys(command.flags).map(longFlag).includes("--help"), command.name);
    for (const flag of Object.values(command.flags)) assert.match(flag.help, /\.$/);
    assert.match(command.summary, /\.$/);
  }
});

Deno.test("the table: auth has configure (login), key, logout, status (whoami), token", () => {
  const byName = Object.fromEntries(
    AUTH.commands.map((c) => [c.name, isGroup(c) ? [] : c.aliases ?? []]),
  );
  assert.deepEqual(byName, {
    configure: ["login"],
    key: [],
    logout: [],
    status: ["whoami"],
    token: [],
  });
  assert.deepEqual(PROGRAM.commands.map((c) => c.name), ["auth", "completion", "telemetry"]);
});

Deno.test("the table: every example starts with or pipes into the program", () => {
  for (const entry of [PROGRAM, AUTH, ...commands(PROGRAM)]) {
    for (const [line] of entry.examples ?? []) assert.match(line, /(^|[|('] ?|\.\.\. )lua /, line);
  }
});
