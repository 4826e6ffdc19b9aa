// Lip Sync, Avatar and Voice run through n8n's engine (WorkflowExecute → RoutingNode) against the
// fake Kling server: exact requests, exact bytes out, and no paid step repeated.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { runKling, readBinary } from '../dev/engine.mjs';
import { talkVideoBytes, voiceSampleBytes } from '../dev/fake-kling/kinds/talk.mjs';
import { makePng } from '../dev/images.mjs';
import { apiKeyCredentials, expectNoSecrets, startFake, useFastRetries } from '../dev/kling.mjs';
import {
	avatar,
	binaryItem,
	creates,
	identifyCalls,
	lipSync,
	makeMp3,
	makeWav,
	startFileServer,
	ttsCalls,
	voice,
} from './talk-helpers.mjs';

const LIP_SYNC = '/v1/videos/advanced-lip-sync';
const AVATAR = '/v1/videos/avatar/image2video';
const VOICES = '/v1/general/custom-voices';

let fake;
let files;
beforeAll(async () => {
	useFastRetries();
	fake = await startFake();
	files = await startFileServer({
		'speech.wav': { bytes: makeWav(3), type: 'audio/wav' },
		'speech.mp3': { bytes: makeMp3(4), type: 'audio/mpeg' },
		'narrator.wav': { bytes: makeWav(10), type: 'audio/wav' },
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

const credentials = () => apiKeyCredentials(fake);

async function expectVideoOut(item, path) {
	const taskId = item.json.task_id;
	expect(item.json.task_status).toBe('succeed');
	expect(item.binary.data).toMatchObject({
		mimeType: 'video/mp4',
		fileName: `kling-${taskId}.mp4`,
	});
	expect((await readBinary(item.binary.data)).equals(talkVideoBytes(taskId))).toBe(true);
	expect(fake.tasks.get(taskId).kind).toBe(path.replace('/v1/', ''));
}

describe('lip sync', () => {
	it('video ID + text: identify-face, text to speech, one lip-sync task, MP4 out', async () => {
		const result = await runKling({ parameters: lipSync(), credentials: credentials() });

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		await expectVideoOut(result.items[0], LIP_SYNC);
		expect(result.items[0].pairedItem).toEqual({ item: 0 });

		expect(identifyCalls(fake).map((entry) => entry.body)).toEqual([
			{ video_id: 'v-860000000000000001' },
		]);
		expect(ttsCalls(fake).map((entry) => entry.body)).toEqual([
			{
				text: 'Welcome to the course. Today we learn spreadsheets.',
				voice_id: 'commercial_lady_en_f-v1',
				voice_language: 'en',
				voice_speed: 1,
			},
		]);
		const [create] = creates(fake, LIP_SYNC);
		const tts = ttsCalls(fake)[0];
		expect(create.body).toEqual({
			session_id: expect.stringMatching(/^session-/),
			face_choose: [
				{
					face_id: '0',
					audio_id: expect.stringMatching(/^audio-/),
					sound_start_time: 0,
					// 51 characters at the fake's 16 characters per second
					sound_end_time: 3188,
					sound_insert_time: 0,
					sound_volume: 1,
					original_audio_volume: 1,
				},
			],
			external_task_id: expect.stringMatching(/^n8n-[0-9a-f]{40}$/),
		});
		expect(tts.status).toBe(200);
		expect(fake.stats().submissions).toBe(1);
		expectNoSecrets(result, expect);
	});

	it('video URL + audio URL: the audio is read once (not from Kling) to find its length', async () => {
		const audioUrl = `${files.url}/speech.mp3`;
		const result = await runKling({
			parameters: lipSync(
				{
					videoSource: 'url',
					videoUrl: 'https://cdn.example.com/presenter.mp4',
					speechSource: 'audioUrl',
					audioUrl,
				},
				{},
			),
			credentials: credentials(),
		});

		expect(result.error).toBeUndefined();
		await expectVideoOut(result.items[0], LIP_SYNC);
		expect(files.log).toEqual(['speech.mp3']);
		expect(ttsCalls(fake)).toHaveLength(0);
		expect(identifyCalls(fake)[0].body).toEqual({
			video_url: 'https://cdn.example.com/presenter.mp4',
		});
		const choice = creates(fake, LIP_SYNC)[0].body.face_choose[0];
		// 4 s of MP3 = 153 frames of 1152 samples at 44.1 kHz = 3996.7 ms
		expect(choice).toMatchObject({
			sound_file: audioUrl,
			sound_start_time: 0,
			sound_end_time: 3997,
		});
	});

	it('binary audio is sent as base64; audio settings and the chosen face are applied', async () => {
		fake.setOptions({
			faces: [
				{ face_id: 'a', start_time: 0, end_time: 1500 },
				{ face_id: 'b', start_time: 1000, end_time: 6000 },
			],
		});
		const wav = makeWav(3);
		const result = await runKling({
			parameters: {
				...lipSync({ speechSource: 'audioBinary', audioBinaryProperty: 'voice', faceNumber: 2 }),
				audioSettings: { soundStartTime: 500, soundVolume: 1.5, originalAudioVolume: 0.2 },
			},
			items: [binaryItem(wav, 'audio/wav', 'voice')],
			credentials: credentials(),
		});

		expect(result.error).toBeUndefined();
		const choice = creates(fake, LIP_SYNC)[0].body.face_choose[0];
		expect(choice).toEqual({
			face_id: 'b',
			sound_file: wav.toString('base64'),
			sound_start_time: 500,
			sound_end_time: 3000,
			sound_insert_time: 1000,
			sound_volume: 1.5,
			original_audio_volume: 0.2,
		});
	});

	it('a re-run finds the task by its external ID before paying for face identification again', async () => {
		const first = await runKling({
			parameters: lipSync({ waitForCompletion: false }),
			credentials: credentials(),
		});
		expect(first.error).toBeUndefined();
		expect(identifyCalls(fake)).toHaveLength(1);
		expect(ttsCalls(fake)).toHaveLength(1);

		const rerun = await runKling({ parameters: lipSync(), credentials: credentials() });
		expect(rerun.error).toBeUndefined();
		expect(rerun.items[0].json.task_id).toBe(first.items[0].json.task_id);
		await expectVideoOut(rerun.items[0], LIP_SYNC);
		// No second identify-face, no second text to speech, no second create.
		expect(identifyCalls(fake)).toHaveLength(1);
		expect(ttsCalls(fake)).toHaveLength(1);
		expect(creates(fake, LIP_SYNC)).toHaveLength(1);
		expect(fake.stats().submissions).toBe(1);
	});

	it('a retry in the same execution reuses the identify-face session and the speech', async () => {
		// n8n's Retry On Fail runs the node again within the same execution.
		fake.setOptions({ faults: { submitError: { count: 2, code: 5001, message: 'maintenance' } } });
		const executionId = `retry-${Date.now()}`;
		const failed = await runKling({
			parameters: lipSync(),
			credentials: credentials(),
			executionId,
		});
		// The create's outcome stays unknown: looked up, sent once more at most, then reported.
		expect(failed.error?.message).toMatch(/Could not confirm the Kling task .*Kling code 5001/);
		expect(creates(fake, LIP_SYNC).length).toBeLessThanOrEqual(2);
		expect(fake.stats().submissions).toBe(0);

		const retried = await runKling({
			parameters: lipSync(),
			credentials: credentials(),
			executionId,
		});
		expect(retried.error).toBeUndefined();
		await expectVideoOut(retried.items[0], LIP_SYNC);
		expect(identifyCalls(fake)).toHaveLength(1);
		expect(ttsCalls(fake)).toHaveLength(1);
		expect(fake.stats().submissions).toBe(1);
	});

	it('a full account (1303) on the lip-sync create queues and retries it; the paid steps are not repeated', async () => {
		fake.setOptions({
			faults: {
				submitError: { count: 2, code: 1303, message: 'parallel task over resource pack limit' },
			},
		});
		const result = await runKling({ parameters: lipSync(), credentials: credentials() });
		expect(result.error).toBeUndefined();
		await expectVideoOut(result.items[0], LIP_SYNC);
		expect(creates(fake, LIP_SYNC)).toHaveLength(3);
		expect(fake.stats().submissions).toBe(1);
		expect(identifyCalls(fake)).toHaveLength(1);
		expect(ttsCalls(fake)).toHaveLength(1);
	});

	it('times out naming the task; a later run picks the same task up without any paid call', async () => {
		fake.setOptions({ taskDurationMs: 60_000 });
		const timedOut = await runKling({
			parameters: lipSync({}, { maxWaitTime: 0.02 }),
			credentials: credentials(),
		});
		expect(timedOut.error.message).toMatch(/^Kling task \d+ did not finish within 1 s/);
		const taskId = [...fake.tasks.keys()][0];
		expect(timedOut.error.message).toContain(taskId);

		fake.setOptions({ taskDurationMs: 0 });
		fake.tasks.get(taskId).durationMs = 0;
		const later = await runKling({ parameters: lipSync(), credentials: credentials() });
		expect(later.error).toBeUndefined();
		expect(later.items[0].json.task_id).toBe(taskId);
		expect(identifyCalls(fake)).toHaveLength(1);
		expect(ttsCalls(fake)).toHaveLength(1);
		expect(fake.stats().submissions).toBe(1);
	});

	it('a face number beyond the faces Kling found fails before the lip-sync task (and before the speech)', async () => {
		const result = await runKling({
			parameters: lipSync({ faceNumber: 2 }),
			credentials: credentials(),
		});
		expect(result.error.message).toBe(
			"Face 2 does not exist: Kling found 1 face in the video (item 0, field 'Face')",
		);
		expect(result.error.description).toMatch(
			/face identification \(0\.05 units\) was charged; no lip-sync task was created/,
		);
		expect(identifyCalls(fake)).toHaveLength(1);
		expect(ttsCalls(fake)).toHaveLength(0);
		expect(creates(fake, LIP_SYNC)).toHaveLength(0);
	});

	it('a video without a face fails with a clear message and creates nothing', async () => {
		const result = await runKling({
			parameters: lipSync({ videoId: 'no-face' }),
			credentials: credentials(),
		});
		expect(result.error.message).toBe('Kling found no face to lip-sync in the video');
		expect(creates(fake, LIP_SYNC)).toHaveLength(0);
	});

	it('speech that overlaps the face for less than 2 s fails before the lip-sync task', async () => {
		const result = await runKling({
			parameters: { ...lipSync(), audioSettings: { soundInsertTime: 4000 } },
			credentials: credentials(),
		});
		expect(result.error.message).toMatch(
			/overlaps the chosen face \(visible 0–5000 ms\) for 1 s; Kling needs at least 2 s/,
		);
		expect(creates(fake, LIP_SYNC)).toHaveLength(0);
	});

	it("a voice Kling's text to speech does not know fails with Kling's words, before the lip-sync task", async () => {
		const result = await runKling({
			parameters: lipSync({ speechVoice: 'unknown_voice_7' }),
			credentials: credentials(),
		});
		expect(result.error.message).toBe('Kling rejected a parameter value (Kling code 1201)');
		expect(result.error.description).toMatch(/Kling says: "Voice id not found"/);
		expect(ttsCalls(fake)).toHaveLength(1);
		expect(creates(fake, LIP_SYNC)).toHaveLength(0);
	});

	it('a paid identify-face that breaks off is not sent again (it may have been charged)', async () => {
		fake.setOptions({ faults: { identifyServerError: 1 } });
		const result = await runKling({ parameters: lipSync(), credentials: credentials() });
		expect(result.error.message).toMatch(/Kling had an internal error \(Kling code 5000\)/);
		expect(result.error.description).toMatch(/face identification may have reached Kling/);
		expect(identifyCalls(fake)).toHaveLength(1);
		expect(creates(fake, LIP_SYNC)).toHaveLength(0);
	});

	it('Continue On Fail: a bad item becomes an error item paired to it; the others are paid once', async () => {
		const result = await runKling({
			parameters: lipSync({ speechText: '={{ $json.script }}' }),
			items: [
				{ json: { script: 'Hello there, this is item zero speaking.' } },
				{ json: { script: '' } },
			],
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(result.items[0].json.task_status).toBe('succeed');
		expect(result.items[1].json.error).toMatch(/Text is empty \(item 1, field 'Text'\)/);
		expect(fake.stats().submissions).toBe(1);
		expect(identifyCalls(fake)).toHaveLength(1);
	});

	it('Get Task finds a lip-sync task automatically', async () => {
		const created = await runKling({
			parameters: lipSync({ waitForCompletion: false }),
			credentials: credentials(),
		});
		const taskId = created.items[0].json.task_id;
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'getTask',
				taskId,
				taskKind: 'auto',
				options: { pollInterval: 1 },
			},
			credentials: credentials(),
		});
		expect(result.error).toBeUndefined();
		await expectVideoOut(result.items[0], LIP_SYNC);
	});
});

describe('avatar', () => {
	it('photo URL + audio URL: one avatar task with sound_file, prompt and mode; MP4 out', async () => {
		const audioUrl = `${files.url}/speech.wav`;
		const result = await runKling({
			parameters: avatar({
				speechSource: 'audioUrl',
				audioUrl,
				avatarPrompt: 'Smiles and nods',
				avatarMode: 'pro',
			}),
			credentials: credentials(),
		});

		expect(result.error).toBeUndefined();
		await expectVideoOut(result.items[0], AVATAR);
		expect(creates(fake, AVATAR).map((entry) => entry.body)).toEqual([
			{
				image: 'https://example.com/presenter.jpg',
				mode: 'pro',
				prompt: 'Smiles and nods',
				sound_file: audioUrl,
				external_task_id: expect.stringMatching(/^n8n-[0-9a-f]{40}$/),
			},
		]);
		expect(ttsCalls(fake)).toHaveLength(0);
		expect(identifyCalls(fake)).toHaveLength(0);
	});

	it('binary photo + text: text to speech first, then the avatar task with audio_id', async () => {
		const png = makePng(400, 600);
		const result = await runKling({
			parameters: avatar({ photoSource: 'binary', photoBinaryProperty: 'photo' }),
			items: [binaryItem(png, 'image/png', 'photo')],
			credentials: credentials(),
		});

		expect(result.error).toBeUndefined();
		await expectVideoOut(result.items[0], AVATAR);
		const [create] = creates(fake, AVATAR);
		expect(create.body).toMatchObject({
			image: png.toString('base64'),
			mode: 'std',
			audio_id: expect.stringMatching(/^audio-/),
		});
		expect(create.body).not.toHaveProperty('sound_file');
		expect(ttsCalls(fake)).toHaveLength(1);

		// A re-run finds the avatar task before paying for text to speech again.
		const rerun = await runKling({
			parameters: avatar({ photoSource: 'binary', photoBinaryProperty: 'photo' }),
			items: [binaryItem(png, 'image/png', 'photo')],
			credentials: credentials(),
		});
		expect(rerun.items[0].json.task_id).toBe(result.items[0].json.task_id);
		expect(ttsCalls(fake)).toHaveLength(1);
		expect(fake.stats().submissions).toBe(1);
	});
});

describe('voice', () => {
	it('create from a recording URL: waits, outputs the voice task and its sample as audio/mpeg', async () => {
		const result = await runKling({
			parameters: voice(
				'create',
				{ voiceName: 'Narrator', voiceSource: 'url', voiceUrl: `${files.url}/narrator.wav` },
				{ pollInterval: 1 },
			),
			credentials: credentials(),
		});

		expect(result.error).toBeUndefined();
		const [item] = result.items;
		const [created] = item.json.task_result.voices;
		expect(created).toMatchObject({ voice_name: 'Narrator', owned_by: 'creator-1001' });
		expect(item.binary.data).toMatchObject({
			mimeType: 'audio/mpeg',
			fileName: `kling-voice-${created.voice_id}.mp3`,
		});
		expect((await readBinary(item.binary.data)).equals(voiceSampleBytes(created.voice_id))).toBe(
			true,
		);
		expect(creates(fake, VOICES).map((entry) => entry.body)).toEqual([
			{
				voice_name: 'Narrator',
				voice_url: `${files.url}/narrator.wav`,
				external_task_id: expect.stringMatching(/^n8n-[0-9a-f]{40}$/),
			},
		]);
	});

	it('create from a Kling video ID without waiting returns the submitted task', async () => {
		const result = await runKling({
			parameters: voice('create', {
				voiceName: 'Host',
				voiceSource: 'videoId',
				voiceVideoId: 'v-123',
				waitForCompletion: false,
			}),
			credentials: credentials(),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.task_status).toBe('submitted');
		expect(result.items[0].binary).toBeUndefined();
		expect(creates(fake, VOICES)[0].body).toMatchObject({ voice_name: 'Host', video_id: 'v-123' });
	});

	it('list, get (by voice ID and by task ID) and delete', async () => {
		const created = await runKling({
			parameters: voice(
				'create',
				{ voiceName: 'Host', voiceSource: 'videoId', voiceVideoId: 'v-123' },
				{ pollInterval: 1 },
			),
			credentials: credentials(),
		});
		const voiceId = created.items[0].json.task_result.voices[0].voice_id;
		const taskId = created.items[0].json.task_id;

		const listed = await runKling({
			parameters: voice('list', { includePresets: true }),
			credentials: credentials(),
		});
		expect(listed.items.map((item) => [item.json.voice_id, item.json.source])).toEqual([
			[voiceId, 'custom'],
			['preset_narrator_en', 'preset'],
			['preset_cheerful_en', 'preset'],
		]);
		expect(listed.items[0].json.task_id).toBe(taskId);

		const byVoice = await runKling({
			parameters: voice('get', { voiceId }),
			credentials: credentials(),
		});
		expect(byVoice.error).toBeUndefined();
		expect(byVoice.items[0].json.task_id).toBe(taskId);
		expect((await readBinary(byVoice.items[0].binary.data)).equals(voiceSampleBytes(voiceId))).toBe(
			true,
		);

		const byTask = await runKling({
			parameters: voice('get', { voiceId: taskId }, { downloadSample: false }),
			credentials: credentials(),
		});
		expect(byTask.items[0].json.task_result.voices[0].voice_id).toBe(voiceId);
		expect(byTask.items[0].binary).toBeUndefined();

		const deleted = await runKling({
			parameters: voice('delete', { voiceId }),
			credentials: credentials(),
		});
		expect(deleted.error).toBeUndefined();
		expect(deleted.items[0].json).toMatchObject({
			voice_id: voiceId,
			deleted: true,
			task_status: 'succeed',
		});
		expect(
			fake.log
				.filter((entry) => entry.path === '/v1/general/delete-voices')
				.map((entry) => entry.body),
		).toEqual([{ voice_id: voiceId }]);

		const after = await runKling({
			parameters: voice('list', { includePresets: false }),
			credentials: credentials(),
		});
		expect(after.items).toHaveLength(0);
	});

	it('get of an unknown voice explains it was not found', async () => {
		const result = await runKling({
			parameters: voice('get', { voiceId: 'nope' }),
			credentials: credentials(),
		});
		expect(result.error.message).toMatch(
			/Kling could not find the task or model \(Kling code 1203\)/,
		);
		expect(result.error.description).toMatch(
			/No custom voice, preset voice or voice task has the ID nope/,
		);
	});
});
