import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { inputError } from './errors';
import { checkBinaryImage, explainErrorsWith, readBinaryImage } from './hooks';
import { normaliseImageText } from './validation';
import { DUAL_IMAGE_SCENES } from './videoV3';

/**
 * preSend body builders of the Kling 3.0-era legacy operations (omni video, motion control,
 * video effects, extend video). They read the parameters, turn images into what Kling takes
 * and put the body into the request; `submitTask` (hooks.ts) then validates it
 * (videoV3.ts), creates the task once and waits for it, as for every create operation.
 */

function param<T = IDataObject[string]>(
	ctx: IExecuteSingleFunctions,
	name: string,
	fallback: unknown,
): T {
	return ctx.getNodeParameter(name, fallback) as T;
}

/** An image parameter: URL or base64 text, or a JPG/PNG binary property of the input item. */
export async function readImageParam(
	ctx: IExecuteSingleFunctions,
	fromBinary: boolean,
	textValue: unknown,
	binaryProperty: unknown,
	field: string,
): Promise<string> {
	if (!fromBinary) {
		const result = normaliseImageText(textValue, field);
		if ('problem' in result) throw inputError(ctx, result.problem);
		return result.image;
	}
	const name = checkBinaryImage(ctx, String(binaryProperty ?? ''), field);
	return await readBinaryImage(ctx, name, field);
}

/** Element IDs typed as a list ("123, 456"): kept as strings, since 18 digits exceed JS numbers. */
export function elementList(value: unknown): IDataObject[] {
	return String(value ?? '')
		.split(/[\s,;]+/)
		.map((id) => id.trim())
		.filter(Boolean)
		.map((id) => ({ element_id: id }));
}

/** The Shots parameter as Kling's multi_prompt: index from 1, duration as a string. */
export function multiPrompt(shots: unknown): IDataObject[] {
	const list = ((shots as IDataObject | undefined)?.shot ?? []) as IDataObject[];
	return list.map((shot, index) => ({
		index: index + 1,
		prompt: typeof shot.prompt === 'string' ? shot.prompt : String(shot.prompt ?? ''),
		duration: String(shot.duration ?? ''),
	}));
}

function multiShotBody(ctx: IExecuteSingleFunctions): IDataObject {
	if (param(ctx, 'multiShot', false) !== true) return {};
	const shotType = param(ctx, 'shotType', 'intelligence');
	return {
		multi_shot: true,
		shot_type: shotType,
		...(shotType === 'customize' ? { multi_prompt: multiPrompt(param(ctx, 'shots', {})) } : {}),
	};
}

function withBody(requestOptions: IHttpRequestOptions, body: IDataObject): IHttpRequestOptions {
	return { ...requestOptions, body: { ...((requestOptions.body ?? {}) as IDataObject), ...body } };
}

const MAX_OMNI_IMAGES = 7;

/** preSend of Omni Video. */
export async function prepareOmniVideo(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const entries = (param<IDataObject>(this, 'referenceImages', {}).image ?? []) as IDataObject[];
	if (entries.length > MAX_OMNI_IMAGES) {
		// Checked before any image is read or decoded.
		throw inputError(this, {
			field: 'Reference Images',
			message: `${entries.length} reference images given; omni video takes at most ${MAX_OMNI_IMAGES}`,
			description: 'Remove images until at most 7 remain (4 with a reference video).',
		});
	}
	const imageList: IDataObject[] = [];
	for (const [index, entry] of entries.entries()) {
		const image: IDataObject = {
			image_url: await readImageParam(
				this,
				entry.source === 'binary',
				entry.url,
				entry.binaryProperty,
				`Reference Images #${index + 1}`,
			),
		};
		if (entry.role === 'first_frame' || entry.role === 'end_frame') image.type = entry.role;
		imageList.push(image);
	}
	const video = param<IDataObject>(this, 'referenceVideo', {}).video as IDataObject | undefined;
	const body: IDataObject = {
		model_name: param(this, 'model', 'kling-v3-omni'),
		prompt: param(this, 'prompt', ''),
		mode: param(this, 'mode', 'std'),
		duration: param(this, 'duration', '5'),
		aspect_ratio: param(this, 'aspectRatio', '16:9'),
		...multiShotBody(this),
	};
	if (param(this, 'sound', false) === true) body.sound = 'on';
	if (imageList.length) body.image_list = imageList;
	const elements = elementList(param(this, 'elementIds', ''));
	if (elements.length) body.element_list = elements;
	if (video && (video.url !== undefined || video.referType !== undefined)) {
		body.video_list = [
			{
				video_url: String(video.url ?? '').trim(),
				refer_type: video.referType ?? 'feature',
				keep_original_sound: video.keepOriginalSound === false ? 'no' : 'yes',
			},
		];
	}
	return withBody(requestOptions, body);
}

