/**
 * The one parser: a command line against the command table, with no imports that cost start-up.
 * It finds the command (or the help screen, or the version), reads its flags, and rejects
 * anything else with a {@linkcode UsageError} that suggests the nearest word.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { printableArgument } from "../printable_argument.ts";
import {
  type Command,
  type FlagSpec,
  type FlagSpecs,
  type GroupSpec,
  isGroup,
  longFlag,
  type ParsedFlags,
} from "./command.ts";

/** A command line, understood. */
export type Parsed =
  | {
    /** Show the help of the last entry of `path`. */
    kind: "help";
    /** The groups and command from the program down, e.g. `[program, auth, status]`. */
    path: readonly (GroupSpec | Command)[];
  }
  | {
    /** Print the version. */
    kind: "version";
  }
  | {
    /** Run a command. */
    kind: "run";
    /** The groups and command from the program down. */
    path: readonly (GroupSpec | Command)[];
    /** The command. */
    command: Command;
    /** Its flags: booleans are always present, values when given. */
    flags: ParsedFlags;
    /** Its positional argument, if it declares one. */
    argument: string | undefined;
  };

const HELP = new Set(["-h", "--help"]);
const VERSION = new Set(["-v", "--version"]);

/**
 * The optimal string alignment distance: insertions, deletions, substitutions and swaps of
 * neighbours each count 1.
 */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidates nearest to a mistyped word: at most 2 edits away, and sharing most of it.
 *
 * @example
 * ```ts
 * import { suggest } from "./parse.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(suggest("staus", ["status", "key", "logout"]), ["status"]);
 * assert.deepEqual(suggest("frob", ["auth", "help"]), []);
 * ```
 *
 * @param word What was typed.
 * @param candidates The words it may have meant.
 * @returns The nearest candidates (ties included), or none.
 */
export function suggest(word: string, candidates: readonly string[]): string[] {
  let best = 3;
  let found: string[] = [];
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d > 2 || (candidate.length - d) / candidate.length <= 0.4) continue;
    if (d < best) [best, found] = [d, [candidate]];
    else if (d === best) found.push(candidate);
  }
  return found;
}

function didYouMean(word: string, candidates: readonly string[]): string[] {
  const near = suggest(word, candidates);
  return near.length > 0 ? [`Did you mean ${near.join(" or ")}?`] : [];
}

/** Every word that names an entry of a group, with the entry. */
function names(group: GroupSpec): Map<string, GroupSpec | Command> {
  const map = new Map<string, GroupSpec | Command>();
  for (const entry of group.commands) {
    map.set(entry.name, entry);
    if (!isGroup(entry)) { for (const alias of entry.aliases ?? []) map.set(alias, entry); }
  }
  return map;
}

function commandLine(path: readonly (GroupSpec | Command)[]): string {
  return path.map((p) => p.name).join(" ");
}

function unknownCommand(word: string, path: readonly (GroupSpec | Command)[]): UsageError {
  const group = path.at(-1) as GroupSpec;
  const words = [...names(group).keys(), "help"];
  return new UsageError(`unknown command '${printableArgument(word)}'`, {
    hints: [
      ...didYouMean(word, words),
      `Run: ${commandLine(path)} --help`,
    ],
  });
}

function unknownOption(
  arg: string,
  known: readonly string[],
  path: readonly (GroupSpec | Command)[],
): UsageError {
  const name = arg.split("=", 1)[0]!;
  return new UsageError(`unknown option '${printableArgument(arg)}'`, {
    hints: [
      ...didYouMean(name, known),
      `Run: ${commandLine(path)} --help`,
    ],
  });
}

/** Follows `words` down from `group` for `help <words>`. */
function helpPath(
  words: readonly string[],
  path: (GroupSpec | Command)[],
): (GroupSpec | Command)[] {
  for (const word of words) {
    if (HELP.has(word)) break;
    const here = path.at(-1)!;
    if (!isGroup(here)) {
      throw new UsageError(`'${commandLine(path)}' has no command '${printableArgument(word)}'`);
    }
    const next = names(here).get(word);
    if (!next) throw unknownCommand(word, path);
    path.push(next);
  }
  return path;
}

function flagSpellings(flags: FlagSpecs): string[] {
  return [
    ...Object.keys(flags).map(longFlag),
    ...Object.values(flags).flatMap((f) => f.short ? [`-${f.short}`] : []),
    "--help",
  ];
}

