// Kling 3.0 Turbo on Kling's new path-addressed API (kling-api-more.md §11), run through n8n's
// engine against the fake server's new-API routes: POST /text-to-video/{model} and
// /image-to-video/{model}, GET /tasks?task_ids=, outputs[]/billing[] mapped to the node's usual
// item, API key only, idempotent external_task_id, 1303, Get Task.
import { createRequire } from 'node:module';
import path from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { videoBytesFor } from '../dev/fake-kling/server.mjs';
import { projectRoot, readBinary, runKling } from '../dev/engine.mjs';
import { makePng } from '../dev/images.mjs';
import {
	SECRETS,
	accessKeyCredentials,
	apiKeyCredentials,
	expectNoSecrets,
	rows,
	startFake,
	useFastRetries,
} from '../dev/kling.mjs';

const require = createRequire(import.meta.url);
const { toTask } = require(path.join(projectRoot, 'dist/nodes/Kling/shared/api2/records.js'));
const { signKlingJwt } = require(path.join(projectRoot, 'dist/nodes/Kling/shared/jwt.js'));
const { buildTurboBody, createPath } = require(
	path.join(projectRoot, 'dist/nodes/Kling/shared/api2/body.js'),
);

const VIDEO_BYTES = 48 * 1024;
let fake;
beforeAll(async () => {
	useFastRetries();
	fake = await startFake();
});
afterAll(async () => await fake.close());
beforeEach(() => fake.reset());

const creates = () => fake.log.filter((entry) => entry.kind === 'submit');
const queries = () => fake.log.filter((entry) => entry.path === '/tasks' && entry.method === 'GET');

function turboText(parameters = {}, options = {}) {
	return {
		resource: 'video',
		operation: 'turboTextToVideo',
		prompt: 'A red fox trotting through fresh snow at dawn',
		...parameters,
		options: { pollInterval: 1, ...options },
	};
}

