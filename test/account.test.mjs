// The Account resource through n8n's engine against the fake Kling server: resource packs
// (double-wrapped answer, QPS ≤ 1 across items and executions), task costs with cursor paging,
// costs of the tasks of the input items, and the charge every task output carries.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { createRequire } from 'node:module';
import path from 'node:path';

import { DEFAULT_PACKS } from '../dev/fake-kling/kinds/account.mjs';
import { loadPackage, projectRoot, runKling } from '../dev/engine.mjs';
import {
	SECRETS,
	apiKeyCredentials,
	expectNoSecrets,
	rows,
	startFake,
	textToVideo,
	useFastRetries,
} from '../dev/kling.mjs';

const DAY = 24 * 60 * 60 * 1000;
const require = createRequire(import.meta.url);
const account = require(path.join(projectRoot, 'dist/nodes/Kling/shared/account.js'));

let fake;
beforeAll(async () => {
	useFastRetries();
	fake = await startFake();
});
afterAll(async () => await fake.close());
beforeEach(async () => {
	fake.reset();
	// The fake remembers the last /account/costs call across resets: start each test clear of it.
	await new Promise((resolve) => setTimeout(resolve, 1100));
});

const costsCalls = () => fake.log.filter((entry) => entry.path === '/account/costs');
const billingCalls = () => fake.log.filter((entry) => entry.path.startsWith('/account/billing/'));
const packs = (parameters = {}) => ({
	resource: 'account',
	operation: 'getResourcePacks',
	...parameters,
});
const costs = (parameters = {}) => ({
	resource: 'account',
	operation: 'getTaskCosts',
	...parameters,
});

function billingRows(count, start = Date.now() - 10 * DAY) {
	return Array.from({ length: count }, (_, i) => ({
		package_id: 'pk-1',
		product_type: i % 2 ? 'image' : 'video',
		task_id: `9000${String(i).padStart(6, '0')}`,
		api_key_name: 'default',
		product_function: 'text2video',
		model_name: 'kling-v2-6',
		resolution: '720p',
		duration: '5',
		deduction_time: start + i * 1000,
		unit_before_deduction: 5000 - i,
		deduction_amount: 1,
		unit_after_deduction: 4999 - i,
	}));
}

describe('Get Resource Packs', () => {
	it('one item per pack with quantities, type, status and dates; the last 365 days by default', async () => {
		const before = Date.now();
		const result = await runKling({ parameters: packs(), credentials: apiKeyCredentials(fake) });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(DEFAULT_PACKS.length);
		expect(result.items[0].json).toEqual({
			...DEFAULT_PACKS[0],
			purchase_date: '2026-01-05T00:00:00.000Z',
			effective_date: '2026-01-05T00:00:00.000Z',
			invalid_date: '2027-01-05T00:00:00.000Z',
		});
		expect(result.items.map((item) => item.json.status)).toEqual(['online', 'runOut', 'online']);
		expect(result.items.every((item) => item.pairedItem.item === 0)).toBe(true);

		const [call] = costsCalls();
		expect(call.method).toBe('GET');
		const start = Number(call.query.start_time);
		const end = Number(call.query.end_time);
		expect(end).toBeGreaterThanOrEqual(before);
		expect(end - start).toBe(365 * DAY);
		expect(call.query).not.toHaveProperty('resource_pack_name');
		expectNoSecrets(result, expect);
	});

	it('filters by pack name and takes the time window from the options', async () => {
		const result = await runKling({
			parameters: packs({
				resourcePackName: 'Virtual Try-On - 100 Units',
				options: { startTime: '2026-05-01T00:00:00Z', endTime: '2026-07-01T00:00:00Z' },
			}),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.resource_pack_id)).toEqual(['pack-tryon-1']);
		expect(costsCalls()[0].query).toEqual({
			start_time: String(Date.UTC(2026, 4, 1)),
			end_time: String(Date.UTC(2026, 6, 1)),
			resource_pack_name: 'Virtual Try-On - 100 Units',
		});
	});

	it("an error inside the double-wrapped answer is reported with Kling's inner code", async () => {
		fake.setOptions({ faults: { costsInnerError: { code: 1100, msg: 'account abnormal' } } });
		const result = await runKling({ parameters: packs(), credentials: apiKeyCredentials(fake) });
		expect(result.status).toBe('error');
		expect(result.error.message).toBe(
			'Kling reports a problem with this account (Kling code 1100)',
		);
		expect(result.error.description).toContain('Kling says: "account abnormal"');
		expect(result.error.context.itemIndex).toBe(0);
	});
});

