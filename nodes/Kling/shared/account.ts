import { createHash } from 'node:crypto';
import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { CREDENTIAL_TYPE, MAX_TRANSIENT_ATTEMPTS } from './constants';
import { cancelledError, inputError, klingApiError } from './errors';
import { checkCredential, optionsOf } from './hooks';
import {
	type Answer as Exchange,
	failureOf,
	parseEnvelope,
	sendToKling as exchange,
} from './transport';
import type { KlingEnvelope } from './types';
import { normaliseBaseUrl, type Problem } from './validation';

// Account resource (kling-api-more.md §10): resource packs (GET /account/costs, QPS ≤ 1,
// double-wrapped answer) and per-task deductions (POST /account/billing/package|balance, cursor
// paging). None of these calls costs anything.

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_PACKS_WINDOW_DAYS = 365;
export const DEFAULT_COSTS_WINDOW_DAYS = 30;
export const MAX_BILLING_PAGE = 500;

/**
 * Gap between the answer to one account call and the next call on the same account. Kling
 * allows one call per second on /account/costs and counts arrivals; waiting from the previous
 * *answer* (not from when the previous call was booked) keeps the gap even when a busy machine
 * sends a call late. Exported so tests can read (and shorten) it; the node never changes it.
 */
export const accountTiming = { minGapMs: 1100, answerTimeoutMs: 15_000 };

// ---------------------------------------------------------------------------------------------
// One call per second per account, across items, node runs and executions of this process

/** Per account: settles when the last booked call has been answered and the gap is over. */
const lanes = new Map<string, Promise<void>>();

export interface AccountTurn {
	/** Settles when this call may be sent. */
	ready: Promise<void>;
	/** Call when the answer came back (or the call was dropped): the gap starts then. */
	done(): void;
}

/**
 * Books the next account call of `key` behind all calls booked before it. A call whose `done`
 * is never called (an answer that never came) holds the lane at most `answerTimeoutMs`.
 */
export function takeAccountTurn(key: string): AccountTurn {
	const previous = lanes.get(key) ?? Promise.resolve();
	let done: () => void = () => {};
	const answered = new Promise<void>((resolve) => (done = resolve));
	const lane = previous.then(async () => {
		await Promise.race([answered, sleep(accountTiming.answerTimeoutMs)]);
		await sleep(accountTiming.minGapMs);
	});
	lanes.set(key, lane);
	// Forget an idle lane so the map does not grow with every credential ever used.
	void lane.then(() => {
		if (lanes.get(key) === lane) lanes.delete(key);
	});
	return { ready: previous, done };
}

/** The account a credential points at, as a digest (the key itself is never kept). */
async function accountKey(ctx: IExecuteSingleFunctions): Promise<string> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const who =
		credentials.authType === 'accessKey'
			? `ak:${String(credentials.accessKey ?? '').trim()}`
			: `key:${String(credentials.apiKey ?? '').trim()}`;
	return createHash('sha256')
		.update(`${normaliseBaseUrl(credentials.baseUrl)}\n${who}`)
		.digest('hex');
}

/** Waits for this account's turn (after `extraMs`, e.g. Kling's Retry-After); returns `done`. */
async function awaitTurn(ctx: IExecuteSingleFunctions, extraMs = 0): Promise<() => void> {
	const key = await accountKey(ctx);
	const signal = ctx.getExecutionCancelSignal();
	try {
		if (extraMs > 0) await sleep(extraMs, signal);
	} catch {
		throw cancelledError(ctx);
	}
	const turn = takeAccountTurn(key);
	const cancelled = new Promise<'cancelled'>((resolve) => {
		if (signal?.aborted) resolve('cancelled');
		signal?.addEventListener('abort', () => resolve('cancelled'), { once: true });
	});
	if ((await Promise.race([turn.ready, cancelled])) === 'cancelled') {
		turn.done();
		throw cancelledError(ctx);
	}
	return turn.done;
}

/** One account call in its turn; the gap to the next one starts when its answer is in. */
async function inTurn(
	ctx: IExecuteSingleFunctions,
	extraMs: number,
	call: () => Promise<Exchange>,
): Promise<Exchange> {
	const done = await awaitTurn(ctx, extraMs);
	try {
		return await call();
	} finally {
		done();
	}
}

