// Pure helpers of the node, tested from the built dist/ (the code users install).
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { projectRoot } from '../dev/engine.mjs';
import { makeJpeg, makePng } from '../dev/images.mjs';

const require = createRequire(import.meta.url);
const shared = (name) => require(path.join(projectRoot, 'dist/nodes/Kling/shared', `${name}.js`));

const { signKlingJwt, JWT_LIFETIME_S, JWT_NOT_BEFORE_SKEW_S } = shared('jwt');
const { readImageInfo } = shared('imageInfo');
const {
	prepareSubmissionBody,
	checkBaseUrl,
	normaliseBaseUrl,
	normaliseImageText,
	checkImageBytes,
} = shared('validation');
const { classify, backoffMs, parseEnvelope, retryDelay } = shared('transport');
const { deriveExternalTaskId, customExternalTaskId, taskStateOf } = shared('tasks');
const { TaskLimiter, useAccountLimiter, accountLimiterCount, accountKeyOf } = shared('limiter');
const { DELAYS, delays, useDelaysForDevelopment } = shared('delays');
const { KlingApi } = require(path.join(projectRoot, 'dist/credentials/KlingApi.credentials.js'));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

function verifyHs256(token, secret) {
	const [header, payload, signature] = token.split('.');
	const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
	return expected === signature;
}

describe('jwt.signKlingJwt', () => {
	it("matches Kling's documented test vector", () => {
		expect(signKlingJwt('ak-demo-123', 'sk-demo-456', 1767225600)).toBe(
			'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJhay1kZW1vLTEyMyIsImV4cCI6MTc2NzIyNzQwMCwibmJmIjoxNzY3MjI1NTk1fQ.OnthB87b100VN0Yb7pILQr_eXKfJD1lsOaxawPu6d0Y',
		);
	});

	it('signs HS256 over header.payload, verifiable with node:crypto', () => {
		const token = signKlingJwt('my-access-key', 'my-secret-key', 1700000000);
		const [header, payload, signature] = token.split('.');
		expect(decode(header)).toEqual({ alg: 'HS256', typ: 'JWT' });
		expect(decode(payload)).toEqual({
			iss: 'my-access-key',
			exp: 1700000000 + 1800,
			nbf: 1700000000 - 5,
		});
		expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/); // base64url, no padding
		expect(verifyHs256(token, 'my-secret-key')).toBe(true);
		expect(verifyHs256(token, 'another-secret')).toBe(false);
	});

	it('uses the current time by default and documents its lifetime constants', () => {
		const before = Math.floor(Date.now() / 1000);
		const { exp, nbf } = decode(signKlingJwt('a', 'b').split('.')[1]);
		const after = Math.floor(Date.now() / 1000);
		expect(JWT_LIFETIME_S).toBe(1800);
		expect(JWT_NOT_BEFORE_SKEW_S).toBe(5);
		expect(exp - nbf).toBe(1805);
		expect(nbf).toBeGreaterThanOrEqual(before - 5);
		expect(nbf).toBeLessThanOrEqual(after - 5);
	});

	it('keeps non-ASCII access keys intact (UTF-8 JSON)', () => {
		const token = signKlingJwt('ключ-ü', 'sëcret', 1);
		expect(decode(token.split('.')[1]).iss).toBe('ключ-ü');
		expect(verifyHs256(token, 'sëcret')).toBe(true);
	});
});

// JPEG building blocks for the header reader.
const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);
function segment(marker, payload) {
	const length = Buffer.alloc(2);
	length.writeUInt16BE(payload.length + 2);
	return Buffer.concat([Buffer.from([0xff, marker]), length, payload]);
}
function frameHeader(marker, width, height) {
	return segment(
		marker,
		Buffer.from([
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
		]),
	);
}

