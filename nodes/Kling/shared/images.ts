import type {
	IBinaryData,
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { checkCallbackUrl, checkTextValue } from './checks';
import { inputError, taskFailedError } from './errors';
import {
	beginCreate,
	checkCredential,
	explainErrorsWith,
	optionsOf,
	presentTaskWith,
	type RunSettings,
	searchTaskKinds,
	settingsOf,
} from './hooks';
import { downloadMedia, locateTask, type PollWait, taskStateOf } from './tasks';
import type { ImageKind, KlingImage, KlingTask } from './types';
import { checkImageBytes, checkImageSize, normaliseImageText, type Problem } from './validation';

// Image resource (kling-api-more.md §9): inputs, validation, submission and the multi-image output.
// Built on the same task engine as the video operations (shared/tasks.ts): an idempotent create
// with an external_task_id, the in-flight cap with 1303 handling, and polling.

/** The task kind each image create operation makes. */
export const IMAGE_KIND_OF_OPERATION: Record<string, ImageKind> = {
	generate: 'generations',
	omniImage: 'omni-image',
	multiImageToImage: 'multi-image2image',
	expand: 'editing/expand',
	virtualTryOn: 'kolors-virtual-try-on',
};

/** The kinds Image → Get Task searches in Find Automatically mode, in this order. */
export const IMAGE_KINDS: ImageKind[] = [
	'generations',
	'omni-image',
	'multi-image2image',
	'editing/expand',
	'kolors-virtual-try-on',
];

/** Model IDs of the newest docs (2026-09) per kind; the first is the default. */
export const IMAGE_MODELS: Partial<Record<ImageKind, string[]>> = {
	generations: ['kling-v3', 'kling-v2-1'],
	'omni-image': ['kling-image-o1', 'kling-v3-omni'],
	'multi-image2image': ['kling-v2-1'],
	'kolors-virtual-try-on': ['kolors-virtual-try-on-v1', 'kolors-virtual-try-on-v1-5'],
};

/** Image generation models of older docs (2025 / 2026-02): still sent when given by expression. */
export const OLDER_GENERATION_MODELS = ['kling-v1', 'kling-v1-5', 'kling-v2', 'kling-v2-new'];

/** Models that take a reference type (image_reference) in image generation. */
const REFERENCE_MODELS = ['kling-v2-1', 'kling-v1-5'];

export const IMAGE_ASPECT_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '3:2', '2:3', '21:9'];
export const MAX_IMAGES_PER_TASK = 9;
export const MAX_OMNI_IMAGES = 10;
export const MAX_SUBJECT_IMAGES = 4;
export const MAX_EXPANSION_RATIO = 2;
/** Expansion may add at most three times the original area (kling-api-more.md §9.4). */
export const MAX_ADDED_AREA = 3;
export const DEFAULT_IMAGE_POLL_INTERVAL_S = 5;

const LABEL: Record<ImageKind, string> = {
	generations: 'image generation',
	'omni-image': 'omni image',
	'multi-image2image': 'multi-image to image',
	'editing/expand': 'image expansion',
	'kolors-virtual-try-on': 'virtual try-on',
};

// ---------------------------------------------------------------------------------------------
// Validation of a create body (pure: no request, no parameter access)

function checkNumber(
	value: unknown,
	field: string,
	min: number,
	max: number,
	integer = false,
): Problem | undefined {
	if (value === undefined) return undefined;
	const number = typeof value === 'number' ? value : Number.NaN;
	if (
		!Number.isFinite(number) ||
		number < min ||
		number > max ||
		(integer && !Number.isInteger(number))
	) {
		return {
			field,
			message: `${field} is ${String(value)}; it must be ${integer ? 'a whole number ' : ''}between ${min} and ${max}`,
		};
	}
	return undefined;
}

