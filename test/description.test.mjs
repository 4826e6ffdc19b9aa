// The node and credential descriptions as n8n loads them from the package (n8n-core's
// PackageDirectoryLoader, the loader n8n uses for community packages), and as an AI agent sees
// the node once n8n has turned it into a tool.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { beforeAll, describe, expect, it } from '@jest/globals';

import { loadPackage, projectRoot } from '../dev/engine.mjs';

const require = createRequire(import.meta.url);
const workflow = require('n8n-workflow');
const { NodeConnectionTypes, NodeHelpers, deepCopy, nodeNameToToolName } = workflow;
const { createNodeAsTool } = require(
	path.join(
		path.dirname(require.resolve('n8n-core')),
		'execution-engine/node-execution-context/utils/create-node-as-tool.js',
	),
);

const OPERATIONS = [
	'avatar',
	'extendVideo',
	'getTask',
	'imageToVideo',
	'lipSync',
	'motionControl',
	'multiImageToVideo',
	'omniVideo',
	'textToVideo',
	'turboImageToVideo',
	'turboTextToVideo',
	'videoEffects',
];
const CREATE_OPERATIONS = ['textToVideo', 'imageToVideo', 'multiImageToVideo'];
const CAMEL_CASE = /^[a-z][a-zA-Z0-9]*$/;

let loader;
let description;
let credential;
beforeAll(async () => {
	loader = await loadPackage();
	description = loader.nodeTypes.kling.type.description;
	credential = loader.credentialTypes.klingApi.type;
});

const operationProperty = () =>
	description.properties.find((property) => property.name === 'operation');

/** Top-level properties shown for one operation (displayOptions on resource/operation only). */
function propertiesFor(operation) {
	return description.properties.filter((property) => {
		const show = property.displayOptions?.show;
		if (!show) return true;
		if (show.resource && !show.resource.includes('video')) return false;
		if (show.operation && !show.operation.includes(operation)) return false;
		return true;
	});
}

/** Every parameter, nested ones included, with a readable path. */
function walk(properties, visit, trail = []) {
	for (const property of properties) {
		const here = [...trail, property.name];
		visit(property, here.join('.'));
		if (property.type === 'collection' && Array.isArray(property.options))
			walk(property.options, visit, here);
		if (property.type === 'fixedCollection' && Array.isArray(property.options)) {
			for (const group of property.options) walk(group.values ?? [], visit, [...here, group.name]);
		}
	}
}

const isShown = (property) => !['hidden', 'notice', 'callout'].includes(property.type);
/** Resource and Operation are chosen by the user; an agent cannot set them (noDataExpression). */
const isFixedByUser = (property) =>
	property.noDataExpression === true && ['resource', 'operation'].includes(property.name);
/** An "Options" collection is a container; the agent fills its entries, which are checked one by one. */
const isContainer = (property) => property.type === 'collection';
/** Added by n8n's loader to every declarative node; not ours to describe. */
const isAddedByN8n = (where) => where === 'requestOptions' || where.startsWith('requestOptions.');

