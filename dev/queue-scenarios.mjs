// The queue-mode scenarios, shared by the queue tier (test/queue/queue-mode.tier.mjs asserts on
// them) and its benchmark (dev/queue-bench.mjs reports them): a real n8n main + 2 workers on
// PostgreSQL and Redis, the packed package, and the fake Kling server as one Kling account.
// Executions are started through the main's production webhook, so the workers run them.
import { randomUUID } from 'node:crypto';

import { startFakeKling } from './fake-kling/server.mjs';
import { KLING_TYPE } from './n8n.mjs';
import {
	callWebhook,
	databaseBinary,
	executionData,
	executionsOf,
	expectedVideoMd5,
	sampleRss,
	sleep,
	startQueueCluster,
	waitForExecutions,
	workerRunning,
} from './queue.mjs';

export const API_KEY = 'queue-tier-api-key-5a1c9e';
export const CREDENTIAL_NAME = 'Kling account';
export const WEBHOOK_PATH = 'kling-queue-batch';
export const VIDEO_BYTES = 150_001;
export const TASK_MS = 3000;
export const ACCOUNT_CONCURRENCY = 3;
export const BIG_VIDEO_BYTES = 200 * 1024 * 1024;

/** Webhook (POST, answers at once) → Split Out body.rows → Kling Text to Video (waits, downloads). */
export function batchWorkflow() {
	return {
		name: 'Kling queue batch',
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'queue-webhook',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: {
					httpMethod: 'POST',
					path: WEBHOOK_PATH,
					responseMode: 'onReceived',
					options: {},
				},
			},
			{
				id: 'queue-split',
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.rows', options: {} },
			},
			{
				id: 'queue-kling',
				name: 'Kling',
				type: KLING_TYPE,
				typeVersion: 1,
				position: [440, 0],
				parameters: {
					resource: 'video',
					operation: 'textToVideo',
					prompt: '={{ $json.prompt }}',
					options: {
						pollInterval: 1,
						// The webhook body may raise it (scenario 2 puts all tasks in flight at once).
						maxConcurrentTasks: `={{ $('Webhook').first().json.body.maxInFlight ?? ${ACCOUNT_CONCURRENCY} }}`,
					},
				},
				credentials: { klingApi: { id: null, name: CREDENTIAL_NAME } },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Kling', type: 'main', index: 0 }]] },
		},
	};
}

export const rowsOf = (prefix, n, extra = {}) => ({
	rows: Array.from({ length: n }, (_, i) => ({ prompt: `${prefix}-${i} a lighthouse in a storm` })),
	...extra,
});

/** Starts the fake Kling server and the cluster (main + 2 workers, one execution each at a time). */
export async function startQueueSetup({ progress } = {}) {
	const fake = await startFakeKling({
		apiKey: API_KEY,
		taskDurationMs: TASK_MS,
		videoBytes: VIDEO_BYTES,
		concurrency: ACCOUNT_CONCURRENCY,
	});
	try {
		const cluster = await startQueueCluster({
			workers: 2,
			// One execution per worker at a time, so two executions land on two workers.
			workerConcurrency: 1,
			credential: {
				name: CREDENTIAL_NAME,
				type: 'klingApi',
				data: { authType: 'apiKey', apiKey: API_KEY, baseUrl: fake.url },
			},
			workflows: [batchWorkflow()],
			progress,
		});
		return { fake, cluster, workflowId: cluster.workflowIds[0] };
	} catch (error) {
		await fake.close();
		throw error;
	}
}

export async function stopQueueSetup(setup) {
	await setup?.cluster?.stop();
	await setup?.fake?.close();
}

/** The Kling node's output items of an execution, with the run's error if any. */
export async function klingOutput(setup, executionId) {
	const data = await executionData(setup.cluster.pg, setup.cluster.home, executionId);
	const runs = data?.resultData?.runData?.Kling ?? [];
	return {
		items: runs.at(-1)?.data?.main?.[0] ?? [],
		error: data?.resultData?.error,
	};
}

