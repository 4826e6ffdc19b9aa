import type {
	IBinaryData,
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE, DEFAULT_BASE_URL } from './constants';
import { downloadError, inputError, klingApiError, taskFailedError } from './errors';
import { checkCredential, presentTaskWith, settingsOf, waitFrom } from './hooks';
import { taskStateOf } from './tasks';
import { failureOf, parseEnvelope, readKling, requestOptionsOfNode } from './transport';
import type { KlingTask } from './types';
import { normaliseBaseUrl } from './validation';

export const CUSTOM_VOICES_PATH = '/v1/general/custom-voices';
export const PRESET_VOICES_PATH = '/v1/general/presets-voices';
export const DELETE_VOICES_PATH = '/v1/general/delete-voices';
const PAGE_SIZE = 1000;
const MAX_PAGES = 20;

/**
 * Voice ids Kling's text to speech (used by Lip Sync and Avatar) accepts, from ComfyUI's Kling
 * node (single source, kling-api-more.md §4.4). They differ from /v1/general/presets-voices ids.
 */
export const SPEECH_VOICES: Array<{ id: string; english: boolean }> = [
	...[
		'commercial_lady_en_f-v1',
		'reader_en_m-v1',
		'oversea_male1',
		'uk_boy1',
		'uk_man2',
		'calm_story1',
		'girlfriend_4_speech02',
		'chat1_female_new-3',
		'chat_0407_5-1',
		'cartoon-boy-07',
		'cartoon-girl-01',
		'PeppaPig_platform',
		'genshin_vindi2',
		'genshin_klee2',
		'genshin_kirara',
		'zhinen_xuesheng',
		'AOT',
		'ai_shatang',
		'ai_kaiya',
		'ai_chenjiahao_712',
		'ai_huangzhong_712',
		'ai_huangyaoshi_712',
		'ai_laoguowang_712',
		'chengshu_jiejie',
		'you_pingjing',
		'laopopo_speech02',
		'heainainai_speech02',
	].map((id) => ({ id, english: true })),
	...[
		'tiyuxi_xuedi',
		'tiexin_nanyou',
		'girlfriend_1_speech02',
		'girlfriend_2_speech02',
		'zhuxi_speech02',
		'uk_oldman3',
		'dongbeilaotie_speech02',
		'chongqingxiaohuo_speech02',
		'chuanmeizi_speech02',
		'chaoshandashu_speech02',
		'ai_taiwan_man2_speech02',
		'xianzhanggui_speech02',
		'tianjinjiejie_speech02',
		'diyinnansang_DB_CN_M_04-v2',
		'yizhipiannan-v1',
		'tianmeixuemei-v1',
		'daopianyansang-v1',
		'mengwa-v1',
	].map((id) => ({ id, english: false })),
];

export const DEFAULT_SPEECH_VOICE = 'commercial_lady_en_f-v1';

export interface Voice extends IDataObject {
	voice_id: string;
	voice_name: string;
	trial_url: string;
	owned_by: string;
}

/** The voices in a list answer: each entry is a task whose task_result.voices holds them. */
export function voicesOf(tasks: unknown): Array<{ voice: Voice; task: KlingTask }> {
	if (!Array.isArray(tasks)) return [];
	const found: Array<{ voice: Voice; task: KlingTask }> = [];
	for (const task of tasks as KlingTask[]) {
		for (const voice of (task?.task_result?.voices ?? []) as Voice[]) {
			if (voice?.voice_id !== undefined) found.push({ voice, task });
		}
	}
	return found;
}

/** The voice list offered in Lip Sync and Avatar: the account's custom voices, then Kling's. */
export async function getVoices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const options: INodePropertyOptions[] = [];
	try {
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const answer = (await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, {
			method: 'GET',
			baseURL: normaliseBaseUrl(credentials.baseUrl) || DEFAULT_BASE_URL,
			url: CUSTOM_VOICES_PATH,
			qs: { pageNum: 1, pageSize: PAGE_SIZE },
			json: true,
		})) as IDataObject;
		const envelope = parseEnvelope(answer);
		for (const { voice } of voicesOf(envelope?.code === 0 ? envelope.data : [])) {
			options.push({
				name: `${String(voice.voice_name || voice.voice_id)} (Custom Voice)`,
				value: String(voice.voice_id),
				description:
					'Your custom voice. Whether text to speech accepts custom voices is not documented by Kling.',
			});
		}
	} catch {
		// The list still offers Kling's voices; a custom voice ID can be given as an expression.
	}
	for (const { id, english } of SPEECH_VOICES) {
		options.push({
			name: `${id} (${english ? 'English and Chinese' : 'Chinese'})`,
			value: id,
		});
	}
	return options;
}

