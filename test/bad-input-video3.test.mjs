// "No paid call on bad input" for the Kling 3.0-era operations (Omni Video, kling-v3 options on
// Text/Image to Video, Motion Control, Video Effects, Extend Video, Kling 3.0 Turbo): every
// input Kling refuses must fail before the node sends anything, naming the item and the field,
// with Continue On Fail pairing the error to its input. The fake server sees no request at all.
import { createRequire } from 'node:module';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { runKling } from '../dev/engine.mjs';
import { makePng } from '../dev/images.mjs';
import {
	accessKeyCredentials,
	apiKeyCredentials,
	startFake,
	textToVideo,
	useFastRetries,
} from '../dev/kling.mjs';

const require = createRequire(import.meta.url);
const { NodeOperationError } = require('n8n-workflow');

let fake;
beforeAll(async () => {
	useFastRetries();
	fake = await startFake();
});
afterAll(async () => await fake.close());
beforeEach(() => fake.reset());

const NOTHING_SENT = 'Nothing was sent to Kling.';
const GIF = Buffer.concat([
	Buffer.from('GIF89a', 'ascii'),
	Buffer.from([0x90, 0x01, 0x90, 0x01, 0x00, 0x00, 0x00, 0x3b]),
]);

const image = (n, role = 'reference') => ({
	source: 'url',
	url: `https://example.com/ref-${n}.png`,
	role,
});
const video = (referType, url = 'https://example.com/clip.mp4') => ({
	video: { url, referType, keepOriginalSound: true },
});
const shots = (...list) => ({ shot: list.map(([prompt, duration]) => ({ prompt, duration })) });

export function omni(parameters = {}, options = {}) {
	return {
		resource: 'video',
		operation: 'omniVideo',
		model: 'kling-v3-omni',
		prompt: 'A cat walks through Tokyo at night',
		...parameters,
		options: { pollInterval: 1, ...options },
	};
}

function imageToVideo(parameters = {}) {
	return {
		resource: 'video',
		operation: 'imageToVideo',
		model: 'kling-v3',
		image: 'https://example.com/start.jpg',
		...parameters,
		options: { pollInterval: 1 },
	};
}

function motion(parameters = {}) {
	return {
		resource: 'video',
		operation: 'motionControl',
		model: 'kling-v2-6',
		image: 'https://example.com/character.png',
		motionVideoUrl: 'https://example.com/dance.mp4',
		characterOrientation: 'image',
		mode: 'std',
		...parameters,
		options: { pollInterval: 1 },
	};
}

function effects(scene, count, parameters = {}) {
	return {
		resource: 'video',
		operation: 'videoEffects',
		effectScene: scene,
		images: {
			image: Array.from({ length: count }, (_, i) => ({
				source: 'url',
				url: `https://example.com/p${i}.png`,
			})),
		},
		...parameters,
		options: { pollInterval: 1 },
	};
}

function extend(parameters = {}) {
	return {
		resource: 'video',
		operation: 'extendVideo',
		videoId: 'v-860000000000000001',
		...parameters,
		options: { pollInterval: 1 },
	};
}

function turbo(operation, parameters = {}) {
	return {
		resource: 'video',
		operation,
		model: 'kling-3.0-turbo',
		...(operation === 'turboTextToVideo'
			? { prompt: 'A red fox in the snow' }
			: { image: 'https://example.com/start.jpg' }),
		...parameters,
		options: { pollInterval: 1 },
	};
}

const binaryItem = (data, mimeType, property = 'data') => ({
	json: {},
	binary: { [property]: { data: data.toString('base64'), mimeType, fileName: 'upload' } },
});

