// "No paid call on bad input" for the Image and Account resources: every input Kling would
// reject (or that cannot be meant) fails before the node sends anything, with a message naming
// the item and the field. Each row runs the packaged node through n8n's engine against the
// fake Kling server and checks that the server saw no request at all.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { runKling } from '../dev/engine.mjs';
import { makeJpeg, makePng } from '../dev/images.mjs';
import { apiKeyCredentials, startFake, useFastRetries } from '../dev/kling.mjs';

let fake;
beforeAll(async () => {
	useFastRetries();
	fake = await startFake();
});
afterAll(async () => await fake.close());
beforeEach(() => fake.reset());

const NOTHING_SENT = 'Nothing was sent to Kling.';

const image = (operation, parameters = {}, options = {}) => ({
	resource: 'image',
	operation,
	...parameters,
	options: { pollInterval: 1, ...options },
});
const generate = (parameters = {}, options = {}) =>
	image('generate', { prompt: 'A ceramic teapot', ...parameters }, options);
const withReference = (parameters = {}) =>
	generate({ referenceImage: 'url', image: 'https://example.com/ref.png', ...parameters });
const fromBinary = (parameters = {}) =>
	generate({ referenceImage: 'binary', imageBinaryProperty: 'data', ...parameters });
const omni = (parameters = {}) =>
	image('omniImage', { prompt: 'A chair in a room', ...parameters });
const subjects = (...urls) => ({ image: urls.map((url) => ({ source: 'url', url })) });
const multi = (parameters = {}) =>
	image('multiImageToImage', {
		subjectImages: subjects('https://example.com/cat.png'),
		...parameters,
	});
const expand = (parameters = {}) =>
	image('expand', {
		image: 'https://example.com/photo.png',
		expandUp: 0.2,
		expandDown: 0.2,
		expandLeft: 0.2,
		expandRight: 0.2,
		...parameters,
	});
const tryOn = (parameters = {}) =>
	image('virtualTryOn', {
		humanImage: 'https://example.com/person.jpg',
		clothImage: 'https://example.com/shirt.png',
		...parameters,
	});
const account = (operation, parameters = {}) => ({ resource: 'account', operation, ...parameters });

function binaryItem(data, mimeType, property = 'data') {
	return {
		json: {},
		binary: { [property]: { data: data.toString('base64'), mimeType, fileName: 'upload' } },
	};
}

