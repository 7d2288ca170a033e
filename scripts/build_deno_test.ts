import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { run } from "../testing/process.ts";
import { VERSION } from "../src/version.ts";
import { CHECKING_KEY } from "../src/cli/auth_status.ts";
import {
  baseEnv,
  denoRunLua,
  LUA_PERMISSIONS,
  ROOT,
  SAMPLE_KEY,
  sandbox,
  storeKey,
} from "../tests/_helpers.ts";
import { startPtyCommand } from "../tests/_pty.ts";

const dir = await Deno.makeTempDir({ prefix: "lua-bundle-" });
const bundle = join(dir, "lua.js");
// Built by the task, in a process of its own: esbuild's service outlives an in-process build
// a little, which the tests' resource sanitizer would count against the first test.
const built = await run(Deno.execPath(), ["task", "build:deno", "--out", bundle], { cwd: ROOT });
if (built.code !== 0) throw new Error(`deno task build:deno failed: ${built.stderr}`);

/** Runs the bundle as the installed `lua` does: the documented flags, no deno.json. */
function bundled(args: string[], permissions: readonly string[] = LUA_PERMISSIONS): string[] {
  return [...denoRunLua(permissions, bundle), ...args];
}

Deno.test("build:deno: one file, whose only imports Deno can read are node: modules", async () => {
  const info = await run(Deno.execPath(), ["info", "--json", "--no-config", bundle]);
  assert.equal(info.code, 0, info.stderr);
  const { modules } = JSON.parse(info.stdout) as {
    modules: { specifier: string; dependencies?: { specifier: string }[] }[];
  };
  assert.deepEqual(modules.filter((m) => m.specifier.startsWith("file:")).length, 1);
  const imported = modules.flatMap((m) => m.dependencies ?? []).map((d) => d.specifier);
  assert.deepEqual([...new Set(imported)].sort(), ["node:process", "node:util"]);
});

Deno.test("build:deno: the bundle runs every kind of command line as the source does", async (t) => {
  const sb = await sandbox();
  try {
    const env = { ...baseEnv(sb), LUA_API_KEY: SAMPLE_KEY };
    const options = { cwd: sb.cwd, clearEnv: true, env };
    await t.step("--version", async () => {
      const out = await run(Deno.execPath(), bundled(["--version"]), options);
      assert.equal(out.stdout, `${VERSION}\n`, out.stderr);
    });
    await t.step("auth key --force: the key from LUA_API_KEY on stdout", async () => {
      const out = await run(Deno.execPath(), bundled(["auth", "key", "--force"]), options);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout, `${SAMPLE_KEY}\n`);
    });
    await t.step("a near miss: exit 2 with a suggestion", async () => {
      const out = await run(Deno.execPath(), bundled(["auth", "staus"]), options);
      assert.equal(out.code, 2);
      assert.match(out.stderr, /Did you mean status\?/);
    });
    await t.step("a missing permission: one sentence naming the flag, exit 2", async () => {
      await storeKey(sb, SAMPLE_KEY);
      const args = bundled(["auth", "key", "--force"], ["--allow-env"]);
      const out = await run(Deno.execPath(), args, {
        ...options,
        env: baseEnv(sb),
      });
      assert.equal(out.code, 2, out.stderr);
      assert.match(out.stderr, /--allow-read/);
      assert.doesNotMatch(out.stderr, /NotCapable|at file:/);
    });
  } finally {
    await sb.cleanup();
  }
});

/** One segment of a source map: a generated position and the source position it maps to. */
interface Segment {
  line: number;
  column: number;
  source: string;
  sourceLine: number;
  sourceColumn: number;
}

/** The segments of a source map's `mappings` (lines and columns from 0). */
function segments(map: { sources: string[]; mappings: string }): Segment[] {
  const DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const state = [0, 0, 0, 0]; // generated column, source, original line, original column
  const found: Segment[] = [];
  for (const [line, text] of map.mappings.split(";").entries()) {
    state[0] = 0;
    for (const segment of text.split(",").filter(Boolean)) {
      let field = 0, value = 0, shift = 0;
      for (const char of segment) {
        const digit = DIGITS.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          state[field++]! += value & 1 ? -(value >>> 1) : value >>> 1;
          value = shift = 0;
        }
      }
      if (field > 1) {
        const [column, source, sourceLine, sourceColumn] = state as [
          number,
          number,
          number,
          number,
        ];
        found.push({ line, column, source: map.sources[source]!, sourceLine, sourceColumn });
      }
    }
  }
  return found;
}

