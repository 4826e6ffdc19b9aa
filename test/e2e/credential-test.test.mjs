// The Kling credential's "Test" button, in a real n8n server: n8n's own credential tester runs
// the credential's test request (list one task: free) against the fake Kling server.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from '@jest/globals';
// The test harness's HTTP client: undici, pinned in devDependencies (not the copy inside Node).
import { fetch } from 'undici';

import { startFakeKling } from '../../dev/fake-kling/server.mjs';
import {
	cleanupTemp,
	createN8nHome,
	ensureN8n,
	freePort,
	n8nEnv,
	nodeBinDir,
	packPackage,
} from '../../dev/n8n.mjs';

const MINUTE = 60_000;
const API_KEY = 'e2e-credtest-api-key-31415926';
const SECRET_KEY = 'e2e-credtest-secret-27182818';

let fake;
let server;
let output = '';
let baseUrl;
let cookie;

async function waitForServer() {
	for (let i = 0; i < 180; i++) {
		try {
			const response = await fetch(`${baseUrl}/rest/settings`);
			if (response.status < 500) return;
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
	throw new Error(`n8n did not start:\n${output.slice(-3000)}`);
}

async function rest(method, route, body) {
	const response = await fetch(`${baseUrl}/rest${route}`, {
		method,
		// n8n binds the session cookie to the browser id it was issued for.
		headers: {
			'content-type': 'application/json',
			'browser-id': 'kling-e2e',
			...(cookie ? { cookie } : {}),
		},
		body: body ? JSON.stringify(body) : undefined,
	});
	const text = await response.text();
	return {
		status: response.status,
		headers: response.headers,
		body: text ? JSON.parse(text) : undefined,
	};
}

beforeAll(async () => {
	fake = await startFakeKling({ apiKey: API_KEY, secretKey: SECRET_KEY });
	const home = await createN8nHome({ tgz: await packPackage(), n8nBin: await ensureN8n() });
	const port = await freePort();
	baseUrl = `http://127.0.0.1:${port}`;
	server = spawn(path.join(nodeBinDir(), 'node'), [home.n8nBin, 'start'], {
		cwd: home.dir,
		env: n8nEnv(home, {
			N8N_PORT: String(port),
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			N8N_LOG_LEVEL: 'info',
		}),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	server.stdout.on('data', (chunk) => (output += chunk));
	server.stderr.on('data', (chunk) => (output += chunk));
	await waitForServer();
	// Owner set-up only answers once the REST API is ready.
	let setup;
	for (let i = 0; i < 60; i++) {
		setup = await rest('POST', '/owner/setup', {
			email: 'owner@example.com',
			firstName: 'Kling',
			lastName: 'Tester',
			password: 'Kling-test-password-1',
		}).catch(() => undefined);
		if (setup?.status === 200) break;
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
	expect(setup?.status).toBe(200);
	cookie = setup.headers.get('set-cookie').split(';')[0];
}, 20 * MINUTE);

afterAll(async () => {
	server?.kill('SIGTERM');
	await new Promise((resolve) => (server ? server.once('exit', resolve) : resolve()));
	await fake?.close();
	cleanupTemp();
});

/** Saves a Kling credential, then presses its "Test" button (the editor's two requests). */
async function testCredential(data) {
	const credential = {
		name: `Kling ${Date.now()}`,
		type: 'klingApi',
		data: { baseUrl: fake.url, ...data },
	};
	const saved = await rest('POST', '/credentials', credential);
	if (saved.status !== 200) throw new Error(JSON.stringify(saved.body));
	fake.reset();
	const { status, body } = await rest('POST', '/credentials/test', {
		credentials: { ...credential, id: saved.body.data.id },
	});
	if (status !== 200) throw new Error(JSON.stringify(body));
	return body.data;
}

it('passes with a right API key, by listing one task (free, no submission)', async () => {
	const result = await testCredential({ authType: 'apiKey', apiKey: API_KEY });
	expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
	expect(fake.log.map((entry) => `${entry.method} ${entry.path}`)).toEqual([
		'GET /v1/videos/text2video',
	]);
	expect(fake.log[0].query).toMatchObject({ pageNum: '1', pageSize: '1' });
	expect(fake.stats().submissions).toBe(0);
});

it('passes with a right Access Key + Secret Key (signed JWT)', async () => {
	const result = await testCredential({
		authType: 'accessKey',
		accessKey: 'test-access-key',
		secretKey: SECRET_KEY,
	});
	expect(result.status).toBe('OK');
	expect(fake.log[0].headers.authorization).toMatch(/^Bearer eyJ/);
});

it("says when the Base URL does not lead to Kling's API", async () => {
	const result = await testCredential({
		authType: 'apiKey',
		apiKey: API_KEY,
		baseUrl: `${fake.url}/not-kling`,
	});
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/Nothing answers Kling's API paths at this Base URL/);
});

it('tells the user clearly when the key is wrong, without echoing it', async () => {
	const result = await testCredential({ authType: 'apiKey', apiKey: 'e2e-credtest-wrong-key-000' });
	expect(result).toEqual({
		status: 'Error',
		message:
			'Kling rejected the key. Check the API key (or the Access Key and Secret Key) and that the Base URL is the region where the key was created.',
	});
	expect(result.message).not.toContain('e2e-credtest-wrong-key-000');
	expect(output).not.toContain('e2e-credtest-wrong-key-000');
	expect(output).not.toContain(API_KEY);
	expect(output).not.toContain(SECRET_KEY);
});

it('refuses a plain-http Base URL on another host before sending the key, naming only scheme and host', async () => {
	const result = await testCredential({
		authType: 'apiKey',
		apiKey: API_KEY,
		baseUrl: 'http://kling.invalid/gw-path-s3cr3t',
	});
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(
		/^The Base URL "http:\/\/kling\.invalid" in the Kling credential uses plain http\. .*https:\/\//,
	);
	expect(result.message).not.toContain('gw-path-s3cr3t');
	expect(fake.log).toHaveLength(0);
});

it('refuses a Base URL carrying a key in its query or user-info, without repeating it, and sends nothing', async () => {
	for (const baseUrl of [
		`${fake.url}/?api_key=gw-query-s3cr3t`,
		fake.url.replace('http://', 'http://gwuser:gw-pw-s3cr3t@'),
	]) {
		const result = await testCredential({ authType: 'apiKey', apiKey: API_KEY, baseUrl });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(
			/^The Base URL "http:\/\/127\.0\.0\.1:\d+" in the Kling credential (has a query|contains a user name)/,
		);
		expect(result.message).not.toMatch(/s3cr3t|gwuser/);
		expect(fake.log).toHaveLength(0);
	}
	expect(output).not.toMatch(/gw-query-s3cr3t|gw-pw-s3cr3t/);
});
