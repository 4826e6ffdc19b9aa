// Fake Kling AI server for tests, benchmarks and demos. It mimics the legacy /v1 video API
// (envelope, auth, task lifecycle, error codes; see shared/kling-api.md §2-5) closely enough
// that the node cannot tell, adds switchable fault injection and logs every request.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const VIDEO_KINDS = new Set(['text2video', 'image2video', 'multi-image2video']);
const FIRST_TASK_ID = 860000000000000001n;
const CHUNK_SIZE = 64 * 1024;
const SUBMITTED_SHARE = 0.2;
const SAFETY_MESSAGE = 'The content did not pass the safety review';
const MALFORMED_JSON = '{"code":0,"data":{';
// A complete ISO BMFF 'ftyp' box (size 0x18, brand mp42), so content sniffers see an MP4.
const FTYP = Buffer.from('00000018667479706d7034320000000069736f6d6d703432', 'hex');

// HTTP status Kling derives from each error code (kling-api.md §5).
const HTTP_STATUS = {
	1000: 401,
	1001: 401,
	1002: 401,
	1003: 401,
	1004: 401,
	1100: 429,
	1101: 429,
	1102: 429,
	1103: 403,
	1200: 400,
	1201: 400,
	1202: 404,
	1203: 404,
	1300: 400,
	1301: 400,
	1302: 429,
	1303: 429,
	1304: 429,
	5000: 500,
	5001: 503,
	5002: 504,
};

const DEFAULTS = {
	apiKey: 'test-api-key',
	accessKey: 'test-access-key',
	secretKey: 'test-secret-key',
	taskDurationMs: 300,
	successStatus: 'succeed',
	concurrency: Infinity,
	videoBytes: 65536,
	failTasks: false,
	retryAfterSeconds: undefined,
	faults: {},
};

export async function startFakeKling(options = {}) {
	const initialOptions = { ...DEFAULTS, ...options, faults: { ...options.faults } };
	const state = {
		options: { ...initialOptions, faults: { ...initialOptions.faults } },
		tasks: new Map(),
		log: [],
		counters: zeroCounters(),
		nextTaskId: FIRST_TASK_ID,
		nextSig: 1,
		startedAt: Date.now(),
		url: '',
	};
	const server = createServer((req, res) => {
		handleRequest(state, req, res).catch((error) => answerCrash(req, res, error));
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', resolve);
	});
	const { port } = server.address();
	state.url = `http://127.0.0.1:${port}`;

	return {
		url: state.url,
		port,
		log: state.log,
		tasks: state.tasks,
		stats: () => ({ ...state.counters }),
		setOptions(partial) {
			state.options = {
				...state.options,
				...partial,
				faults: { ...state.options.faults, ...partial.faults },
			};
		},
		reset() {
			const { apiKey, accessKey, secretKey } = state.options;
			state.options = { ...initialOptions, apiKey, accessKey, secretKey, faults: {} };
			state.tasks.clear();
			state.log.length = 0;
			state.counters = zeroCounters();
		},
		close: () =>
			new Promise((resolve, reject) => {
				server.close((error) => (error ? reject(error) : resolve()));
				server.closeAllConnections();
			}),
	};
}

function zeroCounters() {
	return {
		submissions: 0,
		submitRequests: 0,
		polls: 0,
		downloads: 0,
		maxRunning: 0,
		rejected1303: 0,
	};
}

// ---------------------------------------------------------------------------------------------
// Request pipeline: read body → log → delay → (download | auth → route)

async function handleRequest(state, req, res) {
	const url = new URL(req.url, state.url);
	const body = await readJsonBody(req);
	const route = matchRoute(req.method, url.pathname);
	const entry = {
		method: req.method,
		path: url.pathname,
		query: Object.fromEntries(url.searchParams),
		headers: { ...req.headers },
		body,
		status: null,
		at: Date.now() - state.startedAt,
		kind: route.kind,
	};
	state.log.push(entry);
	countRequest(state.counters, route.kind);
	const ctx = { state, req, res, entry, route, query: entry.query, body };

	await delay(state.options.faults.slowMs);
	if (route.kind === 'download') return serveDownload(ctx);

	const denied = authError(req.headers.authorization, state.options);
	if (denied) return sendError(ctx, denied.code, denied.message);

	if (route.kind === 'submit') return handleSubmit(ctx);
	if (route.kind === 'poll') return handlePoll(ctx);
	if (route.kind === 'list') return handleList(ctx);
	return sendError(ctx, route.code, route.message);
}

