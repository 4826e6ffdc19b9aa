// The fake Kling server's routes for the Kling 3.0-era kinds: legacy create / query / list on
// omni-video, motion-control, effects and video-extend, and the new API's create, GET /tasks
// query and POST /tasks list with their outputs[] / billing[] shapes (kling-api-more.md §11).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { SECRETS, startFake } from '../dev/kling.mjs';

let fake;
beforeAll(async () => {
	fake = await startFake({ taskDurationMs: 50 });
});
afterAll(async () => await fake.close());
beforeEach(() => fake.reset());

async function call(method, path, body, token = SECRETS.apiKey) {
	const response = await fetch(`${fake.url}${path}`, {
		method,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: response.status, ...(await response.json()) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 80));

describe('legacy kinds', () => {
	it.each([
		[
			'omni-video',
			{ model_name: 'kling-v3-omni', prompt: 'x', aspect_ratio: '1:1', external_task_id: 'e-1' },
		],
		[
			'motion-control',
			{
				image_url: 'https://e/a.png',
				video_url: 'https://e/v.mp4',
				character_orientation: 'image',
				mode: 'std',
				external_task_id: 'e-1',
			},
		],
		[
			'effects',
			{ effect_scene: 'hug_pro', input: { images: ['a', 'b'] }, external_task_id: 'e-1' },
		],
		['video-extend', { video_id: 'v-1', external_task_id: 'e-1' }],
	])(
		'%s: create, query by id and by external id, list; other kinds do not see it',
		async (kind, body) => {
			const created = await call('POST', `/v1/videos/${kind}`, body);
			expect(created).toMatchObject({
				code: 0,
				data: { task_status: 'submitted', task_info: { external_task_id: 'e-1' } },
			});
			const id = created.data.task_id;
			await settle();
			const byId = await call('GET', `/v1/videos/${kind}/${id}`);
			expect(byId.data).toMatchObject({
				task_id: id,
				task_status: 'succeed',
				task_result: { videos: [{ id: `v-${id}` }] },
			});
			expect((await call('GET', `/v1/videos/${kind}/e-1`)).data.task_id).toBe(id);
			const list = await call('GET', `/v1/videos/${kind}?pageNum=1&pageSize=10`);
			expect(list.data.map((task) => task.task_id)).toEqual([id]);
			expect((await call('GET', `/v1/videos/text2video/${id}`)).code).toBe(1203);
			expect((await call('POST', `/v1/videos/${kind}`, body)).code).toBe(1201); // reused external id
		},
	);
});

describe('new API', () => {
	it('creates, then answers GET /tasks with records holding outputs[] and billing[]', async () => {
		fake.setOptions({ taskDurationMs: 1000 });
		const created = await call('POST', '/text-to-video/kling-3.0-turbo', {
			prompt: 'x',
			settings: { resolution: '720p', duration: 3 },
			options: { external_task_id: 'ext-1' },
		});
		expect(created).toMatchObject({ code: 0, data: { status: 'submitted', external_id: 'ext-1' } });
		const { id } = created.data;
		expect((await call('GET', `/tasks?task_ids=${id}`)).data[0].status).toMatch(
			/submitted|processing/,
		);
		await new Promise((resolve) => setTimeout(resolve, 1100));
		const byId = await call('GET', `/tasks?task_ids=${id},999`);
		expect(byId.data).toHaveLength(1); // unknown ids are left out
		expect(byId.data[0]).toMatchObject({
			id,
			status: 'succeeded',
			external_id: 'ext-1',
			outputs: [
				{
					type: 'video',
					id: `v-${id}`,
					duration: '3',
					url: expect.stringContaining(`/media/${id}.mp4`),
				},
			],
			billing: [{ charge_type: 'unit', amount: 2.4, package_type: 'video' }],
		});
		expect((await call('GET', '/tasks?external_task_ids=ext-1')).data[0].id).toBe(id);
		expect((await call('GET', '/tasks?task_ids=nope')).data).toEqual([]);
	});

	it('refuses what the docs say Kling refuses', async () => {
		const turbo = (body) => call('POST', '/text-to-video/kling-3.0-turbo', body);
		expect((await turbo({ prompt: 'x', settings: { resolution: '4k', duration: 5 } })).code).toBe(
			1201,
		);
		expect(
			(await turbo({ prompt: 'x', settings: { resolution: '720p', duration: 16 } })).code,
		).toBe(1201);
		expect(
			(await turbo({ prompt: 'x', settings: { resolution: '720p', duration: '5' } })).code,
		).toBe(1201);
		expect(
			(
				await turbo({
					prompt: 'x',
					negative_prompt: 'y',
					settings: { resolution: '720p', duration: 5 },
				})
			).code,
		).toBe(1201);
		expect(
			(
				await call('POST', '/image-to-video/kling-3.0-turbo', {
					contents: [
						{ type: 'first_frame', url: 'https://e/a.png' },
						{ type: 'last_frame', url: 'https://e/b.png' },
					],
					settings: { resolution: '720p', duration: 5 },
				})
			).code,
		).toBe(1201);
		expect((await call('POST', '/text-to-video/kling-v3', { prompt: 'x' })).code).toBe(1203);
		expect((await call('GET', '/tasks?task_ids=1&external_task_ids=2')).code).toBe(1201);
		const ids = Array.from({ length: 21 }, (_, i) => i).join(',');
		expect((await call('GET', `/tasks?task_ids=${ids}`)).code).toBe(1201);
		expect(fake.stats().submissions).toBe(0);
	});

	it('accepts only the API key: a valid key-pair JWT gets 401 / 1002', async () => {
		const { signKlingJwt } = await import('../dist/nodes/Kling/shared/jwt.js');
		const jwt = signKlingJwt(SECRETS.accessKey, SECRETS.secretKey);
		expect(
			(await call('GET', '/v1/videos/text2video?pageNum=1&pageSize=1', undefined, jwt)).code,
		).toBe(0);
		expect(await call('GET', '/tasks?task_ids=1', undefined, jwt)).toMatchObject({
			status: 401,
			code: 1002,
		});
	});

	it('lists with POST /tasks: cursor paging, newest first', async () => {
		for (const n of [1, 2, 3]) {
			await call('POST', '/text-to-video/kling-3.0-turbo', {
				prompt: `p${n}`,
				settings: { resolution: '720p', duration: 3 },
			});
		}
		const first = await call('POST', '/tasks', { limit: 2 });
		expect(first.data).toMatchObject({ count: 2, has_more: true });
		const second = await call('POST', '/tasks', { limit: 2, cursor: first.data.next_cursor });
		expect(second.data).toMatchObject({ count: 1, has_more: false, next_cursor: '' });
		const ids = [...first.data.result, ...second.data.result].map((record) => Number(record.id));
		expect(ids).toEqual([...ids].sort((a, b) => b - a));
		expect((await call('POST', '/tasks', { limit: 501 })).code).toBe(1201);
	});
});
