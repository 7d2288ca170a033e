/**
 * The emulator's in-memory state and the rules of the auth flow: one-time
 * codes, sign-in tokens, API keys (stored only as SHA-256 hashes), the outbox
 * and recorded telemetry. No HTTP here; see `handler.ts`.
 *
 * @module
 */

import { timingSafeEqual } from "./constant_time.ts";
import { sha256Hex } from "./hash.ts";
import { generateCode, type RandomBytes, randomHex } from "./random.ts";

/** Minimum time between two codes sent to the same address. */
export const RESEND_INTERVAL_MS = 30_000;
/** A code is accepted until it is older than this. */
export const CODE_TTL_MS = 10 * 60_000;
/** Wrong tries a code survives; the next try finds it burned. */
export const MAX_WRONG_TRIES = 5;
/** A sign-in token is accepted until it is older than this. */
export const SIGN_IN_TOKEN_TTL_MS = 5 * 60_000;
/** Format of API keys: `api_` and 32 lowercase hex digits (16 random bytes). */
export const API_KEY_PATTERN: RegExp = /^api_[0-9a-f]{32}$/;
/** Format of key ids: `key_` and 8 lowercase hex digits. */
export const KEY_ID_PATTERN: RegExp = /^key_[0-9a-f]{8}$/;
/** Format of sign-in tokens: `sit_` and 64 lowercase hex digits (32 random bytes). */
export const SIGN_IN_TOKEN_PATTERN: RegExp = /^sit_[0-9a-f]{64}$/;

/** An email the emulator "sent". */
export interface OutboxEntry {
  /** Lowercased recipient. */
  to: string;
  /** The six-digit code. */
  code: string;
  /** When it was sent, as an ISO 8601 string. */
  sentAt: string;
}

/** What the emulator stores for an API key: never the key itself. */
export interface StoredKey {
  /** SHA-256 of the key, 64 lowercase hex digits. */
  keyHash: string;
  /** Owner's lowercased email. */
  email: string;
  /** Public identifier, `key_<8 hex>`. */
  keyId: string;
  /** Creation time, ISO 8601. */
  createdAt: string;
  /** Whether the key was revoked. */
  revoked: boolean;
}

/** What `whoami` reveals about a key. */
export interface KeyInfo {
  /** Owner's lowercased email. */
  email: string;
  /** Public identifier, `key_<8 hex>`. */
  keyId: string;
  /** Creation time, ISO 8601. */
  createdAt: string;
}

/** Dependencies of {@linkcode AuthStore}. */
export interface AuthStoreOptions {
  /** Current time in milliseconds since the epoch. */
  now: () => number;
  /** Source of random bytes. */
  randomBytes: RandomBytes;
}

/** Outcome of {@linkcode AuthStore.sendCode}. */
export type SendCodeResult =
  | { ok: true; entry: OutboxEntry }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/** Outcome of {@linkcode AuthStore.verifyCode}. */
export type VerifyCodeResult =
  | { ok: true; signInToken: string }
  | { ok: false; reason: "invalid_code"; attemptsRemaining?: number }
  | { ok: false; reason: "code_burned" | "expired_code" };

/** Outcome of {@linkcode AuthStore.redeemSignInToken}. */
export type RedeemResult =
  | { ok: true; apiKey: string }
  | { ok: false; reason: "unknown_token" | "expired_token" };

/** Outcome of {@linkcode AuthStore.revokeKey}. */
export type RevokeResult = "revoked" | "already_revoked" | "unknown";

interface CodeRecord {
  code: string;
  sentAtMs: number;
  wrongTries: number;
}

interface TokenRecord {
  email: string;
  issuedAtMs: number;
}

/** In-memory state of the emulator. Emails passed in must already be normalised. */
export class AuthStore {
  #now: () => number;
  #randomBytes: RandomBytes;
  #outbox: OutboxEntry[] = [];
  #lastSentMs = new Map<string, number>();
  #codes = new Map<string, CodeRecord>();
  #tokens = new Map<string, TokenRecord>();
  #keys = new Map<string, StoredKey>();
  #telemetry: unknown[] = [];

  /**
   * Creates an empty store.
   *
   * @param options Clock and random source.
   */
  constructor(options: AuthStoreOptions) {
    this.#now = options.now;
    this.#randomBytes = options.randomBytes;
  }