/** One bad input per row: exact message (before " (item N, field 'F')"), field, optional description. */
export const BAD_INPUTS = [
	// ---------------------------------------------------------------- Omni Video (§1, §1.1)
	{
		op: 'omni',
		name: 'empty prompt',
		parameters: omni({ prompt: '={{ "" }}' }),
		field: 'Prompt',
		message: 'Prompt is empty',
	},
	{
		op: 'omni',
		name: 'prompt of 2,501 characters',
		parameters: omni({ prompt: 'a'.repeat(2501) }),
		field: 'Prompt',
		message: 'Prompt is 2501 characters long; Kling accepts at most 2500',
	},
	{
		op: 'omni',
		name: 'five images + elements with a reference video',
		parameters: omni({
			referenceImages: { image: [image(1), image(2), image(3)] },
			elementIds: '111, 222',
			referenceVideo: video('feature'),
		}),
		field: 'Reference Images',
		message:
			'3 images and 2 elements given; with a reference video Kling accepts at most 4 together',
	},
	{
		op: 'omni',
		name: 'end frame without a first frame',
		parameters: omni({ referenceImages: { image: [image(1, 'end_frame')] } }),
		field: 'Reference Images',
		message: 'An end frame needs a first frame',
		description: 'Mark another image as the first frame, or make the end frame a plain reference.',
	},
	{
		op: 'omni',
		name: 'two first frames',
		parameters: omni({
			referenceImages: { image: [image(1, 'first_frame'), image(2, 'first_frame')] },
		}),
		field: 'Reference Images',
		message: '2 images are marked as first frame; only one can be',
	},
	{
		op: 'omni',
		name: 'O1 first + end frame with another reference',
		parameters: omni({
			model: 'kling-video-o1',
			referenceImages: { image: [image(1, 'first_frame'), image(2, 'end_frame'), image(3)] },
		}),
		field: 'Reference Images',
		message:
			'kling-video-o1 with a first and an end frame takes no other reference images and no elements',
	},
	{
		op: 'omni',
		name: '3.0 Omni first frame with four elements',
		parameters: omni({
			referenceImages: { image: [image(1, 'first_frame')] },
			elementIds: '1,2,3,4',
		}),
		field: 'Element IDs',
		message: '4 elements given with a first frame; kling-v3-omni accepts at most 3',
	},
	{
		op: 'omni',
		name: 'element ID that is not a number',
		parameters: omni({ elementIds: 'my-cat' }),
		field: 'Element IDs',
		message: 'Element ID #1 "my-cat" is not a number',
	},
	{
		op: 'omni',
		name: 'video to edit with a first frame',
		parameters: omni({
			referenceImages: { image: [image(1, 'first_frame')] },
			referenceVideo: video('base'),
		}),
		field: 'Reference Images',
		message: 'A video to edit (refer type Base) cannot be combined with a first or end frame',
	},
	{
		op: 'omni',
		name: '4k on O1',
		parameters: omni({
			model: 'kling-video-o1',
			mode: '4k',
			referenceImages: { image: [image(1)] },
		}),
		field: 'Mode',
		message: 'Mode 4k is available only for kling-v3-omni',
	},
	{
		op: 'omni',
		name: 'unknown mode',
		parameters: omni({ mode: '={{ "ultra" }}' }),
		field: 'Mode',
		message: 'Mode "ultra" is not accepted here',
		description: 'Use one of: std, pro, 4k.',
	},
	{
		op: 'omni',
		name: 'sound on with a reference video',
		parameters: omni({ sound: true, referenceVideo: video('feature') }),
		field: 'Sound',
		message: 'Sound must be off when a reference video is attached',
	},
	{
		op: 'omni',
		name: 'multi-shot on O1',
		parameters: omni({ model: 'kling-video-o1', multiShot: true, shotType: 'intelligence' }),
		field: 'Multi-Shot',
		message: 'Multi-shot is available only for kling-v3-omni',
	},
	{
		op: 'omni',
		name: 'multi-shot while editing a video',
		parameters: omni({ multiShot: true, shotType: 'intelligence', referenceVideo: video('base') }),
		field: 'Multi-Shot',
		message: 'Multi-shot cannot be used when editing a video (refer type Base)',
	},
	{
		op: 'omni',
		name: 'custom shots with a feature reference video',
		parameters: omni({
			multiShot: true,
			shotType: 'customize',
			shots: shots(['a', 5]),
			referenceVideo: video('feature'),
		}),
		field: 'Shot Type',
		message: 'With a Feature reference video, multi-shot must use the Intelligent shot type',
	},
	{
		op: 'omni',
		name: 'O1 text-only 7 seconds',
		parameters: omni({ model: 'kling-video-o1', duration: '7' }),
		field: 'Duration',
		message: 'Duration 7 s is not available for kling-video-o1 without reference images',
		description: 'Use one of: 5, 10 seconds.',
	},
	{
		op: 'omni',
		name: 'O1 with references 12 seconds',
		parameters: omni({
			model: 'kling-video-o1',
			duration: '12',
			referenceImages: { image: [image(1)] },
		}),
		field: 'Duration',
		message: 'Duration 12 s is not available for kling-video-o1',
	},
	{
		op: 'omni',
		name: '3.0 Omni 16 seconds',
		parameters: omni({ duration: '={{ "16" }}' }),
		field: 'Duration',
		message: 'Duration 16 s is not available for kling-v3-omni',
	},
	{
		op: 'omni',
		name: 'aspect ratio 4:3',
		parameters: omni({ aspectRatio: '={{ "4:3" }}' }),
		field: 'Aspect Ratio',
		message: 'Aspect ratio "4:3" is not accepted for omni video',
	},
	{
		op: 'omni',
		name: 'no aspect ratio and no first frame',
		parameters: omni({ aspectRatio: '={{ "" }}' }),
		field: 'Aspect Ratio',
		message: 'Aspect ratio is needed when there is no first frame and no video to edit',
	},
	{
		op: 'omni',
		name: 'prompt refers to a second image that is not there',
		parameters: omni({
			prompt: '<<<image_1>>> meets <<<image_2>>>',
			referenceImages: { image: [image(1)] },
		}),
		field: 'Prompt',
		message: 'The prompt refers to <<<image_2>>> but only 1 image is given',
	},
	{
		op: 'omni',
		name: 'prompt refers to a video that is not there',
		parameters: omni({ prompt: 'In the style of <<<video_1>>>' }),
		field: 'Prompt',
		message: 'The prompt refers to <<<video_1>>> but no videos are given',
	},
	{
		op: 'omni',
		name: 'shot prompt of 513 characters',
		parameters: omni({
			multiShot: true,
			shotType: 'customize',
			shots: shots(['x'.repeat(513), 5]),
		}),
		field: 'Shots #1',
		message: 'Shots #1 prompt is 513 characters long; Kling accepts at most 512 per shot',
	},
	{
		op: 'omni',
		name: 'shot durations not adding up',
		parameters: omni({ multiShot: true, shotType: 'customize', shots: shots(['a', 3], ['b', 3]) }),
		field: 'Shots',
		message: 'The shots last 6 s in total but the video is 5 s; they must add up to the duration',
		description: 'Change the shot durations or set Duration to 6 seconds.',
	},
	{
		op: 'omni',
		name: 'reference video that is not a URL',
		parameters: omni({ referenceVideo: video('feature', 'ftp://example.com/clip.mp4') }),
		field: 'Reference Video',
		message: 'Reference Video "ftp://example.com/clip.mp4" is not an http(s) URL',
	},
	{
		op: 'omni',
		name: 'a legacy model that cannot do omni',
		parameters: omni({ model: '={{ "kling-v2-6" }}' }),
		field: 'Model',
		message: 'Model kling-v2-6 cannot do omni video',
		description: 'Choose one of: kling-v3-omni, kling-video-o1.',
	},
	{
		op: 'omni',
		name: 'reference image from a missing binary property',
		parameters: omni({
			referenceImages: {
				image: [{ source: 'binary', binaryProperty: 'photo', role: 'first_frame' }],
			},
		}),
		field: 'Reference Images #1',
		message: "The input item has no binary property 'photo'",
	},
	{
		op: 'omni',
		name: 'reference image of 200x200 px (binary)',
		parameters: omni({
			referenceImages: { image: [{ source: 'binary', binaryProperty: 'data', role: 'reference' }] },
		}),
		items: [binaryItem(makePng(200, 200), 'image/png')],
		field: 'Reference Images #1',
		message: 'Reference Images #1 is 200x200 px; each side must be at least 300 px',
	},
	{
		op: 'omni',
		name: 'http callback URL',
		parameters: omni({}, { callbackUrl: 'http://n8n.example.com/webhook' }),
		field: 'Callback URL',
		message: 'Callback URL "http://n8n.example.com/webhook" is not an https:// URL',
	},
	// ---------------------------------------------------------------- kling-v3 on Text/Image to Video (§2)
	{
		op: 'v3',
		name: '4k mode on kling-v2-6',
		parameters: textToVideo({ model: 'kling-v2-6', mode: '={{ "4k" }}' }),
		field: 'Mode',
		message: 'Mode 4k is available only for kling-v3, not kling-v2-6',
		description: 'Choose kling-v3, or Standard or Professional mode.',
	},
	{
		op: 'v3',
		name: 'kling-v3 custom shots not adding up to 7 s',
		parameters: textToVideo({
			model: 'kling-v3',
			duration: '7',
			multiShot: true,
			shotType: 'customize',
			shots: shots(['a', 3], ['b', 3]),
		}),
		field: 'Shots',
		message: 'The shots last 6 s in total but the video is 7 s; they must add up to the duration',
	},
	{
		op: 'v3',
		name: 'kling-v3 custom multi-shot without shots',
		parameters: textToVideo({ model: 'kling-v3', multiShot: true, shotType: 'customize' }),
		field: 'Shots',
		message: '0 shots given; custom multi-shot takes 1 to 6',
	},
	{
		op: 'v3',
		name: 'kling-v3 image to video: a shot without prompt',
		parameters: imageToVideo({
			multiShot: true,
			shotType: 'customize',
			shots: shots(['a', 2], ['', 3]),
		}),
		field: 'Shots #2',
		message: 'Shots #2 has no prompt',
	},
	{
		op: 'v3',
		name: 'kling-v3 duration 16 s',
		parameters: textToVideo({ model: 'kling-v3', duration: '={{ "16" }}' }),
		field: 'Duration',
		message: 'Duration 16 s is not available for kling-v3',
	},
	{
		op: 'v3',
		name: 'kling-v3 intelligent multi-shot without prompt (image to video)',
		parameters: imageToVideo({ multiShot: true, shotType: 'intelligence' }),
		field: 'Prompt',
		message: 'Prompt is empty',
	},
	{
		op: 'v3',
		name: 'kling-v3 shot of 0 seconds',
		parameters: textToVideo({
			model: 'kling-v3',
			multiShot: true,
			shotType: 'customize',
			shots: shots(['a', 0], ['b', 5]),
		}),
		field: 'Shots #1',
		message: 'Shots #1 lasts 0 s; each shot needs a whole number of seconds, at least 1',
	},
	// ---------------------------------------------------------------- Motion Control (§3)
	{
		op: 'motion',
		name: 'empty motion video URL',
		parameters: motion({ motionVideoUrl: '={{ "" }}' }),
		field: 'Motion Video URL',
		message: 'Motion Video URL is missing',
	},
	{
		op: 'motion',
		name: 'motion video that is not a URL',
		parameters: motion({ motionVideoUrl: 'dance.mp4' }),
		field: 'Motion Video URL',
		message: 'Motion Video URL "dance.mp4" is not an http(s) URL',
	},
	{
		op: 'motion',
		name: 'element on kling-v2-6',
		parameters: motion({ elementId: '829836802793406551', characterOrientation: 'video' }),
		field: 'Element ID',
		message: 'An element needs kling-v3; kling-v2-6 does not take one',
	},
	{
		op: 'motion',
		name: 'element with orientation from the image',
		parameters: motion({ model: 'kling-v3', elementId: '829836802793406551' }),
		field: 'Character Orientation',
		message: 'With an element the orientation always follows the video',
		description: 'Set Character Orientation to Video, or remove the element.',
	},
	{
		op: 'motion',
		name: 'two elements',
		parameters: motion({ model: 'kling-v3', elementId: '1, 2', characterOrientation: 'video' }),
		field: 'Element ID',
		message: 'Motion control takes at most one element',
	},
	{
		op: 'motion',
		name: '4k mode',
		parameters: motion({ mode: '={{ "4k" }}' }),
		field: 'Mode',
		message: 'Mode "4k" is not accepted here',
		description: 'Use one of: std, pro.',
	},
	{
		op: 'motion',
		name: 'a model without motion control',
		parameters: motion({ model: '={{ "kling-v1-6" }}' }),
		field: 'Model',
		message: 'Model kling-v1-6 cannot do motion control',
	},
	{
		op: 'motion',
		name: 'GIF character image (binary)',
		parameters: motion({ imageSource: 'binary', imageBinaryProperty: 'data' }),
		items: [binaryItem(GIF, 'image/gif')],
		field: 'Character Image',
		message: "Binary property 'data' holds image/gif, not a JPG or PNG image",
	},
	{
		op: 'motion',
		name: 'unknown orientation',
		parameters: motion({ characterOrientation: '={{ "left" }}' }),
		field: 'Character Orientation',
		message: 'Character Orientation "left" is not accepted here',
	},
	// ---------------------------------------------------------------- Video Effects (§8)
	{
		op: 'effects',
		name: 'retired scene "hug"',
		parameters: effects('={{ "hug" }}', 2),
		field: 'Effect',
		message: 'Effect "hug" was retired by Kling on 2026-01-30',
		description: 'Kling no longer runs it. Use "hug_pro" instead.',
	},
	{
		op: 'effects',
		name: 'retired scene "celebration"',
		parameters: effects('={{ "celebration" }}', 1),
		field: 'Effect',
		message: 'Effect "celebration" was retired by Kling on 2025-12-30',
		description: 'Kling no longer runs it. Choose another effect.',
	},
	{
		op: 'effects',
		name: 'two-image scene with one image',
		parameters: effects('hug_pro', 1),
		field: 'Images',
		message: 'Effect "hug_pro" needs exactly 2 images; 1 given',
	},
	{
		op: 'effects',
		name: 'one-image scene with two images',
		parameters: effects('bullet_time_lite', 2),
		field: 'Images',
		message: 'Effect "bullet_time_lite" takes exactly 1 image; 2 given',
	},
	{
		op: 'effects',
		name: 'empty scene',
		parameters: effects('={{ "" }}', 1),
		field: 'Effect',
		message: 'Effect is empty',
	},
	{
		op: 'effects',
		name: 'duration 7 s',
		parameters: effects('bullet_time_lite', 1, { effectDuration: '={{ "7" }}' }),
		field: 'Duration',
		message: 'Duration "7" is not accepted here',
	},
	// ---------------------------------------------------------------- Extend Video (§7)
	{
		op: 'extend',
		name: 'empty video ID',
		parameters: extend({ videoId: '={{ "" }}' }),
		field: 'Video ID',
		message: 'Video ID is empty',
	},
	{
		op: 'extend',
		name: 'video URL instead of its ID',
		parameters: extend({ videoId: 'https://cdn.example.com/v.mp4' }),
		field: 'Video ID',
		message: 'Video ID is a URL, not a Kling video id',
	},
	{
		op: 'extend',
		name: 'CFG scale 1.5',
		parameters: extend({ cfgScale: 1.5 }),
		field: 'CFG Scale',
		message: 'CFG Scale is 1.5; it must be between 0 and 1',
	},
	{
		op: 'extend',
		name: 'negative prompt of 2,501 characters',
		parameters: extend({ negativePrompt: 'n'.repeat(2501) }),
		field: 'Negative Prompt',
		message: 'Negative Prompt is 2501 characters long; Kling accepts at most 2500',
	},
	// ---------------------------------------------------------------- Kling 3.0 Turbo, new API (§11)
	{
		op: 'turbo',
		name: 'Access Key + Secret Key credential',
		parameters: turbo('turboTextToVideo'),
		credentials: accessKeyCredentials,
		field: 'Credential',
		message:
			'Kling 3.0 Turbo runs on Kling’s new API, which accepts only an API key; this credential uses Access Key + Secret Key',
		description:
			"Create a Kling API credential with Authentication set to 'API Key' (Kling developer console → API Keys) and select it in this node.",
	},
	{
		op: 'turbo',
		name: 'Access Key + Secret Key credential (image to video)',
		parameters: turbo('turboImageToVideo'),
		credentials: accessKeyCredentials,
		field: 'Credential',
		message:
			'Kling 3.0 Turbo runs on Kling’s new API, which accepts only an API key; this credential uses Access Key + Secret Key',
	},
	{
		op: 'turbo',
		name: '4k resolution',
		parameters: turbo('turboTextToVideo', { resolution: '={{ "4k" }}' }),
		field: 'Resolution',
		message: 'Resolution "4k" is not available for kling-3.0-turbo',
		description: 'Use 720p or 1080p.',
	},
	{
		op: 'turbo',
		name: 'duration 16 s',
		parameters: turbo('turboTextToVideo', { duration: '={{ "16" }}' }),
		field: 'Duration',
		message: 'Duration 16 s is not available for kling-3.0-turbo',
	},
	{
		op: 'turbo',
		name: 'text prompt of 3,073 characters',
		parameters: turbo('turboTextToVideo', { prompt: 'p'.repeat(3073) }),
		field: 'Prompt',
		message: 'Prompt is 3073 characters long; Kling accepts at most 3072',
	},
	{
		op: 'turbo',
		name: 'image prompt of 2,501 characters',
		parameters: turbo('turboImageToVideo', { prompt: 'p'.repeat(2501) }),
		field: 'Prompt',
		message: 'Prompt is 2501 characters long; Kling accepts at most 2500',
	},
	{
		op: 'turbo',
		name: 'legacy model name',
		parameters: turbo('turboTextToVideo', { model: '={{ "kling-v3" }}' }),
		field: 'Model',
		message: 'Model kling-v3 is a legacy model name; the new API takes names like kling-3.0-turbo',
	},
	{
		op: 'turbo',
		name: 'image that is neither URL nor base64',
		parameters: turbo('turboImageToVideo', { image: 'my holiday photo' }),
		field: 'Image',
		message: 'Image is neither an http(s) URL nor base64 image data',
	},
	{
		op: 'turbo',
		name: 'empty prompt',
		parameters: turbo('turboTextToVideo', { prompt: '={{ "  " }}' }),
		field: 'Prompt',
		message: 'Prompt is empty',
	},
];

