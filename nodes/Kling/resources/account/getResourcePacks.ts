import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_PACKS_WINDOW_DAYS } from '../../shared/account';
import { windowOptions } from './window';

const where = { resource: ['account'], operation: ['getResourcePacks'] };

export const accountGetResourcePacksDescription: INodeProperties[] = [
	{
		displayName:
			'Kling updates the remaining quantity with a delay of up to 12 hours, and allows one call per second: the node spaces these calls on the same account.',
		name: 'packsNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: where },
	},
	{
		displayName: 'Resource Pack Name',
		name: 'resourcePackName',
		type: 'string',
		default: '',
		placeholder: 'e.g. Video Generation - 1000 Units',
		description: 'Only the pack with this exact name. Empty: all packs.',
		displayOptions: { show: where },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: where },
		options: windowOptions(DEFAULT_PACKS_WINDOW_DAYS, 'the packs'),
	},
];
