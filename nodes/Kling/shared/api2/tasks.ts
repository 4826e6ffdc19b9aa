import type { IExecuteSingleFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../constants';
import { inputError, klingApiError } from '../errors';
import { readKling, type WaitContext } from '../transport';
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
	const envelope = await readKling(ctx, { method: 'GET', url: TASKS_PATH, qs }, wait);
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

/** The task a create answered with (a record whose id is the task ID), in the node's shape. */
export function createdTaskOf(data: unknown, externalId: string): KlingTask | undefined {
	return isRecord(data)
		? toTask({ external_id: externalId, ...data, id: String(data.id) })
		: undefined;
}

/** Looks a task of the new API up by its external id (the engine's look-up before a re-send). */
export async function findNewApiTask(
	ctx: IExecuteSingleFunctions,
	externalId: string,
	wait: WaitContext,
): Promise<KlingTask | undefined> {
	const record = await queryTask(ctx, { externalId }, wait);
	return record ? toTask(record) : undefined;
}