async function readJsonBody(req) {
	const chunks = [];
	for await (const chunk of req) chunks.push(chunk);
	const text = Buffer.concat(chunks).toString('utf8');
	try {
		return JSON.parse(text);
	} catch {
		return undefined; // empty or not JSON: a submit answers 1200
	}
}

const WRONG_METHOD = { kind: 'other', code: 1202, message: 'method not allowed' };
const NOT_FOUND = { kind: 'other', code: 1203, message: 'resource not found' };

function matchRoute(method, pathname) {
	const media = /^\/media\/([^/]+)\.mp4$/.exec(pathname);
	if (media) {
		return method === 'GET' ? { kind: 'download', taskId: decodeSegment(media[1]) } : WRONG_METHOD;
	}
	const [, version, videos, videoKind, id, ...rest] = pathname.split('/');
	if (version !== 'v1' || videos !== 'videos' || !VIDEO_KINDS.has(videoKind) || rest.length > 0) {
		return NOT_FOUND;
	}
	if (method === 'POST' && id === undefined) return { kind: 'submit', videoKind };
	if (method !== 'GET') return WRONG_METHOD;
	if (id === undefined) return { kind: 'list', videoKind };
	return { kind: 'poll', videoKind, id: decodeSegment(id) };
}

function decodeSegment(segment) {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment; // malformed escapes simply match no task
	}
}

function countRequest(counters, kind) {
	if (kind === 'submit') counters.submitRequests += 1;
	if (kind === 'poll') counters.polls += 1;
	if (kind === 'download') counters.downloads += 1;
}

