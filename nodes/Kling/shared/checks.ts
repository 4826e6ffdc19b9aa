import type { IDataObject } from 'n8n-workflow';

import { MAX_PROMPT_LENGTH } from './constants';
import type { Problem } from './validation';

// Checks of single values that the video, image, new-API and voice validation share. A leaf:
// validation.ts and videoV3.ts both use it, and videoV3.ts is used by validation.ts.

/** Length as Kling counts it: in characters (code points), not UTF-16 units. */
export function characters(value: string): number {
	return [...value].length;
}

/** A prompt-like text: empty when required, not text, or longer than Kling accepts. */
export function checkTextValue(
	value: unknown,
	field: string,
	required: boolean,
	subject = 'video',
): Problem | undefined {
	if (value === undefined || value === null || value === '') {
		return required
			? {
					field,
					message: `${field} is empty`,
					description: `Write a ${field.toLowerCase()} describing the ${subject}.`,
				}
			: undefined;
	}
	if (typeof value !== 'string') return { field, message: `${field} must be text` };
	if (required && value.trim() === '') return { field, message: `${field} is empty` };
	if (characters(value) > MAX_PROMPT_LENGTH) {
		return {
			field,
			message: `${field} is ${characters(value)} characters long; Kling accepts at most ${MAX_PROMPT_LENGTH}`,
			description: `Shorten the ${field.toLowerCase()}.`,
		};
	}
	return undefined;
}

/** {@link checkTextValue} of `body[key]`, for a video request body. */
export function checkText(
	body: IDataObject,
	key: string,
	field: string,
	required: boolean,
): Problem | undefined {
	return checkTextValue(body[key], field, required);
}

/** Kling calls back to https addresses only; an absent callback URL is fine. */
export function checkCallbackUrl(value: unknown): Problem | undefined {
	if (value === undefined || /^https:\/\/[^\s/]+/i.test(String(value))) return undefined;
	return {
		field: 'Callback URL',
		message: `Callback URL "${String(value)}" is not an https:// URL`,
		description:
			'Kling only calls back to https addresses, e.g. the production URL of an n8n Webhook node.',
	};
}

/** CFG Scale, when given, is a number from 0 to 1. */
export function checkCfgScale(value: unknown): Problem | undefined {
	if (value === undefined) return undefined;
	const cfg = Number(value);
	if (Number.isFinite(cfg) && cfg >= 0 && cfg <= 1) return undefined;
	return {
		field: 'CFG Scale',
		message: `CFG Scale is ${String(value)}; it must be between 0 and 1`,
	};
}

/** A create body without the values left empty (undefined or ''), which Kling must not get. */
export function withoutEmptyValues(input: IDataObject): IDataObject {
	const body: IDataObject = {};
	for (const [key, value] of Object.entries(input)) {
		if (value !== undefined && value !== '') body[key] = value;
	}
	return body;
}
