// GET /account/costs (kling-api-more.md §10): the account's resource packs, double-wrapped
// (data.code, data.msg, data.resource_pack_subscribe_infos). Free; used by scripts/check-live.mjs.
export function register(api) {
	const { sendData, sendError } = api.helpers;
	api.route(
		'GET',
		(pathname) => (pathname === '/account/costs' ? {} : undefined),
		(ctx) => {
			const start = Number(ctx.query.start_time);
			const end = Number(ctx.query.end_time);
			if (!Number.isInteger(start) || !Number.isInteger(end) || start > end) {
				return sendError(ctx, 1201, 'start_time and end_time (ms) are required');
			}
			return sendData(ctx, {
				code: 0,
				msg: 'success',
				resource_pack_subscribe_infos: [
					{
						resource_pack_id: 'pack-1',
						resource_pack_name: 'Video pack (fake)',
						resource_pack_type: 'decreasing_total',
						total_quantity: 100,
						remaining_quantity: 100 - ctx.state.counters.submissions,
						purchase_time: start,
						effective_time: start,
						invalid_time: end + 30 * 86_400_000,
						status: 'online',
					},
				],
			});
		},
	);
}
