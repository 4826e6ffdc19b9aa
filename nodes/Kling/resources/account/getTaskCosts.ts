import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_COSTS_WINDOW_DAYS } from '../../shared/account';
import { windowOptions } from './window';

const where = { resource: ['account'], operation: ['getTaskCosts'] };
const byWindow = { ...where, costSource: ['timeWindow'] };

export const accountGetTaskCostsDescription: INodeProperties[] = [
	{
		displayName: 'Billing Source',
		name: 'billingType',
		type: 'options',
		options: [
			{
				name: 'Resource Packs (Units)',
				value: 'package',
				description: 'Units deducted from resource packs',
			},
			{
				name: 'Cash Balance',
				value: 'balance',
				description: 'Money deducted from the cash balance, for accounts that pay per use',
			},
		],
		default: 'package',
		description: 'Where the account pays from',
		displayOptions: { show: where },
	},
	{
		displayName: 'Costs Of',
		name: 'costSource',
		type: 'options',
		options: [
			{
				name: 'A Time Window',
				value: 'timeWindow',
				description: 'One item per deduction in the time window',
			},
			{
				name: 'Task IDs of the Input Items',
				value: 'inputTasks',
				description: 'One item per input item with the deductions of its task and their sum',
			},
		],
		default: 'timeWindow',
		description: 'Which deductions to list',
		displayOptions: { show: where },
	},
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '={{ $json.task_id }}',
		required: true,
		description:
			'The Kling task whose costs to find. Kling lists a deduction once the task is charged (when it finishes).',
		displayOptions: { show: { ...where, costSource: ['inputTasks'] } },
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show: byWindow },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...byWindow, returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: where },
		options: [
			{
				displayName: 'Key Name',
				name: 'keyName',
				type: 'string',
				default: '',
				description:
					'Only deductions made with these API keys, by the names given to them in the Kling console (comma-separated)',
			},
			{
				displayName: 'Package ID',
				name: 'packageId',
				type: 'string',
				default: '',
				description:
					'Only these resource packs, by ID (comma-separated). Not together with Package Name.',
			},
			{
				displayName: 'Package Name',
				name: 'packageName',
				type: 'string',
				default: '',
				description:
					'Only these resource packs, by name (comma-separated). Not together with Package ID.',
			},
			{
				displayName: 'Product Type',
				name: 'productType',
				type: 'options',
				options: [
					{ name: 'Image', value: 'image' },
					{ name: 'Try-On', value: 'try-on' },
					{ name: 'Video', value: 'video' },
				],
				default: 'video',
				description: 'Only deductions for this kind of product',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: where },
		options: windowOptions(
			DEFAULT_COSTS_WINDOW_DAYS,
			'the deductions (for Task IDs of the Input Items: empty means from the task’s creation on, when the item holds it)',
		),
	},
];
