// What the node exposes and where it reaches: the credential's Base URL is shown as scheme and
// host only and must be https (plain http only on this machine); the video URL in Kling's
// answer must be https and public unless it is on the Base URL's own host; the proxy option is
// parsed robustly and its password is never shown.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { projectRoot, runKling } from '../dev/engine.mjs';
import {
	expectNoSecrets,
	startFake,
	textToVideo,
	useFastRetries,
	visibleText,
	SECRETS,
} from '../dev/kling.mjs';

const require = createRequire(import.meta.url);
const validation = require(path.join(projectRoot, 'dist/nodes/Kling/shared/validation.js'));
const transport = require(path.join(projectRoot, 'dist/nodes/Kling/shared/transport.js'));
const { checkBaseUrl, checkMediaUrl, displayOrigin, isLoopbackHost, isPrivateHost } = validation;

function getTask(parameters = {}) {
	return { resource: 'video', operation: 'getTask', taskKind: 'text2video', ...parameters };
}

describe('Base URL rules (unit)', () => {
	it('shows an address as scheme and host only', () => {
		expect(displayOrigin('https://user:pw@gw.example.com:8443/kling/t0k3n?api_key=abc#x')).toBe(
			'https://gw.example.com:8443',
		);
		expect(displayOrigin('not a url')).toBeUndefined();
	});

	it('accepts https anywhere and plain http only on this machine', () => {
		for (const good of [
			'https://api-singapore.klingai.com',
			'https://gateway.example.com/kling/',
			'http://localhost:5678',
			'http://127.0.0.1:8080',
			'http://127.8.9.10',
			'http://[::1]:3000',
		]) {
			expect(checkBaseUrl(good)).toBeUndefined();
		}
		for (const bad of [
			'http://api.klingai.com',
			'http://10.0.0.5',
			'http://[::2]',
			'http://localhost.example.com',
			'http://kling.localhost',
		]) {
			expect(checkBaseUrl(bad)).toMatchObject({
				field: 'Base URL',
				message: expect.stringContaining('uses plain http'),
			});
		}
	});

	it('never repeats the key-bearing parts of a refused Base URL', () => {
		const cases = [
			['https://gwuser7:s3cr3t-pw@gw.example.com/', 'contains a user name or password'],
			['https://gw.example.com/kling?api_key=s3cr3t-qs', 'has a query'],
			['https://gw.example.com/#s3cr3t-frag', 'has a query'],
			['http://gw.example.com/s3cr3t-path', 'uses plain http'],
			['ftp://gw.example.com/s3cr3t-ftp', 'not a valid http(s) address'],
		];
		for (const [url, kind] of cases) {
			const problem = checkBaseUrl(url);
			expect(problem.message).toContain(kind);
			expect(`${problem.message} ${problem.description}`).not.toMatch(/s3cr3t|gwuser7|api_key/);
		}
	});
});

