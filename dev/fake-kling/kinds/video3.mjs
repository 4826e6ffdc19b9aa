// Kling 3.0-era legacy task kinds for the fake server (kling-api-more.md §1, §3, §7, §8):
// omni video, motion control, effects and video extend. Each refuses with 1201 what Kling's
// docs say Kling refuses, so tests can show the node refuses first. The new path-addressed
// API (§11) lives in ./api2.mjs.

const ASPECT_RATIOS = ['16:9', '9:16', '1:1'];
const THREE_TO_FIFTEEN = Array.from({ length: 13 }, (_, i) => String(i + 3));
const DUAL_SCENES = new Set([
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
	'heart_gesture',
]);
const RETIRED_SCENES = new Set([
	'celebration',
	'c4d_cartoon',
	'kiss',
	'fight',
	'hug',
	'thumbs_up',
	'tiger_hug',
	'pet_lion',
	'3d_cartoon_1',
	'magic_match_tree',
]);

const refuse = (message) => ({ code: 1201, message });
const isString = (value) => typeof value === 'string' && value.length > 0;
const chars = (value) => [...String(value)].length;

function checkMultiShot(body, duration) {
	if (body.multi_shot === undefined || body.multi_shot === false) return undefined;
	if (body.multi_shot !== true) return refuse('multi_shot must be a boolean');
	if (!['customize', 'intelligence'].includes(body.shot_type))
		return refuse('shot_type is invalid');
	if (body.shot_type === 'intelligence') {
		return isString(body.prompt) ? undefined : refuse('prompt is required');
	}
	const shots = body.multi_prompt;
	if (!Array.isArray(shots) || shots.length < 1 || shots.length > 6) {
		return refuse('multi_prompt must hold 1 to 6 shots');
	}
	let total = 0;
	for (const shot of shots) {
		if (!isString(shot?.prompt) || chars(shot.prompt) > 512) {
			return refuse('multi_prompt prompt must be 1 to 512 characters');
		}
		const seconds = Number(shot.duration);
		if (!Number.isInteger(seconds) || seconds < 1)
			return refuse('multi_prompt duration is invalid');
		total += seconds;
	}
	if (total !== Number(duration))
		return refuse('sum of multi_prompt durations must equal duration');
	return undefined;
}

function validateOmni(body) {
	const model = body.model_name ?? 'kling-video-o1';
	if (!['kling-video-o1', 'kling-v3-omni'].includes(model)) return refuse('model_name is invalid');
	const v3 = model === 'kling-v3-omni';
	const images = body.image_list ?? [];
	const elements = body.element_list ?? [];
	const videos = body.video_list ?? [];
	if (!Array.isArray(images) || !Array.isArray(elements) || !Array.isArray(videos)) {
		return refuse('image_list, element_list and video_list must be arrays');
	}
	if (videos.length > 1) return refuse('video_list holds at most 1 video');
	const video = videos[0];
	if (
		video &&
		(!isString(video.video_url) || !['base', 'feature'].includes(video.refer_type ?? 'base'))
	) {
		return refuse('video_list item is invalid');
	}
	if (
		video?.keep_original_sound !== undefined &&
		!['yes', 'no'].includes(video.keep_original_sound)
	) {
		return refuse('keep_original_sound must be yes or no');
	}
	const editing = video && (video.refer_type ?? 'base') === 'base';
	if (images.length + elements.length > (video ? 4 : 7))
		return refuse('too many images and elements');
	if (!images.every((image) => isString(image?.image_url)))
		return refuse('image_list item needs image_url');
	if (!elements.every((element) => /^\d+$/.test(String(element?.element_id ?? '')))) {
		return refuse('element_id is invalid');
	}
	const first = images.filter((image) => image.type === 'first_frame').length;
	const end = images.filter((image) => image.type === 'end_frame').length;
	if (
		images.some(
			(image) => image.type !== undefined && !['first_frame', 'end_frame'].includes(image.type),
		)
	) {
		return refuse('image type is invalid');
	}
	if (first > 1 || end > 1 || (end && !first))
		return refuse('end_frame needs exactly one first_frame');
	if (!v3 && end && images.length + elements.length > 2) {
		return refuse('first and end frame take no other references on kling-video-o1');
	}
	if (editing && (first || end)) return refuse('base video cannot be combined with frames');
	if (!['std', 'pro', '4k', undefined].includes(body.mode)) return refuse('mode is invalid');
	if (body.mode === '4k' && !v3) return refuse('4k is only available for kling-v3-omni');
	if (body.sound === 'on' && video) return refuse('sound must be off when video_list is present');
	if (body.multi_shot === true && (!v3 || editing))
		return refuse('multi_shot is not supported here');
	if (!editing) {
		const duration = String(body.duration ?? '5');
		const allowed = v3 ? THREE_TO_FIFTEEN : THREE_TO_FIFTEEN.slice(0, 8);
		if (!allowed.includes(duration)) return refuse('duration is invalid');
		if (!first && !ASPECT_RATIOS.includes(body.aspect_ratio))
			return refuse('aspect_ratio is required');
		if (first && body.aspect_ratio !== undefined)
			return refuse('aspect_ratio is not supported with first_frame');
	}
	const shots = checkMultiShot(body, body.duration ?? '5');
	if (shots) return shots;
	const custom = body.multi_shot === true && body.shot_type === 'customize';
	if (!custom && !isString(body.prompt)) return refuse('prompt is required');
	if (body.prompt !== undefined && chars(body.prompt) > 2500) return refuse('prompt is too long');
	return undefined;
}

