// Fault suite: the fake Kling server misbehaves in the ways a busy shared service does; the node
// must end in the right state, never pay twice, and never show a secret.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { runKling } from '../dev/engine.mjs';
import {
	apiKeyCredentials,
	accessKeyCredentials,
	expectNoSecrets,
	rows,
	startFake,
	textToVideo,
	useFastRetries,
} from '../dev/kling.mjs';

let fake;
const summary = [];
beforeAll(async () => {
	useFastRetries();
	fake = await startFake({ taskDurationMs: 200 });
});
afterAll(async () => {
	await fake.close();
	// One line per fault for the record (outcome and paid submissions).
	console.log(['fault | outcome | paid submissions | submit requests', ...summary].join('\n'));
});
beforeEach(() => fake.reset());

const count = (kind) => fake.log.filter((entry) => entry.kind === kind).length;

async function run({
	items = rows(1),
	parameters = textToVideo(),
	credentials = apiKeyCredentials(fake),
	continueOnFail,
} = {}) {
	const result = await runKling({ parameters, items, credentials, continueOnFail });
	expectNoSecrets(result, expect);
	return result;
}

function record(name, result) {
	const outcome = result.error
		? `error: ${result.error.message}`
		: `${result.items.length} video(s)`;
	summary.push(`${name} | ${outcome} | ${fake.stats().submissions} | ${count('submit')}`);
}

function expectVideos(result, n) {
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(n);
	for (const item of result.items) {
		expect(item.json.task_status).toBe('succeed');
		expect(item.binary.data).toMatchObject({ mimeType: 'video/mp4', bytes: 48 * 1024 });
	}
	expect(fake.stats().submissions).toBe(n);
}

describe('recovered faults: every item gets its video, each paid once', () => {
	const cases = [
		{
			name: 'first 3 submits answer 429/1302 (rate limit)',
			faults: { submitRateLimit: 3 },
			n: 2,
			extra: () => expect(count('submit')).toBe(3 + 2),
		},
		{
			name: '429/1302 with Retry-After: 0',
			faults: { submitRateLimit: 2 },
			n: 1,
			extra: () => expect(count('submit')).toBe(3),
			options: { retryAfterSeconds: 0 },
		},
		{
			name: 'first 3 polls answer 500/5000',
			faults: { pollServerError: 3, pollErrorStatus: 500 },
			n: 1,
		},
		{
			name: 'first 3 polls answer 503/5001',
			faults: { pollServerError: 3, pollErrorStatus: 503 },
			n: 1,
		},
		{
			name: 'connection reset on submit (nothing created)',
			faults: { submitReset: 1 },
			n: 1,
			extra: () => expect(count('submit')).toBe(2),
		},
		{ name: 'connection reset on poll', faults: { pollReset: 2 }, n: 1 },
		{ name: 'malformed JSON on submit (nothing created)', faults: { submitMalformed: 1 }, n: 1 },
		{ name: 'malformed JSON on poll', faults: { pollMalformed: 2 }, n: 1 },
		{ name: 'unexpected envelope on poll', faults: { pollUnexpected: 2 }, n: 1 },
		{
			name: 'submit answers 500/5000 (nothing created)',
			faults: { submitServerError: 1 },
			n: 1,
			extra: () => expect(count('submit')).toBe(2),
		},
		{
			name: 'submit creates the task, then answers 504/5002',
			faults: { submitTimeout5002: 1 },
			n: 1,
			extra: () => expect(count('submit')).toBe(1),
		},
		{
			name: 'submit creates the task, then drops the connection',
			faults: { submitDropResponse: 1 },
			n: 2,
			extra: () => expect(count('submit')).toBe(2),
		},
		{ name: 'slow responses (300 ms each)', faults: { slowMs: 300 }, n: 2 },
		{
			name: 'download answers 404 (expired URL) once',
			faults: { download404: 1 },
			n: 1,
			extra: () => expect(count('download')).toBe(2),
		},
		{ name: 'download answers 403 once', faults: { download403: 1 }, n: 1 },
		{
			name: 'download truncated twice',
			faults: { downloadTruncate: 2 },
			n: 1,
			extra: () => expect(count('download')).toBe(3),
		},
	];

	it.each(cases)('$name', async ({ name, faults, n, extra, options = {} }) => {
		fake.setOptions({ ...options, faults });
		const result = await run({
			items: rows(n, (i) => ({ prompt: `scene ${i}` })),
			parameters: textToVideo({ prompt: '={{ $json.prompt }}' }),
		});
		record(name, result);
		expectVideos(result, n);
		extra?.(result);
	});

	it('1303: account runs 1 task at a time, 4 items, node allows 3 in flight', async () => {
		fake.setOptions({ concurrency: 1 });
		const result = await run({
			items: rows(4, (i) => ({ prompt: `scene ${i}` })),
			parameters: textToVideo({ prompt: '={{ $json.prompt }}' }),
		});
		record('account concurrency 1 (1303 answers), 4 items', result);
		expectVideos(result, 4);
		expect(fake.stats().rejected1303).toBeGreaterThan(0);
		expect(fake.stats().maxRunning).toBe(1);
	});

	it('JWT mode survives resets too (a fresh token per request)', async () => {
		fake.setOptions({ faults: { submitReset: 1, pollReset: 1 } });
		const result = await run({ credentials: accessKeyCredentials(fake) });
		record('resets with Access Key + Secret Key', result);
		expectVideos(result, 1);
	});
});

