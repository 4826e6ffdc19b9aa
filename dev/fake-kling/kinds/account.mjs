// Account routes of the fake Kling server (kling-api-more.md §10): GET /account/costs (double
// wrapped, at most one call per second — a second call within 1 s gets HTTP 429 / 1302) and the
// billing lists POST /account/billing/package and /balance with cursor paging.
// Packs come from the option `packs`, deductions from `billingRows` ({ package: [], balance: [] })
// or, when not set, one row per finished task of the server. Faults: `faults.costsInnerError =
// { code, msg }` answers the next /account/costs call with that inner error;
// `faults.billingServerError = n` answers the next n billing calls with 5000.

const DAY = 24 * 60 * 60 * 1000;
const lastCostsCall = new WeakMap();

export const DEFAULT_PACKS = [
	{
		resource_pack_id: 'pack-video-1',
		resource_pack_name: 'Video Generation - 1000 Units',
		resource_pack_type: 'decreasing_total',
		total_quantity: 1000,
		remaining_quantity: 812.5,
		purchase_time: Date.UTC(2026, 0, 5),
		effective_time: Date.UTC(2026, 0, 5),
		invalid_time: Date.UTC(2027, 0, 5),
		status: 'online',
	},
	{
		resource_pack_id: 'pack-image-1',
		resource_pack_name: 'Image Generation - 500 Units',
		resource_pack_type: 'decreasing_total',
		total_quantity: 500,
		remaining_quantity: 0,
		purchase_time: Date.UTC(2026, 2, 1),
		effective_time: Date.UTC(2026, 2, 1),
		invalid_time: Date.UTC(2027, 2, 1),
		status: 'runOut',
	},
	{
		resource_pack_id: 'pack-tryon-1',
		resource_pack_name: 'Virtual Try-On - 100 Units',
		resource_pack_type: 'constant_period',
		total_quantity: 100,
		remaining_quantity: 100,
		purchase_time: Date.UTC(2026, 5, 1),
		effective_time: Date.UTC(2026, 5, 2),
		invalid_time: Date.UTC(2026, 11, 31),
		status: 'online',
	},
];

function productType(kind) {
	if (kind.includes('try-on')) return 'try-on';
	return kind.startsWith('images/') ? 'image' : 'video';
}

/** One deduction per finished task of this server, in the shape of /account/billing/package. */
function rowsFromTasks(state, helpers, type) {
	const now = Date.now();
	const rows = [];
	let balance = 1000;
	for (const task of state.tasks.values()) {
		const phase = helpers.taskPhase(task, now);
		if (!phase.done || task.outcome.status === 'failed') continue;
		const amount = 1;
		const row = {
			package_id: 'pack-video-1',
			product_type: productType(task.kind),
			task_id: task.task_id,
			api_key_name: 'default',
			product_function: task.kind,
			model_name: task.body.model_name ?? '',
			deduction_time: phase.since,
		};
		if (type === 'balance') {
			Object.assign(row, {
				cash_type: 'balance',
				balance_before_deduction: balance,
				deduction_amount: amount,
				balance_after_deduction: balance - amount,
				list_price: amount,
				currency: 'USD',
			});
		} else {
			Object.assign(row, {
				unit_before_deduction: balance,
				deduction_amount: amount,
				unit_after_deduction: balance - amount,
			});
		}
		balance -= amount;
		rows.push(row);
	}
	return rows;
}

function encodeCursor(query) {
	return Buffer.from(JSON.stringify(query)).toString('base64url');
}

function decodeCursor(cursor) {
	try {
		return JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8'));
	} catch {
		return undefined;
	}
}

const FILTER_FIELDS = {
	api_key_name: 'api_key_name',
	product_type: 'product_type',
	package_name: 'package_name',
	package_id: 'package_id',
};

function matchesFilters(row, filters) {
	return (filters ?? []).every(({ key, values }) =>
		values.includes(String(row[FILTER_FIELDS[key]])),
	);
}

export function register(api) {
	const { helpers } = api;

	api.route(
		'GET',
		(pathname) => pathname === '/account/costs' && {},
		(ctx) => {
			const now = Date.now();
			const last = lastCostsCall.get(ctx.state);
			lastCostsCall.set(ctx.state, now);
			if (last !== undefined && now - last < 1000) {
				ctx.state.counters.qpsRejected = (ctx.state.counters.qpsRejected ?? 0) + 1;
				return helpers.sendError(ctx, 1302, 'request rate exceeds limit (QPS 1)');
			}
			const fault = ctx.state.options.faults.costsInnerError;
			if (fault) {
				delete ctx.state.options.faults.costsInnerError;
				return helpers.sendData(ctx, { code: fault.code, msg: fault.msg });
			}
			const start = Number(ctx.query.start_time);
			const end = Number(ctx.query.end_time);
			if (
				!Number.isFinite(start) ||
				!Number.isFinite(end) ||
				ctx.query.start_time === undefined ||
				ctx.query.end_time === undefined
			) {
				return helpers.sendData(ctx, { code: 1201, msg: 'start_time and end_time are required' });
			}
			const name = ctx.query.resource_pack_name;
			const packs = (ctx.state.options.packs ?? DEFAULT_PACKS).filter(
				(pack) =>
					(name === undefined || pack.resource_pack_name === name) &&
					pack.effective_time <= end &&
					pack.invalid_time >= start,
			);
			return helpers.sendData(ctx, {
				code: 0,
				msg: 'success',
				resource_pack_subscribe_infos: packs,
			});
		},
	);

	api.route(
		'POST',
		(pathname) => /^\/account\/billing\/(package|balance)$/.exec(pathname)?.slice(1),
		(ctx, [type]) => {
			if (helpers.takeFault(ctx.state, 'billingServerError')) {
				return helpers.sendError(ctx, 5000, 'internal error');
			}
			const body = helpers.isPlainObject(ctx.body) ? ctx.body : {};
			let query;
			if (body.cursor !== undefined) {
				query = decodeCursor(body.cursor);
				if (!query) return helpers.sendError(ctx, 1201, 'cursor is invalid');
				if (body.limit !== undefined) query.limit = body.limit;
			} else {
				if (!Number.isFinite(body.start_time) || !Number.isFinite(body.end_time)) {
					return helpers.sendError(ctx, 1201, 'start_time and end_time are required');
				}
				query = {
					start: body.start_time,
					end: body.end_time,
					filters: body.filters ?? [],
					offset: 0,
					limit: body.limit ?? 500,
				};
			}
			if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 500) {
				return helpers.sendError(ctx, 1201, 'limit must be between 1 and 500');
			}
			if (type === 'balance' && query.filters.some((filter) => filter.key !== 'api_key_name')) {
				return helpers.sendError(ctx, 1201, 'balance can only be filtered by api_key_name');
			}
			const all = (ctx.state.options.billingRows?.[type] ?? rowsFromTasks(ctx.state, helpers, type))
				.filter((row) => row.deduction_time >= query.start && row.deduction_time <= query.end)
				.filter((row) => matchesFilters(row, query.filters))
				.sort((a, b) => a.deduction_time - b.deduction_time);
			const detail = all.slice(query.offset, query.offset + query.limit);
			const nextOffset = query.offset + detail.length;
			const hasMore = nextOffset < all.length;
			return helpers.sendData(ctx, {
				result: { detail, count: detail.length },
				next_cursor: hasMore ? encodeCursor({ ...query, offset: nextOffset }) : '',
				has_more: hasMore,
			});
		},
	);
}

export { DAY };
