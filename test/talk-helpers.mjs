// Shared by the talking-video tests: real audio files (WAV, MP3, ADTS AAC, M4A) made in memory,
// a tiny file server standing in for "a public URL" (it is not Kling: requests to it are not
// requests to the fake Kling server), and parameter builders.
import { createServer } from 'node:http';

/** A mono 8-bit PCM WAV of the given length (8000 bytes per second). */
export function makeWav(seconds, sampleRate = 8000) {
	const dataBytes = Math.round(seconds * sampleRate);
	const header = Buffer.alloc(44);
	header.write('RIFF', 0, 'latin1');
	header.writeUInt32LE(36 + dataBytes, 4);
	header.write('WAVE', 8, 'latin1');
	header.write('fmt ', 12, 'latin1');
	header.writeUInt32LE(16, 16);
	header.writeUInt16LE(1, 20); // PCM
	header.writeUInt16LE(1, 22); // mono
	header.writeUInt32LE(sampleRate, 24);
	header.writeUInt32LE(sampleRate, 28); // byte rate
	header.writeUInt16LE(1, 32);
	header.writeUInt16LE(8, 34);
	header.write('data', 36, 'latin1');
	header.writeUInt32LE(dataBytes, 40);
	return Buffer.concat([header, Buffer.alloc(dataBytes, 0x80)]);
}

/** MPEG-1 Layer III frames, 128 kbit/s, 44.1 kHz (1152 samples, 417 bytes each), behind an ID3 tag. */
export function makeMp3(seconds) {
	const frames = Math.round((seconds * 44100) / 1152);
	const frame = Buffer.alloc(417);
	frame.set([0xff, 0xfb, 0x90, 0x00]);
	const id3 = Buffer.from([
		0x49,
		0x44,
		0x33,
		0x03,
		0x00,
		0x00,
		0x00,
		0x00,
		0x00,
		0x0a,
		...Buffer.alloc(10),
	]);
	return Buffer.concat([id3, ...Array.from({ length: frames }, () => frame)]);
}

/** ADTS AAC frames, 44.1 kHz, 1024 samples each. */
export function makeAac(seconds) {
	const frames = Math.round((seconds * 44100) / 1024);
	const length = 64;
	const frame = Buffer.alloc(length);
	frame.set([
		0xff,
		0xf1,
		0x50,
		0x80 | ((length >> 11) & 0x03),
		(length >> 3) & 0xff,
		((length & 7) << 5) | 0x1f,
		0xfc,
	]);
	return Buffer.concat(Array.from({ length: frames }, () => frame));
}

function box(type, ...parts) {
	const body = Buffer.concat(parts);
	const header = Buffer.alloc(8);
	header.writeUInt32BE(8 + body.length);
	header.write(type, 4, 'latin1');
	return Buffer.concat([header, body]);
}

/** An ISO BMFF file (M4A audio, or MP4 video of width x height) with the given length. */
export function makeMp4(seconds, { brand = 'M4A ', width = 0, height = 0 } = {}) {
	const ftyp = box('ftyp', Buffer.from(`${brand}\0\0\0\0isom`, 'latin1'));
	const mvhd = Buffer.alloc(100);
	mvhd.writeUInt32BE(1000, 12); // timescale
	mvhd.writeUInt32BE(Math.round(seconds * 1000), 16); // duration
	const tkhd = Buffer.alloc(84);
	tkhd.writeUInt32BE(width * 65536, 76);
	tkhd.writeUInt32BE(height * 65536, 80);
	const moov = box('moov', box('mvhd', mvhd), box('trak', box('tkhd', tkhd)));
	return Buffer.concat([ftyp, moov, box('mdat', Buffer.alloc(256, 1))]);
}

/** Serves files at http://127.0.0.1:<port>/<name>; counts requests. */
export async function startFileServer(files = {}) {
	const log = [];
	const server = createServer((req, res) => {
		const name = decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1));
		log.push(name);
		const file = files[name];
		if (!file) {
			res.writeHead(404).end('not found');
			return;
		}
		res.writeHead(200, { 'content-type': file.type, 'content-length': file.bytes.length });
		res.end(file.bytes);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${server.address().port}`;
	return {
		url,
		log,
		files,
		close: () => new Promise((resolve) => server.close(resolve)),
	};
}

/** An input item carrying `data` as a binary property. */
export function binaryItem(data, mimeType, property = 'data', extra = {}) {
	return {
		json: {},
		binary: {
			[property]: { data: data.toString('base64'), mimeType, fileName: 'upload', ...extra },
		},
	};
}

export function lipSync(parameters = {}, options = {}) {
	return {
		resource: 'video',
		operation: 'lipSync',
		videoSource: 'videoId',
		videoId: 'v-860000000000000001',
		speechSource: 'text',
		speechText: 'Welcome to the course. Today we learn spreadsheets.',
		speechVoice: 'commercial_lady_en_f-v1',
		voiceLanguage: 'en',
		voiceSpeed: 1,
		...parameters,
		options: { pollInterval: 1, ...options },
	};
}

export function avatar(parameters = {}, options = {}) {
	return {
		resource: 'video',
		operation: 'avatar',
		photoSource: 'url',
		photo: 'https://example.com/presenter.jpg',
		speechSource: 'text',
		speechText: 'Hello! I am your course host.',
		speechVoice: 'commercial_lady_en_f-v1',
		...parameters,
		options: { pollInterval: 1, ...options },
	};
}

export function voice(operation, parameters = {}, options) {
	return { resource: 'voice', operation, ...parameters, ...(options ? { options } : {}) };
}

export const identifyCalls = (fake) =>
	fake.log.filter((entry) => entry.path === '/v1/videos/identify-face');
export const ttsCalls = (fake) => fake.log.filter((entry) => entry.path === '/v1/audio/tts');
export const creates = (fake, path) =>
	fake.log.filter((entry) => entry.method === 'POST' && entry.path === path);
