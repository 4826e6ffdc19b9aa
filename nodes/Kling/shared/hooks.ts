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
	TASK_KINDS,
	taskState,
} from './constants';
import { inputError, klingApiError, taskFailedError } from './errors';
import { limiterFor, type TaskLimiter } from './limiter';
import {
	createTask,
	deriveExternalTaskId,
	downloadVideo,
	locateTask,
	type PollWait,
	taskPath,
	waitForTask,
} from './tasks';
import { failureOf, parseEnvelope } from './transport';
import type { KlingTask, TaskKind } from './types';
import { taskOfAnswer } from './api2/tasks';
import {
	checkBaseUrl,
	checkImageBytes,
	checkImageSize,
	normaliseImageText,
	prepareSubmissionBody,
	type Problem,
} from './validation';

/** The task kind each create operation makes, keyed `resource.operation`. */
const KIND_OF_OPERATION: Record<string, TaskKind> = {
	'video.textToVideo': 'text2video',
	'video.imageToVideo': 'image2video',
	'video.multiImageToVideo': 'multi-image2video',
	'video.omniVideo': 'omni-video',
	'video.motionControl': 'motion-control',
	'video.videoEffects': 'effects',
	'video.extendVideo': 'video-extend',
};

interface RunSettings {
	wait: boolean;
	pollIntervalMs: number;
	maxWaitMs: number;
	download: boolean;
	binaryProperty: string;
	maxInFlight: number;
}

function optionsOf(ctx: IExecuteSingleFunctions): IDataObject {
	return ctx.getNodeParameter('options', {}) as IDataObject;
}

function settingsOf(ctx: IExecuteSingleFunctions): RunSettings {
	const options = optionsOf(ctx);
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

/** Deadline, cancel signal and polling pace of one item, starting now. */
function waitFrom(ctx: IExecuteSingleFunctions, settings: RunSettings, taskId?: string): PollWait {
	return {
		deadline: Date.now() + settings.maxWaitMs,
		signal: ctx.getExecutionCancelSignal(),
		taskId,
		intervalMs: settings.pollIntervalMs,
		maxWaitMs: settings.maxWaitMs,
	};
}

function limiterOf(ctx: IExecuteSingleFunctions, settings: RunSettings): TaskLimiter {
	const node = ctx.getNode();
	return limiterFor(`${ctx.getExecutionId()}:${node.id ?? node.name}`, settings.maxInFlight);
}

function kindOf(ctx: IExecuteSingleFunctions): TaskKind {
	const resource = String(ctx.getNodeParameter('resource', 'video'));
	return KIND_OF_OPERATION[`${resource}.${String(ctx.getNodeParameter('operation', ''))}`];
}

/** Where a task of this operation can be found: its own kind, or the Get Task choice. */
function kindsToSearch(ctx: IExecuteSingleFunctions): TaskKind[] {
	const kind = kindOf(ctx);
	if (kind) return [kind];
	const chosen = String(ctx.getNodeParameter('taskKind', 'auto'));
	return chosen === 'auto' ? TASK_KINDS : [chosen as TaskKind];
}

function reject(ctx: IExecuteSingleFunctions, problem: Problem | undefined): void {
	if (problem) throw inputError(ctx, problem);
}

async function checkCredential(ctx: IExecuteSingleFunctions): Promise<void> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	reject(ctx, checkBaseUrl(credentials.baseUrl));
}

async function imageFromBinary(
	ctx: IExecuteSingleFunctions,
	property: string,
	field: string,
): Promise<string> {
	const name = property.trim();
	const binary = ctx.getInputData().binary?.[name];
	if (!binary) {
		throw inputError(ctx, {
			field,
			message: `The input item has no binary property '${name}'`,
			description:
				'Put the image into that binary property with a previous node (e.g. Read/Write Files from Disk or HTTP Request), or change the property name.',
		});
	}
	if (binary.mimeType && !/^image\/(jpe?g|png)$/i.test(binary.mimeType)) {
		throw inputError(ctx, {
			field,
			message: `Binary property '${name}' holds ${binary.mimeType}, not a JPG or PNG image`,
			description: 'Kling accepts only .jpg/.jpeg and .png images.',
		});
	}
	// The size is known from the metadata: a huge file is rejected without loading it.
	if (typeof binary.bytes === 'number') reject(ctx, checkImageSize(binary.bytes, field));
	const data = await ctx.helpers.getBinaryDataBuffer(name);
	reject(ctx, checkImageBytes(data, field));
	// Kling wants bare base64, without a data: prefix.
	return data.toString('base64');
}

/** Reads one image parameter pair: text (URL or base64) or a binary property of the input item. */
async function readImage(
	ctx: IExecuteSingleFunctions,
	fromBinary: boolean,
	text: unknown,
	binaryProperty: unknown,
	field: string,
): Promise<string> {
	if (fromBinary) return await imageFromBinary(ctx, String(binaryProperty ?? ''), field);
	const result = normaliseImageText(text, field);
	if ('problem' in result) throw inputError(ctx, result.problem);
	return result.image;
}

/** preSend of Image to Video: puts the start (and optional end) frame into the body. */
export async function prepareImageToVideo(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const fromBinary = this.getNodeParameter('imageSource', 'url') === 'binary';
	const body = (requestOptions.body ?? {}) as IDataObject;
	body.image = await readImage(
		this,
		fromBinary,
		this.getNodeParameter('image', ''),
		this.getNodeParameter('imageBinaryProperty', 'data'),
		'Image',
	);
	const tailText = fromBinary ? '' : String(this.getNodeParameter('imageTail', '') ?? '');
	const tailProperty = fromBinary
		? String(this.getNodeParameter('imageTailBinaryProperty', '') ?? '')
		: '';
	if (tailText.trim() || tailProperty.trim()) {
		body.image_tail = await readImage(this, fromBinary, tailText, tailProperty, 'End Frame');
	}
	return { ...requestOptions, body };
}

