import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { CREDENTIAL_TYPE, MAX_BUSY_ATTEMPTS, MAX_TRANSIENT_ATTEMPTS } from './constants';
import { delays } from './delays';
import { cancelledError, klingApiError, proxyError, type KlingFailure } from './errors';
import type { KlingEnvelope } from './types';
import { normaliseBaseUrl, parseProxy } from './validation';

export interface KlingRequest {
	method: IHttpRequestMethods;
	url: string;
	body?: IDataObject;
	qs?: IDataObject;
}

/** What one HTTP exchange with Kling produced. */
export interface Answer {
	status?: number;
	envelope?: KlingEnvelope;
	retryAfterMs?: number;
	/** Set when no usable answer came back: network error, timeout, or a body that is not Kling's envelope. */
	noAnswer?: string;
}

/**
 * How to react to an answer:
 * - ok: code 0.
 * - transient: 5xx/5000-5002, network error, timeout, malformed body (retry with backoff; on a
 *   create the task may exist — look it up before sending again).
 * - throttled: 1302 rate limit. busy: 1303 account concurrency full.
 * - signAgain: 1003/1004 token timing (a fresh token is signed per request, so one more try).
 * - fatal: everything that cannot succeed by retrying (params, policy, auth, balance…).
 */
export type Verdict = 'ok' | 'transient' | 'throttled' | 'busy' | 'signAgain' | 'fatal';

export function classify(answer: Answer): Verdict {
	if (answer.noAnswer !== undefined) return 'transient';
	const code = answer.envelope?.code;
	if (code === 0 && (answer.status ?? 200) < 300) return 'ok';
	if (code === 1302) return 'throttled';
	if (code === 1303) return 'busy';
	if (code === 1003 || code === 1004) return 'signAgain';
	if (code === 5000 || code === 5001 || code === 5002) return 'transient';
	// Decide on Kling's code first: HTTP 429 also carries non-retryable billing errors (1100-1102).
	if (code === undefined && answer.status === 429) return 'throttled';
	if (code === undefined && (answer.status ?? 0) >= 500) return 'transient';
	return 'fatal';
}

export function failureOf(answer: Answer, taskId?: string): KlingFailure {
	// An HTTP status with no envelope: an unreadable answer; no status at all: a network failure.
	const unreadable = answer.noAnswer !== undefined && answer.status !== undefined;
	return {
		httpStatus: answer.status,
		code: answer.envelope?.code,
		message: answer.envelope?.message,
		requestId: answer.envelope?.request_id,
		taskId,
		network: unreadable ? undefined : answer.noAnswer,
		unreadable,
	};
}

/** Exponential backoff with jitter: base × 2^attempt, capped, scaled by 50–100 %. */
export function backoffMs(
	attempt: number,
	baseMs: number,
	maxMs: number,
	random = Math.random(),
): number {
	return Math.round(Math.min(maxMs, baseMs * 2 ** attempt) * (0.5 + random / 2));
}

/**
 * How long to wait before try `attempt + 1`: the backoff, or Kling's Retry-After when that is
 * longer, and never less than the floor — so `Retry-After: 0` cannot turn retries into a flood.
 */
export function retryDelay(verdict: Verdict, attempt: number, retryAfterMs?: number): number {
	const timing = delays();
	const backoff =
		verdict === 'busy'
			? backoffMs(attempt, timing.busyBaseMs, timing.busyMaxMs)
			: backoffMs(attempt, timing.retryBaseMs, timing.retryMaxMs);
	return Math.max(timing.minRetryMs, retryAfterMs ?? 0, backoff);
}

function parseRetryAfter(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function parseEnvelope(body: unknown): KlingEnvelope | undefined {
	let value = body;
	if (Buffer.isBuffer(value)) value = value.toString('utf8');
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
	const code = (value as IDataObject).code;
	return typeof code === 'number' ? (value as KlingEnvelope) : undefined;
}

const NETWORK_PROBLEMS: Record<string, string> = {
	ECONNRESET: 'connection reset',
	ECONNREFUSED: 'connection refused',
	ECONNABORTED: 'timed out',
	ETIMEDOUT: 'timed out',
	ESOCKETTIMEDOUT: 'timed out',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host not found',
	EPIPE: 'connection broken',
};

/**
 * Names a network failure in words, without echoing the request (which holds the
 * Authorization header). Raw codes such as ECONNABORTED are avoided because n8n replaces a
 * message containing one with a generic sentence that drops the context.
 */
export function describeNetworkError(error: unknown): string {
	const seen = error as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
	const code = String(seen?.code ?? seen?.cause?.code ?? '');
	if (NETWORK_PROBLEMS[code]) return NETWORK_PROBLEMS[code];
	const message = typeof seen?.message === 'string' ? seen.message : '';
	if (/timeout|timed out/i.test(message)) return 'timed out';
	if (/socket hang up|aborted|reset/i.test(message)) return 'connection reset';
	return 'network error';
}

/**
 * The node's Request Options (proxy, timeout, SSL) apply to the declarative request only;
 * repeat them for the requests this node makes itself.
 */
export function requestOptionsOfNode(ctx: IExecuteSingleFunctions): Partial<IHttpRequestOptions> {
	const { proxy, timeout, allowUnauthorizedCerts } = ctx.getNodeParameter('requestOptions', {}) as {
		proxy?: string;
		timeout?: number;
		allowUnauthorizedCerts?: boolean;
	};
	const options: Partial<IHttpRequestOptions> = { timeout: timeout || 300_000 };
	if (allowUnauthorizedCerts) options.skipSslCertificateValidation = true;
	if (proxy) {
		const parsed = parseProxy(proxy);
		if ('shown' in parsed) throw proxyError(ctx, parsed.shown);
		options.proxy = parsed.proxy;
	}
	return options;
}

export async function baseUrlOf(ctx: IExecuteSingleFunctions): Promise<string> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	return normaliseBaseUrl(credentials.baseUrl);
}

