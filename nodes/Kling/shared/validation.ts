import type { IDataObject } from 'n8n-workflow';

import {
	ASPECT_RATIOS,
	DEFAULT_BASE_URL,
	DEFAULT_CFG_SCALE,
	MAX_IMAGE_BYTES,
	MAX_IMAGE_RATIO,
	MAX_MULTI_IMAGES,
	MIN_IMAGE_SIDE,
	README_ONLY_ASPECT_RATIOS,
} from './constants';
import { checkCallbackUrl, checkCfgScale, checkText, withoutEmptyValues } from './checks';
import { readImageInfo } from './imageInfo';
import { modelInfo, modelsFor, THREE_TO_FIFTEEN } from './models';
import type { TaskKind } from './types';
import { checkKlingV3Options, isCustomMultiShot, isV3Kind, prepareV3Submission } from './videoV3';

/** A user-input problem found before any request is sent. */
export interface Problem {
	field: string;
	message: string;
	description?: string;
}

const KIND_LABEL: Record<TaskKind, string> = {
	text2video: 'text to video',
	image2video: 'image to video',
	'multi-image2video': 'multi-image to video',
	'advanced-lip-sync': 'lip sync',
	'avatar/image2video': 'avatar',
	'custom-voices': 'custom voice',
	generations: 'image generation',
	'omni-image': 'omni image',
	'multi-image2image': 'multi-image to image',
	'editing/expand': 'image expansion',
	'kolors-virtual-try-on': 'virtual try-on',
	'omni-video': 'omni video',
	'motion-control': 'motion control',
	effects: 'video effects',
	'video-extend': 'extend video',
	tasks: 'new API task',
};

const CAMERA_AXES = ['horizontal', 'vertical', 'pan', 'tilt', 'roll', 'zoom'];
const CAMERA_TYPES = [
	'simple',
	'down_back',
	'forward_up',
	'right_turn_forward',
	'left_turn_forward',
];

export function checkImageSize(bytes: number, field: string): Problem | undefined {
	if (bytes <= MAX_IMAGE_BYTES) return undefined;
	return {
		field,
		message: `${field} is ${(bytes / 1024 / 1024).toFixed(2)} MB (${bytes} bytes); Kling accepts at most 10 MB`,
		description: 'Compress or resize the image before sending it to Kling.',
	};
}