function checkModel(kind: ImageKind, model: unknown): Problem | undefined {
	if (model === undefined) return undefined;
	if (typeof model !== 'string' || model.trim() === '') {
		return { field: 'Model', message: 'Model is empty' };
	}
	const allowed = IMAGE_MODELS[kind] ?? [];
	// A known model of another image operation (or of video) is a mistake; an unknown ID is
	// passed through, because Kling adds models faster than this node is released.
	const knownElsewhere =
		Object.values(IMAGE_MODELS).some((list) => list?.includes(model)) ||
		(kind !== 'generations' && OLDER_GENERATION_MODELS.includes(model));
	if (!allowed.includes(model) && knownElsewhere) {
		return {
			field: 'Model',
			message: `Model ${model} cannot do ${LABEL[kind]}`,
			description: `Choose one of: ${allowed.join(', ')}.`,
		};
	}
	return undefined;
}

function checkAspectRatio(value: unknown, allowAuto: boolean): Problem | undefined {
	if (value === undefined) return undefined;
	const allowed = allowAuto ? [...IMAGE_ASPECT_RATIOS, 'auto'] : IMAGE_ASPECT_RATIOS;
	if (!allowed.includes(String(value))) {
		return {
			field: 'Aspect Ratio',
			message: `Aspect ratio "${String(value)}" is unknown`,
			description: `Use ${allowed.join(', ')}.`,
		};
	}
	return undefined;
}

function checkChoice(
	value: unknown,
	field: string,
	allowed: string[],
	extra = '',
): Problem | undefined {
	if (value === undefined || allowed.includes(String(value))) return undefined;
	return {
		field,
		message: `${field} "${String(value)}" is not available${extra}`,
		description: `Use ${allowed.join(', ')}.`,
	};
}

function checkGeneration(body: IDataObject): Problem | undefined {
	const model = String(body.model_name ?? '');
	if (body.negative_prompt !== undefined && body.image !== undefined) {
		return {
			field: 'Negative Prompt',
			message: 'Kling does not accept a negative prompt together with a reference image',
			description: 'Remove the negative prompt, or the reference image.',
		};
	}
	if (body.image_reference !== undefined) {
		if (body.image === undefined) {
			return {
				field: 'Reference Type',
				message: 'A reference type is set but no reference image is given',
				description: 'Give a reference image, or set Reference Image to None.',
			};
		}
		const problem = checkChoice(body.image_reference, 'Reference Type', ['subject', 'face']);
		if (problem) return problem;
		const known = [...(IMAGE_MODELS.generations ?? []), ...OLDER_GENERATION_MODELS];
		if (known.includes(model) && !REFERENCE_MODELS.includes(model)) {
			return {
				field: 'Reference Type',
				message: `Model ${model} does not take a subject or face reference`,
				description:
					'Choose kling-v2-1 for subject and face references, or set Reference Type to None.',
			};
		}
	}
	if (body.human_fidelity !== undefined && body.image_reference !== 'subject') {
		return {
			field: 'Human Fidelity',
			message: 'Human Fidelity applies only to a subject reference',
			description: 'Set Reference Type to Subject, or leave Human Fidelity out.',
		};
	}
	return (
		checkNumber(body.image_fidelity, 'Image Fidelity', 0, 1) ??
		checkNumber(body.human_fidelity, 'Human Fidelity', 0, 1) ??
		checkChoice(body.resolution, 'Resolution', ['1k', '2k'])
	);
}

function checkOmni(body: IDataObject): Problem | undefined {
	const list = body.image_list;
	if (Array.isArray(list) && list.length > MAX_OMNI_IMAGES) {
		return {
			field: 'Images',
			message: `${list.length} images given; Kling accepts at most ${MAX_OMNI_IMAGES}`,
			description: `Remove images until at most ${MAX_OMNI_IMAGES} remain.`,
		};
	}
	const resolution = checkChoice(body.resolution, 'Resolution', ['1k', '2k', '4k']);
	if (resolution) return resolution;
	if (body.resolution === '4k' && body.model_name === 'kling-image-o1') {
		return {
			field: 'Resolution',
			message: 'Model kling-image-o1 cannot make 4k images',
			description: 'Choose kling-v3-omni for 4k, or a lower resolution.',
		};
	}
	const type = checkChoice(body.result_type, 'Result Type', ['single', 'series']);
	if (type) return type;
	if (body.series_amount !== undefined && body.series_amount !== 'auto') {
		return checkNumber(body.series_amount, 'Series Amount', 2, 9, true);
	}
	return undefined;
}

