import type { INodeProperties } from 'n8n-workflow';

import {
	cfgScaleField,
	optionalTextField,
	submitOptionsField,
	waitField,
} from '../../shared/descriptions';

const showOnlyForExtendVideo = { resource: ['video'], operation: ['extendVideo'] };

export const videoExtendVideoDescription: INodeProperties[] = [
	{
		displayName: 'Video ID',
		name: 'videoId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 870212345678901234',
		description:
			'ID of a video Kling generated in the last 30 days: the video ID in task_result.videos[0] of an earlier Kling node (not its URL). Adds about 4 to 5 seconds; the total may reach 3 minutes.',
		displayOptions: { show: showOnlyForExtendVideo },
	},
	optionalTextField(showOnlyForExtendVideo, {
		name: 'prompt',
		displayName: 'Prompt',
		rows: 3,
		description: 'Optional: what happens next, up to 2,500 characters',
	}),
	optionalTextField(showOnlyForExtendVideo, {
		name: 'negativePrompt',
		displayName: 'Negative Prompt',
		rows: 2,
		description: 'Optional: what to avoid, up to 2,500 characters',
	}),
	cfgScaleField(
		showOnlyForExtendVideo,
		'How strictly to follow the prompt (0 to 1). Sent only when changed from 0.5: sources disagree on whether extend takes it.',
	),
	waitField(showOnlyForExtendVideo),
	submitOptionsField(showOnlyForExtendVideo, { camera: false, sound: false }),
];
