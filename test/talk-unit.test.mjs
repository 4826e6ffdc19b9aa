// Pieces of the talking-video support on their own: audio length from the bytes, the voice list
// offered in Lip Sync and Avatar (loadOptions), and the operations as an AI agent sees them.
import { createRequire } from 'node:module';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { loadPackage, projectRoot, runKling } from '../dev/engine.mjs';
import { SECRETS, apiKeyCredentials, startFake } from '../dev/kling.mjs';
import { makeAac, makeMp3, makeMp4, makeWav, voice } from './talk-helpers.mjs';

const require = createRequire(import.meta.url);
const workflow = require('n8n-workflow');
const { NodeHelpers, deepCopy } = workflow;
const { createNodeAsTool } = require(
	path.join(
		path.dirname(require.resolve('n8n-core')),
		'execution-engine/node-execution-context/utils/create-node-as-tool.js',
	),
);
const { readMediaInfo } = require(path.join(projectRoot, 'dist/nodes/Kling/shared/audioInfo.js'));
const { checkAudioBytes, LIP_SYNC_AUDIO, AVATAR_AUDIO, VOICE_AUDIO } = require(
	path.join(projectRoot, 'dist/nodes/Kling/shared/talk.js'),
);
const { SPEECH_VOICES } = require(path.join(projectRoot, 'dist/nodes/Kling/shared/voices.js'));

describe('audio format and length from the bytes', () => {
	it.each([
		['WAV 3 s', makeWav(3), { format: 'wav', durationMs: 3000 }],
		['WAV 61.5 s at 16 kHz', makeWav(61.5, 16000), { format: 'wav', durationMs: 61500 }],
		['MP3 4 s (ID3 tag, 153 frames)', makeMp3(4), { format: 'mp3', durationMs: 3997 }],
		['ADTS AAC 10 s (431 frames)', makeAac(10), { format: 'aac', durationMs: 10008 }],
		['M4A 12.5 s', makeMp4(12.5), { format: 'mp4', durationMs: 12500, brand: 'M4A ' }],
		[
			'MP4 video 1280x720, 8 s',
			makeMp4(8, { brand: 'isom', width: 1280, height: 720 }),
			{ format: 'mp4', durationMs: 8000, width: 1280, height: 720 },
		],
	])('%s', (_name, bytes, expected) => {
		expect(readMediaInfo(bytes)).toMatchObject(expected);
	});

	it('reads nothing from text, a PNG or a lone MPEG sync word', () => {
		expect(readMediaInfo(Buffer.from('just some text, not audio at all'))).toBeUndefined();
		expect(
			readMediaInfo(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])),
		).toBeUndefined();
		expect(readMediaInfo(Buffer.from([0xff, 0xfb, 0x90, 0x00, 1, 2, 3]))).toBeUndefined();
	});

	it('applies each operation its own limits (lip sync 2–60 s, avatar 2–300 s, voices 5–30 s)', () => {
		const ninety = makeWav(90);
		expect(checkAudioBytes(ninety, 'Audio', LIP_SYNC_AUDIO).problem.message).toBe(
			'Audio is 90 s long; Kling accepts 2 s to 60 s',
		);
		expect(checkAudioBytes(ninety, 'Audio', AVATAR_AUDIO)).toEqual({ durationMs: 90000 });
		expect(checkAudioBytes(makeWav(5), 'Recording', VOICE_AUDIO)).toEqual({ durationMs: 5000 });
		expect(checkAudioBytes(makeWav(2), 'Audio', LIP_SYNC_AUDIO)).toEqual({ durationMs: 2000 });
		expect(checkAudioBytes(makeWav(60), 'Audio', LIP_SYNC_AUDIO)).toEqual({ durationMs: 60000 });
		expect(
			checkAudioBytes(
				makeMp4(10, { brand: 'qt  ', width: 1920, height: 1080 }),
				'Recording',
				VOICE_AUDIO,
			),
		).toEqual({
			durationMs: 10000,
		});
	});
});