function delay(ms) {
	if (!ms) return undefined;
	return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function takeFault(state, name) {
	const { faults } = state.options;
	if (!(faults[name] > 0)) return false;
	faults[name] -= 1;
	return true;
}

// ---------------------------------------------------------------------------------------------
// Auth: either the plain API key or an HS256 JWT signed with the secret key (kling-api.md §2)

const AUTH_EMPTY = { code: 1001, message: 'Authorization is empty' };
const AUTH_INVALID = { code: 1002, message: 'Authorization is invalid' };
const AUTH_NOT_YET_VALID = { code: 1003, message: 'Authorization is not yet valid' };
const AUTH_EXPIRED = { code: 1004, message: 'Authorization is expired' };

function authError(header, { apiKey, accessKey, secretKey }) {
	if (!header) return AUTH_EMPTY;
	if (!header.startsWith('Bearer ')) return AUTH_INVALID;
	const token = header.slice('Bearer '.length);
	if (apiKey && token === apiKey) return undefined;
	return jwtError(token, accessKey, secretKey);
}

function jwtError(token, accessKey, secretKey) {
	const parts = token.split('.');
	if (parts.length !== 3 || !secretKey) return AUTH_INVALID;
	const [encodedHeader, encodedPayload, signature] = parts;
	const header = decodeJwtPart(encodedHeader);
	const claims = decodeJwtPart(encodedPayload);
	const expected = createHmac('sha256', secretKey)
		.update(`${encodedHeader}.${encodedPayload}`)
		.digest('base64url');
	if (header?.alg !== 'HS256' || !sameString(expected, signature)) return AUTH_INVALID;
	if (
		claims?.iss !== accessKey ||
		typeof claims.nbf !== 'number' ||
		typeof claims.exp !== 'number'
	) {
		return AUTH_INVALID;
	}
	const nowSeconds = Math.floor(Date.now() / 1000);
	if (claims.nbf > nowSeconds) return AUTH_NOT_YET_VALID;
	if (claims.exp <= nowSeconds) return AUTH_EXPIRED;
	return undefined;
}

function decodeJwtPart(part) {
	try {
		return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
	} catch {
		return undefined; // not JSON: the caller answers 1002
	}
}

function sameString(a, b) {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

// ---------------------------------------------------------------------------------------------
// Submit

function handleSubmit(ctx) {
	const { state, route, body } = ctx;
	if (takeFault(state, 'submitReset')) return dropConnection(ctx);
	if (takeFault(state, 'submitRateLimit')) {
		return sendError(ctx, 1302, 'request rate exceeds limit');
	}
	if (takeFault(state, 'submitServerError')) return sendError(ctx, 5000, 'internal error');
	// Any other Kling error on submit: faults.submitError = { count, code, message }.
	const custom = state.options.faults.submitError;
	if (custom?.count > 0) {
		custom.count -= 1;
		return sendError(ctx, custom.code, custom.message ?? 'error');
	}
	if (takeFault(state, 'submitMalformed')) return sendRaw(ctx, 200, MALFORMED_JSON);

	const invalid = submitError(route.videoKind, body);
	if (invalid) return sendError(ctx, invalid.code, invalid.message);
	// Kling does not document a reused external_task_id; we answer the 1201 the node expects.
	if (body.external_task_id !== undefined && findByExternalId(state, body.external_task_id)) {
		return sendError(ctx, 1201, 'external_task_id already exists');
	}
	if (runningCount(state, Date.now()) >= state.options.concurrency) {
		state.counters.rejected1303 += 1;
		return sendError(ctx, 1303, 'parallel task over resource pack limit');
	}

	const task = createTask(state, route.videoKind, body);
	// Both faults mimic a create that succeeded server-side but whose answer the client never gets.
	if (takeFault(state, 'submitTimeout5002')) return sendError(ctx, 5002, 'internal timeout');
	if (takeFault(state, 'submitDropResponse')) return dropConnection(ctx);
	return sendData(ctx, {
		task_id: task.task_id,
		task_status: 'submitted',
		task_info: taskInfo(task),
		created_at: task.createdAt,
		updated_at: task.createdAt,
	});
}

function submitError(videoKind, body) {
	if (!isPlainObject(body)) {
		return { code: 1200, message: 'request body must be a JSON object' };
	}
	if (videoKind !== 'image2video' && !isNonEmptyString(body.prompt)) {
		return { code: 1201, message: 'prompt is required' };
	}
	if (videoKind === 'image2video' && !isNonEmptyString(body.image)) {
		return { code: 1201, message: 'image is required' };
	}
	if (videoKind === 'multi-image2video' && !isImageList(body.image_list)) {
		return { code: 1201, message: 'image_list must hold 1 to 4 items of {image}' };
	}
	if (body.external_task_id !== undefined && !isNonEmptyString(body.external_task_id)) {
		return { code: 1201, message: 'external_task_id must be a non-empty string' };
	}
	return undefined;
}

function isPlainObject(value) {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value) {
	return typeof value === 'string' && value.length > 0;
}

function isImageList(list) {
	return (
		Array.isArray(list) &&
		list.length >= 1 &&
		list.length <= 4 &&
		list.every((item) => isPlainObject(item) && isNonEmptyString(item.image))
	);
}

function createTask(state, videoKind, body) {
	const { options } = state;
	const task = {
		task_id: String(state.nextTaskId++),
		kind: videoKind,
		external_task_id: body.external_task_id,
		body,
		createdAt: Date.now(),
		durationMs: resolveDuration(options.taskDurationMs, body, videoKind),
		neverFinish: Boolean(options.faults.neverFinish),
		outcome: decideOutcome(options, body),
	};
	state.tasks.set(task.task_id, task);
	state.counters.submissions += 1;
	const running = runningCount(state, task.createdAt);
	state.counters.maxRunning = Math.max(state.counters.maxRunning, running);
	return task;
}

function resolveDuration(taskDurationMs, body, videoKind) {
	return typeof taskDurationMs === 'function' ? taskDurationMs(body, videoKind) : taskDurationMs;
}

function decideOutcome({ failTasks, successStatus }, body) {
	const verdict = typeof failTasks === 'function' ? failTasks(body) : failTasks;
	if (!verdict) return { status: successStatus, message: '' };
	return { status: 'failed', message: typeof verdict === 'string' ? verdict : SAFETY_MESSAGE };
}

// ---------------------------------------------------------------------------------------------
// Task state, query and list

function taskPhase(task, now) {
	const elapsed = now - task.createdAt;
	if (!task.neverFinish && elapsed >= task.durationMs) {
		return { status: task.outcome.status, since: task.createdAt + task.durationMs, done: true };
	}
	const processingAfter = task.durationMs * SUBMITTED_SHARE;
	if (elapsed < processingAfter) return { status: 'submitted', since: task.createdAt, done: false };
	return { status: 'processing', since: task.createdAt + processingAfter, done: false };
}

function isSucceeded(task, now) {
	return taskPhase(task, now).done && task.outcome.status !== 'failed';
}

function runningCount(state, now) {
	let running = 0;
	for (const task of state.tasks.values()) if (!taskPhase(task, now).done) running += 1;
	return running;
}

function findByExternalId(state, externalId) {
	for (const task of state.tasks.values()) if (task.external_task_id === externalId) return task;
	return undefined;
}

function taskInfo(task) {
	return task.external_task_id === undefined ? {} : { external_task_id: task.external_task_id };
}

function taskView(state, task, now) {
	const phase = taskPhase(task, now);
	const succeeded = isSucceeded(task, now);
	const view = {
		task_id: task.task_id,
		task_status: phase.status,
		task_status_msg: phase.done ? task.outcome.message : '',
		task_info: taskInfo(task),
		created_at: task.createdAt,
		updated_at: phase.since,
		final_unit_deduction: succeeded ? '1' : '0',
	};
	if (!succeeded) return view;
	// Like Kling's CDN links, every query hands out a freshly signed URL.
	const url = `${state.url}/media/${encodeURIComponent(task.task_id)}.mp4?sig=${state.nextSig++}`;
	const duration = String(task.body.duration ?? '5');
	return { ...view, task_result: { videos: [{ id: `v-${task.task_id}`, url, duration }] } };
}

function handlePoll(ctx) {
	const { state, route } = ctx;
	if (takeFault(state, 'pollReset')) return dropConnection(ctx);
	if (takeFault(state, 'pollServerError')) {
		return state.options.faults.pollErrorStatus === 503
			? sendError(ctx, 5001, 'service temporarily unavailable')
			: sendError(ctx, 5000, 'internal error');
	}
	if (takeFault(state, 'pollMalformed')) return sendRaw(ctx, 200, MALFORMED_JSON);
	if (takeFault(state, 'pollUnexpected')) {
		return sendRaw(ctx, 200, JSON.stringify({ hello: 'world' }));
	}

	// Kling documents task_id and external_task_id as alternatives for the same path slot.
	const task = state.tasks.get(route.id) ?? findByExternalId(state, route.id);
	if (!task || task.kind !== route.videoKind) return sendError(ctx, 1203, 'task not found');
	return sendData(ctx, taskView(state, task, Date.now()));
}

function handleList(ctx) {
	const { state, route, query } = ctx;
	const pageNum = query.pageNum === undefined ? 1 : Number(query.pageNum);
	const pageSize = query.pageSize === undefined ? 30 : Number(query.pageSize);
	if (!isIntegerIn(pageNum, 1, 1000)) {
		return sendError(ctx, 1201, 'pageNum must be between 1 and 1000');
	}
	if (!isIntegerIn(pageSize, 1, 500)) {
		return sendError(ctx, 1201, 'pageSize must be between 1 and 500');
	}

	const now = Date.now();
	const externalId = query.external_task_id;
	const newestFirst = [...state.tasks.values()]
		.filter((task) => task.kind === route.videoKind)
		.filter((task) => externalId === undefined || task.external_task_id === externalId)
		.reverse();
	const page = newestFirst.slice((pageNum - 1) * pageSize, pageNum * pageSize);
	return sendData(
		ctx,
		page.map((task) => taskView(state, task, now)),
	);
}

function isIntegerIn(value, min, max) {
	return Number.isInteger(value) && value >= min && value <= max;
}

// ---------------------------------------------------------------------------------------------
// Download (a CDN URL: no auth)

async function serveDownload(ctx) {
	const { state, res, route } = ctx;
	// 404/403 are what an expired signed URL answers.
	if (takeFault(state, 'download404')) return sendError(ctx, 1203, 'video not found');
	if (takeFault(state, 'download403')) return sendError(ctx, 1103, 'signature expired');
	const task = state.tasks.get(route.taskId);
	if (!task || !isSucceeded(task, Date.now())) return sendError(ctx, 1203, 'video not found');

	const size = state.options.videoBytes;
	const truncate = takeFault(state, 'downloadTruncate');
	ctx.entry.status = 200;
	res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': size });
	await streamVideo(res, videoChunks(task.task_id, size), truncate ? Math.floor(size / 2) : size);
	if (truncate) res.destroy();
	else res.end();
}

async function streamVideo(res, chunks, limit) {
	let sent = 0;
	for (const chunk of chunks) {
		if (res.destroyed) return;
		const part = chunk.subarray(0, limit - sent);
		sent += part.length;
		// The last part resolves once flushed, so a truncation really delivers `limit` bytes.
		if (sent >= limit) return new Promise((resolve) => res.write(part, () => resolve()));
		if (!res.write(part)) await drainedOrClosed(res);
	}
	return undefined;
}

function drainedOrClosed(res) {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.on('drain', done);
		res.on('close', done);
	});
}

