// scripts/check-live.mjs against the fake Kling server: which verdicts it prints, that it never
// creates a paid task without --paid, and that --paid makes exactly one create plus one re-send.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';

import { projectRoot } from '../dev/engine.mjs';
import { startFakeKling } from '../dev/fake-kling/server.mjs';

const API_KEY = 'check-live-test-key-4711';
const SECRET_KEY = 'check-live-test-secret-0815';
let fake;

beforeAll(async () => {
	fake = await startFakeKling({
		apiKey: API_KEY,
		accessKey: 'check-live-ak',
		secretKey: SECRET_KEY,
	});
});
afterAll(async () => fake.close());
beforeEach(async () => {
	// The fake, like Kling, answers /account/costs at most once a second: each run of the script
	// is a separate check, so it starts a second after the previous run's call.
	const last = fake.log.findLast((entry) => entry.path === '/account/costs');
	if (last) await new Promise((resolve) => setTimeout(resolve, 1100));
	fake.reset();
});

async function checkLive(env, args = []) {
	const clean = Object.fromEntries(
		Object.entries(process.env).filter(([name]) => !name.startsWith('KLING_')),
	);
	const child = spawn(
		process.execPath,
		[path.join(projectRoot, 'scripts/check-live.mjs'), ...args],
		{
			env: { ...clean, KLING_CHECK_SPACING_MS: '0', ...env },
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	let output = '';
	child.stdout.on('data', (chunk) => (output += chunk));
	child.stderr.on('data', (chunk) => (output += chunk));
	const code = await new Promise((resolve) => child.on('close', resolve));
	return { code, output };
}

/** The verdict printed for one check id, e.g. verdict(output, 'auth.list') → 'HELD'. */
function verdict(output, id) {
	const line = output
		.split('\n')
		.find((text) =>
			new RegExp(`^(HELD|DID NOT HOLD|NOT CHECKED)\\s+${id.replace('.', '\\.')}\\s`).test(text),
		);
	return line?.match(/^(HELD|DID NOT HOLD|NOT CHECKED)/)[1];
}

/** One existing task with an external id, made directly on the fake (not by the script). */
async function seedTask(externalId = 'seed-task-1') {
	const response = await fetch(`${fake.url}/v1/videos/text2video`, {
		method: 'POST',
		headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify({ prompt: 'seed', external_task_id: externalId }),
	});
	expect((await response.json()).code).toBe(0);
	return fake.stats();
}

const FREE = [
	'auth.list',
	'auth.wrongKey',
	'list.shape',
	'status.words',
	'lookup.taskId',
	'lookup.externalPath',
	'lookup.externalQuery',
	'lookup.unknown',
	'account.costs',
	'create.invalid',
];
const PAID = ['paid.create', 'paid.duplicate', 'paid.externalPath', 'paid.externalQuery'];

it('without a key: says what it would check, sends nothing, exits 0', async () => {
	const { code, output } = await checkLive({ KLING_BASE_URL: fake.url });
	expect(code).toBe(0);
	expect(output).toMatch(/no key given, so nothing is sent/);
	for (const id of [...FREE, ...PAID]) expect(output).toContain(id);
	expect(fake.log).toHaveLength(0);
});

it('with a key: runs only free calls, prints a verdict for each assumption, creates nothing', async () => {
	const before = await seedTask();
	const { code, output } = await checkLive({ KLING_API_KEY: API_KEY, KLING_BASE_URL: fake.url });
	expect(code).toBe(0);
	for (const id of FREE) expect([id, verdict(output, id)]).toEqual([id, 'HELD']);
	for (const id of PAID) expect([id, verdict(output, id)]).toEqual([id, 'NOT CHECKED']);
	expect(verdict(output, 'list.order')).toBe('NOT CHECKED'); // one task only
	expect(fake.stats().submissions).toBe(before.submissions);
	const creates = fake.log.filter((entry) => entry.method === 'POST');
	expect(creates).toHaveLength(2); // the seed and the invalid create
	expect(creates[1].status).toBe(400);
	expect(fake.log.filter((entry) => entry.path === '/account/costs')).toHaveLength(1);
	expect(output).not.toContain(API_KEY);
});

it('signs a JWT from an Access Key + Secret Key', async () => {
	const { output } = await checkLive({
		KLING_ACCESS_KEY: 'check-live-ak',
		KLING_SECRET_KEY: SECRET_KEY,
		KLING_BASE_URL: fake.url,
	});
	expect(verdict(output, 'auth.list')).toBe('HELD');
	expect(fake.log[0].headers.authorization).toMatch(/^Bearer eyJ/);
	expect(output).not.toContain(SECRET_KEY);
});

it('with --paid: exactly one create of the cheapest video plus one re-send with the same external_task_id', async () => {
	const before = await seedTask();
	const { code, output } = await checkLive({ KLING_API_KEY: API_KEY, KLING_BASE_URL: fake.url }, [
		'--paid',
	]);
	expect(code).toBe(0);
	for (const id of [...FREE, ...PAID]) expect([id, verdict(output, id)]).toEqual([id, 'HELD']);
	expect(fake.stats().submissions).toBe(before.submissions + 1);
	const creates = fake.log.filter((entry) => entry.method === 'POST').slice(1);
	expect(creates.map((entry) => entry.status)).toEqual([400, 200, 400]);
	const [, paid, again] = creates;
	expect(paid.body).toMatchObject({ model_name: 'kling-v1', mode: 'std', duration: '5' });
	expect(again.body).toEqual(paid.body);
	expect(output).toMatch(
		/paid\.duplicate[^\n]*\n[^\n]*answered HTTP 400, code 1201, "external_task_id already exists"/,
	);
});

it('reports an assumption that does not hold and exits 1 (a reseller status word)', async () => {
	fake.setOptions({ successStatus: 'completed', taskDurationMs: 0 });
	await seedTask();
	await seedTask('seed-task-2');
	const { code, output } = await checkLive({ KLING_API_KEY: API_KEY, KLING_BASE_URL: fake.url });
	expect(code).toBe(1);
	expect(verdict(output, 'status.words')).toBe('DID NOT HOLD');
	expect(output).toMatch(/seen: completed/);
	expect(verdict(output, 'list.order')).toBe('HELD');
	expect(output).toMatch(/1 assumption\(s\) did not hold/);
});

it('refuses a plain-http Base URL that is not this machine', async () => {
	const { code, output } = await checkLive({
		KLING_API_KEY: API_KEY,
		KLING_BASE_URL: 'http://kling.invalid',
	});
	expect(code).toBe(2);
	expect(output).toMatch(/KLING_BASE_URL http:\/\/kling\.invalid is refused/);
});
