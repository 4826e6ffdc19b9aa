// The Image and Account parts of the node description as n8n loads them from the package:
// operations with routing and hooks, described parameters, one name per operation, and defaults
// that are among the options.
import { createRequire } from 'node:module';
import path from 'node:path';

import { beforeAll, describe, expect, it } from '@jest/globals';

import { loadPackage, projectRoot } from '../dev/engine.mjs';

const require = createRequire(import.meta.url);
const { TASK_PATHS } = require(path.join(projectRoot, 'dist/nodes/Kling/shared/constants.js'));
const images = require(path.join(projectRoot, 'dist/nodes/Kling/shared/images.js'));

const OPERATIONS = {
	image: {
		expand: 'POST /v1/images/editing/expand',
		generate: 'POST /v1/images/generations',
		getTask: 'GET',
		multiImageToImage: 'POST /v1/images/multi-image2image',
		omniImage: 'POST /v1/images/omni-image',
		virtualTryOn: 'POST /v1/images/kolors-virtual-try-on',
	},
	account: {
		getResourcePacks: 'GET /account/costs',
		getTaskCosts: 'POST =/account/billing/{{ $parameter.billingType }}',
	},
};

let description;
beforeAll(async () => {
	description = (await loadPackage()).nodeTypes.kling.type.description;
});

const operationOf = (resource) =>
	description.properties.find(
		(property) =>
			property.name === 'operation' && property.displayOptions?.show?.resource?.includes(resource),
	);

function propertiesFor(resource, operation) {
	return description.properties.filter((property) => {
		const show = property.displayOptions?.show;
		if (!show) return true;
		if (show.resource && !show.resource.includes(resource)) return false;
		if (show.operation && !show.operation.includes(operation)) return false;
		return true;
	});
}

function walk(properties, visit, trail = []) {
	for (const property of properties) {
		const here = [...trail, property.name];
		visit(property, here.join('.'));
		if (property.type === 'collection') walk(property.options ?? [], visit, here);
		if (property.type === 'fixedCollection') {
			for (const group of property.options ?? [])
				walk(group.values ?? [], visit, [...here, group.name]);
		}
	}
}

describe.each(Object.keys(OPERATIONS))('resource %s', (resource) => {
	it('has exactly its operations, each with an action, a request and hooks', () => {
		const operation = operationOf(resource);
		expect(operation.noDataExpression).toBe(true);
		expect(operation.options.map((option) => option.value).sort()).toEqual(
			Object.keys(OPERATIONS[resource]).sort(),
		);
		for (const option of operation.options) {
			expect(option.action).toMatch(/^[A-Z][a-z]/);
			expect(option.description.trim()).not.toBe('');
			const request = `${option.routing.request.method} ${option.routing.request.url}`;
			expect(request.startsWith(OPERATIONS[resource][option.value])).toBe(true);
			expect(option.routing.request.ignoreHttpStatusErrors).toBe(true);
			expect(option.routing.send.preSend.every((hook) => typeof hook === 'function')).toBe(true);
			expect(option.routing.output.postReceive.every((hook) => typeof hook === 'function')).toBe(
				true,
			);
		}
		expect(new Set(operation.options.map((option) => option.action)).size).toBe(
			operation.options.length,
		);
	});

	it('describes every visible parameter and shows each name once per operation', () => {
		for (const operation of Object.keys(OPERATIONS[resource])) {
			const properties = propertiesFor(resource, operation).filter(
				(property) => !['resource', 'operation', 'requestOptions'].includes(property.name),
			);
			const names = properties.map((property) => property.name);
			expect(names.length).toBe(new Set(names).size);
			const undescribed = [];
			walk(properties, (property, where) => {
				if (['notice', 'collection'].includes(property.type) || where.startsWith('requestOptions'))
					return;
				if (property.type === 'fixedCollection') return;
				if (typeof property.description !== 'string' || !property.description.trim())
					undescribed.push(where);
			});
			expect({ operation, undescribed }).toEqual({ operation, undescribed: [] });
		}
	});

	it('has a default among the options for every options parameter', () => {
		for (const operation of Object.keys(OPERATIONS[resource])) {
			walk(propertiesFor(resource, operation), (property, where) => {
				if (property.type !== 'options') return;
				const values = property.options.map((option) => option.value);
				expect({ where, ok: values.includes(property.default) }).toEqual({ where, ok: true });
			});
		}
	});
});

