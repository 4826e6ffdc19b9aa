import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
// The test harness's HTTP client: undici, pinned in devDependencies (not the copy inside Node).
import { fetch } from 'undici';

import { startFakeKling, videoBytesFor } from '../dev/fake-kling/server.mjs';

const API_KEY = 'test-api-key';
const DURATION_MS = 150;

let fake;

beforeAll(async () => {
	fake = await startFakeKling({ taskDurationMs: DURATION_MS });
});

afterAll(() => fake.close());

beforeEach(() => fake.reset());

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(path, { method = 'GET', body, token = API_KEY } = {}) {
	const headers = { 'content-type': 'application/json' };
	if (token !== null) headers.authorization = `Bearer ${token}`;
	const response = await fetch(`${fake.url}${path}`, {
		method,
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: response.status, headers: response.headers, json: await response.json() };
}

const submit = (kind, body) => call(`/v1/videos/${kind}`, { method: 'POST', body });
const getTask = (kind, id) => call(`/v1/videos/${kind}/${encodeURIComponent(id)}`);

async function waitForEnd(kind, id) {
	for (let attempt = 0; attempt < 100; attempt += 1) {
		const { json } = await getTask(kind, id);
		if (!['submitted', 'processing'].includes(json.data.task_status)) return json.data;
		await sleep(DURATION_MS / 3);
	}
	throw new Error(`task ${id} never finished`);
}

async function finishedTextTask(extra = {}) {
	const { json } = await submit('text2video', { prompt: 'a red fox', ...extra });
	return waitForEnd('text2video', json.data.task_id);
}

function signJwt(claims, secret = 'test-secret-key') {
	const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
	return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const validClaims = () => ({
	iss: 'test-access-key',
	exp: nowSeconds() + 1800,
	nbf: nowSeconds() - 5,
});

describe('auth', () => {
	it('accepts the API key as a bearer token', async () => {
		const { status, json } = await call('/v1/videos/text2video?pageNum=1&pageSize=1');
		expect(status).toBe(200);
		expect(json).toMatchObject({ code: 0, message: 'SUCCEED', data: [] });
		expect(json.request_id).toEqual(expect.any(String));
	});

	it('accepts an HS256 JWT signed with the secret key', async () => {
		const { status } = await call('/v1/videos/text2video', { token: signJwt(validClaims()) });
		expect(status).toBe(200);
	});

	it.each([
		['missing header', null, 1001],
		['wrong API key', 'nope', 1002],
		['wrong secret', signJwt(validClaims(), 'other-secret'), 1002],
		['wrong issuer', signJwt({ ...validClaims(), iss: 'someone-else' }), 1002],
		['not yet valid', signJwt({ ...validClaims(), nbf: nowSeconds() + 600 }), 1003],
		['expired', signJwt({ ...validClaims(), exp: nowSeconds() - 1 }), 1004],
		['unsigned token', `${signJwt(validClaims()).split('.').slice(0, 2).join('.')}.`, 1002],
	])('rejects %s with 401', async (_name, token, code) => {
		const { status, json } = await call('/v1/videos/text2video', { token });
		expect(status).toBe(401);
		expect(json.code).toBe(code);
	});
});

describe('task lifecycle', () => {
	it('creates a task and walks it to succeed with a video URL', async () => {
		const created = await submit('text2video', { prompt: 'a red fox', duration: '10' });
		expect(created.status).toBe(200);
		expect(created.headers.get('content-type')).toBe('application/json');
		expect(created.json.data).toEqual({
			task_id: expect.stringMatching(/^\d+$/),
			task_status: 'submitted',
			task_info: {},
			created_at: expect.any(Number),
			updated_at: created.json.data.created_at,
		});
		const id = created.json.data.task_id;
		const first = await getTask('text2video', id);
		expect(['submitted', 'processing']).toContain(first.json.data.task_status);

		const done = await waitForEnd('text2video', id);
		expect(done).toMatchObject({ task_id: id, task_status: 'succeed', task_status_msg: '' });
		expect(done.final_unit_deduction).toBe('1');
		expect(done.task_result.videos).toEqual([
			{
				id: `v-${id}`,
				url: expect.stringContaining(`${fake.url}/media/${id}.mp4?sig=`),
				duration: '10',
			},
		]);
		const again = await getTask('text2video', id);
		expect(again.json.data.task_result.videos[0].url).not.toBe(done.task_result.videos[0].url);
	});

	it("reports the 'completed' spelling when configured", async () => {
		fake.setOptions({ successStatus: 'completed' });
		const done = await finishedTextTask();
		expect(done.task_status).toBe('completed');
		expect(done.task_result.videos).toHaveLength(1);
	});

	it('fails every task with the safety message when failTasks is true', async () => {
		fake.setOptions({ failTasks: true });
		const done = await finishedTextTask();
		expect(done).toMatchObject({
			task_status: 'failed',
			task_status_msg: 'The content did not pass the safety review',
			final_unit_deduction: '0',
		});
		expect(done.task_result).toBeUndefined();
	});

	it('fails selected tasks with a custom message when failTasks is a function', async () => {
		fake.setOptions({
			failTasks: (body) => body.prompt === 'bad' && 'prompt contains blocked words',
		});
		const bad = await finishedTextTask({ prompt: 'bad' });
		const good = await finishedTextTask({ prompt: 'good' });
		expect(bad).toMatchObject({
			task_status: 'failed',
			task_status_msg: 'prompt contains blocked words',
		});
		expect(good.task_status).toBe('succeed');
	});

	it('serves image2video and multi-image2video tasks on their own kind only', async () => {
		const image = await submit('image2video', { image: 'https://example.com/a.png' });
		const multi = await submit('multi-image2video', {
			prompt: 'two friends',
			image_list: [{ image: 'https://example.com/a.png' }, { image: 'https://example.com/b.png' }],
		});
		expect(image.status).toBe(200);
		expect(multi.status).toBe(200);
		expect((await waitForEnd('image2video', image.json.data.task_id)).task_status).toBe('succeed');
		const wrongKind = await getTask('text2video', multi.json.data.task_id);
		expect(wrongKind.status).toBe(404);
		expect(wrongKind.json.code).toBe(1203);
	});

	it.each([
		['text2video', { prompt: '' }, 'prompt'],
		['image2video', { prompt: 'no image' }, 'image'],
		['multi-image2video', { image_list: [{ image: 'a' }] }, 'prompt'],
		['multi-image2video', { prompt: 'p', image_list: Array(5).fill({ image: 'a' }) }, 'image_list'],
		['multi-image2video', { prompt: 'p', image_list: [] }, 'image_list'],
	])('rejects an invalid %s body naming the field', async (kind, body, field) => {
		const { status, json } = await submit(kind, body);
		expect(status).toBe(400);
		expect(json.code).toBe(1201);
		expect(json.message).toContain(field);
		expect(fake.stats().submissions).toBe(0);
	});

	it('rejects a body that is not JSON with 1200', async () => {
		const response = await fetch(`${fake.url}/v1/videos/text2video`, {
			method: 'POST',
			headers: { authorization: `Bearer ${API_KEY}` },
			body: 'prompt=fox',
		});
		expect(response.status).toBe(400);
		expect((await response.json()).code).toBe(1200);
	});

	it('answers 404 with a Kling code for unknown routes and methods', async () => {
		expect((await call('/v1/videos/lip-sync')).json.code).toBe(1203);
		const wrongMethod = await call('/v1/videos/text2video', { method: 'DELETE' });
		expect(wrongMethod.status).toBe(404);
		expect(wrongMethod.json.code).toBe(1202);
	});
});

describe('concurrency and external ids', () => {
	it('rejects submits over the concurrency limit with 1303 and creates nothing', async () => {
		fake.setOptions({ concurrency: 1, retryAfterSeconds: 2, faults: { neverFinish: true } });
		expect((await submit('text2video', { prompt: 'one' })).status).toBe(200);
		const over = await submit('text2video', { prompt: 'two' });
		expect(over.status).toBe(429);
		expect(over.json).toMatchObject({
			code: 1303,
			message: 'parallel task over resource pack limit',
		});
		expect(over.headers.get('retry-after')).toBe('2');
		expect(fake.stats()).toMatchObject({
			submissions: 1,
			submitRequests: 2,
			rejected1303: 1,
			maxRunning: 1,
		});
	});

	it('takes per-task durations from a function and tracks the running peak', async () => {
		fake.setOptions({ taskDurationMs: (body) => (body.prompt === 'slow' ? 60_000 : 0) });
		await submit('text2video', { prompt: 'slow' });
		await submit('image2video', { image: 'x', prompt: 'slow' });
		await submit('text2video', { prompt: 'fast' });
		expect([...fake.tasks.values()].map((task) => task.durationMs)).toEqual([60_000, 60_000, 0]);
		expect(fake.stats()).toMatchObject({ submissions: 3, maxRunning: 2 });
	});

	it('keeps neverFinish tasks processing past their duration', async () => {
		fake.setOptions({ faults: { neverFinish: true } });
		const { json } = await submit('text2video', { prompt: 'forever' });
		await sleep(DURATION_MS * 2);
		expect((await getTask('text2video', json.data.task_id)).json.data.task_status).toBe(
			'processing',
		);
	});

	it('refuses a duplicate external_task_id and finds tasks by it in the path and query', async () => {
		const first = await submit('text2video', { prompt: 'p', external_task_id: 'n8n-1-0' });
		expect(first.json.data.task_info).toEqual({ external_task_id: 'n8n-1-0' });
		const duplicate = await submit('image2video', { image: 'x', external_task_id: 'n8n-1-0' });
		expect(duplicate.status).toBe(400);
		expect(duplicate.json).toMatchObject({
			code: 1201,
			message: 'external_task_id already exists',
		});
		expect(fake.stats().submissions).toBe(1);

		const byPath = await getTask('text2video', 'n8n-1-0');
		expect(byPath.json.data.task_id).toBe(first.json.data.task_id);
		const byQuery = await call(
			'/v1/videos/text2video?pageNum=1&pageSize=30&external_task_id=n8n-1-0',
		);
		expect(byQuery.json.data.map((task) => task.task_id)).toEqual([first.json.data.task_id]);
		expect((await getTask('text2video', 'unknown-id')).json.code).toBe(1203);
	});

	it('lists tasks newest first with pagination', async () => {
		const ids = [];
		for (const prompt of ['a', 'b', 'c'])
			ids.push((await submit('text2video', { prompt })).json.data.task_id);
		await submit('image2video', { image: 'x' });
		const page1 = await call('/v1/videos/text2video?pageNum=1&pageSize=2');
		const page2 = await call('/v1/videos/text2video?pageNum=2&pageSize=2');
		expect(page1.json.data.map((task) => task.task_id)).toEqual([ids[2], ids[1]]);
		expect(page2.json.data.map((task) => task.task_id)).toEqual([ids[0]]);
		expect(fake.log.at(-1)).toMatchObject({ kind: 'list', query: { pageNum: '2', pageSize: '2' } });
	});
});

describe('faults', () => {
	it('rate-limits and fails submits without creating tasks', async () => {
		fake.setOptions({ retryAfterSeconds: 0, faults: { submitRateLimit: 1, submitServerError: 1 } });
		const limited = await submit('text2video', { prompt: 'p' });
		expect(limited.status).toBe(429);
		expect(limited.json).toMatchObject({ code: 1302, message: 'request rate exceeds limit' });
		expect(limited.headers.get('retry-after')).toBe('0');
		const broken = await submit('text2video', { prompt: 'p' });
		expect(broken.status).toBe(500);
		expect(broken.json.code).toBe(5000);
		expect(broken.headers.get('retry-after')).toBeNull();
		expect((await submit('text2video', { prompt: 'p' })).status).toBe(200);
		expect(fake.stats()).toMatchObject({ submissions: 1, submitRequests: 3 });
	});

	it('creates the task but answers 504/5002 or drops the response', async () => {
		fake.setOptions({ faults: { submitTimeout5002: 1, submitDropResponse: 1 } });
		const timedOut = await submit('text2video', { prompt: 'p', external_task_id: 'ext-5002' });
		expect(timedOut.status).toBe(504);
		expect(timedOut.json).toMatchObject({ code: 5002, message: 'internal timeout' });
		await expect(
			submit('text2video', { prompt: 'p', external_task_id: 'ext-drop' }),
		).rejects.toThrow();

		expect((await getTask('text2video', 'ext-5002')).status).toBe(200);
		expect((await getTask('text2video', 'ext-drop')).status).toBe(200);
		expect(fake.stats()).toMatchObject({ submissions: 2, submitRequests: 2 });
		expect(
			fake.log.filter((entry) => entry.kind === 'submit').map((entry) => entry.status),
		).toEqual([504, null]);
	});

	it('resets the socket or sends broken JSON on submit without creating a task', async () => {
		fake.setOptions({ faults: { submitReset: 1, submitMalformed: 1 } });
		await expect(submit('text2video', { prompt: 'p' })).rejects.toThrow();
		const response = await fetch(`${fake.url}/v1/videos/text2video`, {
			method: 'POST',
			headers: { authorization: `Bearer ${API_KEY}` },
			body: JSON.stringify({ prompt: 'p' }),
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('application/json');
		expect(await response.text()).toBe('{"code":0,"data":{');
		expect(fake.stats()).toMatchObject({ submissions: 0, submitRequests: 2 });
		expect(fake.log[0]).toMatchObject({
			method: 'POST',
			path: '/v1/videos/text2video',
			kind: 'submit',
			status: null,
			body: { prompt: 'p' },
			headers: expect.objectContaining({ authorization: `Bearer ${API_KEY}` }),
		});
	});

	it('answers poll errors with 500/5000 and 503/5001', async () => {
		const { json } = await submit('text2video', { prompt: 'p' });
		const id = json.data.task_id;
		fake.setOptions({ retryAfterSeconds: 3, faults: { pollServerError: 1 } });
		const internal = await getTask('text2video', id);
		expect(internal.status).toBe(500);
		expect(internal.json.code).toBe(5000);
		fake.setOptions({ faults: { pollServerError: 1, pollErrorStatus: 503 } });
		const unavailable = await getTask('text2video', id);
		expect(unavailable.status).toBe(503);
		expect(unavailable.json.code).toBe(5001);
		expect(unavailable.headers.get('retry-after')).toBe('3');
		expect((await getTask('text2video', id)).status).toBe(200);
		expect(fake.stats().polls).toBe(3);
	});

	it('resets, sends broken JSON or an unexpected body on poll', async () => {
		const { json } = await submit('text2video', { prompt: 'p' });
		const url = `${fake.url}/v1/videos/text2video/${json.data.task_id}`;
		const headers = { authorization: `Bearer ${API_KEY}` };
		fake.setOptions({ faults: { pollReset: 1, pollMalformed: 1, pollUnexpected: 1 } });
		await expect(fetch(url, { headers })).rejects.toThrow();
		const malformed = await fetch(url, { headers });
		expect(malformed.headers.get('content-type')).toBe('application/json');
		await expect(malformed.json()).rejects.toThrow();
		expect(await (await fetch(url, { headers })).json()).toEqual({ hello: 'world' });
		expect((await (await fetch(url, { headers })).json()).code).toBe(0);
	});

	it('delays every response by slowMs', async () => {
		fake.setOptions({ faults: { slowMs: 1000 } });
		await expect(
			fetch(`${fake.url}/v1/videos/text2video`, { signal: AbortSignal.timeout(100) }),
		).rejects.toThrow();
		expect(fake.log).toHaveLength(1);
	});

	it('answers 404/403 for expired links and truncates a download', async () => {
		const done = await finishedTextTask();
		const videoUrl = done.task_result.videos[0].url;
		fake.setOptions({ faults: { download404: 1, download403: 1, downloadTruncate: 1 } });
		expect((await fetch(videoUrl)).status).toBe(404);
		expect((await fetch(videoUrl)).status).toBe(403);
		const truncated = await fetch(videoUrl);
		expect(truncated.headers.get('content-length')).toBe('65536');
		await expect(truncated.arrayBuffer()).rejects.toThrow();
		expect((await fetch(videoUrl)).status).toBe(200);
		expect(fake.stats().downloads).toBe(4);
	});
});

describe('video download', () => {
	it('serves exactly videoBytesFor(taskId) without auth', async () => {
		const size = 2 * 65536 + 17;
		fake.setOptions({ videoBytes: size });
		const done = await finishedTextTask();
		const response = await fetch(done.task_result.videos[0].url);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('video/mp4');
		expect(response.headers.get('content-length')).toBe(String(size));
		const bytes = Buffer.from(await response.arrayBuffer());
		expect(bytes.equals(videoBytesFor(done.task_id, size))).toBe(true);
		expect(bytes.subarray(4, 12).toString('latin1')).toBe('ftypmp42');
		expect(fake.log.at(-1)).toMatchObject({ kind: 'download', status: 200 });
	});

	it('derives deterministic, task-specific bytes', () => {
		expect(videoBytesFor('1', 1000).equals(videoBytesFor('1', 1000))).toBe(true);
		expect(videoBytesFor('1', 1000).equals(videoBytesFor('2', 1000))).toBe(false);
		expect(videoBytesFor('1', 10)).toHaveLength(10);
	});

	it('answers 404 for unknown videos', async () => {
		expect((await fetch(`${fake.url}/media/123.mp4?sig=1`)).status).toBe(404);
	});

	it('streams 200 MB with small memory growth', async () => {
		const size = 200 * 1024 * 1024;
		fake.setOptions({ videoBytes: size });
		const done = await finishedTextTask();
		const rssBefore = process.memoryUsage.rss();
		let peakRss = rssBefore;
		const sampler = setInterval(() => {
			peakRss = Math.max(peakRss, process.memoryUsage.rss());
		}, 5);
		const received = await downloadInChildProcess(done.task_result.videos[0].url);
		clearInterval(sampler);
		expect(received).toEqual({ contentLength: String(size), bytes: size });
		expect(peakRss - rssBefore).toBeLessThan(64 * 1024 * 1024);
	});
});

// The client reads chunk by chunk in its own process: an in-process client's garbage (one
// fresh buffer per socket read, freed lazily by the GC) would add ~80 MB of RSS by itself and
// hide what this test measures, the server's memory.
function downloadInChildProcess(url) {
	const script = `
		const response = await fetch(process.argv[1]);
		let bytes = 0;
		for await (const chunk of response.body) bytes += chunk.length;
		process.stdout.write(JSON.stringify({ contentLength: response.headers.get('content-length'), bytes }));`;
	const child = spawn(process.execPath, ['--input-type=module', '-e', script, url]);
	let output = '';
	child.stdout.on('data', (data) => {
		output += data;
	});
	return new Promise((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (exitCode) => {
			if (exitCode === 0) resolve(JSON.parse(output));
			else reject(new Error(`download child exited with ${exitCode}`));
		});
	});
}

describe('reset and CLI', () => {
	it('reset() clears tasks, log, counters and faults but keeps the auth settings', async () => {
		fake.setOptions({ apiKey: 'rotated-key', faults: { submitServerError: 5 } });
		await call('/v1/videos/text2video', {
			method: 'POST',
			body: { prompt: 'p' },
			token: 'rotated-key',
		});
		fake.reset();
		expect(fake.log).toHaveLength(0);
		expect(fake.stats()).toMatchObject({ submitRequests: 0, submissions: 0 });
		const created = await call('/v1/videos/text2video', {
			method: 'POST',
			body: { prompt: 'p' },
			token: 'rotated-key',
		});
		expect(created.status).toBe(200);
		expect(fake.tasks.size).toBe(1);
	});

	it('runs from the command line, prints its URL and stops on SIGTERM', async () => {
		const serverPath = fileURLToPath(new URL('../dev/fake-kling/server.mjs', import.meta.url));
		const child = spawn(process.execPath, [
			serverPath,
			'--api-key',
			'cli-key',
			'--duration-ms',
			'0',
		]);
		const exited = new Promise((resolve) =>
			child.on('exit', (code, signal) => resolve(code ?? signal)),
		);
		const [line] = await once(child.stdout, 'data');
		const { url } = JSON.parse(line.toString());
		expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		const response = await fetch(`${url}/v1/videos/text2video`, {
			headers: { authorization: 'Bearer cli-key' },
		});
		expect(response.status).toBe(200);
		child.kill('SIGTERM');
		expect(await exited).toBe(0);
	});
});
