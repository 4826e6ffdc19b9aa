// The goal of each scenario, reported as "goal met" / "goal MISSED" (a benchmark reports figures;
// nothing here fails the command except a scenario that went wrong: "ERROR").
import { MB, POLL_S } from './paths.mjs';
import { fixed } from './report.mjs';

/** Adaptive scenario (issue 9): probing the cap back up may cost a 1303, but creates stay ≤ 1.2 per task. */
export const MAX_CREATES_PER_TASK_ADAPTIVE = 1.2;

function memoryLines(result, check, lines) {
	const size = `${result.binary?.bytes} bytes stored of ${result.videoBytes}, content ${result.contentMatches ? 'identical' : 'DIFFERENT'}`;
	const kernel =
		result.maxRssGrowthMB === undefined
			? 'not above its earlier level'
			: `+${fixed(result.maxRssGrowthMB)} MB`;
	const growth = `peak RSS growth ${fixed(result.peakGrowthMB)} MB (sampled every 20 ms: +${fixed(result.sampledGrowthMB)} MB in ${result.samples} samples; kernel high-water mark ${kernel}), baseline ${fixed(result.baselineMB)} MB`;
	const arrayBuffers = `array buffers peak ${fixed(result.peakArrayBuffersMB)} MB`;
	const stored = result.binary?.bytes === result.videoBytes && result.contentMatches;
	if (result.mode === 'filesystem') {
		const live = result.gcEachSample ? ', live (minor GC at each sample)' : '';
		check(
			result.peakGrowthMB <= 64 && stored,
			`memory, filesystem mode${live} ≤ 64 MB growth: ${growth}; ${arrayBuffers}; ${size}`,
		);
		return;
	}
	const whole = result.peakGrowthMB >= result.videoBytes / MB;
	lines.push(
		`- INFO: memory, default mode: ${growth}; ${size}. ${whole ? 'The whole video is held in memory' : 'Less than the video size was held'}: n8n's default binary mode keeps the data as a base64 string inside the item (${fixed((result.binary?.inlineDataChars ?? 0) / MB)} MB of text for ${fixed(result.videoBytes / MB, 0)} MB of video), so a big video needs filesystem mode (n8n 2.x's default).`,
	);
}

function throughputLines(result, check, lines) {
	const { byKind } = result.requests;
	const detail = `submit ${byKind.submit}, poll+get ${byKind.poll}, list ${byKind.list}, download ${byKind.download}, other ${byKind.other}`;
	if (result.key !== 'sequential') {
		const ratio = result.goal?.wallRatio;
		const limit = ratio ? ratio * result.idealS : 1.1 * result.idealS + POLL_S;
		const formula = ratio ? `${ratio} × ${result.idealS}` : `1.1 × ${result.idealS} + ${POLL_S}`;
		check(
			result.wallS <= limit,
			`${result.label}: wall ${fixed(result.wallS)} s ≤ ${formula} = ${fixed(limit)} s`,
		);
	}
	check(
		result.stats.maxRunning <= result.accountC,
		`${result.label}: maxRunning ${result.stats.maxRunning} ≤ C ${result.accountC}`,
	);
	if (result.accountC >= result.nodeCap) {
		check(
			result.requests.max <= result.budget,
			`${result.label}: requests per task ≤ 1 submit + ceil(T/poll) polls + 1 download = ${result.budget} (max ${result.requests.max}, average ${fixed(result.requests.average, 2)}; ${detail}), 1303 answers ${result.stats.rejected1303}`,
		);
	} else {
		lines.push(
			`- INFO: ${result.label}: ${result.stats.rejected1303} answers 1303, ${result.stats.submissions} paid submissions for ${result.n} items (${result.stats.submitRequests} submit requests); requests per task average ${fixed(result.requests.average, 2)}, max ${result.requests.max} (${detail})`,
		);
		check(
			result.stats.submissions === result.n,
			`${result.label}: one paid submission per item (${result.stats.submissions} for ${result.n})`,
		);
		check(
			result.createsPerTask <= MAX_CREATES_PER_TASK_ADAPTIVE,
			`${result.label}: creates per task ${fixed(result.createsPerTask, 2)} ≤ ${MAX_CREATES_PER_TASK_ADAPTIVE} (${result.stats.submitRequests} creates for ${result.n} tasks)`,
		);
	}
	if (result.goal?.reportCpu) {
		lines.push(
			`- INFO: ${result.label}: the node's own CPU time (this thread: node + n8n engine; the fake server runs in a worker thread) ${fixed(result.cpuMsPerTask, 2)} ms per task, ${fixed((result.cpuMsPerTask * result.n) / 1000, 2)} s for the run of ${fixed(result.wallS)} s`,
		);
	}
}

export function checks(results) {
	const lines = [];
	const check = (ok, text) => lines.push(`- ${ok ? 'goal met' : 'goal MISSED'}: ${text}`);
	for (const result of results) {
		if (result.problems.length)
			lines.push(`- ERROR: ${result.label ?? result.mode}: ${result.problems.join('; ')}`);
		if (result.mode) memoryLines(result, check, lines);
		else throughputLines(result, check, lines);
	}
	return lines;
}
