// Get Task for the "Create (Wait for Completion off) → Wait → Get Task → IF done, else back to
// Wait" pattern, run through n8n's engine against the fake Kling server: every input item is a
// task, one status read per task, spaced, and the finished ones downloaded when waiting is on.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { videoBytesFor } from '../../dev/fake-kling/server.mjs';
import { readBinary, runKling } from '../../dev/engine.mjs';
import { makePng } from '../../dev/images.mjs';
import {
	apiKeyCredentials,
	rows,
	startFake,
	textToVideo,
	delays,
	useDelaysForDevelopment,
	useFastRetries,
} from '../../dev/kling.mjs';

/** The engine's delays as useFastRetries sets them, with another poll spacing. */
function usePollSpacing(ms) {
	useDelaysForDevelopment({ ...delays(), pollSpacingMs: ms });
}

const N = 10;
let fake;
let png;
beforeAll(async () => {
	useFastRetries();
	fake = await startFake();
	png = makePng(400, 400);
});
afterAll(async () => await fake.close());
beforeEach(() => {
	fake.reset();
	useFastRetries();
});

const reads = () => fake.log.filter((entry) => entry.kind === 'poll');
const submits = () => fake.log.filter((entry) => entry.kind === 'submit');

function getTask(parameters = {}, options = {}) {
	return {
		resource: 'video',
		operation: 'getTask',
		taskId: '={{ $json.task_id }}',
		waitForCompletion: false,
		...parameters,
		options: { pollInterval: 1, ...options },
	};
}

/** Creates n text-to-video tasks without waiting; returns the create node's output items. */
async function createTasks(n = N, workflowId = 'wf-loop') {
	const created = await runKling({
		parameters: textToVideo({ prompt: '={{ "clip " + $json.row }}', waitForCompletion: false }),
		items: rows(n),
		credentials: apiKeyCredentials(fake),
		workflowId,
	});
	expect(created.error).toBeUndefined();
	expect(created.items).toHaveLength(n);
	fake.log.length = 0;
	return created.items.map((item) => ({ json: item.json }));
}

async function createImageTasks(n) {
	const created = await runKling({
		parameters: {
			resource: 'video',
			operation: 'imageToVideo',
			image: png.toString('base64'),
			prompt: '={{ "image clip " + $json.row }}',
			waitForCompletion: false,
			options: { pollInterval: 1 },
		},
		items: rows(n),
		credentials: apiKeyCredentials(fake),
		workflowId: 'wf-images',
	});
	expect(created.error).toBeUndefined();
	fake.log.length = 0;
	return created.items.map((item) => ({ json: item.json }));
}

