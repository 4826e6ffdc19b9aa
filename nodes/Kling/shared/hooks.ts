import type {
	DeclarativeRestApiSettings,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	CREDENTIAL_TYPE,
	DEFAULT_MAX_CONCURRENT_TASKS,
	DEFAULT_MAX_WAIT_MIN,
	DEFAULT_POLL_INTERVAL_S,
	DEFAULT_REUSE_WINDOW_H,
	TASK_KINDS,
	TASK_PATHS,
} from './constants';
import { asNodeError, cancelledError, inputError, klingApiError } from './errors';
import { accountKeyOf, type AccountLease, type Slot, useAccountLimiter } from './limiter';
import {
	type CreatedTask,
	type CreateJob,
	customExternalTaskId,
	deriveExternalTaskId,
	downloadVideo,
	findByExternalId,
	getTask,
	locateTask,
	type PollWait,
	resolveCreate,
	taskOfData,
	taskReadRequest,
	taskStateOf,
	waitForTask,
} from './tasks';
import {
	type Answer,
	answerOf,
	baseUrlOf,
	describeNetworkError,
	retryKling,
	sendToKling,
	sleepUnlessStopped,
} from './transport';
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
	'video.lipSync': 'advanced-lip-sync',
	'video.avatar': 'avatar/image2video',
	'voice.create': 'custom-voices',
	'video.omniVideo': 'omni-video',
	'video.motionControl': 'motion-control',
	'video.videoEffects': 'effects',
	'video.extendVideo': 'video-extend',
};

export interface RunSettings {
	wait: boolean;
	pollIntervalMs: number;
	maxWaitMs: number;
	download: boolean;
	binaryProperty: string;
	maxInFlight: number;
	/** Identical inputs within this time resume the task already made (0: never). */
	reuseWindowMs: number;
}

/** The operation's Options collection. */
export function optionsOf(ctx: IExecuteSingleFunctions): IDataObject {
	return ctx.getNodeParameter('options', {}) as IDataObject;
}

/** What differs between resources in how their run settings are read. */
export interface SettingsDefaults {
	/** Poll interval when the option is not set (seconds). */
	pollIntervalS?: number;
	/** The boolean option that turns the download of the result off. */
	downloadOption?: string;
}

export function settingsOf(
	ctx: IExecuteSingleFunctions,
	{
		pollIntervalS = DEFAULT_POLL_INTERVAL_S,
		downloadOption = 'downloadVideo',
	}: SettingsDefaults = {},
): RunSettings {
	const options = optionsOf(ctx);
	const number = (value: unknown, fallback: number) => {
		const parsed = Number(value);
		return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
	};
	return {
		wait: ctx.getNodeParameter('waitForCompletion', true) !== false,
		pollIntervalMs: Math.max(1, number(options.pollInterval, pollIntervalS)) * 1000,
		maxWaitMs: number(options.maxWaitTime, DEFAULT_MAX_WAIT_MIN) * 60_000,
		download: options[downloadOption] !== false,
		binaryProperty: String(options.binaryPropertyName || 'data'),
		maxInFlight: number(options.maxConcurrentTasks, DEFAULT_MAX_CONCURRENT_TASKS),
		reuseWindowMs:
			Math.max(0, Number(options.reuseWindowHours ?? DEFAULT_REUSE_WINDOW_H) || 0) * 3_600_000,
	};
}

/** Deadline, cancel signal and polling pace of one item, starting now. */
export function waitFrom(
	ctx: IExecuteSingleFunctions,
	settings: RunSettings,
	taskId?: string,
): PollWait {
	return {
		deadline: Date.now() + settings.maxWaitMs,
		signal: ctx.getExecutionCancelSignal(),
		taskId,
		intervalMs: settings.pollIntervalMs,
		maxWaitMs: settings.maxWaitMs,
	};
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

function throwIfProblem(ctx: IExecuteSingleFunctions, problem: Problem | undefined): void {
	if (problem) throw inputError(ctx, problem);
}

/**
 * The credential, refused before any request when its base URL is unusable. `first` checks
 * what an operation needs of the credential beyond that, before the base URL.
 */
export async function checkCredential(
	ctx: IExecuteSingleFunctions,
	first?: (credentials: ICredentialDataDecryptedObject) => void,
): Promise<ICredentialDataDecryptedObject> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	first?.(credentials);
	throwIfProblem(ctx, checkBaseUrl(credentials.baseUrl));
	return credentials;
}

