// Minimal real images for tests: a valid PNG (zlib-compressed, CRC-checked) of any size, and a
// JPEG header with a start-of-frame marker. Generated, so no binaries live in the repository.
import { crc32, deflateSync } from 'node:zlib';

function chunk(type, data) {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typeAndData));
	return Buffer.concat([length, typeAndData, crc]);
}

/** A grey RGB PNG of the given size. */
export function makePng(width, height) {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth
	header[9] = 2; // colour type RGB
	const row = Buffer.alloc(1 + width * 3, 0x80);
	row[0] = 0; // filter: none
	const raw = Buffer.concat(Array.from({ length: height }, () => row));
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

/** JPEG markers up to the frame header (enough for any header reader), padded to `padTo` bytes. */
export function makeJpeg(width, height, padTo = 0) {
	const app0 = Buffer.from([
		0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00,
	]);
	const sof0 = Buffer.from([
		0xff,
		0xc0,
		0x00,
		0x11,
		0x08,
		height >> 8,
		height & 0xff,
		width >> 8,
		width & 0xff,
		0x03,
		0x01,
		0x22,
		0x00,
		0x02,
		0x11,
		0x01,
		0x03,
		0x11,
		0x01,
	]);
	const parts = [Buffer.from([0xff, 0xd8]), app0, sof0];
	const size = parts.reduce((sum, part) => sum + part.length, 0) + 2;
	if (padTo > size) parts.push(Buffer.alloc(padTo - size, 0));
	parts.push(Buffer.from([0xff, 0xd9]));
	return Buffer.concat(parts);
}
