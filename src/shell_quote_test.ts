import assert from "node:assert/strict";
import { run } from "../testing/process.ts";
import fc from "fast-check";
import { shellQuote } from "./shell_quote.ts";
import { assertProperty } from "../testing/property.ts";

Deno.test("shellQuote: plain addresses stay as they are; anything else is single-quoted", () => {
  const cases: [string, string][] = [
    ["ada@example.com", "ada@example.com"],
    ["a.b+tag@sub.example.co", "a.b+tag@sub.example.co"],
    ["a;id@x.co", "'a;id@x.co'"],
    ["$(id)@x.co", "'$(id)@x.co'"],
    ["`id`@x.co", "'`id`@x.co'"],
    ["o'brien@x.co", "'o'\\''brien@x.co'"],
    ["a b", "'a b'"],
    ["", "''"],
  ];
  for (const [value, expected] of cases) assert.equal(shellQuote(value), expected);
});

Deno.test({
  name: "shellQuote: property: sh reads back exactly the value, and runs nothing",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const values: string[] = [];
    assertProperty(
      fc.property(
        fc.string({ unit: fc.constantFrom(..."a@.;$()`'\"\\|&<>*? \t!#~{}"), maxLength: 20 }),
        (v) => {
          values.push(v);
        },
      ),
      { numRuns: 200 },
    );
    // One shell run for every value: printf each word back between markers.
    const script = values.map((v) => `printf '<%s>\\n' ${shellQuote(v)}`).join("\n");
    const output = await run("sh", ["-c", script]);
    const lines = output.stdout.split("\n").slice(0, -1);
    assert.deepEqual(lines, values.map((v) => `<${v}>`));
  },
});
