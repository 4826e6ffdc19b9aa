import type { IDataObject } from 'n8n-workflow';

import {
	characters,
	checkCallbackUrl,
	checkCfgScale,
	checkText,
	withoutEmptyValues,
} from './checks';
import { ASPECT_RATIOS } from './constants';
import { THREE_TO_FIFTEEN } from './models';
import type { TaskKind } from './types';
import type { Problem } from './validation';

/**
 * Validation of the Kling 3.0-era legacy operations (omni video, motion control, effects,
 * extend) and of the kling-v3 additions to text/image to video. Pure functions of the request
 * body: everything Kling documents as refused is refused here, before anything is sent.
 * Facts: kling-api-more.md §1, §2, §3, §7, §8 (single-source or conflicting facts are passed
 * through and named in the field descriptions instead).
 */

export const OMNI_MODELS = ['kling-v3-omni', 'kling-video-o1'];
export const MOTION_MODELS = ['kling-v2-6', 'kling-v3'];
export const MAX_SHOTS = 6;
export const MAX_SHOT_PROMPT = 512;
const THREE_TO_TEN = THREE_TO_FIFTEEN.slice(0, 8);

/** Effect scenes that take two images (2026-09 list); every other listed scene takes one. */
export const DUAL_IMAGE_SCENES = [
	'pet_skateboard',
	'daily_ootd',
	'toss_run',
	'switch_to_silk',
	'studio_look',
	'french_elegance',
	'finger_swipe',
	'smooth_transition',
	'kiss_pro',
	'snow_night_kiss',
	'eternal_kiss',
	'cheers_2026',
	'fight_pro',
	'hug_pro',
	'heart_gesture_pro',
	// The original dual-character scene; no longer listed in 2026-09, but not announced as retired.
	'heart_gesture',
];

/** A selection of the single-image scenes (2026-09 list has 204; any other can be typed). */
export const SINGLE_IMAGE_SCENES = [
	'bullet_time_lite',
	'pet_lion_pro',
	'color_mixing',
	'3d_cartoon_2',
];

/** Retired effect scenes, with when and what replaces them (Kling's changelog). */
export const RETIRED_SCENES: Record<string, { date: string; instead?: string }> = {
	celebration: { date: '2025-12-30' },
	c4d_cartoon: { date: '2025-12-30' },
	kiss: { date: '2026-01-30', instead: 'kiss_pro' },
	fight: { date: '2026-01-30', instead: 'fight_pro' },
	hug: { date: '2026-01-30', instead: 'hug_pro' },
	thumbs_up: { date: '2026-01-30' },
	tiger_hug: { date: '2026-01-30' },
	pet_lion: { date: '2026-01-30', instead: 'pet_lion_pro' },
	'3d_cartoon_1': { date: '2026-01-30', instead: '3d_cartoon_2' },
	magic_match_tree: { date: '2026-07-03' },
};

function oneOf(
	value: unknown,
	allowed: string[],
	field: string,
	label = field,
): Problem | undefined {
	if (value === undefined || allowed.includes(String(value))) return undefined;
	return {
		field,
		message: `${label} "${String(value)}" is not accepted here`,
		description: `Use one of: ${allowed.join(', ')}.`,
	};
}

function httpUrl(value: unknown, field: string): Problem | undefined {
	const given = String(value ?? '').trim();
	if (!given) {
		return { field, message: `${field} is missing`, description: 'Give a public http(s) URL.' };
	}
	if (!/^https?:\/\/\S+$/i.test(given)) {
		return {
			field,
			message: `${field} "${given}" is not an http(s) URL`,
			description: 'Kling downloads the video itself: give a public http(s) address.',
		};
	}
	return undefined;
}

/** True for a multi-shot request whose shots are written one by one (then `prompt` is unused). */
export function isCustomMultiShot(body: IDataObject): boolean {
	return body.multi_shot === true && body.shot_type === 'customize';
}

/**
 * Multi-shot (kling-v3, kling-v3-omni): intelligent (Kling splits the prompt) or custom shots,
 * 1–6 shots of at most 512 characters whose durations add up to the video's duration.
 */
