// Talking video on the fake Kling server: identify-face (synchronous), advanced lip-sync, avatar,
// text to speech (synchronous) and custom voices, validated the way kling-api-more.md §4–§6
// describes Kling. Sessions and audio ids live in this module (ids are unique across servers).
import { createHash, randomUUID } from 'node:crypto';

const sessions = new Map(); // session_id → face_data
const audios = new Map(); // audio_id → length in ms

/** Deterministic bytes of a talking-video result (starts with an MP4 'ftyp' box). */
export function talkVideoBytes(taskId, size = 8192) {
	const header = Buffer.from('00000018667479706d7034320000000069736f6d6d703432', 'hex');
	const pattern = createHash('sha256').update(`fake-kling-talk:${taskId}`).digest();
	const bytes = Buffer.alloc(size);
	for (let at = header.length; at < size; at += pattern.length) pattern.copy(bytes, at);
	header.copy(bytes, 0);
	return bytes;
}

/** Deterministic bytes of a custom voice's sample (an ID3-tagged MP3 stand-in). */
export function voiceSampleBytes(voiceId, size = 2048) {
	const pattern = createHash('sha256').update(`fake-kling-voice:${voiceId}`).digest();
	const bytes = Buffer.alloc(size);
	for (let at = 3; at < size; at += pattern.length) pattern.copy(bytes, at);
	Buffer.from('ID3').copy(bytes, 0);
	return bytes;
}

export const DEFAULT_FACES = [
	{ face_id: '0', face_image: 'https://cdn.example/face-0.png', start_time: 0, end_time: 5000 },
];
export const PRESET_VOICES = [
	{
		voice_id: 'preset_narrator_en',
		voice_name: 'Narrator',
		trial_url: 'https://cdn.example/preset/narrator.mp3',
		owned_by: 'kling',
	},
	{
		voice_id: 'preset_cheerful_en',
		voice_name: 'Cheerful',
		trial_url: 'https://cdn.example/preset/cheerful.mp3',
		owned_by: 'kling',
	},
];

const invalid = (message) => ({ code: 1201, message });
const isInt = (value) => Number.isInteger(value) && value >= 0;

function soundFileProblem(soundFile) {
	if (typeof soundFile !== 'string' || soundFile === '')
		return 'sound_file must be a non-empty string';
	if (/^https?:\/\//.test(soundFile)) return undefined;
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(soundFile)) return 'sound_file must be a URL or base64 audio';
	if (Buffer.from(soundFile, 'base64').length > 5 * 1024 * 1024) return 'sound_file exceeds 5MB';
	return undefined;
}

function audioChoice(holder, maxMs) {
	const hasId = holder.audio_id !== undefined && holder.audio_id !== '';
	const hasFile = holder.sound_file !== undefined && holder.sound_file !== '';
	if (hasId === hasFile)
		return { problem: invalid('exactly one of audio_id and sound_file is required') };
	if (hasId) {
		const length = audios.get(holder.audio_id);
		if (length === undefined) return { problem: invalid('audio_id not found') };
		if (length < 2000 || length > maxMs) return { problem: invalid('audio duration out of range') };
		return { length };
	}
	const problem = soundFileProblem(holder.sound_file);
	return problem ? { problem: invalid(problem) } : {};
}

function callbackProblem(body) {
	if (body.callback_url !== undefined && !/^https:\/\//.test(String(body.callback_url))) {
		return invalid('callback_url is invalid');
	}
	return undefined;
}

function validateLipSync(body) {
	const faces = sessions.get(body.session_id);
	if (!faces) return invalid('session_id is invalid or expired');
	if (!Array.isArray(body.face_choose) || body.face_choose.length !== 1) {
		return invalid('face_choose currently supports exactly one face');
	}
	const [choice] = body.face_choose;
	const face = faces.find((entry) => entry.face_id === choice?.face_id);
	if (!face) return invalid('face_id not found in this session');
	const audio = audioChoice(choice, 60_000);
	if (audio.problem) return audio.problem;
	const { sound_start_time: start, sound_end_time: end, sound_insert_time: insert } = choice;
	if (!isInt(start) || !isInt(end) || !isInt(insert)) {
		return invalid('sound_start_time, sound_end_time and sound_insert_time are required');
	}
	if (end - start < 2000) return invalid('the cropped sound must be at least 2 seconds');
	if (audio.length !== undefined && end > audio.length)
		return invalid('sound_end_time exceeds the audio');
	const overlap = Math.min(insert + end - start, face.end_time) - Math.max(insert, face.start_time);
	if (overlap < 2000) return invalid('the sound must overlap the face for at least 2 seconds');
	for (const key of ['sound_volume', 'original_audio_volume']) {
		if (choice[key] !== undefined && !(choice[key] >= 0 && choice[key] <= 2))
			return invalid(`${key} must be in [0, 2]`);
	}
	return callbackProblem(body);
}

