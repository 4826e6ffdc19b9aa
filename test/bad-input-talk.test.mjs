// "No paid call on bad input" for Lip Sync, Avatar and Voice: every input Kling would reject fails
// before the node sends anything to Kling, with a message naming the item and the field. Audio
// given by URL is read from a separate file server (a public URL is not Kling), so "zero requests"
// is checked on the fake Kling server's own log.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { runKling } from '../dev/engine.mjs';
import { makePng } from '../dev/images.mjs';
import { apiKeyCredentials, startFake, useFastRetries } from '../dev/kling.mjs';
import {
	avatar,
	binaryItem,
	lipSync,
	makeAac,
	makeMp4,
	makeWav,
	startFileServer,
	voice,
} from './talk-helpers.mjs';

const NOTHING_SENT = 'Nothing was sent to Kling.';
const SPEECH = '.mp3, .wav, .m4a, .aac';
const RECORDING = '.mp3, .wav, .mp4, .mov';

let fake;
let files;
beforeAll(async () => {
	useFastRetries();
	fake = await startFake();
	files = await startFileServer({
		'long.wav': { bytes: makeWav(61), type: 'audio/wav' },
		'short.mp3': { bytes: Buffer.from('ID3 not really audio'), type: 'audio/mpeg' },
	});
});
afterAll(async () => {
	await fake.close();
	await files.close();
});
beforeEach(() => {
	fake.reset();
	files.log.length = 0;
});

const audioItem = (bytes, mimeType = 'audio/wav', extra) => [
	binaryItem(bytes, mimeType, 'data', extra),
];
const withBinaryAudio = (parameters = {}) =>
	lipSync({ speechSource: 'audioBinary', audioBinaryProperty: 'data', ...parameters });
const binaryVideo = (parameters = {}) =>
	lipSync({ videoSource: 'binary', videoBinaryProperty: 'data', ...parameters });
const recording = (parameters = {}) =>
	voice('create', {
		voiceName: 'Narrator',
		voiceSource: 'binary',
		voiceBinaryProperty: 'data',
		...parameters,
	});