/**
 * What one item of a Kling operation carries from its preSend hooks through the request to
 * its postReceive hook. RoutingNode gives all of them the same context object per item.
 */
interface ItemRun {
	operation: 'create' | 'get';
	settings: RunSettings;
	/** Images from binary properties, read only once the item holds its place in flight. */
	pendingImages: Array<(body: IDataObject) => Promise<void>>;
	kind?: TaskKind;
	body?: IDataObject;
	customId?: string;
	/** An external_task_id a prepare hook fixed itself (it may have paid steps keyed on it). */
	fixedExternalId?: string;
	/** The task a prepare hook already found by its external_task_id: nothing is created. */
	found?: KlingTask;
	/** Builds the output items of a finished task instead of the video download. */
	present?: TaskPresenter;
	/** The kinds a Get Task of another resource searches (instead of the video kinds). */
	searchKinds?: TaskKind[];
	/** What else shapes the task besides the body (e.g. a model in the URL), for its external id. */
	idSeed?: IDataObject;
	/** The task type Get Task found the task under. */
	foundKind?: TaskKind;
	/** Rewords the item's error for its resource (e.g. "image" instead of "video"). */
	explain?: (error: unknown) => unknown;
	taskId?: string;
	/** Set when the declared request got an answer (its postReceive ran). */
	answered?: boolean;
	lease?: AccountLease;
	job?: CreateJob;
	wait?: PollWait;
}

/** Turns a finished (or, without waiting, a just created) task into the item's output. */
export type TaskPresenter = (
	ctx: IExecuteSingleFunctions,
	task: KlingTask,
	json: IDataObject,
	wait: PollWait,
) => Promise<INodeExecutionData[]>;

const itemRuns = new WeakMap<object, ItemRun>();

/** The item's run; the pagination hook sees the item context through a derived object. */
function itemRunOf(ctx: IExecuteSingleFunctions): ItemRun | undefined {
	return itemRuns.get(ctx) ?? itemRuns.get(Object.getPrototypeOf(ctx) as object);
}

function startItemRun(ctx: IExecuteSingleFunctions, operation: ItemRun['operation']): ItemRun {
	const existing = itemRuns.get(ctx);
	if (existing) {
		existing.operation = operation;
		return existing;
	}
	const run: ItemRun = { operation, settings: settingsOf(ctx), pendingImages: [] };
	itemRuns.set(ctx, run);
	return run;
}

function requireItemRun(ctx: IExecuteSingleFunctions): ItemRun {
	const run = itemRunOf(ctx);
	if (!run) {
		// Only a routing mistake in this package leads here, never user input.
		throw new NodeOperationError(
			ctx.getNode(),
			'This Kling operation is missing its preSend hook (submitTask or prepareGetTask)',
			{ itemIndex: ctx.getItemIndex() },
		);
	}
	return run;
}

/** Stands for a binary image in the body until it is read (validation only needs to see one). */
const BINARY_IMAGE_PENDING = 'binary image, read when the item holds its place';

/** Checks a binary image from its metadata (no bytes read); returns its property name. */
export function checkBinaryImage(
	ctx: IExecuteSingleFunctions,
	property: string,
	field: string,
): string {
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
	if (typeof binary.bytes === 'number') throwIfProblem(ctx, checkImageSize(binary.bytes, field));
	return name;
}