// Deterministic video bytes: the ftyp header, then a 32-byte pattern derived from the task id,
// repeated. Generated chunk by chunk so a 200 MB video never sits in memory. Chunks may be
// shared between yields: do not mutate them.
export function* videoChunks(taskId, size) {
	if (size <= 0) return;
	const pattern = createHash('sha256').update(`fake-kling:${taskId}`).digest();
	yield videoSlice(pattern, 0, Math.min(CHUNK_SIZE, size));
	if (size <= CHUNK_SIZE) return;
	// CHUNK_SIZE is a multiple of the pattern length, so every later chunk is the same bytes:
	// build it once instead of allocating (and garbage-collecting) 64 KB per write.
	const steady = videoSlice(pattern, CHUNK_SIZE, CHUNK_SIZE);
	for (let start = CHUNK_SIZE; start < size; start += CHUNK_SIZE) {
		yield steady.subarray(0, Math.min(CHUNK_SIZE, size - start));
	}
}

function videoSlice(pattern, start, length) {
	const chunk = Buffer.allocUnsafe(length);
	const phase = (((start - FTYP.length) % pattern.length) + pattern.length) % pattern.length;
	chunk.fill(Buffer.concat([pattern.subarray(phase), pattern.subarray(0, phase)]));
	if (start < FTYP.length) FTYP.copy(chunk, 0, start);
	return chunk;
}

