import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { CREDENTIAL_TYPE, MAX_TRANSIENT_ATTEMPTS, timing } from './constants';
import { cancelledError, klingApiError, proxyError, type KlingFailure } from './errors';
import type { KlingEnvelope } from './types';
import { normaliseBaseUrl, parseProxy } from './validation';

export interface KlingRequest {
	method: IHttpRequestMethods;
	url: string;
	body?: IDataObject;
	qs?: IDataObject;
}

/** What one HTTP exchange with Kling produced; never throws. */
export interface Exchange {
	status?: number;
	envelope?: KlingEnvelope;
	retryAfterMs?: number;
	/** Set when no usable answer came back: network error, timeout, or a body that is not Kling's envelope. */
	noAnswer?: string;
}

/**
 * How to react to an exchange:
 * - ok: code 0.
 * - transient: 5xx/5000-5002, network error, timeout, malformed body (retry with backoff; on a
 *   create the task may exist — look it up before sending again).
 * - throttled: 1302 rate limit. busy: 1303 account concurrency full.
 * - resign: 1003/1004 token timing (a fresh token is signed per request, so retry once).
 * - fatal: everything that cannot succeed by retrying (params, policy, auth, balance…).
 */
export type Verdict = 'ok' | 'transient' | 'throttled' | 'busy' | 'resign' | 'fatal';

export function classify(exchange: Exchange): Verdict {
	if (exchange.noAnswer !== undefined) return 'transient';
	const code = exchange.envelope?.code;
	if (code === 0 && (exchange.status ?? 200) < 300) return 'ok';
	if (code === 1302) return 'throttled';
	if (code === 1303) return 'busy';
	if (code === 1003 || code === 1004) return 'resign';
	if (code === 5000 || code === 5001 || code === 5002) return 'transient';
	// Decide on Kling's code first: HTTP 429 also carries non-retryable billing errors (1100-1102).
	if (code === undefined && exchange.status === 429) return 'throttled';
	if (code === undefined && (exchange.status ?? 0) >= 500) return 'transient';
	return 'fatal';
}

export function failureOf(exchange: Exchange, taskId?: string): KlingFailure {
	// An HTTP status with no envelope: an unreadable answer; no status at all: a network failure.
	const unreadable = exchange.noAnswer !== undefined && exchange.status !== undefined;
	return {
		httpStatus: exchange.status,
		code: exchange.envelope?.code,
		message: exchange.envelope?.message,
		requestId: exchange.envelope?.request_id,
		taskId,
		network: unreadable ? undefined : exchange.noAnswer,
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

/** How long to wait before the next try: Kling's Retry-After if it sent one, else backoff. */
export function retryDelay(verdict: Verdict, attempt: number, retryAfterMs?: number): number {
	if (retryAfterMs !== undefined) return retryAfterMs;
	return verdict === 'busy'
		? backoffMs(attempt, timing.concurrencyBaseDelayMs, timing.concurrencyMaxDelayMs)
		: backoffMs(attempt, timing.retryBaseDelayMs, timing.retryMaxDelayMs);
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
function describeNetworkError(error: unknown): string {
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

/** One authenticated request to Kling. Resolves with whatever came back; never throws. */
export async function exchange(
	ctx: IExecuteSingleFunctions,
	request: KlingRequest,
): Promise<Exchange> {
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
	try {
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			CREDENTIAL_TYPE,
			options,
		)) as {
			statusCode: number;
			headers: IDataObject;
			body: unknown;
		};
		const envelope = parseEnvelope(response.body);
		return {
			status: response.statusCode,
			envelope,
			retryAfterMs: parseRetryAfter(response.headers?.['retry-after']),
			noAnswer: envelope ? undefined : 'unreadable answer',
		};
	} catch (error) {
		return { noAnswer: describeNetworkError(error) };
	}
}

export interface WaitContext {
	deadline: number;
	signal?: AbortSignal;
	taskId?: string;
}

/** Sleeps unless that would pass the deadline; turns a stopped execution into a clear error. */
export async function pause(
	ctx: IExecuteSingleFunctions,
	ms: number,
	wait: WaitContext,
): Promise<boolean> {
	if (Date.now() + ms > wait.deadline) return false;
	try {
		await sleep(ms, wait.signal);
	} catch {
		throw cancelledError(ctx, wait.taskId);
	}
	if (wait.signal?.aborted) throw cancelledError(ctx, wait.taskId);
	return true;
}

/**
 * A read (or any request safe to repeat) with Kling's retry rules: transient failures and
 * rate limits back off up to MAX_TRANSIENT_ATTEMPTS times, honouring Retry-After; 1303 waits
 * until the deadline; anything else fails at once.
 */
export async function requestKling(
	ctx: IExecuteSingleFunctions,
	request: KlingRequest,
	wait: WaitContext,
): Promise<KlingEnvelope> {
	let attempt = 0;
	let resigned = false;
	for (;;) {
		const result = await exchange(ctx, request);
		const verdict = classify(result);
		if (verdict === 'ok') return result.envelope as KlingEnvelope;
		if (verdict === 'fatal' || (verdict === 'resign' && resigned)) {
			throw klingApiError(ctx, failureOf(result, wait.taskId));
		}
		if (verdict === 'resign') {
			resigned = true;
			continue;
		}
		const delay = retryDelay(verdict, attempt, result.retryAfterMs);
		attempt++;
		const giveUp = verdict !== 'busy' && attempt >= MAX_TRANSIENT_ATTEMPTS;
		if (giveUp || !(await pause(ctx, delay, wait))) {
			throw klingApiError(ctx, failureOf(result, wait.taskId));
		}
	}
}
