import { createHash } from 'node:crypto';
import type { IBinaryData, IDataObject, IExecuteSingleFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { MAX_TRANSIENT_ATTEMPTS, TASK_PATHS, taskState, timing } from './constants';
import {
	cancelledError,
	downloadError,
	klingApiError,
	taskFailedError,
	timeoutError,
} from './errors';
import type { Slot, TaskLimiter } from './limiter';
import {
	backoffMs,
	classify,
	exchange,
	failureOf,
	pause,
	requestKling,
	requestOptionsOfNode,
	retryDelay,
	type Verdict,
	type WaitContext,
} from './transport';
import type { KlingTask, TaskKind } from './types';
import { lookUpTask } from './api2/tasks';

/** Where tasks of a kind are created and listed (legacy API: POST and GET on the same path). */
export function kindPath(kind: TaskKind): string {
	return TASK_PATHS[kind];
}

export function taskPath(kind: TaskKind, id: string): string {
	if (kind === 'tasks') return `/tasks?task_ids=${encodeURIComponent(id)}`; // new API (api2/)
	return `${kindPath(kind)}/${encodeURIComponent(id)}`;
}

function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortKeys);
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.keys(value as IDataObject)
				.sort()
				.map((key) => [key, sortKeys((value as IDataObject)[key])]),
		);
	}
	return value;
}

/**
 * Default external_task_id: the same workflow, node, item and request body always give the same
 * id, so a retry or a re-run of a failed execution finds the task already paid for instead of
 * creating a second one. Anything that changes the video (prompt, model, image…) changes the id.
 */
export function deriveExternalTaskId(
	workflowId: string,
	nodeId: string,
	itemIndex: number,
	body: IDataObject,
): string {
	const work = { ...body };
	delete work.external_task_id;
	delete work.callback_url;
	const digest = createHash('sha256')
		.update(JSON.stringify([workflowId, nodeId, itemIndex, sortKeys(work)]))
		.digest('hex');
	return `n8n-${digest.slice(0, 40)}`;
}

function asTask(data: unknown): KlingTask | undefined {
	const task = data as KlingTask | undefined;
	return task && typeof task === 'object' && typeof task.task_id === 'string' && task.task_id
		? task
		: undefined;
}

/** Kling answers a reused external_task_id with an error; that means "already submitted". */
function isDuplicateExternalId(message: unknown): boolean {
	const text = String(message ?? '');
	return (
		/external[_ ]?task[_ ]?id/i.test(text) &&
		/exist|duplicat|repeat|already|used|unique/i.test(text)
	);
}

/** Looks a task up by our external id: path form first (documented), then the list filter. */
export async function findByExternalId(
	ctx: IExecuteSingleFunctions,
	kind: TaskKind,
	externalId: string,
	wait: WaitContext,
): Promise<KlingTask | undefined> {
	for (const request of [
		{ method: 'GET' as const, url: taskPath(kind, externalId) },
		{
			method: 'GET' as const,
			url: kindPath(kind),
			qs: { external_task_id: externalId, pageNum: 1, pageSize: 30 },
		},
	]) {
		try {
			const envelope = await requestKling(ctx, request, wait);
			const found = Array.isArray(envelope.data)
				? (envelope.data as KlingTask[]).find(
						(task) => task?.task_info?.external_task_id === externalId,
					)
				: asTask(envelope.data);
			if (found) return found;
		} catch (error) {
			// Not found under that form (404 / 1203, or 400 where the form is not supported).
			const status = Number((error as { httpCode?: unknown }).httpCode);
			if (status !== 404 && status !== 400)
				throw new NodeApiError(ctx.getNode(), error as JsonObject);
		}
	}
	return undefined;
}

/**
 * Creates the task exactly once. A create that may have reached Kling without an answer
 * (reset, timeout, 5xx, garbled body) is resolved by looking the task up by its
 * external_task_id before anything is sent again; Kling itself refuses a second task with
 * the same external_task_id, which is also read as "already created".
 */
export async function createTask(
	ctx: IExecuteSingleFunctions,
	kind: TaskKind,
	body: IDataObject,
	slot: Slot,
	limiter: TaskLimiter,
	wait: WaitContext,
): Promise<KlingTask> {
	const externalId = String(body.external_task_id);
	const attempts: Partial<Record<Verdict, number>> = {};
	let resigned = false;
	let mayExist = false;
	for (;;) {
		if (mayExist) {
			const existing = await findByExternalId(ctx, kind, externalId, wait);
			if (existing) return existing;
		}
		const result = await exchange(ctx, { method: 'POST', url: kindPath(kind), body });
		const verdict = classify(result);
		const created = asTask(result.envelope?.data);
		if (verdict === 'ok' && created) return created;

		if (verdict === 'fatal' && isDuplicateExternalId(result.envelope?.message)) {
			const existing = await findByExternalId(ctx, kind, externalId, wait);
			if (existing) return existing;
			throw klingApiError(ctx, failureOf(result));
		}
		if (verdict === 'fatal' || (verdict === 'resign' && resigned)) {
			throw klingApiError(ctx, failureOf(result));
		}
		if (verdict === 'resign') {
			resigned = true;
			continue;
		}
		const attempt = attempts[verdict] ?? 0;
		attempts[verdict] = attempt + 1;
		const delay = retryDelay(verdict, attempt, result.retryAfterMs);
		if (verdict === 'busy') {
			// Account concurrency is full: hold fewer tasks and queue behind the ones in flight.
			limiter.shrink();
			if (Date.now() + delay > wait.deadline) throw klingApiError(ctx, failureOf(result));
			try {
				await slot.requeue(delay, wait.signal);
			} catch {
				throw cancelledError(ctx);
			}
			continue;
		}
		// Transient (or "ok" without a task in it): the create may have happened. Throttled: it did not.
		if (verdict !== 'throttled') mayExist = true;
		if (attempt + 1 >= MAX_TRANSIENT_ATTEMPTS || !(await pause(ctx, delay, wait))) {
			throw klingApiError(ctx, failureOf(result));
		}
	}
}

