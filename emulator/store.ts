/**
 * The emulator's in-memory state and the rules of the auth flow: one-time codes, sign-in
 * tokens, accounts (one organisation with one agent each), API keys of both kinds (stored only
 * as SHA-256 hashes), the outbox and recorded telemetry. No HTTP here; see `handler.ts`.
 *
 * @module
 */

import {
  generateCode,
  randomBase64Url,
  type RandomBytes,
  randomHex,
  randomUuid,
  sha256Hex,
  timingSafeEqual,
} from "./crypto.ts";

/** Minimum time between two codes sent to the same address. */
export const RESEND_INTERVAL_MS = 30_000;
/** A code is accepted until it is older than this. */
export const CODE_TTL_MS = 10 * 60_000;
/** Wrong tries a code survives; the next try finds it burned. */
export const MAX_WRONG_TRIES = 5;
/** A sign-in token is accepted until it is older than this. */
export const SIGN_IN_TOKEN_TTL_MS = 5 * 60_000;
/** Format of legacy API keys: `api_` and 32 lowercase hex digits (16 random bytes). */
export const LEGACY_KEY_PATTERN: RegExp = /^api_[0-9a-f]{32}$/;
/** Format of typed API keys: `api_<uuid v4>.<43 base64url characters>`. */
export const TYPED_KEY_PATTERN: RegExp =
  /^api_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/;
/** Format of key ids: `key_` and 8 lowercase hex digits. */
export const KEY_ID_PATTERN: RegExp = /^key_[0-9a-f]{8}$/;
/** Format of sign-in tokens: `sit_` and 64 lowercase hex digits (32 random bytes). */
export const SIGN_IN_TOKEN_PATTERN: RegExp = /^sit_[0-9a-f]{64}$/;

/** The two kinds of key the platform issues. */
export type KeyKind = "typed" | "legacy";

/** An email the emulator "sent". */
export interface OutboxEntry {
  /** Lowercased recipient. */
  to: string;
  /** The six-digit code. */
  code: string;
  /** When it was sent, ISO 8601. */
  sentAt: string;
}

/** An account: a user with one organisation holding one agent. */
export interface Account {
  userId: string;
  email: string;
  fullName: string;
  orgId: string;
  orgName: string;
  agentId: string;
  agentName: string;
}

/** What the store keeps of an API key: never the key itself. */
export interface StoredKey {
  /** SHA-256 of the key, hex. */
  keyHash: string;
  /** The owner's address. */
  email: string;
  /** Typed or legacy. */
  kind: KeyKind;
  /** The key's id (`apiId`), the principal of a typed key. */
  keyId: string;
  /** The owner's user id, the principal of a legacy key. */
  userId: string;
  /** When it was created, ISO 8601. */
  createdAt: string;
  /** Whether it was revoked (through the control route; no client revokes). */
  revoked: boolean;
}

/** A key that authenticated, with its account. */
export interface Authenticated {
  key: StoredKey;
  account: Account;
}

/** Options of {@linkcode AuthStore}. */
export interface AuthStoreOptions {
  /** Clock, ms since the epoch. */
  now: () => number;
  /** Random source. */
  randomBytes: RandomBytes;
}

/** The outcome of {@linkcode AuthStore.sendCode}. */
export type SendCodeResult =
  | { ok: true; entry: OutboxEntry }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/** The outcome of {@linkcode AuthStore.verifyCode}. */
export type VerifyCodeResult =
  | { ok: true; signInToken: string }
  | { ok: false; reason: "invalid_code"; attemptsRemaining?: number }
  | { ok: false; reason: "code_burned" | "expired_code" };

/** The outcome of {@linkcode AuthStore.redeemSignInToken}. */
export type RedeemResult =
  | { ok: true; apiKey: string; key: StoredKey }
  | { ok: false; reason: "unknown_token" | "expired_token" };

/** The outcome of {@linkcode AuthStore.revokeKey}. */
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

/** A display name made from an address: `ada.lovelace@…` → `Ada Lovelace`. */
function nameOf(email: string): string {
  const local = email.slice(0, email.indexOf("@"));
  const words = local.split(/[._+-]+/).filter((w) => w !== "");
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(" ") || local;
}

/** The auth flow's state and rules. */
export class AuthStore {
  #now: () => number;
  #randomBytes: RandomBytes;
  #outbox: OutboxEntry[] = [];
  #lastSentMs = new Map<string, number>();
  #codes = new Map<string, CodeRecord>();
  #tokens = new Map<string, TokenRecord>();
  #keys = new Map<string, StoredKey>();
  #accounts = new Map<string, Account>();
  #telemetry: unknown[] = [];