describe('imageInfo.readImageInfo', () => {
	it('reads PNG sizes', () => {
		expect(readImageInfo(makePng(640, 360))).toEqual({ format: 'png', width: 640, height: 360 });
		expect(readImageInfo(makePng(1, 4000))).toEqual({ format: 'png', width: 1, height: 4000 });
	});

	it('reads baseline JPEG sizes', () => {
		expect(readImageInfo(makeJpeg(1920, 1080))).toEqual({
			format: 'jpeg',
			width: 1920,
			height: 1080,
		});
		expect(readImageInfo(makeJpeg(300, 65535))).toEqual({
			format: 'jpeg',
			width: 300,
			height: 65535,
		});
	});

	it('skips APPn, DQT and DHT segments before the frame header', () => {
		const exif = segment(
			0xe1,
			Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), Buffer.alloc(2000, 0x2a)]),
		);
		const dqt = segment(0xdb, Buffer.alloc(65, 1));
		const dht = segment(0xc4, Buffer.alloc(30, 2)); // 0xC4 is in the SOF range but is not a frame header
		const jpeg = Buffer.concat([SOI, exif, dqt, dht, frameHeader(0xc0, 1024, 768), EOI]);
		expect(readImageInfo(jpeg)).toEqual({ format: 'jpeg', width: 1024, height: 768 });
	});

	it('reads a progressive JPEG (SOF2) and tolerates fill bytes before a marker', () => {
		const app0 = segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'));
		const jpeg = Buffer.concat([
			SOI,
			app0,
			Buffer.from([0xff, 0xff]),
			frameHeader(0xc2, 800, 1200),
			EOI,
		]);
		expect(readImageInfo(jpeg)).toEqual({ format: 'jpeg', width: 800, height: 1200 });
	});

	it('returns undefined for anything that is not a JPG or PNG', () => {
		expect(readImageInfo(Buffer.alloc(0))).toBeUndefined();
		expect(readImageInfo(Buffer.from('hello, this is not an image at all'))).toBeUndefined();
		expect(readImageInfo(Buffer.from('GIF89a\x90\x01\x90\x01\0\0\0;', 'latin1'))).toBeUndefined();
		expect(readImageInfo(Buffer.from('%PDF-1.4\n%%EOF\n'))).toBeUndefined();
		expect(readImageInfo(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'))).toBeUndefined();
	});

	it('returns undefined for truncated images', () => {
		expect(readImageInfo(makePng(640, 360).subarray(0, 20))).toBeUndefined();
		expect(readImageInfo(makePng(640, 360).subarray(0, 8))).toBeUndefined();
		expect(readImageInfo(makeJpeg(640, 360).subarray(0, 24))).toBeUndefined(); // cut inside the frame header
		expect(readImageInfo(SOI)).toBeUndefined();
		const exif = segment(0xe1, Buffer.alloc(500, 0x2a));
		expect(readImageInfo(Buffer.concat([SOI, exif]).subarray(0, 100))).toBeUndefined(); // cut inside APP1
	});

	it('returns undefined for a JPEG whose scan starts before any frame header', () => {
		const sos = segment(0xda, Buffer.alloc(10, 0));
		expect(
			readImageInfo(Buffer.concat([SOI, sos, frameHeader(0xc0, 640, 360), EOI])),
		).toBeUndefined();
		expect(readImageInfo(Buffer.concat([SOI, EOI]))).toBeUndefined();
	});

	it('returns undefined for a JPEG with garbage where a marker should be', () => {
		expect(
			readImageInfo(
				Buffer.concat([SOI, Buffer.from([0x12, 0x34, 0x56, 0x78]), frameHeader(0xc0, 640, 360)]),
			),
		).toBeUndefined();
	});
});