function expectInputError(error, row, itemIndex) {
	expect(error).toBeDefined();
	expect(error.message).toBe(`${row.message} (item ${itemIndex}, field '${row.field}')`);
	expect(typeof error.description).toBe('string');
	expect(error.description.endsWith(NOTHING_SENT)).toBe(true);
	if (row.description) expect(error.description).toBe(`${row.description} ${NOTHING_SENT}`);
	expect(error.context.itemIndex).toBe(itemIndex);
}

function expectNothingSent() {
	expect(fake.stats().submissions).toBe(0);
	expect(fake.log).toEqual([]); // every check happens before the first request
}

describe('Kling 3.0-era operations: bad input fails before any request is sent', () => {
	it('has at least 40 rows, over every new operation', () => {
		expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
		const perOperation = {};
		for (const row of BAD_INPUTS) perOperation[row.op] = (perOperation[row.op] ?? 0) + 1;
		expect(Object.keys(perOperation).sort()).toEqual([
			'effects',
			'extend',
			'motion',
			'omni',
			'turbo',
			'v3',
		]);
		console.log(`bad-input rows per operation: ${JSON.stringify(perOperation)}`);
	});

	it('more images or shots than the node offers are refused by n8n itself, before the node runs', async () => {
		const tooMany = [
			[omni({ referenceImages: { image: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => image(n)) } }), 7],
			[
				omni({
					duration: '7',
					multiShot: true,
					shotType: 'customize',
					shots: shots(...Array.from({ length: 7 }, (_, i) => [`shot ${i}`, 1])),
				}),
				6,
			],
			[effects('hug_pro', 3), 2],
		];
		for (const [parameters, max] of tooMany) {
			await expect(runKling({ parameters, credentials: apiKeyCredentials(fake) })).rejects.toThrow(
				`At most ${max} fields are allowed`,
			);
		}
		expectNothingSent();
	});

	it.each(BAD_INPUTS)('$op: $name', async (row) => {
		const credentials = row.credentials ? row.credentials(fake) : apiKeyCredentials(fake);
		const items = row.items ?? [{ json: {} }];

		const stopped = await runKling({ parameters: row.parameters, items, credentials });
		expect(stopped.status).toBe('error');
		expectInputError(stopped.error, row, 0);
		expectNothingSent();

		// Continue On Fail: an error item paired to its input; the good item next to it is paid once.
		fake.reset();
		const continued = await runKling({
			parameters: row.parameters,
			items,
			credentials,
			continueOnFail: true,
		});
		expect(continued.status).toBe('success');
		expect(continued.items).toHaveLength(1);
		const [item] = continued.items;
		expect(item.error).toBeInstanceOf(NodeOperationError);
		expectInputError(item.error, row, 0);
		expect(item.pairedItem).toEqual({ item: 0 });
		expectNothingSent();
	});
});