function checkSubjects(body: IDataObject): Problem | undefined {
	const list = body.subject_image_list;
	if (!Array.isArray(list) || list.length === 0) {
		return {
			field: 'Subject Images',
			message: 'No subject images given',
			description: `Add between 1 and ${MAX_SUBJECT_IMAGES} subject images.`,
		};
	}
	if (list.length > MAX_SUBJECT_IMAGES) {
		return {
			field: 'Subject Images',
			message: `${list.length} subject images given; Kling accepts at most ${MAX_SUBJECT_IMAGES}`,
			description: `Remove images until at most ${MAX_SUBJECT_IMAGES} remain.`,
		};
	}
	return undefined;
}

function checkExpansion(body: IDataObject): Problem | undefined {
	const sides: Array<[string, string]> = [
		['up_expansion_ratio', 'Expand Up'],
		['down_expansion_ratio', 'Expand Down'],
		['left_expansion_ratio', 'Expand Left'],
		['right_expansion_ratio', 'Expand Right'],
	];
	for (const [key, field] of sides) {
		if (body[key] === undefined) return { field, message: `${field} is missing` };
		const problem = checkNumber(body[key], field, 0, MAX_EXPANSION_RATIO);
		if (problem) return problem;
	}
	const width = 1 + Number(body.left_expansion_ratio) + Number(body.right_expansion_ratio);
	const height = 1 + Number(body.up_expansion_ratio) + Number(body.down_expansion_ratio);
	const added = width * height - 1;
	if (added > MAX_ADDED_AREA + 1e-9) {
		return {
			field: 'Expand Up',
			message: `The expansion adds ${+added.toFixed(2)}x the original area; Kling allows at most ${MAX_ADDED_AREA}x`,
			description:
				'Lower the expansion ratios: (1 + left + right) x (1 + up + down) may be at most 4.',
		};
	}
	return undefined;
}

/** Validates an image create body, then returns what to send (empty values left out). */
export function prepareImageBody(
	kind: ImageKind,
	input: IDataObject,
): { body: IDataObject } | { problem: Problem } {
	const body: IDataObject = {};
	for (const [key, value] of Object.entries(input)) {
		if (value !== undefined && value !== '' && value !== null) body[key] = value;
	}
	const promptRequired = kind === 'generations' || kind === 'omni-image';
	// The model is checked before empty values are dropped: an empty model is a mistake, not
	// a wish for Kling's default.
	const problem =
		checkModel(kind, input.model_name) ??
		(kind === 'kolors-virtual-try-on'
			? undefined
			: checkTextValue(body.prompt, 'Prompt', promptRequired, 'image')) ??
		checkTextValue(body.negative_prompt, 'Negative Prompt', false, 'image') ??
		checkNumber(body.n, 'Number of Images', 1, MAX_IMAGES_PER_TASK, true) ??
		checkAspectRatio(body.aspect_ratio, kind === 'omni-image') ??
		(kind === 'generations' ? checkGeneration(body) : undefined) ??
		(kind === 'omni-image' ? checkOmni(body) : undefined) ??
		(kind === 'multi-image2image' ? checkSubjects(body) : undefined) ??
		(kind === 'editing/expand' ? checkExpansion(body) : undefined) ??
		checkCallbackUrl(body.callback_url);
	if (problem) return { problem };
	if (kind === 'editing/expand' && body.image === undefined) {
		return { problem: { field: 'Image', message: 'Image is missing' } };
	}
	return { body };
}

// ---------------------------------------------------------------------------------------------
// Reading parameters and input images

type Value = IDataObject[string];

function parameter(ctx: IExecuteSingleFunctions, name: string, fallback?: Value): Value {
	return ctx.getNodeParameter(name, fallback as never) as Value;
}

function text(ctx: IExecuteSingleFunctions, name: string): Value {
	const value = parameter(ctx, name, '');
	// Anything but text (a number from an expression) is passed on for the validation to name.
	return value === '' ? undefined : value;
}

