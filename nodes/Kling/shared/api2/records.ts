import type { IDataObject } from 'n8n-workflow';

import type { KlingTask, KlingVideo } from '../types';

/**
 * Kling's new path-addressed API (kling-api-more.md §11) answers with task records
 * `{id, status, message, create_time, update_time, external_id, outputs[], billing[]}`. The node
 * turns them into the task object it puts out for every other operation, so downstream nodes
 * see one shape: task_id, task_status (succeed / failed / submitted / processing),
 * task_info.external_task_id, task_result.videos[], final_unit_deduction. The record's own
 * outputs[] and billing[] are kept as they are.
 */
export interface NewApiRecord extends IDataObject {
	id: string;
	status?: string;
	message?: string;
	create_time?: number;
	update_time?: number;
	external_id?: string;
	outputs?: IDataObject[];
	billing?: IDataObject[];
}

const LEGACY_STATUS: Record<string, string> = {
	submitted: 'submitted',
	processing: 'processing',
	succeeded: 'succeed',
	failed: 'failed',
};

export function isRecord(value: unknown): value is NewApiRecord {
	const id = (value as IDataObject | undefined)?.id;
	return (
		typeof value === 'object' &&
		value !== null &&
		(typeof id === 'string' || typeof id === 'number') &&
		String(id) !== ''
	);
}

/** Units charged: the sum of the unit charges in billing[] (cash charges are left in billing). */
function unitsCharged(billing: IDataObject[] | undefined): string | undefined {
	const units = (billing ?? []).filter((charge) => charge.charge_type === 'unit');
	if (units.length === 0) return undefined;
	const total = units.reduce((sum, charge) => sum + Number(charge.amount ?? 0), 0);
	return String(Math.round(total * 1000) / 1000);
}

export function toTask(record: NewApiRecord): KlingTask {
	const status = String(record.status ?? '');
	const videos: KlingVideo[] = (record.outputs ?? [])
		.filter((output) => output.type === 'video')
		.map((output) => ({
			id: output.id === undefined ? undefined : String(output.id),
			url: output.url as string | undefined,
			watermark_url: output.watermark_url as string | undefined,
			duration: output.duration === undefined ? undefined : String(output.duration),
		}));
	const task: KlingTask = {
		task_id: String(record.id),
		task_status: LEGACY_STATUS[status] ?? status,
		task_status_msg: String(record.message ?? ''),
		task_info: record.external_id ? { external_task_id: String(record.external_id) } : {},
		created_at: record.create_time,
		updated_at: record.update_time,
	};
	const units = unitsCharged(record.billing);
	if (units !== undefined) task.final_unit_deduction = units;
	if (videos.length) task.task_result = { videos };
	task.outputs = record.outputs ?? [];
	task.billing = record.billing ?? [];
	return task;
}
