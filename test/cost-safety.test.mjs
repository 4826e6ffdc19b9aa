// Cost safety, round 2 (issue 9): every answer Kling may give to a create, no stale videos,
// nothing another row paid for. The node runs through n8n's engine against the fake Kling server;
// each test counts what reached the server (submit requests, paid tasks).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import path from 'node:path';
// The test harness's HTTP client: undici, pinned in devDependencies (not the copy inside Node).
import { fetch } from 'undici';

import { projectRoot, runKling, useBinaryDataMode } from '../dev/engine.mjs';
import { makePng } from '../dev/images.mjs';
import {
	SECRETS,
	apiKeyCredentials,
	expectNoSecrets,
	rows,
	startFake,
	textToVideo,
	useFastRetries,
} from '../dev/kling.mjs';

const require = createRequire(import.meta.url);
const limiterModule = () => require(path.join(projectRoot, 'dist/nodes/Kling/shared/limiter.js'));

let fake;
const figures = [];
beforeAll(async () => {
	useFastRetries();
	fake = await startFake({ taskDurationMs: 200 });
});
afterAll(async () => {
	await fake.close();
	console.log(['cost safety | figure', ...figures].join('\n'));
});
beforeEach(() => fake.reset());

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const submits = () => fake.log.filter((entry) => entry.kind === 'submit');
const paidTasks = () => [...fake.tasks.values()];

async function run({
	items = rows(1),
	parameters = textToVideo(),
	continueOnFail,
	executionId,
	workflowId,
	nodeId,
} = {}) {
	const result = await runKling({
		parameters,
		items,
		credentials: apiKeyCredentials(fake),
		continueOnFail,
		executionId,
		workflowId,
		nodeId,
	});
	expectNoSecrets(result, expect);
	return result;
}