/** Checks each item's stored video against the fake's bytes; returns the mismatches. */
export async function checkVideos(setup, items, size) {
	const problems = [];
	for (const item of items) {
		const taskId = item.json?.task_id;
		const binaryId = item.binary?.data?.id;
		if (!taskId || !binaryId) {
			problems.push(`item without task or video: ${JSON.stringify(item.json).slice(0, 200)}`);
			continue;
		}
		const stored = await databaseBinary(setup.cluster.pg, binaryId);
		const md5 = expectedVideoMd5(taskId, size);
		if (stored.length !== size || stored.md5 !== md5) {
			problems.push(
				`task ${taskId}: stored ${stored.length} bytes md5 ${stored.md5}, expected ${size} bytes md5 ${md5}`,
			);
		}
	}
	return problems;
}

function submitFigures(fake) {
	const submits = fake.log.filter((entry) => entry.kind === 'submit');
	const externalIds = [...fake.tasks.values()].map((task) => task.external_task_id);
	return {
		paidTasks: fake.stats().submissions,
		uniqueExternalIds: new Set(externalIds).size,
		createRequests: submits.length,
		rejected1303: fake.stats().rejected1303,
		maxRunning: fake.stats().maxRunning,
	};
}

/**
 * Scenario 1: two executions at once, `perExecution` items each, one account of concurrency 3.
 */
export async function twoExecutionsAtOnce(setup, perExecution = 10) {
	const { fake, cluster, workflowId } = setup;
	fake.reset();
	fake.setOptions({
		taskDurationMs: TASK_MS,
		videoBytes: VIDEO_BYTES,
		concurrency: ACCOUNT_CONCURRENCY,
	});
	const before = (await executionsOf(cluster.pg, workflowId)).length;
	const started = Date.now();
	const calls = await Promise.all([
		callWebhook(cluster, WEBHOOK_PATH, rowsOf('A', perExecution)),
		callWebhook(cluster, WEBHOOK_PATH, rowsOf('B', perExecution)),
	]);
	const all = await waitForExecutions(cluster.pg, workflowId, before + 2);
	const executions = all.slice(before);
	const wallMs = Math.max(...executions.map((e) => Date.parse(e.stoppedAt))) - started;
	const items = [];
	const errors = [];
	for (const execution of executions) {
		const output = await klingOutput(setup, execution.id);
		items.push(...output.items);
		if (output.error) errors.push(output.error.message);
	}
	const tasks = perExecution * 2;
	const idealMs = Math.ceil(tasks / ACCOUNT_CONCURRENCY) * TASK_MS;
	const figures = submitFigures(fake);
	return {
		calls,
		executions,
		workersUsed: new Set(executions.map((e) => workerRunning(cluster, e.id)?.label)).size,
		items,
		errors,
		videoProblems: await checkVideos(setup, items, VIDEO_BYTES),
		tasks,
		...figures,
		createsPerTask: figures.createRequests / tasks,
		wallMs,
		idealMs,
		wallOverIdeal: wallMs / idealMs,
	};
}

/**
 * Scenario 2: a worker is killed (SIGKILL) while the execution's 10 tasks are generating at
 * Kling; the same work is then run again (the webhook called again with the same rows — what a
 * user does with "retry"), on the other worker. The tasks must be resumed, not paid again.
 */
