/**
 * Requests held open by `"hang"` and `"delay"` faults.
 *
 * @module
 */

/** Why a held request was let go. */
export type WaitOutcome = "elapsed" | "aborted" | "released";

/**
 * Tracks held requests so they can be released all at once (on reset or
 * close). Holds never leak timers or listeners: whichever of timeout, abort or
 * release comes first clears the others.
 */
export class PendingRequests {
  #releases = new Set<() => void>();

  /**
   * Holds a request until `signal` aborts, {@linkcode releaseAll} is called,
   * or (when `delayMs` is given) the delay elapses.
   *
   * The hold is registered synchronously, before this method returns.
   *
   * @param signal The request's abort signal.
   * @param delayMs Milliseconds until the hold ends by itself; omit to hold indefinitely.
   * @returns What ended the hold.
   */
  wait(signal: AbortSignal, delayMs?: number): Promise<WaitOutcome> {
    if (signal.aborted) return Promise.resolve("aborted");
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (outcome: WaitOutcome): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.#releases.delete(release);
        resolve(outcome);
      };
      const onAbort = (): void => finish("aborted");
      const release = (): void => finish("released");
      signal.addEventListener("abort", onAbort, { once: true });
      this.#releases.add(release);
      if (delayMs !== undefined) timer = setTimeout(() => finish("elapsed"), delayMs);
    });
  }

  /** How many requests are currently held. */
  get size(): number {
    return this.#releases.size;
  }

  /**
   * Ends every hold with outcome `"released"`.
   *
   * @returns How many requests were released.
   */
  releaseAll(): number {
    const releases = [...this.#releases];
    for (const release of releases) release();
    return releases.length;
  }
}