describe('media URL rules (unit)', () => {
	it('knows loopback, private, link-local and unspecified literal addresses', () => {
		for (const host of [
			'localhost',
			'a.localhost',
			'127.0.0.1',
			'127.1.2.3',
			'10.1.2.3',
			'172.16.0.1',
			'172.31.255.255',
			'192.168.1.1',
			'169.254.169.254',
			'0.0.0.0',
			'[::1]',
			'[::]',
			'[fc00::1]',
			'[fd12:3456::1]',
			'[fe80::1]',
			'[febf::1]',
			'[::ffff:7f00:1]',
			'[::ffff:a9fe:a9fe]',
		]) {
			expect([host, isPrivateHost(host)]).toEqual([host, true]);
		}
		for (const host of [
			'8.8.8.8',
			'172.32.0.1',
			'172.15.0.1',
			'192.169.0.1',
			'169.253.0.1',
			'cdn.klingai.com',
			'[2001:db8::1]',
			'[fec0::1]',
			'[::ffff:808:808]',
		]) {
			expect([host, isPrivateHost(host)]).toEqual([host, false]);
		}
		expect(isLoopbackHost('[::1]')).toBe(true);
		expect(isLoopbackHost('10.0.0.1')).toBe(false);
	});

	it('the URL parser normalises disguised IPv4 forms before the check', () => {
		for (const url of [
			'https://0x7f.1/v.mp4',
			'https://2130706433/v.mp4',
			'https://[::ffff:127.0.0.1]/v.mp4',
			'https://0177.0.0.1/v.mp4',
		]) {
			expect(checkMediaUrl(url, 'https://api-singapore.klingai.com')).toMatch(
				/private or local network/,
			);
		}
	});

	it('requires https and a public host, except on the Base URL host or with a local Base URL', () => {
		const kling = 'https://api-singapore.klingai.com';
		expect(checkMediaUrl('https://v1-kling.klingai.com/bs2/x.mp4?sig=1', kling)).toBeUndefined();
		expect(checkMediaUrl('http://v1-kling.klingai.com/x.mp4', kling)).toMatch(
			/only https:\/\/ video addresses/,
		);
		expect(checkMediaUrl('file:///etc/passwd', kling)).toMatch(/not an http\(s\) address/);
		expect(checkMediaUrl('ftp://cdn.example.com/v.mp4', kling)).toMatch(/not an http\(s\) address/);
		expect(checkMediaUrl('https://169.254.169.254/latest/meta-data', kling)).toMatch(
			/private or local/,
		);
		expect(checkMediaUrl('https://10.0.0.8/v.mp4', kling)).toMatch(/private or local/);
		expect(checkMediaUrl('https://localhost/v.mp4', kling)).toMatch(/private or local/);
		expect(checkMediaUrl('not a url', kling)).toMatch(/an unreadable address/);
		// The Base URL's own host may serve plain http (a test server, a local gateway).
		expect(
			checkMediaUrl('http://127.0.0.1:8080/media/1.mp4', 'http://127.0.0.1:8080'),
		).toBeUndefined();
		// … but not another port on it without https.
		expect(checkMediaUrl('http://127.0.0.1:9999/media/1.mp4', 'http://127.0.0.1:8080')).toMatch(
			/only https/,
		);
		// A local Base URL may hand out private https addresses.
		expect(checkMediaUrl('https://192.168.1.20/v.mp4', 'http://localhost:8080')).toBeUndefined();
		// Messages show scheme and host only (signed CDN links carry tokens).
		expect(checkMediaUrl('http://cdn.example.com/v.mp4?token=s3cr3t', kling)).not.toContain(
			's3cr3t',
		);
	});
});

describe('proxy option (unit)', () => {
	const contextWith = (requestOptions) => ({
		getNodeParameter: (name) => (name === 'requestOptions' ? requestOptions : undefined),
		getNode: () => ({
			name: 'Kling',
			type: 'n8n-nodes-kling.kling',
			typeVersion: 1,
			parameters: {},
		}),
		getItemIndex: () => 0,
	});
	const proxyOf = (proxy) => transport.requestOptionsOfNode(contextWith({ proxy })).proxy;

	it('keeps a password with a bare % as typed (it threw URIError before)', () => {
		expect(proxyOf('http://me:50%off@127.0.0.1:3128')).toEqual({
			host: '127.0.0.1',
			port: 3128,
			protocol: 'http',
			auth: { username: 'me', password: '50%off' },
		});
	});

	it('decodes percent-encoded user-info and reads passwords holding @ / # ?', () => {
		expect(proxyOf('http://me%40corp:p%40ss@proxy.local:8080').auth).toEqual({
			username: 'me@corp',
			password: 'p@ss',
		});
		expect(proxyOf('http://me:a/b#c?d@e@proxy.local:8080')).toEqual({
			host: 'proxy.local',
			port: 8080,
			protocol: 'http',
			auth: { username: 'me', password: 'a/b#c?d@e' },
		});
	});

	it('uses the protocol default port when none is given (it was port 0)', () => {
		expect(proxyOf('http://proxy.local')).toMatchObject({ host: 'proxy.local', port: 80 });
		expect(proxyOf('https://proxy.local/')).toMatchObject({
			host: 'proxy.local',
			port: 443,
			protocol: 'https',
		});
		expect(proxyOf('proxy.local:3128')).toMatchObject({
			host: 'proxy.local',
			port: 3128,
			protocol: 'http',
		});
		expect(proxyOf('http://[::1]:3128')).toMatchObject({ host: '::1', port: 3128 });
	});

	it('refuses an unusable proxy without echoing its password', () => {
		let error;
		try {
			proxyOf('socks5://me:pr0xy-s3cr3t@proxy.local:1080');
		} catch (caught) {
			error = caught;
		}
		expect(error?.message).toBe(
			'The proxy "socks5://proxy.local:1080" is not a valid proxy address',
		);
		expect(JSON.stringify({ m: error.message, d: error.description })).not.toContain(
			'pr0xy-s3cr3t',
		);
		expect(() => proxyOf('http://me:pw@:99')).toThrow(/not a valid proxy address/);
	});
});