describe('account operations', () => {
	it('Get Resource Packs says that the remaining quantity can lag up to 12 hours, in the operation and a notice', () => {
		const option = operationOf('account').options.find((o) => o.value === 'getResourcePacks');
		expect(option.description).toMatch(/up to 12 hours/);
		const notice = propertiesFor('account', 'getResourcePacks').find((p) => p.type === 'notice');
		expect(notice.displayName).toMatch(/up to 12 hours/);
	});

	it('Get Task Costs has Return All and Limit like n8n list operations', () => {
		const names = propertiesFor('account', 'getTaskCosts').map((p) => p.name);
		expect(names).toEqual(
			expect.arrayContaining([
				'returnAll',
				'limit',
				'billingType',
				'costSource',
				'taskId',
				'filters',
			]),
		);
		const limit = propertiesFor('account', 'getTaskCosts').find((p) => p.name === 'limit');
		expect(limit.displayOptions.show.returnAll).toEqual([false]);
	});
});

describe('image kinds', () => {
	it('every image operation maps to a task kind with a path under /v1/images', () => {
		for (const [operation, kind] of Object.entries(images.IMAGE_KIND_OF_OPERATION)) {
			expect(`POST ${TASK_PATHS[kind]}`).toBe(OPERATIONS.image[operation]);
		}
		expect(images.IMAGE_KINDS.slice().sort()).toEqual(
			Object.values(images.IMAGE_KIND_OF_OPERATION).sort(),
		);
	});

	it('offers the newest models of each operation, the first as default', () => {
		const expected = {
			generate: ['kling-v3', 'kling-v2-1'],
			omniImage: ['kling-image-o1', 'kling-v3-omni'],
			multiImageToImage: ['kling-v2-1'],
			virtualTryOn: ['kolors-virtual-try-on-v1', 'kolors-virtual-try-on-v1-5'],
		};
		for (const [operation, models] of Object.entries(expected)) {
			const model = propertiesFor('image', operation).find((property) => property.name === 'model');
			expect(model.options.map((option) => option.value)).toEqual(models);
			expect(model.default).toBe(models[0]);
		}
	});

	it('the Get Task type choices cover every image kind', () => {
		const taskKind = propertiesFor('image', 'getTask').find(
			(property) => property.name === 'taskKind',
		);
		expect(taskKind.options.map((option) => option.value).sort()).toEqual(
			['auto', ...images.IMAGE_KINDS].sort(),
		);
	});
});

describe('pure helpers', () => {
	it('recognises PNG, JPEG, WebP and GIF by their first bytes and falls back to the content type', () => {
		const { imageTypeOf } = images;
		const png = Buffer.from('89504e470d0a1a0a', 'hex');
		const jpeg = Buffer.from('ffd8ffe000104a46', 'hex');
		const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8L')]);
		const gif = Buffer.from('GIF89a');
		expect(imageTypeOf(png, 'application/octet-stream')).toEqual({
			mimeType: 'image/png',
			extension: 'png',
		});
		expect(imageTypeOf(jpeg, 'image/png')).toEqual({ mimeType: 'image/jpeg', extension: 'jpg' });
		expect(imageTypeOf(webp, undefined)).toEqual({ mimeType: 'image/webp', extension: 'webp' });
		expect(imageTypeOf(gif, '')).toEqual({ mimeType: 'image/gif', extension: 'gif' });
		expect(imageTypeOf(Buffer.from('????'), 'image/avif; q=1')).toEqual({
			mimeType: 'image/avif',
			extension: 'avif',
		});
		expect(imageTypeOf(undefined, undefined)).toEqual({
			mimeType: 'application/octet-stream',
			extension: 'bin',
		});
	});

	it('accepts the documented limits themselves', () => {
		const ok = (kind, body) => expect(images.prepareImageBody(kind, body)).toHaveProperty('body');
		ok('generations', {
			model_name: 'kling-v3',
			prompt: 'a'.repeat(2500),
			n: 9,
			aspect_ratio: '21:9',
		});
		ok('generations', {
			model_name: 'kling-v2-1',
			prompt: 'p',
			image: 'https://x/y.png',
			image_reference: 'subject',
			image_fidelity: 1,
			human_fidelity: 0,
		});
		ok('generations', { model_name: 'kling-v9-future', prompt: 'p' }); // unknown IDs pass through
		ok('omni-image', {
			model_name: 'kling-v3-omni',
			prompt: 'p',
			resolution: '4k',
			result_type: 'series',
			series_amount: 9,
			aspect_ratio: 'auto',
		});
		ok('editing/expand', {
			image: 'https://x/y.png',
			up_expansion_ratio: 1,
			down_expansion_ratio: 0,
			left_expansion_ratio: 0.5,
			right_expansion_ratio: 0.5,
		});
		ok('multi-image2image', {
			model_name: 'kling-v2-1',
			subject_image_list: [1, 2, 3, 4].map((i) => ({ subject_image: `https://x/${i}.png` })),
		});
	});
});
