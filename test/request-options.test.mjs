// n8n's Request Options for declarative nodes (batching, proxy, timeout) must keep working,
// also for the requests the node makes itself (submit, polls, download).
import http from 'node:http';
import net from 'node:net';

import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';

import { runKling } from '../dev/engine.mjs';
import { apiKeyCredentials, rows, startFake, textToVideo, useFastRetries } from '../dev/kling.mjs';

let fake;
let proxy;
const proxied = [];

beforeAll(async () => {
	useFastRetries();
	fake = await startFake({ taskDurationMs: 200 });
	// A plain forward HTTP proxy that records every request it relays.
	proxy = http.createServer((req, res) => {
		proxied.push(`${req.method} ${req.url}`);
		const target = new URL(req.url);
		const upstream = http.request(
			{
				host: target.hostname,
				port: target.port,
				path: target.pathname + target.search,
				method: req.method,
				headers: req.headers,
			},
			(answer) => {
				res.writeHead(answer.statusCode, answer.headers);
				answer.pipe(res);
			},
		);
		req.pipe(upstream);
	});
	proxy.on('connect', (_req, socket) => socket.destroy());
	await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
	await fake.close();
	await new Promise((resolve) => proxy.close(resolve));
});
beforeEach(() => {
	fake.reset();
	proxied.length = 0;
});

it('sends every request — submit, polls, read, download — through the configured proxy', async () => {
	const result = await runKling({
		parameters: {
			...textToVideo(),
			requestOptions: { proxy: `http://127.0.0.1:${proxy.address().port}` },
		},
		credentials: apiKeyCredentials(fake),
	});
	expect(result.error).toBeUndefined();
	expect(result.items[0].binary.data.mimeType).toBe('video/mp4');
	expect(proxied.length).toBe(fake.log.length);
	expect(
		proxied.some((line) => line.startsWith('POST') && line.endsWith('/v1/videos/text2video')),
	).toBe(true);
	expect(proxied.some((line) => line.includes('/media/'))).toBe(true);
	expect(net.isIP(new URL(proxied[0].split(' ')[1]).hostname)).toBe(4);
});

it("applies the timeout to the node's own requests (slow Kling → retried, then a clear error)", async () => {
	fake.setOptions({ faults: { slowMs: 1500 } });
	const result = await runKling({
		parameters: { ...textToVideo(), requestOptions: { timeout: 300 } },
		credentials: apiKeyCredentials(fake),
	});
	expect(result.error.message).toBe('Could not reach Kling (timed out)');
	// The slow submit may still have created the task, so it is never sent again blindly: the
	// node looks it up by external_task_id (those reads time out too) and then gives up.
	expect(fake.log.filter((entry) => entry.kind === 'submit').length).toBe(1);
	expect(fake.log.length).toBeGreaterThanOrEqual(5);
});

it('honours batching: items start in batches, spaced by the batch interval', async () => {
	const result = await runKling({
		parameters: {
			...textToVideo({ waitForCompletion: false }),
			requestOptions: { batching: { batch: { batchSize: 1, batchInterval: 400 } } },
		},
		items: rows(3),
		credentials: apiKeyCredentials(fake),
	});
	expect(result.error).toBeUndefined();
	const submitTimes = fake.log.filter((entry) => entry.kind === 'submit').map((entry) => entry.at);
	expect(submitTimes).toHaveLength(3);
	// Each item waits for its place in flight before its POST; the first item also pays one-off
	// set-up costs, so the gap can be shorter than the interval by that much (without batching
	// it would be a few ms).
	expect(submitTimes[1] - submitTimes[0]).toBeGreaterThanOrEqual(300);
	expect(submitTimes[2] - submitTimes[1]).toBeGreaterThanOrEqual(300);
});