describe('validation.prepareSubmissionBody', () => {
	const base = {
		prompt: 'A red fox in the snow',
		mode: 'pro',
		duration: '5',
		aspect_ratio: '16:9',
		cfg_scale: 0.5,
	};

	it('drops mode for master models and the default cfg_scale for v2 models', () => {
		for (const model of ['kling-v2-master', 'kling-v2-1-master']) {
			const result = prepareSubmissionBody('text2video', { ...base, model_name: model });
			expect(result.problem).toBeUndefined();
			expect(result.body).not.toHaveProperty('mode');
			expect(result.body).not.toHaveProperty('cfg_scale');
			expect(result.body).toMatchObject({
				model_name: model,
				prompt: base.prompt,
				duration: '5',
				aspect_ratio: '16:9',
			});
		}
	});

	it('keeps mode but drops cfg_scale 0.5 for non-master v2+ models', () => {
		for (const model of ['kling-v2-5-turbo', 'kling-v2-6', 'kling-v3']) {
			const { body } = prepareSubmissionBody('text2video', { ...base, model_name: model });
			expect(body.mode).toBe('pro');
			expect(body).not.toHaveProperty('cfg_scale');
		}
	});

	it('keeps cfg_scale for the kling-v1 family', () => {
		expect(
			prepareSubmissionBody('text2video', { ...base, model_name: 'kling-v1-6' }).body.cfg_scale,
		).toBe(0.5);
		expect(
			prepareSubmissionBody('text2video', { ...base, model_name: 'kling-v1', cfg_scale: 0.8 }).body
				.cfg_scale,
		).toBe(0.8);
		expect(
			prepareSubmissionBody('image2video', {
				...base,
				image: 'https://x.test/a.png',
				model_name: 'kling-v1-5',
				cfg_scale: 0,
			}).body.cfg_scale,
		).toBe(0);
	});

	it('leaves out empty and undefined fields and does not change its input', () => {
		const input = {
			...base,
			model_name: 'kling-v1-6',
			negative_prompt: '',
			callback_url: undefined,
		};
		const copy = { ...input };
		const { body } = prepareSubmissionBody('text2video', input);
		expect(body).not.toHaveProperty('negative_prompt');
		expect(body).not.toHaveProperty('callback_url');
		expect(input).toEqual(copy);
	});

	it('passes an unknown model (given by expression) through with only generic checks', () => {
		const { body } = prepareSubmissionBody('text2video', {
			...base,
			model_name: 'kling-v9',
			duration: '12',
			cfg_scale: 0.7,
		});
		expect(body).toMatchObject({
			model_name: 'kling-v9',
			duration: '12',
			mode: 'pro',
			cfg_scale: 0.7,
		});
		expect(
			prepareSubmissionBody('text2video', { ...base, model_name: 'kling-v9', duration: '2' })
				.problem.field,
		).toBe('Duration');
	});

	it('reports problems with field names', () => {
		expect(
			prepareSubmissionBody('text2video', { ...base, model_name: 'kling-v2-6', prompt: '' })
				.problem,
		).toMatchObject({ field: 'Prompt', message: 'Prompt is empty' });
		expect(
			prepareSubmissionBody('image2video', { ...base, prompt: '', model_name: 'kling-v2-6' })
				.problem,
		).toMatchObject({ field: 'Image', message: 'Image is missing' });
		expect(
			prepareSubmissionBody('multi-image2video', {
				...base,
				model_name: 'kling-v1-6',
				image_list: [],
			}).problem,
		).toMatchObject({ field: 'Images' });
		expect(
			prepareSubmissionBody('multi-image2video', {
				...base,
				model_name: 'kling-v1-6',
				image_list: [1, 2, 3, 4, 5].map((n) => ({ image: `https://x.test/${n}.png` })),
			}).problem,
		).toMatchObject({
			field: 'Images',
			message: '5 reference images given; Kling accepts at most 4',
		});
		expect(
			prepareSubmissionBody('text2video', {
				...base,
				model_name: 'kling-v2-6',
				callback_url: 'https://',
			}).problem,
		).toMatchObject({ field: 'Callback URL' });
	});
});

describe('validation helpers', () => {
	it('checkBaseUrl accepts http(s) addresses and rejects the rest', () => {
		for (const good of [
			'https://api-singapore.klingai.com',
			'https://api-beijing.klingai.com/',
			'http://127.0.0.1:8080',
			' https://proxy.example.com/kling ',
		]) {
			expect(checkBaseUrl(good)).toBeUndefined();
		}
		for (const bad of [
			'ftp://x',
			'not a url',
			'',
			undefined,
			null,
			'api.klingai.com',
			'https://x.com/?a=1',
			'https://x.com/#frag',
			'javascript:alert(1)',
			'file:///etc/passwd',
		]) {
			expect(checkBaseUrl(bad)).toMatchObject({ field: 'Base URL' });
		}
		expect(checkBaseUrl('ftp://x').message).toBe(
			'The Base URL "ftp://x" in the Kling credential is not a valid http(s) address',
		);
		// Plain http only for this machine (see test/exposure.test.mjs).
		expect(checkBaseUrl('http://proxy.example.com')).toMatchObject({ field: 'Base URL' });
	});

	it('normaliseBaseUrl trims and strips trailing slashes', () => {
		expect(normaliseBaseUrl('https://api-singapore.klingai.com/')).toBe(
			'https://api-singapore.klingai.com',
		);
		expect(normaliseBaseUrl('  https://proxy.example.com/kling///  ')).toBe(
			'https://proxy.example.com/kling',
		);
		expect(normaliseBaseUrl('https://api.klingai.com')).toBe('https://api.klingai.com');
		expect(normaliseBaseUrl(undefined)).toBe('');
	});

	it('normaliseImageText keeps URLs and strips a data: prefix and whitespace from base64', () => {
		const png = makePng(640, 360).toString('base64');
		expect(normaliseImageText('  https://example.com/a.png ', 'Image')).toEqual({
			image: 'https://example.com/a.png',
		});
		expect(normaliseImageText('HTTP://example.com/a.png', 'Image')).toEqual({
			image: 'HTTP://example.com/a.png',
		});
		expect(normaliseImageText(`data:image/png;base64,${png}`, 'Image')).toEqual({ image: png });
		expect(
			normaliseImageText(
				`DATA:image/jpeg;base64,${makeJpeg(640, 640).toString('base64')}`,
				'Image',
			),
		).toEqual({ image: makeJpeg(640, 640).toString('base64') });
		const wrapped = png.replace(/(.{76})/g, '$1\n');
		expect(normaliseImageText(wrapped, 'Image')).toEqual({ image: png });
		expect(normaliseImageText(png, 'Image')).toEqual({ image: png });
	});

	it('normaliseImageText reports missing, non-base64 and bad images under the given field', () => {
		expect(normaliseImageText('', 'End Frame').problem).toMatchObject({
			field: 'End Frame',
			message: 'End Frame is missing',
		});
		expect(normaliseImageText(undefined, 'Image').problem.message).toBe('Image is missing');
		expect(normaliseImageText('photo.jpg', 'Image').problem.message).toBe(
			'Image is neither an http(s) URL nor base64 image data',
		);
		// Words made only of base64 letters are still words, not image data.
		expect(normaliseImageText('last frame please', 'End Frame').problem.message).toBe(
			'End Frame is neither an http(s) URL nor base64 image data',
		);
		expect(
			normaliseImageText(makePng(100, 100).toString('base64'), 'Images #2').problem.message,
		).toBe('Images #2 is 100x100 px; each side must be at least 300 px');
	});

	it('checkImageBytes enforces 10 MB, JPG/PNG, 300 px and 1:2.5..2.5:1', () => {
		expect(checkImageBytes(makePng(300, 300), 'Image')).toBeUndefined();
		expect(checkImageBytes(makePng(750, 300), 'Image')).toBeUndefined();
		expect(checkImageBytes(makePng(300, 750), 'Image')).toBeUndefined();
		expect(checkImageBytes(makePng(751, 300), 'Image').message).toMatch(/aspect ratio/);
		expect(checkImageBytes(makePng(299, 600), 'Image').message).toMatch(/at least 300 px/);
		expect(checkImageBytes(makeJpeg(1000, 1000, 10 * 1024 * 1024), 'Image')).toBeUndefined();
		expect(checkImageBytes(makeJpeg(1000, 1000, 10 * 1024 * 1024 + 1), 'Image').message).toMatch(
			/Kling accepts at most 10 MB/,
		);
	});
});

