// The Kling 3.0-era operations on Kling's legacy /v1 API (Omni Video, Motion Control, Video
// Effects, Extend Video, kling-v3 options on Text/Image to Video) run through n8n's engine
// against the fake Kling server: the exact body sent, one paid task, the MP4 as binary with
// exact bytes, Get Task on the new kinds, idempotency, the in-flight cap and Continue On Fail.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { videoBytesFor } from '../dev/fake-kling/server.mjs';
import { readBinary, runKling } from '../dev/engine.mjs';
import { makePng } from '../dev/images.mjs';
import {
	apiKeyCredentials,
	expectNoSecrets,
	rows,
	startFake,
	textToVideo,
	useFastRetries,
} from '../dev/kling.mjs';

const VIDEO_BYTES = 48 * 1024;
let fake;
beforeAll(async () => {
	useFastRetries();
	fake = await startFake();
});
afterAll(async () => await fake.close());
beforeEach(() => fake.reset());

const submits = (path) =>
	fake.log.filter((entry) => entry.kind === 'submit' && (!path || entry.path === path));

async function expectVideo(item, path) {
	const taskId = item.json.task_id;
	expect(item.json.task_status).toBe('succeed');
	expect(item.binary.data).toMatchObject({
		mimeType: 'video/mp4',
		fileName: `kling-${taskId}.mp4`,
		bytes: VIDEO_BYTES,
	});
	expect((await readBinary(item.binary.data)).equals(videoBytesFor(taskId, VIDEO_BYTES))).toBe(
		true,
	);
	expect(fake.tasks.get(taskId).kind).toBe(path.replace('/v1/', ''));
	expect(submits(path)).toHaveLength(1);
	expect(fake.stats().submissions).toBe(1);
	return taskId;
}

const png = makePng(640, 360);
const binaryItem = (data = png) => ({
	json: {},
	binary: {
		photo: { data: data.toString('base64'), mimeType: 'image/png', fileName: 'photo.png' },
	},
});

