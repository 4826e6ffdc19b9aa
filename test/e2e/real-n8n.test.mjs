// End to end in a real n8n: the packed package is installed as a community node into a fresh
// n8n user folder, workflows are imported and run with `n8n execute`, and the node talks to the
// fake Kling server started here. The first run installs n8n (several minutes, cached after).
import { createHmac } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { startFakeKling, videoBytesFor } from '../../dev/fake-kling/server.mjs';
import {
	KLING_TYPE,
	cleanEnv,
	cleanupTemp,
	createN8nHome,
	describeFailure,
	ensureN8n,
	executeWorkflow,
	freePort,
	importCredential,
	importWorkflow,
	makeTempDir,
	n8n,
	nodeBinDir,
	nodeOutput,
	packPackage,
	projectRoot,
	readBinary,
	run as runCommand,
} from '../../dev/n8n.mjs';
import { makePng } from '../../dev/images.mjs';

const MINUTE = 60_000;
const sampleClip = readFileSync(path.join(projectRoot, 'dev/fake-kling/sample.mp4'));
const API_KEY = 'e2e-kling-api-key-0123456789';
const ACCESS_KEY = 'e2e-kling-access-key';
const SECRET_KEY = 'e2e-kling-secret-key-9876543210';
const CREDENTIAL_NAME = 'Kling account';
const KEY_PAIR_CREDENTIAL_NAME = 'Kling key pair';
const WRONG_KEY_CREDENTIAL_NAME = 'Kling wrong key';
const WRONG_KEY = 'e2e-kling-wrong-key-5555555555';
// Not a multiple of the fake server's 64 KiB chunks, so a short download would show.
const VIDEO_BYTES = 150_001;
const EXAMPLES_DIR = path.join(projectRoot, 'examples');
const EXAMPLES = [
	'demo-three-prompts.json',
	'google-sheets-to-kling-to-drive.json',
	'schedule-to-kling-to-file.json',
	'image-url-to-video.json',
	// Run end to end by their own suites (images-n8n, video3-n8n, talk-n8n, queue restart tier);
	// checked here for valid node types, parameters and no secrets like the others.
	'generate-image-then-video.json',
	'omni-video-reference-image.json',
	'sheet-script-to-avatar-video-to-drive.json',
	'long-videos-without-holding-an-execution.json',
];
const SHEET_ROWS = [
	{ row_number: 2, prompt: 'A red fox trotting through fresh snow at dawn, cinematic' },
	{ row_number: 3, prompt: 'Waves crashing on black volcanic rocks, slow motion' },
	{ row_number: 4, prompt: 'A paper boat drifting down a rainy city gutter, macro shot' },
];

let home;
let fake;
let imageServer;
let imageServerUrl;
let filesDir;
let png;
const workflowIds = {};
const outDirs = {};

const n8nNodesBase = () => path.join(path.dirname(path.dirname(home.n8nBin)), 'n8n-nodes-base');

// ---------------------------------------------------------------------------------------------
// Workflow building

const manualTrigger = (name = 'Manual Trigger') => ({
	id: `${name}-id`,
	name,
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
});

const klingNode = (parameters, { name = 'Kling', credential = CREDENTIAL_NAME } = {}) => ({
	id: `${name}-id`,
	name,
	type: KLING_TYPE,
	typeVersion: 1,
	position: [440, 0],
	parameters: { resource: 'video', ...parameters },
	credentials: { klingApi: { id: null, name: credential } },
});

