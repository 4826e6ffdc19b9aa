import type { INodeProperties } from 'n8n-workflow';

import {
	outputResourcePacks,
	outputTaskCosts,
	prepareResourcePacks,
	prepareTaskCosts,
} from '../../shared/account';
import { accountGetResourcePacksDescription } from './getResourcePacks';
import { accountGetTaskCostsDescription } from './getTaskCosts';

const showOnlyForAccount = { resource: ['account'] };

export const accountDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForAccount },
		options: [
			{
				name: 'Get Resource Packs',
				value: 'getResourcePacks',
				action: 'Get the resource packs of the account',
				description:
					'List the resource packs with their remaining and total units (Kling updates the remaining units up to 12 hours late; free; at most one call per second)',
				routing: {
					request: { method: 'GET', url: '/account/costs', ignoreHttpStatusErrors: true },
					send: { preSend: [prepareResourcePacks] },
					output: { postReceive: [outputResourcePacks] },
				},
			},
			{
				name: 'Get Task Costs',
				value: 'getTaskCosts',
				action: 'Get what tasks cost',
				description:
					'List the units (or cash) deducted per task, by time window or for given task IDs',
				routing: {
					request: {
						method: 'POST',
						url: '=/account/billing/{{ $parameter.billingType }}',
						ignoreHttpStatusErrors: true,
					},
					send: { preSend: [prepareTaskCosts] },
					output: { postReceive: [outputTaskCosts] },
				},
			},
		],
		default: 'getResourcePacks',
	},
	...accountGetResourcePacksDescription,
	...accountGetTaskCostsDescription,
];
