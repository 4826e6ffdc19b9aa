// Image task kinds of the fake Kling server (kling-api-more.md §9): the five /v1/images routes
// with the legacy task shape, a check of each documented body rule, and real image bytes
// (PNG, JPEG, or WebP when the prompt contains "[webp]") served at the task's media URLs;
// "[empty-first]" in the prompt makes the first download of each image an empty answer.
import { makeJpeg, makePng } from '../../images.mjs';

const RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '3:2', '2:3', '21:9'];
const MODELS = {
	'images/generations': ['kling-v3', 'kling-v2-1'],
	'images/omni-image': ['kling-image-o1', 'kling-v3-omni'],
	'images/multi-image2image': ['kling-v2-1'],
	'images/kolors-virtual-try-on': ['kolors-virtual-try-on-v1', 'kolors-virtual-try-on-v1-5'],
};

const isText = (value) => typeof value === 'string' && value.length > 0;
const bad = (message) => ({ code: 1201, message });

function countOf(body) {
	return body.n === undefined ? 1 : body.n;
}

function commonError(kind, body) {
	const models = MODELS[kind];
	if (models && body.model_name !== undefined && !models.includes(body.model_name)) {
		return bad(`model_name ${body.model_name} is not supported`);
	}
	if (
		body.prompt !== undefined &&
		(typeof body.prompt !== 'string' || [...body.prompt].length > 2500)
	) {
		return bad('prompt must be a string of at most 2500 characters');
	}
	if (body.n !== undefined && !(Number.isInteger(body.n) && body.n >= 1 && body.n <= 9)) {
		return bad('n must be between 1 and 9');
	}
	if (body.aspect_ratio !== undefined && ![...RATIOS, 'auto'].includes(body.aspect_ratio)) {
		return bad('aspect_ratio is invalid');
	}
	return undefined;
}

const ratio = (value) => typeof value === 'number' && value >= 0 && value <= 2;

const VALIDATE = {
	'images/generations': (body) => {
		if (!isText(body.prompt)) return bad('prompt is required');
		if (body.negative_prompt !== undefined && body.image !== undefined) {
			return bad('negative_prompt is not supported with image');
		}
		if (body.image_reference !== undefined && !['subject', 'face'].includes(body.image_reference)) {
			return bad('image_reference is invalid');
		}
		return undefined;
	},
	'images/omni-image': (body) => {
		if (!isText(body.prompt)) return bad('prompt is required');
		const list = body.image_list ?? [];
		if (!Array.isArray(list) || list.length > 10 || !list.every((item) => isText(item?.image))) {
			return bad('image_list must hold at most 10 items of {image}');
		}
		return undefined;
	},
	'images/multi-image2image': (body) => {
		const list = body.subject_image_list;
		if (
			!Array.isArray(list) ||
			list.length < 1 ||
			list.length > 4 ||
			!list.every((item) => isText(item?.subject_image))
		) {
			return bad('subject_image_list must hold 1 to 4 items of {subject_image}');
		}
		return undefined;
	},
	'images/editing/expand': (body) => {
		if (!isText(body.image)) return bad('image is required');
		const sides = ['up', 'down', 'left', 'right'].map((side) => body[`${side}_expansion_ratio`]);
		if (!sides.every(ratio)) return bad('expansion ratios must be between 0 and 2');
		const [up, down, left, right] = sides;
		if ((1 + left + right) * (1 + up + down) > 4 + 1e-9) return bad('expanded area too large');
		return undefined;
	},
	'images/kolors-virtual-try-on': (body) => {
		if (!isText(body.human_image)) return bad('human_image is required');
		if (!isText(body.cloth_image)) return bad('cloth_image is required');
		return undefined;
	},
};

/** Which file type each kind hands out. */
function extensionOf(task, index) {
	if (typeof task.body.prompt === 'string' && task.body.prompt.includes('[webp]')) return 'webp';
	if (task.kind === 'images/kolors-virtual-try-on') return 'jpg';
	if (task.kind === 'images/omni-image') return index % 2 === 0 ? 'jpg' : 'png';
	return 'png';
}

/** A minimal WebP file: RIFF header, WEBP tag and a VP8L chunk of filler. */
function makeWebp(size) {
	const body = Buffer.alloc(size, 0x2f);
	const riff = Buffer.alloc(20);
	riff.write('RIFF', 0, 'latin1');
	riff.writeUInt32LE(12 + size, 4);
	riff.write('WEBPVP8L', 8, 'latin1');
	riff.writeUInt32LE(size, 16);
	return Buffer.concat([riff, body]);
}

/**
 * The exact bytes of image `index` of a task: deterministic, different per task and per image,
 * at least 300 px a side (so Image to Video accepts them), so tests can compare byte for byte.
 */
export function imageBytesFor(taskId, index, extension) {
	const salt = Number(BigInt(taskId) % 97n);
	const width = 640 + index * 8 + salt;
	const height = 360 + salt;
	if (extension === 'jpg') return makeJpeg(width, height, 2048 + index * 16 + salt);
	if (extension === 'webp') return makeWebp(512 + index + salt);
	return makePng(width, height);
}

const MIME = { png: 'image/png', jpg: 'image/jpeg' };

function images(task, mediaUrl, amount) {
	return Array.from({ length: amount }, (_, index) => ({
		index,
		url: mediaUrl(index, extensionOf(task, index)),
	}));
}

function result(task, { mediaUrl }) {
	const { body, kind } = task;
	if (kind === 'images/kolors-virtual-try-on') return { images: images(task, mediaUrl, 1) };
	if (kind === 'images/omni-image' && body.result_type === 'series') {
		const amount =
			body.series_amount === 'auto' || body.series_amount === undefined ? 4 : body.series_amount;
		return { result_type: 'series', images: [], series_images: images(task, mediaUrl, amount) };
	}
	const list = images(task, mediaUrl, countOf(body));
	return kind === 'images/omni-image'
		? { result_type: 'single', images: list, series_images: [] }
		: { images: list };
}

const servedEmpty = new Set();

function media(task, index, extension) {
	const known = result(task, { mediaUrl: (i, ext) => `${i}.${ext}` });
	const list = known.images.length ? known.images : known.series_images;
	if (!list[index] || extensionOf(task, index) !== extension) return undefined;
	// "[empty-first]" in the prompt: the first download of each image is an empty 200 answer.
	const key = `${task.task_id}/${index}`;
	if (String(task.body.prompt ?? '').includes('[empty-first]') && !servedEmpty.has(key)) {
		servedEmpty.add(key);
		return { bytes: Buffer.alloc(0), mimeType: MIME[extension] ?? 'application/octet-stream' };
	}
	// WebP is served without a helpful content type: the node must recognise it by its bytes.
	return {
		bytes: imageBytesFor(task.task_id, index, extension),
		mimeType: MIME[extension] ?? 'application/octet-stream',
	};
}

export function register(api) {
	for (const kind of Object.keys(VALIDATE)) {
		api.kind(kind, {
			validate: (body) => commonError(kind, body) ?? VALIDATE[kind](body),
			result,
			media,
		});
	}
}
