// "No paid call on bad input": every input Kling would reject (or silently ignore) must fail
// before the node sends anything, with a message naming the item and the field. Each row runs
// the packaged node through n8n's engine against the fake Kling server and checks that the
// server saw no request at all.
import { createRequire } from 'node:module';
import path from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { projectRoot, runKling } from '../dev/engine.mjs';
import { makeJpeg, makePng } from '../dev/images.mjs';
import { apiKeyCredentials, startFake, textToVideo, useFastRetries } from '../dev/kling.mjs';

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
const T2V_MODELS =
	'kling-v1, kling-v1-6, kling-v2-master, kling-v2-1-master, kling-v2-5-turbo, kling-v2-6, kling-v3';

const submits = () => fake.log.filter((entry) => entry.kind === 'submit');

function imageToVideo(parameters = {}, options = {}) {
	return {
		resource: 'video',
		operation: 'imageToVideo',
		model: 'kling-v2-6',
		image: 'https://example.com/start.jpg',
		...parameters,
		options: { pollInterval: 1, ...options },
	};
}

function fromBinary(parameters = {}) {
	return imageToVideo({ imageSource: 'binary', imageBinaryProperty: 'data', ...parameters });
}

function multiImage(images, parameters = {}, options = {}) {
	return {
		resource: 'video',
		operation: 'multiImageToVideo',
		prompt: 'The two characters dance together in a sunny park',
		images: { image: images },
		...parameters,
		options: { pollInterval: 1, ...options },
	};
}

function getTask(parameters = {}) {
	return { resource: 'video', operation: 'getTask', taskKind: 'text2video', ...parameters };
}

const urlImage = (n) => ({ source: 'url', url: `https://example.com/ref-${n}.png` });

/** An input item carrying `data` as a binary property. */
function binaryItem(data, mimeType, property = 'data') {
	return {
		json: {},
		binary: { [property]: { data: data.toString('base64'), mimeType, fileName: 'upload' } },
	};
}