describe('transport.classify', () => {
	const cases = [
		['code 0 at 200', { status: 200, envelope: { code: 0 } }, 'ok'],
		['1302 rate limit', { status: 429, envelope: { code: 1302 } }, 'throttled'],
		['1303 concurrency full', { status: 429, envelope: { code: 1303 } }, 'busy'],
		['1003 token not yet valid', { status: 401, envelope: { code: 1003 } }, 'signAgain'],
		['1004 token expired', { status: 401, envelope: { code: 1004 } }, 'signAgain'],
		['5000 internal error', { status: 500, envelope: { code: 5000 } }, 'transient'],
		['5001 maintenance', { status: 503, envelope: { code: 5001 } }, 'transient'],
		['5002 internal timeout', { status: 504, envelope: { code: 5002 } }, 'transient'],
		['1102 balance depleted at HTTP 429', { status: 429, envelope: { code: 1102 } }, 'fatal'],
		['1100 account problem at HTTP 429', { status: 429, envelope: { code: 1100 } }, 'fatal'],
		['1201 bad parameter at HTTP 400', { status: 400, envelope: { code: 1201 } }, 'fatal'],
		['1301 content safety at HTTP 400', { status: 400, envelope: { code: 1301 } }, 'fatal'],
		['HTTP 400 without an envelope', { status: 400 }, 'fatal'],
		['1002 bad key at HTTP 401', { status: 401, envelope: { code: 1002 } }, 'fatal'],
		['HTTP 401 without an envelope', { status: 401 }, 'fatal'],
		['no answer (network error)', { noAnswer: 'ECONNRESET' }, 'transient'],
		['no answer even with a status', { status: 200, noAnswer: 'unreadable answer' }, 'transient'],
		['HTTP 429 without a code', { status: 429 }, 'throttled'],
		['HTTP 503 without an envelope', { status: 503 }, 'transient'],
		['HTTP 502 without an envelope', { status: 502 }, 'transient'],
	];
	it.each(cases)('%s → %s', (_name, exchange, verdict) => {
		expect(classify(exchange)).toBe(verdict);
	});
});