// ---------------------------------------------------------------------------------------------
// Output of the Voice operations

function mimeTypeOf(url: string, contentType: unknown): { mimeType: string; extension: string } {
	const header = String(contentType ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
	const byExtension: Record<string, string> = {
		mp3: 'audio/mpeg',
		wav: 'audio/wav',
		m4a: 'audio/mp4',
		aac: 'audio/aac',
		ogg: 'audio/ogg',
		mp4: 'video/mp4',
		mov: 'video/quicktime',
	};
	let extension = '';
	try {
		extension = /\.([a-z0-9]{2,4})$/i.exec(new URL(url).pathname)?.[1].toLowerCase() ?? '';
	} catch {
		extension = '';
	}
	if (/^(audio|video)\//.test(header)) {
		const known = Object.entries(byExtension).find(([, type]) => type === header)?.[0];
		return { mimeType: header, extension: known ?? (extension || 'mp3') };
	}
	if (byExtension[extension]) return { mimeType: byExtension[extension], extension };
	return { mimeType: 'audio/mpeg', extension: 'mp3' };
}

/** Streams a voice's sample recording into binary data: kling-voice-<voice_id>.<ext>. */
async function downloadSample(ctx: IExecuteSingleFunctions, voice: Voice): Promise<IBinaryData> {
	const url = String(voice.trial_url ?? '');
	const response = (await ctx.helpers.httpRequest({
		...requestOptionsOfNode(ctx),
		method: 'GET',
		url,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as { statusCode: number; headers: IDataObject; body: { destroy?: () => void } };
	if (response.statusCode >= 300) {
		response.body?.destroy?.();
		throw downloadError(ctx, String(voice.voice_id), `HTTP ${response.statusCode}`);
	}
	const { mimeType, extension } = mimeTypeOf(url, response.headers?.['content-type']);
	return await ctx.helpers.prepareBinaryData(
		response.body as Parameters<IExecuteSingleFunctions['helpers']['prepareBinaryData']>[0],
		`kling-voice-${String(voice.voice_id)}.${extension}`,
		mimeType,
	);
}

async function itemWithSample(
	ctx: IExecuteSingleFunctions,
	task: KlingTask,
	voice: Voice | undefined,
): Promise<INodeExecutionData> {
	const item: INodeExecutionData = { json: task, pairedItem: { item: ctx.getItemIndex() } };
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	if (voice?.trial_url && options.downloadSample !== false) {
		const property = String(options.binaryPropertyName || 'data');
		item.binary = { [property]: await downloadSample(ctx, voice) };
	}
	return item;
}

/** Lists every page of a voice list (custom or preset). */
async function listVoices(
	ctx: IExecuteSingleFunctions,
	path: string,
	firstPage?: unknown,
): Promise<Array<{ voice: Voice; task: KlingTask }>> {
	const wait = waitFrom(ctx, settingsOf(ctx));
	const found: Array<{ voice: Voice; task: KlingTask }> = [];
	let page = firstPage;
	for (let pageNum = 1; pageNum <= MAX_PAGES; pageNum++) {
		if (page === undefined) {
			page = (
				await readKling(
					ctx,
					{ method: 'GET', url: path, qs: { pageNum, pageSize: PAGE_SIZE } },
					wait,
				)
			).data;
		}
		found.push(...voicesOf(page));
		if (!Array.isArray(page) || page.length < PAGE_SIZE) break;
		page = undefined;
	}
	return found;
}

function answerOf(ctx: IExecuteSingleFunctions, response: IN8nHttpFullResponse) {
	const envelope = parseEnvelope(response.body);
	const ok = envelope && envelope.code === 0 && response.statusCode < 300;
	return {
		envelope,
		ok,
		failure: () =>
			klingApiError(
				ctx,
				failureOf({
					status: response.statusCode,
					envelope,
					noAnswer: envelope ? undefined : 'unreadable answer',
				}),
			),
	};
}

/** preSend of Voice → Get and Delete: the ID must be given; the credential's Base URL checked. */
export async function prepareVoiceId(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const id = String(this.getNodeParameter('voiceId', '') ?? '').trim();
	if (!id) {
		throw inputError(this, {
			field: 'Voice ID',
			message: 'Voice ID is empty',
			description: 'Give the voice_id (or, for Get, the task ID of the voice creation).',
		});
	}
	await checkCredential(this);
	if (requestOptions.method === 'POST') return { ...requestOptions, body: { voice_id: id } };
	return requestOptions;
}

/** postReceive of Voice → Create and Get: the voice task; its sample as audio binary data. */
export async function outputVoiceTask(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const { envelope, ok, failure } = answerOf(this, response);
	const operation = String(this.getNodeParameter('operation', ''));
	let task = ok ? (envelope?.data as KlingTask | undefined) : undefined;
	let voice: Voice | undefined = (task?.task_result?.voices as Voice[] | undefined)?.[0];
	if (operation === 'get' && !task?.task_id) {
		// Not a task ID: Kling queries only by task, so look the voice up by voice_id in both lists.
		if (!ok && response.statusCode !== 404 && envelope?.code !== 1203) throw failure();
		const id = String(this.getNodeParameter('voiceId', '')).trim();
		const lists = [
			...(await listVoices(this, '/v1/general/custom-voices')),
			...(await listVoices(this, PRESET_VOICES_PATH)),
		];
		const match = lists.find((entry) => String(entry.voice.voice_id) === id);
		if (!match) {
			throw klingApiError(this, {
				httpStatus: 404,
				code: 1203,
				message: `No custom voice, preset voice or voice task has the ID ${id}`,
			});
		}
		task = { ...match.task, task_result: { voices: [match.voice] } };
		voice = match.voice;
	}
	if (!task?.task_id) throw failure();
	const settings = settingsOf(this);
	if (operation === 'create' && !settings.wait) {
		return [{ json: task, pairedItem: { item: this.getItemIndex() } }];
	}
	const state = taskStateOf(task.task_status);
	if (state === 'failed') throw taskFailedError(this, task.task_id, task.task_status_msg);
	return [await itemWithSample(this, task, state === 'succeeded' ? voice : undefined)];
}

/**
 * preSend of Voice → Create (after the prepare hook and submitPreparedTask): the finished voice
 * task is output with its sample as audio binary instead of a video download.
 */
export async function presentVoiceSample(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	presentTaskWith(this, async (ctx, task, json) => {
		if (!settingsOf(ctx).wait || taskStateOf(task.task_status) !== 'succeeded') {
			return [{ json, pairedItem: { item: ctx.getItemIndex() } }];
		}
		const voice = (task.task_result?.voices as Voice[] | undefined)?.[0];
		return [await itemWithSample(ctx, json as KlingTask, voice)];
	});
	return requestOptions;
}

/** postReceive of Voice → List: one item per voice, custom voices first, then Kling's presets. */
export async function outputVoiceList(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const { envelope, ok, failure } = answerOf(this, response);
	if (!ok) throw failure();
	const custom = await listVoices(this, CUSTOM_VOICES_PATH, envelope?.data ?? []);
	const presets = this.getNodeParameter('includePresets', true)
		? await listVoices(this, PRESET_VOICES_PATH)
		: [];
	const paired = { item: this.getItemIndex() };
	return [
		...custom.map(({ voice, task }) => ({
			json: { ...voice, source: 'custom', task_id: task.task_id, task_status: task.task_status },
			pairedItem: paired,
		})),
		...presets.map(({ voice }) => ({ json: { ...voice, source: 'preset' }, pairedItem: paired })),
	];
}

/** postReceive of Voice → Delete: Kling's answer with the deleted voice's ID. */
export async function outputVoiceDelete(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const { envelope, ok, failure } = answerOf(this, response);
	if (!ok) throw failure();
	const voiceId = String(this.getNodeParameter('voiceId', '')).trim();
	return [
		{
			json: { voice_id: voiceId, deleted: true, ...((envelope?.data as IDataObject) ?? {}) },
			pairedItem: { item: this.getItemIndex() },
		},
	];
}