// A real GIF header (GIF89a, 400x400): neither JPG nor PNG.
const GIF = Buffer.concat([
	Buffer.from('GIF89a', 'ascii'),
	Buffer.from([0x90, 0x01, 0x90, 0x01, 0x00, 0x00, 0x00]),
	Buffer.from([0x3b]),
]);
const PDF = Buffer.from(
	'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);

/**
 * One bad input per row. `message` is the exact text before " (item N, field 'F')" (a string)
 * or a regex for the whole message; `description` is the exact description before
 * "Nothing was sent to Kling." when given.
 */
const BAD_INPUTS = [
	// Prompt and negative prompt
	{
		name: 'empty prompt (from an expression)',
		parameters: textToVideo({ prompt: '={{ "" }}' }),
		field: 'Prompt',
		message: 'Prompt is empty',
		description: 'Write a prompt describing the video.',
	},
	{
		name: 'whitespace-only prompt',
		parameters: textToVideo({ prompt: '  \n\t  ' }),
		field: 'Prompt',
		message: 'Prompt is empty',
	},
	{
		name: 'prompt of 2,501 characters',
		parameters: textToVideo({ prompt: 'a'.repeat(2501) }),
		field: 'Prompt',
		message: 'Prompt is 2501 characters long; Kling accepts at most 2500',
		description: 'Shorten the prompt.',
	},
	{
		name: 'prompt that is not text (a number from an expression)',
		parameters: textToVideo({ prompt: '={{ 42 }}' }),
		field: 'Prompt',
		message: 'Prompt must be text',
	},
	{
		name: 'negative prompt of 2,501 characters',
		parameters: textToVideo({ negativePrompt: 'b'.repeat(2501) }),
		field: 'Negative Prompt',
		message: 'Negative Prompt is 2501 characters long; Kling accepts at most 2500',
		description: 'Shorten the negative prompt.',
	},
	// Mode, duration, aspect ratio, CFG scale
	{
		name: 'unknown mode (from an expression)',
		parameters: textToVideo({ mode: '={{ "ultra" }}' }),
		field: 'Mode',
		message: 'Mode "ultra" is unknown',
		description: 'Use std (Standard) or pro (Professional).',
	},
	{
		name: "duration '7' on kling-v2-6",
		parameters: textToVideo({ model: 'kling-v2-6', duration: '={{ "7" }}' }),
		field: 'Duration',
		message: 'Duration 7 s is not available for kling-v2-6',
		description: 'Use one of: 5, 10 seconds.',
	},
	{
		name: "duration '15' on kling-v2-5-turbo (only kling-v3 takes it)",
		parameters: textToVideo({ model: 'kling-v2-5-turbo', duration: '={{ "15" }}' }),
		field: 'Duration',
		message: 'Duration 15 s is not available for kling-v2-5-turbo',
	},
	{
		name: "duration '16' on kling-v3",
		parameters: textToVideo({ model: 'kling-v3', duration: '={{ "16" }}' }),
		field: 'Duration',
		message: 'Duration 16 s is not available for kling-v3',
		description: 'Use one of: 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 seconds.',
	},
	{
		name: "unknown aspect ratio '21:9'",
		parameters: textToVideo({ aspectRatio: '={{ "21:9" }}' }),
		field: 'Aspect Ratio',
		message: 'Aspect ratio "21:9" is unknown',
		description: 'Use 16:9, 9:16, 1:1.',
	},
	{
		name: "README-only aspect ratio '4:3'",
		parameters: textToVideo({ aspectRatio: '={{ "4:3" }}' }),
		field: 'Aspect Ratio',
		message: "Kling's API does not accept the aspect ratio 4:3",
		description: 'Older Kling documentation lists it, but the API rejects it. Use 16:9, 9:16, 1:1.',
	},
	{
		name: 'CFG scale 1.5 (kling-v1-6, a model that uses it)',
		parameters: textToVideo({ model: 'kling-v1-6', cfgScale: 1.5 }),
		field: 'CFG Scale',
		message: 'CFG Scale is 1.5; it must be between 0 and 1',
	},
	{
		name: 'CFG scale -0.1',
		parameters: textToVideo({ model: 'kling-v1', cfgScale: -0.1 }),
		field: 'CFG Scale',
		message: 'CFG Scale is -0.1; it must be between 0 and 1',
	},
	// Model / operation
	{
		name: 'kling-v2-1 on text to video',
		parameters: textToVideo({ model: 'kling-v2-1' }),
		field: 'Model',
		message: 'Model kling-v2-1 cannot do text to video',
		description: `Choose one of: ${T2V_MODELS}.`,
	},
	{
		name: 'kling-v2-6 on multi-image to video',
		parameters: multiImage([urlImage(1), urlImage(2)], { model: 'kling-v2-6' }),
		field: 'Model',
		message: 'Model kling-v2-6 cannot do multi-image to video',
		description: 'Choose one of: kling-v1-6.',
	},
	{
		name: 'empty model (from an expression)',
		parameters: textToVideo({ model: '={{ "" }}' }),
		field: 'Model',
		message: 'Model is empty',
	},
	// End frame, camera control, sound
	{
		name: 'end frame on kling-v2-master',
		parameters: imageToVideo({
			model: 'kling-v2-master',
			imageTail: 'https://example.com/end.jpg',
		}),
		field: 'End Frame',
		message: 'Model kling-v2-master does not support an end frame',
	},
	{
		name: 'camera control on kling-v2-6',
		parameters: textToVideo(
			{ model: 'kling-v2-6' },
			{ cameraControl: { settings: { type: 'simple', zoom: 5 } } },
		),
		field: 'Camera Control',
		message: 'Model kling-v2-6 does not support camera control in text to video',
	},
	{
		name: 'camera control on kling-v1 in image to video (kling-v1 moves the camera only in text to video)',
		parameters: imageToVideo(
			{ model: 'kling-v1' },
			{ cameraControl: { settings: { type: 'simple', pan: 3 } } },
		),
		field: 'Camera Control',
		message: 'Model kling-v1 does not support camera control in image to video',
	},
	{
		name: 'simple camera movement with two non-zero axes',
		parameters: textToVideo(
			{ model: 'kling-v1' },
			{ cameraControl: { settings: { type: 'simple', horizontal: 2, zoom: 4 } } },
		),
		field: 'Camera Control',
		message: 'A simple camera movement needs exactly one non-zero axis; got 2 (horizontal, zoom)',
		description:
			'Set one of horizontal, vertical, pan, tilt, roll or zoom and leave the others at 0.',
	},
	{
		name: 'simple camera movement with every axis at 0',
		parameters: textToVideo(
			{ model: 'kling-v1' },
			{ cameraControl: { settings: { type: 'simple', zoom: 0 } } },
		),
		field: 'Camera Control',
		message: 'A simple camera movement needs exactly one non-zero axis; got 0 (none)',
	},
	{
		name: 'camera axis 11',
		parameters: textToVideo(
			{ model: 'kling-v1' },
			{ cameraControl: { settings: { type: 'simple', zoom: 11 } } },
		),
		field: 'Camera Control',
		message: 'Camera zoom is 11; it must be between -10 and 10',
	},
	{
		name: 'unknown camera movement (from an expression)',
		parameters: textToVideo(
			{ model: 'kling-v1' },
			{ cameraControl: { settings: { type: '={{ "spin" }}' } } },
		),
		field: 'Camera Control',
		message: 'Camera movement "spin" is unknown',
	},
	{
		name: 'sound on kling-v1-6',
		parameters: textToVideo({ model: 'kling-v1-6' }, { sound: true }),
		field: 'Sound',
		message: 'Model kling-v1-6 cannot generate sound',
		description: 'Turn sound off or choose kling-v2-6 or kling-v3.',
	},
	{
		// The node documents this itself ("Only kling-v2-6 (Professional mode) and kling-v3").
		name: 'sound on kling-v2-6 in Standard mode (kling-v2-6 makes sound only in Professional mode)',
		parameters: textToVideo(
			{ model: 'kling-v2-6', mode: 'std', waitForCompletion: false },
			{ sound: true },
		),
		field: 'Sound',
		message: /^.*(pro|Professional).* \(item 0, field 'Sound'\)$/,
	},
	{
		// The node documents this itself: kling-v2-1 "Image to video only; end frame in Professional mode".
		name: 'end frame on kling-v2-1 in Standard mode (kling-v2-1 takes an end frame only in Professional mode)',
		parameters: imageToVideo({
			model: 'kling-v2-1',
			mode: 'std',
			imageTail: 'https://example.com/end.jpg',
			waitForCompletion: false,
		}),
		field: 'End Frame',
		message: /^.*(pro|Professional).* \(item 0, field 'End Frame'\)$/,
	},
	// Images given as text
	{
		name: 'missing image (empty from an expression)',
		parameters: imageToVideo({ image: '={{ "" }}' }),
		field: 'Image',
		message: 'Image is missing',
		description: 'Give an image URL, base64 data, or choose a binary property.',
	},
	{
		name: 'image text that is neither a URL nor base64',
		parameters: imageToVideo({ image: 'my holiday photo.jpg' }),
		field: 'Image',
		message: 'Image is neither an http(s) URL nor base64 image data',
		description: 'Give a public image URL (https://…) or the image encoded as base64.',
	},
	{
		name: 'GIF bytes given as base64',
		parameters: imageToVideo({ image: GIF.toString('base64') }),
		field: 'Image',
		message: 'Image is not a JPG or PNG image',
		description: 'Kling accepts only .jpg/.jpeg and .png images.',
	},
	{
		name: 'PNG of 200x200 given as a base64 data: URL',
		parameters: imageToVideo({
			image: `data:image/png;base64,${makePng(200, 200).toString('base64')}`,
		}),
		field: 'Image',
		message: 'Image is 200x200 px; each side must be at least 300 px',
	},
	{
		name: 'end frame that is neither a URL nor base64',
		parameters: imageToVideo({ model: 'kling-v2-1', mode: 'pro', imageTail: 'last frame.png' }),
		field: 'End Frame',
		message: 'End Frame is neither an http(s) URL nor base64 image data',
	},
	// Images from binary properties
	{
		name: 'binary property absent on the item',
		parameters: fromBinary({ imageBinaryProperty: 'photo' }),
		items: [binaryItem(makePng(640, 360), 'image/png', 'data')],
		field: 'Image',
		message: "The input item has no binary property 'photo'",
	},
	{
		name: 'binary property that is a PDF',
		parameters: fromBinary(),
		items: [binaryItem(PDF, 'application/pdf')],
		field: 'Image',
		message: "Binary property 'data' holds application/pdf, not a JPG or PNG image",
		description: 'Kling accepts only .jpg/.jpeg and .png images.',
	},
	{
		// n8n records the size of stored binary data; an oversized file is refused from that alone.
		name: 'binary image whose stored size is 20 MB',
		parameters: fromBinary(),
		items: [
			{
				json: {},
				binary: {
					data: {
						...binaryItem(makePng(400, 400), 'image/png').binary.data,
						bytes: 20 * 1024 * 1024,
					},
				},
			},
		],
		field: 'Image',
		message: 'Image is 20.00 MB (20971520 bytes); Kling accepts at most 10 MB',
	},
	{
		name: 'binary property labelled image/png that holds PDF bytes',
		parameters: fromBinary(),
		items: [binaryItem(PDF, 'image/png')],
		field: 'Image',
		message: 'Image is not a JPG or PNG image',
	},
	{
		name: 'PNG of 200x200 (too small)',
		parameters: fromBinary(),
		items: [binaryItem(makePng(200, 200), 'image/png')],
		field: 'Image',
		message: 'Image is 200x200 px; each side must be at least 300 px',
		description: 'Use a larger image.',
	},
	{
		name: 'PNG of 1000x300 (aspect ratio over 2.5:1)',
		parameters: fromBinary(),
		items: [binaryItem(makePng(1000, 300), 'image/png')],
		field: 'Image',
		message: 'Image is 1000x300 px; its aspect ratio must be between 1:2.5 and 2.5:1',
		description: 'Crop the image to a less extreme shape.',
	},
	{
		name: 'JPEG of 300x800 (aspect ratio under 1:2.5)',
		parameters: fromBinary(),
		items: [binaryItem(makeJpeg(300, 800), 'image/jpeg')],
		field: 'Image',
		message: 'Image is 300x800 px; its aspect ratio must be between 1:2.5 and 2.5:1',
	},
	{
		name: 'image over 10 MB',
		parameters: fromBinary(),
		items: [binaryItem(makeJpeg(1000, 1000, 10 * 1024 * 1024 + 10), 'image/jpeg')],
		field: 'Image',
		message: 'Image is 10.00 MB (10485770 bytes); Kling accepts at most 10 MB',
		description: 'Compress or resize the image before sending it to Kling.',
	},
	{
		name: 'end frame binary property absent on the item',
		parameters: fromBinary({ model: 'kling-v2-1', mode: 'pro', imageTailBinaryProperty: 'last' }),
		items: [binaryItem(makePng(640, 360), 'image/png')],
		field: 'End Frame',
		message: "The input item has no binary property 'last'",
	},
	// Multi-image
	{
		name: 'no multi-image reference at all',
		parameters: multiImage([]),
		field: 'Images',
		message: 'No reference images given',
	},
	{
		name: 'second multi-image reference too small (binary)',
		parameters: multiImage([urlImage(1), { source: 'binary', binaryProperty: 'data' }]),
		items: [binaryItem(makePng(200, 400), 'image/png')],
		field: 'Images #2',
		message: 'Images #2 is 200x400 px; each side must be at least 300 px',
	},
	// Options
	{
		name: 'non-https callback URL',
		parameters: textToVideo({}, { callbackUrl: 'http://example.com/hook' }),
		field: 'Callback URL',
		message: 'Callback URL "http://example.com/hook" is not an https:// URL',
		description:
			'Kling only calls back to https addresses, e.g. the production URL of an n8n Webhook node.',
	},
	// Credential
	{
		name: "base URL 'ftp://x' in the credential",
		parameters: textToVideo(),
		credentials: () => ({ authType: 'apiKey', apiKey: 'k', baseUrl: 'ftp://x' }),
		field: 'Base URL',
		message: 'The Base URL "ftp://x" in the Kling credential is not a valid http(s) address',
		description:
			'Open the Kling credential and set Base URL to https://api-singapore.klingai.com (or your region or proxy).',
	},
	{
		name: "base URL 'not a url' in the credential",
		parameters: textToVideo(),
		credentials: () => ({ authType: 'apiKey', apiKey: 'k', baseUrl: 'not a url' }),
		field: 'Base URL',
		message: 'The Base URL in the Kling credential is not a valid http(s) address',
	},
	{
		name: 'base URL with a query string',
		parameters: textToVideo(),
		credentials: (server) => ({
			authType: 'apiKey',
			apiKey: 'k',
			baseUrl: `${server.url}/?region=sg`,
		}),
		field: 'Base URL',
		// Only scheme and host are shown: a gateway URL may carry a key in its query.
		message:
			/^The Base URL "http:\/\/127\.0\.0\.1:\d+" in the Kling credential has a query \(\?…\) or fragment \(#…\) part \(item 0, field 'Base URL'\)$/,
	},
	// Get Task
	{
		name: 'whitespace-only task id for Get Task',
		parameters: getTask({ taskId: '   ' }),
		field: 'Task ID',
		message: 'Task ID is empty',
		description: 'Give the task_id returned by a create operation.',
	},
	{
		name: 'empty task id for Get Task (from an expression)',
		parameters: getTask({ taskId: '={{ $json.id }}' }),
		items: [{ json: { id: '' } }],
		field: 'Task ID',
		message: 'Task ID is empty',
	},
	{
		name: 'bad base URL for Get Task',
		parameters: getTask({ taskId: '860000000000000001' }),
		credentials: () => ({ authType: 'apiKey', apiKey: 'k', baseUrl: 'ftp://x' }),
		field: 'Base URL',
		message: 'The Base URL "ftp://x" in the Kling credential is not a valid http(s) address',
	},
];

function expectedMessage(row, itemIndex) {
	return typeof row.message === 'string'
		? `${row.message} (item ${itemIndex}, field '${row.field}')`
		: undefined;
}

function expectInputError(error, row, itemIndex) {
	expect(error).toBeDefined();
	const exact = expectedMessage(row, itemIndex);
	if (exact) expect(error.message).toBe(exact);
	else expect(error.message).toMatch(row.message);
	expect(error.message).toContain(`(item ${itemIndex}, field '${row.field}')`);
	expect(typeof error.description).toBe('string');
	expect(error.description.endsWith(NOTHING_SENT)).toBe(true);
	if (row.description) expect(error.description).toBe(`${row.description} ${NOTHING_SENT}`);
	expect(error.context.itemIndex).toBe(itemIndex);
}

function expectNothingSent() {
	expect(submits()).toHaveLength(0);
	expect(fake.stats().submissions).toBe(0);
	expect(fake.log).toEqual([]); // every check happens before the first request
}

describe('bad input fails before any request is sent', () => {
	it('has at least 24 rows', () => {
		expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(24);
	});

	it.each(BAD_INPUTS)('$name', async (row) => {
		const credentials = row.credentials ? row.credentials(fake) : apiKeyCredentials(fake);
		const items = row.items ?? [{ json: {} }];

		// Stop on error (the default): the run fails.
		const stopped = await runKling({ parameters: row.parameters, items, credentials });
		expect(stopped.status).toBe('error');
		expectInputError(stopped.error, row, 0);
		// n8n's RoutingNode re-wraps any non-API error from a preSend hook as NodeApiError
		// (tags.reWrapped, httpCode 'none'); the text the user sees is the node's own.
		if (stopped.error.name !== 'NodeOperationError') {
			expect(stopped.error).toMatchObject({
				name: 'NodeApiError',
				httpCode: 'none',
				tags: { reWrapped: true },
			});
		}
		expectNothingSent();

		// Continue On Fail shows the node's own error object: a NodeOperationError.
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

	it('an empty required field or a fifth image typed into the node is refused by n8n itself, before the node runs', async () => {
		await expect(
			runKling({ parameters: textToVideo({ prompt: '' }), credentials: apiKeyCredentials(fake) }),
		).rejects.toThrow(/Parameter "Prompt" is required/);
		await expect(
			runKling({ parameters: imageToVideo({ image: '' }), credentials: apiKeyCredentials(fake) }),
		).rejects.toThrow(/Parameter "Image" is required/);
		await expect(
			runKling({ parameters: getTask({ taskId: '' }), credentials: apiKeyCredentials(fake) }),
		).rejects.toThrow(/Parameter "Task ID" is required/);
		// Images is a fixedCollection with maxAllowedFields 4: n8n refuses a fifth entry, and it
		// cannot be an expression (n8n replaces an expression there with {}).
		await expect(
			runKling({
				parameters: multiImage([1, 2, 3, 4, 5].map(urlImage)),
				credentials: apiKeyCredentials(fake),
			}),
		).rejects.toThrow(/At most 4 fields are allowed/);
		expect(fake.log).toEqual([]);
	});
});

describe('5 multi-image references', () => {
	// n8n never lets a fifth entry reach the node (see above), so the node's own check is called
	// directly, the way RoutingNode calls a preSend hook, to prove it stops before any request.
	const hooks = require(path.join(projectRoot, 'dist/nodes/Kling/shared/hooks.js'));

	it('the multi-image preSend hook refuses 5 images without reading any of them', async () => {
		const read = [];
		const context = {
			getNode: () => ({
				id: 'kling-node-1',
				name: 'Kling',
				type: 'n8n-nodes-kling.kling',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			}),
			getItemIndex: () => 3,
			getNodeParameter: (name, fallback) =>
				name === 'images' ? { image: [1, 2, 3, 4, 5].map(urlImage) } : fallback,
			getInputData: () => ({ json: {} }),
			helpers: {
				getBinaryDataBuffer: async (property) => {
					read.push(property);
					return makePng(640, 360);
				},
				httpRequest: async () => {
					throw new Error('no request may be sent');
				},
			},
		};
		const error = await hooks.prepareMultiImageToVideo
			.call(context, { body: {} })
			.catch((caught) => caught);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(
			"5 reference images given; Kling accepts at most 4 (item 3, field 'Images')",
		);
		expect(error.description).toBe(`Remove images until at most 4 remain. ${NOTHING_SENT}`);
		expect(error.context.itemIndex).toBe(3);
		expect(read).toEqual([]);
	});
});

describe('the limits themselves are accepted (one paid task each)', () => {
	const GOOD_INPUTS = [
		{
			name: 'prompt of exactly 2,500 characters',
			parameters: textToVideo({ prompt: 'a'.repeat(2500), waitForCompletion: false }),
		},
		{
			name: 'negative prompt of exactly 2,500 characters',
			parameters: textToVideo({ negativePrompt: 'n'.repeat(2500), waitForCompletion: false }),
		},
		{
			name: '2,500 emoji (5,000 UTF-16 code units) count as 2,500 characters',
			parameters: textToVideo({ prompt: '🦊'.repeat(2500), waitForCompletion: false }),
		},
		{
			name: "duration '15' on kling-v3",
			parameters: textToVideo({
				model: 'kling-v3',
				duration: '={{ "15" }}',
				waitForCompletion: false,
			}),
		},
		{
			name: "duration '3' on kling-v3",
			parameters: textToVideo({
				model: 'kling-v3',
				duration: '={{ "3" }}',
				waitForCompletion: false,
			}),
		},
		{
			name: 'CFG scale 0.5 (the default) on kling-v2-6 is accepted and left out',
			parameters: textToVideo({ model: 'kling-v2-6', cfgScale: 0.5, waitForCompletion: false }),
			check: (body) => expect(body).not.toHaveProperty('cfg_scale'),
		},
		{
			// The editor shows CFG Scale only for the kling-v1 family; a value saved for another
			// model is not sent (and not an error: the model ignores it anyway).
			name: 'CFG scale 0.8 on kling-v2-6 (the field is hidden for it) is left out',
			parameters: textToVideo({ model: 'kling-v2-6', cfgScale: 0.8, waitForCompletion: false }),
			check: (body) => expect(body).not.toHaveProperty('cfg_scale'),
		},
		{
			name: 'CFG scale 1 on kling-v1-6 is sent',
			parameters: textToVideo({ model: 'kling-v1-6', cfgScale: 1, waitForCompletion: false }),
			check: (body) => expect(body.cfg_scale).toBe(1),
		},
		{
			name: 'camera axis -10 on kling-v1',
			parameters: textToVideo(
				{ model: 'kling-v1', waitForCompletion: false },
				{ cameraControl: { settings: { type: 'simple', roll: -10 } } },
			),
			check: (body) =>
				expect(body.camera_control).toEqual({
					type: 'simple',
					config: { horizontal: 0, vertical: 0, pan: 0, tilt: 0, roll: -10, zoom: 0 },
				}),
		},
		{
			name: 'PNG of exactly 300x300',
			parameters: fromBinary({ waitForCompletion: false }),
			items: [binaryItem(makePng(300, 300), 'image/png')],
		},
		{
			name: 'PNG of exactly 750x300 (2.5:1)',
			parameters: fromBinary({ waitForCompletion: false }),
			items: [binaryItem(makePng(750, 300), 'image/png')],
		},
		{
			name: 'JPEG of exactly 10 MB',
			parameters: fromBinary({ waitForCompletion: false }),
			items: [binaryItem(makeJpeg(1000, 1000, 10 * 1024 * 1024), 'image/jpeg')],
		},
		{
			name: '4 multi-image references',
			parameters: multiImage([1, 2, 3, 4].map(urlImage), { waitForCompletion: false }),
			check: (body) => expect(body.image_list).toHaveLength(4),
		},
		{
			name: 'https callback URL',
			parameters: textToVideo(
				{ waitForCompletion: false },
				{ callbackUrl: 'https://n8n.example.com/webhook/kling' },
			),
			check: (body) => expect(body.callback_url).toBe('https://n8n.example.com/webhook/kling'),
		},
		{
			name: 'sound on kling-v3',
			parameters: textToVideo(
				{ model: 'kling-v3', mode: 'pro', waitForCompletion: false },
				{ sound: true },
			),
			check: (body) => expect(body.sound).toBe('on'),
		},
	];

	it.each(GOOD_INPUTS)('$name', async (row) => {
		const result = await runKling({
			parameters: row.parameters,
			items: row.items ?? [{ json: {} }],
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(fake.stats().submissions).toBe(1);
		expect(submits()).toHaveLength(1);
		row.check?.(submits()[0].body);
	});
});

describe('several items', () => {
	const parameters = textToVideo({ prompt: '={{ $json.prompt }}', waitForCompletion: false });
	const items = [
		{ json: { prompt: 'A calm lake at dawn' } },
		{ json: { prompt: '   ' } },
		{ json: { prompt: 'A busy street at night' } },
	];

	it('Continue On Fail: only the bad item 1 fails, paired to input 1; items 0 and 2 are paid once each', async () => {
		const result = await runKling({
			parameters,
			items,
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
		expect(result.items[0].error).toBeUndefined();
		expect(result.items[2].error).toBeUndefined();
		expect(result.items[0].json.task_id).toMatch(/^\d+$/);
		expect(result.items[2].json.task_id).toMatch(/^\d+$/);

		const { error } = result.items[1];
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe("Prompt is empty (item 1, field 'Prompt')");
		expect(error.description.endsWith(NOTHING_SENT)).toBe(true);
		expect(error.context.itemIndex).toBe(1);

		expect(fake.stats().submissions).toBe(2);
		expect(
			submits()
				.map((entry) => entry.body.prompt)
				.sort(),
		).toEqual(['A busy street at night', 'A calm lake at dawn']);
	});

	it('stop on error: the run fails on item 1; after fixing it a re-run pays only for item 1', async () => {
		const failed = await runKling({ parameters, items, credentials: apiKeyCredentials(fake) });
		expect(failed.status).toBe('error');
		expect(failed.error.message).toBe("Prompt is empty (item 1, field 'Prompt')");
		expect(failed.error.context.itemIndex).toBe(1);
		// RoutingNode sends all items concurrently and settles them all before failing, so the good
		// items 0 and 2 were created (and paid) although the run shows only item 1's error…
		expect(fake.stats().submissions).toBe(2);
		expect(
			submits()
				.map((entry) => entry.body.prompt)
				.sort(),
		).toEqual(['A busy street at night', 'A calm lake at dawn']);

		// …and a re-run with item 1 fixed finds them by their external_task_id instead of paying again.
		const fixed = [items[0], { json: { prompt: 'A quiet forest' } }, items[2]];
		const rerun = await runKling({
			parameters,
			items: fixed,
			credentials: apiKeyCredentials(fake),
		});
		expect(rerun.error).toBeUndefined();
		expect(rerun.items).toHaveLength(3);
		expect(fake.stats().submissions).toBe(3);
	});
});