/** Reads a binary image checked by {@link checkBinaryImage} and returns it as bare base64. */
export async function readBinaryImage(
	ctx: IExecuteSingleFunctions,
	name: string,
	field: string,
): Promise<string> {
	const data = await ctx.helpers.getBinaryDataBuffer(name);
	throwIfProblem(ctx, checkImageBytes(data, field));
	// Kling wants bare base64, without a data: prefix.
	return data.toString('base64');
}

/**
 * One image parameter pair: text (URL or base64) goes into the body now; a binary property is
 * checked now and read later, once the item holds its place in flight (`put` stores it).
 */
function takeImage(
	ctx: IExecuteSingleFunctions,
	run: ItemRun,
	fromBinary: boolean,
	text: unknown,
	binaryProperty: unknown,
	field: string,
	put: (body: IDataObject, image: string) => void,
	body: IDataObject,
): void {
	if (fromBinary) {
		const name = checkBinaryImage(ctx, String(binaryProperty ?? ''), field);
		put(body, BINARY_IMAGE_PENDING);
		run.pendingImages.push(async (finalBody) =>
			put(finalBody, await readBinaryImage(ctx, name, field)),
		);
		return;
	}
	const result = normaliseImageText(text, field);
	if ('problem' in result) throw inputError(ctx, result.problem);
	put(body, result.image);
}

/** preSend of Image to Video: puts the start (and optional end) frame into the body. */
export async function prepareImageToVideo(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const run = startItemRun(this, 'create');
	const fromBinary = this.getNodeParameter('imageSource', 'url') === 'binary';
	const body = (requestOptions.body ?? {}) as IDataObject;
	takeImage(
		this,
		run,
		fromBinary,
		this.getNodeParameter('image', ''),
		this.getNodeParameter('imageBinaryProperty', 'data'),
		'Image',
		(target, image) => (target.image = image),
		body,
	);
	const tailText = fromBinary ? '' : String(this.getNodeParameter('imageTail', '') ?? '');
	const tailProperty = fromBinary
		? String(this.getNodeParameter('imageTailBinaryProperty', '') ?? '')
		: '';
	if (tailText.trim() || tailProperty.trim()) {
		takeImage(
			this,
			run,
			fromBinary,
			tailText,
			tailProperty,
			'End Frame',
			(target, image) => (target.image_tail = image),
			body,
		);
	}
	return { ...requestOptions, body };
}

/** preSend of Multi-Image to Video: builds image_list from the Images parameter. */
export async function prepareMultiImageToVideo(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const run = startItemRun(this, 'create');
	const entries = ((this.getNodeParameter('images', {}) as IDataObject).image ??
		[]) as IDataObject[];
	const body = (requestOptions.body ?? {}) as IDataObject;
	if (entries.length > 4) {
		// Checked here too so that no image is looked at needlessly.
		throw inputError(this, {
			field: 'Images',
			message: `${entries.length} reference images given; Kling accepts at most 4`,
			description: 'Remove images until at most 4 remain.',
		});
	}
	body.image_list = entries.map(() => ({}));
	for (const [index, entry] of entries.entries()) {
		takeImage(
			this,
			run,
			entry.source === 'binary',
			entry.url,
			entry.binaryProperty,
			`Images #${index + 1}`,
			(target, image) => ((target.image_list as IDataObject[])[index] = { image }),
			body,
		);
	}
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
 * preSend of every create operation: validates everything before anything is sent and
 * prepares the body. The declared POST is then sent by `runTask` once the item holds its
 * place in flight, and its answer is handled by `outputTask`.
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
	return { ...requestOptions, body: beginCreate(this, kind, prepared.body) };
}

/**
 * Hands a checked body to the engine: from here on the create is sent by `runTask` (once the
 * item holds its place) with the derived or custom external_task_id. For preSend hooks of
 * operations that build and check their body themselves (e.g. the Image resource).
 */
