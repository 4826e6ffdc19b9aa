import type { INodeProperties } from 'n8n-workflow';

import {
	commonFields,
	imageListField,
	modelField,
	promptField,
	submitOptionsField,
	waitField,
} from '../../shared/descriptions';

const showOnlyForMultiImageToVideo = { resource: ['video'], operation: ['multiImageToVideo'] };

export const videoMultiImageToVideoDescription: INodeProperties[] = [
	modelField(showOnlyForMultiImageToVideo, 'multi-image2video', 'kling-v1-6'),
	imageListField(showOnlyForMultiImageToVideo, {
		name: 'images',
		displayName: 'Images',
		max: 4,
		description:
			'One to four reference images (subjects or scenes, not frames). JPG or PNG, at most 10 MB each.',
		required: true,
		urlPlaceholder: 'e.g. https://example.com/person.png',
	}),
	promptField(showOnlyForMultiImageToVideo, true),
	...commonFields(showOnlyForMultiImageToVideo, true),
	waitField(showOnlyForMultiImageToVideo),
	submitOptionsField(showOnlyForMultiImageToVideo, { camera: false, sound: false }),
];
