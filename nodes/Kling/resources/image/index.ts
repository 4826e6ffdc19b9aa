import type { INodeProperties } from 'n8n-workflow';

import { outputTask, prepareGetTask, runTask } from '../../shared/hooks';
import { prepareGetImageTask, submitImageTask } from '../../shared/images';
import { imageExpandDescription } from './expand';
import { imageGenerateDescription } from './generate';
import { imageGetTaskDescription } from './getTask';
import { imageMultiImageToImageDescription } from './multiImageToImage';
import { imageOmniImageDescription } from './omniImage';
import { imageVirtualTryOnDescription } from './virtualTryOn';

const showOnlyForImage = { resource: ['image'] };

const create = (url: string) => ({
	request: { method: 'POST' as const, url, ignoreHttpStatusErrors: true },
	send: { preSend: [submitImageTask], paginate: true },
	operations: { pagination: runTask },
	output: { postReceive: [outputTask] },
});

// As for video: the declared request is the one sent, once (see shared/hooks.ts runTask); the
// images are read and checked before, and output as binaries after (shared/images.ts).
export const imageDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForImage },
		options: [
			{
				name: 'Expand',
				value: 'expand',
				action: 'Expand an image beyond its borders',
				description: 'Outpaint: add new areas above, below, left or right of an image',
				routing: create('/v1/images/editing/expand'),
			},
			{
				name: 'Generate',
				value: 'generate',
				action: 'Generate images from text',
				description: 'Generate 1 to 9 images from a prompt, optionally from a reference image',
				routing: create('/v1/images/generations'),
			},
			{
				name: 'Get Task',
				value: 'getTask',
				action: 'Get an image task',
				description: 'Get an image task by ID; optionally wait for it and download the images',
				routing: {
					request: {
						method: 'GET',
						// Image kinds are named after their path under /v1/images.
						url: '=/v1/images/{{ $parameter.taskKind && $parameter.taskKind !== "auto" ? $parameter.taskKind : "generations" }}/{{ encodeURIComponent(String($parameter.taskId).trim()) }}',
						ignoreHttpStatusErrors: true,
					},
					send: { preSend: [prepareGetTask, prepareGetImageTask], paginate: true },
					operations: { pagination: runTask },
					output: { postReceive: [outputTask] },
				},
			},
			{
				name: 'Multi-Image to Image',
				value: 'multiImageToImage',
				action: 'Combine subject images into one image',
				description: 'Put up to four subjects into a scene and style',
				routing: create('/v1/images/multi-image2image'),
			},
			{
				name: 'Omni Image',
				value: 'omniImage',
				action: 'Generate images from a prompt and reference images',
				description: 'Generate or edit images from a prompt referring to up to 10 images',
				routing: create('/v1/images/omni-image'),
			},
			{
				name: 'Virtual Try-On',
				value: 'virtualTryOn',
				action: 'Dress a person in a garment',
				description: 'Show the person of one image wearing the garment of another (Kolors)',
				routing: create('/v1/images/kolors-virtual-try-on'),
			},
		],
		default: 'generate',
	},
	...imageGenerateDescription,
	...imageOmniImageDescription,
	...imageMultiImageToImageDescription,
	...imageExpandDescription,
	...imageVirtualTryOnDescription,
	...imageGetTaskDescription,
];
