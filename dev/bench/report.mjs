// The results table printed by the bench and written into BENCHMARKS.md, and the machine line.
import { readFileSync } from 'node:fs';
import os from 'node:os';

import { MB } from './paths.mjs';

export const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

export const HEADER = [
	'scenario',
	'N',
	'C',
	'T s',
	'wall s',
	'ideal s',
	'ratio to ideal',
	'sequential s',
	'ratio to sequential',
	'creates/task',
	'requests/task',
	'node CPU ms/task',
	'peak RSS growth MB',
];

function rowOf(result) {
	if (result.mode) {
		const label = `memory: one ${fixed(result.videoBytes / MB, 0)} MB video, ${result.mode} mode${result.gcEachSample ? ', minor GC at each sample (≈ live memory)' : ''}`;
		return [
			label,
			'1',
			'—',
			'1',
			fixed(result.wallS),
			'—',
			'—',
			'—',
			'—',
			'—',
			'—',
			'—',
			fixed(result.peakGrowthMB),
		];
	}
	const c =
		result.nodeCap === result.accountC
			? String(result.accountC)
			: `${result.accountC} (node cap ${result.nodeCap})`;
	const req = result.requests;
	return [
		result.label,
		String(result.n),
		c,
		String(result.taskS),
		fixed(result.wallS),
		String(result.idealS),
		fixed(result.wallS / result.idealS, 3),
		String(result.sequentialS),
		fixed(result.wallS / result.sequentialS, 2),
		fixed(result.createsPerTask, 2),
		`${fixed(req.average)} (max ${req.max})`,
		fixed(result.cpuMsPerTask),
		'—',
	];
}

export function table(results) {
	const body = results.map(rowOf);
	const widths = HEADER.map((title, column) =>
		Math.max(title.length, ...body.map((row) => row[column].length)),
	);
	const line = (cells) =>
		`| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
	return [line(HEADER), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join(
		'\n',
	);
}

export function machine() {
	const cpuModel = (() => {
		try {
			return (
				/^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ??
				os.cpus()[0]?.model
			);
		} catch {
			return os.cpus()[0]?.model;
		}
	})();
	return `${os.availableParallelism()} CPUs (${cpuModel}), ${Math.round(os.totalmem() / MB)} MB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}