/**
 * The declarative request is sent by n8n after the preSend hook: its turn is opened there and
 * closed in the postReceive hook (when its answer is in), keyed by execution, node and item.
 */
const openTurns = new Map<string, () => void>();

function turnKey(ctx: IExecuteSingleFunctions): string {
	const node = ctx.getNode();
	return `${ctx.getExecutionId()}:${node.id ?? node.name}:${ctx.getItemIndex()}`;
}

async function openTurn(ctx: IExecuteSingleFunctions): Promise<void> {
	openTurns.set(turnKey(ctx), await awaitTurn(ctx));
}

function closeTurn(ctx: IExecuteSingleFunctions): void {
	const key = turnKey(ctx);
	openTurns.get(key)?.();
	openTurns.delete(key);
}

// ---------------------------------------------------------------------------------------------
// Parameters

function timeOf(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'number') return value;
	const asObject = value as { toMillis?: () => number };
	if (typeof asObject?.toMillis === 'function') return asObject.toMillis();
	const parsed = Date.parse(String(value));
	return Number.isNaN(parsed) ? Number.NaN : parsed;
}

/** The time window of an account call in Unix ms, checked; `defaultDays` back from now. */
export function windowOf(
	options: IDataObject,
	defaultDays: number,
	now = Date.now(),
): { start: number; end: number } | { problem: Problem } {
	const end = timeOf(options.endTime) ?? now;
	const start = timeOf(options.startTime) ?? end - defaultDays * DAY_MS;
	for (const [value, field] of [
		[end, 'End Time'],
		[start, 'Start Time'],
	] as const) {
		if (!Number.isFinite(value)) {
			return {
				problem: {
					field,
					message: `${field} "${String(field === 'End Time' ? options.endTime : options.startTime)}" is not a date`,
					description: 'Give a date such as 2026-01-31 or 2026-01-31T12:00:00Z, or leave it empty.',
				},
			};
		}
	}
	if (start >= end) {
		return {
			problem: {
				field: 'Start Time',
				message: 'Start Time is not before End Time',
				description: 'Choose a start time earlier than the end time.',
			},
		};
	}
	return { start: Math.round(start), end: Math.round(end) };
}

// ---------------------------------------------------------------------------------------------
// Throttling and the double-wrapped answer

function isThrottled(result: Exchange): boolean {
	const inner = result.envelope?.data as IDataObject | undefined;
	return (
		(result.status === 429 && [undefined, 1302].includes(result.envelope?.code)) ||
		result.envelope?.code === 1302 ||
		inner?.code === 1302
	);
}

function exchangeOf(response: IN8nHttpFullResponse): Exchange {
	const envelope = parseEnvelope(response.body);
	const retryAfter = Number(response.headers?.['retry-after']);
	return {
		status: response.statusCode,
		envelope,
		retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined,
		noAnswer: envelope ? undefined : 'unreadable answer',
	};
}

/**
 * The `data` of a successful account answer. /account/costs wraps its own {code, msg} inside
 * Kling's envelope; a non-zero inner code is an error like any other.
 */
function dataOf(ctx: IExecuteSingleFunctions, result: Exchange): IDataObject {
	const envelope = result.envelope as KlingEnvelope | undefined;
	if (!envelope || envelope.code !== 0 || (result.status ?? 200) >= 300) {
		throw klingApiError(ctx, failureOf(result));
	}
	const data = (envelope.data ?? {}) as IDataObject;
	if (typeof data.code === 'number' && data.code !== 0) {
		throw klingApiError(ctx, {
			httpStatus: result.status,
			code: data.code,
			message: String(data.msg ?? data.message ?? ''),
			requestId: envelope.request_id,
		});
	}
	return data;
}

/**
 * An account answer, sending the request again (after its turn) while Kling says the account
 * calls too often or a transient failure happens. These calls are free and change nothing, so
 * repeating them is safe.
 */