/** One bad input per row: `message` is the exact text before " (item 0, field 'F')". */
const BAD_INPUTS = [
	// Lip Sync: the video
	{
		name: 'empty Kling video ID',
		parameters: lipSync({ videoId: '={{ "" }}' }),
		field: 'Video ID',
		message: 'Video ID is empty',
	},
	{
		name: 'video URL that is not http(s)',
		parameters: lipSync({ videoSource: 'url', videoUrl: 'ftp://example.com/a.mp4' }),
		field: 'Video URL',
		message: 'Video URL "ftp://example.com/a.mp4" is not an http(s) URL',
	},
	{
		name: 'video URL of an .avi file',
		parameters: lipSync({ videoSource: 'url', videoUrl: 'https://example.com/clip.avi' }),
		field: 'Video URL',
		message: 'Video URL points at a .avi file; Kling accepts .mp4 and .mov',
	},
	{
		name: 'binary video property missing',
		parameters: binaryVideo({ videoBinaryProperty: 'clip' }),
		field: 'Video',
		message: "The input item has no binary property 'clip'",
	},
	{
		name: 'binary video that is a PNG',
		parameters: binaryVideo(),
		items: [binaryItem(makePng(400, 400), 'video/mp4')],
		field: 'Video',
		message: 'Video is not an MP4 or MOV video',
	},
	{
		name: 'binary video of 70 s',
		parameters: binaryVideo(),
		items: [binaryItem(makeMp4(70, { brand: 'isom', width: 1280, height: 720 }), 'video/mp4')],
		field: 'Video',
		message: 'Video is 70 s long; Kling lip-syncs videos of 2 s to 60 s',
	},
	{
		name: 'binary video of 640x360 px',
		parameters: binaryVideo(),
		items: [binaryItem(makeMp4(5, { brand: 'isom', width: 640, height: 360 }), 'video/mp4')],
		field: 'Video',
		message: 'Video is 640x360 px; each side must be between 512 and 2160 px (720p or 1080p)',
	},
	// Lip Sync: text and voice
	{
		name: 'empty text',
		parameters: lipSync({ speechText: '   ' }),
		field: 'Text',
		message: 'Text is empty',
	},
	{
		name: 'text of 1,001 characters',
		parameters: lipSync({ speechText: 'a'.repeat(1001) }),
		field: 'Text',
		message: "Text is 1001 characters long; Kling's text to speech accepts at most 1000",
	},
	{
		name: 'missing voice',
		parameters: lipSync({ speechVoice: '={{ "" }}' }),
		field: 'Voice',
		message: 'Voice is empty',
	},
	{
		name: 'unknown voice language',
		parameters: lipSync({ voiceLanguage: '={{ "fr" }}' }),
		field: 'Voice Language',
		message: 'Voice Language "fr" is unknown',
	},
	{
		name: 'voice speed 2.5',
		parameters: lipSync({ voiceSpeed: 2.5 }),
		field: 'Voice Speed',
		message: 'Voice Speed is 2.5; it must be between 0.8 and 2',
	},
	// Lip Sync: audio
	{
		name: 'binary audio of 61 s (WAV)',
		parameters: withBinaryAudio(),
		items: audioItem(makeWav(61)),
		field: 'Audio',
		message: 'Audio is 61 s long; Kling accepts 2 s to 60 s',
	},
	{
		name: 'binary audio of 1 s (WAV)',
		parameters: withBinaryAudio(),
		items: audioItem(makeWav(1)),
		field: 'Audio',
		message: 'Audio is 1 s long; Kling accepts 2 s to 60 s',
	},
	{
		name: 'binary audio of 61 s (M4A)',
		parameters: withBinaryAudio(),
		items: audioItem(makeMp4(61), 'audio/mp4'),
		field: 'Audio',
		message: 'Audio is 61 s long; Kling accepts 2 s to 60 s',
	},
	{
		name: 'binary audio of 61 s (AAC)',
		parameters: withBinaryAudio(),
		items: audioItem(makeAac(61), 'audio/aac'),
		field: 'Audio',
		message: 'Audio is 61 s long; Kling accepts 2 s to 60 s',
	},
	{
		name: 'binary audio that is a PDF',
		parameters: withBinaryAudio(),
		items: audioItem(Buffer.from('%PDF-1.4\n%%EOF\n'), 'application/pdf'),
		field: 'Audio',
		message: `Audio is not an audio file Kling reads; Kling accepts ${SPEECH}`,
	},
	{
		name: 'binary audio over 5 MB (refused from its stored size)',
		parameters: withBinaryAudio(),
		items: audioItem(makeWav(3), 'audio/wav', { bytes: 6 * 1024 * 1024 }),
		field: 'Audio',
		message: 'Audio is 6.00 MB (6291456 bytes); Kling accepts at most 5 MB',
	},
	{
		name: 'audio URL of an .ogg file',
		parameters: lipSync({ speechSource: 'audioUrl', audioUrl: 'https://example.com/voice.ogg' }),
		field: 'Audio URL',
		message: `Audio URL points at a .ogg file; Kling accepts ${SPEECH}`,
	},
	{
		name: 'audio URL that does not exist',
		parameters: () => lipSync({ speechSource: 'audioUrl', audioUrl: `${files.url}/missing.mp3` }),
		field: 'Audio URL',
		message: 'Audio URL could not be read (HTTP 404)',
		fileRequests: 1,
	},
	{
		name: 'audio URL of 61 s',
		parameters: () => lipSync({ speechSource: 'audioUrl', audioUrl: `${files.url}/long.wav` }),
		field: 'Audio URL',
		message: 'Audio URL is 61 s long; Kling accepts 2 s to 60 s',
		fileRequests: 1,
	},
	{
		name: 'audio URL whose file is not audio',
		parameters: () => lipSync({ speechSource: 'audioUrl', audioUrl: `${files.url}/short.mp3` }),
		field: 'Audio URL',
		message: `Audio URL is not an audio file Kling reads; Kling accepts ${SPEECH}`,
		fileRequests: 1,
	},
	// Lip Sync: face and timing
	{
		name: 'face 0',
		parameters: lipSync({ faceNumber: 0 }),
		field: 'Face',
		message: 'Face is 0; it must be a whole number, 1 or more',
	},
	{
		name: 'face 1.5',
		parameters: lipSync({ faceNumber: 1.5 }),
		field: 'Face',
		message: 'Face is 1.5; it must be a whole number, 1 or more',
	},
	{
		name: 'cropped audio shorter than 2 s',
		parameters: { ...lipSync(), audioSettings: { soundStartTime: 1000, soundEndTime: 2500 } },
		field: 'Sound End Time',
		message: 'The audio from 1000 ms to 2500 ms is 1.5 s; Kling needs at least 2 s',
	},
	{
		name: 'sound end time after the end of the audio',
		parameters: { ...withBinaryAudio(), audioSettings: { soundEndTime: 5000 } },
		items: audioItem(makeWav(3)),
		field: 'Sound End Time',
		message: 'Sound End Time 5000 ms is after the end of the audio (3000 ms)',
	},
	{
		name: 'sound start time leaving less than 2 s of audio',
		parameters: { ...withBinaryAudio(), audioSettings: { soundStartTime: 1500 } },
		items: audioItem(makeWav(3)),
		field: 'Sound Start Time',
		message: 'Only 1.5 s of audio remain after Sound Start Time 1500 ms; Kling needs at least 2 s',
	},
	{
		name: 'sound volume 3',
		parameters: { ...lipSync(), audioSettings: { soundVolume: 3 } },
		field: 'Sound Volume',
		message: 'Sound Volume is 3; it must be between 0 and 2',
	},
	{
		name: 'negative sound insert time',
		parameters: { ...lipSync(), audioSettings: { soundInsertTime: -5 } },
		field: 'Sound Insert Time',
		message: 'Sound Insert Time is -5; it must be a whole number of milliseconds, 0 or more',
	},
	{
		name: 'callback URL over http',
		parameters: lipSync({}, { callbackUrl: 'http://example.com/hook' }),
		field: 'Callback URL',
		message: 'Callback URL "http://example.com/hook" is not an https:// URL',
	},
	// Avatar
	{
		name: 'avatar without a photo',
		parameters: avatar({ photo: '={{ "" }}' }),
		field: 'Photo',
		message: 'Photo is missing',
	},
	{
		name: 'avatar photo that is a GIF',
		parameters: avatar({ photoSource: 'binary', photoBinaryProperty: 'data' }),
		items: [binaryItem(Buffer.from('GIF89a'), 'image/gif')],
		field: 'Photo',
		message: "Binary property 'data' holds image/gif, not a JPG or PNG image",
	},
	{
		name: 'avatar photo of 200x200 px',
		parameters: avatar({ photoSource: 'binary', photoBinaryProperty: 'data' }),
		items: [binaryItem(makePng(200, 200), 'image/png')],
		field: 'Photo',
		message: 'Photo is 200x200 px; each side must be at least 300 px',
	},
	{
		name: 'avatar audio of 301 s',
		parameters: avatar({ speechSource: 'audioBinary', audioBinaryProperty: 'data' }),
		items: audioItem(makeWav(301)),
		field: 'Audio',
		message: 'Audio is 301 s long; Kling accepts 2 s to 300 s',
	},
	{
		name: 'avatar prompt of 2,501 characters',
		parameters: avatar({ avatarPrompt: 'p'.repeat(2501) }),
		field: 'Prompt',
		message: 'Prompt is 2501 characters long; Kling accepts at most 2500',
	},
	{
		name: 'avatar mode "ultra"',
		parameters: avatar({ avatarMode: '={{ "ultra" }}' }),
		field: 'Mode',
		message: 'Mode "ultra" is unknown',
	},
	{
		name: 'avatar without a voice',
		parameters: avatar({ speechVoice: '={{ " " }}' }),
		field: 'Voice',
		message: 'Voice is empty',
	},
	// Voice
	{
		name: 'voice without a name',
		parameters: recording({ voiceName: '={{ "" }}' }),
		field: 'Voice Name',
		message: 'Voice Name is empty',
	},
	{
		name: 'voice name of 21 characters',
		parameters: recording({ voiceName: 'n'.repeat(21) }),
		field: 'Voice Name',
		message: 'Voice Name is 21 characters long; Kling accepts at most 20',
	},
	{
		name: 'voice recording of 4 s',
		parameters: recording(),
		items: audioItem(makeWav(4)),
		field: 'Recording',
		message: 'Recording is 4 s long; Kling accepts 5 s to 30 s',
	},
	{
		name: 'voice recording of 31 s',
		parameters: recording(),
		items: audioItem(makeWav(31)),
		field: 'Recording',
		message: 'Recording is 31 s long; Kling accepts 5 s to 30 s',
	},
	{
		name: 'voice recording in AAC',
		parameters: recording(),
		items: audioItem(makeAac(10), 'audio/aac'),
		field: 'Recording',
		message: `Recording is in AAC format; Kling accepts ${RECORDING}`,
	},
	{
		name: 'voice recording URL of a .txt file',
		parameters: recording({ voiceSource: 'url', voiceUrl: 'https://example.com/notes.txt' }),
		field: 'Recording URL',
		message: `Recording URL points at a .txt file; Kling accepts ${RECORDING}`,
	},
	{
		name: 'voice from an empty video ID',
		parameters: recording({ voiceSource: 'videoId', voiceVideoId: '={{ "" }}' }),
		field: 'Video ID',
		message: 'Video ID is empty',
	},
	{
		name: 'get voice without an ID',
		parameters: voice('get', { voiceId: ' ' }),
		field: 'Voice ID',
		message: 'Voice ID is empty',
	},
	{
		name: 'delete voice without an ID',
		parameters: voice('delete', { voiceId: '={{ "" }}' }),
		field: 'Voice ID',
		message: 'Voice ID is empty',
	},
];

describe('bad input for talking video and voices: the node stops before anything reaches Kling', () => {
	it('has at least 20 rows', () => {
		expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(20);
	});

	it.each(BAD_INPUTS.map((row) => [row.name, row]))('%s', async (_name, row) => {
		const parameters = typeof row.parameters === 'function' ? row.parameters() : row.parameters;
		const result = await runKling({
			parameters,
			items: row.items ?? [{ json: {} }],
			credentials: apiKeyCredentials(fake),
		});

		expect(result.status).toBe('error');
		// RoutingNode re-wraps a preSend error; the text the user sees is the node's own.
		expect(result.error.message).toBe(`${row.message} (item 0, field '${row.field}')`);
		expect(result.error.description.endsWith(NOTHING_SENT)).toBe(true);
		expect(result.error.context.itemIndex).toBe(0);
		expect(fake.log).toHaveLength(0);
		expect(files.log).toHaveLength(row.fileRequests ?? 0);
	});
});