describe('faults that must end in a clear error', () => {
	it("task ends failed → error naming the task and Kling's reason", async () => {
		fake.setOptions({ failTasks: true });
		const result = await run();
		record('task ends failed', result);
		const taskId = [...fake.tasks.keys()][0];
		expect(result.error.message).toBe(
			`Kling task ${taskId} failed: The content did not pass the safety review`,
		);
		expect(fake.stats().submissions).toBe(1);
	});

	it('task never finishes → timeout naming the task, not re-submitted', async () => {
		fake.setOptions({ faults: { neverFinish: true } });
		const result = await run({ parameters: textToVideo({}, { maxWaitTime: 0.05 }) });
		record('task never finishes (3 s max wait)', result);
		const taskId = [...fake.tasks.keys()][0];
		expect(result.error.message).toMatch(
			new RegExp(`^Kling task ${taskId} did not finish within 3 s`),
		);
		expect(count('submit')).toBe(1);
	});

	it('polls keep failing with 500 → error naming the task after 5 tries', async () => {
		fake.setOptions({ faults: { pollServerError: 50 } });
		const result = await run();
		record('every poll answers 500', result);
		const taskId = [...fake.tasks.keys()][0];
		expect(result.error.message).toBe(
			`Kling had an internal error (Kling code 5000) [task ${taskId}]`,
		);
		expect(count('poll')).toBe(5);
		expect(fake.stats().submissions).toBe(1);
	});

	it('polls keep answering broken JSON → a clear error naming the task, not a crash', async () => {
		fake.setOptions({ faults: { pollMalformed: 50 } });
		const result = await run();
		record('every poll answers broken JSON', result);
		const taskId = [...fake.tasks.keys()][0];
		expect(result.error.message).toBe(
			`Kling sent an answer that is not valid Kling JSON (HTTP 200) [task ${taskId}]`,
		);
		expect(result.error.description).toMatch(/Check the Base URL/);
		expect(count('poll')).toBe(5);
	});

	it('download keeps answering 404 → error naming the task, after refreshing the URL once', async () => {
		fake.setOptions({ faults: { download404: 10 } });
		const result = await run();
		record('download always 404', result);
		const taskId = [...fake.tasks.keys()][0];
		expect(result.error.message).toMatch(
			new RegExp(`^Could not download the video of Kling task ${taskId}: HTTP 404`),
		);
		expect(result.error.description).toMatch(/Get Task/);
		expect(count('download')).toBe(2);
	});

	it('content policy (1301) fails at once, without retrying', async () => {
		fake.setOptions({
			faults: {
				submitError: { count: 5, code: 1301, message: 'prompt contains sensitive content' },
			},
		});
		const result = await run();
		record('1301 content safety', result);
		expect(result.error.message).toBe(
			"Kling's content safety check blocked the prompt or image (Kling code 1301)",
		);
		expect(count('submit')).toBe(1);
	});

	it('a parameter error (400/1201) fails at once', async () => {
		fake.setOptions({
			faults: { submitError: { count: 5, code: 1201, message: 'model_name is invalid' } },
		});
		const result = await run();
		record('1201 parameter error', result);
		expect(result.error.message).toBe('Kling rejected a parameter value (Kling code 1201)');
		expect(result.error.description).toContain('Kling says: "model_name is invalid"');
		expect(count('submit')).toBe(1);
	});

	it('resets on two submits in a row (nothing created) → error naming the external ID after one re-send', async () => {
		fake.setOptions({ faults: { submitReset: 2 } });
		const result = await run();
		record('reset on two submits', result);
		expect(count('submit')).toBe(2);
		expect(result.error.message).toContain(
			fake.log.find((entry) => entry.kind === 'submit').body.external_task_id,
		);
		expect(result.error.message).toMatch(/no answer \(connection reset\)/);
		expect(fake.stats().submissions).toBe(0);
	});

	it('rate limit that never clears → error after 5 tries, nothing paid', async () => {
		fake.setOptions({ faults: { submitRateLimit: 50 } });
		const result = await run();
		record('rate limit never clears', result);
		expect(result.error.message).toBe(
			'Kling is rate-limiting this account (too many requests) (Kling code 1302)',
		);
		expect(count('submit')).toBe(5);
		expect(fake.stats().submissions).toBe(0);
	});

	it('a wrong key is not retried', async () => {
		const result = await run({
			credentials: apiKeyCredentials(fake, { apiKey: 'nope-nope-nope' }),
		});
		record('wrong key', result);
		expect(result.error.message).toMatch(/Kling rejected the key/);
		expect(count('submit')).toBe(1);
	});
});

