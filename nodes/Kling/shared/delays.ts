/** How long the engine waits between tries, in milliseconds. */
export interface Delays {
	/** Backoff after a 5xx, a reset, a timeout or 1302: base × 2^attempt, capped. */
	retryBaseMs: number;
	retryMaxMs: number;
	/** Backoff after 1303 (account concurrency full). */
	busyBaseMs: number;
	busyMaxMs: number;
	/** No retry comes sooner than this, whatever Retry-After says (Kling advises about 1 s). */
	minRetryMs: number;
	/** Minimum gap between two status polls on one account, so many tasks never burst. */
	pollSpacingMs: number;
	/**
	 * After a 1303, the cap is probed upwards again only once this long has passed without
	 * another 1303; each probe Kling refuses doubles the wait, up to 8 times this.
	 */
	probeQuietMs: number;
}

/** The delays the node uses. */
export const DELAYS: Readonly<Delays> = Object.freeze({
	retryBaseMs: 1000,
	retryMaxMs: 30_000,
	busyBaseMs: 1000,
	busyMaxMs: 30_000,
	minRetryMs: 1000,
	pollSpacingMs: 100,
	probeQuietMs: 10_000,
});

let current: Readonly<Delays> = DELAYS;

/** The delays in force. */
export function delays(): Readonly<Delays> {
	return current;
}

/**
 * Development hook, never called by the node: the test suites (dev/kling.mjs
 * `useFastRetries`) shorten every delay by the same rules, so that a fault scenario takes
 * milliseconds. Called without an argument it restores DELAYS.
 */
export function useDelaysForDevelopment(shorter?: Partial<Delays>): void {
	current = Object.freeze({ ...DELAYS, ...shorter });
}