/** preSend of Multi-Image to Video: builds image_list from the Images parameter. */
export async function prepareMultiImageToVideo(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const entries = ((this.getNodeParameter('images', {}) as IDataObject).image ??
		[]) as IDataObject[];
	const body = (requestOptions.body ?? {}) as IDataObject;
	if (entries.length > 4) {
		// Checked here too so that no image is read or decoded needlessly.
		throw inputError(this, {
			field: 'Images',
			message: `${entries.length} reference images given; Kling accepts at most 4`,
			description: 'Remove images until at most 4 remain.',
		});
	}
	const list: IDataObject[] = [];
	for (const [index, entry] of entries.entries()) {
		const field = `Images #${index + 1}`;
		list.push({
			image: await readImage(
				this,
				entry.source === 'binary',
				entry.url,
				entry.binaryProperty,
				field,
			),
		});
	}
	body.image_list = list;
	return { ...requestOptions, body };
}

function extraBodyFields(options: IDataObject): IDataObject {
	const extra: IDataObject = {};
	if (options.callbackUrl) extra.callback_url = String(options.callbackUrl).trim();
	if (options.sound !== undefined) extra.sound = options.sound ? 'on' : 'off';
	const camera = (options.cameraControl as IDataObject | undefined)?.settings as
		| IDataObject
		| undefined;
	if (camera?.type) {
		const { type, ...axes } = camera;
		extra.camera_control = type === 'simple' ? { type, config: axes } : { type };
	}
	return extra;
}

/**
 * preSend of the three create operations. Validates everything before anything is sent, then
 * creates the task itself (idempotently, with retries, under the in-flight cap) and, when
 * waiting, polls until the task ends. The declarative request that follows only reads the
 * finished task: GET /v1/videos/{kind}/{task_id}.
 */
export async function submitTask(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const kind = kindOf(this);
	const options = optionsOf(this);
	await checkCredential(this);
	const prepared = prepareSubmissionBody(kind, {
		...((requestOptions.body ?? {}) as IDataObject),
		...extraBodyFields(options),
	});
	if ('problem' in prepared) throw inputError(this, prepared.problem);
	const body = prepared.body;
	const customId = String(options.externalTaskId ?? '').trim();
	body.external_task_id =
		customId ||
		deriveExternalTaskId(
			this.getWorkflow().id ?? this.getWorkflow().name ?? '',
			this.getNode().id ?? this.getNode().name,
			this.getItemIndex(),
			body,
		);

	const settings = settingsOf(this);
	const limiter = limiterOf(this, settings);
	const slot = await limiter.acquire(this.getExecutionCancelSignal());
	let task: KlingTask;
	try {
		// The item's max wait time starts when it gets its place in flight.
		const wait = waitFrom(this, settings);
		task = await createTask(this, kind, body, slot, limiter, wait);
		if (settings.wait) {
			task = await waitForTask(this, kind, task, limiter, wait);
			limiter.grow();
		}
	} finally {
		slot.release();
	}
	return { ...requestOptions, method: 'GET', url: taskPath(kind, task.task_id), body: undefined };
}

/** preSend of Get Task: finds the task (on any kind when set to auto) and waits for it if asked. */
export async function prepareGetTask(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const taskId = String(this.getNodeParameter('taskId', '') ?? '').trim();
	if (!taskId) {
		throw inputError(this, {
			field: 'Task ID',
			message: 'Task ID is empty',
			description: 'Give the task_id returned by a create operation.',
		});
	}
	await checkCredential(this);
	const settings = settingsOf(this);
	const wait = waitFrom(this, settings, taskId);
	const { kind, task } = await locateTask(this, kindsToSearch(this), taskId, wait);
	if (settings.wait) await waitForTask(this, kind, task, limiterOf(this, settings), wait);
	return { ...requestOptions, method: 'GET', url: taskPath(kind, task.task_id) };
}

/**
 * postReceive of every operation: turns Kling's answer into the output item (the task object
 * as Kling returns it) and, when waiting, adds the video as binary data.
 */
export async function outputTask(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const envelope = parseEnvelope(response.body);
	// A Get Task answer of the new API (GET /tasks) holds a list of records (api2/).
	const task = (Array.isArray(envelope?.data) ? taskOfAnswer(envelope?.data) : envelope?.data) as
		| KlingTask
		| undefined;
	if (!envelope || envelope.code !== 0 || response.statusCode >= 300 || !task?.task_id) {
		throw klingApiError(
			this,
			failureOf({
				status: response.statusCode,
				envelope,
				noAnswer: envelope ? undefined : 'unreadable answer',
			}),
		);
	}
	const item: INodeExecutionData = { json: task, pairedItem: { item: this.getItemIndex() } };
	const settings = settingsOf(this);
	if (!settings.wait) return [item];
	const state = taskState(task.task_status);
	if (state === 'failed') throw taskFailedError(this, task.task_id, task.task_status_msg);
	if (state !== 'succeeded' || !settings.download) return [item];

	const wait = waitFrom(this, settings, task.task_id);
	// An expired video URL is renewed by reading the task again.
	const refresh = async () =>
		(await locateTask(this, kindsToSearch(this), task.task_id, wait)).task;
	item.binary = { [settings.binaryProperty]: await downloadVideo(this, task, refresh, wait) };
	return [item];
}