export function beginCreate(
	ctx: IExecuteSingleFunctions,
	kind: TaskKind,
	body: IDataObject,
	idSeed?: IDataObject,
): IDataObject {
	const run = startItemRun(ctx, 'create');
	run.kind = kind;
	run.body = body;
	run.idSeed = idSeed;
	run.customId = String(optionsOf(ctx).externalTaskId ?? '').trim();
	return body;
}

/**
 * preSend of create operations whose prepare hook built and checked the whole body itself,
 * external_task_id included (e.g. after paid preparatory steps keyed on that ID): the declared
 * POST is then sent by `runTask` exactly like the other creates.
 */
export async function submitPreparedTask(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const run = startItemRun(this, 'create');
	run.kind = kindOf(this);
	const body = { ...((requestOptions.body ?? {}) as IDataObject) };
	run.body = body;
	run.fixedExternalId = String(body.external_task_id ?? '') || undefined;
	return { ...requestOptions, body };
}

/** A prepare hook found the task already created: the item resumes it instead of creating. */
export function adoptFoundTask(ctx: IExecuteSingleFunctions, task: KlingTask): void {
	(itemRuns.get(ctx) ?? startItemRun(ctx, 'create')).found = task;
}

/** A prepare hook's own output for the finished task (e.g. a voice sample instead of a video). */
export function presentTaskWith(ctx: IExecuteSingleFunctions, present: TaskPresenter): void {
	(itemRuns.get(ctx) ?? startItemRun(ctx, 'create')).present = present;
}

/** An operation's own wording of the item's error (it keeps the error's type and code). */
export function explainErrorsWith(
	ctx: IExecuteSingleFunctions,
	explain: (error: unknown) => unknown,
): void {
	(itemRuns.get(ctx) ?? startItemRun(ctx, 'create')).explain = explain;
}

/** Get Task of another resource: the task kinds to search, the declared one first. */
export function searchTaskKinds(ctx: IExecuteSingleFunctions, kinds: TaskKind[]): void {
	(itemRuns.get(ctx) ?? startItemRun(ctx, 'get')).searchKinds = kinds;
}

/** preSend of Get Task: checks the task ID; the declared GET reads it on the chosen type. */
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
	const chosen = String(this.getNodeParameter('taskKind', 'auto') ?? 'auto').trim();
	// Every kind the engine knows (video, talking video, new API and image tasks).
	const known = Object.keys(TASK_PATHS);
	if (chosen && chosen !== 'auto' && !known.includes(chosen)) {
		throw inputError(this, {
			field: 'Task Type',
			message: `Unknown task type '${chosen}'`,
			description: `Use one of ${known.join(', ')} or auto (Find Automatically).`,
		});
	}
	await checkCredential(this);
	const run = startItemRun(this, 'get');
	run.taskId = taskId;
	return requestOptions;
}

/**
 * What the items of one Get Task run share in Find Automatically mode: the task type learned
 * from the first task, so the others are read once each under it (the Wait-loop pattern reads
 * many tasks of one type), and the item that is learning it.
 */
interface TypeLearning {
	learned?: TaskKind;
	learning?: Promise<void>;
}

const typeLearnings = new Map<string, TypeLearning>();
const MAX_TYPE_LEARNINGS = 200;

function typeLearningOf(ctx: IExecuteSingleFunctions): TypeLearning {
	const node = ctx.getNode();
	const key = `${ctx.getExecutionId()}:${node.id ?? node.name}`;
	let learning = typeLearnings.get(key);
	if (!learning) {
		learning = {};
		typeLearnings.set(key, learning);
		// One entry per execution and node is all that is ever needed: forget the oldest.
		while (typeLearnings.size > MAX_TYPE_LEARNINGS) {
			typeLearnings.delete(typeLearnings.keys().next().value as string);
		}
	}
	return learning;
}

/**
 * The kinds one Get Task item tries, in order. In Find Automatically mode the first item
 * looks its task up under each type; the others wait for it and start with the type it found.
 * Returns a function to call once the item knows its task's type (or gave up).
 */
