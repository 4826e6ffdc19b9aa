#!/usr/bin/env node
// Benchmark of the packaged Kling node (dist/) run through n8n's own engine (n8n-core's
// WorkflowExecute → RoutingNode) against the fake Kling server, which this script starts itself.
//
//   node scripts/bench.mjs            run every scenario, print the table (writes nothing)
//   node scripts/bench.mjs --write    … and rewrite the results section of BENCHMARKS.md
//   node scripts/bench.mjs --only n10c3,memory     run some scenarios only
//   node scripts/bench.mjs --task-seconds 6        task duration T (default 6)
//
// Internal: `--memory-child <filesystem|default> [--video-mb N]` downloads one video in a fresh
// process and prints one line `BENCH_MEMORY_RESULT {json}`; test/scale.test.mjs uses it too.
//
// The node's real delays are used (no shortened retries): these numbers are what a user sees.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const MB = 1024 * 1024;
const START_MARK = '<!-- bench:results:start -->';
const END_MARK = '<!-- bench:results:end -->';

const { values: args } = parseArgs({
	options: {
		write: { type: 'boolean', default: false },
		only: { type: 'string' },
		'task-seconds': { type: 'string', default: '6' },
		'memory-child': { type: 'string' },
		'video-mb': { type: 'string', default: '200' },
		'gc-each-sample': { type: 'boolean', default: false },
	},
});

if (!existsSync(path.join(root, 'dist/nodes/Kling/Kling.node.js'))) {
	console.error('dist/ is missing: run `npm run build` first (the benchmark runs the built node).');
	process.exit(2);
}

// Everything n8n writes (user folder, binary data) goes to one temporary folder, removed at exit.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'kling-bench-'));
process.env.N8N_USER_FOLDER = path.join(scratch, 'n8n-user');
// An instance encryption key up front, so n8n-core does not announce generating one.
mkdirSync(path.join(scratch, 'n8n-user/.n8n'), { recursive: true });
writeFileSync(path.join(scratch, 'n8n-user/.n8n/config'), JSON.stringify({ encryptionKey: 'kling-bench-key' }), { mode: 0o600 });
const cleanUp = () => rmSync(scratch, { recursive: true, force: true });
process.on('exit', cleanUp);

// Imported only now, so that the harness sees our N8N_USER_FOLDER.
const { runKling, useBinaryDataMode, readBinary } = await import('../dev/engine.mjs');
const { startFakeKling, videoChunks } = await import('../dev/fake-kling/server.mjs');
const { SECRETS, apiKeyCredentials, rows, textToVideo } = await import('../dev/kling.mjs');
const { RESULT_PREFIX, runMemoryChild } = await import('../dev/memory.mjs');

const POLL_S = 1;

function parameters({ nodeCap, pollS = POLL_S }) {
	return textToVideo(
		// A different prompt per item: every item is a different video (and external_task_id).
		{ prompt: '={{ "Benchmark scene " + $json.row }}' },
		{ pollInterval: pollS, maxConcurrentTasks: nodeCap },
	);
}

function failuresOf(result, expected) {
	const problems = [];
	if (result.error) problems.push(`run failed: ${result.error.message}`);
	if (result.items.length !== expected) problems.push(`${result.items.length} of ${expected} items came out`);
	for (const [index, item] of result.items.entries()) {
		if (item.error) problems.push(`item ${index}: ${item.error.message}`);
		else if (!item.binary?.data?.bytes) problems.push(`item ${index}: no video`);
	}
	return problems;
}