describe('Get Task with waiting off: one status read per task', () => {
	it('reads each task of every input item exactly once when the Task Type is chosen', async () => {
		fake.setOptions({ taskDurationMs: 60_000 });
		const items = await createTasks();
		const result = await runKling({
			parameters: getTask({ taskKind: 'text2video' }),
			items,
			credentials: apiKeyCredentials(fake),
		});

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(N);
		result.items.forEach((item, index) => {
			expect(item.json.task_id).toBe(items[index].json.task_id);
			expect(item.json.task_status).toMatch(/^(submitted|processing)$/);
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.binary).toBeUndefined();
		});
		const paths = reads().map((entry) => entry.path);
		expect(paths).toHaveLength(N);
		expect(new Set(paths)).toEqual(
			new Set(items.map((item) => `/v1/videos/text2video/${item.json.task_id}`)),
		);
		expect(fake.log.filter((entry) => entry.kind !== 'poll')).toHaveLength(0);
		expect(fake.stats().submissions).toBe(N);
	});

	it('spaces the reads of a run by the poll spacing instead of bursting them', async () => {
		fake.setOptions({ taskDurationMs: 60_000 });
		const items = await createTasks();
		usePollSpacing(40);
		await runKling({
			parameters: getTask({ taskKind: 'text2video' }),
			items,
			credentials: apiKeyCredentials(fake),
		});

		const times = reads()
			.map((entry) => entry.at)
			.sort((a, b) => a - b);
		expect(times).toHaveLength(N);
		// (N - 1) gaps of 40 ms, less a few ms of timer rounding.
		expect(times[N - 1] - times[0]).toBeGreaterThanOrEqual((N - 1) * 40 - 20);
	});

	it('Find Automatically learns the type from the first task and reads the others once each', async () => {
		fake.setOptions({ taskDurationMs: 60_000 });
		const items = await createImageTasks(N);
		const result = await runKling({
			parameters: getTask(),
			items,
			credentials: apiKeyCredentials(fake),
		});

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.task_id)).toEqual(
			items.map((item) => item.json.task_id),
		);
		// First task: text2video (not found) + image2video (found) + the read of the node's request.
		// Every other task: one read under the learned type.
		const all = reads();
		expect(all.filter((entry) => entry.path.startsWith('/v1/videos/text2video/'))).toHaveLength(1);
		// The first task: text2video (404), then image2video; the others once each under it.
		expect(all).toHaveLength(N + 1);
		const perTask = new Map();
		for (const entry of all) {
			const id = entry.path.split('/').pop();
			perTask.set(id, (perTask.get(id) ?? 0) + 1);
		}
		expect([...perTask.values()].filter((count) => count === 1)).toHaveLength(N - 1);
	});

	it('Find Automatically still finds a task of another type in a mixed batch', async () => {
		fake.setOptions({ taskDurationMs: 60_000 });
		const texts = await createTasks(3);
		const images = await createImageTasks(1);
		const items = [...texts, ...images];
		const result = await runKling({
			parameters: getTask(),
			items,
			credentials: apiKeyCredentials(fake),
		});

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.task_id)).toEqual(
			items.map((item) => item.json.task_id),
		);
		expect(result.items.every((item) => /submitted|processing/.test(item.json.task_status))).toBe(
			true,
		);
	});

	it('repeats a read that hit a server error instead of failing the item', async () => {
		fake.setOptions({ taskDurationMs: 60_000 });
		const items = await createTasks(3);
		fake.setOptions({ faults: { pollServerError: 1 } });
		const result = await runKling({
			parameters: getTask({ taskKind: 'text2video' }),
			items,
			credentials: apiKeyCredentials(fake),
		});

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		expect(reads()).toHaveLength(4);
	});

	it('names the task ID when a task is not found under the chosen type', async () => {
		const result = await runKling({
			parameters: getTask({ taskKind: 'image2video', taskId: '860000000000000999' }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error.message).toMatch(/could not find the task.*1203.*task 860000000000000999/i);
		expect(reads()).toHaveLength(1);
	});

	it('rejects an unknown Task Type from an expression before any request', async () => {
		const result = await runKling({
			parameters: getTask({ taskKind: '={{ "text-to-video" }}', taskId: '1' }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error.message).toMatch(/Unknown task type 'text-to-video'/);
		expect(fake.log).toHaveLength(0);
	});

	it('returns finished and failed tasks as they are, so an IF node can route them', async () => {
		fake.setOptions({
			taskDurationMs: (body) => (body.prompt === 'clip 1' ? 60_000 : 0),
			failTasks: (body) => body.prompt === 'clip 2',
		});
		const items = await createTasks(3);
		const result = await runKling({
			parameters: getTask({ taskKind: 'text2video' }),
			items,
			credentials: apiKeyCredentials(fake),
		});

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.task_status)).toEqual([
			'succeed',
			expect.stringMatching(/submitted|processing/),
			'failed',
		]);
		expect(fake.stats().downloads).toBe(0);
	});
});

describe('Get Task with waiting on', () => {
	it('downloads the video of every finished task, exactly once each', async () => {
		fake.setOptions({ taskDurationMs: 0 });
		const items = await createTasks(4);
		const result = await runKling({
			parameters: getTask({ waitForCompletion: true }),
			items,
			credentials: apiKeyCredentials(fake),
		});

		expect(result.error).toBeUndefined();
		for (const [index, item] of result.items.entries()) {
			const taskId = items[index].json.task_id;
			expect(item.json.task_id).toBe(taskId);
			expect((await readBinary(item.binary.data)).equals(videoBytesFor(taskId, 48 * 1024))).toBe(
				true,
			);
		}
		expect(fake.stats().downloads).toBe(4);
		expect(submits()).toHaveLength(0);
	});
});
