import type { INodeProperties } from 'n8n-workflow';

import {
	commonFields,
	modelField,
	promptField,
	submitOptionsField,
	waitField,
} from '../../shared/descriptions';
import { klingV3Fields } from './klingV3';

const showOnlyForTextToVideo = { resource: ['video'], operation: ['textToVideo'] };

export const videoTextToVideoDescription: INodeProperties[] = [
	modelField(showOnlyForTextToVideo, 'text2video', 'kling-v2-6'),
	promptField(showOnlyForTextToVideo, true),
	...commonFields(showOnlyForTextToVideo, true),
	...klingV3Fields(showOnlyForTextToVideo),
	waitField(showOnlyForTextToVideo),
	submitOptionsField(showOnlyForTextToVideo, { camera: true, sound: true }),
];