describe('transport.backoffMs', () => {
	it('is base × 2^attempt scaled by 50 % (random 0) to 100 % (random 1)', () => {
		expect(backoffMs(0, 1000, 30_000, 0)).toBe(500);
		expect(backoffMs(0, 1000, 30_000, 1)).toBe(1000);
		expect(backoffMs(3, 1000, 30_000, 0)).toBe(4000);
		expect(backoffMs(3, 1000, 30_000, 1)).toBe(8000);
		expect(backoffMs(2, 1000, 30_000, 0.5)).toBe(3000);
	});

	it('is capped at the maximum', () => {
		expect(backoffMs(5, 1000, 30_000, 1)).toBe(30_000);
		expect(backoffMs(40, 1000, 30_000, 1)).toBe(30_000);
		expect(backoffMs(40, 1000, 30_000, 0)).toBe(15_000);
	});

	it('stays within bounds with the real random source', () => {
		for (let attempt = 0; attempt < 12; attempt++) {
			for (let i = 0; i < 50; i++) {
				const delay = backoffMs(attempt, 100, 5000);
				const full = Math.min(5000, 100 * 2 ** attempt);
				expect(delay).toBeGreaterThanOrEqual(Math.floor(full / 2));
				expect(delay).toBeLessThanOrEqual(full);
			}
		}
	});
});

describe('transport.parseEnvelope', () => {
	const envelope = { code: 0, message: 'SUCCEED', request_id: 'r-1', data: { task_id: '1' } };

	it('parses objects, JSON strings and Buffers', () => {
		expect(parseEnvelope(envelope)).toEqual(envelope);
		expect(parseEnvelope(JSON.stringify(envelope))).toEqual(envelope);
		expect(parseEnvelope(Buffer.from(JSON.stringify(envelope)))).toEqual(envelope);
		expect(parseEnvelope('{"code":1303,"message":"busy"}')).toEqual({
			code: 1303,
			message: 'busy',
		});
	});

	it('returns undefined for broken JSON and for anything without a numeric code', () => {
		expect(parseEnvelope('{"code":0,"data":{')).toBeUndefined();
		expect(parseEnvelope(Buffer.from('<html>502 Bad Gateway</html>'))).toBeUndefined();
		expect(parseEnvelope({ message: 'no code' })).toBeUndefined();
		expect(parseEnvelope({ code: '0' })).toBeUndefined();
		expect(parseEnvelope('{"hello":"world"}')).toBeUndefined();
		expect(parseEnvelope([{ code: 0 }])).toBeUndefined();
		expect(parseEnvelope('null')).toBeUndefined();
		expect(parseEnvelope(null)).toBeUndefined();
		expect(parseEnvelope(undefined)).toBeUndefined();
		expect(parseEnvelope('')).toBeUndefined();
		expect(parseEnvelope(42)).toBeUndefined();
	});
});

describe('transport.retryDelay', () => {
	it('never goes below the floor: Retry-After: 0 still waits, and repeated 1303s back off', () => {
		useDelaysForDevelopment();
		try {
			expect(delays()).toBe(delays());
			expect(DELAYS.minRetryMs).toBe(1000);
			for (const verdict of ['busy', 'throttled', 'transient']) {
				expect(retryDelay(verdict, 0, 0)).toBeGreaterThanOrEqual(1000);
			}
			// Backoff grows with the attempt even when Kling keeps saying Retry-After: 0: attempt 5 is
			// min(30 s, 1 s × 2^5) scaled by the 50–100 % jitter, so at least 15 s.
			expect(retryDelay('busy', 5, 0)).toBeGreaterThanOrEqual(15_000);
			// A longer Retry-After is honoured.
			expect(retryDelay('throttled', 0, 7000)).toBe(7000);
		} finally {
			useDelaysForDevelopment();
		}
	});
});

describe('tasks.taskStateOf', () => {
	it.each([
		['succeed', 'succeeded'],
		['succeeded', 'succeeded'],
		['completed', 'succeeded'],
		['success', 'succeeded'],
		['SUCCEED', 'succeeded'],
		['failed', 'failed'],
		['submitted', 'running'],
		['processing', 'running'],
		['', 'running'],
		[undefined, 'running'],
		[null, 'running'],
	])('%p → %s', (status, state) => {
		expect(taskStateOf(status)).toBe(state);
	});
});

