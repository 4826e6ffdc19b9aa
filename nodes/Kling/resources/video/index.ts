import type { INodeProperties } from 'n8n-workflow';

import { GET_TASK_URL_EXPRESSION } from '../../shared/constants';
import {
	outputTask,
	prepareGetTask,
	prepareImageToVideo,
	prepareMultiImageToVideo,
	runTask,
	submitPreparedTask,
	submitTask,
} from '../../shared/hooks';
import { prepareAvatar, prepareLipSync } from '../../shared/talk';
import { videoAvatarDescription } from './avatar';
import {
	prepareExtendVideo,
	prepareMotionControl,
	prepareOmniVideo,
	prepareVideoEffects,
} from '../../shared/omni';
import { videoExtendVideoDescription } from './extendVideo';
import { videoGetTaskDescription } from './getTask';
import { submitNewApiTask } from '../../shared/api2';
import { videoImageToVideoDescription } from './imageToVideo';
import { videoLipSyncDescription } from './lipSync';
import { videoKlingTurboDescription } from './klingTurbo';
import { videoMotionControlDescription } from './motionControl';
import { videoMultiImageToVideoDescription } from './multiImageToVideo';
import { videoOmniVideoDescription } from './omniVideo';
import { videoTextToVideoDescription } from './textToVideo';
import { videoVideoEffectsDescription } from './videoEffects';

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
				name: 'Extend Video',
				value: 'extendVideo',
				action: 'Extend a video',
				description:
					'Add about 5 seconds to a video Kling generated, by its video ID (availability uncertain: Kling no longer documents it)',
				routing: {
					request: { method: 'POST', url: '/v1/videos/video-extend', ignoreHttpStatusErrors: true },
					send: { preSend: [prepareExtendVideo, submitTask], paginate: true },
					operations: { pagination: runTask },
					output: { postReceive: [outputTask] },
				},
			},
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
					send: { preSend: [submitNewApiTask], paginate: true },
					operations: { pagination: runTask },
					output: { postReceive: [outputTask] },
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
					send: { preSend: [submitNewApiTask], paginate: true },
					operations: { pagination: runTask },
					output: { postReceive: [outputTask] },
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
					send: { preSend: [prepareMotionControl, submitTask], paginate: true },
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
				name: 'Omni Video',
				value: 'omniVideo',
				action: 'Generate an omni video from references',
				description:
					'Generate or edit a video from a prompt with reference images, elements and a reference video (kling-v3-omni, kling-video-o1)',
				routing: {
					request: { method: 'POST', url: '/v1/videos/omni-video', ignoreHttpStatusErrors: true },
					send: { preSend: [prepareOmniVideo, submitTask], paginate: true },
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
			{
				name: 'Lip Sync',
				value: 'lipSync',
				action: 'Make a person in a video say new words',
				description:
					'Replace the lip movements of a face in a video with new speech (text or audio). Two paid calls: face identification, then the lip-sync task.',
				routing: {
					request: {
						method: 'POST',
						url: '/v1/videos/advanced-lip-sync',
						ignoreHttpStatusErrors: true,
					},
					send: { preSend: [prepareLipSync, submitPreparedTask], paginate: true },
					operations: { pagination: runTask },
					output: { postReceive: [outputTask] },
				},
			},
			{
				name: 'Avatar',
				value: 'avatar',
				action: 'Make a talking video from a photo',
				description: 'Turn one photo and speech (text or audio) into a talking-head video',
				routing: {
					request: {
						method: 'POST',
						url: '/v1/videos/avatar/image2video',
						ignoreHttpStatusErrors: true,
					},
					send: { preSend: [prepareAvatar, submitPreparedTask], paginate: true },
					operations: { pagination: runTask },
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
					send: { preSend: [prepareVideoEffects, submitTask], paginate: true },
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
	...videoLipSyncDescription,
	...videoAvatarDescription,
	...videoOmniVideoDescription,
	...videoMotionControlDescription,
	...videoVideoEffectsDescription,
	...videoExtendVideoDescription,
	...videoKlingTurboDescription,
];
