#!/usr/bin/env node
// The README's demo: a real headless n8n turns three prompts into three MP4 files with the Kling
// node. It builds dist/ when it is missing or older than the sources, installs n8n once
// (scripts/ensure-n8n.sh), packs this package and installs it into a fresh n8n user folder the
// way n8n installs community nodes, imports a credential and examples/demo-three-prompts.json,
// runs it with `n8n execute` and writes the videos to ./demo-output/.
//
// Kling: the bundled fake server (free, a sample clip) unless KLING_API_KEY, or
// KLING_ACCESS_KEY + KLING_SECRET_KEY, is set: then the real API at KLING_BASE_URL (default
// https://api-singapore.klingai.com), which spends credits. Keys are never printed.
// KLING_DEMO_OUTPUT=<folder> writes the videos somewhere else than ./demo-output/;
// KLING_DEMO_SKIP_BUILD=1 uses dist/ as it is (the end-to-end test runs the demo that way).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

import { startFakeKling } from '../dev/fake-kling/server.mjs';
import {
	cleanEnv,
	cleanupTemp,
	createN8nHome,
	describeFailure,
	ensureN8n,
	executeWorkflow,
	importCredential,
	importWorkflow,
	nodeBinDir,
	nodeOutput,
	packPackage,
	projectRoot,
	redact,
} from '../dev/n8n.mjs';

const OUTPUT_DIR = process.env.KLING_DEMO_OUTPUT
	? path.resolve(process.env.KLING_DEMO_OUTPUT)
	: path.join(projectRoot, 'demo-output');
const WORKFLOW_FILE = path.join(projectRoot, 'examples/demo-three-prompts.json');
const DEFAULT_BASE_URL = 'https://api-singapore.klingai.com';
const CREDENTIAL_NAME = 'Kling account';
const FAKE_TASK_MS = 3000;
// A real 3-second H.264/AAC clip, so the demo's files play in any video player.
const FAKE_VIDEO_FILE = path.join(projectRoot, 'dev/fake-kling/sample.mp4');

const say = (text = '') => process.stdout.write(`${text}\n`);
const step = (text) => say(`▸ ${text}`);

class DemoError extends Error {}

// ---------------------------------------------------------------------------------------------

function newestMtime(target) {
	if (!existsSync(target)) return 0;
	const stats = statSync(target);
	if (!stats.isDirectory()) return stats.mtimeMs;
	let newest = 0;
	for (const entry of readdirSync(target))
		newest = Math.max(newest, newestMtime(path.join(target, entry)));
	return newest;
}

function runInherited(command, args) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: projectRoot,
			stdio: 'inherit',
			env: { ...cleanEnv(), PATH: `${nodeBinDir()}${path.delimiter}${process.env.PATH ?? ''}` },
		});
		child.once('error', reject);
		child.once('close', (code) => resolve(code));
	});
}

/** Builds dist/ when it is missing or older than nodes/, credentials/ or icons/. */
async function buildIfNeeded() {
	const built = path.join(projectRoot, 'dist/nodes/Kling/Kling.node.js');
	if (process.env.KLING_DEMO_SKIP_BUILD === '1' && existsSync(built)) return;
	const sources = Math.max(
		...['nodes', 'credentials', 'icons'].map((dir) => newestMtime(path.join(projectRoot, dir))),
	);
	if (existsSync(built) && newestMtime(path.join(projectRoot, 'dist')) >= sources) {
		step('dist/ is up to date');
		return;
	}
	step(existsSync(built) ? 'Sources changed: npm run build' : 'dist/ missing: npm run build');
	const code = await runInherited('npm', ['run', 'build']);
	if (code !== 0 || !existsSync(built)) throw new DemoError(`npm run build failed (exit ${code})`);
}

/** The Kling account to use: the real API when keys are in the environment, else none. */
function realKlingFromEnv() {
	const { KLING_API_KEY, KLING_ACCESS_KEY, KLING_SECRET_KEY, KLING_BASE_URL } = process.env;
	const baseUrl = (KLING_BASE_URL || DEFAULT_BASE_URL).trim().replace(/\/+$/, '');
	if (KLING_API_KEY?.trim()) {
		return { baseUrl, data: { authType: 'apiKey', apiKey: KLING_API_KEY.trim(), baseUrl } };
	}
	if (KLING_ACCESS_KEY?.trim() || KLING_SECRET_KEY?.trim()) {
		if (!KLING_ACCESS_KEY?.trim() || !KLING_SECRET_KEY?.trim()) {
			throw new DemoError(
				'Set both KLING_ACCESS_KEY and KLING_SECRET_KEY (or KLING_API_KEY alone).',
			);
		}
		return {
			baseUrl,
			data: {
				authType: 'accessKey',
				accessKey: KLING_ACCESS_KEY.trim(),
				secretKey: KLING_SECRET_KEY.trim(),
				baseUrl,
			},
		};
	}
	return undefined;
}

function demoWorkflow({ outputDir, fake }) {
	const workflow = JSON.parse(readFileSync(WORKFLOW_FILE, 'utf8'));
	const settings = workflow.nodes.find((node) => node.name === 'Settings');
	settings.parameters.assignments.assignments.find((a) => a.name === 'folder').value = outputDir;
	if (fake) {
		// The fake server finishes in seconds; poll it every second instead of Kling's 10.
		const kling = workflow.nodes.find((node) => node.type === 'n8n-nodes-kling.kling');
		kling.parameters.options = { ...kling.parameters.options, pollInterval: 1 };
	}
	return workflow;
}