function chain(name, nodes) {
	const connections = {};
	for (let i = 0; i + 1 < nodes.length; i += 1) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

function loadExample(file) {
	return JSON.parse(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
}

function nodeOfType(workflow, type) {
	const node = workflow.nodes.find((candidate) => candidate.type === type);
	if (!node) throw new Error(`${workflow.name} has no ${type} node`);
	return node;
}

/** Keeps the node's name, id and position (so connections and $('…') still work). */
function replaceNode(node, replacement) {
	delete node.credentials;
	Object.assign(node, replacement);
}

/** Examples poll Kling every 10 s (its advice); against the fake server 1 s will do. */
function pollFast(workflow) {
	for (const node of workflow.nodes) {
		if (node.type === KLING_TYPE)
			node.parameters.options = { ...node.parameters.options, pollInterval: 1 };
	}
	return workflow;
}

// The demo's output folder → a temp folder.
function demoExampleForTest(outDir) {
	const workflow = loadExample('demo-three-prompts.json');
	const set = nodeOfType(workflow, 'n8n-nodes-base.set');
	set.parameters.assignments.assignments.find((a) => a.name === 'folder').value = outDir;
	return pollFast(workflow);
}

// Google Sheets → a Code node putting out the rows; Google Drive upload → Write File to disk
// under the same file name.
function sheetsExampleForTest(outDir) {
	const workflow = loadExample('google-sheets-to-kling-to-drive.json');
	replaceNode(nodeOfType(workflow, 'n8n-nodes-base.googleSheets'), {
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: { jsCode: `return ${JSON.stringify(SHEET_ROWS.map((json) => ({ json })))};` },
	});
	const drive = nodeOfType(workflow, 'n8n-nodes-base.googleDrive');
	replaceNode(drive, {
		type: 'n8n-nodes-base.readWriteFile',
		typeVersion: 1,
		parameters: {
			operation: 'write',
			fileName: `=${outDir}/${drive.parameters.name.replace(/^=/, '')}`,
			dataPropertyName: drive.parameters.inputDataFieldName,
		},
	});
	return pollFast(workflow);
}

// Schedule Trigger → Manual Trigger (n8n execute starts at one); output folder → a temp folder.
function scheduleExampleForTest(outDir) {
	const workflow = loadExample('schedule-to-kling-to-file.json');
	replaceNode(nodeOfType(workflow, 'n8n-nodes-base.scheduleTrigger'), {
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		parameters: {},
	});
	const set = nodeOfType(workflow, 'n8n-nodes-base.set');
	const folder = set.parameters.assignments.assignments.find((a) => a.name === 'folder');
	folder.value = outDir;
	return pollFast(workflow);
}

// The image URL → a local server's PNG.
function imageUrlExampleForTest() {
	const workflow = loadExample('image-url-to-video.json');
	nodeOfType(workflow, 'n8n-nodes-base.httpRequest').parameters.url = `${imageServerUrl}/photo.png`;
	return pollFast(workflow);
}

// ---------------------------------------------------------------------------------------------
// Assertions

function expectSucceeded(result) {
	if (!result.ok) {
		throw new Error(
			`n8n run failed: ${describeFailure(result)}\n--- n8n stderr ---\n${result.stderr.slice(-3000)}`,
		);
	}
}

function submitsOf(kind) {
	return fake.log.filter((entry) => entry.kind === 'submit' && entry.path === `/v1/videos/${kind}`);
}

/** A Kling output item: finished task, and the full MP4 as binary `data`. */
function expectVideoItem(item) {
	const taskId = item.json.task_id;
	expect(typeof taskId).toBe('string');
	expect(item.json.task_status).toBe('succeed');
	expect(item.json.task_result.videos[0].url).toContain(fake.url);
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

function expectVideoFile(file, taskId) {
	const bytes = readFileSync(file);
	expect(bytes.length).toBe(VIDEO_BYTES);
	expect(bytes.equals(videoBytesFor(taskId, VIDEO_BYTES))).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Setup: n8n, the package, one n8n home with the credential and all workflows

beforeAll(async () => {
	const n8nBin = await ensureN8n();
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

	// Everything the file nodes touch lives under one folder: n8n is only allowed in there.
	filesDir = makeTempDir('kling-e2e-files-');
	for (const name of ['images', 'demo', 'sheets', 'schedule']) {
		outDirs[name] = path.join(filesDir, name);
		mkdirSync(outDirs[name]);
	}
	writeFileSync(path.join(outDirs.images, 'photo.png'), png);

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
				baseUrl: `${fake.url}/`,
			},
		},
		{
			name: WRONG_KEY_CREDENTIAL_NAME,
			type: 'klingApi',
			data: { authType: 'apiKey', apiKey: WRONG_KEY, baseUrl: fake.url },
		},
	]);

	const workflows = {
		textToVideo: chain('E2E text to video', [
			manualTrigger(),
			klingNode({
				operation: 'textToVideo',
				prompt: 'A red fox trotting through fresh snow at dawn, cinematic',
				aspectRatio: '9:16',
				options: { pollInterval: 1 },
			}),
		]),
		keyPair: chain('E2E key pair', [
			manualTrigger(),
			klingNode(
				{
					operation: 'textToVideo',
					prompt: 'A lighthouse in a storm',
					options: { pollInterval: 1 },
				},
				{ credential: KEY_PAIR_CREDENTIAL_NAME },
			),
		]),
		wrongKey: chain('E2E wrong key', [
			manualTrigger(),
			klingNode(
				{
					operation: 'textToVideo',
					prompt: 'A lighthouse in a storm',
					options: { pollInterval: 1 },
				},
				{ credential: WRONG_KEY_CREDENTIAL_NAME },
			),
		]),
		imageFromDisk: chain('E2E image from disk to video', [
			manualTrigger(),
			{
				id: 'read-id',
				name: 'Read image',
				type: 'n8n-nodes-base.readWriteFile',
				typeVersion: 1.1,
				position: [220, 0],
				parameters: {
					operation: 'read',
					fileSelector: path.join(outDirs.images, 'photo.png'),
					options: {},
				},
			},
			klingNode({
				operation: 'imageToVideo',
				imageSource: 'binary',
				imageBinaryProperty: 'data',
				prompt: 'The colours slowly swirl',
				options: { pollInterval: 1 },
			}),
		]),
		demo: demoExampleForTest(outDirs.demo),
		sheets: sheetsExampleForTest(outDirs.sheets),
		schedule: scheduleExampleForTest(outDirs.schedule),
		imageUrl: imageUrlExampleForTest(),
	};
	// The examples as shipped are imported too: n8n must accept them and resolve the Kling
	// credential by its name.
	const asShipped = Object.fromEntries(
		EXAMPLES.map((file) => [`shipped:${file}`, loadExample(file)]),
	);
	const all = { ...workflows, ...asShipped };
	const ids = await importWorkflow(home, Object.values(all));
	Object.keys(all).forEach((key, i) => {
		workflowIds[key] = ids[i];
	});
}, 20 * MINUTE);

