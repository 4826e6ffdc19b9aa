import type { INodeProperties } from 'n8n-workflow';

import { getTaskOptionsField, show, waitField } from './fields';

const where = show('getTask');

export const imageGetTaskDescription: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 866889456698785798',
		description:
			'The task_id returned when the images were created (also accepts your External Task ID)',
		displayOptions: { show: where },
	},
	{
		displayName: 'Task Type',
		name: 'taskKind',
		type: 'options',
		options: [
			{ name: 'Expand', value: 'editing/expand' },
			{
				name: 'Find Automatically',
				value: 'auto',
				description: 'Try each image task type until the task is found',
			},
			{ name: 'Generate', value: 'generations' },
			{ name: 'Multi-Image to Image', value: 'multi-image2image' },
			{ name: 'Omni Image', value: 'omni-image' },
			{ name: 'Virtual Try-On', value: 'kolors-virtual-try-on' },
		],
		default: 'auto',
		description: 'Which operation created the task. Kling only finds a task under its own type.',
		displayOptions: { show: where },
	},
	waitField(where),
	getTaskOptionsField(where),
];
