// The browser tier: the node as a user meets it in n8n's editor. A real n8n (the pinned release)
// with the packed package installed, the fake Kling server, and Debian's chromium driven by
// playwright-core. Run with `npm run test:browser` (.ci/run does); `npm test` does not run it.
//
// The expected actions come from the built node description (dist/), so new operations and
// resources are covered without touching this file.
import { createRequire } from 'node:module';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { cleanupTemp, projectRoot } from '../../dev/n8n.mjs';
import { KEYS, OWNER, launchChromium, screenshotDir, startStack } from './stack.mjs';

const require = createRequire(import.meta.url);
const MINUTE = 60_000;
const NODE_TYPE = 'n8n-nodes-kling.kling';
const WRONG_KEY = 'browser-test-wrong-key-000';

/** Every operation of the built node: { resource, operation, name, action }. */
function builtOperations() {
	const { Kling } = require(path.join(projectRoot, 'dist/nodes/Kling/Kling.node.js'));
	const { properties } = new Kling().description;
	const resources = properties.find((property) => property.name === 'resource').options;
	const operations = [];
	for (const property of properties.filter((p) => p.name === 'operation')) {
		const forResources = property.displayOptions?.show?.resource ?? resources.map((r) => r.value);
		for (const resource of forResources) {
			for (const option of property.options) {
				operations.push({
					resource,
					operation: option.value,
					name: option.name,
					action: option.action,
				});
			}
		}
	}
	return operations;
}

/** Whether the built node marks a reused task in its output (the cost-safety work adds it). */
// Console errors n8n's editor logs by itself in this set-up, each with why it is harmless here.
const KNOWN_NOISE = [
	{
		// The sign-in page asks who is logged in before anyone is: n8n answers 401.
		test: (entry) => / 401 /.test(entry.text) && /\/rest\/(login|me)\b/.test(entry.url ?? ''),
		why: 'current-user probe before sign-in',
	},
	{
		// The editor reaches out to n8n's own services (templates, updates, telemetry); this
		// machine has no internet, so those requests fail. Nothing of ours goes off-host.
		test: (entry) =>
			/net::ERR_|Failed to fetch/.test(entry.text) && entry.url && !isLocal(entry.url),
		why: 'n8n calling its own online services without internet',
	},
	{
		test: (entry) => /net::ERR_CERT_AUTHORITY_INVALID/.test(entry.text) && !entry.url,
		why: 'n8n calling its own online services without internet (URL not reported)',
	},
];

function isLocal(url) {
	try {
		return ['127.0.0.1', 'localhost'].includes(new URL(url).hostname);
	} catch {
		return false;
	}
}

let stack;
let context;
let page;
let shots;
let operations;
const consoleErrors = [];
const started = Date.now();

beforeAll(async () => {
	operations = builtOperations();
	shots = screenshotDir();
	process.stderr.write(`[browser] screenshots: ${shots}\n`);
	stack = await startStack();
	context = await launchChromium();
	page = context.pages()[0] ?? (await context.newPage());
	page.setDefaultTimeout(45_000);
	page.on('console', (message) => {
		if (message.type() === 'error')
			consoleErrors.push({ text: message.text(), url: message.location()?.url });
	});
	page.on('pageerror', (error) => consoleErrors.push({ text: `pageerror: ${error.message}` }));
	page.on('requestfailed', (request) => {
		// Attach the URL to the matching "Failed to load resource" console line.
		const entry = [...consoleErrors].reverse().find((e) => !e.url && /Failed to load/.test(e.text));
		if (entry) entry.url = request.url();
	});

	// Sign in through the sign-in page, as a user does.
	await page.goto(`${stack.baseUrl}/signin`);
	await page.fill('input[name=emailOrLdapLoginId]', OWNER.email);
	await page.fill('input[name=password]', OWNER.password);
	await page.click('[data-test-id=form-submit-button]');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 2 * MINUTE });
}, 20 * MINUTE);

afterAll(async () => {
	await context?.close();
	await stack?.stop();
	cleanupTemp();
	process.stderr.write(
		`[browser] tier took ${Math.round((Date.now() - started) / 1000)} s; screenshots in ${shots}\n`,
	);
}, 2 * MINUTE);

/** Runs a step; on failure saves a screenshot (path in the error) before failing. */
async function step(name, body) {
	try {
		return await body();
	} catch (error) {
		const file = path.join(shots, `FAILED-${name}.png`);
		await page?.screenshot({ path: file }).catch(() => undefined);
		error.message = `${error.message}\n[browser] screenshot: ${file}`;
		throw error;
	}
}

