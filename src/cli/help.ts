/**
 * Help screens, rendered from the command table: the program's, a group's and a command's.
 *
 * @module
 */

import { type Command, type Example, type GroupSpec, isGroup, longFlag } from "./command.ts";

const WIDTH = 80;

/** Lays out `[left, text]` rows in two columns, wrapping the text under itself. */
function table(rows: readonly (readonly [string, string])[]): string[] {
  const left = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines: string[] = [];
  for (const [l, text] of rows) {
    const words = text.split(" ");
    let line = `  ${l.padEnd(left)}`;
    let empty = true;
    for (const word of words) {
      if (!empty && line.length + 1 + word.length > WIDTH) {
        lines.push(line);
        line = " ".repeat(left + 2);
        empty = true;
      }
      line += empty ? word : ` ${word}`;
      empty = false;
    }
    lines.push(line);
  }
  return lines;
}

function examples(list: readonly Example[] | undefined): string[] {
  if (!list || list.length === 0) return [];
  const width = Math.max(...list.map(([line]) => line.length));
  return [
    "",
    "Examples:",
    ...list.map(([line, comment]) =>
      comment === undefined ? `  $ ${line}` : `  $ ${line.padEnd(width)}   # ${comment}`
    ),
  ];
}

function entryName(entry: GroupSpec | Command): string {
  return isGroup(entry) ? entry.name : [entry.name, ...(entry.aliases ?? [])].join(", ");
}

function groupHelp(path: readonly (GroupSpec | Command)[], group: GroupSpec): string[] {
  const options: [string, string][] = [];
  if (path.length === 1) options.push(["-v, --version", "Print the version."]);
  options.push(["-h, --help", "Show help."]);
  const commands: [string, string][] = group.commands.map((e) => [entryName(e), e.summary]);
  commands.push(["help [command]", "Show help for a command."]);
  const [optionRows, commandRows] = [table(options), table(commands)];
  return [
    `Usage: ${path.map((p) => p.name).join(" ")} <command> [options]`,
    "",
    group.summary,
    "",
    "Options:",
    ...optionRows,
    "",
    "Commands:",
    ...commandRows,
    ...(group.notes ? ["", group.notes] : []),
    ...examples(group.examples),
  ];
}

function commandHelp(path: readonly (GroupSpec | Command)[], command: Command): string[] {
  const line = path.map((p) => p.name).join(" ");
  const spec = command.argument;
  const choices = spec?.choices.join("|");
  const argument = !spec ? "" : spec.default === undefined ? ` <${choices}>` : ` [${choices}]`;
  const rows: [string, string][] = Object.entries(command.flags).map(([key, flag]) => {
    const long = longFlag(key) + (flag.value === undefined ? "" : ` <${flag.value}>`);
    return [flag.short ? `-${flag.short}, ${long}` : long, flag.help];
  });
  rows.push(["-h, --help", "Show help."]);
  const aliases = command.aliases ?? [];
  const parent = path.slice(0, -1).map((p) => p.name).join(" ");
  return [
    `Usage: ${line}${argument} [options]`,
    "",
    command.summary,
    ...(aliases.length > 0
      ? ["", `Aliases: ${aliases.map((alias) => `${parent} ${alias}`).join(", ")}`]
      : []),
    "",
    "Options:",
    ...table(rows),
    ...examples(command.examples),
  ];
}

/**
 * The help screen of the last entry of `path`: the program, a group or a command.
 *
 * @example
 * ```ts
 * import { renderHelp } from "./help.ts";
 * import { PROGRAM } from "./commands.ts";
 * import assert from "node:assert/strict";
 * const auth = PROGRAM.commands.find((c) => c.name === "auth")!;
 * assert.match(renderHelp([PROGRAM, auth]), /^Usage: lua auth <command> \[options\]\n/);
 * ```
 *
 * @param path The groups and command from the program down.
 * @returns The text, ending with a newline.
 */
export function renderHelp(path: readonly (GroupSpec | Command)[]): string {
  const last = path.at(-1)!;
  const lines = isGroup(last) ? groupHelp(path, last) : commandHelp(path, last);
  return `${lines.join("\n")}\n`;
}
