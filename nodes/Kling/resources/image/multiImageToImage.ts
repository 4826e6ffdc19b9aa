import type { INodeProperties } from 'n8n-workflow';

import { imageListField } from '../../shared/descriptions';

import {
	aspectRatioField,
	countField,
	imagePair,
	imageSourceField,
	modelField,
	modelOption,
	promptField,
	show,
	submitOptionsField,
	waitField,
} from './fields';

const where = show('multiImageToImage');

export const imageMultiImageToImageDescription: INodeProperties[] = [
	modelField(
		where,
		[modelOption('kling-v2-1', 'Kling v2.1', 'The only model for multi-image to image')],
		'kling-v2-1',
		'Which Kling model combines the images.',
	),
	imageListField(where, {
		name: 'subjectImages',
		displayName: 'Subject Images',
		max: 4,
		description:
			'One to four subject images (people, animals, objects), ideally already cropped to the subject',
		required: true,
		urlPlaceholder: 'e.g. https://example.com/subject.png',
	}),
	imageSourceField(where, 'the scene and style images'),
	...imagePair(where, 'sceneImage', 'Scene Image', 'Optional background scene', {
		required: false,
		defaultProperty: '',
	}),
	...imagePair(where, 'styleImage', 'Style Image', 'Optional style reference', {
		required: false,
		defaultProperty: '',
	}),
	promptField(where, false, 'Optional description of the result.'),
	countField(where),
	aspectRatioField(where, false),
	waitField(where),
	submitOptionsField(where),
];