async function orderGetTaskKinds(
	ctx: IExecuteSingleFunctions,
	run: ItemRun,
): Promise<(found?: TaskKind) => void> {
	const kinds = run.searchKinds ?? kindsToSearch(ctx);
	if (run.searchKinds || kinds.length <= 1) {
		run.searchKinds = kinds;
		return () => {};
	}
	const shared = typeLearningOf(ctx);
	while (!shared.learned && shared.learning) await shared.learning;
	if (shared.learned) {
		run.searchKinds = [shared.learned, ...kinds.filter((kind) => kind !== shared.learned)];
		return () => {};
	}
	let done = () => {};
	shared.learning = new Promise<void>((resolve) => (done = resolve));
	run.searchKinds = kinds;
	return (found?: TaskKind) => {
		if (found) shared.learned = found;
		shared.learning = undefined;
		done();
	};
}

async function leaseAccount(ctx: IExecuteSingleFunctions, run: ItemRun): Promise<AccountLease> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const key = accountKeyOf(credentials, await baseUrlOf(ctx));
	return useAccountLimiter(key, run.settings.maxInFlight);
}

async function takeSlot(
	ctx: IExecuteSingleFunctions,
	run: ItemRun,
	lease: AccountLease,
): Promise<Slot> {
	try {
		return await lease.limiter.acquire(run.settings.maxInFlight, ctx.getExecutionCancelSignal());
	} catch {
		throw cancelledError(ctx);
	}
}

/** Reads the binary images and fixes the external_task_id: the body as it will be sent. */
/** What the external id is derived from: the body (without the id itself) and the id seed. */
function idShape(run: ItemRun, body: IDataObject): IDataObject {
	const shape: IDataObject = { ...body, ...run.idSeed };
	delete shape.external_task_id;
	if (shape.options && typeof shape.options === 'object') {
		const options = { ...(shape.options as IDataObject) };
		delete options.external_task_id;
		shape.options = options;
	}
	return shape;
}

async function finalBody(ctx: IExecuteSingleFunctions, run: ItemRun): Promise<IDataObject> {
	const body = { ...(run.body as IDataObject) };
	if (Array.isArray(body.image_list)) body.image_list = [...(body.image_list as IDataObject[])];
	for (const read of run.pendingImages) await read(body);
	const shape = idShape(run, body);
	const externalId =
		run.fixedExternalId ??
		(run.customId
			? customExternalTaskId(run.customId, shape)
			: windowedExternalTaskId(ctx, run, shape, Date.now()));
	// Kling's new API takes it in `options` (kling-api-more.md §11); the legacy API at the top.
	if (run.kind === 'tasks')
		body.options = { ...(body.options as IDataObject), external_task_id: externalId };
	else body.external_task_id = externalId;
	return body;
}

function windowedExternalTaskId(
	ctx: IExecuteSingleFunctions,
	run: ItemRun,
	body: IDataObject,
	at: number,
): string {
	const workflow = ctx.getWorkflow();
	const node = ctx.getNode();
	const windowMs = run.settings.reuseWindowMs;
	// No reuse: the execution is the scope (its own retries still never pay twice).
	const scope =
		windowMs > 0
			? `window ${windowMs} #${Math.floor(at / windowMs)}`
			: `execution ${ctx.getExecutionId()}`;
	return deriveExternalTaskId(
		workflow.id ?? workflow.name ?? '',
		node.id ?? node.name,
		ctx.getItemIndex(),
		body,
		scope,
	);
}

/**
 * A task with the same inputs made in the previous reuse window, still younger than the
 * window. Looked up only in the first quarter of a window: a re-run just after a window edge
 * resumes a task from just before it, at the cost of one free look-up.
 */
