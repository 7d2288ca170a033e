import assert from "node:assert/strict";
import { sha256Hex } from "./hash.ts";
import { cryptoRandomBytes } from "./random.ts";
import {
  API_KEY_PATTERN,
  AuthStore,
  CODE_TTL_MS,
  KEY_ID_PATTERN,
  MAX_WRONG_TRIES,
  RESEND_INTERVAL_MS,
  SIGN_IN_TOKEN_PATTERN,
  SIGN_IN_TOKEN_TTL_MS,
} from "./store.ts";

const START = Date.parse("2026-01-01T00:00:00.000Z");

function setup(randomBytes = cryptoRandomBytes): { store: AuthStore; clock: { t: number } } {
  const clock = { t: START };
  return { store: new AuthStore({ now: () => clock.t, randomBytes }), clock };
}

function send(store: AuthStore, email = "ada@example.com"): string {
  const result = store.sendCode(email);
  assert.ok(result.ok);
  return result.entry.code;
}

Deno.test("AuthStore: limits have the documented values", () => {
  assert.equal(RESEND_INTERVAL_MS, 30_000);
  assert.equal(CODE_TTL_MS, 600_000);
  assert.equal(MAX_WRONG_TRIES, 5);
  assert.equal(SIGN_IN_TOKEN_TTL_MS, 300_000);
});

Deno.test("AuthStore.sendCode() records the email in the outbox", () => {
  const { store } = setup();
  const code = send(store);
  assert.deepEqual(store.outbox(), [
    { to: "ada@example.com", code, sentAt: "2026-01-01T00:00:00.000Z" },
  ]);
});

Deno.test("AuthStore.sendCode() rate-limits per address, rounding Retry-After up", () => {
  const { store, clock } = setup();
  send(store);
  clock.t += 100;
  assert.deepEqual(store.sendCode("ada@example.com"), {
    ok: false,
    reason: "rate_limited",
    retryAfterSeconds: 30,
  });
  clock.t = START + 29_999;
  assert.deepEqual(store.sendCode("ada@example.com"), {
    ok: false,
    reason: "rate_limited",
    retryAfterSeconds: 1,
  });
  assert.ok(store.sendCode("bob@example.com").ok);
  clock.t = START + 30_000;
  assert.ok(store.sendCode("ada@example.com").ok);
});

Deno.test("AuthStore.verifyCode() follows the documented order of checks", () => {
  const { store, clock } = setup();
  assert.deepEqual(store.verifyCode("ada@example.com", "000000"), {
    ok: false,
    reason: "invalid_code",
  });
  const code = send(store);
  const wrong = code === "000000" ? "000001" : "000000";
  for (let i = 1; i <= MAX_WRONG_TRIES; i++) {
    assert.deepEqual(store.verifyCode("ada@example.com", wrong), {
      ok: false,
      reason: "invalid_code",
      attemptsRemaining: MAX_WRONG_TRIES - i,
    });
  }
  assert.deepEqual(store.verifyCode("ada@example.com", code), { ok: false, reason: "code_burned" });
  // Burned wins over expired.
  clock.t += CODE_TTL_MS + 1;
  assert.deepEqual(store.verifyCode("ada@example.com", code), { ok: false, reason: "code_burned" });
});

Deno.test("AuthStore.verifyCode() accepts a code until it is older than 10 minutes", () => {
  const { store, clock } = setup();
  const first = send(store, "a@example.com");
  const second = send(store, "b@example.com");
  clock.t += CODE_TTL_MS;
  assert.ok(store.verifyCode("a@example.com", first).ok);
  clock.t += 1;
  assert.deepEqual(store.verifyCode("b@example.com", second), {
    ok: false,
    reason: "expired_code",
  });
});

