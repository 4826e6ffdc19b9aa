import type { IDataObject } from 'n8n-workflow';

import { characters, checkCallbackUrl } from '../checks';
import type { Problem } from '../validation';

/**
 * Request bodies of Kling's new API for Kling 3.0 Turbo (kling-api-more.md §11):
 * text to video `{prompt, settings: {resolution, aspect_ratio, duration}, options}`,
 * image to video `{contents: [{type: 'prompt', text}, {type: 'first_frame', url}],
 * settings: {resolution, duration}, options}`. Turbo always adds native audio and has no
 * negative prompt, last frame or multi-shot.
 */
export const TURBO_MODEL = 'kling-3.0-turbo';
export const TURBO_RESOLUTIONS = ['720p', '1080p'];
export const MAX_TEXT_PROMPT = 3072;
export const MAX_IMAGE_PROMPT = 2500;

export type NewApiOperation = 'text-to-video' | 'image-to-video';

export interface TurboInput {
	model: string;
	prompt: string;
	resolution: string;
	aspectRatio?: string;
	duration: unknown;
	image?: string;
	callbackUrl?: string;
}

export function createPath(operation: NewApiOperation, model: string): string {
	return `/${operation}/${encodeURIComponent(model)}`;
}

export function buildTurboBody(
	operation: NewApiOperation,
	input: TurboInput,
): { body: IDataObject } | { problem: Problem } {
	const model = input.model.trim();
	if (!model) return { problem: { field: 'Model', message: 'Model is empty' } };
	if (/^kling-v\d/.test(model)) {
		return {
			problem: {
				field: 'Model',
				message: `Model ${model} is a legacy model name; the new API takes names like ${TURBO_MODEL}`,
				description: `Use ${TURBO_MODEL}, or the Text to Video / Image to Video operation for ${model}.`,
			},
		};
	}
	const turbo = model === TURBO_MODEL;
	const prompt = typeof input.prompt === 'string' ? input.prompt : String(input.prompt ?? '');
	const maxPrompt = operation === 'text-to-video' ? MAX_TEXT_PROMPT : MAX_IMAGE_PROMPT;
	if (operation === 'text-to-video' && prompt.trim() === '') {
		return {
			problem: {
				field: 'Prompt',
				message: 'Prompt is empty',
				description: 'Write a prompt describing the video.',
			},
		};
	}
	if (characters(prompt) > maxPrompt) {
		return {
			problem: {
				field: 'Prompt',
				message: `Prompt is ${characters(prompt)} characters long; Kling accepts at most ${maxPrompt}`,
				description: 'Shorten the prompt.',
			},
		};
	}
	if (turbo && !TURBO_RESOLUTIONS.includes(input.resolution)) {
		return {
			problem: {
				field: 'Resolution',
				message: `Resolution "${input.resolution}" is not available for ${TURBO_MODEL}`,
				description: `Use ${TURBO_RESOLUTIONS.join(' or ')}.`,
			},
		};
	}
	const duration = Number(input.duration);
	if (!Number.isInteger(duration) || (turbo && (duration < 3 || duration > 15))) {
		return {
			problem: {
				field: 'Duration',
				message: `Duration ${String(input.duration)} s is not available for ${model}`,
				description: 'Use a whole number of seconds from 3 to 15.',
			},
		};
	}
	const callback = input.callbackUrl ? checkCallbackUrl(input.callbackUrl) : undefined;
	if (callback) return { problem: callback };
	const settings: IDataObject = { resolution: input.resolution, duration };
	const options: IDataObject = {};
	if (input.callbackUrl) options.callback_url = input.callbackUrl;
	if (operation === 'text-to-video') {
		if (input.aspectRatio) settings.aspect_ratio = input.aspectRatio;
		return { body: { prompt, settings, options } };
	}
	const contents: IDataObject[] = [];
	if (prompt.trim()) contents.push({ type: 'prompt', text: prompt });
	contents.push({ type: 'first_frame', url: input.image });
	return { body: { contents, settings, options } };
}