/** Size, format and proportions Kling requires of every input image. */
export function checkImageBytes(data: Buffer, field: string): Problem | undefined {
	const tooBig = checkImageSize(data.length, field);
	if (tooBig) return tooBig;
	const info = readImageInfo(data);
	if (!info) {
		return {
			field,
			message: `${field} is not a JPG or PNG image`,
			description: 'Kling accepts only .jpg/.jpeg and .png images.',
		};
	}
	if (info.width < MIN_IMAGE_SIDE || info.height < MIN_IMAGE_SIDE) {
		return {
			field,
			message: `${field} is ${info.width}x${info.height} px; each side must be at least ${MIN_IMAGE_SIDE} px`,
			description: 'Use a larger image.',
		};
	}
	const ratio = info.width / info.height;
	if (ratio > MAX_IMAGE_RATIO || ratio < 1 / MAX_IMAGE_RATIO) {
		return {
			field,
			message: `${field} is ${info.width}x${info.height} px; its aspect ratio must be between 1:2.5 and 2.5:1`,
			description: 'Crop the image to a less extreme shape.',
		};
	}
	return undefined;
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * An image given as text is either a URL Kling downloads itself, or base64 (a `data:` prefix is
 * removed because Kling rejects it). Base64 images are checked like binary ones.
 */
export function normaliseImageText(
	value: unknown,
	field: string,
): { image: string } | { problem: Problem } {
	if (typeof value !== 'string' || value.trim() === '') {
		return {
			problem: {
				field,
				message: `${field} is missing`,
				description: 'Give an image URL, base64 data, or choose a binary property.',
			},
		};
	}
	const text = value.trim();
	if (/^https?:\/\//i.test(text)) return { image: text };
	const withoutPrefix = text.replace(/^data:[^;,]*;base64,/i, '');
	// Wrapped base64 has line breaks, never spaces: "last frame please" is words, not data.
	const base64 = withoutPrefix.replace(/[\r\n]+/g, '');
	if (!BASE64.test(base64)) {
		return {
			problem: {
				field,
				message: `${field} is neither an http(s) URL nor base64 image data`,
				description: 'Give a public image URL (https://…) or the image encoded as base64.',
			},
		};
	}
	const problem = checkImageBytes(Buffer.from(base64, 'base64'), field);
	return problem ? { problem } : { image: base64 };
}

function checkModel(kind: TaskKind, model: unknown): Problem | undefined {
	if (typeof model !== 'string' || model.trim() === '') {
		return { field: 'Model', message: 'Model is empty' };
	}
	const info = modelInfo(model);
	if (info && !info.kinds.includes(kind)) {
		return {
			field: 'Model',
			message: `Model ${model} cannot do ${KIND_LABEL[kind]}`,
			description: `Choose one of: ${modelsFor(kind).join(', ')}.`,
		};
	}
	return undefined;
}

function checkCamera(kind: TaskKind, model: string, camera: unknown): Problem | undefined {
	const field = 'Camera Control';
	if (typeof camera !== 'object' || camera === null)
		return { field, message: `${field} must be an object` };
	const info = modelInfo(model);
	if (info && !info.cameraControl.includes(kind)) {
		return {
			field,
			message: `Model ${model} does not support camera control in ${KIND_LABEL[kind]}`,
			description:
				'Camera control works with kling-v1 (text to video) and kling-v1-5 (image to video).',
		};
	}
	const { type, config } = camera as IDataObject;
	if (!CAMERA_TYPES.includes(String(type))) {
		return {
			field,
			message: `Camera movement "${String(type)}" is unknown`,
			description: `Use one of: ${CAMERA_TYPES.join(', ')}.`,
		};
	}
	if (type !== 'simple') {
		return config === undefined
			? undefined
			: {
					field,
					message: `Camera movement "${String(type)}" takes no axis values`,
					description: 'Only the "simple" movement uses axis values.',
				};
	}
	const axes = (config ?? {}) as IDataObject;
	const nonZero = CAMERA_AXES.filter((axis) => Number(axes[axis] ?? 0) !== 0);
	for (const axis of CAMERA_AXES) {
		const value = Number(axes[axis] ?? 0);
		if (!Number.isFinite(value) || value < -10 || value > 10) {
			return {
				field,
				message: `Camera ${axis} is ${String(axes[axis])}; it must be between -10 and 10`,
			};
		}
	}
	if (nonZero.length !== 1) {
		return {
			field,
			message: `A simple camera movement needs exactly one non-zero axis; got ${nonZero.length} (${nonZero.join(', ') || 'none'})`,
			description:
				'Set one of horizontal, vertical, pan, tilt, roll or zoom and leave the others at 0.',
		};
	}
	return undefined;
}

function checkOptionsForModel(kind: TaskKind, body: IDataObject): Problem | undefined {
	const model = String(body.model_name);
	const info = modelInfo(model);

	if (body.mode !== undefined && !['std', 'pro', '4k'].includes(String(body.mode))) {
		return {
			field: 'Mode',
			message: `Mode "${String(body.mode)}" is unknown`,
			description: 'Use std (Standard) or pro (Professional).',
		};
	}
	const durations = info?.durations ?? THREE_TO_FIFTEEN;
	if (body.duration !== undefined && !durations.includes(String(body.duration))) {
		return {
			field: 'Duration',
			message: `Duration ${String(body.duration)} s is not available for ${model}`,
			description: `Use one of: ${durations.join(', ')} seconds.`,
		};
	}
	if (body.aspect_ratio !== undefined) {
		const ratio = String(body.aspect_ratio);
		if (README_ONLY_ASPECT_RATIOS.includes(ratio)) {
			return {
				field: 'Aspect Ratio',
				message: `Kling's API does not accept the aspect ratio ${ratio}`,
				description: `Older Kling documentation lists it, but the API rejects it. Use ${ASPECT_RATIOS.join(', ')}.`,
			};
		}
		if (!ASPECT_RATIOS.includes(ratio)) {
			return {
				field: 'Aspect Ratio',
				message: `Aspect ratio "${ratio}" is unknown`,
				description: `Use ${ASPECT_RATIOS.join(', ')}.`,
			};
		}
	}
	if (body.cfg_scale !== undefined) {
		const range = checkCfgScale(body.cfg_scale);
		if (range) return range;
		const cfg = Number(body.cfg_scale);
		if (info && !info.cfgScale && cfg !== DEFAULT_CFG_SCALE) {
			return {
				field: 'CFG Scale',
				message: `Model ${model} ignores CFG Scale`,
				description: `Leave CFG Scale at ${DEFAULT_CFG_SCALE}, or choose a kling-v1 model to use it.`,
			};
		}
	}
	const professional = body.mode === 'pro';
	if (body.image_tail !== undefined && info?.proOnly.includes('tailFrame') && !professional) {
		return {
			field: 'End Frame',
			message: `Model ${model} supports an end frame only in Professional mode`,
			description: 'Set Mode to Professional, or remove the end frame.',
		};
	}
	if (body.sound === 'on' && info?.proOnly.includes('sound') && !professional) {
		return {
			field: 'Sound',
			message: `Model ${model} generates sound only in Professional mode`,
			description: 'Set Mode to Professional, or turn sound off.',
		};
	}
	if (body.image_tail !== undefined && info && !info.tailFrame) {
		return {
			field: 'End Frame',
			message: `Model ${model} does not support an end frame`,
			description:
				'Remove the end frame or choose kling-v1-6, kling-v2-1, kling-v2-5-turbo or newer.',
		};
	}
	if (body.sound !== undefined && body.sound === 'on' && info && !info.sound) {
		return {
			field: 'Sound',
			message: `Model ${model} cannot generate sound`,
			description: 'Turn sound off or choose kling-v2-6 or kling-v3.',
		};
	}
	if (body.camera_control !== undefined) {
		return checkCamera(kind, model, body.camera_control);
	}
	return checkKlingV3Options(body);
}

/**
 * Validates a create-task body and returns the body to send: model-dependent fields the model
 * would ignore (mode of master models, default cfg_scale of v2+ models) are left out.
 */
export function prepareSubmissionBody(
	kind: TaskKind,
	input: IDataObject,
): { body: IDataObject } | { problem: Problem } {
	if (isV3Kind(kind)) return prepareV3Submission(kind, input);
	const body = withoutEmptyValues(input);
	const problem =
		checkModel(kind, body.model_name) ??
		checkText(body, 'prompt', 'Prompt', kind !== 'image2video' && !isCustomMultiShot(body)) ??
		checkText(body, 'negative_prompt', 'Negative Prompt', false) ??
		checkOptionsForModel(kind, body);
	if (problem) return { problem };

	if (kind === 'multi-image2video') {
		const list = body.image_list;
		if (!Array.isArray(list) || list.length === 0) {
			return {
				problem: {
					field: 'Images',
					message: 'No reference images given',
					description: 'Add between 1 and 4 images.',
				},
			};
		}
		if (list.length > MAX_MULTI_IMAGES) {
			return {
				problem: {
					field: 'Images',
					message: `${list.length} reference images given; Kling accepts at most ${MAX_MULTI_IMAGES}`,
					description: 'Remove images until at most 4 remain.',
				},
			};
		}
	}
	if (kind === 'image2video' && (body.image === undefined || body.image === '')) {
		return {
			problem: {
				field: 'Image',
				message: 'Image is missing',
				description: 'Give an image URL or base64 data, or choose a binary property.',
			},
		};
	}
	const callback = checkCallbackUrl(body.callback_url);
	if (callback) return { problem: callback };

	const info = modelInfo(String(body.model_name));
	if (info?.fixedMode) delete body.mode;
	if (info && !info.cfgScale) delete body.cfg_scale;
	return { body };
}

function parseUrl(value: unknown): URL | undefined {
	try {
		return new URL(String(value ?? '').trim());
	} catch {
		return undefined;
	}
}

/**
 * An address as it may be shown in errors, descriptions and logs: scheme and host only. A
 * gateway URL can carry a key in its user-info (`user:pw@`), path or query; none of it is shown.
 */
export function displayOrigin(value: unknown): string | undefined {
	const url = parseUrl(value);
	if (!url || !url.host) return url ? `${url.protocol}` : undefined;
	return `${url.protocol}//${url.host}`;
}

/** The four numbers of a dotted IPv4 literal, or undefined. */
function ipv4Parts(host: string): number[] | undefined {
	const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
	if (!match) return undefined;
	const parts = match.slice(1).map(Number);
	return parts.every((part) => part <= 255) ? parts : undefined;
}

/** The eight 16-bit groups of an IPv6 literal (brackets removed, as the URL parser writes it). */
function ipv6Groups(host: string): number[] | undefined {
	if (!host.includes(':')) return undefined;
	let text = host.toLowerCase();
	// An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
	const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
	if (tail) {
		const v4 = ipv4Parts(tail[1]);
		if (!v4) return undefined;
		text =
			text.slice(0, -tail[1].length) +
			`${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
	}
	const halves = text.split('::');
	if (halves.length > 2) return undefined;
	const read = (part: string) => (part ? part.split(':') : []);
	const head = read(halves[0]);
	const rest = halves.length === 2 ? read(halves[1]) : [];
	const missing = 8 - head.length - rest.length;
	if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
	const groups = [...head, ...Array<string>(Math.max(0, missing)).fill('0'), ...rest];
	if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
	return groups.map((group) => parseInt(group, 16));
}

function isPrivateIpv4([a, b]: number[]): boolean {
	return (
		a === 0 || // 0.0.0.0/8 ("this host")
		a === 10 ||
		a === 127 ||
		(a === 169 && b === 254) ||
		(a === 172 && b >= 16 && b <= 31) ||
		(a === 192 && b === 168)
	);
}

/** Loopback only: where plain http is acceptable (a test server on this machine). */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	if (host === 'localhost') return true;
	const v4 = ipv4Parts(host);
	if (v4) return v4[0] === 127;
	const v6 = ipv6Groups(host);
	return !!v6 && v6.slice(0, 7).every((group) => group === 0) && v6[7] === 1;
}

/**
 * Loopback, private, link-local and unspecified addresses (literal hosts only; no DNS look-up):
 * 10/8, 172.16/12, 192.168/16, 169.254/16, 127/8, 0/8, ::1, ::, fc00::/7, fe80::/10, and IPv4
 * addresses written as IPv6 (::ffff:a.b.c.d).
 */
export function isPrivateHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	// *.localhost names are reserved for loopback (RFC 6761) but resolve only where the system says so.
	if (isLoopbackHost(host) || host.endsWith('.localhost')) return true;
	const v4 = ipv4Parts(host);
	if (v4) return isPrivateIpv4(v4);
	const v6 = ipv6Groups(host);
	if (!v6) return false;
	if (v6.every((group) => group === 0)) return true;
	if ((v6[0] & 0xfe00) === 0xfc00 || (v6[0] & 0xffc0) === 0xfe80) return true;
	const mapped = v6.slice(0, 5).every((group) => group === 0) && v6[5] === 0xffff;
	return mapped && isPrivateIpv4([v6[6] >> 8, v6[6] & 0xff, v6[7] >> 8, v6[7] & 0xff]);
}

const BASE_URL_HELP = `Open the Kling credential and set Base URL to ${DEFAULT_BASE_URL} (or your region or proxy).`;

/**
 * Kling's credential must point at an https host (plain http only on this machine): a typo here
 * would send the key elsewhere, and over http anyone on the way could read it. Messages show
 * the address as scheme and host only.
 */
export function checkBaseUrl(value: unknown): Problem | undefined {
	const field = 'Base URL';
	const url = parseUrl(value);
	const shown = displayOrigin(value);
	const quoted = shown ? ` "${shown}"` : '';
	if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) {
		return {
			field,
			message: `The Base URL${quoted} in the Kling credential is not a valid http(s) address`,
			description: BASE_URL_HELP,
		};
	}
	if (url.username || url.password) {
		return {
			field,
			message: `The Base URL${quoted} in the Kling credential contains a user name or password`,
			description: `Remove the "user:password@" part from the Base URL; the Kling key goes into the API Key (or Access Key and Secret Key) fields. ${BASE_URL_HELP}`,
		};
	}
	if (url.search || url.hash) {
		return {
			field,
			message: `The Base URL${quoted} in the Kling credential has a query (?…) or fragment (#…) part`,
			description: `Kling's paths are appended to the Base URL, so it must end with the host or a path. Remove everything from "?" or "#" on. ${BASE_URL_HELP}`,
		};
	}
	if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
		return {
			field,
			message: `The Base URL${quoted} in the Kling credential uses plain http`,
			description: `Over http the Kling key and your prompts travel unencrypted. Use an https:// address; plain http:// is only accepted for a server on this machine (localhost, 127.0.0.1, [::1]). ${BASE_URL_HELP}`,
		};
	}
	return undefined;
}

/**
 * A media URL from Kling's answer (the video to download) must be https and must not point into
 * a private network — unless it is on the Base URL's own host (a test server or gateway), or
 * the Base URL itself is local. Returns why it is refused, showing only scheme and host.
 */
export function checkMediaUrl(mediaUrl: unknown, baseUrl: unknown): string | undefined {
	const url = parseUrl(mediaUrl);
	const base = parseUrl(baseUrl);
	const shown = displayOrigin(mediaUrl) ?? 'an unreadable address';
	if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) {
		return `Kling's answer points the video at ${shown}, which is not an http(s) address`;
	}
	if (base && url.host === base.host && ['http:', 'https:'].includes(base.protocol)) {
		return undefined;
	}
	if (url.protocol !== 'https:') {
		return `Kling's answer points the video at ${shown}; only https:// video addresses are downloaded`;
	}
	if (isPrivateHost(url.hostname) && !(base && isPrivateHost(base.hostname))) {
		return `Kling's answer points the video at ${shown}, a private or local network address; it is not downloaded`;
	}
	return undefined;
}

