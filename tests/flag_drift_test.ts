/**
 * Flag drift, across the whole command table (every group and command, not only `auth`): a
 * command's help lists exactly the flags it declares, and the parser accepts exactly those, no
 * other long flag of the table and no other letter. `src/cli/parse_test.ts` already checks that
 * every declared flag of every command parses, and `help_test.ts` that every flag of an `auth`
 * command is in its help; these are the checks that were missing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { UsageError } from "../src/errors.ts";
import { type Command, type GroupSpec, isGroup, longFlag } from "../src/cli/command.ts";
import { PROGRAM } from "../src/cli/commands.ts";
import { renderHelp } from "../src/cli/help.ts";
import { parseLine } from "../src/cli/parse.ts";

type Entry = GroupSpec | Command;

/** Every entry of the table with the path that reaches it, the program itself first. */
function entries(group: GroupSpec, path: readonly Entry[] = [group]): Entry[][] {
  return [
    [...path],
    ...group.commands.flatMap((e) => isGroup(e) ? entries(e, [...path, e]) : [[...path, e]]),
  ];
}

const ALL = entries(PROGRAM);
/** Every command that runs, with the path that reaches it (the command last). */
const COMMANDS: { path: Entry[]; command: Command }[] = ALL.flatMap((path) => {
  const last = path.at(-1)!;
  return isGroup(last) ? [] : [{ path, command: last }];
});

/** Each declared flag as help spells it: `-f, --force`, `--api-key <key>`. */
function spelled(command: Command): string[] {
  return Object.entries(command.flags).map(([key, flag]) => {
    const long = longFlag(key) + (flag.value ? ` <${flag.value}>` : "");
    return flag.short ? `-${flag.short}, ${long}` : long;
  });
}

/** The flags a help text lists under `Options:`, as spelled there. */
function listedOptions(help: string): string[] {
  const section = help.split("\nOptions:\n")[1];
  assert.ok(section !== undefined, `no Options section in:\n${help}`);
  const lines = section.split("\n\n")[0]!.split("\n");
  return lines
    .filter((line) => /^ {2}-/.test(line))
    .map((line) => line.trim().split(/ {2,}/)[0]!);
}

function words(path: readonly Entry[]): string[] {
  return path.slice(1).map((e) => e.name);
}

function rejected(args: string[]): boolean {
  try {
    parseLine(args, PROGRAM);
    return false;
  } catch (error) {
    assert.ok(error instanceof UsageError, `${args.join(" ")}: ${error}`);
    assert.match(error.message, /unknown option/, args.join(" "));
    return true;
  }
}

/** Every long flag declared anywhere in the table, and a few no command declares. */
const LONG_FLAGS = [
  ...new Set([
    ...COMMANDS.flatMap(({ command }) => Object.keys(command.flags).map(longFlag)),
    "--yes",
    "--verbose",
    "--debug",
    "--token",
    "--no-force",
  ]),
];

Deno.test("flag drift: every command's help lists exactly its declared flags and --help", () => {
  assert.ok(COMMANDS.length >= 5, "the table has its commands");
  for (const { path, command } of COMMANDS) {
    const listed = listedOptions(renderHelp(path));
    assert.deepEqual(
      listed.toSorted(),
      [...spelled(command), "-h, --help"].toSorted(),
      words(path).join(" "),
    );
  }
});

Deno.test("flag drift: no long flag parses where it is not declared", () => {
  for (const path of ALL) {
    const entry = path.at(-1)!;
    const declared = isGroup(entry) ? [] : Object.keys(entry.flags).map(longFlag);
    const positional = !isGroup(entry) && entry.argument ? [entry.argument.choices[0]!] : [];
    for (const flag of LONG_FLAGS.filter((f) => !declared.includes(f))) {
      const args = [...words(path), ...positional, flag];
      assert.ok(rejected(args), `${args.join(" ")} parsed`);
    }
  }
});

Deno.test("flag drift: no short flag parses but the declared ones and -h", () => {
  const letters = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"];
  for (const { path, command } of COMMANDS) {
    const declared = Object.values(command.flags).flatMap((f) => f.short ? [f.short] : []);
    const positional = command.argument ? [command.argument.choices[0]!] : [];
    for (const letter of letters.filter((l) => l !== "h" && !declared.includes(l))) {
      const args = [...words(path), ...positional, `-${letter}`];
      assert.ok(rejected(args), `${args.join(" ")} parsed`);
    }
  }
});
