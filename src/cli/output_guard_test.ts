import assert from "node:assert/strict";
import { createOutputGuard, MAX_JSON_DEPTH, styleMark } from "./output_guard.ts";
import { REDACTED } from "../redact.ts";

const KEY = "api_0123456789abcdef0123456789abcdef";

Deno.test("createOutputGuard text: escapes removed, own colours kept only on a colour stream", () => {
  const guard = createOutputGuard();
  const red = `${styleMark()}31mno${styleMark()}39m`;
  assert.equal(guard.text(`a\x1b[2Jb\x1b]0;t\x07c ${red}\n`, false), "abc no\n");
  assert.equal(guard.text(`${red}\n`, true), "\x1b[31mno\x1b[39m\n");
  // A mark followed by a code it may not carry is not a colour.
  assert.equal(guard.text(`${styleMark()}5mx\n`, true), "x\n");
});

Deno.test("createOutputGuard text: a secret learnt is redacted from then on (the caps: io_test)", () => {
  const guard = createOutputGuard();
  assert.equal(guard.text(`${KEY}\n`, false), `${KEY}\n`); // not yet known
  guard.addSecret(KEY);
  assert.equal(guard.text(`bad ${KEY.slice(2)}\n`, false), `bad ${REDACTED}\n`);
});

Deno.test("createOutputGuard json: every key and string filtered, other values kept, raw fields last", () => {
  const guard = createOutputGuard();
  guard.addSecret(KEY);
  const out = guard.json({
    [`k\x1b[31m${KEY}`]: [`line\none ${KEY}`, 3, true, null, { deep: `\u202e${KEY.slice(1)}` }],
    n: 1.5,
  }, { key: KEY });
  assert.deepEqual(JSON.parse(out), {
    [`k${REDACTED}`]: [`line one ${REDACTED}`, 3, true, null, { deep: REDACTED }],
    n: 1.5,
    key: KEY,
  });
  assert.ok(out.endsWith("}\n"));
  assert.equal(guard.json("plain"), '"plain"\n');
});

Deno.test("createOutputGuard json: data nested deeper than MAX_JSON_DEPTH is cut there, never passed on", () => {
  const guard = createOutputGuard();
  guard.addSecret(KEY);
  let value: unknown = { secret: KEY };
  for (let i = 0; i < 40; i++) value = [value];
  const out = guard.json(value);
  assert.ok(!out.includes(KEY.slice(4, 12)), "no fragment of the key");
  let parsed = JSON.parse(out);
  let depth = 0;
  while (Array.isArray(parsed)) {
    parsed = parsed[0];
    depth++;
  }
  assert.equal(depth, MAX_JSON_DEPTH + 1);
  assert.equal(parsed, "…");
});
