// Real Redis and PostgreSQL for the queue-mode tier: the machine's Debian packages
// (scripts/ensure-services.sh installs them when missing), each started on 127.0.0.1 on a free
// port with its own temp data folder, and stopped (folder removed) by stop(). Nothing is
// installed as a system service and nothing listens beyond the loopback interface.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';

import { freePort, makeTempDir, projectRoot, removeTempDir, run } from './n8n.mjs';

const MINUTE = 60_000;

/** Runs scripts/ensure-services.sh (installs redis-server and postgresql if missing). */
export async function ensureServices({ progress = process.stderr } = {}) {
	const result = await run('bash', [path.join(projectRoot, 'scripts/ensure-services.sh')], {
		cwd: projectRoot,
		timeoutMs: 15 * MINUTE,
		echoStderr: progress,
	});
	if (result.code !== 0) {
		throw new Error(`scripts/ensure-services.sh failed:\n${result.stdout}\n${result.stderr}`);
	}
	const found = Object.fromEntries(
		result.stdout
			.trim()
			.split('\n')
			.map((line) => line.split('='))
			.filter((pair) => pair.length === 2),
	);
	if (!found.REDIS_SERVER || !found.PG_BIN) {
		throw new Error(`scripts/ensure-services.sh printed no paths:\n${result.stdout}`);
	}
	return { redisServer: found.REDIS_SERVER, pgBin: found.PG_BIN };
}

// Children still running when this process exits (a failed or interrupted run) are killed with
// it, so no database or Redis outlives the test run.
const children = new Set();
export function killOnExit(child) {
	if (children.size === 0) {
		process.once('exit', () => {
			for (const running of children) running.kill('SIGKILL');
		});
	}
	children.add(child);
	child.once('exit', () => children.delete(child));
}

const handedOut = new Set();
/**
 * A free TCP port never handed out before by this process: freePort() closes its probe at once,
 * so two calls in a row may return the same port (n8n's HTTP and task-broker ports collided).
 */
export async function uniquePort() {
	for (;;) {
		const port = await freePort();
		if (!handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
}

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A long-running child whose output is kept (tail) for error messages. */
function startProcess(command, args, options = {}) {
	const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
	killOnExit(child);
	let output = '';
	const keep = (chunk) => {
		output = (output + chunk.toString('utf8')).slice(-8000);
	};
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	const exited = new Promise((resolve) =>
		child.once('exit', (code, signal) => resolve({ code, signal })),
	);
	return { child, exited, output: () => output };
}

async function stopProcess(proc, graceMs = 10_000) {
	if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
	proc.child.kill('SIGTERM');
	const done = await Promise.race([proc.exited, sleep(graceMs).then(() => undefined)]);
	if (!done) {
		proc.child.kill('SIGKILL');
		await proc.exited;
	}
}

/** Resolves once something accepts TCP connections on the port (or throws after timeoutMs). */
async function waitForPort(port, proc, what, timeoutMs = 60_000) {
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		if (proc.child.exitCode !== null) {
			throw new Error(`${what} exited with ${proc.child.exitCode}:\n${proc.output()}`);
		}
		const open = await new Promise((resolve) => {
			const socket = connect(port, '127.0.0.1');
			socket.once('connect', () => {
				socket.destroy();
				resolve(true);
			});
			socket.once('error', () => resolve(false));
		});
		if (open) return;
		await sleep(200);
	}
	throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms:\n${proc.output()}`);
}

/** Starts redis-server on 127.0.0.1:<free port>, no persistence. Returns { host, port, stop() }. */
export async function startRedis({ redisServer = 'redis-server' } = {}) {
	const dir = makeTempDir('kling-redis-');
	const port = await uniquePort();
	const proc = startProcess(redisServer, [
		'--bind',
		'127.0.0.1',
		'--port',
		String(port),
		'--dir',
		dir,
		'--save',
		'',
		'--appendonly',
		'no',
		'--daemonize',
		'no',
		'--protected-mode',
		'yes',
	]);
	try {
		await waitForPort(port, proc, 'redis-server');
	} catch (error) {
		await stopProcess(proc);
		removeTempDir(dir);
		throw error;
	}
	return {
		host: '127.0.0.1',
		port,
		pid: proc.child.pid,
		stop: async () => {
			await stopProcess(proc);
			removeTempDir(dir);
		},
	};
}

/** uid/gid of the `postgres` user when running as root (PostgreSQL refuses to run as root). */
function postgresUser() {
	if (process.getuid?.() !== 0) return {};
	const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
	return { uid, gid };
}

function chownTree(dir, uid, gid) {
	chownSync(dir, uid, gid);
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) chownTree(full, uid, gid);
		else chownSync(full, uid, gid);
	}
}

/**
 * Starts PostgreSQL (initdb into a temp folder, trust auth on 127.0.0.1 only, fsync off: test
 * data) and creates `database`. Returns { host, port, user, database, psql(sql), stop() }.
 */
export async function startPostgres({
	pgBin = '/usr/lib/postgresql/15/bin',
	database = 'n8n',
} = {}) {
	const dir = makeTempDir('kling-pg-');
	const data = path.join(dir, 'data');
	const socketDir = path.join(dir, 'sock');
	mkdirSync(socketDir);
	const owner = postgresUser();
	if (owner.uid !== undefined) chownTree(dir, owner.uid, owner.gid);
	const asOwner = { ...owner, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } };
	const init = await new Promise((resolve) => {
		const proc = startProcess(
			path.join(pgBin, 'initdb'),
			['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'],
			{ ...asOwner, cwd: dir },
		);
		proc.exited.then((result) => resolve({ ...result, output: proc.output() }));
	});
	if (init.code !== 0) {
		removeTempDir(dir);
		throw new Error(`initdb failed (${init.code ?? init.signal}):\n${init.output}`);
	}
	const port = await uniquePort();
	const proc = startProcess(
		path.join(pgBin, 'postgres'),
		[
			'-D',
			data,
			'-p',
			String(port),
			'-k',
			socketDir,
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=100',
		],
		{ ...asOwner, cwd: dir },
	);
	const psqlBin = path.join(pgBin, 'psql');
	const psql = async (sql, db = database) => {
		const result = await run(
			psqlBin,
			[
				'-h',
				'127.0.0.1',
				'-p',
				String(port),
				'-U',
				'postgres',
				'-d',
				db,
				'-X',
				'-A',
				'-t',
				'-q',
				'-v',
				'ON_ERROR_STOP=1',
				'-c',
				sql,
			],
			{ timeoutMs: 5 * MINUTE },
		);
		if (result.code !== 0) throw new Error(`psql failed: ${result.stderr || result.stdout}`);
		return result.stdout.replace(/\n$/, '');
	};
	const stop = async () => {
		await stopProcess(proc, 20_000);
		removeTempDir(dir);
	};
	try {
		await waitForPort(port, proc, 'postgres');
		// The port opens slightly before the server accepts queries: retry the first one.
		for (let attempt = 0; ; attempt++) {
			try {
				await psql(`CREATE DATABASE ${database}`, 'postgres');
				break;
			} catch (error) {
				if (attempt >= 20) throw error;
				await sleep(250);
			}
		}
	} catch (error) {
		await stop();
		throw error;
	}
	return { host: '127.0.0.1', port, user: 'postgres', database, pid: proc.child.pid, psql, stop };
}

export function hasPostgres(pgBin) {
	return existsSync(path.join(pgBin, 'postgres'));
}