Deno.test("build:deno: the source map leads from the bundle back to the source line", async () => {
  const code = await Deno.readTextFile(bundle);
  const map = JSON.parse(await Deno.readTextFile(`${bundle}.map`));
  const literal = JSON.stringify(CHECKING_KEY);
  const at = code.indexOf(literal);
  assert.ok(at > 0, "the literal is in the bundle");
  const before = code.slice(0, at).split("\n");
  const [line, column] = [before.length - 1, before.at(-1)!.length];
  const source = await Deno.readTextFile(join(ROOT, "src/cli/auth_status.ts"));
  const mapped = segments(map).filter((s) => s.line === line && s.column <= column).at(-1);
  assert.deepEqual(mapped && { source: mapped.source, line: mapped.sourceLine }, {
    source: relative(dir, join(ROOT, "src/cli/auth_status.ts")),
    line: source.split("\n").findIndex((l) => l.includes(literal)),
  });
  assert.match(code, /\n\/\/# sourceMappingURL=lua\.js\.map\n?$/);
});

Deno.test("build:deno: what the everyday lines run is compiled with the bundle, the rest is not", async () => {
  const code = (await Deno.readTextFile(bundle)).split("\n");
  const map = JSON.parse(await Deno.readTextFile(`${bundle}.map`));
  /** The bundle's text where the declaration `declared` of `file` begins. */
  const generated = async (file: string, declared: string): Promise<string> => {
    const lines = (await Deno.readTextFile(join(ROOT, file))).split("\n");
    const line = lines.findIndex((l) => l.startsWith(declared));
    const first = segments(map).filter((s) => s.source.endsWith(file) && s.sourceLine === line)
      .sort((a, b) => a.line - b.line || a.column - b.column)[0];
    assert.ok(first, `${file}: ${declared}`);
    return code[first.line]!.slice(first.column, first.column + 40);
  };
  // `auth status --offline` runs runStatus: parenthesized, so V8 compiles it with the script.
  assert.match(
    await generated("src/cli/auth_status.ts", "export async function runStatus("),
    /^[\w$]+=\(async function\(/,
  );
  // Only `--api-key -` reads a key from stdin, and the profile has no such line: left lazy.
  assert.match(
    await generated("src/cli/read_line.ts", "export async function readFirstLine("),
    /^async function [\w$]+\(/,
  );
});

Deno.test("build:deno: a second run of the bundle starts from Deno's V8 code cache", async () => {
  // A run that ended by Deno.exit never left its code cache behind (main.ts says why).
  const cache = await Deno.makeTempDir({ prefix: "lua-deno-dir-" });
  try {
    const hit = async (): Promise<boolean> => {
      const out = await run(Deno.execPath(), [
        "run",
        "--log-level=debug",
        "--no-config",
        "--allow-env",
        bundle,
        "--version",
      ], { env: { DENO_DIR: cache, NO_COLOR: "1" } });
      assert.equal(out.code, 0, out.stderr);
      return out.stderr.includes(`V8 code cache hit for ES module: file://${bundle}`);
    };
    assert.equal(await hit(), false, "the first run compiles");
    assert.equal(await hit(), true, "the second run finds the cache the first one wrote");
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("build:deno: the bundle loads the prompts when it asks (pty)", async () => {
  const sb = await sandbox();
  await storeKey(sb, SAMPLE_KEY);
  const pty = await startPtyCommand(sb, [Deno.execPath(), ...bundled(["auth", "logout"])]);
  try {
    await pty.waitFor("Are you sure you want to delete your API key?");
    await pty.keys("n", "Enter");
    const { code, screen } = await pty.exit();
    assert.equal(code, 0, screen);
    assert.match(screen, /Cancelled/);
  } finally {
    await pty.close();
    await sb.cleanup();
  }
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
