import assert from "node:assert/strict";
import { type Command, type GroupSpec, isGroup, longFlag } from "./command.ts";
import { AUTH, PROGRAM } from "./commands.ts";
import { renderHelp } from "./help.ts";

function find(group: GroupSpec, name: string): Command | GroupSpec {
  const entry = group.commands.find((c) => c.name === name);
  assert.ok(entry, name);
  return entry;
}

Deno.test("renderHelp: a command's help, exactly", () => {
  assert.equal(
    renderHelp([PROGRAM, AUTH, find(AUTH, "key")]),
    `Usage: lua auth key [options]

Display the API key in use.

Options:
  -f, --force  Print the key without asking, alone on stdout.
  --json       With --force: print the key and its source as one JSON object.
  -h, --help   Show help.

Examples:
  $ lua auth key                  # asks first, then shows the key
  $ KEY=$(lua auth key --force)   # the key alone on stdout, for scripts
  $ lua auth key --force --json   # the key and its source, for agents
`,
  );
});

Deno.test("renderHelp: the program's help lists its commands, options and notes", () => {
  const text = renderHelp([PROGRAM]);
  assert.match(text, /^Usage: lua <command> \[options\]\n\nThe Lua platform CLI\.\n/);
  assert.match(text, /\n {2}-v, --version +Print the version\.\n {2}-h, --help +Show help\.\n/);
  assert.match(text, /\n {2}auth +Manage authentication with the Lua platform\.\n/);
  assert.match(text, /\n {2}completion +Print a shell completion script/);
  assert.match(text, /\n {2}help \[command\] +Show help for a command\.\n/);
  assert.match(text, /\nExit codes: 0 ok, 1 error, 2 usage, 9 authentication/);
  assert.match(text, /\nEnvironment: LUA_API_KEY/);
});

Deno.test("renderHelp: a group lists every command and alias, then its notes and examples", () => {
  const text = renderHelp([PROGRAM, AUTH]);
  assert.match(text, /^Usage: lua auth <command> \[options\]\n/);
  assert.doesNotMatch(text, /--version/);
  for (const entry of AUTH.commands) {
    const names = [entry.name, ...(isGroup(entry) ? [] : entry.aliases ?? [])].join(", ");
    assert.match(text, new RegExp(`\\n  ${names} +${entry.summary.slice(0, 12)}`), names);
  }
  assert.match(text, /Key resolution order:\n {2}1\. LUA_API_KEY environment variable\n/);
  assert.match(text, /\n {2}2\. the file LUA_API_KEY_FILE names \(a mounted secret\)\n/);
  assert.match(text, /\nExamples:\n {2}\$ lua auth configure --email you@example\.com\n/);
});

Deno.test("renderHelp: every flag of every command is in its help (one table, no drift)", () => {
  for (const entry of AUTH.commands) {
    if (isGroup(entry)) continue;
    const text = renderHelp([PROGRAM, AUTH, entry]);
    assert.match(text, new RegExp(`^Usage: lua auth ${entry.name} \\[options\\]`));
    for (const [key, flag] of Object.entries(entry.flags)) {
      const long = longFlag(key) + (flag.value ? ` <${flag.value}>` : "");
      const shown = flag.short ? `-${flag.short}, ${long}` : long;
      assert.ok(text.includes(`  ${shown}  `), `${entry.name}: ${shown}`);
      assert.ok(text.replace(/\n +/g, " ").includes(flag.help), `${entry.name}: ${flag.help}`);
    }
    for (const alias of entry.aliases ?? []) assert.match(text, new RegExp(`lua auth ${alias}`));
  }
});

Deno.test("renderHelp: long help wraps at 80 columns under its own column", () => {
  const text = renderHelp([PROGRAM, AUTH, find(AUTH, "configure")]);
  const rows = text.split("\n").filter((line) => !line.startsWith("  $ "));
  for (const line of rows) assert.ok(line.length <= 80, line);
  assert.match(text, /--otp <code> +Verify the 6-digit code .*\n {19}--email\)\./);
});

Deno.test("renderHelp: a command with an argument shows its choices", () => {
  const text = renderHelp([PROGRAM, find(PROGRAM, "completion")]);
  assert.match(text, /^Usage: lua completion <bash\|zsh\|fish> \[options\]\n/);
});