/** Reads a command's flags and positional arguments from `args`. */
function parseCommand(
  command: Command,
  args: readonly string[],
  path: readonly (GroupSpec | Command)[],
): Parsed {
  const byLong = new Map<string, [string, FlagSpec]>();
  const byShort = new Map<string, [string, FlagSpec]>();
  const flags: ParsedFlags = {};
  for (const [key, spec] of Object.entries(command.flags)) {
    byLong.set(longFlag(key), [key, spec]);
    if (spec.short) byShort.set(spec.short, [key, spec]);
    if (spec.value === undefined) flags[key] = false;
  }
  const positionals: string[] = [];
  let help = false;
  // The first error is kept, not thrown at once: `--help` anywhere still shows help.
  let error: UsageError | undefined;
  const fail = (e: UsageError) => void (error ??= e);
  const missing = (flag: string, spec: FlagSpec) =>
    fail(new UsageError(`option '${flag} <${spec.value}>' argument missing`));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (HELP.has(arg)) {
      help = true;
    } else if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg : arg.slice(0, eq);
      const found = byLong.get(name);
      if (!found) {
        fail(unknownOption(arg, flagSpellings(command.flags), path));
      } else if (found[1].value === undefined) {
        if (eq < 0) flags[found[0]] = true;
        else fail(new UsageError(`option '${name}' takes no value`));
      } else if (eq >= 0) {
        flags[found[0]] = arg.slice(eq + 1);
      } else if (i + 1 < args.length) {
        flags[found[0]] = args[++i]!;
      } else {
        missing(name, found[1]);
      }
    } else if (arg.startsWith("-") && arg !== "-") {
      // Short flags, possibly bundled (`-fx`); a short flag with a value takes the rest.
      for (let j = 1; j < arg.length; j++) {
        const found = byShort.get(arg[j]!);
        if (!found) {
          fail(unknownOption(`-${arg[j]}`, flagSpellings(command.flags), path));
          break;
        }
        if (found[1].value === undefined) {
          flags[found[0]] = true;
          continue;
        }
        if (j + 1 < arg.length) flags[found[0]] = arg.slice(j + 1);
        else if (i + 1 < args.length) flags[found[0]] = args[++i]!;
        else missing(`-${arg[j]}`, found[1]);
        break;
      }
    } else {
      positionals.push(arg);
    }
  }
  if (help) return { kind: "help", path };
  if (error) throw error;
  const spec = command.argument;
  const expected = spec ? 1 : 0;
  if (positionals.length > expected) {
    const extra = positionals[expected]!;
    throw new UsageError(
      `unexpected argument '${printableArgument(extra)}' for '${commandLine(path)}'`,
      { hints: [`Run: ${commandLine(path)} --help`] },
    );
  }
  const argument = positionals[0] ?? spec?.default;
  if (spec && argument === undefined) {
    throw new UsageError(
      `'${commandLine(path)}' needs its ${spec.name}: one of ${spec.choices.join(", ")}`,
    );
  }
  if (spec && argument !== undefined && !spec.choices.includes(argument)) {
    throw new UsageError(
      `unknown ${spec.name} '${printableArgument(argument)}': expected one of ${
        spec.choices.join(", ")
      }`,
      { hints: didYouMean(argument, spec.choices) },
    );
  }
  return { kind: "run", path, command, flags, argument };
}

/**
 * Parses a command line against the table.
 *
 * @example
 * ```ts
 * import { parseLine } from "./parse.ts";
 * import { PROGRAM } from "./commands.ts";
 * import assert from "node:assert/strict";
 * const parsed = parseLine(["auth", "key", "-f"], PROGRAM);
 * assert.equal(parsed.kind, "run");
 * assert.deepEqual(parsed.kind === "run" && parsed.flags, { force: true, json: false });
 * assert.equal(parseLine(["help", "auth", "status"], PROGRAM).kind, "help");
 * assert.throws(() => parseLine(["auth", "staus"], PROGRAM), /unknown command 'staus'/);
 * ```
 *
 * @param args The arguments after the program name.
 * @param program The command table.
 * @returns The command to run, or the help or version to print.
 * @throws {UsageError} For an unknown command, flag or argument, or a missing value.
 */
export function parseLine(args: readonly string[], program: GroupSpec): Parsed {
  const path: (GroupSpec | Command)[] = [program];
  for (let i = 0;; i++) {
    const group = path.at(-1) as GroupSpec;
    const arg = args[i];
    if (arg === undefined || HELP.has(arg)) return { kind: "help", path };
    if (group === program && VERSION.has(arg)) return { kind: "version" };
    if (arg === "help") return { kind: "help", path: helpPath(args.slice(i + 1), path) };
    if (arg.startsWith("-") && arg !== "-") {
      throw unknownOption(arg, group === program ? ["--help", "--version"] : ["--help"], path);
    }
    const next = names(group).get(arg);
    if (!next) throw unknownCommand(arg, path);
    path.push(next);
    if (!isGroup(next)) return parseCommand(next, args.slice(i + 1), path);
  }
}
