import assert from "node:assert/strict";
import { longestRun } from "../testing/secret_runs.ts";
import fc from "fast-check";
import { FRAGMENT_LENGTH, REDACTED, redactSecrets, SecretSet } from "./redact.ts";
import { assertProperty } from "../testing/property.ts";

const KEY = "api_0123456789abcdef0123456789abcdef";

Deno.test("redact: the whole key, 35 of its 36 characters, any 8 in a row, any case", () => {
  const cases: [string, string][] = [
    [`bad key ${KEY}`, `bad key ${REDACTED}`],
    [`bad key ${KEY.slice(1)}!`, `bad key ${REDACTED}!`],
    [`x${KEY.slice(10, 18)}y`, `x${REDACTED}y`],
    [`x${KEY.slice(10, 17)}y`, `x${KEY.slice(10, 17)}y`],
    [KEY.toUpperCase(), REDACTED],
    [`${KEY.slice(0, 9)} and ${KEY.slice(20)}`, `${REDACTED} and ${REDACTED}`],
    ["api_…cdef", "api_…cdef"],
  ];
  for (const [text, expected] of cases) assert.equal(redactSecrets(text, [KEY]), expected, text);
});

Deno.test("redact: a 6-digit code is redacted whole; shorter secrets are not tracked", () => {
  assert.equal(redactSecrets("code 123456 wrong", ["123456"]), `code ${REDACTED} wrong`);
  assert.equal(redactSecrets("code 12345 wrong", ["123456"]), "code 12345 wrong");
  assert.equal(redactSecrets("a b c", ["a"]), "a b c");
  const set = new SecretSet();
  assert.ok(set.empty);
  set.add("   ");
  assert.ok(set.empty);
});

Deno.test("redact: property: no run of 8 characters of any secret survives", () => {
  const secret = fc.string({
    unit: fc.constantFrom(..."abcdef0123456789_-XY"),
    minLength: 8,
    maxLength: 48,
  });
  assertProperty(
    fc.property(
      fc.array(secret, { minLength: 1, maxLength: 3 }),
      fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.nat()), { maxLength: 8 }),
      (secrets, parts) => {
        // Text made of noise and slices of the secrets, of any length and position.
        const text = parts.map((p) => {
          if (typeof p === "string") return p;
          const s = secrets[p % secrets.length]!;
          const start = p % s.length;
          return s.slice(start, start + (p % 40) + 1);
        }).join("");
        const out = redactSecrets(text, secrets);
        for (const s of secrets) {
          // The marker itself may share letters with a secret; look at what is left around it.
          for (const piece of out.split(REDACTED)) {
            assert.ok(longestRun(piece, s) < FRAGMENT_LENGTH, `${JSON.stringify(out)} leaks ${s}`);
          }
        }
      },
    ),
    { numRuns: 500 },
  );
});

/** What `redact` must return, the slow way: every place of the text against every secret. */
function naiveRedact(text: string, secrets: string[]): string {
  const lower = text.toLowerCase();
  const covered = new Array<boolean>(text.length).fill(false);
  for (const secret of secrets.map((s) => s.trim().toLowerCase())) {
    if (secret.length < 6) continue;
    const length = Math.min(FRAGMENT_LENGTH, secret.length);
    for (let i = 0; i + length <= lower.length; i++) {
      if (secret.includes(lower.slice(i, i + length))) covered.fill(true, i, i + length);
    }
  }
  return [...text].map((ch, i) => covered[i] ? (i === 0 || !covered[i - 1] ? REDACTED : "") : ch)
    .join("");
}

Deno.test("redact: property: the same runs whether the places or the fragments are searched", () => {
  // A text shorter than a secret's fragment count is searched place by place, a longer one
  // fragment by fragment: both must redact exactly what the slow way does, no more.
  const secret = fc.string({ unit: fc.constantFrom(..."abc0123_"), minLength: 6, maxLength: 60 });
  assertProperty(
    fc.property(
      fc.array(secret, { minLength: 1, maxLength: 2 }),
      fc.array(
        fc.oneof(fc.string({ unit: fc.constantFrom(..."abcX0 "), maxLength: 30 }), fc.nat()),
        {
          maxLength: 6,
        },
      ),
      (secrets, parts) => {
        const text = parts.map((p) => {
          if (typeof p === "string") return p;
          const s = secrets[p % secrets.length]!;
          return s.slice(p % s.length, (p % s.length) + (p % 70) + 1);
        }).join("");
        assert.equal(redactSecrets(text, secrets), naiveRedact(text, secrets), text);
      },
    ),
    { numRuns: 500 },
  );
  const set = new SecretSet();
  set.add(KEY); // 29 fragments
  assert.equal(set.redact(`"${KEY.slice(3, 11)}"`), `"${REDACTED}"`); // 3 places
  assert.equal(set.redact(KEY.slice(0, 7)), KEY.slice(0, 7)); // shorter than a fragment
});