afterAll(async () => {
	await fake?.close();
	await new Promise((resolve) => (imageServer ? imageServer.close(resolve) : resolve()));
	cleanupTemp();
});

beforeEach(() => fake?.reset());

const run = (key, env = {}) =>
	executeWorkflow(home, workflowIds[key], {
		env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir, ...env },
		secrets: [API_KEY, SECRET_KEY, WRONG_KEY],
	});

// ---------------------------------------------------------------------------------------------

describe('Kling node in a real n8n', () => {
	it(
		'text to video: Manual Trigger → Kling puts out the task and the MP4',
		async () => {
			const result = await run('textToVideo');
			expectSucceeded(result);

			const items = nodeOutput(result, 'Kling');
			expect(items).toHaveLength(1);
			const taskId = expectVideoItem(items[0]);
			expect(items[0].json.task_info.external_task_id).toMatch(/^n8n-[0-9a-f]{40}$/);

			const [submit] = submitsOf('text2video');
			expect(submit.body).toMatchObject({
				prompt: 'A red fox trotting through fresh snow at dawn, cinematic',
				aspect_ratio: '9:16',
				model_name: 'kling-v2-6',
			});
			expect(submit.headers.authorization).toBe(`Bearer ${API_KEY}`);
			expect(fake.stats()).toMatchObject({ submissions: 1, downloads: 1 });
			expect(fake.tasks.get(taskId)).toBeDefined();
			// The key never shows up in what n8n stored or printed.
			expect(result.leaked).toEqual([]);
		},
		3 * MINUTE,
	);

	it(
		'access key + secret key: every request carries an HS256 JWT signed with the secret key',
		async () => {
			const result = await run('keyPair');
			expectSucceeded(result);
			expectVideoItem(nodeOutput(result, 'Kling')[0]);

			const authorized = fake.log.filter((entry) => entry.kind !== 'download');
			expect(authorized.length).toBeGreaterThanOrEqual(2);
			for (const entry of authorized) {
				const token = entry.headers.authorization.replace(/^Bearer /, '');
				const [header, claims] = token
					.split('.')
					.slice(0, 2)
					.map((part) => JSON.parse(Buffer.from(part, 'base64url')));
				expect(header.alg).toBe('HS256');
				expect(claims.iss).toBe(ACCESS_KEY);
				const [encodedHeader, encodedClaims, signature] = token.split('.');
				expect(signature).toBe(
					createHmac('sha256', SECRET_KEY)
						.update(`${encodedHeader}.${encodedClaims}`)
						.digest('base64url'),
				);
				expect(entry.status).toBe(200);
			}
			expect(fake.stats().submissions).toBe(1);
			expect(result.leaked).toEqual([]);
		},
		3 * MINUTE,
	);

	it(
		'a wrong key fails with a readable error, and no key appears even in debug logs',
		async () => {
			const result = await run('wrongKey');
			expect(result.ok).toBe(false);
			expect(result.error.message).toBe(
				'Kling rejected the key — check the credential (Kling code 1002)',
			);
			expect(fake.stats().submissions).toBe(0);
			expect(result.leaked).toEqual([]);

			// The same run with n8n's most verbose logging (its output is not parsed here).
			const port = await freePort();
			const debug = await n8n(home, ['execute', `--id=${workflowIds.wrongKey}`, '--rawOutput'], {
				env: { N8N_LOG_LEVEL: 'debug', N8N_RUNNERS_BROKER_PORT: String(port) },
				secrets: [API_KEY, SECRET_KEY, WRONG_KEY],
			});
			expect(debug.stdout).toContain('Kling rejected the key');
			expect(debug.stdout.length + debug.stderr.length).toBeGreaterThan(5000);
			expect(debug.leaked).toEqual([]);
		},
		3 * MINUTE,
	);

	it(
		'image to video: an image read from disk is sent as base64 from the binary field',
		async () => {
			const result = await run('imageFromDisk');
			expectSucceeded(result);

			const read = nodeOutput(result, 'Read image');
			expect(read[0].binary.data.mimeType).toBe('image/png');
			const [item] = nodeOutput(result, 'Kling');
			expectVideoItem(item);

			const submits = submitsOf('image2video');
			expect(submits).toHaveLength(1);
			expect(submits[0].body.image).toBe(png.toString('base64'));
			expect(submits[0].body.prompt).toBe('The colours slowly swirl');
			expect(fake.stats().submissions).toBe(1);
		},
		3 * MINUTE,
	);
});

