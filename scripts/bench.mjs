#!/usr/bin/env node
// Benchmark of the packaged Kling node (dist/) run through n8n's own engine (n8n-core's
// WorkflowExecute → RoutingNode) against the fake Kling server, which it starts itself.
//
//   node scripts/bench.mjs            run every scenario, print the table (writes nothing)
//   node scripts/bench.mjs --write    … and rewrite the results section of BENCHMARKS.md
//   node scripts/bench.mjs --only n10c3,memory     run some scenarios only
//   node scripts/bench.mjs --task-seconds 6        task duration T (default 6)
//
// The parts live in dev/bench/: scenarios.mjs (runner), report.mjs (table), goals.mjs (goal
// checks), benchmarks-md.mjs (BENCHMARKS.md writer), memory-child.mjs (the memory measurement,
// a script of its own started through dev/memory.mjs). The node's real delays are used (no
// shortened retries): these numbers are what a user sees.
import '../dev/bench/scratch.mjs';

import path from 'node:path';
import { parseArgs } from 'node:util';

import { writeResults } from '../dev/bench/benchmarks-md.mjs';
import { checks } from '../dev/bench/goals.mjs';
import { POLL_S } from '../dev/bench/paths.mjs';
import { fixed, machine, table } from '../dev/bench/report.mjs';
import { sequentialBaseline, throughput, warmUp } from '../dev/bench/scenarios.mjs';
import { scratch } from '../dev/bench/scratch.mjs';
import { useBinaryDataMode } from '../dev/engine.mjs';
import { runMemoryChild } from '../dev/memory.mjs';

const { values: args } = parseArgs({
	options: {
		write: { type: 'boolean', default: false },
		only: { type: 'string' },
		'task-seconds': { type: 'string', default: '6' },
		'video-mb': { type: 'string', default: '200' },
	},
});

const taskS = Number(args['task-seconds']);
const videoMb = Number(args['video-mb']);
const SCENARIOS = [
	[
		'n10c3',
		() => throughput({ key: 'n10c3', label: 'N=10, C=3', n: 10, accountC: 3, nodeCap: 3, taskS }),
	],
	['sequential', () => sequentialBaseline({ n: 10, accountC: 3, taskS })],
	[
		'n50c5',
		() => throughput({ key: 'n50c5', label: 'N=50, C=5', n: 50, accountC: 5, nodeCap: 5, taskS }),
	],
	[
		'n200c10',
		() =>
			throughput({
				key: 'n200c10',
				label: 'regular: N=200, C=10',
				n: 200,
				accountC: 10,
				nodeCap: 10,
				taskS,
				goal: { wallRatio: 1.02, reportCpu: true },
			}),
	],
	[
		'adaptive',
		() =>
			throughput({
				key: 'adaptive',
				label: 'adaptive 1303 (N=10)',
				n: 10,
				accountC: 2,
				nodeCap: 5,
				taskS,
			}),
	],
	['memory-filesystem', () => runMemoryChild('filesystem', videoMb)],
	['memory-filesystem-live', () => runMemoryChild('filesystem', videoMb, true)],
	['memory-default', () => runMemoryChild('default', videoMb)],
];

const wanted = args.only ? new Set(args.only.split(',').map((key) => key.trim())) : undefined;
const selected = (key) =>
	!wanted || wanted.has(key) || (key.startsWith('memory') && wanted.has('memory'));
await useBinaryDataMode('filesystem', path.join(scratch, 'binary'));
const results = [];
const started = performance.now();
const progress = (text) =>
	console.error(`[${fixed((performance.now() - started) / 1000)} s] ${text}`);
progress('warm-up');
await warmUp();
for (const [key, run] of SCENARIOS) {
	if (!selected(key)) continue;
	progress(key);
	results.push(await run());
}
const totalS = (performance.now() - started) / 1000;
const tableText = table(results);
const checkLines = checks(results);
console.log(tableText);
console.log('');
console.log(checkLines.join('\n'));
console.log(`\nMachine: ${machine()}. Total bench time ${fixed(totalS)} s.`);
if (args.write) {
	const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
	const file = writeResults(
		[
			`Run ${when} on ${machine()}; poll interval ${POLL_S} s; total bench time ${fixed(totalS)} s.`,
			'',
			tableText,
			'',
			...checkLines,
		].join('\n'),
	);
	console.log(`Results written to ${path.relative(process.cwd(), file) || file}`);
}
// Only a scenario that went wrong (an error, a wrong video) fails the command.
process.exit(checkLines.some((line) => line.startsWith('- ERROR')) ? 1 : 0);