async function earlierWindowTask(
	ctx: IExecuteSingleFunctions,
	run: ItemRun,
	job: CreateJob,
): Promise<KlingTask | undefined> {
	const windowMs = run.settings.reuseWindowMs;
	const now = Date.now();
	if (run.customId || run.fixedExternalId || windowMs <= 0 || now % windowMs >= windowMs / 4) {
		return undefined;
	}
	const previous = windowedExternalTaskId(ctx, run, idShape(run, job.body), now - windowMs);
	const task = await findByExternalId(ctx, job.kind, previous, job.wait);
	const createdAt = Number(task?.created_at);
	if (!task || (Number.isFinite(createdAt) && now - createdAt >= windowMs)) return undefined;
	return task;
}

/** The output item of a create: the task as Kling returns it, whether it was reused, the video. */
async function finishCreate(
	ctx: IExecuteSingleFunctions,
	run: ItemRun,
	created: CreatedTask,
): Promise<INodeExecutionData[]> {
	const job = run.job as CreateJob;
	let task = created.task;
	if (run.settings.wait) {
		task = await waitForTask(ctx, job.kind, task, job.limiter, run.wait as PollWait);
		// The task is done at Kling: its place goes to the next item before the download.
		job.slot.release();
		job.limiter.grow();
	}
	const json: IDataObject = { ...task, reused: created.reused };
	if (created.reused) json.reused_created_at = isoTime(task.created_at);
	return await outputItem(ctx, run, job.kind, task, json);
}