describe('examples/', () => {
	it('are valid n8n 2.41 workflows: known node types and versions, known parameters, no secrets', () => {
		const require = createRequire(import.meta.url);
		const nodeTypes = require(path.join(n8nNodesBase(), 'dist/types/nodes.json'));
		const { Kling } = require(path.join(projectRoot, 'dist/nodes/Kling/Kling.node.js'));
		const klingProperties = new Kling().description.properties;

		expect(
			readdirSync(EXAMPLES_DIR)
				.filter((f) => f.endsWith('.json'))
				.sort(),
		).toEqual([...EXAMPLES].sort());
		for (const file of EXAMPLES) {
			const workflow = loadExample(file);
			expect(workflow.name).toEqual(expect.any(String));
			expect(workflow.nodes.some((node) => node.type === 'n8n-nodes-base.stickyNote')).toBe(true);
			expect(workflow.nodes.some((node) => node.type === KLING_TYPE)).toBe(true);
			const names = new Set(workflow.nodes.map((node) => node.name));
			for (const [from, { main }] of Object.entries(workflow.connections)) {
				expect(names.has(from)).toBe(true);
				for (const link of main.flat()) expect(names.has(link.node)).toBe(true);
			}
			for (const node of workflow.nodes) {
				const where = `${file}: node "${node.name}" (${node.type} v${node.typeVersion})`;
				let properties = klingProperties;
				if (node.type !== KLING_TYPE) {
					const shortName = node.type.replace(/^n8n-nodes-base\./, '');
					const description = nodeTypes.find(
						(type) => type.name === shortName && [type.version].flat().includes(node.typeVersion),
					);
					if (!description) throw new Error(`${where}: no such node type and version in n8n`);
					properties = description.properties;
				}
				const known = new Set(properties.map((property) => property.name));
				for (const parameter of Object.keys(node.parameters)) {
					if (!known.has(parameter)) throw new Error(`${where}: unknown parameter "${parameter}"`);
				}
				// Credentials are referenced by name only.
				for (const credential of Object.values(node.credentials ?? {})) {
					expect(credential).toEqual({ id: null, name: expect.any(String) });
				}
			}
		}
		// Imported as shipped in beforeAll: n8n accepted all three.
		for (const file of EXAMPLES) expect(workflowIds[`shipped:${file}`]).toEqual(expect.any(String));
	});

	it(
		'demo-three-prompts: three prompts → three MP4 files named after their rows',
		async () => {
			const result = await run('demo');
			expectSucceeded(result);

			const prompts = nodeOutput(result, 'Prompts');
			expect(prompts).toHaveLength(3);
			const videos = nodeOutput(result, 'Generate video');
			const saved = nodeOutput(result, 'Save MP4');
			expect(saved).toHaveLength(3);
			prompts.forEach((row, i) => {
				const taskId = expectVideoItem(videos[i]);
				const file = path.join(outDirs.demo, `${row.json.slug}-${taskId}.mp4`);
				expect(saved[i].json.fileName).toBe(file);
				expectVideoFile(file, taskId);
			});
			expect(fake.stats().submissions).toBe(3);
			expect(
				submitsOf('text2video')
					.map((entry) => entry.body.prompt)
					.sort(),
			).toEqual(prompts.map((row) => row.json.prompt).sort());
		},
		3 * MINUTE,
	);

	it(
		'google-sheets-to-kling-to-drive: one video per row, each written under its row',
		async () => {
			const result = await run('sheets');
			expectSucceeded(result);

			const videos = nodeOutput(result, 'Generate video');
			expect(videos).toHaveLength(SHEET_ROWS.length);
			const uploads = nodeOutput(result, 'Upload to Google Drive');
			expect(uploads).toHaveLength(SHEET_ROWS.length);
			SHEET_ROWS.forEach((row, i) => {
				const taskId = expectVideoItem(videos[i]);
				const file = path.join(outDirs.sheets, `row-${row.row_number}-${taskId}.mp4`);
				expect(uploads[i].json.fileName).toBe(file);
				expectVideoFile(file, taskId);
			});
			expect(readdirSync(outDirs.sheets)).toHaveLength(SHEET_ROWS.length);

			// Exactly one paid submission per row, with that row's prompt.
			expect(fake.stats().submissions).toBe(SHEET_ROWS.length);
			expect(
				submitsOf('text2video')
					.map((entry) => entry.body.prompt)
					.sort(),
			).toEqual(SHEET_ROWS.map((row) => row.prompt).sort());
		},
		3 * MINUTE,
	);

	it(
		'schedule-to-kling-to-file: the video is saved as <folder>/<date>-<task id>.mp4',
		async () => {
			const result = await run('schedule');
			expectSucceeded(result);

			const [video] = nodeOutput(result, 'Generate video');
			const taskId = expectVideoItem(video);
			const [saved] = nodeOutput(result, 'Save MP4 to disk');
			expect(saved.json.fileName).toMatch(
				new RegExp(`^${outDirs.schedule}/\\d{4}-\\d{2}-\\d{2}-${taskId}\\.mp4$`),
			);
			expectVideoFile(saved.json.fileName, taskId);

			expect(fake.stats().submissions).toBe(1);
			const [submit] = submitsOf('text2video');
			expect(submit.body).toMatchObject({
				aspect_ratio: '9:16',
				negative_prompt: 'blurry, text, watermark',
			});
			expect(submit.body.external_task_id).toMatch(
				// A custom ID gets 8 hex of the inputs, so a repeated ID never returns another video.
				new RegExp(`^daily-${workflowIds.schedule}-\\d{4}-\\d{2}-\\d{2}-[0-9a-f]{8}$`),
			);
		},
		3 * MINUTE,
	);

	it(
		'image-url-to-video: the downloaded image goes to Kling as base64',
		async () => {
			const result = await run('imageUrl');
			expectSucceeded(result);

			const [downloaded] = nodeOutput(result, 'Download image');
			expect(downloaded.binary.data.mimeType).toBe('image/png');
			const [video] = nodeOutput(result, 'Animate image');
			expectVideoItem(video);

			expect(fake.stats().submissions).toBe(1);
			const [submit] = submitsOf('image2video');
			expect(submit.body.image).toBe(png.toString('base64'));
			expect(submit.body.model_name).toBe('kling-v2-6');
		},
		3 * MINUTE,
	);
});

