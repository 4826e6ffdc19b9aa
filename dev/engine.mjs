// Runs the packaged Kling node through n8n's own execution engine (n8n-core's
// WorkflowExecute → RoutingNode), exactly as n8n loads a community package: the node and
// credential come from dist/ through n8n-core's PackageDirectoryLoader.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// n8n's packages are loaded as CommonJS, as n8n itself does (n8n-workflow's ESM build does not
// load natively) — and so that the node, n8n-core and the tests share one n8n-workflow.
const require = createRequire(import.meta.url);
// Temporary folders of this process, removed when it exits.
const temporary = [];
process.once('exit', () =>
	temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })),
);
function temporaryDir(prefix) {
	const dir = mkdtempSync(path.join(tmpdir(), prefix));
	temporary.push(dir);
	return dir;
}

// n8n's own logger would print every node error of the error-path tests; they assert them instead.
process.env.N8N_LOG_LEVEL ??= 'silent';
// n8n-core keeps instance settings in a user folder; never touch the real ~/.n8n from tests.
process.env.N8N_USER_FOLDER ??= temporaryDir('kling-n8n-user-');
const {
	BinaryDataService,
	ExecutionLifecycleHooks,
	PackageDirectoryLoader,
	RoutingNode,
	WorkflowExecute,
} = require('n8n-core');
const { ICredentialsHelper, Workflow } = require('n8n-workflow');
// The dependency-injection container n8n-core itself uses (its own copy of @n8n/di).
const { Container } = createRequire(require.resolve('n8n-core'))('@n8n/di');

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const KLING_TYPE = 'n8n-nodes-kling.kling';

let loaderPromise;
export async function loadPackage(directory = projectRoot) {
	loaderPromise ??= (async () => {
		const loader = new PackageDirectoryLoader(directory);
		await loader.loadAll();
		return loader;
	})();
	return await loaderPromise;
}

class NodeTypes {
	constructor(loader) {
		this.loader = loader;
	}
	getByName(type) {
		return this.getByNameAndVersion(type);
	}
	getByNameAndVersion(type) {
		const name = type.replace(`${this.loader.packageName}.`, '');
		const loaded = this.loader.nodeTypes[name];
		if (!loaded) throw new Error(`Unknown node type ${type}`);
		const nodeType = loaded.type;
		// As n8n's own NodeTypes does (packages/cli node-types.ts): a declarative node runs
		// through RoutingNode inside an execute() whose context carries the cancel signal.
		if (!nodeType.execute && nodeType.description.requestDefaults !== undefined) {
			nodeType.execute = async function () {
				return (await new RoutingNode(this, nodeType).runNode()) ?? [];
			};
		}
		return nodeType;
	}
	getKnownTypes() {
		return {};
	}
}

class CredentialsHelper extends ICredentialsHelper {
	constructor(loader, credentials) {
		super();
		this.loader = loader;
		this.credentials = credentials;
	}
	getParentTypes() {
		return [];
	}
	isCredentialUsableByNode() {
		return true;
	}
	async authenticate(credentials, typeName, requestOptions) {
		const type = this.loader.credentialTypes[typeName].type;
		return typeof type.authenticate === 'function'
			? await type.authenticate(credentials, requestOptions)
			: requestOptions;
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials() {
		throw new Error('not used');
	}
	async getDecrypted(_additionalData, _nodeCredentials, type) {
		return { ...(this.credentials[type] ?? {}) };
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties() {
		return [];
	}
}

let binaryModeInUse;
/** n8n stores binary data in memory ('default') or on disk ('filesystem', n8n 2.x's default). */
export async function useBinaryDataMode(mode = 'filesystem', storagePath) {
	if (binaryModeInUse?.mode === mode) return binaryModeInUse.service;
	const localStoragePath = storagePath ?? temporaryDir('kling-binary-');
	const logger = {
		debug() {},
		info() {},
		warn() {},
		error() {},
		scoped() {
			return logger;
		},
	};
	const errorReporter = { error() {}, warn() {}, info() {} };
	const service = new BinaryDataService(
		{ mode, localStoragePath, signingSecret: 'test-signing-secret' },
		errorReporter,
		logger,
	);
	await service.init();
	Container.set(BinaryDataService, service);
	binaryModeInUse = { mode, service, localStoragePath };
	return service;
}

let executionCounter = 0;

/**
 * Executes one Kling node with the given input items and returns its output items (or the
 * error that stopped the run). `onStarted(cancel)` receives a function that stops the run
 * the way the editor's Stop button does.
 */
export async function runKling({
	parameters,
	items = [{ json: {} }],
	credentials,
	continueOnFail = false,
	executionId = `test-${++executionCounter}`,
	workflowId = 'wf-test',
	nodeId = 'kling-node-1',
	onStarted,
}) {
	const loader = await loadPackage();
	if (!binaryModeInUse) await useBinaryDataMode('filesystem');
	const node = {
		id: nodeId,
		name: 'Kling',
		type: KLING_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { klingApi: { id: 'cred-1', name: 'Kling account' } },
		...(continueOnFail ? { onError: 'continueRegularOutput' } : {}),
	};
	const workflowData = {
		id: workflowId,
		name: 'Kling test',
		nodes: [node],
		connections: {},
		active: false,
		settings: {},
	};
	const workflow = new Workflow({
		id: workflowId,
		name: workflowData.name,
		nodes: [node],
		connections: {},
		nodeTypes: new NodeTypes(loader),
		active: false,
		settings: {},
	});
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
	let resolveFinished;
	const finished = new Promise((resolve) => (resolveFinished = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveFinished(run));
	const additionalData = {
		executionId,
		hooks,
		credentialsHelper: new CredentialsHelper(loader, { klingApi: credentials }),
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		currentNodeParameters: undefined,
		variables: {},
		userId: 'user-1',
		executionTimeoutTimestamp: undefined,
		setExecutionStatus() {},
		sendDataToUI() {},
		logAiEvent() {},
	};
	const runExecutionData = {
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: null,
			nodeExecutionStack: [{ node, data: { main: [items] }, source: null }],
		},
	};
	const execution = new WorkflowExecute(
		additionalData,
		'manual',
		runExecutionData,
	).processRunExecutionData(workflow);
	onStarted?.(() => execution.cancel());
	// A cancelled execution never settles its promise; the workflowExecuteAfter hook always runs.
	execution.catch(() => undefined);
	const run = await finished;
	const nodeRun = run.data.resultData.runData.Kling?.[0];
	return {
		run,
		items: nodeRun?.data?.main?.[0] ?? [],
		error: run.data.resultData.error ?? nodeRun?.error,
		status: run.status,
	};
}

/** Reads a binary property of an output item, in either storage mode. */
export async function readBinary(binary) {
	const service = Container.get(BinaryDataService);
	return await service.getAsBuffer(binary);
}
