import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { type Command, type GroupSpec, isGroup, longFlag } from "./command.ts";
import { AUTH, PROGRAM } from "./commands.ts";
import { type Parsed, parseLine, suggest } from "./parse.ts";

const KEY = "api_0123456789abcdef0123456789abcdef";

function run(args: string[]): { path: string; flags: unknown; argument?: string } {
  const parsed = parseLine(args, PROGRAM);
  assert.equal(parsed.kind, "run", args.join(" "));
  const { path, flags, argument } = parsed as Extract<Parsed, { kind: "run" }>;
  return {
    path: path.map((p) => p.name).join(" "),
    flags,
    ...(argument === undefined ? {} : { argument }),
  };
}

function helpOf(args: string[]): string {
  const parsed = parseLine(args, PROGRAM);
  assert.equal(parsed.kind, "help", args.join(" "));
  return parsed.kind === "help" ? parsed.path.map((p) => p.name).join(" ") : "";
}

function usage(args: string[], message: RegExp, hint?: RegExp): UsageError {
  let caught: unknown;
  try {
    parseLine(args, PROGRAM);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof UsageError, `${args.join(" ")}: ${caught}`);
  assert.match(caught.message, message);
  if (hint) assert.ok(caught.hints.some((h) => hint.test(h)), caught.hints.join("\n"));
  return caught;
}

function commands(group: GroupSpec): [string[], Command][] {
  return group.commands.flatMap((e): [string[], Command][] =>
    isGroup(e) ? commands(e).map(([p, c]) => [[e.name, ...p], c]) : [[[e.name], e]]
  );
}

Deno.test("parseLine: the everyday forms", () => {
  assert.deepEqual(run(["auth", "key"]), {
    path: "lua auth key",
    flags: { force: false, json: false },
  });
  assert.deepEqual(run(["auth", "key", "-f"]), {
    path: "lua auth key",
    flags: { force: true, json: false },
  });
  assert.deepEqual(run(["auth", "status", "--offline", "--json"]), {
    path: "lua auth status",
    flags: { json: true, offline: true },
  });
  assert.deepEqual(run(["auth", "logout", "--force"]).flags, { force: true, json: false });
  const j = { json: false };
  assert.deepEqual(run(["auth", "configure", "--api-key", KEY]).flags, { ...j, apiKey: KEY });
  assert.deepEqual(run(["auth", "configure", "--api-key", "-"]).flags, { ...j, apiKey: "-" });
  assert.deepEqual(run(["auth", "configure", `--api-key=${KEY}`]).flags, { ...j, apiKey: KEY });
  assert.deepEqual(run(["auth", "configure", "--api-key="]).flags, { ...j, apiKey: "" });
  assert.deepEqual(run(["auth", "configure", "--email", "a@b.co", "--otp", "123456"]).flags, {
    ...j,
    email: "a@b.co",
    otp: "123456",
  });
  assert.deepEqual(run(["auth", "configure", "--email", "a@b.co", "--json"]).flags, {
    json: true,
    email: "a@b.co",
  });
  assert.deepEqual(run(["auth", "configure"]).flags, j);
  assert.deepEqual(run(["completion", "bash"]), {
    path: "lua completion",
    flags: {},
    argument: "bash",
  });
});

Deno.test("parseLine: a value is the next argument whatever it looks like; the last one wins", () => {
  assert.deepEqual(run(["auth", "configure", "--email", "--otp"]).flags, {
    json: false,
    email: "--otp",
  });
  assert.deepEqual(run(["auth", "configure", "--email", "a@b.co", "--email", "c@d.co"]).flags, {
    json: false,
    email: "c@d.co",
  });
});

Deno.test("parseLine: aliases run their command", () => {
  assert.equal(run(["auth", "login", "--email", "a@b.co"]).path, "lua auth configure");
  assert.equal(run(["auth", "whoami", "--json"]).path, "lua auth status");
  assert.equal(run(["auth", "token"]).path, "lua auth token");
});

Deno.test("parseLine: every declared flag parses, long and short (one table, no drift)", () => {
  for (const [path, command] of commands(PROGRAM)) {
    const positional = command.argument ? [command.argument.choices[0]!] : [];
    for (const [key, flag] of Object.entries(command.flags)) {
      const forms = [longFlag(key), ...(flag.short ? [`-${flag.short}`] : [])];
      for (const form of forms) {
        const args = [...path, ...positional, form, ...(flag.value ? ["v"] : [])];
        const parsed = parseLine(args, PROGRAM);
        assert.equal(parsed.kind, "run", args.join(" "));
        if (parsed.kind === "run") assert.equal(parsed.flags[key], flag.value ? "v" : true);
      }
    }
  }
});