function validateAvatar(body) {
	if (typeof body.image !== 'string' || body.image === '') return invalid('image is required');
	const audio = audioChoice(body, 300_000);
	if (audio.problem) return audio.problem;
	if (body.mode !== undefined && !['std', 'pro'].includes(body.mode))
		return invalid('mode is invalid');
	if (body.prompt !== undefined && [...String(body.prompt)].length > 2500)
		return invalid('prompt is too long');
	return callbackProblem(body);
}

function validateVoice(body) {
	const name = body.voice_name;
	if (typeof name !== 'string' || name === '' || [...name].length > 20) {
		return invalid('voice_name is required, at most 20 characters');
	}
	const hasUrl = typeof body.voice_url === 'string' && body.voice_url !== '';
	const hasVideo = typeof body.video_id === 'string' && body.video_id !== '';
	if (hasUrl === hasVideo) return invalid('exactly one of voice_url and video_id is required');
	return callbackProblem(body);
}

const videoResult = (task, { mediaUrl }) => ({
	videos: [{ id: `v-${task.task_id}`, url: mediaUrl(0, 'mp4'), duration: '5.0' }],
});
const videoMedia = (task, index, ext) =>
	index === 0 && ext === 'mp4'
		? { bytes: talkVideoBytes(task.task_id), mimeType: 'video/mp4' }
		: undefined;