describe('node description as loaded by n8n', () => {
	it('is the package node "kling" (n8n-nodes-kling.kling), usable as a tool', () => {
		expect(loader.packageName).toBe('n8n-nodes-kling');
		expect(Object.keys(loader.nodeTypes)).toEqual(['kling']);
		expect(description.name).toBe('kling');
		expect(description.displayName).toBe('Kling');
		expect(description.usableAsTool).toBe(true);
		expect(description.version).toBe(1);
		expect(description.inputs).toEqual([NodeConnectionTypes.Main]);
		expect(description.outputs).toEqual([NodeConnectionTypes.Main]);
		expect(description.credentials).toEqual([{ name: 'klingApi', required: true }]);
		expect(typeof description.description).toBe('string');
		expect(description.description.length).toBeGreaterThan(20);
		expect(description.requestDefaults.baseURL).toMatch(/^=\{\{.*\$credentials\.baseUrl/);
	});

	it('has exactly the video operations (legacy /v1 API, talking video and the new API), each with an action and routing', () => {
		const operation = operationProperty();
		expect(operation.noDataExpression).toBe(true);
		expect(operation.options.map((option) => option.value).sort()).toEqual(OPERATIONS);
		expect(OPERATIONS).toContain(operation.default);
		for (const option of operation.options) {
			expect(typeof option.action).toBe('string');
			expect(option.action.trim()).not.toBe('');
			expect(option.action).toMatch(/^[A-Z][a-z]/); // sentence case, as n8n lists actions
			expect(typeof option.description).toBe('string');
			expect(option.routing?.request?.method).toMatch(/^(GET|POST)$/);
			// Legacy operations on /v1/videos/…; Kling 3.0 Turbo on the new API's /<operation>/<model>.
			expect(option.routing.request.url).toMatch(
				/\/v1\/videos\/|^=\/(text|image)-to-video\/\{\{ \$parameter\.model \}\}$/,
			);
			expect(Array.isArray(option.routing.send?.preSend)).toBe(true);
			expect(option.routing.send.preSend.every((hook) => typeof hook === 'function')).toBe(true);
			expect(option.routing.output?.postReceive?.every((hook) => typeof hook === 'function')).toBe(
				true,
			);
		}
		const byValue = Object.fromEntries(operation.options.map((option) => [option.value, option]));
		expect(byValue.textToVideo.routing.request).toMatchObject({
			method: 'POST',
			url: '/v1/videos/text2video',
		});
		expect(byValue.imageToVideo.routing.request).toMatchObject({
			method: 'POST',
			url: '/v1/videos/image2video',
		});
		expect(byValue.multiImageToVideo.routing.request).toMatchObject({
			method: 'POST',
			url: '/v1/videos/multi-image2video',
		});
		expect(byValue.getTask.routing.request.method).toBe('GET');
		expect(new Set(operation.options.map((option) => option.action)).size).toBe(OPERATIONS.length);
	});

	it('has the resources account, image, video and voice', () => {
		const resource = description.properties.find((property) => property.name === 'resource');
		expect(resource.options.map((option) => option.value)).toEqual([
			'account',
			'image',
			'video',
			'voice',
		]);
		expect(resource.default).toBe('video');
	});

	it('gives every visible top-level parameter a non-empty description (an AI agent fills them from it)', () => {
		const missing = [];
		for (const property of description.properties) {
			if (
				!isShown(property) ||
				isFixedByUser(property) ||
				isContainer(property) ||
				isAddedByN8n(property.name)
			)
				continue;
			if (typeof property.description !== 'string' || property.description.trim() === '')
				missing.push(property.name);
		}
		expect(missing).toEqual([]);
	});

	it('gives every visible nested parameter (inside Options, Images, Camera Control) a non-empty description', () => {
		const missing = [];
		for (const top of description.properties) {
			if (!['collection', 'fixedCollection'].includes(top.type)) continue;
			walk([top], (property, where) => {
				if (
					where === top.name ||
					!isShown(property) ||
					isContainer(property) ||
					isAddedByN8n(where)
				)
					return;
				if (typeof property.description !== 'string' || property.description.trim() === '')
					missing.push(where);
			});
		}
		expect([...new Set(missing)]).toEqual([]);
	});

	it('names every parameter in camelCase, and the resource/operation values too', () => {
		const bad = [];
		walk(description.properties, (property, where) => {
			if (!CAMEL_CASE.test(property.name)) bad.push(where);
		});
		for (const name of ['resource', 'operation']) {
			for (const option of description.properties.find((property) => property.name === name)
				.options) {
				if (!CAMEL_CASE.test(option.value)) bad.push(`${name}=${option.value}`);
			}
		}
		// Other option values are Kling's own API values (model ids, 'std', '16:9', 'image2video'…) and
		// are sent as they are, so they keep Kling's spelling.
		expect(bad).toEqual([]);
	});

	it('shows each parameter name at most once per operation (one $fromAI key each)', () => {
		for (const operation of OPERATIONS) {
			const names = propertiesFor(operation).map((property) => property.name);
			expect(names.length).toBe(new Set(names).size);
		}
	});

	it('has a default that is one of the options for every options parameter', () => {
		walk(description.properties, (property, where) => {
			if (
				property.type !== 'options' ||
				property.typeOptions?.loadOptionsMethod ||
				(typeof property.default === 'string' && property.default.startsWith('='))
			)
				return;
			const values = property.options.map((option) => option.value);
			if (!values.includes(property.default))
				throw new Error(`${where}: default ${property.default} is not one of ${values.join(', ')}`);
		});
	});

	it('offers for each create operation only models that can do it, with descriptions', () => {
		const kinds = {
			textToVideo: 'text2video',
			imageToVideo: 'image2video',
			multiImageToVideo: 'multi-image2video',
		};
		const { MODELS } = require(path.join(projectRoot, 'dist/nodes/Kling/shared/models.js'));
		for (const operation of CREATE_OPERATIONS) {
			const model = propertiesFor(operation).find((property) => property.name === 'model');
			expect(model.routing.send).toMatchObject({ type: 'body', property: 'model_name' });
			for (const option of model.options) {
				expect(MODELS[option.value].kinds).toContain(kinds[operation]);
				expect(option.description.trim()).not.toBe('');
			}
		}
	});

	it("sends the create parameters under Kling's body field names", () => {
		const expected = {
			model: 'model_name',
			prompt: 'prompt',
			negativePrompt: 'negative_prompt',
			mode: 'mode',
			duration: 'duration',
			aspectRatio: 'aspect_ratio',
			cfgScale: 'cfg_scale',
		};
		for (const operation of CREATE_OPERATIONS) {
			for (const property of propertiesFor(operation)) {
				if (expected[property.name]) {
					expect(property.routing?.send).toEqual({
						type: 'body',
						property: expected[property.name],
					});
				}
			}
		}
		const textToVideo = propertiesFor('textToVideo').map((property) => property.name);
		expect(textToVideo).toEqual(
			expect.arrayContaining([
				'model',
				'prompt',
				'negativePrompt',
				'mode',
				'duration',
				'aspectRatio',
				'cfgScale',
				'waitForCompletion',
				'options',
			]),
		);
		expect(propertiesFor('imageToVideo').map((property) => property.name)).not.toContain(
			'aspectRatio',
		);
		expect(propertiesFor('getTask').map((property) => property.name)).toEqual(
			expect.arrayContaining(['taskId', 'taskKind', 'waitForCompletion', 'options']),
		);
	});

	it("got n8n's declarative Request Options (batching, proxy, timeout, allowUnauthorizedCerts) from the loader", () => {
		const requestOptions = description.properties.find(
			(property) => property.name === 'requestOptions',
		);
		expect(requestOptions).toBeDefined();
		expect(requestOptions.type).toBe('collection');
		expect(requestOptions.isNodeSetting).toBe(true);
		expect(requestOptions.options.map((option) => option.name).sort()).toEqual([
			'allowUnauthorizedCerts',
			'batching',
			'proxy',
			'timeout',
		]);
		expect(description.properties.at(-1)).toBe(requestOptions);
	});

	it('carries the codex from Kling.node.json: a Marketing node with search aliases', () => {
		const codexFile = JSON.parse(
			readFileSync(path.join(projectRoot, 'dist/nodes/Kling/Kling.node.json'), 'utf8'),
		);
		expect(codexFile.node).toBe('n8n-nodes-kling.kling');
		expect(description.codex.categories).toEqual(['Marketing']);
		expect(description.codex.alias).toEqual(
			expect.arrayContaining(['Kling', 'video', 'text to video', 'image to video']),
		);
		expect(description.codex.resources.primaryDocumentation[0].url).toMatch(/^https:\/\//);
		expect(description.codex.resources.credentialDocumentation[0].url).toMatch(/^https:\/\//);
	});
});

// What n8n 2.41.1's editor does with a node description in its node panel (node creator), restated
// from its source so a description change that would hide the node or invent actions fails here;
// test/browser/ checks the same things in the real editor.
const AI = 'AI';
const ROOT_NODES = 'Root Nodes';

describe('in the editor (n8n 2.41.1 node panel rules)', () => {
	it('is not hidden from the normal node search: an "AI" node must be a root node to be listed there', () => {
		// The normal panel drops nodes whose codex has the AI category unless their AI subcategories
		// include "Root Nodes" (it hid the node from "Kling" searches before).
		const { categories = [], subcategories = {} } = description.codex;
		const hiddenFromSearch =
			categories.includes(AI) && !(subcategories[AI] ?? []).includes(ROOT_NODES);
		expect(hiddenFromSearch).toBe(false);
	});

	it('lists only its operations as actions: no parameter becomes a fake action', () => {
		// For nodes in the AI category the panel turns a top-level parameter named "mode" into one
		// action per option (that made "Standard" and "Professional" actions before).
		const modeAsActions =
			description.codex.categories.includes(AI) &&
			description.properties.some(
				(property) => property.name.toLowerCase() === 'mode' && Array.isArray(property.options),
			);
		expect(modeAsActions).toBe(false);
		expect(operationProperty().options.map((option) => option.action)).toEqual([
			'Extend a video',
			'Get a video task',
			'Generate a video from an image',
			'Generate a turbo video from an image',
			'Generate a turbo video from text',
			'Move a character like a reference video',
			'Generate a video from reference images',
			'Generate an omni video from references',
			'Generate a video from text',
			'Make a person in a video say new words',
			'Make a talking video from a photo',
			'Apply a video effect to images',
		]);
	});

	it('every model field, on every resource, accepts a model ID by expression without an issue', () => {
		const models = description.properties.filter((property) => property.name === 'model');
		expect(models.length).toBeGreaterThanOrEqual(10);
		for (const model of models) {
			expect([model.displayOptions.show, model.allowArbitraryValues]).toEqual([
				model.displayOptions.show,
				true,
			]);
		}
	});

	it('accepts any model ID (by expression) without a "value is not supported" issue, sent as a plain string', () => {
		for (const operation of CREATE_OPERATIONS) {
			const model = propertiesFor(operation).find((property) => property.name === 'model');
			// The editor skips its "The value … is not supported!" check for options that allow arbitrary values.
			expect(model).toMatchObject({ type: 'options', allowArbitraryValues: true });
			expect(typeof model.default).toBe('string');
			expect(model.routing.send).toEqual({ type: 'body', property: 'model_name' });
		}
	});

	it('shows CFG Scale only for the models that use it (kling-v1 family), without asking to keep 0.5', () => {
		const { MODELS } = require(path.join(projectRoot, 'dist/nodes/Kling/shared/models.js'));
		const users = Object.keys(MODELS).filter((id) => MODELS[id].cfgScale);
		expect(users.sort()).toEqual(['kling-v1', 'kling-v1-5', 'kling-v1-6']);
		for (const operation of CREATE_OPERATIONS) {
			const cfg = propertiesFor(operation).find((property) => property.name === 'cfgScale');
			expect(cfg.displayOptions.show.model.sort()).toEqual(users);
			expect(cfg.description).not.toMatch(/leave it at|keep it at|stay at/i);
		}
		const shown = (model, operation) =>
			NodeHelpers.displayParameter(
				{ resource: 'video', operation, model },
				propertiesFor(operation).find((property) => property.name === 'cfgScale'),
				{ typeVersion: 1 },
				description,
			);
		expect(shown('kling-v1-6', 'textToVideo')).toBe(true);
		expect(shown('kling-v2-6', 'textToVideo')).toBe(false);
		expect(shown('kling-v1-6', 'multiImageToVideo')).toBe(true);
	});

	it('hides Mode for Master models, which have one fixed quality', () => {
		const shown = (model) =>
			NodeHelpers.displayParameter(
				{ resource: 'video', operation: 'textToVideo', model },
				propertiesFor('textToVideo').find((property) => property.name === 'mode'),
				{ typeVersion: 1 },
				description,
			);
		expect(shown('kling-v2-master')).toBe(false);
		expect(shown('kling-v2-1-master')).toBe(false);
		expect(shown('kling-v2-6')).toBe(true);
		expect(shown('={{ $json.model }}')).toBe(true);
	});

	it("does not tell Get Task's user to fetch the task later with Get Task", () => {
		const texts = [];
		walk(propertiesFor('getTask'), (property, where) => {
			if (where === 'operation' || where === 'resource') return;
			texts.push(`${where}: ${property.description ?? ''}`);
		});
		expect(texts.filter((text) => /with Get Task/i.test(text))).toEqual([]);
		const wait = propertiesFor('getTask').find((property) => property.name === 'waitForCompletion');
		expect(wait.description).toMatch(/current status/);
	});

	it('names one default model per operation, and only that model is described as the default', () => {
		for (const operation of CREATE_OPERATIONS) {
			const model = propertiesFor(operation).find((property) => property.name === 'model');
			for (const option of model.options) {
				const claimsDefault = /\bdefault\b/i.test(option.description);
				if (claimsDefault) expect(option.value).toBe(model.default);
			}
		}
	});

	it('has a simple subtitle expression: operation and resource', () => {
		expect(description.subtitle).toBe(
			'={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		);
	});
});

describe('icons', () => {
	const svg = (file) => readFileSync(file, 'utf8');

	it('ships a light and a dark SVG in dist/icons', () => {
		for (const name of ['kling.svg', 'kling.dark.svg']) {
			const file = path.join(projectRoot, 'dist/icons', name);
			expect(existsSync(file)).toBe(true);
			expect(svg(file)).toMatch(/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/);
			expect(svg(file)).toMatch(/viewBox="0 0 \d+ \d+"/);
			expect(svg(file).trim()).toMatch(/<\/svg>$/);
		}
		expect(svg(path.join(projectRoot, 'dist/icons/kling.svg'))).not.toBe(
			svg(path.join(projectRoot, 'dist/icons/kling.dark.svg')),
		);
	});

	it('resolves the node and credential icon paths (as written in the classes) to existing files', () => {
		const { Kling } = require(path.join(projectRoot, 'dist/nodes/Kling/Kling.node.js'));
		const { KlingApi } = require(
			path.join(projectRoot, 'dist/credentials/KlingApi.credentials.js'),
		);
		const cases = [
			[new Kling().description.icon, path.join(projectRoot, 'dist/nodes/Kling')],
			[new KlingApi().icon, path.join(projectRoot, 'dist/credentials')],
		];
		for (const [icon, directory] of cases) {
			for (const theme of ['light', 'dark']) {
				expect(icon[theme]).toMatch(/^file:.+\.svg$/);
				expect(existsSync(path.resolve(directory, icon[theme].slice('file:'.length)))).toBe(true);
			}
		}
	});

	it('has icon URLs from the loader that point at those files', () => {
		for (const iconUrl of [description.iconUrl, credential.iconUrl]) {
			for (const theme of ['light', 'dark']) {
				const prefix = `icons/${loader.packageName}/`;
				expect(iconUrl[theme].startsWith(prefix)).toBe(true);
				expect(existsSync(path.join(projectRoot, iconUrl[theme].slice(prefix.length)))).toBe(true);
			}
		}
	});
});

describe('credential description', () => {
	const field = (name) => credential.properties.find((property) => property.name === name);

	it('is klingApi, supported by the node', () => {
		expect(credential.name).toBe('klingApi');
		expect(credential.displayName).toBe('Kling API');
		expect(credential.documentationUrl).toMatch(/^https:\/\//);
		expect(loader.known.credentials.klingApi.supportedNodes).toEqual(['kling']);
	});

	it('has authType, apiKey, accessKey, secretKey and baseUrl, with the secrets as password fields', () => {
		expect(credential.properties.map((property) => property.name)).toEqual([
			'authType',
			'apiKey',
			'accessKey',
			'secretKey',
			'baseUrl',
		]);
		expect(field('authType').options.map((option) => option.value)).toEqual([
			'apiKey',
			'accessKey',
		]);
		expect(field('authType').default).toBe('apiKey');
		expect(field('apiKey').typeOptions).toEqual({ password: true });
		expect(field('secretKey').typeOptions).toEqual({ password: true });
		expect(field('apiKey').displayOptions.show.authType).toEqual(['apiKey']);
		expect(field('accessKey').displayOptions.show.authType).toEqual(['accessKey']);
		expect(field('secretKey').displayOptions.show.authType).toEqual(['accessKey']);
		expect(field('baseUrl').default).toBe('https://api-singapore.klingai.com');
		for (const property of credential.properties)
			expect(property.description ?? property.options).toBeTruthy();
	});

	it('has a test request that lists one task (free) on the configured base URL', () => {
		expect(typeof credential.authenticate).toBe('function');
		expect(credential.test.request).toMatchObject({
			method: 'GET',
			url: '/v1/videos/text2video',
			qs: { pageNum: 1, pageSize: 1 },
		});
		expect(credential.test.request.baseURL).toMatch(/\$credentials\.baseUrl/);
		expect(credential.test.rules.map((rule) => [rule.type, rule.properties.value])).toEqual([
			['responseCode', 401],
			['responseCode', 403],
			['responseCode', 404],
		]);
	});
});

// n8n 2.x turns every `usableAsTool` node into a "<name>Tool" node when it loads node types. That
// conversion (convertNodeToAiTool / createAiTools) lives in n8n's CLI package, not in the
// n8n-workflow or n8n-core versions this package builds against, so the test restates what it
// does to a description; the description an agent reads and the tool schema are then produced by
// the n8n-workflow and n8n-core functions n8n itself calls (getToolDescriptionForNode, createNodeAsTool).
function findConvertNodeToAiTool() {
	return workflow.convertNodeToAiTool ?? workflow.NodeHelpers?.convertNodeToAiTool;
}

function convertAsN8nCliDoes(item) {
	const found = findConvertNodeToAiTool();
	if (found) return found(item);
	const tool = item.description;
	tool.name = `${tool.name}Tool`;
	tool.displayName = `${tool.displayName} Tool`;
	tool.inputs = [];
	tool.outputs = [NodeConnectionTypes.AiTool];
	delete tool.usableAsTool;
	if (!tool.properties.some((property) => property.name === 'toolDescription')) {
		const hasResourceOrOperation = tool.properties.some((property) =>
			['resource', 'operation'].includes(property.name),
		);
		const toolDescription = {
			displayName: 'Description',
			name: 'toolDescription',
			type: 'string',
			default: tool.description,
			required: true,
			typeOptions: { rows: 2 },
			description: 'Explain to the LLM what this tool does',
			...(hasResourceOrOperation
				? { displayOptions: { show: { descriptionType: ['manual'] } } }
				: {}),
		};
		const added = hasResourceOrOperation
			? [
					{
						displayName: 'Tool Description',
						name: 'descriptionType',
						type: 'options',
						noDataExpression: true,
						options: [
							{
								name: 'Set Automatically',
								value: 'auto',
								description: 'Automatically set based on resource and operation',
							},
							{
								name: 'Set Manually',
								value: 'manual',
								description: 'Manually set the description',
							},
						],
						default: 'auto',
					},
					toolDescription,
				]
			: [toolDescription];
		tool.properties.unshift(...added);
	}
	tool.codex = {
		categories: ['AI'],
		subcategories: { AI: ['Tools'], Tools: tool.codex?.subcategories?.Tools ?? ['Other Tools'] },
		resources: tool.codex?.resources ?? {},
		...(tool.codex?.alias ? { alias: tool.codex.alias } : {}),
	};
	return item;
}

describe('valid as an AI agent tool', () => {
	let tool;
	beforeAll(() => {
		tool = convertAsN8nCliDoes({ description: deepCopy(description) }).description;
	});

	it('n8n-workflow 2.x has no convertNodeToAiTool; it uses the tool helpers of n8n-workflow and n8n-core', () => {
		// Documents where the conversion lives for this n8n version (see the comment above).
		expect(typeof NodeHelpers.getToolDescriptionForNode).toBe('function');
		expect(typeof NodeHelpers.makeDescription).toBe('function');
		expect(typeof createNodeAsTool).toBe('function');
		expect(typeof nodeNameToToolName).toBe('function');
	});

	it('converts to a well-formed tool description: name ends in Tool, ai_tool output, toolDescription added, our parameters kept', () => {
		expect(tool.name).toBe('klingTool');
		expect(tool.name.endsWith('Tool')).toBe(true);
		expect(tool.displayName).toBe('Kling Tool');
		expect(tool.inputs).toEqual([]);
		expect(tool.outputs).toEqual([NodeConnectionTypes.AiTool]);
		expect(tool.usableAsTool).toBeUndefined();
		const toolDescription = tool.properties.find((property) => property.name === 'toolDescription');
		expect(toolDescription).toMatchObject({
			type: 'string',
			required: true,
			default: description.description,
		});
		expect(tool.properties.find((property) => property.name === 'descriptionType')?.default).toBe(
			'auto',
		);
		const ours = description.properties.map((property) => property.name);
		expect(
			tool.properties
				.map((property) => property.name)
				.filter((name) => !['toolDescription', 'descriptionType'].includes(name)),
		).toEqual(ours);
		expect(tool.credentials).toEqual(description.credentials);
		expect(tool.requestDefaults).toEqual(description.requestDefaults);
		expect(tool.codex.categories).toEqual(['AI']);
		expect(tool.codex.subcategories.AI).toEqual(['Tools']);
		// Listed in the AI Agent's tool picker (AI → Tools → Other Tools), whatever the node's own codex.
		expect(tool.codex.subcategories.Tools).toEqual(['Other Tools']);
		// The original description is untouched.
		expect(description.name).toBe('kling');
		expect(description.usableAsTool).toBe(true);
	});

	it('gives the agent one clear, distinct description per operation (from the actions)', () => {
		const texts = OPERATIONS.map((operation) =>
			NodeHelpers.getToolDescriptionForNode(
				{ parameters: { resource: 'video', operation, descriptionType: 'auto' } },
				{ description: tool },
			),
		);
		expect(texts).toEqual([
			'Make a talking video from a photo in Kling',
			'Extend a video in Kling',
			'Get a video task in Kling',
			'Generate a video from an image in Kling',
			'Make a person in a video say new words in Kling',
			'Move a character like a reference video in Kling',
			'Generate a video from reference images in Kling',
			'Generate an omni video from references in Kling',
			'Generate a video from text in Kling',
			'Generate a turbo video from an image in Kling',
			'Generate a turbo video from text in Kling',
			'Apply a video effect to images in Kling',
		]);
		const manual = NodeHelpers.getToolDescriptionForNode(
			{
				parameters: {
					resource: 'video',
					operation: 'textToVideo',
					descriptionType: 'manual',
					toolDescription: 'Make a short clip',
				},
			},
			{ description: tool },
		);
		expect(manual).toBe('Make a short clip');
	});

	it('builds a LangChain tool whose schema holds the parameters the agent fills with $fromAI', async () => {
		const loaded = loader.nodeTypes.kling.type;
		const node = {
			id: 'tool-1',
			name: 'Kling video',
			type: 'n8n-nodes-kling.klingTool',
			typeVersion: 1,
			position: [0, 0],
			parameters: {
				resource: 'video',
				operation: 'textToVideo',
				descriptionType: 'auto',
				prompt: "={{ $fromAI('prompt', 'What the video should show', 'string') }}",
				aspectRatio: "={{ $fromAI('aspectRatio', 'One of 16:9, 9:16, 1:1', 'string') }}",
				duration: "={{ $fromAI('duration', '5 or 10 seconds', 'string') }}",
			},
		};
		const calls = [];
		const { response } = createNodeAsTool({
			node,
			nodeType: { ...loaded, description: tool },
			handleToolInvocation: async (args) => {
				calls.push(args);
				return 'ok';
			},
		});
		expect(response.name).toBe(nodeNameToToolName(node));
		expect(response.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
		expect(response.description).toBe('Generate a video from text in Kling');
		expect(Object.keys(response.schema.shape).sort()).toEqual([
			'aspectRatio',
			'duration',
			'prompt',
		]);
		expect(
			await response.invoke({ prompt: 'A fox in the snow', aspectRatio: '9:16', duration: '5' }),
		).toBe('ok');
		expect(calls).toEqual([{ prompt: 'A fox in the snow', aspectRatio: '9:16', duration: '5' }]);
	});
});
