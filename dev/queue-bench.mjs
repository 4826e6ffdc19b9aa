// npm run bench:queue — the queue-mode benchmark: a real n8n 2.41 main + 2 workers on PostgreSQL
// and Redis (dev/queue.mjs), the fake Kling server as one account of concurrency 3, and the
// scenarios of the queue tier (dev/queue-scenarios.mjs). Reports figures, asserts nothing:
//   node dev/queue-bench.mjs            prints the figures
//   node dev/queue-bench.mjs --write    … and rewrites the queue section of BENCHMARKS.md
// Exit code 1 only when a scenario went wrong (a failed execution, a wrong or missing video).
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { projectRoot } from './n8n.mjs';
import {
	ACCOUNT_CONCURRENCY,
	TASK_MS,
	bigVideo,
	startQueueSetup,
	stopQueueSetup,
	twoExecutionsAtOnce,
	workerKilledThenRerun,
} from './queue-scenarios.mjs';

const START = '<!-- queue-bench:start -->';
const END = '<!-- queue-bench:end -->';
const write = process.argv.includes('--write');
const log = (line) => process.stderr.write(`[bench:queue] ${line}\n`);

const fixed = (value, digits = 2) => (value === undefined ? '–' : Number(value).toFixed(digits));

function section(r) {
	const { s1, s2, s3, startupMs, totalMs } = r;
	return [
		START,
		`Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} CPU(s), Node ${process.version}, n8n 2.41.1`,
		`(main + 2 workers, \`--concurrency=1\` each, PostgreSQL 15, Redis; cluster start ${fixed(startupMs / 1000, 0)} s,`,
		`whole run ${fixed(totalMs / 1000, 0)} s). Account concurrency ${ACCOUNT_CONCURRENCY}, T = ${TASK_MS / 1000} s, poll 1 s, Max Tasks in Flight ${ACCOUNT_CONCURRENCY}.`,
		'',
		'| scenario | videos delivered | paid tasks (unique ext. ids) | create requests (per task) | 1303 answers | wall | ideal | wall / ideal |',
		'| --- | --- | --- | --- | --- | --- | --- | --- |',
		`| 2 executions × 10 items at once, 2 workers | ${s1.items.length - s1.videoProblems.length} / ${s1.tasks} | ${s1.paidTasks} (${s1.uniqueExternalIds}) | ${s1.createRequests} (${fixed(s1.createsPerTask)}) | ${s1.rejected1303} | ${fixed(s1.wallMs / 1000, 1)} s | ${fixed(s1.idealMs / 1000, 1)} s | ${fixed(s1.wallOverIdeal)} |`,
		`| worker SIGKILLed mid-wait, same rows run again | ${s2.items.length - s2.videoProblems.length} / 10 | ${s2.paidTasks} (${s2.uniqueExternalIds}) | ${s2.createRequests} (${fixed(s2.createRequests / 10)}; re-run: ${s2.rerunCreateRequests}, all answered "already exists") | ${s2.rejected1303} | re-run done ${fixed(s2.rerunMs / 1000, 1)} s after the kill | – | – |`,
		'',
		'| 200 MB video, binary mode `database` (queue-mode default) | worker RSS before | worker RSS peak | growth | main RSS growth | wall |',
		'| --- | --- | --- | --- | --- | --- |',
		`| 1 video of ${fixed(s3.videoMb, 0)} MB, exact bytes: ${s3.videoProblems.length === 0 && s3.items.length === 1 ? 'yes' : 'NO'} | ${fixed(s3.workerRssBeforeMb, 0)} MB | ${fixed(s3.workerRssPeakMb, 0)} MB | ${fixed(s3.workerRssGrowthMb, 0)} MB (${fixed(s3.workerRssGrowthMb / s3.videoMb, 1)} × the video) | ${fixed(s3.mainRssGrowthMb, 0)} MB | ${fixed(s3.wallMs / 1000, 1)} s |`,
		'',
		`Ideal = ⌈tasks / concurrency⌉ × T. After the worker was killed its execution stayed \`${s2.firstStatusAfterKill}\` in n8n (n8n does not re-run a stalled job: \`maxStalledCount\` 0).`,
		END,
	].join('\n');
}

async function main() {
	const started = Date.now();
	let setup;
	let failed = false;
	const results = {};
	try {
		setup = await startQueueSetup({ progress: log });
		results.startupMs = Date.now() - started;
		log('scenario 1: two executions at once');
		results.s1 = await twoExecutionsAtOnce(setup, 10);
		log('scenario 2: worker killed, re-run');
		results.s2 = await workerKilledThenRerun(setup, 10);
		log('scenario 3: 200 MB video');
		results.s3 = await bigVideo(setup);
	} finally {
		await stopQueueSetup(setup);
	}
	results.totalMs = Date.now() - started;
	const { s1, s2, s3 } = results;
	failed =
		s1.errors.length > 0 ||
		s1.videoProblems.length > 0 ||
		s1.items.length !== s1.tasks ||
		s2.videoProblems.length > 0 ||
		s2.items.length !== 10 ||
		s3.videoProblems.length > 0 ||
		s3.items.length !== 1;
	const text = section(results);
	process.stdout.write(`${text}\n`);
	if (write) {
		const file = path.join(projectRoot, 'BENCHMARKS.md');
		const current = readFileSync(file, 'utf8');
		const start = current.indexOf(START);
		const end = current.indexOf(END);
		const next =
			start >= 0 && end > start
				? current.slice(0, start) + text + current.slice(end + END.length)
				: `${current.trimEnd()}\n\n## Queue mode (npm run bench:queue)\n\n${text}\n`;
		writeFileSync(file, next);
		log(`wrote ${file}`);
	}
	process.exitCode = failed ? 1 : 0;
}

await main();
