/**
 * HTTP helpers shared by the emulator routes: JSON responses, error bodies,
 * request body parsing and bearer tokens.
 *
 * @module
 */

/** The `content-type` of every JSON response. */
export const JSON_CONTENT_TYPE = "application/json";

/** Body of every error response. Some errors add fields (for example `retryAfter`). */
export interface ErrorBody {
  /** Machine-readable error code, such as `invalid_code`. */
  error: string;
  /** Human-readable explanation. */
  message: string;
}

/**
 * A JSON response.
 *
 * @param status The HTTP status.
 * @param body Any JSON-serialisable value.
 * @param headers Extra headers; `content-type` is always `application/json`.
 * @returns The response.
 */
export function jsonResponse(status: number, body: unknown, headers?: HeadersInit): Response {
  const merged = new Headers(headers);
  merged.set("content-type", JSON_CONTENT_TYPE);
  return new Response(JSON.stringify(body), { status, headers: merged });
}

/**
 * A JSON error response `{"error": code, "message": message, ...extra}`.
 *
 * @param status The HTTP status.
 * @param error The machine-readable code.
 * @param message The human-readable text.
 * @param extra Extra body fields.
 * @param headers Extra headers.
 * @returns The response.
 */
export function errorResponse(
  status: number,
  error: string,
  message: string,
  extra?: Record<string, unknown>,
  headers?: HeadersInit,
): Response {
  const body: ErrorBody & Record<string, unknown> = { error, message, ...extra };
  return jsonResponse(status, body, headers);
}

/**
 * A response without a body (204 by default).
 *
 * @param status The HTTP status.
 * @returns The response.
 */
export function emptyResponse(status = 204): Response {
  return new Response(null, { status });
}

/** Outcome of {@linkcode readJson}. */
export type JsonBody = { ok: true; value: unknown } | { ok: false };

/**
 * Reads and parses the request body as JSON. The `content-type` header is not
 * required. An empty body is not JSON.
 *
 * @param request The request; its body is consumed.
 * @returns The parsed value, or `{ok: false}` when the body is not JSON.
 */
export async function readJson(request: Request): Promise<JsonBody> {
  let text: string;
  try {
    text = await request.text();
  } catch {
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Reads the body as a JSON object (not an array, not `null`).
 *
 * @param request The request; its body is consumed.
 * @returns The object, or `undefined` when the body is not a JSON object.
 */
export async function readJsonObject(
  request: Request,
): Promise<Record<string, unknown> | undefined> {
  const body = await readJson(request);
  if (!body.ok) return undefined;
  const value = body.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

/**
 * The credential of an `Authorization: Bearer <credential>` header (scheme
 * matched case-insensitively).
 *
 * @param request The request.
 * @returns The credential, or `undefined` when the header is missing, empty or another scheme.
 */
export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  if (header === null) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}
