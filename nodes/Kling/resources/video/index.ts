import type { INodeProperties } from 'n8n-workflow';

import {
	outputGetTask,
	outputTask,
	prepareGetTask,
	prepareImageToVideo,
	prepareMultiImageToVideo,
	submitTask,
} from '../../shared/hooks';
import { videoGetTaskDescription } from './getTask';
import { videoImageToVideoDescription } from './imageToVideo';
import { videoMultiImageToVideoDescription } from './multiImageToVideo';
import { videoTextToVideoDescription } from './textToVideo';

const showOnlyForVideo = { resource: ['video'] };

// The create operations send their body from a preSend hook (idempotent, retried, capped);
// the declarative request then reads the task they created. See shared/hooks.ts.
export const videoDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForVideo },
		options: [
			{
				name: 'Get Task',
				value: 'getTask',
				action: 'Get a video task',
				description: 'Get a task by ID; optionally wait for it and download the video',
				routing: {
					request: {
						method: 'GET',
						url: '=/v1/videos/text2video/{{ $parameter.taskId }}',
						ignoreHttpStatusErrors: true,
					},
					send: { preSend: [prepareGetTask] },
					output: { postReceive: [outputGetTask] },
				},
			},
			{
				name: 'Image to Video',
				value: 'imageToVideo',
				action: 'Generate a video from an image',
				description: 'Animate an image (optionally towards an end frame)',
				routing: {
					request: { method: 'POST', url: '/v1/videos/image2video', ignoreHttpStatusErrors: true },
					send: { preSend: [prepareImageToVideo, submitTask] },
					output: { postReceive: [outputTask] },
				},
			},
			{
				name: 'Multi-Image to Video',
				value: 'multiImageToVideo',
				action: 'Generate a video from reference images',
				description: 'Combine up to four reference images into one video',
				routing: {
					request: {
						method: 'POST',
						url: '/v1/videos/multi-image2video',
						ignoreHttpStatusErrors: true,
					},
					send: { preSend: [prepareMultiImageToVideo, submitTask] },
					output: { postReceive: [outputTask] },
				},
			},
			{
				name: 'Text to Video',
				value: 'textToVideo',
				action: 'Generate a video from text',
				description: 'Generate a video from a text prompt',
				routing: {
					request: { method: 'POST', url: '/v1/videos/text2video', ignoreHttpStatusErrors: true },
					send: { preSend: [submitTask] },
					output: { postReceive: [outputTask] },
				},
			},
		],
		default: 'textToVideo',
	},
	...videoTextToVideoDescription,
	...videoImageToVideoDescription,
	...videoMultiImageToVideoDescription,
	...videoGetTaskDescription,
];
