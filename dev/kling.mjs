// Shared set-up for tests that run the node against the fake Kling server.
import { createRequire } from 'node:module';
import path from 'node:path';

import { startFakeKling } from './fake-kling/server.mjs';
import { projectRoot } from './engine.mjs';

const require = createRequire(import.meta.url);

export const SECRETS = {
	apiKey: 'test-api-key-9f3c1b7e',
	accessKey: 'test-access-key-51d0',
	secretKey: 'test-secret-key-c7a2e84d6b',
};

/** The node's delays and their development hook (the same module instance n8n loaded from dist/). */
export const { DELAYS, delays, useDelaysForDevelopment } = require(
	path.join(projectRoot, 'dist/nodes/Kling/shared/delays.js'),
);

/**
 * Retry and backoff delays shortened so fault tests take milliseconds instead of seconds. The
 * rules stay the node's (floor, backoff, bounds, probing after a quiet period); only the scale
 * changes.
 */
export function useFastRetries() {
	useDelaysForDevelopment({
		retryBaseMs: 10,
		retryMaxMs: 40,
		busyBaseMs: 50,
		busyMaxMs: 500,
		minRetryMs: 10,
		pollSpacingMs: 5,
		probeQuietMs: 2000,
	});
}

export async function startFake(options = {}) {
	return await startFakeKling({
		...SECRETS,
		taskDurationMs: 300,
		videoBytes: 48 * 1024,
		...options,
	});
}

export function apiKeyCredentials(fake, extra = {}) {
	return { authType: 'apiKey', apiKey: SECRETS.apiKey, baseUrl: fake.url, ...extra };
}

export function accessKeyCredentials(fake, extra = {}) {
	return {
		authType: 'accessKey',
		accessKey: SECRETS.accessKey,
		secretKey: SECRETS.secretKey,
		baseUrl: `${fake.url}/`,
		...extra,
	};
}

export function textToVideo(parameters = {}, options = {}) {
	return {
		resource: 'video',
		operation: 'textToVideo',
		prompt: 'A red fox trotting through fresh snow at dawn',
		...parameters,
		options: { pollInterval: 1, ...options },
	};
}

export function rows(n, makeJson = (i) => ({ row: i })) {
	return Array.from({ length: n }, (_, i) => ({ json: makeJson(i) }));
}

/**
 * Everything a run exposes to the user or to logs: output json, binary metadata, error message,
 * description and context. Used to prove secrets never leak.
 */
export function visibleText(result) {
	const errors = [result.error, ...result.items.map((item) => item.error)].filter(Boolean);
	return JSON.stringify({
		items: result.items.map((item) => ({ json: item.json, binary: item.binary })),
		errors: errors.map((error) => ({
			message: error.message,
			description: error.description,
			context: error.context,
			cause: String(error.cause ?? ''),
			stack: error.stack,
			serialised: JSON.stringify(error),
		})),
	});
}

export function expectNoSecrets(result, expect) {
	const text = visibleText(result);
	for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
	expect(text).not.toMatch(/eyJhbGciOi/); // no signed JWT either
}
