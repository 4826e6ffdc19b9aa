import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import {
	CREDENTIAL_TYPE,
	DEFAULT_MAX_CONCURRENT_TASKS,
	DEFAULT_MAX_WAIT_MIN,
	DEFAULT_POLL_INTERVAL_S,
	taskState,
} from '../constants';
import { inputError, klingApiError, taskFailedError } from '../errors';
import { limiterFor } from '../limiter';
import { readImageParam } from '../omni';
import { deriveExternalTaskId, downloadVideo, type PollWait } from '../tasks';
import { failureOf, parseEnvelope } from '../transport';
import { checkBaseUrl } from '../validation';
import { buildTurboBody, createPath, type NewApiOperation } from './body';
import { isRecord, toTask } from './records';
import { TASKS_PATH, checkApiKeyCredential, createTask, getTask, waitForTask } from './tasks';

/**
 * The operations on Kling's new path-addressed API (Kling 3.0 Turbo). This module is the
 * whole second API generation: body (body.ts), transport and idempotent create/poll
 * (tasks.ts), and the mapping of its task records to the node's usual output (records.ts).
 * The hooks below are the routing of the operations; nothing else in the node branches on
 * the API generation.
 */
export { getTask as getNewApiTask } from './tasks';

const OPERATION_PATH: Record<string, NewApiOperation> = {
	turboTextToVideo: 'text-to-video',
	turboImageToVideo: 'image-to-video',
};

interface Settings {
	wait: boolean;
	pollIntervalMs: number;
	maxWaitMs: number;
	download: boolean;
	binaryProperty: string;
	maxInFlight: number;
}

function settingsOf(ctx: IExecuteSingleFunctions): Settings {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const number = (value: unknown, fallback: number) => {
		const parsed = Number(value);
		return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
	};
	return {
		wait: ctx.getNodeParameter('waitForCompletion', true) !== false,
		pollIntervalMs: Math.max(1, number(options.pollInterval, DEFAULT_POLL_INTERVAL_S)) * 1000,
		maxWaitMs: number(options.maxWaitTime, DEFAULT_MAX_WAIT_MIN) * 60_000,
		download: options.downloadVideo !== false,
		binaryProperty: String(options.binaryPropertyName || 'data'),
		maxInFlight: number(options.maxConcurrentTasks, DEFAULT_MAX_CONCURRENT_TASKS),
	};
}

function waitFrom(ctx: IExecuteSingleFunctions, settings: Settings, taskId?: string): PollWait {
	return {
		deadline: Date.now() + settings.maxWaitMs,
		signal: ctx.getExecutionCancelSignal(),
		taskId,
		intervalMs: settings.pollIntervalMs,
		maxWaitMs: settings.maxWaitMs,
	};
}

function operationOf(ctx: IExecuteSingleFunctions): NewApiOperation {
	return OPERATION_PATH[String(ctx.getNodeParameter('operation', ''))];
}

/**
 * preSend of the Kling 3.0 Turbo operations: checks everything (credential type included),
 * creates the task once under the in-flight cap, waits for it when asked, and lets the
 * declarative request read it back with GET /tasks?task_ids=<id>.
 */
export async function submitNewApiTask(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const operation = operationOf(this);
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	checkApiKeyCredential(this, credentials.authType);
	const baseProblem = checkBaseUrl(credentials.baseUrl);
	if (baseProblem) throw inputError(this, baseProblem);

	const options = this.getNodeParameter('options', {}) as IDataObject;
	const model = String(this.getNodeParameter('model', '') ?? '');
	const fromBinary = this.getNodeParameter('imageSource', 'url') === 'binary';
	const built = buildTurboBody(operation, {
		model,
		prompt: this.getNodeParameter('prompt', '') as string,
		resolution: String(this.getNodeParameter('resolution', '720p')),
		aspectRatio:
			operation === 'text-to-video'
				? String(this.getNodeParameter('aspectRatio', '16:9') ?? '')
				: undefined,
		duration: this.getNodeParameter('duration', '5'),
		callbackUrl: String(options.callbackUrl ?? '').trim() || undefined,
		image:
			operation === 'image-to-video'
				? await readImageParam(
						this,
						fromBinary,
						this.getNodeParameter('image', ''),
						this.getNodeParameter('imageBinaryProperty', 'data'),
						'Image',
					)
				: undefined,
	});
	if ('problem' in built) throw inputError(this, built.problem);
	const body = built.body;
	const path = createPath(operation, model.trim());
	const externalId =
		String(options.externalTaskId ?? '').trim() ||
		deriveExternalTaskId(
			this.getWorkflow().id ?? this.getWorkflow().name ?? '',
			this.getNode().id ?? this.getNode().name,
			this.getItemIndex(),
			{ path, ...body },
		);
	(body.options as IDataObject).external_task_id = externalId;

	const settings = settingsOf(this);
	const node = this.getNode();
	const limiter = limiterFor(
		`${this.getExecutionId()}:${node.id ?? node.name}`,
		settings.maxInFlight,
	);
	const slot = await limiter.acquire(this.getExecutionCancelSignal());
	let task;
	try {
		const wait = waitFrom(this, settings);
		task = await createTask(this, path, body, externalId, slot, limiter, wait);
		if (settings.wait) {
			task = await waitForTask(this, task, limiter, wait);
			limiter.grow();
		}
	} finally {
		slot.release();
	}
	return {
		...requestOptions,
		method: 'GET',
		url: TASKS_PATH,
		qs: { task_ids: task.task_id },
		body: undefined,
	};
}

/** postReceive of the Kling 3.0 Turbo operations: the task record in the node's usual shape. */
export async function outputNewApiTask(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const envelope = parseEnvelope(response.body);
	const record = Array.isArray(envelope?.data) ? envelope.data.find(isRecord) : undefined;
	if (!envelope || envelope.code !== 0 || response.statusCode >= 300 || !record) {
		throw klingApiError(
			this,
			failureOf({
				status: response.statusCode,
				envelope,
				noAnswer: envelope ? undefined : 'unreadable answer',
			}),
		);
	}
	const task = toTask(record);
	const item: INodeExecutionData = { json: task, pairedItem: { item: this.getItemIndex() } };
	const settings = settingsOf(this);
	if (!settings.wait) return [item];
	const state = taskState(task.task_status);
	if (state === 'failed') throw taskFailedError(this, task.task_id, task.task_status_msg);
	if (state !== 'succeeded' || !settings.download) return [item];
	const wait = waitFrom(this, settings, task.task_id);
	const refresh = async () => await getTask(this, task.task_id, wait);
	item.binary = { [settings.binaryProperty]: await downloadVideo(this, task, refresh, wait) };
	return [item];
}