describe('single-source or conflicting facts are passed through, not blocked', () => {
	const GOOD_INPUTS = [
		{
			name: '3.0 Omni: 4K and 12 s with a feature reference video (changed/single-source limits)',
			parameters: omni({ mode: '4k', duration: '12', referenceVideo: video('feature') }),
			check: (body) => expect(body).toMatchObject({ mode: '4k', duration: '12' }),
		},
		{
			name: 'O1: sound on (inferred as unsupported, not documented)',
			parameters: omni({ model: 'kling-video-o1', sound: true, duration: '10' }),
			check: (body) => expect(body.sound).toBe('on'),
		},
		{
			name: 'O1: 7 s with a reference image',
			parameters: omni({
				model: 'kling-video-o1',
				duration: '7',
				referenceImages: { image: [image(1)] },
			}),
			check: (body) => expect(body.duration).toBe('7'),
		},
		{
			name: '3.0 Omni: first frame + end frame + custom multi-shot (combinable since 2026-05-07)',
			parameters: omni({
				referenceImages: { image: [image(1, 'first_frame'), image(2, 'end_frame')] },
				multiShot: true,
				shotType: 'customize',
				shots: shots(['a', 2], ['b', 3]),
			}),
			check: (body) => expect(body.multi_prompt).toHaveLength(2),
		},
		{
			name: 'effects: a scene the node does not list, with one image',
			parameters: effects('={{ "neon_glow_2027" }}', 1),
			check: (body) =>
				expect(body).toMatchObject({
					effect_scene: 'neon_glow_2027',
					input: { image: 'https://example.com/p0.png' },
				}),
		},
		{
			name: 'effects: 10 s on a two-image scene (duration rules conflict)',
			parameters: effects('hug_pro', 2, { effectDuration: '10' }),
			check: (body) => expect(body.input.duration).toBe('10'),
		},
		{
			name: 'extend: CFG scale left at 0.5 is not sent (sources disagree)',
			parameters: extend({ cfgScale: 0.5 }),
			check: (body) => expect(body).not.toHaveProperty('cfg_scale'),
		},
		{
			name: 'motion control: kling-v3 with an element and orientation from the video',
			parameters: motion({
				model: 'kling-v3',
				elementId: '829836802793406551',
				characterOrientation: 'video',
			}),
			check: (body) => expect(body.element_list).toEqual([{ element_id: '829836802793406551' }]),
		},
		{
			name: 'kling-v3: 15 s in 4K with sound',
			parameters: textToVideo({ model: 'kling-v3', mode: '4k', duration: '15' }, { sound: true }),
			check: (body) => expect(body).toMatchObject({ mode: '4k', duration: '15', sound: 'on' }),
		},
	];

	it.each(GOOD_INPUTS)('$name', async (row) => {
		const result = await runKling({
			parameters: { ...row.parameters, waitForCompletion: false },
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(fake.stats().submissions).toBe(1);
		row.check(fake.log.find((entry) => entry.kind === 'submit').body);
	});
});