function validateMotion(body) {
	const model = body.model_name ?? 'kling-v2-6';
	if (!['kling-v2-6', 'kling-v3'].includes(model)) return refuse('model_name is invalid');
	if (!isString(body.image_url)) return refuse('image_url is required');
	if (!isString(body.video_url)) return refuse('video_url is required');
	if (!['image', 'video'].includes(body.character_orientation)) {
		return refuse('character_orientation is required');
	}
	if (!['std', 'pro'].includes(body.mode)) return refuse('mode is required');
	if (body.keep_original_sound !== undefined && !['yes', 'no'].includes(body.keep_original_sound)) {
		return refuse('keep_original_sound must be yes or no');
	}
	if (body.element_list !== undefined) {
		if (model !== 'kling-v3') return refuse('element_list needs kling-v3');
		if (!Array.isArray(body.element_list) || body.element_list.length > 1) {
			return refuse('element_list holds at most 1 element');
		}
	}
	return undefined;
}

function validateEffects(body) {
	const scene = body.effect_scene;
	if (!isString(scene)) return refuse('effect_scene is required');
	if (RETIRED_SCENES.has(scene)) return refuse(`effect_scene ${scene} is offline`);
	const input = body.input;
	if (typeof input !== 'object' || input === null) return refuse('input is required');
	if (DUAL_SCENES.has(scene)) {
		if (
			!Array.isArray(input.images) ||
			input.images.length !== 2 ||
			!input.images.every(isString)
		) {
			return refuse('input.images must hold 2 images');
		}
	} else if (
		!isString(input.image) &&
		!(Array.isArray(input.images) && input.images.length === 2)
	) {
		return refuse('input.image is required');
	}
	if (input.duration !== undefined && !['5', '10'].includes(input.duration)) {
		return refuse('input.duration is invalid');
	}
	return undefined;
}

function validateExtend(body) {
	if (!isString(body.video_id)) return refuse('video_id is required');
	if (body.cfg_scale !== undefined && !(body.cfg_scale >= 0 && body.cfg_scale <= 1)) {
		return refuse('cfg_scale must be between 0 and 1');
	}
	if (body.prompt !== undefined && chars(body.prompt) > 2500) return refuse('prompt is too long');
	return undefined;
}

// No `result`/`media`: tasks of these kinds get the server's default video (task_result.videos[0]
// at /media/<task_id>.mp4, the configured size, the download faults), like text to video.
export function register(api) {
	api.kind('videos/omni-video', { validate: validateOmni });
	api.kind('videos/motion-control', { validate: validateMotion });
	api.kind('videos/effects', { validate: validateEffects });
	api.kind('videos/video-extend', { validate: validateExtend });
}
