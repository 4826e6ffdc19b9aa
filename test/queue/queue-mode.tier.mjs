// Queue-mode tier (npm run test:queue): real PostgreSQL + Redis, n8n 2.41 main + 2 workers, the
// packed package as a community node, the fake Kling server as one account of concurrency 3.
// Executions are started through the main's production webhook, so the workers run them.
// The figures are printed (and written to $KLING_QUEUE_FIGURES when set).
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
	BIG_VIDEO_BYTES,
	bigVideo,
	startQueueSetup,
	stopQueueSetup,
	twoExecutionsAtOnce,
	workerKilledThenRerun,
} from '../../dev/queue-scenarios.mjs';

const MINUTE = 60_000;
// The budget for create requests per task when two workers share one account.
const MAX_CREATES_PER_TASK = Number(process.env.KLING_QUEUE_MAX_CREATES_PER_TASK ?? 1.5);
const figures = {};

function report(name, value) {
	figures[name] = value;
	process.stderr.write(`[queue tier] ${name}: ${JSON.stringify(value)}\n`);
}

let setup;
beforeAll(async () => {
	const started = Date.now();
	setup = await startQueueSetup({
		progress: (line) => process.stderr.write(`[queue tier] ${line}\n`),
	});
	report('startup', { ms: Date.now() - started });
}, 10 * MINUTE);

afterAll(async () => {
	await stopQueueSetup(setup);
	if (process.env.KLING_QUEUE_FIGURES)
		writeFileSync(process.env.KLING_QUEUE_FIGURES, JSON.stringify(figures, null, 2));
}, 2 * MINUTE);

describe('n8n queue mode: main + 2 workers, PostgreSQL, Redis', () => {
	it(
		'two executions at once, 10 items each, one account of concurrency 3: every video once, exact bytes',
		async () => {
			const result = await twoExecutionsAtOnce(setup, 10);
			const { items, executions, calls, ...numbers } = result;
			report('twoExecutions', { ...numbers, statuses: executions.map((e) => e.status) });

			expect(calls.map((call) => call.status)).toEqual([200, 200]);
			expect(executions.map((e) => e.status)).toEqual(['success', 'success']);
			expect(result.workersUsed).toBe(2);
			expect(result.errors).toEqual([]);
			expect(items).toHaveLength(20);
			expect(new Set(items.map((item) => item.json.task_id)).size).toBe(20);
			expect(result.videoProblems).toEqual([]);
			// Nothing paid twice, and the account's limit was never exceeded.
			expect(result.paidTasks).toBe(20);
			expect(result.uniqueExternalIds).toBe(20);
			expect(result.maxRunning).toBeLessThanOrEqual(3);
			expect(result.createsPerTask).toBeLessThanOrEqual(MAX_CREATES_PER_TASK);
		},
		10 * MINUTE,
	);

	it(
		'a worker killed while its tasks generate: the re-run resumes them and pays nothing again',
		async () => {
			const result = await workerKilledThenRerun(setup, 10);
			const { items, ...numbers } = result;
			report('workerKilled', numbers);

			expect(result.paidBeforeKill).toBe(10);
			expect(result.generatingAtKill).toBe(10);
			expect(result.rerun.status).toBe('success');
			expect(result.rerunWorker).toBeDefined();
			expect(result.rerunWorker).not.toBe(result.victim);
			expect(items).toHaveLength(10);
			expect(result.videoProblems).toEqual([]);
			expect(result.paidTasks).toBe(10);
			expect(result.uniqueExternalIds).toBe(10);
			// Each re-run create was answered "external_task_id already exists" and resumed.
			expect(result.rerunCreateRequests).toBe(10);
			expect(result.rerunCreateStatuses).toEqual([400]);
		},
		10 * MINUTE,
	);

	it(
		'a 200 MB video with the default binary mode of queue mode (database): delivered, worker RSS measured',
		async () => {
			const result = await bigVideo(setup, BIG_VIDEO_BYTES);
			const { items, ...numbers } = result;
			report('bigVideo', numbers);

			expect(result.execution.status).toBe('success');
			expect(items).toHaveLength(1);
			expect(items[0].binary.data.id).toMatch(/^database:/);
			expect(result.videoProblems).toEqual([]);
			expect(result.workerRssGrowthMb).toBeGreaterThan(0);
		},
		10 * MINUTE,
	);
});
