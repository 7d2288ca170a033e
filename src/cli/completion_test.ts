import assert from "node:assert/strict";
import { type Command, type GroupSpec, isGroup, longFlag } from "./command.ts";
import { PROGRAM } from "./commands.ts";
import { completionScript, SHELLS } from "./completion.ts";
import { hasProgram, run } from "../../testing/process.ts";

const installed = Object.fromEntries(
  await Promise.all(SHELLS.map(async (shell) => [shell, await hasProgram(shell)] as const)),
);

async function sh(shell: string, script: string): Promise<string> {
  const output = await run(shell, ["-c", script], {
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: "/nonexistent" },
  });
  assert.equal(output.code, 0, output.stderr);
  return output.stdout;
}

function commands(group: GroupSpec): Command[] {
  return group.commands.flatMap((e) => isGroup(e) ? commands(e) : [e]);
}

/** What each shell offers after `words` (the last one being completed). */
const offers: Record<string, (script: string, words: string[]) => Promise<string[]>> = {
  bash: async (script, words) => {
    const list = words.map((w) => `'${w}'`).join(" ");
    const out = await sh(
      "bash",
      `${script}\nCOMP_WORDS=(${list}); COMP_CWORD=${words.length - 1}; _lua_complete; ` +
        `printf '%s\\n' "\${COMPREPLY[@]}"`,
    );
    return out.split("\n").filter(Boolean);
  },
  zsh: async (script, words) => {
    const list = words.map((w) => `'${w}'`).join(" ");
    // _describe and compdef come from compinit; these stand-ins print what would be offered.
    const stubs = "compdef() { :; }; _describe() { local n=${@[-1]}; print -l -- ${(P)n}; }";
    const out = await sh(
      "zsh",
      `${stubs}\n${script}\nwords=(${list}); CURRENT=${words.length}; _lua || true`,
    );
    const typed = words.at(-1)!;
    return out.split("\n").filter(Boolean).map((l) => l.split(":")[0]!.replace(/\\$/, ""))
      .filter((w) => w.startsWith(typed));
  },
  fish: async (script, words) => {
    const out = await sh("fish", `${script}\ncomplete -C '${words.join(" ")}'`);
    return out.split("\n").filter(Boolean).map((l) => l.split("\t")[0]!);
  },
};

for (const shell of SHELLS) {
  Deno.test({
    name: `completion ${shell}: the words offered next${
      installed[shell] ? "" : ` (ignored: ${shell} is not installed)`
    }`,
    ignore: !installed[shell],
    async fn() {
      const script = completionScript(shell, "lua", PROGRAM);
      const offer = (words: string[]) => offers[shell]!(script, words);
      assert.deepEqual(await offer(["lua", "auth", "c"]), ["configure"]);
      assert.deepEqual(await offer(["lua", "a"]), ["auth"]);
      assert.deepEqual(
        (await offer(["lua", "auth", ""])).sort(),
        ["configure", "key", "login", "logout", "status", "token", "whoami", "help"]
          .concat(shell === "fish" ? [] : ["--help"]).sort(),
      );
      assert.deepEqual(await offer(["lua", "auth", "login", "--e"]), ["--email"]);
      assert.deepEqual(await offer(["lua", "auth", "whoami", "--o"]), ["--offline"]);
      assert.deepEqual(await offer(["lua", "completion", "z"]), ["zsh"]);
      assert.deepEqual(await offer(["lua", "help", "auth", "st"]), ["status"]);
      // A flag's value is not a command word: nothing is offered for it, and it is skipped.
      assert.deepEqual(await offer(["lua", "auth", "configure", "--email", ""]), []);
      assert.deepEqual(await offer(["lua", "auth", "configure", "--email", "a@b.co", "--o"]), [
        "--otp",
      ]);
    },
  });
}

Deno.test("completion scripts hold every command, alias and flag of the table", () => {
  for (const shell of SHELLS) {
    const script = completionScript(shell, "lua", PROGRAM);
    for (const command of commands(PROGRAM)) {
      for (const word of [command.name, ...(command.aliases ?? [])]) {
        assert.match(script, new RegExp(`\\b${word}\\b`), `${shell}: ${word}`);
      }
      for (const key of Object.keys(command.flags)) {
        const flag = longFlag(key);
        assert.ok(
          script.includes(shell === "fish" ? `-l ${flag.slice(2)}` : flag),
          `${shell}: ${flag}`,
        );
      }
    }
  }
});

Deno.test("completion scripts name the program as it was invoked", () => {
  const bash = completionScript("bash", "lua-ai", PROGRAM);
  assert.match(bash, /^_lua_ai_complete\(\) \{$/m);
  assert.match(bash, /^complete -F _lua_ai_complete lua-ai$/m);
  const zsh = completionScript("zsh", "lua-ai", PROGRAM);
  assert.match(zsh, /^#compdef lua-ai\n/);
  assert.match(zsh, /compdef _lua_ai lua-ai; fi$/m);
  const fish = completionScript("fish", "lua-ai", PROGRAM);
  assert.match(fish, /^complete -c lua-ai -f$/m);
  assert.doesNotMatch(fish, /-c lua /);
});

Deno.test("completion scripts quote help texts that hold quotes", () => {
  const fish = completionScript("fish", "lua", PROGRAM);
  assert.ok(fish.includes(`-d 'Set the API key directly (\\'-\\' reads it from stdin).'`));
  const zsh = completionScript("zsh", "lua", PROGRAM);
  assert.ok(zsh.includes(`'--api-key:Set the API key directly ('\\''-'\\'' reads it`));
});
