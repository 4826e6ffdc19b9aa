// The long-wait pattern in a real n8n (regular mode, PostgreSQL), from the example workflow
// examples/long-videos-without-holding-an-execution.json: Create (no waiting) → Wait → Get Task
// (status) → IF finished → Get Task (download), else back to the Wait. n8n is stopped while the
// execution waits and started again; the execution must resume and deliver every video once.
// n8n's wait tracker polls about every 60 s and parks only waits of 65 s or more: this takes
// about 4 minutes.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startFakeKling, videoBytesFor } from '../../dev/fake-kling/server.mjs';
import { KLING_TYPE, projectRoot, readBinary } from '../../dev/n8n.mjs';
import {
	callWebhook,
	executionData,
	executionsOf,
	sleep,
	startQueueCluster,
} from '../../dev/queue.mjs';

const MINUTE = 60_000;
const API_KEY = 'restart-tier-api-key-77e1';
const VIDEO_BYTES = 120_001;
const WAIT_SECONDS = 66;
const WEBHOOK_PATH = 'kling-long-wait';
// The first prompt's video is ready at the first check; the others need a second round.
const SHORT_MS = 5000;
const LONG_MS = 100_000;

function exampleForTest() {
	const workflow = JSON.parse(
		readFileSync(
			path.join(projectRoot, 'examples/long-videos-without-holding-an-execution.json'),
			'utf8',
		),
	);
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger');
	// `n8n start` runs production executions: a webhook instead of the Manual Trigger.
	Object.assign(trigger, {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'onReceived', options: {} },
	});
	const wait = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.wait');
	wait.parameters = { amount: WAIT_SECONDS, unit: 'seconds' };
	for (const node of workflow.nodes) {
		if (node.type === KLING_TYPE)
			node.parameters.options = { ...node.parameters.options, pollInterval: 1 };
	}
	return workflow;
}

const prompts = () => {
	const workflow = exampleForTest();
	const set = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.set');
	return JSON.parse(set.parameters.jsonOutput).rows.map((row) => row.prompt);
};

let fake;
let cluster;
const figures = {};

beforeAll(async () => {
	const [first] = prompts();
	fake = await startFakeKling({
		apiKey: API_KEY,
		videoBytes: VIDEO_BYTES,
		taskDurationMs: (body) => (body.prompt === first ? SHORT_MS : LONG_MS),
	});
	const started = Date.now();
	cluster = await startQueueCluster({
		mode: 'regular',
		credential: {
			name: 'Kling account',
			type: 'klingApi',
			data: { authType: 'apiKey', apiKey: API_KEY, baseUrl: fake.url },
		},
		workflows: [exampleForTest()],
		progress: (line) => process.stderr.write(`[restart tier] ${line}\n`),
	});
	figures.startupMs = Date.now() - started;
}, 10 * MINUTE);

afterAll(async () => {
	await cluster?.stop();
	await fake?.close();
	process.stderr.write(`[restart tier] figures: ${JSON.stringify(figures)}\n`);
	if (process.env.KLING_RESTART_FIGURES)
		writeFileSync(process.env.KLING_RESTART_FIGURES, JSON.stringify(figures, null, 2));
}, 2 * MINUTE);

describe('Wait-loop pattern across an n8n restart (regular mode)', () => {
	it(
		'resumes the waiting execution after a restart and delivers every video once',
		async () => {
			const workflowId = cluster.workflowIds[0];
			const started = Date.now();
			const call = await callWebhook(cluster, WEBHOOK_PATH, {});
			expect(call.status).toBe(200);

			// Parked: the execution is saved as waiting and no process holds it.
			let parked;
			while (!parked && Date.now() - started < 2 * MINUTE) {
				const [execution] = await executionsOf(cluster.pg, workflowId);
				if (execution?.status === 'waiting') parked = execution;
				else await sleep(500);
			}
			expect(parked).toBeDefined();
			expect(fake.stats().submissions).toBe(3);

			await cluster.main.stop();
			expect(cluster.main.alive()).toBe(false);
			const stoppedAt = Date.now();
			await sleep(3000);
			await cluster.startMain();
			figures.restartMs = Date.now() - stoppedAt;

			let execution;
			while (Date.now() - started < 8 * MINUTE) {
				const rows = await executionsOf(cluster.pg, workflowId);
				execution = rows[0];
				if (
					rows.length !== 1 ||
					['success', 'error', 'crashed', 'canceled'].includes(execution?.status)
				)
					break;
				await sleep(1000);
			}
			figures.wallMs = Date.now() - started;
			const rows = await executionsOf(cluster.pg, workflowId);
			expect(rows).toHaveLength(1);
			expect(execution.status).toBe('success');

			const data = await executionData(cluster.pg, cluster.home, execution.id);
			const runsOf = (name) => data.resultData.runData[name] ?? [];
			const delivered = runsOf('Download videos').flatMap((run) => run.data?.main?.[0] ?? []);
			figures.checkRounds = runsOf('Check status').length;
			figures.waitRounds = runsOf('Wait 5 minutes').length;
			expect(delivered).toHaveLength(3);
			const taskIds = delivered.map((item) => item.json.task_id);
			expect(new Set(taskIds).size).toBe(3);
			for (const item of delivered) {
				expect(item.json.task_status).toBe('succeed');
				const bytes = await readBinary(cluster.home, item.binary.data);
				expect(bytes.equals(videoBytesFor(item.json.task_id, VIDEO_BYTES))).toBe(true);
			}

			// Paid once each: 3 tasks, 3 create requests, 3 external ids.
			const submits = fake.log.filter((entry) => entry.kind === 'submit');
			expect(fake.stats().submissions).toBe(3);
			expect(submits).toHaveLength(3);
			expect(new Set(submits.map((entry) => entry.body.external_task_id)).size).toBe(3);
			// Status reads of the Check status node: one per task per round.
			const reads = fake.log.filter((entry) => entry.kind === 'poll');
			figures.statusReads = reads.length;
			figures.downloads = fake.stats().downloads;
			figures.paidTasks = fake.stats().submissions;
			figures.createRequests = submits.length;
			expect(fake.stats().downloads).toBe(3);
		},
		10 * MINUTE,
	);
});
