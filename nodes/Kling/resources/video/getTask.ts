import type { INodeProperties } from 'n8n-workflow';

import { getTaskOptionsField, getTaskWaitField } from '../../shared/descriptions';

const showOnlyForGetTask = { resource: ['video'], operation: ['getTask'] };

export const videoGetTaskDescription: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 866889456698785798',
		description:
			'The task_id returned when the video was created (also accepts your External Task ID). Every input item is one task: an expression reading task_id from the item gets the tasks of all items.',
		displayOptions: { show: showOnlyForGetTask },
	},
	{
		displayName: 'Task Type',
		name: 'taskKind',
		type: 'options',
		options: [
			{ name: 'Extend Video', value: 'video-extend' },
			{
				name: 'Find Automatically',
				value: 'auto',
				description:
					'Try each type for the first task, then read the other tasks under the type found (one request per task)',
			},
			{ name: 'Image to Video', value: 'image2video' },
			{
				name: 'Kling 3.0 Turbo (New API)',
				value: 'tasks',
				description: "A task of Kling's new API; needs an API key credential",
			},
			{ name: 'Motion Control', value: 'motion-control' },
			{ name: 'Multi-Image to Video', value: 'multi-image2video' },
			{ name: 'Omni Video', value: 'omni-video' },
			{ name: 'Text to Video', value: 'text2video' },
			{ name: 'Video Effects', value: 'effects' },
		],
		default: 'auto',
		description:
			'Which operation created the task. Kling only finds a task under its own type; choosing it saves the lookups of Find Automatically.',
		displayOptions: { show: showOnlyForGetTask },
	},
	getTaskWaitField(showOnlyForGetTask),
	getTaskOptionsField(showOnlyForGetTask),
];
