import type { INodePropertyOptions } from 'n8n-workflow';

import type { TaskKind } from './types';

interface ModelInfo {
	name: string;
	description: string;
	kinds: TaskKind[];
	/** Only the kling-v1 family reads cfg_scale; v2+ models ignore it. */
	cfgScale: boolean;
	/** Master models have one fixed quality and take no `mode`. */
	fixedMode: boolean;
	durations: string[];
	/** End frame (`image_tail`) in image to video. */
	tailFrame: boolean;
	cameraControl: TaskKind[];
	sound: boolean;
	/** Features this model offers in Professional mode only. */
	proOnly: Array<'tailFrame' | 'sound'>;
}

const FIVE_OR_TEN = ['5', '10'];
/** Whole seconds from 3 to 15, as Kling's per-second models take them. */
export const THREE_TO_FIFTEEN = Array.from({ length: 13 }, (_, i) => String(i + 3));

/** Capability map of Kling's legacy /v1 video routes (see README "Models"). */
export const MODELS: Record<string, ModelInfo> = {
	'kling-v1': {
		name: 'Kling v1',
		description: 'First generation. Cheapest; supports camera control in text to video.',
		kinds: ['text2video', 'image2video'],
		cfgScale: true,
		fixedMode: false,
		durations: FIVE_OR_TEN,
		tailFrame: true,
		cameraControl: ['text2video'],
		sound: false,
		proOnly: [],
	},
	'kling-v1-5': {
		name: 'Kling v1.5',
		description: 'Image to video only; supports an end frame and simple camera moves.',
		kinds: ['image2video'],
		cfgScale: true,
		fixedMode: false,
		durations: FIVE_OR_TEN,
		tailFrame: true,
		cameraControl: ['image2video'],
		sound: false,
		proOnly: ['tailFrame'],
	},
	'kling-v1-6': {
		name: 'Kling v1.6',
		description: 'Stable and good value. The only model for multi-image to video.',
		kinds: ['text2video', 'image2video', 'multi-image2video'],
		cfgScale: true,
		fixedMode: false,
		durations: FIVE_OR_TEN,
		tailFrame: true,
		cameraControl: [],
		sound: false,
		proOnly: ['tailFrame'],
	},
	'kling-v2-master': {
		name: 'Kling v2 Master',
		description: 'High quality, fixed quality level (no mode). Costs about 3x a standard clip.',
		kinds: ['text2video', 'image2video'],
		cfgScale: false,
		fixedMode: true,
		durations: FIVE_OR_TEN,
		tailFrame: false,
		cameraControl: [],
		sound: false,
		proOnly: [],
	},
	'kling-v2-1': {
		name: 'Kling v2.1',
		description: 'Image to video only; end frame in Professional mode.',
		kinds: ['image2video'],
		cfgScale: false,
		fixedMode: false,
		durations: FIVE_OR_TEN,
		tailFrame: true,
		cameraControl: [],
		sound: false,
		proOnly: ['tailFrame'],
	},
	'kling-v2-1-master': {
		name: 'Kling v2.1 Master',
		description: 'Top quality 1080p, fixed quality level (no mode). Most expensive v2 model.',
		kinds: ['text2video', 'image2video'],
		cfgScale: false,
		fixedMode: true,
		durations: FIVE_OR_TEN,
		tailFrame: false,
		cameraControl: [],
		sound: false,
		proOnly: [],
	},
	'kling-v2-5-turbo': {
		name: 'Kling v2.5 Turbo',
		description: 'Faster and cheaper than v2.6, with good motion; a good choice for large batches.',
		kinds: ['text2video', 'image2video'],
		cfgScale: false,
		fixedMode: false,
		durations: FIVE_OR_TEN,
		tailFrame: true,
		cameraControl: [],
		sound: false,
		proOnly: ['tailFrame'],
	},
	'kling-v2-6': {
		name: 'Kling v2.6',
		description: 'The default: recent model; can add generated sound in Professional mode.',
		kinds: ['text2video', 'image2video'],
		cfgScale: false,
		fixedMode: false,
		durations: FIVE_OR_TEN,
		tailFrame: true,
		cameraControl: [],
		sound: true,
		proOnly: ['tailFrame', 'sound'],
	},
	'kling-v3': {
		name: 'Kling v3',
		description: 'Newest model; durations from 3 to 15 seconds, optional sound. Billed per second.',
		kinds: ['text2video', 'image2video'],
		cfgScale: false,
		fixedMode: false,
		durations: THREE_TO_FIFTEEN,
		tailFrame: true,
		cameraControl: [],
		sound: true,
		proOnly: [],
	},
};

export function modelInfo(modelName: string): ModelInfo | undefined {
	return Object.prototype.hasOwnProperty.call(MODELS, modelName) ? MODELS[modelName] : undefined;
}

export function modelsFor(kind: TaskKind): string[] {
	return Object.keys(MODELS).filter((id) => MODELS[id].kinds.includes(kind));
}

export function modelOptions(kind: TaskKind): INodePropertyOptions[] {
	return modelsFor(kind).map((id) => ({
		name: `${MODELS[id].name} (${id})`,
		value: id,
		description: MODELS[id].description,
	}));
}

/** The models that read CFG Scale (the kling-v1 family); the editor shows the field only for them. */
export function modelsUsingCfgScale(): string[] {
	return Object.keys(MODELS).filter((id) => MODELS[id].cfgScale);
}

/** Master models: one fixed quality, so the editor hides Mode for them. */
export function modelsWithFixedMode(): string[] {
	return Object.keys(MODELS).filter((id) => MODELS[id].fixedMode);
}