export function checkMultiShot(body: IDataObject): Problem | undefined {
	if (body.multi_shot === undefined || body.multi_shot === false) {
		delete body.shot_type;
		delete body.multi_prompt;
		return undefined;
	}
	if (body.multi_shot !== true) {
		return { field: 'Multi-Shot', message: 'Multi-Shot must be true or false' };
	}
	const shotType = oneOf(body.shot_type, ['intelligence', 'customize'], 'Shot Type');
	if (shotType) return shotType;
	if (body.shot_type === undefined) {
		return {
			field: 'Shot Type',
			message: 'Multi-shot needs a shot type',
			description: 'Choose Intelligent (Kling splits the prompt) or Custom (write each shot).',
		};
	}
	if (body.shot_type === 'intelligence') {
		delete body.multi_prompt;
		return checkText(body, 'prompt', 'Prompt', true);
	}
	const shots = Array.isArray(body.multi_prompt) ? (body.multi_prompt as IDataObject[]) : [];
	if (shots.length < 1 || shots.length > MAX_SHOTS) {
		return {
			field: 'Shots',
			message: `${shots.length} shots given; custom multi-shot takes 1 to ${MAX_SHOTS}`,
			description: 'Add at least one shot and at most six.',
		};
	}
	let total = 0;
	for (const [index, shot] of shots.entries()) {
		const field = `Shots #${index + 1}`;
		const prompt = shot.prompt;
		if (typeof prompt !== 'string' || prompt.trim() === '') {
			return { field, message: `${field} has no prompt`, description: 'Describe every shot.' };
		}
		if (characters(prompt) > MAX_SHOT_PROMPT) {
			return {
				field,
				message: `${field} prompt is ${characters(prompt)} characters long; Kling accepts at most ${MAX_SHOT_PROMPT} per shot`,
				description: 'Shorten the shot description.',
			};
		}
		const seconds = Number(shot.duration);
		if (!Number.isInteger(seconds) || seconds < 1) {
			return {
				field,
				message: `${field} lasts ${String(shot.duration)} s; each shot needs a whole number of seconds, at least 1`,
			};
		}
		total += seconds;
	}
	const duration = Number(body.duration ?? 5);
	if (total !== duration) {
		return {
			field: 'Shots',
			message: `The shots last ${total} s in total but the video is ${duration} s; they must add up to the duration`,
			description: `Change the shot durations or set Duration to ${total} seconds.`,
		};
	}
	return undefined;
}

/** kling-v3 additions on text/image to video (§2): 3–15 s, 4k mode, multi-shot. */
export function checkKlingV3Options(body: IDataObject): Problem | undefined {
	const model = String(body.model_name ?? '');
	if (body.mode === '4k' && model !== 'kling-v3') {
		return {
			field: 'Mode',
			message: `Mode 4k is available only for kling-v3, not ${model}`,
			description: 'Choose kling-v3, or Standard or Professional mode.',
		};
	}
	if (body.multi_shot === true && model !== 'kling-v3') {
		return {
			field: 'Multi-Shot',
			message: `Multi-shot is available only for kling-v3, not ${model}`,
			description: 'Choose kling-v3 or turn multi-shot off.',
		};
	}
	return checkMultiShot(body);
}

type ImageEntry = { image_url?: unknown; type?: unknown };

const REFERENCE = /<<<(image|element|video)_(\d+)>>>/g;

function checkReferences(
	prompt: unknown,
	counts: Record<string, number>,
	field: string,
): Problem | undefined {
	if (typeof prompt !== 'string') return undefined;
	for (const [, kind, number] of prompt.matchAll(REFERENCE)) {
		const n = Number(number);
		const have = counts[kind] ?? 0;
		if (n < 1 || n > have) {
			return {
				field,
				message: `The prompt refers to <<<${kind}_${number}>>> but ${have === 0 ? `no ${kind}s are` : `only ${have} ${kind}${have === 1 ? ' is' : 's are'}`} given`,
				description: `References count from 1 in list order: <<<${kind}_1>>> is the first ${kind}. Add the ${kind} or fix the reference.`,
			};
		}
	}
	return undefined;
}

