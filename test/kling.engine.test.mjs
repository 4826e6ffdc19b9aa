// The node run through n8n's engine (WorkflowExecute → RoutingNode) against the fake Kling server.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { videoBytesFor } from '../dev/fake-kling/server.mjs';
import { loadPackage, readBinary, runKling } from '../dev/engine.mjs';
import { makePng } from '../dev/images.mjs';
import {
	SECRETS,
	accessKeyCredentials,
	apiKeyCredentials,
	expectNoSecrets,
	rows,
	startFake,
	textToVideo,
	useFastRetries,
} from '../dev/kling.mjs';

let fake;
beforeAll(async () => {
	useFastRetries();
	fake = await startFake();
});
afterAll(async () => await fake.close());
beforeEach(() => fake.reset());

const submits = () => fake.log.filter((entry) => entry.kind === 'submit');

describe('text to video', () => {
	it('waits, then outputs the task and the MP4 as binary data (API key)', async () => {
		const result = await runKling({
			parameters: textToVideo(),
			credentials: apiKeyCredentials(fake),
		});

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const [item] = result.items;
		expect(item.json.task_status).toBe('succeed');
		expect(item.json.task_result.videos[0].url).toContain('/media/');
		expect(item.pairedItem).toEqual({ item: 0 });
		const taskId = item.json.task_id;
		expect(item.binary.data).toMatchObject({
			mimeType: 'video/mp4',
			fileName: `kling-${taskId}.mp4`,
			bytes: 48 * 1024,
		});
		expect((await readBinary(item.binary.data)).equals(videoBytesFor(taskId, 48 * 1024))).toBe(
			true,
		);

		const [submit] = submits();
		expect(submit.headers.authorization).toBe(`Bearer ${SECRETS.apiKey}`);
		expect(submit.body).toMatchObject({
			model_name: 'kling-v2-6',
			prompt: 'A red fox trotting through fresh snow at dawn',
			mode: 'std',
			duration: '5',
			aspect_ratio: '16:9',
		});
		expect(submit.body.external_task_id).toMatch(/^n8n-[0-9a-f]{40}$/);
		expect(submit.body).not.toHaveProperty('cfg_scale'); // v2 models ignore it: not sent
		expect(fake.stats().submissions).toBe(1);
		// The video URL is a CDN address: the key must not travel there.
		const download = fake.log.find((entry) => entry.kind === 'download');
		expect(download.headers.authorization).toBeUndefined();
	});

	it('signs an HS256 JWT from Access Key + Secret Key (trailing slash in Base URL tolerated)', async () => {
		const result = await runKling({
			parameters: textToVideo({
				model: 'kling-v1-6',
				cfgScale: 0.8,
				duration: '10',
				mode: 'pro',
				aspectRatio: '9:16',
			}),
			credentials: accessKeyCredentials(fake),
		});

		expect(result.error).toBeUndefined();
		expect(result.items[0].binary.data.mimeType).toBe('video/mp4');
		const [submit] = submits();
		const token = submit.headers.authorization.replace(/^Bearer /, '');
		const [header, payload] = token
			.split('.')
			.slice(0, 2)
			.map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
		expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
		expect(payload.iss).toBe(SECRETS.accessKey);
		expect(payload.exp - payload.nbf).toBe(1805);
		expect(submit.body).toMatchObject({
			model_name: 'kling-v1-6',
			cfg_scale: 0.8,
			duration: '10',
			mode: 'pro',
			aspect_ratio: '9:16',
		});
		expectNoSecrets(result, expect);
	});

	it('accepts "completed", the old README\'s word for success', async () => {
		fake.setOptions({ successStatus: 'completed' });
		const result = await runKling({
			parameters: textToVideo(),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.task_status).toBe('completed');
		expect(result.items[0].binary.data.bytes).toBe(48 * 1024);
	});

	it('returns the submitted task at once when waiting is off', async () => {
		fake.setOptions({ taskDurationMs: 60_000 });
		const result = await runKling({
			parameters: textToVideo({ waitForCompletion: false }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.task_status).toMatch(/submitted|processing/);
		expect(result.items[0].binary).toBeUndefined();
		expect(fake.log.filter((entry) => entry.kind === 'download')).toHaveLength(0);
	});

	it('keeps the task object but skips the download when Download Video is off', async () => {
		const result = await runKling({
			parameters: textToVideo({}, { downloadVideo: false }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.items[0].json.task_status).toBe('succeed');
		expect(result.items[0].binary).toBeUndefined();
	});

	it('writes the video to a custom binary property', async () => {
		const result = await runKling({
			parameters: textToVideo({}, { binaryPropertyName: 'video' }),
			credentials: apiKeyCredentials(fake),
		});
		expect(Object.keys(result.items[0].binary)).toEqual(['video']);
	});

	it('gives one output item per input item, paired to it, with one paid task each', async () => {
		const result = await runKling({
			parameters: textToVideo({ prompt: '={{ "Scene " + $json.row }}' }),
			items: rows(3),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		const prompts = [...fake.tasks.values()].map((task) => task.body.prompt).sort();
		expect(prompts).toEqual(['Scene 0', 'Scene 1', 'Scene 2']);
		expect(new Set(result.items.map((item) => item.json.task_id)).size).toBe(3);
		expect(fake.stats().submissions).toBe(3);
	});
});

describe('image to video and multi-image to video', () => {
	const png = makePng(640, 360);

	it('sends an image URL and an end frame', async () => {
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'imageToVideo',
				model: 'kling-v2-1',
				mode: 'pro',
				image: 'https://example.com/start.jpg',
				imageTail: 'https://example.com/end.jpg',
				prompt: 'The camera slowly pulls back',
				options: { pollInterval: 1 },
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		const [submit] = submits();
		expect(submit.path).toBe('/v1/videos/image2video');
		expect(submit.body).toMatchObject({
			image: 'https://example.com/start.jpg',
			image_tail: 'https://example.com/end.jpg',
			model_name: 'kling-v2-1',
		});
		expect(submit.body).not.toHaveProperty('aspect_ratio');
		expect(result.items[0].binary.data.mimeType).toBe('video/mp4');
		expect(
			fake.log
				.filter((entry) => entry.kind === 'poll')
				.every((entry) => entry.path.startsWith('/v1/videos/image2video/')),
		).toBe(true);
	});

	it('takes the image from an input binary property and sends bare base64', async () => {
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'imageToVideo',
				imageSource: 'binary',
				imageBinaryProperty: 'photo',
				options: { pollInterval: 1 },
			},
			items: [
				{
					json: {},
					binary: {
						photo: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'photo.png' },
					},
				},
			],
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		const [submit] = submits();
		expect(submit.body.image).toBe(png.toString('base64'));
		expect(result.items[0].binary.data.fileName).toBe(`kling-${result.items[0].json.task_id}.mp4`);
	});

	it('strips a data: prefix from base64 given as text', async () => {
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'imageToVideo',
				image: `data:image/png;base64,${png.toString('base64')}`,
				waitForCompletion: false,
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(submits()[0].body.image).toBe(png.toString('base64'));
	});

	it('sends up to four reference images to the multi-image endpoint', async () => {
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'multiImageToVideo',
				prompt: 'The two characters dance together in a sunny park',
				images: {
					image: [
						{ source: 'url', url: 'https://example.com/a.png' },
						{ source: 'binary', binaryProperty: 'data' },
					],
				},
				aspectRatio: '1:1',
				options: { pollInterval: 1 },
			},
			items: [
				{ json: {}, binary: { data: { data: png.toString('base64'), mimeType: 'image/png' } } },
			],
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		const [submit] = submits();
		expect(submit.path).toBe('/v1/videos/multi-image2video');
		expect(submit.body).toMatchObject({
			model_name: 'kling-v1-6',
			aspect_ratio: '1:1',
			image_list: [{ image: 'https://example.com/a.png' }, { image: png.toString('base64') }],
		});
		expect(submit.body.cfg_scale).toBe(0.5);
		expect(result.items[0].binary.data.bytes).toBe(48 * 1024);
	});
});

describe('get task', () => {
	async function createWithoutWaiting(parameters = {}) {
		const created = await runKling({
			parameters: textToVideo({ waitForCompletion: false, ...parameters }),
			credentials: apiKeyCredentials(fake),
		});
		return created.items[0].json.task_id;
	}

	it('finds the task type automatically, waits and downloads', async () => {
		const taskId = await createWithoutWaiting();
		const result = await runKling({
			parameters: { resource: 'video', operation: 'getTask', taskId, options: { pollInterval: 1 } },
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ task_id: taskId, task_status: 'succeed' });
		expect(result.items[0].binary.data.fileName).toBe(`kling-${taskId}.mp4`);
		expect(fake.stats().submissions).toBe(1);
	});

	it('returns the task as it is when waiting is off', async () => {
		fake.setOptions({ taskDurationMs: 60_000 });
		const taskId = await createWithoutWaiting();
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'getTask',
				taskId,
				taskKind: 'text2video',
				waitForCompletion: false,
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(result.items[0].json.task_id).toBe(taskId);
		expect(result.items[0].json.task_status).toMatch(/submitted|processing/);
		expect(result.items[0].binary).toBeUndefined();
	});

	it('explains an unknown task id', async () => {
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'getTask',
				taskId: '123',
				taskKind: 'image2video',
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error.message).toMatch(/could not find the task.*1203.*task 123/i);
	});
});

describe('the description tells the truth', () => {
	async function operationRouting(value) {
		const loader = await loadPackage();
		const properties = loader.nodeTypes.kling.type.description.properties;
		const operation = properties.find((property) => property.name === 'operation');
		return operation.options.find((option) => option.value === value).routing;
	}

	it('a create sends the POST its operation declares, once: 1 submit + polls + 1 download', async () => {
		const { request } = await operationRouting('textToVideo');
		const result = await runKling({
			parameters: textToVideo(),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		const [first, ...rest] = fake.log;
		expect(first).toMatchObject({ method: request.method, path: request.url, kind: 'submit' });
		expect(rest.filter((entry) => entry.method === 'POST')).toHaveLength(0);
		const taskId = result.items[0].json.task_id;
		const polls = rest.filter((entry) => entry.kind === 'poll');
		expect(polls.every((entry) => entry.path === `/v1/videos/text2video/${taskId}`)).toBe(true);
		expect(rest.filter((entry) => entry.kind === 'download')).toHaveLength(1);
		expect(fake.log).toHaveLength(1 + polls.length + 1);
	});

	it('Get Task sends the GET it declares (the chosen type, or text to video first)', async () => {
		const created = await runKling({
			parameters: textToVideo({ waitForCompletion: false }),
			credentials: apiKeyCredentials(fake),
		});
		const taskId = created.items[0].json.task_id;
		fake.reset(); // Kling no longer knows the task: one GET, then a clear error
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'getTask',
				taskId: ` ${taskId} `,
				taskKind: 'image2video',
				waitForCompletion: false,
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error.message).toMatch(/could not find the task/i);
		expect(fake.log).toHaveLength(1);
		expect(fake.log[0]).toMatchObject({ method: 'GET', path: `/v1/videos/image2video/${taskId}` });
	});
});

describe('failures', () => {
	it("names the task and Kling's reason when the task fails", async () => {
		fake.setOptions({ failTasks: true });
		const result = await runKling({
			parameters: textToVideo(),
			credentials: apiKeyCredentials(fake),
		});
		const taskId = [...fake.tasks.keys()][0];
		expect(result.status).toBe('error');
		expect(result.error.message).toBe(
			`Kling task ${taskId} failed: The content did not pass the safety review`,
		);
		expect(result.error.context.itemIndex).toBe(0);
	});

	it('times out naming the task, and says it can be fetched later without paying again', async () => {
		fake.setOptions({ faults: { neverFinish: true } });
		const result = await runKling({
			parameters: textToVideo({}, { maxWaitTime: 0.05 }),
			credentials: apiKeyCredentials(fake),
		});
		const taskId = [...fake.tasks.keys()][0];
		expect(result.error.message).toMatch(
			new RegExp(
				`Kling task ${taskId} did not finish within 3 s \\(last status: (submitted|processing)\\)`,
			),
		);
		expect(result.error.description).toContain(`Get Task operation and task ID ${taskId}`);
		expect(result.error.description).toMatch(/not be submitted or paid for again/);
		expect(fake.stats().submissions).toBe(1);
	});

	it('Continue On Fail returns an error item paired to its input and carries on', async () => {
		fake.setOptions({ failTasks: (body) => (body.prompt === 'bad' ? 'Prompt rejected' : false) });
		const result = await runKling({
			parameters: textToVideo({ prompt: '={{ $json.prompt }}' }),
			items: [
				{ json: { prompt: 'good one' } },
				{ json: { prompt: 'bad' } },
				{ json: { prompt: 'another good one' } },
			],
			credentials: apiKeyCredentials(fake),
			continueOnFail: true,
		});
		expect(result.status).toBe('success');
		expect(result.items).toHaveLength(3);
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(result.items[0].binary.data.mimeType).toBe('video/mp4');
		expect(result.items[1].error.message).toMatch(/^Kling task \d+ failed: Prompt rejected$/);
		expect(result.items[1].json).toEqual({ error: result.items[1].error.message }); // as the editor shows it
		expect(result.items[2].binary.data.mimeType).toBe('video/mp4');
	});

	it('rejects a wrong key with a readable error and never shows the key', async () => {
		const result = await runKling({
			parameters: textToVideo(),
			credentials: apiKeyCredentials(fake, { apiKey: 'wrong-key-123456' }),
		});
		expect(result.error.message).toBe(
			'Kling rejected the key — check the credential (Kling code 1002)',
		);
		expect(result.error.description).toMatch(/Open the Kling credential/);
		expect(result.error.httpCode).toBe('401');
		expect(fake.stats().submissions).toBe(0);
		expect(JSON.stringify(result.error)).not.toContain('wrong-key-123456');
		expect(result.error.stack).not.toContain('wrong-key-123456');
	});

	it('rejects a wrong secret key (bad JWT signature) the same way', async () => {
		const result = await runKling({
			parameters: textToVideo(),
			credentials: accessKeyCredentials(fake, { secretKey: 'not-the-secret-000' }),
		});
		expect(result.error.message).toMatch(/Kling rejected the key/);
		expect(visibleTextOf(result)).not.toContain('not-the-secret-000');
	});

	it('maps a depleted balance (1102) to an actionable message, without retrying', async () => {
		fake.setOptions({
			faults: { submitError: { count: 3, code: 1102, message: 'resource pack exhausted' } },
		});
		const result = await runKling({
			parameters: textToVideo(),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error.message).toBe(
			'Kling balance depleted — the resource pack is used up or expired (Kling code 1102)',
		);
		expect(result.error.description).toMatch(
			/Buy or renew a video resource pack.*Kling says: "resource pack exhausted"/,
		);
		expect(submits()).toHaveLength(1);
		expect(fake.stats().submissions).toBe(0);
	});

	it('stops waiting when the execution is stopped', async () => {
		fake.setOptions({ faults: { neverFinish: true } });
		const started = Date.now();
		const result = await runKling({
			parameters: textToVideo(),
			credentials: apiKeyCredentials(fake),
			onStarted: (cancel) => setTimeout(cancel, 1500),
		});
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(result.status).toBe('canceled');
		const pollsAtStop = fake.stats().polls;
		await new Promise((resolve) => setTimeout(resolve, 2500));
		expect(fake.stats().polls).toBe(pollsAtStop); // the waiting loop really stopped
	});
});

function visibleTextOf(result) {
	return JSON.stringify([
		result.items,
		result.error?.message,
		result.error?.description,
		result.error?.stack,
	]);
}
