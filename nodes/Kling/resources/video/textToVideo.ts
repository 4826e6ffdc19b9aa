import type { INodeProperties } from 'n8n-workflow';

import {
	commonFields,
	modelField,
	promptField,
	submitOptionsField,
	waitField,
} from '../../shared/descriptions';

const showOnlyForTextToVideo = { resource: ['video'], operation: ['textToVideo'] };

export const videoTextToVideoDescription: INodeProperties[] = [
	modelField(showOnlyForTextToVideo, 'text2video', 'kling-v2-6'),
	promptField(showOnlyForTextToVideo, true),
	...commonFields(showOnlyForTextToVideo, true),
	waitField(showOnlyForTextToVideo),
	submitOptionsField(showOnlyForTextToVideo, { camera: true, sound: true }),
];