export async function workerKilledThenRerun(setup, n = 10) {
	const { fake, cluster, workflowId } = setup;
	fake.reset();
	fake.setOptions({ taskDurationMs: 12_000, videoBytes: VIDEO_BYTES, concurrency: Infinity });
	const before = (await executionsOf(cluster.pg, workflowId)).length;
	// Every task in flight at once, so all of them are generating when the worker dies.
	const rows = rowsOf('C', n, { maxInFlight: n });
	await callWebhook(cluster, WEBHOOK_PATH, rows);
	const until = Date.now() + 120_000;
	while (fake.stats().submissions < n && Date.now() < until) await sleep(200);
	const first = (await executionsOf(cluster.pg, workflowId))[before];
	const victim = first && workerRunning(cluster, first.id);
	if (!victim) throw new Error('no worker reported running the execution');
	const paidBeforeKill = fake.stats().submissions;
	const now = Date.now();
	const generatingAtKill = [...fake.tasks.values()].filter(
		(task) => task.createdAt + task.durationMs > now,
	).length;
	victim.kill('SIGKILL');
	await victim.exited;
	const killedAt = Date.now();
	// What n8n records for the execution whose worker died (observed, not asserted).
	await sleep(5000);
	const afterKill = (await executionsOf(cluster.pg, workflowId))[before];

	const submitsBefore = fake.log.filter((entry) => entry.kind === 'submit').length;
	await callWebhook(cluster, WEBHOOK_PATH, rows);
	// The first execution may stay "running" (its worker is gone): wait for the re-run only.
	let rerun;
	const deadline = Date.now() + 180_000;
	for (;;) {
		rerun = (await executionsOf(cluster.pg, workflowId))[before + 1];
		if (rerun && ['success', 'error', 'crashed', 'canceled'].includes(rerun.status)) break;
		if (Date.now() > deadline) throw new Error(`re-run did not end: ${JSON.stringify(rerun)}`);
		await sleep(500);
	}
	const output = await klingOutput(setup, rerun.id);
	const submitsAfter = fake.log.filter((entry) => entry.kind === 'submit').slice(submitsBefore);
	return {
		victim: victim.label,
		paidBeforeKill,
		generatingAtKill,
		firstStatusAfterKill: afterKill?.status,
		rerun,
		rerunWorker: workerRunning(cluster, rerun.id)?.label,
		rerunMs: Date.parse(rerun.stoppedAt) - killedAt,
		items: output.items,
		error: output.error?.message,
		videoProblems: await checkVideos(setup, output.items, VIDEO_BYTES),
		rerunCreateRequests: submitsAfter.length,
		rerunCreateStatuses: [...new Set(submitsAfter.map((entry) => entry.status))],
		...submitFigures(fake),
	};
}

/**
 * Scenario 3: one 200 MB video with n8n's default binary mode in queue mode (database). Samples
 * the RSS of the worker(s) every 100 ms.
 */
export async function bigVideo(setup, size = BIG_VIDEO_BYTES) {
	const { fake, cluster, workflowId } = setup;
	fake.reset();
	fake.setOptions({ taskDurationMs: 1000, videoBytes: size, concurrency: ACCOUNT_CONCURRENCY });
	const alive = cluster.workers.filter((worker) => worker.alive());
	const sampler = sampleRss([...alive.map((worker) => worker.pid), cluster.main.pid]);
	const before = (await executionsOf(cluster.pg, workflowId)).length;
	const started = Date.now();
	await callWebhook(cluster, WEBHOOK_PATH, rowsOf('BIG', 1));
	const [execution] = (await waitForExecutions(cluster.pg, workflowId, before + 1)).slice(before);
	const wallMs = Date.parse(execution.stoppedAt) - started;
	const rss = sampler.stop();
	const output = await klingOutput(setup, execution.id);
	const worker = workerRunning(cluster, execution.id);
	const stat = worker && rss.get(worker.pid);
	const mainStat = rss.get(cluster.main.pid);
	return {
		execution,
		wallMs,
		error: output.error?.message,
		items: output.items,
		videoProblems: await checkVideos(setup, output.items, size),
		worker: worker?.label,
		workerRssBeforeMb: stat ? stat.first / 2 ** 20 : undefined,
		workerRssPeakMb: stat ? stat.max / 2 ** 20 : undefined,
		workerRssGrowthMb: stat ? (stat.max - stat.first) / 2 ** 20 : undefined,
		mainRssGrowthMb: mainStat ? (mainStat.max - mainStat.first) / 2 ** 20 : undefined,
		videoMb: size / 2 ** 20,
	};
}