/** Requests per task, from the fake server's log (1303 answers count for the item they hit). */
function requestsPerTask(fake) {
	const byExternal = new Map([...fake.tasks.values()].map((task) => [task.external_task_id, task.task_id]));
	const counts = new Map([...fake.tasks.keys()].map((id) => [id, 0]));
	let unattributed = 0;
	for (const entry of fake.log) {
		let id;
		if (entry.kind === 'submit' || entry.kind === 'list') {
			id = byExternal.get(entry.body?.external_task_id ?? entry.query?.external_task_id);
		} else if (entry.kind === 'poll') {
			id = decodeURIComponent(entry.path.split('/')[4] ?? '');
		} else if (entry.kind === 'download') {
			id = decodeURIComponent(/\/media\/([^/]+)\.mp4$/.exec(entry.path)?.[1] ?? '');
		}
		if (id !== undefined && counts.has(id)) counts.set(id, counts.get(id) + 1);
		else unattributed++;
	}
	const perTask = [...counts.values()];
	const total = fake.log.length;
	return {
		total,
		average: perTask.length ? total / perTask.length : 0,
		max: Math.max(0, ...perTask),
		unattributed,
		byKind: Object.fromEntries(
			['submit', 'poll', 'list', 'download', 'other'].map((kind) => [kind, fake.log.filter((entry) => entry.kind === kind).length]),
		),
	};
}

async function withFake(options, body) {
	const fake = await startFakeKling({ ...SECRETS, videoBytes: 1 * MB, ...options });
	try {
		return await body(fake);
	} finally {
		await fake.close();
	}
}

async function warmUp() {
	await withFake({ taskDurationMs: 100 }, async (fake) => {
		const result = await runKling({ parameters: parameters({ nodeCap: 1 }), items: rows(1), credentials: apiKeyCredentials(fake), executionId: 'bench-warm-up' });
		const problems = failuresOf(result, 1);
		if (problems.length) throw new Error(`warm-up failed: ${problems.join('; ')}`);
	});
}

/** N items in one node run; the account (fake server) accepts `accountC` running tasks. */
async function throughput({ key, label, n, accountC, nodeCap, taskS }) {
	return await withFake({ taskDurationMs: taskS * 1000, concurrency: accountC }, async (fake) => {
		const started = performance.now();
		const result = await runKling({
			parameters: parameters({ nodeCap }),
			items: rows(n),
			credentials: apiKeyCredentials(fake),
			executionId: `bench-${key}`,
		});
		const wallS = (performance.now() - started) / 1000;
		const stats = fake.stats();
		return {
			key,
			label,
			n,
			accountC,
			nodeCap,
			taskS,
			wallS,
			idealS: Math.ceil(n / accountC) * taskS,
			sequentialS: n * taskS,
			requests: requestsPerTask(fake),
			budget: 2 + Math.ceil(taskS / POLL_S) + 1,
			stats,
			problems: failuresOf(result, n),
		};
	});
}

/**
 * What an HTTP Request + Wait loop does: one video after the other. Measured as N separate
 * executions of the node, each with one input item (n8n's batching option cannot do this: it only
 * delays the start of each item, it does not wait for the previous one to finish).
 */
async function sequentialBaseline({ n, accountC, taskS }) {
	return await withFake({ taskDurationMs: taskS * 1000, concurrency: accountC }, async (fake) => {
		const problems = [];
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
		return {
			key: 'sequential',
			label: `sequential baseline (${n} separate 1-item runs)`,
			n,
			accountC: 1,
			nodeCap: 1,
			taskS,
			wallS,
			idealS: n * taskS,
			sequentialS: n * taskS,
			requests: requestsPerTask(fake),
			budget: 2 + Math.ceil(taskS / POLL_S) + 1,
			stats: fake.stats(),
			problems,
		};
	});
}

// ---------------------------------------------------------------------------------------------
// Memory: one big video through the engine, in a fresh process per binary data mode.

async function sha256OfStream(stream) {
	const hash = createHash('sha256');
	for await (const chunk of stream) hash.update(chunk);
	return hash.digest('hex');
}

function expectedSha256(taskId, size) {
	const hash = createHash('sha256');
	for (const chunk of videoChunks(taskId, size)) hash.update(chunk);
	return hash.digest('hex');
}

/**
 * `gcEachSample` runs a minor garbage collection (scavenge, cheap) at every sample: what is left is
 * about the memory the download really holds (live), without the spent 64 KB socket chunks V8 lets
 * pile up until its external-memory trigger (about 64 MB) starts a full collection.
 */