describe('QPS ≤ 1 on /account/costs', () => {
	it('a call of one account waits for the answer to the previous one plus the gap; another account does not', async () => {
		const { accountTiming, takeAccountTurn } = account;
		expect(accountTiming.minGapMs).toBeGreaterThanOrEqual(1000);
		const saved = { ...accountTiming };
		accountTiming.minGapMs = 60;
		try {
			const started = Date.now();
			const first = takeAccountTurn('account-a');
			const second = takeAccountTurn('account-a');
			const other = takeAccountTurn('account-b');
			await first.ready;
			await other.ready;
			expect(Date.now() - started).toBeLessThan(50);
			let secondReady = false;
			void second.ready.then(() => (secondReady = true));
			// The first call's answer is slow: the second may not go while it is outstanding.
			await new Promise((resolve) => setTimeout(resolve, 150));
			expect(secondReady).toBe(false);
			const answeredAt = Date.now();
			first.done();
			await second.ready;
			expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(55);
			second.done();
			other.done();
		} finally {
			Object.assign(accountTiming, saved);
		}
	});

	it('the fake server really refuses a second call within a second (so the next test can fail)', async () => {
		const call = () =>
			fetch(`${fake.url}/account/costs?start_time=0&end_time=1`, {
				headers: { authorization: `Bearer ${SECRETS.apiKey}` },
			});
		expect((await call()).status).toBe(200);
		const second = await call();
		expect(second.status).toBe(429);
		expect((await second.json()).code).toBe(1302);
	});

	it('never two calls within a second: 3 items and a concurrent second execution on the same account', async () => {
		const [first, second] = await Promise.all([
			runKling({ parameters: packs(), items: rows(3), credentials: apiKeyCredentials(fake) }),
			runKling({
				parameters: packs(),
				items: rows(2),
				credentials: apiKeyCredentials(fake),
				workflowId: 'wf-other',
			}),
		]);
		expect(first.error).toBeUndefined();
		expect(second.error).toBeUndefined();
		expect(first.items).toHaveLength(3 * DEFAULT_PACKS.length);
		expect(second.items).toHaveLength(2 * DEFAULT_PACKS.length);
		const times = costsCalls().map((entry) => entry.at);
		expect(times).toHaveLength(5);
		const gaps = times.slice(1).map((at, i) => at - times[i]);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
		expect(costsCalls().every((entry) => entry.status === 200)).toBe(true);
		expect(fake.stats().qpsRejected ?? 0).toBe(0);
		// Figures for the report, not assertions on timing.
		console.log(`account QPS: 5 calls, gaps ${gaps.join(', ')} ms`);
	}, 30_000);

	it('a 429 caused by a call from elsewhere is waited out and the call repeated', async () => {
		await fetch(`${fake.url}/account/costs?start_time=0&end_time=1`, {
			headers: { authorization: `Bearer ${SECRETS.apiKey}` },
		});
		const result = await runKling({ parameters: packs(), credentials: apiKeyCredentials(fake) });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(DEFAULT_PACKS.length);
		const statuses = costsCalls().map((entry) => entry.status);
		expect(statuses).toEqual([200, 429, 200]);
	});
});