/** Omni video (`/v1/videos/omni-video`, §1 and its constraints §1.1). */
export function checkOmniVideo(body: IDataObject): Problem | undefined {
	const model = String(body.model_name ?? '');
	if (!model) return { field: 'Model', message: 'Model is empty' };
	const known = OMNI_MODELS.includes(model);
	if (!known && /^kling-v[0-9]/.test(model) && !/omni/.test(model)) {
		return {
			field: 'Model',
			message: `Model ${model} cannot do omni video`,
			description: `Choose one of: ${OMNI_MODELS.join(', ')}.`,
		};
	}
	const v3 = model === 'kling-v3-omni';
	const o1 = model === 'kling-video-o1';

	const images = (Array.isArray(body.image_list) ? body.image_list : []) as ImageEntry[];
	const elements = Array.isArray(body.element_list) ? body.element_list : [];
	const videos = (Array.isArray(body.video_list) ? body.video_list : []) as IDataObject[];
	const video = videos[0];
	const editing = video?.refer_type === 'base';
	const firstFrames = images.filter((image) => image.type === 'first_frame').length;
	const endFrames = images.filter((image) => image.type === 'end_frame').length;
	const references = images.length - firstFrames - endFrames;

	if (videos.length > 1) {
		return {
			field: 'Reference Video',
			message: `${videos.length} reference videos given; omni video takes at most one`,
		};
	}
	if (video) {
		const url = httpUrl(video.video_url, 'Reference Video');
		if (url) return url;
		const refer = oneOf(video.refer_type, ['base', 'feature'], 'Reference Video', 'Refer type');
		if (refer) return refer;
	}
	const maxImages = video ? 4 : 7;
	if (images.length + elements.length > maxImages) {
		return {
			field: 'Reference Images',
			message: `${images.length} images and ${elements.length} elements given; with${video ? '' : 'out'} a reference video Kling accepts at most ${maxImages} together`,
			description: 'Remove images or elements.',
		};
	}
	if (firstFrames > 1 || endFrames > 1) {
		return {
			field: 'Reference Images',
			message: `${firstFrames > 1 ? firstFrames : endFrames} images are marked as ${firstFrames > 1 ? 'first' : 'end'} frame; only one can be`,
		};
	}
	if (endFrames === 1 && firstFrames === 0) {
		return {
			field: 'Reference Images',
			message: 'An end frame needs a first frame',
			description:
				'Mark another image as the first frame, or make the end frame a plain reference.',
		};
	}
	if (o1 && endFrames === 1 && (references > 0 || elements.length > 0)) {
		return {
			field: 'Reference Images',
			message:
				'kling-video-o1 with a first and an end frame takes no other reference images and no elements',
			description: 'Remove the other references, or choose kling-v3-omni.',
		};
	}
	if (v3 && firstFrames === 1 && elements.length > 3) {
		return {
			field: 'Element IDs',
			message: `${elements.length} elements given with a first frame; kling-v3-omni accepts at most 3`,
		};
	}
	for (const [index, element] of (elements as IDataObject[]).entries()) {
		if (!/^\d{1,20}$/.test(String(element.element_id ?? ''))) {
			return {
				field: 'Element IDs',
				message: `Element ID #${index + 1} "${String(element.element_id)}" is not a number`,
				description: 'Element IDs are the numbers from your Kling element library.',
			};
		}
	}
	if (editing && (firstFrames > 0 || endFrames > 0)) {
		return {
			field: 'Reference Images',
			message: 'A video to edit (refer type Base) cannot be combined with a first or end frame',
			description: 'Make the images plain references, or use the video as a Feature reference.',
		};
	}

	const mode = oneOf(body.mode, ['std', 'pro', '4k'], 'Mode');
	if (mode) return mode;
	if (body.mode === '4k' && o1) {
		return {
			field: 'Mode',
			message: 'Mode 4k is available only for kling-v3-omni',
			description: 'Choose kling-v3-omni, or Standard or Professional mode.',
		};
	}

	if (body.sound === 'on' && video) {
		return {
			field: 'Sound',
			message: 'Sound must be off when a reference video is attached',
			description: 'Turn Sound off; use Keep Original Sound to keep the video’s own audio.',
		};
	}
	if (body.sound !== undefined && !['on', 'off'].includes(String(body.sound))) {
		return { field: 'Sound', message: `Sound "${String(body.sound)}" is not on or off` };
	}

	if (body.multi_shot === true) {
		if (o1) {
			return {
				field: 'Multi-Shot',
				message: 'Multi-shot is available only for kling-v3-omni',
				description: 'Choose kling-v3-omni or turn multi-shot off.',
			};
		}
		if (editing) {
			return {
				field: 'Multi-Shot',
				message: 'Multi-shot cannot be used when editing a video (refer type Base)',
			};
		}
		if (video?.refer_type === 'feature' && body.shot_type !== 'intelligence') {
			return {
				field: 'Shot Type',
				message: 'With a Feature reference video, multi-shot must use the Intelligent shot type',
			};
		}
	}

	if (editing) {
		// The output follows the edited video: no duration or aspect ratio (billed on the input).
		delete body.duration;
		delete body.aspect_ratio;
	} else {
		const duration = String(body.duration ?? '5');
		let allowed = v3 ? THREE_TO_FIFTEEN : o1 ? THREE_TO_TEN : THREE_TO_FIFTEEN;
		if (o1 && (images.length === 0 || (firstFrames === 1 && images.length === 1)) && !video) {
			allowed = ['5', '10'];
		}
		if (!allowed.includes(duration)) {
			return {
				field: 'Duration',
				message: `Duration ${duration} s is not available for ${model}${allowed.length === 2 ? ' without reference images' : ''}`,
				description: `Use one of: ${allowed.join(', ')} seconds.`,
			};
		}
		if (firstFrames === 1) {
			delete body.aspect_ratio;
		} else if (body.aspect_ratio === undefined) {
			return {
				field: 'Aspect Ratio',
				message: 'Aspect ratio is needed when there is no first frame and no video to edit',
				description: `Use one of: ${ASPECT_RATIOS.join(', ')}.`,
			};
		} else if (!ASPECT_RATIOS.includes(String(body.aspect_ratio))) {
			return {
				field: 'Aspect Ratio',
				message: `Aspect ratio "${String(body.aspect_ratio)}" is not accepted for omni video`,
				description: `Use one of: ${ASPECT_RATIOS.join(', ')}.`,
			};
		}
	}

	const prompt = checkText(body, 'prompt', 'Prompt', !isCustomMultiShot(body));
	if (prompt) return prompt;
	const shots = checkMultiShot(body);
	if (shots) return shots;
	const counts = { image: references + firstFrames + endFrames, element: elements.length };
	const referred =
		checkReferences(body.prompt, { ...counts, video: videos.length }, 'Prompt') ??
		((body.multi_prompt ?? []) as IDataObject[])
			.map((shot, index) =>
				checkReferences(shot.prompt, { ...counts, video: videos.length }, `Shots #${index + 1}`),
			)
			.find(Boolean);
	return referred;
}