async function memoryChild(mode, videoMb, gcEachSample) {
	const videoBytes = Math.round(videoMb * MB);
	const service = await useBinaryDataMode(mode, path.join(scratch, 'binary'));
	const fake = await startFakeKling({ ...SECRETS, taskDurationMs: 1000, videoBytes: 64 * 1024 });
	try {
		// Warm-up: loads the package, n8n-core's lazy modules and the HTTP stack before measuring.
		const warm = await runKling({ parameters: parameters({ nodeCap: 1 }), items: [{ json: { row: -1 } }], credentials: apiKeyCredentials(fake), executionId: 'memory-warm-up' });
		const warmProblems = failuresOf(warm, 1);
		if (warmProblems.length) throw new Error(`warm-up failed: ${warmProblems.join('; ')}`);
		fake.setOptions({ videoBytes });
		for (let i = 0; i < 3; i++) {
			globalThis.gc?.();
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		const baseline = process.memoryUsage().rss;
		const maxRssBefore = process.resourceUsage().maxRSS * 1024;
		let peak = baseline;
		let samples = 0;
		let peakArrayBuffers = 0;
		const sample = () => {
			if (gcEachSample) globalThis.gc({ type: 'minor' });
			const usage = process.memoryUsage();
			peak = Math.max(peak, usage.rss);
			peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers);
			samples++;
		};
		const sampler = setInterval(sample, 20);
		const started = performance.now();
		const result = await runKling({ parameters: parameters({ nodeCap: 1 }), items: [{ json: { row: 0 } }], credentials: apiKeyCredentials(fake), executionId: `memory-${mode}` });
		const wallS = (performance.now() - started) / 1000;
		sample();
		clearInterval(sampler);
		const maxRssAfter = process.resourceUsage().maxRSS * 1024;
		const problems = failuresOf(result, 1);
		const item = result.items[0];
		const binary = item?.binary?.data;
		let contentMatches = false;
		if (binary && !problems.length) {
			// Checked after the measurement: the stored bytes are exactly the video the server sent.
			const stored = binary.id ? await service.getAsStream(binary.id) : [await readBinary(binary)];
			contentMatches = (await sha256OfStream(stored)) === expectedSha256(item.json.task_id, videoBytes);
		}
		return {
			mode,
			gcEachSample,
			videoBytes,
			binary: binary && { id: binary.id, bytes: binary.bytes, fileSize: binary.fileSize, mimeType: binary.mimeType, inlineDataChars: binary.id ? 0 : binary.data?.length },
			contentMatches,
			wallS,
			baselineMB: baseline / MB,
			peakMB: peak / MB,
			sampledGrowthMB: (peak - baseline) / MB,
			// The kernel's high-water mark catches a peak the sampler missed (a long synchronous step,
			// e.g. base64-encoding a whole video, blocks the sampling timer). It only tells something
			// when the run pushed it above where it stood before (warm-up included).
			maxRssGrowthMB: maxRssAfter > maxRssBefore ? (maxRssAfter - baseline) / MB : undefined,
			peakGrowthMB: Math.max(peak, maxRssAfter > maxRssBefore ? maxRssAfter : 0) / MB - baseline / MB,
			peakArrayBuffersMB: peakArrayBuffers / MB,
			samples,
			downloads: fake.stats().downloads,
			problems,
		};
	} finally {
		await fake.close();
	}
}

// ---------------------------------------------------------------------------------------------
// Table

const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

function rowOf(result) {
	if (result.mode) {
		const label = `memory: one ${fixed(result.videoBytes / MB, 0)} MB video, ${result.mode} mode${result.gcEachSample ? ', minor GC at each sample (≈ live memory)' : ''}`;
		return [label, '1', '—', '1', fixed(result.wallS), '—', '—', '—', '—', '—', fixed(result.peakGrowthMB)];
	}
	const c = result.nodeCap === result.accountC ? String(result.accountC) : `${result.accountC} (node cap ${result.nodeCap})`;
	const req = result.requests;
	return [
		result.label,
		String(result.n),
		c,
		String(result.taskS),
		fixed(result.wallS),
		String(result.idealS),
		fixed(result.wallS / result.idealS, 2),
		String(result.sequentialS),
		fixed(result.wallS / result.sequentialS, 2),
		`${fixed(req.average)} (max ${req.max})`,
		'—',
	];
}

