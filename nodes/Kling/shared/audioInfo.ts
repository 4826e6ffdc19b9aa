/**
 * Format and length of audio (and video) files, read from their bytes: enough to check Kling's
 * limits before anything is paid for. WAV and MP4/M4A/MOV carry their length in a header; MP3 and
 * AAC (ADTS) are measured by walking their frames.
 */
export type MediaFormat = 'wav' | 'mp3' | 'aac' | 'mp4';

export interface MediaInfo {
	format: MediaFormat;
	/** Length in milliseconds; undefined when the file does not say. */
	durationMs?: number;
	/** Largest track size, for MP4/MOV video. */
	width?: number;
	height?: number;
	/** ISO BMFF major brand, e.g. "M4A ", "isom", "qt  ". */
	brand?: string;
}

function readWav(data: Buffer): MediaInfo | undefined {
	if (data.length < 12 || data.toString('latin1', 0, 4) !== 'RIFF') return undefined;
	if (data.toString('latin1', 8, 12) !== 'WAVE') return undefined;
	let byteRate = 0;
	let offset = 12;
	while (offset + 8 <= data.length) {
		const id = data.toString('latin1', offset, offset + 4);
		const size = data.readUInt32LE(offset + 4);
		if (id === 'fmt ' && offset + 16 <= data.length) byteRate = data.readUInt32LE(offset + 16);
		if (id === 'data') {
			// A streamed WAV may declare 0 or 0xFFFFFFFF: then the rest of the file is the data.
			const available = data.length - offset - 8;
			const bytes = size === 0 || size === 0xffffffff ? available : Math.min(size, available);
			return {
				format: 'wav',
				durationMs: byteRate > 0 ? Math.round((bytes / byteRate) * 1000) : undefined,
			};
		}
		offset += 8 + size + (size % 2);
	}
	return { format: 'wav' };
}

// MPEG audio: bitrates (kbit/s) by [version is 1][layer index] and sample rates by version.
const BITRATES: Record<string, number[]> = {
	'1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
	'1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
	'1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
	'2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
	'2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
	'2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<number, number[]> = {
	3: [44100, 48000, 32000], // MPEG 1
	2: [22050, 24000, 16000], // MPEG 2
	0: [11025, 12000, 8000], // MPEG 2.5
};

interface MpegFrame {
	length: number;
	samples: number;
	sampleRate: number;
}

function mpegFrame(data: Buffer, offset: number): MpegFrame | undefined {
	if (offset + 4 > data.length || data[offset] !== 0xff || (data[offset + 1] & 0xe0) !== 0xe0) {
		return undefined;
	}
	const versionBits = (data[offset + 1] >> 3) & 3;
	const layerBits = (data[offset + 1] >> 1) & 3;
	const bitrateIndex = data[offset + 2] >> 4;
	const rateIndex = (data[offset + 2] >> 2) & 3;
	const padding = (data[offset + 2] >> 1) & 1;
	if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15) {
		return undefined;
	}
	if (rateIndex === 3) return undefined;
	const layer = 4 - layerBits;
	const mpeg1 = versionBits === 3;
	const bitrate = BITRATES[`${mpeg1 ? 1 : 2}-${layer}`][bitrateIndex] * 1000;
	const sampleRate = SAMPLE_RATES[versionBits][rateIndex];
	if (layer === 1) {
		return {
			length: (Math.floor((12 * bitrate) / sampleRate) + padding) * 4,
			samples: 384,
			sampleRate,
		};
	}
	const samples = layer === 3 && !mpeg1 ? 576 : 1152;
	return {
		length: Math.floor(((samples / 8) * bitrate) / sampleRate) + padding,
		samples,
		sampleRate,
	};
}

function readMp3(data: Buffer): MediaInfo | undefined {
	let offset = 0;
	const tagged = data.length >= 10 && data.toString('latin1', 0, 3) === 'ID3';
	if (tagged) {
		// ID3v2 size: four 7-bit bytes; a footer adds 10 more.
		const size =
			((data[6] & 0x7f) << 21) |
			((data[7] & 0x7f) << 14) |
			((data[8] & 0x7f) << 7) |
			(data[9] & 0x7f);
		offset = 10 + size + (data[5] & 0x10 ? 10 : 0);
	}
	// The first frame must follow (a little junk is tolerated), and be confirmed by the next one.
	const searchEnd = Math.min(data.length, offset + 4096);
	let first: MpegFrame | undefined;
	for (; offset < searchEnd; offset++) {
		first = mpegFrame(data, offset);
		if (first && (offset + first.length >= data.length || mpegFrame(data, offset + first.length))) {
			break;
		}
		first = undefined;
	}
	if (!first) return undefined;
	let seconds = 0;
	let frames = 0;
	let frame: MpegFrame | undefined = first;
	while (frame) {
		seconds += frame.samples / frame.sampleRate;
		frames++;
		offset += frame.length;
		frame = mpegFrame(data, offset);
	}
	if (frames < 2 && !tagged) return undefined; // one lone sync word is not an MP3
	return { format: 'mp3', durationMs: Math.round(seconds * 1000) };
}