describe('voice list for the Voice fields (loadOptions)', () => {
	let fake;
	let getVoices;
	beforeAll(async () => {
		fake = await startFake();
		const loader = await loadPackage();
		getVoices = loader.nodeTypes.kling.type.methods.loadOptions.getVoices;
	});
	afterAll(async () => await fake.close());

	/** The parts of n8n's load-options context the method uses, sending real HTTP requests. */
	function context(baseUrl) {
		return {
			getCredentials: async () => ({ authType: 'apiKey', apiKey: SECRETS.apiKey, baseUrl }),
			helpers: {
				httpRequestWithAuthentication: async (_type, options) => {
					const url = new URL(options.url, `${options.baseURL}/`);
					for (const [key, value] of Object.entries(options.qs ?? {}))
						url.searchParams.set(key, String(value));
					const response = await fetch(url, {
						headers: { Authorization: `Bearer ${SECRETS.apiKey}` },
					});
					return await response.json();
				},
			},
		};
	}

	it("lists the account's custom voices first, then Kling's text-to-speech voices", async () => {
		const created = await runKling({
			parameters: voice(
				'create',
				{ voiceName: 'Course host', voiceSource: 'videoId', voiceVideoId: 'v-1' },
				{ pollInterval: 1 },
			),
			credentials: apiKeyCredentials(fake),
		});
		const voiceId = created.items[0].json.task_result.voices[0].voice_id;

		const options = await getVoices.call(context(fake.url));
		expect(options[0]).toMatchObject({ name: 'Course host (Custom Voice)', value: voiceId });
		expect(options.slice(1).map((option) => option.value)).toEqual(
			SPEECH_VOICES.map((entry) => entry.id),
		);
		expect(options).toContainEqual({
			name: 'commercial_lady_en_f-v1 (English and Chinese)',
			value: 'commercial_lady_en_f-v1',
		});
		expect(
			fake.log
				.filter((entry) => entry.path === '/v1/general/custom-voices' && entry.method === 'GET')
				.at(-1).query,
		).toEqual({
			pageNum: '1',
			pageSize: '1000',
		});
	});

	it('asks the default Base URL when the credential leaves it empty', async () => {
		const asked = [];
		const options = await getVoices.call({
			getCredentials: async () => ({ authType: 'apiKey', apiKey: 'k', baseUrl: '' }),
			helpers: {
				httpRequestWithAuthentication: async (_type, request) => {
					asked.push(request.baseURL);
					throw new Error('offline');
				},
			},
		});
		expect(asked).toEqual(['https://api-singapore.klingai.com']);
		expect(options).toHaveLength(SPEECH_VOICES.length);
	});

	it("still offers Kling's voices when the account cannot be reached", async () => {
		const options = await getVoices.call(context('http://127.0.0.1:9'));
		expect(options.map((option) => option.value)).toEqual(SPEECH_VOICES.map((entry) => entry.id));
	});
});

describe('as an AI agent tool', () => {
	let loaded;
	let tool;
	beforeAll(async () => {
		loaded = (await loadPackage()).nodeTypes.kling.type;
		tool = deepCopy(loaded.description);
		tool.name = 'klingTool';
		tool.properties.unshift({
			displayName: 'Tool Description',
			name: 'descriptionType',
			type: 'options',
			options: [{ name: 'Set Automatically', value: 'auto' }],
			default: 'auto',
		});
	});

	it('describes Lip Sync, Avatar and every Voice operation to the agent', () => {
		const describe = (resource, operation) =>
			NodeHelpers.getToolDescriptionForNode(
				{ parameters: { resource, operation, descriptionType: 'auto' } },
				{ description: tool },
			);
		expect(describe('video', 'lipSync')).toBe('Make a person in a video say new words in Kling');
		expect(describe('video', 'avatar')).toBe('Make a talking video from a photo in Kling');
		expect(describe('voice', 'create')).toBe('Create a custom voice in Kling');
		expect(describe('voice', 'list')).toBe('List voices in Kling');
		expect(describe('voice', 'get')).toBe('Get a voice in Kling');
		expect(describe('voice', 'delete')).toBe('Delete a custom voice in Kling');
		expect(loaded.description.usableAsTool).toBe(true);
	});

	it('builds a Lip Sync tool whose schema holds the parameters the agent fills with $fromAI', async () => {
		const calls = [];
		const { response } = createNodeAsTool({
			node: {
				id: 'tool-1',
				name: 'Kling lip sync',
				type: 'n8n-nodes-kling.klingTool',
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					resource: 'video',
					operation: 'lipSync',
					descriptionType: 'auto',
					videoId: "={{ $fromAI('videoId', 'Kling video id to lip-sync', 'string') }}",
					speechText: "={{ $fromAI('text', 'What the person says', 'string') }}",
				},
			},
			nodeType: { ...loaded, description: tool },
			handleToolInvocation: async (args) => {
				calls.push(args);
				return 'ok';
			},
		});
		expect(response.description).toBe('Make a person in a video say new words in Kling');
		expect(Object.keys(response.schema.shape).sort()).toEqual(['text', 'videoId']);
		expect(await response.invoke({ videoId: 'v-1', text: 'Hello' })).toBe('ok');
		expect(calls).toEqual([{ videoId: 'v-1', text: 'Hello' }]);
	});
});
