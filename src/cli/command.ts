/**
 * The shape of a command declaration. Each command module exports its declaration beside its run
 * function; `commands.ts` gathers them into the one table that parsing (`parse.ts`), help
 * (`help.ts`) and shell completion (`completion.ts`) read.
 *
 * @module
 */

import type { CliContext } from "./cli_context.ts";

/** One flag of a command. Its long form is the key it is declared under, in kebab case. */
export interface FlagSpec {
  /** The one-letter short form, without the dash (`f` for `-f`). */
  readonly short?: string;
  /** The name of its value in help (`key` for `--api-key <key>`); absent for a boolean flag. */
  readonly value?: string;
  /** One sentence of help. */
  readonly help: string;
}

/** The flags of a command, by their camelCase name (`apiKey` is `--api-key`). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** What the parser gives a run: `true`/`false` for a boolean flag, the string when a value was given. */
export type FlagValues<F extends FlagSpecs> =
  & { -readonly [K in keyof F as F[K] extends { value: string } ? never : K]: boolean }
  & { -readonly [K in keyof F as F[K] extends { value: string } ? K : never]?: string };

/** An example in help: the command line, and what it does. */
export type Example = readonly [line: string, comment?: string];

/** The one positional argument a command may take, from a fixed set of words. */
export interface ArgumentSpec {
  /** Its name in help. */
  readonly name: string;
  /** The words it accepts. */
  readonly choices: readonly string[];
  /** The word used when none is given; without it, the argument is required. */
  readonly default?: string;
}

/** What a run gets besides its flags. */
export interface Invocation {
  /** The positional argument, when the command declares one. */
  readonly argument: string | undefined;
  /** The whole command table (for `completion`). */
  readonly program: GroupSpec;
}

/** A command that runs. */
export interface CommandSpec<F extends FlagSpecs = FlagSpecs> {
  /** The word that names it. */
  readonly name: string;
  /** Other words that run it, listed in help. */
  readonly aliases?: readonly string[];
  /** One sentence for command lists and the top of its help. */
  readonly summary: string;
  /** Its flags (`--help` is always there). */
  readonly flags: F;
  /** Its positional argument, if it takes one. */
  readonly argument?: ArgumentSpec;
  /** Examples shown in its help. */
  readonly examples?: readonly Example[];
  /** The mode telemetry records (`configure`'s way of storing a key); may throw a usage error. */
  readonly mode?: (flags: FlagValues<F>) => string;
  /** Runs it. Failures are thrown; the runner decides the exit code. */
  run(flags: FlagValues<F>, cli: CliContext, invocation: Invocation): Promise<void>;
}

/** A group of commands, such as `auth`, or the program itself. */
export interface GroupSpec {
  /** The word that names it (the program's is replaced by the name it was invoked as). */
  readonly name: string;
  /** One sentence for command lists and the top of its help. */
  readonly summary: string;
  /** Its commands and groups, in the order help lists them. */
  readonly commands: readonly (Command | GroupSpec)[];
  /** Text shown after the command list, already laid out. */
  readonly notes?: string;
  /** Examples shown in its help. */
  readonly examples?: readonly Example[];
}

/** Flags as the parser finds them: `true`/`false` for a boolean flag, a string for a value. */
export type ParsedFlags = Record<string, string | boolean>;

/** A command declaration with its flag types erased, as the table holds it. */
export interface Command extends Omit<CommandSpec, "mode" | "run"> {
  /** The mode telemetry records; may throw a usage error. */
  readonly mode?: (flags: ParsedFlags) => string;
  /** Runs it. */
  run(flags: ParsedFlags, cli: CliContext, invocation: Invocation): Promise<void>;
}

/**
 * Declares a command, checking its run function against its flags, and erases the flag types
 * for the table.
 *
 * @example
 * ```ts
 * import { defineCommand } from "./command.ts";
 * import assert from "node:assert/strict";
 * const hello = defineCommand({
 *   name: "hello",
 *   summary: "Say hello.",
 *   flags: { loud: { short: "l", help: "Shout." }, to: { value: "name", help: "Whom to greet." } },
 *   run: (flags) => {
 *     const loud: boolean = flags.loud;
 *     const to: string | undefined = flags.to;
 *     return Promise.resolve(void [loud, to]);
 *   },
 * });
 * assert.equal(hello.name, "hello");
 * ```
 *
 * @param spec The declaration.
 * @returns The same declaration, as the table holds it.
 */
export function defineCommand<const F extends FlagSpecs>(spec: CommandSpec<F>): Command {
  return spec as unknown as Command;
}

/**
 * Whether a table entry is a group.
 *
 * @param spec A table entry.
 * @returns True for a group of commands.
 */
export function isGroup(spec: Command | GroupSpec): spec is GroupSpec {
  return "commands" in spec;
}

/**
 * The long form of a flag declared as `name`.
 *
 * @example
 * ```ts
 * import { longFlag } from "./command.ts";
 * import assert from "node:assert/strict";
 * assert.equal(longFlag("apiKey"), "--api-key");
 * ```
 *
 * @param name The camelCase name.
 * @returns `--kebab-case`.
 */
export function longFlag(name: string): string {
  // A loop, not a replace() with a callback: this runs for every flag of a command line.
  let flag = "--";
  for (const c of name) flag += c >= "A" && c <= "Z" ? `-${c.toLowerCase()}` : c;
  return flag;
}