const ADTS_RATES = [
	96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

function readAdts(data: Buffer): MediaInfo | undefined {
	let offset = 0;
	let seconds = 0;
	let frames = 0;
	while (offset + 7 <= data.length) {
		// Sync 0xFFF, layer 00.
		if (data[offset] !== 0xff || (data[offset + 1] & 0xf6) !== 0xf0) break;
		const rate = ADTS_RATES[(data[offset + 2] >> 2) & 0x0f];
		const length =
			((data[offset + 3] & 0x03) << 11) | (data[offset + 4] << 3) | (data[offset + 5] >> 5);
		const blocks = (data[offset + 6] & 0x03) + 1;
		if (!rate || length < 7) break;
		seconds += (blocks * 1024) / rate;
		frames++;
		offset += length;
	}
	if (frames < 2) return undefined;
	return { format: 'aac', durationMs: Math.round(seconds * 1000) };
}

const CONTAINER_BOXES = ['moov', 'trak', 'mdia', 'minf', 'stbl', 'udta', 'edts'];
const TOP_LEVEL_BOXES = ['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'uuid'];

interface Box {
	type: string;
	start: number;
	body: number;
	end: number;
}

function boxes(data: Buffer, start: number, end: number): Box[] {
	const found: Box[] = [];
	let offset = start;
	while (offset + 8 <= end) {
		let size = data.readUInt32BE(offset);
		let body = offset + 8;
		if (size === 1) {
			if (offset + 16 > end) break;
			size = Number(data.readBigUInt64BE(offset + 8));
			body = offset + 16;
		} else if (size === 0) {
			size = end - offset;
		}
		if (size < 8) break;
		found.push({
			type: data.toString('latin1', offset + 4, offset + 8),
			start: offset,
			body,
			end: Math.min(end, offset + size),
		});
		offset += size;
	}
	return found;
}

function readIsoBmff(data: Buffer): MediaInfo | undefined {
	if (data.length < 16 || !TOP_LEVEL_BOXES.includes(data.toString('latin1', 4, 8)))
		return undefined;
	const info: MediaInfo = { format: 'mp4' };
	const visit = (start: number, end: number) => {
		for (const box of boxes(data, start, end)) {
			if (box.type === 'ftyp' && box.body + 4 <= box.end) {
				info.brand = data.toString('latin1', box.body, box.body + 4);
			} else if (box.type === 'mvhd' && box.body + 32 <= box.end) {
				const v1 = data[box.body] === 1;
				const timescale = data.readUInt32BE(box.body + (v1 ? 20 : 12));
				const duration = v1
					? Number(data.readBigUInt64BE(box.body + 24))
					: data.readUInt32BE(box.body + 16);
				if (timescale > 0) info.durationMs = Math.round((duration / timescale) * 1000);
			} else if (box.type === 'tkhd') {
				const v1 = data[box.body] === 1;
				const at = box.body + (v1 ? 88 : 76);
				if (at + 8 <= box.end) {
					const width = data.readUInt32BE(at) / 65536;
					const height = data.readUInt32BE(at + 4) / 65536;
					if (width * height > (info.width ?? 0) * (info.height ?? 0)) {
						info.width = Math.round(width);
						info.height = Math.round(height);
					}
				}
			} else if (CONTAINER_BOXES.includes(box.type)) {
				visit(box.body, box.end);
			}
		}
	};
	visit(0, data.length);
	return info;
}

/** Reads the format and length of a WAV, MP3, AAC (ADTS) or MP4/M4A/MOV file; undefined otherwise. */
export function readMediaInfo(data: Buffer): MediaInfo | undefined {
	return readWav(data) ?? readIsoBmff(data) ?? readMp3(data) ?? readAdts(data);
}
