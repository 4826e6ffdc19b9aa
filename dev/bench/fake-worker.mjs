// The fake Kling server in a worker thread, so that the main thread's CPU time
// (process.threadCpuUsage) is the node's and n8n's alone. The main thread asks for the log,
// the task table and the counters after the run.
import { parentPort, workerData } from 'node:worker_threads';

import { startFakeKling } from '../fake-kling/server.mjs';

const fake = await startFakeKling(workerData);
parentPort.on('message', async (request) => {
	if (request === 'snapshot') {
		parentPort.postMessage({
			stats: fake.stats(),
			log: fake.log.map(({ method, path, query, kind, status, at, body }) => ({
				method,
				path,
				query,
				kind,
				status,
				at,
				body:
					body && typeof body === 'object'
						? { external_task_id: body.external_task_id }
						: undefined,
			})),
			tasks: [...fake.tasks.values()].map((task) => ({
				task_id: task.task_id,
				external_task_id: task.external_task_id,
			})),
		});
	} else if (request === 'close') {
		await fake.close();
		parentPort.postMessage('closed');
		parentPort.close();
	}
});
parentPort.postMessage({ url: fake.url });
