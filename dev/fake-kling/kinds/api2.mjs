// Kling's new path-addressed API for the fake server (kling-api-more.md §11):
//   POST /text-to-video/{model}, /image-to-video/{model}, /omni-video/{model}, /motion-control/{model}
//   GET  /tasks?task_ids=a,b | ?external_task_ids=x      (data: [records], unknown ids left out)
//   POST /tasks {start_time, end_time, cursor, limit, filters}   (data: {result, count, next_cursor, has_more})
// API key only: a valid Access Key + Secret Key JWT is refused with 1002. Records are
// {id, status, message, create_time, update_time, external_id, outputs[], billing[]}.

const CREATE = /^\/(text-to-video|image-to-video|omni-video|motion-control)\/([^/]+)$/;
const MODELS = {
	'text-to-video': ['kling-3.0-turbo', 'kling-3.0', 'kling-2.6', 'kling-2.5-turbo'],
	'image-to-video': ['kling-3.0-turbo', 'kling-3.0', 'kling-2.6', 'kling-2.5-turbo'],
	'omni-video': ['kling-3.0-omni', 'kling-o1'],
	'motion-control': ['kling-3.0', 'kling-2.6'],
};
const STATUS = { submitted: 'submitted', processing: 'processing', failed: 'failed' };
const MAX_IDS = 20;

const refuse = (message) => ({ code: 1201, message });
const chars = (value) => [...String(value)].length;

function keyOnly(ctx) {
	const header = ctx.req.headers.authorization ?? '';
	return header === `Bearer ${ctx.state.options.apiKey}`;
}

function validateTurbo(operation, body) {
	const { settings, options } = body;
	if (typeof settings !== 'object' || settings === null) return refuse('settings is required');
	if (options !== undefined && (typeof options !== 'object' || options === null)) {
		return refuse('options must be an object');
	}
	if (!['720p', '1080p'].includes(settings.resolution))
		return refuse('settings.resolution is invalid');
	if (!Number.isInteger(settings.duration) || settings.duration < 3 || settings.duration > 15) {
		return refuse('settings.duration must be an integer from 3 to 15');
	}
	for (const key of ['audio', 'multi_shot', 'negative_prompt']) {
		if (key in body || key in settings) return refuse(`${key} is not supported by kling-3.0-turbo`);
	}
	if (options?.external_task_id !== undefined && typeof options.external_task_id !== 'string') {
		return refuse('options.external_task_id must be a string');
	}
	if (operation === 'text-to-video') {
		if (typeof body.prompt !== 'string' || body.prompt.trim() === '')
			return refuse('prompt is required');
		if (chars(body.prompt) > 3072) return refuse('prompt is too long');
		return undefined;
	}
	const contents = body.contents;
	if (!Array.isArray(contents)) return refuse('contents is required');
	const first = contents.filter((item) => item?.type === 'first_frame');
	if (first.length !== 1 || typeof first[0].url !== 'string' || !first[0].url) {
		return refuse('contents needs one first_frame with a url');
	}
	if (contents.some((item) => item?.type === 'last_frame')) {
		return refuse('last_frame is not supported by kling-3.0-turbo');
	}
	if (settings.aspect_ratio !== undefined)
		return refuse('aspect_ratio is not supported for image-to-video');
	const prompt = contents.find((item) => item?.type === 'prompt');
	if (prompt && chars(prompt.text) > 2500) return refuse('prompt is too long');
	return undefined;
}

function record(state, task, now, { taskPhase }) {
	const phase = taskPhase(task, now);
	const succeeded = phase.done && task.outcome.status !== 'failed';
	const duration = task.body.settings?.duration ?? Number(task.body.duration ?? 5);
	const view = {
		id: task.task_id,
		status: succeeded ? 'succeeded' : (STATUS[phase.status] ?? phase.status),
		message: phase.done ? task.outcome.message : '',
		create_time: task.createdAt,
		update_time: phase.since,
		external_id: task.external_task_id ?? '',
		outputs: [],
		billing: [],
	};
	if (!succeeded) return view;
	const perSecond = task.body.settings?.resolution === '1080p' ? 1 : 0.8;
	view.outputs = [
		{
			type: 'video',
			id: `v-${task.task_id}`,
			url: `${state.url}/media/${encodeURIComponent(task.task_id)}.mp4?sig=${state.nextSig++}`,
			watermark_url: '',
			duration: String(duration),
		},
	];
	view.billing = [
		{
			charge_type: 'unit',
			cash_type: '',
			amount: Math.round(perSecond * duration * 10) / 10,
			currency: '',
			package_type: 'video',
			list_price: '',
		},
	];
	return view;
}