describe('Omni Video', () => {
	it('sends prompt, reference images (URL and binary, first frame), elements as strings, and outputs the MP4', async () => {
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'omniVideo',
				model: 'kling-v3-omni',
				prompt:
					'<<<image_1>>> walks through Tokyo and meets <<<element_1>>>, style of <<<image_2>>>',
				referenceImages: {
					image: [
						{ source: 'binary', binaryProperty: 'photo', role: 'first_frame' },
						{ source: 'url', url: 'https://example.com/style.png', role: 'reference' },
					],
				},
				elementIds: '829836802793406551',
				mode: 'pro',
				duration: '7',
				sound: true,
				options: { pollInterval: 1 },
			},
			items: [binaryItem()],
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		await expectVideo(result.items[0], '/v1/videos/omni-video');
		const [submit] = submits();
		expect(submit.body).toEqual({
			model_name: 'kling-v3-omni',
			prompt: '<<<image_1>>> walks through Tokyo and meets <<<element_1>>>, style of <<<image_2>>>',
			mode: 'pro',
			duration: '7',
			sound: 'on',
			image_list: [
				{ image_url: png.toString('base64'), type: 'first_frame' },
				{ image_url: 'https://example.com/style.png' },
			],
			// 18 digits survive: a JS number would have become 829836802793406600.
			element_list: [{ element_id: '829836802793406551' }],
			external_task_id: expect.stringMatching(/^n8n-[0-9a-f]{40}$/),
		});
		// A first frame decides the shape: no aspect_ratio is sent.
		expect(submit.body).not.toHaveProperty('aspect_ratio');
		expectNoSecrets(result, expect);
	});

	it('edits a video (refer type Base): no duration, no aspect ratio, original sound kept', async () => {
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'omniVideo',
				model: 'kling-video-o1',
				prompt: 'Make <<<video_1>>> look like a watercolour painting',
				referenceVideo: { video: { url: 'https://example.com/clip.mp4', referType: 'base' } },
				options: { pollInterval: 1 },
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		await expectVideo(result.items[0], '/v1/videos/omni-video');
		const { body } = submits()[0];
		expect(body.video_list).toEqual([
			{ video_url: 'https://example.com/clip.mp4', refer_type: 'base', keep_original_sound: 'yes' },
		]);
		expect(body).not.toHaveProperty('duration');
		expect(body).not.toHaveProperty('aspect_ratio');
		expect(body).not.toHaveProperty('sound');
	});

	it('custom multi-shot: multi_prompt with index, prompt and duration as text, summing to the duration', async () => {
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'omniVideo',
				prompt: '',
				duration: '8',
				aspectRatio: '9:16',
				multiShot: true,
				shotType: 'customize',
				shots: {
					shot: [
						{ prompt: 'A door opens', duration: 3 },
						{ prompt: 'A cat steps out', duration: 5 },
					],
				},
				options: { pollInterval: 1 },
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		await expectVideo(result.items[0], '/v1/videos/omni-video');
		const { body } = submits()[0];
		expect(body).toMatchObject({
			multi_shot: true,
			shot_type: 'customize',
			duration: '8',
			aspect_ratio: '9:16',
			multi_prompt: [
				{ index: 1, prompt: 'A door opens', duration: '3' },
				{ index: 2, prompt: 'A cat steps out', duration: '5' },
			],
		});
		expect(body).not.toHaveProperty('prompt');
	});

	it('the fake server refuses what Kling refuses (1201), so the node must refuse first', async () => {
		const post = (path, body) =>
			fetch(`${fake.url}${path}`, {
				method: 'POST',
				headers: {
					authorization: 'Bearer test-api-key-9f3c1b7e',
					'content-type': 'application/json',
				},
				body: JSON.stringify(body),
			}).then(async (response) => ({ status: response.status, ...(await response.json()) }));
		const refusals = await Promise.all([
			post('/v1/videos/omni-video', {
				model_name: 'kling-video-o1',
				prompt: 'x',
				mode: '4k',
				aspect_ratio: '1:1',
			}),
			post('/v1/videos/omni-video', {
				model_name: 'kling-v3-omni',
				prompt: 'x',
				aspect_ratio: '1:1',
				sound: 'on',
				video_list: [{ video_url: 'https://e.com/v.mp4', refer_type: 'feature' }],
			}),
			post('/v1/videos/omni-video', {
				model_name: 'kling-v3-omni',
				prompt: 'x',
				image_list: [{ image_url: 'https://e.com/a.png', type: 'end_frame' }],
				aspect_ratio: '1:1',
			}),
			post('/v1/videos/omni-video', {
				model_name: 'kling-v3-omni',
				aspect_ratio: '1:1',
				multi_shot: true,
				shot_type: 'customize',
				multi_prompt: [{ index: 1, prompt: 'a', duration: '3' }],
			}),
			post('/v1/videos/motion-control', {
				image_url: 'https://e.com/a.png',
				video_url: 'https://e.com/v.mp4',
				character_orientation: 'image',
			}),
			post('/v1/videos/effects', { effect_scene: 'hug', input: { images: ['a', 'b'] } }),
			post('/v1/videos/video-extend', { prompt: 'more' }),
		]);
		for (const refusal of refusals) expect(refusal).toMatchObject({ status: 400, code: 1201 });
		expect(fake.stats().submissions).toBe(0);
	});
});