Deno.test("AuthStore: a sign-in token works once, within 5 minutes", async () => {
  const { store, clock } = setup();
  const code = send(store);
  const verified = store.verifyCode("ada@example.com", code);
  assert.ok(verified.ok);
  assert.match(verified.signInToken, SIGN_IN_TOKEN_PATTERN);
  clock.t += SIGN_IN_TOKEN_TTL_MS;
  const redeemed = await store.redeemSignInToken(verified.signInToken);
  assert.ok(redeemed.ok);
  assert.match(redeemed.apiKey, API_KEY_PATTERN);
  assert.deepEqual(await store.redeemSignInToken(verified.signInToken), {
    ok: false,
    reason: "unknown_token",
  });
});

Deno.test("AuthStore: an expired sign-in token is refused and used up", async () => {
  const { store, clock } = setup();
  const verified = store.verifyCode("ada@example.com", send(store));
  assert.ok(verified.ok);
  clock.t += SIGN_IN_TOKEN_TTL_MS + 1;
  assert.deepEqual(await store.redeemSignInToken(verified.signInToken), {
    ok: false,
    reason: "expired_token",
  });
  assert.deepEqual(await store.redeemSignInToken(verified.signInToken), {
    ok: false,
    reason: "unknown_token",
  });
});

Deno.test("AuthStore keeps only hashes of API keys", async () => {
  const { store } = setup();
  const apiKey = await store.createApiKey("ada@example.com");
  const [stored] = store.keys();
  assert.ok(stored);
  assert.equal(stored.keyHash, await sha256Hex(apiKey));
  assert.match(stored.keyId, KEY_ID_PATTERN);
  assert.equal(JSON.stringify(store.keys()).includes(apiKey.slice(4)), false);
  assert.deepEqual(await store.authenticate(apiKey), {
    email: "ada@example.com",
    keyId: stored.keyId,
    createdAt: "2026-01-01T00:00:00.000Z",
  });
});

Deno.test("AuthStore.revokeKey() distinguishes revoked, already revoked and unknown", async () => {
  const { store } = setup();
  const apiKey = await store.createApiKey("ada@example.com");
  assert.equal(await store.revokeKey(apiKey), "revoked");
  assert.equal(await store.authenticate(apiKey), undefined);
  assert.equal(await store.revokeKey(apiKey), "already_revoked");
  assert.equal(await store.revokeKey("api_" + "0".repeat(32)), "unknown");
});

Deno.test("AuthStore draws a fresh key id on collision", async () => {
  const script = [
    [...new Uint8Array(16).fill(1)], // first key
    [1, 2, 3, 4], // first key id
    [...new Uint8Array(16).fill(2)], // second key
    [1, 2, 3, 4], // collides
    [5, 6, 7, 8],
  ];
  const { store } = setup((n) => {
    const next = script.shift();
    assert.ok(next && next.length === n);
    return Uint8Array.from(next);
  });
  await store.createApiKey("a@example.com");
  await store.createApiKey("b@example.com");
  assert.deepEqual(store.keys().map((key) => key.keyId), ["key_01020304", "key_05060708"]);
});

Deno.test("AuthStore: accessors return copies and reset() forgets everything", async () => {
  const { store } = setup();
  send(store);
  store.recordTelemetry({ event: "x", nested: { n: 1 } });
  await store.createApiKey("ada@example.com");
  const outbox = store.outbox();
  outbox[0]!.code = "tampered";
  const telemetry = store.telemetry() as { nested: { n: number } }[];
  telemetry[0]!.nested.n = 2;
  assert.notEqual(store.outbox()[0]?.code, "tampered");
  assert.deepEqual(store.telemetry(), [{ event: "x", nested: { n: 1 } }]);
  assert.deepEqual(store.outbox("bob@example.com"), []);
  store.reset();
  assert.deepEqual(store.outbox(), []);
  assert.deepEqual(store.telemetry(), []);
  assert.deepEqual(store.keys(), []);
  assert.ok(store.sendCode("ada@example.com").ok, "rate limit forgotten");
});