async function settle(
	ctx: IExecuteSingleFunctions,
	first: Exchange,
	again: () => Promise<Exchange>,
): Promise<IDataObject> {
	let result = first;
	for (let attempt = 1; ; attempt++) {
		const transient = result.noAnswer !== undefined || (result.status ?? 0) >= 500;
		if ((!isThrottled(result) && !transient) || attempt >= MAX_TRANSIENT_ATTEMPTS) break;
		result = await inTurn(ctx, result.retryAfterMs ?? 0, again);
	}
	return dataOf(ctx, result);
}

// ---------------------------------------------------------------------------------------------
// Get Resource Packs — GET /account/costs

function packsQuery(ctx: IExecuteSingleFunctions): IDataObject {
	const window = windowOf(optionsOf(ctx), DEFAULT_PACKS_WINDOW_DAYS);
	if ('problem' in window) throw inputError(ctx, window.problem);
	const qs: IDataObject = { start_time: window.start, end_time: window.end };
	const name = String(ctx.getNodeParameter('resourcePackName', '') ?? '').trim();
	if (name) qs.resource_pack_name = name;
	return qs;
}

/** preSend of Get Resource Packs: the time window, then this account's turn (QPS ≤ 1). */
export async function prepareResourcePacks(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const qs = packsQuery(this);
	await checkCredential(this);
	await openTurn(this);
	return { ...requestOptions, qs: { ...(requestOptions.qs ?? {}), ...qs } };
}

function isoOf(value: unknown): string | undefined {
	const ms = Number(value);
	return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}

/** postReceive of Get Resource Packs: one item per pack, Kling's fields plus readable dates. */
export async function outputResourcePacks(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	closeTurn(this);
	const data = await settle(this, exchangeOf(response), async () =>
		exchange(this, { method: 'GET', url: '/account/costs', qs: packsQuery(this) }),
	);
	const packs = Array.isArray(data.resource_pack_subscribe_infos)
		? (data.resource_pack_subscribe_infos as IDataObject[])
		: [];
	const pairedItem = { item: this.getItemIndex() };
	return packs.map((pack) => ({
		json: {
			...pack,
			purchase_date: isoOf(pack.purchase_time),
			effective_date: isoOf(pack.effective_time),
			invalid_date: isoOf(pack.invalid_time),
		},
		pairedItem,
	}));
}

// ---------------------------------------------------------------------------------------------
// Get Task Costs — POST /account/billing/package | /account/billing/balance

interface CostsQuery {
	url: string;
	body: IDataObject;
	/** Rows wanted; Infinity for Return All and for the task lookup. */
	wanted: number;
	taskId?: string;
}

function filtersOf(ctx: IExecuteSingleFunctions, billingType: string): IDataObject[] {
	const filters = ctx.getNodeParameter('filters', {}) as IDataObject;
	const text = (key: string) => String(filters[key] ?? '').trim();
	if (text('packageName') && text('packageId')) {
		throw inputError(ctx, {
			field: 'Package Name',
			message: 'Package Name and Package ID cannot be used together',
			description: 'Kling filters by one of them: keep either the name or the ID.',
		});
	}
	if (
		billingType === 'balance' &&
		(text('productType') || text('packageName') || text('packageId'))
	) {
		throw inputError(ctx, {
			field: 'Filters',
			message: 'Cash balance deductions can only be filtered by Key Name',
			description:
				'Remove the product type and package filters, or choose Billing Source → Resource Packs.',
		});
	}
	const list: IDataObject[] = [];
	const add = (key: string, values: string) => {
		const split = values
			.split(',')
			.map((value) => value.trim())
			.filter(Boolean);
		if (split.length) list.push({ key, values: split });
	};
	add('api_key_name', text('keyName'));
	add('product_type', text('productType'));
	add('package_name', text('packageName'));
	add('package_id', text('packageId'));
	return list;
}