describe('tasks.deriveExternalTaskId', () => {
	const body = {
		model_name: 'kling-v2-6',
		prompt: 'A fox',
		mode: 'std',
		duration: '5',
		image_list: [{ image: 'https://x.test/a.png' }],
	};
	const id = (over = {}) =>
		deriveExternalTaskId(
			over.workflow ?? 'wf-1',
			over.node ?? 'node-1',
			over.item ?? 0,
			over.body ?? body,
		);

	it('is deterministic and shaped n8n-<40 hex>', () => {
		expect(id()).toMatch(/^n8n-[0-9a-f]{40}$/);
		expect(id()).toBe(id());
		expect(id({ body: structuredClone(body) })).toBe(id());
	});

	it('changes with the body, the item, the node and the workflow', () => {
		const others = [
			id({ body: { ...body, prompt: 'A wolf' } }),
			id({ body: { ...body, mode: 'pro' } }),
			id({ body: { ...body, image_list: [{ image: 'https://x.test/b.png' }] } }),
			id({ item: 1 }),
			id({ node: 'node-2' }),
			id({ workflow: 'wf-2' }),
		];
		expect(new Set([id(), ...others]).size).toBe(others.length + 1);
	});

	it('ignores external_task_id, callback_url and key order (also in nested objects)', () => {
		expect(
			id({
				body: { ...body, external_task_id: 'n8n-old', callback_url: 'https://hooks.example.com/k' },
			}),
		).toBe(id());
		const reordered = {
			image_list: [{ image: 'https://x.test/a.png' }],
			duration: '5',
			mode: 'std',
			prompt: 'A fox',
			model_name: 'kling-v2-6',
		};
		expect(id({ body: reordered })).toBe(id());
		const nested = (camera) => id({ body: { ...body, camera_control: camera } });
		expect(nested({ type: 'simple', config: { zoom: 5, pan: 0 } })).toBe(
			nested({ config: { pan: 0, zoom: 5 }, type: 'simple' }),
		);
	});

	it('a reuse scope (window number or execution) gives another id for the same inputs', () => {
		const scoped = (scope) => deriveExternalTaskId('wf-1', 'node-1', 0, body, scope);
		expect(scoped('window 86400000 #20425')).toMatch(/^n8n-[0-9a-f]{40}$/);
		expect(scoped('window 86400000 #20425')).toBe(scoped('window 86400000 #20425'));
		expect(
			new Set([
				id(),
				scoped('window 86400000 #20425'),
				scoped('window 86400000 #20426'),
				scoped('execution 7'),
			]).size,
		).toBe(4);
	});

	it('a custom id gets a hash of the inputs appended: same inputs same id, other inputs another', () => {
		expect(customExternalTaskId('row-1', body)).toMatch(/^row-1-[0-9a-f]{8}$/);
		expect(customExternalTaskId('row-1', { ...body, external_task_id: 'x' })).toBe(
			customExternalTaskId('row-1', body),
		);
		expect(customExternalTaskId('row-1', { ...body, prompt: 'A wolf' })).not.toBe(
			customExternalTaskId('row-1', body),
		);
	});

	it('does not change the body it is given', () => {
		const given = { ...body, external_task_id: 'keep-me' };
		id({ body: given });
		expect(given.external_task_id).toBe('keep-me');
	});
});

