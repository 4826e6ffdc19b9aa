// The tooling's layout (issue 10): tests and scripts both use dev/, never each other; the bench is
// split into readable parts under dev/bench/ whose table and goal checks report creates per task,
// requests per task and the node's CPU time.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { expect, it } from '@jest/globals';

import { writeResults } from '../dev/bench/benchmarks-md.mjs';
import { checks } from '../dev/bench/goals.mjs';
import { HEADER, table } from '../dev/bench/report.mjs';
import { requestsPerTask } from '../dev/bench/scenarios.mjs';
import { projectRoot } from '../dev/engine.mjs';

function sources(folder) {
	return readdirSync(path.join(projectRoot, folder), { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile() && /\.(mjs|js)$/.test(entry.name))
		.map((entry) => path.relative(projectRoot, path.join(entry.parentPath, entry.name)));
}

/** Every project path a module names: imports, and paths it spawns or reads. */
function referencedFolders(file) {
	const text = readFileSync(path.join(projectRoot, file), 'utf8');
	const named = [
		...text.matchAll(/(?:from\s+|import\(\s*|path\.join\([^)]*?)['"]([^'"]+)['"]/g),
	].map((match) => match[1]);
	return named
		.map((name) =>
			name.startsWith('.')
				? path.relative(projectRoot, path.resolve(path.dirname(path.join(projectRoot, file)), name))
				: name,
		)
		.map((name) => name.split('/')[0]);
}

it('scripts/ and dev/ never reach into test/, and dev/ runs no script module (no loop is possible)', () => {
	const offences = [];
	for (const file of [...sources('scripts'), ...sources('dev')]) {
		if (referencedFolders(file).includes('test')) offences.push(`${file} → test/`);
	}
	// dev/ is shared by tests and scripts: it may start shell helpers, never a scripts/*.mjs module
	// (the old loop: test/scale → dev/memory.mjs → spawned scripts/bench.mjs → dev/…).
	for (const file of sources('dev')) {
		const text = readFileSync(path.join(projectRoot, file), 'utf8');
		const named = /['"`][^'"`\n]*scripts\/[\w-]+\.m?js/.exec(text);
		if (named) offences.push(`${file} → ${named[0]}`);
	}
	expect(offences).toEqual([]);
});

it('the bench entry is thin and its parts live in dev/bench/', () => {
	const entry = readFileSync(path.join(projectRoot, 'scripts/bench.mjs'), 'utf8');
	expect(entry.split('\n').length).toBeLessThan(120);
	expect(entry).not.toMatch(/'--memory-child'|memoryChild\(/);
	for (const part of [
		'scenarios.mjs',
		'report.mjs',
		'goals.mjs',
		'benchmarks-md.mjs',
		'memory-child.mjs',
	]) {
		expect(sources('dev/bench')).toContain(`dev/bench/${part}`);
	}
});

const stats = (submitRequests, submissions, rejected1303 = 0) => ({
	submitRequests,
	submissions,
	rejected1303,
	maxRunning: 2,
});
const throughputResult = (overrides) => ({
	key: 'adaptive',
	label: 'adaptive 1303 (N=10)',
	n: 10,
	accountC: 2,
	nodeCap: 5,
	taskS: 6,
	wallS: 30.3,
	idealS: 30,
	sequentialS: 60,
	cpuMsPerTask: 12.5,
	createsPerTask: 1.9,
	budget: 9,
	requests: {
		average: 9.9,
		max: 12,
		byKind: { submit: 19, poll: 70, list: 0, download: 10, other: 0 },
	},
	stats: stats(19, 10, 9),
	problems: [],
	...overrides,
});

it('the table shows creates per task, requests per task and node CPU time per task', () => {
	expect(HEADER).toEqual(
		expect.arrayContaining(['creates/task', 'requests/task', 'node CPU ms/task']),
	);
	const text = table([throughputResult()]);
	const [header, , row] = text
		.split('\n')
		.map((line) => line.split('|').map((cell) => cell.trim()));
	expect(row[header.indexOf('creates/task')]).toBe('1.90');
	expect(row[header.indexOf('requests/task')]).toBe('9.9 (max 12)');
	expect(row[header.indexOf('node CPU ms/task')]).toBe('12.5');
});

it('goal checks: adaptive creates per task ≤ 1.2, regular wall ≤ 1.02 × ideal, CPU reported', () => {
	const adaptive = checks([throughputResult()]).join('\n');
	expect(adaptive).toMatch(
		/goal MISSED: adaptive 1303 \(N=10\): creates per task 1\.90 ≤ 1\.2 \(19 creates for 10 tasks\)/,
	);
	expect(
		checks([throughputResult({ createsPerTask: 1.1, stats: stats(11, 10, 1) })]).join('\n'),
	).toMatch(/goal met: adaptive[^\n]*creates per task 1\.10/);

	const regular = (wallS) =>
		throughputResult({
			key: 'n200c10',
			label: 'regular: N=200, C=10',
			n: 200,
			accountC: 10,
			nodeCap: 10,
			wallS,
			idealS: 120,
			createsPerTask: 1,
			requests: {
				average: 9,
				max: 9,
				byKind: { submit: 200, poll: 1400, list: 0, download: 200, other: 0 },
			},
			stats: { ...stats(200, 200), maxRunning: 10 },
			goal: { wallRatio: 1.02, reportCpu: true },
		});
	expect(checks([regular(122)]).join('\n')).toMatch(
		/goal met: regular: N=200, C=10: wall 122\.0 s ≤ 1\.02 × 120 = 122\.4 s/,
	);
	expect(checks([regular(123)]).join('\n')).toMatch(
		/goal MISSED: regular: N=200, C=10: wall 123\.0 s/,
	);
	expect(checks([regular(122)]).join('\n')).toMatch(
		/requests per task ≤ 1 submit \+ ceil\(T\/poll\) polls \+ 1 download = 9 \(max 9/,
	);
	expect(checks([regular(122)]).join('\n')).toMatch(/node's own CPU time[^\n]* 12\.50 ms per task/);
});

it('requests per task attributes look-ups by external id to their task', () => {
	const tasks = [
		{ task_id: '1', external_task_id: 'e1' },
		{ task_id: '2', external_task_id: 'e2' },
	];
	const log = [
		{ kind: 'submit', body: { external_task_id: 'e1' } },
		{ kind: 'poll', path: '/v1/videos/text2video/e1' },
		{ kind: 'poll', path: '/v1/videos/text2video/1' },
		{ kind: 'list', query: { external_task_id: 'e2' } },
		{ kind: 'download', path: '/media/2.mp4' },
	];
	expect(requestsPerTask({ tasks, log })).toMatchObject({
		total: 5,
		average: 2.5,
		max: 3,
		unattributed: 0,
	});
});

it('the BENCHMARKS.md writer replaces only the results section', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'kling-bench-md-'));
	try {
		const file = path.join(dir, 'BENCHMARKS.md');
		writeFileSync(
			file,
			'# Benchmarks\n\ntext\n\n<!-- bench:results:start -->\nold\n<!-- bench:results:end -->\n\nafter\n',
		);
		writeResults('new figures', file);
		expect(readFileSync(file, 'utf8')).toBe(
			'# Benchmarks\n\ntext\n\n<!-- bench:results:start -->\n\nnew figures\n<!-- bench:results:end -->\n\nafter\n',
		);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