Deno.test("parseLine: help, from every place it can be asked", () => {
  for (const args of [[], ["--help"], ["-h"], ["help"], ["--help", "auth"]]) {
    assert.equal(helpOf(args), "lua", args.join(" "));
  }
  for (const args of [["auth"], ["auth", "-h"], ["auth", "help"], ["help", "auth"]]) {
    assert.equal(helpOf(args), "lua auth", args.join(" "));
  }
  for (
    const args of [
      ["help", "auth", "status"],
      ["auth", "help", "status"],
      ["auth", "status", "--help"],
      ["auth", "status", "--json", "-h"],
      ["help", "auth", "whoami"],
      // --help wins over other mistakes on the same line, as it did with commander.
      ["auth", "status", "--bogus", "--help"],
      ["auth", "status", "extra", "--help"],
    ]
  ) {
    assert.equal(helpOf(args), "lua auth status", args.join(" "));
  }
  assert.equal(helpOf(["help", "completion"]), "lua completion");
  assert.equal(helpOf(["help", "--help"]), "lua");
  assert.equal(helpOf(["help", "auth", "-h"]), "lua auth");
  // After `--`, --help is an argument.
  usage(["auth", "key", "--", "--help"], /unexpected argument '--help'/);
  usage(["help", "frob"], /unknown command 'frob'/);
  usage(["help", "auth", "staus"], /unknown command 'staus'/, /Did you mean status\?/);
  usage(["help", "auth", "status", "x"], /has no command 'x'/);
});

Deno.test("parseLine: --version and -v only at the top", () => {
  assert.equal(parseLine(["--version"], PROGRAM).kind, "version");
  assert.equal(parseLine(["-v"], PROGRAM).kind, "version");
  usage(["auth", "--version"], /unknown option '--version'/);
  usage(["auth", "key", "-v"], /unknown option '-v'/);
});

Deno.test("parseLine: unknown commands, with the nearest word", () => {
  usage(["auth", "staus"], /^unknown command 'staus'$/, /^Did you mean status\?$/);
  usage(["auth", "stauts"], /unknown command 'stauts'/, /Did you mean status\?/);
  usage(["auth", "configur"], /unknown command 'configur'/, /Did you mean configure\?/);
  usage(["auth", "loign"], /unknown command 'loign'/, /Did you mean login\?/);
  usage(["auth", "whoam"], /unknown command/, /Did you mean whoami\?/);
  usage(["frob"], /unknown command 'frob'/, /^Run: lua --help$/);
  usage(["auht", "status"], /unknown command 'auht'/, /Did you mean auth\?/);
  const error = usage(["frob"], /frob/);
  assert.ok(!error.hints.some((h) => h.includes("Did you mean")));
});

Deno.test("parseLine: unknown options and arguments, with the nearest flag", () => {
  usage(["--frce"], /^unknown option '--frce'$/);
  usage(["auth", "--bogus"], /unknown option '--bogus'/);
  usage(["auth", "key", "--forc"], /unknown option '--forc'/, /Did you mean --force\?/);
  usage(["auth", "key", "-fx"], /unknown option '-x'/);
  usage(["auth", "status", "--jsn"], /unknown option/, /Did you mean --json\?/);
  usage(["auth", "configure", "--apikey=x"], /^unknown option '--apikey=…'$/, /--api-key\?/);
  usage(["auth", "status", "--json=1"], /option '--json' takes no value/);
  usage(["auth", "key", "extra"], /unexpected argument 'extra' for 'lua auth key'/);
  usage(["auth", "configure", "--api-key"], /option '--api-key <key>' argument missing/);
  usage(["auth", "configure", "--email", "a@b.co", "--otp"], /'--otp <code>' argument missing/);
  usage(["completion"], /needs its shell: one of bash, zsh, fish/);
  usage(["completion", "bsah"], /unknown shell 'bsah'/, /Did you mean bash\?/);
  usage(["completion", "bash", "zsh"], /unexpected argument 'zsh'/);
});

Deno.test("parseLine: a key typed in the wrong place is never echoed", () => {
  for (
    const args of [
      [KEY],
      ["auth", KEY],
      ["auth", "key", KEY],
      ["auth", "configure", KEY],
      ["auth", "configure", `--apikey=${KEY}`],
      ["auth", "status", `--json=${KEY}`],
      ["auth", "configure", `--${KEY}`],
      ["auth", "configure", `-${KEY}`],
      ["help", "auth", KEY],
      ["completion", KEY],
    ]
  ) {
    const error = usage(args, /./);
    const text = [error.message, ...error.hints].join("\n");
    assert.ok(!text.includes("0123456789abcdef"), `${args.join(" ")}: ${text}`);
  }
});

Deno.test("suggest", () => {
  assert.deepEqual(suggest("staus", ["configure", "key", "logout", "status", "token"]), [
    "status",
  ]);
  assert.deepEqual(suggest("ky", ["key", "token"]), ["key"]);
  assert.deepEqual(suggest("xyz", ["key"]), []);
  assert.deepEqual(suggest("tcsh", ["bash", "zsh", "fish"]), ["bash", "fish"]);
});

Deno.test("parseLine: the auth group is the table's own", () => {
  const parsed = parseLine(["auth", "key"], PROGRAM);
  assert.ok(parsed.kind === "run" && parsed.path[1] === AUTH);
});