/** Motion control (`/v1/videos/motion-control`, §3). */
export function checkMotionControl(body: IDataObject): Problem | undefined {
	const model = String(body.model_name ?? '');
	if (!model) return { field: 'Model', message: 'Model is empty' };
	if (/^kling-v[0-9]/.test(model) && !MOTION_MODELS.includes(model)) {
		return {
			field: 'Model',
			message: `Model ${model} cannot do motion control`,
			description: `Choose one of: ${MOTION_MODELS.join(', ')}.`,
		};
	}
	const url = httpUrl(body.video_url, 'Motion Video URL');
	if (url) return url;
	const orientation = oneOf(
		body.character_orientation,
		['image', 'video'],
		'Character Orientation',
	);
	if (orientation) return orientation;
	if (body.character_orientation === undefined) {
		return { field: 'Character Orientation', message: 'Character Orientation is missing' };
	}
	const mode = oneOf(body.mode, ['std', 'pro'], 'Mode');
	if (mode) return mode;
	if (body.mode === undefined) return { field: 'Mode', message: 'Mode is missing' };
	const elements = Array.isArray(body.element_list) ? (body.element_list as IDataObject[]) : [];
	if (elements.length > 0) {
		if (model !== 'kling-v3') {
			return {
				field: 'Element ID',
				message: `An element needs kling-v3; ${model} does not take one`,
				description: 'Choose kling-v3 or remove the element.',
			};
		}
		if (elements.length > 1) {
			return { field: 'Element ID', message: 'Motion control takes at most one element' };
		}
		if (!/^\d{1,20}$/.test(String(elements[0].element_id ?? ''))) {
			return {
				field: 'Element ID',
				message: `Element ID "${String(elements[0].element_id)}" is not a number`,
			};
		}
		if (body.character_orientation !== 'video') {
			return {
				field: 'Character Orientation',
				message: 'With an element the orientation always follows the video',
				description: 'Set Character Orientation to Video, or remove the element.',
			};
		}
	}
	return checkText(body, 'prompt', 'Prompt', false);
}

