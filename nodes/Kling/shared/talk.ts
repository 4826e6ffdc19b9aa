import { createHash } from 'node:crypto';
import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readMediaInfo, type MediaFormat } from './audioInfo';
import { characters, checkCallbackUrl, checkTextValue } from './checks';
import { MAX_IMAGE_BYTES, TASK_PATHS } from './constants';
import { delays } from './delays';
import { inputError, klingApiError } from './errors';
import { adoptFoundTask, checkCredential, settingsOf, waitFrom } from './hooks';
import { deriveExternalTaskId, findByExternalId } from './tasks';
import {
	backoffMs,
	classify,
	failureOf,
	fitsBeforeDeadline,
	requestOptionsOfNode,
	sendToKling,
	sleepUnlessStopped,
	type KlingRequest,
	type WaitContext,
} from './transport';
import type { TaskKind } from './types';
import { checkImageBytes, checkImageSize, normaliseImageText, type Problem } from './validation';

/** Kling's documented limits for talking-video inputs (kling-api-more.md §4–§6). */
export const TALK_LIMITS = {
	maxAudioBytes: 5 * 1024 * 1024,
	lipSyncAudioMs: [2000, 60_000] as [number, number],
	avatarAudioMs: [2000, 300_000] as [number, number],
	voiceAudioMs: [5000, 30_000] as [number, number],
	minCroppedAudioMs: 2000,
	minOverlapMs: 2000,
	maxSpeechText: 1000,
	maxVoiceName: 20,
	maxVideoBytes: 100 * 1024 * 1024,
	videoMs: [2000, 60_000] as [number, number],
	videoSide: [512, 2160] as [number, number],
	voiceSpeed: [0.8, 2] as [number, number],
	volume: [0, 2] as [number, number],
};

export const VOICE_LANGUAGES = ['en', 'zh'];
const SPEECH_AUDIO: MediaFormat[] = ['mp3', 'wav', 'mp4', 'aac'];
const SPEECH_EXTENSIONS = ['mp3', 'wav', 'm4a', 'aac'];
const VIDEO_EXTENSIONS = ['mp4', 'mov'];
const FORMAT_NAME: Record<MediaFormat, string> = {
	mp3: 'MP3',
	wav: 'WAV',
	mp4: 'M4A/MP4',
	aac: 'AAC',
};

// ---------------------------------------------------------------------------------------------
// Small readers of node parameters

function fail(ctx: IExecuteSingleFunctions, problem: Problem): never {
	throw inputError(ctx, problem);
}

function text(ctx: IExecuteSingleFunctions, name: string): string {
	const value = ctx.getNodeParameter(name, '');
	return value === undefined || value === null ? '' : String(value).trim();
}

function seconds(ms: number): string {
	return `${+(ms / 1000).toFixed(1)} s`;
}

function sha256(data: Buffer | string): string {
	return createHash('sha256').update(data).digest('hex');
}

function extensionOf(url: string): string | undefined {
	try {
		const match = /\.([a-z0-9]{2,4})$/i.exec(new URL(url).pathname);
		return match?.[1].toLowerCase();
	} catch {
		return undefined;
	}
}

function isHttpUrl(value: string): boolean {
	return /^https?:\/\/[^\s/]+/i.test(value);
}

function numberIn(
	ctx: IExecuteSingleFunctions,
	value: unknown,
	field: string,
	[min, max]: [number, number],
	hint: string,
): number {
	const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < min || parsed > max) {
		fail(ctx, {
			field,
			message: `${field} is ${String(value)}; it must be between ${min} and ${max}`,
			description: hint,
		});
	}
	return parsed;
}

function wholeMs(ctx: IExecuteSingleFunctions, value: unknown, field: string): number {
	const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < 0) {
		fail(ctx, {
			field,
			message: `${field} is ${String(value)}; it must be a whole number of milliseconds, 0 or more`,
		});
	}
	return parsed;
}

// ---------------------------------------------------------------------------------------------
// Binary input

interface BinaryInput {
	data: Buffer;
	mimeType?: string;
}

async function readBinaryInput(
	ctx: IExecuteSingleFunctions,
	property: string,
	field: string,
	maxBytes: number,
	what: string,
): Promise<BinaryInput> {
	const name = property.trim();
	const binary = ctx.getInputData().binary?.[name];
	if (!name || !binary) {
		fail(ctx, {
			field,
			message: `The input item has no binary property '${name}'`,
			description: `Put the ${what} into that binary property with a previous node (e.g. Read/Write Files from Disk or HTTP Request), or change the property name.`,
		});
	}
	const tooBig = (bytes: number) =>
		fail(ctx, {
			field,
			message: `${field} is ${(bytes / 1024 / 1024).toFixed(2)} MB (${bytes} bytes); Kling accepts at most ${maxBytes / 1024 / 1024} MB`,
			description: `Use a smaller ${what}.`,
		});
	// The stored size is known without loading the file.
	if (typeof binary.bytes === 'number' && binary.bytes > maxBytes) tooBig(binary.bytes);
	const data = await ctx.helpers.getBinaryDataBuffer(name);
	if (data.length > maxBytes) tooBig(data.length);
	return { data, mimeType: binary.mimeType };
}