/** The image of a binary property of the input item, as bare base64 after Kling's checks. */
async function imageFromBinary(
	ctx: IExecuteSingleFunctions,
	property: unknown,
	field: string,
): Promise<string> {
	const name = String(property ?? '').trim();
	const binary = name ? ctx.getInputData().binary?.[name] : undefined;
	if (!binary) {
		throw inputError(ctx, {
			field,
			message: `The input item has no binary property '${name}'`,
			description:
				'Put the image into that binary property with a previous node (e.g. Read/Write Files from Disk, HTTP Request or Kling Image → Generate), or change the property name.',
		});
	}
	// The size is known from the metadata: a huge file is rejected without loading it.
	if (typeof binary.bytes === 'number') {
		const tooBig = checkImageSize(binary.bytes, field);
		if (tooBig) throw inputError(ctx, tooBig);
	}
	const data = await ctx.helpers.getBinaryDataBuffer(name);
	const problem = checkImageBytes(data, field);
	if (problem) throw inputError(ctx, problem);
	return data.toString('base64');
}

/** One image parameter: URL/base64 text, or a binary property of the input item. */
export async function readImageInput(
	ctx: IExecuteSingleFunctions,
	fromBinary: boolean,
	value: unknown,
	field: string,
): Promise<string> {
	if (fromBinary) return await imageFromBinary(ctx, value, field);
	const result = normaliseImageText(value, field);
	if ('problem' in result) throw inputError(ctx, result.problem);
	return result.image;
}

function fromBinary(ctx: IExecuteSingleFunctions): boolean {
	return parameter(ctx, 'imageSource', 'url') === 'binary';
}

/** An image parameter that has a text and a binary variant (`<name>` / `<name>BinaryProperty`). */
async function optionalImage(
	ctx: IExecuteSingleFunctions,
	name: string,
	field: string,
): Promise<string | undefined> {
	const binary = fromBinary(ctx);
	const value = parameter(ctx, binary ? `${name}BinaryProperty` : name, '');
	if (typeof value === 'string' && value.trim() === '') return undefined;
	return await readImageInput(ctx, binary, value, field);
}

async function requiredImage(
	ctx: IExecuteSingleFunctions,
	name: string,
	field: string,
): Promise<string> {
	const binary = fromBinary(ctx);
	const value = parameter(ctx, binary ? `${name}BinaryProperty` : name, binary ? 'data' : '');
	return await readImageInput(ctx, binary, value, field);
}

/** A list parameter (fixedCollection `<name>.image[]` of { source, url, binaryProperty }). */
async function imageList(
	ctx: IExecuteSingleFunctions,
	name: string,
	field: string,
	max: number,
): Promise<string[]> {
	const entries = ((parameter(ctx, name, {}) as IDataObject)?.image ?? []) as IDataObject[];
	if (entries.length > max) {
		// Checked before reading any image, so none is loaded or decoded needlessly.
		throw inputError(ctx, {
			field,
			message: `${entries.length} images given; Kling accepts at most ${max}`,
			description: `Remove images until at most ${max} remain.`,
		});
	}
	const images: string[] = [];
	for (const [index, entry] of entries.entries()) {
		const binary = entry.source === 'binary';
		images.push(
			await readImageInput(
				ctx,
				binary,
				binary ? entry.binaryProperty : entry.url,
				`${field} #${index + 1}`,
			),
		);
	}
	return images;
}

function count(ctx: IExecuteSingleFunctions): Value {
	return parameter(ctx, 'numberOfImages', 1);
}