export function register(api) {
	const { sendData, sendError, takeFault, dropConnection, isPlainObject, taskView } = api.helpers;

	api.kind('videos/advanced-lip-sync', {
		validate: validateLipSync,
		result: videoResult,
		media: videoMedia,
	});
	api.kind('videos/avatar/image2video', {
		validate: validateAvatar,
		result: videoResult,
		media: videoMedia,
	});
	api.kind('general/custom-voices', {
		validate: validateVoice,
		result: (task, { mediaUrl }) => ({
			voices: [
				{
					voice_id: `voice-${task.task_id}`,
					voice_name: task.body.voice_name,
					trial_url: mediaUrl(0, 'mp3'),
					owned_by: 'creator-1001',
				},
			],
		}),
		media: (task, index, ext) =>
			index === 0 && ext === 'mp3'
				? { bytes: voiceSampleBytes(`voice-${task.task_id}`), mimeType: 'audio/mpeg' }
				: undefined,
	});

	api.route(
		'POST',
		(path) => path === '/v1/videos/identify-face' || undefined,
		(ctx) => {
			if (takeFault(ctx.state, 'identifyReset')) return dropConnection(ctx);
			if (takeFault(ctx.state, 'identifyServerError'))
				return sendError(ctx, 5000, 'internal error');
			const body = ctx.body;
			if (!isPlainObject(body)) return sendError(ctx, 1200, 'request body must be a JSON object');
			const hasId = typeof body.video_id === 'string' && body.video_id !== '';
			const hasUrl = typeof body.video_url === 'string' && body.video_url !== '';
			if (hasId === hasUrl)
				return sendError(ctx, 1201, 'exactly one of video_id and video_url is required');
			const faces = body.video_id === 'no-face' ? [] : (ctx.state.options.faces ?? DEFAULT_FACES);
			const sessionId = `session-${randomUUID()}`;
			sessions.set(sessionId, faces);
			return sendData(ctx, {
				session_id: sessionId,
				final_unit_deduction: '0.05',
				face_data: faces,
			});
		},
	);

	api.route(
		'POST',
		(path) => path === '/v1/audio/tts' || undefined,
		(ctx) => {
			if (takeFault(ctx.state, 'ttsReset')) return dropConnection(ctx);
			const body = ctx.body ?? {};
			const text = typeof body.text === 'string' ? body.text : '';
			if (text === '' || [...text].length > 1000)
				return sendError(ctx, 1201, 'text is required, at most 1000 characters');
			if (
				typeof body.voice_id !== 'string' ||
				body.voice_id === '' ||
				body.voice_id.startsWith('unknown')
			) {
				return sendError(ctx, 1201, 'Voice id not found');
			}
			if (body.voice_language !== undefined && !['zh', 'en'].includes(body.voice_language)) {
				return sendError(ctx, 1201, 'voice_language is invalid');
			}
			if (body.voice_speed !== undefined && !(body.voice_speed >= 0.8 && body.voice_speed <= 2)) {
				return sendError(ctx, 1201, 'voice_speed must be in [0.8, 2.0]');
			}
			// About 16 characters per second, at least 2.5 s (a fake's idea of speech).
			const lengthMs =
				ctx.state.options.ttsLengthMs ?? Math.max(2500, Math.round((text.length / 16) * 1000));
			const id = `audio-${randomUUID()}`;
			audios.set(id, lengthMs);
			return sendData(ctx, {
				task_id: `tts-${randomUUID()}`,
				task_status: 'succeed',
				task_result: {
					audios: [
						{ id, url: `https://cdn.example/tts/${id}.mp3`, duration: String(lengthMs / 1000) },
					],
				},
			});
		},
	);

	// Voice lists take pageSize up to 1000 (video lists: 500), so the custom-voice list has its own route.
	api.route(
		'GET',
		(path) => path === '/v1/general/custom-voices' || undefined,
		(ctx) => {
			const pageNum = Number(ctx.query.pageNum ?? 1);
			const pageSize = Number(ctx.query.pageSize ?? 30);
			if (!(Number.isInteger(pageNum) && pageNum >= 1 && pageNum <= 1000)) {
				return sendError(ctx, 1201, 'pageNum must be between 1 and 1000');
			}
			if (!(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 1000)) {
				return sendError(ctx, 1201, 'pageSize must be between 1 and 1000');
			}
			const now = Date.now();
			const externalId = ctx.query.external_task_id;
			const tasks = [...ctx.state.tasks.values()]
				.filter((task) => task.kind === 'general/custom-voices')
				.filter((task) => externalId === undefined || task.external_task_id === externalId)
				.reverse();
			const page = tasks.slice((pageNum - 1) * pageSize, pageNum * pageSize);
			return sendData(
				ctx,
				page.map((task) => taskView(ctx.state, task, now)),
			);
		},
	);

	api.route(
		'GET',
		(path) => path === '/v1/general/presets-voices' || undefined,
		(ctx) => {
			const pageNum = Number(ctx.query.pageNum ?? 1);
			const pageSize = Number(ctx.query.pageSize ?? 30);
			if (!(pageSize >= 1 && pageSize <= 1000))
				return sendError(ctx, 1201, 'pageSize must be between 1 and 1000');
			const tasks = PRESET_VOICES.map((voice, index) => ({
				task_id: `preset-${index + 1}`,
				task_status: 'succeed',
				task_status_msg: '',
				created_at: 1700000000000,
				updated_at: 1700000000000,
				task_result: { voices: [voice] },
			}));
			return sendData(ctx, tasks.slice((pageNum - 1) * pageSize, pageNum * pageSize));
		},
	);

	api.route(
		'POST',
		(path) => path === '/v1/general/delete-voices' || undefined,
		(ctx) => {
			const voiceId = ctx.body?.voice_id;
			if (typeof voiceId !== 'string' || voiceId === '')
				return sendError(ctx, 1201, 'voice_id is required');
			const task = [...ctx.state.tasks.values()].find(
				(entry) => entry.kind === 'general/custom-voices' && `voice-${entry.task_id}` === voiceId,
			);
			if (!task) return sendError(ctx, 1201, 'voice not found or not a custom voice');
			ctx.state.tasks.delete(task.task_id);
			return sendData(ctx, { task_id: `delete-${task.task_id}`, task_status: 'succeed' });
		},
	);
}