function costsQuery(ctx: IExecuteSingleFunctions): CostsQuery {
	const billingType = String(ctx.getNodeParameter('billingType', 'package'));
	const url = `/account/billing/${billingType === 'balance' ? 'balance' : 'package'}`;
	const source = String(ctx.getNodeParameter('costSource', 'timeWindow'));
	let taskId: string | undefined;
	let window = windowOf(optionsOf(ctx), DEFAULT_COSTS_WINDOW_DAYS);
	let wanted = Number.POSITIVE_INFINITY;
	if (source === 'inputTasks') {
		taskId = String(ctx.getNodeParameter('taskId', '') ?? '').trim();
		if (!taskId) {
			throw inputError(ctx, {
				field: 'Task ID',
				message: 'Task ID is empty',
				description: 'Map the task_id of a Kling task, e.g. {{ $json.task_id }}.',
			});
		}
		// A task of the input item is charged after it was created: look from then on.
		const json = ctx.getInputData().json ?? {};
		const created = Number(json.created_at);
		const given = optionsOf(ctx);
		if (json.task_id === taskId && Number.isFinite(created) && !given.startTime && !given.endTime) {
			const end = Math.min(Date.now(), created + 3 * DAY_MS);
			window = windowOf(
				{ startTime: created - 5 * 60_000, endTime: Math.max(end, created + 60_000) },
				0,
			);
		}
	} else if (!ctx.getNodeParameter('returnAll', false)) {
		const limit = ctx.getNodeParameter('limit', 50) as unknown;
		if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
			throw inputError(ctx, {
				field: 'Limit',
				message: `Limit is ${String(limit)}; it must be a whole number of at least 1`,
			});
		}
		wanted = limit;
	}
	if ('problem' in window) throw inputError(ctx, window.problem);
	const body: IDataObject = {
		start_time: window.start,
		end_time: window.end,
		limit: Math.min(MAX_BILLING_PAGE, wanted),
	};
	const filters = filtersOf(ctx, billingType);
	if (filters.length) body.filters = filters;
	return { url, body, wanted, taskId };
}

/** preSend of Get Task Costs: checks the parameters, builds the first page's body, waits its turn. */
export async function prepareTaskCosts(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const query = costsQuery(this);
	await checkCredential(this);
	await openTurn(this);
	return { ...requestOptions, url: query.url, body: query.body };
}

function pageOf(data: IDataObject): { rows: IDataObject[]; cursor?: string; more: boolean } {
	const result = (data.result ?? {}) as IDataObject;
	const rows = Array.isArray(result.detail) ? (result.detail as IDataObject[]) : [];
	const cursor = data.next_cursor ? String(data.next_cursor) : undefined;
	return { rows, cursor, more: data.has_more === true && cursor !== undefined };
}

function amountOf(row: IDataObject): number {
	const amount = Number(row.deduction_amount);
	return Number.isFinite(amount) ? amount : 0;
}

/**
 * postReceive of Get Task Costs: follows next_cursor until enough rows are read (Return All:
 * until Kling has no more), one call per second. Time window: one item per deduction. Task IDs
 * of the input items: one item per input item with its deductions and their sum.
 */
export async function outputTaskCosts(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	closeTurn(this);
	const query = costsQuery(this);
	let data = await settle(this, exchangeOf(response), async () =>
		exchange(this, { method: 'POST', url: query.url, body: query.body }),
	);
	const rows: IDataObject[] = [];
	for (;;) {
		const page = pageOf(data);
		rows.push(
			...(query.taskId
				? page.rows.filter((row) => String(row.task_id) === query.taskId)
				: page.rows),
		);
		if (!page.more || rows.length >= query.wanted) break;
		const body = {
			...query.body,
			cursor: page.cursor,
			limit: Math.min(MAX_BILLING_PAGE, query.wanted - rows.length),
		};
		const first = await inTurn(this, 0, async () =>
			exchange(this, { method: 'POST', url: query.url, body }),
		);
		data = await settle(this, first, async () =>
			exchange(this, { method: 'POST', url: query.url, body }),
		);
	}
	const pairedItem = { item: this.getItemIndex() };
	if (query.taskId) {
		return [
			{
				json: {
					task_id: query.taskId,
					found: rows.length > 0,
					total_deduction: rows.reduce((sum, row) => sum + amountOf(row), 0),
					deductions: rows,
				},
				pairedItem,
			},
		];
	}
	return rows.slice(0, query.wanted).map((row) => ({ json: row, pairedItem }));
}