export function normaliseBaseUrl(value: unknown): string {
	return String(value ?? '')
		.trim()
		.replace(/\/+$/, '');
}

export interface ProxySetting {
	host: string;
	port: number;
	protocol: string;
	auth?: { username: string; password: string };
}

function decodeOrRaw(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		// A password such as "50%off" is not percent-encoding: keep it as typed.
		return text;
	}
}

/**
 * Reads the Proxy request option (`[scheme://][user[:password]@]host[:port]`). The user-info
 * runs to the last "@", so a password may hold "@", "/", "#", "?" or a bare "%"; a missing port
 * is the scheme's default (443 for https, else 80). A refusal shows scheme and host only.
 */
export function parseProxy(value: string): { proxy: ProxySetting } | { shown: string } {
	let text = value.trim();
	if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
	const schemeEnd = text.indexOf('://');
	const protocol = text.slice(0, schemeEnd).toLowerCase();
	const rest = text.slice(schemeEnd + 3);
	const at = rest.lastIndexOf('@');
	const userInfo = at >= 0 ? rest.slice(0, at) : '';
	const hostPart = rest.slice(at + 1).split(/[/?#]/)[0];
	const shown = `"${protocol}://${hostPart}"`;
	let url: URL;
	try {
		url = new URL(`${protocol}://${hostPart}`);
	} catch {
		return { shown };
	}
	const host = url.hostname.replace(/^\[|\]$/g, '');
	if (!host || !['http', 'https'].includes(protocol)) return { shown };
	const proxy: ProxySetting = {
		host,
		port: url.port ? Number(url.port) : protocol === 'https' ? 443 : 80,
		protocol,
	};
	if (userInfo) {
		const colon = userInfo.indexOf(':');
		const username = colon >= 0 ? userInfo.slice(0, colon) : userInfo;
		const password = colon >= 0 ? userInfo.slice(colon + 1) : '';
		proxy.auth = { username: decodeOrRaw(username), password: decodeOrRaw(password) };
	}
	return { proxy };
}