describe('Get Task Costs', () => {
	it('Return All pages through 3 pages by cursor (500 + 500 + 200) and puts out one item per deduction', async () => {
		const all = billingRows(1200);
		fake.setOptions({ billingRows: { package: all } });
		const result = await runKling({
			parameters: costs({ returnAll: true }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1200);
		expect(result.items.map((item) => item.json.task_id)).toEqual(all.map((row) => row.task_id));
		const calls = billingCalls();
		expect(calls.map((entry) => entry.path)).toEqual(Array(3).fill('/account/billing/package'));
		expect(calls[0].body).toMatchObject({ limit: 500 });
		expect(calls[0].body.end_time - calls[0].body.start_time).toBe(30 * DAY);
		expect(calls[0].body).not.toHaveProperty('cursor');
		expect(calls[1].body.cursor).toEqual(expect.any(String));
		expect(calls[2].body.cursor).not.toBe(calls[1].body.cursor);
		const gaps = calls.slice(1).map((entry, i) => entry.at - calls[i].at);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
	}, 30_000);

	it('a page that failed with a 5xx is asked again; no row is lost or doubled', async () => {
		const all = billingRows(1200);
		fake.setOptions({ billingRows: { package: all }, faults: { billingServerError: 2 } });
		const result = await runKling({
			parameters: costs({ returnAll: true }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.task_id)).toEqual(all.map((row) => row.task_id));
		expect(billingCalls().map((entry) => entry.status)).toEqual([500, 500, 200, 200, 200]);
	}, 30_000);

	it('Limit 700 reads two pages (500 + 200) and stops', async () => {
		fake.setOptions({ billingRows: { package: billingRows(1200) } });
		const result = await runKling({
			parameters: costs({ limit: 700 }),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(700);
		expect(billingCalls().map((entry) => entry.body.limit)).toEqual([500, 200]);
	}, 30_000);

	it('sends the filters, and uses /account/billing/balance for cash', async () => {
		fake.setOptions({ billingRows: { package: billingRows(10), balance: [] } });
		const byType = await runKling({
			parameters: costs({ filters: { productType: 'image', keyName: 'default, ci' } }),
			credentials: apiKeyCredentials(fake),
		});
		expect(byType.items).toHaveLength(5);
		expect(byType.items.every((item) => item.json.product_type === 'image')).toBe(true);
		expect(billingCalls()[0].body.filters).toEqual([
			{ key: 'api_key_name', values: ['default', 'ci'] },
			{ key: 'product_type', values: ['image'] },
		]);

		const cash = await runKling({
			parameters: costs({ billingType: 'balance' }),
			credentials: apiKeyCredentials(fake),
		});
		expect(cash.error).toBeUndefined();
		expect(cash.items).toHaveLength(0);
		expect(billingCalls()[1].path).toBe('/account/billing/balance');
	}, 30_000);

	it('for the task IDs of the input items: one item each with its deductions and their sum', async () => {
		const videos = await runKling({
			parameters: textToVideo({ prompt: '={{ "Scene " + $json.row }}' }),
			items: rows(2),
			credentials: apiKeyCredentials(fake),
		});
		expect(videos.error).toBeUndefined();
		const input = [
			...videos.items.map(({ json }) => ({ json })),
			{ json: { task_id: 'not-a-task' } },
		];
		const result = await runKling({
			parameters: costs({ costSource: 'inputTasks' }),
			items: input,
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		for (const [i, item] of result.items.slice(0, 2).entries()) {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json).toMatchObject({
				task_id: videos.items[i].json.task_id,
				found: true,
				total_deduction: Number(videos.items[i].json.final_unit_deduction),
			});
			expect(item.json.deductions).toHaveLength(1);
		}
		expect(result.items[2].json).toEqual({
			task_id: 'not-a-task',
			found: false,
			total_deduction: 0,
			deductions: [],
		});
		// The window of a task with created_at starts just before it was created.
		const first = billingCalls()[0].body;
		expect(first.start_time).toBe(videos.items[0].json.created_at - 5 * 60_000);
	}, 30_000);
});

describe('costs in every task output', () => {
	it("a video task output keeps Kling's final_unit_deduction unchanged, and the recipe's sum adds them up", async () => {
		const result = await runKling({
			parameters: textToVideo({ prompt: '={{ "Scene " + $json.row }}' }),
			items: rows(3),
			credentials: apiKeyCredentials(fake),
		});
		expect(result.error).toBeUndefined();
		for (const item of result.items) {
			const response = await fetch(`${fake.url}/v1/videos/text2video/${item.json.task_id}`, {
				headers: { authorization: `Bearer ${SECRETS.apiKey}` },
			});
			expect(item.json.final_unit_deduction).toBe(
				(await response.json()).data.final_unit_deduction,
			);
		}
		// The README's Code node: sum the units of all items of the run.
		const units = result.items.reduce(
			(sum, item) => sum + Number(item.json.final_unit_deduction ?? 0),
			0,
		);
		expect(units).toBe(3);
	});

	it('the credential test stays free: one GET listing one video task, never an account or create call', async () => {
		const loader = await loadPackage();
		const { request } = loader.credentialTypes.klingApi.type.test;
		expect(request.method).toBe('GET');
		expect(request.url).toBe('/v1/videos/text2video');
		expect(request.qs).toEqual({ pageNum: 1, pageSize: 1 });
		expect(request.body).toBeUndefined();
	});
});
