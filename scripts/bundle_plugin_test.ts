import assert from "node:assert/strict";
import { transformModule } from "./bundle_plugin.ts";

const PATH = "/project/src/m.ts";

/** Evaluates a transformed module and returns its exports. */
async function load(js: string): Promise<Record<string, unknown>> {
  return await import(`data:application/javascript,${encodeURIComponent(js)}`);
}

Deno.test("transformModule (eager): functions move to the top of their scope, parenthesized", async (t) => {
  const text = [
    "export const early: number = twice(2);",
    "export function twice(n: number): number { return inner(n); function inner(m: number) { return m * 2; } }",
    "export async function later(): Promise<string> { return 'later'; }",
    "export function* count(): Generator<number> { yield 1; yield 2; }",
    "export const blocky = (): string => { if (true) { function local() { return 'block'; } return local(); } return ''; };",
    "export default function named(): string { return 'default'; }",
    "",
  ].join("\n");
  const js = transformModule(text, { path: PATH, eager: true, keepImports: false });

  await t.step("the shape V8 compiles eagerly: var f = (function f", () => {
    assert.match(js, /export var twice = \(function twice\(n\) \{/);
    assert.match(js, /var inner = \(function inner\(m\) \{/);
    assert.match(js, /export var later = \(async function later\(\) \{/);
    assert.match(js, /export var count = \(function\* count\(\) \{/);
    assert.ok(js.indexOf("var twice") < js.indexOf("const early"), "moved above its first use");
  });
  await t.step("a block's declaration and a default export stay declarations", () => {
    assert.match(js, /\{\s*function local\(\) \{/);
    assert.match(js, /export default function named\(\)/);
  });
  await t.step("it runs as the source does, the use before the declaration included", async () => {
    const m = await load(js);
    assert.equal(m.early, 4);
    assert.equal(await (m.later as () => Promise<string>)(), "later");
    assert.deepEqual([...(m.count as () => Iterable<number>)()], [1, 2]);
    assert.equal((m.blocky as () => string)(), "block");
    assert.equal((m.default as () => string)(), "default");
    assert.equal((m.twice as { name: string }).name, "twice");
  });
});

Deno.test("transformModule (eager): arrow functions and function expressions are parenthesized once", async () => {
  const text = [
    "export const inc = (n: number): number => n + 1;",
    "export const twice = [1, 2].map(function (n) { return n * 2; });",
    "export const kept = ((s: string) => s.toUpperCase());",
    "export const self = { value: 3, get: function () { return this.value; } };",
    "",
  ].join("\n");
  const js = transformModule(text, { path: PATH, eager: true, keepImports: false });
  assert.match(js, /inc = \(\(n\) => n \+ 1\)/);
  assert.match(js, /map\(\(function \(n\) \{/);
  assert.match(js, /kept = \(\(s\) => s\.toUpperCase\(\)\)/);
  assert.doesNotMatch(js, /\(\(\(/);
  const m = await load(js);
  assert.equal((m.inc as (n: number) => number)(1), 2);
  assert.deepEqual(m.twice, [2, 4]);
  assert.equal((m.self as { get(): number }).get(), 3);
});

Deno.test("transformModule (lazy): declarations stay as they are", () => {
  const js = transformModule(
    "export function f(): number { return 1; }\nexport const g = () => 2;\n",
    {
      path: PATH,
      eager: false,
      keepImports: false,
    },
  );
  assert.match(js, /^export function f\(\) \{/m);
  assert.match(js, /^export const g = \(\) => 2;/m);
});

Deno.test("transformModule: import() of a project module becomes static; of a package, stays", () => {
  const text = [
    "export async function run(): Promise<unknown[]> {",
    '  return [await import("./plain.ts"), await import("dep"), await import("node:util")];',
    "}",
    "",
  ].join("\n");
  const js = transformModule(text, { path: PATH, eager: false, keepImports: false });
  assert.match(js, /^import \* as (module_\d+) from "\.\/plain\.ts";/);
  assert.match(js, /await Promise\.resolve\(module_\d+\)/);
  assert.match(js, /await import\("dep"\)/);
  assert.match(js, /await import\("node:util"\)/);
  const entry = transformModule(text, { path: PATH, eager: false, keepImports: true });
  assert.match(entry, /await import\("\.\/plain\.ts"\)/, "an entry point keeps its import()s");
  assert.doesNotMatch(entry, /^import /m);
});

Deno.test("transformModule: with the target's exports known, named imports and no namespace", () => {
  const text =
    'export async function run(): Promise<number> {\n  const { b } = await import("./plain.ts");\n  return b;\n}\n';
  const js = transformModule(text, {
    path: PATH,
    eager: false,
    keepImports: false,
    exportsOf: (specifier) => specifier === "./plain.ts" ? ["b", "c"] : undefined,
  });
  assert.match(js, /^import \{ b as (b_\d+), c as (c_\d+) \} from "\.\/plain\.ts";/);
  assert.match(js, /await Promise\.resolve\(\{ b: b_\d+, c: c_\d+ \}\)/);
  assert.doesNotMatch(js, /import \* as/);
});

Deno.test("transformModule: the inline source map points at the original file", () => {
  const text = "export const a: number = 1;\n";
  const js = transformModule(text, { path: PATH, eager: true, keepImports: false });
  const url = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\n$/.exec(js);
  assert.ok(url, js);
  const bytes = Uint8Array.from(atob(url[1]!), (c) => c.charCodeAt(0));
  const map = JSON.parse(new TextDecoder().decode(bytes));
  assert.deepEqual(map.sources, [PATH]);
  assert.deepEqual(map.sourcesContent, [text]);
  assert.ok(map.mappings.length > 0);
});

Deno.test("transformModule (profile): each function records its id when it runs", async () => {
  const text = [
    "export function used(): number { return inner(); }",
    "const inner = () => 1;",
    "export const unused = function () { return 2; };",
    "",
  ].join("\n");
  const js = transformModule(text, { path: PATH, eager: false, profile: true, keepImports: false });
  const seen = new Set<string>();
  Object.assign(globalThis, { __luaProfile: seen });
  try {
    const m = await load(js);
    assert.deepEqual(seen, new Set(), "nothing has run yet");
    assert.equal((m.used as () => number)(), 1);
    assert.deepEqual(seen, new Set([`${PATH}:1:1`, `${PATH}:2:15`]));
  } finally {
    Reflect.deleteProperty(globalThis, "__luaProfile");
  }
});

Deno.test("transformModule (eager set): only the functions named by their ids", () => {
  const text = [
    "export function hot(): number { return 1; }",
    "export function cold(): number { return 2; }",
    "export const hotArrow = () => 3;",
    "export const coldArrow = () => 4;",
    "",
  ].join("\n");
  const eager = new Set([`${PATH}:1:1`, `${PATH}:3:25`]);
  const js = transformModule(text, { path: PATH, eager, keepImports: false });
  assert.match(js, /export var hot = \(function hot\(\)/);
  assert.match(js, /^export function cold\(\)/m);
  assert.match(js, /hotArrow = \(\(\) => 3\)/);
  assert.match(js, /coldArrow = \(\) => 4;/);
});
