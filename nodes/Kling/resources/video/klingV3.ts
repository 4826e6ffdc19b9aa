import type { INodeProperties } from 'n8n-workflow';

import { THREE_TO_FIFTEEN } from '../../shared/videoV3';
import { multiShotFields } from './multiShot';

type Show = { resource: string[]; operation: string[] };

/**
 * Fields of Text/Image to Video shown only for kling-v3 (kling-api-more.md §2): mode with 4K,
 * duration 3–15 s, multi-shot. The general Mode and Duration fields hide for kling-v3.
 */
export function klingV3Fields(show: Show): INodeProperties[] {
	const onlyV3 = { ...show, model: ['kling-v3'] };
	return [
		{
			displayName: 'Mode',
			name: 'modeV3',
			type: 'options',
			options: [
				{
					name: 'Standard (720p)',
					value: 'std',
					description: 'About 0.6 units per second (0.9 with sound)',
				},
				{
					name: 'Professional (1080p)',
					value: 'pro',
					description: 'About 0.8 units per second (1.2 with sound)',
				},
				{ name: '4K', value: '4k', description: 'About 3 units per second, sound included' },
			],
			default: 'std',
			description: 'Quality level of kling-v3, billed per second',
			displayOptions: { show: onlyV3 },
			routing: { send: { type: 'body', property: 'mode' } },
		},
		{
			displayName: 'Duration',
			name: 'durationV3',
			type: 'options',
			options: THREE_TO_FIFTEEN.map((seconds) => ({ name: `${seconds} Seconds`, value: seconds })),
			default: '5',
			description: 'Length of the video: kling-v3 takes 3 to 15 seconds, billed per second',
			displayOptions: { show: onlyV3 },
			routing: { send: { type: 'body', property: 'duration' } },
		},
		...multiShotFields(onlyV3, true),
	];
}