function formatSize(bytes) {
	if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
	if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
	return `${bytes} B`;
}

function table(rows) {
	const widths = rows[0].map((_, column) =>
		Math.max(...rows.map((row) => String(row[column]).length)),
	);
	const line = (row) =>
		row
			.map((cell, column) => String(cell).padEnd(widths[column]))
			.join('  ')
			.trimEnd();
	return [
		line(rows[0]),
		widths.map((w) => '-'.repeat(w)).join('  '),
		...rows.slice(1).map(line),
	].join('\n');
}

function truncate(text, length) {
	return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** One row per saved file, following n8n's paired items back to the prompt. */
function resultRows(result) {
	const prompts = nodeOutput(result, 'Prompts') ?? [];
	const videos = nodeOutput(result, 'Generate video') ?? [];
	const saved = nodeOutput(result, 'Save MP4') ?? [];
	const pairedIndex = (item, fallback) => [item?.pairedItem].flat()[0]?.item ?? fallback;
	return saved.map((item, i) => {
		const video = videos[pairedIndex(item, i)];
		const prompt = prompts[pairedIndex(video, i)]?.json.prompt ?? '?';
		const file = item.json.fileName;
		return {
			prompt,
			taskId: item.json.task_id,
			file,
			size: existsSync(file) ? statSync(file).size : 0,
		};
	});
}

// ---------------------------------------------------------------------------------------------

async function main() {
	const started = Date.now();
	const real = realKlingFromEnv();
	const secrets = real
		? Object.values(real.data).filter((v) => v !== real.baseUrl && v !== real.data.authType)
		: [];
	let fake;
	const stop = async () => {
		await fake?.close().catch(() => {});
		cleanupTemp();
	};
	process.once('SIGINT', () => {
		stop().finally(() => process.exit(130));
	});

	try {
		say('Kling node demo: three prompts → three MP4 files in a real n8n');
		say();
		if (real) {
			const auth = real.data.authType === 'apiKey' ? 'API key' : 'access key + secret key';
			say(`  !! Using the REAL Kling API at ${real.baseUrl} (${auth} from the environment).`);
			say(
				'  !! This generates 3 videos (kling-v2-6, Standard, 5 s each) and spends Kling credits.',
			);
			say('  !! Generation usually takes a few minutes. Press Ctrl+C now to cancel.');
			say();
			if (process.stdout.isTTY) await new Promise((resolve) => setTimeout(resolve, 5000));
		}
		await buildIfNeeded();

		step(
			'n8n 2.41 (installed once into ~/.cache/n8n-nodes-kling; the first time takes several minutes)',
		);
		const n8nBin = await ensureN8n();

		step('Packing this package and installing it into a fresh n8n user folder');
		const tgz = await packPackage();
		const home = await createN8nHome({ tgz, n8nBin });

		let baseUrl;
		if (real) {
			baseUrl = real.baseUrl;
		} else {
			fake = await startFakeKling({ taskDurationMs: FAKE_TASK_MS, videoFile: FAKE_VIDEO_FILE });
			baseUrl = fake.url;
			step(`Fake Kling server at ${baseUrl} (free; set KLING_API_KEY to use the real API)`);
		}

		step('Importing the Kling credential and examples/demo-three-prompts.json');
		await importCredential(home, {
			name: CREDENTIAL_NAME,
			type: 'klingApi',
			data: real ? real.data : { authType: 'apiKey', apiKey: 'test-api-key', baseUrl },
		});
		mkdirSync(OUTPUT_DIR, { recursive: true });
		const outputDir = realpathSync(OUTPUT_DIR); // n8n's file nodes refuse paths through symlinks
		const workflowId = await importWorkflow(home, demoWorkflow({ outputDir, fake: !real }));

		step('Running the workflow with `n8n execute` (Prompts → Kling → Save MP4)');
		const result = await executeWorkflow(home, workflowId, {
			env: { N8N_RESTRICT_FILE_ACCESS_TO: outputDir },
			secrets,
		});
		if (!result.ok) throw new DemoError(`The workflow failed: ${describeFailure(result)}`);

		const rows = resultRows(result);
		if (rows.length !== 3 || rows.some((row) => row.size === 0)) {
			throw new DemoError(
				`Expected 3 saved videos, got ${rows.filter((row) => row.size > 0).length}`,
			);
		}
		say();
		say(
			table([
				['prompt', 'task id', 'file', 'size'],
				...rows.map((row) => [
					truncate(row.prompt, 48),
					row.taskId,
					path.relative(process.cwd(), row.file) || row.file,
					formatSize(row.size),
				]),
			]),
		);
		say();
		say(`${rows.length} videos in ${outputDir} (${Math.round((Date.now() - started) / 1000)} s).`);
		if (fake) {
			say(
				`The fake server made ${fake.stats().submissions} tasks; each file is the same 3-second test clip (a real, playable MP4).`,
			);
			say('Set KLING_API_KEY (or KLING_ACCESS_KEY + KLING_SECRET_KEY) to generate real videos.');
		}
	} finally {
		await stop();
	}
}

main().catch((error) => {
	const secrets = [
		process.env.KLING_API_KEY,
		process.env.KLING_ACCESS_KEY,
		process.env.KLING_SECRET_KEY,
	]
		.map((value) => value?.trim())
		.filter(Boolean);
	const message = error instanceof DemoError ? error.message : (error?.stack ?? String(error));
	process.stderr.write(`\nDemo failed: ${redact(message, secrets)}\n`);
	process.exit(1);
});