const HEADER = ['scenario', 'N', 'C', 'T s', 'wall s', 'ideal s', 'ratio to ideal', 'sequential s', 'ratio to sequential', 'requests/task', 'peak RSS growth MB'];

function table(results) {
	const body = results.map(rowOf);
	const widths = HEADER.map((title, column) => Math.max(title.length, ...body.map((row) => row[column].length)));
	const line = (cells) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
	return [line(HEADER), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}

function checks(results) {
	const lines = [];
	// Goals are reported, not enforced: a benchmark reports figures.
	const check = (ok, text) => lines.push(`- ${ok ? 'goal met' : 'goal MISSED'}: ${text}`);
	for (const result of results) {
		if (result.problems.length) lines.push(`- ERROR: ${result.label ?? result.mode}: ${result.problems.join('; ')}`);
		if (result.mode) {
			const size = `${result.binary?.bytes} bytes stored of ${result.videoBytes}, content ${result.contentMatches ? 'identical' : 'DIFFERENT'}`;
			const kernel = result.maxRssGrowthMB === undefined ? 'not above its earlier level' : `+${fixed(result.maxRssGrowthMB)} MB`;
			const growth = `peak RSS growth ${fixed(result.peakGrowthMB)} MB (sampled every 20 ms: +${fixed(result.sampledGrowthMB)} MB in ${result.samples} samples; kernel high-water mark ${kernel}), baseline ${fixed(result.baselineMB)} MB`;
			const arrayBuffers = `array buffers peak ${fixed(result.peakArrayBuffersMB)} MB`;
			if (result.mode === 'filesystem' && result.gcEachSample) {
				check(
					result.peakGrowthMB <= 64 && result.binary?.bytes === result.videoBytes && result.contentMatches,
					`memory, filesystem mode, live (minor GC at each sample) ≤ 64 MB growth: ${growth}; ${arrayBuffers}; ${size}`,
				);
			} else if (result.mode === 'filesystem') {
				check(
					result.peakGrowthMB <= 64 && result.binary?.bytes === result.videoBytes && result.contentMatches,
					`memory, filesystem mode ≤ 64 MB growth: ${growth}; ${arrayBuffers}; ${size}`,
				);
			} else {
				const whole = result.peakGrowthMB >= result.videoBytes / MB;
				lines.push(
					`- INFO: memory, default mode: ${growth}; ${size}. ${whole ? 'The whole video is held in memory' : 'Less than the video size was held'}: n8n's default binary mode keeps the data as a base64 string inside the item (${fixed((result.binary?.inlineDataChars ?? 0) / MB)} MB of text for ${fixed(result.videoBytes / MB, 0)} MB of video), so a big video needs filesystem mode (n8n 2.x's default).`,
				);
			}
			continue;
		}
		const goal = 1.1 * result.idealS + POLL_S;
		if (result.key !== 'sequential') {
			check(result.wallS <= goal, `${result.label}: wall ${fixed(result.wallS)} s ≤ 1.1 × ${result.idealS} + ${POLL_S} = ${fixed(goal)} s`);
		}
		check(result.stats.maxRunning <= result.accountC, `${result.label}: maxRunning ${result.stats.maxRunning} ≤ C ${result.accountC}`);
		const { byKind } = result.requests;
		const detail = `submit ${byKind.submit}, poll+get ${byKind.poll}, list ${byKind.list}, download ${byKind.download}, other ${byKind.other}`;
		if (result.accountC >= result.nodeCap) {
			check(result.requests.max <= result.budget, `${result.label}: requests per task ≤ 2 + ceil(T/poll) + 1 = ${result.budget} (max ${result.requests.max}, average ${fixed(result.requests.average, 2)}; ${detail}), 1303 answers ${result.stats.rejected1303}`);
		} else {
			lines.push(
				`- INFO: ${result.label}: ${result.stats.rejected1303} answers 1303, ${result.stats.submissions} paid submissions for ${result.n} items (${result.stats.submitRequests} submit requests, ${fixed(result.stats.submitRequests / result.n, 2)} creates per task); requests per task average ${fixed(result.requests.average, 2)}, max ${result.requests.max} (${detail})`,
			);
			check(result.stats.submissions === result.n, `${result.label}: one paid submission per item (${result.stats.submissions} for ${result.n})`);
		}
	}
	return lines;
}

function machine() {
	const cpuModel = (() => {
		try {
			return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
		} catch {
			return os.cpus()[0]?.model;
		}
	})();
	return `${os.availableParallelism()} CPUs (${cpuModel}), ${Math.round(os.totalmem() / MB)} MB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

function writeResults(text) {
	const file = path.join(root, 'BENCHMARKS.md');
	const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
	const section = `${START_MARK}\n${text}\n${END_MARK}`;
	const start = current.indexOf(START_MARK);
	const end = current.indexOf(END_MARK);
	const next =
		start >= 0 && end > start
			? current.slice(0, start) + section + current.slice(end + END_MARK.length)
			: `${current.trimEnd()}\n\n## Results\n\n${section}\n`;
	writeFileSync(file, next);
	console.log(`Results written to ${path.relative(process.cwd(), file) || file}`);
}

async function main() {
	const taskS = Number(args['task-seconds']);
	const wanted = args.only ? new Set(args.only.split(',').map((key) => key.trim())) : undefined;
	const selected = (key) => !wanted || wanted.has(key) || (key.startsWith('memory') && wanted.has('memory'));
	await useBinaryDataMode('filesystem', path.join(scratch, 'binary'));
	const results = [];
	const started = performance.now();
	const progress = (text) => console.error(`[${fixed((performance.now() - started) / 1000)} s] ${text}`);
	progress('warm-up');
	await warmUp();

	const runs = [
		['n10c3', () => throughput({ key: 'n10c3', label: 'N=10, C=3', n: 10, accountC: 3, nodeCap: 3, taskS })],
		['sequential', () => sequentialBaseline({ n: 10, accountC: 3, taskS })],
		['n50c5', () => throughput({ key: 'n50c5', label: 'N=50, C=5', n: 50, accountC: 5, nodeCap: 5, taskS })],
		['adaptive', () => throughput({ key: 'adaptive', label: 'adaptive 1303 (N=10)', n: 10, accountC: 2, nodeCap: 5, taskS })],
		['memory-filesystem', () => runMemoryChild('filesystem', Number(args['video-mb']))],
		['memory-filesystem-live', () => runMemoryChild('filesystem', Number(args['video-mb']), true)],
		['memory-default', () => runMemoryChild('default', Number(args['video-mb']))],
	];
	for (const [key, run] of runs) {
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
		writeResults(
			[
				`Run ${when} on ${machine()}; poll interval ${POLL_S} s; total bench time ${fixed(totalS)} s.`,
				'',
				tableText,
				'',
				...checkLines,
			].join('\n'),
		);
	}
	// Only a scenario that went wrong (an error, a wrong video) fails the command.
	if (checkLines.some((line) => line.startsWith('- ERROR'))) process.exitCode = 1;
}

if (args['memory-child']) {
	const mode = args['memory-child'];
	if (mode !== 'filesystem' && mode !== 'default') {
		console.error(`--memory-child takes filesystem or default, not ${mode}`);
		process.exit(2);
	}
	const result = await memoryChild(mode, Number(args['video-mb']), args['gc-each-sample']);
	process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
	// The harness keeps n8n-core timers alive; the measurement is done.
	process.exit(0);
} else {
	await main();
	process.exit();
}