describe('limiter.TaskLimiter', () => {
	/** A limiter already at `limit` (slow start done: each accepted create raised it). */
	function limiterAt(limit) {
		const limiter = new TaskLimiter(limit);
		for (let i = 1; i < limit; i++) limiter.accepted();
		expect(limiter.limit).toBe(limit);
		return limiter;
	}

	it('starts at one place and opens one more per accepted create, up to the cap (slow start)', async () => {
		const limiter = new TaskLimiter(3);
		expect(limiter.limit).toBe(1);
		const first = await limiter.acquire(3);
		let second;
		limiter.acquire(3).then((slot) => (second = slot));
		await sleep(5);
		expect(second).toBeUndefined();
		limiter.accepted();
		await sleep(5);
		expect(second).toBeDefined();
		limiter.accepted();
		limiter.accepted();
		expect(limiter.limit).toBe(3);
		first.release();
		second.release();
	});

	it('never has more than `limit` holders under 10 concurrent acquirers', async () => {
		const limiter = limiterAt(3);
		let holding = 0;
		let most = 0;
		const order = [];
		await Promise.all(
			Array.from({ length: 10 }, async (_, i) => {
				const slot = await limiter.acquire(3);
				holding++;
				most = Math.max(most, holding);
				expect(limiter.inFlight).toBeLessThanOrEqual(3);
				await sleep(5 + ((i * 7) % 11));
				holding--;
				order.push(i);
				slot.release();
			}),
		);
		expect(most).toBe(3);
		expect(order).toHaveLength(10);
		expect(limiter.inFlight).toBe(0);
	});

	it('each acquirer gets a place only within its own cap', async () => {
		const limiter = limiterAt(4);
		const wide = [await limiter.acquire(4), await limiter.acquire(4)];
		let narrow;
		limiter.acquire(2).then((slot) => (narrow = slot));
		await sleep(5);
		expect(narrow).toBeUndefined(); // 2 in flight: a node with cap 2 waits
		wide[0].release();
		await sleep(5);
		expect(narrow).toBeDefined();
		narrow.release();
		wide[1].release();
		expect(limiter.inFlight).toBe(0);
	});

	it('a released slot goes to the longest waiter; releasing twice frees only one place', async () => {
		const limiter = new TaskLimiter(1);
		const first = await limiter.acquire(1);
		const granted = [];
		const second = limiter.acquire(1).then((slot) => (granted.push('second'), slot));
		const third = limiter.acquire(1).then((slot) => (granted.push('third'), slot));
		first.release();
		first.release();
		const secondSlot = await second;
		await sleep(5);
		expect(granted).toEqual(['second']);
		expect(limiter.inFlight).toBe(1);
		secondSlot.release();
		(await third).release();
		expect(granted).toEqual(['second', 'third']);
		expect(limiter.inFlight).toBe(0);
	});

	it('shrink lowers the cap to active - 1, but never below 1', async () => {
		const limiter = limiterAt(5);
		const slots = await Promise.all([limiter.acquire(5), limiter.acquire(5), limiter.acquire(5)]);
		limiter.shrink();
		expect(limiter.limit).toBe(2);
		slots[0].release();
		slots[1].release();
		limiter.shrink();
		expect(limiter.limit).toBe(1);
		slots[2].release();
		limiter.shrink();
		expect(limiter.limit).toBe(1);
	});

	it('after a 1303 no item of the process starts a create for a while, longer with each 1303 in a row', async () => {
		// Before, the place a refused item gave back went straight to the next waiter, which was
		// refused too: 26 refused creates for 20 tasks with two n8n workers on one account.
		useDelaysForDevelopment({ busyBaseMs: 60, busyMaxMs: 1000 });
		try {
			const limiter = limiterAt(2);
			const refused = await limiter.acquire(2);
			const waitFor = async () => {
				const started = Date.now();
				const slot = await limiter.acquire(2);
				return { slot, waited: Date.now() - started };
			};
			limiter.shrink(); // first 1303: closed ~60 ms
			refused.release();
			const first = await waitFor();
			expect(first.waited).toBeGreaterThanOrEqual(50);
			first.slot.release();
			limiter.shrink(); // second 1303 in a row: closed ~120 ms
			const second = await waitFor();
			expect(second.waited).toBeGreaterThanOrEqual(110);
			second.slot.release();
			limiter.accepted(); // an accepted create ends the streak
			limiter.shrink();
			const third = await waitFor();
			expect(third.waited).toBeLessThan(110);
			third.slot.release();
		} finally {
			useDelaysForDevelopment();
		}
	});

	it('after a 1303, probes one place up only after a quiet period, doubling it when a probe is refused', async () => {
		useDelaysForDevelopment({ probeQuietMs: 40 });
		try {
			const limiter = limiterAt(4);
			const slots = await Promise.all([limiter.acquire(4), limiter.acquire(4), limiter.acquire(4)]);
			limiter.shrink(); // cap 2
			limiter.grow();
			expect(limiter.limit).toBe(2); // too soon after the 1303
			await sleep(50);
			limiter.grow();
			expect(limiter.limit).toBe(3); // the probe
			limiter.grow();
			expect(limiter.limit).toBe(3); // one probe per quiet period
			limiter.shrink(); // the probe was refused: wait 80 ms now
			const lowered = limiter.limit;
			await sleep(50);
			limiter.grow();
			expect(limiter.limit).toBe(lowered);
			await sleep(40);
			limiter.grow();
			expect(limiter.limit).toBe(lowered + 1);
			for (const slot of slots) slot.release();
		} finally {
			useDelaysForDevelopment();
		}
	});

	it('an aborted waiter is removed from the queue and rejects', async () => {
		const limiter = new TaskLimiter(1);
		const holder = await limiter.acquire(1);
		const controller = new AbortController();
		const aborted = limiter.acquire(1, controller.signal);
		let laterGot = false;
		const later = limiter.acquire(1).then((slot) => ((laterGot = true), slot));
		controller.abort(new Error('execution stopped'));
		await expect(aborted).rejects.toThrow('execution stopped');
		holder.release();
		const laterSlot = await later;
		expect(laterGot).toBe(true);
		expect(limiter.inFlight).toBe(1); // the aborted waiter never took a place
		laterSlot.release();
		expect(limiter.inFlight).toBe(0);
	});

	it('requeue gives the place away, waits, then queues for it again', async () => {
		const limiter = new TaskLimiter(1);
		const events = [];
		const a = await limiter.acquire(1);
		const b = limiter.acquire(1).then((slot) => (events.push('b acquired'), slot));
		const requeued = a.requeue(10).then(() => events.push('a re-acquired'));
		const bSlot = await b;
		expect(limiter.inFlight).toBe(1);
		await sleep(30);
		expect(events).toEqual(['b acquired']);
		events.push('b released');
		bSlot.release();
		await requeued;
		expect(events).toEqual(['b acquired', 'b released', 'a re-acquired']);
		expect(limiter.inFlight).toBe(1);
		a.release();
		a.release();
		expect(limiter.inFlight).toBe(0);
	});

	it('requeue rejects when the execution is stopped during its wait, leaving the place free', async () => {
		const limiter = new TaskLimiter(1);
		const slot = await limiter.acquire(1);
		const controller = new AbortController();
		const requeued = slot.requeue(10_000, controller.signal);
		setTimeout(() => controller.abort(), 5);
		await expect(requeued).rejects.toBeDefined();
		slot.release();
		expect(limiter.inFlight).toBe(0);
		const again = await limiter.acquire(1);
		expect(limiter.inFlight).toBe(1);
		again.release();
	});
});