/** Builds the create body of an image operation from its parameters (images read and checked). */
async function bodyOf(ctx: IExecuteSingleFunctions, kind: ImageKind): Promise<IDataObject> {
	switch (kind) {
		case 'generations': {
			const source = String(parameter(ctx, 'referenceImage', 'none'));
			const body: IDataObject = {
				model_name: parameter(ctx, 'model', ''),
				prompt: text(ctx, 'prompt'),
				negative_prompt: text(ctx, 'negativePrompt'),
				aspect_ratio: text(ctx, 'aspectRatio'),
				resolution: text(ctx, 'resolution'),
				n: count(ctx),
			};
			if (source !== 'none') {
				const binary = source === 'binary';
				body.image = await readImageInput(
					ctx,
					binary,
					parameter(ctx, binary ? 'imageBinaryProperty' : 'image', binary ? 'data' : ''),
					'Reference Image',
				);
				const reference = String(parameter(ctx, 'imageReference', 'none'));
				if (reference !== 'none') body.image_reference = reference;
				body.image_fidelity = parameter(ctx, 'imageFidelity', 0.5);
				if (reference === 'subject') body.human_fidelity = parameter(ctx, 'humanFidelity', 0.45);
			}
			return body;
		}
		case 'omni-image': {
			const resultType = String(parameter(ctx, 'resultType', 'single'));
			const images = await imageList(ctx, 'images', 'Images', MAX_OMNI_IMAGES);
			const series = parameter(ctx, 'seriesAmount', 'auto');
			return {
				model_name: parameter(ctx, 'model', ''),
				prompt: text(ctx, 'prompt'),
				image_list: images.length ? images.map((image) => ({ image })) : undefined,
				resolution: text(ctx, 'resolution'),
				result_type: resultType,
				n: resultType === 'series' ? undefined : count(ctx),
				series_amount:
					resultType === 'series'
						? series === 'auto'
							? 'auto'
							: /^\d+$/.test(String(series))
								? Number(series)
								: series
						: undefined,
				aspect_ratio: text(ctx, 'aspectRatio'),
			};
		}
		case 'multi-image2image': {
			const subjects = await imageList(ctx, 'subjectImages', 'Subject Images', MAX_SUBJECT_IMAGES);
			return {
				model_name: parameter(ctx, 'model', ''),
				subject_image_list: subjects.map((subject_image) => ({ subject_image })),
				scene_image: await optionalImage(ctx, 'sceneImage', 'Scene Image'),
				style_image: await optionalImage(ctx, 'styleImage', 'Style Image'),
				prompt: text(ctx, 'prompt'),
				n: count(ctx),
				aspect_ratio: text(ctx, 'aspectRatio'),
			};
		}
		case 'editing/expand':
			return {
				image: await requiredImage(ctx, 'image', 'Image'),
				up_expansion_ratio: parameter(ctx, 'expandUp', 0),
				down_expansion_ratio: parameter(ctx, 'expandDown', 0),
				left_expansion_ratio: parameter(ctx, 'expandLeft', 0),
				right_expansion_ratio: parameter(ctx, 'expandRight', 0),
				prompt: text(ctx, 'prompt'),
				n: count(ctx),
			};
		case 'kolors-virtual-try-on':
			return {
				model_name: parameter(ctx, 'model', ''),
				human_image: await requiredImage(ctx, 'humanImage', 'Person Image'),
				cloth_image: await requiredImage(ctx, 'clothImage', 'Garment Image'),
			};
	}
}

// ---------------------------------------------------------------------------------------------
// Settings of a run

interface ImageSettings extends RunSettings {
	onePerImage: boolean;
}

/** The video settings, with the image poll default, Download Images and the output mode. */
function imageSettingsOf(ctx: IExecuteSingleFunctions): ImageSettings {
	return {
		...settingsOf(ctx, {
			pollIntervalS: DEFAULT_IMAGE_POLL_INTERVAL_S,
			downloadOption: 'downloadImages',
		}),
		onePerImage: optionsOf(ctx).outputMode === 'oneItemPerImage',
	};
}

function imageKindOf(ctx: IExecuteSingleFunctions): ImageKind | undefined {
	return IMAGE_KIND_OF_OPERATION[String(ctx.getNodeParameter('operation', ''))];
}

function kindsToSearch(ctx: IExecuteSingleFunctions): ImageKind[] {
	const kind = imageKindOf(ctx);
	if (kind) return [kind];
	const chosen = String(ctx.getNodeParameter('taskKind', 'auto'));
	return chosen === 'auto' ? IMAGE_KINDS : [chosen as ImageKind];
}

const IMAGE_FAILED =
	'Kling could not generate this image. Change the prompt or images and run again.';

/** The task engine words a failed task for videos; say "image" on the image operations. */
function inImageWords(error: unknown): unknown {
	if (error instanceof NodeOperationError && /^Kling task \S+ failed: /.test(error.message)) {
		error.description = IMAGE_FAILED;
	}
	return error;
}

/** Codes with which Kling refuses a model it no longer (or never) offered on this route. */
const MODEL_REFUSAL_CODES = [1103, 1200, 1201, 1203];

