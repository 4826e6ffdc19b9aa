// End to end in a real n8n: Kling Image → Generate feeds Kling Video → Image to Video with the
// generated PNG as binary data, then the README's "sum a run's units" Code node; and Account →
// Get Resource Packs. The packed package is installed as a community node into a fresh n8n
// user folder and the workflows run with `n8n execute` against the fake Kling server.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { startFakeKling, videoBytesFor } from '../../dev/fake-kling/server.mjs';
import { DEFAULT_PACKS } from '../../dev/fake-kling/kinds/account.mjs';
import { imageBytesFor } from '../../dev/fake-kling/kinds/images.mjs';
import {
	KLING_TYPE,
	cleanupTemp,
	createN8nHome,
	describeFailure,
	ensureN8n,
	executeWorkflow,
	importCredential,
	importWorkflow,
	nodeOutput,
	packPackage,
	projectRoot,
	readBinary,
} from '../../dev/n8n.mjs';

const MINUTE = 60_000;
const API_KEY = 'e2e-images-api-key-0123456789';
const CREDENTIAL_NAME = 'Kling account';
const VIDEO_BYTES = 70_001;

// The Code node of the README recipe, verbatim (the example uses the same).
const SUM_UNITS = `const units = $input
  .all()
  .reduce((sum, item) => sum + Number(item.json.final_unit_deduction ?? 0), 0);
return [{ json: { tasks: $input.all().length, units } }];`;

const EXAMPLE = path.join(projectRoot, 'examples/generate-image-then-video.json');

/** The shipped example, polling every second (it polls every 10 s, Kling's advice). */
function exampleForTest() {
	const workflow = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
	for (const each of workflow.nodes) {
		if (each.type === KLING_TYPE) each.parameters.options = { pollInterval: 1 };
	}
	return workflow;
}

let home;
let fake;
const ids = {};

const node = (name, type, typeVersion, parameters, extra = {}) => ({
	id: `${name}-id`,
	name,
	type,
	typeVersion,
	position: [0, 0],
	parameters,
	...extra,
});
const kling = (name, parameters) =>
	node(name, KLING_TYPE, 1, parameters, {
		credentials: { klingApi: { id: null, name: CREDENTIAL_NAME } },
	});

function chain(name, nodes) {
	const connections = {};
	for (let i = 0; i + 1 < nodes.length; i += 1) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

function expectSucceeded(result) {
	if (!result.ok)
		throw new Error(`n8n run failed: ${describeFailure(result)}\n${result.stderr.slice(-3000)}`);
}

/**
 * The n8n executable: scripts/ensure-n8n.sh, or, where that script cannot find the project's
 * Node in the layout it expects, an installation it already completed (its `.ready` marker).
 */
async function n8nExecutable() {
	try {
		return await ensureN8n();
	} catch (error) {
		const version = process.env.KLING_N8N_VERSION ?? '2.41.1';
		const cache = path.join(
			process.env.KLING_N8N_CACHE ??
				path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'n8n-nodes-kling'),
			`n8n-${version}`,
		);
		const bin = path.join(cache, 'node_modules/.bin/n8n');
		if (existsSync(path.join(cache, '.ready')) && existsSync(bin)) return bin;
		throw error;
	}
}

beforeAll(async () => {
	const n8nBin = await n8nExecutable();
	const tgz = await packPackage();
	home = await createN8nHome({ tgz, n8nBin });
	fake = await startFakeKling({ apiKey: API_KEY, taskDurationMs: 500, videoBytes: VIDEO_BYTES });
	await importCredential(home, {
		name: CREDENTIAL_NAME,
		type: 'klingApi',
		data: { authType: 'apiKey', apiKey: API_KEY, baseUrl: fake.url },
	});
	const workflows = {
		chain: exampleForTest(),
		packs: chain('E2E resource packs', [
			node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, {}),
			kling('Packs', { resource: 'account', operation: 'getResourcePacks' }),
		]),
	};
	const imported = await importWorkflow(home, Object.values(workflows));
	Object.keys(workflows).forEach((key, i) => (ids[key] = imported[i]));
}, 20 * MINUTE);

afterAll(async () => {
	await fake?.close();
	cleanupTemp();
});

beforeEach(() => fake?.reset());

const run = (key) => executeWorkflow(home, ids[key], { secrets: [API_KEY] });

describe('Image resource in a real n8n', () => {
	it(
		'Generate → Image to Video → sum of units: the generated PNG is the first frame, byte for byte',
		async () => {
			const result = await run('chain');
			expectSucceeded(result);

			const frames = nodeOutput(result, 'Generate first frame');
			expect(frames).toHaveLength(3);
			const frameBytes = [];
			for (const item of frames) {
				const taskId = item.json.task_id;
				expect(item.binary.data).toMatchObject({
					mimeType: 'image/png',
					fileName: `kling-${taskId}-0.png`,
					fileExtension: 'png',
				});
				const bytes = readBinary(home, item.binary.data);
				expect(bytes.equals(imageBytesFor(taskId, 0, 'png'))).toBe(true);
				frameBytes.push(bytes);
			}

			const i2v = fake.log.filter(
				(entry) => entry.kind === 'submit' && entry.path === '/v1/videos/image2video',
			);
			expect(i2v.map((entry) => entry.body.image).sort()).toEqual(
				frameBytes.map((bytes) => bytes.toString('base64')).sort(),
			);
			const videos = nodeOutput(result, 'Animate');
			expect(videos).toHaveLength(3);
			for (const item of videos) {
				expect(item.binary.data.mimeType).toBe('video/mp4');
				const bytes = readBinary(home, item.binary.data);
				expect(bytes.equals(videoBytesFor(item.json.task_id, VIDEO_BYTES))).toBe(true);
			}

			const [sum] = nodeOutput(result, 'Sum units');
			const expected = videos.reduce(
				(total, item) => total + Number(item.json.final_unit_deduction),
				0,
			);
			expect(sum.json).toEqual({ tasks: 3, units: expected });
			expect(expected).toBeGreaterThan(0);
			expect(fake.stats().submissions).toBe(6); // 3 images + 3 videos, each paid once
			// The example runs the README's recipe, word for word.
			const example = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
			expect(example.nodes.find((n) => n.name === 'Sum units').parameters.jsCode).toBe(SUM_UNITS);
			expect(readFileSync(path.join(projectRoot, 'README.md'), 'utf8')).toContain(SUM_UNITS);
			expect(result.leaked).toEqual([]);
		},
		5 * MINUTE,
	);
});

describe('Account resource in a real n8n', () => {
	it(
		'Get Resource Packs puts out one item per pack',
		async () => {
			const result = await run('packs');
			expectSucceeded(result);
			const items = nodeOutput(result, 'Packs');
			expect(items.map((item) => item.json.resource_pack_id)).toEqual(
				DEFAULT_PACKS.map((pack) => pack.resource_pack_id),
			);
			expect(items[0].json.remaining_quantity).toBe(DEFAULT_PACKS[0].remaining_quantity);
			expect(result.leaked).toEqual([]);
		},
		3 * MINUTE,
	);
});