export function videoBytesFor(taskId, size) {
	return Buffer.concat([...videoChunks(taskId, size)], size);
}

// ---------------------------------------------------------------------------------------------
// Responses

function sendRaw(ctx, status, text, headers = {}) {
	ctx.entry.status = status;
	ctx.res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	ctx.res.end(text);
}

function sendData(ctx, data) {
	const envelope = { code: 0, message: 'SUCCEED', request_id: randomUUID(), data };
	sendRaw(ctx, 200, JSON.stringify(envelope));
}

function sendError(ctx, code, message) {
	const status = HTTP_STATUS[code];
	const { retryAfterSeconds } = ctx.state.options;
	const throttled = (status === 429 || status === 503) && retryAfterSeconds !== undefined;
	const headers = throttled ? { 'retry-after': String(retryAfterSeconds) } : {};
	sendRaw(ctx, status, JSON.stringify({ code, message, request_id: randomUUID() }), headers);
}

function dropConnection(ctx) {
	ctx.req.socket.destroy();
}

// A throwing option callback (taskDurationMs, failTasks) surfaces as a 500 instead of a hang.
function answerCrash(req, res, error) {
	if (res.headersSent || req.socket.destroyed) {
		req.socket.destroy();
		return;
	}
	const text = JSON.stringify({
		code: 5000,
		message: `fake server error: ${error.message}`,
		request_id: randomUUID(),
	});
	res.writeHead(500, { 'content-type': 'application/json' });
	res.end(text);
}

// ---------------------------------------------------------------------------------------------
// CLI: node test/fake-kling/server.mjs [--port N] [--api-key K] [--access-key A --secret-key S]
//                                      [--duration-ms N] [--video-bytes N]

async function main() {
	const { values } = parseArgs({
		options: {
			port: { type: 'string' },
			'api-key': { type: 'string' },
			'access-key': { type: 'string' },
			'secret-key': { type: 'string' },
			'duration-ms': { type: 'string' },
			'video-bytes': { type: 'string' },
		},
	});
	const given = {
		port: values.port && Number(values.port),
		apiKey: values['api-key'],
		accessKey: values['access-key'],
		secretKey: values['secret-key'],
		taskDurationMs: values['duration-ms'] && Number(values['duration-ms']),
		videoBytes: values['video-bytes'] && Number(values['video-bytes']),
	};
	const options = Object.fromEntries(
		Object.entries(given).filter(([, value]) => value !== undefined),
	);
	const fake = await startFakeKling(options);
	process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
	const stop = () => fake.close().then(() => process.exit(0));
	process.once('SIGTERM', stop);
	process.once('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	await main();
}