describe('never pay twice', () => {
	it('re-running the same workflow resumes the existing task instead of creating another', async () => {
		const first = await run();
		const second = await run();
		record('same inputs run twice (Retry On Fail / re-run)', second);
		expect(second.items[0].json.task_id).toBe(first.items[0].json.task_id);
		expect(second.items[0].binary.data.bytes).toBe(48 * 1024);
		expect(fake.stats().submissions).toBe(1);
		expect(count('submit')).toBe(2); // the second was refused by Kling as a duplicate
	});

	it('a re-run after a timeout picks the same task up once it has finished', async () => {
		fake.setOptions({ taskDurationMs: 2500 });
		const first = await run({ parameters: textToVideo({}, { maxWaitTime: 0.02 }) });
		expect(first.error.message).toMatch(/did not finish within 1 s/);
		const second = await run();
		expectVideos(second, 1);
	});

	it('a new External Task ID forces a fresh video for the same inputs', async () => {
		await run();
		const result = await run({ parameters: textToVideo({}, { externalTaskId: 'row-42-take-2' }) });
		expect(result.error).toBeUndefined();
		expect(fake.stats().submissions).toBe(2);
		// Sent as the custom ID with a hash of the inputs folded in.
		expect([...fake.tasks.values()].map((task) => task.external_task_id)).toContainEqual(
			expect.stringMatching(/^row-42-take-2-[0-9a-f]{8}$/),
		);
	});

	it('different items with the same prompt are different videos', async () => {
		const result = await run({ items: rows(2) });
		expect(new Set(result.items.map((item) => item.json.task_id)).size).toBe(2);
		expect(fake.stats().submissions).toBe(2);
	});
});