describe('npm run demo (scripts/demo.mjs)', () => {
	it(
		'turns three prompts into three MP4 files and prints the table, against the fake server',
		async () => {
			const outputDir = makeTempDir('kling-e2e-demo-');
			// No Kling keys are passed on (cleanEnv): this never reaches the real Kling API.
			const result = await runCommand(
				path.join(nodeBinDir(), 'node'),
				[path.join(projectRoot, 'scripts/demo.mjs')],
				{
					cwd: projectRoot,
					env: {
						...cleanEnv(),
						KLING_DEMO_OUTPUT: outputDir,
						KLING_DEMO_SKIP_BUILD: '1',
					},
					timeoutMs: 10 * MINUTE,
				},
			);
			if (result.code !== 0)
				throw new Error(`demo exited with ${result.code}\n${result.stdout}\n${result.stderr}`);

			const files = readdirSync(outputDir).sort();
			expect(files).toHaveLength(3);
			for (const file of files) {
				expect(file).toMatch(/^(fox|lighthouse|tea)-\d+\.mp4$/);
				expect(result.stdout).toContain(file);
				// The fake server hands out the bundled sample clip: a real, playable MP4.
				expect(readFileSync(path.join(outputDir, file)).equals(sampleClip)).toBe(true);
			}
			expect(result.stdout).toMatch(/prompt\s+task id\s+file\s+size/);
			expect(result.stdout).toContain(`3 videos in ${outputDir}`);
		},
		12 * MINUTE,
	);
});