/** Creates a task the way another workflow on the same account would. */
async function outsideTask(name) {
	const response = await fetch(`${fake.url}/v1/videos/text2video`, {
		method: 'POST',
		headers: { authorization: `Bearer ${SECRETS.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ prompt: 'outside', external_task_id: name }),
	});
	expect(response.status).toBe(200);
}

describe('the wrong video, silently', () => {
	it('a custom External Task ID repeated with another prompt never returns the other prompt’s task', async () => {
		// Loop Over Items: `{{ $execution.id }}-{{ $itemIndex }}` is the same for every batch.
		const first = await run({
			parameters: textToVideo({ prompt: 'A red fox' }, { externalTaskId: 'exec-7-0' }),
		});
		const second = await run({
			parameters: textToVideo({ prompt: 'A blue whale' }, { externalTaskId: 'exec-7-0' }),
		});
		expect(first.error).toBeUndefined();
		expect(second.error).toBeUndefined();
		const taskOf = (result) => fake.tasks.get(result.items[0].json.task_id);
		expect(taskOf(first).body.prompt).toBe('A red fox');
		expect(taskOf(second).body.prompt).toBe('A blue whale');
		expect(paidTasks()).toHaveLength(2);
		// The ID sent is the custom one with a hash of the request folded in (documented).
		for (const task of paidTasks()) expect(task.external_task_id).toMatch(/^exec-7-0-[0-9a-f]{8}$/);
		// The same custom ID with the same inputs still resumes.
		const third = await run({
			parameters: textToVideo({ prompt: 'A blue whale' }, { externalTaskId: 'exec-7-0' }),
		});
		expect(third.items[0].json.task_id).toBe(second.items[0].json.task_id);
		expect(paidTasks()).toHaveLength(2);
	});

	it('an immediate re-run resumes the task and says so in the output', async () => {
		const first = await run();
		const second = await run();
		expect(second.items[0].json.task_id).toBe(first.items[0].json.task_id);
		expect(paidTasks()).toHaveLength(1);
		expect(first.items[0].json.reused).toBe(false);
		expect(first.items[0].json).not.toHaveProperty('reused_created_at');
		expect(second.items[0].json.reused).toBe(true);
		const createdAt = paidTasks()[0].createdAt;
		expect(second.items[0].json.reused_created_at).toBe(new Date(createdAt).toISOString());
	});

	it('once the reuse window has passed (a daily schedule), identical inputs make a new task', async () => {
		// A 3.6 s window stands for the default 24 h: the second run comes "a day later".
		const parameters = textToVideo({}, { reuseWindowHours: 0.001 });
		const first = await run({ parameters });
		await sleep(4500);
		const second = await run({ parameters });
		expect(first.error).toBeUndefined();
		expect(second.error).toBeUndefined();
		expect(second.items[0].json.task_id).not.toBe(first.items[0].json.task_id);
		expect(second.items[0].json.reused).toBe(false);
		expect(paidTasks()).toHaveLength(2);
	});

	it('a re-run just after a window edge resumes the task created just before it', async () => {
		const windowMs = 8000; // 0.00222… h
		const parameters = textToVideo({}, { reuseWindowHours: windowMs / 3_600_000 });
		// Start the first run 2.5 s before an edge of the window.
		const untilEdge = () => windowMs - (Date.now() % windowMs);
		if (untilEdge() < 2500) await sleep(untilEdge() + 50);
		await sleep(untilEdge() - 2500);
		const first = await run({ parameters });
		const createdAt = paidTasks()[0].createdAt;
		await sleep(untilEdge() + 100); // just past the edge
		// The first task was made in the window before the one the re-run starts in.
		expect(Math.floor(Date.now() / windowMs)).toBe(Math.floor(createdAt / windowMs) + 1);
		const second = await run({ parameters });
		expect(second.error).toBeUndefined();
		expect(second.items[0].json.task_id).toBe(first.items[0].json.task_id);
		expect(second.items[0].json.reused).toBe(true);
		expect(paidTasks()).toHaveLength(1);
	});
});

describe('creating twice, or too often', () => {
	it('code 0 without a task_id: looked up by external ID, never sent again', async () => {
		fake.setOptions({ faults: { submitNoTaskId: 1 } });
		const result = await run();
		figures.push(
			`code 0 without task_id: ${submits().length} submit request(s), ${paidTasks().length} paid`,
		);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.task_id).toBe(paidTasks()[0].task_id);
		expect(submits()).toHaveLength(1);
		expect(paidTasks()).toHaveLength(1);
	});

	it('code 0 without a task_id and the task cannot be found: fails naming the external ID, never re-sent', async () => {
		fake.setOptions({ faults: { submitEmptyOk: 5 } });
		const result = await run();
		expect(submits()).toHaveLength(1);
		const externalId = submits()[0].body.external_task_id;
		expect(result.error.message).toContain(externalId);
		expect(result.error.description).toMatch(/Get Task/);
	});

	it('5xx on create and the look-ups miss at first: the look-up is retried, nothing is sent twice', async () => {
		fake.setOptions({ faults: { submitTimeout5002: 1, lookupMiss: 2 } });
		const result = await run();
		figures.push(
			`5002 after create + 2 missed look-ups: ${submits().length} submit request(s), ${paidTasks().length} paid`,
		);
		expect(result.error).toBeUndefined();
		expect(submits()).toHaveLength(1);
		expect(paidTasks()).toHaveLength(1);
	});

	it('5xx on every create while look-ups find nothing: at most one re-send, then an error naming the external ID', async () => {
		fake.setOptions({ faults: { submitServerError: 20 } });
		const result = await run();
		figures.push(`5xx on every create: ${submits().length} submit request(s)`);
		expect(submits().length).toBeLessThanOrEqual(2);
		const externalId = submits()[0].body.external_task_id;
		expect(result.error.message).toContain(externalId);
		expect(paidTasks()).toHaveLength(0);
	});

	it.each([
		['a reworded English message', 1201, 'task with this id was submitted before'],
		['a Chinese message (Beijing host)', 1201, '外部任务ID重复'],
		['code 1200', 1200, 'parameter error'],
	])('a duplicate refused with %s is resumed, not failed', async (_name, code, message) => {
		fake.setOptions({ duplicateAnswer: { code, message } });
		const first = await run();
		const second = await run();
		expect(second.error).toBeUndefined();
		expect(second.items[0].json.task_id).toBe(first.items[0].json.task_id);
		expect(second.items[0].json.reused).toBe(true);
		expect(paidTasks()).toHaveLength(1);
	});

	it('a real 1201 parameter error still fails, after one look-up (nothing found)', async () => {
		fake.setOptions({
			faults: { submitError: { count: 5, code: 1201, message: 'model_name is invalid' } },
		});
		const result = await run();
		expect(result.error.message).toBe('Kling rejected a parameter value (Kling code 1201)');
		expect(submits()).toHaveLength(1);
	});

	it('1303 with Retry-After: 0 while another workflow fills the account: retries are spaced and back off', async () => {
		fake.setOptions({
			concurrency: 1,
			retryAfterSeconds: 0,
			taskDurationMs: (body) => (body.prompt === 'outside' ? 2000 : 200),
		});
		await outsideTask('outside-1');
		const result = await run();
		const rejected = fake.stats().rejected1303;
		figures.push(
			`1303 + Retry-After 0 for 2 s: ${submits().length} submit requests (${rejected} answered 1303)`,
		);
		expect(result.error).toBeUndefined();
		expect(rejected).toBeGreaterThan(0);
		// Test timings: 1303 backoff from 50 ms doubling to 500 ms (with jitter): 2 s of 1303 is
		// about 10 tries, not hundreds.
		expect(submits().length).toBeLessThanOrEqual(15);
	});

	it('1303 that never clears ends after a bounded number of tries with a clear message', async () => {
		fake.setOptions({ concurrency: 1, retryAfterSeconds: 0, faults: { neverFinish: true } });
		await outsideTask('outside-forever');
		fake.setOptions({ faults: { neverFinish: false } });
		const result = await run({ parameters: textToVideo({}, { maxWaitTime: 10 }) });
		figures.push(`1303 forever: ${submits().length} submit requests before failing`);
		expect(result.error.message).toMatch(
			/Too many tasks running at once for this account \(Kling code 1303\)/,
		);
		expect(result.error.description).toMatch(/tried \d+ times/);
		expect(submits().length).toBeLessThanOrEqual(21);
		expect(paidTasks()).toHaveLength(1); // the outside one
	});

	it('probing the cap back up costs at most 1.2 creates per task (N=10, account 2, node cap 5)', async () => {
		fake.setOptions({ concurrency: 2, taskDurationMs: 300 });
		const result = await run({
			items: rows(10),
			parameters: textToVideo({ prompt: '={{ "Scene " + $json.row }}' }, { maxConcurrentTasks: 5 }),
		});
		const creates = submits().length;
		figures.push(
			`adaptive N=10 C=2 cap 5: ${creates} creates for 10 tasks (${(creates / 10).toFixed(1)} per task)`,
		);
		expect(result.error).toBeUndefined();
		expect(paidTasks()).toHaveLength(10);
		expect(creates).toBeLessThanOrEqual(12);
		expect(fake.stats().maxRunning).toBeLessThanOrEqual(2);
	});
});

describe('resources', () => {
	it('queued items read their input image only once they hold a place in flight', async () => {
		const service = await useBinaryDataMode('filesystem');
		const png = makePng(640, 360);
		const items = [];
		for (let i = 0; i < 4; i++) {
			const stored = await service.store(
				{ type: 'execution', workflowId: 'wf-images', executionId: 'images-in' },
				png,
				{ mimeType: 'image/png', fileName: `${i}.png`, fileExtension: 'png' },
			);
			items.push({ json: { row: i }, binary: { photo: stored } });
		}
		const reads = [];
		const original = service.getAsBuffer;
		service.getAsBuffer = async function (...args) {
			reads.push(
				fake.log.filter((entry) => entry.kind === 'submit' && entry.status === 200).length,
			);
			return await original.apply(this, args);
		};
		try {
			const result = await run({
				items,
				parameters: {
					resource: 'video',
					operation: 'imageToVideo',
					imageSource: 'binary',
					imageBinaryProperty: 'photo',
					prompt: '={{ "Scene " + $json.row }}',
					options: { pollInterval: 1, maxConcurrentTasks: 1 },
				},
			});
			expect(result.error).toBeUndefined();
		} finally {
			service.getAsBuffer = original;
		}
		figures.push(
			`images read vs tasks accepted before each read (cap 1): ${JSON.stringify(reads)}`,
		);
		// With one place in flight, image k is read after task k-1 was created (and has finished).
		expect(reads).toEqual([0, 1, 2, 3]);
	});

	it('two executions on one account share one limiter: together never over the cap', async () => {
		fake.setOptions({ taskDurationMs: 400 });
		const parameters = textToVideo(
			{ prompt: '={{ "Scene " + $json.row }}' },
			{ maxConcurrentTasks: 2 },
		);
		const results = await Promise.all([
			run({ items: rows(3), parameters, executionId: 'shared-a', workflowId: 'wf-a' }),
			run({ items: rows(3), parameters, executionId: 'shared-b', workflowId: 'wf-b' }),
		]);
		for (const result of results) expect(result.error).toBeUndefined();
		figures.push(
			`two executions, cap 2 each, one account: at most ${fake.stats().maxRunning} running`,
		);
		expect(paidTasks()).toHaveLength(6);
		expect(fake.stats().maxRunning).toBeLessThanOrEqual(2);
		expect(limiterModule().accountLimiterCount()).toBe(0);
	});

	it('the limiter registry is empty again after create and Get Task runs (with waiting)', async () => {
		const created = await run({ parameters: textToVideo({ waitForCompletion: false }) });
		const taskId = created.items[0].json.task_id;
		for (let i = 0; i < 3; i++) {
			const got = await run({
				parameters: {
					resource: 'video',
					operation: 'getTask',
					taskId,
					options: { pollInterval: 1 },
				},
			});
			expect(got.error).toBeUndefined();
		}
		expect(limiterModule().accountLimiterCount()).toBe(0);
	});

	it('a 5xx when the finished task is read again does not fail a paid item', async () => {
		fake.setOptions({ faults: { doneReadError: 1 } });
		const result = await run();
		expect(result.error).toBeUndefined();
		expect(result.items[0].binary.data.mimeType).toBe('video/mp4');
		expect(paidTasks()).toHaveLength(1);
	});

	it('stopping the execution stops a download midway', async () => {
		fake.setOptions({ videoBytes: 16 * 1024 * 1024, downloadChunkDelayMs: 25 }); // ≈ 6 s to send
		let stoppedAt;
		const result = await runKling({
			parameters: textToVideo(),
			credentials: apiKeyCredentials(fake),
			onStarted: (cancel) => {
				const timer = setInterval(() => {
					if (fake.log.some((entry) => entry.kind === 'download')) {
						clearInterval(timer);
						setTimeout(() => {
							stoppedAt = Date.now();
							cancel();
						}, 300);
					}
				}, 20);
			},
		});
		expect(result.status).toBe('canceled');
		await sleep(500);
		const download = fake.log.find((entry) => entry.kind === 'download');
		figures.push(
			`download stopped: run ended ${Date.now() - stoppedAt - 500} ms after the stop; aborted=${download.aborted}`,
		);
		expect(download.aborted).toBe(true);
	});
});