function isoTime(value: unknown): string | undefined {
	const time = new Date(Number(value));
	return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

async function outputItem(
	ctx: IExecuteSingleFunctions,
	run: ItemRun,
	kind: TaskKind,
	task: KlingTask,
	json: IDataObject,
): Promise<INodeExecutionData[]> {
	const wait = { ...(run.wait as PollWait), taskId: task.task_id };
	if (run.present) return await run.present(ctx, task, json, wait);
	const item: INodeExecutionData = { json, pairedItem: { item: ctx.getItemIndex() } };
	if (!run.settings.wait || !run.settings.download) return [item];
	if (taskStateOf(task.task_status) !== 'succeeded') return [item];
	// An expired video URL is renewed by reading the task again.
	const refresh = async () => await getTask(ctx, kind, task.task_id, wait);
	item.binary = { [run.settings.binaryProperty]: await downloadVideo(ctx, task, refresh, wait) };
	return [item];
}

/** Get Task: the declared GET's answer (or its failure), then the other types, waiting, video. */
async function finishGet(
	ctx: IExecuteSingleFunctions,
	run: ItemRun,
	first: Answer,
): Promise<INodeExecutionData[]> {
	const taskId = run.taskId as string;
	const wait = run.wait as PollWait;
	const [declaredKind, ...otherKinds] = run.searchKinds ?? kindsToSearch(ctx);
	let kind = declaredKind;
	let task: KlingTask;
	try {
		const again = async () => await sendToKling(ctx, taskReadRequest(declaredKind, taskId), wait);
		task = await retryKling(ctx, wait, first, again, async (answer, verdict) => {
			if (verdict !== 'ok') return undefined;
			const found = taskOfData(declaredKind, answer.envelope?.data);
			// GET /tasks answers an unknown id with an empty list: the task is not of this kind.
			if (!found) throw klingApiError(ctx, { httpStatus: 404, code: 1203, taskId });
			return found;
		});
	} catch (error) {
		const status = Number((error as { httpCode?: unknown }).httpCode);
		if (status !== 404 || otherKinds.length === 0) throw asNodeError(ctx, error);
		({ kind, task } = await locateTask(ctx, otherKinds, taskId, wait));
	}
	run.foundKind = kind;
	if (run.settings.wait)
		task = await waitForTask(ctx, kind, task, (run.lease as AccountLease).limiter, wait);
	return await outputItem(ctx, run, kind, task, task);
}

/**
 * Sends the request the operation declares, once, and sees the item through; wired as the
 * operation's `routing.operations.pagination` (with `send.paginate: true`) because that is the
 * hook n8n's RoutingNode offers around the declared request. It holds the item's place in
 * flight around the POST, and turns a request that got no answer at all (reset, timeout —
 * RoutingNode then skips postReceive) into the same recovery as a 5xx: the task is looked up
 * by its external_task_id before anything is sent again.
 */
/**
 * The pagination hook around every operation's declared request (RoutingNode calls it with
 * `send.paginate`): runs the item and words its error the operation's way.
 */
export async function runTask(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	try {
		return await runItem.call(this, requestData);
	} catch (error) {
		const explain = itemRunOf(this)?.explain;
		throw explain ? explain(error) : error;
	}
}

async function runItem(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const run = requireItemRun(this);
	const lease = await leaseAccount(this, run);
	run.lease = lease;
	try {
		if (run.operation === 'get') {
			const learnt = await orderGetTaskKinds(this, run);
			try {
				const kinds = run.searchKinds as TaskKind[];
				// The read goes to the type to try first (the one learned from an earlier item).
				const read = taskReadRequest(kinds[0], run.taskId as string);
				const declared = String(requestData.options.url ?? '');
				if (!declared.includes(read.url) || (read.qs && !declared.includes('task_ids'))) {
					requestData.options.url = read.url;
					if (read.qs) requestData.options.qs = read.qs;
				}
				// The reads of a run (one per task) are spaced, never a burst.
				run.wait = waitFrom(this, run.settings, run.taskId);
				const gap = lease.limiter.reservePoll(0);
				if (gap > 0) await sleepUnlessStopped(this, gap, run.wait);
				const items = await sendDeclared(
					this,
					requestData,
					run,
					async (noAnswer) => await finishGet(this, run, noAnswer),
				);
				learnt(run.foundKind);
				return items;
			} catch (error) {
				learnt(run.foundKind);
				throw asNodeError(this, error);
			}
		}
		const slot = await takeSlot(this, run, lease);
		try {
			const body = await finalBody(this, run);
			// The item's max wait time starts when it gets its place in flight.
			run.wait = waitFrom(this, run.settings);
			const job: CreateJob = {
				kind: run.kind as TaskKind,
				body,
				externalId: String(
					run.kind === 'tasks'
						? (body.options as IDataObject).external_task_id
						: body.external_task_id,
				),
				// The declared URL (the new API addresses the model in the path).
				url: String(requestData.options.url ?? '') || undefined,
				slot,
				limiter: lease.limiter,
				wait: run.wait,
			};
			run.job = job;
			const earlier = run.found ?? (await earlierWindowTask(this, run, job));
			if (earlier) {
				lease.limiter.accepted();
				return await finishCreate(this, run, { task: earlier, reused: true });
			}
			requestData.options.body = body;
			return await sendDeclared(
				this,
				requestData,
				run,
				async (noAnswer) => await finishCreate(this, run, await resolveCreate(this, job, noAnswer)),
			);
		} finally {
			slot.release();
		}
	} finally {
		lease.done();
	}
}

async function sendDeclared(
	ctx: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
	run: ItemRun,
	recover: (noAnswer: Answer) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	try {
		return await ctx.makeRoutingRequest(requestData);
	} catch (error) {
		// An error from outputTask (the request was answered) is the item's result.
		if (run.answered) throw asNodeError(ctx, error);
		if (ctx.getExecutionCancelSignal()?.aborted) throw cancelledError(ctx, run.taskId);
		return await recover({ noAnswer: describeNetworkError(error) });
	}
}

/**
 * postReceive of every operation: Kling's answer to the declared request becomes the output
 * item — the task object as Kling returns it (create operations add `reused`), and, when
 * waiting, the video as binary data.
 */
export async function outputTask(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const run = requireItemRun(this);
	run.answered = true;
	const answer = answerOf(response);
	if (run.operation === 'get') return await finishGet(this, run, answer);
	if (!run.job) {
		throw new NodeOperationError(
			this.getNode(),
			'This Kling operation is missing runTask in its routing',
			{ itemIndex: this.getItemIndex() },
		);
	}
	return await finishCreate(this, run, await resolveCreate(this, run.job, answer));
}
