#!/usr/bin/env node
// npm run check:live — checks the assumptions this node makes about Kling's API against the
// real API (or any Base URL), using only free calls unless told --paid.
//
//   KLING_API_KEY=…                       (or KLING_ACCESS_KEY=… KLING_SECRET_KEY=…)
//   KLING_BASE_URL=https://api-beijing.klingai.com   (optional; default the international host)
//   npm run check:live [-- --paid]
//
// Free calls: the credential test request, a wrong-key request, task lists, look-ups of an
// existing task by task_id and by external_task_id (path form and ?external_task_id= filter), an
// unknown id, GET /account/costs, and a create that Kling must refuse (invalid parameters).
// --paid adds exactly one create of the cheapest video (kling-v1, std, 5 s, text to video:
// 1 unit, kling-api.md §6.4) and one re-send with the same external_task_id to record how Kling
// answers a duplicate. Without a key it prints what it would check and exits 0.
// Exit code: 0 when no checked assumption failed, 1 otherwise. Keys are never printed.
import { createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';

const DEFAULT_BASE_URL = 'https://api-singapore.klingai.com';
const KINDS = ['text2video', 'image2video', 'multi-image2video'];
const STATUS_WORDS = ['submitted', 'processing', 'succeed', 'failed'];
/** Kling asks for QPS ≤ 1 on /account/costs; every call of this script is spaced anyway. */
const SPACING_MS = Number(process.env.KLING_CHECK_SPACING_MS ?? 1100);

const { values: flags } = parseArgs({
	options: { paid: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
});

// ---------------------------------------------------------------------------------------------
// What is checked (ids are stable: tests and the README refer to them)

const CHECKS = [
	[
		'auth.list',
		'The credential test (GET /v1/videos/text2video?pageNum=1&pageSize=1) answers code 0 with a list',
		'free',
	],
	[
		'auth.wrongKey',
		'A wrong key is answered HTTP 401 with a code 1000-1004 (the credential test maps 401 to "Kling rejected the key")',
		'free',
	],
	[
		'list.shape',
		'Task lists are arrays of task objects: task_id (string), task_status, created_at/updated_at in ms',
		'free',
	],
	['list.order', 'Task lists are newest first (kling-api.md §4.5, uncertain)', 'free'],
	[
		'status.words',
		`task_status is one of ${STATUS_WORDS.join(', ')} (legacy spelling "succeed")`,
		'free',
	],
	['lookup.taskId', 'GET /v1/videos/{kind}/{task_id} returns that task', 'free'],
	[
		'lookup.externalPath',
		'GET /v1/videos/{kind}/{external_task_id} returns the task (path form, kling-api.md §4.4, uncertain)',
		'free',
	],
	[
		'lookup.externalQuery',
		'GET /v1/videos/{kind}?external_task_id=… returns only that task (list filter, one third-party client)',
		'free',
	],
	[
		'lookup.unknown',
		'An unknown id is answered 404 (or 400) with code 1203 — the node reads that as "not created"',
		'free',
	],
	[
		'account.costs',
		'GET /account/costs answers code 0 with data.resource_pack_subscribe_infos[] (double-wrapped, kling-api-more.md §10)',
		'free',
	],
	[
		'create.invalid',
		'A create with invalid parameters is refused (HTTP 400, code 1200/1201) and creates no task',
		'free',
	],
	[
		'paid.create',
		'A create answers code 0 with task_id, task_status "submitted" and echoes external_task_id',
		'paid',
	],
	[
		'paid.duplicate',
		'A second create with the same external_task_id is refused (no second task)',
		'paid',
	],
	['paid.externalPath', 'The new task is found by its external_task_id in the path', 'paid'],
	['paid.externalQuery', 'The new task is found with ?external_task_id= on the list', 'paid'],
];

if (flags.help) {
	console.log('Usage: KLING_API_KEY=… [KLING_BASE_URL=…] npm run check:live [-- --paid]');
	process.exit(0);
}

const apiKey = process.env.KLING_API_KEY?.trim();
const accessKey = process.env.KLING_ACCESS_KEY?.trim();
const secretKey = process.env.KLING_SECRET_KEY?.trim();
const baseUrl = (process.env.KLING_BASE_URL?.trim() || DEFAULT_BASE_URL).replace(/\/+$/, '');
const hasKey = Boolean(apiKey || (accessKey && secretKey));

function origin(url) {
	try {
		const parsed = new URL(url);
		return `${parsed.protocol}//${parsed.host}`;
	} catch {
		return '(unreadable Base URL)';
	}
}

if (!hasKey) {
	console.log(
		'check:live — no key given, so nothing is sent. With KLING_API_KEY (or KLING_ACCESS_KEY +',
	);
	console.log(
		`KLING_SECRET_KEY) set, it would check against ${origin(baseUrl)} (KLING_BASE_URL to change):\n`,
	);
	for (const [id, text, cost] of CHECKS)
		console.log(`  ${cost === 'paid' ? '[--paid]' : '[free]  '} ${id.padEnd(20)} ${text}`);
	console.log(
		'\nWithout --paid no task is created. With --paid: one kling-v1 std 5 s text-to-video task (about 1 unit),',
	);
	console.log(
		'and one re-send with the same external_task_id (a second paid task if Kling does not refuse it).',
	);
	process.exit(0);
}

// The node's rule: the key travels over https, plain http only to this machine (a test server).
const parsedBase = (() => {
	try {
		return new URL(baseUrl);
	} catch {
		return undefined;
	}
})();
const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;
if (
	!parsedBase ||
	!['https:', 'http:'].includes(parsedBase.protocol) ||
	(parsedBase.protocol === 'http:' && !loopback.test(parsedBase.hostname))
) {
	console.error(
		`check:live: KLING_BASE_URL ${origin(baseUrl)} is refused — use https:// (plain http only for localhost).`,
	);
	process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// HTTP and signing (kept here so the script needs neither n8n nor the built node)

function jwt() {
	const now = Math.floor(Date.now() / 1000);
	const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: accessKey, exp: now + 1800, nbf: now - 5 })}`;
	return `${input}.${createHmac('sha256', secretKey).update(input).digest('base64url')}`;
}

const token = () => (apiKey ? apiKey : jwt());
let lastCall = 0;
const log = [];

async function call(method, path, { query, body, key } = {}) {
	const wait = lastCall + SPACING_MS - Date.now();
	if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
	lastCall = Date.now();
	const url = new URL(baseUrl + path);
	for (const [name, value] of Object.entries(query ?? {}))
		url.searchParams.set(name, String(value));
	const started = Date.now();
	let status;
	let envelope;
	let problem;
	try {
		const response = await fetch(url, {
			method,
			headers: {
				Authorization: `Bearer ${key ?? token()}`,
				Accept: 'application/json',
				...(body ? { 'Content-Type': 'application/json' } : {}),
			},
			body: body ? JSON.stringify(body) : undefined,
			signal: AbortSignal.timeout(30_000),
		});
		status = response.status;
		const text = await response.text();
		try {
			envelope = JSON.parse(text);
		} catch {
			problem = `not JSON: ${text.slice(0, 80)}`;
		}
	} catch (error) {
		problem = error.cause?.code ?? error.name ?? 'network error';
	}
	const entry = {
		method,
		path: url.pathname + url.search,
		status,
		code: envelope?.code,
		message: envelope?.message,
		ms: Date.now() - started,
		problem,
	};
	log.push(entry);
	return { status, envelope, problem, data: envelope?.data };
}

// ---------------------------------------------------------------------------------------------
// Verdicts

const verdicts = new Map();
function record(id, outcome, detail) {
	verdicts.set(id, { outcome, detail });
}
const held = (id, detail) => record(id, 'HELD', detail);
const failed = (id, detail) => record(id, 'DID NOT HOLD', detail);
const skipped = (id, detail) => record(id, 'NOT CHECKED', detail);
const describe = (answer) =>
	answer.problem
		? `no usable answer (${answer.problem}${answer.status ? `, HTTP ${answer.status}` : ''})`
		: `HTTP ${answer.status}, code ${answer.envelope?.code}${answer.envelope?.message ? `, "${answer.envelope.message}"` : ''}`;

const isTask = (task) =>
	task && typeof task === 'object' && typeof task.task_id === 'string' && task.task_id !== '';
const externalIdOf = (task) => task?.task_info?.external_task_id;
const isMs = (value) => Number.isInteger(Number(value)) && Number(value) > 1e12;

async function freeChecks() {
	const first = await call('GET', '/v1/videos/text2video', { query: { pageNum: 1, pageSize: 1 } });
	if (first.envelope?.code === 0 && first.status === 200 && Array.isArray(first.data))
		held('auth.list', describe(first));
	else failed('auth.list', describe(first));

	const wrong = await call('GET', '/v1/videos/text2video', {
		query: { pageNum: 1, pageSize: 1 },
		key: 'check-live-wrong-key',
	});
	const wrongCode = wrong.envelope?.code;
	if (wrong.status === 401 && wrongCode >= 1000 && wrongCode <= 1004)
		held('auth.wrongKey', describe(wrong));
	else failed('auth.wrongKey', describe(wrong));

	// Lists of every kind: their shape, order and status words, and a task to look up.
	const tasks = [];
	let shapeProblem;
	let orderProblem;
	const words = new Set();
	for (const kind of KINDS) {
		const list = await call('GET', `/v1/videos/${kind}`, { query: { pageNum: 1, pageSize: 30 } });
		if (list.envelope?.code !== 0 || !Array.isArray(list.data)) {
			shapeProblem ??= `${kind}: ${describe(list)}`;
			continue;
		}
		for (const task of list.data) {
			if (
				!isTask(task) ||
				typeof task.task_status !== 'string' ||
				!isMs(task.created_at) ||
				!isMs(task.updated_at)
			) {
				shapeProblem ??= `${kind}: a task looks like ${JSON.stringify(task).slice(0, 120)}`;
			}
			words.add(String(task?.task_status));
			tasks.push({ kind, task });
		}
		const created = list.data.map((task) => Number(task?.created_at));
		if (created.some((value, index) => index > 0 && value > created[index - 1])) {
			orderProblem ??= `${kind}: created_at ${created.slice(0, 5).join(', ')}…`;
		}
	}
	if (shapeProblem) failed('list.shape', shapeProblem);
	else held('list.shape', `${tasks.length} task(s) in the first pages of ${KINDS.length} lists`);
	if (tasks.length < 2) skipped('list.order', 'fewer than two tasks on the account');
	else if (orderProblem) failed('list.order', orderProblem);
	else held('list.order', 'created_at never increases down the list');
	const unknownWords = [...words].filter((word) => !STATUS_WORDS.includes(word));
	if (tasks.length === 0) skipped('status.words', 'no task on the account');
	else if (unknownWords.length) failed('status.words', `seen: ${[...words].join(', ')}`);
	else held('status.words', `seen: ${[...words].join(', ')}`);

	const sample = tasks[0];
	if (!sample) {
		skipped(
			'lookup.taskId',
			'no task on the account (run once with --paid, or create one in the console)',
		);
	} else {
		const found = await call(
			'GET',
			`/v1/videos/${sample.kind}/${encodeURIComponent(sample.task.task_id)}`,
		);
		if (found.envelope?.code === 0 && found.data?.task_id === sample.task.task_id)
			held('lookup.taskId', `${sample.kind} ${sample.task.task_id}`);
		else failed('lookup.taskId', `${sample.kind} ${sample.task.task_id}: ${describe(found)}`);
	}
	const withExternal = tasks.find(
		({ task }) => typeof externalIdOf(task) === 'string' && externalIdOf(task),
	);
	if (!withExternal) {
		const why =
			'no task with an external_task_id on the account (tasks made by this node have one; or use --paid)';
		skipped('lookup.externalPath', why);
		skipped('lookup.externalQuery', why);
	} else {
		await checkExternalLookups(withExternal.kind, withExternal.task, 'lookup');
	}

	const unknownId = `check-live-unknown-${Date.now()}`;
	const unknown = await call('GET', `/v1/videos/text2video/${unknownId}`);
	if ([404, 400].includes(unknown.status) && unknown.envelope?.code === 1203)
		held('lookup.unknown', describe(unknown));
	else failed('lookup.unknown', describe(unknown));

	const now = Date.now();
	const costs = await call('GET', '/account/costs', {
		query: { start_time: now - 30 * 86_400_000, end_time: now },
	});
	const packs = costs.data?.resource_pack_subscribe_infos;
	if (costs.envelope?.code === 0 && costs.data?.code === 0 && Array.isArray(packs)) {
		const summary = packs.map(
			(pack) =>
				`${pack.resource_pack_name}: ${pack.remaining_quantity}/${pack.total_quantity} (${pack.status})`,
		);
		held('account.costs', summary.join('; ') || 'no resource packs');
	} else {
		failed('account.costs', describe(costs));
	}

	// Several independent faults at once, so no reading of the rules could make it a paid task.
	const invalidId = `check-live-invalid-${now}`;
	const invalid = await call('POST', '/v1/videos/text2video', {
		body: {
			model_name: 'kling-v1',
			prompt: '',
			mode: 'not-a-mode',
			duration: '7',
			aspect_ratio: '3:2',
			external_task_id: invalidId,
		},
	});
	if (invalid.envelope?.code === 0) {
		failed(
			'create.invalid',
			`Kling ACCEPTED it: ${describe(invalid)}, task ${invalid.data?.task_id} — this may be a paid task`,
		);
	} else {
		const after = await call('GET', `/v1/videos/text2video/${invalidId}`);
		const created = after.envelope?.code === 0 && isTask(after.data);
		const refusedWell = invalid.status === 400 && [1200, 1201].includes(invalid.envelope?.code);
		if (created)
			failed(
				'create.invalid',
				`refused (${describe(invalid)}) but a task exists under its external_task_id`,
			);
		else if (refusedWell) held('create.invalid', describe(invalid));
		else failed('create.invalid', `refused, but not as documented: ${describe(invalid)}`);
	}
}

async function checkExternalLookups(kind, task, prefix) {
	const externalId = externalIdOf(task);
	const path = await call('GET', `/v1/videos/${kind}/${encodeURIComponent(externalId)}`);
	if (path.envelope?.code === 0 && path.data?.task_id === task.task_id)
		held(`${prefix}.externalPath`, `${kind} ${externalId} → ${task.task_id}`);
	else failed(`${prefix}.externalPath`, `${kind} ${externalId}: ${describe(path)}`);
	const query = await call('GET', `/v1/videos/${kind}`, {
		query: { external_task_id: externalId, pageNum: 1, pageSize: 30 },
	});
	const list = Array.isArray(query.data) ? query.data : [];
	const onlyIt = list.length > 0 && list.every((item) => externalIdOf(item) === externalId);
	if (query.envelope?.code === 0 && onlyIt && list.some((item) => item.task_id === task.task_id)) {
		held(
			`${prefix}.externalQuery`,
			`${list.length} task(s), all with external_task_id ${externalId}`,
		);
	} else if (query.envelope?.code === 0 && list.length > 0) {
		failed(
			`${prefix}.externalQuery`,
			`the filter is ignored: ${list.length} task(s) of other external ids came back`,
		);
	} else {
		failed(`${prefix}.externalQuery`, describe(query));
	}
}

async function paidChecks() {
	const externalId = `check-live-paid-${Date.now()}`;
	const body = {
		model_name: 'kling-v1',
		mode: 'std',
		duration: '5',
		aspect_ratio: '16:9',
		prompt: 'A paper boat drifting on a calm pond, soft morning light',
		external_task_id: externalId,
	};
	console.log(
		`--paid: creating ONE kling-v1 std 5 s text-to-video task (external_task_id ${externalId}) …`,
	);
	const created = await call('POST', '/v1/videos/text2video', { body });
	const task = created.data;
	if (
		created.envelope?.code === 0 &&
		isTask(task) &&
		task.task_status === 'submitted' &&
		externalIdOf(task) === externalId
	) {
		held('paid.create', `task ${task.task_id}`);
	} else {
		failed(
			'paid.create',
			describe(created) +
				(isTask(task) ? `, task ${task.task_id}, status ${task.task_status}` : ''),
		);
	}
	if (created.envelope?.code !== 0 || !isTask(task)) {
		// Nothing to re-send against: never risk a second create without a first.
		skipped('paid.duplicate', 'the first create did not return a task');
		skipped('paid.externalPath', 'no task created');
		skipped('paid.externalQuery', 'no task created');
		return;
	}
	const again = await call('POST', '/v1/videos/text2video', { body });
	if (again.envelope?.code === 0) {
		const second = again.data?.task_id;
		failed(
			'paid.duplicate',
			`Kling ACCEPTED the duplicate: ${describe(again)}; task ${second}${second === task.task_id ? ' (the same task returned)' : ' — a second paid task'}`,
		);
	} else {
		held('paid.duplicate', `answered ${describe(again)}`);
	}
	await checkExternalLookups('text2video', task, 'paid');
}

// ---------------------------------------------------------------------------------------------

console.log(
	`check:live against ${origin(baseUrl)} (${apiKey ? 'API key' : 'Access Key + Secret Key'})${flags.paid ? ' — PAID mode' : ' — free calls only'}\n`,
);
await freeChecks();
if (flags.paid) await paidChecks();
for (const [id, , cost] of CHECKS)
	if (!verdicts.has(id)) skipped(id, cost === 'paid' ? 'needs --paid' : 'not reached');

const width = Math.max(...CHECKS.map(([id]) => id.length));
let failures = 0;
for (const [id, text] of CHECKS) {
	const { outcome, detail } = verdicts.get(id);
	if (outcome === 'DID NOT HOLD') failures++;
	console.log(`${outcome.padEnd(12)} ${id.padEnd(width)} ${text}`);
	console.log(`${''.padEnd(12)} ${''.padEnd(width)} → ${detail}`);
}
const creates = log.filter((entry) => entry.method === 'POST');
console.log(
	`\n${log.length} requests (${creates.length} create${creates.length === 1 ? '' : 's'}: ${creates.map((entry) => `HTTP ${entry.status} code ${entry.code}`).join(', ') || 'none'}).`,
);
console.log(failures ? `${failures} assumption(s) did not hold.` : 'No checked assumption failed.');
process.exit(failures ? 1 : 0);
