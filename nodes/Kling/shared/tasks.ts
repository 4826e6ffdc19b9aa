import { createHash } from 'node:crypto';
import type { IBinaryData, IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';

import { LOOKUP_ROUNDS, MAX_CREATE_RESENDS, MAX_TRANSIENT_ATTEMPTS, TASK_PATHS } from './constants';
import { delays } from './delays';
import {
	asNodeError,
	cancelledError,
	downloadError,
	klingApiError,
	taskFailedError,
	timeoutError,
	unconfirmedTaskError,
	unsafeMediaUrlError,
} from './errors';
import type { Slot, TaskLimiter } from './limiter';
import {
	type Answer,
	backoffMs,
	baseUrlOf,
	failureOf,
	fitsBeforeDeadline,
	readKling,
	requestOptionsOfNode,
	retryDelay,
	retryKling,
	sendToKling,
	sleepUnlessStopped,
	type KlingRequest,
	type WaitContext,
} from './transport';
import {
	createdTaskOf as createdNewApiTask,
	findNewApiTask,
	lookUpTask,
	taskOfAnswer,
} from './api2/tasks';
import type { KlingTask, TaskKind, TaskState } from './types';
import { checkMediaUrl } from './validation';

/** Where tasks of a kind are created and listed (legacy API: POST and GET on the same path). */
export function kindPath(kind: TaskKind): string {
	return TASK_PATHS[kind];
}

/** The read of one task: GET <kind path>/<id>, or GET /tasks?task_ids=<id> on the new API. */
export function taskReadRequest(kind: TaskKind, id: string): KlingRequest {
	if (kind === 'tasks') return { method: 'GET', url: '/tasks', qs: { task_ids: id } };
	return { method: 'GET', url: taskPath(kind, id) };
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
 * Kling's legacy API says `succeed`; its newer API and callbacks say `succeeded`; the original
 * README and some resellers say `completed`.
 */
export function taskStateOf(status: unknown): TaskState {
	const value = String(status ?? '').toLowerCase();
	if (['succeed', 'succeeded', 'completed', 'success'].includes(value)) return 'succeeded';
	if (['failed', 'failure', 'error'].includes(value)) return 'failed';
	return 'running';
}

/** A hash of everything in a request body that shapes the video (not the ID, not the callback). */
function bodyDigest(extra: unknown[], body: IDataObject): string {
	const work = { ...body };
	delete work.external_task_id;
	delete work.callback_url;
	return createHash('sha256')
		.update(JSON.stringify([...extra, sortKeys(work)]))
		.digest('hex');
}

/**
 * Default external_task_id: the same workflow, node, item and request body give the same id
 * within one reuse window (`scope`: the window and its number, or the execution when reuse is
 * off), so a retry or a re-run finds the task already paid for instead of creating a second
 * one. Anything that changes the video (prompt, model, image…) changes the id.
 */
export function deriveExternalTaskId(
	workflowId: string,
	nodeId: string,
	itemIndex: number,
	body: IDataObject,
	scope = '',
): string {
	const digest = bodyDigest(
		scope ? [workflowId, nodeId, itemIndex, scope] : [workflowId, nodeId, itemIndex],
		body,
	);
	return `n8n-${digest.slice(0, 40)}`;
}

/**
 * A custom External Task ID with a hash of the request folded in: `<custom>-<8 hex>`. The same
 * custom ID with other inputs (a loop where `$itemIndex` is always 0) is then another task,
 * never the first one's video.
 */
export function customExternalTaskId(custom: string, body: IDataObject): string {
	return `${custom}-${bodyDigest([], body).slice(0, 8)}`;
}

/** The task in a create's answer: the legacy task object, or a new-API record (api2/). */
function createdTaskOf(job: CreateJob, data: unknown): KlingTask | undefined {
	return job.kind === 'tasks' ? createdNewApiTask(data, job.externalId) : asTask(data);
}

/** The task in a read's answer: the legacy task object, or the record list of GET /tasks. */
export function taskOfData(kind: TaskKind, data: unknown): KlingTask | undefined {
	return kind === 'tasks' ? taskOfAnswer(data) : asTask(data);
}

function asTask(data: unknown): KlingTask | undefined {
	const task = data as KlingTask | undefined;
	return task && typeof task === 'object' && typeof task.task_id === 'string' && task.task_id
		? task
		: undefined;
}

/** Looks a task up by our external id: path form first (documented), then the list filter. */
export async function findByExternalId(
	ctx: IExecuteSingleFunctions,
	kind: TaskKind,
	externalId: string,
	wait: WaitContext,
): Promise<KlingTask | undefined> {
	if (kind === 'tasks') return await findNewApiTask(ctx, externalId, wait); // new API (api2/)
	for (const request of [
		{ method: 'GET' as const, url: taskPath(kind, externalId) },
		{
			method: 'GET' as const,
			url: kindPath(kind),
			qs: { external_task_id: externalId, pageNum: 1, pageSize: 30 },
		},
	]) {
		try {
			const envelope = await readKling(ctx, request, wait);
			const found = Array.isArray(envelope.data)
				? (envelope.data as KlingTask[]).find(
						(task) => task?.task_info?.external_task_id === externalId,
					)
				: asTask(envelope.data);
			if (found) return found;
		} catch (error) {
			// Not found under that form (404 / 1203, or 400 where the form is not supported).
			const status = Number((error as { httpCode?: unknown }).httpCode);
			if (status !== 404 && status !== 400) throw asNodeError(ctx, error);
		}
	}
	return undefined;
}

/** findByExternalId, tried `rounds` times with backoff: a task just created may not show yet. */
async function lookUp(
	ctx: IExecuteSingleFunctions,
	job: CreateJob,
	rounds: number,
): Promise<KlingTask | undefined> {
	for (let round = 0; round < rounds; round++) {
		if (round > 0) {
			const delay = retryDelay('transient', round - 1);
			if (!fitsBeforeDeadline(delay, job.wait)) return undefined;
			await sleepUnlessStopped(ctx, delay, job.wait);
		}
		const found = await findByExternalId(ctx, job.kind, job.externalId, job.wait);
		if (found) return found;
	}
	return undefined;
}

/** Failures that prove the request never left this machine: safe to send again as is. */
const NOT_SENT = ['connection refused', 'host not found'];

/** One create operation's item: what it sends and the place in flight it holds. */
export interface CreateJob {
	kind: TaskKind;
	/** Where the create is sent when not at the kind's path (Kling's new API: /<op>/<model>). */
	url?: string;
	body: IDataObject;
	externalId: string;
	slot: Slot;
	limiter: TaskLimiter;
	wait: WaitContext;
}

export interface CreatedTask {
	task: KlingTask;
	/** The task existed before this item sent anything (an earlier run or another item made it). */
	reused: boolean;
}

/**
 * Turns the answer to a create (the declared POST, or no answer at all) into its task, paying
 * at most once:
 * - code 0 means created: with no task_id in it, the task is looked up, never sent again;
 * - 1200/1201 (a reused external_task_id, in whatever wording Kling uses) → look up, else fail;
 * - 5xx, reset, timeout, garbled answer: the task may exist → look up with backoff, then send
 *   again at most MAX_CREATE_RESENDS times, then fail naming the external_task_id;
 * - 1303: lower the cap, give the place back, queue again (bounded, floored backoff);
 * - 1302 and 1003/1004: nothing was created; the retry rules send again.
 */
export async function resolveCreate(
	ctx: IExecuteSingleFunctions,
	job: CreateJob,
	first: Answer,
): Promise<CreatedTask> {
	let mayHaveCreated = false;
	let resends = 0;
	const sendAgain = async () =>
		await sendToKling(
			ctx,
			{ method: 'POST', url: job.url ?? kindPath(job.kind), body: job.body },
			job.wait,
		);
	return await retryKling<CreatedTask>(
		ctx,
		job.wait,
		first,
		sendAgain,
		async (answer, verdict) => {
			if (verdict === 'ok') {
				const created = createdTaskOf(job, answer.envelope?.data);
				const task = created ?? (await lookUp(ctx, job, LOOKUP_ROUNDS));
				if (!task) {
					throw unconfirmedTaskError(
						ctx,
						job.externalId,
						'Kling accepted it, but its answer had no task ID and the task cannot be found yet',
					);
				}
				job.limiter.accepted();
				return { task, reused: false };
			}
			const code = answer.envelope?.code;
			if (verdict === 'fatal' && (code === 1200 || code === 1201)) {
				const existing = await findByExternalId(ctx, job.kind, job.externalId, job.wait);
				return existing ? { task: existing, reused: !mayHaveCreated } : undefined;
			}
			if (verdict === 'busy') job.limiter.shrink();
			if (verdict !== 'transient' || NOT_SENT.includes(answer.noAnswer ?? '')) return undefined;
			mayHaveCreated = true;
			const existing = await lookUp(ctx, job, LOOKUP_ROUNDS);
			if (existing) {
				job.limiter.accepted();
				return { task: existing, reused: false };
			}
			if (resends >= MAX_CREATE_RESENDS) {
				const failure = failureOf(answer);
				const reason = failure.network
					? `no answer (${failure.network})`
					: `Kling answered HTTP ${failure.httpStatus ?? '?'}`;
				throw unconfirmedTaskError(
					ctx,
					job.externalId,
					`${reason}, and it cannot be found`,
					failure,
				);
			}
			resends++;
			return undefined;
		},
		{
			waitWhenBusy: async (delayMs) => {
				try {
					await job.slot.requeue(delayMs, job.wait.signal);
				} catch {
					throw cancelledError(ctx);
				}
			},
		},
	);
}

export async function getTask(
	ctx: IExecuteSingleFunctions,
	kind: TaskKind,
	taskId: string,
	wait: WaitContext,
): Promise<KlingTask> {
	if (kind === 'tasks') return await lookUpTask(ctx, taskId, wait); // new API (api2/)
	const envelope = await readKling(
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
			if (status !== 404 || kind === kinds[kinds.length - 1]) throw asNodeError(ctx, error);
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
		const state = taskStateOf(current.task_status);
		if (state === 'succeeded') return current;
		if (state === 'failed') throw taskFailedError(ctx, current.task_id, current.task_status_msg);
		const delay = limiter.reservePoll(wait.intervalMs);
		if (!fitsBeforeDeadline(delay, taskWait)) {
			throw timeoutError(ctx, current.task_id, String(current.task_status), wait.maxWaitMs);
		}
		await sleepUnlessStopped(ctx, delay, taskWait);
		current = await getTask(ctx, kind, current.task_id, taskWait);
	}
}

type BinarySource = Parameters<IExecuteSingleFunctions['helpers']['prepareBinaryData']>[0];

export interface DownloadResponse {
	statusCode: number;
	headers: IDataObject;
	body: BinarySource & { destroy?: () => void };
}

/** What differs between downloading a task's video and one of its images. */
export interface MediaDownload {
	/** The file's URL in (a fresh copy of) the task; undefined when it has none. */
	urlOf: (task: KlingTask) => string | undefined;
	/** Streams a successful answer into n8n's binary data. */
	store: (response: DownloadResponse) => Promise<IBinaryData>;
	/** A complete transfer of 0 bytes is a failure too. */
	refuseEmpty: boolean;
	/** Stopping the execution stops the transfer. */
	abortable: boolean;
	/** The error for a URL `checkMediaUrl` refused. */
	refusedError: (problem: string) => Error;
	/** The error after the last attempt; `problem` is '' when the task had no URL at all. */
	failedError: (problem: string, url: string | undefined) => Error;
}

/**
 * Streams one file of a finished task into n8n's binary data (never buffered here). A short or
 * broken transfer is retried; an expired URL (403/404) asks Kling for the task again to get a
 * fresh URL, once. The URL is a CDN address: it is fetched without the Kling credential.
 */
export async function downloadMedia(
	ctx: IExecuteSingleFunctions,
	task: KlingTask,
	media: MediaDownload,
	refresh: () => Promise<KlingTask>,
	wait: WaitContext,
): Promise<IBinaryData> {
	const taskWait = { ...wait, taskId: task.task_id };
	const signal = media.abortable ? wait.signal : undefined;
	let url = media.urlOf(task);
	let refreshed = false;
	let lastProblem = '';
	for (let attempt = 0; attempt < MAX_TRANSIENT_ATTEMPTS; attempt++) {
		if (!url) break;
		const refused = checkMediaUrl(url, await baseUrlOf(ctx));
		if (refused) throw media.refusedError(refused);
		let response: DownloadResponse | undefined;
		try {
			response = (await ctx.helpers.httpRequest({
				...requestOptionsOfNode(ctx),
				method: 'GET',
				url,
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				...(signal ? { abortSignal: signal } : {}),
			})) as DownloadResponse;
		} catch (error) {
			if (signal?.aborted) throw cancelledError(ctx, task.task_id);
			lastProblem = (error as Error)?.message?.split('\n')[0] ?? 'network error';
		}
		if (response && (response.statusCode === 403 || response.statusCode === 404)) {
			response.body?.destroy?.();
			lastProblem = `HTTP ${response.statusCode} (the link has probably expired)`;
			if (refreshed) break;
			refreshed = true;
			url = media.urlOf(await refresh());
			continue;
		}
		if (response && response.statusCode >= 300) {
			response.body?.destroy?.();
			lastProblem = `HTTP ${response.statusCode}`;
		} else if (response) {
			const expected = Number(response.headers?.['content-length']);
			try {
				const binary = await media.store(response);
				const complete = !Number.isFinite(expected) || expected <= 0 || binary.bytes === expected;
				if (complete && (!media.refuseEmpty || Number(binary.bytes) > 0)) return binary;
				lastProblem = complete
					? 'the file is empty'
					: `received ${binary.bytes} of ${expected} bytes`;
			} catch (error) {
				if (signal?.aborted) throw cancelledError(ctx, task.task_id);
				lastProblem = `transfer broke off (${(error as Error)?.message ?? 'stream error'})`;
			}
		}
		const { retryBaseMs, retryMaxMs } = delays();
		const delay = backoffMs(attempt, retryBaseMs, retryMaxMs);
		if (!fitsBeforeDeadline(delay, taskWait)) break;
		await sleepUnlessStopped(ctx, delay, taskWait);
	}
	throw media.failedError(lastProblem, url);
}

/** The task's video as n8n binary data (`downloadMedia` with the video's name and type). */
export async function downloadVideo(
	ctx: IExecuteSingleFunctions,
	task: KlingTask,
	refresh: () => Promise<KlingTask>,
	wait: WaitContext,
): Promise<IBinaryData> {
	const video: MediaDownload = {
		urlOf: (current) => current.task_result?.videos?.[0]?.url,
		store: async (response) =>
			await ctx.helpers.prepareBinaryData(response.body, `kling-${task.task_id}.mp4`, 'video/mp4'),
		refuseEmpty: false,
		abortable: true,
		refusedError: (problem) => unsafeMediaUrlError(ctx, task.task_id, problem),
		failedError: (problem, url) =>
			downloadError(ctx, task.task_id, url ? problem : 'the finished task has no video URL'),
	};
	return await downloadMedia(ctx, task, video, refresh, wait);
}