function explainRefusedModel(error: unknown, kind: ImageKind, model: unknown): unknown {
	const current = IMAGE_MODELS[kind] ?? [];
	const code = Number(((error as NodeApiError)?.errorResponse as IDataObject)?.code);
	if (
		error instanceof NodeApiError &&
		typeof model === 'string' &&
		!current.includes(model) &&
		MODEL_REFUSAL_CODES.includes(code)
	) {
		error.description =
			`${error.description ?? ''} Model ${model} is not in Kling's current list for ${LABEL[kind]} (${current.join(', ')}); Kling may have retired it. Choose one of those models.`.trim();
	}
	return error;
}

// ---------------------------------------------------------------------------------------------
// preSend hooks

/**
 * preSend of every image create operation: reads and validates all inputs before anything is
 * sent, then hands the body to the task engine (shared/hooks.ts `beginCreate`): the declared
 * POST is sent once by `runTask` (derived external_task_id, retries, in-flight cap, 1303
 * queueing), and `outputTask` waits and hands the images to `presentImages`.
 */
export async function submitImageTask(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const kind = imageKindOf(this) as ImageKind;
	const options = optionsOf(this);
	await checkCredential(this);
	const prepared = prepareImageBody(kind, {
		...(await bodyOf(this, kind)),
		callback_url: options.callbackUrl ? String(options.callbackUrl).trim() : undefined,
	});
	if ('problem' in prepared) throw inputError(this, prepared.problem);
	const body = beginCreate(this, kind, prepared.body);
	presentTaskWith(this, presentImages);
	explainErrorsWith(this, (error) =>
		explainRefusedModel(inImageWords(error), kind, body.model_name),
	);
	return { ...requestOptions, body };
}

/** preSend of Image → Get Task (after the engine's prepareGetTask): image kinds, image output. */
export async function prepareGetImageTask(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	searchTaskKinds(this, kindsToSearch(this));
	presentTaskWith(this, presentImages);
	explainErrorsWith(this, inImageWords);
	return requestOptions;
}

// ---------------------------------------------------------------------------------------------
// Output: every generated image as binary data

const MIME_EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/webp': 'webp',
	'image/gif': 'gif',
};

/** The image type from its first bytes (PNG, JPEG, WebP, GIF); undefined when unknown. */
export function sniffImageType(head: Buffer | undefined): string | undefined {
	if (!head || head.length < 4) return undefined;
	if (head[0] === 0x89 && head.toString('latin1', 1, 4) === 'PNG') return 'image/png';
	if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
	if (
		head.length >= 12 &&
		head.toString('latin1', 0, 4) === 'RIFF' &&
		head.toString('latin1', 8, 12) === 'WEBP'
	) {
		return 'image/webp';
	}
	if (head.toString('latin1', 0, 4) === 'GIF8') return 'image/gif';
	return undefined;
}