// ---------------------------------------------------------------------------------------------
// Audio

export interface AudioCheck {
	formats: MediaFormat[];
	extensions: string[];
	rangeMs: [number, number];
	/** Whether the length must be known (lip sync crops the audio by time). */
	needsLength: boolean;
}

export const LIP_SYNC_AUDIO: AudioCheck = {
	formats: SPEECH_AUDIO,
	extensions: SPEECH_EXTENSIONS,
	rangeMs: TALK_LIMITS.lipSyncAudioMs,
	needsLength: true,
};
export const AVATAR_AUDIO: AudioCheck = {
	formats: SPEECH_AUDIO,
	extensions: SPEECH_EXTENSIONS,
	rangeMs: TALK_LIMITS.avatarAudioMs,
	needsLength: false,
};
export const VOICE_AUDIO: AudioCheck = {
	formats: ['mp3', 'wav', 'mp4'],
	extensions: ['mp3', 'wav', 'mp4', 'mov'],
	rangeMs: TALK_LIMITS.voiceAudioMs,
	needsLength: false,
};

function formatList(check: AudioCheck): string {
	return check.extensions.map((extension) => `.${extension}`).join(', ');
}

/** Format, size and length of an audio file against Kling's limits; returns its length. */
export function checkAudioBytes(
	data: Buffer,
	field: string,
	check: AudioCheck,
): { durationMs?: number } | { problem: Problem } {
	if (data.length > TALK_LIMITS.maxAudioBytes && check !== VOICE_AUDIO) {
		return {
			problem: {
				field,
				message: `${field} is ${(data.length / 1024 / 1024).toFixed(2)} MB; Kling accepts at most 5 MB`,
				description: 'Compress the audio (e.g. MP3 at 128 kbit/s) or shorten it.',
			},
		};
	}
	const info = readMediaInfo(data);
	if (!info || !check.formats.includes(info.format)) {
		return {
			problem: {
				field,
				message: `${field} is ${info ? `in ${FORMAT_NAME[info.format]} format` : 'not an audio file Kling reads'}; Kling accepts ${formatList(check)}`,
				description: `Convert the audio to one of ${formatList(check)}.`,
			},
		};
	}
	const length = info.durationMs;
	if (length === undefined) {
		return check.needsLength
			? {
					problem: {
						field,
						message: `The length of ${field} cannot be read from the file`,
						description:
							"Set 'Sound End Time' in Audio Settings, or re-encode the audio as MP3 or WAV.",
					},
				}
			: {};
	}
	const [min, max] = check.rangeMs;
	if (length < min || length > max) {
		return {
			problem: {
				field,
				message: `${field} is ${seconds(length)} long; Kling accepts ${seconds(min)} to ${seconds(max)}`,
				description:
					length < min ? 'Use a longer recording.' : 'Shorten the audio or split it into parts.',
			},
		};
	}
	return { durationMs: length };
}

/** Checks an audio URL's form; the file itself is read later (see inspectAudioUrl). */
function checkAudioUrl(
	ctx: IExecuteSingleFunctions,
	url: string,
	field: string,
	check: AudioCheck,
) {
	if (!url) {
		fail(ctx, {
			field,
			message: `${field} is empty`,
			description: 'Give a public https:// address of the audio file.',
		});
	}
	if (!isHttpUrl(url)) {
		fail(ctx, {
			field,
			message: `${field} "${url.slice(0, 80)}" is not an http(s) URL`,
			description: 'Give a public https:// address of the audio file, or use a binary property.',
		});
	}
	const extension = extensionOf(url);
	// Addresses without an extension (signed links, APIs) are passed through: the file is checked below.
	if (extension && !check.extensions.includes(extension) && !/^(php|aspx?|cgi)$/.test(extension)) {
		fail(ctx, {
			field,
			message: `${field} points at a .${extension} file; Kling accepts ${formatList(check)}`,
			description: `Convert the audio to one of ${formatList(check)}.`,
		});
	}
}

/**
 * Downloads an audio URL (not from Kling — nothing is sent to Kling) to check its format and
 * length before anything is paid for. Kling fetches the URL itself afterwards.
 */