export function register(api) {
	const h = api.helpers;

	api.route(
		'POST',
		(pathname) => CREATE.exec(pathname) ?? undefined,
		(ctx, match) => {
			const { state, body } = ctx;
			if (!keyOnly(ctx)) return h.sendError(ctx, 1002, 'The current API does not support AK/SK');
			const [, operation, encodedModel] = match;
			const model = decodeURIComponent(encodedModel);
			ctx.entry.kind = 'submit';
			state.counters.submitRequests += 1;
			if (h.takeFault(state, 'submitReset')) return h.dropConnection(ctx);
			if (h.takeFault(state, 'submitServerError')) return h.sendError(ctx, 5000, 'internal error');
			const custom = state.options.faults.submitError;
			if (custom?.count > 0) {
				custom.count -= 1;
				return h.sendError(ctx, custom.code, custom.message ?? 'error');
			}
			if (!MODELS[operation].includes(model)) return h.sendError(ctx, 1203, 'model not found');
			if (!h.isPlainObject(body))
				return h.sendError(ctx, 1200, 'request body must be a JSON object');
			const invalid =
				model === 'kling-3.0-turbo' && ['text-to-video', 'image-to-video'].includes(operation)
					? validateTurbo(operation, body)
					: undefined;
			if (invalid) return h.sendError(ctx, invalid.code, invalid.message);
			const externalId = body.options?.external_task_id;
			if (externalId !== undefined && h.findByExternalId(state, externalId)) {
				return h.sendError(ctx, 1201, 'external_task_id already exists');
			}
			if (h.runningCount(state, Date.now()) >= state.options.concurrency) {
				state.counters.rejected1303 += 1;
				return h.sendError(ctx, 1303, 'parallel task over resource pack limit');
			}
			const task = h.createTask(state, `api2/${operation}/${model}`, {
				...body,
				external_task_id: externalId,
			});
			if (h.takeFault(state, 'submitDropResponse')) return h.dropConnection(ctx);
			return h.sendData(ctx, {
				id: task.task_id,
				status: 'submitted',
				create_time: task.createdAt,
				update_time: task.createdAt,
				external_id: externalId ?? '',
			});
		},
	);

	api.route(
		'GET',
		(pathname) => (pathname === '/tasks' ? {} : undefined),
		(ctx) => {
			const { state, query } = ctx;
			if (!keyOnly(ctx)) return h.sendError(ctx, 1002, 'The current API does not support AK/SK');
			ctx.entry.kind = 'poll';
			state.counters.polls += 1;
			if (h.takeFault(state, 'pollServerError')) return h.sendError(ctx, 5000, 'internal error');
			const byId = query.task_ids !== undefined;
			const byExternal = query.external_task_ids !== undefined;
			if (byId === byExternal) {
				return h.sendError(ctx, 1201, 'give either task_ids or external_task_ids');
			}
			const wanted = String(byId ? query.task_ids : query.external_task_ids)
				.split(',')
				.filter(Boolean);
			if (wanted.length > MAX_IDS)
				return h.sendError(ctx, 1201, `at most ${MAX_IDS} ids per query`);
			const now = Date.now();
			const found = [...state.tasks.values()].filter((task) =>
				wanted.includes(byId ? task.task_id : task.external_task_id),
			);
			return h.sendData(
				ctx,
				found.map((task) => record(state, task, now, h)),
			);
		},
	);

	api.route(
		'POST',
		(pathname) => (pathname === '/tasks' ? {} : undefined),
		(ctx) => {
			const { state, body } = ctx;
			if (!keyOnly(ctx)) return h.sendError(ctx, 1002, 'The current API does not support AK/SK');
			const limit = body?.limit ?? 100;
			if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
				return h.sendError(ctx, 1201, 'limit must be between 1 and 500');
			}
			const now = Date.now();
			const start = Number(body?.cursor ?? 0);
			const all = [...state.tasks.values()].reverse();
			const page = all.slice(start, start + limit);
			const more = start + limit < all.length;
			return h.sendData(ctx, {
				result: page.map((task) => record(state, task, now, h)),
				count: page.length,
				next_cursor: more ? String(start + limit) : '',
				has_more: more,
			});
		},
	);
}
