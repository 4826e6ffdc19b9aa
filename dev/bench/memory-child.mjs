#!/usr/bin/env node
// One memory measurement in a fresh process: downloads one big video through n8n's engine into
// n8n's binary data (`filesystem` or `default` mode) and prints one line
// `BENCH_MEMORY_RESULT {json}`. Started by dev/memory.mjs runMemoryChild (bench and
// test/scale.test.mjs):  node --expose-gc dev/bench/memory-child.mjs <mode> [--video-mb N] [--gc-each-sample]
import './scratch.mjs';

import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { readBinary, runKling, useBinaryDataMode } from '../engine.mjs';
import { startFakeKling, videoChunks } from '../fake-kling/server.mjs';
import { SECRETS, apiKeyCredentials } from '../kling.mjs';
import { RESULT_PREFIX } from '../memory.mjs';
import { MB } from './paths.mjs';
import { failuresOf, parameters } from './scenarios.mjs';
import { scratch } from './scratch.mjs';

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
	// In this process on purpose: its share of memory is part of the figure (see BENCHMARKS.md).
	const fake = await startFakeKling({ ...SECRETS, taskDurationMs: 1000, videoBytes: 64 * 1024 });
	try {
		// Warm-up: loads the package, n8n-core's lazy modules and the HTTP stack before measuring.
		const warm = await runKling({
			parameters: parameters({ nodeCap: 1 }),
			items: [{ json: { row: -1 } }],
			credentials: apiKeyCredentials(fake),
			executionId: 'memory-warm-up',
		});
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
		const result = await runKling({
			parameters: parameters({ nodeCap: 1 }),
			items: [{ json: { row: 0 } }],
			credentials: apiKeyCredentials(fake),
			executionId: `memory-${mode}`,
		});
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
			contentMatches =
				(await sha256OfStream(stored)) === expectedSha256(item.json.task_id, videoBytes);
		}
		return {
			mode,
			gcEachSample,
			videoBytes,
			binary: binary && {
				id: binary.id,
				bytes: binary.bytes,
				fileSize: binary.fileSize,
				mimeType: binary.mimeType,
				inlineDataChars: binary.id ? 0 : binary.data?.length,
			},
			contentMatches,
			wallS,
			baselineMB: baseline / MB,
			peakMB: peak / MB,
			sampledGrowthMB: (peak - baseline) / MB,
			// The kernel's high-water mark catches a peak the sampler missed (a long synchronous step,
			// e.g. base64-encoding a whole video, blocks the sampling timer). It only tells something
			// when the run pushed it above where it stood before (warm-up included).
			maxRssGrowthMB: maxRssAfter > maxRssBefore ? (maxRssAfter - baseline) / MB : undefined,
			peakGrowthMB:
				Math.max(peak, maxRssAfter > maxRssBefore ? maxRssAfter : 0) / MB - baseline / MB,
			peakArrayBuffersMB: peakArrayBuffers / MB,
			samples,
			downloads: fake.stats().downloads,
			problems,
		};
	} finally {
		await fake.close();
	}
}

const { values, positionals } = parseArgs({
	allowPositionals: true,
	options: {
		'video-mb': { type: 'string', default: '200' },
		'gc-each-sample': { type: 'boolean', default: false },
	},
});
const [mode] = positionals;
if (mode !== 'filesystem' && mode !== 'default') {
	console.error(`memory-child takes filesystem or default, not ${mode}`);
	process.exit(2);
}
const result = await memoryChild(mode, Number(values['video-mb']), values['gc-each-sample']);
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
// The harness keeps n8n-core timers alive; the measurement is done.
process.exit(0);