export async function getTask(
	ctx: IExecuteSingleFunctions,
	kind: TaskKind,
	taskId: string,
	wait: WaitContext,
): Promise<KlingTask> {
	if (kind === 'tasks') return await lookUpTask(ctx, taskId, wait); // new API (api2/)
	const envelope = await requestKling(
		ctx,
		{ method: 'GET', url: taskPath(kind, taskId) },
		{ ...wait, taskId },
	);
	const task = asTask(envelope.data);
	if (!task) {
		throw klingApiError(ctx, {
			code: envelope.code,
			message: 'The task in Kling’s answer has no task_id',
			taskId,
		});
	}
	return task;
}

/** Finds which kind of task an id belongs to (Kling only answers on the kind that created it). */
export async function locateTask(
	ctx: IExecuteSingleFunctions,
	kinds: TaskKind[],
	taskId: string,
	wait: WaitContext,
): Promise<{ kind: TaskKind; task: KlingTask }> {
	for (const kind of kinds) {
		try {
			return { kind, task: await getTask(ctx, kind, taskId, wait) };
		} catch (error) {
			const status = Number((error as { httpCode?: unknown }).httpCode);
			if (status !== 404 || kind === kinds[kinds.length - 1]) {
				throw new NodeApiError(ctx.getNode(), error as JsonObject);
			}
		}
	}
	throw klingApiError(ctx, { httpStatus: 404, code: 1203, taskId });
}

export interface PollWait extends WaitContext {
	intervalMs: number;
	maxWaitMs: number;
}

/** Polls until the task succeeds (returned) or fails / runs out of time (thrown). */
export async function waitForTask(
	ctx: IExecuteSingleFunctions,
	kind: TaskKind,
	task: KlingTask,
	limiter: TaskLimiter,
	wait: PollWait,
): Promise<KlingTask> {
	const taskWait = { ...wait, taskId: task.task_id };
	let current = task;
	for (;;) {
		const state = taskState(current.task_status);
		if (state === 'succeeded') return current;
		if (state === 'failed') throw taskFailedError(ctx, current.task_id, current.task_status_msg);
		const delay = limiter.reservePoll(wait.intervalMs);
		if (!(await pause(ctx, delay, taskWait))) {
			throw timeoutError(ctx, current.task_id, String(current.task_status), wait.maxWaitMs);
		}
		current = await getTask(ctx, kind, current.task_id, taskWait);
	}
}

type BinarySource = Parameters<IExecuteSingleFunctions['helpers']['prepareBinaryData']>[0];

interface DownloadResponse {
	statusCode: number;
	headers: IDataObject;
	body: BinarySource & { destroy?: () => void };
}

/**
 * Streams the video into n8n's binary data (never buffered here). A short or broken transfer is
 * retried; an expired URL (403/404) asks Kling for the task again to get a fresh URL, once.
 * The video URL is a CDN address: it is fetched without the Kling credential.
 */
export async function downloadVideo(
	ctx: IExecuteSingleFunctions,
	task: KlingTask,
	refresh: () => Promise<KlingTask>,
	wait: WaitContext,
): Promise<IBinaryData> {
	const taskWait = { ...wait, taskId: task.task_id };
	let url = task.task_result?.videos?.[0]?.url;
	let refreshed = false;
	let lastProblem = '';
	for (let attempt = 0; attempt < MAX_TRANSIENT_ATTEMPTS; attempt++) {
		if (!url) break;
		let response: DownloadResponse | undefined;
		try {
			response = (await ctx.helpers.httpRequest({
				...requestOptionsOfNode(ctx),
				method: 'GET',
				url,
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
			})) as DownloadResponse;
		} catch (error) {
			lastProblem = (error as Error)?.message?.split('\n')[0] ?? 'network error';
		}
		if (response && (response.statusCode === 403 || response.statusCode === 404)) {
			response.body?.destroy?.();
			lastProblem = `HTTP ${response.statusCode} (the link has probably expired)`;
			if (refreshed) break;
			refreshed = true;
			url = (await refresh()).task_result?.videos?.[0]?.url;
			continue;
		}
		if (response && response.statusCode >= 300) {
			response.body?.destroy?.();
			lastProblem = `HTTP ${response.statusCode}`;
		} else if (response) {
			const expected = Number(response.headers?.['content-length']);
			try {
				const binary = await ctx.helpers.prepareBinaryData(
					response.body,
					`kling-${task.task_id}.mp4`,
					'video/mp4',
				);
				if (!Number.isFinite(expected) || expected <= 0 || binary.bytes === expected) return binary;
				lastProblem = `received ${binary.bytes} of ${expected} bytes`;
			} catch (error) {
				lastProblem = `transfer broke off (${(error as Error)?.message ?? 'stream error'})`;
			}
		}
		if (
			!(await pause(
				ctx,
				backoffMs(attempt, timing.retryBaseDelayMs, timing.retryMaxDelayMs),
				taskWait,
			))
		)
			break;
	}
	throw downloadError(ctx, task.task_id, url ? lastProblem : 'the finished task has no video URL');
}