const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`) });

async function openWorkflow(id) {
	await page.goto(`${stack.baseUrl}/workflow/${id}`);
	await page.waitForSelector('[data-test-id=canvas-node]', { timeout: 2 * MINUTE });
}

async function createWorkflow(name, nodes, connections = {}) {
	const response = await stack.rest('POST', '/workflows', {
		name,
		nodes,
		connections,
		settings: {},
	});
	if (response.status !== 200) throw new Error(`create workflow: ${JSON.stringify(response.body)}`);
	return response.body.data.id;
}

/** Names listed in the open node panel (node creator) after typing `term`. */
async function searchPanel(term) {
	// The newest panel's search bar (a sliding panel may still be on screen for a moment).
	const search = page.locator('[data-test-id=node-creator-search-bar]').last();
	await search.fill(term);
	await page.waitForTimeout(600);
	return await page
		.locator('[data-test-id=node-creator] [data-test-id=node-creator-item-name]')
		.allInnerTexts();
}

const MANUAL_TRIGGER = {
	id: 'trigger',
	name: 'Manual',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('the Kling node in n8n 2.41.1 editor (real browser)', () => {
	it('is found in the first-step panel by "Kling", "video" and "text to video"', async () => {
		await step('first-step-search', async () => {
			await page.goto(`${stack.baseUrl}/workflow/new`);
			await page.click('[data-test-id=canvas-plus-button]', { timeout: 2 * MINUTE });
			for (const term of ['Kling', 'video', 'text to video']) {
				expect({ term, found: await searchPanel(term) }).toEqual({
					term,
					found: expect.arrayContaining(['Kling']),
				});
			}
			await searchPanel('Kling');
			await shot('1-first-step-search-kling');
		});
	});

	it('lists exactly the operations of the built node as its actions', async () => {
		await step('actions', async () => {
			await page.click(
				'[data-test-id=item-iterator-item]:has([data-test-id=node-creator-item-name]:text-is("Kling"))',
			);
			const actions = page.locator(
				`[data-test-id=item-iterator-item][data-keyboard-nav-type=action][data-keyboard-nav-id^="${NODE_TYPE}-"] [data-test-id=node-creator-item-name]`,
			);
			await actions.first().waitFor();
			const shown = await actions.allInnerTexts();
			await page.waitForTimeout(500); // let the panel finish sliding in for the screenshot
			await shot('2-actions');
			expect(shown.sort()).toEqual(operations.map((operation) => operation.action).sort());
			expect(shown).not.toEqual(expect.arrayContaining(['Standard']));
			expect(shown).not.toEqual(expect.arrayContaining(['Professional']));
		});
	});

	it('adds Text to Video from its action and opens its parameters', async () => {
		await step('add-text-to-video', async () => {
			await page.click(
				'[data-test-id=item-iterator-item][data-keyboard-nav-type=action]:has([data-test-id=node-creator-item-name]:text-is("Generate a video from text"))',
			);
			await page.locator('[data-test-id=ndv] [data-test-id=node-parameters]').waitFor();
			await expect(
				page.locator('[data-test-id=parameter-input-operation] input').inputValue(),
			).resolves.toBe('Text to Video');
			// CFG Scale belongs to the kling-v1 family only; the default model (v2.6) hides it.
			expect(await page.locator('[data-test-id=parameter-input-cfgScale]').count()).toBe(0);
		});
	});

	it('creates a credential: Test fails clearly on a wrong key and succeeds on the right one', async () => {
		await step('credential', async () => {
			await page.click('[data-test-id=ndv] button:has-text("Connect to Kling")');
			const modal = page.locator('[data-test-id=editCredential-modal]');
			await modal.locator('[data-test-id=parameter-input-apiKey] input').fill(WRONG_KEY);
			await modal.locator('[data-test-id=parameter-input-baseUrl] input').fill(stack.fake.url);
			stack.fake.reset();
			await modal.locator('[data-test-id=credential-save-button]').click();
			await modal.getByText('Couldn’t connect with these settings').waitFor();
			const moreDetails = modal.getByText('More details');
			if (await moreDetails.count()) await moreDetails.click();
			await modal.getByText('Kling rejected the key').waitFor();
			expect(await modal.innerText()).not.toContain(WRONG_KEY);
			await shot('3-credential-wrong-key');
			expect(stack.fake.log.map((entry) => entry.status)).toContain(401);

			await modal.locator('[data-test-id=parameter-input-apiKey] input').fill(KEYS.apiKey);
			stack.fake.reset();
			await modal.locator('[data-test-id=credential-save-button]').click();
			// n8n closes the dialog once the saved credential tests fine, and selects it in the node.
			await modal.waitFor({ state: 'detached' });
			expect(
				stack.fake.log.map((entry) => `${entry.method} ${entry.path} ${entry.status}`),
			).toEqual(['GET /v1/videos/text2video 200']);
			expect(stack.fake.stats().submissions).toBe(0);
			await expect(
				page
					.locator('[data-test-id=ndv] [data-test-id=node-credentials-select] input')
					.inputValue(),
			).resolves.toMatch(/Kling/);
		});
	});

	it('runs Execute step on Text to Video and shows a video/mp4 binary named kling-…', async () => {
		await step('execute-step', async () => {
			stack.fake.reset();
			await page
				.locator('[data-test-id=parameter-input-prompt] textarea')
				.fill('A red fox trotting through fresh snow at dawn');
			await page.click('[data-test-id=ndv] [data-test-id=node-execute-button]');
			const output = page.locator('[data-test-id=output-panel]');
			await output.locator('[data-test-id=radio-button-binary]').waitFor({ timeout: 2 * MINUTE });
			await output.locator('[data-test-id=radio-button-binary]').click();
			const binary = output.locator('[data-test-id=ndv-binary-data_0]');
			await binary.waitFor();
			const text = await binary.innerText();
			await shot('4-execute-step-binary');
			expect(text).toContain('video/mp4');
			expect(text).toMatch(/kling-[\w-]+\.mp4/);
			expect(stack.fake.stats().submissions).toBe(1);
		});
	});

	it(// The output says when a task was resumed instead of created (issue 9: reused, reused_created_at).
	're-running with the same inputs shows that the earlier task was reused', async () => {
		await step('reuse', async () => {
			const before = stack.fake.stats().submissions;
			await page.click('[data-test-id=ndv] [data-test-id=node-execute-button]');
			const output = page.locator('[data-test-id=output-panel]');
			// n8n's JSON view prints the item; wait for the re-run's item to say it reused the task.
			// The panel may switch back to the Binary view when the re-run's output arrives, so
			// the JSON view is chosen again on every look.
			let shown = '';
			for (const deadline = Date.now() + 2 * MINUTE; Date.now() < deadline; ) {
				await output
					.locator('[data-test-id=radio-button-json]')
					.click({ timeout: 5000 })
					.catch(() => {});
				shown = await output
					.locator('[data-test-id=ndv-data-container]')
					.innerText()
					.catch(() => '');
				if (/"reused"\s*:\s*true/.test(shown)) break;
				await page.waitForTimeout(1000);
			}
			expect(shown).toMatch(/"reused"\s*:\s*true/);
			await shot('5-reused');
			expect(stack.fake.stats().submissions).toBe(before);
		});
	});

	it('takes a model ID by expression without a "not supported" issue (a fixed-list field still shows one)', async () => {
		await step('model-expression', async () => {
			async function setExpression(name, expression) {
				await page.hover(`[data-test-id=parameter-input-${name}]`);
				await page.click(
					`[data-test-id=${name}-parameter-input-options-container] [data-test-id=radio-button-expression]`,
					{ force: true },
				);
				await page.click(`[data-test-id=parameter-input-${name}] .cm-content`);
				await page.keyboard.press('Control+a');
				await page.keyboard.insertText(expression);
				await page.locator('[data-test-id=parameter-input-prompt] textarea').click();
				await page.waitForTimeout(800);
			}
			const issuesOf = (name) =>
				page.locator(
					`[data-test-id=parameter-input]:has([data-test-id=parameter-input-${name}]) [data-test-id=parameter-issues]`,
				);
			await setExpression('model', '{{ "kling-v9-preview" }}');
			await expect(
				page.locator('[data-test-id=parameter-expression-preview-model]').innerText(),
			).resolves.toContain('kling-v9-preview');
			// Control: the same check sees the issue on a field that keeps a fixed list.
			await setExpression('aspectRatio', '{{ "21:9" }}');
			await issuesOf('aspectRatio').waitFor();
			await shot('6-model-by-expression');
			expect(await issuesOf('model').count()).toBe(0);
			expect(await issuesOf('aspectRatio').count()).toBe(1);
		});
	});

	it('is found in "What happens next?" after a trigger', async () => {
		await step('next-step-search', async () => {
			const id = await createWorkflow('Next step', [MANUAL_TRIGGER]);
			await openWorkflow(id);
			await page.click('[data-handleid="outputs/main/0"] [data-test-id=canvas-handle-plus]');
			for (const term of ['Kling', 'video', 'text to video']) {
				expect({ term, found: await searchPanel(term) }).toEqual({
					term,
					found: expect.arrayContaining(['Kling']),
				});
			}
			await shot('7-next-step-search-text-to-video');
		});
	});

	it('opens the parameter panel of every operation without errors', async () => {
		await step('every-operation', async () => {
			const errorsBefore = consoleErrors.length;
			const nodes = operations.map((operation, index) => ({
				id: `kling-${index}`,
				// Unique names: several resources have an operation called "Get Task".
				name: `Kling ${index + 1}: ${operation.resource} ${operation.name}`,
				type: NODE_TYPE,
				typeVersion: 1,
				position: [300, index * 200],
				parameters: { resource: operation.resource, operation: operation.operation },
			}));
			const id = await createWorkflow('Every operation', [MANUAL_TRIGGER, ...nodes]);
			await openWorkflow(id);
			for (const [index, operation] of operations.entries()) {
				await page
					.locator(`[data-test-id=canvas-node]:has-text("${nodes[index].name}")`)
					.first()
					.dblclick();
				const ndv = page.locator('[data-test-id=ndv]');
				await ndv.locator('[data-test-id=node-parameters]').waitFor();
				await expect(
					ndv.locator('[data-test-id=parameter-input-operation] input').inputValue(),
				).resolves.toBe(operation.name);
				// At least Resource and Operation; most operations show many more.
				expect(await ndv.locator('[data-test-id=parameter-item]').count()).toBeGreaterThanOrEqual(
					2,
				);
				await shot(`8-operation-${operation.operation}`);
				await ndv.locator('[data-test-id=ndv-close-button]').click();
				await ndv.waitFor({ state: 'hidden' });
			}
			expect(consoleErrors.slice(errorsBefore).filter(unexpected)).toEqual([]);
		});
	});

	it("finds the Kling Tool in an AI Agent's tool picker", async () => {
		await step('agent-tool', async () => {
			const id = await createWorkflow(
				'Agent',
				[
					{
						id: 'chat',
						name: 'Chat',
						type: '@n8n/n8n-nodes-langchain.chatTrigger',
						typeVersion: 1.1,
						position: [0, 0],
						parameters: {},
						webhookId: 'kling-browser-chat',
					},
					{
						id: 'agent',
						name: 'AI Agent',
						type: '@n8n/n8n-nodes-langchain.agent',
						typeVersion: 2,
						position: [300, 0],
						parameters: {},
					},
				],
				{ Chat: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] } },
			);
			await openWorkflow(id);
			// The Tool input's "+" opens the tool picker (a panel titled "Tools"). Right after the
			// canvas loads a click can land before the handles are wired up; then try again.
			// While panels slide, two headers can be on screen; wait for the one titled "Tools".
			const toolsHeader = page
				.locator('[data-test-id=node-creator] [data-test-id=nodes-list-header]')
				.filter({ hasText: /^\s*Tools/ });
			for (let attempt = 1; ; attempt++) {
				await page.waitForTimeout(1000);
				await page.click('[data-handleid="inputs/ai_tool/0"] [data-test-id=canvas-handle-plus]');
				const opened = await toolsHeader
					.first()
					.waitFor({ timeout: 15_000 })
					.then(() => true)
					.catch(() => false);
				if (opened) break;
				if (attempt === 3)
					throw new Error('The Tool "+" of the AI Agent did not open the Tools panel');
				await page.keyboard.press('Escape');
			}
			await page.waitForTimeout(800);
			const found = await searchPanel('Kling');
			await shot('9-agent-tool-picker');
			expect(found).toContain('Kling Tool');
		});
	});

	it('logged no unexpected console errors', () => {
		const unexpectedErrors = consoleErrors.filter(unexpected);
		if (unexpectedErrors.length)
			process.stderr.write(`${JSON.stringify(unexpectedErrors, null, 2)}\n`);
		expect(unexpectedErrors).toEqual([]);
	});
});

function unexpected(entry) {
	return !KNOWN_NOISE.some((noise) => noise.test(entry));
}
