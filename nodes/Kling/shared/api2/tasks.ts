import type { IDataObject, IExecuteSingleFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { CREDENTIAL_TYPE, MAX_TRANSIENT_ATTEMPTS, taskState } from '../constants';
import {
	cancelledError,
	inputError,
	klingApiError,
	taskFailedError,
	timeoutError,
} from '../errors';
import type { Slot, TaskLimiter } from '../limiter';
import type { PollWait } from '../tasks';
import {
	classify,
	exchange,
	failureOf,
	pause,
	requestKling,
	retryDelay,
	type Verdict,
	type WaitContext,
} from '../transport';
import type { KlingTask } from '../types';
import { isRecord, toTask, type NewApiRecord } from './records';

/**
 * Transport of Kling's new path-addressed API (kling-api-more.md §11): create with
 * POST /<operation>/<model> (body `options.external_task_id` for idempotency), query with
 * GET /tasks?task_ids=… or ?external_task_ids=…, same host, same envelope and error codes as
 * the legacy API. Only an API key authenticates here.
 */
export const TASKS_PATH = '/tasks';

/** The new API rejects Access Key + Secret Key tokens (1002): say so before sending anything. */
export function checkApiKeyCredential(ctx: IExecuteSingleFunctions, authType: unknown): void {
	if (authType !== 'accessKey') return;
	throw inputError(ctx, {
		field: 'Credential',
		message:
			'Kling 3.0 Turbo runs on Kling’s new API, which accepts only an API key; this credential uses Access Key + Secret Key',
		description:
			"Create a Kling API credential with Authentication set to 'API Key' (Kling developer console → API Keys) and select it in this node.",
	});
}

function recordsOf(data: unknown): NewApiRecord[] {
	return Array.isArray(data) ? (data.filter(isRecord) as NewApiRecord[]) : [];
}

/** GET /tasks by task id or by external id; undefined when Kling knows no such task. */
export async function queryTask(
	ctx: IExecuteSingleFunctions,
	by: { taskId: string } | { externalId: string },
	wait: WaitContext,
): Promise<NewApiRecord | undefined> {
	const qs = 'taskId' in by ? { task_ids: by.taskId } : { external_task_ids: by.externalId };
	const envelope = await requestKling(ctx, { method: 'GET', url: TASKS_PATH, qs }, wait);
	return recordsOf(envelope.data).find((record) =>
		'taskId' in by
			? String(record.id) === by.taskId
			: String(record.external_id ?? '') === by.externalId,
	);
}

export async function getTask(
	ctx: IExecuteSingleFunctions,
	taskId: string,
	wait: WaitContext,
): Promise<KlingTask> {
	const record = await queryTask(ctx, { taskId }, { ...wait, taskId });
	if (!record) throw klingApiError(ctx, { httpStatus: 404, code: 1203, taskId });
	return toTask(record);
}

/**
 * Get Task's look-up on the new API (task type "Kling 3.0 Turbo", and the last step of Find
 * Automatically). Only an API key may read it: with a key pair the task counts as not found
 * here, with a message saying why.
 */
export async function lookUpTask(
	ctx: IExecuteSingleFunctions,
	taskId: string,
	wait: WaitContext,
): Promise<KlingTask> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	if (credentials.authType === 'accessKey') {
		throw new NodeApiError(ctx.getNode(), { code: 1203, task_id: taskId } as JsonObject, {
			message: `Kling could not find task ${taskId} (tasks of Kling's new API, such as Kling 3.0 Turbo, can only be looked up with an API key)`,
			description:
				"Check the task ID. If the task was made by a Kling 3.0 Turbo operation, select a Kling API credential with Authentication set to 'API Key'.",
			httpCode: '404',
			itemIndex: ctx.getItemIndex(),
		});
	}
	return await getTask(ctx, taskId, wait);
}

/** An answer of GET /tasks as the node's task object (undefined when it holds no task). */
export function taskOfAnswer(data: unknown): KlingTask | undefined {
	const record = recordsOf(data)[0];
	return record ? toTask(record) : undefined;
}

function isDuplicateExternalId(message: unknown): boolean {
	const text = String(message ?? '');
	return (
		/external[_ ]?(task[_ ]?)?id/i.test(text) &&
		/exist|duplicat|repeat|already|used|unique/i.test(text)
	);
}

/**
 * Creates the task exactly once (as the legacy createTask): an answer that may hide a created
 * task (reset, timeout, 5xx, garbled body) is resolved by looking the task up by its
 * external id before anything is sent again; a "duplicate external id" refusal is read as
 * "already created".
 */
export async function createTask(
	ctx: IExecuteSingleFunctions,
	path: string,
	body: IDataObject,
	externalId: string,
	slot: Slot,
	limiter: TaskLimiter,
	wait: WaitContext,
): Promise<KlingTask> {
	const attempts: Partial<Record<Verdict, number>> = {};
	let mayExist = false;
	for (;;) {
		if (mayExist) {
			const existing = await queryTask(ctx, { externalId }, wait);
			if (existing) return toTask(existing);
		}
		const result = await exchange(ctx, { method: 'POST', url: path, body });
		const verdict = classify(result);
		const created = result.envelope?.data;
		if (verdict === 'ok' && isRecord(created)) {
			return toTask({ external_id: externalId, ...created, id: String(created.id) });
		}
		if (verdict === 'fatal' && isDuplicateExternalId(result.envelope?.message)) {
			const existing = await queryTask(ctx, { externalId }, wait);
			if (existing) return toTask(existing);
		}
		// A fresh API key never needs re-signing: token timing errors are final here.
		if (verdict === 'fatal' || verdict === 'resign') throw klingApiError(ctx, failureOf(result));
		const attempt = attempts[verdict] ?? 0;
		attempts[verdict] = attempt + 1;
		const delay = retryDelay(verdict, attempt, result.retryAfterMs);
		if (verdict === 'busy') {
			limiter.shrink();
			if (Date.now() + delay > wait.deadline) throw klingApiError(ctx, failureOf(result));
			try {
				await slot.requeue(delay, wait.signal);
			} catch {
				throw cancelledError(ctx);
			}
			continue;
		}
		if (verdict !== 'throttled') mayExist = true;
		if (attempt + 1 >= MAX_TRANSIENT_ATTEMPTS || !(await pause(ctx, delay, wait))) {
			throw klingApiError(ctx, failureOf(result));
		}
	}
}

export async function waitForTask(
	ctx: IExecuteSingleFunctions,
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
		current = await getTask(ctx, current.task_id, taskWait);
	}
}
