import type { INodeProperties } from 'n8n-workflow';

import { GET_TASK_URL_EXPRESSION } from '../../shared/constants';
import {
	outputTask,
	prepareGetTask,
	prepareImageToVideo,
	prepareMultiImageToVideo,
	runTask,
	submitTask,
} from '../../shared/hooks';
import { videoGetTaskDescription } from './getTask';
import { videoImageToVideoDescription } from './imageToVideo';
import { videoMultiImageToVideoDescription } from './multiImageToVideo';
import { videoTextToVideoDescription } from './textToVideo';

const showOnlyForVideo = { resource: ['video'] };

// Each operation's declared request is the one sent, once: preSend hooks validate and build it,
// runTask (n8n's hook around the declared request: operations.pagination with send.paginate)
// sends it when the item holds its place in flight and recovers a request that got no answer,
// and outputTask turns Kling's answer into the item (waiting, polling, download). See
// shared/hooks.ts.
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
					request: { method: 'GET', url: GET_TASK_URL_EXPRESSION, ignoreHttpStatusErrors: true },
					send: { preSend: [prepareGetTask], paginate: true },
					operations: { pagination: runTask },
					output: { postReceive: [outputTask] },
				},
			},
			{
				name: 'Image to Video',
				value: 'imageToVideo',
				action: 'Generate a video from an image',
				description: 'Animate an image (optionally towards an end frame)',
				routing: {
					request: { method: 'POST', url: '/v1/videos/image2video', ignoreHttpStatusErrors: true },
					send: { preSend: [prepareImageToVideo, submitTask], paginate: true },
					operations: { pagination: runTask },
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
					send: { preSend: [prepareMultiImageToVideo, submitTask], paginate: true },
					operations: { pagination: runTask },
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
					send: { preSend: [submitTask], paginate: true },
					operations: { pagination: runTask },
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
