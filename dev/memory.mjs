// Runs one memory measurement of the benchmark (dev/bench/memory-child.mjs) in a fresh Node
// process, so that earlier work and the other binary mode do not pollute its figures.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { projectRoot } from './engine.mjs';

export const RESULT_PREFIX = 'BENCH_MEMORY_RESULT ';

export async function runMemoryChild(mode, videoMb, gcEachSample = false) {
	const script = path.join(projectRoot, 'dev/bench/memory-child.mjs');
	const flags = [
		mode,
		'--video-mb',
		String(videoMb),
		...(gcEachSample ? ['--gc-each-sample'] : []),
	];
	const child = spawn(process.execPath, ['--expose-gc', script, ...flags], {
		cwd: projectRoot,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk) => (stdout += chunk));
	child.stderr.on('data', (chunk) => (stderr += chunk));
	const code = await new Promise((resolve) => child.on('close', resolve));
	const line = stdout.split('\n').find((text) => text.startsWith(RESULT_PREFIX));
	if (code !== 0 || !line)
		throw new Error(`memory child (${mode}) exited ${code}: ${stderr || stdout}`);
	return JSON.parse(line.slice(RESULT_PREFIX.length));
}