/** preSend of Motion Control. */
export async function prepareMotionControl(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const fromBinary = param(this, 'imageSource', 'url') === 'binary';
	const body: IDataObject = {
		model_name: param(this, 'model', 'kling-v2-6'),
		image_url: await readImageParam(
			this,
			fromBinary,
			param(this, 'image', ''),
			param(this, 'imageBinaryProperty', 'data'),
			'Character Image',
		),
		video_url: String(param(this, 'motionVideoUrl', '') ?? '').trim(),
		character_orientation: param(this, 'characterOrientation', 'image'),
		mode: param(this, 'mode', 'std'),
		keep_original_sound: param(this, 'keepOriginalSound', true) === false ? 'no' : 'yes',
		prompt: param(this, 'prompt', ''),
	};
	const elements = elementList(param(this, 'elementId', ''));
	if (elements.length) body.element_list = elements;
	return withBody(requestOptions, body);
}

/** preSend of Video Effects: one image, or two for the two-person scenes. */
export async function prepareVideoEffects(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const scene = String(param(this, 'effectScene', '') ?? '').trim();
	const entries = (param<IDataObject>(this, 'images', {}).image ?? []) as IDataObject[];
	if (entries.length > 2) {
		throw inputError(this, {
			field: 'Images',
			message: `${entries.length} images given; effects take one or two`,
		});
	}
	const images: string[] = [];
	for (const [index, entry] of entries.entries()) {
		images.push(
			await readImageParam(
				this,
				entry.source === 'binary',
				entry.url,
				entry.binaryProperty,
				`Images #${index + 1}`,
			),
		);
	}
	const input: IDataObject =
		DUAL_IMAGE_SCENES.includes(scene) || images.length > 1
			? { images }
			: images.length
				? { image: images[0] }
				: {};
	const duration = String(param(this, 'effectDuration', '') ?? '');
	if (duration) input.duration = duration;
	return withBody(requestOptions, { effect_scene: scene, input });
}

/** preSend of Extend Video. CFG scale is sent only when changed (sources disagree on it). */
export async function prepareExtendVideo(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const body: IDataObject = {
		video_id: String(param(this, 'videoId', '') ?? '').trim(),
		prompt: param(this, 'prompt', ''),
		negative_prompt: param(this, 'negativePrompt', ''),
	};
	const cfg = param<unknown>(this, 'cfgScale', 0.5);
	if (cfg !== 0.5 && cfg !== '' && cfg !== undefined) body.cfg_scale = cfg;
	explainErrorsWith(this, explainMissingRoute(this));
	return withBody(requestOptions, body);
}

/** True when Kling answered a create with "no such route" rather than about the request. */
function routeMissing(error: unknown): boolean {
	const seen = error as { httpCode?: unknown; errorResponse?: IDataObject };
	if (String(seen?.httpCode) !== '404') return false;
	const response = seen.errorResponse ?? {};
	if (response.task_id) return false;
	return !/video|task/i.test(String(response.message ?? ''));
}

/**
 * Extend Video's wording of a refused create: a plain error when Kling says the route does not
 * exist (video-extend is missing from Kling's 2026 documentation, kling-api-more.md §12).
 */
function explainMissingRoute(ctx: IExecuteSingleFunctions) {
	return (error: unknown): unknown => {
		if (!routeMissing(error)) return error;
		const response = ((error as { errorResponse?: IDataObject }).errorResponse ?? {}) as JsonObject;
		const code = response.code ? `, Kling code ${String(response.code)}` : '';
		return new NodeApiError(ctx.getNode(), response, {
			message: `Kling answered that the Extend Video route does not exist (HTTP 404${code})`,
			description:
				"Kling's current documentation no longer lists /v1/videos/video-extend, and this Kling API answered that the route is not there. Nothing was created or charged. Extend the video in the Kling app instead, or check whether your Base URL (proxy or region) offers it.",
			httpCode: '404',
			itemIndex: ctx.getItemIndex(),
		});
	};
}