/** Mime type and file extension: sniffed bytes first, then the content-type header. */
export function imageTypeOf(
	head: Buffer | undefined,
	contentType: unknown,
): { mimeType: string; extension: string } {
	const sniffed = sniffImageType(head);
	const declared = String(contentType ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
	const mimeType = sniffed ?? (declared || 'application/octet-stream');
	const extension =
		MIME_EXTENSIONS[mimeType] ?? /^image\/([a-z0-9]+)$/.exec(mimeType)?.[1] ?? 'bin';
	return { mimeType, extension };
}

interface StreamLike {
	read(): Buffer | null;
	unshift(chunk: Buffer): void;
	once(event: string, listener: (...args: unknown[]) => void): void;
	off(event: string, listener: (...args: unknown[]) => void): void;
	destroy?: () => void;
	readableEnded?: boolean;
}

/** The first chunk of a stream, put back so that the whole stream is still read afterwards. */
function peek(stream: StreamLike): Promise<Buffer | undefined> {
	return new Promise((resolve, reject) => {
		const done = () => {
			stream.off('readable', onReadable);
			stream.off('end', onEnd);
			stream.off('error', onError);
		};
		const onReadable = () => {
			done();
			const chunk = stream.read();
			if (chunk) stream.unshift(chunk);
			resolve(chunk ?? undefined);
		};
		const onEnd = () => {
			done();
			resolve(undefined);
		};
		const onError = (error: unknown) => {
			done();
			reject(error instanceof Error ? error : new Error(String(error)));
		};
		stream.once('readable', onReadable);
		stream.once('end', onEnd);
		stream.once('error', onError);
	});
}

export function imagesOf(task: KlingTask): KlingImage[] {
	const result = task.task_result ?? {};
	const images = Array.isArray(result.images) ? result.images : [];
	if (images.length) return images;
	return Array.isArray(result.series_images) ? result.series_images : [];
}

function imageDownloadError(
	ctx: IExecuteSingleFunctions,
	taskId: string,
	position: number,
	problem: string,
): NodeApiError {
	return new NodeApiError(ctx.getNode(), { task_id: taskId, message: problem } as JsonObject, {
		message: `Could not download image ${position} of Kling task ${taskId}: ${problem}`,
		description: `The image was generated and paid for. Run Image → Get Task with task ID ${taskId} to download it again (Kling keeps images for 30 days).`,
		itemIndex: ctx.getItemIndex(),
	});
}

/**
 * Streams one image into n8n's binary data (never buffered here), with the type read from its
 * first bytes. A broken or short transfer is retried; an expired URL (403/404) asks Kling for
 * the task again to get a fresh one, once. Image URLs are CDN addresses: no credential is sent.
 */
async function downloadImage(
	ctx: IExecuteSingleFunctions,
	task: KlingTask,
	position: number,
	refresh: () => Promise<KlingTask>,
	wait: PollWait,
): Promise<IBinaryData> {
	const image = imagesOf(task)[position];
	const number = typeof image?.index === 'number' ? image.index : position;
	return await downloadMedia(
		ctx,
		task,
		{
			urlOf: (current) => imagesOf(current)[position]?.url,
			store: async (response) => {
				const stream = response.body as unknown as StreamLike;
				const head = await peek(stream);
				const { mimeType, extension } = imageTypeOf(head, response.headers?.['content-type']);
				return await ctx.helpers.prepareBinaryData(
					response.body,
					`kling-${task.task_id}-${number}.${extension}`,
					mimeType,
				);
			},
			refuseEmpty: true,
			abortable: false,
			refusedError: (problem) => imageDownloadError(ctx, task.task_id, number, problem),
			failedError: (problem) =>
				imageDownloadError(
					ctx,
					task.task_id,
					number,
					problem || 'the finished task has no URL for this image',
				),
		},
		refresh,
		wait,
	);
}

/**
 * The output of every image operation: the task object as Kling returns it (with its
 * final_unit_deduction untouched) and, when waiting, every generated image as binary data —
 * `data` for one image, `image_0`, `image_1`, … for several, or one item per image.
 */
async function presentImages(
	ctx: IExecuteSingleFunctions,
	task: KlingTask,
	json: IDataObject,
	wait: PollWait,
): Promise<INodeExecutionData[]> {
	const pairedItem = { item: ctx.getItemIndex() };
	const settings = imageSettingsOf(ctx);
	if (!settings.wait) return [{ json, pairedItem }];
	const state = taskStateOf(task.task_status);
	if (state === 'failed') {
		throw inImageWords(taskFailedError(ctx, task.task_id, task.task_status_msg));
	}
	if (state !== 'succeeded' || !settings.download) return [{ json, pairedItem }];

	const images = imagesOf(task);
	if (images.length === 0) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Kling task ${task.task_id} finished without images`,
			{
				itemIndex: ctx.getItemIndex(),
				description:
					'Kling reported success but listed no image. Fetch the task later with Image → Get Task.',
			},
		);
	}
	const refresh = async () => (await locateTask(ctx, kindsToSearch(ctx), task.task_id, wait)).task;
	const binaries: IBinaryData[] = [];
	for (let position = 0; position < images.length; position++) {
		binaries.push(await downloadImage(ctx, task, position, refresh, wait));
	}
	if (settings.onePerImage) {
		return binaries.map((binary, position) => ({
			json: { ...json, image: images[position] },
			binary: { [settings.binaryProperty]: binary },
			pairedItem,
		}));
	}
	const binary =
		binaries.length === 1
			? { [settings.binaryProperty]: binaries[0] }
			: Object.fromEntries(binaries.map((data, position) => [`image_${position}`, data]));
	return [{ json, binary, pairedItem }];
}