const GIF = Buffer.concat([
	Buffer.from('GIF89a', 'ascii'),
	Buffer.from([0x90, 0x01, 0x90, 0x01, 0x00, 0x00, 0x00, 0x3b]),
]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');

/**
 * One bad input per row: `message` is the exact text before " (item N, field 'F')";
 * `description` the exact text before "Nothing was sent to Kling." when given.
 */
const BAD_INPUTS = [
	// Generate
	{
		name: 'generate: empty prompt',
		parameters: generate({ prompt: '={{ "" }}' }),
		field: 'Prompt',
		message: 'Prompt is empty',
		description: 'Write a prompt describing the image.',
	},
	{
		name: 'generate: prompt of 2,501 characters',
		parameters: generate({ prompt: 'a'.repeat(2501) }),
		field: 'Prompt',
		message: 'Prompt is 2501 characters long; Kling accepts at most 2500',
		description: 'Shorten the prompt.',
	},
	{
		name: 'generate: negative prompt of 2,501 characters',
		parameters: generate({ negativePrompt: 'n'.repeat(2501) }),
		field: 'Negative Prompt',
		message: 'Negative Prompt is 2501 characters long; Kling accepts at most 2500',
	},
	{
		name: 'generate: negative prompt with a reference image',
		parameters: withReference({ negativePrompt: 'blurry' }),
		field: 'Negative Prompt',
		message: 'Kling does not accept a negative prompt together with a reference image',
		description: 'Remove the negative prompt, or the reference image.',
	},
	{
		name: 'generate: 0 images',
		parameters: generate({ numberOfImages: '={{ 0 }}' }),
		field: 'Number of Images',
		message: 'Number of Images is 0; it must be a whole number between 1 and 9',
	},
	{
		name: 'generate: 10 images',
		parameters: generate({ numberOfImages: 10 }),
		field: 'Number of Images',
		message: 'Number of Images is 10; it must be a whole number between 1 and 9',
	},
	{
		name: 'generate: 2.5 images',
		parameters: generate({ numberOfImages: '={{ 2.5 }}' }),
		field: 'Number of Images',
		message: 'Number of Images is 2.5; it must be a whole number between 1 and 9',
	},
	{
		name: "generate: aspect ratio '5:4'",
		parameters: generate({ aspectRatio: '={{ "5:4" }}' }),
		field: 'Aspect Ratio',
		message: 'Aspect ratio "5:4" is unknown',
		description: 'Use 16:9, 9:16, 1:1, 4:3, 3:4, 3:2, 2:3, 21:9.',
	},
	{
		name: "generate: resolution '4k'",
		parameters: generate({ resolution: '={{ "4k" }}' }),
		field: 'Resolution',
		message: 'Resolution "4k" is not available',
		description: 'Use 1k, 2k.',
	},
	{
		name: 'generate: image fidelity 1.2',
		parameters: withReference({ model: 'kling-v2-1', imageFidelity: 1.2 }),
		field: 'Image Fidelity',
		message: 'Image Fidelity is 1.2; it must be between 0 and 1',
	},
	{
		name: 'generate: human fidelity -0.1',
		parameters: withReference({
			model: 'kling-v2-1',
			imageReference: 'subject',
			humanFidelity: -0.1,
		}),
		field: 'Human Fidelity',
		message: 'Human Fidelity is -0.1; it must be between 0 and 1',
	},
	{
		name: 'generate: face reference on kling-v3',
		parameters: withReference({ model: 'kling-v3', imageReference: 'face' }),
		field: 'Reference Type',
		message: 'Model kling-v3 does not take a subject or face reference',
	},
	{
		name: 'generate: reference image URL empty',
		parameters: generate({ referenceImage: '={{ "url" }}', image: '={{ "" }}' }),
		field: 'Reference Image',
		message: 'Reference Image is missing',
	},
	{
		name: 'generate: missing binary property',
		parameters: fromBinary({ imageBinaryProperty: 'photo' }),
		field: 'Reference Image',
		message: "The input item has no binary property 'photo'",
	},
	{
		name: 'generate: GIF reference',
		parameters: fromBinary(),
		items: [binaryItem(GIF, 'image/gif')],
		field: 'Reference Image',
		message: 'Reference Image is not a JPG or PNG image',
		description: 'Kling accepts only .jpg/.jpeg and .png images.',
	},
	{
		name: 'generate: 200x200 reference',
		parameters: fromBinary(),
		items: [binaryItem(makePng(200, 200), 'image/png')],
		field: 'Reference Image',
		message: 'Reference Image is 200x200 px; each side must be at least 300 px',
	},
	{
		name: 'generate: 1000x300 reference (proportions)',
		parameters: fromBinary(),
		items: [binaryItem(makePng(1000, 300), 'image/png')],
		field: 'Reference Image',
		message: 'Reference Image is 1000x300 px; its aspect ratio must be between 1:2.5 and 2.5:1',
	},
	{
		name: 'generate: JPEG reference over 10 MB',
		parameters: fromBinary(),
		items: [binaryItem(makeJpeg(1000, 1000, 10 * 1024 * 1024 + 1), 'image/jpeg')],
		field: 'Reference Image',
		message: 'Reference Image is 10.00 MB (10485761 bytes); Kling accepts at most 10 MB',
	},
	{
		name: 'generate: reference that is words, not a URL',
		parameters: withReference({ image: 'a photo of me' }),
		field: 'Reference Image',
		message: 'Reference Image is neither an http(s) URL nor base64 image data',
	},
	{
		name: 'generate: an omni model',
		parameters: generate({ model: '={{ "kling-image-o1" }}' }),
		field: 'Model',
		message: 'Model kling-image-o1 cannot do image generation',
		description: 'Choose one of: kling-v3, kling-v2-1.',
	},
	{
		name: 'generate: empty model',
		parameters: generate({ model: '={{ "" }}' }),
		field: 'Model',
		message: 'Model is empty',
	},
	{
		name: 'generate: http callback URL',
		parameters: generate({}, { callbackUrl: 'http://n8n.example.com/webhook' }),
		field: 'Callback URL',
		message: 'Callback URL "http://n8n.example.com/webhook" is not an https:// URL',
	},
	// Omni image
	{
		name: 'omni: empty prompt',
		parameters: omni({ prompt: '={{ "" }}' }),
		field: 'Prompt',
		message: 'Prompt is empty',
	},
	{
		name: 'omni: 4k on kling-image-o1',
		parameters: omni({ resolution: '4k' }),
		field: 'Resolution',
		message: 'Model kling-image-o1 cannot make 4k images',
		description: 'Choose kling-v3-omni for 4k, or a lower resolution.',
	},
	{
		name: 'omni: series of 12',
		parameters: omni({ resultType: 'series', seriesAmount: '={{ "12" }}' }),
		field: 'Series Amount',
		message: 'Series Amount is 12; it must be a whole number between 2 and 9',
	},
	{
		name: 'omni: bad second image',
		parameters: omni({ images: subjects('https://example.com/a.png', 'not an image') }),
		field: 'Images #2',
		message: 'Images #2 is neither an http(s) URL nor base64 image data',
	},
	// Multi-image to image
	{
		name: 'multi-image: no subject images',
		parameters: multi({ subjectImages: {} }),
		field: 'Subject Images',
		message: 'No subject images given',
		description: 'Add between 1 and 4 subject images.',
	},
	{
		name: 'multi-image: kling-v3',
		parameters: multi({ model: '={{ "kling-v3" }}' }),
		field: 'Model',
		message: 'Model kling-v3 cannot do multi-image to image',
		description: 'Choose one of: kling-v2-1.',
	},
	{
		name: 'multi-image: missing binary of subject #2',
		parameters: multi({
			subjectImages: {
				image: [
					{ source: 'url', url: 'https://example.com/a.png' },
					{ source: 'binary', binaryProperty: 'second' },
				],
			},
		}),
		field: 'Subject Images #2',
		message: "The input item has no binary property 'second'",
	},
	{
		name: 'multi-image: style image that is a PDF',
		parameters: multi({ imageSource: 'binary', styleImageBinaryProperty: 'style' }),
		items: [binaryItem(PDF, 'application/pdf', 'style')],
		field: 'Style Image',
		message: 'Style Image is not a JPG or PNG image',
	},
	// Expand
	{
		name: 'expand: left ratio 2.5',
		parameters: expand({ expandLeft: '={{ 2.5 }}' }),
		field: 'Expand Left',
		message: 'Expand Left is 2.5; it must be between 0 and 2',
	},
	{
		name: 'expand: more than 3x the area added',
		parameters: expand({ expandUp: 1, expandDown: 1, expandLeft: 1, expandRight: 0 }),
		field: 'Expand Up',
		message: 'The expansion adds 5x the original area; Kling allows at most 3x',
	},
	{
		name: 'expand: no image',
		parameters: expand({ image: '={{ "" }}' }),
		field: 'Image',
		message: 'Image is missing',
	},
	// Virtual try-on
	{
		name: 'try-on: missing garment binary',
		parameters: tryOn({ imageSource: 'binary' }),
		items: [binaryItem(makePng(400, 600), 'image/png')],
		field: 'Garment Image',
		message: "The input item has no binary property 'garment'",
	},
	{
		name: 'try-on: person image that is a PDF',
		parameters: tryOn({ imageSource: 'binary' }),
		items: [binaryItem(PDF, 'application/pdf')],
		field: 'Person Image',
		message: 'Person Image is not a JPG or PNG image',
	},
	{
		name: 'try-on: an image generation model',
		parameters: tryOn({ model: '={{ "kling-v3" }}' }),
		field: 'Model',
		message: 'Model kling-v3 cannot do virtual try-on',
	},
	// Get task, credential
	{
		name: 'image get task: empty task ID',
		parameters: image('getTask', { taskId: ' ' }),
		field: 'Task ID',
		message: 'Task ID is empty',
	},
	{
		name: 'image: bad base URL',
		parameters: generate(),
		credentials: () => ({ authType: 'apiKey', apiKey: 'k', baseUrl: 'ftp://x' }),
		field: 'Base URL',
		message: 'The Base URL "ftp://x" in the Kling credential is not a valid http(s) address',
	},
	// Account
	{
		name: 'packs: start after end',
		parameters: account('getResourcePacks', {
			options: { startTime: '2026-06-01T00:00:00Z', endTime: '2026-05-01T00:00:00Z' },
		}),
		field: 'Start Time',
		message: 'Start Time is not before End Time',
	},
	{
		name: 'packs: end time that is not a date',
		parameters: account('getResourcePacks', { options: { endTime: '={{ "next tuesday" }}' } }),
		field: 'End Time',
		message: 'End Time "next tuesday" is not a date',
	},
	{
		name: 'packs: bad base URL',
		parameters: account('getResourcePacks'),
		credentials: () => ({ authType: 'apiKey', apiKey: 'k', baseUrl: 'not a url' }),
		field: 'Base URL',
		message: 'The Base URL in the Kling credential is not a valid http(s) address',
	},
	{
		name: 'costs: limit 0',
		parameters: account('getTaskCosts', { limit: '={{ 0 }}' }),
		field: 'Limit',
		message: 'Limit is 0; it must be a whole number of at least 1',
	},
	{
		name: 'costs: package name and ID together',
		parameters: account('getTaskCosts', {
			filters: { packageName: 'Video Pack', packageId: 'pk-1' },
		}),
		field: 'Package Name',
		message: 'Package Name and Package ID cannot be used together',
	},
	{
		name: 'costs: cash balance filtered by product type',
		parameters: account('getTaskCosts', {
			billingType: 'balance',
			filters: { productType: 'video' },
		}),
		field: 'Filters',
		message: 'Cash balance deductions can only be filtered by Key Name',
	},
	{
		name: 'costs: task of an item without a task_id',
		parameters: account('getTaskCosts', { costSource: 'inputTasks' }),
		field: 'Task ID',
		message: 'Task ID is empty',
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

describe('bad image and account input fails before any request is sent', () => {
	it('has at least 20 rows', () => {
		expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(20);
	});

	it.each(BAD_INPUTS)('$name', async (row) => {
		const credentials = row.credentials ? row.credentials(fake) : apiKeyCredentials(fake);
		const items = row.items ?? [{ json: {} }];

		const stopped = await runKling({ parameters: row.parameters, items, credentials });
		expect(stopped.status).toBe('error');
		expectInputError(stopped.error, row, 0);

		// Continue On Fail: the same error as an item paired to item 1 of two, and still nothing sent.
		const continued = await runKling({
			parameters: row.parameters,
			items: [items[0], items[0]],
			credentials,
			continueOnFail: true,
		});
		expect(continued.items).toHaveLength(2);
		expect(continued.items[1].pairedItem).toEqual({ item: 1 });
		expectInputError(continued.items[1].error ?? continued.items[1].json?.error, row, 1);
		expect(fake.log).toEqual([]);
		expect(fake.stats().submissions).toBe(0);
	});
});

describe('several items', () => {
	it('Continue On Fail: only the bad item fails; the good ones are created once each', async () => {
		const result = await runKling({
			parameters: generate({ prompt: '={{ $json.prompt }}', waitForCompletion: false }),
			items: [
				{ json: { prompt: 'A calm lake' } },
				{ json: { prompt: '' } },
				{ json: { prompt: 'A busy street' } },
			],
			credentials: apiKeyCredentials(fake),
			continueOnFail: true,
		});
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(result.items[1].error.message).toBe("Prompt is empty (item 1, field 'Prompt')");
		expect(result.items[0].json.task_id).toMatch(/^\d+$/);
		expect(result.items[2].json.task_id).toMatch(/^\d+$/);
		expect(fake.stats().submissions).toBe(2);
	});
});
