/**
 * The one way tests issue a key: as the admin dashboard would, through the emulator's control
 * route `POST /_emulator/api-keys`, in process or over HTTP.
 *
 * @module
 */

/** An emulator: in process (its `handler`) or served (its `url`). */
export type EmulatorLike = { handler(request: Request): Promise<Response> } | { url: string };

/**
 * Issues a key: a legacy key (`api_<32 hex>`, a user principal) unless `kind` says `"typed"`
 * (`api_<uuid>.<secret>`, an API-key principal).
 *
 * @example
 * ```ts
 * import { createEmulator } from "../emulator/handler.ts";
 * import { issueKey } from "./issue_key.ts";
 * import assert from "node:assert/strict";
 * assert.match(await issueKey(createEmulator()), /^api_[0-9a-f]{32}$/);
 * ```
 *
 * @param emulator The emulator.
 * @param email The account.
 * @param kind The kind of key.
 * @returns The key.
 * @throws {Error} When the route does not answer 201 with a key.
 */
export async function issueKey(
  emulator: EmulatorLike,
  email = "ada@example.com",
  kind: "legacy" | "typed" = "legacy",
): Promise<string> {
  const origin = "url" in emulator ? emulator.url : "http://emulator.test";
  const request = new Request(`${origin}/_emulator/api-keys`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, kind }),
  });
  const response = "url" in emulator ? await fetch(request) : await emulator.handler(request);
  const text = await response.text();
  const apiKey = response.status === 201 ? (JSON.parse(text) as { apiKey?: unknown }).apiKey : null;
  if (typeof apiKey !== "string") {
    throw new Error(`POST /_emulator/api-keys answered ${response.status}: ${text}`);
  }
  return apiKey;
}