  /** @param options Clock and random source. */
  constructor(options: AuthStoreOptions) {
    this.#now = options.now;
    this.#randomBytes = options.randomBytes;
  }

  /**
   * "Sends" a code: records it in the outbox, replacing any earlier code for the address.
   *
   * @param email A normalised address.
   * @returns The entry, or how long to wait when a code was sent less than 30 s ago.
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
   * Checks a code. A right code works once and yields a sign-in token; five wrong tries burn
   * it; it expires after 10 minutes.
   *
   * @param email A normalised address.
   * @param pin The code to check.
   * @returns The token, or why not.
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
   * Redeems a sign-in token (once, within 5 minutes) for a new legacy key, as the platform's
   * `/profile/apiKey` did.
   *
   * @param token The sign-in token.
   * @returns The new key and its record, or why not.
   */
  async redeemSignInToken(token: string): Promise<RedeemResult> {
    const record = this.#tokens.get(token);
    if (record === undefined) return { ok: false, reason: "unknown_token" };
    this.#tokens.delete(token);
    if (this.#now() - record.issuedAtMs > SIGN_IN_TOKEN_TTL_MS) {
      return { ok: false, reason: "expired_token" };
    }
    const created = await this.createApiKey(record.email, "legacy");
    return { ok: true, ...created };
  }

  /**
   * The account of an address, created on first use.
   *
   * @param email A normalised address.
   * @returns The account.
   */
  account(email: string): Account {
    const known = this.#accounts.get(email);
    if (known) return { ...known };
    const hex = (n: number) => randomHex(this.#randomBytes, n);
    const fullName = nameOf(email);
    const account: Account = {
      userId: `usr_${hex(8)}`,
      email,
      fullName,
      orgId: `org_${hex(6)}`,
      orgName: `${fullName}'s organization`,
      agentId: `agt_${hex(6)}`,
      agentName: "Base Agent",
    };
    this.#accounts.set(email, account);
    return { ...account };
  }

  /**
   * Creates a key of the given kind for an address.
   *
   * @param email A normalised address.
   * @param kind `"legacy"` (`api_<32 hex>`) or `"typed"` (`api_<uuid>.<secret>`).
   * @returns The key (shown once) and what is stored of it.
   */
  async createApiKey(
    email: string,
    kind: KeyKind = "legacy",
  ): Promise<{ apiKey: string; key: StoredKey }> {
    const account = this.account(email);
    const apiKey = kind === "typed"
      ? `api_${randomUuid(this.#randomBytes)}.${randomBase64Url(this.#randomBytes, 32)}`
      : `api_${randomHex(this.#randomBytes, 16)}`;
    const key: StoredKey = {
      keyHash: await sha256Hex(apiKey),
      email,
      kind,
      keyId: this.#newKeyId(),
      userId: account.userId,
      createdAt: new Date(this.#now()).toISOString(),
      revoked: false,
    };
    this.#keys.set(key.keyHash, key);
    return { apiKey, key: { ...key } };
  }

  #newKeyId(): string {
    const used = new Set([...this.#keys.values()].map((key) => key.keyId));
    for (;;) {
      const keyId = `key_${randomHex(this.#randomBytes, 4)}`;
      if (!used.has(keyId)) return keyId;
    }
  }

  /**
   * Looks a key up.
   *
   * @param apiKey The presented key.
   * @returns Its record and account, or `undefined` when unknown or revoked.
   */
  async authenticate(apiKey: string): Promise<Authenticated | undefined> {
    const stored = this.#keys.get(await sha256Hex(apiKey));
    if (stored === undefined || stored.revoked) return undefined;
    return { key: { ...stored }, account: this.account(stored.email) };
  }

  /**
   * Revokes a key.
   *
   * @param apiKey The key.
   * @returns What happened.
   */
  async revokeKey(apiKey: string): Promise<RevokeResult> {
    const stored = this.#keys.get(await sha256Hex(apiKey));
    if (stored === undefined) return "unknown";
    if (stored.revoked) return "already_revoked";
    stored.revoked = true;
    return "revoked";
  }

  /** @param event A telemetry event to keep. */
  recordTelemetry(event: unknown): void {
    this.#telemetry.push(structuredClone(event));
  }

  /**
   * The sent emails, oldest first.
   *
   * @param email Only those to this address.
   * @returns Copies of the entries.
   */
  outbox(email?: string): OutboxEntry[] {
    return this.#outbox
      .filter((entry) => email === undefined || entry.to === email)
      .map((entry) => ({ ...entry }));
  }

  /** @returns The recorded telemetry events, oldest first. */
  telemetry(): unknown[] {
    return structuredClone(this.#telemetry);
  }

  /** @returns What is stored of every key. */
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
    this.#accounts.clear();
    this.#telemetry = [];
  }
}