describe('Base URL through the node (engine)', () => {
	let fake;
	beforeAll(async () => {
		useFastRetries();
		fake = await startFake();
	});
	afterAll(async () => fake.close());
	beforeEach(() => fake.reset());

	const refused = [
		['a query carrying a key', (url) => `${url}/?api_key=gw-s3cr3t-qs`, /has a query/],
		[
			'user:password@',
			(url) => url.replace('http://', 'http://gwuser:gw-s3cr3t-pw@'),
			/user name or password/,
		],
		['plain http to another host', () => 'http://kling.invalid/gw-s3cr3t-path', /uses plain http/],
	];

	for (const [name, baseUrl, message] of refused) {
		for (const [operation, parameters] of [
			['Text to Video', textToVideo()],
			['Get Task', getTask({ taskId: '860000000000000001' })],
		]) {
			it(`${operation}: refuses a Base URL with ${name} before sending anything, showing scheme and host only`, async () => {
				const result = await runKling({
					parameters,
					credentials: { authType: 'apiKey', apiKey: SECRETS.apiKey, baseUrl: baseUrl(fake.url) },
				});
				expect(result.error.message).toMatch(message);
				expect(result.error.message).toMatch(/"http:\/\/(127\.0\.0\.1:\d+|kling\.invalid)"/);
				const text = visibleText(result);
				expect(text).not.toMatch(/gw-s3cr3t|gwuser/);
				expectNoSecrets(result, expect);
				expect(fake.log).toHaveLength(0);
			});
		}
	}
});

describe('video URL from Kling (engine)', () => {
	// A minimal Kling that answers Get Task with a finished task whose video URL the test chooses,
	// and serves any download (counted) so that a fetch that should not happen shows up.
	let server;
	let baseUrl;
	let videoUrl;
	const seen = [];
	beforeAll(async () => {
		useFastRetries();
		server = createServer((req, res) => {
			seen.push(`${req.method} ${req.url}`);
			if (req.url.startsWith('/v1/videos/text2video/')) {
				res.setHeader('content-type', 'application/json');
				res.end(
					JSON.stringify({
						code: 0,
						message: 'SUCCEED',
						request_id: 'r-1',
						data: {
							task_id: '870000000000000042',
							task_status: 'succeed',
							task_status_msg: '',
							task_info: {},
							created_at: 1,
							updated_at: 2,
							task_result: { videos: [{ id: 'v1', url: videoUrl, duration: '5' }] },
						},
					}),
				);
				return;
			}
			res.setHeader('content-type', 'video/mp4');
			res.end(Buffer.alloc(1024, 1));
		});
		await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
		baseUrl = `http://127.0.0.1:${server.address().port}`;
	});
	afterAll(async () => new Promise((resolve) => server.close(resolve)));
	beforeEach(() => (seen.length = 0));

	async function fetchWith(url) {
		videoUrl = url;
		return await runKling({
			parameters: getTask({ taskId: '870000000000000042', options: { pollInterval: 1 } }),
			credentials: { authType: 'apiKey', apiKey: SECRETS.apiKey, baseUrl },
		});
	}

	it('downloads from the Base URL host itself (plain http allowed there)', async () => {
		const result = await fetchWith(`${baseUrl}/media/42.mp4?sig=1`);
		expect(result.error).toBeUndefined();
		expect(result.items[0].binary.data.mimeType).toBe('video/mp4');
		expect(seen.filter((line) => line.includes('/media/'))).toHaveLength(1);
	});

	for (const [name, url, why] of [
		[
			'plain http on another host',
			'http://cdn.example.com/v.mp4?token=cdn-s3cr3t',
			/only https:\/\/ video addresses/,
		],
		['another port of this machine over http', 'http://127.0.0.1:1/v.mp4', /only https/],
		['a file: URL', 'file:///etc/passwd', /not an http\(s\) address/],
	]) {
		it(`refuses ${name}, names the task, and fetches nothing`, async () => {
			const result = await fetchWith(url);
			expect(result.error.message).toBe(
				'Kling task 870000000000000042: the video address was refused',
			);
			expect(result.error.description).toMatch(why);
			expect(result.error.description).toMatch(/Get Task and task ID 870000000000000042/);
			expect(visibleText(result)).not.toContain('cdn-s3cr3t');
			expect(seen.every((line) => line.startsWith('GET /v1/'))).toBe(true);
		});
	}
});