describe('limiter registry (one limiter per Kling account)', () => {
	it('shares one limiter per account while it has users and forgets it when the last is done', () => {
		const before = accountLimiterCount();
		const a = useAccountLimiter('unit-account', 2);
		const b = useAccountLimiter('unit-account', 5);
		expect(b.limiter).toBe(a.limiter);
		expect(accountLimiterCount()).toBe(before + 1);
		a.done();
		a.done(); // twice is once
		expect(accountLimiterCount()).toBe(before + 1);
		b.done();
		expect(accountLimiterCount()).toBe(before);
		const c = useAccountLimiter('unit-account', 2);
		expect(c.limiter).not.toBe(a.limiter);
		c.done();
	});

	it('keys an account by a hash of its key and Base URL, never the key itself', () => {
		const apiKey = { authType: 'apiKey', apiKey: 'secret-key-123' };
		const key = accountKeyOf(apiKey, 'https://api-singapore.klingai.com');
		expect(key).toMatch(/^[0-9a-f]{32}$/);
		expect(key).not.toContain('secret');
		expect(
			accountKeyOf({ ...apiKey, apiKey: ' secret-key-123 ' }, 'https://api-singapore.klingai.com'),
		).toBe(key);
		expect(accountKeyOf(apiKey, 'https://api-beijing.klingai.com')).not.toBe(key);
		expect(
			accountKeyOf(
				{ authType: 'accessKey', accessKey: 'secret-key-123', secretKey: 's' },
				'https://api-singapore.klingai.com',
			),
		).not.toBe(key);
	});
});

describe('KlingApi credential authenticate', () => {
	const credential = new KlingApi();

	it('API key mode sends the trimmed key as a Bearer token and keeps other headers', async () => {
		const options = {
			url: '/v1/videos/text2video',
			method: 'GET',
			headers: { Accept: 'application/json' },
		};
		const result = await credential.authenticate(
			{ authType: 'apiKey', apiKey: '  key-123 \n' },
			options,
		);
		expect(result.headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer key-123' });
		expect(result.url).toBe('/v1/videos/text2video');
		expect(options.headers).toEqual({ Accept: 'application/json' }); // input not mutated
	});

	it('defaults to API key mode when authType is missing', async () => {
		const result = await credential.authenticate({ apiKey: 'key-456' }, { url: '/x' });
		expect(result.headers.Authorization).toBe('Bearer key-456');
	});

	it('Access Key mode sends a fresh HS256 JWT with iss = access key and exp - nbf = 1805', async () => {
		const now = Math.floor(Date.now() / 1000);
		const result = await credential.authenticate(
			{
				authType: 'accessKey',
				accessKey: ' ak-live-1 ',
				secretKey: ' sk-live-2 ',
				apiKey: 'unused',
			},
			{ url: '/x', headers: {} },
		);
		const token = result.headers.Authorization.replace(/^Bearer /, '');
		expect(result.headers.Authorization.startsWith('Bearer ')).toBe(true);
		const [header, payload] = token.split('.').slice(0, 2).map(decode);
		expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
		expect(payload.iss).toBe('ak-live-1');
		expect(payload.exp - payload.nbf).toBe(1805);
		expect(payload.nbf).toBeLessThanOrEqual(now);
		expect(payload.exp).toBeGreaterThan(now + 1700);
		expect(verifyHs256(token, 'sk-live-2')).toBe(true); // signed with the trimmed secret
		expect(token).not.toContain('unused');
	});
});
