/**
 * Fault injection: a per-path queue of scripted failures.
 *
 * @module
 */

/** The ways an injected fault can fail a request. */
export const FAULT_MODES = [
  "500",
  "html502",
  "not-json",
  "hang",
  "delay",
  "wrapped",
  "redirect",
  "endless",
  "respond",
] as const;

/** One of {@linkcode FAULT_MODES}. */
export type FaultMode = typeof FAULT_MODES[number];

/** Delay used by `"delay"` faults when `delayMs` is not given. */
export const DEFAULT_DELAY_MS = 1_000;

/** Largest accepted `delayMs` (the largest timer delay). */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/** Prefix of the control routes, which faults never apply to. */
export const CONTROL_PREFIX = "/_emulator";

/** A fault as applied to one request. */
export interface Fault {
  /** How the request fails. */
  mode: FaultMode;
  /** For `"delay"`: milliseconds to wait before answering normally. */
  delayMs: number;
  /** For `"respond"`: the status to answer with (default 200). */
  status?: number;
  /** For `"respond"`: the body, sent as JSON (a string is sent as it is). */
  body?: unknown;
  /** For `"respond"`: extra response headers. For `"redirect"`: `location` sets the target. */
  headers?: Record<string, string>;
}

/** A validated `POST /_emulator/faults` body. */
export interface FaultSpec extends Fault {
  /** Exact pathname the fault applies to. */
  path: string;
  /** How many requests it applies to (at least 1). */
  count: number;
}

/** Outcome of {@linkcode parseFaultSpec}. */
export type FaultSpecResult = { ok: true; spec: FaultSpec } | { ok: false; message: string };

/**
 * Whether a pathname belongs to the control routes (`/_emulator` or below).
 *
 * @param path A URL pathname.
 * @returns `true` for control routes.
 */
export function isControlPath(path: string): boolean {
  return path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
}

function isFaultMode(value: unknown): value is FaultMode {
  return typeof value === "string" && (FAULT_MODES as readonly string[]).includes(value);
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * Validates a `POST /_emulator/faults` body `{path, mode, count?, delayMs?}`.
 *
 * @param body The parsed JSON body.
 * @returns The spec with defaults filled in (`count` 1, `delayMs` {@linkcode DEFAULT_DELAY_MS}),
 *   or an error message.
 */
export function parseFaultSpec(body: unknown): FaultSpecResult {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, message: "Body must be a JSON object" };
  }
  const { path, mode, count = 1, delayMs = DEFAULT_DELAY_MS } = body as Record<string, unknown>;
  if (typeof path !== "string" || !path.startsWith("/")) {
    return { ok: false, message: '"path" must be a pathname starting with "/"' };
  }
  if (isControlPath(path)) {
    return { ok: false, message: "Faults cannot target /_emulator routes" };
  }
  if (!isFaultMode(mode)) {
    return { ok: false, message: `"mode" must be one of ${FAULT_MODES.join(", ")}` };
  }
  if (!isIntegerIn(count, 1, Number.MAX_SAFE_INTEGER)) {
    return { ok: false, message: '"count" must be a positive integer' };
  }
  if (!isIntegerIn(delayMs, 0, MAX_DELAY_MS)) {
    return { ok: false, message: `"delayMs" must be an integer from 0 to ${MAX_DELAY_MS}` };
  }
  const { status, body: responseBody, headers } = body as Record<string, unknown>;
  if (status !== undefined && !isIntegerIn(status, 200, 599)) {
    return { ok: false, message: '"status" must be an integer from 200 to 599' };
  }
  const headersOk = headers === undefined ||
    (typeof headers === "object" && headers !== null && !Array.isArray(headers) &&
      Object.values(headers).every((v) => typeof v === "string"));
  if (!headersOk) return { ok: false, message: '"headers" must map names to strings' };
  const spec: FaultSpec = { path, mode, count, delayMs };
  if (status !== undefined) spec.status = status;
  if (responseBody !== undefined) spec.body = responseBody;
  if (headers !== undefined) spec.headers = headers as Record<string, string>;
  return { ok: true, spec };
}

interface QueuedFault extends Fault {
  remaining: number;
}

/** Scripted faults, queued per exact pathname and consumed in order. */
export class FaultQueue {
  #queues = new Map<string, QueuedFault[]>();

  /**
   * Queues a fault behind any already queued for the same path.
   *
   * @param spec The fault.
   */
  add(spec: FaultSpec): void {
    const queue = this.#queues.get(spec.path) ?? [];
    const { path: _path, count, ...fault } = spec;
    queue.push({ ...fault, remaining: count });
    this.#queues.set(spec.path, queue);
  }

  /**
   * Consumes one use of the first fault queued for `path`.
   *
   * @param path The request's pathname.
   * @returns The fault to apply, or `undefined` when none is queued.
   */
  take(path: string): Fault | undefined {
    const queue = this.#queues.get(path);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    head.remaining--;
    if (head.remaining <= 0) queue.shift();
    if (queue.length === 0) this.#queues.delete(path);
    const { remaining: _remaining, ...fault } = head;
    return fault;
  }

  /**
   * How many requests to `path` (or to any path) will still fail.
   *
   * @param path Restrict the count to this pathname.
   * @returns The number of pending fault uses.
   */
  size(path?: string): number {
    let total = 0;
    for (const [key, queue] of this.#queues) {
      if (path !== undefined && key !== path) continue;
      for (const fault of queue) total += fault.remaining;
    }
    return total;
  }

  /** Forgets every queued fault. */
  clear(): void {
    this.#queues.clear();
  }
}
