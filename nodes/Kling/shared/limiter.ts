import { sleep } from 'n8n-workflow';

import { timing } from './constants';

/** One held place among the tasks a node run keeps in flight at Kling. */
export interface Slot {
	release(): void;
	/** Gives the place back, waits, then queues for one again (after a 1303 answer). */
	requeue(delayMs: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): Error {
	return signal.reason instanceof Error ? signal.reason : new Error('Aborted');
}

/**
 * Caps the tasks one node run has in flight at Kling and spaces its status polls. Items run
 * concurrently (RoutingNode sends every item at once); they share the limiter of their
 * execution and node. A 1303 answer (account concurrency full) lowers the cap to what Kling
 * accepted, so the remaining items queue here instead of being rejected again; each task that
 * finishes raises it by one again, up to the configured cap.
 */
export class TaskLimiter {
	private active = 0;
	private readonly waiters: Array<() => void> = [];
	private nextPollAt = 0;

	/** The cap the user configured; a 1303 lowers `limit` below it for a while. */
	private readonly max: number;

	constructor(
		public limit: number,
		private readonly onIdle: () => void = () => {},
	) {
		this.max = limit;
	}

	get inFlight(): number {
		return this.active;
	}

	async acquire(signal?: AbortSignal): Promise<Slot> {
		await this.take(signal);
		return this.slot();
	}

	private async take(signal?: AbortSignal): Promise<void> {
		if (this.active < this.limit) {
			this.active++;
		} else {
			await new Promise<void>((resolve, reject) => {
				if (signal?.aborted) return reject(abortReason(signal));
				const grant = () => {
					signal?.removeEventListener('abort', onAbort);
					resolve();
				};
				const onAbort = () => {
					const index = this.waiters.indexOf(grant);
					if (index >= 0) this.waiters.splice(index, 1);
					reject(abortReason(signal as AbortSignal));
				};
				signal?.addEventListener('abort', onAbort, { once: true });
				this.waiters.push(grant);
			});
		}
	}

	/** Kling refused a task for concurrency: it accepts fewer than we hold, including this one. */
	shrink(): void {
		this.limit = Math.max(1, Math.min(this.limit, this.active - 1));
	}

	/**
	 * One of our tasks finished at Kling, so the account has room again: probe one place
	 * higher (a refused create costs nothing), up to the configured cap. Without this, tasks
	 * started elsewhere on the account would keep the rest of the run at the lowered cap.
	 */
	grow(): void {
		if (this.limit < this.max) this.limit++;
	}

	/**
	 * Books the next status poll of one task, `intervalMs` from now or later, so that polls of
	 * this run start at least `pollSpacingMs` apart. Returns how long to wait for it.
	 */
	reservePoll(intervalMs: number): number {
		const now = Date.now();
		const at = Math.max(now + intervalMs, this.nextPollAt);
		this.nextPollAt = at + timing.pollSpacingMs;
		return at - now;
	}

	private slot(): Slot {
		let held = true;
		const giveBack = (mayForget: boolean) => {
			if (!held) return;
			held = false;
			this.active--;
			this.grantWaiting(mayForget);
		};
		return {
			release: () => giveBack(true),
			requeue: async (delayMs, signal) => {
				// Not "idle" while this item waits to try again: the lowered cap must survive.
				giveBack(false);
				let back = false;
				try {
					await sleep(delayMs, signal);
					await this.take(signal);
					back = true;
				} finally {
					if (!back) this.grantWaiting(true); // stopped while waiting
				}
				held = true;
			},
		};
	}

	private grantWaiting(mayForget: boolean): void {
		while (this.active < this.limit && this.waiters.length > 0) {
			this.active++;
			(this.waiters.shift() as () => void)();
		}
		if (mayForget && this.active === 0 && this.waiters.length === 0) this.onIdle();
	}
}

const limiters = new Map<string, TaskLimiter>();

/** The limiter shared by all items of one node in one execution. */
export function limiterFor(key: string, limit: number): TaskLimiter {
	let limiter = limiters.get(key);
	if (!limiter) {
		limiter = new TaskLimiter(Math.max(1, Math.floor(limit)), () => limiters.delete(key));
		limiters.set(key, limiter);
	}
	return limiter;
}