  /**
   * Sends a new code to `email`, replacing any previous one, unless a code was
   * sent to it less than {@linkcode RESEND_INTERVAL_MS} ago.
   *
   * @param email Lowercased address.
   * @returns The outbox entry, or how many whole seconds (rounded up) to wait.
   */
  sendCode(email: string): SendCodeResult {
    const now = this.#now();
    const last = this.#lastSentMs.get(email);
    if (last !== undefined && now - last < RESEND_INTERVAL_MS) {
      const retryAfterSeconds = Math.max(1, Math.ceil((RESEND_INTERVAL_MS - (now - last)) / 1000));
      return { ok: false, reason: "rate_limited", retryAfterSeconds };
    }
    const code = generateCode(this.#randomBytes);
    const entry: OutboxEntry = { to: email, code, sentAt: new Date(now).toISOString() };
    this.#outbox.push(entry);
    this.#lastSentMs.set(email, now);
    this.#codes.set(email, { code, sentAtMs: now, wrongTries: 0 });
    return { ok: true, entry: { ...entry } };
  }

  /**
   * Checks a code. Order: no live code -> `invalid_code`; burned ->
   * `code_burned`; older than {@linkcode CODE_TTL_MS} -> `expired_code`; wrong
   * -> `invalid_code` (counts a wrong try); right -> a sign-in token, and the
   * code is used up.
   *
   * @param email Lowercased address.
   * @param pin The code as typed; compared in constant time.
   * @returns A sign-in token or the reason for refusal.
   */
  verifyCode(email: string, pin: string): VerifyCodeResult {
    const now = this.#now();
    const record = this.#codes.get(email);
    if (record === undefined) {
      timingSafeEqual(pin, "000000");
      return { ok: false, reason: "invalid_code" };
    }
    if (record.wrongTries >= MAX_WRONG_TRIES) return { ok: false, reason: "code_burned" };
    if (now - record.sentAtMs > CODE_TTL_MS) return { ok: false, reason: "expired_code" };
    if (!timingSafeEqual(pin, record.code)) {
      record.wrongTries++;
      return {
        ok: false,
        reason: "invalid_code",
        attemptsRemaining: MAX_WRONG_TRIES - record.wrongTries,
      };
    }
    this.#codes.delete(email);
    const signInToken = `sit_${randomHex(this.#randomBytes, 32)}`;
    this.#tokens.set(signInToken, { email, issuedAtMs: now });
    return { ok: true, signInToken };
  }

  /**
   * Exchanges a sign-in token for a new API key. A token works once (even a
   * failed, expired attempt uses it up) and only until it is older than
   * {@linkcode SIGN_IN_TOKEN_TTL_MS}.
   *
   * @param token The sign-in token.
   * @returns The new plaintext API key (not stored), or the reason for refusal.
   */
  async redeemSignInToken(token: string): Promise<RedeemResult> {
    const record = this.#tokens.get(token);
    if (record === undefined) return { ok: false, reason: "unknown_token" };
    this.#tokens.delete(token);
    if (this.#now() - record.issuedAtMs > SIGN_IN_TOKEN_TTL_MS) {
      return { ok: false, reason: "expired_token" };
    }
    return { ok: true, apiKey: await this.createApiKey(record.email) };
  }

  /**
   * Creates an API key for `email`; only its SHA-256 hash is stored.
   *
   * @param email Lowercased address.
   * @returns The plaintext key, `api_<32 hex>`.
   */
  async createApiKey(email: string): Promise<string> {
    const createdAt = new Date(this.#now()).toISOString();
    const apiKey = `api_${randomHex(this.#randomBytes, 16)}`;
    const keyId = this.#newKeyId();
    const keyHash = await sha256Hex(apiKey);
    this.#keys.set(keyHash, { keyHash, email, keyId, createdAt, revoked: false });
    return apiKey;
  }

  #newKeyId(): string {
    const used = new Set([...this.#keys.values()].map((key) => key.keyId));
    for (;;) {
      const keyId = `key_${randomHex(this.#randomBytes, 4)}`;
      if (!used.has(keyId)) return keyId;
    }
  }

  /**
   * Looks up an active (not revoked) API key.
   *
   * @param apiKey The plaintext key.
   * @returns The key's owner and id, or `undefined` for unknown or revoked keys.
   */
  async authenticate(apiKey: string): Promise<KeyInfo | undefined> {
    const stored = this.#keys.get(await sha256Hex(apiKey));
    if (stored === undefined || stored.revoked) return undefined;
    return { email: stored.email, keyId: stored.keyId, createdAt: stored.createdAt };
  }

  /**
   * Revokes an API key.
   *
   * @param apiKey The plaintext key.
   * @returns Whether the key was revoked now, had been revoked before, or is unknown.
   */
  async revokeKey(apiKey: string): Promise<RevokeResult> {
    const stored = this.#keys.get(await sha256Hex(apiKey));
    if (stored === undefined) return "unknown";
    if (stored.revoked) return "already_revoked";
    stored.revoked = true;
    return "revoked";
  }

  /**
   * Records a telemetry event.
   *
   * @param event Any JSON value.
   */
  recordTelemetry(event: unknown): void {
    this.#telemetry.push(structuredClone(event));
  }

  /**
   * The sent emails, oldest first.
   *
   * @param email Only entries to this (lowercased) address.
   * @returns Copies of the entries.
   */
  outbox(email?: string): OutboxEntry[] {
    return this.#outbox
      .filter((entry) => email === undefined || entry.to === email)
      .map((entry) => ({ ...entry }));
  }

  /**
   * The recorded telemetry events, oldest first.
   *
   * @returns Deep copies of the events.
   */
  telemetry(): unknown[] {
    return structuredClone(this.#telemetry);
  }

  /**
   * Debug view of the key store: exactly what is kept for each key.
   *
   * @returns Copies of the stored records, oldest first.
   */
  keys(): StoredKey[] {
    return [...this.#keys.values()].map((key) => ({ ...key }));
  }

  /** Forgets everything. */
  reset(): void {
    this.#outbox = [];
    this.#lastSentMs.clear();
    this.#codes.clear();
    this.#tokens.clear();
    this.#keys.clear();
    this.#telemetry = [];
  }
}
