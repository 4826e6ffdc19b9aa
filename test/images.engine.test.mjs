// The Image resource run through n8n's engine (WorkflowExecute → RoutingNode) against the fake
// Kling server: every operation, the exact bytes of every image, mime types from the bytes,
// file names, the output modes, and the task-engine guarantees (one paid task, 1303, failures).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { imageBytesFor } from '../dev/fake-kling/kinds/images.mjs';
import { readBinary, runKling } from '../dev/engine.mjs';
import { makeJpeg, makePng } from '../dev/images.mjs';
import {
	SECRETS,
	apiKeyCredentials,
	expectNoSecrets,
	rows,
	startFake,
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
const downloads = () => fake.log.filter((entry) => entry.kind === 'download');

function image(operation, parameters = {}, options = {}) {
	return {
		resource: 'image',
		operation,
		...parameters,
		options: { pollInterval: 1, ...options },
	};
}

function binaryItem(properties, json = {}) {
	const binary = {};
	for (const [name, { data, mimeType }] of Object.entries(properties)) {
		binary[name] = { data: data.toString('base64'), mimeType, fileName: `${name}.bin` };
	}
	return { json, binary };
}

/** Kling's own view of a task (what a query returns), read directly from the fake server. */
async function klingTask(path, taskId) {
	const response = await fetch(`${fake.url}${path}/${taskId}`, {
		headers: { authorization: `Bearer ${SECRETS.apiKey}` },
	});
	return (await response.json()).data;
}

async function expectImage(binary, taskId, index, extension, mimeType) {
	expect(binary).toMatchObject({ mimeType, fileName: `kling-${taskId}-${index}.${extension}` });
	const bytes = await readBinary(binary);
	expect(bytes.equals(imageBytesFor(taskId, index, extension))).toBe(true);
	expect(binary.bytes).toBe(bytes.length);
}

describe('Generate', () => {
	it('puts out every image of a task as binary image_0…image_2 with exact bytes and the task json', async () => {
		const result = await runKling({
			parameters: image('generate', {
				prompt: 'A ceramic teapot, morning light',
				numberOfImages: 3,
			}),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const [item] = result.items;
		const taskId = item.json.task_id;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(Object.keys(item.binary).sort()).toEqual(['image_0', 'image_1', 'image_2']);
		for (const index of [0, 1, 2]) {
			await expectImage(item.binary[`image_${index}`], taskId, index, 'png', 'image/png');
		}
		expect(item.json.task_result.images).toHaveLength(3);
		// The charge Kling reports is passed on unchanged.
		const kling = await klingTask('/v1/images/generations', taskId);
		expect(item.json.final_unit_deduction).toBe(kling.final_unit_deduction);
		expect(typeof item.json.final_unit_deduction).toBe('string');

		const [submit] = submits();
		expect(submit.path).toBe('/v1/images/generations');
		expect(submit.body).toEqual({
			model_name: 'kling-v3',
			prompt: 'A ceramic teapot, morning light',
			aspect_ratio: '16:9',
			resolution: '1k',
			n: 3,
			external_task_id: expect.stringMatching(/^n8n-[0-9a-f]{40}$/),
		});
		expect(fake.stats().submissions).toBe(1);
		// Image URLs are CDN addresses: the key must not travel there.
		expect(downloads()).toHaveLength(3);
		for (const entry of downloads()) expect(entry.headers.authorization).toBeUndefined();
		expectNoSecrets(result, expect);
	});

	it('puts a single image into `data`, or into the chosen field', async () => {
		const single = await runKling({
			parameters: image('generate', { prompt: 'A fox' }),
			credentials: apiKeyCredentials(fake),
		});
		const taskId = single.items[0].json.task_id;
		expect(Object.keys(single.items[0].binary)).toEqual(['data']);
		await expectImage(single.items[0].binary.data, taskId, 0, 'png', 'image/png');

		const named = await runKling({
			parameters: image('generate', { prompt: 'A wolf' }, { binaryPropertyName: 'thumbnail' }),
			credentials: apiKeyCredentials(fake),
		});
		expect(Object.keys(named.items[0].binary)).toEqual(['thumbnail']);
	});

	it('sends a binary reference image with its subject fidelity options', async () => {
		const reference = makePng(512, 512);
		const result = await runKling({
			parameters: image('generate', {
				model: 'kling-v2-1',
				prompt: 'The same dog on a beach',
				referenceImage: 'binary',
				imageBinaryProperty: 'photo',
				imageReference: 'subject',
				imageFidelity: 0.7,
				humanFidelity: 0.3,
				aspectRatio: '21:9',
				resolution: '2k',
			}),
			items: [binaryItem({ photo: { data: reference, mimeType: 'image/png' } })],
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(submits()[0].body).toMatchObject({
			model_name: 'kling-v2-1',
			image: reference.toString('base64'),
			image_reference: 'subject',
			image_fidelity: 0.7,
			human_fidelity: 0.3,
			aspect_ratio: '21:9',
			resolution: '2k',
		});
	});

	it('one item per image: three items, each with its image in `data`, all paired to the input', async () => {
		const result = await runKling({
			parameters: image(
				'generate',
				{ prompt: 'Three cats', numberOfImages: 3 },
				{ outputMode: 'oneItemPerImage' },
			),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		const taskId = result.items[0].json.task_id;
		for (const [index, item] of result.items.entries()) {
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json.task_id).toBe(taskId);
			expect(item.json.image.index).toBe(index);
			expect(Object.keys(item.binary)).toEqual(['data']);
			await expectImage(item.binary.data, taskId, index, 'png', 'image/png');
		}
		expect(fake.stats().submissions).toBe(1);
	});

	it('recognises WebP by its bytes when the server sends no image content type', async () => {
		const result = await runKling({
			parameters: image('generate', { prompt: 'A lantern [webp]' }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		const taskId = result.items[0].json.task_id;
		await expectImage(result.items[0].binary.data, taskId, 0, 'webp', 'image/webp');
	});

	it('returns the submitted task at once when waiting is off, and Get Task finds and downloads it later', async () => {
		fake.setOptions({ taskDurationMs: 400 });
		const submitted = await runKling({
			parameters: image('generate', {
				prompt: 'A harbour',
				numberOfImages: 2,
				waitForCompletion: false,
			}),
			credentials: apiKeyCredentials(fake),
		});
		expect(submitted.items[0].json.task_status).toMatch(/submitted|processing/);
		expect(submitted.items[0].binary).toBeUndefined();
		const taskId = submitted.items[0].json.task_id;

		const fetched = await runKling({
			parameters: image('getTask', { taskId }),
			credentials: apiKeyCredentials(fake),
		});
		expect(fetched.error).toBeUndefined();
		expect(fetched.items[0].json.task_status).toBe('succeed');
		await expectImage(fetched.items[0].binary.image_1, taskId, 1, 'png', 'image/png');
		expect(fake.stats().submissions).toBe(1);
	});

	it('Get Task with a given type that does not hold the task says it was not found', async () => {
		const created = await runKling({
			parameters: image('generate', { prompt: 'A pier', waitForCompletion: false }),
			credentials: apiKeyCredentials(fake),
		});
		const taskId = created.items[0].json.task_id;
		const result = await runKling({
			parameters: image('getTask', { taskId, taskKind: 'editing/expand' }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.status).toBe('error');
		expect(result.error.message).toBe(
			`Kling could not find the task or model (Kling code 1203) [task ${taskId}]`,
		);
		expect(fake.log.at(-1).path).toBe(`/v1/images/editing/expand/${taskId}`);
	});

	it('keeps the task but downloads nothing when Download Images is off', async () => {
		const result = await runKling({
			parameters: image('generate', { prompt: 'A moth' }, { downloadImages: false }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.items[0].json.task_status).toBe('succeed');
		expect(result.items[0].binary).toBeUndefined();
		expect(downloads()).toHaveLength(0);
	});

	it('renews an expired image URL by reading the task again', async () => {
		fake.setOptions({ faults: { download404: 1 } });
		const result = await runKling({
			parameters: image('generate', { prompt: 'A kite' }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		await expectImage(
			result.items[0].binary.data,
			result.items[0].json.task_id,
			0,
			'png',
			'image/png',
		);
		expect(downloads()).toHaveLength(2);
	});

	it('an empty download is not taken for the image: it is fetched again', async () => {
		const result = await runKling({
			parameters: image('generate', { prompt: 'A quiet street [empty-first]' }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		await expectImage(
			result.items[0].binary.data,
			result.items[0].json.task_id,
			0,
			'png',
			'image/png',
		);
		expect(downloads()).toHaveLength(2);
	});

	it('an older model ID given by expression is sent; when Kling refuses it the error says why', async () => {
		const result = await runKling({
			parameters: image('generate', { model: '={{ "kling-v1" }}', prompt: 'A lighthouse' }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.status).toBe('error');
		expect(result.error.message).toBe('Kling rejected a parameter value (Kling code 1201)');
		expect(result.error.description).toContain(
			'Kling says: "model_name kling-v1 is not supported"',
		);
		expect(result.error.description).toContain(
			"Model kling-v1 is not in Kling's current list for image generation (kling-v3, kling-v2-1)",
		);
		expect(submits()).toHaveLength(1);
		expect(submits()[0].body.model_name).toBe('kling-v1');
		expect(fake.stats().submissions).toBe(0);
	});
});

describe('Omni Image', () => {
	it('single images: sends image_list from a URL and a binary, outputs JPEG and PNG with exact bytes', async () => {
		const photo = makeJpeg(800, 600, 4096);
		const result = await runKling({
			parameters: image('omniImage', {
				prompt: 'Put <<<image_1>>> into the room of <<<image_2>>>',
				images: {
					image: [
						{ source: 'url', url: 'https://example.com/chair.png' },
						{ source: 'binary', binaryProperty: 'room' },
					],
				},
				numberOfImages: 2,
				aspectRatio: '1:1',
			}),
			items: [binaryItem({ room: { data: photo, mimeType: 'image/jpeg' } })],
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		const taskId = item.json.task_id;
		await expectImage(item.binary.image_0, taskId, 0, 'jpg', 'image/jpeg');
		await expectImage(item.binary.image_1, taskId, 1, 'png', 'image/png');
		expect(submits()[0].path).toBe('/v1/images/omni-image');
		expect(submits()[0].body).toMatchObject({
			model_name: 'kling-image-o1',
			image_list: [{ image: 'https://example.com/chair.png' }, { image: photo.toString('base64') }],
			result_type: 'single',
			n: 2,
			aspect_ratio: '1:1',
			resolution: '1k',
		});
		expect(submits()[0].body).not.toHaveProperty('series_amount');
	});

	it('a series: sends series_amount (not n) and outputs every series image', async () => {
		const result = await runKling({
			parameters: image('omniImage', {
				model: 'kling-v3-omni',
				prompt: 'A four-season series of one tree',
				resultType: 'series',
				seriesAmount: '3',
				resolution: '4k',
			}),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		expect(Object.keys(item.binary).sort()).toEqual(['image_0', 'image_1', 'image_2']);
		await expectImage(item.binary.image_2, item.json.task_id, 2, 'jpg', 'image/jpeg');
		expect(submits()[0].body).toMatchObject({
			result_type: 'series',
			series_amount: 3,
			resolution: '4k',
		});
		expect(submits()[0].body).not.toHaveProperty('n');
	});
});

describe('Multi-Image to Image', () => {
	it('sends subjects, scene and style and outputs the image with exact bytes', async () => {
		const style = makePng(400, 400);
		const result = await runKling({
			parameters: image('multiImageToImage', {
				subjectImages: {
					image: [
						{ source: 'url', url: 'https://example.com/cat.png' },
						{ source: 'url', url: 'https://example.com/dog.png' },
					],
				},
				imageSource: 'binary',
				sceneImageBinaryProperty: '',
				styleImageBinaryProperty: 'style',
				prompt: 'Both on a sofa',
				aspectRatio: '3:2',
			}),
			items: [binaryItem({ style: { data: style, mimeType: 'image/png' } })],
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		await expectImage(
			result.items[0].binary.data,
			result.items[0].json.task_id,
			0,
			'png',
			'image/png',
		);
		const { body, path } = submits()[0];
		expect(path).toBe('/v1/images/multi-image2image');
		expect(body).toMatchObject({
			model_name: 'kling-v2-1',
			subject_image_list: [
				{ subject_image: 'https://example.com/cat.png' },
				{ subject_image: 'https://example.com/dog.png' },
			],
			style_image: style.toString('base64'),
			prompt: 'Both on a sofa',
			n: 1,
			aspect_ratio: '3:2',
		});
		expect(body).not.toHaveProperty('scene_image');
	});
});

describe('Expand', () => {
	it('expands a binary image and outputs two images with exact bytes', async () => {
		const photo = makePng(600, 400);
		const result = await runKling({
			parameters: image('expand', {
				imageSource: 'binary',
				imageBinaryProperty: 'data',
				expandUp: 0.5,
				expandDown: 0.5,
				expandLeft: 0,
				expandRight: 1,
				numberOfImages: 2,
			}),
			items: [binaryItem({ data: { data: photo, mimeType: 'image/png' } })],
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		await expectImage(item.binary.image_0, item.json.task_id, 0, 'png', 'image/png');
		await expectImage(item.binary.image_1, item.json.task_id, 1, 'png', 'image/png');
		expect(submits()[0].path).toBe('/v1/images/editing/expand');
		expect(submits()[0].body).toMatchObject({
			image: photo.toString('base64'),
			up_expansion_ratio: 0.5,
			down_expansion_ratio: 0.5,
			left_expansion_ratio: 0,
			right_expansion_ratio: 1,
			n: 2,
		});
	});
});

describe('Virtual Try-On', () => {
	it('dresses the person of one binary in the garment of another; outputs a JPEG with exact bytes', async () => {
		const person = makeJpeg(600, 900, 3000);
		const garment = makePng(500, 500);
		const result = await runKling({
			parameters: image('virtualTryOn', {
				imageSource: 'binary',
				model: 'kolors-virtual-try-on-v1-5',
			}),
			items: [
				binaryItem({
					data: { data: person, mimeType: 'image/jpeg' },
					garment: { data: garment, mimeType: 'image/png' },
				}),
			],
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		await expectImage(item.binary.data, item.json.task_id, 0, 'jpg', 'image/jpeg');
		expect(submits()[0].path).toBe('/v1/images/kolors-virtual-try-on');
		expect(submits()[0].body).toEqual({
			model_name: 'kolors-virtual-try-on-v1-5',
			human_image: person.toString('base64'),
			cloth_image: garment.toString('base64'),
			external_task_id: expect.stringMatching(/^n8n-[0-9a-f]{40}$/),
		});

		// Get Task in Find Automatically mode looks through the image kinds until it finds it.
		const fetched = await runKling({
			parameters: image('getTask', { taskId: item.json.task_id }),
			credentials: apiKeyCredentials(fake),
		});
		expect(fetched.error).toBeUndefined();
		await expectImage(fetched.items[0].binary.data, item.json.task_id, 0, 'jpg', 'image/jpeg');
	});
});

describe('task engine guarantees', () => {
	it('a create whose answer was lost is found by its external_task_id: one paid task', async () => {
		fake.setOptions({ faults: { submitDropResponse: 1 } });
		const result = await runKling({
			parameters: image('generate', { prompt: 'A bridge at night' }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(fake.stats().submissions).toBe(1);
		await expectImage(
			result.items[0].binary.data,
			result.items[0].json.task_id,
			0,
			'png',
			'image/png',
		);
	});

	it('running the same workflow again finds the task already paid for', async () => {
		const parameters = image('generate', { prompt: 'A red door' });
		const first = await runKling({ parameters, credentials: apiKeyCredentials(fake) });
		const again = await runKling({ parameters, credentials: apiKeyCredentials(fake) });
		expect(again.error).toBeUndefined();
		expect(again.items[0].json.task_id).toBe(first.items[0].json.task_id);
		expect(fake.stats().submissions).toBe(1);
	});

	it('account concurrency full (1303): items queue and all succeed, one task each', async () => {
		fake.setOptions({ concurrency: 1, taskDurationMs: 150 });
		const result = await runKling({
			parameters: image(
				'generate',
				{ prompt: '={{ "Scene " + $json.row }}' },
				{ maxConcurrentTasks: 3 },
			),
			items: rows(3),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(fake.stats().submissions).toBe(3);
		expect(fake.stats().maxRunning).toBe(1);
		expect(fake.stats().rejected1303).toBeGreaterThan(0);
	});

	it('Continue On Fail: a failed task becomes an error item paired to its input; the others carry on', async () => {
		fake.setOptions({
			failTasks: (body) => (body.prompt === 'Scene 1' ? 'Image violates the policy' : false),
		});
		const result = await runKling({
			parameters: image('generate', { prompt: '={{ "Scene " + $json.row }}' }),
			items: rows(3),
			credentials: apiKeyCredentials(fake),
			continueOnFail: true,
		});
		expect(result.status).toBe('success');
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(result.items[0].binary.data.mimeType).toBe('image/png');
		expect(result.items[2].binary.data.mimeType).toBe('image/png');
		const { error } = result.items[1];
		expect(error.message).toMatch(/^Kling task \d+ failed: Image violates the policy$/);
		expect(error.description).toBe(
			'Kling could not generate this image. Change the prompt or images and run again.',
		);
		expect(error.context.itemIndex).toBe(1);
		expect(fake.stats().submissions).toBe(3);
	});
});

describe('Generate → Image to Video', () => {
	it('the binary Generate puts out feeds Image to Video (imageSource = binary) unchanged', async () => {
		const generated = await runKling({
			parameters: image('generate', { prompt: 'A first frame: a quiet lake', aspectRatio: '16:9' }),
			credentials: apiKeyCredentials(fake),
			nodeId: 'generate-node',
		});
		expect(generated.error).toBeUndefined();
		const frame = await readBinary(generated.items[0].binary.data);
		const taskId = generated.items[0].json.task_id;
		expect(frame.equals(imageBytesFor(taskId, 0, 'png'))).toBe(true);

		const video = await runKling({
			parameters: {
				resource: 'video',
				operation: 'imageToVideo',
				imageSource: 'binary',
				imageBinaryProperty: 'data',
				prompt: 'The water ripples',
				options: { pollInterval: 1 },
			},
			items: generated.items.map(({ json, binary }) => ({ json, binary })),
			credentials: apiKeyCredentials(fake),
			nodeId: 'video-node',
		});
		expect(video.error).toBeUndefined();
		expect(video.items[0].binary.data.mimeType).toBe('video/mp4');
		const i2v = submits().find((entry) => entry.path === '/v1/videos/image2video');
		expect(i2v.body.image).toBe(frame.toString('base64'));
	});
});
