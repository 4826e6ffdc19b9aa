// A real n8n queue-mode cluster for the queue tier and its benchmark: PostgreSQL + Redis
// (dev/services.mjs), one main (`n8n start`) and workers (`n8n worker`), all sharing one n8n
// user folder (the packed package installed as a community node), one encryption key, one
// database and one Redis. Every process gets its own free ports (HTTP, task-runner broker,
// worker health server), so several clusters and other n8n runs may share the machine.
// Also: the same for a regular-mode n8n on PostgreSQL (restart test), reading executions and
// binary data straight from the database, and sampling a process's RSS from /proc.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { videoChunks } from './fake-kling/server.mjs';
import {
	createN8nHome,
	ensureN8n,
	importCredential,
	importWorkflow,
	n8n,
	n8nEnv,
	nodeBinDir,
	packPackage,
} from './n8n.mjs';
import { ensureServices, killOnExit, startPostgres, startRedis, uniquePort } from './services.mjs';

const MINUTE = 60_000;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The n8n executable: scripts/ensure-n8n.sh, or KLING_N8N_BIN when set (a ready install). */
export async function n8nBinary() {
	if (process.env.KLING_N8N_BIN && existsSync(process.env.KLING_N8N_BIN))
		return process.env.KLING_N8N_BIN;
	return await ensureN8n();
}

export function dbEnv(pg) {
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: pg.host,
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_USER: pg.user,
		DB_POSTGRESDB_PASSWORD: '',
		DB_POSTGRESDB_DATABASE: pg.database,
	};
}

export function queueEnv(redis) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
	};
}