describe('Kling 3.0 Turbo text to video', () => {
	it('creates on /text-to-video/kling-3.0-turbo, polls /tasks?task_ids=, outputs the usual item and the exact MP4', async () => {
		const result = await runKling({
			parameters: turboText({ resolution: '1080p', duration: '4', aspectRatio: '9:16' }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		const taskId = item.json.task_id;
		expect(item.json).toMatchObject({
			task_status: 'succeed',
			task_status_msg: '',
			task_info: { external_task_id: expect.stringMatching(/^n8n-[0-9a-f]{40}$/) },
			final_unit_deduction: '4',
			task_result: {
				videos: [{ id: `v-${taskId}`, url: expect.stringContaining('/media/'), duration: '4' }],
			},
			billing: [{ charge_type: 'unit', amount: 4, package_type: 'video' }],
			outputs: [{ type: 'video', id: `v-${taskId}` }],
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.binary.data).toMatchObject({
			mimeType: 'video/mp4',
			fileName: `kling-${taskId}.mp4`,
			bytes: VIDEO_BYTES,
		});
		expect((await readBinary(item.binary.data)).equals(videoBytesFor(taskId, VIDEO_BYTES))).toBe(
			true,
		);

		const [create] = creates();
		expect(create.method).toBe('POST');
		expect(create.path).toBe('/text-to-video/kling-3.0-turbo');
		expect(create.headers.authorization).toBe(`Bearer ${SECRETS.apiKey}`);
		expect(create.body).toEqual({
			prompt: 'A red fox trotting through fresh snow at dawn',
			settings: { resolution: '1080p', aspect_ratio: '9:16', duration: 4 },
			options: { external_task_id: item.json.task_info.external_task_id },
		});
		expect(queries().length).toBeGreaterThanOrEqual(1);
		for (const query of queries()) expect(query.query).toEqual({ task_ids: taskId });
		expect(fake.stats().submissions).toBe(1);
		expectNoSecrets(result, expect);
	});

	it('returns the submitted task at once when waiting is off (status submitted, no binary)', async () => {
		fake.setOptions({ taskDurationMs: 60_000 });
		const result = await runKling({
			parameters: turboText({ waitForCompletion: false }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.task_status).toMatch(/submitted|processing/);
		expect(result.items[0].binary).toBeUndefined();
	});

	it('sends the callback URL and a custom external id in options', async () => {
		await runKling({
			parameters: turboText(
				{ waitForCompletion: false },
				{ callbackUrl: 'https://n8n.example.com/webhook/k', externalTaskId: 'row-42' },
			),
			credentials: apiKeyCredentials(fake),
		});
		// A custom id gets a hash of the inputs, so a repeated id never returns another video.
		expect(creates()[0].body.options).toEqual({
			callback_url: 'https://n8n.example.com/webhook/k',
			external_task_id: expect.stringMatching(/^row-42-[0-9a-f]{8}$/),
		});
	});
});

describe('Kling 3.0 Turbo image to video', () => {
	it('sends contents [prompt, first_frame] (image from binary as base64), no aspect ratio, and outputs the MP4', async () => {
		const png = makePng(512, 512);
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'turboImageToVideo',
				imageSource: 'binary',
				imageBinaryProperty: 'data',
				prompt: 'The colours swirl',
				options: { pollInterval: 1 },
			},
			items: [
				{
					json: {},
					binary: {
						data: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'a.png' },
					},
				},
			],
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		const taskId = result.items[0].json.task_id;
		expect(
			(await readBinary(result.items[0].binary.data)).equals(videoBytesFor(taskId, VIDEO_BYTES)),
		).toBe(true);
		const [create] = creates();
		expect(create.path).toBe('/image-to-video/kling-3.0-turbo');
		expect(create.body).toEqual({
			contents: [
				{ type: 'prompt', text: 'The colours swirl' },
				{ type: 'first_frame', url: png.toString('base64') },
			],
			settings: { resolution: '720p', duration: 5 },
			options: { external_task_id: expect.stringMatching(/^n8n-/) },
		});
	});
});

describe('new API: credential, idempotency, concurrency, failures', () => {
	it('the new API refuses a key-pair token (1002): the node never sends one', async () => {
		const direct = await fetch(`${fake.url}/tasks?task_ids=1`, {
			// A valid key-pair token: the legacy routes would accept it.
			headers: { authorization: `Bearer ${signKlingJwt(SECRETS.accessKey, SECRETS.secretKey)}` },
		});
		expect(direct.status).toBe(401);
		expect(await direct.json()).toMatchObject({
			code: 1002,
			message: 'The current API does not support AK/SK',
		});
		fake.reset();
		const result = await runKling({
			parameters: turboText(),
			credentials: accessKeyCredentials(fake),
		});
		expect(result.error.message).toMatch(/accepts only an API key/);
		expect(fake.log).toEqual([]);
	});

	it('a create whose answer is lost is found with GET /tasks?external_task_ids=, never paid twice', async () => {
		fake.setOptions({ faults: { submitDropResponse: 1 } });
		const result = await runKling({
			parameters: turboText(),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(fake.stats().submissions).toBe(1);
		const lookUp = fake.log.find((entry) => entry.query.external_task_ids);
		expect(lookUp.query.external_task_ids).toBe(result.items[0].json.task_info.external_task_id);
		expect(creates()).toHaveLength(1); // found: not sent again
	});

	it('a 5xx on create is retried only after looking the task up; a re-run pays nothing', async () => {
		// The engine sends a create whose outcome is unknown at most once more, after a look-up.
		fake.setOptions({ faults: { submitServerError: 1 } });
		const first = await runKling({ parameters: turboText(), credentials: apiKeyCredentials(fake) });
		expect(first.error).toBeUndefined();
		expect(fake.stats().submissions).toBe(1);
		const posts = fake.log.filter((entry) => entry.method === 'POST');
		expect(posts).toHaveLength(2);
		const lookUp = fake.log.findIndex((entry) => entry.query?.external_task_ids);
		expect(lookUp).toBeGreaterThan(fake.log.indexOf(posts[0]));
		expect(lookUp).toBeLessThan(fake.log.indexOf(posts[1]));
		const rerun = await runKling({ parameters: turboText(), credentials: apiKeyCredentials(fake) });
		expect(rerun.error).toBeUndefined();
		expect(rerun.items[0].json.task_id).toBe(first.items[0].json.task_id);
		expect(fake.stats().submissions).toBe(1); // Kling refused the duplicate external id; the node fetched the first
	});

	it('queues on 1303 and keeps to the in-flight cap; items stay paired', async () => {
		fake.setOptions({ concurrency: 2, taskDurationMs: 200 });
		const result = await runKling({
			parameters: turboText({ prompt: '={{ "Scene " + $json.row }}' }, { maxConcurrentTasks: 4 }),
			items: rows(5),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(fake.stats().submissions).toBe(5);
		expect(fake.stats().maxRunning).toBeLessThanOrEqual(2);
		expect(fake.stats().rejected1303).toBeGreaterThan(0);
		expect(result.items.map((item) => item.pairedItem)).toEqual(
			[0, 1, 2, 3, 4].map((item) => ({ item })),
		);
	});

	it('a failed task fails its item with Kling’s message; Continue On Fail pairs it', async () => {
		fake.setOptions({ failTasks: (body) => (body.prompt === 'bad' ? 'risk control' : false) });
		const result = await runKling({
			parameters: turboText({ prompt: '={{ $json.prompt }}' }),
			items: [{ json: { prompt: 'good' } }, { json: { prompt: 'bad' } }],
			credentials: apiKeyCredentials(fake),
			continueOnFail: true,
		});
		expect(result.status).toBe('success');
		expect(result.items[0].binary.data.mimeType).toBe('video/mp4');
		expect(result.items[1].error.message).toMatch(/^Kling task \d+ failed: risk control$/);
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});
});

describe('Get Task on the new API', () => {
	it('finds a Kling 3.0 Turbo task automatically (after the legacy types) and by its type, and downloads it', async () => {
		const made = await runKling({
			parameters: turboText({ waitForCompletion: false }),
			credentials: apiKeyCredentials(fake),
		});
		const taskId = made.items[0].json.task_id;
		for (const taskKind of ['auto', 'tasks']) {
			fake.log.length = 0;
			const got = await runKling({
				parameters: {
					resource: 'video',
					operation: 'getTask',
					taskId,
					taskKind,
					options: { pollInterval: 1 },
				},
				credentials: apiKeyCredentials(fake),
			});
			expect(got.error).toBeUndefined();
			expect(got.items[0].json).toMatchObject({ task_id: taskId, task_status: 'succeed' });
			expect(
				(await readBinary(got.items[0].binary.data)).equals(videoBytesFor(taskId, VIDEO_BYTES)),
			).toBe(true);
			expect(queries().every((query) => query.query.task_ids === taskId)).toBe(true);
		}
		expect(fake.stats().submissions).toBe(1);
	});

	it('with a key-pair credential a task not found says that new-API tasks need an API key', async () => {
		const got = await runKling({
			parameters: {
				resource: 'video',
				operation: 'getTask',
				taskId: '999',
				taskKind: 'auto',
				options: {},
			},
			credentials: accessKeyCredentials(fake),
		});
		expect(got.error.message).toBe(
			"Kling could not find task 999 (tasks of Kling's new API, such as Kling 3.0 Turbo, can only be looked up with an API key)",
		);
		expect(fake.log.some((entry) => entry.path === '/tasks')).toBe(false);
	});
});

describe('pure parts', () => {
	it('maps a record: statuses to the legacy words, units summed from billing[], other outputs kept', () => {
		const task = toTask({
			id: 42,
			status: 'succeeded',
			message: '',
			create_time: 1,
			update_time: 2,
			external_id: 'x',
			outputs: [
				{ type: 'audio', id: 'a', mp3_url: 'https://cdn/a.mp3' },
				{ type: 'video', id: 'v', url: 'https://cdn/v.mp4', watermark_url: '', duration: 3 },
			],
			billing: [
				{ charge_type: 'unit', amount: 2.4 },
				{ charge_type: 'unit', amount: 0.1 },
				{ charge_type: 'cash', amount: 9 },
			],
		});
		expect(task).toMatchObject({
			task_id: '42',
			task_status: 'succeed',
			task_info: { external_task_id: 'x' },
			final_unit_deduction: '2.5',
			task_result: { videos: [{ id: 'v', url: 'https://cdn/v.mp4', duration: '3' }] },
		});
		expect(task.outputs).toHaveLength(2);
		expect(toTask({ id: 'a', status: 'processing' }).task_status).toBe('processing');
		expect(toTask({ id: 'a', status: 'failed', message: 'no' })).toMatchObject({
			task_status: 'failed',
			task_status_msg: 'no',
		});
		expect(toTask({ id: 'a', status: 'submitted' })).not.toHaveProperty('task_result');
	});

	it('builds bodies and paths; other new-API models are passed through unchecked', () => {
		expect(createPath('text-to-video', 'kling-3.0')).toBe('/text-to-video/kling-3.0');
		const other = buildTurboBody('text-to-video', {
			model: 'kling-3.0',
			prompt: 'p',
			resolution: '4k',
			duration: '20',
			aspectRatio: '21:9',
		});
		expect(other).toEqual({
			body: {
				prompt: 'p',
				settings: { resolution: '4k', aspect_ratio: '21:9', duration: 20 },
				options: {},
			},
		});
		const noPrompt = buildTurboBody('image-to-video', {
			model: 'kling-3.0-turbo',
			prompt: '',
			resolution: '720p',
			duration: '3',
			image: 'https://e/a.png',
		});
		expect(noPrompt.body.contents).toEqual([{ type: 'first_frame', url: 'https://e/a.png' }]);
	});
});
