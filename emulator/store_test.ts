import assert from "node:assert/strict";
import { cryptoRandomBytes, sha256Hex } from "./crypto.ts";
import {
  AuthStore,
  CODE_TTL_MS,
  KEY_ID_PATTERN,
  LEGACY_KEY_PATTERN,
  MAX_WRONG_TRIES,
  RESEND_INTERVAL_MS,
  SIGN_IN_TOKEN_PATTERN,
  SIGN_IN_TOKEN_TTL_MS,
  TYPED_KEY_PATTERN,
} from "./store.ts";

/** The real client's `TYPED_API_KEY` (lua-cli 3.37.0, `@lua/shared-types`), verbatim. */
const REAL_TYPED_API_KEY =
  /^api_([0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

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
  assert.match(redeemed.apiKey, LEGACY_KEY_PATTERN, "the code-to-key step issues a legacy key");
  assert.equal(redeemed.key.kind, "legacy");
  assert.equal(redeemed.key.email, "ada@example.com");
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

Deno.test("AuthStore keeps only hashes of API keys, of both kinds", async () => {
  const { store } = setup();
  const legacy = await store.createApiKey("ada@example.com");
  const typed = await store.createApiKey("ada@example.com", "typed");
  assert.equal(legacy.key.kind, "legacy", "legacy by default");
  const stored = store.keys();
  assert.deepEqual(stored.map((key) => key.keyHash), [
    await sha256Hex(legacy.apiKey),
    await sha256Hex(typed.apiKey),
  ]);
  const dump = JSON.stringify(stored);
  for (const apiKey of [legacy.apiKey, typed.apiKey]) {
    assert.equal(dump.includes(apiKey.slice(4)), false, "no key material in the store");
    assert.equal(dump.includes(apiKey.slice(-20)), false, "no secret part in the store");
  }
  for (const key of stored) {
    assert.deepEqual(Object.keys(key).sort(), [
      "createdAt",
      "email",
      "keyHash",
      "keyId",
      "kind",
      "revoked",
      "userId",
    ]);
    assert.match(key.keyId, KEY_ID_PATTERN);
  }
  const account = store.account("ada@example.com");
  assert.deepEqual(await store.authenticate(legacy.apiKey), { key: stored[0], account });
  assert.deepEqual(await store.authenticate(typed.apiKey), { key: stored[1], account });
  assert.equal(await store.authenticate(legacy.apiKey.toUpperCase()), undefined);
});

Deno.test("AuthStore.createApiKey(): legacy keys are api_ + 32 hex, typed keys match the real TYPED_API_KEY", async () => {
  const { store } = setup();
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const legacy = (await store.createApiKey("a@example.com", "legacy")).apiKey;
    assert.match(legacy, LEGACY_KEY_PATTERN);
    assert.doesNotMatch(legacy, REAL_TYPED_API_KEY, "the real client must see it as legacy");
    const typed = (await store.createApiKey("a@example.com", "typed")).apiKey;
    assert.match(typed, TYPED_KEY_PATTERN);
    assert.match(typed, REAL_TYPED_API_KEY, "the real client must see it as typed");
    seen.add(legacy).add(typed);
  }
  assert.equal(seen.size, 40, "every key is new");
});

Deno.test("AuthStore.account(): one account per address, with one organisation and one agent", () => {
  const { store } = setup();
  const ada = store.account("ada.lovelace@example.com");
  assert.equal(ada.email, "ada.lovelace@example.com");
  assert.equal(ada.fullName, "Ada Lovelace");
  assert.match(ada.userId, /^usr_[0-9a-f]{16}$/);
  assert.match(ada.orgId, /^org_[0-9a-f]{12}$/);
  assert.match(ada.agentId, /^agt_[0-9a-f]{12}$/);
  assert.deepEqual(store.account("ada.lovelace@example.com"), ada, "the same account again");
  assert.notEqual(store.account("bob@example.com").userId, ada.userId);
  assert.equal(store.account("bob@example.com").fullName, "Bob");
});

Deno.test("AuthStore.revokeKey() distinguishes revoked, already revoked and unknown", async () => {
  const { store } = setup();
  const { apiKey } = await store.createApiKey("ada@example.com");
  assert.equal(await store.revokeKey(apiKey), "revoked");
  assert.equal(await store.authenticate(apiKey), undefined);
  assert.equal(await store.revokeKey(apiKey), "already_revoked");
  assert.equal(await store.revokeKey("api_" + "0".repeat(32)), "unknown");
});

Deno.test("AuthStore draws a fresh key id on collision", async () => {
  const script = [
    [...new Uint8Array(8).fill(9)], // the account's user id
    [...new Uint8Array(6).fill(9)], // its organisation
    [...new Uint8Array(6).fill(9)], // its agent
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
  await store.createApiKey("a@example.com");
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
  const before = store.account("ada@example.com");
  store.reset();
  assert.notEqual(store.account("ada@example.com").userId, before.userId, "accounts forgotten");
  assert.deepEqual(store.outbox(), []);
  assert.deepEqual(store.telemetry(), []);
  assert.deepEqual(store.keys(), []);
  assert.ok(store.sendCode("ada@example.com").ok, "rate limit forgotten");
});
