import type { INodeProperties } from 'n8n-workflow';

import {
	outputTask,
	prepareGetTask,
	prepareImageToVideo,
	prepareMultiImageToVideo,
	submitTask,
} from '../../shared/hooks';
import {
	prepareExtendVideo,
	prepareMotionControl,
	prepareOmniVideo,
	prepareVideoEffects,
	submitExtendVideo,
} from '../../shared/omni';
import { videoExtendVideoDescription } from './extendVideo';
import { videoGetTaskDescription } from './getTask';
import { outputNewApiTask, submitNewApiTask } from '../../shared/api2';
import { videoImageToVideoDescription } from './imageToVideo';
import { videoKlingTurboDescription } from './klingTurbo';
import { videoMotionControlDescription } from './motionControl';
import { videoMultiImageToVideoDescription } from './multiImageToVideo';
import { videoOmniVideoDescription } from './omniVideo';
import { videoTextToVideoDescription } from './textToVideo';
import { videoVideoEffectsDescription } from './videoEffects';

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
				name: 'Extend Video',
				value: 'extendVideo',
				action: 'Extend a video',
				description:
					'Add about 5 seconds to a video Kling generated, by its video ID (availability uncertain: Kling no longer documents it)',
				routing: {
					request: { method: 'POST', url: '/v1/videos/video-extend', ignoreHttpStatusErrors: true },
					send: { preSend: [prepareExtendVideo, submitExtendVideo] },
					output: { postReceive: [outputTask] },
				},
			},
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
					send: { preSend: [prepareImageToVideo, submitTask] },
					output: { postReceive: [outputTask] },
				},
			},
			{
				name: 'Kling 3.0 Turbo: Image to Video',
				value: 'turboImageToVideo',
				action: 'Generate a turbo video from an image',
				description:
					"Animate an image with Kling 3.0 Turbo on Kling's new API (needs an API key credential)",
				routing: {
					request: {
						method: 'POST',
						url: '=/image-to-video/{{ $parameter.model }}',
						ignoreHttpStatusErrors: true,
					},
					send: { preSend: [submitNewApiTask] },
					output: { postReceive: [outputNewApiTask] },
				},
			},
			{
				name: 'Kling 3.0 Turbo: Text to Video',
				value: 'turboTextToVideo',
				action: 'Generate a turbo video from text',
				description:
					"Generate a video from a prompt with Kling 3.0 Turbo on Kling's new API (needs an API key credential)",
				routing: {
					request: {
						method: 'POST',
						url: '=/text-to-video/{{ $parameter.model }}',
						ignoreHttpStatusErrors: true,
					},
					send: { preSend: [submitNewApiTask] },
					output: { postReceive: [outputNewApiTask] },
				},
			},
			{
				name: 'Motion Control',
				value: 'motionControl',
				action: 'Move a character like a reference video',
				description:
					'Make the character in an image move like the person in a reference video (kling-v2-6, kling-v3)',
				routing: {
					request: {
						method: 'POST',
						url: '/v1/videos/motion-control',
						ignoreHttpStatusErrors: true,
					},
					send: { preSend: [prepareMotionControl, submitTask] },
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
				name: 'Omni Video',
				value: 'omniVideo',
				action: 'Generate an omni video from references',
				description:
					'Generate or edit a video from a prompt with reference images, elements and a reference video (kling-v3-omni, kling-video-o1)',
				routing: {
					request: { method: 'POST', url: '/v1/videos/omni-video', ignoreHttpStatusErrors: true },
					send: { preSend: [prepareOmniVideo, submitTask] },
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
			{
				name: 'Video Effects',
				value: 'videoEffects',
				action: 'Apply a video effect to images',
				description: 'Turn one or two photos into a video with one of Kling’s effect templates',
				routing: {
					request: { method: 'POST', url: '/v1/videos/effects', ignoreHttpStatusErrors: true },
					send: { preSend: [prepareVideoEffects, submitTask] },
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
	...videoOmniVideoDescription,
	...videoMotionControlDescription,
	...videoVideoEffectsDescription,
	...videoExtendVideoDescription,
	...videoKlingTurboDescription,
];
