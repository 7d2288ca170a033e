/**
 * How messages name the account a key authenticates.
 *
 * @module
 */

import type { Account } from "../client.ts";

/**
 * Names an account: the email (and full name) of a legacy key, the id of a typed key.
 *
 * @example
 * ```ts
 * import { describeAccount } from "./account.ts";
 * import assert from "node:assert/strict";
 * const account = {
 *   kind: "legacy" as const,
 *   subjectType: "user",
 *   subjectId: "usr_1",
 *   email: "ada@example.com",
 *   fullName: "Ada Lovelace",
 *   orgCount: 1,
 * };
 * assert.equal(describeAccount(account), "ada@example.com (Ada Lovelace)");
 * ```
 *
 * @param account What the platform said of the key.
 * @returns A short phrase.
 */
export function describeAccount(account: Account): string {
  if (account.kind === "typed") return `typed API key ${account.subjectId}`;
  const name = account.fullName ? ` (${account.fullName})` : "";
  return account.email ? `${account.email}${name}` : `user ${account.subjectId}`;
}
