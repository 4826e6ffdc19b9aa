import { createHash } from 'node:crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { delays } from './delays';

/** One held place among the tasks in flight on a Kling account. */
export interface Slot {
	release(): void;
	/** Gives the place back, waits, then queues for one again (after a 1303 answer). */
	requeue(delayMs: number, signal?: AbortSignal): Promise<void>;
}

interface Waiter {
	cap: number;
	grant: () => void;
}

function abortReason(signal: AbortSignal): Error {
	return signal.reason instanceof Error ? signal.reason : new Error('Aborted');
}

/**
 * Caps the tasks one Kling account has in flight from this n8n process and spaces their
 * status polls. Every item of every execution that uses the account shares it; each asks
 * with its node's Max Tasks in Flight (`cap`) and gets a place only while fewer than
 * min(cap, limit) tasks are in flight.
 *
 * `limit` is what the account is believed to accept. It starts at 1 and rises with each
 * accepted create (slow start) up to the largest cap asked for; a 1303 answer lowers it to
 * what Kling accepted. After that it is probed one place upwards again only when a task has
 * finished and neither a 1303 nor another probe came for a quiet period, which doubles
 * whenever a probe is refused — a refused create costs nothing, but each is a request.
 */
export class TaskLimiter {
	limit = 1;
	private active = 0;
	private ceiling = 1;
	private readonly waiters: Waiter[] = [];
	private nextPollAt = 0;
	private slowStart = true;
	private lastBusyAt = 0;
	private quietMs = 0;
	private probing = false;
	private lastProbeAt = 0;
	/** 1303 answers in a row on this account, and until when no new create may start. */
	private busyStreak = 0;
	private closedUntil = 0;
	private reopening = false;

	constructor(cap = 1) {
		this.raiseCeiling(cap);
	}

	get inFlight(): number {
		return this.active;
	}

	/** Lets this limiter rise to `cap` (the largest Max Tasks in Flight among its users). */
	raiseCeiling(cap: number): void {
		this.ceiling = Math.max(this.ceiling, Math.max(1, Math.floor(cap)));
	}

	async acquire(cap: number, signal?: AbortSignal): Promise<Slot> {
		const own = Math.max(1, Math.floor(cap));
		this.raiseCeiling(own);
		await this.take(own, signal);
		return this.slot(own);
	}

	private room(cap: number): boolean {
		return this.active < Math.min(cap, this.limit) && Date.now() >= this.closedUntil;
	}

