export interface ImageInfo {
	format: 'png' | 'jpeg';
	width: number;
	height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function readPng(data: Buffer): ImageInfo | undefined {
	if (data.length < 24 || !PNG_SIGNATURE.every((byte, i) => data[i] === byte)) return undefined;
	// The IHDR chunk always comes first: width and height are its first two fields.
	return { format: 'png', width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** Start-of-frame markers carry the dimensions (all SOFn except DHT, JPG and DAC). */
function isStartOfFrame(marker: number): boolean {
	return marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
}

function readJpeg(data: Buffer): ImageInfo | undefined {
	if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return undefined;
	let offset = 2;
	while (offset + 4 <= data.length) {
		if (data[offset] !== 0xff) return undefined;
		const marker = data[offset + 1];
		if (marker === 0xff) {
			offset += 1; // fill byte
			continue;
		}
		if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
			offset += 2; // markers without a length
			continue;
		}
		const length = data.readUInt16BE(offset + 2);
		if (isStartOfFrame(marker)) {
			if (offset + 9 > data.length) return undefined;
			return {
				format: 'jpeg',
				height: data.readUInt16BE(offset + 5),
				width: data.readUInt16BE(offset + 7),
			};
		}
		if (marker === 0xd9 || marker === 0xda) return undefined; // no frame header before the scan
		offset += 2 + length;
	}
	return undefined;
}

/** Reads format and size from the PNG or JPEG header; undefined for anything else. */
export function readImageInfo(data: Buffer): ImageInfo | undefined {
	return readPng(data) ?? readJpeg(data);
}