/** Video effects (`/v1/videos/effects`, §8). */
export function checkVideoEffects(body: IDataObject): Problem | undefined {
	const scene = String(body.effect_scene ?? '').trim();
	if (!scene) {
		return {
			field: 'Effect',
			message: 'Effect is empty',
			description: 'Choose an effect scene from the list or type its ID.',
		};
	}
	const retired = RETIRED_SCENES[scene];
	if (retired) {
		return {
			field: 'Effect',
			message: `Effect "${scene}" was retired by Kling on ${retired.date}`,
			description: retired.instead
				? `Kling no longer runs it. Use "${retired.instead}" instead.`
				: 'Kling no longer runs it. Choose another effect.',
		};
	}
	const input = (body.input ?? {}) as IDataObject;
	const images = Array.isArray(input.images) ? input.images.length : input.image ? 1 : 0;
	const dual = DUAL_IMAGE_SCENES.includes(scene);
	if (dual && images !== 2) {
		return {
			field: 'Images',
			message: `Effect "${scene}" needs exactly 2 images; ${images} given`,
			description: 'Give two images: the first is placed on the left, the second on the right.',
		};
	}
	if (images === 0) {
		return { field: 'Images', message: `Effect "${scene}" needs an image; none given` };
	}
	if (SINGLE_IMAGE_SCENES.includes(scene) && images !== 1) {
		return {
			field: 'Images',
			message: `Effect "${scene}" takes exactly 1 image; ${images} given`,
			description: 'Remove the second image, or choose a two-image effect.',
		};
	}
	const duration = oneOf(input.duration, ['5', '10'], 'Duration');
	if (duration) return duration;
	return undefined;
}

/** Extend video (`/v1/videos/video-extend`, §7). */
export function checkExtendVideo(body: IDataObject): Problem | undefined {
	const id = String(body.video_id ?? '').trim();
	if (!id) {
		return {
			field: 'Video ID',
			message: 'Video ID is empty',
			description:
				'Give the id of a video Kling generated, e.g. {{ $json.task_result.videos[0].id }} from an earlier Kling node.',
		};
	}
	if (/^https?:\/\//i.test(id)) {
		return {
			field: 'Video ID',
			message: 'Video ID is a URL, not a Kling video id',
			description:
				'Use task_result.videos[0].id of the earlier task (not its url), e.g. {{ $json.task_result.videos[0].id }}.',
		};
	}
	const cfg = checkCfgScale(body.cfg_scale);
	if (cfg) return cfg;
	return (
		checkText(body, 'prompt', 'Prompt', false) ??
		checkText(body, 'negative_prompt', 'Negative Prompt', false)
	);
}

const CHECKS: Partial<Record<TaskKind, (body: IDataObject) => Problem | undefined>> = {
	'omni-video': checkOmniVideo,
	'motion-control': checkMotionControl,
	effects: checkVideoEffects,
	'video-extend': checkExtendVideo,
};

/** Whether the body of this kind is validated here (the Kling 3.0-era operations). */
export function isV3Kind(kind: TaskKind): boolean {
	return CHECKS[kind] !== undefined;
}

/** Validates the body of a Kling 3.0-era operation; empty values are left out first. */
export function prepareV3Submission(
	kind: TaskKind,
	input: IDataObject,
): { body: IDataObject } | { problem: Problem } {
	const body = withoutEmptyValues(input);
	const problem = (CHECKS[kind] as (body: IDataObject) => Problem | undefined)(body);
	if (problem) return { problem };
	const callback = checkCallbackUrl(body.callback_url);
	return callback ? { problem: callback } : { body };
}
