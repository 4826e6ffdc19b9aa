// The throughput scenarios: N items in one node run against a fake Kling whose account accepts
// C running tasks of T seconds each; and the sequential baseline (one 1-item run after another).
// Load dev/bench/scratch.mjs before this module (n8n's user folder).
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

import { runKling } from '../engine.mjs';
import { SECRETS, apiKeyCredentials, rows, textToVideo } from '../kling.mjs';
import { MB, POLL_S } from './paths.mjs';

export function parameters({ nodeCap, pollS = POLL_S }) {
	return textToVideo(
		// A different prompt per item: every item is a different video (and external_task_id).
		{ prompt: '={{ "Benchmark scene " + $json.row }}' },
		{ pollInterval: pollS, maxConcurrentTasks: nodeCap },
	);
}

export function failuresOf(result, expected) {
	const problems = [];
	if (result.error) problems.push(`run failed: ${result.error.message}`);
	if (result.items.length !== expected)
		problems.push(`${result.items.length} of ${expected} items came out`);
	for (const [index, item] of result.items.entries()) {
		if (item.error) problems.push(`item ${index}: ${item.error.message}`);
		else if (!item.binary?.data?.bytes) problems.push(`item ${index}: no video`);
	}
	return problems;
}

/** Requests per task, from the fake server's log (1303 answers count for the item they hit). */
export function requestsPerTask({ tasks, log }) {
	const byExternal = new Map(tasks.map((task) => [task.external_task_id, task.task_id]));
	const counts = new Map(tasks.map((task) => [task.task_id, 0]));
	let unattributed = 0;
	for (const entry of log) {
		let id;
		if (entry.kind === 'submit' || entry.kind === 'list') {
			id = byExternal.get(entry.body?.external_task_id ?? entry.query?.external_task_id);
		} else if (entry.kind === 'poll') {
			id = decodeURIComponent(entry.path.split('/')[4] ?? '');
			// A look-up by external_task_id in the path belongs to that task too.
			if (!counts.has(id)) id = byExternal.get(id);
		} else if (entry.kind === 'download') {
			id = decodeURIComponent(/\/media\/([^/]+)\.mp4$/.exec(entry.path)?.[1] ?? '');
		}
		if (id !== undefined && counts.has(id)) counts.set(id, counts.get(id) + 1);
		else unattributed++;
	}
	const perTask = [...counts.values()];
	return {
		total: log.length,
		average: perTask.length ? log.length / perTask.length : 0,
		max: Math.max(0, ...perTask),
		unattributed,
		byKind: Object.fromEntries(
			['submit', 'poll', 'list', 'download', 'other'].map((kind) => [
				kind,
				log.filter((entry) => entry.kind === kind).length,
			]),
		),
	};
}

/** Runs `body(fake)` with a fresh fake Kling in a worker thread; `fake.snapshot()` reads its state. */
export async function withFake(options, body) {
	const worker = new Worker(new URL('./fake-worker.mjs', import.meta.url), {
		workerData: { ...SECRETS, videoBytes: 1 * MB, ...options },
	});
	const [{ url }] = await once(worker, 'message');
	const fake = {
		url,
		async snapshot() {
			worker.postMessage('snapshot');
			const [snapshot] = await once(worker, 'message');
			return snapshot;
		},
	};
	try {
		return await body(fake);
	} finally {
		worker.postMessage('close');
		await once(worker, 'exit');
	}
}

export async function warmUp() {
	await withFake({ taskDurationMs: 100 }, async (fake) => {
		const result = await runKling({
			parameters: parameters({ nodeCap: 1 }),
			items: rows(1),
			credentials: apiKeyCredentials(fake),
			executionId: 'bench-warm-up',
		});
		const problems = failuresOf(result, 1);
		if (problems.length) throw new Error(`warm-up failed: ${problems.join('; ')}`);
	});
}

/** CPU time of this thread only (the node and n8n's engine; the fake server runs in a worker). */
function threadCpuMs(since) {
	const usage = process.threadCpuUsage(since);
	return { usage, ms: (usage.user + usage.system) / 1000 };
}

/** N items in one node run; the account (fake server) accepts `accountC` running tasks. */
export async function throughput({ key, label, n, accountC, nodeCap, taskS, goal }) {
	return await withFake({ taskDurationMs: taskS * 1000, concurrency: accountC }, async (fake) => {
		const cpuStart = process.threadCpuUsage();
		const started = performance.now();
		const result = await runKling({
			parameters: parameters({ nodeCap }),
			items: rows(n),
			credentials: apiKeyCredentials(fake),
			executionId: `bench-${key}`,
		});
		const wallS = (performance.now() - started) / 1000;
		const cpuMs = threadCpuMs(cpuStart).ms;
		const snapshot = await fake.snapshot();
		return {
			key,
			label,
			goal,
			n,
			accountC,
			nodeCap,
			taskS,
			wallS,
			cpuMsPerTask: cpuMs / n,
			idealS: Math.ceil(n / accountC) * taskS,
			sequentialS: n * taskS,
			requests: requestsPerTask(snapshot),
			createsPerTask: snapshot.stats.submitRequests / n,
			budget: 1 + Math.ceil(taskS / POLL_S) + 1, // submit + polls + download
			stats: snapshot.stats,
			problems: failuresOf(result, n),
		};
	});
}

/**
 * What an HTTP Request + Wait loop does: one video after the other. Measured as N separate
 * executions of the node, each with one input item (n8n's batching option cannot do this: it only
 * delays the start of each item, it does not wait for the previous one to finish).
 */
export async function sequentialBaseline({ n, accountC, taskS }) {
	return await withFake({ taskDurationMs: taskS * 1000, concurrency: accountC }, async (fake) => {
		const problems = [];
		const cpuStart = process.threadCpuUsage();
		const started = performance.now();
		for (let row = 0; row < n; row++) {
			const result = await runKling({
				parameters: parameters({ nodeCap: 1 }),
				items: [{ json: { row } }],
				credentials: apiKeyCredentials(fake),
				executionId: `bench-sequential-${row}`,
			});
			problems.push(...failuresOf(result, 1).map((problem) => `run ${row}: ${problem}`));
		}
		const wallS = (performance.now() - started) / 1000;
		const cpuMs = threadCpuMs(cpuStart).ms;
		const snapshot = await fake.snapshot();
		return {
			key: 'sequential',
			label: `sequential baseline (${n} separate 1-item runs)`,
			n,
			accountC: 1,
			nodeCap: 1,
			taskS,
			wallS,
			cpuMsPerTask: cpuMs / n,
			idealS: n * taskS,
			sequentialS: n * taskS,
			requests: requestsPerTask(snapshot),
			createsPerTask: snapshot.stats.submitRequests / n,
			budget: 1 + Math.ceil(taskS / POLL_S) + 1, // submit + polls + download
			stats: snapshot.stats,
			problems,
		};
	});
}