/** One long-running n8n process (main or worker) with its log kept in a file and in memory. */
export function startN8nProcess(home, args, { env = {}, label, logFile } = {}) {
	const child = spawn(path.join(nodeBinDir(), 'node'), [home.n8nBin, ...args], {
		cwd: home.dir,
		env: n8nEnv(home, env),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	killOnExit(child);
	let text = '';
	const file = logFile ? createWriteStream(logFile) : undefined;
	const keep = (chunk) => {
		text = (text + chunk.toString('utf8')).slice(-200_000);
		file?.write(chunk);
	};
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	const exited = new Promise((resolve) =>
		child.once('exit', (code, signal) => {
			file?.end();
			resolve({ code, signal });
		}),
	);
	return {
		label,
		child,
		pid: child.pid,
		exited,
		log: () => text,
		alive: () => child.exitCode === null && child.signalCode === null,
		kill: (signal = 'SIGKILL') => child.kill(signal),
		async stop(graceMs = 15_000) {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill('SIGTERM');
			const done = await Promise.race([exited, sleep(graceMs).then(() => undefined)]);
			if (!done) {
				child.kill('SIGKILL');
				await exited;
			}
		},
	};
}

/** Waits until GET url answers 200 (or the process dies, or timeoutMs passes). */
export async function waitHttpOk(url, proc, timeoutMs = 3 * MINUTE) {
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		if (proc && !proc.alive())
			throw new Error(`${proc.label} exited before ${url} answered:\n${proc.log().slice(-4000)}`);
		try {
			const response = await fetch(url);
			if (response.ok) return;
		} catch {
			// not listening yet
		}
		await sleep(500);
	}
	throw new Error(
		`${url} did not answer within ${timeoutMs} ms${proc ? `:\n${proc.log().slice(-4000)}` : ''}`,
	);
}

/** Resident set size of a process in bytes (VmRSS from /proc), or undefined when it is gone. */
export function rssOf(pid) {
	try {
		const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

/** Samples the RSS of pids every intervalMs until stop() is called; returns per-pid {first, max}. */
export function sampleRss(pids, intervalMs = 100) {
	const seen = new Map(pids.map((pid) => [pid, { first: rssOf(pid), max: rssOf(pid) ?? 0 }]));
	const timer = setInterval(() => {
		for (const [pid, stat] of seen) {
			const rss = rssOf(pid);
			if (rss !== undefined) stat.max = Math.max(stat.max, rss);
		}
	}, intervalMs);
	return {
		stop() {
			clearInterval(timer);
			return seen;
		},
	};
}

/** md5 of the fake server's video bytes for a task (hex), computed chunk by chunk. */
export function expectedVideoMd5(taskId, size) {
	const hash = createHash('md5');
	for (const chunk of videoChunks(taskId, size)) hash.update(chunk);
	return hash.digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Reading executions from PostgreSQL

let flattedModule;
function flatted(home) {
	flattedModule ??= createRequire(home.n8nBin.replace(/\.bin\/n8n$/, 'n8n/package.json'))(
		'flatted',
	);
	return flattedModule;
}

const quote = (text) => `'${String(text).replace(/'/g, "''")}'`;

/** { id, status, finished, startedAt, stoppedAt } of every execution of a workflow, oldest first. */
export async function executionsOf(pg, workflowId) {
	const rows = await pg.psql(
		`SELECT json_agg(e ORDER BY e.id) FROM (SELECT id, status, finished, "startedAt", "stoppedAt", "waitTill" FROM execution_entity WHERE "workflowId" = ${quote(workflowId)}) e`,
	);
	return rows ? (JSON.parse(rows) ?? []) : [];
}

/** The run data of an execution ({ resultData: { runData, error } … }). */
export async function executionData(pg, home, executionId) {
	const text = await pg.psql(
		`SELECT data FROM execution_data WHERE "executionId" = ${Number(executionId)}`,
	);
	return text ? flatted(home).parse(text) : undefined;
}

/** Size and md5 of a binary stored in the database ('database:<fileId>'). */
export async function databaseBinary(pg, binaryId) {
	const [mode, fileId] = String(binaryId).split(':');
	if (mode !== 'database') throw new Error(`binary ${binaryId} is not in the database`);
	const row = await pg.psql(
		`SELECT "fileSize" || ' ' || octet_length(data) || ' ' || md5(data) FROM binary_data WHERE "fileId" = ${quote(fileId)}`,
	);
	const [fileSize, length, md5] = row.split(' ');
	return { fileSize: Number(fileSize), length: Number(length), md5 };
}

/** Polls until every listed execution of the workflow has ended (or timeoutMs passes). */
export async function waitForExecutions(
	pg,
	workflowId,
	count,
	{ timeoutMs = 10 * MINUTE, ended = ['success', 'error', 'crashed', 'canceled'] } = {},
) {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const rows = await executionsOf(pg, workflowId);
		if (rows.length >= count && rows.every((row) => ended.includes(row.status))) return rows;
		if (Date.now() > until) {
			throw new Error(
				`executions of ${workflowId} did not end within ${timeoutMs} ms: ${JSON.stringify(rows)}`,
			);
		}
		await sleep(500);
	}
}

// ---------------------------------------------------------------------------------------------
// Cluster

/**
 * Starts Redis + PostgreSQL + main + `workers` workers with the packed package installed.
 * `credential` is imported and `workflows` are imported and published before the main
 * starts (so their webhooks are live). Returns the cluster handle; always call stop().
 */
export async function startQueueCluster({
	workers = 2,
	workerConcurrency = 10,
	credential,
	workflows = [],
	env = {},
	progress = () => {},
	mode = 'queue',
} = {}) {
	const started = Date.now();
	const cluster = { workers: [], stopped: false, timings: {} };
	let workerCount = 0;
	const stops = [];
	cluster.stop = async () => {
		if (cluster.stopped) return;
		cluster.stopped = true;
		for (const stop of stops.reverse()) {
			try {
				await stop();
			} catch {
				// keep stopping the rest
			}
		}
	};
	try {
		const services = await ensureServices();
		const [redis, pg] = await Promise.all([
			mode === 'queue' ? startRedis(services) : undefined,
			startPostgres(services),
		]);
		if (redis) stops.push(() => redis.stop());
		stops.push(() => pg.stop());
		Object.assign(cluster, { redis, pg });
		progress(`services up (${Date.now() - started} ms)`);

		const [n8nBin, tgz] = await Promise.all([n8nBinary(), packPackage()]);
		const shared = {
			...dbEnv(pg),
			...(redis ? queueEnv(redis) : {}),
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_SECURE_COOKIE: 'false',
			N8N_LOG_LEVEL: 'info',
			N8N_RUNNERS_ENABLED: 'true',
			QUEUE_WORKER_STALLED_INTERVAL: '5',
			...env,
		};
		const home = await createN8nHome({ tgz, n8nBin, env: shared });
		stops.push(() => home.dispose());
		cluster.home = home;
		progress(`package installed (${Date.now() - started} ms)`);

		// The first command migrates the database; imports need it anyway.
		if (credential) cluster.credentialId = await importCredential(home, credential);
		cluster.workflowIds = workflows.length ? await importWorkflow(home, workflows) : [];
		for (const id of cluster.workflowIds) {
			const published = await n8n(home, ['publish:workflow', `--id=${id}`], {
				env: { N8N_LOG_LEVEL: 'info' },
			});
			if (published.code !== 0)
				throw new Error(`publish:workflow ${id} failed:\n${published.stderr}\n${published.stdout}`);
		}
		progress(`database migrated, workflows imported (${Date.now() - started} ms)`);

		cluster.startMain = async () => {
			const port = await uniquePort();
			const main = startN8nProcess(home, ['start'], {
				label: 'main',
				logFile: path.join(home.dir, `main-${Date.now()}.log`),
				env: { N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await uniquePort()) },
			});
			cluster.main = main;
			cluster.baseUrl = `http://127.0.0.1:${port}`;
			stops.push(() => main.stop());
			await waitHttpOk(`${cluster.baseUrl}/healthz/readiness`, main);
			return main;
		};
		cluster.startWorker = async () => {
			const index = ++workerCount;
			const healthPort = await uniquePort();
			const worker = startN8nProcess(home, ['worker', `--concurrency=${workerConcurrency}`], {
				label: `worker ${index}`,
				logFile: path.join(home.dir, `worker-${index}.log`),
				env: {
					QUEUE_HEALTH_CHECK_PORT: String(healthPort),
					N8N_RUNNERS_BROKER_PORT: String(await uniquePort()),
				},
			});
			worker.healthUrl = `http://127.0.0.1:${healthPort}/healthz/readiness`;
			cluster.workers.push(worker);
			stops.push(() => worker.stop());
			await waitHttpOk(worker.healthUrl, worker);
			return worker;
		};
		// The database is migrated already: main and workers may boot side by side.
		await Promise.all([
			cluster.startMain(),
			...Array.from({ length: mode === 'queue' ? workers : 0 }, () => cluster.startWorker()),
		]);
		progress(
			`main and ${mode === 'queue' ? workers : 0} workers ready (${Date.now() - started} ms)`,
		);
		cluster.timings.startMs = Date.now() - started;
		return cluster;
	} catch (error) {
		await cluster.stop();
		throw error;
	}
}

/** POSTs JSON to a production webhook of the main; returns { status, body }. */
export async function callWebhook(cluster, webhookPath, body, { timeoutMs = 2 * MINUTE } = {}) {
	// n8n answers readiness before it has activated the published workflows: until then the
	// webhook is "not registered" (404, nothing started), so a 404 is retried for a while.
	const until = Date.now() + timeoutMs;
	for (;;) {
		const response = await fetch(`${cluster.baseUrl}/webhook/${webhookPath}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		const text = await response.text();
		if (response.status !== 404 || Date.now() > until)
			return { status: response.status, body: text };
		await sleep(500);
	}
}

/** The worker whose log says it picked up the execution (n8n logs "started execution <id>"). */
export function workerRunning(cluster, executionId) {
	const pattern = new RegExp(`execution ${executionId}\\b`);
	return cluster.workers.find((worker) => pattern.test(worker.log()));
}
