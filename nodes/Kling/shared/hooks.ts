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
	timing,
} from './constants';
import { cancelledError, inputError, klingApiError, taskFailedError } from './errors';
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
import { classify, failureOf, parseEnvelope, pause } from './transport';
import type { KlingTask, TaskKind } from './types';
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

// ---------------------------------------------------------------------------------------------
// Get Task

/**
 * What the items of one Get Task run share: the task type learned so far (Find Automatically),
 * the item that is learning it, and when the next status read may start (reads are spaced).
 */
interface GetTaskRun {
	learned?: TaskKind;
	learning?: Promise<void>;
	nextReadAt: number;
}

const getTaskRuns = new Map<string, GetTaskRun>();
const MAX_GET_TASK_RUNS = 200;

function getTaskRunOf(ctx: IExecuteSingleFunctions): GetTaskRun {
	const node = ctx.getNode();
	const key = `${ctx.getExecutionId()}:${node.id ?? node.name}`;
	let run = getTaskRuns.get(key);
	if (!run) {
		run = { nextReadAt: 0 };
		getTaskRuns.set(key, run);
		// Forget the oldest runs: one entry per execution and node is all that is ever needed.
		while (getTaskRuns.size > MAX_GET_TASK_RUNS) {
			getTaskRuns.delete(getTaskRuns.keys().next().value as string);
		}
	}
	return run;
}

/** The Task Type parameter: a task kind, or undefined for Find Automatically. */
function chosenKind(ctx: IExecuteSingleFunctions): TaskKind | undefined {
	const chosen = String(ctx.getNodeParameter('taskKind', 'auto') ?? 'auto').trim();
	if (chosen === 'auto' || chosen === '') return undefined;
	if (!TASK_KINDS.includes(chosen as TaskKind)) {
		throw inputError(ctx, {
			field: 'Task Type',
			message: `Unknown task type '${chosen}'`,
			description: `Use one of ${TASK_KINDS.join(', ')} or auto (Find Automatically).`,
		});
	}
	return chosen as TaskKind;
}

/** The kinds to try for a task, the one learned in this run first. */
function searchOrder(run: GetTaskRun): TaskKind[] {
	return run.learned ? [run.learned, ...TASK_KINDS.filter((k) => k !== run.learned)] : TASK_KINDS;
}

function taskIdOf(ctx: IExecuteSingleFunctions): string {
	const taskId = String(ctx.getNodeParameter('taskId', '') ?? '').trim();
	if (!taskId) {
		throw inputError(ctx, {
			field: 'Task ID',
			message: 'Task ID is empty',
			description: 'Give the task_id returned by a create operation.',
		});
	}
	return taskId;
}

/**
 * Find Automatically: the first item of a run that needs the type finds it (up to one read per
 * type); the other items wait for that and then read their task under the learned type only.
 */
async function learnKind(
	ctx: IExecuteSingleFunctions,
	run: GetTaskRun,
	taskId: string,
	wait: PollWait,
): Promise<{ kind: TaskKind; task?: KlingTask }> {
	while (!run.learned && run.learning) await run.learning;
	if (run.learned) return { kind: run.learned };
	let done = () => {};
	run.learning = new Promise<void>((resolve) => (done = resolve));
	try {
		const found = await locateTask(ctx, TASK_KINDS, taskId, wait);
		run.learned = found.kind;
		return found;
	} finally {
		run.learning = undefined;
		done();
	}
}

/**
 * preSend of Get Task. Waiting off (the "Wait node loop" pattern): sends nothing itself; the
 * declarative request is the one status read of the item, spaced from the other items' reads.
 * With the Task Type known (chosen, or learned from an earlier item of this run) that is
 * exactly one request per task. Waiting on: finds the task, polls until it ends, and the
 * declarative request reads the finished task.
 */
export async function prepareGetTask(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const taskId = taskIdOf(this);
	const chosen = chosenKind(this);
	await checkCredential(this);
	const settings = settingsOf(this);
	const wait = waitFrom(this, settings, taskId);
	const run = getTaskRunOf(this);
	if (!settings.wait) {
		const kind = chosen ?? (await learnKind(this, run, taskId, wait)).kind;
		const now = Date.now();
		const at = Math.max(now, run.nextReadAt);
		run.nextReadAt = at + timing.pollSpacingMs;
		if (at > now && !(await pause(this, at - now, { ...wait, deadline: Infinity }))) {
			throw cancelledError(this, taskId);
		}
		return { ...requestOptions, method: 'GET', url: taskPath(kind, taskId) };
	}
	const { kind, task } = await locateTask(this, chosen ? [chosen] : searchOrder(run), taskId, wait);
	if (!chosen) run.learned = kind;
	await waitForTask(this, kind, task, limiterOf(this, settings), wait);
	return { ...requestOptions, method: 'GET', url: taskPath(kind, task.task_id) };
}

/**
 * postReceive of Get Task. A task that is not under the learned type (a batch mixing types in
 * Find Automatically) is looked for under the other types; a read that failed on the way
 * (5xx, rate limit, unreadable answer) is repeated with the node's retry rules. Every failure
 * names the task ID. Then the answer goes through the common output.
 */
export async function outputGetTask(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const envelope = parseEnvelope(response.body);
	const data = envelope?.data as KlingTask | undefined;
	if (envelope?.code === 0 && response.statusCode < 300 && data?.task_id) {
		return await outputTask.call(this, items, response);
	}
	const taskId = taskIdOf(this);
	const chosen = chosenKind(this);
	const settings = settingsOf(this);
	const wait = waitFrom(this, settings, taskId);
	const exchange = {
		status: response.statusCode,
		envelope,
		noAnswer: envelope ? undefined : 'unreadable answer',
	};
	const verdict = classify(exchange);
	const notFound = response.statusCode === 404 || envelope?.code === 1203;
	let kinds: TaskKind[];
	if (notFound && !chosen) {
		// Not under the type learned from another item: look under the others.
		const tried = getTaskRunOf(this).learned;
		kinds = TASK_KINDS.filter((kind) => kind !== tried);
	} else if (verdict === 'transient' || verdict === 'throttled' || verdict === 'busy') {
		kinds = [chosen ?? getTaskRunOf(this).learned ?? TASK_KINDS[0]];
	} else {
		throw klingApiError(this, failureOf(exchange, taskId));
	}
	const { task } = await locateTask(this, kinds, taskId, wait);
	const again: IN8nHttpFullResponse = {
		...response,
		statusCode: 200,
		body: { code: 0, message: 'SUCCEED', data: task },
	};
	return await outputTask.call(this, items, again);
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
	const task = envelope?.data as KlingTask | undefined;
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