	private async take(cap: number, signal?: AbortSignal): Promise<void> {
		if (this.waiters.length === 0 && this.room(cap)) {
			this.active++;
			return;
		}
		await new Promise<void>((resolve, reject) => {
			if (signal?.aborted) return reject(abortReason(signal));
			const waiter: Waiter = {
				cap,
				grant: () => {
					signal?.removeEventListener('abort', onAbort);
					resolve();
				},
			};
			const onAbort = () => {
				const index = this.waiters.indexOf(waiter);
				if (index >= 0) this.waiters.splice(index, 1);
				reject(abortReason(signal as AbortSignal));
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			this.waiters.push(waiter);
		});
	}

	/** Kling accepted a create: during slow start, allow one more. */
	accepted(): void {
		this.busyStreak = 0;
		if (this.slowStart && this.limit < this.ceiling) {
			this.limit++;
			this.grantWaiting();
		}
	}

	/** Kling refused a task for concurrency: it accepts fewer than we hold, including this one. */
	shrink(): void {
		this.slowStart = false;
		this.limit = Math.max(1, Math.min(this.limit, this.active - 1));
		const { probeQuietMs } = delays();
		// A refused probe: wait twice as long before the next one.
		this.quietMs = this.probing
			? Math.min(this.quietMs * 2, 8 * probeQuietMs)
			: this.quietMs || probeQuietMs;
		this.probing = false;
		this.lastBusyAt = Date.now();
		// The account is full: no item of this process starts a create for a while, growing with
		// each 1303 in a row (other workers or workflows may hold the account for minutes).
		const { busyBaseMs, busyMaxMs } = delays();
		const closedMs = Math.min(busyMaxMs, busyBaseMs * 2 ** this.busyStreak);
		this.busyStreak++;
		this.closedUntil = Math.max(this.closedUntil, this.lastBusyAt + closedMs);
		void this.reopenLater();
	}

	/** Hands places to waiters again once the account-wide pause after a 1303 is over. */
	private async reopenLater(): Promise<void> {
		if (this.reopening) return;
		this.reopening = true;
		try {
			while (Date.now() < this.closedUntil) await sleep(this.closedUntil - Date.now());
		} finally {
			this.reopening = false;
		}
		this.grantWaiting();
	}

	/**
	 * One of our tasks finished at Kling, so the account may have room again: after a quiet
	 * period without 1303, probe one place higher, up to the largest cap asked for. Without
	 * this, tasks started elsewhere on the account would keep us at the lowered cap.
	 */
	grow(): void {
		if (this.slowStart || this.limit >= this.ceiling) return;
		const now = Date.now();
		if (now - Math.max(this.lastBusyAt, this.lastProbeAt) < this.quietMs) return;
		this.limit++;
		this.probing = true;
		this.lastProbeAt = now;
		this.grantWaiting();
	}

	/**
	 * Books the next status poll of one task, `intervalMs` from now or later, so that polls on
	 * this account start at least `pollSpacingMs` apart. Returns how long to wait for it.
	 */
	reservePoll(intervalMs: number): number {
		const now = Date.now();
		const at = Math.max(now + intervalMs, this.nextPollAt);
		this.nextPollAt = at + delays().pollSpacingMs;
		return at - now;
	}

	private slot(cap: number): Slot {
		let held = true;
		const giveBack = () => {
			if (!held) return;
			held = false;
			this.active--;
			this.grantWaiting();
		};
		return {
			release: giveBack,
			requeue: async (delayMs, signal) => {
				giveBack();
				let back = false;
				try {
					await sleep(delayMs, signal);
					await this.take(cap, signal);
					back = true;
				} finally {
					if (!back) this.grantWaiting(); // stopped while waiting
				}
				held = true;
			},
		};
	}

	/** Hands free places to waiters in order, each within its own cap. */
	private grantWaiting(): void {
		for (let index = 0; index < this.waiters.length && this.active < this.limit; ) {
			const waiter = this.waiters[index];
			if (this.room(waiter.cap)) {
				this.waiters.splice(index, 1);
				this.active++;
				waiter.grant();
			} else {
				index++;
			}
		}
	}
}

/** A registry entry: the limiter and how many items use it now. */
interface Entry {
	limiter: TaskLimiter;
	users: number;
}

const accounts = new Map<string, Entry>();

/** A hold on an account's limiter; `done()` once the item no longer needs it. */
export interface AccountLease {
	limiter: TaskLimiter;
	done(): void;
}

/**
 * The identity of a Kling account: a hash of the key (API key or access key) and the Base
 * URL. Two credentials with the same key share a limiter; the key itself is never kept.
 */
export function accountKeyOf(credentials: ICredentialDataDecryptedObject, baseUrl: string): string {
	const key =
		credentials.authType === 'accessKey'
			? `access:${String(credentials.accessKey ?? '').trim()}`
			: `api:${String(credentials.apiKey ?? '').trim()}`;
	return createHash('sha256').update(`${key}\n${baseUrl}`).digest('hex').slice(0, 32);
}

/**
 * The limiter of one Kling account, shared by every execution in this process. The entry is
 * removed when its last user is done, so nothing accumulates between runs.
 */
export function useAccountLimiter(accountKey: string, cap: number): AccountLease {
	let entry = accounts.get(accountKey);
	if (!entry) {
		entry = { limiter: new TaskLimiter(cap), users: 0 };
		accounts.set(accountKey, entry);
	}
	entry.limiter.raiseCeiling(cap);
	entry.users++;
	const held = entry;
	let done = false;
	return {
		limiter: held.limiter,
		done: () => {
			if (done) return;
			done = true;
			held.users--;
			if (held.users === 0 && accounts.get(accountKey) === held) accounts.delete(accountKey);
		},
	};
}

/** How many account limiters exist now (0 when no item is running). */
export function accountLimiterCount(): number {
	return accounts.size;
}