describe('kling-v3 on Text/Image to Video', () => {
	it('text to video: 4K, 12 seconds, sound, custom multi-shot', async () => {
		const result = await runKling({
			parameters: textToVideo(
				{
					model: 'kling-v3',
					mode: '4k',
					duration: '12',
					multiShot: true,
					shotType: 'customize',
					shots: {
						shot: [
							{ prompt: 'Sunrise', duration: 4 },
							{ prompt: 'Noon', duration: 4 },
							{ prompt: 'Dusk', duration: 4 },
						],
					},
				},
				{ sound: true },
			),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		await expectVideo(result.items[0], '/v1/videos/text2video');
		expect(submits()[0].body).toMatchObject({
			model_name: 'kling-v3',
			mode: '4k',
			duration: '12',
			sound: 'on',
			multi_shot: true,
			shot_type: 'customize',
			multi_prompt: [
				{ index: 1, prompt: 'Sunrise', duration: '4' },
				{ index: 2, prompt: 'Noon', duration: '4' },
				{ index: 3, prompt: 'Dusk', duration: '4' },
			],
		});
	});

	it('image to video: 3 seconds with intelligent multi-shot; older models keep their rules', async () => {
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'imageToVideo',
				model: 'kling-v3',
				image: 'https://example.com/start.jpg',
				prompt: 'Shot 1 the door opens; shot 2 a cat walks out',
				duration: '3',
				multiShot: true,
				shotType: 'intelligence',
				options: { pollInterval: 1 },
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		await expectVideo(result.items[0], '/v1/videos/image2video');
		const { body } = submits()[0];
		expect(body).toMatchObject({ duration: '3', multi_shot: true, shot_type: 'intelligence' });
		expect(body).not.toHaveProperty('multi_prompt');

		// kling-v2-6 keeps its rules: the multi-shot fields are not shown, so not sent.
		fake.reset();
		const older = await runKling({
			parameters: textToVideo({
				model: 'kling-v2-6',
				multiShot: true,
				shotType: 'customize',
				waitForCompletion: false,
			}),
			credentials: apiKeyCredentials(fake),
		});
		expect(older.error).toBeUndefined();
		expect(submits()[0].body).toMatchObject({ mode: 'std', duration: '5' });
		expect(submits()[0].body).not.toHaveProperty('multi_shot');
	});
});

describe('Motion Control', () => {
	it('sends the character image from binary, the motion video, orientation, mode, sound and the v3 element', async () => {
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'motionControl',
				model: 'kling-v3',
				imageSource: 'binary',
				imageBinaryProperty: 'photo',
				motionVideoUrl: 'https://example.com/dance.mp4',
				characterOrientation: 'video',
				mode: 'pro',
				keepOriginalSound: false,
				elementId: '829836802793406551',
				options: { pollInterval: 1 },
			},
			items: [binaryItem()],
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		await expectVideo(result.items[0], '/v1/videos/motion-control');
		expect(submits()[0].body).toEqual({
			model_name: 'kling-v3',
			image_url: png.toString('base64'),
			video_url: 'https://example.com/dance.mp4',
			character_orientation: 'video',
			mode: 'pro',
			keep_original_sound: 'no',
			element_list: [{ element_id: '829836802793406551' }],
			external_task_id: expect.stringMatching(/^n8n-[0-9a-f]{40}$/),
		});
	});
});

describe('Video Effects', () => {
	it('a two-image scene sends input.images; a one-image scene input.image; no duration unless chosen', async () => {
		const dual = await runKling({
			parameters: {
				resource: 'video',
				operation: 'videoEffects',
				effectScene: 'hug_pro',
				images: {
					image: [
						{ source: 'url', url: 'https://example.com/left.png' },
						{ source: 'binary', binaryProperty: 'photo' },
					],
				},
				options: { pollInterval: 1 },
			},
			items: [binaryItem()],
			credentials: apiKeyCredentials(fake),
		});
		expect(dual.error).toBeUndefined();
		await expectVideo(dual.items[0], '/v1/videos/effects');
		expect(submits()[0].body).toMatchObject({
			effect_scene: 'hug_pro',
			input: { images: ['https://example.com/left.png', png.toString('base64')] },
		});
		expect(submits()[0].body.input).not.toHaveProperty('duration');

		fake.reset();
		const single = await runKling({
			parameters: {
				resource: 'video',
				operation: 'videoEffects',
				effectScene: 'bullet_time_lite',
				images: { image: [{ source: 'url', url: 'https://example.com/me.png' }] },
				effectDuration: '5',
				options: { pollInterval: 1 },
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(single.error).toBeUndefined();
		await expectVideo(single.items[0], '/v1/videos/effects');
		expect(submits()[0].body.input).toEqual({ image: 'https://example.com/me.png', duration: '5' });
	});
});

describe('Extend Video', () => {
	it('extends the video of an earlier task by its video ID', async () => {
		const first = await runKling({
			parameters: textToVideo(),
			credentials: apiKeyCredentials(fake),
		});
		const videoId = first.items[0].json.task_result.videos[0].id;
		fake.reset();
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'extendVideo',
				videoId: '={{ $json.task_result.videos[0].id }}',
				prompt: 'The fox runs into the forest',
				cfgScale: 0.7,
				options: { pollInterval: 1 },
			},
			items: [{ json: first.items[0].json }],
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		await expectVideo(result.items[0], '/v1/videos/video-extend');
		expect(submits()[0].body).toMatchObject({
			video_id: videoId,
			prompt: 'The fox runs into the forest',
			cfg_scale: 0.7,
		});
	});

	it('says plainly when Kling answers that the route does not exist; nothing is retried', async () => {
		fake.setOptions({
			faults: { submitError: { count: 1, code: 1203, message: 'resource not found' } },
		});
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'extendVideo',
				videoId: 'v-1',
				options: { pollInterval: 1 },
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(result.status).toBe('error');
		expect(result.error.message).toBe(
			'Kling answered that the Extend Video route does not exist (HTTP 404, Kling code 1203)',
		);
		expect(result.error.description).toMatch(/no longer lists \/v1\/videos\/video-extend/);
		expect(fake.log.filter((entry) => entry.method === 'POST')).toHaveLength(1);
		expect(fake.stats().submissions).toBe(0);
	});

	it('a "video not found" answer stays Kling’s own message', async () => {
		fake.setOptions({
			faults: { submitError: { count: 1, code: 1203, message: 'video not found' } },
		});
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'extendVideo',
				videoId: 'v-1',
				options: { pollInterval: 1 },
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error.message).toBe('Kling could not find the task or model (Kling code 1203)');
	});
});

describe('shared guarantees on the new kinds', () => {
	const omniParameters = (extra = {}, options = {}) => ({
		resource: 'video',
		operation: 'omniVideo',
		prompt: '={{ "A lighthouse, scene " + $json.row }}',
		...extra,
		options: { pollInterval: 1, ...options },
	});

	it('a create whose answer is lost is found by its external_task_id, never paid twice; a re-run pays nothing', async () => {
		fake.setOptions({ faults: { submitDropResponse: 1 } });
		const result = await runKling({
			parameters: omniParameters(),
			items: rows(1),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(fake.stats().submissions).toBe(1);
		const rerun = await runKling({
			parameters: omniParameters(),
			items: rows(1),
			credentials: apiKeyCredentials(fake),
		});
		expect(rerun.error).toBeUndefined();
		expect(rerun.items[0].json.task_id).toBe(result.items[0].json.task_id);
		expect(fake.stats().submissions).toBe(1);
	});

	it('keeps to the in-flight cap and queues on 1303 instead of failing', async () => {
		fake.setOptions({ concurrency: 2, taskDurationMs: 200 });
		const result = await runKling({
			parameters: omniParameters({}, { maxConcurrentTasks: 4 }),
			items: rows(5),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(5);
		expect(fake.stats().submissions).toBe(5);
		expect(fake.stats().maxRunning).toBeLessThanOrEqual(2);
		expect(fake.stats().rejected1303).toBeGreaterThan(0); // Kling said "full" at least once
		expect(result.items.map((item) => item.pairedItem)).toEqual(
			[0, 1, 2, 3, 4].map((item) => ({ item })),
		);
	});

	it('Continue On Fail: a failed motion-control task becomes an error item paired to its input', async () => {
		fake.setOptions({
			failTasks: (body) =>
				body.prompt === 'bad' ? 'The content did not pass the safety review' : false,
		});
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'motionControl',
				image: 'https://example.com/c.png',
				motionVideoUrl: 'https://example.com/d.mp4',
				prompt: '={{ $json.prompt }}',
				options: { pollInterval: 1 },
			},
			items: [{ json: { prompt: 'good' } }, { json: { prompt: 'bad' } }],
			credentials: apiKeyCredentials(fake),
			continueOnFail: true,
		});
		expect(result.status).toBe('success');
		expect(result.items[0].binary.data.mimeType).toBe('video/mp4');
		expect(result.items[1].json.error ?? result.items[1].error?.message).toMatch(
			/failed: The content did not pass the safety review/,
		);
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it.each([
		['omni-video', 'Omni Video', omniParameters],
		[
			'motion-control',
			'Motion Control',
			() => ({
				resource: 'video',
				operation: 'motionControl',
				image: 'https://example.com/c.png',
				motionVideoUrl: 'https://example.com/d.mp4',
				waitForCompletion: false,
				options: {},
			}),
		],
		[
			'effects',
			'Video Effects',
			() => ({
				resource: 'video',
				operation: 'videoEffects',
				effectScene: 'bullet_time_lite',
				images: { image: [{ source: 'url', url: 'https://example.com/me.png' }] },
				waitForCompletion: false,
				options: {},
			}),
		],
		[
			'video-extend',
			'Extend Video',
			() => ({
				resource: 'video',
				operation: 'extendVideo',
				videoId: 'v-1',
				waitForCompletion: false,
				options: {},
			}),
		],
	])(
		'Get Task finds a %s task, automatically and by its type, and downloads it',
		async (kind, _label, parameters) => {
			const made = await runKling({
				parameters: { ...parameters(), waitForCompletion: false },
				items: rows(1),
				credentials: apiKeyCredentials(fake),
			});
			const taskId = made.items[0].json.task_id;
			for (const taskKind of ['auto', kind]) {
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
				expect(got.items[0].json.task_id).toBe(taskId);
				expect(
					(await readBinary(got.items[0].binary.data)).equals(videoBytesFor(taskId, VIDEO_BYTES)),
				).toBe(true);
			}
			expect(fake.stats().submissions).toBe(1);
		},
	);
});