/** Reads an HTTP response (of the declared request or of our own) as Kling's answer. */
export function answerOf(
	response: Pick<IN8nHttpFullResponse, 'statusCode' | 'headers' | 'body'>,
): Answer {
	const envelope = parseEnvelope(response.body);
	return {
		status: response.statusCode,
		envelope,
		retryAfterMs: parseRetryAfter((response.headers as IDataObject | undefined)?.['retry-after']),
		noAnswer: envelope ? undefined : 'unreadable answer',
	};
}

export interface WaitContext {
	deadline: number;
	signal?: AbortSignal;
	taskId?: string;
}

/** One authenticated request to Kling. Resolves with whatever came back; never throws. */
export async function sendToKling(
	ctx: IExecuteSingleFunctions,
	request: KlingRequest,
	wait?: WaitContext,
): Promise<Answer> {
	const options: IHttpRequestOptions = {
		...requestOptionsOfNode(ctx),
		method: request.method,
		baseURL: await baseUrlOf(ctx),
		url: request.url,
		headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: true,
	};
	if (request.body) options.body = request.body;
	if (request.qs) options.qs = request.qs;
	if (wait?.signal) options.abortSignal = wait.signal;
	try {
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			CREDENTIAL_TYPE,
			options,
		)) as IN8nHttpFullResponse;
		return answerOf(response);
	} catch (error) {
		return { noAnswer: describeNetworkError(error) };
	}
}

export function fitsBeforeDeadline(ms: number, wait: WaitContext): boolean {
	return Date.now() + ms <= wait.deadline;
}

/** Sleeps; a stopped execution ends the sleep with a clear error. */
export async function sleepUnlessStopped(
	ctx: IExecuteSingleFunctions,
	ms: number,
	wait: WaitContext,
): Promise<void> {
	try {
		await sleep(ms, wait.signal);
	} catch {
		throw cancelledError(ctx, wait.taskId);
	}
	if (wait.signal?.aborted) throw cancelledError(ctx, wait.taskId);
}

/**
 * Decides on one answer: a value ends the loop with it; undefined lets the retry rules below
 * handle the answer (retry a transient failure, a rate limit, a full account; fail otherwise).
 */
export type AnswerHandler<T> = (answer: Answer, verdict: Verdict) => Promise<T | undefined>;

export interface RetryRules {
	/** Waits out a 1303 instead of a plain sleep (a create gives its place in flight back meanwhile). */
	waitWhenBusy?: (delayMs: number) => Promise<void>;
}

/**
 * The one retry loop of every request to Kling (creates and reads). Transient failures and
 * rate limits are tried MAX_TRANSIENT_ATTEMPTS times, a full account (1303) MAX_BUSY_ATTEMPTS
 * times, with backoff and jitter, honouring Retry-After but never sooner than the floor, and
 * never past the deadline; 1003/1004 are signed and sent again once; anything else fails.
 */
export async function retryKling<T>(
	ctx: IExecuteSingleFunctions,
	wait: WaitContext,
	first: Answer,
	sendAgain: () => Promise<Answer>,
	handle: AnswerHandler<T>,
	rules: RetryRules = {},
): Promise<T> {
	let answer = first;
	const tries: Partial<Record<Verdict, number>> = {};
	let signedAgain = false;
	for (;;) {
		const verdict = classify(answer);
		const done = await handle(answer, verdict);
		if (done !== undefined) return done;
		if (verdict === 'signAgain' && !signedAgain) {
			signedAgain = true;
			answer = await sendAgain();
			continue;
		}
		const failure = failureOf(answer, wait.taskId);
		if (verdict === 'ok' || verdict === 'fatal' || verdict === 'signAgain') {
			throw klingApiError(ctx, failure);
		}
		const attempt = (tries[verdict] ?? 0) + 1;
		tries[verdict] = attempt;
		const limit = verdict === 'busy' ? MAX_BUSY_ATTEMPTS : MAX_TRANSIENT_ATTEMPTS;
		if (attempt >= limit) {
			throw klingApiError(ctx, { ...failure, note: `The node tried ${attempt} times.` });
		}
		const delay = retryDelay(verdict, attempt - 1, answer.retryAfterMs);
		if (!fitsBeforeDeadline(delay, wait)) throw klingApiError(ctx, failure);
		if (verdict === 'busy' && rules.waitWhenBusy) await rules.waitWhenBusy(delay);
		else await sleepUnlessStopped(ctx, delay, wait);
		answer = await sendAgain();
	}
}

/** A read (or any request safe to repeat) under the retry rules; resolves with Kling's envelope. */
export async function readKling(
	ctx: IExecuteSingleFunctions,
	request: KlingRequest,
	wait: WaitContext,
): Promise<KlingEnvelope> {
	const send = async () => await sendToKling(ctx, request, wait);
	return await retryKling(ctx, wait, await send(), send, async (answer, verdict) =>
		verdict === 'ok' ? (answer.envelope as KlingEnvelope) : undefined,
	);
}