async function inspectAudioUrl(
	ctx: IExecuteSingleFunctions,
	url: string,
	field: string,
	check: AudioCheck,
): Promise<number | undefined> {
	let response: { statusCode: number; body: Buffer; headers: IDataObject } | undefined;
	let problem = '';
	try {
		response = (await ctx.helpers.httpRequest({
			...requestOptionsOfNode(ctx),
			method: 'GET',
			url,
			encoding: 'arraybuffer',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body: Buffer; headers: IDataObject };
	} catch (error) {
		problem = (error as Error)?.message?.split('\n')[0] ?? 'network error';
	}
	if (response && response.statusCode >= 300) problem = `HTTP ${response.statusCode}`;
	if (!response || problem) {
		fail(ctx, {
			field,
			message: `${field} could not be read (${problem})`,
			description:
				'The node reads the audio first to check its format and length. Check that the address is public and correct.',
		});
	}
	const result = checkAudioBytes(Buffer.from(response.body), field, check);
	if ('problem' in result) fail(ctx, result.problem);
	return result.durationMs;
}

// ---------------------------------------------------------------------------------------------
// Speech: text for Kling's text-to-speech, or an audio file (URL or binary)

export type Speech =
	| { type: 'text'; text: string; voiceId: string; language: string; speed: number }
	| {
			type: 'audio';
			/** What Kling gets as sound_file: the URL, or the file as base64. */
			soundFile: string;
			durationMs?: number;
			/** Identifies the audio in the external task ID without hashing the base64 twice. */
			fingerprint: string;
			url?: string;
	  };

/** Reads and checks the speech parameters of Lip Sync and Avatar (no request to Kling). */
export async function readSpeech(ctx: IExecuteSingleFunctions, check: AudioCheck): Promise<Speech> {
	const source = text(ctx, 'speechSource') || 'text';
	if (source === 'text') {
		const speech = String(ctx.getNodeParameter('speechText', '') ?? '');
		if (speech.trim() === '') {
			fail(ctx, {
				field: 'Text',
				message: 'Text is empty',
				description: 'Write what the person should say.',
			});
		}
		if (characters(speech) > TALK_LIMITS.maxSpeechText) {
			fail(ctx, {
				field: 'Text',
				message: `Text is ${characters(speech)} characters long; Kling's text to speech accepts at most ${TALK_LIMITS.maxSpeechText}`,
				description: 'Shorten the text, or record it and use Audio instead.',
			});
		}
		const voiceId = text(ctx, 'speechVoice');
		if (!voiceId) {
			fail(ctx, {
				field: 'Voice',
				message: 'Voice is empty',
				description: 'Choose a voice from the list, or give a voice ID with an expression.',
			});
		}
		const language = text(ctx, 'voiceLanguage') || 'en';
		if (!VOICE_LANGUAGES.includes(language)) {
			fail(ctx, {
				field: 'Voice Language',
				message: `Voice Language "${language}" is unknown`,
				description: 'Use en (English) or zh (Chinese).',
			});
		}
		const speed = numberIn(
			ctx,
			ctx.getNodeParameter('voiceSpeed', 1),
			'Voice Speed',
			TALK_LIMITS.voiceSpeed,
			'Use a speed from 0.8 (slower) to 2 (twice as fast); 1 is normal.',
		);
		return { type: 'text', text: speech, voiceId, language, speed: Math.round(speed * 10) / 10 };
	}
	if (source === 'audioUrl') {
		const url = text(ctx, 'audioUrl');
		checkAudioUrl(ctx, url, 'Audio URL', check);
		return { type: 'audio', soundFile: url, fingerprint: `url:${url}`, url };
	}
	if (source === 'audioBinary') {
		const field = 'Audio';
		const input = await readBinaryInput(
			ctx,
			text(ctx, 'audioBinaryProperty'),
			field,
			TALK_LIMITS.maxAudioBytes,
			'audio',
		);
		const result = checkAudioBytes(input.data, field, check);
		if ('problem' in result) fail(ctx, result.problem);
		return {
			type: 'audio',
			soundFile: input.data.toString('base64'),
			durationMs: result.durationMs,
			fingerprint: `sha256:${sha256(input.data)}`,
		};
	}
	return fail(ctx, {
		field: 'Speech',
		message: `Speech source "${source}" is unknown`,
		description: 'Choose Text, Audio URL or Audio Binary File.',
	});
}

/** Second step of reading speech: an audio URL is downloaded to check it (not from Kling). */
async function measureSpeech(
	ctx: IExecuteSingleFunctions,
	speech: Speech,
	check: AudioCheck,
): Promise<void> {
	if (speech.type === 'audio' && speech.url) {
		speech.durationMs = await inspectAudioUrl(ctx, speech.url, 'Audio URL', check);
	}
}

function speechSeed(speech: Speech): IDataObject {
	return speech.type === 'text'
		? { text: speech.text, voice: speech.voiceId, language: speech.language, speed: speech.speed }
		: { audio: speech.fingerprint };
}

// ---------------------------------------------------------------------------------------------
// Paid synchronous calls (identify-face, text to speech): no idempotency key exists for them,
// so they are never repeated once they may have reached Kling, and a node run reuses the
// answer (n8n's Retry On Fail re-runs the item in the same execution).

const paidAnswers = new Map<string, { data: IDataObject; expires: number }>();
const PAID_ANSWER_TTL_MS = 6 * 60 * 60 * 1000;
const PAID_ANSWER_MAX = 2000;

/** How many paid answers are remembered (for tests). */
export function rememberedPaidAnswers(): number {
	return paidAnswers.size;
}

function paidAnswerKey(ctx: IExecuteSingleFunctions, request: KlingRequest): string {
	const node = ctx.getNode();
	return sha256(
		JSON.stringify([
			ctx.getExecutionId(),
			node.id ?? node.name,
			ctx.getItemIndex(),
			request.url,
			request.body,
		]),
	);
}

function forgetOld(now: number): void {
	for (const [key, entry] of paidAnswers) if (entry.expires <= now) paidAnswers.delete(key);
	while (paidAnswers.size >= PAID_ANSWER_MAX) {
		paidAnswers.delete(paidAnswers.keys().next().value as string);
	}
}

/**
 * Sends a paid synchronous request at most once per item and node run. Only answers that prove
 * Kling did not process it (rate limit, concurrency full, token timing) are retried; a network
 * failure or server error is reported, because the call may have been charged.
 */
export async function paidCallOnce(
	ctx: IExecuteSingleFunctions,
	request: KlingRequest,
	wait: WaitContext,
	what: string,
): Promise<IDataObject> {
	const key = paidAnswerKey(ctx, request);
	const now = Date.now();
	const known = paidAnswers.get(key);
	if (known && known.expires > now) return known.data;
	let attempt = 0;
	let signedAgain = false;
	for (;;) {
		const result = await sendToKling(ctx, request, wait);
		const verdict = classify(result);
		if (verdict === 'ok' && result.envelope?.data && typeof result.envelope.data === 'object') {
			forgetOld(Date.now());
			paidAnswers.set(key, {
				data: result.envelope.data,
				expires: Date.now() + PAID_ANSWER_TTL_MS,
			});
			return result.envelope.data;
		}
		if (verdict === 'signAgain' && !signedAgain) {
			signedAgain = true;
			continue;
		}
		if (verdict === 'throttled' || verdict === 'busy') {
			const { retryBaseMs, retryMaxMs, minRetryMs } = delays();
			const delay = Math.max(
				minRetryMs,
				result.retryAfterMs ?? backoffMs(attempt++, retryBaseMs, retryMaxMs),
			);
			if (fitsBeforeDeadline(delay, wait)) {
				await sleepUnlessStopped(ctx, delay, wait);
				continue;
			}
		}
		const error = klingApiError(ctx, failureOf(result));
		if (verdict === 'transient' || verdict === 'ok') {
			error.description = `${error.description ?? ''} The ${what} may have reached Kling (it is billed per call), so it was not sent again.`;
		}
		throw error;
	}
}

// ---------------------------------------------------------------------------------------------
// Running a talking-video task: look up, paid pre-steps, create once, wait

function externalIdFor(ctx: IExecuteSingleFunctions, seed: IDataObject): string {
	const custom = String(
		(ctx.getNodeParameter('options', {}) as IDataObject).externalTaskId ?? '',
	).trim();
	if (custom) return custom;
	const workflow = ctx.getWorkflow();
	const node = ctx.getNode();
	return deriveExternalTaskId(
		workflow.id ?? workflow.name ?? '',
		node.id ?? node.name,
		ctx.getItemIndex(),
		seed,
	);
}

function callbackUrlOf(ctx: IExecuteSingleFunctions): string | undefined {
	const value = String(
		(ctx.getNodeParameter('options', {}) as IDataObject).callbackUrl ?? '',
	).trim();
	if (!value) return undefined;
	const problem = checkCallbackUrl(value);
	if (problem) fail(ctx, problem);
	return value;
}

function kindOfUrl(url: unknown): TaskKind {
	const kind = (Object.keys(TASK_PATHS) as TaskKind[]).find((key) => TASK_PATHS[key] === url);
	if (!kind) throw new Error(`No task kind is declared for ${String(url)}`);
	return kind;
}

/**
 * Finishes a prepare hook: when the work may need paid steps before the create, the task is first
 * looked up by its external ID (free), so a re-run never pays for those steps again.
 */
async function prepared(
	ctx: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
	seed: IDataObject,
	build: (wait: WaitContext) => Promise<IDataObject>,
	lookUpFirst: boolean,
): Promise<IHttpRequestOptions> {
	const kind = kindOfUrl(requestOptions.url);
	const externalId = externalIdFor(ctx, seed);
	const callbackUrl = callbackUrlOf(ctx);
	await checkCredential(ctx);
	const wait = waitFrom(ctx, settingsOf(ctx));
	if (lookUpFirst) {
		const existing = await findByExternalId(ctx, kind, externalId, wait);
		if (existing) {
			adoptFoundTask(ctx, existing);
			return { ...requestOptions, body: { external_task_id: externalId } };
		}
	}
	const body = await build(wait);
	if (callbackUrl) body.callback_url = callbackUrl;
	body.external_task_id = externalId;
	return { ...requestOptions, body };
}

// ---------------------------------------------------------------------------------------------
// Text to speech (POST /v1/audio/tts, synchronous)

async function speak(
	ctx: IExecuteSingleFunctions,
	speech: Extract<Speech, { type: 'text' }>,
	wait: WaitContext,
	check: AudioCheck,
): Promise<{ audioId: string; durationMs?: number }> {
	const data = await paidCallOnce(
		ctx,
		{
			method: 'POST',
			url: '/v1/audio/tts',
			body: {
				text: speech.text,
				voice_id: speech.voiceId,
				voice_language: speech.language,
				voice_speed: speech.speed,
			},
		},
		wait,
		'text-to-speech request',
	);
	const audio = (
		(data.task_result as IDataObject | undefined)?.audios as IDataObject[] | undefined
	)?.[0];
	const audioId = audio?.id === undefined ? '' : String(audio.id);
	if (!audioId) {
		throw klingApiError(ctx, {
			code: 0,
			message: 'Kling’s text-to-speech answer holds no audio id',
		});
	}
	const durationMs = Number.isFinite(Number(audio?.duration))
		? Math.round(Number(audio?.duration) * 1000)
		: undefined;
	const [min, max] = check.rangeMs;
	if (durationMs !== undefined && (durationMs < min || durationMs > max)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The spoken text is ${seconds(durationMs)} long; Kling accepts ${seconds(min)} to ${seconds(max)} of speech here`,
			{
				itemIndex: ctx.getItemIndex(),
				description: `${durationMs < min ? 'Write a longer text.' : 'Shorten the text.'} The text to speech (0.05 units) was charged; no video task was created.`,
			},
		);
	}
	return { audioId, durationMs };
}

// ---------------------------------------------------------------------------------------------
// Lip Sync: identify-face → advanced-lip-sync

interface VideoSource {
	body: IDataObject;
	fingerprint: string;
}

async function readLipSyncVideo(ctx: IExecuteSingleFunctions): Promise<VideoSource> {
	const source = text(ctx, 'videoSource') || 'videoId';
	if (source === 'videoId') {
		const id = text(ctx, 'videoId');
		if (!id) {
			fail(ctx, {
				field: 'Video ID',
				message: 'Video ID is empty',
				description:
					'Give the id of a video Kling generated in the last 30 days, e.g. {{ $json.task_result.videos[0].id }} from a previous Kling node (not the task ID).',
			});
		}
		return { body: { video_id: id }, fingerprint: `id:${id}` };
	}
	if (source === 'url') {
		const url = text(ctx, 'videoUrl');
		if (!isHttpUrl(url)) {
			fail(ctx, {
				field: 'Video URL',
				message: url
					? `Video URL "${url.slice(0, 80)}" is not an http(s) URL`
					: 'Video URL is empty',
				description: 'Give a public https:// address of an .mp4 or .mov video (2 to 60 seconds).',
			});
		}
		const extension = extensionOf(url);
		if (
			extension &&
			!VIDEO_EXTENSIONS.includes(extension) &&
			!/^(php|aspx?|cgi)$/.test(extension)
		) {
			fail(ctx, {
				field: 'Video URL',
				message: `Video URL points at a .${extension} file; Kling accepts .mp4 and .mov`,
				description: 'Convert the video to MP4.',
			});
		}
		return { body: { video_url: url }, fingerprint: `url:${url}` };
	}
	if (source === 'binary') {
		const field = 'Video';
		const input = await readBinaryInput(
			ctx,
			text(ctx, 'videoBinaryProperty'),
			field,
			TALK_LIMITS.maxVideoBytes,
			'video',
		);
		const info = readMediaInfo(input.data);
		if (info?.format !== 'mp4') {
			fail(ctx, {
				field,
				message: `${field} is not an MP4 or MOV video`,
				description: 'Kling accepts .mp4 and .mov videos.',
			});
		}
		const [minMs, maxMs] = TALK_LIMITS.videoMs;
		if (info.durationMs !== undefined && (info.durationMs < minMs || info.durationMs > maxMs)) {
			fail(ctx, {
				field,
				message: `${field} is ${seconds(info.durationMs)} long; Kling lip-syncs videos of ${seconds(minMs)} to ${seconds(maxMs)}`,
				description: 'Trim the video.',
			});
		}
		const [minSide, maxSide] = TALK_LIMITS.videoSide;
		const { width, height } = info;
		if (width && height && Math.min(width, height) > 0) {
			if (Math.min(width, height) < minSide || Math.max(width, height) > maxSide) {
				fail(ctx, {
					field,
					message: `${field} is ${width}x${height} px; each side must be between ${minSide} and ${maxSide} px (720p or 1080p)`,
					description: 'Resize the video to 720p or 1080p.',
				});
			}
		}
		// Kling documents only URLs and video ids here; the file travels as base64 (unverified).
		return {
			body: { video_url: input.data.toString('base64') },
			fingerprint: `sha256:${sha256(input.data)}`,
		};
	}
	return fail(ctx, {
		field: 'Video Source',
		message: `Video source "${source}" is unknown`,
		description: 'Choose Kling Video ID, Video URL or Binary File.',
	});
}

interface LipSyncTiming {
	startMs: number;
	endMs?: number;
	insertMs?: number;
	soundVolume: number;
	originalVolume: number;
}

function readLipSyncTiming(ctx: IExecuteSingleFunctions): LipSyncTiming {
	const settings = ctx.getNodeParameter('audioSettings', {}) as IDataObject;
	const given = (key: string) => settings[key] !== undefined && settings[key] !== '';
	const timing: LipSyncTiming = {
		startMs: given('soundStartTime')
			? wholeMs(ctx, settings.soundStartTime, 'Sound Start Time')
			: 0,
		endMs: given('soundEndTime')
			? wholeMs(ctx, settings.soundEndTime, 'Sound End Time')
			: undefined,
		insertMs: given('soundInsertTime')
			? wholeMs(ctx, settings.soundInsertTime, 'Sound Insert Time')
			: undefined,
		soundVolume: given('soundVolume')
			? numberIn(
					ctx,
					settings.soundVolume,
					'Sound Volume',
					TALK_LIMITS.volume,
					'Use 0 (silent) to 2 (twice as loud); 1 keeps it.',
				)
			: 1,
		originalVolume: given('originalAudioVolume')
			? numberIn(
					ctx,
					settings.originalAudioVolume,
					'Original Audio Volume',
					TALK_LIMITS.volume,
					'Use 0 (silent) to 2 (twice as loud); 1 keeps it.',
				)
			: 1,
	};
	if (timing.endMs !== undefined && timing.endMs === 0) timing.endMs = undefined; // 0 = end of audio
	if (timing.endMs !== undefined && timing.endMs - timing.startMs < TALK_LIMITS.minCroppedAudioMs) {
		fail(ctx, {
			field: 'Sound End Time',
			message: `The audio from ${timing.startMs} ms to ${timing.endMs} ms is ${seconds(Math.max(0, timing.endMs - timing.startMs))}; Kling needs at least 2 s`,
			description: 'Move Sound End Time at least 2000 ms after Sound Start Time.',
		});
	}
	return timing;
}

function readFaceNumber(ctx: IExecuteSingleFunctions): number {
	const value = ctx.getNodeParameter('faceNumber', 1);
	const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < 1) {
		fail(ctx, {
			field: 'Face',
			message: `Face is ${String(value)}; it must be a whole number, 1 or more`,
			description: '1 is the first face Kling finds in the video, 2 the second, and so on.',
		});
	}
	return parsed;
}

interface FaceData extends IDataObject {
	face_id: string;
	start_time?: number;
	end_time?: number;
}

function pickFace(
	ctx: IExecuteSingleFunctions,
	identified: IDataObject,
	faceNumber: number,
): FaceData {
	const faces = (Array.isArray(identified.face_data) ? identified.face_data : []) as FaceData[];
	const paidNote =
		'The face identification (0.05 units) was charged; no lip-sync task was created.';
	if (faces.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Kling found no face to lip-sync in the video', {
			itemIndex: ctx.getItemIndex(),
			description: `Use a video where one face is clearly visible for at least 2 seconds. ${paidNote}`,
		});
	}
	if (faceNumber > faces.length) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Face ${faceNumber} does not exist: Kling found ${faces.length} face${faces.length === 1 ? '' : 's'} in the video (item ${ctx.getItemIndex()}, field 'Face')`,
			{
				itemIndex: ctx.getItemIndex(),
				description: `Set Face to a number from 1 to ${faces.length}. ${paidNote}`,
			},
		);
	}
	return faces[faceNumber - 1];
}

/** preSend of Lip Sync: checks everything, then (unless the task exists) identify-face, TTS, body. */
export async function prepareLipSync(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const video = await readLipSyncVideo(this);
	const speech = await readSpeech(this, LIP_SYNC_AUDIO);
	const faceNumber = readFaceNumber(this);
	const timing = readLipSyncTiming(this);
	await measureSpeech(this, speech, LIP_SYNC_AUDIO);
	if (speech.type === 'audio') checkCrop(this, timing, speech.durationMs);
	const seed: IDataObject = {
		operation: 'lipSync',
		video: video.fingerprint,
		speech: speechSeed(speech),
		face: faceNumber,
		timing: { ...timing },
	};
	return await prepared(
		this,
		requestOptions,
		seed,
		async (wait) => {
			const identified = await paidCallOnce(
				this,
				{ method: 'POST', url: '/v1/videos/identify-face', body: video.body },
				wait,
				'face identification',
			);
			const face = pickFace(this, identified, faceNumber);
			const sound: IDataObject = {};
			let lengthMs: number | undefined;
			if (speech.type === 'text') {
				const spoken = await speak(this, speech, wait, LIP_SYNC_AUDIO);
				sound.audio_id = spoken.audioId;
				lengthMs = spoken.durationMs;
			} else {
				sound.sound_file = speech.soundFile;
				lengthMs = speech.durationMs;
			}
			const endMs = timing.endMs ?? lengthMs;
			if (endMs === undefined) {
				throw new NodeOperationError(this.getNode(), 'The length of the speech is unknown', {
					itemIndex: this.getItemIndex(),
					description: "Set 'Sound End Time' in Audio Settings.",
				});
			}
			if (lengthMs !== undefined && endMs > lengthMs) {
				throw new NodeOperationError(
					this.getNode(),
					`Sound End Time ${endMs} ms is after the end of the speech (${lengthMs} ms)`,
					{
						itemIndex: this.getItemIndex(),
						description: 'Lower Sound End Time or leave it empty.',
					},
				);
			}
			const insertMs = timing.insertMs ?? Number(face.start_time ?? 0);
			checkOverlap(this, face, insertMs, endMs - timing.startMs);
			return {
				session_id: String(identified.session_id ?? ''),
				face_choose: [
					{
						face_id: String(face.face_id),
						...sound,
						sound_start_time: timing.startMs,
						sound_end_time: endMs,
						sound_insert_time: insertMs,
						sound_volume: timing.soundVolume,
						original_audio_volume: timing.originalVolume,
					},
				],
			};
		},
		true,
	);
}

function checkCrop(ctx: IExecuteSingleFunctions, timing: LipSyncTiming, lengthMs?: number): void {
	if (lengthMs === undefined) return;
	if (timing.endMs !== undefined && timing.endMs > lengthMs) {
		fail(ctx, {
			field: 'Sound End Time',
			message: `Sound End Time ${timing.endMs} ms is after the end of the audio (${lengthMs} ms)`,
			description: 'Lower Sound End Time, or leave it empty to use the audio to its end.',
		});
	}
	const end = timing.endMs ?? lengthMs;
	if (end - timing.startMs < TALK_LIMITS.minCroppedAudioMs) {
		fail(ctx, {
			field: 'Sound Start Time',
			message: `Only ${seconds(Math.max(0, end - timing.startMs))} of audio remain after Sound Start Time ${timing.startMs} ms; Kling needs at least 2 s`,
			description: 'Lower Sound Start Time.',
		});
	}
}

function checkOverlap(
	ctx: IExecuteSingleFunctions,
	face: FaceData,
	insertMs: number,
	lengthMs: number,
): void {
	const faceStart = Number(face.start_time);
	const faceEnd = Number(face.end_time);
	if (!Number.isFinite(faceStart) || !Number.isFinite(faceEnd)) return;
	const overlap = Math.min(insertMs + lengthMs, faceEnd) - Math.max(insertMs, faceStart);
	if (overlap < TALK_LIMITS.minOverlapMs) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The speech placed at ${insertMs} ms overlaps the chosen face (visible ${faceStart}–${faceEnd} ms) for ${seconds(Math.max(0, overlap))}; Kling needs at least 2 s`,
			{
				itemIndex: ctx.getItemIndex(),
				description:
					"Change 'Sound Insert Time' in Audio Settings (empty = when the face appears), or choose another face. The face identification (0.05 units) was charged; no lip-sync task was created.",
			},
		);
	}
}

// ---------------------------------------------------------------------------------------------
// Avatar: photo + speech → talking video

async function readAvatarImage(
	ctx: IExecuteSingleFunctions,
): Promise<{ image: string; fingerprint: string }> {
	const field = 'Photo';
	if ((text(ctx, 'photoSource') || 'url') === 'binary') {
		const input = await readBinaryInput(
			ctx,
			text(ctx, 'photoBinaryProperty'),
			field,
			MAX_IMAGE_BYTES,
			'photo',
		);
		if (input.mimeType && !/^image\/(jpe?g|png)$/i.test(input.mimeType)) {
			fail(ctx, {
				field,
				message: `Binary property '${text(ctx, 'photoBinaryProperty')}' holds ${input.mimeType}, not a JPG or PNG image`,
				description: 'Kling accepts only .jpg/.jpeg and .png images.',
			});
		}
		const problem = checkImageSize(input.data.length, field) ?? checkImageBytes(input.data, field);
		if (problem) fail(ctx, problem);
		return { image: input.data.toString('base64'), fingerprint: `sha256:${sha256(input.data)}` };
	}
	const result = normaliseImageText(ctx.getNodeParameter('photo', ''), field);
	if ('problem' in result) fail(ctx, result.problem);
	const image = result.image;
	return { image, fingerprint: isHttpUrl(image) ? `url:${image}` : `sha256:${sha256(image)}` };
}

/** preSend of Avatar: photo, speech, prompt and mode; TTS first when the speech is text. */
export async function prepareAvatar(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const photo = await readAvatarImage(this);
	const speech = await readSpeech(this, AVATAR_AUDIO);
	const prompt = String(this.getNodeParameter('avatarPrompt', '') ?? '');
	const tooLong = checkTextValue(prompt, 'Prompt', false);
	if (tooLong) fail(this, tooLong);
	const mode = text(this, 'avatarMode') || 'std';
	if (!['std', 'pro'].includes(mode)) {
		fail(this, {
			field: 'Mode',
			message: `Mode "${mode}" is unknown`,
			description: 'Use std (Standard) or pro (Professional).',
		});
	}
	await measureSpeech(this, speech, AVATAR_AUDIO);
	const seed: IDataObject = {
		operation: 'avatar',
		image: photo.fingerprint,
		speech: speechSeed(speech),
		prompt,
		mode,
	};
	return await prepared(
		this,
		requestOptions,
		seed,
		async (wait) => {
			const body: IDataObject = { image: photo.image, mode };
			if (prompt.trim()) body.prompt = prompt;
			if (speech.type === 'text') {
				body.audio_id = (await speak(this, speech, wait, AVATAR_AUDIO)).audioId;
			} else {
				body.sound_file = speech.soundFile;
			}
			return body;
		},
		speech.type === 'text',
	);
}

// ---------------------------------------------------------------------------------------------
// Custom voice: create

/** preSend of Voice → Create: name and a 5–30 s recording (URL, binary) or a Kling video id. */
export async function prepareVoiceCreate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const name = text(this, 'voiceName');
	if (!name) {
		fail(this, {
			field: 'Voice Name',
			message: 'Voice Name is empty',
			description: 'Name the voice.',
		});
	}
	if (characters(name) > TALK_LIMITS.maxVoiceName) {
		fail(this, {
			field: 'Voice Name',
			message: `Voice Name is ${characters(name)} characters long; Kling accepts at most ${TALK_LIMITS.maxVoiceName}`,
			description: 'Use a shorter name.',
		});
	}
	const source = text(this, 'voiceSource') || 'url';
	const body: IDataObject = { voice_name: name };
	let fingerprint: string;
	if (source === 'videoId') {
		const id = text(this, 'voiceVideoId');
		if (!id) {
			fail(this, {
				field: 'Video ID',
				message: 'Video ID is empty',
				description:
					'Give the id of a Kling video with speech: a kling-v2-6 video made with sound, an Avatar or a Lip Sync video.',
			});
		}
		body.video_id = id;
		fingerprint = `id:${id}`;
	} else if (source === 'url') {
		const url = text(this, 'voiceUrl');
		checkAudioUrl(this, url, 'Recording URL', VOICE_AUDIO);
		await inspectAudioUrl(this, url, 'Recording URL', VOICE_AUDIO);
		body.voice_url = url;
		fingerprint = `url:${url}`;
	} else if (source === 'binary') {
		const input = await readBinaryInput(
			this,
			text(this, 'voiceBinaryProperty'),
			'Recording',
			TALK_LIMITS.maxVideoBytes,
			'recording',
		);
		const result = checkAudioBytes(input.data, 'Recording', VOICE_AUDIO);
		if ('problem' in result) fail(this, result.problem);
		// Kling documents a URL here; the file travels as base64 (unverified against the live API).
		body.voice_url = input.data.toString('base64');
		fingerprint = `sha256:${sha256(input.data)}`;
	} else {
		return fail(this, {
			field: 'Source',
			message: `Source "${source}" is unknown`,
			description: 'Choose Recording URL, Binary File or Kling Video ID.',
		});
	}
	return await prepared(
		this,
		requestOptions,
		{ operation: 'voiceCreate', name, source: fingerprint },
		async () => body,
		false,
	);
}
