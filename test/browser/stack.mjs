// The browser tier's stack: the fake Kling server, a real headless n8n (the pinned release) with
// the packed package installed, an owner account, and Debian's chromium driven by playwright-core
// (never a downloaded browser). Used by test/browser/*.browser.mjs and nothing in `npm test`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';
import { request } from 'undici';

import { startFakeKling } from '../../dev/fake-kling/server.mjs';
import {
	createN8nHome,
	ensureN8n,
	freePort,
	makeTempDir,
	n8nEnv,
	nodeBinDir,
	packPackage,
} from '../../dev/n8n.mjs';

export const CHROMIUM = process.env.KLING_CHROMIUM ?? '/usr/bin/chromium';
export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Kling',
	lastName: 'Tester',
	password: 'Kling-browser-test-1',
};
export const KEYS = {
	apiKey: 'browser-test-api-key-6a1f93',
	accessKey: 'browser-test-access-key',
	secretKey: 'browser-test-secret-key-5e0c27',
};
const BROWSER_ID = 'kling-browser-tier';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts fake Kling + n8n (`n8n start` on free ports) and sets up the owner. */
export async function startStack({ progress = process.stderr } = {}) {
	const started = Date.now();
	const fake = await startFakeKling({ ...KEYS, taskDurationMs: 1500, videoBytes: 96 * 1024 });
	const n8nBin = await ensureN8n({ progress });
	const home = await createN8nHome({ tgz: await packPackage(), n8nBin });
	const port = await freePort();
	const baseUrl = `http://127.0.0.1:${port}`;
	let output = '';
	const server = spawn(path.join(nodeBinDir(), 'node'), [home.n8nBin, 'start'], {
		cwd: home.dir,
		env: n8nEnv(home, {
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			N8N_SECURE_COOKIE: 'false',
			N8N_LOG_LEVEL: 'info',
			DB_SQLITE_POOL_SIZE: '4',
		}),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	server.stdout.on('data', (chunk) => (output += chunk));
	server.stderr.on('data', (chunk) => (output += chunk));
	const exited = new Promise((resolve) => server.once('exit', resolve));

	let cookie;
	async function rest(method, route, body) {
		const response = await request(`${baseUrl}/rest${route}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': BROWSER_ID,
				...(cookie ? { cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.body.text();
		let json;
		try {
			json = text ? JSON.parse(text) : undefined;
		} catch {
			json = { text };
		}
		const setCookie = [response.headers['set-cookie'] ?? []].flat();
		return { status: response.statusCode, headers: response.headers, setCookie, body: json };
	}

	async function stop() {
		if (server.exitCode === null) server.kill('SIGTERM');
		const timer = setTimeout(() => server.kill('SIGKILL'), 15_000);
		await exited;
		clearTimeout(timer);
		await fake.close();
		home.dispose();
	}

	try {
		for (let i = 0; ; i++) {
			if (server.exitCode !== null) throw new Error(`n8n exited:\n${output.slice(-3000)}`);
			const setup = await rest('POST', '/owner/setup', OWNER).catch(() => undefined);
			// While n8n starts, every route answers 200 with an HTML "starting up" page.
			if (setup?.status === 200 && setup.body?.data) {
				cookie = setup.setCookie.find((line) => line.startsWith('n8n-auth='))?.split(';')[0];
				if (!cookie)
					throw new Error(`No session cookie from owner set-up: ${JSON.stringify(setup.headers)}`);
				break;
			}
			if (i > 240) throw new Error(`n8n did not get ready:\n${output.slice(-3000)}`);
			await sleep(500);
		}
	} catch (error) {
		await stop();
		throw error;
	}
	progress.write(`[browser] n8n ${baseUrl} ready after ${Date.now() - started} ms\n`);
	return { fake, home, baseUrl, rest, stop, output: () => output };
}

/** Debian's chromium, headless, with a throw-away profile; never downloads anything. */
export async function launchChromium() {
	if (!existsSync(CHROMIUM)) {
		throw new Error(
			`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`,
		);
	}
	const userDataDir = makeTempDir('kling-chromium-');
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
		viewport: { width: 1440, height: 900 },
	});
	return context;
}

/** A folder for screenshots, printed once so a human can look at them. */
export function screenshotDir() {
	// Not a makeTempDir folder: those are removed at the end, screenshots stay to be looked at.
	const dir =
		process.env.KLING_SCREENSHOTS ?? mkdtempSync(path.join(tmpdir(), 'kling-browser-shots-'));
	mkdirSync(dir, { recursive: true });
	return dir;
}
